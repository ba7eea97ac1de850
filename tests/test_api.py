"""The public API: explicit, sorted, importable; the notebook entry points."""

from __future__ import annotations

import subprocess
import sys

import pytest

import discourse


def test_api_all_is_sorted_and_exists():
    assert discourse.__all__ == sorted(discourse.__all__)
    for name in discourse.__all__:
        assert getattr(discourse, name) is not None, name


def test_api_import_is_light():
    out = subprocess.run(
        [sys.executable, "-c", "import sys, discourse; print(sorted(m for m in ('pandas','sklearn','nltk','networkx','vaderSentiment') if m in sys.modules))"],
        check=True, capture_output=True, text=True,
    )
    assert out.stdout.strip() == "[]"


def test_api_read_analyze_report(seed_analysed, tmp_path):
    assert len(seed_analysed.comments) == 22
    assert (seed_analysed.comments["depth"] >= 1).all()
    page = discourse.report(seed_analysed, tmp_path / "r.html")
    assert (tmp_path / "r.html").read_text(encoding="utf-8") == page.html
    assert "<iframe" in page._repr_html_()
    assert seed_analysed.graph.number_of_nodes() == 23


def test_api_analyze_does_not_change_input(seed_corpus):
    before = seed_corpus.comments.copy()
    discourse.analyze(seed_corpus)
    assert seed_corpus.comments.equals(before)


def test_api_analyze_and_report_take_a_comments_dataframe_and_read_says_how():
    # In a notebook the table is often already a DataFrame (pd.read_csv); it raised AttributeError.
    import pandas as pd

    df = pd.DataFrame({"comment_id": ["1", "2"], "parent_id": ["", "1"], "text": ["We must fight.", "No."]})
    got = discourse.analyze(df, topics="none")
    want = discourse.analyze(discourse.Corpus.from_frames(df), topics="none")
    pd.testing.assert_frame_equal(got.comments, want.comments)
    assert discourse.report(df).html.startswith("<!doctype html>")
    with pytest.raises(discourse.InputFormatError, match=r"read needs a file or directory path .*Corpus.from_frames"):
        discourse.read(df)
    with pytest.raises(discourse.SchemaError, match="analyze takes a Corpus .* or a comments DataFrame; got a list"):
        discourse.analyze([1, 2])


def test_api_stage_modules_are_attributes_of_the_package():
    # A notebook types discourse.graph.reply_graph(...) after a bare `import discourse`;
    # the stage modules load on first use like the names in __all__.
    code = ("import sys, discourse; "
            "print(discourse.graph.reply_graph.__module__, 'discourse.sentiment' in sys.modules, "
            "sorted(set(discourse.SUBMODULES) - set(dir(discourse))))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.split() == ["discourse.graph", "False", "[]"]
