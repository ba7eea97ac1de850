"""Reply-link and speaker inference: the seed's certain links, cues, modes, the stage contract."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from discourse import replies
from discourse.errors import SchemaError
from discourse.replies import addressees, infer_replies, infer_speakers

# The links the seed's text makes certain: (reply, parent, why).
SEED_LINKS = [
    ("c6", "c5", "“folks like you, Charles” answers the Sun-Tzu quotation about The Art of War"),
    ("c7", "c5", "“not warfare, Chas.” answers “All warfare is deception”"),
    ("c10", "c9", "“The war metaphor fits perfectly, Duane” answers “Still can’t agree with the war metaphor”"),
    ("c13", "c12", "“Sorry, Ellen but “avoidance strategies”” quotes the Art of War / Suzuki comment"),
    ("c14", "c13", "“Wow Duane… you misinterpreted my comment” answers the “Sorry, Ellen” comment"),
    ("c15", "c14", "“Oh, almighty city dweller” quotes “doing the hard work” from the “Wow Duane” comment"),
    ("c19", "c18", "““I find it funny” that …” quotes “The part I find funny …”"),
]

SEED_SPEAKERS = [
    ("c5", "Charles"),  # answered as "Charles" (c6) and "Chas" (c7)
    ("c9", "Duane"),    # answered as "Duane" (c10)
    ("c12", "Ellen"),   # answered as "Ellen" (c13)
    ("c13", "Duane"),   # answered as "Duane" (c14)
    ("c14", "Ellen"),   # "my comment" = c12, Ellen's; and addressed as "you Ellen" by c15
    ("c15", "Duane"),   # answers Ellen by name after Ellen addressed Duane
]


@pytest.fixture(scope="module")
def seed_inferred():
    import discourse

    corpus = discourse.read("corpora/zimmer-concession-2017.txt")
    return infer_replies(corpus.comments, threads=corpus.threads).set_index("comment_id")


@pytest.mark.parametrize("reply, parent, why", SEED_LINKS)
def test_replies_seed_certain_links(seed_inferred, reply, parent, why):
    row = seed_inferred.loc[reply]
    assert row["parent_id"] == parent, why
    assert row["parent_source"] == "inferred"
    assert 0 < row["parent_confidence"] <= 1
    assert row["parent_evidence"].startswith(f"answers {parent}:")


@pytest.mark.parametrize("comment, speaker", SEED_SPEAKERS)
def test_replies_seed_speakers(seed_inferred, comment, speaker):
    row = seed_inferred.loc[comment]
    assert (row["author"], row["author_source"]) == (speaker, "inferred")
    assert row["author_evidence"]


def test_replies_seed_unaddressed_comments_keep_unknown_speaker(seed_inferred):
    # Nothing in "This is SICK!" or "I just saw this." names their authors.
    for c in ("c1", "c16"):
        assert seed_inferred.loc[c, ["author", "author_source"]].tolist() == ["", "unknown"]


@pytest.mark.parametrize("reply, needle", [
    ("c13", "“avoidance strategies”"),
    ("c13", "addresses Ellen by name"),
    ("c7", "c5 is by Charles"),
    ("c19", "“I find it funny”"),
])
def test_replies_seed_evidence_names_the_cue(seed_inferred, reply, needle):
    assert needle in seed_inferred.loc[reply, "parent_evidence"]


def test_replies_seed_every_parent_is_earlier_and_on_the_display_chain(seed_inferred):
    ids = list(seed_inferred.index)
    parents = seed_inferred["parent_id"].to_dict()
    for k, cid in enumerate(ids):
        p = parents[cid]
        chain, x = [], ids[k - 1] if k else ""
        while x:
            chain.append(x)
            x = parents[x]
        assert p == "" or p in chain, (cid, p, chain)


@pytest.mark.parametrize("text, names", [
    ("Sorry, Ellen but “avoidance strategies” have not worked at all.", ["Ellen"]),
    ("Wow Duane…I am amazed at how much you misinterpreted my comment.", ["Duane"]),
    ("Protecting community schools is not warfare, Chas. Those who believe", ["Chas"]),
    ("must be roiling as to how folks like you, Charles, prefer", ["Charles"]),
    ("I also have no patience for she, yes, you Ellen who so righteously fights", ["Ellen"]),
    ("The war metaphor fits perfectly, Duane, just not from the perspective", ["Duane"]),
    ("Handel, the vicious Republican has garnered a vast amount", []),
    ("It's like the lie of personalized learning which as Diane pointed out is wrong.", []),
    ("Thanks to the Citizens United ruling, Steve lost because", []),
    ("@Maria I agree.", ["Maria"]),
    ("Bob, you are right.", ["Bob"]),
])
def test_replies_addressees_table(text, names):
    found = addressees(text)
    assert [n for _, _, n in found] == names
    for start, end, name in found:
        assert text[start:end] == name


@pytest.mark.parametrize("addressed, author, same", [
    ("Chas", "Charles", True), ("Charles", "Chas", True), ("Dan", "Daniel Lemire", True),
    ("Daniel", "Daniel Lemire", True), ("Ellen", "Duane", False), ("Bob", "Robert Smith", True), ("", "Ann", False),
])
def test_replies_same_person_table(addressed, author, same):
    assert replies._same_person(addressed, author) is same


def _frame(texts, **cols):
    n = len(texts)
    data = {"thread_id": ["t"] * n, "comment_id": [f"c{k}" for k in range(n)], "parent_id": [""] * n, "text": texts}
    data.update(cols)
    return pd.DataFrame(data)


def test_replies_chronological_name_brings_far_comment_into_candidates():
    # Ann's comment is 45 comments back, beyond the 40 weighed by default: naming her
    # brings her latest comment into the bounded candidate set.
    texts = ["Our parks need more shade trees."] + [f"Filler remark number {k} about buses." for k in range(45)]
    authors = ["Ann"] + [f"user{k}" for k in range(45)] + ["Bob"]
    texts.append("Ann, shade trees in parks also take parking spaces.")
    th = replies._Thread(texts, authors, [None] * len(texts))
    state = {"authors": authors, "addr": [[n for *_, n in addressees(t)] for t in texts],
             "latest": {a: k for k, a in enumerate(authors[:-1])}, "parents": [-1] * len(texts)}
    named = replies._candidates(th, len(texts) - 1, state, "chronological", 40, {})
    assert 0 in named
    # Without the name (and without shared words) it stays out of reach.
    state["addr"][-1] = []
    unnamed = replies._Thread([*texts[:-1], "Something else entirely."], authors, [None] * len(texts))
    assert 0 not in replies._candidates(unnamed, len(texts) - 1, state, "chronological", 40, {})


def test_replies_chronological_name_picks_that_authors_comment():
    texts = ["Our parks need more shade trees."] + [f"Filler remark number {k} about buses." for k in range(8)]
    authors = ["Ann"] + [f"user{k}" for k in range(8)] + ["Bob"]
    texts.append("Ann, shade trees in parks also take parking spaces.")
    out = infer_replies(_frame(texts, author=authors), order="chronological")
    assert out["parent_id"].iloc[-1] == "c0"
    assert "addresses Ann by name, and c0 is by Ann" in out["parent_evidence"].iloc[-1]


def test_replies_quote_beats_the_previous_comment_in_chronological_order():
    texts = ["The budget crisis was caused by falling enrollment.", "I like turtles.", "Lovely weather today.",
             "“caused by falling enrollment” is simply not true."]
    out = infer_replies(_frame(texts), order="chronological")
    assert out["parent_id"].iloc[-1] == "c0"


def test_replies_reply_is_never_older_than_its_parent():
    texts = ["Apples.", "Apples are great, apples!", "Apples are great indeed, apples!"]
    times = ["2021-01-01T10:00:00Z", "2021-01-01T12:00:00Z", "2021-01-01T11:00:00Z"]
    out = infer_replies(_frame(texts, created_at=times), order="chronological")
    assert out["parent_id"].iloc[2] != "c1"


def test_replies_auto_keeps_explicit_threads_and_infers_flat_ones(tiny_comments):
    flat = tiny_comments.assign(parent_id="", thread_id="flat", comment_id=lambda d: d["comment_id"] + "x")
    both = pd.concat([tiny_comments, flat], ignore_index=True)
    out = infer_replies(both, mode="auto")
    t1 = out[out["thread_id"] == "t1"]
    assert t1["parent_id"].tolist() == tiny_comments.loc[tiny_comments["thread_id"] == "t1", "parent_id"].tolist()
    assert set(t1["parent_source"]) == {"explicit"}
    assert (t1["parent_confidence"] == 1.0).all()
    assert set(out.loc[out["thread_id"] == "flat", "parent_source"]) == {"inferred"}


def test_replies_never_leaves_links_and_marks_missing_ones():
    df = _frame(["A.", "Sorry, Ann but no."])
    out = infer_replies(df, mode="never")
    assert out["parent_id"].tolist() == ["", ""]
    assert out["parent_confidence"].tolist() == [0.0, 0.0]
    assert out["parent_evidence"].str.contains("inference is off").all()


def test_replies_always_replaces_explicit_links():
    df = _frame(["Trees are good.", "Sorry, Ann but trees are bad."], parent_id=["", ""], author=["Ann", "Bob"])
    df.loc[1, "parent_id"] = ""
    df["parent_source"] = ["explicit", "explicit"]
    assert infer_replies(df, mode="auto")["parent_source"].tolist() == ["explicit", "explicit"]
    out = infer_replies(df, mode="always")
    assert out["parent_id"].tolist() == ["", "c0"]


@pytest.mark.parametrize("kwargs, message", [
    ({"mode": "sometimes"}, "mode must be one of ['auto', 'always', 'never']; got 'sometimes'."),
    ({"order": "random"}, "order must be one of ['display', 'chronological']; got 'random'."),
    ({"max_candidates": 0}, "max_candidates must be an int in the range [1, inf); got 0."),
    ({"kind": "blog"}, "kind must be one of ['auto', 'chat', 'forum']; got 'blog'."),
])
def test_replies_bad_options_raise(kwargs, message):
    with pytest.raises(SchemaError) as err:
        infer_replies(_frame(["x"]), **kwargs)
    assert str(err.value) == message


def test_replies_contract_input_unchanged_index_kept(tiny_comments):
    df = tiny_comments.assign(parent_id="").set_index(pd.Index(range(10, 18)))
    before = df.copy()
    out = infer_replies(df)
    assert df.equals(before)
    assert out.index.equals(df.index)
    added = set(out.columns) - set(df.columns)
    assert added == {"parent_source", "parent_confidence", "parent_evidence", "author_source", "author_evidence",
                     "also_replies_to"}


def test_replies_contract_empty_frame():
    empty = pd.DataFrame({"thread_id": [], "comment_id": [], "parent_id": [], "text": []}, dtype=object)
    assert len(infer_replies(empty)) == 0


def test_replies_contract_missing_text_raises():
    with pytest.raises(SchemaError, match="infer_replies needs column 'body'"):
        infer_replies(_frame(["x"]), text_col="body")


def test_replies_infer_speakers_signature_and_self_reference():
    df = pd.DataFrame({"thread_id": ["t"] * 4, "comment_id": ["a", "b", "c", "d"], "parent_id": ["", "a", "b", ""],
                       "text": ["Tests first.", "Sorry, Ellen but no.", "Duane, re-read my comment.",
                                "Great letter.\n-- Maria"]})
    out = infer_speakers(df)
    assert out["author"].tolist() == ["Ellen", "Duane", "Ellen", "Maria"]
    assert out["parent_id"].tolist() == df["parent_id"].tolist()
    assert "my comment" in out.loc[2, "author_evidence"]


def test_replies_spans_offsets_index_the_text(seed_corpus):
    sp = replies.spans(seed_corpus.comments)
    text = seed_corpus.comments.set_index("comment_id")["text"]
    assert set(sp["label"]) >= {"Ellen", "Duane", "Chas", "Charles"}
    for row in sp.itertuples():
        assert text[row.comment_id][row.start:row.end] == row.text


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=12), st.sampled_from(["display", "chronological"]))
def test_replies_property_parents_are_earlier_comments(texts, order):
    out = infer_replies(_frame(texts), order=order)
    pos = {c: k for k, c in enumerate(out["comment_id"])}
    for k, p in enumerate(out["parent_id"]):
        assert p == "" or pos[p] < k
    assert out["parent_confidence"].between(0, 1).all()


# Display order: the learned scorer, one per condition, and the display-only cues.
def test_replies_display_scorer_has_one_weighting_per_condition():
    defaults, _ = replies._weights("display", None)
    chosen = {cond: replies._display_weights(*cond, defaults, 0.0)[0] for cond in replies._CONDITIONS}
    assert set(chosen) == {(True, True), (True, False), (False, True), (False, False)}
    # Each condition has its own learned weights (not the fallback), and they differ.
    assert all(w is not defaults for w in chosen.values())
    assert chosen[(True, True)] != chosen[(False, False)]
    # Cues that can only speak for a link never weigh against one.
    for w in chosen.values():
        assert min(w["addr_author"], w["quote"], w["block_quote"], w["tfidf"]) >= 0
        assert w["sib_violation"] <= 0


def test_replies_display_features_stay_out_of_chronological_order():
    texts = ["Cats are fine pets.", "Great article, thanks!"]
    th = replies._Thread(texts, ["", ""], [None, None], "A post about cats.")
    state = {"authors": ["", ""], "addr": [[], []], "parents": [-1, -1], "latest": {}, "rank": {},
             "n_replies": [0, 0], "n_by": {}, "chain": [0]}
    chrono = replies.candidate_features(th, 1, -1, state=state, order="chronological")
    display = replies.candidate_features(th, 1, -1, state=state, order="display")
    assert set(chrono) == set(replies.ALL_FEATURES)
    assert set(display) == set(replies.FEATURES) | set(replies.DISPLAY_FEATURES)
    assert display["root_post_ref"] == 1.0 and display["root_depth"] > 0


def test_replies_display_markdown_quote_is_named_in_the_evidence():
    texts = ["Cities should ban cars from the old town centre.",
             "Buses would need new routes and longer hours for that to work.",
             "> Buses would need new routes and longer hours\nThey already run until midnight here."]
    out = infer_replies(_frame(texts), order="display", model="learned")
    assert out["parent_id"].iloc[2] == "c1"
    assert "it quotes c1 in a “>” line (“Buses would need new routes and longer hours”)" in out["parent_evidence"].iloc[2]


def test_replies_display_comment_on_the_post_answers_the_post():
    texts = ["Bike lanes on Main Street would cut the traffic.",
             "Wow, what a great article on city planning, thanks for writing it."]
    out = infer_replies(_frame(texts), order="display",
                        threads=pd.DataFrame({"thread_id": ["t"], "text": ["City planning: bike lanes"], "author": [""]}))
    assert out["parent_id"].iloc[1] == ""
    assert "it speaks of the post (“great article”)" in out["parent_evidence"].iloc[1]


@pytest.mark.parametrize("follow, chain", [([-1, 0, -1], {-1, 1, 0}), ([-1, -1, -1], {-1, 1}), (None, {-1, 1})])
def test_replies_training_pairs_follow_the_links_given(follow, chain):
    # Teacher forcing follows the true links (here: both answer the post); given other
    # links (a model's own guesses), the display chain of the third comment follows those.
    texts = ["Trains are late again.", "Mine was on time today.", "Buses too."]
    pairs = list(replies._training_pairs(texts, ["", "", ""], [None] * 3, [{-1}, {-1}, {-1}], order="display",
                                         follow=follow))
    assert {j for i, j, _, _ in pairs if i == 2} == chain
    assert all(label == (j == -1) for _, j, _, label in pairs)


def test_replies_trees_walk_every_tree_to_its_leaf():
    # Two hand-made trees: the first splits on "a" at 0.5, the second on "b" at 2 and
    # then on "a" at 1.5 (depth 2); a leaf has left = right = -1.
    spec = {"features": ["a", "b"], "max_depth": 2, "baseline": 0.25, "trees": [
        {"feature": [0, 0, 0], "threshold": [0.5, 0, 0], "left": [1, -1, -1], "right": [2, -1, -1],
         "value": [0, -1.0, 2.0]},
        {"feature": [1, 0, 0, 0, 0], "threshold": [2.0, 0, 1.5, 0, 0], "left": [1, -1, 3, -1, -1],
         "right": [2, -1, 4, -1, -1], "value": [0, 0.5, 0, 10.0, 20.0]},
    ]}
    trees = replies._Trees(spec)
    got = trees.score([{"a": 0.0, "b": 1.0}, {"a": 1.0, "b": 3.0}, {"a": 2.0, "b": 3.0}, {"a": 0.5, "b": 2.0}])
    assert got == [0.25 - 1.0 + 0.5, 0.25 + 2.0 + 10.0, 0.25 + 2.0 + 20.0, 0.25 - 1.0 + 0.5]


def test_replies_shipped_chronological_scorer_is_trees_over_all_features():
    model = replies._model()["chronological"]
    assert model["trees"]["features"] == list(replies.ALL_FEATURES)
    assert replies._shipped_trees("chronological") is not None


def test_replies_chronological_features_cover_every_candidate():
    texts = ["Buses are late.", "Are buses late?", "yes, buses are late again", "Trains too."]
    th = replies._Thread(texts, ["a", "b", "a", "c"], [0.0, 60.0, 120.0, 180.0])
    state = {"authors": ["a", "b", "a", "c"], "addr": [[], [], [], []], "latest": {"a": 2, "b": 1, "c": 3},
             "parents": [-1, 0, 1, -1], "n_replies": [1, 1, 0, 0], "rank": {}, "n_by": {"a": 2, "b": 1}}
    cands = [-1, 2, 1, 0]
    feats = [replies.candidate_features(th, 3, j, state=state, order="chronological") for j in cands]
    replies._chrono_features(th, 3, cands, feats, state)
    assert all(set(f) == set(replies.ALL_FEATURES) for f in feats)
    by = dict(zip(cands, feats))
    assert by[2]["dist"] == 1 and by[0]["dist"] == 3 and by[2]["gap_min"] == 1.0
    assert by[0]["cand_author_since"] == 1.0 and by[2]["cand_author_since"] == 0.0
    assert by[1]["speakers_between"] == 1.0 and by[0]["speakers_between"] == 2.0


def test_replies_chronological_conversation_cues_follow_earlier_links():
    # Two conversations: 0 <- 1 <- 3 (a and b about buses) and 2 (c's join line, alone);
    # a writes again at 4.
    texts = ["Buses are late.", "Are buses late? see https://example.org/bus",
             "carol [~c@host] has joined #town", "b: yes, every day", "Anyone here?"]
    authors = ["a", "b", "", "a", "a"]
    th = replies._Thread(texts, authors, [0.0, 60.0, 90.0, 120.0, 600.0])
    state = {"authors": list(authors), "addr": [[], [], [], ["b"], []], "latest": {"a": 3, "b": 1},
             "parents": [-1, 0, -1, 1, -1], "n_replies": [1, 1, 0, 0, 0], "rank": {}, "n_by": {"a": 2, "b": 1}}
    cands = [-1, 3, 2, 1, 0]
    feats = [replies.candidate_features(th, 4, j, state=state, order="chronological") for j in cands]
    replies._chrono_features(th, 4, cands, feats, state)
    assert all(set(f) == set(replies.ALL_FEATURES) for f in feats)
    by = dict(zip(cands, feats))
    assert [by[j]["same_conv_mine"] for j in (3, 2, 1, 0)] == [1.0, 0.0, 1.0, 1.0]
    assert [by[j]["conv_latest"] for j in (3, 2, 1, 0)] == [1.0, 1.0, 0.0, 0.0]
    assert by[3]["conv_has_me"] == 1.0 and by[2]["conv_has_me"] == 0.0
    assert by[2]["cand_system"] == 1.0 and by[2]["cand_has_author"] == 0.0 and by[1]["cand_system"] == 0.0
    assert by[1]["cand_url"] == 1.0 and by[0]["cand_url"] == 0.0
    assert by[0]["cand_first_by_author"] == 1.0 and by[3]["cand_first_by_author"] == 0.0
    assert by[0]["cand_author_later"] > 0 and by[3]["cand_author_later"] == 0.0
    # a last wrote 8 minutes before, twice so far; the comment names no one.
    assert by[-1]["i_author_gap"] == pytest.approx(math.log1p(8.0))
    assert by[-1]["i_author_count"] == pytest.approx(math.log1p(2))
    assert by[-1]["i_system"] == 0.0 and by[-1]["i_mentions_known"] == 0.0


@pytest.mark.parametrize("text, system", [
    ("bob [~bob@10.0.0.1]  has joined #ubuntu", True),
    ("bob has quit IRC (Ping timeout)", True),
    ("lev is now known as lev-away", True),
    ("Ann joined the channel", True),
    ("She has joined the board, which is news to me.", False),
    ("bob reboots in the vain hope it is a fluke", False),
    ("Who left the door open?", False),
])
def test_replies_system_lines(text, system):
    th = replies._Thread([text], [""], [None])
    assert replies._Conversations(th).system[0] is system


def test_replies_display_default_is_hand_set_with_times_and_learned_without():
    texts = ["Cities should ban cars from the old town centre.",
             "Buses would need new routes and longer hours for that to work.",
             "> Buses would need new routes and longer hours\nThey already run until midnight here.",
             "Great article, thanks!"]
    hand_set = {"coef": replies._HEURISTIC, "intercept": 0.0}
    untimed = _frame(texts)
    pd.testing.assert_frame_equal(infer_replies(untimed, order="display"),
                                  infer_replies(untimed, order="display", model="learned"))
    timed = _frame(texts, created_at=_timed([0, 5, 9, 30]))
    default = infer_replies(timed, order="display")
    pd.testing.assert_frame_equal(default, infer_replies(timed, order="display", model=hand_set))
    learned = infer_replies(timed, order="display", model="learned")
    assert not learned["parent_confidence"].equals(default["parent_confidence"])


@pytest.mark.parametrize("order, model", [("display", "trees"), ("chronological", "learned")])
def test_replies_model_string_other_than_learned_for_display_fails(order, model):
    with pytest.raises(SchemaError, match="'learned' with order='display'"):
        infer_replies(_frame(["a", "b"]), order=order, model=model)


def test_replies_output_does_not_depend_on_the_hash_seed():
    # Worker processes (--jobs, Dask) may hash strings differently; links and evidence
    # must not depend on it. Two repeated four-word runs of equal weight tie here.
    import os
    import subprocess
    import sys

    script = ("import sys, pandas as pd; from discourse.replies import infer_replies; "
              "t = ['Red apples grow tall here, and blue rivers run deep there.', "
              "'So red apples grow tall, yet blue rivers run deep?']; "
              "c = pd.DataFrame({'thread_id': ['t', 't'], 'comment_id': ['c0', 'c1'], 'parent_id': ['', ''], 'text': t}); "
              "sys.stdout.write(infer_replies(c)['parent_evidence'].iloc[1])")
    outs = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in range(8)}
    assert len(outs) == 1
    assert "c0" in next(iter(outs))


def _timed(minutes):
    return pd.to_datetime(pd.Series(minutes, dtype="float64") * 60 + 1.5e9, unit="s", utc=True)


def test_replies_display_later_older_comment_keeps_a_comment_from_the_top_level():
    # c2 is listed after c1 but is older: pages list top-level comments oldest first, and
    # a reply is never older than its parent, so c2 hangs above c1's parent and c1
    # cannot answer the post, whatever its words say.
    texts = ["Cats make fine pets.", "Great article, I loved reading this post!", "Fish are quiet."]
    out = infer_replies(_frame(texts, created_at=_timed([0, 600, 300])), order="display")
    assert out["parent_id"].tolist() == ["", "c0", ""]
    assert "c2, listed after it, is older, so it does not start a new top-level thread" in out["parent_evidence"].iloc[1]
    assert 0 < out["parent_confidence"].iloc[1] <= 1
    # Without the times nothing forbids it, and the post is the better answer.
    assert infer_replies(_frame(texts), order="display")["parent_id"].iloc[1] == ""


def test_replies_display_decoding_sees_a_later_comment_it_would_strand():
    # Minutes 0, 8, 47, 28, 10, 40, siblings oldest first; the true tree is c1 and c3 under
    # c0, c2 under c1. Choosing per comment, c1 answers the post (nothing in these words
    # ties it to c0), and then c3 (older than c2, with c4 older still listed after it) has
    # no place the times allow. Decoding the whole thread keeps c1 under c0.
    texts = ["trains trains tests fish", "memory python trains fish", "cats java cats python",
             "buses python buffer fish", "tests python java cats", "memory buses bikes dogs"]
    times = [m * 60.0 for m in (0, 8, 47, 28, 10, 40)]
    ids = [f"c{k}" for k in range(6)]

    def decode(width):
        th = replies._Thread(texts, [""] * 6, times)
        return replies._infer_display(th, ids, weights=replies._HEURISTIC, intercept=0.0, max_candidates=40,
                                      width=width)[0]["parents"]

    assert decode(1) == [-1, -1, 1, -1, -1, -1]
    assert decode(replies._BEAM) == [-1, 0, 1, 0, -1, -1]


def test_replies_display_misspelt_name_still_addresses_its_author():
    texts = ["Bioinformatics needs far more memory than people think.", "Yes, Jouni, genomes are huge.",
             "I totally agree, Journi. Memory is the bottleneck."]
    out = infer_replies(_frame(texts, author=["Jouni", "Simon", "Lea"]), order="display")
    assert out["parent_id"].iloc[2] == "c0"
    assert "it addresses Journi by name, and c0 is by Jouni" in out["parent_evidence"].iloc[2]


def test_replies_display_curly_apostrophe_opener_reads_as_a_reply():
    th = replies._Thread(["Java is slow.", "That’s fair, Java is slow at reading files."], ["", ""], [None, None])
    assert th.opener(1) and th.opener_text(1) == "That’s"
    out = infer_replies(_frame(["Java is the slowest language for reading files.",
                                "That’s fair, Java is slow at reading files."]), order="display")
    assert out["parent_id"].iloc[1] == "c0"
    assert "it opens as a reply does (“That’s”)" in out["parent_evidence"].iloc[1]


_FORUM_POST = pd.DataFrame({"thread_id": ["t"], "text": ["Should the city ban cars from the old town centre?"],
                            "author": ["op"]})
_FORUM_TEXTS = ["Yes. Buses and bikes would fill the gap within a year.",
                "Delivery vans need access before ten in the morning, or the shops close.",
                "The trams were rebuilt in 2019, which matters more than anything here.",
                "> Delivery vans need access before ten in the morning\nThey already get a permit window."]


def test_replies_forum_comment_without_cue_answers_the_post():
    # Chronological order under a post: a forum. The third comment has no name, quote or
    # shared wording tying it to an earlier comment, so it answers the post; the fourth
    # quotes the second in a "> " line, and the evidence says so.
    df = _frame(_FORUM_TEXTS, author=["ann", "bob", "cy", "dee"])
    out = infer_replies(df, order="chronological", threads=_FORUM_POST)
    assert out["parent_id"].tolist()[2:] == ["", "c1"]
    assert out["parent_evidence"].iloc[2].startswith("answers the post:")
    assert "it quotes c1 in a “>” line (“Delivery vans need access before ten in the morning”)" in \
        out["parent_evidence"].iloc[3]
    assert out["parent_confidence"].between(0, 1).all()


@pytest.mark.parametrize("kind, post, spaced, forum", [
    ("auto", True, False, True),     # a post text: a forum
    ("auto", False, False, False),   # no post, messages a minute apart: a chat
    ("auto", False, True, True),     # no post, comments an hour apart: a forum
    ("forum", False, False, True),
    ("chat", True, True, False),
])
def test_replies_forum_or_chat_is_chosen_per_thread(monkeypatch, kind, post, spaced, forum):
    seen = []
    real = replies._infer_thread

    def spy(*args, **kwargs):
        seen.append(kwargs.get("forum") is not None)
        return real(*args, **kwargs)

    monkeypatch.setattr(replies, "_infer_thread", spy)
    step = 3600 if spaced else 60
    df = _frame(_FORUM_TEXTS, created_at=pd.to_datetime([k * step for k in range(4)], unit="s", utc=True))
    infer_replies(df, order="chronological", kind=kind, threads=_FORUM_POST if post else None)
    assert seen == [forum]


def test_replies_forum_scorer_ships_with_every_forum_feature():
    forum = replies._model()["chronological"]["forum"]
    assert forum["features"] == list(replies.FORUM_FEATURES)
    assert set(forum["coef"]) == set(replies.FORUM_FEATURES)
    # Cues that by meaning speak for a link never weigh against one.
    assert min(forum["coef"][k] for k in ("block_quote", "quote", "rare_overlap", "cand_answers_me")) >= 0
    assert forum["root_bias"] >= 0


def test_replies_forum_features_cover_every_candidate():
    texts = ["Buses are late.", "Are buses late?\nEdit: spelling", "yes, buses are late again", "Trains too."]
    th = replies._Thread(texts, ["a", "b", "a", "c"], [0.0, 60.0, 120.0, 180.0], "Transport news")
    state = {"authors": ["a", "b", "a", "c"], "addr": [[], [], [], []], "latest": {"a": 0, "b": 1},
             "parents": [-1, 0, 1, -1], "n_replies": [1, 1, 0, 0], "rank": {}, "n_by": {"a": 1, "b": 1}}
    cands = [-1, 1, 0]
    feats = [replies.candidate_features(th, 2, j, state=state, order="chronological") for j in cands]
    replies._chrono_features(th, 2, cands, feats, state)
    replies._forum_features(th, 2, cands, feats, state)
    assert all(set(replies.FORUM_FEATURES) <= set(f) for f in feats)
    by = dict(zip(cands, feats))
    # Comment 1 (b's) came after a's first comment and answers it: "did it answer me?"
    assert by[1]["mine_before_cand"] == 1.0 and by[1]["cand_answers_me"] == 1.0
    assert by[1]["exchange"] > 0 and by[0]["exchange"] == 0.0
    assert by[-1]["root_lower_start"] == 1.0 and by[1]["gap_rank"] == 0.0 and by[0]["gap_rank"] > 0
    # a writes again: the post candidate says so, and b's comment came after a's first.
    assert by[-1]["root_returning"] == 1.0 and by[1]["after_mine"] == 1.0 and by[0]["after_mine"] == 0.0
    assert by[1]["gap_after_mine"] == pytest.approx(math.log1p(1.0))
    assert by[1]["gap_back"] == pytest.approx(math.log1p(1.0))
    assert by[1]["sim_mine_rank"] == 1.0 and by[0]["sim_mine_rank"] == 0.0
    # b's comment answers a's: a is up its chain; it has an "Edit:" line.
    assert by[1]["author_in_chain"] == 1.0 and by[0]["author_in_chain"] == 0.0 and by[-1]["author_in_chain"] == 0.0
    assert by[1]["cand_edit"] == 1.0 and by[0]["cand_edit"] == 0.0


@pytest.mark.parametrize("floor_back, parent", [(0.9, ""), (0.0, "c1")])
def test_replies_forum_returning_author_floor(floor_back, parent):
    # A weak cue toward c1 (b's comment after a's first): the confidence floor sends the
    # comment to the post unless the floor for returning authors lets the link stand.
    df = _frame(["Buses are late.", "Trains run fine here.", "Trams are the answer."], author=["a", "b", "a"])
    model = {"forum": {"coef": {"after_mine": 1.0}, "root_bias": 0.0, "min_confidence": 0.9,
                       "min_confidence_returning": floor_back}}
    out = infer_replies(df, order="chronological", threads=_FORUM_POST, model=model)
    assert out["parent_id"].iloc[2] == parent
    if parent:
        assert "c1 came after a's previous comment c0" in out["parent_evidence"].iloc[2]


@pytest.mark.parametrize("relink, parent", [(False, ""), (True, "c0")])
def test_replies_forum_relink_back_moves_the_answered_comment(relink, parent):
    # a answers b's c1, which came after a's c0: with relink_back, c1 answered c0.
    df = _frame(["Buses are late.", "Trains run fine here.", "Trams are the answer."], author=["a", "b", "a"])
    model = {"forum": {"coef": {"after_mine": 1.0}, "root_bias": 0.0, "min_confidence": 0.9,
                       "min_confidence_returning": 0.0, "relink_back": relink}}
    out = infer_replies(df, order="chronological", threads=_FORUM_POST, model=model)
    assert out["parent_id"].tolist() == ["", parent, "c1"]
    if relink:
        assert out["parent_evidence"].iloc[1].startswith("answers c0: c2, by c0's author a, answers it")
        assert out["parent_confidence"].iloc[1] == out["parent_confidence"].iloc[2]


# The beam search computes the cues that depend on the texts and the two authors once per
# (comment, candidate, both authors) for all hypotheses, and fills in per hypothesis only
# the cues that read its chain (replies._display_hypothesis); its scores add the weighed
# terms in the order candidate_features gives the cues. Per hypothesis, the features it
# rebuilds must be candidate_features' and its scores those of a sum over them, and the
# sharing must not change the links, confidences, evidence or speakers.
_SHARE_WORDS = ["Ann,", "Bob", "thanks", "yes", "you", "trains", "buses", "fish?", "“trains buses fish”",
                "> trains buses fish", "my comment", "Great post", "cats", "I agree"]


def _dict_score(f, weights, intercept):
    """The score of a feature dict as the decoder once computed it (best_sim left out)."""
    w = [weights.get(k, 0.0) if k != "best_sim" else 0.0 for k in f]
    return intercept + sum([x * v for x, v in zip(w, f.values()) if v])


_DISPLAY_HYPOTHESIS = replies._display_hypothesis


def _check_hypothesis(th, i, hc, counts, authors, latest, n_by, addr, bases, sc, max_candidates, weights, intercept):
    out = _DISPLAY_HYPOTHESIS(th, i, hc, counts, authors, latest, n_by, addr, bases, sc, max_candidates)
    chain = hc[:max_candidates]
    state = {"authors": authors, "addr": addr, "parents": replies._ChainMap(zip(hc, hc[1:])),
             "n_replies": replies._ChainMap(zip(hc, counts)), "latest": latest, "n_by": n_by,
             "rank": {c: k for k, c in enumerate(chain)}, "chain": list(chain)}
    for (j, r), part, score in zip(out[0], out[1], out[2]):
        # A candidate's scores come from terms written slot by slot; its dict of cues is
        # rebuilt (as for the chosen links), and the score must be the sum over that dict.
        base = part[0][0] if j < 0 else replies._display_pair_base(th, i, j, authors[i], authors[j], addr)[0]
        f = replies._display_features_of(j, part, base)
        assert r == (len(chain) if j < 0 else state["rank"][j])
        assert list(f.items()) == list(replies.candidate_features(th, i, j, state=state, order="display").items())
        assert score == _dict_score(f, weights, intercept)
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.lists(st.sampled_from(_SHARE_WORDS), min_size=1, max_size=8),
                          st.sampled_from(["", "", "Ann", "Bob", "Cy"]), st.integers(0, 90)),
                min_size=2, max_size=14),
       st.booleans(), st.sampled_from(["hand-set", "neither", "names and times"]))
def test_replies_display_shared_features_match_per_hypothesis_features(rows, timed, scorer):
    texts = [" ".join(words) for words, _, _ in rows]
    authors = [a for _, a, _ in rows]
    times = [m * 60.0 for _, _, m in rows] if timed else [None] * len(rows)
    ids = [f"c{k}" for k in range(len(rows))]
    if scorer == "hand-set":
        weights = replies._HEURISTIC
    else:
        weights = replies._display_model()["display_by_condition"][scorer]["coef"]

    def decode():
        return replies._infer_display(replies._Thread(texts, authors, times), ids, weights=weights, intercept=0.3,
                                      max_candidates=40)

    shared = decode()
    calls = []

    def alone(th, i, hc, counts, authors, latest, n_by, addr, bases, sc, max_candidates, named=False):
        # No sharing: a fresh base for every hypothesis.
        calls.append(i)
        return _check_hypothesis(th, i, hc, counts, authors, latest, n_by, addr, {}, sc, max_candidates,
                                 weights, 0.3)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(replies, "_display_hypothesis", alone)
        unshared = decode()
    assert calls
    assert shared[0]["parents"] == unshared[0]["parents"]
    assert shared[0]["authors"] == unshared[0]["authors"]
    assert shared[1] == unshared[1]
    assert shared[2] == unshared[2]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.lists(st.sampled_from(_SHARE_WORDS), min_size=1, max_size=6),
                          st.sampled_from(["", "Ann", "Bob", "Cy"]), st.integers(0, 90)),
                min_size=3, max_size=12),
       st.booleans(), st.lists(st.lists(st.integers(0, 2), min_size=12, max_size=12), min_size=2, max_size=8),
       st.lists(st.sampled_from(["", "Ann", "Bob"]), min_size=12, max_size=12),
       st.sampled_from(["hand-set", "neither", "names and times"]), st.sampled_from([40, 2]))
def test_replies_display_shared_bases_give_each_hypothesis_its_features(rows, timed, climbs, inferred, scorer, reach):
    # Random display-order threads (each comment climbs some steps up the chain of the one
    # above), some with speakers inferred, all sharing one set of bases per comment as the
    # decoder's hypotheses do: each hypothesis still gets candidate_features' features,
    # and the scores a sum over them gives.
    texts = [" ".join(words) for words, _, _ in rows]
    named = [a for _, a, _ in rows]
    times = [m * 60.0 for _, _, m in rows] if timed else [None] * len(rows)
    th = replies._Thread(texts, named, times)
    n = th.n
    weights = (replies._HEURISTIC if scorer == "hand-set"
               else replies._display_model()["display_by_condition"][scorer]["coef"])
    sc = replies._DisplayScorer(weights, -0.2)
    addr = [[name for _, _, name in replies.addressees(t)] for t in texts]
    bases = [{} for _ in range(n)]
    state = []
    for h, climb in enumerate(climbs):
        authors = [a or (inferred[k] if h % 2 else "") for k, a in enumerate(named)]
        state.append((authors, climb))
    walks = [((), (), {}, Counter()) for _ in state]
    for i in range(n):
        for h, (authors, climb) in enumerate(state):
            chain, counts, latest, n_by = walks[h]
            _check_hypothesis(th, i, chain, counts, authors, latest, n_by, addr, bases[i], sc, reach, weights, -0.2)
            r = min(climb[i], len(chain))
            if r == len(chain):
                chain, counts = (i,), (0,)
            else:
                chain, counts = (i,) + chain[r:], (0, counts[r] + 1) + counts[r + 1:]
            if authors[i]:
                latest[authors[i]] = i
            # As in the decoder: comments per author count the authors the source named.
            n_by[named[i]] += bool(named[i])
            walks[h] = (chain, counts, latest, n_by)
    assert any(bases)


@pytest.mark.parametrize("gap, phrase", [(0.2, "less than a minute"), (1.0, "1 minute"), (12.0, "12 minutes")])
def test_replies_evidence_gives_the_time_gap_in_words(gap, phrase):
    texts = ["Ann here: the new bus routes start on Monday.", "Ann, do they run on Sundays too?"]
    out = infer_replies(_frame(texts, author=["Ann", "Bo"], created_at=_timed([0, gap])), order="display")
    assert out["parent_id"].iloc[1] == "c0"
    assert f"it was written {phrase} after c0" in out["parent_evidence"].iloc[1]


@pytest.mark.parametrize("text, names", [
    ("Thanks. We'll look into it tomorrow.", []),
    ("Wow, That's the point.", []),
    ("Hey, Don't do that.", []),
    ("Sorry, They’re not wrong.", []),
    ("Thanks Bob! That helps.", ["Bob"]),
    ("Sorry, Ellen but no.", ["Ellen"]),
])
def test_replies_addressees_skip_contractions(text, names):
    assert [n for _, _, n in replies.addressees(text)] == names


# The per-thread text statistics take shortcuts (a word set instead of a search, C-level
# iteration instead of loops); each must give what the plain definition gives, on text
# made of the pieces those shortcuts turn on: the words they look for, "_" and
# apostrophes (straight and curly) next to them, capitals, and the four characters
# outside ASCII that ignoring case maps to ASCII letters.
_TEXT_PIECES = ["you", "You", "YOUR", "yours", "yourself", "u", "U", "thou", "young", "_", "'", "’", "ll", " ", " ",
                "\n", ",", ".", "great", "article", "post", "Post", "the", "author", "OP", "op", "you wrote", "read",
                "in your piece", "write-up", "writeup", "this", "story", "said", "x", "2", "é", "İ", "ı", "ſ", "K",
                "the the", "cats", "dogs", "people", "\u00a0"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_TEXT_PIECES), max_size=14).map("".join))
@example("_you")
@example("you_ said")
@example("You'll see, u")
@example("rock'n'you")
@example("OP's point")
@example("great\u00a0post_")
@example("the\nauthor")
@example("İn your piece")
@example("you ſaid")
@example("great artİcle")
@example("this pıece")
@example("this write-up")
@example("thank you, \u212aate")
def test_replies_text_shortcuts_match_their_definitions(text):
    import re

    plain_word = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
    straight = text.replace("’", "'")
    if straight.isascii():
        assert replies._tokens(text) == plain_word.findall(straight.lower())
    words = set(replies._tokens(text))
    says = bool(replies._SECOND_PERSON_ASCII.search(text.lower()) if text.isascii()
                else replies._SECOND_PERSON.search(text))
    assert replies._says_you(text) == says
    assert replies._says_you(text, words) == says
    th = replies._Thread([text], [""], [None])
    assert th.you == [says]
    assert replies._thread_speaks_of_post(th, 0) == bool(replies._POST_REF.search(text))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["cats", "dogs", "the", "a", "x", "2", "people", "buses", "trains",
                                          "run", "late", "é", "of", "again"]), max_size=12).map(" ".join),
                min_size=2, max_size=6),
       st.lists(st.sampled_from(["cats", "the", "buses", "late", "x"]), max_size=6).map(" ".join))
def test_replies_thread_vectors_match_their_definitions(texts, post):
    # tf-idf vectors, their cosines and shared four-word runs, as plain loops define them.
    th = replies._Thread(texts, [""] * len(texts), [None] * len(texts), post)
    docs = [[w for w in replies._tokens(t) if w not in replies._STOP and len(w) > 1] for t in texts + [post]]
    df = Counter(w for d in docs for w in set(d))
    idf = {w: math.log((1 + len(docs)) / (1 + c)) + 1.0 for w, c in df.items()}
    assert th.idf == idf

    def vec(words):
        tf: dict = {}
        for w in words:
            tf[w] = tf.get(w, 0) + 1
        v = {w: idf[w] if c == 1 else (1 + math.log(c)) * idf[w] for w, c in tf.items()}
        norm = math.sqrt(sum([x * x for x in v.values()])) or 1.0
        return {w: x / norm for w, x in v.items()}

    vecs = [vec(d) for d in docs]
    for got, want in zip(th.vecs + [th.post_vec], vecs):
        assert list(got.items()) == list(want.items())
    for i in range(len(texts)):
        for j in range(-1, i):
            a, b = vecs[i], vecs[j]
            if len(a) > len(b):
                a, b = b, a
            assert th.cosine(i, j) == sum([x * b[w] for w, x in a.items() if w in b])
            if j >= 0:
                toks_i, toks_j = replies._tokens(texts[i]), replies._tokens(texts[j])
                grams = [{g for g in zip(t, t[1:], t[2:], t[3:]) if not replies._STOP.issuperset(g)}
                         for t in (toks_i, toks_j)]
                assert th.shares_gram(i, j) == bool(grams[0] & grams[1])


# Second parents (chat): a message that thanks two helpers answers both.
_CHAT_TEXTS = ["anyone know how to mount a usb stick?", "bob: sudo mount /dev/sdb1 /mnt",
               "bob: or just plug it in, nautilus mounts it", "ann, carl: thanks both, that worked",
               "is there a way to change the login screen?"]


def _chat(**extra):
    times = pd.to_datetime([0, 30, 45, 90, 300], unit="s", utc=True)
    return _frame(_CHAT_TEXTS, author=["bob", "ann", "carl", "bob", "dave"], created_at=times, **extra)


def _second_model(leaf: float, threshold: float = 0.4) -> dict:
    # The shipped chat trees with a second-parent model of one leaf: log-odds *leaf* for
    # every runner-up.
    model = replies._model()["chronological"]
    second = {"features": list(replies.SECOND_FEATURES), "max_depth": 0, "baseline": 0.0, "threshold": threshold,
              "trees": [{"feature": [0], "threshold": [0.0], "left": [-1], "right": [-1], "value": [leaf]}]}
    return {**model, "trees": {**model["trees"], "second": second}}


def test_replies_second_parent_names_the_runner_up_when_the_model_is_sure():
    out = infer_replies(_chat(), order="chronological", kind="chat", model=_second_model(10.0))
    also = out["also_replies_to"].tolist()
    assert also[0] == ""
    ids = out["comment_id"].tolist()
    for k, (a, p) in enumerate(zip(also, out["parent_id"])):
        if a:
            # An earlier message other than the parent, and the evidence says why.
            assert a in ids[:k] and a != p and p != ""
            assert f"also answers {a}, a second parent: " in out.loc[k, "parent_evidence"]
            assert "(probability 1.00)" in out.loc[k, "parent_evidence"]
    assert sum(map(bool, also)) >= 2


@pytest.mark.parametrize("leaf, threshold", [(-10.0, 0.4), (0.0, 0.6)])
def test_replies_second_parent_is_left_empty_below_the_threshold(leaf, threshold):
    plain = infer_replies(_chat(), order="chronological", kind="chat", model=_second_model(leaf, threshold))
    assert plain["also_replies_to"].tolist() == [""] * 5
    assert not plain["parent_evidence"].str.contains("also answers").any()
    # The second model never moves a parent.
    sure = infer_replies(_chat(), order="chronological", kind="chat", model=_second_model(10.0))
    assert plain["parent_id"].tolist() == sure["parent_id"].tolist()
    assert plain["parent_confidence"].tolist() == sure["parent_confidence"].tolist()


@pytest.mark.parametrize("options", [{"order": "display"}, {"order": "chronological", "kind": "forum"}])
def test_replies_second_parent_only_in_chats(options):
    out = infer_replies(_chat(), **options)
    assert out["also_replies_to"].tolist() == [""] * 5


def test_replies_second_parent_needs_times():
    # The second model learned from timed IRC logs only: untimed messages get none.
    df = _chat().drop(columns="created_at")
    out = infer_replies(df, order="chronological", kind="chat", model=_second_model(10.0))
    assert out["also_replies_to"].tolist() == [""] * 5


def test_replies_second_parent_of_a_kept_link_is_kept():
    df = _chat(parent_id=["", "c0", "c0", "c1", ""], also_replies_to=["", "", "", "c2", ""])
    out = infer_replies(df, order="chronological", mode="auto")
    assert out["also_replies_to"].tolist() == ["", "", "", "c2", ""]


def test_replies_second_features_match_the_pair():
    th_authors = ["bob", "ann", "carl", "bob"]
    feats = [dict.fromkeys(replies.ALL_FEATURES, 0.0) for _ in range(3)]
    feats[1]["addr_author"], feats[2]["tfidf"], feats[2]["i_thanks"] = 1.0, 0.3, 1.0
    x = replies._second_features([0.0, 2.0, 1.5], 1, 2, [-1, 1, 2], feats, th_authors)
    assert set(x) == set(replies.SECOND_FEATURES)
    lse = math.log(1 + math.exp(2.0) + math.exp(1.5))
    assert x["gap"] == 0.5 and math.isclose(x["p_best"], math.exp(2.0 - lse))
    assert x["best_addr_author"] == 1.0 and x["second_tfidf"] == 0.3 and x["second_i_thanks"] == 1.0
    assert x["pair_same_author"] == 0.0 and x["second_later"] == 1.0 and x["best_root"] == 0.0


def test_replies_infer_speakers_keeps_a_repeated_index():
    # pd.concat of two exports without ignore_index repeats index labels; a stage keeps them.
    one = pd.DataFrame({"thread_id": ["t"] * 3, "comment_id": ["a", "b", "c"], "parent_id": ["", "a", "b"],
                        "text": ["Tests first.", "Sorry, Ellen but no.", "No.\n-- Bob"]})
    both = pd.concat([one, one.assign(thread_id="u")])
    out = infer_speakers(both)
    assert out.index.equals(both.index)
    assert out["author"].tolist() == ["Ellen", "", "Bob"] * 2
    assert out.reset_index(drop=True).equals(infer_speakers(both.reset_index(drop=True)))


def test_replies_forum_settings_ship_as_the_training_script_sets_them():
    # The forum scorer's settings (the post's extra weight, the confidence floors) are
    # chosen in bench/train_replies.py; the shipped file must carry the same values, so a
    # changed setting cannot ship without regenerating the file from the script.
    from bench.train_replies import FORUM

    forum = replies._model()["chronological"]["forum"]
    for key in ("root_bias", "min_confidence", "min_confidence_returning", "relink_back"):
        assert forum[key] == FORUM[key], key


def test_subtree_parts_keep_each_reply_chain_in_one_part():
    # Oldest first, replies interleave across top-level subtrees: the development folds
    # must follow the true parents, not the listing, so no link crosses two parts.
    from bench._replies_data import GoldThread, subtree_parts

    gold = [{-1}, {-1}, {0}, {1}, {2}, {-1}, {3}]
    t = GoldThread(name="t", ids=[f"c{k}" for k in range(7)], texts=[str(k) for k in range(7)],
                   authors=[""] * 7, times=[float(k) for k in range(7)], gold=gold)
    parts = subtree_parts(t, 2)
    assert [p.texts for p in parts] == [["0", "2", "4", "5"], ["1", "3", "6"]]
    assert [p.gold for p in parts] == [[{-1}, {0}, {1}, {-1}], [{-1}, {0}, {1}]]
