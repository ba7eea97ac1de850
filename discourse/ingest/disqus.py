"""Reader for Disqus XML exports (Admin > Moderation > Export).

A Disqus export is flat: ``<thread dsq:id>`` elements (a page: link, title, createdAt,
author, isDeleted) and ``<post dsq:id>`` elements (a comment: message, createdAt,
isDeleted, isSpam, author, ``<thread dsq:id>``, optional ``<parent dsq:id>``). Posts are
joined to their thread through the thread's ``dsq:id``, which becomes ``thread_id``; a
``<parent>`` is an explicit reply link.

Records skipped, by reason: ``spam`` (``isSpam`` true), ``deleted`` (``isDeleted`` true,
unless a kept comment replies to it: then it stays as a placeholder so the reply keeps its
place), ``deleted thread`` (posts of a thread marked deleted). A post whose thread is not
in the file is kept in a thread of its own id (``missing-<dsq:id>``) and counted in a note.
A post without a ``dsq:id`` is kept under the id ``noid-<n>`` (no other post can answer it).

Anonymous authors (``isAnonymous`` true) keep their display name; ``author_anonymous``
says which they are. ``message`` is HTML: ``text`` holds its plain text, ``text_html`` the markup.
"""

from __future__ import annotations

import functools

from ._common import Tally, build_corpus, parse_time
from ._html import html_to_text
from ._xml import child_text, local, read_xml

__all__ = ["read_disqus", "sniff_disqus"]

_DSQ_ID = "{http://disqus.com/disqus-internals}id"


def _dsq_id(elem) -> str:
    for k, v in elem.attrib.items():
        if k == _DSQ_ID or k.endswith("}id") or k == "id":
            return v.strip()
    return ""


def _child(elem, name):
    for c in elem:
        if local(c.tag) == name:
            return c
    return None


def _flag(elem, name, tally, odd: list) -> bool:
    value = child_text(elem, name).strip().lower()
    if value in ("", "false", "0", "no"):
        return False
    if value in ("true", "1", "yes"):
        return True
    odd.append(f"{name}={value!r}")
    return False


def read_disqus(path, *, thread_id=None):
    """Read a Disqus XML export into a :class:`~discourse.Corpus`, one thread per page.

    Parameters
    ----------
    path : str or path-like
        The ``.xml`` export.
    thread_id : str, optional
        Replaces the thread id when the export holds one thread; otherwise prefixes
        every thread id (``thread_id:dsq_id``).

    Returns
    -------
    Corpus

    Raises
    ------
    InputFormatError
        For XML that cannot be read even leniently, or an export with no ``<post>``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "disqus.xml"
    >>> _ = p.write_text('''<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
    ...  <thread dsq:id="1"><link>http://example.org/a</link><title>A</title></thread>
    ...  <post dsq:id="10"><message><![CDATA[<p>First.</p>]]></message><author><name>Ann</name></author>
    ...    <thread dsq:id="1"/></post>
    ...  <post dsq:id="11"><message>Yes.</message><thread dsq:id="1"/><parent dsq:id="10"/></post>
    ...  <post dsq:id="12"><message>Buy now</message><isSpam>true</isSpam><thread dsq:id="1"/></post>
    ... </disqus>''')
    >>> c = read_disqus(p)
    >>> c.comments[["comment_id", "parent_id", "text"]].values.tolist(), c.ingest[0].skipped
    ([['10', '', 'First.'], ['11', '10', 'Yes.']], {'spam': 1})
    """
    (rows, thread_rows, tally), encoding = read_xml(path, functools.partial(_consume, path=path), what="Disqus export")
    return build_corpus(rows, thread_rows, path=path, fmt="disqus", tally=tally, thread_id=thread_id, encoding=encoding,
                        top_level_explicit=True)


def _consume(events, notes, *, path):
    from ..errors import InputFormatError

    tally = Tally()
    tally.notes.extend(notes)
    threads: dict[str, dict] = {}
    deleted_threads: set[str] = set()
    odd: list[str] = []
    posts = []
    depth = 0
    for event, elem in events:
        if event == "start":
            if depth == 0 and local(elem.tag) != "disqus":
                raise InputFormatError(f"is XML with root <{local(elem.tag)}>, not a Disqus export (<disqus>).", path=path)
            depth += 1
            continue
        depth -= 1
        if depth != 1:
            continue
        name = local(elem.tag)
        if name == "thread":
            tid = _dsq_id(elem)
            author = _child(elem, "author")
            threads[tid] = {
                "thread_id": tid,
                "title": child_text(elem, "title").strip(),
                "author": child_text(author, "name").strip() if author is not None else "",
                "created_at": parse_time(child_text(elem, "createdAt").strip()),
                "url": child_text(elem, "link").strip(),
                "text": html_to_text(child_text(elem, "message")),
                "identifier": child_text(elem, "id").strip(),
            }
            if _flag(elem, "isDeleted", tally, odd):
                deleted_threads.add(tid)
            elem.clear()
        elif name == "post":
            posts.append(_post(elem, tally, odd))
            elem.clear()
    # Posts are joined to threads at the end: an export may list a post before its thread.
    rows = []
    used_threads: list[str] = []
    missing_threads: set[str] = set()
    no_id = 0
    for row, tid, spam in posts:
        if spam:
            tally.skip("spam")
            continue
        if tid in deleted_threads:
            tally.skip("deleted thread")
            continue
        if tid not in threads:
            missing_threads.add(tid)
            key = f"missing-{tid or 'none'}"
            threads.setdefault(key, {"thread_id": key, "title": ""})
            tid = key
        if tid not in used_threads:
            used_threads.append(tid)
        if not row["comment_id"]:
            no_id += 1
            row["comment_id"] = f"noid-{no_id}"
        row["thread_id"] = tid
        row["created_at"] = parse_time(row["created_at"], tally)
        rows.append(row)
    if not tally.seen:
        raise InputFormatError(f"is a Disqus export with {len(threads)} threads but no <post>; nothing to read.", path=path)
    if missing_threads:
        tally.notes.append(f"{len(missing_threads)} thread id{'s' * (len(missing_threads) != 1)} named by posts "
                           "but not in the file; those posts kept under missing-<id>")
    if no_id:
        tally.notes.append(f"{no_id} post{'s' * (no_id != 1)} without dsq:id kept as noid-<n>")
    if odd:
        tally.notes.append(f"unrecognised flag values read as false: {', '.join(sorted(set(odd)))}")
    # Only threads with a kept comment are listed: an export names every page the widget
    # was ever loaded on, most of them without comments.
    return rows, [threads[t] for t in used_threads], tally


def _post(p, tally, odd):
    tally.seen += 1
    parent_el = _child(p, "parent")
    parent = _dsq_id(parent_el) if parent_el is not None else ""
    if parent:
        tally.links += 1
    thread_el = _child(p, "thread")
    tid = _dsq_id(thread_el) if thread_el is not None else ""
    spam = _flag(p, "isSpam", tally, odd)
    author = _child(p, "author")
    message = child_text(p, "message")
    row = {
        "thread_id": tid,
        "comment_id": _dsq_id(p),
        "parent_id": parent,
        "author": child_text(author, "name").strip() if author is not None else "",
        "created_at": child_text(p, "createdAt").strip(),
        "text": "" if spam else html_to_text(message),
        "text_html": message.strip(),
        "status": "deleted" if _flag(p, "isDeleted", tally, odd) else "approved",
        "author_username": child_text(author, "username").strip() if author is not None else "",
        "author_anonymous": author is not None and child_text(author, "isAnonymous").strip().lower() == "true",
    }
    return row, tid, spam


def sniff_disqus(path, suffix, head):
    """The reason *head* looks like a Disqus export, or ``""``.

    >>> sniff_disqus("d.xml", ".xml", '<disqus xmlns="http://disqus.com">')
    'XML with a <disqus> root (a Disqus export)'
    """
    if "<disqus" in head[:2000] and ("disqus.com" in head[:2000] or "<post" in head or "<thread" in head):
        return "XML with a <disqus> root (a Disqus export)"
    return ""
