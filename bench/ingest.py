"""Ingest benchmark: every file under ``$DISCOURSE_DATA/formats``, and a 100 MB Reddit dump.

Part 1 reads each file (a ConvoKit directory counts as one) with format detection and
prints, per file: the format detected, threads, records seen, comments kept, reply links the
source states (``links``), explicit links kept, skipped by reason, comments not downloaded,
seconds, and the time as a ratio to a bare parse of the same bytes (``json.loads``,
defusedxml, ``html.parser``) measured in the same process. ``expected`` is what the folder's
SOURCE.md (or, for the saved HTML, a regular-expression count of ``<li id="comment-N">``
items) says; ``agrees`` compares it with what was read.

Part 2 builds a flat Reddit dump of at least 100 MB from the real comments of the three
Reddit threads (ids and thread ids renumbered per copy, links kept), never committed, and
the same comments as a contract JSON Lines table, and a WordPress export of the same size
from the theme unit test data's commented posts (ids renumbered per copy); it reads each with
format detection (``reddit-jsonl``, ``jsonl`` line by line, ``wxr`` through ``iterparse``) in
a fresh process, reporting peak resident memory (``ru_maxrss``) and time against a baseline
process that imports pandas and only ``json.loads`` every line (or only ``iterparse``-s the XML).

Every file under ``formats`` appears in part 1: the sources read, and below them the files
a folder read leaves out, each with the reason (part of a ConvoKit corpus directory read as
one source, documentation or licence, hidden, Markdown without a comment section).
``--readme`` rewrites the README's table (between ``<!-- ingest-table -->`` markers) from this run.

Run: ``DISCOURSE_DATA=/work/shared/data .venv/bin/python -m bench.ingest [--no-big] [--readme]``
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from bench._common import data_dir, markdown_table, save

#: Counts the SOURCE.md files state: path suffix -> (threads, records seen, links in the source).
EXPECTED = {
    "wxr/fixtures-wordpress-importer/theme-unit-test-data.xml": (7, 33, 10),
    "wxr/theme-test-data/themeunittestdata.wordpress.xml": (None, 33, 10),
    "wxr/fixtures-wordpress-importer/a11y-unit-test-data.xml": (None, 29, 9),
    "wxr/theme-test-data/64-block-test-data.xml": (None, 2, 1),
    "wxr/isso/wordpress.xml": (None, 8, 3),
    "wxr/fixtures-wordpress-importer/valid-wxr-1.0.xml": (None, 1, 0),
    "wxr/fixtures-wordpress-importer/valid-wxr-1.1.xml": (None, 1, 0),
    "wxr/fixtures-wordpress-importer/small-export.xml": (None, 1, 0),
    "wxr/fixtures-wordpress-importer/test-serialized-comment-meta.xml": (None, 1, 0),
    "wxr/fixtures-wordpress-importer/slashes.xml": (None, 1, 0),
    "wxr/fixtures-wordpress-importer/wxr-comprehensive.xml": (None, 1, 0),
    "wxr/fixtures-wordpress-importer/wxr-with-sub-data.xml": (None, 1, 0),
    "disqus/isso/disqus.xml": (3, 6, 2),
    "disqus/remark42/disqus.xml": (2, 6, None),
    "disqus/remark42/disqus-deleted-post.xml": (2, 6, None),
    "disqus/remark42/disqus-deleted-thread.xml": (None, 6, None),
    "reddit/fo7p5b.json": (1, 492, None),
    "reddit/3hahrw.json": (1, 476, None),
    "reddit/jlbw48.json": (1, 6, None),
    "hn/hn-comments-1000-sample.jsonl": (None, 1000, None),
    "convokit": (50, 1469, 951),
}
#: HN: "only 2 have their parent inside the sample" -> explicit links kept.
EXPECTED_KEPT_LINKS = {"hn/hn-comments-1000-sample.jsonl": 2}


def _baseline(path: Path, fmt: str) -> float:
    """Seconds for a bare parse of the same bytes with the standard tools."""
    t0 = time.perf_counter()
    if path.is_dir():
        with open(path / "utterances.jsonl", "rb") as fh:
            for line in fh:
                json.loads(line)
    elif fmt in ("wxr", "disqus"):
        import defusedxml.ElementTree as DET

        text = path.read_text(encoding="utf-8")
        try:
            DET.fromstring(text.lstrip("`"))
        except Exception:  # the malformed remark42 files: time the attempt
            pass
    elif fmt == "wp-html":
        from html.parser import HTMLParser

        HTMLParser().feed(path.read_text(encoding="utf-8"))
    elif path.suffix == ".jsonl":
        with open(path, "rb") as fh:
            for line in fh:
                json.loads(line)
    elif path.suffix in (".csv", ".tsv"):
        import csv

        with open(path, newline="", encoding="utf-8") as fh:
            for _ in csv.reader(fh):
                pass
    else:
        json.loads(path.read_bytes())
    return time.perf_counter() - t0


def _wp_html_expected(path: Path):
    text = path.read_text(encoding="utf-8")
    items = re.findall(r'<li id="comment-\d+" class="([^"]*)"', text)
    nested = sum(1 for cls in items if re.search(r"\bdepth-(\d+)", cls) and int(re.search(r"\bdepth-(\d+)", cls).group(1)) > 1)
    return (1, len(items), nested)


def part1(base: Path) -> list[dict]:
    import discourse
    from discourse.ingest import _expand
    from discourse.ingest.detect import detect_format

    rows = []
    for f in _expand([base]):
        rel = f.relative_to(base).as_posix()
        fmt, _ = detect_format(f)
        best, corpus = float("inf"), None
        for _ in range(3):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t0 = time.perf_counter()
                corpus = discourse.read(f)
                best = min(best, time.perf_counter() - t0)
        raw = min(_baseline(f, fmt) for _ in range(3))
        r = corpus.ingest[0]
        kept_links = int((corpus.comments["parent_id"] != "").sum())
        expected = EXPECTED.get(rel)
        if fmt == "wp-html":
            expected = _wp_html_expected(f)
        agrees = ""
        if expected is not None:
            got = (r.threads, r.seen, r.links)
            agrees = "yes" if all(e is None or e == g for e, g in zip(expected, got)) else f"NO {got} vs {expected}"
            if rel in EXPECTED_KEPT_LINKS:
                agrees += "" if kept_links == EXPECTED_KEPT_LINKS[rel] else f" NO kept links {kept_links}"
        rows.append({
            "file": rel, "format": r.format, "threads": r.threads, "seen": r.seen, "kept": r.kept,
            "links": r.links, "explicit kept": kept_links,
            "skipped": ", ".join(f"{n} {k}" for k, n in sorted(r.skipped.items())) or "-",
            "repaired": ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(r.repaired.items())) or "-",
            "not downloaded": r.not_downloaded or "",
            "seconds": round(best, 3), "x bare parse": round(best / raw, 1) if raw > 0 else "",
            "expected": "/".join("-" if e is None else str(e) for e in expected) if expected else "",
            "agrees": agrees, "balanced": r.balanced,
        })
    return rows


def left_out(base: Path, rows: list[dict]) -> list[dict]:
    """Every file under *base* that no row of part 1 names, with the reason a folder read leaves it out."""
    from discourse.ingest import _is_doc

    read = {r["file"] for r in rows}
    corpora = [base / f for f in read if (base / f).is_dir()]
    out = []
    for f in sorted(p for p in base.rglob("*") if p.is_file()):
        rel = f.relative_to(base).as_posix()
        if rel in read:
            continue
        home = next((c for c in corpora if c in f.parents), None)
        if any(part.startswith(".") for part in f.relative_to(base).parts):
            why = "hidden"
        elif _is_doc(f):
            why = "documentation or licence"
        elif home is not None:
            why = f"part of the ConvoKit corpus `{home.relative_to(base).as_posix()}` (read as one source)"
        elif f.suffix.lower() == ".md":
            why = "Markdown without a comment section"
        else:
            why = "NOT READ: no reason known"
        out.append({"file": rel, "why": why})
    return out


_MARK, _END = "<!-- ingest-table -->", "<!-- /ingest-table -->"


def readme_table(rows: list[dict], others: list[dict]) -> str:
    """The README's table: every source read, then every other file under formats, with why."""
    cols = ["file", "format", "threads", "seen", "kept", "links", "explicit kept", "skipped", "repaired",
            "not downloaded", "seconds", "agrees"]
    shown = [{**r, "file": f"`{r['file']}`", "seconds": f"{r['seconds']:.2f}"} for r in rows]
    table = markdown_table(shown, cols)
    lines = [table, "", f"The other {len(others)} files under `formats` (no row of their own above), and why:", "",
             "| file | why |", "|---|---|"]
    lines += [f"| `{o['file']}` | {o['why']} |" for o in others]
    return "\n".join(lines)


def write_readme(text: str, readme: Path = Path(__file__).resolve().parent.parent / "README.md") -> None:
    doc = readme.read_text(encoding="utf-8")
    start, end = doc.index(_MARK) + len(_MARK), doc.index(_END)
    readme.write_text(doc[:start] + "\n" + text + "\n" + doc[end:], encoding="utf-8")


def build_dump(base: Path, target_bytes: int, out: Path) -> tuple[int, int]:
    """Write real Reddit comments, renumbered per copy, until *out* holds *target_bytes*."""
    comments = []
    for f in sorted((base / "reddit").glob("*.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        stack = list(data[1]["data"]["children"])
        while stack:
            ch = stack.pop()
            if ch.get("kind") != "t1":
                continue
            d = ch["data"]
            comments.append({k: d.get(k) for k in ("id", "parent_id", "link_id", "author", "created_utc", "score",
                                                    "subreddit", "body")})
            if isinstance(d.get("replies"), dict):
                stack.extend(d["replies"]["data"]["children"])
    n = copies = 0
    with open(out, "w", encoding="utf-8") as fh:
        while fh.tell() < target_bytes:
            for c in comments:
                rec = dict(c)
                rec["id"] = f"{c['id']}x{copies}"
                rec["link_id"] = f"{c['link_id']}x{copies}"
                p = c["parent_id"]
                rec["parent_id"] = f"{p}x{copies}"
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
                n += 1
            copies += 1
    return n, copies


_READ = """
import resource, sys, time, warnings
t0 = time.perf_counter()
warnings.simplefilter("ignore")
import discourse
c = discourse.read(sys.argv[1])
took = time.perf_counter() - t0
r = c.ingest[0]
print(took, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, r.seen, r.kept, r.threads, int(r.balanced))
"""

_BASE = """
import json, resource, sys, time
t0 = time.perf_counter()
import pandas
n = 0
with open(sys.argv[1], "rb") as fh:
    for line in fh:
        json.loads(line); n += 1
print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, n)
"""


_BASE_XML = """
import resource, sys, time
t0 = time.perf_counter()
import pandas
import defusedxml.ElementTree as DET
n = 0
for event, elem in DET.iterparse(sys.argv[1]):
    n += 1
    if elem.tag == "item":
        elem.clear()
print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, n)
"""


def to_contract(dump: Path, out: Path) -> None:
    """The same comments as a contract table (thread_id, comment_id, parent_id, ...) in JSON Lines."""
    with open(dump, encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
        for line in src:
            c = json.loads(line)
            parent = c["parent_id"]
            dst.write(json.dumps({"thread_id": c["link_id"][3:], "comment_id": c["id"],
                                  "parent_id": "" if parent.startswith("t3_") else parent[3:],
                                  "author": c["author"], "created_at": c["created_utc"], "text": c["body"]},
                                 ensure_ascii=False) + "\n")


def build_wxr(base: Path, target_bytes: int, out: Path) -> int:
    """A large WordPress export: the commented posts of the theme unit test data, post and
    comment ids renumbered per copy, until *out* holds *target_bytes*."""
    src = (base / "wxr" / "fixtures-wordpress-importer" / "theme-unit-test-data.xml").read_text(encoding="utf-8")
    head, rest = src.split("<item>", 1)
    items = ["<item>" + it.split("</item>", 1)[0] + "</item>" for it in ("<item>" + rest).split("<item>")[1:]]
    items = [it for it in items if "<wp:comment>" in it]
    n = copies = 0
    with open(out, "w", encoding="utf-8") as fh:
        fh.write(head)
        while fh.tell() < target_bytes:
            for it in items:
                shift = lambda m: f"{m.group(1)}{int(m.group(2)) + 100000 * (copies + 1)}{m.group(3)}"  # noqa: E731
                it = re.sub(r"(<wp:(?:comment_id|post_id)>)(\d+)(</wp:)", shift, it)
                it = re.sub(r"(<wp:comment_parent>)([1-9]\d*)(</wp:)", shift, it)
                fh.write(it + "\n")
                n += it.count("<wp:comment>")
            copies += 1
        fh.write("</channel></rss>\n")
    return n


def _run(script: str, path: Path, env) -> list[str]:
    return subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True,
                          env=env).stdout.split()


def part2(base: Path, target_mb: int = 100) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "reddit-dump.jsonl"
        n, copies = build_dump(base, target_mb * 2**20, dump)
        contract = Path(tmp) / "contract.jsonl"
        to_contract(dump, contract)
        wxr = Path(tmp) / "big-export.xml"
        n_wxr = build_wxr(base, target_mb * 2**20, wxr)
        root = Path(__file__).resolve().parent.parent
        env = dict(os.environ, PYTHONPATH=str(root))
        names = {dump: "Reddit dump (reddit-jsonl)", contract: "contract table (jsonl)", wxr: "WordPress export (wxr)"}
        for path in (dump, contract, wxr):
            took, rss, seen, kept, threads, balanced = _run(_READ, path, env)
            btook, brss, _ = _run(_BASE if path != wxr else _BASE_XML, path, env)
            rows.append({"input": names[path],
                         "file MB": round(path.stat().st_size / 2**20, 1), "comments": n if path != wxr else n_wxr,
                         "threads": int(threads),
                         "seen": int(seen), "kept": int(kept), "balanced": balanced == "1",
                         "seconds": round(float(took), 1), "peak RSS MB": round(int(rss) / 1024),
                         "baseline seconds": round(float(btook), 1), "baseline peak RSS MB": round(int(brss) / 1024),
                         "x baseline time": round(float(took) / float(btook), 1)})
    return rows


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    base = data_dir("formats")
    rows = part1(base)
    cols = ["file", "format", "threads", "seen", "kept", "links", "explicit kept", "skipped", "repaired",
            "not downloaded", "seconds", "x bare parse", "expected", "agrees"]
    print(markdown_table(rows, cols))
    bad = [r["file"] for r in rows if not r["balanced"] or r["agrees"].startswith("NO") or " NO" in r["agrees"]]
    print(f"\n{len(rows)} sources, {sum(r['kept'] for r in rows)} comments kept; "
          f"{'all balanced and agreeing with SOURCE.md' if not bad else 'DISAGREE: ' + ', '.join(bad)}")
    others = left_out(base, rows)
    print(f"\n{len(others)} other files under formats, not read on their own:")
    for o in others:
        print(f"  {o['file']}: {o['why']}")
    if "--readme" in argv:
        write_readme(readme_table(rows, others))
        print("README.md ingest table rewritten")
    big = None
    if "--no-big" not in argv:
        big = part2(base)
        print()
        print(markdown_table(big))
    save("ingest", {"files": rows, "left_out": others, "big": big})


if __name__ == "__main__":
    main()
