"""HTML in comments: plain text with paragraph breaks, and a small tree for saved pages.

Exports carry comment bodies as HTML (Disqus ``<message>``, Hacker News ``text``, the
WordPress REST API's ``content.rendered``) or as WordPress's stored form, text whose blank
lines are paragraphs and which may hold a few tags (WXR ``comment_content``). Readers put
:func:`html_to_text` of the body in ``text`` and the markup exactly as the source held it in
``text_html``, so nothing is lost and the analysis reads what a person would read.

Built on the standard library's :class:`html.parser.HTMLParser`, which never fetches
anything and tolerates the broken markup real pages hold (stray ``</a>``, unclosed ``<p>``).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["Node", "html_to_text", "looks_like_html", "parse_html"]

_BLOCK = frozenset(
    "p div blockquote ul ol li dl dt dd h1 h2 h3 h4 h5 h6 pre table thead tbody tr section article "
    "header footer aside nav figure figcaption hr address details summary form fieldset".split()
)
_SKIP = frozenset(("script", "style", "template", "noscript", "head", "title"))
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
# End tags that HTML lets a page leave out: a new <li> closes the open one, a new <p> the open <p>.
_IMPLIED = {"li": ("li",), "dt": ("dt", "dd"), "dd": ("dt", "dd"), "tr": ("tr",), "td": ("td", "th"), "th": ("td", "th")}
_SCOPE = {"li": ("ol", "ul"), "dt": ("dl",), "dd": ("dl",), "tr": ("table", "thead", "tbody", "tfoot"),
          "td": ("tr", "table"), "th": ("tr", "table")}
_INLINE = frozenset("a abbr b bdi bdo cite code em font i kbd mark q s samp small span strike strong sub sup time u var".split())
_TAG = re.compile(r"</?[a-zA-Z][^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
_SPACE = re.compile(r"[ \t\r\n\f\v]+")


def looks_like_html(text: str) -> bool:
    """True when *text* holds a tag or a character reference.

    >>> looks_like_html("a &amp; b"), looks_like_html("<p>hi</p>"), looks_like_html("3 < 4")
    (True, True, False)
    """
    return bool(_TAG.search(text))


class _TextParser(HTMLParser):
    def __init__(self, keep_newlines: bool):
        super().__init__(convert_charrefs=True)
        self.keep_newlines = keep_newlines
        self.out: list[str] = []
        self.skip = 0
        self.pre = 0

    def _break(self, n: int) -> None:
        # Trailing spaces never end a line; n newlines at most, never at the very start.
        while self.out and self.out[-1].strip(" \t") == "" and "\n" not in self.out[-1]:
            self.out.pop()
        if self.out and self.out[-1]:
            self.out[-1] = self.out[-1].rstrip(" \t")
        tail = "".join(self.out[-3:])
        have = len(tail) - len(tail.rstrip("\n"))
        if self.out and have < n:
            self.out.append("\n" * (n - have))

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self.skip += 1
        elif tag == "br":
            self.out.append("\n")
        elif tag in _BLOCK:
            self._break(1 if tag in ("li", "dt", "dd", "tr") else 2)
            if tag == "pre":
                self.pre += 1

    def handle_startendtag(self, tag, attrs):
        if tag == "br":
            self.out.append("\n")
        elif tag in _BLOCK:
            self._break(2)

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK:
            if tag == "pre":
                self.pre = max(0, self.pre - 1)
            self._break(1 if tag in ("li", "dt", "dd", "tr") else 2)

    def handle_data(self, data):
        if self.skip:
            return
        if not (self.pre or self.keep_newlines):
            data = _SPACE.sub(" ", data)
            at_line_start = not self.out or self.out[-1].endswith("\n")
            if at_line_start:
                data = data.lstrip(" ")
        if data:
            self.out.append(data)


def html_to_text(markup: str, *, keep_newlines: bool = False) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, blocks as paragraphs.

    Block elements (``<p>``, ``<div>``, ``<blockquote>``, headings, lists) are separated by a
    blank line, ``<br>`` by a line break; ``<script>`` and ``<style>`` are dropped; link text
    is kept. Text without any tag or entity comes back unchanged apart from surrounding
    whitespace.

    Parameters
    ----------
    markup : str
        The HTML fragment.
    keep_newlines : bool, default False
        Keep the newlines of the text itself, as WordPress's stored comments need (their
        blank lines are the paragraphs). Otherwise runs of whitespace collapse, as a browser does.

    Returns
    -------
    str

    Examples
    --------
    >>> html_to_text("<p>First &amp; foremost.</p><p>Second<br>line</p>")
    'First & foremost.\\n\\nSecond\\nline'
    >>> html_to_text("One.\\n\\nTwo, <em>really</em>.", keep_newlines=True)
    'One.\\n\\nTwo, really.'
    """
    if not looks_like_html(markup):
        return markup.strip()
    parser = _TextParser(keep_newlines)
    parser.feed(markup)
    parser.close()
    text = "".join(parser.out)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n(?:[ \t]*\n){2,}", "\n\n", text)
    return text.strip()


class Node:
    """An element of a parsed HTML fragment: ``tag``, ``attrs`` (dict), ``children``
    (nodes and strings), ``parent``, the source ``line`` it starts on, and ``cut``: true
    when the markup ended while the element was still open, neither closed by its end tag
    nor by an element that implies its end (a page saved or copied only in part)."""

    __slots__ = ("tag", "attrs", "children", "parent", "line", "cut")

    def __init__(self, tag: str, attrs: dict, parent=None, line: int = 0):
        self.tag, self.attrs, self.children, self.parent, self.line = tag, attrs, [], parent, line
        self.cut = False

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def elements(self):
        """Child elements (not text)."""
        return [c for c in self.children if isinstance(c, Node)]

    def iter(self):
        """This node and every element below it, in document order."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.elements()))

    def find(self, predicate, *, stop=None):
        """The first element below this one matching *predicate*, not descending into
        elements that match *stop*."""
        stack = list(reversed(self.elements()))
        while stack:
            node = stack.pop()
            if predicate(node):
                return node
            if stop is not None and stop(node):
                continue
            stack.extend(reversed(node.elements()))
        return None

    def inner_html(self) -> str:
        """The markup of the children, re-serialised (attributes quoted, entities kept decoded)."""
        from html import escape

        parts = []
        for c in self.children:
            if isinstance(c, str):
                parts.append(escape(c, quote=False))
            else:
                attrs = "".join(f' {k}="{escape(v or "")}"' if v is not None else f" {k}" for k, v in c.attrs.items())
                if c.tag in _VOID:
                    parts.append(f"<{c.tag}{attrs}>")
                else:
                    parts.append(f"<{c.tag}{attrs}>{c.inner_html()}</{c.tag}>")
        return "".join(parts)

    def text(self) -> str:
        """Plain text of this element (see :func:`html_to_text`)."""
        return html_to_text(self.inner_html())

    def __repr__(self) -> str:
        return f"<Node {self.tag} {self.attrs}>"


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.open = [self.root]

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCK:
            # A block element closes an open <p> (and the inline elements inside it).
            for i in range(len(self.open) - 1, 0, -1):
                t = self.open[i].tag
                if t == "p":
                    del self.open[i:]
                    break
                if t not in _INLINE:
                    break
        closes = _IMPLIED.get(tag)
        if closes:
            # A new <li> closes the open <li>, but never beyond its own list.
            for i in range(len(self.open) - 1, 0, -1):
                t = self.open[i].tag
                if t in closes:
                    del self.open[i:]
                    break
                if t in _SCOPE[tag]:
                    break
        node = Node(tag, dict(attrs), self.open[-1], self.getpos()[0])
        self.open[-1].children.append(node)
        if tag not in _VOID:
            self.open.append(node)

    def handle_startendtag(self, tag, attrs):
        self.open[-1].children.append(Node(tag, dict(attrs), self.open[-1], self.getpos()[0]))

    def handle_endtag(self, tag):
        # An end tag with no open element of that name (a stray </a>) is ignored.
        for i in range(len(self.open) - 1, 0, -1):
            if self.open[i].tag == tag:
                del self.open[i:]
                return

    def handle_data(self, data):
        self.open[-1].children.append(data)


def parse_html(markup: str) -> Node:
    """Parse an HTML page or fragment into a :class:`Node` tree, leniently.

    >>> doc = parse_html('<ol class="x"><li>One<li>Two</a></ol>')
    >>> [li.text() for li in doc.find(lambda n: n.tag == "ol").elements()]
    ['One', 'Two']
    >>> parse_html('<ol><li>One<li>Tw').find(lambda n: n.tag == "ol").cut
    True
    """
    builder = _TreeBuilder()
    builder.feed(markup)
    builder.close()
    for node in builder.open[1:]:
        node.cut = True
    return builder.root
