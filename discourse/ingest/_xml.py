"""Reading XML exports safely and, where the meaning is clear, leniently.

Every document goes through :mod:`defusedxml`: entity declarations and external entities
are refused, so a hostile export cannot expand into gigabytes or read local files.

Real exports are not always well-formed. When the strict parse fails, a few repairs are
tried, each only for the error it answers and each recorded in the ingest report:

* characters before the first ``<`` (the remark42 Disqus fixtures start with a stray
  backtick) are dropped;
* a namespace prefix used but never declared (WordPress.com exports use ``atom:`` without
  ``xmlns:atom``) is declared on the root element;
* an attribute value without quotes (``<thread dsq:id=247937687/>``) is quoted;
* an HTML entity XML does not know (``&nbsp;``) becomes the character it names.

Anything else fails with an :class:`~discourse.errors.InputFormatError` naming the file,
the line and the problem.
"""

from __future__ import annotations

import html.entities
import re

from ..errors import InputFormatError
from ._text import check_file, decode, open_binary, read_bytes

__all__ = ["child_text", "local", "parse_xml", "read_xml"]

_DECL_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9_.-]+)[\"']")
_UNQUOTED = re.compile(r"(<[A-Za-z_][\w:.-]*(?:\s+[\w:.-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s+[\w:.-]+\s*=\s*)([^\s\"'<>/=]+)")
_PREFIX_USE = re.compile(r"</?([A-Za-z_][\w.-]*):[A-Za-z_]|\s([A-Za-z_][\w.-]*):[A-Za-z_][\w.-]*\s*=")
_PREFIX_DECL = re.compile(r"xmlns:([A-Za-z_][\w.-]*)\s*=")
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_ROOT_TAG = re.compile(r"<([A-Za-z_][\w:.-]*)(?=[\s>/])")


def local(tag: str) -> str:
    """The tag name without its namespace.

    >>> local("{http://disqus.com}post")
    'post'
    """
    return tag.rsplit("}", 1)[-1]


def child_text(elem, name: str, default: str = "") -> str:
    """Text of the first child whose local name is *name* ("" when absent or empty).

    >>> import xml.etree.ElementTree as ET
    >>> child_text(ET.fromstring('<c xmlns:wp="w"><wp:comment_id>7</wp:comment_id></c>'), "comment_id")
    '7'
    """
    for c in elem:
        if local(c.tag) == name:
            return (c.text or "") if c.text is not None else default
    return default


def _decode_xml(data: bytes, path) -> tuple[str, str]:
    m = _DECL_ENCODING.match(data[:200].lstrip(b"\xef\xbb\xbf"))
    declared = m.group(1).decode("ascii").lower() if m else ""
    if declared and declared.replace("_", "-") not in ("utf-8", "utf8", "utf-16", "utf16"):
        try:
            return data.decode(declared), declared
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(data, path=str(path))


def _fix_leading(text: str) -> tuple[str, str] | None:
    start = text.find("<")
    if start > 0 and text[:start].strip():
        junk = text[:start].strip()
        return text[start:], f"ignored {len(junk)} stray character{'s' * (len(junk) != 1)} ({junk[:10]!r}) before the XML starts"
    return None


def _fix_prefixes(text: str) -> tuple[str, str] | None:
    used = {a or b for a, b in _PREFIX_USE.findall(text)} - {"xml", "xmlns"}
    declared = set(_PREFIX_DECL.findall(text))
    missing = sorted(used - declared)
    if not missing:
        return None
    decl_end = text.find("?>") + 2 if text.lstrip().startswith("<?xml") else 0
    m = _ROOT_TAG.search(text, decl_end)
    while m and text[m.start():m.start() + 4] in ("<!--", "<!DO"):
        m = _ROOT_TAG.search(text, m.end())
    if not m:
        return None
    decls = "".join(f' xmlns:{p}="urn:discourse:undeclared:{p}"' for p in missing)
    return (text[:m.end()] + decls + text[m.end():],
            f"declared the namespace prefix{'es' * (len(missing) > 1)} {', '.join(missing)} that the file uses without declaring")


def _fix_unquoted(text: str) -> tuple[str, str] | None:
    n = 0

    def quote(m):
        nonlocal n
        n += 1
        return f'{m.group(1)}"{m.group(2)}"'

    # Only inside tags, never in text or CDATA: the pattern starts at "<name".
    fixed = _UNQUOTED.sub(quote, text)
    if not n:
        return None
    return fixed, f"quoted {n} attribute value{'s' * (n != 1)} written without quotes"


def _fix_entities(text: str) -> tuple[str, str] | None:
    names = set()

    def repl(m):
        name = m.group(1)
        if name in _XML_ENTITIES or name not in html.entities.name2codepoint:
            return m.group(0)
        names.add(name)
        return f"&#{html.entities.name2codepoint[name]};"

    fixed = _ENTITY.sub(repl, text)
    if not names:
        return None
    return fixed, f"read the HTML entit{'ies' if len(names) > 1 else 'y'} {', '.join('&' + n + ';' for n in sorted(names))} that XML does not define"


_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _fix_controls(text: str) -> tuple[str, str] | None:
    # XML 1.0 cannot hold these even as character references, yet exports carry them
    # (pasted from word processors); the parser would refuse the whole file for one.
    fixed, n = _CONTROLS.subn("", text)
    if not n:
        return None
    return fixed, f"removed {n} control character{'s' * (n != 1)} that XML does not allow (U+0000-U+001F but tab and newlines)"


_REPAIRS = {
    # expat error codes: 4 not well-formed, 2 syntax error, 27 unbound prefix, 11 undefined entity
    4: (_fix_leading, _fix_unquoted, _fix_controls),
    2: (_fix_leading,),
    27: (_fix_prefixes,),
    11: (_fix_entities,),
    9: (_fix_leading,),  # junk after document element never happens at the start; harmless to try
}


def parse_xml(path, *, what: str = "XML export"):
    """Parse an XML file with defusedxml; return ``(root element, encoding, notes)``.

    Raises
    ------
    InputFormatError
        For a file that declares entities or external references (refused for safety), or
        that stays malformed after the repairs above, naming the line and the problem.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.xml"
    >>> _ = p.write_text('`<root><a id=7/></root>')
    >>> root, enc, notes = parse_xml(p)
    >>> root[0].get("id"), notes
    ('7', ["ignored 1 stray character ('`') before the XML starts", 'quoted 1 attribute value written without quotes'])
    """
    import xml.etree.ElementTree as ET

    import defusedxml.ElementTree as DET
    from defusedxml import DefusedXmlException

    data = read_bytes(path)
    text, encoding = _decode_xml(data, path)
    notes: list[str] = []
    tried: set = set()
    while True:
        try:
            root = DET.fromstring(text, forbid_dtd=False, forbid_entities=True, forbid_external=True)
            return root, encoding, notes
        except DefusedXmlException as err:
            raise InputFormatError(
                f"the {what} declares XML entities or external references ({type(err).__name__}); "
                "they are refused for safety. Remove the <!DOCTYPE ...> block and read it again.",
                path=path,
            ) from err
        except ET.ParseError as err:
            line, col = err.position
            fixed = None
            for repair in _REPAIRS.get(err.code, ()):
                if repair in tried:
                    continue
                tried.add(repair)
                fixed = repair(text)
                if fixed:
                    break
            if not fixed:
                message = str(err).split(": line")[0]
                raise InputFormatError(
                    f"not well-formed XML ({message}, column {col + 1}); the {what} cannot be read. "
                    "Check that line for an unescaped '&' or '<', a missing closing tag or a truncated file.",
                    path=path, line=line,
                ) from err
            text, note = fixed
            notes.append(note)


def _walk(root):
    """("start", element) and ("end", element) pairs of a parsed tree, in document order."""
    stack = [(root, False)]
    while stack:
        elem, done = stack.pop()
        if done:
            yield "end", elem
            continue
        yield "start", elem
        stack.append((elem, True))
        stack.extend((child, False) for child in reversed(list(elem)))


def read_xml(path, consume, *, what: str = "XML export"):
    """Stream an XML export through *consume*; fall back to the lenient parse if it is malformed.

    ``consume(events, notes)`` receives ``(event, element)`` pairs (``"start"``/``"end"``) in
    document order and a list of repair notes, and returns the reader's result; it may clear
    elements it is done with. Well-formed files are streamed with defusedxml's ``iterparse``,
    so a large export is never held whole; a file that fails to parse is read again through
    :func:`parse_xml` (repairs noted), and *consume* runs afresh on that tree.

    Returns
    -------
    (result, encoding)
    """
    import xml.etree.ElementTree as ET

    import defusedxml.ElementTree as DET
    from defusedxml import DefusedXmlException

    p = check_file(path)
    with open_binary(p) as fh:
        head = fh.read(200)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        m = _DECL_ENCODING.match(head.lstrip(b"\xef\xbb\xbf"))
        encoding = m.group(1).decode("ascii").lower() if m else "utf-8"
    try:
        with open_binary(p) as fh:
            events = DET.iterparse(fh, events=("start", "end"), forbid_dtd=False, forbid_entities=True,
                                   forbid_external=True)
            return consume(events, []), "utf-8" if encoding in ("utf-8", "utf8") else encoding
    except DefusedXmlException as err:
        raise InputFormatError(
            f"the {what} declares XML entities or external references ({type(err).__name__}); "
            "they are refused for safety. Remove the <!DOCTYPE ...> block and read it again.",
            path=path,
        ) from err
    except (ET.ParseError, LookupError):
        # LookupError: expat does not know the declared encoding; the lenient parse decodes
        # the bytes itself and says what it fell back to.
        pass
    except (OSError, EOFError) as err:
        raise InputFormatError(f"cannot be read ({err}); if it is compressed, the file may be truncated.",
                               path=path) from err
    root, encoding, notes = parse_xml(path, what=what)
    return consume(_walk(root), notes), encoding
