"""The progress helper: quiet unless asked, a tqdm bar on stderr when shown."""

from __future__ import annotations

import pytest

from discourse import progress


@pytest.mark.parametrize("default, given, expected", [
    (False, None, False), (True, None, True), (True, False, False), (False, True, True),
])
def test_progress_enabled_table(default, given, expected):
    with progress.shown(default):
        assert progress.enabled(given) is expected


def test_progress_quiet_by_default_counts_anyway(capsys):
    with progress.bar(total=4, desc="work", unit="rows") as b:
        b.update(3)
        b.update()
    assert b.count == 4
    assert capsys.readouterr().err == ""


def test_progress_shown_draws_a_bar_on_stderr(capsys):
    with progress.shown():
        with progress.bar(total=5, desc="analyse", unit="partitions") as b:
            b.set_total(6)
            b.update(6)
    err = capsys.readouterr().err
    assert "analyse" in err and "6/6" in err
