"""Saved WordPress comment sections: modern comment-list and older commentlist markup."""

from __future__ import annotations

from pathlib import Path

import pytest

from discourse.errors import InputFormatError
from discourse.ingest.wp_html import read_wp_html

DATA = Path(__file__).resolve().parent / "data" / "wp-html"


def test_wp_html_modern_nesting_author_time_text():
    c = read_wp_html(DATA / "modern-comment-list.html")
    rows = c.comments.set_index("comment_id")
    assert rows["parent_id"].to_dict() == {"101": "", "102": "101", "103": "102", "105": ""}
    assert rows.loc["102", "author"] == "Bob"
    assert rows.loc["101", "text"] == "Trees make the street cooler.\n\nShade matters in July & August.\n\nLess heat\nMore birds"
    assert "<strong>cooler</strong>" in rows.loc["101", "text_html"]
    assert str(rows.loc["103", "created_at"]) == "2021-03-01 12:30:00+00:00"
    t = c.threads.iloc[0]
    assert (t["thread_id"], t["title"]) == ("modern-comment-list", "Plant more trees on Elm Street")
    assert t["text"] == "The council votes on Tuesday.\n\nTell us what you think."


def test_wp_html_older_commentlist_markup():
    c = read_wp_html(DATA / "older-commentlist.html")
    rows = c.comments.set_index("comment_id")
    assert rows["parent_id"].to_dict() == {"12": "", "13": "12"}
    assert rows.loc["12", "text"] == "First paragraph of an old comment.\n\nSecond paragraph."
    assert rows.loc["13", "author"] == "Author" and rows.loc["13", "text"] == "Thanks, Ann."
    assert str(rows.loc["12", "created_at"]) == "2009-05-03 10:15:00+00:00"
    assert c.threads["title"].tolist() == ["Old post"]


def test_wp_html_without_comment_list_fails(tmp_path):
    p = tmp_path / "x.html"
    p.write_text("<html><body><p>No comments here.</p></body></html>")
    with pytest.raises(InputFormatError, match="holds no WordPress comment list"):
        read_wp_html(p)


def test_wp_html_page_cut_short_warns_and_notes(tmp_path):
    import warnings

    from discourse.errors import DiscourseWarning

    whole = (DATA / "modern-comment-list.html").read_text()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DiscourseWarning)  # the whole page: no warning
        assert len(read_wp_html(DATA / "modern-comment-list.html").comments) == 4
    # Cut inside the last top-level comment: the list never ends, a comment is missing.
    cut = tmp_path / "cut.html"
    cut.write_text(whole[: whole.index("Café owners") + 10])
    with pytest.warns(DiscourseWarning, match="never ends: the page looks cut short"):
        c = read_wp_html(cut)
    assert sorted(c.comments["comment_id"]) == ["101", "102", "103", "105"]
    assert c.comments.set_index("comment_id").loc["105", "text"] == "Café owner"
    assert any("cut short" in n for n in c.ingest[0].notes)
    cut.write_text(whole[: whole.index('id="comment-105"') - 10])
    with pytest.warns(DiscourseWarning, match="cut short"):
        assert sorted(read_wp_html(cut).comments["comment_id"]) == ["101", "102", "103"]
