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
