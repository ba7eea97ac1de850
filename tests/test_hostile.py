"""Hostile and broken input: every case ends in a result or a DiscourseError, never a
traceback, a hang, or a silently shorter table. Inputs are generated, not committed."""

from __future__ import annotations

import json
import sys
import warnings

import pandas as pd
import pytest

import discourse
from discourse.errors import DiscourseError, DiscourseWarning
from discourse.graph import add_depth
from discourse.model import normalize_comments, repair_links


def _read(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiscourseWarning)
        return discourse.read(path)


def test_hostile_deep_reply_chain_does_not_recurse(tmp_path):
    n = 100_000
    ids = [f"c{i}" for i in range(n)]
    df = pd.DataFrame({"comment_id": ids, "parent_id": [""] + ids[:-1], "text": ["x"] * n})
    p = tmp_path / "deep.csv"
    df.to_csv(p, index=False)
    limit = sys.getrecursionlimit()
    corpus = discourse.read(p)
    assert len(corpus.comments) == n
    depth = add_depth(corpus.comments)["depth"]
    assert depth.iloc[-1] == n
    assert sys.getrecursionlimit() == limit


def test_hostile_long_cycle_is_broken_once(tmp_path):
    n = 5_000
    ids = [f"c{i}" for i in range(n)]
    df = normalize_comments(pd.DataFrame({"comment_id": ids, "parent_id": ids[1:] + ids[:1], "text": [""] * n}))
    fixed, counts = repair_links(df, warn=False)
    assert counts == {"cycles_broken": 1}
    assert (fixed["parent_id"] == "").sum() == 1
    assert len(fixed) == n


def test_hostile_huge_single_comment(tmp_path):
    big = "word " * (10 * 2**20)  # 50 MB of text in one comment
    p = tmp_path / "big.jsonl"
    p.write_text(json.dumps({"comment_id": "1", "text": big}) + "\n", encoding="utf-8")
    corpus = discourse.read(p)
    assert len(corpus.comments["text"].iloc[0]) == len(big)


@pytest.mark.parametrize(
    "text",
    [
        "🎉🎉🎉",
        "   \t  ",
        "\u202eRight-to-left override\u202c and עברית and العربية",
        "control \x01\x02\x07 chars",
        "<script>alert(1)</script> **markdown** [link](javascript:alert(1))",
        "\u2028line\u2029separators\x85",
        "zero\u200bwidth\ufeffjoiners",
    ],
)
@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_hostile_odd_text_survives_every_table_format(tmp_path, text, suffix):
    from discourse.ingest.tabular import write_table

    df = pd.DataFrame({"comment_id": ["1", "2"], "text": [text, "plain"]})
    p = tmp_path / f"odd{suffix}"
    write_table(df, p)
    corpus = _read(p)
    assert corpus.comments["text"].tolist() == [text, "plain"]


@pytest.mark.parametrize(
    "content",
    [
        b'{"comment_id": "1", "text": "trunc',
        b'[{"comment_id": "1", "text": "a"}, ',
        b"\xff\xfe\x00\x00garbage",
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        b"PK\x03\x04" + bytes(range(256)) * 4,
        b'{"comment_id": "1", "text": "a"}\n[1, 2, 3]\n',
        b'{"comment_id": "1", "text": "a"}\n{"comment_id": "1", "text": "b"}\n',
        b'"unterminated,quote\n1,2\n',
    ],
)
@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".txt", ".json"])
def test_hostile_broken_files_give_discourse_errors(tmp_path, content, suffix):
    p = tmp_path / f"broken{suffix}"
    p.write_bytes(content)
    try:
        corpus = _read(p)
    except DiscourseError as err:
        assert str(err).startswith(str(p)) or "broken" in str(err)
    else:
        # Read as something: then every record the reader saw is accounted for.
        for r in corpus.ingest:
            assert r.balanced


def test_hostile_ids_colliding_across_files(tmp_path):
    for name in ("one", "two", "three"):
        (tmp_path / f"{name}.csv").write_text("thread_id,comment_id,parent_id,text\nt,1,,a\nt,2,1,b\n")
    corpus = discourse.read(sorted(tmp_path.glob("*.csv")))
    assert corpus.comments["thread_id"].nunique() == 3
    assert len(corpus.comments) == 6
    # Links stay inside their own thread.
    g = corpus.graph
    assert g.number_of_edges() == 6
