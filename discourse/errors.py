"""Errors and warnings raised by discourse.

Every error the library raises on purpose derives from :class:`DiscourseError`, and
each is also a :class:`ValueError`, so code that already catches ``ValueError`` keeps
working (scikit-learn does the same with ``NotFittedError``)::

    Exception
     +-- ValueError
          +-- DiscourseError ............ anything discourse rejects on purpose
               +-- InputFormatError ..... a file cannot be read as the format it claims
               |                          (missing, empty, binary, malformed, no comments)
               +-- SchemaError .......... a table lacks a required column or holds a bad value
               +-- ThreadStructureError . reply links that cannot form a thread
                                          (duplicate ids, a parent in another thread)

    Warning
     +-- UserWarning
          +-- DiscourseWarning .......... the data had a problem discourse recovered from
                                          (orphans re-attached, a fallback encoding, empty text)

The command line turns a ``DiscourseError`` into ``Error: <message>`` on stderr and exit
status 1; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

__all__ = [
    "DiscourseError",
    "DiscourseWarning",
    "InputFormatError",
    "SchemaError",
    "ThreadStructureError",
]


class DiscourseError(ValueError):
    """Base class of every error discourse raises on purpose.

    Its message says what is wrong, where, what was expected, what arrived and how to
    fix it; catch it to tell a bad input from a bug.

    Examples
    --------
    >>> import discourse
    >>> try:
    ...     discourse.read("no-such-export.json")
    ... except discourse.DiscourseError as err:
    ...     print(err)
    no-such-export.json: no such file; check the path and the current directory.
    """


class InputFormatError(DiscourseError):
    """A file cannot be read as the format it claims to be.

    Parameters
    ----------
    message : str
        What is wrong and how to fix it.
    path : str or None
        The file, when there is one; it is put in front of the message.
    line : int or None
        The 1-based line of the problem, when known.
    """

    def __init__(self, message: str, *, path=None, line: int | None = None):
        self.path = None if path is None else str(path)
        self.line = line
        where = ""
        if self.path is not None:
            where = f"{self.path}"
            if line is not None:
                where += f", line {line}"
            where += ": "
        super().__init__(where + message)


class SchemaError(DiscourseError):
    """A table lacks a required column, or a column holds a value it must not.

    Examples
    --------
    >>> import pandas as pd
    >>> from discourse.sentiment import score
    >>> score(pd.DataFrame({"body": ["Great point!"]}))
    Traceback (most recent call last):
    ...
    discourse.errors.SchemaError: sentiment.score needs column 'text'; got columns ['body']. Rename the column or pass text_col=... to name yours.
    """


class ThreadStructureError(DiscourseError):
    """Reply links that cannot form a thread (duplicate ids, cross-thread parents)."""


class DiscourseWarning(UserWarning):
    """A problem in the data that discourse recovered from, with a count.

    For an analysis that must not go on past a data problem, turn these into errors.

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> from discourse.graph import reply_graph
    >>> orphan = pd.DataFrame({"thread_id": ["t"], "comment_id": ["a"], "parent_id": ["gone"]})
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", DiscourseWarning)
    ...     reply_graph(orphan)
    Traceback (most recent call last):
    ...
    discourse.errors.DiscourseWarning: reply_graph: 1 comment replies to a parent_id that is not in the table; ...
    """
