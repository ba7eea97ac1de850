"""Atomic writes: an interrupted write leaves no partial target and an old target intact.

Each writer of the package is interrupted midway (its low-level write is replaced by one
that writes half the bytes and then raises KeyboardInterrupt, as Ctrl-C would); the
target must then be either absent or byte-for-byte the old file, with no temporary left.
"""

from __future__ import annotations

import pathlib

import pandas as pd
import pytest

import discourse
from discourse._io import atomic_path, atomic_write_text

OLD = "old complete content\n"


def _interrupt_text_writes(monkeypatch):
    real = pathlib.Path.write_text

    def half_then_interrupt(self, data, *args, **kwargs):
        real(self, data[: len(data) // 2], *args, **kwargs)
        raise KeyboardInterrupt("simulated interruption")

    monkeypatch.setattr(pathlib.Path, "write_text", half_then_interrupt)


def _assert_untouched(folder, target, existed):
    if existed:
        assert target.read_text() == OLD
    else:
        assert not target.exists()
    leftovers = [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


@pytest.fixture(params=[False, True], ids=["new", "existing"])
def target_state(request):
    return request.param


def _prepare(tmp_path, name, existed):
    target = tmp_path / name
    if existed:
        target.write_text(OLD)
    return target


def test_atomic_path_leaves_old_file_on_error(tmp_path, target_state):
    target = _prepare(tmp_path, "out.txt", target_state)
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("boom")
    _assert_untouched(tmp_path, target, target_state)


def test_atomic_write_text_interrupted(tmp_path, target_state, monkeypatch):
    target = _prepare(tmp_path, "out.html", target_state)
    _interrupt_text_writes(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(target, "<html>" + "x" * 10_000)
    _assert_untouched(tmp_path, target, target_state)


@pytest.mark.parametrize("suffix,method", [(".csv", "to_csv"), (".tsv", "to_csv"), (".jsonl", "to_json"),
                                           (".parquet", "to_parquet")])
def test_atomic_write_table_interrupted(tmp_path, target_state, monkeypatch, suffix, method, tiny_comments):
    from discourse.ingest.tabular import write_table

    target = _prepare(tmp_path, f"out{suffix}", target_state)
    real = getattr(pd.DataFrame, method)

    def half_then_interrupt(self, path, *args, **kwargs):
        real(self.head(len(self) // 2), path, *args, **kwargs)
        raise KeyboardInterrupt("simulated interruption")

    monkeypatch.setattr(pd.DataFrame, method, half_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_table(tiny_comments, target)
    _assert_untouched(tmp_path, target, target_state)


@pytest.mark.parametrize("suffix,func", [(".graphml", "write_graphml"), (".gexf", "write_gexf"), (".json", None)])
def test_atomic_write_graph_interrupted(tmp_path, target_state, monkeypatch, suffix, func, tiny_comments):
    import networkx as nx

    from discourse.graph import interaction_graph, write_graph

    g = interaction_graph(discourse.model.normalize_comments(tiny_comments))
    target = _prepare(tmp_path, f"g{suffix}", target_state)
    if func is None:
        _interrupt_text_writes(monkeypatch)
    else:
        real = getattr(nx, func)

        def half_then_interrupt(graph, path, *args, **kwargs):
            real(graph, path, *args, **kwargs)
            pathlib.Path(path).write_bytes(pathlib.Path(path).read_bytes()[:100])
            raise KeyboardInterrupt("simulated interruption")

        monkeypatch.setattr(nx, func, half_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_graph(g, target)
    _assert_untouched(tmp_path, target, target_state)


def test_atomic_report_interrupted(tmp_path, target_state, monkeypatch, seed_analysed):
    from discourse.report import report

    target = _prepare(tmp_path, "report.html", target_state)
    page = report(seed_analysed, analyze=False)
    _interrupt_text_writes(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        page.save(target)
    _assert_untouched(tmp_path, target, target_state)


def test_atomic_worksheet_key_and_grading_interrupted(tmp_path, target_state, monkeypatch, seed_analysed):
    from discourse.teach import make_exercise

    ex = make_exercise(seed_analysed, "frames", n=3, analyze=False)
    names = ["sheet.html", "key.json", "sheet.answers.csv", "notes.html"]
    targets = [_prepare(tmp_path, n, target_state) for n in names]
    _interrupt_text_writes(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        ex.save(targets[0], key=targets[1], answers=targets[2], notes=targets[3])
    for t in targets:
        _assert_untouched(tmp_path, t, target_state)


def test_atomic_convokit_export_interrupted(tmp_path, target_state, monkeypatch, seed_corpus):
    out = tmp_path / "ck"
    out.mkdir()
    names = ["utterances.jsonl", "speakers.json", "conversations.json", "corpus.json", "index.json"]
    targets = [_prepare(out, n, target_state) for n in names]
    _interrupt_text_writes(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        discourse.to_convokit(seed_corpus, out)
    for t in targets:
        _assert_untouched(out, t, target_state)
