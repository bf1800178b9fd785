"""``name-one-side``: a proper name on one side of a bead that matches nothing on the other,
after Russian→Latin transliteration and fuzzy comparison (rapidfuzz) of romanisation-neutral
keys (:func:`aligner.lexicon.translit.name_key`); names a document pairs consistently
(Гензель ↔ Hansel) are learned and not flagged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import re
from collections import Counter
from functools import lru_cache

from rapidfuzz import fuzz

from aligner.fidelity.flag import NAME_ONE_SIDE, Flag
from aligner.fidelity.tokens import (
    _HONORIFICS,
    _ROMAN,
    _VOWEL,
    _WEEKDAYS,
    _is_cyrillic,
    _strip_possessive,
    _Token,
    _tokens,
)
from aligner.lexicon.names import EXONYMS
from aligner.lexicon.numbers import EN_MONTHS, RU_MONTH_PATTERN
from aligner.lexicon.spelling import dictionary
from aligner.lexicon.translit import name_key

if TYPE_CHECKING:
    from aligner.fidelity.context import BeadText, FidelityContext

NAME_MATCH_MIN = 80.0      # rapidfuzz ratio (0–100) of two name keys that count as one name
LEARNED_NAME_MIN = 2  # beads in which two unmatched names must co-occur to be paired

_EN_NAME_SUFFIXES = ("ians", "ian", "ese", "ans", "an", "ish", "s")
_RU_ENDINGS = re.compile(
    r"(ского|скому|ским|ском|ская|ской|скую|ские|ских|ское|ский|"
    r"ого|ему|ому|ыми|ими|ами|ями|ой|ей|ий|ый|ая|яя|ую|юю|ое|ее|ые|ие|ых|их|ом|ем|ам|ям|ах|ях|"
    r"ов|ев|а|я|у|ю|е|ы|и|о|ь)$"
)



@lru_cache(maxsize=65536)
def _stems(word: str) -> frozenset[str]:
    """Name keys of a word and of its stem (case ending or demonym suffix removed)."""
    word = _strip_possessive(word)
    keys = {name_key(word)}
    if _is_cyrillic(word):
        stripped = _RU_ENDINGS.sub("", word.lower())
        if len(stripped) >= 3:
            keys.add(name_key(stripped))
    else:
        low = word.lower()
        for suffix in _EN_NAME_SUFFIXES:
            if low.endswith(suffix) and len(low) - len(suffix) >= 4:
                keys.add(name_key(low[: -len(suffix)]))
    return frozenset(k for k in keys if k)


def _key_similarity(a: str, b: str) -> float:
    """Rapidfuzz ratio of two keys, also comparing the shorter with the start of the longer."""
    score = fuzz.ratio(a, b)
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= 4:
        score = max(score, fuzz.ratio(short, long_[: len(short) + 1]))
    return score


def _names_match(a: str, b: str) -> bool:
    return any(_key_similarity(x, y) >= NAME_MATCH_MIN for x in _stems(a) for y in _stems(b))


def _is_name(token: _Token, lang: str, known: frozenset[str]) -> bool:
    """Whether a token is taken for a proper name.

    English capitalises adjectives and titles ("Japanese", "Government"), so a capitalised
    English word counts only if it is not a common dictionary word; Russian capitalises
    little but names. A sentence-initial word counts if the same name is seen
    mid-sentence elsewhere (``known`` holds those keys) or the dictionary does not know it.
    """
    word = _strip_possessive(token.text)
    if len(re.sub(r"\W", "", word)) < 2 or not word[0].isupper():
        return False
    low = word.lower()
    if low in EN_MONTHS or low in _WEEKDAYS or low in _HONORIFICS or _ROMAN.fullmatch(word):
        return False
    if RU_MONTH_PATTERN.fullmatch(low) or not _VOWEL.search(low):
        return False  # "Brrr", "Sh-sh": interjections, not names
    lexicon = dictionary(lang)
    if lexicon is not None and "-" in low and all(lexicon.is_common(p) for p in low.split("-")):
        return False  # "To-day", "Far-Eastern": compounds of common words
    if token.initial:
        if lexicon is not None and lexicon.is_common(low):
            return False
        if name_key(word) in known or _stems(word) & known:
            return True
        return lexicon is not None and low not in lexicon
    return not (lexicon is not None and lexicon.is_common(low))


def _exonym_match(name: str, other_text_low: str, other_words_low: list[str]) -> bool:
    """Whether ``name`` and the other side match through :data:`EXONYMS`."""
    low = name.lower()
    if _is_cyrillic(name):
        for stem, forms in EXONYMS.items():
            if low.startswith(stem) and any(
                (" " in f and f in other_text_low) or any(w.startswith(f) for w in other_words_low)
                for f in forms
            ):
                return True
        return False
    for stem, forms in EXONYMS.items():
        if any(low.startswith(f) for f in forms if " " not in f) and any(
            w.startswith(stem) for w in other_words_low
        ):
            return True
    return False


def _name_flags(src: str, tgt: str, src_lang: str, tgt_lang: str,
                src_known: frozenset[str], tgt_known: frozenset[str],
                src_ocr: dict[str, str], tgt_ocr: dict[str, str]) -> list[Flag]:
    # Read OCR-suspect words as their suggested reading: "Jaranese" is "Japanese", no name.
    src_tokens = [_Token(src_ocr.get(t.text, t.text), t.initial) for t in _tokens(src)]
    tgt_tokens = [_Token(tgt_ocr.get(t.text, t.text), t.initial) for t in _tokens(tgt)]
    src_words = [t.text for t in src_tokens]
    tgt_words = [t.text for t in tgt_tokens]

    def unmatched(tokens, lang, known, other_words, other_text):
        other_low = [w.lower() for w in other_words]
        other_text_low = other_text.lower()
        missing: list[str] = []
        for token in tokens:
            if not _is_name(token, lang, known):
                continue
            name = _strip_possessive(token.text)
            if name in missing:
                continue
            if any(_names_match(name, w) for w in other_words if len(w) >= 2):
                continue
            if _exonym_match(name, other_text_low, other_low):
                continue
            missing.append(name)
        return missing

    src_only = unmatched(src_tokens, src_lang, src_known, tgt_words, tgt)
    tgt_only = unmatched(tgt_tokens, tgt_lang, tgt_known, src_words, src)
    return _name_flag(src_only, tgt_only)


def _name_flag(src_only: list[str], tgt_only: list[str]) -> list[Flag]:
    if not (src_only or tgt_only):
        return []
    side = "src" if not tgt_only else "tgt" if not src_only else "both"
    if side == "both":
        message = (f"names differ: source {', '.join(src_only)}; target {', '.join(tgt_only)} "
                   "(other names, or another romanisation)")
    elif side == "src":
        message = f"name only in the source: {', '.join(src_only)}"
    else:
        message = f"name only in the target: {', '.join(tgt_only)}"
    return [Flag(
        NAME_ONE_SIDE,
        message,
        side=side,
        details={"src_only": src_only, "tgt_only": tgt_only},
    )]


def _name_id(word: str) -> str:
    return min(_stems(word), key=len, default=word.lower())


def learned_pairs(per_bead: list[list[Flag]]) -> frozenset[tuple[str, str]]:
    """Name pairs a document renders consistently: source name A and target name B both
    unmatched in at least :data:`LEARNED_NAME_MIN` beads.

    A translator's rendering that transliteration does not explain (Гензель ↔ Hansel,
    Джеймс ↔ James, Янг ↔ Young) is consistent across a document, so A ↔ B is taken as a
    correspondence of this document. ``per_bead`` holds each bead's flags before learning;
    returns pairs of name ids (:func:`_name_id`)."""
    together: Counter = Counter()
    for flags in per_bead:
        for flag in flags:
            if flag.code == NAME_ONE_SIDE:
                src_ids = {_name_id(w) for w in flag.details["src_only"]}
                tgt_ids = {_name_id(w) for w in flag.details["tgt_only"]}
                together.update((a, b) for a in src_ids for b in tgt_ids)
    return frozenset(pair for pair, n in together.items() if n >= LEARNED_NAME_MIN)


def name_flags(src: str, tgt: str, src_lang: str, tgt_lang: str, src_known: frozenset[str],
               tgt_known: frozenset[str], src_ocr: dict[str, str], tgt_ocr: dict[str, str],
               learned: frozenset[tuple[str, str]] = frozenset()) -> list[Flag]:
    """The ``name-one-side`` flag of a bead (``[]`` or one flag), names of ``learned``
    pairs (:func:`learned_pairs`) left out."""
    flags = _name_flags(src, tgt, src_lang, tgt_lang, src_known, tgt_known, src_ocr, tgt_ocr)
    if not flags or not learned:
        return flags
    learned_src, learned_tgt = {a for a, _ in learned}, {b for _, b in learned}
    details = flags[0].details
    src_only = [w for w in details["src_only"] if _name_id(w) not in learned_src]
    tgt_only = [w for w in details["tgt_only"] if _name_id(w) not in learned_tgt]
    return _name_flag(src_only, tgt_only)


def _known_names(texts) -> frozenset[str]:
    """Name keys of capitalised words seen mid-sentence in ``texts``."""
    keys: set[str] = set()
    for text in texts:
        for token in _tokens(text):
            if not token.initial and token.text[:1].isupper():
                keys |= _stems(token.text)
    return frozenset(keys)


def check(bead: BeadText, ctx: FidelityContext) -> list[Flag]:
    """Names on one side of a bead only (learned pairs left out)."""
    if not (bead.src and bead.tgt):
        return []
    return name_flags(bead.src, bead.tgt, bead.src_lang, bead.tgt_lang,
                      ctx.src_names or _known_names(bead.src_texts),
                      ctx.tgt_names or _known_names(bead.tgt_texts),
                      ctx.src_ocr, ctx.tgt_ocr, ctx.learned)
