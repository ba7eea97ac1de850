"""Same output after a speed change: every column of every table, against saved outputs.

Speed work must not change a single value. This benchmark runs the analysis over a few
thousand real comments and saves (``--save DIR``) or compares (``--check DIR``) what it
wrote, column by column, value by value, dtype by dtype:

* real exports from ``$DISCOURSE_DATA/formats`` (the three Reddit threads, the Hacker
  News sample, the ConvoKit corpus: about 3,400 comments), and
* a generated file of real comment text (``bench.generate``, 4,000 comments, a third of
  the threads without reply links so reply inference has work to do),

each through ``discourse analyze -o DIR/ --jobs 2`` (the Parquet corpus: comments,
threads and spans tables), through ``discourse analyze -o out.parquet --spans ...`` (the
in-memory path, ``--jobs 1`` and ``--jobs 2``), and through :func:`discourse.analyze`
in this process (``topics="none"``; also the corpus-level tables: escalation by thread,
speaker and exchange, frame debate and uptake), with ``order="chronological"`` once.

Run ``python -m bench.identical --save /tmp/ref`` on the code before the change and
``python -m bench.identical --check /tmp/ref`` after it. Exit status 1 when anything differs.
"""

from __future__ import annotations

import argparse
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench._common import data_dir


def _inputs(work: Path) -> dict:
    from bench.generate import generate, load_texts

    fmt = data_dir("formats")
    real = [str(p) for p in sorted((fmt / "reddit").glob("*.json"))]
    real += [str(fmt / "hn" / "hn-comments-1000-sample.jsonl"), str(fmt / "convokit")]
    gen = work / "generated-4000.jsonl"
    if not gen.exists():
        generate(gen, 4000, seed=7, texts=load_texts())
    return {"real": real, "generated": [str(gen)]}


def _cli(args: list) -> None:
    exe = Path(sys.executable).with_name("discourse")
    proc = subprocess.run([str(exe), *args, "-q"], capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"discourse {' '.join(args)} failed:\n{proc.stderr[-3000:]}")


def _run(inputs: dict, work: Path) -> dict:
    """Every output, as {name: DataFrame}."""
    import pandas as pd

    import discourse
    from discourse import store

    out: dict = {}
    for name, files in inputs.items():
        t0 = time.perf_counter()
        d = work / f"{name}-dir"
        shutil.rmtree(d, ignore_errors=True)
        _cli(["analyze", *files, "-o", f"{d}/", "--jobs", "2"])
        c = store.read_corpus(d)
        out[f"{name}/store/comments"], out[f"{name}/store/threads"], out[f"{name}/store/spans"] = (
            c.comments, c.threads, c.spans)
        for jobs in (1, 2):
            table, spans = work / f"{name}-j{jobs}.parquet", work / f"{name}-j{jobs}-spans.parquet"
            _cli(["analyze", *files, "-o", str(table), "--spans", str(spans), "--jobs", str(jobs), "--topics", "none"])
            out[f"{name}/cli-j{jobs}/comments"] = pd.read_parquet(table)
            out[f"{name}/cli-j{jobs}/spans"] = pd.read_parquet(spans)
        for order in ("display", "chronological") if name == "generated" else ("display",):
            corpus = discourse.analyze(discourse.read(files), topics="none", jobs=2, order=order)
            key = f"{name}/api-{order}"
            out[f"{key}/comments"], out[f"{key}/threads"], out[f"{key}/spans"] = (
                corpus.comments, corpus.threads, corpus.spans)
            for by, table in corpus.extras["escalation"].items():
                out[f"{key}/escalation-{by}"] = table
            for extra in ("frame_debate", "frame_uptake"):
                value = corpus.extras[extra]
                out[f"{key}/{extra}"] = value if isinstance(value, pd.DataFrame) else pd.DataFrame({"value": [value]})
        print(f"{name}: {time.perf_counter() - t0:.0f} s", flush=True)
    return out


def compare(ref: dict, new: dict) -> list:
    """Differences between two {name: DataFrame} dicts, as readable lines."""
    import pandas as pd

    problems = []
    for name in sorted(set(ref) | set(new)):
        if name not in new or name not in ref:
            problems.append(f"{name}: only in {'the reference' if name in ref else 'the new run'}")
            continue
        a, b = ref[name], new[name]
        if list(a.columns) != list(b.columns):
            problems.append(f"{name}: columns {list(a.columns)} != {list(b.columns)}")
            continue
        if len(a) != len(b):
            problems.append(f"{name}: {len(a)} rows != {len(b)} rows")
            continue
        if not a.index.equals(b.index):
            problems.append(f"{name}: index differs")
        for col in a.columns:
            x, y = a[col], b[col]
            if str(x.dtype) != str(y.dtype):
                problems.append(f"{name}.{col}: dtype {x.dtype} != {y.dtype}")
                continue
            try:
                pd.testing.assert_series_equal(x, y, check_exact=True, check_index=False)
            except AssertionError:
                xs, ys = x.astype(object).to_numpy(), y.astype(object).to_numpy()
                bad = [i for i in range(len(xs)) if not (xs[i] == ys[i] or (pd.isna(xs[i]) and pd.isna(ys[i])))
                       or type(xs[i]) is not type(ys[i])]
                first = bad[0] if bad else 0
                problems.append(f"{name}.{col}: {len(bad)} values differ, e.g. row {first}: "
                                f"{xs[first]!r} != {ys[first]!r}")
    return problems


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", metavar="DIR", help="write the outputs of this code to DIR/outputs.pkl")
    group.add_argument("--check", metavar="DIR", help="compare the outputs of this code with DIR/outputs.pkl")
    ap.add_argument("--workdir", default="/tmp/discourse-identical")
    a = ap.parse_args(argv)
    work = Path(a.workdir)
    work.mkdir(parents=True, exist_ok=True)
    out = _run(_inputs(work), work)
    rows = sum(len(df) for df in out.values())
    if a.save:
        d = Path(a.save)
        d.mkdir(parents=True, exist_ok=True)
        with open(d / "outputs.pkl", "wb") as fh:
            pickle.dump(out, fh, protocol=pickle.HIGHEST_PROTOCOL)
        print(f"saved {len(out)} tables ({rows:,} rows) to {d / 'outputs.pkl'}")
        return
    with open(Path(a.check) / "outputs.pkl", "rb") as fh:
        ref = pickle.load(fh)
    problems = compare(ref, out)
    for p in problems:
        print(p)
    n_values = sum(df.size for df in out.values())
    print(f"{len(out)} tables, {rows:,} rows, {n_values:,} values: "
          + ("identical" if not problems else f"{len(problems)} differences"))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
