"""Readers for Reddit: a thread's ``.json`` listing, and flat comment dumps (Pushshift style).

Thread listing (``reddit``)
    What ``https://www.reddit.com/comments/<id>.json`` returns: a two-element array, the
    submission (``t3``) listing and the comment (``t1``) listing, each comment holding its
    ``replies`` as a nested listing. The submission becomes the thread (``thread_id`` = its
    id), comments keep their display order, and every ``parent_id`` naming a comment is an
    explicit reply link. ``kind: more`` stubs stand for comments the listing did not include
    ("load more comments", "continue this thread"): their ``count`` is added up and reported as
    ``not_downloaded``, never invented.

Flat dump (``reddit-jsonl``)
    One JSON object per line with ``id``, ``parent_id``, ``link_id``, ``author``,
    ``created_utc``, ``body`` (Pushshift, BigQuery and most scrapers). ``t1_``/``t3_`` prefixes
    are removed: a parent ``t3_<post>`` means the comment answers the post, ``thread_id`` is
    ``link_id`` without ``t3_``. Submission lines (``title``, no ``body``) become thread rows.
    The file is read line by line, so a dump of hundreds of megabytes never sits in memory as
    text; a line that is not a JSON object is skipped as ``unparseable`` (counted, its line
    number in a note, one warning), since dumps often end with a truncated line: see
    :class:`~discourse.ingest._common.BadLines`, the policy every line-based reader follows.

Both: a body of ``[deleted]`` or ``[removed]`` gives ``status`` ``deleted``/``removed`` (kept as a
placeholder when others reply to it, else skipped); the author ``[deleted]`` becomes an
unknown author. Bodies are Markdown and are kept as they are; listings fetched without
``raw_json=1`` escape ``&``, ``<`` and ``>``, which are then unescaped (and noted).
"""

from __future__ import annotations

import html
import json

from ..errors import InputFormatError
from ._common import BadLines, Tally, build_corpus, parse_time
from ._text import iter_lines, loads_json, read_bytes

__all__ = ["read_reddit", "read_reddit_jsonl", "sniff_reddit", "sniff_reddit_jsonl"]

_EXTRA = ("score", "subreddit")


def _strip(fullname) -> str:
    s = "" if fullname is None else str(fullname)
    return s[3:] if len(s) > 3 and s[0] == "t" and s[2] == "_" and s[1].isdigit() else s



def _data(thing: dict, path) -> dict:
    """The ``data`` object of a Reddit thing, or an error naming the thing that lacks one."""
    d = thing.get("data", {})
    if not isinstance(d, dict):
        raise InputFormatError(f"a Reddit {thing.get('kind') or 'thing'} has 'data' of type {type(d).__name__}; "
                               "expected an object with the item's fields. Re-download the listing.", path=path)
    return d


def _children(listing: dict, path) -> list:
    """The children of a Reddit listing, each checked to be an object."""
    kids = _data(listing, path).get("children", [])
    if not isinstance(kids, list) or not all(isinstance(k, dict) for k in kids):
        raise InputFormatError("a Reddit listing's 'children' is not a list of objects "
                               '(expected [{"kind": "t1", "data": {...}}, ...]). Re-download the listing.', path=path)
    return kids

def _text(value) -> str:
    """A text field as a string: a missing field is empty, any other value is kept as its string form."""
    return "" if value is None else value if isinstance(value, str) else str(value)


def _unescape(s: str) -> str:
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _status(body: str) -> str:
    if body == "[deleted]":
        return "deleted"
    if body == "[removed]":
        return "removed"
    return "approved"


def _author(name) -> str:
    return "" if name in (None, "[deleted]") else str(name)


def read_reddit(path, *, thread_id=None):
    """Read a Reddit thread ``.json`` listing (with nested ``replies``) into a :class:`~discourse.Corpus`.

    Parameters
    ----------
    path : str or path-like
        The saved ``<id>.json`` (a two-element array), or a single comment listing.
    thread_id : str, optional
        Replaces the submission id as the thread id.

    Returns
    -------
    Corpus
        ``corpus.ingest[0].not_downloaded`` counts the comments behind ``more`` stubs.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> c1 = {"kind": "t1", "data": {"id": "c1", "parent_id": "t3_p", "author": "ann", "body": "First",
    ...       "created_utc": 1600000000, "replies": {"kind": "Listing", "data": {"children": [
    ...       {"kind": "t1", "data": {"id": "c2", "parent_id": "t1_c1", "author": "[deleted]",
    ...        "body": "Reply &gt; quote", "created_utc": 1600000100, "replies": ""}},
    ...       {"kind": "more", "data": {"count": 4, "children": ["c3", "c4"]}}]}}}}
    >>> listing = [{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"id": "p", "title": "T"}}]}},
    ...            {"kind": "Listing", "data": {"children": [c1]}}]
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "p.json"
    >>> _ = p.write_text(json.dumps(listing))
    >>> corpus = read_reddit(p)
    >>> corpus.comments[["comment_id", "parent_id", "author", "text"]].values.tolist()
    [['c1', '', 'ann', 'First'], ['c2', 'c1', '', 'Reply > quote']]
    >>> corpus.ingest[0].not_downloaded
    4
    """
    from ._text import decode

    text, encoding = decode(read_bytes(path), path=str(path))
    try:
        data = loads_json(text)
    except json.JSONDecodeError as err:
        raise InputFormatError(f"invalid JSON ({err.msg}, column {err.colno}); a Reddit thread listing is one JSON document.",
                               path=path, line=err.lineno) from err
    del text
    listings = data if isinstance(data, list) else [data]
    if not all(isinstance(x, dict) and x.get("kind") == "Listing" for x in listings):
        raise InputFormatError("is JSON but not a Reddit listing (expected [{\"kind\": \"Listing\", ...}, ...]).", path=path)
    tally = Tally()
    threads: list[dict] = []
    post_id = ""
    comments_listing = None
    for listing in listings:
        kids = _children(listing, path)
        if kids and kids[0].get("kind") == "t3":
            d = _data(kids[0], path)
            post_id = str(d.get("id", ""))
            threads.append({
                "thread_id": post_id, "title": _text(d.get("title")), "author": _author(d.get("author")),
                "created_at": parse_time(d.get("created_utc")), "url": "https://www.reddit.com" + d["permalink"]
                if d.get("permalink") else d.get("url", ""), "text": _text(d.get("selftext")),
                "subreddit": d.get("subreddit", ""), "num_comments": d.get("num_comments"),
            })
        else:
            comments_listing = listing
    rows: list[dict] = []
    more_stubs = continue_links = 0
    escaped = None
    stack = list(reversed(_children(comments_listing or {"data": {}}, path)))
    while stack:
        child = stack.pop()
        kind, d = child.get("kind"), _data(child, path)
        if kind == "more":
            n = int(d.get("count") or 0)
            tally.not_downloaded += n
            if n or d.get("children"):
                more_stubs += 1
            else:
                continue_links += 1
            continue
        if kind != "t1":
            continue
        tally.seen += 1
        body = _text(d.get("body"))
        if escaped is None and any(ch in body for ch in "<>"):
            escaped = False
        tid = _strip(d.get("link_id")) or post_id or "reddit"
        parent = _strip(d.get("parent_id"))
        if str(d.get("parent_id", "")).startswith("t3_") or parent == tid:
            parent = ""
        if parent:
            tally.links += 1
        rows.append({
            "thread_id": tid, "comment_id": str(d.get("id", "")), "parent_id": parent,
            "author": _author(d.get("author")), "created_at": parse_time(d.get("created_utc"), tally),
            "text": body, "text_html": _text(d.get("body_html")), "status": _status(body),
            "score": d.get("score"), "subreddit": d.get("subreddit", ""),
        })
        replies = d.get("replies")
        if isinstance(replies, dict):
            stack.extend(reversed(_children(replies, path)))
    if escaped is None and any("&gt;" in r["text"] or "&amp;" in r["text"] or "&lt;" in r["text"] for r in rows):
        for r in rows:
            r["text"] = _unescape(r["text"])
        for t in threads:
            t["text"], t["title"] = _unescape(t["text"]), _unescape(t["title"])
        tally.notes.append("bodies were HTML-escaped (listing fetched without raw_json=1); &amp; &lt; &gt; unescaped")
    for r in rows:
        if r["text_html"].startswith("&lt;"):
            r["text_html"] = html.unescape(r["text_html"])
    if more_stubs or continue_links:
        tally.notes.append(f"{tally.not_downloaded} comments behind {more_stubs} 'load more' stubs and "
                           f"{continue_links} 'continue this thread' links were not in the download")
    if not threads and not rows:
        raise InputFormatError("is a Reddit listing with no submission and no comments; nothing to read.", path=path)
    if not tally.seen:
        tally.notes.append("the listing holds no comments")
    return build_corpus(rows, threads, path=path, fmt="reddit", tally=tally, thread_id=thread_id, encoding=encoding,
                        top_level_explicit=True)


def read_reddit_jsonl(path, *, thread_id=None):
    """Read a flat Reddit comment dump (JSON Lines, Pushshift style) into a :class:`~discourse.Corpus`.

    Parameters
    ----------
    path : str or path-like
        One comment (or submission) object per line.
    thread_id : str, optional
        Replaces the thread id when the dump holds one thread; otherwise prefixes each.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "dump.jsonl"
    >>> _ = p.write_text('{"id": "t1_a", "parent_id": "t3_p", "link_id": "t3_p", "author": "ann", "body": "Hi", "created_utc": 1}\\n'
    ...                  '{"id": "b", "parent_id": "t1_a", "link_id": "t3_p", "author": "bob", "body": "Hey", "created_utc": 2}\\n'
    ...                  '{"id": "c", "parent_id": "t1_a", "link_')
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:  # the truncated line is warned about
    ...     c = read_reddit_jsonl(p)
    >>> c.comments[["thread_id", "comment_id", "parent_id"]].values.tolist(), c.ingest[0].skipped
    ([['p', 'a', ''], ['p', 'b', 'a']], {'unparseable': 1})
    """
    tally = Tally()
    cols: dict[str, list] = {k: [] for k in ("thread_id", "comment_id", "parent_id", "author", "created_at", "text",
                                             "status", *_EXTRA)}
    threads: dict[str, dict] = {}
    bad = BadLines(path, what="Reddit comment dump (one JSON object per line)")
    check = bad.check
    escaped_hint = raw_hint = False
    loads = loads_json
    # One string object per distinct thread, author and subreddit, not one per comment.
    shared: dict[str, str] = {}
    share = shared.setdefault
    for n, line in iter_lines(path, notes=tally.notes):
        if not line.strip():
            continue
        rec = check(line, n, loads)
        if rec is None:
            continue
        if "body" not in rec and ("title" in rec or "selftext" in rec):
            tid = _strip(rec.get("name") or rec.get("id"))
            threads.setdefault(tid, {
                "thread_id": tid, "title": rec.get("title", ""), "author": _author(rec.get("author")),
                "created_at": parse_time(rec.get("created_utc")), "url": rec.get("url", ""),
                "text": rec.get("selftext", ""), "subreddit": rec.get("subreddit", ""),
            })
            continue
        tally.seen += 1
        body = rec.get("body")
        body = "" if body is None else str(body)
        if not raw_hint and ("<" in body or ">" in body):
            raw_hint = True
        elif not escaped_hint and ("&gt;" in body or "&amp;" in body):
            escaped_hint = True
        cid = _strip(rec.get("id") or rec.get("name"))
        tid = _strip(rec.get("link_id")) or "reddit"
        raw_parent = str(rec.get("parent_id") or "")
        parent = "" if raw_parent.startswith("t3_") else _strip(raw_parent)
        if parent == tid:
            parent = ""
        if parent:
            tally.links += 1
        cols["thread_id"].append(share(tid, tid))
        cols["comment_id"].append(cid)
        cols["parent_id"].append(parent)
        author = _author(rec.get("author"))
        cols["author"].append(share(author, author))
        cols["created_at"].append(rec.get("created_utc"))
        cols["text"].append(body)
        cols["status"].append(_status(body))
        cols["score"].append(rec.get("score"))
        sub = rec.get("subreddit") or ""
        cols["subreddit"].append(share(sub, sub))
    if not tally.seen and not threads:
        if bad.count:
            bad.fail(fix="Each line must be one Reddit comment object (id, parent_id, link_id, body, ...).")
        raise InputFormatError("holds no Reddit comments (objects with 'body' and 'id'); nothing to read.", path=path)
    bad.report(tally)
    if escaped_hint and not raw_hint:
        cols["text"] = [_unescape(t) for t in cols["text"]]
        tally.notes.append("bodies were HTML-escaped; &amp; &lt; &gt; unescaped")
    if not any(v is not None for v in cols["score"]):
        del cols["score"]
    thread_rows = list(threads.values()) + [{"thread_id": t} for t in dict.fromkeys(cols["thread_id"]) if t not in threads]
    return build_corpus(cols, thread_rows, path=path, fmt="reddit-jsonl", tally=tally, thread_id=thread_id,
                        top_level_explicit=True)


def sniff_reddit(path, suffix, head):
    """The reason *head* looks like a Reddit thread listing, or ``""``.

    >>> sniff_reddit("t.json", ".json", '[{"kind": "Listing", "data": {}}]')
    "JSON with Reddit 'Listing' objects (a thread's .json)"
    """
    h = "".join(head[:4000].split())
    if h.startswith(('[{"kind":"Listing"', '{"kind":"Listing"')):
        return "JSON with Reddit 'Listing' objects (a thread's .json)"
    return ""


def sniff_reddit_jsonl(path, suffix, head):
    """The reason *head* looks like a flat Reddit comment dump, or ``""``.

    >>> sniff_reddit_jsonl("d.jsonl", ".jsonl", '{"id": "a", "parent_id": "t3_p", "link_id": "t3_p", "body": "x"}')
    "JSON lines with Reddit's parent_id, link_id and body (a Pushshift-style dump)"
    """
    lines = [ln.strip() for ln in head.split("\n")[:20] if ln.strip()]
    if lines and all(ln.startswith("{") for ln in lines[:1]) and any(
            '"parent_id"' in ln and '"link_id"' in ln and '"body"' in ln for ln in lines):
        return "JSON lines with Reddit's parent_id, link_id and body (a Pushshift-style dump)"
    return ""
