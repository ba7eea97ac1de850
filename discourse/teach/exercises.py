"""Exercises: pick items from an analysed thread; write the worksheet, key and answer template.

:func:`make_exercise` is the one entry point. It reads what the analysis stages left in
the corpus (reply links, sentiment columns, frame, technique and incivility spans),
builds every candidate item of the requested kind, gives each a difficulty, and picks
*n* of them reproducibly (``seed``). It never runs an analysis a stage owns: when a kind
needs something the corpus lacks, a :class:`~discourse.errors.DiscourseError` says which
analysis is missing.

Difficulty is a score in [0, 1] per candidate, cut into easy (< 1/3), medium and hard
(>= 2/3). What makes an item hard is kind-specific and written where it is computed:
a reply far from its parent with no name cue, a literal war word in a thread about the
war metaphor, a technique subtler than name-calling, a comment whose tone VADER is
known to misread.

Comment text is shown with classroom-safe masking by default (:func:`mask_profanity`):
each letter after the first of a listed word becomes ``*``, so lengths and therefore
span offsets do not change.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import json
import math
import os
import random
import re
import warnings

from ..errors import DiscourseError, DiscourseWarning, SchemaError

__all__ = ["DIFFICULTIES", "KINDS", "Exercise", "make_exercise", "mask_profanity"]

#: The exercise kinds, in the order the worksheet menu lists them.
KINDS = ("replies", "frames", "techniques", "tone")

#: Difficulty levels; ``mixed`` draws from all three in turn.
DIFFICULTIES = ("mixed", "easy", "medium", "hard")

_PREFIX = {"replies": "R", "frames": "F", "techniques": "P", "tone": "T"}

#: Key format version; :func:`discourse.teach.read_key` refuses keys from a newer version.
KEY_VERSION = 1
KEY_FORMAT = "discourse-exercise-key"

# A small, deliberately conservative classroom list: words a school would not print.
# Milder words ("hell", "damn") are left alone because they carry meaning in civics
# texts ("roiling in his own heaven or hell"). The civility stage keeps the full lexicon.
_PROFANITY = re.compile(
    r"\b(?:f+u+c+k\w*|motherf\w*|sh[i1]t\w*|bullshit\w*|piss\w*|turds?|cunts?|"
    r"bitch\w*|bastards?|ass|asses|assholes?|arseholes?|dickheads?|dicks?|cocks?|wank\w*|"
    r"twats?|pricks?|slut\w*|whores?|fag\w*|retard\w*|crap\w*)\b",
    re.IGNORECASE,
)

# Shown in full; longer texts are cut at a word boundary (the key keeps the offsets).
_MAX_COMMENT_CHARS = 1100
_CONTEXT_CHARS = 220
_MAX_TONE_CHARS = 2500

_SENSES = {
    "metaphorical": "used as a metaphor (politics described as war)",
    "literal": "used literally (a real war, weapon or battle)",
    "meta": "talk about the metaphor itself (agreeing or disagreeing with it)",
}

_STANCES = {
    "accepts": "accepts the frame (uses it or says it fits)",
    "rejects": "contests the frame (says it does not fit or is harmful)",
    "neither": "neither: mentions the frame without taking a side",
}

_TONES = {"negative": "negative", "neutral": "neutral", "positive": "positive"}

#: Short definitions shown in the worksheet glossary, keyed by normalised label.
#: Technique names follow SemEval-2021 Task 6 (Dimitrov et al.); incivility labels follow
#: the toxic-spans and Civil Comments conventions.
GLOSSARY = {
    "name_calling": ("Name-calling", "an insulting or loaded label for a person or group instead of an argument"),
    "insult": ("Insult", "an insulting, inflammatory or demeaning remark about a person or group"),
    "profanity": ("Profanity", "swear words or obscene language"),
    "threat": ("Threat", "wishing or announcing harm"),
    "identity_attack": ("Identity attack", "a negative remark about people because of who they are"),
    "toxicity": ("Hostile language", "rude, disrespectful or unreasonable language"),
    "loaded_language": ("Loaded language", "words with strong emotional weight chosen to sway the reader"),
    "exaggeration": ("Exaggeration", "making something seem bigger, worse or better than it is"),
    "exaggeration_minimisation": ("Exaggeration / minimisation", "making something seem bigger or smaller than it is"),
    "doubt": ("Casting doubt", "questioning someone's credibility instead of their argument"),
    "appeal_to_fear": ("Appeal to fear", "trying to win support by making people afraid"),
    "appeal_to_fear_prejudice": ("Appeal to fear / prejudice", "trying to win support by fear or prejudice"),
    "appeal_to_authority": ("Appeal to authority", "claiming something is true because an authority said so"),
    "slogans": ("Slogan", "a short, catchy phrase that replaces an argument"),
    "flag_waving": ("Flag-waving", "appealing to group pride or patriotism"),
    "whataboutism": ("Whataboutism", "answering a criticism by pointing at someone else's wrongdoing"),
    "causal_oversimplification": ("Causal oversimplification", "giving one cause for a problem that has many"),
    "black_and_white_fallacy": ("Black-and-white fallacy", "presenting two options as the only ones"),
    "thought_terminating_cliche": ("Thought-terminating cliché", "a phrase that ends discussion ('it is what it is')"),
    "smears": ("Smear", "damaging someone's reputation with attacks rather than evidence"),
    "reductio_ad_hitlerum": ("Reductio ad Hitlerum", "comparing an opponent to the Nazis or another hated group"),
    "glittering_generalities": ("Glittering generalities", "vague, virtue words (freedom, justice) that need no proof"),
    "repetition": ("Repetition", "repeating a message until it sticks"),
    "straw_man": ("Straw man", "attacking a weaker version of the other side's argument"),
    "red_herring": ("Red herring", "bringing in an irrelevant topic to distract"),
    "bandwagon": ("Bandwagon", "'everyone thinks so', so you should too"),
    "sarcasm": ("Sarcasm", "saying the opposite of what is meant, to mock"),
}

_NONE = "none"


@functools.lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader("discourse", "teach/templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def mask_profanity(text: str, *, mask: str = "*") -> str:
    """Mask classroom-unsafe words, keeping each word's first letter and its length.

    The result has the same length as *text*, so character offsets (spans) still point
    at the same words.

    Parameters
    ----------
    text : str
    mask : str, default "*"
        One character that replaces the hidden letters.

    Examples
    --------
    >>> mask_profanity("They will rot in hell, soulless turds.")
    'They will rot in hell, soulless t****.'
    >>> len(mask_profanity("piss and moan")) == len("piss and moan")
    True
    """
    if len(mask) != 1:
        raise SchemaError(f"mask must be a single character; got {mask!r}.")
    return _PROFANITY.sub(lambda m: m.group(0)[0] + mask * (len(m.group(0)) - 1), text)


def _norm_label(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(label).lower()).strip("_")


def _pretty(label: str) -> str:
    key = _norm_label(label)
    if key in GLOSSARY:
        return GLOSSARY[key][0]
    from ..lexicons import readable

    name = readable(key)  # a technique's name from its lexicon ("Black-and-white fallacy"), else its words
    return name[:1].upper() + name[1:] if name else str(label)


def _tone_of(value) -> str | None:
    # VADER's own thresholds (Hutto and Gilbert 2014, README): +-0.05 on the compound score.
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value >= 0.05:
        return "positive"
    if value <= -0.05:
        return "negative"
    return "neutral"


def _level(score: float) -> str:
    return "easy" if score < 1 / 3 else ("medium" if score < 2 / 3 else "hard")


def _clip(value: float) -> float:
    return round(min(1.0, max(0.0, value)), 3)


# --- reading the corpus -------------------------------------------------------------


class _Thread:
    """The rows of one thread, in display order, with the display number of each comment."""

    def __init__(self, corpus, thread_id, *, masked: bool):
        comments = corpus.comments
        rows = comments[comments["thread_id"] == thread_id].sort_values("position", kind="stable")
        self.thread_id = thread_id
        self.rows = rows.to_dict("records")
        self.by_id = {r["comment_id"]: r for r in self.rows}
        # Numbers are 1-based positions within the thread: what a reader of the page counts.
        self.number = {r["comment_id"]: i + 1 for i, r in enumerate(self.rows)}
        post = corpus.threads[corpus.threads["thread_id"] == thread_id]
        self.post = post.iloc[0].to_dict() if len(post) else {"title": "", "text": ""}
        self.title = str(self.post.get("title") or "") or str(thread_id)
        self.masked = masked
        self._span_cache: dict = {}
        spans = corpus.spans
        if spans is not None and len(spans):
            self.spans = spans[spans["thread_id"] == thread_id]
        else:
            self.spans = None

    def text_of(self, comment_id: str) -> str:
        if comment_id == "":
            return str(self.post.get("text") or "")
        return str(self.by_id[comment_id]["text"])

    def show(self, text: str) -> str:
        return mask_profanity(text) if self.masked else text

    def where(self, comment_id: str) -> str:
        return "the post" if comment_id == "" else f"comment #{self.number[comment_id]}"

    def spans_of(self, kinds) -> list[dict]:
        if self.spans is None:
            return []
        kinds = tuple(kinds)
        if kinds not in self._span_cache:
            self._span_cache[kinds] = self._read_spans(kinds)
        return [dict(r) for r in self._span_cache[kinds]]

    def _read_spans(self, kinds) -> list[dict]:
        s = self.spans[self.spans["kind"].isin(kinds)]
        out = []
        bad = 0
        for r in s.to_dict("records"):
            cid = "" if r.get("comment_id") is None or r.get("comment_id") != r.get("comment_id") else str(r["comment_id"])
            for col in ("label", "sense", "explanation", "text"):
                v = r.get(col)
                r[col] = "" if v is None or v != v else str(v)
            try:
                start, end = int(r["start"]), int(r["end"])
            except (TypeError, ValueError):
                start = end = -1
            text = None if cid and cid not in self.by_id else self.text_of(cid)
            # A span must point into its row's text; one that does not (a comment filtered
            # out, offsets from another version of the text) would mark the wrong words.
            if text is None or not 0 <= start < end <= len(text) or (r["text"] and text[start:end] != r["text"]):
                bad += 1
                continue
            r["comment_id"], r["start"], r["end"] = cid, start, end
            out.append(r)
        if bad:
            warnings.warn(f"{bad} {'/'.join(kinds)} span{'s' * (bad != 1)} of thread {self.thread_id!r} "
                          f"{'do' if bad != 1 else 'does'} not match their comment's text (unknown comment or offsets outside the text) and were not used",
                          DiscourseWarning, stacklevel=4)
        # Post first, then comments in display order, then by offset: reading order.
        out.sort(key=lambda r: (self.number.get(r["comment_id"], 0), r["start"], r["end"], r["label"]))
        return out

    def passage(self, comment_id: str, start: int, end: int, *, sentences: list[dict] | None = None) -> dict:
        """The marked passage: some context, the span, some context, cut at word boundaries."""
        text = self.text_of(comment_id)
        lo, hi = max(0, start - _CONTEXT_CHARS), min(len(text), end + _CONTEXT_CHARS)
        for s in sentences or ():
            # The whole sentence, when it is not too long, reads better than a cut window.
            if s["comment_id"] == comment_id and s["start"] <= start and s["end"] >= end and s["end"] - s["start"] < 600:
                lo, hi = min(lo, s["start"]), max(hi, s["end"])
        if lo > 0:
            space = text.rfind(" ", 0, lo)
            cut = text.rfind("\n", 0, start)
            lo = max(space + 1 if space >= 0 else 0, cut + 1 if cut >= 0 else 0)
            lo = min(lo, start)
        if hi < len(text):
            space = text.find(" ", hi)
            hi = len(text) if space < 0 else space
            newline = text.find("\n", end)
            if 0 <= newline < hi:
                hi = newline
            hi = max(hi, end)
        shown = self.show(text)
        return {
            "where": self.where(comment_id),
            "lead": "… " if lo > 0 else "",
            "before": shown[lo:start],
            "marked": shown[start:end],
            "after": shown[end:hi],
            "tail": " …" if hi < len(text) else "",
        }

    def comment_card(self, comment_id: str, *, limit: int = _MAX_COMMENT_CHARS) -> dict:
        row = self.by_id[comment_id]
        text = str(row["text"])
        shortened = 0
        if len(text) > limit:
            cut = text.rfind(" ", 0, limit)
            cut = limit if cut < limit // 2 else cut
            shortened = len(text) - cut
            text = text[:cut]
        author = str(row.get("author") or "")
        return {
            "id": comment_id,
            "number": self.number[comment_id],
            "author": author,
            "text": self.show(text),
            "shortened": shortened,
        }


# --- candidate items, one builder per kind ------------------------------------------


def _reply_candidates(th: _Thread, rng: random.Random) -> tuple[list[dict], dict]:
    addresses = {s["comment_id"] for s in th.spans_of(["address", "quote"]) if s["comment_id"]}
    cands = []
    links = {"explicit": 0, "inferred": 0, "unknown": 0}
    for i, row in enumerate(th.rows):
        source = str(row.get("parent_source") or "")
        conf = row.get("parent_confidence")
        conf = 0.0 if conf is None or conf != conf else float(conf)
        parent = str(row.get("parent_id") or "")
        known = source == "explicit" or (source == "inferred" and conf > 0)
        links["explicit" if source == "explicit" else ("inferred" if known else "unknown")] += 1
        if not known or i == 0 or (parent and parent not in th.by_id):
            # The first comment can only answer the post: not a question worth asking.
            continue
        cid = row["comment_id"]
        gap = i - (th.number[parent] - 1) if parent else i + 1
        cue = cid in addresses or bool(re.search(r"name|address|quot|cue|mention", str(row.get("parent_evidence") or ""), re.I))
        # Hard: a distant parent, no visible cue, or a link the tool itself doubts. An
        # explicit link has no doubt, so distance and cues carry the whole score.
        far = min(gap - 1, 6) / 6
        if source == "explicit":
            score = 0.6 * far + 0.4 * (not cue)
        else:
            score = 0.45 * (1 - conf) + 0.35 * far + 0.2 * (not cue)
        earlier = [r["comment_id"] for r in th.rows[:i]]
        near = [c for c in reversed(earlier) if c != parent][:6]
        distractors = near[:2] + rng.sample(near[2:], min(1, len(near[2:])))
        values = sorted({parent, "", *distractors}, key=lambda c: th.number.get(c, 0))
        options = [{"value": "post" if c == "" else str(th.number[c]),
                    "label": "the post" if c == "" else f"comment #{th.number[c]}"} for c in values]
        answer = "post" if parent == "" else str(th.number[parent])
        evidence = "explicit link in the source" if source == "explicit" else str(row.get("parent_evidence") or "")
        cands.append({
            "task": "reply",
            "prompt": f"Which comment does comment #{th.number[cid]} answer?",
            "comment_ids": [cid],
            "options": options,
            "expected": answer,
            "tool": answer,
            "evidence": evidence,
            "confidence": round(conf, 3),
            "score": _clip(score),
            "shows": [c for c in values if c] + [cid],
        })
    return cands, links


def _frame_candidates(th: _Thread, rng: random.Random) -> tuple[list[dict], dict]:
    frames = [s for s in th.spans_of(["frame"])]
    sentences = th.spans_of(["sentence"])
    senses = {"metaphorical": 0, "literal": 0, "meta": 0, "other": 0}
    cands = []
    seen = set()
    for s in frames:
        sense = s["sense"].lower()
        senses[sense if sense in _SENSES else "other"] += 1
        if sense not in _SENSES or (s["comment_id"], s["start"]) in seen:
            continue
        seen.add((s["comment_id"], s["start"]))
        frame = _pretty(s["label"]).lower() if s["label"] else "frame"
        # Metaphors are what students expect; talk about the metaphor is subtler; a literal
        # war word inside a debate about the war metaphor is the real test.
        base = {"metaphorical": 0.15, "meta": 0.5, "literal": 0.75}[sense]
        cands.append({
            "task": "sense",
            "prompt": f"In {th.where(s['comment_id'])}, how is the marked “{th.show(s['text'])}” used?",
            "frame": frame,
            "comment_ids": [s["comment_id"]] if s["comment_id"] else [],
            "passage": th.passage(s["comment_id"], s["start"], s["end"], sentences=sentences),
            "span": {"start": s["start"], "end": s["end"], "text": s["text"], "label": s["label"]},
            "options": [{"value": k, "label": v} for k, v in _SENSES.items()],
            "expected": sense,
            "tool": sense,
            "evidence": s["explanation"],
            "score": _clip(base + 0.1 * (not s["explanation"]) + rng.random() * 0.05),
        })
    # One stance question per comment that talks about the frame itself.
    meta_by_comment: dict = {}
    for s in frames:
        if s["sense"].lower() == "meta" and s["comment_id"]:
            meta_by_comment.setdefault(s["comment_id"], s)
    for cid, s in meta_by_comment.items():
        why = s["explanation"].lower()
        tool = None
        tool = _stance_from(why)
        frame = _pretty(s["label"]).lower() if s["label"] else "frame"
        cands.append({
            "task": "stance",
            "prompt": f"Comment #{th.number[cid]} talks about the {frame} itself. Does the writer accept it or contest it?",
            "frame": frame,
            "comment_ids": [cid],
            "passage": th.passage(cid, s["start"], s["end"], sentences=sentences),
            "span": {"start": s["start"], "end": s["end"], "text": s["text"], "label": s["label"]},
            "options": [{"value": k, "label": v} for k, v in _STANCES.items()],
            "expected": tool,
            "tool": tool,
            "evidence": s["explanation"] or "the tool marks this as talk about the frame; it does not decide the stance",
            "score": _clip(0.55 + 0.15 * (tool is None)),
        })
    return cands, senses


def _stance_from(explanation: str) -> str | None:
    """The stance a framing explanation states, if it states one ("contests it", "endorses it").

    >>> [_stance_from(w) for w in ("contests the frame", "disagrees with it", "endorses it", "does not accept it", "talk")]
    ['rejects', 'rejects', 'accepts', 'rejects', None]
    """
    why = explanation.lower()
    if re.search(r"\b(?:contest|reject|against|disput|object|disagree|not (?:accept|agree|fit|endorse|like))", why):
        return "rejects"
    if re.search(r"\b(?:endorse|accept|defend|support|agree|fits)", why):
        return "accepts"
    return None


def _technique_candidates(th: _Thread, rng: random.Random) -> tuple[list[dict], dict]:
    spans = th.spans_of(["technique", "incivility"])
    sentences = th.spans_of(["sentence"])
    counts: dict = {}
    by_place: dict = {}
    for s in spans:
        key = _norm_label(s["label"]) or s["kind"]
        counts[key] = counts.get(key, 0) + 1
        by_place.setdefault((s["comment_id"], s["start"], s["end"]), []).append((key, s))
    present = sorted(counts, key=lambda k: (-counts[k], k))
    vocabulary = present + [k for k in GLOSSARY if k not in counts]
    cands = []

    def options_for(correct: set) -> list[dict]:
        pool = [k for k in present if k not in correct]
        pool += [k for k in vocabulary if k not in correct and k not in pool]
        # Distractors drawn from what the thread itself contains first, so they are plausible.
        chosen = rng.sample(pool[:6], min(3 - min(len(correct), 2), len(pool[:6])))
        values = sorted(set(correct) | set(chosen), key=lambda k: _pretty(k))
        return [{"value": k, "label": _pretty(k)} for k in values] + [{"value": _NONE, "label": "none of these"}]

    for (cid, start, end), found in by_place.items():
        keys = sorted({k for k, _ in found})
        first = found[0][1]
        # Name-calling and insults are what students spot first; loaded language and
        # slogans need a closer look; the rest need the definition.
        easy = {"name_calling", "insult", "profanity", "threat", "toxicity"}
        medium = {"loaded_language", "slogans", "flag_waving", "exaggeration", "exaggeration_minimisation", "sarcasm"}
        base = 0.15 if keys[0] in easy else (0.45 if keys[0] in medium else 0.75)
        explanation = "; ".join(dict.fromkeys(s["explanation"] for _, s in found if s["explanation"]))
        cands.append({
            "task": "technique",
            "prompt": f"Which technique does the marked passage in {th.where(cid)} use?",
            "comment_ids": [cid] if cid else [],
            "passage": th.passage(cid, start, end, sentences=sentences),
            "span": {"start": start, "end": end, "text": first["text"], "label": first["label"]},
            "options": options_for(set(keys)),
            "expected": keys[0],
            "also_accept": keys[1:],
            "tool": keys[0],
            "evidence": explanation or f"{first['kind']} span marked as {_pretty(first['label']).lower()}",
            "score": _clip(base + rng.random() * 0.05),
        })
    # Control passages: sentences with no technique, so "none of these" is sometimes right.
    marked = [(s["comment_id"], s["start"], s["end"]) for s in spans]
    controls = []
    for s in sentences:
        if not s["comment_id"] or s["end"] - s["start"] < 25:
            continue
        if any(c == s["comment_id"] and a < s["end"] and b > s["start"] for c, a, b in marked):
            continue
        controls.append(s)
    for s in rng.sample(controls, min(len(controls), max(1, len(cands) // 4))) if cands else []:
        cands.append({
            "task": "technique",
            "prompt": f"Which technique does the marked passage in {th.where(s['comment_id'])} use?",
            "comment_ids": [s["comment_id"]],
            "passage": th.passage(s["comment_id"], s["start"], s["end"]),
            "span": {"start": s["start"], "end": s["end"], "text": s["text"], "label": ""},
            "options": options_for(set()),
            "expected": _NONE,
            "also_accept": [],
            "tool": _NONE,
            "evidence": "the tool found no technique or incivility in this sentence",
            "score": _clip(0.7 + rng.random() * 0.05),
        })
    return cands, counts


_NEGATION = re.compile(r"\b(?:not|no|never|nothing|nobody|cannot|can[’']?t|don[’']?t|doesn[’']?t|isn[’']?t|won[’']?t|ain[’']?t|\w+n[’']t)\b", re.I)
_SARCASM = re.compile(r"^\W*(?:oh|wow|yeah,? right|sure,? )\b|\b(?:great job|well done|just wonderful|thanks a lot|"
                      r"your highness|almighty|so righteously)\b", re.I)


def _negates_sentiment(text: str) -> bool:
    """A negator before a word VADER scores, in the same clause.

    VADER flips a word's score only when a negator is among the three words before it, by
    a fixed factor; "I do not think the board is evil" keeps "evil" negative. Either way
    the negated sentence is worth a second look.
    """
    from ..sentiment import analyzer

    lexicon = analyzer().lexicon
    for clause in re.split(r"[.!?;:…]+", text.lower()):
        words = re.findall(r"[\w’']+", clause)
        for i, w in enumerate(words):
            if _NEGATION.fullmatch(w) and any(x.strip("’'") in lexicon for x in words[i + 1:i + 9]):
                return True
    return False


def _tone_candidates(th: _Thread, rng: random.Random) -> tuple[list[dict], dict]:
    cands = []
    traps_seen: dict = {}
    for row in th.rows:
        text = str(row["text"])
        if not text.strip():
            continue
        own = row.get("sentiment_compound")
        tone = _tone_of(own)
        if tone is None:
            continue
        traps = []
        raw, neutral = row.get("sentiment_raw_compound"), row.get("sentiment_frame_neutral_compound")
        if raw is not None and raw == raw and abs(float(raw) - float(own)) >= 0.3:
            traps.append("quoted text changes the score")
        if neutral is not None and neutral == neutral and abs(float(neutral) - float(own)) >= 0.2:
            traps.append("war words move the score")
        elif str(row.get("frames") or "").strip():
            traps.append("frame vocabulary")
        if _negates_sentiment(text):
            traps.append("negation")
        if _SARCASM.search(text):
            traps.append("possible sarcasm")
        incivility = row.get("incivility")
        if incivility is not None and incivility == incivility and float(incivility) >= 0.5 and tone != "negative":
            traps.append("hostile but not scored negative")
        if _PROFANITY.search(text):
            traps.append("profanity")
        for t in traps:
            traps_seen[t] = traps_seen.get(t, 0) + 1
        # Strong, trap-free scores are easy to agree on; every known VADER weakness in
        # the comment makes the comparison harder (and more worth discussing).
        strength = min(abs(float(own)), 1.0)
        score = (0.25 - 0.2 * strength) + 0.3 * len(traps) + (0.2 if len(text) > 600 else 0.0)
        cid = row["comment_id"]
        cands.append({
            "task": "tone",
            "prompt": f"How does the writer of comment #{th.number[cid]} sound?",
            "comment_ids": [cid],
            # The whole comment: the last sentence often decides its tone.
            "card": th.comment_card(cid, limit=_MAX_TONE_CHARS),
            "options": [{"value": k, "label": v} for k, v in _TONES.items()],
            "expected": None,
            "tool": tone,
            "tool_score": round(float(own), 4),
            "raw_score": None if raw is None or raw != raw else round(float(raw), 4),
            "traps": traps,
            "evidence": f"VADER compound {float(own):+.2f} ({tone})" + (f"; watch for: {', '.join(traps)}" if traps else ""),
            "score": _clip(score + rng.random() * 0.03),
        })
    return cands, traps_seen


_BUILDERS = {
    "replies": _reply_candidates,
    "frames": _frame_candidates,
    "techniques": _technique_candidates,
    "tone": _tone_candidates,
}

_MISSING = {
    "replies": ("reply links", "none of the {n} comments has an explicit reply link or an inferred one with "
                "confidence above 0 (reply inference found no cue). Read an export that keeps its reply "
                "links, or analyse the thread with reply inference on (discourse analyze --infer-replies auto)"),
    "frames": ("frame spans", "corpus.spans has no spans of kind 'frame' with a sense (metaphorical, literal, "
               "meta) for this thread; the framing stage adds them. Analyse the thread with framing "
               "(discourse.analyze) before making a frames exercise"),
    "techniques": ("technique or incivility spans", "corpus.spans has no spans of kind 'technique' or "
                   "'incivility' for this thread; the civility stage adds them. Analyse the thread "
                   "(discourse.analyze) before making a techniques exercise, or choose another kind"),
    "tone": ("sentiment scores", "the comments have no 'sentiment_compound' scores; run discourse.analyze first"),
}


#: The column each analysis adds, and what the exercise asks about, for a thread where
#: the analysis ran and found nothing.
_RAN = {
    "frames": "metaphor-frame terms such as war words (only metaphor frames are read for a sense)",
    "techniques": "persuasion techniques or incivility",
}


def _found_none(corpus, kind: str, tid) -> bool:
    """True when the stage *kind* needs ran on thread *tid* and found nothing to ask about
    (not when its columns or spans are missing: then the analysis is what is needed)."""
    cols = corpus.comments.columns
    column = {"frames": "frames", "techniques": "techniques"}.get(kind)
    if column is None or column not in cols:
        return False
    rows = corpus.comments[corpus.comments["thread_id"] == tid]

    def listed(col):
        return col in cols and rows[col].fillna("").astype(str).str.len().gt(0).any()

    if kind == "techniques":
        return not listed("techniques") and not listed("incivility_labels")
    spans = corpus.spans
    has_frame_spans = spans is not None and len(spans) > 0 and bool(
        ((spans["kind"] == "frame") & (spans["thread_id"] == tid)).any())
    # Frames listed but no frame spans: the spans were dropped, not never found.
    return not listed("frames") or has_frame_spans


def _select(cands: list[dict], n: int, difficulty: str, rng: random.Random) -> tuple[list[dict], list[str]]:
    levels = {"easy": [], "medium": [], "hard": []}
    for c in cands:
        c["difficulty"] = _level(c["score"])
        levels[c["difficulty"]].append(c)
    for bucket in levels.values():
        rng.shuffle(bucket)
    notes = []
    picked: list[dict] = []
    if difficulty == "mixed":
        order = ["easy", "medium", "hard"]
        while len(picked) < n and any(levels.values()):
            for name in order:
                if levels[name] and len(picked) < n:
                    picked.append(levels[name].pop())
    else:
        picked = levels[difficulty][:n]
        if len(picked) < n:
            rest = [c for name, b in levels.items() if name != difficulty for c in b]
            target = {"easy": 0.0, "medium": 0.5, "hard": 1.0}[difficulty]
            rest.sort(key=lambda c: abs(c["score"] - target))
            extra = rest[: n - len(picked)]
            if extra:
                notes.append(f"only {len(picked)} {difficulty} items in this thread; added {len(extra)} of the "
                             f"nearest difficulty")
            picked += extra
    if len(picked) < n:
        notes.append(f"asked for {n} items; the thread has {len(picked)}")
    return picked, notes


def _choose_thread(corpus, kind: str, thread_id, seed: int):
    ids = list(corpus.threads["thread_id"])
    if thread_id is not None:
        if thread_id not in ids:
            shown = ids[:10] + (["..."] if len(ids) > 10 else [])
            raise SchemaError(f"thread_id {thread_id!r} is not in the corpus; its threads are {shown}.")
        return thread_id
    if len(ids) == 1:
        return ids[0]
    with_comments = corpus.comments["thread_id"].value_counts()
    best, best_n = ids[0], -1
    for t in ids:
        if with_comments.get(t, 0) == 0:
            continue
        n = len(_BUILDERS[kind](_Thread(corpus, t, masked=False), random.Random(seed))[0])
        if n > best_n:
            best, best_n = t, n
    return best


def _notes(kind: str, th: _Thread, items: list[dict], stats: dict, cands: list[dict]) -> list[str]:
    """Discussion questions for the teacher, built from what the analysis found."""
    notes: list[str] = []
    if kind == "replies":
        notes.append(f"The thread has {len(th.rows)} comments: {stats['explicit']} reply links come from the "
                     f"source, {stats['inferred']} were inferred from cues in the text, {stats['unknown']} are unknown.")
        inferred = [c for c in cands if c["evidence"] and c["evidence"] != "explicit link in the source"]
        for c in sorted(inferred, key=lambda c: -c["confidence"])[:3]:
            notes.append(f"The tool linked comment #{th.number[c['comment_ids'][0]]} to "
                         f"{'the post' if c['expected'] == 'post' else 'comment #' + c['expected']} because: "
                         f"{c['evidence']} (confidence {c['confidence']:.2f}). Which words in the text told you?")
        weak = [c for c in cands if c["confidence"] < 0.5 and c["evidence"] != "explicit link in the source"]
        if weak:
            notes.append(f"{len(weak)} links have confidence below 0.5. Ask: what would a writer have to do "
                         "to make clear whom they answer (a name, a quote, the reply button)?")
        notes.append("Draw the thread as a tree on the board. Who talks to whom most? Who is left unanswered?")
    elif kind == "frames":
        total = sum(v for k, v in stats.items() if k != "other")
        notes.append(f"The analysis found {total} frame words: {stats['metaphorical']} metaphorical, "
                     f"{stats['literal']} literal and {stats['meta']} that talk about the frame itself.")
        post_terms = [s["text"] for s in th.spans_of(["frame"]) if s["comment_id"] == "" and s["sense"] == "metaphorical"]
        if post_terms:
            shown = ", ".join(f"“{th.show(t)}”" for t in list(dict.fromkeys(post_terms))[:6])
            notes.append(f"The post itself uses {shown}. What does describing an election this way make "
                         "readers expect: enemies, victory, sacrifice? Who benefits from that frame?")
        stance = [c for c in cands if c["task"] == "stance"]
        if stance:
            who = ", ".join(f"#{th.number[c['comment_ids'][0]]}" for c in stance)
            notes.append(f"Comments {who} argue about the frame itself. Who contests it, who defends it, "
                         "and does anyone change their wording after being challenged?")
        literal = [c for c in cands if c["task"] == "sense" and c["expected"] == "literal"]
        for c in literal[:2]:
            notes.append(f"{c['passage']['where'].capitalize()} uses “{th.show(c['span']['text'])}” literally. "
                         "How did you tell a real war from a metaphorical one?")
        notes.append("Rewrite one metaphorical sentence without war words. Does the argument change, or only its heat?")
    elif kind == "techniques":
        if stats:
            top = sorted(stats.items(), key=lambda kv: (-kv[1], kv[0]))[:4]
            notes.append("Techniques and incivility found: " + ", ".join(f"{_pretty(k)} ({v})" for k, v in top) + ".")
        if th.rows and "incivility" in th.rows[0]:
            ranked = sorted(th.rows, key=lambda r: -(r.get("incivility") or 0))
            r = ranked[0]
            if (r.get("incivility") or 0) > 0:
                notes.append(f"The most hostile comment by the tool's measure is #{th.number[r['comment_id']]} "
                             f"(incivility {float(r['incivility']):.2f}). Does name-calling persuade anyone? Whom does it "
                             "address: the opponent or the writer's own side?")
        notes.append("For each technique the class found, ask: what claim is the passage avoiding having to prove?")
        if any(c["expected"] == _NONE for c in cands):
            notes.append("Some passages contain no technique. Was it hard to say 'none'? Why do we see techniques everywhere once we look for them?")
    elif kind == "tone":
        by_trap: dict = {}
        for c in cands:
            for t in c["traps"]:
                by_trap.setdefault(t, []).append(c)
        used: set = set()
        for trap, cs in sorted(by_trap.items(), key=lambda kv: -len(kv[1])):
            # A different example per trap where there is one, so the notes cover more comments.
            c = next((c for c in cs if c["comment_ids"][0] not in used), cs[0])
            used.add(c["comment_ids"][0])
            notes.append(f"{trap.capitalize()}: {len(cs)} comment{'s' * (len(cs) != 1)}, e.g. #{c['card']['number']} "
                         f"(VADER {c['tool_score']:+.2f}, {c['tool']}). Does the score match how it reads to you?")
        notes.append("VADER counts words: 'war', 'fight' and 'destroy' score negative even in a hopeful "
                     "sentence, and it cannot hear sarcasm. After the class rates, reveal VADER's scores and "
                     "sort the comments where it disagrees with the class: what do they have in common?")
    return notes


@dataclasses.dataclass(frozen=True, repr=False)
class Exercise:
    """A worksheet, its answer key, its answer template and the teacher's copy.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`.
    key : dict
        The answer key (what ``--key`` writes as JSON); ``key["items"]`` lists the items.
    worksheet : str
        The student worksheet, a self-contained HTML page.
    notes : str
        The teacher's copy: answers, the tool's evidence and discussion questions (HTML).
    answers : str
        The CSV answer template (``student_id,item_id,answer``, one row per item).
    """

    kind: str
    key: dict
    worksheet: str
    notes: str
    answers: str

    @property
    def items(self) -> list:
        """The items of the key."""
        return self.key["items"]

    def save(self, worksheet, *, key=None, answers=None, notes=None) -> dict:
        """Write the worksheet and, when given a path, the key, answer template and teacher's copy.

        Returns a dict of what was written, by name.
        """
        from .._io import atomic_write_text

        written = {"worksheet": os.fspath(worksheet)}
        atomic_write_text(worksheet, self.worksheet)
        if key is not None:
            atomic_write_text(key, json.dumps(self.key, indent=2, ensure_ascii=False) + "\n")
            written["key"] = os.fspath(key)
        if answers is not None:
            atomic_write_text(answers, self.answers)
            written["answers"] = os.fspath(answers)
        if notes is not None:
            atomic_write_text(notes, self.notes)
            written["notes"] = os.fspath(notes)
        return written

    def __repr__(self) -> str:
        src = self.key["source"]
        return f"Exercise(kind={self.kind!r}, {len(self.items)} items, thread {src['thread_id']!r})"

    def _repr_html_(self) -> str:
        from html import escape

        return f'<iframe srcdoc="{escape(self.worksheet)}" style="width:100%;height:600px;border:1px solid #ccc"></iframe>'


_INSTRUCTIONS = {
    "replies": ("Who answers whom?",
                "The page lost the nesting of its comments: they are listed one after the other. Read them, "
                "then decide for each question which earlier comment (or the post) the comment answers. Look "
                "for names (“Sorry, Ellen but”), quoted words and repeated ideas. Note the cue you used."),
    "frames": ("War words: metaphor or not?",
               "A frame is a way of describing something that shapes how we think about it, such as calling "
               "an election campaign a war. For each marked word, decide whether it is used as a metaphor, "
               "literally (a real war or weapon), or whether the writer is talking about the metaphor itself. "
               "For stance questions, decide whether the writer accepts the frame or contests it."),
    "techniques": ("Persuasion techniques and name-calling",
                   "Each question marks a passage. Decide which technique it uses, or “none of these”. The "
                   "glossary below defines each technique. Be ready to say which words gave it away."),
    "tone": ("How does it sound?",
             "Read each comment and decide whether the writer sounds negative, neutral or positive. There is "
             "no single right answer: afterwards you will compare the class with VADER, a program that scores "
             "sentiment by counting words, and find where the program goes wrong."),
}


def _template_csv(items: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student_id", "item_id", "answer", "choices"])
    for it in items:
        w.writerow(["", it["id"], "", " | ".join(f"{o['key']}={o['value']}" for o in it["options"])])
    return buf.getvalue()


def make_exercise(corpus, kind: str, *, n: int = 10, difficulty: str = "mixed", seed: int = 0,
                  mask: bool = True, thread_id: str | None = None, paper: str = "a4",
                  projector: bool = False, analyze: bool = True) -> Exercise:
    """Build a worksheet, answer key and answer template of one *kind* from *corpus*.

    Parameters
    ----------
    corpus : Corpus
        An analysed corpus (:func:`discourse.analyze`). Analysed here first when it has
        no sentiment columns and ``analyze=True``.
    kind : {"replies", "frames", "techniques", "tone"}
    n : int, default 10
        Number of items; fewer when the thread has fewer candidates (the key says so).
    difficulty : {"mixed", "easy", "medium", "hard"}, default "mixed"
        ``mixed`` takes easy, medium and hard items in turn; a level takes items of that
        level and tops up with the nearest ones.
    seed : int, default 0
        Seed of the item selection: the same corpus, options and seed give the same sheet.
    mask : bool, default True
        Mask classroom-unsafe words (:func:`mask_profanity`) in the worksheet, key and notes.
    thread_id : str, optional
        The thread to use; by default the only thread, or the one with most candidate items.
    paper : {"a4", "letter"}, default "a4"
        Page size for printing.
    projector : bool, default False
        Large type for a projector (the page also has a link that switches to it).
    analyze : bool, default True
        Run :func:`discourse.analyze` first when the corpus has no sentiment columns.

    Returns
    -------
    Exercise

    Raises
    ------
    SchemaError
        For a bad option (naming the allowed values).
    DiscourseError
        When the corpus lacks the analysis *kind* needs (reply links, frame spans,
        technique spans, sentiment), saying which and how to add it.

    Examples
    --------
    >>> import pandas as pd
    >>> from discourse import Corpus
    >>> c = Corpus.from_frames(pd.DataFrame({"comment_id": ["1", "2", "3"],
    ...     "text": ["I love this plan.", "This is a disaster.", "The meeting is on Monday."]}))
    >>> ex = make_exercise(c, "tone", n=3)
    >>> [(i["id"], i["comment_ids"], i["tool"], i["expected"]) for i in ex.items]
    [('T1', ['1'], 'positive', None), ('T2', ['2'], 'negative', None), ('T3', ['3'], 'neutral', None)]
    >>> ex.answers.splitlines()[:2]
    ['student_id,item_id,answer,choices', ',T1,,A=negative | B=neutral | C=positive']
    """
    if kind not in KINDS:
        raise SchemaError(f"kind must be one of {list(KINDS)}; got {kind!r}.")
    if difficulty not in DIFFICULTIES:
        raise SchemaError(f"difficulty must be one of {list(DIFFICULTIES)}; got {difficulty!r}.")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise SchemaError(f"n must be an int in the range [1, inf); got {n!r}.")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise SchemaError(f"seed must be an int; got {seed!r}.")
    if paper not in ("a4", "letter"):
        raise SchemaError(f"paper must be one of ['a4', 'letter']; got {paper!r}.")
    if analyze and "sentiment_compound" not in corpus.comments.columns:
        from ..pipeline import analyze as run

        corpus = run(corpus)
    if kind == "tone" and "sentiment_compound" not in corpus.comments.columns:
        what, how = _MISSING["tone"]
        raise DiscourseError(f"a tone exercise needs {what}: {how}.")
    if len(corpus.comments) == 0:
        raise DiscourseError("the corpus has no comments; an exercise needs a thread with comments.")
    tid = _choose_thread(corpus, kind, thread_id, seed)
    th = _Thread(corpus, tid, masked=mask)
    rng = random.Random(seed)
    cands, stats = _BUILDERS[kind](th, rng)
    if not cands:
        if _found_none(corpus, kind, tid):
            # The stage ran and found nothing to ask about: "analyse first" would send the
            # user round in a circle.
            raise DiscourseError(f"a {kind} exercise needs {_RAN[kind]}, and the analysis found none in the "
                                 f"{len(th.rows)} comments of thread {tid!r}; choose another kind "
                                 f"({', '.join(k for k in _BUILDERS if k != kind)}) or another thread.")
        what, how = _MISSING[kind]
        raise DiscourseError(f"a {kind} exercise needs {what} in thread {tid!r}: {how.format(n=len(th.rows))}.")
    picked, select_notes = _select(cands, n, difficulty, rng)
    picked.sort(key=lambda c: (th.number.get(c["comment_ids"][0], 0) if c["comment_ids"] else 0,
                               c.get("span", {}).get("start", 0), c["task"]))
    items = []
    for i, c in enumerate(picked, 1):
        opts = [dict(o, key=chr(ord("A") + j)) for j, o in enumerate(c["options"])]
        item = {
            "id": f"{_PREFIX[kind]}{i}",
            "kind": kind,
            "task": c["task"],
            "prompt": c["prompt"],
            "thread_id": tid,
            "comment_ids": c["comment_ids"],
            "options": opts,
            "expected": c["expected"],
            "also_accept": c.get("also_accept", []),
            "tool": c["tool"],
            "evidence": th.show(c["evidence"]) if c["evidence"] else "",
            "difficulty": c["difficulty"],
            "difficulty_score": c["score"],
        }
        for extra in ("passage", "span", "card", "confidence", "tool_score", "raw_score", "traps", "frame"):
            if extra in c:
                item[extra] = c[extra]
        if "span" in item and mask:
            item["span"] = dict(item["span"], text=th.show(item["span"]["text"]))
        items.append(item)
    excerpt = []
    if kind == "replies":
        shown = {cid for c in picked for cid in c["shows"]}
        excerpt = [th.comment_card(r["comment_id"], limit=700) for r in th.rows if r["comment_id"] in shown]
    from .. import __version__

    key = {
        "format": KEY_FORMAT,
        "version": KEY_VERSION,
        "kind": kind,
        "title": _INSTRUCTIONS[kind][0],
        "source": {
            "paths": [r.path for r in corpus.ingest],
            "formats": corpus.source,
            "thread_id": tid,
            "thread_title": th.title,
            "n_comments": len(th.rows),
            "discourse_version": __version__,
        },
        "options": {"n": n, "difficulty": difficulty, "seed": seed, "mask_profanity": mask, "paper": paper},
        "answer_format": "CSV with columns student_id,item_id,answer (one row per answer) or student_id plus one "
                         "column per item id; an answer is an option letter or its value.",
        "selection_notes": select_notes,
        "notes": [th.show(note) for note in _notes(kind, th, items, stats, cands)],
        "items": items,
    }
    glossary = []
    if kind == "techniques":
        used = {o["value"] for it in items for o in it["options"] if o["value"] != _NONE}
        glossary = [{"term": _pretty(k), "text": GLOSSARY[k][1]} for k in sorted(used, key=_pretty) if k in GLOSSARY]
    elif kind == "frames":
        glossary = [{"term": k, "text": v} for k, v in list(_SENSES.items()) + list(_STANCES.items())]
    env = _environment()
    css = env.get_template("style.css.j2").render(paper=paper)
    title, instructions = _INSTRUCTIONS[kind]
    context = dict(key=key, items=items, excerpt=excerpt, glossary=glossary, css=css, title=title,
                   instructions=instructions, projector=projector, thread_title=th.show(th.title),
                   masked=mask)
    worksheet = env.get_template("worksheet.html.j2").render(**context, teacher=False)
    notes = env.get_template("worksheet.html.j2").render(**context, teacher=True)
    return Exercise(kind=kind, key=key, worksheet=worksheet, notes=notes, answers=_template_csv(items))
