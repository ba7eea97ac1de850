"""A large, realistic comment corpus for benchmarks, built from real comment text.

Text: real comments from ``$DISCOURSE_DATA`` (Reddit thread listings in formats/reddit,
Hacker News comments in formats/hn, Civil Comments news-site comments in
civility/toxic-spans-civilcomments). A generated comment is a real comment (half of the
time) or the first sentences of one real comment joined to the last sentences of another,
so the vocabulary, punctuation, emoji and length distribution are real while most texts
are unique. Sources are drawn 45% Civil Comments, 35% Reddit, 20% HN: the Civil
Comments set was sampled for toxicity, so it is not allowed to dominate.

Threads: sizes follow a discrete log-normal (median 8, heavy tail; ``--median``,
``--sigma``), capped at ``--max-thread``. Reply structure comes from the real Reddit
threads: the share of comments that answer the post is measured there, and a reply picks
its parent by preferential attachment (comments that already have replies attract more)
with a preference for recent comments, which reproduces Reddit's deep, bushy trees. One
reply in ten opens by naming its parent's author ("Ann, ..."), the cue reply inference
looks for. A share of threads (``--flat``) is written without links, as a flat forum
exports them, so reply inference has work to do.

Order: comments are listed by time within blocks of about 20,000 comments, so threads
interleave as they do in a subreddit dump (``--order thread`` lists thread by thread).

Run: ``python -m bench.generate --comments 200000 -o /tmp/big.jsonl`` (also .csv, .parquet).
"""

from __future__ import annotations

import argparse
import html
import json
import math
import random
import re
from pathlib import Path

from bench._common import data_dir

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_TAG = re.compile(r"<[^>]+>")


def _reddit(path: Path):
    """Comment bodies and (parent is post, depth) pairs from one Reddit .json listing."""
    listing = json.loads(path.read_text(encoding="utf-8"))
    texts, top, total = [], 0, 0

    def walk(children, depth):
        nonlocal top, total
        for child in children:
            if child.get("kind") != "t1":
                continue
            d = child["data"]
            body = d.get("body", "")
            if body and body not in ("[deleted]", "[removed]"):
                texts.append(body)
            total += 1
            top += depth == 1
            replies = d.get("replies")
            if isinstance(replies, dict):
                walk(replies["data"]["children"], depth + 1)

    walk(listing[1]["data"]["children"], 1)
    return texts, top, total


def load_texts(base: Path | None = None) -> dict:
    """Real comment texts by source, and the share of Reddit comments that answer the post."""
    import csv

    base = base or data_dir()
    out = {"reddit": [], "hn": [], "civil": []}
    top = total = 0
    for f in sorted((base / "formats" / "reddit").glob("*.json")):
        texts, t, n = _reddit(f)
        out["reddit"] += texts
        top, total = top + t, total + n
    with open(base / "formats" / "hn" / "hn-comments-1000-sample.jsonl", encoding="utf-8") as fh:
        for line in fh:
            text = json.loads(line).get("text") or ""
            text = html.unescape(_TAG.sub("\n", text.replace("<p>", "\n\n"))).strip()
            if text:
                out["hn"].append(text)
    civil = base / "civility" / "toxic-spans-civilcomments"
    seen = set()
    for f, col in ((civil / "ACL2022_components" / "comments.csv", "comment_text"),
                   *((p, "text") for p in sorted((civil / "SemEval2021").glob("tsd_*.csv")))):
        with open(f, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                text = (row.get(col) or "").strip()
                if text and text not in seen:
                    seen.add(text)
                    out["civil"].append(text)
    out["top_share"] = top / total if total else 0.4
    return out


class Generator:
    """Draws threads; see the module docstring for the model."""

    def __init__(self, texts: dict, *, seed: int = 0, median: float = 8.0, sigma: float = 1.5,
                 max_thread: int = 5000, flat: float = 0.3):
        self.rng = random.Random(seed)
        self.sources = [(texts["civil"], 0.45), (texts["reddit"], 0.35), (texts["hn"], 0.20)]
        self.top_share = texts["top_share"]
        self.mu, self.sigma, self.max_thread, self.flat = math.log(median), sigma, max_thread, flat
        self.authors = [f"user{i:05d}" for i in range(50_000)]
        # Zipf-like activity (exponent 0.9): a few people write much of a site.
        self.author_cum = list(__import__("itertools").accumulate(1 / (i + 1) ** 0.9 for i in range(50_000)))

    def thread_size(self) -> int:
        return max(1, min(self.max_thread, int(round(self.rng.lognormvariate(self.mu, self.sigma)))))

    def text(self) -> str:
        r = self.rng.random()
        pool = self.sources[0][0] if r < 0.45 else self.sources[1][0] if r < 0.80 else self.sources[2][0]
        a = self.rng.choice(pool)
        if self.rng.random() < 0.5:
            return a
        b = self.rng.choice(pool)
        sa, sb = _SENTENCE.split(a), _SENTENCE.split(b)
        head = sa[: max(1, len(sa) // 2)]
        tail = sb[len(sb) // 2:] if len(sb) > 1 else []
        return " ".join(head + tail)

    def author(self) -> str:
        return self.rng.choices(self.authors, cum_weights=self.author_cum)[0]

    def thread(self, tid: str, n: int, start: float) -> list:
        rng = self.rng
        flat = rng.random() < self.flat
        rows, weight = [], []
        t = start
        for k in range(n):
            t += rng.expovariate(1 / 120.0)
            parent, parent_idx = "", -1
            if k and rng.random() >= self.top_share:
                # Preferential attachment with a recency preference.
                lo = max(0, k - 200)
                cand = range(lo, k)
                w = [weight[i] * (0.98 ** (k - i)) for i in cand]
                parent_idx = rng.choices(cand, weights=w)[0]
                parent = rows[parent_idx]["comment_id"]
                weight[parent_idx] += 1
            author = self.author()
            text = self.text()
            if parent and rng.random() < 0.1:
                name = rows[parent_idx]["author"]
                text = f"{name}, {text[:1].lower()}{text[1:]}"
            rows.append({"thread_id": tid, "comment_id": f"{tid}-{k}", "parent_id": "" if flat else parent,
                         "author": author, "created_at": t, "text": text})
            weight.append(1.0)
        return rows


def _iso(ts: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(int(ts), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def generate(path, n_comments: int, *, seed: int = 0, order: str = "time", block: int = 20_000, texts=None,
             **model) -> dict:
    """Write *n_comments* generated comments to *path* (.jsonl, .csv or .parquet); return stats."""
    import pandas as pd

    path = Path(path)
    gen = Generator(texts or load_texts(), seed=seed, **model)
    written = threads = 0
    start = 1_500_000_000.0
    sizes = []
    suffix = path.suffix.lower()
    tmp = path.with_name(path.name + ".part")
    writer = None
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        while written < n_comments:
            rows = []
            while len(rows) < block and written + len(rows) < n_comments:
                n = min(gen.thread_size(), n_comments - written - len(rows))
                rows += gen.thread(f"t{seed}-{threads:07d}", n, start + gen.rng.uniform(0, 86_400))
                sizes.append(n)
                threads += 1
            start += 86_400
            df = pd.DataFrame(rows)
            if order == "time":
                df = df.sort_values("created_at", kind="stable")
            df["created_at"] = df["created_at"].map(_iso)
            if suffix == ".jsonl":
                df.to_json(fh, orient="records", lines=True, force_ascii=False)
            elif suffix == ".csv":
                df.to_csv(fh, index=False, header=written == 0, lineterminator="\r\n")
            elif suffix == ".parquet":
                import pyarrow as pa
                import pyarrow.parquet as pq

                table = pa.Table.from_pandas(df, preserve_index=False)
                writer = writer or pq.ParquetWriter(path.with_name(path.name + ".pq.part"), table.schema)
                writer.write_table(table)
            else:
                raise SystemExit(f"output must end in .jsonl, .csv or .parquet; got {path.name}")
            written += len(df)
    if writer is not None:
        writer.close()
        tmp.unlink()
        tmp = path.with_name(path.name + ".pq.part")
    tmp.replace(path)
    sizes.sort()
    return {"comments": written, "threads": threads, "median_thread": sizes[len(sizes) // 2],
            "p99_thread": sizes[int(len(sizes) * 0.99)], "max_thread": sizes[-1], "top_share": gen.top_share}


def single_thread(n: int, *, seed: int = 0, texts=None):
    """One thread of *n* comments, without reply links, as a comments DataFrame."""
    import pandas as pd

    gen = Generator(texts or load_texts(), seed=seed, flat=1.0)
    df = pd.DataFrame(gen.thread("t", n, 1_500_000_000.0))
    df["created_at"] = df["created_at"].map(_iso)
    return df


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--comments", type=int, default=200_000)
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--order", choices=["time", "thread"], default="time")
    ap.add_argument("--median", type=float, default=8.0)
    ap.add_argument("--sigma", type=float, default=1.5)
    ap.add_argument("--max-thread", type=int, default=5000)
    ap.add_argument("--flat", type=float, default=0.3)
    a = ap.parse_args(argv)
    stats = generate(a.output, a.comments, seed=a.seed, order=a.order, median=a.median, sigma=a.sigma,
                     max_thread=a.max_thread, flat=a.flat)
    print(json.dumps(stats))


if __name__ == "__main__":
    main()
