"""Tests for discourse.sentiment: VADER wiring, own words, frame-neutral scores, trajectories."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from discourse import segment, sentiment
from discourse.errors import SchemaError
from discourse.model import SPAN_COLUMNS

SCORE_COLUMNS = {
    "sentiment_compound", "sentiment_pos", "sentiment_neu", "sentiment_neg", "sentiment_raw_compound",
    "sentiment_frame_neutral_compound", "sentiment_quoted_compound", "sentiment_sentences",
}


def _vader(text):
    return sentiment.analyzer().polarity_scores(text)


@pytest.mark.parametrize(
    "text",
    [
        "I love it!!!", "I do NOT like this at all.", "Great news 🎉🎉 :)", "It was kind of good, but the ending was awful?!",
        "The food was not bad, but the service was the worst ever!!!!!", "no love lost", "", "   ",
        "Sorry, Ellen but “avoidance strategies” have not worked at all.", "least good, at least ok",
        "This is SICK!", "Oy vey es mier dang this all to heck. God bless us, every one.",
    ],
)
def test_sentiment_pieces_equal_vader(text):
    p = sentiment._vader_pieces(text)
    v = _vader(text)
    assert (p.compound, p.pos, p.neu, p.neg) == (v["compound"], v["pos"], v["neu"], v["neg"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["good", "bad", "not", "very", "but", "war", "LOVE", "!", "?", "kind", "of", "no",
                                 "hate", "the", "enemy", "least", ":)", "😀", "fight"]), max_size=14))
def test_sentiment_pieces_equal_vader_property(words):
    text = " ".join(words)
    p = sentiment._vader_pieces(text)
    v = _vader(text)
    assert (p.compound, p.pos, p.neu, p.neg) == (v["compound"], v["pos"], v["neu"], v["neg"])


def test_sentiment_raw_is_plain_vader(tiny_comments):
    out = sentiment.score(tiny_comments)
    assert out["sentiment_raw_compound"].tolist() == [_vader(t)["compound"] for t in tiny_comments["text"]]


def test_sentiment_not_a_war_is_not_negative_and_frame_neutral_zero():
    out = sentiment.score(pd.DataFrame({"text": ["Public education is not a war."]}))
    assert out["sentiment_raw_compound"][0] == pytest.approx(0.4847)
    assert out["sentiment_frame_neutral_compound"][0] == 0.0


@pytest.mark.parametrize(
    "terms, text, expected_zero",
    [
        (["war"], "This war is terrible.", False),  # "terrible" is tone, and stays
        (["war"], "The war.", True),
        (["carpet bombing"], "A carpet bombing campaign.", True),
        (["bombing"], "A carpet bombing campaign.", True),
        ([], "The war.", False),
    ],
)
def test_sentiment_neutral_terms_parameter(terms, text, expected_zero):
    out = sentiment.score(pd.DataFrame({"text": [text]}), neutral_terms=terms)
    assert bool(out["sentiment_frame_neutral_compound"][0] == 0.0) is expected_zero
    if not terms:
        assert out["sentiment_frame_neutral_compound"][0] == out["sentiment_compound"][0]


def test_sentiment_widget_artifacts_do_not_count():
    base = sentiment.score(pd.DataFrame({"text": ["The vote was lost."]}))
    with_buttons = sentiment.score(pd.DataFrame({"text": ["The vote was lost.\nLike\nReply"]}))
    assert with_buttons["sentiment_compound"][0] == base["sentiment_compound"][0]
    assert with_buttons["sentiment_raw_compound"][0] > base["sentiment_raw_compound"][0]  # "Like" is +1.5 to VADER


def test_sentiment_quoted_passage_scored_apart():
    own = "This is funny:\nIt’s from a conference for journalists."
    quote = "“Outsourcing has often resulted in cost overruns, service failures, less transparency, and greater inequality.”"
    text = own.replace("\n", "\n" + quote + "\n", 1)
    out = sentiment.score(pd.DataFrame({"text": [text, own]}))
    assert out["sentiment_compound"][0] == out["sentiment_compound"][1]
    assert not math.isnan(out["sentiment_quoted_compound"][0])
    assert math.isnan(out["sentiment_quoted_compound"][1])


def test_sentiment_typographic_apostrophe_negates():
    out = sentiment.score(pd.DataFrame({"text": ["Still don’t like it!", "Still don't like it!"]}))
    assert out["sentiment_compound"][0] == out["sentiment_compound"][1] < 0


def test_sentiment_long_comment_does_not_drift_to_extreme():
    text = " ".join(["The plan is a bad idea and a sad waste."] * 20)
    out = sentiment.score(pd.DataFrame({"text": [text]}))
    assert out["sentiment_raw_compound"][0] < -0.99
    # Twenty 10-token sentences score like the 20-token text of two of them: density, not length.
    two = sentiment.score(pd.DataFrame({"text": [" ".join(["The plan is a bad idea and a sad waste."] * 2)]}))
    assert out["sentiment_compound"][0] == two["sentiment_compound"][0] > -0.96


def test_sentiment_pos_neu_neg_sum_to_one():
    out = sentiment.score(pd.DataFrame({"text": ["I love this. I hate that. It is Tuesday."]}))
    assert out[["sentiment_pos", "sentiment_neu", "sentiment_neg"]].sum(axis=1)[0] == pytest.approx(1.0, abs=0.002)


def test_sentiment_given_spans_give_same_scores(tiny_comments):
    spans = segment.spans(tiny_comments, kinds=segment.KINDS)
    a = sentiment.score(tiny_comments)
    b = sentiment.score(tiny_comments, spans=spans)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("func", [sentiment.score, sentiment.sentences, sentiment.spans])
def test_sentiment_contract(func, tiny_comments):
    before = tiny_comments.copy(deep=True)
    shuffled = tiny_comments.set_index(pd.Index([10, 3, 7, 1, 0, 5, 2, 9]))
    out = func(shuffled)
    pd.testing.assert_frame_equal(tiny_comments, before)
    if func is sentiment.score:
        assert list(out.index) == list(shuffled.index)
        assert set(out.columns) - set(shuffled.columns) == SCORE_COLUMNS
    if func is sentiment.spans:
        assert list(out.columns) == list(SPAN_COLUMNS)
        texts = dict(zip(shuffled["comment_id"], shuffled["text"]))
        assert all(texts[r.comment_id][r.start:r.end] == r.text for r in out.itertuples())
    empty = func(tiny_comments.iloc[:0])
    assert len(empty) == 0
    with pytest.raises(SchemaError):
        func(tiny_comments.rename(columns={"text": "body"}))


def test_sentiment_seed_reads_right(seed_corpus):
    c = seed_corpus.comments
    out = sentiment.score(c)
    funny = out[out["text"].str.startswith("This is funny:")].iloc[0]
    own_only = "\n".join(line for line in funny["text"].splitlines()
                         if not line.startswith("“") and not line.startswith("http"))
    expected = sentiment.score(pd.DataFrame({"text": [own_only]}))["sentiment_compound"][0]
    assert funny["sentiment_compound"] == expected
    assert not math.isnan(funny["sentiment_quoted_compound"])
    sents = sentiment.sentences(c)
    war = sents[sents["scored_text"] == "Public education is not a war."].iloc[0]
    assert war["frame_neutral_compound"] == 0.0 and war["neutralised"] == (("war", 2.15),)


@pytest.mark.parametrize("text", ["I love it but hate the war!", "GOOD grief, not bad. Kind of sad :(", "Nothing here"])
def test_sentiment_words_as_word_valence_pairs(text):
    # The pieces keep their words flat; every public table and dict shows (word, valence) pairs.
    p = sentiment._vader_pieces(text, ())
    pairs = sentiment.polarity(text, neutral_terms=())["words"]
    assert pairs == tuple(zip(p.words[::2], p.words[1::2]))
    assert all(isinstance(w, str) and isinstance(v, float) and v for w, v in pairs)
    rows = sentiment.sentences(pd.DataFrame({"text": [text]}), neutral_terms=())
    for scored, words in zip(rows["scored_text"], rows["words"]):
        assert words == sentiment.polarity(scored, neutral_terms=())["words"]
    assert sentiment._POOLED_FIELDS(p) == (p.sum_s, p.neutral_sum_s, p.pos_sum, p.neg_sum, p.neu_count, p.n_tokens)


def test_sentiment_trajectories_and_escalation(tiny_comments):
    scored = sentiment.score(tiny_comments)
    traj = sentiment.trajectories(scored)
    assert list(traj.index) == list(tiny_comments.index)
    row_b = traj[traj["comment_id"] == "b"].iloc[0]
    assert row_b["parent_author"] == "Ann" and row_b["chain_depth"] == 2
    assert row_b["delta"] == pytest.approx(row_b["score"] - row_b["parent_score"], abs=1e-4)
    assert math.isnan(traj[traj["comment_id"] == "e"]["parent_score"].iloc[0])  # orphan answers the post
    per_thread = sentiment.escalation(scored)
    assert per_thread["thread_id"].tolist() == ["t1", "t2"]
    per_speaker = sentiment.escalation(scored, by="speaker")
    assert "Bob" in set(per_speaker["author"])


def test_sentiment_heated_exchange_needs_both_directions():
    df = pd.DataFrame({"thread_id": ["t"] * 4, "comment_id": ["a", "b", "c", "d"], "parent_id": ["", "a", "a", "a"],
                       "author": ["Ann", "Bob", "Bob", "Bob"], "sentiment_compound": [0.5, 0.0, -0.5, -0.8]})
    assert sentiment.escalation(df, by="exchange").empty
    df["parent_id"] = ["", "a", "b", "c"]
    df["author"] = ["Ann", "Bob", "Ann", "Bob"]
    ex = sentiment.escalation(df, by="exchange")
    assert ex["heated"].tolist() == [True]


@pytest.mark.parametrize("kwargs", [{"by": "user"}, {"min_turns": 1}])
def test_sentiment_escalation_bad_options_raise(kwargs):
    df = pd.DataFrame({"thread_id": ["t"], "comment_id": ["a"], "parent_id": [""], "sentiment_compound": [0.1]})
    with pytest.raises(SchemaError):
        sentiment.escalation(df, **kwargs)


def test_sentiment_pieces_equal_vader_on_seed(seed_corpus):
    texts = seed_corpus.comments["text"].tolist() + seed_corpus.threads["text"].tolist()
    for text in texts:
        p, v = sentiment._vader_pieces(text), _vader(text)
        assert (p.compound, p.pos, p.neu, p.neg) == (v["compound"], v["pos"], v["neu"], v["neg"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["I love it.", "This war is awful!", '"They said: what a great day."', "LikeLike",
                                 "https://x.org", "Not bad at all", "\n", "FIGHT!!!", "😀", "no", "", "x x x x x"]),
                max_size=8))
def test_sentiment_scores_in_range(parts):
    text = " ".join(parts)
    out = sentiment.score(pd.DataFrame({"text": [text]})).iloc[0]
    for col in ("sentiment_compound", "sentiment_raw_compound", "sentiment_frame_neutral_compound"):
        assert -1.0 <= out[col] <= 1.0
    shares = out["sentiment_pos"] + out["sentiment_neu"] + out["sentiment_neg"]
    assert shares == pytest.approx(1.0, abs=0.003) or shares == 0.0
    assert out["sentiment_sentences"] >= 0


def test_sentiment_analyze_stores_escalation(seed_analysed):
    escalation = seed_analysed.extras["escalation"]
    assert set(escalation) == {"thread", "speaker", "exchange"}
    assert escalation["thread"]["thread_id"].tolist() == seed_analysed.threads["thread_id"].tolist()


def test_sentiment_trajectories_deep_chain_and_cycle():
    n = 5000  # deeper than Python's recursion limit
    ids = [str(i) for i in range(n)]
    df = pd.DataFrame({"thread_id": "t", "comment_id": ids, "parent_id": [""] + ids[:-1],
                       "sentiment_compound": [0.5, -0.5] * (n // 2)})
    traj = sentiment.trajectories(df)
    assert traj["chain_depth"].tolist() == list(range(1, n + 1))
    assert traj["chain_mean"].iloc[-1] == 0.0 and traj["chain_mean"].iloc[-2] == round(0.5 / (n - 1), 4)
    # A cycle a -> b -> a: the first comment reached answers the post, the other answers it.
    cyc = pd.DataFrame({"thread_id": "t", "comment_id": ["a", "b"], "parent_id": ["b", "a"],
                        "sentiment_compound": [0.2, 0.4]})
    assert sentiment.trajectories(cyc)["chain_depth"].tolist() == [2, 1]


def test_sentiment_escalation_list_of_tables_equals_one_by_one(tiny_comments):
    scored = sentiment.score(tiny_comments)
    tables = sentiment.escalation(scored, by=["thread", "speaker", "exchange"])
    for by, table in tables.items():
        pd.testing.assert_frame_equal(table, sentiment.escalation(scored, by=by))


def test_sentiment_vader_constants_match_the_installed_vader():
    from vaderSentiment.vaderSentiment import N_SCALAR

    assert sentiment._N_SCALAR == N_SCALAR


@pytest.mark.parametrize("text", ["I love it!!!", "Not good, but not bad either?? :)", "", "It’s NOT great 😀", "no"])
def test_sentiment_compound_only_path_equals_vader(text):
    assert sentiment._compound(text) == _vader(text)["compound"]


def test_sentiment_score_after_spans_equals_score_alone(tiny_comments):
    seg = segment.spans(tiny_comments, kinds=segment.KINDS)
    alone = sentiment.score(tiny_comments, spans=seg)
    sentiment.spans(tiny_comments, spans=seg)
    # A frame edited between the two calls is scored afresh, not from what spans() kept.
    edited = tiny_comments.assign(text=tiny_comments["text"].str.upper())
    pd.testing.assert_frame_equal(sentiment.score(edited, spans=seg), sentiment.score(edited.copy(), spans=seg))
    sentiment.spans(tiny_comments, spans=seg)
    pd.testing.assert_frame_equal(tiny_comments.pipe(sentiment.score, spans=seg), alone)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([0, 0, 0, 1.5, -1.5, 0.75, 2.0, -0.74, 3.0]), max_size=20),
       st.integers(min_value=0, max_value=19))
def test_sentiment_but_check_equals_vader(values, at):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    words = ["w"] * len(values)
    if words:
        words[min(at, len(words) - 1)] = "but"
    ours = sentiment._but_check(words, values)
    theirs = SentimentIntensityAnalyzer._but_check(list(words), list(values))
    assert [float(x) for x in ours] == [float(x) for x in theirs]
    assert sum(ours) == sum(theirs)


_SENTENCE_WORDS = ["good", "bad", "not", "very", "but", "war", "LOVE", "HATE", "kind", "of", "no", "never", "so",
                   "least", "at", "the", "sort", "without", "doubt", ":)", "yeah", "right", "cut", "some", "slack"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.lists(st.sampled_from(_SENTENCE_WORDS), min_size=1, max_size=9),
                          st.sampled_from([".", "!", "?", "!!!", "..."])), min_size=2, max_size=5),
       st.sampled_from([" ", "\n", "  \n"]))
def test_sentiment_raw_from_sentences_equals_vader(sentences, gap):
    # A comment of several sentences: its raw compound is put together from the sentences'
    # VADER passes (words near a sentence edge scored again); it must be VADER's own.
    text = gap.join(" ".join(words) + end for words, end in sentences)
    out = sentiment.score(pd.DataFrame({"text": [text]}))
    assert out["sentiment_raw_compound"][0] == _vader(text)["compound"]


@pytest.mark.parametrize("text", [
    "It is kind. Of course it is good.",  # "kind of" across a sentence break
    "I do not. Like it at all.",  # negation from the previous sentence
    "GREAT. GOOD. bad day.",  # capitals differ between a sentence and the whole text
    "THIS IS A REALLY GOOD AND NICE THING. i agree.",  # ... inside a long sentence too
    "Not bad. But the ending? No. Love it!!",
    "Yeah right. Cut me some slack. At least. Good.",
    "I said no\nGood idea",  # "no" before a lexicon word in the next line
    "It was kind\nof good", "I love the\nshit out of it", "Yeah\nright", "Never so\ngood", "NEVER\nthis good",
    "Not\ngood", "at least\ngood", "not at\nleast good", "very\ngood", "no or\nnor good", "without\ndoubt good",
    "wouldn't've\nbeen good", "GOOD\nbad\nugly", "it is so\ngood", "no\nno\nno good",
])
def test_sentiment_raw_from_sentences_edges(text):
    ((*_, sents),) = sentiment._analyse(pd.DataFrame({"text": [text]}), "text", None, None, "comment_id", "thread_id")
    assert len(sents) > 1
    assert sentiment._joined_compound(text, sents) == _vader(text)["compound"]
    out = sentiment.score(pd.DataFrame({"text": [text]}))
    assert out["sentiment_raw_compound"][0] == _vader(text)["compound"]


# VADER identity on generated text: every rule of vaderSentiment's polarity_scores gets
# material here, with its quirks (a repeated value rescaled twice by the "but" rule, "no"
# before a lexicon word, "never so", "without doubt", "at least", "kind of", idioms before
# and after a lexicon word, ALL CAPS beside lower case, punctuation glued to words, emoji).
_VADER_WORDS = [
    # lexicon words (some in idioms), repeated on purpose
    "good", "good", "bad", "love", "hate", "war", "enemy", "fight", "great", "awful", "nice", "doubt", "kind", "no",
    "shit", "bomb", "ass", "die", "death", "kiss", "heart", "right", "yeah", "stop", "mustard", "lol", "like",
    # boosters, dampeners and their phrases
    "very", "extremely", "so", "really", "barely", "hardly", "sort", "of", "just", "enough", "kinda", "most",
    # negations and the words VADER's special cases look for
    "not", "never", "don't", "isn't", "aint", "cannot", "nor", "or", "without", "least", "at", "this", "the", "to",
    "for", "beating", "bus", "cut", "hand", "mouth", "but", "But", "BUT",
    # capitals, punctuation, emoticons, emoji, typographic apostrophe, plain words
    "GOOD", "BAD", "VERY", "NOT", "NO", "LOVE", "WAR", "good,", "bad!", "(love)", "no.", "but,", "kind-of", ":)", ":-(",
    "!!!", "?", "??", "...", "😀", "💔", "good😀", "don’t", "wouldn't've", "ÉNORME", "it", "is", "we", "a", "x",
]

# Words VADER's rules look for, with a few lexicon words: short sentences of these put a
# rule's trigger on one side of a sentence break and its lexicon word on the other.
_EDGE_WORDS = ["no", "NO", "kind", "of", "never", "so", "this", "least", "at", "very", "not", "wouldn't've", "or",
               "good", "BAD", "love", "but", "the", "shit", "bomb", "yeah", "right", "without", "doubt", "x", "X"]


def _vader_neutral_compound(text, terms):
    """Reference for the frame-neutral compound, from vaderSentiment's own methods: its word
    valences, the frame terms' zeroed, then its "but" rule and its scoring."""
    from vaderSentiment.vaderSentiment import BOOSTER_DICT, SentiText

    a = sentiment.analyzer()
    text_no_emoji, prev_space = "", True  # polarity_scores' emoji step, as it is written
    for ch in text:
        if ch in a.emojis:
            text_no_emoji += ("" if prev_space else " ") + a.emojis[ch]
            prev_space = False
        else:
            text_no_emoji += ch
            prev_space = ch == " "
    text = text_no_emoji.strip()
    st = SentiText(text)
    words = st.words_and_emoticons
    sentiments = []
    for i, item in enumerate(words):
        if item.lower() in BOOSTER_DICT or (i < len(words) - 1 and item.lower() == "kind"
                                            and words[i + 1].lower() == "of"):
            sentiments.append(0)
            continue
        sentiments = a.sentiment_valence(0, st, item, i, sentiments)
    lower = [w.lower() for w in words]
    single = {t.lower() for t in terms if " " not in t}
    phrases = [tuple(t.lower().split()) for t in terms if " " in t]
    zero = {i for i, w in enumerate(lower) if w in single}
    for ph in phrases:
        zero.update(j for i in range(len(lower)) if tuple(lower[i:i + len(ph)]) == ph for j in range(i, i + len(ph)))
    sentiments = [0 if i in zero else v for i, v in enumerate(sentiments)]
    return a.score_valence(a._but_check(words, sentiments), text)["compound"]


_vader_texts = st.lists(st.sampled_from(_VADER_WORDS), max_size=24).map(" ".join)


@settings(max_examples=500, deadline=None)
@given(_vader_texts)
def test_sentiment_fast_vader_equals_vader(text):
    v = _vader(text)
    p = sentiment._vader_pieces(text)
    assert (p.compound, p.pos, p.neu, p.neg) == (v["compound"], v["pos"], v["neu"], v["neg"])
    assert sentiment._compound(text) == v["compound"]


@settings(max_examples=300, deadline=None)
@given(_vader_texts, st.lists(st.sampled_from(["war", "fight", "enemy", "kind of", "good", "the bomb", "no"]),
                              max_size=3))
def test_sentiment_frame_neutral_equals_vader_with_terms_zeroed(text, terms):
    p = sentiment._vader_pieces(text, tuple(terms))
    assert p.neutral_compound == _vader_neutral_compound(text, terms)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from([_VADER_WORDS, _EDGE_WORDS]).flatmap(
           lambda words: st.lists(st.tuples(st.lists(st.sampled_from(words), min_size=1, max_size=8),
                                            st.sampled_from([".", "!", "?", "!!!", "...", "", "", ""])), min_size=1, max_size=6)),
       st.lists(st.sampled_from([" ", "\n", "  \n", "\n\n"]), min_size=5, max_size=5))
def test_sentiment_stage_raw_equals_vader_on_many_sentences(sentences, gaps):
    # The raw compound is assembled from the sentences' VADER passes where it can be (words
    # near sentence edges scored again): across every rule that looks back or ahead it must
    # be VADER's own, and so must each sentence's score.
    text = "".join(" ".join(words) + end + gaps[i % len(gaps)] for i, (words, end) in enumerate(sentences))
    out = sentiment.score(pd.DataFrame({"text": [text]}))
    assert out["sentiment_raw_compound"][0] == _vader(text)["compound"]
    ((*_, sents),) = sentiment._analyse(pd.DataFrame({"text": [text]}), "text", None, None, "comment_id", "thread_id")
    for s in sents:
        assert s.pieces.compound == _vader(s.text)["compound"]
    own = [s for s in sents if s.role == "own"]
    joined = sentiment._joined_compound(text, own) if own else None
    assert joined is None or joined == _vader(text)["compound"]


def _vader_word_valences(text):
    """vaderSentiment's own per-word valences of *text* (its polarity_scores loop, before the "but" rule)."""
    from vaderSentiment.vaderSentiment import BOOSTER_DICT, SentiText

    a = sentiment.analyzer()
    st = SentiText(text)
    words = st.words_and_emoticons
    out = []
    for i, item in enumerate(words):
        if item.lower() in BOOSTER_DICT or (i < len(words) - 1 and item.lower() == "kind"
                                            and words[i + 1].lower() == "of"):
            out.append(0)
            continue
        out = a.sentiment_valence(0, st, item, i, out)
    return out


# Lexicon words next to the words VADER's rules look for, the words of its idioms and
# booster phrases (some of them everyday words: "the", "of", "to", "for", "just"), in
# lower case and in capitals: which words need VADER's rules is decided per sentence.
_RULE_NEAR_WORDS = ["good", "GOOD", "bad", "love", "war", "die", "death", "heart", "stop", "shit", "bomb", "ass",
                    "right", "kind", "no", "NO", "the", "of", "to", "for", "just", "enough", "sort", "kiss",
                    "bus", "beating", "yeah", "this", "so", "never", "not", "don't", "least", "at", "very",
                    "VERY", "without", "doubt", "or", "nor", "a", "it", "we", "x", "X"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_RULE_NEAR_WORDS), max_size=40))
def test_sentiment_word_valences_equal_vader(words):
    # Up to 40 words: a sentence, and a text long enough (over sentiment._REACH_MAX) for
    # each lexicon word to be checked on its own.
    text = " ".join(words)
    raws = text.split()
    lower = [w.lower() for w in raws]
    upper = [w.isupper() for w in raws]
    n_upper = sum(upper)
    ours = sentiment._valences(upper, lower, 0 < len(raws) - n_upper < len(raws))
    theirs = {i: v for i, v in enumerate(_vader_word_valences(text)) if v}
    assert ours == theirs


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 300), st.integers(0, 60)), max_size=80),
       st.integers(0, 320), st.integers(0, 80))
def test_sentiment_overlap_index_finds_what_testing_every_span_finds(raw, start, length):
    # The index a comment with many quotes uses must pick the same spans, in the same order,
    # as testing each span against the sentence.
    spans = [segment.Span(a, a + n, "quote", "inline") for a, n in raw]
    end = start + length
    assert sentiment._Overlapping(spans)(start, end) == [s for s in spans if s.end > start and s.start < end]


def test_sentiment_comment_of_many_quotes_scores_each_block_alike():
    block = 'He said "we must fight this war to the end." I disagree, it is sad. '
    one = sentiment.spans(pd.DataFrame({"thread_id": ["t"], "comment_id": ["1"], "text": [block]}))
    many = sentiment.spans(pd.DataFrame({"thread_id": ["t"], "comment_id": ["1"], "text": [block * 60]}))
    assert len(many) == 60 * len(one)
    last = many.tail(len(one)).reset_index(drop=True)
    assert (last["start"] - 59 * len(block)).tolist() == one["start"].tolist()
    assert last["explanation"].tolist() == one["explanation"].tolist()
