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
    """Turn DiscourseError into click's 'Error: ...' and exit 1; show warnings on stderr.

    A command with the ``--strict`` option of :func:`_strict_option` turns every
    DiscourseWarning into such an error instead, at the moment it is warned.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from .errors import DiscourseError, DiscourseWarning

        strict = kwargs.pop("strict_data", False)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("error" if strict else "always", DiscourseWarning)
            try:
                return func(*args, **kwargs)
            except DiscourseError as err:
                raise click.ClickException(str(err)) from err
            except DiscourseWarning as err:  # --strict: a data problem is an error
                raise click.ClickException(str(err)) from err
            finally:
                # A copy: showwarning below runs inside the recording block and would append forever.
                for w in list(caught):
                    if issubclass(w.category, DiscourseWarning):
                        click.echo(f"Warning: {w.message}", err=True)
                    else:
                        warnings.showwarning(w.message, w.category, w.filename, w.lineno)

    return wrapper


def _strict_option(func):
    """``--strict``: fail on a data problem (a DiscourseWarning) instead of warning about it."""
    return click.option("--strict", "strict_data", is_flag=True,
                        help="Fail on data problems instead of warning: a record skipped or repaired (bad line, "
                             "orphan, duplicate id, ...) is an error, exit status 1.")(func)


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


def _read_and_analyze(inputs, fmt, order, infer_replies, topics, jobs, *, quiet=False, classroom=False, frames=(),
                      stages="all"):
    from . import progress, store
    from .ingest import read
    from .pipeline import analyze

    with progress.shown(_bars_wanted(quiet)):
        if len(inputs) == 1 and store.is_store(inputs[0]):
            from .pipeline import analyze_stored, stored_options_match

            if stored_options_match(inputs[0], infer_replies=infer_replies, order=order, frames=list(frames) or None):
                # Analysed with these options already: only the corpus-level stages run, topics as stored.
                return analyze_stored(inputs[0], topics=_parse_topics(topics), classroom=classroom)
            corpus = store.read_corpus(inputs[0])
        else:
            corpus = read(list(inputs), format=None if fmt == "auto" else fmt)
        if not quiet:
            for r in corpus.ingest:
                click.echo(r.summary(), err=True)
        return analyze(corpus, infer_replies=infer_replies, order=order, topics=_parse_topics(topics), jobs=jobs,
                       classroom=classroom, frames=list(frames) or None, stages=stages)


_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}


class ByteSize(click.ParamType):
    """A size in bytes: a whole number, or a number with a unit K, M, G or T (powers of 1024;
    ``KB``/``KiB`` and so on mean the same), as in ``2G``, ``512MiB`` or ``1.5GB``."""

    name = "size"

    def __init__(self, minimum: int = 1):
        self.minimum = minimum

    def convert(self, value, param, ctx):
        import re

        if isinstance(value, int) and not isinstance(value, bool):
            return value
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", str(value), flags=re.I)
        if not m:
            self.fail(f"must be a size such as 2G, 512MiB or 1500000 (bytes); got {value!r}.", param, ctx)
        n = int(float(m.group(1)) * _UNITS[m.group(2).lower()])
        if n < self.minimum:
            least = next((f"{self.minimum // s}{u.upper()}" for u, s in sorted(_UNITS.items(), key=lambda kv: -kv[1])
                          if s > 1 and self.minimum % s == 0),
                         f"{self.minimum} byte{'s' if self.minimum != 1 else ''}")
            self.fail(f"must be at least {least}; got {value!r}.", param, ctx)
        return n


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

    \b
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
@click.option("--memory", type=ByteSize(), default=None, metavar="SIZE",
              help="With a directory output: memory budget for the whole run (main process and --jobs "
                   "workers), from which the partition size is chosen; e.g. 4G or 1500M (K, M, G are powers of "
                   "1024).  [default: 2G]")
@click.option("--partition-size", type=ByteSize(minimum=4096), default=None, metavar="SIZE",
              help="With a directory output: input bytes per partition, e.g. 8M, instead of a size chosen from "
                   "--memory. Each worker holds one partition's analysis at a time.")
@_strict_option
@_errors_to_click
def analyze(inputs, output, fmt, order, infer_replies, topics, jobs, classroom, frames, spans, quiet, memory,
            partition_size):
    """Read INPUT files, run every analysis stage, and write one row per comment.

    With a directory as OUTPUT the input is streamed (CSV, JSONL and Parquet are read in
    chunks) into a Parquet corpus partitioned by thread, analysed a partition at a time;
    running the same command again after an interruption resumes it. Partitions are sized
    so the whole run stays near --memory (2G unless given), shared among the --jobs
    workers. Summarise it with 'discourse summarize DIR'.

    Example:

    \b
        discourse analyze corpora/zimmer-concession-2017.txt -o zimmer.csv --spans spans.csv

        discourse analyze comments-2023.jsonl -o corpus/ --jobs 2 --memory 4G
    """
    from .ingest.tabular import check_table_output, write_table

    if _is_directory_output(output):
        from . import progress, store

        if spans:
            raise click.UsageError(f"--spans writes one table; with a directory output the spans are stored "
                                   f"in {output.rstrip('/')}/spans/. Drop --spans.")
        if classroom:
            raise click.UsageError("--classroom masks a table or report; a Parquet corpus keeps the text as it is. "
                                   "Drop --classroom, or write a .csv/.jsonl/.parquet file.")
        if memory is not None and partition_size is not None:
            raise click.UsageError("give --memory or --partition-size, not both: the partition size is chosen "
                                   "from the memory budget.")
        with progress.shown(_bars_wanted(quiet)):
            store.analyze(list(inputs), output, format=None if fmt == "auto" else fmt, infer_replies=infer_replies,
                          order=order, jobs=jobs, frames=list(frames) or None, topics=_parse_topics(topics),
                          memory=memory, partition_bytes=partition_size)
        manifest = store.read_manifest(output)
        if not quiet:
            from .model import IngestReport

            for r in manifest.get("ingest", []):
                click.echo(IngestReport(**r).summary(), err=True)
            n = sum(e["comments"] for e in manifest["partitions"].values())
            k = len(manifest["partitions"])
            click.echo(f"wrote {n} comment{'s' * (n != 1)} in {k} partition{'s' * (k != 1)} to {output}", err=True)
        return
    if memory is not None or partition_size is not None:
        flag = "--memory" if memory is not None else "--partition-size"
        raise click.UsageError(f"{flag} sizes the partitions of a Parquet corpus; a {output} table is built in "
                               f"memory. Write to a directory (-o DIR/) or drop {flag}.")
    # A bad output path fails now, not after the analysis.
    for path in filter(None, (output, spans)):
        check_table_output(path)
    corpus = _read_and_analyze(inputs, fmt, order, infer_replies, topics, jobs, quiet=quiet, classroom=classroom,
                               frames=frames)
    write_table(corpus.comments, output)
    if spans:
        import pandas as pd

        from .model import SPAN_COLUMNS

        table = corpus.spans if corpus.spans is not None else pd.DataFrame(columns=list(SPAN_COLUMNS))
        write_table(table, spans)
    if not quiet:
        n = len(corpus.comments)
        click.echo(f"wrote {n} comment{'s' * (n != 1)} to {output}", err=True)
        if spans:
            click.echo(f"wrote {len(table)} evidence spans to {spans}", err=True)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="The HTML file to write.")
@_reading_options
@click.option("-q", "--quiet", is_flag=True, help="Do not print the ingest report.")
@_strict_option
@_errors_to_click
def report(inputs, output, fmt, order, infer_replies, topics, jobs, classroom, frames, quiet):
    """Read INPUT files, analyse them, and write a self-contained HTML report.

    Example:

    \b
        discourse report corpora/zimmer-concession-2017.txt -o reports/zimmer.html
    """
    from ._io import check_writable
    from .report import report as make_report

    check_writable(output)  # a bad output path fails now, not after the analysis
    corpus = _read_and_analyze(inputs, fmt, order, infer_replies, topics, jobs, quiet=quiet, classroom=classroom, frames=frames)
    page = make_report(corpus, output, analyze=False)
    if not quiet:
        click.echo(f"wrote {output}", err=True)
        if page.pages:
            click.echo(f"wrote {len(page.pages)} thread pages in {next(iter(page.pages)).split('/')[0]}/ beside it", err=True)


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
@_strict_option
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
        t, c = len(corpus.threads), len(corpus.comments)
        click.echo(f"wrote {t} conversation{'s' * (t != 1)}, {c} comment{'s' * (c != 1)} to {output}", err=True)


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
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="The graph file to write: .graphml, .gexf (Gephi) or .json (node-link).")
@_reading_options
@click.option("--kind", type=click.Choice(["reply", "interaction"]), default="reply", show_default=True,
              help="reply: comments linked to the comment they answer; interaction: speakers linked to "
                   "the speakers they answer, weighted by how often.")
@click.option("-q", "--quiet", is_flag=True, help="Do not print the ingest report.")
@_strict_option
@_errors_to_click
def graph(inputs, output, fmt, order, infer_replies, topics, jobs, classroom, frames, kind, quiet):
    """Read INPUT files, recover who answers whom, and export the graph for Gephi or networkx.

    Every thread of every file goes into one graph, each under its post. A comment node
    carries the comment's columns (sentiment, frames, civility, topic) for colouring. A
    chat message that answers two earlier messages also gets an edge from its second
    parent (also_replies_to), marked secondary=True.

    Example:

        discourse graph corpora/zimmer-concession-2017.txt -o zimmer.gexf
    """
    from .graph import check_graph_output, interaction_graph, reply_graph, write_graph

    check_graph_output(output)  # a bad output path fails now, not after the analysis
    # Only what the graph carries: a reply graph's nodes hold every column of the comments
    # (the text stages and topics), an interaction graph only who answers whom.
    corpus = _read_and_analyze(inputs, fmt, order, infer_replies, topics, jobs, quiet=quiet,
                               classroom=classroom, frames=frames, stages="comments" if kind == "reply" else "links")
    # Reply graphs also carry chat messages' second parents (edges with secondary=True).
    g = (reply_graph(corpus.comments, threads=corpus.threads, secondary=True) if kind == "reply"
         else interaction_graph(corpus.comments, threads=corpus.threads))
    write_graph(g, output)
    if not quiet:
        click.echo(f"wrote {g.number_of_nodes()} nodes and {g.number_of_edges()} edges to {output}", err=True)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--kind", required=True, type=click.Choice(["replies", "frames", "techniques", "tone"]),
              help="replies: who answers whom; frames: metaphor or not, who contests a frame; techniques: "
                   "persuasion techniques and name-calling; tone: rate tone, then compare with VADER.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="The worksheet to write (HTML, prints on A4 or Letter).")
@click.option("--key", "key_path", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="The answer key to write (JSON); 'discourse grade' reads it.")
@click.option("--answers", "answers_path", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="The CSV answer template to write [default: the worksheet's name with .answers.csv].")
@click.option("--notes", "notes_path", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Also write the teacher's copy: answers, evidence and discussion questions (HTML).")
@click.option("-n", "--items", "n", type=click.IntRange(min=1), default=10, show_default=True,
              help="Number of questions.")
@click.option("--difficulty", type=click.Choice(["mixed", "easy", "medium", "hard"]), default="mixed",
              show_default=True, help="Which questions to pick.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the question selection.")
@click.option("--mask/--no-mask", default=True, show_default=True,
              help="Mask words unsuitable for class (first letter kept: t****).")
@click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True, help="Page size for printing.")
@click.option("--projector", is_flag=True, help="Large type for a projector (the page also has a link to switch).")
@click.option("--thread", "thread_id", default=None, help="The thread to use when the input has several.")
@_reading_options
@click.option("-q", "--quiet", is_flag=True, help="Do not print the ingest report.")
@_strict_option
@_errors_to_click
def exercise(inputs, kind, output, key_path, answers_path, notes_path, n, difficulty, seed, mask, paper, projector,
             thread_id, fmt, order, infer_replies, topics, jobs, classroom, frames, quiet):
    """Make a classroom worksheet, its answer key and a CSV answer template from a thread.

    Example:

    \b
        discourse exercise corpora/zimmer-concession-2017.txt --kind frames \\
            -o frames.html --key frames-key.json --notes frames-teacher.html
    """
    from pathlib import Path

    from .teach import make_exercise

    corpus = _read_and_analyze(inputs, fmt, order, infer_replies, topics, jobs, quiet=quiet, classroom=classroom,
                               frames=frames)
    ex = make_exercise(corpus, kind, n=n, difficulty=difficulty, seed=seed, mask=mask, thread_id=thread_id,
                       paper=paper, projector=projector, analyze=False)
    if answers_path is None:
        out = Path(output)
        answers_path = str(out.with_name(out.stem + ".answers.csv"))
    written = ex.save(output, key=key_path, answers=answers_path, notes=notes_path)
    if not quiet:
        for note in ex.key["selection_notes"]:
            click.echo(f"Note: {note}", err=True)
        click.echo(f"wrote {len(ex.items)} {kind} questions: " + ", ".join(written.values()), err=True)


@cli.command()
@click.argument("key", type=click.Path(dir_okay=False, path_type=str))
@click.argument("answers", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Also write the class summary as HTML.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Also write the per-student table (CSV).")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="The class's student ids, one per line; answers from other ids are reported.")
@click.option("--top", type=click.IntRange(min=0), default=5, show_default=True,
              help="How many most-disputed items to list.")
@click.option("--strict", is_flag=True, help="Exit with status 1 when an answer file has any problem.")
@_errors_to_click
def grade(key, answers, output, csv_path, roster, top, strict):
    """Grade a class's answer files against KEY: scores, item difficulty, agreement.

    ANSWERS are CSV files (or folders of them) with student_id,item_id,answer rows, or
    student_id plus one column per item. Problems (unknown items, answers that are not
    options, unknown students) are reported with file, row and item, and those rows are
    left out; missing answers count as unanswered.

    Example:

    \b
        discourse grade frames-key.json answers/*.csv -o class.html
    """
    from .teach import grade as run_grade

    result = run_grade(key, list(answers), roster=roster, top=top)
    for p in result.problems:
        click.echo(f"Problem: {p}", err=True)
    click.echo(result.table())
    if output:
        result.save(output)
        click.echo(f"wrote {output}", err=True)
    if csv_path:
        from .ingest.tabular import write_table

        write_table(result.students, csv_path)
    if strict and result.problems:
        raise click.ClickException(f"{len(result.problems)} problems in the answer files (see above); "
                                   "fix them or drop --strict.")


@cli.command()
@click.argument("corpus", type=click.Path(exists=True, path_type=str))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Also write one row per thread to this table (.csv, .tsv, .jsonl or .parquet).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@_errors_to_click
def summarize(corpus, output, quiet):
    """Print corpus-level numbers of a Parquet corpus as JSON, one partition in memory at a time.

    Threads, comments, distinct authors, thread sizes, reply depths, link provenance and,
    for an analysed corpus, sentiment, span counts and topics. With -o, also a per-thread table.

    Example:

        discourse summarize corpus/ -o threads.csv
    """
    import json
    import os

    from . import progress, store
    from .errors import DiscourseError
    from .ingest.tabular import write_table

    if not os.path.isdir(corpus):
        # (click's own check said "Directory '...' is a file", which tells a newcomer nothing.)
        raise DiscourseError(f"{corpus}: summarize reads a Parquet corpus directory, not a file; make one with "
                             f"'discourse analyze {corpus} -o DIR/' and run 'discourse summarize DIR/'.")
    with progress.shown(_bars_wanted(quiet)):
        summary = store.corpus_summary(corpus)
        if output:
            write_table(store.thread_table(corpus), output)
    click.echo(json.dumps(summary, indent=2))


def main():  # pragma: no cover - console entry point alias
    cli()
