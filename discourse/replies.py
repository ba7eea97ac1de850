"""Replies: reply links and speakers for threads whose source lost them.

Terms
-----
thread
    A post and the comments under it. The post is the *root*; a comment with an empty
    ``parent_id`` answers the post.
reply link
    A comment -> the comment it answers (its *parent*). *Explicit* when the source gave
    it, *inferred* when this stage reconstructed it from cues in the text.
listing order
    How the source listed the comments. ``display``: as a page shows nested comments,
    each reply below its parent's subtree, so a reply's parent is the post, the comment
    listed just above it, or one of that comment's ancestors. ``chronological``: oldest
    first (flat views, chat logs), so the parent is any earlier comment.
cue
    A piece of evidence that comment *i* answers comment *j*: *i* addresses *j*'s author
    by name ("Sorry, Ellen but"), quotes *j* (verbatim or nearly), repeats its words,
    answers its question, follows it closely in time, or continues an exchange between
    two speakers. Each cue is a feature (:data:`FEATURES`); a scorer weighs them and
    the best-scoring candidate becomes the parent. For chronological order the scorer
    ships in ``discourse/data/reply_model.json``, written by ``bench/train_replies.py``,
    in two kinds (see *chat* and *forum*): for chats, gradient-boosted trees over the
    cues plus :data:`CHRONO_FEATURES` (distance, time gap, who spoke since, rare shared
    words, the *conversations* the earlier links form, system lines, comment-level cues),
    learned from IRC and Molweni development data (the second time along their own earlier
    choices, so the cues that read earlier links see what inference sees) and stored
    as JSON arrays that this module walks itself (no pickle); for forums, a conditional
    logit over :data:`FORUM_FEATURES` learned from a Reddit thread, with an extra weight
    for answering the post. For display order, where the choice is how far to climb back
    up the reply chain of the comment above, two scorers ship: the hand-set weighting of
    the cues in ``_HEURISTIC``, each weight with its reason, and a learned one in
    ``discourse/data/reply_model_display.json`` (``bench/train_replies_display.py``,
    ``model="learned"``): one conditional logit per condition (names and times, either,
    neither) over the cues and the display cues (:data:`DISPLAY_FEATURES`), learned from
    the one licensed Reddit thread shown in display order. By default a thread with
    times gets the hand-set scorer (with the time rules it measures best on the blog and
    ConvoKit evaluation threads) and a thread without times the learned one (it measures
    best there on the development folds and on blogs); see the README's Measured table.
    Neither scorer is trained on the ConvoKit r/Cornell sample: it is evaluation-only data.
conversation
    Chronological order: a comment that answers the post (in a chat: starts a new
    conversation) and the comments linked to it, directly or through others, so far.
chat, forum
    Kinds of conversation, for chronological order (``kind=``). In a *chat* (IRC, chat
    exports) nearly every message answers an earlier one, mostly a recent one. In a
    *forum* (Reddit, blogs and news sites listed oldest first) most comments answer the
    post, and a comment is linked to an earlier comment only when a cue (a "> " quote,
    shared rare words, a name, "the candidate answered me") outweighs the post by a margin;
    an author who wrote in the thread before (on Reddit they seldom answer the post) is
    linked to any comment that outscores the post, most likely one written since their
    own previous comment, which is then taken to answer that comment. ``auto``
    takes a thread with a post text, or with comments a median of ten minutes or more
    apart, for a forum.
time rules
    Display order with times (pages list siblings oldest first): a reply is never older
    than its parent; a reply to *j* is newer than the child of *j* listed before it; and
    a comment cannot answer the post when a comment listed after it is older (that one
    can be neither its reply nor a later top-level comment, so it hangs from an ancestor
    above this comment's parent).
joint decoding
    Display order is decoded for the whole thread at once, not comment by comment: a
    beam search over the stack of open ancestors (the reply chain of the comment above),
    scoring each thread by the sum of its links' log-probabilities among the candidates
    the time rules allow. A choice that leaves a later comment no place the rules allow
    costs its thread a penalty, so a greedy choice that would strand a later comment loses
    to one that does not.
parent_confidence
    The model's probability for the chosen parent among the candidates it weighed
    (a softmax over candidate scores; for display order, over the candidates the time
    rules allow, given the links above it in the chosen thread); 1 for explicit links.
parent_evidence
    A sentence naming the cues behind an inferred link, which a reader can check
    against the two comments.
second parent
    A chat message can answer two earlier messages at once ("thanks, both of you"; IRC
    annotators gave 3.7% of test messages two or more parents). In a chat with times,
    when the runner-up candidate is likely a parent too (a small second model of trees
    over the two best candidates' scores and cues says so with probability
    :data:`SECOND_THRESHOLD` or more), its id goes to ``also_replies_to`` and
    ``parent_evidence`` says why. ``parent_id`` stays the one best parent, so the reply
    tree is unchanged; ``also_replies_to`` is empty elsewhere (display order, forums,
    messages without a time: the second model learned from timed IRC logs, the only
    training data that marks second parents; on Molweni dev, which has no times and
    never marks one, it named 332 runner-ups and cost 0.02 link F1).
speaker
    The author. Where names are missing, :func:`infer_speakers` fills ``author`` from
    cues: the comment answered as "Ellen" is Ellen's; a comment that speaks of "my
    comment" is by the author of the comment its parent answered; a comment signed
    "-- Bob" is Bob's. Such authors get ``author_source="inferred"`` and an
    ``author_evidence`` sentence.

Inference is near-linear in thread length: each comment weighs a bounded candidate set
(the display-order ancestor chain, or the last ``max_candidates`` comments plus the
latest comment by each name it addresses, the comments it quotes, found through an
n-gram index, the most similar earlier comments, found through a sparse tf-idf index
that keeps each word's last 30 comments (10 for a chat, 30 for a forum), the most
answered comments and those that answered this speaker).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import json
import math
import operator
import re
from collections import Counter, defaultdict, deque
from importlib import resources

import numpy as np
import pandas as pd

from .errors import SchemaError
from .model import require_columns

# candidate_features is the scorer's internal feature function; it takes the module's
# private thread state, so it is not part of the public API.
__all__ = ["CHRONO_FEATURES", "DISPLAY_FEATURES", "FEATURES", "addressees", "infer_replies", "infer_speakers", "spans"]

_MODES = ("auto", "always", "never")
_ORDERS = ("display", "chronological")

#: The cue features, in the order the shipped model's coefficients use.
FEATURES = (
    "root",               # the candidate is the post
    "root_addressing",    # post candidate, and the comment addresses someone by name
    "root_op",            # post candidate, and the comment is by the post's author
    "root_you",           # post candidate, and the comment says "you"
    "root_sim",           # post candidate: word overlap with the post text
    "prev",               # the comment listed just above
    "log_dist",           # log(1 + comments between them)
    "log_rank",           # display order: log(1 + steps up the ancestor chain of the comment above)
    "addr_author",        # addresses the candidate's author by name
    "addr_author_latest", # ... and the candidate is that author's latest comment
    "mention_author",     # names the candidate's author anywhere
    "addr_other",         # addresses someone, and the candidate's author is someone else
    "addr_unknown",       # addresses a name, the candidate's author is unknown and may be that name
    "addr_conflict",      # the candidate itself addresses that name, so it is not by that person
    "rev_addr",           # the candidate addressed this comment's author
    "same_author",        # both by the same author
    "alternation",        # this author wrote the comment the candidate answers (A -> B -> A)
    "op_reply",           # the comment is by the post's author (bloggers answer commenters)
    "quote",              # quotes the candidate (best fraction of a quoted phrase found in it)
    "shared_ngram",       # repeats a run of four or more words from the candidate
    "tfidf",              # cosine similarity of tf-idf word vectors
    "question",           # the candidate asks a question
    "log_gap",            # log(1 + minutes between them), where both have times
    "no_time",            # times missing
    "same_author_latest", # the candidate is the latest of two or more comments by its author
    "cand_answered",      # log(1 + replies the candidate already has)
    "sib_ok",             # display order: newer than the sibling listed before it under this candidate
    "sib_violation",      # display order: older than that sibling (pages list siblings oldest first)
    "root_len",           # post candidate: log(1 + words in the comment); short comments tend to be replies
    "root_opener",        # post candidate, and the comment opens as a reply does ("Thanks", "Yes", "Good catch")
    "author_in_chain",    # this author wrote a comment further up the candidate's reply chain
    "root_logpos",        # post candidate: log(1 + comments listed before this one, at most 20)
    "self_continue",      # the same author's latest message, moments before (a chat message split in two)
    "addr_dist",          # log_dist where the comment addresses the candidate's author: a name reaches back
)

#: Cue features used only for display order (pages), where the choice per comment is how
#: far to climb back up the reply chain of the comment above: stay (answer it), climb one
#: or more levels, or go to the post.
DISPLAY_FEATURES = (
    "rank1",              # the parent of the comment above (the comment becomes its sibling)
    "rank2p",             # two or more steps up the chain
    "root_depth",         # post candidate: log(1 + depth of the comment above) (the trainer leaves it out)
    "cand_depth",         # log(1 + depth of the candidate; 0 = answers the post) (left out likewise)
    "best_sim",           # the candidate (post included) shares the most weighted words with the comment
    "root_addr_op",       # post candidate, and the comment addresses the post's author by name
    "answer_opener",      # the candidate asks a question and the comment opens as an answer ("Yes", "No", "Thanks")
    "root_gap",           # post candidate: log(1 + minutes since the comment above), where times exist
    "root_ngram",         # post candidate: repeats a run of four or more words from the post
    "root_quote",         # post candidate: quotes the post
    "root_short",         # post candidate, and the comment has at most 12 words
    "prev_same_author",   # the comment above is by the same author, and the candidate is that comment
    "block_quote",        # quotes the candidate (or, for the post, the post) in a "> " line, as Markdown does
    "root_post_ref",      # post candidate, and the comment speaks of the post ("great article", "the author", "OP")
    "cand_by_op",         # the candidate is by the post's author
    "root_new_author",    # post candidate, and the comment's author has not written in the thread before
    "root_out_of_order",  # post candidate, but a comment listed later is older (pages list top-level comments oldest first)
)

#: Further cues, computed for chronological order only, for the tree scorer (raw
#: values: trees find their own cut points). Comment-level ones (the same for every
#: candidate) let the trees tell chat from forum threads.
CHRONO_FEATURES = (
    "dist",               # comments between them plus one (capped at 200)
    "gap_min",            # minutes between them (-1 without times; capped at 1440)
    "cand_author_since",  # the candidate's author wrote again after it
    "own_since",          # this comment's author wrote again after the candidate
    "cand_root_level",    # the candidate answers the post (as decided so far)
    "same_partner",       # the candidate's author is the one this author last answered
    "cand_answers_me",    # the candidate answers a comment by this author
    "cand_len",           # log(1 + words in the candidate)
    "i_len",              # log(1 + words in this comment)
    "i_question",         # this comment asks a question
    "i_addresses",        # this comment addresses someone by name
    "i_you",              # this comment says "you"
    "i_opener",           # this comment opens as a reply does
    "i_logpos",           # log(1 + comments before this one)
    "has_author",         # this comment's author is known
    "lowercase",          # the thread's texts are lower-cased (tokenised chat corpora)
    "n_cands",            # log(1 + candidates weighed)
    "rank_tfidf",         # rank of the candidate by tf-idf cosine among the candidates (0 = most similar)
    "speakers_between",   # distinct authors who wrote between the candidate and this comment (capped at 30)
    "rare_overlap",       # the rarest word shared with the candidate, as idf over the thread's top idf (0 if none)
    "rev_mention",        # the candidate names this comment's author anywhere (not only as an address)
    "cand_addr_other",    # the candidate addresses someone, and not this comment's author
    "i_thanks",           # this comment thanks someone ("thanks", "thx", "ty")
    "my_previous",        # the candidate is this author's previous comment
    "cand_has_author",    # the candidate's author is known
    "cand_system",        # the candidate is a system line ("has joined", "is now known as")
    "i_system",           # this comment is a system line
    "i_url",              # this comment has a link
    "cand_url",           # the candidate has a link
    "i_author_gap",       # log(1 + minutes since this author last wrote) (-1: first comment or no times)
    "i_author_count",     # log(1 + comments this author wrote before)
    "cand_first_by_author",  # the candidate is its author's first comment in the thread
    "cand_author_later",  # log(1 + comments its author wrote after the candidate)
    "i_mentions_known",   # this comment names a known author anywhere (not only as an address)
    "same_conv_mine",     # the candidate is in the conversation of this author's previous comment
    "conv_latest",        # the candidate is the latest comment of its conversation (as decided so far)
    "conv_size",          # log(1 + comments in the candidate's conversation so far)
    "conv_has_me",        # this author wrote in the candidate's conversation
    "cand_conv_age",      # log(1 + comments since the candidate's conversation started)
)
ALL_FEATURES = FEATURES + CHRONO_FEATURES

#: The cues of the forum scorer (chronological order, ``kind="forum"``): a conditional
#: logit over the post and the earlier comments, where most comments answer the post
#: unless a cue ties them to a comment. Cues of the post candidate describe the comment
#: (is it short, does it open as a reply, quote, address or say "you"); the others
#: describe the candidate. Names shared with :data:`FEATURES` or
#: :data:`DISPLAY_FEATURES` mean the same thing.
FORUM_FEATURES = (
    "root", "root_len", "root_opener", "root_you", "root_sim", "root_logpos", "root_addressing", "root_op",
    "root_question",      # post candidate, and the comment asks a question
    "root_new_author",    # post candidate, and the comment's author has not written in the thread before
    "root_post_ref",      # post candidate, and the comment speaks of the post ("the article", "OP")
    "root_quote",         # post candidate: quotes the post (quotation marks or a "> " line)
    "root_quotes_other",  # post candidate, and the comment quotes something ("> " line or quotation marks) not in the post
    "root_lower_start",   # post candidate, and the comment opens in lower case (a continuation, as replies often do)
    "block_quote",        # quotes the candidate in a "> " line
    "quote", "shared_ngram", "tfidf", "best_sim",
    "rank_sim",           # 1 / (1 + rank of the candidate by tf-idf cosine among the comment's candidates)
    "rare_overlap",       # the rarest word shared with the candidate, as idf over the thread's top idf (0 if none)
    "addr_author", "mention_author", "rev_addr", "alternation", "cand_answers_me", "same_author", "op_reply",
    "cand_by_op",         # the candidate is by the post's author
    "question", "answer_opener", "prev", "log_dist", "log_gap",
    "gap_rank",           # log(1 + candidates written after this one), where times exist: recency among the candidates
    "cand_top",           # the candidate answers the post (as decided so far)
    "cand_answered",      # log(1 + replies the candidate has so far)
    "cand_len",           # log(1 + words in the candidate)
    "cand_sim_mine",      # tf-idf cosine of the candidate with this author's latest comment before it (does it answer me?)
    "mine_before_cand",   # this author wrote before the candidate, which is by someone else
    "exchange",           # log(1 + turns between this author and the candidate's author up to the candidate): a back-and-forth
    "root_returning",     # post candidate, and the comment's author (not the post's) wrote in the thread before
    "after_mine",         # the candidate, by someone else, came after this author's latest comment (it may answer me)
    "gap_after_mine",     # log(1 + minutes from this author's latest comment to the candidate), where after_mine
    "sim_mine_rank",      # 1 / (1 + rank by cand_sim_mine among the candidates after this author's latest comment)
    "gap_back",           # log(1 + minutes from the candidate to this comment), where after_mine: a quick answer back
    "author_in_chain",    # this author wrote a comment further up the candidate's reply chain (as decided so far)
    "cand_edit",          # the candidate has an "Edit:" line (edited after drawing replies)
)
_KINDS = ("auto", "chat", "forum")

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
# _WORD on lower-cased ASCII text without curly apostrophes (a plain class scans faster).
# Possessive: the same words as r"[a-z0-9]+(?:'[a-z0-9]+)*" (no class holds the apostrophe,
# so nothing is given back), without the engine's backtracking records.
_WORD_ASCII = re.compile(r"[a-z0-9]++(?:'[a-z0-9]++)*+")
_STOP = frozenset("""a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had has have having he
her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of
off on once only or other our ours ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very was we were what when where which while
who whom why will with would you your yours yourself yourselves s t don doesn didn isn wasn aren can't won't it's i'm
i've that's there's also get got like one even much many well really would could""".split())

_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|yourself|u)\b", re.IGNORECASE)
# Quoted phrases: double quotes of any kind, or ‘single curly quotes’ opening after a
# non-letter (a straight ' is an apostrophe far more often than a quote mark).
_QUOTED = re.compile(r"[“\"«]([^“”\"«»\n]{3,240}?)[”\"»]|(?<![^\W\d_])‘([^‘’\n]{3,240}?)’(?![^\W\d_])")
_QUOTE_MARKS = re.compile(r"[“\"«‘]")  # a text without any cannot match _QUOTED
# _QUOTED where a text has no ‘ (its second branch cannot match there): the same matches,
# found faster (the search skips ahead to a double quote mark).
_QUOTED_DOUBLE = re.compile(r"[“\"«]([^“”\"«»\n]{3,240}?)[”\"»]")
# _SECOND_PERSON on lower-cased ASCII text.
_SECOND_PERSON_ASCII = re.compile(r"\b(?:you|your|yours|yourself|u)\b")
# The same words without the leading \b, which made the engine try every position; the
# boundary before the word is tested by hand (see _says_you).
_SECOND_PERSON_TAIL = re.compile(r"(?:you(?:rself|rs|r)?|u)\b")


# The words _SECOND_PERSON matches.
_YOU_RUNS = frozenset(["you", "your", "yours", "yourself", "u"])


def _has_run(words, text, runs):
    """Whether a run of letters and digits of *text* is one of *runs*, from *words* (the set
    of its :func:`_tokens`): the runs are the words and their pieces between apostrophes."""
    if not runs.isdisjoint(words):
        return True
    if "'" not in text and "’" not in text:
        return False
    return any(not runs.isdisjoint(w.split("'")) for w in words if "'" in w)


def _says_you(text, words=None):
    """Whether *text* says "you" (:data:`_SECOND_PERSON`; on lower-cased ASCII text,
    ``_SECOND_PERSON_ASCII.search(text.lower())``); *words*, the set of its
    :func:`_tokens`, answers for an ASCII text without "_" (see _has_run)."""
    if not text.isascii():
        return bool(_SECOND_PERSON.search(text))
    if words is not None and "_" not in text:
        # Without "_" (a word character that splits no word), a match is a whole run of
        # letters and digits.
        return _has_run(words, text, _YOU_RUNS)
    low = text.lower()
    pos = 0
    while (m := _SECOND_PERSON_TAIL.search(low, pos)) is not None:
        k = m.start()
        if not k or not (low[k - 1].isalnum() or low[k - 1] == "_"):
            return True
        pos = k + 1
    return False


_BLOCK_QUOTE = re.compile(r"^[ \t]*(?:>|&gt;)[ \t]?(.+)$", re.MULTILINE)
_POST_REF = re.compile(
    r"\b(?:(?:this|the|your|great|nice|good|interesting|excellent|fascinating|wonderful|fine|informative)\s+"
    r"(?:post|article|piece|blog|write-?up|essay|read|analysis|story)|the author|OP|you write|you wrote|"
    r"you say|you said|you claim|you mention|you suggest|you argue|in your (?:post|article|piece))\b",
    re.IGNORECASE)
_SELF_REF = re.compile(
    r"\b(?:my (?:comment|post|point|reply|remark|words|statement|question|argument)|"
    r"what I (?:said|wrote|meant)|I (?:said|wrote) (?:above|earlier|before))\b", re.IGNORECASE)
_OPENER = re.compile(
    r"^\W*(?:yes|yeah|yep|no|nope|thanks(?! to\b)|thank you|thx|good (?:catch|point|question)|great (?:point|question)|"
    r"agreed|i agree|i disagree|exactly|right|true|indeed|sorry|but|well|that's|that is|this is (?:not|wrong|right)|"
    r"not really|nope|lol|haha|ha|ok|okay|fair|interesting|wow|oh|huh|really|you|your|@)\b", re.IGNORECASE)
# Chat system lines: IRC joins, parts, quits and nick changes ("bob [~b@host]  has joined
# #ubuntu", "lev is now known as lev-away"), and chat apps' "Ann joined the channel".
_SYSTEM = re.compile(r"^\S+ (?:\[[^\]]*\]\s+)?(?:has (?:joined|left) [#&]|has quit\b)|^\S+ is now known as \S+\s*$"
                     r"|^\S+(?: \S+)? (?:has )?(?:joined|left) the (?:channel|chat|room|group)\b", re.IGNORECASE)
_URL = re.compile(r"https?://|www\.\S", re.IGNORECASE)
_THANKS = re.compile(r"\b(?:thanks|thank you|thank u|thx|thnx|ty|cheers)\b", re.IGNORECASE)
_SIGNATURE = re.compile(r"(?:^|\n)\s*(?:--+|—|–|~)\s*([A-Z][a-z]+(?: [A-Z][a-z]+)?)\s*$")

# Capitalised words that open or punctuate sentences but are not names.
_NOT_NAMES = frozenset("""I I'm I've I'd I'll A An The This That These Those It It's Its He She We They You Your Yes No
Not Oh Ok OK Okay Wow Sorry Thanks Thank Hi Hey Hello Dear Well Also And But Or So Then Now Here There What When Where
Why How Who Which Just Still Even Sure Right Agreed Exactly Indeed Amen Bravo Great Good Nice True False Sad Lol LOL
Please Maybe Perhaps Of If As At In On To For With By From Is Are Was Were Be Do Does Did Have Has Had My Our Their His
Her Mr Mrs Ms Dr Sir Madam Folks Friends Everyone Guys Man Dude Bro Ah Gee Ha Haha Hmm Uh Um Huh Mine Seriously Really
God Jesus America American Americans Congress Democrats Republicans Dems Repubs Trump Obama""".split())
_INTERJECTION = (r"(?:Sorry|Wow|Oh|Hi|Hey|Hello|Dear|Thanks|Thank you|Well|Yes|No|Ah|Gee|Agreed|Exactly|Right|"
                 r"Indeed|Amen|Bravo|Great point|Good point|Nice|Sure|Look|Listen|Ok|OK|Okay|Come on|Congrats|"
                 r"Congratulations|Welcome|Ha|Haha|Lol|LOL|Yo|Cheers|Brilliant|Spot on|Hmm)")
_NAME = r"([A-Z][a-z]{1,20}(?:['’][a-z]+)?)"
_ADDRESS_PATTERNS = (
    # "Sorry, Ellen but", "Wow Duane…", "Thanks Bob!"
    re.compile(r"^\W*" + _INTERJECTION + r"[,!.]?\s+" + _NAME + r"(?=[\s,.!?:;…—–-]|$)"),
    # "Duane, you are wrong", "@nick: text"
    re.compile(r"^\W*@?" + _NAME + r"\s*(?:[,:…]|\.\.\.|—|–|-\s)"),
    # "… not warfare, Chas.", "fits perfectly, Duane, just"
    re.compile(r",\s+" + _NAME + r"(?=\s*(?:[.!?…]|,\s|$))"),
    # "you Ellen who", "folks like you, Charles,"
    re.compile(r"\byou,?\s+" + _NAME + r"\b"),
    # "@Ellen"
    re.compile(r"@" + _NAME + r"\b"),
)

# "We'll", "They're", "Don't", "Let's": a capitalised word with a contraction's ending opens
# a sentence; it names nobody ("Thanks. We'll look into it").
_CONTRACTION = re.compile(r"(?:['’](?:ll|re|ve|d|m|t)|n['’]t)$")


def _contraction(word: str) -> bool:
    if _CONTRACTION.search(word):
        return True
    stem, sep, _ = word.replace("’", "'").partition("'s")
    return bool(sep) and (stem in _NOT_NAMES or stem in ("Let", "What", "Who", "Where", "Here", "There", "That"))


# Common English short forms of first names, both directions.
_NICKNAMES = {
    "charles": ("chas", "chuck", "charlie", "chaz"), "robert": ("bob", "rob", "bobby", "robbie", "bert"),
    "william": ("bill", "will", "billy", "willy", "liam"), "james": ("jim", "jimmy", "jamie"),
    "michael": ("mike", "mick", "mikey"), "richard": ("rick", "dick", "rich", "richie"),
    "elizabeth": ("liz", "beth", "betsy", "lizzie", "betty", "eliza"), "margaret": ("maggie", "meg", "peggy"),
    "joseph": ("joe", "joey"), "thomas": ("tom", "tommy"), "anthony": ("tony",), "edward": ("ed", "eddie", "ted"),
    "katherine": ("kate", "kathy", "katie"), "catherine": ("cathy", "kate", "cat"), "patricia": ("pat", "patty", "trish"),
    "patrick": ("pat", "paddy"), "susan": ("sue", "suzy"), "deborah": ("deb", "debbie"), "rebecca": ("becky", "becca"),
    "jennifer": ("jen", "jenny"), "christopher": ("chris",), "christine": ("chris", "chrissy"), "daniel": ("dan", "danny"),
    "david": ("dave", "davey"), "stephen": ("steve",), "steven": ("steve",), "alexander": ("alex",), "andrew": ("andy", "drew"),
    "benjamin": ("ben",), "nicholas": ("nick",), "samuel": ("sam",), "timothy": ("tim",), "kenneth": ("ken",),
    "lawrence": ("larry",), "gerald": ("jerry",), "jonathan": ("jon",), "matthew": ("matt",), "peter": ("pete",),
    "frederick": ("fred",), "douglas": ("doug",), "gregory": ("greg",), "raymond": ("ray",), "ronald": ("ron",),
    "donald": ("don",), "leonard": ("len", "lenny"), "philip": ("phil",), "phillip": ("phil",), "eleanor": ("ellie", "nora"),
    "ellen": ("ellie",), "diane": ("di",), "dianne": ("di",), "barbara": ("barb",), "victoria": ("vicky", "tori"),
}
_ALIASES: dict[str, set] = defaultdict(set)
for _full, _shorts in _NICKNAMES.items():
    for _s in _shorts:
        _ALIASES[_full].add(_s)
        _ALIASES[_s].add(_full)


# Words that are not content words in lower-cased ASCII text: the stop words and every
# one-character word (see _content_words).
_NOT_CONTENT_ASCII = _STOP | frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _content_words(toks, text):
    """The words of *toks* (:func:`_tokens` of *text*) that tf-idf weighs: no stop word,
    two characters or more."""
    words = list(itertools.filterfalse(_NOT_CONTENT_ASCII.__contains__, toks))
    # Words of one character outside ASCII, which the set does not hold.
    return words if text.isascii() else [w for w in words if len(w) > 1]


@functools.lru_cache(maxsize=1024)
def _tf_weight(count):
    """The weight of a word said *count* times in a text: 1 + log(count)."""
    return 1 + math.log(count)


def _term_counts(words):
    """(each distinct word of *words* with its count, in the order the words first come;
    whether every count is 1, as in most comments)."""
    tf = dict.fromkeys(words, 1)
    if len(tf) == len(words):
        return tf, True
    if len(words) > 40:
        # Counter counts in C, which pays on long texts only.
        return Counter(words), False
    tf = {}
    for w in words:
        tf[w] = tf.get(w, 0) + 1
    return tf, False


def _tokens(text: str) -> list[str]:
    straight = text.replace("’", "'")
    if straight.isascii():
        # Lower-casing ASCII keeps every character's class, so the words are the same.
        return _WORD_ASCII.findall(straight.lower())
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


@functools.lru_cache(maxsize=65536)
def _name_keys(name: str) -> frozenset:
    """Lower-case keys a name can be matched by: each word, its nickname forms."""
    name = name.strip()
    keys = {name.lower()}
    if " " in name:
        # A person's name ("Daniel Lemire"): each word, and nicknames of the first.
        # A handle ("PM_ME_YA_B", "foo-bar") is matched only whole: its pieces are
        # often ordinary words.
        words = [w.lower() for w in _WORD.findall(name) if len(w) > 2 and w.lower() not in _STOP]
        keys |= set(words)
        if words:
            keys |= _ALIASES.get(words[0], set())
    else:
        keys |= _ALIASES.get(name.lower(), set())
    keys.discard("")
    return frozenset(keys)


@functools.lru_cache(maxsize=65536)
def _same_person(addressed: str, author: str) -> bool:
    """True when the name *addressed* in a text can refer to *author*."""
    if not addressed or not author:
        return False
    a = addressed.lower()
    keys = _name_keys(author)
    if a in keys or _ALIASES.get(a, frozenset()) & keys:
        return True
    first = next(iter(w.lower() for w in _WORD.findall(author)), "")
    # "Dan" for "Daniel", "Chris" for "Christopher": a short form that begins the name.
    return len(a) >= 3 and len(first) >= 3 and (first.startswith(a) or a.startswith(first))


@functools.lru_cache(maxsize=65536)
def _near_name(addressed: str, author: str) -> bool:
    """True when *addressed* is one letter away from a word of *author* (both five letters
    or more): a misspelt name ("Journi" for "Jouni")."""
    a = addressed.lower()
    if len(a) < 5:
        return False
    for word in _WORD.findall(author.lower()):
        if len(word) >= 5 and abs(len(word) - len(a)) <= 1 and _one_edit(a, word):
            return True
    return False


def _one_edit(a: str, b: str) -> bool:
    """At most one insertion, deletion, substitution or swap of neighbours turns *a* into *b*."""
    if a == b:
        return True
    if len(a) > len(b):
        a, b = b, a
    k = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), len(a))
    if len(a) == len(b):
        return a[k + 1:] == b[k + 1:] or (a[k + 2:] == b[k + 2:] and a[k:k + 2] == b[k:k + 2][::-1])
    return a[k:] == b[k + 1:]


# _ADDRESS_PATTERNS[3] without its leading \b: a search for the literal "you" skips ahead,
# where the \b made the regex try every position (a tenth of the stage's time).
_YOU_NAME = re.compile(r"you,?\s+" + _NAME + r"\b")


def _you_name(text):
    """``_ADDRESS_PATTERNS[3].finditer(text)``: the same matches."""
    if "you" not in text:
        return
    pos = 0
    while (m := _YOU_NAME.search(text, pos)) is not None:
        k = m.start()
        if k and (text[k - 1].isalnum() or text[k - 1] == "_"):
            # No word boundary before "you" (\w is alphanumeric or "_"): not a match here.
            pos = k + 1
            continue
        yield m
        pos = m.end()


_OPENING_NAME = re.compile(r"^\W*@?([^\s:,]+)\s*[:,]")
# A literal each match of _ADDRESS_PATTERNS[k] holds, for k = 2, 3, 4.
_ADDRESS_NEEDS = {2: ",", 3: "you", 4: "@"}


def addressees(text: str, *, known: tuple = ()) -> list[tuple[int, int, str]]:
    """Find the names a comment addresses: vocatives, openers and @mentions.

    Parameters
    ----------
    text : str
        The comment.
    known : iterable of str, optional
        Author names already in the thread (a set of lower-cased names is used as is);
        a comment that opens with one of them
        (``"nick: ..."``, as in chat) addresses it even when it is not capitalised.

    Returns
    -------
    list of (start, end, name)
        Character offsets of each addressed name in *text*, in text order.

    Examples
    --------
    >>> [n for _, _, n in addressees("Sorry, Ellen but “avoidance strategies” have not worked.")]
    ['Ellen']
    >>> [n for _, _, n in addressees("Protecting schools is not warfare, Chas. Are you really suggesting, Chas, that?")]
    ['Chas', 'Chas']
    >>> [n for _, _, n in addressees("lutz: try sudo", known=("lutz",))]
    ['lutz']
    >>> addressees("Handel, the vicious Republican, won.")
    []
    """
    found: dict[int, tuple[int, int, str]] = {}
    for k, pattern in enumerate(_ADDRESS_PATTERNS):
        # The third, fourth and fifth patterns need a comma, "you" or "@" (a test is cheaper
        # than a search that finds nothing).
        if k > 1 and _ADDRESS_NEEDS[k] not in text:
            continue
        for m in (pattern.finditer(text) if k != 3 else _you_name(text)):
            name = m.group(1)
            if name in _NOT_NAMES or name.upper() == name or _contraction(name):
                continue
            if k == 1:
                # An opening "Word," is a name only when the next words do not continue the
                # sentence as a subject would ("Handel, the vicious Republican, ...").
                rest = text[m.end():m.end() + 20].lstrip()
                if re.match(r"(?:the|a|an|who|which|that|and|or|of)\b", rest):
                    continue
            found.setdefault(m.start(1), (m.start(1), m.end(1), name))
    if known:
        keys = known if isinstance(known, (set, frozenset, dict)) else {a.lower() for a in known if a}
        m = _OPENING_NAME.match(text)
        if m and m.group(1).lower() in keys:
            found.setdefault(m.start(1), (m.start(1), m.end(1), m.group(1)))
    return sorted(found.values())


def _shipped(name: str) -> dict:
    """A JSON model file shipped in ``discourse/data`` ({} if it is missing)."""
    path = resources.files("discourse").joinpath(f"data/{name}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, OSError):  # pragma: no cover - the files ship with the package
        return {}


@functools.lru_cache(maxsize=1)
def _model() -> dict:
    """The shipped chronological scorer (``bench/train_replies.py``); its ``display`` entry
    is no longer read (the display default is ``_HEURISTIC``)."""
    return _shipped("reply_model.json")


# The hand-set scorer: each weight is a judgement of how strongly a cue speaks for a
# link, on the scale of log-odds. It is the prior of the learned display scorer
# (bench/train_replies_display.py: cues the Reddit training threads rarely show keep
# about these weights), and the fallback when no learned weights ship. Reasons, by group:
# - the post: most blog comments answer it (root +2), unless the comment addresses a
#   person by name, opens as a reply does ("Thanks", "Yes", "Good catch") or is by the
#   post's author, who mostly answers commenters;
# - names: addressing the candidate's author is the strongest cue (+5); addressing
#   someone else speaks against (-2); a candidate that itself addresses that name is not
#   by that person (-3);
# - quotation (+4) and shared four-word runs (+2) are near-certain on pages, where
#   people quote what they answer; shared vocabulary counts less (tf-idf cosine, x3);
# - conversation: A -> B -> A (+2.5), the author already on the chain (+2);
# - order and time: each step up the ancestor chain costs a little (-0.7); a reply older
#   than the sibling before it breaks the page's oldest-first order (-6).
# - display cues (:data:`DISPLAY_FEATURES`), on the same scales: quoting the post counts as
#   quoting a comment (+4), and so does a "> " quoted line; speaking of the post ("great
#   article", "you wrote") counts as naming a comment's author (+1.5); addressing the post's
#   author by name lifts the -3 for addressing someone (+3); an answer-like opener under a
#   question (+1); a comment a later, older comment keeps from being top-level costs as
#   much as a sibling out of order (-6).
_HEURISTIC = {
    "root": 2.0, "root_addressing": -3.0, "root_op": -4.0, "root_you": -0.5, "root_sim": 2.0, "root_opener": -1.5,
    "prev": 0.5, "log_rank": -0.7, "addr_author": 5.0, "addr_author_latest": 0.5, "mention_author": 1.5,
    "addr_other": -2.0, "addr_unknown": 1.0, "addr_conflict": -3.0, "rev_addr": 2.0, "same_author": -3.0,
    "alternation": 2.5, "author_in_chain": 2.0, "op_reply": 0.5, "quote": 4.0, "shared_ngram": 2.0, "tfidf": 3.0,
    "question": 0.5, "log_gap": -0.2, "sib_violation": -6.0,
    "root_quote": 4.0, "block_quote": 4.0, "root_post_ref": 1.5, "root_addr_op": 3.0, "answer_opener": 1.0,
    "root_out_of_order": -6.0,
}


@functools.lru_cache(maxsize=1)
def _display_model() -> dict:
    """The learned display-order scorer (``bench/train_replies_display.py``), if shipped."""
    return _shipped("reply_model_display.json")


_CONDITIONS = {(True, True): "names and times", (False, True): "times, no names",
               (True, False): "names, no times", (False, False): "neither"}


def _display_weights(has_names: bool, has_times: bool, default: dict, intercept: float) -> tuple[dict, float]:
    """The shipped display scorer for a thread with (or without) names and times.

    Cues weigh differently when others are missing (without times, the oldest-first order
    of siblings says nothing; without names, wording carries the link), so the training
    script learns one scorer per condition.
    """
    model = (_display_model().get("display_by_condition") or {}).get(_CONDITIONS[(has_names, has_times)])
    if not model:
        return default, intercept
    coef = model["coef"]
    return {f: float(coef.get(f, 0.0)) for f in FEATURES + DISPLAY_FEATURES}, float(model.get("intercept", 0.0))


def _weights(order: str, model) -> tuple[dict, float]:
    """Weights per feature name (every feature of FEATURES and DISPLAY_FEATURES) and intercept."""
    if model is None or isinstance(model, str):
        # Display order: the hand-set scorer, written here (not in reply_model.json, whose
        # "display" entry is no longer read).
        model = ({"coef": _HEURISTIC, "intercept": 0.0} if order == "display"
                 else _model().get(order) or {"coef": _HEURISTIC, "intercept": 0.0})
    coef = model.get("coef") or model.get("explain") or {}
    return ({f: float(coef.get(f, 0.0)) for f in FEATURES + DISPLAY_FEATURES},
            float(model.get("intercept", 0.0)))


class _Trees:
    """Gradient-boosted trees stored as plain arrays (JSON), evaluated with numpy.

    Every tree is flattened into shared arrays; a leaf points to itself with an
    infinite threshold, so walking all trees a fixed number of steps lands every
    candidate on its leaf in each tree at once.
    """

    def __init__(self, spec: dict):
        import numpy as np

        names = spec["features"]
        self.columns = names
        feat, thr, left, right, value, roots = [], [], [], [], [], []
        for tree in spec["trees"]:
            base = len(feat)
            roots.append(base)
            for f, t, lo, hi, v in zip(tree["feature"], tree["threshold"], tree["left"], tree["right"], tree["value"]):
                if lo < 0:
                    k = len(feat)
                    feat.append(0), thr.append(math.inf), left.append(k), right.append(k)
                else:
                    feat.append(f), thr.append(t), left.append(base + lo), right.append(base + hi)
                value.append(v)
        self.feat = np.asarray(feat, dtype=np.int64)
        self.thr = np.asarray(thr, dtype=np.float64)
        self.left = np.asarray(left, dtype=np.int64)
        self.right = np.asarray(right, dtype=np.int64)
        self.value = np.asarray(value, dtype=np.float64)
        self.roots = np.asarray(roots, dtype=np.int64)
        # children[2 * node + go_right]: one lookup per step.
        self.children = np.stack([self.left, self.right], axis=1).ravel()
        self.getter = operator.itemgetter(*names)
        self.depth = int(spec["max_depth"])
        self.baseline = float(spec["baseline"])
        # Added to the post candidate's score: the calibration of "answers the post"
        # chosen on development threads (bench/train_replies.py).
        self.root_bias = float(spec.get("root_bias", 0.0))
        # Cues too rare in the training data for a tree to split on (quotation: chat
        # and Reddit seldom quote), added with their weights from the linear model.
        self.linear = dict(spec.get("linear", {}))
        # The second-parent model (chat): trees over SECOND_FEATURES, log-odds that the
        # runner-up candidate is a parent too.
        second = spec.get("second")
        self.second = _Trees(second) if second else None
        self.second_threshold = float(second.get("threshold", 1.0)) if second else 1.0

    def score(self, feats: list) -> list:
        """Log-odds that each candidate (a feature dict) is the parent."""
        import numpy as np

        get = self.getter
        rows = np.array([get(f) for f in feats], dtype=np.float64).reshape(len(feats), len(self.columns))
        flat = rows.ravel()
        offset = (np.arange(len(feats)) * len(self.columns))[:, None]
        node = np.tile(self.roots, (len(feats), 1))
        for _ in range(self.depth):
            right = flat.take(offset + self.feat.take(node)) > self.thr.take(node)
            node = self.children.take(2 * node + right)
        out = self.value.take(node).sum(axis=1) + self.baseline
        cols = self.columns
        if self.root_bias:
            root = rows[:, cols.index("root")] if "root" in cols else np.array([f.get("root", 0.0) for f in feats])
            out += self.root_bias * (root != 0)
        for c, w in self.linear.items():
            x = rows[:, cols.index(c)] if c in cols else np.array([f.get(c, 0.0) for f in feats], dtype=np.float64)
            out += w * x
        return out.tolist()


# Second parents (chat): the cues of the best and the runner-up candidate the second
# model reads, besides their scores; the message's own cues (i_*) are the same in both.
_SECOND_PAIR_CUES = ("addr_author", "rev_addr", "cand_answers_me", "same_author", "log_dist", "tfidf", "my_previous")
_SECOND_OWN_CUES = ("i_thanks", "i_addresses", "i_len", "i_question")
SECOND_FEATURES = (("gap", "p_best", "p_second", "best_root", "second_root", "pair_same_author", "pair_log_dist",
                    "second_later")
                   + tuple("best_" + c for c in _SECOND_PAIR_CUES)
                   + tuple("second_" + c for c in _SECOND_PAIR_CUES + _SECOND_OWN_CUES))
# A runner-up with at least this probability of being a parent too is named in
# also_replies_to (bench/train_replies.py writes the value it was fitted with).
SECOND_THRESHOLD = 0.4


def _second_features(scores: list, best: int, second: int, cands: list, feats: list, authors: list) -> dict:
    """The second-parent model's features for the runner-up *second* after *best*.

    *scores* are the candidates' log-odds (self-link bias included), *cands* their
    indices (-1 = the post), *feats* their cue dicts; bench/train_replies.py builds the
    same dict from its candidate rows.
    """
    top = max(scores)
    lse = top + math.log(sum(math.exp(x - top) for x in scores))
    jb, js = cands[best], cands[second]
    fb, fs = feats[best], feats[second]
    out = {"gap": scores[best] - scores[second], "p_best": math.exp(scores[best] - lse),
           "p_second": math.exp(scores[second] - lse), "best_root": float(jb < 0), "second_root": float(js < 0),
           "pair_same_author": float(jb >= 0 and js >= 0 and bool(authors[jb]) and authors[jb] == authors[js]),
           "pair_log_dist": math.log1p(abs(jb - js)) if jb >= 0 and js >= 0 else -1.0,
           "second_later": float(js > jb)}
    for c in _SECOND_PAIR_CUES:
        out["best_" + c] = float(fb.get(c, 0.0))
        out["second_" + c] = float(fs.get(c, 0.0))
    for c in _SECOND_OWN_CUES:
        out["second_" + c] = float(fs.get(c, 0.0))
    return out


@functools.lru_cache(maxsize=4)
def _shipped_trees(order: str):
    spec = _model().get(order, {}).get("trees")
    return _Trees(spec) if spec else None


def _quoted(text):
    """(words, phrase) of each phrase *text* puts in quotation marks (two words or more)."""
    if "‘" in text:
        found = [m.group(1) or m.group(2) for m in _QUOTED.finditer(text)]
    else:
        found = [m.group(1) for m in _QUOTED_DOUBLE.finditer(text)]
    return [q for q in ((_tokens(p), p) for p in found) if len(q[0]) >= 2]


class _Thread:
    """Per-thread text statistics shared by the candidate features."""

    def __init__(self, texts, authors, times, post_text="", post_author=""):
        self.n = len(texts)
        self.texts = texts
        self.authors = list(authors)
        self.times = times
        self.post_author = post_author
        self.tokens = [_tokens(t) for t in texts]
        post_tokens = _tokens(post_text)
        # The words tf-idf weighs (every other word has no idf), per comment and the post.
        # Their counts per document (distinct words in the order they first come).
        tfs, ones = zip(*[_term_counts(_content_words(toks, t)) for toks, t in zip(self.tokens, texts)]) \
            if texts else ((), ())
        post_tf, post_ones = _term_counts(_content_words(post_tokens, post_text))
        # One count over every document's distinct words.
        df = Counter(itertools.chain.from_iterable(tfs + (post_tf,)))
        n_docs = self.n + 1
        # Most words share a handful of counts: one log per count.
        idf_of = {c: math.log((1 + n_docs) / (1 + c)) + 1.0 for c in set(df.values())}
        self.idf = dict(zip(df, map(idf_of.__getitem__, df.values())))
        self.vecs = list(map(self._content_vec, tfs, ones))
        self.post_vec = self._content_vec(post_tf, post_ones)
        self.post_tokens = post_tokens
        self.post_set = set(post_tokens)
        self._post_grams = None
        self._block = None
        self._later_min = None
        self.max_idf = None
        self.by_author: dict = defaultdict(list)
        self.by_author_upto = 0
        self.token_sets = [set(t) for t in self.tokens]
        # (An ASCII text can hold only the straight quotation mark.)
        self.quoted = [_quoted(t) if ('"' in t if t.isascii() else _QUOTE_MARKS.search(t)) else [] for t in texts]
        self.questions = ["?" in t for t in texts]
        letters = "".join(texts[:200])
        self.lowercase = bool(letters) and not any(ch.isupper() for ch in letters)
        self.you = list(map(_says_you, texts, self.token_sets))
        # Four-word runs, for quotation without quote marks: every run of a comment (see
        # grams_of; the display decoder keeps those with a content word where two comments
        # share one) and, on first use, those with at least one content word (see grams).
        self._all_grams = [None] * self.n
        self._grams = None
        self._gram_index = None
        # Inverted index over the words of the most recent comments, for the most similar
        # earlier comments; each word keeps its last 30 comments, so a lookup costs the
        # same at comment 100 as at comment 100,000.
        self.recent: dict = defaultdict(lambda: deque(maxlen=30))
        self._indexed = 0
        # Values computed once per comment or pair for the display decoder, whose
        # hypotheses ask for the same ones (see _root_text_cues).
        self.memo: dict = {}

    @property
    def all_grams(self):
        """Per comment, every four-word run (see :meth:`grams_of`)."""
        return [self.grams_of(i) for i in range(self.n)]

    def grams_of(self, i):
        """Every four-word run of comment *i* (built on first use)."""
        g = self._all_grams[i]
        if g is None:
            toks = self.tokens[i]
            g = self._all_grams[i] = set(zip(toks, toks[1:], toks[2:], toks[3:]))
        return g

    @property
    def grams(self):
        """Per comment, its four-word runs with at least one content word (built on first use)."""
        if self._grams is None:
            self._grams = [{g for g in zip(toks, toks[1:], toks[2:], toks[3:]) if not _STOP.issuperset(g)}
                           for toks in self.tokens]
        return self._grams

    def shares_gram(self, i, j):
        """``not grams[i].isdisjoint(grams[j])``, from every run of the two."""
        # Such a run has a word that is not a stop word, in both texts.
        if _STOP.issuperset(self.token_sets[i] & self.token_sets[j]):
            return False
        return self._shares_gram(i, j)

    def _shares_gram(self, i, j):
        """:meth:`shares_gram` of two comments that share a word that is not a stop word."""
        common = self.grams_of(i) & self.grams_of(j)
        return bool(common) and not all(map(_STOP.issuperset, common))

    @property
    def gram_index(self):
        """Four-word run -> the first eight comments that have it (built on first use)."""
        if self._gram_index is None:
            index: dict = defaultdict(list)
            for i, grams in enumerate(self.grams):
                for g in grams:
                    if len(index[g]) < 8:
                        index[g].append(i)
            self._gram_index = index
        return self._gram_index

    def similar_earlier(self, i, k=10, words=8):
        """Up to *k* earlier comments with the highest tf-idf cosine to comment *i*
        (through its *words* weightiest words)."""
        while self._indexed < i:
            for w in self.vecs[self._indexed]:
                self.recent[w].append(self._indexed)
            self._indexed += 1
        acc: dict = defaultdict(float)
        # The comment's eight weightiest words carry most of any cosine.
        top = sorted(self.vecs[i].items(), key=lambda wx: (-wx[1], wx[0]))[:words]
        for w, x in top:
            for j in self.recent.get(w, ()):
                if j < i:
                    acc[j] += x * self.vecs[j][w]
        return sorted(acc, key=acc.get, reverse=True)[:k]

    def _vec(self, toks):
        tf = Counter(w for w in toks if w in self.idf)
        v = {w: (1 + math.log(c)) * self.idf[w] for w, c in tf.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {w: x / norm for w, x in v.items()}

    def _content_vec(self, tf, ones):
        """:meth:`_vec` of the counts *tf* (see _term_counts; *ones*: every count is 1) of
        words that all have an idf."""
        idf = self.idf
        if ones:
            # Each word once (most comments): the weights are the idfs.
            xs = list(map(idf.__getitem__, tf))
        else:
            # (1 + log c) * idf, where 1 + log 1 is 1.0 and 1.0 * idf is idf.
            xs = list(map(operator.mul, map(_tf_weight, tf.values()), map(idf.__getitem__, tf)))
        # The sums, products and quotients of a loop over the words, in their order.
        norm = math.sqrt(sum(map(operator.mul, xs, xs))) or 1.0
        return dict(zip(tf, map(norm.__rtruediv__, xs)))

    def cosine(self, i, j):
        a, b = self.vecs[i], (self.post_vec if j < 0 else self.vecs[j])
        if len(a) > len(b):
            a, b = b, a
        return sum([x * b[w] for w, x in a.items() if w in b])

    def rarest_shared(self, i, j):
        """The word of *i* and *j* with the highest idf (ties: alphabetical)."""
        shared = self.vecs[i].keys() & self.vecs[j].keys()
        return min(shared, key=lambda w: (-self.idf[w], w)) if shared else ""

    def shared_terms(self, i, j, k=3):
        a, b = self.vecs[i], (self.post_vec if j < 0 else self.vecs[j])
        common = sorted((a[w] * b[w], w) for w in a if w in b)
        return [w for _, w in reversed(common[-k:])]

    def quote(self, i, j):
        """Best fraction of a phrase quoted in *i* that appears, in order, in *j*."""
        if j < 0 or not self.quoted[i]:
            return 0.0, ""
        best, best_text = 0.0, ""
        target = self.tokens[j]
        tset = self.token_sets[j]
        for qtoks, qtext in self.quoted[i]:
            present = sum(w in tset for w in qtoks)
            if present < 2 or present < 0.6 * len(qtoks):
                continue
            frac = _ordered_fraction(qtoks, target)
            if frac > best:
                best, best_text = frac, qtext
        return (best, best_text) if best >= 0.6 else (0.0, "")

    def later_min(self, i):
        """The oldest time among the comments listed after *i* (inf if none has a time)."""
        k = self.later_oldest(i)
        return math.inf if k < 0 else self.times[k]

    def later_oldest(self, i):
        """The oldest comment listed after *i* (the first of equals; -1 if none has a time)."""
        if self._later_min is None:
            out, low = [-1] * self.n, -1
            for k in range(self.n - 1, -1, -1):
                out[k] = low
                if self.times[k] is not None and (low < 0 or self.times[k] <= self.times[low]):
                    low = k
            self._later_min = out
        return self._later_min[i]

    def opener(self, i):
        """Comment *i* opens as a reply does (curly apostrophes read as straight ones)."""
        return bool(_OPENER.match(self.texts[i].replace("’", "'")))

    def opener_text(self, i):
        m = _OPENER.match(self.texts[i].replace("’", "'"))
        return self.texts[i][:m.end()].strip() if m else ""

    def post_grams(self):
        if self._post_grams is None:
            toks = self.post_tokens
            self._post_grams = {tuple(toks[k:k + 4]) for k in range(len(toks) - 3)
                                if any(w not in _STOP for w in toks[k:k + 4])}
        return self._post_grams

    def block_quote(self, i, j):
        """Best fraction of a "> " quoted line of *i* found, in order, in *j* (-1: the post)."""
        return self.block_quote_text(i, j)[0]

    def block_quote_text(self, i, j):
        """(fraction, quoted line) for :meth:`block_quote`."""
        if self._block is None:
            # A text without ">" or "&gt;" has no quoted line.
            self._block = [[(q, m.group(1).strip()) for m in _BLOCK_QUOTE.finditer(t)
                            for q in [_tokens(m.group(1))] if len(q) >= 3] if ">" in t or "&gt;" in t else []
                           for t in self.texts]
        if not self._block[i]:
            return 0.0, ""
        target = self.post_tokens if j < 0 else self.tokens[j]
        tset = set(target)
        best, best_text = 0.0, ""
        for q, text in self._block[i]:
            if sum(w in tset for w in q) >= 0.6 * len(q):
                frac = _ordered_fraction(q[:40], target)
                if frac > best:
                    best, best_text = frac, text
        return (best, best_text) if best >= 0.6 else (0.0, "")

    def has_block(self, i):
        """True when comment *i* has a "> " quoted line of three or more words."""
        if self._block is None:
            self.block_quote_text(i, -1)
        return bool(self._block[i])

    def quote_post(self, i):
        """Best fraction of a phrase quoted in *i* that appears, in order, in the post."""
        best = 0.0
        pset = set(self.post_tokens)
        for qtoks, _ in self.quoted[i]:
            present = sum(w in pset for w in qtoks)
            if present < 2 or present < 0.6 * len(qtoks):
                continue
            best = max(best, _ordered_fraction(qtoks, self.post_tokens))
        return best if best >= 0.6 else 0.0

    def shared_gram(self, i, j):
        if j < 0:
            return ()
        common = {g for g in self.grams_of(i) & self.grams_of(j) if not _STOP.issuperset(g)}
        # Sorted first: ties must not depend on the process's string hashing (--jobs, Dask).
        return max(sorted(common), key=lambda g: sum(w not in _STOP for w in g)) if common else ()


def _ordered_fraction(q, target):
    """Length of the longest common subsequence of *q* in *target*, over len(q)."""
    if len(target) > 400:
        # A long target: restrict the subsequence search to the stretch around the
        # first match of the quote's rarest-looking word.
        positions = [k for k, w in enumerate(target) if w == q[0] or w == q[-1]]
        if not positions:
            return sum(w in set(target) for w in q) / len(q) * 0.8
        lo = max(0, positions[0] - 2 * len(q))
        target = target[lo:lo + 400]
    prev = [0] * (len(target) + 1)
    for a in q:
        cur = [0] * (len(target) + 1)
        for k, b in enumerate(target):
            cur[k + 1] = prev[k] + 1 if a == b else max(prev[k + 1], cur[k])
        prev = cur
    return prev[-1] / len(q)


def candidate_features(th: _Thread, i: int, j: int, *, state, order: str) -> dict:
    """The cue features of "comment *i* answers *j*" (``j = -1`` is the post).

    *state* holds what inference has decided so far: parents, the authors (explicit or
    inferred), the names each comment addresses, replies per comment, and for display
    order the rank of *j* on the ancestor chain of the comment above *i*.
    """
    f = dict.fromkeys(ALL_FEATURES if order == "chronological" else FEATURES, 0.0)
    authors = state["authors"]
    a_i = authors[i]
    addr_i = state["addr"][i]
    _sibling_order(th, i, j, state, f)
    if j < 0:
        f["root"] = 1.0
        f["root_addressing"] = float(bool(addr_i))
        f["root_op"] = float(bool(a_i) and a_i == th.post_author)
        f["root_you"] = float(th.you[i])
        f["root_sim"] = th.cosine(i, -1)
        f["root_len"] = math.log1p(len(th.tokens[i]))
        f["root_opener"] = float(bool(_OPENER.match(th.texts[i])))
        # Capped: early comments answer the post more often, but past the first twenty
        # the position says nothing (a chat log starts wherever it happens to start).
        f["root_logpos"] = math.log1p(min(i, 20))
        f["no_time"] = float(th.times[i] is None)
        if order == "display":
            _display_features(th, i, j, state, f)
        return f
    a_j = authors[j]
    f["prev"] = float(j == i - 1)
    f["log_dist"] = math.log1p(i - j - 1)
    f["log_rank"] = math.log1p(state["rank"].get(j, 0))
    if addr_i:
        match = any(_same_person(n, a_j) for n in addr_i) if a_j else False
        if match:
            f["addr_author"] = 1.0
            f["addr_author_latest"] = float(state["latest"].get(a_j) == j)
            f["addr_dist"] = f["log_dist"]
        elif a_j:
            f["addr_other"] = 1.0
        elif any(_same_person(n, m) for n in addr_i for m in state["addr"][j]):
            f["addr_conflict"] = 1.0
        else:
            f["addr_unknown"] = 1.0
    if a_j and not f["addr_author"]:
        f["mention_author"] = float(bool(_name_keys(a_j) & th.token_sets[i]))
    if a_i and state["addr"][j]:
        f["rev_addr"] = float(any(_same_person(n, a_i) for n in state["addr"][j]))
    if a_i and a_j:
        f["same_author"] = float(a_i == a_j)
        if a_i == a_j and state["latest"].get(a_j) == j:
            ti, tj = th.times[i], th.times[j]
            quick = (ti - tj) <= 120 if ti is not None and tj is not None else i - j <= 3
            f["self_continue"] = float(quick)
        pj = state["parents"][j]
        f["alternation"] = float(pj >= 0 and authors[pj] == a_i and a_j != a_i)
        # The latest message of someone taking part in a conversation (two or more
        # messages so far): in chat, answers go to what a person said last.
        f["same_author_latest"] = float(state["latest"].get(a_j) == j and state["n_by"].get(a_j, 0) >= 2)
    f["op_reply"] = float(bool(a_i) and a_i == th.post_author and a_j != a_i)
    if a_i and a_j != a_i:
        k, steps = state["parents"][j], 0
        # Eight steps up: far enough for a conversation, and a fixed cost per candidate.
        while k >= 0 and steps < 8:
            if authors[k] == a_i:
                f["author_in_chain"] = 1.0
                break
            k, steps = state["parents"][k], steps + 1
    f["quote"] = th.quote(i, j)[0] if th.quoted[i] else 0.0
    f["shared_ngram"] = float(not th.grams[i].isdisjoint(th.grams[j]))
    f["tfidf"] = th.cosine(i, j)
    f["question"] = float(th.questions[j])
    ti, tj = th.times[i], th.times[j]
    if ti is not None and tj is not None:
        f["log_gap"] = math.log1p(max(0.0, (ti - tj) / 60.0))
    else:
        f["no_time"] = 1.0
    f["cand_answered"] = math.log1p(state["n_replies"][j])
    if order == "display":
        _display_features(th, i, j, state, f)
    return f


def _display_features(th, i, j, state, f):
    """The display-order cues of "i answers j" (see :data:`DISPLAY_FEATURES`)."""
    for k in DISPLAY_FEATURES:
        f[k] = 0.0
    chain = state.get("chain") or []
    if j < 0:
        f["root_depth"] = math.log1p(len(chain))
        names = state["addr"][i]
        if names and th.post_author:
            f["root_addr_op"] = float(any(_same_person(n, th.post_author) for n in names))
        if chain and th.times[i] is not None and th.times[chain[0]] is not None:
            f["root_gap"] = math.log1p(max(0.0, (th.times[i] - th.times[chain[0]]) / 60.0))
        f.update(_root_text_cues(th, i))
        a_i = state["authors"][i]
        f["root_new_author"] = float(bool(a_i) and a_i != th.post_author and a_i not in state["latest"])
        return
    if f["alternation"]:
        # A -> B -> A is the one-step case of "this author is up the chain": counted once.
        f["author_in_chain"] = 0.0
    names = state["addr"][i]
    a_j = state["authors"][j]
    if names and a_j and not f["addr_author"] and any(_near_name(n, a_j) for n in names):
        # "I totally agree, Journi." to Jouni: a name misspelt by one letter.
        f["addr_author"], f["addr_other"] = 1.0, 0.0
    rank = state["rank"].get(j, 0)
    f["rank1"] = float(rank == 1)
    f["rank2p"] = float(rank >= 2)
    if chain:
        f["cand_depth"] = math.log1p(max(0, len(chain) - 1 - rank))
    f["answer_opener"] = float(th.questions[j] and _opener(th, i))
    a_i = state["authors"][i]
    f["prev_same_author"] = float(j == i - 1 and bool(a_i) and state["authors"][j] == a_i)
    f["block_quote"] = th.block_quote(i, j)
    f["cand_by_op"] = float(bool(th.post_author) and state["authors"][j] == th.post_author)


def _root_text_cues(th, i):
    """The cues of "i answers the post" that depend on the texts alone: computed once per
    comment, since every hypothesis of the beam search asks for them."""
    memo = th.memo.setdefault("root_text", {})
    cues = memo.get(i)
    if cues is None:
        cues = memo[i] = {
            # Every run of the post has a content word, so any shared run is one (and both
            # texts have that word).
            "root_ngram": float(bool(post_grams := th.post_grams())
                                and not _STOP.issuperset(th.token_sets[i] & th.post_set)
                                and not th.grams_of(i).isdisjoint(post_grams)),
            "root_quote": th.quote_post(i) if th.quoted[i] else 0.0,
            "root_short": float(len(th.tokens[i]) <= 12),
            # A later comment older than this one cannot be its reply nor a later sibling,
            # so it hangs from an ancestor above this one's parent: this one is not top-level.
            "root_out_of_order": float(th.times[i] is not None and th.later_min(i) < th.times[i]),
            "block_quote": th.block_quote(i, -1),
            "root_post_ref": float(_thread_speaks_of_post(th, i)),
            # Pages print curly apostrophes ("That’s fair"): match openers on straight ones.
            "root_opener": float(_opener(th, i)),
        }
    return cues


# What every match of _POST_REF holds, in a lower-cased ASCII text: a listed noun after
# one of the listed words and white space, "the author", "you" and one of the verbs, or
# the word "op".
_POST_REF_NOUNS = ("post", "article", "piece", "blog", "write", "essay", "read", "analysis", "story")
_POST_REF_ADJ = ("this", "the", "your", "great", "nice", "good", "interesting", "excellent", "fascinating",
                 "wonderful", "fine", "informative")
_POST_REF_YOU = re.compile(r"you (?:write|wrote|say|said|claim|mention|suggest|argue)")


def _post_noun_after_adjective(low):
    """A noun of _POST_REF (or a word it begins) after white space after one of
    _POST_REF_ADJ (its start unchecked: the regex decides) in the lower-cased ASCII *low*."""
    for noun in _POST_REF_NOUNS:
        k = low.find(noun, 1)
        while k > 0:
            end = k
            while end > 0 and low[end - 1].isspace():
                end -= 1
            if end < k and low.endswith(_POST_REF_ADJ, 0, end):
                return True
            k = low.find(noun, k + 1)
    return False


def _speaks_of_post(text):
    """``bool(_POST_REF.search(text))``, without the search where an ASCII text has none of
    what a match needs (the search costs as much as the rest of the root cues)."""
    if text.isascii():
        low = text.lower()
        if not (_post_noun_after_adjective(low) or "the author" in low or _POST_REF_YOU.search(low)):
            k = low.find("op")
            while k >= 0:
                # "OP" as a word: \w (ASCII here) on neither side.
                if (k == 0 or not (low[k - 1].isalnum() or low[k - 1] == "_")) and \
                        (k + 2 == len(low) or not (low[k + 2].isalnum() or low[k + 2] == "_")):
                    break
                k = low.find("op", k + 1)
            else:
                return False
    return bool(_POST_REF.search(text))


# A word each match of _POST_REF holds as a whole run of letters and digits (its noun or
# verb, "author" or "op"; "write-up" holds "write", "writeup" itself).
_POST_REF_RUNS = frozenset(["post", "article", "piece", "blog", "write", "writeup", "essay", "read", "analysis",
                            "story", "author", "op", "wrote", "say", "said", "claim", "mention", "suggest", "argue"])


def _thread_speaks_of_post(th, i):
    """``_speaks_of_post(th.texts[i])``, ruled out first from the comment's words: its runs
    of letters and digits are its words and their pieces between apostrophes (see
    _tokens), and a match needs one of _POST_REF_RUNS among them. (Outside ASCII, only
    four characters match an ASCII letter when case is ignored, or lower-case to one;
    a text with one of them is searched.)"""
    text = th.texts[i]
    if text.isascii() or not any(c in text for c in _CASE_FOLDS_TO_ASCII):
        if not _has_run(th.token_sets[i], text, _POST_REF_RUNS):
            return False
    return _speaks_of_post(text)


# The characters outside ASCII that re.IGNORECASE matches to an ASCII letter, or whose
# lower case holds one (every code point checked).
_CASE_FOLDS_TO_ASCII = "\u0130\u0131\u017f\u212a"


def _opener(th, i):
    """:meth:`_Thread.opener`, once per comment."""
    memo = th.memo.setdefault("opener", {})
    if i not in memo:
        memo[i] = th.opener(i)
    return memo[i]


def _display_set_features(th, i, cands, feats, state):
    """Features that compare a candidate with the others weighed for the same comment."""
    for b, f in zip(_best_sim(cands, feats), feats):
        f["best_sim"] = b


def _best_sim(cands, feats):
    """Per candidate, 1.0 where it shares the most weighted words with the comment."""
    sims = [f["root_sim"] if j < 0 else f["tfidf"] for j, f in zip(cands, feats)]
    top = max(sims) if sims else 0.0
    return [float(top >= 0.05 and s == top) for s in sims]


_CHRONO_CAND_ONLY = ("cand_has_author", "cand_system", "cand_url", "cand_first_by_author", "cand_author_later",
                     "same_conv_mine", "conv_latest", "conv_size", "conv_has_me", "cand_conv_age")


def _known_keys(authors):
    """Lower-cased name keys of the thread's known authors (three letters or more)."""
    return frozenset(k for a in set(authors) if a for k in _name_keys(a) if len(k) > 2 and k not in _STOP)


def _chrono_features(th: _Thread, i: int, cands: list, feats: list, state) -> None:
    """Add :data:`CHRONO_FEATURES` to each candidate's feature dict (in place)."""
    authors = state["authors"]
    a_i = authors[i]
    latest = state["latest"]
    parents = state["parents"]
    # The one this author answered last: their latest comment's parent's author.
    partner = ""
    if a_i and a_i in latest:
        lp = parents[latest[a_i]]
        partner = authors[lp] if lp >= 0 else ""
    common = {
        "i_len": math.log1p(len(th.tokens[i])), "i_question": float(th.questions[i]),
        "i_addresses": float(bool(state["addr"][i])), "i_you": float(th.you[i]),
        "i_opener": float(bool(_OPENER.match(th.texts[i]))), "i_logpos": math.log1p(i),
        "has_author": float(bool(a_i)), "lowercase": float(th.lowercase),
        "n_cands": math.log1p(len(cands)),
    }
    # Distinct speakers between each candidate and i, walking back once.
    lo = min((j for j in cands if j >= 0), default=i)
    lo = max(lo, i - 60)
    between, seen = {}, set()
    for k in range(i - 1, lo - 1, -1):
        between[k] = len(seen)
        if authors[k]:
            seen.add(authors[k])
    if th.max_idf is None:
        th.max_idf = max(th.idf.values(), default=1.0)
    my_keys = _name_keys(a_i) if a_i else frozenset()
    common["i_thanks"] = float(bool(_THANKS.search(th.texts[i])))
    order = sorted(range(len(cands)), key=lambda k: -feats[k]["tfidf"])
    rank = {k: r for r, k in enumerate(order)}
    ti = th.times[i]
    conv = state.get("conv")
    if conv is None:
        conv = state["conv"] = _Conversations(th)
    conv.advance(i, state)
    mine = latest.get(a_i, -1) if a_i else -1
    mine_conv = conv.root(mine) if 0 <= mine < i else -1
    common["i_system"] = float(conv.system[i])
    common["i_url"] = float(conv.url[i])
    common["i_author_count"] = math.log1p(conv.count_by.get(a_i, 0)) if a_i else 0.0
    t_last = conv.last_time.get(a_i) if a_i else None
    common["i_author_gap"] = math.log1p(max(0.0, (ti - t_last) / 60.0)) if ti is not None and t_last is not None else -1.0
    if conv.known_keys is None:
        conv.known_keys = _known_keys(authors)
    common["i_mentions_known"] = float(not conv.known_keys.isdisjoint(th.token_sets[i]))
    for k, (j, f) in enumerate(zip(cands, feats)):
        f.update(common)
        f["rank_tfidf"] = float(min(rank[k], 20))
        if j < 0:
            f["dist"] = float(min(i + 1, 200))
            f["gap_min"] = -1.0
            f["speakers_between"] = 30.0
            f["rare_overlap"] = f["rev_mention"] = f["cand_addr_other"] = f["my_previous"] = 0.0
            for name in _CHRONO_CAND_ONLY:
                f[name] = 0.0
            continue
        shared = th.vecs[i].keys() & th.vecs[j].keys()
        f["rare_overlap"] = max((th.idf[w] for w in shared), default=0.0) / th.max_idf
        f["rev_mention"] = float(bool(my_keys & th.token_sets[j]))
        addr_j = state["addr"][j]
        f["cand_addr_other"] = float(bool(addr_j) and not (a_i and any(_same_person(n, a_i) for n in addr_j)))
        f["my_previous"] = float(bool(a_i) and latest.get(a_i) == j)
        a_j = authors[j]
        f["dist"] = float(min(i - j, 200))
        tj = th.times[j]
        f["gap_min"] = min((ti - tj) / 60.0, 1440.0) if ti is not None and tj is not None else -1.0
        f["cand_author_since"] = float(bool(a_j) and latest.get(a_j, j) > j)
        f["own_since"] = float(bool(a_i) and latest.get(a_i, -1) > j)
        f["cand_root_level"] = float(parents[j] < 0)
        f["same_partner"] = float(bool(partner) and a_j == partner)
        f["cand_answers_me"] = float(bool(a_i) and parents[j] >= 0 and authors[parents[j]] == a_i)
        f["cand_len"] = math.log1p(len(th.tokens[j]))
        f["speakers_between"] = float(min(between.get(j, 30), 30))
        f["cand_has_author"] = float(bool(a_j))
        f["cand_system"] = float(conv.system[j])
        f["cand_url"] = float(conv.url[j])
        f["cand_first_by_author"] = float(bool(a_j) and conv.first_by.get(a_j) == j)
        f["cand_author_later"] = math.log1p(conv.count_by[a_j] - conv.rank_at[j]) if a_j else 0.0
        c = conv.root(j)
        f["same_conv_mine"] = float(mine_conv >= 0 and c == mine_conv)
        f["conv_latest"] = float(conv.last[c] == j)
        f["conv_size"] = math.log1p(conv.size[c])
        f["conv_has_me"] = float(bool(a_i) and a_i in conv.members[c])
        f["cand_conv_age"] = math.log1p(i - c)


class _Conversations:
    """Conversations (chains of links back to a comment that answers the post) among the
    comments decided so far, for the chat cues; grows as inference moves down the thread
    (the links of earlier comments are final by then)."""

    def __init__(self, th):
        self.th = th
        self.upto = 0
        self.system = [bool(_SYSTEM.search(t)) and len(t) < 300 for t in th.texts]
        self.url = [bool(_URL.search(t)) for t in th.texts]
        self.conv = []
        self.last, self.size, self.members = {}, Counter(), defaultdict(set)
        self.first_by, self.count_by, self.last_time = {}, Counter(), {}
        self.rank_at = []
        self.known_keys = None

    def advance(self, i, state):
        parents, authors = state["parents"], state["authors"]
        while self.upto < i:
            k = self.upto
            p = parents[k]
            c = self.conv[p] if 0 <= p < k else k
            self.conv.append(c)
            self.last[c] = k
            self.size[c] += 1
            a = authors[k]
            if a:
                self.members[c].add(a)
                self.first_by.setdefault(a, k)
                self.count_by[a] += 1
            self.rank_at.append(self.count_by[a] if a else 0)
            if a:
                if self.th.times[k] is not None:
                    self.last_time[a] = self.th.times[k]
            self.upto += 1

    def root(self, j):
        return self.conv[j]


def _forum_features(th: _Thread, i: int, cands: list, feats: list, state) -> None:
    """Add the :data:`FORUM_FEATURES` not already in each candidate's feature dict (in place).

    Expects :func:`candidate_features` and :func:`_chrono_features` to have run.
    """
    authors = state["authors"]
    a_i = authors[i]
    text = th.texts[i]
    opener = bool(_OPENER.match(text))
    ranked = sorted(range(len(cands)), key=lambda k: (-(feats[k]["root_sim"] if cands[k] < 0 else feats[k]["tfidf"]), k))
    rank = {k: r for r, k in enumerate(ranked)}
    top = feats[ranked[0]]["root_sim"] if cands[ranked[0]] < 0 else feats[ranked[0]]["tfidf"]
    ti = th.times[i]
    stamps = sorted(th.times[j] for j in cands if j >= 0 and th.times[j] is not None)
    # Each author's comments so far, in order: "did the candidate answer me?" needs this
    # author's latest comment before the candidate, whatever the inferred links say.
    mine = th.by_author
    while th.by_author_upto < i:
        a = authors[th.by_author_upto]
        if a:
            mine[a].append(th.by_author_upto)
        th.by_author_upto += 1
    my_list = mine.get(a_i, []) if a_i else []
    # Returning authors: on Reddit nearly every comment of someone who wrote before
    # answers a comment, most often the latest reply to their own previous comment.
    my_last = my_list[-1] if my_list else -1
    t_last = th.times[my_last] if my_last >= 0 else None
    after = [k for k, j in enumerate(cands) if j > my_last >= 0 and authors[j] != a_i]
    sim_rank: dict = {}
    if after:
        sims_mine = {k: th.cosine(cands[k], my_last) for k in after}
        for r, k in enumerate(sorted(after, key=lambda k: (-sims_mine[k], k))):
            sim_rank[k] = 1.0 / (1.0 + r) if sims_mine[k] > 0 else 0.0
    for k, (j, f) in enumerate(zip(cands, feats)):
        sim = f["root_sim"] if j < 0 else f["tfidf"]
        f["best_sim"] = float(top >= 0.05 and sim == top)
        f["rank_sim"] = 1.0 / (1.0 + rank[k]) if sim > 0 else 0.0
        if j < 0:
            quoted_post = max(th.block_quote(i, -1), th.quote_post(i) if th.quoted[i] else 0.0)
            f["root_question"] = float(th.questions[i])
            f["root_new_author"] = float(bool(a_i) and a_i != th.post_author and a_i not in state["latest"])
            f["root_post_ref"] = float(_thread_speaks_of_post(th, i))
            f["root_quote"] = quoted_post
            f["root_quotes_other"] = float(not quoted_post and (bool(th.quoted[i]) or th.has_block(i)))
            f["root_lower_start"] = float(bool(re.match(r"^\W*[a-z]", text)) and not th.lowercase)
            f["root_returning"] = float(my_last >= 0 and a_i != th.post_author)
            for name in ("block_quote", "answer_opener", "cand_by_op", "cand_top", "gap_rank",
                         "cand_sim_mine", "mine_before_cand", "exchange", "after_mine", "gap_after_mine",
                         "sim_mine_rank", "gap_back", "author_in_chain", "cand_edit"):
                f[name] = 0.0
            continue
        f["block_quote"] = th.block_quote(i, j)
        f["answer_opener"] = float(th.questions[j] and opener)
        f["cand_by_op"] = float(bool(th.post_author) and authors[j] == th.post_author)
        f["cand_top"] = float(state["parents"][j] < 0)
        f["cand_sim_mine"] = f["mine_before_cand"] = f["exchange"] = 0.0
        a_j = authors[j]
        if my_list and a_j and a_j != a_i:
            pos = bisect.bisect_left(my_list, j)
            if pos:
                f["mine_before_cand"] = 1.0
                f["cand_sim_mine"] = th.cosine(j, my_list[pos - 1])
                theirs = mine.get(a_j, [])
                upto = bisect.bisect_right(theirs, j)
                # The last few comments of the two, merged in order: each change of
                # speaker is a turn; a back-and-forth has one per comment.
                seq = sorted([(k, 0) for k in my_list[max(0, pos - 6):pos]] +
                             [(k, 1) for k in theirs[max(0, upto - 6):upto]])
                f["exchange"] = math.log1p(sum(a != b for (_, a), (_, b) in zip(seq, seq[1:])))
        tj = th.times[j]
        if ti is not None and tj is not None:
            f["gap_rank"] = math.log1p(len(stamps) - bisect.bisect_right(stamps, tj))
        else:
            f["gap_rank"] = 0.0
        f["cand_edit"] = float(bool(_EDIT_LINE.search(th.texts[j])))
        f["after_mine"] = float(k in sim_rank)
        f["sim_mine_rank"] = sim_rank.get(k, 0.0)
        f["gap_after_mine"] = (math.log1p(max(0.0, (tj - t_last) / 60.0))
                               if k in sim_rank and tj is not None and t_last is not None else 0.0)
        f["gap_back"] = (math.log1p(max(0.0, (ti - tj) / 60.0))
                         if k in sim_rank and tj is not None and ti is not None else 0.0)
        for name in ("root_question", "root_new_author", "root_post_ref", "root_quote", "root_quotes_other",
                     "root_lower_start", "root_returning"):
            f[name] = 0.0


def _sibling_order(th, i, j, state, f):
    """Display order: a reply to *j* comes right after the subtree of *j*'s previous child.

    That child is the chain member just below *j* (for the post: the top of the chain).
    Pages list siblings oldest first, so a reply older than it cannot answer *j*.
    """
    chain = state.get("chain")
    if not chain or th.times[i] is None:
        return
    r = len(chain) if j < 0 else state["rank"].get(j, 0)
    if r == 0:
        return
    sib = chain[r - 1]
    if th.times[sib] is None:
        return
    if th.times[i] >= th.times[sib]:
        f["sib_ok"] = 1.0
    else:
        f["sib_violation"] = 1.0


_CUES = frozenset({"addr_author", "addr_unknown", "mention_author", "rev_addr", "alternation", "quote",
                   "shared_ngram", "tfidf", "question"})


def _evidence(th: _Thread, i: int, j: int, f: dict, w: dict, ids, state, conf: float) -> str:
    """A sentence naming the cues that favoured the chosen parent."""
    if j >= 0:
        return f"answers {ids[j]}: " + _comment_reasons(th, i, j, f, w, ids, state) + f" (confidence {conf:.2f})"
    parts = []
    names = list(dict.fromkeys(state["addr"][i]))
    if f["root_op"]:
        parts.append("it is by the post's author")
    if f.get("block_quote") or f.get("root_quote"):
        parts.append("it quotes the post")
    elif f.get("root_ngram"):
        parts.append("it repeats a run of words from the post")
    if f.get("root_post_ref"):
        parts.append(f"it speaks of the post (“{_POST_REF.search(th.texts[i]).group(0)}”)")
    if f.get("root_new_author") and "root_question" in f:
        parts.append("its author writes in the thread for the first time")
    if f["root_sim"] >= 0.1:
        parts.append(f"it shares words with the post ({', '.join(th.shared_terms(i, -1)) or 'several'})")
    lead = "answers the post: no name, quotation or shared wording ties it to an earlier comment"
    if names:
        lead = (f"answers the post: it addresses {' and '.join(names)}, but no earlier comment it may "
                "answer outweighs the post")
    if parts:
        lead = "answers the post: " + "; ".join(parts)
        if "root_question" in f and not names:
            # Forum scorer: say also why no comment won, as the lead without parts does.
            lead += "; no name, quotation or rare shared word ties it to an earlier comment"
    return f"{lead} (confidence {conf:.2f})"


def _comment_reasons(th: _Thread, i: int, j: int, f: dict, w: dict, ids, state) -> str:
    """The cues that tie comment *i* to the earlier comment *j*, as the clauses of one
    sentence (:func:`_evidence` for a parent, :func:`_second_parent` for a second one)."""
    contrib = sorted(((w.get(k, 0.0) * v, k) for k, v in f.items() if v), reverse=True)
    parts = []
    authors = state["authors"]
    names = list(dict.fromkeys(state["addr"][i]))
    cid = ids[j]
    for value, k in contrib:
        # Name every cue that speaks for the link, strongest first, including cues the
        # model weighs lightly: the reader checks the cue, not the weight.
        if w.get(k, 0.0) < 0 or (value == 0 and k not in _CUES):
            continue
        if k == "addr_author":
            parts.append(f"it addresses {names[0] if len(names) == 1 else ' and '.join(names)} by name, "
                         f"and {cid} is by {authors[j]}")
        elif k == "addr_unknown":
            parts.append(f"it addresses {names[0]} by name, and {cid}'s author is not named, "
                         f"so {cid} can be {names[0]}'s")
        elif k == "mention_author":
            parts.append(f"it names {cid}'s author {authors[j]}")
        elif k == "rev_addr":
            parts.append(f"{cid} addressed this comment's author {authors[i]}")
        elif k == "alternation":
            parts.append(f"it continues an exchange: {authors[i]} wrote the comment {cid} answers")
        elif k == "quote":
            parts.append(f"it quotes {cid} (“{th.quote(i, j)[1].strip()}”)")
        elif k == "shared_ngram" and not f["quote"]:
            parts.append(f"it repeats the words “{' '.join(th.shared_gram(i, j))}” from {cid}")
        elif k == "tfidf" and f["tfidf"] >= 0.08:
            parts.append(f"it shares the words {', '.join(th.shared_terms(i, j))} with {cid}")
        elif k == "question":
            parts.append(f"{cid} asks a question")
        elif k == "block_quote":
            parts.append(f"it quotes {cid} in a “>” line (“{_clip(th.block_quote_text(i, j)[1])}”)")
        elif k == "answer_opener":
            parts.append(f"{cid} asks a question and it opens as an answer does "
                         f"(“{_clip(th.opener_text(i), 30)}”)")
        elif k == "author_in_chain" and ("rank1" in f or "root_returning" in f):
            parts.append(f"its author {authors[i]} wrote a comment further up {cid}'s reply chain")
        elif k == "cand_edit" and f.get("cand_edit"):
            parts.append(f"{cid} has an “Edit:” line, as comments that drew replies often do")
        elif k == "op_reply":
            parts.append("it is by the post's author, who answers commenters")
        elif k == "cand_answers_me" and f.get("cand_answers_me"):
            parts.append(f"{cid} answers a comment by this comment's author {authors[i]}")
        elif k == "rare_overlap" and f.get("rare_overlap", 0) >= 0.5 and not f["tfidf"] >= 0.08:
            parts.append(f"it shares the rare word “{th.rarest_shared(i, j)}” with {cid}")
        elif k == "after_mine" and f.get("after_mine") and not f.get("cand_answers_me"):
            mine = state["latest"].get(authors[i], -1)
            if mine >= 0:
                parts.append(f"{cid} came after {authors[i]}'s previous comment {ids[mine]}, "
                             "and Reddit authors who return mostly answer a reply")
        elif k == "exchange" and f.get("exchange"):
            parts.append(f"it continues a back-and-forth between {authors[i]} and {authors[j]}")
        elif k == "prev":
            parts.append(f"{cid} is the comment listed just above it")
        elif k == "log_gap" or (k == "log_dist" and f["log_dist"] == 0):
            pass
    if "rank1" in f and th.times[i] is not None and th.later_min(i) < th.times[i]:
        parts.append(f"{ids[th.later_oldest(i)]}, listed after it, is older, so it does not start a new top-level thread")
    if "rank1" in f and not f.get("answer_opener") and th.opener(i):
        # Display order: the opener is what speaks against answering the post.
        parts.append(f"it opens as a reply does (“{_clip(th.opener_text(i), 30)}”)")
    if not parts:
        if f["prev"]:
            parts.append(f"{cid} is the comment listed just above it")
        elif order_rank := state["rank"].get(j):
            parts.append(f"{cid} is {order_rank} step{'s' * (order_rank > 1)} up the reply chain of the comment above it")
        else:
            parts.append(f"{cid} is the nearest earlier comment")
    if f["log_gap"] or (th.times[i] is not None and th.times[j] is not None):
        minutes = (th.times[i] - th.times[j]) / 60.0
        if minutes < 90:
            parts.append(f"it was written {_minutes_phrase(minutes)} after {cid}")
    return "; ".join(dict.fromkeys(parts))


def _minutes_phrase(minutes: float) -> str:
    """``"less than a minute"``, ``"1 minute"``, ``"12 minutes"``: an evidence sentence's gap."""
    m = round(minutes)
    if m < 1:
        return "less than a minute"
    return f"{m} minute{'s' * (m != 1)}"


def _clip(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[:n - 1].rstrip() + "…"


def _infer_thread(th: _Thread, ids, *, order, weights, intercept, max_candidates, fixed_parents=None, trees=None,
                  forum=None):
    """Greedy left-to-right inference; returns parents (index, -1 = post), confidences, evidence.

    *trees* (chronological order): a :class:`_Trees` scorer used instead of the linear
    weights, which then only rank the cues named in the evidence. *forum*
    (chronological order, a forum thread): ``{"coef": {feature: weight}, "root_bias": b}``,
    the forum scorer over :data:`FORUM_FEATURES`, used instead of both.
    """
    n = th.n
    w = dict(weights)
    if forum is not None:
        w = {k: float(v) for k, v in forum["coef"].items()}
        root_bias = float(forum.get("root_bias", 0.0))
        min_conf = float(forum.get("min_confidence", 0.0))
        # Authors who wrote before answer comments, not the post, on Reddit (see
        # _forum_features): the floor may be lower for them.
        min_conf_back = float(forum.get("min_confidence_returning", min_conf))
        relink = bool(forum.get("relink_back", False))
        w_items = [(k, x) for k, x in w.items() if x]
    known_authors = tuple(a for a in dict.fromkeys(th.authors) if a)
    known_lower = frozenset(a.lower() for a in known_authors)
    state = {
        "authors": list(th.authors),
        "author_src": ["explicit" if a else "" for a in th.authors],
        "author_ev": [""] * n,
        "addr": [[name for _, _, name in addressees(t, known=known_lower)] for t in th.texts],
        "parents": [-1] * n,
        "n_replies": [0] * n,
        "latest": {},
        "rank": {},
        "n_by": Counter(),
        # Second parents (chat with trees): comment -> (runner-up index, its evidence).
        "also": {},
    }
    conf = [0.0] * n
    evidence = [""] * n
    key_authors: dict = defaultdict(set)
    for a in known_authors:
        for k in _name_keys(a):
            if len(k) > 2 and k not in _STOP:
                key_authors[k].add(a)
    for i in range(n):
        if fixed_parents is not None and fixed_parents[i] is not None:
            p = fixed_parents[i]
            state["parents"][i] = p
        else:
            cands = _candidates(th, i, state, order, max_candidates, key_authors, forum=forum is not None)
            if th.times[i] is not None:
                # A reply cannot be older than the comment it answers.
                cands = [j for j in cands if j < 0 or th.times[j] is None or th.times[j] <= th.times[i]]
            feats = [candidate_features(th, i, j, state=state, order=order) for j in cands]
            if order == "display":
                _display_set_features(th, i, cands, feats, state)
            if forum is not None:
                _chrono_features(th, i, cands, feats, state)
                _forum_features(th, i, cands, feats, state)
                scores = [sum(x * f.get(k, 0.0) for k, x in w_items) + (root_bias if j < 0 else 0.0)
                          for j, f in zip(cands, feats)]
            elif trees is not None:
                _chrono_features(th, i, cands, feats, state)
                scores = trees.score(feats)
                if trees.second is not None and len(cands) > 1 and th.times[i] is not None:
                    _second_parent(th, i, cands, feats, scores, trees, w, ids, state)
            else:
                scores = [intercept + sum(w.get(k, 0.0) * v for k, v in f.items() if v) for f in feats]
            best = max(range(len(cands)), key=lambda k: (scores[k], -k))
            top = scores[best]
            z = sum(math.exp(s - top) for s in scores)
            floor = (min_conf_back if forum is not None and feats[0].get("root_returning") else
                     min_conf if forum is not None else 0.0)
            if forum is not None and cands[best] >= 0 and 1.0 / z < floor:
                # A forum comment answers the post unless one earlier comment clearly
                # stands out: spread-out weight means no cue singles a parent out.
                best = cands.index(-1)
            p = cands[best]
            conf[i] = round(math.exp(scores[best] - top) / z, 4)
            state["parents"][i] = p
            evidence[i] = _evidence(th, i, p, feats[best], w, ids, state, conf[i])
            if i in state["also"]:
                j2, ev2 = state["also"][i]
                evidence[i] += f"; also answers {ids[j2]}, a second parent: " + ev2
            if forum is not None and relink and p >= 0 and feats[0].get("root_returning"):
                _relink_back(th, i, p, state, ids, evidence, conf)
        _commit(th, i, p, state, ids)
    return state, conf, evidence


def _second_parent(th, i, cands, feats, scores, trees, w, ids, state) -> None:
    """Record the runner-up as a second parent of *i* when the second model is confident.

    Only a second earlier message counts: a message both starting a conversation and
    answering one is not a second parent. The links the state follows are untouched.
    Called for messages with a time only (see *second parent* in the module docstring).
    """
    order = sorted(range(len(cands)), key=lambda k: (-scores[k], k))
    best, second = order[0], order[1]
    if cands[best] < 0 or cands[second] < 0:
        return
    x = _second_features(scores, best, second, cands, feats, state["authors"])
    prob = 1.0 / (1.0 + math.exp(-trees.second.score([x])[0]))
    if prob >= trees.second_threshold:
        j = cands[second]
        cues = _comment_reasons(th, i, j, feats[second], w, ids, state)
        state["also"][i] = (j, f"{cues} (probability {prob:.2f})")


def _relink_back(th, i, p, state, ids, evidence, conf):
    """A returning author answers *p*, written after their previous comment *m* by someone
    else: *p* most likely answered *m* (on Reddit, 42 of 55 such cases in fo7p5b), so a
    *p* left answering the post is moved under *m*, with the confidence of "i answers p"."""
    authors, parents = state["authors"], state["parents"]
    a_i = authors[i]
    m = state["latest"].get(a_i, -1)
    if not (0 <= m < p) or authors[p] == a_i or parents[p] != -1:
        return
    parents[p] = m
    state["n_replies"][m] += 1
    state.setdefault("replies_to", defaultdict(list))[a_i].append(p)
    conf[p] = conf[i]
    evidence[p] = (f"answers {ids[m]}: {ids[i]}, by {ids[m]}'s author {a_i}, answers it, and it came after "
                   f"{ids[m]}: a back-and-forth (confidence {conf[p]:.2f})")


# Display order, decoded jointly. Greedy choice per comment cannot see that a choice
# breaks the page's order further down (a comment made top-level although a later
# top-level comment is older than it), so display order is decoded as a beam search over
# whole threads: each hypothesis is the stack of open ancestors (the reply chain of the
# comment above), extended one comment at a time; its score is the sum of each link's
# log-probability among the candidates the times allow, and a comment with no candidate
# the times allow costs the hypothesis a penalty instead of being normalised away.
_BEAM = 8
# Hypotheses this far (in log-probability) below the best are dropped (e^-3, about one
# in 20): on the development threads (Reddit fo7p5b) margins from 2 to 12 gave the same
# links, and 3 halves the time of 6. (2 takes 0.85 of the time of 3 on generated
# threads, but changed a few links on the benchmark threads, in both directions.)
_MARGIN = 3.0


class _Layer:
    """A per-comment list as one hypothesis sees it: a shared base and its own changes.

    Hypotheses share their parent's changes until they write (copy on first write), so
    extending a hypothesis costs nothing unless speaker inference names someone.
    """

    __slots__ = ("base", "over", "owned")

    def __init__(self, base, over=None):
        self.base, self.over, self.owned = base, {} if over is None else over, False

    def __getitem__(self, k):
        return self.over[k] if k in self.over else self.base[k]

    def __setitem__(self, k, v):
        if not self.owned:
            self.over, self.owned = dict(self.over), True
        self.over[k] = v

    def __len__(self):
        return len(self.base)

    def __iter__(self):
        return (self[k] for k in range(len(self.base)))

    def child(self):
        return _Layer(self.base, self.over)

    def tolist(self):
        out = list(self.base)
        for k, v in self.over.items():
            out[k] = v
        return out


class _Latest:
    """Each author's latest comment: the shared record of named authors, plus the ones this
    hypothesis inferred (copy on first write)."""

    __slots__ = ("base", "over", "owned")

    def __init__(self, base, over=None):
        self.base, self.over, self.owned = base, {} if over is None else over, False

    def get(self, a, default=None):
        x, y = self.over.get(a), self.base.get(a)
        if x is None:
            return default if y is None else y
        return x if y is None or x > y else y

    def __contains__(self, a):
        return a in self.over or a in self.base

    def __setitem__(self, a, k):
        if not self.owned:
            self.over, self.owned = dict(self.over), True
        self.over[a] = k

    def child(self):
        return _Latest(self.base, self.over)


class _ChainMap(dict):
    """Parents of the comments on a hypothesis's open chain (-1 beyond it)."""

    def __missing__(self, k):
        return -1


class _Hyp:
    __slots__ = ("score", "chain", "counts", "authors", "src", "ev", "latest", "back")

    def parents(self):
        chain = self.chain
        out = _ChainMap(zip(chain, chain[1:]))
        return out


# Every display-order feature key, in the order candidate_features inserts them (the
# order the scores add the terms in).
_DISPLAY_KEYS = tuple(dict.fromkeys(FEATURES + DISPLAY_FEATURES))
# The cues of a display candidate that depend on the hypothesis (its open chain, its
# speakers); every other cue comes from a base kept per (comment, candidate, both authors).
_DISPLAY_CHAIN_KEYS = ("sib_ok", "sib_violation", "root_depth", "root_new_author", "log_rank", "addr_author_latest",
                       "self_continue", "alternation", "same_author_latest", "author_in_chain", "cand_answered",
                       "rank1", "rank2p", "cand_depth")


# The cues _display_pair_base sets, in the order _DisplayScorer.pair lays them out.
_DISPLAY_PAIR_KEYS = ("prev", "log_dist", "addr_author", "addr_dist", "addr_other", "addr_conflict", "addr_unknown",
                      "mention_author", "rev_addr", "same_author", "op_reply", "quote", "shared_ngram", "tfidf",
                      "question", "log_gap", "no_time", "answer_opener", "prev_same_author", "block_quote",
                      "cand_by_op")


class _DisplayScorer:
    """A linear scorer's weights laid out as one list of terms per candidate.

    A candidate's score is ``intercept + sum(terms)``, the terms being ``weight * value``
    for each weighed cue in the order of :data:`_DISPLAY_KEYS`: the order
    :func:`candidate_features` gives the cues, so the float sums are the ones a sum over
    its dict gives (a term of a cue at 0 adds nothing). A base keeps its terms; a
    hypothesis copies them and writes the terms of its own cues into their slots. Cues
    without weight write into a last slot that no base term uses (0 * value adds nothing).
    """

    def __init__(self, weights, intercept):
        # best_sim compares the candidates of one hypothesis: the decoder adds its term.
        w = {k: x for k, x in weights.items() if k != "best_sim"}
        keys = [k for k in _DISPLAY_KEYS if w.get(k, 0.0)]
        self.intercept = intercept
        self._zeros = [0.0] * (len(keys) + 1)
        self._slot = {k: keys.index(k) if k in keys else len(keys) for k in _DISPLAY_KEYS}
        self._weight = {k: w[k] if k in keys else 0.0 for k in _DISPLAY_KEYS}
        # (slot, weight) of each cue of _DISPLAY_CHAIN_KEYS, in that order, flat; a cue
        # worth 1 writes its weight times 1.0 (the term candidate_features' dict gives).
        ones = {"sib_ok", "sib_violation", "root_new_author", "addr_author_latest", "alternation",
                "same_author_latest", "author_in_chain", "rank1", "rank2p"}
        self.chain = tuple(x for k in _DISPLAY_CHAIN_KEYS
                           for x in (self._slot[k], self._weight[k] * 1.0 if k in ones else self._weight[k]))
        self._tables: dict = {}
        # (slot, weight) of each cue of _DISPLAY_PAIR_KEYS, flat (see _display_pair_terms).
        self.pair = tuple(x for k in _DISPLAY_PAIR_KEYS for x in (self._slot[k], self._weight[k]))

    def tables(self, size):
        """Per count k below *size*, the terms ``weight * log1p(k)`` of the cues that read a
        count off the chain (rank, depth, depth of the comment above, replies so far): the
        same products, worked out once."""
        tables = self._tables.get(size)
        if tables is None:
            w = self._weight
            logs = [math.log1p(k) for k in range(size)]
            tables = self._tables[size] = tuple([w[k] * x for x in logs]
                                                for k in ("log_rank", "cand_depth", "root_depth", "cand_answered"))
        return tables

    def terms(self, f):
        """The terms of the cues in *f* (a dict of some cues; the rest are 0)."""
        terms, slot, weight = self._zeros.copy(), self._slot, self._weight
        for k, v in f.items():
            if v:
                terms[slot[k]] = weight[k] * v
        return terms


_SCORERS: dict = {}


def _display_scorer(weights, intercept):
    """The :class:`_DisplayScorer` of these weights (one per weighting, not per thread)."""
    try:
        key = (tuple(weights.items()), intercept)
        sc = _SCORERS.get(key)
    except TypeError:  # weights that do not hash: no cache
        return _DisplayScorer(weights, intercept)
    if sc is None:
        if len(_SCORERS) >= 32:
            _SCORERS.clear()
        sc = _SCORERS[key] = _DisplayScorer(weights, intercept)
    return sc


def _display_hypothesis(th, i, hc, counts, authors, latest, n_by, addr, bases, sc, max_candidates, named=False):
    """Comment *i*'s candidates as one hypothesis sees them, with their scores.

    The hypothesis: *hc* is its open chain (the comment above first, then its ancestors),
    *counts* the replies so far of each comment on it, *authors* and *latest* its
    speakers. The candidates are the post and the first ``max_candidates`` of the chain,
    less those newer than *i* (a reply is never older than its parent). Most cues depend
    on the texts and the two authors alone: *bases* (one dict per comment *i*) keeps
    their terms per (candidate, both authors) for every hypothesis (per candidate where
    *named*: every hypothesis has the source's speakers), and only the cues
    that read the chain (rank, depth, sibling order, latest comments, replies so far,
    authors up the chain) are filled in here.

    Returns ``(cands, parts, scores, top_sim, allowed)``: (candidate, its rank on the
    chain; the post: ``len(chain)``), what :func:`_display_features_of` needs to rebuild
    its features, the score without ``best_sim``, the highest similarity ``best_sim``
    compares (a part's ``[0][2]``), and whether the times allow each candidate (see
    :func:`_sibling_order` and ``root_out_of_order``; None: all of them).
    """
    times = th.times
    t_i = times[i]
    a_i = authors[i]
    chain = hc[:max_candidates] if len(hc) > max_candidates else hc
    n = len(chain)
    intercept = sc.intercept
    (s_ok, w_ok, s_no, w_no, s_depth0, w_depth0, s_new, w_new, s_rank, w_rank, s_lat, w_lat, s_self, w_self, s_alt,
     w_alt, s_sal, w_sal, s_aic, w_aic, s_ans, w_ans, s_r1, w_r1, s_r2, w_r2, s_depth, w_depth) = sc.chain
    rank_t, depth_t, depth0_t, ans_t = sc.tables(max_candidates + 1)
    key = (-1, a_i, chain[0] if n else None)
    hit = bases.get(key)
    if hit is None:
        f = _display_root_base(th, i, a_i, chain, addr)
        hit = bases[key] = (f, sc.terms(f), f["root_sim"], not f["root_out_of_order"])
    terms = hit[1].copy()
    # Pages list siblings oldest first: a reply older than the candidate's previous
    # child (the chain member just below it) cannot answer it (see _sibling_order).
    sib = 0
    if n and t_i is not None:
        t_sib = times[chain[-1]]
        if t_sib is not None:
            if t_i >= t_sib:
                sib = 1
                terms[s_ok] = w_ok
            else:
                sib = 2
                terms[s_no] = w_no
    if n and w_depth0:
        terms[s_depth0] = depth0_t[n]
    new = bool(a_i) and a_i != th.post_author and a_i not in latest
    if new:
        terms[s_new] = w_new
    top_sim = hit[2]
    cands, parts, scores = [(-1, n)], [(hit, sib, n, new)], [intercept + sum(terms)]
    allowed = None if hit[3] and sib != 2 else [False]
    if not n:
        return cands, parts, scores, top_sim, allowed
    # The authors along the chain (as far as a candidate looks up it), for "is this author
    # up the chain" per candidate.
    up_authors = list(map(authors.__getitem__, hc[:n + 9])) if a_i else ()
    length = len(hc)
    for r, j in enumerate(chain):
        if t_i is not None:
            t_j = times[j]
            if t_j is not None and t_j > t_i:
                continue
        a_j = authors[j]
        key = j if named else (j, a_i, a_j)
        hit = bases.get(key)
        if hit is None:
            terms, tfidf, match, quick = _display_pair_terms(th, i, j, a_i, a_j, addr, sc)
            hit = bases[key] = (None, terms, tfidf, match, quick)
        terms = hit[1].copy()
        sib = 0
        if r:
            if t_i is not None:
                t_sib = times[chain[r - 1]]
                if t_sib is not None:
                    if t_i >= t_sib:
                        sib = 1
                        terms[s_ok] = w_ok
                    else:
                        sib = 2
                        terms[s_no] = w_no
            terms[s_rank] = rank_t[r]
            if r == 1:
                terms[s_r1] = w_r1
            else:
                terms[s_r2] = w_r2
        if w_depth and n - 1 - r > 0:
            terms[s_depth] = depth_t[n - 1 - r]
        c = counts[r]
        if w_ans and c:
            terms[s_ans] = ans_t[c] if c <= max_candidates else w_ans * math.log1p(c)
        lat = bool(a_j) and latest.get(a_j) == j
        if lat and hit[3]:
            terms[s_lat] = w_lat
        cont = alt = sal = above = False
        if a_i:
            if a_j:
                if a_i == a_j:
                    cont = lat and hit[4]
                    if cont:
                        terms[s_self] = w_self * hit[4]
                else:
                    alt = r + 1 < length and up_authors[r + 1] == a_i
                    if alt:
                        terms[s_alt] = w_alt
                sal = lat and n_by.get(a_j, 0) >= 2
                if sal:
                    terms[s_sal] = w_sal
            # A -> B -> A, the one-step case of "this author is up the chain", counts once.
            if a_j != a_i and not alt:
                above = a_i in up_authors[r + 1:r + 9]
                if above:
                    terms[s_aic] = w_aic
        cands.append((j, r))
        parts.append((hit, sib, r, n, c, lat and hit[3], cont, alt, sal, above))
        scores.append(intercept + sum(terms))
        if hit[2] > top_sim:
            top_sim = hit[2]
        if sib == 2:
            if allowed is None:
                allowed = [True] * (len(scores) - 1)
            allowed.append(False)
        elif allowed is not None:
            allowed.append(True)
    return cands, parts, scores, top_sim, allowed


# The cues _evidence reads of a display candidate whatever their value (the others it
# reads only where they are not 0).
_EVIDENCE_KEYS = ("root_op", "root_sim", "prev", "quote", "tfidf", "log_gap", "log_dist", "rank1")


def _display_features_of(j, part, base, *, every=True):
    """The features (as :func:`candidate_features` gives them) of candidate *j* from what
    :func:`_display_hypothesis` kept of it and its *base* (the dict of
    :func:`_display_root_base` or :func:`_display_pair_base`); with ``every=False`` only
    the cues that are not 0 and those of _EVIDENCE_KEYS (what :func:`_evidence` reads)."""
    hit, sib, *rest = part
    f = dict.fromkeys(_DISPLAY_KEYS if every else _EVIDENCE_KEYS, 0.0)
    f.update(base)
    if sib == 1:
        f["sib_ok"] = 1.0
    elif sib == 2:
        f["sib_violation"] = 1.0
    if j < 0:
        n, new = rest
        f["root_depth"] = math.log1p(n)
        f["root_new_author"] = float(new)
        return f
    r, n, n_rep, latest_addressed, cont, alt, sal, above = rest
    f["log_rank"] = math.log1p(r)
    f["addr_author_latest"] = float(latest_addressed)
    f["self_continue"] = hit[4] if cont else 0.0
    f["alternation"] = float(alt)
    f["same_author_latest"] = float(sal)
    f["author_in_chain"] = float(above)
    f["cand_answered"] = math.log1p(n_rep)
    f["rank1"] = float(r == 1)
    f["rank2p"] = float(r >= 2)
    f["cand_depth"] = math.log1p(max(0, n - 1 - r))
    return f


def _display_root_base(th, i, a_i, chain, addr):
    """The cues of "i answers the post" that no hypothesis changes (see :func:`_display_hypothesis`),
    as a dict of the cues it sets (every other cue is 0)."""
    f = {}
    names = addr[i]
    f["root"] = 1.0
    f["root_addressing"] = float(bool(names))
    f["root_op"] = float(bool(a_i) and a_i == th.post_author)
    f["root_you"] = float(th.you[i])
    f["root_sim"] = th.cosine(i, -1)
    f["root_len"] = math.log1p(len(th.tokens[i]))
    f["root_logpos"] = math.log1p(min(i, 20))
    f["no_time"] = float(th.times[i] is None)
    if names and th.post_author:
        f["root_addr_op"] = float(any(_same_person(n, th.post_author) for n in names))
    if chain and th.times[i] is not None and th.times[chain[0]] is not None:
        f["root_gap"] = math.log1p(max(0.0, (th.times[i] - th.times[chain[0]]) / 60.0))
    f.update(_root_text_cues(th, i))
    return f


def _display_pair_base(th, i, j, a_i, a_j, addr):
    """The cues of "i answers j" (j >= 0) that depend on the texts and the two authors
    alone, whether *i* addresses *j*'s author by name, and the value ``self_continue``
    takes where it applies (see :func:`_display_hypothesis`); the cues as a dict of those it
    sets (every other cue is 0)."""
    f = {}
    f["prev"] = float(j == i - 1)
    f["log_dist"] = math.log1p(i - j - 1)
    addr_i = addr[i]
    match = False
    if addr_i:
        match = any(_same_person(n, a_j) for n in addr_i) if a_j else False
        if match:
            f["addr_author"] = 1.0
            f["addr_dist"] = f["log_dist"]
        elif a_j:
            f["addr_other"] = 1.0
        elif any(_same_person(n, m) for n in addr_i for m in addr[j]):
            f["addr_conflict"] = 1.0
        else:
            f["addr_unknown"] = 1.0
    if a_j and not f.get("addr_author"):
        f["mention_author"] = float(bool(_name_keys(a_j) & th.token_sets[i]))
    if a_i and addr[j]:
        f["rev_addr"] = float(any(_same_person(n, a_i) for n in addr[j]))
    ti, tj = th.times[i], th.times[j]
    quick = 0.0
    if a_i and a_j:
        f["same_author"] = float(a_i == a_j)
        quick = float((ti - tj) <= 120 if ti is not None and tj is not None else i - j <= 3)
    f["op_reply"] = float(bool(a_i) and a_i == th.post_author and a_j != a_i)
    f["quote"] = th.quote(i, j)[0] if th.quoted[i] else 0.0
    f["shared_ngram"] = float(th.shares_gram(i, j))
    f["tfidf"] = th.cosine(i, j)
    f["question"] = float(th.questions[j])
    if ti is not None and tj is not None:
        f["log_gap"] = math.log1p(max(0.0, (ti - tj) / 60.0))
    else:
        f["no_time"] = 1.0
    if addr_i and a_j and not f.get("addr_author") and any(_near_name(n, a_j) for n in addr_i):
        # "I totally agree, Journi." to Jouni: a name misspelt by one letter.
        f["addr_author"], f["addr_other"] = 1.0, 0.0
    f["answer_opener"] = float(th.questions[j] and _opener(th, i))
    f["prev_same_author"] = float(j == i - 1 and bool(a_i) and a_j == a_i)
    f["block_quote"] = th.block_quote(i, j)
    f["cand_by_op"] = float(bool(th.post_author) and a_j == th.post_author)
    return f, match, quick


def _display_pair_terms(th, i, j, a_i, a_j, addr, sc):
    """``(sc.terms(f), f["tfidf"], match, quick)`` for ``f, match, quick =
    _display_pair_base(th, i, j, a_i, a_j, addr)``, without the dict: each cue's term is
    written into its slot, and a cue the scorer does not weigh is not worked out unless
    another cue reads it (the decoder rebuilds the dict only for the links it chooses)."""
    (s_prev, w_prev, s_dist, w_dist, s_aa, w_aa, s_adist, w_adist, s_ao, w_ao, s_ac, w_ac, s_au, w_au, s_ma, w_ma,
     s_rev, w_rev, s_same, w_same, s_op, w_op, s_quote, w_quote, s_gram, w_gram, s_tfidf, w_tfidf, s_q, w_q,
     s_gap, w_gap, s_nt, w_nt, s_ans, w_ans, s_psa, w_psa, s_bq, w_bq, s_cop, w_cop) = sc.pair
    terms = sc._zeros.copy()
    if j == i - 1 and w_prev:
        terms[s_prev] = w_prev * 1.0
    log_dist = math.log1p(i - j - 1)
    if log_dist and w_dist:
        terms[s_dist] = w_dist * log_dist
    addr_i = addr[i]
    match = addressed = False
    if addr_i:
        match = any(_same_person(n, a_j) for n in addr_i) if a_j else False
        if match:
            addressed = True
            terms[s_aa] = w_aa * 1.0
            if log_dist:
                terms[s_adist] = w_adist * log_dist
        elif a_j:
            terms[s_ao] = w_ao * 1.0
        elif any(_same_person(n, m) for n in addr_i for m in addr[j]):
            terms[s_ac] = w_ac * 1.0
        else:
            terms[s_au] = w_au * 1.0
    if a_j and not addressed and w_ma and not _name_keys(a_j).isdisjoint(th.token_sets[i]):
        terms[s_ma] = w_ma * 1.0
    if a_i and w_rev and addr[j] and any(_same_person(n, a_i) for n in addr[j]):
        terms[s_rev] = w_rev * 1.0
    ti, tj = th.times[i], th.times[j]
    quick = 0.0
    if a_i and a_j:
        if a_i == a_j:
            terms[s_same] = w_same * 1.0
        quick = float((ti - tj) <= 120 if ti is not None and tj is not None else i - j <= 3)
    if w_op and a_i and a_i == th.post_author and a_j != a_i:
        terms[s_op] = w_op * 1.0
    if w_quote and th.quoted[i] and (v := th.quote(i, j)[0]):
        terms[s_quote] = w_quote * v
    if _STOP.issuperset(th.token_sets[i] & th.token_sets[j]):
        # No word in common but stop words: no content word (the cosine is an empty sum)
        # and no four-word run with a content word.
        tfidf = 0
    else:
        if w_gram and th._shares_gram(i, j):
            terms[s_gram] = w_gram * 1.0
        tfidf = th.cosine(i, j)
        if tfidf:
            terms[s_tfidf] = w_tfidf * tfidf
    if th.questions[j]:
        terms[s_q] = w_q * 1.0
    if ti is not None and tj is not None:
        if v := math.log1p(max(0.0, (ti - tj) / 60.0)):
            terms[s_gap] = w_gap * v
    else:
        terms[s_nt] = w_nt * 1.0
    if addr_i and a_j and not addressed and any(_near_name(n, a_j) for n in addr_i):
        # "I totally agree, Journi." to Jouni: a name misspelt by one letter.
        terms[s_aa], terms[s_ao] = w_aa * 1.0, 0.0
    if w_ans and th.questions[j] and _opener(th, i):
        terms[s_ans] = w_ans * 1.0
    if w_psa and j == i - 1 and a_i and a_j == a_i:
        terms[s_psa] = w_psa * 1.0
    # (Most comments have no "> " line: no call for them once the lines are found.)
    if w_bq and (th._block is None or th._block[i]) and (v := th.block_quote(i, j)):
        terms[s_bq] = w_bq * v
    if w_cop and th.post_author and a_j == th.post_author:
        terms[s_cop] = w_cop * 1.0
    # A cue the scorer does not weigh wrote its 0 into the spare last slot: keep it 0.0.
    terms[-1] = 0.0
    return terms, tfidf, match, quick


def _infer_display(th: _Thread, ids, *, weights, intercept, max_candidates, width=None):
    """Beam-search inference for display order; returns what :func:`_infer_thread` does."""
    n = th.n
    width = width or _BEAM
    w = dict(weights)
    w_best_sim = w.get("best_sim", 0.0)
    sc = _display_scorer(w, intercept)
    w_sib = w.get("sib_violation", 0.0)
    # A comment the times place nowhere on a hypothesis's chain costs it as much as the
    # scorer weighs one sibling out of order (the hand-set -6 where the scorer has none).
    penalty = -w_sib if w_sib < 0 else 6.0
    known_authors = tuple(a for a in dict.fromkeys(th.authors) if a)
    known_lower = frozenset(a.lower() for a in known_authors)
    addr = [[name for _, _, name in addressees(t, known=known_lower)] for t in th.texts]
    named = all(th.authors)
    speaker_keys: dict = {}
    # Speakers are inferred only where some author is missing.
    for a in known_authors if not named else ():
        for k in _name_keys(a):
            speaker_keys.setdefault(k, a)
    shared = {"speaker_keys": speaker_keys, "inferred_names": []}
    named_authors = list(th.authors)
    latest: dict = {}
    n_by: Counter = Counter()
    root = _Hyp()
    root.score, root.chain, root.counts, root.back = 0.0, (), (), None
    root.authors = _Layer(list(th.authors))
    root.src = _Layer(["explicit" if a else "" for a in th.authors])
    root.ev = _Layer([""] * n)
    root.latest = _Latest(latest)
    beam = [root]
    # How much of a chain a hypothesis keeps: the candidates and the authors up the chain
    # that the cues read.
    keep = max_candidates + 10
    for i in range(n):
        ext = []
        # Hypotheses share most candidates: the cues that depend on the texts and the two
        # authors are computed once per (candidate, authors) (see _display_hypothesis).
        bases: dict = {}
        floor = -math.inf
        for h in beam:
            # Every author known: the speakers are the source's, in plain containers.
            authors, h_latest = (named_authors, latest) if named else (h.authors, h.latest)
            cands, parts, scores, top_sim, allowed = _display_hypothesis(th, i, h.chain, h.counts, authors, h_latest,
                                                                         n_by, addr, bases, sc, max_candidates,
                                                                         named)
            # best_sim (see _best_sim): the candidates sharing the most weighted words (a
            # chosen link's value is worked out from top_sim at the end).
            if w_best_sim:
                if top_sim >= 0.05:
                    scores = [s + w_best_sim * float(part[0][2] == top_sim) for s, part in zip(scores, parts)]
                else:
                    scores = [s + w_best_sim * 0.0 for s in scores]
            cost = 0.0
            if allowed is None:
                pool, pooled = range(len(scores)), scores
            else:
                pool = [k for k, ok in enumerate(allowed) if ok]
                if not pool:
                    pool, cost = range(len(scores)), penalty
                pooled = [scores[k] for k in pool]
            top = max(pooled)
            log_z = top + math.log(sum([math.exp(x - top) for x in pooled]))
            for k in pool:
                total = h.score + scores[k] - log_z - cost
                if total < floor:
                    # Below the best extension so far by more than the margin: the beam
                    # cannot keep it, whatever comes later.
                    continue
                if total - _MARGIN > floor:
                    floor = total - _MARGIN
                j, r = cands[k]
                # Negated, so that sorting puts the best first (ties: the first extended).
                ext.append((-total, len(ext), h, j, scores[k] - log_z, parts[k], top_sim, r if j >= 0 else 0))
        ext.sort()
        beam, seen = [], set()
        for neg, _, h, p, log_p, part, top_sim, rank_p in ext:
            score = -neg
            if len(beam) == width or score < -ext[0][0] - _MARGIN:
                break
            if p < 0:
                chain = (i,)
            else:
                chain = (i,) + h.chain[rank_p:]
                if len(chain) > keep:
                    chain = chain[:keep]
            if named:
                # Every author is known, so no speaker can be inferred: the hypothesis shares
                # its speakers with its parent, and a duplicate is known before it is built.
                if chain in seen:
                    continue
                seen.add(chain)
            if p < 0:
                counts = (0,)
            else:
                counts = (0, h.counts[rank_p] + 1) + h.counts[rank_p + 1:]
                if len(counts) > keep:
                    counts = counts[:keep]
            g = _Hyp()
            g.score, g.chain, g.counts = score, chain, counts
            g.back = (h.back, p, log_p, part, top_sim, rank_p, h.authors)
            if named:
                g.authors, g.src, g.ev, g.latest = h.authors, h.src, h.ev, h.latest
                beam.append(g)
                continue
            g.authors, g.src, g.ev, g.latest = h.authors.child(), h.src.child(), h.ev.child(), h.latest.child()
            if p >= 0:
                view = {"authors": g.authors, "author_src": g.src, "author_ev": g.ev, "addr": addr,
                        "parents": h.parents(), **shared}
                _speaker_from_link(th, i, p, view, ids)
            a = g.authors[i]
            if a and not th.authors[i]:
                g.latest[a] = i
            # Two hypotheses with the same open chain and the same speakers score every
            # later comment alike: keep the better one only.
            key = (g.chain, tuple(sorted(g.authors.over.items())) if g.authors.over else ())
            if key in seen:
                continue
            seen.add(key)
            beam.append(g)
        if th.authors[i]:
            latest[th.authors[i]] = i
            n_by[th.authors[i]] += 1
    best = beam[0]
    par, conf, evidence = [-1] * n, [0.0] * n, [""] * n
    node, i = best.back, n - 1
    while node is not None:
        node, p, log_p, part, top_sim, rank_p, authors_then = node
        f_best = float(part[0][2] == top_sim) if top_sim >= 0.05 else 0.0
        c = round(math.exp(log_p), 4)
        par[i], conf[i] = p, c
        # A candidate's cues as a dict, rebuilt for the chosen links only.
        base = part[0][0] if p < 0 else _display_pair_base(th, i, p, authors_then[i], authors_then[p], addr)[0]
        f = _display_features_of(p, part, base, every=False)
        f["best_sim"] = f_best
        evidence[i] = _evidence(th, i, p, f, w, ids, {"authors": authors_then, "addr": addr, "rank": {p: rank_p}}, c)
        i -= 1
    state = {"parents": par, "authors": best.authors.tolist(), "author_src": best.src.tolist(),
             "author_ev": best.ev.tolist()}
    return state, conf, evidence


def _commit(th, i, p, state, ids):
    """Record "i answers p" in the inference state."""
    if p >= 0:
        state["n_replies"][p] += 1
        _speaker_from_link(th, i, p, state, ids)
        popular = state.setdefault("popular", [])
        if p not in popular:
            popular.append(p)
        popular.sort(key=lambda k: -state["n_replies"][k])
        del popular[12:]
        if state["authors"][p]:
            state.setdefault("replies_to", defaultdict(list))[state["authors"][p]].append(i)
    if state["authors"][i]:
        state["latest"][state["authors"][i]] = i
        n_by = state.setdefault("n_by", Counter())
        n_by[state["authors"][i]] += 1


# Forum candidate sets (kind="forum"): a forum reply's parent lies a median of some 60
# comments back in oldest-first order (Reddit), far beyond the recent window; the most
# similar earlier comments (through more of the comment's words) and the comments that
# drew replies reach it, at a bounded cost per comment.
_FORUM_SIMILAR = {"k": 30, "words": 16}
_EDIT_LINE = re.compile(r"^\W*edit\b", re.IGNORECASE | re.MULTILINE)
# Bound on the comments after a returning author's previous comment that join the
# candidates (the latest reply to that comment is the usual parent).
_FORUM_AFTER_MINE = 120


def _candidates(th, i, state, order, max_candidates, key_authors, *, forum=False):
    """The post, plus the bounded set of earlier comments *i* may answer."""
    cands = [-1]
    state["rank"] = {}
    state["chain"] = []
    if i == 0:
        return cands
    if order == "display":
        j, rank = i - 1, 0
        while j >= 0 and rank < max_candidates:
            cands.append(j)
            state["chain"].append(j)
            state["rank"][j] = rank
            j, rank = state["parents"][j], rank + 1
        return cands
    seen = set(range(max(0, i - max_candidates), i))
    for name in state["addr"][i]:
        low = name.lower()
        for key in (low, *_ALIASES.get(low, ())):
            for a in key_authors.get(key, ()):
                if a in state["latest"]:
                    seen.add(state["latest"][a])
    for a in {a for k in th.token_sets[i] if k in key_authors for a in key_authors[k]}:
        if a in state["latest"]:
            seen.add(state["latest"][a])
    for g in th.grams[i]:
        for j in th.gram_index.get(g, ()):
            if j < i:
                seen.add(j)
    seen.update(th.similar_earlier(i, **_FORUM_SIMILAR) if forum else th.similar_earlier(i))
    # Comments that already drew replies draw more; and people answer those who answered them.
    seen.update(state.get("popular", ()))
    if th.authors[i] or state["authors"][i]:
        seen.update(state.get("replies_to", {}).get(state["authors"][i], ())[-8:])
        mine = state["latest"].get(state["authors"][i], -1)
        if forum and mine >= 0:
            # Whatever came after this author's previous comment may be a reply to it.
            seen.update(range(max(mine + 1, i - _FORUM_AFTER_MINE), i))
    return cands + sorted(seen, reverse=True)


def _speaker_from_link(th, i, p, state, ids):
    """Speaker cues that follow from "i answers p" (only where the author is missing)."""
    authors, src, ev = state["authors"], state["author_src"], state["author_ev"]
    names = state["addr"][i]
    if names and not authors[p]:
        name = names[0]
        # A comment is not answered by name as someone it itself addresses.
        if not any(_same_person(name, m) for m in state["addr"][p]) and not (authors[i] and _same_person(name, authors[i])):
            authors[p] = _canonical(name, authors, state)
            src[p] = "inferred"
            ev[p] = f"{ids[i]} answers it and addresses its author as {name}"
    if not authors[i]:
        m = _SELF_REF.search(th.texts[i])
        gp = state["parents"][p]
        if m and gp >= 0 and authors[gp]:
            authors[i] = authors[gp]
            src[i] = "inferred"
            ev[i] = (f"it answers {ids[p]}, which answered {ids[gp]}, and calls {ids[gp]} "
                     f"“{m.group(0)}”, so both are by {authors[gp]}")
        elif names and authors[p] and state["addr"][p]:
            back = [n for n in state["addr"][p] if not _same_person(n, authors[p])]
            if back and any(_same_person(n, authors[p]) for n in names):
                authors[i] = _canonical(back[0], authors, state)
                src[i] = "inferred"
                ev[i] = (f"it answers {ids[p]} by {authors[p]}, addressing them by name, and {ids[p]} had "
                         f"addressed {back[0]}: the one addressed answers back")


def _canonical(name, authors, state=None):
    """Reuse an existing speaker's spelling for a name that can refer to them ("Chas" -> "Charles").

    Speakers named so far are looked up through their name keys (constant time); names
    inferred earlier are also matched by short forms ("Dan" for "Daniel").
    """
    if state is None:
        return next((a for a in authors if a and _same_person(name, a)), name)
    index = state.get("speaker_keys")
    if index is None:
        index = state["speaker_keys"] = {}
        for a in dict.fromkeys(authors):
            if a:
                for k in _name_keys(a):
                    index.setdefault(k, a)
    low = name.lower()
    for key in (low, *sorted(_ALIASES.get(low, ()))):
        if key in index:
            return index[key]
    inferred = state.setdefault("inferred_names", [])
    for a in inferred:
        if _same_person(name, a):
            return a
    inferred.append(name)
    for k in _name_keys(name):
        index.setdefault(k, name)
    return name


def infer_replies(comments: pd.DataFrame, *, mode: str = "auto", order: str = "display",
                  threads: pd.DataFrame | None = None, id_col: str = "comment_id", parent_col: str = "parent_id",
                  text_col: str = "text", author_col: str = "author", time_col: str = "created_at",
                  max_candidates: int = 40, model: dict | str | None = None, speakers: bool = True,
                  kind: str = "auto") -> pd.DataFrame:
    """Fill reply links (and missing speakers) where the source has none.

    Parameters
    ----------
    comments : pandas.DataFrame
        A comments table with ``thread_id``, *id_col*, *parent_col* and *text_col*;
        *author_col*, *time_col*, ``position`` and ``parent_source`` are used when present.
    mode : {"auto", "always", "never"}, default "auto"
        ``auto`` infers links only for threads whose source gave none (no row with a
        parent and none marked ``parent_source="explicit"``); ``always`` replaces every
        link; ``never`` leaves links as they are (missing ones answer the post).
    order : {"display", "chronological"}, default "display"
        How the source listed the comments (see the module docstring).
    threads : pandas.DataFrame, optional
        The threads table; the post's ``text`` and ``author`` become cues for the root.
    max_candidates : int, default 40
        The most earlier comments weighed per comment (bounds the work per comment).
    model : dict or "learned", optional
        ``{"coef": {feature: weight}, "intercept": b}`` (a linear scorer) to use instead
        of the shipped scorer for *order*. ``"learned"`` (display order only) uses the
        learned display scorer, picked per thread by whether it has names and times, for
        every thread (by default only threads without times get it; see the module
        docstring); for chronological order a ``"trees"`` entry (as ``bench/train_replies.py`` writes it)
        makes the trees score and the coefficients only rank the cues the evidence names.
    speakers : bool, default True
        Also fill missing authors from cues (see :func:`infer_speakers`).
    kind : {"auto", "chat", "forum"}, default "auto"
        Chronological order only: what kind of conversation a thread is. In a *forum*
        (Reddit, blogs, news comments) most comments answer the post and a comment is
        linked to another only on a cue; in a *chat* (IRC, chat exports) nearly every
        message answers an earlier one. ``auto`` decides per thread: a forum when the
        thread has a post text (from *threads*) or its comments are written a median of
        ten minutes or more apart, a chat otherwise. A *model* dict with a ``"forum"``
        entry (``{"coef": ..., "root_bias": ...}``, optionally ``"min_confidence"``,
        ``"min_confidence_returning"``, ``"relink_back"``) replaces the shipped forum scorer.

    Returns
    -------
    pandas.DataFrame
        A copy with ``parent_id``, ``parent_source``, ``parent_confidence``,
        ``parent_evidence``, ``author``, ``author_source`` and ``author_evidence`` filled,
        and ``also_replies_to``: for an inferred chat link, the id of a second parent the
        message likely answers too (see *second parent* in the module docstring; ids are
        ``;``-separated, empty for most rows and for every other path), same index and row
        order.

    Raises
    ------
    SchemaError
        When a needed column is missing or an option is not one of its choices.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"thread_id": ["t"] * 2, "comment_id": ["c1", "c2"], "parent_id": [""] * 2,
    ...                    "text": ["Schools are not a war zone.", "Wow Ann, a “war zone”? Hardly."]})
    >>> out = infer_replies(df)
    >>> out["parent_id"].tolist()
    ['', 'c1']
    >>> out.loc[1, "author"], out.loc[1, "parent_evidence"].split(":")[0]
    ('', 'answers c1')
    >>> out.loc[0, ["author", "author_source"]].tolist()
    ['Ann', 'inferred']
    """
    if mode not in _MODES:
        raise SchemaError(f"mode must be one of {list(_MODES)}; got {mode!r}.")
    if order not in _ORDERS:
        raise SchemaError(f"order must be one of {list(_ORDERS)}; got {order!r}.")
    if kind not in _KINDS:
        raise SchemaError(f"kind must be one of {list(_KINDS)}; got {kind!r}.")
    if not isinstance(max_candidates, int) or max_candidates < 1:
        raise SchemaError(f"max_candidates must be an int in the range [1, inf); got {max_candidates!r}.")
    require_columns(comments, ["thread_id", id_col, parent_col, text_col], caller="infer_replies")
    out = comments.copy()
    n = len(out)
    parent = _strings(out[parent_col])
    source = _strings(out["parent_source"]) if "parent_source" in out.columns else pd.Series([""] * n, index=out.index)
    conf = (pd.to_numeric(out["parent_confidence"], errors="coerce") if "parent_confidence" in out.columns
            else pd.Series(float("nan"), index=out.index))
    evid = (_strings(out["parent_evidence"]) if "parent_evidence" in out.columns
            else pd.Series([""] * n, index=out.index))
    author = _strings(out[author_col]) if author_col in out.columns else pd.Series([""] * n, index=out.index)
    a_src = (_strings(out["author_source"]) if "author_source" in out.columns
             else pd.Series([""] * n, index=out.index))
    a_src = a_src.where(a_src != "", author.map(lambda a: "explicit" if a else "unknown"))
    a_ev = (_strings(out["author_evidence"]) if "author_evidence" in out.columns
            else pd.Series([""] * n, index=out.index))
    also = (_strings(out["also_replies_to"]) if "also_replies_to" in out.columns
            else pd.Series([""] * n, index=out.index))
    linked = (parent != "") | (source == "explicit")
    # Threads as codes (one hash of the ids serves the link test and the loop below).
    codes, thread_ids = pd.factorize(out["thread_id"])
    if n and (codes < 0).any():
        # Missing thread ids: pandas' grouping leaves those rows out, as before.
        has_links = linked.groupby(out["thread_id"], sort=False).transform("any")
        groups = out.groupby("thread_id", sort=False).indices.items()
    elif n:
        per_thread = np.bincount(codes, weights=linked.to_numpy(dtype=float), minlength=len(thread_ids)) > 0
        has_links = pd.Series(per_thread[codes], index=out.index)
        rows_by_thread = np.argsort(codes, kind="stable")
        groups = zip(thread_ids, np.split(rows_by_thread, np.cumsum(np.bincount(codes))[:-1]))
    else:
        has_links, groups = linked, ()
    if mode == "never":
        target = pd.Series(False, index=out.index)
    elif mode == "auto":
        target = ~has_links
    else:
        target = pd.Series(True, index=out.index)
    # Links the source gave: top-level comments of a structured thread are explicit too.
    keep = ~target
    source = source.where(~(keep & has_links), "explicit")
    conf = conf.where(~(keep & has_links) | conf.notna(), 1.0)
    nolink = keep & ~has_links
    source = source.where(~nolink, "inferred")
    conf = conf.where(~nolink, 0.0)
    evid = evid.where(~nolink, "no link in the source and inference is off: answers the post")

    post_text, post_author = {}, {}
    if threads is not None and len(threads) and "thread_id" in threads.columns:
        for row in threads[[c for c in ("thread_id", "text", "author") if c in threads.columns]].to_dict("records"):
            post_text[row["thread_id"]] = str(row.get("text", "") or "")
            post_author[row["thread_id"]] = str(row.get("author", "") or "")
    # Seconds since the epoch, worked out only for the threads inferred (see _epoch_seconds).
    stamps = _epoch_units(out[time_col]) if time_col in out.columns else None
    pos = pd.to_numeric(out["position"], errors="coerce") if "position" in out.columns else None
    if isinstance(model, str) and not (model == "learned" and order == "display"):
        raise SchemaError(f"model must be a dict of weights, or 'learned' with order='display'; "
                          f"got {model!r} with order={order!r}.")
    weights, intercept = _weights(order, model)
    if order == "chronological" and (model is None or "trees" in model):
        trees = _shipped_trees(order) if model is None else _Trees(model["trees"])
    else:
        trees = None
    forum_model = None
    if order == "chronological" and kind != "chat":
        forum_model = model.get("forum") if isinstance(model, dict) else (_model().get(order) or {}).get("forum")
    # Positional arrays: fast to read and write, and safe when index labels repeat.
    P, S, C, E = (parent.to_numpy(dtype=object).copy(), source.to_numpy(dtype=object).copy(),
                  conf.to_numpy(dtype="float64").copy(), evid.to_numpy(dtype=object).copy())
    A, AS, AE = author.to_numpy(dtype=object).copy(), a_src.to_numpy(dtype=object).copy(), a_ev.to_numpy(dtype=object).copy()
    AL = also.to_numpy(dtype=object).copy()
    need_all = target.to_numpy(dtype=bool)
    id_arr = out[id_col].astype(str).to_numpy(dtype=object)
    text_arr = _strings(out[text_col]).to_numpy(dtype=object)
    pos_arr = pos.to_numpy() if pos is not None else None
    unnamed = (author == "").to_numpy(dtype=bool)
    for tid, idx in groups:
        if not need_all[idx].any() and not (speakers and unnamed[idx].any()):
            continue
        rows = idx.tolist()
        if pos_arr is not None and not pd.isna(pos_arr[rows]).any():
            rows.sort(key=lambda r: (pos_arr[r], r))
        need = [bool(need_all[r]) for r in rows]
        ids = [id_arr[r] for r in rows]
        th = _Thread([text_arr[r] for r in rows], [A[r] for r in rows],
                     _epoch_seconds(stamps, rows) if stamps is not None else [None] * len(rows),
                     post_text.get(tid, ""), post_author.get(tid, ""))
        if not speakers:
            th.authors = [a if AS[r] == "explicit" else "" for a, r in zip(th.authors, rows)]
        where = {c: k for k, c in enumerate(ids)}
        fixed = [None if need[k] else where.get(P[r], -1) for k, r in enumerate(rows)]
        w_thread, b_thread = weights, intercept
        timed = any(t is not None for t in th.times)
        # Display order: the learned scorer on request, and by default where the thread has
        # no times (there the time rules constrain nothing, and the learned scorer measures
        # better on the development folds and on blogs; with times the hand-set one does).
        if order == "display" and (model == "learned" or (model is None and not timed)):
            w_thread, b_thread = _display_weights(any(th.authors), timed, weights, intercept)
        if order == "display" and all(x is None for x in fixed):
            state, c, ev = _infer_display(th, ids, weights=w_thread, intercept=b_thread,
                                          max_candidates=max_candidates)
        else:
            forum = forum_model if forum_model and (kind == "forum" or _looks_like_forum(th, post_text.get(tid, ""))) \
                else None
            state, c, ev = _infer_thread(th, ids, order=order, weights=w_thread, intercept=b_thread,
                                         max_candidates=max_candidates, fixed_parents=fixed, trees=trees, forum=forum)
        second = state.get("also", {})
        for k, r in enumerate(rows):
            if need[k]:
                p = state["parents"][k]
                P[r] = ids[p] if p >= 0 else ""
                S[r] = "inferred"
                C[r] = c[k]
                E[r] = ev[k]
                AL[r] = ids[second[k][0]] if k in second else ""
            if speakers and state["author_src"][k] == "inferred" and not A[r]:
                A[r] = state["authors"][k]
                AS[r] = "inferred"
                AE[r] = state["author_ev"][k]
    parent, source, evid, author, a_src, a_ev, also = (pd.Series(x, index=out.index, dtype=object)
                                                       for x in (P, S, E, A, AS, AE, AL))
    conf = pd.Series(C, index=out.index, dtype="float64")
    return out.assign(**{parent_col: parent, "parent_source": source, "parent_confidence": conf.astype("float64"),
                         "parent_evidence": evid, author_col: author, "author_source": a_src,
                         "author_evidence": a_ev, "also_replies_to": also})


def _looks_like_forum(th: _Thread, post_text: str) -> bool:
    """``kind="auto"``: a thread under a post, or one written at forum pace, is a forum.

    Chat logs have no post and their messages come seconds to a few minutes apart
    (IRC: a median of well under a minute); forum comments come tens of minutes apart.
    """
    if post_text.strip():
        return True
    stamps = sorted(t for t in th.times if t is not None)
    if len(stamps) < 3:
        return False
    gaps = sorted(b - a for a, b in zip(stamps, stamps[1:]))
    return gaps[len(gaps) // 2] >= 600.0


def _epoch_units(series: pd.Series) -> tuple:
    """A time column as (its integer times since the epoch, units per second, the missing value)."""
    values = pd.to_datetime(series, utc=True, errors="coerce").array
    return values.asi8.tolist(), 10 ** {"s": 0, "ms": 3, "us": 6, "ns": 9}[values.unit], pd.NaT.value


def _epoch_seconds(stamps: tuple, rows) -> list:
    """Seconds since the epoch of *rows* (None where missing), as ``Timestamp.timestamp()``
    gives them (``round(units / units per second, 6)``) without a Timestamp per value."""
    values, per_second, missing = stamps
    return [None if (v := values[r]) == missing else round(v / per_second, 6) for r in rows]


def _strings(series: pd.Series) -> pd.Series:
    """*series* as Python strings, missing values as "" (an object column)."""
    values = series.to_numpy(dtype=object, na_value=None) if series.dtype != object else series.to_numpy()
    kinds = set(map(type, values))
    if kinds <= {str}:
        return pd.Series(values.copy(), index=series.index, dtype=object)
    missing = pd.isna(values)
    if not set(map(type, values[~missing])) <= {str}:
        # Anything but strings: pandas' conversion, as before.
        return series.astype(object).where(series.notna(), "").astype(str).astype(object)
    out = values.copy()
    out[missing] = ""
    return pd.Series(out, index=series.index, dtype=object)


def infer_speakers(comments: pd.DataFrame, *, order: str = "display", author_col: str = "author",
                   text_col: str = "text", id_col: str = "comment_id", parent_col: str = "parent_id") -> pd.DataFrame:
    """Fill missing authors from cues along the reply links that are already there.

    Runs the speaker rules of :func:`infer_replies` without changing any link: the
    comment answered as "Ellen" is Ellen's, a comment that speaks of "my comment" is by
    the author of the comment its parent answered, the one addressed answers back, and
    a comment signed "-- Bob" is Bob's.

    Returns
    -------
    pandas.DataFrame
        A copy with ``author``, ``author_source`` and ``author_evidence`` filled.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"thread_id": ["t"] * 3, "comment_id": ["a", "b", "c"], "parent_id": ["", "a", "b"],
    ...                    "text": ["Tests first.", "Sorry, Ellen but no.", "Wow Duane, you misread my comment."]})
    >>> infer_speakers(df)[["author", "author_source"]].values.tolist()
    [['Ellen', 'inferred'], ['Duane', 'inferred'], ['Ellen', 'inferred']]
    """
    require_columns(comments, ["thread_id", id_col, parent_col, text_col], caller="infer_speakers")
    out = infer_replies(comments, mode="never", order=order, id_col=id_col, parent_col=parent_col,
                        text_col=text_col, author_col=author_col, speakers=True)
    if "also_replies_to" not in comments.columns:
        # No link is inferred here, so no second parent either.
        out = out.drop(columns="also_replies_to")
    return out.pipe(_signed, text_col, author_col)


def _signed(df, text_col, author_col):
    """Authors from signatures ("-- Bob" on the last line) where still missing."""
    out = df.copy()
    for col in ("author_source", "author_evidence"):
        if col not in out.columns:
            out[col] = ""
    # By position: a table joined with pd.concat can repeat index labels.
    a, s, e = (out.columns.get_loc(c) for c in (author_col, "author_source", "author_evidence"))
    for i, text in enumerate(out[text_col]):
        if out.iat[i, a]:
            continue
        m = _SIGNATURE.search(str(text))
        if m:
            out.iat[i, a] = m.group(1)
            out.iat[i, s] = "inferred"
            out.iat[i, e] = f"it is signed “{m.group(0).strip()}”"
    return out


def spans(comments: pd.DataFrame, *, text_col: str = "text", id_col: str = "comment_id",
          author_col: str = "author") -> pd.DataFrame:
    """Address spans: each name a comment addresses ("Sorry, Ellen but").

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`discourse.model.SPAN_COLUMNS`, ``kind="address"``, the name as
        ``label``; ``text[start:end]`` is the name as written.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"thread_id": ["t"], "comment_id": ["c1"], "text": ["Wow Duane…I am amazed."]})
    >>> spans(df)[["kind", "label", "start", "end", "text"]].values.tolist()
    [['address', 'Duane', 4, 9, 'Duane']]
    """
    from .model import SPAN_COLUMNS

    require_columns(comments, ["thread_id", id_col, text_col], caller="spans")
    rows = []
    known_by_thread: dict = defaultdict(tuple)
    if author_col in comments.columns:
        for t, g in comments.groupby("thread_id", sort=False):
            known_by_thread[t] = tuple(a for a in pd.unique(g[author_col].fillna("")) if a)
    for t, c, text in zip(comments["thread_id"], comments[id_col], comments[text_col]):
        text = "" if pd.isna(text) else str(text)
        for start, end, name in addressees(text, known=known_by_thread[t]):
            rows.append((t, c, "address", name, start, end, text[start:end], "",
                         f"addresses {name} by name: the comment answers a comment by {name}"))
    return pd.DataFrame(rows, columns=list(SPAN_COLUMNS)).astype({"start": "int64", "end": "int64"})


def _training_pairs(texts, authors, times, gold, *, order, post_text="", post_author="", max_candidates=40,
                    targets=None, follow=None, forum=False):
    """Candidate features and labels for training (bench/train_replies.py).

    *gold* holds, per comment, the set of true parent indices (-1 = the post); inference
    state follows the gold links (teacher forcing) so the features match what inference
    sees when its earlier choices are right; or, given *follow* (a parent index per
    comment, e.g. a model's own guesses), those links, so the features match what
    inference sees after its own mistakes. Yields ``(i, j, features, label)``.
    """
    th = _Thread(texts, authors, times, post_text, post_author)
    n = th.n
    ids = [str(k) for k in range(n)]
    known_authors = tuple(a for a in dict.fromkeys(th.authors) if a)
    known_lower = frozenset(a.lower() for a in known_authors)
    state = {
        "authors": list(th.authors), "author_src": ["explicit" if a else "" for a in th.authors],
        "author_ev": [""] * n,
        "addr": [[name for _, _, name in addressees(t, known=known_lower)] for t in th.texts],
        "parents": [-1] * n, "n_replies": [0] * n, "latest": {}, "rank": {}, "n_by": Counter(),
    }
    key_authors: dict = defaultdict(set)
    for a in known_authors:
        for k in _name_keys(a):
            if len(k) > 2 and k not in _STOP:
                key_authors[k].add(a)
    for i in range(n):
        g = gold[i] or {-1}
        if targets is None or targets[i]:
            cands = _candidates(th, i, state, order, max_candidates, key_authors, forum=forum)
            if th.times[i] is not None:
                cands = [j for j in cands if j < 0 or th.times[j] is None or th.times[j] <= th.times[i]]
            feats = [candidate_features(th, i, j, state=state, order=order) for j in cands]
            if order == "display":
                _display_set_features(th, i, cands, feats, state)
            if order == "chronological":
                _chrono_features(th, i, cands, feats, state)
                if forum:
                    _forum_features(th, i, cands, feats, state)
            for j, f in zip(cands, feats):
                yield i, j, f, int(j in g)
        p = max(g) if follow is None else follow[i]
        state["parents"][i] = p
        _commit(th, i, p, state, ids)
