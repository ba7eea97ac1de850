"""discourse: analyse comment threads.

Read exports into tidy tables, recover who replied to whom, score sentiment, frames and
civility with evidence spans, find topics, and write self-contained HTML reports.

>>> import discourse
>>> corpus = discourse.read("corpora/zimmer-concession-2017.txt")  # doctest: +SKIP
>>> analysed = discourse.analyze(corpus)                            # doctest: +SKIP
>>> discourse.report(analysed, "report.html")                       # doctest: +SKIP

The stage modules (``discourse.graph``, ``discourse.sentiment``, ``discourse.framing``,
``discourse.civility``, ``discourse.topics``, ``discourse.replies``, ``discourse.segment``,
...; see ``discourse.SUBMODULES``) hold the per-stage functions that ``analyze`` chains.
Heavy libraries load on first use, so ``import discourse`` stays fast.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

__all__ = [
    "Corpus",
    "DiscourseError",
    "DiscourseWarning",
    "IngestReport",
    "InputFormatError",
    "SchemaError",
    "ThreadStructureError",
    "Topics",
    "analyze",
    "fit_topics",
    "grade",
    "make_exercise",
    "read",
    "report",
    "to_convokit",
]

_LAZY = {
    "Corpus": "discourse.model",
    "IngestReport": "discourse.model",
    "DiscourseError": "discourse.errors",
    "DiscourseWarning": "discourse.errors",
    "InputFormatError": "discourse.errors",
    "SchemaError": "discourse.errors",
    "ThreadStructureError": "discourse.errors",
    "Topics": "discourse.topics",
    "analyze": "discourse.pipeline",
    "fit_topics": "discourse.topics",
    "grade": "discourse.teach",
    "make_exercise": "discourse.teach",
    "read": "discourse.ingest",
    "report": "discourse.report",
    "to_convokit": "discourse.ingest",
}

# Stage modules, reachable as ``discourse.graph`` etc. after a bare ``import discourse``.
SUBMODULES = ("civility", "errors", "framing", "graph", "ingest", "model", "pipeline", "replies",
              "segment", "sentiment", "store", "topics")


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if name in SUBMODULES:
        return importlib.import_module(f"discourse.{name}")
    raise AttributeError(f"module 'discourse' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__) | set(SUBMODULES))
