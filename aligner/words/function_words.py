"""Closed-class words that often have no counterpart of their own in the other language.

An English article has none in Russian (nor in the other Slavic languages without
articles), and "of" is usually rendered by the genitive case of the noun it introduces.
Human annotators link such a word to the word it belongs to: the XL-WA gold (Martelli et
al. 2023) links "the" of "the Bulgarian Empire" to «царства» and "of" of "of Islam" to
«ислама»; in its en-ru dev part, 78 of the 84 links of an English article share their
Russian word with another English word. :func:`aligner.words.link.attach_function_words`
does the same for the words below.
"""

from __future__ import annotations

# Languages with articles whose word alignment to an article-less language attaches them.
ARTICLES: dict[str, frozenset[str]] = {"en": frozenset({"the", "a", "an"})}
# Prepositions rendered by a case ending in the article-less languages below.
CASE_PREPOSITIONS: dict[str, frozenset[str]] = {"en": frozenset({"of"})}
# Words that end the phrase an article or a case preposition belongs to.
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


def attaching(lang: str, other_lang: str) -> bool:
    """True if ``lang``'s articles and case prepositions attach when aligned to ``other_lang``."""
    return lang in ARTICLES and other_lang in ARTICLELESS
