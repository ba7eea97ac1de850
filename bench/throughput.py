"""Throughput and memory at scale: discourse against plain VADER, --jobs, Dask, reply inference.

Every ratio is measured in this one run, against a baseline run on the same machine
minutes apart (the machine is shared and noisy: the load average is recorded with each
row, and CPU seconds are given beside wall seconds).

Rows:
1. Irreducible cost: plain vaderSentiment over the generated comments, one process, text
   already in memory (``SentimentIntensityAnalyzer().polarity_scores`` per comment).
2. ``discourse analyze big.jsonl -o DIR/ --jobs 2`` end to end (read, normalize, every
   per-thread stage on this branch, write the Parquet corpus) as a subprocess; also
   ``--jobs 1`` and the in-memory path ``-o out.parquet --jobs 2``. Ratio = wall / (1).
   Target: <= 0.8 at 200k comments.
3. 1M comments end to end, ``--jobs 2`` into a directory (default ``--memory``, every
   stage, topics included): wall time and peak memory of the whole process tree (main +
   workers, RSS sampled every 0.1 s; the note gives the main process's and the workers'
   own peaks too). Target: < 2 GB.
4. Dask: the generated file ingested into a Parquet corpus once, then analysed by
   ``store.analyze(jobs=2)`` and by ``analyze_dask`` on a ``LocalCluster`` (2 worker
   processes, 1 thread each); outputs compared value for value.
5. Reply inference (``replies.infer_replies(mode="always")``) on one flat thread of 1,000
   and of 10,000 comments: time ratio (10 = linear).
6. Topics (corpus level) timed separately when ``discourse.topics`` exists.
7. Per-stage breakdown (``--stage-comments``, default 5,000; 0 skips it): generated
   comments read with ``discourse.read``, then ``pipeline.analyze_comments`` in this process
   with every stage function wrapped by a timer (only the outermost call counts, so a stage
   that calls ``segment.sentences`` is charged for it); each stage's seconds and its ratio
   to plain vaderSentiment over the same texts, measured just before and just after (the
   smaller of the two). Best of ``--stage-repeat`` runs per stage.

Run: ``python -m bench.throughput`` (``--comments``, ``--big``, ``--skip-big``,
``--skip-dask``, ``--stage-comments``, ``--stages-only``, ``--quick``, ``--workdir``).
``--quick`` runs only rows 1 (once), 2 (``--jobs 2`` into a directory, with topics and with
``--topics none``, the stages the target counts) and 3. Generated
files are cached in the work directory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench._common import ROOT, data_dir, markdown_table, save


def _load() -> float:
    return round(os.getloadavg()[0], 1)


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


class _PeakRSS:
    """Peak resident memory of a process and all its descendants, sampled every 0.1 s."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        #: The largest RSS of the main process alone, and of its workers together.
        self.peak_main = self.peak_workers = 0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        try:
            import psutil
        except ImportError:  # pragma: no cover - psutil comes with the dev tools
            return
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._stop.is_set():
            try:
                procs = [root] + root.children(recursive=True)
                sizes = []
                for p in procs:
                    try:
                        sizes.append(p.memory_info().rss)
                    except psutil.Error:
                        sizes.append(0)
                self.peak = max(self.peak, sum(sizes))
                self.peak_main = max(self.peak_main, sizes[0])
                self.peak_workers = max(self.peak_workers, sum(sizes[1:]))
            except psutil.Error:
                break
            self._stop.wait(0.1)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak / 2**20


def run_cli(args: list) -> dict:
    """Run ``discourse ARGS`` as a subprocess; wall seconds, CPU seconds of the tree, peak MiB."""
    exe = Path(sys.executable).with_name("discourse")
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(exe), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = _PeakRSS(proc.pid)
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    mib = peak.stop()
    if proc.returncode:
        raise SystemExit(f"discourse {' '.join(args)} failed:\n{err.decode()[-2000:]}")
    return {"wall_s": wall, "cpu_s": _children_cpu() - cpu0, "peak_mib": mib,
            "main_mib": peak.peak_main / 2**20, "workers_mib": peak.peak_workers / 2**20}


def vader_only(path: Path) -> dict:
    """Plain vaderSentiment over every comment's text, in this process."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    with open(path, encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh]
    t0, c0 = time.perf_counter(), time.process_time()
    analyser = SentimentIntensityAnalyzer()
    for text in texts:
        analyser.polarity_scores(text)
    return {"wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0, "comments": len(texts)}


def _generated(workdir: Path, n: int, texts) -> Path:
    from bench.generate import generate

    path = workdir / f"generated-{n}.jsonl"
    if not path.exists():
        t0 = time.perf_counter()
        stats = generate(path, n, seed=0, texts=texts)
        print(f"generated {path.name}: {stats} in {time.perf_counter() - t0:.0f} s", flush=True)
    return path


def _fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    if path.exists():
        path.unlink()
    return path


def bench_dask(path: Path, workdir: Path) -> list:
    import pandas as pd
    from distributed import Client, LocalCluster

    from discourse import store
    from discourse.dask import analyze_dask

    rows = []
    raw = _fresh(workdir / "dask-raw")
    t0 = time.perf_counter()
    store.ingest(path, raw)
    rows.append({"what": "ingest into a Parquet corpus (no analysis)", "wall_s": time.perf_counter() - t0})
    local = _fresh(workdir / "dask-local")
    t0 = time.perf_counter()
    store.analyze(raw, local, jobs=2)
    jobs_s = time.perf_counter() - t0
    rows.append({"what": "store.analyze(parquet corpus, jobs=2)", "wall_s": jobs_s})
    out = _fresh(workdir / "dask-out")
    t0 = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        start_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        analyze_dask(raw, out, client=client)
        dask_s = time.perf_counter() - t1
    a, b = store.read_corpus(local), store.read_corpus(out)
    same = True
    for x, y in ((a.comments, b.comments), (a.threads, b.threads), (a.spans, b.spans)):
        try:
            pd.testing.assert_frame_equal(x, y)
        except AssertionError:
            same = False
    rows.append({"what": "analyze_dask on LocalCluster(2 processes)", "wall_s": dask_s,
                 "ratio": dask_s / jobs_s, "note": f"cluster start {start_s:.1f} s; output identical: {same}"})
    return rows


def bench_replies(texts) -> list:
    from bench.generate import single_thread
    from discourse import replies
    from discourse.model import normalize_comments

    times = {}
    for n, repeat in ((1000, 3), (10_000, 1)):
        df = normalize_comments(single_thread(n, seed=1, texts=texts))
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            replies.infer_replies(df, mode="always")
            best = min(best, time.perf_counter() - t0)
        times[n] = best
    return [{"what": "reply inference, 1 thread of 1,000", "wall_s": times[1000]},
            {"what": "reply inference, 1 thread of 10,000", "wall_s": times[10_000],
             "ratio": times[10_000] / times[1000], "note": "10 = linear"}]


def bench_topics(path: Path) -> list:
    try:
        from discourse import topics
    except ImportError:
        return [{"what": "topics (corpus level)", "note": "no discourse.topics on this branch"}]
    import pandas as pd

    comments = pd.read_json(path, lines=True, dtype=str)
    t0 = time.perf_counter()
    topics.fit_topics(comments)
    return [{"what": "topics (corpus level), fit_topics", "wall_s": time.perf_counter() - t0}]


#: The functions ``analyze_comments`` calls, as (module, name), in pipeline order.
#: The chain hands segment's spans on as found (``segment._segment``) to
#: ``sentiment._spans_and_score`` (spans and score in one pass) and
#: ``civility._spans_segmented`` (``civility.spans``); the public functions are listed
#: too, for code that calls them.
STAGES = (
    ("replies", "infer_replies"), ("graph", "add_depth"), ("framing", "load_lexicons"),
    ("framing", "vocabulary"), ("segment", "_segment"), ("segment", "spans"), ("segment", "sentences"),
    ("sentiment", "_spans_and_score"), ("sentiment", "spans"), ("sentiment", "score"),
    ("civility", "_spans_segmented"), ("civility", "spans"), ("civility", "score"), ("framing", "spans"),
    ("framing", "score"),
)


def _vader_texts(texts) -> tuple[float, float]:
    """Wall and CPU seconds of plain vaderSentiment over *texts*."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyser = SentimentIntensityAnalyzer()
    t0, c0 = time.perf_counter(), time.process_time()
    for text in texts:
        analyser.polarity_scores(text)
    return time.perf_counter() - t0, time.process_time() - c0


def stage_times(comments, threads, *, repeat: int = 1) -> dict:
    """``{stage: (wall s, CPU s)}`` of one ``analyze_comments`` run (best of *repeat*, each from cold memo caches), plus ``total``.

    CPU seconds (``time.process_time``) are the figure to compare on a shared machine: a
    busy neighbour stretches wall time, not the work done.
    """
    import importlib

    from discourse import pipeline

    from discourse import sentiment

    best: dict = {}
    for _ in range(repeat):
        # Each run starts cold: sentiment memoises per-text results, so a second run in the
        # same process would time cache lookups, not the work.
        sentiment._clear_caches()
        spent: dict = {}
        depth = [0]
        saved = []

        def timer(key, func):
            def wrapped(*args, **kwargs):
                if depth[0]:
                    return func(*args, **kwargs)
                depth[0] += 1
                t0, c0 = time.perf_counter(), time.process_time()
                try:
                    return func(*args, **kwargs)
                finally:
                    w, c = spent.get(key, (0.0, 0.0))
                    spent[key] = (w + time.perf_counter() - t0, c + time.process_time() - c0)
                    depth[0] -= 1
            return wrapped

        for mod_name, name in STAGES:
            mod = importlib.import_module(f"discourse.{mod_name}")
            if hasattr(mod, name):
                saved.append((mod, name, getattr(mod, name)))
                setattr(mod, name, timer(f"{mod_name}.{name}", getattr(mod, name)))
        try:
            t0, c0 = time.perf_counter(), time.process_time()
            pipeline.analyze_comments(comments, threads)
            spent["total"] = (time.perf_counter() - t0, time.process_time() - c0)
        finally:
            for mod, name, func in saved:
                setattr(mod, name, func)
        parts = [v for k, v in spent.items() if k != "total"]
        spent["other (pipeline glue)"] = (spent["total"][0] - sum(w for w, _ in parts),
                                          spent["total"][1] - sum(c for _, c in parts))
        for k, v in spent.items():
            best[k] = min(best.get(k, (float("inf"), float("inf"))), v, key=lambda x: x[1])
    return best


def bench_stages(workdir: Path, n: int, texts, *, repeat: int = 1) -> list:
    """Per-stage rows: seconds and ratio to plain VADER over the same texts, this process."""
    import warnings

    import discourse

    path = _generated(workdir, n, texts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corpus = discourse.read(path)
    comments, threads = corpus.comments, corpus.threads
    bodies = [t for t in comments["text"] if isinstance(t, str)]
    stage_times(comments.head(50), threads)  # lexicons, Punkt and VADER loaded before timing
    v_before = min((_vader_texts(bodies) for _ in range(repeat)), key=lambda x: x[1])
    times = stage_times(comments, threads, repeat=repeat)
    v_after = min((_vader_texts(bodies) for _ in range(repeat)), key=lambda x: x[1])
    vader = min(v_before, v_after, key=lambda x: x[1])
    rows = [{"what": "plain vaderSentiment over the same texts (baseline)", "comments": n, "wall_s": vader[0],
             "cpu_s": vader[1], "ratio": 1.0,
             "note": f"CPU before {v_before[1]:.2f} s, after {v_after[1]:.2f} s"}]
    order = [f"{m}.{f}" for m, f in STAGES] + ["other (pipeline glue)", "total"]
    for key in order:
        if key in times:
            wall, cpu = times[key]
            rows.append({"what": f"stage {key}" if key != "total" else "analyze_comments, all stages",
                         "comments": n, "wall_s": wall, "cpu_s": cpu, "ratio": cpu / vader[1],
                         "note": "ratio of CPU seconds"})
    return rows


def chunk_memory(path: Path, n: int, *, chunk: int = 20_000) -> list:
    """RSS of this process after each *chunk* comments of whole threads, results dropped.

    The first *n* generated comments go through ``pipeline.analyze_comments`` one chunk
    at a time, as a worker analyses a partition; after each chunk its results are dropped
    and the memo caches the stages keep counted (entries, and what the frame matchers'
    word caches hold). Growth that stays after the results are gone is a cache or the
    allocator.
    """
    import gc
    import warnings

    import pandas as pd
    import psutil

    from discourse import framing, pipeline, sentiment
    from discourse.model import normalize_comments, normalize_threads, repair_links
    from discourse.parallel import split_threads

    with open(path, encoding="utf-8") as fh:
        raw = pd.DataFrame.from_records([json.loads(line) for _, line in zip(range(n), fh)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        comments, _ = repair_links(normalize_comments(raw), warn=False)
    threads = normalize_threads(None, comments)
    del raw
    pipeline.warm_up()
    proc = psutil.Process()
    rows = []
    done = 0
    for k, pos in enumerate(split_threads(comments, n_chunks=max(1, len(comments) // chunk))):
        part = comments.iloc[pos]
        done += len(pos)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            posts = threads[threads["thread_id"].isin(pd.unique(part["thread_id"]))]
            out, spans = pipeline.analyze_comments(part, posts)
        results = (out.memory_usage(deep=True).sum() + spans.memory_usage(deep=True).sum()) / 2**20
        del out, spans, part
        gc.collect()
        matchers = [o for o in gc.get_objects() if isinstance(o, framing._Matcher)]
        rows.append({"what": f"chunk {k} ({len(pos):,} comments), results dropped", "comments": done,
                     "rss_mib": proc.memory_info().rss / 2**20, "results_mib": results,
                     "frame_word_cache": sum(len(m._seen) for m in matchers),
                     "vader_tokens": len(sentiment._TOKENS), "load": _load()})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--comments", type=int, default=200_000)
    ap.add_argument("--big", type=int, default=1_000_000)
    ap.add_argument("--skip-big", action="store_true")
    ap.add_argument("--skip-dask", action="store_true")
    ap.add_argument("--stage-comments", type=int, default=5000,
                    help="comments for the per-stage breakdown (0: skip it)")
    ap.add_argument("--stage-repeat", type=int, default=1, help="runs per stage; the best counts")
    ap.add_argument("--stages-only", action="store_true", help="only the per-stage breakdown")
    ap.add_argument("--chunk-memory", type=int, default=0, metavar="N",
                    help="only: RSS after each 20,000-comment chunk of the first N generated comments, results "
                         "dropped, with the stages' memo caches")
    ap.add_argument("--quick", action="store_true",
                    help="at --comments only the VADER baseline and analyze -o DIR/ --jobs 2 (with and without topics, and "
                         "without reply inference; no --jobs 1, in-memory, "
                         "resume, Dask, replies or topics rows); then the --big row unless --skip-big")
    ap.add_argument("--workdir", default=os.environ.get("DISCOURSE_BENCH_DIR", "/tmp/discourse-bench"))
    a = ap.parse_args(argv)
    data_dir()  # exits with a message when the real data is absent
    from bench.generate import load_texts

    workdir = Path(a.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    texts = load_texts()
    rows = []
    if a.chunk_memory:
        rows = chunk_memory(_generated(workdir, a.comments, texts), a.chunk_memory)
        table = markdown_table(rows, ["what", "comments", "rss_mib", "results_mib", "frame_word_cache",
                                      "vader_tokens", "load"])
        print(table)
        save("throughput-chunk-memory", {"rows": rows, "table": table, "root": str(ROOT)})
        return
    if a.stage_comments:
        for r in bench_stages(workdir, a.stage_comments, texts, repeat=a.stage_repeat):
            r.update(load=_load())
            rows.append(r)
            print(json.dumps(r), flush=True)
    if a.stages_only:
        table = markdown_table(rows, ["what", "comments", "wall_s", "cpu_s", "ratio", "load", "note"])
        print(table)
        save("throughput-stages", {"rows": rows, "table": table, "root": str(ROOT)})
        return
    path = _generated(workdir, a.comments, texts)
    n = a.comments

    def add(what, result, base=None, note=""):
        row = {"what": what, "comments": n, **result, "load": _load()}
        if base:
            row["ratio"] = result["wall_s"] / base
        if note:
            row["note"] = note
        rows.append(row)
        print(json.dumps(row), flush=True)

    v1 = vader_only(path)
    add("plain vaderSentiment, 1 process (baseline)", v1)
    j2 = run_cli(["analyze", str(path), "-o", f"{_fresh(workdir / 'out-j2')}/", "--jobs", "2", "-q"])
    if a.quick:
        add("discourse analyze -o DIR/ --jobs 2", j2, v1["wall_s"], _memory_note(j2, "topics included"))
        # The target counts the per-thread stages and graph metrics; topics are reported apart.
        j2n = run_cli(["analyze", str(path), "-o", f"{_fresh(workdir / 'out-j2n')}/", "--jobs", "2", "--topics", "none",
                       "-q"])
        add("discourse analyze -o DIR/ --jobs 2 --topics none", j2n, v1["wall_s"],
            _memory_note(j2n, "ratio target <= 0.8"))
        # The list of stages (ingest, segment, sentiment, frames, civility, graph
        # metrics) has no reply inference; the row above infers links for the flat threads.
        j2r = run_cli(["analyze", str(path), "-o", f"{_fresh(workdir / 'out-j2r')}/", "--jobs", "2", "--topics", "none",
                       "--infer-replies", "never", "-q"])
        add("discourse analyze -o DIR/ --jobs 2 --topics none --infer-replies never", j2r, v1["wall_s"],
            _memory_note(j2r, "the issue's stage list"))
    else:
        _full(a, rows, add, path, workdir, texts, v1, j2)
    if not a.skip_big:
        big = _generated(workdir, a.big, texts)
        n = a.big
        vb = vader_only(big)
        add(f"{a.big:,} comments, plain vaderSentiment, 1 process (baseline)", vb)
        r = run_cli(["analyze", str(big), "-o", f"{_fresh(workdir / 'out-big')}/", "--jobs", "2", "-q"])
        add(f"{a.big:,} comments, discourse analyze -o DIR/ --jobs 2", r, vb["wall_s"],
            note=_memory_note(r, "target < 2048"))
        shutil.rmtree(workdir / "out-big", ignore_errors=True)
    columns = ["what", "comments", "wall_s", "cpu_s", "ratio", "peak_mib", "load", "note"]
    table = markdown_table(rows, columns)
    print(table)
    save("throughput", {"rows": rows, "table": table, "root": str(ROOT)})


def _memory_note(r: dict, target: str) -> str:
    return (f"peak memory {r['peak_mib']:.0f} MiB ({target}): main process {r['main_mib']:.0f}, "
            f"workers together {r['workers_mib']:.0f} at most")


def _full(a, rows, add, path, workdir, texts, v1, j2):
    """The rows beside the quick ones: --jobs 1, in memory, resume, Dask, replies, topics."""
    j1 = run_cli(["analyze", str(path), "-o", f"{_fresh(workdir / 'out-j1')}/", "--jobs", "1", "-q"])
    mem = run_cli(["analyze", str(path), "-o", str(_fresh(workdir / "out-j2.parquet")), "--jobs", "2", "-q"])
    resume = run_cli(["analyze", str(path), "-o", f"{workdir / 'out-j2'}/", "--jobs", "2", "-q"])
    v2 = vader_only(path)
    base = min(v1["wall_s"], v2["wall_s"])
    add("plain vaderSentiment, 1 process (baseline, again)", v2)
    add("discourse analyze -o DIR/ --jobs 2", j2, base, _memory_note(j2, "ratio target <= 0.8"))
    add("discourse analyze -o DIR/ --jobs 1", j1, base)
    add("discourse analyze -o out.parquet --jobs 2 (in memory)", mem, base)
    add("discourse analyze -o DIR/ again (complete: resume is a no-op)", resume, base)

    if not a.skip_dask:
        for r in bench_dask(path, workdir):
            r.update(comments=a.comments, load=_load())
            rows.append(r)
            print(json.dumps(r), flush=True)
    for r in bench_replies(texts) + bench_topics(path):
        r.update(load=_load())
        rows.append(r)
        print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
