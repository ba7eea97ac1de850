"""The data model: a :class:`Corpus` of threads and comments, its schema and validation.

Terms used across discourse:

thread
    A post and the comments under it, named by ``thread_id``.
root
    The post. A comment whose ``parent_id`` is empty replies to the root.
reply link
    A comment -> the comment it answers. *Explicit* when the source said so,
    *inferred* when discourse reconstructed it from cues in the text.
orphan
    A comment whose parent is not in the data. It is kept, attached to the root,
    counted in the ingest report and warned about.
position
    The order the source listed comments in (display order), 0-based per thread.
depth
    1 for a reply to the root, the parent's depth + 1 otherwise.
speaker
    The author: explicit, inferred (from cues such as "Sorry, Ellen"), or unknown.

The two tables are the only truth; :attr:`Corpus.graph` is derived from them. Text is
never rewritten: every derived thing (a quote, a frame term, a sentence) is a span with
character offsets into ``text``.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import warnings
from collections import Counter
from typing import Iterable

import pandas as pd

from .errors import DiscourseWarning, SchemaError, ThreadStructureError

__all__ = [
    "COMMENT_COLUMNS",
    "CONTRACT_DTYPES",
    "Corpus",
    "IngestReport",
    "PIECE_COLUMNS",
    "SPAN_COLUMNS",
    "THREAD_COLUMNS",
    "contract_dtypes",
    "duplicate_note",
    "normalize_comments",
    "normalize_threads",
    "repair_links",
    "require_columns",
    "require_corpus",
]

#: Columns of ``Corpus.threads``: one row per thread, the post.
THREAD_COLUMNS = (
    "thread_id",
    "title",
    "author",
    "created_at",
    "url",
    "text",
    "source_format",
    "source_path",
)

#: Columns every reader gives ``Corpus.comments``; analysis stages add more.
COMMENT_COLUMNS = (
    "thread_id",
    "comment_id",
    "parent_id",
    "author",
    "created_at",
    "text",
    "position",
    "depth",
    "parent_source",
    "parent_confidence",
    "parent_evidence",
    "author_source",
)

#: Columns of the spans table (``Corpus.spans``, ``discourse analyze --spans``). ``kind`` is one of
#: quote, url, address, frame, technique, incivility, sentence, artifact (widget buttons and quote
#: delimiters left inside a text: see ``discourse.segment``); ``sense`` is metaphorical,
#: literal or meta for frame terms. Offsets index the ``text`` of the row's comment (or of
#: the post when ``comment_id`` is empty).
SPAN_COLUMNS = ("thread_id", "comment_id", "kind", "label", "start", "end", "text", "sense", "explanation")

#: Columns of ``Corpus.pieces``: every character of a scraped page, in page order.
PIECE_COLUMNS = ("thread_id", "kind", "comment_id", "label", "start", "end", "text")

_STRING_COMMENT_COLUMNS = (
    "thread_id",
    "comment_id",
    "parent_id",
    "author",
    "text",
    "parent_source",
    "parent_evidence",
    "author_source",
)


def require_columns(df: pd.DataFrame, columns: Iterable[str], *, caller: str, where: str = "") -> None:
    """Raise :class:`SchemaError` unless every column in *columns* is in *df*.

    Parameters
    ----------
    df : pandas.DataFrame
        The table to check.
    columns : iterable of str
        The column names that must be present.
    caller : str
        The public function doing the check, named in the message.
    where : str, optional
        Where the table came from (a file name), named in the message.

    Raises
    ------
    SchemaError
        Naming the missing columns and the columns that are there.

    Examples
    --------
    >>> import pandas as pd
    >>> require_columns(pd.DataFrame({"text": ["hi"]}), ["text"], caller="score")
    >>> require_columns(pd.DataFrame({"body": ["hi"]}), ["text"], caller="score")
    Traceback (most recent call last):
    ...
    discourse.errors.SchemaError: score needs column 'text'; got columns ['body']. Rename the column or pass text_col=... to name yours.
    """
    if not isinstance(df, pd.DataFrame):
        raise SchemaError(f"{caller} needs a pandas DataFrame; got {type(df).__name__}. {_frame_hint(df)}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        plural = "s" if len(missing) > 1 else ""
        prefix = f"{where}: " if where else ""
        options = [_COLUMN_OPTIONS[c] for c in missing if c in _COLUMN_OPTIONS]
        how = f" or pass {', '.join(o + '=...' for o in options)} to name yours" if options else ""
        # A name outside the contract came from a *_col option the caller passed.
        check = "" if len(options) == len(missing) else "Check the *_col option you passed, or "
        rename = f"rename the column{plural}" if check else f"Rename the column{plural}"
        raise SchemaError(
            f"{prefix}{caller} needs column{plural} {names}; got columns {list(map(str, df.columns))}. "
            f"{check}{rename}{how}."
        )


def require_corpus(obj, *, caller: str) -> None:
    """Raise :class:`SchemaError` unless *obj* is a :class:`Corpus`.

    Examples
    --------
    >>> import pandas as pd
    >>> require_corpus(pd.DataFrame({"text": ["hi"]}), caller="analyze")
    Traceback (most recent call last):
    ...
    discourse.errors.SchemaError: analyze needs a discourse Corpus; got DataFrame. Build one with discourse.Corpus.from_frames(comments) or discourse.read(path).
    """
    if not isinstance(obj, Corpus):
        raise SchemaError(f"{caller} needs a discourse Corpus; got {type(obj).__name__}. Build one with "
                          "discourse.Corpus.from_frames(comments) or discourse.read(path).")


# The keyword each stage takes to name a contract column that the table calls otherwise
# (the networkx from_pandas_edgelist convention, STYLE.md section 1).
_COLUMN_OPTIONS = {"text": "text_col", "comment_id": "id_col", "parent_id": "parent_col",
                   "thread_id": "thread_col", "author": "author_col"}


def _frame_hint(obj) -> str:
    """How to get a DataFrame from the thing a notebook passed instead."""
    if isinstance(obj, pd.Series):
        return ("Pass the whole comments table (e.g. corpus.comments), or "
                "series.to_frame('text') for a column of texts.")
    if hasattr(obj, "comments") and hasattr(obj, "threads"):
        return "Pass its comments table: corpus.comments."
    return "Read a file with discourse.read(path), or build a table with pandas.DataFrame(...)."


def _as_text(series: pd.Series) -> pd.Series:
    """Strings with missing values as ``""`` (ids and text are always strings)."""
    values = series.to_numpy(dtype=object)
    # Walk the values once, by hand: pandas' where/map would infer a string dtype and copy
    # every text twice, which a large export cannot afford.
    if pd.api.types.infer_dtype(values, skipna=False) != "string":
        values = values.copy()
        for i, v in enumerate(values):
            if not isinstance(v, str):
                values[i] = "" if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v) else _id_to_str(v)
    return pd.Series(values, index=series.index, dtype=object)


def _id_to_str(value) -> str:
    # A CSV reader turns the id "7" into 7.0 when the column also holds blanks;
    # write integral floats back as the integer they were.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_utc(series: pd.Series, *, where: str = "", ids=None) -> pd.Series:
    """Parse timestamps to UTC; naive times are taken as UTC, unparseable ones fail.

    The error names *where* (the file) and, given *ids* (aligned with *series*), the
    comments whose times could not be read, since row numbers mean little after chunking.
    """
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return series.dt.tz_convert("UTC")
    values = series.astype(object).where(series.notna() & (series.astype(str) != ""), None)
    if values.isna().all():
        return pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns, UTC]")
    fast = _as_utc_iso(values)
    if fast is not None:
        _warn_mixed_zones(values, where)
        return fast
    numeric = pd.to_numeric(values, errors="coerce")
    if numeric.notna().sum() == values.notna().sum():
        # Unix epoch seconds (Reddit, Hacker News).
        return pd.to_datetime(numeric, unit="s", utc=True)
    try:
        parsed = pd.to_datetime(values, utc=True, format="mixed")
    except (ValueError, TypeError) as err:
        bad = []
        for i, v in values.items():
            if v is None:
                continue
            try:
                pd.to_datetime(v, utc=True)
            except (ValueError, TypeError):
                bad.append((i, v))
                if len(bad) == 3:
                    break
        at = (f"comments {[ids[i] for i, _ in bad]}" if ids is not None else f"rows {[i for i, _ in bad]}")
        raise SchemaError(
            f"{where + ': ' if where else ''}created_at must hold ISO 8601 times (e.g. 2017-06-20T15:15:00Z); "
            f"could not parse {[v for _, v in bad]!r} in {at}.{TIME_FIX}"
        ) from err
    _warn_mixed_zones(values, where)
    return parsed


def _warn_mixed_zones(values: pd.Series, where: str) -> None:
    """Warn when some of *values* (time strings) carry a zone and others do not.

    The zone-less ones may be local times, and reading them as UTC shifts them silently.
    """
    present = values.dropna().tolist()
    if all(v.__class__ is str for v in present):
        given = [v.strip() for v in present]
    else:
        given = values.dropna().astype(str).str.strip().tolist()
    # A zone ends the time and is at most six characters long ("+02:00"): only the tail is
    # searched (the whole string, at every position, took ten times as long).
    search = _ZONE_SEARCH
    n_zoned = sum(search(t, len(t) - 6 if len(t) > 6 else 0) is not None for t in given)
    if 0 < n_zoned < len(given):
        k = len(given) - n_zoned
        warnings.warn(f"{where + ': ' if where else ''}{k} of {len(given)} created_at times have no time zone while "
                      f"the others do; they were read as UTC. If they are local times, add their zone (e.g. "
                      f"2017-06-20T15:15:00+02:00).", DiscourseWarning, stacklevel=3)


_ZONE = r"(?:[zZ]|[+-]\d\d:?\d\d|\s?(?:UTC|GMT))$"
_ZONE_SEARCH = re.compile(_ZONE).search


#: How to fix unparseable times (ingest replaces it with advice about the column read as created_at).
TIME_FIX = " Correct those times, or leave the cells empty (a comment may have no time)."


def _as_utc_iso(values: pd.Series) -> pd.Series | None:
    """What :func:`_as_utc` gives *values* (strings and None, not all None), when all are ISO 8601 times; else None.

    pandas' ISO 8601 parser reads a column in one pass; ``format="mixed"`` reads value by
    value (13 times slower on 25k generated times) with the same parser first, so where the one-pass parse
    succeeds the two agree. A column whose first time reads as a number is left to
    :func:`_as_utc`, where epoch seconds come before ISO 8601.
    """
    present = values[values.notna()]
    if present.map(type).ne(str).any() or pd.to_numeric(present.iloc[:1], errors="coerce").notna().all():
        return None
    try:
        return pd.to_datetime(values, utc=True, format="ISO8601")
    except (ValueError, TypeError):
        return None


def normalize_comments(df: pd.DataFrame, *, where: str = "", caller: str = "read", duplicates: str = "raise",
                       dropped: dict | None = None) -> pd.DataFrame:
    """Return *df* with every column of :data:`COMMENT_COLUMNS`, typed and filled.

    Ids, parents, authors and text become strings (missing = ``""``), ``created_at``
    becomes UTC, ``position`` is the listing order when absent, provenance columns get
    their defaults (``explicit`` links where a ``parent_id`` is given). Extra columns
    are kept after the standard ones. Duplicate ``(thread_id, comment_id)`` pairs raise.

    Parameters
    ----------
    df : pandas.DataFrame
        Needs ``comment_id`` and ``text``; ``thread_id`` defaults to ``"thread"``.
    where : str, optional
        The source, named in error messages.
    caller : str, optional
        The public function, named in error messages.
    duplicates : {"raise", "first"}, default "raise"
        What a repeated ``(thread_id, comment_id)`` does: raise, or keep the first row and
        drop the rest (readers count the dropped rows, see :func:`duplicate_note`).
    dropped : dict, optional
        With ``duplicates="first"``, filled with the rows dropped: ``"identical"`` (the same
        parent, author, time and text as the row kept), ``"conflicting"`` (some differ) and
        ``"examples"`` (up to three ``thread_id/comment_id`` of conflicting ones).

    Returns
    -------
    pandas.DataFrame
        A new frame with a fresh ``RangeIndex``.

    Raises
    ------
    SchemaError
        When ``comment_id`` or ``text`` is missing.
    ThreadStructureError
        When a comment id appears twice in one thread.

    Examples
    --------
    >>> import pandas as pd
    >>> df = normalize_comments(pd.DataFrame({"comment_id": [1, 2], "parent_id": [None, 1],
    ...                                       "text": ["Hi", "Hello"]}))
    >>> df[["thread_id", "comment_id", "parent_id", "position", "parent_source"]].to_dict("list")
    {'thread_id': ['thread', 'thread'], 'comment_id': ['1', '2'], 'parent_id': ['', '1'], 'position': [0, 1], 'parent_source': ['', 'explicit']}
    """
    require_columns(df, ["comment_id", "text"], caller=caller, where=where)
    out = df.copy()
    out.index = pd.RangeIndex(len(out))
    if "thread_id" not in out.columns:
        out["thread_id"] = "thread"
    for col in _STRING_COMMENT_COLUMNS:
        if col in out.columns:
            out[col] = _as_text(out[col])
        else:
            out[col] = pd.Series([""] * len(out), index=out.index, dtype=object)
    if (out["comment_id"] == "").any():
        rows = list(out.index[out["comment_id"] == ""][:5])
        raise SchemaError(
            f"{where + ': ' if where else ''}comment_id is empty in rows {rows}; every comment needs an id."
        )
    out["created_at"] = _as_utc(out["created_at"], where=where, ids=out["comment_id"]) if (
        "created_at" in out.columns) else pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns, UTC]")
    dup = out.duplicated(["thread_id", "comment_id"], keep="first")
    if dup.any() and duplicates == "first":
        if dropped is not None:
            dropped.update(_duplicate_kinds(out, dup))
        out = out.loc[~dup].reset_index(drop=True)
        df = df.loc[~dup.to_numpy()]
    elif dup.any():
        first = out.loc[dup, ["thread_id", "comment_id"]].head(3)
        pairs = ", ".join(f"{t}/{c}" for t, c in first.itertuples(index=False))
        raise ThreadStructureError(
            f"{where + ': ' if where else ''}duplicate comment ids ({_rows_repeat(int(dup.sum()))} an id "
            f"already used in their thread, e.g. {pairs}); give every comment a unique comment_id within its thread."
        )
    if "position" in df.columns and pd.to_numeric(df["position"], errors="coerce").notna().all() and len(df):
        out["position"] = pd.to_numeric(df["position"].to_numpy()).astype("int64")
    else:
        out["position"] = out.groupby("thread_id", sort=False).cumcount().astype("int64")
    given_source = out["parent_source"] != ""
    out.loc[~given_source & (out["parent_id"] != ""), "parent_source"] = "explicit"
    if "parent_confidence" in out.columns:
        conf = pd.to_numeric(out["parent_confidence"], errors="coerce")
    else:
        conf = pd.Series(float("nan"), index=out.index)
    conf = conf.where(conf.notna() | (out["parent_source"] != "explicit"), 1.0)
    out["parent_confidence"] = conf.astype("float64")
    if "depth" in out.columns:
        out["depth"] = pd.to_numeric(out["depth"], errors="coerce").astype("Int64")
    else:
        out["depth"] = pd.array([pd.NA] * len(out), dtype="Int64")
    no_src = out["author_source"] == ""
    out.loc[no_src & (out["author"] != ""), "author_source"] = "explicit"
    out.loc[no_src & (out["author"] == ""), "author_source"] = "unknown"
    extra = [c for c in out.columns if c not in COMMENT_COLUMNS]
    return contract_dtypes(out[list(COMMENT_COLUMNS) + extra])


def _duplicate_kinds(out: pd.DataFrame, dup: pd.Series) -> dict:
    """How many of the rows *dup* marks repeat the kept row exactly, and how many differ from it."""
    key = ["thread_id", "comment_id"]
    fields = ["parent_id", "author", "created_at", "text"]

    kept = out.loc[~dup, key + fields].drop_duplicates(key).set_index(key)
    repeats = out.loc[dup, key + fields]
    ref = kept.reindex(pd.MultiIndex.from_frame(repeats[key]))
    a, b = repeats[fields].to_numpy(dtype=object), ref[fields].to_numpy(dtype=object)
    same = ((a == b) | (pd.isna(a) & pd.isna(b))).all(axis=1)
    conflicting = repeats.loc[~same, key].drop_duplicates()
    return {"identical": int(same.sum()), "conflicting": int((~same).sum()),
            "examples": [f"{t}/{c}" for t, c in conflicting.head(3).itertuples(index=False)]}


def duplicate_note(dropped: dict) -> tuple[dict, str]:
    """The skip counts and the message for the duplicates :func:`normalize_comments` dropped.

    Every reader follows one rule: a record that repeats a comment id already read in its
    thread is skipped and the first kept. An exact repeat (same parent, author, time and
    text: a dump concatenated twice, a page saved twice) is skipped as ``duplicate id``;
    one whose content differs is skipped as ``conflicting duplicate id``, since it may be
    another comment that lost its own id. Both are counted and warned about.

    Examples
    --------
    >>> duplicate_note({"identical": 2, "conflicting": 1, "examples": ["t/7"]})[0]
    {'duplicate id': 2, 'conflicting duplicate id': 1}
    """
    skipped = {}
    if dropped.get("identical"):
        skipped["duplicate id"] = dropped["identical"]
    if dropped.get("conflicting"):
        skipped["conflicting duplicate id"] = dropped["conflicting"]
    n = sum(skipped.values())
    if not n:
        return {}, ""
    parts = []
    if dropped.get("identical"):
        parts.append(f"{dropped['identical']} exact repeat{'s' * (dropped['identical'] != 1)}")
    if dropped.get("conflicting"):
        k = dropped["conflicting"]
        parts.append(f"{k} with a different parent, author, time or text (e.g. {', '.join(dropped['examples'])})")
    message = (f"{_rows_repeat(n)} a comment id already read in {'its' if n == 1 else 'their'} thread: "
               f"{'; '.join(parts)}; the first of each id was kept and the repeats skipped")
    if dropped.get("conflicting"):
        message += ". If those are different comments, give each a unique comment_id within its thread"
    return skipped, message


#: The dtype of every column a reader returns, whatever the format: text as Python strings
#: (``object``; pandas' ``str`` would copy every text into Arrow), times as UTC nanoseconds.
CONTRACT_DTYPES = {
    **{c: "object" for c in (*_STRING_COMMENT_COLUMNS, *THREAD_COLUMNS) if c != "created_at"},
    "created_at": "datetime64[ns, UTC]",
    "position": "int64",
    "depth": "Int64",
    "parent_confidence": "float64",
}


def contract_dtypes(df: pd.DataFrame) -> pd.DataFrame:
    """*df* with the dtypes of :data:`CONTRACT_DTYPES`, and every other text column as ``object``.

    pandas 3 gives a column built from strings its ``str`` dtype, so without this a reader's
    tables would differ by format (and by whether a link was repaired). Columns already right
    are not copied.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"thread_id": ["t"], "created_at": pd.to_datetime(["2020-01-01"], utc=True).as_unit("us")})
    >>> contract_dtypes(df).dtypes.astype(str).tolist()
    ['object', 'datetime64[ns, UTC]']
    """
    changes = {}
    for col, dtype in df.dtypes.items():
        want = CONTRACT_DTYPES.get(col)
        if col == "created_at":
            if isinstance(dtype, pd.DatetimeTZDtype) and dtype.unit != "ns":
                changes[col] = df[col].dt.as_unit("ns")
        elif want == "object" or (want is None and isinstance(dtype, pd.StringDtype)):
            if dtype != object:
                values = df[col].astype(object)
                changes[col] = values.where(values.notna(), "") if want == "object" else values
    return df.assign(**changes) if changes else df


def normalize_threads(threads: pd.DataFrame | None, comments: pd.DataFrame) -> pd.DataFrame:
    """Return a threads table with a row for every thread the comments name.

    A thread with no row of its own (a comment export without posts) gets an empty
    post. Extra columns are kept.

    Examples
    --------
    >>> import pandas as pd
    >>> c = normalize_comments(pd.DataFrame({"thread_id": ["a"], "comment_id": ["1"], "text": ["x"]}))
    >>> normalize_threads(None, c)[["thread_id", "title", "text"]].to_dict("list")
    {'thread_id': ['a'], 'title': [''], 'text': ['']}
    """
    if threads is None:
        threads = pd.DataFrame({"thread_id": pd.Series([], dtype=object)})
    out = threads.copy()
    if "thread_id" not in out.columns:
        raise SchemaError(f"the threads table needs column 'thread_id'; got {list(out.columns)}.")
    for col in THREAD_COLUMNS:
        if col == "created_at":
            continue
        out[col] = _as_text(out[col]) if col in out.columns else pd.Series([""] * len(out), index=out.index, dtype=object)
    out["created_at"] = _as_utc(out["created_at"]) if "created_at" in out.columns else pd.Series(
        pd.NaT, index=out.index, dtype="datetime64[ns, UTC]"
    )
    known = set(out["thread_id"])
    missing = [t for t in pd.unique(comments["thread_id"]) if t not in known]
    if missing:
        add = pd.DataFrame({"thread_id": missing})
        for col in THREAD_COLUMNS:
            if col != "thread_id":
                add[col] = "" if col != "created_at" else pd.NaT
        add["created_at"] = pd.Series(pd.NaT, index=add.index, dtype="datetime64[ns, UTC]")
        out = pd.concat([out, add], ignore_index=True)
    out = out.drop_duplicates("thread_id", keep="first").reset_index(drop=True)
    extra = [c for c in out.columns if c not in THREAD_COLUMNS]
    return contract_dtypes(out[list(THREAD_COLUMNS) + extra])


# Singular and plural of the repair counts (keys of repair_links' counts).
_REPAIRS = {"cycles_broken": ("cycle broken", "cycles broken"), "orphans": ("orphan", "orphans"),
            "self_replies": ("self-reply", "self-replies")}


def _repair_counts(counts: dict) -> str:
    """``{"orphans": 1, "cycles_broken": 2}`` as ``"2 cycles broken, 1 orphan"``."""
    return ", ".join(f"{n} {_REPAIRS.get(k, (k.replace('_', ' '),) * 2)[n != 1]}" for k, n in sorted(counts.items()))


def _rows_repeat(n: int) -> str:
    return "1 row repeats" if n == 1 else f"{n} rows repeat"


def repair_links(comments: pd.DataFrame, *, warn: bool = True) -> tuple[pd.DataFrame, Counter]:
    """Attach orphans to the root and break self-replies and reply cycles.

    Every comment is kept. A broken link is cut by emptying ``parent_id`` (the comment
    then answers the post) and saying why in ``parent_evidence``.

    Parameters
    ----------
    comments : pandas.DataFrame
        A normalized comments table (see :func:`normalize_comments`).
    warn : bool, default True
        Issue one :class:`DiscourseWarning` with the counts when anything was repaired.

    Returns
    -------
    (pandas.DataFrame, collections.Counter)
        The repaired copy, and counts under ``orphans``, ``self_replies`` and ``cycles_broken``.

    Examples
    --------
    >>> import pandas as pd
    >>> c = normalize_comments(pd.DataFrame({"comment_id": ["a", "b", "c"],
    ...                                      "parent_id": ["zz", "b", ""], "text": ["", "", ""]}))
    >>> fixed, counts = repair_links(c, warn=False)
    >>> fixed["parent_id"].tolist(), dict(counts)
    (['', '', ''], {'orphans': 1, 'self_replies': 1})
    """
    counts: Counter = Counter()
    parent = comments["parent_id"].to_numpy(dtype=object).copy()
    evidence = comments["parent_evidence"].to_numpy(dtype=object).copy()
    threads = comments["thread_id"].to_numpy(dtype=object)
    ids = comments["comment_id"].to_numpy(dtype=object)
    # Row of each parent (-1: not in the data), looked up in C: a dict of (thread, id) tuples
    # costs more memory than a large export leaves.
    import numpy as np

    tcode, _ = pd.factorize(threads)
    both, uniques = pd.factorize(np.concatenate([ids, parent]))
    span = np.int64(len(uniques) + 1)
    keys = pd.Index(tcode.astype(np.int64) * span + both[:len(ids)])
    if keys.is_unique:
        row = keys.get_indexer(tcode.astype(np.int64) * span + both[len(ids):])
    else:
        row_of = {(t, c): i for i, (t, c) in enumerate(zip(threads, ids))}
        row = [row_of.get((t, p), -1) for t, p in zip(threads, parent)]
    row = np.asarray(row, dtype=np.int64)
    linked = parent != ""
    self_reply = linked & (parent == ids)
    orphan = linked & ~self_reply & (row < 0)
    for i in np.flatnonzero(self_reply | orphan).tolist():
        p = parent[i]
        parent[i] = ""
        if self_reply[i]:
            evidence[i] = f"self-reply to {p} in the source; attached to the post"
            counts["self_replies"] += 1
        else:
            evidence[i] = f"parent {p} is not in the data (orphan); attached to the post"
            counts["orphans"] += 1
    # Cycles: walk up from each comment with a colouring so every row is visited once; not
    # needed when every chain reaches the post within a few dozen links (one numpy pass a link).
    state = [0] * len(parent) if _may_cycle(np.where(parent != "", row, -1)) else [2] * len(parent)
    for start in range(len(parent)):
        if state[start]:
            continue
        path = []
        i = start
        while True:
            if state[i] == 2:
                break
            if state[i] == 1:
                # i is on the current path: cut the link that closes the cycle at i.
                cut = path[-1]
                parent[cut] = ""
                evidence[cut] = f"reply cycle through {ids[i]} in the source; link cut, attached to the post"
                counts["cycles_broken"] += 1
                break
            state[i] = 1
            path.append(i)
            if parent[i] == "":
                break
            i = int(row[i])
        for j in path:
            state[j] = 2
    out = comments.copy()
    if counts:
        # Object columns, as they came: a plain array would become pandas' str dtype.
        out["parent_id"] = pd.Series(parent, index=out.index, dtype=object)
        out["parent_evidence"] = pd.Series(evidence, index=out.index, dtype=object)
        cut = out["parent_id"] == ""
        out.loc[cut & (out["parent_source"] == "explicit"), "parent_confidence"] = 1.0
        if warn:
            what = _repair_counts(counts)
            warnings.warn(f"reply links repaired: {what}; those comments now answer the post", DiscourseWarning, stacklevel=2)
    return out, counts


def _may_cycle(up, steps: int = 64) -> bool:
    """False when following *up* (each row's parent row, -1 for none) from every row ends within *steps* links."""
    import numpy as np

    cur = up.copy()
    for _ in range(steps):
        live = np.flatnonzero(cur >= 0)
        if not len(live):
            return False
        cur[live] = up[cur[live]]
    return True


@dataclasses.dataclass
class IngestReport:
    """What a reader did with one source: every record is kept or skipped with a reason.

    ``seen == kept + sum(skipped.values())`` always holds.

    Attributes
    ----------
    path : str
        The file read ("<memory>" for a DataFrame).
    format : str
        The format used, e.g. ``"page"``, ``"csv"``, ``"wxr"``.
    layout : str
        For scraped pages, the comment layout detected (``"like-buttons"``,
        ``"reply-buttons"``, ``"says-headers"``, ``"blank-lines"``); else ``""``.
    seen, kept : int
        Records the reader found, and comments it kept.
    skipped : dict
        Records not kept, by reason (``spam``, ``deleted``, ``pingback``, ...).
    repaired : dict
        Links repaired: ``orphans``, ``self_replies``, ``cycles_broken``.
    links : int
        Reply links the source states among the records seen (a WXR ``comment_parent``,
        a Disqus ``<parent>``, a Reddit ``parent_id`` naming a comment, ...).
    not_downloaded : int
        Comments the source says exist but did not include (Reddit ``more`` stubs).
    notes : list of str
        Other things the user should know (the encoding fallen back to, ...).
    """

    path: str
    format: str
    layout: str = ""
    threads: int = 0
    seen: int = 0
    kept: int = 0
    skipped: dict = dataclasses.field(default_factory=dict)
    repaired: dict = dataclasses.field(default_factory=dict)
    removed: dict = dataclasses.field(default_factory=dict)
    notes: list = dataclasses.field(default_factory=list)
    links: int = 0
    not_downloaded: int = 0

    @property
    def balanced(self) -> bool:
        """True when every record seen was kept or skipped with a reason."""
        return self.seen == self.kept + sum(self.skipped.values())

    def summary(self) -> str:
        """One line a person can read, e.g. for the command line."""
        what = f"{self.path}: read as {self.format}"
        if self.layout:
            what += f" ({self.layout} layout)"
        what += (f"; {self.threads} thread{'s' * (self.threads != 1)}, {self.seen} record{'s' * (self.seen != 1)} seen, "
                 f"{self.kept} comment{'s' * (self.kept != 1)} kept")
        if self.skipped:
            what += ", skipped " + ", ".join(f"{n} {k}" for k, n in sorted(self.skipped.items()))
        if self.repaired:
            what += ", repaired " + _repair_counts(self.repaired)
        if self.removed:
            what += ", removed " + ", ".join(f"{n} {k}" for k, n in sorted(self.removed.items()))
        if self.not_downloaded:
            what += f", {self.not_downloaded} more comments not downloaded"
        for note in self.notes:
            what += f"; {note}"
        return what


@dataclasses.dataclass(frozen=True)
class Corpus:
    """Threads and their comments: the tables every stage reads and writes.

    Attributes
    ----------
    threads : pandas.DataFrame
        One row per thread (the post), columns :data:`THREAD_COLUMNS` and maybe more.
    comments : pandas.DataFrame
        One row per comment, columns :data:`COMMENT_COLUMNS` plus whatever stages added.
    pieces : pandas.DataFrame
        For scraped pages: every character of the page, as post, comment, artifact,
        boilerplate and whitespace pieces in page order (:data:`PIECE_COLUMNS`). Empty
        for structured formats.
    ingest : tuple of IngestReport
        One report per file read.
    spans : pandas.DataFrame or None
        Evidence spans from the analysis stages (see ``discourse analyze --spans``).
    extras : dict
        Results of corpus-level stages (topics, frame debate), keyed by stage name.

    Examples
    --------
    >>> import pandas as pd
    >>> corpus = Corpus.from_frames(pd.DataFrame({"comment_id": ["1", "2"], "parent_id": ["", "1"],
    ...                                           "text": ["First!", "Second."]}))
    >>> corpus
    Corpus(1 thread, 2 comments, formats: dataframe)
    >>> sorted(corpus.graph.edges())
    [('1', '2'), ('thread', '1')]
    """

    threads: pd.DataFrame
    comments: pd.DataFrame
    pieces: pd.DataFrame = dataclasses.field(default_factory=lambda: pd.DataFrame(columns=list(PIECE_COLUMNS)))
    ingest: tuple = ()
    spans: pd.DataFrame | None = None
    extras: dict = dataclasses.field(default_factory=dict)

    @classmethod
    def from_frames(cls, comments: pd.DataFrame, threads: pd.DataFrame | None = None, *, path: str = "<memory>") -> "Corpus":
        """Build a corpus from a comments table (and optionally a threads table).

        The tables are normalized and validated; broken links are repaired with a warning.
        """
        c = normalize_comments(comments, where=path, caller="Corpus.from_frames")
        c, repaired = repair_links(c)
        t = normalize_threads(threads, c)
        report = IngestReport(path=path, format="dataframe", threads=len(t), seen=len(c), kept=len(c),
                              repaired=dict(repaired))
        return cls(threads=t, comments=c, ingest=(report,))

    def replace(self, **changes) -> "Corpus":
        """A copy with some fields replaced (the corpus itself is never changed)."""
        return dataclasses.replace(self, **changes)

    @property
    def source(self) -> str:
        """The formats read, e.g. ``"page"`` or ``"csv, wxr"``."""
        return ", ".join(dict.fromkeys(r.format for r in self.ingest)) or "unknown"

    @functools.cached_property
    def graph(self):
        """The reply graph (a networkx DiGraph; see :func:`discourse.graph.reply_graph`)."""
        from .graph import reply_graph

        return reply_graph(self.comments, threads=self.threads)

    def __len__(self) -> int:
        return len(self.comments)

    def __repr__(self) -> str:
        n_t, n_c = len(self.threads), len(self.comments)
        return (f"Corpus({n_t} thread{'s' * (n_t != 1)}, {n_c} comment{'s' * (n_c != 1)}, "
                f"formats: {self.source})")

    def _repr_html_(self) -> str:
        from html import escape

        rows = []
        for r in self.ingest[:10]:
            rows.append(f"<li>{escape(r.summary())}</li>")
        if len(self.ingest) > 10:
            rows.append(f"<li>... and {len(self.ingest) - 10} more files</li>")
        analysis = [c for c in self.comments.columns if c not in COMMENT_COLUMNS]
        facts = []
        if analysis:
            facts.append("analysis columns: " + ", ".join(escape(str(c)) for c in analysis))
        if self.spans is not None:
            facts.append(f"{len(self.spans)} evidence spans")
        if self.extras:
            facts.append("extras: " + ", ".join(escape(str(k)) for k in self.extras))
        cols = [c for c in ("thread_id", "comment_id", "parent_id", "author", "text", "sentiment_compound", "frames")
                if c in self.comments.columns]
        head = self.comments[cols].head(8).copy()
        if "text" in head.columns:
            head["text"] = head["text"].map(lambda s: s if len(s) <= 90 else s[:87] + "...")
        return (
            f"<div><strong>{escape(repr(self))}</strong>"
            f"<ul>{''.join(rows)}</ul>"
            + (f"<p>{'; '.join(facts)}</p>" if facts else "")
            + f"{head.to_html(index=False, escape=True)}</div>"
        )


def as_corpus(data, *, caller: str) -> Corpus:
    """*data* as a :class:`Corpus`: a Corpus as it is, a comments DataFrame through
    :meth:`Corpus.from_frames` (so ``analyze(df)`` works in a notebook).

    >>> as_corpus(pd.DataFrame({"comment_id": ["1"], "text": ["Hi"]}), caller="analyze").comments["text"].tolist()
    ['Hi']
    """
    if isinstance(data, Corpus):
        return data
    if isinstance(data, pd.DataFrame):
        return Corpus.from_frames(data)
    raise SchemaError(f"{caller} takes a Corpus (from discourse.read) or a comments DataFrame; got a "
                      f"{type(data).__name__}. {_frame_hint(data)}")
