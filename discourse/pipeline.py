"""The whole analysis: every stage, in order, over a corpus.

``analyze`` is what ``discourse analyze`` and ``discourse report`` run. It may import
every stage (the stages never import each other).

The stages come in two kinds, and the structure follows from it:

per-thread stages
    Reply inference, depth, sentiment (and framing, civility): each needs at most one
    whole thread at a time. :func:`analyze_comments` runs them, in order, over any set of
    whole threads. It is the one code path of every way discourse runs: in this process
    (``jobs=1``), in worker processes over chunks of threads (``jobs=N``, see
    :mod:`discourse.parallel`), per partition of a Parquet corpus on disk
    (:mod:`discourse.store`) and per partition on a Dask cluster (:mod:`discourse.dask`).
corpus-level stages
    Topics and corpus aggregates need every comment; :func:`analyze` runs them after the
    per-thread stages, over the whole table.
"""

from __future__ import annotations

from .errors import SchemaError

__all__ = ["analyze", "analyze_comments", "warm_up"]

_INFER = ("auto", "always", "never")
_ORDERS = ("display", "chronological")


def warm_up() -> None:
    """Build the cached resources the per-thread stages share (the VADER analyser, lexicons).

    Worker processes call it once when they start, so each holds one analyser.
    """
    from . import sentiment

    sentiment.analyzer()


def check_options(*, infer_replies: str = "auto", order: str = "display", jobs: int = 1) -> None:
    """Raise :class:`SchemaError` for an option value :func:`analyze` does not accept."""
    if infer_replies not in _INFER:
        raise SchemaError(f"infer_replies must be one of {list(_INFER)}; got {infer_replies!r}.")
    if order not in _ORDERS:
        raise SchemaError(f"order must be one of {list(_ORDERS)}; got {order!r}.")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise SchemaError(f"jobs must be an int in the range [1, inf); got {jobs!r}.")


def analyze_comments(comments, threads=None, *, infer_replies: str = "auto", order: str = "display"):
    """Run the per-thread stages over *comments*, a table of whole threads.

    Parameters
    ----------
    comments : pandas.DataFrame
        Normalized comments (see :func:`discourse.model.normalize_comments`); every
        thread in it must be complete.
    threads : pandas.DataFrame, optional
        The posts of those threads (span finders also read the post's ``text``).
    infer_replies, order : str
        As for :func:`analyze`.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The comments with the analysis columns (same index and row order), and the
        evidence spans (:data:`discourse.model.SPAN_COLUMNS`).

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"thread_id": ["t"], "comment_id": ["1"], "parent_id": [""], "text": ["Great point!"]})
    >>> out, spans = analyze_comments(c)
    >>> out["sentiment_compound"].tolist(), len(spans)
    ([0.6588], 0)
    """
    import pandas as pd

    from . import graph, replies, sentiment
    from .model import SPAN_COLUMNS

    out = (
        comments
        .pipe(replies.infer_replies, mode=infer_replies, order=order)
        .pipe(graph.add_depth)
        .pipe(sentiment.score)
    )
    spans = pd.DataFrame({c: pd.Series([], dtype="int64" if c in ("start", "end") else object) for c in SPAN_COLUMNS})
    return out, spans


def analyze(corpus, *, infer_replies: str = "auto", order: str = "display", topics="auto", jobs: int = 1,
            progress: bool | None = None):
    """Run the analysis stages over *corpus* and return a new corpus.

    Parameters
    ----------
    corpus : Corpus
        From :func:`discourse.read`.
    infer_replies : {"auto", "always", "never"}, default "auto"
        Infer reply links only where the source has none (auto), always, or never.
    order : {"display", "chronological"}, default "display"
        How the source listed its comments; constrains which earlier comment a reply can answer.
    topics : int, "auto" or "none", default "auto"
        Number of topics, chosen automatically, or no topic model.
    jobs : int, default 1
        Worker processes for the per-thread stages; any value gives the same result.
    progress : bool, optional
        Draw a progress bar (see :mod:`discourse.progress`; quiet unless asked).

    Returns
    -------
    Corpus
        The same threads, the comments with every analysis column added, and the spans.

    Examples
    --------
    >>> import pandas as pd
    >>> from discourse import Corpus
    >>> c = Corpus.from_frames(pd.DataFrame({"comment_id": ["1"], "text": ["Great point!"]}))
    >>> analyze(c).comments[["parent_source", "depth", "sentiment_compound"]].values.tolist()
    [['inferred', 1, 0.6588]]
    """
    from .parallel import map_threads

    check_options(infer_replies=infer_replies, order=order, jobs=jobs)
    comments, spans = map_threads(analyze_comments, corpus.comments, corpus.threads, jobs=jobs, progress=progress,
                                  infer_replies=infer_replies, order=order)
    # Corpus-level stages (topics) run here, over the whole table.
    return corpus.replace(comments=comments, spans=spans)
