"""Reddit: thread listings with nested replies and `more` stubs; flat Pushshift-style dumps, streamed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import discourse
from discourse.ingest.reddit import read_reddit, read_reddit_jsonl

DATA = Path(__file__).resolve().parent / "data" / "reddit"


def test_reddit_listing_keeps_display_order_and_links():
    c = read_reddit(DATA / "jlbw48.json")
    assert c.threads["thread_id"].tolist() == ["jlbw48"]
    assert c.comments["position"].tolist() == list(range(6))
    linked = c.comments[c.comments["parent_id"] != ""]
    assert len(linked) == 3 and c.ingest[0].links == 3


def test_reddit_deleted_placeholders_more_stubs_and_escaping():
    c = read_reddit(DATA / "deleted-and-more.json")
    rows = c.comments.set_index("comment_id")
    assert rows.loc["c2", "status"] == "deleted" and rows.loc["c3", "parent_id"] == "c2"
    assert "c4" not in rows.index and c.ingest[0].skipped == {"removed": 1}
    assert rows.loc["c5", "author"] == "" and rows.loc["c5", "author_source"] == "unknown"
    assert rows.loc["c1", "text"] == "Yes > no. Trees & shade."
    assert rows.loc["c1", "text_html"] == '<div class="md"><p>Yes</p></div>'
    assert c.threads["text"].tolist() == ["Discuss & vote."]
    r = c.ingest[0]
    assert r.not_downloaded == 10 and "10 more comments not downloaded" in r.summary()
    assert any("2 'load more' stubs and 1 'continue this thread'" in n for n in r.notes)


def test_reddit_jsonl_normalises_prefixes_and_skips_bad_lines():
    with pytest.warns(discourse.DiscourseWarning) as caught:
        c = read_reddit_jsonl(DATA / "pushshift.jsonl")
    messages = [str(w.message) for w in caught]
    assert any("1 line not a JSON object, skipped as unparseable (line 8; line 8: invalid JSON" in m for m in messages)
    assert any("reply links repaired: 1 orphan" in m for m in messages)
    rows = c.comments.set_index("comment_id")
    assert rows.loc["c1", "parent_id"] == "" and rows.loc["c1", "text"] == "Yes, trees > parking."
    assert rows.loc["c2", "parent_id"] == "c1" and rows.loc["c3", "parent_id"] == "c2"
    assert rows.loc["c4", "parent_id"] == "" and "orphan" in rows.loc["c4", "parent_evidence"]
    assert sorted(c.threads["thread_id"]) == ["abc123", "xyz789"]
    assert c.threads.set_index("thread_id").loc["abc123", "title"] == "Should the city plant more trees?"
    assert c.ingest[0].skipped == {"duplicate id": 1, "unparseable": 1}
    assert str(rows.loc["c2", "created_at"]) == "2020-09-13 12:30:00+00:00"


def test_reddit_jsonl_line_separators_inside_text_do_not_split_records(tmp_path):
    p = tmp_path / "d.jsonl"
    body = "one\u2028two\u0085three\rfour"
    line = json.dumps({"id": "x", "parent_id": "t3_p", "link_id": "t3_p", "body": body}, ensure_ascii=False)
    p.write_text(line.replace("\\r", "\\r") + "\n", encoding="utf-8")
    assert read_reddit_jsonl(p).comments["text"].tolist() == [body]


def test_reddit_jsonl_cp1252_lines_fall_back_with_warning(tmp_path):
    p = tmp_path / "d.jsonl"
    good = json.dumps({"id": "a", "parent_id": "t3_p", "link_id": "t3_p", "body": "fine"}) + "\n"
    bad = '{"id": "b", "parent_id": "t3_p", "link_id": "t3_p", "body": "caf\u00e9"}\n'.encode("cp1252")
    p.write_bytes(good.encode() + bad)
    with pytest.warns(discourse.DiscourseWarning, match="1 lines are not valid UTF-8"):
        c = read_reddit_jsonl(p)
    assert c.comments["text"].tolist() == ["fine", "café"]


def test_reddit_listing_that_is_not_a_listing_fails(tmp_path):
    p = tmp_path / "x.json"
    p.write_text('[{"kind": "t1"}]')
    with pytest.raises(discourse.InputFormatError, match="not a Reddit listing"):
        read_reddit(p)


@pytest.mark.parametrize("listing, message", [
    ([{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": 5}]}}], "'data' of type int"),
    ([{"kind": "Listing", "data": "x"}], "'data' of type str"),
    ([{"kind": "Listing", "data": {"children": [3]}}], "not a list of objects"),
    ([{"kind": "Listing", "data": {"children": {"kind": "t1"}}}], "not a list of objects"),
])
def test_reddit_listing_with_malformed_things_fails_clearly(tmp_path, listing, message):
    p = tmp_path / "x.json"
    p.write_text(json.dumps(listing))
    with pytest.raises(discourse.InputFormatError, match=message):
        read_reddit(p)


def test_reddit_listing_non_string_bodies_are_kept_as_text(tmp_path):
    p = tmp_path / "x.json"
    kids = [{"kind": "t1", "data": {"id": "a", "body": 42, "body_html": 7.5, "link_id": "t3_p", "parent_id": "t3_p"}}]
    p.write_text(json.dumps([{"kind": "Listing", "data": {"children": kids}}]))
    corpus = read_reddit(p)
    assert corpus.comments["text"].tolist() == ["42"]


def test_reddit_listing_post_without_fields_is_kept_as_an_empty_post(tmp_path):
    p = tmp_path / "x.json"
    p.write_text(json.dumps([{"kind": "Listing", "data": {"children": [{"kind": "t3"}]}}]))
    corpus = read_reddit(p)
    assert len(corpus.threads) == 1 and corpus.comments.empty


def test_reddit_jsonl_record_without_id_is_kept_under_a_made_up_id(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_text('{"parent_id": "t3_p", "link_id": "t3_p", "body": "no id here"}\n'
                 '{"id": "b", "parent_id": "t3_p", "link_id": "t3_p", "body": "fine"}\n')
    c = read_reddit_jsonl(p)
    assert c.comments["comment_id"].tolist() == ["noid-1", "b"]
    assert any("without an id" in n for n in c.ingest[0].notes) and c.ingest[0].balanced
