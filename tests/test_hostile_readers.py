"""Hostile input through every reader and the command line.

Each document is generated here (no big files in the repository). Every case must end in
a Corpus whose accounting holds (``seen == kept + skipped``, and every comment written is
kept or skipped with a reason) or in a DiscourseError naming the file; never a traceback,
a hang, unbounded memory, or a silently shorter table. The command line must answer such
a file with ``Error: ...`` and exit status 1.
"""

from __future__ import annotations

import html
from collections import Counter
import json
import tracemalloc
import warnings
from xml.sax.saxutils import escape as xml_escape

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import discourse
from discourse.cli import cli
from discourse.errors import DiscourseError, DiscourseWarning, InputFormatError
from discourse.ingest.detect import reader_for

# A comment is (id, parent id or "", author, text).


def _wxr(comments, title="Post"):
    items = "".join(
        f"<wp:comment><wp:comment_id>{xml_escape(i)}</wp:comment_id><wp:comment_author>{xml_escape(a)}</wp:comment_author>"
        f"<wp:comment_date_gmt>2021-03-01 10:00:00</wp:comment_date_gmt>"
        f"<wp:comment_content>{xml_escape(html.escape(t, quote=False))}</wp:comment_content>"
        f"<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>{xml_escape(p or '0')}</wp:comment_parent></wp:comment>"
        for i, p, a, t in comments)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><wp:wxr_version>1.2</wp:wxr_version>'
            f"<item><title>{xml_escape(title)}</title><wp:post_id>7</wp:post_id><wp:post_type>post</wp:post_type>"
            f"<content:encoded>The post.</content:encoded>{items}</item></channel></rss>")


def _disqus(comments, title="Post"):
    posts = "".join(
        f'<post dsq:id="{xml_escape(i)}"><id/><message>{xml_escape(html.escape(t, quote=False))}</message>'
        f"<createdAt>2021-03-01T10:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>"
        f"<author><name>{xml_escape(a)}</name></author>"
        f'<thread dsq:id="1"/>' + (f'<parent dsq:id="{xml_escape(p)}"/>' if p else "") + "</post>"
        for i, p, a, t in comments)
    return ('<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
            'xmlns:dsq="http://disqus.com/disqus-internals">'
            f'<thread dsq:id="1"><link>http://example.org/p</link><title>{xml_escape(title)}</title></thread>{posts}</disqus>')


def _wp_rest(comments, title="Post"):
    return json.dumps([{"id": int(i) if i.isdigit() else i, "post": 7, "parent": int(p) if p.isdigit() else (p or 0),
                        "author_name": a, "date_gmt": "2021-03-01T10:00:00",
                        "content": {"rendered": "<p>" + html.escape(t, quote=False) + "</p>"},
                        "status": "approved", "type": "comment"} for i, p, a, t in comments])


def _reddit(comments, title="Post"):
    """Each comment nested under the first comment carrying its parent id, when that does
    not close a loop; every other comment at the top level. Every comment is written once."""
    def node(i, p, a, t):
        return {"kind": "t1", "data": {"id": i, "name": f"t1_{i}", "parent_id": f"t1_{p}" if p else "t3_p", "author": a,
                                       "body": t, "created_utc": 1600000000, "replies": ""}}

    nodes = [node(*c) for c in comments]
    first = {}
    for k, c in enumerate(comments):
        first.setdefault(c[0], k)
    holder = list(range(len(comments)))  # k -> the top-level comment its subtree hangs from
    top = []
    for k, (i, p, a, t) in enumerate(comments):
        j = first.get(p)
        if p and j is not None and j < k and holder[j] != k:
            parent = nodes[j]["data"]
            if not parent["replies"]:
                parent["replies"] = {"kind": "Listing", "data": {"children": []}}
            parent["replies"]["data"]["children"].append(nodes[k])
            holder[k] = holder[j]
        else:
            top.append(nodes[k])
    post = {"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {
        "id": "p", "name": "t3_p", "title": title, "selftext": "", "author": "op", "created_utc": 1600000000}}]}}
    return json.dumps([post, {"kind": "Listing", "data": {"children": top}}])


def _reddit_jsonl(comments, title="Post"):
    lines = [{"id": "p", "name": "t3_p", "title": title, "selftext": "", "author": "op", "created_utc": 1600000000}]
    lines += [{"id": i, "parent_id": f"t1_{p}" if p else "t3_p", "link_id": "t3_p", "author": a, "body": t,
               "created_utc": 1600000000} for i, p, a, t in comments]
    return "\n".join(json.dumps(x) for x in lines) + "\n"


def _hn(comments, title="Post"):
    items = [{"id": 1, "type": "story", "by": "op", "time": 1591012800, "title": title}]
    items += [{"id": i, "type": "comment", "by": a, "time": 1591012900, "text": html.escape(t, quote=False),
               "parent": p or 1} for i, p, a, t in comments]
    return "\n".join(json.dumps(x) for x in items) + "\n"


def _commento(comments, title="Post"):
    return json.dumps({"version": 1, "comments": [
        {"commentHex": i, "domain": "example.org", "url": "/p", "commenterHex": a or "anonymous", "markdown": t,
         "html": "", "parentHex": p or "root", "score": 0, "state": "approved",
         "creationDate": "2021-03-12T11:21:56Z", "deleted": False} for i, p, a, t in comments],
        "commenters": [{"commenterHex": a, "name": a} for a in {c[2] for c in comments if c[2]}]})


def _jsonl(comments, title="Post"):
    return "".join(json.dumps({"thread_id": "t", "comment_id": i, "parent_id": p, "author": a, "text": t}) + "\n"
                   for i, p, a, t in comments)


def _wp_html(comments, title="Post"):
    def li(i, a, t):
        return (f'<li id="comment-{html.escape(i)}" class="comment"><article class="comment-body"><footer class="comment-meta">'
                f'<div class="comment-author vcard"><b class="fn">{html.escape(a)}</b> <span class="says">says:</span></div>'
                f'</footer><div class="comment-content"><p>{html.escape(t)}</p></div></article></li>')
    body = "".join(li(i, a, t) for i, _, a, t in comments)
    return (f"<!doctype html><html><head><title>{html.escape(title)}</title></head><body><article>"
            f'<h1 class="entry-title">{html.escape(title)}</h1><div class="entry-content"><p>Post.</p></div></article>'
            f'<div id="comments"><ol class="comment-list">{body}</ol></div></body></html>')


def _convokit(comments, title="Post"):
    lines = [{"id": "p", "conversation_id": "p", "text": title, "speaker": "op", "reply-to": None, "timestamp": 0}]
    lines += [{"id": i, "conversation_id": "p", "text": t, "speaker": a or "anon", "reply-to": p or "p", "timestamp": 60}
              for i, p, a, t in comments]
    return "\n".join(json.dumps(x) for x in lines) + "\n"


#: format -> (builder, file name, text kept exactly as written?)
BUILDERS = {
    "wxr": (_wxr, "export.xml", False),
    "disqus": (_disqus, "disqus.xml", False),
    "wp-rest": (_wp_rest, "comments.json", False),
    "wp-html": (_wp_html, "page.html", False),
    "reddit": (_reddit, "thread.json", True),
    "reddit-jsonl": (_reddit_jsonl, "dump.jsonl", True),
    "hn": (_hn, "items.jsonl", False),
    "commento": (_commento, "commento.json", True),
    "convokit": (_convokit, None, True),
    "jsonl": (_jsonl, "comments.jsonl", True),
}
# Formats whose source states reply links (wp-html nests them, which a generator cannot break).
LINKED = sorted(set(BUILDERS) - {"wp-html"})


def _write(tmp_path, fmt, comments, title="Post"):
    build, name, _ = BUILDERS[fmt]
    doc = build(comments, title=title)
    if name is None:
        folder = tmp_path / "ck"
        folder.mkdir()
        (folder / "utterances.jsonl").write_text(doc, encoding="utf-8")
        return folder
    path = tmp_path / name
    path.write_text(doc, encoding="utf-8")
    return path


def _read(path, fmt):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiscourseWarning)
        return reader_for(fmt)(path)


def _accounted(corpus, written):
    """Every comment written is kept or skipped with a reason; the table holds what was kept."""
    for r in corpus.ingest:
        assert r.balanced, r
    kept = sum(r.kept for r in corpus.ingest)
    skipped = sum(sum(r.skipped.values()) for r in corpus.ingest)
    assert len(corpus.comments) == kept
    assert kept + skipped >= written, (kept, skipped, written)


def _flat(s):
    return "".join(s.split())


ODD_TEXTS = [
    "🎉🎉🎉",
    "\u202eRight-to-left override\u202c and עברית and العربية",
    "control \x01\x02\x07 chars",
    "<script>alert(1)</script> **markdown** [link](javascript:alert(1)) <img src=x onerror=alert(1)>",
    "{{ 7*7 }} {% raw %} ${7*7} <!-- comment --> ]]> <![CDATA[x]]>",
    "zero\u200bwidth\ufeffjoiners and combining e\u0301",
]


@pytest.mark.parametrize("fmt", sorted(BUILDERS))
@pytest.mark.parametrize("text", ODD_TEXTS, ids=range(len(ODD_TEXTS)))
def test_hostile_readers_odd_text_is_kept(tmp_path, fmt, text):
    comments = [("11", "", "Ann", text), ("12", "11", "Bob \u202eevil", "plain")]
    corpus = _read(_write(tmp_path, fmt, comments, title=text), fmt)
    _accounted(corpus, 2)
    assert len(corpus.comments) == 2
    got = corpus.comments.sort_values("comment_id")["text"].tolist()
    if BUILDERS[fmt][2]:
        assert got == [text, "plain"]
    else:
        # Formats carrying HTML: the markup written as text comes back as text, every
        # visible character kept (XML cannot carry C0 controls, which may be dropped).
        def visible(s):
            return _flat("".join(ch for ch in s if ch >= " " or ch in "\t\n"))
        assert [visible(t) for t in got] == [visible(text), "plain"]


@pytest.mark.parametrize("fmt", sorted(BUILDERS))
@pytest.mark.parametrize("text", ["", "   \t  ", "\n\n"], ids=["empty", "spaces", "newlines"])
def test_hostile_readers_blank_comments_are_counted(tmp_path, fmt, text):
    comments = [("11", "", "Ann", text), ("12", "", "Bob", "words")]
    corpus = _read(_write(tmp_path, fmt, comments), fmt)
    _accounted(corpus, 2)


@pytest.mark.parametrize("fmt", LINKED)
@pytest.mark.parametrize(
    "case,comments",
    [
        ("self-parent", [("11", "11", "a", "me"), ("12", "", "b", "x")]),
        ("cycle", [("11", "12", "a", "x"), ("12", "11", "b", "y"), ("13", "", "c", "z")]),
        ("long-cycle", [(str(10 + i), str(10 + (i + 1) % 50), "a", "x") for i in range(50)] + [("99", "", "b", "y")]),
        ("duplicate-ids", [("11", "", "a", "first"), ("11", "", "b", "second"), ("12", "11", "c", "z")]),
        ("orphan", [("11", "", "a", "x"), ("12", "404", "b", "y")]),
    ],
)
def test_hostile_readers_broken_links_are_repaired_and_counted(tmp_path, fmt, case, comments):
    try:
        corpus = _read(_write(tmp_path, fmt, comments), fmt)
    except DiscourseError:
        return
    _accounted(corpus, len(comments))
    c = corpus.comments
    assert (c["parent_id"] != c["comment_id"]).all()
    # The repaired links form a forest: following parents always ends at the post.
    parent = dict(zip(zip(c["thread_id"], c["comment_id"]), c["parent_id"]))
    for (t, i) in parent:
        seen = set()
        while i:
            assert i not in seen, f"cycle left through {i}"
            seen.add(i)
            i = parent.get((t, i), "")


@pytest.mark.parametrize("fmt", LINKED)
def test_hostile_readers_long_chain(tmp_path, fmt):
    n = 2_000
    comments = [(str(100 + i), str(99 + i) if i else "", "a", f"c{i}") for i in range(n)]
    if fmt == "reddit":
        # A listing nests each reply inside its parent; built as text, as json.dumps recurses.
        path = tmp_path / "deep.json"
        path.write_text(_reddit([]).rsplit('"children": []', 1)[0] + '"children": ' + "".join(
            '[{"kind": "t1", "data": {"id": "c%d", "parent_id": "%s", "author": "a", "body": "c%d", '
            '"created_utc": 1600000000, "replies": {"kind": "Listing", "data": {"children": ' % (i, f"t1_c{i - 1}" if i else "t3_p", i)
            for i in range(n)) + "[]" + "}}}}]" * n + "}}]")
    else:
        path = _write(tmp_path, fmt, comments)
    try:
        corpus = _read(path, fmt)
    except InputFormatError as err:
        # Nested formats (Reddit) cannot hold a chain this deep for Python's JSON parser.
        assert "nested too deeply" in str(err)
        assert fmt == "reddit"
        return
    _accounted(corpus, n)
    assert len(corpus.comments) == n
    from discourse.graph import add_depth

    assert add_depth(corpus.comments)["depth"].max() == n


@pytest.mark.parametrize("fmt", sorted(BUILDERS))
def test_hostile_readers_post_without_comments(tmp_path, fmt):
    path = _write(tmp_path, fmt, [])
    try:
        corpus = _read(path, fmt)
    except InputFormatError as err:
        assert str(path) in str(err)
    else:
        _accounted(corpus, 0)
        assert len(corpus.comments) == 0


@pytest.mark.parametrize("fmt", sorted(BUILDERS))
def test_hostile_readers_every_truncation_is_clean(tmp_path, fmt):
    comments = [("11", "", "Ann", "first 🎉"), ("12", "11", "Bob", "second"), ("13", "", "Cy", "third")]
    path = _write(tmp_path, fmt, comments)
    target = path / "utterances.jsonl" if path.is_dir() else path
    data = target.read_bytes()
    for cut in sorted({1, 2, 10, len(data) // 3, len(data) // 2, len(data) - 3, len(data) - 1}):
        target.write_bytes(data[:cut])
        try:
            corpus = _read(path, fmt)
        except DiscourseError:
            continue
        for r in corpus.ingest:
            assert r.balanced


_JSON_FORMATS = ["reddit", "hn", "wp-rest", "commento", "jsonl", "reddit-jsonl"]


@pytest.mark.parametrize("fmt", _JSON_FORMATS)
@pytest.mark.parametrize("doc", ["[" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000], ids=["arrays", "objects"])
def test_hostile_readers_deep_json_is_an_error_not_a_crash(tmp_path, fmt, doc):
    """Regression (fuzzing and this suite): nesting past the JSON parser's depth raised RecursionError."""
    path = tmp_path / ("x.jsonl" if "jsonl" in fmt else "x.json")
    path.write_text(doc)
    try:
        corpus = _read(path, fmt)
    except InputFormatError as err:
        assert "nested too deeply" in str(err) and str(path) in str(err)
    else:
        assert sum(r.skipped.get("unparseable", 0) for r in corpus.ingest) == 1
        assert len(corpus.comments) == 0


# XML attacks: entity expansion and external references are refused before any expansion.
_ENTITIES = {
    "billion-laughs": '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + k)} "{("&" + chr(97 + k) + ";") * 10}">' for k in range(9)) + "]>",
    "external-file": '<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>',
    "external-parameter": '<!DOCTYPE r [<!ENTITY % p SYSTEM "file://{secret}"> %p;]>',
    "external-url": '<!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>',
    "huge-entity": '<!DOCTYPE r [<!ENTITY x "' + "A" * 2_000_000 + '">]>',
}


@pytest.mark.parametrize("fmt", ["wxr", "disqus"])
@pytest.mark.parametrize("attack", sorted(_ENTITIES))
@pytest.mark.parametrize("given_format", [True, False], ids=["given", "detected"])
def test_hostile_readers_xml_entities_are_refused(tmp_path, fmt, attack, given_format):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    ref = "&j;" if attack == "billion-laughs" else ("" if attack == "external-parameter" else "&x;")
    doc = BUILDERS[fmt][0]([("11", "", "Ann", "REF")])
    doc = doc.replace("REF", ref)
    head, body = doc.split("\n", 1)
    path = tmp_path / "attack.xml"
    path.write_text(head + "\n" + _ENTITIES[attack].replace("{secret}", str(secret)) + "\n" + body)
    tracemalloc.start()
    try:
        with pytest.raises(InputFormatError) as info:
            if given_format:
                _read(path, fmt)
            else:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DiscourseWarning)
                    discourse.read(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "TOPSECRET" not in str(info.value)
    assert peak < 500 * 2**20


def test_hostile_readers_xml_deep_elements_are_bounded(tmp_path):
    doc = _wxr([("11", "", "Ann", "hi")]).replace("<channel>", "<channel>" + "<a>" * 50_000 + "</a>" * 50_000)
    path = tmp_path / "deep.xml"
    path.write_text(doc)
    tracemalloc.start()
    try:
        corpus = _read(path, "wxr")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert corpus.comments["text"].tolist() == ["hi"]
    assert peak < 500 * 2**20


@pytest.mark.parametrize("fmt", ["wxr", "disqus"])
@pytest.mark.parametrize("encoding", ["latin-1", "utf-16", "cp1252"])
def test_hostile_readers_xml_declared_or_wrong_encodings(tmp_path, fmt, encoding):
    doc = BUILDERS[fmt][0]([("11", "", "Ann", "café, naïve")])
    path = tmp_path / "enc.xml"
    path.write_bytes(doc.replace('encoding="UTF-8"', 'encoding="utf-8"').encode(encoding))
    try:
        corpus = _read(path, fmt)
    except InputFormatError:
        assert encoding == "utf-16"  # a UTF-16 file that claims UTF-8 without a BOM is refused
        return
    assert corpus.comments["text"].tolist() == ["café, naïve"]


def test_hostile_readers_fifty_megabyte_comment_in_xml(tmp_path):
    big = "word " * (10 * 2**20)
    path = tmp_path / "big.xml"
    path.write_text(_wxr([("11", "", "Ann", big)]))
    corpus = _read(path, "wxr")
    assert _flat(corpus.comments["text"].iloc[0]) == _flat(big)


def test_hostile_readers_ids_colliding_across_formats(tmp_path):
    comments = [("11", "", "Ann", "a"), ("12", "11", "Bob", "b")]
    paths = []
    for fmt in ("reddit-jsonl", "commento", "jsonl"):
        sub = tmp_path / fmt
        sub.mkdir()
        paths.append(_write(sub, fmt, comments))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiscourseWarning)
        corpus = discourse.read(paths)
    assert len(corpus.comments) == 6
    assert corpus.comments["thread_id"].nunique() == 3


# The command line: a hostile file gives "Error: ...", exit 1, and no traceback.
_CLI_FILES = {
    "binary.json": b"\x00\x01\x02garbage" * 100,
    "deep.json": b"[" * 100_000,
    "truncated.json": b'[{"id": 1, "post": 7, "content": {"rendered": "tru',
    "empty.csv": b"",
    "billion.xml": (_wxr([("11", "", "a", "x")]).split("\n", 1)[0] + "\n" + _ENTITIES["billion-laughs"] + "\n"
                    + _wxr([("11", "", "a", "&j;")]).split("\n", 1)[1]).encode(),
    "noheader.csv": b"\xff\xfe\xfd\n\x00",
}


@pytest.mark.parametrize("name", sorted(_CLI_FILES))
@pytest.mark.parametrize("verb", ["analyze", "report", "graph"])
def test_hostile_readers_cli_says_error_and_exits_one(tmp_path, name, verb):
    path = tmp_path / name
    path.write_bytes(_CLI_FILES[name])
    out = tmp_path / {"analyze": "out.csv", "report": "out.html", "graph": "out.graphml"}[verb]
    result = CliRunner().invoke(cli, [verb, str(path), "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert "Error:" in result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "wxr", "reddit", "hn", "nonsense"])
def test_hostile_readers_cli_wrong_format_option(tmp_path, fmt):
    path = tmp_path / "thread.txt"
    path.write_text("A post.\n\nFirst!\nLikeLike\n")
    result = CliRunner().invoke(cli, ["analyze", str(path), "-o", str(tmp_path / "o.csv"), "--format", fmt])
    assert result.exit_code in (1, 2), result.output  # 2: click rejects an unknown choice
    assert "Traceback" not in result.output
    assert "Error" in result.output


_settings = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                            HealthCheck.function_scoped_fixture])
_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


@_settings
@given(st.sampled_from(sorted(BUILDERS)),
       st.lists(st.tuples(st.integers(10, 20).map(str), st.one_of(st.just(""), st.integers(10, 20).map(str)),
                          st.text(max_size=8), _text), max_size=8))
def test_hostile_readers_property_accounting_holds(tmp_path_factory, fmt, comments):
    tmp = tmp_path_factory.mktemp("prop")
    try:
        corpus = _read(_write(tmp, fmt, comments), fmt)
    except DiscourseError:
        return
    _accounted(corpus, len(comments))
    if BUILDERS[fmt][2]:
        # Plain-text formats: every text read is one written, unchanged (duplicates may be skipped).
        assert not Counter(corpus.comments["text"]) - Counter(t for *_, t in comments)


@_settings
@given(st.sampled_from(sorted(BUILDERS)), st.binary(max_size=400), st.integers(0, 10_000))
def test_hostile_readers_property_mangled_bytes_never_crash(tmp_path_factory, fmt, junk, where):
    tmp = tmp_path_factory.mktemp("mangle")
    path = _write(tmp, fmt, [("11", "", "Ann", "first"), ("12", "11", "Bob", "second")])
    target = path / "utterances.jsonl" if path.is_dir() else path
    data = target.read_bytes()
    cut = where % (len(data) + 1)
    target.write_bytes(data[:cut] + junk + data[cut:])
    try:
        corpus = _read(path, fmt)
    except DiscourseError:
        return
    for r in corpus.ingest:
        assert r.balanced


# Inputs found by coverage-guided fuzzing (bench/fuzz.py), kept as regressions: each went
# through a reader and raised something other than a DiscourseError.
FUZZ_FINDINGS = {
    # reddit-jsonl: a UTF-16 byte-order mark followed by an odd number of bytes raised
    # UnicodeDecodeError from the line reader.
    "utf16-odd-bytes": (b"\xff\xfe\n", ".jsonl"),
    # wxr (found through format detection): an encoding name expat does not know raised
    # LookupError from the streaming parser instead of falling back to the lenient parse.
    "unknown-xml-encoding": (b'<?xml version="1.0" encoding="UVF-8"?>\n<rss version="2.0" '
                             b'xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><title>T</title>'
                             b"<wp:post_id>1</wp:post_id><wp:comment><wp:comment_id>1</wp:comment_id>"
                             b"<wp:comment_content>caf\xc3\xa9</wp:comment_content></wp:comment></item></channel></rss>",
                             ".xml"),
}
_ALL_READERS = ["csv", "jsonl", "reddit", "reddit-jsonl", "hn", "wp-rest", "commento", "wxr", "disqus", "wp-html", "page"]


@pytest.mark.parametrize("finding", sorted(FUZZ_FINDINGS))
@pytest.mark.parametrize("fmt", _ALL_READERS + [None])
def test_hostile_readers_fuzz_findings_fail_cleanly(tmp_path, finding, fmt):
    data, suffix = FUZZ_FINDINGS[finding]
    path = tmp_path / f"finding{suffix}"
    path.write_bytes(data)
    try:
        corpus = _read(path, fmt) if fmt else discourse.read(path)
    except DiscourseError as err:
        assert str(path) in str(err)
    else:
        for r in corpus.ingest:
            assert r.balanced


def _parquet_bytes(tmp_path):
    import pandas as pd

    p = tmp_path / "ok.parquet"
    pd.DataFrame({"comment_id": ["1", "2"], "text": ["a", "b"]}).to_parquet(p)
    return p.read_bytes()


@pytest.mark.parametrize("case", ["garbage", "head", "tail", "magic-only"])
def test_hostile_readers_broken_parquet(tmp_path, case):
    data = _parquet_bytes(tmp_path)
    content = {"garbage": b"PAR1" + bytes(range(256)) * 10 + b"PAR1", "head": data[: len(data) // 2],
               "tail": data[len(data) // 2:], "magic-only": b"PAR1PAR1"}[case]
    path = tmp_path / "broken.parquet"
    path.write_bytes(content)
    with pytest.raises(InputFormatError, match="broken.parquet"):
        discourse.read(path)


@pytest.mark.parametrize(
    "column,expected",
    [
        ("ints", ["1", "2"]),
        ("nulls", ["", "x"]),
        ("dictionary", ["a", "b"]),
    ],
)
def test_hostile_readers_parquet_odd_text_types_keep_every_row(tmp_path, column, expected):
    import pyarrow as pa
    import pyarrow.parquet as pq

    text = {"ints": pa.array([1, 2]), "nulls": pa.array([None, "x"]),
            "dictionary": pa.array(["a", "b"]).dictionary_encode()}[column]
    path = tmp_path / "odd.parquet"
    pq.write_table(pa.table({"comment_id": ["1", "2"], "text": text}), path)
    corpus = _read(path, "parquet")
    assert corpus.comments["text"].tolist() == expected
    assert all(r.balanced for r in corpus.ingest)


@pytest.mark.parametrize("line", [b"1", b"[1, 2]", b'"text"', b"null", b"true"])
def test_hostile_readers_convokit_non_object_lines_are_counted(tmp_path, line):
    """Regression (fuzzing): a JSON line that is not an object raised AttributeError."""
    folder = tmp_path / "ck"
    folder.mkdir()
    good = b'{"id": "u1", "conversation_id": "p", "text": "hi", "speaker": "a", "reply-to": "p"}'
    (folder / "utterances.jsonl").write_bytes(good + b"\n" + line + b"\n")
    corpus = _read(folder, "convokit")
    assert corpus.ingest[0].skipped == {"unparseable": 1}
    assert corpus.comments["text"].tolist() == ["hi"]


@pytest.mark.parametrize("conversations", ['{"p": 5}', '{"p": {"meta": [1]}}', "[1, 2]", '{"p": null}'])
def test_hostile_readers_convokit_odd_conversations_file(tmp_path, conversations):
    folder = tmp_path / "ck"
    folder.mkdir()
    (folder / "utterances.jsonl").write_text('{"id": "u1", "conversation_id": "p", "text": "hi", "reply-to": "p"}\n')
    (folder / "conversations.json").write_text(conversations)
    corpus = _read(folder, "convokit")
    assert corpus.comments["text"].tolist() == ["hi"]
    assert corpus.threads["title"].tolist() == [""]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".txt"])
def test_hostile_readers_mixed_encodings_keep_utf8_lines(tmp_path, suffix):
    """A file joined from a UTF-8 and a cp1252 source: neither half becomes mojibake."""
    if suffix == ".csv":
        lines = ["comment_id,text", "1,café crème", "2,naïve señor"]
    elif suffix == ".jsonl":
        lines = ['{"comment_id": "1", "text": "café crème"}', '{"comment_id": "2", "text": "naïve señor"}']
    else:
        lines = ["A post.", "", "café crème", "LikeLike", "naïve señor", "LikeLike"]
    data = b"\n".join(line.encode("cp1252" if "naïve" in line else "utf-8") for line in lines) + b"\n"
    path = tmp_path / f"mixed{suffix}"
    path.write_bytes(data)
    with pytest.warns(DiscourseWarning, match="cp1252"):
        corpus = discourse.read(path)
    assert corpus.comments["text"].tolist() == ["café crème", "naïve señor"]


def test_hostile_readers_unknown_declared_xml_encoding_is_read(tmp_path):
    """Regression (fuzzing): the WXR is read, its UTF-8 text intact."""
    path = tmp_path / "enc.xml"
    path.write_bytes(FUZZ_FINDINGS["unknown-xml-encoding"][0])
    corpus = _read(path, "wxr")
    assert corpus.comments["text"].tolist() == ["café"]


@pytest.mark.parametrize("fmt", sorted(BUILDERS))
def test_hostile_readers_duplicate_ids_follow_one_rule_in_every_reader(tmp_path, fmt):
    # Comment 11 repeated exactly (a dump concatenated twice); comment 12 repeated with other words.
    comments = [("11", "", "ann", "same words"), ("12", "", "bob", "first words"), ("11", "", "ann", "same words"),
                ("12", "", "bob", "other words"), ("13", "11", "cy", "a reply")]
    with pytest.warns(DiscourseWarning, match=r"2 rows repeat a comment id already read in their thread: 1 exact "
                      r"repeat; 1 with a different parent, author, time or text \(e\.g\. [^)]*/12\); the first of "
                      r"each id was kept"):
        corpus = reader_for(fmt)(_write(tmp_path, fmt, comments))
    r = corpus.ingest[0]
    assert {k: v for k, v in r.skipped.items() if "duplicate" in k} == {"duplicate id": 1,
                                                                        "conflicting duplicate id": 1}
    _accounted(corpus, len(comments))
    c = corpus.comments.set_index("comment_id")
    assert sorted(c.index) == ["11", "12", "13"] and "first words" in c.loc["12", "text"]


def test_hostile_readers_duplicate_ids_in_a_csv_table_are_kept_first_and_counted(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("comment_id,text\n1,a\n1,a\n2,b\n2,c\n")
    with pytest.warns(DiscourseWarning, match=r"e\.g\. dup/2"):
        corpus = discourse.read(path)
    assert corpus.comments["text"].tolist() == ["a", "b"]
    assert corpus.ingest[0].skipped == {"conflicting duplicate id": 1, "duplicate id": 1}
