"""Grading: read a class's answer files, score each student, and measure agreement.

Answer files are CSV, one per student or one per class, in either layout:

long
    ``student_id,item_id,answer``: one row per answer (the template
    :func:`~discourse.teach.make_exercise` writes; extra columns such as ``choices`` or
    ``cue`` are ignored).
wide
    ``student_id`` plus one column per item id (``T1,T2,...``): one row per student.

An answer is the option letter (``B``) or the option's value (``literal``, ``12``,
``post``), in any case. A blank ``student_id`` means the file's student (the one id the
file names, else the file name without ``.csv``). Commas, semicolons and tabs are all
accepted as separators, and UTF-8 with or without a byte-order mark (Excel) as encoding.

Nothing in an answer file stops the grading: a row with an unknown item, an answer that
is not an option, a second answer to the same item or an unknown student (when a roster
is given) becomes a :class:`Problem` naming the file, row and item, and is left out;
unanswered items count as unanswered, so a partial answer file gets a partial score.

Agreement (all from :mod:`nltk.metrics.agreement`, labels treated as nominal):

Krippendorff's alpha
    ``AnnotationTask.alpha``; uses every answer, so students who skipped items count.
Fleiss' kappa
    Fleiss (1971), a multi-rater generalisation of Scott's pi (Artstein and Poesio 2008,
    section 2.5): ``AnnotationTask.pi``.
multi-kappa
    Davies and Fleiss (1982), the multi-rater generalisation of Cohen's kappa:
    ``AnnotationTask.multi_kappa``.
Cohen's kappa
    ``AnnotationTask.kappa``: Cohen (1960) averaged over every pair of students; per
    student against the tool, ``kappa_pairwise``.

The kappas assume every rater rated every item, so they are computed on the students
who answered every item (or, when fewer than two did, on the items everyone answered);
``agreement["kappa_basis"]`` says which.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import os
import re
import warnings
from pathlib import Path

from ..errors import DiscourseError, DiscourseWarning, InputFormatError, SchemaError

__all__ = ["Grade", "Problem", "agreement", "grade", "read_answers", "read_key"]

_EXTRA_OK = {"choices", "cue", "reason", "note", "notes", "comment", "name", "prompt", "question_text"}
_ALIASES = {"student": "student_id", "studentid": "student_id", "id": "student_id", "student_id": "student_id",
            "item": "item_id", "itemid": "item_id", "question": "item_id", "question_id": "item_id",
            "item_id": "item_id", "answer": "answer", "response": "answer", "choice": "answer"}


@dataclasses.dataclass(frozen=True)
class Problem:
    """Something wrong in an answer file, and where.

    Examples
    --------
    >>> str(Problem("answers/ana.csv", 4, "F3", "'metaforical' is not an option"))
    "answers/ana.csv, row 4, item F3: 'metaforical' is not an option"
    """

    file: str
    row: int | None
    item: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.item:
            where.append(f"item {self.item}")
        return ", ".join(where) + ": " + self.message


def read_key(key) -> dict:
    """Read and check an answer key (a path to the JSON ``--key`` wrote, or the dict itself).

    Raises
    ------
    InputFormatError
        The file is missing or not JSON.
    SchemaError
        The JSON is not a discourse key, is from a newer version, or an item is malformed.

    Examples
    --------
    >>> k = read_key({"format": "discourse-exercise-key", "version": 1, "kind": "tone",
    ...               "items": [{"id": "T1", "options": [{"key": "A", "value": "negative"}],
    ...                          "expected": None, "tool": "negative"}]})
    >>> [i["id"] for i in k["items"]]
    ['T1']
    """
    from .exercises import KEY_FORMAT, KEY_VERSION

    where = "the key"
    if not isinstance(key, dict):
        path = Path(key)
        where = str(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError as err:
            raise InputFormatError("no such key file; give the key.json that 'discourse exercise --key' wrote.", path=path) from err
        except UnicodeDecodeError as err:
            raise InputFormatError("the key is not UTF-8 text; give the key.json that 'discourse exercise --key' wrote.", path=path) from err
        try:
            key = json.loads(text)
        except json.JSONDecodeError as err:
            raise InputFormatError(f"the key is not valid JSON ({err.msg}).", path=path, line=err.lineno) from err
    if not isinstance(key, dict) or key.get("format") != KEY_FORMAT:
        raise SchemaError(f"{where}: not a discourse answer key (expected a JSON object with \"format\": "
                          f"\"{KEY_FORMAT}\"); give the key.json that 'discourse exercise --key' wrote.")
    version = key.get("version")
    if not isinstance(version, int) or version > KEY_VERSION:
        raise SchemaError(f"{where}: key version {version!r} is not supported (this discourse reads versions up to "
                          f"{KEY_VERSION}); update discourse or make the exercise again.")
    items = key.get("items")
    if not isinstance(items, list) or not items:
        raise SchemaError(f"{where}: the key has no items.")
    seen = set()
    for n, it in enumerate(items, 1):
        iid = it.get("id") if isinstance(it, dict) else None
        opts = it.get("options") if isinstance(it, dict) else None
        if not isinstance(iid, str) or not iid or not isinstance(opts, list) or not opts:
            raise SchemaError(f"{where}: item {n} needs an 'id' and a list of 'options'; got {it!r:.120}.")
        if iid.upper() in seen:
            raise SchemaError(f"{where}: item id {iid!r} appears twice; item ids must be unique.")
        seen.add(iid.upper())
        values = [o.get("value") for o in opts if isinstance(o, dict)]
        if len(values) != len(opts) or any(not isinstance(o.get("key"), str) for o in opts):
            raise SchemaError(f"{where}: item {iid}: every option needs a 'key' (letter) and a 'value'.")
        for field in ("expected", "tool"):
            v = it.get(field)
            if v is not None and v not in values:
                raise SchemaError(f"{where}: item {iid}: {field} answer {v!r} is not one of its option values {values}.")
    return key


def _canon(text: str) -> str:
    return re.sub(r"\s+", " ", str(text).strip().casefold().replace("’", "'"))


class _Matcher:
    """Maps what a student wrote to an option value of one item."""

    def __init__(self, item: dict):
        self.item = item
        self.table: dict = {}
        for o in item["options"]:
            value = str(o["value"])
            for form in (o["key"], value, o.get("label", ""), "#" + value, "comment #" + value, "comment " + value):
                if form and _canon(form) not in self.table:
                    self.table[_canon(form)] = value
            if value == "post":
                self.table.setdefault("the post", value)
        # Labels such as "used as a metaphor (politics ...)" are long; accept their first word too.
        for o in item["options"]:
            head = _canon(str(o.get("label", "")).split(" ")[0].rstrip(":,"))
            if head and head not in self.table:
                self.table[head] = str(o["value"])

    def __call__(self, answer: str):
        return self.table.get(_canon(answer).rstrip("."))

    def hint(self) -> str:
        keys = [o["key"] for o in self.item["options"]]
        letters = f"{keys[0]}-{keys[-1]}" if len(keys) > 2 else " or ".join(keys)
        values = ", ".join(str(o["value"]) for o in self.item["options"])
        return f"write one of the letters {letters} or a value: {values}"


def _expand(paths) -> list[Path]:
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in (".csv", ".tsv", ".txt")))
        else:
            out.append(p)
    return out


def _read_roster(roster) -> tuple[set | None, str]:
    if roster is None:
        return None, ""
    if isinstance(roster, (str, os.PathLike)):
        path = Path(roster)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError as err:
            raise InputFormatError("no such roster file; give a text or CSV file with one student id per line.", path=path) from err
        ids = []
        for line in text.splitlines():
            first = re.split(r"[,;\t]", line, maxsplit=1)[0].strip()
            if first and first.lower() not in ("student_id", "student", "id"):
                ids.append(first)
        return set(ids), str(path)
    return {str(s).strip() for s in roster}, "the roster"


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheet programs on Windows save "CSV" in the ANSI code page.
        return data.decode("cp1252", errors="replace")


def read_answers(answers, key, *, roster=None):
    """Read answer files and check every row against the key.

    Parameters
    ----------
    answers : path, list of paths or directories, or pandas.DataFrame
        CSV files in the long or wide layout (see the module docstring), or a long
        DataFrame with ``student_id``, ``item_id`` and ``answer``.
    key : dict or path
        The answer key (:func:`read_key`).
    roster : path or list of str, optional
        The class's student ids (a file with one id per line, or the first column of a
        CSV). When given, answers from other ids are problems.

    Returns
    -------
    (pandas.DataFrame, list of Problem)
        One row per accepted answer: ``student_id, item_id, answer, value, file, row``
        (``value`` is the option value), and the problems found.

    Examples
    --------
    >>> import pandas as pd
    >>> key = {"format": "discourse-exercise-key", "version": 1, "kind": "frames", "items": [
    ...     {"id": "F1", "options": [{"key": "A", "value": "metaphorical"}, {"key": "B", "value": "literal"}],
    ...      "expected": "metaphorical", "tool": "metaphorical"}]}
    >>> df, problems = read_answers(pd.DataFrame({"student_id": ["ana", "ben", "cy"], "item_id": ["F1", "f1", "F2"],
    ...                                           "answer": ["a", "Literal", "A"]}), key)
    >>> df[["student_id", "item_id", "value"]].values.tolist()
    [['ana', 'F1', 'metaphorical'], ['ben', 'F1', 'literal']]
    >>> [str(p) for p in problems]
    ["<DataFrame>, row 4, item F2: item 'F2' is not in the key; its items are F1"]
    """
    import pandas as pd

    key = read_key(key)
    items = {it["id"].upper(): it for it in key["items"]}
    matchers = {iid: _Matcher(it) for iid, it in items.items()}
    ids_text = ", ".join(list(it["id"] for it in key["items"])[:12]) + (" ..." if len(items) > 12 else "")
    known, roster_name = _read_roster(roster)
    problems: list[Problem] = []
    records: list[dict] = []
    first_seen: dict = {}

    def accept(file, row, student, item_raw, answer):
        iid = str(item_raw).strip().upper()
        answer = "" if answer is None else str(answer)
        if iid not in items:
            if iid or answer.strip():
                problems.append(Problem(file, row, str(item_raw).strip() or None,
                                        f"item {str(item_raw).strip()!r} is not in the key; its items are {ids_text}"))
            return
        item_id = items[iid]["id"]
        if known is not None and student not in known:
            problems.append(Problem(file, row, item_id, f"student id {student!r} is not on {roster_name} "
                                                        f"({len(known)} ids); fix the id or add the student to the roster"))
            return
        if not answer.strip():
            return
        value = matchers[iid](answer)
        if value is None:
            problems.append(Problem(file, row, item_id, f"{answer.strip()!r} is not an answer to {item_id}; "
                                                        f"{matchers[iid].hint()}"))
            return
        if (student, item_id) in first_seen:
            f0, r0 = first_seen[(student, item_id)]
            problems.append(Problem(file, row, item_id, f"second answer from student {student!r} to {item_id} "
                                                        f"(the first is in {f0}, row {r0}); the first is kept"))
            return
        first_seen[(student, item_id)] = (file, row)
        records.append({"student_id": student, "item_id": item_id, "answer": answer.strip(), "value": value,
                        "file": file, "row": row})

    def read_rows(file, header, rows, stem):
        cols = [_ALIASES.get(re.sub(r"[\s\-]+", "_", h.strip().lower()), h.strip()) for h in header]
        upper = [c.upper() for c in cols]
        if "item_id" in cols and "answer" in cols:
            layout = "long"
        elif any(u in items for u in upper):
            layout = "wide"
        else:
            problems.append(Problem(file, 1, None, f"the header must be student_id,item_id,answer or student_id "
                                                   f"plus one column per item ({ids_text}); got {header}. "
                                                   "Nothing in this file was graded"))
            return
        si = cols.index("student_id") if "student_id" in cols else None
        named = {r[si].strip() for _, r in rows if si is not None and si < len(r) and r[si].strip()}
        default = next(iter(named)) if len(named) == 1 else stem
        if layout == "long":
            ii, ai = cols.index("item_id"), cols.index("answer")
            extra = [h for h, c in zip(header, cols) if c not in ("student_id", "item_id", "answer")
                     and c.lower() not in _EXTRA_OK]
        else:
            extra = [h for h, c, u in zip(header, cols, upper) if c != "student_id" and u not in items
                     and c.lower() not in _EXTRA_OK]
        if extra:
            problems.append(Problem(file, 1, None, f"ignored columns {extra}: not student_id, item_id, answer "
                                                   f"or an item of the key ({ids_text})"))
        for rownum, r in rows:
            if not any(cell.strip() for cell in r):
                continue
            student = (r[si].strip() if si is not None and si < len(r) else "") or default
            if layout == "long":
                item_raw = r[ii] if ii < len(r) else ""
                ans = r[ai] if ai < len(r) else ""
                if len(r) > len(header):
                    problems.append(Problem(file, rownum, item_raw.strip() or None,
                                            f"the row has {len(r)} cells but the header has {len(header)}; "
                                            "is there an unquoted comma in the answer?"))
                accept(file, rownum, student, item_raw, ans)
            else:
                for h, u, cell in zip(header, upper, r):
                    if u in items:
                        accept(file, rownum, student, h, cell)

    if isinstance(answers, pd.DataFrame):
        df = answers.astype(object).where(answers.notna(), "")
        header = [str(c) for c in df.columns]
        rows = [(i + 2, [str(v) for v in rec]) for i, rec in enumerate(df.itertuples(index=False))]
        read_rows("<DataFrame>", header, rows, "student")
    else:
        files = _expand(answers)
        if not files:
            raise DiscourseError("no answer files given; pass CSV files or a folder of them.")
        for path in files:
            name = str(path)
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                problems.append(Problem(name, None, None, "no such file; check the path. Nothing was graded for it"))
                continue
            except OSError as err:
                problems.append(Problem(name, None, None, f"cannot read the file ({err.strerror}); nothing was graded for it"))
                continue
            if b"\x00" in data[:4096]:
                problems.append(Problem(name, None, None, "looks like a binary file (a spreadsheet?), not CSV; "
                                                          "save it as CSV. Nothing was graded for it"))
                continue
            text = _decode(data)
            if not text.strip():
                problems.append(Problem(name, None, None, "the file is empty; nothing was graded for it"))
                continue
            try:
                dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
                delimiter = dialect.delimiter
            except csv.Error:
                delimiter = ","
            all_rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
            header, body = all_rows[0], all_rows[1:]
            read_rows(name, header, [(i + 2, r) for i, r in enumerate(body)], path.stem)
    out = pd.DataFrame(records, columns=["student_id", "item_id", "answer", "value", "file", "row"])
    # Unanswered items are not errors, but the teacher should see whose sheet is incomplete.
    order = [it["id"] for it in key["items"]]
    for student, group in out.groupby("student_id", sort=False):
        missing = [i for i in order if i not in set(group["item_id"])]
        if missing:
            files = ", ".join(dict.fromkeys(group["file"]))
            shown = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
            problems.append(Problem(files, None, None, f"student {student!r} did not answer {len(missing)} of "
                                                       f"{len(order)} items ({shown}); graded as unanswered"))
    if known is not None:
        absent = sorted(known - set(out["student_id"]))
        if absent:
            problems.append(Problem(roster_name, None, None, f"no answers from {len(absent)} students on the roster: "
                                                             f"{', '.join(absent[:10])}{' ...' if len(absent) > 10 else ''}"))
    return out, problems


def _task(triples):
    """An nltk AnnotationTask that remembers pairwise agreements.

    ``pi``, ``multi_kappa`` and ``kappa`` each recompute the observed agreement (and the
    last two the expected agreement) of every pair of students; both are symmetric in the
    pair, so computing each once gives nltk's numbers at a third of the cost.
    """
    from nltk.metrics.agreement import AnnotationTask

    class _Task(AnnotationTask):
        def __init__(self, data):
            super().__init__(data)
            self._memo = {}

        def _remember(self, name, cA, cB, compute):
            key = (name, *sorted((cA, cB)))
            if key not in self._memo:
                self._memo[key] = compute(cA, cB)
            return self._memo[key]

        def Ao(self, cA, cB):
            return self._remember("Ao", cA, cB, super().Ao)

        def Ae_kappa(self, cA, cB):
            return self._remember("Ae", cA, cB, super().Ae_kappa)

    return _Task(triples)


def _safe(func):
    try:
        value = func()
    except (ValueError, ZeroDivisionError, StopIteration):
        return float("nan")
    return float(value)


def agreement(answers, *, coder_col: str = "student_id", item_col: str = "item_id", label_col: str = "value") -> dict:
    """Inter-rater agreement of nominal answers, computed with :mod:`nltk.metrics.agreement`.

    Parameters
    ----------
    answers : pandas.DataFrame
        One row per (coder, item) answer.
    coder_col, item_col, label_col : str
        The columns naming the rater, the item and the answer.

    Returns
    -------
    dict
        ``alpha`` (Krippendorff), ``fleiss_kappa`` (Fleiss 1971, nltk ``pi``),
        ``multi_kappa`` (Davies and Fleiss 1982), ``cohen_kappa`` (mean pairwise Cohen),
        ``coders``, ``items``, and ``kappa_basis`` (the coders and items the kappas used).
        A coefficient that is undefined (one rater, no shared items) is NaN.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"student_id": list("aaaabbbb"), "item_id": list("12341234"),
    ...                    "value": list("xxyyxyyy")})
    >>> a = agreement(df)
    >>> round(a["alpha"], 4), round(a["cohen_kappa"], 4), a["kappa_basis"]
    (0.5333, 0.5, '2 students x 4 items (every student answered every item)')
    """
    from ..model import require_columns

    require_columns(answers, [coder_col, item_col, label_col], caller="agreement")
    triples = [(str(c), str(i), str(v)) for c, i, v in answers[[coder_col, item_col, label_col]].itertuples(index=False)]
    coders = sorted({c for c, _, _ in triples})
    items = sorted({i for _, i, _ in triples})
    out = {"coders": len(coders), "items": len(items), "alpha": float("nan"), "fleiss_kappa": float("nan"),
           "multi_kappa": float("nan"), "cohen_kappa": float("nan"), "kappa_basis": "fewer than two students"}
    if len(coders) < 2 or not items:
        return out
    task = _task(triples)
    out["alpha"] = _safe(task.alpha)
    done: dict = {}
    for c, i, _ in triples:
        done.setdefault(c, set()).add(i)
    complete = [c for c in coders if done[c] == set(items)]
    if len(complete) >= 2:
        use_coders, use_items = set(complete), set(items)
        why = "every student answered every item" if len(complete) == len(coders) else \
            f"the students who answered every item; {len(coders) - len(complete)} left out"
    else:
        use_coders = set(coders)
        use_items = set.intersection(*done.values())
        why = "the items every student answered"
    if not use_items:
        out["kappa_basis"] = "no item was answered by two students who answered the same items"
        return out
    out["kappa_basis"] = f"{len(use_coders)} students x {len(use_items)} items ({why})"
    sub = _task([t for t in triples if t[0] in use_coders and t[1] in use_items])
    out["fleiss_kappa"] = _safe(sub.pi)
    out["multi_kappa"] = _safe(sub.multi_kappa)
    out["cohen_kappa"] = _safe(sub.kappa)
    return out


def _kappa_pair(a: dict, b: dict) -> float:
    """Cohen's kappa of two raters on the items both answered (nltk kappa_pairwise)."""
    from nltk.metrics.agreement import AnnotationTask

    shared = sorted(set(a) & set(b))
    if len(shared) < 2:
        return float("nan")
    task = AnnotationTask([("a", i, a[i]) for i in shared] + [("b", i, b[i]) for i in shared])
    return _safe(lambda: task.kappa_pairwise("a", "b"))


def _words_alpha(v: float) -> str:
    # Krippendorff (2004, p. 241): rely on alpha >= .800; draw tentative conclusions from .667.
    if v != v:
        return "not defined (too few answers)"
    if v >= 0.8:
        return "reliable: the class reads these items the same way"
    if v >= 0.667:
        return "tentative: mostly the same reading, with real differences"
    return "low: the class read these items differently (good material for discussion)"


def _words_kappa(v: float) -> str:
    # Landis and Koch (1977) bands, the ones teachers meet in textbooks.
    if v != v:
        return "not defined"
    for cut, word in ((0.0, "poor"), (0.2, "slight"), (0.4, "fair"), (0.6, "moderate"), (0.8, "substantial")):
        if v <= cut:
            return word
    return "almost perfect"


@dataclasses.dataclass(frozen=True, repr=False)
class Grade:
    """The graded class: scores, item statistics, agreement and problems.

    Attributes
    ----------
    key : dict
    answers : pandas.DataFrame
        Every accepted answer (:func:`read_answers`).
    students : pandas.DataFrame
        One row per student: ``answered``, ``correct``, ``graded_items``, ``score``
        (correct / items with an expected answer; unanswered count as not correct),
        ``agree_majority``, ``agree_tool`` and ``kappa_tool`` (Cohen's kappa with the tool).
    items : pandas.DataFrame
        One row per item: ``n_answers``, ``expected``, ``tool``, ``majority``,
        ``majority_share``, ``p_correct`` (the item's classical difficulty: share of
        answers that are right), ``agree_tool``, ``disagreement`` (the chance that two
        answers drawn at random differ)
        and ``answers`` (the spread, e.g. ``A literal: 12, B meta: 9``).
    agreement : dict
        Class agreement (:func:`agreement`) plus ``alpha_with_tool``,
        ``mean_kappa_tool`` and ``majority_agrees_tool``.
    disagreements : pandas.DataFrame
        The items the class disagreed on most, most divided first: discussion starters.
    problems : tuple of Problem
    """

    key: dict
    answers: object
    students: object
    items: object
    agreement: dict
    disagreements: object
    problems: tuple

    def __repr__(self) -> str:
        return (f"Grade({len(self.students)} students, {len(self.items)} items, alpha={_fmt(self.agreement['alpha'])}, "
                f"{len(self.problems)} problem{'s' * (len(self.problems) != 1)})")

    def table(self) -> str:
        """A plain-text summary for the terminal."""
        import pandas as pd

        a = self.agreement
        lines = [f"{len(self.students)} students, {len(self.items)} items, {len(self.answers)} answers"
                 f"{f', {len(self.problems)} problem' + 's' * (len(self.problems) != 1) if self.problems else ''}", ""]
        with pd.option_context("display.width", 120, "display.max_columns", 20, "display.max_colwidth", 40):
            cols = ["student_id", "answered", "correct", "score", "agree_majority", "agree_tool", "kappa_tool"]
            lines.append(self.students[cols].to_string(index=False, float_format=lambda v: f"{v:.2f}", na_rep="-"))
            lines.append("")
            cols = ["item_id", "difficulty", "n_answers", "expected", "tool", "majority", "p_correct", "disagreement"]
            lines.append(self.items[cols].to_string(index=False, float_format=lambda v: f"{v:.2f}", na_rep="-"))
        lines += ["", "Agreement",
                  f"  Krippendorff's alpha   {_fmt(a['alpha'])}   {_words_alpha(a['alpha'])}",
                  f"  Fleiss' kappa          {_fmt(a['fleiss_kappa'])}   {_words_kappa(a['fleiss_kappa'])}",
                  f"  multi-kappa            {_fmt(a['multi_kappa'])}",
                  f"  Cohen's kappa (mean)   {_fmt(a['cohen_kappa'])}   on {a['kappa_basis']}",
                  f"  class vs tool: mean Cohen's kappa {_fmt(a['mean_kappa_tool'])}, class majority agrees with the "
                  f"tool on {a['majority_agrees_tool']}"]
        if len(self.disagreements):
            lines += ["", "Most disagreement (discussion starters)"]
            for r in self.disagreements.itertuples(index=False):
                lines.append(f"  {r.item_id}: {r.answers}  ({r.prompt})")
        return "\n".join(lines)

    def to_html(self) -> str:
        """The class summary as a self-contained HTML page."""
        from .exercises import _environment

        env = _environment()
        css = env.get_template("style.css.j2").render(paper="a4")
        a = self.agreement
        rows = [
            ("Krippendorff's alpha", a["alpha"], _words_alpha(a["alpha"])),
            ("Fleiss' kappa", a["fleiss_kappa"], _words_kappa(a["fleiss_kappa"]) + f" agreement; {a['kappa_basis']}"),
            ("Davies-Fleiss multi-kappa", a["multi_kappa"], _words_kappa(a["multi_kappa"])),
            ("Cohen's kappa, mean over pairs", a["cohen_kappa"], _words_kappa(a["cohen_kappa"])),
            ("Class + tool as one more rater: alpha", a["alpha_with_tool"], "compare with the class alone"),
            ("Students vs tool: mean Cohen's kappa", a["mean_kappa_tool"], _words_kappa(a["mean_kappa_tool"])),
        ]
        return env.get_template("grade.html.j2").render(
            css=css, key=self.key, a=a, agreement_rows=[(n, _fmt(v), w) for n, v, w in rows],
            students=self.students.to_dict("records"), items=self.items.to_dict("records"),
            disagreements=self.disagreements.to_dict("records"), problems=[str(p) for p in self.problems],
            fmt=_fmt, n_answers=len(self.answers),
        )

    def save(self, path) -> None:
        """Write :meth:`to_html` to *path*."""
        from .._io import atomic_write_text

        atomic_write_text(path, self.to_html())

    def _repr_html_(self) -> str:
        from html import escape

        return f'<iframe srcdoc="{escape(self.to_html())}" style="width:100%;height:600px;border:1px solid #ccc"></iframe>'


def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    return f"{v:.2f}"


def grade(key, answers, *, roster=None, top: int = 5) -> Grade:
    """Grade a class: score each student, rate each item, measure agreement.

    Parameters
    ----------
    key : dict or path
        The answer key that ``discourse exercise --key`` wrote (:func:`read_key`).
    answers : path, list of paths or folders, or pandas.DataFrame
        The answer files (:func:`read_answers`).
    roster : path or list of str, optional
        The class's student ids; answers from others become problems.
    top : int, default 5
        How many most-disputed items to list in ``disagreements``.

    Returns
    -------
    Grade

    Warns
    -----
    DiscourseWarning
        Once, with the number of problems, when any answer row had one (the details
        are in ``Grade.problems``).

    Examples
    --------
    >>> import pandas as pd
    >>> key = {"format": "discourse-exercise-key", "version": 1, "kind": "frames", "items": [
    ...     {"id": f"F{i}", "prompt": "?", "options": [{"key": "A", "value": "metaphorical"},
    ...      {"key": "B", "value": "literal"}], "expected": "metaphorical", "tool": "metaphorical"} for i in (1, 2)]}
    >>> answers = pd.DataFrame({"student_id": ["ana", "ana", "ben", "ben"], "item_id": ["F1", "F2", "F1", "F2"],
    ...                         "answer": ["A", "A", "A", "B"]})
    >>> g = grade(key, answers)
    >>> g.students[["student_id", "correct", "score"]].values.tolist()
    [['ana', 2, 1.0], ['ben', 1, 0.5]]
    >>> g.items[["item_id", "p_correct", "disagreement"]].values.tolist()
    [['F1', 1.0, 0.0], ['F2', 0.5, 0.5]]
    """
    import pandas as pd

    key = read_key(key)
    if isinstance(top, bool) or not isinstance(top, int) or top < 0:
        raise SchemaError(f"top must be an int in the range [0, inf); got {top!r}.")
    df, problems = read_answers(answers, key, roster=roster)
    if problems:
        warnings.warn(f"{len(problems)} problem{'s' * (len(problems) != 1)} in the answer files (rows with a problem "
                      "were not graded; see Grade.problems)", DiscourseWarning, stacklevel=2)
    key_items = key["items"]
    graded_ids = [it["id"] for it in key_items if it.get("expected") is not None]
    by_item = {it["id"]: it for it in key_items}
    label = {it["id"]: {str(o["value"]): o for o in it["options"]} for it in key_items}

    def correct_values(it):
        if it.get("expected") is None:
            return set()
        return {str(it["expected"]), *map(str, it.get("also_accept") or [])}

    majority: dict = {}
    item_rows = []
    for it in key_items:
        iid = it["id"]
        vals = df.loc[df["item_id"] == iid, "value"]
        counts = vals.value_counts()
        n = int(len(vals))
        top_value = None
        if n:
            best = counts.max()
            # Ties go to the option listed first, so the result does not depend on file order.
            tied = [str(o["value"]) for o in it["options"] if counts.get(str(o["value"]), 0) == best]
            top_value = tied[0]
        majority[iid] = top_value
        right = correct_values(it)
        spread = ", ".join(f"{label[iid][v]['key']} {v}: {int(c)}" for v, c in
                           sorted(counts.items(), key=lambda kv: (-kv[1], label[iid][kv[0]]["key"])))
        item_rows.append({
            "item_id": iid,
            "kind": it.get("kind", key.get("kind", "")),
            "task": it.get("task", ""),
            "prompt": it.get("prompt", ""),
            "difficulty": it.get("difficulty", ""),
            "n_answers": n,
            "expected": it.get("expected"),
            "tool": it.get("tool"),
            "majority": top_value,
            "majority_share": float(counts.max() / n) if n else float("nan"),
            "p_correct": float(vals.isin(right).mean()) if n and right else float("nan"),
            "agree_tool": float((vals == str(it["tool"])).mean()) if n and it.get("tool") is not None else float("nan"),
            # Gini-Simpson: the chance that two answers drawn at random differ.
            "disagreement": float(1 - ((counts / n) ** 2).sum()) if n else float("nan"),
            "answers": spread,
        })
    items = pd.DataFrame(item_rows)
    tool = {it["id"]: str(it["tool"]) for it in key_items if it.get("tool") is not None}
    student_rows = []
    for student, g in df.groupby("student_id", sort=True):
        given = dict(zip(g["item_id"], g["value"]))
        correct = sum(1 for iid in graded_ids if given.get(iid) in correct_values(by_item[iid]))
        with_tool = [iid for iid in given if iid in tool]
        student_rows.append({
            "student_id": student,
            "files": ", ".join(dict.fromkeys(g["file"])),
            "answered": len(given),
            # NaN, not 0, when nothing can be right or wrong (open items only).
            "correct": correct if graded_ids else float("nan"),
            "graded_items": len(graded_ids),
            "score": correct / len(graded_ids) if graded_ids else float("nan"),
            "agree_majority": sum(given[i] == majority[i] for i in given) / len(given),
            "agree_tool": (sum(given[i] == tool[i] for i in with_tool) / len(with_tool)) if with_tool else float("nan"),
            "kappa_tool": _kappa_pair(given, tool),
        })
    students = pd.DataFrame(student_rows, columns=["student_id", "files", "answered", "correct", "graded_items", "score",
                                                   "agree_majority", "agree_tool", "kappa_tool"])
    agree = agreement(df)
    with_tool = pd.concat([df[["student_id", "item_id", "value"]],
                           pd.DataFrame({"student_id": "\x00tool", "item_id": list(tool), "value": list(tool.values())})],
                          ignore_index=True)
    with_tool = with_tool[with_tool["item_id"].isin(set(df["item_id"]))]
    agree["alpha_with_tool"] = agreement(with_tool)["alpha"] if len(df) else float("nan")
    kappas = students["kappa_tool"].dropna()
    agree["mean_kappa_tool"] = float(kappas.mean()) if len(kappas) else float("nan")
    judged = [iid for iid in tool if majority.get(iid) is not None]
    agree["majority_agrees_tool"] = f"{sum(majority[i] == tool[i] for i in judged)} of {len(judged)} items"
    ranked = items[items["n_answers"] >= 2].sort_values(["disagreement", "n_answers"], ascending=[False, False], kind="stable")
    ranked = ranked[ranked["disagreement"] > 0].head(top)
    return Grade(key=key, answers=df, students=students, items=items, agreement=agree,
                 disagreements=ranked.reset_index(drop=True), problems=tuple(problems))
