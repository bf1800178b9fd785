"""Fidelity flags: things a reviewer should look at in an aligned bead.

Pure functions over sentence texts (no I/O, no database). Each check is advisory: it flags
and, for OCR-suspect words, *suggests* a reading — nothing is ever changed in the text.

Checks (``Flag.code``):

- ``number-mismatch`` — numbers (digits, roman numerals) on one side only. A number written
  in words on the other side ("ten" ↔ «10») counts as present; ordinals ("4th") and
  suffixes («1938 г.», «8-го») are read as their number.
- ``date-mismatch`` — a month, or a day+month pair, on one side only ("August 4th" ↔
  «5 августа»; Russian month names in every case).
- ``name-one-side`` — a proper name on one side that matches nothing on the other, after
  Russian→Latin transliteration and fuzzy comparison (rapidfuzz) of romanisation-neutral keys
  (:func:`aligner.lexicon.translit.name_key`).
- ``name-variant`` — a name spelled in several ways across one document (Hunchun / Khunchun /
  Hunch'un); see :func:`document_name_variants`.
- ``omission`` / ``addition`` — 1-0 and 0-1 beads.
- ``length-ratio`` — a character-length ratio far from the document's own, judged with the
  length model of Gale & Church (1993), "A program for aligning sentences in bilingual
  corpora", *Computational Linguistics* 19(1): δ = (l₂ − c·l₁) / √(l₁·s²).
- ``ocr-suspect`` — a word that is not in the dictionary, occurs once, and is one or two
  edits from a frequent dictionary word or from a word frequent in the same document
  ("Jaranese" → "Japanese"); the reading goes in ``Flag.suggestion``.
"""

from __future__ import annotations

import math
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from aligner.lexicon.names import EXONYMS
from aligner.lexicon.numbers import EN_MONTHS, RU_MONTH_PATTERN, number_words, ru_month_number
from aligner.lexicon.spelling import dictionary
from aligner.lexicon.translit import name_key

NUMBER_MISMATCH = "number-mismatch"
DATE_MISMATCH = "date-mismatch"
NAME_ONE_SIDE = "name-one-side"
NAME_VARIANT = "name-variant"
OMISSION = "omission"
ADDITION = "addition"
LENGTH_RATIO = "length-ratio"
OCR_SUSPECT = "ocr-suspect"

FLAG_CODES = (
    NUMBER_MISMATCH, DATE_MISMATCH, NAME_ONE_SIDE, NAME_VARIANT,
    OMISSION, ADDITION, LENGTH_RATIO, OCR_SUSPECT,
)

# Thresholds (chosen on the Litvinov pair and made-up beads; see tests/test_fidelity.py).
NAME_MATCH_MIN = 80.0      # rapidfuzz ratio (0–100) of two name keys that count as one name
NAME_VARIANT_MIN = 88.0    # ratio above which two spellings in one document are "the same name"
LENGTH_DELTA_MAX = 3.0     # |δ| beyond this is suspicious (two-sided p ≈ 0.003 under N(0, 1))
LENGTH_FACTOR_MIN = 1.5    # …and the ratio must also be off by at least this factor
GC_VARIANCE = 6.8          # Gale & Church (1993) s², used when a document is too short to fit


@dataclass
class Flag:
    """One fidelity remark on a bead.

    ``code`` is one of :data:`FLAG_CODES`; ``message`` a one-line human text; ``side`` is
    ``"src"``, ``"tgt"`` or ``"both"``; ``details`` holds the evidence (e.g.
    ``{"src_only": ["22"], "tgt_only": ["20"]}``); ``suggestion`` a proposed reading (OCR
    checks only), never applied.
    """

    code: str
    message: str
    side: str = "both"
    details: dict = field(default_factory=dict)
    suggestion: str | None = None

    def to_dict(self) -> dict:
        """JSON-ready form (for the store and the API)."""
        return asdict(self)


# --- tokens -------------------------------------------------------------------------------

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


# --- numbers and dates --------------------------------------------------------------------

_NUMBER = re.compile(r"(?<![\w.,])\d+(?:(?:[.,]|[\u00a0\u202f\u2009])\d+)*")
# Russian typesetting also groups thousands with a plain space: «1 500», «10 000».
_NUMBER_SPACED = re.compile(r"(?<![\w.,])\d{1,3}(?: \d{3})+(?![\d.,]\d)|" + _NUMBER.pattern)
_ROMAN = re.compile(
    r"\b(?=[MDCLXVI]{2,}\b)M{0,4}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})\b"
)
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
_EN_MONTH = "|".join(sorted(EN_MONTHS, key=len, reverse=True))
_EN_DAY = r"(\d{1,2})(?:st|nd|rd|th|d)?"
_EN_DATE_MD = re.compile(rf"\b({_EN_MONTH})\.?\s+{_EN_DAY}\b", re.IGNORECASE)
_EN_DATE_DM = re.compile(rf"\b{_EN_DAY}(?:\s+of)?\s+({_EN_MONTH})\b\.?", re.IGNORECASE)
_EN_MONTH_WORD = re.compile(rf"\b({_EN_MONTH})\b\.?", re.IGNORECASE)
_RU_DATE = re.compile(r"(?<![\d])(\d{1,2})(?:-?(?:го|е|ое))?\s+" + RU_MONTH_PATTERN.pattern,
                      re.IGNORECASE)


def _dates(text: str, lang: str) -> tuple[set[tuple[int, int]], set[int]]:
    """(day, month) pairs and the set of months named in ``text``.

    English months must be capitalised; a sentence-initial "May" is taken for the verb.
    """
    pairs: set[tuple[int, int]] = set()
    months: set[int] = set()
    if lang in ("ru", "uk", "be"):
        for m in _RU_DATE.finditer(text):
            pairs.add((int(m.group(1)), ru_month_number(m.group(2))))
        for m in RU_MONTH_PATTERN.finditer(text):
            months.add(ru_month_number(m.group(1)))
    elif lang == "en":
        for m in _EN_DATE_MD.finditer(text):
            if m.group(1)[0].isupper():
                pairs.add((int(m.group(2)), EN_MONTHS[m.group(1).lower()]))
        for m in _EN_DATE_DM.finditer(text):
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


# --- names --------------------------------------------------------------------------------

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


@dataclass
class NameGroup:
    """Spellings of one name found in a document, e.g. Hunch'un ×4, Khunchun ×2.

    ``forms`` maps one representative per spelling to its count (most frequent first);
    ``members`` maps every surface form seen (inflected, possessive, all-caps) to its
    representative. ``canonical`` is the most frequent spelling.
    """

    forms: dict[str, int]
    members: dict[str, str] = field(default_factory=dict)

    @property
    def canonical(self) -> str:
        return next(iter(self.forms))

    @property
    def variants(self) -> list[str]:
        """Surface forms whose spelling is not the canonical one."""
        return [m for m, rep in self.members.items() if rep != self.canonical]


def _name_candidates(texts: list[str], lang: str) -> Counter:
    """Capitalised words that look like names (mid-sentence, or known mid-sentence), less
    common words (English "There", "Well" after a quotation mark)."""
    lexicon = dictionary(lang)
    counts: Counter = Counter()
    initial_counts: Counter = Counter()
    mid_keys: set[str] = set()
    for text in texts:
        for token in _tokens(text):
            word = _strip_possessive(token.text)
            if len(word) < 4 or not word[0].isupper() or _ROMAN.fullmatch(word):
                continue
            low = word.lower()
            if low in EN_MONTHS or low in _WEEKDAYS or RU_MONTH_PATTERN.fullmatch(low):
                continue
            if lexicon is not None and lexicon.is_common(low.replace("’", "'")):
                continue
            if token.initial:
                initial_counts[word] += 1
            else:
                counts[word] += 1
                mid_keys.add(name_key(word))
    for word, n in initial_counts.items():
        if name_key(word) in mid_keys:
            counts[word] += n
    return counts


_EN_DERIVATION = ("ians", "ian", "ese", "ans", "an", "ish", "ia", "s")


def _spelling(word: str) -> str:
    """A form's written stem, case and inflection removed: «Хуньчуньским» → «хуньчунь»,
    "Japanese" → "japan", "KHUNCHUN" → "khunchun" (apostrophes kept: they are spelling)."""
    base = _strip_possessive(word.replace("’", "'")).lower()
    if _is_cyrillic(base):
        lexicon = dictionary("ru")
        if lexicon is not None:  # «Сверчка» → «сверчок»: fleeting vowels need the lemma
            base = lexicon.lemma(base)
        stripped = _RU_ENDINGS.sub("", base)
        return stripped if len(stripped) >= 3 else base
    for suffix in _EN_DERIVATION:
        if base.endswith(suffix) and len(base) - len(suffix) >= 4:
            return base[: -len(suffix)]
    return base


def _same_spelling(a: str, b: str) -> bool:
    """Japan/Japanese, Russia/Russian: one written stem extends the other."""
    return a.startswith(b) or b.startswith(a)


def document_name_variants(texts: list[str], lang: str | None = None) -> list[NameGroup]:
    """Names spelled in more than one way across one document.

    ``texts`` are the sentences of one document in language ``lang`` (guessed from the
    script if None). Capitalised words that are not common words (not sentence-initial
    unless also seen mid-sentence) are clustered when their romanisation-neutral keys
    (:func:`aligner.lexicon.translit.name_key`, after removing case endings and demonym
    suffixes) are equal or close (rapidfuzz ratio ≥ :data:`NAME_VARIANT_MIN`). Inside a
    cluster, inflected and derived forms (Russian case endings, English plural, possessive,
    Japan/Japanese) are one spelling. Returns clusters with two or more spellings, the
    most frequent first. Example: ["… the Khunchun agreement …", "… the Hunch'un
    Agreement …", "… the Hunch'un maps …"] → one group {"Hunch'un": 2, "Khunchun": 1}.
    """
    if lang is None:
        lang = "ru" if any(_is_cyrillic(t) for t in texts[:50]) else "en"
    counts = _name_candidates(texts, lang)
    by_key: dict[str, Counter] = {}
    for word, n in counts.items():
        by_key.setdefault(min(_stems(word), key=len), Counter())[word] += n
    keys = sorted(by_key, key=lambda k: -sum(by_key[k].values()))
    clusters: list[list[str]] = []
    cluster_of: dict[str, int] = {}
    for key in keys:
        home = next((cluster_of[o] for o in cluster_of if fuzz.ratio(key, o) >= NAME_VARIANT_MIN),
                    None)
        if home is None:
            home = len(clusters)
            clusters.append([])
        clusters[home].append(key)
        cluster_of[key] = home
    result: list[NameGroup] = []
    for members in clusters:
        forms: Counter = Counter()
        for key in members:
            forms.update(by_key[key])
        classes: list[tuple[str, str]] = []  # (written stem, representative form)
        member_rep: dict[str, str] = {}
        totals: Counter = Counter()
        for word, n in forms.most_common():
            stem = _spelling(word)
            rep = next((r for st, r in classes if _same_spelling(st, stem)), None)
            if rep is None:
                rep = word
                classes.append((stem, word))
            member_rep[word] = rep
            totals[rep] += n
        if len(classes) >= 2:
            result.append(NameGroup(dict(totals.most_common()), member_rep))
    result.sort(key=lambda g: -sum(g.forms.values()))
    return result


# --- OCR ----------------------------------------------------------------------------------

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


# --- length -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LengthModel:
    """Gale & Church (1993) length model fitted on one document pair.

    ``ratio`` (c) is the median target/source character ratio; ``variance`` (s²) the
    variance of l₂ − c·l₁ per source character, estimated robustly from the median of
    (l₂ − c·l₁)²/l₁ (median of χ²₁ = 0.4549), or G&C's 6.8 for fewer than 5 beads.
    """

    ratio: float = 1.0
    variance: float = GC_VARIANCE

    @classmethod
    def fit(cls, pairs: list[tuple[int, int]]) -> LengthModel:
        """Fit on (source chars, target chars) of non-empty beads."""
        usable = [(a, b) for a, b in pairs if a >= 10 and b >= 10]
        if not usable:
            return cls()
        ratio = statistics.median(b / a for a, b in usable)
        if len(usable) < 5:
            return cls(ratio, GC_VARIANCE)
        variance = statistics.median((b - ratio * a) ** 2 / a for a, b in usable) / 0.4549
        return cls(ratio, max(variance, 1.0))

    def delta(self, src_chars: int, tgt_chars: int) -> float:
        """δ = (l₂ − c·l₁) / √(l₁·s²); roughly N(0, 1) for a true bead."""
        return (tgt_chars - self.ratio * src_chars) / math.sqrt(max(src_chars, 1) * self.variance)


def _length_flag(src_chars: int, tgt_chars: int, model: LengthModel) -> Flag | None:
    if src_chars == 0 or tgt_chars == 0:
        return None
    delta = model.delta(src_chars, tgt_chars)
    factor = (tgt_chars / src_chars) / model.ratio
    if abs(delta) <= LENGTH_DELTA_MAX or max(factor, 1 / factor) < LENGTH_FACTOR_MIN:
        return None
    longer = "target" if factor > 1 else "source"
    shown = factor if factor > 1 else 1 / factor
    return Flag(
        LENGTH_RATIO,
        f"{longer} is {shown:.1f}× longer than this document's usual ratio "
        f"(δ = {delta:+.1f}, Gale & Church 1993)",
        side="tgt" if factor > 1 else "src",
        details={"src_chars": src_chars, "tgt_chars": tgt_chars,
                 "ratio": round(tgt_chars / src_chars, 3),
                 "document_ratio": round(model.ratio, 3), "delta": round(delta, 2)},
    )


# --- public API ---------------------------------------------------------------------------


@dataclass
class FidelityContext:
    """Document-level facts the bead checks use (all optional).

    ``src_names``/``tgt_names`` are name keys seen mid-sentence in each document (they let a
    sentence-initial «Сигемицу» count as a name); ``length`` the fitted length model;
    ``src_ocr``/``tgt_ocr`` the output of :func:`ocr_suspects` for each document.
    """

    src_names: frozenset[str] = frozenset()
    tgt_names: frozenset[str] = frozenset()
    length: LengthModel | None = None
    src_ocr: dict[str, str] = field(default_factory=dict)
    tgt_ocr: dict[str, str] = field(default_factory=dict)


def _known_names(texts: list[str]) -> frozenset[str]:
    keys: set[str] = set()
    for text in texts:
        for token in _tokens(text):
            if not token.initial and token.text[:1].isupper():
                keys |= _stems(token.text)
    return frozenset(keys)


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


def bead_flags(src_texts: list[str], tgt_texts: list[str], src_lang: str, tgt_lang: str,
               *, context: FidelityContext | None = None) -> list[Flag]:
    """Fidelity flags of one bead.

    ``src_texts``/``tgt_texts`` are the bead's sentences (either list may be empty: a 1-0
    or 0-1 bead); languages are ISO 639-1 codes. Without ``context`` the length and OCR
    checks are skipped (they need the whole document) and OCR falls back to the bead alone
    for English. Returns flags in the order: omission/addition, dates/numbers, names, length,
    OCR. Never raises on odd text.
    """
    ctx = context or FidelityContext()
    src = " ".join(src_texts).strip()
    tgt = " ".join(tgt_texts).strip()
    if not src and not tgt:
        return []
    if not tgt:
        return [Flag(OMISSION, "source sentence(s) with no translation (1-0 bead)", side="src",
                     details={"sentences": len(src_texts)})] + _ocr_flags(src, ctx.src_ocr, "src")
    if not src:
        return [Flag(ADDITION, "translation with no source sentence (0-1 bead)", side="tgt",
                     details={"sentences": len(tgt_texts)})] + _ocr_flags(tgt, ctx.tgt_ocr, "tgt")
    flags = _number_flags(src, tgt, src_lang, tgt_lang)
    src_known = ctx.src_names or _known_names(src_texts)
    tgt_known = ctx.tgt_names or _known_names(tgt_texts)
    flags += _name_flags(src, tgt, src_lang, tgt_lang, src_known, tgt_known,
                         ctx.src_ocr, ctx.tgt_ocr)
    if ctx.length is not None:
        flag = _length_flag(len(src), len(tgt), ctx.length)
        if flag:
            flags.append(flag)
    flags += _ocr_flags(src, ctx.src_ocr, "src") + _ocr_flags(tgt, ctx.tgt_ocr, "tgt")
    return flags


def build_context(src_texts: list[str], tgt_texts: list[str], src_lang: str, tgt_lang: str,
                  bead_lengths: list[tuple[int, int]] | None = None) -> FidelityContext:
    """Document-level context for :func:`bead_flags` from both documents' sentences.

    ``bead_lengths`` — (source chars, target chars) per non-empty bead — fits the length
    model; without it the length check is off.
    """
    return FidelityContext(
        src_names=_known_names(src_texts),
        tgt_names=_known_names(tgt_texts),
        length=LengthModel.fit(bead_lengths) if bead_lengths else None,
        src_ocr=ocr_suspects(src_texts, src_lang),
        tgt_ocr=ocr_suspects(tgt_texts, tgt_lang),
    )


LEARNED_NAME_MIN = 2  # beads in which two unmatched names must co-occur to be paired


def _name_id(word: str) -> str:
    return min(_stems(word), key=len, default=word.lower())


def _drop_learned_names(per_bead: list[list[Flag]]) -> None:
    """Pair names that stay unmatched together in several beads, and stop flagging them.

    A translator's rendering that transliteration does not explain (Гензель ↔ Hansel,
    Джеймс ↔ James, Янг ↔ Young) is consistent across a document: if source name A and
    target name B are both unmatched in at least :data:`LEARNED_NAME_MIN` beads, A ↔ B is
    taken as a correspondence of this document and removed from those flags. Edits
    ``per_bead`` in place.
    """
    together: Counter = Counter()
    for flags in per_bead:
        for flag in flags:
            if flag.code == NAME_ONE_SIDE:
                src_ids = {_name_id(w) for w in flag.details["src_only"]}
                tgt_ids = {_name_id(w) for w in flag.details["tgt_only"]}
                together.update((a, b) for a in src_ids for b in tgt_ids)
    learned = {pair for pair, n in together.items() if n >= LEARNED_NAME_MIN}
    if not learned:
        return
    learned_src = {a for a, _ in learned}
    learned_tgt = {b for _, b in learned}
    for flags in per_bead:
        for flag in list(flags):
            if flag.code != NAME_ONE_SIDE:
                continue
            src_only = [w for w in flag.details["src_only"] if _name_id(w) not in learned_src]
            tgt_only = [w for w in flag.details["tgt_only"] if _name_id(w) not in learned_tgt]
            if (src_only, tgt_only) == (flag.details["src_only"], flag.details["tgt_only"]):
                continue
            flags.remove(flag)
            if src_only or tgt_only:
                flags.extend(_name_flag(src_only, tgt_only))


def alignment_flags(src_doc, tgt_doc, alignment) -> dict[int, list[Flag]]:
    """Run every check over a whole alignment.

    ``src_doc``/``tgt_doc`` are :class:`aligner.types.Document`; ``alignment`` an
    :class:`aligner.types.Alignment` whose bead ids index the documents' sentences.
    Returns ``{bead index: flags}`` for beads with at least one flag. Name-variant flags
    (:func:`document_name_variants`) go on the beads whose sentences hold a non-canonical
    spelling. Raises ``IndexError`` if a bead refers to a sentence the document lacks.
    """
    src_by_id = {s.index: s.text for s in src_doc.sentences}
    tgt_by_id = {s.index: s.text for s in tgt_doc.sentences}
    beads = [([src_by_id[i] for i in b.src], [tgt_by_id[j] for j in b.tgt])
             for b in alignment.beads]
    lengths = [(len(" ".join(s)), len(" ".join(t))) for s, t in beads if s and t]
    ctx = build_context(src_doc.texts, tgt_doc.texts, src_doc.lang, tgt_doc.lang, lengths)
    variant_spellings = {
        side: {v: group for group in document_name_variants(doc.texts, doc.lang)
               for v in group.variants}
        for side, doc in (("src", src_doc), ("tgt", tgt_doc))
    }
    per_bead = [bead_flags(s, t, src_doc.lang, tgt_doc.lang, context=ctx) for s, t in beads]
    _drop_learned_names(per_bead)
    result: dict[int, list[Flag]] = {}
    for index, (src_texts, tgt_texts) in enumerate(beads):
        flags = per_bead[index]
        for side, texts in (("src", src_texts), ("tgt", tgt_texts)):
            words = {_strip_possessive(t.text) for text in texts for t in _tokens(text)}
            for variant, group in variant_spellings[side].items():
                if variant in words:
                    flags.append(Flag(
                        NAME_VARIANT,
                        f"“{variant}” is spelled “{group.canonical}” elsewhere in this document",
                        side=side, details={"forms": group.forms},
                        suggestion=group.canonical,
                    ))
        if flags:
            result[index] = flags
    return result


def flag_alignment(src_doc, tgt_doc, alignment) -> dict[int, list[Flag]]:
    """Run :func:`alignment_flags` and add each flag's code (once) to its bead's ``flags``.

    The codes make flagged beads reachable from the review queue; the details (evidence,
    suggestions) are recomputed on demand from the current beads
    (:mod:`aligner.store.fidelity`). Returns the flags as :func:`alignment_flags` does.
    Edits ``alignment.beads`` in place."""
    flags = alignment_flags(src_doc, tgt_doc, alignment)
    if (alignment.params or {}).get("min_bead_similarity") is not None:
        # A partial rendering (AlignConfig.partial): leaving most of the source out is the
        # point, so 1-0/0-1 beads are not flagged as omissions and additions.
        flags = {k: kept for k, fl in flags.items()
                 if (kept := [f for f in fl if f.code not in (OMISSION, ADDITION)])}
    for index, bead_flags in flags.items():
        bead = alignment.beads[index]
        for code in dict.fromkeys(f.code for f in bead_flags):
            if code not in bead.flags:
                bead.flags.append(code)
    return flags
