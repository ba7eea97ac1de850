"""Lexicons: frame, civility and technique vocabularies as TOML data files.

Each file in this folder is one lexicon. Every lexicon carries its provenance (where
its terms came from, who curated them, under which licence) so a researcher can cite
it and a teacher can explain it. Users add or override lexicons with files of their own
in the same format (``discourse analyze --frames FILE``).

The format of frame lexicons (``[lexicon]``, ``[frames.NAME]``, and for metaphor
lexicons ``[senses]``, ``[stance]`` and ``[topics]``) is documented in ``README.md``
beside this module; :func:`discourse.framing.load_lexicons` validates it.
"""

from __future__ import annotations

import functools
import tomllib
from importlib.resources import files
from pathlib import Path

from ..errors import InputFormatError

__all__ = ["available", "load", "load_file", "readable", "trie_pattern"]


def available() -> list[str]:
    """Names of the lexicons shipped with discourse.

    Examples
    --------
    >>> isinstance(available(), list)
    True
    """
    return sorted(p.name[:-5] for p in files(__package__).iterdir() if p.name.endswith(".toml"))


@functools.lru_cache(maxsize=None)
def load(name: str) -> dict:
    """The shipped lexicon *name*, parsed (cached: treat the result as read-only).

    Raises
    ------
    InputFormatError
        When there is no such lexicon, naming the ones there are.
    """
    resource = files(__package__) / f"{name}.toml"
    if not resource.is_file():
        raise InputFormatError(f"no lexicon named {name!r}; lexicons are {available()}.")
    return tomllib.loads(resource.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1024)
def readable(name: str) -> str:
    """The name a reader sees for a frame, technique, incivility category or lexicon identifier.

    A persuasion technique gets the ``name`` its lexicon gives it; any other identifier
    its words (``public_good`` reads "public good", ``war_metaphor`` "war metaphor").
    The first letter is lower case, so the name reads the same in a sentence, a chip or
    a chart; names of people keep their capital ("reductio ad Hitlerum"). Anything that
    is not an identifier (a user's label with spaces, an empty string) comes back as it is.

    Examples
    --------
    >>> readable("public_good"), readable("war_metaphor"), readable("war")
    ('public good', 'war metaphor', 'war')
    >>> readable("thought_terminating_cliche"), readable("reductio_ad_hitlerum")
    ('thought-terminating cliché', 'reductio ad Hitlerum')
    >>> readable("My own frame")
    'My own frame'
    """
    name = str(name)
    if not name or not name.replace("_", "").isalnum() or name != name.lower():
        return name
    spec = load("techniques")["techniques"].get(name)
    if spec and spec.get("name"):
        label = str(spec["name"])
        return label[:1].lower() + label[1:] if label[1:2].islower() or len(label) == 1 else label
    return name.replace("_", " ").strip()


def load_file(path) -> dict:
    """A user's lexicon file, parsed; errors name the file and line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "mine.toml"
    >>> _ = p.write_text('[lexicon]\\nname = "mine"\\n')
    >>> load_file(p)
    {'lexicon': {'name': 'mine'}}
    >>> _ = p.write_text('[lexicon\\n')
    >>> load_file(p)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    discourse.errors.InputFormatError: .../mine.toml, line 1: not valid TOML (...).
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise InputFormatError("no such lexicon file.", path=p) from err
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line = getattr(err, "lineno", None)
        if line is None:
            # tomllib before Python 3.14 gives the line only inside its message.
            import re

            found = re.search(r"at line (\d+)", str(err))
            line = int(found.group(1)) if found else None
        raise InputFormatError(f"not valid TOML ({err}).", path=p, line=line) from err


def trie_pattern(sequences) -> str:
    """One regex that matches where any of *sequences* matches, factored as a trie.

    Each sequence is a tuple of regex fragments (an escaped character, a lookahead, a
    class...) read one after another. Python's regex engine tries the alternatives of a
    long alternation one by one at every position; sharing prefixes lets it reject a
    position after a character or two. Only *whether* one sequence matches is kept: a
    sequence that extends a shorter one is dropped, and the order of alternatives is not
    meaningful, so use the result as a trigger (in a lookahead), not to pick the match.
    Returns ``"(?!)"`` (never matches) for no sequences.

    Examples
    --------
    >>> import re
    >>> rx = trie_pattern([("w", "a", "r"), ("w", "a", "r", "s"), ("w", "i", "n")])
    >>> rx
    '(?:w(?:ar|in))'
    >>> [m.start() for m in re.finditer(rx, "a war to win")]
    [2, 9]
    """
    root: dict = {}
    for seq in sequences:
        node = root
        for frag in seq:
            if node.get(None):
                break  # a shorter sequence already matches here
            node = node.setdefault(frag, {})
        else:
            node.clear()
            node[None] = True

    def emit(node: dict) -> str:
        if node.get(None):
            return ""
        alts = [frag + emit(child) for frag, child in node.items()]
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    if not root:
        return "(?!)"
    out = emit(root)
    return out if out.startswith("(?:") else "(?:" + out + ")"
