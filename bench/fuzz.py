"""Coverage-guided fuzzing of every reader with atheris (libFuzzer for Python).

Each input is written to a file the reader is pointed at (a ConvoKit corpus directory's
``utterances.jsonl`` for ``convokit``). A run passes when every input ends in a Corpus
whose ingest accounting balances (``seen == kept + skipped``) or in a ``DiscourseError``;
anything else is a *finding*: its traceback signature, count and first input are written
to ``bench/results/fuzz/<format>/``, and fuzzing goes on (so one run finds several bugs).
Inputs that hang or exhaust memory stop the run through libFuzzer's ``-timeout`` and
``-rss_limit_mb``, and are saved by libFuzzer as ``crash-*``/``timeout-*`` files there.

Seeds are the fixtures in ``tests/data/<format>/``. atheris is not a runtime dependency:
install it with ``pip install --group fuzz -e .`` (it needs a CPython with a clang build).

Usage::

    .venv/bin/python -m bench.fuzz --format wxr --seconds 120
    .venv/bin/python -m bench.fuzz --format all --seconds 300   # each reader in turn

Results go to ``bench/results/fuzz.json`` (seconds and executions per format, findings).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SEEDS = ROOT / "tests" / "data"

#: format -> (file suffix, seed folder, reader module)
TARGETS = {
    "wxr": (".xml", "wxr", "discourse.ingest.wxr"),
    "disqus": (".xml", "disqus", "discourse.ingest.disqus"),
    "wp-html": (".html", "wp-html", "discourse.ingest.wp_html"),
    "wp-rest": (".json", "wp-rest", "discourse.ingest.wp_rest"),
    "reddit": (".json", "reddit", "discourse.ingest.reddit"),
    "reddit-jsonl": (".jsonl", "reddit", "discourse.ingest.reddit"),
    "hn": (".json", "hn", "discourse.ingest.hn"),
    "convokit": (".jsonl", "convokit", "discourse.ingest.convokit"),
    "commento": (".json", "commento", "discourse.ingest.commento"),
    "page": (".txt", "page", "discourse.ingest.page"),
    "csv": (".csv", None, "discourse.ingest.tabular"),
    "jsonl": (".jsonl", None, "discourse.ingest.tabular"),
    "detect": (".txt", None, "discourse.ingest.detect"),
}

_CSV_SEED = b"thread_id,comment_id,parent_id,author,created_at,text\nt,1,,Ann,2021-03-03T09:15:00Z,Hi\nt,2,1,Bob,,\"a, b\"\n"
_JSONL_SEED = b'{"thread_id": "t", "comment_id": "1", "text": "hi"}\n{"comment_id": "2", "parent_id": "1", "text": "yo"}\n'


def _seed_corpus(fmt: str, workdir: Path) -> Path:
    corpus = workdir / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    suffix, folder, _ = TARGETS[fmt]
    if fmt == "csv":
        (corpus / "seed.csv").write_bytes(_CSV_SEED)
    elif fmt == "jsonl":
        (corpus / "seed.jsonl").write_bytes(_JSONL_SEED)
    elif fmt == "detect":
        for f in SEEDS.rglob("*"):
            if f.is_file() and f.stat().st_size < 64_000 and not f.name.startswith("LICENSE"):
                shutil.copy(f, corpus / f"{f.parent.name}-{f.name}")
    elif fmt == "convokit":
        for f in (SEEDS / "convokit").rglob("utterances.jsonl"):
            shutil.copy(f, corpus / "utterances.jsonl")
    else:
        for f in (SEEDS / folder).iterdir():
            if f.name.startswith("LICENSE") or f.name.endswith(".md"):
                continue
            if fmt == "reddit" and f.suffix != ".json":
                continue
            if fmt == "reddit-jsonl" and f.suffix != ".jsonl":
                continue
            if fmt == "hn" and f.suffix != ".json":
                continue
            shutil.copy(f, corpus / f.name)
    return corpus


def _child(fmt: str, seconds: int, workdir: Path, out: Path) -> None:
    """Run inside the fuzzing process: instrument the readers and hand over to libFuzzer."""
    import atheris

    with atheris.instrument_imports():
        import discourse.ingest  # noqa: F401
        from discourse.errors import DiscourseError
        from discourse.ingest import detect

    suffix = TARGETS[fmt][0]
    if fmt == "convokit":
        target_dir = workdir / "ck"
        target_dir.mkdir(exist_ok=True)
        src = SEEDS / "convokit"
        for f in next(src.iterdir()).iterdir():
            if f.name != "utterances.jsonl":
                shutil.copy(f, target_dir / f.name)
        target = target_dir / "utterances.jsonl"
        read_path = target_dir
    else:
        target = workdir / f"input{suffix}"
        read_path = target
    reader = None if fmt == "detect" else detect.reader_for(fmt)
    findings: dict[str, dict] = {}
    stats = {"execs": 0}

    def record(kind: str, data: bytes) -> None:
        tb = traceback.extract_tb(sys.exc_info()[2])
        frames = [f"{Path(f.filename).name}:{f.lineno}" for f in tb if "discourse" in f.filename][-3:]
        sig = f"{sys.exc_info()[0].__name__}@{'>'.join(frames)}" if kind == "exception" else kind
        if sig not in findings:
            name = hashlib.sha1(data).hexdigest()[:12]
            (out / f"finding-{name}{suffix}").write_bytes(data)
            findings[sig] = {"count": 0, "input": f"finding-{name}{suffix}",
                             "message": "".join(traceback.format_exception_only(*sys.exc_info()[:2]))[-500:].strip()}
        findings[sig]["count"] += 1
        (out / "findings.json").write_text(json.dumps({"execs": stats["execs"], "findings": findings}, indent=1))

    def one_input(data: bytes) -> None:
        stats["execs"] += 1
        target.write_bytes(data)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if reader is None:
                    fmt_found, _ = detect.detect_format(target)
                    corpus = detect.reader_for(fmt_found)(target)
                else:
                    corpus = reader(read_path)
            for r in corpus.ingest:
                if not r.balanced:
                    raise AssertionError(f"unbalanced ingest report: {r}")
            if len(corpus.comments) != sum(r.kept for r in corpus.ingest):
                raise AssertionError("comments table shorter than the kept count")
        except DiscourseError:
            pass
        except RecursionError:
            record("exception", data)
        except Exception:
            record("exception", data)
        if stats["execs"] % 500 == 0:
            (out / "findings.json").write_text(json.dumps({"execs": stats["execs"], "findings": findings}, indent=1))

    corpus = _seed_corpus(fmt, workdir)
    args = [sys.argv[0], str(corpus), f"-max_total_time={seconds}", "-timeout=20",
            "-rss_limit_mb=3000", "-max_len=65536", f"-artifact_prefix={out}/", "-print_final_stats=1"]
    atheris.Setup(args, one_input)
    try:
        atheris.Fuzz()
    finally:
        (out / "findings.json").write_text(json.dumps({"execs": stats["execs"], "findings": findings}, indent=1))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--format", default="all", help="a reader name, or 'all' for each in turn")
    parser.add_argument("--seconds", type=int, default=120, help="fuzzing time per format")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    formats = list(TARGETS) if args.format == "all" else args.format.split(",")
    for fmt in formats:
        if fmt not in TARGETS:
            parser.error(f"unknown format {fmt!r}; choose from {sorted(TARGETS)} or 'all'")
    if args.child:
        fmt = formats[0]
        out = RESULTS / "fuzz" / fmt
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=f"fuzz-{fmt}-") as tmp:
            _child(fmt, args.seconds, Path(tmp), out)
        return 0
    try:
        import atheris  # noqa: F401
    except ImportError:
        print("skipped: atheris is not installed; pip install --group fuzz -e .")
        return 0
    summary_path = RESULTS / "fuzz.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    for fmt in formats:
        t0 = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "bench.fuzz", "--child", "--format", fmt,
                               "--seconds", str(args.seconds)], cwd=ROOT, capture_output=True, text=True)
        elapsed = time.monotonic() - t0
        out = RESULTS / "fuzz" / fmt
        found = json.loads((out / "findings.json").read_text()) if (out / "findings.json").exists() else {}
        artifacts = sorted(p.name for p in out.glob("crash-*")) + sorted(p.name for p in out.glob("timeout-*")) \
            + sorted(p.name for p in out.glob("oom-*"))
        prev = summary.get(fmt, {"seconds": 0.0, "execs": 0, "runs": 0})
        summary[fmt] = {
            "seconds": round(prev["seconds"] + elapsed, 1),
            "execs": prev["execs"] + found.get("execs", 0),
            "runs": prev["runs"] + 1,
            "findings": found.get("findings", {}),
            "artifacts": artifacts,
            "exit": proc.returncode,
        }
        tail = proc.stderr.strip().splitlines()[-3:] if proc.returncode else []
        print(f"{fmt}: {elapsed:.0f} s, {found.get('execs', 0)} inputs, "
              f"{len(found.get('findings', {}))} finding(s), {len(artifacts)} artifact(s)"
              + (f"; exit {proc.returncode}: {' | '.join(tail)}" if tail else ""), flush=True)
        RESULTS.mkdir(parents=True, exist_ok=True)
        summary_path.write_text(json.dumps(summary, indent=1))
    total = sum(v["seconds"] for v in summary.values())
    print(f"total fuzzing: {total / 3600:.2f} h over {len(summary)} format(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
