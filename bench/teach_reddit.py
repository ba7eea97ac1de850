"""Teaching kit on real Reddit threads: every exercise kind from a thread in $DISCOURSE_DATA.

Reads the Reddit ``.json`` listings in ``formats/reddit`` with a minimal loader (the
project's Reddit reader is written separately; this one only flattens the nested
listing in page order and keeps the explicit parent links), analyses each thread with
``discourse.analyze``, and makes a worksheet, key and answer template of every kind.
A kind whose analysis is missing is reported with its error, not hidden.

Run: ``DISCOURSE_DATA=/work/shared/data .venv/bin/python -m bench.teach_reddit``
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd

from bench._common import data_dir, markdown_table, save, timed


def load_reddit_listing(path: Path):
    """A Corpus from a Reddit ``<id>.json`` listing: comments in page order, explicit parents."""
    import discourse

    post, listing = json.loads(path.read_text(encoding="utf-8"))
    sub = post["data"]["children"][0]["data"]
    thread_id = sub["id"]
    rows = []

    def walk(children):
        for child in children:
            if child.get("kind") != "t1":
                continue  # "more" stubs: comments the listing did not include
            d = child["data"]
            parent = d.get("parent_id", "")
            rows.append({
                "thread_id": thread_id,
                "comment_id": d["id"],
                "parent_id": parent[3:] if parent.startswith("t1_") else "",
                "author": d.get("author") or "",
                "created_at": d.get("created_utc"),
                "text": d.get("body") or "",
            })
            replies = d.get("replies")
            if isinstance(replies, dict):
                walk(replies["data"]["children"])

    walk(listing["data"]["children"])
    threads = pd.DataFrame([{"thread_id": thread_id, "title": sub.get("title", ""), "author": sub.get("author", ""),
                             "created_at": sub.get("created_utc"), "url": sub.get("url", ""), "text": sub.get("selftext", "")}])
    return discourse.Corpus.from_frames(pd.DataFrame(rows), threads, path=str(path))


def main():
    import discourse
    from discourse.teach import KINDS, make_exercise

    folder = data_dir("formats", "reddit")
    out = Path(tempfile.mkdtemp(prefix="teach-reddit-"))
    results = []
    for path in sorted(folder.glob("*.json")):
        corpus = load_reddit_listing(path)
        analysed, seconds = timed(discourse.analyze, corpus)
        for kind in KINDS:
            row = {"thread": path.stem, "comments": len(corpus.comments), "kind": kind, "analyse_s": round(seconds, 2)}
            try:
                ex, t = timed(make_exercise, analysed, kind, n=10, seed=0)
            except discourse.DiscourseError as err:
                row.update(items=0, result=f"error: {str(err)[:90]}...")
            else:
                ex.save(out / f"{path.stem}-{kind}.html", key=out / f"{path.stem}-{kind}.json",
                        answers=out / f"{path.stem}-{kind}.answers.csv", notes=out / f"{path.stem}-{kind}-teacher.html")
                levels = pd.Series([i["difficulty"] for i in ex.items]).value_counts().to_dict()
                row.update(items=len(ex.items), seconds=round(t, 3), levels=levels, result="ok")
            results.append(row)
    print(markdown_table(results, ["thread", "comments", "kind", "items", "levels", "seconds", "result"]))
    print(f"\nworksheets written to {out}")
    save("teach_reddit", results)


if __name__ == "__main__":
    main()
