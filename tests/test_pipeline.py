"""The pipeline over a stored, analysed corpus: corpus-level stages only, topics as stored."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from discourse import pipeline, store
from discourse.cli import cli
from discourse.errors import SchemaError
from discourse.topics import TopicSummary, fit_topics


def test_pipeline_report_of_a_stored_corpus_equals_the_report_of_its_input(seed_store, seed_path, tmp_path):
    runner = CliRunner()
    direct, stored = tmp_path / "direct.html", tmp_path / "stored.html"
    assert runner.invoke(cli, ["report", str(seed_path), "-o", str(direct), "-q"]).exit_code == 0
    result = runner.invoke(cli, ["report", str(seed_store), "-o", str(stored), "-q"])
    assert result.exit_code == 0, result.output
    assert stored.read_text(encoding="utf-8") == direct.read_text(encoding="utf-8")


def test_pipeline_analyze_stored_runs_no_per_thread_stage(seed_store, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("the per-thread stages ran again")

    monkeypatch.setattr(pipeline, "analyze_comments", fail)
    corpus = pipeline.analyze_stored(seed_store)
    assert len(corpus.comments) == 22
    assert isinstance(corpus.extras["topics"], TopicSummary)
    stored = store.read_corpus(seed_store).comments
    assert corpus.comments["topic_id"].tolist() == stored["topic_id"].tolist()
    assert set(corpus.extras) >= {"topics", "frame_debate", "frame_uptake", "escalation"}


def test_pipeline_analyze_stored_topics_none_drops_the_stored_topics(seed_store):
    corpus = pipeline.analyze_stored(seed_store, topics="none")
    assert "topics" not in corpus.extras
    assert not {"topic_id", "topic_label", "topic_weight"} & set(corpus.comments.columns)


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
