"""The whole analysis: every stage, in order, over a corpus.

``analyze`` is what ``discourse analyze`` and ``discourse report`` run. It may import
every stage (the stages never import each other).
"""

from __future__ import annotations

from .errors import SchemaError

__all__ = ["analyze"]


def analyze(corpus, *, infer_replies: str = "auto", order: str = "display", topics="auto", jobs: int = 1):
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
        Number of topics, chosen automatically, or no topic model. The fitted
        :class:`~discourse.topics.Topics` is kept in ``extras["topics"]``; ``none`` adds
        no topic columns.
    jobs : int, default 1
        Worker processes for the per-comment stages.

    Returns
    -------
    Corpus
        The same threads, the comments with every analysis column added.

    Examples
    --------
    >>> import pandas as pd
    >>> from discourse import Corpus
    >>> c = Corpus.from_frames(pd.DataFrame({"comment_id": ["1"], "text": ["Great point!"]}))
    >>> analyze(c).comments[["parent_source", "depth", "sentiment_compound"]].values.tolist()
    [['inferred', 1, 0.6588]]
    """
    from . import graph, replies, sentiment

    if not isinstance(jobs, int) or jobs < 1:
        raise SchemaError(f"jobs must be an int in the range [1, inf); got {jobs!r}.")
    comments = (
        corpus.comments
        .pipe(replies.infer_replies, mode=infer_replies, order=order)
        .pipe(graph.add_depth)
        .pipe(sentiment.score)
    )
    if topics == "none":
        return corpus.replace(comments=comments)
    from . import topics as topic_models

    # The posts help a small thread's vocabulary; fit_topics ignores them from 1,000 comments on.
    posts = [p for text in corpus.threads["text"] for p in str(text).split("\n") if p.strip()]
    fitted = topic_models.fit_topics(comments, n_topics=topics, context=posts)
    comments = topic_models.assign(comments, topics=fitted)
    return corpus.replace(comments=comments, extras={**corpus.extras, "topics": fitted})
