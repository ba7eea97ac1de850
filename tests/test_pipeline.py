"""Tests for discourse.pipeline: the per-thread chain and the garbage collector; a stored,
analysed corpus (corpus-level stages only, topics as stored)."""

from __future__ import annotations

import gc

import pandas as pd
import pytest
from click.testing import CliRunner

import discourse
from discourse import pipeline, sentiment, store
from discourse.cli import cli
from discourse.errors import SchemaError
from discourse.topics import TopicSummary, fit_topics



@pytest.fixture
def collector_state():
    was = gc.isenabled()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


@pytest.mark.parametrize("enabled", [True, False])
def test_pipeline_analyze_comments_restores_the_collector(enabled, tiny_comments, collector_state, monkeypatch):
    seen = []
    score = sentiment.score

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return score(*args, **kwargs)

    monkeypatch.setattr(sentiment, "score", spy)
    gc.enable() if enabled else gc.disable()
    out, _ = pipeline.analyze_comments(tiny_comments)
    assert seen == [False]  # paused while the stages run
    assert gc.isenabled() is enabled
    assert len(out) == len(tiny_comments)


def test_pipeline_analyze_comments_restores_the_collector_after_an_error(collector_state):
    gc.enable()
    with pytest.raises(SchemaError):
        pipeline.analyze_comments(pd.DataFrame({"thread_id": ["t"], "comment_id": ["1"]}))
    assert gc.isenabled()


def test_pipeline_analyze_comments_same_result_with_and_without_the_collector(tiny_comments, collector_state):
    gc.disable()
    paused = pipeline.analyze_comments(tiny_comments)
    gc.enable()
    with pipeline._collector_paused():
        pass
    assert gc.isenabled()
    again = pipeline.analyze_comments(tiny_comments)
    for a, b in zip(paused, again):
        pd.testing.assert_frame_equal(a, b)



@pytest.mark.parametrize("options, expected", [
    ({}, True),
    ({"order": "chronological"}, False),
    ({"infer_replies": "never"}, False),
    ({"frames": ["war"]}, False),
])
def test_pipeline_stored_options_match(seed_store, options, expected):
    assert pipeline.stored_options_match(seed_store, **options) is expected


def test_pipeline_report_with_other_options_analyses_again(seed_store, tmp_path, monkeypatch):
    calls = []
    real = pipeline.analyze_comments

    def counting(*args, **kwargs):
        calls.append(kwargs.get("order"))
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "analyze_comments", counting)
    result = CliRunner().invoke(cli, ["report", str(seed_store), "-o", str(tmp_path / "r.html"), "-q",
                                      "--order", "chronological", "--topics", "none"])
    assert result.exit_code == 0, result.output
    assert calls and set(calls) == {"chronological"}


def test_pipeline_analyze_stored_refuses_a_corpus_that_was_not_analysed(seed_path, tmp_path):
    out = store.ingest(seed_path, tmp_path / "raw")
    with pytest.raises(SchemaError, match="was not analysed.*discourse analyze DIR -o NEW_DIR/"):
        pipeline.analyze_stored(out)


def test_pipeline_topic_summary_reads_back_what_the_model_summarised():
    texts = ["school budget cuts", "school budget vote", "war metaphor", "the war metaphor", "budget vote today"]
    t = fit_topics(pd.DataFrame({"comment_id": list("abcde"), "text": texts}), n_topics=2, n_seeds=2)
    s = TopicSummary(t.summary())
    assert s.top_terms(3) == t.top_terms(3)
    assert s.note == t.note and s.n_topics == t.n_topics == 2
    reps = s.representatives(2)
    assert list(reps.columns) == ["topic_id", "rank", "comment_id"]
    for tid, g in reps.groupby("topic_id"):
        assert set(g["comment_id"]) <= set(t.representatives(3).query("topic_id == @tid")["comment_id"])


@pytest.mark.parametrize("bad", [None, [], {"topics": "x"}, {"note": "no topics key"}])
def test_pipeline_topic_summary_rejects_what_is_not_a_summary(bad):
    with pytest.raises(SchemaError, match="a topic summary is a dict with a 'topics' list"):
        TopicSummary(bad)


def test_pipeline_analyze_topics_none_is_the_same_as_the_string(seed_corpus):
    # Python users write topics=None for "no topic model"; the CLI's word is 'none'.
    got = pipeline.analyze(seed_corpus, topics=None)
    want = pipeline.analyze(seed_corpus, topics="none")
    assert "topics" not in got.extras and "topic_id" not in got.comments.columns
    pd.testing.assert_frame_equal(got.comments, want.comments)


def test_pipeline_analyze_of_a_series_says_how_to_make_a_table():
    passed = pd.Series(["hi"])
    with pytest.raises(SchemaError, match=r"analyze takes a Corpus \(from discourse\.read\) or a comments DataFrame; got a Series\. "
                                          r".*series\.to_frame\('text'\)"):
        discourse.analyze(passed)
