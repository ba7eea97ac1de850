"""Segment: shared text spans that several stages read (sentences, quotes, URLs, artifacts).

Text is never rewritten. This module finds *spans* in a comment's ``text`` and returns
their character offsets, so that ``text[start:end]`` is exactly the span's text. Every
function here is pure: text in, spans out.

Terms:

sentence
    A run of text ending at ``.``, ``?`` or ``!`` (nltk's Punkt algorithm with the
    abbreviations in :data:`ABBREVIATIONS`, no downloaded model) or at a line break. A
    line break always ends a sentence: in comment exports a line is a paragraph.
quote
    Words the commenter reproduces rather than says: a passage in double quotes (curly
    ``“…”`` or straight ``"…"``), a block between delimiter lines (``x x x x``, ``***``,
    ``---``), lines starting with ``>`` (e-mail and Markdown quoting). Labels:
    ``term`` (one to three quoted words inside the commenter's own sentence, such as
    scare quotes: “Dark Money”), ``inline`` (a longer quotation inside a sentence),
    ``passage`` (a quotation that is a paragraph of its own, such as a quoted article
    introduced by "This is funny:") and ``block`` (delimited or ``>``-quoted lines).
    Stages that score the commenter's own words leave out every quote except ``term``.
url
    A web address (``http://``, ``https://`` or ``www.``).
artifact
    Text that is no one's words: widget buttons left inside the text by a scraper or an
    export ("Like", "LikeLike", "Reply", "Liked by 3 people", "Share this:") and the
    delimiter lines of a block quote.
address
    A vocative: the commenter naming the person they answer ("Sorry, Ellen but",
    "Wow Duane…", "…, Chas."). Found by pattern, so it can be wrong; its explanation
    says which pattern matched.

The span kinds are those of :data:`discourse.model.SPAN_COLUMNS` plus ``artifact``.
Per-text functions (:func:`sentences`, :func:`quotes`, ...) return lists of
:class:`Span` tuples and are fast enough to call per comment; :func:`spans` returns the
spans of a whole comments table as a DataFrame with the columns of ``SPAN_COLUMNS``.
:func:`own_pieces` gives the parts of a text that are the commenter's own words.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
from typing import Iterable, NamedTuple

import pandas as pd

from .errors import SchemaError
from .model import SPAN_COLUMNS, require_columns

__all__ = [
    "ABBREVIATIONS",
    "KINDS",
    "SPAN_LIMIT",
    "Span",
    "addresses",
    "artifacts",
    "cap_spans",
    "excluded",
    "not_text",
    "own_pieces",
    "quotes",
    "sentences",
    "span_table",
    "spans",
    "urls",
]

#: Span kinds this module finds.
KINDS = ("sentence", "quote", "url", "artifact", "address")

#: Abbreviations (lower case, without the final period) after which a period does not end a
#: sentence. Punkt learns these from a corpus; we supply them instead so nothing is downloaded.
ABBREVIATIONS = frozenset(
    """
    mr mrs ms mx dr prof rev hon sr jr st mt ft sen rep gov gen col lt sgt capt cmdr adm supt pres
    vs etc e.g i.e cf al approx dept est inc ltd co corp bros assn univ
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    u.s u.k u.n u.s.a e.u d.c l.a n.y a.m p.m ph.d b.a m.a vol pp fig ed eds
    """.split()
)


# Punkt's fixed patterns, as nltk 3.10 writes them (``nltk.tokenize.punkt.PunktLanguageVars``),
# compiled with the standard ``re``: the splitter needs nothing else of nltk, whose import
# (about 2 s of CPU: it loads scipy.stats and scikit-learn) is left to the functions that
# compare with stock Punkt (:func:`_punkt`, :func:`_stock_punkt`). Tests check the patterns
# are nltk's own.
_PUNKT_SENT_END = '[\\.\\?!]'
_PUNKT_NON_WORD = '(?:[)\\";}\\]\\*:@\\\'\\({\\[\\u2018\\u2019\\u201c\\u201d\\xab\\xbb\\?!])'
_PUNKT_MULTI_CHAR = '(?:\\-{2,}|\\.{2,}|(?:\\.\\s){2,}\\.)'
_PUNKT_WORD_START = '[^\\(\\"\\`{\\[:;&\\#\\*@\\)}\\]\\-,]'
_PUNKT_WORD_FMT = (
    '(\n'
    '        %(MultiChar)s\n'
    '        |\n'
    '        (?=%(WordStart)s)\\S+?  # Accept word characters until end is found\n'
    "        (?= # Sequences marking a word's end\n"
    '            \\s|                                 # White-space\n'
    '            $|                                  # End-of-string\n'
    '            %(NonWord)s|%(MultiChar)s|          # Punctuation\n'
    '            ,(?=$|\\s|%(NonWord)s|%(MultiChar)s) # Comma if at end of word\n'
    '        )\n'
    '        |\n'
    '        \\S\n'
    '    )'
)
_PUNKT_PERIOD_CONTEXT_FMT = (
    '\n'
    '        %(SentEndChars)s             # a potential sentence ending\n'
    '        (?=(?P<after_tok>\n'
    '            %(NonWord)s              # either other punctuation\n'
    '            |\n'
    '            \\s+(?P<next_tok>\\S+)     # or whitespace and some other token\n'
    '        ))'
)
#: Punkt's word tokenizer (``_word_tokenizer_re``).
_PUNKT_WORDS = re.compile(_PUNKT_WORD_FMT % {"NonWord": _PUNKT_NON_WORD, "MultiChar": _PUNKT_MULTI_CHAR,
                                              "WordStart": _PUNKT_WORD_START}, re.UNICODE | re.VERBOSE)
#: Punkt's candidate sentence breaks with their context (``period_context_re``).
_PUNKT_PERIOD_CONTEXT = re.compile(_PUNKT_PERIOD_CONTEXT_FMT % {"NonWord": _PUNKT_NON_WORD,
                                                                "SentEndChars": _PUNKT_SENT_END},
                                   re.UNICODE | re.VERBOSE)
#: Closing quotes and brackets moved to the sentence before (``re_boundary_realignment``).
_PUNKT_REALIGNMENT = re.compile('["\\\')\\]}\\u2018\\u2019\\u201c\\u201d\\xab\\xbb]+?(?:\\s+|(?=--)|$)', re.MULTILINE)


class Span(NamedTuple):
    """One span of a text: ``text[start:end]``, its kind, label and a short explanation."""

    start: int
    end: int
    kind: str
    label: str = ""
    explanation: str = ""


#: ``Span`` from a tuple of all five fields, without the namedtuple's Python-level ``__new__``
#: (sentences are the most numerous spans).
_new_span = functools.partial(tuple.__new__, Span)


@functools.lru_cache(maxsize=1)
def _punkt():
    """nltk's Punkt tokenizer run with this module's patterns and decisions (:data:`_PUNKT_WORDS`,
    :data:`_PUNKT_PERIOD_CONTEXT`, :data:`_PUNKT_REALIGNMENT`, :func:`_sentbreak`).

    The splitter itself (:func:`_punkt_spans`) does not use it; tests compare the two, and
    both with stock Punkt (:func:`_stock_punkt`), on random and real text.
    """
    from nltk.tokenize.punkt import PunktLanguageVars, PunktParameters, PunktSentenceTokenizer, PunktToken

    class _FastToken(PunktToken):
        __slots__ = ()
        _RE_ELLIPSIS = re.compile(PunktToken._RE_ELLIPSIS.pattern)
        _RE_NUMERIC = re.compile(PunktToken._RE_NUMERIC.pattern)
        _RE_INITIAL = re.compile(PunktToken._RE_INITIAL.pattern, re.UNICODE)
        _RE_ALPHA = re.compile(PunktToken._RE_ALPHA.pattern, re.UNICODE)

    class _FastVars(PunktLanguageVars):
        # nltk 3.10 runs every regex through its ReDoS guard (the `regex` engine with a
        # timeout), which made Punkt cost more than VADER itself. Punkt's own fixed patterns
        # are compiled with the standard `re` instead; the algorithm and its decisions are
        # unchanged (tests compare the two on real comments).
        __slots__ = ()
        re_boundary_realignment = _PUNKT_REALIGNMENT

        def _word_tokenizer_re(self):
            return _PUNKT_WORDS

        def period_context_re(self):
            return _PUNKT_PERIOD_CONTEXT

    class _Tokenizer(PunktSentenceTokenizer):
        def text_contains_sentbreak(self, text: str) -> bool:
            return _sentbreak(text)

    params = PunktParameters()
    params.abbrev_types = set(ABBREVIATIONS)
    return _Tokenizer(params, lang_vars=_FastVars(), token_cls=_FastToken)


#: Punkt's decision per context (:func:`_sentbreak`), up to a bound.
_DECIDED: dict = {}
_DECIDED_MAX = 200_000


def _sentbreak(context: str) -> bool:
    """Punkt's ``text_contains_sentbreak(context)`` with our parameters, kept once decided.

    Punkt decides each candidate break from a short context alone ("it. The"), with
    parameters that never change here, and such contexts repeat all through a corpus.
    """
    try:
        return _DECIDED[context]
    except KeyError:
        found = _contains_sentbreak(context, _PUNKT_WORDS.findall, ABBREVIATIONS)
        if len(_DECIDED) < _DECIDED_MAX:
            _DECIDED[context] = found
        return found


_PUNKT_NUMERIC = re.compile(r"^-?[\.,]?\d[\d,\.-]*\.?$")
_PUNKT_INITIAL = re.compile(r"[^\W\d]\.$")


def _contains_sentbreak(context: str, words, abbrevs) -> bool:
    """What Punkt's ``text_contains_sentbreak(context)`` answers, with our parameters.

    nltk builds a token object per word and runs two annotation passes over them; with
    parameters that hold only abbreviations (no collocations, sentence starters or
    orthographic statistics, as here) its decision for a word ending in ``.``, ``?`` or
    ``!`` reduces to the few tests below (tests compare the two on random text).
    *words* is Punkt's word tokenizer (``findall``).
    """
    toks = []
    for line in context.split("\n"):
        if line.strip():
            toks += words(line)
    # True when a word other than the last ends a sentence (the last one's break does not count).
    for i in range(len(toks) - 1):
        tok = toks[i]
        if tok == "." or tok == "?" or tok == "!":
            return True
        if tok[-1:] != "." or tok.endswith(".."):
            continue  # not period-final, or an ellipsis ("...", "so.."): never a break
        low = tok[:-1].lower()
        if low in abbrevs or low.split("-")[-1] in abbrevs:
            continue  # an abbreviation: no break (the orthographic heuristic has no evidence)
        # A break, unless an initial ("J.") or a number ("2017.") comes before punctuation,
        # a lower-case word or (for an initial) an upper-case one.
        low = tok.lower()
        typ = "##number##" if _PUNKT_NUMERIC.match(low) else (low[:-1] if len(low) > 1 and low[-1] == "." else low)
        initial = _PUNKT_INITIAL.match(tok)
        if initial or typ == "##number##":
            nxt = toks[i + 1]
            if nxt in (";", ":", ",", ".", "!", "?") or nxt[0].islower() or (initial and nxt[0].isupper()):
                continue
        return True
    return False


def _stock_punkt():
    """Punkt exactly as nltk ships it, with the same parameters (for tests and benchmarks)."""
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    params = PunktParameters()
    params.abbrev_types = set(ABBREVIATIONS)
    return PunktSentenceTokenizer(params)


_ASCII_SPACE = frozenset(" \t\n\r\x0b\x0c")  # string.whitespace, which Punkt's word-start search uses


def _punkt_spans(text: str) -> list[tuple[int, int]]:
    """``list(_punkt().span_tokenize(text))``, without nltk's chain of generators.

    The same steps in one function: candidate breaks with their context (the word before,
    the mark, what follows), Punkt's decision on each context, then the realignment of
    closing quotes and brackets. Tests compare it with stock Punkt on random text.
    """
    decide = _sentbreak
    space = _ASCII_SPACE
    # _match_potential_end_contexts and _slices_from_text
    slices = []
    last_break = 0
    prev = None
    ps = pe = 0
    for m in _PUNKT_PERIOD_CONTEXT.finditer(text):
        ms = m.start()
        i = ms - 1
        while i >= pe and text[i] not in space:
            i -= 1
        # A space at the very start of the text before this mark counts as none (as in nltk).
        start = i + 1 if i > pe else ps
        if prev is not None and pe <= start:
            if decide(text[ps:pe] + prev.group() + prev.group("after_tok")):
                slices.append((last_break, prev.end()))
                last_break = prev.start("next_tok") if prev.group("next_tok") else prev.end()
        prev, ps, pe = m, start, ms
    if prev is not None and decide(text[ps:pe] + prev.group() + prev.group("after_tok")):
        slices.append((last_break, prev.end()))
        last_break = prev.start("next_tok") if prev.group("next_tok") else prev.end()
    slices.append((last_break, len(text.rstrip())))
    # _realign_boundaries
    out = []
    realign = 0
    match = _PUNKT_REALIGNMENT.match
    last = len(slices) - 1
    for k, (a, b) in enumerate(slices):
        a += realign
        if k == last:
            if a < b:
                out.append((a, b))
            continue
        c, d = slices[k + 1]
        m = match(text[c:d])
        if m:
            out.append((a, c + len(m.group(0).rstrip())))
            realign = m.end()
        else:
            realign = 0
            if a < b:
                out.append((a, b))
    return out


_LINE = re.compile(r"[^\n\r]+")
_HAS_WORD = re.compile(r"[^\W_]")
#: The sentences of a line, by line (see _line_sentences()).
_LINE_SPLITS: dict = {}
_LINE_SPLITS_MAX = 20_000


def not_text(obj, caller: str, *, table: str = "") -> SchemaError:
    """The error for a one-text helper given something else: what came, and what to pass.

    *table* names the function that does the same for a whole table of comments.

    >>> import pandas as pd
    >>> print(not_text(pd.Series(["a"]), "sentences", table="segment.spans(comments, kinds=['sentence'])"))
    sentences needs one text (a str); got a pandas Series. For a column of texts use series.map(sentences), or segment.spans(comments, kinds=['sentence']) for a table.
    """
    kind = type(obj).__name__
    if kind in ("Series", "DataFrame"):
        got = f"a pandas {kind}"
        for_table = f", or {table} for a table" if table else ""
        tip = (f"For a column of texts use series.map({caller}){for_table}." if kind == "Series" else
               f"Pass one text, e.g. comments['text'].iloc[0]; for every comment use comments['text'].map({caller})"
               f"{for_table}.")
    elif isinstance(obj, float) and obj != obj:
        got, tip = "NaN (a missing value)", "Fill missing texts first: series.fillna('')."
    elif isinstance(obj, (bytes, bytearray)):
        got, tip = kind, "Decode it first: text.decode('utf-8')."
    elif obj is None:
        got, tip = "None", "Pass '' for no text."
    else:
        got, tip = f"{kind} {obj!r}"[:80], "Pass str(value) if it is meant as text."
    return SchemaError(f"{caller} needs one text (a str); got {got}. {tip}")


def sentences(text: str) -> list[Span]:
    """The sentences of *text*, in order, with offsets into *text*.

    Every line is split on its own (a line break ends a sentence), with Punkt and the
    abbreviations of :data:`ABBREVIATIONS`. Leading and trailing spaces are not part
    of a sentence; blank lines give none; punctuation that Punkt leaves on its own
    ("true !!" cut after the first "!") joins the sentence before it.

    Parameters
    ----------
    text : str

    Returns
    -------
    list of Span
        Kind ``sentence``, label empty.

    Examples
    --------
    >>> t = "Dr. Rankin said no. Public education is not a war!\\nStill can't agree."
    >>> [t[s.start:s.end] for s in sentences(t)]
    ['Dr. Rankin said no.', 'Public education is not a war!', "Still can't agree."]

    Raises
    ------
    SchemaError
        For anything but a str (or ``None``, which has no sentences): a Series of texts
        is ``series.map(sentences)``.
    """
    if text.__class__ is not str and not isinstance(text, str):
        if text is None:
            return []
        raise not_text(text, "sentences", table="segment.spans(comments, kinds=['sentence'])")
    if not text:
        return []
    may_break = _PUNKT_PERIOD_CONTEXT.search
    out = []
    # Most comments are one line: no need to look for line breaks.
    if "\n" not in text and "\r" not in text:
        if not may_break(text):
            # (the loop below, for one line without a possible break: most comments)
            end = len(text.rstrip())
            return [_new_span((len(text) - len(text.lstrip()), end, "sentence", "", ""))] if end else []
        return _line_spans(text)
    for m in _LINE.finditer(text):
        base, chunk = m.start(), m.group()
        # Without a possible break (".", "?" or "!" followed by more text) Punkt returns
        # the whole line, right-stripped: most lines of most comments.
        if not may_break(chunk):
            end = len(chunk.rstrip())
            if end:
                out.append(_new_span((base + len(chunk) - len(chunk.lstrip()), base + end, "sentence", "", "")))
            continue
        if not chunk.strip():
            continue
        out += _line_spans(chunk, base)
    return out


def _line_sentences(chunk: str) -> tuple:
    """The sentences of one line that may hold a break, as flat offsets into *chunk*:
    ``(start, end, start, end, ...)``."""
    # A line's split depends on the line alone, and lines repeat ("Thanks!", quoted
    # lines), so its sentences are kept, up to a bound: as offsets, not Spans, so an entry
    # is one object for the cyclic collector to scan once the chain has run, not one per
    # sentence more (see _perf.collector_paused).
    found = _LINE_SPLITS.get(chunk)
    if found is not None:
        return found
    out: list = []
    for s, e in _punkt_spans(chunk):
        piece = chunk[s:e]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece) - len(piece.rstrip())
        if e - trail <= s + lead:
            continue
        if out and not _HAS_WORD.search(piece):
            # Punkt cuts "true !!" into "true !" and "!": punctuation alone belongs to
            # the sentence before it (it carries VADER's emphasis).
            out[-1] = e - trail
            continue
        out += (s + lead, e - trail)
    found = tuple(out)
    if len(_LINE_SPLITS) >= _LINE_SPLITS_MAX:
        _LINE_SPLITS.clear()
    _LINE_SPLITS[chunk] = found
    return found


def _line_spans(chunk: str, base: int = 0) -> list[Span]:
    """The sentences of one line (:func:`_line_sentences`) as Spans, offsets *base* on."""
    it = iter(_line_sentences(chunk))
    return [_new_span((base + a, base + b, "sentence", "", "")) for a, b in zip(it, it)]


_sentences = sentences  # addresses() takes a ``sentences`` argument that hides the function's name


_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"“”]+", re.I)


def urls(text: str) -> list[Span]:
    """Web addresses in *text*; trailing punctuation is not part of the address.

    Examples
    --------
    >>> t = "See https://ire.org/events/2703/. And www.example.com!"
    >>> [t[s.start:s.end] for s in urls(t)]
    ['https://ire.org/events/2703/', 'www.example.com']
    """
    if not isinstance(text, str):
        raise not_text(text, "urls", table="segment.spans(comments, kinds=['url'])")
    # Without "://" or a "www." in any case there is no address: skip the case-blind scan.
    if "://" not in text and "www." not in text.lower():
        return []
    return _url_spans(text)


def _url_spans(text: str) -> list[Span]:
    out = []
    for m in _URL.finditer(text):
        end = m.end()
        while end > m.start() and text[end - 1] in ".,;:!?)]}'’":
            end -= 1
        out.append(Span(m.start(), end, "url", "url", "a web address"))
    return out


# Widget buttons alone on a line. "LikeLike" is the WordPress.com like button scraped
# with its hidden label; "Liked by N people" its counter.
_ARTIFACT_LINE = re.compile(
    r"[ \t]*(?:(?:Like)+|Liked? by \d+ (?:people|persons?|bloggers?)|Unlike|Reply|↓\s*Reply|Reply\s*↓|"
    r"Reply to (?:this )?comment|Share this:?|Like this:?|Loading\.{0,3}|Report (?:this )?comment|"
    r"Rate This|Permalink|Vote up|Vote down|Upvote|Downvote|Collapse|Expand|\[-\]|\[\+\])[ \t]*$",
    re.I,
)
# The like button glued to the end of a comment's last word ("to heck.LikeLike"); two
# "Like"s in a row never occur in prose.
_GLUED_LIKE = re.compile(r"(?<=\S)(?:Like){2,}(?=[ \t]*(?:$|\n|\r))")
# What every button or delimiter line starts with (after spaces), at the start of a line:
# text without it has neither, so the line-by-line match is skipped.
_ARTIFACT_STARTS = (r"[ \t]*(?:like|unlike|reply|↓|share|loading|report|rate|permalink|vote|upvote|downvote|"
                    r"collapse|expand|\[|[x*~=#_-])")
_ARTIFACT_HINT = re.compile(r"(?:^|(?<=[\n\r]))" + _ARTIFACT_STARTS, re.I)
# The same test in two parts, much faster: at the start of the text, then after a line
# break (a pattern that starts with the line break lets the engine skip to the breaks).
_ARTIFACT_HINT_FIRST = re.compile(_ARTIFACT_STARTS, re.I).match
_ARTIFACT_HINT_LATER = re.compile(r"[\n\r]" + _ARTIFACT_STARTS, re.I).search
_DELIMITER_LINE = re.compile(r"[ \t]*(?:(?:[xX*~=#_-][ \t]*){3,}|(?:[xX] ){2,}[xX])[ \t]*$")


def _lines(text: str):
    for m in _LINE.finditer(text):
        yield m.start(), m.end(), m.group()


def artifacts(text: str) -> list[Span]:
    """Widget buttons and quote delimiters left inside *text*.

    A button counts only when it is alone on its line or glued to the end of a line
    ("heck.LikeLike"): "Like I said" is a reader's words.

    Examples
    --------
    >>> t = "Like I said, fine.\\nLikeLike\\nReply"
    >>> [(t[s.start:s.end], s.label) for s in artifacts(t)]
    [('LikeLike', 'widget'), ('Reply', 'widget')]
    """
    if not isinstance(text, str):
        raise not_text(text, "artifacts", table="segment.spans(comments, kinds=['artifact'])")
    if "LikeLike" not in text and not _artifact_hint(text):
        return []
    return _artifact_lines(text)


def _artifact_hint(text: str) -> bool:
    """``bool(_ARTIFACT_HINT.search(text))``: a line of *text* starts like a button or a delimiter."""
    return bool(_ARTIFACT_HINT_FIRST(text) or (("\n" in text or "\r" in text) and _ARTIFACT_HINT_LATER(text)))


def _artifact_lines(text: str) -> list[Span]:
    out = []
    for start, end, line in _lines(text):
        if _ARTIFACT_LINE.match(line):
            s = start + len(line) - len(line.lstrip())
            e = start + len(line.rstrip())
            out.append(Span(s, e, "artifact", "widget", "a comment-widget button, not anyone's words"))
            continue
        if _DELIMITER_LINE.match(line):
            s = start + len(line) - len(line.lstrip())
            e = start + len(line.rstrip())
            out.append(Span(s, e, "artifact", "delimiter", "a line that marks where a quoted block starts or ends"))
            continue
        m = _GLUED_LIKE.search(line)
        if m:
            out.append(Span(start + m.start(), start + m.end(), "artifact", "widget",
                            "a like button glued to the end of the comment, not the commenter's words"))
    return out


_OPEN_CLOSE = {"“": "”", "„": "”", "«": "»"}
_QUOTE_OPEN = re.compile('[“„«"]')
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def _quote_label(text: str, start: int, end: int, line_start: int, line_end: int) -> str:
    inner = text[start + 1:end - 1] if end - start >= 2 else ""
    n_words = len(_WORD.findall(inner))
    before = text[line_start:start].strip()
    after = text[end:line_end].strip()
    # A quotation that fills its line (perhaps after an attribution like "Rankin said,"
    # ending in a colon) is a passage of its own.
    if not before and (not after or len(_WORD.findall(after)) <= 1) and n_words >= 8:
        return "passage"
    if n_words <= 3:
        return "term"
    return "inline"


# What a delimiter line starts with (after spaces): at the start of the text, or after a line break.
_DELIMITER_FIRST = re.compile(r"[ \t]*[xX*~=#_-]").match
_DELIMITER_LATER = re.compile(r"[\n\r][ \t]*[xX*~=#_-]").search


def _may_have_delimiters(text: str) -> bool:
    """False when *text* has fewer than two lines that may be delimiter lines (so no delimited block)."""
    if "\n" not in text and "\r" not in text:
        return False  # one line: a block needs a delimiter line before and after it
    return bool(_DELIMITER_FIRST(text) or _DELIMITER_LATER(text))


def quotes(text: str) -> list[Span]:
    """Quotations in *text*: quoted passages, inline quotes, quoted terms and blocks.

    Double quotes pair up within a line; a curly quote left open runs to the end of its
    line. A block between two delimiter lines (``x x x x``, ``***``, ``---``) and a
    run of lines starting with ``>`` are ``block`` quotes. The spans include the quote
    marks (blocks exclude their delimiter lines, which :func:`artifacts` reports).

    Examples
    --------
    >>> t = 'Sorry, Ellen but “avoidance strategies” have not worked. As Rankin said, "You can no more win a war than win an earthquake."'
    >>> [(t[s.start:s.end], s.label) for s in quotes(t)]
    [('“avoidance strategies”', 'term'), ('"You can no more win a war than win an earthquake."', 'inline')]
    >>> t = "This is funny:\\n“Across the country, agencies are accelerating the pace of privatization.”\\nIt's from a conference."
    >>> [s.label for s in quotes(t)]
    ['passage']
    """
    if not isinstance(text, str):
        raise not_text(text, "quotes", table="segment.spans(comments, kinds=['quote'])")
    if not _QUOTE_OPEN.search(text) and ">" not in text and not _may_have_delimiters(text):
        return []
    out: list[Span] = []
    blocked: list[tuple[int, int]] = []
    if ">" not in text and "\n" not in text and "\r" not in text:
        # One line and no '>': no block (a delimited one needs two delimiter lines), only
        # quote marks on the line (most comments with quotes).
        return _line_quotes(text, [(0, len(text), text)], out, blocked)
    lines = list(_lines(text))
    # Blocks between delimiter lines.
    delims = [i for i, (_, _, line) in enumerate(lines) if _DELIMITER_LINE.match(line)]
    for a, b in zip(delims[0::2], delims[1::2]):
        if b > a + 1:
            s, e = lines[a + 1][0], lines[b - 1][1]
            out.append(Span(s, e, "quote", "block", "a block set off by delimiter lines: quoted material, not the commenter's words"))
            blocked.append((s, e))
    # Runs of '>' lines.
    i = 0
    while i < len(lines):
        if lines[i][2].lstrip().startswith(">"):
            j = i
            while j + 1 < len(lines) and lines[j + 1][2].lstrip().startswith(">"):
                j += 1
            s = lines[i][0] + len(lines[i][2]) - len(lines[i][2].lstrip())
            e = lines[j][1]
            if not any(bs <= s < be for bs, be in blocked):
                out.append(Span(s, e, "quote", "block", "lines starting with '>': quoted from someone else"))
                blocked.append((s, e))
            i = j + 1
        else:
            i += 1
    return _line_quotes(text, lines, out, blocked)


def _line_quotes(text: str, lines: list, out: list, blocked: list) -> list[Span]:
    """*out* with the quotes marked on *lines* (outside *blocked*), sorted."""
    for ls, le, line in lines:
        if blocked and any(bs <= ls < be for bs, be in blocked):
            continue
        i = 0
        while True:
            m = _QUOTE_OPEN.search(line, i)
            if m is None:
                break
            i = m.start()
            ch = line[i]
            if ch in _OPEN_CLOSE:
                close = line.find(_OPEN_CLOSE[ch], i + 1)
                end = len(line) if close < 0 else close + 1
            elif ch == '"':
                close = line.find('"', i + 1)
                if close < 0:
                    break
                end = close + 1
            s, e = ls + i, ls + end
            if _WORD.search(text, s, e):
                label = _quote_label(text, s, e, ls, le)
                what = {
                    "term": "a quoted word or phrase inside the commenter's own sentence (kept as their words)",
                    "inline": "a quotation inside the commenter's sentence: someone else's words",
                    "passage": "a quoted passage on its own line: someone else's words",
                }[label]
                if close < 0:
                    what += " (the quote is never closed, so it runs to the end of the line)"
                out.append(Span(s, e, "quote", label, what))
            i = end
    out.sort()
    return out


_NAME = r"[A-Z][a-z]+(?:\s[A-Z][a-z]+)?"
_NOT_NAMES = frozenset(
    """I A An The But And Or So Yes No Oh Ah Well Wow Sorry Thanks Thank Hi Hey Hello Dear Please Sure Right Okay Ok
    Then This That These Those There Here It Its We You They He She My Our Your Their His Her Also However Still Just
    Not Now Why What When Where Who How Indeed Of In On At For To From By With As If Because Since Even Yet Again
    Exactly Agreed True Really Seriously Good Great Nice Sad America Americans God Monday Tuesday Wednesday Thursday
    Friday Saturday Sunday Inc Ltd Jr Sr""".split()
)
_ADDRESS_START = re.compile(
    rf"(?:(?:Sorry|Thanks|Thank you|Wow|Hi|Hey|Hello|Dear|Well|Yes|No|Oh|Ok|Okay|Agreed|Exactly|Right|Sure|Please),?\s+)?"
    rf"(?P<name>{_NAME})\s*(?:,|…|\.\.\.|:|!)"
)
_ADDRESS_AFTER_COMMA = re.compile(rf",\s+(?P<name>{_NAME})(?=\s*(?:[.?!,…]|$))")


_ADDRESS_LEAD = re.compile(r"(?:Sorry|Thanks|Wow|Hi|Hey|Hello|Dear|Well|Yes|No|Oh|Okay|Ok|Agreed),?\s+(?P<name>" + _NAME
                           + r")\s+(?:but|and|I|you)\b")
# What _ADDRESS_START and _ADDRESS_LEAD need somewhere in the text: the last word of a name
# and the mark after it; a greeting and the first letters of the name after it.
_NAME_THEN_MARK = re.compile(r"[A-Z][a-z]+\s*(?:[,…:!]|\.\.\.)").search
_GREETING_NAME = re.compile(r"(?:Sorry|Thanks|Wow|Hi|Hey|Hello|Dear|Well|Yes|No|Oh|Okay|Ok|Agreed),?\s+[A-Z][a-z]").search
# The two in one scan (a third less time than both): every greeting is a capitalised word,
# and a greeting found by _GREETING_NAME is a whole run of letters after a capital (the run
# is read possessively: none of the marks is a letter), so it is that run, told by a
# lookbehind. Tests check it against the two.
_NAME_THEN_MARK_OR_GREETING = re.compile(
    r"[A-Z][a-z]++(?:\s*+(?:[,…:!]|\.\.\.)|(?:"
    + "|".join(f"(?<={g})" for g in "Sorry Thanks Wow Hi Hey Hello Dear Well Yes No Oh Okay Ok Agreed".split())
    + r"),?\s+[A-Z][a-z])").search
_YOU = re.compile(r"\b(?:you|your|yours|yourself)\b", re.I)
_CAPITALISED = re.compile(r"[A-Z][a-z]").search
_COMMA_NAME = re.compile(r",\s+[A-Z][a-z]").search


def addresses(text: str, *, sentences: list[Span] | None = None) -> list[Span]:
    """Vocatives: names the commenter addresses ("Sorry, Ellen but", "Wow Duane…", ", Chas.").

    Two patterns: a name at the start of a sentence (perhaps after "Sorry", "Wow",
    "Thanks", ...) followed by a comma, colon, ellipsis or "!", and a name set off by a
    comma before the end of a sentence or another comma. Common capitalised words that
    are not names ("But", "However", "America") are skipped. The span is the name.

    Parameters
    ----------
    text : str
    sentences : list of Span, optional
        The sentences of *text* (:func:`sentences`), when already found.

    Examples
    --------
    >>> t = "Wow Duane…I am amazed. It is not warfare, Chas. Sorry, Ellen but no."
    >>> [t[s.start:s.end] for s in addresses(t)]
    ['Duane', 'Chas', 'Ellen']
    """
    if not isinstance(text, str):
        raise not_text(text, "addresses", table="segment.spans(comments, kinds=['address'])")
    out = []
    seen = set()
    # Every pattern needs a capitalised word, the comma pattern ", Name": a text without
    # them has no address, and a sentence is searched for ", Name" only if its text has one.
    if not _CAPITALISED(text):
        return out
    comma = _COMMA_NAME(text) is not None
    if not comma and not _NAME_THEN_MARK_OR_GREETING(text):
        # A name at a sentence start is followed by one of the marks, and one after a
        # greeting comes after that greeting: without either anywhere, no sentence has one.
        return out
    for sent in _sentences(text) if sentences is None else sentences:
        chunk = text[sent.start:sent.end]
        m = _ADDRESS_START.match(chunk)
        found = []
        # "Handel, the vicious Republican, ..." is an appositive, not a vocative: a name at
        # the start counts only after an interjection or when the sentence speaks to "you".
        if m and (m.start("name") > 0 or _YOU.search(chunk)):
            found.append((m, "at the start of a sentence"))
        if comma:
            found += [(m2, "set off by a comma") for m2 in _ADDRESS_AFTER_COMMA.finditer(chunk)]
        if m is None or m.group("name") in _NOT_NAMES:
            lead = _ADDRESS_LEAD.match(chunk)
            if lead:
                found.append((lead, "after a greeting or interjection"))
        for match, how in found:
            name = match.group("name")
            first = name.split()[0]
            if first in _NOT_NAMES or name in _NOT_NAMES:
                continue
            s = sent.start + match.start("name")
            e = sent.start + match.end("name")
            if (s, e) in seen:
                continue
            seen.add((s, e))
            out.append(Span(s, e, "address", "vocative", f"'{name}' looks like the person addressed ({how})"))
    out.sort()
    return out


def excluded(text: str) -> list[Span]:
    """The spans that are not the commenter's own words: quotes (except terms), URLs and artifacts.

    Overlapping spans are kept as found; :func:`own_pieces` merges them.

    Examples
    --------
    >>> t = 'Fine. "All warfare is deception, said Sun-Tzu." https://x.org\\nLikeLike'
    >>> [s.kind for s in excluded(t)]
    ['quote', 'url', 'artifact']
    """
    if not isinstance(text, str):
        raise not_text(text, "excluded")
    out = [q for q in quotes(text) if q.label != "term"]
    out += urls(text)
    out += artifacts(text)
    out.sort()
    return out


def _merge(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for s, e in sorted(intervals):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def own_pieces(text: str, start: int = 0, end: int | None = None, *, exclude: Iterable[Span] | None = None) -> list[tuple[int, int]]:
    """The parts of ``text[start:end]`` outside the excluded spans, as ``(start, end)`` offsets.

    Parameters
    ----------
    text : str
    start, end : int, optional
        The window to look in (a sentence, say); the whole text by default.
    exclude : iterable of Span, optional
        Spans to leave out; :func:`excluded` of *text* when not given.

    Examples
    --------
    >>> t = 'Rankin said, "You cannot win a war, any more than an earthquake." Right.'
    >>> [t[s:e] for s, e in own_pieces(t)]
    ['Rankin said, ', ' Right.']
    """
    if not isinstance(text, str):
        raise not_text(text, "own_pieces")
    end = len(text) if end is None else end
    spans_ = excluded(text) if exclude is None else exclude
    out = []
    pos = start
    for s, e in _merge((max(s.start, start), min(s.end, end)) for s in spans_ if s.end > start and s.start < end):
        if s > pos:
            out.append((pos, s))
        pos = max(pos, e)
    if pos < end:
        out.append((pos, end))
    return [(s, e) for s, e in out if text[s:e].strip()]


_FINDERS = {"sentence": sentences, "quote": quotes, "url": urls, "artifact": artifacts, "address": addresses}


def span_table(rows: Iterable[tuple]) -> pd.DataFrame:
    """A spans table with the columns of ``SPAN_COLUMNS`` from rows of values in that order.

    The one place a stage turns its spans into a DataFrame, so every stage's table has
    the same columns and types (``start`` and ``end`` int64, even when empty).

    Parameters
    ----------
    rows : iterable of tuple
        ``(thread_id, comment_id, kind, label, start, end, text, sense, explanation)``.

    Examples
    --------
    >>> t = span_table([("t", "c1", "url", "url", 4, 15, "www.x.org/a", "", "a web address")])
    >>> t[["kind", "start", "end", "text"]].values.tolist()
    [['url', 4, 15, 'www.x.org/a']]
    >>> span_table([]).dtypes[["start", "end"]].astype(str).tolist()
    ['int64', 'int64']
    """
    rows = rows if isinstance(rows, list) else list(rows)
    if rows:
        fast = _columns_table(rows)
        if fast is not None:
            return fast
    out = pd.DataFrame(rows, columns=list(SPAN_COLUMNS))
    return out.astype({"start": "int64", "end": "int64"})


#: The most spans of one kind and label the spans table lists for one comment (see
#: :func:`cap_spans`). The most on real data is 138 (the sentences of a long WordPress
#: comment); a comment of megabytes of one repeated sentence has millions.
SPAN_LIMIT = 1000


def cap_spans(table: pd.DataFrame, *, limit: int = SPAN_LIMIT) -> tuple[pd.DataFrame, dict]:
    """List at most *limit* spans of one kind and label per comment, and say how many more there are.

    The first *limit* spans of each ``(thread_id, comment_id, kind, label)`` are kept in
    the table's order; the explanation of the last one kept ends with how many more the
    comment has (``"(1,234 more spans of this kind and label in this comment are not
    listed: ...)"``). Each stage scores a comment from all its spans before the pipeline
    caps them, so no score changes; what is left out is evidence of the same kind the
    table already shows, and the note says how much. A table with no group over the
    limit is returned as it is.

    Parameters
    ----------
    table : pandas.DataFrame
        A spans table (:data:`discourse.model.SPAN_COLUMNS`).
    limit : int, default :data:`SPAN_LIMIT`

    Returns
    -------
    (pandas.DataFrame, dict)
        The table (index renumbered from 0 when rows were left out) and
        ``{(thread_id, comment_id, kind, label): spans left out}``.

    Examples
    --------
    >>> t = span_table([("t", "c", "sentence", "own", i, i + 1, "a", "", "why") for i in range(4)])
    >>> capped, left_out = cap_spans(t, limit=3)
    >>> len(capped), left_out
    (3, {('t', 'c', 'sentence', 'own'): 1})
    >>> capped["explanation"].iloc[-1]
    'why (1 more span of this kind and label in this comment is not listed: the spans table lists the first 3 of each kind and label per comment; the scores count them all.)'
    """
    import numpy as np

    if len(table) <= limit:
        return table, {}
    # Cheap first: no comment id with more than *limit* rows, no group over the limit.
    codes, _ = pd.factorize(table["comment_id"], use_na_sentinel=False)
    heavy = np.flatnonzero(np.bincount(codes) > limit)
    if not len(heavy):
        return table, {}
    keys = ["thread_id", "comment_id", "kind", "label"]
    rows = np.flatnonzero(np.isin(codes, heavy))
    sub = table.iloc[rows]
    rank = sub.groupby(keys, sort=False, dropna=False).cumcount().to_numpy()
    over = rank >= limit
    if not over.any():
        return table, {}
    size = sub.groupby(keys, sort=False, dropna=False)[keys[0]].transform("size").to_numpy()
    left_out: dict = {}
    last = []
    for i in np.flatnonzero(rank == limit - 1).tolist():
        n = int(size[i]) - limit
        if n > 0:
            left_out[tuple(sub[k].iat[i] for k in keys)] = n
            last.append((rows[i], n))
    out = table.drop(index=table.index[rows[over]]).copy()
    col = out.columns.get_loc("explanation")
    for r, n in last:
        at = out.index.get_loc(table.index[r])
        note = _more_note(n, limit)
        before = out.iat[at, col]
        out.iat[at, col] = f"{before} {note}" if isinstance(before, str) and before else note
    return out.reset_index(drop=True), left_out


def _more_note(n: int, limit: int) -> str:
    return (f"({n:,} more span{'s' * (n != 1)} of this kind and label in this comment "
            f"{'are' if n != 1 else 'is'} not listed: the spans table lists the first {limit:,} of each kind and "
            "label per comment; the scores count them all.)")


def cap_found(found: list, *, limit: int = SPAN_LIMIT) -> tuple[list, dict]:
    """:func:`cap_spans` for one comment's list of :class:`Span`, before it becomes rows.

    Returns the list (the same object when nothing is over the limit) and
    ``{(kind, label): spans left out}``.

    Examples
    --------
    >>> found = [Span(i, i + 1, "technique", "repetition", "why") for i in range(5)]
    >>> kept, left_out = cap_found(found, limit=2)
    >>> [sp.start for sp in kept], left_out, kept[-1].explanation.startswith("why (3 more spans")
    ([0, 1], {('technique', 'repetition'): 3}, True)
    """
    if len(found) <= limit:
        return found, {}
    seen: dict = {}
    for sp in found:
        key = (sp.kind, sp.label)
        seen[key] = seen.get(key, 0) + 1
    over = {key: n - limit for key, n in seen.items() if n > limit}
    if not over:
        return found, {}
    kept, taken = [], {}
    for sp in found:
        key = (sp.kind, sp.label)
        k = taken.get(key, 0)
        if k < limit:
            taken[key] = k + 1
            if k == limit - 1 and key in over:
                note = _more_note(over[key], limit)
                sp = sp._replace(explanation=f"{sp.explanation} {note}" if sp.explanation else note)
            kept.append(sp)
    return kept, over


def capped_note(left_out: dict, *, limit: int = SPAN_LIMIT) -> str:
    """The warning for what :func:`cap_spans` left out: counts per kind, and the comments (the first 5).

    Examples
    --------
    >>> capped_note({("t", "c1", "technique", "repetition"): 54555, ("t", "c1", "sentence", "own"): 10111})
    'evidence spans not listed: 54,555 technique (repetition), 10,111 sentence (own) in 1 comment (t/c1): the spans table lists at most 1,000 spans of one kind and label per comment, and the last one listed says how many more there are; the scores count them all'
    """
    by_label: dict = {}
    for (_, _, kind, label), n in left_out.items():
        by_label[(kind, label)] = by_label.get((kind, label), 0) + n
    comments = list(dict.fromkeys((t, c) for t, c, _, _ in left_out))
    what = ", ".join(f"{n:,} {kind} ({label})" for (kind, label), n in
                        sorted(by_label.items(), key=lambda kv: (-kv[1], kv[0])))
    named = ", ".join(f"{t}/{c}" for t, c in comments[:5]) + (", ..." if len(comments) > 5 else "")
    return (f"evidence spans not listed: {what} in {len(comments)} comment{'s' * (len(comments) != 1)} ({named}): "
            f"the spans table lists at most {limit:,} spans of one kind and label per comment, and the last one "
            "listed says how many more there are; the scores count them all")


@functools.lru_cache(maxsize=1)
def _string_dtype():
    """The dtype pandas gives a column of Python strings, when Arrow holds it (else None)."""
    dtype = pd.DataFrame({"x": ["a"]})["x"].dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return dtype
    return None


def _columns_table(rows: list | None, *, columns: list | None = None) -> pd.DataFrame | None:
    """``span_table(rows)`` built column by column, or None when that cannot give the same.

    pandas infers the type of each value of each column when given rows (a third of a
    stage's time on tables of ~60,000 spans); columns of Python strings go straight to
    Arrow instead. A column that is not all strings (None, numbers), or offsets that are
    not integers, take the general path. *columns*: the rows' columns (``zip(*rows)``)
    instead of the rows; a column may be a str, for that string in every row.
    """
    dtype = _string_dtype()
    if dtype is None:
        return None
    import numpy as np
    import pyarrow as pa
    from pandas.arrays import ArrowStringArray

    data = {}
    if columns is None:
        columns = list(zip(*rows))
    n = next(len(values) for values in columns if not isinstance(values, str))
    for name, values in zip(SPAN_COLUMNS, columns):
        if isinstance(values, str):
            data[name] = ArrowStringArray(pa.repeat(pa.scalar(values, type=pa.large_string()), n), dtype=dtype)
            continue
        if name == "start" or name == "end":
            arr = np.array(values)
            if arr.dtype.kind not in "iu":
                return None
            data[name] = arr.astype(np.int64, copy=False)
            continue
        try:
            arr = pa.array(values, type=pa.large_string())
        except (pa.ArrowException, TypeError, ValueError):
            return None
        if arr.null_count:
            return None
        data[name] = ArrowStringArray(arr, dtype=dtype)
    return pd.DataFrame(data, copy=False)


_OFFSETS = operator.itemgetter(0, 1)  # (start, end) of a Span

# What an ASCII text must hold for each finder's own first test to pass (see _may_find),
# as searches that start with a literal or a rare character class (the regex engine then
# skips ahead in C; an alternation of common first characters would be tried at every
# position): a web address's start (in the lower-cased text); the doubled like button
# (any case) or a line starting like a button or a delimiter line (the text's first
# line too: texts are joined after a line break); a quote mark, '>' or a line that may
# be a delimiter. (Addresses keep their own test: capitalised words are everywhere.)
# A line break is "\n", and "\r" in a second search when the texts hold one (a character
# class for both is tested at every position: about five times slower than two literals).
_MAY = {
    "url": ((rb"://", False), (rb"www\.", True)),
    "artifact": ((rb"likelike", True), (rb"{newline}" + _ARTIFACT_STARTS.encode(), None)),
    "quote": ((rb'"', False), (rb">", False), (rb"{newline}[ \t]*[xX*~=#_-]", False)),
}


@functools.lru_cache(maxsize=16)
def _may_pattern(source: bytes, ignore_case: bool, newline: bytes):
    return re.compile(source.replace(b"{newline}", newline), re.I if ignore_case else 0)


#: Per kind, ``(source, lower, line break)`` for each search of :data:`_MAY` (a search for a
#: line break once with "\n" and once with "\r"), and those without the "\r" ones.
_MAY_SEARCHES = {
    k: ([(source, lower, nl) for source, lower in v for nl in ((b"\n", b"\r") if b"{newline}" in source else (b"",))],
        [(source, lower, b"\n") for source, lower in v])
    for k, v in _MAY.items()
}


def _may_find(texts: list, kinds: tuple) -> list:
    """For each of *texts*, the *kinds* whose finder may find something there (for the ASCII
    texts, read all at once) or *kinds* itself.

    Each kind of :data:`_MAY` is looked for in the ASCII texts, each after ``"\\x00\\n"``,
    one search per text that has it: the others are skipped in C. No pattern matches
    across the NUL, so a match lies in one text (or starts at the line break before
    it), and it holds what the finder's own first test looks for (the finders still run
    that test). Other texts (not ASCII, where case and ``\\s`` read more characters) keep
    every kind.
    """
    import bisect

    out = [kinds] * len(texts)
    gated = [k for k in kinds if k in _MAY]
    at = [i for i, t in enumerate(texts) if isinstance(t, str) and t.isascii()]
    if not gated or len(at) < 2:
        return out
    # Each text after "\x00\n", the first too (its first line starts after a line break).
    starts = list(itertools.accumulate((len(texts[i]) + 2 for i in at), initial=2))
    data = ("\x00\n" + "\x00\n".join(texts[i] for i in at)).encode("ascii")
    lowered = None
    carriage_return = b"\r" in data
    has = [0] * len(at)
    for bit, k in enumerate(gated):
        flag = 1 << bit
        for source, lower, newline in _MAY_SEARCHES[k][0 if carriage_return else 1]:
            # (lower: search the lower-cased text; None: ignore case in the pattern)
            if lower and lowered is None:
                lowered = data.lower()
            search, pos = _may_pattern(source, lower is None, newline).search, 0
            while True:
                m = search(lowered if lower else data, pos)
                if m is None:
                    break
                j = bisect.bisect_right(starts, m.end() - 1) - 1
                has[j] |= flag
                pos = starts[j + 1] - 1  # (the line break before the next text)
    ungated = tuple(k for k in kinds if k not in _MAY)
    by_mask = {mask: tuple(k for k in kinds if k in ungated or mask >> gated.index(k) & 1) for mask in set(has)}
    if len(at) == len(texts):
        return [by_mask[mask] for mask in has]
    for i, mask in zip(at, has):
        out[i] = by_mask[mask]
    return out


def _find(text: str, kinds: tuple) -> list[Span]:
    """The spans of *kinds* in *text*, sorted by (start, end); sentences are split once."""
    return _find_mixed(text, kinds)[0]


def _find_mixed(text: str, kinds: tuple) -> tuple[list[Span], bool]:
    """:func:`_find`, and whether the spans are of another kind than ``sentence``."""
    found: list[Span] = []
    sents = None
    parts = 0
    mixed = False
    for k in kinds:
        if k == "sentence" or k == "address":
            if sents is None:
                sents = sentences(text)
            got = sents if k == "sentence" else addresses(text, sentences=sents)
        else:
            got = _FINDERS[k](text)
        if got:
            parts += 1
            found += got
            if k != "sentence":
                mixed = True
    # Each finder lists its spans in (start, end) order: spans of one kind alone (most
    # texts have only sentences) need no sort.
    if parts > 1:
        found.sort(key=_OFFSETS)
    return found, mixed


class _Segmented:
    """The segment spans of each row of a table, as :func:`spans` finds them, before the
    table is built: what the later stages of the pipeline read (the sentences above all,
    which end up in no table), without going through a DataFrame and back.

    ``found[i]`` is the sorted :class:`Span` list of row *i* (empty when its text is not a
    non-empty string); ``mixed[i]`` tells whether it holds a span other than a sentence.
    """

    __slots__ = ("threads", "ids", "texts", "found", "mixed")

    def __init__(self, threads: list, ids: list, texts: list, found: list, mixed: list):
        self.threads, self.ids, self.texts, self.found, self.mixed = threads, ids, texts, found, mixed

    def table(self, *, sentences: bool = True) -> pd.DataFrame:
        """The spans table (:func:`spans`), or the one without its sentences (its rows
        in the same order, numbered from 0)."""
        spans_, thread_of, id_of, covered = [], [], [], []
        for t, c, text, got, mixed in zip(self.threads, self.ids, self.texts, self.found, self.mixed):
            if not got:
                continue
            if not sentences:
                if not mixed:
                    continue
                got = [sp for sp in got if sp[2] != "sentence"]
                if not got:
                    continue
            spans_ += got
            if len(got) == 1:
                thread_of.append(t)
                id_of.append(c)
            else:
                thread_of += [t] * len(got)
                id_of += [c] * len(got)
            covered += [text[a:b] for a, b, _, _, _ in got]
        if not spans_:
            return span_table([])
        return _table_of(spans_, thread_of, id_of, covered)

    def by_key(self) -> dict | None:
        """``{(thread, comment): (spans, mixed)}`` of the rows with spans, or None when two
        rows share a key (a table could not tell their spans apart)."""
        keys = list(zip(self.threads, self.ids))
        if len(set(keys)) != len(keys):
            return None
        return {k: (got, mixed) for k, got, mixed in zip(keys, self.found, self.mixed) if got}


def _table_of(found: list, thread_of: list, id_of: list, covered: list) -> pd.DataFrame:
    """The spans table of *found* (:class:`Span` tuples) with their thread and comment ids
    and the text each covers."""
    # The table's columns are gathered as lists (the spans themselves are the offset,
    # kind, label and explanation columns): no row tuple per span.
    starts, ends, kind, label, why = zip(*found)
    columns = [thread_of, id_of, kind, label, starts, ends, covered, "", why]
    table = _columns_table(None, columns=columns)
    if table is None:
        table = span_table(list(zip(*[[""] * len(found) if isinstance(x, str) else x for x in columns])))
    return table


def spans(comments: pd.DataFrame, *, kinds: Iterable[str] = ("quote", "url", "artifact", "address"),
          text_col: str = "text", id_col: str = "comment_id", thread_col: str = "thread_id") -> pd.DataFrame:
    """The segment spans of every comment, as a table with the columns of ``SPAN_COLUMNS``.

    Parameters
    ----------
    comments : pandas.DataFrame
        Needs *text_col*; *id_col* and *thread_col* are used when present (a threads
        table without comment ids gives spans with an empty ``comment_id``).
    kinds : iterable of str, default ("quote", "url", "artifact", "address")
        Which of :data:`KINDS` to find. Sentences are left out by default: there are many.
    text_col, id_col, thread_col : str

    Returns
    -------
    pandas.DataFrame
        One row per span, in comment order and then by offset; ``sense`` is empty.

    Raises
    ------
    SchemaError
        When *text_col* is missing or a kind is unknown.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"thread_id": ["t"], "comment_id": ["c1"],
    ...                    "text": ['Wow Duane…you said "avoidance strategies" work.\\nLikeLike']})
    >>> spans(df)[["kind", "label", "start", "end", "text"]].values.tolist()
    [['address', 'vocative', 4, 9, 'Duane'], ['quote', 'term', 19, 41, '"avoidance strategies"'], ['artifact', 'widget', 48, 56, 'LikeLike']]
    """
    kinds = tuple(kinds)
    bad = [k for k in kinds if k not in _FINDERS]
    if bad:
        raise SchemaError(f"kinds must be drawn from {list(KINDS)}; got {bad!r}.")
    require_columns(comments, [text_col], caller="segment.spans")
    return _segment(comments, kinds, text_col, id_col, thread_col).table()


def _segment(comments: pd.DataFrame, kinds: tuple = KINDS, text_col: str = "text", id_col: str = "comment_id",
             thread_col: str = "thread_id") -> _Segmented:
    """The spans of :func:`spans` row by row (:class:`_Segmented`), before any table is built."""
    n = len(comments)
    threads = comments[thread_col].tolist() if thread_col in comments.columns else [""] * n
    ids = comments[id_col].tolist() if id_col in comments.columns else [""] * n
    texts = comments[text_col].tolist()
    found, mixed = [], []
    for text, run in zip(texts, _may_find(texts, kinds)):
        if not isinstance(text, str) or not text:
            found.append(())
            mixed.append(False)
            continue
        got, m = _find_mixed(text, run)
        found.append(got)
        mixed.append(m)
    return _Segmented(threads, ids, texts, found, mixed)
