"""Word lists for the OCR and name checks in :mod:`aligner.fidelity`.

- English and a few other Latin-script languages: the word-frequency lists of the
  ``pyspellchecker`` package (built from OpenSubtitles; candidate generation after Norvig,
  "How to Write a Spelling Corrector", 2007).
- Russian: the OpenCorpora morphological dictionary through ``pymorphy3`` (Korobov 2015,
  "Morphological Analyzer and Generator for Russian and Ukrainian Languages", AIST), which
  knows every inflected form — the pyspellchecker Russian list (about 20,000 forms) lacks
  most case forms and would call ordinary words misspelt.

Other languages get no dictionary, and the OCR check is then skipped for them.
"""

from __future__ import annotations

from functools import lru_cache

# Languages whose pyspellchecker list is large enough to say "not a word".
FREQUENCY_LANGUAGES = ("en", "de", "es", "fr", "it", "pt", "nl")
MORPHOLOGY_LANGUAGES = ("ru",)
COMMON_WORD_FREQ = 1000  # pyspellchecker count above which a word is "common"

_RU_LETTERS = "абвгдежзийклмнопрстуфхцчшщъыьэюя"
_PROPER = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"})
_RU_PARTICLES = ("-ка", "-то", "-с", "-де", "-либо", "-нибудь", "-таки")


def _strip_particle(word: str) -> str:
    """«Давайте-ка» → «давайте», «Огниво-то» → «огниво» (enclitic particles)."""
    for particle in _RU_PARTICLES:
        if word.endswith(particle) and len(word) > len(particle) + 1:
            return word[: -len(particle)]
    return word


def _edits1(word: str, letters: str) -> set[str]:
    """All strings one insert, delete, substitution or transposition away (Norvig 2007)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    transposes = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in letters]
    inserts = [a + c + b for a, b in splits for c in letters]
    return set(deletes + transposes + replaces + inserts)


class Dictionary:
    """Lowercase word look-ups: membership, frequency, edit-distance-1 neighbours.

    ``freq(word)`` is a corpus count (0 = unknown; a morphological dictionary gives 1 for
    any known form). ``is_common(word)``: a frequent word, not taken for a name even when
    capitalised (English "Government"). ``lemma(word)``: the dictionary form, used to
    tell inflection from variant spelling (Russian «Сверчка» → «сверчок»).
    """

    def __contains__(self, word: str) -> bool:
        return self.freq(word) > 0

    def freq(self, word: str) -> int:  # pragma: no cover - interface
        raise NotImplementedError

    def neighbours(self, word: str) -> set[str]:  # pragma: no cover - interface
        raise NotImplementedError

    def is_common(self, word: str) -> bool:
        return self.freq(word) >= COMMON_WORD_FREQ

    def lemma(self, word: str) -> str:
        return word.lower()


class FrequencyDictionary(Dictionary):
    """A pyspellchecker word-frequency list."""

    def __init__(self, checker) -> None:
        self._checker = checker
        self._freq = checker.word_frequency.dictionary

    def freq(self, word: str) -> int:
        return int(self._freq.get(word.lower().replace("’", "'"), 0))

    def neighbours(self, word: str) -> set[str]:
        return set(self._checker.known(self._checker.edit_distance_1(word.lower())))


class MorphDictionary(Dictionary):
    """A pymorphy3 analyser: knows all inflected forms, has no frequencies."""

    def __init__(self, analyzer, letters: str) -> None:
        self._morph = analyzer
        self._letters = letters
        self._common: dict[str, bool] = {}  # is_common answers: a book asks about a word often

    def freq(self, word: str) -> int:
        return int(self._morph.word_is_known(word.lower().replace("ё", "е")))

    def neighbours(self, word: str) -> set[str]:
        return {w for w in _edits1(word.lower(), self._letters) if w and self._morph.word_is_known(w)}

    def is_common(self, word: str) -> bool:
        """A known word none of whose readings is a proper name (OpenCorpora tags Name,
        Surn, Patr, Geox, Orgn, Trad): «Никогда», «Ворон» are common, «Литвинов», «Москва»
        and unknown words («Сигемицу») are not."""
        low = _strip_particle(word.lower().replace("ё", "е"))
        if low not in self._common:
            self._common[low] = self._morph.word_is_known(low) and not any(
                _PROPER & p.tag.grammemes for p in self._morph.parse(low))
        return self._common[low]

    def lemma(self, word: str) -> str:
        return self._morph.parse(word.lower())[0].normal_form


@lru_cache(maxsize=8)
def dictionary(lang: str) -> Dictionary | None:
    """The dictionary for ``lang`` (ISO 639-1), or None if there is none.

    None means: no usable list for that language, or its package is not installed.
    """
    if lang in FREQUENCY_LANGUAGES:
        try:
            from spellchecker import SpellChecker
        except ImportError:  # pragma: no cover - dependency declared in pyproject
            return None
        return FrequencyDictionary(SpellChecker(language=lang, distance=1))
    if lang in MORPHOLOGY_LANGUAGES:
        try:
            import pymorphy3
        except ImportError:  # pragma: no cover - dependency declared in pyproject
            return None
        return MorphDictionary(pymorphy3.MorphAnalyzer(lang=lang), _RU_LETTERS)
    return None
