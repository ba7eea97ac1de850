"""Ingest: read exports into a :class:`~discourse.Corpus`, one reader per format.

:func:`read` takes one path, many paths or a directory, detects each file's format
(or uses the one given), and joins the results into one corpus whose thread ids are
unique. Every reader returns an :class:`~discourse.model.IngestReport` per file: records
seen, comments kept, skipped by reason, links repaired. Nothing is dropped silently.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InputFormatError, SchemaError
from ._columns import ALIASES as COLUMN_ALIASES
from .detect import FORMATS, detect_format, reader_for

__all__ = ["COLUMN_ALIASES", "FORMATS", "concat", "detect_format", "read", "to_convokit"]


_DOC_NAMES = ("README", "LICENSE", "LICENCE", "COPYING", "NOTICE", "CHANGELOG", "SOURCE", "AUTHORS")
_CONVOKIT_FILES = ("utterances.jsonl", "speakers.json", "conversations.json", "corpus.json", "index.json")


#: Extensions of comment data: never taken for documentation, whatever the name says.
_DATA_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson", ".json", ".parquet", ".xml", ".html", ".htm")


def _is_doc(f: Path) -> bool:
    """Whether a folder read leaves *f* out as documentation: README, LICENSE_MIT.txt, SOURCE.md, ...

    The name must hold one of the words whole (``resources.csv`` holds "source" but is data),
    and files with a data extension are always read.
    """
    import re

    from ._text import plain_name

    suffix = plain_name(f).suffix.lower()
    if suffix in (".py", ".license"):
        return True
    if suffix in _DATA_SUFFIXES:
        return False
    words = re.split(r"[^A-Z0-9]+", plain_name(f).stem.upper() if suffix else f.name.upper())
    return any(w in _DOC_NAMES or (w.endswith("S") and w[:-1] in _DOC_NAMES) for w in words)


def _expand(paths) -> list[Path]:
    """Files to read, in order (see :func:`_iter_files`), as a list."""
    return list(_iter_files(paths))


def _iter_files(paths, left: list | None = None):
    """Yield the files to read, in order, walking directories as it goes.

    A directory holding ``utterances.jsonl`` is one ConvoKit corpus; other directories give
    their files (recursively, in path order), less hidden ones, documentation files (README,
    LICENSE, SOURCE.md, ...) and Markdown files that hold no comment section. The walk is
    lazy, so a caller that fails on one file has not walked the rest of a large tree. Files
    left out are appended to *left* as ``(path, reason)``.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    n = 0
    for p in paths:
        p = Path(p)
        if p.is_dir() and (p / "utterances.jsonl").is_file():
            n += 1
            yield p
        elif p.is_dir():
            k = 0
            for f in _walk(p, left):
                k += 1
                yield f
            if not k:
                raise InputFormatError("the directory holds no files to read (documentation, hidden and "
                                       "Markdown files without a comment section are left out).", path=p)
            n += k
        else:
            n += 1
            yield p
    if not n:
        raise InputFormatError("no input files given.")


def _walk(folder: Path, left: list | None = None):
    """The readable files under *folder*, depth first in the order ``sorted(folder.rglob("*"))`` gives."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as err:
        raise InputFormatError(f"cannot list this folder ({err.strerror or err}).", path=folder) from err
    skip = left.append if left is not None else (lambda item: None)
    for e in entries:
        f = Path(e.path)
        if e.name.startswith("."):
            skip((f, "hidden"))
            continue
        if e.is_dir():
            if (f / "utterances.jsonl").is_file():
                yield f  # a ConvoKit corpus: one source, its files read together
            else:
                yield from _walk(f, left)
            continue
        if not e.is_file():
            continue
        if _is_doc(f):
            skip((f, "documentation"))
            continue
        if f.suffix.lower() == ".md":
            from .detect import _SNIFFERS, _head

            head = _head(f).lstrip()
            if not any(fmt == "wp-html" and sniff(f, ".md", head) for fmt, sniff in _SNIFFERS):
                skip((f, "Markdown without a comment section"))
                continue
        yield f


def read(paths, format: str | None = None):
    """Read one or more files (or directories) into one :class:`~discourse.Corpus`.

    Parameters
    ----------
    paths : str, path-like, or a list of them
        Files, or directories whose files are all read.
    format : str, optional
        One of :data:`FORMATS`; detected per file when omitted.

    Returns
    -------
    Corpus
        With ``corpus.ingest`` holding one report per file, and ``corpus.source`` the
        formats used.

    Raises
    ------
    InputFormatError
        For a missing, empty, binary or malformed file, naming the file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "thread.txt"
    >>> _ = p.write_text("A post.\\n\\nFirst!\\nLikeLike\\nSecond.\\nLikeLike\\n")
    >>> corpus = read(p)
    >>> corpus.source, corpus.comments["text"].tolist()
    ('page', ['First!', 'Second.'])

    A directory is read file by file (each format detected), except that a ConvoKit corpus
    directory is one source and WordPress REST pages in one folder are read as one listing.
    """
    table = hasattr(paths, "columns") or hasattr(paths, "dtype")
    if not isinstance(paths, (str, os.PathLike)) and (table or not hasattr(paths, "__iter__")):
        # A table from a notebook is the usual slip; iterating it would read its column names as paths.
        tip = ("discourse.analyze and discourse.report take a comments table as it is; to make a corpus "
               "of it, use discourse.Corpus.from_frames(comments)."
               if table else "Pass a path, or a list of paths.")
        raise InputFormatError(f"read needs a file or directory path (str or pathlib.Path) or a list of them; "
                               f"got {type(paths).__name__}. {tip}")
    if format is not None:
        reader_for(format)  # an unknown format fails before any folder is walked
    corpora = []
    jobs: list[tuple[str, str, list]] = []
    # Files are detected as the walk yields them: a file of no known format stops the read
    # before the rest of a large folder is walked, and before anything is parsed.
    given = {Path(p) for p in ([paths] if isinstance(paths, (str, os.PathLike)) else paths)} if (
        isinstance(paths, (str, os.PathLike, list, tuple))) else None
    left: list = []
    for f in _iter_files(paths, left):
        if format is None:
            try:
                fmt, reason = detect_format(f)
            except InputFormatError as err:
                if given is None or f in given or "cannot tell the format" not in str(err):
                    raise
                # Found in a folder: --format would apply to every file, so say how to leave this one out.
                raise InputFormatError(f"cannot tell the format of this {f.suffix or 'extension-less'} file found in "
                                       f"the folder {f.parent}; move it out of the folder, or name the files to read "
                                       f"(formats: {sorted(FORMATS)}).", path=f) from err
        else:
            fmt, reason = format, "given by the user"
        # Pages of the WordPress REST API from one folder are one listing, read together.
        if fmt == "wp-rest" and jobs and jobs[-1][0] == "wp-rest" and jobs[-1][2][-1].parent == f.parent:
            jobs[-1][2].append(f)
        else:
            jobs.append((fmt, reason, [f]))
    for fmt, reason, group in jobs:
        corpus = reader_for(fmt)(group if len(group) > 1 else group[0])
        for r in corpus.ingest:
            if reason and not any(n.startswith("detected") for n in r.notes) and format is None:
                r.notes.insert(0, f"detected: {reason}")
        corpora.append(corpus)
    out = concat(corpora)
    if left and out.ingest:
        # Not silent: the first report names what the folder walk left out.
        shown = ", ".join(f"{f.name} ({why})" for f, why in left[:5]) + (", ..." if len(left) > 5 else "")
        out.ingest[0].notes.append(f"{len(left)} file{'s' * (len(left) != 1)} in the folder left out: {shown}")
    return out


def to_convokit(corpus, directory, **kwargs):
    """Write *corpus* as a ConvoKit corpus directory; see :func:`discourse.ingest.convokit.to_convokit`.

    Parameters
    ----------
    corpus : Corpus
        From :func:`discourse.read` or :func:`discourse.analyze`.
    directory : str or path
        The folder to write; ``convokit.Corpus(filename=directory)`` loads it.
    **kwargs
        Passed on: ``meta_columns=[...]``, the comment columns to put in each
        utterance's ``meta`` (default: every column beyond the ids, parent, author, time
        and text).

    Returns
    -------
    pathlib.Path
        The directory written.

    Raises
    ------
    SchemaError
        When *corpus* is not a :class:`~discourse.model.Corpus` (a table, say).

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> from discourse import Corpus
    >>> c = Corpus.from_frames(pd.DataFrame({"comment_id": ["1", "2"], "parent_id": ["", "1"], "text": ["a", "b"]}))
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "ck"
    >>> _ = to_convokit(c, out)
    >>> sorted(p.name for p in out.iterdir())
    ['conversations.json', 'corpus.json', 'index.json', 'speakers.json', 'utterances.jsonl']
    """
    from ..model import require_corpus
    from .convokit import to_convokit as write

    require_corpus(corpus, caller="to_convokit")
    return write(corpus, directory, **kwargs)


def concat(corpora):
    """Join corpora into one, renaming thread ids that collide (``file-stem:thread_id``).

    Examples
    --------
    >>> import pandas as pd
    >>> from discourse import Corpus
    >>> a = Corpus.from_frames(pd.DataFrame({"thread_id": ["t"], "comment_id": ["1"], "text": ["x"]}), path="a.csv")
    >>> b = Corpus.from_frames(pd.DataFrame({"thread_id": ["t"], "comment_id": ["1"], "text": ["y"]}), path="b.csv")
    >>> sorted(concat([a, b]).threads["thread_id"])
    ['b:t', 't']
    """
    import pandas as pd

    from ..model import Corpus

    if len(corpora) == 1:
        return corpora[0]
    seen: set = set()
    threads, comments, pieces, reports = [], [], [], []
    for corpus in corpora:
        t, c, pc = corpus.threads, corpus.comments, corpus.pieces
        clash = set(t["thread_id"]) & seen
        if clash:
            stem = Path(corpus.ingest[0].path).stem if corpus.ingest else "file"
            rename = {tid: f"{stem}:{tid}" for tid in clash}
            k = 2
            while any(v in seen for v in rename.values()):
                rename = {tid: f"{stem}-{k}:{tid}" for tid in clash}
                k += 1
            t = t.assign(thread_id=t["thread_id"].replace(rename))
            c = c.assign(thread_id=c["thread_id"].replace(rename))
            if len(pc):
                pc = pc.assign(thread_id=pc["thread_id"].replace(rename))
            for r in corpus.ingest:
                r.notes.append(f"thread ids renamed to stay unique: {', '.join(f'{a} -> {b}' for a, b in sorted(rename.items()))}")
        seen |= set(t["thread_id"])
        threads.append(t)
        comments.append(c)
        if len(pc):
            pieces.append(pc)
        reports.extend(corpus.ingest)
    out = Corpus(
        threads=pd.concat(threads, ignore_index=True),
        comments=pd.concat(comments, ignore_index=True),
        ingest=tuple(reports),
    )
    if pieces:
        out = out.replace(pieces=pd.concat(pieces, ignore_index=True))
    return out
