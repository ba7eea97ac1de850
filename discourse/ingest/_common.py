"""What every export reader shares: the tally of records, and one way to build the corpus.

A reader walks its source and, for every record it meets, either hands a row to
:func:`build_corpus` or counts it as skipped with a reason in a :class:`Tally`.
:func:`build_corpus` then applies the rules every format follows, so they live in one place:

* a comment whose status is ``deleted`` or ``removed`` is kept as a placeholder (its text as
  the source held it, often empty or ``[deleted]``) when a kept comment replies to it, so its
  replies keep their place in the tree; otherwise it is skipped as ``deleted``/``removed``;
* a repeated comment id in a thread keeps the first record; the rest are skipped as
  ``duplicate id`` (exact repeats) or ``conflicting duplicate id`` (different content), and
  warned about (:func:`discourse.model.duplicate_note`: the rule every reader follows);
* links are validated and repaired by :func:`discourse.model.repair_links` (orphans attach to
  the post, self-replies and cycles are cut, all counted and warned about);
* the ingest report balances: ``seen == kept + sum(skipped.values())``.
"""

from __future__ import annotations

import warnings
from collections import Counter

import pandas as pd

from ..errors import DiscourseWarning, InputFormatError
from ._text import loads_json as _loads_json

__all__ = ["BadLines", "PLACEHOLDER_STATUSES", "Tally", "build_corpus", "parse_time", "parse_times"]

#: Statuses of comments whose words are gone but whose replies may still be there.
PLACEHOLDER_STATUSES = ("deleted", "removed", "dead")


class Tally:
    """Counts a reader keeps while it walks a source."""

    def __init__(self):
        self.seen = 0
        self.skipped: Counter = Counter()
        self.notes: list[str] = []
        self.links = 0
        self.not_downloaded = 0
        self.bad_times = 0

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped[reason] += n


class BadLines:
    """Lines of a JSON Lines file that hold no JSON object: skipped, counted, reported.

    The policy of every line-based reader (contract ``.jsonl``, ``reddit-jsonl``, Hacker
    News items, ConvoKit ``utterances.jsonl``, and the streamed Parquet corpus): a line that
    is not JSON, or is JSON but not an object, is skipped as ``unparseable``; the ingest
    report counts it and names the first line numbers, and one :class:`DiscourseWarning`
    says so. A dump whose last line was cut short still gives every other record. When no
    line at all holds an object, the file is not JSON Lines and reading fails with the
    first line's problem. To treat bad lines as an error instead, turn the warning into an
    error: ``warnings.simplefilter("error", discourse.DiscourseWarning)``.

    Examples
    --------
    >>> bad = BadLines("dump.jsonl")
    >>> bad.check('{"id": 1}', 1)
    {'id': 1}
    >>> bad.check('{"id": 2, "bo', 2) is None, bad.count, bad.note()
    (True, 1, '1 line not a JSON object skipped (line 2)')
    """

    #: Line numbers kept for the report and the warning.
    SHOWN = 10

    def __init__(self, path, *, what: str = "JSON Lines file"):
        self.path = str(path)
        self.what = what
        self.count = 0
        self.lines: list[int] = []
        self.first_reason = ""

    def add(self, lineno: int, reason: str) -> None:
        """Count line *lineno* as skipped because of *reason*."""
        self.count += 1
        if len(self.lines) < self.SHOWN:
            self.lines.append(lineno)
        if not self.first_reason:
            self.first_reason = reason

    def check(self, line, lineno: int, loads=None):
        """The JSON object on *line*, or ``None`` after counting the line as bad."""
        try:
            rec = (loads or _loads_json)(line)
        except ValueError:  # JSONDecodeError, UnicodeDecodeError
            self.add(lineno, self.why(line))
            return None
        if rec.__class__ is not dict and not isinstance(rec, dict):
            self.add(lineno, f"a JSON {type(rec).__name__}, not an object")
            return None
        return rec

    @staticmethod
    def why(line) -> str:
        """What is wrong with *line*, which does not parse, in the standard library's words.

        The line break is left out, so a line cut short reports the column where it ends,
        not "column 1" of the next line.
        """
        import json

        try:
            _loads_json(line.rstrip(b"\r\n" if isinstance(line, bytes) else "\r\n"))
        except UnicodeDecodeError:
            return "not valid UTF-8"
        except json.JSONDecodeError as err:
            return f"invalid JSON ({err.msg}, column {err.colno})"
        return "not JSON the parser reads"

    def _shown(self) -> str:
        return ", ".join(map(str, self.lines)) + (", ..." if self.count > len(self.lines) else "")

    def note(self) -> str:
        """The ingest report's note, or ``""``."""
        if not self.count:
            return ""
        s = "s" * (self.count != 1)
        return f"{self.count} line{s} not a JSON object skipped (line{s} {self._shown()})"

    def fail(self, *, fix: str = "") -> None:
        """Raise: no line held a JSON object."""
        raise InputFormatError(
            f"{self.first_reason}; no line of the file holds a JSON object, so it is not a {self.what}. "
            + (fix or "Each line must be one JSON object with the comment's fields."),
            path=self.path, line=self.lines[0] if self.lines else None)

    def report(self, tally: "Tally | None" = None, notes: list | None = None, *, stacklevel: int = 3) -> None:
        """Count the bad lines in *tally* (seen and skipped), add the note, and warn once."""
        if not self.count:
            return
        if tally is not None:
            tally.seen += self.count
            tally.skip("unparseable", self.count)
            notes = tally.notes if notes is None else notes
        if notes is not None:
            notes.append(self.note())
        s = "s" * (self.count != 1)
        warnings.warn(f"{self.path}: {self.count} line{s} not a JSON object, skipped as unparseable (line{s} "
                      f"{self._shown()}; line {self.lines[0]}: {self.first_reason}). Every other line was read.",
                      DiscourseWarning, stacklevel=stacklevel)


#: Epoch seconds pandas can hold at nanosecond resolution (years 1677 to 2262).
_EPOCH_LIMIT = 9.2e9


def parse_time(value, tally: Tally | None = None, *, unit: str | None = None):
    """A UTC :class:`pandas.Timestamp` from an ISO string or epoch seconds, or ``None``.

    An unparseable value (or one outside the years 1677-2262) becomes ``None`` and is
    counted in ``tally.bad_times``; the comment is kept (its words matter more than its clock).

    >>> parse_time("2013-10-10T19:20:29Z")
    Timestamp('2013-10-10 19:20:29+0000', tz='UTC')
    >>> parse_time(1323313370.0)
    Timestamp('2011-12-08 03:02:50+0000', tz='UTC')
    >>> parse_time("2011-x09-30") is None, parse_time("2821-03-12T11:21:56Z") is None
    (True, True)
    """
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return None
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            ts = pd.Timestamp(value, unit=unit or "s", tz="UTC")
        else:
            text = str(value).strip()
            if text.lstrip("-").replace(".", "", 1).isdigit():
                ts = pd.Timestamp(float(text), unit=unit or "s", tz="UTC")
            else:
                ts = pd.Timestamp(text)
                ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
        return ts.as_unit("ns")
    except (ValueError, TypeError, OverflowError):
        if tally is not None:
            tally.bad_times += 1
        return None


def parse_times(values, tally: Tally | None = None):
    """Vectorised :func:`parse_time` over a list: a UTC datetime Series.

    Values may be Timestamps, epoch seconds (numbers or numeric strings), ISO strings or
    ``None``; unparseable ones become ``NaT`` and are counted in ``tally.bad_times``.

    >>> [str(t) for t in parse_times([1323313370, "1323313370.0", "2013-10-10T19:20:29Z", None, "soon", 1e13])]
    ['2011-12-08 03:02:50+00:00', '2011-12-08 03:02:50+00:00', '2013-10-10 19:20:29+00:00', 'NaT', 'NaT', 'NaT']
    """
    import numpy as np

    if values and all(type(v) in (int, float) for v in values):
        arr = np.asarray(values, dtype="float64")
        if (np.abs(arr) < _EPOCH_LIMIT).all():
            # The common case of a large dump: epoch seconds throughout, converted in one go.
            return pd.Series(pd.to_datetime(arr, unit="s", utc=True))
    out = pd.Series(pd.NaT, index=range(len(values)), dtype="datetime64[ns, UTC]")
    s = pd.Series(values, dtype=object)
    present = s.map(lambda v: v is not None and v == v and v != "")
    if not present.any():
        return out
    numeric = pd.to_numeric(s.where(present), errors="coerce")
    in_range = numeric.notna() & (numeric.abs() < _EPOCH_LIMIT)
    if in_range.any():
        out[in_range] = pd.to_datetime(numeric[in_range], unit="s", utc=True)
    rest = present & ~in_range
    if rest.any():
        out[rest] = [parse_time(v, tally) or pd.NaT for v in s[rest]]
    return out


def _placeholders(cols: dict) -> set[int]:
    """Indexes of deleted/removed rows that a live row descends from."""
    tids, cids, parents = cols["thread_id"], cols["comment_id"], cols["parent_id"]
    status = cols.get("status") or [""] * len(cids)
    # Only placeholder rows need looking up: a walk up from a live row stops at the next
    # live ancestor, which makes its own walk.
    holders = {}
    for i, s in enumerate(status):
        if s in PLACEHOLDER_STATUSES:
            holders.setdefault((tids[i], cids[i]), i)
    if not holders:
        return set()
    needed: set[int] = set()
    for i in range(len(cids)):
        if status[i] in PLACEHOLDER_STATUSES or not parents[i]:
            continue
        p, steps = parents[i], 0
        while p and steps <= len(holders):
            j = holders.get((tids[i], p))
            if j is None or j in needed:
                break
            needed.add(j)
            p, steps = parents[j], steps + 1
    return needed


def _is_text(values: list) -> bool:
    first = next((v for v in values if v is not None), None)
    return first is None or isinstance(first, str)


def rows_to_columns(rows: list[dict]) -> dict:
    """Rows (dicts) as columns (lists), the keys in first-seen order."""
    keys = list(dict.fromkeys(k for r in rows for k in r))
    return {k: [r.get(k) for r in rows] for k in keys}


def build_corpus(rows, threads: list[dict], *, path, fmt: str, tally: Tally,
                 thread_id: str | None = None, encoding: str = "utf-8", layout: str = "",
                 top_level_explicit: bool | None = None):
    """Turn a reader's rows into a :class:`~discourse.Corpus` with a balanced ingest report.

    Parameters
    ----------
    rows : list of dict, or dict of lists
        One per record kept so far, in display order, with ``thread_id``, ``comment_id``,
        ``parent_id``, ``author``, ``created_at``, ``text`` and any extra columns
        (``text_html``, ``status``, ...); or the same as columns (streaming readers).
    threads : list of dict
        One per thread (the post): ``thread_id``, ``title``, ``author``, ``created_at``,
        ``url``, ``text`` and extras.
    tally : Tally
        ``seen`` must count every record, ``skipped`` those the reader dropped.
    thread_id : str, optional
        Replaces the thread id when the source holds one thread; prefixes each id
        (``thread_id:original``) when it holds several.
    top_level_explicit : bool or None
        Whether the source's "answers the post" is itself a statement: true for platforms
        that always record nesting (Reddit, Hacker News, Disqus, ConvoKit, Commento), so
        those comments get ``parent_source=explicit`` and reply inference leaves them alone.
        ``None`` (WordPress, whose threading a site can switch off): true when the source
        states at least one reply link, else the comments are left for inference.

    Examples
    --------
    >>> t = Tally(); t.seen = 3
    >>> rows = [dict(thread_id="p", comment_id="1", parent_id="", text="[deleted]", status="deleted"),
    ...         dict(thread_id="p", comment_id="2", parent_id="1", text="I agree", status="approved"),
    ...         dict(thread_id="p", comment_id="3", parent_id="", text="", status="deleted")]
    >>> c = build_corpus(rows, [dict(thread_id="p", title="Post")], path="x.json", fmt="demo", tally=t)
    >>> c.comments["comment_id"].tolist(), c.ingest[0].skipped
    (['1', '2'], {'deleted': 1})
    """
    from ..model import (Corpus, IngestReport, _repair_counts, duplicate_note, normalize_comments, normalize_threads,
                         repair_links)

    path = str(path)
    cols = rows_to_columns(rows) if isinstance(rows, list) else dict(rows)
    for col in ("thread_id", "comment_id", "parent_id", "author", "created_at", "text"):
        if col not in cols:
            cols[col] = [None if col == "created_at" else ""] * len(cols.get("comment_id", ()))
    if thread_id is not None:
        ids = list(dict.fromkeys([t["thread_id"] for t in threads] + list(dict.fromkeys(cols["thread_id"]))))
        rename = {ids[0]: thread_id} if len(ids) <= 1 else {i: f"{thread_id}:{i}" for i in ids}
        threads = [{**t, "thread_id": rename.get(t["thread_id"], t["thread_id"])} for t in threads]
        cols["thread_id"] = [rename.get(t, t) for t in cols["thread_id"]]
        if not ids:
            threads = [{"thread_id": thread_id}]

    missing_ids = [i for i, c in enumerate(cols["comment_id"]) if not c]
    if missing_ids:
        # A record without an id is still a comment: no reply can name it, but its words count.
        ids = list(cols["comment_id"])
        for k, i in enumerate(missing_ids, 1):
            ids[i] = f"noid-{k}"
        cols["comment_id"] = ids
        tally.notes.append(f"{len(missing_ids)} record{'s' * (len(missing_ids) != 1)} without an id kept as noid-<n>")

    needed = _placeholders(cols)
    if needed or "status" in cols:
        status = cols.get("status") or []
        keep = []
        for i, s in enumerate(status):
            if s in PLACEHOLDER_STATUSES and i not in needed:
                tally.skip(s)
            else:
                keep.append(i)
        if len(keep) < len(status):
            cols = {k: [v[i] for i in keep] for k, v in cols.items()}
        if needed:
            tally.notes.append(f"kept {len(needed)} deleted or removed comment{'s' * (len(needed) != 1)} as "
                               "placeholders because replies answer them")

    created = cols.pop("created_at")
    # Strings stay Python objects: the Arrow-backed default would copy every text once more.
    frame = pd.DataFrame({k: pd.Series(v, dtype=object) if _is_text(v) else pd.Series(v) for k, v in cols.items()})
    frame["created_at"] = parse_times(created, tally).to_numpy() if len(frame) else pd.Series(
        [], dtype="datetime64[ns, UTC]")
    del cols, created
    dropped: dict = {}
    comments = normalize_comments(frame, where=path, caller="read", duplicates="first", dropped=dropped)
    skipped, message = duplicate_note(dropped)
    if skipped:
        for reason, n in skipped.items():
            tally.skip(reason, n)
        tally.notes.append(message)
        warnings.warn(f"{path}: {message}", DiscourseWarning, stacklevel=3)
    comments, repaired = repair_links(comments, warn=False)
    if top_level_explicit or (top_level_explicit is None and tally.links > 0):
        top = (comments["parent_id"] == "") & (comments["parent_source"] == "")
        if top.any():
            comments.loc[top, "parent_source"] = "explicit"
            comments.loc[top, "parent_confidence"] = 1.0
            comments.loc[top, "parent_evidence"] = "the source places it at the top level"
    if repaired:
        what = _repair_counts(repaired)
        warnings.warn(f"{path}: reply links repaired: {what}; those comments now answer the post",
                      DiscourseWarning, stacklevel=3)
    if tally.bad_times:
        tally.notes.append(f"{tally.bad_times} unparseable times left empty")
        warnings.warn(f"{path}: {tally.bad_times} timestamp{'s' * (tally.bad_times != 1)} could not be parsed; "
                      f"{'those comments are' if tally.bad_times != 1 else 'that comment is'} kept with no time",
                      DiscourseWarning, stacklevel=3)

    tframe = pd.DataFrame.from_records(threads) if threads else None
    if tframe is not None and "created_at" in tframe.columns:
        tframe["created_at"] = pd.to_datetime(tframe["created_at"], utc=True)
    thread_table = normalize_threads(tframe, comments)
    thread_table["source_format"] = pd.Series(fmt, index=thread_table.index, dtype=object)
    thread_table["source_path"] = pd.Series(path, index=thread_table.index, dtype=object)
    notes = list(tally.notes)
    if encoding not in ("utf-8", "ascii"):
        notes.append(f"decoded as {encoding}")
    report = IngestReport(path=path, format=fmt, layout=layout, threads=len(thread_table), seen=tally.seen,
                          kept=len(comments), skipped=dict(sorted(tally.skipped.items())), repaired=dict(repaired),
                          notes=notes, links=tally.links, not_downloaded=tally.not_downloaded)
    if not report.balanced:
        raise RuntimeError(f"ingest accounting is off for {path}: seen {report.seen}, kept {report.kept}, "
                           f"skipped {report.skipped}; this is a bug in the {fmt} reader")
    return Corpus(threads=thread_table, comments=comments, ingest=(report,))
