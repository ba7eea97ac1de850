"""WordPress REST API comment pages."""

from __future__ import annotations

from pathlib import Path

from discourse.ingest.wp_rest import read_wp_rest

DATA = Path(__file__).resolve().parent / "data" / "wp-rest"


def test_wp_rest_pages_join_and_keep_links():
    c = read_wp_rest([DATA / "comments-page-1.json", DATA / "comments-page-2.json"])
    rows = c.comments.set_index("comment_id")
    assert rows.loc["31", "text"] == "Trees make the street cooler.\n\nShade matters \u2013 a lot."
    assert rows.loc["32", "parent_id"] == "31" and rows.loc["32", "author_url"] == "https://bob.example"
    assert str(rows.loc["31", "created_at"]) == "2021-03-01 09:15:00+00:00"
    assert sorted(c.threads["thread_id"]) == ["7", "8"]
    assert c.threads.set_index("thread_id").loc["7", "url"] == "https://example.org/elm-street/"
    assert c.ingest[0].skipped == {"duplicate id": 1, "pingback": 1, "spam": 1}
