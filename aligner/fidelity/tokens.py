"""Word tokens shared by the checks: sentence-initial marks, acronyms, possessives."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*(?:-[^\W\d_]+)*")
_ACRONYM = re.compile(r"\b(?:[A-ZА-ЯЁ]\.){2,}")
_SPACED_ACRONYM = re.compile(r"\b(?:[A-ZА-ЯЁ] ){2,}[A-ZА-ЯЁ]\b")
_SENTENCE_END = re.compile(r"[.!?:;…]\s*[\"'«“„(\[—–-]*\s*$")
_OPENING = re.compile(r"[\s\"'«“„(\[—–-]*")
_INITIAL_ABBREV = re.compile(r"(?:\b[A-ZА-ЯЁ]|\b(?:Mr|Mrs|Dr|St|Mt|No|Nos|vol|г|гг|т|им|ул|см|ср|др|пр))\.\s*$")
_HONORIFICS = {"i", "mr", "mrs", "ms", "dr", "st", "sir", "madam", "lady", "lord", "tis"}
_VOWEL = re.compile(r"[aeiouyаеёиоуыэюяіїє]")
_WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}


@dataclass(frozen=True)
class _Token:
    text: str
    initial: bool  # first word of a sentence (capitalised for grammar, not for being a name)


@lru_cache(maxsize=50_000)  # each sentence is tokenised by several checks
def _tokens(text: str) -> tuple[_Token, ...]:
    """Words of ``text`` with a sentence-initial mark; "U.S.S.R." and the OCR'd "U S S R"
    become one token "USSR"."""
    text = _ACRONYM.sub(lambda m: m.group().replace(".", "") + " ", text)
    text = _SPACED_ACRONYM.sub(lambda m: m.group().replace(" ", ""), text)
    out = []
    for m in _WORD.finditer(text):
        before = text[max(0, m.start() - 40): m.start()]  # a bounded look-behind: O(n)
        opening = m.start() <= 40 and _OPENING.fullmatch(text[: m.start()]) is not None
        initial = (opening or bool(_SENTENCE_END.search(before))) and not _INITIAL_ABBREV.search(before)
        out.append(_Token(m.group(), initial))
    return tuple(out)


def _is_cyrillic(word: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in word)


_POSSESSIVE = re.compile(r"['’]s$")


def _strip_possessive(word: str) -> str:
    return _POSSESSIVE.sub("", word)


# Roman numerals: numbers to the number check, never names to the name checks.
_ROMAN = re.compile(
    r"\b(?=[MDCLXVI]{2,}\b)M{0,4}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})\b"
)
