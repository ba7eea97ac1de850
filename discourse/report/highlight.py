"""Highlights: cut a text into segments, each carrying the evidence spans that cover it.

A *span* is a piece of evidence with character offsets into one text (see
``model.SPAN_COLUMNS``). Spans overlap freely (a frame term inside a quote inside a
sentence), so the report does not nest markup: it cuts the text at every span boundary
and gives each segment the list of spans covering it. The template then renders each
segment once, escaped, with the classes and the explanation of its spans.

Only the kinds a reader should see are highlighted (``HIGHLIGHT_KINDS``); sentence spans
are structure, not evidence, and are skipped. A span whose offsets do not fit its text
(``text[start:end] != span.text``) is skipped and counted rather than shown at the wrong place.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..lexicons import readable

__all__ = ["HIGHLIGHT_KINDS", "KIND_NAMES", "safe_url", "segments", "tip"]

#: Span kinds the report highlights, in the order their explanations are listed.
HIGHLIGHT_KINDS = ("incivility", "technique", "frame", "quote", "address", "url")

#: How each kind is named to a reader.
KIND_NAMES = {
    "frame": "frame term",
    "technique": "persuasion technique",
    "incivility": "incivility",
    "quote": "quoted words (not scored as the commenter's own)",
    "address": "addresses someone",
    "url": "link",
}


def safe_url(value) -> str:
    """Return *value* when it is an absolute http(s) URL a report may link to, else ``""``.

    Anything else (``javascript:``, ``data:``, relative paths, URLs with spaces or
    control characters, which browsers would silently strip) is not linked.

    Examples
    --------
    >>> safe_url("https://example.org/a?b=1")
    'https://example.org/a?b=1'
    >>> safe_url("javascript:alert(1)"), safe_url(" https://x.org"), safe_url("java\\tscript:x")
    ('', '', '')
    """
    if not isinstance(value, str) or not value or len(value) > 2000:
        return ""
    if any(ord(ch) <= 0x20 or ch in '"<>\\`' or 0x7F <= ord(ch) <= 0x9F for ch in value):
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or value[: len(parts.scheme)].lower() != parts.scheme.lower():
        return ""
    return value


def tip(span: dict) -> str:
    """The one-line explanation of a span shown on hover and focus.

    Examples
    --------
    >>> tip({"kind": "frame", "label": "war", "sense": "metaphorical", "explanation": "'enemies' used of opponents"})
    "frame term: war (metaphorical): 'enemies' used of opponents"
    """
    what = KIND_NAMES.get(span.get("kind", ""), span.get("kind", ""))
    label = readable(span.get("label") or "")
    out = f"{what}: {label}" if label else what
    sense = span.get("sense") or ""
    if sense:
        out += f" ({sense})"
    explanation = span.get("explanation") or ""
    if explanation:
        out += f": {explanation}"
    return out


def segments(text: str, spans, *, kinds=HIGHLIGHT_KINDS) -> tuple[list[dict], int]:
    """Cut *text* at every span boundary.

    Parameters
    ----------
    text : str
        The comment or post text.
    spans : iterable of dict
        Each with ``kind``, ``label``, ``start``, ``end``, ``text``, ``sense``, ``explanation``.
    kinds : tuple of str
        The kinds to highlight.

    Returns
    -------
    (list of dict, int)
        Segments in text order, each ``{"text", "classes", "tip", "href"}`` (``classes``
        empty for plain text; ``href`` a safe URL or ``""``), and the number of spans
        skipped because their offsets did not fit the text.

    Examples
    --------
    >>> segs, bad = segments("We are at war.", [{"kind": "frame", "label": "war", "start": 10, "end": 13,
    ...                                           "text": "war", "sense": "metaphorical", "explanation": ""}])
    >>> [(s["text"], s["classes"]) for s in segs], bad
    ([('We are at ', ''), ('war', 'k-frame s-metaphorical'), ('.', '')], 0)
    """
    order = {k: i for i, k in enumerate(kinds)}
    good = []
    bad = 0
    n = len(text)
    for s in spans:
        kind = s.get("kind", "")
        if kind not in order:
            continue
        try:
            start, end = int(s["start"]), int(s["end"])
        except (TypeError, ValueError):
            bad += 1
            continue
        if not (0 <= start < end <= n):
            bad += 1
            continue
        expected = s.get("text")
        if isinstance(expected, str) and expected and text[start:end] != expected:
            bad += 1
            continue
        good.append((start, end, order[kind], s))
    if not good:
        return ([{"text": text, "classes": "", "tip": "", "href": ""}] if text else []), bad
    cuts = sorted({0, n, *(g[0] for g in good), *(g[1] for g in good)})
    good.sort(key=lambda g: (g[2], g[0]))
    out = []
    for a, b in zip(cuts, cuts[1:]):
        active = [g for g in good if g[0] <= a and g[1] >= b]
        piece = text[a:b]
        if not active:
            out.append({"text": piece, "classes": "", "tip": "", "href": ""})
            continue
        classes = []
        tips = []
        href = ""
        for _, _, _, s in active:
            kind = s["kind"]
            if f"k-{kind}" not in classes:
                classes.append(f"k-{kind}")
            sense = s.get("sense") or ""
            if kind == "frame" and sense and f"s-{_css_word(sense)}" not in classes:
                classes.append(f"s-{_css_word(sense)}")
            t = tip(s)
            if t not in tips:
                tips.append(t)
            if kind == "url" and not href:
                href = safe_url(s.get("text") or text[int(s["start"]):int(s["end"])])
        out.append({"text": piece, "classes": " ".join(classes), "tip": " · ".join(tips), "href": href})
    return out, bad


def _css_word(value: str) -> str:
    return "".join(ch if ch.isalnum() or ch == "-" else "-" for ch in value.lower())[:40]
