"""Store: a corpus on disk as Parquet, partitioned by thread, built by streaming with resume.

For corpora larger than memory the working format is a *Parquet corpus*, a directory::

    corpus/
      manifest.json              what was built from what, and which partitions are complete
      comments/part-00000.parquet
      threads/part-00000.parquet
      spans/part-00000.parquet   (analysed corpora)

Terms:

partition
    A set of whole threads, stored as one Parquet file per table. A thread's partition is
    a stable hash of its ``thread_id`` modulo the number of partitions, so a thread is never
    split, whatever order the input lists its comments in (a subreddit dump is ordered by
    time, not by thread). Partitions are the unit of work of every path: the local
    process, ``jobs`` worker processes, and Dask (:mod:`discourse.dask`).
manifest
    ``manifest.json``: the inputs (path, size, modification time), the options, the number
    of partitions, and for each *complete* partition its row counts and column types. A
    partition's files are written atomically and it is entered in the manifest only after
    all of them are; a reader reads only complete partitions.
resume
    Building into a directory that holds a manifest from the same inputs and options
    continues: complete partitions are skipped, the others are (re)written under the same
    file names, so an interrupted run never leaves duplicate rows.
staging
    Reading a big CSV, JSONL or Parquet file never holds the whole file: it is read in
    chunks of rows, and each chunk's rows go to a hidden ``.staging/`` folder, one file per
    partition, before any partition is analysed. Staging is kept until the build completes,
    so a resumed run does not read the input again.

Memory is bounded by the chunk size while reading and by the partition size (times the
number of jobs) while analysing; corpus-level tables (:func:`thread_table`,
:func:`corpus_summary`) are computed one partition at a time. :func:`analyze` chooses the
partition size from a memory budget for the whole process tree (2 GiB unless given; see
:func:`partition_bytes_for`), divided among its workers.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import warnings
from pathlib import Path

from .errors import DiscourseWarning, InputFormatError, SchemaError

__all__ = [
    "add_topics",
    "analyze",
    "corpus_summary",
    "ingest",
    "is_store",
    "iter_partitions",
    "partition_bytes_for",
    "partition_of",
    "read_corpus",
    "read_manifest",
    "thread_table",
    "write_corpus",
]

MANIFEST = "manifest.json"
FORMAT_NAME = "discourse-corpus"
VERSION = 1
TABLES = ("comments", "threads", "spans")
_STAGING = ".staging"
_STREAMED = ("csv", "jsonl", "parquet")
# Columns normalize_comments retypes anyway: read them as plain Python objects.
_TEXT_COLUMNS = frozenset(("thread_id", "comment_id", "parent_id", "author", "created_at", "text", "position",
                           "depth", "parent_source", "parent_confidence", "parent_evidence", "author_source"))

#: Largest partition, in input bytes (about 100,000 typical comments); smaller inputs are
#: cut into up to 8 partitions of at least 1 MiB.
PARTITION_BYTES = 32 * 2**20
#: The memory budget of an analysis (the whole process tree: main process and workers)
#: when neither a budget nor a partition size is given.
MEMORY_BUDGET = 2 * 2**30
#: Smallest partition size :func:`partition_bytes_for` chooses, in input bytes.
MIN_PARTITION_BYTES = 2**20
#: Smallest partition size accepted at all (a smaller one makes a file per few comments).
_SMALLEST_PARTITION_BYTES = 4 * 2**10
# What an analysis holds (RSS): the main process, each worker's fixed part (libraries,
# analysers, memo caches, what staging left), and a worker's growth per byte of input in
# its partition (the rows, the stages' working tables, the results and spans until they
# are written). Set a little above bench/throughput.py's measurements on 200k and 1M
# generated comments, every stage: workers on ~9.5 MiB partitions peaked at ~730 MiB
# (this model: 875), the main process at 141 MiB while they ran and ~500 MiB in topics.
_MAIN_BYTES = 300 * 2**20
_WORKER_BYTES = 400 * 2**20
_WORKER_BYTES_PER_INPUT_BYTE = 50
#: Default partition size for an in-memory corpus, in comments.
PARTITION_ROWS = 50_000
#: Rows read from a big file at a time.
CHUNK_ROWS = 100_000
#: Comments analysed at a time within a partition (whole threads; bounds a worker's memory).
ANALYSIS_CHUNK_ROWS = 20_000
#: JSON Lines files from this size on are read by all jobs at once, in byte ranges.
_PARALLEL_READ_BYTES = 4 * 2**20


# ----------------------------------------------------------------------------- layout


def is_store(path) -> bool:
    """True when *path* is a directory holding a discourse Parquet corpus (a manifest).

    Examples
    --------
    >>> import tempfile
    >>> is_store(tempfile.mkdtemp())
    False
    """
    p = Path(path)
    return p.is_dir() and (p / MANIFEST).is_file()


def read_manifest(path) -> dict:
    """The manifest of the Parquet corpus at *path*.

    Raises
    ------
    InputFormatError
        When *path* holds no manifest or one this version cannot read.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> from discourse import Corpus
    >>> c = Corpus.from_frames(pd.DataFrame({"comment_id": ["1"], "text": ["Hi"]}))
    >>> out = write_corpus(c, pathlib.Path(tempfile.mkdtemp()) / "corpus")
    >>> read_manifest(out)["n_partitions"]
    1
    """
    p = Path(path) / MANIFEST
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise InputFormatError(
            f"no {MANIFEST} here, so this is not a discourse Parquet corpus; build one with "
            "'discourse analyze INPUT -o DIR/' or discourse.store.write_corpus().", path=path) from err
    except json.JSONDecodeError as err:
        raise InputFormatError(f"{MANIFEST} is not valid JSON ({err.msg}); rebuild the corpus.", path=path) from err
    if data.get("format") != FORMAT_NAME or data.get("version") != VERSION:
        raise InputFormatError(
            f"{MANIFEST} is not a {FORMAT_NAME} version {VERSION} manifest; got format {data.get('format')!r} "
            f"version {data.get('version')!r}.", path=path)
    return data


def _write_manifest(path: Path, manifest: dict) -> None:
    from ._io import atomic_write_text

    atomic_write_text(path / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True, default=str))


def _part_name(pid: int) -> str:
    return f"part-{pid:05d}.parquet"


def partition_of(thread_ids, n_partitions: int):
    """The partition number of each thread id: a stable hash modulo *n_partitions*.

    The hash (pandas' SipHash with its fixed key) gives the same answer in every process and
    every run, which is what resume and the Dask path rely on.

    Examples
    --------
    >>> partition_of(["a", "b", "a"], 4).tolist()
    [0, 3, 0]
    """
    import numpy as np
    import pandas as pd

    s = pd.Series(list(thread_ids) if not isinstance(thread_ids, pd.Series) else thread_ids, dtype=object)
    if n_partitions <= 1 or len(s) == 0:
        return np.zeros(len(s), dtype=np.int64)
    return (pd.util.hash_pandas_object(s, index=False).to_numpy() % np.uint64(n_partitions)).astype(np.int64)


def partition_bytes_for(memory: int = MEMORY_BUDGET, *, jobs: int = 1, strict: bool = True) -> int:
    """The partition size, in input bytes, that keeps an analysis with *jobs* workers within *memory* bytes.

    The budget is for the whole process tree. The main process's share is taken off and
    the rest divided among the workers; each worker holds its fixed part (the analysers,
    lexicons, libraries and memo caches) and, per byte of input in the partition it
    analyses, about 50 bytes (the rows, the stages' working tables, the results and spans
    until they are written). Those figures were measured on generated Reddit, Hacker News
    and news-site comments (``bench/throughput.py``); text with many more sentences or
    frame terms per byte needs more. The answer is at most :data:`PARTITION_BYTES` and at least
    :data:`MIN_PARTITION_BYTES`.

    Parameters
    ----------
    memory : int, default MEMORY_BUDGET (2 GiB)
        Bytes for the main process and all workers together.
    jobs : int, default 1
        Worker processes (1: the analysis runs in the main process).
    strict : bool, default True
        Raise when even the smallest partition would not fit; otherwise return
        :data:`MIN_PARTITION_BYTES` (what the default budget does with many jobs).

    Raises
    ------
    SchemaError
        When *memory* is not a positive whole number of bytes, or (with *strict*) is too
        small for *jobs* workers.

    Examples
    --------
    >>> partition_bytes_for(2 * 2**30, jobs=2) // 2**20
    9
    >>> partition_bytes_for(8 * 2**30, jobs=1) // 2**20
    32
    """
    if isinstance(memory, bool) or not isinstance(memory, int) or memory < 1:
        raise SchemaError(f"memory must be a whole number of bytes, at least 1; got {memory!r}.")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise SchemaError(f"jobs must be an int in the range [1, inf); got {jobs!r}.")
    # With one job the analysis runs in the main process: one fixed part, not two.
    fixed = _WORKER_BYTES if jobs == 1 else _MAIN_BYTES + jobs * _WORKER_BYTES
    size = int((memory - fixed) / jobs / _WORKER_BYTES_PER_INPUT_BYTE)
    if size < MIN_PARTITION_BYTES:
        if strict:
            need = fixed + jobs * MIN_PARTITION_BYTES * _WORKER_BYTES_PER_INPUT_BYTE
            who = (f"the main process needs about {_human(_MAIN_BYTES)} and each of {jobs} workers"
                   if jobs > 1 else "the analysis needs")
            raise SchemaError(
                f"a memory budget of {_human(memory)} is too small for {jobs} worker{'s' if jobs > 1 else ''}: "
                f"{who} about {_human(_WORKER_BYTES)} plus {_WORKER_BYTES_PER_INPUT_BYTE} bytes per byte of input "
                f"in its partition (at least {_human(MIN_PARTITION_BYTES)}), so at least {_human(need)}. Give more "
                "memory, fewer jobs, or a partition size.")
        return MIN_PARTITION_BYTES
    return min(size, PARTITION_BYTES)


def _human(n: int) -> str:
    """*n* bytes as a short size with binary units: ``'1.5 GiB'``."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} bytes"


def _dtypes(df) -> dict:
    return {str(c): str(t) for c, t in df.dtypes.items()}


def _restore(df, dtypes: dict):
    # Parquet gives pandas' string dtype back; the readers' tables hold Python objects.
    todo = {c: t for c, t in dtypes.items() if c in df.columns and str(df[c].dtype) != t}
    return df.astype(todo) if todo else df


def _write_parquet(df, path: Path) -> list:
    """Write *df* atomically; returns the columns that had to be written as text."""
    import pyarrow as pa

    from ._io import atomic_path

    as_text = []
    while True:
        try:
            with atomic_path(path) as tmp:
                df.to_parquet(tmp, index=False)
            return as_text
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as err:
            # An extra column mixing types (ints and strings, say) cannot be one Parquet
            # column: keep it as text, and say so.
            bad = next((c for c in df.columns if df[c].dtype == object and c not in as_text
                        and df[c].map(type).nunique() > 1 + df[c].isna().any()), None)
            if bad is None:
                raise SchemaError(f"cannot write {path.name} as Parquet ({err}).") from err
            as_text.append(bad)
            df = df.assign(**{bad: df[bad].map(lambda v: v if v is None or isinstance(v, str) else str(v))})


def _read_part(path: Path, table: str, pid: int, entry: dict, columns=None):
    import pandas as pd

    f = path / table / _part_name(pid)
    dtypes = entry.get("dtypes", {}).get(table, {})
    if not f.exists() and entry.get(table):
        raise InputFormatError(f"{table}/{f.name} is missing, but the manifest lists its {entry[table]} rows; "
                               "restore the file, or delete the partition's entry from manifest.json and run the "
                               "build again to redo it.", path=path)
    if not f.exists():
        return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in dtypes.items()})[columns or list(dtypes)]
    cols = None if columns is None else [c for c in columns if c in dtypes]
    return _restore(pd.read_parquet(f, columns=cols), dtypes)


def _complete(manifest: dict) -> list:
    return sorted(int(k) for k in manifest.get("partitions", {}))


def iter_partitions(path, *, columns=None, tables=("comments", "threads", "spans")):
    """Yield ``(partition number, Corpus)`` for each complete partition, one at a time.

    Memory holds one partition; use it for anything that can be done thread by thread.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> from discourse import Corpus
    >>> c = Corpus.from_frames(pd.DataFrame({"comment_id": ["1", "2"], "text": ["a", "b"]}))
    >>> out = write_corpus(c, pathlib.Path(tempfile.mkdtemp()) / "c")
    >>> [(pid, len(part.comments)) for pid, part in iter_partitions(out)]
    [(0, 2)]

    Parameters
    ----------
    path : str or path-like
        A Parquet corpus directory.
    columns : list of str, optional
        Read only these comment columns.
    tables : tuple of str
        Which tables to read; the others come back empty.
    """
    import pandas as pd

    from .model import Corpus, SPAN_COLUMNS

    path = Path(path)
    manifest = read_manifest(path)
    for pid in _complete(manifest):
        entry = manifest["partitions"][str(pid)]
        comments = _read_part(path, "comments", pid, entry, columns) if "comments" in tables else pd.DataFrame()
        threads = _read_part(path, "threads", pid, entry) if "threads" in tables else pd.DataFrame()
        spans = None
        if manifest.get("analysed") and "spans" in tables:
            spans = _read_part(path, "spans", pid, entry)
            if not len(spans.columns):
                spans = pd.DataFrame(columns=list(SPAN_COLUMNS))
        yield pid, Corpus(threads=threads, comments=comments, spans=spans)


def _ingest_reports(manifest: dict) -> tuple:
    from .model import IngestReport

    return tuple(IngestReport(**r) for r in manifest.get("ingest", []))


def read_corpus(path, *, columns=None, progress: bool | None = None):
    """Read a whole Parquet corpus into memory as a :class:`~discourse.Corpus`.

    Partitions are concatenated in partition order; within one, rows keep their input order.
    Column types are those the corpus had when it was written.

    Parameters
    ----------
    path : str or path-like
        A directory written by :func:`write_corpus`, :func:`ingest` or :func:`analyze`.
    columns : list of str, optional
        Read only these comment columns.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from discourse import Corpus
    >>> c = Corpus.from_frames(pd.DataFrame({"thread_id": ["a", "b"], "comment_id": ["1", "2"], "text": ["x", "y"]}))
    >>> d = write_corpus(c, tempfile.mkdtemp() + "/corpus", n_partitions=2)
    >>> back = read_corpus(d)
    >>> back.comments.sort_values("comment_id").reset_index(drop=True).equals(c.comments)
    True
    """
    import pandas as pd

    from . import progress as _progress
    from .model import Corpus

    manifest = read_manifest(path)
    comments, threads, spans = [], [], []
    with _progress.bar(total=len(manifest.get("partitions", {})), desc="read", unit="partitions",
                       progress=progress) as bar:
        for _, part in iter_partitions(path, columns=columns):
            if not len(part.comments) and not len(part.threads):
                bar.update()
                continue
            comments.append(part.comments)
            threads.append(part.threads)
            if part.spans is not None:
                spans.append(part.spans)
            bar.update()
    if not comments:
        raise InputFormatError("the corpus has no complete partition yet; run the build again to finish it.",
                               path=path)
    return Corpus(
        threads=pd.concat(threads, ignore_index=True),
        comments=pd.concat(comments, ignore_index=True),
        spans=pd.concat(spans, ignore_index=True) if spans else None,
        ingest=_ingest_reports(manifest),
    )


# ----------------------------------------------------------------------------- building


def _fingerprint(files) -> list:
    out = []
    for f in files:
        st = Path(f).stat()
        out.append({"path": os.fspath(f), "size": st.st_size, "mtime_ns": st.st_mtime_ns})
    return out


def _open(path: Path, expected: dict) -> dict:
    """Start a build in *path*, or resume the one there; raise when it was something else."""
    if path.exists() and not path.is_dir():
        raise SchemaError(f"cannot build a Parquet corpus in {os.fspath(path)!r}: it is a file; give a directory.")
    if is_store(path):
        manifest = read_manifest(path)
        was = {k: manifest.get(k) for k in expected}
        if was != expected:
            diff = [k for k in expected if was.get(k) != expected[k]]
            if diff == ["n_partitions"]:
                raise SchemaError(
                    f"{os.fspath(path)!r} already holds a Parquet corpus of {was['n_partitions']} partitions from "
                    f"these inputs; this run's partition size would make {expected['n_partitions']}. Resume with "
                    "the first run's partition size or memory budget (or give neither), use a new directory, "
                    "or delete this one to start over.")
            raise SchemaError(
                f"{os.fspath(path)!r} already holds a Parquet corpus built from other "
                f"{' and '.join(diff)}; resume needs the same inputs and options. Use a new directory, "
                "or delete this one to start over.")
        return manifest
    if path.exists() and any(path.iterdir()):
        raise SchemaError(
            f"cannot build a Parquet corpus in {os.fspath(path)!r}: the directory is not empty and holds no "
            f"{MANIFEST}. Give a new or empty directory.")
    path.mkdir(parents=True, exist_ok=True)
    manifest = {"format": FORMAT_NAME, "version": VERSION, "partitions": {}, "staged": False, "complete": False,
                **expected}
    _write_manifest(path, manifest)
    return manifest


def _expand_inputs(inputs) -> list:
    from .ingest import _expand

    return [Path(f) for f in _expand(inputs)]


def _check_table(columns, path) -> None:
    # The same checks, and messages, as the in-memory tabular reader.
    if "text" not in columns:
        raise SchemaError(
            f"{path}: the comments table needs a 'text' column; got columns {list(map(str, columns))}. "
            "Rename the column holding the comment text to 'text'.")
    if "comment_id" not in columns:
        raise SchemaError(
            f"{path}: the comments table needs a 'comment_id' column; got columns {list(map(str, columns))}. "
            "Add one with a unique id per comment.")


def _chunks(path: Path, fmt: str, chunk_rows: int, bad: list | None = None, whole: dict | None = None):
    """Yield raw DataFrames of at most *chunk_rows* rows, as the in-memory reader would type them.

    JSON Lines that hold no object are skipped and listed in *bad* (see :func:`_jsonl_chunks`);
    a file read whole puts its ingest report's skips and notes in *whole*.
    """
    import pandas as pd

    from .ingest._text import read_bytes

    if path.stat().st_size == 0:
        read_bytes(path)  # raises "the file is empty", as the in-memory reader does
    if fmt == "csv":
        import csv
        import io
        import itertools

        from .ingest.tabular import _separator

        with open(path, "rb") as fh:
            head = fh.read(65536).decode("utf-8", "replace")
        sep = "\t" if path.suffix.lower() == ".tsv" else _separator(head)
        first = list(itertools.islice(csv.reader(io.StringIO(head), delimiter=sep), 2))
        if sep not in (",", "\t") or (len(first) == 2 and len(first[1]) > len(first[0])):
            # The in-memory reader notes the separator in the ingest report, and says which
            # row has more fields than the header (pandas would shift that row's columns).
            yield _whole(path, fmt, whole)
            return
        yielded = 0
        try:
            header = pd.read_csv(path, nrows=0, sep=sep, encoding="utf-8-sig").columns
            # The contract's columns as Python strings straight away (normalize_comments
            # retypes them anyway); other columns as the in-memory reader types them.
            dtype = {c: (object if c in _TEXT_COLUMNS else str) for c in header}
            reader = pd.read_csv(path, dtype=dtype, keep_default_na=False, na_filter=False, sep=sep,
                                 chunksize=chunk_rows, encoding="utf-8-sig")
            for chunk in reader:
                yielded += 1
                yield chunk
        except UnicodeDecodeError:
            if yielded:
                raise InputFormatError(f"not valid UTF-8 after row {yielded * chunk_rows}; re-save the file as "
                                       "UTF-8.", path=path) from None
            # Not UTF-8 from the start: the in-memory reader knows the fallbacks (and
            # warns); files in legacy encodings are small in practice.
            yield _whole(path, fmt, whole)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
            raise InputFormatError(f"not a readable CSV table ({err}).", path=path) from err
    elif fmt == "jsonl":
        if not _jsonl_streamable(path):
            # A JSON array or UTF-16 cannot be read line by line; legacy encodings need
            # the in-memory reader's fallbacks (and warning).
            yield _whole(path, fmt, whole)
            return
        yield from _jsonl_chunks(path, 0, path.stat().st_size, chunk_rows, bad)
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        read_bytes_ok = path.stat().st_size > 0
        if not read_bytes_ok:
            read_bytes(path)
        try:
            pf = pq.ParquetFile(path)
            for batch in pf.iter_batches(batch_size=chunk_rows):
                yield batch.to_pandas()
        except Exception as err:  # pyarrow raises several unrelated types for a bad file
            if isinstance(err, InputFormatError):
                raise
            raise InputFormatError(f"not a readable Parquet file ({type(err).__name__}: {err}).", path=path) from err


def _records_frame(records: list):
    """A DataFrame of JSON records, typed as ``DataFrame.from_records`` would, but faster.

    The contract's columns become Python-object columns at once, skipping
    pandas' inference of an Arrow string column that normalize_comments would undo; other
    columns get pandas' usual inference, as the in-memory reader gives them.
    """
    import pandas as pd

    keys: dict = {}
    for rec in records:
        for k in rec:
            keys[k] = None
    data = {}
    for k in keys:
        values = [rec.get(k) for rec in records]
        data[k] = pd.Series(values, dtype=object) if k in _TEXT_COLUMNS else pd.Series(values)
    return pd.DataFrame(data)


def _whole(path: Path, fmt: str, whole: dict | None = None):
    """The raw table of a file the streaming reader cannot cut (a JSON array, a legacy encoding);
    its ingest report's skips and notes go into *whole*."""
    from .ingest import tabular

    corpus = tabular.read_csv(path) if fmt == "csv" else tabular.read_jsonl(path)
    if whole is not None:
        report = corpus.ingest[0]
        whole.update(skipped=dict(report.skipped), notes=list(report.notes))
    return corpus.comments.assign(_normalized=True)


def _jsonl_streamable(path: Path) -> bool:
    """True for JSON Lines in UTF-8 (judged from the first 64 KiB)."""
    with open(path, "rb") as fh:
        head = fh.read(64 * 1024)
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if head.lstrip().startswith(b"[") or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        # A multi-byte character cut by the 64 KiB boundary is still UTF-8.
        return err.start >= len(head) - 3
    return True


def _json_line_parser():
    """``orjson.loads`` when installed (a third of ``json.loads``'s time on comment lines), else ``json.loads``."""
    try:
        from orjson import loads
    except ImportError:  # pragma: no cover - orjson is a dependency; the standard library gives the same records
        return json.loads
    return loads


#: Bytes of whole lines read at a time by :func:`_jsonl_chunks` (``readlines``'s hint).
_READ_BYTES = 4 * 2**20


def _jsonl_chunks(path: Path, start: int, end: int, chunk_rows: int, bad: list | None = None):
    """DataFrames of the JSON objects on the lines in bytes [start, end) of *path*.

    Lines break at line feeds only (JSON allows U+2028 raw in strings); *start* must be a
    line start, and a line that starts before *end* is read whole. A line that holds no
    JSON object is skipped, as :class:`discourse.ingest._common.BadLines` says, and
    appended to *bad* as ``(line number in the file, reason)`` when the last chunk is out.
    """
    loads = _json_line_parser()
    records = []
    lineno = 0
    skipped: list = []  # (line number within the range, reason)
    with open(path, "rb") as fh:
        fh.seek(start)
        pos = start
        while pos < end:
            # Whole lines, a few MiB at a time (one call, not one per line).
            lines = fh.readlines(min(_READ_BYTES, end - pos))
            if not lines:
                break
            for line in lines:
                if pos >= end:
                    break  # lines from here on start in the next range
                pos += len(line)
                lineno += 1
                if pos == len(line) and line.startswith(b"\xef\xbb\xbf"):
                    line = line[3:]
                try:
                    rec = loads(line)
                except ValueError:
                    # The standard library decides (it reads NaN, numbers past 64 bits and lone
                    # surrogates, which orjson refuses) and words the error as before.
                    rec = None
                    if not line.strip():
                        continue
                    try:
                        rec = json.loads(line)
                    except ValueError:  # JSONDecodeError, UnicodeDecodeError
                        from .ingest._common import BadLines

                        skipped.append((lineno, BadLines.why(line)))
                        continue
                if not isinstance(rec, dict):
                    skipped.append((lineno, f"a JSON {type(rec).__name__}, not an object"))
                    continue
                records.append(rec)
                if len(records) >= chunk_rows:
                    yield _records_frame(records)
                    records = []
    if records:
        yield _records_frame(records)
    if skipped and bad is not None:
        first = _line_of(path, start)
        bad.extend((first + n, reason) for n, reason in skipped)


def _bad_lines(path, bad: list):
    """*bad* (``(line, reason)`` pairs) as a :class:`~discourse.ingest._common.BadLines`."""
    from .ingest._common import BadLines

    out = BadLines(path, what="JSON Lines table")
    for n, reason in sorted(bad):
        out.add(n, reason)
    return out


def _line_of(path: Path, offset: int) -> int:
    """How many lines end before byte *offset* (for error messages)."""
    n = 0
    with open(path, "rb") as fh:
        while offset > 0:
            block = fh.read(min(offset, 2**20))
            if not block:
                break
            n += block.count(b"\n")
            offset -= len(block)
    return n


def _jsonl_ranges(path: Path, k: int) -> list:
    """Cut *path* into at most *k* byte ranges that start at line starts."""
    size = path.stat().st_size
    bounds = [0]
    with open(path, "rb") as fh:
        for i in range(1, k):
            fh.seek(size * i // k)
            fh.readline()
            pos = fh.tell()
            if bounds[-1] < pos < size:
                bounds.append(pos)
    bounds.append(size)
    return list(zip(bounds[:-1], bounds[1:]))


def _stage_pieces(pieces, f: Path, i: int, tag: str, n_parts: int, staging: Path, *, threads_all=None,
                  check: bool = True):
    """Write each piece's rows to the staging folder by partition.

    Returns (rows, thread ids, {"renames": columns read under other names, "reddit": bool}).
    """
    import pandas as pd

    from .ingest._columns import contract_names, to_contract
    from .model import _as_text

    seen, threads, renamed, reddit = 0, set(), {}, False
    for k, raw in enumerate(pieces):
        if "_normalized" not in raw.columns:
            # Other tools' column names, read as discourse.read reads them (per chunk: a
            # JSON Lines chunk has only the keys its records have).
            try:
                renames, is_reddit = contract_names(raw.columns)
            except SchemaError as err:
                raise SchemaError(f"{f}: {err}") from None
            raw = to_contract(raw, renames, is_reddit)
            renamed.update(renames)
            reddit = reddit or is_reddit
        if k == 0 and check and "_normalized" not in raw.columns:
            if raw.empty and not len(raw.columns):
                raise InputFormatError("the table has no rows and no columns.", path=f)
            _check_table(raw.columns, f)
        seen += len(raw)
        if "thread_id" not in raw.columns:
            raw = raw.assign(thread_id=Path(f).stem)
        tids = _as_text(raw["thread_id"])
        threads.update(pd.unique(tids))
        pids = partition_of(tids, n_parts)
        for pid, rows in raw.groupby(pids, sort=True):
            d = staging / f"p{pid:05d}"
            d.mkdir(exist_ok=True)
            payload = {"file": i, "comments": rows}
            if threads_all is not None:
                payload["threads"] = threads_all[threads_all["thread_id"].isin(pd.unique(tids[rows.index]))]
            # Names sort in input order: file, byte range, chunk.
            pd.to_pickle(payload, d / f"{i:05d}-{tag}-{k:06d}.pkl")
    return seen, threads, {"renames": renamed, "reddit": reddit}


def _stage_range(path, i: int, r: int, start: int, end: int, n_parts: int, staging, chunk_rows: int):
    """Stage one byte range of a JSON Lines file (run in a worker)."""
    from ._perf import worker_task_done

    try:
        bad: list = []
        seen, threads, found = _stage_pieces(_jsonl_chunks(Path(path), start, end, chunk_rows, bad), Path(path), i,
                                             f"{r:04d}", n_parts, Path(staging))
        return seen, threads, {**found, "bad": bad}
    finally:
        worker_task_done()


def _read_in_parallel(f: Path, use: str) -> bool:
    """Whether file *f*, of format *use*, is read by the pool's workers in byte ranges."""
    return use == "jsonl" and f.stat().st_size >= _PARALLEL_READ_BYTES and _jsonl_streamable(f)


def _stage(files, path: Path, manifest: dict, *, fmt, chunk_rows: int, progress, pool=None, jobs: int = 1,
           while_reading=None) -> None:
    """Read every input once and put its rows in the staging folder, by partition.

    Big JSON Lines files are cut into byte ranges read by the *pool*'s workers at once;
    this process runs *while_reading* (if given) once the first ranges are handed out.
    """
    from . import progress as _progress
    from .ingest import detect_format, reader_for

    staging = path / _STAGING
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    n_parts = manifest["n_partitions"]
    files_meta, thread_sets = [], []
    with _progress.bar(desc="read", unit="rows", progress=progress) as bar:
        for i, f in enumerate(files):
            f = Path(f)
            use, reason = (fmt, "given by the user") if fmt else detect_format(f)
            meta = {"path": os.fspath(f), "format": use, "seen": 0, "notes": [] if fmt else [f"detected: {reason}"],
                    "streamed": use in _STREAMED}
            size = f.stat().st_size
            bad: list = []  # lines of a JSON Lines file that hold no object
            whole: dict = {}
            if pool is not None and _read_in_parallel(f, use):
                ranges = _jsonl_ranges(f, min(2 * jobs, max(1, math.ceil(size / 2**20))))
                futures = [pool.submit(_stage_range, os.fspath(f), i, r, a, b, n_parts, os.fspath(staging),
                                       chunk_rows) for r, (a, b) in enumerate(ranges)]
                if while_reading is not None:
                    while_reading()
                    while_reading = None
                seen_threads: set = set()
                for fut in futures:
                    n, tids, found = fut.result()
                    meta["seen"] += n
                    seen_threads |= tids
                    bad.extend(found.pop("bad"))
                    _found_columns(meta, found)
                    bar.update(n)
            else:
                threads_all = None
                if use in _STREAMED:
                    pieces = _chunks(f, use, chunk_rows, bad, whole)
                else:
                    corpus = reader_for(use)(f)
                    report = corpus.ingest[0]
                    meta["report"] = {k: getattr(report, k) for k in ("format", "layout", "skipped", "removed",
                                                                       "notes", "seen", "repaired")}
                    pieces = [corpus.comments.assign(_normalized=True)]
                    threads_all = corpus.threads
                meta["seen"], seen_threads, found = _stage_pieces(pieces, f, i, "0000", n_parts, staging,
                                                                  threads_all=threads_all)
                _found_columns(meta, found)
                bar.update(meta["seen"])
            if bad:
                # The policy of discourse.read: skipped, counted with their line numbers, warned about once.
                lines = _bad_lines(f, bad)
                if not meta["seen"]:
                    lines.fail(fix="Each line of a .jsonl file must be one JSON object with the comment's fields.")
                lines.report(notes=meta["notes"], stacklevel=4)
                meta["seen"] += lines.count
                meta["skipped"] = {"unparseable": lines.count}
            if whole.get("skipped"):
                meta["seen"] += sum(whole["skipped"].values())
                meta["skipped"] = whole["skipped"]
            meta["notes"] += [n for n in whole.get("notes", []) if n not in meta["notes"]]
            if use in _STREAMED and not meta["seen"]:
                raise InputFormatError("the table has no rows and no columns.", path=f)
            files_meta.append(meta)
            thread_sets.append(seen_threads)
    # Thread ids that collide across files are renamed "stem:thread_id", as discourse.read does.
    seen: set = set()
    for i, (f, tids) in enumerate(zip(files, thread_sets)):
        clash = tids & seen
        rename = {}
        if clash:
            stem = Path(f).stem
            rename = {t: f"{stem}:{t}" for t in clash}
            k = 2
            while any(v in seen for v in rename.values()):
                rename = {t: f"{stem}-{k}:{t}" for t in clash}
                k += 1
            files_meta[i]["notes"].append("thread ids renamed to stay unique: "
                                          + ", ".join(f"{a} -> {b}" for a, b in sorted(rename.items())))
        files_meta[i]["rename"] = rename
        seen |= tids | set(rename.values())
    manifest["files"] = files_meta
    manifest["staged"] = True
    _write_manifest(path, manifest)


def _found_columns(meta: dict, found: dict) -> None:
    """Add what the chunks of a file were read as (columns under other names) to its *meta*."""
    from .ingest._columns import note

    renames = {**meta.get("renames", {}), **found["renames"]}
    reddit = meta.get("reddit", False) or found["reddit"]
    old = note(meta.get("renames", {}), meta.get("reddit", False))
    meta["notes"] = [n for n in meta["notes"] if n not in old] + note(renames, reddit)
    if renames:
        meta["renames"] = renames
    if reddit:
        meta["reddit"] = True


def _load_staged(path: Path, pid: int, files_meta: list):
    """Normalize the staged rows of partition *pid*: one comments and one threads table."""
    import pandas as pd

    from .ingest._columns import explain
    from .model import normalize_comments, normalize_threads, repair_links

    d = path / _STAGING / f"p{pid:05d}"
    by_file: dict = {}
    for f in sorted(d.glob("*.pkl")) if d.exists() else []:
        payload = pd.read_pickle(f)
        by_file.setdefault(payload["file"], []).append(payload)
    comments, threads, per_file = [], [], {}
    for i in sorted(by_file):
        meta = files_meta[i]
        raw = pd.concat([p["comments"] for p in by_file[i]], ignore_index=True)
        if "_normalized" in raw.columns:
            c = raw.drop(columns=["_normalized"])
            given = [p["threads"] for p in by_file[i] if "threads" in p]
            t = pd.concat(given, ignore_index=True).drop_duplicates("thread_id") if given else None
            t = normalize_threads(t, c)
            repaired: dict = {}
        else:
            dropped: dict = {}
            try:
                c = normalize_comments(raw, where=meta["path"], caller="read", duplicates="first", dropped=dropped)
            except SchemaError as err:
                raise explain(err, meta.get("renames", {})) from None
            c, counts = repair_links(c, warn=False)
            repaired = dict(counts)
            t = normalize_threads(None, c)
        t["source_format"] = t["source_format"].where(t["source_format"] != "", meta["format"])
        t["source_path"] = t["source_path"].where(t["source_path"] != "", meta["path"])
        if meta.get("rename"):
            c = c.assign(thread_id=c["thread_id"].replace(meta["rename"]))
            t = t.assign(thread_id=t["thread_id"].replace(meta["rename"]))
        comments.append(c)
        threads.append(t)
        per_file[i] = {"kept": len(c), "threads": len(t), "repaired": repaired}
        if "_normalized" not in raw.columns and dropped:
            per_file[i]["duplicates"] = dropped
    if not comments:
        return None, None, per_file
    return pd.concat(comments, ignore_index=True), pd.concat(threads, ignore_index=True), per_file


def build_partition(path, pid: int, *, source: str, source_path=None, analyse: bool = True, options=None) -> dict:
    """Build partition *pid* of the corpus at *path* and write its files; return its manifest entry.

    *source* is ``"staging"`` (rows staged from input files) or ``"store"`` (partition *pid*
    of the Parquet corpus at *source_path*). This is the function every path runs per
    partition: in this process, in ``jobs`` worker processes, and on Dask workers.
    """
    path = Path(path)
    manifest = read_manifest(path)
    per_file: dict = {}
    if source == "staging":
        comments, threads, per_file = _load_staged(path, pid, manifest["files"])
    else:
        src = read_manifest(source_path)
        entry = src["partitions"].get(str(pid))
        if entry is None:
            comments = threads = None
        else:
            comments = _read_part(Path(source_path), "comments", pid, entry)
            threads = _read_part(Path(source_path), "threads", pid, entry)
    return _finish_partition(path, pid, comments, threads, per_file=per_file, analyse=analyse, options=options or {})


def _finish_partition(path, pid, comments, threads, *, per_file: dict, analyse: bool, options: dict) -> dict:
    """Analyse one partition's threads (when asked) and write its tables; return its manifest entry."""
    from .parallel import map_threads, run_capturing_warnings
    from .pipeline import analyze_comments

    entry = {"comments": 0, "threads": 0, "spans": 0, "dtypes": {}, "files": per_file, "as_text": [],
             "warnings": []}
    if comments is None:
        return entry
    spans = None
    if analyse:
        # A chunk of whole threads at a time, so a worker's memory is bounded by the chunk,
        # not by the partition (the analysis of 100,000 comments at once needs ~1.3 GB).
        (comments, spans), caught = run_capturing_warnings(map_threads, analyze_comments, comments, threads, jobs=1,
                                                           chunk_rows=ANALYSIS_CHUNK_ROWS, progress=False, **options)
        entry["warnings"] = [[m, c.__module__ + "." + c.__qualname__] for m, c in caught]
    for table, df in (("comments", comments), ("threads", threads), ("spans", spans)):
        if df is None:
            continue
        entry["as_text"] += [f"{table}.{c}" for c in _write_parquet(df, Path(path) / table / _part_name(pid))]
        entry[table] = len(df)
        entry["dtypes"][table] = _dtypes(df)
    return entry


def _worker_build(path, pid, kwargs):
    from ._perf import collector_paused, worker_task_done

    try:
        # Run in the caller's process (jobs=1), the collector re-scanned the stages' warm
        # caches while the partition's tables were read, ordered and written: 4-5% of the
        # run's CPU. What few reference cycles a partition makes wait for the next pass
        # after it. (Pool workers run with the collector off: see _perf.worker_collector.)
        with collector_paused():
            return pid, build_partition(path, pid, **kwargs)
    finally:
        worker_task_done()
        _release_memory()


def _release_memory() -> None:
    """Hand the heap's free pages back to the system after a partition (glibc keeps them otherwise)."""
    import sys

    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):  # pragma: no cover - another C library
            pass


def _partition_sizes(path: Path, todo: list, kwargs: dict) -> dict:
    """The work in each partition to build, roughly: its staged bytes, or its rows in the source corpus."""
    if kwargs.get("source") == "store":
        entries = read_manifest(kwargs["source_path"]).get("partitions", {})
        return {pid: entries.get(str(pid), {}).get("comments", 0) for pid in todo}
    sizes = {}
    for pid in todo:
        d = path / _STAGING / f"p{pid:05d}"
        sizes[pid] = sum(f.stat().st_size for f in d.iterdir()) if d.is_dir() else 0
    return sizes


def _run_partitions(path: Path, manifest: dict, todo: list, *, pool=None, jobs: int = 1, progress, desc: str,
                    **kwargs) -> dict:
    """Build the partitions in *todo* (here, or in the *pool*'s workers), entering each in the manifest."""
    from concurrent.futures import as_completed

    from . import progress as _progress

    with _progress.bar(total=len(todo), desc=desc, unit="partitions", progress=progress) as bar:
        futures = []
        if pool is None or len(todo) <= 1:
            results = (_worker_build(path, pid, kwargs) for pid in todo)
        else:
            # A task carries only a partition number (the worker reads its own data), so
            # all can be queued at once and entered in the manifest as they finish. The
            # largest go first, so no worker is left with a big one at the end while the
            # others idle.
            size = _partition_sizes(path, todo, kwargs)
            futures = [pool.submit(_worker_build, path, pid, kwargs)
                       for pid in sorted(todo, key=lambda p: -size.get(p, 0))]
            results = (f.result() for f in as_completed(futures))
        try:
            for pid, entry in results:
                manifest["partitions"][str(pid)] = entry
                _write_manifest(path, manifest)
                shutil.rmtree(path / _STAGING / f"p{pid:05d}", ignore_errors=True)
                bar.update()
        except BaseException:
            for f in futures:
                f.cancel()
            raise
    return manifest


def _finish(path: Path, manifest: dict) -> dict:
    """Sum the per-partition counts into ingest reports, warn once, mark the corpus complete."""
    import importlib

    from .model import IngestReport, _repair_counts, duplicate_note

    reports = []
    for i, meta in enumerate(manifest.get("files", [])):
        kept = threads = 0
        repaired: dict = {}
        dropped: dict = {"identical": 0, "conflicting": 0, "examples": []}
        for entry in manifest["partitions"].values():
            got = entry.get("files", {}).get(str(i)) or entry.get("files", {}).get(i)
            if not got:
                continue
            kept += got["kept"]
            threads += got["threads"]
            for k, v in got["repaired"].items():
                repaired[k] = repaired.get(k, 0) + v
            d = got.get("duplicates") or {}
            dropped["identical"] += d.get("identical", 0)
            dropped["conflicting"] += d.get("conflicting", 0)
            dropped["examples"] = (dropped["examples"] + d.get("examples", []))[:3]
        skipped = dict(meta.get("skipped", {}))
        notes = list(meta.get("notes", []))
        dup_skipped, message = duplicate_note(dropped)
        if message:
            # The rule of discourse.read: the first of each id kept, the repeats counted and warned about.
            skipped.update(dup_skipped)
            notes.append(message)
            warnings.warn(f"{meta['path']}: {message}", DiscourseWarning, stacklevel=3)
        r = IngestReport(path=meta["path"], format=meta["format"], threads=threads, seen=meta["seen"], kept=kept,
                         skipped=dict(sorted(skipped.items())), repaired=repaired, notes=notes)
        if "report" in meta:
            for k, v in meta["report"].items():
                setattr(r, k, v)
            r.notes = list(meta.get("notes", [])) + [n for n in meta["report"]["notes"] if n not in meta["notes"]]
        reports.append(_asdict(r))
        if repaired:  # (worded as discourse.read words it: per file, the file first)
            warnings.warn(f"{meta['path']}: reply links repaired: {_repair_counts(repaired)}; those comments now "
                          "answer the post", DiscourseWarning, stacklevel=3)
    if reports:
        manifest["ingest"] = reports
    seen = set()
    for entry in manifest["partitions"].values():
        for message, cat in entry.get("warnings", []):
            if (message, cat) in seen:
                continue
            seen.add((message, cat))
            module, _, name = cat.rpartition(".")
            try:
                category = getattr(importlib.import_module(module), name)
            except (ImportError, AttributeError):
                category = UserWarning
            warnings.warn(message, category, stacklevel=3)
    as_text = sorted({c for e in manifest["partitions"].values() for c in e.get("as_text", [])})
    if as_text:
        warnings.warn(f"columns mixing types were stored as text: {', '.join(as_text)}", DiscourseWarning,
                      stacklevel=3)
    manifest["complete"] = True
    _write_manifest(path, manifest)
    shutil.rmtree(path / _STAGING, ignore_errors=True)
    return manifest


def _asdict(obj) -> dict:
    import dataclasses

    return dataclasses.asdict(obj)


def _check_sizes(partition_bytes, memory) -> None:
    if partition_bytes is not None and memory is not None:
        raise SchemaError(f"give a memory budget or a partition size, not both; got memory={memory!r} and "
                          f"partition_bytes={partition_bytes!r}. The partition size is chosen from the budget.")
    if partition_bytes is not None and (isinstance(partition_bytes, bool) or not isinstance(partition_bytes, int)
                                        or partition_bytes < _SMALLEST_PARTITION_BYTES):
        raise SchemaError(f"partition_bytes must be a whole number of bytes, at least {_SMALLEST_PARTITION_BYTES} "
                          f"({_human(_SMALLEST_PARTITION_BYTES)}); got {partition_bytes!r}.")


def _partitions_there(path: Path, expected: dict):
    """The number of partitions of the build in *path* from the same inputs and options, else None."""
    if not is_store(path):
        return None
    try:
        manifest = read_manifest(path)
    except InputFormatError:
        return None
    if all(manifest.get(k) == v for k, v in expected.items()):
        return manifest.get("n_partitions")
    return None


def _build(source, path, *, analyse: bool, fmt=None, options=None, jobs: int = 1, n_partitions=None,
           partition_bytes: int | None = None, memory: int | None = None, chunk_rows: int = CHUNK_ROWS,
           progress=None) -> dict:
    from .pipeline import check_options

    # Options reach analyze_comments as they are; only the ones analyze validates are checked here.
    check_options(jobs=jobs, **{k: v for k, v in (options or {}).items() if k in ("infer_replies", "order")})
    _check_sizes(partition_bytes, memory)
    if memory is not None:
        partition_bytes = partition_bytes_for(memory, jobs=jobs)
    path = Path(path)
    if not isinstance(source, (list, tuple)):
        source = [source]
    if len(source) == 1 and is_store(source[0]):
        src = Path(source[0])
        if src.resolve() == path.resolve():
            raise SchemaError("the input and output Parquet corpus are the same directory; give a new output directory.")
        src_manifest = read_manifest(src)
        expected = {"analysed": analyse, "options": options or {}, "n_partitions": src_manifest["n_partitions"],
                    "source": {"store": os.fspath(src), "partitions": sorted(src_manifest["partitions"])}}
        manifest = _open(path, expected)
        manifest.setdefault("ingest", src_manifest.get("ingest", []))
        manifest["staged"] = True
        todo = [p for p in _complete(src_manifest) if str(p) not in manifest["partitions"]]
        with _pool(jobs if len(todo) > 1 else 1) as pool:
            _run_partitions(path, manifest, todo, pool=pool, jobs=jobs, progress=progress,
                            desc="analyse" if analyse else "copy", source="store", source_path=os.fspath(src),
                            analyse=analyse, options=options)
        return _finish(path, manifest)
    files = _expand_inputs(source)
    if fmt is not None:
        from .ingest import reader_for

        reader_for(fmt)
    total = sum(f.stat().st_size for f in files if f.exists())
    expected = {"analysed": analyse, "options": options or {},
                "source": {"inputs": _fingerprint(files) if all(f.exists() for f in files) else [], "format": fmt}}
    n = n_partitions
    if n is None and partition_bytes is None:
        # The default size depends on jobs; a build resumed with other jobs keeps its partitions.
        n = _partitions_there(path, expected)
        if analyse:
            partition_bytes = partition_bytes_for(MEMORY_BUDGET, jobs=jobs, strict=False)
        else:
            partition_bytes = PARTITION_BYTES
    # At least 8 partitions once the input passes 8 MiB, so jobs have work to share.
    n = n or max(1, math.ceil(total / partition_bytes), min(8, math.ceil(total / 2**20)))
    expected["n_partitions"] = int(n)
    for f in files:
        if not f.exists():
            raise InputFormatError("no such file; check the path and the current directory.", path=f)
    manifest = _open(path, expected)
    todo = [p for p in range(manifest["n_partitions"]) if str(p) not in manifest["partitions"]]
    if manifest.get("complete") or not todo:
        return _finish(path, manifest)
    reader = None
    if not manifest.get("staged"):
        manifest["partitions"] = {}
        for table in TABLES:
            shutil.rmtree(path / table, ignore_errors=True)
        if jobs > 1 and analyse and _any_read_in_parallel(files, fmt):
            # Workers forked before the stages are warmed up read the input, while this
            # process warms them up for the analysis workers it forks next: no core idles
            # through the warm-up (about 1.5 s of CPU).
            from .parallel import reader_executor

            reader = reader_executor(jobs)
        if reader is not None:
            from .pipeline import warm_up

            with reader:
                _stage(files, path, manifest, fmt=fmt, chunk_rows=chunk_rows, progress=progress, pool=reader,
                       jobs=jobs, while_reading=warm_up)
            todo = list(range(manifest["n_partitions"]))
    # One pool for reading (unless the readers above did it) and analysing: its workers start once.
    with _pool(jobs) as pool:
        if not manifest.get("staged"):
            _stage(files, path, manifest, fmt=fmt, chunk_rows=chunk_rows, progress=progress, pool=pool, jobs=jobs)
            todo = list(range(manifest["n_partitions"]))
        _run_partitions(path, manifest, todo, pool=pool, jobs=jobs, progress=progress,
                        desc="analyse" if analyse else "partition", source="staging", analyse=analyse,
                        options=options)
    return _finish(path, manifest)


def _any_read_in_parallel(files, fmt) -> bool:
    """Whether any of *files* is read in byte ranges by the pool (a file that cannot be read says no; _stage says why)."""
    from .errors import DiscourseError
    from .ingest import detect_format

    for f in files:
        try:
            if _read_in_parallel(f, fmt or detect_format(f)[0]):
                return True
        except (DiscourseError, OSError):
            return False
    return False


def _pool(jobs: int):
    """A worker pool for *jobs* > 1, else a stand-in that yields None."""
    import contextlib

    from .parallel import executor

    return executor(jobs) if jobs > 1 else contextlib.nullcontext()


def ingest(inputs, path, *, format: str | None = None, n_partitions: int | None = None,
           partition_bytes: int | None = None, chunk_rows: int = CHUNK_ROWS, jobs: int = 1,
           progress: bool | None = None):
    """Read *inputs* into a Parquet corpus at *path* without analysing it, in bounded memory.

    CSV, JSONL and Parquet files are streamed in chunks of *chunk_rows* rows; other
    formats are read whole, one file at a time. The result is the input the Dask path
    (:func:`discourse.dask.analyze_dask`) reads.

    Parameters
    ----------
    inputs : path or list of paths
        Files or directories, as for :func:`discourse.read`.
    path : str or path-like
        The corpus directory (created; an interrupted build there is resumed).
    format : str, optional
        The input format; detected per file when omitted.
    n_partitions : int, optional
        Partitions; by default one per *partition_bytes* of input.
    partition_bytes : int, optional
        Input bytes per partition; :data:`PARTITION_BYTES` (32 MiB) by default.

    Returns
    -------
    pathlib.Path
        *path*.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "c.csv").write_text("thread_id,comment_id,text\\nt,1,Hi\\nt,2,Yo\\n")
    >>> out = ingest(d / "c.csv", d / "corpus")
    >>> read_corpus(out).comments["text"].tolist()
    ['Hi', 'Yo']
    """
    _build(inputs, path, analyse=False, fmt=format, jobs=jobs, n_partitions=n_partitions,
           partition_bytes=partition_bytes, chunk_rows=chunk_rows, progress=progress)
    return Path(path)


def analysis_options(*, infer_replies: str = "auto", order: str = "display", frames=None) -> dict:
    """The options a corpus records in its manifest, as :func:`analyze` and the Dask path pass them.

    One builder for both, so either path resumes the other's run.

    Examples
    --------
    >>> analysis_options(frames="mine.toml")
    {'infer_replies': 'auto', 'order': 'display', 'frames': ['mine.toml']}
    """
    options = {"infer_replies": infer_replies, "order": order}
    if frames:
        options["frames"] = [os.fspath(f) for f in ([frames] if isinstance(frames, (str, os.PathLike)) else frames)]
    return options


def analyze(inputs, path, *, format: str | None = None, infer_replies: str = "auto", order: str = "display",
            frames=None, jobs: int = 1, n_partitions: int | None = None, partition_bytes: int | None = None,
            memory: int | None = None, chunk_rows: int = CHUNK_ROWS, progress: bool | None = None, topics="none"):
    """Analyse *inputs* into an analysed Parquet corpus at *path*, partition by partition.

    What ``discourse analyze INPUT -o DIR/`` runs. The per-thread stages
    (:func:`discourse.pipeline.analyze_comments`) run on each partition, here or in
    *jobs* worker processes; memory holds about *jobs* partitions at a time. Running it
    again on the same inputs and options resumes: complete partitions are skipped.

    Parameters
    ----------
    inputs : path, list of paths, or a Parquet corpus directory
        Input files (CSV, JSONL and Parquet are streamed), or an (unanalysed) Parquet
        corpus, whose partitions are used as they are.
    path : str or path-like
        The output corpus directory.
    infer_replies, order, frames
        As for :func:`discourse.analyze`.
    jobs : int, default 1
        Worker processes, each analysing one partition at a time.
    n_partitions : int, optional
        Partitions; by default the input's size divided by the partition size (at least 8
        once the input passes 8 MiB, so jobs have work to share).
    partition_bytes : int, optional
        Input bytes per partition (at least 4 KiB). Memory grows with it: each worker
        holds one partition's rows, working tables and results at a time.
    memory : int, optional
        A memory budget in bytes for the whole process tree, from which the partition size
        is chosen (:func:`partition_bytes_for`); give it or *partition_bytes*, not both.
        When neither is given the budget is :data:`MEMORY_BUDGET` (2 GiB), or, resuming a
        build, the partitions of the build in *path* are kept.
    topics : int, "auto" or "none", default "none"
        A number of topics or ``"auto"``: then a topic model fitted on a sample assigns
        every comment a topic (:func:`add_topics`). ``discourse analyze -o DIR/`` passes
        its ``--topics`` (default ``auto``); the library default leaves the partitions as
        the per-thread stages wrote them (what the Dask path writes too).

    Returns
    -------
    pathlib.Path
        *path*; read it with :func:`read_corpus` or :func:`iter_partitions`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "c.jsonl").write_text('{"comment_id": "1", "text": "I love it."}\\n')
    >>> out = analyze(d / "c.jsonl", d / "corpus")
    >>> read_corpus(out).comments["sentiment_compound"].tolist()
    [0.6369]
    """
    from .pipeline import check_options

    check_options(topics=topics)  # (here: the topics are fitted after every partition is built)
    options = analysis_options(infer_replies=infer_replies, order=order, frames=frames)
    _build(inputs, path, analyse=True, fmt=format, options=options,
           jobs=jobs, n_partitions=n_partitions, partition_bytes=partition_bytes, memory=memory,
           chunk_rows=chunk_rows, progress=progress)
    if topics not in ("none", None):
        add_topics(path, n_topics=topics, progress=progress)
    return Path(path)


def write_corpus(corpus, path, *, n_partitions: int | None = None, partition_rows: int = PARTITION_ROWS):
    """Write an in-memory :class:`~discourse.Corpus` as a Parquet corpus at *path*.

    Threads go to partitions by :func:`partition_of`; an analysed corpus (one with
    spans) is stored as analysed. *path* must be new or empty.

    Parameters
    ----------
    corpus : Corpus
    path : str or path-like
    n_partitions : int, optional
        By default one per *partition_rows* comments.

    Returns
    -------
    pathlib.Path
        *path*.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> from discourse import Corpus
    >>> c = Corpus.from_frames(pd.DataFrame({"thread_id": ["a", "b"], "comment_id": ["1", "1"], "text": ["x", "y"]}))
    >>> out = write_corpus(c, pathlib.Path(tempfile.mkdtemp()) / "corpus", n_partitions=2)
    >>> sorted(len(part.comments) for _, part in iter_partitions(out))
    [1, 1]
    """
    import pandas as pd

    from .model import SPAN_COLUMNS

    path = Path(path)
    if is_store(path) or (path.exists() and (not path.is_dir() or any(path.iterdir()))):
        raise SchemaError(f"cannot write a Parquet corpus to {os.fspath(path)!r}: it exists and is not empty; "
                          "give a new directory.")
    n = n_partitions or max(1, math.ceil(len(corpus.comments) / partition_rows))
    analysed = corpus.spans is not None
    manifest = _open(path, {"analysed": analysed, "options": {}, "n_partitions": int(n),
                            "source": {"corpus": repr(corpus)}})
    manifest["staged"] = True
    manifest["ingest"] = [_asdict(r) for r in corpus.ingest]
    c_part = partition_of(corpus.comments["thread_id"], n)
    t_part = partition_of(corpus.threads["thread_id"], n)
    spans = corpus.spans if analysed else None
    s_part = partition_of(spans["thread_id"], n) if analysed and len(spans) else None
    for pid in range(n):
        c = corpus.comments[c_part == pid].reset_index(drop=True)
        t = corpus.threads[t_part == pid].reset_index(drop=True)
        s = None
        if analysed:
            s = spans[s_part == pid].reset_index(drop=True) if s_part is not None else spans.iloc[:0]
            if not len(s.columns):
                s = pd.DataFrame(columns=list(SPAN_COLUMNS))
        entry = {"comments": 0, "threads": 0, "spans": 0, "dtypes": {}, "files": {}, "as_text": [], "warnings": []}
        for table, df in (("comments", c), ("threads", t), ("spans", s)):
            if df is None:
                continue
            entry["as_text"] += [f"{table}.{x}" for x in _write_parquet(df, path / table / _part_name(pid))]
            entry[table] = len(df)
            entry["dtypes"][table] = _dtypes(df)
        manifest["partitions"][str(pid)] = entry
    manifest["complete"] = True
    _write_manifest(path, manifest)
    return path


# ----------------------------------------------------------------------------- out-of-core aggregation


def _thread_rows(comments, threads, spans):
    """Per-thread metrics of one partition (whole threads, so the answer is final)."""
    import pandas as pd

    g = comments.groupby("thread_id", sort=False)
    out = pd.DataFrame({
        "comments": g.size(),
        "authors": g["author"].agg(lambda s: s[s != ""].nunique()),
        "max_depth": g["depth"].max().astype("Int64") if "depth" in comments else pd.NA,
        "first_at": g["created_at"].min(),
        "last_at": g["created_at"].max(),
    })
    if "parent_source" in comments:
        out["inferred_links"] = g["parent_source"].agg(lambda s: int((s == "inferred").sum()))
    if "sentiment_compound" in comments:
        s = comments["sentiment_compound"]
        out["sentiment_mean"] = g["sentiment_compound"].mean()
        out["negative_share"] = (s <= -0.05).groupby(comments["thread_id"], sort=False).mean()
    if "incivility" in comments:
        out["incivility_mean"] = g["incivility"].mean()
    if spans is not None and len(spans):
        counts = spans.groupby(["thread_id", "kind"]).size().unstack(fill_value=0)
        counts.columns = [f"spans_{k}" for k in counts.columns]
        out = out.join(counts)
    out.index.name = "thread_id"
    out = out.reset_index()
    if threads is not None and len(threads) and "title" in threads:
        out = out.merge(threads[["thread_id", "title"]], on="thread_id", how="left")
        cols = ["thread_id", "title"] + [c for c in out.columns if c not in ("thread_id", "title")]
        out = out[cols]
    return out


def thread_table(path, *, progress: bool | None = None):
    """One row per thread of the Parquet corpus at *path*, computed one partition at a time.

    Columns: ``thread_id``, ``title``, ``comments``, ``authors`` (distinct named),
    ``max_depth``, ``first_at``, ``last_at``, and where the corpus is analysed
    ``inferred_links``, ``sentiment_mean``, ``negative_share`` (share of comments with
    compound <= -0.05), ``incivility_mean`` and ``spans_<kind>`` counts.

    Memory holds one partition and the (small) result.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from discourse import Corpus
    >>> c = Corpus.from_frames(pd.DataFrame({"thread_id": ["a", "a", "b"], "comment_id": ["1", "2", "3"],
    ...                                      "author": ["x", "y", "x"], "text": ["p", "q", "r"]}))
    >>> t = thread_table(write_corpus(c, tempfile.mkdtemp() + "/c", n_partitions=2))
    >>> t.sort_values("thread_id")[["thread_id", "comments", "authors"]].values.tolist()
    [['a', 2, 2], ['b', 1, 1]]
    """
    import pandas as pd

    from . import progress as _progress

    manifest = read_manifest(path)
    parts = []
    with _progress.bar(total=len(manifest["partitions"]), desc="threads", unit="partitions",
                       progress=progress) as bar:
        for _, part in iter_partitions(path):
            if len(part.comments):
                parts.append(_thread_rows(part.comments, part.threads, part.spans))
            bar.update()
    if not parts:
        return pd.DataFrame(columns=["thread_id", "title", "comments", "authors", "max_depth"])
    out = pd.concat(parts, ignore_index=True)
    span_cols = [c for c in out.columns if c.startswith("spans_")]
    if span_cols:
        out[span_cols] = out[span_cols].fillna(0).astype("int64")
    return out


def corpus_summary(path, *, progress: bool | None = None) -> dict:
    """Corpus-level numbers of the Parquet corpus at *path*, one partition in memory at a time.

    Counts (threads, comments, distinct authors), the distribution of thread sizes and
    reply depths, reply-link provenance, and where analysed the sentiment mean, standard
    deviation and histogram, frame and technique counts, span counts by kind, and where
    :func:`add_topics` ran, ``topics``: the model's note and each topic's label, top terms
    and number of comments.
    Distinct authors are counted exactly from 64-bit hashes (8 bytes per author).

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from discourse import Corpus
    >>> c = Corpus.from_frames(pd.DataFrame({"thread_id": ["a", "a", "b"], "comment_id": ["1", "2", "3"],
    ...                                      "parent_id": ["", "1", ""], "author": ["x", "y", "x"],
    ...                                      "text": ["p", "q", "r"]}))
    >>> s = corpus_summary(write_corpus(c, tempfile.mkdtemp() + "/c", n_partitions=2))
    >>> s["threads"], s["comments"], s["authors"], s["thread_size"]["max"]
    (2, 3, 2, 2.0)
    """
    import numpy as np
    import pandas as pd

    from . import progress as _progress

    manifest = read_manifest(path)
    n_threads = n_comments = 0
    author_hashes = []
    depth: dict = {}
    sources: dict = {}
    sizes = []
    s_n = 0
    s_sum = s_sq = 0.0
    edges = np.linspace(-1, 1, 11)
    hist = np.zeros(10, dtype=np.int64)
    labels: dict = {"frames": {}, "techniques": {}}
    span_kinds: dict = {}
    topic_counts: dict = {}
    with _progress.bar(total=len(manifest["partitions"]), desc="summary", unit="partitions",
                       progress=progress) as bar:
        for _, part in iter_partitions(path):
            c = part.comments
            n_threads += len(part.threads)
            n_comments += len(c)
            if len(c):
                named = c.loc[c["author"] != "", "author"]
                author_hashes.append(np.unique(pd.util.hash_pandas_object(named, index=False).to_numpy()))
                sizes.append(c.groupby("thread_id", sort=False).size().to_numpy())
                for k, v in c["depth"].value_counts(dropna=True).items():
                    depth[str(int(k))] = depth.get(str(int(k)), 0) + int(v)
                for k, v in c["parent_source"].replace("", "none").value_counts().items():
                    sources[k] = sources.get(k, 0) + int(v)
                if "sentiment_compound" in c:
                    s = c["sentiment_compound"].dropna().to_numpy()
                    s_n += len(s)
                    s_sum += float(s.sum())
                    s_sq += float((s * s).sum())
                    hist += np.histogram(s, bins=edges)[0]
                for col in ("frames", "techniques"):
                    if col in c:
                        for k, v in c[col].str.split(";").explode().value_counts().items():
                            if k:
                                labels[col][k] = labels[col].get(k, 0) + int(v)
            if part.spans is not None and len(part.spans):
                for k, v in part.spans["kind"].value_counts().items():
                    span_kinds[k] = span_kinds.get(k, 0) + int(v)
            _topic_counts(c, topic_counts)
            bar.update()
    authors = int(len(np.unique(np.concatenate(author_hashes)))) if author_hashes else 0
    all_sizes = np.concatenate(sizes) if sizes else np.zeros(0, dtype=np.int64)
    out = {
        "threads": n_threads,
        "comments": n_comments,
        "authors": authors,
        "thread_size": ({q: float(np.quantile(all_sizes, p)) for q, p in
                         (("min", 0), ("median", 0.5), ("p90", 0.9), ("p99", 0.99), ("max", 1))}
                        if len(all_sizes) else {}),
        "depth": dict(sorted(depth.items(), key=lambda kv: int(kv[0]))),
        "parent_source": sources,
    }
    if s_n:
        mean = s_sum / s_n
        out["sentiment"] = {"mean": mean, "std": math.sqrt(max(0.0, s_sq / s_n - mean * mean)),
                            "histogram": {f"{edges[i]:.1f}..{edges[i + 1]:.1f}": int(hist[i]) for i in range(10)}}
    for col, counts in labels.items():
        if counts:
            out[col] = dict(sorted(counts.items(), key=lambda kv: -kv[1]))
    if span_kinds:
        out["spans"] = span_kinds
    topics = _topics_summary(manifest, topic_counts)
    if topics:
        out["topics"] = topics
    return out


# ----------------------------------------------------------------------------- topics, out of core

#: Comment columns the topic model reads (the others stay on disk while it fits).
_TOPIC_READ = ("thread_id", "comment_id", "parent_id", "author", "created_at", "position", "text")


def add_topics(path, *, n_topics="auto", sample_size: int = 50_000, random_state: int = 0,
               progress: bool | None = None, **options) -> dict:
    """Fit a topic model on a sample of the Parquet corpus at *path* and assign every comment.

    The model is fitted on a random sample of at most *sample_size* comments (see
    :func:`discourse.topics.fit_stream`); then each partition's comments get
    ``topic_id``, ``topic_label`` and ``topic_weight``, written into that partition's
    comments file. Memory holds the sample and one partition. The model's summary
    (note, labels, top terms, the k curve) is kept in the manifest under ``"topics"``,
    which :func:`corpus_summary` reads. Running it again with the same options resumes:
    the sample is chosen by a seeded hash of each comment's ids, so the same model is
    fitted again and only the partitions not yet done are written.

    Parameters
    ----------
    path : str or path-like
        A Parquet corpus directory.
    n_topics : int or "auto", default "auto"
    sample_size : int, default 50,000
    random_state : int, default 0
    **options
        Any other keyword of :func:`discourse.topics.fit_topics`.

    Returns
    -------
    dict
        The manifest's ``"topics"`` entry: ``requested``, ``sample``, ``comments``,
        ``done`` (partitions written) and ``summary`` (:meth:`Topics.summary`).

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from discourse import Corpus
    >>> texts = ["school budget cuts", "school budget vote", "war metaphor", "the war metaphor"]
    >>> c = Corpus.from_frames(pd.DataFrame({"thread_id": ["a", "a", "b", "b"], "comment_id": list("1234"),
    ...                                      "text": texts}))
    >>> out = write_corpus(c, tempfile.mkdtemp() + "/c", n_partitions=2)
    >>> info = add_topics(out, n_topics=2, n_seeds=2)
    >>> read_corpus(out).comments.sort_values("comment_id")["topic_id"].tolist()
    [1, 1, 0, 0]
    """
    import numpy as np

    from . import progress as _progress
    from . import topics as topic_models

    path = Path(path)
    manifest = read_manifest(path)
    requested = {"n_topics": n_topics, "sample_size": sample_size, "random_state": random_state,
                 **{k: v for k, v in options.items() if isinstance(v, (str, int, float, bool, type(None)))}}
    requested = json.loads(json.dumps(requested, default=str))
    previous = manifest.get("topics") or {}
    done = list(previous.get("done", [])) if previous.get("requested") == requested else []
    pids = _complete(manifest)
    n_comments = sum(manifest["partitions"][str(p)].get("comments", 0) for p in pids)
    context = None
    if n_comments < 1000:
        # As in discourse.analyze: a small corpus's posts (a paragraph each) help its vocabulary.
        context = [p for _, part in iter_partitions(path, tables=("threads",))
                   for text in (part.threads["text"] if "text" in part.threads else [])
                   for p in str(text).split("\n") if p.strip()]
    frames = (part.comments for _, part in iter_partitions(path, columns=list(_TOPIC_READ), tables=("comments",)))
    fitted = topic_models.fit_stream(frames, n_topics=n_topics, sample_size=sample_size, random_state=random_state,
                                     context=context, **options)
    info = {"requested": requested, "sample": len(fitted.assignments), "comments": n_comments, "done": done,
            "summary": json.loads(json.dumps(fitted.summary(), default=_json_default))}
    todo = [p for p in pids if p not in done]
    with _progress.bar(total=len(todo), desc="topics", unit="partitions", progress=progress) as bar:
        for pid in todo:
            entry = manifest["partitions"][str(pid)]
            comments = _read_part(path, "comments", pid, entry)
            if len(comments):
                comments = topic_models.assign(comments, topics=fitted)
            else:
                comments = comments.assign(topic_id=np.zeros(0, dtype=np.int64), topic_label=np.zeros(0, dtype=object),
                                           topic_weight=np.zeros(0))
            _write_parquet(comments, path / "comments" / _part_name(pid))
            entry.setdefault("dtypes", {})["comments"] = _dtypes(comments)
            info["done"] = sorted(set(info["done"]) | {pid})
            manifest["topics"] = info
            _write_manifest(path, manifest)
            bar.update()
    manifest["topics"] = info
    _write_manifest(path, manifest)
    return info


def _json_default(v):
    import numpy as np

    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return None if v != v else float(v)
    return str(v)


def _topic_counts(comments, counts: dict) -> None:
    """Add one partition's comments per topic to *counts* (for corpus_summary)."""
    if "topic_id" in comments:
        for k, v in comments["topic_id"].value_counts().items():
            counts[int(k)] = counts.get(int(k), 0) + int(v)


def _topics_summary(manifest: dict, counts: dict):
    """The corpus summary's ``topics`` entry, or None when the corpus has no topics."""
    info = manifest.get("topics")
    if not info or not counts:
        return None
    s = info.get("summary", {})
    topics = [{"topic_id": t["topic_id"], "label": t["label"], "comments": counts.get(t["topic_id"], 0),
               "top_terms": t.get("top_terms", [])[:10], "representative": t.get("representative", [])}
              for t in s.get("topics", [])]
    return {"method": s.get("method"), "n_topics": s.get("n_topics"), "note": s.get("note"),
            "stability": s.get("stability"), "coherence": s.get("coherence"), "fitted_on": info.get("sample"),
            "unassigned": counts.get(-1, 0), "topics": topics}
