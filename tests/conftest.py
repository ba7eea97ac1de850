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


# A hand-written, fully analysed thread for the teaching kit: every analysis column and
# every span kind the stages will produce (reply links with evidence, sentiment variants,
# frames with senses, techniques, incivility, addresses, sentences), so each exercise kind
# can be built without the stages themselves.
_TEACH_POST = ("We lost this election, but not the war. Our opponents ran a carpet bombing campaign of "
               "attack ads, and we must keep fighting for our schools.")
_TEACH_COMMENTS = [
    # comment_id, parent_id, confidence, evidence, text
    ("c1", "", 0.6, "first comment: answers the post", "Great letter. We lost a battle, not the war."),
    ("c2", "", 0.5, "no cue; follows the post", "All politics is war, Sam. Read Sun Tzu before the next campaign."),
    ("c3", "c2", 0.9, "addresses 'Lee' by name, the writer #2 answers", "Schools are not a battlefield, Lee. That war metaphor poisons the debate."),
    ("c4", "c3", 0.8, "quotes 'war metaphor' from #3", "The war metaphor fits perfectly: they are destroying our schools."),
    ("c5", "c4", 0.4, "follows #4 and answers its claim", "My grandfather fought in a real war in Korea. This is an election."),
    ("c6", "", 0.3, "no cue; follows the post", "These clowns are soulless crooks who will rot in hell, the turds."),
    ("c7", "c6", 0.35, "follows #6", "Wow, great job everyone, another brilliant loss. Just wonderful."),
    ("c8", "c7", 0.5, "answers the claim in #7", "I do not think the board is evil. Everyone knows the billionaires bought this seat."),
    ("c9", "c8", 0.85, "thanks 'Pat' by name", "Thanks, Pat. Good point about the money."),
]
_TEACH_SPANS = [
    # comment_id ("" = the post), kind, label, text, sense, explanation
    ("", "frame", "war_metaphor", "war", "metaphorical", "an election described as a war"),
    ("", "frame", "war_metaphor", "carpet bombing", "metaphorical", "advertising described as bombing"),
    ("", "frame", "war_metaphor", "fighting", "metaphorical", "campaigning described as fighting"),
    ("c1", "frame", "war_metaphor", "battle", "metaphorical", "an election described as a battle"),
    ("c2", "frame", "war_metaphor", "war", "metaphorical", "politics described as war"),
    ("c3", "frame", "war_metaphor", "battlefield", "metaphorical", "schools described as a battlefield (negated)"),
    ("c3", "frame", "war_metaphor", "war metaphor", "meta", "talks about the war metaphor and contests it ('poisons the debate')"),
    ("c4", "frame", "war_metaphor", "war metaphor", "meta", "talks about the war metaphor and endorses it ('fits perfectly')"),
    ("c4", "frame", "war_metaphor", "destroying", "metaphorical", "policy described as destruction"),
    ("c5", "frame", "war_metaphor", "fought", "literal", "a real war: the Korean War"),
    ("c5", "frame", "war_metaphor", "war", "literal", "a real war: the Korean War"),
    ("c2", "technique", "slogans", "All politics is war", "", "a short catchy claim offered without argument"),
    ("c4", "technique", "loaded_language", "destroying our schools", "", "emotionally loaded verb"),
    ("c6", "technique", "name_calling", "soulless crooks", "", "insulting label for opponents"),
    ("c6", "incivility", "insult", "turds", "", "insult"),
    ("c8", "technique", "bandwagon", "Everyone knows", "", "appeal to what everyone supposedly knows"),
    ("c2", "address", "Sam", "Sam", "", "addressed by name"),
    ("c3", "address", "Lee", "Lee", "", "addressed by name"),
    ("c9", "address", "Pat", "Pat", "", "addressed by name"),
]


def _teach_corpus():
    import re

    import discourse
    from discourse.model import SPAN_COLUMNS
    from discourse.sentiment import score

    comments = pd.DataFrame(
        {
            "thread_id": "t",
            "comment_id": [c[0] for c in _TEACH_COMMENTS],
            "parent_id": [c[1] for c in _TEACH_COMMENTS],
            "parent_source": "inferred",
            "parent_confidence": [c[2] for c in _TEACH_COMMENTS],
            "parent_evidence": [c[3] for c in _TEACH_COMMENTS],
            "text": [c[4] for c in _TEACH_COMMENTS],
        }
    )
    threads = pd.DataFrame({"thread_id": ["t"], "title": ["We lost, but not the war"], "text": [_TEACH_POST]})
    corpus = discourse.Corpus.from_frames(comments, threads)
    c = corpus.comments.pipe(score)
    texts = dict(zip(c["comment_id"], c["text"]))
    texts[""] = _TEACH_POST
    rows = []
    for cid, kind, label, text, sense, why in _TEACH_SPANS:
        start = texts[cid].index(text)
        rows.append(("t", cid, kind, label, start, start + len(text), text, sense, why))
    for cid, text in texts.items():
        for m in re.finditer(r"[^.!?]+[.!?]", text):
            start = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
            rows.append(("t", cid, "sentence", "", start, m.end(), text[start:m.end()], "", ""))
    spans = pd.DataFrame(rows, columns=list(SPAN_COLUMNS))
    frames = {cid for cid, kind, *_ in _TEACH_SPANS if kind == "frame"}
    techniques: dict = {}
    for cid, kind, label, *_ in _TEACH_SPANS:
        if kind == "technique":
            techniques.setdefault(cid, []).append(label)
    neutral = c["sentiment_compound"].where(c["comment_id"] != "c5", 0.0)
    c = c.assign(
        depth=[1, 1, 2, 3, 4, 1, 2, 3, 4],
        sentiment_raw_compound=c["sentiment_compound"],
        sentiment_frame_neutral_compound=neutral,
        frames=["war_metaphor" if cid in frames else "" for cid in c["comment_id"]],
        incivility=[0.0, 0.1, 0.1, 0.2, 0.0, 0.9, 0.3, 0.1, 0.0],
        techniques=[";".join(techniques.get(cid, [])) for cid in c["comment_id"]],
    )
    return corpus.replace(comments=c, spans=spans)


@pytest.fixture(scope="session")
def teach_corpus():
    """A hand-written thread with every analysis column and span kind filled in (for discourse.teach)."""
    return _teach_corpus()
