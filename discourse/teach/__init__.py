"""Teach: media-literacy worksheets, answer keys, grading and class agreement.

A teacher turns an analysed thread into a printable worksheet, collects the class's
answers in CSV files, and grades them. Four kinds of exercise follow the questions
civics classes ask of an online argument:

replies
    Who answers whom? Students read the comments and decide which earlier comment (or
    the post) each one answers, from cues such as "Sorry, Ellen but"; the key holds the
    reconstruction (explicit links where the source kept them, inferred ones otherwise).
frames
    Find the metaphors: is a war word used metaphorically, literally, or is the writer
    talking about the metaphor itself? Who accepts a frame and who contests it?
techniques
    Name the persuasion technique (or the insult) in a marked passage.
tone
    Rate each comment's tone, then compare with VADER and discuss where it fails
    (negation, sarcasm, war words, quoted text).

Terms used here:

item
    One question on a worksheet, with an id such as ``F3`` (R replies, F frames,
    P persuasion techniques, T tone).
expected answer
    What the key grades against. For replies, frames and techniques it is the tool's
    answer unless the teacher edits the key; tone items and frame-stance items the tool
    cannot decide are *open*: they have no expected answer and count only for agreement.
tool's answer
    What discourse's analysis decided, kept in the key beside the evidence.
agreement
    How far the students agree with each other (Krippendorff's alpha, Fleiss' and
    Cohen's kappa, from :mod:`nltk.metrics.agreement`) and with the tool.

>>> from discourse.teach import KINDS
>>> KINDS
('replies', 'frames', 'techniques', 'tone')
"""

from __future__ import annotations

from .exercises import KINDS, Exercise, make_exercise, mask_profanity
from .grading import Grade, Problem, agreement, grade, read_answers, read_key

__all__ = [
    "Exercise",
    "Grade",
    "KINDS",
    "Problem",
    "agreement",
    "grade",
    "make_exercise",
    "mask_profanity",
    "read_answers",
    "read_key",
]
