"""WordPress WXR: comment_parent trees, statuses, CDATA and escaping, lenient and safe XML."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

import discourse
from discourse.errors import InputFormatError
from discourse.ingest.wxr import read_wxr

DATA = Path(__file__).resolve().parent / "data" / "wxr"


@pytest.fixture(scope="module")
def sample():
    with pytest.warns(discourse.DiscourseWarning, match="1 orphan, 1 self-reply"):
        return read_wxr(DATA / "theme-sample.xml")


def test_wxr_keeps_nesting_and_cuts_bad_links(sample):
    c = sample.comments.set_index("comment_id")
    assert c.loc["102", "parent_id"] == "101" and c.loc["103", "parent_id"] == "102"
    assert c.loc["109", "parent_id"] == "" and "orphan" in c.loc["109", "parent_evidence"]
    assert c.loc["201", "parent_id"] == "" and "self-reply" in c.loc["201", "parent_evidence"]
    assert sample.ingest[0].repaired == {"orphans": 1, "self_replies": 1}


@pytest.mark.parametrize(
    "comment_id, text, html",
    [
        ("101", "Trees make the street cooler.\n\nShade matters in July.",
         "Trees make the street <strong>cooler</strong>.\n\nShade matters in July."),
        # Escaped (not CDATA) content: XML unescapes once, HTML once more, as WordPress shows it.
        ("102", "Ann, trees also take parking <spaces> & lanes.", "Ann, trees also take parking &lt;spaces&gt; &amp; lanes."),
        ("109", "Replying to a comment that is gone. Café ☕", "Replying to a comment that is gone. Café ☕"),
        ("201", "First paragraph.\n\nSecond\nline.", "<p>First paragraph.</p><p>Second<br />line.</p>"),
    ],
)
def test_wxr_text_is_plain_and_markup_is_kept(sample, comment_id, text, html):
    row = sample.comments.set_index("comment_id").loc[comment_id]
    assert (row["text"], row["text_html"]) == (text, html)


def test_wxr_times_use_gmt_and_fall_back_to_local_date(sample):
    c = sample.comments.set_index("comment_id")
    assert str(c.loc["101", "created_at"]) == "2021-03-01 10:15:00+00:00"
    assert str(c.loc["103", "created_at"]) == "2021-03-01 12:30:00+00:00"


def test_wxr_thread_rows_hold_the_post(sample):
    t = sample.threads.set_index("thread_id")
    assert t.loc["11", "title"] == "Plant more trees on Elm Street"
    assert t.loc["11", "text"] == "The council votes on Tuesday.\n\nTell us what you think & why."
    assert t.loc["11", "url"] == "https://example.org/2021/03/elm-street/"
    assert "author_email" not in sample.comments.columns and "192.0.2.1" not in sample.comments.to_csv()


def test_wxr_backslashes_survive():
    assert read_wxr(DATA / "slashes.xml").comments["text"].tolist() == ["\\o/ ¯\\_(ツ)_/¯"]


def test_wxr_undeclared_prefix_is_read_and_noted():
    c = read_wxr(DATA / "wordpress-com-undeclared-atom.xml")
    assert c.comments["parent_id"].tolist() == ["", "1"]
    assert any("declared the namespace prefix atom" in n for n in c.ingest[0].notes)


@pytest.mark.parametrize(
    "content, message",
    [
        ('<?xml version="1.0"?>\n<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>\n<item><title>A & B</title>\n</item></channel></rss>',
         r"bad.xml, line 3: not well-formed XML \(not well-formed \(invalid token\), column 17\)"),
        ('<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item>\n<wp:comment><wp:comment_id>1',
         r"bad.xml, line 2: not well-formed XML \(no element found"),
        ('<!DOCTYPE rss [<!ENTITY lol "lol">]><rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>&lol;</channel></rss>',
         r"bad.xml: the WordPress export declares XML entities .*refused for safety"),
        ('<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>&x;</channel></rss>',
         r"refused for safety"),
        ('<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><wp:post_id>1</wp:post_id></item></channel></rss>',
         r"bad.xml: is a WordPress export with 1 posts but no <wp:comment>"),
        ('<feed xmlns:wp="http://wordpress.org/export/1.2/"/>', r"not a WordPress export"),
    ],
)
def test_wxr_bad_input_names_file_line_and_problem(tmp_path, content, message):
    p = tmp_path / "bad.xml"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(InputFormatError, match=message):
        read_wxr(p)


def test_wxr_cli_error_is_one_line(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from discourse.cli import cli

    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.xml").write_text('<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>\n<item><title>A & B</title></item></channel></rss>')
    result = CliRunner().invoke(cli, ["analyze", "bad.xml", "-o", "o.csv"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: bad.xml, line 2: not well-formed XML")
    assert "Traceback" not in result.output


def test_wxr_html_entities_xml_does_not_define_are_read(tmp_path):
    p = tmp_path / "nbsp.xml"
    p.write_text('<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><wp:post_id>1</wp:post_id>'
                 '<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_content>a&nbsp;b &eacute;</wp:comment_content>'
                 '<wp:comment_approved>1</wp:comment_approved></wp:comment></item></channel></rss>')
    c = read_wxr(p)
    assert c.comments["text"].tolist() == ["a\xa0b é"]
    assert any("&eacute;" in n and "&nbsp;" in n for n in c.ingest[0].notes)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "iso-8859-1"])
def test_wxr_encodings(tmp_path, encoding):
    decl = "ISO-8859-1" if encoding == "iso-8859-1" else "UTF-8"
    xml = (f'<?xml version="1.0" encoding="{decl}"?><rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item>'
           '<wp:post_id>1</wp:post_id><wp:comment><wp:comment_id>1</wp:comment_id>'
           '<wp:comment_content>Café crème</wp:comment_content><wp:comment_approved>1</wp:comment_approved>'
           '</wp:comment></item></channel></rss>')
    p = tmp_path / "enc.xml"
    data = xml.encode("utf-16") if encoding == "utf-16" else xml.encode(encoding)
    if encoding == "utf-16":
        assert data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    p.write_bytes(data)
    assert discourse.read(p).comments["text"].tolist() == ["Café crème"]


def test_wxr_cp1252_bytes_in_a_utf8_file_warn(tmp_path):
    xml = ('<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><wp:post_id>1</wp:post_id>'
           '<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_content>\u201cquoted\u201d</wp:comment_content>'
           '<wp:comment_approved>1</wp:comment_approved></wp:comment></item></channel></rss>')
    p = tmp_path / "cp.xml"
    p.write_bytes(xml.encode("cp1252"))
    with pytest.warns(discourse.DiscourseWarning, match="decoded as cp1252"):
        c = read_wxr(p)
    assert c.comments["text"].tolist() == ["\u201cquoted\u201d"]
    assert "decoded as cp1252" in c.ingest[0].summary()


def test_wxr_mojibake_is_left_visible(tmp_path):
    xml = ('<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><wp:post_id>1</wp:post_id>'
           '<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_content>CafÃ© â€œmojibakeâ€\x9d</wp:comment_content>'
           '<wp:comment_approved>1</wp:comment_approved></wp:comment></item></channel></rss>')
    p = tmp_path / "moji.xml"
    p.write_text(xml, encoding="utf-8")
    assert read_wxr(p).comments["text"].iloc[0] == "CafÃ© â€œmojibakeâ€\x9d"
