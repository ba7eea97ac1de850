"""Replies: reply links and speakers for threads whose source lost them.

A reply link joins a comment to the comment it answers (its parent); the post is the
root, and a comment with an empty ``parent_id`` answers the post. Links the source gave
are *explicit* and kept as they are. Where the source has none (a scraped page, a flat
chat log), this stage fills ``parent_id`` with an *inferred* link, a
``parent_confidence`` between 0 and 1, and a ``parent_evidence`` sentence a person can
check.

This first version attaches every comment without an explicit link to the post with
confidence 0: the honest answer when no cue has been weighed yet.
"""

from __future__ import annotations

import pandas as pd

from .errors import SchemaError
from .model import require_columns

__all__ = ["infer_replies"]

_MODES = ("auto", "always", "never")
_ORDERS = ("display", "chronological")


def infer_replies(comments: pd.DataFrame, *, mode: str = "auto", order: str = "display",
                  id_col: str = "comment_id", parent_col: str = "parent_id", text_col: str = "text") -> pd.DataFrame:
    """Fill reply links where the source has none.

    Parameters
    ----------
    comments : pandas.DataFrame
        A comments table with ``thread_id``, *id_col*, *parent_col* and *text_col*.
    mode : {"auto", "always", "never"}, default "auto"
        ``auto`` infers only for threads with no explicit link; ``always`` replaces
        every link; ``never`` leaves links as they are (missing ones answer the post).
    order : {"display", "chronological"}, default "display"
        How the source listed the comments (see the module docstring).

    Returns
    -------
    pandas.DataFrame
        A copy with ``parent_id``, ``parent_source``, ``parent_confidence`` and
        ``parent_evidence`` filled.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"thread_id": ["t", "t"], "comment_id": ["c1", "c2"], "parent_id": ["", ""],
    ...                    "text": ["First.", "Second."]})
    >>> infer_replies(df)[["parent_id", "parent_source", "parent_confidence"]].values.tolist()
    [['', 'inferred', 0.0], ['', 'inferred', 0.0]]
    """
    if mode not in _MODES:
        raise SchemaError(f"mode must be one of {list(_MODES)}; got {mode!r}.")
    if order not in _ORDERS:
        raise SchemaError(f"order must be one of {list(_ORDERS)}; got {order!r}.")
    require_columns(comments, ["thread_id", id_col, parent_col, text_col], caller="infer_replies")
    out = comments.copy()
    for col, default in (("parent_source", ""), ("parent_evidence", "")):
        if col not in out.columns:
            out[col] = default
    if "parent_confidence" not in out.columns:
        out["parent_confidence"] = float("nan")
    if mode == "never":
        missing = out["parent_source"].isin(["", None]) | out["parent_source"].isna()
        out.loc[missing, "parent_source"] = "inferred"
        out.loc[missing, "parent_confidence"] = 0.0
        out.loc[missing, "parent_evidence"] = "no link in the source and inference is off: answers the post"
        return out
    has_link = out.groupby("thread_id", sort=False)[parent_col].transform(lambda s: (s != "").any())
    explicit = out["parent_source"] == "explicit"
    target = ~has_link if mode == "auto" else pd.Series(True, index=out.index)
    target &= ~(explicit & (mode == "auto"))
    out.loc[target, parent_col] = ""
    out.loc[target, "parent_source"] = "inferred"
    out.loc[target, "parent_confidence"] = 0.0
    out.loc[target, "parent_evidence"] = "no reply cue weighed yet: attached to the post"
    return out
