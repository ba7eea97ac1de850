"""Small helpers the stages share for speed (not analysis)."""

from __future__ import annotations

import contextlib
import gc

__all__ = ["collector_paused", "worker_collector", "worker_task_done"]


@contextlib.contextmanager
def collector_paused():
    """Pause Python's cyclic garbage collector for a block, then restore its state.

    The per-thread stages allocate millions of small objects (tokens, spans, rows) that
    live until the chunk's tables are built, and each allocation burst sets off the
    cyclic collector, which re-scans every tracked object of the process: half a million
    once the stages' caches are warm. That took a fifth to a third of the chain's CPU
    time (20,000 generated comments: 16-19 s with it, 13-14 s without; ``bench/throughput.py``)
    and a third of ``framing.spans``'s time inside the pipeline. The stages make next to
    no reference cycles (about 100 objects after three runs of 20,000 comments, the same
    peak memory), and reference counting still frees everything else at once. The
    collector's state is restored, never forced on: if the caller (or another thread in
    this block) turned it off, it stays off until they turn it on. Like ``timeit``, which
    times code the same way.

    Examples
    --------
    >>> import gc
    >>> with collector_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


#: True in a worker process of discourse's own pool, where :func:`worker_collector` runs
#: the collector by hand.
_WORKER = False
#: Tasks a worker runs between two passes of the cyclic collector.
COLLECT_EVERY = 8
_tasks_since_collect = 0


def worker_collector() -> None:
    """In a worker process of discourse's own pool: run the cyclic collector by hand.

    A worker runs the per-thread stages over chunk after chunk (the chain pauses the
    collector, see :func:`collector_paused`) and, between them, reads, normalises and
    writes tables. With the collector on, each chunk ended with a pass over everything
    the chain had left alive (the stages' memo caches: 0.3-0.5 s on a warm worker of a
    200,000-comment run) and the table work set off full passes over the same heap. Here
    the collector is switched off for the worker's life, and what the worker inherited
    from its parent is frozen (``gc.freeze``: never scanned, so its pages stay shared
    with the parent); every :data:`COLLECT_EVERY` tasks (:func:`worker_task_done`) one
    pass frees what reference cycles were made and the survivors are frozen too, so the
    next pass reads only what is new. A pass costs about what the stages' caches hold
    (0.1-0.2 s for the 400,000 to 600,000 objects a 25,000-comment partition leaves),
    whether one task or eight ran since the last, and finds next to nothing: 0 to 3 small
    objects per partition (a closure's cell, function and tuple), 75 after eight
    partitions, while a pass after every task cost 2% of a 200,000-comment run. The
    process belongs to discourse's pool, so no caller's collector state is changed.
    """
    global _WORKER
    _WORKER = True
    gc.disable()
    gc.freeze()


def worker_task_done() -> None:
    """After a task in a worker of discourse's own pool: every few tasks, collect reference cycles, freeze the rest.

    Does nothing in any other process.

    Examples
    --------
    >>> worker_task_done()
    """
    global _tasks_since_collect
    if not _WORKER:
        return
    _tasks_since_collect += 1
    if _tasks_since_collect >= COLLECT_EVERY:
        _tasks_since_collect = 0
        gc.collect()
        gc.freeze()
