"""The whole analysis: every stage, in order, over a corpus.

``analyze`` is what ``discourse analyze`` and ``discourse report`` run. It may import
every stage (the stages never import each other).
"""

from __future__ import annotations

from .errors import SchemaError

__all__ = ["analyze"]


def analyze(corpus, *, infer_replies: str = "auto", order: str = "display", topics="auto", jobs: int = 1,
            classroom: bool = False):
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
    classroom : bool, default False
        Mask profanity in every output (texts, spans, explanations) with asterisks of the
        same length, so offsets stay true (see :func:`discourse.civility.mask`).

    Returns
    -------
    Corpus
        The same threads, the comments with every analysis column added, ``spans`` (the
        evidence of every stage, for comments and posts) and ``extras["escalation"]``
        (:func:`discourse.sentiment.escalation` by thread, speaker and exchange).

    Examples
    --------
    >>> import pandas as pd
    >>> from discourse import Corpus
    >>> c = Corpus.from_frames(pd.DataFrame({"comment_id": ["1"], "text": ["Great point!"]}))
    >>> analyze(c).comments[["parent_source", "depth", "sentiment_compound"]].values.tolist()
    [['inferred', 1, 0.6588]]
    """
    import pandas as pd

    from . import civility, graph, replies, segment, sentiment
    from .model import SPAN_COLUMNS

    if not isinstance(jobs, int) or jobs < 1:
        raise SchemaError(f"jobs must be an int in the range [1, inf); got {jobs!r}.")
    comments = (
        corpus.comments
        .pipe(replies.infer_replies, mode=infer_replies, order=order)
        .pipe(graph.add_depth)
    )
    # Shared text spans first, so the sentiment stage does not find them again.
    seg = segment.spans(comments, kinds=segment.KINDS)
    # The integrator replaces DEFAULT_NEUTRAL_TERMS with framing.vocabulary() at merge time.
    neutral = sentiment.DEFAULT_NEUTRAL_TERMS
    sent_spans = sentiment.spans(comments, neutral_terms=neutral, spans=seg)
    comments = comments.pipe(sentiment.score, neutral_terms=neutral, spans=seg)
    civ_spans = civility.spans(comments)
    comments = comments.pipe(civility.score, spans=civ_spans)
    posts = corpus.threads.assign(comment_id="")
    post_spans = [segment.spans(posts), civility.spans(posts)]
    parts = [t for t in [seg[seg["kind"] != "sentence"], sent_spans, civ_spans, *post_spans] if len(t)]
    spans = (pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(SPAN_COLUMNS)))
    threads = corpus.threads
    if classroom:
        comments, threads, spans = civility.mask(comments), civility.mask(threads), civility.mask(spans)
    if corpus.spans is not None and len(corpus.spans):
        spans = pd.concat([corpus.spans, spans], ignore_index=True)
    escalation = {by: sentiment.escalation(comments, by=by) for by in ("thread", "speaker", "exchange")}
    extras = {**corpus.extras, "escalation": escalation}
    return corpus.replace(comments=comments, threads=threads, spans=spans, extras=extras)
