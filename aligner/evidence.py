"""Dates, numbers and names two records share: evidence that one translates the other.

A translation keeps a record's dates («7 августа» ↔ "August 7"), numbers (height 588,
"10 grenades") and names (Сигемицу ↔ Shigemitsu, Гродеково ↔ Grodekovo). Records on the
same topic share the common ones too (every telegram of August 1938 names Litvinov), so
each shared item is weighed by its rarity in the collection: the inverse document
frequency of Buck & Koehn 2016's TF-IDF baseline (WMT16 document alignment), taken on each
language's side and averaged.

Names are capitalised words that the language's dictionary
(:func:`aligner.lexicon.spelling.dictionary`) does not know as common words ("Government",
«Никогда» are not names; «Сигемицу», "Schulenburg" are, also at the start of a sentence;
without a dictionary only words inside a sentence count), compared by their
romanisation-neutral key (:func:`aligner.lexicon.translit.name_key`; Russian case endings
dropped) with a rapidfuzz ratio of at least ``NAME_MATCH_MIN``, or through the exonym table
(«Япония» ↔ "Japan", :data:`aligner.lexicon.names.EXONYMS`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from aligner.lexicon.names import EXONYMS
from aligner.lexicon.numbers import EN_DATE_DM, EN_DATE_MD, EN_MONTHS, RU_DATE, ru_month_number
from aligner.lexicon.spelling import dictionary
from aligner.lexicon.translit import name_key

NAME_MATCH_MIN = 85.0
"""rapidfuzz ratio (0-100) of two name keys that count as one name ("sigemicu" ↔
"shigemicu" scores 94; "litvinov" ↔ "litvinova" 94). Keys shorter than ``NAME_FUZZY_MIN``
letters must be equal ("slove" ↔ "love" is no match)."""
NAME_FUZZY_MIN = 6
MOST_PER_KIND = 8
"""At most this many shared dates, numbers and names (the rarest) count for the weight."""

_NUMBER = re.compile(r"(?<![\w.,])\d{2,}(?:[.,]\d+)?(?![\w])")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_RU_ENDING = re.compile(r"(?:ами|ями|ого|его|ому|ему|ыми|ими|ой|ей|ом|ем|ую|юю|ая|яя|ов|ев|ам|ям|ах|ях|а|я|у|ю|е|ы|и)$")
_POSSESSIVE = re.compile(r"['’]s$")
_EXONYM_KEYS = {stem: tuple(name_key(f) for f in forms) for stem, forms in EXONYMS.items()}


@dataclass(frozen=True)
class Facts:
    """What a record mentions: ``dates`` as "MM-DD", ``numbers`` as digit strings (a
    decimal also gives its whole part: "588.3" -> "588.3", "588"), ``names`` as name keys
    (:func:`aligner.lexicon.translit.name_key`), each with the word it came from in
    ``spelled``."""

    dates: frozenset[str]
    numbers: frozenset[str]
    names: frozenset[str]
    spelled: dict[str, str]


def record_facts(sentences: list[str], lang: str) -> Facts:
    """The dates, numbers and names of a record given as its ``sentences``.

    ``lang``: ISO code; Russian (and other Cyrillic languages) and English date forms are
    recognised, names in any script.
    """
    dates: set[str] = set()
    numbers: set[str] = set()
    names: dict[str, str] = {}
    lexicon = dictionary(lang)
    for sentence in sentences:
        dates |= _dates(sentence)
        for match in _NUMBER.finditer(sentence):
            value = match.group().replace(",", ".")
            numbers.add(value)
            numbers.add(value.split(".")[0])
        for k, match in enumerate(_WORD.finditer(sentence)):
            word = match.group()
            if not word[:1].isupper() or len(word) < 3:
                continue
            if lexicon is None and k == 0 or lexicon is not None and lexicon.is_common(word):
                continue
            key = _name_key(word)
            if len(key) >= 3:
                names.setdefault(key, word)
    return Facts(frozenset(dates), frozenset(_drop_enumerations(numbers)), frozenset(names), names)


def _drop_enumerations(numbers: set[str]) -> set[str]:
    """Numbers that belong to a run of three or more consecutive integers are section or
    paragraph numbers (chapters 10, 11, 12 …): every numbered text has them."""
    ints = {int(n) for n in numbers if n.isdigit() and len(n) <= 4}
    run = {v for v in ints if {v - 1, v + 1} <= ints or {v + 1, v + 2} <= ints or {v - 2, v - 1} <= ints}
    return {n for n in numbers if not (n.isdigit() and len(n) <= 4 and int(n) in run)}


def _dates(text: str) -> set[str]:
    found = set()
    for day, month in RU_DATE.findall(text):
        found.add(_md(ru_month_number(month), day))
    for month, day in EN_DATE_MD.findall(text):
        found.add(_md(EN_MONTHS[month.lower()], day))
    for day, month in EN_DATE_DM.findall(text):
        found.add(_md(EN_MONTHS[month.lower()], day))
    return {d for d in found if d}


def _md(month: int, day: str) -> str:
    return f"{month:02d}-{int(day):02d}" if 1 <= int(day) <= 31 else ""


def _name_key(word: str) -> str:
    low = word.lower()
    for stem, keys in _EXONYM_KEYS.items():
        if low.startswith(stem):
            return keys[0]
    if any("\u0400" <= c <= "\u04ff" for c in word) and len(word) > 5:
        word = _RU_ENDING.sub("", word)
    return name_key(_POSSESSIVE.sub("", word))


@dataclass
class Rarity:
    """Document frequencies of facts over one language's records (``records`` of them)."""

    records: int
    frequency: Counter

    @classmethod
    def of(cls, facts: list[Facts]) -> "Rarity":
        """Count in how many of ``facts`` each date ("d:"), number ("n:") and name ("p:")
        occurs."""
        counts: Counter = Counter()
        for f in facts:
            counts.update({f"d:{x}" for x in f.dates} | {f"n:{x}" for x in f.numbers}
                          | {f"p:{x}" for x in f.names})
        return cls(len(facts), counts)

    def idf(self, key: str) -> float:
        """Inverse document frequency ``log((N + 1) / (df + 0.5))`` (0 for a fact in every
        record of a large collection)."""
        return max(0.0, math.log((self.records + 1) / (self.frequency.get(key, 0) + 0.5)))


def shared_facts(source: Facts, target: Facts) -> dict[str, list[tuple[str, str]]]:
    """Dates, numbers and names found in both records: ``{"dates": [(src, tgt)], "numbers":
    [...], "names": [(source key, target key)]}``, names matched fuzzily (one target name
    per source name)."""
    names = []
    pool = [k for k in target.names if len(k) >= NAME_FUZZY_MIN]
    for key in sorted(source.names):
        if key in target.names:
            names.append((key, key))
            continue
        if len(key) < NAME_FUZZY_MIN or not pool:
            continue
        hit = process.extractOne(key, pool, scorer=fuzz.ratio, score_cutoff=NAME_MATCH_MIN)
        if hit is not None:
            names.append((key, hit[0]))
            pool.remove(hit[0])
    return {
        "dates": [(d, d) for d in sorted(source.dates & target.dates)],
        "numbers": [(n, n) for n in sorted(source.numbers & target.numbers)],
        "names": names,
    }


def evidence_weight(shared: dict[str, list[tuple[str, str]]], source_rarity: Rarity,
                    target_rarity: Rarity) -> float:
    """Sum over shared facts of their mean IDF on the two sides (nats), the
    ``MOST_PER_KIND`` rarest of each kind."""
    total = 0.0
    for field, prefix in (("dates", "d:"), ("numbers", "n:"), ("names", "p:")):
        weights = [(source_rarity.idf(prefix + s) + target_rarity.idf(prefix + t)) / 2 for s, t in shared[field]]
        total += sum(sorted(weights, reverse=True)[:MOST_PER_KIND])
    return total


def describe(shared: dict[str, list[tuple[str, str]]], source: Facts, target: Facts) -> dict[str, list[str]]:
    """The shared facts for a reader: dates "MM-DD", numbers, and names as "Сигемицу =
    Shigemitsu"."""
    return {
        "dates": [d for d, _ in shared["dates"]],
        "numbers": [n for n, _ in shared["numbers"]],
        "names": [f"{source.spelled.get(s, s)} = {target.spelled.get(t, t)}" for s, t in shared["names"]],
    }
