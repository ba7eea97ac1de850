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

import functools
import re
from typing import Iterable

import pandas as pd

from . import segment
from .errors import SchemaError
from .model import SPAN_COLUMNS, require_columns

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

_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|yourself|yourselves|you're|you’re|youre|ya|u)\b", re.I)


def _term_pattern(term: str) -> str:
    star = term.endswith("*")
    body = term[:-1] if star else term
    parts = [re.escape(p) for p in body.split()]
    pat = r"\s+".join(parts).replace("’", "['’]").replace("'", "['’]")
    if star:
        pat += r"[\w'’-]*"
    # Word boundaries that also work for terms starting or ending in punctuation ("sad!").
    return rf"(?<!\w)(?<!\w['’]){pat}(?!\w)"


_TERM_START = r"(?<!\w)(?<!\w['’])"


def _compile(terms: Iterable[str], patterns: Iterable[str]):
    terms = sorted(set(terms), key=len, reverse=True)
    if not terms and not patterns:
        return None
    # The word-boundary lookbehinds stand once in front of all the terms rather than in
    # each of them: the engine then rejects a position inside a word at once instead of
    # trying every term there (same matches, several times faster on long comments).
    cores = [_term_pattern(t)[len(_TERM_START):] for t in terms]
    alts = ([_TERM_START + "(?:" + "|".join(f"(?:{c})" for c in cores) + ")"] if cores else []) + list(patterns)
    return re.compile("|".join(f"(?:{a})" for a in alts), re.I)


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
    return next(rx for key, rx, _, _ in cats if key == "profanity")


def _regions(text: str, include_quotes: bool):
    """The (start, end) pieces of *text* to read, and the sentences."""
    sents = segment.sentences(text)
    excl = segment.urls(text) + segment.artifacts(text)
    if not include_quotes:
        excl += [q for q in segment.quotes(text) if q.label != "term"]
    return segment.own_pieces(text, exclude=excl), sents


def _in_pieces(s: int, e: int, pieces) -> bool:
    return any(a <= s and e <= b for a, b in pieces)


def _shouting(text: str, spec: dict, pieces) -> list[segment.Span]:
    letters = [c for c in text if c.isalpha()]
    if not letters or sum(c.isupper() for c in letters) / len(letters) > 0.6:
        return []  # an all-capitals text (a meme, a headline): no word stands out
    acronyms = set(spec["acronyms"])
    n = int(spec["min_letters"])
    out = []
    for m in re.finditer(rf"\b[A-Z][A-Z'’]{{{n - 1},}}\b(?:[\s,]+[A-Z][A-Z'’]+\b)*", text):
        words = [w for w in re.findall(r"[A-Z'’]+", m.group()) if w.strip("'’") not in acronyms]
        if words and any(len(w) >= n for w in words) and _in_pieces(m.start(), m.end(), pieces):
            out.append(segment.Span(m.start(), m.end(), "incivility", "shouting",
                                    spec["explanation"].format(text=m.group())))
    for m in re.finditer(r"\b\w*([A-Za-z])\1{3,}\w*\b", text):
        if _in_pieces(m.start(), m.end(), pieces) and not any(s.start <= m.start() < s.end for s in out):
            out.append(segment.Span(m.start(), m.end(), "incivility", "shouting",
                                    spec["explanation"].format(text=m.group())))
    return out


def _incivility_spans(text: str, include_quotes: bool = False) -> list[tuple[segment.Span, float]]:
    cats, shout = _civility_lexicon()
    pieces, sents = _regions(text, include_quotes)
    if not pieces:
        return []
    found: list[tuple[segment.Span, float]] = []
    taken: list[tuple[int, int]] = []
    for key, rx, weight, explanation in cats:
        if rx is None:
            continue
        for m in rx.finditer(text):
            s, e = m.start(), m.end()
            if s == e or not _in_pieces(s, e, pieces) or any(a < e and s < b for a, b in taken):
                continue
            taken.append((s, e))
            found.append((segment.Span(s, e, "incivility", key, explanation.format(text=m.group())), weight))
    for sp in _shouting(text, shout, pieces):
        if not any(a < sp.end and sp.start < b for a, b in taken):
            found.append((sp, float(shout["weight"])))
    addressed = {(a.start, a.end) for a in segment.addresses(text)}
    out = []
    for sp, weight in found:
        sent = next((x for x in sents if x.start <= sp.start < x.end), None)
        if sp.label == "shouting":
            out.append((sp, weight))
            continue
        at_person = sent is not None and (
            _SECOND_PERSON.search(text, sent.start, sent.end) is not None
            or any(sent.start <= a < sent.end for a, _ in addressed))
        if at_person:
            sp = sp._replace(explanation=sp.explanation + " It is aimed at a person (the sentence speaks to someone).")
            weight = min(0.95, weight + PERSON_BONUS)
        elif sp.label != "personal_attack":
            sp = sp._replace(explanation=sp.explanation + " It is aimed at a group or an idea, not at the person addressed.")
        out.append((sp, weight))
    out.sort(key=lambda x: (x[0].start, x[0].end))
    return out


_CONTENT = re.compile(r"[A-Za-z][A-Za-z'’]{3,}")
_STOP = frozenset(
    "that this with have from they them their there what when where which while would could should about been were "
    "will your just also than then into over more most some such only other very many much does doing being because "
    "those these here like even well still make made know think said says really thing things people".split()
)


def _repetition(text: str, pieces, explanation: str) -> list[segment.Span]:
    words = [(m.start(), m.end(), m.group().lower().replace("’", "'")) for m in _CONTENT.finditer(text)
             if _in_pieces(m.start(), m.end(), pieces)]
    out = []
    # A word said three or more times in a row ("die die die").
    for m in re.finditer(r"\b(\w+)(?:[\s,!.]+\1\b){2,}", text, re.I):
        if _in_pieces(m.start(), m.end(), pieces):
            out.append(segment.Span(m.start(), m.end(), "technique", "repetition", explanation.format(text=m.group())))
    n_words = len(re.findall(r"\w+", text))
    if n_words <= 150:
        counts: dict = {}
        for s, e, w in words:
            if w not in _STOP:
                counts.setdefault(w, []).append((s, e))
        for w, occ in counts.items():
            if len(occ) >= 4:
                for s, e in occ:
                    out.append(segment.Span(s, e, "technique", "repetition",
                                            explanation.format(text=text[s:e]) + f" ('{w}' appears {len(occ)} times.)"))
    # A phrase of two content words used three or more times.
    bigrams: dict = {}
    for (s1, _e1, w1), (_s2, e2, w2) in zip(words, words[1:]):
        if w1 not in _STOP or w2 not in _STOP:
            bigrams.setdefault((w1, w2), []).append((s1, e2))
    for (w1, w2), occ in bigrams.items():
        if len(occ) >= 3:
            for s, e in occ:
                if not any(x.start <= s < x.end for x in out):
                    out.append(segment.Span(s, e, "technique", "repetition",
                                            explanation.format(text=text[s:e]) + f" ('{w1} {w2}' appears {len(occ)} times.)"))
    return out


_SLOGAN_LINE = re.compile(r"[^\n\r]+")


def _slogan_lines(text: str, pieces, explanation: str) -> list[segment.Span]:
    out = []
    for m in _SLOGAN_LINE.finditer(text):
        line = m.group().strip()
        words = re.findall(r"[A-Za-z'’]+", line)
        if not 2 <= len(words) <= 8:
            continue
        # A short exclamation on a line of its own after other text: a chant, not a sentence.
        # (Lines in capitals are not enough: memes and headlines are all capitals.)
        if line.endswith("!") and len(words) <= 6 and m.start() > 0:
            s = m.start() + len(m.group()) - len(m.group().lstrip())
            e = s + len(line)
            if _in_pieces(s, e, pieces):
                out.append(segment.Span(s, e, "technique", "slogans", explanation.format(text=line)))
    return out


def _technique_spans(text: str, include_quotes: bool = False) -> list[segment.Span]:
    lex = _technique_lexicon()
    pieces, _ = _regions(text, include_quotes)
    if not pieces:
        return []
    out = []
    for key in TECHNIQUES:
        rx, name, explanation = lex[key]
        if key == "repetition":
            out += _repetition(text, pieces, explanation)
            continue
        if key == "slogans":
            out += _slogan_lines(text, pieces, explanation)
        if rx is None:
            continue
        for m in rx.finditer(text):
            s, e = m.start(), m.end()
            while e > s and text[e - 1].isspace():
                e -= 1
            while s < e and text[s].isspace():
                s += 1
            if s < e and _in_pieces(s, e, pieces):
                out.append(segment.Span(s, e, "technique", key, explanation.format(text=text[s:e])))
    out.sort(key=lambda x: (x.start, x.end, x.label))
    # One span per technique and place.
    seen, unique = set(), []
    for sp in out:
        if (sp.start, sp.end, sp.label) not in seen:
            seen.add((sp.start, sp.end, sp.label))
            unique.append(sp)
    return unique


_KINDS = ("incivility", "technique")


def spans(comments: pd.DataFrame, *, text_col: str = "text", kinds: Iterable[str] = _KINDS,
          include_quotes: bool = False, id_col: str = "comment_id", thread_col: str = "thread_id") -> pd.DataFrame:
    """Incivility and persuasion-technique spans, with offsets into each comment's text.

    Parameters
    ----------
    comments : pandas.DataFrame
        Needs *text_col*; *id_col* and *thread_col* are copied when present.
    text_col : str, default "text"
    kinds : iterable of {"incivility", "technique"}, default both
    include_quotes : bool, default False
        Also read quotations (by default only the commenter's own words are read).
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
    """
    kinds = tuple(kinds)
    bad = [k for k in kinds if k not in _KINDS]
    if bad:
        raise SchemaError(f"kinds must be drawn from {list(_KINDS)}; got {bad!r}.")
    require_columns(comments, [text_col], caller="civility.spans")
    threads = comments[thread_col] if thread_col in comments.columns else pd.Series("", index=comments.index)
    ids = comments[id_col] if id_col in comments.columns else pd.Series("", index=comments.index)
    rows = []
    for t, c, text in zip(threads, ids, comments[text_col]):
        if not isinstance(text, str) or not text.strip():
            continue
        found = []
        if "incivility" in kinds:
            found += [sp for sp, _ in _incivility_spans(text, include_quotes)]
        if "technique" in kinds:
            found += _technique_spans(text, include_quotes)
        found.sort(key=lambda x: (x.start, x.end))
        rows += [(t, c, sp.kind, sp.label, sp.start, sp.end, text[sp.start:sp.end], "", sp.explanation) for sp in found]
    return pd.DataFrame(rows, columns=list(SPAN_COLUMNS)).astype({"start": "int64", "end": "int64"})


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
        given: dict = {}
        for t, c, k, lab, expl in spans[["thread_id", "comment_id", "kind", "label", "explanation"]].itertuples(index=False):
            if k == "incivility":
                w = weights.get(lab, 0.0)
                if "aimed at a person" in expl:
                    w = min(0.95, w + PERSON_BONUS)
                given.setdefault((t, c), ([], []))[0].append((lab, w))
            elif k == "technique":
                given.setdefault((t, c), ([], []))[1].append(lab)
    threads = comments[thread_col] if thread_col in comments.columns else pd.Series("", index=comments.index)
    ids = comments[id_col] if id_col in comments.columns else pd.Series("", index=comments.index)
    inc, labels, techs = [], [], []
    for t, c, text in zip(threads, ids, comments[text_col]):
        if spans is not None:
            found, tech = given.get((t, c), ([], []))
        elif isinstance(text, str) and text.strip():
            found = [(sp.label, w) for sp, w in _incivility_spans(text, include_quotes)]
            tech = [sp.label for sp in _technique_spans(text, include_quotes)]
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
