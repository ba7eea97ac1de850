"""Reader for WordPress WXR exports (Tools > Export in WordPress, WXR 1.0 to 1.2).

A WXR file is RSS with WordPress's ``wp:`` namespace: each ``<item>`` is a post or page,
and its ``<wp:comment>`` elements are the comments under it. Each post with at least one
``<wp:comment>`` becomes a thread (``thread_id`` = ``wp:post_id``); posts without comments
are left out and counted in a note.

Comment fields read: ``comment_id``, ``comment_parent`` (``0`` = answers the post; any
other value is an explicit reply link), ``comment_author``, ``comment_author_url``,
``comment_date_gmt`` (``comment_date`` when the GMT time is missing), ``comment_content``,
``comment_approved`` and ``comment_type``. E-mail and IP addresses are not copied.

Records skipped, by reason: ``pingback`` and ``trackback`` (notices from other sites, not
comments), ``spam``, ``trash`` (``trash``/``post-trashed``), ``unapproved`` (``0``, held
for moderation, never shown to readers). Kept comments carry ``status`` = ``approved``.

``comment_content`` is stored the way WordPress stores it: text whose blank lines are
paragraphs, with some HTML. ``text`` is its plain text (see
:func:`discourse.ingest._html.html_to_text`); ``text_html`` keeps it exactly.
"""

from __future__ import annotations

import functools

from ._common import Tally, build_corpus, parse_time
from ._html import html_to_text
from ._xml import child_text, local, read_xml

__all__ = ["read_wxr", "sniff_wxr"]

_STATUS = {"1": "approved", "approve": "approved", "approved": "approved", "0": "unapproved", "hold": "unapproved",
           "spam": "spam", "trash": "trash", "post-trashed": "trash"}


def _children(elem, name):
    return [c for c in elem if local(c.tag) == name]


def _gmt(elem, tally):
    value = child_text(elem, "comment_date_gmt").strip()
    if not value or value.startswith("0000-00-00"):
        value = child_text(elem, "comment_date").strip()
    return parse_time(value, tally) if value else None


def read_wxr(path, *, thread_id=None):
    """Read a WordPress WXR export into a :class:`~discourse.Corpus`, one thread per post.

    Parameters
    ----------
    path : str or path-like
        The ``.xml`` export.
    thread_id : str, optional
        Replaces the post id when the export holds one post with comments; otherwise
        prefixes every post id (``thread_id:post_id``).

    Returns
    -------
    Corpus
        ``corpus.ingest[0]`` counts pingbacks, trackbacks, spam, trashed and unapproved
        comments under ``skipped``, and ``links`` the ``comment_parent`` links in the file.

    Raises
    ------
    InputFormatError
        For XML that cannot be read even leniently, or an export with no ``<item>``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "export.xml"
    >>> _ = p.write_text('''<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item>
    ...   <title>Trees</title><wp:post_id>7</wp:post_id>
    ...   <wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>Ann</wp:comment_author>
    ...     <wp:comment_content><![CDATA[Plant <em>more</em>.]]></wp:comment_content>
    ...     <wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment>
    ...   <wp:comment><wp:comment_id>2</wp:comment_id><wp:comment_type>pingback</wp:comment_type>
    ...     <wp:comment_approved>1</wp:comment_approved></wp:comment>
    ... </item></channel></rss>''')
    >>> corpus = read_wxr(p)
    >>> corpus.comments[["comment_id", "author", "text", "text_html"]].values.tolist()
    [['1', 'Ann', 'Plant more.', 'Plant <em>more</em>.']]
    >>> corpus.ingest[0].skipped
    {'pingback': 1}
    """
    (rows, threads, tally), encoding = read_xml(path, functools.partial(_consume, path=path), what="WordPress export")
    return build_corpus(rows, threads, path=path, fmt="wxr", tally=tally, thread_id=thread_id, encoding=encoding)


def _consume(events, notes, *, path):
    from ..errors import InputFormatError

    tally = Tally()
    tally.notes.extend(notes)
    rows, threads = [], []
    without = 0
    root = version = None
    for event, elem in events:
        if event == "start":
            if root is None:
                root = local(elem.tag)
                if root != "rss":
                    raise InputFormatError(f"is XML with root <{root}>, not a WordPress export (<rss> with a <channel>).",
                                           path=path)
            continue
        name = local(elem.tag)
        if name == "wxr_version":
            version = (elem.text or "").strip()
        elif name == "item":
            without += _item(elem, rows, threads, tally)
            elem.clear()
    if version:
        tally.notes.insert(0, f"WXR {version}")
    if without:
        tally.notes.append(f"{without} post{'s' * (without != 1)} without comments left out")
    if not tally.seen:
        raise InputFormatError(f"is a WordPress export with {without} posts but no <wp:comment> at all; "
                               "export with comments included (Tools > Export > All content).", path=path)
    return rows, threads, tally


def _item(item, rows, threads, tally) -> int:
    """Read one <item>; return 1 when it has no comments (left out), else 0."""
    comments = _children(item, "comment")
    if not comments:
        return 1
    post_id = child_text(item, "post_id").strip() or child_text(item, "guid").strip()
    content = child_text(item, "encoded")
    threads.append({
        "thread_id": post_id,
        "title": html_to_text(child_text(item, "title")),
        "author": child_text(item, "creator").strip(),
        "created_at": parse_time(child_text(item, "post_date_gmt").strip().replace("0000-00-00 00:00:00", "")
                                 or child_text(item, "post_date").strip()),
        "url": child_text(item, "link").strip(),
        "text": html_to_text(content, keep_newlines=True),
        "text_html": content,
        "post_type": child_text(item, "post_type").strip(),
    })
    for c in comments:
        tally.seen += 1
        parent = child_text(c, "comment_parent").strip()
        parent = "" if parent in ("", "0") else parent
        if parent:
            tally.links += 1
        ctype = child_text(c, "comment_type").strip().lower()
        if ctype in ("pingback", "trackback"):
            tally.skip(ctype)
            continue
        approved = child_text(c, "comment_approved").strip().lower()
        status = _STATUS.get(approved, "approved" if approved == "" else approved)
        if status != "approved":
            tally.skip(status)
            continue
        raw = child_text(c, "comment_content")
        rows.append({
            "thread_id": post_id,
            "comment_id": child_text(c, "comment_id").strip(),
            "parent_id": parent,
            "author": child_text(c, "comment_author").strip(),
            "created_at": _gmt(c, tally),
            "text": html_to_text(raw, keep_newlines=True),
            "text_html": raw.strip(),
            "status": status,
            "author_url": child_text(c, "comment_author_url").strip(),
            "comment_type": ctype or "comment",
        })
    return 0


def sniff_wxr(path, suffix, head):
    """The reason *head* looks like a WXR export, or ``""``.

    >>> sniff_wxr("export.xml", ".xml", '<rss xmlns:wp="http://wordpress.org/export/1.2/">')
    'XML with the WordPress export (wp:) namespace'
    """
    if head.startswith("<") or head.startswith("`<"):
        if "wordpress.org/export/" in head:
            return "XML with the WordPress export (wp:) namespace"
        if "<rss" in head and "<wp:" in head:
            return "RSS with wp: elements (a WordPress export)"
    return ""
