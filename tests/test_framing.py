"""Framing: lexicons, sense decisions, meta-discourse and stance, scores, uptake, CLI."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from discourse import framing, segment
from discourse.cli import cli
from discourse.errors import InputFormatError, SchemaError
from discourse.model import SPAN_COLUMNS

WAR = "war_metaphor"


def _senses(text: str) -> list[tuple[str, str]]:
    s = framing.spans(pd.DataFrame({"text": [text]}), lexicons=WAR)
    return list(zip(s["text"].str.lower(), s["sense"]))


# --------------------------------------------------------------------------- senses


@pytest.mark.parametrize(
    "text, term, sense",
    [
        ("CCSA unleashed the electoral equivalent of a carpet bombing campaign against me.", "carpet bombing", "metaphorical"),
        ("We cannot let the election turn us against each other. That is exactly what our enemies want.",
         "enemies", "metaphorical"),
        ("That is exactly what our enemies want.", "enemies", "literal"),
        ("They are front groups for CCSA.", "front groups", "metaphorical"),
        ("The Saudis use our weaponry to destroy Yemen.", "weaponry", "literal"),
        ("Does America now attack the nation whose ship seems to have rammed the Fitzgerald?", "attack", "literal"),
        ("The troops were deployed to Iraq in 2003.", "troops", "literal"),
        ("This is going to take strategy, focus and discipline.", "strategy", "game"),
        ("Avoidance strategies are futile.", "strategies", "game"),
        ("You have to defend your bishop before you castle in chess.", "defend", "game"),
        ("The coach said the team will battle for the championship.", "battle", "game"),
        ("Public education is not a war.", "war", "meta"),
        ("Still can't agree with the war metaphor.", "war", "meta"),
        ("The Billionaire Boys are fighting a war on public education.", "fighting", "metaphorical"),
    ],
)
def test_framing_sense_decisions(text, term, sense):
    assert (term, sense) in _senses(text)


@pytest.mark.parametrize(
    "text, stance",
    [
        ("Protecting and promoting community public schools is not warfare, Chas.", "reject"),
        ("Public education is not a war.", "reject"),
        ("Still can’t agree with the war metaphor.", "reject"),
        ("The war metaphor fits perfectly, Duane, just not from the perspective of education.", "endorse"),
        ("So, applying The Art of War is not about WAR (in many forms) per se, but rather how to reach victory.", "qualify"),
        ("Some people use a war metaphor for school politics.", "neutral"),
        ("Stop calling everything a war.", "reject"),
        ("Calling the election a battle is exactly right.", "endorse"),
        ("Charter advocates are not the enemy.", "reject"),
        ("Military metaphors are harmful in education debates.", "reject"),
    ],
)
def test_framing_meta_stance(text, stance):
    table = framing.explain(text, lexicons=WAR)
    meta = table[table["sense"] == "meta"]
    assert len(meta) >= 1
    assert set(meta["stance"]) == {stance}


def test_framing_every_decision_is_explained():
    s = framing.spans(pd.DataFrame({"text": ["CCSA unleashed the electoral equivalent of a carpet bombing campaign."]}),
                      lexicons=WAR)
    assert s["explanation"].iloc[0] == "'carpet bombing' describes an election campaign: metaphorical"


# --------------------------------------------------------------------------- the seed


@pytest.fixture(scope="module")
def seed_frames(seed_corpus):
    comments = seed_corpus.comments
    spans = framing.spans(comments)
    return comments, spans, framing.score(comments, spans=spans)


# The Sun-Tzu exchange (display positions 4-14 of the bundled thread): the stance each
# comment takes toward the war frame ("" = uses the metaphor without talking about it).
SUN_TZU_EXCHANGE = {
    4: "",          # "All warfare is deception" - Sun-Tzu: introduces the frame
    5: "qualify",   # "However, Sun-Tzu ... lived in a simpler time"
    6: "reject",    # "... is not warfare, Chas."
    7: "reject",    # "Public education is not a war."
    8: "reject",    # "Still can't agree with the war metaphor."
    9: "endorse",   # "The war metaphor fits perfectly, Duane"
    10: "reject",   # "Still don't like it!"
    11: "qualify",  # "The Art of War is not about WAR (in many forms) per se"
    12: "",         # "a truth onslaught"
    13: "",         # "fighting the battle not on a blog site"
    14: "",         # "fights the supposed good fight"
}


def test_framing_seed_sun_tzu_exchange(seed_frames):
    comments, spans, scored = seed_frames
    war = spans[spans["label"] == "war"]
    for pos, stance in SUN_TZU_EXCHANGE.items():
        row = scored.loc[scored["position"] == pos].iloc[0]
        assert "war" in row["frames"].split(";"), pos
        assert row["frame_stance"] == stance, (pos, row["text"][:60])
        senses = set(war.loc[war["comment_id"] == row["comment_id"], "sense"])
        if stance:
            assert "meta" in senses, pos
        else:
            assert "meta" not in senses and "metaphorical" in senses, pos


def test_framing_seed_literal_and_game_uses(seed_frames):
    comments, spans, _ = seed_frames
    ellen = comments.loc[comments["position"] == 11, "comment_id"].iloc[0]
    mine = spans[(spans["comment_id"] == ellen) & (spans["label"] == "war")]
    by_text = dict(zip(mine["text"], mine["sense"]))
    assert by_text["attack"] == "literal"
    assert by_text["weaponry"] == "literal"
    assert by_text["strategies"] == "game"


def test_framing_seed_anaphora_names_its_referent(seed_frames):
    comments, spans, _ = seed_frames
    cid = comments.loc[comments["position"] == 10, "comment_id"].iloc[0]
    ref = comments.loc[comments["position"] == 9, "comment_id"].iloc[0]
    meta = spans[(spans["comment_id"] == cid) & (spans["sense"] == "meta")]
    assert meta["text"].tolist() == ["don’t like it"]
    assert f"comment {ref}" in meta["explanation"].iloc[0]


def test_framing_seed_letter_is_the_post(seed_corpus):
    s = framing.spans(seed_corpus.threads, lexicons=WAR)
    assert (s["comment_id"] == "").all()
    found = dict(zip(s["text"], s["sense"]))
    assert found["carpet bombing"] == "metaphorical"
    assert found["front groups"] == "metaphorical"
    assert found["enemies"] == "metaphorical"


def test_framing_seed_debate(seed_corpus, seed_frames):
    comments, spans, _ = seed_frames
    post = framing.spans(seed_corpus.threads)
    d = framing.debate(comments, pd.concat([post, spans], ignore_index=True)).set_index("frame")
    assert d.loc["war", "introduced_by"] == "post"
    contested = set(d.loc["war", "contested_by"].split(";"))
    ids = dict(zip(comments["position"], comments["comment_id"]))
    assert {ids[p] for p, s in SUN_TZU_EXCHANGE.items() if s in ("reject", "qualify")} == contested
    assert d.loc["war", "endorsed_by"] == ids[9]


# --------------------------------------------------------------------------- spans and scores


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["war", "enemy", "Public", "education", "is", "not", "a", "chess", "strategy",
                                 "carpet-bombing", "’", "!", ".", "\n", "é", "🎉", " ", "metaphor", "Yemen"]),
                max_size=30))
def test_framing_span_offsets_index_the_text(words):
    text = " ".join(words)
    df = pd.DataFrame({"comment_id": ["x"], "text": [text]})
    s = framing.spans(df)
    for row in s.itertuples(index=False):
        assert text[row.start:row.end] == row.text
        assert row.sense in ("", *framing.SENSES)


def test_framing_contract(tiny_comments):
    before = tiny_comments.copy()
    out = framing.score(tiny_comments)
    assert tiny_comments.equals(before)
    assert out.index.equals(tiny_comments.index)
    added = set(out.columns) - set(tiny_comments.columns)
    frames = framing.catalog()["frame"]
    assert added == {"frames", "frame_stance"} | {f"frame_{f}" for f in frames}
    assert out.loc[3, "frames"].split(";")[0] == "war"   # "This is a war on drivers!"
    s = framing.spans(tiny_comments)
    assert list(s.columns) == list(SPAN_COLUMNS)
    assert set(s["kind"]) == {"frame"}


def test_framing_empty_frame_and_missing_column():
    empty = pd.DataFrame({"comment_id": pd.Series([], dtype=object), "text": pd.Series([], dtype=object)})
    assert framing.score(empty).empty
    assert list(framing.spans(empty).columns) == list(SPAN_COLUMNS)
    with pytest.raises(SchemaError, match="framing.score needs column 'text'"):
        framing.score(pd.DataFrame({"body": ["war"]}))
    with pytest.raises(SchemaError):
        framing.spans(pd.DataFrame({"body": ["war"]}))


def test_framing_score_reuses_given_spans():
    df = pd.DataFrame({"comment_id": ["1"], "text": ["Our enemies in this election want this."]})
    s = framing.spans(df, lexicons=WAR)
    assert framing.score(df, spans=s.iloc[0:0], lexicons=WAR)["frames"].tolist() == [""]
    assert framing.score(df, spans=s, lexicons=WAR)["frames"].tolist() == ["war"]


@settings(deadline=None, max_examples=300)
@given(st.lists(st.text(alphabet="ab_1' -.\n\u2019\u00e9\x00\u03a3", max_size=14), max_size=8))
def test_framing_word_counts_match_the_token_regex(texts):
    # The ASCII texts are counted on their shape, joined; the others with the regex.
    assert framing._word_counts(texts) == [len(framing._TOKEN.findall(t)) for t in texts]


@settings(deadline=None, max_examples=300)
@given(st.lists(st.text(st.characters(exclude_categories=()), max_size=30)
                | st.text("a'\u2019 \u00b2\u0301\ud800\u4e00_", max_size=12), max_size=8))
def test_framing_word_counts_match_the_token_regex_on_any_unicode(texts):
    # Every plane, lone surrogates, combining marks, other scripts' digits.
    assert framing._word_counts(texts) == [len(framing._TOKEN.findall(t)) for t in texts]


def test_framing_score_rows_sharing_an_id_each_count_every_span_of_that_id():
    # Rows are matched to spans by (thread, comment id); a duplicated id gets the spans of
    # both rows (the lookup for unique ids is done in C, this case in Python).
    df = pd.DataFrame({"comment_id": ["1", "1", "2"],
                       "text": ["Our enemies in this election want this.", "They waged war on our election.",
                                "Trees are nice."]})
    out = framing.score(df, lexicons=WAR)
    assert out["frames"].tolist() == ["war", "war", ""]
    assert out["frame_war"].tolist() == [round(200 / 7, 3), round(200 / 6, 3), 0.0]
    unique = framing.score(df.assign(comment_id=["1", "3", "2"]), lexicons=WAR)
    assert unique["frame_war"].tolist() == [round(100 / 7, 3), round(100 / 6, 3), 0.0]


def test_framing_literal_and_game_uses_do_not_count_as_the_frame():
    df = pd.DataFrame({"comment_id": ["1", "2"],
                       "text": ["Troops were killed in the invasion of Iraq.", "Our chess strategy won the game."]})
    out = framing.score(df, lexicons=WAR)
    assert out["frames"].tolist() == ["", ""]
    assert out["frame_war"].tolist() == [0.0, 0.0]


def test_framing_uptake_along_reply_links():
    df = pd.DataFrame({
        "thread_id": "t", "comment_id": ["1", "2", "3", "4", "5"], "parent_id": ["", "1", "1", "2", "1"],
        "text": ["They waged war on our teachers.", "Public education is not a war.",
                 "Yes, and the enemy is money.", "I like trees.", "The war metaphor fits perfectly."],
    })
    up = framing.uptake(df, framing.spans(df, lexicons=WAR), lexicons=WAR)
    got = dict(zip(up["comment_id"], up["uptake"]))
    assert got == {"2": "rejected", "3": "adopted", "4": "ignored", "5": "endorsed"}


def test_framing_prevalence_by_speaker():
    df = pd.DataFrame({"thread_id": "t", "comment_id": ["1", "2", "3"], "author": ["Ann", "Ann", "Bo"],
                       "text": ["Our enemies won the election.", "Trees.", "Chess strategy."]})
    p = framing.prevalence(df, framing.spans(df, lexicons=WAR), by="author")
    assert p.loc["Ann", "war"] == 0.5 and p.loc["Bo", "war"] == 0.0
    assert p["n_comments"].tolist() == [2, 1]


def test_framing_vocabulary_is_the_metaphor_vocabulary():
    v = set(framing.vocabulary())
    assert {"war", "enemy", "enemies", "attack", "carpet bombing", "front groups"} <= v
    assert "evil" not in v and "unfair" not in v
    assert "battles" in framing.vocabulary(words=["battles", "battery"])
    assert "battery" not in framing.vocabulary(words=["battles", "battery"])


# --------------------------------------------------------------------------- user lexicons


GOOD = """
[lexicon]
name = "weather"
kind = "frames"
provenance = "written for a test"

[frames.storm]
title = "Storm"
terms = ["storm*", "hurricane"]
phrases = ["perfect storm"]
"""


def test_framing_user_lexicon_adds_a_frame(tmp_path):
    path = tmp_path / "weather.toml"
    path.write_text(GOOD, encoding="utf-8")
    df = pd.DataFrame({"comment_id": ["1"], "text": ["It was a perfect electoral storm."]})
    out = framing.score(df, lexicons=framing.load_lexicons(extra=str(path)))
    assert "storm" in out["frames"].iloc[0].split(";")
    assert out["frame_storm"].iloc[0] > 0


def test_framing_user_frame_overrides_shipped_frame(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(GOOD.replace("[frames.storm]", "[frames.war]"), encoding="utf-8")
    lexs = framing.load_lexicons(extra=str(path))
    assert "war" not in next(lex for lex in lexs if lex.name == WAR).frames
    df = pd.DataFrame({"comment_id": ["1"], "text": ["Our enemies sent a storm."]})
    s = framing.spans(df, lexicons=lexs)
    assert s.loc[s["label"] == "war", "text"].tolist() == ["storm"]


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda t: t.replace('"storm*"', '"storm**"'),
         r"weather.toml, line 9: \[frames.storm\] terms: entry 1 'storm\*\*' is not a term pattern"),
        (lambda t: t.replace('provenance = "written for a test"\n', ""),
         r"weather.toml, line \d+: \[lexicon\] needs provenance"),
        (lambda t: t.replace("terms =", "term ="),
         r"weather.toml, line 9: \[frames.storm\] has unknown key 'term'"),
        (lambda t: t.replace('kind = "frames"', 'kind = "frame"'),
         r"weather.toml, line 4: \[lexicon\] kind must be one of \['frames', 'metaphor'\]; got 'frame'"),
        (lambda t: t.replace('terms = ["storm*", "hurricane"]', 'terms = "storm"'),
         r"weather.toml, line 9: \[frames.storm\] terms must be a list of strings"),
        (lambda t: t.replace("[frames.storm]", "[frames.storm"),
         r"weather.toml, line 7: not valid TOML"),
    ],
)
def test_framing_user_lexicon_errors_name_file_line_and_fix(tmp_path, edit, message):
    path = tmp_path / "weather.toml"
    path.write_text(edit(GOOD), encoding="utf-8")
    with pytest.raises(InputFormatError, match=message):
        framing.load_lexicons(extra=str(path))


def test_framing_unknown_lexicon_name():
    with pytest.raises(InputFormatError, match="no lexicon named 'nope'"):
        framing.load_lexicons("nope")


def test_framing_shipped_lexicons_carry_provenance():
    for lex in framing.load_lexicons():
        assert lex.provenance and lex.licence and lex.frames
    mfc = next(lex for lex in framing.load_lexicons() if lex.name == "media_frames")
    assert sorted(f.code for f in mfc.frames.values()) == list(range(1, 16))


# --------------------------------------------------------------------------- CLI


def test_framing_cli_list_show_explain():
    runner = CliRunner()
    out = runner.invoke(cli, ["frames", "list"])
    assert out.exit_code == 0 and "war_metaphor (metaphor)" in out.output and "money_in_politics" in out.output
    out = runner.invoke(cli, ["frames", "show", "war"])
    assert out.exit_code == 0 and "Provenance:" in out.output and "carpet bomb*" in out.output
    out = runner.invoke(cli, ["frames", "explain", "Public education is not a war."])
    assert out.exit_code == 0
    assert "'war' -> war [meta, reject]" in out.output


def test_framing_cli_errors():
    runner = CliRunner()
    out = runner.invoke(cli, ["frames", "show", "nope"])
    assert out.exit_code == 1 and out.output.startswith("Error: no lexicon or frame named 'nope'")
    out = runner.invoke(cli, ["frames", "explain", "x", "--frames", "missing.toml"])
    assert out.exit_code == 1
    assert out.output == ("Error: missing.toml: no such lexicon file; give the path of a .toml frame lexicon "
                          "(schema: discourse/lexicons/README.md).\n")


def test_framing_cli_analyze_with_user_frames(tmp_path, seed_path):
    lex = tmp_path / "weather.toml"
    lex.write_text(GOOD, encoding="utf-8")
    out_csv, spans_csv = tmp_path / "out.csv", tmp_path / "spans.csv"
    res = CliRunner().invoke(cli, ["analyze", str(seed_path), "-o", str(out_csv), "--spans", str(spans_csv),
                                   "--frames", str(lex), "-q"])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out_csv, keep_default_na=False)
    assert {"frames", "frame_war", "frame_storm", "frame_stance"} <= set(table.columns)
    spans = pd.read_csv(spans_csv, keep_default_na=False)
    assert "storm" in set(spans["label"])       # "a perfect electoral storm" in the letter
    assert {"metaphorical", "literal", "game", "meta"} <= set(spans["sense"])


def test_framing_policy_terms_inside_a_metaphor_do_not_count():
    df = pd.DataFrame({"comment_id": ["1", "2"],
                       "text": ["They ran a carpet bombing campaign against me in the election.",
                                "The bombing of the city killed civilians."]})
    out = framing.score(df)
    assert "security_and_defense" not in out.loc[0, "frames"].split(";")
    assert "security_and_defense" in out.loc[1, "frames"].split(";")


def test_framing_keeps_any_index_and_row_order():
    df = pd.DataFrame({"comment_id": ["b", "a"], "text": ["Trees.", "A war on our teachers."]}, index=[20, 10])
    out = framing.score(df, lexicons=WAR)
    assert list(out.index) == [20, 10]
    assert out["frames"].tolist() == ["", "war"]


@pytest.mark.parametrize(
    "doc, message",
    [
        ({"lexicon": {"name": "x", "provenance": "p"}, "frames": {"f": {"terms": ["a1"], "weights": {"zz": 2}}}},
         "weights names 'zz', which is not one of this frame's terms"),
        ({"lexicon": {"name": "x", "provenance": "p", "kind": "metaphor"}, "frames": {"f": {"terms": ["aa"]}},
          "senses": {"literall": ["x"]}},
         r"\[senses\] has unknown key 'literall'"),
        ({"lexicon": {"name": "x", "provenance": "p"}, "frames": {"Bad-Name": {"terms": ["aa"]}}},
         "frame name 'Bad-Name' must be lower-case"),
        ({"lexicon": {"name": "x", "provenance": "p"}, "frames": {"f": {"terms": ["a*"]}}},
         "entry 1 'a\\*' is not a term pattern"),
        ({"lexicon": {"name": "x", "provenance": "p"}}, "no frames"),
    ],
)
def test_framing_schema_errors(doc, message):
    with pytest.raises(InputFormatError, match=message):
        framing.load_lexicons(doc)


def test_framing_user_metaphor_lexicon_decides_senses():
    doc = {
        "lexicon": {"name": "storms", "kind": "metaphor", "provenance": "a test"},
        "frames": {"storm": {"terms": ["storm*", "hurricane"]}},
        "senses": {"literal": ["rain", "wind*"], "meta": ["metaphor"], "heads": ["storm"]},
        "topics": {"an election": ["election*"]},
    }
    df = pd.DataFrame({"comment_id": ["1", "2", "3"],
                       "text": ["The storm brought rain and wind.", "The election was a storm of lies.",
                                "The storm metaphor is tired."]})
    s = framing.spans(df, lexicons=doc)
    assert s["sense"].tolist() == ["literal", "metaphorical", "meta"]
    assert s["explanation"].iloc[1] == "'storm' describes an election: metaphorical"


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab war'’ .!?…\"”)]\n\t-Z")), max_size=100))
def test_framing_parse_splits_and_tokenizes_like_each_sentence_alone(text):
    from discourse.framing import _parse, _sentences, _tokenize

    expected = []
    for s0, s1 in _sentences(text):
        toks = [(s0 + a, s0 + b, w) for a, b, w in _tokenize(text[s0:s1])]
        expected.append((s0, s1, toks, [w for _, _, w in toks]))
    assert _parse(text) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZ Σσς'’\u0301İıI.x-9")), max_size=40))
def test_framing_tokenize_lowers_each_token_as_alone(text):
    from discourse.framing import _TOKEN, _norm, _tokenize

    assert _tokenize(text) == [(m.start(), m.end(), _norm(m.group())) for m in _TOKEN.finditer(text)]


# --------------------------------------------------------------------------- sparse matching
#
# framing.spans reads most texts the sparse way (a regex finds the few words where a term
# may start); texts whose length changes when lower-cased are split into words and read
# word by word. Forcing the word-by-word path on every text must give the same table.

_TRICKY = [
    "It is a war on teachers.",
    "It is a war, on teachers!",  # punctuation between the words of a phrase
    "It is a war. On teachers, it falls.",  # a phrase never crosses a sentence end
    "It is a war\non teachers",  # nor a line break
    "A carpet-bombing campaign against the school board.",  # hyphens split words
    "The CARPET BOMBING of the Board, the Art Of War, the war’s end and the war's cost.",  # case, apostrophes
    "Bombs, bomb'd, bombers and bombing: a battle-ready army of allies.",  # prefixes
    "The art of war is the war of art; art of war.",  # overlapping terms, longest first
    "Charter schools and public charters drain money; the charter school budget.",  # exclude lists
    "Civil rights charter. Charter schools are a choice.",
    "İstanbul's war on the press; the people think taxes cost money.",  # İ lower-cases to two characters
    "ΣΊΣΥΦΟΣ fought a war on drugs with the police.",  # a capital sigma
    "Straße, café, naïve: the fiscal war on poverty costs the economy.",  # other non-ASCII letters
    "war war war on on * war-on-* ' ’ war’ ’war",
    "",
    "   \n  ",
    "People. People! PEOPLE? people…people",
    "He described it as a war. They framed the vote as a battle.",  # wildcards inside phrases
    "All over the world. Interest rates rise.",  # phrases of a lexicon without senses
    "All over the. World interest. Rates rise.",
]


def _both_paths(monkeypatch, df, **kw):
    fast = framing.spans(df, **kw)
    with monkeypatch.context() as m:
        m.setattr(framing, "_normalised", lambda text: None)
        slow = framing.spans(df, **kw)
    return fast, slow


@pytest.mark.parametrize("text", _TRICKY)
def test_framing_sparse_path_matches_word_by_word(monkeypatch, text):
    df = pd.DataFrame({"thread_id": "t", "comment_id": ["1"], "text": [text]})
    fast, slow = _both_paths(monkeypatch, df)
    pd.testing.assert_frame_equal(fast, slow)
    assert all(text[a:b] == x for a, b, x in zip(fast["start"], fast["end"], fast["text"]))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("It is a war, on teachers!", [("war", "war, on teachers")]),
        ("It is a war. On teachers, it falls.", [("war", "war"), ("security_and_defense", "war")]),
        ("A carpet-bombing campaign against the school board.", [("war", "carpet-bombing"), ("political", "campaign")]),
        ("the war’s end", []),  # "war’s" is one word, not "war"
        ("The art of war is here.", [("war", "art of war")]),
        ("All over the world. Interest rates rise.", [("external_regulation", "the world"), ("economic", "Interest rates")]),
        ("All over the. World interest. Rates rise.", [("economic", "Rates")]),
        ("the economy-wide INTEREST\tRATE’s rise", [("economic", "the economy"), ("economic", "INTEREST\tRATE’s")]),
    ],
)
def test_framing_sparse_path_pins_phrases(text, expected):
    s = framing.spans(pd.DataFrame({"text": [text]}), lexicons=[WAR, "media_frames"])
    assert list(zip(s["label"], s["text"])) == expected


def test_framing_sparse_path_exclude_list():
    s = framing.spans(pd.DataFrame({"text": ["Charter schools drain money.", "A civil rights charter."]}),
                      lexicons="media_frames")
    # "charter school*" is excluded from the legality frame's "charter", not from others.
    assert "Charter" not in s.loc[s["label"] == "legality_constitutionality_jurisprudence", "text"].tolist()


def test_framing_sparse_path_thread_backdrop(monkeypatch):
    df = pd.DataFrame({"thread_id": ["a", "a", "b"], "comment_id": ["1", "2", "3"],
                       "parent_id": ["", "1", ""],
                       "text": ["The school board election is a war.", "We need more troops.",
                                "Ἀθῆναι İzmir: the enemies attack at dawn."]})
    fast, slow = _both_paths(monkeypatch, df)
    pd.testing.assert_frame_equal(fast, slow)
    pd.testing.assert_frame_equal(framing.score(df, spans=fast), framing.score(df, spans=slow))


_PIECES = sorted({piece[0] for lex in framing.load_lexicons() for p in lex._combined.patterns
                  for piece in p.pieces if piece is not None}
                 | {"the", "a", "of", "on", "as", "is", "not", "it", "you", "war", "election", "troops", "İ", "Σ"})


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_PIECES), st.sampled_from(["lower", "upper", "title"]),
                          st.sampled_from([" ", " ", ", ", ". ", "\n", "-", "’", "'", "! ", " / ", "…", "“", "s ",
                                           "ing ", "* "])),
                max_size=30),
       st.integers(min_value=1, max_value=4))
def test_framing_sparse_path_property(words, n_rows):
    text = "".join(getattr(w, case)() + sep for w, case, sep in words)
    rows = [text[i * len(text) // n_rows:(i + 1) * len(text) // n_rows] for i in range(n_rows)]
    df = pd.DataFrame({"thread_id": "t", "comment_id": [str(i) for i in range(n_rows)],
                       "parent_id": [""] + [str(i) for i in range(n_rows - 1)], "text": rows})
    fast = framing.spans(df)
    original = framing._normalised
    framing._normalised = lambda text: None
    try:
        slow = framing.spans(df)
    finally:
        framing._normalised = original
    pd.testing.assert_frame_equal(fast, slow)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_PIECES + ["not", "calling", "it", "game", "soldiers", "voters", "argue"]),
                          st.sampled_from([" ", ", ", ". ", "\n"])), max_size=30))
def test_framing_sense_decisions_same_with_cues_read_once(words):
    df = pd.DataFrame({"thread_id": "t", "comment_id": ["1", "2"],
                       "text": ["".join(w + sep for w, sep in words), "The war on the school board."]})
    once = framing.spans(df, lexicons=WAR)
    original = framing._prime_cues
    framing._prime_cues = lambda lex, words: None
    try:
        each = framing.spans(df, lexicons=WAR)
    finally:
        framing._prime_cues = original
    pd.testing.assert_frame_equal(once, each)


@pytest.mark.parametrize("enabled", [True, False])
def test_framing_spans_restores_garbage_collector(enabled):
    import gc

    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        framing.spans(pd.DataFrame({"text": ["It is a war on teachers."]}))
        assert gc.isenabled() is enabled
        with pytest.raises(SchemaError):
            framing.spans(pd.DataFrame({"body": ["x"]}))
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


# --------------------------------------------------------------------------- fast paths


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .!?…\"'”’)]\n\t\r\u2028 x")), max_size=60))
def test_framing_sentence_end_regex_like_plain_form(text):
    import re

    from discourse.framing import _SENT_END, _SENT_END_PLAIN

    assert [m.span() for m in _SENT_END.finditer(text)] == [m.span() for m in re.finditer(_SENT_END_PLAIN, text)]


def _eager_backdrops(lex, keys, wanted, by_thread, texts, views, parsed):
    """What each row's backdrop was before it became lazy: every row read, threads summed."""
    cues = framing._matchers((lex.cues["literal"], *(m for _, m in lex.topics)))
    rows_ev = [(0, {}) if keys[r] not in wanted
               else framing._sparse_evidence(views[r], lex, cues) if views[r] is not None
               else framing._evidence(t, lex, parsed[r], cues) for r, t in enumerate(texts)]
    per_thread: dict = {}
    for key, (lit, tops) in zip(keys, rows_ev):
        acc = per_thread.setdefault(key, [0, {}])
        acc[0] += lit
        for k, v in tops.items():
            acc[1][k] = acc[1].get(k, 0) + v
    out = []
    for r, (lit, tops) in enumerate(rows_ev):
        mine = framing._backdrop(lit, tops, "comment")
        if not mine[0] and by_thread:
            mine = framing._backdrop(*per_thread[keys[r]], "thread")
        out.append(mine)
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["war", "troops", "election", "school", "board", "bomb", "vote",
                                           "chess", "game", "İzmir", "the", "is", "a", ". ", "\n"]),
                          st.sampled_from(["a", "b", "c"]), st.booleans()), min_size=1, max_size=12),
       st.booleans())
def test_framing_lazy_backdrops_like_eager(rows, by_thread):
    lex = framing.load_lexicons("war_metaphor")[0]
    cues = framing._matchers((lex.cues["literal"], *(m for _, m in lex.topics)))
    texts = [f"{w} {w} and more {w}." for w, _, _ in rows]
    keys = [k for _, k, _ in rows]
    wanted = {k for (_, k, want) in rows if want}
    views = [None if framing._normalised(t) is None else framing._View(t, framing._normalised(t)) for t in texts]
    parsed = [framing._parse(t) if v is None else None for t, v in zip(texts, views)]
    lazy = framing._Backdrops(lex, cues, keys, wanted, by_thread, texts, views, parsed)
    expected = _eager_backdrops(lex, keys, wanted, by_thread, texts, views, parsed)
    # Asked in any order, each row gets what the eager pass gave it.
    assert [lazy.backdrop(r) for r in reversed(range(len(rows)))] == expected[::-1]


def test_framing_context_words_like_eager_list():
    text = "The board met. It was a war! Troops came.\nThe vote was held. Then more."
    view = framing._View(text, framing._normalised(text))
    sents = (0, 1, 3, 4)
    eager = [w for m in sents for w in view.tokens(m)[1]]
    assert list(framing._Context(view, sents)) == eager
    assert list(framing._Context(view, ())) == []


def test_framing_matcher_keeps_last_answer_only_for_the_same_list():
    lex = framing.load_lexicons("war_metaphor")[0]
    matcher = lex._combined
    words = ["it", "is", "a", "war", "on", "teachers"]
    first = matcher.find(words)
    assert matcher.find(words) is first  # same list, same answer
    other = ["no", "war", "here"]
    assert matcher.find(other) == matcher._find(other, False, None)
    assert matcher.find(words, overlap=True) == matcher._find(words, True, None)
    assert matcher.find(list(words)) == first and matcher.find(list(words)) is not first


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["war", "wars", "the", "election", "battle", "school", "board", "not", "a", "fight",
                                 "game", "chess", "troops", "is", "we", "army"]), max_size=16))
def test_framing_matcher_starts_same_with_the_word_index(words):
    # The second question about one word list in a row reads the list's word index.
    lex = framing.load_lexicons("war_metaphor")[0]
    for matcher in (lex._combined, lex.cues["literal"], lex.cues["game"], *(m for _, m in lex.topics)):
        expected = [(i, c) for i, w in enumerate(words) if (c := matcher.candidates(w))]
        assert matcher._starts(words) == expected
        assert matcher._starts(words) == expected


def _effective(found: list) -> list:
    """A sparse result without the sentences whose per-matcher lists are all empty (read as none)."""
    return [(n, per) for n, per in enumerate(found) if per is not None and any(per)]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["war", "on", "teachers", "carpet", "bombing", "people", "the", "art", "of",
                                          "Interest", "rates", "ΣΑΣ", "İzmir", "’s", ".", "\n", ", ", "-"]),
                         max_size=12).map(" ".join), max_size=6))
def test_framing_batch_scan_like_one_text_at_a_time(texts):
    lexs = framing.load_lexicons()
    combined = framing._matchers(tuple(lex._combined for lex in lexs))
    norms = [framing._normalised(t) for t in texts]
    views = [framing._View(t, x) for t, x in zip(texts, norms) if x is not None]
    batch = framing._sparse_find_texts(views, combined)
    alone = [framing._sparse_find_text(framing._View(v.text, v.norm), combined) for v in views]
    assert [_effective(b) for b in batch] == [_effective(a) for a in alone]


def _cue_matchers(lex):
    return framing._matchers((lex.cues["literal"], *(m for _, m in lex.topics)))


_ASCII_PIECES = [x for x in _PIECES if x.isascii()] + ["don't", "students'", "'war", "war's", "trump's"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_ASCII_PIECES), st.sampled_from(["lower", "upper", "title"]),
                          st.sampled_from([" ", "  ", ", ", ". ", "\n", "-", "'", "' ", " '", "! ", " / ", "s ",
                                           "ing ", "_", "1 ", "''", ""])),
                max_size=30))
def test_framing_trigger_starts_give_the_regex_scan(words):
    # The Aho-Corasick starts must hold every place the trigger regex matches: the regex
    # tried only there finds what a scan of the whole text finds.
    data = "".join(getattr(w, case)() + sep for w, case, sep in words).lower().encode("ascii")
    for matchers in (framing._matchers(tuple(lex._combined for lex in framing.load_lexicons())),
                     _cue_matchers(framing.load_lexicons(WAR)[0])):
        trigger, starts = matchers.byte_trigger, matchers.byte_starts
        assert starts is not None
        expected = [m.span() for m in trigger.finditer(data)]
        assert set(a for a, _ in expected) <= set(starts(data))
        assert [m.span() for m in framing._trigger_matches(trigger, data, starts)] == expected


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_ASCII_PIECES), st.sampled_from(["lower", "upper", "title"]),
                          st.sampled_from([" ", "  ", ", ", ". ", "\n", "-", "'", "' ", " '", "! ", " / ", "s ",
                                           "ing ", "_", "1 ", "''", "", "'s'", "x'"])),
                max_size=30))
def test_framing_token_places_hold_the_trigger_matches(words):
    # Every trigger match is among the places, and each place is the token there, as the
    # token regex reads it at a token start.
    import re

    data = "".join(getattr(w, case)() + sep for w, case, sep in words).lower().encode("ascii")
    token = re.compile((framing._TOKEN_START + framing._ANY_WORD).encode())
    for matchers in (framing._matchers(tuple(lex._combined for lex in framing.load_lexicons())),
                     _cue_matchers(framing.load_lexicons(WAR)[0])):
        places = framing._token_places(data, matchers.byte_starts)
        assert set(m.span() for m in matchers.byte_trigger.finditer(data)) <= set(places)
        assert places == sorted(set(places))
        for a, b in places:
            m = token.match(data, a)
            assert m is not None and m.span() == (a, b)
    assert framing._token_places(data, None) is None


@pytest.mark.parametrize("data, expected", [
    (b"  a,,b  c ", (b" a b c ", [1, 3, 5])),
    (b"x", (b"x", [])),
    (b"don't", (b"don t", [])),
])
def test_framing_squeezed(data, expected):
    squeezed, dropped = framing._squeezed(data, positions=True)
    assert (squeezed, dropped.tolist()) == expected
    assert framing._squeezed(data) == squeezed
    # Each character of the squeezed text is where the dropped ones before it say in data.
    import numpy as np

    at = np.arange(len(squeezed))
    back = at + np.searchsorted(dropped, at, side="right")
    assert bytes(data.translate(framing._WORD_OR_SPACE)[b] for b in back) == squeezed


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["war", "troops", "killed", "the", "election", "vote", "school", "board",
                                          "game", "İzmir", "’s", "'s", ".", "\n", ", ", "-", "bombs", "policy"]),
                         max_size=12).map(" ".join), max_size=6))
def test_framing_thread_evidence_like_one_text_at_a_time(texts):
    lex = framing.load_lexicons(WAR)[0]
    cues = _cue_matchers(lex)
    views = [framing._View(t, x) for t in texts if (x := framing._normalised(t)) is not None]
    together = framing._sparse_hits_texts(views, cues)
    assert [framing._sparse_evidence(v, lex, cues, h) for v, h in zip(views, together)] == [
        framing._sparse_evidence(framing._View(v.text, v.norm), lex, cues) for v in views]


def test_framing_anaphora_passes_along_a_reply_chain_and_needs_a_meta_span():
    chain = pd.DataFrame({"thread_id": "t", "comment_id": ["1", "2", "3"], "parent_id": ["", "1", "2"],
                          "text": ["The war metaphor is wrong.", "Still don't like it!", "I don't like it either."]})
    s = framing.spans(chain, lexicons="war_metaphor")
    assert s.loc[s["sense"] == "meta", "comment_id"].tolist() == ["1", "2", "3"]
    plain = chain.assign(text=["The war on teachers goes on.", "Still don't like it!", "I don't like it either."])
    s = framing.spans(plain, lexicons="war_metaphor")
    assert s["comment_id"].tolist() == ["1"] and "meta" not in s["sense"].tolist()


def test_framing_lexicons_survive_pickling_after_use():
    import pickle

    lexs = framing.load_lexicons(["media_frames", "war_metaphor"])
    df = pd.DataFrame({"thread_id": "t", "comment_id": ["1", "2"],
                       "text": ["People think taxes cost money and the economy suffers.", "It is a war on teachers."]})
    before = framing.spans(df, lexicons=lexs)  # fills the lexicons' cached matchers
    after = framing.spans(df, lexicons=pickle.loads(pickle.dumps(lexs)))  # as a worker process gets them
    pd.testing.assert_frame_equal(before, after)
    first = before.iloc[0]
    assert first["explanation"].startswith(f"'{first['text']}' is a term of the "
                                           f"{lexs[0].frames[first['label']].title} frame (media_frames: '")


@pytest.mark.parametrize("threads", [["t", "t", "u"], [1, 1, 2]])
def test_framing_spans_table_by_columns_like_rows(threads):
    # spans() gathers its table's columns as lists: the same table as its rows give.
    df = pd.DataFrame({"thread_id": threads, "comment_id": ["1", "2", "3"], "parent_id": ["", "1", ""],
                       "text": ["The school board election is a war.", "", "Taxes, the economy and the courts."]})
    s = framing.spans(df)
    assert len(s) >= 4
    pd.testing.assert_frame_equal(s, segment.span_table(list(s.itertuples(index=False, name=None))))
    assert framing.spans(df.assign(text="")).equals(segment.span_table([]))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .!?\n\r\t\u2026\u00a0\u2028\x1c\u3000\"')]")), max_size=40))
def test_framing_sentences_keep_the_pieces_strip_keeps(text):
    import re

    out, start = [], 0
    for m in re.finditer(framing._SENT_END_PLAIN, text):
        if text[start:m.end()].strip():
            out.append((start, m.end()))
        start = m.end()
    if text[start:].strip():
        out.append((start, len(text)))
    assert framing._sentences(text) == out


def test_framing_long_comment_of_repeated_blocks_reads_each_block_alike():
    # Many figurative uses in one comment: a policy term inside each is dropped in every block.
    block = "The campaign was carpet bombing the voters with ads. We must fight for public schools. "
    one = framing.spans(pd.DataFrame({"thread_id": ["t"], "comment_id": ["1"], "text": [block]}))
    many = framing.spans(pd.DataFrame({"thread_id": ["t"], "comment_id": ["1"], "text": [block * 80]}))
    assert len(many) == 80 * len(one)
    tail = many.tail(len(one)).reset_index(drop=True)
    assert (tail["start"] - 79 * len(block)).tolist() == one["start"].tolist()
    assert tail[["label", "sense"]].equals(one[["label", "sense"]])
