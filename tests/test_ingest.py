"""Every export reader: one contract class reused per format, detection, directories,
the accounting property (seen == kept + skipped), and `discourse analyze` on each fixture."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import discourse
from discourse.cli import cli
from discourse.ingest import FORMATS, read
from discourse.ingest.detect import detect_format, reader_for
from discourse.model import COMMENT_COLUMNS, CONTRACT_DTYPES, THREAD_COLUMNS

DATA = Path(__file__).resolve().parent / "data"


def _read(path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", discourse.DiscourseWarning)
        return read(path, **kw)


class ReaderContract:
    """What every reader promises; subclasses name the reader, a fixture and its counts."""

    fmt: str = ""
    path: str = ""
    threads = seen = kept = links = 0
    skipped: dict = {}

    @pytest.fixture(scope="class")
    @classmethod
    def corpus(cls):
        return _read(DATA / cls.path)

    def test_ingest_detects_the_format(self):
        assert detect_format(DATA / self.path)[0] == self.fmt

    def test_ingest_counts_match_the_fixture(self, corpus):
        r = corpus.ingest[0]
        assert (r.format, r.threads, r.seen, r.kept, r.skipped, r.links) == (
            self.fmt, self.threads, self.seen, self.kept, self.skipped, self.links)

    def test_ingest_report_balances(self, corpus):
        r = corpus.ingest[0]
        assert r.balanced and r.seen == r.kept + sum(r.skipped.values())
        assert r.kept == len(corpus.comments)

    def test_ingest_tables_follow_the_schema(self, corpus):
        assert list(corpus.comments.columns[:len(COMMENT_COLUMNS)]) == list(COMMENT_COLUMNS)
        assert list(corpus.threads.columns[:len(THREAD_COLUMNS)]) == list(THREAD_COLUMNS)
        assert set(corpus.comments["thread_id"]) <= set(corpus.threads["thread_id"])
        assert (corpus.threads["source_format"] == self.fmt).all()
        assert isinstance(corpus.comments["created_at"].dtype, pd.DatetimeTZDtype)

    def test_ingest_tables_have_the_contract_dtypes(self, corpus):
        _assert_contract_dtypes(corpus)

    def test_ingest_links_are_explicit_and_resolve(self, corpus):
        c = corpus.comments
        linked = c[c["parent_id"] != ""]
        assert (linked["parent_source"] == "explicit").all()
        assert (linked["parent_confidence"] == 1.0).all()
        ids = set(zip(c["thread_id"], c["comment_id"]))
        assert all((t, p) in ids for t, p in zip(linked["thread_id"], linked["parent_id"]))

    def test_ingest_top_level_is_explicit_where_the_source_threads(self, corpus):
        c = corpus.comments
        threaded = self.fmt not in ("wxr", "wp-rest", "wp-html") or corpus.ingest[0].links > 0
        expected = "explicit" if threaded else ""
        assert (c.loc[c["parent_id"] == "", "parent_source"] == expected).all()

    def test_ingest_thread_id_option_renames(self):
        corpus = _read_with_thread_id(DATA / self.path, self.fmt, "mine")
        assert all(t == "mine" or t.startswith("mine:") for t in corpus.comments["thread_id"])

    def test_ingest_missing_and_empty_input_fail_clearly(self, tmp_path):
        reader = reader_for(self.fmt)
        with pytest.raises(discourse.InputFormatError, match="no such file|not a ConvoKit corpus directory"):
            reader(tmp_path / "nope")
        empty = tmp_path / ("utterances.jsonl" if self.fmt == "convokit" else f"empty{Path(self.path).suffix}")
        empty.write_bytes(b"")
        with pytest.raises(discourse.InputFormatError, match="empty|no utterances|holds no"):
            reader(tmp_path if self.fmt == "convokit" else empty)

    def test_ingest_analyze_cli_works(self, tmp_path):
        out = tmp_path / "out.csv"
        result = CliRunner().invoke(cli, ["analyze", str(DATA / self.path), "-o", str(out), "--topics", "none"])
        assert result.exit_code == 0, result.output
        assert f"read as {self.fmt}" in result.stderr
        table = pd.read_csv(out, dtype=str, keep_default_na=False)
        assert len(table) == self.kept
        assert {"sentiment_compound", "depth", "parent_source"} <= set(table.columns)


def _assert_contract_dtypes(corpus):
    """Every contract column has its dtype in every reader; other text columns are Python strings too."""
    for table in (corpus.comments, corpus.threads):
        for col, dtype in table.dtypes.items():
            want = CONTRACT_DTYPES.get(col)
            if want is not None:
                assert str(dtype) == want, (col, str(dtype))
            else:
                assert not isinstance(dtype, pd.StringDtype), (col, str(dtype))


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet", ".txt"])
def test_ingest_tables_and_pages_have_the_contract_dtypes(tmp_path, suffix):
    # An orphan (its parent "9" is missing) makes repair_links rewrite parent_id, which gave pandas' str dtype.
    df = pd.DataFrame({"thread_id": ["t", "t", "t"], "comment_id": ["1", "2", "3"], "parent_id": ["", "1", "9"],
                       "author": ["ann", "", "cy"], "created_at": ["2020-01-01T00:00:00Z", "", "2020-01-02T10:00:00Z"],
                       "text": ["x", "y", "z"], "extra": ["a", "b", "c"]})
    path = tmp_path / f"comments{suffix}"
    if suffix == ".txt":
        shutil.copy(DATA / "page" / "like-buttons.txt", path)
    else:
        {".csv": lambda: df.to_csv(path, index=False), ".parquet": lambda: df.to_parquet(path),
         ".jsonl": lambda: df.to_json(path, orient="records", lines=True)}[suffix]()
    _assert_contract_dtypes(_read(path))


def _read_with_thread_id(path, fmt, tid):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", discourse.DiscourseWarning)
        return reader_for(fmt)(path, thread_id=tid)


class TestWXR(ReaderContract):
    fmt, path = "wxr", "wxr/theme-sample.xml"
    threads, seen, kept, links = 2, 10, 5, 5
    skipped = {"pingback": 1, "spam": 1, "trackback": 1, "trash": 1, "unapproved": 1}


class TestWXR10(ReaderContract):
    fmt, path = "wxr", "wxr/valid-wxr-1.0.xml"
    threads, seen, kept, links = 1, 1, 1, 0


class TestWXRUndeclaredPrefix(ReaderContract):
    fmt, path = "wxr", "wxr/wordpress-com-undeclared-atom.xml"
    threads, seen, kept, links = 1, 2, 2, 1


class TestDisqusIsso(ReaderContract):
    fmt, path = "disqus", "disqus/isso-disqus.xml"
    threads, seen, kept, links = 3, 6, 6, 2


class TestDisqusRemark42(ReaderContract):
    fmt, path = "disqus", "disqus/remark42-disqus.xml"
    threads, seen, kept, links = 2, 6, 5, 0
    skipped = {"spam": 1}


class TestReddit(ReaderContract):
    fmt, path = "reddit", "reddit/jlbw48.json"
    threads, seen, kept, links = 1, 6, 6, 3


class TestRedditDeleted(ReaderContract):
    fmt, path = "reddit", "reddit/deleted-and-more.json"
    threads, seen, kept, links = 1, 5, 4, 2
    skipped = {"removed": 1}


class TestRedditJSONL(ReaderContract):
    fmt, path = "reddit-jsonl", "reddit/pushshift.jsonl"
    threads, seen, kept, links = 2, 7, 5, 3
    skipped = {"duplicate id": 1, "unparseable": 1}


class TestHNAlgolia(ReaderContract):
    fmt, path = "hn", "hn/algolia-item.json"
    threads, seen, kept, links = 1, 5, 4, 3
    skipped = {"deleted": 1}


class TestHNFirebase(ReaderContract):
    fmt, path = "hn", "hn/firebase-items.jsonl"
    threads, seen, kept, links = 2, 5, 3, 3
    skipped = {"dead": 1, "deleted": 1}


class TestHNSearch(ReaderContract):
    fmt, path = "hn", "hn/algolia-search.json"
    threads, seen, kept, links = 2, 3, 3, 2


class TestWPRest(ReaderContract):
    fmt, path = "wp-rest", "wp-rest/comments-page-1.json"
    threads, seen, kept, links = 1, 3, 2, 1
    skipped = {"pingback": 1}


class TestWPHTML(ReaderContract):
    fmt, path = "wp-html", "wp-html/modern-comment-list.html"
    threads, seen, kept, links = 1, 5, 4, 2
    skipped = {"pingback": 1}


class TestWPHTMLOlder(ReaderContract):
    fmt, path = "wp-html", "wp-html/older-commentlist.html"
    threads, seen, kept, links = 1, 3, 2, 1
    skipped = {"trackback": 1}


class TestConvoKit(ReaderContract):
    fmt, path = "convokit", "convokit/cornell-mini"
    threads, seen, kept, links = 2, 4, 4, 2


class TestCommento(ReaderContract):
    fmt, path = "commento", "commento/commento.json"
    threads, seen, kept, links = 1, 3, 2, 1
    skipped = {"unapproved": 1}


def test_ingest_every_format_has_a_contract_test():
    tested = {cls.fmt for cls in ReaderContract.__subclasses__()}
    assert set(FORMATS) - {"page", "csv", "jsonl", "parquet"} <= tested


def test_ingest_directory_is_one_corpus_with_unique_thread_ids():
    corpus = _read(DATA)
    formats = {r.format for r in corpus.ingest}
    assert set(FORMATS) - {"csv", "jsonl", "parquet"} <= formats
    assert corpus.threads["thread_id"].is_unique
    assert not corpus.comments.duplicated(["thread_id", "comment_id"]).any()
    # The ConvoKit directory is one source, the two REST pages one listing; no README or LICENSE read.
    paths = [r.path for r in corpus.ingest]
    assert sum("cornell-mini" in p for p in paths) == 1
    assert sum("wp-rest" in p for p in paths) == 1
    assert not any("README" in p or "LICENSE" in p for p in paths)
    assert all(r.balanced for r in corpus.ingest)


def test_ingest_rest_pages_read_as_one_listing():
    corpus = _read(DATA / "wp-rest")
    r = corpus.ingest[0]
    assert len(corpus.ingest) == 1 and r.skipped == {"duplicate id": 1, "pingback": 1, "spam": 1}
    assert sorted(corpus.comments["comment_id"]) == ["31", "32", "34", "36"]
    assert corpus.comments.set_index("comment_id").loc["34", "parent_id"] == "32"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_ingest_every_reader_is_importable_and_documented(fmt):
    from discourse.ingest.detect import DESCRIPTIONS

    reader = reader_for(fmt)
    assert reader.__doc__ and fmt in DESCRIPTIONS


@pytest.mark.parametrize("path", ["reddit/jlbw48.json", "reddit/deleted-and-more.json", "hn/algolia-item.json",
                                  "wp-rest/comments-page-1.json", "commento/commento.json"])
def test_ingest_pretty_printed_json_is_detected_and_read_alike(tmp_path, path):
    pretty = tmp_path / Path(path).name
    pretty.write_text(json.dumps(json.loads((DATA / path).read_text(encoding="utf-8")), indent=2), encoding="utf-8")
    assert detect_format(pretty)[0] == detect_format(DATA / path)[0]
    a, b = _read(DATA / path), _read(pretty)
    assert a.comments[["comment_id", "parent_id", "text"]].values.tolist() == b.comments[["comment_id", "parent_id", "text"]].values.tolist()


def test_ingest_formats_command_lists_every_format():
    result = CliRunner().invoke(cli, ["formats"])
    assert result.exit_code == 0
    for fmt in FORMATS:
        assert fmt in result.output


def test_ingest_export_command_writes_convokit(tmp_path):
    out = tmp_path / "ck"
    result = CliRunner().invoke(cli, ["export", str(DATA / "wxr" / "theme-sample.xml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {"utterances.jsonl", "speakers.json", "conversations.json",
                                                "corpus.json", "index.json"}
    back = _read(out)
    assert back.source == "convokit" and len(back.comments) == 5


def test_ingest_cli_prints_the_report_with_skips(tmp_path):
    result = CliRunner().invoke(cli, ["analyze", str(DATA / "wxr" / "theme-sample.xml"), "-o", str(tmp_path / "o.csv"),
                                      "--topics", "none"])
    assert result.exit_code == 0
    assert ("read as wxr; 2 threads, 10 records seen, 5 comments kept, skipped 1 pingback, 1 spam, 1 trackback, "
            "1 trash, 1 unapproved, repaired 1 orphan, 1 self-reply") in result.stderr
    assert "Warning:" in result.stderr and "1 orphan" in result.stderr


# -- The accounting property: whatever the records, seen == kept + skipped. ------------------------

_STATUSES = ["approved", "approved", "approved", "spam", "deleted", "unapproved"]
_record = st.fixed_dictionaries({
    "id": st.integers(1, 12),
    "parent": st.one_of(st.just(0), st.integers(1, 14)),
    "status": st.sampled_from(_STATUSES),
    "type": st.sampled_from(["comment", "comment", "comment", "pingback", "trackback"]),
    "text": st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
})


def _write_wxr(records, path):
    from xml.sax.saxutils import escape

    parts = []
    for r in records:
        approved = {"approved": "1", "spam": "spam", "deleted": "trash", "unapproved": "0"}[r["status"]]
        parts.append(f"<wp:comment><wp:comment_id>{r['id']}</wp:comment_id>"
                     f"<wp:comment_content>{escape(r['text'])}</wp:comment_content>"
                     f"<wp:comment_approved>{approved}</wp:comment_approved><wp:comment_type>{r['type']}</wp:comment_type>"
                     f"<wp:comment_parent>{r['parent']}</wp:comment_parent></wp:comment>")
    path.write_text('<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><wp:post_id>1</wp:post_id>'
                    + "".join(parts) + "</item></channel></rss>", encoding="utf-8")
    skips = sum(r["type"] != "comment" or r["status"] != "approved" for r in records)
    return skips


def _write_disqus(records, path):
    from xml.sax.saxutils import escape

    parts = ['<thread dsq:id="t"><title>T</title></thread>']
    for r in records:
        # Disqus has no pingbacks: every record is a post.
        parent = f'<parent dsq:id="{r["parent"]}"/>' if r["parent"] else ""
        parts.append(f'<post dsq:id="{r["id"]}"><message>{escape(r["text"])}</message>'
                     f'<isSpam>{str(r["status"] == "spam").lower()}</isSpam>'
                     f'<isDeleted>{str(r["status"] == "deleted").lower()}</isDeleted><thread dsq:id="t"/>{parent}</post>')
    path.write_text('<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">'
                    + "".join(parts) + "</disqus>", encoding="utf-8")
    return None


def _write_reddit_jsonl(records, path):
    lines = []
    for r in records:
        body = {"deleted": "[deleted]", "spam": "[removed]"}.get(r["status"], r["text"])
        parent = f"t1_{r['parent']}" if r["parent"] else "t3_p"
        lines.append(json.dumps({"id": str(r["id"]), "parent_id": parent, "link_id": "t3_p", "body": body,
                                 "author": "a", "created_utc": 1}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return None


def _write_wp_rest(records, path):
    items = [{"id": r["id"], "post": 1, "parent": r["parent"], "author_name": "a", "content": {"rendered": r["text"]},
              "status": {"approved": "approved", "spam": "spam", "deleted": "trash", "unapproved": "hold"}[r["status"]],
              "type": r["type"], "date_gmt": "2020-01-01T00:00:00"} for r in records]
    path.write_text(json.dumps(items), encoding="utf-8")
    return sum(r["type"] != "comment" or r["status"] != "approved" for r in records)


def _write_hn(records, path):
    lines = [json.dumps({"id": 0, "type": "story", "title": "S", "by": "x", "time": 1})]
    for r in records:
        item = {"id": r["id"], "type": "comment", "by": "b", "time": 2, "text": r["text"] or "x",
                "parent": r["parent"] or 0}
        if r["status"] == "deleted":
            item = {"id": r["id"], "type": "comment", "deleted": True, "time": 2, "parent": r["parent"] or 0}
        if r["status"] == "spam":
            item["dead"] = True
        lines.append(json.dumps(item))
    path.write_text("\n".join(lines), encoding="utf-8")
    return None


_WRITERS = {"wxr": (_write_wxr, ".xml"), "disqus": (_write_disqus, ".xml"), "reddit-jsonl": (_write_reddit_jsonl, ".jsonl"),
            "wp-rest": (_write_wp_rest, ".json"), "hn": (_write_hn, ".jsonl")}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(_record, min_size=1, max_size=14), fmt=st.sampled_from(sorted(_WRITERS)))
def test_ingest_property_seen_equals_kept_plus_skipped(tmp_path_factory, records, fmt):
    write, suffix = _WRITERS[fmt]
    path = tmp_path_factory.mktemp(fmt.replace("-", "")) / f"in{suffix}"
    filtered = write(records, path)
    corpus = _read_with_thread_id(path, fmt, None)
    r = corpus.ingest[0]
    assert r.balanced, r
    assert r.kept == len(corpus.comments)
    assert r.seen == len(records)
    if filtered is not None:
        # Status and type filters are the same for each record; duplicates and deletions come on top.
        assert sum(v for k, v in r.skipped.items() if "duplicate id" not in k) == filtered
    # Every kept comment's parent is in the data (repair_links ran), and no comment is its own ancestor.
    c = corpus.comments
    parent_of = dict(zip(c["comment_id"], c["parent_id"]))
    for cid in parent_of:
        seen, p = set(), parent_of[cid]
        while p:
            assert p in parent_of and p not in seen
            seen.add(p)
            p = parent_of[p]


_plain = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=40).map(str.strip)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(_plain.filter(lambda s: "<" not in s and "&" not in s), min_size=1, max_size=5),
       fmt=st.sampled_from(["wxr", "reddit-jsonl", "wp-rest"]))
def test_ingest_property_unicode_text_survives(tmp_path_factory, texts, fmt):
    records = [{"id": i + 1, "parent": 0, "status": "approved", "type": "comment", "text": t} for i, t in enumerate(texts)]
    write, suffix = _WRITERS[fmt]
    path = tmp_path_factory.mktemp("u") / f"in{suffix}"
    write(records, path)
    corpus = _read_with_thread_id(path, fmt, None)
    assert corpus.comments["text"].tolist() == texts


_forest = st.lists(st.tuples(st.sampled_from(["t1", "t2"]), st.integers(0, 6), st.text(max_size=15)), min_size=1, max_size=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_forest)
def test_ingest_property_convokit_round_trip(tmp_path_factory, rows):
    from discourse.ingest import to_convokit
    from discourse.ingest.convokit import read_convokit

    # Comment k of a thread answers an earlier comment of the same thread (or the post).
    frame = []
    for k, (tid, back, text) in enumerate(rows):
        earlier = [r["comment_id"] for r in frame if r["thread_id"] == tid]
        parent = earlier[-1 - back] if back < len(earlier) else ""
        frame.append({"thread_id": tid, "comment_id": f"c{k}", "parent_id": parent, "text": text,
                      "author": "" if k % 3 == 0 else f"a{k % 2}", "created_at": 1_600_000_000 + k})
    corpus = discourse.Corpus.from_frames(pd.DataFrame(frame))
    back = read_convokit(to_convokit(corpus, tmp_path_factory.mktemp("ck") / "out"))
    for col in ("thread_id", "comment_id", "parent_id", "author", "text", "created_at"):
        assert back.comments[col].tolist() == corpus.comments[col].tolist(), col
    assert back.ingest[0].balanced


_FIXTURES = [("wxr", "wxr/theme-sample.xml"), ("disqus", "disqus/isso-disqus.xml"), ("reddit", "reddit/deleted-and-more.json"),
             ("reddit-jsonl", "reddit/pushshift.jsonl"), ("hn", "hn/algolia-item.json"), ("hn", "hn/firebase-items.jsonl"),
             ("wp-rest", "wp-rest/comments-page-1.json"), ("wp-html", "wp-html/modern-comment-list.html"),
             ("commento", "commento/commento.json")]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.sampled_from(_FIXTURES), cut=st.floats(0.05, 0.999), junk=st.binary(max_size=8))
def test_ingest_property_damaged_files_fail_cleanly_or_balance(tmp_path_factory, which, cut, junk):
    fmt, path = which
    data = (DATA / path).read_bytes()
    damaged = tmp_path_factory.mktemp("dmg") / Path(path).name
    damaged.write_bytes(data[: int(len(data) * cut)] + junk)
    try:
        corpus = _read_with_thread_id(damaged, fmt, None)
    except discourse.DiscourseError as err:
        assert str(err).startswith(str(damaged)) or "no such" in str(err) or str(damaged) in str(err)
    else:
        assert corpus.ingest[0].balanced


@pytest.mark.parametrize("compression", [".gz", ".bz2", ".xz", ".zst"])
@pytest.mark.parametrize("path", ["wxr/theme-sample.xml", "disqus/remark42-disqus.xml", "reddit/pushshift.jsonl",
                                  "reddit/jlbw48.json", "hn/firebase-items.jsonl", "wp-html/older-commentlist.html"])
def test_ingest_compressed_files_read_like_plain_ones(tmp_path, path, compression):
    import bz2
    import gzip
    import lzma

    import zstandard

    data = (DATA / path).read_bytes()
    packed = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress,
              ".zst": lambda b: zstandard.ZstdCompressor().compress(b)}[compression](data)
    target = tmp_path / (Path(path).name + compression)
    target.write_bytes(packed)
    assert detect_format(target)[0] == detect_format(DATA / path)[0]
    plain, squeezed = _read(DATA / path), _read(target)
    cols = ["thread_id", "comment_id", "parent_id", "author", "text"]
    assert squeezed.comments[cols].values.tolist() == plain.comments[cols].values.tolist()
    assert squeezed.ingest[0].skipped == plain.ingest[0].skipped


def test_ingest_truncated_gzip_fails_cleanly(tmp_path):
    import gzip

    target = tmp_path / "dump.jsonl.gz"
    target.write_bytes(gzip.compress((DATA / "reddit" / "pushshift.jsonl").read_bytes())[:-20])
    with pytest.raises(discourse.InputFormatError, match="dump.jsonl.gz"):
        _read(target)


def test_ingest_flat_wordpress_export_is_left_for_reply_inference(tmp_path):
    p = tmp_path / "flat.xml"
    p.write_text('<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><wp:post_id>1</wp:post_id>'
                 + "".join(f"<wp:comment><wp:comment_id>{i}</wp:comment_id><wp:comment_content>c{i}</wp:comment_content>"
                           f"<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment>"
                           for i in (1, 2)) + "</item></channel></rss>")
    flat = _read(p)
    # Threading may have been off on that blog: "answers the post" is not a statement, so
    # analyze may infer links; in a threaded export it is, and inference leaves it alone.
    assert flat.comments["parent_source"].tolist() == ["", ""]
    assert discourse.analyze(flat).comments["parent_source"].tolist() == ["inferred", "inferred"]
    threaded = discourse.analyze(_read(DATA / "wxr" / "theme-sample.xml")).comments
    assert (threaded["parent_source"] == "explicit").all()


def test_ingest_to_convokit_of_a_table_says_how_to_make_a_corpus(tmp_path):
    import pandas as pd

    from discourse.errors import SchemaError
    from discourse.ingest import to_convokit
    with pytest.raises(SchemaError, match=r"to_convokit needs a discourse Corpus; got DataFrame"):
        to_convokit(pd.DataFrame({"text": ["hi"]}), tmp_path / "ck")
    assert not (tmp_path / "ck").exists()


def test_ingest_unknown_format_names_the_python_option(tmp_path):
    from discourse import read
    from discourse.errors import InputFormatError
    path = tmp_path / "x.dat"
    path.write_text("hello\n", encoding="utf-8")
    with pytest.raises(InputFormatError, match=r"pass format=\.\.\. \(--format on the command line\) with one of"):
        read(path)


@pytest.mark.parametrize("passed, tip", [
    ("frame", "discourse.Corpus.from_frames(comments)."),
    ("series", "discourse.Corpus.from_frames(comments)."),
    (42, "Pass a path, or a list of paths."),
])
def test_ingest_read_of_a_table_says_how_to_make_a_corpus(passed, tip):
    import pandas as pd

    from discourse import read
    from discourse.errors import InputFormatError
    if passed == "frame":
        passed = pd.DataFrame({"text": ["hi"]})
    elif passed == "series":
        passed = pd.Series(["hi"], name="text")
    with pytest.raises(InputFormatError, match=r"read needs a file or directory path .*; got \w+\. ") as err:
        read(passed)
    assert str(err.value).endswith(tip)


def test_ingest_read_takes_a_generator_of_paths(seed_path):
    from discourse import read
    assert len(read(p for p in [seed_path])) == 22


# ----------------------------------------------------------------------------- one policy for bad lines

#: Line-based formats: (format, fixture, the file holding the lines).
LINE_READERS = [
    ("jsonl", None, "comments.jsonl"),
    ("reddit-jsonl", "reddit/pushshift.jsonl", "dump.jsonl"),
    ("hn", "hn/firebase-items.jsonl", "items.jsonl"),
    ("convokit", "convokit/cornell-mini", "utterances.jsonl"),
]


def _good_lines(fixture) -> list[str]:
    if fixture is None:
        return [json.dumps({"comment_id": str(i), "parent_id": "", "text": f"comment {i}"}) for i in range(5)]
    src = DATA / fixture
    src = src / "utterances.jsonl" if src.is_dir() else src
    lines = [ln for ln in src.read_text(encoding="utf-8").split("\n") if ln.strip()]
    return [ln for ln in lines if _is_object(ln)]


def _is_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError:
        return False


def _line_file(tmp_path, fixture, name, lines):
    folder = tmp_path / "corpus"
    folder.mkdir()
    if fixture and (DATA / fixture).is_dir():
        for f in (DATA / fixture).iterdir():
            if f.name != "utterances.jsonl":
                (folder / f.name).write_bytes(f.read_bytes())
    (folder / name).write_text("\n".join(lines), encoding="utf-8")
    return folder if name == "utterances.jsonl" else folder / name


@pytest.mark.parametrize("fmt, fixture, name", LINE_READERS)
def test_ingest_bad_lines_are_skipped_counted_and_warned_by_every_line_reader(tmp_path, fmt, fixture, name):
    good = _good_lines(fixture)
    (tmp_path / "whole").mkdir()
    whole = _read(_line_file(tmp_path / "whole", fixture, name, good), format=fmt)
    # A JSON value that is not an object in the middle, and a last line cut short (a dump copied while written).
    lines = good[:2] + ["[1, 2]"] + good[2:] + [good[-1][: len(good[-1]) // 2]]
    with pytest.warns(discourse.DiscourseWarning, match=r"2 lines not a JSON object, skipped as unparseable "
                      rf"\(lines 3, {len(lines)}; line 3: a JSON list, not an object\)"):
        corpus = read(_line_file(tmp_path, fixture, name, lines), format=fmt)
    r = corpus.ingest[0]
    assert r.skipped.get("unparseable") == 2
    assert r.seen == whole.ingest[0].seen + 2 and r.kept == whole.ingest[0].kept and r.balanced
    assert f"2 lines not a JSON object skipped (lines 3, {len(lines)})" in r.notes
    pd.testing.assert_frame_equal(corpus.comments, whole.comments)


@pytest.mark.parametrize("fmt, fixture, name", LINE_READERS)
def test_ingest_a_file_with_no_json_object_line_fails_with_the_first_line(tmp_path, fmt, fixture, name):
    path = _line_file(tmp_path, fixture, name, ["id,text", "1,hello", "[1]"])
    with pytest.raises(discourse.InputFormatError, match=r", line 1: invalid JSON \(Expecting value, column 1\); no "
                       "line of the file holds a JSON object"):
        reader_for(fmt)(path)


# ----------------------------------------------------------------------------- large folders fail fast


def _folder_with_a_bad_first_file(tmp_path, n=40):
    folder = tmp_path / "dump"
    (folder / "b").mkdir(parents=True)
    (folder / "a.dat").write_text("no format discourse knows")
    for i in range(n):
        (folder / "b" / f"{i:03d}.csv").write_text("comment_id,text\n1,hi\n")
    return folder


def test_ingest_read_of_a_folder_stops_at_the_first_unreadable_file_without_walking_the_rest(tmp_path, monkeypatch):
    import discourse.ingest as ingest

    folder = _folder_with_a_bad_first_file(tmp_path)
    looked_at = []
    monkeypatch.setattr(ingest, "_is_doc", lambda f, real=ingest._is_doc: looked_at.append(f) or real(f))
    with pytest.raises(discourse.InputFormatError, match=r"a\.dat: cannot tell the format of this \.dat file found in "
                       r"the folder .*dump; move it out of the folder, or name the files to read"):
        read(folder)
    assert looked_at == [folder / "a.dat"]
    # Named on its own, the file gets the --format advice.
    with pytest.raises(discourse.InputFormatError, match=r"a\.dat: cannot tell the format of this \.dat file; pass "
                       r"format=\.\.\. \(--format on the command line\)"):
        read(folder / "a.dat")


def test_ingest_read_with_an_unknown_format_fails_before_walking(tmp_path, monkeypatch):
    import discourse.ingest as ingest

    folder = _folder_with_a_bad_first_file(tmp_path)
    looked_at = []
    monkeypatch.setattr(ingest, "_is_doc", lambda f, real=ingest._is_doc: looked_at.append(f) or real(f))
    with pytest.raises(discourse.InputFormatError, match=r"format must be one of \[.*\]; got 'xml'"):
        read(folder, format="xml")
    assert looked_at == []


def test_ingest_folder_walk_keeps_path_order_and_skips_hidden_and_docs(tmp_path):
    for name in ["b/z.csv", "b/c/d.csv", "a.csv", "b/README.md", ".git/x.csv", "b/.hidden.csv", "ck/utterances.jsonl",
                 "ck/sub/extra.csv"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    from discourse.ingest import _expand

    got = [p.relative_to(tmp_path).as_posix() for p in _expand(tmp_path)]
    assert got == ["a.csv", "b/c/d.csv", "b/z.csv", "ck"]
    assert got == [p.relative_to(tmp_path).as_posix() for p in sorted(
        f for f in tmp_path.rglob("*") if f.suffix == ".csv" and ".git" not in f.parts and not f.name.startswith(".")
        and "ck" not in f.parts)] + ["ck"]


@pytest.mark.parametrize("name", ["export.xml", "thread.json", "page.html", "notes.dat", "blank.xml"])
def test_ingest_empty_file_says_it_is_empty_not_that_its_format_is_unknown(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"\n  \n" if name.startswith("blank") else b"")
    with pytest.raises(discourse.InputFormatError, match=rf"{name}: the file is empty; nothing to read\.$"):
        read(path)


@pytest.mark.parametrize("name", ["resources.csv", "open-source-comments.jsonl", "notice_board.csv", "authors.csv",
                                  "sources.xml"])
def test_ingest_folder_read_keeps_data_files_whose_names_hold_a_doc_word(tmp_path, name):
    # "resources.csv" holds "SOURCE": a substring test left such files out of a folder read, silently.
    (tmp_path / "README.md").write_text("# about")
    (tmp_path / "LICENSE_MIT.txt").write_text("MIT")
    data = tmp_path / name
    src = {".csv": "comment_id,text\n1,hi\n", ".jsonl": '{"comment_id": "1", "text": "hi"}\n'}.get(data.suffix)
    if src is None:
        data.write_bytes((DATA / "disqus" / "isso-disqus.xml").read_bytes())
    else:
        data.write_text(src)
    from discourse.ingest import _expand

    assert _expand(tmp_path) == [data]
    assert len(_read(tmp_path).comments) >= 1


def test_ingest_folder_read_names_the_files_it_left_out(tmp_path):
    (tmp_path / "c.csv").write_text("comment_id,text\n1,hi\n")
    (tmp_path / "SOURCE.md").write_text("where it came from")
    (tmp_path / "notes.md").write_text("# notes")
    (tmp_path / ".DS_Store").write_bytes(b"\x00")
    corpus = _read(tmp_path)
    assert ("3 files in the folder left out: .DS_Store (hidden), SOURCE.md (documentation), notes.md (Markdown "
            "without a comment section)") in corpus.ingest[0].notes
