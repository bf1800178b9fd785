"""Russian → Latin transliteration and a spelling-neutral *name key*.

The table follows BGN/PCGN 1947 (the system of most English-language diplomatic records,
e.g. Litvinov, Khasan, Grodekovo) without diacritics. :func:`name_key` then folds the
spellings that differ between romanisation systems and between Latin-script languages
(kh/h, y/j/i, ts/tz/c, w/v, doubled letters), so that Сигемицу → "sigemitsu" and
"Shigemitsu" compare closely, and Hunchun, Khunchun and Hunch'un get the same key.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

RU_LATIN: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
    # Ukrainian / Belarusian letters, so names from the bilinguator set transliterate too
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "w",
}

# Applied in order; longer patterns first. The goal is equality of keys, not readability.
_KEY_FOLDS: tuple[tuple[str, str], ...] = (
    ("shch", "sh"), ("sch", "sh"), ("tsch", "ch"), ("tch", "ch"),
    ("kh", "h"), ("zh", "j"), ("dzh", "j"), ("dj", "j"),
    ("ck", "k"), ("ph", "f"), ("w", "v"), ("q", "k"), ("x", "ks"),
    ("tz", "ts"), ("ts", "c"),
    ("y", "i"), ("j", "i"), ("ie", "e"), ("ii", "i"),
)


def transliterate(text: str) -> str:
    """Transliterate Cyrillic letters to Latin (case kept on the first letter of each run).

    Non-Cyrillic characters pass through unchanged. Example: ``"Хуньчунь"`` → ``"Khunchun"``.
    """
    out: list[str] = []
    for ch in text:
        low = ch.lower()
        lat = RU_LATIN.get(low)
        if lat is None:
            out.append(ch)
        elif ch != low and lat:
            out.append(lat[0].upper() + lat[1:])
        else:
            out.append(lat)
    return "".join(out)


_NON_LETTER = re.compile(r"[^a-z]+")
_DOUBLE = re.compile(r"([a-z])\1+")


@lru_cache(maxsize=65536)
def name_key(word: str) -> str:
    """Fold a name (any script) to a comparison key: lowercase Latin letters only.

    Accents are dropped, Cyrillic transliterated, apostrophes and hyphens removed,
    romanisation variants folded and doubled letters collapsed.
    Example: ``name_key("Hunch'un") == name_key("Khunchun") == name_key("Хуньчунь")``.
    """
    text = unicodedata.normalize("NFKD", transliterate(word))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = _NON_LETTER.sub("", text)
    for old, new in _KEY_FOLDS:
        text = text.replace(old, new)
    return _DOUBLE.sub(r"\1", text)
