"""Closed-class words that often have no counterpart of their own in the other language.

An English article has none in Russian (nor in the other Slavic languages without
articles); "of" and often "to" are rendered by the case of the noun they introduce; an
auxiliary ("was told", "is growing") or the infinitive "to" by the form of the verb.
Human annotators link such a word to the word it belongs to: the XL-WA gold (Martelli et
al. 2023) links "the" of "the Bulgarian Empire" to «царства», "of" of "of Islam" to
«ислама», "was" of "was represented" to «представляли»; in its en-ru dev part, 78 of the
84 links of an English article share their Russian word with another English word.
:func:`aligner.words.link.attach_function_words` does the same for the words below: each
attaches to the first linked word of its phrase whose counterpart is of the category it
belongs with (a noun for an article, a verb for an auxiliary), found with the other
language's morphological dictionary (Russian: pymorphy3, Korobov 2015).
"""

from __future__ import annotations

from functools import lru_cache

NOMINAL, VERBAL = "nominal", "verbal"
# word → the categories of head it attaches to; the first group also falls back to the
# phrase's last linked word when the other language has no dictionary here.
ATTACHABLE: dict[str, dict[str, frozenset[str]]] = {
    "en": {
        **{w: frozenset({NOMINAL}) for w in ("the", "a", "an", "of")},
        "to": frozenset({NOMINAL, VERBAL}),  # "to Christ" → «Христу», "to give" → «отдать»
        **{w: frozenset({VERBAL}) for w in (
            "is", "are", "was", "were", "am", "be", "been", "being", "has", "have", "had",
            "will", "would", "shall", "do", "does", "did")},
    }
}
FALLBACK_TO_LAST = frozenset({"the", "a", "an", "of"})
# Words that end the phrase an attachable word belongs to.
PHRASE_BREAKERS: dict[str, frozenset[str]] = {
    "en": frozenset({
        "the", "a", "an", "of", "to", "in", "on", "at", "for", "by", "with", "from", "into",
        "about", "as", "than", "and", "or", "but", "that", "which", "who", "whom", "whose",
        "is", "are", "was", "were", "be", "been", "has", "have", "had", "will", "would",
        "can", "could", "do", "does", "did", "not", "it", "he", "she", "they", "we", "i",
        "you", "this", "these", "those", "his", "her", "its", "their", "my", "our", "your",
    })
}
# Languages without articles (Slavic except Bulgarian/Macedonian, Baltic, Finnic, Turkic, CJK).
ARTICLELESS = frozenset({
    "ru", "uk", "be", "pl", "cs", "sk", "sl", "hr", "sr", "bs", "lt", "lv", "et", "fi",
    "tr", "kk", "uz", "zh", "ja", "ko",
})
# pymorphy3 parts of speech (OpenCorpora tags) of each head category.
_POS = {
    NOMINAL: frozenset({"NOUN", "NPRO", "NUMR"}),
    VERBAL: frozenset({"VERB", "INFN", "PRTF", "PRTS", "GRND"}),
}


@lru_cache(maxsize=1)
def _russian():
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=100_000)
def category(word: str, lang: str) -> str | None:
    """``NOMINAL``, ``VERBAL``, ``""`` (neither) or None (``lang`` has no dictionary here).
    Russian: the first pymorphy3 reading; a word with digits is nominal in any language."""
    if any(c.isdigit() for c in word):
        return NOMINAL
    if lang != "ru":
        return None
    pos = _russian().parse(word.lower())[0].tag.POS
    return next((name for name, tags in _POS.items() if pos in tags), "")


def attaching(lang: str, other_lang: str) -> bool:
    """True if ``lang``'s function words attach when aligned to ``other_lang``."""
    return lang in ATTACHABLE and other_lang in ARTICLELESS
