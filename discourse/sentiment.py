"""Sentiment: VADER scores per comment.

VADER (Hutto and Gilbert, 2014) is a lexicon and rule-based scorer tuned on social-media
text. Its ``compound`` score runs from -1 (most negative) to +1 (most positive).

This first version scores each comment's whole text; ``sentiment_compound`` and
``sentiment_frame_neutral_compound`` equal ``sentiment_raw_compound`` until quote-aware
and frame-neutral scoring land.
"""

from __future__ import annotations

import functools

import pandas as pd

from .model import require_columns

__all__ = ["analyzer", "score"]


@functools.lru_cache(maxsize=1)
def analyzer():
    """The process-wide VADER analyser (its constructor re-reads the lexicon every time)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def score(comments: pd.DataFrame, *, text_col: str = "text") -> pd.DataFrame:
    """Add VADER sentiment columns.

    Parameters
    ----------
    comments : pandas.DataFrame
        Needs *text_col*.
    text_col : str, default "text"

    Returns
    -------
    pandas.DataFrame
        A copy with ``sentiment_compound``, ``sentiment_raw_compound`` and
        ``sentiment_frame_neutral_compound``.

    Examples
    --------
    >>> import pandas as pd
    >>> score(pd.DataFrame({"text": ["I love it.", "I hate it."]}))["sentiment_compound"].round(2).tolist()
    [0.64, -0.57]
    """
    require_columns(comments, [text_col], caller="sentiment.score")
    vader = analyzer()
    raw = [vader.polarity_scores(t)["compound"] if t else 0.0 for t in comments[text_col]]
    return comments.assign(
        sentiment_compound=pd.Series(raw, index=comments.index, dtype="float64"),
        sentiment_raw_compound=pd.Series(raw, index=comments.index, dtype="float64"),
        sentiment_frame_neutral_compound=pd.Series(raw, index=comments.index, dtype="float64"),
    )
