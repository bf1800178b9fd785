"""Word tokens of a sentence, with character offsets (so the page can highlight them).

A token is a word (letters and digits, with inner hyphens or apostrophes: "Маньчжоу-Го",
"don't"), a number with inner separators ("1,000", "3.14", "12:30"), or a run of one
punctuation character ("--", "...", "«"). Whitespace separates tokens and is never one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Sequence

from aligner.errors import InputError


@dataclass(frozen=True)
class Token:
    """One token: its text and its place ``text[start:end]`` in the sentence (characters)."""

    text: str
    start: int
    end: int


_TOKEN = re.compile(
    r"\d+(?:[.,:/]\d+)+"  # numbers with inner separators first: "1,000", "12:30"
    r"|\w+(?:[-'’]\w+)*"  # words, "Маньчжоу-Го", "don't", "8th"
    r"|([^\w\s])\1*"  # a run of one punctuation character: "--", "..."
)


def tokenize(text: str) -> list[Token]:
    """Tokens of a raw sentence, in order, with their character offsets in ``text``."""
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def from_words(words: Sequence[str]) -> list[Token]:
    """Tokens for pre-tokenised ``words``, offsets as in ``" ".join(words)``.

    Raises:
        InputError: a word is empty or contains whitespace.
    """
    out, pos = [], 0
    for word in words:
        if not word or any(c.isspace() for c in word):
            raise InputError(f"a pre-tokenised word is empty or contains whitespace: {word!r}")
        out.append(Token(word, pos, pos + len(word)))
        pos += len(word) + 1
    return out


def is_punct(word: str) -> bool:
    """True if every character is punctuation or a symbol (Unicode P* or S*)."""
    return bool(word) and all(unicodedata.category(c)[0] in "PS" for c in word)


def digits(word: str) -> str:
    """The digits of ``word`` in order ("8th" → "8", "1,000" → "1000"); "" if none."""
    return "".join(c for c in word if c.isdigit())
