"""Report: a self-contained HTML page per corpus.

One file, no network requests: CSS is inlined at render time, there is no CDN and no
web font. Every comment is untrusted text; Jinja2 autoescapes everything, and links are
made only for http and https URLs.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import os

__all__ = ["Report", "environment", "render", "report"]


@functools.lru_cache(maxsize=1)
def environment():
    """The one Jinja2 environment: package templates, autoescaping, strict undefined."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("discourse", "report/templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def _static(name: str) -> str:
    from importlib.resources import files

    return (files("discourse") / "report" / "static" / name).read_text(encoding="utf-8")


@dataclasses.dataclass(frozen=True)
class Report:
    """A rendered report. Displays inline in Jupyter; :meth:`save` writes it."""

    html: str

    def save(self, path) -> None:
        """Write the page to *path* atomically."""
        from .._io import atomic_write_text

        atomic_write_text(path, self.html)

    def _repr_html_(self) -> str:
        from html import escape

        return f'<iframe srcdoc="{escape(self.html)}" style="width:100%;height:600px;border:1px solid #ccc"></iframe>'

    def __str__(self) -> str:
        return self.html


def _sentiment_class(value) -> str:
    if value is None or value != value:
        return "neu"
    if value >= 0.05:
        return "pos"
    if value <= -0.05:
        return "neg"
    return "neu"


def render(corpus, *, generated_at: str | None = None, version: str | None = None) -> str:
    """Render an analysed corpus as an HTML page (a string).

    ``generated_at`` and ``version`` are printed in the footer; pass fixed values to get
    byte-identical output (golden tests do).
    """
    from .. import __version__

    env = environment()
    template = env.get_template("thread.html.j2")
    comments = corpus.comments
    threads = []
    for t in corpus.threads.to_dict("records"):
        rows = comments[comments["thread_id"] == t["thread_id"]].sort_values("position", kind="stable")
        items = []
        for c in rows.to_dict("records"):
            s = c.get("sentiment_compound")
            items.append({
                "id": c["comment_id"],
                "text": c["text"],
                "author": c["author"] or "",
                "author_source": c.get("author_source", ""),
                "parent_id": c["parent_id"],
                "parent_source": c.get("parent_source", ""),
                "parent_confidence": c.get("parent_confidence"),
                "parent_evidence": c.get("parent_evidence", ""),
                "depth": int(c["depth"]) if c.get("depth") == c.get("depth") and c.get("depth") is not None else 1,
                "sentiment": None if s is None or s != s else float(s),
                "sentiment_class": _sentiment_class(s),
                "created_at": "" if c["created_at"] is None or c["created_at"] != c["created_at"] else str(c["created_at"]),
            })
        threads.append({"thread": t, "comments": items})
    reports = [r.summary() for r in corpus.ingest]
    return template.render(
        title=(corpus.threads["title"].iloc[0] if len(corpus.threads) == 1 else f"{len(corpus.threads)} threads") or "Thread report",
        threads=threads,
        ingest=reports,
        n_comments=len(comments),
        css=_static("report.css"),
        generated_at=generated_at or _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        version=version or __version__,
    )


def report(corpus, path=None, *, analyze: bool = True) -> Report:
    """Build the HTML report of *corpus*; write it to *path* when given.

    Parameters
    ----------
    corpus : Corpus
        Read with :func:`discourse.read`; analysed first unless ``analyze=False``
        or it already carries sentiment columns.
    path : str or path-like, optional
        Where to write the page.

    Returns
    -------
    Report
        Shows inline in Jupyter; ``.html`` is the page, ``.save(path)`` writes it.
    """
    if analyze and "sentiment_compound" not in corpus.comments.columns:
        from ..pipeline import analyze as run

        corpus = run(corpus)
    page = Report(render(corpus))
    if path is not None:
        page.save(os.fspath(path))
    return page
