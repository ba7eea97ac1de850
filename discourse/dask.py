"""Dask: the per-thread stages over a Parquet corpus on a Dask cluster.

When one machine is not enough, the same analysis runs on Dask: each partition of a
Parquet corpus (:mod:`discourse.store`; a set of whole threads) becomes one partition of
a Dask DataFrame, and ``map_partitions`` applies the same function the local and
``jobs`` paths run (:func:`discourse.store.build_partition`'s core, which calls
:func:`discourse.pipeline.analyze_comments`). Each task writes its partition's files into
the output corpus and returns a one-row summary; the client enters it in the manifest as
it arrives, so an interrupted run resumes like a local one. The result is the same corpus,
byte for byte in every value, that ``discourse.store.analyze(..., jobs=N)`` writes.

Why not ``dask.dataframe.read_parquet``: it may cut a file into several partitions by
row group, which would split threads (reply inference needs a whole thread), and it
reads strings as pyarrow strings rather than the types the corpus was written with.
The partitions are read with :func:`dask.dataframe.from_map` instead, one per file.

Install with ``pip install 'discourse[dask]'``. On a real cluster the input and output
directories must be visible under the same path to the client and every worker (a
shared or network file system), and discourse must be installed on the workers::

    from distributed import Client
    from discourse import store
    from discourse.dask import analyze_dask

    store.ingest("comments-2023.jsonl", "/shared/raw")          # streams; bounded memory
    client = Client("tcp://scheduler:8786")
    analyze_dask("/shared/raw", "/shared/analysed", client=client)
    store.corpus_summary("/shared/analysed")
"""

from __future__ import annotations

import json
import os
from pathlib import Path

__all__ = ["analyze_dask", "read_dask"]


class _ReadPart:
    """Read one stored partition's table (a picklable callable for ``from_map``)."""

    def __init__(self, path, table: str, entries: dict):
        self.path, self.table, self.entries = os.fspath(path), table, entries

    def __call__(self, pid: int):
        from .store import _read_part

        return _read_part(Path(self.path), self.table, pid, self.entries[str(pid)])


def _meta(path, table: str, entries: dict, pids: list):
    import pandas as pd

    for pid in pids:
        dtypes = entries[str(pid)].get("dtypes", {}).get(table)
        if dtypes:
            return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in dtypes.items()})
    return pd.DataFrame({"thread_id": pd.Series([], dtype=object)})


def read_dask(path, *, table: str = "comments"):
    """A Dask DataFrame of one table of the Parquet corpus at *path*: one partition per stored partition.

    Every Dask partition holds whole threads, with the column types the corpus was written with.

    Parameters
    ----------
    path : str or path-like
        A Parquet corpus directory.
    table : {"comments", "threads", "spans"}

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> from discourse import Corpus, store
    >>> c = Corpus.from_frames(pd.DataFrame({"thread_id": ["a", "b"], "comment_id": ["1", "1"], "text": ["x", "y"]}))
    >>> ddf = read_dask(store.write_corpus(c, pathlib.Path(tempfile.mkdtemp()) / "c", n_partitions=2))
    >>> ddf.npartitions, len(ddf.compute())
    (2, 2)
    """
    import dask
    import dask.dataframe as dd

    from .store import _complete, read_manifest

    manifest = read_manifest(path)
    pids = _complete(manifest)
    entries = manifest["partitions"]
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.from_map(_ReadPart(path, table, entries), pids, meta=_meta(path, table, entries, pids),
                       enforce_metadata=False)


def _analyse_part(comments, threads, *, out: str, pids: list, options: dict, partition_info=None):
    import pandas as pd

    from .store import _finish_partition

    if partition_info is None:
        return pd.DataFrame({"pid": pd.Series([], dtype="int64"), "entry": pd.Series([], dtype=object)})
    pid = pids[partition_info["number"]]
    entry = _finish_partition(Path(out), pid, comments, threads, per_file={}, analyse=True, options=options)
    return pd.DataFrame({"pid": [pid], "entry": [json.dumps(entry)]})


def analyze_dask(source, path, *, infer_replies: str = "auto", order: str = "display", frames=None, client=None,
                 progress: bool | None = None):
    """Analyse the Parquet corpus *source* on Dask into the analysed Parquet corpus *path*.

    Parameters
    ----------
    source : str or path-like
        A Parquet corpus (from :func:`discourse.store.ingest` or
        :func:`discourse.store.write_corpus`); its partitions are the units of work.
    path : str or path-like
        The output corpus directory; a run interrupted there is resumed.
    infer_replies, order, frames : str
        As for :func:`discourse.analyze`.
    client : distributed.Client, optional
        The cluster to use; by default the current client if there is one, else Dask's
        local scheduler.
    progress : bool, optional
        Draw a progress bar of finished partitions.

    Returns
    -------
    pathlib.Path
        *path*: read it with :func:`discourse.store.read_corpus`.

    Raises
    ------
    SchemaError
        When *path* holds a corpus built from other inputs or options.

    Examples
    --------
    Without a client, Dask's local scheduler runs the partitions in this process:

    >>> import tempfile, pathlib, pandas as pd
    >>> from discourse import Corpus, store
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> c = Corpus.from_frames(pd.DataFrame({"thread_id": ["a", "b"], "comment_id": ["1", "1"],
    ...                                      "text": ["I love it.", "I hate it."]}))
    >>> src = store.write_corpus(c, d / "raw", n_partitions=2)
    >>> out = analyze_dask(src, d / "analysed")
    >>> store.read_corpus(out).comments.sort_values("thread_id")["sentiment_compound"].tolist()
    [0.6369, -0.5719]
    """
    import dask

    from .pipeline import check_options
    from .store import _complete, _finish, _open, analysis_options, read_manifest

    check_options(infer_replies=infer_replies, order=order)
    src = Path(source)
    path = Path(path)
    src_manifest = read_manifest(src)
    options = analysis_options(infer_replies=infer_replies, order=order, frames=frames)
    expected = {"analysed": True, "options": options, "n_partitions": src_manifest["n_partitions"],
                "source": {"store": os.fspath(src), "partitions": sorted(src_manifest["partitions"])}}
    manifest = _open(path, expected)
    manifest.setdefault("ingest", src_manifest.get("ingest", []))
    manifest["staged"] = True
    todo = [p for p in _complete(src_manifest) if str(p) not in manifest["partitions"]]
    if todo:
        with dask.config.set({"dataframe.convert-string": False}):
            _run(src, path, src_manifest, manifest, todo, options, client, progress)
    _finish(path, manifest)
    return path


def _run(src, path, src_manifest, manifest, todo, options, client, progress):
    import dask
    import dask.dataframe as dd
    import pandas as pd

    from . import progress as _progress
    from .store import _write_manifest

    entries = src_manifest["partitions"]
    comments = dd.from_map(_ReadPart(src, "comments", entries), todo,
                           meta=_meta(src, "comments", entries, todo), enforce_metadata=False)
    threads = dd.from_map(_ReadPart(src, "threads", entries), todo,
                          meta=_meta(src, "threads", entries, todo), enforce_metadata=False)
    meta = pd.DataFrame({"pid": pd.Series([], dtype="int64"), "entry": pd.Series([], dtype=object)})
    done = dd.map_partitions(_analyse_part, comments, threads, out=os.fspath(path), pids=todo, options=options,
                             meta=meta, align_dataframes=False, enforce_metadata=False)
    parts = done.to_delayed()
    if client is None:
        try:
            from distributed import default_client

            client = default_client()
        except (ImportError, ValueError):
            client = None
    with _progress.bar(total=len(todo), desc="analyse (dask)", unit="partitions", progress=progress) as bar:
        if client is not None:
            from distributed import as_completed

            futures = client.compute(parts)
            results = (f.result() for f in as_completed(futures))
        else:
            results = iter(dask.compute(*parts))
        for frame in results:
            for pid, entry in zip(frame["pid"], frame["entry"]):
                manifest["partitions"][str(int(pid))] = json.loads(entry)
                _write_manifest(path, manifest)
            bar.update()
