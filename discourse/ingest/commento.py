"""Reader for Commento JSON exports (``commento-export.json``).

A Commento export holds ``comments`` (``commentHex``, ``url``: the page and so the thread,
``parentHex``: ``root`` or the comment answered, ``commenterHex``, ``markdown``, ``html``,
``state``, ``creationDate``, ``deleted``) and ``commenters`` (``commenterHex``, ``name``).
Skipped, by reason: ``unapproved`` and ``flagged`` (``state``), ``deleted`` (unless answered,
then a placeholder). Anonymous commenters (``commenterHex`` ``anonymous``) have no author.
``text`` is the Markdown the commenter wrote; ``text_html`` the rendered HTML when present.
"""

from __future__ import annotations

import json
import os

from ..errors import InputFormatError
from ._common import Tally, build_corpus, parse_time
from ._text import decode, loads_json, read_bytes

__all__ = ["read_commento", "sniff_commento"]


def read_commento(path, *, thread_id=None):
    """Read a Commento JSON export into a :class:`~discourse.Corpus`, one thread per page URL.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> data = {"version": 1, "comments": [
    ...     {"commentHex": "a", "url": "/p/1", "commenterHex": "anonymous", "markdown": "Hi", "parentHex": "root",
    ...      "state": "approved", "creationDate": "2021-03-12T11:21:56Z", "deleted": False},
    ...     {"commentHex": "b", "url": "/p/1", "commenterHex": "x1", "markdown": "Hello", "parentHex": "a",
    ...      "state": "approved", "creationDate": "2021-03-13T11:21:56Z", "deleted": False}],
    ...     "commenters": [{"commenterHex": "x1", "name": "Bea"}]}
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "commento.json"
    >>> _ = p.write_text(json.dumps(data))
    >>> read_commento(p).comments[["thread_id", "comment_id", "parent_id", "author"]].values.tolist()
    [['/p/1', 'a', '', ''], ['/p/1', 'b', 'a', 'Bea']]
    """
    text, encoding = decode(read_bytes(path), path=os.fspath(path))
    try:
        data = loads_json(text)
    except json.JSONDecodeError as err:
        raise InputFormatError(f"invalid JSON ({err.msg}, column {err.colno}).", path=path, line=err.lineno) from err
    if not isinstance(data, dict) or not isinstance(data.get("comments"), list):
        raise InputFormatError("is not a Commento export (a JSON object with a 'comments' list).", path=path)
    names = {c.get("commenterHex"): c.get("name") or "" for c in data.get("commenters") or [] if isinstance(c, dict)}
    tally = Tally()
    rows, threads = [], {}
    for c in data["comments"]:
        tally.seen += 1
        parent = str(c.get("parentHex") or "")
        parent = "" if parent == "root" else parent
        if parent:
            tally.links += 1
        state = str(c.get("state") or "approved").lower()
        if state != "approved":
            tally.skip(state)
            continue
        url = str(c.get("url") or "")
        threads.setdefault(url, {"thread_id": url, "url": url, "domain": c.get("domain", "")})
        rows.append({"thread_id": url, "comment_id": str(c.get("commentHex", "")), "parent_id": parent,
                     "author": names.get(c.get("commenterHex"), ""),
                     "created_at": parse_time(c.get("creationDate"), tally), "text": c.get("markdown") or "",
                     "text_html": c.get("html") or "", "status": "deleted" if c.get("deleted") else "approved",
                     "score": c.get("score")})
    if not tally.seen:
        raise InputFormatError("is a Commento export with no comments; nothing to read.", path=path)
    return build_corpus(rows, list(threads.values()), path=path, fmt="commento", tally=tally, thread_id=thread_id,
                        encoding=encoding, top_level_explicit=True)


def sniff_commento(path, suffix, head):
    """The reason *head* looks like a Commento export, or ``""``.

    >>> sniff_commento("c.json", ".json", '{"comments": [{"commentHex": "a", "parentHex": "root"}]}')
    'JSON with Commento fields (commentHex, parentHex)'
    """
    if head.startswith("{") and '"commentHex"' in head[:4000] and '"parentHex"' in head[:4000]:
        return "JSON with Commento fields (commentHex, parentHex)"
    return ""
