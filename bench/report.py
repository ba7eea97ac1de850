"""Report rendering: time and size for 2,000 and 20,000 comments, and load time in Chromium.

Baseline, in the same process: the same Jinja environment rendering the plain comment list
(id, author, escaped text) of the same thread. Ratios are what to compare across machines.

    .venv/bin/python -m bench.report
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bench._common import ROOT, markdown_table, save, timed

sys.path.insert(0, str(ROOT))

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, synthetic_corpus  # noqa: E402

BASELINE = """<!doctype html><html><head><meta charset="utf-8"><title>{{ title }}</title></head><body><ol>
{% for c in comments %}<li id="c-{{ loop.index }}"><b>{{ c.author }}</b> <span>#{{ c.comment_id }}</span><div>{{ c.text }}</div></li>
{% endfor %}</ol></body></html>"""


def baseline_render(corpus) -> str:
    from discourse.report import environment

    env = environment()
    return env.from_string(BASELINE).render(title="baseline", comments=corpus.comments[["comment_id", "author", "text"]].to_dict("records"))


def load_time(browser, path: Path) -> float:
    page = browser.new_page()
    errors, requests = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url) if not r.url.startswith(("data:", "about:", "file:")) else None)
    t0 = time.perf_counter()
    page.goto(path.as_uri(), wait_until="load", timeout=300_000)
    page.evaluate("new Promise(r => requestAnimationFrame(() => r()))")
    took = time.perf_counter() - t0
    page.close()
    if errors or requests:
        raise SystemExit(f"{path.name}: errors {errors[:3]}, requests {requests[:3]}")
    return took


def main() -> None:
    from discourse.report import render_thread

    rows = []
    out = Path(tempfile.mkdtemp(prefix="discourse-bench-report-"))
    sizes = [2_000, 20_000]
    corpora = {n: synthetic_corpus(n, seed=11) for n in sizes}
    for n, corpus in corpora.items():
        base_html, base_s = timed(baseline_render, corpus, repeat=3 if n <= 2000 else 1)
        html, s = timed(render_thread, corpus, generated_at="bench", repeat=3 if n <= 2000 else 1)
        (out / f"report-{n}.html").write_text(html, encoding="utf-8")
        (out / f"baseline-{n}.html").write_text(base_html, encoding="utf-8")
        rows.append({"comments": n, "spans": len(corpus.spans), "render s": s, "baseline s": base_s, "render ratio": s / base_s,
                     "MB": len(html.encode()) / 2**20, "baseline MB": len(base_html.encode()) / 2**20,
                     "size ratio": len(html.encode()) / len(base_html.encode())})
    if Path(CHROMIUM).exists():
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for row in rows:
                n = row["comments"]
                base = min(load_time(browser, out / f"baseline-{n}.html") for _ in range(2))
                full = min(load_time(browser, out / f"report-{n}.html") for _ in range(2))
                row.update({"load s": full, "baseline load s": base, "load ratio": full / base})
            browser.close()
    print(markdown_table(rows))
    # A corpus: 200 threads of about 50 comments, overview plus one page per thread.
    from discourse.report import render_corpus, report

    corpus = synthetic_corpus(10_000, n_threads=200, seed=5)
    overview, over_s = timed(render_corpus, corpus)
    page, all_s = timed(report, corpus)
    base_html, base_s = timed(baseline_render, corpus)
    corpus_row = {"threads": 200, "comments": len(corpus.comments), "overview s": over_s, "overview MB": len(overview.encode()) / 2**20,
                  "with pages s": all_s, "pages MB": sum(len(h.encode()) for h in page.pages.values()) / 2**20,
                  "baseline s": base_s, "ratio": all_s / base_s}
    print(markdown_table([corpus_row]))
    print(f"pages in {out}")
    save("report", {"threads": rows, "corpus": corpus_row})


if __name__ == "__main__":
    main()
