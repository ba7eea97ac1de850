"""CSV, JSONL and Parquet: reading, writing, round trips without loss, bad input."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import discourse
from discourse.errors import InputFormatError, SchemaError
from discourse.ingest.detect import detect_format
from discourse.ingest.tabular import write_table


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet", ".tsv"])
def test_tabular_round_trip_keeps_ids_parents_and_text(tmp_path, tiny_comments, suffix):
    df = tiny_comments.copy()
    df.loc[0, "text"] = 'Line one,\n"quoted", NA and null\r\nthird line'
    df.loc[7, "author"] = "NA"
    src = tmp_path / f"in{suffix}"
    write_table(df, src)
    with pytest.warns(discourse.DiscourseWarning, match="1 orphan"):
        corpus = discourse.read(src)
    out = corpus.comments
    assert out["comment_id"].tolist() == df["comment_id"].tolist()
    assert out["text"].tolist() == df["text"].tolist()
    assert out["author"].tolist() == df["author"].tolist()
    # The orphan (parent "zz") is re-attached to the post and says so.
    expected_parents = df["parent_id"].replace({"zz": ""}).tolist()
    assert out["parent_id"].tolist() == expected_parents
    again = tmp_path / f"again{suffix}"
    write_table(out, again)
    back = discourse.read(again).comments
    for col in ("thread_id", "comment_id", "parent_id", "text", "parent_source", "parent_evidence", "position"):
        assert back[col].tolist() == out[col].tolist(), col
    assert back["created_at"].tolist() == out["created_at"].tolist()


def test_tabular_detects_format_by_extension_and_content(tmp_path):
    p = tmp_path / "rows"
    p.write_text('{"comment_id": "1", "text": "a"}\n{"comment_id": "2", "text": "b"}\n')
    assert detect_format(p) == ("jsonl", "one JSON object per line")
    j = tmp_path / "rows.json"
    j.write_text('[{"comment_id": "1", "text": "a"}]')
    assert detect_format(j)[0] == "jsonl"
    corpus = discourse.read(j)
    assert corpus.source == "jsonl"


@pytest.mark.parametrize(
    "name, content, error, message",
    [
        ("empty.csv", b"", InputFormatError, "empty.csv: the file is empty"),
        ("blank.csv", b"  \n\n", InputFormatError, "the file is empty"),
        ("binary.csv", bytes(range(256)) * 8, InputFormatError, "looks like a binary file"),
        ("notext.csv", b"comment_id,words\n1,hello\n", SchemaError, "needs a 'text' column; got columns \\['comment_id', 'words'\\]"),
        ("twotexts.csv", b"comment_id,body,message\n1,a,b\n", SchemaError,
         "twotexts.csv: the table has no 'text' column, and 'body' and 'message' could each be it; rename the one "
         "that holds the text to 'text'."),
        ("noid.csv", b"text\nhello\n", SchemaError, "needs a 'comment_id' column"),
        ("reltime.csv", b"cid,text,time\na,hi,2 years ago\n", SchemaError,
         "reltime.csv: created_at must hold ISO 8601 times .*could not parse \\['2 years ago'\\] in comments \\['a'\\]. "
         "The table's column 'time' was read as created_at; convert it to that form, or rename it"),
        # No line holds an object: not JSON Lines at all (one bad line among good ones is skipped).
        ("bad.jsonl", b'\n{"comment_id": \ncomment_id,text\n', InputFormatError,
         "bad.jsonl, line 2: invalid JSON \\(Expecting value, column 16\\); no line of the file holds a JSON object, so "
         "it is not a JSON Lines table"),
        ("list.jsonl", b'[1, 2]\n', InputFormatError, "item 0 of the JSON array is a int"),
        ("bad.parquet", b"PAR1 not really", InputFormatError, "not a readable Parquet file"),
        # One field more than the header in the first row made pandas shift every column silently.
        ("ragged.csv", b"comment_id,text,extra\n1,a,x,y\n2,b,z\n", InputFormatError,
         "ragged.csv: data row 1 has 4 fields but the header names 3 columns. Put text that holds the "
         "separator \\(','\\) in double quotes"),
        ("rag2.csv", b"comment_id,text\n1,a\n2,b,c\n", InputFormatError,
         "Expected 2 fields in line 3, saw 3\\). Check that every row has as many fields as the header"),
    ],
)
def test_tabular_bad_input(tmp_path, name, content, error, message):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(error, match=message):
        discourse.read(p)


def test_tabular_missing_file(tmp_path):
    with pytest.raises(InputFormatError, match="nope.csv: no such file"):
        discourse.read(tmp_path / "nope.csv")


def test_tabular_cp1252_fallback_warns(tmp_path):
    p = tmp_path / "latin.csv"
    p.write_bytes("comment_id,text\n1,caf\u00e9 \u201cquoted\u201d\n".encode("cp1252"))
    with pytest.warns(discourse.DiscourseWarning, match="not valid UTF-8.*decoded as cp1252"):
        corpus = discourse.read(p)
    assert corpus.comments["text"].iloc[0] == "caf\u00e9 \u201cquoted\u201d"
    assert "decoded as cp1252" in corpus.ingest[0].summary()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_tabular_bom_encodings(tmp_path, encoding):
    p = tmp_path / "bom.csv"
    p.write_bytes("comment_id,text\n1,naïve ☃\n".encode(encoding))
    assert discourse.read(p).comments["text"].iloc[0] == "naïve ☃"


def test_tabular_many_files_keep_thread_ids_unique(tmp_path):
    for name in ("a", "b"):
        (tmp_path / f"{name}.csv").write_text("thread_id,comment_id,text\nt,1,hi\n")
    corpus = discourse.read([tmp_path / "a.csv", tmp_path / "b.csv"])
    assert sorted(corpus.threads["thread_id"]) == ["b:t", "t"]
    assert len(corpus.comments) == 2
    assert "renamed" in corpus.ingest[1].summary()
    assert discourse.read(tmp_path).comments["thread_id"].nunique() == 2


def test_tabular_write_rejects_unknown_extension(tmp_path, tiny_comments):
    with pytest.raises(SchemaError, match=r"the output extension must be one of .*; got '\.xlsx'"):
        write_table(tiny_comments, tmp_path / "out.xlsx")


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(_text, min_size=1, max_size=5), suffix=st.sampled_from([".csv", ".jsonl", ".parquet"]))
def test_tabular_property_unicode_survives(tmp_path_factory, texts, suffix):
    df = pd.DataFrame({"comment_id": [str(i) for i in range(len(texts))], "text": texts})
    p = tmp_path_factory.mktemp("rt") / f"x{suffix}"
    write_table(df, p)
    assert discourse.read(p).comments["text"].tolist() == texts


@pytest.mark.parametrize(
    "name, content, want, note",
    [
        # A Pushshift or PRAW export saved as CSV: Reddit's fullnames, epoch seconds.
        ("pushshift.csv",
         "id,parent_id,link_id,author,created_utc,body,score\n"
         "c1,t3_abc,t3_abc,alice,1600000000,First.,5\n"
         "c2,t1_c1,t3_abc,bob,1600000100,\"Sorry alice, but no.\",2\n",
         [["abc", "c1", "", "alice", "2020-09-13 12:26:40+00:00", "First."],
          ["abc", "c2", "c1", "bob", "2020-09-13 12:28:20+00:00", "Sorry alice, but no."]],
         "columns read as the contract names them: body -> text, id -> comment_id, link_id -> thread_id, "
         "created_utc -> created_at"),
        # A chat export in JSON Lines: messages that reply to messages.
        ("chat.jsonl",
         '{"message_id": 1, "user": "ann", "date": "2021-03-01T10:00:00Z", "message": "Hi all"}\n'
         '{"message_id": 2, "reply_to": 1, "user": "bo", "date": "2021-03-01T10:01:00Z", "message": "Hi ann"}\n',
         [["chat", "1", "", "ann", "2021-03-01 10:00:00+00:00", "Hi all"],
          ["chat", "2", "1", "bo", "2021-03-01 10:01:00+00:00", "Hi ann"]],
         "columns read as the contract names them: message -> text, message_id -> comment_id, "
         "reply_to -> parent_id, user -> author, date -> created_at"),
        # A scraper's spreadsheet: spaced, capitalised headers.
        ("sheet.csv",
         "Comment ID,Post ID,User Name,Comment,Timestamp\n7,p,ann,Hello,2021-03-01T10:00:00Z\n",
         [["p", "7", "", "ann", "2021-03-01 10:00:00+00:00", "Hello"]],
         "columns read as the contract names them: Comment -> text, Comment ID -> comment_id, Post ID -> thread_id, "
         "User Name -> author, Timestamp -> created_at"),
    ],
)
def test_tabular_reads_other_tools_column_names(tmp_path, name, content, want, note):
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    c = discourse.read(p)
    cols = ["thread_id", "comment_id", "parent_id", "author", "created_at", "text"]
    got = c.comments[cols].astype(str).values.tolist()
    assert got == want
    assert note in c.ingest[0].notes


def test_tabular_contract_column_wins_over_other_names(tmp_path):
    p = tmp_path / "both.csv"
    p.write_text("comment_id,text,body,id\n1,the text,the body,x\n", encoding="utf-8")
    c = discourse.read(p)
    assert c.comments[["comment_id", "text", "body", "id"]].values.tolist() == [["1", "the text", "the body", "x"]]
    assert not any("columns read as" in n for n in c.ingest[0].notes)


def _spellings(targets):
    names = [n for t in targets for n in (t, *discourse.ingest.COLUMN_ALIASES[t])]
    return st.sampled_from(names).flatmap(lambda n: st.sampled_from([n, n.upper(), n.replace("_", " ").title()]))


_TIMES = {n for n in ("created_at", *discourse.ingest.COLUMN_ALIASES["created_at"])}


@settings(max_examples=80, deadline=None)
@given(text=_spellings(["text"]), cid=_spellings(["comment_id"]),
       others=st.lists(_spellings(["parent_id", "thread_id", "author", "created_at", "text"]), max_size=4),
       n_rows=st.integers(min_value=1, max_value=4))
def test_tabular_property_any_mix_of_column_names_is_read_or_refused_clearly(tmp_path_factory, text, cid, others,
                                                                            n_rows):
    names = list(dict.fromkeys(n for n in [text, cid, *others]))
    keys = [n.lower().replace(" ", "_") for n in names]
    if len(set(keys)) < len(keys):
        return
    df = pd.DataFrame({n: [f"2021-03-0{i + 1}" if k in _TIMES else f"v{i}" for i in range(n_rows)]
                       for n, k in zip(names, keys)})
    p = tmp_path_factory.mktemp("alias") / "t.csv"
    df.to_csv(p, index=False)
    try:
        c = discourse.read(p)
    except SchemaError as err:
        # Only two candidates for one column are refused, and the message names the file and both.
        assert str(err).startswith(f"{p}: the table has no '") and "could each be it" in str(err)
        return
    r = c.ingest[0]
    # Every row is kept or counted as skipped; the text is the text column's.
    assert r.kept + sum(r.skipped.values()) == r.seen == n_rows
    assert c.comments["text"].tolist() == df[text].tolist()


@pytest.mark.parametrize("content, sep", [
    (b"comment_id;parent_id;text\n1;;Hallo Welt\n2;1;Antwort, mit Komma\n", ";"),  # Excel where , is the decimal mark
    (b"comment_id\tparent_id\ttext\n1\t\tHallo Welt\n2\t1\tAntwort, mit Komma\n", "\t"),
    (b"comment_id,parent_id,text,\n1,,Hallo Welt,\n2,1,\"Antwort, mit Komma\",\n", ","),  # a trailing comma
])
def test_tabular_csv_separator_and_trailing_comma(tmp_path, content, sep):
    p = tmp_path / "c.csv"
    p.write_bytes(content)
    corpus = discourse.read(p)
    assert corpus.comments[["comment_id", "parent_id", "text"]].values.tolist() == [
        ["1", "", "Hallo Welt"], ["2", "1", "Antwort, mit Komma"]]
    assert (f"fields separated by {sep!r}" in corpus.ingest[0].summary()) == (sep == ";")
