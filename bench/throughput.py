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
3. 1M comments end to end, ``--jobs 2`` into a directory: wall time and peak memory of
   the whole process tree (main + workers, RSS sampled every 0.1 s). Target: < 2 GB.
4. Dask: the generated file ingested into a Parquet corpus once, then analysed by
   ``store.analyze(jobs=2)`` and by ``analyze_dask`` on a ``LocalCluster`` (2 worker
   processes, 1 thread each); outputs compared value for value.
5. Reply inference (``replies.infer_replies(mode="always")``) on one flat thread of 1,000
   and of 10,000 comments: time ratio (10 = linear).
6. Topics (corpus level) timed separately when ``discourse.topics`` exists.

Run: ``python -m bench.throughput`` (``--comments``, ``--big``, ``--skip-big``,
``--skip-dask``, ``--workdir``). Generated files are cached in the work directory.
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
                total = 0
                for p in procs:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, total)
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
    return {"wall_s": wall, "cpu_s": _children_cpu() - cpu0, "peak_mib": mib}


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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--comments", type=int, default=200_000)
    ap.add_argument("--big", type=int, default=1_000_000)
    ap.add_argument("--skip-big", action="store_true")
    ap.add_argument("--skip-dask", action="store_true")
    ap.add_argument("--workdir", default=os.environ.get("DISCOURSE_BENCH_DIR", "/tmp/discourse-bench"))
    a = ap.parse_args(argv)
    data_dir()  # exits with a message when the real data is absent
    from bench.generate import load_texts

    workdir = Path(a.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    texts = load_texts()
    path = _generated(workdir, a.comments, texts)
    n = a.comments
    rows = []

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
    j1 = run_cli(["analyze", str(path), "-o", f"{_fresh(workdir / 'out-j1')}/", "--jobs", "1", "-q"])
    mem = run_cli(["analyze", str(path), "-o", str(_fresh(workdir / "out-j2.parquet")), "--jobs", "2", "-q"])
    resume = run_cli(["analyze", str(path), "-o", f"{workdir / 'out-j2'}/", "--jobs", "2", "-q"])
    v2 = vader_only(path)
    base = min(v1["wall_s"], v2["wall_s"])
    add("plain vaderSentiment, 1 process (baseline, again)", v2)
    add("discourse analyze -o DIR/ --jobs 2", j2, base, "target <= 0.8")
    add("discourse analyze -o DIR/ --jobs 1", j1, base)
    add("discourse analyze -o out.parquet --jobs 2 (in memory)", mem, base)
    add("discourse analyze -o DIR/ again (complete: resume is a no-op)", resume, base)

    if not a.skip_dask:
        for r in bench_dask(path, workdir):
            r.update(comments=n, load=_load())
            rows.append(r)
            print(json.dumps(r), flush=True)
    for r in bench_replies(texts) + bench_topics(path):
        r.update(load=_load())
        rows.append(r)
        print(json.dumps(r), flush=True)
    if not a.skip_big:
        big = _generated(workdir, a.big, texts)
        n = a.big
        r = run_cli(["analyze", str(big), "-o", f"{_fresh(workdir / 'out-big')}/", "--jobs", "2", "-q"])
        add(f"{a.big:,} comments, discourse analyze -o DIR/ --jobs 2", r,
            note=f"peak memory {r['peak_mib']:.0f} MiB (target < 2048)")
        shutil.rmtree(workdir / "out-big", ignore_errors=True)
    columns = ["what", "comments", "wall_s", "cpu_s", "ratio", "peak_mib", "load", "note"]
    table = markdown_table(rows, columns)
    print(table)
    save("throughput", {"rows": rows, "table": table, "root": str(ROOT)})


if __name__ == "__main__":
    main()
