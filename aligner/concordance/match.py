"""Finding a phrase in sentences, with no store: folding for exact search, OCR-tolerant
word windows for fuzzy search (rapidfuzz), and the grouping key of a rendering."""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz, process

from aligner.errors import AlignerError
from aligner.lexicon.spelling import dictionary

FUZZY_MIN = 80.0        # rapidfuzz ratio (0–100) a word window needs to count as a fuzzy hit

_FOLD = str.maketrans({
    "ё": "е", "Ё": "Е", "«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "‟": '"',
    "’": "'", "‘": "'", "‛": "'", "—": "-", "–": "-", "‐": "-", "‑": "-", "\u00a0": " ",
})
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_SPACES = re.compile(r"\s+")
_FUZZY_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")  # "hand-grenades" is two words here


class EmptyPhraseError(AlignerError):
    """The search phrase has no letters or digits."""


def normalise(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` for exact search and keep a map back to it.

    NFKC, case-folded, ё→е, quotes/apostrophes/dashes unified, white-space runs → one space.
    Returns ``(folded, index)`` where ``index[k]`` is the offset in ``text`` of folded
    character ``k`` (``len(index) == len(folded) + 1``; the last entry is ``len(text)``).
    """
    out: list[str] = []
    index: list[int] = []
    previous_space = True
    for i, ch in enumerate(text):
        piece = unicodedata.normalize("NFKC", ch).translate(_FOLD).casefold()
        for c in piece:
            if c.isspace():
                if previous_space:
                    continue
                c = " "
                previous_space = True
            else:
                previous_space = False
            out.append(c)
            index.append(i)
    while out and out[-1] == " ":
        out.pop()
        index.pop()
    index.append(len(text))
    return "".join(out), index


def normalise_rendering(text: str, lang: str | None = None) -> str:
    """The grouping key of a rendering: folded words only («В нашем понимании,» → "в нашем
    понимании"); for a language with a morphological dictionary (Russian) each word is
    replaced by its lemma, so that «носа» and «носом» group with «нос»."""
    words = [w.casefold() for w in _WORD.findall(text.translate(_FOLD))]
    lexicon = dictionary(lang) if lang else None
    if lexicon is not None and hasattr(lexicon, "lemma"):
        words = [lexicon.lemma(w) for w in words]
    return " ".join(words)


def _words(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _WORD.finditer(text)]


def exact_spans(phrase: str, text: str) -> list[tuple[int, int]]:
    """(start, end) offsets in ``text`` of every case-insensitive occurrence of ``phrase``
    after :func:`normalise` (folded quotes, dashes, ё, white space)."""
    needle, _ = normalise(phrase)
    # Cheap whole-string fold first; the per-character map only for likely matches.
    quick = _SPACES.sub(" ", unicodedata.normalize("NFKC", text).translate(_FOLD).casefold())
    if not needle or needle not in quick:
        return []
    folded, index = normalise(text)
    spans = []
    at = folded.find(needle)
    while at >= 0:
        spans.append((index[at], index[at + len(needle) - 1] + 1))
        at = folded.find(needle, at + len(needle))
    return spans


def _fuzzy_key(text: str) -> str:
    return " ".join(w.casefold() for w in _FUZZY_WORD.findall(text.translate(_FOLD)))


def _best_windows(phrase_key: str, n: int, text: str, minimum: float
                  ) -> tuple[float, list[tuple[int, int]]]:
    """Best window score, and the non-overlapping windows scoring ≥ ``minimum``, best first."""
    spans = [(m.start(), m.end()) for m in _FUZZY_WORD.finditer(text)]
    folded = [text[s:e].translate(_FOLD).casefold() for s, e in spans]
    scored = []
    for size in range(max(1, n - 1), n + 2):
        for k in range(len(spans) - size + 1):
            score = fuzz.ratio(phrase_key, " ".join(folded[k:k + size]))
            if score >= minimum:
                scored.append((score, -size, spans[k][0], spans[k + size - 1][1]))
    chosen: list[tuple[int, int]] = []
    for _, _, start, end in sorted(scored, reverse=True):
        if all(end <= s or start >= e for s, e in chosen):
            chosen.append((start, end))
    return (max(scored)[0] if scored else 0.0), sorted(chosen)



def fuzzy_matches(phrase: str, texts: list[str], minimum: float = FUZZY_MIN
                  ) -> list[tuple[int, list[tuple[int, int]], float]]:
    """``(index into texts, spans, score)`` for every text with a word window (n−1 … n+1
    words for an n-word phrase) whose rapidfuzz ratio to the phrase is ≥ ``minimum``."""
    phrase_key = _fuzzy_key(phrase)
    n = len(phrase_key.split())
    keys = [_fuzzy_key(t) for t in texts]
    # Cheap C-level prefilter over whole sentences, then the exact word windows.
    candidates = process.extract(phrase_key, keys, scorer=fuzz.partial_ratio,
                                 score_cutoff=minimum - 5, limit=None)
    found = []
    for _, _, i in sorted(candidates, key=lambda c: c[2]):
        score, spans = _best_windows(phrase_key, n, texts[i], minimum)
        if spans:
            found.append((i, spans, round(score, 1)))
    return found
