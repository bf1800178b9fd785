"""Evidence beyond the cosine for the post-pass's bead score: numbers, names and
quotation structure that agree (or not) between the two sides of a bead.

Everything here is language-neutral or keyed by script, since the aligner is not told the
languages: digits are the same in every language we align; names are capitalised words
of a cased script (Latin, Cyrillic), compared through :func:`aligner.lexicon.translit.name_key`
(BGN/PCGN transliteration with romanisation variants folded); quotation structure is
whether a bead ends inside an open quotation. A check only counts where it can say
something (a side in a script without capitals cannot disagree on names).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz

from aligner.lexicon.translit import name_key

# "3 000", "3'000", "1,500" and "1.500" are one number; "1,5" and "1.5" are two digit runs on
# either side alike. Thousands separators are only taken before groups of exactly 3 digits.
_NUMBER = re.compile(r"(?<!\d)\d{1,3}(?:[ \u00a0\u202f.,'’]\d{3})+(?!\d)|\d+")
_SEPARATORS = re.compile(r"[ \u00a0\u202f.,'’]")
# A capitalised word of a cased script, preceded by a letter-free stretch that is not a
# sentence start (the first word of a sentence is capitalised whatever it is).
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_CASED = re.compile(r"[A-Za-zÀ-ɏЀ-ӿ]")
# Opening and closing quotation marks of the languages in our gold sets (en, ru, de, fr,
# zh); the straight " toggles.
_OPEN = "«“„「『‹"
_CLOSE = "»”」』›"


@dataclass(frozen=True)
class SentenceEvidence:
    """Per-sentence evidence of one side: ``numbers`` and ``names`` (name keys) per sentence,
    ``quote_depth`` ``(n + 1,)`` int: open quotations before sentence i (a balanced text
    has 0 at sentence boundaries that are outside quotes), ``cased`` whether the side's
    script has capitals at all (names can only disagree between two cased sides), ``junk``
    ``(n,)`` bool: a "sentence" without a run of 3 letters or with less than half letters
    (OCR debris such as "■ iv V V .", a page number), which gold sets leave unaligned."""

    numbers: list[frozenset[str]]
    names: list[frozenset[str]]
    quote_depth: np.ndarray
    cased: bool
    junk: np.ndarray


def _numbers(text: str) -> frozenset[str]:
    return frozenset(_SEPARATORS.sub("", m.group()).lstrip("0") or "0" for m in _NUMBER.finditer(text))


def _names(text: str) -> frozenset[str]:
    """Name keys of capitalised words that are not the sentence's first word, 4+ letters."""
    keys = set()
    for k, match in enumerate(_WORD.finditer(text)):
        word = match.group()
        if k == 0 or not word[0].isupper():
            continue
        key = name_key(word)
        if len(key) >= 4:
            keys.add(key[:6])  # a stem: case endings and suffixes differ between languages
    return frozenset(keys)


_SINGLE = re.compile(r"(?P<open>(?<![^\s(\[—–-])['‘](?=\w))|(?P<close>(?<=[\w.,!?;:—–-])['’](?!\w))")
# every mark in one pass: a double mark, or a single quote as _SINGLE tells it from an apostrophe
_QUOTE = re.compile(f"(?P<open>[{_OPEN}])|(?P<close>[{_CLOSE}])|(?P<toggle>\")|"
                    + _SINGLE.pattern.replace("?P<open>", "?P<open_single>").replace("?P<close>", "?P<close_single>"))
_ANY_QUOTE = re.compile(f"[{_OPEN}{_CLOSE}\"'‘’]")
_MAX_OPEN = 6  # a quotation open over more sentences than this was never closed (or is a
# multi-paragraph speech, whose paragraphs open without closing): the depth starts again


def _quote_marks(text: str) -> list[str]:
    """The sentence's quotation marks in order, as "open", "close" or "toggle" (the
    straight double quote); single quotes count where they are not apostrophes (an opening
    one before a word, a closing one after a word or punctuation and not before a letter)."""
    if not _ANY_QUOTE.search(text):
        return []
    return [match.lastgroup.removesuffix("_single") for match in _QUOTE.finditer(text)]


def sentence_evidence(sentences: Sequence[str]) -> SentenceEvidence:
    """Evidence of every sentence of one side (regular expressions only; ~10 µs a sentence)."""
    numbers = [_numbers(s) if _DIGIT.search(s) else frozenset() for s in sentences]
    sample = "".join(sentences[:: max(1, len(sentences) // 200)])
    letters = sum(c.isalpha() for c in sample)
    cased = letters > 0 and len(_CASED.findall(sample)) > 0.5 * letters
    names = [_names(s) for s in sentences] if cased else [frozenset()] * len(sentences)
    depth = np.zeros(len(sentences) + 1, dtype=np.int64)
    level, straight, open_for = 0, False, 0
    for i, s in enumerate(sentences):
        for mark in _quote_marks(s):
            if mark == "toggle":
                mark, straight = ("close" if straight else "open"), not straight
            level = level + 1 if mark == "open" else max(0, level - 1)
        open_for = open_for + 1 if level else 0
        if open_for > _MAX_OPEN:
            level, straight, open_for = 0, False, 0
        depth[i + 1] = level
    junk = np.array([_is_junk(s) for s in sentences], dtype=bool)
    return SentenceEvidence(numbers, names, depth, cased, junk)


_LETTER_RUN = re.compile(r"[^\W\d_]{3,}")
_DIGIT = re.compile(r"\d")


def _is_junk(sentence: str) -> bool:
    """No run of 3 letters, or fewer letters than other characters: OCR debris, a page
    number. ("Да." is junk by this rule, "Нет." is not: it only weighs a little.)"""
    if not _LETTER_RUN.search(sentence):
        return True
    letters = sum(map(str.isalpha, sentence))  # map over str methods: no Python-level loop
    return letters < 0.5 * (len(sentence) - sum(map(str.isspace, sentence)))


def _span_union(sets: list[frozenset[str]], start: int, end: int) -> frozenset[str]:
    if end - start == 1:
        return sets[start]
    out: set[str] = set()
    for s in sets[start:end]:
        out |= s
    return frozenset(out)


def _names_agree(a: str, b: str) -> bool:
    """Two name stems agree: equal, or one spelling of the other (a ratio of 75, as
    :mod:`aligner.fidelity.names` takes: Сигемицу "sigemi" ~ Shigemitsu "shigem")."""
    return a == b or a[:4] == b[:4] or fuzz.ratio(a, b) >= 75


@lru_cache(maxsize=65536)
def _name_counts(a: frozenset[str], b: frozenset[str]) -> tuple[int, int]:
    """(names of ``a`` with a partner in ``b``, names of either side without one)."""
    both = sum(1 for x in a if any(_names_agree(x, y) for y in b))
    alone = sum(1 for y in b if not any(_names_agree(x, y) for x in a))
    return both, (len(a) - both) + alone


def evidence_features(src: SentenceEvidence, tgt: SentenceEvidence, i0: np.ndarray, i1: np.ndarray,
                      j0: np.ndarray, j1: np.ndarray) -> np.ndarray:
    """``(k, 7)`` float32 evidence of the beads src[i0:i1] ↔ tgt[j0:j1] (``(k,)`` int arrays):
    numbers on both sides, numbers on one side only, names on both sides, names on one
    side only (0 unless both sides are cased), and quotation mismatch (1 when exactly one
    side's bead ends inside an open quotation), junk sentences inside a linked bead, and
    whether a 1-0/0-1 bead's sentence is junk. Counts are log1p-scaled."""
    k = len(i0)
    out = np.zeros((k, 7), dtype=np.float32)
    has_num_s = np.array([bool(x) for x in src.numbers] + [False])
    has_num_t = np.array([bool(x) for x in tgt.numbers] + [False])
    cum_s = np.concatenate([[0], np.cumsum(has_num_s[:-1])])
    cum_t = np.concatenate([[0], np.cumsum(has_num_t[:-1])])
    linked = (i1 > i0) & (j1 > j0)
    num_rows = np.nonzero(linked & ((cum_s[i1] - cum_s[i0]) + (cum_t[j1] - cum_t[j0]) > 0))[0]
    for r in num_rows.tolist():
        a = _span_union(src.numbers, int(i0[r]), int(i1[r]))
        b = _span_union(tgt.numbers, int(j0[r]), int(j1[r]))
        out[r, 0] = len(a & b)
        out[r, 1] = len(a ^ b)
    if src.cased and tgt.cased:
        has_s = np.array([bool(x) for x in src.names] + [False])
        has_t = np.array([bool(x) for x in tgt.names] + [False])
        cs = np.concatenate([[0], np.cumsum(has_s[:-1])])
        ct = np.concatenate([[0], np.cumsum(has_t[:-1])])
        rows = np.nonzero(linked & ((cs[i1] - cs[i0]) + (ct[j1] - ct[j0]) > 0))[0]
        for r in rows.tolist():
            a = _span_union(src.names, int(i0[r]), int(i1[r]))
            b = _span_union(tgt.names, int(j0[r]), int(j1[r]))
            out[r, 2], out[r, 3] = _name_counts(a, b)
    open_s = src.quote_depth[i1] > 0
    open_t = tgt.quote_depth[j1] > 0
    out[:, 4] = linked & (open_s != open_t)
    junk_s = np.concatenate([[0], np.cumsum(src.junk)])
    junk_t = np.concatenate([[0], np.cumsum(tgt.junk)])
    count = (junk_s[i1] - junk_s[i0]) + (junk_t[j1] - junk_t[j0])
    out[:, 5] = np.where(linked, count, 0)
    out[:, 6] = np.where(linked, 0, count)
    out[:, :4] = np.log1p(out[:, :4])
    out[:, 5] = np.log1p(out[:, 5])
    return out
