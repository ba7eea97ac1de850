"""Reader for saved WordPress comment sections (HTML).

WordPress themes print comments as nested lists: ``<ol class="comment-list">`` (older
themes: ``<ol class="commentlist">``) holds one ``<li class="comment" id="comment-N">`` per
comment, and a reply sits in ``<ol class="children">`` (or ``<ul class="children">``) inside
the ``<li>`` it answers. That nesting is the explicit reply link.

From each ``<li>``: the id from ``id="comment-N"`` (or ``li-comment-N``), the author from
``.fn`` inside ``.comment-author``, the time from ``<time datetime>`` (or the date text of
``.comment-meta``/``.commentmetadata``), and the words from ``.comment-content`` (older
themes: the ``.comment-body`` without its author, meta and reply parts). ``text`` holds the
plain text, ``text_html`` the markup as re-serialised from the page. ``<li>`` of class
``pingback``/``trackback`` are skipped with that reason.

A saved page (the whole post) or a fragment (just the comment list) both work; the post
title comes from ``<title>``, an ``entry-title``, or a "N thoughts on “Title”" heading, and
the post's words from ``.entry-content`` when the page has them. A file with YAML front
matter (a static-site export) takes its ``title`` and ``date`` from there.
"""

from __future__ import annotations

import os
import re
import warnings

from ..errors import DiscourseWarning, InputFormatError
from ._common import Tally, build_corpus, parse_time
from ._html import Node, html_to_text, parse_html
from ._text import decode, read_bytes

__all__ = ["read_wp_html", "sniff_wp_html"]

_LIST_CLASSES = ("comment-list", "commentlist")
_META_CLASSES = {"comment-author", "comment-meta", "commentmetadata", "comment-metadata", "reply", "vcard",
                 "comment-awaiting-moderation", "children", "edit-link", "comment-reply-link"}
_ID = re.compile(r"^(?:li-)?comment-(\d+|[\w-]+)$")
_THOUGHTS = re.compile(r"(?:thoughts?|responses?|comments?|replies) (?:on|to) [“\"«]?(.+?)[”\"»]?\s*$", re.I)


def _is_comment_li(n: Node) -> bool:
    if n.tag != "li":
        return False
    cls = set(n.classes)
    return bool(cls & {"comment", "pingback", "trackback"}) or bool(_ID.match(n.attrs.get("id") or ""))


def _is_children(n: Node) -> bool:
    return n.tag in ("ol", "ul") and "children" in n.classes


def _front_matter(text: str) -> tuple[dict, str]:
    if not text.startswith("---"):
        return {}, text
    end = text.find("\n---", 3)
    if end < 0:
        return {}, text
    meta = {}
    for line in text[3:end].splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            meta[k.strip()] = v.strip().strip('"').strip("'")
    return meta, text[end + 4:]


def _comment_id(li: Node, k: int) -> str:
    m = _ID.match(li.attrs.get("id") or "")
    if m:
        return m.group(1)
    inner = li.find(lambda n: bool(_ID.match(n.attrs.get("id") or "")), stop=_is_children)
    if inner is not None:
        return _ID.match(inner.attrs["id"]).group(1)
    return f"c{k}"


def _author(li: Node) -> str:
    box = li.find(lambda n: "comment-author" in n.classes, stop=_is_children) or li
    fn = box.find(lambda n: "fn" in n.classes, stop=_is_children)
    if fn is not None:
        return fn.text()
    cite = box.find(lambda n: n.tag == "cite", stop=_is_children)
    return cite.text() if cite is not None else ""


def _time(li: Node, tally: Tally):
    t = li.find(lambda n: n.tag == "time" and n.attrs.get("datetime"), stop=_is_children)
    if t is not None:
        return parse_time(t.attrs["datetime"], tally)
    meta = li.find(lambda n: bool({"comment-meta", "commentmetadata", "comment-metadata"} & set(n.classes)),
                   stop=_is_children)
    if meta is not None:
        words = re.sub(r"\s+", " ", meta.text()).replace(" at ", " ").strip()
        words = re.sub(r"\(?Edit\)?|Reply", "", words).strip()
        if words:
            return parse_time(words, tally)
    return None


def _body(li: Node) -> Node:
    content = li.find(lambda n: "comment-content" in n.classes, stop=_is_children)
    if content is not None:
        return content
    body = (li.find(lambda n: "comment-body" in n.classes, stop=_is_children)
            or li.find(lambda n: n.tag in ("div", "article") and bool(_ID.match(n.attrs.get("id") or "")),
                       stop=_is_children)
            or li)
    kept = Node("div", {})
    kept.children = [c for c in body.children
                     if isinstance(c, str) or not (set(c.classes) & _META_CLASSES or _is_children(c))]
    return kept


def read_wp_html(path, *, thread_id=None):
    """Read a saved WordPress comment section (HTML) into a :class:`~discourse.Corpus`.

    Parameters
    ----------
    path : str or path-like
        A saved ``.html`` page, or a fragment holding the comment list.
    thread_id : str, optional
        Defaults to the file name without its extension.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> page = '''<h2>2 thoughts on &ldquo;Trees&rdquo;</h2><ol class="comment-list">
    ... <li id="comment-1" class="comment depth-1"><div class="comment-author"><b class="fn">Ann</b></div>
    ...  <div class="comment-metadata"><time datetime="2021-07-11T12:08:52+00:00">July 11</time></a></div>
    ...  <div class="comment-content"><p>Plant more.</p></div>
    ...  <ol class="children"><li id="comment-2" class="comment depth-2"><div class="comment-author">
    ...   <b class="fn">Bob</b></div><div class="comment-content"><p>Where?</p></div></li></ol></li></ol>'''
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "trees.html"
    >>> _ = p.write_text(page)
    >>> c = read_wp_html(p)
    >>> c.comments[["comment_id", "parent_id", "author", "text"]].values.tolist(), c.threads["title"].tolist()
    ([['1', '', 'Ann', 'Plant more.'], ['2', '1', 'Bob', 'Where?']], ['Trees'])
    """
    text, encoding = decode(read_bytes(path), path=os.fspath(path))
    meta, markup = _front_matter(text)
    doc = parse_html(markup)
    lists = [n for n in doc.iter() if n.tag in ("ol", "ul") and set(n.classes) & set(_LIST_CLASSES)]
    # Nested lists of the same class (rare) would be read twice: keep the outermost.
    outer = []
    for lst in lists:
        p = lst.parent
        while p is not None and p not in outer:
            p = p.parent
        if p is None:
            outer.append(lst)
    if not outer:
        raise InputFormatError(
            "holds no WordPress comment list (<ol class=\"comment-list\"> or <ol class=\"commentlist\">); "
            "save the page with its comments showing, or pass --format for another layout.", path=path)
    from ._text import plain_name

    tid = thread_id or plain_name(path).stem
    tally = Tally()
    rows = []
    k = 0
    for lst in outer:
        stack = [(li, "") for li in reversed(lst.elements()) if _is_comment_li(li)]
        while stack:
            li, parent = stack.pop()
            k += 1
            tally.seen += 1
            if parent:
                tally.links += 1
            cid = _comment_id(li, k)
            kind = next((c for c in ("pingback", "trackback") if c in li.classes), "")
            children = [c for c in li.elements() if _is_children(c)]
            for ch in children:
                stack.extend((sub, cid) for sub in reversed(ch.elements()) if _is_comment_li(sub))
            if kind:
                tally.skip(kind)
                continue
            body = _body(li)
            html = body.inner_html().strip()
            rows.append({"thread_id": tid, "comment_id": cid, "parent_id": parent, "author": _author(li),
                         "created_at": _time(li, tally), "text": html_to_text(html), "text_html": html,
                         "status": "approved"})
    title = meta.get("title", "")
    if not title:
        for pred in (lambda n: "entry-title" in n.classes,
                     lambda n: n.tag in ("h1", "h2", "h3", "h4", "a") and _THOUGHTS.search(n.text() or ""),
                     lambda n: n.tag == "title"):
            node = doc.find(pred)
            if node is not None:
                title = node.text()
                m = _THOUGHTS.search(title)
                title = m.group(1) if m else title
                break
    post = doc.find(lambda n: "entry-content" in n.classes)
    threads = [{"thread_id": tid, "title": title, "text": post.text() if post is not None else "",
                "created_at": parse_time(meta.get("date")) if meta.get("date") else None}]
    if not tally.seen:
        raise InputFormatError("has a comment list with no comments in it; nothing to read.", path=path)
    cut = [lst for lst in outer if lst.cut]
    if cut:
        # A browser's saved page always closes its lists: this one was cut short (a
        # download stopped, a copy that missed the end), and what followed is not here.
        note = (f"the comment list that starts on line {cut[0].line} never ends: the page looks cut short, so "
                "any comments after the last one read are missing (save the whole page again to read them)")
        tally.notes.append(note)
        warnings.warn(f"{os.fspath(path)}: {note}.", DiscourseWarning, stacklevel=2)
    return build_corpus(rows, threads, path=path, fmt="wp-html", tally=tally, thread_id=None, encoding=encoding)


def sniff_wp_html(path, suffix, head):
    """The reason *head* looks like a saved WordPress comment section, or ``""``.

    >>> sniff_wp_html("p.html", ".html", '<ol class="comment-list"><li id="comment-1">')
    'HTML with a WordPress comment list (ol.comment-list)'
    """
    if re.search(r"<ol[^>]+class=[\"'][^\"']*\bcomment-?list\b", head):
        return "HTML with a WordPress comment list (ol.comment-list)"
    if suffix in (".html", ".htm") and re.search(r"<li[^>]+id=[\"']comment-\d+", head):
        return "HTML with WordPress comment items (li#comment-N)"
    return ""
