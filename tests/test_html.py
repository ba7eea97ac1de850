"""HTML in comments to plain text, and the lenient HTML tree the saved-page reader walks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from discourse.ingest._html import html_to_text, looks_like_html, parse_html


@pytest.mark.parametrize(
    "markup, keep_newlines, text",
    [
        ("<p>One.</p><p>Two.</p>", False, "One.\n\nTwo."),
        ("<p>One<p>Two", False, "One\n\nTwo"),  # HN leaves paragraphs unclosed
        ("Line<br>next<br/>last", False, "Line\nnext\nlast"),
        ("It&#x27;s &gt; &amp; &quot;ok&quot; &hellip;", False, "It's > & \"ok\" \u2026"),
        ("<a href='x'>link text</a> and <em>more</em>", False, "link text and more"),
        ("<script>alert(1)</script>Safe<style>p{}</style>", False, "Safe"),
        ("<blockquote>quoted</blockquote>reply", False, "quoted\n\nreply"),
        ("<ul><li>a</li><li>b</li></ul>", False, "a\nb"),
        ("<pre>  code\n    indented</pre>", False, "code\n    indented"),
        ("a   b\n\n c", False, "a   b\n\n c"),  # no tag or entity: unchanged but for the ends
        ("spaced   <b>out</b>\n  text", False, "spaced out text"),
        ("One.\n\nTwo <b>bold</b>.\nThree.", True, "One.\n\nTwo bold.\nThree."),
        ("<!-- wp:paragraph --><p>Block</p><!-- /wp:paragraph -->", False, "Block"),
        ("3 < 4 and 5 > 2", False, "3 < 4 and 5 > 2"),
    ],
)
def test_html_to_text(markup, keep_newlines, text):
    assert html_to_text(markup, keep_newlines=keep_newlines) == text


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_html_property_plain_text_survives(text):
    if not looks_like_html(text):
        assert html_to_text(text) == text.strip()
        assert html_to_text(text, keep_newlines=True) == text.strip()


@given(st.text(max_size=60))
def test_html_property_never_raises_and_drops_no_words(text):
    markup = "<p>" + text.replace("<", " ").replace("&", " ") + "</p>"
    out = html_to_text(markup)
    assert out.split() == text.replace("<", " ").replace("&", " ").split()


def test_html_tree_tolerates_stray_end_tags_and_implied_closes():
    doc = parse_html('<ol class="comment-list"><li id="a">One</a><p>x<p>y<ol class="children"><li id="b">Two</ol><li id="c">Three</ol>')
    top = doc.find(lambda n: "comment-list" in n.classes)
    assert [li.attrs["id"] for li in top.elements()] == ["a", "c"]
    child = top.elements()[0].find(lambda n: "children" in n.classes)
    assert [li.attrs["id"] for li in child.elements()] == ["b"]
