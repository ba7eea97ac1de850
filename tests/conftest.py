"""Shared fixtures. Tests never use the network and never need ../shared."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import settings

# Hypothesis's per-example deadline (200 ms) times the code on a shared, loaded machine and
# fails tests that are correct; speed is measured in bench/, never in a test.
settings.register_profile("discourse", deadline=None)
settings.load_profile("discourse")

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


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory):
    """The seed thread analysed into a Parquet corpus directory by the CLI (topics included)."""
    from click.testing import CliRunner

    from discourse.cli import cli

    out = tmp_path_factory.mktemp("stored") / "corpus"
    result = CliRunner().invoke(cli, ["analyze", str(SEED), "-o", f"{out}/", "-q"])
    assert result.exit_code == 0, result.output
    return out


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


# --------------------------------------------------------------------------- reports
# A fully analysed synthetic corpus: every column and span kind the analysis stages are
# agreed to produce (DESIGN.md), so the report's every section can be tested before the
# stages exist. Offsets are found in the generated text, so text[start:end] == span.text.

_SPEAKERS = ["Ellen", "Duane", "Chas", "Diane", "Ana", "Bo", "Kim", "Lou", "Mara", "Ned", "Ola", "Pat"]
_SENTENCES = [
    ("We are in a war for our public schools.", [("frame", "war", "war", "metaphorical", "politics described as war")]),
    ("The billionaires fight every battle with dark money.", [("frame", "war", "fight", "metaphorical", "a campaign described as fighting"),
                                                              ("frame", "war", "battle", "metaphorical", "a campaign described as a battle")]),
    ("A ship was rammed and real weapons were used in Yemen.", [("frame", "war", "weapons", "literal", "actual weapons")]),
    ("Still can't agree with the war metaphor.", [("frame", "war", "war metaphor", "meta", "talks about the metaphor itself")]),
    ("Elections are a game and they won this round.", [("frame", "game", "game", "metaphorical", "politics as a game"),
                                                       ("frame", "game", "won", "metaphorical", "winning a game")]),
    ("Parents are customers in a market now.", [("frame", "market", "customers", "metaphorical", "families as customers"),
                                                ("frame", "market", "market", "metaphorical", "schooling as a market")]),
    ("They are liars and soulless turds.", [("incivility", "insult", "soulless turds", "", "an insult aimed at people"),
                                            ("technique", "name calling", "liars", "", "a label instead of an argument")]),
    ("This disgusting FILTH is everywhere!", [("technique", "loaded language", "disgusting FILTH", "", "emotionally loaded words")]),
    ("As Diane said, “Doing the hard work” comes in many forms.", [("quote", "quotation", "“Doing the hard work”", "", "quoted, not the commenter's words")]),
    ("Thanks for the thoughtful reply.", []),
    ("I teach social studies and civics is barely touched.", []),
    ("Turnout was under ten percent in the runoff.", []),
    ("See https://example.org/runoff-results for the numbers.", [("url", "link", "https://example.org/runoff-results", "", "")]),
]
_TOPICS = {0: "schools teachers civics", 1: "money billionaires campaign", 2: "war metaphor fight", 3: "turnout runoff election"}


class SyntheticTopics:
    """Stands in for the topics stage's result: top terms and representative comments."""

    def __init__(self, comments):
        self._comments = comments

    def top_terms(self, n=10):
        return {k: v.split()[:n] for k, v in _TOPICS.items()}

    def representative_comments(self, n=3):
        rows = self._comments.sort_values("position").groupby("topic_id", sort=False).head(n)
        return rows[["thread_id", "topic_id", "comment_id"]].reset_index(drop=True)


def synthetic_corpus(n_comments=40, *, n_threads=1, seed=0, xss=None, topics=True, frame_debate=True):
    """A Corpus with every analysis column, spans and extras filled, built from a seeded RNG.

    ``xss`` (a list of strings) is woven into comment text, author names, thread titles,
    URLs, frame names, evidence and explanations.
    """
    import random

    from discourse.model import SPAN_COLUMNS, Corpus, IngestReport

    rng = random.Random(seed)
    rows, spans, threads, debate = [], [], [], []
    base = pd.Timestamp("2017-03-01T09:00:00Z")
    xss = list(xss or [])
    for ti in range(n_threads):
        tid = f"t{ti + 1}"
        post_parts = ["Friends, we built a campaign for the soul of public education.",
                      "That is exactly what our enemies want: a carpet bombing campaign from front groups."]
        post = " ".join(post_parts)
        title = (xss[ti % len(xss)] if xss else "") + f"Runoff thread {ti + 1}: what went wrong?"
        threads.append({"thread_id": tid, "title": title, "author": "Blog author", "text": post,
                        "url": xss[(ti + 1) % len(xss)] if xss else f"https://example.org/thread/{ti + 1}",
                        "created_at": base + pd.Timedelta(days=30 * ti), "source_format": "synthetic", "source_path": f"memory/{tid}"})
        for term, expl in (("enemies", "opponents described as enemies"), ("carpet bombing", "ads described as bombing"),
                           ("front groups", "organisations described as military fronts")):
            start = post.index(term)
            spans.append({"thread_id": tid, "comment_id": "", "kind": "frame", "label": "war", "start": start, "end": start + len(term),
                          "text": term, "sense": "metaphorical", "explanation": expl})
        ids = []
        per_thread = n_comments if n_threads == 1 else max(3, n_comments // n_threads + rng.randint(-2, 2))
        for k in range(per_thread):
            cid = f"c{k + 1}"
            if k and rng.random() < 0.75:
                parent = ids[max(0, len(ids) - 1 - int(rng.expovariate(0.6)))]
            else:
                parent = ""
            speaker = rng.choice(_SPEAKERS[: max(3, min(len(_SPEAKERS), 2 + per_thread // 4))]) if n_comments <= 100 else f"user{rng.randint(1, max(3, n_comments // 20))}"
            who_src = rng.choices(["explicit", "inferred", "unknown"], [6, 2, 1])[0]
            author = "" if who_src == "unknown" else speaker
            if xss and k < len(xss):
                author = xss[k] if who_src != "unknown" else ""
            picks = rng.sample(range(len(_SENTENCES)), rng.randint(1, 3))
            addressee = rows[-1]["author"] if parent and rows and rows[-1]["author"] else ""
            text = f"Sorry, {addressee}, but " if addressee and rng.random() < 0.4 else ""
            found = []
            if text:
                found.append(("address", addressee, addressee, "", f"addresses {addressee}"))
            for i in picks:
                sentence, marks = _SENTENCES[i]
                text += ("" if not text or text.endswith(" ") else " ") + sentence
                found.extend(marks)
            if xss and rng.random() < 0.5:
                payload = rng.choice(xss)
                text += " " + payload
                if payload.strip().lower().startswith(("javascript:", "data:", "http")):
                    found.append(("url", "link", payload, "", "a link in the comment"))
            frames, techs, inc = set(), set(), 0.0
            cursor: dict = {}
            for kind, label, term, sense, expl in found:
                start = text.find(term, cursor.get(term, 0))
                if start < 0:
                    continue
                cursor[term] = start + len(term)
                if xss and kind == "frame" and rng.random() < 0.3:
                    expl = expl + " " + rng.choice(xss)
                if xss and label == "game":
                    label = xss[11]  # a frame name that tries to leave its attribute
                spans.append({"thread_id": tid, "comment_id": cid, "kind": kind, "label": label, "start": start,
                              "end": start + len(term), "text": term, "sense": sense, "explanation": expl})
                if kind == "frame":
                    frames.add(label)
                elif kind == "technique":
                    techs.add(label)
                elif kind == "incivility":
                    inc = max(inc, 0.85)
            raw = max(-1.0, min(1.0, rng.gauss(-0.1, 0.5)))
            own = raw if "“" not in text else max(-1.0, min(1.0, raw + 0.3))
            neutral = own if "war" not in frames else max(-1.0, min(1.0, own + 0.25))
            inferred = not parent or rng.random() < 0.5
            conf = 1.0 if not inferred else (0.0 if not parent else round(rng.uniform(0.3, 0.95), 2))
            evidence = ("" if not inferred else "no reply cue: attached to the post" if not parent
                        else f"addresses {addressee or 'the previous speaker'}, who wrote #{parent}")
            if xss and evidence:
                evidence += " " + xss[k % len(xss)]
            topic = rng.randrange(4)
            rows.append({
                "thread_id": tid, "comment_id": cid, "parent_id": parent, "author": author,
                "created_at": base + pd.Timedelta(days=30 * ti, minutes=7 * k), "text": text, "position": k,
                "parent_source": "inferred" if inferred else "explicit", "parent_confidence": conf, "parent_evidence": evidence,
                "author_source": who_src,
                "sentiment_compound": round(own, 4), "sentiment_raw_compound": round(raw, 4),
                "sentiment_frame_neutral_compound": round(neutral, 4),
                "frames": ";".join(sorted(frames)), "incivility": inc if inc else round(rng.uniform(0, 0.3), 2),
                "techniques": ";".join(sorted(techs)), "topic_id": topic, "topic_label": (xss[0] if xss and topic == 0 else "") + _TOPICS[topic],
            })
            ids.append(cid)
            if frame_debate and "war" in frames:
                role = "introduced" if not any(d["thread_id"] == tid for d in debate) else rng.choice(["adopted", "contested"])
                debate.append({"thread_id": tid, "frame": "war", "comment_id": cid, "role": role,
                               "explanation": f"{role} the war frame" + (" " + xss[0] if xss else "")})
    comments = pd.DataFrame(rows)
    corpus = Corpus.from_frames(comments, pd.DataFrame(threads), path="synthetic")
    from discourse.graph import add_depth

    c = add_depth(corpus.comments)
    extras = {}
    if topics:
        extras["topics"] = SyntheticTopics(c)
    if frame_debate:
        extras["frame_debate"] = pd.DataFrame(debate, columns=["thread_id", "frame", "comment_id", "role", "explanation"])
    report = IngestReport(path="synthetic", format="synthetic", threads=n_threads, seen=len(c), kept=len(c))
    return corpus.replace(comments=c, spans=pd.DataFrame(spans, columns=list(SPAN_COLUMNS)), extras=extras, ingest=(report,))


@pytest.fixture(scope="session")
def analysed_thread():
    """One fully analysed synthetic thread of 40 comments (every report section has data)."""
    return synthetic_corpus(40, seed=1)


@pytest.fixture(scope="session")
def analysed_threads():
    """Five fully analysed synthetic threads spread over five months."""
    return synthetic_corpus(60, n_threads=5, seed=2)


#: Strings that try to break out of every context a report puts data in.
XSS_PAYLOADS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=2">',
    '<img src="http://127.0.0.1:9/leak.png">',
    "<svg onload=window.__xss=3><circle r=5/></svg>",
    "<svg><script>window.__xss=4</script></svg>",
    "javascript:window.__xss=5",
    " JaVaScRiPt:window.__xss=5",
    "data:text/html,<script>window.__xss=6</script>",
    "</style><script>window.__xss=7</script>",
    "</script><script>window.__xss=8</script>",
    '"><script>window.__xss=9</script>',
    "' onmouseover='window.__xss=10' x='",
    "{{ 7*7 }}{% raw %}{{ config }}",
    "<style>body{background:url(http://127.0.0.1:9/x)}</style>",
    '<a href="javascript:window.__xss=11">click</a>',
    '<iframe src="http://127.0.0.1:9/"></iframe>',
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=12>",
    "<!--",
    "]]><script>window.__xss=13</script>",
    'https://example.org/"onmouseover="window.__xss=14',
    '<meta http-equiv="refresh" content="0;url=http://127.0.0.1:9/">',
    '<base href="http://127.0.0.1:9/">',
    "<link rel=stylesheet href=http://127.0.0.1:9/x.css>",
    '<form action="http://127.0.0.1:9/"><button>go</button></form>',
]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright (never a downloaded browser).

    Skips only when the browser is missing and DISCOURSE_REQUIRE_BROWSER is unset; CI sets
    it, so a missing browser fails there.
    """
    import os

    required = os.environ.get("DISCOURSE_REQUIRE_BROWSER", "") not in ("", "0")
    if not Path(CHROMIUM).exists():
        if required:
            pytest.fail(f"DISCOURSE_REQUIRE_BROWSER is set but {CHROMIUM} is missing; install Debian's chromium.")
        pytest.skip(f"{CHROMIUM} is missing (set DISCOURSE_REQUIRE_BROWSER=1 to make this a failure)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if required:
            pytest.fail("DISCOURSE_REQUIRE_BROWSER is set but playwright is not installed (it is in the dev group).")
        pytest.skip("playwright is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


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
