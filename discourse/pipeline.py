"""The whole analysis: every stage, in order, over a corpus.

``analyze`` is what ``discourse analyze`` and ``discourse report`` run. It may import
every stage (the stages never import each other).
"""

from __future__ import annotations

from .errors import SchemaError

__all__ = ["analyze"]


def analyze(corpus, *, infer_replies: str = "auto", order: str = "display", topics="auto", jobs: int = 1,
            frames=None):
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
        Worker processes for the per-comment stages.
    frames : path, str or list, optional
        Frame lexicon files (or shipped names) added to the default frame lexicons
        (``--frames FILE``); see :func:`discourse.framing.load_lexicons`.

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
    import pandas as pd

    from . import framing, graph, replies, sentiment

    if not isinstance(jobs, int) or jobs < 1:
        raise SchemaError(f"jobs must be an int in the range [1, inf); got {jobs!r}.")
    comments = (
        corpus.comments
        .pipe(replies.infer_replies, mode=infer_replies, order=order)
        .pipe(graph.add_depth)
        .pipe(sentiment.score)
    )
    lexicons = framing.load_lexicons(extra=frames)
    frame_spans = framing.spans(comments, lexicons=lexicons)
    post_spans = framing.spans(corpus.threads.assign(comment_id=""), lexicons=lexicons)
    comments = framing.score(comments, spans=frame_spans, lexicons=lexicons)
    spans = pd.concat([s for s in (corpus.spans, post_spans, frame_spans) if s is not None and len(s)],
                      ignore_index=True) if len(frame_spans) or len(post_spans) else corpus.spans
    extras = dict(corpus.extras)
    extras["frame_debate"] = framing.debate(comments, pd.concat([post_spans, frame_spans], ignore_index=True),
                                            lexicons=lexicons)
    extras["frame_uptake"] = framing.uptake(comments, frame_spans, lexicons=lexicons)
    return corpus.replace(comments=comments, spans=spans, extras=extras)
