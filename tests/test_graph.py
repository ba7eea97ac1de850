"""Reply graph, interaction graph, thread metrics and graph exports."""

from __future__ import annotations

import json

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from discourse import graph
from discourse.cli import cli
from discourse.errors import SchemaError
from discourse.graph import interaction_graph, reply_graph, thread_metrics, thread_summary, write_graph


@pytest.fixture
def exchange():
    # Ann -> Bob -> Ann -> Bob is a four-turn back-and-forth; Cy answers the post.
    return pd.DataFrame({
        "thread_id": ["t"] * 6, "comment_id": ["a", "b", "c", "d", "e", "f"],
        "parent_id": ["", "a", "b", "c", "", "a"],
        "author": ["Ann", "Bob", "Ann", "Bob", "Cy", "Cy"],
        "parent_source": ["explicit"] * 6,
    })


def test_graph_interaction_weights_and_unattributed(exchange):
    df = pd.concat([exchange, pd.DataFrame({"thread_id": ["t"], "comment_id": ["g"], "parent_id": ["a"],
                                            "author": [""], "parent_source": ["explicit"]})])
    g = interaction_graph(df)
    assert sorted(g.edges(data="weight")) == [("Ann", "Bob", 1), ("Bob", "Ann", 2), ("Cy", "Ann", 1)]
    assert g.graph["unattributed"] == 1
    assert g.nodes["Ann"]["comments"] == 2


def test_graph_interaction_counts_replies_to_the_post_author(exchange):
    threads = pd.DataFrame({"thread_id": ["t"], "author": ["Op"]})
    g = interaction_graph(exchange, threads=threads)
    assert g["Ann"]["Op"]["weight"] == 1 and g["Cy"]["Op"]["weight"] == 1


def test_graph_thread_metrics_per_comment(exchange):
    m = thread_metrics(reply_graph(exchange))
    assert list(m.index) == ["a", "b", "c", "d", "e", "f"]
    assert m["depth"].tolist() == [1, 2, 3, 4, 1, 2]
    assert m["replies"].tolist() == [2, 1, 1, 0, 0, 0]
    assert m["subtree"].tolist() == [4, 2, 1, 0, 0, 0]
    assert m["exchange"].tolist() == [True, True, True, True, False, False]


@pytest.mark.parametrize("also, edges", [
    (["", "", "", "a", "", ""], [("a", "d")]),           # d answers c and also a
    (["", "", "", "a;b", "", "zz"], [("a", "d"), ("b", "d")]),   # an id not in the table adds nothing
    (["", "", "", "c", "", ""], []),                    # its parent again: no second edge
])
def test_graph_second_parents_are_secondary_edges(exchange, also, edges):
    df = exchange.assign(also_replies_to=also)
    plain = reply_graph(df)
    assert sorted(plain.edges()) == sorted(reply_graph(exchange).edges())
    g = reply_graph(df, secondary=True)
    assert sorted((a, b) for a, b, s in g.edges(data="secondary") if s) == edges
    assert g.number_of_edges() == plain.number_of_edges() + len(edges)
    # The reply edges themselves carry no flag (exports unchanged where there is no second parent).
    assert all(d.get("secondary") is None for a, b, d in g.edges(data=True) if (a, b) not in edges)


def test_graph_cli_reply_graph_carries_second_parents(tmp_path):
    src = tmp_path / "chat.csv"
    pd.DataFrame({"thread_id": ["t"] * 3, "comment_id": ["a", "b", "c"], "parent_id": ["", "a", "b"],
                  "author": ["Ann", "Bob", "Cy"], "text": ["Hi all.", "Ann: hello.", "thanks both"],
                  "also_replies_to": ["", "", "a"]}).to_csv(src, index=False)
    out = tmp_path / "g.graphml"
    result = CliRunner().invoke(cli, ["graph", str(src), "-o", str(out), "-q", "--topics", "none"])
    assert result.exit_code == 0, result.output
    g = nx.read_graphml(out)
    assert g.edges["a", "c"].get("secondary") is True
    assert g.has_edge("b", "c") and not g.edges["b", "c"].get("secondary", False)


def test_graph_thread_summary(exchange):
    s = thread_summary(reply_graph(exchange)).loc["t"]
    assert (s["comments"], s["max_depth"], s["width"], s["exchanges"]) == (6, 4, 2, 1)
    assert s["answers_post_share"] == pytest.approx(2 / 6)
    assert s["answers_comment_share"] == pytest.approx(4 / 6)
    # Ann<->Bob reciprocate; Cy->Ann does not: 2 of 3 directed pairs.
    assert s["reciprocity"] == pytest.approx(2 / 3)
    assert s["mean_branching"] == pytest.approx(4 / 3)
    assert s["inferred_share"] == 0


@pytest.mark.parametrize("n", [1, 2, 5, 9])
def test_graph_structural_virality_of_a_star(n):
    df = pd.DataFrame({"thread_id": ["t"] * n, "comment_id": [f"c{k}" for k in range(n)], "parent_id": [""] * n})
    expected = (n + n * (n - 1)) / (n + n * (n - 1) / 2)
    assert thread_summary(reply_graph(df)).loc["t", "structural_virality"] == pytest.approx(expected)


def test_graph_structural_virality_grows_with_depth():
    chain = pd.DataFrame({"thread_id": ["t"] * 4, "comment_id": list("abcd"), "parent_id": ["", "a", "b", "c"]})
    star = chain.assign(parent_id="")
    assert (thread_summary(reply_graph(chain)).loc["t", "structural_virality"]
            > thread_summary(reply_graph(star)).loc["t", "structural_virality"])


@pytest.mark.parametrize("ext, reader", [
    (".graphml", nx.read_graphml),
    (".gexf", nx.read_gexf),
    (".json", lambda p: nx.node_link_graph(json.loads(open(p, encoding="utf-8").read()), edges="links")),
])
def test_graph_write_round_trips(tmp_path, seed_analysed, ext, reader):
    g = seed_analysed.graph
    path = tmp_path / f"seed{ext}"
    write_graph(g, path)
    back = reader(path)
    assert back.number_of_nodes() == g.number_of_nodes() == 23
    assert back.number_of_edges() == g.number_of_edges() == 22
    assert all(v is not None and not isinstance(v, list) for _, d in back.nodes(data=True) for v in d.values())


def test_graph_write_rejects_unknown_extension(tmp_path):
    with pytest.raises(SchemaError, match=r"must end in \.graphml, \.gexf or \.json; got 'g\.txt'"):
        write_graph(nx.DiGraph(), tmp_path / "g.txt")


def test_graph_reply_graph_attributes_are_graphml_safe(tiny_comments):
    g = reply_graph(tiny_comments.assign(depth=pd.array([1, None, 3, 1, 1, 1, 2, 1], dtype="Int64"),
                                         created_at=pd.to_datetime(tiny_comments["created_at"], utc=True)))
    for _, d in g.nodes(data=True):
        for v in d.values():
            assert isinstance(v, (str, int, float, bool)) and v == v


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=25))
def test_graph_property_random_forest_is_a_branching(choices):
    parents = [""] + [f"c{c % k}" if c % 3 else "" for k, c in enumerate(choices[1:], start=1)]
    n = len(parents)
    df = pd.DataFrame({"thread_id": ["t"] * n, "comment_id": [f"c{k}" for k in range(n)], "parent_id": parents})
    g = reply_graph(df)
    assert nx.is_arborescence(g)
    assert set(g.nodes) == {"t"} | set(df["comment_id"])
    assert thread_metrics(g)["depth"].tolist() == [len(nx.shortest_path(g, "t", c)) - 1 for c in df["comment_id"]]


def test_graph_cli_writes_reply_and_interaction_graphs(seed_path, tmp_path):
    runner = CliRunner()
    out = tmp_path / "seed.gexf"
    result = runner.invoke(cli, ["graph", str(seed_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert nx.read_gexf(out).number_of_nodes() == 23
    out2 = tmp_path / "who.json"
    result = runner.invoke(cli, ["graph", str(seed_path), "-o", str(out2), "--kind", "interaction", "-q"])
    assert result.exit_code == 0, result.output
    data = json.loads(out2.read_text(encoding="utf-8"))
    assert {n["id"] for n in data["nodes"]} >= {"Ellen", "Duane"}


def test_graph_cli_bad_extension_is_an_error(seed_path, tmp_path):
    result = CliRunner().invoke(cli, ["graph", str(seed_path), "-o", str(tmp_path / "g.txt"), "-q"])
    assert result.exit_code == 1
    assert result.stderr == ("Error: the graph file must end in .graphml, .gexf or .json; got 'g.txt'. "
                             "Choose the format by the output file's extension.\n")


def test_graph_cli_joins_several_inputs_and_keeps_topics(seed_path, tmp_path):
    out = tmp_path / "two.gexf"
    result = CliRunner().invoke(cli, ["graph", str(seed_path), str(seed_path), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    g = nx.read_gexf(out)
    posts = [n for n, d in g.nodes(data=True) if d["kind"] == "post"]
    assert len(posts) == 2 and g.number_of_nodes() == 46
    assert all(g.in_degree(n) == 1 for n, d in g.nodes(data=True) if d["kind"] == "comment")
    assert any("topic_label" in d for _, d in g.nodes(data=True))
    out2 = tmp_path / "none.json"
    result = CliRunner().invoke(cli, ["graph", str(seed_path), "-o", str(out2), "--topics", "none", "-q"])
    assert result.exit_code == 0, result.output
    nodes = json.loads(out2.read_text(encoding="utf-8"))["nodes"]
    assert not any("topic_label" in n for n in nodes)


def test_graph_reply_graph_reads_a_pandas_csv_table():
    # pandas.read_csv gives NaN for an empty parent_id and numbers for numeric ids; the
    # graph must still join every reply to its parent and the post.
    import io
    csv = "thread_id,comment_id,parent_id,author\n7,1,,Ann\n7,2,1,Bob\n7,3,2,Ann\n"
    df = pd.read_csv(io.StringIO(csv))
    g = reply_graph(df)
    assert sorted(g.edges()) == [("1", "2"), ("2", "3"), ("7", "1")]
    assert thread_summary(g).loc["7", "comments"] == 3
    assert thread_metrics(g)["depth"].tolist() == [1, 2, 3]
    assert sorted(interaction_graph(df).edges()) == [("Ann", "Bob"), ("Bob", "Ann")]


def test_graph_reply_graph_attaches_orphans_to_the_post_with_a_warning():
    from discourse.errors import DiscourseWarning
    df = pd.DataFrame({"thread_id": ["t"] * 3, "comment_id": ["a", "b", "c"], "parent_id": ["", "a", "gone"]})
    with pytest.warns(DiscourseWarning, match="1 comment replies to a parent_id that is not in the table"):
        g = reply_graph(df)
    assert sorted(g.edges()) == [("a", "b"), ("t", "a"), ("t", "c")]
    assert {k for _, k in g.nodes(data="kind")} == {"post", "comment"}
    assert thread_summary(g).loc["t", "comments"] == 3


@pytest.mark.parametrize("metric", [thread_metrics, thread_summary])
def test_graph_metrics_of_a_table_say_to_build_the_graph(metric, tiny_comments):
    with pytest.raises(SchemaError, match=rf"{metric.__name__} needs a reply graph .*got DataFrame\. "
                                          rf"Build it first: {metric.__name__}\(reply_graph\(comments\)\)"):
        metric(tiny_comments)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["t", "u"]), st.sampled_from("abcdefgh"),
                          st.sampled_from(["", *"abcdefghz"])), max_size=14),
       st.sampled_from([64, 2]))
def test_graph_add_depth_by_arrays_equals_the_walk(rows, steps):
    # Duplicated ids, missing parents, self-replies, cycles, and chains deeper than the passes.
    df = pd.DataFrame(rows, columns=["thread_id", "comment_id", "parent_id"], dtype=object)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(graph, "_ARRAY_DEPTH_STEPS", steps)
        fast = graph.add_depth(df)
        m.setattr(graph, "_depths_by_arrays", lambda *a: None)
        walk = graph.add_depth(df)
    pd.testing.assert_frame_equal(fast, walk)


@pytest.mark.parametrize("src", ["seed", "reddit"])
@pytest.mark.parametrize("kind", ["reply", "interaction"])
def test_graph_cli_runs_only_what_the_graph_carries_and_writes_the_same_files(src, kind, seed_path, seed_analysed,
                                                                             tmp_path, monkeypatch):
    # An interaction graph needs only who answers whom; a reply graph the comments' columns but
    # not the report's extras (frame debate, uptake, escalation) nor the posts' spans. The files
    # must be those of the full analysis, byte for byte, in every format.
    from pathlib import Path

    import discourse
    from discourse import civility, framing, pipeline, segment, sentiment

    path = seed_path if src == "seed" else Path(__file__).parent / "data" / "reddit" / "deleted-and-more.json"
    full = seed_analysed if src == "seed" else discourse.analyze(discourse.read(path))
    g = reply_graph(full.comments, threads=full.threads, secondary=True) if kind == "reply" else \
        interaction_graph(full.comments, threads=full.threads)
    for ext in ("graphml", "gexf", "json"):
        write_graph(g, tmp_path / f"full.{ext}")

    def refuse(name):
        def stage(*args, **kwargs):
            raise AssertionError(f"discourse graph --kind {kind} ran {name}")
        return stage

    for mod, name in [(framing, "debate"), (framing, "uptake"), (sentiment, "escalation")]:
        monkeypatch.setattr(mod, name, refuse(f"{mod.__name__}.{name}"))
    if kind == "interaction":
        for mod, name in [(segment, "spans"), (sentiment, "score"), (civility, "score"), (framing, "score")]:
            monkeypatch.setattr(mod, name, refuse(f"{mod.__name__}.{name}"))
        monkeypatch.setattr(pipeline, "_corpus_stages", refuse("the corpus-level stages"))
    posts_seen = []
    real_spans = segment.spans
    if kind == "reply":
        def spans(table, **kwargs):
            posts_seen.append((table["comment_id"] == "").all())
            return real_spans(table, **kwargs)
        monkeypatch.setattr(segment, "spans", spans)
    for ext in ("graphml", "gexf", "json"):
        out = tmp_path / f"cli.{ext}"
        result = CliRunner().invoke(cli, ["graph", str(path), "-o", str(out), "--kind", kind, "-q"])
        assert result.exit_code == 0, result.output
        assert out.read_bytes() == (tmp_path / f"full.{ext}").read_bytes(), ext
    assert not any(posts_seen)  # no spans searched in the posts


def test_graph_analyze_stages_are_checked():
    import discourse

    with pytest.raises(SchemaError, match=r"stages must be one of \['all', 'comments', 'links'\]; got 'graph'"):
        discourse.analyze(discourse.Corpus.from_frames(pd.DataFrame({"comment_id": ["1"], "text": ["Hi."]})),
                          stages="graph")
