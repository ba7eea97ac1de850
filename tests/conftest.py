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
def subject_comments() -> pd.DataFrame:
    """Sixty hand-seeded comments on three subjects (school budgets, the war metaphor, campaign
    money), each a random draw of words from its subject plus common filler; index starts at 100."""
    import random

    subjects = {
        "budget": "school budget teachers classroom funding district cuts salaries students board".split(),
        "war": "war metaphor battle enemy warfare fight soldiers weapons army deception".split(),
        "money": "campaign money donors billionaire spending election candidate dark pac ads".split(),
    }
    filler = "the a and of this that is was we they think about".split()
    rng = random.Random(7)
    rows = []
    for i in range(60):
        name = list(subjects)[i % 3]
        words = rng.choices(subjects[name], k=8) + rng.choices(filler, k=4)
        rng.shuffle(words)
        rows.append({"comment_id": f"c{i}", "subject": name, "text": " ".join(words).capitalize() + "."})
    return pd.DataFrame(rows, index=pd.RangeIndex(100, 160))
