"""Identity check for speed work on the text stages: outputs saved once, compared after every change.

Runs :func:`discourse.pipeline.analyze_comments` (and the text stages on their own, with
their default arguments: ``segment.spans``, ``civility.spans``/``score``,
``framing.spans``/``score``) over real comment threads:

- generated threads from real comment text (``bench.generate``: Civil Comments, Reddit,
  Hacker News; ``--comments``, default 3,000);
- the three Reddit thread listings, the Disqus and WXR exports and the saved WordPress
  comment pages in ``$DISCOURSE_DATA/formats`` (read with ``discourse.read``);
- the bundled thread ``corpora/zimmer-concession-2017.txt``;
- the SemEval-2021 Task 6 meme texts (persuasion techniques, many in capitals) and the FRAC
  reader-comment sentences (frames) as flat threads.

The check runs with ``PYTHONHASHSEED=0`` (it restarts itself so when the variable is unset):
reply inference words its evidence from a set of repeated phrases, whose order follows the
hash seed, so two runs of the same code differ there otherwise.

``--save`` writes every output table to ``--ref`` (a pickle per input; keep it outside the
repository); ``--check`` (the default) recomputes and compares each table with
``pandas.testing.assert_frame_equal`` (exact: values, dtypes, index, column order) and
exits 1 on the first difference, printing where it is.

Run: ``python -m bench.stage_identity --save`` on the reference code, then
``python -m bench.stage_identity`` after each change.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import time
import warnings
from pathlib import Path

from bench._common import ROOT, data_dir


def inputs(n_generated: int, workdir: Path) -> dict:
    """``{name: Corpus}`` of every input the check runs over."""
    import pandas as pd

    import discourse
    from discourse import Corpus
    from bench.generate import generate

    base = data_dir()
    out = {}
    gen = workdir / f"identity-generated-{n_generated}.jsonl"
    if not gen.exists():
        generate(gen, n_generated, seed=7)
    files = [gen, ROOT / "corpora" / "zimmer-concession-2017.txt",
             *sorted((base / "formats" / "reddit").glob("*.json")),
             *sorted((base / "formats" / "disqus").rglob("*.xml")),
             *sorted((base / "formats" / "wxr").rglob("*.xml")),
             *sorted((base / "formats" / "wp-html" / "comments").glob("*"))]
    for f in files:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                corpus = discourse.read(f)
        except Exception as err:  # a malformed sample file: not what this check is about
            print(f"skipped {f.name}: {type(err).__name__}: {str(err)[:80]}", file=sys.stderr)
            continue
        if len(corpus.comments):
            out[f.name] = corpus
    memes = json.loads((base / "frames" / "persuasion-techniques-semeval2021" / "training_set_task1.txt")
                       .read_text(encoding="utf-8"))
    texts = [m["text"] for m in memes]
    frac = pd.read_csv(base / "frames" / "frac" / "gold_standard_single_label_all.csv")["sentence"].astype(str).tolist()
    for name, tx, size in (("semeval2021-memes", texts, 25), ("frac-sentences", frac[:3000], 40)):
        rows = [{"thread_id": f"{name}-{i // size}", "comment_id": str(i), "text": t} for i, t in enumerate(tx)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out[name] = Corpus.from_frames(pd.DataFrame(rows))
    return out


def outputs(corpus) -> dict:
    """Every table the text stages produce for *corpus*, by name."""
    from discourse import civility, framing, segment
    from discourse.pipeline import analyze_comments

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        comments, spans = analyze_comments(corpus.comments, corpus.threads)
        c = corpus.comments
        return {
            "analyze_comments.comments": comments,
            "analyze_comments.spans": spans,
            "segment.spans(all kinds)": segment.spans(c, kinds=segment.KINDS),
            "segment.spans(threads)": segment.spans(corpus.threads.assign(comment_id="")),
            "civility.spans": civility.spans(c),
            "civility.spans(include_quotes)": civility.spans(c, include_quotes=True),
            "civility.score": civility.score(c),
            "framing.spans": framing.spans(comments),
            "framing.score": framing.score(comments),
        }


def main(argv=None):
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.execve(sys.executable, [sys.executable, "-m", "bench.stage_identity", *(sys.argv[1:] if argv is None else argv)],
                  {**os.environ, "PYTHONHASHSEED": "0"})
    import pandas as pd

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--save", action="store_true", help="write the reference outputs instead of comparing")
    ap.add_argument("--ref", default="/tmp/discourse-identity-ref")
    ap.add_argument("--comments", type=int, default=3000, help="generated comments (default 3000)")
    ap.add_argument("--workdir", default="/tmp/discourse-bench")
    a = ap.parse_args(argv)
    ref, workdir = Path(a.ref), Path(a.workdir)
    ref.mkdir(parents=True, exist_ok=True)
    workdir.mkdir(parents=True, exist_ok=True)
    failed = 0
    total_comments = 0
    t0 = time.perf_counter()
    for name, corpus in inputs(a.comments, workdir).items():
        total_comments += len(corpus.comments)
        got = outputs(corpus)
        path = ref / f"{name}.pkl"
        if a.save:
            path.write_bytes(pickle.dumps(got))
            continue
        want = pickle.loads(path.read_bytes())
        for table, frame in got.items():
            try:
                pd.testing.assert_frame_equal(frame, want[table], check_exact=True)
            except AssertionError as err:
                failed += 1
                print(f"DIFFERENT: {name} / {table}:\n{str(err)[:1500]}")
    what = "saved" if a.save else ("identical" if not failed else f"{failed} tables differ")
    print(f"{total_comments} comments, {what} ({time.perf_counter() - t0:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
