"""Tests for discourse.civility: incivility, persuasion techniques, classroom masking."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st

from discourse import civility
from discourse.errors import SchemaError
from discourse.lexicons import load
from discourse.model import SPAN_COLUMNS


def _labels(text, kind="incivility"):
    out = civility.spans(pd.DataFrame({"comment_id": ["c"], "text": [text]}), kinds=[kind])
    return set(out["label"])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("They will rot in hell, soulless turds.", {"insult", "threat"}),
        ("fake news like Brietbart and Fox Faux news", {"name_calling"}),
        ("Oh, almighty city dweller, must I bow so deep to your highness?", {"contempt"}),
        ("What the fuck is this shit?", {"profanity"}),
        ("They are vermin and a pox on our body politic.", {"dehumanising"}),
        ("You are an idiot.", {"insult"}),
        ("This is NOT what I meant, NOOOOOO.", {"shouting"}),
        ("Public education is not a war.", set()),
        ("The war metaphor fits perfectly, Duane.", set()),
        ("I assess the class at Scunthorpe as fine.", set()),
        ("The LAUSD and NAACP met today about the NASA grant.", set()),
    ],
)
def test_civility_incivility_labels_table(text, expected):
    assert _labels(text) == expected


def test_civility_aimed_at_person_weighs_more():
    out = civility.score(pd.DataFrame({"text": ["You are an idiot.", "That plan is idiotic."]}))
    assert out["incivility"][0] > out["incivility"][1] > 0
    sp = civility.spans(pd.DataFrame({"comment_id": ["a", "b"], "text": ["You are an idiot.", "That plan is idiotic."]}),
                        kinds=["incivility"])
    expl = dict(zip(sp["comment_id"], sp["explanation"]))
    assert "aimed at a person" in expl["a"]
    assert "aimed at a group or an idea" in expl["b"]


@pytest.mark.parametrize(
    "text, technique",
    [
        ("just as many Good Germans turned a blind eye to the barbarities", "reductio_ad_hitlerum"),
        ("But what about Hillary and her emails?", "whataboutism"),
        ("Either you are with us or you are against us.", "black_and_white"),
        ("Everyone knows the schools are failing.", "bandwagon"),
        ("The so-called experts were wrong.", "doubt"),
        ("Die die die", "repetition"),
        ("It is what it is.", "thought_terminating_cliche"),
        ("Real Americans love this country.", "flag_waving"),
        ("the most costly Congressional race in American history", "exaggeration"),
        ("Act before it's too late.", "appeal_to_fear"),
        ("Steve lost because Melvoin got $15 million.", "causal_oversimplification"),
        ("We will Make America Great Again", "slogans"),
        ("Those lying, corrupt thugs.", "loaded_language"),
        ("fake news like Fox Faux news", "name_calling"),
    ],
)
def test_civility_techniques_table(text, technique):
    assert technique in _labels(text, kind="technique")
    assert technique in civility.score(pd.DataFrame({"text": [text]}))["techniques"][0].split(";")


def test_civility_calm_sentence_has_no_technique_or_incivility():
    out = civility.score(pd.DataFrame({"text": ["The meeting is at noon in the library."]}))
    assert out[["incivility", "incivility_labels", "techniques"]].values.tolist() == [[0.0, "", ""]]


def test_civility_quotes_are_not_the_commenters_words():
    text = 'The article put it this way:\n"These idiots will destroy the schools and everyone knows it."\nI disagree.'
    df = pd.DataFrame({"text": [text]})
    assert civility.score(df)["incivility"][0] == 0.0
    assert civility.score(df, include_quotes=True)["incivility"][0] > 0


def test_civility_spans_offsets_and_explanations(seed_corpus):
    out = civility.spans(seed_corpus.comments)
    assert list(out.columns) == list(SPAN_COLUMNS)
    texts = dict(zip(seed_corpus.comments["comment_id"], seed_corpus.comments["text"]))
    assert all(texts[r.comment_id][r.start:r.end] == r.text for r in out.itertuples())
    assert out["explanation"].str.len().min() > 30
    assert set(out["kind"]) == {"incivility", "technique"}


def test_civility_seed_reads_right(seed_corpus):
    c = seed_corpus.comments
    out = civility.score(c)

    def row(prefix):
        return out[out["text"].str.startswith(prefix)].iloc[0]

    assert row("All of their donations")["incivility"] >= 0.5
    assert "insult" in row("All of their donations")["incivility_labels"]
    assert "contempt" in row("Oh, almighty city dweller")["incivility_labels"]
    assert row("This is funny:")["incivility"] == 0.0
    assert row("Still can’t agree with the war metaphor.")["incivility"] == 0.0
    assert "reductio_ad_hitlerum" in row("Sorry, Ellen but")["techniques"]
    war = row("Public education is not a war.")
    sp = civility.spans(c[c["comment_id"] == war["comment_id"]], kinds=["incivility"])
    first = war["text"].index("(")
    assert not (sp["start"] < first).any()  # nothing uncivil in "Public education is not a war."


@pytest.mark.parametrize("func", [civility.score, civility.spans])
def test_civility_contract(func, tiny_comments):
    before = tiny_comments.copy(deep=True)
    shuffled = tiny_comments.set_index(pd.Index([10, 3, 7, 1, 0, 5, 2, 9]))
    out = func(shuffled)
    pd.testing.assert_frame_equal(tiny_comments, before)
    if func is civility.score:
        assert list(out.index) == list(shuffled.index)
        assert set(out.columns) - set(shuffled.columns) == {"incivility", "incivility_labels", "techniques"}
        assert out["incivility"].between(0, 1).all()
    assert len(func(tiny_comments.iloc[:0])) == 0
    with pytest.raises(SchemaError):
        func(tiny_comments.rename(columns={"text": "body"}))


def test_civility_given_spans_give_same_scores(seed_corpus):
    c = seed_corpus.comments
    pd.testing.assert_frame_equal(civility.score(c), civility.score(c, spans=civility.spans(c)))


def test_civility_bad_kind_raises():
    with pytest.raises(SchemaError, match="kinds must be drawn from"):
        civility.spans(pd.DataFrame({"text": ["x"]}), kinds=["insults"])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("What the fuck, this is bullshit.", "What the f***, this is b*******."),
        ("Shit happens. Damn it.", "S*** happens. D*** it."),
        ("I assess the class at Scunthorpe.", "I assess the class at Scunthorpe."),
        ("Total f**k up", "Total f*** up"),
        ("", ""),
    ],
)
def test_civility_mask_profanity_table(text, expected):
    assert civility.mask_profanity(text) == expected


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("fuckshitdamn ass.!\nABC*")), max_size=60))
def test_civility_mask_keeps_length(text):
    assert len(civility.mask_profanity(text)) == len(text)


def test_civility_lexicons_have_provenance():
    for name in ("civility", "techniques"):
        lex = load(name)
        prov = lex["provenance"]
        assert prov["sources"] and prov["licence"] and prov["curated_by"]
    for key, spec in load("civility")["categories"].items():
        assert 0 < spec["weight"] < 1 and "{text}" in spec["explanation"], key
    techniques = load("techniques")["techniques"]
    for key in civility.TECHNIQUES:
        assert {"name", "semeval", "explanation"} <= set(techniques[key]) and "{text}" in techniques[key]["explanation"]


def test_civility_classroom_pipeline_masks_every_output(seed_corpus):
    import discourse

    plain = discourse.analyze(seed_corpus)
    masked = discourse.analyze(seed_corpus, classroom=True)
    assert plain.comments["text"].str.contains("piss").any()
    assert not masked.comments["text"].str.contains(r"\bpiss\b").any()
    assert not masked.spans["text"].str.contains(r"\bpiss\b").any()
    assert not masked.spans["explanation"].str.contains(r"\bpiss\b").any()
    texts = dict(zip(masked.comments["comment_id"], masked.comments["text"]))
    posts = dict(zip(masked.threads["thread_id"], masked.threads["text"]))
    for r in masked.spans.itertuples():
        source = texts[r.comment_id] if r.comment_id else posts[r.thread_id]
        assert source[r.start:r.end] == r.text


def test_civility_pipeline_spans_cover_contract_kinds(seed_analysed):
    spans = seed_analysed.spans
    assert {"sentence", "quote", "url", "address", "incivility", "technique"} <= set(spans["kind"])
    assert (spans["comment_id"] == "").any()  # the post's spans
    cols = {"sentiment_compound", "sentiment_raw_compound", "sentiment_frame_neutral_compound", "incivility", "techniques"}
    assert cols <= set(seed_analysed.comments.columns)


def test_civility_cli_classroom_flag(seed_path, tmp_path):
    from discourse.cli import cli

    out, spans = tmp_path / "out.csv", tmp_path / "spans.csv"
    result = CliRunner().invoke(cli, ["analyze", str(seed_path), "-o", str(out), "--spans", str(spans), "--classroom", "-q"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, keep_default_na=False)
    assert {"incivility", "techniques", "sentiment_compound"} <= set(table.columns)
    assert not table["text"].str.contains(r"\bpiss\b").any()
    assert "--classroom" in CliRunner().invoke(cli, ["report", "--help"]).output


def test_civility_case_odd_lists_every_char_matching_ascii_case_insensitively():
    # The finders read case from str.lower; that is only sound for texts without these.
    chars = "".join(chr(i) for i in range(0x80, 0x110000) if not 0xD800 <= i < 0xE000)
    import re

    assert set(re.findall("[a-z0-9]", chars, re.I)) <= civility._CASE_ODD
    assert set(re.findall("['’]", chars, re.I)) == {"’"}
    assert {c for c in chars if len(c.lower()) != 1} <= civility._CASE_ODD


def _finders():
    cats, _ = civility._civility_lexicon()
    return [rx for _, rx, _, _ in cats if rx is not None] + [
        rx for rx, _, _ in civility._technique_lexicon().values() if rx is not None]


def _plain_matches(finder, text):
    return [m.span() for m in finder.rx.finditer(text)]


def _indexed_matches(finder, text):
    lower = civility._lower(text)
    return finder.finditer(text, lower, civility._term_starts(lower))


_TERMS = sorted({t.rstrip("*") for spec in load("civility")["categories"].values() for t in spec.get("terms", [])}
                | {t.rstrip("*") for spec in load("techniques")["techniques"].values() for t in spec.get("terms", [])})


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_TERMS), st.sampled_from(["you", "the", "oh", "sure", "what ever", "either",
                                                                   "or", "#tag", "f**k", "Crooked Joe", "s", "ſ", "K",
                                                                   "É", "é", "’", "'", "!", "\n", "_", "2"])),
                max_size=12),
       st.lists(st.sampled_from([" ", "", "  ", ", ", "-", "'s ", "’", "\n", "."]), min_size=12, max_size=12),
       st.integers(0, 3))
def test_civility_indexed_finders_match_like_plain_regex(words, seps, case):
    text = "".join(w + s for w, s in zip(words, seps))
    text = [text, text.upper(), text.title(), text.swapcase()][case]
    for finder in _finders():
        assert _indexed_matches(finder, text) == _plain_matches(finder, text)


def test_civility_indexed_finders_match_like_plain_regex_on_seed(seed_corpus):
    for text in seed_corpus.comments["text"].tolist() + seed_corpus.threads["text"].tolist():
        for finder in _finders():
            assert _indexed_matches(finder, text) == _plain_matches(finder, text)


@pytest.mark.parametrize(
    "pattern, needs",
    [
        (r"\bsoulless \w+", [{"soulless "}]),
        (r"\b(?:but|and) what about\b", [{"but", "and"}, {" what about"}]),
        (r"\bf+[\*\#\@\$]+k+\w*", [{"f"}, {"*", "#", "@", "$"}, {"k"}]),
        (r"(?:^|\s)#\w{3,}", [{"#"}]),
        (r"\w*", None),  # may match empty text: never used to skip one
        (r"\w+", None),  # nothing literal: every text may match
    ],
)
def test_civility_required_literals_table(pattern, needs):
    got = civility._required(pattern)
    assert (None if got is None else [set(x) for x in got]) == needs


@pytest.mark.parametrize(
    "pattern, needs",
    [
        (r"\bsoulless \w+", [{"soulless "}]),
        (r"\b(?:but|and) what about\b", [{"but what about", "and what about"}]),
        (r"\b[Oo]h,? (?:great|wow)\b", [{"oh, great", "oh, wow", "oh great", "oh wow"}]),
        (r"\bs+h+[\*\#]+t+\b", [{"s"}, {"sh"}, {"h*", "h#"}, {"*t", "#t"}, {"t"}]),
        (r"\b(?:they|he) will (?:all )?die\b", [{"they will die", "they will all die", "he will die", "he will all die"}]),
        (r"\b(?:is|are) (?:a )?rot\b", [{"is rot", "are rot", "is a rot", "are a rot"}]),
        (r"\b(?:a|an|the)+ (?:rot|pest)", [{"a", "the"}, {"a rot", "an rot", "the rot", "a pest", "an pest",
                                                             "the pest"}]),
        (r"\w*", None),
        (r"\w+", None),
    ],
)
def test_civility_spelled_literals_table(pattern, needs):
    got = civility._spelled(pattern)
    assert (None if got is None else [set(x) for x in got]) == needs


_LEXICON_PATTERNS = sorted({p for spec in load("civility")["categories"].values() for p in spec.get("patterns", [])}
                           | {p for spec in load("techniques")["techniques"].values() for p in spec.get("patterns", [])})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["oh", "Oh,", "great", "they", "will", "all", "die", "rot", "sh", "s", "h", "*", "#",
                                 "t", "f", "k", "a", "b", "ch", "either", "or", "what", "ever", "-", "if", "we", "do",
                                 "not", "would", "lose", "the", "most", "least", "in", "history", "Crooked", "Joe",
                                 "are", "is", "a", "cancer", "like", "dogs", "sure", "jan", "nice", "try", "\n", ".",
                                 "but", "about", "where", "were", "your", "when", "won", "because", "some", "claim"]),
                max_size=12),
       st.lists(st.sampled_from([" ", "", ", ", "\n", "."]), min_size=12, max_size=12), st.integers(0, 2))
def test_civility_spelled_strings_in_every_match(words, seps, case):
    # Each set of _required and _spelled holds a string of every match (the screen skips on them).
    import re

    text = "".join(w + s for w, s in zip(words, seps))
    text = [text, text.upper(), text.title()][case]
    lower = civility._lower(text)
    if lower is None:
        return
    for pattern in _LEXICON_PATTERNS:
        for m in re.finditer(pattern, text, re.I):
            found = m.group().lower()
            for options in (civility._required(pattern) or []) + (civility._spelled(pattern) or []):
                assert any(x in found for x in options), (pattern, found, options)


def test_civility_given_segment_spans_same_result(seed_corpus):
    from discourse import segment

    c = seed_corpus.comments
    seg = segment.spans(c, kinds=segment.KINDS)
    for include_quotes in (False, True):
        pd.testing.assert_frame_equal(civility.spans(c, spans=seg, include_quotes=include_quotes),
                                      civility.spans(c, include_quotes=include_quotes))
    # Sentences missing for a comment: that comment is segmented here.
    partial = seg[~((seg["comment_id"] == c["comment_id"].iloc[0]) & (seg["kind"] == "sentence"))]
    pd.testing.assert_frame_equal(civility.spans(c, spans=partial), civility.spans(c))


def test_civility_given_segment_spans_ignored_when_keys_repeat():
    from discourse import segment

    df = pd.DataFrame({"thread_id": ["t", "t"], "comment_id": ["c", "c"],
                       "text": ["You idiot, the Good Germans.", "Calm words about a plan."]})
    seg = segment.spans(df, kinds=segment.KINDS)
    pd.testing.assert_frame_equal(civility.spans(df, spans=seg), civility.spans(df))


@pytest.mark.parametrize(
    "text",
    [
        "You IDIOT!! you’re an idiot, an idiot’s idiot and idiot-like.",
        "Soulless   turds.\nsoulless\tturds, SOULLESS turds",  # white space inside a phrase
        "What about\nthe emails? and what about her? But WHAT ABOUT them",
        "f#@k this, F**K that, sh!t and a$$",
        "Either you are with us or you are against us. EITHER/OR.",
        "#MAGA #maga! Lock her up! Drain the swamp!",
        "un-American, unAmerican and Un American ideas",
        "Sad! sad!! SAD! so sad",
        "'em, ’em, them and ’EM",
        "Naïve café owners are idiots; İdiots? ſtupid? Kelvin K.",  # letters whose case is odd
        "idiot_idiot idiot2 2idiot idiotidiot",
    ],
)
def test_civility_term_trigger_finds_what_plain_regex_finds(text):
    for variant in (text, text.upper(), text.lower(), text.swapcase()):
        for finder in _finders():
            assert _indexed_matches(finder, variant) == _plain_matches(finder, variant)


def test_civility_term_trigger_matches_at_every_term():
    # The trigger may match more than the terms, never less: each term, alone and in a sentence.
    for finder in _finders():
        if finder.patterns is None:
            continue
        terms_only = finder._sub(tuple(range(len(finder.terms))))  # (finder.rx has hand-written patterns too)
        for term in finder.terms:
            word = term.rstrip("*").replace("'", "’")
            for text in (word, f"Well, {word}! ", f"{word.upper()}s"):
                lower = civility._lower(text)
                if lower is None:
                    continue
                want = {m.start() for m in terms_only.finditer(text)}
                assert want <= {p for p, _ in civility._term_starts(lower).get(finder, [])}, (term, text)


@pytest.mark.parametrize(
    "text",
    ["die die die", "Die, DIE. die!", "no no no no", "go go gopher", "ab_ ab_ ab_", "a a", "bla bla bla blah",
     "x" * 200 + " " + "x" * 200],
)
def test_civility_said_again_possessive_same_as_backtracking(text):
    import re

    backtracking = re.compile(r"\b(\w+)(?:[\s,!.]+\1\b){2,}", re.I)
    assert [m.span() for m in civility._SAID_AGAIN.finditer(text)] == [m.span() for m in backtracking.finditer(text)]


@pytest.mark.parametrize("text", ["ⒶⒷⒸ STOP shouting AT ME", "Ⅻ HELLO THERE everyone", "ÉCOLE SCHOOL now please"])
def test_civility_shouting_counts_only_letters(text):
    spec = civility._civility_lexicon()[1]
    letters = [c for c in text if c.isalpha()]
    many_capitals = sum(c.isupper() for c in letters) / len(letters) > 0.6
    found = civility._shouting(text, spec, [(0, len(text))])
    assert (found == []) if many_capitals else bool(found)


# Texts built to reach every detector: terms, gate strings, capitals, stretched letters,
# words said again, slogan lines, the separator the batch search joins texts with, and
# letters whose case is odd.
_PIECES = st.one_of(
    st.sampled_from(_TERMS),
    st.sampled_from(["you", "the", "idiot idiot idiot", "STOP", "NOOOO", "soooo", "cats cats cats cats", "big cats",
                     "what a joke", "if you are not", "either", "history", "die", "#tag", "f**k", "\x00", "ſ", "K",
                     "É", "é", "σς", "’", "'", "!", "\n", "Lock her up!", "http://x.org/a", '"quoted idiot"']),
    st.text(max_size=6),
)


@st.composite
def _texts(draw):
    words = draw(st.lists(_PIECES, max_size=14))
    seps = draw(st.lists(st.sampled_from([" ", "", ", ", "\n", ". ", "\x00", "! "]), min_size=len(words),
                         max_size=len(words)))
    text = "".join(w + s for w, s in zip(words, seps))
    return [text, text.upper(), text.title()][draw(st.integers(0, 2))]


@settings(max_examples=60, deadline=None)
@given(st.lists(_texts(), min_size=1, max_size=6))
# Each found by one screen only: capitals, stretched letters, a word said again, a repeated phrase.
@example(["We met HERE today", "Plain words only.", "So sooooo long", "meh meh meh", "Tigers hunt, tigers hunt, tigers hunt."])
def test_civility_batch_spans_same_as_text_by_text(texts):
    # spans() screens and searches all texts at once; each text alone, and score()'s own
    # per-text reading (no screening), must agree with it.
    df = pd.DataFrame({"thread_id": "t", "comment_id": [str(i) for i in range(len(texts))], "text": texts})
    together = civility.spans(df)
    alone = [civility.spans(df.iloc[[i]]) for i in range(len(df))]
    pd.testing.assert_frame_equal(together, pd.concat(alone, ignore_index=True).astype(together.dtypes)
                                  if len(together) else together)
    assert len(together) == sum(map(len, alone))
    pd.testing.assert_frame_equal(civility.score(df), civility.score(df, spans=together))


@settings(max_examples=100, deadline=None)
@given(st.lists(_texts(), max_size=6))
@example(["the likes", "of you", "what", " a joke"])  # strings that a joined search must not find across texts
def test_civility_gate_hits_same_as_each_gate(texts):
    lowers = [low for low in map(civility._lower, texts) if low is not None]
    want = [{f for f in _finders() if f.patterns and f.gate is not None and f.gate.search(low)} for low in lowers]
    assert civility._gate_hits(lowers) == want
    assert civility._gate_hits(lowers, multi=False) == want
    if all(low.isascii() for low in lowers):
        assert civility._gate_hits(lowers, as_bytes=True) == want
        assert civility._gate_hits(lowers, as_bytes=True, multi=False) == want



@settings(max_examples=150, deadline=None)
@given(st.lists(_texts(), max_size=6), st.sampled_from([" ", "  ", "\t", "\n \n", "\x0b", " \r\n ", "\x1c"]))
@example(["soulless  turds", "the\n\nlikes   of you", "don't'idiot", "x'idiot ''idiot", "idiot" + "s" * 40, "idiot"], " ")
def test_civility_term_places_same_as_trigger_regex(texts, space):
    # The Aho-Corasick scan with boundaries checked array-wise gives the trigger regex's matches.
    lowers = [low for low in (civility._lower(t.replace(" ", space)) for t in texts) if low is not None and low.isascii()]
    raw = civility._Joined(lowers).text.encode("ascii")
    want = [(m.start() + 1, m.start(1), m.end(1)) for m in civility._term_trigger(True).finditer(raw)]
    assert civility._term_places(raw) == want

@pytest.mark.parametrize("n", [0, 1, 149, 150, 151, 152, 400])
@pytest.mark.parametrize("sep", [" ", ", ", "--", "’", "\n\n"])
def test_civility_over_150_words_same_as_counting(n, sep):
    import re

    for text in (sep.join(["w"] * n), sep + sep.join(["word_2"] * n) + sep, sep.join(["é"] * n) + "!"):
        assert (civility._OVER_150_WORDS.match(text) is not None) == (len(re.findall(r"\w+", text)) > 150)

@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
@example("a’b\u00a0c\u2028é\x1cΣ😀\ud800_")
def test_civility_proxy_keeps_spaces_words_and_ascii(text):
    import re

    got = civility._proxy(text)
    assert len(got) == len(text)
    for ch, b in zip(text, got):
        if ch.isascii() and ch not in "\x1c\x1d\x1e\x1f":
            assert b == ord(ch)
        elif ch == "’":
            assert b == ord("'")
        else:
            assert (b == 32) == bool(re.match(r"\s", ch)) and (b == 95) == bool(re.match(r"\w", ch))

@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=12) | st.lists(st.sampled_from(["a", "B", "é", "É", "ſ", "İ", "ı", "K", "Σ", "ß",
                                                                   "\ud800", "]", "\\", "^", "-", "😀"]),
                                                  max_size=8).map("".join), max_size=6))
@example(["éÉ", "é", "abc", ""])
def test_civility_lowers_all_at_once_like_one_by_one(texts):
    assert civility._lowers(texts) == [civility._lower(t) for t in texts]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["STOP", "IT", "NOW", "A", "I'M", "DON’T", "x", "_", "9", "é", "É", "Stop", " ", ", ",
                                 "\n", "!", "'", "’"]), max_size=14).map("".join))
@example("xSTOP NOW, THAT_STOP 9STOP ÉSTOP STOP")
def test_civility_capitals_regex_same_as_plain(text):
    import re

    plain = re.compile(r"\b[A-Z][A-Z'’]{3,}\b(?:[\s,]+[A-Z][A-Z'’]+\b)*")
    assert [m.span() for m in civility._shout_patterns(4)[0].finditer(text)] == [m.span() for m in plain.finditer(text)]

@pytest.mark.parametrize(
    ("pattern", "lead"),
    [(r"\bsoulless \w+", "s"), (r"(?:^|\s)#\w{3,}", r"\#\s"), (r"\b(?:are|is) x", "ai"), (r"x?y+z", "xy"),
     (r"[^a]b", None), (r"(?i:a)b", None), (r"a?", None), (r"[a-c\d]x", r"\da-c")],
)
def test_civility_first_class(pattern, lead):
    assert civility._first_class(pattern) == lead


@settings(max_examples=150, deadline=None)
@given(_texts())
@example("Oh, almighty one. OH WISE ONE. \nWhatever.\n #tag\n#tag ſoulless Ks Sleepy Joe crazy Bob İf you are not x, you")
def test_civility_places_regex_same_as_lookahead(text):
    import re

    for finder in _finders():
        for _, at in finder.patterns or ():
            pattern = at.pattern[at.pattern.index("(?:") + 3:-9] if at.pattern.startswith("[") else at.pattern[6:-2]
            plain = re.compile(f"(?=(?:{pattern}))", re.I)
            assert [m.start() for m in at.finditer(text)] == [m.start() for m in plain.finditer(text)], pattern

def _term_starts_reference(lower):
    """Term starts text by text: the trigger without its lead character, tried at every position."""
    import re

    trigger = civility._term_trigger().pattern
    head, tail = r"\W", r"(?=([a-z0-9]+)|(\S))(?<!\w['’])"
    assert trigger.startswith(head) and trigger.endswith(tail)
    plain = re.compile(civility._TERM_START + trigger[len(head):-len(tail)] + r"(?:([a-z0-9]+)|(\S))")
    index, starts = civility._term_index(), {}
    for m in plain.finditer(lower or ""):
        if m.group(1):
            run, run2 = m.group(1), ""
            nxt = re.compile(r"\s+([a-z0-9]+)").match(lower, m.end())
            if run in civility._phrase_starts() and nxt:
                run2 = nxt.group(1)
            found = civility._candidates(run, run2)
        else:
            char = "'" if m.group(2) == "’" else m.group(2)
            found = {}
            for f, i in index.get(("char", char), ()):
                found.setdefault(f, []).append(i)
        for f, idx in found.items():
            starts.setdefault(f, []).append((m.start(), tuple(idx)))
    return starts


@settings(max_examples=150, deadline=None)
@given(st.lists(_texts(), max_size=8), st.lists(st.sampled_from(["", "é", "\x1c", "\x00", "😀", "ſ"]), max_size=8))
@example(["die", "die", "die", "AB", "CD", "aa", "aa"], [])
@example(["the likes", "of you", "what", " a joke", "die\x1cdie\x1cdie", "'idiot", "''idiot"], ["", "é"])
@example(["cats dogs big cats dogs a cats dogs", "cats x dogs cats y dogs cats z dogs", "cats dogs dogs cats cats dogs", "Cats cats cats cats"], [])
def test_civility_screen_same_as_each_text(texts, extra):
    # The screen searches all texts at once (ASCII ones as bytes); each text alone with the
    # plain regexes must give the same term starts, gates and flags.
    texts = [t + x for t, x in zip(texts, extra + [""] * len(texts))]
    caps_gate = civility._shout_patterns(4)[2]
    for text, got in zip(texts, civility._screen(texts)):
        low = civility._lower(text)
        starts = _term_starts_reference(low)
        # Where each finder's hand-written patterns match (their gates and requirements aside).
        places = None if low is None else {f: {m.start() for _, at in f.patterns for m in at.finditer(text)}
                                           for f in _finders() if f.patterns}
        gates = None if places is None else {f: p for f, p in places.items() if p}
        flags = tuple(rx.search(text) is not None for rx in (caps_gate, civility._FOUR_SAME, civility._SAID_AGAIN))
        repeats = civility._repeats_possible(text, low)
        if got is None:
            assert low is not None and not starts and not gates and flags == (False, False, False) and not repeats
        else:
            assert got[:3] == (low, starts, gates) and got[3][:3] == flags
            # Repetition is screened from all ASCII texts at once (when none holds a NUL), else text by text.
            want = repeats
            if got[3][3] is civility._ONLY_CUT:
                # Words to count or a phrase said three times only once something is cut out.
                assert want is True and not _repetition_reference(text, [(0, len(text))])
            else:
                assert got[3][3] == want


def _repetition_reference(text, pieces):
    """The count and phrase repetition rules read word by word, with no shortcut."""
    import re

    words = [(m.start(), m.end(), m.group().lower().replace("’", "'")) for m in re.finditer(r"[A-Za-z][A-Za-z'’]{3,}", text)
             if any(a <= m.start() and m.end() <= b for a, b in pieces)]
    out = []
    if len(re.findall(r"\w+", text)) <= 150:
        counts: dict = {}
        for s, e, w in words:
            if w not in civility._STOP:
                counts.setdefault(w, []).append((s, e))
        out += [(s, e) for occ in counts.values() if len(occ) >= 4 for s, e in occ]
    bigrams: dict = {}
    for (s1, _, w1), (_, e2, w2) in zip(words, words[1:]):
        if w1 not in civility._STOP or w2 not in civility._STOP:
            bigrams.setdefault((w1, w2), []).append((s1, e2))
    for occ in bigrams.values():
        if len(occ) >= 3:
            out += [(s, e) for s, e in occ if not any(a <= s < b for a, b in out)]
    return out


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["cats", "Cats", "dogs", "that", "this", "with", "have", "war’s", "war's", "a", "the",
                                 "CATS", "Ünïcode", "ſtop"]), max_size=30),
       st.booleans())
@example("cats dogs big cats dogs a cats dogs".split(), False)  # 'cats dogs' three times, 'cats' exactly three
@example("cats cats cats cats dogs".split(), True)
def test_civility_repetition_same_as_word_by_word(words, cut):
    text = " ".join(words)
    pieces = [(0, len(text) // 2), (len(text) // 2 + 3, len(text))] if cut else [(0, len(text))]
    got = civility._repetition(text, pieces, "'{text}'", civility._lower(text), said=False)
    assert [(sp.start, sp.end) for sp in got] == _repetition_reference(text, pieces)


@pytest.mark.parametrize("text", ["ABC def", "ABCD efg", "abc", "123 !!", "", "ÉCOLE école", "ⒶⒷⒸ stop", "Ⅻ HELLO"])
def test_civility_mostly_capitals_table(text):
    letters = [c for c in text if c.isalpha()]
    want = not letters or sum(c.isupper() for c in letters) / len(letters) > 0.6
    assert civility._mostly_capitals(text) is want


def test_civility_spans_do_not_follow_the_hash_seed():
    # "patriots" and "patriot*" are terms of one length that both match "Patriots' Day";
    # which one a regex alternation tries first must not depend on string hashing, or
    # --jobs workers (started with their own hash seeds) disagree with one process.
    import subprocess
    import sys

    code = ("import pandas as pd; from discourse import civility; "
            "df = pd.DataFrame({'thread_id': ['t'], 'comment_id': ['a'], 'parent_id': [''], "
            "'text': [\"Happy Patriots' Day, and our nation thanks you.\"]}); "
            "print(civility.spans(df)[['label', 'start', 'end', 'text']].to_json(orient='values'))")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
            for seed in (0, 4)}
    assert len(outs) == 1
    assert '"flag_waving",6,14,"Patriots"' in outs.pop()


_SECOND_PERSON_PLAIN = r"\b(?:you|your|yours|yourself|yourselves|you're|you’re|youre|ya|u)\b"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["you", "You", "YOUR", "yours", "u", "U", "ya", "yall", "you're", "you’re", "youre",
                                 "yourselves", "yous", "bayou", "uu", "Yu", "y", "é", "_u", "ü", "3u", "du"]),
                max_size=6),
       st.lists(st.sampled_from([" ", "", "'", "’", ".", "\n", "-", "_"]), min_size=6, max_size=6),
       st.integers(0, 40), st.integers(0, 40))
@example(["bayou", "u"], ["", " ", "", "", "", ""], 3, 8)  # a window starting inside a word
def test_civility_second_person_same_as_plain_regex(words, seps, pos, endpos):
    import re

    plain = re.compile(_SECOND_PERSON_PLAIN, re.I)
    text = "".join(w + s for w, s in zip(words, seps))
    assert ((civility._SECOND_PERSON.search(text, pos, endpos) is None)
            is (plain.search(text, pos, endpos) is None)), (text, pos, endpos)


def test_civility_phrase_repeated_once_a_quotation_is_cut_out():
    # Read whole, "cats dogs" is said twice; without the quotation between "cats" and
    # "dogs", three times. The screen marks the text (_ONLY_CUT), it is not passed over.
    text = 'cats "these were the words somebody else wrote" dogs cats dogs cats dogs'
    assert civility._screen([text])[0][3][3] is civility._ONLY_CUT
    got = civility.spans(pd.DataFrame({"text": [text]}))
    assert got["label"].tolist() == ["repetition"] * 3
    assert got["text"].tolist()[1:] == ["cats dogs", "cats dogs"]


@pytest.mark.parametrize("texts", [
    ["die die die", "Die DIE die!", "no no", "ha-ha-ha ha"],
    ["abcdefghijklmnopq abcdefghijklmnopq abcdefghijklmnopq", "abcdefghijXlmnopq abcdefghijklmnopq abcdefghijklmnopq"],
    ["word_1 word_1, word_1.", "12 12 12", "a_b a_b a-b", "go go\ngo", "go go; go go go"],
    ["longerword longerword longerworD", "longerwords longerword longerword", "x", ""],
])
def test_civility_said_again_rows_same_as_regex(texts):
    # numpy finds runs of three equal words; the regex decides in those texts only.
    import re

    joined = civility._Joined(texts)
    raw = joined.text.encode("ascii")
    rx = re.compile(civility._SAID_AGAIN_LEAD.pattern.encode(), re.I)
    assert civility._said_again_rows(joined, raw, rx) == joined.rows(rx, raw, True)


def test_civility_gate_hits_with_a_lone_surrogate():
    # Not UTF-8, so the Aho-Corasick scan cannot take it: the find loop answers instead.
    lowers = ["what a \ud800 crazy idea", "nice try"]
    assert civility._gate_hits(lowers) == civility._gate_hits(lowers, multi=False)
    assert all(civility._gate_hits(lowers))


_SCORE_LABELS = ["insult", "threat", "contempt", "profanity", "shouting", "personal_attack", "unknown_label",
                 "loaded_language", "name_calling", "repetition", "doubt", "slogans"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["t1", "t2"]), st.sampled_from(["c1", "c2", "c3", "c9"]),
                          st.sampled_from(["incivility", "technique", "sentence", "frame"]),
                          st.sampled_from(_SCORE_LABELS), st.booleans()), max_size=30))
def test_civility_score_by_columns_like_span_by_span(rows):
    comments = pd.DataFrame({"thread_id": ["t1", "t1", "t2", "t1"], "comment_id": ["c1", "c2", "c1", "c3"],
                             "text": ["a", "b", "c", "d"]})
    table = pd.DataFrame([{"thread_id": t, "comment_id": c, "kind": k, "label": lab, "start": 0, "end": 1,
                           "text": "a", "sense": "",
                           "explanation": "It is aimed at a person (x)." if person else "Aimed at a group."}
                          for t, c, k, lab, person in rows], columns=list(SPAN_COLUMNS))
    fast = civility.score(comments, spans=table)
    assert civility._scores_by_columns(table, list(zip(comments["thread_id"], comments["comment_id"])),
                                       civility._weights()) is not None
    original = civility._scores_by_columns
    try:
        civility._scores_by_columns = lambda *args, **kwargs: None
        slow = civility.score(comments, spans=table)
    finally:
        civility._scores_by_columns = original
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)


def test_civility_score_by_columns_declines_repeated_keys():
    comments = pd.DataFrame({"thread_id": ["t", "t"], "comment_id": ["c", "c"], "text": ["You idiot.", "You idiot."]})
    table = civility.spans(comments.head(1))
    assert civility._scores_by_columns(table, [("t", "c"), ("t", "c")], civility._weights()) is None
    assert civility.score(comments, spans=table)["incivility"].tolist() == [civility.score(comments.head(1))[
        "incivility"].iloc[0]] * 2


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 400), max_size=60, unique=True), st.integers(0, 420), st.integers(0, 30))
def test_civility_in_pieces_agrees_with_testing_every_piece(cuts, s, n):
    # own_pieces are sorted and disjoint; past a few the check bisects instead of scanning.
    cuts = sorted(cuts)
    pieces = [(a, b) for a, b in zip(cuts[::2], cuts[1::2]) if a < b]
    e = s + n
    assert civility._in_pieces(s, e, pieces) == any(a <= s and e <= b for a, b in pieces)


def test_civility_repetition_in_a_long_repetitive_comment_marks_each_phrase_once():
    text = "Public schools need money now. " * 3000
    got = civility.spans(pd.DataFrame({"thread_id": ["t"], "comment_id": ["1"], "text": [text]}))
    rep = got[got["label"] == "repetition"]
    assert len(rep) > 0 and not rep.duplicated(["start"]).any()
    assert (rep["text"] == [text[a:b] for a, b in zip(rep["start"], rep["end"])]).all()
