"""Generate the CLI reference in README.md from ``--help`` (run through cog).

``cog -r README.md`` rewrites the block; the test suite runs ``cog --check`` so the
reference can never go stale.
"""

from __future__ import annotations

import click
from click.testing import CliRunner


def _commands(group, prefix):
    yield prefix, group
    if isinstance(group, click.Group):
        for name in sorted(group.commands):
            yield from _commands(group.commands[name], prefix + [name])


def reference() -> str:
    """Markdown: one heading and one ``--help`` block per command."""
    from discourse.cli import cli

    runner = CliRunner()
    out = []
    for path, _command in _commands(cli, []):
        result = runner.invoke(cli, path + ["--help"], prog_name="discourse", terminal_width=88)
        title = " ".join(["discourse"] + path)
        out.append(f"### `{title}`\n\n```\n{result.output.rstrip()}\n```\n")
    return "\n".join(out)


if __name__ == "__main__":
    print(reference())
