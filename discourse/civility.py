"""Civility: incivility and persuasion techniques, each with spans that explain themselves.

Two transparent detectors read each comment's own words (quotations, URLs and widget
artifacts are left out, as in :mod:`discourse.sentiment`; see :mod:`discourse.segment`):

incivility
    Words and phrases from the lexicon ``lexicons/civility.toml``, by category:
    ``insult`` ("idiot", "soulless turds"), ``name_calling`` (mocking labels such as
    "Faux news"), ``profanity``, ``dehumanising`` (people as vermin or disease),
    ``threat``, ``contempt`` (sarcasm and mock deference: "Oh, almighty city dweller,
    must I bow…"), ``personal_attack`` (hostile phrases in the second person) and
    ``shouting`` (words in capitals or with stretched letters). A span in a sentence that
    speaks to someone (you, your, or a name addressed) is *aimed at a person*; otherwise
    it is aimed at a group or an idea, and its explanation says which. A comment's
    ``incivility`` is ``1 - prod(1 - w)`` over its spans' weights ``w`` (0 when there is
    none); spans aimed at a person weigh :data:`PERSON_BONUS` more. Calm talk about a
    frame ("Public education is not a war.") has no span and scores 0.
persuasion technique
    The techniques of SemEval-2020 Task 11 / SemEval-2021 Task 6 that a transparent
    detector can find from wording (``lexicons/techniques.toml``): loaded language, name
    calling, exaggeration, appeal to fear, flag-waving, reductio ad Hitlerum
    ("Good Germans"), whataboutism, slogans, black-and-white fallacy, thought-terminating
    clichés, bandwagon, causal oversimplification, doubt and repetition. Each span's
    explanation is a sentence a student can read. A span means "look here", not "this is
    propaganda": the detector sees wording, not argument.

Classroom use: :func:`mask_profanity` and :func:`mask` replace profanity with asterisks of
the same length (the first letter kept), so every offset in a spans table stays true.
"""

from __future__ import annotations

import bisect
import collections
import functools
import operator
import re
from typing import Iterable

import pandas as pd

from . import segment
from .errors import SchemaError
from .model import require_columns

__all__ = [
    "PERSON_BONUS",
    "TECHNIQUES",
    "mask",
    "mask_profanity",
    "score",
    "spans",
]

#: Extra weight for an uncivil span aimed at a person (second person or a name addressed)
#: rather than at an idea: attacks on people are what readers experience as incivility
#: (Coe, Kenski and Rains 2014 separate name-calling from aspersions on ideas).
PERSON_BONUS = 0.15

#: Technique keys, in the order the ``techniques`` column lists them.
TECHNIQUES = (
    "loaded_language",
    "name_calling",
    "exaggeration",
    "appeal_to_fear",
    "flag_waving",
    "reductio_ad_hitlerum",
    "whataboutism",
    "slogans",
    "black_and_white",
    "thought_terminating_cliche",
    "bandwagon",
    "causal_oversimplification",
    "doubt",
    "repetition",
)

#: Second-person words: ``\b(?:you|your|yours|yourself|yourselves|you're|you’re|youre|ya|u)\b``
#: (case aside), written to start with a letter so the engine skips to a "y" or "u" in C;
#: ``(?<!\w.)`` after that letter is the ``\b`` before it. A test checks the two agree.
_SECOND_PERSON = re.compile(r"(?:y(?<!\w.)(?:ou|our|ours|ourself|ourselves|ou're|ou’re|oure|a)|u(?<!\w.))\b", re.I)


def _term_pattern(term: str) -> str:
    star = term.endswith("*")
    body = term[:-1] if star else term
    parts = [re.escape(p) for p in body.split()]
    pat = r"\s+".join(parts).replace("’", "['’]").replace("'", "['’]")
    if star:
        pat += r"[\w'’-]*"
    # Word boundaries that also work for terms starting or ending in punctuation ("sad!").
    return rf"(?<!\w)(?<!\w['’]){pat}(?!\w)"


#: Where a term can start: not after a word character, nor after one and an apostrophe.
_TERM_START = r"(?<!\w)(?<!\w['’])"
_ALNUM_RUN = re.compile(r"[a-z0-9]*")
_ALNUM_RUN_BYTES = re.compile(rb"[a-z0-9]*")
#: The only characters outside ASCII that a case-insensitive regex matches to an ASCII
#: letter or digit (long s, dotless i, dotted capital I, Kelvin sign). A text holding one is
#: searched the plain way; a test checks the list against all of Unicode.
_CASE_ODD = frozenset("\u017f\u0131\u0130\u212a")


def _compile(terms: Iterable[str], patterns: Iterable[str]):
    # Longest first, so a regex alternation prefers the longer term; among terms of one
    # length, literal before wildcard, then alphabetical: a fixed order, so the matches do
    # not follow the hash seed ("patriots" and "patriot*" both match "Patriots' Day").
    terms = sorted(set(terms), key=lambda t: (-len(t), t.endswith("*"), t))
    if not terms and not patterns:
        return None
    # The word-boundary lookbehinds stand once in front of all the terms rather than in
    # each of them: the engine then rejects a position inside a word at once instead of
    # trying every term there (same matches, several times faster on long comments).
    cores = [_term_pattern(t)[len(_TERM_START):] for t in terms]
    alts = ([_TERM_START + "(?:" + "|".join(f"(?:{c})" for c in cores) + ")"] if cores else []) + list(patterns)
    return _Finder(re.compile("|".join(f"(?:{a})" for a in alts), re.I), terms, cores, list(patterns))


def _parse(pattern: str):
    """*pattern* parsed case-insensitively, with the parser's constants and its repeat ops; or None.

    None when the pattern could match empty text (never skipped) or the private parser
    differs (another Python: no shortcut).
    """
    try:
        from re import _constants as sre_c
        from re import _parser as sre_parse

        tree = sre_parse.parse(pattern, re.I)
        if tree.getwidth()[0] == 0:
            return None
    except Exception:  # pragma: no cover - another Python's private parser
        return None
    repeats = tuple(getattr(sre_c, name) for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
                    if hasattr(sre_c, name))
    return tree, sre_c, repeats


def _either(branches, seq) -> frozenset | None:
    """What a match of one of *branches* must contain: the most selective set each branch requires, united.

    *seq* gives a branch's list of required sets; None when a branch requires nothing.
    """
    best = []
    for branch in branches:
        found = seq(branch)
        if not found:
            return None
        best.append(max(found, key=lambda fs: min(map(len, fs))))
    return frozenset().union(*best)


def _required(pattern: str):
    """What every match of *pattern* (case-insensitive) contains, or None when unknown.

    A list of sets of lower-case ASCII strings: a text can hold a match only if, for each
    set, it contains one of its strings (case aside). Read from the parsed regex: literal
    runs, literal alternatives, character sets of literals and repeats of at least one.
    """
    parsed = _parse(pattern)
    if parsed is None:
        return None
    tree, sre_c, repeats = parsed

    def seq(items) -> list:
        out, run = [], []

        def flush():
            if run:
                out.append(frozenset({"".join(run)}))
                run.clear()

        for op, av in items:
            if op is sre_c.LITERAL and chr(av).isascii():
                run.append(chr(av).lower())
                continue
            flush()
            if op is sre_c.SUBPATTERN:
                out += seq(av[-1])
            elif op is sre_c.BRANCH:
                either = _either(av[1], seq)
                if either:
                    out.append(either)
            elif op is sre_c.IN:
                if av and all(o is sre_c.LITERAL and chr(a).isascii() for o, a in av):
                    out.append(frozenset(chr(a).lower() for _, a in av))
            elif op in repeats and av[0] >= 1:
                out += seq(av[2])
        flush()
        return out

    return seq(tree.data) or None


#: At most this many strings in one set of :func:`_spelled`.
_REQUIRED_MAX = 16


def _spelled(pattern: str):
    """Like :func:`_required`, with longer strings: what every match of *pattern* contains.

    A list of sets of lower-case ASCII strings (or None): consecutive items that match a few literal strings (characters, classes of
    characters, alternatives of literals, optional ones, zero-width assertions between
    them) give the strings they spell together (``\\b[Oo]h,? `` gives "oh, " or "oh "), and
    a repeat of such an item (``s+h+``) ends one string and starts the next ("sh").
    """
    parsed = _parse(pattern)
    if parsed is None:
        return None
    tree, sre_c, repeats = parsed
    zero_width = tuple(getattr(sre_c, name) for name in ("AT", "ASSERT", "ASSERT_NOT") if hasattr(sre_c, name))

    def spell(items) -> set | None:
        """The strings *items* match one after another, when few and literal, else None."""
        out = {""}
        for item in items:
            alts = literal(item)
            if alts is None:
                return None
            out = {x + y for x in out for y in alts}
            if len(out) > _REQUIRED_MAX:
                return None
        return out

    def literal(item) -> set | None:
        """The strings one item matches (lower-case), when few and literal, else None."""
        op, av = item
        if op is sre_c.LITERAL:
            return {chr(av).lower()} if chr(av).isascii() else None
        if op is sre_c.IN:
            if av and all(o is sre_c.LITERAL and chr(a).isascii() for o, a in av):
                return {chr(a).lower() for _, a in av}
            return None
        if op is sre_c.SUBPATTERN:
            return spell(av[-1])
        if op is sre_c.BRANCH:
            out: set = set()
            for branch in av[1]:
                found = spell(branch)
                if found is None:
                    return None
                out |= found
            return out if len(out) <= _REQUIRED_MAX else None
        if op in repeats and av[1] == 1 and av[0] in (0, 1):
            found = spell(av[2])
            if found is None:
                return None
            return found | {""} if av[0] == 0 else found
        if op in zero_width:
            return {""}  # the characters on either side are next to each other
        return None

    def seq(items) -> list:
        out, run = [], {""}

        def flush():
            if "" not in run:
                # A string holding another of the set adds nothing to the test.
                out.append(frozenset(x for x in run if not any(y != x and y in x for y in run)))
            run.clear()
            run.add("")

        for item in items:
            alts = literal(item)
            if alts is not None:
                joined = {x + y for x in run for y in alts}
                if len(joined) <= _REQUIRED_MAX:
                    run = joined
                    continue
                flush()
                run = set(alts)
                continue
            op, av = item
            inner = spell(av[2]) if op in repeats and av[0] >= 1 else None
            if inner is not None:
                # x+ after a run r: the first x follows r, and what follows comes after the last x.
                joined = {x + y for x in run for y in inner}
                if len(joined) <= _REQUIRED_MAX:
                    run = joined
                flush()
                run = set(inner)
                continue
            flush()
            if op is sre_c.SUBPATTERN:
                out += seq(av[-1])
            elif op is sre_c.BRANCH:
                either = _either(av[1], seq)
                if either:
                    out.append(either)
            elif op in repeats and av[0] >= 1:
                out += seq(av[2])
        flush()
        return out

    return seq(tree.data) or None


def _first_class(pattern: str) -> str | None:
    """The inside of a character class holding the first character of every match of
    *pattern* (case-insensitive, as written: the class is compiled with ``re.I`` too), or
    None when unknown (a negated class first, inline flags, an unknown item)."""
    parsed = _parse(pattern)
    if parsed is None:
        return None
    tree, sre_c, repeats = parsed
    zero_width = tuple(getattr(sre_c, name) for name in ("AT", "ASSERT", "ASSERT_NOT") if hasattr(sre_c, name))
    categories = {getattr(sre_c, name): rx for name, rx in (
        ("CATEGORY_WORD", r"\w"), ("CATEGORY_NOT_WORD", r"\W"), ("CATEGORY_DIGIT", r"\d"),
        ("CATEGORY_NOT_DIGIT", r"\D"), ("CATEGORY_SPACE", r"\s"), ("CATEGORY_NOT_SPACE", r"\S")) if hasattr(sre_c, name)}

    def members(av) -> set | None:
        out = set()
        for op, a in av:
            if op is sre_c.LITERAL:
                out.add(re.escape(chr(a)))
            elif op is sre_c.RANGE:
                out.add(f"{re.escape(chr(a[0]))}-{re.escape(chr(a[1]))}")
            elif op is sre_c.CATEGORY and a in categories:
                out.add(categories[a])
            else:
                return None
        return out

    def first(items) -> tuple | None:
        """(class members, whether *items* may match empty text), or None: unknown."""
        out: set = set()
        for op, av in items:
            if op in zero_width:
                continue
            if op is sre_c.LITERAL:
                out.add(re.escape(chr(av)))
                return out, False
            if op is sre_c.IN:
                found = members(av)
                return None if found is None else (out | found, False)
            if op is sre_c.SUBPATTERN:
                if av[1] or av[2]:
                    return None  # (inline flags)
                got = first(av[-1])
            elif op is sre_c.BRANCH:
                got = (set(), False)
                for branch in av[1]:
                    one = first(branch)
                    if one is None:
                        return None
                    got = (got[0] | one[0], got[1] or one[1])
            elif op in repeats:
                got = first(av[2])
                if got is not None and av[0] == 0:
                    got = (got[0], True)
            else:
                return None
            if got is None:
                return None
            out |= got[0]
            if not got[1]:
                return out, False
        return out, True

    found = first(tree.data)
    if found is None or found[1] or not found[0]:
        return None
    return "".join(sorted(found[0]))


def _places_regex(pattern: str):
    """A regex whose matches start at every place where *pattern* (case-insensitive) matches.

    ``(?=(?:pattern))`` does, but the engine then tries the lookahead at every character;
    when the first characters of the matches are known (:func:`_first_class`), the regex
    starts with their class instead (the engine skips to one in C) and tries the pattern
    from that character in a lookahead inside a one-character lookbehind.
    """
    lead = _first_class(pattern)
    if lead is None:
        return re.compile(f"(?=(?:{pattern}))", re.I)
    return re.compile(f"[{lead}](?<=(?=(?:{pattern}))(?s:.))", re.I)


def _term_key(term: str) -> tuple | None:
    """How a text word must start for *term* to match there: ``(how, key...)`` or None.

    ``("word", w)``: the run of ASCII letters and digits there is *w*; ``("word2", w, p)``:
    that run is *w* and, after white space, the next run starts with *p* (a phrase such as
    "the likes of"); ``("prefix", p)``: the run starts with *p* (at most three
    characters); ``("char", c)``: the character there is *c* (a term starting with
    punctuation).
    """
    star = term.endswith("*")
    parts = (term[:-1] if star else term).split()
    if not parts:
        return None
    first = parts[0].lower()
    lead = _ALNUM_RUN.match(first).group()
    if not lead:
        if first[0] in "'’":
            return "char", "'"  # the term's regex takes either apostrophe
        return ("char", first[0]) if first[0].isascii() else None
    if lead == first and not (star and len(parts) == 1):
        # The term's regex joins its parts with white space (\s+).
        lead2 = _ALNUM_RUN.match(parts[1].lower()).group() if len(parts) > 1 else ""
        return ("word2", lead, lead2[:3]) if lead2 else ("word", lead)
    return "prefix", lead[:3]


def _selectivity(options: frozenset) -> tuple:
    """How rarely a text holds one of *options* (higher: more rarely), to pick a finder's gate.

    Longer strings first, fewer options next; a set of symbols counts three characters
    more ("f#@k" needs one of #$*@ more surely than an f, but ", " is in most comments).
    """
    symbols = all(x.strip() and not any(map(str.isalnum, x)) for x in options)
    return min(map(len, options)) + (3 if symbols else 0), -len(options)


class _Finder:
    """One category's regex, with an index of its terms so that most words are never tried.

    ``finditer(text)`` gives the ``(start, end)`` of exactly the matches of
    ``rx.finditer(text)``. Python's regex engine tries every term of a long alternation at
    every word of a text; instead, each word start of the (lower-cased) text is looked up
    in an index of the terms' first words, and only where some term may start is a regex
    of just those terms (same order, same flags) tried, each search resuming after the
    last match as ``finditer`` does. A hand-written pattern can match anywhere: when a
    text holds what it needs (:func:`_required`), the positions where it matches are
    found with a lookahead and the whole regex is tried there. A text whose case cannot
    be read from ``str.lower`` (see :func:`_lower`) is searched the plain way.
    """

    def __init__(self, rx, terms: list, cores: list, patterns: list):
        self.rx = rx
        self.terms = terms
        self.cores = cores
        self.keys = [_term_key(t) for t in terms]
        self._subs: dict = {}
        #: (what the pattern needs, most selective first; a regex matching where it matches)
        self.patterns: list | None = []
        for p in patterns:
            req = _required(p)
            try:
                at = _places_regex(p)
            except re.error:  # pragma: no cover - the whole regex compiled, so this does too
                at = None
            if req is None or at is None or at.groups:
                self.patterns = None
                break
            # The gate: the most selective set of _required (few short strings, each one
            # search over all texts); the other sets, with the longer ones of _spelled, are
            # tested in the texts it lets through.
            req = sorted(req, key=_selectivity, reverse=True)
            rest = set(req[1:]).union(_spelled(p) or ()) - {req[0]}
            self.patterns.append(([req[0]] + sorted(rest, key=_selectivity, reverse=True), at))
        if any(k is None for k in self.keys):
            self.patterns = None
        #: Where no string of a first set of :attr:`patterns` is in a text, none of them holds.
        self.gate = None
        if self.patterns:
            from .lexicons import trie_pattern

            self.gate = re.compile(trie_pattern([tuple(map(re.escape, x)) for req, _ in self.patterns for x in req[0]]))

    def anywhere(self, text: str, lower: str, gate: bool | None = None) -> set:
        """Where a hand-written pattern matches in *text* (*lower*: the text lower-cased, see
        :func:`_lower`): the places :meth:`finditer` tries the whole regex.

        *gate*: whether :attr:`gate` matches in *lower*, when already known (:func:`_gate_present`).
        """
        out: set = set()
        if gate is None:
            gate = self.gate is not None and self.gate.search(lower) is not None
        if gate:
            for req, at in self.patterns:
                if _holds(req, lower):
                    out.update(m.start() for m in at.finditer(text))
        return out

    def finditer(self, text: str, lower: str | None = None, starts: dict | None = None,
                 gate: bool | None = None, anywhere: set | None = None) -> list:
        """``(start, end)`` of every match; *lower* and *starts* from :func:`_term_starts`.

        *gate*: whether :attr:`gate` matches in *lower*, when already known (:func:`_gate_present`);
        *anywhere*: :meth:`anywhere`, when already known.
        """
        if self.patterns is None or lower is None:
            return [m.span() for m in self.rx.finditer(text)]
        terms = (starts or {}).get(self, ())
        if not terms and not self.patterns:
            return []
        if anywhere is None:
            anywhere = self.anywhere(text, lower, gate)
        if anywhere:
            # The whole regex where a pattern matches, the terms' regex elsewhere.
            idx_at = dict(terms)
            terms = sorted([(p, idx_at.get(p)) for p in anywhere.union(idx_at)])
        out, end = [], 0
        subs = self._subs
        if not anywhere:
            for p, idx in terms:
                if p >= end:
                    m = (subs.get(idx) or self._sub(idx)).match(text, p)
                    if m is not None:
                        out.append(m.span())
                        end = m.end()
            return out
        for p, idx in terms:
            if p >= end:
                m = (self.rx if p in anywhere else subs.get(idx) or self._sub(idx)).match(text, p)
                if m is not None:
                    out.append(m.span())
                    end = m.end()
        return out

    def _sub(self, idx: tuple):
        try:
            return self._subs[idx]
        except KeyError:
            sub = re.compile(_TERM_START + "(?:" + "|".join(f"(?:{self.cores[i]})" for i in idx) + ")", re.I)
            self._subs[idx] = sub
            return sub


def _holds(required: list, lower: str) -> bool:
    """Whether *lower* holds one string of every set in *required*."""
    for options in required:
        for x in options:
            if x in lower:
                break
        else:
            return False
    return True


def _lower(text: str) -> str | None:
    """*text* in lower case, character for character; None when case-insensitive matching differs.

    Holds when lower-casing changes only ASCII letters and the text has none of
    :data:`_CASE_ODD`: then a character matches an ASCII letter case-insensitively exactly
    when its lower-case form is that letter, and word boundaries stay where they were.
    """
    if text.isascii():
        return text.lower()
    if not _CASE_ODD.isdisjoint(text):
        return None
    if any(c.lower() != c for c in set(text) if not c.isascii()):
        return None
    return text.lower()


def _lowers(texts: list) -> list:
    """``[_lower(t) for t in texts]``, with the characters that :func:`_lower` refuses (those
    of :data:`_CASE_ODD`, and the ones lower-casing changes outside ASCII) read once from
    all the texts' distinct characters, and looked for in each text with one regex."""
    if not texts:
        return []
    import numpy as np

    code = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype="<u4")
    refused = set(_CASE_ODD)
    refused.update(c for c in map(chr, np.unique(code[code > 127]).tolist()) if c.lower() != c)
    search = re.compile("[" + "".join(map(re.escape, sorted(refused))) + "]").search
    return [None if search(t) else t.lower() for t in texts]


@functools.lru_cache(maxsize=1)
def _term_index():
    """``{(how, key): ((finder, term number), ...)}`` over every finder's terms."""
    cats, _ = _civility_lexicon()
    finders = [rx for _, rx, _, _ in cats if rx is not None]
    finders += [rx for rx, _, _ in _technique_lexicon().values() if rx is not None]
    index: dict = {}
    for f in finders:
        if f.patterns is None:
            continue
        for i, key in enumerate(f.keys):
            index.setdefault(key, []).append((f, i))
    return {k: tuple(v) for k, v in index.items()}


_WORD_CANDIDATES: dict = {}
_NEXT_RUN = re.compile(r"\s+([a-z0-9]+)")


@functools.lru_cache(maxsize=1)
def _phrase_starts() -> frozenset:
    """First words of the terms indexed by their first two words."""
    return frozenset(key[1] for key in _term_index() if key[0] == "word2")


def _candidates(run: str, run2: str = "") -> dict:
    """``{finder: term numbers}`` of the terms that may start at a word whose letter run is
    *run*, followed after white space by the run *run2* (empty when none)."""
    key = (run, run2[:3])
    try:
        return _WORD_CANDIDATES[key]
    except KeyError:
        index = _term_index()
        found: dict = {}
        keys = [("word", run), ("prefix", run[:3]), ("prefix", run[:2]), ("prefix", run[:1])]
        if run2:
            keys += [("word2", run, run2[:3]), ("word2", run, run2[:2]), ("word2", run, run2[:1])]
        for k in keys:
            for f, i in index.get(k, ()):
                found.setdefault(f, []).append(i)
        found = {f: tuple(sorted(set(i))) for f, i in found.items()}
        if len(_WORD_CANDIDATES) < 100_000:
            _WORD_CANDIDATES[key] = found
        return found


def _term_atoms(term: str) -> tuple:
    """Regex fragments matching, in a lower-cased text (see :func:`_lower`), wherever *term*'s
    regex (:func:`_term_pattern`, case-insensitive) matches, and maybe more.

    A character outside ASCII ends the fragments early (what is left still matches
    wherever the whole does): case-insensitive matching relates some of them to others.
    """
    star = term.endswith("*")
    atoms: list = []
    for k, part in enumerate((term[:-1] if star else term).split()):
        if k:
            atoms.append(r"\s+")
        for ch in part:
            if ch == "'":
                atoms.append("['’]")
            elif ch.isascii():
                atoms.append(re.escape(ch.lower()))
            else:
                return tuple(atoms)
    if not star:
        atoms.append(r"(?!\w)")
    return tuple(atoms)


@functools.lru_cache(maxsize=2)
def _term_trigger(as_bytes: bool = False):
    """A regex matching one character before each place where a term of the indexed finders may start.

    Every term as one regex, factored as a trie (``lexicons.trie_pattern``), tried in a
    lookahead where a term can start (as :data:`_TERM_START` says), with the run of ASCII
    letters and digits starting there as group 1, or else the character there as group 2.
    The match is the character before that place (never a word character; the separator
    before the first text, see :class:`_Joined`): a regex that starts with a class of
    characters lets the engine skip from one such character to the next in C, instead of
    trying every position. *as_bytes*: the same regex for ASCII text as bytes (``\\w``,
    ``\\s`` and case then mean the same for it, and the engine reads a byte a character;
    ``’`` only stands in classes, where its bytes never meet ASCII).
    """
    from .lexicons import trie_pattern

    finders = {f for entries in _term_index().values() for f, _ in entries}
    seqs = [_term_atoms(t) for f in finders for t in f.terms]
    # (The lookbehind last: tried only where a term may start, not at every \W.)
    pattern = r"\W(?=" + trie_pattern(sorted(seqs)) + r")(?=([a-z0-9]+)|(\S))(?<!\w['’])"
    return re.compile(pattern.encode() if as_bytes else pattern)


@functools.lru_cache(maxsize=1)
def _term_scanner():
    """What :func:`_term_places` needs: ``(automaton, end check)``, or None when it does not apply.

    One Aho-Corasick automaton (``ahocorasick_rs``, as bytes) over every term of
    :func:`_term_trigger` spelled out: its atoms (:func:`_term_atoms`) with ``\\s+`` as one
    space and ``['’]`` as ``'`` (ASCII text has no ``’``); *end check*, a numpy array by
    pattern: whether the character after it must not be a word character (``(?!\\w)``: every
    spelling of it ends a whole term; ``idiot*`` only asks for the prefix). None without
    ``ahocorasick_rs``, or when a term does not start with an ASCII letter or digit (the
    trigger's second group then matters): the regex then runs.
    """
    try:
        import ahocorasick_rs
        import numpy as np
    except ImportError:  # pragma: no cover - dependencies; the trigger regex does the same
        return None
    finders = {f for entries in _term_index().values() for f, _ in entries}
    need_end: dict = {}
    for atoms in {_term_atoms(t) for f in finders for t in f.terms}:
        end = bool(atoms) and atoms[-1] == r"(?!\w)"
        chars = []
        for a in atoms[:-1] if end else atoms:
            if a == r"\s+":
                chars.append(" ")
            elif a == "['’]":
                chars.append("'")
            else:
                ch = re.sub(r"\\(.)", r"\1", a, flags=re.S)  # (re.escape of one character)
                if len(ch) != 1 or not ch.isascii():
                    return None
                chars.append(ch)
        spelled = "".join(chars)
        if not spelled or not (spelled[0].isascii() and spelled[0].isalnum()):
            return None
        need_end[spelled] = need_end.get(spelled, True) and end
    pats = sorted(need_end)
    kwargs = {"implementation": ahocorasick_rs.Implementation.DFA} if hasattr(ahocorasick_rs, "Implementation") else {}
    ac = ahocorasick_rs.BytesAhoCorasick([x.encode() for x in pats], **kwargs)
    return ac, np.array([need_end[x] for x in pats], dtype=bool)


@functools.lru_cache(maxsize=1)
def _byte_classes():
    """numpy tables by byte: ``\\s`` of a bytes regex, ``\\w``, ``[a-z0-9]``, and the
    translation of ``\\s`` to a space."""
    import numpy as np

    space = np.array([re.match(rb"\s", bytes([b])) is not None for b in range(256)])
    alnum = np.array([re.match(rb"[a-z0-9]", bytes([b])) is not None for b in range(256)])
    to_space = bytes.maketrans(bytes(np.flatnonzero(space).astype(np.uint8)), b" " * int(space.sum()))
    return space, _word_bytes(), alnum, to_space


def _term_places(raw: bytes) -> list:
    """``(position, start, end)`` of every match of :func:`_term_trigger` (as bytes) in *raw*
    (lower-cased ASCII): the place after the character matched and its run of
    ``[a-z0-9]``; sorted.

    From one Aho-Corasick scan (:func:`_term_scanner`, all matches, overlapping ones too)
    with the word boundaries checked array-wise at the matches' ends: the character before
    a start is no word character nor an apostrophe after one, and after a whole term's end
    comes no word character. The scan reads a text whose white-space runs are squeezed to
    one space each (where the regex reads ``\\s+``); boundaries are the same there.
    """
    import numpy as np

    ac, need_end = _term_scanner()
    _, word, alnum, to_space = _byte_classes()
    flat = raw.translate(to_space)
    a = np.frombuffer(flat, dtype=np.uint8)
    where = None
    if b"  " in flat:
        sp = a == 32
        keep = np.ones(len(a), dtype=bool)
        keep[1:] = ~(sp[1:] & sp[:-1])
        where = np.flatnonzero(keep)
        a = a[where]
        flat = a.tobytes()
    found = ac.find_matches_as_indexes(flat, overlapping=True)
    if not found:
        return []
    k, s, e = np.array(found, dtype=np.int64).T
    n = len(a)
    # (Looked up at the matches only; a start or end at the edge of the text meets no word.)
    before = np.where(s >= 1, a[np.maximum(s - 1, 0)], 0)
    before2 = np.where(s >= 2, a[np.maximum(s - 2, 0)], 0)
    after = np.where(e < n, a[np.minimum(e, n - 1)], 0)
    ok = ~word[before] & ~((before == 39) & word[before2]) & ~(need_end[k] & word[after])
    s = np.unique(s[ok])
    if not len(s):
        return []
    # The run of letters and digits at each start: read from the next 16 bytes (a longer
    # run, rare, is read to its end).
    span = 16
    window = a[np.minimum(s[:, None] + np.arange(span), n - 1)]
    inside = alnum[window] & (s[:, None] + np.arange(span) < n)
    length = np.where(inside.all(axis=1), span, inside.argmin(axis=1))
    for j in np.flatnonzero(length == span).tolist():
        length[j] = len(_ALNUM_RUN_BYTES.match(flat, int(s[j])).group())
    run_end = s + length
    if where is not None:
        run_end = where[s] + length  # (a run of letters and digits holds no space)
        s = where[s]
    s, run_end = s.tolist(), run_end.tolist()
    return list(zip(s, s, run_end))


def _term_starts(lower: str | None) -> dict:
    """``{finder: [(position, term numbers), ...]}``: where each finder's terms may start."""
    if lower is None:
        return {}
    joined = _Joined([lower])
    return _term_starts_joined(joined, joined.text).get(0, {})


def _term_starts_joined(joined: "_Joined", searched) -> dict:
    """:func:`_term_starts` of each text of *joined* that has a term start: ``{text number: starts}``.

    *joined* holds lower-cased texts; *searched* is its ``text`` or, for ASCII text, that
    encoded as bytes (same offsets).
    """
    index = _term_index()
    phrases = _phrase_starts()
    cache = _WORD_CANDIDATES
    lowers, ends = joined.text, joined.ends
    out: dict = {}
    row, cur, starts = 0, -1, {}
    places = _term_places(searched) if not isinstance(searched, str) and _term_scanner() is not None else None
    if places is None:
        places = [(m.start() + 1, m.start(1), m.end(1))
                  for m in _term_trigger(not isinstance(searched, str)).finditer(searched)]
    for p, s1, e1 in places:
        while p > ends[row]:
            row += 1
        if row != cur:
            cur = row
            starts = out[row] = {}
        if s1 >= 0:
            run = lowers[s1:e1]
            run2 = ""
            if run in phrases:
                nxt = _NEXT_RUN.match(lowers, e1)
                if nxt is not None:
                    run2 = nxt.group(1)
            found = cache.get((run, run2[:3]))
            if found is None:
                found = _candidates(run, run2)
        else:
            char = lowers[p]
            found = {}
            for f, i in index.get(("char", "'" if char == "’" else char), ()):
                found.setdefault(f, []).append(i)
        at = p - joined.starts[row]
        for f, idx in found.items():
            starts.setdefault(f, []).append((at, tuple(idx)))
    return out


@functools.lru_cache(maxsize=1)
def _civility_lexicon():
    from .lexicons import load

    lex = load("civility")
    cats = []
    for key, spec in lex["categories"].items():
        cats.append((key, _compile(spec.get("terms", []), spec.get("patterns", [])), float(spec["weight"]),
                     spec["explanation"]))
    return cats, lex["shouting"]


@functools.lru_cache(maxsize=1)
def _technique_lexicon():
    from .lexicons import load

    lex = load("techniques")["techniques"]
    out = {}
    for key in TECHNIQUES:
        spec = lex[key]
        out[key] = (_compile(spec.get("terms", []), spec.get("patterns", [])), spec["name"], spec["explanation"])
    return out


@functools.lru_cache(maxsize=1)
def _profanity():
    cats, _ = _civility_lexicon()
    return next(rx for key, rx, _, _ in cats if key == "profanity").rx


#: The segment spans this stage reads (:func:`discourse.segment.spans` kinds).
_SEGMENT_KINDS = ("sentence", "quote", "url", "artifact", "address")


_UNSET = object()


class _Reading:
    """One text as both detectors read it: the pieces to read, its sentences and addresses.

    Built once per text and shared by the incivility and technique detectors, from the
    segment spans of the text when they are given (*given*: its ``segment.Span`` list, all
    of :data:`_SEGMENT_KINDS`), or else found here, each at most once.
    """

    __slots__ = ("text", "pieces", "sentences", "_addresses", "_starts", "lower", "_gates", "found", "_active")

    def __init__(self, text: str, include_quotes: bool, given: list | None = None, screened: tuple | None = None):
        self.text = text
        if screened is None:
            self._starts = self.lower = self.found = None
            self._gates = _UNSET
        else:  # from _screen
            self.lower, self._starts, self._gates, self.found = screened
        if given is None:
            self.sentences = segment.sentences(text)
            excl = segment.urls(text) + segment.artifacts(text)
            if not include_quotes:
                excl += [q for q in segment.quotes(text) if q.label != "term"]
            self._addresses = None
        else:
            self.sentences, excl, self._addresses = [], [], []
            for sp in given:
                kind = sp.kind
                if kind == "sentence":
                    self.sentences.append(sp)
                elif kind == "address":
                    self._addresses.append(sp)
                elif kind in ("url", "artifact") or (kind == "quote" and not include_quotes and sp.label != "term"):
                    excl.append(sp)
        # (Nothing excluded, the common case: the whole text, as own_pieces gives it.)
        # (``not text.isspace()``: what ``text.strip()`` tells, without a copy of the text)
        self.pieces = (segment.own_pieces(text, exclude=excl) if excl else [(0, len(text))]
                       if text and not text.isspace() else [])
        self._active = _UNSET

    @property
    def addresses(self) -> list:
        if self._addresses is None:
            self._addresses = segment.addresses(self.text, sentences=self.sentences)
        return self._addresses

    def lowered(self) -> str | None:
        """The text in lower case (see :func:`_lower`), or None."""
        if self.lower is None and self._starts is None:
            self.lower = _lower(self.text)
            self._starts = _term_starts(self.lower)
        return self.lower

    def find(self, finder: _Finder) -> list:
        """``(start, end)`` of the matches of *finder* in the text."""
        places = self.gates()
        if places is None:
            return finder.finditer(self.text, self.lower, self._starts)
        return finder.finditer(self.text, self.lower, self._starts, anywhere=places.get(finder, _NOWHERE))

    def gates(self) -> dict | None:
        """``{finder: places}`` for each finder whose hand-written patterns match in the text
        (:func:`_gate_places`), or None: unknown."""
        if self._gates is _UNSET:
            lower = self.lowered()
            self._gates = None if lower is None else _gate_places(self.text, lower, _gate_present([lower])[0])
        return self._gates

    def active(self) -> set | None:
        """The finders that may match in the text (any other finds nothing), or None: all may.

        A finder with a term that may start here (:func:`_term_starts`) or a hand-written
        pattern that matches (or one searched the plain way).
        """
        if self._active is _UNSET:
            gates = self.gates()
            self._active = None if gates is None else set(self._starts).union(gates, _plain_finders())
        return self._active


_NOWHERE: frozenset = frozenset()


def _gate_places(text: str, lower: str, present) -> dict:
    """``{finder: places}`` (:meth:`_Finder.anywhere`) for the finders with a hand-written
    pattern that matches in *text*; *present*: the numbers of the gate strings in *lower*
    (:func:`_gate_present`). Only the patterns whose gate holds one of them are tried."""
    out: dict = {}
    users = _gate_users()
    tried = set()
    for k in present:
        for f, j, rest, at in users[k]:
            if (f, j) in tried:
                continue
            tried.add((f, j))
            if _holds(rest, lower):
                places = [m.start() for m in at.finditer(text)]
                if places:
                    if f in out:
                        out[f].update(places)
                    else:
                        out[f] = set(places)
    return out


def _finders() -> list:
    cats, _ = _civility_lexicon()
    return ([rx for _, rx, _, _ in cats if rx is not None]
            + [rx for rx, _, _ in _technique_lexicon().values() if rx is not None])


@functools.lru_cache(maxsize=1)
def _plain_finders() -> frozenset:
    """The finders that search every text the plain way (no term index)."""
    return frozenset(f for f in _finders() if f.patterns is None)


#: Between texts searched as one string (:class:`_Joined`), and before the first: no gate
#: string holds it, and it is neither a word character, white space nor an apostrophe, so
#: no match reaches across it and the word boundaries at each text's ends are those of the
#: text alone.
_SEP = "\x00"


class _Joined:
    """Texts joined by :data:`_SEP` (one before the first too), for one search over them all.

    Text *i* is ``text[starts[i]:ends[i]]``; ``ends[i]`` is the separator after it.
    """

    __slots__ = ("text", "starts", "ends")

    def __init__(self, texts: list):
        self.text = _SEP + _SEP.join(texts)
        self.starts, self.ends = [], []
        pos = 1
        for x in texts:
            self.starts.append(pos)
            pos += len(x)
            self.ends.append(pos)
            pos += 1

    def lowered(self) -> "_Joined":
        """The same texts lower-cased, at the same offsets (ASCII texts only: their length stays)."""
        out = object.__new__(_Joined)
        out.text, out.starts, out.ends = self.text.lower(), self.starts, self.ends
        return out

    def rows(self, rx, searched=None, lead: bool = False) -> list:
        """The numbers of the texts in which *rx* matches, each searched until its first match.

        *searched*: :attr:`text`, or that as ASCII bytes. *lead*: *rx* matches one character
        before the place it looks for (so it may start at the separator before a text).
        *rx* must never match :data:`_SEP` nor reach across it, and must treat it as the
        ends of a text.
        """
        import bisect

        ends, row_of, out = self.ends, bisect.bisect_left, []
        search = rx.search
        m = search(self.text if searched is None else searched)
        while m is not None:
            row = row_of(ends, m.start() + lead)
            out.append(row)
            m = search(self.text if searched is None else searched, ends[row])
        return out


@functools.lru_cache(maxsize=1)
def _gate_strings() -> tuple:
    """``((gate string, finders whose gate holds it), ...)`` over every finder's gate."""
    owners: dict = {}
    for f in _finders():
        if f.patterns and f.gate is not None:
            for req, _ in f.patterns:
                for x in req[0]:
                    owners.setdefault(x, set()).add(f)
    return tuple((x, frozenset(fs)) for x, fs in owners.items())


def _gate_present(lowers: list, *, as_bytes: bool = False, multi: bool = True) -> list:
    """For each lower-cased text, the numbers of the gate strings (:func:`_gate_strings`) in it.

    *as_bytes*: search the texts as ASCII bytes (all must be ASCII); *multi*: with one
    Aho-Corasick scan (:func:`_gate_scanner`), else one ``find`` pass per gate string.
    """
    out = [set() for _ in lowers]
    joined = _Joined(lowers)
    _gate_hits_joined(joined, joined.text.encode("ascii") if as_bytes else None, out, range(len(lowers)), multi=multi)
    return out


def _gate_hits(lowers: list, **kwargs) -> list:
    """For each lower-cased text, the finders whose :attr:`_Finder.gate` matches in it
    (keywords: :func:`_gate_present`)."""
    gates = _gate_strings()
    return [{f for k in found for f in gates[k][1]} for found in _gate_present(lowers, **kwargs)]


@functools.lru_cache(maxsize=1)
def _gate_users() -> tuple:
    """For each gate string (:func:`_gate_strings`), the hand-written patterns whose gate set
    holds it: ``((finder, pattern number, the pattern's other required sets, its regex), ...)``."""
    out = []
    for x, finders in _gate_strings():
        users = []
        for f in _finders():
            if f in finders:
                users += [(f, j, req[1:], at) for j, (req, at) in enumerate(f.patterns) if x in req[0]]
        out.append(tuple(users))
    return tuple(out)


@functools.lru_cache(maxsize=2)
def _gate_scanner(as_bytes: bool):
    """One Aho-Corasick automaton over every gate string (:func:`_gate_strings`), for str or
    for ASCII bytes; None when ``ahocorasick_rs`` is not installed."""
    try:
        import ahocorasick_rs
    except ImportError:  # pragma: no cover - a dependency; the find loop does the same
        return None
    gates = [x for x, _ in _gate_strings()]
    # (A DFA: more memory than the default NFA, a few hundred KB here, and about twice as fast.)
    kwargs = {"implementation": ahocorasick_rs.Implementation.DFA} if hasattr(ahocorasick_rs, "Implementation") else {}
    if as_bytes:
        return ahocorasick_rs.BytesAhoCorasick([x.encode() for x in gates], **kwargs)
    return ahocorasick_rs.AhoCorasick(gates, **kwargs)


def _gate_hits_joined(joined: _Joined, searched, out: list, rows, *, multi: bool = True) -> None:
    """Add to ``out[rows[i]]`` the numbers of the gate strings (:func:`_gate_strings`) in text
    *i* of *joined* (lower-cased).

    *searched*: None, or the joined text as ASCII bytes. Every place where a gate string
    occurs, in all the texts at once, comes from one Aho-Corasick scan (all matches,
    overlapping ones too); without it (*multi* false, or a str the scanner cannot take),
    each gate string is looked for with ``str.find`` / ``bytes.find``, a text being left
    as soon as the string is found in it.
    """
    import bisect

    ends, row_of = joined.ends, bisect.bisect_left
    as_bytes = searched is not None
    haystack = searched if as_bytes else joined.text
    gates = _gate_strings()
    scanner = _gate_scanner(as_bytes) if multi else None
    if scanner is not None:
        try:
            found = scanner.find_matches_as_indexes(haystack, overlapping=True)
        except UnicodeError:  # (a lone surrogate: not UTF-8)
            found = None
        if found is not None:
            for k, p, _ in found:
                out[rows[row_of(ends, p)]].add(k)
            return
    find = haystack.find
    for k, (x, _) in enumerate(gates):
        if as_bytes:
            x = x.encode()  # (gate strings are ASCII)
        p = find(x)
        while p >= 0:
            row = row_of(ends, p)
            out[rows[row]].add(k)
            p = find(x, ends[row] + 1)


#: :data:`_SAID_AGAIN` matching one character before the word said again (see :class:`_Joined`).
_SAID_AGAIN_LEAD = re.compile(r"\W(\w++)(?:[\s,!.]+\1\b){2,}", re.I)
#: Characters ``\s`` matches in a str regex, not in a bytes regex: an ASCII text holding one
#: is searched as str.
_ASCII_ODD_SPACE = "\x1c\x1d\x1e\x1f"


@functools.lru_cache(maxsize=4)
def _screen_patterns(n: int) -> tuple:
    """The screen's regexes as str and as bytes (for ASCII text; same matches there):
    ((capitals, stretched letters, said again), same as bytes); only said again has a lead."""
    found = (_shout_patterns(n)[2], _FOUR_SAME, _SAID_AGAIN_LEAD)
    return found, tuple(re.compile(rx.pattern.encode(), rx.flags & re.I) for rx in found)


def _four_same_rows(joined: _Joined, raw: bytes) -> list:
    """:meth:`_Joined.rows` of :data:`_FOUR_SAME` for ASCII texts (*raw*: ``joined.text`` as
    bytes), with numpy: a letter equal to the next three, compared array-wise (the regex
    engine would try a match at every letter)."""
    import numpy as np

    a = np.frombuffer(raw, dtype=np.uint8)
    if len(a) < 4:
        return []
    same = a[1:] == a[:-1]
    hit = same[:-2] & same[1:-1] & same[2:]
    hit &= (a[:-3] | 32) - 97 < 26  # (uint8 arithmetic: True for A-Z and a-z only)
    at = np.flatnonzero(hit)
    if not len(at):
        return []
    return np.unique(np.searchsorted(np.asarray(joined.ends), at)).tolist()


_STR_SPACE = re.compile(r"\s")
_STR_WORD = re.compile(r"\w")


def _proxy(text: str) -> bytes:
    """*text* as bytes, one a character, for the array-wise scans and the term scan: an
    ASCII character stands for itself, ``’`` for ``'``, and any other character (and the
    four ASCII separators of :data:`_ASCII_ODD_SPACE`) for a space when ``\\s`` matches it
    in a str regex, for ``_`` when ``\\w`` does (no term, gate or pattern the scans read
    holds one), else for ``\\x01``. White space, word characters, apostrophes and ASCII
    letters are then where they were (case aside for letters outside ASCII)."""
    import numpy as np

    code = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    out = _proxy_ascii()[np.minimum(code, 127)]
    other = code > 127
    if other.any():
        found, at = np.unique(code[other], return_inverse=True)
        stand = np.array([_proxy_of(chr(c)) for c in found.tolist()], dtype=np.uint8)
        out[other] = stand[at]
    return out.tobytes()


@functools.lru_cache(maxsize=1)
def _proxy_ascii():
    """:func:`_proxy` of the ASCII characters, as a numpy table."""
    import numpy as np

    table = np.arange(128, dtype=np.uint8)
    table[[ord(c) for c in _ASCII_ODD_SPACE]] = 32
    return table


@functools.lru_cache(maxsize=65536)
def _proxy_of(ch: str) -> int:
    return 39 if ch == "’" else 32 if _STR_SPACE.match(ch) else 95 if _STR_WORD.match(ch) else 1


def _capitals_rows(joined: _Joined, raw: bytes, n: int) -> list:
    """:meth:`_Joined.rows` of the capitals gate (:func:`_shout_patterns`, ``[A-Z][A-Z'’]{n-1}``)
    for ASCII texts (*raw*: ``joined.text`` as bytes), with numpy: each capital letter and
    the *n* - 1 bytes after it looked up in a table (ASCII text holds no ``’``)."""
    import numpy as np

    a = np.frombuffer(raw, dtype=np.uint8)
    upper, caps = _caps_bytes()
    at = np.flatnonzero(upper[a[:len(a) - n + 1]]) if len(a) >= n else np.zeros(0, dtype=np.intp)
    for k in range(1, n):
        if not len(at):
            return []
        at = at[caps[a[at + k]]]
    if not len(at):
        return []
    return np.unique(np.searchsorted(np.asarray(joined.ends), at)).tolist()


@functools.lru_cache(maxsize=1)
def _caps_bytes():
    """numpy tables by byte: ``[A-Z]``, and ``[A-Z']``."""
    import numpy as np

    upper = np.zeros(256, dtype=bool)
    upper[65:91] = True
    caps = upper.copy()
    caps[39] = True
    return upper, caps


def _said_again_rows(joined: _Joined, raw: bytes, rx, lower: bytes | None = None, confirm: str | None = None) -> list:
    """:meth:`_Joined.rows` of *rx* (:data:`_SAID_AGAIN_LEAD` as bytes) for ASCII texts
    (*raw*: ``joined.text`` as bytes; *lower*: that lower-cased, when known). Other texts:
    *raw* is their :func:`_proxy`, *confirm* ``joined.text`` and *rx* the str regex (no
    text may hold a letter of :data:`_CASE_ODD`: an equal word under ``re.I`` then has an
    equal stand-in). A word said three times in a row is three equal runs
    of word characters one after another: such runs are found array-wise with numpy (each
    compared by its length and its first and last eight bytes, lower-cased), and *rx* is
    searched only in the texts that hold them."""
    import numpy as np

    a = np.frombuffer((raw.lower() if lower is None else lower) + b"\x00" * 8, dtype=np.uint8)
    word = _word_bytes()[a]
    edge = np.flatnonzero(word[1:] != word[:-1]) + 1  # starts and ends of runs, in turn (a[0] is a NUL)
    s, e = edge[0::2], edge[1::2]
    if len(s) < 3:
        return []
    n = e - s
    # (Eight bytes from every offset, read as one little-endian number, masked to the run.)
    at = np.ndarray(shape=(len(a) - 7,), dtype="<u8", buffer=a, offset=0, strides=(1,))
    head = at[s] & np.where(n >= 8, np.uint64(2**64 - 1),
                            (np.uint64(1) << (np.minimum(n, 8).astype(np.uint64) * np.uint64(8))) - np.uint64(1))
    tail = np.where(n > 8, at[np.maximum(e - 8, s)], head)
    same = (head[1:] == head[:-1]) & (tail[1:] == tail[:-1]) & (n[1:] == n[:-1])
    three = np.flatnonzero(same[1:] & same[:-1])
    if not len(three):
        return []
    starts, ends = joined.starts, joined.ends
    rows = np.unique(np.searchsorted(np.asarray(ends), s[three])).tolist()
    text = raw if confirm is None else confirm
    return [r for r in rows if rx.search(text, starts[r] - 1, ends[r]) is not None]


@functools.lru_cache(maxsize=1)
def _word_bytes():
    """A numpy table: which bytes ``\\w`` matches in a bytes regex."""
    import numpy as np

    return np.array([re.match(rb"\w", bytes([b])) is not None for b in range(256)])


_CONTENT_NORM_BYTES = re.compile(rb"[a-z][a-z']{3,}|\x00")
#: :func:`_repeats_possible_joined` of a text where repetition finds nothing when every word
#: is read (a phrase can still repeat when a quotation between its words is left out).
_ONLY_CUT = type("_OnlyCut", (), {"__repr__": lambda self: "_ONLY_CUT"})()


def _repeats_possible_joined(raw: bytes, n: int) -> list | None:
    """:func:`_repeats_possible` of each of the *n* ASCII lower-cased texts joined in *raw*
    (:class:`_Joined` as bytes), from one search for words over them all, or
    :data:`_ONLY_CUT` (true) for a text whose words, all read, repeat no phrase and no word
    enough to count; None when a text holds a separator itself (the words could not be
    told apart by text)."""
    if raw.count(b"\x00") != n:
        return None
    words = _CONTENT_NORM_BYTES.findall(raw)
    index, end, out = words.index, len(words), []
    i = index(b"\x00") + 1
    for k in range(n):
        j = index(b"\x00", i) if k < n - 1 else end
        found = words[i:j]
        if len(found) - len(set(found)) < 2:
            out.append(False)  # (no word three times: the common case, without counting)
        else:
            thrice = {w: c for w, c in collections.Counter(found).items() if c >= 3}
            possible = any(w not in _STOP_BYTES and (c >= 4 or len(thrice) >= 2) for w, c in thrice.items())
            if possible and not any(c >= 4 and w not in _STOP_BYTES for w, c in thrice.items()):
                # No word to count: only a phrase used three times, which needs a pair of
                # these words next to each other three times (when every word is read).
                pairs = collections.Counter(
                    (a, b) for a, b in zip(found, found[1:])
                    if a in thrice and b in thrice and (a not in _STOP_BYTES or b not in _STOP_BYTES))
                if not any(c >= 3 for c in pairs.values()):
                    possible = _ONLY_CUT
            out.append(possible)
        i = j + 1
    return out


def _screen_flags(texts: list, lowers: list, ascii_rows: list, other_rows: list, gates: list, starts: list,
                  repeats: list) -> tuple:
    """Sets of the texts with capitals, stretched letters and a word said again; fills
    *gates* and *starts* (by text number) for the texts with a lower-cased form, and
    *repeats* (:func:`_repeats_possible`) for the ASCII ones."""
    _, shout = _civility_lexicon()
    as_str, as_bytes = _screen_patterns(int(shout["min_letters"]))
    caps, four, said = set(), set(), set()
    joined = _Joined([texts[i] for i in ascii_rows])
    if any(c in joined.text for c in _ASCII_ODD_SPACE):
        odd = {i for i in ascii_rows if any(c in texts[i] for c in _ASCII_ODD_SPACE)}
        ascii_rows = [i for i in ascii_rows if i not in odd]
        other_rows = sorted(other_rows + list(odd))
        joined = _Joined([texts[i] for i in ascii_rows])
    for rows, ascii_ in ((ascii_rows, True), (other_rows, False)):
        if not rows:
            continue
        if not ascii_:
            joined = _Joined([texts[i] for i in rows])
        searched = joined.text.encode("ascii") if ascii_ else None
        low_raw = searched.lower() if ascii_ else None
        # Other texts: the array-wise scans read a stand-in of one byte a character (_proxy).
        proxy = searched if ascii_ else _proxy(joined.text)
        for into, rx, rxb, lead in zip((caps, four, said), as_str, as_bytes, (False, False, True)):
            if rx is _FOUR_SAME:
                into.update(rows[r] for r in _four_same_rows(joined, proxy))
            elif ascii_ and rx is _SAID_AGAIN_LEAD:
                into.update(rows[r] for r in _said_again_rows(joined, searched, rxb, low_raw))
            elif rx is _SAID_AGAIN_LEAD and _CASE_ODD.isdisjoint(joined.text):
                into.update(rows[r] for r in _said_again_rows(joined, proxy, rx, confirm=joined.text))
            elif into is caps:
                into.update(rows[r] for r in _capitals_rows(joined, proxy, int(shout["min_letters"])))
            else:
                into.update(rows[r] for r in joined.rows(rxb if ascii_ else rx, searched, lead))
        known = rows if ascii_ else [i for i in rows if lowers[i] is not None]
        if not known:
            continue
        # (An ASCII text lower-cased is as long as before: the joined text lower-cased at once.)
        low = joined.lowered() if ascii_ else _Joined([lowers[i] for i in known])
        searched = low_raw
        _gate_hits_joined(low, searched, gates, known)
        if ascii_:
            for i, rep in zip(known, _repeats_possible_joined(searched, len(known)) or ()):
                repeats[i] = rep
        if searched is None and _term_scanner() is not None:
            searched = _proxy(low.text)
        for r, found in _term_starts_joined(low, low.text if searched is None else searched).items():
            starts[known[r]] = found
    return caps, four, said


def _screen(texts: list) -> list:
    """For each text, None when no detector can find anything in it, else what
    :class:`_Reading` takes as *screened*: (lower-cased text, term starts, ``{finder:
    places}`` of hand-written patterns (:func:`_gate_places`), (whether it has a run of
    capitals, four equal letters, a word said three times in a row, and
    :func:`_repeats_possible` or :data:`_ONLY_CUT`)).

    Most comments hold no term, no gate string, no capitals and no repetition: they are
    passed over here, from a few searches over all the texts at once, without reading
    them one by one. ASCII texts are searched as bytes.
    """
    ascii_rows, other_rows = [], []
    for i, x in enumerate(texts):
        (ascii_rows if x.isascii() else other_rows).append(i)
    lowers: list = [None] * len(texts)
    # ASCII texts lower-cased in one call (split again at the separators, when none holds one).
    together = _SEP.join([texts[i] for i in ascii_rows]).lower().split(_SEP) if ascii_rows else []
    if len(together) != len(ascii_rows):
        together = [texts[i].lower() for i in ascii_rows]
    for i, low in zip(ascii_rows, together):
        lowers[i] = low
    for i, low in zip(other_rows, _lowers([texts[i] for i in other_rows])):
        lowers[i] = low
    gates: list = [set() if low is not None else None for low in lowers]
    starts: list = [{} for _ in texts]
    repeats: list = [None] * len(texts)
    caps, four, said = _screen_flags(texts, lowers, ascii_rows, other_rows, gates, starts, repeats)
    plain = bool(_plain_finders())
    out = []
    for i, (text, low, hits, st) in enumerate(zip(texts, lowers, gates, starts)):
        if hits:
            hits = _gate_places(text, low, hits)
        elif hits is not None:
            hits = {}
        rep = repeats[i]
        if rep is None:  # (not screened with the others: read here, once for both)
            rep = _repeats_possible(text, low)
        found = (i in caps, i in four, i in said, rep)
        if (low is None or st or hits or plain or found[0] or found[1] or found[2] or rep
                or ("!" in text and ("\n" in text or "\r" in text))):
            out.append((low, st, hits, found))
        else:
            out.append(None)
    return out


def _in_pieces(s: int, e: int, pieces) -> bool:
    # *pieces* are own_pieces: sorted and disjoint, so only the last one starting at or
    # before *s* can hold the span (a comment of many quoted lines has thousands).
    if len(pieces) <= 16:
        return any(a <= s and e <= b for a, b in pieces)
    k = bisect.bisect_right(pieces, (s, _INF)) - 1
    return k >= 0 and e <= pieces[k][1]


_INF = float("inf")


@functools.lru_cache(maxsize=4)
def _shout_patterns(n: int):
    """(words in capitals, stretched words, a regex matching in every text where words in capitals do).

    Words in capitals: ``\\b[A-Z][A-Z'’]{n-1,}\\b(?:[\\s,]+[A-Z][A-Z'’]+\\b)*``, written to start
    with the capital so the engine skips to one in C; ``(?<!\\w.)`` after it is the ``\\b``
    before it (a test checks the two agree).
    """
    return (re.compile(rf"[A-Z](?<!\w.)[A-Z'’]{{{n - 1},}}\b(?:[\s,]+[A-Z][A-Z'’]+\b)*"),
            re.compile(r"\b\w*([A-Za-z])\1{3,}\w*\b"),
            re.compile(rf"[A-Z][A-Z'’]{{{n - 1}}}"))


# A stretched word holds four equal letters in a row; without them its (slow) regex cannot match.
_FOUR_SAME = re.compile(r"([A-Za-z])\1{3}")


_CAPS_WORD = re.compile(r"[A-Z'’]+")


def _shouting(text: str, spec: dict, pieces, found: tuple | None = None) -> list[segment.Span]:
    """*found*: whether the text has a run of capitals and four equal letters, when known (_screen)."""
    if found is not None and not found[0] and not found[1]:
        return []
    n = int(spec["min_letters"])
    caps, stretched, caps_gate = _shout_patterns(n)
    if found is None:
        four = _FOUR_SAME.search(text) is not None
        if not four and caps_gate.search(text) is None:
            return []
    else:
        four = found[1]
        if not four and not found[0]:
            return []
    caps = list(caps.finditer(text))
    stretched = list(stretched.finditer(text)) if four else []
    if not caps and not stretched:
        return []
    acronyms = _acronyms(tuple(spec["acronyms"]))
    out = []
    for m in caps:
        words = [w for w in _CAPS_WORD.findall(m.group()) if w.strip("'’") not in acronyms]
        if words and any(len(w) >= n for w in words) and _in_pieces(m.start(), m.end(), pieces):
            out.append(segment.Span(m.start(), m.end(), "incivility", "shouting",
                                    spec["explanation"].format(text=m.group())))
    for m in stretched:
        if _in_pieces(m.start(), m.end(), pieces) and not any(s.start <= m.start() < s.end for s in out):
            out.append(segment.Span(m.start(), m.end(), "incivility", "shouting",
                                    spec["explanation"].format(text=m.group())))
    # (The all-capitals test can only drop spans: made only when there are some.)
    if out and _mostly_capitals(text):
        return []  # an all-capitals text (a meme, a headline): no word stands out
    return out


@functools.lru_cache(maxsize=4)
def _acronyms(words: tuple) -> frozenset:
    return frozenset(words)


_ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_ASCII_UPPER = bytes(range(65, 91))


def _mostly_capitals(text: str) -> bool:
    """Whether more than 60% of the letters of *text* are capitals (True for no letters)."""
    if text.isascii():
        raw = text.encode("ascii")
        n_letters = len(raw) - len(raw.translate(None, _ASCII_LETTERS))
        n_upper = len(raw) - len(raw.translate(None, _ASCII_UPPER))
    else:
        letters = list(filter(str.isalpha, text))
        n_letters, n_upper = len(letters), sum(map(str.isupper, letters))
    return not n_letters or n_upper / n_letters > 0.6


def _incivility_spans(text: str, include_quotes: bool = False,
                      reading: _Reading | None = None) -> list[tuple[segment.Span, float]]:
    cats, shout = _civility_lexicon()
    reading = reading or _Reading(text, include_quotes)
    pieces, sents = reading.pieces, reading.sentences
    if not pieces:
        return []
    # (Nothing excluded, the common case: every span is inside the one piece.)
    whole = len(pieces) == 1 and pieces[0] == (0, len(text))
    found: list[tuple[segment.Span, float]] = []
    taken: list[tuple[int, int]] = []
    active = reading.active()
    for key, rx, weight, explanation in cats:
        if rx is None or (active is not None and rx not in active):
            continue
        for s, e in reading.find(rx):
            if s == e or not (whole or _in_pieces(s, e, pieces)) or (taken and any(a < e and s < b for a, b in taken)):
                continue
            taken.append((s, e))
            found.append((s, e, key, explanation.format(text=text[s:e]), weight))
    out = []
    if found:
        addressed = [a.start for a in reading.addresses]
        person: dict = {}  # sentence: whether it speaks to someone
        for s, e, key, explanation, weight in found:
            sent = next((x for x in sents if x.start <= s < x.end), None)
            if sent is None:
                at_person = False
            else:
                at_person = person.get(sent)
                if at_person is None:
                    at_person = person[sent] = (_SECOND_PERSON.search(text, sent.start, sent.end) is not None
                                                or any(sent.start <= a < sent.end for a in addressed))
            if at_person:
                explanation += " It is aimed at a person (the sentence speaks to someone)."
                weight = min(0.95, weight + PERSON_BONUS)
            elif key != "personal_attack":
                explanation += " It is aimed at a group or an idea, not at the person addressed."
            out.append((segment.Span(s, e, "incivility", key, explanation), weight))
    shouts = _shouting(text, shout, pieces, reading.found)
    if shouts:
        w = float(shout["weight"])
        out += [(sp, w) for sp in shouts if not any(a < sp.end and sp.start < b for a, b in taken)]
    if len(out) > 1:
        out.sort(key=_by_place)
    return out


def _by_place(item) -> tuple:
    return item[0][:2]


_start_end = operator.itemgetter(0, 1)


_CONTENT = re.compile(r"[A-Za-z][A-Za-z'’]{3,}")
_STOP = frozenset(
    "that this with have from they them their there what when where which while would could should about been were "
    "will your just also than then into over more most some such only other very many much does doing being because "
    "those these here like even well still make made know think said says really thing things people".split()
)
_STOP_BYTES = frozenset(w.encode() for w in _STOP)


# The word is taken whole (possessive: a match needs a separator right after it), so the
# engine does not retry every shorter start of every word.
_SAID_AGAIN = re.compile(r"\b(\w++)(?:[\s,!.]+\1\b){2,}", re.I)
#: Matches at the start of a text of more than 150 words (runs of ``\w``): their count
#: without a list of them.
_OVER_150_WORDS = re.compile(r"\W*+(?:\w++\W*+){150}\w")


_CONTENT_NORM = re.compile(r"[a-z][a-z'’]{3,}")


def _repeats_possible(text: str, lower: str | None) -> bool:
    """False when no count or phrase repetition can exist in *text*.

    A word counted is outside :data:`_STOP` and used four times or more; a phrase of two
    words used three times has a word outside :data:`_STOP` used three times or more, and
    either another word used three times or more or (a word twice) that word four times.
    Counts over the whole text bound the counts over any of its pieces.
    """
    if lower is None:
        return True
    words = _CONTENT_NORM.findall(lower.replace("’", "'") if "’" in lower else lower)
    if len(words) - len(set(words)) < 2:
        return False  # (no word three times: the common case, without counting)
    thrice = [(w, n) for w, n in collections.Counter(words).items() if n >= 3]
    return any(w not in _STOP and (n >= 4 or len(thrice) >= 2) for w, n in thrice)


def _words_in_pieces(matches, pieces) -> list:
    """``(start, end, word)`` of the *matches* (in text order) that lie inside one of *pieces*.

    *pieces* are sorted and disjoint (as :func:`discourse.segment.own_pieces` gives them):
    a word can only lie in the first piece that ends after its start, so the pieces are
    walked along with the words instead of searched for each word (:func:`_in_pieces`).
    """
    out, k, last = [], 0, len(pieces) - 1
    if last < 0:
        return out
    a, b = pieces[0]
    for m in matches:
        s, e = m.span()
        while b <= s and k < last:
            k += 1
            a, b = pieces[k]
        if a <= s and e <= b:
            out.append((s, e, m.group()))
    return out


def _repetition(text: str, pieces, explanation: str, lower: str | None = None,
                said: bool | None = None, possible: bool | None = None) -> list[segment.Span]:
    """*said*: whether :data:`_SAID_AGAIN` matches in the text, *possible*:
    :func:`_repeats_possible`, when known (_screen)."""
    out = []
    # A word said three or more times in a row ("die die die").
    for m in _SAID_AGAIN.finditer(text) if said is not False else ():
        if _in_pieces(m.start(), m.end(), pieces):
            out.append(segment.Span(m.start(), m.end(), "technique", "repetition", explanation.format(text=m.group())))
    if not (_repeats_possible(text, lower) if possible is None else possible):
        return out
    if possible is _ONLY_CUT and pieces == [(0, len(text))]:
        return out
    # The lower-cased text has the same words at the same offsets (see _lower).
    src = text if lower is None else lower
    if pieces == [(0, len(text))]:  # nothing excluded: every word is read
        words = [(m.start(), m.end(), m.group()) for m in _CONTENT.finditer(src)]
    else:
        words = _words_in_pieces(_CONTENT.finditer(src), pieces)
    if lower is None or "’" in lower:
        words = [(s, e, w.lower().replace("’", "'")) for s, e, w in words]
    seen = collections.Counter(w for _, _, w in words)
    many = [w for w, n in seen.items() if n >= 3 and w not in _STOP]
    if not many:
        return out  # a word counted needs four uses, a phrase a word outside _STOP used three times
    if any(seen[w] >= 4 for w in many) and _OVER_150_WORDS.match(text) is None:
        counts: dict = {}
        for s, e, w in words:
            if seen[w] >= 4 and w not in _STOP:
                counts.setdefault(w, []).append((s, e))
        for w, occ in counts.items():
            said: dict = {}  # (one explanation per spelling: a long comment repeats a word thousands of times)
            for s, e in occ:
                said_as = text[s:e]
                why = said.get(said_as)
                if why is None:
                    why = said[said_as] = explanation.format(text=said_as) + f" ('{w}' appears {len(occ)} times.)"
                out.append(segment.Span(s, e, "technique", "repetition", why))
    # A phrase of two content words used three or more times (both words then occur three
    # times or more: other pairs are not counted).
    bigrams: dict = {}
    for i, ((s1, _e1, w1), (_s2, e2, w2)) in enumerate(zip(words, words[1:])):
        if seen[w1] >= 3 and seen[w2] >= 3 and (w1 not in _STOP or w2 not in _STOP):
            bigrams.setdefault((w1, w2), []).append((s1, e2, i))
    if not any(len(occ) >= 3 for occ in bigrams.values()):
        return out
    # A phrase starting inside a span already found is not marked again. Which word starts
    # each span covers is kept per word (a phrase starts at a word), so the check costs the
    # same however many spans a long, repetitive comment has (testing every span for every
    # phrase took minutes on a comment of a few hundred KB).
    starts = [s for s, _, _ in words]
    covered = bytearray(len(words))
    for x in out:
        for k in range(bisect.bisect_left(starts, x.start), bisect.bisect_left(starts, x.end)):
            covered[k] = 1
    for (w1, w2), occ in bigrams.items():
        if len(occ) >= 3:
            said = {}
            for s, e, i in occ:
                if not covered[i]:
                    said_as = text[s:e]
                    why = said.get(said_as)
                    if why is None:
                        why = said[said_as] = (explanation.format(text=said_as)
                                               + f" ('{w1} {w2}' appears {len(occ)} times.)")
                    out.append(segment.Span(s, e, "technique", "repetition", why))
                    covered[i] = covered[i + 1] = 1
    return out


_SLOGAN_LINE = re.compile(r"[^\n\r]+")
_SLOGAN_WORD = re.compile(r"[A-Za-z'’]+")


def _slogan_lines(text: str, pieces, explanation: str) -> list[segment.Span]:
    if "!" not in text or ("\n" not in text and "\r" not in text):
        return []  # a slogan line ends with "!" and follows a line break
    out = []
    for m in _SLOGAN_LINE.finditer(text):
        line = m.group().strip()
        if not line.endswith("!") or not m.start():
            continue
        words = _SLOGAN_WORD.findall(line)
        # A short exclamation on a line of its own after other text: a chant, not a sentence.
        # (Lines in capitals are not enough: memes and headlines are all capitals.)
        if 2 <= len(words) <= 6:
            s = m.start() + len(m.group()) - len(m.group().lstrip())
            e = s + len(line)
            if _in_pieces(s, e, pieces):
                out.append(segment.Span(s, e, "technique", "slogans", explanation.format(text=line)))
    return out


def _technique_spans(text: str, include_quotes: bool = False, reading: _Reading | None = None) -> list[segment.Span]:
    lex = _technique_lexicon()
    reading = reading or _Reading(text, include_quotes)
    pieces = reading.pieces
    if not pieces:
        return []
    whole = len(pieces) == 1 and pieces[0] == (0, len(text))
    out = []
    active = reading.active()
    for key in TECHNIQUES:
        rx, name, explanation = lex[key]
        if key == "repetition":
            found = reading.found or (None, None, None, None)
            out += _repetition(text, pieces, explanation, reading.lowered(), found[2], found[3])
            continue
        if key == "slogans":
            out += _slogan_lines(text, pieces, explanation)
        if rx is None or (active is not None and rx not in active):
            continue
        for s, e in reading.find(rx):
            if text[e - 1].isspace() or text[s].isspace():
                while e > s and text[e - 1].isspace():
                    e -= 1
                while s < e and text[s].isspace():
                    s += 1
            if s < e and (whole or _in_pieces(s, e, pieces)):
                out.append(segment.Span(s, e, "technique", key, explanation.format(text=text[s:e])))
    if len(out) < 2:
        return out
    out.sort(key=_place_label)
    # One span per technique and place.
    seen, unique = set(), []
    for sp in out:
        at = sp[:2] + (sp.label,)
        if at not in seen:
            seen.add(at)
            unique.append(sp)
    return unique


def _place_label(sp) -> tuple:
    return sp.start, sp.end, sp.label


_KINDS = ("incivility", "technique")


def _given_segments(spans_: pd.DataFrame | None, keys: list, caller: str, wanted: set | None = None) -> dict | None:
    """The segment spans of each comment, by (thread, comment) key, from a spans table; or None.

    A comment counts as covered only when the table holds its sentences; others (and every
    comment when the keys do not tell comments apart) are segmented here. *wanted*: the
    only keys looked up later (the others are left out), or None: all.
    """
    if spans_ is None:
        return None
    require_columns(spans_, ["thread_id", "comment_id", "kind", "label", "start", "end"], caller=caller)
    if len(set(keys)) != len(keys):
        return None
    keep = spans_[spans_["kind"].isin(_SEGMENT_KINDS)]
    ts, cs, ks, labs, a_s, b_s = (keep[col].tolist() for col in ("thread_id", "comment_id", "kind", "label", "start",
                                                                   "end"))
    if keep["start"].dtype.kind != "i" or keep["end"].dtype.kind != "i":
        a_s, b_s = [int(a) for a in a_s], [int(b) for b in b_s]
    grouped: dict = {}
    # A comment's spans are usually next to each other in the table: each run of one key is
    # looked up once (a key in several runs gets them in table order, as row by row).
    import itertools

    import numpy as np

    t_arr, c_arr = np.asarray(ts, dtype=object), np.asarray(cs, dtype=object)
    cuts = (np.flatnonzero((t_arr[1:] != t_arr[:-1]) | (c_arr[1:] != c_arr[:-1])) + 1).tolist()
    runs = [(i, j) for i, j in zip([0] + cuts, cuts + [len(ts)])
            if j > i and (wanted is None or (ts[i], cs[i]) in wanted)]
    if len(runs) * 4 < len(cuts):  # few wanted: only their spans are made
        made = None
    else:  # (tuple.__new__ is what Span._make calls, without a Python frame per span)
        made = list(map(functools.partial(tuple.__new__, segment.Span),
                        zip(a_s, b_s, ks, labs, itertools.repeat(""))))
    # (sentences before each row, to tell which runs hold one)
    n_sent = [0] + np.cumsum(np.asarray(ks, dtype=object) == "sentence").tolist()
    covered = set()
    for i, j in runs:
        key = (ts[i], cs[i])
        found = made[i:j] if made is not None else [segment.Span(a_s[k], b_s[k], ks[k], labs[k]) for k in range(i, j)]
        if key in grouped:
            grouped[key] += found
        else:
            grouped[key] = found
        if n_sent[j] != n_sent[i]:
            covered.add(key)
    return {key: found for key, found in grouped.items() if key in covered}


def spans(comments: pd.DataFrame, *, text_col: str = "text", kinds: Iterable[str] = _KINDS,
          include_quotes: bool = False, spans: pd.DataFrame | None = None, id_col: str = "comment_id",
          thread_col: str = "thread_id") -> pd.DataFrame:
    """Incivility and persuasion-technique spans, with offsets into each comment's text.

    Parameters
    ----------
    comments : pandas.DataFrame
        Needs *text_col*; *id_col* and *thread_col* are copied when present.
    text_col : str, default "text"
    kinds : iterable of {"incivility", "technique"}, default both
    include_quotes : bool, default False
        Also read quotations (by default only the commenter's own words are read).
    spans : pandas.DataFrame, optional
        The comments' segment spans, from ``segment.spans(comments, kinds=segment.KINDS)``
        (other kinds in the table are ignored), so sentences, quotes, URLs, artifacts and
        addresses are not found again; the result is the same. Comments without sentence
        spans in it are segmented here.
    id_col, thread_col : str

    Returns
    -------
    pandas.DataFrame
        Columns ``SPAN_COLUMNS``; ``label`` is the category (incivility) or technique key.

    Raises
    ------
    SchemaError
        When *text_col* is missing or a kind is unknown.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"thread_id": ["t"], "comment_id": ["c"],
    ...                    "text": ["They will rot in hell, soulless turds. Just like the Good Germans."]})
    >>> spans(df)[["kind", "label", "text"]].values.tolist()
    [['incivility', 'threat', 'They will rot in hell'], ['technique', 'loaded_language', 'rot'], ['technique', 'loaded_language', 'soulless'], ['incivility', 'insult', 'soulless turds'], ['technique', 'name_calling', 'turds'], ['technique', 'reductio_ad_hitlerum', 'Good Germans']]
    >>> from discourse import segment
    >>> spans(df, spans=segment.spans(df, kinds=segment.KINDS)).equals(spans(df))
    True
    """
    kinds = tuple(kinds)
    bad = [k for k in kinds if k not in _KINDS]
    if bad:
        raise SchemaError(f"kinds must be drawn from {list(_KINDS)}; got {bad!r}.")
    require_columns(comments, [text_col], caller="civility.spans")
    threads = comments[thread_col].tolist() if thread_col in comments.columns else [""] * len(comments)
    ids = comments[id_col].tolist() if id_col in comments.columns else [""] * len(comments)
    if spans is not None:
        require_columns(spans, ["thread_id", "comment_id", "kind", "label", "start", "end"], caller="civility.spans")
    return _spans(comments[text_col], threads, ids, kinds, include_quotes,
                  lambda wanted: _given_segments(spans, list(zip(threads, ids)), "civility.spans", wanted))


def _spans_segmented(comments: pd.DataFrame, segmented: dict | None, *, limit: int | None = None,
                     left_out: dict | None = None) -> pd.DataFrame:
    """:func:`spans` with its default options, the comments' segment spans given as
    :meth:`segment._Segmented.by_key` gives them (the pipeline's way: no spans table read
    back); *segmented* None: none given.

    *limit*: list at most that many spans of one kind and label per comment
    (:func:`discourse.segment.cap_found`), counting those left out in *left_out*
    (``{(thread, comment, kind, label): n}``). :func:`score` gives the same from the capped
    spans: ``techniques`` lists the kinds present, and ``incivility`` is 1.0 (to its four
    decimals) either way once a comment has a thousand incivility spans of one kind, since
    every category weighs 0.08 or more."""
    threads = comments["thread_id"].tolist() if "thread_id" in comments.columns else [""] * len(comments)
    ids = comments["comment_id"].tolist() if "comment_id" in comments.columns else [""] * len(comments)

    def given(wanted: set) -> dict | None:
        if segmented is None:
            return None
        out = {}
        for key in wanted:
            hit = segmented.get(key)
            # (as from a table: a comment counts as covered only when it has sentences)
            if hit is not None and (not hit[1] or any(sp[2] == "sentence" for sp in hit[0])):
                out[key] = hit[0]
        return out

    return _spans(comments["text"], threads, ids, _KINDS, False, given, limit=limit, left_out=left_out)


def _spans(texts, threads: list, ids: list, kinds: tuple, include_quotes: bool, given_for, *,
           limit: int | None = None, left_out: dict | None = None) -> pd.DataFrame:
    """:func:`spans` once its options are checked; *given_for(wanted)*: the segment spans of
    the keys in *wanted* (:func:`_given_segments`), or None; *limit*, *left_out*: as for
    :func:`_spans_segmented`."""
    todo = [(t, c, text) for t, c, text in zip(threads, ids, texts)
            if isinstance(text, str) and text and not text.isspace()]
    screen = _screen([text for _, _, text in todo])
    given = given_for({(t, c) for (t, c, _), found in zip(todo, screen) if found is not None})
    rows = []
    for (t, c, text), screened in zip(todo, screen):
        if screened is None:
            continue
        reading = _Reading(text, include_quotes, None if given is None else given.get((t, c)), screened)
        if not reading.pieces:
            continue
        found = []
        if "incivility" in kinds:
            found += [sp for sp, _ in _incivility_spans(text, include_quotes, reading)]
        if "technique" in kinds:
            found += _technique_spans(text, include_quotes, reading)
        if len(found) > 1:
            found.sort(key=_start_end)
        if limit is not None and len(found) > limit:
            found, more = segment.cap_found(found, limit=limit)
            if left_out is not None:
                left_out.update({(t, c, kind, label): n for (kind, label), n in more.items()})
        rows += [(t, c, sp.kind, sp.label, sp.start, sp.end, text[sp.start:sp.end], "", sp.explanation) for sp in found]
    return segment.span_table(rows)


def score(comments: pd.DataFrame, *, text_col: str = "text", spans: pd.DataFrame | None = None,
          include_quotes: bool = False, id_col: str = "comment_id", thread_col: str = "thread_id") -> pd.DataFrame:
    """Add ``incivility`` (0..1), ``incivility_labels`` and ``techniques`` to each comment.

    Parameters
    ----------
    comments : pandas.DataFrame
        Needs *text_col*.
    text_col : str, default "text"
    spans : pandas.DataFrame, optional
        This stage's spans (from :func:`spans`), so the work is not done twice. The weights
        of incivility spans are recomputed from their labels and explanations.
    include_quotes : bool, default False
        Also read quotations.
    id_col, thread_col : str

    Returns
    -------
    pandas.DataFrame
        A copy with ``incivility`` (``1 - prod(1 - w)`` over the comment's incivility
        spans), ``incivility_labels`` (``;``-separated categories found, e.g.
        ``insult;threat``) and ``techniques`` (``;``-separated technique keys in the order
        of :data:`TECHNIQUES`).

    Raises
    ------
    SchemaError
        When *text_col* is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"text": ["Public education is not a war.", "They will rot in hell, soulless turds.",
    ...                             "Oh, almighty city dweller, must I bow so deep to your highness?"]})
    >>> score(df)[["incivility", "incivility_labels", "techniques"]].values.tolist()
    [[0.0, '', ''], [0.88, 'insult;threat', 'loaded_language;name_calling'], [0.784, 'contempt', '']]
    """
    require_columns(comments, [text_col], caller="civility.score")
    weights = _weights()
    if spans is not None:
        require_columns(spans, ["thread_id", "comment_id", "kind", "label", "explanation"], caller="civility.score")
    threads = comments[thread_col] if thread_col in comments.columns else pd.Series("", index=comments.index)
    ids = comments[id_col] if id_col in comments.columns else pd.Series("", index=comments.index)
    fast = None if spans is None else _scores_by_columns(spans, list(zip(threads.tolist(), ids.tolist())), weights)
    if fast is not None:
        inc, labels, techs = fast
        return comments.assign(
            incivility=pd.Series(inc, index=comments.index, dtype="float64"),
            incivility_labels=pd.Series(labels, index=comments.index, dtype=object),
            techniques=pd.Series(techs, index=comments.index, dtype=object),
        )
    if spans is not None:
        given: dict = {}
        for t, c, k, lab, expl in zip(*(spans[col].tolist() for col in ("thread_id", "comment_id", "kind", "label",
                                                                        "explanation"))):
            if k == "incivility":
                w = weights.get(lab, 0.0)
                if "aimed at a person" in expl:
                    w = min(0.95, w + PERSON_BONUS)
                given.setdefault((t, c), ([], []))[0].append((lab, w))
            elif k == "technique":
                given.setdefault((t, c), ([], []))[1].append(lab)
    inc, labels, techs = [], [], []
    for t, c, text in zip(threads, ids, comments[text_col]):
        if spans is not None:
            found, tech = given.get((t, c), ([], []))
        elif isinstance(text, str) and text.strip():
            reading = _Reading(text, include_quotes)
            found = [(sp.label, w) for sp, w in _incivility_spans(text, include_quotes, reading)]
            tech = [sp.label for sp in _technique_spans(text, include_quotes, reading)]
        else:
            found, tech = [], []
        keep = 1.0
        for _, w in found:
            keep *= 1.0 - w
        inc.append(round(1.0 - keep, 4))
        labels.append(";".join(sorted({lab for lab, _ in found})))
        present = set(tech)
        techs.append(";".join(k for k in TECHNIQUES if k in present))
    return comments.assign(
        incivility=pd.Series(inc, index=comments.index, dtype="float64"),
        incivility_labels=pd.Series(labels, index=comments.index, dtype=object),
        techniques=pd.Series(techs, index=comments.index, dtype=object),
    )


def _scores_by_columns(spans_: pd.DataFrame, keys: list, weights: dict) -> tuple | None:
    """:func:`score`'s three columns from a spans table read column-wise (numpy), or None
    when that cannot give the same (comment keys not unique, missing values where the
    scores read them, more than 62 labels of a kind): ``(incivility, labels, techniques)``.

    Each comment's ``1 - prod(1 - w)`` multiplies in the table's order (rank by rank: its
    first span of every comment, then its second...), as a loop over the spans would.
    """
    import numpy as np

    n = len(keys)
    row_of = {key: r for r, key in enumerate(keys)}
    if len(row_of) != n:
        return None
    if not all(pd.api.types.is_string_dtype(spans_[col]) for col in ("kind", "label", "explanation")):
        return None
    kind = spans_["kind"]
    inc_at = np.flatnonzero((kind == "incivility").to_numpy(dtype=bool, na_value=False))
    tech_at = np.flatnonzero((kind == "technique").to_numpy(dtype=bool, na_value=False))
    label_code, label_names = pd.factorize(spans_["label"])
    label_names = list(label_names)
    if (label_code[inc_at] < 0).any() or (label_code[tech_at] < 0).any():
        return None
    expl = spans_["explanation"].take(inc_at)
    if expl.isna().any():
        return None
    person = expl.str.contains("aimed at a person", regex=False).to_numpy(dtype=bool)
    threads, ids = spans_["thread_id"].tolist(), spans_["comment_id"].tolist()
    get = row_of.get

    def rows_of(at):
        rows = np.array([get((threads[i], ids[i]), -1) for i in at.tolist()], dtype=np.int64)
        return rows >= 0, rows

    out = []
    # Incivility: the score, and the labels found as a bit mask per comment (bit by the
    # label's place in sorted order).
    ok, rows = rows_of(inc_at)
    codes, person = label_code[inc_at][ok], person[ok]
    rows = rows[ok]
    weight = np.array([weights.get(x, 0.0) for x in label_names] or [0.0])[codes]
    weight = np.where(person, np.minimum(0.95, weight + PERSON_BONUS), weight)
    keep = np.ones(n)
    order = np.argsort(rows, kind="stable")
    rows_s, weight_s = rows[order], weight[order]
    first = np.searchsorted(rows_s, rows_s)  # (each span's place among its comment's)
    rank = np.arange(len(rows_s)) - first
    for k in range(int(rank.max()) + 1 if len(rank) else 0):
        at = rank == k
        keep[rows_s[at]] *= 1.0 - weight_s[at]
    inc = np.zeros(n)
    hit = np.unique(rows)
    inc[hit] = [round(x, 4) for x in (1.0 - keep[hit]).tolist()]
    used = sorted({label_names[c] for c in np.unique(codes).tolist()})
    if len(used) > 62:
        return None
    bit = np.zeros(max(len(label_names), 1), dtype=np.int64)
    for b, name in enumerate(used):
        bit[label_names.index(name)] = b
    out.append((rows, bit[codes], used))
    # Techniques: bit by the key's place in TECHNIQUES (other labels are not listed).
    ok, rows = rows_of(tech_at)
    place = {k: b for b, k in enumerate(TECHNIQUES)}
    bit = np.array([place.get(x, -1) for x in label_names] or [-1], dtype=np.int64)[label_code[tech_at]]
    ok &= bit >= 0
    out.append((rows[ok], bit[ok], list(TECHNIQUES)))
    joined = []
    for rows, bits, names in out:
        mask = np.zeros(n, dtype=np.int64)
        np.bitwise_or.at(mask, rows, np.left_shift(1, bits))
        distinct, back = np.unique(mask, return_inverse=True)
        text = [";".join(names[b] for b in range(len(names)) if m >> b & 1) for m in distinct.tolist()]
        joined.append(np.array(text, dtype=object)[back.reshape(-1)].tolist() if n else [])
    return inc, joined[0], joined[1]


def _weights() -> dict:
    cats, shout = _civility_lexicon()
    out = {key: w for key, _, w, _ in cats}
    out["shouting"] = float(shout["weight"])
    return out


def mask_profanity(text: str) -> str:
    """*text* with each profane word replaced by its first letter and asterisks (same length).

    Examples
    --------
    >>> mask_profanity("What the fuck, this is bullshit. Damn.")
    'What the f***, this is b*******. D***.'
    >>> mask_profanity("A class of scunthorpe pupils.")
    'A class of scunthorpe pupils.'
    """
    if not isinstance(text, str) or not text:
        if isinstance(text, pd.Series):
            return text.map(mask_profanity)
        if isinstance(text, pd.DataFrame):
            from .segment import not_text

            raise not_text(text, "mask_profanity", table="civility.mask(table)")
        # None and NaN (a missing text) pass through, so a column with gaps can be mapped.
        return text
    rx = _profanity()

    def hide(m):
        word = m.group()
        return word[0] + "".join("*" if ch.isalnum() or ch in "*#@$" else ch for ch in word[1:])

    return rx.sub(hide, text)


def mask(table: pd.DataFrame, *, columns: Iterable[str] = ("text", "title", "explanation")) -> pd.DataFrame:
    """A copy of *table* with profanity masked in *columns* (those present); offsets stay true.

    Works on a comments, threads or spans table: the mask keeps every string's length,
    so ``text[start:end]`` still lines up with each span.

    Examples
    --------
    >>> import pandas as pd
    >>> mask(pd.DataFrame({"text": ["Total crap.", "Fine."]}))["text"].tolist()
    ['Total c***.', 'Fine.']
    """
    out = table.copy()
    for col in columns:
        if col in out.columns:
            out[col] = pd.Series([mask_profanity(v) if isinstance(v, str) else v for v in out[col]],
                                 index=out.index, dtype=object)
    return out
