"""``ocr-suspect``: a word that is not in the dictionary, occurs once, and is one or two edits
from a frequent dictionary word or from a word frequent in the same document ("Jaranese" →
"Japanese"); the reading goes in ``Flag.suggestion`` and is never applied."""

from __future__ import annotations

from typing import TYPE_CHECKING

import re
import unicodedata
from collections import Counter

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from aligner.fidelity.flag import OCR_SUSPECT, Flag
from aligner.fidelity.tokens import _strip_possessive, _tokens
from aligner.lexicon.spelling import dictionary

if TYPE_CHECKING:
    from aligner.fidelity.context import BeadText, FidelityContext

_OCR_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# Letter pairs that OCR engines confuse (shapes alike); used only to break ties between
# equally distant readings: "verious" → "various" (e/a) rather than "serious" (v/s).
_CONFUSABLE = {frozenset(p) for p in (
    "ae", "ao", "eo", "ce", "co", "rn", "hb", "hn", "il", "lt", "ft", "un", "uv", "vy",
    "mn", "ij", "gq", "pr", "fr", "cs", "es", "ti", "rt", "ri", "vw", "dc", "da",
    "еа", "оа", "ео", "ис", "ип", "нп", "шщ", "цщ", "ьъ", "ыь", "вь", "бь",
)}

_SPLIT_MIN_FREQ = 1000  # both halves of a run-together "carriedon" must be this common


def _word_counts(texts: list[str]) -> Counter:
    counts: Counter = Counter()
    for text in texts:
        counts.update(_strip_possessive(w.replace("’", "'")).lower()
                      for w in _OCR_WORD.findall(text))
    return counts


def _inflection_only(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ only in their last three letters (a case ending)."""
    common = 0
    for x, y in zip(a, b):
        if x != y:
            break
        common += 1
    return common >= min(len(a), len(b)) - 3


def _confusable(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` have the same length and differ only in confusable letters."""
    if len(a) != len(b):
        return False
    diffs = [frozenset((x, y)) for x, y in zip(a, b) if x != y]
    return bool(diffs) and all(d in _CONFUSABLE for d in diffs)


def _doc_presence(word: str, counts: Counter) -> int:
    """2 if the word occurs in the document, 1 if a stem of it does ("study" for
    "studying"), else 0."""
    if counts[word] > 0:
        return 2
    return int(any(counts[word[:k]] > 0 for k in range(4, len(word) - 1)))


def _match_case(suggestion: str, original: str) -> str:
    if original.isupper() and len(original) > 1:
        return suggestion.upper()
    if original[0].isupper():
        return suggestion[0].upper() + suggestion[1:]
    return suggestion


# Lost spaces usually swallow a short function word ("carriedon", "ofthe"); compounds such
# as "blindman" or "combless" are words, not OCR errors.
_FUNCTION_WORDS = {"a", "an", "the", "of", "on", "in", "to", "at", "by", "for", "and", "or",
                   "it", "is", "be", "as", "he", "we", "was", "not", "that", "with", "from"}


def _split_reading(word: str, lexicon) -> str | None:
    """"carriedon" → "carried on" when both halves are common words, one a function word."""
    best = None
    for i in range(1, len(word)):
        left, right = word[:i], word[i:]
        if left not in _FUNCTION_WORDS and right not in _FUNCTION_WORDS:
            continue
        score = min(lexicon.freq(left), lexicon.freq(right))
        if score >= _SPLIT_MIN_FREQ and (best is None or score > best[0]):
            best = (score, f"{left} {right}")
    return best[1] if best else None


_EN_INFLECTIONS = ("s", "es", "ed", "d", "ing", "'s")
# British → American spellings (the pyspellchecker list is American) and accents.
_EN_VARIANTS = (("our", "or"), ("tre", "ter"), ("ise", "ize"), ("isa", "iza"), ("yse", "yze"),
                ("llous", "lous"), ("lled", "led"), ("lling", "ling"), ("ller", "ler"),
                ("ae", "e"), ("oe", "e"), ("ogue", "og"), ("ence", "ense"), ("gg", "g"),
                ("ceptic", "keptic"), ("draught", "draft"))


def _spelling_variant_known(word: str, lexicon) -> bool:
    """"honour", "centre", "recognised", "début", "mediævalism": a known word spelt the
    British way or with accents, not an OCR error."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", word.replace("æ", "ae"))
                    if not unicodedata.combining(c))
    if plain != word and plain in lexicon:
        return True
    return any(old in plain and plain.replace(old, new) in lexicon for old, new in _EN_VARIANTS)


def _is_inflection(word: str, cand: str, lang: str) -> bool:
    """"assailers" of "assailer", «хуньчуньского» of «хуньчуньское»: not an error."""
    if lang == "en":
        long_, short = (word, cand) if len(word) >= len(cand) else (cand, word)
        return long_.startswith(short) and long_[len(short):] in _EN_INFLECTIONS
    return _inflection_only(word, cand)


def ocr_suspects(texts: list[str], lang: str, *, max_count: int = 1,
                 min_doc_count: int = 2) -> dict[str, str]:
    """OCR-suspect words of one document and a suggested reading for each.

    A word (4+ letters) is suspect when it occurs at most ``max_count`` times, is not in the
    language's dictionary (:mod:`aligner.lexicon.spelling`), and is within edit distance 1
    (2 for words of 6+ letters) of a word occurring at least ``min_doc_count`` times in the
    same document, or — for lowercase words — one edit from a dictionary word, or two common
    words run together ("carriedon"). A capitalised word is only compared, at one edit,
    with words capitalised mid-sentence elsewhere in the document ("Jaranese" → "Japanese",
    but a one-off name is not read as a common noun); inflections of a known word are not
    suspects.
    Readings are ranked by edit distance, then presence in the document, then substitution
    over insertion/deletion, then OCR-confusable letters, then frequency.
    Languages without a dictionary are not checked (returns ``{}``).
    Returns ``{surface word: suggestion}`` with the suggestion in the word's case pattern,
    e.g. ``{"Jaranese": "Japanese"}``. Nothing is changed in the text.
    """
    lexicon = dictionary(lang)
    if lexicon is None:
        return {}
    counts = _word_counts(texts)
    frequent = [w for w, n in counts.items() if n >= min_doc_count and len(w) >= 3]
    surfaces: dict[str, str] = {}
    for text in texts:
        for word in _OCR_WORD.findall(text):
            word = _strip_possessive(word.replace("’", "'"))
            surfaces.setdefault(word.lower(), word)
    capitalised = {t.text.lower() for text in texts for t in _tokens(text.replace("’", "'"))
                   if not t.initial and t.text[0].isupper()}
    suggestions: dict[str, str] = {}
    for low, surface in surfaces.items():
        letters = low.replace("'", "")
        if len(letters) < 4 or counts[low] > max_count or low in lexicon or letters in lexicon:
            continue
        if lang == "en" and any(low.endswith(suf) and (low[: -len(suf)] in lexicon
                                                       or counts[low[: -len(suf)]] > 0)
                                for suf in _EN_INFLECTIONS):
            continue  # "assailers" beside "assailer"
        if lang == "en" and _spelling_variant_known(low, lexicon):
            continue
        is_capital = surface[0].isupper()
        # A capitalised word is compared with names only, and only one edit away.
        limit = 1 if len(letters) < 6 or is_capital else 2
        ranked: dict[str, tuple] = {}
        for cand, dist, _ in process.extract(low, frequent, scorer=Levenshtein.distance,
                                             score_cutoff=limit, limit=10):
            if cand == low or _is_inflection(low, cand, lang):
                continue
            if is_capital and cand not in capitalised:
                continue
            ranked[cand] = (-dist, 2, len(cand) == len(low), _confusable(low, cand),
                            counts[cand], lexicon.freq(cand))
        if not is_capital:
            for cand in lexicon.neighbours(letters):
                if cand not in ranked and len(cand) >= 3 and not _is_inflection(low, cand, lang):
                    ranked[cand] = (-1, _doc_presence(cand, counts), len(cand) == len(letters),
                                    _confusable(letters, cand), counts[cand], lexicon.freq(cand))
            split = _split_reading(letters, lexicon)
            if split and split not in ranked:
                ranked[split] = (-1, 0, False, False, 0, 0)
        if ranked:
            best = max(ranked, key=lambda c: ranked[c])
            suggestions[surface] = _match_case(best, surface)
    return suggestions


def _ocr_flags(text: str, suspects: dict[str, str], side: str) -> list[Flag]:
    flags = []
    seen = set()
    for word in _OCR_WORD.findall(text):
        word = _strip_possessive(word.replace("’", "'"))
        if word in suspects and word not in seen:
            seen.add(word)
            flags.append(Flag(
                OCR_SUSPECT, f"“{word}” may be an OCR error for “{suspects[word]}”", side=side,
                details={"word": word}, suggestion=suspects[word],
            ))
    return flags


def check(bead: BeadText, ctx: FidelityContext) -> list[Flag]:
    """OCR-suspect words of either side, with their suggested readings."""
    return _ocr_flags(bead.src, ctx.src_ocr, "src") + _ocr_flags(bead.tgt, ctx.tgt_ocr, "tgt")
