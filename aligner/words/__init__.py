"""Word and phrase links inside a bead: which source words render which target words.

``link_words(src_text, tgt_text, src_lang, tgt_lang)`` tokenises two sentences (or the two
sides of a bead) and returns a :class:`WordAlignment`: the tokens of each side with their
character offsets, and links ``(src, tgt, confidence, origin)``; ``groups()`` gives the
m-n groups and ``partial()`` the links inside groups larger than 1-1.
``align_pretokenised`` does the same for given tokens (evaluation on XL-WA).
The method and its sources: :mod:`aligner.words.link`.
"""

from aligner.words.lexicon import Lexicon
from aligner.words.link import Link, WordAlignment, align_pretokenised, align_tokens, link_words
from aligner.words.tokens import Token, tokenize

__all__ = ["Lexicon", "Link", "Token", "WordAlignment", "align_pretokenised", "align_tokens",
           "link_words", "tokenize"]
