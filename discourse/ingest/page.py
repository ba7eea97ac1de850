"""Reader for scraped pages: a post followed by its comments, as plain text.

A scraped page is what a person gets by selecting a blog post and its comments in a
browser and saving the text: the post, perhaps a newsletter footer, then the comments,
each followed by the buttons of the comment widget ("Like", "LikeLike", "Reply"). Names,
dates and nesting are usually lost.

The reader recognises four comment layouts and says which it found:

``like-buttons``
    every comment ends with a like button line ("Like", "LikeLike", "Liked by 2 people");
``reply-buttons``
    every comment ends with a "Reply" line;
``says-headers``
    every comment starts with a "Name says:" line, often followed by a date line;
``blank-lines``
    no widget at all: comments are paragraphs separated by blank lines.

Nothing is lost. The page is cut into *pieces* that cover every character exactly once,
in order: the ``post``, each ``comment``, and what lies outside them: widget ``artifact``
lines, newsletter ``boilerplate``, comment-section ``heading`` lines, ``header`` lines
("Ellen says:", a date) and ``whitespace``. Each comment's ``text`` is the exact slice
of the page between its boundaries, so ``"".join(pieces.text) == page``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from ..errors import InputFormatError

__all__ = ["LAYOUTS", "parse_page", "reassemble"]

LAYOUTS = ("like-buttons", "reply-buttons", "says-headers", "blank-lines")

# Buttons of comment widgets, alone on a line. "LikeLike" is WordPress.com's like button
# scraped with its hidden label; "Liked by N people" its counter.
_LIKE = re.compile(r"(?:Like)+|Liked? by \d+ (?:people|person|bloggers?)|Liked? by [^\n]{1,40} and \d+ others?|Unlike|\d+\s+Likes?", re.I)
_REPLY = re.compile(r"(?:↓\s*)?Reply(?:\s*↓)?|Reply to (?:this )?comment|Reply to \S+", re.I)
# Other widget lines that are never a reader's words.
_OTHER_ARTIFACT = re.compile(
    r"Share this:?|Like this:?|Loading\.*|Report (?:this )?comment|Rate This|Share|Tweet|Email|Print|"
    r"Permalink|Edit|Flag|Cancel reply|Collapse|Expand|\[-\]|\[\+\]|Vote up|Vote down|Upvote|Downvote|"
    r"\d+\s*(?:points?|votes?)|Related|Facebook|Twitter|Pinterest|LinkedIn|Reddit|WhatsApp|Pocket|Tumblr",
    re.I,
)
# Newsletter and subscription footers that trail a post copied from an email.
_BOILERPLATE = re.compile(
    r"Add us to your address book|Want to change how you receive these emails\??|"
    r"You can update your preferences or unsubscribe from this list\.?|.*\bunsubscribe from this list\b.*|"
    r"View this email in your browser|Our mailing address is:?|Copyright ©.*All rights reserved\.?|"
    r"Forward to a friend|Update (?:your )?(?:subscription )?preferences|Unsubscribe|"
    r"Subscribe to (?:our|this) (?:newsletter|blog|list).*|Follow (?:this )?blog via email.*|"
    r"Notify me of (?:new|follow-up) (?:comments|posts).*|Post Comment|Leave a Reply(?: Cancel reply)?|"
    r"Fill in your details below or click an icon to log in:?|You are commenting using your .* account.*",
    re.I,
)
# The line that opens a comment section: "22 comments", "5 thoughts on “A post”", ...
_HEADING = re.compile(
    r"(?:\d+|One|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten)?\s*"
    r"(?:Comments?|Responses?|Replies|Reactions?|thoughts? on\b.*|Responses? to\b.*|Comments? on\b.*|"
    r"Discussion|Join the discussion.*|What readers are saying)\s*:?",
    re.I,
)
_SAYS = re.compile(r"(?P<name>[^\n:]{1,60}?)\s+(?:says|said|wrote|writes)\s*:\s*", re.I)
_SAYS_DATED = re.compile(
    r"(?P<name>[^\n]{1,60}?)\s+on\s+(?P<date>[A-Z][a-z]+\.? \d{1,2},? \d{4}(?:,? at \d{1,2}:\d{2}\s*(?:[ap]\.?m\.?)?)?)\s+(?:said|says|wrote)\s*:\s*",
    re.I,
)
_DATE = re.compile(
    r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
    r"(?:[A-Z][a-z]+\.? \d{1,2},? \d{4}|\d{1,2} [A-Z][a-z]+\.? \d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})"
    r"(?:,?\s*(?:at|@|-)?\s*\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?)?(?:\s*[A-Z]{2,4})?",
    re.I,
)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")


@dataclass
class _Line:
    start: int  # offset of the first character
    end: int  # offset after the last character, line break excluded
    stop: int  # offset after the line break
    text: str
    kind: str  # blank, like, reply, artifact, boilerplate, heading, says, date, text


def _classify(text: str) -> str:
    s = text.strip()
    if not s:
        return "blank"
    if _LIKE.fullmatch(s):
        return "like"
    if _REPLY.fullmatch(s):
        return "reply"
    if _OTHER_ARTIFACT.fullmatch(s):
        return "artifact"
    if _BOILERPLATE.fullmatch(s):
        return "boilerplate"
    if _SAYS_DATED.fullmatch(s) or _SAYS.fullmatch(s):
        return "says"
    if _DATE.fullmatch(s):
        return "date"
    if len(s) < 80 and _HEADING.fullmatch(s):
        return "heading"
    return "text"


def _lines(page: str) -> list[_Line]:
    out = []
    pos = 0
    # Lines end at \n, \r\n or \r only (str.splitlines would also break at U+2028 and
    # friends, which are part of a comment's text).
    for raw in _LINE.findall(page):
        if not raw:
            continue
        body = raw.rstrip("\r\n")
        out.append(_Line(pos, pos + len(body), pos + len(raw), body, _classify(body)))
        pos += len(raw)
    return out


@dataclass
class ParsedPage:
    """The result of :func:`parse_page`."""

    layout: str
    post: tuple[int, int]
    comments: list[dict]
    pieces: list[tuple[str, int, int, str, int]]  # kind, start, end, label, comment index or -1
    skipped: dict
    notes: list[str]


def _detect_layout(lines: list[_Line]) -> str:
    kinds = [ln.kind for ln in lines]
    n_like, n_reply, n_says = kinds.count("like"), kinds.count("reply"), kinds.count("says")
    if n_says >= 2 and n_says >= max(n_like, n_reply) / 2:
        return "says-headers"
    if n_like and n_like >= n_reply:
        return "like-buttons"
    if n_reply:
        return "reply-buttons"
    if n_says:
        return "says-headers"
    return "blank-lines"


def _is_button(kind: str, layout: str) -> bool:
    if layout == "like-buttons":
        return kind in ("like", "reply", "artifact")
    if layout == "reply-buttons":
        return kind in ("reply", "like", "artifact")
    return False


def _is_outside(kind: str) -> bool:
    """Lines that never belong to a post or comment when they stand at its edges."""
    return kind in ("like", "reply", "artifact", "boilerplate", "heading", "blank")


def parse_page(page: str, *, path: str = "<memory>") -> ParsedPage:
    """Cut a scraped page into post, comments and removed pieces.

    Parameters
    ----------
    page : str
        The whole page as text.
    path : str, optional
        Where it came from, for error messages.

    Returns
    -------
    ParsedPage
        ``layout``, the ``post`` span, ``comments`` (dicts with ``start``, ``end``,
        ``author``, ``created_at``), and ``pieces`` covering the page.

    Raises
    ------
    InputFormatError
        When no comment can be found, or the post cannot be told apart from the comments.

    Examples
    --------
    >>> page = "My post.\\n\\nFirst comment.\\nLikeLike\\nSecond comment.\\nLikeLike\\n"
    >>> parsed = parse_page(page)
    >>> parsed.layout, [page[c["start"]:c["end"]] for c in parsed.comments]
    ('like-buttons', ['First comment.', 'Second comment.'])
    """
    lines = _lines(page)
    if not any(ln.kind != "blank" for ln in lines):
        raise InputFormatError("the page holds no text.", path=path)
    if all(_is_outside(ln.kind) for ln in lines):
        raise InputFormatError(
            "the page holds only widget buttons and headings (Like, Reply, Share), no post before them and no comments.",
            path=path,
        )
    layout = _detect_layout(lines)
    notes: list[str] = []
    n = len(lines)

    # 1. Where do the comments begin?
    if layout in ("like-buttons", "reply-buttons"):
        first_marker = next(i for i, ln in enumerate(lines) if _is_button(ln.kind, layout) and ln.kind != "artifact")
    elif layout == "says-headers":
        first_marker = next(i for i, ln in enumerate(lines) if ln.kind == "says")
    else:
        first_marker = n
    # The post ends at the first heading or boilerplate line before the first comment marker
    # that is followed only by blank, heading, boilerplate and artifact lines until the comments...
    post_end = None  # index of the first line after the post
    sep = None
    for j in range(min(first_marker, n) - 1, -1, -1):
        if lines[j].kind in ("heading", "boilerplate"):
            sep = j
            break
    if sep is not None:
        # The post ends where the run of outside lines containing sep begins.
        k = sep
        while k > 0 and _is_outside(lines[k - 1].kind):
            k -= 1
        post_end = k
        comments_from = sep + 1
        while comments_from < n and _is_outside(lines[comments_from].kind) and lines[comments_from].kind != "like" and lines[comments_from].kind != "reply":
            comments_from += 1
    elif layout == "says-headers":
        k = first_marker
        while k > 0 and _is_outside(lines[k - 1].kind):
            k -= 1
        post_end, comments_from = k, first_marker
    elif layout == "blank-lines":
        first_text = next(i for i, ln in enumerate(lines) if ln.kind != "blank")
        blank = next((i for i in range(first_text, n) if lines[i].kind == "blank"), None)
        if blank is None:
            raise InputFormatError(
                "found no comments: the page has no comment buttons (Like, Reply), no 'Name says:' "
                "headers and no blank line between paragraphs. Put a blank line between the post "
                "and each comment, or add a line such as '3 comments' before the first comment.",
                path=path,
            )
        post_end = blank
        comments_from = blank
        notes.append("no comment-section heading found: the first paragraph is taken as the post")
    else:
        blank = next((i for i in range(first_marker - 1, -1, -1) if lines[i].kind == "blank"), None)
        if blank is None:
            raise InputFormatError(
                f"cannot tell where the post ends and the first comment begins ({layout} layout, "
                f"first comment button on line {first_marker + 1}). Put a blank line or a heading "
                "such as 'Comments' between the post and the first comment.",
                path=path,
            )
        k = blank
        while k > 0 and _is_outside(lines[k - 1].kind):
            k -= 1
        post_end, comments_from = k, blank
        notes.append(f"no comment-section heading found: the post is taken to end at the blank line on line {blank + 1}")

    # The post: trailing widget lines (Share this, Like this) are outside it.
    while post_end > 0 and _is_outside(lines[post_end - 1].kind):
        post_end -= 1
    if post_end == 0:
        raise InputFormatError("found comments but no post before them; a page starts with its post.", path=path)

    pieces: list[tuple[str, int, int, str, int]] = []
    post_start = next(ln.start for ln in lines if ln.kind != "blank")
    post_stop = lines[post_end - 1].end
    pieces.append(("post", post_start, post_stop, "", -1))
    for ln in lines[post_end:comments_from]:
        if ln.kind != "blank":
            kind = "boilerplate" if ln.kind == "boilerplate" else ("heading" if ln.kind == "heading" else "artifact")
            if ln.kind == "text":
                kind = "heading"
            pieces.append((kind, ln.start, ln.end, ln.text.strip(), -1))

    # 2. Blocks of comment lines.
    blocks: list[list[int]] = []
    current: list[int] = []
    region = list(range(comments_from, n))
    for i in region:
        kind = lines[i].kind
        if layout in ("like-buttons", "reply-buttons"):
            if _is_button(kind, layout):
                if current:
                    blocks.append(current)
                    current = []
                pieces.append(("artifact", lines[i].start, lines[i].end, lines[i].text.strip(), len(blocks) - 1))
                continue
            current.append(i)
        elif layout == "says-headers":
            if kind == "says" and current:
                blocks.append(current)
                current = []
            current.append(i)
        else:
            if kind == "blank":
                if current:
                    blocks.append(current)
                    current = []
                continue
            current.append(i)
    if current:
        blocks.append(current)

    comments: list[dict] = []
    skipped: dict = {}
    for block in blocks:
        # Trim outside lines at both ends: artifacts, boilerplate, headings, blanks.
        lo, hi = 0, len(block)
        while lo < hi and _is_outside(lines[block[lo]].kind):
            lo += 1
        while hi > lo and _is_outside(lines[block[hi - 1]].kind):
            hi -= 1
        for idx in block[:lo] + block[hi:]:
            ln = lines[idx]
            if ln.kind != "blank":
                kind = "boilerplate" if ln.kind == "boilerplate" else ("heading" if ln.kind == "heading" else "artifact")
                pieces.append((kind, ln.start, ln.end, ln.text.strip(), len(comments) - 1))
        body = block[lo:hi]
        author, created = "", ""
        if body and lines[body[0]].kind == "says":
            head = lines[body[0]]
            m = _SAYS_DATED.fullmatch(head.text.strip()) or _SAYS.fullmatch(head.text.strip())
            author = m.group("name").strip()
            if "date" in m.groupdict() and m.group("date"):
                created = m.group("date")
            pieces.append(("header", head.start, head.end, "author", len(comments)))
            body = body[1:]
            if body and lines[body[0]].kind == "date":
                created = lines[body[0]].text.strip()
                pieces.append(("header", lines[body[0]].start, lines[body[0]].end, "date", len(comments)))
                body = body[1:]
            while body and _is_outside(lines[body[0]].kind):
                ln = lines[body[0]]
                if ln.kind != "blank":
                    pieces.append(("artifact", ln.start, ln.end, ln.text.strip(), len(comments)))
                body = body[1:]
        if not body:
            if author:
                skipped["empty"] = skipped.get("empty", 0) + 1
                notes.append(f"a comment by {author!r} has no text; skipped")
            continue
        start = next(lines[i].start + (len(lines[i].text) - len(lines[i].text.lstrip())) for i in body)
        last = lines[body[-1]]
        end = last.start + len(last.text.rstrip())
        pieces.append(("comment", start, end, "", len(comments)))
        comments.append({"start": start, "end": end, "author": author, "created_at": created})

    if not comments:
        raise InputFormatError(
            f"found a post but no comments after it ({layout} layout). If the page has comments, "
            "check that each ends with its Like/Reply line, starts with 'Name says:', or is "
            "separated from the next by a blank line.",
            path=path,
        )

    # 3. Everything not covered so far must be whitespace; record it so the page reassembles.
    pieces.sort(key=lambda p: p[1])
    covered: list[tuple[str, int, int, str, int]] = []
    pos = 0
    for piece in pieces:
        if piece[1] > pos:
            gap = page[pos:piece[1]]
            if gap.strip():
                raise AssertionError(f"page reader left text uncovered at {pos}: {gap[:40]!r}")
            covered.append(("whitespace", pos, piece[1], "", -1))
        covered.append(piece)
        pos = piece[2]
    if pos < len(page):
        covered.append(("whitespace", pos, len(page), "", -1))
    return ParsedPage(layout=layout, post=(post_start, post_stop), comments=comments, pieces=covered,
                      skipped=skipped, notes=notes)


def _title(post: str) -> str:
    first = post.strip().split("\n", 1)[0].strip()
    if len(first) <= 100:
        return first
    m = re.match(r"(.{20,120}?[.!?])\s", first)
    if m:
        return m.group(1)
    return first[:80].rstrip() + "…"


def read_page(path, *, thread_id: str | None = None):
    """Read a scraped page (post + comments as plain text) into a :class:`~discourse.Corpus`.

    Parameters
    ----------
    path : str or path-like
        A ``.txt`` (or other plain-text) file.
    thread_id : str, optional
        Defaults to the file name without its extension.

    Returns
    -------
    Corpus
        One thread; ``corpus.pieces`` holds the page cut into pieces and
        ``corpus.ingest[0].layout`` the layout detected.
    """
    from pathlib import Path

    from ..model import Corpus, IngestReport, normalize_comments, normalize_threads
    from ._text import read_text

    text, encoding = read_text(path)
    return page_to_corpus(text, path=str(path), thread_id=thread_id or Path(path).stem, encoding=encoding)


def page_to_corpus(page: str, *, path: str = "<memory>", thread_id: str = "page", encoding: str = "utf-8"):
    """Build a :class:`~discourse.Corpus` from page text; see :func:`read_page`.

    Examples
    --------
    >>> corpus = page_to_corpus("A post.\\n\\nAnn says:\\nHello!\\nReply\\nBob says:\\nHi Ann.\\nReply\\n")
    >>> corpus.ingest[0].layout, corpus.comments[["author", "text"]].values.tolist()
    ('says-headers', [['Ann', 'Hello!'], ['Bob', 'Hi Ann.']])
    """
    from ..model import Corpus, IngestReport, normalize_comments, normalize_threads

    parsed = parse_page(page, path=path)
    rows = []
    for k, c in enumerate(parsed.comments):
        rows.append({
            "thread_id": thread_id,
            "comment_id": f"c{k + 1}",
            "parent_id": "",
            "author": c["author"],
            "created_at": c["created_at"] or None,
            "text": page[c["start"]:c["end"]],
        })
    frame = pd.DataFrame(rows)
    if frame["created_at"].notna().any():
        frame["created_at"] = pd.to_datetime(frame["created_at"], errors="coerce", utc=True, format="mixed")
    comments = normalize_comments(frame, where=path, caller="read_page")
    post = page[parsed.post[0]:parsed.post[1]]
    threads = normalize_threads(pd.DataFrame([{
        "thread_id": thread_id, "title": _title(post), "text": post,
        "source_format": "page", "source_path": path,
    }]), comments)
    records = []
    last_comment = ""
    for kind, start, end, label, idx in parsed.pieces:
        if kind in ("comment", "header"):
            cid = f"c{idx + 1}"
            if kind == "comment":
                last_comment = cid
        else:
            # Removed lines belong to the comment they follow (the post's when none yet).
            cid = last_comment if kind != "whitespace" else ""
        records.append({"thread_id": thread_id, "kind": kind, "comment_id": cid, "label": label,
                        "start": start, "end": end, "text": page[start:end]})
    pieces = pd.DataFrame(records, columns=["thread_id", "kind", "comment_id", "label", "start", "end", "text"])
    removed = pieces[pieces["kind"].isin(["artifact", "boilerplate", "heading", "header"])]
    report = IngestReport(
        path=path, format="page", layout=parsed.layout, threads=1,
        seen=len(parsed.comments) + sum(parsed.skipped.values()), kept=len(parsed.comments),
        skipped=dict(parsed.skipped), removed=dict(removed["kind"].value_counts().sort_index()),
        notes=list(parsed.notes) + ([f"decoded as {encoding}"] if encoding not in ("utf-8",) else []),
    )
    return Corpus(threads=threads, comments=comments, pieces=pieces, ingest=(report,))


def reassemble(pieces: pd.DataFrame, thread_id: str | None = None) -> str:
    """Put a page back together from its pieces (the inverse of :func:`parse_page`).

    Examples
    --------
    >>> page = "Post.\\n\\nA comment.\\nLikeLike\\n"
    >>> reassemble(page_to_corpus(page).pieces) == page
    True
    """
    p = pieces if thread_id is None else pieces[pieces["thread_id"] == thread_id]
    return "".join(p.sort_values("start", kind="stable")["text"])
