"""Helpers shared by the benchmarks: where the data is, timing, memory, results."""

from __future__ import annotations

import json
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def data_dir(*parts: str) -> Path:
    """``$DISCOURSE_DATA/parts...``; exits with a message (status 0) when it is absent."""
    base = Path(os.environ.get("DISCOURSE_DATA", ROOT.parent / "shared" / "data"))
    path = base.joinpath(*parts)
    if not path.exists():
        print(f"skipped: {path} does not exist; set DISCOURSE_DATA to the shared data folder.")
        sys.exit(0)
    return path


def timed(func, *args, repeat: int = 1, **kwargs):
    """Run ``func`` ``repeat`` times; return (last result, best seconds)."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = func(*args, **kwargs)
        best = min(best, time.perf_counter() - t0)
    return result, best


def peak_memory(func, *args, **kwargs):
    """Run ``func`` under tracemalloc; return (result, peak MiB of Python allocations)."""
    tracemalloc.start()
    try:
        result = func(*args, **kwargs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak / 2**20


def markdown_table(rows: list[dict], columns: list[str] | None = None) -> str:
    """Rows of dicts as a Markdown table."""
    if not rows:
        return "(no rows)"
    columns = columns or list(rows[0])
    out = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for r in rows:
        out.append("| " + " | ".join(_fmt(r.get(c, "")) for c in columns) + " |")
    return "\n".join(out)


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def save(name: str, payload) -> Path:
    """Write results to ``bench/results/<name>.json``."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")
    return path
