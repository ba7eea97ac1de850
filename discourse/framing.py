"""Framing: frame lexicons, metaphor sense decisions, contestation and uptake.

A *frame* is a way of presenting an issue that makes some aspects of it stand out
(Entman 1993): education as a market or as a public good, a school-board race as a
war. discourse finds frames with *lexicons*, TOML files of terms and phrases that a
person can read, cite and edit (``discourse/lexicons/README.md`` gives the schema;
``discourse frames list`` names the shipped ones; ``--frames FILE`` adds your own).

Terms used here:

frame term
    A word or phrase of a frame's lexicon found in a text, kept as a span (``kind="frame"``,
    ``label`` = the frame's name) with offsets into the text.
sense
    For lexicons of ``kind = "metaphor"`` (the war metaphor), what each frame term does in
    its sentence, decided in the spirit of MIP/MIPVU (Pragglejaz Group 2007; Steen et al.
    2010) by comparing its contextual meaning with its basic meaning (armed conflict):

    - ``metaphorical``: the words around the term name another domain, an election, a school
      board, an argument ("CCSA unleashed the electoral equivalent of a carpet bombing
      campaign");
    - ``literal``: the topic is armed conflict or violence itself (a ship rammed, weapons used
      in Yemen), or nothing points to another domain, so the basic meaning stands;
    - ``game``: the vocabulary war shares with games, sport and strategy as a craft
      ("avoidance strategies", "defend", "position") read in that sense. This value is an
      addition to the contract's ``metaphorical | literal | meta``;
    - ``meta``: the sentence talks about the frame itself ("the war metaphor", "Public
      education is not a war", a reply "Still don't like it!" to a comment about the metaphor).

    Terms of ``kind = "frames"`` lexicons (policy frames, education politics) have no
    sense (``""``). Every decision carries an ``explanation`` a teacher can read.
stance
    Toward a frame, in a meta span's sentence: ``endorse`` ("The war metaphor fits
    perfectly"), ``reject`` ("is not warfare", "can't agree with the war metaphor"),
    ``qualify`` ("not about WAR per se, but rather ...") or ``neutral``.
frame score
    ``frame_<name>``: the weighted number of frame terms per 100 words of the text (a
    LIWC-style percentage). For a metaphor frame only metaphorical and meta uses count:
    a literal war report or a chess strategy does not frame anything as war.
uptake
    How a reply answers the frames of the comment it replies to: it ``adopted`` a frame (uses
    it), ``endorsed``, ``rejected`` or ``qualified`` it (talks about it), or ``ignored`` it.

Sentence boundaries come from a small private splitter (:func:`_sentences`); it is
meant to be replaced by ``discourse.segment`` sentences when that stage lands.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import itertools
import operator
import re
from pathlib import Path
from typing import Iterable

import pandas as pd

from . import segment
from ._perf import collector_paused as _collector_paused
from .errors import InputFormatError, SchemaError
from .model import SPAN_COLUMNS, require_columns

__all__ = [
    "DEFAULT_LEXICONS",
    "FrameLexicon",
    "SENSES",
    "STANCES",
    "catalog",
    "debate",
    "describe",
    "explain",
    "load_lexicons",
    "prevalence",
    "score",
    "spans",
    "uptake",
    "vocabulary",
]

#: The lexicons used when none are named.
DEFAULT_LEXICONS = ("war_metaphor", "media_frames", "education_politics")
#: Sense values of metaphor-frame spans (``""`` for frames without senses).
SENSES = ("metaphorical", "literal", "game", "meta")
#: Stance values toward a frame, for meta spans.
STANCES = ("endorse", "reject", "qualify", "neutral")

_KINDS = ("frames", "metaphor")
_TOKEN = re.compile(r"\w+(?:['\u2019]\w+)*")
_PIECE = re.compile(r"^(?:[\w']+\*?|\*)$")
_COUNTED_SENSES = frozenset({"metaphorical", "meta", ""})
# Words allowed between a negator and the frame's head noun: "is not a war",
# "not about WAR", "isn't really a war".
_FILLERS = frozenset({"a", "an", "the", "about", "really", "just", "some", "kind", "of", "any", "at", "all", "even", "simply"})


# --------------------------------------------------------------------------- text


def _norm(word: str) -> str:
    return word.lower().replace("\u2019", "'")


def _tokenize(text: str) -> list[tuple[int, int, str]]:
    """Word tokens as ``(start, end, normalised)``; hyphens and punctuation split."""
    # Lower-casing the whole text at once is the same as lower-casing each token unless
    # it changes a length (dotted capital I) or reads context (a capital sigma's final form).
    if "\u03a3" not in text:
        norm = text.lower()
        if len(norm) == len(text):
            norm = norm.replace("\u2019", "'")
            out = []
            for m in _TOKEN.finditer(text):
                a, b = m.span()
                out.append((a, b, norm[a:b]))
            return out
    return [(m.start(), m.end(), _norm(m.group())) for m in _TOKEN.finditer(text)]


_SENT_END_PLAIN = r"[.!?\u2026]+[\"'\u201d\u2019)\]]*(?=\s|$)|\n+"
# The same matches as _SENT_END_PLAIN, written to start with one character class: the
# regex engine then skips to the next such character in C instead of trying both
# alternatives at every position (tests compare the two).
_SENT_END = re.compile(r"[\n.!?\u2026](?:(?<=\n)\n*|(?<!\n)[.!?\u2026]*[\"'\u201d\u2019)\]]*(?=\s|$))")


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence ``(start, end)`` offsets: ends at . ! ? or a line break.

    A stand-in for ``discourse.segment`` sentences; abbreviations ("Mr.") split wrongly,
    which only narrows the context a sense decision reads.
    """
    out, start = [], 0
    # (A piece is kept when it holds a non-blank character: what ``strip()`` tells, without
    # copying the piece twice.)
    nonblank = _NONBLANK.search
    for m in _SENT_END.finditer(text):
        end = m.end()
        if nonblank(text, start, end):
            out.append((start, end))
        start = end
    if nonblank(text, start):
        out.append((start, len(text)))
    return out


_NONBLANK = re.compile(r"\S")


def _parse(text: str) -> list[tuple[int, int, list, list]]:
    """``(start, end, tokens, words)`` of each sentence of *text*, tokens with offsets into *text*.

    The same as tokenizing each sentence on its own: a token never crosses a sentence end
    (sentences end at punctuation or a line break, which no token holds), and the text
    outside every sentence is blank.
    """
    toks = _tokenize(text)
    out, k = [], 0
    for s0, s1 in _sentences(text):
        j = k
        while j < len(toks) and toks[j][0] < s1:
            j += 1
        out.append((s0, s1, toks[k:j], [t[2] for t in toks[k:j]]))
        k = j
    return out


# --------------------------------------------------------------------------- patterns


@dataclasses.dataclass(frozen=True)
class _Pattern:
    source: str
    pieces: tuple  # each (text, is_prefix) or None for a one-token wildcard
    group: str = "terms"
    weight: float = 1.0
    frame: str = ""
    # For a pattern of a lexicon's combined matcher: the end of a ``frames`` term's
    # explanation, after the quoted span (built once, not per span).
    note: str = dataclasses.field(default="", compare=False, repr=False)

    def matches_at(self, words: list[str], i: int) -> bool:
        if i + len(self.pieces) > len(words):
            return False
        for k, piece in enumerate(self.pieces):
            if piece is None:
                continue
            text, prefix = piece
            w = words[i + k]
            if not (w.startswith(text) if prefix else w == text):
                return False
        return True


def _parse_pattern(source: str) -> tuple | None:
    pieces = []
    for part in re.split(r"[\s\-\u2010-\u2015/]+", _norm(source.strip())):
        if not part:
            continue
        if not _PIECE.match(part):
            return None
        if part == "*":
            pieces.append(None)
        else:
            pieces.append((part.rstrip("*"), part.endswith("*")))
    if not pieces or pieces[0] is None or any(p is not None and not p[0] for p in pieces):
        return None
    if pieces[0][1] and len(pieces[0][0]) < 2:
        # Prefixes are indexed by their first two letters; "a*" would match nearly everything anyway.
        return None
    return tuple(pieces)


# ``(words, index or None)`` of the word list last asked about (see _word_index); one
# tuple, replaced whole, so a thread never reads another list's index.
_LAST_WORDS: list = [None]


def _word_index(words: list[str]) -> tuple | None:
    """``({word: [positions]}, {first two letters: {words}})`` of *words*, when the same list
    is asked about a second time in a row (then more are likely: a sense decision reads
    one sentence with twenty matchers); None the first time, and for short lists.

    The list is kept while it is the last one, so its identity cannot be reused by
    another; word lists are never changed once made.
    """
    if len(words) < 8:
        return None
    last = _LAST_WORDS[0]
    if last is None or last[0] is not words:
        _LAST_WORDS[0] = (words, None)
        return None
    index = last[1]
    if index is None:
        by_word: dict = {}
        for i, w in enumerate(words):
            by_word.setdefault(w, []).append(i)
        by_prefix: dict = {}
        for w in by_word:
            by_prefix.setdefault(w[:2], set()).add(w)
        index = (by_word, by_prefix)
        _LAST_WORDS[0] = (words, index)
    return index


# ``(words, {matcher: its starts in words})`` of the sentence a sense decision reads last
# (see _prime_cues); one tuple, replaced whole, kept while it is the last (as _LAST_WORDS).
_CUE_STARTS: list = [None]


def _prime_cues(lex: "FrameLexicon", words: list[str]) -> None:
    """Read *words* once for all of *lex*'s cue and topic matchers: a sense decision asks a
    dozen of them about the same sentence, and :meth:`_Matcher.find` then takes each one's
    starts from that one pass (what its own ``_starts`` would give)."""
    last = _CUE_STARTS[0]
    if last is not None and last[0] is words:
        return
    group = _cue_matchers(lex)
    exact, prefix = group.first_words
    matchers = group.matchers
    out: list = [[] for _ in matchers]
    for i, word in enumerate(words):
        ks = exact.get(word)
        kp = prefix.get(word[:2])
        if ks is None and kp is None:
            continue  # (most words: no cue starts with them)
        for k in ks if kp is None else kp if ks is None else sorted(set(ks + kp)):
            cands = matchers[k].candidates(word)
            if cands:
                out[k].append((i, cands))
    _CUE_STARTS[0] = (words, dict(zip(matchers, out)))


def _cue_matchers(lex: "FrameLexicon") -> "_Matchers":
    """The shared :class:`_Matchers` of every cue and topic matcher of *lex* (each once)."""
    found = dict.fromkeys([*lex.cues.values(), *(m for _, m in lex.topics)])
    return _matchers(tuple(m for m in found if isinstance(m, _Matcher)))


class _Matcher:
    """Finds patterns in a token list; longest match first, no overlaps."""

    def __init__(self, patterns: Iterable[_Pattern]):
        self.patterns = list(patterns)
        self._seen: dict[str, list[_Pattern]] = {}
        self._last: tuple | None = None  # (words, overlap, found) of the last find()
        self.exact: dict[str, list[_Pattern]] = {}
        self.prefix: dict[str, list[_Pattern]] = {}
        for p in self.patterns:
            text, is_prefix = p.pieces[0]
            table = self.prefix if is_prefix else self.exact
            table.setdefault(text if not is_prefix else text[:2], []).append(p)
        for table in (self.exact, self.prefix):
            for key in table:
                table[key] = tuple(sorted(table[key], key=lambda p: -len(p.pieces)))

    def candidates(self, word: str) -> list[_Pattern]:
        # Words repeat across a corpus, so each word's candidate list is kept once found.
        try:
            return self._seen[word]
        except KeyError:
            exact, prefix = self.exact.get(word), self.prefix.get(word[:2])
            if exact is None and prefix is None:
                # Most words: as cheap to look up again as to keep, and keeping them filled
                # a 200,000-word cache in each of a dozen busy matchers (~25 MiB each).
                return ()
            found = [p for p in (exact or ()) + tuple(prefix or ())
                     if p.pieces[0][1] is False or word.startswith(p.pieces[0][0])] or ()
            if len(self._seen) < 200_000:
                self._seen[word] = found
            return found

    def _starts(self, words: list[str]) -> list[tuple[int, list]]:
        """``(i, candidates)`` for each word that can start a pattern (most cannot)."""
        index = _word_index(words)
        if index is not None:
            # A sentence asked about by many matchers (a sense decision asks about twenty):
            # only the positions of the words this matcher knows are looked at.
            by_word, by_prefix = index
            known = self.exact.keys() & by_word.keys()
            if self.prefix:
                for key in self.prefix.keys() & by_prefix.keys():
                    known.update(by_prefix[key])
            if not known:
                return []
            at = sorted(i for w in known for i in by_word[w])
            candidates = self.candidates
            return [(i, c) for i in at if (c := candidates(words[i]))]
        if self.exact.keys().isdisjoint(words) and (not self.prefix or self.prefix.keys().isdisjoint([w[:2] for w in words])):
            return []  # (the usual case for a sense cue, decided without a loop in Python)
        seen, exact, prefix, out = self._seen, self.exact, self.prefix, []
        for i, word in enumerate(words):
            cands = seen.get(word)
            if cands is None:
                if word not in exact and word[:2] not in prefix:
                    continue  # (what candidates() says, without the call: most words)
                cands = self.candidates(word)
            if cands:
                out.append((i, cands))
        return out

    def find(self, words: list[str], *, overlap: bool = False, starts: list | None = None) -> list[tuple[int, int, _Pattern]]:
        if starts is None:
            # A sense decision asks the same cue matcher about the same sentence once per
            # term in it: the last answer is kept (word lists are never changed once made,
            # and the kept list cannot be freed and its id reused while it is kept).
            last = self._last
            if last is not None and last[0] is words and last[1] == overlap:
                return last[2]
            primed = _CUE_STARTS[0]
            if primed is not None and primed[0] is words:
                # (A sense decision's sentence: its words were read once for every cue matcher.)
                out = self._find(words, overlap, primed[1].get(self))
                self._last = (words, overlap, out)
                return out
        out = self._find(words, overlap, starts)
        if starts is None:
            self._last = (words, overlap, out)
        return out

    def _find(self, words: list[str], overlap: bool, starts: list | None) -> list[tuple[int, int, _Pattern]]:
        out = []
        free = 0  # the first word a match may start at (matches do not overlap unless asked)
        for i, cands in self._starts(words) if starts is None else starts:
            if i < free:
                continue
            best = None
            for p in cands:
                if p.matches_at(words, i) and (best is None or len(p.pieces) > len(best.pieces)):
                    best = p
            if best is None:
                continue
            out.append((i, i + len(best.pieces), best))
            free = i + 1 if overlap else i + len(best.pieces)
        return out

    def find_all(self, words: list[str], *, starts: list | None = None) -> list[tuple[int, int, _Pattern]]:
        """Every match at every start, overlapping, in order of start."""
        out = []
        for i, cands in self._starts(words) if starts is None else starts:
            for p in cands:
                if p.matches_at(words, i):
                    out.append((i, i + len(p.pieces), p))
        return out

    def __bool__(self) -> bool:
        return bool(self.patterns)


class _Matchers:
    """Several matchers read in one pass: each word is looked up once for all of them.

    ``starts(words)[k]`` is what ``matchers[k]._starts(words)`` gives, for the ``starts``
    argument of :meth:`_Matcher.find` and :meth:`_Matcher.find_all`.
    """

    def __init__(self, matchers):
        self.matchers = tuple(matchers)
        self._seen: dict = {}

    def lookup(self, word: str) -> tuple:
        """``((k, candidates), ...)`` for the matchers whose patterns may start at *word*."""
        hits = self._seen.get(word)
        if hits is None:
            hits = tuple((k, c) for k, m in enumerate(self.matchers) if (c := m.candidates(word)))
            if len(self._seen) < 200_000:
                self._seen[word] = hits
        return hits

    def starts(self, words: list[str]) -> list[list]:
        out: list[list] = [[] for _ in self.matchers]
        seen = self._seen
        for i, word in enumerate(words):
            hits = seen.get(word)
            if hits is None:
                hits = self.lookup(word)
            for k, c in hits:
                out[k].append((i, c))
        return out

    @functools.cached_property
    def first_words(self) -> tuple:
        """``({word: matcher numbers}, {first two letters: matcher numbers})``: which
        matchers a word may start a pattern of (an exact first word, or the two letters a
        prefix is indexed by; see :meth:`_Matcher._starts`), with nothing kept per word read."""
        exact: dict = {}
        prefix: dict = {}
        for k, m in enumerate(self.matchers):
            for word in m.exact:
                exact[word] = exact.get(word, ()) + (k,)
            for two in m.prefix:
                prefix[two] = prefix.get(two, ()) + (k,)
        return exact, prefix

    @functools.cached_property
    def byte_trigger(self):
        """:attr:`trigger` for ASCII text as bytes (None if it cannot be compiled so).

        A term's non-ASCII characters become byte sequences no ASCII text holds, so on
        ASCII text it matches exactly where :attr:`trigger` does.
        """
        try:
            return re.compile(self.trigger.pattern.encode("utf-8"))
        except re.error:
            return None

    @functools.cached_property
    def byte_starts(self):
        """A function giving, for ASCII text as bytes, the sorted offsets where
        :attr:`byte_trigger` may match (a few more, never fewer); None when that cannot be
        built (then scan with the regex).

        The regex tries its lookbehinds and its trie at every character (about half of a
        scan of all text is that); an Aho-Corasick automaton (``ahocorasick_rs``) finds the
        same places in one pass at a fraction of the cost, and the regex then runs only at
        those places (:func:`_trigger_matches`). It reads a copy of the text in which every
        character other than a word character is a space and runs of spaces are one
        (:func:`_squeezed`), and looks for each pattern's leading words as they appear
        there: a space, the exact words (each followed by a space) up to the first prefix
        or wildcard, then the prefix. Where the trigger matches, the pattern's words are
        separated by non-word characters (``\\W+``: one space in the copy), an exact word
        ends where a space (or an apostrophe, also a space in the copy) follows, and a word
        starts after a non-word character: so the copy holds the key there.
        """
        try:
            import ahocorasick_rs
        except ImportError:  # pragma: no cover - a dependency; the regex scan does the same
            return None
        keys = set()
        for m in self.matchers:
            for p in m.patterns:
                if not all(piece is None or piece[0].isascii() for piece in p.pieces):
                    continue  # (bytes no ASCII text holds: the pattern never matches there)
                texts, exact = [], True
                for piece in p.pieces:
                    if piece is None:
                        break
                    texts.append(piece[0])
                    if piece[1]:
                        exact = False
                        break
                key = _squeezed((" " + " ".join(texts) + (" " if exact else "")).encode("ascii"))
                if not key.strip():
                    return None  # (a pattern of no word characters: scan with the regex)
                keys.add(key)
        if not keys:
            return None
        ac = ahocorasick_rs.BytesAhoCorasick(sorted(keys), implementation=ahocorasick_rs.Implementation.DFA)

        def starts(data: bytes) -> list:
            import numpy as np

            squeezed, dropped = _squeezed(b" " + data + b" ", positions=True)
            found = ac.find_matches_as_indexes(squeezed, overlapping=True)
            if not found:
                return []
            # A key starts with the space before the word: the word is one further on.
            at = np.unique(np.fromiter(map(_SECOND, found), dtype=np.int64, count=len(found))) + 1
            # Back to offsets into *data*: past the characters dropped before each, less the
            # space put in front.
            at += np.searchsorted(dropped, at, side="right") - 1
            return at.tolist()

        return starts

    @functools.cached_property
    def trigger(self):
        """A regex over a normalised text (:func:`_normalised`) matching the words where
        some pattern of these matchers matches; each match is that word (one token).

        Built from every pattern whole (``"at war"``, not just ``"at"``), so the matches
        are few: the text's other words are never looked at in Python. It may match where
        no pattern does (across a sentence end, or a prefix that is not a candidate);
        :func:`_sparse_hits` checks each match as :meth:`_Matcher.find_all` would.
        """
        from . import lexicons

        seqs = [_pattern_atoms(p) for m in self.matchers for p in m.patterns]
        return re.compile(_TOKEN_START + "(?=" + lexicons.trie_pattern(seqs) + ")" + _ANY_WORD)


@functools.lru_cache(maxsize=64)
def _matchers(matchers: tuple) -> _Matchers:
    """The shared :class:`_Matchers` of these matchers: its word lookups and trigger are kept."""
    return _Matchers(matchers)


# Bytes to themselves for an ASCII word character (``\\w`` on bytes), to a space otherwise.
_WORD_OR_SPACE = bytes(c if (chr(c).isascii() and (chr(c).isalnum() or c == 95)) else 32 for c in range(256))


def _squeezed(data: bytes, *, positions: bool = False):
    """*data* with each non-word character a space and each run of spaces one space.

    With *positions*, also where the dropped spaces were, for
    ``searchsorted(dropped, q, side="right")``: how many characters of *data* were dropped
    before the character at *q* of the squeezed text (it is at ``q`` plus that in *data*).
    """
    spaced = data.translate(_WORD_OR_SPACE)
    if not positions:
        return re.sub(b"  +", b" ", spaced)
    import numpy as np

    chars = np.frombuffer(spaced, dtype=np.uint8)
    space = chars == 32
    drop = np.flatnonzero(space[1:] & space[:-1]) + 1
    keep = np.ones(len(chars), dtype=bool)
    keep[drop] = False
    # The i-th dropped character would sit at drop[i] - i in the squeezed text.
    return chars[keep].tobytes(), drop - np.arange(len(drop))


def _trigger_matches(trigger, data, starts):
    """``trigger.finditer(data)``, or the same matches when *starts* (a :attr:`_Matchers.byte_starts`,
    or None) says where they may be: the regex is then tried only there.

    A trigger match is one token and starts at a token start, so the matches of
    ``finditer`` are exactly the places among those where ``match`` succeeds.
    """
    if starts is None:
        return trigger.finditer(data)
    match = trigger.match
    return filter(None, map(match, itertools.repeat(data), starts(data)))


def _token_places(data: bytes, starts) -> list | None:
    """``(start, end)`` of the token (:data:`_ANY_WORD`, at a token start) at each place
    *starts* (a :attr:`_Matchers.byte_starts`) gives in *data* (ASCII, as bytes); None
    without *starts*.

    Read array-wise (numpy), not by the trigger regex at each place: the places hold
    every match of the trigger, and a few more (a word whose pattern goes on in a way
    the text does not), whose words then find no match where they are checked (the
    candidates' first piece is the word's, the other pieces are read from the text).
    """
    if starts is None:
        return None
    import numpy as np

    at = np.asarray(starts(data), dtype=np.int64)
    if not len(at):
        return []
    a = np.frombuffer(data, dtype=np.uint8)
    word = _word_table()
    n = len(a)
    # A token starts with a word character after no word character, nor after an
    # apostrophe that follows one ((?<!\w)(?<!\w')).
    before = np.where(at >= 1, a[np.maximum(at - 1, 0)], 32)
    before2 = np.where(at >= 2, a[np.maximum(at - 2, 0)], 32)
    ok = word[a[np.minimum(at, n - 1)]] & (at < n) & ~word[before] & ~((before == 39) & word[before2])
    at = at[ok]
    # It runs over word characters and over apostrophes between two of them (\w+(?:'\w+)*).
    inner = np.zeros(n, dtype=bool)
    inner[1:-1] = (a[1:-1] == 39) & word[a[:-2]] & word[a[2:]]
    stops = np.flatnonzero(~(word[a] | inner))
    stops = np.append(stops, n)
    to = stops[np.searchsorted(stops, at)]
    return list(zip(at.tolist(), to.tolist()))


@functools.lru_cache(maxsize=1)
def _word_table():
    """A numpy table by byte: whether ``\\w`` matches it in a bytes regex."""
    import numpy as np

    return np.array([re.match(rb"\w", bytes([b])) is not None for b in range(256)])


# --------------------------------------------------------------------------- sparse matching
#
# The fast path: rather than splitting every text into words and looking each word up, a
# regex (:attr:`_Matchers.trigger`) finds the few words where a pattern may start, and
# only there are the following words read. It gives what the word-by-word path gives
# (tests compare the two on generated texts); a sentence that needs a sense decision or an
# ``exclude`` list is still split into words and read the word-by-word way.

# On a normalised text (lower case, ’ as '), where a token (:data:`_TOKEN`) starts; a token;
# the end of a token; the rest of a token; the next token after the end of one.
_TOKEN_START = r"(?<!\w)(?<!\w')"
_ANY_WORD = r"\w+(?:'\w+)*"
_WORD_END = r"(?!\w|'\w)"
_WORD_REST = r"\w*(?:'\w+)*"
_NEXT_TOKEN = re.compile(r"\W*(\w+(?:'\w+)*)")


def _pattern_atoms(p: _Pattern) -> tuple:
    """The regex fragments matching *p* at a token start of a normalised text (or more)."""
    atoms: list = []
    for k, piece in enumerate(p.pieces):
        if k:
            atoms.append(r"\W+")
        if piece is None:
            atoms.append(_ANY_WORD)
            continue
        text, prefix = piece
        atoms += [re.escape(ch) for ch in text]
        atoms.append(_WORD_REST if prefix else _WORD_END)
    return tuple(atoms)


def _normalised(text: str) -> str | None:
    """*text* lower-cased with ’ as ', character for character; None when that changes a length.

    Then each token's normalised form (:func:`_norm`) is the same slice of this text, and a
    character is a word character (``\\w``) exactly when its lower-case form is.
    """
    if "\u03a3" in text:
        return None
    norm = text.lower()
    if len(norm) != len(text):
        return None
    return norm.replace("\u2019", "'")


_SPAN = re.Match.span
_SECOND = operator.itemgetter(1)


class _View:
    """A text for the sparse path: its normalised form, its sentences, and the words of
    those sentences that are needed (split on demand, as :func:`_parse` splits them)."""

    __slots__ = ("text", "norm", "_sents", "_words")

    def __init__(self, text: str, norm: str):
        self.text, self.norm = text, norm
        self._sents = None
        self._words: dict = {}

    @property
    def sents(self) -> list:
        """Sentence ``(start, end)`` offsets (:func:`_sentences`), found when first asked for:
        a text in which no pattern may start never needs them."""
        if self._sents is None:
            self._sents = _sentences(self.text)
        return self._sents

    def tokens(self, n: int) -> tuple[list, list]:
        """``(tokens, words)`` of sentence *n*, as in :func:`_parse`."""
        try:
            return self._words[n]
        except KeyError:
            s0, s1 = self.sents[n]
            norm = self.norm
            toks = [(a, b, norm[a:b]) for a, b in map(_SPAN, _TOKEN.finditer(self.text, s0, s1))]
            got = self._words[n] = (toks, [t[2] for t in toks])
            if len(self._words) > _VIEW_SENTENCES:
                # The oldest first: sentences are read in order, each with the two before
                # and the one after it, so a comment of megabytes keeps a few of its
                # sentences split, not millions of tokens (any other is split again).
                del self._words[next(iter(self._words))]
            return got


#: Sentences a :class:`_View` keeps split into tokens (see :meth:`_View.tokens`).
_VIEW_SENTENCES = 64


def _view_hits(view: _View, matchers: _Matchers, out: list):
    """Scan one text for trigger words: fill *out* with None per sentence (once a word has
    candidates) and yield ``(per, start, end, hits, bound)`` for each such word: *per* is
    its sentence's per-matcher lists (made on first use), *hits* the ``(matcher, patterns)``
    pairs of the word and *bound* its sentence's end. Nothing when the text has no
    sentences. The single-text counterpart of :func:`_joined_hits`."""
    lookup, seen, k_all = matchers.lookup, matchers._seen, len(matchers.matchers)
    for m in matchers.trigger.finditer(view.norm):
        word = m.group()
        hits = seen.get(word)
        if hits is None:
            hits = lookup(word)
        if not hits:
            continue
        if not out:
            sents = view.sents
            if not sents:
                return
            out += [None] * len(sents)
            n, bound = 0, sents[0][1]
        pos = m.start()
        while bound <= pos:
            n += 1
            bound = sents[n][1]
        per = out[n]
        if per is None:
            per = out[n] = [[] for _ in range(k_all)]
        yield per, pos, m.end(), hits, bound


def _sparse_hits(view: _View, matchers: _Matchers) -> list:
    """Per sentence, None or per matcher a list of ``(start, end, candidates)``: the words
    where its patterns may start (:meth:`_Matcher.candidates`). An empty list when there
    are none in the whole text (the text's sentences are then not needed)."""
    out: list = []
    for per, pos, end, hits, _ in _view_hits(view, matchers, out):
        for k, cands in hits:
            per[k].append((pos, end, cands))
    return out


def _sparse_hits_texts(views: list, matchers: _Matchers) -> list:
    """:func:`_sparse_hits` of each of *views*, the ASCII ones with one scan of their texts
    joined by line breaks, as bytes (see :func:`_sparse_find_texts` for why that gives the
    same: a word the trigger reports near the end of a text by reading on into the next
    has candidates that do not match within its sentence, and every reader checks them)."""
    out: list = [None] * len(views)
    at = [t for t, v in enumerate(views) if v.norm.isascii()]
    trigger = matchers.byte_trigger
    if trigger is None or len(at) < 2:
        at = []
    for t, v in enumerate(views):
        if out[t] is None and not (at and v.norm.isascii()):
            out[t] = _sparse_hits(v, matchers)
    if not at:
        return out
    for t in at:
        out[t] = []
    for per, pos, end, hits, _, _ in _joined_hits(views, at, out, matchers, trigger, True):
        for k, cands in hits:
            per[k].append((pos, end, cands))
    return out


def _follow(norm: str, end: int, stop: int, count: int) -> list:
    """Up to *count* tokens ``(start, end, word)`` after the one ending at *end*, before *stop*."""
    out = []
    while len(out) < count:
        m = _NEXT_TOKEN.match(norm, end, stop)
        if m is None:
            break
        a, end = m.span(1)
        out.append((a, end, m.group(1)))
    return out


def _sparse_matches(norm: str, stop: int, pos: int, end: int, cands) -> list:
    """``(start, end, pattern)`` of each candidate pattern matching at the word ``norm[pos:end]``."""
    out = []
    follow = None
    for p in cands:
        pieces = p.pieces
        n = len(pieces)
        if n == 1:
            out.append((pos, end, p))
            continue
        if follow is None:
            follow = _follow(norm, end, stop, max(len(q.pieces) for q in cands) - 1)
        if len(follow) < n - 1:
            continue
        for q in range(1, n):
            piece = pieces[q]
            if piece is None:
                continue
            text, prefix = piece
            w = follow[q - 1][2]
            if not (w.startswith(text) if prefix else w == text):
                break
        else:
            out.append((pos, follow[n - 2][1], p))
    return out


def _sparse_find_text(view: _View, matchers: _Matchers) -> list:
    """For each sentence of *view*, None (no candidate) or per matcher what
    :meth:`_Matcher.find_all` finds there, as ``(start, end, pattern)`` with character
    offsets: :func:`_sparse_hits` and :func:`_sparse_matches` in one pass. An empty list
    when no pattern may start anywhere in the text (its sentences are then not needed)."""
    norm = view.norm
    out: list = []
    for per, pos, end, hits, bound in _view_hits(view, matchers, out):
        for k, cands in hits:
            if len(cands) == 1 and len(cands[0].pieces) == 1:
                per[k].append((pos, end, cands[0]))
            else:
                per[k] += _sparse_matches(norm, bound, pos, end, cands)
    return out


def _sparse_find_texts(views: list, matchers: _Matchers) -> list:
    """:func:`_sparse_find_text` of each of *views*, with one regex scan over all their texts.

    The normalised texts are joined by line breaks (the ASCII ones, as bytes, apart from
    the others: see :attr:`_Matchers.byte_trigger`). A trigger match is one word, which
    never holds a line break, so each lies in one text and is the word it is in that text
    alone; near the end of a text the trigger's lookahead may read on into the next one and
    report a word where, in its own text, no pattern matches. Such a word's candidates are
    checked within its sentence (:func:`_sparse_matches`) and give nothing, as for a
    trigger that reads past a sentence end; the result lists then hold a sentence whose
    per-matcher lists are all empty, which every reader treats as no candidate.
    """
    if len(views) < 2:
        return [_sparse_find_text(v, matchers) for v in views]
    results: list = [[] for _ in views]
    ascii_at = [t for t, v in enumerate(views) if v.norm.isascii()]
    trigger = matchers.byte_trigger
    if trigger is None or len(ascii_at) < 2:
        _scan_views(views, range(len(views)), results, matchers, matchers.trigger, False)
        return results
    # ASCII texts (most) are scanned as bytes, where the engine tests \w with a table
    # rather than Unicode lookups; in ASCII the two mean the same.
    _scan_views(views, ascii_at, results, matchers, trigger, True)
    if len(ascii_at) < len(views):
        ascii_set = set(ascii_at)
        _scan_views(views, [t for t in range(len(views)) if t not in ascii_set], results, matchers,
                    matchers.trigger, False)
    return results


def _scan_views(views: list, at: list, results: list, matchers: _Matchers, trigger, as_bytes: bool) -> None:
    """Fill ``results[t]`` for each ``t`` of *at*: :func:`_sparse_find_texts` with one scan."""
    for per, pos, end, hits, norm, bound in _joined_hits(views, at, results, matchers, trigger, as_bytes):
        for k, cands in hits:
            if len(cands) == 1 and len(cands[0].pieces) == 1:
                per[k].append((pos, end, cands[0]))
            else:
                per[k] += _sparse_matches(norm, bound, pos, end, cands)


def _joined_hits(views: list, at: list, results: list, matchers: _Matchers, trigger, as_bytes: bool):
    """Scan the texts *at* of *views* joined by line breaks (as bytes when *as_bytes*) with
    *trigger*; for each word some matcher may start with, yield ``(bucket, start, end,
    hits, text, sentence end)``: *bucket* is the per-matcher lists of that word's sentence
    in ``results[t]`` (a list by sentence, made on a text's first word), offsets are into
    the text, *hits* are ``lookup(word)``'s ``(matcher number, candidates)``."""
    lookup, seen, k_all = matchers.lookup, matchers._seen, len(matchers.matchers)
    ends, pos = [], 0
    for t in at:
        pos += len(views[t].norm)
        ends.append(pos)
        pos += 1
    if not ends:
        return
    joined = "\n".join(views[t].norm for t in at)
    i, end_t, base = 0, ends[0], 0
    t = at[0]
    view, norm, out = views[t], views[t].norm, None
    sents: list = []
    n = bound = 0
    if as_bytes:
        data = joined.encode("ascii")
        places = _token_places(data, matchers.byte_starts)
        if places is None:
            places = map(_SPAN, _trigger_matches(trigger, data, None))
    else:
        places = map(_SPAN, trigger.finditer(joined))
    for at_, to in places:
        word = joined[at_:to]
        hits = seen.get(word)
        if hits is None:
            hits = lookup(word)
        if not hits:
            continue
        if at_ >= end_t:
            while at_ >= end_t:
                i += 1
                end_t = ends[i]
            t = at[i]
            view = views[t]
            norm = view.norm
            base = end_t - len(norm)
            out = None
        if out is None:
            sents = view.sents
            if not sents:
                continue  # (a text without sentences has no words: never reached)
            out = results[t] = [None] * len(sents)
            n, bound = 0, sents[0][1]
        pos = at_ - base
        while bound <= pos:
            n += 1
            bound = sents[n][1]
        per = out[n]
        if per is None:
            per = out[n] = [[] for _ in range(k_all)]
        yield per, pos, pos + len(word), hits, norm, bound


def _sparse_count(norm: str, stop: int, hits: list) -> int:
    """How many matches :meth:`_Matcher.find` finds (longest first, no overlaps)."""
    count, free = 0, 0
    for pos, end, cands in hits:
        if pos < free:
            continue
        if len(cands) == 1 and len(cands[0].pieces) == 1:
            count += 1  # (one word, one pattern of one word: it matches there)
            free = end
            continue
        best, best_n = None, 0
        for a, b, p in _sparse_matches(norm, stop, pos, end, cands):
            if len(p.pieces) > best_n:
                best, best_n = b, len(p.pieces)
        if best is not None:
            count += 1
            free = best
    return count


# --------------------------------------------------------------------------- lexicons


@dataclasses.dataclass(frozen=True)
class Frame:
    """One frame of a lexicon: its name, what it means and its compiled terms."""

    name: str
    lexicon: str
    title: str
    description: str
    code: int | None
    terms: tuple
    phrases: tuple
    shared: tuple
    matcher: _Matcher = dataclasses.field(repr=False, compare=False)
    exclude: _Matcher = dataclasses.field(repr=False, compare=False)


@dataclasses.dataclass(frozen=True)
class FrameLexicon:
    """A parsed, validated frame lexicon (see ``discourse/lexicons/README.md``).

    Attributes
    ----------
    name, title, kind, version, licence, provenance, description : str
        From the ``[lexicon]`` table; *kind* is ``"frames"`` or ``"metaphor"``.
    frames : dict
        Frame name -> :class:`Frame`.
    source : str
        The shipped lexicon's name or the user file's path.

    Examples
    --------
    >>> lex = load_lexicons("war_metaphor")[0]
    >>> lex.kind, list(lex.frames), lex.licence
    ('metaphor', ['war'], 'MIT')
    """

    name: str
    title: str
    kind: str
    version: str
    licence: str
    provenance: str
    description: str
    frames: dict
    source: str
    cues: dict = dataclasses.field(default_factory=dict, repr=False)
    topics: tuple = dataclasses.field(default=(), repr=False)
    raw: dict = dataclasses.field(default_factory=dict, repr=False)

    @functools.cached_property
    def _combined(self) -> _Matcher:
        """One matcher for every frame's patterns (tagged with the frame): one pass per sentence."""
        return _Matcher(dataclasses.replace(p, frame=name,
                                            note=f"' is a term of the {frame.title} frame ({self.name}: '{p.source}')")
                        for name, frame in self.frames.items() for p in frame.matcher.patterns)

    @functools.cached_property
    def _frame_rank(self) -> dict:
        """Frame name -> its place in :attr:`frames` (spans are listed frame by frame in that order)."""
        return {name: k for k, name in enumerate(self.frames)}


_LEXICON_KEYS = {"name", "title", "kind", "version", "licence", "license", "provenance", "description"}
_FRAME_KEYS = {"title", "description", "code", "terms", "phrases", "shared", "exclude", "weights", "shared_weight"}
_SENSE_KEYS = {"literal", "figurative", "concrete", "argument", "game", "strategy", "meta", "references", "heads"}
_STANCE_KEYS = {"naming", "negators", "reject", "endorse", "qualify", "anaphora"}
_TOP_KEYS = {"lexicon", "frames", "senses", "stance", "topics"}


def _line_of(text: str, table: str, key: str | None = None) -> int | None:
    """The 1-based line of ``[table]`` (or of ``key =`` inside it) in a TOML text."""
    if not text:
        return None
    lines = text.splitlines()
    header = re.compile(r"^\s*\[\s*" + re.escape(table).replace(r"\.", r"\s*\.\s*") + r"\s*\]")
    for i, line in enumerate(lines):
        if header.match(line):
            if key is None:
                return i + 1
            keyline = re.compile(r"^\s*\"?" + re.escape(key) + r"\"?\s*=")
            for j in range(i + 1, len(lines)):
                if lines[j].lstrip().startswith("["):
                    break
                if keyline.match(lines[j]):
                    return j + 1
            return i + 1
    return None


def _build_lexicon(doc: dict, *, source: str, path=None, text: str = "") -> FrameLexicon:
    """Validate a parsed lexicon document and compile it."""

    def fail(message: str, table: str, key: str | None = None):
        raise InputFormatError(message, path=path if path is not None else f"lexicon {source!r}",
                               line=_line_of(text, table, key))

    if not isinstance(doc, dict):
        raise InputFormatError("a frame lexicon must be a TOML table.", path=path or source)
    unknown = set(doc) - _TOP_KEYS
    if unknown:
        first = sorted(unknown)[0]
        fail(f"unknown top-level table {first!r}; a frame lexicon has the tables {sorted(_TOP_KEYS)}. "
             "Rename or remove it (schema: discourse/lexicons/README.md).", first)
    meta = doc.get("lexicon")
    if not isinstance(meta, dict):
        raise InputFormatError(
            "missing the [lexicon] table; add one with name = \"...\", kind = \"frames\" or \"metaphor\" "
            "and provenance = \"where the terms come from\" (schema: discourse/lexicons/README.md).",
            path=path or source, line=1)
    for key in sorted(set(meta) - _LEXICON_KEYS):
        fail(f"[lexicon] has unknown key {key!r}; expected keys are {sorted(_LEXICON_KEYS - {'license'})}.", "lexicon", key)
    name = meta.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name or ""):
        fail(f"[lexicon] name must be a word of letters, digits and _ (it names the lexicon); got {name!r}.",
             "lexicon", "name")
    kind = meta.get("kind", "frames")
    if kind not in _KINDS:
        fail(f"[lexicon] kind must be one of {list(_KINDS)}; got {kind!r}.", "lexicon", "kind")
    provenance = meta.get("provenance")
    if not isinstance(provenance, str) or not provenance.strip():
        fail("[lexicon] needs provenance = \"...\": say where the terms come from (a codebook, a paper, "
             "your own reading) so others can cite and judge them.", "lexicon", "provenance")
    frames_doc = doc.get("frames")
    if not isinstance(frames_doc, dict) or not frames_doc:
        raise InputFormatError(
            "no frames: add at least one table such as [frames.my_frame] with terms = [\"word\", \"phrase*\"].",
            path=path or source, line=_line_of(text, "lexicon"))

    def patterns(table: str, key: str, value, group: str, weights: dict, default_weight: float) -> list[_Pattern]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            fail(f"[{table}] {key} must be a list of strings, e.g. {key} = [\"enemy\", \"battle*\"]; "
                 f"got {type(value).__name__}.", table, key)
        out = []
        for n, v in enumerate(value, 1):
            pieces = _parse_pattern(v)
            if pieces is None:
                fail(f"[{table}] {key}: entry {n} {v!r} is not a term pattern; expected words (letters, digits, "
                     "' or -) separated by spaces, each with an optional * at its end (\"battle*\", "
                     "\"carpet bomb*\"; a first word needs two letters before its *), or * alone for any "
                     "one word after the first (\"war on *\").",
                     table, key)
            out.append(_Pattern(v, pieces, group, float(weights.get(v, default_weight))))
        return out

    frames = {}
    for fname, fdoc in frames_doc.items():
        table = f"frames.{fname}"
        if not isinstance(fdoc, dict):
            fail(f"frames.{fname} must be a table ([frames.{fname}]) with terms = [...].", "frames")
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", fname):
            fail(f"frame name {fname!r} must be lower-case letters, digits and _ (it becomes the column "
                 f"frame_{fname}).", table)
        for key in sorted(set(fdoc) - _FRAME_KEYS):
            fail(f"[{table}] has unknown key {key!r}; expected keys are {sorted(_FRAME_KEYS)}.", table, key)
        weights = fdoc.get("weights", {})
        if not isinstance(weights, dict) or not all(isinstance(w, (int, float)) and w >= 0 for w in weights.values()):
            fail(f"[{table}] weights must map terms to numbers >= 0, e.g. weights = {{ \"fight\" = 0.5 }}.",
                 table, "weights")
        shared_weight = fdoc.get("shared_weight", 0.5)
        if not isinstance(shared_weight, (int, float)) or shared_weight < 0:
            fail(f"[{table}] shared_weight must be a number >= 0; got {shared_weight!r}.", table, "shared_weight")
        code = fdoc.get("code")
        if code is not None and not isinstance(code, int):
            fail(f"[{table}] code must be an integer (the codebook's number); got {code!r}.", table, "code")
        compiled = (patterns(table, "terms", fdoc.get("terms", []), "terms", weights, 1.0)
                    + patterns(table, "phrases", fdoc.get("phrases", []), "phrases", weights, 1.0)
                    + patterns(table, "shared", fdoc.get("shared", []), "shared", weights, float(shared_weight)))
        exclude = patterns(table, "exclude", fdoc.get("exclude", []), "exclude", {}, 0.0)
        unknown_w = sorted(set(weights) - {p.source for p in compiled})
        if unknown_w:
            fail(f"[{table}] weights names {unknown_w[0]!r}, which is not one of this frame's terms; "
                 "spell it exactly as in terms, phrases or shared.", table, "weights")
        frames[fname] = Frame(
            name=fname, lexicon=name, title=str(fdoc.get("title", fname)), description=str(fdoc.get("description", "")),
            code=code, terms=tuple(fdoc.get("terms", [])), phrases=tuple(fdoc.get("phrases", [])),
            shared=tuple(fdoc.get("shared", [])), matcher=_Matcher(compiled), exclude=_Matcher(exclude),
        )

    cues: dict = {}
    for tname, keys in (("senses", _SENSE_KEYS), ("stance", _STANCE_KEYS)):
        tdoc = doc.get(tname, {})
        if not isinstance(tdoc, dict):
            fail(f"[{tname}] must be a table.", tname)
        for key in sorted(set(tdoc) - keys):
            fail(f"[{tname}] has unknown key {key!r}; expected keys are {sorted(keys)}.", tname, key)
        for key in keys:
            cues[key] = _Matcher(patterns(tname, key, tdoc.get(key, []), key, {}, 1.0))
    topics = []
    tdoc = doc.get("topics", {})
    if not isinstance(tdoc, dict):
        fail("[topics] must be a table of topic = [cue words].", "topics")
    for topic, words in tdoc.items():
        topics.append((topic, _Matcher(patterns("topics", topic, words, "topics", {}, 1.0))))
    return FrameLexicon(
        name=name, title=str(meta.get("title", name)), kind=kind, version=str(meta.get("version", "")),
        licence=str(meta.get("licence", meta.get("license", ""))), provenance=provenance.strip(),
        description=str(meta.get("description", "")).strip(), frames=frames, source=source,
        cues=cues, topics=tuple(topics), raw=doc,
    )


@functools.lru_cache(maxsize=32)
def _shipped(name: str) -> FrameLexicon:
    from importlib.resources import files

    from . import lexicons

    doc = lexicons.load(name)
    text = (files(lexicons.__name__) / f"{name}.toml").read_text(encoding="utf-8")
    return _build_lexicon(doc, source=name, text=text)


@functools.lru_cache(maxsize=32)
def _from_file(path: str, mtime: float) -> FrameLexicon:
    from . import lexicons

    doc = lexicons.load_file(path)
    text = Path(path).read_text(encoding="utf-8")
    return _build_lexicon(doc, source=path, path=path, text=text)


def _one_lexicon(spec) -> FrameLexicon:
    if isinstance(spec, FrameLexicon):
        return spec
    if isinstance(spec, dict):
        return _build_lexicon(spec, source=str(spec.get("lexicon", {}).get("name", "<dict>")))
    if isinstance(spec, Path) or (isinstance(spec, str) and (spec.endswith(".toml") or "/" in spec or "\\" in spec)):
        p = Path(spec)
        if not p.is_file():
            raise InputFormatError("no such lexicon file; give the path of a .toml frame lexicon "
                                   "(schema: discourse/lexicons/README.md).", path=p)
        return _from_file(str(p), p.stat().st_mtime)
    if isinstance(spec, str):
        from . import lexicons

        if spec not in lexicons.available():
            raise InputFormatError(f"no lexicon named {spec!r}; shipped frame lexicons are {list(DEFAULT_LEXICONS)}, "
                                   "or give the path of a .toml file.")
        return _shipped(spec)
    raise SchemaError(f"a lexicon must be a shipped name, a .toml path, a dict or a FrameLexicon; got {type(spec).__name__}.")


def load_lexicons(lexicons=None, *, extra=None) -> tuple[FrameLexicon, ...]:
    """Resolve lexicon names, files and dicts into validated :class:`FrameLexicon` objects.

    Parameters
    ----------
    lexicons : str, path, dict, FrameLexicon or a list of them, optional
        Shipped lexicon names (``"war_metaphor"``), paths of ``.toml`` files, or parsed
        documents. Default: :data:`DEFAULT_LEXICONS`.
    extra : same as *lexicons*, optional
        Added after *lexicons* (what ``--frames FILE`` does). A lexicon with the name of
        an earlier one replaces it; a frame with the name of an earlier frame replaces that
        frame.

    Returns
    -------
    tuple of FrameLexicon

    Raises
    ------
    InputFormatError
        For an unknown name, a missing file, invalid TOML or a document that breaks the
        schema; the message names the file, the line and the key, and says how to fix it.

    Examples
    --------
    >>> [lex.name for lex in load_lexicons()]
    ['war_metaphor', 'media_frames', 'education_politics']
    >>> doc = {"lexicon": {"name": "mine", "provenance": "my reading"}, "frames": {"rain": {"terms": ["rain*"]}}}
    >>> [lex.name for lex in load_lexicons(extra=doc)]
    ['war_metaphor', 'media_frames', 'education_politics', 'mine']
    """
    def as_list(value):
        if value is None:
            return []
        if isinstance(value, (str, Path, dict, FrameLexicon)):
            return [value]
        return list(value)

    specs = as_list(DEFAULT_LEXICONS if lexicons is None else lexicons) + as_list(extra)
    by_name: dict[str, FrameLexicon] = {}
    for spec in specs:
        lex = _one_lexicon(spec)
        by_name.pop(lex.name, None)
        by_name[lex.name] = lex
    # A later frame of the same name replaces an earlier one.
    owner: dict[str, str] = {}
    for lex in by_name.values():
        for fname in lex.frames:
            owner[fname] = lex.name
    out = []
    for lex in by_name.values():
        keep = {k: v for k, v in lex.frames.items() if owner[k] == lex.name}
        out.append(lex if len(keep) == len(lex.frames) else dataclasses.replace(lex, frames=keep))
    return tuple(out)


# --------------------------------------------------------------------------- senses


def _cue_hits(matcher: _Matcher, words: list[str], skip: range = range(0)) -> list[str]:
    """Cues found in *words*; a cue lying wholly inside the term itself (*skip*) does not count."""
    hits = []
    for i, j, p in matcher.find(words):
        if skip and skip.start <= i and j <= skip.stop:
            continue
        hits.append(" ".join(words[i:j]))
    return hits


def _negated(words: list[str], i: int, negators: _Matcher) -> bool:
    """True when a negator stands before position *i* with only filler words between."""
    for back in range(1, 5):
        k = i - back
        if k < 0:
            return False
        if negators.find(words[k:k + 1]):
            return True
        if words[k] not in _FILLERS:
            return False
    return False


def _naming(words: list[str], i: int, naming: _Matcher) -> str:
    """A naming verb ("calling it a", "labelled") up to four words before position *i*."""
    for a, b, _ in naming.find(words[max(0, i - 5):i]):
        return " ".join(words[max(0, i - 5) + a:max(0, i - 5) + b])
    return ""


def _stance(words: list[str], lex: FrameLexicon) -> tuple[str, str]:
    """The stance a sentence takes toward the frame it talks about, and the cue."""
    cues = lex.cues
    heads = cues["heads"]
    for i, j, _ in heads.find(words):
        if _negated(words, i, cues["negators"]):
            neg = " ".join(words[max(0, i - 4):j])
            q = _cue_hits(cues["qualify"], words)
            if q:
                return "qualify", f"'{neg}' with '{q[0]}'"
            return "reject", f"'{neg}'"
    rejected = cues["reject"].find(words)
    if rejected:
        i, j, _ = rejected[0]
        return "reject", f"'{' '.join(words[i:j])}'"
    blocked = {k for i, j, _ in rejected for k in range(i, j)}
    for kind in ("endorse", "qualify"):
        for i, j, _ in cues[kind].find(words):
            if not any(k in blocked for k in range(i, j)):
                return kind, f"'{' '.join(words[i:j])}'"
    return "neutral", ""


#: Words either side of a term within which a cue counts as "near" it.
_NEAR = 6
_FAR = 10**6


def _nearest(matcher: _Matcher, words: list[str], i: int, j: int) -> tuple[int, str]:
    """Distance in words from ``words[i:j]`` to the nearest cue outside it, and that cue."""
    best, cue = _FAR, ""
    for a, b, _ in matcher.find(words):
        if i <= a and b <= j:
            continue
        d = a - j if a >= j else i - b if b <= i else 0
        if d < best:
            best, cue = d, " ".join(words[a:b])
    return best, cue


def _nearest_topic(lex: FrameLexicon, words: list[str], i: int, j: int) -> tuple[int, str]:
    """Distance to the nearest topic cue and the topic's name (first listed wins ties)."""
    best, name = _FAR, ""
    for topic, matcher in lex.topics:
        d, _ = _nearest(matcher, words, i, j)
        if d < best:
            best, name = d, topic
    return best, name


def _topic(words: list[str], lex: FrameLexicon) -> str:
    for topic, matcher in lex.topics:
        if matcher.find(words):
            return topic
    return ""


def _decide(lex: FrameLexicon, words: list[str], i: int, j: int, pat: _Pattern,
            strong: list[tuple[int, int]], context: Iterable[str] = (),
            backdrop=("", "", "")) -> tuple[str, str]:
    """Sense and explanation of the metaphor term ``words[i:j]`` in its sentence.

    MIP/MIPVU: a term is metaphorical when its contextual meaning differs from its basic
    meaning, so a metaphorical reading needs evidence of another domain (an election, a
    school board, an argument) in the sentence or, failing that, in the sentences around
    it (*context*), in the whole comment or in its thread (*backdrop*: a tuple from
    :func:`_backdrop`, or a function giving it, called only when the decision gets that
    far). With no such evidence the basic meaning, armed conflict, stands.
    """
    cues = lex.cues
    _prime_cues(lex, words)
    term = " ".join(words[i:j])
    own = range(i, j)
    around = words[max(0, i - 3):j + 3]
    meta = _cue_hits(cues["meta"], around)
    if meta:
        stance, why = _stance(words, lex)
        return "meta", (f"'{term}' next to '{meta[0]}': the sentence talks about the {lex.title.lower()} itself"
                        f"{_stance_note(stance, why)}")
    # Cues within a few words of the term speak for it more surely than cues elsewhere in
    # a long sentence ("threatens nuclear war" is not about the health care named earlier).
    lit_at, lit_cue = _nearest(cues["literal"], words, i, j)
    top_at, topic_near = _nearest_topic(lex, words, i, j)
    if lit_at <= _NEAR:
        return "literal", f"'{term}' appears with '{lit_cue}': the topic is armed conflict or violence itself: literal"
    if cues["heads"].find(words[i:j]) and _negated(words, i, cues["negators"]):
        stance, why = _stance(words, lex)
        return "meta", f"the sentence denies that something is '{term}': it argues about the frame{_stance_note(stance, why)}"
    naming = _naming(words, i, cues["naming"]) if cues["heads"].find(words[i:j]) else ""
    if naming:
        stance, why = _stance(words, lex)
        return "meta", f"'{naming} ... {term}' names something a {term}: it talks about the frame{_stance_note(stance, why)}"
    is_reference = any(p.source == pat.source for p in cues["references"].patterns) or bool(
        cues["references"].find(words[i:j]))
    if is_reference:
        stance, why = _stance(words, lex)
        if stance != "neutral":
            return "meta", f"'{term}' names a source of the war idea and the sentence judges it{_stance_note(stance, why)}"
    game_at, game_cue = _nearest(cues["game"], words, i, j)
    if game_cue and (game_at <= _NEAR or pat.group == "shared"):
        return "game", f"'{term}' appears with '{game_cue}': a game or sport, not armed conflict: game sense"
    if pat.group == "shared":
        strategy = _cue_hits(cues["strategy"], words, skip=own)
        if strategy:
            return "game", (f"'{term}' is shared by war, games and strategy; with '{strategy[0]}' it is strategy "
                            "as a craft: game/strategy sense")
        near = [(a, b) for a, b in strong if not (a < j and i < b)]
        if not near:
            return "game", (f"'{term}' is shared by war, games and strategy, and nothing in its sentence is about "
                            "war: game/strategy sense")
        a, b = near[0]
        topic = topic_near or _topic(list(context), lex)
        return "metaphorical", (f"'{term}' sits with '{' '.join(words[a:b])}' in a passage about "
                                f"{topic or 'something other than armed conflict'}: metaphorical")
    if top_at <= _NEAR:
        return "metaphorical", f"'{term}' describes {topic_near}: metaphorical"
    figurative = [(a, b) for a, b, _ in cues["figurative"].find(words, overlap=True) if a < j and i < b]
    if figurative:
        a, b = figurative[0]
        return "metaphorical", f"'{' '.join(words[a:b])}' is a fixed figurative phrase: metaphorical"
    if cues["concrete"].find(words[i:j]):
        # Concrete military nouns keep their basic meaning unless a word near them names
        # another domain: a political comment that mentions "troops" means troops.
        return "literal", (f"'{term}' names a concrete thing of war and nothing near it points to another "
                           "topic: literal")
    if cues["argument"].find(words[i:j]):
        # In comment threads these verbs mostly defend or sabotage a person or a view:
        # ARGUMENT IS WAR (Lakoff and Johnson) unless a word near them says otherwise.
        return "metaphorical", (f"'{term}' with nothing near it about armed conflict is read as defending or "
                                "attacking a person or a view (argument as war): metaphorical")
    if lit_cue and not topic_near:
        return "literal", f"'{term}' is in a sentence about armed conflict or violence ('{lit_cue}'): literal"
    if topic_near and not lit_cue:
        return "metaphorical", f"'{term}' is in a sentence about {topic_near}: metaphorical"
    if cues["concrete"].find(words[i:j]):
        # Concrete military nouns keep their basic meaning unless their own sentence
        # names another domain: a political comment that mentions "troops" means troops.
        return "literal", (f"'{term}' names a concrete thing of war and nothing in its sentence points to another "
                           "topic: literal")
    literal = _cue_hits(cues["literal"], list(context))
    if literal:
        shown = "', '".join(dict.fromkeys(literal[:3]))
        return "literal", f"'{term}' comes in a passage about armed conflict ('{shown}'): literal"
    topic = _topic(list(context), lex)
    if topic:
        return "metaphorical", f"'{term}' comes in a passage about {topic}: metaphorical"
    sense, about, where = backdrop() if callable(backdrop) else backdrop
    if sense == "literal":
        return "literal", f"'{term}' comes in a {where} about armed conflict: literal"
    if sense == "metaphorical":
        return "metaphorical", f"'{term}' comes in a {where} about {about}: metaphorical"
    return "literal", (f"nothing around '{term}' points to another topic than armed conflict or violence, so its basic "
                       "meaning stands: literal")


def _stance_note(stance: str, why: str) -> str:
    if stance == "neutral":
        return " (stance: neutral)"
    return f" (stance: {stance}, cue {why})"


# --------------------------------------------------------------------------- spans


def _evidence(text: str, lex: FrameLexicon, parsed: list | None = None,
              cues: _Matchers | None = None) -> tuple[int, dict]:
    """Literal cues and topic cues found in a whole text: ``(n_literal, {topic: n})``.

    *cues*: ``_Matchers([literal cues, *topic matchers])`` of *lex*, shared between texts.
    """
    n_literal, topics = 0, {}
    cues = cues or _Matchers([lex.cues["literal"], *(m for _, m in lex.topics)])
    for _s0, _s1, _toks, words in _parse(text) if parsed is None else parsed:
        found = cues.starts(words)
        if found[0]:
            n_literal += len(cues.matchers[0].find(words, starts=found[0]))
        for k, (topic, matcher) in enumerate(lex.topics, 1):
            if not found[k]:
                continue
            hits = len(matcher.find(words, starts=found[k]))
            if hits:
                topics[topic] = topics.get(topic, 0) + hits
    return n_literal, topics


def _backdrop(n_literal: int, topics: dict, where: str) -> tuple[str, str, str]:
    """What a whole text or thread is about: ``("literal"|"metaphorical"|"", topic, where)``."""
    n_topic = sum(topics.values())
    if n_literal > n_topic:
        return "literal", "armed conflict", where
    if topics:
        return "metaphorical", max(topics, key=lambda k: (topics[k], -list(topics).index(k))), where
    return "", "", where


class _Backdrops:
    """What each comment, or else its thread, is about for one metaphor lexicon
    (:func:`_backdrop` of the literal and topic cues found), worked out when first asked.

    A row's evidence is that of its text when its thread is among *wanted*, none
    otherwise; a thread's is the sum over its rows, in row order.
    """

    def __init__(self, lex, cues, keys, wanted, by_thread, texts, views, parsed):
        self.lex, self.cues, self.keys, self.wanted, self.by_thread = lex, cues, keys, wanted, by_thread
        self.texts, self.views, self.parsed = texts, views, parsed
        self._evidence: dict = {}
        self._threads: dict = {}
        self._rows: dict | None = None

    def evidence(self, r: int) -> tuple[int, dict]:
        try:
            return self._evidence[r]
        except KeyError:
            if self.keys[r] not in self.wanted:
                ev = (0, {})
            elif self.views[r] is not None:
                ev = _sparse_evidence(self.views[r], self.lex, self.cues)
            else:
                ev = _evidence(self.texts[r], self.lex, self.parsed[r], self.cues)
            self._evidence[r] = ev
            return ev

    def thread(self, key) -> tuple[str, str, str]:
        try:
            return self._threads[key]
        except KeyError:
            if self._rows is None:
                self._rows = {}
                for r, k in enumerate(self.keys):
                    self._rows.setdefault(k, []).append(r)
            rows = self._rows[key]
            if key in self.wanted:
                # A thread's texts are read together: one scan of them all.
                todo = [r for r in rows if r not in self._evidence and self.views[r] is not None]
                if len(todo) > 1:
                    for r, hits in zip(todo, _sparse_hits_texts([self.views[r] for r in todo], self.cues)):
                        self._evidence[r] = _sparse_evidence(self.views[r], self.lex, self.cues, hits)
            lit, tops = 0, {}
            for r in rows:
                n_lit, found = self.evidence(r)
                lit += n_lit
                for k, v in found.items():
                    tops[k] = tops.get(k, 0) + v
            got = self._threads[key] = _backdrop(lit, tops, "thread")
            return got

    def backdrop(self, r: int) -> tuple[str, str, str]:
        mine = _backdrop(*self.evidence(r), "comment")
        if not mine[0] and self.by_thread:
            mine = self.thread(self.keys[r])
        return mine


def _text_spans(text: str, lexs: tuple[FrameLexicon, ...], backdrops: dict | None = None,
                parsed: list | None = None, terms: list | None = None) -> list[tuple]:
    """``(label, start, end, sense, explanation)`` for every frame term in *text*.

    *backdrops* maps a metaphor lexicon's name to what the whole comment, or else its
    thread, is about (see :func:`_backdrop`): the last evidence a sense decision reads.
    The word-by-word path; :func:`_sparse_text_spans` gives the same faster.
    """
    out = []
    if not text:
        return out
    sentences = _parse(text) if parsed is None else parsed
    if terms is None:
        combined = _Matchers(lex._combined for lex in lexs)
        terms = [combined.starts(words) for *_, words in sentences]
    for n, (s0, s1, toks, words) in enumerate(sentences):
        if not toks:
            continue
        # The two sentences before and the one after: where a short sentence ("That is
        # exactly what our enemies want.") finds its topic.
        context = [w for _, _, _, ws in sentences[max(0, n - 2):n] + sentences[n + 1:n + 2] for w in ws]
        for k, lex in enumerate(lexs):
            if not terms[n][k]:
                continue
            out += _lexicon_spans(text, lex, toks, words, terms[n][k], context,
                                  (backdrops or {}).get(lex.name, ("", "", "")))
    return out


def _lexicon_spans(text: str, lex: FrameLexicon, toks: list, words: list, starts: list | None,
                   context: Iterable[str], backdrop: tuple, matches: list | None = None) -> list[tuple]:
    """The spans of one lexicon in one sentence (*starts*: ``lex._combined``'s, for :meth:`_Matcher.find_all`;
    or *matches*: what that finds, when known)."""
    out = []
    by_frame: dict = {}
    if matches is None:
        matches = lex._combined.find_all(words, starts=lex._combined._starts(words) if starts is None else starts)
    for m in sorted(matches, key=lambda m: (m[0], m[0] - m[1])):
        by_frame.setdefault(m[2].frame, []).append(m)
    for fname, frame in lex.frames.items():
        if fname not in by_frame:
            continue
        # Longest match first at each start, and no overlaps within one frame.
        found, last = [], 0
        for m in by_frame[fname]:
            if m[0] >= last:
                found.append(m)
                last = m[1]
        if frame.exclude:
            excluded = {k for a, b, _ in frame.exclude.find(words, overlap=True) for k in range(a, b)}
            found = [f for f in found if not all(k in excluded for k in range(f[0], f[1]))]
        strong = [(a, b) for a, b, p in found if p.group != "shared"]
        for i, j, pat in found:
            start, end = toks[i][0], toks[j - 1][1]
            if lex.kind == "metaphor":
                sense, why = _decide(lex, words, i, j, pat, strong, context, backdrop)
            else:
                sense = ""
                why = f"'{text[start:end]}' is a term of the {frame.title} frame ({lex.name}: '{pat.source}')"
            out.append((fname, start, end, sense, why))
    return out


def _frame_term_spans(text: str, lex: FrameLexicon, matches: list) -> list[tuple] | None:
    """:func:`_lexicon_spans` of a ``frames`` lexicon from its sparse matches in a sentence;
    None when a frame with an ``exclude`` list is among them (that needs the sentence's words)."""
    frames = lex.frames
    if len(matches) == 1:
        # The usual case: one term in the sentence.
        a, b, pat = matches[0]
        if frames[pat.frame].exclude:
            return None
        return [(pat.frame, a, b, "", "'" + text[a:b] + pat.note)]
    by_frame: dict = {}
    for m in sorted(matches, key=lambda m: (m[0], -len(m[2].pieces))):
        by_frame.setdefault(m[2].frame, []).append(m)
    if any(frames[f].exclude for f in by_frame):
        return None
    out = []
    rank = lex._frame_rank
    for fname in sorted(by_frame, key=rank.__getitem__) if len(by_frame) > 1 else by_frame:
        last = 0
        for a, b, pat in by_frame[fname]:
            if a >= last:
                last = b
                out.append((fname, a, b, "", "'" + text[a:b] + pat.note))
    return out


def _word_matches(toks: list, found: list) -> list | None:
    """The sparse matches of a sentence (``(start, end, pattern)``, character offsets, as
    :func:`_sparse_find_text` gives them: what :meth:`_Matcher.find_all` finds, in its order)
    with word numbers into *toks* instead; None if an offset is not a token's edge."""
    first = {a: i for i, (a, _, _) in enumerate(toks)}
    last = {b: i + 1 for i, (_, b, _) in enumerate(toks)}
    try:
        return [(first[a], last[b], p) for a, b, p in found]
    except KeyError:
        return None


class _Context:
    """The words of some sentences of a :class:`_View`, split only if a sense decision
    reads them (most decide from the term's own sentence)."""

    __slots__ = ("view", "sentences")

    def __init__(self, view: _View, sentences: tuple):
        self.view, self.sentences = view, sentences

    def __iter__(self):
        for m in self.sentences:
            yield from self.view.tokens(m)[1]


def _sparse_text_spans(view: _View, lexs: tuple[FrameLexicon, ...], matches: list,
                       backdrops: dict | None = None) -> list[tuple]:
    """What :func:`_text_spans` gives for ``view.text``, from its sparse matches
    (per sentence, None or per lexicon :func:`_sparse_find_text`'s list)."""
    out = []
    text = view.text
    for n, per in enumerate(matches):
        if per is None:
            continue
        for k, lex in enumerate(lexs):
            found = per[k]
            if not found:
                continue
            if lex.kind != "metaphor":
                spans_ = _frame_term_spans(text, lex, found)
                if spans_ is not None:
                    out += spans_
                    continue
            toks, words = view.tokens(n)
            context = _Context(view, (*range(max(0, n - 2), n), *range(n + 1, min(n + 2, len(view.sents)))))
            out += _lexicon_spans(text, lex, toks, words, None, context, (backdrops or {}).get(lex.name, ("", "", "")),
                                  matches=_word_matches(toks, found))
    return out


def _sparse_evidence(view: _View, lex: FrameLexicon, cues: _Matchers, hits: list | None = None) -> tuple[int, dict]:
    """:func:`_evidence` of ``view.text`` by the sparse path (*hits*: its :func:`_sparse_hits`, if known)."""
    n_literal, topics = 0, {}
    norm = view.norm
    for n, per in enumerate(_sparse_hits(view, cues) if hits is None else hits):
        if per is None:
            continue
        stop = view.sents[n][1]
        if per[0]:
            n_literal += _sparse_count(norm, stop, per[0])
        for k, (topic, _matcher) in enumerate(lex.topics, 1):
            if not per[k]:
                continue
            hits = _sparse_count(norm, stop, per[k])
            if hits:
                topics[topic] = topics.get(topic, 0) + hits
    return n_literal, topics


def _has_term(lex: FrameLexicon, parsed: list, starts: list) -> bool:
    """Whether a term of *lex* occurs in the text's words read as one run (across sentences)."""
    if not any(starts):
        return False
    words, at, offset = [], [], 0
    for (*_, ws), st in zip(parsed, starts):
        words += ws
        at += [(offset + i, c) for i, c in st]
        offset += len(ws)
    return bool(lex._combined.find_all(words, starts=at))


def _anaphora(text: str, lex: FrameLexicon, frame: str, referent: str, how: str,
              parsed: list | None = None) -> list[tuple]:
    """Meta spans for short stance replies ("Still don't like it!") to a comment about *frame*."""
    out = []
    matcher = lex.cues.get("anaphora")
    if not matcher:
        return out
    for _s0, _s1, toks, words in _parse(text) if parsed is None else parsed:
        # A stance phrase only borrows a referent when it is most of its sentence.
        if not toks or len(toks) > 8:
            continue
        found = matcher.find(words)
        if not found:
            continue
        i, j, _ = found[0]
        stance, why = _stance(words, lex)
        if stance == "neutral":
            continue
        start, end = toks[i][0], toks[j - 1][1]
        out.append((frame, start, end, "meta",
                    f"'{text[start:end]}' answers {how} {referent}, which talks about the {lex.title.lower()}: "
                    f"the reply takes a stance on that frame{_stance_note(stance, why)}"))
    return out


def spans(comments: pd.DataFrame, *, text_col: str = "text", lexicons=None, id_col: str = "comment_id",
          parent_col: str = "parent_id", thread_col: str = "thread_id") -> pd.DataFrame:
    """Frame-term evidence spans, with a sense and an explanation for each.

    Parameters
    ----------
    comments : pandas.DataFrame
        Needs *text_col*. *thread_col*, *id_col* and *parent_col* are used when present
        (a threads table, whose rows are posts, works too: its spans get an empty
        ``comment_id``).
    text_col : str, default "text"
    lexicons : optional
        Which lexicons (see :func:`load_lexicons`); default :data:`DEFAULT_LEXICONS`.
    id_col, parent_col, thread_col : str
        Column names. A short stance reply ("Still don't like it!") borrows the frame of
        its parent, or of the comment listed just before it when the source gave no link.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`discourse.model.SPAN_COLUMNS`; ``kind="frame"``, ``label`` the frame
        name, ``text[start:end] == span text``, ``sense`` one of :data:`SENSES` (``""`` for
        frames without senses), ``explanation`` a sentence a person can check.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"comment_id": ["1"], "text": ["They waged a carpet bombing campaign against our school board."]})
    >>> s = spans(df, lexicons="war_metaphor")
    >>> s[["label", "text", "sense"]].values.tolist()
    [['war', 'carpet bombing', 'metaphorical']]
    >>> s["explanation"].iloc[0]
    "'carpet bombing' describes an election campaign: metaphorical"
    """
    require_columns(comments, [text_col], caller="framing.spans")
    with _collector_paused():
        return _spans(comments, text_col, lexicons, id_col, parent_col, thread_col)


def _spans(comments: pd.DataFrame, text_col: str, lexicons, id_col: str, parent_col: str,
           thread_col: str) -> pd.DataFrame:
    lexs = load_lexicons(lexicons)
    n = len(comments)
    texts = ["" if not isinstance(t, str) else t for t in comments[text_col].tolist()]
    threads = comments[thread_col].astype(str).tolist() if thread_col in comments.columns else [""] * n
    ids = comments[id_col].astype(str).tolist() if id_col in comments.columns else [""] * n
    metaphor_all = [lex for lex in lexs if lex.kind == "metaphor"]
    backdrops: list[dict] = [{} for _ in range(n)]
    # Each text is read once for every lexicon's terms: the sparse way (see _sparse_hits)
    # unless lower-casing changes its length, then split into sentences and words.
    combined = _matchers(tuple(lex._combined for lex in lexs))
    views: list = [None] * n
    parsed: list = [None] * n
    terms: list = [None] * n
    found: list = [None] * n  # per sparse row, per sentence: None or each lexicon's matches
    for r, t in enumerate(texts):
        norm = _normalised(t)
        if norm is None:
            parsed[r] = _parse(t)
            terms[r] = [combined.starts(words) for *_, words in parsed[r]]
            continue
        views[r] = _View(t, norm)
    sparse = [r for r in range(n) if views[r] is not None]
    for r, got in zip(sparse, _sparse_find_texts([views[r] for r in sparse], combined)):
        found[r] = got
    # The rows that may have a span: a text where some term may start, or one read the
    # word-by-word way (most rows have neither, and nothing below looks at them).
    busy = [r for r in range(n) if texts[r] and (found[r] if views[r] is not None else parsed[r])]
    if metaphor_all:
        # Evidence of what each comment and each thread is about, for short sentences
        # that carry none themselves. Without a thread column every row is its own thread.
        keys = threads if thread_col in comments.columns else [str(r) for r in range(n)]
        for lex in metaphor_all:
            k = next(i for i, x in enumerate(lexs) if x is lex)
            # Only threads with a term of this lexicon need to know what they are about.
            # (A sparse row counts its terms within sentences, a parsed row across them as
            # well: the threads differ only where no sentence has a term, whose backdrop no
            # sense decision reads.)
            wanted: set = set()
            for r in busy:
                if keys[r] in wanted:
                    continue  # (a thread's other rows need not be read)
                if views[r] is None:
                    if _has_term(lex, parsed[r], [st[k] for st in terms[r]]):
                        wanted.add(keys[r])
                    continue
                for per in found[r]:
                    if per is not None and per[k]:
                        wanted.add(keys[r])
                        break
            cues = _matchers((lex.cues["literal"], *(m for _, m in lex.topics)))
            # Worked out only when a sense decision gets that far (few do): most texts are
            # never read for it.
            lazy = _Backdrops(lex, cues, keys, wanted, thread_col in comments.columns, texts, views, parsed)
            for r in busy:
                backdrops[r][lex.name] = functools.partial(lazy.backdrop, r)
    per_row: list = [[] for _ in range(n)]
    for r in busy:
        v = views[r]
        per_row[r] = (_sparse_text_spans(v, lexs, found[r], backdrops[r]) if v is not None
                      else _text_spans(texts[r], lexs, backdrops[r], parsed[r], terms[r]))
    if metaphor_all:
        # A policy-frame term inside a figurative use ("carpet bombing" of an election) is
        # not evidence of that policy frame: security is not what the sentence is about.
        metaphor_frames = {f for lex in metaphor_all for f in lex.frames}
        for r in busy:
            found = per_row[r]
            figurative = [(a, b) for f, a, b, sense, _ in found
                          if f in metaphor_frames and sense in ("metaphorical", "meta", "game")]
            if figurative:
                # Is a span inside some figurative use: of the uses starting at or before
                # it, does the one reaching furthest reach its end? (Sorted once, so a long
                # comment with thousands of uses is not checked use by use for every term.)
                figurative.sort()
                fig_starts = [a for a, _ in figurative]
                reach = list(itertools.accumulate((b for _, b in figurative), max))
                per_row[r] = [sp for sp in found if sp[0] in metaphor_frames
                              or not ((k := bisect.bisect_right(fig_starts, sp[1])) and reach[k - 1] >= sp[2])]

    metaphor = [lex for lex in lexs if lex.kind == "metaphor" and lex.cues.get("anaphora")]
    # A reply borrows a frame only from a comment with a meta span (and passes it on only
    # once it has borrowed one): without any, there is nothing to borrow.
    if metaphor and id_col in comments.columns and any(sp[3] == "meta" for found in per_row for sp in found):
        parents = comments[parent_col].fillna("").astype(str).tolist() if parent_col in comments.columns else [""] * n
        sources = (comments["parent_source"].fillna("").astype(str).tolist() if "parent_source" in comments.columns
                   else [""] * n)
        confidence = (pd.to_numeric(comments["parent_confidence"], errors="coerce").fillna(0.0).tolist()
                      if "parent_confidence" in comments.columns else [0.0] * n)
        row_of = {(t, c): r for r, (t, c) in enumerate(zip(threads, ids))}
        order = list(range(n))
        if "position" in comments.columns:
            pos = pd.to_numeric(comments["position"], errors="coerce").fillna(0).tolist()
            order.sort(key=lambda r: (threads[r], pos[r], r))
        previous = {}
        for a, b in zip(order, order[1:]):
            if threads[a] == threads[b]:
                previous[b] = a
        frame_lex = {f: lex for lex in metaphor for f in lex.frames}
        for r in range(n):
            if any(sp[3] == "meta" for sp in per_row[r]):
                continue
            ref, how = None, ""
            if parents[r]:
                ref, how = row_of.get((threads[r], parents[r])), "its parent"
            elif sources[r] != "explicit" and confidence[r] == 0.0 and r in previous:
                # No link was known: a short "Still don't like it!" most likely answers the
                # comment just above it.
                ref, how = previous[r], "(with no reply link known) the comment listed just before it,"
            if ref is None:
                continue
            meta_frames = [sp[0] for sp in per_row[ref] if sp[3] == "meta" and sp[0] in frame_lex]
            for fname in dict.fromkeys(meta_frames):
                if parsed[r] is None:
                    parsed[r] = _parse(texts[r])
                per_row[r] = per_row[r] + _anaphora(texts[r], frame_lex[fname], fname, f"comment {ids[ref]}", how,
                                                    parsed[r])

    # The table's columns are gathered as lists (the spans themselves are the label,
    # offset, sense and explanation columns): no row tuple per span.
    found, thread_of, id_of, covered = [], [], [], []
    for r in range(n):
        got = per_row[r]
        if got:
            text = texts[r]
            found += got
            thread_of += [threads[r]] * len(got)
            id_of += [ids[r]] * len(got)
            covered += [text[a:b] for _, a, b, _, _ in got]
    if not found:
        return segment.span_table([])
    label, start, end, sense, why = zip(*found)
    table = segment._columns_table(None, columns=[thread_of, id_of, "frame", label, start, end, covered, sense, why])
    if table is None:
        table = segment.span_table(list(zip(thread_of, id_of, ["frame"] * len(found), label, start, end, covered,
                                            sense, why)))
    return table


_find_spans = spans  # score() takes a ``spans`` argument that hides the function's name


# --------------------------------------------------------------------------- scores


def _span_stance(text: str, start: int, lex: FrameLexicon) -> str:
    for s0, s1 in _sentences(text):
        if s0 <= start < s1:
            return _stance([t[2] for t in _tokenize(text[s0:s1])], lex)[0]
    return "neutral"


def _combine(stances: list[str]) -> str:
    decided = list(dict.fromkeys(s for s in stances if s != "neutral"))
    if not decided:
        return "neutral" if stances else ""
    return decided[0] if len(decided) == 1 else "qualify"


def score(comments: pd.DataFrame, *, text_col: str = "text", spans: pd.DataFrame | None = None,
          lexicons=None, min_weight: float = 1.0, id_col: str = "comment_id",
          thread_col: str = "thread_id") -> pd.DataFrame:
    """Add frame columns: the frames present, a score per frame and the stance toward a frame.

    Parameters
    ----------
    comments : pandas.DataFrame
        Needs *text_col*.
    text_col : str, default "text"
    spans : pandas.DataFrame, optional
        From :func:`spans` over the same rows (computed when not given, so a pipeline
        that already has them does not find them twice).
    lexicons : optional
        As in :func:`spans`; must be the lexicons the spans came from.
    min_weight : float, default 1.0
        The weighted count of terms a frame needs to be listed in ``frames``: by default
        one full term, so a lone shared or half-weight word ("fight") is not enough.
    id_col, thread_col : str
        Columns joining spans to rows (by position when absent).

    Returns
    -------
    pandas.DataFrame
        A copy with ``frames`` (``;``-separated frame names present, in lexicon order),
        ``frame_<name>`` for every frame (weighted terms per 100 words; for metaphor frames
        only metaphorical and meta uses count) and ``frame_stance`` (``endorse``,
        ``reject``, ``qualify`` or ``neutral`` when the comment talks about a frame; ``""``
        otherwise).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"comment_id": ["1", "2"],
    ...                    "text": ["Public education is not a war.", "Charter schools drain money from the district."]})
    >>> out = score(df)
    >>> out[["frames", "frame_stance"]].values.tolist()
    [['war;public_good', 'reject'], ['economic;market', '']]
    >>> float(out["frame_war"].iloc[0])
    16.667
    """
    require_columns(comments, [text_col], caller="framing.score")
    lexs = load_lexicons(lexicons)
    if not isinstance(min_weight, (int, float)) or min_weight < 0:
        raise SchemaError(f"min_weight must be a number >= 0; got {min_weight!r}.")
    if spans is None:
        spans = _find_spans(comments, text_col=text_col, lexicons=lexs, id_col=id_col, thread_col=thread_col)
    require_columns(spans, list(SPAN_COLUMNS), caller="framing.score", where="spans")
    import numpy as np

    n = len(comments)
    frame_info = {}
    for lex in lexs:
        for fname, frame in lex.frames.items():
            frame_info[fname] = (lex, frame)
    frame_names = list(frame_info)
    fs = spans[(spans["kind"] == "frame") & spans["label"].isin(frame_names)]
    # Each span's row: (span number, row) pairs in span order (a span counts for every row
    # with its thread and comment id).
    span_no, span_row = _span_rows(comments, fs, id_col, thread_col)
    # Each distinct (frame, span text) is weighed once: the same terms recur.
    label_code, label_names = pd.factorize(fs["label"])
    text_code, text_values = pd.factorize(fs["text"], use_na_sentinel=False)
    pair_code, pair_at = np.unique(label_code.astype(np.int64) * (len(text_values) + 1) + text_code,
                                   return_inverse=True)
    pair_weight = np.empty(len(pair_code))
    pair_frame = np.empty(len(pair_code), dtype=np.intp)
    frame_no = {f: k for k, f in enumerate(frame_names)}
    label_names, text_values = list(label_names), list(text_values)
    for j, code in enumerate(pair_code.tolist()):
        label = label_names[code // (len(text_values) + 1)]
        pair_weight[j] = _span_weight(frame_info[label][1], text_values[code % (len(text_values) + 1)])
        pair_frame[j] = frame_no[label]
    span_weight, span_frame = pair_weight[pair_at], pair_frame[pair_at]
    sense = fs["sense"]
    if isinstance(sense.dtype, pd.StringDtype):
        # (a missing sense reads as "")
        counted = (sense.isin(_COUNTED_SENSES) | sense.isna()).to_numpy(dtype=bool)
        meta = (sense == "meta").fillna(False).to_numpy(dtype=bool)
    else:
        senses = ["" if not isinstance(x, str) else x for x in sense.tolist()]
        counted = np.array([x in _COUNTED_SENSES for x in senses], dtype=bool)
        meta = np.array([x == "meta" for x in senses], dtype=bool)
    # Weighted counts per frame and row, summed in span order (np.add.at adds one by one).
    sums = np.zeros((len(frame_names), n))
    use = counted[span_no]
    np.add.at(sums, (span_frame[span_no[use]], span_row[use]), span_weight[span_no[use]])
    stances: dict = {}
    texts = None
    has_meta = meta[span_no]
    for i, r in zip(span_no[has_meta].tolist(), span_row[has_meta].tolist()):
        if texts is None:
            texts = ["" if not isinstance(t, str) else t for t in comments[text_col].tolist()]
        stances.setdefault(r, []).append(
            _span_stance(texts[r], int(fs["start"].iat[i]), frame_info[fs["label"].iat[i]][0]))
    # A row without frame terms scores 0.0 whatever its length: only the others' words are counted.
    table = np.zeros((len(frame_names), n))
    present = [""] * n
    counted_rows = np.flatnonzero((sums != 0).any(axis=0))
    if len(counted_rows):
        texts = texts or ["" if not isinstance(t, str) else t for t in comments[text_col].tolist()]
        words = np.zeros(n, dtype=np.int64)
        words[counted_rows] = _word_counts([texts[r] for r in counted_rows.tolist()])
        sub = sums[:, counted_rows]
        k_at, j_at = np.nonzero((sub != 0) & (words[counted_rows] != 0))
        r_at = counted_rows[j_at]
        # Python's round (correctly rounded), not numpy's, as before; once per distinct value
        # (none is 0, so 0.0 and -0.0 are never merged).
        distinct, back = np.unique(100.0 * sums[k_at, r_at] / words[r_at], return_inverse=True)
        table[k_at, r_at] = np.array([round(x, 3) for x in distinct.tolist()], dtype=np.float64)[back.reshape(-1)]
        listed = (sub > 0) & (sub >= min_weight - 1e-9)
        j_at, k_at = np.nonzero(listed.T)
        by_row: dict = {}
        for j, k in zip(j_at.tolist(), k_at.tolist()):
            by_row.setdefault(j, []).append(frame_names[k])
        rows = counted_rows.tolist()
        for j, names in by_row.items():
            present[rows[j]] = ";".join(names)
    cols = {f"frame_{f}": pd.Series(table[k], index=comments.index, dtype="float64")
            for k, f in enumerate(frame_names)}
    out = comments.assign(
        frames=pd.Series(present, index=comments.index, dtype=object),
        **cols,
    )
    stance = [""] * n
    for r, found in stances.items():
        stance[r] = _combine(found)
    out["frame_stance"] = pd.Series(stance, index=comments.index, dtype=object)
    return out


def _span_rows(comments: pd.DataFrame, fs: pd.DataFrame, id_col: str, thread_col: str):
    """``(span numbers, rows)``: each span of *fs* paired with each row of *comments* that has
    its ``(thread, comment id)``, in span order (by position when *id_col* is absent)."""
    import numpy as np

    n = len(comments)
    if id_col in comments.columns:
        threads = comments[thread_col].astype(str) if thread_col in comments.columns else pd.Series([""] * n, dtype=str)
        ids = comments[id_col].astype(str)
        parts = (threads, ids, fs["thread_id"].astype(str), fs["comment_id"].astype(str))
        if not any(p.isna().any() for p in parts):
            # Thread and id as one integer per row and span (codes from one factorization
            # of both tables), looked up in C.
            t_code = pd.factorize(pd.concat([parts[0], parts[2]], ignore_index=True))[0].astype(np.int64)
            i_code = pd.factorize(pd.concat([parts[1], parts[3]], ignore_index=True))[0].astype(np.int64)
            key = t_code * (int(i_code.max(initial=0)) + 1) + i_code
            rows = pd.Index(key[:n])
            if rows.is_unique:
                at = rows.get_indexer(key[n:])
                found = np.flatnonzero(at >= 0)
                return found, at[found].astype(np.intp)
        keys = list(zip(threads.tolist(), ids.tolist()))
    else:
        keys = [("", "")] * n
    row_of: dict = {}
    for r, k in enumerate(keys):
        row_of.setdefault(k, []).append(r)
    pairs = [(i, r) for i, k in enumerate(zip(fs["thread_id"].astype(str).tolist(), fs["comment_id"].astype(str).tolist()))
             for r in row_of.get(k, ())]
    return (np.array([i for i, _ in pairs], dtype=np.intp), np.array([r for _, r in pairs], dtype=np.intp))


# Bytes of an ASCII text as word characters ("a", what ``\\w`` matches in ASCII), apostrophes
# and the rest (" "): a token of :data:`_TOKEN` is then a run of "a"s joined by single
# apostrophes, counted without the regex engine (see _word_counts).
_WORD_SHAPE = bytes(
    ord("a") if chr(i).isalnum() or i == ord("_") else ord("'") if i == ord("'") else ord(" ") for i in range(128)
) + b" " * 128


def _word_counts(texts: list[str]) -> list[int]:
    """``len(_TOKEN.findall(text))`` of each of *texts*.

    The texts are counted together on their shape, joined by spaces, in C and numpy: each
    character is a word character ("a", what ``\\w`` matches), an apostrophe or neither; an
    apostrophe with a word character on both sides joins them (one never does when its
    neighbour is an apostrophe, so one pass decides every apostrophe), and a token starts
    at each word character that does not follow one (tests compare the two counts). The
    ASCII texts (most) are shaped as bytes (:data:`_WORD_SHAPE`), the others as code points.
    """
    import numpy as np

    out = [0] * len(texts)
    ascii_at, ascii_texts, other_at, other_texts = [], [], [], []
    for k, t in enumerate(texts):
        if t.isascii():
            ascii_at.append(k)
            ascii_texts.append(t)
        else:
            other_at.append(k)
            other_texts.append(t)
    for at, group, shape in ((ascii_at, ascii_texts, _ascii_shape), (other_at, other_texts, _unicode_shape)):
        if not group:
            continue
        word, apostrophe = shape(" ".join(group))
        # An apostrophe between two word characters is part of the word.
        word[1:-1] |= apostrophe[1:-1] & word[:-2] & word[2:]
        word[1:] &= ~word[:-1]
        starts = np.flatnonzero(word)
        lengths = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        begin = np.cumsum(lengths + 1) - lengths - 1
        counts = np.searchsorted(starts, begin + lengths) - np.searchsorted(starts, begin)
        for k, c in zip(at, counts.tolist()):
            out[k] = c
    return out


def _ascii_shape(text: str):
    """(word character?, apostrophe?) per character of an ASCII *text*, as numpy bool arrays."""
    import numpy as np

    shape = np.frombuffer(text.encode("ascii").translate(_WORD_SHAPE), dtype=np.uint8)
    return shape == ord("a"), shape == ord("'")


def _unicode_shape(text: str):
    """(word character?, apostrophe?) per code point of *text*: ``\\w`` is ``str.isalnum`` or "_"."""
    import numpy as np

    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    ascii_shape = np.frombuffer(_WORD_SHAPE, dtype=np.uint8)
    shape = ascii_shape[np.minimum(points, 128)]  # (128 and up: " ", decided below)
    word = shape == ord("a")
    other = np.flatnonzero(points >= 128)
    if len(other):
        distinct, at = np.unique(points[other], return_inverse=True)
        word[other] = np.array([chr(c).isalnum() for c in distinct.tolist()], dtype=bool)[at]
    return word, (shape == ord("'")) | (points == 0x2019)


def _span_weight(frame: Frame, text: str) -> float:
    words = [t[2] for t in _tokenize(text)]
    found = frame.matcher.find(words)
    return found[0][2].weight if found else 1.0


# --------------------------------------------------------------------------- threads


def _uses(comments, spans, id_col, thread_col, lexicons=None, text_col="text"):
    """(thread, comment) -> {frame: {"senses": set, "stances": list}}."""
    texts = {}
    if text_col in comments.columns and id_col in comments.columns:
        for t, c, x in zip(comments[thread_col].astype(str), comments[id_col].astype(str), comments[text_col]):
            texts[(t, c)] = x if isinstance(x, str) else ""
    lex_of = {f: lex for lex in load_lexicons(lexicons) for f in lex.frames}
    uses: dict = {}
    fs = spans[spans["kind"] == "frame"]
    for t, c, label, start, sense in zip(fs["thread_id"].astype(str), fs["comment_id"].astype(str), fs["label"],
                                         fs["start"], fs["sense"]):
        sense = sense if isinstance(sense, str) else ""
        if sense not in _COUNTED_SENSES:
            continue
        entry = uses.setdefault((t, c), {}).setdefault(label, {"senses": set(), "stances": []})
        entry["senses"].add(sense)
        if sense == "meta" and label in lex_of and (t, c) in texts:
            entry["stances"].append(_span_stance(texts[(t, c)], int(start), lex_of[label]))
    return uses


def uptake(comments: pd.DataFrame, spans: pd.DataFrame, *, id_col: str = "comment_id",
           parent_col: str = "parent_id", thread_col: str = "thread_id", text_col: str = "text",
           lexicons=None) -> pd.DataFrame:
    """How each reply answers the frames of the comment it replies to.

    Parameters
    ----------
    comments : pandas.DataFrame
        Needs *thread_col*, *id_col*, *parent_col* (reply links; empty = answers the post)
        and ``text``.
    spans : pandas.DataFrame
        From :func:`spans`.
    id_col, parent_col, thread_col, text_col : str
        Column names (the text is read again to find the stance of meta spans).
    lexicons : optional
        The lexicons the spans came from (see :func:`load_lexicons`).

    Returns
    -------
    pandas.DataFrame
        One row per (reply, frame of its parent, or new frame of the reply): ``thread_id``,
        ``comment_id``, ``parent_id``, ``frame``, ``uptake`` (``adopted``, ``endorsed``,
        ``rejected``, ``qualified``, ``ignored``, or ``new`` for a frame the parent did not
        use) and ``explanation``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"thread_id": "t", "comment_id": ["1", "2", "3"], "parent_id": ["", "1", "1"],
    ...                    "text": ["It is war on our teachers.", "Public education is not a war.", "Nice."]})
    >>> uptake(df, spans(df, lexicons="war_metaphor"))[["comment_id", "frame", "uptake"]].values.tolist()
    [['2', 'war', 'rejected'], ['3', 'war', 'ignored']]
    """
    require_columns(comments, [thread_col, id_col, parent_col, text_col], caller="framing.uptake")
    require_columns(spans, list(SPAN_COLUMNS), caller="framing.uptake", where="spans")
    uses = _uses(comments, spans, id_col, thread_col, lexicons, text_col)
    verbs = {"endorse": "endorsed", "reject": "rejected", "qualify": "qualified"}
    rows = []
    for t, c, p in zip(comments[thread_col].astype(str), comments[id_col].astype(str),
                       comments[parent_col].fillna("").astype(str)):
        if not p:
            continue
        mine, theirs = uses.get((t, c), {}), uses.get((t, p), {})
        for frame in theirs:
            if frame not in mine:
                rows.append((t, c, p, frame, "ignored", f"comment {c} does not use the {frame} frame of comment {p}"))
                continue
            stance = _combine(mine[frame]["stances"])
            if stance in verbs:
                rows.append((t, c, p, frame, verbs[stance],
                             f"comment {c} talks about the {frame} frame of comment {p} and takes the stance '{stance}'"))
            else:
                rows.append((t, c, p, frame, "adopted", f"comment {c} uses the {frame} frame of comment {p}"))
        for frame in mine:
            if frame not in theirs:
                rows.append((t, c, p, frame, "new", f"comment {c} brings the {frame} frame, which comment {p} does not use"))
    return pd.DataFrame(rows, columns=["thread_id", "comment_id", "parent_id", "frame", "uptake", "explanation"])


def debate(comments: pd.DataFrame, spans: pd.DataFrame, *, id_col: str = "comment_id",
           thread_col: str = "thread_id", author_col: str = "author", text_col: str = "text",
           lexicons=None) -> pd.DataFrame:
    """Who introduces each frame in a thread, who adopts it, endorses it and contests it.

    Parameters
    ----------
    comments : pandas.DataFrame
        Needs *thread_col*, *id_col* and ``text``; ``position`` orders the comments (row
        order otherwise) and *author_col* names speakers when present.
    spans : pandas.DataFrame
        From :func:`spans`. Spans with an empty ``comment_id`` are the post's: a frame the
        post uses is introduced by ``"post"``.
    id_col, thread_col, author_col, text_col : str
        Column names.
    lexicons : optional
        The lexicons the spans came from (see :func:`load_lexicons`).

    Returns
    -------
    pandas.DataFrame
        One row per (thread, frame used): ``introduced_by`` (comment id or ``post``),
        ``introduced_by_author``, ``comments`` (how many use it), ``adopted_by``,
        ``endorsed_by``, ``contested_by`` (``;``-separated comment ids; contested =
        rejected or qualified), ``contested_by_authors`` and ``contested`` (bool).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"thread_id": "t", "comment_id": ["1", "2", "3"], "author": ["Ann", "Bo", "Cy"],
    ...                    "text": ["All warfare is deception.", "Public education is not a war.",
    ...                             "The war metaphor fits perfectly."]})
    >>> d = debate(df, spans(df, lexicons="war_metaphor"))
    >>> d[["frame", "introduced_by", "endorsed_by", "contested_by", "contested_by_authors"]].values.tolist()
    [['war', '1', '3', '2', 'Bo']]
    """
    require_columns(comments, [thread_col, id_col, text_col], caller="framing.debate")
    require_columns(spans, list(SPAN_COLUMNS), caller="framing.debate", where="spans")
    uses = _uses(comments, spans, id_col, thread_col, lexicons, text_col)
    ordered = comments.reset_index(drop=True)
    if "position" in ordered.columns:
        ordered = ordered.assign(_pos=pd.to_numeric(ordered["position"], errors="coerce")).sort_values(
            ["_pos"], kind="stable")
    authors = {}
    if author_col in ordered.columns:
        authors = {(str(t), str(c)): ("" if not isinstance(a, str) else a)
                   for t, c, a in zip(ordered[thread_col], ordered[id_col], ordered[author_col])}
    rows = []
    thread_order = list(dict.fromkeys(ordered[thread_col].astype(str)))
    for t in thread_order:
        ids = ordered.loc[ordered[thread_col].astype(str) == t, id_col].astype(str).tolist()
        frames: dict = {}
        for c in [""] + ids:
            for frame, entry in uses.get((t, c), {}).items():
                rec = frames.setdefault(frame, {"intro": c or "post", "users": [], "adopt": [], "endorse": [],
                                                "contest": []})
                if c:
                    rec["users"].append(c)
                stance = _combine(entry["stances"])
                if stance in ("reject", "qualify"):
                    rec["contest"].append(c or "post")
                elif stance == "endorse":
                    rec["endorse"].append(c or "post")
                elif (c or "post") != rec["intro"]:
                    rec["adopt"].append(c)
        for frame, rec in frames.items():
            rows.append({
                "thread_id": t, "frame": frame, "introduced_by": rec["intro"],
                "introduced_by_author": authors.get((t, rec["intro"]), ""),
                "comments": len(rec["users"]), "adopted_by": ";".join(rec["adopt"]),
                "endorsed_by": ";".join(rec["endorse"]), "contested_by": ";".join(rec["contest"]),
                "contested_by_authors": ";".join(dict.fromkeys(a for a in (authors.get((t, c), "") for c in rec["contest"]) if a)),
                "contested": bool(rec["contest"]),
            })
    cols = ["thread_id", "frame", "introduced_by", "introduced_by_author", "comments", "adopted_by", "endorsed_by",
            "contested_by", "contested_by_authors", "contested"]
    return pd.DataFrame(rows, columns=cols)


def prevalence(comments: pd.DataFrame, spans: pd.DataFrame, *, by: str = "thread_id", id_col: str = "comment_id",
               thread_col: str = "thread_id") -> pd.DataFrame:
    """Share of comments that use each frame, per thread or per speaker.

    Parameters
    ----------
    comments : pandas.DataFrame
        Needs *thread_col*, *id_col* and *by*.
    spans : pandas.DataFrame
        From :func:`spans` (literal and game uses of a metaphor do not count).
    by : str, default "thread_id"
        The grouping column, e.g. ``"author"`` for speakers.

    Returns
    -------
    pandas.DataFrame
        Indexed by *by*: ``n_comments``, then one column per frame used anywhere (the
        share of the group's comments using it, 0..1).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"thread_id": "t", "comment_id": ["1", "2"], "author": ["Ann", "Bo"],
    ...                    "text": ["It is war on teachers.", "I like trees."]})
    >>> prevalence(df, spans(df, lexicons="war_metaphor"), by="author").to_dict("index")
    {'Ann': {'n_comments': 1, 'war': 1.0}, 'Bo': {'n_comments': 1, 'war': 0.0}}
    """
    require_columns(comments, [thread_col, id_col, by], caller="framing.prevalence")
    require_columns(spans, list(SPAN_COLUMNS), caller="framing.prevalence", where="spans")
    fs = spans[(spans["kind"] == "frame") & spans["sense"].fillna("").isin(_COUNTED_SENSES)]
    frames = list(dict.fromkeys(fs["label"]))
    used = {(t, c, f) for t, c, f in zip(fs["thread_id"].astype(str), fs["comment_id"].astype(str), fs["label"])}
    keys = list(zip(comments[thread_col].astype(str), comments[id_col].astype(str)))
    data = {f: [float((t, c, f) in used) for t, c in keys] for f in frames}
    table = pd.DataFrame({by: comments[by].to_numpy(), **data})
    grouped = table.groupby(by, sort=True)
    out = grouped[frames].mean() if frames else pd.DataFrame(index=grouped.size().index)
    out.insert(0, "n_comments", grouped.size().astype("int64"))
    return out


# --------------------------------------------------------------------------- vocabulary, CLI helpers


def vocabulary(lexicons=None, *, kinds: tuple = ("metaphor",), words: Iterable[str] | None = None) -> list[str]:
    """The frame terms a frame-neutral sentiment score should neutralise.

    Parameters
    ----------
    lexicons : optional
        As in :func:`load_lexicons`.
    kinds : tuple of str, default ("metaphor",)
        Lexicon kinds to include. Metaphor vocabulary ("attack", "enemy", "war") carries
        valence in VADER that is not the writer's feeling; the cue words of policy frames
        ("unfair", "evil", "safe") are the writer's feeling and stay.
    words : iterable of str, optional
        The word list a glob such as ``battle*`` is expanded against. Default: VADER's
        lexicon, the only words whose neutralising changes a VADER score.

    Returns
    -------
    list of str
        Sorted, lower-case single words and multi-word terms.

    Examples
    --------
    >>> v = vocabulary()
    >>> {"war", "enemies", "carpet bombing", "attack"} <= set(v)
    True
    """
    lexs = load_lexicons(lexicons)
    if words is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        words = _vader_words(SentimentIntensityAnalyzer)
    words = sorted({_norm(w) for w in words})
    out = set()
    for lex in lexs:
        if lex.kind not in kinds:
            continue
        for frame in lex.frames.values():
            for p in frame.matcher.patterns:
                forms = [[]]
                for piece in p.pieces:
                    if piece is None:
                        forms = []
                        break
                    text, prefix = piece
                    options = [w for w in words if w.startswith(text) and " " not in w] if prefix else [text]
                    if prefix and len(p.pieces) > 1:
                        # "carpet bomb*" must still neutralise "carpet bombing".
                        options = list(dict.fromkeys(options + [text, text + "s", text + "ing", text + "ed"]))
                    forms = [f + [o] for f in forms for o in options]
                for f in forms:
                    out.add(" ".join(f))
    return sorted(out)


@functools.lru_cache(maxsize=1)
def _vader_words(cls) -> tuple:
    return tuple(cls().lexicon)


def catalog(lexicons=None) -> pd.DataFrame:
    """One row per frame: lexicon, frame, title, kind, number of terms and description.

    Examples
    --------
    >>> catalog()["frame"].tolist()[:3]
    ['war', 'economic', 'capacity_and_resources']
    """
    rows = []
    for lex in load_lexicons(lexicons):
        for frame in lex.frames.values():
            rows.append({"lexicon": lex.name, "frame": frame.name, "title": frame.title, "kind": lex.kind,
                         "terms": len(frame.matcher.patterns), "description": frame.description})
    return pd.DataFrame(rows, columns=["lexicon", "frame", "title", "kind", "terms", "description"])


def describe(name: str, *, lexicons=None) -> str:
    """A readable description of a lexicon or frame: provenance, terms and sense cues.

    Raises
    ------
    InputFormatError
        When no lexicon or frame has that name (the message lists them).

    Examples
    --------
    >>> print(describe("war").splitlines()[0])
    war: War / conflict metaphor (lexicon war_metaphor, kind metaphor)
    """
    lexs = load_lexicons(lexicons)
    for lex in lexs:
        if name == lex.name:
            lines = [f"{lex.name}: {lex.title} (kind {lex.kind}, version {lex.version or '-'}, licence {lex.licence or '-'})",
                     "", lex.description, "", "Provenance:", lex.provenance, "", "Frames:"]
            for f in lex.frames.values():
                lines.append(f"  {f.name}: {f.title} ({len(f.matcher.patterns)} terms){' - ' + f.description if f.description else ''}")
            return "\n".join(lines).strip() + "\n"
    for lex in lexs:
        if name in lex.frames:
            f = lex.frames[name]
            lines = [f"{f.name}: {f.title} (lexicon {lex.name}, kind {lex.kind})"]
            if f.code is not None:
                lines.append(f"codebook number: {f.code}")
            if f.description:
                lines.append(f.description)
            lines += ["", "Provenance:", lex.provenance, ""]
            for label, items in (("terms", f.terms), ("phrases", f.phrases), ("shared with games and strategy", f.shared)):
                if items:
                    lines.append(f"{label}: {', '.join(items)}")
            if lex.kind == "metaphor":
                lines.append("")
                lines.append("Sense cues (discourse/lexicons/README.md gives the order in which they decide; "
                             "with no evidence of another domain a term is literal):")
                for key, what in (("meta", "meta, next to the term"), ("references", "meta when judged"),
                                  ("literal", "literal (armed conflict)"), ("game", "game/sport"),
                                  ("strategy", "strategy (shared terms only)"),
                                  ("figurative", "metaphorical (fixed phrases)"),
                                  ("concrete", "literal unless a topic is near"),
                                  ("argument", "metaphorical unless a cue is near")):
                    items = [p.source for p in lex.cues[key].patterns]
                    if items:
                        lines.append(f"  {what}: {', '.join(items)}")
            return "\n".join(lines) + "\n"
    names = [lex.name for lex in lexs] + [f for lex in lexs for f in lex.frames]
    raise InputFormatError(f"no lexicon or frame named {name!r}; choose one of {names} (see 'discourse frames list').")


def explain(text: str, *, lexicons=None) -> pd.DataFrame:
    """The frame spans of one text, with senses, stances and reasons (``discourse frames explain``).

    Parameters
    ----------
    text : str
        Any sentence or passage.
    lexicons : optional
        As in :func:`load_lexicons`.

    Returns
    -------
    pandas.DataFrame
        ``frame``, ``start``, ``end``, ``text``, ``sense``, ``stance`` (for meta spans) and
        ``explanation``.

    Examples
    --------
    >>> explain("Still can't agree with the war metaphor.", lexicons="war_metaphor")[["text", "sense", "stance"]].values.tolist()
    [['war', 'meta', 'reject']]
    """
    if not isinstance(text, str):
        from .segment import not_text

        raise not_text(text, "explain", table="framing.spans(comments)")
    lexs = load_lexicons(lexicons)
    lex_of = {f: lex for lex in lexs for f in lex.frames}
    s = spans(pd.DataFrame({"text": [text]}), lexicons=lexs)
    stance = [_span_stance(text, int(st), lex_of[lab]) if sense == "meta" else ""
              for lab, st, sense in zip(s["label"], s["start"], s["sense"])]
    out = pd.DataFrame({"frame": s["label"], "start": s["start"], "end": s["end"], "text": s["text"],
                        "sense": s["sense"], "stance": stance, "explanation": s["explanation"]})
    return out.sort_values(["start", "end"], kind="stable").reset_index(drop=True)
