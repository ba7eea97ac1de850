"""Reports: sections, graceful absence, self-containment, escaping, atomic writes, golden structure.

The browser tests (a real Chromium) are in test_report_browser.py.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import discourse
from discourse.report import page_names, render_corpus, render_thread, report
from discourse.report.highlight import safe_url, segments
from discourse.report.view import anchor_ids, thread_view

from .conftest import XSS_PAYLOADS, synthetic_corpus

GOLDEN = Path(__file__).parent / "golden"
PIN = {"generated_at": "2026-01-01 00:00 UTC", "version": "0.0.test"}
THREAD_SECTIONS = ["overview", "post", "conversation", "sentiment", "frames", "debate", "civility", "topics",
                   "network", "heated", "methods"]


class Outline(HTMLParser):
    """Every start tag with its attributes, the text, and the script/style bodies."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.raw: dict = {"script": [], "style": []}
        self._in = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in = tag

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in:
            self.raw[self._in].append(data)
        else:
            self.text.append(data)

    def ids(self):
        return [a["id"] for _, a in self.tags if "id" in a]

    def all(self, tag, cls=None):
        return [a for t, a in self.tags if t == tag and (cls is None or cls in (a.get("class") or "").split())]


def outline(html: str) -> Outline:
    o = Outline()
    o.feed(html)
    return o


def section_text(html: str, section: str) -> str:
    m = re.search(rf'<section id="{section}".*?</section>', html, re.S)
    assert m, section
    return m.group(0)


# --------------------------------------------------------------------------- sections


def test_report_thread_renders_every_section_with_data(analysed_thread):
    html = render_thread(analysed_thread, **PIN)
    o = outline(html)
    for section in THREAD_SECTIONS:
        assert section in o.ids(), section
    for section in THREAD_SECTIONS[1:]:
        assert "Not computed" not in section_text(html, section), section
    assert len(o.all("li", "c")) == 40
    # charts: sentiment along the thread, branches, frames, debate, techniques, incivility, network, confidence
    charts = o.all("svg", "chart")
    assert len(charts) >= 8
    for svg in charts:
        assert svg.get("role") == "img" and svg.get("aria-labelledby")
    # every highlighted span explains itself
    marks = o.all("mark")
    assert marks and all("hl" in m["class"] for m in marks)
    assert html.count('<span class="tip">') >= len([m for m in marks if m.get("tabindex") == "0"])
    # inferred links say why
    assert "inferred link, confidence" in html and "addresses" in html


def test_report_sections_say_not_computed_when_data_is_absent(tiny_comments):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corpus = discourse.Corpus.from_frames(tiny_comments[tiny_comments["thread_id"] == "t1"])
    html = report(corpus, analyze=False, **PIN).html
    for section, what in [("sentiment", "sentiment"), ("frames", "frames"), ("debate", "the frame debate"),
                          ("civility", "techniques and incivility"), ("topics", "topics"), ("heated", "heated exchanges")]:
        assert f"Not computed: {what}." in section_text(html, section), section
    assert "Who answers whom" in html
    assert len(outline(html).all("li", "c")) == 5


def test_report_partial_analysis_renders(analysed_thread):
    # Only sentiment: the other sections are absent, and nothing fails.
    c = analysed_thread.comments.drop(columns=["frames", "techniques", "incivility", "topic_id", "topic_label"])
    html = render_thread(analysed_thread.replace(comments=c, spans=None, extras={}), **PIN)
    assert "Not computed: frames." in html and "Not computed: topics." in html
    assert "Not computed: sentiment" not in html


def test_report_seed_reads_and_tells_how(seed_analysed):
    html = render_thread(seed_analysed, **PIN)
    o = outline(html)
    assert len(o.all("li", "c")) == 22
    assert "read as page (like-buttons layout)" in html
    assert "soulless turds" in html and "Steve Zimmer has been on the Los Angeles Unified School Board" in html


def test_report_reconstruction_counts_links_by_where_they_go(seed_analysed):
    c = seed_analysed.comments
    to_comment = int((c["parent_id"].fillna("") != "").sum())
    html = render_thread(seed_analysed, **PIN)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert 0 < to_comment < 22
    assert (f"22 were inferred: {to_comment} to an earlier comment (the cue that decided each is shown beside it) "
            f"and {22 - to_comment} to the post") in text
    assert f"mean confidence {c['parent_confidence'].mean():.2f}" in text


def test_report_link_badge_states_the_confidence_once(seed_analysed):
    html = render_thread(seed_analysed, **PIN)
    badges = re.findall(r'<span class="badge cued">(.*?)</span>\s*$', html, flags=re.M)
    assert len(badges) == 22
    for b in badges:
        assert b.count("confidence") == 1, b


@pytest.mark.parametrize("authors, text", [
    (["Duane", ""], "Duane and an unnamed speaker"),
    (["", ""], "unnamed speakers"),
    (["Cy", "Ann", "Bo", "Ann"], "Ann, Bo and Cy"),
    (["Ann", "Ann"], ""),
])
def test_report_exchange_says_who_it_is_between(authors, text):
    from discourse.report.view import _between

    assert _between([{"author": a} for a in authors]) == text


def test_report_technique_table_shows_the_marked_words(seed_analysed):
    html = render_thread(seed_analysed, **PIN)
    row = re.search(r'<tr><th scope="row">reductio ad Hitlerum</th>(.*?)</tr>', html).group(1)
    assert 'href="#c-c13"' in row and "<q>Good Germans</q>" in row


def test_report_comments_without_a_topic_are_named_and_listed_last(seed_analysed):
    html = render_thread(seed_analysed, **PIN)
    table = html[html.index('<table class="topics">'):]
    table = table[:table.index("</table>")]
    labels = re.findall(r'<tr><th scope="row">(.*?)</th>', table)
    assert seed_analysed.comments["topic_id"].eq(-1).any()
    assert labels[-1] == "no topic" and "" not in labels


@pytest.mark.parametrize("tid, label, shown", [(-1, "", "no topic"), (-1, None, "no topic"), (3, "", "topic 3"),
                                               (2, "war metaphor", "war metaphor")])
def test_report_topic_name(tid, label, shown):
    from discourse.report.view import _topic_name

    assert _topic_name(tid, label) == shown


def test_report_over_time_spaces_months_as_on_a_calendar():
    import numpy as np

    from discourse.report.view import _over_time

    c = pd.DataFrame({"created_at": pd.to_datetime(["2020-01-05", "2020-02-05", "2022-01-05"], utc=True),
                      "sentiment_compound": [0.5, -0.5, 0.0]})
    has = {"created_at": True, "frames": False, "topic_id": False, "sentiment_compound": True}
    t = _over_time(c, np.array([[], [], []], dtype=object), has)
    assert t["months"] == ["2020-01", "2020-02", "2022-01"]
    # Two years between the last two months: the last point sits at x = 24, not 2.
    xs = [float(x) for x in re.findall(r'<circle cx="([0-9.]+)"', str(t["sent_chart"]))]
    assert len(xs) == 3 and (xs[2] - xs[1]) == pytest.approx(23 * (xs[1] - xs[0]), rel=0.01)

# --------------------------------------------------------------------------- self-contained, CSP


def test_report_is_self_contained_and_script_is_hashed(analysed_thread):
    html = render_thread(analysed_thread, **PIN)
    o = outline(html)
    assert not o.all("link") and not o.all("img") and not o.all("iframe")
    assert all("src" not in a for _, a in o.tags)
    css = "".join(o.raw["style"])
    assert "url(" not in css and "@import" not in css and "@font-face" not in css
    scripts = o.all("script")
    assert len(scripts) == 1
    js = "".join(o.raw["script"])
    digest = "sha256-" + base64.b64encode(hashlib.sha256(js.encode()).digest()).decode()
    csp = next(a["content"] for t, a in o.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert f"script-src '{digest}'" in csp
    assert csp.startswith("default-src 'none'") and "connect-src" not in csp


# --------------------------------------------------------------------------- safety


@pytest.fixture(scope="module")
def xss_html():
    corpus = synthetic_corpus(30, n_threads=1, seed=3, xss=XSS_PAYLOADS)
    return render_thread(corpus, **PIN), corpus


def test_report_xss_corpus_renders_as_text(xss_html):
    html, corpus = xss_html
    o = outline(html)
    assert len(o.all("script")) == 1  # our own
    for tag, attrs in o.tags:
        assert tag not in ("img", "iframe", "link", "base", "form", "object", "embed", "math", "style") or tag == "style" and not attrs
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            if name in ("href", "src", "action", "xlink:href"):
                assert value.startswith(("#", "https://", "http://")), (tag, name, value)
                assert "javascript" not in value.lower() and not value.lower().startswith("data:")
        if tag == "meta":
            assert attrs.get("http-equiv") in (None, "Content-Security-Policy")
    assert len(o.all("style")) == 1
    # The payloads are visible as text: comment bodies, author names, the title.
    text = "".join(o.text)
    assert "<script>window.__xss=1</script>" in text
    assert "{{ 7*7 }}{% raw %}{{ config }}" in text and "49" not in text.split("{{ 7*7 }}")[0][-3:]
    assert corpus.threads["title"].iloc[0] in text
    # No data inside the script or the stylesheet.
    assert "__xss" not in "".join(o.raw["script"]) + "".join(o.raw["style"])


def test_report_unsafe_thread_url_is_not_linked(xss_html):
    html, corpus = xss_html
    url = corpus.threads["url"].iloc[0]
    assert not safe_url(url)
    assert "original address (not linked)" in html


@pytest.mark.parametrize(
    "url, ok",
    [
        ("https://example.org/a?b=1#c", True),
        ("http://example.org", True),
        ("HTTPS://EXAMPLE.ORG/", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        (" https://example.org", False),
        ("java\nscript:alert(1)", False),
        ("data:text/html,<b>x</b>", False),
        ("vbscript:msgbox", False),
        ("//example.org/x", False),
        ("/relative/path", False),
        ("https://", False),
        ('https://example.org/"onmouseover="x', False),
        ("https://exa mple.org", False),
        ("https://example.org/\u0085", False),
        ("", False),
        (None, False),
    ],
)
def test_report_safe_url(url, ok):
    assert safe_url(url) == (url if ok else "")


# --------------------------------------------------------------------------- highlights


_span = st.tuples(st.integers(0, 40), st.integers(0, 40), st.sampled_from(["frame", "quote", "technique", "incivility", "sentence"]))


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=40), raw=st.lists(_span, max_size=6))
def test_report_segments_cover_the_text_exactly(text, raw):
    spans = [{"kind": k, "label": "x", "start": a, "end": b, "text": text[a:b], "sense": "", "explanation": ""} for a, b, k in raw]
    segs, bad = segments(text, spans)
    assert "".join(s["text"] for s in segs) == text
    valid = [s for s in spans if s["kind"] != "sentence" and 0 <= s["start"] < s["end"] <= len(text)]
    assert bad == len([s for s in spans if s["kind"] != "sentence"]) - len(valid)
    for s in segs:
        assert bool(s["classes"]) == bool(s["tip"])


def test_report_segments_skip_spans_whose_text_does_not_match():
    segs, bad = segments("We are at war.", [{"kind": "frame", "label": "war", "start": 0, "end": 3, "text": "war",
                                              "sense": "", "explanation": ""}])
    assert bad == 1 and segs == [{"text": "We are at war.", "classes": "", "tip": "", "href": ""}]


def test_report_bad_spans_are_counted_not_shown(analysed_thread):
    spans = analysed_thread.spans.copy()
    spans.loc[spans.index[0], "start"] += 1
    v = thread_view(analysed_thread.replace(spans=spans))
    assert v["bad_spans"] == 1


@given(st.lists(st.text(min_size=1, max_size=12), max_size=20, unique=True))
def test_report_anchor_ids_are_unique_and_safe(ids):
    anchors = anchor_ids(ids)
    assert len(set(anchors.values())) == len(ids)
    assert all(re.fullmatch(r"c-[A-Za-z0-9_.-]+", a) for a in anchors.values())


def test_report_page_names_are_safe_and_unique():
    names = page_names(["a/../../etc", "A", "a", "<script>", ""], "x-threads")
    assert len(set(names.values())) == 5
    for name in names.values():
        assert re.fullmatch(r"x-threads/[a-z0-9-]+\.html", name), name


# --------------------------------------------------------------------------- tree, paging


def test_report_tree_nests_replies_and_pages_long_threads():
    corpus = synthetic_corpus(1200, seed=4, topics=False, frame_debate=False)
    html = render_thread(corpus, page_size=500, **PIN)
    o = outline(html)
    pages = o.all("details", "page")
    assert len(pages) >= 3
    assert "open" in pages[0] and all("open" not in p for p in pages[1:])
    assert len(o.all("li", "c")) == 1200
    assert '<html lang="en" class="big">' in html
    # nesting: each details.kids holds an <ol>; balanced tags
    assert html.count("<details class=\"kids\"") == html.count("</ol></details></li>")


def test_report_branch_order_follows_the_source():
    comments = pd.DataFrame({"comment_id": ["a", "b", "c", "d"], "parent_id": ["", "a", "", "a"],
                             "text": ["first", "reply to a", "second", "another reply to a"]})
    corpus = discourse.Corpus.from_frames(comments)
    v = thread_view(corpus)
    order = [e["c"]["id"] for e in v["tree"]["pages"][0]["events"] if e["t"] == "open"]
    assert order == ["a", "b", "d", "c"]
    assert [e["t"] for e in v["tree"]["pages"][0]["events"]] == ["open", "open", "open", "close", "open"]


# --------------------------------------------------------------------------- corpus report


def test_report_corpus_writes_linked_thread_pages(analysed_threads, tmp_path):
    out = tmp_path / "all.html"
    page = report(analysed_threads, out, **PIN)
    assert len(page.pages) == 5
    o = outline(out.read_text(encoding="utf-8"))
    for section in ("overview", "distributions", "frames", "time", "topics", "heated", "threads", "methods"):
        assert section in o.ids()
    links = [a["href"] for a in o.all("a") if a.get("href", "").endswith(".html")]
    assert links and all((tmp_path / h).exists() for h in links)
    thread_page = (tmp_path / links[0]).read_text(encoding="utf-8")
    assert 'href="../all.html"' in thread_page
    assert "Not computed" not in out.read_text(encoding="utf-8")


def test_report_corpus_without_analysis_renders(tiny_comments):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corpus = discourse.Corpus.from_frames(tiny_comments)
    html = render_corpus(corpus, **PIN)
    assert "Not computed: sentiment." in html and "Not computed: frames." in html
    assert "2 threads" in html


# --------------------------------------------------------------------------- writing, notebook, templates


def test_report_write_is_atomic(analysed_thread, tmp_path, monkeypatch):
    out = tmp_path / "r.html"
    out.write_text("previous report", encoding="utf-8")

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        report(analysed_thread, out, **PIN)
    assert out.read_text(encoding="utf-8") == "previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_report_output_is_reproducible_when_pinned(analysed_thread):
    assert render_thread(analysed_thread, **PIN) == render_thread(analysed_thread, **PIN)


def test_report_displays_in_a_notebook(analysed_thread):
    page = report(analysed_thread, **PIN)
    shown = page._repr_html_()
    assert shown.startswith("<iframe srcdoc=\"") and "<script>" not in shown
    corpus_html = analysed_thread._repr_html_()
    assert "40 comments" in corpus_html and "sentiment_compound" in corpus_html
    assert "<script" not in corpus_html


def test_report_user_templates_come_first(analysed_thread, tmp_path):
    (tmp_path / "_legend.html.j2").write_text("<p id=\"my-legend\">{{ v.title }}</p>\n", encoding="utf-8")
    html = render_thread(analysed_thread, template_dir=tmp_path, **PIN)
    assert '<p id="my-legend">Runoff thread 1: what went wrong?</p>' in html


def test_report_cli_writes_corpus_report(tmp_path, analysed_threads):
    from click.testing import CliRunner

    from discourse.cli import cli

    table = tmp_path / "in.csv"
    analysed_threads.comments[["thread_id", "comment_id", "parent_id", "author", "text"]].to_csv(table, index=False)
    result = CliRunner().invoke(cli, ["report", str(table), "-o", str(tmp_path / "out.html"), "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.html").exists()
    assert len(list((tmp_path / "out-threads").glob("*.html"))) == 5


# --------------------------------------------------------------------------- golden


def _golden_main(html: str) -> str:
    main = html[html.index("<main"):html.index("</main>") + len("</main>")]
    return main + "\n"


def test_report_golden_structure(analysed_thread):
    """The <main> of a small pinned report. Rewrite with DISCOURSE_UPDATE_GOLDEN=1 after a deliberate change."""
    small = synthetic_corpus(8, seed=5)
    got = _golden_main(render_thread(small, **PIN))
    path = GOLDEN / "report-thread-main.html"
    if os.environ.get("DISCOURSE_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert path.exists(), "run once with DISCOURSE_UPDATE_GOLDEN=1 to create the golden file"
    assert got == path.read_text(encoding="utf-8")
    o = outline(got)
    assert [i for i in o.ids() if i in THREAD_SECTIONS] == THREAD_SECTIONS
    assert len(o.all("li", "c")) == 8


def test_report_package_is_callable_like_the_function(analysed_thread):
    import discourse.report as package

    assert callable(package)
    assert package(analysed_thread, **PIN).html == report(analysed_thread, **PIN).html


def test_report_thread_pages_match_single_thread_rendering(analysed_threads):
    # Splitting the corpus per thread once must give the same page as filtering it.
    page = report(analysed_threads, **PIN)
    name = sorted(page.pages)[1]
    tid = analysed_threads.threads["thread_id"].iloc[1]
    assert page.pages[name] == render_thread(analysed_threads, tid, back="../report.html", **PIN)


def test_report_thread_without_comments_renders(analysed_threads):
    threads = pd.concat([analysed_threads.threads, analysed_threads.threads.iloc[:1].assign(thread_id="empty", title="Nobody came")],
                        ignore_index=True)
    corpus = analysed_threads.replace(threads=threads)
    page = report(corpus, **PIN)
    empty = next(html for name, html in page.pages.items() if name.endswith("/empty.html"))
    assert "Nobody came" in empty and "Not computed: sentiment." in empty


def test_report_runs_in_a_notebook(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import pandas as pd, discourse\n"
                                  "c = discourse.Corpus.from_frames(pd.DataFrame({'comment_id': ['1', '2'], 'parent_id': ['', '1'],\n"
                                  "    'text': ['We must fight for our schools.', '<b>Agreed</b>']}))\nc"),
        nbformat.v4.new_code_cell("discourse.report(c)"),
    ]
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    corpus_out, report_out = (cell.outputs[0]["data"]["text/html"] for cell in nb.cells)
    assert "Corpus(1 thread, 2 comments" in corpus_out and "&lt;b&gt;Agreed&lt;/b&gt;" in corpus_out
    assert report_out.startswith("<iframe srcdoc=") and "<b>Agreed</b>" not in report_out


@pytest.mark.parametrize("url, linked", [("https://example.org/x", True), ("javascript:alert(1)", False),
                                         ("data:text/html,<script>alert(1)</script>", False),
                                         ('https://example.org/"onmouseover="alert(1)', False)])
def test_report_url_spans_link_only_http(url, linked):
    text = f"see {url} now"
    segs, bad = segments(text, [{"kind": "url", "label": "link", "start": 4, "end": 4 + len(url), "text": url,
                                 "sense": "", "explanation": ""}])
    assert bad == 0
    link = next(s for s in segs if s["classes"])
    assert link["href"] == (url if linked else "")
    corpus = discourse.Corpus.from_frames(pd.DataFrame({"comment_id": ["1"], "text": [text]}))
    spans = pd.DataFrame([{"thread_id": "thread", "comment_id": "1", "kind": "url", "label": "link", "start": 4,
                           "end": 4 + len(url), "text": url, "sense": "", "explanation": ""}])
    html = render_thread(corpus.replace(spans=spans), **PIN)
    hrefs = [a["href"] for a in outline(html).all("a")]
    assert (url in hrefs) is linked
    assert not any(h.lower().startswith(("javascript", "data")) for h in hrefs)


def test_report_ids_are_unique_and_fragment_links_resolve(analysed_thread, analysed_threads):
    for html in (render_thread(analysed_thread, **PIN), render_corpus(analysed_threads, **PIN)):
        o = outline(html)
        ids = o.ids()
        assert len(ids) == len(set(ids))
        targets = {a["href"][1:] for _, a in o.tags if a.get("href", "").startswith("#")}
        assert targets <= set(ids), targets - set(ids)


def test_report_survives_links_the_repair_step_never_saw():
    # A corpus built by hand (no from_frames): a reply cycle and a self-reply still render, once each.
    from discourse.model import Corpus, normalize_comments, normalize_threads

    comments = normalize_comments(pd.DataFrame({"comment_id": ["a", "b", "c", "d"], "parent_id": ["b", "a", "c", ""],
                                                "text": ["one", "two", "three", "four"]}))
    corpus = Corpus(threads=normalize_threads(None, comments), comments=comments)
    html = render_thread(corpus, **PIN)
    assert len(outline(html).all("li", "c")) == 4
    assert html.count('id="c-a"') == html.count('id="c-b"') == 1


def test_report_placeholder_names_are_not_one_speaker():
    comments = pd.DataFrame({"comment_id": list("abcde"), "parent_id": ["", "a", "b", "c", "d"],
                             "author": ["Ann", "[deleted]", "Bob", "[deleted]", "Ann"], "text": list("vwxyz")})
    v = thread_view(discourse.Corpus.from_frames(comments))
    assert v["network"]["speakers"] == 2 and v["network"]["unknown"] == 2
    assert v["network"]["pairs"] == [] and not v["network"]["available"]
    assert v["header"]["counts"]["speakers"] == 2


def test_report_frame_table_counts_every_sense_and_marks_frames_without_senses(seed_analysed):
    html = render_thread(seed_analysed, **PIN)
    head = re.search(r"<caption>Frame prevalence</caption>\s*<thead>(.*?)</thead>", html, re.S).group(1)
    assert "game terms" in head  # the seed's "avoidance strategies" are read in the game/strategy sense
    war = re.search(r'<tr><th scope="row">war</th>(.*?)</tr>', html).group(1)
    spans = seed_analysed.spans
    war_spans = spans[(spans["kind"] == "frame") & (spans["label"] == "war")]
    shown = [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', war)][1:]
    assert sum(shown) == len(war_spans) and (war_spans["sense"] == "game").sum() in shown
    public = re.search(r'<tr><th scope="row">public good</th>(.*?)</tr>', html).group(1)
    assert "not read for a sense" in public


def test_report_repaired_links_are_marked_and_counted():
    # An orphan (its parent is not in the data) answers the post only because it was repaired:
    # the report must not present it as a link the source stated to the post.
    c = discourse.Corpus.from_frames(pd.DataFrame({"comment_id": ["1", "2", "3"], "parent_id": ["", "1", "99"],
                                                   "text": ["We must win.", "Agreed.", "As I said above."]}))
    html = render_thread(discourse.analyze(c, topics="none"), **PIN)
    assert "3 reply links came from the source (1 of them named a parent that is not in the data" in html
    assert html.count("link repaired") == 2  # the count's sentence and comment 3's badge
    assert "parent 99 is not in the data (orphan); attached to the post" in html


def test_report_readers_see_frame_and_technique_names_not_identifiers(seed_analysed):
    # "public good", "loaded language", "reductio ad Hitlerum": never public_good or
    # loaded_language in the text, the charts or the tips a reader sees (ids stay in data-*).
    from discourse.civility import TECHNIQUES
    from discourse.framing import catalog, load_lexicons

    html = render_thread(seed_analysed, **PIN)
    o = outline(html)
    seen = " ".join(o.text) + " " + " ".join(a.get(k) or "" for _, a in o.tags for k in ("title", "aria-label", "label"))
    ids = set(catalog(load_lexicons())["frame"]) | set(TECHNIQUES) | set(seed_analysed.spans["label"])
    leaked = sorted(i for i in ids if "_" in i and re.search(rf"\b{i}\b", seen))
    assert not leaked, leaked
    for shown in ("public good", "loaded language", "reductio ad Hitlerum", "money in politics"):
        assert shown in seen
    assert 'data-frames="' in html and "public_good" in html  # the filter still works on the ids


def test_report_speaker_graph_height_follows_the_speakers_and_names_fit():
    from discourse.report import svg

    def drawn(k):
        names = [f"speaker_number_{i:02d}xyz"[:20] for i in range(k)]
        out = str(svg.network([(n, 1 + i) for i, n in enumerate(names)],
                              [(names[i], names[(i + 1) % k], 1) for i in range(k)], uid="n", title="t", desc="d"))
        width, height = map(int, re.search(r'width="(\d+)" height="(\d+)"', out).groups())
        labels = [(float(x), a) for x, a in re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="(\w+)"', out)]
        return width, height, labels

    heights = [drawn(k)[1] for k in (2, 3, 6, 16)]
    assert heights[0] < 100 and heights == sorted(heights) and heights[-1] <= 400
    for k in (2, 6, 16):
        width, _, labels = drawn(k)
        # 20 characters of 12 px type are about 130 px wide.
        assert all(x >= 130 for x, a in labels if a == "end") and all(x <= width - 130 for x, a in labels if a == "start")


def test_report_subjects_show_five_sentences_and_fold_the_rest():
    # A subject raised in 300 comments listed every sentence: a wall of quotes 27,000 px tall
    # on a Reddit thread. Five show; the rest are one click away, none dropped.
    fill = ["weather", "lunch", "traffic", "music", "football", "garden", "movies", "coffee"]
    texts = [f"The school budget cuts hurt, I think, and {fill[i % 8]} matters {i}." for i in range(14)] + \
            [f"My {fill[i % 8]} and {fill[(i + 3) % 8]} story number {i}." for i in range(14)]
    corpus = discourse.analyze(discourse.Corpus.from_frames(pd.DataFrame(
        {"comment_id": [f"k{i}" for i in range(len(texts))], "parent_id": "", "text": texts})))
    html = render_thread(corpus, **PIN)
    table = re.search(r'<table class="subjects">(.*?)</table>', html, re.S).group(1)
    rows = re.findall(r"<tr><th scope=\"row\">.*?</tr>", table, re.S)
    counts = [int(re.search(r'<td class="num">(\d+)</td>', r).group(1)) for r in rows]
    assert max(counts) > 6 and min(counts) <= 5
    for row, n in zip(rows, counts):
        shown, _, folded = row.partition('<details class="more">')
        assert shown.count('<p class="ex">') == min(n, 5)
        assert folded.count('<p class="ex">') == max(0, n - 5)
        if n > 5:
            assert f"{n - 5} more comment{'s' if n > 6 else ''} raising it" in folded


def test_report_bar_charts_show_every_technique_name_whole():
    # "exaggeration / minimisation" (27 characters) was cut to "exaggeration / minimisati…".
    from markupsafe import escape

    from discourse.civility import TECHNIQUES
    from discourse.lexicons import readable
    from discourse.report import svg

    names = [readable(t) for t in TECHNIQUES]
    out = str(svg.bar_chart([(n, 1) for n in names], uid="b", title="t", desc="d"))
    assert "…" not in out
    assert all(f">{escape(n)}</text>" in out for n in names)


def test_report_frame_debate_quotes_the_sentence_that_contests_the_frame(seed_analysed):
    # "#c8 talks about the frame and contests it (reject)" alone asks a teacher to go and look;
    # the sentence that contests the frame is the evidence.
    html = render_thread(seed_analysed, **PIN)
    contested = re.search(r'<li class="r-contested">(.*?)</li>', html, re.S).group(1)
    assert re.search(r">#c8</a>[^;]*<q>Public education is not a war\.</q>", contested)
    assert re.search(r">#c9</a>[^;]*<q>Still can’t agree with the war metaphor\.</q>", contested)
    meta = re.search(r'<li class="r-meta">(.*?)</li>', html, re.S).group(1)
    assert "<q>The war metaphor fits perfectly, Duane," in meta


def test_report_uncivil_count_leads_to_its_comments_and_says_how_many_are_listed(seed_analysed):
    # The overview's "uncivil comments 7" is a number a teacher will want to check: it links
    # to the list, and the list says when it shows only the most uncivil of them.
    html = render_thread(seed_analysed, **PIN)
    n = int(re.search(r'<dt>uncivil comments</dt><dd><a href="#uncivil">(\d+)</a></dd>', html).group(1))
    listed = re.search(r'<h3 id="uncivil">Most uncivil comments</h3>(.*?)</ul>', html, re.S).group(1)
    shown = listed.count("<li>")
    assert 0 < shown < n
    assert f"The {shown} most uncivil of the {n} comments at incivility 0.5 or above" in listed
