"""Graph: the reply graph of each thread, and metrics over it.

The reply graph is a networkx DiGraph with an edge from each parent to its reply; each
thread's post is a root node named by its ``thread_id``. A forest of well-formed threads
is a *branching*: every comment has exactly one parent. Depth is 1 for a reply to the
post and the parent's depth + 1 otherwise.

Terms used in the metrics:

width
    The most comments at any one depth of a thread.
branching
    Replies per comment, over the comments that have any.
structural virality
    The mean distance between all pairs of nodes of the reply tree, post included
    (Goel, Anderson, Hofman and Watts 2016): near 2 for comments that all answer the
    post, large for long chains of replies.
reciprocity
    Of the ordered speaker pairs (A replied to B), the share where B also replied to A.
exchange
    A back-and-forth: a reply chain where two speakers alternate for three or more turns
    (A, B, A).

The interaction graph joins speakers instead of comments: ``A -> B`` weighted by the
number of replies A wrote to B.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter

import pandas as pd

from .errors import DiscourseWarning, SchemaError
from .model import _as_text, require_columns

__all__ = ["add_depth", "interaction_graph", "reply_graph", "thread_metrics", "thread_summary", "write_graph"]


def reply_graph(comments: pd.DataFrame, *, threads: pd.DataFrame | None = None, id_col: str = "comment_id",
                parent_col: str = "parent_id", thread_col: str = "thread_id", secondary: bool = False,
                also_col: str = "also_replies_to"):
    """Build the reply graph: post -> comment and parent -> reply edges.

    Comment nodes are named by *id_col* when ids are unique across threads, and by
    ``(thread_id, comment_id)`` tuples otherwise. Node attributes: ``kind`` (``post`` or
    ``comment``), ``thread_id``, and every comments-table column except ``text``, made
    safe for GraphML and GEXF (missing values left out, times as ISO 8601 text).

    With *secondary*, a comment's second parents (*also_col*, ``;``-separated ids, as
    :func:`discourse.replies.infer_replies` fills it for chat messages that answer two
    earlier ones) add edges too, each with the attribute ``secondary=True``. The graph is
    then no longer a branching, so the metrics of this module expect the default (their
    reply tree is the ``parent_id`` links alone).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"thread_id": ["t"] * 3, "comment_id": ["a", "b", "c"],
    ...                    "parent_id": ["", "a", "a"], "text": ["", "", ""],
    ...                    "also_replies_to": ["", "", "b"]})
    >>> sorted(reply_graph(df).edges())
    [('a', 'b'), ('a', 'c'), ('t', 'a')]
    >>> g = reply_graph(df, secondary=True)
    >>> sorted(g.edges(data="secondary", default=False))
    [('a', 'b', False), ('a', 'c', False), ('b', 'c', True), ('t', 'a', False)]
    """
    import networkx as nx

    require_columns(comments, [thread_col, id_col, parent_col], caller="reply_graph")
    comments = _with_text_ids(comments, [thread_col, id_col, parent_col])
    g = nx.DiGraph()
    unique = not comments[id_col].duplicated().any() and not comments[id_col].isin(comments[thread_col]).any()

    def node(t, c):
        return c if unique else (t, c)

    thread_ids = pd.unique(comments[thread_col])
    if threads is not None and len(threads):
        for row in threads.itertuples(index=False):
            g.add_node(row.thread_id, kind="post", thread_id=row.thread_id, title=getattr(row, "title", ""))
    for t in thread_ids:
        if t not in g:
            g.add_node(t, kind="post", thread_id=t, title="")
    cols = [c for c in comments.columns if c != "text"]
    known = set(zip(comments[thread_col], comments[id_col]))
    orphans = 0
    for rec in comments[cols].to_dict("records"):
        t, c, p = rec[thread_col], rec[id_col], rec[parent_col]
        if p and (t, p) not in known:
            # A parent missing from the table (a filtered export) would leave the reply
            # under an untyped node that no metric counts; attach it to the post instead.
            orphans += 1
            p = ""
        attrs = _safe_attrs({k: v for k, v in rec.items() if k not in (thread_col, id_col)})
        g.add_node(node(t, c), kind="comment", thread_id=t, **attrs)
        g.add_edge(node(t, p) if p else t, node(t, c))
    if orphans:
        warnings.warn(f"reply_graph: {orphans} comment{'s reply' if orphans != 1 else ' replies'} to a parent_id that is "
                      "not in the table; attached to the post. Read the data with discourse.read, or call "
                      "discourse.model.repair_links, to record this in the table.", DiscourseWarning, stacklevel=2)
    if secondary and also_col in comments.columns:
        for t, c, also in zip(comments[thread_col], comments[id_col], comments[also_col]):
            if not isinstance(also, str) or not also:
                continue
            for p in also.split(";"):
                # A second parent that is not in the table (a filtered export) has no node to link.
                if (t, p) in known and not g.has_edge(node(t, p), node(t, c)):
                    g.add_edge(node(t, p), node(t, c), secondary=True)
    return g


def add_depth(comments: pd.DataFrame, *, id_col: str = "comment_id", parent_col: str = "parent_id") -> pd.DataFrame:
    """Return *comments* with ``depth`` recomputed from the reply links.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"thread_id": ["t"] * 3, "comment_id": ["a", "b", "c"], "parent_id": ["", "a", "b"]})
    >>> add_depth(df)["depth"].tolist()
    [1, 2, 3]
    """
    require_columns(comments, ["thread_id", id_col, parent_col], caller="add_depth")
    fast = _depths_by_arrays(comments, id_col, parent_col)
    if fast is not None:
        out = comments.copy()
        out["depth"] = pd.array(fast, dtype="Int64")
        return out
    parent = dict(zip(zip(comments["thread_id"], comments[id_col]), comments[parent_col]))
    depth: dict = {}
    for key in parent:
        chain = []
        k = key
        while k not in depth:
            p = parent.get(k, "")
            chain.append(k)
            if not p or (k[0], p) not in parent or len(chain) > len(parent):
                depth[k] = 1
                chain.pop()
                break
            k = (k[0], p)
        d = depth[k]
        for c in reversed(chain):
            d += 1
            depth[c] = d
    out = comments.copy()
    out["depth"] = pd.array([depth[k] for k in zip(comments["thread_id"], comments[id_col])], dtype="Int64")
    return out


#: Reply chains :func:`_depths_by_arrays` follows before it leaves a table to the walk in Python.
_ARRAY_DEPTH_STEPS = 64


def _depths_by_arrays(comments: pd.DataFrame, id_col: str, parent_col: str):
    """:func:`add_depth`'s depths as a numpy array, or None where it cannot say the same.

    For columns of strings only: the (thread, id) pairs become integers, each comment points
    at its parent's row, and every comment steps up one link per pass (a pass per level of
    the deepest chain, in numpy). A repeated pair takes the parent of its last row, as the
    walk's dict does. Chains deeper than :data:`_ARRAY_DEPTH_STEPS` and reply cycles (never
    ending) are left to the walk, which decides them as before.
    """
    import numpy as np

    n = len(comments)
    cols = []
    for c in ("thread_id", id_col, parent_col):
        values = comments[c].to_numpy(dtype=object)
        if n and not all(type(v) is str for v in values.tolist()):
            return None
        cols.append(values)
    if n == 0:
        return None
    threads, ids, parents = cols
    t_code = pd.factorize(threads)[0].astype(np.int64)
    both = pd.factorize(np.concatenate([ids, parents]))[0].astype(np.int64)
    width = int(both.max()) + 1
    key, parent_key = t_code * width + both[:n], t_code * width + both[n:]
    uniques, first_of_reversed, at = np.unique(key[::-1], return_index=True, return_inverse=True)
    last = n - 1 - first_of_reversed  # each pair's last row
    row_of = at[::-1]  # each row's pair
    wanted = parent_key[last]
    found = np.minimum(np.searchsorted(uniques, wanted), len(uniques) - 1)
    # The parent pair, where the parent is given and in the table; -1 for a reply to the post.
    up = np.where((parents[last] != "") & (uniques[found] == wanted), found, -1)
    depth = np.ones(len(uniques), dtype=np.int64)
    cur = up.copy()
    for _ in range(_ARRAY_DEPTH_STEPS):
        live = np.flatnonzero(cur >= 0)
        if not len(live):
            return depth[row_of]
        depth[live] += 1
        cur[live] = up[cur[live]]
    return None


def interaction_graph(comments: pd.DataFrame, *, id_col: str = "comment_id", parent_col: str = "parent_id",
                      author_col: str = "author", thread_col: str = "thread_id", threads: pd.DataFrame | None = None):
    """Who replies to whom: a weighted, directed graph between speakers.

    An edge ``A -> B`` with ``weight=k`` says A wrote k replies to comments by B.
    Replies to the post count toward the post's author when ``threads`` names one.
    Comments with no known author are left out of the graph (counted in the
    ``unattributed`` graph attribute); replies to oneself are kept as self-loops.

    Returns
    -------
    networkx.DiGraph
        Nodes are author names (attributes ``comments``: how many they wrote);
        edges carry ``weight`` and ``threads`` (how many threads the exchange spans).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"thread_id": ["t"] * 4, "comment_id": ["a", "b", "c", "d"],
    ...                    "parent_id": ["", "a", "b", "b"], "author": ["Ann", "Bob", "Ann", "Ann"]})
    >>> g = interaction_graph(df)
    >>> sorted(g.edges(data="weight"))
    [('Ann', 'Bob', 2), ('Bob', 'Ann', 1)]
    """
    import networkx as nx

    require_columns(comments, [thread_col, id_col, parent_col, author_col], caller="interaction_graph")
    comments = _with_text_ids(comments, [thread_col, id_col, parent_col])
    g = nx.DiGraph()
    author_of = {(t, c): a for t, c, a in zip(comments[thread_col], comments[id_col], comments[author_col].fillna(""))}
    post_author = {}
    if threads is not None and "author" in threads.columns:
        post_author = {t: a for t, a in zip(threads["thread_id"], threads["author"].fillna("")) if a}
    unattributed = 0
    spans: dict = {}
    for a in comments[author_col].fillna(""):
        if a:
            if a not in g:
                g.add_node(a, comments=0)
            g.nodes[a]["comments"] += 1
        else:
            unattributed += 1
    for t, c, p in zip(comments[thread_col], comments[id_col], comments[parent_col].fillna("")):
        a = author_of[(t, c)]
        b = author_of.get((t, p), "") if p else post_author.get(t, "")
        if not a or not b:
            continue
        if b not in g:
            g.add_node(b, comments=0)
        if g.has_edge(a, b):
            g[a][b]["weight"] += 1
        else:
            g.add_edge(a, b, weight=1)
        spans.setdefault((a, b), set()).add(t)
    for (a, b), ts in spans.items():
        g[a][b]["threads"] = len(ts)
    g.graph["unattributed"] = unattributed
    return g


def _with_text_ids(comments: pd.DataFrame, cols) -> pd.DataFrame:
    """*comments* with the id columns as strings, missing as ``""`` (a shallow copy if any changed).

    ``pandas.read_csv`` reads an empty parent_id as NaN (truthy, so it would name a
    parent) and numeric ids as numbers (7 for a comment, 7.0 for its reply's parent).
    """
    fixed = {c: _as_text(comments[c]) for c in dict.fromkeys(cols)
             if pd.api.types.infer_dtype(comments[c].to_numpy(dtype=object), skipna=False) not in ("string", "empty")}
    return comments.assign(**fixed) if fixed else comments


def _require_graph(graph, *, caller: str) -> None:
    """Raise SchemaError unless *graph* is a networkx graph (a table is the usual slip)."""
    if not (hasattr(graph, "nodes") and hasattr(graph, "out_degree")):
        raise SchemaError(f"{caller} needs a reply graph (a networkx DiGraph); got {type(graph).__name__}. "
                          f"Build it first: {caller}(reply_graph(comments)), or {caller}(corpus.graph).")


def _thread_trees(graph):
    """(root, [comment nodes]) per post node of a reply graph."""
    import networkx as nx

    for node, data in graph.nodes(data=True):
        if data.get("kind") == "post":
            below = nx.descendants(graph, node)
            yield node, [n for n in graph.nodes if n in below]


def thread_metrics(graph) -> pd.DataFrame:
    """Per-comment structure of a reply graph, indexed by ``comment_id``.

    Columns: ``thread_id``; ``depth`` (1 = answers the post); ``replies`` (direct
    replies); ``subtree`` (comments below it); ``answers_post`` (True for depth 1);
    ``exchange`` (True when the comment is part of a back-and-forth: a chain where two
    speakers alternate three or more times).

    A ``comment_id`` is unique only within its thread (two exports can both have a
    comment "1"), so join the metrics to the comments on both ids:
    ``comments.merge(metrics.reset_index(), on=["thread_id", "comment_id"])``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"thread_id": ["t"] * 3, "comment_id": ["a", "b", "c"],
    ...                    "parent_id": ["", "a", "a"], "author": ["Ann", "Bob", "Cy"]})
    >>> thread_metrics(reply_graph(df))[["depth", "replies", "subtree"]].values.tolist()
    [[1, 2, 2], [2, 0, 0], [2, 0, 0]]

    See Also
    --------
    thread_summary : one row per thread (depth, width, virality, reciprocity, ...).
    """
    _require_graph(graph, caller="thread_metrics")
    rows = []
    for root, nodes in _thread_trees(graph):
        depth = _depths(graph, root)
        in_exchange = _exchanges(graph, root)
        for n in nodes:
            d = graph.nodes[n]
            cid = n[1] if isinstance(n, tuple) else n
            sub = _subtree_size(graph, n)
            rows.append({"comment_id": cid, "thread_id": d.get("thread_id", root), "depth": depth[n],
                         "replies": graph.out_degree(n), "subtree": sub, "answers_post": depth[n] == 1,
                         "exchange": n in in_exchange})
    cols = ["comment_id", "thread_id", "depth", "replies", "subtree", "answers_post", "exchange"]
    out = pd.DataFrame(rows, columns=cols)
    return out.set_index("comment_id")


def _depths(graph, root):
    depth = {root: 0}
    stack = [root]
    while stack:
        n = stack.pop()
        for c in graph.successors(n):
            if c not in depth:
                depth[c] = depth[n] + 1
                stack.append(c)
    return depth


def _subtree_size(graph, node):
    size, stack = 0, list(graph.successors(node))
    seen = set()
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        size += 1
        stack.extend(graph.successors(n))
    return size


def _speaker(graph, node):
    a = graph.nodes[node].get("author", "")
    return a if isinstance(a, str) and a else None


def _alternation(graph, root):
    """Per comment: the length of the two-speaker alternating run (A, B, A, ...) ending there."""
    run, other = {}, {}
    stack = list(graph.successors(root))
    while stack:
        n = stack.pop()
        p = next(iter(graph.predecessors(n)), None)
        sp, sp_p = _speaker(graph, n), (_speaker(graph, p) if p is not None and p != root else None)
        if sp and sp_p and sp != sp_p and (run.get(p, 1) == 1 or other.get(p) == sp):
            run[n], other[n] = run[p] + 1, sp_p
        else:
            run[n], other[n] = 1, None
        stack.extend(graph.successors(n))
    return run, other


def _exchange_runs(graph, root):
    """Maximal alternating runs of three or more turns, as lists of comment nodes."""
    run, _ = _alternation(graph, root)
    runs = []
    for n, k in run.items():
        if k < 3 or any(run.get(c, 1) == k + 1 for c in graph.successors(n)):
            continue
        chain, x = [n], n
        for _ in range(k - 1):
            x = next(iter(graph.predecessors(x)))
            chain.append(x)
        runs.append(chain[::-1])
    return runs


def _exchanges(graph, root):
    return {n for r in _exchange_runs(graph, root) for n in r}


def thread_summary(graph) -> pd.DataFrame:
    """One row per thread: size and shape of its reply tree, and how people engaged.

    Columns: ``comments``; ``max_depth``; ``width`` (the most comments at one depth);
    ``mean_branching`` (mean replies per comment that has replies); ``structural_virality``
    (Goel, Anderson, Hofman and Watts 2016, "The structural virality of online
    diffusion", *Management Science* 62(1): the mean shortest-path distance over all
    pairs of nodes of the reply tree, post included, i.e. its Wiener index over
    n(n+1)/2 for n comments; 2n/(n+1) when all n comments answer the post, (n+2)/3 for a
    single chain, NaN for a thread with no comments); ``reciprocity`` (edge reciprocity
    of the speaker graph, as networkx ``overall_reciprocity``: of the ordered speaker
    pairs where A replied to a comment by B, A != B, replies to the post not counted,
    the share where B also replied to A; NaN when there is no such pair; so it differs
    from ``nx.overall_reciprocity(interaction_graph(...))``, whose graph also holds
    replies to the post's author and self-replies); ``exchanges`` (back-and-forth
    chains where two speakers alternate three or more times); ``answers_post_share`` and
    ``answers_comment_share``; ``inferred_share`` (links that were inferred).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"thread_id": ["t"] * 4, "comment_id": ["a", "b", "c", "d"],
    ...                    "parent_id": ["", "a", "b", ""], "author": ["Ann", "Bob", "Ann", "Cy"]})
    >>> s = thread_summary(reply_graph(df))
    >>> s.loc["t", ["comments", "max_depth", "width", "exchanges"]].tolist()
    [4, 3, 2, 1]
    >>> float(s.loc["t", "reciprocity"])
    1.0
    >>> star = pd.DataFrame({"thread_id": ["t"] * 3, "comment_id": ["a", "b", "c"], "parent_id": [""] * 3})
    >>> float(thread_summary(reply_graph(star)).loc["t", "structural_virality"])  # 2n/(n+1), n = 3
    1.5
    """
    _require_graph(graph, caller="thread_summary")
    import networkx as nx

    rows = []
    for root, nodes in _thread_trees(graph):
        depth = _depths(graph, root)
        n = len(nodes)
        levels = pd.Series([depth[x] for x in nodes], dtype="int64")
        branching = [graph.out_degree(x) for x in nodes if graph.out_degree(x)]
        tree = graph.subgraph([root, *nodes]).to_undirected(as_view=False)
        virality = nx.average_shortest_path_length(tree) if n >= 1 and nx.is_connected(tree) else float("nan")
        pairs = Counter()
        for x in nodes:
            p = next(iter(graph.predecessors(x)), None)
            a, b = _speaker(graph, x), _speaker(graph, p) if p is not None and p != root else None
            if a and b and a != b:
                pairs[(a, b)] += 1
        directed = set(pairs)
        recip = (sum((b, a) in directed for a, b in directed) / len(directed)) if directed else float("nan")
        exchanges = len(_exchange_runs(graph, root))
        inferred = sum(graph.nodes[x].get("parent_source") == "inferred" for x in nodes)
        rows.append({
            "thread_id": graph.nodes[root].get("thread_id", root), "comments": int(n),
            "max_depth": int(levels.max()) if n else 0, "width": int(levels.value_counts().max()) if n else 0,
            "mean_branching": float(sum(branching) / len(branching)) if branching else 0.0,
            "structural_virality": float(virality), "reciprocity": float(recip), "exchanges": exchanges,
            "answers_post_share": float((levels == 1).mean()) if n else float("nan"),
            "answers_comment_share": float((levels > 1).mean()) if n else float("nan"),
            "inferred_share": inferred / n if n else float("nan"),
        })
    cols = ["thread_id", "comments", "max_depth", "width", "mean_branching", "structural_virality", "reciprocity",
            "exchanges", "answers_post_share", "answers_comment_share", "inferred_share"]
    return pd.DataFrame(rows, columns=cols).astype(
        {"comments": "int64", "max_depth": "int64", "width": "int64", "exchanges": "int64"}).set_index("thread_id")


def _safe_attrs(attrs: dict) -> dict:
    """GraphML/GEXF-safe attributes: no None, no NaN, no lists; times as ISO strings."""
    out = {}
    for k, v in attrs.items():
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
            continue
        try:
            if pd.isna(v):
                continue
        except (TypeError, ValueError):
            pass
        if isinstance(v, pd.Timestamp):
            v = v.isoformat()
        elif isinstance(v, (list, tuple, set, dict)):
            v = ";".join(map(str, v))
        elif hasattr(v, "item"):
            v = v.item()
        if not isinstance(v, (str, int, float, bool)):
            v = str(v)
        out[str(k)] = v
    return out


def write_graph(graph, path) -> None:
    """Write a graph as GraphML (``.graphml``), GEXF for Gephi (``.gexf``) or node-link JSON (``.json``).

    The format follows the file extension. Attributes are made safe for every format
    (missing values dropped, times as ISO 8601 text, tuples as text); tuple node names
    ``(thread_id, comment_id)`` become ``"thread_id/comment_id"``. The write is atomic.

    Raises
    ------
    SchemaError
        When the extension is not one of ``.graphml``, ``.gexf``, ``.json``.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> g = reply_graph(pd.DataFrame({"thread_id": ["t"], "comment_id": ["a"], "parent_id": [""]}))
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "g.graphml"
    >>> write_graph(g, out)
    >>> "<graphml" in out.read_text()
    True
    """
    import json
    from pathlib import Path

    import networkx as nx

    from ._io import atomic_path

    path = Path(path)
    ext = _graph_format(path)

    def name(n):
        return "/".join(map(str, n)) if isinstance(n, tuple) else str(n)

    clean = nx.DiGraph()
    clean.graph.update(_safe_attrs(graph.graph))
    for n, d in graph.nodes(data=True):
        clean.add_node(name(n), **_safe_attrs(d))
    for a, b, d in graph.edges(data=True):
        clean.add_edge(name(a), name(b), **_safe_attrs(d))
    with atomic_path(path) as tmp:
        if ext == ".graphml":
            nx.write_graphml(clean, tmp)
        elif ext == ".gexf":
            nx.write_gexf(clean, tmp)
        else:
            data = nx.node_link_data(clean, edges="links")
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def _graph_format(path) -> str:
    """The extension of a graph file :func:`write_graph` can write (raises otherwise)."""
    from pathlib import Path

    ext = Path(path).suffix.lower()
    if ext not in (".graphml", ".gexf", ".json"):
        raise SchemaError(f"the graph file must end in .graphml, .gexf or .json; got {Path(path).name!r}. "
                          "Choose the format by the output file's extension.")
    return ext


def check_graph_output(path) -> None:
    """Raise if :func:`write_graph` could not write *path* (its extension or its folder); write nothing.

    >>> check_graph_output("threads.png")
    Traceback (most recent call last):
    ...
    discourse.errors.SchemaError: the graph file must end in .graphml, .gexf or .json; got 'threads.png'. Choose the format by the output file's extension.
    """
    from ._io import check_writable

    _graph_format(path)
    check_writable(path)
