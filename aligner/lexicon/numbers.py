"""Number words and month names (English, Russian), as whole-word regular expressions.

Used by :mod:`aligner.fidelity` only to *excuse* a number written in digits on one side and
in words on the other ("ten" ↔ «10», «двух» ↔ "2"); words never raise a flag by themselves,
since "one" is also a pronoun and «один» an adjective.
"""

from __future__ import annotations

import re

EN_CARDINALS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    "million": 1_000_000, "dozen": 12, "once": 1, "twice": 2, "single": 1, "both": 2,
    "half": 0.5, "pair": 2, "couple": 2,
}
EN_ORDINALS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17,
    "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
    "hundredth": 100, "thousandth": 1000,
}

# Russian: explicit cardinal forms (all cases) and ordinal stems (+ adjective endings).
RU_CARDINAL_FORMS: dict[int, tuple[str, ...]] = {
    0: ("ноль", "нуль", "ноля", "нуля"),
    1: ("один", "одна", "одно", "одного", "одной", "одному", "одним", "одну", "одном",
        "однажды", "единственный", "единственная", "единственное", "единственного"),
    2: ("два", "две", "двух", "двум", "двумя", "оба", "обе", "обоих", "обеих", "обоим",
        "двое", "двоих", "дважды", "пара", "пару", "пары"),
    3: ("три", "трех", "трёх", "трем", "трём", "тремя", "трое", "троих", "трижды"),
    4: ("четыре", "четырех", "четырёх", "четырем", "четырём", "четырьмя", "четверо"),
    5: ("пять", "пяти", "пятью", "пятеро"),
    6: ("шесть", "шести", "шестью"),
    7: ("семь", "семи", "семью"),
    8: ("восемь", "восьми", "восемью"),
    9: ("девять", "девяти", "девятью"),
    10: ("десять", "десяти", "десятью", "десяток", "десятка"),
    12: ("дюжина", "дюжины", "дюжину"),
    40: ("сорок", "сорока"),
    90: ("девяносто", "девяноста"),
    100: ("сто", "ста", "сотня", "сотни", "сотню"),
    200: ("двести", "двухсот"),
    300: ("триста", "трехсот", "трёхсот"),
    400: ("четыреста", "четырехсот", "четырёхсот"),
    0.5: ("половина", "половины", "половину", "пол"),
}
# Stems whose case forms are regular: stem + ь/и/ью (cardinals), ый/ого/... (ordinals).
RU_CARDINAL_STEMS: dict[str, int] = {
    "одиннадцат": 11, "двенадцат": 12, "тринадцат": 13, "четырнадцат": 14,
    "пятнадцат": 15, "шестнадцат": 16, "семнадцат": 17, "восемнадцат": 18,
    "девятнадцат": 19, "двадцат": 20, "тридцат": 30, "пятидесят": 50, "пятьдесят": 50,
    "шестьдесят": 60, "шестидесят": 60, "семьдесят": 70, "семидесят": 70,
    "восемьдесят": 80, "восьмидесят": 80, "пятьсот": 500, "пятисот": 500,
    "тысяч": 1000, "миллион": 1_000_000,
}
RU_ORDINAL_STEMS: dict[str, int] = {
    "перв": 1, "втор": 2, "трет": 3, "четверт": 4, "пят": 5, "шест": 6, "седьм": 7,
    "восьм": 8, "девят": 9, "десят": 10, "сот": 100, "тысячн": 1000,
}
_RU_ADJ_ENDINGS = r"(?:ый|ий|ой|ая|яя|ое|ее|ого|его|ому|ему|ым|им|ом|ем|ую|юю|ые|ие|ых|их|ыми|ими|ья|ье|ьего|ьей|ьему|ьим|ьем|ью|ьи|ьих|ьими)"
_RU_CARD_ENDINGS = r"(?:ь|и|ью|ью|ти|тью|а|и|ам|ами|ах|у|ой|ей|ы|ов|е)?"

_EN_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
_RU_WORD = re.compile(r"[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*")
_RU_ORD = re.compile(
    r"^(" + "|".join(sorted(RU_ORDINAL_STEMS, key=len, reverse=True)) + r")" + _RU_ADJ_ENDINGS + r"$"
)
_RU_CARD = re.compile(
    r"^(" + "|".join(sorted(RU_CARDINAL_STEMS, key=len, reverse=True)) + r")" + _RU_CARD_ENDINGS + r"$"
)
_RU_FORMS = {form: value for value, forms in RU_CARDINAL_FORMS.items() for form in forms}


def number_words(text: str, lang: str) -> set[float]:
    """Values of the number words in ``text`` (cardinals, ordinals, simple compounds).

    ``lang`` is an ISO 639-1 code; English and Russian (also used for Ukrainian/Belarusian
    as a rough fallback) are known, other languages give an empty set.
    Compounds add up: "twenty-two" → {20, 2, 22}; «двадцать два» → {20, 2, 22}.
    """
    values: list[float] = []
    if lang == "en":
        for match in _EN_WORD.finditer(text):
            parts = match.group().lower().split("-")
            part_values = [EN_CARDINALS.get(p, EN_ORDINALS.get(p)) for p in parts]
            found = [v for v in part_values if v is not None]
            values.extend(found)
            if len(found) == 2 and len(parts) == 2 and found[0] >= 20 and found[1] < 10:
                values.append(found[0] + found[1])
    elif lang in ("ru", "uk", "be"):
        previous: float | None = None
        for match in _RU_WORD.finditer(text):
            word = match.group().lower().replace("ё", "е")
            value = _RU_FORMS.get(word)
            if value is None:
                m = _RU_CARD.match(word) or _RU_ORD.match(word)
                if m:
                    stem = m.group(1)
                    value = RU_CARDINAL_STEMS.get(stem, RU_ORDINAL_STEMS.get(stem))
            if value is not None:
                values.append(value)
                if previous is not None and previous >= 20 and previous % 10 == 0 and value < 10:
                    values.append(previous + value)
            previous = value
    return set(values)


EN_MONTHS: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
# Russian month stems with every case ending (nominative … prepositional).
RU_MONTH_PATTERN = re.compile(
    r"(?<![А-Яа-яЁё])("
    r"январ[ьяюе]|январем|феврал[ьяюе]|февралем|март[аеу]?|мартом|апрел[ьяюе]|апрелем|"
    r"ма[йяюе]|маем|июн[ьяюе]|июнем|июл[ьяюе]|июлем|август[аеу]?|августом|"
    r"сентябр[ьяюе]|сентябрем|октябр[ьяюе]|октябрем|ноябр[ьяюе]|ноябрем|декабр[ьяюе]|декабрем"
    r")(?![А-Яа-яЁё])",
    re.IGNORECASE,
)
#: English month names and abbreviations as a regex alternation, longest first.
EN_MONTH_ALTERNATION = "|".join(sorted(EN_MONTHS, key=len, reverse=True))
_EN_DAY = r"(\d{1,2})(?:st|nd|rd|th|d)?"
#: A day and month in English, month first ("August 7", "Aug. 7th"): groups (month, day).
#: Case-insensitive: a caller that must tell the month "May" from the verb checks case.
EN_DATE_MD = re.compile(rf"\b({EN_MONTH_ALTERNATION})\.?\s+{_EN_DAY}\b", re.IGNORECASE)
#: Day first ("7 August", "7th of August"): groups (day, month).
EN_DATE_DM = re.compile(rf"\b{_EN_DAY}(?:\s+of)?\s+({EN_MONTH_ALTERNATION})\b", re.IGNORECASE)
#: A day and month in Russian («7 августа», «7-го августа»): groups (day, month word).
RU_DATE = re.compile(r"(?<!\d)(\d{1,2})(?:-?(?:го|е|ое))?\s+" + RU_MONTH_PATTERN.pattern,
                     re.IGNORECASE)
_RU_MONTH_STEMS = (
    ("январ", 1), ("феврал", 2), ("март", 3), ("апрел", 4), ("ма", 5), ("июн", 6),
    ("июл", 7), ("август", 8), ("сентябр", 9), ("октябр", 10), ("ноябр", 11), ("декабр", 12),
)


def ru_month_number(word: str) -> int:
    """Month number (1–12) of a Russian month name in any case, e.g. «августа» → 8.

    Raises KeyError for a word that is not a month name (match it with
    :data:`RU_MONTH_PATTERN` first).
    """
    low = word.lower()
    for stem, number in _RU_MONTH_STEMS:
        if low.startswith(stem) and (stem != "ма" or len(low) <= 4):
            return number
    raise KeyError(word)
