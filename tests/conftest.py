"""Shared fixtures. Tests never use the network and never need ../shared."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SEED = ROOT / "corpora" / "zimmer-concession-2017.txt"


@pytest.fixture
def tiny_comments() -> pd.DataFrame:
    """Eight hand-written comments: two threads, a nested reply, an orphan, an emoji, an empty text."""
    return pd.DataFrame(
        {
            "thread_id": ["t1", "t1", "t1", "t1", "t1", "t2", "t2", "t2"],
            "comment_id": ["a", "b", "c", "d", "e", "f", "g", "h"],
            "parent_id": ["", "a", "b", "", "zz", "", "f", ""],
            "author": ["Ann", "Bob", "Ann", "Cy", "Dee", "Eve", "Fay", ""],
            "created_at": [
                "2021-03-03T09:15:00Z", "2021-03-03T10:00:00Z", "2021-03-03T11:00:00Z", "2021-03-04T08:00:00Z",
                "2021-03-04T09:00:00Z", "2021-05-01T12:00:00Z", "2021-05-01T12:30:00Z", "",
            ],
            "text": [
                "Trees make the street cooler.",
                "Ann, trees also take parking spaces.",
                "The lot behind the post office is half empty, Bob.",
                "This is a war on drivers!",
                "Replying to a comment that is gone.",
                "Great news 🎉🎉",
                "Thanks, Eve.",
                "",
            ],
        }
    )


@pytest.fixture
def seed_path() -> Path:
    return SEED


@pytest.fixture(scope="session")
def seed_corpus():
    import discourse

    return discourse.read(SEED)


@pytest.fixture(scope="session")
def seed_analysed(seed_corpus):
    import discourse

    return discourse.analyze(seed_corpus)


@pytest.fixture
def interleaved_threads() -> pd.DataFrame:
    """192 comments in 24 threads of uneven size (1 to 21), listed in time order so threads interleave.

    Threads with an even number carry explicit reply links (some nested), the others have
    none, so reply inference runs on half of them. Texts mix positive, negative and
    neutral words so sentiment scores differ; one text is empty, one holds an emoji.
    """
    import random

    rng = random.Random(7)
    words = ["great", "terrible", "the", "board", "school", "vote", "love", "hate", "budget", "teachers",
             "war", "on", "drivers", "thanks", "wrong", "parking", "trees", "cooler", "idiots", "fair"]
    sizes = [1 + (i * 7) % 21 for i in range(24)]
    rows = []
    for t, size in enumerate(sizes):
        for k in range(size):
            parent = ""
            if t % 2 == 0 and k and rng.random() < 0.6:
                parent = f"c{t}-{rng.randrange(k)}"
            text = " ".join(rng.choice(words) for _ in range(rng.randint(2, 14))).capitalize() + rng.choice(".!?")
            rows.append({"thread_id": f"thread-{t:02d}", "comment_id": f"c{t}-{k}", "parent_id": parent,
                         "author": f"user{rng.randrange(40)}", "created_at": 1_600_000_000 + rng.randrange(10**6),
                         "text": text})
    rows[5]["text"] = ""
    rows[17]["text"] = "So proud of our teachers 🎉"
    # Listing by time interleaves the threads, as a subreddit dump does; each thread stays in order.
    df = pd.DataFrame(rows)
    df["created_at"] = df.groupby("thread_id")["created_at"].transform(lambda s: sorted(s))
    df = df.sort_values("created_at", kind="stable").reset_index(drop=True)
    df["created_at"] = pd.to_datetime(df["created_at"], unit="s", utc=True).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return df
