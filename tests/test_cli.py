"""The command line: exit codes, exact error text, the seed end to end."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from discourse.cli import cli

CONTRACT = [
    "thread_id", "comment_id", "parent_id", "author", "created_at", "text", "position", "depth",
    "parent_source", "parent_confidence", "parent_evidence", "author_source",
    "sentiment_compound", "sentiment_raw_compound", "sentiment_frame_neutral_compound",
]


@pytest.fixture
def runner():
    return CliRunner()


def test_cli_analyze_seed_gives_22_rows_with_contract_columns(runner, seed_path, tmp_path):
    out = tmp_path / "out.csv"
    result = runner.invoke(cli, ["analyze", str(seed_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "read as page (like-buttons layout)" in result.stderr
    df = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(df) == 22
    assert set(CONTRACT) <= set(df.columns)
    assert not df["text"].str.contains(r"^\s*Like(?:Like)?\s*$", regex=True).any()
    assert not df["text"].str.contains("LikeLike").any()


def test_cli_round_trip_keeps_ids_parents_text(runner, seed_path, tmp_path):
    out, again = tmp_path / "out.csv", tmp_path / "again.csv"
    assert runner.invoke(cli, ["analyze", str(seed_path), "-o", str(out)]).exit_code == 0
    result = runner.invoke(cli, ["analyze", str(out), "-o", str(again)])
    assert result.exit_code == 0, result.output
    a = pd.read_csv(out, dtype=str, keep_default_na=False)
    b = pd.read_csv(again, dtype=str, keep_default_na=False)
    for col in ("thread_id", "comment_id", "parent_id", "text"):
        assert a[col].tolist() == b[col].tolist()


def test_cli_report_writes_self_contained_html(runner, seed_path, tmp_path):
    out = tmp_path / "r.html"
    result = runner.invoke(cli, ["report", str(seed_path), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>")
    assert "Steve Zimmer has been on the Los Angeles Unified School Board" in html
    assert "soulless turds" in html
    assert "http://" not in html.split("<body>")[0] and "https://" not in html.split("<body>")[0]
    assert "<link" not in html and "<script src" not in html


@pytest.mark.parametrize(
    "args, files, message",
    [
        (["analyze", "missing.csv", "-o", "o.csv"], {}, "Error: missing.csv: no such file; check the path and the current directory.\n"),
        (["analyze", "empty.csv", "-o", "o.csv"], {"empty.csv": b""}, "Error: empty.csv: the file is empty; nothing to read.\n"),
        (["analyze", "bin.csv", "-o", "o.csv"], {"bin.csv": bytes(range(256)) * 4},
         "Error: bin.csv: looks like a binary file (it contains NUL bytes), not text; give a text export (CSV, JSON, JSONL, XML, HTML or a saved page) or a .parquet file.\n"),
        (["analyze", "notext.csv", "-o", "o.csv"], {"notext.csv": b"comment_id,words\n1,hi\n"},
         "Error: notext.csv: the comments table needs a 'text' column; got columns ['comment_id', 'words']. Rename the column holding the comment text to 'text'.\n"),
        (["analyze", "page.txt", "-o", "o.csv"], {"page.txt": b"Only a post, no comments."},
         "Error: page.txt: found no comments: the page has no comment buttons (Like, Reply), no 'Name says:' headers and no blank line between paragraphs. Put a blank line between the post and each comment, or add a line such as '3 comments' before the first comment.\n"),
        (["analyze", "ok.csv", "-o", "o.xlsx"], {"ok.csv": b"comment_id,text\n1,a\n"},
         "Error: cannot write 'o.xlsx': the output extension must be one of ['.csv', '.jsonl', '.ndjson', '.parquet', '.tsv']; got '.xlsx'.\n"),
        (["analyze", "when.csv", "-o", "o.csv"], {"when.csv": b"comment_id,created_at,text\n1,2024-01-01,a\n2,soon,b\n"},
         "Error: when.csv: created_at must hold ISO 8601 times (e.g. 2017-06-20T15:15:00Z); could not parse ['soon'] "
         "in comments ['2']. Correct those times, or leave the cells empty (a comment may have no time).\n"),
        (["analyze", "ok.csv", "-o", "ok.csv/o.csv"], {"ok.csv": b"comment_id,text\n1,a\n"},
         "Error: cannot write 'ok.csv/o.csv': a part of the path is a file, not a folder; choose a folder you can "
         "write to.\n"),
        (["graph", "ok.csv", "-o", "ok.csv/g.gexf"], {"ok.csv": b"comment_id,text\n1,a\n"},
         "Error: cannot write 'ok.csv/g.gexf': a part of the path is a file, not a folder; choose a folder you can "
         "write to.\n"),
        (["summarize", "ok.csv"], {"ok.csv": b"comment_id,text\n1,a\n"},
         "Error: ok.csv: summarize reads a Parquet corpus directory, not a file; make one with "
         "'discourse analyze ok.csv -o DIR/' and run 'discourse summarize DIR/'.\n"),
        (["analyze", "ok.csv", "-o", "o.csv", "--format", "xml"], {"ok.csv": b"comment_id,text\n1,a\n"},
         "Error: format must be one of ['commento', 'convokit', 'csv', 'disqus', 'hn', 'jsonl', 'page', 'parquet', "
         "'reddit', 'reddit-jsonl', 'wp-html', 'wp-rest', 'wxr']; got 'xml'.\n"),
    ],
)
def test_cli_errors_are_one_line_exit_1(runner, args, files, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # relative names, so the message is exact
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert result.stderr.endswith(message), result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args, message", [
    (["analyze", "ok.csv", "-o", "o.xlsx"], "cannot write 'o.xlsx': the output extension must be one of"),
    (["analyze", "ok.csv", "-o", "ok.csv/o.csv"], "cannot write 'ok.csv/o.csv': a part of the path is a file"),
    (["analyze", "ok.csv", "-o", "o.csv", "--spans", "ok.csv/s.csv"],
     "cannot write 'ok.csv/s.csv': a part of the path is a file"),
    (["analyze", "ok.csv", "-o", "new/deeper/o.csv", "--spans", "s.txt"], "cannot write 's.txt': the output extension"),
    (["report", "ok.csv", "-o", "ok.csv/r.html"], "cannot write 'ok.csv/r.html': a part of the path is a file"),
    (["graph", "ok.csv", "-o", "ok.csv/g.gexf"], "cannot write 'ok.csv/g.gexf': a part of the path is a file"),
    (["graph", "ok.csv", "-o", "g.png"], "the graph file must end in .graphml, .gexf or .json; got 'g.png'."),
])
def test_cli_bad_output_paths_fail_before_the_analysis(runner, args, message, tmp_path, monkeypatch):
    # A typo in -o must not cost the user a whole analysis first.
    from discourse import cli as cli_module

    def analysis(*args, **kwargs):
        raise AssertionError("the input was read and analysed before the output path was checked")

    monkeypatch.setattr(cli_module, "_read_and_analyze", analysis)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ok.csv").write_bytes(b"comment_id,text\n1,a\n")
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert f"Error: {message}" in result.stderr, result.stderr
    assert not (tmp_path / "new").exists()  # checking writes nothing


def test_cli_output_in_a_new_folder_is_still_written(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ok.csv").write_bytes(b"comment_id,text\n1,a\n")
    result = runner.invoke(cli, ["analyze", "ok.csv", "-o", "new/deeper/o.csv", "--topics", "none", "-q"])
    assert result.exit_code == 0, result.stderr
    assert pd.read_csv(tmp_path / "new" / "deeper" / "o.csv")["text"].tolist() == ["a"]


def test_cli_topics_option_is_validated(runner, seed_path, tmp_path):
    result = runner.invoke(cli, ["analyze", str(seed_path), "-o", str(tmp_path / "o.csv"), "--topics", "zero"])
    assert result.exit_code == 2
    assert "Invalid value for '--topics': must be a whole number, 'auto' or 'none'; got 'zero'." in result.stderr


@pytest.mark.parametrize("command", ["analyze", "report"])
def test_cli_help_has_example_and_contract_options(runner, command):
    result = runner.invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    for option in ("--format", "--order", "--infer-replies", "--topics", "--jobs"):
        assert option in result.output
    if command == "analyze":
        assert "--spans" in result.output


def test_cli_help_is_fast():
    import subprocess
    import sys
    import time

    # Measured against a bare interpreter start in the same run, as a ratio: the machine is shared.
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    base = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "discourse", "--help"], check=True, capture_output=True, text=True)
    took = time.perf_counter() - t0
    assert "analyze" in out.stdout
    # Lazy imports: no pandas, sklearn or nltk behind --help.
    probe = subprocess.run(
        [sys.executable, "-c", "import sys, discourse.cli; print(sorted(m for m in ('pandas','sklearn','nltk','networkx') if m in sys.modules))"],
        check=True, capture_output=True, text=True,
    )
    assert probe.stdout.strip() == "[]"
    assert took < base + 2.0


def test_cli_analyze_says_what_it_wrote_including_the_spans(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "one.csv").write_text("comment_id,text\n1,We must fight this war on schools!\n")
    result = runner.invoke(cli, ["analyze", "one.csv", "-o", "o.csv", "--spans", "s.csv", "--topics", "none"])
    assert result.exit_code == 0, result.output
    n = len(pd.read_csv(tmp_path / "s.csv"))
    assert n > 0
    assert "one.csv: read as csv; 1 thread, 1 record seen, 1 comment kept" in result.stderr
    assert result.stderr.endswith(f"wrote 1 comment to o.csv\nwrote {n} evidence spans to s.csv\n")


def test_cli_duplicate_ids_in_a_table_are_warned_about_not_fatal(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dup.csv").write_bytes(b"comment_id,text\n1,a\n1,b\n")
    result = CliRunner().invoke(cli, ["analyze", "dup.csv", "-o", "o.csv", "--topics", "none"])
    assert result.exit_code == 0, result.output
    assert ("Warning: dup.csv: 1 row repeats a comment id already read in its thread: 1 with a different parent, "
            "author, time or text (e.g. dup/1); the first of each id was kept and the repeats skipped. If those are "
            "different comments, give each a unique comment_id within its thread\n") in result.stderr
    assert "skipped 1 conflicting duplicate id" in result.stderr


def _bad_lines(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"comment_id": "1", "text": "Hi all."}\n{"comment_id": "2", "text": "Hi!"}\n{broken\n')
    return path


@pytest.mark.parametrize("output", ["out.csv", "corpus/"])
def test_cli_strict_makes_a_data_problem_an_error(runner, tmp_path, output):
    path = _bad_lines(tmp_path)
    args = ["analyze", str(path), "-o", str(tmp_path / output), "--topics", "none"]
    lenient = runner.invoke(cli, args)
    assert lenient.exit_code == 0, lenient.output
    warning = next(line for line in lenient.stderr.splitlines() if line.startswith("Warning: ") and "not a JSON" in line)
    strict = runner.invoke(cli, [*args[:2], "-o", str(tmp_path / ("again-" + output)), *args[4:], "--strict"])
    assert strict.exit_code == 1, strict.output
    # The warning's own message, as an error, and no traceback.
    assert "Error: " + warning[len("Warning: "):] in strict.stderr
    assert "Traceback" not in strict.output
    assert not (tmp_path / ("again-" + output)).is_file()


@pytest.mark.parametrize("verb", ["report", "graph", "export", "exercise"])
def test_cli_strict_is_an_option_of_every_reading_verb(runner, tmp_path, verb):
    path = _bad_lines(tmp_path)
    out = {"report": "r.html", "graph": "g.gexf", "export": "ck/", "exercise": "w.html"}[verb]
    args = [verb, str(path), "-o", str(tmp_path / out), "--strict"]
    args += ["--kind", "tone", "--key", str(tmp_path / "k.json")] if verb == "exercise" else []
    result = runner.invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert "Error: " in result.stderr and "not a JSON object" in result.stderr


def test_cli_repair_warning_names_the_file_in_memory_and_on_disk(runner, tmp_path):
    path = tmp_path / "orphan.csv"
    path.write_text("comment_id,parent_id,text\n1,,Hello there.\n2,9,Hi!\n")
    for output in ("out.csv", "corpus/"):
        result = runner.invoke(cli, ["analyze", str(path), "-o", str(tmp_path / output), "--topics", "none"])
        assert result.exit_code == 0, result.output
        assert f"Warning: {path}: reply links repaired: 1 orphan; those comments" in result.stderr, output
