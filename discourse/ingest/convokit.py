"""ConvoKit corpus directories, in and out.

A ConvoKit corpus on disk (Cornell's Conversational Analysis Toolkit) is a directory with
``utterances.jsonl`` (one utterance per line: ``id``, ``conversation_id``, ``speaker``,
``text``, ``timestamp``, ``reply_to``, ``meta``), ``speakers.json``, ``conversations.json``,
``corpus.json`` and ``index.json``. Older corpora spell the reply key ``reply-to``.

Reading (:func:`read_convokit`): each conversation is a thread (``thread_id`` =
``conversation_id``). The utterance whose id is the conversation id is the root, the post:
it becomes the thread row, not a comment. Every other utterance is a comment; its
``reply_to`` is an explicit reply link (the root's id means it answers the post). ``meta``
is kept as a JSON string in the ``meta`` column, and conversation titles come from
``conversations.json``.

Writing (:func:`to_convokit`): the inverse, in the layout ConvoKit's own ``Corpus.dump``
writes (reply key ``reply-to``). Each thread's post becomes a root utterance
(id = ``thread_id``), each comment an utterance replying to its parent or to the root;
the analysis columns a comment carries (``parent_source``, ``depth``, scores, ...) go into
its ``meta``. Utterance ids must be unique across a ConvoKit corpus, so when a comment id
repeats across threads (or equals a thread id) every utterance id becomes
``thread_id/comment_id``. An empty author becomes the speaker ``[unknown]``.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import InputFormatError
from ._common import BadLines, Tally, build_corpus, parse_time
from ._text import loads_json

__all__ = ["read_convokit", "sniff_convokit", "to_convokit"]

UNKNOWN_SPEAKER = "[unknown]"
#: The reply key ConvoKit's own ``Corpus.dump`` writes (every ConvoKit version reads it;
#: newer versions also read ``reply_to``).
REPLY_KEY = "reply-to"


def _corpus_dir(path) -> Path:
    p = Path(path)
    if p.is_file() and p.name == "utterances.jsonl":
        return p.parent
    if p.is_dir() and (p / "utterances.jsonl").is_file():
        return p
    raise InputFormatError("is not a ConvoKit corpus directory (no utterances.jsonl in it).", path=p)


def _load_json(path: Path):
    if not path.is_file():
        return {}
    try:
        return loads_json(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputFormatError(f"invalid JSON ({err}).", path=path) from err


def read_convokit(path, *, thread_id=None):
    """Read a ConvoKit corpus directory into a :class:`~discourse.Corpus`.

    Parameters
    ----------
    path : str or path-like
        The corpus directory, or its ``utterances.jsonl``.
    thread_id : str, optional
        Replaces the conversation id when there is one conversation; otherwise prefixes each.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> lines = [{"id": "p", "conversation_id": "p", "speaker": "ann", "text": "Post", "reply-to": None, "timestamp": 0},
    ...          {"id": "c1", "conversation_id": "p", "speaker": "bob", "text": "Hi", "reply-to": "p", "timestamp": 60},
    ...          {"id": "c2", "conversation_id": "p", "speaker": "ann", "text": "Hey", "reply-to": "c1", "timestamp": 90}]
    >>> _ = (d / "utterances.jsonl").write_text("\\n".join(json.dumps(x) for x in lines))
    >>> read_convokit(d).comments[["thread_id", "comment_id", "parent_id", "author"]].values.tolist()
    [['p', 'c1', '', 'bob'], ['p', 'c2', 'c1', 'ann']]
    """
    directory = _corpus_dir(path)
    utt_path = directory / "utterances.jsonl"
    conversations = _load_json(directory / "conversations.json")
    tally = Tally()
    rows, roots = [], {}
    bad = BadLines(utt_path, what="ConvoKit utterances.jsonl")
    with open(utt_path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError:
                bad.add(n, "not valid UTF-8")
                continue
            u = bad.check(line, n)
            if u is None:  # unparseable, or a JSON value that is not an utterance object
                continue
            uid = str(u.get("id", ""))
            conv = str(u.get("conversation_id") or u.get("root") or uid)
            reply = u.get("reply_to", u.get("reply-to"))
            reply = "" if reply is None else str(reply)
            speaker = u.get("speaker", u.get("user"))
            speaker = "" if speaker in (None, UNKNOWN_SPEAKER) else str(speaker)
            if uid == conv and not reply:
                roots[conv] = {"thread_id": conv, "author": speaker, "text": u.get("text") or "",
                               "created_at": parse_time(u.get("timestamp"))}
                continue
            tally.seen += 1
            parent = "" if reply == conv else reply
            if parent:
                tally.links += 1
            meta = u.get("meta")
            rows.append({"thread_id": conv, "comment_id": uid, "parent_id": parent, "author": speaker,
                         "created_at": parse_time(u.get("timestamp"), tally), "text": u.get("text") or "",
                         "meta": json.dumps(meta, ensure_ascii=False, sort_keys=True) if meta else ""})
    if not tally.seen and not roots and bad.count:
        bad.fail(fix="Each line must be one utterance object (id, conversation_id, reply_to, speaker, text, ...).")
    bad.report(tally, stacklevel=2)
    if not tally.seen and not roots:
        raise InputFormatError("utterances.jsonl holds no utterances; nothing to read.", path=utt_path)
    tally.notes.append(f"{len(roots)} root utterances read as posts")
    threads = []
    for conv in dict.fromkeys([r["thread_id"] for r in rows] + list(roots)):
        t = dict(roots.get(conv, {"thread_id": conv}))
        entry = conversations.get(conv) if isinstance(conversations, dict) else None
        cmeta = entry.get("meta") if isinstance(entry, dict) else None
        cmeta = cmeta if isinstance(cmeta, dict) else {}
        t["title"] = str(cmeta.get("title") or "")
        threads.append(t)
    return build_corpus(rows, threads, path=directory, fmt="convokit", tally=tally, thread_id=thread_id,
                        top_level_explicit=True)


def _scalar(v):
    import math

    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return None if math.isnan(v) else v
    if hasattr(v, "item"):
        return _scalar(v.item())
    if hasattr(v, "isoformat"):
        return None if str(v) == "NaT" else v.isoformat()
    return str(v)


def _epoch(ts):
    if ts is None or str(ts) == "NaT":
        return None
    return int(ts.timestamp()) if float(ts.timestamp()).is_integer() else float(ts.timestamp())


def _type_name(v) -> str:
    return f"<class '{type(v).__name__}'>"


def to_convokit(corpus, directory, *, meta_columns=None) -> Path:
    """Write *corpus* as a ConvoKit corpus directory (``Corpus(filename=directory)`` loads it).

    Parameters
    ----------
    corpus : Corpus
        Read or analysed.
    directory : str or path-like
        Created if needed; its five ConvoKit files are overwritten.
    meta_columns : list of str, optional
        Comment columns to put in each utterance's ``meta``; default every column beyond
        the ids, parent, author, time and text.

    Returns
    -------
    pathlib.Path
        The directory.

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> from discourse.model import Corpus
    >>> c = Corpus.from_frames(pd.DataFrame({"thread_id": ["t", "t"], "comment_id": ["1", "2"],
    ...                                      "parent_id": ["", "1"], "author": ["ann", ""], "text": ["Hi", "Yo"]}))
    >>> d = to_convokit(c, tempfile.mkdtemp())
    >>> back = read_convokit(d)
    >>> back.comments[["comment_id", "parent_id", "author", "text"]].values.tolist()
    [['1', '', 'ann', 'Hi'], ['2', '1', '', 'Yo']]
    """
    from .._io import atomic_write_text

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    comments, threads = corpus.comments, corpus.threads
    core = {"thread_id", "comment_id", "parent_id", "author", "created_at", "text", "meta"}
    if meta_columns is None:
        meta_columns = [c for c in comments.columns if c not in core]
    ids = comments["comment_id"].astype(str)
    thread_ids = set(threads["thread_id"].astype(str))
    qualify = ids.duplicated().any() or bool(set(ids) & thread_ids)

    def uid(tid, cid):
        return f"{tid}/{cid}" if qualify else cid

    utterances, speakers, convs = [], {}, {}
    utt_index: dict[str, set] = {}
    for t in threads.itertuples(index=False):
        tid = str(t.thread_id)
        author = t.author or UNKNOWN_SPEAKER
        speakers.setdefault(author, {"meta": {}, "vectors": []})
        utterances.append({"id": tid, "conversation_id": tid, "text": t.text or "", "speaker": author,
                           "meta": {}, REPLY_KEY: None, "timestamp": _epoch(t.created_at), "vectors": []})
        cmeta = {"title": t.title or "", "url": t.url or "", "source_format": t.source_format or ""}
        convs[tid] = {"meta": cmeta, "vectors": []}
    records = comments.to_dict("records")
    for r in records:
        tid, cid = str(r["thread_id"]), str(r["comment_id"])
        author = r.get("author") or UNKNOWN_SPEAKER
        speakers.setdefault(author, {"meta": {}, "vectors": []})
        meta = {}
        if r.get("meta"):
            try:
                meta.update(json.loads(r["meta"]))
            except (TypeError, ValueError):
                meta["source_meta"] = r["meta"]
        for col in meta_columns:
            meta[col] = _scalar(r.get(col))
        for k, v in meta.items():
            utt_index.setdefault(k, set()).add(_type_name(v))
        parent = r.get("parent_id") or ""
        utterances.append({"id": uid(tid, cid), "conversation_id": tid, "text": r.get("text") or "", "speaker": author,
                           "meta": meta, REPLY_KEY: uid(tid, parent) if parent else tid,
                           "timestamp": _epoch(r.get("created_at")), "vectors": []})
    atomic_write_text(directory / "utterances.jsonl",
                      "".join(json.dumps(u, ensure_ascii=False) + "\n" for u in utterances))
    atomic_write_text(directory / "speakers.json", json.dumps(speakers, ensure_ascii=False))
    atomic_write_text(directory / "conversations.json", json.dumps(convs, ensure_ascii=False))
    atomic_write_text(directory / "corpus.json", json.dumps({"source": corpus.source}, ensure_ascii=False))
    index = {"utterances-index": {k: sorted(v) for k, v in utt_index.items()}, "speakers-index": {},
             "conversations-index": {"title": ["<class 'str'>"], "url": ["<class 'str'>"],
                                     "source_format": ["<class 'str'>"]},
             "overall-index": {"source": ["<class 'str'>"]}, "version": 1, "vectors": []}
    atomic_write_text(directory / "index.json", json.dumps(index))
    return directory


def sniff_convokit(path, suffix, head):
    """The reason *path* is part of a ConvoKit corpus, or ``""``.

    >>> sniff_convokit("corpus/utterances.jsonl", ".jsonl", '{"id": "u1", "conversation_id": "u0"}')
    'utterances.jsonl of a ConvoKit corpus'
    """
    if Path(path).name == "utterances.jsonl" and '"conversation_id"' in head[:4000]:
        return "utterances.jsonl of a ConvoKit corpus"
    return ""
