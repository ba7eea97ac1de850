"""The data model: normalisation, validation, link repair, the Corpus."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from discourse import Corpus, DiscourseWarning, SchemaError, ThreadStructureError
from discourse import model
from discourse.model import COMMENT_COLUMNS, normalize_comments, repair_links, require_columns


def test_model_normalize_adds_every_column(tiny_comments):
    out = normalize_comments(tiny_comments)
    assert list(out.columns[: len(COMMENT_COLUMNS)]) == list(COMMENT_COLUMNS)
    assert out["position"].tolist() == [0, 1, 2, 3, 4, 0, 1, 2]
    assert str(out["created_at"].dt.tz) == "UTC"
    assert out["created_at"].isna().tolist() == [False] * 7 + [True]
    assert out["parent_source"].tolist() == ["", "explicit", "explicit", "", "explicit", "", "explicit", ""]
    assert out["author_source"].iloc[-1] == "unknown"


def test_model_normalize_does_not_change_input(tiny_comments):
    before = tiny_comments.copy()
    normalize_comments(tiny_comments)
    pd.testing.assert_frame_equal(before, tiny_comments)


def test_model_duplicate_ids_raise(tiny_comments):
    dup = pd.concat([tiny_comments, tiny_comments.iloc[[1]]])
    with pytest.raises(ThreadStructureError, match=r"duplicate comment ids \(1 row .* e\.g\. t1/b\)"):
        normalize_comments(dup)


def test_model_same_id_in_two_threads_is_fine():
    df = pd.DataFrame({"thread_id": ["x", "y"], "comment_id": ["1", "1"], "text": ["a", "b"]})
    assert len(normalize_comments(df)) == 2


def test_model_missing_text_column():
    with pytest.raises(SchemaError, match=r"needs column 'text'; got columns \['comment_id', 'body'\]"):
        normalize_comments(pd.DataFrame({"comment_id": ["1"], "body": ["x"]}))


def test_model_require_columns_rejects_non_frames():
    with pytest.raises(SchemaError, match="needs a pandas DataFrame; got list"):
        require_columns([1, 2], ["text"], caller="f")


def test_model_bad_timestamp_names_the_value():
    with pytest.raises(SchemaError, match=r"could not parse \['yesterday'\]"):
        normalize_comments(pd.DataFrame({"comment_id": ["1"], "text": ["x"], "created_at": ["yesterday"]}))


def test_model_epoch_seconds_become_utc():
    out = normalize_comments(pd.DataFrame({"comment_id": ["1"], "text": ["x"], "created_at": [1497960000]}))
    assert out["created_at"].iloc[0] == pd.Timestamp("2017-06-20 12:00:00", tz="UTC")


def test_model_repair_orphans_self_replies_and_cycles():
    df = normalize_comments(pd.DataFrame({
        "comment_id": ["a", "b", "c", "d", "e"],
        "parent_id": ["c", "a", "b", "d", "gone"],
        "text": [""] * 5,
    }))
    with pytest.warns(DiscourseWarning, match="1 cycle broken, 1 orphan, 1 self-reply"):
        fixed, counts = repair_links(df)
    assert dict(counts) == {"orphans": 1, "self_replies": 1, "cycles_broken": 1}
    assert len(fixed) == 5
    # What remains is a forest: walking up from any comment reaches the post.
    parent = dict(zip(fixed.comment_id, fixed.parent_id))
    for c in parent:
        seen = set()
        while parent[c]:
            assert c not in seen
            seen.add(c)
            c = parent[c]
    assert "orphan" in fixed.set_index("comment_id").loc["e", "parent_evidence"]


def test_model_corpus_from_frames_reports_and_graphs(tiny_comments):
    with pytest.warns(DiscourseWarning, match="1 orphan"):
        corpus = Corpus.from_frames(tiny_comments)
    assert repr(corpus) == "Corpus(2 threads, 8 comments, formats: dataframe)"
    report = corpus.ingest[0]
    assert report.repaired == {"orphans": 1}
    assert report.balanced
    g = corpus.graph
    assert g.number_of_nodes() == 10  # 8 comments + 2 posts
    assert set(g.successors("t1")) == {"a", "d", "e"}
    assert "<table" in corpus._repr_html_()


def test_model_corpus_is_frozen(tiny_comments):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiscourseWarning)
        corpus = Corpus.from_frames(tiny_comments)
    with pytest.raises(Exception):
        corpus.comments = None


@pytest.mark.parametrize("times, warned", [
    (["2024-01-01T10:00:00Z", "2024-01-01T11:00:00+02:00", "2024-01-01 12:00"], True),  # one without a zone
    (["2024-01-01T10:00:00Z", "2024-01-01T11:00:00+0200", "2024-01-01 12:00 UTC"], False),
    (["2024-01-01 10:00", "2024-01-01 12:00", ""], False),  # none has a zone: the convention (UTC) applies
])
def test_model_times_with_and_without_a_zone_warn(times, warned):
    df = pd.DataFrame({"comment_id": ["1", "2", "3"], "created_at": times, "text": ["a", "b", "c"]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = normalize_comments(df, where="t.csv")
    msgs = [str(w.message) for w in caught if issubclass(w.category, DiscourseWarning)]
    assert (msgs == ["t.csv: 1 of 3 created_at times have no time zone while the others do; they were read as UTC. "
                     "If they are local times, add their zone (e.g. 2017-06-20T15:15:00+02:00)."]) == warned
    assert str(out["created_at"].iloc[0]) == ("2024-01-01 10:00:00+00:00")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["2024-01-01", "T", "10:00", " ", "\t", "\n", "Z", "z", "+02:00", "-0530", "+02", ":00",
                                 "UTC", "GMT", " UTC", "\u00a0", "\u2003GMT", "x", "0"]), max_size=8).map("".join))
def test_model_zone_found_in_the_tail_as_in_the_whole_time(text):
    # _warn_mixed_zones searches only the last six characters for the zone.
    import re

    t = text.strip()
    assert (model._ZONE_SEARCH(t, len(t) - 6 if len(t) > 6 else 0) is not None) == (re.search(model._ZONE, t) is not None)


def test_model_times_mixed_zones_warn_for_non_text_values_too():
    values = pd.Series(["2024-01-01T10:00:00Z", 1704103200, None, "2024-01-01 11:00 GMT"], dtype=object)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model._warn_mixed_zones(values, "t.csv")
    assert [str(w.message)[:60] for w in caught] == ["t.csv: 1 of 3 created_at times have no time zone while the o"]


@pytest.mark.parametrize("passed, hint", [
    (pd.Series(["a text"]), "series.to_frame('text')"),
    ([1, 2], "discourse.read(path)"),
])
def test_model_require_columns_says_how_to_get_a_frame(passed, hint):
    with pytest.raises(SchemaError) as err:
        require_columns(passed, ["text"], caller="sentiment.score")
    assert hint in str(err.value)


def test_model_require_columns_on_a_corpus_points_at_its_comments(seed_corpus):
    with pytest.raises(SchemaError, match=r"got Corpus\. Pass its comments table: corpus\.comments\."):
        require_columns(seed_corpus, ["text"], caller="fit_topics")


@pytest.mark.parametrize("missing, option", [
    ("parent_id", "parent_col=..."), ("comment_id", "id_col=..."), ("text", "text_col=..."),
    ("thread_id", "thread_col=..."),
])
def test_model_require_columns_names_the_option_for_the_missing_column(missing, option):
    df = pd.DataFrame({c: ["x"] for c in ["thread_id", "comment_id", "parent_id", "text"] if c != missing})
    with pytest.raises(SchemaError) as err:
        require_columns(df, ["thread_id", "comment_id", "parent_id", "text"], caller="reply_graph")
    assert option in str(err.value)
    assert sum(o in str(err.value) for o in ["text_col", "id_col", "parent_col", "thread_col"]) == 1


def test_model_require_columns_on_a_custom_column_points_at_the_option():
    with pytest.raises(SchemaError, match=r"needs column 'body'; got columns \['text'\]\. "
                                          r"Check the \*_col option you passed, or rename the column\.$"):
        require_columns(pd.DataFrame({"text": ["x"]}), ["body"], caller="sentiment.score")


_DATES = st.tuples(
    st.integers(1970, 2037), st.integers(1, 12), st.integers(1, 28), st.sampled_from(["T", " ", ""]),
    st.integers(0, 23), st.integers(0, 59), st.integers(0, 59), st.sampled_from(["", ".5", ".123", ".123456789"]),
    st.sampled_from(["", "Z", "+02:00", "-0530", "+00:00"]),
).map(lambda p: (f"{p[0]:04d}-{p[1]:02d}-{p[2]:02d}" + (f"{p[3]}{p[4]:02d}:{p[5]:02d}:{p[6]:02d}{p[7]}{p[8]}"
                                                          if p[3] else "")))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_DATES, _DATES, st.none(), st.just(""), st.sampled_from(
    ["1497960000", "2017", " 2017-06-20", "2017-06-20T12:00:00Z ", "20170620T120000Z", "June 20, 2017", "2017-W25"])),
    min_size=1, max_size=6))
def test_model_created_at_iso_fast_path_reads_what_the_per_value_parse_reads(values):
    def read(fast):
        with pytest.MonkeyPatch.context() as m:
            if not fast:
                m.setattr(model, "_as_utc_iso", lambda v: None)
            try:
                return model._as_utc(pd.Series(values, dtype=object))
            except SchemaError as err:
                return str(err)
    want, got = read(False), read(True)
    if isinstance(want, str):
        assert got == want
    else:
        pd.testing.assert_series_equal(got, want)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["t", "u"]), st.sampled_from(["", *"abcdefz"])), max_size=7),
       st.integers(1, 64))
def test_model_repair_links_skips_the_cycle_walk_only_where_no_cycle_is(rows, steps):
    # Ids a..g per thread in order; parents anywhere (self-replies, orphans "z", cycles, long chains).
    count: dict = {}
    table = []
    for t, p in rows:
        count[t] = count.get(t, 0) + 1
        table.append((t, "abcdefg"[count[t] - 1], p, "x"))
    c = normalize_comments(pd.DataFrame(table, columns=["thread_id", "comment_id", "parent_id", "text"]))
    with pytest.MonkeyPatch.context() as m:
        m.setattr(model, "_may_cycle", lambda up, steps=steps, real=model._may_cycle: real(up, steps))
        fast = repair_links(c, warn=False)
        m.setattr(model, "_may_cycle", lambda up: True)
        walk = repair_links(c, warn=False)
    pd.testing.assert_frame_equal(fast[0], walk[0])
    assert fast[1] == walk[1]
