"""ConvoKit corpus directories: import (reply_to and reply-to) and export, round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

import discourse
from discourse.ingest import to_convokit
from discourse.ingest.convokit import read_convokit

DATA = Path(__file__).resolve().parent / "data" / "convokit" / "cornell-mini"


def test_convokit_import_roots_become_posts():
    c = read_convokit(DATA)
    assert c.threads.set_index("thread_id")["title"].to_dict() == {"p1": "Late-night study spots", "p2": "Slope day photo"}
    assert c.threads.set_index("thread_id").loc["p1", "text"] == "Where do people study late?"
    rows = c.comments.set_index("comment_id")
    assert rows["parent_id"].to_dict() == {"u1": "", "u2": "u1", "u3": "u2", "u4": ""}
    assert rows.loc["u3", "author"] == "[deleted]"
    assert json.loads(rows.loc["u1", "meta"]) == {"score": 4}


def test_convokit_round_trip(tmp_path, tiny_comments):
    with __import__("warnings").catch_warnings():
        __import__("warnings").simplefilter("ignore")
        corpus = discourse.Corpus.from_frames(tiny_comments)
    out = to_convokit(corpus, tmp_path / "ck")
    utterances = [json.loads(line) for line in (out / "utterances.jsonl").read_text().splitlines()]
    # The keys ConvoKit's loader reads (convokit/model/corpus_helpers.py): "reply-to", as its dump writes.
    assert {u["id"] for u in utterances if u["reply-to"] is None} == {"t1", "t2"}
    assert all(set(u) >= {"id", "conversation_id", "speaker", "text", "reply-to", "timestamp", "meta"} for u in utterances)
    speakers = json.loads((out / "speakers.json").read_text())
    assert {u["speaker"] for u in utterances} <= set(speakers) and all("meta" in v for v in speakers.values())
    assert json.loads((out / "index.json").read_text())["version"] == 1
    back = read_convokit(out)
    cols = ["thread_id", "comment_id", "parent_id", "author", "text"]
    for col in cols:
        assert back.comments[col].tolist() == corpus.comments[col].tolist(), col
    assert back.comments["created_at"].tolist() == corpus.comments["created_at"].tolist()


def test_convokit_qualifies_ids_that_repeat_across_threads(tmp_path):
    df = pd.DataFrame({"thread_id": ["a", "b"], "comment_id": ["1", "1"], "text": ["x", "y"]})
    out = to_convokit(discourse.Corpus.from_frames(df), tmp_path / "ck")
    ids = [json.loads(line)["id"] for line in (out / "utterances.jsonl").read_text().splitlines()]
    assert ids == ["a", "b", "a/1", "b/1"]


def test_convokit_reply_to_key_of_newer_corpora(tmp_path):
    lines = [{"id": "r", "conversation_id": "r", "speaker": "s", "text": "", "reply_to": None, "timestamp": 1},
             {"id": "x", "conversation_id": "r", "speaker": "t", "text": "hi", "reply_to": "r", "timestamp": 2},
             {"id": "y", "conversation_id": "r", "speaker": "s", "text": "yo", "reply_to": "x", "timestamp": 3}]
    (tmp_path / "utterances.jsonl").write_text("\n".join(json.dumps(x) for x in lines))
    c = read_convokit(tmp_path)
    assert c.comments["parent_id"].tolist() == ["", "x"]
