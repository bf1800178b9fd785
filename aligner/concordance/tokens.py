"""Words of the search index: folded, then stemmed, with their places in the text.

A *token* is a maximal run of letters and digits (``[^\\W_]+``: "Japan's" is "japan" +
"s", "hand-grenades" two tokens), folded as :func:`aligner.concordance.normalise` folds
(NFKC, case-folded, ё→е). Its *stem* is the Snowball stemmer's (Porter 2001, "Snowball: A
language for stemming algorithms"; PyStemmer, or the pure-Python snowballstemmer) of the
language its script says: Cyrillic → Russian, Latin → English; other tokens (digits, other
scripts) stay as they are. A word's stem depends on the word alone, never on the
document's language, so a query needs no language: «понимании» and «понимание» both stem
to «пониман», "understanding" and "understand" to "understand".

The index (:mod:`aligner.store.search_index`) stores a sentence's stems joined by spaces
and its distinct folded words (the vocabulary that OCR-tolerant search looks variants up in).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_FOLD = str.maketrans({"ё": "е", "Ё": "Е"})
_TOKEN = re.compile(r"[^\W_]+")
#: Tokens longer than this are not words (base64, run-together OCR): kept out of the vocabulary.
MAX_WORD = 40

try:  # PyStemmer (C) if installed, else snowballstemmer (pure Python): the same algorithms
    from Stemmer import Stemmer as _Stemmer
except ImportError:  # pragma: no cover - depends on the environment
    from snowballstemmer import stemmer as _Stemmer

_STEMMERS = {"ru": _Stemmer("russian"), "en": _Stemmer("english")}


def fold(token: str) -> str:
    """A token as the index keeps it (NFKC, case-folded, ё→е)."""
    return unicodedata.normalize("NFKC", token).casefold().translate(_FOLD)


def _script(token: str) -> str | None:
    cyr = lat = 0
    for ch in token:
        if "\u0400" <= ch <= "\u04ff":
            cyr += 1
        elif "a" <= ch <= "z" or "\u00e0" <= ch <= "\u024f":
            lat += 1
    if not cyr and not lat:
        return None
    return "ru" if cyr >= lat else "en"


@lru_cache(maxsize=262_144)
def stem(word: str) -> str:
    """The stem of a folded word (see the module)."""
    lang = _script(word)
    return _STEMMERS[lang].stemWord(word) if lang else word


def tokens(text: str) -> list[tuple[str, int, int]]:
    """``(folded word, start, end)`` of every token of ``text`` (offsets into ``text``)."""
    out = []
    for m in _TOKEN.finditer(text):
        folded = fold(m.group())
        parts = _TOKEN.findall(folded)  # NFKC may split a token ("½" → "1⁄2")
        out.extend((p, m.start(), m.end()) for p in parts)
    return out


def stems_of(text: str) -> str:
    """The sentence's stems joined by single spaces (what the word index holds)."""
    return " ".join(stem(w) for w, _, _ in tokens(text))


def words_of(text: str) -> set[str]:
    """The sentence's distinct folded words of at most :data:`MAX_WORD` characters."""
    return {w for w, _, _ in tokens(text) if len(w) <= MAX_WORD}


def query_stems(phrase: str) -> list[str]:
    """The stems of a query phrase, in order (empty if it has no letters or digits)."""
    return [stem(w) for w, _, _ in tokens(phrase)]


def phrase_spans(text: str, stems: list[str]) -> list[tuple[int, int]]:
    """``(start, end)`` in ``text`` of every run of consecutive tokens whose stems are
    ``stems``, left to right, not overlapping."""
    toks = tokens(text)
    n = len(stems)
    spans, k = [], 0
    while n and k + n <= len(toks):
        if all(stem(toks[k + i][0]) == stems[i] for i in range(n)):
            spans.append((toks[k][1], toks[k + n - 1][2]))
            k += n
        else:
            k += 1
    return spans
