"""Small helpers the stages share for speed (not analysis)."""

from __future__ import annotations

import contextlib
import gc

__all__ = ["collector_paused"]


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
