"""Ingest: read exports into a :class:`~discourse.Corpus`, one reader per format.

:func:`read` takes one path, many paths or a directory, detects each file's format
(or uses the one given), and joins the results into one corpus whose thread ids are
unique. Every reader returns an :class:`~discourse.model.IngestReport` per file: records
seen, comments kept, skipped by reason, links repaired. Nothing is dropped silently.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..errors import InputFormatError
from .detect import FORMATS, detect_format, reader_for

__all__ = ["FORMATS", "concat", "detect_format", "read"]


def _expand(paths) -> list[Path]:
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts))
            files = [f for f in files if f.suffix.lower() not in (".md", ".py", ".license") and f.name.upper() not in ("LICENSE", "README")]
            if not files:
                raise InputFormatError("the directory holds no files to read.", path=p)
            out.extend(files)
        else:
            out.append(p)
    if not out:
        raise InputFormatError("no input files given.")
    return out


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
    """
    files = _expand(paths)
    corpora = []
    for f in files:
        if format is None:
            fmt, reason = detect_format(f)
        else:
            reader_for(format)
            fmt, reason = format, "given by the user"
        corpus = reader_for(fmt)(f)
        for r in corpus.ingest:
            if reason and not any(n.startswith("detected") for n in r.notes) and format is None:
                r.notes.insert(0, f"detected: {reason}")
        corpora.append(corpus)
    return concat(corpora)


def concat(corpora):
    """Join corpora into one, renaming thread ids that collide (``file-stem:thread_id``)."""
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
