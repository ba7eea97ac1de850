"""Tests for discourse.segment: sentences, quotes, URLs, artifacts and addresses as spans."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from discourse import segment
from discourse.errors import SchemaError
from discourse.model import SPAN_COLUMNS


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Public education is not a war. Still can't agree.", ["Public education is not a war.", "Still can't agree."]),
        ("Mr. Zimmer lost. Dr. Melvoin won!", ["Mr. Zimmer lost.", "Dr. Melvoin won!"]),
        ("e.g. this one. And the U.S. one.", ["e.g. this one.", "And the U.S. one."]),
        ("This is funny:\n“Across the country.”", ["This is funny:", "“Across the country.”"]),
        ("  padded  \n\n  twice.  ", ["padded", "twice."]),
        ("Wow Duane…I am amazed.", ["Wow Duane…I am amazed."]),
        ("", []),
        ("\n\n", []),
    ],
)
def test_segment_sentences_table(text, expected):
    assert [text[s.start:s.end] for s in segment.sentences(text)] == expected


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .!?\n“”\"'’:x")), max_size=80))
def test_segment_sentences_cover_text_in_order(text):
    spans = segment.sentences(text)
    last = 0
    for s in spans:
        piece = text[s.start:s.end]
        assert piece and piece == piece.strip()
        assert s.start >= last
        assert "\n" not in piece
        last = s.end
    # Nothing but whitespace is left out.
    covered = set()
    for s in spans:
        covered.update(range(s.start, s.end))
    assert all(text[i].isspace() for i in range(len(text)) if i not in covered)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Sorry, Ellen but “avoidance strategies” have not worked.", [("“avoidance strategies”", "term")]),
        ("“I find it funny” that the people won’t label them.", [("“I find it funny”", "inline")]),
        ('She said "we will win this war together" and left.', [('"we will win this war together"', "inline")]),
        ("This is funny:\n“Across the country, federal agencies and state and local governments are accelerating.”\nIt’s from a conference.",
         [("“Across the country, federal agencies and state and local governments are accelerating.”", "passage")]),
        ("Intro\nx x x x x\nMELVOIN: I am very concerned.\nx x x x x\nWhat-ever.", [("MELVOIN: I am very concerned.", "block")]),
        ("> you said this\n> and this\nNo I did not.", [("> you said this\n> and this", "block")]),
        ('An odd " quote mark', []),
        ("“Never closed quote runs to the end of the line\nNext line.", [("“Never closed quote runs to the end of the line", "passage")]),
        ("No quotes at all.", []),
    ],
)
def test_segment_quotes_table(text, expected):
    assert [(text[s.start:s.end], s.label) for s in segment.quotes(text)] == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Great post.\nLikeLike", [("LikeLike", "widget")]),
        ("Great post.\nLike\nReply", [("Like", "widget"), ("Reply", "widget")]),
        ("to heck.LikeLike", [("LikeLike", "widget")]),
        ("Like I said, fine.", []),
        ("I like it. Reply to me soon.", []),
        ("Liked by 3 people", [("Liked by 3 people", "widget")]),
        ("x x x x x x", [("x x x x x x", "delimiter")]),
    ],
)
def test_segment_artifacts_table(text, expected):
    assert [(text[s.start:s.end], s.label) for s in segment.artifacts(text)] == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("See https://ire.org/events/2703/.", ["https://ire.org/events/2703/"]),
        ("(www.example.com)", ["www.example.com"]),
        ("http://a.b/c?d=e, and more", ["http://a.b/c?d=e"]),
        ("no address here", []),
    ],
)
def test_segment_urls_table(text, expected):
    assert [text[s.start:s.end] for s in segment.urls(text)] == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Sorry, Ellen but avoidance has not worked.", ["Ellen"]),
        ("Wow Duane…I am amazed.", ["Duane"]),
        ("Protecting schools is not warfare, Chas.", ["Chas"]),
        ("how folks like you, Charles, prefer it", ["Charles"]),
        ("Ellen, you are wrong.", ["Ellen"]),
        ("Handel, the vicious Republican has garnered money.", []),
        ("Disrupt, destroy, loot is their mantra.", []),
        ("But, however, it is fine.", []),
    ],
)
def test_segment_addresses_table(text, expected):
    assert [text[s.start:s.end] for s in segment.addresses(text)] == expected


def test_segment_own_pieces_keep_terms_and_drop_quotes_urls_artifacts():
    text = 'He calls it "Dark Money". As Rankin said, "You can no more win a war than win an earthquake." https://x.org\nLikeLike'
    own = " ".join(text[s:e] for s, e in segment.own_pieces(text))
    assert "Dark Money" in own
    assert "earthquake" not in own and "x.org" not in own and "LikeLike" not in own
    assert own.startswith("He calls it")


def test_segment_spans_table_offsets_index_text():
    df = pd.DataFrame({
        "thread_id": ["t", "t", "t"], "comment_id": ["a", "b", "c"],
        "text": ['Sorry, Ellen but “avoidance strategies” failed. https://a.org\nLikeLike', "", "Plain."],
    })
    out = segment.spans(df, kinds=segment.KINDS)
    assert list(out.columns) == list(SPAN_COLUMNS)
    texts = dict(zip(df["comment_id"], df["text"]))
    for row in out.itertuples(index=False):
        assert texts[row.comment_id][row.start:row.end] == row.text
    assert set(out["kind"]) == {"sentence", "quote", "url", "artifact", "address"}
    assert "b" not in set(out["comment_id"])


def test_segment_spans_empty_frame():
    out = segment.spans(pd.DataFrame({"text": pd.Series([], dtype=object)}))
    assert list(out.columns) == list(SPAN_COLUMNS) and len(out) == 0


@pytest.mark.parametrize(
    "kwargs, frame",
    [({}, pd.DataFrame({"body": ["x"]})), ({"kinds": ["emoji"]}, pd.DataFrame({"text": ["x"]}))],
)
def test_segment_spans_bad_input_raises(kwargs, frame):
    with pytest.raises(SchemaError):
        segment.spans(frame, **kwargs)


def test_segment_seed_quoted_blurb_and_interview(seed_corpus):
    texts = seed_corpus.comments["text"].tolist()
    funny = next(t for t in texts if t.startswith("This is funny:"))
    passages = [s for s in segment.quotes(funny) if s.label == "passage"]
    assert len(passages) == 1
    assert funny[passages[0].start:passages[0].end].startswith("“Across the country")
    assert funny[passages[0].start:passages[0].end].endswith("public infrastructure.”")
    melvoin = next(t for t in texts if "EDSOURCE:" in t)
    blocks = [melvoin[s.start:s.end] for s in segment.quotes(melvoin) if s.label == "block"]
    assert len(blocks) == 1 and blocks[0].startswith("EDSOURCE:") and "x x x" not in blocks[0]
    delims = [s for s in segment.artifacts(melvoin) if s.label == "delimiter"]
    assert len(delims) == 2


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab Mr. Dr!?\"“”)(12 ,;:-…'’\n")), max_size=80))
def test_segment_fast_punkt_splits_like_stock_punkt(text):
    assert list(segment._punkt().span_tokenize(text)) == list(segment._stock_punkt().span_tokenize(text))


def test_segment_fast_punkt_splits_seed_like_stock_punkt(seed_corpus):
    texts = seed_corpus.comments["text"].tolist() + seed_corpus.threads["text"].tolist()
    for text in texts:
        assert list(segment._punkt().span_tokenize(text)) == list(segment._stock_punkt().span_tokenize(text))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("So true !! Next one.", ["So true !!", "Next one."]),
        ("Is it (really?). Yes.", ["Is it (really?).", "Yes."]),
    ],
)
def test_segment_sentences_keep_stray_punctuation(text, expected):
    assert [text[s.start:s.end] for s in segment.sentences(text)] == expected


def _sentences_with_stock_punkt(text):
    """segment.sentences as it was first written: stock Punkt on every line, no shortcut."""
    punkt = segment._stock_punkt()
    out = []
    for line in segment._LINE.finditer(text):
        base, chunk = line.start(), line.group()
        if not chunk.strip():
            continue
        first = len(out)
        for s, e in punkt.span_tokenize(chunk):
            piece = chunk[s:e]
            lead, trail = len(piece) - len(piece.lstrip()), len(piece) - len(piece.rstrip())
            if e - trail <= s + lead:
                continue
            if len(out) > first and not segment._HAS_WORD.search(piece):
                out[-1] = out[-1]._replace(end=base + e - trail)
                continue
            out.append(segment.Span(base + s + lead, base + e - trail, "sentence"))
    return out


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab Mr. Dr!?\"“”)(12 ,;:-…'’\n\t")), max_size=120))
def test_segment_sentences_shortcut_and_cache_split_like_stock_punkt(text):
    # Lines without a possible break skip Punkt; decisions are cached: neither may change a split.
    assert segment.sentences(text) == _sentences_with_stock_punkt(text)
    assert segment.sentences(text) == _sentences_with_stock_punkt(text)


def test_segment_sentences_seed_like_stock_punkt(seed_corpus):
    for text in seed_corpus.comments["text"].tolist() + seed_corpus.threads["text"].tolist():
        assert segment.sentences(text) == _sentences_with_stock_punkt(text)


def test_segment_addresses_given_sentences_same_result(seed_corpus):
    for text in seed_corpus.comments["text"]:
        assert segment.addresses(text, sentences=segment.sentences(text)) == segment.addresses(text)


def test_segment_spans_split_sentences_once(monkeypatch):
    calls = []
    real = segment.sentences

    def counting(text):
        calls.append(text)
        return real(text)

    monkeypatch.setattr(segment, "sentences", counting)
    df = pd.DataFrame({"text": ["Wow Duane, you said it. Fine.", "Thanks, Ellen. No."]})
    out = segment.spans(df, kinds=segment.KINDS)
    assert len(calls) == 2
    assert {"sentence", "address"} <= set(out["kind"])


@pytest.mark.parametrize(
    "rows, n",
    [
        ([], 0),
        ([("t", "c", "url", "url", 0, 5, "www.x", "", "a web address")], 1),
    ],
)
def test_segment_span_table_columns_and_types(rows, n):
    out = segment.span_table(rows)
    assert list(out.columns) == list(SPAN_COLUMNS) and len(out) == n
    assert str(out["start"].dtype) == "int64" and str(out["end"].dtype) == "int64"


def test_segment_span_table_same_as_each_stage_built(seed_corpus):
    c = seed_corpus.comments
    built = segment.spans(c, kinds=segment.KINDS)
    rows = list(built.itertuples(index=False, name=None))
    pd.testing.assert_frame_equal(segment.span_table(rows), built)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["t", "", "t’2"]), st.sampled_from(["c", "", 3, None]),
                          st.sampled_from(["url", "quote"]), st.just("x"), st.integers(0, 9), st.integers(0, 9),
                          st.sampled_from(["www", "", "é “q”"]), st.sampled_from(["", None]), st.just("why")),
                max_size=4))
def test_segment_span_table_by_columns_like_pandas_by_rows(rows):
    # Columns of strings go straight to Arrow; anything else (ids as numbers, None) takes
    # pandas' own inference, so the table is the same either way.
    expected = pd.DataFrame(rows, columns=list(SPAN_COLUMNS)).astype({"start": "int64", "end": "int64"})
    pd.testing.assert_frame_equal(segment.span_table(rows), expected)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("ab Wow Ellen, x*-_ \t“”\"'«»„you. !?") + ["x x x", "***"]), max_size=30)
       .map("".join))
def test_segment_quotes_of_one_line_as_in_a_longer_text(text):
    # A one-line text without '>' takes a shortcut; with a line after it, the full scan.
    assert segment.quotes(text) == [q for q in segment.quotes(text + "\nthe end") if q.end <= len(text)]


_HINT_PIECES = ["Like", "LikeLike", "like", "Liked by 3 people", "Unlike", "Reply", "↓ Reply", "Share this:", "Loading...",
                "Report comment", "Rate This", "Permalink", "Vote up", "Upvote", "Collapse", "[-]", "[+]", "x x x",
                "***", "---", "~~~", "xxx", "heck.LikeLike", "I like it", "www.Example.org", "WWW.x.org",
                "http://a.b/c", "HTTPS://X.Y", "see ://", "word", " ", "\t", "\n", "\r", "\r\n", ".", "Xmas"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_HINT_PIECES), max_size=10), st.lists(st.sampled_from(["", " ", "\n", "\r"]), max_size=10))
def test_segment_artifact_and_url_shortcuts_change_nothing(pieces, seps):
    # Texts without a hint of a button, delimiter or address skip the line-by-line scan;
    # the result must be what the full scan finds.
    text = "".join(p + (seps[i] if i < len(seps) else "") for i, p in enumerate(pieces))
    assert segment.artifacts(text) == segment._artifact_lines(text)
    assert segment.urls(text) == segment._url_spans(text)


# Fast paths: each must give exactly what the slow path gives.

_PUNKT_ALPHABET = list("ab AJ Mr. Dr. e.g U.S. St. 12 2017. !?\"“”'’)(][}{,;:-–…\n\t\x0b\x0c\u2028\u00a0") + [".", ". ", "..", "-"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PUNKT_ALPHABET), max_size=40).map("".join))
def test_segment_punkt_decision_like_stock_punkt(text):
    fast = segment._punkt()
    words = fast._lang_vars._word_tokenizer_re().findall
    assert segment._contains_sentbreak(text, words, fast._params.abbrev_types) == \
        segment._stock_punkt().text_contains_sentbreak(text)


@pytest.mark.parametrize("text", ["it. The", "Mr. Smith", "J. Bach", "J. said", "J. 12", "2017. The", "2017. and",
                                  "2017. , x", "so.. Then", "u.s. Army", "e.g. this", "vice-pres. Jones", "a ! b",
                                  "end.", "x? y", "J. \"Quote", "2017. \"Quote"])
def test_segment_punkt_decision_table_like_stock_punkt(text):
    fast = segment._punkt()
    words = fast._lang_vars._word_tokenizer_re().findall
    assert segment._contains_sentbreak(text, words, fast._params.abbrev_types) == \
        segment._stock_punkt().text_contains_sentbreak(text)


def test_segment_punkt_patterns_are_nltks():
    from nltk.tokenize.punkt import PunktLanguageVars

    def canonical(pattern):
        # nltk builds its non-word class from set(sent_end_chars) - {"."}: "?" and "!" come
        # in either order, as the hash seed falls (the class matches the same either way).
        assert pattern.count("\\?!") + pattern.count("!\\?") >= 1
        return pattern.replace("!\\?", "\\?!")

    stock = PunktLanguageVars()
    assert canonical(segment._PUNKT_WORDS.pattern) == canonical(stock._word_tokenizer_re().pattern)
    assert canonical(segment._PUNKT_PERIOD_CONTEXT.pattern) == canonical(stock.period_context_re().pattern)
    assert segment._PUNKT_REALIGNMENT.pattern == PunktLanguageVars.re_boundary_realignment.pattern


def test_segment_sentences_do_not_import_nltk():
    # nltk's import (scipy.stats, scikit-learn with it) cost more CPU than a parallel run's
    # warm-up of every other stage; the splitter needs only Punkt's patterns.
    import subprocess
    import sys

    code = ("import sys; from discourse import segment, pipeline; "
            "segment.sentences('Dr. Rankin said no. It is not a war! \u201cNo.\u201d Fine.'); pipeline.warm_up(); "
            "print(sorted(m for m in ('nltk', 'scipy', 'sklearn') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PUNKT_ALPHABET), max_size=60).map("".join))
def test_segment_punkt_spans_like_stock_punkt(text):
    assert segment._punkt_spans(text) == list(segment._stock_punkt().span_tokenize(text))


def test_segment_punkt_spans_seed_like_stock_punkt(seed_corpus):
    stock = segment._stock_punkt()
    for text in seed_corpus.comments["text"].tolist() + seed_corpus.threads["text"].tolist():
        for line in segment._LINE.finditer(text):
            assert segment._punkt_spans(line.group()) == list(stock.span_tokenize(line.group()))


_SEGMENT_ALPHABET = list("ab Like Reply x*-_>[ \t\n\r“”\"'Ellen, Wow Sorry you. !?") + ["LikeLike", "x x x", "***", ", Chas"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_SEGMENT_ALPHABET), max_size=30).map("".join))
def test_segment_artifact_hint_like_one_regex(text):
    assert segment._artifact_hint(text) == bool(segment._ARTIFACT_HINT.search(text))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_SEGMENT_ALPHABET), max_size=30).map("".join))
def test_segment_quote_and_address_gates_change_nothing(text):
    fast_quotes, fast_addresses = segment.quotes(text), segment.addresses(text)
    with pytest.MonkeyPatch.context() as mp:
        # Gates that always say "maybe": the full scan runs on every text.
        mp.setattr(segment, "_may_have_delimiters", lambda t: True)
        mp.setattr(segment, "_CAPITALISED", lambda t: True)
        mp.setattr(segment, "_COMMA_NAME", lambda t: True)
        mp.setattr(segment, "_NAME_THEN_MARK", lambda t: True)
        mp.setattr(segment, "_GREETING_NAME", lambda t: True)
        mp.setattr(segment, "_NAME_THEN_MARK_OR_GREETING", lambda t: True)
        assert segment.quotes(text) == fast_quotes
        assert segment.addresses(text) == fast_addresses


_GATE_ALPHABET = ["Hi", "Oh", "Ohh", "Ok", "Okay", "Sorry", "Thanks", "Agreed", "Wow", "Bob", "bob", "Ann", ",", " ",
                  "  ", "\n", "\t", "...", "..", "…", ":", "!", "Mc", "x", "No", "Not", "A", "hey", "É", "é", "_"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_GATE_ALPHABET), max_size=12).map("".join))
def test_segment_address_gate_in_one_scan_like_the_two(text):
    both = segment._NAME_THEN_MARK(text) is not None or segment._GREETING_NAME(text) is not None
    assert (segment._NAME_THEN_MARK_OR_GREETING(text) is not None) == both


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_SEGMENT_ALPHABET + ["www.x.org", "http://a.b/c.", "Mr. X. Y", "> q\n"]), max_size=30)
       .map("".join))
def test_segment_find_like_sorting_every_kind(text):
    expected = []
    sents = segment.sentences(text)
    for k in segment.KINDS:
        expected += sents if k == "sentence" else segment.addresses(text, sentences=sents) if k == "address" \
            else segment._FINDERS[k](text)
    expected.sort(key=lambda s: (s.start, s.end))
    assert segment._find(text, segment.KINDS) == expected
    assert segment._find(text, ("url", "quote")) == sorted(segment.urls(text) + segment.quotes(text),
                                                           key=lambda s: (s.start, s.end))


_MAY_PIECES = ["ab", "Like", "LikeLike", "like", "Reply", "x", "X x X", "***", "---", "> ", ">", '"', "“", "”",
               "www.", "WWW.", "http://", "://", "ok.", "Wow Ellen,", ", Chas.", "\x1c", "É", "  ", "\t", "Share this:"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from(_MAY_PIECES), st.sampled_from(["", " ", "\n", "\r", "\r\n", "\n\n"])),
                         max_size=8).map(lambda ps: "".join(a + b for a, b in ps)), min_size=2, max_size=6),
       st.sampled_from([segment.KINDS, ("quote", "url", "artifact", "address"), ("artifact",), ("sentence",)]))
def test_segment_may_find_keeps_every_span(texts, kinds):
    # The ASCII texts are read together for what each finder needs: no span may be lost.
    df = pd.DataFrame({"thread_id": "t", "comment_id": [str(i) for i in range(len(texts))], "text": texts})
    together = segment.spans(df, kinds=kinds)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(segment, "_may_find", lambda texts, kinds: [kinds] * len(texts))
        alone = segment.spans(df, kinds=kinds)
    pd.testing.assert_frame_equal(together, alone)


@pytest.mark.parametrize("ids", [["a", "b", "c"], [1, 2, 3], ["a", None, "c"]])
def test_segment_spans_by_columns_like_rows(ids):
    # spans() gathers the table's columns as lists; ids that are not strings take the
    # general path: either way the table is what the rows give.
    texts = ['Wow Duane…you said "avoidance strategies" work.\nLikeLike', "", 'See www.x.org. "Hm," Ann, ok.']
    df = pd.DataFrame({"thread_id": "t", "comment_id": ids, "text": texts})
    rows = [("t", c, kind, label, a, b, text[a:b], "", why) for c, text in zip(ids, texts)
            for a, b, kind, label, why in segment._find(text, segment.KINDS)]
    pd.testing.assert_frame_equal(segment.spans(df, kinds=segment.KINDS), segment.span_table(rows))


# ----------------------------------------------------------------------------- one text, or a clear error

_ONE_TEXT_HELPERS = [
    (segment.sentences, "sentences"), (segment.urls, "urls"), (segment.artifacts, "artifacts"),
    (segment.quotes, "quotes"), (segment.addresses, "addresses"), (segment.excluded, "excluded"),
    (segment.own_pieces, "own_pieces"),
]


def _one_text_helpers():
    from discourse import civility, framing, sentiment

    return _ONE_TEXT_HELPERS + [(sentiment.polarity, "polarity"), (framing.explain, "explain"),
                                (civility.mask_profanity, "mask_profanity")]


@pytest.mark.parametrize("func, name", _one_text_helpers(), ids=lambda x: x if isinstance(x, str) else "")
@pytest.mark.parametrize("passed, got, tip", [
    (pd.Series(["Hi there. Bye."]), "a pandas Series", "For a column of texts use series.map({name})"),
    (pd.DataFrame({"text": ["Hi."]}), "a pandas DataFrame", "Pass one text, e.g. comments['text'].iloc[0]"),
    (float("nan"), "NaN (a missing value)", "Fill missing texts first: series.fillna('')."),
    (b"Hi.", "bytes", "Decode it first"),
    (7, "int 7", "Pass str(value)"),
])
def test_segment_text_helpers_say_what_to_pass_instead_of_a_pandas_error(func, name, passed, got, tip):
    if name == "mask_profanity" and not isinstance(passed, pd.DataFrame):
        return  # masks a Series (below) and passes missing values through, for use on a column with gaps
    with pytest.raises(SchemaError) as err:
        func(passed)
    assert str(err.value).startswith(f"{name} needs one text (a str); got {got}. {tip.format(name=name)}")


def test_segment_mask_profanity_masks_a_series_of_texts():
    from discourse.civility import mask_profanity

    texts = pd.Series(["What the fuck.", "Fine."], index=[3, 5])
    pd.testing.assert_series_equal(mask_profanity(texts), pd.Series(["What the f***.", "Fine."], index=[3, 5]))


def test_segment_sentences_of_a_series_mapped_equals_one_by_one():
    texts = pd.Series(["One. Two.", "Three!"])
    assert texts.map(segment.sentences).tolist() == [segment.sentences(t) for t in texts]
