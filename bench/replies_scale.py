"""Reply inference at scale: time per thread length, as a ratio to a 1,000-comment thread.

Run: ``DISCOURSE_DATA=/work/shared/data .venv/bin/python -m bench.replies_scale``

Threads of 1,000 / 2,500 / 5,000 / 10,000 comments are built by cycling the real Reddit
comments (texts and authors; ids and times made unique) and inferring every link in both
listing orders (chronological both as a chat and as a forum). Near-linear inference keeps
time per comment flat: the ratio column
(seconds per comment against the 1,000-comment thread in the same run) should stay near 1.
"""

from __future__ import annotations

import pandas as pd

from bench import _replies_data as D
from bench._common import data_dir, markdown_table, save, timed
from discourse.replies import infer_replies


def build(n, pool):
    texts = [pool[k % len(pool)][0] for k in range(n)]
    authors = [f"{pool[k % len(pool)][1]}{k // len(pool)}" if pool[k % len(pool)][1] else "" for k in range(n)]
    return pd.DataFrame({
        "thread_id": ["big"] * n, "comment_id": [f"c{k}" for k in range(n)], "parent_id": [""] * n,
        "author": authors, "text": texts, "position": range(n),
        "created_at": pd.to_datetime(1_500_000_000 + pd.Series(range(n)) * 30, unit="s", utc=True),
    })


def main():
    reddit = data_dir("formats", "reddit")
    pool = []
    for f in ("3hahrw.json", "fo7p5b.json"):
        t = D.reddit(reddit / f, order="chronological")
        pool += list(zip(t.texts, t.authors))
    rows = []
    # Chronological order runs twice: as a chat (the tree scorer) and as a forum (the
    # forum scorer, with its wider candidate set), as Reddit listed oldest first is read.
    for order, kind in (("chronological", "chat"), ("chronological", "forum"), ("display", "auto")):
        base = None
        for n in (1000, 2500, 5000, 10000):
            df = build(n, pool)
            _, secs = timed(infer_replies, df, mode="always", order=order, kind=kind)
            per = secs / n
            base = base or per
            rows.append({"order": order, "kind": kind, "comments": n, "seconds": secs, "ms per comment": 1000 * per,
                         "ratio to 1,000": per / base})
    print(markdown_table(rows))
    print(f"\nsaved {save('replies_scale', rows)}")


if __name__ == "__main__":
    main()
