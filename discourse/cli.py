"""The command line: a thin click layer over the library.

Each command parses its options, calls one public library function and writes the
result. A :class:`~discourse.errors.DiscourseError` becomes ``Error: <message>`` on
stderr with exit status 1 and no traceback; anything else is a bug and keeps its
traceback. Heavy libraries are imported inside the commands so ``discourse --help``
stays fast.
"""

from __future__ import annotations

import functools
import warnings

import click

FORMAT_CHOICES = ["auto", "csv", "jsonl", "page", "parquet"]


def _format_choices():
    return FORMAT_CHOICES


def _errors_to_click(func):
    """Turn DiscourseError into click's 'Error: ...' and exit 1; show warnings on stderr."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from .errors import DiscourseError, DiscourseWarning

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", DiscourseWarning)
            try:
                return func(*args, **kwargs)
            except DiscourseError as err:
                raise click.ClickException(str(err)) from err
            finally:
                # A copy: showwarning below runs inside the recording block and would append forever.
                for w in list(caught):
                    if issubclass(w.category, DiscourseWarning):
                        click.echo(f"Warning: {w.message}", err=True)
                    else:
                        warnings.showwarning(w.message, w.category, w.filename, w.lineno)

    return wrapper


def _reading_options(func):
    """The options analyze and report share (the contract in DESIGN.md)."""
    options = [
        click.option("--format", "fmt", default="auto", show_default=True, metavar="FORMAT",
                     help="Input format; detected per file when 'auto'. One of: auto, csv, jsonl, page, parquet, "
                          "and the export formats listed by 'discourse formats'."),
        click.option("--order", type=click.Choice(["display", "chronological"]), default="display", show_default=True,
                     help="How the input lists comments: as a page displays nested comments, or oldest first."),
        click.option("--infer-replies", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
                     help="Infer reply links only where the source has none (auto), for every comment, or never."),
        click.option("--topics", default="auto", show_default=True, metavar="K|auto|none",
                     help="Number of topics, 'auto' to choose it, or 'none' to skip topic modelling."),
        click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
                     help="Worker processes for the per-comment stages."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _parse_topics(value: str):
    if value in ("auto", "none"):
        return value
    try:
        k = int(value)
    except ValueError:
        raise click.BadParameter(f"must be a whole number, 'auto' or 'none'; got {value!r}.", param_hint="'--topics'")
    if k < 1:
        raise click.BadParameter(f"must be at least 1; got {k}.", param_hint="'--topics'")
    return k


def _read_and_analyze(inputs, fmt, order, infer_replies, topics, jobs, *, quiet=False):
    from . import progress, store
    from .ingest import read
    from .pipeline import analyze

    with progress.shown(_bars_wanted(quiet)):
        if len(inputs) == 1 and store.is_store(inputs[0]):
            corpus = store.read_corpus(inputs[0])
        else:
            corpus = read(list(inputs), format=None if fmt == "auto" else fmt)
        if not quiet:
            for r in corpus.ingest:
                click.echo(r.summary(), err=True)
        return analyze(corpus, infer_replies=infer_replies, order=order, topics=_parse_topics(topics), jobs=jobs)


def _bars_wanted(quiet: bool) -> bool:
    # Bars only on a terminal: a log file or a test runner gets the summary lines alone.
    import sys

    return not quiet and sys.stderr.isatty()


def _is_directory_output(output: str) -> bool:
    import os

    return output.endswith(("/", os.sep)) or os.path.isdir(output) or not os.path.splitext(output)[1]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="discourse")
def cli():
    """Analyse comment threads: who replies to whom, sentiment, frames, civility,
    topics, and self-contained HTML reports.

    Example:

        discourse report corpora/zimmer-concession-2017.txt -o reports/zimmer.html
    """


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("-o", "--output", required=True, type=click.Path(path_type=str),
              help="The comments table to write: .csv, .tsv, .jsonl or .parquet; or a directory (DIR/), "
                   "for a Parquet corpus built in bounded memory, resumed if interrupted.")
@_reading_options
@click.option("--spans", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Also write the evidence spans (quotes, frame terms, ...) to this table.")
@click.option("-q", "--quiet", is_flag=True, help="Do not print the ingest report.")
@_errors_to_click
def analyze(inputs, output, fmt, order, infer_replies, topics, jobs, spans, quiet):
    """Read INPUT files, run every analysis stage, and write one row per comment.

    With a directory as OUTPUT the input is streamed (CSV, JSONL and Parquet are read in
    chunks) into a Parquet corpus partitioned by thread, analysed a partition at a time;
    running the same command again after an interruption resumes it. Summarise it with
    'discourse summarize DIR'.

    Example:

        discourse analyze corpora/zimmer-concession-2017.txt -o zimmer.csv --spans spans.csv

        discourse analyze comments-2023.jsonl -o corpus/ --jobs 2
    """
    from .ingest.tabular import write_table

    if _is_directory_output(output):
        from . import progress, store

        if spans:
            raise click.UsageError(f"--spans writes one table; with a directory output the spans are stored "
                                   f"in {output.rstrip('/')}/spans/. Drop --spans.")
        with progress.shown(_bars_wanted(quiet)):
            store.analyze(list(inputs), output, format=None if fmt == "auto" else fmt, infer_replies=infer_replies,
                          order=order, jobs=jobs)
        manifest = store.read_manifest(output)
        if not quiet:
            from .model import IngestReport

            for r in manifest.get("ingest", []):
                click.echo(IngestReport(**r).summary(), err=True)
            n = sum(e["comments"] for e in manifest["partitions"].values())
            click.echo(f"wrote {n} comments in {len(manifest['partitions'])} partitions to {output}", err=True)
        return
    corpus = _read_and_analyze(inputs, fmt, order, infer_replies, topics, jobs, quiet=quiet)
    write_table(corpus.comments, output)
    if spans:
        import pandas as pd

        from .model import SPAN_COLUMNS

        table = corpus.spans if corpus.spans is not None else pd.DataFrame(columns=list(SPAN_COLUMNS))
        write_table(table, spans)
    if not quiet:
        click.echo(f"wrote {len(corpus.comments)} comments to {output}", err=True)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="The HTML file to write.")
@_reading_options
@click.option("-q", "--quiet", is_flag=True, help="Do not print the ingest report.")
@_errors_to_click
def report(inputs, output, fmt, order, infer_replies, topics, jobs, quiet):
    """Read INPUT files, analyse them, and write a self-contained HTML report.

    Example:

        discourse report corpora/zimmer-concession-2017.txt -o reports/zimmer.html
    """
    from .report import report as make_report

    corpus = _read_and_analyze(inputs, fmt, order, infer_replies, topics, jobs, quiet=quiet)
    make_report(corpus, output, analyze=False)
    if not quiet:
        click.echo(f"wrote {output}", err=True)


@cli.command()
@click.argument("corpus", type=click.Path(exists=True, file_okay=False, path_type=str))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Also write one row per thread to this table (.csv, .tsv, .jsonl or .parquet).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@_errors_to_click
def summarize(corpus, output, quiet):
    """Print corpus-level numbers of a Parquet corpus as JSON, one partition in memory at a time.

    Threads, comments, distinct authors, thread sizes, reply depths, link provenance and,
    for an analysed corpus, sentiment and span counts. With -o, also a per-thread table.

    Example:

        discourse summarize corpus/ -o threads.csv
    """
    import json

    from . import progress, store
    from .ingest.tabular import write_table

    with progress.shown(_bars_wanted(quiet)):
        summary = store.corpus_summary(corpus)
        if output:
            write_table(store.thread_table(corpus), output)
    click.echo(json.dumps(summary, indent=2))


def main():  # pragma: no cover - console entry point alias
    cli()
