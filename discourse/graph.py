"""Graph: the reply graph of each thread, and metrics over it.

The reply graph is a networkx DiGraph with an edge from each parent to its reply; each
thread's post is a root node named by its ``thread_id``. A forest of well-formed threads
is a *branching*: every comment has exactly one parent. Depth is 1 for a reply to the
post and the parent's depth + 1 otherwise.
"""

from __future__ import annotations

import pandas as pd

from .model import require_columns

__all__ = ["add_depth", "reply_graph"]


def reply_graph(comments: pd.DataFrame, *, threads: pd.DataFrame | None = None, id_col: str = "comment_id",
                parent_col: str = "parent_id", thread_col: str = "thread_id"):
    """Build the reply graph: post -> comment and parent -> reply edges.

    Comment nodes are named by *id_col* when ids are unique across threads, and by
    ``(thread_id, comment_id)`` tuples otherwise. Node attributes: ``kind`` (``post`` or
    ``comment``), ``thread_id``, and every comments-table column that is a scalar.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"thread_id": ["t"] * 3, "comment_id": ["a", "b", "c"],
    ...                    "parent_id": ["", "a", "a"], "text": ["", "", ""]})
    >>> sorted(reply_graph(df).edges())
    [('a', 'b'), ('a', 'c'), ('t', 'a')]
    """
    import networkx as nx

    require_columns(comments, [thread_col, id_col, parent_col], caller="reply_graph")
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
    for rec in comments[cols].to_dict("records"):
        t, c, p = rec[thread_col], rec[id_col], rec[parent_col]
        attrs = {k: v for k, v in rec.items() if k not in (thread_col, id_col)}
        g.add_node(node(t, c), kind="comment", thread_id=t, **attrs)
        g.add_edge(node(t, p) if p else t, node(t, c))
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
