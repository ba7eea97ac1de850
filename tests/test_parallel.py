"""--jobs: chunks of whole threads in worker processes give exactly the single-process result."""

from __future__ import annotations

import os
import warnings

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import discourse
from discourse.errors import DiscourseWarning, SchemaError
from discourse.parallel import map_threads, order_spans, split_threads


def _assert_same(a, b):
    pd.testing.assert_frame_equal(a.comments, b.comments)
    pd.testing.assert_frame_equal(a.threads, b.threads)
    pd.testing.assert_frame_equal(a.spans, b.spans)


@pytest.mark.parametrize("fixture", ["tiny_comments", "interleaved_threads"])
def test_parallel_jobs_2_equals_jobs_1(fixture, request):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiscourseWarning)
        corpus = discourse.Corpus.from_frames(request.getfixturevalue(fixture))
    one = discourse.analyze(corpus, jobs=1)
    two = discourse.analyze(corpus, jobs=2)
    _assert_same(one, two)
    assert one.comments.index.equals(corpus.comments.index)


def test_parallel_jobs_3_with_small_chunks_equals_jobs_1(interleaved_threads):
    from discourse.pipeline import analyze_comments

    corpus = discourse.Corpus.from_frames(interleaved_threads)
    one = map_threads(analyze_comments, corpus.comments, corpus.threads, jobs=1)
    many = map_threads(analyze_comments, corpus.comments, corpus.threads, jobs=3, chunk_rows=25)
    pd.testing.assert_frame_equal(one[0], many[0])
    pd.testing.assert_frame_equal(one[1], many[1])


@given(st.lists(st.sampled_from("abcdefgh"), min_size=0, max_size=60), st.integers(1, 10))
@settings(max_examples=60, deadline=None)
def test_parallel_split_threads_covers_every_row_once_and_never_splits_a_thread(threads, n_chunks):
    df = pd.DataFrame({"thread_id": threads})
    chunks = split_threads(df, n_chunks=n_chunks)
    rows = sorted(r for c in chunks for r in c.tolist())
    assert rows == list(range(len(df)))
    assert len(chunks) <= max(1, n_chunks)
    owner = {}
    for i, c in enumerate(chunks):
        assert list(c) == sorted(c)
        for t in df["thread_id"].iloc[c]:
            assert owner.setdefault(t, i) == i


def test_parallel_order_spans_follows_comment_rows_post_first():
    comments = pd.DataFrame({"thread_id": ["b", "a", "a"], "comment_id": ["1", "2", "3"]})
    spans = pd.DataFrame({"thread_id": ["a", "a", "b", "a", "a"], "comment_id": ["3", "2", "1", "", "2"],
                          "start": [0, 9, 4, 1, 2], "end": [1, 10, 5, 2, 3], "label": list("vwxyz")})
    assert order_spans(spans, comments)["label"].tolist() == ["x", "y", "z", "w", "v"]


def _warn_once_per_chunk(comments, threads):
    warnings.warn("3 empty texts scored 0", DiscourseWarning)
    return comments.assign(n=len(comments)), None


def test_parallel_worker_warnings_are_raised_again_once(interleaved_threads):
    with pytest.warns(DiscourseWarning, match="3 empty texts") as record:
        out, spans = map_threads(_warn_once_per_chunk, interleaved_threads, None, jobs=2)
    assert len([w for w in record if "3 empty texts" in str(w.message)]) == 1
    assert spans is None
    assert out.index.equals(interleaved_threads.index)
    assert out["n"].sum() > len(out)  # the work really ran in several chunks


@pytest.mark.parametrize("jobs", [0, -1, 1.5, "2", True])
def test_parallel_analyze_rejects_bad_jobs(jobs, tiny_comments):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiscourseWarning)
        corpus = discourse.Corpus.from_frames(tiny_comments)
    with pytest.raises(SchemaError, match=r"jobs must be an int in the range \[1, inf\); got"):
        discourse.analyze(corpus, jobs=jobs)


def _order_spans_reference(spans, comments):
    """order_spans as a plain loop over every span (what the factorized version must equal)."""
    import numpy as np

    row, first_row = {}, {}
    for i, key in enumerate(zip(comments["thread_id"], comments["comment_id"])):
        row.setdefault(key, i)
        first_row.setdefault(key[0], i)
    inf = float("inf")
    pos = [(first_row.get(t, inf) - 0.5) if c == "" else row.get((t, c), inf)
           for t, c in zip(spans["thread_id"], spans["comment_id"])]
    order = np.lexsort((spans["end"].to_numpy(), spans["start"].to_numpy(), np.asarray(pos, dtype=float)))
    return spans.iloc[order].reset_index(drop=True)


@given(st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from(["", "1", "2", "3"]), st.integers(0, 3)),
                min_size=1, max_size=40),
       st.lists(st.tuples(st.sampled_from("abd"), st.sampled_from(["1", "2", "3"])), min_size=0, max_size=8))
@settings(max_examples=80, deadline=None)
def test_parallel_order_spans_equals_a_span_by_span_lookup(span_rows, comment_rows):
    comments = pd.DataFrame(comment_rows, columns=["thread_id", "comment_id"], dtype=object)
    spans = pd.DataFrame([(t, c, s, s + 1, f"x{i}") for i, (t, c, s) in enumerate(span_rows)],
                         columns=["thread_id", "comment_id", "start", "end", "label"])
    pd.testing.assert_frame_equal(order_spans(spans, comments), _order_spans_reference(spans, comments))


_IDS = st.sampled_from(["", "1", "2", "é", 2])


@given(st.lists(st.tuples(st.sampled_from(["a", "b", "", 7]), _IDS, st.integers(0, 5), st.integers(0, 5)),
                min_size=1, max_size=40),
       st.lists(st.tuples(st.sampled_from(["a", "b", "c", 7]), _IDS), min_size=0, max_size=8),
       st.sampled_from([1, 2**40]))
@settings(max_examples=150, deadline=None)
def test_parallel_order_spans_equals_the_lookup_for_mixed_ids_and_wide_offsets(span_rows, comment_rows, scale):
    # Ids that are not all strings take the dictionary lookup; offsets
    # too wide for one integer key take lexsort; every path must give the reference order.
    comments = pd.DataFrame(comment_rows, columns=["thread_id", "comment_id"], dtype=object)
    spans = pd.DataFrame([(t, c, s * scale, e, f"x{i}") for i, (t, c, s, e) in enumerate(span_rows)],
                         columns=["thread_id", "comment_id", "start", "end", "label"])
    pd.testing.assert_frame_equal(order_spans(spans, comments), _order_spans_reference(spans, comments))


def test_parallel_readers_run_at_a_lower_priority_than_the_process_warming_up():
    # In a fresh process: the pool forks only where no other thread runs (earlier tests may leave some here).
    import subprocess
    import sys

    code = ("import os\nfrom discourse import parallel\npool = parallel.reader_executor(1)\n"
            "print('nofork' if pool is None else pool.submit(os.nice, 0).result() - os.nice(0))\n"
            "pool is None or pool.shutdown()\n")
    got = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    if got == "nofork":
        pytest.skip("no fork on this platform")
    from discourse import parallel

    assert int(got) == min(parallel.READER_NICE, 19 - os.nice(0))
