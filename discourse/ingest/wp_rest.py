"""Reader for WordPress REST API comments (``/wp-json/wp/v2/comments``, JSON).

Each page of the endpoint is a JSON array of comment objects: ``id``, ``post`` (the post's
id: the thread), ``parent`` (``0`` = answers the post; any other value is an explicit reply
link), ``author_name``, ``author_url``, ``date_gmt`` (``date`` when missing), ``content``
(``{"rendered": HTML}``, plus ``"raw"`` with ``context=edit``), ``status`` and ``type``.
Pass all pages together (``discourse.read(["p1.json", "p2.json"])`` or their folder): they
form one corpus, and a comment that pagination repeated is skipped as ``duplicate id``.

Skipped, by reason: ``pingback``/``trackback`` (``type``), ``spam``, ``trash``,
``unapproved`` (``hold``), as in :mod:`discourse.ingest.wxr`. ``text`` is the plain text of
``content.rendered``; ``text_html`` keeps the markup.
"""

from __future__ import annotations

import json
import os

from ..errors import InputFormatError
from ._common import Tally, build_corpus, parse_time
from ._html import html_to_text
from ._text import decode, loads_json, read_bytes

__all__ = ["read_wp_rest", "sniff_wp_rest"]

_STATUS = {"approved": "approved", "approve": "approved", "1": "approved", "hold": "unapproved",
           "unapproved": "unapproved", "0": "unapproved", "spam": "spam", "trash": "trash"}


def read_wp_rest(path, *, thread_id=None):
    """Read WordPress REST API comment pages into a :class:`~discourse.Corpus`, one thread per post.

    Parameters
    ----------
    path : str, path-like, or a list of them
        One page (a JSON array), or several pages of the same site read as one.
    thread_id : str, optional
        Replaces the post id when the pages hold one post; otherwise prefixes each.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> page = [{"id": 5, "post": 1, "parent": 0, "author_name": "Ann", "date_gmt": "2020-01-02T03:04:05",
    ...          "content": {"rendered": "<p>Nice &amp; clear.</p>\\n"}, "status": "approved", "type": "comment"},
    ...         {"id": 6, "post": 1, "parent": 5, "author_name": "Bob", "date_gmt": "2020-01-02T04:00:00",
    ...          "content": {"rendered": "<p>Agreed.</p>"}, "status": "approved", "type": "comment"}]
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "comments.json"
    >>> _ = p.write_text(json.dumps(page))
    >>> read_wp_rest(p).comments[["thread_id", "comment_id", "parent_id", "text"]].values.tolist()
    [['1', '5', '', 'Nice & clear.'], ['1', '6', '5', 'Agreed.']]
    """
    paths = path if isinstance(path, (list, tuple)) else [path]
    tally = Tally()
    rows, threads = [], {}
    encoding = "utf-8"
    for p in paths:
        text, enc = decode(read_bytes(p), path=os.fspath(p))
        encoding = enc if enc != "utf-8" else encoding
        try:
            data = loads_json(text)
        except json.JSONDecodeError as err:
            raise InputFormatError(f"invalid JSON ({err.msg}, column {err.colno}).", path=p, line=err.lineno) from err
        if isinstance(data, dict) and isinstance(data.get("comments"), list):
            data = data["comments"]
        if not isinstance(data, list) or not all(isinstance(c, dict) for c in data):
            raise InputFormatError("is not a WordPress REST comments page (a JSON array of comment objects).", path=p)
        for c in data:
            tally.seen += 1
            parent = str(c.get("parent") or "")
            parent = "" if parent == "0" else parent
            if parent:
                tally.links += 1
            ctype = str(c.get("type") or "comment").lower()
            if ctype in ("pingback", "trackback"):
                tally.skip(ctype)
                continue
            status = _STATUS.get(str(c.get("status") or "approved").lower(), str(c.get("status")))
            if status != "approved":
                tally.skip(status)
                continue
            content = c.get("content")
            raw = (content.get("rendered") or content.get("raw") or "") if isinstance(content, dict) else str(content or "")
            post = str(c.get("post", ""))
            threads.setdefault(post, {"thread_id": post, "url": str(c.get("link", "")).split("#")[0]})
            rows.append({
                "thread_id": post, "comment_id": str(c.get("id", "")), "parent_id": parent,
                "author": str(c.get("author_name") or ""),
                "created_at": parse_time(c.get("date_gmt") or c.get("date"), tally),
                "text": html_to_text(raw), "text_html": raw, "status": status,
                "author_url": str(c.get("author_url") or ""),
            })
    if not tally.seen:
        raise InputFormatError("holds no comments (an empty page); nothing to read.", path=paths[0])
    if len(paths) > 1:
        tally.notes.append(f"{len(paths)} pages read as one")
    shown = os.fspath(paths[0]) if len(paths) == 1 else f"{os.fspath(paths[0])} (+{len(paths) - 1} pages)"
    return build_corpus(rows, list(threads.values()), path=shown, fmt="wp-rest", tally=tally, thread_id=thread_id,
                        encoding=encoding)


def sniff_wp_rest(path, suffix, head):
    """The reason *head* looks like a WordPress REST comments page, or ``""``.

    >>> sniff_wp_rest("c.json", ".json", '[{"id": 1, "post": 7, "author_name": "Ann", "content": {}}]')
    'a JSON array with WordPress REST comment fields (post, author_name, content)'
    """
    h = head[:3000]
    if h.startswith("[") and '"post"' in h and '"author_name"' in h and '"content"' in h:
        return "a JSON array with WordPress REST comment fields (post, author_name, content)"
    return ""
