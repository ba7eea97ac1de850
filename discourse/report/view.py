"""View models: everything a report shows, as plain dicts and lists, built from a corpus.

The templates never touch pandas. :func:`thread_view` and :func:`corpus_view` read the
corpus (its two tables, ``corpus.spans`` and ``corpus.extras``) and return nested dicts of
strings, numbers, lists and pre-drawn SVG (:class:`markupsafe.Markup` from
:mod:`discourse.report.svg`, which escapes its own labels). Every section is optional:
when the columns it needs are absent, its entry is ``None`` and the page says "not
computed" instead of failing, so a corpus that was only read (not analysed) still renders.

Terms: a *branch* is a path from a comment that answers the post down to a comment with
no replies; an *exchange* is a run of reply links between comments that are both heated
(incivility at least :data:`HEATED_INCIVILITY`, or own-words sentiment at most
:data:`HEATED_SENTIMENT`).
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from collections import Counter, defaultdict

from ..lexicons import readable
from . import svg
from .highlight import HIGHLIGHT_KINDS, safe_url, segments

__all__ = ["HEATED_INCIVILITY", "HEATED_SENTIMENT", "VALIDITY", "anchor_ids", "corpus_view", "thread_view"]

#: A comment counts as heated at this incivility or above ...
HEATED_INCIVILITY = 0.5
#: ... or at this own-words sentiment or below.
HEATED_SENTIMENT = -0.5
#: VADER's own thresholds for calling a compound score positive or negative (Hutto and Gilbert, 2014).
POS, NEG = 0.05, -0.05

#: Validity numbers shown under "Methods". The benchmarks in ``bench/`` measure them; a
#: corpus may carry fresher ones in ``corpus.extras["validity"]`` (same keys).
VALIDITY = [
    {"measure": "VADER compound vs. human ratings of tweets", "value": "r = 0.881",
     "data": "VADER paper's 4,200 rated tweets", "source": "published (Hutto and Gilbert, 2014)"},
]

_SAFE_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")

#: Author names that stand for many different people (Reddit's "[deleted]", a blog's
#: "Anonymous"): kept on the comments, but never joined into one speaker.
PLACEHOLDER_AUTHORS = frozenset({"[deleted]", "[removed]", "deleted", "removed", "anonymous", "anon", "guest",
                                 "unknown", "[unknown]", "n/a"})



def _ranked(counts, n=None) -> list:
    """``Counter.most_common``, ties broken by name: the same report whatever order the rows came in."""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
    return ranked if n is None else ranked[:n]

def _person(author: str) -> str:
    """The speaker a name denotes, or "" when it is a placeholder shared by many people."""
    return "" if not author or author.strip().lower() in PLACEHOLDER_AUTHORS else author


def _val(x):
    """None for missing values (None, NaN, NaT, pd.NA), else the value."""
    if x is None:
        return None
    try:
        if x != x:
            return None
    except (TypeError, ValueError):
        return None
    if type(x).__name__ in ("NAType", "NaTType"):
        return None
    return x


def _float(x):
    x = _val(x)
    try:
        return None if x is None else float(x)
    except (TypeError, ValueError):
        return None


def _split(value) -> list[str]:
    """``"war;game"`` (the contract) or a list, as a list of names."""
    if isinstance(value, (list, tuple, set)):
        return [str(p).strip() for p in value if _val(p) is not None and str(p).strip()]
    if hasattr(value, "tolist") and not isinstance(value, str):
        return _split(value.tolist())
    value = _val(value)
    if not value or not isinstance(value, str):
        return []
    return [p.strip() for p in value.split(";") if p.strip()]


def _has(df, col: str) -> bool:
    return df is not None and col in df.columns and bool(df[col].notna().any())


def _sent_class(v) -> str:
    if v is None:
        return "na"
    return "pos" if v >= POS else "neg" if v <= NEG else "neu"


def _signed(v) -> str:
    if v is None:
        return "n/a"
    return f"{v + 0.0 if round(v, 2) else 0.0:+.2f}".replace("-", "\u2212")


def _snippet(text: str, n: int = 140) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _date(ts) -> str:
    ts = _val(ts)
    if ts is None:
        return ""
    try:
        return ts.strftime("%Y-%m-%d %H:%M")
    except AttributeError:
        return str(ts)


def anchor_ids(ids) -> dict:
    """Map comment ids to HTML ids that are safe, unique and stable.

    Ids made of letters, digits, ``_ . -`` keep their name (``c-`` in front); others get
    a short hash, so an id can never carry markup or collide.

    Examples
    --------
    >>> anchor_ids(["c1", "a b", "c1x"])
    {'c1': 'c-c1', 'a b': 'c-h7dbde935', 'c1x': 'c-c1x'}
    """
    out, used = {}, set()
    for cid in ids:
        cid = str(cid)
        a = f"c-{cid}" if _SAFE_ID.fullmatch(cid) else "c-h" + hashlib.sha1(cid.encode("utf-8")).hexdigest()[:8]
        k = 2
        base = a
        while a in used:
            a = f"{base}-{k}"
            k += 1
        used.add(a)
        out[cid] = a
    return out


def _spans_by_row(corpus, thread_id) -> dict:
    spans = getattr(corpus, "spans", None)
    out: dict = defaultdict(list)
    if spans is None or not len(spans) or "kind" not in spans.columns:
        return out
    s = spans[(spans["thread_id"].astype(str) == str(thread_id)) & spans["kind"].isin(HIGHLIGHT_KINDS)] if "thread_id" in spans.columns else spans
    cols = [c for c in ("comment_id", "kind", "label", "start", "end", "text", "sense", "explanation") if c in s.columns]
    for rec in s[cols].to_dict("records"):
        rec = {k: ("" if _val(v) is None else v) for k, v in rec.items()}
        out[str(rec.get("comment_id", ""))].append(rec)
    return out


def _marked(spans) -> list:
    """The spans highlighted in the text. Policy-frame terms (frame spans without a war
    sense) are so common ("election", "family", "work") that marking them all would bury
    the evidence that matters; they still count in the frame chips and charts."""
    return [s for s in spans if not (s.get("kind") == "frame" and not s.get("sense"))]


def _extra_for_thread(corpus, key: str, thread_id):
    """``corpus.extras[key]`` restricted to *thread_id* when it is a table with a thread_id column."""
    extras = getattr(corpus, "extras", None) or {}
    value = extras.get(key)
    if value is None:
        return None
    if hasattr(value, "columns"):
        if "thread_id" in value.columns:
            value = value[value["thread_id"].astype(str) == str(thread_id)]
        return value
    return value


# --------------------------------------------------------------------------- thread


def thread_view(corpus, thread_id=None, *, page_size: int = 500) -> dict:
    """Build the view model of one thread's report.

    Parameters
    ----------
    corpus : Corpus
        Read, and usually analysed.
    thread_id : str, optional
        The thread; the first one when omitted.
    page_size : int, default 500
        Comments per page of the reply tree: later pages start folded, so a
        20,000-comment thread opens quickly and still reads without JavaScript.

    Returns
    -------
    dict
        Keys ``title``, ``header``, ``post``, ``tree``, ``filters``, ``sentiment``,
        ``frames``, ``civility``, ``topics``, ``network``, ``heated``, ``debate``,
        ``methods``; a section is ``None`` when its data was not computed.

    Examples
    --------
    >>> import pandas as pd
    >>> from discourse import Corpus
    >>> c = Corpus.from_frames(pd.DataFrame({"comment_id": ["1", "2"], "parent_id": ["", "1"],
    ...                                      "text": ["First!", "Second."]}))
    >>> v = thread_view(c)
    >>> v["header"]["counts"]["comments"], v["sentiment"], [e["t"] for e in v["tree"]["pages"][0]["events"]]
    (2, None, ['open', 'open', 'close'])
    """
    threads = corpus.threads
    if thread_id is None:
        thread_id = threads["thread_id"].iloc[0] if len(threads) else (corpus.comments["thread_id"].iloc[0] if len(corpus.comments) else "")
    trow = threads[threads["thread_id"] == thread_id]
    t = trow.iloc[0].to_dict() if len(trow) else {"thread_id": thread_id}
    comments = corpus.comments[corpus.comments["thread_id"] == thread_id]
    if "position" in comments.columns:
        comments = comments.sort_values("position", kind="stable")
    recs = comments.to_dict("records")
    spans = _spans_by_row(corpus, thread_id)
    anchors = anchor_ids(r["comment_id"] for r in recs)
    by_id = {r["comment_id"]: r for r in recs}

    cols = comments.columns
    has = {c: _has(comments, c) for c in (
        "sentiment_compound", "sentiment_raw_compound", "sentiment_frame_neutral_compound",
        "frames", "techniques", "incivility", "topic_id", "topic_label", "created_at")}
    has["frames"] = "frames" in cols
    has["techniques"] = "techniques" in cols

    # Tree: children by parent in display order; a parent not in the thread means the post.
    kids: dict = defaultdict(list)
    for r in recs:
        p = r.get("parent_id") or ""
        kids[p if p in by_id and p != r["comment_id"] else ""].append(r["comment_id"])
    depth, order, parent_of = {}, [], {}
    stack = [(cid, 1, "") for cid in reversed(kids[""])]
    seen = set()
    while stack:
        cid, d, par = stack.pop()
        if cid in seen:
            continue
        seen.add(cid)
        depth[cid], parent_of[cid] = d, par
        order.append(cid)
        stack.extend((k, d + 1, cid) for k in reversed(kids[cid]))
    for r in recs:  # cycles the repair step missed still get shown, under the post
        if r["comment_id"] not in seen:
            depth[r["comment_id"]], parent_of[r["comment_id"]] = 1, ""
            order.append(r["comment_id"])
            seen.add(r["comment_id"])
    descendants = Counter()
    for cid in reversed(order):
        p = parent_of[cid]
        if p:
            descendants[p] += 1 + descendants[cid]

    bad_spans = 0
    items = {}
    for r in recs:
        cid = r["comment_id"]
        segs, bad = segments(r.get("text") or "", _marked(spans.get(cid, ())))
        bad_spans += bad
        items[cid] = _comment_item(r, anchors, by_id, depth[cid], parent_of[cid], segs, has,
                                   n_kids=len([k for k in kids[cid] if parent_of.get(k) == cid]),
                                   n_desc=descendants[cid])
    # How we know an inferred speaker: a reply that addresses them by name.
    for cid, item in items.items():
        if item["author_source"] != "inferred" or item["author_evidence"] or not item["author"]:
            continue
        for k in kids[cid]:
            hit = next((s for s in spans.get(k, ()) if s.get("kind") == "address"
                        and str(s.get("label", "")).lower() == item["author"].lower()), None)
            if hit:
                item["author_evidence"] = f"#{k} answers this comment and addresses “{hit.get('text', '')}”"
                break
    post_segs, bad = segments(t.get("text") or "", _marked(spans.get("", ())))
    bad_spans += bad

    view = {
        "kind": "thread",
        "thread_id": str(thread_id),
        "title": (t.get("title") or "").strip() or f"Thread {thread_id}",
        "header": _header(t, corpus, comments, recs, depth, has),
        "post": {"segments": post_segs, "author": t.get("author") or "", "date": _date(t.get("created_at")),
                 "frames": sorted({s.get("label", "") for s in spans.get("", ()) if s.get("kind") == "frame"} - {""}),
                 "techniques": sorted({s.get("label", "") for s in spans.get("", ()) if s.get("kind") == "technique"} - {""})},
        "tree": _tree(order, parent_of, kids, items, page_size),
        "filters": _filters(items.values()),
        "sentiment": _sentiment(recs, items, order, parent_of, kids, has) if has["sentiment_compound"] else None,
        "frames": _frames(recs, items, spans) if has["frames"] else None,
        "civility": _civility(recs, items, has, spans) if (has["incivility"] or has["techniques"]) else None,
        "topics": _topics(corpus, recs, items, thread_id) if has["topic_id"] else None,
        "network": _network(recs, by_id, items),
        "heated": _heated(corpus, recs, items, by_id, has, thread_id),
        "debate": _debate(corpus, recs, items, spans, thread_id) if has["frames"] else None,
        "methods": _methods(corpus),
        "bad_spans": bad_spans,
    }
    return view


_TRAILING_CONFIDENCE = re.compile(r"\s*\(confidence \d+(?:\.\d+)?\)$")


def _repaired(r) -> bool:
    """A stated link :func:`discourse.model.repair_links` moved to the post: an orphan (its
    parent is not in the data), a self-reply, or a cut reply cycle."""
    return (r.get("parent_source") or "") == "explicit" and not r.get("parent_id") and (
        (r.get("parent_evidence") or "").endswith("attached to the post"))


def _comment_item(r, anchors, by_id, depth, parent, segs, has, *, n_kids, n_desc) -> dict:
    cid = r["comment_id"]
    author = r.get("author") or ""
    a_src = r.get("author_source") or ("explicit" if author else "unknown")
    p_src = r.get("parent_source") or ""
    conf = _float(r.get("parent_confidence"))
    evidence = r.get("parent_evidence") or ""
    if parent:
        pa = by_id[parent].get("author") or ""
        parent_label = f"#{parent}" + (f" ({pa})" if pa else "")
    else:
        parent_label = "the post"
    if p_src == "inferred":
        if conf is not None and conf > 0:
            badge = f"inferred link, confidence {conf:.2f}"
            # The badge states the confidence; the sentence need not say it again.
            evidence = _TRAILING_CONFIDENCE.sub("", evidence)
        else:
            badge = "no reply cue found"
    elif p_src == "explicit" and _repaired(r):
        badge = "link repaired"
    else:
        badge = ""
    own = _float(r.get("sentiment_compound")) if has["sentiment_compound"] else None
    raw = _float(r.get("sentiment_raw_compound")) if has["sentiment_raw_compound"] else None
    neutral = _float(r.get("sentiment_frame_neutral_compound")) if has["sentiment_frame_neutral_compound"] else None
    inc = _float(r.get("incivility")) if has["incivility"] else None
    sentiment = None
    if own is not None:
        parts = [f"own words {_signed(own)}"]
        if raw is not None:
            parts.append(f"whole text {_signed(raw)}")
        if neutral is not None:
            parts.append(f"frame-neutral {_signed(neutral)}")
        sentiment = {"own": own, "raw": raw, "neutral": neutral, "cls": _sent_class(own), "label": _signed(own),
                     "symbol": {"pos": "▲", "neg": "▼", "neu": "●"}.get(_sent_class(own), ""),
                     "detail": "VADER compound: " + "; ".join(parts)}
    topic = ""
    if has["topic_label"] and _val(r.get("topic_label")) is not None:
        topic = str(r.get("topic_label"))
    elif has["topic_id"] and _val(r.get("topic_id")) is not None:
        topic = f"topic {r.get('topic_id')}"
    return {
        "id": cid,
        "anchor": anchors[cid],
        "author": author,
        "author_source": a_src,
        "author_note": {"explicit": "named in the source", "inferred": "speaker inferred from the text",
                        "unknown": "the source gives no name"}.get(a_src, a_src),
        "author_evidence": r.get("author_evidence") or "",
        "position": int(_val(r.get("position")) or 0),
        "depth": depth,
        "parent": parent,
        "parent_anchor": anchors[parent] if parent else "post",
        "parent_label": parent_label,
        "link_source": p_src,
        "confidence": conf,
        "evidence": evidence,
        "badge": badge,
        "date": _date(r.get("created_at")),
        "sentiment": sentiment,
        "frames": _split(r.get("frames")),
        "techniques": _split(r.get("techniques")),
        "incivility": inc,
        "uncivil": inc is not None and inc >= HEATED_INCIVILITY,
        "topic": topic,
        "segments": segs,
        "text": r.get("text") or "",
        "kids": n_kids,
        "descendants": n_desc,
    }


def _header(t, corpus, comments, recs, depth, has) -> dict:
    n = len(recs)
    src = Counter(r.get("parent_source") or "" for r in recs)
    inferred = [r for r in recs if (r.get("parent_source") or "") == "inferred"]
    confs = [c for c in (_float(r.get("parent_confidence")) for r in inferred) if c is not None]
    speakers = Counter(r.get("author_source") or ("explicit" if r.get("author") else "unknown") for r in recs)
    names = {r.get("author") for r in recs if r.get("author")}
    dates = comments["created_at"].dropna() if "created_at" in comments.columns else []
    if len(dates):
        lo, hi = dates.min(), dates.max()
        date_range = lo.strftime("%Y-%m-%d") if lo.date() == hi.date() else f"{lo:%Y-%m-%d} to {hi:%Y-%m-%d}"
    else:
        date_range = ""
    ingest = []
    for r in corpus.ingest:
        if r.path == t.get("source_path") or len(corpus.ingest) == 1 or not t.get("source_path"):
            ingest.append(r.summary())
    conf_hist = None
    if confs:
        edges = [0, .2, .4, .6, .8, 1.0001]
        counts = [sum(1 for c in confs if edges[i] <= c < edges[i + 1]) for i in range(5)]
        conf_hist = svg.histogram(counts, [0, .2, .4, .6, .8, 1], uid="conf", title="Confidence of inferred reply links",
                                  desc=f"{len(confs)} inferred links, by confidence: "
                                       + ", ".join(f"{edges[i]:g} to {min(edges[i + 1], 1):g}: {counts[i]}" for i in range(5)),
                                  x_label="confidence", color=svg.PALETTE[2])
    return {
        "source_format": t.get("source_format") or corpus.source,
        "source_path": t.get("source_path") or "",
        "url": safe_url(t.get("url") or ""),
        "url_text": t.get("url") or "",
        "author": t.get("author") or "",
        "date": _date(t.get("created_at")),
        "date_range": date_range,
        "ingest": ingest,
        "counts": {
            "comments": n,
            "top_level": sum(1 for d in depth.values() if d == 1),
            "max_depth": max(depth.values(), default=0),
            "speakers": len({_person(a) for a in names} - {""}),
            "named": speakers.get("explicit", 0),
            "inferred_speakers": speakers.get("inferred", 0),
            "unknown_speakers": speakers.get("unknown", 0),
            "explicit": src.get("explicit", 0) + sum(1 for r in recs if not r.get("parent_source") and not r.get("parent_id")),
            "repaired": sum(1 for r in recs if _repaired(r)),
            "inferred": src.get("inferred", 0),
            "inferred_to_comment": sum(1 for r in inferred if r.get("parent_id")),
            "inferred_to_post": sum(1 for r in inferred if not r.get("parent_id")),
            "mean_confidence": (sum(confs) / len(confs)) if confs else None,
        },
        "confidence_chart": conf_hist,
    }


def _tree(order, parent_of, kids, items, page_size) -> dict:
    """Pre-order open/close events, cut into pages at top-level branch boundaries."""
    pages, events, count, first = [], [], 0, 1
    i = 0
    top = [cid for cid in order if not parent_of[cid]]
    for root in top:
        size = 1 + items[root]["descendants"]
        if events and count + size > page_size:
            pages.append({"events": events, "first": first, "last": first + count - 1, "count": count})
            first += count
            events, count = [], 0
        stack = [(root, False)]
        while stack:
            cid, closing = stack.pop()
            if closing:
                events.append({"t": "close"})
                continue
            events.append({"t": "open", "c": items[cid]})
            children = [k for k in kids[cid] if parent_of.get(k) == cid]
            if children:
                stack.append((cid, True))
                stack.extend((k, False) for k in reversed(children))
            i += 1
        count += size
    if events or not pages:
        pages.append({"events": events, "first": first, "last": first + count - 1, "count": count})
    return {"pages": pages, "paged": len(pages) > 1, "page_size": page_size}


def _filters(items) -> dict:
    frames, techniques = Counter(), Counter()
    uncivil = 0
    for c in items:
        frames.update(set(c["frames"]))
        techniques.update(set(c["techniques"]))
        uncivil += c["uncivil"]
    return {"frames": _ranked(frames), "techniques": _ranked(techniques), "uncivil": uncivil}


def _rolling(values, window):
    out, acc, q = [], 0.0, []
    for v in values:
        q.append(v)
        acc += v
        if len(q) > window:
            acc -= q.pop(0)
        out.append(acc / len(q))
    return out


def _sentiment(recs, items, order, parent_of, kids, has) -> dict:
    rows = sorted(items.values(), key=lambda c: c["position"])
    n = len(rows)
    names = [("own words", "own"), ("whole text (raw VADER)", "raw"), ("frame terms neutralised", "neutral")]
    names = [(label, key) for label, key in names if any(c["sentiment"] and c["sentiment"][key] is not None for c in rows)]
    # A reading identical to "own words" everywhere adds a hidden line, not information.
    same = [label for label, key in names[1:]
            if all(c["sentiment"] is None or c["sentiment"][key] is None or abs(c["sentiment"][key] - c["sentiment"]["own"]) < 1e-9 for c in rows)]
    names = [(label, key) for label, key in names if label not in same]
    window = 1 if n <= 60 else max(5, n // 40)
    series = []
    for label, key in names:
        pts = [(c["position"], c["sentiment"][key] if c["sentiment"] and c["sentiment"][key] is not None else float("nan"),
                f"#{c['id']} {c['author'] or ''} {label} {_signed(c['sentiment'][key]) if c['sentiment'] else 'n/a'}", f"#{c['anchor']}")
               for c in rows]
        if window > 1:
            ys = _rolling([p[1] if p[1] == p[1] else 0.0 for p in pts], window)
            pts = [(p[0], y, "", "") for p, y in zip(pts, ys)]
        series.append({"name": label, "points": pts})
    own = [c["sentiment"]["own"] for c in rows if c["sentiment"]]
    summary = {
        "mean": sum(own) / len(own) if own else None,
        "pos": sum(1 for v in own if v >= POS),
        "neg": sum(1 for v in own if v <= NEG),
        "neu": sum(1 for v in own if NEG < v < POS),
        "n": len(own),
    }
    along = svg.line_chart(series, uid="sent-thread", title="Sentiment along the thread",
                           desc=(f"VADER compound of {n} comments in display order"
                                 + (f", as a running mean over {window} comments" if window > 1 else "")
                                 + f". Mean own-words score {_signed(summary['mean'])}; {summary['neg']} negative, "
                                   f"{summary['neu']} neutral, {summary['pos']} positive."),
                           x_label="position in the thread (display order)", y_label="compound",
                           x_ticks=None, markers=window == 1)
    # The longest branches: the deepest leaves, preferring different top-level branches.
    leaves = [cid for cid in order if not any(parent_of.get(k) == cid for k in kids[cid])]
    by_depth = sorted(leaves, key=lambda cid: (-items[cid]["depth"], items[cid]["position"]))
    branches, used_tops = [], set()
    for pass_ in (0, 1):
        for leaf in by_depth:
            if len(branches) == 3 or items[leaf]["depth"] < 3:
                break
            path = [leaf]
            while parent_of[path[-1]]:
                path.append(parent_of[path[-1]])
            path.reverse()
            if (pass_ == 0 and path[0] in used_tops) or path in branches:
                continue
            used_tops.add(path[0])
            branches.append(path)
    branch_charts = []
    for bi, path in enumerate(branches):
        bseries = []
        for label, key in names:
            bseries.append({"name": label, "points": [
                (k + 1, items[cid]["sentiment"][key] if items[cid]["sentiment"] and items[cid]["sentiment"][key] is not None else float("nan"),
                 f"#{cid} {items[cid]['author']} {label} {_signed(items[cid]['sentiment'][key]) if items[cid]['sentiment'] else 'n/a'}",
                 f"#{items[cid]['anchor']}") for k, cid in enumerate(path)]})
        branch_charts.append({
            "chart": svg.line_chart(bseries, uid=f"branch-{bi}", title=f"Sentiment down branch {bi + 1}",
                                    desc=f"{len(path)} comments from #{path[0]} to #{path[-1]}, by reply depth: "
                                         + ", ".join(f"#{cid} {_signed(items[cid]['sentiment']['own']) if items[cid]['sentiment'] else 'n/a'}" for cid in path),
                                    height=200, x_label="reply depth", x_ticks=[(k + 1, str(k + 1)) for k in range(len(path))]),
            "path": [items[cid] for cid in path] if len(path) <= 9 else [items[cid] for cid in path[:4]] + [None] + [items[cid] for cid in path[-4:]],
            "hidden": max(0, len(path) - 8) if len(path) > 9 else 0,
        })
    # Where the ways of scoring disagree most: quotes and frame words at work.
    gaps = []
    for c in rows:
        s = c["sentiment"]
        if not s:
            continue
        if s["raw"] is not None:
            gaps.append((abs(s["raw"] - s["own"]), "quoted words removed", s["raw"], s["own"], c))
        if s["neutral"] is not None:
            gaps.append((abs(s["neutral"] - s["own"]), "frame terms neutralised", s["own"], s["neutral"], c))
    gaps = [g for g in sorted(gaps, key=lambda g: -g[0]) if g[0] >= 0.05][:6]
    return {
        "chart": along,
        "window": window,
        "summary": summary,
        "table": rows if n <= 60 else None,
        "branches": branch_charts,
        "gaps": [{"delta": g[0], "what": g[1], "before": _signed(g[2]), "after": _signed(g[3]), "c": g[4]} for g in gaps],
        "series": [label for label, _ in names],
        "same": same,
    }


def _frames(recs, items, spans) -> dict:
    counts = Counter()
    for c in items.values():
        counts.update(set(c["frames"]))
    senses: dict = defaultdict(Counter)
    terms: dict = defaultdict(Counter)
    for cid, ss in spans.items():
        for s in ss:
            if s.get("kind") == "frame" and s.get("label"):
                senses[s["label"]][s.get("sense") or "unspecified"] += 1
                terms[s["label"]][str(s.get("text", "")).lower()] += 1
    n = len(items)
    rows = []
    for frame, k in _ranked(counts):
        rows.append({"frame": frame, "comments": k, "share": k / n if n else 0.0,
                     # None for a frame whose terms are not read for a sense (only metaphor frames are).
                     "senses": {k: v for k, v in senses.get(frame, {}).items() if k != "unspecified"} or None,
                     "terms": [t for t, _ in _ranked(terms[frame], 6)]})
    chart = svg.bar_chart([(readable(r["frame"]), r["comments"]) for r in rows], uid="frames", title="Frame prevalence",
                          desc="Comments using each frame: " + ", ".join(f"{readable(r['frame'])} {r['comments']}"
                                                                       for r in rows),
                          value_format="{:g}") if rows else None
    # Who uses which frame.
    users: dict = defaultdict(Counter)
    for c in items.values():
        who = _person(c["author"]) or "unknown speaker"
        for f in set(c["frames"]):
            users[who][f] += 1
    frames = [r["frame"] for r in rows][:8]
    people = sorted(users, key=lambda w: (-sum(users[w].values()), w))[:15]
    top = max([users[w][f] for w in people for f in frames] or [1])
    matrix = [{"who": w, "cells": [{"n": users[w][f], "level": 0 if not users[w][f] else 1 + min(3, int(3 * users[w][f] / top))}
                                   for f in frames]} for w in people]
    all_unknown = all(not c["author"] for c in items.values())
    return {"rows": rows, "chart": chart, "matrix_frames": frames, "matrix": matrix, "all_unknown": all_unknown,
            "sense_names": ["metaphorical", "literal", "game", "meta"]}


def _civility(recs, items, has, spans=None) -> dict:
    techniques = Counter()
    for c in items.values():
        techniques.update(set(c["techniques"]))
    # Evidence beside each count: the first comments showing the technique, with the words
    # that were marked for it.
    examples: dict = defaultdict(list)
    for cid, c in sorted(items.items(), key=lambda kv: kv[1]["position"]):
        marked: dict = {}
        for sp in (spans or {}).get(cid, ()):
            if sp.get("kind") == "technique" and sp.get("label") in c["techniques"]:
                marked.setdefault(sp["label"], str(sp.get("text") or ""))
        for t in dict.fromkeys(c["techniques"]):
            if len(examples[t]) < 3:
                examples[t].append({"c": c, "text": marked.get(t, "")})
    incs = [c["incivility"] for c in items.values() if c["incivility"] is not None]
    hist = None
    if incs:
        edges = [i / 10 for i in range(11)]
        counts = [sum(1 for v in incs if edges[i] <= v < edges[i + 1] or (i == 9 and v == 1.0)) for i in range(10)]
        hist = svg.histogram(counts, edges, uid="incivility", title="Incivility of the comments",
                             desc=f"{len(incs)} comments by incivility score from 0 to 1; "
                                  f"{sum(1 for v in incs if v >= HEATED_INCIVILITY)} at {HEATED_INCIVILITY} or above.",
                             x_label="incivility (0 = none, 1 = most)", color=svg.PALETTE[1], width=420)
    worst = sorted((c for c in items.values() if c["incivility"] is not None and c["incivility"] >= HEATED_INCIVILITY),
                   key=lambda c: -c["incivility"])[:6]
    tchart = svg.bar_chart([(readable(k), v) for k, v in _ranked(techniques)], uid="techniques",
                           title="Persuasion techniques", width=420,
                           desc="Comments showing each technique: " + ", ".join(f"{readable(k)} {v}"
                                                                            for k, v in _ranked(techniques))
                           ) if techniques else None
    return {"techniques": [(t, k, examples[t]) for t, k in _ranked(techniques)], "technique_chart": tchart,
            "hist": hist, "worst": worst,
            "has_incivility": bool(incs), "has_techniques": has["techniques"], "threshold": HEATED_INCIVILITY}


def _topics(corpus, recs, items, thread_id) -> dict:
    sizes = Counter()
    labels = {}
    members: dict = defaultdict(list)
    for r in recs:
        tid = _val(r.get("topic_id"))
        if tid is None:
            continue
        tid = int(tid) if isinstance(tid, float) and tid.is_integer() else tid
        sizes[tid] += 1
        if _val(r.get("topic_label")) is not None:
            labels[tid] = str(r["topic_label"])
        members[tid].append(items[r["comment_id"]])
    model = (getattr(corpus, "extras", None) or {}).get("topics")
    terms = _topic_terms(model)
    reps = _topic_representatives(model, thread_id)
    rows = []
    # Comments with no topic (-1) go last: they are what the model could not place.
    for tid, k in sorted(sizes.items(), key=lambda kv: (kv[0] == -1, -kv[1], str(kv[0]))):
        # The topic model's own choice when it offers one; else the longest comments, which say most.
        by_id = {m["id"]: m for m in members[tid]}
        chosen = [by_id[cid] for cid in reps.get(tid, []) if cid in by_id]
        how = "the model's most representative comments"
        if not chosen:
            chosen = sorted(sorted(members[tid], key=lambda c: -len(c["text"]))[:2], key=lambda c: c["position"])
            how = "the longest comments in the topic"
        rows.append({"id": tid, "label": _topic_name(tid, labels.get(tid)), "size": k, "share": k / max(len(recs), 1),
                     "terms": terms.get(tid, []), "examples": chosen[:2], "how": how})
    return {"rows": rows, "has_terms": bool(terms), **_topic_subjects(model, items)}


def _topic_name(tid, label) -> str:
    """A topic's label as a reader sees it: the model's label, "no topic" for -1, else "topic N"."""
    label = _val(label)
    if label is not None and str(label):
        return str(label)
    return "no topic" if tid == -1 else f"topic {tid}"


def _topic_subjects(model, items) -> dict:
    """The topic model's note and the subjects it found (a comment can raise several), with evidence."""
    note = getattr(model, "note", None)
    subjects = getattr(model, "subjects", None)
    out = []
    if subjects is not None and hasattr(subjects, "itertuples") and len(subjects):
        for r in subjects.itertuples(index=False):
            where = [{"c": items[cid], "sentence": ev} for cid, ev in zip(r.comment_ids, r.evidence) if cid in items]
            if where:
                out.append({"label": r.label, "phrases": list(r.phrases), "comments": int(r.comments),
                            "where": where, "in_post": bool(r.in_post)})
    return {"note": note if isinstance(note, str) else "", "subjects": out}


def _topic_terms(model) -> dict:
    """Top terms per topic from the topics stage's object, whatever shape it returns."""
    if model is None:
        return {}
    fn = getattr(model, "top_terms", None)
    try:
        value = fn(8) if callable(fn) else getattr(model, "terms", None)
    except Exception:  # the topics object is another stage's; a report must still render
        return {}
    out = {}
    if value is None:
        return out
    if hasattr(value, "columns"):
        df = value
        if {"topic_id", "term"} <= set(df.columns):
            for tid, g in df.groupby("topic_id", sort=False):
                out[tid] = [str(x) for x in g["term"].head(8)]
        elif "terms" in df.columns:
            key = df["topic_id"] if "topic_id" in df.columns else df.index
            for tid, t in zip(key, df["terms"]):
                out[tid] = [str(x) for x in (t if isinstance(t, (list, tuple)) else str(t).split(";"))][:8]
        return out
    if isinstance(value, dict):
        return {k: [str(x) if not isinstance(x, tuple) else str(x[0]) for x in v][:8] for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return {i: [str(x) if not isinstance(x, tuple) else str(x[0]) for x in v][:8] for i, v in enumerate(value)}
    return out


def _topic_representatives(model, thread_id) -> dict:
    if model is None:
        return {}
    value = None
    for name in ("representative_comments", "representatives", "representative"):
        attr = getattr(model, name, None)
        if attr is None:
            continue
        try:
            value = attr(3) if callable(attr) else attr
        except Exception:  # another stage's object; fall back to our own choice
            value = None
        if value is not None:
            break
    out: dict = defaultdict(list)
    if value is None:
        return out
    if hasattr(value, "columns") and {"topic_id", "comment_id"} <= set(value.columns):
        if "thread_id" in value.columns:
            value = value[value["thread_id"].astype(str) == str(thread_id)]
        for tid, cid in zip(value["topic_id"], value["comment_id"]):
            out[tid].append(str(cid))
    elif isinstance(value, dict):
        for tid, cids in value.items():
            out[tid].extend(str(c) for c in cids)
    return out


def _network(recs, by_id, items) -> dict:
    speakers = Counter(_person(c["author"]) for c in items.values() if _person(c["author"]))
    n_unknown = sum(1 for c in items.values() if not _person(c["author"]))
    pairs = Counter()
    to_post = Counter()
    for c in items.values():
        me = _person(c["author"])
        if not me:
            continue
        if c["parent"]:
            pa = _person(items[c["parent"]]["author"])
            if pa and pa != me:
                pairs[(me, pa)] += 1
        else:
            to_post[me] += 1
    out = {"speakers": len(speakers), "unknown": n_unknown, "pairs": [], "chart": None, "to_post": _ranked(to_post, 8),
           "available": len(speakers) >= 2 and bool(pairs), "shown": 0}
    if not out["available"]:
        return out
    involved = Counter()
    for (a, b), w in pairs.items():
        involved[a] += w
        involved[b] += w
    # More than ~16 speakers on one circle is a hairball: draw the busiest pairs' speakers,
    # so every drawn speaker has an arrow and the chart agrees with the table beside it.
    keep: dict = {}
    for (a, b), _ in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0])):
        new = [x for x in (a, b) if x not in keep]
        if len(keep) + len(new) > 16:
            continue
        keep.update(dict.fromkeys(new))
    top = sorted(keep, key=lambda name: (-involved[name], name))
    nodes = [(name, speakers[name]) for name in top]
    edges = [(a, b, w) for (a, b), w in _ranked(pairs) if a in keep and b in keep][:40]
    out["chart"] = svg.network(nodes, edges, uid="network", title="Who answers whom",
                               desc=f"{len(nodes)} speakers as circles sized by comments; an arrow from the speaker who "
                                    f"replies to the one answered, thicker for more replies. Busiest pairs: "
                                    + ", ".join(f"{a} to {b} {w}" for (a, b), w in _ranked(pairs, 5)))
    out["pairs"] = [{"from": a, "to": b, "n": w, "back": pairs.get((b, a), 0)} for (a, b), w in _ranked(pairs, 12)]
    out["shown"] = len(nodes)
    return out


def _heated(corpus, recs, items, by_id, has, thread_id):
    given = _extra_for_thread(corpus, "heated", thread_id)
    if given is not None and hasattr(given, "columns") and len(given.columns):
        return _heated_given(given, items)
    if not (has["incivility"] or has["sentiment_compound"]):
        return None

    def hot(c):
        s = c["sentiment"]["own"] if c["sentiment"] else None
        return (c["incivility"] is not None and c["incivility"] >= HEATED_INCIVILITY) or (s is not None and s <= HEATED_SENTIMENT)

    def heat(c):
        s = c["sentiment"]["own"] if c["sentiment"] else 0.0
        return max(c["incivility"] or 0.0, -s if s < 0 else 0.0)

    # Exchanges: connected runs of reply links whose both ends are heated.
    group: dict = {}
    for c in items.values():
        if c["parent"] and hot(c) and hot(items[c["parent"]]):
            g = group.get(c["parent"])
            if g is None:
                g = [c["parent"]]
                group[c["parent"]] = g
            g.append(c["id"])
            group[c["id"]] = g
    exchanges = []
    for g in {id(g): g for g in group.values()}.values():
        cs = sorted((items[cid] for cid in g), key=lambda c: c["position"])
        exchanges.append({"comments": cs, "heat": sum(heat(c) for c in cs) / len(cs),
                          "speakers": sorted({c["author"] for c in cs if c["author"]}), "between": _between(cs),
                          "why": ""})
    exchanges.sort(key=lambda e: (-len(e["comments"]) * e["heat"], e["comments"][0]["position"]))
    return {"exchanges": exchanges[:6], "total": len(exchanges), "derived": True,
            "rule": f"reply links where both comments have incivility at least {HEATED_INCIVILITY} or own-words sentiment at most {_signed(HEATED_SENTIMENT)}"}


def _between(cs) -> str:
    """Who an exchange is between, in words: "Duane and an unnamed speaker", "Ann, Bo and Cy"."""
    names = sorted({c["author"] for c in cs if c["author"]})
    unnamed = sum(1 for c in cs if not c["author"])
    if unnamed:
        names.append("an unnamed speaker" if unnamed == 1 else "unnamed speakers")
    if len(names) < 2:
        return names[0] if names and unnamed else ""
    return ", ".join(names[:-1]) + " and " + names[-1]


def _heated_given(df, items) -> dict:
    exchanges = []
    cols = set(df.columns)
    for rec in df.to_dict("records"):
        ids = []
        if "comment_ids" in cols:
            v = rec["comment_ids"]
            ids = list(v) if isinstance(v, (list, tuple)) else _split(v)
        else:
            ids = [str(rec[c]) for c in ("parent_id", "comment_id", "reply_id") if c in cols and _val(rec.get(c)) is not None and str(rec[c])]
        cs = [items[i] for i in ids if i in items]
        if not cs:
            continue
        score = _float(rec.get("heat", rec.get("score")))
        exchanges.append({"comments": sorted(cs, key=lambda c: c["position"]), "heat": score if score is not None else 0.0,
                          "speakers": sorted({c["author"] for c in cs if c["author"]}), "between": _between(cs),
                          "why": str(rec.get("explanation") or rec.get("reason") or "")})
    return {"exchanges": exchanges[:6], "total": len(exchanges), "derived": False, "rule": ""}


_ROLE_WORDS = {
    "introduce": "introduced", "introduced": "introduced", "intro": "introduced", "first": "introduced",
    "adopt": "adopted", "adopted": "adopted", "uptake": "adopted", "use": "adopted", "used": "adopted", "extend": "adopted",
    "contest": "contested", "contested": "contested", "reject": "contested", "rejected": "contested", "challenge": "contested",
    "meta": "meta", "discuss": "meta", "discussed": "meta",
}


def _sentence_around(text: str, start: int, end: int) -> str:
    """The sentence (or line) of *text* that holds ``text[start:end]``.

    >>> _sentence_around("We lost. Public education is not a war. Still.", 28, 37)
    'Public education is not a war.'
    """
    cut = max(text.rfind(ch, 0, start) for ch in ".!?\n")
    stops = [i for i in (text.find(ch, end) for ch in ".!?\n") if i >= 0]
    stop = min(stops) + 1 if stops else len(text)
    return text[cut + 1:stop].strip()


def _debate_quote(frame, role, c, spans) -> str:
    """The words that make a comment contest or talk about a frame: the sentence of its meta frame term."""
    if c is None or role not in ("contested", "meta"):
        return ""
    # Only a term read as talk about the frame itself is evidence of a stance on it.
    ss = [s for s in spans.get(c["id"], ()) if s.get("kind") == "frame" and s.get("label") == frame
          and (s.get("sense") or "") == "meta"]
    if not ss:
        return ""
    try:
        return _sentence_around(str(c["text"]), int(ss[0]["start"]), int(ss[0]["end"]))
    except (TypeError, ValueError):  # a spans table without offsets: no quote rather than a wrong one
        return ""


def _debate(corpus, recs, items, spans, thread_id) -> dict:
    """Per frame: where it is introduced, adopted and contested, in thread order."""
    given = _extra_for_thread(corpus, "frame_debate", thread_id)
    events: dict = defaultdict(list)  # frame -> [(x, role, comment item or None, evidence)]
    derived = True
    if given is not None and hasattr(given, "columns") and {"frame", "introduced_by", "adopted_by"} <= set(given.columns):
        # framing.debate's summary: one row per frame with ";"-separated comment ids per role.
        derived = False
        stance_of = {str(r.get("comment_id")): str(_val(r.get("frame_stance")) or "") for r in recs}
        for rec in given.to_dict("records"):
            f = str(rec["frame"])
            first = str(_val(rec.get("introduced_by")) or "")
            c = items.get(first)
            if first == "post" or c is None:
                events[f].append((-1, "introduced", None, "first used in the post"))
            else:
                events[f].append((c["position"], "introduced", c, "first used here"))
            for col, role, why in (("adopted_by", "adopted", "uses the frame"),
                                   ("endorsed_by", "meta", "talks about the frame and endorses it"),
                                   ("contested_by", "contested", "talks about the frame and contests it")):
                for cid in _split(rec.get(col)):
                    c = items.get(cid)
                    if c is not None and not (role == "adopted" and cid == first):
                        stance = stance_of.get(cid, "")
                        events[f].append((c["position"], role, c, why + (f" ({stance})" if stance and role != "adopted" else "")))
    elif given is not None and hasattr(given, "columns") and {"frame"} <= set(given.columns):
        derived = False
        role_col = next((c for c in ("role", "event", "stance", "kind") if c in given.columns), None)
        for rec in given.to_dict("records"):
            cid = str(rec.get("comment_id") or "")
            role = _ROLE_WORDS.get(str(rec.get(role_col, "")).lower(), "adopted") if role_col else "adopted"
            why = str(_val(rec.get("explanation")) or _val(rec.get("evidence")) or "")
            c = items.get(cid)
            events[str(rec["frame"])].append((c["position"] if c else -1, role, c, why))
    else:
        post_terms: dict = defaultdict(list)
        for s in spans.get("", ()):
            if s.get("kind") == "frame" and s.get("label"):
                post_terms[s["label"]].append(str(s.get("text", "")))
        comment_terms: dict = defaultdict(lambda: defaultdict(list))
        for cid, ss in spans.items():
            for s in ss:
                if cid and s.get("kind") == "frame" and s.get("label"):
                    comment_terms[s["label"]][cid].append(s)
        frames = {f for c in items.values() for f in c["frames"]} | set(post_terms)
        for f in frames:
            if post_terms.get(f):
                events[f].append((-1, "introduced", None, "the post uses " + ", ".join(f"“{t}”" for t in dict.fromkeys(post_terms[f]))))
            for c in sorted(items.values(), key=lambda c: c["position"]):
                ss = comment_terms[f].get(c["id"], [])
                if f not in c["frames"] and not ss:
                    continue
                terms = ", ".join(f"“{s.get('text', '')}”" for s in ss[:3])
                if any((s.get("sense") or "") == "meta" for s in ss):
                    role = "meta"
                elif not events[f]:
                    role = "introduced"
                else:
                    role = "adopted"
                events[f].append((c["position"], role, c, terms))
    rows = []
    # Contested frames first: a debate about a frame is what this section is for.
    for f, evs in sorted(events.items(), key=lambda kv: (-sum(e[1] in ("contested", "meta") for e in kv[1]),
                                                           -len(kv[1]), kv[0])):
        evs = [{"x": x, "role": role, "c": c, "why": why, "quote": _debate_quote(f, role, c, spans)}
               for x, role, c, why in sorted(evs, key=lambda e: e[0])]
        rows.append({"frame": f, "events": evs,
                     "by_role": {r: [e for e in evs if e["role"] == r] for r in ("introduced", "adopted", "contested", "meta")}})
    rows = rows[:10]
    x_max = max((c["position"] for c in items.values()), default=0)
    chart = svg.timeline(
        [(readable(r["frame"]), [(e["x"], e["role"], (f"#{e['c']['id']} " if e["c"] else "post ") + e["role"] + (f": {e['why']}" if e["why"] else ""),
                        f"#{e['c']['anchor']}" if e["c"] else "#post") for e in r["events"]]) for r in rows],
        x_max=x_max, uid="debate", title="The frame debate",
        desc="For each frame, where in the thread it is introduced, adopted, contested or talked about: "
             + "; ".join(f"{readable(r['frame'])}: " + ", ".join(f"{role} {len(v)}" for role, v in r["by_role"].items() if v) for r in rows),
    ) if rows else None
    return {"rows": rows, "chart": chart, "derived": derived}


#: Phrases from the bundled thread (and one made up) where plain VADER misleads; scored live.
VADER_TRAPS = [
    ("Oh, almighty city dweller, must I bow so deep to your highness?", "sarcasm: hostile, but no negative word"),
    ("soulless turds", "an insult VADER's word list does not contain"),
    ("We must fight this battle together.", "war words used as metaphor for a shared effort"),
    ("Protecting and promoting community public schools is not warfare, Chas.", "a rebuttal read as warm: “not” flips a negative word into a positive one"),
]


@functools.lru_cache(maxsize=1)
def _vader_traps() -> tuple:
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:  # the report still renders; the section says so
        return ()
    vader = SentimentIntensityAnalyzer()
    return tuple((text, vader.polarity_scores(text)["compound"], why) for text, why in VADER_TRAPS)


def _methods(corpus) -> dict:
    extras = getattr(corpus, "extras", None) or {}
    validity = extras.get("validity") or VALIDITY
    traps = [{"text": t, "score": _signed(s), "why": w} for t, s, w in _vader_traps()]
    return {"validity": list(validity), "heated_incivility": HEATED_INCIVILITY, "heated_sentiment": HEATED_SENTIMENT,
            "traps": traps}


# --------------------------------------------------------------------------- corpus


def corpus_view(corpus, *, links: dict | None = None) -> dict:
    """Build the view model of a report over many threads.

    Parameters
    ----------
    corpus : Corpus
    links : dict, optional
        ``thread_id -> relative URL`` of each thread's own page.

    Examples
    --------
    >>> import pandas as pd
    >>> from discourse import Corpus
    >>> c = Corpus.from_frames(pd.DataFrame({"thread_id": ["a", "b"], "comment_id": ["1", "1"], "text": ["x", "y"]}))
    >>> v = corpus_view(c)
    >>> v["counts"]["threads"], [t["thread_id"] for t in v["threads"]]
    (2, ['a', 'b'])
    """
    links = links or {}
    comments, threads = corpus.comments, corpus.threads
    has = {c: _has(comments, c) for c in ("sentiment_compound", "incivility", "topic_id", "topic_label", "created_at")}
    has["frames"] = "frames" in comments.columns
    per = comments.groupby("thread_id", sort=False)
    sizes = per.size()
    rows = []
    titles = dict(zip(threads["thread_id"], threads["title"]))
    frame_lists = comments["frames"].map(_split) if has["frames"] else None
    by_thread = {k: g for k, g in per}
    for tid in threads["thread_id"]:
        n = int(sizes.get(tid, 0))
        sub = by_thread[tid] if n else comments.iloc[0:0]
        mean_s = float(sub["sentiment_compound"].mean()) if has["sentiment_compound"] and n else None
        neg = float((sub["sentiment_compound"] <= NEG).mean()) if has["sentiment_compound"] and n else None
        inc = float(sub["incivility"].mean()) if has["incivility"] and n else None
        uncivil = int((sub["incivility"] >= HEATED_INCIVILITY).sum()) if has["incivility"] and n else None
        top_frame = ""
        if has["frames"] and n:
            fc = Counter(f for fl in frame_lists[sub.index] for f in set(fl))
            top_frame = ", ".join(f"{readable(f)} ({k})" for f, k in _ranked(fc, 2))
        dates = sub["created_at"].dropna() if n else []
        rows.append({"thread_id": str(tid), "title": (titles.get(tid) or "").strip() or str(tid), "comments": n,
                     "href": links.get(tid, ""), "mean_sentiment": mean_s, "mean_label": _signed(mean_s), "neg_share": neg,
                     "incivility": inc, "uncivil": uncivil, "top_frame": top_frame,
                     "date": dates.min().strftime("%Y-%m-%d") if len(dates) else "",
                     "heat": (inc if inc is not None else 0.0) + (neg if neg is not None else 0.0)})
    dist = {}
    counts = [r["comments"] for r in rows]
    if counts:
        hi = max(counts)
        edges = _edges(0, hi + 1, 10)
        dist["sizes"] = svg.histogram(_bin(counts, edges), edges, uid="c-sizes", title="Comments per thread",
                                      desc=f"{len(counts)} threads; smallest {min(counts)}, largest {hi} comments.",
                                      x_label="comments in the thread")
    if has["sentiment_compound"]:
        vals = comments["sentiment_compound"].dropna().tolist()
        edges = [round(-1 + i * 0.2, 1) for i in range(11)]
        dist["sentiment"] = svg.histogram(_bin(vals, edges), edges, uid="c-sent", title="Own-words sentiment of every comment",
                                          desc=f"{len(vals)} comments by VADER compound; {sum(v <= NEG for v in vals)} negative, "
                                               f"{sum(v >= POS for v in vals)} positive.", x_label="compound", color=svg.PALETTE[0])
    if has["incivility"]:
        vals = comments["incivility"].dropna().tolist()
        edges = [i / 10 for i in range(11)]
        dist["incivility"] = svg.histogram(_bin(vals, edges), edges, uid="c-inc", title="Incivility of every comment",
                                           desc=f"{len(vals)} comments; {sum(v >= HEATED_INCIVILITY for v in vals)} at {HEATED_INCIVILITY} or above.",
                                           x_label="incivility", color=svg.PALETTE[1])
    frames = None
    if has["frames"]:
        fc = Counter(f for fl in frame_lists for f in set(fl))
        in_threads = Counter(f for tid, fl in zip(comments["thread_id"], frame_lists) for f in set(fl))
        thread_sets: dict = defaultdict(set)
        for tid, fl in zip(comments["thread_id"], frame_lists):
            for f in fl:
                thread_sets[f].add(tid)
        n = max(len(comments), 1)
        frows = [{"frame": f, "comments": k, "share": k / n, "threads": len(thread_sets[f])} for f, k in _ranked(fc)]
        frames = {"rows": frows, "chart": svg.bar_chart([(readable(r["frame"]), round(100 * r["share"], 1)) for r in frows], uid="c-frames",
                                                         title="Share of comments using each frame",
                                                         desc=", ".join(f"{readable(r['frame'])} {100 * r['share']:.1f}%" for r in frows),
                                                         value_format="{:g}%") if frows else None}
        del in_threads
    time = _over_time(comments, frame_lists, has)
    topics = None
    if has["topic_id"]:
        label = comments["topic_label"] if "topic_label" in comments.columns else comments["topic_id"].map(lambda t: f"topic {t}")
        g = comments.assign(_label=label).groupby("topic_id", sort=False)
        terms = _topic_terms((getattr(corpus, "extras", None) or {}).get("topics"))
        trows = []
        for tid, sub in g:
            tcount = sub["thread_id"].value_counts()
            trows.append({"id": tid, "label": _topic_name(tid, sub["_label"].iloc[0]), "comments": len(sub), "threads": len(tcount),
                          "terms": terms.get(tid, []),
                          "top_threads": [{"title": (titles.get(t) or "").strip() or str(t), "href": links.get(t, ""), "n": int(k)}
                                          for t, k in tcount.head(3).items()]})
        topics = sorted(trows, key=lambda r: (r["id"] == -1, -r["comments"]))
    heated = sorted([r for r in rows if r["comments"] >= 5 and (r["incivility"] is not None or r["neg_share"] is not None)],
                    key=lambda r: -r["heat"])[:10] if (has["incivility"] or has["sentiment_compound"]) else None
    dates = comments["created_at"].dropna() if "created_at" in comments.columns else []
    return {
        "kind": "corpus",
        "title": f"{len(threads)} threads",
        "counts": {"threads": len(threads), "comments": len(comments),
                   "speakers": int(comments.loc[comments["author"] != "", "author"].nunique()),
                   "formats": corpus.source,
                   "date_range": f"{dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d}" if len(dates) else ""},
        "ingest": [r.summary() for r in corpus.ingest[:50]],
        "ingest_more": max(0, len(corpus.ingest) - 50),
        "threads": rows,
        "dist": dist,
        "frames": frames,
        "time": time,
        "topics": topics,
        "heated": heated,
        "has": has,
        "methods": _methods(corpus),
    }


def _edges(lo, hi, n):
    step = max(1, math.ceil((hi - lo) / n))
    return [lo + i * step for i in range(n + 1) if lo + (i - 1) * step < hi] or [lo, hi]


def _bin(values, edges):
    counts = [0] * (len(edges) - 1)
    for v in values:
        for i in range(len(edges) - 1):
            if edges[i] <= v < edges[i + 1] or (i == len(edges) - 2 and v == edges[-1]):
                counts[i] += 1
                break
    return counts


def _over_time(comments, frame_lists, has):
    if not has["created_at"]:
        return None
    dated = comments["created_at"].notna()
    if dated.sum() < 2:
        return None
    month = comments.loc[dated, "created_at"].dt.strftime("%Y-%m")
    months = sorted(month.unique())
    if len(months) < 2:
        return {"months": months, "chart": None, "topic_chart": None, "sent_chart": None}
    # x is the month's real distance from the first, so a gap of years looks like one.
    y0, m0 = int(months[0][:4]), int(months[0][5:7])
    idx = {m: (int(m[:4]) - y0) * 12 + int(m[5:7]) - m0 for m in months}
    at = {i: m for m, i in idx.items()}
    total = Counter(month)
    series = []
    if has["frames"]:
        fl = frame_lists[dated.to_numpy()]
        per = defaultdict(Counter)
        for m, frames in zip(month, fl):
            for f in set(frames):
                per[f][m] += 1
        top = sorted(per, key=lambda f: -sum(per[f].values()))[:5]
        for f in top:
            series.append({"name": readable(f), "points": [(idx[m], 100 * per[f][m] / total[m], f"{m}: {readable(f)} {100 * per[f][m] / total[m]:.0f}%", "") for m in months]})
    # Label at most ~8 months that have comments, spread over the real span.
    gap = max(1, idx[months[-1]] / 8)
    ticks = []
    for m in months:
        if not ticks or idx[m] - ticks[-1][0] >= gap:
            ticks.append((idx[m], m))
    chart = svg.line_chart(series, uid="c-time-frames", title="Frames over time", y_range=(0, max([p[1] for s in series for p in s["points"]] or [1]) * 1.1 or 1),
                           desc="Share of each month's comments using the five most common frames: "
                                + "; ".join(f"{s['name']} " + ", ".join(f"{at[p[0]]} {p[1]:.0f}%" for p in s["points"]) for s in series),
                           x_ticks=ticks, y_label="% of comments") if series else None
    topic_chart = None
    if has["topic_id"]:
        label = comments.loc[dated, "topic_label"].astype(str) if "topic_label" in comments.columns else comments.loc[dated, "topic_id"].map(lambda t: f"topic {t}")
        per = defaultdict(Counter)
        for m, t, tid in zip(month, label, comments.loc[dated, "topic_id"]):
            if _val(tid) is not None and tid != -1:  # "no topic" is not one of the largest topics
                per[t][m] += 1
        top = sorted(per, key=lambda t: -sum(per[t].values()))[:5]
        tseries = [{"name": t, "points": [(idx[m], 100 * per[t][m] / total[m], f"{m}: {t} {100 * per[t][m] / total[m]:.0f}%", "") for m in months]}
                   for t in top]
        topic_chart = svg.line_chart(tseries, uid="c-time-topics", title="Topics over time",
                                     y_range=(0, max([p[1] for s in tseries for p in s["points"]] or [1]) * 1.1 or 1),
                                     desc="Share of each month's comments in the five largest topics: "
                                          + "; ".join(f"{s['name']} " + ", ".join(f"{at[p[0]]} {p[1]:.0f}%" for p in s["points"]) for s in tseries),
                                     x_ticks=ticks, y_label="% of comments") if tseries else None
    sent_chart = None
    if has["sentiment_compound"]:
        mean = comments.loc[dated].groupby(month)["sentiment_compound"].mean()
        sent_chart = svg.line_chart([{"name": "mean own-words sentiment", "points": [(idx[m], float(v), f"{m}: {v:+.2f}", "") for m, v in mean.items()]}],
                                    uid="c-time-sent", title="Sentiment over time",
                                    desc="Mean VADER compound per month: " + ", ".join(f"{m} {v:+.2f}" for m, v in mean.items()),
                                    x_ticks=ticks, y_label="compound", height=200)
    return {"months": months, "chart": chart, "topic_chart": topic_chart, "sent_chart": sent_chart, "n": {m: total[m] for m in months}}
