"""Atomic file writes: a temporary file in the same folder, then a rename.

An interrupted run never leaves a half-written report or table that looks complete.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import DiscourseError

__all__ = ["atomic_path", "atomic_write_text", "check_writable"]


def check_writable(path) -> None:
    """Raise :class:`DiscourseError` if a file could not be written at *path*; write nothing.

    The command line checks its output paths before a long analysis, so a typo in ``-o``
    fails at once rather than after the work. Missing folders are fine (they are created
    when the file is written); the nearest existing one must be a folder this process may
    write to.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> check_writable(pathlib.Path(tempfile.mkdtemp()) / "new" / "out.csv")
    >>> check_writable(tempfile.mkdtemp())
    Traceback (most recent call last):
    ...
    discourse.errors.DiscourseError: cannot write '...': it is a folder; give a file name inside it.
    """
    path = Path(path)
    if path.is_dir():
        raise DiscourseError(f"cannot write {os.fspath(path)!r}: it is a folder; give a file name inside it.")
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        why = "a part of the path is a file, not a folder"
    elif not os.access(parent, os.W_OK | os.X_OK):
        why = f"no permission to write in {os.fspath(parent)!r}"
    else:
        return
    raise DiscourseError(f"cannot write {os.fspath(path)!r}: {why}; choose a folder you can write to.")


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside *path*; on success it is renamed to *path*.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
    """
    path = Path(path)
    check_writable(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as err:
        # A race with check_writable, or a full disk. (A traceback from tempfile tells a
        # command-line user nothing.)
        why = err.strerror or str(err)
        if isinstance(err, (FileExistsError, NotADirectoryError)):
            why = "a part of the path is a file, not a folder"
        raise DiscourseError(f"cannot write {os.fspath(path)!r}: {why}; choose a folder you can write to.") from err
    os.close(fd)
    tmp_path = Path(tmp)
    # mkstemp creates the file 0600; give it the permissions a plain open() would.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def atomic_write_text(path, text: str, *, encoding: str = "utf-8") -> None:
    """Write *text* to *path* atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding=encoding, newline="")
