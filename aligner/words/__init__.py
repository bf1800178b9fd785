"""Word and phrase links inside a bead: which source words render which target words.

``link_words(src_text, tgt_text, src_lang, tgt_lang)`` tokenises two sentences (or the two
sides of a bead) and returns a :class:`WordAlignment`: the tokens of each side with their
character offsets, and links ``(src, tgt, confidence, origin)``; ``groups()`` gives the
m-n groups and ``partial()`` the links inside groups larger than 1-1.
``align_pretokenised`` does the same for given tokens (evaluation on XL-WA).
The method and its sources: :mod:`aligner.words.link`.
"""

# Names the method and its constants: a store caching links per bead should key on it (with
# the bead's texts, languages and the encoder's name and version) and recompute on a change.
METHOD_VERSION = "words-v1"

from aligner.words.lexicon import Lexicon  # noqa: E402
from aligner.words.link import Link, WordAlignment, align_pretokenised, align_tokens, link_words  # noqa: E402
from aligner.words.tokens import Token, tokenize  # noqa: E402

__all__ = ["METHOD_VERSION", "Lexicon", "Link", "Token", "WordAlignment", "align_pretokenised",
           "align_tokens",
           "link_words", "tokenize"]
