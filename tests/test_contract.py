"""The stage contract, checked for every stage at once (after scikit-learn's test_common.py).

Every stage: the input frame is not changed, the output keeps its index and row order,
only new columns are added (the documented ones), an empty frame works, a missing text
column raises SchemaError. Every span finder: spans lie inside the text of their row.
Properties run over generated hostile text (control characters, right-to-left marks,
emoji, markup, surrogate-free unicode), never on fixed examples alone.
"""

from __future__ import annotations

import re
import warnings

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discourse import civility, framing, graph, replies, segment, sentiment, topics
from discourse.errors import DiscourseError, DiscourseWarning, SchemaError
from discourse.model import SPAN_COLUMNS, normalize_comments

# name -> (function, keyword options for a small frame)
STAGES = {
    "replies.infer_replies": (replies.infer_replies, {"mode": "always"}),
    "replies.infer_speakers": (replies.infer_speakers, {}),
    "graph.add_depth": (graph.add_depth, {}),
    "sentiment.score": (sentiment.score, {}),
    "civility.score": (civility.score, {}),
    "framing.score": (framing.score, {}),
    "topics.assign": (topics.assign, {"n_topics": 2}),
}

SPAN_FINDERS = {
    "segment.spans": segment.spans,
    "replies.spans": replies.spans,
    "sentiment.spans": sentiment.spans,
    "civility.spans": civility.spans,
    "framing.spans": framing.spans,
}

def _run(func, df, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiscourseWarning)
        return func(df, **kwargs)


def _documented(column, doc):
    """True when *doc* names *column*, literally or by a pattern such as ``frame_<name>``."""
    if f"``{column}``" in doc or column in re.findall(r"[\w]+", doc):
        return True
    patterns = re.findall(r"``([\w]*)<\w+>([\w]*)``", doc)
    return any(column.startswith(a) and column.endswith(b) and len(column) > len(a + b) for a, b in patterns)


def _frame(texts, index=None):
    n = len(texts)
    df = pd.DataFrame({
        "thread_id": ["t"] * n,
        "comment_id": [f"c{i}" for i in range(n)],
        "parent_id": [""] + [f"c{i}" for i in range(n - 1)] if n else [],
        "author": [f"a{i % 3}" for i in range(n)],
        "created_at": [""] * n,
        "text": list(texts),
    })
    df = normalize_comments(df)
    if index is not None:
        df.index = index
    return df


@pytest.fixture
def hostile_frame(tiny_comments):
    df = normalize_comments(tiny_comments)
    df.loc[df.index[0], "text"] = "\u202eevil\u202c <script>alert(1)</script> {{ 7*7 }} 🎉"
    df.loc[df.index[3], "text"] = "   \t \x00\x07 "
    # A non-default index: stages must keep it, not reset it.
    df.index = pd.Index([10, 3, 7, 100, -1, 42, 5, 6])
    return df


@pytest.mark.parametrize("name", sorted(STAGES))
def test_contract_stage_keeps_input_index_and_adds_documented_columns(name, hostile_frame):
    func, kwargs = STAGES[name]
    before = hostile_frame.copy(deep=True)
    out = _run(func, hostile_frame, **kwargs)
    pd.testing.assert_frame_equal(hostile_frame, before)  # input untouched
    assert out is not hostile_frame
    assert out.index.equals(hostile_frame.index)
    assert len(out) == len(hostile_frame)
    added = set(out.columns) - set(hostile_frame.columns)
    # Every column a stage adds is named in its docstring (the documented output).
    undocumented = {c for c in added if not _documented(c, func.__doc__)}
    assert not undocumented, f"{name} adds columns its docstring does not name: {sorted(undocumented)}"
    # Columns it did not own keep their values; text is never rewritten.
    assert out["text"].tolist() == hostile_frame["text"].tolist()
    assert out["comment_id"].tolist() == hostile_frame["comment_id"].tolist()


@pytest.mark.parametrize("name", sorted(STAGES))
def test_contract_stage_accepts_an_empty_frame(name):
    empty = _frame([])
    out = _run(STAGES[name][0], empty, **STAGES[name][1])
    assert len(out) == 0
    assert set(empty.columns) <= set(out.columns)


@pytest.mark.parametrize("name", sorted(set(STAGES) - {"graph.add_depth"}))
def test_contract_stage_without_text_raises_schema_error(name):
    df = _frame(["a", "b"]).drop(columns="text")
    with pytest.raises(SchemaError, match="text"):
        _run(STAGES[name][0], df, **STAGES[name][1])


def test_contract_add_depth_without_links_raises_schema_error():
    df = _frame(["a", "b"]).drop(columns="parent_id")
    with pytest.raises(SchemaError, match="parent_id"):
        graph.add_depth(df)


@pytest.mark.parametrize("name", sorted(SPAN_FINDERS))
def test_contract_spans_lie_inside_their_text(name, hostile_frame, tiny_comments):
    df = pd.concat([hostile_frame, normalize_comments(tiny_comments).assign(thread_id="t3")], ignore_index=True)
    df["comment_id"] = [f"x{i}" for i in range(len(df))]
    out = _run(SPAN_FINDERS[name], df)
    assert list(out.columns[: len(SPAN_COLUMNS)]) == list(SPAN_COLUMNS)
    texts = dict(zip(df["comment_id"], df["text"]))
    for row in out.itertuples(index=False):
        text = texts[row.comment_id]
        assert 0 <= row.start <= row.end <= len(text)
        assert text[row.start:row.end] == row.text


@pytest.mark.parametrize("name", sorted(SPAN_FINDERS))
def test_contract_spans_of_an_empty_frame_is_an_empty_table(name):
    out = _run(SPAN_FINDERS[name], _frame([]))
    assert len(out) == 0
    assert list(out.columns[: len(SPAN_COLUMNS)]) == list(SPAN_COLUMNS)


@pytest.mark.parametrize("name", sorted(SPAN_FINDERS))
def test_contract_spans_without_text_raises_schema_error(name):
    with pytest.raises(SchemaError, match="text"):
        _run(SPAN_FINDERS[name], _frame(["a"]).drop(columns="text"))


# Text a stranger may write: every plane of unicode but surrogates, plus the characters
# that break naive code (controls, bidi overrides, line separators, markup).
_hostile_char = st.one_of(
    st.characters(exclude_categories=("Cs",)),
    st.sampled_from(["\x00", "\x07", "\r", "\n", "\u2028", "\u2029", "\x85", "\u202e", "\u200b",
                     "\ufeff", "<", ">", "&", '"', "'", "{{", "}}", "`", "*", "#", "🎉", "عربي", "\u0301"]),
)
_hostile_text = st.lists(_hostile_char, max_size=60).map("".join)
_words = st.lists(st.sampled_from(["war", "battle", "idiot", "you", "Ann", "said", "\"quoted\"", "http://x.org/a",
                                   "great", "not", "terrible", "!", "?", ".", "Thanks,", "stupid", "fight"]),
                  max_size=25).map(" ".join)
_texts = st.lists(st.one_of(_hostile_text, _words), min_size=1, max_size=6)
_settings = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_settings
@given(_texts)
def test_contract_span_property_offsets_index_the_text(texts):
    df = _frame(texts)
    for name, finder in SPAN_FINDERS.items():
        out = _run(finder, df)
        by_id = dict(zip(df["comment_id"], df["text"]))
        for row in out.itertuples(index=False):
            assert by_id[row.comment_id][row.start:row.end] == row.text, name


@_settings
@given(_texts, st.integers(min_value=-5, max_value=1000))
def test_contract_stage_property_rows_index_and_text_kept(texts, offset):
    df = _frame(texts, index=pd.RangeIndex(offset, offset + len(texts)))
    before = df.copy(deep=True)
    for name, (func, kwargs) in STAGES.items():
        if name == "topics.assign":
            continue  # fitting a model per example is slow; covered by the fixed test above
        try:
            out = _run(func, df, **kwargs)
        except DiscourseError:
            continue
        assert out.index.equals(df.index), name
        assert out["text"].tolist() == texts, name
    pd.testing.assert_frame_equal(df, before)


@pytest.mark.parametrize("name", sorted(STAGES))
def test_contract_stage_keeps_a_repeated_index(name, tiny_comments):
    # Two exports joined with pd.concat and no ignore_index repeat index labels; the stage
    # must give, row by row, what it gives on the same rows with a fresh index.
    func, kwargs = STAGES[name]
    one = normalize_comments(tiny_comments)
    both = pd.concat([one, one.assign(thread_id=one["thread_id"] + "-copy")])
    fresh = _run(func, both.reset_index(drop=True), **kwargs)
    out = _run(func, both, **kwargs)
    assert out.index.equals(both.index)
    pd.testing.assert_frame_equal(out.reset_index(drop=True), fresh)
