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

def _format_choices():
    from .ingest.detect import FORMATS

    return ["auto", *FORMATS]


FORMAT_CHOICES = _format_choices()


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
                for w in caught:
                    if issubclass(w.category, DiscourseWarning):
                        click.echo(f"Warning: {w.message}", err=True)
                    else:
                        warnings.showwarning(w.message, w.category, w.filename, w.lineno)

    return wrapper


def _reading_options(func):
    """The options analyze and report share (the contract in DESIGN.md)."""
    options = [
        click.option("--format", "fmt", default="auto", show_default=True, metavar="FORMAT",
                     help=f"Input format; detected per file when 'auto'. One of: {', '.join(FORMAT_CHOICES)} "
                          "(see 'discourse formats')."),
        click.option("--order", type=click.Choice(["display", "chronological"]), default="display", show_default=True,
                     help="How the input lists comments: as a page displays nested comments, or oldest first."),
        click.option("--infer-replies", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
                     help="Infer reply links only where the source has none (auto), for every comment, or never."),
        click.option("--topics", default="auto", show_default=True, metavar="K|auto|none",
                     help="Number of topics, 'auto' to choose it, or 'none' to skip topic modelling."),
        click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
                     help="Worker processes for the per-comment stages."),
        click.option("--classroom", is_flag=True,
                     help="Mask profanity in every output with asterisks of the same length (offsets unchanged)."),
        click.option("--frames", "frames", multiple=True, type=click.Path(dir_okay=False, path_type=str),
                     help="A frame lexicon (.toml) to add to or override the shipped ones; repeatable. "
                          "See 'discourse frames list'."),
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


def _read_and_analyze(inputs, fmt, order, infer_replies, topics, jobs, *, quiet=False, classroom=False, frames=()):
    from .ingest import read
    from .pipeline import analyze

    corpus = read(list(inputs), format=None if fmt == "auto" else fmt)
    if not quiet:
        for r in corpus.ingest:
            click.echo(r.summary(), err=True)
    return analyze(corpus, infer_replies=infer_replies, order=order, topics=_parse_topics(topics), jobs=jobs,
                   classroom=classroom, frames=list(frames) or None)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="discourse")
def cli():
    """Analyse comment threads: who replies to whom, sentiment, frames, civility,
    topics, and self-contained HTML reports.

    Example:

    \b
        discourse report corpora/zimmer-concession-2017.txt -o reports/zimmer.html
    """


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="The comments table to write: .csv, .tsv, .jsonl or .parquet.")
@_reading_options
@click.option("--spans", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Also write the evidence spans (quotes, frame terms, ...) to this table.")
@click.option("-q", "--quiet", is_flag=True, help="Do not print the ingest report.")
@_errors_to_click
def analyze(inputs, output, fmt, order, infer_replies, topics, jobs, classroom, frames, spans, quiet):
    """Read INPUT files, run every analysis stage, and write one row per comment.

    Example:

    \b
        discourse analyze corpora/zimmer-concession-2017.txt -o zimmer.csv --spans spans.csv
    """
    from .ingest.tabular import write_table

    corpus = _read_and_analyze(inputs, fmt, order, infer_replies, topics, jobs, quiet=quiet, classroom=classroom, frames=frames)
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
def report(inputs, output, fmt, order, infer_replies, topics, jobs, classroom, frames, quiet):
    """Read INPUT files, analyse them, and write a self-contained HTML report.

    Example:

    \b
        discourse report corpora/zimmer-concession-2017.txt -o reports/zimmer.html
    """
    from .report import report as make_report

    corpus = _read_and_analyze(inputs, fmt, order, infer_replies, topics, jobs, quiet=quiet, classroom=classroom, frames=frames)
    make_report(corpus, output, analyze=False)
    if not quiet:
        click.echo(f"wrote {output}", err=True)


@cli.command()
def formats():
    """List the input formats discourse reads, and what each one is.

    Example:

        discourse formats
    """
    from .ingest.detect import DESCRIPTIONS, FORMATS

    width = max(map(len, FORMATS))
    for name in FORMATS:
        click.echo(f"{name:<{width}}  {DESCRIPTIONS.get(name, '')}")


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False, path_type=str),
              help="The ConvoKit corpus directory to write (created if needed).")
@click.option("--to", "target", type=click.Choice(["convokit"]), default="convokit", show_default=True,
              help="The format to write.")
@click.option("--format", "fmt", default="auto", show_default=True, metavar="FORMAT",
              help=f"Input format; detected per file when 'auto'. One of: {', '.join(FORMAT_CHOICES)}.")
@click.option("-q", "--quiet", is_flag=True, help="Do not print the ingest report.")
@_errors_to_click
def export(inputs, output, target, fmt, quiet):
    """Read INPUT files and write them as a ConvoKit corpus directory, unanalysed.

    ConvoKit's Corpus(filename=OUTPUT) loads the result; 'discourse analyze OUTPUT' reads it back.

    Example:

        discourse export thread.json -o my-corpus/ --to convokit
    """
    from .ingest import read, to_convokit

    corpus = read(list(inputs), format=None if fmt == "auto" else fmt)
    if not quiet:
        for r in corpus.ingest:
            click.echo(r.summary(), err=True)
    to_convokit(corpus, output)
    if not quiet:
        click.echo(f"wrote {len(corpus.threads)} conversations, {len(corpus.comments)} comments to {output}", err=True)


@cli.group()
def frames():
    """Frame lexicons: list them, show one, explain the frames of a sentence.

    Example:

        discourse frames explain "Public education is not a war."
    """


_frames_option = click.option("--frames", "frame_files", multiple=True, type=click.Path(dir_okay=False, path_type=str),
                              help="A frame lexicon (.toml) to add to or override the shipped ones; repeatable.")


@frames.command("list")
@_frames_option
@_errors_to_click
def frames_list(frame_files):
    """List the frames of the shipped lexicons (and of --frames files).

    Example:

        discourse frames list
    """
    from .framing import catalog, load_lexicons

    table = catalog(load_lexicons(extra=list(frame_files) or None))
    width = max([len(f) for f in table["frame"]] + [5])
    current = None
    for row in table.itertuples(index=False):
        if row.lexicon != current:
            current = row.lexicon
            click.echo(f"{row.lexicon} ({row.kind})")
        click.echo(f"  {row.frame:<{width}}  {row.terms:>4} terms  {row.title}")


@frames.command("show")
@click.argument("name")
@_frames_option
@_errors_to_click
def frames_show(name, frame_files):
    """Show a lexicon or frame NAME: provenance, terms, phrases and sense cues.

    Example:

        discourse frames show war
    """
    from .framing import describe, load_lexicons

    click.echo(describe(name, lexicons=load_lexicons(extra=list(frame_files) or None)), nl=False)


@frames.command("explain")
@click.argument("text")
@_frames_option
@_errors_to_click
def frames_explain(text, frame_files):
    """Print the frame terms of TEXT with their sense, stance and the reason for each.

    Example:

        discourse frames explain "CCSA unleashed a carpet bombing campaign against me."
    """
    from .framing import explain, load_lexicons

    table = explain(text, lexicons=load_lexicons(extra=list(frame_files) or None))
    if table.empty:
        click.echo("no frame terms found.")
        return
    for row in table.itertuples(index=False):
        sense = f" [{row.sense}{', ' + row.stance if row.stance else ''}]" if row.sense else ""
        click.echo(f"{row.start:>4}-{row.end:<4} {row.text!r} -> {row.frame}{sense}: {row.explanation}")


@cli.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=str))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="The graph file to write: .graphml, .gexf (Gephi) or .json (node-link).")
@_reading_options
@click.option("--kind", type=click.Choice(["reply", "interaction"]), default="reply", show_default=True,
              help="reply: comments linked to the comment they answer; interaction: speakers linked to "
                   "the speakers they answer, weighted by how often.")
@click.option("-q", "--quiet", is_flag=True, help="Do not print the ingest report.")
@_errors_to_click
def graph(input_path, output, fmt, order, infer_replies, topics, jobs, classroom, frames, kind, quiet):
    """Read INPUT, recover who answers whom, and export the graph for Gephi or networkx.

    Example:

        discourse graph corpora/zimmer-concession-2017.txt -o zimmer.gexf
    """
    from .graph import interaction_graph, write_graph

    corpus = _read_and_analyze([input_path], fmt, order, infer_replies, "none", jobs, quiet=quiet,
                               classroom=classroom, frames=frames)
    g = corpus.graph if kind == "reply" else interaction_graph(corpus.comments, threads=corpus.threads)
    write_graph(g, output)
    if not quiet:
        click.echo(f"wrote {g.number_of_nodes()} nodes and {g.number_of_edges()} edges to {output}", err=True)


def main():  # pragma: no cover - console entry point alias
    cli()
