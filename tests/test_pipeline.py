"""Tests for discourse.pipeline: the per-thread chain and the garbage collector; a stored,
analysed corpus (corpus-level stages only, topics as stored)."""

from __future__ import annotations

import gc

import pandas as pd
import pytest
from click.testing import CliRunner

import discourse
from discourse import civility, pipeline, sentiment, store
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
    score = civility.score

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return score(*args, **kwargs)

    monkeypatch.setattr(civility, "score", spy)
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


# Texts with every kind of segment span, alone and together, and texts the stages skip.
_MIXED_TEXTS = [
    'Sorry, Ellen, but "this is a war" on public schools: see www.example.org. LikeLike',
    "You idiot, we must fight back! THEY ARE LYING. Lying, lying, lying.",
    'Wow Duane…you said "avoidance strategies" work.\nLikeLike',
    'This is funny:\n"Outsourcing has resulted in cost overruns, service failures and greater inequality."',
    "> quoted line from the post\nI disagree with that, Chas.",
    "x x x x\nA block between delimiters.\nx x x x\nMy own words here, https://example.com/a?b=1 too.",
    "Great point!",
    "",
    "   ",
    "Reply",
    "The Good Germans would rot in hell. Soulless turds.",
]


def _through_tables(comments, threads=None):
    """The per-thread chain composed from the stages' public functions, the segment spans
    handed on as a table (what ``analyze_comments`` gives, by another road)."""
    from discourse import framing, graph, replies, segment
    from discourse.model import SPAN_COLUMNS

    out = comments.pipe(replies.infer_replies, mode="auto", order="display", threads=threads).pipe(graph.add_depth)
    seg = segment.spans(out, kinds=segment.KINDS)
    lexicons = framing.load_lexicons()
    neutral = tuple(framing.vocabulary(lexicons))
    sent = sentiment.spans(out, neutral_terms=neutral, spans=seg)
    out = out.pipe(sentiment.score, neutral_terms=neutral, spans=seg)
    civ = civility.spans(out, spans=seg)
    out = out.pipe(civility.score, spans=civ)
    frames = framing.spans(out, lexicons=lexicons)
    out = framing.score(out, spans=frames, lexicons=lexicons)
    parts = [seg[seg["kind"] != "sentence"], sent, civ, frames]
    if threads is not None:
        posts = threads.assign(comment_id="")
        post_seg = segment.spans(posts, kinds=segment.KINDS)
        parts += [post_seg[post_seg["kind"] != "sentence"], civility.spans(posts, spans=post_seg),
                  framing.spans(posts, lexicons=lexicons)]
    return out, pd.concat([p for p in parts if len(p)], ignore_index=True)[list(SPAN_COLUMNS)]


@pytest.mark.parametrize("ids", [[str(i) for i in range(len(_MIXED_TEXTS))],
                                 ["1", "1", *[str(i) for i in range(2, len(_MIXED_TEXTS))]]],
                         ids=["unique ids", "a repeated id"])
def test_pipeline_segment_spans_handed_on_without_a_table_give_the_same_tables(ids):
    # The chain hands segment's spans to sentiment and civility as found, not as a table;
    # with a repeated (thread, comment) key it goes through the table as before.
    comments = pd.DataFrame({"thread_id": ["t"] * len(ids), "comment_id": ids, "parent_id": [""] * len(ids),
                             "author": ["a", "b"] * (len(ids) // 2) + ["a"] * (len(ids) % 2), "text": _MIXED_TEXTS})
    threads = pd.DataFrame({"thread_id": ["t"], "title": ["A post"],
                            "text": ['Hi all, "a war on schools" says www.example.org.\nLikeLike']})
    out, spans = pipeline.analyze_comments(comments, threads)
    want_out, want_spans = _through_tables(comments, threads)
    pd.testing.assert_frame_equal(out, want_out)
    pd.testing.assert_frame_equal(spans, want_spans)
    assert {"sentence", "quote", "url", "artifact", "address", "incivility", "technique"} <= set(spans["kind"])


_REPEATED = "The school board waged a war on our teachers, and we must fight back against this attack! "


def _one_long_comment(times: int) -> pd.DataFrame:
    return pd.DataFrame({"thread_id": ["t", "t"], "comment_id": ["c1", "c2"], "parent_id": ["", "c1"],
                         "author": ["ann", "bob"], "text": [_REPEATED * times, "That is nonsense, Ann."]})


def test_pipeline_lists_at_most_span_limit_spans_of_a_kind_per_comment_and_says_how_many_more(monkeypatch):
    from discourse import segment
    from discourse.errors import DiscourseWarning

    comments = _one_long_comment(60)
    monkeypatch.setattr(segment, "SPAN_LIMIT", 10**9)
    whole_out, whole = pipeline.analyze_comments(comments)
    monkeypatch.setattr(segment, "SPAN_LIMIT", 25)
    with pytest.warns(DiscourseWarning, match=r"evidence spans not listed: .*in 1 comment \(t/c1\)") as caught:
        out, spans = pipeline.analyze_comments(comments)
    # The scores come from every span: the comments table is the same.
    pd.testing.assert_frame_equal(out, whole_out)
    keys = ["thread_id", "comment_id", "kind", "label"]
    full = whole.groupby(keys).size()
    listed = spans.groupby(keys).size()
    assert (full > 25).sum() >= 4  # (sentences, repetitions, war terms, loaded language)
    pd.testing.assert_series_equal(listed, full.clip(upper=25))
    for key, n in full[full > 25].items():
        mine = spans[(spans[keys] == pd.Series(key, index=keys)).all(axis=1)]
        theirs = whole[(whole[keys] == pd.Series(key, index=keys)).all(axis=1)]
        # The first 25 in the table's order, the last one saying how many more there are.
        assert mine[["start", "end", "text"]].values.tolist() == theirs[["start", "end", "text"]].values.tolist()[:25]
        more = n - 25
        assert mine["explanation"].iloc[-1] == (
            f"{theirs['explanation'].iloc[24]} ({more:,} more span{'s' * (more != 1)} of this kind and label in this "
            f"comment {'are' if more != 1 else 'is'} not listed: the spans table lists the first 25 of each kind and "
            "label per comment; the scores count them all.)")
        assert f"{more:,} {key[2]} ({key[3]})" in str(caught[0].message)
    # Offsets still slice the text exactly.
    text = comments.set_index("comment_id")["text"]
    assert all(text[c][s:e] == t for c, s, e, t in spans[["comment_id", "start", "end", "text"]].values.tolist())


def test_pipeline_span_limit_leaves_ordinary_threads_alone(seed_corpus, monkeypatch):
    from discourse import segment

    out, spans = pipeline.analyze_comments(seed_corpus.comments, seed_corpus.threads)
    monkeypatch.setattr(segment, "SPAN_LIMIT", 10**9)
    out2, spans2 = pipeline.analyze_comments(seed_corpus.comments, seed_corpus.threads)
    pd.testing.assert_frame_equal(spans, spans2)
    pd.testing.assert_frame_equal(out, out2)


def test_pipeline_frame_finder_memory_does_not_grow_with_every_sentence_of_a_comment(monkeypatch):
    import tracemalloc

    from discourse import framing

    comments = _one_long_comment(1000)
    framing.spans(comments.iloc[:0])  # (lexicons and matchers built outside the measurement)

    def peak():
        tracemalloc.start()
        try:
            found = framing.spans(comments)
            return tracemalloc.get_traced_memory()[1], found
        finally:
            tracemalloc.stop()

    bounded, found = peak()
    monkeypatch.setattr(framing, "_VIEW_SENTENCES", 10**9)  # every sentence's tokens kept, as before
    unbounded, found_before = peak()
    pd.testing.assert_frame_equal(found, found_before)
    assert bounded < 0.75 * unbounded, (bounded, unbounded)


@pytest.mark.parametrize("topics", ["bogus", 0, -3, 2.5, True])
def test_pipeline_a_bad_topics_option_fails_before_any_work(seed_corpus, tmp_path, topics, monkeypatch):
    def no_work(*args, **kwargs):
        raise AssertionError("the per-thread stages ran before the option was checked")

    monkeypatch.setattr(pipeline, "analyze_comments", no_work)
    with pytest.raises(SchemaError, match=r"^topics must be a number of topics \(an int of 1 or more\), 'auto' or "
                                          r"'none'; got "):
        discourse.analyze(seed_corpus, topics=topics)
    path = tmp_path / "c.jsonl"
    path.write_text('{"comment_id": "1", "text": "Hi."}\n')
    with pytest.raises(SchemaError, match=r"^topics must be"):
        store.analyze(path, tmp_path / "corpus", topics=topics)
    assert not (tmp_path / "corpus").exists()


def test_pipeline_store_analyze_takes_topics_none_as_analyze_does(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text('{"comment_id": "1", "text": "Hi."}\n')
    out = store.analyze(path, tmp_path / "corpus", topics=None)
    assert "topic_id" not in store.read_corpus(out).comments.columns
