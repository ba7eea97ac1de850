"""Report: self-contained HTML pages for one thread or a whole corpus.

A *thread report* shows the post and the reply tree with every score's evidence, charts
of sentiment, frames, topics, who answers whom and heated exchanges, the frame debate, and
the methods behind the numbers. A *corpus report* (more than one thread) shows
distributions, frames and topics across threads and over time, the most heated threads,
and links to one thread report per thread, written beside it.

Every page is one file that makes no network request: CSS, the small script and the SVG
charts are inlined, there is no CDN and no web font, and a Content-Security-Policy allows
only the page's own script (by its SHA-256 hash). Every comment, name, title and URL is
untrusted: one Jinja2 environment autoescapes everything, links are made only for http(s)
URLs, and no data ever lands inside a ``<script>`` or ``<style>`` element. The page reads
fully without JavaScript; the script only adds folding, filtering and keyboard moves.

The rendering path is ``corpus -> view model -> template``: :mod:`discourse.report.view`
turns the tables into plain dicts, and the templates in ``report/templates`` only lay
them out. A folder of your own templates (``template_dir=``) is searched first.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import functools
import hashlib
import os
import re
import sys
import types
from pathlib import Path

__all__ = ["Report", "environment", "page_names", "render", "render_corpus", "render_thread", "report"]


@functools.lru_cache(maxsize=4)
def environment(template_dir: str | None = None):
    """The Jinja2 environment: autoescaping, strict undefined, user templates first.

    Parameters
    ----------
    template_dir : str, optional
        A folder whose templates override the package's (same file names).

    Examples
    --------
    >>> env = environment()
    >>> env.from_string("{{ x }}").render(x="<b>")
    '&lt;b&gt;'
    """
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined, select_autoescape

    loaders = [PackageLoader("discourse", "report/templates")]
    if template_dir:
        loaders.insert(0, FileSystemLoader(str(template_dir)))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    from ..lexicons import readable

    env.filters["readable"] = readable  # frame and technique identifiers as readers say them
    return env


@functools.lru_cache(maxsize=None)
def _static(name: str) -> str:
    from importlib.resources import files

    return (files("discourse") / "report" / "static" / name).read_text(encoding="utf-8")


def _script_hash(js: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(js.encode("utf-8")).digest()).decode("ascii")


@dataclasses.dataclass(frozen=True)
class Report:
    """A rendered report. Displays inline in Jupyter; :meth:`save` writes it.

    Attributes
    ----------
    html : str
        The page.
    pages : dict
        For a corpus report: relative file name -> HTML of each thread's own page.
    """

    html: str
    pages: dict = dataclasses.field(default_factory=dict)

    def save(self, path) -> None:
        """Write the page to *path*, and the thread pages beside it, each atomically.

        The thread pages go first, so a reader who opens the overview finds every link working.
        """
        from .._io import atomic_write_text

        path = Path(path)
        for name, html in self.pages.items():
            atomic_write_text(path.parent / name, html)
        atomic_write_text(path, self.html)

    def _repr_html_(self) -> str:
        from html import escape

        # srcdoc keeps the page's own CSS and CSP away from the notebook's.
        return (f'<iframe srcdoc="{escape(self.html)}" title="discourse report" '
                'style="width:100%;height:640px;border:1px solid #ccc;border-radius:6px"></iframe>')

    def __str__(self) -> str:
        return self.html


def _common(generated_at, version) -> dict:
    from .. import __version__

    js = _static("report.js")
    return {
        "css": _static("report.css"),
        "js": js,
        "script_hash": _script_hash(js),
        "generated_at": generated_at or _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "version": version or __version__,
    }


_THREAD_NAV = [("#overview", "Overview"), ("#post", "Post"), ("#conversation", "Conversation"), ("#sentiment", "Sentiment"),
               ("#frames", "Frames"), ("#debate", "Frame debate"), ("#civility", "Civility"), ("#topics", "Topics"),
               ("#network", "Who answers whom"), ("#heated", "Heated"), ("#methods", "Methods")]
_CORPUS_NAV = [("#overview", "Overview"), ("#distributions", "Distributions"), ("#frames", "Frames"), ("#time", "Over time"),
               ("#topics", "Topics"), ("#heated", "Heated threads"), ("#threads", "Threads"), ("#methods", "Methods")]


def render_thread(corpus, thread_id=None, *, generated_at: str | None = None, version: str | None = None,
                  template_dir=None, page_size: int = 500, back: str = "") -> str:
    """Render one thread's report as an HTML string.

    Parameters
    ----------
    corpus : Corpus
    thread_id : str, optional
        The first thread when omitted.
    generated_at, version : str, optional
        Printed in the footer; pin them for byte-identical output.
    template_dir : str or path, optional
        Your own templates, searched before the package's.
    page_size : int, default 500
        Comments per page of the reply tree (later pages start folded).
    back : str, default ""
        A relative link back to a corpus overview.

    Examples
    --------
    >>> import pandas as pd
    >>> from discourse import Corpus
    >>> c = Corpus.from_frames(pd.DataFrame({"comment_id": ["1"], "text": ["<b>hi</b>"]}))
    >>> html = render_thread(c, generated_at="today", version="0")
    >>> "&lt;b&gt;hi&lt;/b&gt;" in html and "<b>hi</b>" not in html
    True
    """
    from .view import thread_view

    v = thread_view(corpus, thread_id, page_size=page_size)
    env = environment(str(template_dir) if template_dir else None)
    n = v["header"]["counts"]["comments"]
    nav = ([(back, "← All threads")] if back else []) + _THREAD_NAV
    return env.get_template("thread.html.j2").render(
        v=v, title=v["title"], nav=nav, page_class="big" if n > page_size else "",
        **_common(generated_at, version),
    )


def render_corpus(corpus, *, links: dict | None = None, generated_at: str | None = None, version: str | None = None,
                  template_dir=None) -> str:
    """Render the overview of many threads as an HTML string.

    Parameters
    ----------
    links : dict, optional
        ``thread_id -> relative URL`` of each thread's page.

    Examples
    --------
    >>> import pandas as pd
    >>> from discourse import Corpus
    >>> c = Corpus.from_frames(pd.DataFrame({"thread_id": ["a", "b"], "comment_id": ["1", "1"], "text": ["x", "y"]}))
    >>> "Corpus report" in render_corpus(c, generated_at="today", version="0")
    True
    """
    from .view import corpus_view

    v = corpus_view(corpus, links=links)
    env = environment(str(template_dir) if template_dir else None)
    return env.get_template("corpus.html.j2").render(v=v, title=v["title"], nav=_CORPUS_NAV, page_class="corpus",
                                                     **_common(generated_at, version))


def render(corpus, *, generated_at: str | None = None, version: str | None = None, template_dir=None) -> str:
    """Render a corpus: a thread report for one thread, else the corpus overview.

    ``generated_at`` and ``version`` are printed in the footer; pass fixed values to get
    byte-identical output (golden tests do).

    Examples
    --------
    >>> import pandas as pd
    >>> from discourse import Corpus
    >>> c = Corpus.from_frames(pd.DataFrame({"comment_id": ["1"], "text": ["Hi"]}))
    >>> render(c, generated_at="today", version="0") == render(c, generated_at="today", version="0")
    True
    """
    if len(corpus.threads) <= 1:
        return render_thread(corpus, generated_at=generated_at, version=version, template_dir=template_dir)
    return render_corpus(corpus, generated_at=generated_at, version=version, template_dir=template_dir)


def page_names(thread_ids, folder: str) -> dict:
    """File names (``folder/slug.html``) for thread pages: safe, unique and readable.

    Examples
    --------
    >>> page_names(["Post 1", "post-1", "../x"], "r-threads")
    {'Post 1': 'r-threads/post-1.html', 'post-1': 'r-threads/post-1-2.html', '../x': 'r-threads/x.html'}
    """
    out, used = {}, set()
    for tid in thread_ids:
        slug = re.sub(r"[^a-z0-9]+", "-", str(tid).lower()).strip("-")[:60] or "thread-" + hashlib.sha1(str(tid).encode()).hexdigest()[:8]
        name, k = slug, 2
        while name in used:
            name = f"{slug}-{k}"
            k += 1
        used.add(name)
        out[tid] = f"{folder}/{name}.html"
    return out


def _by_thread(corpus):
    """Yield ``(thread_id, corpus of that thread only)``, splitting each table once."""

    def groups(df):
        if df is None or not hasattr(df, "columns") or "thread_id" not in df.columns:
            return {}
        return {k: g for k, g in df.groupby(df["thread_id"].astype(str), sort=False)}

    comments, spans = groups(corpus.comments), groups(corpus.spans)
    extras = {k: (groups(v), v) for k, v in (corpus.extras or {}).items()}
    empty_c = corpus.comments.iloc[0:0]
    for i, tid in enumerate(corpus.threads["thread_id"]):
        key = str(tid)
        ex = {}
        for k, (g, whole) in extras.items():
            ex[k] = g.get(key, whole.iloc[0:0]) if g else whole
        yield tid, corpus.replace(
            threads=corpus.threads.iloc[i:i + 1],
            comments=comments.get(key, empty_c),
            spans=spans.get(key, corpus.spans.iloc[0:0]) if corpus.spans is not None else None,
            extras=ex,
        )


def report(corpus, path=None, *, analyze: bool = True, thread_pages: bool = True, template_dir=None,
           generated_at: str | None = None, version: str | None = None) -> Report:
    """Build the HTML report of *corpus*; write it to *path* when given.

    One thread gives a thread report. Several give a corpus overview and, with
    ``thread_pages=True``, one thread report per thread in a folder beside it
    (``OUT-threads/``), linked from the overview.

    Parameters
    ----------
    corpus : Corpus
        Read with :func:`discourse.read`; analysed first unless ``analyze=False``
        or it already carries sentiment columns.
    path : str or path-like, optional
        Where to write the page (atomically: an interrupted run leaves no half page).
    analyze : bool, default True
    thread_pages : bool, default True
    template_dir : str or path, optional
        Your own templates, searched before the package's.
    generated_at, version : str, optional
        Pin the footer for reproducible output.

    Returns
    -------
    Report
        Shows inline in Jupyter; ``.html`` is the page, ``.save(path)`` writes it.

    Examples
    --------
    >>> import pandas as pd
    >>> from discourse import Corpus
    >>> c = Corpus.from_frames(pd.DataFrame({"comment_id": ["1", "2"], "parent_id": ["", "1"],
    ...                                      "text": ["We must fight for our schools.", "Agreed!"]}))
    >>> page = report(c)
    >>> page.html.startswith("<!doctype html>"), page.pages
    (True, {})
    """
    from ..model import as_corpus

    corpus = as_corpus(corpus, caller="report")
    if analyze and "sentiment_compound" not in corpus.comments.columns:
        from ..pipeline import analyze as run

        corpus = run(corpus)
    if len(corpus.threads) <= 1:
        page = Report(render_thread(corpus, generated_at=generated_at, version=version, template_dir=template_dir))
    else:
        pages, links = {}, {}
        if thread_pages:
            stem = Path(os.fspath(path)).stem if path is not None else "report"
            names = page_names(list(corpus.threads["thread_id"]), f"{stem}-threads")
            back = f"../{stem}.html"
            for tid, sub in _by_thread(corpus):
                pages[names[tid]] = render_thread(sub, tid, generated_at=generated_at, version=version,
                                                  template_dir=template_dir, back=back)
            links = names
        page = Report(render_corpus(corpus, links=links, generated_at=generated_at, version=version,
                                    template_dir=template_dir), pages)
    if path is not None:
        page.save(os.fspath(path))
    return page


class _CallableModule(types.ModuleType):
    """``discourse.report`` is both this package and the :func:`report` function.

    Importing ``discourse.report.view`` (or anything under it) makes Python bind the
    package to the name ``discourse.report``, hiding the function that
    ``discourse/__init__.py`` exports under that name. Calling the package calls the
    function, so ``discourse.report(corpus, "out.html")`` works either way.
    """

    def __call__(self, *args, **kwargs):
        return report(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
