"""The scraped-page reader: the seed thread and the other layouts, nothing lost."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import discourse
from discourse.errors import InputFormatError
from discourse.ingest.page import page_to_corpus, parse_page, reassemble

from .conftest import DATA


def test_page_seed_has_22_comments_and_the_letter_as_post(seed_corpus):
    assert len(seed_corpus.comments) == 22
    assert len(seed_corpus.threads) == 1
    post = seed_corpus.threads["text"].iloc[0]
    assert post.startswith("Steve Zimmer has been on the Los Angeles Unified School Board")
    assert "He wrote these reflections on his defeat:\nFriends," in post
    assert post.endswith("Anika and I thank you.\nSteve")
    assert "Add us to your address book" not in post
    assert seed_corpus.ingest[0].layout == "like-buttons"


def test_page_seed_comments_are_exact_slices_without_artifacts(seed_corpus, seed_path):
    page = seed_path.read_text(encoding="utf-8")
    pieces = seed_corpus.pieces
    for row in seed_corpus.comments.itertuples():
        piece = pieces[(pieces.kind == "comment") & (pieces.comment_id == row.comment_id)].iloc[0]
        assert page[piece.start:piece.end] == row.text
        assert not re.search(r"^\s*Like(Like)?\s*$", row.text, re.M)
        assert row.text == row.text.strip()
    texts = seed_corpus.comments["text"].tolist()
    assert texts[0] == "This is SICK!"
    assert texts[-1] == "All of their donations could go to fully funding public schools. They will rot in hell, soulless turds."
    assert texts[12].startswith("Sorry, Ellen but")
    assert texts[13].startswith("Wow Duane")


def test_page_seed_reassembles_byte_for_byte(seed_corpus, seed_path):
    page = seed_path.read_text(encoding="utf-8")
    assert reassemble(seed_corpus.pieces) == page
    kinds = seed_corpus.pieces["kind"].value_counts().to_dict()
    assert kinds["artifact"] == 22
    assert kinds["boilerplate"] == 3
    assert kinds["comment"] == 22
    # The pieces tile the page: each starts where the previous ended.
    p = seed_corpus.pieces.sort_values("start")
    assert p["start"].iloc[0] == 0
    assert (p["start"].iloc[1:].to_numpy() == p["end"].iloc[:-1].to_numpy()).all()
    assert p["end"].iloc[-1] == len(page)


@pytest.mark.parametrize(
    "name, layout, n, first, authors",
    [
        ("like-buttons.txt", "like-buttons", 2, "I ride every day.", ["", ""]),
        ("reply-buttons.txt", "reply-buttons", 4, "Closing on Sundays hurts the families who work all week.", [""] * 4),
        ("says-headers.txt", "says-headers", 3, "Yes! The street is an oven in July.", ["Priya Shah", "Dan O'Neil", "Priya Shah"]),
        ("blank-lines.txt", "blank-lines", 3, "It gave my kids a day for music lessons.", [""] * 3),
    ],
)
def test_page_layouts(name, layout, n, first, authors):
    path = DATA / "page" / name
    corpus = discourse.read(path)
    report = corpus.ingest[0]
    assert report.layout == layout
    assert report.format == "page"
    assert len(corpus.comments) == n
    assert corpus.comments["text"].iloc[0] == first
    assert corpus.comments["author"].tolist() == authors
    assert reassemble(corpus.pieces) == path.read_text(encoding="utf-8")
    assert report.balanced


def test_page_says_headers_parse_dates():
    corpus = discourse.read(DATA / "page" / "says-headers.txt")
    times = corpus.comments["created_at"].dt.strftime("%Y-%m-%d %H:%M").tolist()
    assert times == ["2021-03-03 09:15", "2021-03-03 10:02", "2021-03-04 20:40"]
    assert corpus.comments["author_source"].tolist() == ["explicit"] * 3


def test_page_reply_buttons_keep_multiline_comment():
    corpus = discourse.read(DATA / "page" / "reply-buttons.txt")
    assert corpus.comments["text"].iloc[2] == "I would cut the consultants, Tom.\nTheir fees paid for two librarians last year."
    removed = corpus.pieces[corpus.pieces.kind.isin(["artifact", "heading"])]["text"].tolist()
    assert "Share this:" in removed and "4 Responses" in removed


@pytest.mark.parametrize(
    "page, message",
    [
        ("Just one paragraph with no comments at all.", "found no comments"),
        ("\n\n   \n", "holds no text"),
        ("LikeLike\nLikeLike\n", "no post before them"),
        ("A post.\nFirst comment.\nLikeLike\n", "cannot tell where the post ends"),
    ],
)
def test_page_without_comments_says_so(page, message):
    with pytest.raises(InputFormatError, match=message):
        parse_page(page)


_line = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"), max_size=40)


@settings(max_examples=150, deadline=None)
@given(post=_line.filter(lambda s: s.strip() != ""), comments=st.lists(_line, min_size=1, max_size=6),
       button=st.sampled_from(["LikeLike", "Like", "Reply"]))
def test_page_property_any_text_reassembles(post, comments, button):
    page = post + "\n\n" + "".join(f"{c}\n{button}\n" for c in comments)
    try:
        corpus = page_to_corpus(page)
    except InputFormatError:
        return  # e.g. every comment was blank or itself a button: refused with a message
    assert reassemble(corpus.pieces) == page
    for row in corpus.comments.itertuples():
        assert row.text in page
    report = corpus.ingest[0]
    assert report.seen == report.kept + sum(report.skipped.values())
