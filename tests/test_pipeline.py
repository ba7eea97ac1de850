"""Tests for discourse.pipeline: the per-thread chain's handling of the garbage collector."""

from __future__ import annotations

import gc

import pandas as pd
import pytest

from discourse import pipeline, sentiment
from discourse.errors import SchemaError


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
