"""Parallel: the per-thread stages over chunks of whole threads, in worker processes.

Reply inference needs a whole thread, so the unit of parallel work is a *chunk*: a set of
whole threads. Every worker runs the same function the single-process path runs (for the
analysis, :func:`discourse.pipeline.analyze_comments`) and the chunks' results are put
back in the input's row order, so ``jobs=2`` gives exactly the frame ``jobs=1`` gives.

Terms:

chunk
    The rows of a set of whole threads, in their input order.
worker
    A process of a :class:`concurrent.futures.ProcessPoolExecutor`. It is forked when the
    parent runs a single thread (fast, and a script needs no ``if __name__ == "__main__"``
    guard); a parent that already runs threads (a Dask client, say) starts workers through
    the ``forkserver`` instead, since forking it could copy a held lock. Each worker builds
    its cached resources once (one VADER analyser per worker, see
    :func:`discourse.pipeline.warm_up`).
"""

from __future__ import annotations

import contextlib
import math
import warnings

import pandas as pd

__all__ = ["executor", "map_threads", "order_spans", "reader_executor", "split_threads"]


def split_threads(comments: pd.DataFrame, *, n_chunks: int, thread_col: str = "thread_id") -> list:
    """Cut the row positions of *comments* into at most *n_chunks* chunks of whole threads.

    Threads are taken in order of first appearance and packed greedily so the chunks hold
    about the same number of rows; a thread is never split.

    Returns
    -------
    list of numpy.ndarray
        Row positions (for ``iloc``), each array in input order; together they cover every row once.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"thread_id": ["a", "b", "a", "c", "c", "c"]})
    >>> [p.tolist() for p in split_threads(df, n_chunks=2)]
    [[0, 1, 2], [3, 4, 5]]
    """
    import numpy as np

    if len(comments) == 0:
        return []
    codes, uniques = pd.factorize(comments[thread_col], sort=False)
    sizes = np.bincount(codes, minlength=len(uniques))
    n_chunks = max(1, min(int(n_chunks), len(uniques)))
    target = len(comments) / n_chunks
    chunk_of_thread = np.empty(len(uniques), dtype=np.int64)
    chunk, filled = 0, 0
    for t, size in enumerate(sizes):
        if filled and filled + size / 2 > target * (chunk + 1) and chunk < n_chunks - 1:
            chunk += 1
        chunk_of_thread[t] = chunk
        filled += size
    row_chunk = chunk_of_thread[codes]
    order = np.argsort(row_chunk, kind="stable")
    bounds = np.searchsorted(row_chunk[order], np.arange(chunk + 2))
    return [order[bounds[i]:bounds[i + 1]] for i in range(chunk + 1) if bounds[i + 1] > bounds[i]]


def order_spans(spans: pd.DataFrame, comments: pd.DataFrame) -> pd.DataFrame:
    """Put *spans* in a canonical order: by their comment's row, post spans first, then offset.

    Chunked and single-process runs emit spans in different orders; this makes them equal.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"thread_id": ["t", "t"], "comment_id": ["2", "1"]})
    >>> s = pd.DataFrame({"thread_id": ["t", "t", "t"], "comment_id": ["1", "2", ""], "start": [0, 5, 3],
    ...                   "end": [1, 6, 4]})
    >>> order_spans(s, c)["comment_id"].tolist()
    ['', '2', '1']
    """
    import numpy as np

    if spans is None or len(spans) == 0:
        return spans
    pos = _span_rows(spans, comments)
    order = _sort_order(pos, spans["start"].to_numpy(), spans["end"].to_numpy(), len(comments))
    if (order == np.arange(len(order))).all():
        return spans.reset_index(drop=True)
    return spans.iloc[order].reset_index(drop=True)


def _sort_order(pos, start, end, n_rows: int):
    """Positions that sort spans stably by *pos*, then *start*, then *end*.

    *pos* holds whole and half row numbers (or inf), so the three keys fit in one
    integer when the offsets are integers of modest size, and a stable argsort of one
    key takes a tenth of ``np.lexsort``'s time over three.
    """
    import numpy as np

    if len(pos) and start.dtype.kind in "iu" and end.dtype.kind in "iu":
        s0, s1, e0, e1 = int(start.min()), int(start.max()), int(end.min()), int(end.max())
        width_s, width_e = s1 - s0 + 1, e1 - e0 + 1
        if (2 * n_rows + 3) * width_s * width_e < 2**62:
            # A comment's row k -> 2k + 1, a post before row k -> 2k, no row -> past them all.
            rank = np.where(np.isinf(pos), 2 * n_rows + 2, 2 * pos + 1).astype(np.int64)
            key = (rank * width_s + (start.astype(np.int64) - s0)) * width_e + (end.astype(np.int64) - e0)
            return np.argsort(key, kind="stable")
    # Stable, by row, then start, then end (lexsort's last key sorts first).
    return np.lexsort((end, start, pos))


def _span_rows(spans: pd.DataFrame, comments: pd.DataFrame):
    """The sort key of each span: its comment's first row, a post's thread's first row - 0.5, else inf.

    Spans come many to a comment, so the (thread, comment) pairs are factorized in C and
    only the distinct pairs are looked up in Python (or, for id columns of strings, all
    of it is done in Arrow and numpy).
    """
    import numpy as np

    fast = _span_rows_arrow(spans, comments)
    if fast is not None:
        return fast
    row: dict = {}
    first_row: dict = {}
    for i, key in enumerate(zip(comments["thread_id"].tolist(), comments["comment_id"].tolist())):
        row.setdefault(key, i)
        first_row.setdefault(key[0], i)
    t_codes, t_uniques = pd.factorize(spans["thread_id"], use_na_sentinel=False)
    c_codes, c_uniques = pd.factorize(spans["comment_id"], use_na_sentinel=False)
    pair_codes, pairs = pd.factorize(t_codes.astype(np.int64) * len(c_uniques) + c_codes)
    t_uniques, c_uniques, n_c = list(t_uniques), list(c_uniques), len(c_uniques)
    inf = float("inf")
    key_of_pair = []
    for p in pairs.tolist():
        t, c = t_uniques[p // n_c], c_uniques[p % n_c]
        # A post's spans go just before its thread's first comment; unknown rows go last.
        key_of_pair.append((first_row.get(t, inf) - 0.5) if c == "" else row.get((t, c), inf))
    return np.asarray(key_of_pair, dtype="float64")[pair_codes]


def _large_strings(series):
    """*series* as one Arrow large_string array, or None when it holds anything but strings."""
    import pyarrow as pa

    arr = series.array
    try:
        if hasattr(arr, "_pa_array"):
            out = arr._pa_array.cast(pa.large_string())
        elif series.dtype == object:
            out = pa.chunked_array([pa.array(series.to_numpy(), type=pa.large_string())], type=pa.large_string())
        else:
            return None
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, UnicodeEncodeError):
        return None
    return out if out.null_count == 0 else None


def _span_rows_arrow(spans: pd.DataFrame, comments: pd.DataFrame):
    """:func:`_span_rows` for id columns of strings (no missing values), in Arrow and numpy; else None.

    The comments' and the spans' ids are dictionary-encoded together, so a (thread,
    comment) pair is one integer in both, and each span's row is found by binary search.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    cols = [_large_strings(df[c]) for c in ("thread_id", "comment_id") for df in (comments, spans)]
    if any(c is None for c in cols):
        return None
    ct, st, cc, sc = cols
    n = len(comments)
    threads = pa.chunked_array(ct.chunks + st.chunks, type=pa.large_string()).dictionary_encode().combine_chunks()
    ids = pa.chunked_array(cc.chunks + sc.chunks, type=pa.large_string()).dictionary_encode().combine_chunks()
    t_codes = threads.indices.to_numpy().astype(np.int64)
    c_codes = ids.indices.to_numpy().astype(np.int64)
    pairs = t_codes * len(ids.dictionary) + c_codes
    pos = _first_rows(pairs[:n], pairs[n:])
    # A post's spans go just before its thread's first comment (none: last).
    empty = np.flatnonzero(pc.equal(ids.dictionary, "").to_numpy(zero_copy_only=False))
    if len(empty):
        post = c_codes[n:] == empty[0]
        if post.any():
            pos[post] = _first_rows(t_codes[:n], t_codes[n:][post]) - 0.5
    return pos


def _first_rows(keys, wanted):
    """For each of *wanted*, the first position of the same value in *keys* (float), else inf."""
    import numpy as np

    out = np.full(len(wanted), np.inf)
    if len(keys) == 0:
        return out
    uniques, first = np.unique(keys, return_index=True)
    at = np.minimum(np.searchsorted(uniques, wanted), len(uniques) - 1)
    hit = uniques[at] == wanted
    out[hit] = first[at[hit]]
    return out


def executor(jobs: int):
    """A process pool of *jobs* workers, each warmed up by :func:`discourse.pipeline.warm_up`.

    Examples
    --------
    >>> with executor(1) as pool:
    ...     pool.submit(abs, -3).result()
    3
    """
    import multiprocessing as mp
    import threading
    from concurrent.futures import ProcessPoolExecutor

    from .pipeline import warm_up

    methods = mp.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        ctx = mp.get_context("fork")
        warm_up()  # built once here, inherited by every forked worker
    elif "forkserver" in methods:
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["pandas", "discourse.pipeline", "discourse.store"])
    else:  # pragma: no cover - Windows and macOS without forkserver
        ctx = mp.get_context("spawn")
    return ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_init)


def reader_executor(jobs: int):
    """A process pool of *jobs* workers forked as this process is, without warming up; None where it cannot fork.

    For work that needs none of the stages (reading the input), so this process can warm
    them up meanwhile. None when the platform has no ``fork`` or this process runs
    threads (see :func:`executor`). The readers run at a lower priority (:data:`READER_NICE`):
    the warm-up is the longer of the two, and on a machine with as many cores as jobs the
    *jobs* readers would otherwise share the cores evenly with it, so the warm-up, and the
    analysis after it, would wait for readers that could have waited instead.

    Examples
    --------
    >>> pool = reader_executor(1)
    >>> pool is None or pool.submit(abs, -3).result() == 3
    True
    >>> if pool is not None:
    ...     pool.shutdown()
    """
    import multiprocessing as mp
    import threading
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in mp.get_all_start_methods() or threading.active_count() != 1:
        return None
    return ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("fork"), initializer=_reader_init)


#: How much lower the priority of :func:`reader_executor`'s workers is (``os.nice``).
READER_NICE = 5


def _reader_init():
    import os

    try:
        os.nice(READER_NICE)
    except (AttributeError, OSError):  # pragma: no cover - no nice on this platform
        pass


def _worker_init():
    from ._perf import worker_collector
    from .pipeline import warm_up

    warm_up()
    worker_collector()


def run_capturing_warnings(func, *args, **kwargs):
    """Call ``func`` and return ``(result, [(message, category), ...])`` of the warnings it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = func(*args, **kwargs)
    return result, [(str(w.message), w.category) for w in caught]


def reissue(caught, *, stacklevel: int = 3) -> None:
    """Raise again, once each, the warnings workers caught."""
    seen = set()
    for message, category in caught:
        if (message, category) in seen:
            continue
        seen.add((message, category))
        warnings.warn(message, category, stacklevel=stacklevel)


def imap_bounded(pool, func, items, *, window: int):
    """Like ``pool.map`` but with at most *window* tasks in flight, results in input order.

    Keeps memory bounded when each task carries a chunk of data.
    """
    from collections import deque

    pending: deque = deque()
    items = iter(items)
    for item in items:
        pending.append(pool.submit(func, *item))
        if len(pending) >= window:
            break
    while pending:
        done = pending.popleft()
        result = done.result()
        for item in items:
            pending.append(pool.submit(func, *item))
            break
        yield result


def map_threads(func, comments: pd.DataFrame, threads: pd.DataFrame | None = None, *, jobs: int = 1,
                chunk_rows: int = 20_000, progress: bool | None = None, desc: str = "analyse", **options):
    """Run ``func(comments_chunk, threads_chunk, **options) -> (comments, spans)`` over chunks of whole threads.

    With ``jobs=1`` the table runs in this process: in one call, or, above *chunk_rows*
    rows, one chunk of whole threads at a time (so memory holds one chunk's working data).
    Otherwise the table is cut with :func:`split_threads` (at least two chunks per worker,
    none over *chunk_rows* rows unless a single thread is larger) and the chunks run in a
    pool of *jobs* workers. The results are reassembled in the input's row order with its index, and the
    spans put in :func:`order_spans` order, so every *jobs* gives the same frames.

    Warnings raised in workers are raised again here, once each.

    Parameters
    ----------
    func : callable
        A module-level function (it is pickled to the workers).
    comments, threads : pandas.DataFrame
        The comments, and the threads table (or None) handed to *func* cut the same way.
    jobs : int, default 1
        Worker processes.
    chunk_rows : int, default 20000
        Largest chunk, in rows.
    progress : bool, optional
        Draw a bar (see :mod:`discourse.progress`).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame or None)
        The comments as *func* returned them, and the spans.

    Examples
    --------
    >>> import pandas as pd
    >>> def upper(c, t):
    ...     return c.assign(text=c["text"].str.upper()), None
    >>> df = pd.DataFrame({"thread_id": ["a", "b"], "comment_id": ["1", "2"], "text": ["x", "y"]})
    >>> map_threads(upper, df)[0]["text"].tolist()
    ['X', 'Y']
    """
    import numpy as np

    from . import progress as _progress

    if len(comments) == 0 or (jobs == 1 and len(comments) <= chunk_rows):
        with _progress.bar(total=len(comments), desc=desc, unit="comments", progress=progress) as bar:
            out, spans = func(comments, threads, **options)
            bar.update(len(comments))
        return out, order_spans(spans, out)
    n_chunks = max(2 * jobs if jobs > 1 else 1, math.ceil(len(comments) / chunk_rows))
    chunks = split_threads(comments, n_chunks=n_chunks)
    thread_col = "thread_id"

    def tasks():
        for pos in chunks:
            part = comments.iloc[pos]
            t = None
            if threads is not None:
                t = threads[threads[thread_col].isin(pd.unique(part[thread_col]))]
            yield (func, part, t, options)

    results, span_parts, caught = [], [], []
    with _progress.bar(total=len(comments), desc=desc, unit="comments", progress=progress) as bar, \
            (executor(jobs) if jobs > 1 else contextlib.nullcontext()) as pool:
        if pool is None:
            # One chunk at a time in this process: memory holds one chunk's working data.
            done = ((f(part, t, **opts), ()) for f, part, t, opts in tasks())
        else:
            done = imap_bounded(pool, _call, tasks(), window=2 * jobs)
        for (out, spans), warned in done:
            results.append(out)
            if spans is not None:
                span_parts.append(spans)
            caught.extend(warned)
            bar.update(len(out))
    reissue(caught)
    order = np.argsort(np.concatenate(chunks), kind="stable")
    out = pd.concat(results).iloc[order]
    if len(out) == len(comments) and out.index.equals(comments.index):
        out.index = comments.index  # the input's own index object (a RangeIndex stays one)
    spans = pd.concat(span_parts, ignore_index=True) if span_parts else None
    return out, order_spans(spans, out)


def _call(func, comments, threads, options):
    from ._perf import worker_task_done

    try:
        return run_capturing_warnings(func, comments, threads, **options)
    finally:
        worker_task_done()
