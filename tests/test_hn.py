"""Hacker News: Algolia item trees and Firebase items, HTML entities decoded."""

from __future__ import annotations

from pathlib import Path

import pytest

import discourse
from discourse.ingest.hn import read_hn

DATA = Path(__file__).resolve().parent / "data" / "hn"


def test_hn_algolia_tree_nesting_entities_and_deleted_placeholder():
    c = read_hn(DATA / "algolia-item.json")
    rows = c.comments.set_index("comment_id")
    assert rows.loc["1001", "text"] == "Nice work. It's fast & clean.\n\nOne question: where is the data from?"
    assert rows.loc["1001", "text_html"].startswith("<p>Nice work. It&#x27;s")
    assert rows.loc["1002", "parent_id"] == "1001" and rows.loc["1004", "parent_id"] == "1003"
    assert rows.loc["1003", "status"] == "deleted"
    assert "1005" not in rows.index and c.ingest[0].layout == "algolia"
    assert c.threads["title"].tolist() == ["Show HN: A tree planting map"]


def test_hn_firebase_items_join_their_story():
    with pytest.warns(discourse.DiscourseWarning, match="1 orphan"):
        c = read_hn(DATA / "firebase-items.jsonl")
    rows = c.comments.set_index("comment_id")
    assert rows.loc["2001", "thread_id"] == "2000" and rows.loc["2001", "parent_id"] == ""
    assert rows.loc["2002", "parent_id"] == "2001" and rows.loc["2002", "text"] == "Source? I'd like to read it."
    assert rows.loc["2005", "thread_id"] == "firebase-items"
    assert c.ingest[0].skipped == {"dead": 1, "deleted": 1}
    assert str(rows.loc["2005", "created_at"]) == "2020-06-01 12:15:00+00:00"


def test_hn_algolia_search_hits_are_flat_comments_joined_to_stories():
    with pytest.warns(discourse.DiscourseWarning, match="1 orphan"):
        c = read_hn(DATA / "algolia-search.json")
    rows = c.comments.set_index("comment_id")
    assert c.ingest[0].layout == "algolia-search"
    assert rows.loc["1002", "parent_id"] == "1001" and rows.loc["1001", "text"] == "Nice work. It's fast."
    assert rows.loc["2002", "parent_id"] == "" and "orphan" in rows.loc["2002", "parent_evidence"]
    assert c.threads.set_index("thread_id").loc["1000", "title"] == "Show HN: A tree planting map"
