"""Disqus XML: threads joined to posts, <parent> links, spam and deleted posts, malformed exports."""

from __future__ import annotations

from pathlib import Path

import pytest

import discourse
from discourse.errors import InputFormatError
from discourse.ingest.disqus import read_disqus

DATA = Path(__file__).resolve().parent / "data" / "disqus"


def test_disqus_isso_joins_threads_and_keeps_answered_deleted_post():
    c = read_disqus(DATA / "isso-disqus.xml")
    rows = c.comments.set_index("comment_id")
    assert rows.loc["5", "parent_id"] == "4" and rows.loc["5", "thread_id"] == "2"
    # Post 9 is deleted but post 11 answers it: kept as an empty placeholder, the link intact.
    assert rows.loc["9", "status"] == "deleted" and rows.loc["9", "text"] == ""
    assert rows.loc["11", "parent_id"] == "9"
    # Post 6 names a thread that is not in the file.
    assert rows.loc["6", "thread_id"] == "missing-1337"
    assert rows.loc["4", "author_anonymous"] and rows.loc["5", "author_username"] == "user"
    assert rows.loc["5", "text"] == "Hello, World." and rows.loc["5", "text_html"] == "<p>Hello, World.</p>"
    t = c.threads.set_index("thread_id")
    assert t.loc["2", "title"] == "Hello, World!" and t.loc["2", "url"] == "http://example.org/"


def test_disqus_remark42_is_read_leniently_and_says_what_it_repaired():
    with pytest.warns(discourse.DiscourseWarning, match="1 timestamp could not be parsed"):
        c = read_disqus(DATA / "remark42-disqus.xml")
    notes = " ".join(c.ingest[0].notes)
    assert "ignored 1 stray character ('`')" in notes and "quoted 1 attribute value" in notes
    assert "noid-1" in set(c.comments["comment_id"]) and "isSpam='123'" in notes
    rows = c.comments.set_index("comment_id")
    assert rows.loc["299619020", "text"] == "The quick brown fox jumps over the lazy dog.\n\nsome link"
    assert rows.loc["299744309", "text"].startswith("Microsoft показал проводник Windows 8")
    assert str(rows.loc["x299986073", "created_at"]) == "NaT"


@pytest.mark.parametrize(
    "post, skipped, kept",
    [
        ("<isDeleted>true</isDeleted>", {"deleted": 1}, 1),
        ("<isSpam>true</isSpam>", {"spam": 1}, 1),
        ("", {}, 2),
    ],
)
def test_disqus_flags(tmp_path, post, skipped, kept):
    p = tmp_path / "d.xml"
    p.write_text('<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">'
                 '<thread dsq:id="t"><title>T</title></thread>'
                 '<post dsq:id="1"><message>a</message><thread dsq:id="t"/></post>'
                 f'<post dsq:id="2"><message>b</message>{post}<thread dsq:id="t"/></post></disqus>')
    c = read_disqus(p)
    assert (c.ingest[0].skipped, len(c.comments)) == (skipped, kept)


def test_disqus_deleted_thread_skips_its_posts(tmp_path):
    p = tmp_path / "d.xml"
    p.write_text('<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">'
                 '<thread dsq:id="t"><isDeleted>true</isDeleted></thread><thread dsq:id="u"/>'
                 '<post dsq:id="1"><message>a</message><thread dsq:id="t"/></post>'
                 '<post dsq:id="2"><message>b</message><thread dsq:id="u"/></post></disqus>')
    c = read_disqus(p)
    assert c.ingest[0].skipped == {"deleted thread": 1} and c.comments["comment_id"].tolist() == ["2"]


def test_disqus_unrepairable_file_fails_with_line(tmp_path):
    p = tmp_path / "d.xml"
    p.write_text('<disqus xmlns="http://disqus.com">\n<post><message>a</post>\n</disqus>')
    with pytest.raises(InputFormatError, match=r"d.xml, line 2: not well-formed XML \(mismatched tag"):
        read_disqus(p)
