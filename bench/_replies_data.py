"""Small self-contained loaders for the reply benchmarks (threads whose true links are known).

Each loader yields :class:`GoldThread` records: the comments in the listing order the
benchmark uses, with their true parents. The real readers (discourse.ingest) may replace
these later; these exist so the benchmark does not depend on them.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path


@dataclasses.dataclass
class GoldThread:
    name: str
    ids: list            # comment ids in listing order
    texts: list
    authors: list        # "" where unknown
    times: list          # epoch seconds or None
    gold: list           # per comment: set of true parent indices, -1 = the post
    post_text: str = ""
    post_author: str = ""
    targets: list | None = None   # which comments are scored (IRC: from line 1000 on)
    scores: list | None = None    # votes per comment (Reddit, ConvoKit), None where the source has none

    def masked(self) -> "GoldThread":
        """The same thread with names removed (the seed's situation)."""
        return dataclasses.replace(self, authors=[""] * len(self.ids), post_author="")

    def unscored(self) -> "GoldThread":
        """The same thread without votes (as most exports come)."""
        return dataclasses.replace(self, scores=None)

    def untimed(self) -> "GoldThread":
        return dataclasses.replace(self, times=[None] * len(self.ids))


def _reorder(ids, parents, texts, authors, times, order):
    """Listing order: display (depth-first, siblings as given) or chronological."""
    n = len(ids)
    if order == "chronological":
        perm = sorted(range(n), key=lambda k: (times[k] if times[k] is not None else 0, k))
    else:
        children = {}
        for k in range(n):
            children.setdefault(parents[k], []).append(k)
        if order == "display-by-time":
            # As WordPress shows threads: siblings oldest first.
            for kids in children.values():
                kids.sort(key=lambda k: (times[k] or 0, k))
        perm, stack = [], list(reversed(children.get(None, [])))
        while stack:
            k = stack.pop()
            perm.append(k)
            stack.extend(reversed(children.get(ids[k], [])))
    where = {ids[k]: new for new, k in enumerate(perm)}
    gold = [{where[parents[k]]} if parents[k] is not None else {-1} for k in perm]
    return ([ids[k] for k in perm], [texts[k] for k in perm], [authors[k] for k in perm],
            [times[k] for k in perm], gold)


def top_level(thread: GoldThread) -> list[int]:
    """Per comment, the index of its top-level ancestor (itself for a comment that answers
    the post), along its true parents (the smallest index where a comment has several)."""
    top: list[int] = []
    for g in thread.gold:
        p = min(g)
        top.append(len(top) if p < 0 else top[p])
    return top


def subtree_parts(thread: GoldThread, k: int) -> list[GoldThread]:
    """*thread* split into *k* threads by top-level subtree, dealt round-robin in listing order.

    Each part is the post with every k-th comment that answers it (in the order they are
    listed) and every comment under those, in the thread's own listing order (display or
    chronological), so no reply link crosses two parts. A comment's top-level ancestor is
    found along its true parents (the smallest index where a comment has several).
    """
    top = top_level(thread)
    first = sorted(set(top))
    part_of = {t: r % k for r, t in enumerate(first)}
    out = []
    for f in range(k):
        keep = [i for i in range(len(thread.ids)) if part_of[top[i]] == f]
        where = {old: new for new, old in enumerate(keep)}
        where[-1] = -1
        out.append(dataclasses.replace(
            thread, name=f"{thread.name}#part{f}", ids=[thread.ids[i] for i in keep],
            texts=[thread.texts[i] for i in keep], authors=[thread.authors[i] for i in keep],
            times=[thread.times[i] for i in keep], gold=[{where[p] for p in thread.gold[i] if p in where} or {-1}
                                                          for i in keep],
            targets=None if thread.targets is None else [thread.targets[i] for i in keep],
            scores=None if thread.scores is None else [thread.scores[i] for i in keep]))
    return out


# --------------------------------------------------------------------------- Reddit
def reddit(path: Path, *, order: str) -> GoldThread:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    post = data[0]["data"]["children"][0]["data"]
    ids, parents, texts, authors, times, scores = [], [], [], [], [], []

    def walk(listing, parent):
        for child in listing.get("data", {}).get("children", []):
            if child.get("kind") != "t1":
                continue
            d = child["data"]
            ids.append(d["name"])
            parents.append(parent)
            texts.append(html.unescape(d.get("body", "") or ""))
            a = d.get("author") or ""
            authors.append("" if a == "[deleted]" else a)
            times.append(float(d.get("created_utc") or 0))
            scores.append(d.get("score"))
            if isinstance(d.get("replies"), dict):
                walk(d["replies"], d["name"])

    walk(data[1], None)
    score_of = dict(zip(ids, scores))
    ids, texts, authors, times, gold = _reorder(ids, parents, texts, authors, times, order)
    return GoldThread(Path(path).stem, ids, texts, authors, times, gold,
                      post_text=(post.get("title", "") + "\n" + (post.get("selftext") or "")),
                      post_author=post.get("author", "") or "", scores=[score_of[i] for i in ids])


# --------------------------------------------------------------------------- WordPress saved HTML
class _WPComments(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []          # open li comment ids
        self.rows = []           # dicts in document order
        self.cur = None
        self.in_fn = self.in_content = 0
        self.depth_tag = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class", "") or ""
        if tag == "li" and (a.get("id", "") or "").startswith("comment-"):
            row = {"id": a["id"], "parent": self.stack[-1] if self.stack else None, "author": "", "time": None,
                   "text": [], "op": "bypostauthor" in cls}
            self.rows.append(row)
            self.stack.append(a["id"])
            self.depth_tag.append("li")
            self.cur = row
            return
        if tag == "li":
            self.depth_tag.append("li-other")
        if self.cur is None:
            return
        if tag == "b" and "fn" in cls.split():
            self.in_fn = 1
        elif tag == "time" and a.get("datetime"):
            self.cur["time"] = datetime.fromisoformat(a["datetime"]).astimezone(timezone.utc).timestamp()
        elif tag == "div" and "comment-content" in cls.split():
            self.in_content = 1
        elif self.in_content and tag == "div":
            self.in_content += 1
        elif self.in_content and tag in ("p", "br", "li", "pre", "blockquote"):
            self.cur["text"].append("\n")

    def handle_endtag(self, tag):
        if tag == "li" and self.depth_tag:
            kind = self.depth_tag.pop()
            if kind == "li":
                self.stack.pop()
                self.cur = next((r for r in reversed(self.rows) if self.stack and r["id"] == self.stack[-1]), None)
        elif tag == "b" and self.in_fn:
            self.in_fn = 0
        elif tag == "div" and self.in_content:
            self.in_content -= 1

    def handle_data(self, data):
        if self.cur is None:
            return
        if self.in_fn:
            self.cur["author"] += data
        elif self.in_content:
            self.cur["text"].append(data)


def wp_html(path: Path) -> GoldThread:
    """A saved WordPress comment section, in display order (document order)."""
    raw = Path(path).read_text(encoding="utf-8")
    p = _WPComments()
    p.feed(raw)
    rows = p.rows
    where = {r["id"]: k for k, r in enumerate(rows)}
    op = next((r["author"].strip() for r in rows if r["op"]), "")
    title = re.search(r'^title:\s*"?(.*?)"?\s*$', raw, re.M)
    return GoldThread(
        Path(path).stem, [r["id"] for r in rows], [re.sub(r"\n{2,}", "\n", "".join(r["text"])).strip() for r in rows],
        [r["author"].strip() for r in rows], [r["time"] for r in rows],
        [{where[r["parent"]]} if r["parent"] else {-1} for r in rows],
        post_text=html.unescape(title.group(1)) if title else "", post_author=op)


# --------------------------------------------------------------------------- WXR
def wxr(path: Path) -> list[GoldThread]:
    """Threads of a WordPress export with their comments, in WordPress display order."""
    import xml.etree.ElementTree as ET

    ns = {"wp": "http://wordpress.org/export/1.2/", "content": "http://purl.org/rss/1.0/modules/content/",
          "dc": "http://purl.org/dc/elements/1.1/"}
    raw = Path(path).read_text(encoding="utf-8")
    m = re.search(r'xmlns:wp="([^"]+)"', raw)
    if m:
        ns["wp"] = m.group(1)
    root = ET.fromstring(raw.encode("utf-8"))
    out = []
    for item in root.iter("item"):
        ids, parents, texts, authors, times = [], [], [], [], []
        for c in item.findall("wp:comment", ns):
            ctype = (c.findtext("wp:comment_type", "", ns) or "").strip()
            if ctype in ("pingback", "trackback") or (c.findtext("wp:comment_approved", "1", ns) or "1") != "1":
                continue
            ids.append(c.findtext("wp:comment_id", "", ns))
            par = c.findtext("wp:comment_parent", "0", ns) or "0"
            parents.append(None if par == "0" else par)
            texts.append(c.findtext("wp:comment_content", "", ns) or "")
            authors.append((c.findtext("wp:comment_author", "", ns) or "").strip())
            d = c.findtext("wp:comment_date_gmt", "", ns) or c.findtext("wp:comment_date", "", ns)
            try:
                times.append(datetime.strptime(d, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc).timestamp())
            except ValueError:
                times.append(None)
        if len(ids) < 2:
            continue
        known = set(ids)
        parents = [p if p in known else None for p in parents]
        # WordPress shows siblings oldest first.
        order = sorted(range(len(ids)), key=lambda k: (times[k] or 0, int(ids[k]) if ids[k].isdigit() else 0))
        ids, parents, texts, authors, times = ([x[k] for k in order] for x in (ids, parents, texts, authors, times))
        ids, texts, authors, times, gold = _reorder(ids, parents, texts, authors, times, "display")
        out.append(GoldThread(item.findtext("title", "") or "", ids, texts, authors, times, gold,
                              post_text=(item.findtext("title", "") or "") + "\n" +
                              (item.findtext("content:encoded", "", ns) or ""),
                              post_author=item.findtext("dc:creator", "", ns) or ""))
    return out


# --------------------------------------------------------------------------- IRC (Kummerfeld et al. 2019)
_IRC_LINE = re.compile(r"^\[(\d\d):(\d\d)\] <([^>]+)> ?(.*)$")
_IRC_ACTION = re.compile(r"^\[(\d\d):(\d\d)\] \* (\S+) ?(.*)$")


def irc(ascii_path: Path) -> GoldThread:
    """One annotated IRC sample: every line a message; links for lines >= 1000."""
    lines = Path(ascii_path).read_text(encoding="utf-8", errors="replace").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    texts, authors, times = [], [], []
    day, last = 0, None
    for line in lines:
        m = _IRC_LINE.match(line) or _IRC_ACTION.match(line)
        if m:
            minutes = int(m.group(1)) * 60 + int(m.group(2))
            if last is not None and minutes < last:
                day += 1
            last = minutes
            times.append((day * 1440 + minutes) * 60.0)
            authors.append(m.group(3))
            texts.append(m.group(4))
        else:
            times.append(times[-1] if times else None)
            authors.append("")
            texts.append(line.lstrip("= "))
    n = len(texts)
    gold = [set() for _ in range(n)]
    ann = Path(str(ascii_path).replace(".ascii.txt", ".annotation.txt"))
    for row in ann.read_text(encoding="utf-8").split("\n"):
        parts = row.split()
        if len(parts) >= 2:
            a, b = int(parts[0]), int(parts[1])
            if b < n:
                gold[b].add(-1 if a == b else a)
    targets = [k >= 1000 for k in range(n)]
    return GoldThread(Path(ascii_path).name.replace(".ascii.txt", ""), [str(k) for k in range(n)], texts, authors,
                      times, gold, targets=targets)


def irc_split(base: Path, split: str, *, every: int = 1) -> list[GoldThread]:
    files = sorted((base / split).glob("*.ascii.txt"))
    return [irc(f) for k, f in enumerate(files) if k % every == 0 and
            Path(str(f).replace(".ascii.txt", ".annotation.txt")).exists()]


# --------------------------------------------------------------------------- Molweni
def molweni(path: Path) -> list[GoldThread]:
    out = []
    for d in json.loads(Path(path).read_text(encoding="utf-8")):
        edus = d["edus"]
        n = len(edus)
        gold = [set() for _ in range(n)]
        for r in d["relations"]:
            x, y = int(r["x"]), int(r["y"])
            if x < y < n:
                gold[y].add(x)
        gold = [g or {-1} for g in gold]
        out.append(GoldThread(str(d.get("id", len(out))), [str(k) for k in range(n)], [e["text"] for e in edus],
                              [e.get("speaker", "") for e in edus], [None] * n, gold))
    return out


# --------------------------------------------------------------------------- ConvoKit (Reddit)
def convokit(folder: Path, *, order: str = "display-by-time") -> list[GoldThread]:
    """Threads of a ConvoKit corpus directory, in *order* (``display-by-time``: as Reddit's
    "old" sort or a blog shows them, each reply under its parent, siblings oldest first).

    The root utterance (id == conversation_id) is the post; its title comes from
    ``conversations.json``. ``[deleted]`` speakers count as unknown.
    """
    folder = Path(folder)
    convs = json.loads((folder / "conversations.json").read_text(encoding="utf-8"))
    by_conv: dict = {}
    for line in (folder / "utterances.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            u = json.loads(line)
            by_conv.setdefault(u["conversation_id"], []).append(u)
    out = []
    for cid, utts in by_conv.items():
        root = next((u for u in utts if u["id"] == cid), None)
        rest = [u for u in utts if u["id"] != cid]
        known = {u["id"] for u in rest}
        ids = [u["id"] for u in rest]
        parents = [u.get("reply-to", u.get("reply_to")) for u in rest]
        parents = [p if p in known else None for p in parents]
        texts = [u.get("text") or "" for u in rest]
        authors = ["" if (u.get("speaker") or "") == "[deleted]" else (u.get("speaker") or "") for u in rest]
        times = [float(u["timestamp"]) if u.get("timestamp") not in (None, "") else None for u in rest]
        # Votes only: never meta.top_level_comment (it gives the tree away).
        score_of = {u["id"]: (u.get("meta") or {}).get("score") for u in rest}
        if len(ids) < 2:
            continue
        ids, texts, authors, times, gold = _reorder(ids, parents, texts, authors, times, order)
        scores = [score_of[i] for i in ids]
        title = (convs.get(cid, {}).get("meta", {}) or {}).get("title", "") or ""
        post_author = "" if root is None or root.get("speaker") == "[deleted]" else root.get("speaker", "")
        out.append(GoldThread(cid, ids, texts, authors, times, gold,
                              post_text=title + "\n" + ((root or {}).get("text") or ""), post_author=post_author,
                              scores=scores if any(v is not None for v in scores) else None))
    return out


def informative_groups(X, y, group):
    """Drop candidate groups with no true parent among them (they teach a conditional logit
    nothing); returns ``X, y, group`` renumbered 0..n-1, the start row of each group, and
    the boolean mask of the rows kept."""
    import numpy as np

    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    group = np.asarray(group)
    keep = (np.bincount(group, weights=y) > 0)[group]
    X, y, group = X[keep], y[keep], np.unique(group[keep], return_inverse=True)[1]
    return X, y, group, np.flatnonzero(np.r_[True, group[1:] != group[:-1]]), keep
