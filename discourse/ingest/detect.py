"""Format sniffing: which reader a file needs, decided from its extension and content.

:func:`detect_format` returns the format name and the reason it was chosen, so the
user can be told ("read as wxr: XML with the WordPress export namespace").
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputFormatError

__all__ = ["DESCRIPTIONS", "FORMATS", "detect_format", "reader_for"]

#: Format name -> "module:function" of its reader. Readers take ``(path, *, thread_id=None)``
#: and return a Corpus with one IngestReport.
FORMATS = {
    "page": "discourse.ingest.page:read_page",
    "csv": "discourse.ingest.tabular:read_csv",
    "jsonl": "discourse.ingest.tabular:read_jsonl",
    "parquet": "discourse.ingest.tabular:read_parquet",
    "wxr": "discourse.ingest.wxr:read_wxr",
    "disqus": "discourse.ingest.disqus:read_disqus",
    "reddit": "discourse.ingest.reddit:read_reddit",
    "reddit-jsonl": "discourse.ingest.reddit:read_reddit_jsonl",
    "hn": "discourse.ingest.hn:read_hn",
    "wp-rest": "discourse.ingest.wp_rest:read_wp_rest",
    "wp-html": "discourse.ingest.wp_html:read_wp_html",
    "convokit": "discourse.ingest.convokit:read_convokit",
    "commento": "discourse.ingest.commento:read_commento",
}

#: What each format reads, for ``discourse formats`` and error messages.
DESCRIPTIONS = {
    "page": "a scraped page: a post and its comments as plain text (.txt)",
    "csv": "a comments table as CSV or TSV (the contract columns, or body, id, link_id, created_utc, ...)",
    "jsonl": "a comments table as JSON Lines or a JSON array of objects",
    "parquet": "a comments table as Parquet",
    "wxr": "a WordPress export (WXR 1.0-1.2 XML, Tools > Export)",
    "disqus": "a Disqus XML export",
    "reddit": "a Reddit thread's .json listing (nested replies, 'more' stubs)",
    "reddit-jsonl": "flat Reddit comments, one JSON object per line (Pushshift style), streamed",
    "hn": "Hacker News JSON: an Algolia item tree, Algolia search hits, or Firebase items",
    "wp-rest": "WordPress REST API comment pages (/wp-json/wp/v2/comments)",
    "wp-html": "a saved WordPress comment section (ol.comment-list / ol.commentlist HTML)",
    "convokit": "a ConvoKit corpus directory (utterances.jsonl, reply_to or reply-to)",
    "commento": "a Commento JSON export",
}

_HEAD_BYTES = 64 * 1024


def reader_for(fmt: str):
    """The reader function for format *fmt*.

    Raises
    ------
    InputFormatError
        Naming the known formats when *fmt* is not one of them.

    Examples
    --------
    >>> reader_for("csv").__name__
    'read_csv'
    """
    import importlib

    if fmt not in FORMATS:
        raise InputFormatError(f"format must be one of {sorted(FORMATS)}; got {fmt!r}.")
    module, func = FORMATS[fmt].split(":")
    return getattr(importlib.import_module(module), func)


def _head(path: Path) -> str:
    from ._text import open_binary

    try:
        with open_binary(path) as fh:
            raw = fh.read(_HEAD_BYTES)
    except (OSError, EOFError) as err:
        raise InputFormatError(f"cannot be read ({err}); is the compressed file complete?", path=path) from err
    for bom in (b"\xef\xbb\xbf",):
        if raw.startswith(bom):
            raw = raw[len(bom):]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16", errors="ignore")
        except UnicodeDecodeError:
            return ""
    return raw.decode("utf-8", errors="ignore")


def detect_format(path) -> tuple[str, str]:
    """Guess the format of *path*; return ``(format, reason)``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("comment_id,text\\n1,hi\\n")
    >>> detect_format(p)
    ('csv', 'file extension .csv')
    """
    p = Path(path)
    if not p.exists():
        raise InputFormatError("no such file; check the path and the current directory.", path=p)
    from ._text import plain_name

    suffix = plain_name(p).suffix.lower()
    if p.is_dir():
        if (p / "utterances.jsonl").is_file():
            return "convokit", "a directory with utterances.jsonl (a ConvoKit corpus)"
        raise InputFormatError("is a directory; pass the files in it.", path=p)
    if suffix == ".parquet":
        return "parquet", "file extension .parquet"
    head = _head(p)
    stripped = head.lstrip()
    if not stripped and p.stat().st_size <= _HEAD_BYTES:
        # Nothing to sniff: say so, rather than that the format is unknown.
        raise InputFormatError("the file is empty; nothing to read.", path=p)
    for fmt, sniff in _SNIFFERS:
        reason = sniff(p, suffix, stripped)
        if reason:
            return fmt, reason
    if suffix in (".csv", ".tsv"):
        return "csv", f"file extension {suffix}"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl", f"file extension {suffix}"
    if suffix == ".json" and stripped.startswith("["):
        return "jsonl", "a JSON array of objects"
    if stripped.startswith("{") and ("\n{" in stripped or stripped.rstrip().endswith("}")):
        return "jsonl", "one JSON object per line"
    if suffix in (".txt", ".text", "") and stripped:
        return "page", "plain text: a scraped page of a post and its comments"
    raise InputFormatError(
        f"cannot tell the format of this {suffix or 'extension-less'} file; pass format=... (--format on the command line) with one of {sorted(FORMATS)}.",
        path=p,
    )


def _sniffer(spec: str):
    def sniff(path, suffix, head):
        import importlib

        module, func = spec.split(":")
        return getattr(importlib.import_module(module), func)(path, suffix, head)

    return sniff


#: Content sniffers tried in order before extensions: (format, f(path, suffix, head) -> reason or "").
#: Each lives beside its reader and is imported only when a file is sniffed.
_SNIFFERS: list = [
    ("convokit", _sniffer("discourse.ingest.convokit:sniff_convokit")),
    ("wxr", _sniffer("discourse.ingest.wxr:sniff_wxr")),
    ("disqus", _sniffer("discourse.ingest.disqus:sniff_disqus")),
    ("reddit", _sniffer("discourse.ingest.reddit:sniff_reddit")),
    ("reddit-jsonl", _sniffer("discourse.ingest.reddit:sniff_reddit_jsonl")),
    ("hn", _sniffer("discourse.ingest.hn:sniff_hn")),
    ("wp-rest", _sniffer("discourse.ingest.wp_rest:sniff_wp_rest")),
    ("wp-html", _sniffer("discourse.ingest.wp_html:sniff_wp_html")),
    ("commento", _sniffer("discourse.ingest.commento:sniff_commento")),
]
