"""Sentiment: VADER per sentence, the commenter's own words, frame-neutral scores, trajectories.

VADER (Hutto and Gilbert, 2014) is a lexicon and rule-based scorer tuned on social-media
text. Its ``compound`` score runs from -1 (most negative) to +1 (most positive); ``pos``,
``neu`` and ``neg`` are the shares of the text's sentiment mass that are positive,
neutral and negative.

Used naively on comment threads, VADER misreads them in four ways, and this stage
corrects each one while keeping the plain score for comparison:

own words
    A comment's quotations (a quoted article, an interview between delimiter lines, a
    quote of another comment), its URLs and any widget buttons left in the text
    ("LikeLike": VADER scores "Like" +1.5) are not the commenter's words. They are cut
    out (see :mod:`discourse.segment`; quoted single terms such as scare quotes stay).
    Quotations are scored separately (``sentiment_quoted_compound``).
per sentence
    VADER's compound grows with the number of sentiment words, so a long comment
    drifts towards -1 or +1. Each sentence is scored on its own (with typographic
    apostrophes read as straight ones, since VADER's negation rules only know "don't",
    not "don’t", which scraped text uses). The comment's compound pools the sentences'
    valence sums S over its N own tokens and normalises once, as VADER does:
    ``normalize(S / max(1, N / POOL_TOKENS))`` with ``POOL_TOKENS = 20``. Up to 20 tokens
    (a tweet, the length VADER was validated on) that is VADER on the sentences; a longer
    comment is scaled to a 20-token text, so it scores the density of its sentiment, not
    its length (``bench/sentiment.py`` compares this rule with the mean of sentence
    compounds and with plain pooling). ``pos``, ``neu`` and ``neg`` pool the sentences'
    sentiment mass, which is how VADER computes them over one text.
frame neutral
    VADER scores war -2.9, enemy -2.5 and fight -1.6, so a calm argument *about* the
    war metaphor reads as hostile (and "is not a war" as +0.48, since VADER negates
    the word). ``sentiment_frame_neutral_compound`` is the own-words score with the
    valence of the frame vocabulary set to zero inside the VADER computation (the text
    is not edited, so offsets stay true): it measures tone rather than topic.
raw
    ``sentiment_raw_compound`` is plain VADER on the whole text, exactly as
    ``SentimentIntensityAnalyzer().polarity_scores(text)["compound"]``.

Trajectories follow reply links (``parent_id``; empty means the comment answers the
post): :func:`trajectories` gives each comment's score beside its parent's, and
:func:`escalation` summarises, per thread and per speaker, how often replies are more
negative than what they answer and which pairs of speakers trade increasingly negative
replies (*heated exchanges*).
"""

from __future__ import annotations

import functools
import math
import re
from typing import Iterable, NamedTuple

import pandas as pd

from . import segment
from .model import SPAN_COLUMNS, require_columns

__all__ = [
    "DEFAULT_NEUTRAL_TERMS",
    "ESCALATION_MARGIN",
    "POOL_TOKENS",
    "analyzer",
    "escalation",
    "polarity",
    "score",
    "sentences",
    "spans",
    "trajectories",
]

#: War-frame vocabulary neutralised when the caller gives none. The pipeline passes the
#: framing stage's vocabulary instead; this list keeps the stage usable on its own.
DEFAULT_NEUTRAL_TERMS = (
    "war", "wars", "warfare", "wartime", "battle", "battles", "battlefield", "battleground", "battlegrounds",
    "fight", "fights", "fighting", "fought", "fighter", "fighters", "enemy", "enemies", "attack", "attacks",
    "attacked", "attacking", "bomb", "bombs", "bombing", "carpet bombing", "weapon", "weapons", "weaponry",
    "weaponize", "weaponized", "troops", "army", "armies", "soldier", "soldiers", "combat", "front lines",
    "frontline", "front groups", "siege", "invade", "invasion", "onslaught", "ammunition", "arsenal", "ally",
    "allies", "victory", "defeat", "defeated", "surrender", "truce", "crusade", "trenches", "strategy",
    "strategic", "tactics", "conflict", "hostilities", "casualties", "war metaphor",
)

#: Own tokens per comment up to which sentence valence sums are pooled as they are; longer
#: comments are scaled down to this length. Chosen among 20, 30 and 40 on the VADER movie-review
#: snippets (20 was best on all four human-rated sets; see bench/sentiment.py).
POOL_TOKENS = 20

#: A reply escalates when its compound is below its parent's by more than this margin
#: (a tenth of the scale: VADER's own neutral band is +-0.05, so smaller steps are noise).
ESCALATION_MARGIN = 0.1

_SCORE_COLUMNS = (
    "sentiment_compound",
    "sentiment_pos",
    "sentiment_neu",
    "sentiment_neg",
    "sentiment_raw_compound",
    "sentiment_frame_neutral_compound",
    "sentiment_quoted_compound",
    "sentiment_sentences",
)


@functools.lru_cache(maxsize=1)
def analyzer():
    """The process-wide VADER analyser (its constructor re-reads the lexicon every time).

    Examples
    --------
    >>> analyzer() is analyzer()
    True
    """
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


class _Pieces(NamedTuple):
    """What VADER computes for one text, before rounding: enough to pool sentences."""

    compound: float
    pos: float
    neu: float
    neg: float
    neutral_compound: float
    sum_s: float  # the valence sum with punctuation emphasis, before normalisation
    neutral_sum_s: float
    pos_sum: float
    neg_sum: float
    neu_count: int
    n_tokens: int
    words: tuple  # (token, final valence) for tokens with a valence
    neutralised: tuple  # (token, valence it would have had)


@functools.lru_cache(maxsize=64)
def _neutral_sets(terms: tuple) -> tuple[frozenset, tuple]:
    words, phrases = set(), []
    for term in terms:
        toks = tuple(t.lower() for t in str(term).split())
        if len(toks) == 1:
            words.add(toks[0])
        elif toks:
            phrases.append(toks)
    return frozenset(words), tuple(phrases)


def _valence(lexicon, words, lower, i, is_cap_diff):
    """VADER's ``sentiment_valence`` for a lexicon word at *i* (vaderSentiment 3.3.2), unchanged
    except that the lower-cased words are computed once per text instead of once per rule:
    VADER re-lowercases the whole text inside every negation and idiom check, which makes
    it quadratic in the length of a comment. Tests compare it with VADER on real text."""
    from vaderSentiment.vaderSentiment import C_INCR, N_SCALAR, scalar_inc_dec

    item, low = words[i], lower[i]
    valence = lexicon[low]
    if low == "no" and i != len(words) - 1 and lower[i + 1] in lexicon:
        valence = 0.0
    if (i > 0 and lower[i - 1] == "no") or (i > 1 and lower[i - 2] == "no") or (
            i > 2 and lower[i - 3] == "no" and lower[i - 1] in ["or", "nor"]):
        valence = lexicon[low] * N_SCALAR
    if item.isupper() and is_cap_diff:
        if valence > 0:
            valence += C_INCR
        else:
            valence -= C_INCR
    for start_i in range(0, 3):
        if i > start_i and lower[i - (start_i + 1)] not in lexicon:
            s = scalar_inc_dec(words[i - (start_i + 1)], valence, is_cap_diff)
            if start_i == 1 and s != 0:
                s = s * 0.95
            if start_i == 2 and s != 0:
                s = s * 0.9
            valence = valence + s
            valence = _negation_check(valence, lower, start_i, i)
            if start_i == 2:
                valence = _special_idioms_check(valence, lower, i)
    # VADER's _least_check.
    if i > 1 and lower[i - 1] not in lexicon and lower[i - 1] == "least":
        if lower[i - 2] != "at" and lower[i - 2] != "very":
            valence = valence * N_SCALAR
    elif i > 0 and lower[i - 1] not in lexicon and lower[i - 1] == "least":
        valence = valence * N_SCALAR
    return valence


@functools.lru_cache(maxsize=1)
def _negate_words() -> frozenset:
    from vaderSentiment.vaderSentiment import NEGATE

    return frozenset(NEGATE)


def _negated(word: str) -> bool:
    # VADER's negated([word]) for one lower-cased word.
    return word in _negate_words() or "n't" in word


def _negation_check(valence, lower, start_i, i):
    from vaderSentiment.vaderSentiment import N_SCALAR

    if start_i == 0:
        if _negated(lower[i - 1]):
            valence = valence * N_SCALAR
    if start_i == 1:
        if lower[i - 2] == "never" and (lower[i - 1] == "so" or lower[i - 1] == "this"):
            valence = valence * 1.25
        elif lower[i - 2] == "without" and lower[i - 1] == "doubt":
            pass
        elif _negated(lower[i - 2]):
            valence = valence * N_SCALAR
    if start_i == 2:
        if lower[i - 3] == "never" and (lower[i - 2] == "so" or lower[i - 2] == "this") or (
                lower[i - 1] == "so" or lower[i - 1] == "this"):
            valence = valence * 1.25
        elif lower[i - 3] == "without" and (lower[i - 2] == "doubt" or lower[i - 1] == "doubt"):
            pass
        elif _negated(lower[i - 3]):
            valence = valence * N_SCALAR
    return valence


def _special_idioms_check(valence, lower, i):
    from vaderSentiment.vaderSentiment import BOOSTER_DICT, SPECIAL_CASES

    # Negative indices wrap around exactly as in VADER (a quirk kept for identical scores).
    onezero = f"{lower[i - 1]} {lower[i]}"
    twoonezero = f"{lower[i - 2]} {lower[i - 1]} {lower[i]}"
    twoone = f"{lower[i - 2]} {lower[i - 1]}"
    threetwoone = f"{lower[i - 3]} {lower[i - 2]} {lower[i - 1]}"
    threetwo = f"{lower[i - 3]} {lower[i - 2]}"
    for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
        if seq in SPECIAL_CASES:
            valence = SPECIAL_CASES[seq]
            break
    if len(lower) - 1 > i:
        zeroone = f"{lower[i]} {lower[i + 1]}"
        if zeroone in SPECIAL_CASES:
            valence = SPECIAL_CASES[zeroone]
    if len(lower) - 1 > i + 1:
        zeroonetwo = f"{lower[i]} {lower[i + 1]} {lower[i + 2]}"
        if zeroonetwo in SPECIAL_CASES:
            valence = SPECIAL_CASES[zeroonetwo]
    for n_gram in (threetwoone, threetwo, twoone):
        if n_gram in BOOSTER_DICT:
            valence = valence + BOOSTER_DICT[n_gram]
    return valence



def _vader_pieces(text: str, neutral: tuple = ()) -> _Pieces:
    """VADER's computation (vaderSentiment 3.3.2 ``polarity_scores``), keeping its pieces.

    Identical to ``polarity_scores`` for the plain scores (the tests check this on real
    text). The neutral variant zeroes the valence a frame term would get; every other
    rule, including the terms' role as context for their neighbours, is unchanged.
    """
    from vaderSentiment.vaderSentiment import BOOSTER_DICT, SentiText, normalize

    sia = analyzer()
    if not text.isascii() and not _emoji_chars().isdisjoint(text):
        # VADER replaces each emoji character by its description. Most text has none (a
        # curly quote is not one), so its per-character loop runs only when one is there.
        emojis = sia.emojis
        out = []
        prev_space = True
        for ch in text:
            if ch in emojis:
                if not prev_space:
                    out.append(" ")
                out.append(emojis[ch])
                prev_space = False
            else:
                out.append(ch)
                prev_space = ch == " "
        text = "".join(out)
    text = text.strip()
    sentitext = SentiText(text)
    words = sentitext.words_and_emoticons
    lower = [w.lower() for w in words]
    lexicon = sia.lexicon
    is_cap_diff = sentitext.is_cap_diff
    sentiments: list = []
    for i, low in enumerate(lower):
        if low in BOOSTER_DICT or (low == "kind" and i < len(words) - 1 and lower[i + 1] == "of"):
            sentiments.append(0)
        elif low in lexicon:
            sentiments.append(_valence(lexicon, words, lower, i, is_cap_diff))
        else:
            sentiments.append(0)
    neutral_idx = set()
    if neutral:
        single, phrases = _neutral_sets(neutral)
        neutral_idx = {i for i, w in enumerate(lower) if w in single and sentiments[i] != 0}
        for phrase in phrases:
            n = len(phrase)
            if phrase[0] not in lower:
                continue
            for i in range(len(lower) - n + 1):
                if lower[i] == phrase[0] and tuple(lower[i:i + n]) == phrase:
                    neutral_idx.update(j for j in range(i, i + n) if sentiments[j] != 0)
    plain = sia._but_check(words, list(sentiments))
    compound, pos, neu, neg, pos_sum, neg_sum, neu_count, sum_s = _score(sia, plain, text, normalize)
    if neutral_idx:
        zeroed = [0 if i in neutral_idx else s for i, s in enumerate(sentiments)]
        scored = _score(sia, sia._but_check(words, zeroed), text, normalize)
        neutral_compound, neutral_sum_s = scored[0], scored[-1]
    else:
        neutral_compound, neutral_sum_s = compound, sum_s
    return _Pieces(
        compound, pos, neu, neg, neutral_compound, sum_s, neutral_sum_s, pos_sum, neg_sum, neu_count, len(words),
        tuple((w, round(s, 2)) for w, s in zip(words, plain) if s != 0),
        tuple((words[i], round(plain[i], 2)) for i in sorted(neutral_idx)),
    )


def _score(sia, sentiments, text, normalize):
    if not sentiments:
        return 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0.0
    sum_s = float(sum(sentiments))
    punct = sia._punctuation_emphasis(text)
    if sum_s > 0:
        sum_s += punct
    elif sum_s < 0:
        sum_s -= punct
    compound = normalize(sum_s)
    pos_sum, neg_sum, neu_count = sia._sift_sentiment_scores(sentiments)
    if pos_sum > math.fabs(neg_sum):
        pos_sum += punct
    elif pos_sum < math.fabs(neg_sum):
        neg_sum -= punct
    total = pos_sum + math.fabs(neg_sum) + neu_count
    return (round(compound, 4), round(math.fabs(pos_sum / total), 3), round(math.fabs(neu_count / total), 3),
            round(math.fabs(neg_sum / total), 3), pos_sum, neg_sum, neu_count, sum_s)


def polarity(text: str, *, neutral_terms: Iterable[str] | None = None) -> dict:
    """VADER scores of one text, plus its frame-neutral compound and the words that carried it.

    Parameters
    ----------
    text : str
    neutral_terms : iterable of str, optional
        Frame vocabulary to neutralise (default :data:`DEFAULT_NEUTRAL_TERMS`).

    Returns
    -------
    dict
        ``compound``, ``pos``, ``neu``, ``neg`` (as VADER's ``polarity_scores``),
        ``frame_neutral_compound``, ``words`` (token, valence) and ``neutralised``.

    Examples
    --------
    >>> p = polarity("Public education is not a war.")
    >>> p["compound"], p["frame_neutral_compound"], p["neutralised"]
    (0.4847, 0.0, (('war', 2.15),))
    """
    terms = tuple(DEFAULT_NEUTRAL_TERMS if neutral_terms is None else neutral_terms)
    p = _vader_pieces(text, terms)
    return {"compound": p.compound, "pos": p.pos, "neu": p.neu, "neg": p.neg,
            "frame_neutral_compound": p.neutral_compound, "words": p.words, "neutralised": p.neutralised}


_HAS_WORD = re.compile(r"[^\W_]")


class _Sentence(NamedTuple):
    start: int
    end: int
    role: str  # "own" or "quote"
    text: str  # what VADER scored (the own pieces joined by spaces)
    pieces: _Pieces


@functools.lru_cache(maxsize=1)
def _emoji_chars():
    return frozenset(k for k in analyzer().emojis if len(k) == 1)


@functools.lru_cache(maxsize=20_000)
def _cached_pieces(text: str, terms: tuple) -> _Pieces:
    # Memoised: comment threads repeat sentences ("Thanks!", "+1"), and the pipeline asks for
    # sentence spans and scores of the same text; the result depends only on the arguments.
    return _vader_pieces(text, terms)


def _sentences_of(text: str, sents, excl, quote_spans, terms) -> list[_Sentence]:
    out = []
    for s in sents:
        for role, pieces in (("own", segment.own_pieces(text, s.start, s.end, exclude=excl)),
                             ("quote", _inside(s.start, s.end, quote_spans))):
            if not pieces:
                continue
            # VADER's negation list spells "can't", "don't", ... with a straight apostrophe;
            # scraped text uses the typographic one, which silently turns off negation.
            scored = " ".join(text[a:b] for a, b in pieces).replace("’", "'")
            p = _cached_pieces(scored, terms)
            if p.words or _HAS_WORD.search(scored):
                out.append(_Sentence(pieces[0][0], pieces[-1][1], role, scored, p))
    return out


def _inside(start, end, quote_spans):
    out = []
    for q in quote_spans:
        a, b = max(q.start, start), min(q.end, end)
        if b > a:
            out.append((a, b))
    return out


def _comment_segments(text: str, given: list | None):
    """Sentences, excluded spans and scored quotes of one text (from *given* spans if any)."""
    if given is None:
        sents = segment.sentences(text)
        qs = segment.quotes(text)
        excl = sorted([q for q in qs if q.label != "term"] + segment.urls(text) + segment.artifacts(text))
    else:
        sents = [s for s in given if s.kind == "sentence"] or segment.sentences(text)
        qs = [s for s in given if s.kind == "quote"]
        excl = sorted([s for s in given if s.kind in ("url", "artifact")] + [q for q in qs if q.label != "term"])
    quoted = [q for q in qs if q.label != "term"]
    return sents, excl, quoted


def _given_spans(spans_, comments, text_col, id_col, thread_col):
    """Group a spans table by comment (kinds segment finds), or None."""
    if spans_ is None:
        return None
    require_columns(spans_, ["thread_id", "comment_id", "kind", "label", "start", "end"], caller="sentiment.score")
    keep = spans_[spans_["kind"].isin(["sentence", "quote", "url", "artifact"])]
    grouped: dict = {}
    for t, c, k, lab, s, e in keep[["thread_id", "comment_id", "kind", "label", "start", "end"]].itertuples(index=False):
        grouped.setdefault((t, c), []).append(segment.Span(int(s), int(e), k, lab))
    return grouped


def _keys(comments, id_col, thread_col):
    threads = comments[thread_col] if thread_col in comments.columns else pd.Series("", index=comments.index)
    ids = comments[id_col] if id_col in comments.columns else pd.Series("", index=comments.index)
    return threads, ids


def _analyse(comments, text_col, neutral_terms, spans_, id_col, thread_col):
    terms = tuple(DEFAULT_NEUTRAL_TERMS if neutral_terms is None else neutral_terms)
    given = _given_spans(spans_, comments, text_col, id_col, thread_col)
    threads, ids = _keys(comments, id_col, thread_col)
    for t, c, text in zip(threads, ids, comments[text_col]):
        if not isinstance(text, str) or not text.strip():
            yield t, c, text if isinstance(text, str) else "", []
            continue
        sents, excl, quoted = _comment_segments(text, None if given is None else given.get((t, c), []))
        yield t, c, text, _sentences_of(text, sents, excl, quoted, terms)


def _pool(sums, n_tokens) -> float:
    from vaderSentiment.vaderSentiment import normalize

    return round(normalize(sum(sums) / max(1.0, sum(n_tokens) / POOL_TOKENS)), 4)


def score(comments: pd.DataFrame, *, text_col: str = "text", neutral_terms: Iterable[str] | None = None,
          spans: pd.DataFrame | None = None, id_col: str = "comment_id", thread_col: str = "thread_id") -> pd.DataFrame:
    """Add VADER sentiment of each commenter's own words, the plain score and the frame-neutral score.

    Parameters
    ----------
    comments : pandas.DataFrame
        Needs *text_col*; ``thread_id`` and ``comment_id`` are used to match *spans*.
    text_col : str, default "text"
    neutral_terms : iterable of str, optional
        Frame vocabulary (single words and multi-word terms) whose valence is zeroed for
        ``sentiment_frame_neutral_compound``. Default :data:`DEFAULT_NEUTRAL_TERMS`; the
        pipeline passes the framing stage's vocabulary.
    spans : pandas.DataFrame, optional
        A spans table (``SPAN_COLUMNS``) holding the comments' ``sentence``, ``quote``,
        ``url`` and ``artifact`` spans, so the work is not done twice; computed with
        :mod:`discourse.segment` when not given.
    id_col, thread_col : str

    Returns
    -------
    pandas.DataFrame
        A copy with ``sentiment_compound`` (the own-words sentences pooled as the module
        docstring says; 0 when the comment has no words of its own), ``sentiment_pos``,
        ``sentiment_neu``, ``sentiment_neg`` (pooled over those sentences),
        ``sentiment_raw_compound`` (plain VADER on the whole text),
        ``sentiment_frame_neutral_compound``, ``sentiment_quoted_compound`` (the quoted
        material, NaN when there is none) and ``sentiment_sentences`` (own sentences scored).

    Raises
    ------
    SchemaError
        When *text_col* is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"text": ["Public education is not a war.",
    ...                             'This is funny:\\n"Outsourcing has resulted in cost overruns, service failures and greater inequality."']})
    >>> out = score(df)
    >>> out[["sentiment_raw_compound", "sentiment_compound", "sentiment_frame_neutral_compound"]].values.tolist()
    [[0.4847, 0.4847, 0.0], [0.34, 0.4404, 0.4404]]
    >>> out["sentiment_quoted_compound"].tolist()
    [nan, -0.128]
    """
    require_columns(comments, [text_col], caller="sentiment.score")
    rows = []
    for _t, _c, text, sents in _analyse(comments, text_col, neutral_terms, spans, id_col, thread_col):
        own = [s for s in sents if s.role == "own"]
        quoted = [s for s in sents if s.role == "quote"]
        if own:
            weights = [s.pieces.n_tokens for s in own]
            compound = _pool([s.pieces.sum_s for s in own], weights)
            neutral = _pool([s.pieces.neutral_sum_s for s in own], weights)
            pos_sum = sum(s.pieces.pos_sum for s in own)
            neg_sum = sum(s.pieces.neg_sum for s in own)
            neu_count = sum(s.pieces.neu_count for s in own)
            total = pos_sum + abs(neg_sum) + neu_count
            pos, neu, neg = ((round(pos_sum / total, 3), round(neu_count / total, 3), round(abs(neg_sum) / total, 3))
                             if total else (0.0, 0.0, 0.0))
        else:
            compound = neutral = pos = neu = neg = 0.0
        if quoted:
            q = _pool([s.pieces.sum_s for s in quoted], [s.pieces.n_tokens for s in quoted])
        else:
            q = float("nan")
        if not text.strip():
            raw = 0.0
        elif len(sents) == 1 and own and sents[0].text == text.strip() and "’" not in text:
            raw = own[0].pieces.compound  # the whole text was one sentence, scored above
        else:
            raw = _vader_pieces(text).compound
        rows.append((compound, pos, neu, neg, raw, neutral, q, len(own)))
    out = pd.DataFrame(rows, columns=list(_SCORE_COLUMNS), index=comments.index)
    if not len(out):
        out = pd.DataFrame({c: pd.Series(dtype="float64") for c in _SCORE_COLUMNS}, index=comments.index)
    out["sentiment_sentences"] = out["sentiment_sentences"].astype("int64")
    return comments.assign(**{c: out[c] for c in _SCORE_COLUMNS})


def sentences(comments: pd.DataFrame, *, text_col: str = "text", neutral_terms: Iterable[str] | None = None,
              spans: pd.DataFrame | None = None, id_col: str = "comment_id", thread_col: str = "thread_id") -> pd.DataFrame:
    """One row per scored sentence: what VADER saw and what it said (for teachers and audits).

    Parameters
    ----------
    comments : pandas.DataFrame
    text_col, neutral_terms, spans, id_col, thread_col
        As in :func:`score`.

    Returns
    -------
    pandas.DataFrame
        Columns ``thread_id``, ``comment_id``, ``row`` (the comment's index label),
        ``start``, ``end`` (offsets into the comment's text), ``role`` (``own`` or
        ``quote``), ``scored_text`` (the sentence minus quotes, URLs and artifacts),
        ``compound``, ``frame_neutral_compound``, ``pos``, ``neu``, ``neg``, ``n_tokens``,
        ``words`` (tokens with their valence) and ``neutralised`` (frame terms zeroed).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"comment_id": ["c"], "text": ["Still don't like it!\\nLikeLike"]})
    >>> sentences(df)[["role", "scored_text", "compound"]].values.tolist()
    [['own', "Still don't like it!", -0.3404]]
    """
    require_columns(comments, [text_col], caller="sentiment.sentences")
    rows = []
    labels = iter(comments.index)
    for t, c, _text, sents in _analyse(comments, text_col, neutral_terms, spans, id_col, thread_col):
        label = next(labels)
        for s in sents:
            p = s.pieces
            rows.append((t, c, label, s.start, s.end, s.role, s.text, p.compound, p.neutral_compound, p.pos, p.neu,
                         p.neg, p.n_tokens, p.words, p.neutralised))
    return pd.DataFrame(rows, columns=["thread_id", "comment_id", "row", "start", "end", "role", "scored_text", "compound",
                                       "frame_neutral_compound", "pos", "neu", "neg", "n_tokens", "words", "neutralised"])


def _explain(role: str, p: _Pieces) -> str:
    who = "the commenter's own words" if role == "own" else "quoted material, scored apart from the commenter"
    what = f"VADER compound {p.compound:+.2f} ({who})"
    if p.words:
        what += "; words carrying it: " + ", ".join(f"{w} {v:+.1f}" for w, v in p.words[:6])
        if len(p.words) > 6:
            what += f" and {len(p.words) - 6} more"
    else:
        what += "; no word in VADER's lexicon"
    if p.neutralised:
        what += (f"; with the frame words {', '.join(w for w, _ in p.neutralised)} neutralised it is "
                 f"{p.neutral_compound:+.2f} (tone, not topic)")
    return what + "."


def spans(comments: pd.DataFrame, *, text_col: str = "text", neutral_terms: Iterable[str] | None = None,
          spans: pd.DataFrame | None = None, id_col: str = "comment_id", thread_col: str = "thread_id") -> pd.DataFrame:
    """Sentence spans (kind ``sentence``) whose explanation says how VADER scored them.

    ``label`` is ``own`` or ``quote``; the span runs from the first to the last character
    scored (quotes, URLs and artifacts inside an own sentence are left out of the score,
    and named in their own spans from :func:`discourse.segment.spans`).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"thread_id": ["t"], "comment_id": ["c"], "text": ["Public education is not a war."]})
    >>> print(spans(df)["explanation"][0])
    VADER compound +0.48 (the commenter's own words); words carrying it: war +2.1; with the frame words war neutralised it is +0.00 (tone, not topic).
    """
    require_columns(comments, [text_col], caller="sentiment.spans")
    rows = []
    for t, c, text, sents in _analyse(comments, text_col, neutral_terms, spans, id_col, thread_col):
        for s in sents:
            rows.append((t, c, "sentence", s.role, s.start, s.end, text[s.start:s.end], "", _explain(s.role, s.pieces)))
    out = pd.DataFrame(rows, columns=list(SPAN_COLUMNS))
    return out.astype({"start": "int64", "end": "int64"})


def trajectories(comments: pd.DataFrame, *, score_col: str = "sentiment_compound", id_col: str = "comment_id",
                 parent_col: str = "parent_id", thread_col: str = "thread_id", author_col: str = "author",
                 order_col: str = "position") -> pd.DataFrame:
    """Each comment's sentiment beside its parent's, along reply chains and over the thread.

    Parameters
    ----------
    comments : pandas.DataFrame
        Scored comments (see :func:`score`) with reply links.
    score_col : str, default "sentiment_compound"
    id_col, parent_col, thread_col, author_col, order_col : str
        *author_col* and *order_col* are optional (speakers unknown; display order = row order).

    Returns
    -------
    pandas.DataFrame
        Same index and order as *comments*, columns ``thread_id``, ``comment_id``,
        ``parent_id``, ``author``, ``parent_author``, ``score``, ``parent_score`` (NaN for
        replies to the post), ``delta`` (score - parent_score), ``chain_depth``
        (1 = answers the post), ``chain_mean`` (mean score from the first comment of the
        chain down to this one), ``thread_rolling`` (mean of the last five comments of the
        thread in display order) and ``escalates`` (delta below ``-ESCALATION_MARGIN``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"thread_id": ["t"] * 3, "comment_id": ["a", "b", "c"], "parent_id": ["", "a", "b"],
    ...                    "sentiment_compound": [0.5, -0.2, -0.6]})
    >>> trajectories(df)[["delta", "chain_depth", "chain_mean", "escalates"]].values.tolist()
    [[nan, 1, 0.5, False], [-0.7, 2, 0.15, True], [-0.4, 3, -0.1, True]]
    """
    require_columns(comments, [thread_col, id_col, parent_col, score_col], caller="sentiment.trajectories")
    t = comments[thread_col].astype(str).tolist()
    c = comments[id_col].astype(str).tolist()
    p = comments[parent_col].fillna("").astype(str).tolist()
    s = pd.to_numeric(comments[score_col], errors="coerce").tolist()
    a = comments[author_col].fillna("").astype(str).tolist() if author_col in comments.columns else [""] * len(c)
    row = {(ti, ci): i for i, (ti, ci) in enumerate(zip(t, c))}
    parent_row = [row.get((ti, pi)) if pi else None for ti, pi in zip(t, p)]
    depth = [0] * len(c)
    chain_sum = [0.0] * len(c)
    chain_n = [0] * len(c)

    def resolve(i, seen=()):
        if depth[i]:
            return
        j = parent_row[i]
        if j is None or j in seen or j == i:
            depth[i], chain_sum[i], chain_n[i] = 1, 0.0, 0
        else:
            resolve(j, seen + (i,))
            depth[i], chain_sum[i], chain_n[i] = depth[j] + 1, chain_sum[j], chain_n[j]
        if not math.isnan(s[i]):
            chain_sum[i] += s[i]
            chain_n[i] += 1

    for i in range(len(c)):
        resolve(i)
    parent_score = [s[j] if j is not None else float("nan") for j in parent_row]
    delta = [round(x - y, 4) if not (math.isnan(x) or math.isnan(y)) else float("nan") for x, y in zip(s, parent_score)]
    out = pd.DataFrame(
        {
            "thread_id": t, "comment_id": c, "parent_id": p, "author": a,
            "parent_author": [a[j] if j is not None else "" for j in parent_row],
            "score": s, "parent_score": parent_score, "delta": delta, "chain_depth": depth,
            "chain_mean": [round(x / n, 4) if n else float("nan") for x, n in zip(chain_sum, chain_n)],
        },
        index=comments.index,
    )
    order = comments[order_col] if order_col in comments.columns else pd.Series(range(len(c)), index=comments.index)
    ranked = out.assign(_o=pd.to_numeric(order, errors="coerce").to_numpy(), _r=range(len(c))).sort_values(["_o", "_r"])
    rolling = ranked.groupby("thread_id", sort=False)["score"].transform(lambda x: x.rolling(5, min_periods=1).mean())
    out["thread_rolling"] = rolling.reindex(out.index).round(4)
    out["escalates"] = [bool(d < -ESCALATION_MARGIN) if not math.isnan(d) else False for d in delta]
    return out


def escalation(comments: pd.DataFrame, *, score_col: str = "sentiment_compound", by: str = "thread",
               min_turns: int = 3, id_col: str = "comment_id", parent_col: str = "parent_id",
               thread_col: str = "thread_id", author_col: str = "author", order_col: str = "position") -> pd.DataFrame:
    """How often replies turn more negative than what they answer, per thread, speaker or exchange.

    Parameters
    ----------
    comments : pandas.DataFrame
        Scored comments with reply links (and authors for ``by="speaker"`` and ``"exchange"``).
    score_col : str, default "sentiment_compound"
    by : {"thread", "speaker", "exchange"}, default "thread"
        ``thread``: one row per thread. ``speaker``: one row per author (the replies they
        wrote). ``exchange``: one row per pair of speakers who replied to each other at
        least *min_turns* times counting the comment that started it (each answering the
        other at least once), in order, with the slope of their scores over those
        turns; ``heated`` marks a back-and-forth whose slope is negative and whose last
        turn is negative.
    min_turns : int, default 3
        Replies between two speakers needed to call it an exchange.

    Returns
    -------
    pandas.DataFrame
        For thread and speaker: ``replies`` (comments answering another comment),
        ``escalations`` (replies more negative than their parent by more than
        ``ESCALATION_MARGIN``), ``escalation_rate``, ``mean_delta``, ``heated_exchanges``.
        For exchange: ``thread_id``, ``speakers``, ``turns``, ``first``, ``last``,
        ``slope`` (score change per turn), ``heated``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"thread_id": ["t"] * 4, "comment_id": ["a", "b", "c", "d"],
    ...                    "parent_id": ["", "a", "b", "c"], "author": ["Ann", "Bob", "Ann", "Bob"],
    ...                    "sentiment_compound": [0.4, 0.1, -0.3, -0.6]})
    >>> escalation(df)[["thread_id", "replies", "escalations", "heated_exchanges"]].values.tolist()
    [['t', 3, 3, 1]]
    >>> escalation(df, by="exchange")[["speakers", "turns", "slope", "heated"]].values.tolist()
    [['Ann & Bob', 4, -0.34, True]]
    """
    from .errors import SchemaError

    if by not in ("thread", "speaker", "exchange"):
        raise SchemaError(f"by must be one of ['thread', 'speaker', 'exchange']; got {by!r}.")
    if not isinstance(min_turns, int) or min_turns < 2:
        raise SchemaError(f"min_turns must be an int in the range [2, inf); got {min_turns!r}.")
    traj = trajectories(comments, score_col=score_col, id_col=id_col, parent_col=parent_col, thread_col=thread_col,
                        author_col=author_col, order_col=order_col)
    order = comments[order_col] if order_col in comments.columns else pd.Series(range(len(traj)), index=comments.index)
    traj = traj.assign(_o=pd.to_numeric(order, errors="coerce").to_numpy(), _r=range(len(traj)))
    exchanges = _exchanges(traj, min_turns)
    if by == "exchange":
        return exchanges
    replies = traj[traj["parent_score"].notna() & traj["score"].notna()]
    key = "thread_id" if by == "thread" else "author"
    groups = traj[key].drop_duplicates().tolist()
    # One pass per table (grouped), not one filter per group: linear in the corpus size.
    counts = replies.groupby(key, sort=False).agg(n=("escalates", "size"), esc=("escalates", "sum"),
                                                  delta=("delta", "mean"))
    hot = exchanges[exchanges["heated"]]
    if by == "thread":
        heated_of = hot.groupby("thread_id").size().to_dict()
    else:
        heated_of = pd.Series([p for s in hot["speakers"] for p in s.split(" & ")], dtype=object).value_counts().to_dict()
    rows = []
    for g in groups:
        n = int(counts.at[g, "n"]) if g in counts.index else 0
        esc = int(counts.at[g, "esc"]) if n else 0
        rows.append((g, n, esc, round(esc / n, 4) if n else float("nan"),
                     round(float(counts.at[g, "delta"]), 4) if n else float("nan"), int(heated_of.get(g, 0))))
    return pd.DataFrame(rows, columns=[key if by == "thread" else "author", "replies", "escalations",
                                       "escalation_rate", "mean_delta", "heated_exchanges"])


def _exchanges(traj: pd.DataFrame, min_turns: int) -> pd.DataFrame:
    cols = ["thread_id", "speakers", "turns", "first", "last", "slope", "heated"]
    links = traj[(traj["parent_score"].notna()) & (traj["author"] != "") & (traj["parent_author"] != "")
                 & (traj["author"] != traj["parent_author"])]
    rows = []
    score_of: dict = {}
    for key, score in zip(zip(traj["thread_id"], traj["comment_id"]), traj["score"]):
        score_of.setdefault(key, score)
    for (thread, pair), grp in links.assign(
            pair=[" & ".join(sorted((x, y))) for x, y in zip(links["author"], links["parent_author"])]
    ).groupby(["thread_id", "pair"], sort=False):
        grp = grp.sort_values(["_o", "_r"])
        # The exchange's turns: the first parent, then every reply between the two.
        first = (thread, grp["parent_id"].iloc[0])
        scores = ([score_of[first]] if first in score_of else []) + grp["score"].tolist()
        scores = [x for x in scores if not math.isnan(x)]
        # A back-and-forth: each speaker answered the other at least once.
        if len(scores) < min_turns or grp["author"].nunique() < 2:
            continue
        n = len(scores)
        xbar = (n - 1) / 2
        ybar = sum(scores) / n
        slope = sum((i - xbar) * (y - ybar) for i, y in enumerate(scores)) / sum((i - xbar) ** 2 for i in range(n))
        rows.append((thread, pair, n, round(scores[0], 4), round(scores[-1], 4), round(slope, 4),
                     bool(slope < 0 and scores[-1] < -0.05)))
    return pd.DataFrame(rows, columns=cols).astype({"turns": "int64", "heated": bool})
