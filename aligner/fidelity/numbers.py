"""``number-mismatch`` and ``date-mismatch``: numbers (digits, roman numerals, number words)
and dates (a month, or a day and month) on one side of a bead only.

A number written in words on the other side ("ten" ↔ «10») counts as present; ordinals
("4th") and suffixes («1938 г.», «8-го») are read as their number; Russian month names in
every case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import re

from aligner.fidelity.flag import DATE_MISMATCH, NUMBER_MISMATCH, Flag
from aligner.fidelity.tokens import _ROMAN, _SENTENCE_END
from aligner.lexicon.numbers import (
    EN_DATE_DM,
    EN_DATE_MD,
    EN_MONTH_ALTERNATION,
    EN_MONTHS,
    RU_DATE,
    RU_MONTH_PATTERN,
    number_words,
    ru_month_number,
)

if TYPE_CHECKING:
    from aligner.fidelity.context import BeadText, FidelityContext

_NUMBER = re.compile(r"(?<![\w.,])\d+(?:(?:[.,]|[\u00a0\u202f\u2009])\d+)*")
# Russian typesetting also groups thousands with a plain space: «1 500», «10 000».
_NUMBER_SPACED = re.compile(r"(?<![\w.,])\d{1,3}(?: \d{3})+(?![\d.,]\d)|" + _NUMBER.pattern)
_ROMAN_AFTER = re.compile(
    r"(?:chapter|part|book|volume|vol\.|section|act|scene|глава|часть|том|книга|раздел|"
    r"действие|явление|век|века|веке)\s+([IVXLC]+)\b",
    re.IGNORECASE,
)

_NOT_ROMAN = {"DC", "CD", "MD", "MC", "CC", "CV", "DI", "MI", "LI", "MIX", "MID", "DIV", "CIV",
              "DIM", "MIL", "LCD"}
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def _roman_value(numeral: str) -> int:
    total = 0
    for i, ch in enumerate(numeral):
        value = _ROMAN_VALUES[ch]
        if i + 1 < len(numeral) and _ROMAN_VALUES[numeral[i + 1]] > value:
            total -= value
        else:
            total += value
    return total


def _parse_number(raw: str, lang: str) -> float:
    """Digits to a value: "1,000" (en) = 1000, «1,5» (ru) = 1.5, «1 000» = 1000."""
    text = re.sub(r"[ \u00a0\u202f\u2009]", "", raw)
    if lang == "en" or lang not in ("ru", "uk", "be", "de", "fr", "es", "it"):
        if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", text):
            text = text.replace(",", "")
        return float(text.replace(",", "")) if text.count(".") <= 1 else float(text.replace(".", ""))
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", text):  # 1.000 as a thousands separator
        text = text.replace(".", "")
    text = text.replace(",", ".")
    return float(text) if text.count(".") <= 1 else float(text.replace(".", ""))


def _numbers(text: str, lang: str) -> dict[float, str]:
    """Numbers in ``text``: value → first surface form (digits and roman numerals)."""
    found: dict[float, str] = {}
    pattern = _NUMBER_SPACED if lang in ("ru", "uk", "be", "fr") else _NUMBER
    for m in pattern.finditer(text):
        try:
            found.setdefault(_parse_number(m.group(), lang), m.group())
        except ValueError:
            continue
    for m in _ROMAN.finditer(text):
        if m.group() not in _NOT_ROMAN:
            found.setdefault(float(_roman_value(m.group())), m.group())
    for m in _ROMAN_AFTER.finditer(text):
        if re.fullmatch(r"[IVXLC]+", m.group(1)):
            found.setdefault(float(_roman_value(m.group(1))), m.group(1))
    return found


_MONTH_NAMES = {n: name.capitalize() for name, n in list(EN_MONTHS.items())[:12]}
_EN_MONTH_WORD = re.compile(rf"\b({EN_MONTH_ALTERNATION})\b\.?", re.IGNORECASE)


def _dates(text: str, lang: str) -> tuple[set[tuple[int, int]], set[int]]:
    """(day, month) pairs and the set of months named in ``text``.

    English months must be capitalised; a sentence-initial "May" is taken for the verb.
    """
    pairs: set[tuple[int, int]] = set()
    months: set[int] = set()
    if lang in ("ru", "uk", "be"):
        for m in RU_DATE.finditer(text):
            pairs.add((int(m.group(1)), ru_month_number(m.group(2))))
        for m in RU_MONTH_PATTERN.finditer(text):
            months.add(ru_month_number(m.group(1)))
    elif lang == "en":
        for m in EN_DATE_MD.finditer(text):
            if m.group(1)[0].isupper():
                pairs.add((int(m.group(2)), EN_MONTHS[m.group(1).lower()]))
        for m in EN_DATE_DM.finditer(text):
            if m.group(2)[0].isupper():
                pairs.add((int(m.group(1)), EN_MONTHS[m.group(2).lower()]))
        for m in _EN_MONTH_WORD.finditer(text):
            word = m.group(1)
            initial = bool(_SENTENCE_END.search(text[: m.start()]))
            if word.lower() == "may" and initial:
                continue  # "May I …": the verb; mid-sentence, capitalised "May" is the month
            if word[0].isupper() and not (
                word.lower() in ("mar", "jan", "dec", "sept", "sep", "oct", "nov", "feb", "apr",
                                 "jun", "jul", "aug") and not m.group().endswith(".")):
                months.add(EN_MONTHS[word.lower()])
        months |= {month for _, month in pairs}
    return pairs, months


def _number_flags(src: str, tgt: str, src_lang: str, tgt_lang: str) -> list[Flag]:
    flags: list[Flag] = []
    src_pairs, src_months = _dates(src, src_lang)
    tgt_pairs, tgt_months = _dates(tgt, tgt_lang)
    used_days: set[float] = set()
    pair_src_only = sorted(src_pairs - tgt_pairs)
    pair_tgt_only = sorted(tgt_pairs - src_pairs)
    month_src_only = sorted(src_months - tgt_months)
    month_tgt_only = sorted(tgt_months - src_months)
    if (pair_src_only and pair_tgt_only) or month_src_only or month_tgt_only:
        # A day+month pair on one side only matters when the other side also has a date
        # (else the day alone may be written differently, e.g. "on the 4th").
        used_days = {float(d) for d, _ in pair_src_only + pair_tgt_only}
        shown_src = [f"{d} {_MONTH_NAMES[m]}" for d, m in pair_src_only] + [
            _MONTH_NAMES[m] for m in month_src_only]
        shown_tgt = [f"{d} {_MONTH_NAMES[m]}" for d, m in pair_tgt_only] + [
            _MONTH_NAMES[m] for m in month_tgt_only]
        flags.append(Flag(
            DATE_MISMATCH,
            f"dates differ: source {', '.join(shown_src) or '—'}; target {', '.join(shown_tgt) or '—'}",
            details={"src_only": shown_src, "tgt_only": shown_tgt},
        ))
    src_nums = _numbers(src, src_lang)
    tgt_nums = _numbers(tgt, tgt_lang)
    src_words = number_words(src, src_lang)
    tgt_words = number_words(tgt, tgt_lang)
    src_only = [form for value, form in src_nums.items()
                if value not in tgt_nums and value not in tgt_words and value not in used_days]
    tgt_only = [form for value, form in tgt_nums.items()
                if value not in src_nums and value not in src_words and value not in used_days]
    if src_only or tgt_only:
        side = "src" if not tgt_only else "tgt" if not src_only else "both"
        flags.append(Flag(
            NUMBER_MISMATCH,
            f"numbers differ: source {', '.join(src_only) or '—'}; target {', '.join(tgt_only) or '—'}",
            side=side,
            details={"src_only": src_only, "tgt_only": tgt_only},
        ))
    return flags


def check(bead: BeadText, ctx: FidelityContext) -> list[Flag]:
    """Date and number mismatches of a bead with both sides."""
    if not (bead.src and bead.tgt):
        return []
    return _number_flags(bead.src, bead.tgt, bead.src_lang, bead.tgt_lang)
