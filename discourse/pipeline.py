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

from ._perf import collector_paused as _collector_paused
from .errors import SchemaError

__all__ = ["analyze", "analyze_comments", "analyze_links", "analyze_stored", "warm_up"]

_INFER = ("auto", "always", "never")
_ORDERS = ("display", "chronological")
_STAGES = ("all", "comments", "links")


def warm_up() -> None:
    """Build what the per-thread stages cache: their imports, the VADER analyser, lexicons, matchers.

    Worker processes call it once when they start, so each holds one analyser. A parent
    that forks its workers calls it first (:func:`discourse.parallel.executor`), so they
    inherit all of it built instead of each paying for it (about 1.5 s of CPU, most of
    it importing pandas and building the matchers); a second call does nothing.

    Examples
    --------
    >>> warm_up()
    """
    global _WARM
    if _WARM:
        return
    import warnings

    import pandas as pd

    from . import sentiment

    sentiment.analyzer()
    # One short thread through every stage: each imports and compiles what it caches.
    text = 'Sorry, Ellen, but "this is a war" on public schools: see www.example.org. LikeLike'
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analyze_comments(pd.DataFrame({"thread_id": ["t", "t"], "comment_id": ["1", "2"], "parent_id": ["", ""],
                                       "author": ["", ""], "text": [text, "You idiot, we must fight back!"]}))
    _WARM = True


_WARM = False


def check_options(*, infer_replies: str = "auto", order: str = "display", jobs: int = 1, stages: str = "all",
                  topics="auto") -> None:
    """Raise :class:`SchemaError` for an option value :func:`analyze` does not accept.

    Checked before any work, so a mistyped option fails at once, not after the per-thread
    stages have run over the whole corpus.

    Examples
    --------
    >>> check_options(topics="none")
    >>> check_options(topics="five")
    Traceback (most recent call last):
    ...
    discourse.errors.SchemaError: topics must be a number of topics (an int of 1 or more), 'auto' or 'none'; got 'five'.
    """
    import numbers

    if not (topics is None or (isinstance(topics, str) and topics in ("auto", "none"))
            or (isinstance(topics, numbers.Integral) and not isinstance(topics, bool) and topics >= 1)):
        raise SchemaError(f"topics must be a number of topics (an int of 1 or more), 'auto' or 'none'; got {topics!r}.")
    if stages not in _STAGES:
        raise SchemaError(f"stages must be one of {list(_STAGES)}; got {stages!r}.")
    if infer_replies not in _INFER:
        raise SchemaError(f"infer_replies must be one of {list(_INFER)}; got {infer_replies!r}.")
    if order not in _ORDERS:
        raise SchemaError(f"order must be one of {list(_ORDERS)}; got {order!r}.")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise SchemaError(f"jobs must be an int in the range [1, inf); got {jobs!r}.")


def analyze_comments(comments, threads=None, *, infer_replies: str = "auto", order: str = "display", frames=None,
                     post_spans: bool = True):
    """Run the per-thread stages over *comments*, a table of whole threads.

    Reply links and speakers, depth, the shared text spans (sentences, quotes, URLs,
    artifacts, addresses), sentiment (own words, raw, frame-neutral), civility and
    persuasion techniques, and frames, in that order.

    Parameters
    ----------
    comments : pandas.DataFrame
        Normalized comments (see :func:`discourse.model.normalize_comments`); every
        thread in it must be complete.
    threads : pandas.DataFrame, optional
        The posts of those threads: reply inference reads the post's author, and the span
        finders also read the post's ``text`` (spans with an empty ``comment_id``).
    infer_replies, order, frames
        As for :func:`analyze`.
    post_spans : bool, default True
        Also find the evidence spans in the posts' text (*threads*). The comments'
        columns do not depend on them.

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
    >>> out["sentiment_compound"].tolist(), sorted(set(spans["kind"]))
    ([0.6588], ['sentence'])
    """
    with _collector_paused():
        return _analyze_comments(comments, threads, infer_replies=infer_replies, order=order, frames=frames,
                                 post_spans=post_spans)


def analyze_links(comments, threads=None, *, infer_replies: str = "auto", order: str = "display", frames=None):
    """Run only the first per-thread stages over *comments*: reply links, speakers and depth.

    What a graph of who answers whom needs, without the text stages (sentences, sentiment,
    civility, frames) that :func:`analyze_comments` runs after them; the links, speakers and
    depths are the same as :func:`analyze_comments` finds.

    Parameters
    ----------
    comments, threads, infer_replies, order
        As for :func:`analyze_comments`.
    frames
        Ignored (accepted so both functions take the same options).

    Returns
    -------
    (pandas.DataFrame, None)
        The comments with the reply-link, speaker and ``depth`` columns; no spans.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"thread_id": ["t", "t"], "comment_id": ["1", "2"], "parent_id": ["", "1"],
    ...                   "text": ["Hi all.", "Hi!"]})
    >>> out, spans = analyze_links(c)
    >>> out["depth"].tolist(), spans is None
    ([1, 2], True)
    """
    from . import graph, replies

    with _collector_paused():
        out = (comments
               .pipe(replies.infer_replies, mode=infer_replies, order=order, threads=threads)
               .pipe(graph.add_depth))
    return out, None


#: framing.vocabulary per tuple of lexicons (keyed by identity; the lexicons are kept
#: alive with their entry, so an id is never reused while cached). Shipped and file
#: lexicons load as the same objects every time, and the vocabulary costs ~60 ms: too
#: much to pay again for every chunk of threads.
_VOCABULARY: dict = {}


def _vocabulary(framing, lexicons) -> tuple:
    key = tuple(map(id, lexicons))
    hit = _VOCABULARY.get(key)
    if hit is None:
        if len(_VOCABULARY) >= 8:
            _VOCABULARY.clear()
        hit = _VOCABULARY[key] = (lexicons, tuple(framing.vocabulary(lexicons)))
    return hit[1]


def _analyze_comments(comments, threads, *, infer_replies, order, frames, post_spans=True):
    import pandas as pd

    from . import civility, framing, graph, replies, segment, sentiment
    from .model import SPAN_COLUMNS

    out = (
        comments
        .pipe(replies.infer_replies, mode=infer_replies, order=order, threads=threads)
        .pipe(graph.add_depth)
    )
    # Shared text spans first, so the sentiment and civility stages do not find them
    # again. They read them row by row, as segment found them: the sentences (most of the
    # spans) never go into a table, since no stage's output holds them.
    segmented = segment._segment(out)
    by_key = segmented.by_key()
    # Spans are listed up to segment.SPAN_LIMIT of one kind and label per comment: civility
    # caps them as it finds them (its scores are the same from the capped spans), the other
    # tables are capped below once the scores that read them are computed, so no score
    # changes and a comment of megabytes does not hold millions of spans.
    left_out: dict = {}
    lexicons = framing.load_lexicons(extra=frames)
    # Frame vocabulary is neutralised for the frame-neutral score: tone, not topic.
    neutral = _vocabulary(framing, lexicons)
    seg = None
    if by_key is not None:
        sent_spans, out = sentiment._spans_and_score(out, neutral_terms=neutral, segmented=by_key)
        civ_spans = civility._spans_segmented(out, by_key, limit=segment.SPAN_LIMIT, left_out=left_out)
    else:  # two comments share a key: their spans go through a table, as the stages' own arguments
        seg = segmented.table()
        sent_spans = sentiment.spans(out, neutral_terms=neutral, spans=seg)
        out = out.pipe(sentiment.score, neutral_terms=neutral, spans=seg)
        civ_spans = civility.spans(out, spans=seg)
    # The spans of every row are let go here: what the output keeps of them is this table.
    seg_spans = segmented.table(sentences=False)
    segmented = by_key = seg = None

    def capped(table):
        table, more = segment.cap_spans(table, limit=segment.SPAN_LIMIT)
        left_out.update(more)
        return table

    seg_spans, sent_spans = capped(seg_spans), capped(sent_spans)
    out = out.pipe(civility.score, spans=civ_spans)
    civ_spans = capped(civ_spans)
    frame_spans = framing.spans(out, lexicons=lexicons)
    out = framing.score(out, spans=frame_spans, lexicons=lexicons)
    parts = [seg_spans, sent_spans, civ_spans, capped(frame_spans)]
    frame_spans = None
    if post_spans and threads is not None and len(threads):
        posts = threads.assign(comment_id="")
        post_segmented = segment._segment(posts)
        post_keys = post_segmented.by_key()
        post_civ = (civility._spans_segmented(posts, post_keys, limit=segment.SPAN_LIMIT, left_out=left_out)
                    if post_keys is not None
                    else civility.spans(posts, spans=post_segmented.table()))
        parts += [capped(post_segmented.table(sentences=False)), capped(post_civ),
                  capped(framing.spans(posts, lexicons=lexicons))]
    parts = [p for p in parts if len(p)]
    spans = pd.concat(parts, ignore_index=True)[list(SPAN_COLUMNS)] if parts else segment.span_table([])
    if left_out:
        import warnings

        from .errors import DiscourseWarning

        warnings.warn(segment.capped_note(left_out), DiscourseWarning, stacklevel=3)
    return out, spans


def analyze(corpus, *, infer_replies: str = "auto", order: str = "display", topics="auto", jobs: int = 1,
            classroom: bool = False, frames=None, progress: bool | None = None, stages: str = "all"):
    """Run the analysis stages over *corpus* and return a new corpus.

    Parameters
    ----------
    corpus : Corpus
        From :func:`discourse.read`.
    infer_replies : {"auto", "always", "never"}, default "auto"
        Infer reply links only where the source has none (auto), always, or never.
    order : {"display", "chronological"}, default "display"
        How the source listed its comments; constrains which earlier comment a reply can answer.
    topics : int, "auto", "none" or None, default "auto"
        Number of topics, chosen automatically, or no topic model. The fitted
        :class:`~discourse.topics.Topics` is kept in ``extras["topics"]``; ``none`` adds
        no topic columns.
    jobs : int, default 1
        Worker processes for the per-thread stages; any value gives the same result.
    classroom : bool, default False
        Mask profanity in every output (texts, spans, explanations) with asterisks of the
        same length, so offsets stay true (see :func:`discourse.civility.mask`).
    frames : path, str or list, optional
        Frame lexicon files (or shipped names) added to the default frame lexicons
        (``--frames FILE``); see :func:`discourse.framing.load_lexicons`.

    progress : bool, optional
        Draw a progress bar (see :mod:`discourse.progress`; quiet unless asked).
    stages : {"all", "comments", "links"}, default "all"
        How much to run. ``"comments"`` fills the comments table's columns (the same
        values as ``"all"``) with the spans of the comments only, and skips what only a
        report reads: the posts' spans, the frame debate and uptake, and escalation.
        ``"links"`` runs only reply links, speakers and depth (no text stages, no topics,
        no spans). ``discourse graph`` uses them: a reply graph carries the comments'
        columns, an interaction graph only who answers whom.

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

    from .model import as_corpus
    from .parallel import map_threads

    check_options(infer_replies=infer_replies, order=order, jobs=jobs, stages=stages, topics=topics)
    corpus = as_corpus(corpus, caller="analyze")
    if stages == "links":
        comments, _ = map_threads(analyze_links, corpus.comments, corpus.threads, jobs=jobs, progress=progress,
                                  infer_replies=infer_replies, order=order)
        threads = corpus.threads
        if classroom:
            from . import civility

            comments, threads = civility.mask(comments), civility.mask(threads)
        return corpus.replace(comments=comments, threads=threads)
    options = {"post_spans": False} if stages == "comments" else {}
    comments, spans = map_threads(analyze_comments, corpus.comments, corpus.threads, jobs=jobs, progress=progress,
                                  infer_replies=infer_replies, order=order, frames=frames, **options)
    out = _corpus_stages(corpus, comments, spans, topics=topics, frames=frames, classroom=classroom,
                         report=stages == "all")
    if corpus.spans is not None and len(corpus.spans):
        out = out.replace(spans=pd.concat([corpus.spans, out.spans], ignore_index=True))
    return out


def _corpus_stages(corpus, comments, spans, *, topics, frames, classroom, stored_topics=None, report=True):
    """The corpus-level stages over per-thread results: topics, frame debate and uptake, escalation.

    Without *report*, only topics: the frame debate and uptake and escalation are extras a
    report reads, not columns of the comments.
    """
    import pandas as pd

    from . import civility, framing, sentiment

    extras = dict(corpus.extras)
    if stored_topics is not None:
        extras["topics"] = stored_topics
    elif topics is not None and topics != "none":
        from . import topics as topic_models

        # The posts help a small thread's vocabulary; fit_topics ignores them from 1,000 comments on.
        context = [p for text in corpus.threads["text"] for p in str(text).split("\n") if p.strip()]
        fitted = topic_models.fit_topics(comments, n_topics=topics, context=context)
        comments = topic_models.assign(comments, topics=fitted)
        extras["topics"] = fitted
    if not report:
        threads = corpus.threads
        if classroom:
            comments, threads, spans = civility.mask(comments), civility.mask(threads), civility.mask(spans)
        return corpus.replace(comments=comments, threads=threads, spans=spans, extras=extras)
    lexicons = framing.load_lexicons(extra=frames)
    frame_spans = spans[spans["kind"] == "frame"] if spans is not None and len(spans) else pd.DataFrame(columns=spans.columns)
    extras["frame_debate"] = framing.debate(comments, frame_spans.reset_index(drop=True), lexicons=lexicons)
    extras["frame_uptake"] = framing.uptake(comments, frame_spans[frame_spans["comment_id"] != ""].reset_index(drop=True),
                                            lexicons=lexicons)
    extras["escalation"] = sentiment.escalation(comments, by=["thread", "speaker", "exchange"])
    threads = corpus.threads
    if classroom:
        comments, threads, spans = civility.mask(comments), civility.mask(threads), civility.mask(spans)
    return corpus.replace(comments=comments, threads=threads, spans=spans, extras=extras)


def analyze_stored(path, *, topics="auto", classroom: bool = False, progress: bool | None = None):
    """Read an analysed Parquet corpus and add the corpus-level stages, without analysing it again.

    ``discourse analyze INPUT -o DIR/`` runs the per-thread stages partition by partition,
    and its topic model on a sample (:func:`discourse.store.add_topics`). This reads the
    result into memory and runs only what needs the whole corpus: the frame debate and
    uptake, and escalation. Topics come from the corpus: the stored ``topic_id`` columns
    and the model's summary (a :class:`~discourse.topics.TopicSummary`), so a report on
    ``DIR/`` shows the topics the corpus holds. A corpus written without topics gets a
    model fitted here, unless *topics* is ``"none"``.

    Parameters
    ----------
    path : str or path-like
        A directory written by :func:`discourse.store.analyze`.
    topics : int, "auto" or "none", default "auto"
        Used only when the corpus holds no topics; ``"none"`` also hides stored ones.
    classroom : bool, default False
        Mask profanity, as :func:`analyze` does.
    progress : bool, optional
        Draw a progress bar while reading.

    Returns
    -------
    Corpus
        What :func:`analyze` returns for the same input and options.

    Raises
    ------
    SchemaError
        When *path* is a Parquet corpus that was not analysed (``discourse ingest`` wrote
        it); analyse it with ``discourse analyze DIR -o NEW_DIR/`` or :func:`analyze`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from discourse import store
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "c.jsonl").write_text('{"comment_id": "1", "text": "I love it."}\\n')
    >>> out = store.analyze(d / "c.jsonl", d / "corpus")
    >>> analyze_stored(out, topics="none").comments["sentiment_compound"].tolist()
    [0.6369]
    """
    import os

    from . import store
    from .topics import TOPIC_COLUMNS, TopicSummary

    manifest = store.read_manifest(path)
    if not manifest.get("analysed"):
        raise SchemaError(f"{os.fspath(path)!r} is a Parquet corpus that was not analysed (discourse ingest wrote it). "
                          "Analyse it first: `discourse analyze DIR -o NEW_DIR/`, or call discourse.analyze on "
                          "store.read_corpus(DIR).")
    corpus = store.read_corpus(path, progress=progress)
    options = manifest.get("options") or {}
    comments, spans = corpus.comments, corpus.spans
    summary = (manifest.get("topics") or {}).get("summary")
    has_topics = set(TOPIC_COLUMNS) <= set(comments.columns)
    stored = None
    if topics == "none" or not (has_topics and summary):
        comments = comments.drop(columns=[c for c in TOPIC_COLUMNS if c in comments.columns])
    else:
        stored = TopicSummary(summary)
    base = corpus.replace(spans=None)
    return _corpus_stages(base, comments, spans if spans is not None else _empty_spans(), topics=topics,
                          frames=options.get("frames"), classroom=classroom, stored_topics=stored)


def _empty_spans():
    from . import segment

    return segment.span_table([])


def stored_options_match(path, *, infer_replies: str = "auto", order: str = "display", frames=None) -> bool:
    """Whether the analysed Parquet corpus at *path* was analysed with these options.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from discourse import store
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "c.jsonl").write_text('{"comment_id": "1", "text": "Hi."}\\n')
    >>> out = store.analyze(d / "c.jsonl", d / "corpus")
    >>> stored_options_match(out), stored_options_match(out, order="chronological")
    (True, False)
    """
    from . import store

    manifest = store.read_manifest(path)
    wanted = store.analysis_options(infer_replies=infer_replies, order=order, frames=frames)
    return bool(manifest.get("analysed")) and (manifest.get("options") or {}) == wanted
