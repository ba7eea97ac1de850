"""Progress: the one helper long work reports through.

Library code never prints. A long loop (reading a big file, analysing partitions,
aggregating a corpus) wraps its work in :func:`bar` and calls ``update(n)`` as it goes.
Whether anything is shown is decided in one place:

- the command line turns bars on (they go to stderr, through tqdm);
- in a notebook or a script they stay quiet unless asked, with ``progress=True`` on the
  call or ``with discourse.progress.shown():`` around it.

Terms: a *bar* counts *units* (rows, partitions, files) towards an optional *total*.
"""

from __future__ import annotations

import contextlib
import contextvars

__all__ = ["Bar", "bar", "enabled", "shown"]

_SHOWN: contextvars.ContextVar[bool] = contextvars.ContextVar("discourse_progress_shown", default=False)


def enabled(progress: bool | None = None) -> bool:
    """Whether bars are drawn: *progress* when given, else the current default.

    Examples
    --------
    >>> enabled(), enabled(True)
    (False, True)
    >>> with shown():
    ...     enabled()
    True
    """
    return _SHOWN.get() if progress is None else bool(progress)


@contextlib.contextmanager
def shown(flag: bool = True):
    """Show (or hide) progress bars for the work inside the ``with`` block.

    The command line runs every command inside ``shown()``; a notebook user can do the
    same around one call.

    Examples
    --------
    >>> with shown(False):
    ...     pass
    """
    token = _SHOWN.set(bool(flag))
    try:
        yield
    finally:
        _SHOWN.reset(token)


class Bar:
    """A progress counter that draws a tqdm bar when shown and does nothing otherwise.

    Use it as a context manager; ``update(n)`` adds *n* units. ``count`` is kept either
    way, so callers (and tests) can read how far the work got.

    Examples
    --------
    >>> with bar(total=3, desc="partitions") as b:
    ...     for _ in range(3):
    ...         b.update()
    >>> b.count
    3
    """

    def __init__(self, *, total: int | None = None, desc: str = "", unit: str = "it", show: bool = False):
        self.count = 0
        self.total = total
        self._tqdm = None
        if show:
            from tqdm.auto import tqdm

            # No monitor thread: a single-threaded parent can still fork its workers
            # (see discourse.parallel). tqdm only offers this as a class setting.
            tqdm.monitor_interval = 0
            self._tqdm = tqdm(total=total, desc=desc, unit=unit, unit_scale=unit in ("rows", "comments", "B"), dynamic_ncols=True,
                              leave=True, mininterval=0.5)

    def update(self, n: int = 1) -> None:
        """Add *n* units of finished work."""
        self.count += n
        if self._tqdm is not None:
            self._tqdm.update(n)

    def set_total(self, total: int | None) -> None:
        """Change the total once it is known (a file's row count, say)."""
        self.total = total
        if self._tqdm is not None:
            self._tqdm.total = total
            self._tqdm.refresh()

    def close(self) -> None:
        if self._tqdm is not None:
            self._tqdm.close()
            self._tqdm = None

    def __enter__(self) -> "Bar":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def bar(*, total: int | None = None, desc: str = "", unit: str = "it", progress: bool | None = None) -> Bar:
    """A :class:`Bar`, drawn only when :func:`enabled` says so.

    Parameters
    ----------
    total : int, optional
        Units of work expected; the bar counts without a total when unknown.
    desc : str
        What is being counted, shown in front of the bar ("analyse", "read big.jsonl").
    unit : str, default "it"
        The unit counted (``"rows"``, ``"partitions"``).
    progress : bool, optional
        Force the bar on or off; the current default (:func:`shown`) when omitted.

    Examples
    --------
    >>> with bar(total=10, unit="rows", progress=False) as b:
    ...     b.update(10)
    >>> b.count, b.total
    (10, 10)
    """
    return Bar(total=total, desc=desc, unit=unit, show=enabled(progress))
