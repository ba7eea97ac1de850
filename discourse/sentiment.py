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

import bisect
import functools
import itertools
import math
import operator
import re
import string
import sys
from typing import Iterable, NamedTuple

import pandas as pd

from . import segment
from ._perf import collector_paused as _collector_paused
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
    words: tuple  # token, final valence, token, final valence, ... for tokens with a valence
    #               (flat: a pair per word would be one more object per word, see _pairs)
    neutralised: tuple  # (token, valence it would have had)
    # What a whole-text score needs (_joined_compound): whether the text has words both in
    # and out of capitals, how many are in capitals, the valences before the "but" rule by
    # position, the positions of scorable words among the first three and last two, the
    # first "but", the lower-cased words (the token memo's own strings). Fields, not a tuple of their own: the piece caches keep tens of thousands
    # of these, and each container object they hold is one more for the cyclic collector to
    # scan once the chain has run (the pipeline's deferred pass, see _perf.collector_paused).
    is_cap_diff: bool
    n_upper: int
    pre: dict
    edge: tuple
    bi: int
    lower: tuple


class _Neutral(NamedTuple):
    """Frame vocabulary ready for matching: single words, and phrases by their first word."""

    words: frozenset
    phrases: dict  # first word -> tuple of phrases (tuples of lower-cased words)


@functools.lru_cache(maxsize=64)
def _neutral_sets(terms: tuple) -> _Neutral:
    words, phrases = set(), {}
    for term in terms:
        toks = tuple(t.lower() for t in str(term).split())
        if len(toks) == 1:
            words.add(toks[0])
        elif toks:
            phrases.setdefault(toks[0], []).append(toks)
    return _Neutral(frozenset(words), {k: tuple(v) for k, v in phrases.items()})


#: VADER's tables as module globals for its hottest rules, set by _vader_tables() (vaderSentiment
#: is imported on first use, not with discourse).
_LEXICON: dict = {}
_BOOSTER: dict = {}
_SPECIAL: dict = {}
_C_INCR = 0.733
_NORMALIZE = None
#: Lower-cased words that get a valence of their own (in the lexicon and not a booster: VADER
#: gives a booster 0 before it looks the word up).
_SCORABLE: frozenset = frozenset()
#: Whether every word of _SCORABLE has a nonzero valence in the lexicon (VADER 3.3.2's has).
_NO_ZERO = False
#: Every word of VADER's multi-word special cases and booster phrases: a lexicon word with
#: none of them within three words before or two after cannot match an idiom.
_IDIOM_WORDS: frozenset = frozenset()
#: Every word VADER's rules look for before a lexicon word: boosters, negations and the words
#: of its special cases ("no", "never so", "without doubt", "least"). With none of them in the
#: three words before it (and no "n't" there), a lexicon word's valence depends on itself,
#: its capitals and the word after it alone.
_CONTEXT_WORDS: frozenset = frozenset()
#: VADER's multi-word special cases and booster phrases by first word (tuples of words); the
#: first words, and every other word.
_PHRASES: dict = {}
_PHRASE_FIRST: frozenset = frozenset()
_PHRASE_REST: frozenset = frozenset()
#: Their first two words: a text has one of the phrases only if it has one of these pairs.
_PHRASE_PAIRS: frozenset = frozenset()


@functools.lru_cache(maxsize=1)
def _vader_tables():
    from vaderSentiment.vaderSentiment import BOOSTER_DICT, C_INCR, N_SCALAR, NEGATE, SPECIAL_CASES, normalize

    global _LEXICON, _BOOSTER, _SPECIAL, _C_INCR, _NORMALIZE, _SCORABLE, _IDIOM_WORDS, _CONTEXT_WORDS, _NO_ZERO
    global _PHRASES, _PHRASE_FIRST, _PHRASE_REST, _PHRASE_PAIRS
    lexicon = analyzer().lexicon
    _SCORABLE = frozenset(w for w in lexicon if w not in BOOSTER_DICT)
    _NO_ZERO = all(lexicon[w] for w in _SCORABLE)
    _IDIOM_WORDS = frozenset(w for k in itertools.chain(SPECIAL_CASES, BOOSTER_DICT) if " " in k for w in k.split(" "))
    _CONTEXT_WORDS = frozenset(BOOSTER_DICT).union(NEGATE, ("no", "never", "so", "this", "without", "doubt", "least"))
    phrases: dict = {}
    for k in itertools.chain(SPECIAL_CASES, BOOSTER_DICT):
        if " " in k:
            phrases.setdefault(k.split(" ")[0], []).append(tuple(k.split(" ")))
    _PHRASES = {k: tuple(v) for k, v in phrases.items()}
    _PHRASE_FIRST = frozenset(_PHRASES)
    _PHRASE_REST = frozenset(w for v in _PHRASES.values() for p in v for w in p[1:])
    _PHRASE_PAIRS = frozenset(p[:2] for v in _PHRASES.values() for p in v)
    _LEXICON, _BOOSTER, _SPECIAL, _C_INCR = lexicon, BOOSTER_DICT, SPECIAL_CASES, C_INCR
    _NORMALIZE = normalize
    return lexicon, BOOSTER_DICT, SPECIAL_CASES, C_INCR, N_SCALAR


def _inert(words) -> bool:
    """Whether none of *words* is one VADER's rules look for before a lexicon word."""
    return _CONTEXT_WORDS.isdisjoint(words) and "n't" not in " ".join(words)


def _valence(lexicon, upper, lower, i, is_cap_diff):
    """VADER's ``sentiment_valence`` for a lexicon word at *i* (vaderSentiment 3.3.2).

    Rule for rule as in VADER, with its quirks, but on the lower-cased words computed once
    per text (VADER re-lowercases the whole text inside every negation and idiom check,
    which makes it quadratic in the length of a comment), with *upper* saying which
    unstripped tokens are ALL CAPS (stripping ASCII punctuation never changes ``str.isupper``), and
    with the idiom check skipped when no idiom word is near. Tests compare it with VADER.
    """
    c_incr = _C_INCR
    low = lower[i]
    valence = lexicon[low]
    if low == "no" and i != len(lower) - 1 and lower[i + 1] in lexicon:
        valence = 0.0
    before = lower[i - 3:i] if i >= 3 else lower[:i]
    if _inert(before) and (i < 3 or _IDIOM_WORDS.isdisjoint(lower[i - 3:i + 3])):
        # No word before it that a rule looks for (most words): the rules below all leave
        # the valence as it is, but for the capitals.
        if is_cap_diff and upper[i]:
            if valence > 0:
                valence += c_incr
            else:
                valence -= c_incr
        return valence
    booster, n_scalar = _BOOSTER, _N_SCALAR
    if (i > 0 and lower[i - 1] == "no") or (i > 1 and lower[i - 2] == "no") or (
            i > 2 and lower[i - 3] == "no" and lower[i - 1] in ["or", "nor"]):
        valence = lexicon[low] * n_scalar
    if is_cap_diff and upper[i]:
        if valence > 0:
            valence += c_incr
        else:
            valence -= c_incr
    for start_i in range(0, 3):
        if i > start_i:
            before = lower[i - (start_i + 1)]
            if before in lexicon:
                continue
            # VADER's scalar_inc_dec, on the lower-cased word.
            s = 0.0
            if before in booster:
                s = booster[before]
                if valence < 0:
                    s *= -1
                if is_cap_diff and upper[i - (start_i + 1)]:
                    if valence > 0:
                        s += c_incr
                    else:
                        s -= c_incr
            if start_i == 1 and s != 0:
                s = s * 0.95
            if start_i == 2 and s != 0:
                s = s * 0.9
            valence = valence + s
            valence = _negation_check(valence, lower, start_i, i)
            if start_i == 2 and not _IDIOM_WORDS.isdisjoint(lower[i - 3:i + 3]):
                valence = _special_idioms_check(valence, lower, i)
    # VADER's _least_check ("least" is not in the lexicon, so its lexicon tests always pass).
    if i > 1 and lower[i - 1] not in lexicon and lower[i - 1] == "least":
        if lower[i - 2] != "at" and lower[i - 2] != "very":
            valence = valence * n_scalar
    elif i > 0 and lower[i - 1] not in lexicon and lower[i - 1] == "least":
        valence = valence * n_scalar
    return valence


@functools.lru_cache(maxsize=1)
def _negate_words() -> frozenset:
    from vaderSentiment.vaderSentiment import NEGATE

    return frozenset(NEGATE)


def _negated(word: str) -> bool:
    # VADER's negated([word]) for one lower-cased word.
    return word in _negate_words() or "n't" in word


def _negation_check(valence, lower, start_i, i):
    if start_i == 0:
        if _negated(lower[i - 1]):
            valence = valence * _N_SCALAR
    if start_i == 1:
        if lower[i - 2] == "never" and (lower[i - 1] == "so" or lower[i - 1] == "this"):
            valence = valence * 1.25
        elif lower[i - 2] == "without" and lower[i - 1] == "doubt":
            pass
        elif _negated(lower[i - 2]):
            valence = valence * _N_SCALAR
    if start_i == 2:
        if lower[i - 3] == "never" and (lower[i - 2] == "so" or lower[i - 2] == "this") or (
                lower[i - 1] == "so" or lower[i - 1] == "this"):
            valence = valence * 1.25
        elif lower[i - 3] == "without" and (lower[i - 2] == "doubt" or lower[i - 1] == "doubt"):
            pass
        elif _negated(lower[i - 3]):
            valence = valence * _N_SCALAR
    return valence


def _special_idioms_check(valence, lower, i):
    booster, special = _BOOSTER, _SPECIAL
    # Negative indices wrap around exactly as in VADER (a quirk kept for identical scores).
    onezero = f"{lower[i - 1]} {lower[i]}"
    twoonezero = f"{lower[i - 2]} {lower[i - 1]} {lower[i]}"
    twoone = f"{lower[i - 2]} {lower[i - 1]}"
    threetwoone = f"{lower[i - 3]} {lower[i - 2]} {lower[i - 1]}"
    threetwo = f"{lower[i - 3]} {lower[i - 2]}"
    for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
        if seq in special:
            valence = special[seq]
            break
    if len(lower) - 1 > i:
        zeroone = f"{lower[i]} {lower[i + 1]}"
        if zeroone in special:
            valence = special[zeroone]
    if len(lower) - 1 > i + 1:
        zeroonetwo = f"{lower[i]} {lower[i + 1]} {lower[i + 2]}"
        if zeroonetwo in special:
            valence = special[zeroonetwo]
    for n_gram in (threetwoone, threetwo, twoone):
        if n_gram in booster:
            valence = valence + booster[n_gram]
    return valence


#: vaderSentiment's N_SCALAR (a test checks it), as a constant for its hottest rule.
_N_SCALAR = -0.74

class _Words(dict):
    """Memo of VADER's lower-cased word for each whitespace-separated piece of text seen
    (its SentiText strips the piece's punctuation unless that leaves two characters or
    fewer): comment text repeats its words, so most pieces are looked up, not stripped
    again, and a piece not seen yet costs one call, not a second pass over the text."""

    def __missing__(self, raw: str) -> str:
        stripped = raw.strip(_PUNCTUATION)
        word = self[raw] = (raw if len(stripped) <= 2 else stripped).lower()
        return word


_TOKENS: dict = _Words()
_TOKENS_MAX = 500_000
_PUNCTUATION = string.punctuation


class _Shown(dict):
    """Memo of the word an explanation shows for a piece of text (VADER's stripped token,
    interned: the piece caches keep these words, and most are repeats)."""

    def __missing__(self, raw: str) -> str:
        word = self[raw] = sys.intern(_word(raw))
        return word


_SHOWN: dict = _Shown()


def _word(raw: str) -> str:
    # VADER's SentiText._strip_punc_if_word.
    stripped = raw.strip(_PUNCTUATION)
    return raw if len(stripped) <= 2 else stripped


def _lower_of(raws: list) -> tuple:
    """VADER's lower-cased words of the pieces *raws* (memoised in :data:`_TOKENS`)."""
    if len(_TOKENS) > _TOKENS_MAX:
        _TOKENS.clear()
    return tuple(map(_TOKENS.__getitem__, raws))


def _demojize(text: str) -> str:
    """VADER's replacement of emoji characters by their descriptions (a no-op for most text)."""
    if text.isascii() or _emoji_chars().isdisjoint(text):
        # Most text has none (a curly quote is not one), so VADER's per-character loop runs
        # only when one is there.
        return text
    emojis = analyzer().emojis
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
    return "".join(out)


def _valences(upper, lower, is_cap_diff, positions=None) -> dict:
    """VADER's nonzero word valences before its "but" rule, by token position, in order.

    Only words in :data:`_SCORABLE` can have one (VADER gives every other word 0), so the
    rules run for those alone; *positions* limits them further (default: every token).
    """
    if _NORMALIZE is None:
        _vader_tables()
    if positions is None:
        positions = list(itertools.compress(range(len(lower)), map(_SCORABLE.__contains__, lower)))
    else:
        positions = [i for i in positions if lower[i] in _SCORABLE]
    return _scorable_valences(upper, lower, is_cap_diff, positions)


def _own_valences(upper, lower, is_cap_diff, positions) -> dict:
    """Each lexicon word's own valence at *positions*, with the capitals' boost: what VADER
    gives a word no rule reaches (zeros left out, in order)."""
    lexicon = _LEXICON
    if not is_cap_diff:
        if _NO_ZERO:
            # Every lexicon valence kept (VADER's lexicon has no zero), taken in C.
            return dict(zip(positions, map(lexicon.__getitem__, map(lower.__getitem__, positions))))
        return {i: v for i in positions if (v := lexicon[lower[i]])}
    c_incr = _C_INCR
    out = {}
    for i in positions:
        v = lexicon[lower[i]]
        if upper[i]:
            v = v + c_incr if v > 0 else v - c_incr
        if v:
            out[i] = v
    return out


def _scorable_valences(upper, lower, is_cap_diff, positions) -> dict:
    """:func:`_valences` at *positions*, words in :data:`_SCORABLE` (in order)."""
    if not positions:
        return {}
    lexicon = _LEXICON
    out = {}
    # Only words a rule can reach need VADER's rules: up to three after a word a rule looks
    # back for (and "no" itself, which looks ahead), and near one of VADER's multi-word
    # idioms or booster phrases ("kind of", "the shit"). Every other word keeps its own
    # valence and the capitals' boost.
    context = _CONTEXT_WORDS
    if len(lower) > _REACH_MAX and not (context.isdisjoint(lower) and _IDIOM_WORDS.isdisjoint(lower)):
        # A long text (a whole comment) has a word the rules look for every few words:
        # each lexicon word's own check is cheaper than the set of words within reach.
        return _valences_at(upper, lower, is_cap_diff, positions)
    hot = None
    if not context.isdisjoint(lower):
        hot = set()
        for r in itertools.compress(range(len(lower)), map(context.__contains__, lower)):
            hot.update((r, r + 1, r + 2, r + 3))
    if _has_phrase(lower):
        for a, b in _phrases_in(lower):
            if hot is None:
                hot = set()
            hot.update(range(a - 2, b + 3))
    if "n't" in " ".join(lower):
        if hot is None:
            hot = set()
        for r, w in enumerate(lower):
            if "n't" in w:
                hot.update((r + 1, r + 2, r + 3))
    if hot is None:
        return _own_valences(upper, lower, is_cap_diff, positions)
    last = len(lower) - 1
    c_incr = _C_INCR
    for i in positions:
        if i in hot:
            if i < last and lower[i] == "kind" and lower[i + 1] == "of":
                continue
            value = _valence(lexicon, upper, lower, i, is_cap_diff)
        else:
            value = lexicon[lower[i]]
            if is_cap_diff and upper[i]:
                value = value + c_incr if value > 0 else value - c_incr
        if value:  # a zero (VADER's "no" before a lexicon word) is neutral, as any other 0
            out[i] = value
    return out


#: Words in a text above which :func:`_scorable_valences` checks each lexicon word on its own.
_REACH_MAX = 30


def _valences_at(upper, lower, is_cap_diff, positions) -> dict:
    """:func:`_valences` at *positions* (any words, in order), each through VADER's rules."""
    lexicon, scorable = _LEXICON, _SCORABLE
    last = len(lower) - 1
    out = {}
    for i in positions:
        if lower[i] not in scorable or (i < last and lower[i] == "kind" and lower[i + 1] == "of"):
            continue
        value = _valence(lexicon, upper, lower, i, is_cap_diff)
        if value:
            out[i] = value
    return out


def _has_phrase(lower) -> bool:
    """Whether *lower* may hold one of VADER's multi-word special cases or booster phrases
    (False only when it cannot: then :func:`_phrases_in` finds none)."""
    if _PHRASE_FIRST.isdisjoint(lower) or _PHRASE_REST.isdisjoint(lower):
        return False
    # "the", "of", "to" and "in" are common: a phrase's first two words side by side are not.
    return not _PHRASE_PAIRS.isdisjoint(zip(lower, itertools.islice(lower, 1, None)))


def _phrases_in(lower) -> list:
    """``(first, last)`` positions of VADER's multi-word special cases and booster phrases in *lower*."""
    found = []
    n = len(lower)
    for a in itertools.compress(range(n), map(_PHRASE_FIRST.__contains__, lower)):
        for phrase in _PHRASES[lower[a]]:
            b = a + len(phrase)
            if b <= n and lower[a + 1] == phrase[1] and (b == a + 2 or lower[a + 2] == phrase[2]):
                found.append((a, b - 1))
    return found


def _but_sparse(at: list, values: list, bi: int) -> list:
    """VADER's ``_but_check`` (quirks included) on the nonzero valences *values* at positions
    *at*, given the position *bi* of the first "but".

    VADER walks the list and rescales the *first* entry equal to each value it reads
    (``list.index``), so a value equal to an earlier, already rescaled one rescales that one
    again and leaves its own entry alone. A zero is never equal to a nonzero value and
    rescaling it changes nothing, so the nonzero entries alone give VADER's result.
    """
    values = list(values)
    for j in range(len(values)):
        value = values[j]  # as VADER's loop reads it (only entries before j have been rescaled)
        first = values.index(value)
        si = at[first]
        if si < bi:
            values[first] = value * 0.5
        elif si > bi:
            values[first] = value * 1.5
    return values


def _but_index(lower) -> int:
    try:
        return lower.index("but")
    except ValueError:
        return -1


def _but_check(lower, sentiments):
    """VADER's ``_but_check`` on a full list of valences (a copy), given the lower-cased words."""
    if "but" not in lower:
        return list(sentiments)
    at = [i for i, v in enumerate(sentiments) if v != 0]
    out = list(sentiments)
    for i, value in zip(at, _but_sparse(at, [out[i] for i in at], lower.index("but"))):
        out[i] = value
    return out


def _punctuation(text: str) -> float:
    # VADER's _punctuation_emphasis.
    ep = text.count("!")
    if ep > 4:
        ep = 4
    qm = text.count("?")
    qm_amplifier = 0
    if qm > 1:
        qm_amplifier = qm * 0.18 if qm <= 3 else 0.96
    return ep * 0.292 + qm_amplifier


def _vader_pieces(text: str, neutral: tuple = ()) -> _Pieces:
    """VADER's computation (vaderSentiment 3.3.2 ``polarity_scores``), keeping its pieces.

    Identical to ``polarity_scores`` for the plain scores (the tests check this on real
    and generated text). The neutral variant zeroes the valence a frame term would get;
    every other rule, including the terms' role as context for their neighbours, is
    unchanged.
    """
    return _pieces(text, _neutral_sets(tuple(neutral)) if neutral else None)


#: A namedtuple from a plain tuple without its Python-level ``__new__``.
_new_pieces = functools.partial(tuple.__new__, _Pieces)
_EMPTY_PIECES = _Pieces(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0, (), (), False, 0, {}, (), -1, ())


def _pairs(words: tuple) -> tuple:
    """``(token, valence)`` pairs from the flat :attr:`_Pieces.words`."""
    return tuple(zip(words[::2], words[1::2]))


def _pieces(text: str, spec: _Neutral | None) -> _Pieces:
    if _NORMALIZE is None:
        _vader_tables()
    if not text.isascii():
        text = _demojize(text)
    raws = text.split()  # VADER strips the text first: split() skips the same whitespace
    n = len(raws)
    if not n:
        return _EMPTY_PIECES
    tokens = _TOKENS
    if len(tokens) > _TOKENS_MAX:
        tokens.clear()
        _SHOWN.clear()
    # The lower-cased words are the memo's own strings, so keeping them costs a pointer each.
    lower = tuple(map(tokens.__getitem__, raws))
    upper = list(map(str.isupper, raws))
    n_upper = upper.count(True)
    is_cap_diff = 0 < n - n_upper < n
    bi = lower.index("but") if "but" in lower else -1
    positions = list(itertools.compress(range(n), map(_SCORABLE.__contains__, lower)))
    if not positions:  # VADER's scores of n neutral words
        return _new_pieces((0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, n, n, (), (), is_cap_diff, n_upper, {}, (),
                            bi, lower))
    if _CONTEXT_WORDS.isdisjoint(lower) and "n't" not in " ".join(lower) and not _has_phrase(lower):
        # No word a rule looks for and no idiom (most sentences): each lexicon word keeps its
        # own valence, and the capitals' boost (_scorable_valences without a word in reach).
        pre = _own_valences(upper, lower, is_cap_diff, positions)
    else:
        pre = _scorable_valences(upper, lower, is_cap_diff, positions)
    # Words VADER may score among the first three and the last two: the only ones whose
    # valence can change when the words around the sentence change.
    if positions[0] >= 3 and positions[-1] < n - 2:
        edge = ()
    else:
        edge = tuple([i for i in positions if i < 3 or i >= n - 2])
    if not pre:
        return _new_pieces((0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, n, n, (), (), is_cap_diff, n_upper, pre, edge,
                            bi, lower))
    at, values = list(pre), list(pre.values())
    plain = _but_sparse(at, values, bi) if bi >= 0 else values
    punct = _punctuation(text) if ("!" in text or "?" in text) else 0.0
    compound, pos, neu, neg, pos_sum, neg_sum, neu_count, sum_s = _score(plain, n, punct)
    neutral_compound, neutral_sum_s = compound, sum_s
    neutralised = ()
    shown = _SHOWN
    if spec is not None and not (spec.words.isdisjoint(lower) and (not spec.phrases
                                                                    or spec.phrases.keys().isdisjoint(lower))):
        neutral_idx = {i for i in at if lower[i] in spec.words}
        if spec.phrases and not spec.phrases.keys().isdisjoint(lower):
            for i in [i for i, w in enumerate(lower) if w in spec.phrases]:
                for phrase in spec.phrases[lower[i]]:
                    if tuple(lower[i:i + len(phrase)]) == phrase:
                        neutral_idx.update(j for j in range(i, i + len(phrase)) if j in pre)
        if neutral_idx:
            kept = [(i, v) for i, v in zip(at, values) if i not in neutral_idx]
            kept_at, kept_values = [i for i, _ in kept], [v for _, v in kept]
            if bi >= 0:
                kept_values = _but_sparse(kept_at, kept_values, bi)
            scored = _score(kept_values, n, punct)
            neutral_compound, neutral_sum_s = scored[0], scored[-1]
            after = dict(zip(at, plain))
            neutralised = tuple((shown[raws[i]], _ROUND2[after[i]]) for i in sorted(neutral_idx))
    words = [None] * (2 * len(at))
    words[::2] = map(shown.__getitem__, map(raws.__getitem__, at))
    words[1::2] = map(_ROUND2.__getitem__, plain)
    return _new_pieces((
        compound, pos, neu, neg, neutral_compound, sum_s, neutral_sum_s, pos_sum, neg_sum, neu_count, n, tuple(words),
        neutralised, is_cap_diff, n_upper, pre, edge, bi, lower,
    ))


def _compound(text: str) -> float:
    """VADER's ``polarity_scores(text)["compound"]``, without the parts only the other scores need."""
    text = _demojize(text).strip()
    raws = text.split()
    n = len(raws)
    if not n:
        return 0.0
    lower = _lower_of(raws)
    upper = list(map(str.isupper, raws))
    n_upper = upper.count(True)
    pre = _valences(upper, lower, 0 < n - n_upper < n)
    values = list(pre.values())
    if values and "but" in lower:
        values = _but_sparse(list(pre), values, lower.index("but"))
    return _rounded_compound(values, text)


def _rounded_compound(values, text: str) -> float:
    """VADER's compound from its (but-checked) nonzero word valences: punctuation emphasis,
    normalised, rounded (the zeros VADER also sums change no sum)."""
    sum_s = float(sum(values))
    punct = _punctuation(text)
    if sum_s > 0:
        sum_s += punct
    elif sum_s < 0:
        sum_s -= punct
    return _COMPOUND[sum_s]


def _joined_compound(text: str, sents: list) -> float | None:
    """VADER's ``polarity_scores(text)["compound"]`` from its scored sentences
    (:class:`_Sentence`, in order), or None: see :func:`_joined`."""
    return _joined(text, [s.start for s in sents], [s.end for s in sents], [s.text for s in sents],
                   [s.pieces for s in sents])


def _joined(text: str, starts: list, ends: list, scoreds: list, pieces: list, sizes=None,
            sliced: bool = False) -> float | None:
    """VADER's ``polarity_scores(text)["compound"]`` from the pieces of its sentences, or None.

    The sentences are given as columns: offsets into *text*, the text VADER scored, its
    pieces. Valid when the sentences are the text's own slices
    (no quote, URL or artifact left out, no typographic apostrophe read as straight, no
    emoji) with whitespace, and nothing else, before, between and after them: then they
    hold exactly the text's whitespace-separated tokens. VADER's rules look at most three
    tokens back and two ahead, so as long as the text's is_cap_diff is the sentence's (or
    the sentence has no word in capitals, for which alone is_cap_diff counts), a word keeps
    its sentence valence in the whole text unless it is among the first three of a
    sentence after the first (its look back reaches the previous sentence) or among the
    last two of a sentence before the last with a look ahead that can matter: "no" (a
    lexicon word next), "kind" ("of" next) or an idiom word near. Those words are scored
    again in the context of the whole text (the sentences' words joined). The "but" rule, the
    punctuation emphasis and the normalisation then run over the whole text, as in
    VADER. Tests compare it with ``polarity_scores`` on real and generated text.
    """
    if not starts or not (text.isascii() or _emoji_chars().isdisjoint(text)):
        return None
    prev = -1
    for start, end, scored in zip(starts, ends, scoreds):
        if not sliced and (end - start != len(scored) or not text.startswith(scored, start)):
            return None  # (*sliced*: the caller scored text[start:end] itself)
        if prev < 0:
            if start and not text[:start].isspace():
                return None
        elif not text[prev:start].isspace():  # an empty gap would join two tokens
            return None
        prev = end
    if prev < len(text) and not text[prev:].isspace():
        return None
    if sizes is None:
        sizes = [p.n_tokens for p in pieces]
    n = sum(sizes)
    if not n:
        return None
    n_upper = sum(map(_N_UPPER_OF, pieces))
    cap_diff = 0 < n - n_upper < n
    last = len(pieces) - 1
    for si, (p, m) in enumerate(zip(pieces, sizes)):
        edge = p.edge
        if (p.n_upper and p.is_cap_diff != cap_diff) or (
                edge and ((si and edge[0] < 3) or (si != last and edge[-1] >= m - 2))):
            return _joined_in_text(text, pieces, sizes, cap_diff)
    # No word near a sentence edge that VADER may score: each keeps its sentence valence.
    at, values, bi = _gathered(pieces, sizes)
    if values and bi >= 0:
        values = _but_sparse(at, values, bi)
    return _rounded_compound(values, text)


_N_UPPER_OF = operator.attrgetter("n_upper")
_LOWER_OF = operator.attrgetter("lower")


def _gathered(pieces: list, sizes: list) -> tuple:
    """The sentences' word valences pooled over the text: their positions in it, the values,
    and the position of the first "but" (-1 if none)."""
    at: list = []
    values: list = []
    bi = -1
    k = 0
    for p, m in zip(pieces, sizes):
        pre = p.pre
        if pre:
            at += [k + i for i in pre] if k else pre
            values += pre.values()
        if bi < 0 <= p.bi:
            bi = k + p.bi
        k += m
    return at, values, bi


def _joined_in_text(text: str, pieces: list, sizes: list, cap_diff: bool) -> float:
    """:func:`_joined` when some words near sentence edges may need scoring again."""
    lower = tuple(itertools.chain.from_iterable(map(_LOWER_OF, pieces)))
    # Words near one of VADER's multi-word idioms or booster phrases (its idiom window runs
    # from three words back to two ahead), wherever it lies.
    near_phrase: set = set()
    if _has_phrase(lower):
        for a, b in _phrases_in(lower):
            near_phrase.update(range(a - 2, b + 4))
    again: list = []
    k = 0
    last = len(pieces) - 1
    for si, (c, m) in enumerate(zip(pieces, sizes)):
        if c.is_cap_diff != cap_diff and c.n_upper:
            # is_cap_diff only counts for words in capitals (and capitalised boosters before
            # a word): a sentence without any keeps its valences in a text that has some.
            again += range(k, k + m)
            k += m
            continue
        head = 3 if si else 0
        tail = m - 2 if si != last else m
        for i in c.edge:
            if head <= i < tail:
                continue
            p = k + i
            low = lower[p]
            if p in near_phrase or (i < head and not _inert(lower[max(0, p - 3):p])) or (
                    i >= tail and (low == "no" or low == "kind")):
                again.append(p)  # a rule that looks into the next or the previous sentence may fire
        k += m
    at, values, _ = _gathered(pieces, sizes)
    if again:
        # The few words scored again replace (or drop, or add) their entries in place.
        if cap_diff:
            # The sentences hold exactly the text's tokens (see _joined), so its capitals are theirs.
            upper = list(map(str.isupper, text.split()))
        else:
            upper = ()  # VADER reads the capitals only when is_cap_diff holds
        new = _valences_at(upper, lower, cap_diff, again)
        for p in again:
            j = bisect.bisect_left(at, p)
            here = j < len(at) and at[j] == p
            v = new.get(p)
            if v is None:
                if here:
                    del at[j], values[j]
            elif here:
                values[j] = v
            else:
                at.insert(j, p)
                values.insert(j, v)
    if values and "but" in lower:
        values = _but_sparse(at, values, lower.index("but"))
    return _rounded_compound(values, text)


def _score(values, n, punct):
    """VADER's ``score_valence`` (before rounding, with its sums) from the nonzero, but-checked
    valences *values* of a text of *n* tokens: the zeros only count as neutral."""
    if not n:
        return 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0.0
    sum_s = float(sum(values))
    if sum_s > 0:
        sum_s += punct
    elif sum_s < 0:
        sum_s -= punct
    # VADER's _sift_sentiment_scores.
    pos_sum, neg_sum = 0.0, 0.0
    for s in values:
        if s > 0:
            pos_sum += (float(s) + 1)
        else:
            neg_sum += (float(s) - 1)
    neu_count = n - len(values)
    if pos_sum > math.fabs(neg_sum):
        pos_sum += punct
    elif pos_sum < math.fabs(neg_sum):
        neg_sum -= punct
    # VADER's rounded shares (not memoised: the key and value tuples a memo keeps would cost
    # the cyclic collector more, once the chain has run, than the rounding they save).
    total = pos_sum + math.fabs(neg_sum) + neu_count
    return (_COMPOUND[sum_s], round(math.fabs(pos_sum / total), 3), round(math.fabs(neu_count / total), 3),
            round(math.fabs(neg_sum / total), 3), pos_sum, neg_sum, neu_count, sum_s)


class _Compound(dict):
    """Memo of VADER's rounded compound for a valence sum, ``round(normalize(s), 4)``:
    ``round`` to a number of digits costs about seven times a dictionary hit (~190 ns
    against ~26 ns here), and sums repeat (the same few words carry most sentences). Zero
    is computed, not kept (0.0 and -0.0 would share a key)."""

    def __missing__(self, s: float) -> float:
        if _NORMALIZE is None:
            _vader_tables()
        compound = round(_NORMALIZE(s), 4)
        if s:
            if len(self) > _MEMO_MAX:
                self.clear()
            self[s] = compound
        return compound


class _Round2(dict):
    """Memo of ``round(v, 2)`` for the nonzero word valences an explanation shows."""

    def __missing__(self, v: float) -> float:
        if len(self) > _MEMO_MAX:
            self.clear()
        r = self[v] = round(v, 2)
        return r


#: Entries each rounding memo keeps at most (a few MB; cleared when full, as the other memos).
_MEMO_MAX = 50_000
_COMPOUND: dict = _Compound()
_ROUND2: dict = _Round2()


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
    if not isinstance(text, str):
        from .segment import not_text

        raise not_text(text, "polarity", table="sentiment.score(comments)")
    terms = tuple(DEFAULT_NEUTRAL_TERMS if neutral_terms is None else neutral_terms)
    p = _vader_pieces(text, terms)
    return {"compound": p.compound, "pos": p.pos, "neu": p.neu, "neg": p.neg,
            "frame_neutral_compound": p.neutral_compound, "words": _pairs(p.words), "neutralised": p.neutralised}


_HAS_WORD = re.compile(r"[^\W_]")


class _Sentence(NamedTuple):
    start: int
    end: int
    role: str  # "own" or "quote"
    text: str  # what VADER scored (the own pieces joined by spaces)
    pieces: _Pieces


_new_sentence = functools.partial(tuple.__new__, _Sentence)


@functools.lru_cache(maxsize=1)
def _emoji_chars():
    return frozenset(k for k in analyzer().emojis if len(k) == 1)


#: Sentence pieces, memoised per frame vocabulary: comment threads repeat sentences
#: ("Thanks!", "+1"); the result depends only on the text and the vocabulary.
_PIECE_CACHES: dict = {}
_PIECE_CACHE_MAX = 50_000


def _piece_cache(spec) -> dict:
    """The piece cache of *spec*: ``{scored text: its pieces, or False when it does not
    count as a sentence}`` (see :func:`_cached_pieces`)."""
    return _piece_caches(spec)[0]


def _piece_caches(spec) -> tuple:
    """The piece cache of *spec* and beside it ``{scored text: its explanation as the
    commenter's own words}``, filled when a spans table needs one. (Apart, so a cache entry
    is no container of its own: a dict of strings is never tracked by the cyclic collector.)"""
    entry = _PIECE_CACHES.get(id(spec))
    if entry is None or entry[0] is not spec:
        if len(_PIECE_CACHES) >= 8:
            _PIECE_CACHES.clear()
        entry = _PIECE_CACHES[id(spec)] = (spec, {}, {})
    if len(entry[1]) >= _PIECE_CACHE_MAX:
        entry[1].clear()
        entry[2].clear()
    return entry[1], entry[2]


def _clear_caches() -> None:
    """Forget every memoised result (benchmarks time the work, not the cache)."""
    _PIECE_CACHES.clear()
    _TOKENS.clear()
    _SHOWN.clear()
    _CARRYING.clear()
    _SAID.clear()
    for memo in (_COMPOUND, _ROUND2):
        memo.clear()
    _raw_compound.cache_clear()
    _STASH.clear()


class _Overlapping:
    """Which of many spans overlap a window, without testing each span for every window.

    A comment with a few quotes tests them all (cheap); one with thousands of quoted
    lines would test every quote for every sentence, so past :data:`_INDEX_FROM` spans are
    sorted once and each window looks only at the spans that start before it ends.
    """

    def __init__(self, spans):
        self.spans = spans
        order = sorted(range(len(spans)), key=lambda i: spans[i].start)
        self.order = order
        self.starts = [spans[i].start for i in order]
        self.reach = list(itertools.accumulate((spans[i].end for i in order), max))

    def __call__(self, start, end) -> list:
        """The spans with ``span.end > start and span.start < end``, in their given order."""
        lo = bisect.bisect_right(self.reach, start)
        hi = bisect.bisect_left(self.starts, end)
        spans, order = self.spans, self.order
        hits = sorted(order[k] for k in range(lo, hi) if spans[order[k]].end > start)
        return [spans[i] for i in hits]


_INDEX_FROM = 32


def _sentences_of(text: str, sents, excl, quote_spans, spec, cache) -> list[_Sentence]:
    out = []
    touching = _Overlapping(excl) if excl and len(excl) > _INDEX_FROM else None
    if quote_spans and len(quote_spans) > _INDEX_FROM:
        quotes_in = _Overlapping(quote_spans)
        quote_spans = True
    for s in sents:
        start, end = s[0], s[1]
        if touching is not None:
            near = touching(start, end)
            if near:  # own_pieces reads only the spans that touch the sentence
                own = segment.own_pieces(text, start, end, exclude=near)
            else:
                own = [(start, end)] if start < end and text[start:end].strip() else ()
            if own:
                out += _scored(text, "own", own, spec, cache)
        elif excl:
            for x in excl:
                if x.end > start and x.start < end:
                    own = segment.own_pieces(text, start, end, exclude=excl)
                    break
            else:  # own_pieces of a sentence no excluded span touches: the sentence
                own = [(start, end)] if start < end and text[start:end].strip() else ()
            if own:
                out += _scored(text, "own", own, spec, cache)
        elif start < end:  # own_pieces without exclusions, inline: most comments have none
            scored = text[start:end]
            if not scored.isspace():
                scored, hit = _cache_entry(scored, spec, cache)
                if hit:
                    out.append(_new_sentence((start, end, "own", scored, hit)))
        if quote_spans:
            quoted = _inside(start, end, quotes_in(start, end) if quote_spans is True else quote_spans)
            if quoted:
                out += _scored(text, "quote", quoted, spec, cache)
    return out


def _cached_pieces(scored: str, spec):
    """A piece-cache entry: the pieces of *scored* when it counts as a sentence (it has a
    word VADER scores, or any letter or digit), else False."""
    p = _pieces(scored, spec)
    return p if p.words or _HAS_WORD.search(scored) else False


def _cache_entry(scored: str, spec, cache) -> tuple:
    """*scored* as VADER reads it, and its piece-cache entry (computed on a miss)."""
    # VADER's negation list spells "can't", "don't", ... with a straight apostrophe;
    # scraped text uses the typographic one, which silently turns off negation.
    if "’" in scored:
        scored = scored.replace("’", "'")
    hit = cache.get(scored)
    if hit is None:
        hit = cache[scored] = _cached_pieces(scored, spec)
    return scored, hit


def _scored(text: str, role: str, pieces, spec, cache) -> tuple:
    """The sentence scored from *pieces* of *text*, or nothing when it has no words."""
    if len(pieces) == 1:
        scored = text[pieces[0][0]:pieces[0][1]]
    else:
        scored = " ".join(text[a:b] for a, b in pieces)
    scored, hit = _cache_entry(scored, spec, cache)
    if hit:
        return (_new_sentence((pieces[0][0], pieces[-1][1], role, scored, hit)),)
    return ()


def _inside(start, end, quote_spans):
    out = []
    for q in quote_spans:
        a, b = max(q.start, start), min(q.end, end)
        if b > a:
            out.append((a, b))
    return out


_GIVEN_KINDS = ("sentence", "quote", "url", "artifact")


def _comment_segments(text: str, given):
    """Sentences, excluded spans and scored quotes of one text (from *given* spans if any)."""
    if given is None:
        sents = segment.sentences(text)
        qs = segment.quotes(text)
        excl = sorted([q for q in qs if q.label != "term"] + segment.urls(text) + segment.artifacts(text))
    else:
        sents, qs, others = given
        sents = sents or segment.sentences(text)
        excl = sorted(others + [q for q in qs if q.label != "term"]) if (others or qs) else []
    quoted = [q for q in qs if q.label != "term"]
    return sents, excl, quoted


_NO_SPANS = ((), (), [])


class _Given:
    """A spans table's spans by ``(thread, comment)``: ``get(key, default)`` gives the
    sentences (``(start, end)`` pairs), quotes and excluded spans (url, artifact) of one
    comment, the last two :class:`segment.Span`."""

    __slots__ = ("sents", "others")

    def __init__(self, sents: dict, others: dict):
        self.sents, self.others = sents, others

    def get(self, key, default=None):
        o = self.others.get(key)
        s = self.sents.get(key)
        if o is None:
            return default if s is None else (s, (), ())
        return (s or [], o[0], o[1])


def _given_spans(spans_):
    """A spans table's sentence, quote and excluded (url, artifact) spans by comment
    (:class:`_Given`), or None.

    Sentences are ``(start, end)`` pairs, taken a comment at a time (a spans table lists
    each comment's spans together), the few others :class:`segment.Span`.
    """
    if spans_ is None:
        return None
    import numpy as np

    require_columns(spans_, ["thread_id", "comment_id", "kind", "label", "start", "end"], caller="sentiment.score")
    kind = spans_["kind"]
    sents: dict = {}
    is_sentence = (kind == "sentence").to_numpy(dtype=bool, na_value=False)
    if is_sentence.any():
        rows = spans_[["thread_id", "comment_id", "start", "end"]][is_sentence]
        t_codes = pd.factorize(rows["thread_id"])[0].astype("int64") + 1
        c_codes = pd.factorize(rows["comment_id"])[0].astype("int64") + 1
        key = t_codes * (int(c_codes.max()) + 1) + c_codes
        bounds = [0, *(np.flatnonzero(key[1:] != key[:-1]) + 1).tolist(), len(key)]
        firsts = bounds[:-1]
        keys = list(zip(rows["thread_id"].iloc[firsts].tolist(), rows["comment_id"].iloc[firsts].tolist()))
        pairs = list(zip(rows["start"].tolist(), rows["end"].tolist()))
        # Each comment's run of sentences, sliced in C (no Python step per comment).
        sents = dict(zip(keys, map(pairs.__getitem__, map(slice, firsts, bounds[1:]))))
        if len(sents) < len(keys):  # a comment's sentences in more than one run: joined in order
            sents = {}
            for k, a, b in zip(keys, firsts, bounds[1:]):
                if k in sents:
                    sents[k] = sents[k] + pairs[a:b]
                else:
                    sents[k] = pairs[a:b]
    others_of: dict = {}
    others = kind.isin(_GIVEN_KINDS[1:]).to_numpy(dtype=bool, na_value=False)
    if others.any():
        keep = spans_[others]
        span = segment._new_span  # (a Span from a tuple of its five fields)
        columns = [keep[c].tolist() for c in ("thread_id", "comment_id", "kind", "label", "start", "end")]
        for t, c, k, lab, s, e in zip(*columns):
            by_kind = others_of.get((t, c))
            if by_kind is None:
                by_kind = others_of[(t, c)] = ([], [])
            by_kind[0 if k == "quote" else 1].append(span((int(s), int(e), k, lab, "")))
    return _Given(sents, others_of)


def _keys(comments, id_col, thread_col):
    n = len(comments)
    threads = comments[thread_col].tolist() if thread_col in comments.columns else [""] * n
    ids = comments[id_col].tolist() if id_col in comments.columns else [""] * n
    return threads, ids


def _analyse(comments, text_col, neutral_terms, spans_, id_col, thread_col):
    """``(thread, comment id, text, sentences)`` of every comment, in row order."""
    terms = tuple(DEFAULT_NEUTRAL_TERMS if neutral_terms is None else neutral_terms)
    spec = _neutral_sets(terms) if terms else None
    cache = _piece_cache(spec)
    given = _given_spans(spans_)
    threads, ids = _keys(comments, id_col, thread_col)
    out = []
    for t, c, text in zip(threads, ids, comments[text_col].tolist()):
        if not isinstance(text, str) or not text.strip():
            out.append((t, c, text if isinstance(text, str) else "", []))
            continue
        sents, excl, quoted = _comment_segments(text, None if given is None else given.get((t, c), _NO_SPANS))
        out.append((t, c, text, _sentences_of(text, sents, excl, quoted, spec, cache)))
    return out


def _pool(sums, n_tokens) -> float:
    if _NORMALIZE is None:
        _vader_tables()
    return _COMPOUND[sum(sums) / max(1.0, sum(n_tokens) / POOL_TOKENS)]


def _pooled(text: str, sents: list) -> list:
    """A comment's score row; its raw compound is None when it needs a VADER pass of its own."""
    if sents and all(s.role == "own" for s in sents):
        return _pooled_own(text, [s.start for s in sents], [s.end for s in sents], [s.text for s in sents],
                           [s.pieces for s in sents])
    own = [s.pieces for s in sents if s.role == "own"]
    quoted = [s.pieces for s in sents if s.role == "quote"]
    if own:
        weights = [p.n_tokens for p in own]
        compound = _pool([p.sum_s for p in own], weights)
        neutral = _pool([p.neutral_sum_s for p in own], weights)
        pos, neu, neg = _shares(sum(p.pos_sum for p in own), sum(p.neg_sum for p in own),
                                sum(p.neu_count for p in own))
    else:
        compound = neutral = pos = neu = neg = 0.0
    q = _pool([p.sum_s for p in quoted], [p.n_tokens for p in quoted]) if quoted else float("nan")
    raw = 0.0 if not text.strip() else None
    return [compound, pos, neu, neg, raw, neutral, q, len(own)]


def _pooled_own(text: str, starts: list, ends: list, scoreds: list, own: list, sliced: bool = False) -> list:
    """:func:`_pooled` of a comment whose sentences (one or more, given as columns: offsets,
    the text VADER scored, its pieces) are all the commenter's own (*sliced*: each scored
    text is ``text[start:end]`` or, with a typographic apostrophe, that slice read straight)."""
    if len(own) == 1:
        # One sentence of up to POOL_TOKENS tokens pools to its own VADER scores.
        p = own[0]
        if p.n_tokens <= POOL_TOKENS:
            compound, pos, neu, neg, neutral = p.compound, p.pos, p.neu, p.neg, p.neutral_compound
        else:
            compound = _pool([p.sum_s], [p.n_tokens])
            neutral = _pool([p.neutral_sum_s], [p.n_tokens])
            pos, neu, neg = _shares(p.pos_sum, p.neg_sum, p.neu_count)
        if "’" in text:
            raw = None
        elif scoreds[0] is text or scoreds[0] == text.strip():
            raw = p.compound  # the whole text was one sentence, scored above
        else:
            raw = _joined(text, starts, ends, scoreds, own, sliced=sliced)
        return [compound, pos, neu, neg, raw, neutral, float("nan"), 1]
    # The pooled fields as columns (C calls): _pool and _shares on them, summed in the same order.
    sum_s, neutral_sum_s, pos_sum, neg_sum, neu_count, sizes = zip(*map(_POOLED_FIELDS, own))
    scale = max(1.0, sum(sizes) / POOL_TOKENS)
    compound = _COMPOUND[sum(sum_s) / scale]
    neutral = _COMPOUND[sum(neutral_sum_s) / scale]
    pos, neu, neg = _shares(sum(pos_sum), sum(neg_sum), sum(neu_count))
    raw = _joined(text, starts, ends, scoreds, own, sizes, sliced) if "’" not in text else None
    return [compound, pos, neu, neg, raw, neutral, float("nan"), len(own)]


#: sum_s, neutral_sum_s, pos_sum, neg_sum, neu_count and n_tokens of a :class:`_Pieces`.
_POOLED_FIELDS = operator.itemgetter(5, 6, 7, 8, 9, 10)


def _shares(pos_sum, neg_sum, neu_count) -> tuple:
    total = pos_sum + abs(neg_sum) + neu_count
    if not total:
        return 0.0, 0.0, 0.0
    return round(pos_sum / total, 3), round(neu_count / total, 3), round(abs(neg_sum) / total, 3)


@functools.lru_cache(maxsize=20_000)
def _raw_compound(text: str) -> float:
    return _compound(text)


#: What :func:`spans` computed for the :func:`score` call that follows it in the pipeline
#: (same frames, same options): the pooled scores, so the sentences are not scored twice.
#: One entry, taken by the first matching call; a changed frame never matches.
_STASH: list = []


def _stash_key(comments, text_col, neutral_terms, spans_, id_col, thread_col) -> tuple:
    """What the pooled scores depend on: the comments' texts and keys, the spans, the options.

    The comments are matched by content (``DataFrame.pipe`` hands a stage a shallow copy),
    the spans table by identity and a fingerprint of its offsets, so an edit in place
    between the two calls is noticed.
    """
    import weakref

    terms = tuple(DEFAULT_NEUTRAL_TERMS if neutral_terms is None else neutral_terms)
    texts = comments[text_col].tolist() if text_col in comments.columns else []
    threads, ids = _keys(comments, id_col, thread_col)
    given = None
    if spans_ is not None:
        offsets = spans_[["start", "end"]].to_numpy(dtype="int64", na_value=-1) if len(spans_.columns) else None
        given = (len(spans_), None if offsets is None else hash(offsets.tobytes()))
    content = (len(comments), hash((tuple(texts), tuple(map(str, threads)), tuple(map(str, ids)))), given,
               text_col, id_col, thread_col, terms)
    return (None if spans_ is None else weakref.ref(spans_)), content


def _take_stash(spans_, content):
    if not _STASH:
        return None
    try:
        spans_ref, was, rows = _STASH.pop()
    except IndexError:  # taken by another thread meanwhile
        return None
    if (spans_ref() if spans_ref is not None else None) is spans_ and was == content:
        return rows
    return None


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
    _, content = _stash_key(comments, text_col, neutral_terms, spans, id_col, thread_col)
    rows = _take_stash(spans, content)
    if rows is None:
        with _collector_paused():
            rows = [_pooled(text, sents)
                    for _t, _c, text, sents in _analyse(comments, text_col, neutral_terms, spans, id_col, thread_col)]
    return _with_scores(comments, rows, text_col)


def _with_scores(comments: pd.DataFrame, rows: list, text_col: str) -> pd.DataFrame:
    """*comments* with the score columns of the pooled *rows* (:func:`_pooled`)."""
    for row, text in zip(rows, comments[text_col].tolist()):
        if row[4] is None:
            row[4] = _raw_compound(text)
    import numpy as np

    values = list(zip(*rows)) if rows else [()] * len(_SCORE_COLUMNS)
    out = {c: np.array(v, dtype="float64") for c, v in zip(_SCORE_COLUMNS[:-1], values)}
    out["sentiment_sentences"] = np.array(values[-1], dtype="int64")
    return comments.assign(**out)


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
                         p.neg, p.n_tokens, _pairs(p.words), p.neutralised))
    return pd.DataFrame(rows, columns=["thread_id", "comment_id", "row", "start", "end", "role", "scored_text", "compound",
                                       "frame_neutral_compound", "pos", "neu", "neg", "n_tokens", "words", "neutralised"])


class _Carrying(dict):
    """Memo of "word +1.2" for a (word, valence) pair of an explanation (words and valences repeat)."""

    def __missing__(self, pair: tuple) -> str:
        shown = self[pair] = f"{pair[0]} {pair[1]:+.1f}"
        return shown


_CARRYING: dict = _Carrying()


class _Said(dict):
    """Memo of an explanation's opening for a (role, compound) pair (compounds repeat)."""

    def __missing__(self, key: tuple) -> str:
        who = "the commenter's own words" if key[0] == "own" else "quoted material, scored apart from the commenter"
        said = self[key] = f"VADER compound {key[1]:+.2f} ({who})"
        return said


_SAID: dict = _Said()


def _explain(role: str, p: _Pieces) -> str:
    compound = p.compound
    # A zero is formatted on its own: 0.0 and -0.0 are one key, but read "+0.00" and "-0.00".
    what = _SAID[(role, compound)] if compound else _Said.__missing__({}, (role, compound))
    words = p.words
    if words:
        if len(_CARRYING) > _TOKENS_MAX:
            _CARRYING.clear()
        what += "; words carrying it: " + ", ".join(map(_CARRYING.__getitem__, zip(words[:12:2], words[1:12:2])))
        if len(words) > 12:
            what += f" and {len(words) // 2 - 6} more"
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
    with _collector_paused():  # millions of small objects that live until the table is built
        columns, pooled = _span_rows(comments, text_col, neutral_terms, _given_spans(spans), id_col, thread_col)
    # Left for the score() call that follows in the pipeline (see _STASH).
    spans_ref, content = _stash_key(comments, text_col, neutral_terms, spans, id_col, thread_col)
    _STASH[:] = [(spans_ref, content, pooled)]
    return _span_table(columns)


def _span_table(columns: dict) -> pd.DataFrame:
    if not columns["start"]:
        return pd.DataFrame([], columns=list(SPAN_COLUMNS)).astype({"start": "int64", "end": "int64"})
    return _span_frame(columns)


def _spans_and_score(comments: pd.DataFrame, *, neutral_terms, segmented: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(spans(comments, ...), score(comments, ...))`` in one pass, the comments' segment
    spans given as :meth:`segment._Segmented.by_key` gives them (the pipeline's way: no
    spans table read back, no pooled rows left for :func:`score` to find)."""
    with _collector_paused():
        columns, pooled = _span_rows(comments, "text", neutral_terms, _given_segmented(segmented), "comment_id",
                                     "thread_id")
    return _span_table(columns), _with_scores(comments, pooled, "text")


def _given_segmented(segmented: dict) -> _Given:
    """:func:`_given_spans` of the spans table of *segmented* (:meth:`segment._Segmented.by_key`)."""
    sents: dict = {}
    others_of: dict = {}
    for key, (got, mixed) in segmented.items():
        if not mixed:  # sentences only, the common case
            sents[key] = got
            continue
        s, quotes, excl = [], [], []
        for sp in got:
            kind = sp[2]
            if kind == "sentence":
                s.append(sp)
            elif kind == "quote":
                quotes.append(sp)
            elif kind == "url" or kind == "artifact":
                excl.append(sp)
        if s:
            sents[key] = s
        if quotes or excl:
            others_of[key] = (quotes, excl)
    return _Given(sents, others_of)


def _span_frame(columns: dict) -> pd.DataFrame:
    """The spans table from its columns, strings straight to Arrow where pandas keeps them
    there (as :func:`segment.span_table` does): pandas would infer each value's type first,
    which took half as long again as the rest of building the table."""
    dtype = segment._string_dtype()
    if dtype is not None:
        import numpy as np
        import pyarrow as pa
        from pandas.arrays import ArrowStringArray

        data = {}
        try:
            for c in SPAN_COLUMNS:
                values = columns[c]
                if c == "start" or c == "end":
                    data[c] = np.array(values, dtype=np.int64)
                    continue
                arr = pa.array(values, type=pa.large_string())
                if arr.null_count:
                    break
                data[c] = ArrowStringArray(arr, dtype=dtype)
            else:
                return pd.DataFrame(data, copy=False)
        except (pa.ArrowException, TypeError, ValueError):
            pass  # ids that are not strings: pandas infers their type below
    # Built from columns, not rows: a row-wise frame goes through one object array first.
    return pd.DataFrame({c: columns[c] for c in SPAN_COLUMNS})


def _span_rows(comments, text_col, neutral_terms, given, id_col, thread_col) -> tuple[dict, list]:
    """The sentence spans as columns (``SPAN_COLUMNS`` but the constant ``kind`` and
    ``sense``), and each comment's pooled score row.

    :func:`_analyse` and :func:`_pooled` in one pass, with the common comment (no quote,
    URL or artifact: every sentence a plain slice of the text) taken inline.
    """
    terms = tuple(DEFAULT_NEUTRAL_TERMS if neutral_terms is None else neutral_terms)
    spec = _neutral_sets(terms) if terms else None
    cache, said = _piece_caches(spec)
    threads, ids = _keys(comments, id_col, thread_col)
    out_threads, out_ids, labels, starts, ends, texts, explanations = [], [], [], [], [], [], []
    pooled = []
    explained: dict = {}  # id of the pieces: repeated sentences share their pieces
    explained_quote: dict = {}
    sents_of = others_of = None
    if given is not None:
        sents_of, others_of = given.sents, given.others
    for t, c, text in zip(threads, ids, comments[text_col].tolist()):
        if not isinstance(text, str) or not text or text.isspace():  # (not text.strip(), without a copy)
            pooled.append(_pooled(text if isinstance(text, str) else "", []))
            continue
        if given is not None and (t, c) not in others_of and (sents := sents_of.get((t, c))):
            excl = quoted = ()  # _comment_segments of the common comment
        else:
            sents, excl, quoted = _comment_segments(text, None if given is None else given.get((t, c), _NO_SPANS))
        if excl or quoted:
            found = _sentences_of(text, sents, excl, quoted, spec, cache)
            for s in found:
                memo = explained if s.role == "own" else explained_quote
                what = memo.get(id(s.pieces))
                if what is None:
                    what = memo[id(s.pieces)] = _explain(s.role, s.pieces)
                explanations.append(what)
                labels.append(s.role)
                starts.append(s.start)
                ends.append(s.end)
                texts.append(text[s.start:s.end])
            k = len(found)
            pooled.append(_pooled(text, found))
        else:
            # Every sentence is text[start:end], scored as it stands (own_pieces of a
            # sentence without exclusions is the sentence).
            first = len(starts)
            scoreds, own = [], []
            for sent in sents:
                start, end = sent[0], sent[1]
                if start >= end:
                    continue
                piece = text[start:end]
                if piece.isspace():
                    continue
                # _cache_entry, inline.
                scored = piece.replace("’", "'") if "’" in piece else piece
                p = cache.get(scored)
                if p is None:
                    p = cache[scored] = _cached_pieces(scored, spec)
                if not p:
                    continue
                what = said.get(scored)
                if what is None:
                    what = said[scored] = _explain("own", p)
                explanations.append(what)
                starts.append(start)
                ends.append(end)
                texts.append(piece)
                scoreds.append(scored)
                own.append(p)
            k = len(own)
            if k:
                labels += ["own"] * k
                pooled.append(_pooled_own(text, starts[first:], ends[first:], scoreds, own, True))
            else:
                pooled.append(_pooled(text, []))
        if k == 1:
            out_threads.append(t)
            out_ids.append(c)
        elif k:
            out_threads += [t] * k
            out_ids += [c] * k
    n = len(starts)
    columns = {"thread_id": out_threads, "comment_id": out_ids, "kind": ["sentence"] * n, "label": labels,
               "start": starts, "end": ends, "text": texts, "sense": [""] * n, "explanation": explanations}
    return columns, pooled


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
    import numpy as np

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
    for i in range(len(c)):
        if depth[i]:
            continue
        # Walk up to a resolved comment, a root or a cycle, then down again: a chain of any
        # length without recursion. In a cycle, the comment whose parent is already on the
        # path answers the post.
        path, on_path = [i], {i}
        base = None
        while True:
            j = parent_row[path[-1]]
            if j is None or j in on_path:
                break
            if depth[j]:
                base = j
                break
            path.append(j)
            on_path.add(j)
        for k in reversed(path):
            if base is None:
                depth[k], chain_sum[k], chain_n[k] = 1, 0.0, 0
            else:
                depth[k], chain_sum[k], chain_n[k] = depth[base] + 1, chain_sum[base], chain_n[base]
            if not math.isnan(s[k]):
                chain_sum[k] += s[k]
                chain_n[k] += 1
            base = k
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
    ranked = pd.DataFrame({"thread_id": t, "score": s, "_o": pd.to_numeric(order, errors="coerce").to_numpy(),
                           "_r": range(len(c))}).sort_values(["_o", "_r"])
    # One rolling pass over all threads (its windows restart at each thread): the same
    # sums as rolling each thread on its own, without a Python call per thread.
    rolling = ranked.groupby("thread_id", sort=False)["score"].rolling(5, min_periods=1).mean()
    thread_rolling = np.empty(len(c))
    thread_rolling[rolling.index.get_level_values(-1).to_numpy()] = rolling.to_numpy()
    out["thread_rolling"] = pd.Series(thread_rolling, index=out.index).round(4)
    out["escalates"] = [bool(d < -ESCALATION_MARGIN) if not math.isnan(d) else False for d in delta]
    return out


def escalation(comments: pd.DataFrame, *, score_col: str = "sentiment_compound", by: str = "thread",
               min_turns: int = 3, id_col: str = "comment_id", parent_col: str = "parent_id",
               thread_col: str = "thread_id", author_col: str = "author", order_col: str = "position"):
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
        turn is negative. A list of these gives a dict of tables, by name, from one pass
        over the reply chains.
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
    >>> sorted(escalation(df, by=["thread", "speaker"]))
    ['speaker', 'thread']
    """
    from .errors import SchemaError

    kinds = [by] if isinstance(by, str) else list(by)
    if not kinds or any(k not in ("thread", "speaker", "exchange") for k in kinds):
        raise SchemaError(f"by must be one of ['thread', 'speaker', 'exchange'] or a list of them; got {by!r}.")
    if not isinstance(min_turns, int) or min_turns < 2:
        raise SchemaError(f"min_turns must be an int in the range [2, inf); got {min_turns!r}.")
    traj = trajectories(comments, score_col=score_col, id_col=id_col, parent_col=parent_col, thread_col=thread_col,
                        author_col=author_col, order_col=order_col)
    order = comments[order_col] if order_col in comments.columns else pd.Series(range(len(traj)), index=comments.index)
    traj = traj.assign(_o=pd.to_numeric(order, errors="coerce").to_numpy(), _r=range(len(traj)))
    exchanges = _exchanges(traj, min_turns)
    tables = {k: exchanges if k == "exchange" else _escalation_by(traj, exchanges, k) for k in kinds}
    return tables[by] if isinstance(by, str) else tables


def _escalation_by(traj: pd.DataFrame, exchanges: pd.DataFrame, by: str) -> pd.DataFrame:
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
    n_of, esc_of, delta_of = (counts[c].to_dict() for c in ("n", "esc", "delta"))
    rows = []
    for g in groups:
        n = int(n_of.get(g, 0))
        esc = int(esc_of[g]) if n else 0
        rows.append((g, n, esc, round(esc / n, 4) if n else float("nan"),
                     round(float(delta_of[g]), 4) if n else float("nan"), int(heated_of.get(g, 0))))
    return pd.DataFrame(rows, columns=[key if by == "thread" else "author", "replies", "escalations",
                                       "escalation_rate", "mean_delta", "heated_exchanges"])


def _exchanges(traj: pd.DataFrame, min_turns: int) -> pd.DataFrame:
    cols = ["thread_id", "speakers", "turns", "first", "last", "slope", "heated"]
    # Plain lists and one dict of groups: a table may hold hundreds of thousands of
    # speaker pairs, and a pandas group per pair costs a millisecond each.
    threads, ids, parents = traj["thread_id"].tolist(), traj["comment_id"].tolist(), traj["parent_id"].tolist()
    authors, parent_authors = traj["author"].tolist(), traj["parent_author"].tolist()
    scores_, parent_scores = traj["score"].tolist(), traj["parent_score"].tolist()
    order = list(zip(traj["_o"].tolist(), traj["_r"].tolist()))
    score_of: dict = {}
    for key, score in zip(zip(threads, ids), scores_):
        score_of.setdefault(key, score)
    groups: dict = {}
    for i, (author, parent_author) in enumerate(zip(authors, parent_authors)):
        if math.isnan(parent_scores[i]) or not author or not parent_author or author == parent_author:
            continue
        pair = " & ".join(sorted((author, parent_author)))
        groups.setdefault((threads[i], pair), []).append(i)
    rows = []
    for (thread, pair), members in groups.items():
        if len(members) + 1 < min_turns:
            continue  # too few turns even with the first parent
        members.sort(key=order.__getitem__)
        # The exchange's turns: the first parent, then every reply between the two.
        first = (thread, parents[members[0]])
        scores = ([score_of[first]] if first in score_of else []) + [scores_[i] for i in members]
        scores = [x for x in scores if not math.isnan(x)]
        # A back-and-forth: each speaker answered the other at least once.
        if len(scores) < min_turns or len({authors[i] for i in members}) < 2:
            continue
        n = len(scores)
        xbar = (n - 1) / 2
        ybar = sum(scores) / n
        slope = sum((i - xbar) * (y - ybar) for i, y in enumerate(scores)) / sum((i - xbar) ** 2 for i in range(n))
        rows.append((thread, pair, n, round(scores[0], 4), round(scores[-1], 4), round(slope, 4),
                     bool(slope < 0 and scores[-1] < -0.05)))
    return pd.DataFrame(rows, columns=cols).astype({"turns": "int64", "heated": bool})
