"""The teaching kit: worksheets, keys, answer templates, grading and agreement."""

from __future__ import annotations

import csv
import io
import json
import math
from fractions import Fraction

import pandas as pd
import pytest
from click.testing import CliRunner

import discourse
from discourse.cli import cli
from discourse.errors import DiscourseError, DiscourseWarning, InputFormatError, SchemaError
from discourse.teach import KINDS, grade, make_exercise, mask_profanity, read_answers, read_key
from discourse.teach.grading import agreement

from .conftest import ROOT


# --- masking ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, masked",
    [
        ("They will rot in hell, soulless turds.", "They will rot in hell, soulless t****."),
        ("people who piss and moan", "people who p*** and moan"),
        ("Shitty SHIT", "S***** S***"),
        ("Turdus merula is a bird; a dickens of a day; Scunthorpe", "Turdus merula is a bird; a dickens of a day; Scunthorpe"),
        ("", ""),
    ],
)
def test_teach_mask_profanity_keeps_length_and_first_letter(text, masked):
    assert mask_profanity(text) == masked
    assert len(mask_profanity(text)) == len(text)


# --- exercises on the fully analysed synthetic thread -------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_teach_exercise_every_kind_builds_worksheet_key_template(teach_corpus, kind):
    ex = make_exercise(teach_corpus, kind, n=5)
    items = ex.items
    assert 1 <= len(items) <= 5
    prefix = {"replies": "R", "frames": "F", "techniques": "P", "tone": "T"}[kind]
    assert [i["id"] for i in items] == [f"{prefix}{n}" for n in range(1, len(items) + 1)]
    for it in items:
        values = [o["value"] for o in it["options"]]
        assert [o["key"] for o in it["options"]] == [chr(65 + j) for j in range(len(values))]
        assert it["expected"] is None or it["expected"] in values
        assert it["tool"] is None or it["tool"] in values
        assert it["difficulty"] in ("easy", "medium", "hard")
        assert f'id="{it["id"]}"' in ex.worksheet
        if "passage" in it and "span" in it:
            cid = it["comment_ids"][0] if it["comment_ids"] else ""
            text = teach_corpus.threads["text"][0] if cid == "" else \
                teach_corpus.comments.set_index("comment_id").loc[cid, "text"]
            assert mask_profanity(text[it["span"]["start"]:it["span"]["end"]]) == it["passage"]["marked"]
    key = json.loads(json.dumps(ex.key))  # the key is plain JSON
    assert key["version"] == 1 and key["kind"] == kind and key["options"]["seed"] == 0
    assert key["source"]["thread_id"] == "t"
    assert read_key(key)["items"] == key["items"]
    rows = list(csv.DictReader(io.StringIO(ex.answers)))
    assert [r["item_id"] for r in rows] == [i["id"] for i in items]
    assert set(rows[0]) == {"student_id", "item_id", "answer", "choices"}
    assert ex.key["notes"], "teacher notes are built from the analysis"
    assert "Discussion questions" in ex.notes and "Discussion questions" not in ex.worksheet
    assert "Key:" in ex.notes and "Key:" not in ex.worksheet


def test_teach_exercise_is_reproducible_by_seed(teach_corpus):
    a = make_exercise(teach_corpus, "frames", n=4, seed=3)
    b = make_exercise(teach_corpus, "frames", n=4, seed=3)
    assert a.key == b.key and a.worksheet == b.worksheet
    picks = {tuple((tuple(i["comment_ids"]), i["span"]["start"]) for i in make_exercise(teach_corpus, "frames", n=4, seed=s).items)
             for s in range(8)}
    assert len(picks) > 1, "different seeds pick different items"


@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_teach_exercise_difficulty_prefers_that_level(teach_corpus, difficulty):
    ex = make_exercise(teach_corpus, "frames", n=2, difficulty=difficulty)
    assert [i["difficulty"] for i in ex.items] == [difficulty, difficulty]


def test_teach_exercise_mixed_takes_every_level(teach_corpus):
    ex = make_exercise(teach_corpus, "frames", n=6, difficulty="mixed")
    assert {i["difficulty"] for i in ex.items} == {"easy", "medium", "hard"}


def test_teach_exercise_more_items_than_candidates_says_so(teach_corpus):
    ex = make_exercise(teach_corpus, "replies", n=50)
    assert len(ex.items) == 8  # every comment but the first, which can only answer the post
    assert ex.key["selection_notes"] == ["asked for 50 items; the thread has 8"]


def test_teach_exercise_replies_expected_is_the_reconstruction(teach_corpus):
    ex = make_exercise(teach_corpus, "replies", n=8)
    by_comment = {i["comment_ids"][0]: i for i in ex.items}
    assert by_comment["c3"]["expected"] == "2" and "Lee" in by_comment["c3"]["evidence"]
    assert by_comment["c6"]["expected"] == "post"
    assert {"post", "2"} <= {o["value"] for o in by_comment["c3"]["options"]}
    assert "Which comment does comment #3 answer?" in ex.worksheet
    assert 'id="c9"' in ex.worksheet  # the comments are shown once, numbered


def test_teach_exercise_frames_has_stance_items_from_meta_spans(teach_corpus):
    ex = make_exercise(teach_corpus, "frames", n=20)
    stance = {i["comment_ids"][0]: i["expected"] for i in ex.items if i["task"] == "stance"}
    assert stance == {"c3": "rejects", "c4": "accepts"}
    senses = {i["expected"] for i in ex.items if i["task"] == "sense"}
    assert senses == {"metaphorical", "literal", "meta"}
    assert any("contests" in n or "contest" in n for n in ex.key["notes"])


def test_teach_exercise_techniques_offers_none_and_control_passages(teach_corpus):
    ex = make_exercise(teach_corpus, "techniques", n=20)
    assert all(i["options"][-1]["value"] == "none" for i in ex.items)
    expected = [i["expected"] for i in ex.items]
    assert {"name_calling", "insult", "slogans", "loaded_language", "bandwagon"} <= set(expected)
    assert "none" in expected
    assert "Glossary" in ex.worksheet and "Name-calling" in ex.worksheet


def test_teach_exercise_tone_is_open_and_flags_vader_traps(teach_corpus):
    ex = make_exercise(teach_corpus, "tone", n=9)
    assert all(i["expected"] is None for i in ex.items)
    traps = {i["comment_ids"][0]: i["traps"] for i in ex.items}
    assert "war words move the score" in traps["c5"]
    assert "possible sarcasm" in traps["c7"]
    assert "negation" in traps["c8"]
    assert "possible sarcasm" not in traps["c1"]


def test_teach_exercise_masks_by_default(teach_corpus):
    masked = make_exercise(teach_corpus, "replies", n=8)
    plain = make_exercise(teach_corpus, "replies", n=8, mask=False)
    assert "turds" not in masked.worksheet and "t****" in masked.worksheet
    assert "turds" in plain.worksheet


def test_teach_exercise_prints_on_a4_and_letter_and_projects(teach_corpus):
    a4 = make_exercise(teach_corpus, "tone", n=2).worksheet
    letter = make_exercise(teach_corpus, "tone", n=2, paper="letter", projector=True).worksheet
    assert "size: A4" in a4 and "size: letter" in letter
    assert '<body class="projector">' in letter and "<body>" in a4
    assert "@media print" in a4 and "#projector:target" in a4
    assert "<script" not in a4 and "http://" not in a4 and "https://" not in a4


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"kind": "memes"}, "kind must be one of ['replies', 'frames', 'techniques', 'tone']; got 'memes'."),
        ({"kind": "tone", "n": 0}, "n must be an int in the range [1, inf); got 0."),
        ({"kind": "tone", "difficulty": "brutal"}, "difficulty must be one of ['mixed', 'easy', 'medium', 'hard']; got 'brutal'."),
        ({"kind": "tone", "paper": "a3"}, "paper must be one of ['a4', 'letter']; got 'a3'."),
        ({"kind": "tone", "thread_id": "nope"}, "thread_id 'nope' is not in the corpus; its threads are ['t']."),
    ],
)
def test_teach_exercise_bad_options(teach_corpus, kwargs, message):
    kind = kwargs.pop("kind")
    with pytest.raises(SchemaError) as err:
        make_exercise(teach_corpus, kind, **kwargs)
    assert str(err.value) == message


@pytest.mark.parametrize("kind, what, stage_columns", [
    ("replies", "reply links", []),
    ("frames", "frame spans", ["frames"]),
    ("techniques", "technique or incivility spans", ["techniques", "incivility_labels"]),
])
def test_teach_exercise_names_the_missing_analysis(kind, what, stage_columns):
    bare = discourse.Corpus.from_frames(pd.DataFrame({"comment_id": ["1", "2"], "text": ["We lost.", "Thanks."]}))
    # Analysed with reply inference off: no reply links; the stage's columns dropped, as if it never ran.
    analysed = discourse.analyze(bare, infer_replies="never", topics="none")
    analysed = analysed.replace(comments=analysed.comments.drop(columns=stage_columns))
    with pytest.raises(DiscourseError) as err:
        make_exercise(analysed, kind)
    assert str(err.value).startswith(f"a {kind} exercise needs {what} in thread 'thread': ")
    # tone needs only sentiment, which make_exercise adds through the pipeline
    assert len(make_exercise(bare, "tone").items) == 2


def test_teach_exercise_degrades_to_what_exists(teach_corpus):
    only_frames = teach_corpus.replace(spans=teach_corpus.spans[teach_corpus.spans["kind"] == "frame"])
    assert make_exercise(only_frames, "frames", n=3).items
    with pytest.raises(DiscourseError, match="technique or incivility spans"):
        make_exercise(only_frames, "techniques")
    ex = make_exercise(only_frames.replace(spans=None).replace(comments=only_frames.comments.drop(
        columns=["incivility", "frames", "sentiment_frame_neutral_compound"])), "tone", n=3)
    assert len(ex.items) == 3


@pytest.mark.parametrize("kind", KINDS)
def test_teach_exercise_on_the_seed(seed_analysed, kind):
    """Every kind works on the seed once its analysis is there; until then the error names it."""
    needs = {"replies": lambda c: (c.comments["parent_confidence"] > 0).any(),
             "frames": lambda c: c.spans is not None and (c.spans["kind"] == "frame").any(),
             "techniques": lambda c: c.spans is not None and c.spans["kind"].isin(["technique", "incivility"]).any(),
             "tone": lambda c: "sentiment_compound" in c.comments}
    if needs[kind](seed_analysed):
        ex = make_exercise(seed_analysed, kind, n=6)
        assert len(ex.items) == 6
        assert "soulless t****" in ex.worksheet or "soulless turds" not in ex.worksheet
    else:
        with pytest.raises(DiscourseError, match=f"^a {kind} exercise needs "):
            make_exercise(seed_analysed, kind)


def test_teach_exercise_tone_on_the_seed_shows_whole_comments(seed_analysed):
    ex = make_exercise(seed_analysed, "tone", n=22)
    assert len(ex.items) == 22
    assert "I feel pretty much defeated." in ex.worksheet  # the last sentence of the longest comment
    assert "soulless t****" in ex.worksheet and "soulless turds" not in ex.worksheet
    sarcastic = [i for i in ex.items if "almighty city dweller" in i["card"]["text"]]
    assert sarcastic and "possible sarcasm" in sarcastic[0]["traps"]


# --- keys ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, error, message",
    [
        (None, InputFormatError, "key.json: no such key file; give the key.json that 'discourse exercise --key' wrote."),
        ("{\n  'a': 1}", InputFormatError, "key.json, line 2: the key is not valid JSON (Expecting property name enclosed in double quotes)."),
        ('{"items": []}', SchemaError, 'key.json: not a discourse answer key (expected a JSON object with "format": "discourse-exercise-key"); give the key.json that \'discourse exercise --key\' wrote.'),
        ('{"format": "discourse-exercise-key", "version": 9, "items": []}', SchemaError,
         "key.json: key version 9 is not supported (this discourse reads versions up to 1); update discourse or make the exercise again."),
        ('{"format": "discourse-exercise-key", "version": 1, "items": [{"id": "T1", "options": [{"key": "A", "value": "x"}], "expected": "y"}]}',
         SchemaError, "key.json: item T1: expected answer 'y' is not one of its option values ['x']."),
    ],
)
def test_teach_read_key_errors(tmp_path, monkeypatch, content, error, message):
    monkeypatch.chdir(tmp_path)
    if content is not None:
        (tmp_path / "key.json").write_text(content, encoding="utf-8")
    with pytest.raises(error) as err:
        read_key("key.json")
    assert str(err.value) == message


# --- answers and grading -----------------------------------------------------------------

def _key(items=("F1", "F2", "F3"), values=("metaphorical", "literal", "meta"), expected="metaphorical", tool=None):
    return {
        "format": "discourse-exercise-key", "version": 1, "kind": "frames", "title": "t",
        "source": {"thread_title": "x", "discourse_version": "0"},
        "items": [{"id": i, "kind": "frames", "prompt": f"question {i}",
                   "options": [{"key": chr(65 + j), "value": v, "label": v} for j, v in enumerate(values)],
                   "expected": expected, "tool": tool if tool is not None else expected} for i in items],
    }


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return p


@pytest.mark.parametrize(
    "files, problems",
    [
        ({"ana.csv": "student_id,item_id,answer\nana,F1,A\nana,F9,B\nana,F2,metaforical\n"},
         ["ana.csv, row 3, item F9: item 'F9' is not in the key; its items are F1, F2, F3",
          "ana.csv, row 4, item F2: 'metaforical' is not an answer to F2; write one of the letters A-C or a value: metaphorical, literal, meta",
          "ana.csv: student 'ana' did not answer 2 of 3 items (F2, F3); graded as unanswered"]),
        ({"ana.csv": "student_id,item_id,answer\nana,F1,A\nana,F1,B\nana,F2,b\nana,F3,Meta\n"},
         ["ana.csv, row 3, item F1: second answer from student 'ana' to F1 (the first is in ana.csv, row 2); the first is kept"]),
        ({"ana.csv": "name;answers\nana;A\n"},
         ["ana.csv, row 1: the header must be student_id,item_id,answer or student_id plus one column per item (F1, F2, F3); got ['name', 'answers']. Nothing in this file was graded"]),
        ({"ana.csv": b"\x00\x01binary"}, ["ana.csv: looks like a binary file (a spreadsheet?), not CSV; save it as CSV. Nothing was graded for it"]),
        ({"ana.csv": ""}, ["ana.csv: the file is empty; nothing was graded for it"]),
        ({"class.csv": "student_id,F1,F2,F3,F4\nana,A,B,C,A\nben,a,,c,\n"},
         ["class.csv, row 1: ignored columns ['F4']: not student_id, item_id, answer or an item of the key (F1, F2, F3)",
          "class.csv: student 'ben' did not answer 1 of 3 items (F2); graded as unanswered"]),
    ],
)
def test_teach_read_answers_problems_name_file_row_item(tmp_path, monkeypatch, files, problems):
    monkeypatch.chdir(tmp_path)
    paths = [_write(tmp_path, n, t).name for n, t in files.items()]
    _, found = read_answers(paths, _key())
    assert [str(p) for p in found] == problems


def test_teach_read_answers_missing_file_is_a_problem_not_a_crash(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "ben.csv", "student_id,item_id,answer\n,F1,A\n,F2,B\n,F3,C\n")
    df, found = read_answers(["gone.csv", "ben.csv"], _key())
    assert [str(p) for p in found] == ["gone.csv: no such file; check the path. Nothing was graded for it"]
    assert df["student_id"].unique().tolist() == ["ben"]  # blank ids take the file name


def test_teach_read_answers_excel_semicolons_bom_and_roster(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "a.csv", "\ufeffStudent ID;Item ID;Answer\nS01;f1;the post\nS01;F2;  B \nS99;F3;C\n".replace("the post", "A"))
    _write(tmp_path, "roster.txt", "student_id\nS01\nS02\n")
    df, found = read_answers(["a.csv"], _key(), roster="roster.txt")
    assert df[["student_id", "item_id", "value"]].values.tolist() == [["S01", "F1", "metaphorical"], ["S01", "F2", "literal"]]
    assert [str(p) for p in found] == [
        "a.csv, row 4, item F3: student id 'S99' is not on roster.txt (2 ids); fix the id or add the student to the roster",
        "a.csv: student 'S01' did not answer 1 of 3 items (F3); graded as unanswered",
        "roster.txt: no answers from 1 students on the roster: S02",
    ]


def test_teach_grade_partial_answers_score_partially(tmp_path):
    _write(tmp_path, "ana.csv", "student_id,item_id,answer\nana,F1,A\nana,F2,A\nana,F3,A\n")
    _write(tmp_path, "ben.csv", "student_id,item_id,answer\nben,F1,A\n")
    with pytest.warns(DiscourseWarning, match="^1 problem in the answer files"):
        g = grade(_key(), [tmp_path / "ana.csv", tmp_path / "ben.csv"])
    s = g.students.set_index("student_id")
    assert s.loc["ana", "score"] == 1.0 and s.loc["ben", "score"] == pytest.approx(1 / 3)
    assert s.loc["ben", "answered"] == 1
    assert g.items.set_index("item_id").loc["F2", "n_answers"] == 1


# Hand-computed agreement (worked by hand in the comments, then checked against nltk).
# Two raters, four items, a = x x y y, b = x y y y:
#   Cohen: Ao = 3/4, Ae = .5*.25 + .5*.75 = 1/2, kappa = (3/4 - 1/2) / (1/2) = 1/2
#   Krippendorff: 8 values (x 3, y 5); Do = 2/8, De = 2*3*5/(8*7) = 30/56, alpha = 1 - 14/30 = 8/15
# Three raters, four items: i1 x x x, i2 x x y, i3 y y y, i4 x y y (a b c):
#   Fleiss (1971): P_i = 1, 1/3, 1, 1/3, P = 2/3; p_x = p_y = 1/2, Pe = 1/2, kappa = 1/3
#   Davies-Fleiss: pairwise Ae = 1/2, 3/8, 1/2 -> 11/24; kappa = (2/3 - 11/24) / (13/24) = 5/13
#   Cohen, pairwise: (a,b) 1/2, (a,c) (1/2 - 3/8)/(5/8) = 1/5, (b,c) 1/2 -> mean 2/5
#   Krippendorff: Do = (2 + 2)/12 = 1/3, De = 2*6*6/(12*11) = 6/11, alpha = 1 - 11/18 = 7/18
AGREEMENT_CASES = [
    ({"a": "xxyy", "b": "xyyy"}, {"alpha": Fraction(8, 15), "cohen_kappa": Fraction(1, 2),
                                  "fleiss_kappa": Fraction(7, 15), "multi_kappa": Fraction(1, 2)}),
    ({"a": "xxyx", "b": "xxyy", "c": "xyyy"}, {"alpha": Fraction(7, 18), "fleiss_kappa": Fraction(1, 3),
                                               "multi_kappa": Fraction(5, 13), "cohen_kappa": Fraction(2, 5)}),
    ({"a": "xyxy", "b": "xyxy"}, {"alpha": 1, "cohen_kappa": 1, "fleiss_kappa": 1, "multi_kappa": 1}),
]
# Scott's pi for the two-rater case: p_x = 3/8, p_y = 5/8, Pe = 9/64 + 25/64 = 34/64;
# pi = (3/4 - 34/64) / (30/64) = (48 - 34) / 30 = 7/15.


@pytest.mark.parametrize("labels, expected", AGREEMENT_CASES)
def test_teach_agreement_matches_hand_computed_and_nltk(labels, expected):
    from nltk.metrics.agreement import AnnotationTask

    rows = [(c, f"i{n}", v) for c, vs in labels.items() for n, v in enumerate(vs, 1)]
    got = agreement(pd.DataFrame(rows, columns=["student_id", "item_id", "value"]))
    task = AnnotationTask(rows)
    for name, value in expected.items():
        assert got[name] == pytest.approx(float(value), abs=1e-9), name
    assert got["alpha"] == pytest.approx(task.alpha())
    assert got["cohen_kappa"] == pytest.approx(task.kappa())
    assert got["multi_kappa"] == pytest.approx(task.multi_kappa())
    assert got["fleiss_kappa"] == pytest.approx(task.pi())


@pytest.mark.parametrize("labels, expected", AGREEMENT_CASES[:2])
def test_teach_grade_reports_the_same_agreement_from_files(tmp_path, labels, expected):
    key = _key(items=("I1", "I2", "I3", "I4"), values=("x", "y"), expected="x")
    paths = []
    for student, vs in labels.items():
        text = "student_id,item_id,answer\n" + "".join(f"{student},I{n},{v}\n" for n, v in enumerate(vs, 1))
        paths.append(_write(tmp_path, f"{student}.csv", text))
    g = grade(key, paths)
    for name, value in expected.items():
        assert g.agreement[name] == pytest.approx(float(value)), name
    assert g.problems == ()


def test_teach_agreement_with_missing_answers_uses_complete_students():
    rows = [("a", "1", "x"), ("a", "2", "y"), ("b", "1", "x"), ("b", "2", "y"), ("c", "1", "x")]
    got = agreement(pd.DataFrame(rows, columns=["student_id", "item_id", "value"]))
    assert got["kappa_basis"] == "2 students x 2 items (the students who answered every item; 1 left out)"
    assert got["cohen_kappa"] == 1.0
    assert got["alpha"] == 1.0  # nltk's alpha keeps c's answer to item 1
    one = agreement(pd.DataFrame([("a", "1", "x")], columns=["student_id", "item_id", "value"]))
    assert math.isnan(one["alpha"]) and math.isnan(one["cohen_kappa"])


def test_teach_grade_items_difficulty_tool_and_disagreements(tmp_path):
    key = _key(tool="literal")
    answers = pd.DataFrame(
        [(s, i, a) for s, row in {"ana": "AAA", "ben": "ABA", "cy": "ABC", "dee": "AAB"}.items()
         for i, a in zip(("F1", "F2", "F3"), row)], columns=["student_id", "item_id", "answer"])
    g = grade(key, answers, top=2)
    items = g.items.set_index("item_id")
    assert items["p_correct"].tolist() == [1.0, 0.5, 0.5]
    assert items.loc["F1", "agree_tool"] == 0.0 and items.loc["F2", "agree_tool"] == 0.5
    assert g.disagreements["item_id"].tolist() == ["F3", "F2"]  # F3 splits 2/1/1, F2 splits 2/2
    assert g.disagreements["answers"][0] == "A metaphorical: 2, B literal: 1, C meta: 1"
    assert g.agreement["majority_agrees_tool"] == "0 of 3 items"
    students = g.students.set_index("student_id")
    assert students.loc["ana", "correct"] == 3 and students.loc["cy", "correct"] == 1
    html = g.to_html()
    assert "Discussion starters" in html and "Krippendorff" in html and "<script" not in html
    text = g.table()
    assert "Krippendorff's alpha" in text and "F3: A metaphorical: 2" in text


def test_teach_grade_open_items_are_not_scored(teach_corpus):
    ex = make_exercise(teach_corpus, "tone", n=3)
    answers = pd.DataFrame([(s, i["id"], "A") for s in ("ana", "ben") for i in ex.items],
                           columns=["student_id", "item_id", "answer"])
    g = grade(ex.key, answers)
    assert g.students["score"].isna().all()
    assert g.students["agree_majority"].tolist() == [1.0, 1.0]
    assert g.items["p_correct"].isna().all()


# --- command line ------------------------------------------------------------------------


@pytest.fixture
def runner():
    return CliRunner()


def test_teach_cli_exercise_and_grade_round_trip(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = [("c1", "", "We lost the vote."), ("c2", "c1", "Sorry, Ellen, but we lost because nobody voted."),
            ("c3", "c2", "Wow Duane, you misread me."), ("c4", "", "Great turnout next time!"),
            ("c5", "c3", "Fair enough, Ellen.")]
    pd.DataFrame(rows, columns=["comment_id", "parent_id", "text"]).to_csv("thread.csv", index=False)
    result = runner.invoke(cli, ["exercise", "thread.csv", "--kind", "replies", "-o", "w.html", "--key", "k.json",
                                 "--notes", "teacher.html", "-n", "3", "--seed", "1", "-q"])
    assert result.exit_code == 0, result.output
    key = json.loads((tmp_path / "k.json").read_text(encoding="utf-8"))
    assert len(key["items"]) == 3 and key["options"] == {"n": 3, "difficulty": "mixed", "seed": 1,
                                                          "mask_profanity": True, "paper": "a4"}
    template = (tmp_path / "w.answers.csv").read_text(encoding="utf-8")
    assert template.splitlines()[0] == "student_id,item_id,answer,choices"
    assert (tmp_path / "teacher.html").exists()
    # two students: one right everywhere, one answering "post" everywhere
    for student, pick in (("ana", lambda it: it["expected"]), ("ben", lambda it: "post")):
        lines = ["student_id,item_id,answer"] + [f"{student},{it['id']},{pick(it)}" for it in key["items"]]
        (tmp_path / f"{student}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["grade", "k.json", "ana.csv", "ben.csv", "-o", "class.html", "--csv", "s.csv"])
    assert result.exit_code == 0, result.output
    assert "Krippendorff's alpha" in result.stdout
    students = pd.read_csv(tmp_path / "s.csv")
    assert students.set_index("student_id").loc["ana", "score"] == 1.0
    assert "<h1>Who answers whom?</h1>" in (tmp_path / "class.html").read_text(encoding="utf-8")


def test_teach_cli_grade_problems_and_strict(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "k.json").write_text(json.dumps(_key()), encoding="utf-8")
    (tmp_path / "ana.csv").write_text("student_id,item_id,answer\nana,F1,A\nana,F2,Z\nana,F3,C\n", encoding="utf-8")
    result = runner.invoke(cli, ["grade", "k.json", "ana.csv"])
    assert result.exit_code == 0, result.output
    assert ("Problem: ana.csv, row 3, item F2: 'Z' is not an answer to F2; write one of the letters A-C or a value: "
            "metaphorical, literal, meta\n") in result.stderr
    assert "Warning: 2 problems in the answer files" in result.stderr
    result = runner.invoke(cli, ["grade", "k.json", "ana.csv", "--strict"])
    assert result.exit_code == 1
    assert result.stderr.endswith("Error: 2 problems in the answer files (see above); fix them or drop --strict.\n")


@pytest.mark.parametrize(
    "args, message",
    [
        (["exercise", "t.csv", "--kind", "frames", "-o", "w.html", "--key", "k.json", "-q"],
         "Error: a frames exercise needs metaphor-frame terms such as war words (only metaphor frames are read "
         "for a sense), and the analysis found none in the 2 comments of thread 't'; choose another kind "
         "(replies, techniques, tone) or another thread.\n"),
        (["grade", "missing.json", "a.csv"],
         "Error: missing.json: no such key file; give the key.json that 'discourse exercise --key' wrote.\n"),
    ],
)
def test_teach_cli_errors_are_one_line(runner, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    pd.DataFrame({"comment_id": ["1", "2"], "text": ["Thanks.", "Okay."]}).to_csv("t.csv", index=False)
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.output


# --- the notebook ------------------------------------------------------------------------


def test_teach_notebook_runs_top_to_bottom(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    path = ROOT / "notebooks" / "teaching.ipynb"
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "outputs must be stripped"
    nbclient.NotebookClient(nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "Krippendorff" in text


# --- printing (headless Chromium) -----------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("paper, media_box", [("a4", "0 0 594.95996 841.91998"), ("letter", "0 0 612 792")])
def test_teach_worksheet_prints_on_the_chosen_paper(teach_corpus, tmp_path, paper, media_box, chromium):
    import re

    path = tmp_path / "w.html"
    make_exercise(teach_corpus, "techniques", n=8, paper=paper).save(path)
    page = chromium.new_page()
    try:
        page.goto(path.as_uri())
        pdf = page.pdf(prefer_css_page_size=True)
        # Projector view: the link's target makes the root type larger.
        normal = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
        page.goto(path.as_uri() + "#projector")
        projected = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    finally:
        page.close()
    boxes = set(re.findall(rb"/MediaBox \[([^\]]*)\]", pdf))
    assert boxes == {media_box.encode()}
    assert projected > 1.5 * normal


def test_teach_lesson_quotes_the_seed_by_comment_number(seed_corpus):
    """The teacher's guide cites comments as '#N' with their opening words; they must match the seed."""
    import re

    guide = (ROOT / "corpora" / "zimmer-lesson.md").read_text(encoding="utf-8")
    texts = seed_corpus.comments["text"].tolist()
    cited = re.findall(r'^\| #(\d+) \| "([^"]+)"', guide, flags=re.M)
    assert len(cited) >= 8
    for number, words in cited:
        opening = words.split("...")[0].split("…")[0].strip()
        text = mask_profanity(texts[int(number) - 1]).replace("’", "'")
        assert 0 <= text.find(opening.replace("’", "'")) <= 2, (number, opening)
    for kind in KINDS:
        assert f"--kind $kind" in guide and kind in guide


# --- properties ---------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@given(st.text())
def test_teach_mask_profanity_never_moves_offsets(text):
    masked = mask_profanity(text)
    assert len(masked) == len(text)
    assert all(a == b or b == "*" for a, b in zip(text, masked))


_CELL = st.one_of(st.sampled_from(["F1", "f2", "F3", "F9", "A", "b", "meta", "", "ana", "ben", "Z", '"', "x,y"]),
                  st.text(max_size=6))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=st.lists(st.sampled_from(["student_id", "item_id", "answer", "F1", "F2", "junk", ""]), min_size=1, max_size=5),
       rows=st.lists(st.lists(_CELL, max_size=6), max_size=8))
def test_teach_grade_never_crashes_on_any_csv(tmp_path, header, rows):
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    path = tmp_path / "any.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiscourseWarning)
        g = grade(_key(), [path])
    assert len(g.items) == 3
    assert set(g.answers["item_id"]) <= {"F1", "F2", "F3"}
    assert g.table() and g.to_html().startswith("<!doctype html>")


def test_teach_make_exercise_does_not_change_the_corpus(teach_corpus):
    before_c, before_s = teach_corpus.comments.copy(), teach_corpus.spans.copy()
    for kind in KINDS:
        make_exercise(teach_corpus, kind, n=3)
    assert teach_corpus.comments.equals(before_c) and teach_corpus.spans.equals(before_s)


def test_teach_exercise_skips_spans_that_do_not_match_the_text(teach_corpus):
    spans = teach_corpus.spans.copy()
    frames = spans.index[spans["kind"] == "frame"]
    spans.loc[frames[0], "end"] = 10_000
    spans.loc[frames[1], "comment_id"] = "gone"
    with pytest.warns(DiscourseWarning, match="^2 frame spans of thread 't' do not match their comment's text"):
        ex = make_exercise(teach_corpus.replace(spans=spans), "frames", n=20)
    assert len([i for i in ex.items if i["task"] == "sense"]) == 9


@pytest.mark.parametrize("kind, what", [("frames", "metaphor-frame terms"), ("techniques", "persuasion techniques")])
def test_teach_exercise_on_an_analysed_thread_without_any_says_so(kind, what):
    # The stage ran and found nothing: the error must not send the user to analyse again.
    bare = discourse.Corpus.from_frames(pd.DataFrame({"comment_id": ["1", "2"], "text": ["We lost.", "Thanks."]}))
    analysed = discourse.analyze(bare, topics="none")
    with pytest.raises(DiscourseError) as err:
        make_exercise(analysed, kind)
    assert str(err.value).startswith(f"a {kind} exercise needs {what}")
    assert "the analysis found none in the 2 comments of thread 'thread'; choose another kind" in str(err.value)
    assert "discourse.analyze" not in str(err.value)


def test_teach_option_names_are_the_lexicons_names_not_identifiers():
    # A technique missing from the worksheet glossary still reads as the technique lexicon
    # names it, never as its key with the underscores turned into spaces.
    from discourse.teach.exercises import GLOSSARY, _pretty

    assert "black_and_white" not in GLOSSARY
    assert _pretty("black_and_white") == "Black-and-white fallacy"
    assert _pretty("war_metaphor") == "War metaphor"
    assert _pretty("public_good") == "Public good"
