"""Column names of other tools' comment tables, read as the contract's.

A CSV, JSON Lines or Parquet table from a scraper, a Pushshift dump or a platform export
seldom names its columns as discourse does. Where a contract column is missing and the
table has exactly one column of a well-known other name (case and spaces ignored), that
column is read as the contract's: ``body`` as ``text``, ``link_id`` as ``thread_id``,
``created_utc`` as ``created_at``, ``by`` as ``author``, and so on (:data:`ALIASES`). The
ingest report names every column read this way.

A table with Reddit's ``parent_id`` and ``link_id`` or ``subreddit`` is read as Reddit writes them: the
``t1_``/``t3_`` type prefixes are removed, and a parent ``t3_<post>`` (the submission)
means the comment answers the post.
"""

from __future__ import annotations

import re

from ..errors import SchemaError

__all__ = ["ALIASES", "contract_names", "explain", "note", "to_contract"]

#: For each contract column, the other names it goes by, most specific first.
ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("body", "comment_text", "comment_body", "comment", "message", "content", "text_content"),
    "comment_id": ("id", "cid", "commentid", "comment_key", "message_id"),
    "parent_id": ("parent", "parentid", "parent_comment_id", "in_reply_to", "in_reply_to_id", "reply_to",
                  "reply_to_id"),
    "thread_id": ("link_id", "thread", "post_id", "submission_id", "story_id", "article_id", "conversation_id",
                  "discussion_id", "video_id"),
    "author": ("by", "user", "username", "user_name", "author_name", "screen_name", "commenter"),
    "created_at": ("created_utc", "timestamp", "created", "time", "date", "datetime", "created_time",
                   "published_at", "posted_at"),
}

_FULLNAME = re.compile(r"t[0-9]_")
_ORDER = {name: k for k, name in enumerate(ALIASES)}


def _key(name) -> str:
    return str(name).strip().lower().replace(" ", "_").replace("-", "_")


def contract_names(columns) -> tuple[dict, bool]:
    """Which of *columns* to read as contract columns, and whether the table is Reddit's.

    Returns ``({column: contract column}, reddit)``; a contract column the table already
    has is never replaced.

    Raises
    ------
    SchemaError
        When two columns could each be the same missing contract column.

    Examples
    --------
    >>> contract_names(["id", "parent_id", "link_id", "author", "created_utc", "body", "score"])
    ({'body': 'text', 'id': 'comment_id', 'link_id': 'thread_id', 'created_utc': 'created_at'}, True)
    >>> contract_names(["comment_id", "text"])
    ({}, False)
    """
    present = {_key(c): c for c in columns}
    have = {_key(c) for c in columns}
    renames: dict = {}
    for target, names in ALIASES.items():
        if target in have:
            # "Comment ID" or "Text" is the contract's column, spelt another way.
            if target not in columns:
                renames[present[target]] = target
            continue
        found = [present[n] for n in names if n in present]
        if len(found) > 1:
            shown = " and ".join(repr(str(c)) for c in found)
            raise SchemaError(f"the table has no '{target}' column, and {shown} could each be it; rename the one "
                              f"that holds the {target.replace('_', ' ')} to '{target}'.")
        if found:
            renames[found[0]] = target
    reddit = "parent_id" in have and ("link_id" in have or "subreddit" in have)
    return renames, reddit


def to_contract(df, renames: dict, reddit: bool):
    """*df* with the columns of :func:`contract_names` renamed, and Reddit's ids read.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": ["a", "b"], "parent_id": ["t3_p", "t1_a"], "link_id": ["t3_p", "t3_p"],
    ...                    "body": ["Hi", "Hey"]})
    >>> to_contract(df, *contract_names(df.columns))[["comment_id", "parent_id", "thread_id"]].values.tolist()
    [['a', '', 'p'], ['b', 'a', 'p']]
    """
    if renames:
        df = df.rename(columns=renames)
    if reddit:
        def strip(v):
            return v[3:] if isinstance(v, str) and _FULLNAME.match(v) else v

        def parent(v):
            return "" if isinstance(v, str) and v.startswith("t3_") else strip(v)

        fixed = {"parent_id": df["parent_id"].map(parent)}
        for col in ("thread_id", "comment_id"):
            if col in df.columns:
                fixed[col] = df[col].map(strip)
        df = df.assign(**fixed)
    return df


def note(renames: dict, reddit: bool) -> list[str]:
    """The ingest report's note on the columns read under other names.

    >>> note({"body": "text"}, False)
    ['columns read as the contract names them: body -> text']
    """
    out = []
    if renames:
        out.append("columns read as the contract names them: "
                   + ", ".join(f"{a} -> {b}" for a, b in sorted(renames.items(), key=lambda kv: _ORDER[kv[1]])))
    if reddit:
        out.append("Reddit ids read: t1_/t3_ prefixes removed, a t3_ parent (the submission) answers the post")
    return out


def explain(err, renames: dict):
    """*err* (a SchemaError about a contract column), saying which of the table's columns it was read from.

    >>> from discourse.errors import SchemaError
    >>> str(explain(SchemaError("t.csv: created_at must hold ISO 8601 times."), {"time": "created_at"}))
    "t.csv: created_at must hold ISO 8601 times. The table's column 'time' was read as created_at; convert it to that form, or rename it (e.g. to 'time_text') to keep it as an extra column."
    """
    from ..errors import SchemaError

    from ..model import TIME_FIX

    msg = str(err).removesuffix(TIME_FIX)  # the advice below is more precise
    for source, target in renames.items():
        if re.search(rf"(?<![\w']){target}(?![\w'])", msg):
            return SchemaError(f"{msg} The table's column '{source}' was read as {target}; convert it to that form, "
                               f"or rename it (e.g. to '{source}_text') to keep it as an extra column.")
    return err
