"""Reader for Hacker News JSON: Algolia item trees and Firebase items.

Algolia item tree
    What ``https://hn.algolia.com/api/v1/items/<id>`` returns: the story with its comments
    nested in ``children`` (``id``, ``author``, ``created_at``/``created_at_i``, ``text``,
    ``parent_id``). The story becomes the thread; nesting and ``parent_id`` give explicit links.

Algolia search results
    What ``https://hn.algolia.com/api/v1/search?tags=comment&...`` returns: ``{"hits": [...]}``,
    flat comments with ``objectID``, ``comment_text``, ``parent_id``, ``story_id`` and
    ``story_title``. Each story is a thread; a parent outside the results is an orphan.

Firebase items
    Items as the official API (``/v0/item/<id>.json``) and BigQuery give them: flat objects
    with ``id``, ``by``, ``time``, ``text``, ``parent``, ``kids``, ``type``, ``deleted``,
    ``dead``; as a JSON array or one item per line. A ``story`` (or ``job``/``poll``) item
    becomes a thread, and each comment joins the thread its chain of parents reaches. Comments
    whose chain leaves the file (a sample of comments, not whole threads) go into one thread
    named after the file; their ``parent`` stays an explicit link and, not being in the data,
    is repaired as an orphan (attached to the post, counted, warned about).

``text`` is HN's HTML (``<p>`` between paragraphs, ``&#x27;`` for apostrophes): ``text``
holds its plain text, entities decoded, and ``text_html`` the markup. Deleted items
(``deleted`` true, or no author and no text) and ``dead`` items (killed by flags or
moderators) are placeholders when replies answer them, else skipped as ``deleted``/``dead``.
"""

from __future__ import annotations

import json
import warnings

from ..errors import DiscourseWarning, InputFormatError
from ._common import BadLines, Tally, build_corpus, parse_time
from ._html import html_to_text
from ._text import decode, loads_json, read_bytes

__all__ = ["read_hn", "sniff_hn"]

_STORY_TYPES = ("story", "job", "poll")


def _s(v) -> str:
    return "" if v is None else str(v)


def _load(path):
    text, encoding = decode(read_bytes(path), path=str(path))
    bad = BadLines(path, what="file of Hacker News items (one JSON object per line)")
    try:
        data = loads_json(text)
        return (data if isinstance(data, list) else [data]), encoding, bad
    except json.JSONDecodeError as err:
        first = text.lstrip().split("\n", 1)[0]
        try:
            loads_json(first)
        except json.JSONDecodeError:
            if first.startswith(("{", "[")):
                # A JSON document broken somewhere (its first line alone is not JSON either).
                raise InputFormatError(f"invalid JSON ({err.msg}, column {err.colno}).", path=path,
                                       line=err.lineno) from err
    # One item per line (JSON Lines).
    items = []
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        item = bad.check(line, n)
        if item is not None:
            items.append(item)
    return items, encoding, bad


def _status(item) -> str:
    if item.get("deleted") in (True, "true", "True"):
        return "deleted"
    if item.get("dead") in (True, "true", "True"):
        return "dead"
    return "approved"


def read_hn(path, *, thread_id=None):
    """Read Hacker News JSON (an Algolia item tree, or Firebase items) into a :class:`~discourse.Corpus`.

    Parameters
    ----------
    path : str or path-like
        A ``.json`` item tree or array of items, or a ``.jsonl`` file of items.
    thread_id : str, optional
        Replaces the story id when the file holds one thread; otherwise prefixes each.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> tree = {"id": 1, "type": "story", "title": "Show HN", "author": "pg", "created_at_i": 1160418111,
    ...         "children": [{"id": 2, "type": "comment", "author": "ann", "parent_id": 1, "created_at_i": 1160418200,
    ...                       "text": "<p>Don&#x27;t.</p><p>Really.</p>", "children": [
    ...                       {"id": 3, "type": "comment", "author": "bob", "parent_id": 2, "created_at_i": 1160418300,
    ...                        "text": "Why &gt; not?", "children": []}]}]}
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "item.json"
    >>> _ = p.write_text(json.dumps(tree))
    >>> read_hn(p).comments[["thread_id", "comment_id", "parent_id", "text"]].values.tolist()
    [['1', '2', '', "Don't.\\n\\nReally."], ['1', '3', '2', 'Why > not?']]
    """
    items, encoding, bad = _load(path)
    # An array may hold things that are not items (a number, a list): counted, not dropped silently.
    not_items = [k for k, i in enumerate(items) if not isinstance(i, dict)]
    items = [i for i in items if isinstance(i, dict)] if not_items else items
    if not items:
        if bad.count:
            bad.fail(fix="Each line must be one Hacker News item object (id, parent, by, time, text, ...).")
        raise InputFormatError("holds no Hacker News items; nothing to read.", path=path)
    tally = Tally()
    bad.report(tally, stacklevel=2)
    if not_items:
        n = len(not_items)
        tally.seen += n
        tally.skip("unparseable", n)
        tally.notes.append(f"{n} entr{'ies' if n != 1 else 'y'} of the JSON array not an object skipped "
                           f"(item {', '.join(map(str, not_items[:BadLines.SHOWN]))}{', ...' * (n > BadLines.SHOWN)})")
        warnings.warn(f"{path}: {n} entr{'ies' if n != 1 else 'y'} of the JSON array {'are' if n != 1 else 'is'} not "
                      "an object (a Hacker News item); skipped as unparseable", DiscourseWarning, stacklevel=2)
    if len(items) == 1 and isinstance(items[0].get("hits"), list):
        rows, threads = _algolia_hits(items[0]["hits"], tally)
        layout = "algolia-search"
    elif any("children" in i for i in items):
        rows, threads = _algolia(items, tally)
        layout = "algolia"
    else:
        rows, threads = _firebase(items, tally, fallback=str(thread_id or _stem(path)))
        layout = "firebase"
    return build_corpus(rows, threads, path=path, fmt="hn", tally=tally, thread_id=thread_id, encoding=encoding,
                        layout=layout,
                        top_level_explicit=True)


def _stem(path):
    from pathlib import Path

    from ._text import plain_name

    return plain_name(path).stem


def _algolia(items, tally):
    rows, threads = [], []
    for root in items:
        if root.get("type") in _STORY_TYPES or root.get("parent_id") in (None, ""):
            tid = _s(root.get("id"))
            threads.append({"thread_id": tid, "title": root.get("title") or "", "author": _s(root.get("author")),
                            "created_at": parse_time(root.get("created_at_i") or root.get("created_at")),
                            "url": root.get("url") or f"https://news.ycombinator.com/item?id={tid}",
                            "text": html_to_text(root.get("text") or ""), "points": root.get("points")})
            stack = [(c, tid) for c in reversed(root.get("children") or [])]
        else:
            tid = _s(root.get("story_id") or root.get("parent_id"))
            stack = [(root, tid)]
        while stack:
            item, parent_item = stack.pop()
            tally.seen += 1
            parent = _s(item.get("parent_id") or parent_item)
            if parent == tid:
                parent = ""
            if parent:
                tally.links += 1
            raw = item.get("text") or ""
            status = "deleted" if item.get("author") is None and not raw else _status(item)
            rows.append({"thread_id": tid, "comment_id": _s(item.get("id")), "parent_id": parent,
                         "author": _s(item.get("author")),
                         "created_at": parse_time(item.get("created_at_i") or item.get("created_at"), tally),
                         "text": html_to_text(raw), "text_html": raw, "status": status, "points": item.get("points")})
            stack.extend((c, _s(item.get("id"))) for c in reversed(item.get("children") or []))
    return rows, threads


def _algolia_hits(hits, tally):
    """Comments from Algolia's search API (``/api/v1/search?tags=comment``): flat hits with
    ``objectID``, ``comment_text``, ``parent_id`` and ``story_id``."""
    rows, threads = [], {}
    for h in hits:
        if not isinstance(h, dict):
            continue
        tags = h.get("_tags") or []
        if "story" in tags and "comment" not in tags:
            tid = _s(h.get("objectID"))
            threads.setdefault(tid, {"thread_id": tid, "title": h.get("title") or "", "author": _s(h.get("author")),
                                     "created_at": parse_time(h.get("created_at_i") or h.get("created_at")),
                                     "url": h.get("url") or f"https://news.ycombinator.com/item?id={tid}",
                                     "text": html_to_text(h.get("story_text") or "")})
            continue
        tally.seen += 1
        tid = _s(h.get("story_id"))
        threads.setdefault(tid, {"thread_id": tid, "title": h.get("story_title") or "",
                                 "url": h.get("story_url") or f"https://news.ycombinator.com/item?id={tid}"})
        parent = _s(h.get("parent_id"))
        parent = "" if parent == tid else parent
        if parent:
            tally.links += 1
        raw = h.get("comment_text") or ""
        rows.append({"thread_id": tid, "comment_id": _s(h.get("objectID")), "parent_id": parent,
                     "author": _s(h.get("author")), "created_at": parse_time(h.get("created_at_i") or h.get("created_at"), tally),
                     "text": html_to_text(raw), "text_html": raw, "status": "approved", "points": h.get("points")})
    if rows:
        tally.notes.append("search results hold the comments matched, not whole threads; "
                           "parents outside the results are orphans")
    return rows, list(threads.values())


def _firebase(items, tally, *, fallback: str):
    by_id = {_s(i.get("id")): i for i in items}
    stories = {k: i for k, i in by_id.items() if i.get("type") in _STORY_TYPES}
    threads = [{"thread_id": k, "title": i.get("title") or "", "author": _s(i.get("by")),
                "created_at": parse_time(i.get("time")), "url": i.get("url") or f"https://news.ycombinator.com/item?id={k}",
                "text": html_to_text(i.get("text") or ""), "score": i.get("score")} for k, i in stories.items()]
    thread_of: dict[str, str] = {}

    def find_thread(cid):
        path, cur = [], cid
        while cur in by_id and cur not in stories and cur not in thread_of and len(path) < 10_000:
            path.append(cur)
            cur = _s(by_id[cur].get("parent"))
        tid = cur if cur in stories else thread_of.get(cur, fallback)
        for p in path:
            thread_of[p] = tid
        return tid

    rows = []
    used_fallback = False
    for item in items:
        cid = _s(item.get("id"))
        if cid in stories:
            continue
        tally.seen += 1
        tid = find_thread(cid)
        used_fallback |= tid == fallback
        parent = _s(item.get("parent"))
        if parent == tid and tid in stories:
            parent = ""
        if parent:
            tally.links += 1
        raw = item.get("text") or ""
        status = _status(item)
        if status == "approved" and not raw and item.get("by") is None:
            status = "deleted"
        rows.append({"thread_id": tid, "comment_id": cid, "parent_id": parent, "author": _s(item.get("by")),
                     "created_at": parse_time(item.get("time"), tally), "text": html_to_text(raw), "text_html": raw,
                     "status": status})
    if used_fallback:
        tally.notes.append(f"comments whose story is not in the file are in thread {fallback!r}")
    return rows, threads


def sniff_hn(path, suffix, head):
    """The reason *head* looks like Hacker News JSON, or ``""``.

    >>> sniff_hn("i.jsonl", ".jsonl", '{"id": 1, "by": "pg", "time": 1160418111, "parent": 0}')
    'JSON with Hacker News item fields (by, time, parent)'
    """
    h = head[:3000]
    if '"hits"' in h and '"objectID"' in h and ('"comment_text"' in h or '"story_id"' in h):
        return "JSON with Algolia Hacker News search hits (objectID, comment_text)"
    if '"children"' in h and '"author"' in h and ('"created_at_i"' in h or '"story_id"' in h):
        return "JSON with Algolia Hacker News fields (children, created_at_i)"
    if h.lstrip().startswith(("{", "[")) and '"by"' in h and '"time"' in h and (
            '"parent"' in h or '"kids"' in h or '"type"' in h):
        return "JSON with Hacker News item fields (by, time, parent)"
    return ""
