"""Reading bytes as text: BOMs, UTF-16, a cp1252 fallback that says so, binary refusal."""

from __future__ import annotations

import codecs
import os
import warnings
from pathlib import Path

from ..errors import DiscourseWarning, InputFormatError

__all__ = ["COMPRESSIONS", "check_file", "decode", "iter_lines", "loads_json", "open_binary", "plain_name", "read_bytes",
           "read_text"]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


#: Compressed inputs read transparently, by file extension.
COMPRESSIONS = (".gz", ".bz2", ".xz", ".zst")


def loads_json(text):
    """:func:`json.loads`, with nesting too deep for the parser reported as a JSONDecodeError.

    The standard parser recurses once per nesting level, so a hostile file of a few
    hundred thousand ``[`` raises RecursionError; readers already turn JSONDecodeError
    into an InputFormatError naming the file, and now do so for this case too.

    >>> loads_json('{"a": [1]}')
    {'a': [1]}
    >>> loads_json("[" * 100_000)
    Traceback (most recent call last):
    ...
    json.decoder.JSONDecodeError: nested too deeply to parse (over ~1000 levels of arrays or objects): line 1 column 1 (char 0)
    """
    import json

    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply to parse (over ~1000 levels of arrays or objects)",
                                   text if isinstance(text, str) else "", 0) from None


def plain_name(path) -> Path:
    """*path* without a compression extension: ``dump.jsonl.gz`` -> ``dump.jsonl``.

    >>> plain_name("RC_2015-01.jsonl.zst").suffix
    '.jsonl'
    """
    p = Path(path)
    return p.with_suffix("") if p.suffix.lower() in COMPRESSIONS else p


def open_binary(path):
    """Open *path* for reading bytes, decompressing ``.gz``, ``.bz2``, ``.xz`` and ``.zst``.

    Zstandard (the Pushshift dumps) needs the ``zstandard`` package (``pip install
    discourse[zstd]``); the others use the standard library.
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".gz":
        import gzip

        return gzip.open(path, "rb")
    if suffix == ".bz2":
        import bz2

        return bz2.open(path, "rb")
    if suffix == ".xz":
        import lzma

        return lzma.open(path, "rb")
    if suffix == ".zst":
        try:
            import zstandard
        except ImportError as err:
            raise InputFormatError("is Zstandard-compressed; install the zstandard package "
                                   "(pip install 'discourse[zstd]') or decompress it first.", path=path) from err
        import io

        fh = open(path, "rb")
        # Pushshift dumps are written with a long window; allow it. Buffered, to read by line.
        return io.BufferedReader(zstandard.ZstdDecompressor(max_window_size=2**31).stream_reader(fh, closefd=True))
    return open(path, "rb")


def _mostly_printable(text: str) -> bool:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r")
    # A stray control character in a comment is text; binary files are full of them.
    return controls <= max(2, 0.02 * len(text))


def check_file(path) -> Path:
    """*path* as a Path, or an :class:`InputFormatError` if it is missing, a directory or empty."""
    p = Path(path)
    if not p.exists():
        raise InputFormatError("no such file; check the path and the current directory.", path=p)
    if p.is_dir():
        raise InputFormatError("is a directory; name the files in it, or pass the directory to read().", path=p)
    if p.stat().st_size == 0:
        raise InputFormatError("the file is empty; nothing to read.", path=p)
    return p


def read_bytes(path) -> bytes:
    """The bytes of *path*, or an :class:`InputFormatError` saying why not."""
    p = Path(path)
    if not p.exists():
        raise InputFormatError("no such file; check the path and the current directory.", path=p)
    if p.is_dir():
        raise InputFormatError("is a directory; name the files in it, or pass the directory to read().", path=p)
    try:
        if p.suffix.lower() in COMPRESSIONS:
            with open_binary(p) as fh:
                data = fh.read()
        else:
            data = p.read_bytes()
    except (OSError, EOFError) as err:
        raise InputFormatError(f"cannot be read ({err.strerror if isinstance(err, OSError) and err.strerror else err}); "
                               "if it is compressed, the file may be truncated.", path=p) from err
    if not data.strip():
        raise InputFormatError("the file is empty; nothing to read.", path=p)
    return data


def decode(data: bytes, *, path="<memory>") -> tuple[str, str]:
    """Decode *data* and return ``(text, encoding)``.

    UTF-8 (with or without BOM) and BOM-marked UTF-16/32 are decoded as such. Text that is
    not UTF-8 falls back to cp1252 with a :class:`DiscourseWarning`; mojibake is left as it
    is, never "repaired" by guessing. Bytes that are not UTF-8 and hold NUL or other control
    bytes (and are not UTF-16) are refused as binary.

    Examples
    --------
    >>> decode("café".encode("utf-8"))
    ('café', 'utf-8')
    >>> decode(codecs.BOM_UTF8 + b"hi")
    ('hi', 'utf-8-sig')
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as err:
                raise InputFormatError(
                    f"starts with a {enc} byte-order mark but is not valid {enc} at byte {err.start}.", path=path
                ) from err
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        first_bad = err.start
    else:
        # Valid UTF-8 is text, whatever control characters the comments hold: real
        # binary files (images, archives, spreadsheets) are almost never valid UTF-8.
        return text, "utf-8"
    if b"\x00" in data[:8192]:
        # UTF-16 without a BOM shows as every other byte NUL in ASCII text.
        sample = data[:4096]
        for enc, zeros in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
            if len(sample) >= 4 and zeros.count(0) > 0.4 * len(sample) / 2:
                try:
                    text = data.decode(enc)
                except UnicodeDecodeError:
                    continue
                if _mostly_printable(text[:2048]):
                    return text, enc
        raise InputFormatError(
            "looks like a binary file (it contains NUL bytes), not text; give a text export "
            "(CSV, JSON, JSONL, XML, HTML or a saved page) or a .parquet file.",
            path=path,
        )
    try:
        text = data.decode("cp1252")
        enc = "cp1252"
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        enc = "latin-1"
    if _mostly_printable(text[:4096]):
        # A file pieced together from UTF-8 and cp1252 sources: decoding it whole as cp1252
        # would turn every UTF-8 letter into mojibake, so lines that are UTF-8 stay UTF-8.
        lines = data.split(b"\n")
        utf8 = [_try_utf8(line) for line in lines]
        if any(t is not None and not t.isascii() for t in utf8):
            bad = sum(t is None for t in utf8)
            text = "\n".join(t if t is not None else line.decode(enc) for t, line in zip(utf8, lines))
            enc = f"UTF-8, with {bad} line{'s' * (bad != 1)} in {enc}"
    if not _mostly_printable(text[:4096]):
        raise InputFormatError(
            "looks like a binary file (control bytes, not valid UTF-8), not text; give a text export "
            "(CSV, JSON, JSONL, XML, HTML or a saved page) or a .parquet file.",
            path=path,
        )
    warnings.warn(
        f"{path}: not valid UTF-8 (first bad byte at offset {first_bad}); decoded as {enc}. "
        "Check accented letters and quotes in the output; re-save the file as UTF-8 to be sure.",
        DiscourseWarning,
        stacklevel=3,
    )
    return text, enc


def _try_utf8(line: bytes):
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return None


def read_text(path) -> tuple[str, str]:
    """Read and decode *path*; see :func:`decode`."""
    return decode(read_bytes(path), path=os.fspath(path))


def iter_lines(path, *, notes: list | None = None):
    """Yield ``(line number, text)`` for each line of *path* without reading it whole.

    Lines break at ``\\n`` only (JSON allows a raw U+2028 inside a string). UTF-8 with or
    without BOM and BOM-marked UTF-16 are read as such; a line that is not valid UTF-8 is
    decoded as cp1252, and the count of such lines is warned about at the end (and added to
    *notes* when given).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.jsonl"
    >>> _ = p.write_bytes(codecs.BOM_UTF8 + '{"a": "\\u2028"}\\n{"b": 2}\\n'.encode())
    >>> [n for n, line in iter_lines(p)]
    [1, 2]
    """
    p = Path(path)
    if not p.exists():
        raise InputFormatError("no such file; check the path and the current directory.", path=p)
    if p.is_dir():
        raise InputFormatError("is a directory; name the files in it, or pass the directory to read().", path=p)
    with open_binary(p) as fh:
        head = fh.read(4)
    if not head:
        raise InputFormatError("the file is empty; nothing to read.", path=p)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        import io

        n = 0
        try:
            with io.TextIOWrapper(open_binary(p), encoding="utf-16", newline="") as fh:
                for n, line in enumerate(fh, 1):
                    yield n, line
        except UnicodeDecodeError as err:
            raise InputFormatError(f"is marked as UTF-16 but cannot be decoded after line {n} ({err.reason}); the file "
                                   "may be truncated or not UTF-16. Re-save it as UTF-8.", path=p) from err
        return
    fallback = 0
    n = 0
    try:
        with open_binary(p) as fh:
            for n, raw in enumerate(fh, 1):
                if n == 1 and raw.startswith(codecs.BOM_UTF8):
                    raw = raw[3:]
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    fallback += 1
                    text = raw.decode("cp1252", errors="replace")
                yield n, text
    except (OSError, EOFError) as err:
        raise InputFormatError(f"cannot be read past line {n} ({err}); if it is compressed, the file may be truncated.",
                               path=p) from err
    if fallback:
        if notes is not None:
            notes.append(f"{fallback} lines were not valid UTF-8 and were decoded as cp1252")
        warnings.warn(f"{os.fspath(path)}: {fallback} lines are not valid UTF-8; decoded as cp1252. Check accented "
                      "letters in those comments; re-save the file as UTF-8 to be sure.", DiscourseWarning, stacklevel=3)
