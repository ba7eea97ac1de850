"""The whole analysis: every stage, in order, over a corpus.

``analyze`` is what ``discourse analyze`` and ``discourse report`` run. It may import
every stage (the stages never import each other).
"""

from __future__ import annotations

from .errors import SchemaError

__all__ = ["analyze"]


def analyze(corpus, *, infer_replies: str = "auto", order: str = "display", topics="auto", jobs: int = 1,
            classroom: bool = False, frames=None):
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
    classroom : bool, default False
        Mask profanity in every output (texts, spans, explanations) with asterisks of the
        same length, so offsets stay true (see :func:`discourse.civility.mask`).
    frames : path, str or list, optional
        Frame lexicon files (or shipped names) added to the default frame lexicons
        (``--frames FILE``); see :func:`discourse.framing.load_lexicons`.

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

    from . import civility, framing, graph, replies, segment, sentiment
    from .model import SPAN_COLUMNS

    if not isinstance(jobs, int) or jobs < 1:
        raise SchemaError(f"jobs must be an int in the range [1, inf); got {jobs!r}.")
    comments = (
        corpus.comments
        .pipe(replies.infer_replies, mode=infer_replies, order=order, threads=corpus.threads)
        .pipe(graph.add_depth)
    )
    # Shared text spans first, so the sentiment stage does not find them again.
    seg = segment.spans(comments, kinds=segment.KINDS)
    lexicons = framing.load_lexicons(extra=frames)
    neutral = framing.vocabulary(lexicons)
    sent_spans = sentiment.spans(comments, neutral_terms=neutral, spans=seg)
    comments = comments.pipe(sentiment.score, neutral_terms=neutral, spans=seg)
    civ_spans = civility.spans(comments)
    comments = comments.pipe(civility.score, spans=civ_spans)
    frame_spans = framing.spans(comments, lexicons=lexicons)
    comments = framing.score(comments, spans=frame_spans, lexicons=lexicons)
    posts = corpus.threads.assign(comment_id="")
    post_frames = framing.spans(posts, lexicons=lexicons)
    post_spans = [segment.spans(posts), civility.spans(posts), post_frames]
    parts = [t for t in [seg[seg["kind"] != "sentence"], sent_spans, civ_spans, frame_spans, *post_spans] if len(t)]
    spans = (pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(SPAN_COLUMNS)))
    extras = dict(corpus.extras)
    if topics != "none":
        from . import topics as topic_models

        # The posts help a small thread's vocabulary; fit_topics ignores them from 1,000 comments on.
        context = [p for text in corpus.threads["text"] for p in str(text).split("\n") if p.strip()]
        fitted = topic_models.fit_topics(comments, n_topics=topics, context=context)
        comments = topic_models.assign(comments, topics=fitted)
        extras["topics"] = fitted
    threads = corpus.threads
    if classroom:
        comments, threads, spans = civility.mask(comments), civility.mask(threads), civility.mask(spans)
    if corpus.spans is not None and len(corpus.spans):
        spans = pd.concat([corpus.spans, spans], ignore_index=True)
    extras["frame_debate"] = framing.debate(comments, pd.concat([post_frames, frame_spans], ignore_index=True),
                                            lexicons=lexicons)
    extras["frame_uptake"] = framing.uptake(comments, frame_spans, lexicons=lexicons)
    extras["escalation"] = {by: sentiment.escalation(comments, by=by) for by in ("thread", "speaker", "exchange")}
    return corpus.replace(comments=comments, threads=threads, spans=spans, extras=extras)
