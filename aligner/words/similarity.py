"""The similarity matrix of a sentence pair's words: meaning, spelling, position.

``S[i, j]`` in [0, 1] says how well source word ``i`` and target word ``j`` match:

* **meaning**: the mean of the cosines of three views of the words
  (:mod:`aligner.words.vectors`: form, in context, leave-one-out), mapped from [-1, 1] to
  [0, 1] as SimAlign does (Jalili Sabet et al. 2020);
* **spelling**, which wins where it is higher: the same digits ("8th" and «8»), the same
  number word value ("nine" and «девяти»), the same punctuation, a name spelt alike across
  scripts (``name_key`` of :mod:`aligner.lexicon.translit`: "Shigemitsu" and «Сигемицу»),
  a pair of a corpus dictionary (:class:`aligner.words.lexicon.Lexicon`);
* **position**: SimAlign's distortion prior multiplies by
  ``1 - κ (i / (m - 1) - j / (n - 1))²``, κ = 0.5 (SimAlign's published setting).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import numpy as np
from rapidfuzz.distance import Levenshtein

from aligner.lexicon.numbers import number_words
from aligner.lexicon.translit import name_key
from aligner.words.tokens import digits, is_punct

DISTORTION = 0.5  # κ of SimAlign's distortion prior (their code's default ratio)
NAME_MIN_SIMILARITY = 0.75  # below this a spelling likeness is chance ("Paris"/"Пари"): 1 edit in 4
NAME_MIN_LENGTH = 4  # name keys shorter than this match too many words by chance


@lru_cache(maxsize=100_000)
def _number_value(word: str, lang: str) -> frozenset:
    return frozenset(number_words(word, lang)) if word[:1].isalpha() else frozenset()


def spelling_similarity(src: str, tgt: str, src_lang: str, tgt_lang: str) -> float:
    """How alike two words are written, in [0, 1] (0 where spelling says nothing).

    1 for the same punctuation, the same digits, or number words of the same value; the
    normalised Levenshtein similarity of the two ``name_key`` for words of letters whose
    keys are at least ``NAME_MIN_LENGTH`` long and similarity at least
    ``NAME_MIN_SIMILARITY``; 0 otherwise.
    """
    if is_punct(src) or is_punct(tgt):
        return 1.0 if src == tgt else 0.0
    src_digits, tgt_digits = digits(src), digits(tgt)
    if src_digits or tgt_digits:
        if src_digits and src_digits == tgt_digits:
            return 1.0
        values = _number_value(src, src_lang) if not src_digits else frozenset({int(src_digits)})
        other = _number_value(tgt, tgt_lang) if not tgt_digits else frozenset({int(tgt_digits)})
        return 1.0 if values & other else 0.0
    values = _number_value(src, src_lang)
    if values and values & _number_value(tgt, tgt_lang):
        return 1.0
    if not (src[:1].isupper() or tgt[:1].isupper()):
        return 0.0  # names only: common words spelt alike across scripts are rare and noisy
    a, b = name_key(src), name_key(tgt)
    if min(len(a), len(b)) < NAME_MIN_LENGTH:
        return 0.0
    similarity = Levenshtein.normalized_similarity(a, b)
    return similarity if similarity >= NAME_MIN_SIMILARITY else 0.0


def spelling_matrix(src: Sequence[str], tgt: Sequence[str], src_lang: str, tgt_lang: str) -> np.ndarray:
    """``(m, n)`` float32 of :func:`spelling_similarity` for every word pair.

    Only the pairs where it can be non-zero are compared (the same punctuation, words with
    digits or number values, capitalised words), so a 60 x 60 bead costs about a
    millisecond, not 3,600 calls.
    """
    out = np.zeros((len(src), len(tgt)), dtype=np.float32)
    src_kinds = [_kind(w, src_lang) for w in src]
    tgt_kinds = [_kind(w, tgt_lang) for w in tgt]
    for i, (a, a_kind) in enumerate(zip(src, src_kinds)):
        if a_kind is None:
            continue
        for j, (b, b_kind) in enumerate(zip(tgt, tgt_kinds)):
            if b_kind is not None and (a_kind == b_kind == "punct" and a == b
                                       or a_kind == b_kind == "number"
                                       or "name" in (a_kind, b_kind) and "punct" not in (a_kind, b_kind)):
                out[i, j] = spelling_similarity(a, b, src_lang, tgt_lang)
    return out


@lru_cache(maxsize=100_000)
def _kind(word: str, lang: str) -> str | None:
    """What spelling can compare ``word`` with: "punct", "number" (digits or a number word),
    "name" (capitalised), "word" (a lower-case word: only against a name) or None."""
    if is_punct(word):
        return "punct"
    if digits(word) or _number_value(word, lang):
        return "number"
    return "name" if word[:1].isupper() else "word"


def distortion_prior(m: int, n: int, kappa: float = DISTORTION) -> np.ndarray:
    """``(m, n)`` float32 factor ``1 - κ (i/(m-1) - j/(n-1))²`` (ones if a side has < 2 words)."""
    if m < 2 or n < 2 or kappa == 0:
        return np.ones((m, n), dtype=np.float32)
    i = np.arange(m, dtype=np.float32)[:, None] / (m - 1)
    j = np.arange(n, dtype=np.float32)[None, :] / (n - 1)
    return 1.0 - kappa * (i - j) ** 2


def cosine_01(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``(m, n)``: cosines of L2-normalised rows ``a`` ``(m, d)`` and ``b`` ``(n, d)`` mapped to [0, 1]."""
    return (a @ b.T + 1.0) / 2.0
