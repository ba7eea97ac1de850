"""Sentiment benchmark: VADER wiring, the effect of each correction, and speed.

Run: ``DISCOURSE_DATA=/path/to/shared/data .venv/bin/python -m bench.sentiment [--n 100000]``

1. Wiring: Pearson r of each score against the human mean ratings of the four VADER
   ground-truth sets (the paper reports r = 0.881 on tweets for its VADER version;
   vaderSentiment 3.3.2 itself is measured here in the same run).
2. Corrections: on the bundled seed thread and real threads (Reddit, Hacker News), how
   many comments change class (positive >= 0.05, negative <= -0.05, else neutral) and how
   many flip sign between the raw, own-words and frame-neutral scores; how many
   comments sit at the extremes (|compound| >= 0.9) by length.
3. Speed: ``sentiment.score`` over real comments vs plain
   ``SentimentIntensityAnalyzer().polarity_scores`` on the same texts, same run.
4. ``--identity``: the stage's VADER re-implementation against vaderSentiment on every
   real text above (whole texts, their sentences, the compound-only path, the stage's raw
   compound); exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time

import numpy as np
import pandas as pd

from bench._common import ROOT, data_dir, markdown_table, save

SETS = ["tweets", "nytEditorialSnippets", "movieReviewSnippets", "amazonReviewSnippets"]


def load_groundtruth(name: str) -> pd.DataFrame:
    path = data_dir("sentiment", "vader-groundtruth", f"{name}_GroundTruth.txt")
    rows = []
    with open(path, encoding="utf-8-sig") as fh:
        for line in fh:
            line = line.rstrip("\r\n")
            if line.strip():
                i, mean, text = line.split("\t", 2)
                rows.append((i, float(mean), text))
    df = pd.DataFrame(rows, columns=["comment_id", "gold", "text"])
    df["thread_id"] = name
    return df


def _flatten_reddit(node, thread, parent, out):
    if node.get("kind") == "Listing":
        for child in node["data"]["children"]:
            _flatten_reddit(child, thread, parent, out)
    elif node.get("kind") == "t1":
        d = node["data"]
        out.append({"thread_id": thread, "comment_id": d["id"], "parent_id": parent, "author": d.get("author") or "",
                    "text": d.get("body") or "", "created_at": d.get("created_utc")})
        if isinstance(d.get("replies"), dict):
            _flatten_reddit(d["replies"], thread, d["id"], out)


def real_threads() -> pd.DataFrame:
    """Reddit threads (nested JSON, explicit reply links) and Hacker News comments."""
    import html
    import re

    rows = []
    for path in sorted(data_dir("formats", "reddit").glob("*.json")):
        listing = json.loads(path.read_text(encoding="utf-8"))
        _flatten_reddit(listing[1], f"reddit/{path.stem}", "", rows)
    hn = data_dir("formats", "hn", "hn-comments-1000-sample.jsonl")
    for line in hn.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        text = html.unescape(re.sub(r"<p>", "\n", d.get("text") or ""))
        text = re.sub(r"<[^>]+>", "", text)
        rows.append({"thread_id": "hn", "comment_id": d["id"], "parent_id": "", "author": d.get("by") or "",
                     "text": text, "created_at": d.get("time")})
    df = pd.DataFrame(rows)
    df = df[~df["text"].isin(["[deleted]", "[removed]", ""])].reset_index(drop=True)
    df["position"] = df.groupby("thread_id").cumcount()
    # Reddit replies whose parent was a deleted comment lose their parent here.
    known = set(zip(df["thread_id"], df["comment_id"]))
    df.loc[[(t, p) not in known for t, p in zip(df["thread_id"], df["parent_id"])], "parent_id"] = ""
    return df


def civil_comments() -> list[str]:
    path = data_dir("civility", "toxic-spans-civilcomments", "ACL2022_components", "comments.csv")
    with open(path, encoding="utf-8", newline="") as fh:
        return [r["comment_text"] for r in csv.DictReader(fh) if r["comment_text"]]


def seed() -> pd.DataFrame:
    import discourse

    return discourse.read(ROOT / "corpora" / "zimmer-concession-2017.txt").comments


def wiring():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer, normalize

    from discourse import sentiment

    sia = SentimentIntensityAnalyzer()
    rows = []
    for name in SETS:
        df = load_groundtruth(name)
        out = sentiment.score(df)
        sents = sentiment.sentences(df)
        own = sents[sents["role"] == "own"]
        by = own.groupby("row")
        mean_rule = by["compound"].mean().reindex(df.index).fillna(0.0)
        # Plain pooling: sentence valence sums added up and normalised once (no length scaling).
        sums = own.assign(s=[sentiment._vader_pieces(t).sum_s for t in own["scored_text"]]).groupby("row")["s"].sum()
        pooled = sums.map(normalize).reindex(df.index).fillna(0.0)
        plain = [sia.polarity_scores(t)["compound"] for t in df["text"]]

        def r(x):
            return float(np.corrcoef(np.asarray(x, dtype=float), df["gold"])[0, 1])

        rows.append({
            "set": name, "n": len(df),
            "r plain VADER": r(plain),
            "r sentiment_raw_compound": r(out["sentiment_raw_compound"]),
            "r sentiment_compound": r(out["sentiment_compound"]),
            "r frame_neutral": r(out["sentiment_frame_neutral_compound"]),
            "r mean of sentences": r(mean_rule),
            "r plain pooling": r(pooled),
            "multi-sentence share": float((out["sentiment_sentences"] > 1).mean()),
        })
    return rows


def _cls(x):
    return np.where(x >= 0.05, 1, np.where(x <= -0.05, -1, 0))


def corrections(frames: dict[str, pd.DataFrame]):
    from discourse import sentiment

    rows, examples = [], {}
    for name, df in frames.items():
        out = sentiment.score(df)
        raw, own, neu = (_cls(out[c].to_numpy()) for c in
                         ("sentiment_raw_compound", "sentiment_compound", "sentiment_frame_neutral_compound"))
        words = out["text"].str.split().str.len()
        long = words >= 60
        rows.append({
            "corpus": name, "comments": len(df),
            "class changed raw->own": int((raw != own).sum()),
            "sign flipped raw->own": int((raw * own == -1).sum()),
            "class changed own->frame-neutral": int((own != neu).sum()),
            "sign flipped own->frame-neutral": int((own * neu == -1).sum()),
            "class changed raw->frame-neutral": int((raw != neu).sum()),
            "|raw|>=0.9 (>=60 words)": f"{int((out.loc[long, 'sentiment_raw_compound'].abs() >= 0.9).sum())}/{int(long.sum())}",
            "|own|>=0.9 (>=60 words)": f"{int((out.loc[long, 'sentiment_compound'].abs() >= 0.9).sum())}/{int(long.sum())}",
            "with quotes": int(out["sentiment_quoted_compound"].notna().sum()),
        })
        changed = out[(raw != own) | (own != neu)]
        examples[name] = [
            {"text": t[:160], "raw": r, "own": o, "frame_neutral": f}
            for t, r, o, f in changed[["text", "sentiment_raw_compound", "sentiment_compound",
                                       "sentiment_frame_neutral_compound"]].head(12).itertuples(index=False)
        ]
    return rows, examples


def escalation_summary(df: pd.DataFrame):
    from discourse import sentiment

    scored = sentiment.score(df)
    by_thread = sentiment.escalation(scored)
    exchanges = sentiment.escalation(scored, by="exchange")
    return by_thread.to_dict("records"), exchanges.sort_values("slope").head(5).to_dict("records")


def speed(n: int):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from discourse import sentiment

    pool = civil_comments() + real_threads()["text"].tolist()
    distinct = list(dict.fromkeys(pool))
    texts = (distinct * (n // len(distinct) + 1))[:n]
    # Warm both sides up (imports, lexicon loading) on texts outside the timed runs.
    warm = pd.DataFrame({"thread_id": "w", "comment_id": ["0", "1"], "text": ["Warm up. Fine!", "I ’love’ it 😀"]})
    sentiment.score(warm)
    SentimentIntensityAnalyzer().polarity_scores("Warm up.")
    rows = []
    # The machine is shared and noisy: the two sides alternate, and the best of `repeat`
    # runs of each is kept (the sentence cache is cleared before every run of ours).
    for label, batch, repeat in ((f"{len(distinct):,} distinct real comments", distinct, 3),
                                 (f"{n:,} comments (the distinct ones repeated)", texts, 1)):
        df = pd.DataFrame({"thread_id": "t", "comment_id": [str(i) for i in range(len(batch))], "text": batch})
        sia = SentimentIntensityAnalyzer()
        plain = ours = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            for t in batch:
                sia.polarity_scores(t)
            plain = min(plain, time.perf_counter() - t0)
            sentiment._clear_caches()
            t0 = time.perf_counter()
            sentiment.score(df)
            ours = min(ours, time.perf_counter() - t0)
        rows.append({"texts": label, "runs": repeat, "plain VADER s": plain, "sentiment.score s": ours,
                     "ratio": ours / plain, "comments/s": len(batch) / ours})
    return rows


def identity() -> list[dict]:
    """The stage's VADER re-implementation against vaderSentiment itself, on every real text here.

    For each text (the four VADER ground-truth sets, the Civil Comments of the toxic-spans
    set, the Reddit and Hacker News threads, the seed thread): ``compound``, ``pos``,
    ``neu`` and ``neg`` of the text and of each of its segmented sentences (as the stage
    scores them: typographic apostrophes straightened) must equal
    ``SentimentIntensityAnalyzer.polarity_scores``, and so must the compound-only path and
    the stage's ``sentiment_raw_compound`` (put together from the sentences where it can
    be). Counts every difference.
    """
    from discourse import segment, sentiment

    a = sentiment.analyzer()
    sets = {name: load_groundtruth(name)["text"].tolist() for name in SETS}
    sets["civil comments"] = civil_comments()
    threads = real_threads()
    for prefix in ("reddit/", "hn"):
        sets[f"{prefix.rstrip('/')} threads"] = threads[threads["thread_id"].str.startswith(prefix)]["text"].tolist()
    sets["seed thread"] = seed()["text"].tolist()
    fields = ("compound", "pos", "neu", "neg")
    rows = []
    for name, texts in sets.items():
        texts = [t for t in texts if isinstance(t, str)]
        sentiment._clear_caches()
        diff_text = diff_compound = diff_sent = diff_raw = n_sent = 0
        seen: set = set()
        for t in texts:
            v = a.polarity_scores(t)
            p = sentiment._vader_pieces(t)
            diff_text += tuple(getattr(p, f) for f in fields) != tuple(v[f] for f in fields)
            diff_compound += sentiment._compound(t) != v["compound"]
            for s in segment.sentences(t):
                scored = t[s.start:s.end].replace("’", "'")
                if scored in seen:
                    continue
                seen.add(scored)
                n_sent += 1
                vs = a.polarity_scores(scored)
                ps = sentiment._vader_pieces(scored)
                diff_sent += tuple(getattr(ps, f) for f in fields) != tuple(vs[f] for f in fields)
        df = pd.DataFrame({"thread_id": "t", "comment_id": [str(i) for i in range(len(texts))], "text": texts})
        seg = segment.spans(df, kinds=segment.KINDS)
        sentiment.spans(df, spans=seg)
        raw = df.pipe(sentiment.score, spans=seg)["sentiment_raw_compound"].tolist()
        diff_raw = sum(r != a.polarity_scores(t)["compound"] for r, t in zip(raw, texts))
        rows.append({"texts": name, "n": len(texts), "distinct sentences": n_sent, "text differences": diff_text,
                     "compound-only differences": diff_compound, "sentence differences": diff_sent,
                     "stage raw differences": diff_raw})
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="comments for the speed run")
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument("--speed-only", action="store_true")
    ap.add_argument("--identity", action="store_true",
                    help="only the check against vaderSentiment on every real text (exit 1 on a difference)")
    args = ap.parse_args(argv)
    results = {}
    if args.identity:
        rows = identity()
        print(markdown_table(rows))
        save("sentiment-identity", {"rows": rows})
        bad = sum(r[k] for r in rows for k in r if k.endswith("differences"))
        sys.exit(1 if bad else 0)
    if args.speed_only:
        results["speed"] = speed(args.n)
        print(markdown_table(results["speed"]))
        save("sentiment-speed", results)
        return
    results["wiring"] = wiring()
    print("## VADER wiring (Pearson r against human means)\n")
    print(markdown_table(results["wiring"]))
    threads = real_threads()
    frames = {"seed (zimmer)": seed()}
    for t, g in threads.groupby("thread_id"):
        frames[t] = g.reset_index(drop=True)
    rows, examples = corrections(frames)
    results["corrections"], results["examples"] = rows, examples
    print("\n## Effect of each correction\n")
    print(markdown_table(rows))
    print("\nSeed examples:")
    for e in examples["seed (zimmer)"]:
        print(f"  raw {e['raw']:+.2f}  own {e['own']:+.2f}  frame-neutral {e['frame_neutral']:+.2f}  {e['text'][:90]!r}")
    reddit = threads[threads["thread_id"].str.startswith("reddit/")].reset_index(drop=True)
    per_thread, heated = escalation_summary(reddit)
    results["escalation"], results["heated"] = per_thread, heated
    print("\n## Escalation on Reddit threads (explicit reply links)\n")
    print(markdown_table(per_thread))
    print("\nMost negative exchanges:")
    print(markdown_table(heated))
    if not args.skip_speed:
        results["speed"] = speed(args.n)
        print("\n## Speed (same process)\n")
        print(markdown_table(results["speed"]))
    path = save("sentiment", results)
    print(f"\nsaved {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
