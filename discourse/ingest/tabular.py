"""Readers and writers for the tabular contract: CSV, JSON Lines and Parquet.

The columns are those of the contract in DESIGN.md: ``thread_id`` and ``comment_id``
(strings), optional ``parent_id`` (empty = replies to the post), ``author``,
``created_at`` (ISO 8601), and ``text`` (required). Analysis columns written by
``discourse analyze`` read back unchanged, so a table can go round the tool again.
Text is kept exactly: the string "NA" stays "NA", empty stays empty.
"""

from __future__ import annotations

import io
import json
import os
import warnings
from pathlib import Path

import pandas as pd

from ..errors import DiscourseWarning, InputFormatError, SchemaError
from ._text import decode, loads_json, read_bytes

__all__ = ["read_csv", "read_jsonl", "read_parquet", "table_to_corpus", "write_table", "TABLE_FORMATS"]

TABLE_FORMATS = {".csv": "csv", ".tsv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".json": "jsonl"}

_THREAD_PREFIX = "thread_"


def read_csv(path, *, thread_id=None):
    """Read a CSV (or TSV) comments table into a :class:`~discourse.Corpus`.

    Every cell is read as text: "NA" stays "NA", an empty cell stays empty.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
    >>> _ = p.write_text("comment_id,parent_id,text\\n1,,NA\\n2,1,Agreed.\\n")
    >>> read_csv(p).comments[["comment_id", "parent_id", "text"]].values.tolist()
    [['1', '', 'NA'], ['2', '1', 'Agreed.']]
    """
    data = read_bytes(path)
    text, encoding = decode(data, path=os.fspath(path))
    from ._text import plain_name

    sep = "\t" if plain_name(path).suffix.lower() == ".tsv" else _separator(text)
    options = {"dtype": str, "keep_default_na": False, "na_filter": False, "sep": sep}
    try:
        df = pd.read_csv(io.StringIO(text), **options)
        if not isinstance(df.index, pd.RangeIndex):
            # The first data row has one field more than the header names, so pandas took
            # each row's first field as its index and shifted every column by one.
            extra = df.iloc[:, -1] if df.shape[1] else pd.Series([], dtype=str)
            if extra.astype(str).str.len().gt(0).any():
                row = int(extra.astype(str).str.len().gt(0).to_numpy().argmax()) + 1
                raise InputFormatError(
                    f"data row {row} has {df.shape[1] + 1} fields but the header names {df.shape[1]} columns. "
                    f"Put text that holds the separator ({sep!r}) in double quotes, or name every column in "
                    f"the header.", path=path)
            # Only an empty field after a trailing separator: nothing is lost by dropping it.
            df = pd.read_csv(io.StringIO(text), index_col=False, **options)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv_error()) as err:
        raise InputFormatError(f"not a readable CSV table ({str(err).strip()}). Check that every row has as many "
                               f"fields as the header and that quotes are closed.", path=path) from err
    corpus = table_to_corpus(df, path=os.fspath(path), fmt="csv", thread_id=thread_id, encoding=encoding)
    if sep not in (",", "\t"):
        corpus.ingest[0].notes.append(f"fields separated by {sep!r}")
    return corpus


def _separator(text: str) -> str:
    """``,`` unless the header line has no comma but semicolons (Excel's CSV where the
    decimal mark is a comma) or tabs: then that one."""
    header = text[:text.find("\n")] if "\n" in text[:65536] else text[:65536]
    if "," in header:
        return ","
    for sep in (";", "\t"):
        if sep in header:
            return sep
    return ","


def csv_error():
    import csv

    return csv.Error


def read_jsonl(path, *, thread_id=None):
    """Read JSON Lines (one comment object per line) or a JSON array of comment objects.

    JSON Lines are read line by line into columns, so a large file is never held in memory
    as text; a JSON array is read whole. A line that holds no JSON object (a dump whose last
    line was cut short, say) is skipped as ``unparseable``: counted in the ingest report with
    its line number, and warned about with a :class:`~discourse.DiscourseWarning`; a file in
    which no line holds an object fails. For a strict read, turn the warning into an error
    (``warnings.simplefilter("error", discourse.DiscourseWarning)``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.jsonl"
    >>> _ = p.write_text('{"comment_id": "1", "text": "Hi"}\\n{"comment_id": "2", "parent_id": "1", "text": "Hey"}\\n')
    >>> read_jsonl(p).comments[["comment_id", "parent_id", "text"]].values.tolist()
    [['1', '', 'Hi'], ['2', '1', 'Hey']]
    """
    from ._text import open_binary

    with open_binary(path) if os.path.isfile(path) else open(os.devnull, "rb") as fh:
        start = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"[") or start.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = read_bytes(path)
        text, encoding = decode(data, path=os.fspath(path))
        del data
        if not text.lstrip().startswith("["):
            return _jsonl_columns(path, thread_id, enumerate(text.split("\n"), 1), encoding)
        try:
            records = loads_json(text)
        except json.JSONDecodeError as err:
            raise InputFormatError(f"invalid JSON ({err.msg}, column {err.colno}).", path=path, line=err.lineno) from err
        if not isinstance(records, list):
            raise InputFormatError("is a JSON value, not an array of comment objects.", path=path)
        bad = next((i for i, r in enumerate(records) if not isinstance(r, dict)), None)
        if bad is not None:
            raise InputFormatError(f"item {bad} of the JSON array is a {type(records[bad]).__name__}, not an object with comment fields.", path=path)
        df = pd.DataFrame.from_records(records)
        return table_to_corpus(df, path=os.fspath(path), fmt="jsonl", thread_id=thread_id, encoding=encoding)
    from ._text import iter_lines

    notes: list = []
    corpus = _jsonl_columns(path, thread_id, iter_lines(path, notes=notes), "utf-8")
    corpus.ingest[0].notes.extend(notes)
    return corpus


def _jsonl_columns(path, thread_id, lines, encoding):
    from ._common import BadLines

    cols: dict[str, list] = {}
    n_rows = 0
    bad = BadLines(path, what="JSON Lines table")
    check = bad.check
    for lineno, line in lines:
        if not line.strip():
            continue
        rec = check(line, lineno)
        if rec is None:
            continue
        for key in rec.keys() - cols.keys():
            cols[key] = [None] * n_rows
        for key, values in cols.items():
            values.append(rec.get(key))
        n_rows += 1
    if not n_rows and bad.count:
        bad.fail(fix="Each line of a .jsonl file must be one JSON object with the comment's fields.")
    if not n_rows:
        raise InputFormatError("the file is empty; nothing to read.", path=path)
    # Text columns stay Python strings: an Arrow-backed copy would hold every text twice.
    df = pd.DataFrame({k: pd.Series(v, dtype=object) if all(x is None or isinstance(x, str) for x in v[:1000])
                       else pd.Series(v) for k, v in cols.items()})
    del cols
    corpus = table_to_corpus(df, path=os.fspath(path), fmt="jsonl", thread_id=thread_id, encoding=encoding)
    if bad.count:
        report = corpus.ingest[0]
        report.seen += bad.count
        report.skipped = {**report.skipped, "unparseable": report.skipped.get("unparseable", 0) + bad.count}
        bad.report(notes=report.notes, stacklevel=4)
    return corpus


def read_parquet(path, *, thread_id=None):
    """Read a Parquet comments table.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.parquet"
    >>> pd.DataFrame({"comment_id": ["1"], "text": ["Hello"]}).to_parquet(p)
    >>> read_parquet(p).comments["text"].tolist()
    ['Hello']
    """
    read_bytes(path)
    try:
        df = pd.read_parquet(path)
    except Exception as err:  # pyarrow raises several unrelated types for a bad file
        raise InputFormatError(f"not a readable Parquet file ({type(err).__name__}: {err}).", path=path) from err
    return table_to_corpus(df, path=os.fspath(path), fmt="parquet", thread_id=thread_id)


def table_to_corpus(df: pd.DataFrame, *, path: str, fmt: str, thread_id=None, encoding: str = "utf-8"):
    """Validate a comments table and wrap it in a :class:`~discourse.Corpus`.

    Examples
    --------
    >>> df = pd.DataFrame({"comment_id": ["1", "2"], "parent_id": ["", "1"], "text": ["a", "b"]})
    >>> table_to_corpus(df, path="t.csv", fmt="csv").ingest[0].summary()
    't.csv: read as csv; 1 thread, 2 records seen, 2 comments kept'
    """
    from ..model import (Corpus, IngestReport, _repair_counts, duplicate_note, normalize_comments,
                         normalize_threads, repair_links)

    from ._columns import contract_names, explain, note, to_contract

    if df.empty and not len(df.columns):
        raise InputFormatError("the table has no rows and no columns.", path=path)
    try:
        renames, reddit = contract_names(df.columns)
    except SchemaError as err:
        raise SchemaError(f"{path}: {err}") from None
    df = to_contract(df, renames, reddit)
    if "text" not in df.columns:
        raise SchemaError(
            f"{path}: the comments table needs a 'text' column; got columns {list(map(str, df.columns))}. "
            "Rename the column holding the comment text to 'text'."
        )
    if "comment_id" not in df.columns:
        raise SchemaError(
            f"{path}: the comments table needs a 'comment_id' column; got columns {list(map(str, df.columns))}. "
            "Add one with a unique id per comment."
        )
    if thread_id is not None or "thread_id" not in df.columns:
        from ._text import plain_name

        df = df.assign(thread_id=thread_id or plain_name(path).stem)
    threads = None
    seen = len(df)
    dropped: dict = {}
    try:
        comments = normalize_comments(df, where=path, caller="read", duplicates="first", dropped=dropped)
    except SchemaError as err:
        raise explain(err, renames) from None
    skipped, message = duplicate_note(dropped)
    if message:
        warnings.warn(f"{path}: {message}", DiscourseWarning, stacklevel=3)
    comments, repaired = repair_links(comments, warn=False)
    if repaired:  # (as every reader words it: the file first)
        warnings.warn(f"{path}: reply links repaired: {_repair_counts(repaired)}; those comments now answer the post",
                      DiscourseWarning, stacklevel=3)
    threads = normalize_threads(threads, comments)
    threads["source_format"] = threads["source_format"].where(threads["source_format"] != "", fmt)
    threads["source_path"] = threads["source_path"].where(threads["source_path"] != "", path)
    notes = ([] if encoding in ("utf-8",) else [f"decoded as {encoding}"]) + note(renames, reddit)
    notes += [message] if message else []
    report = IngestReport(path=path, format=fmt, threads=len(threads), seen=seen, kept=len(comments),
                          skipped=skipped, repaired=dict(repaired), notes=notes)
    return Corpus(threads=threads, comments=comments, ingest=(report,))


def _for_output(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(out[col]):
            s = out[col]
            if not isinstance(s.dtype, pd.DatetimeTZDtype):
                s = s.dt.tz_localize("UTC")
            out[col] = s.dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%SZ").where(s.notna(), "")
    return out


def write_table(df: pd.DataFrame, path) -> None:
    """Write a table as CSV, TSV, JSON Lines or Parquet, chosen by the file extension.

    Times are written as ISO 8601 in UTC (``2017-06-20T15:15:00Z``). The write is atomic.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "out.jsonl"
    >>> write_table(pd.DataFrame({"comment_id": ["1"], "text": ["Hi"]}), p)
    >>> p.read_text().strip()
    '{"comment_id":"1","text":"Hi"}'

    Raises
    ------
    SchemaError
        For an extension that is not ``.csv``, ``.tsv``, ``.jsonl``, ``.ndjson`` or ``.parquet``.
    """
    from .._io import atomic_path

    suffix = _table_suffix(path)
    out = _for_output(df)
    with atomic_path(path) as tmp:
        if suffix in (".csv", ".tsv"):
            # CRLF as RFC 4180 says: the csv writer then quotes any field holding a bare "\r".
            out.to_csv(tmp, index=False, sep="\t" if suffix == ".tsv" else ",", lineterminator="\r\n")
        elif suffix in (".jsonl", ".ndjson"):
            out.to_json(tmp, orient="records", lines=True, force_ascii=False)
        else:
            out.to_parquet(tmp, index=False)


def _table_suffix(path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet"):
        raise SchemaError(
            f"cannot write {os.fspath(path)!r}: the output extension must be one of "
            "['.csv', '.jsonl', '.ndjson', '.parquet', '.tsv']; got "
            f"{suffix or 'none'!r}."
        )
    return suffix


def check_table_output(path) -> None:
    """Raise if :func:`write_table` could not write *path* (its extension or its folder); write nothing.

    >>> check_table_output("out.txt")
    Traceback (most recent call last):
    ...
    discourse.errors.SchemaError: cannot write 'out.txt': the output extension must be one of ['.csv', '.jsonl', '.ndjson', '.parquet', '.tsv']; got '.txt'.
    """
    from .._io import check_writable

    _table_suffix(path)
    check_writable(path)
