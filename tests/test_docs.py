"""Docs that cannot go stale: the README's CLI reference is generated from --help."""

from __future__ import annotations

import subprocess
import sys

import click

from discourse.cli import cli

from .conftest import ROOT


def test_docs_cli_reference_matches_help():
    result = subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", "README.md"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, "README.md's command reference is stale; run: .venv/bin/cog -r README.md\n" + result.stdout + result.stderr


def _all_commands(group, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _all_commands(command, (*prefix, name))


def test_docs_every_command_has_help_with_an_example():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path, command in _all_commands(cli):
        assert command.help, f"discourse {' '.join(path)} has no help text"
        if not isinstance(command, click.Group):
            assert "Example:" in command.help, f"discourse {' '.join(path)} has no Example: block"
        assert f"### `discourse {' '.join(path)}`" in readme


def test_docs_ingest_table_lists_every_file_under_formats(tmp_path):
    # The benchmark's README table once showed a ConvoKit directory as one row and said nothing
    # of its five files, nor of the documentation files a folder read leaves out.
    from bench import ingest as bench_ingest

    base = tmp_path / "formats"
    files = {"convokit/utterances.jsonl": '{"id": "p", "conversation_id": "p", "text": "Post", "reply-to": null}\n'
                                          '{"id": "c", "conversation_id": "p", "text": "Hi", "reply-to": "p"}\n',
             "convokit/speakers.json": "{}", "convokit/SOURCE.md": "where from", "csv/a.csv": "comment_id,text\n1,hi\n",
             "csv/LICENSE_MIT.txt": "MIT", "csv/notes.md": "# just notes", ".cache/x.csv": "comment_id,text\n1,hi\n"}
    for name, text in files.items():
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        (base / name).write_text(text)
    rows = bench_ingest.part1(base)
    others = bench_ingest.left_out(base, rows)
    table = bench_ingest.readme_table(rows, others)
    assert sorted(r["file"] for r in rows) == ["convokit", "csv/a.csv"]
    assert {o["file"]: o["why"] for o in others} == {
        ".cache/x.csv": "hidden", "convokit/SOURCE.md": "documentation or licence",
        "convokit/speakers.json": "part of the ConvoKit corpus `convokit` (read as one source)",
        "convokit/utterances.jsonl": "part of the ConvoKit corpus `convokit` (read as one source)",
        "csv/LICENSE_MIT.txt": "documentation or licence", "csv/notes.md": "Markdown without a comment section"}
    assert all(f"`{name}`" in table for name in files)
