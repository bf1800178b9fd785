"""A corpus dictionary of word pairs, learned from confirmed beads or given as seed pairs.

Within one book the same names and terms come back in bead after bead; once a reviewer
has confirmed some beads, the pairs their words link to are evidence for the others. A
:class:`Lexicon` counts, over word alignments of confirmed beads, how often a source word
and a target word are linked against how often each occurs, and scores a pair with the
Dice coefficient ``2 c(s, t) / (c(s) + c(t))``, the association score of Champollion
(Smadja, McKeown & Hatzivassiloglou 1996, "Translating collocations for bilingual
lexicons"), here over links instead of co-occurrence. Seed
pairs (a glossary) score 1. Words are compared lower-cased.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable

MIN_LINKS = 2  # a pair seen linked once is chance as often as not
MIN_DICE = 0.5  # below this a pair shares its words with others as much as with itself


class Lexicon:
    """Word pairs with a score in [0, 1]; :meth:`score` is 0 for an unknown pair."""

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()):
        self._scores: dict[tuple[str, str], float] = {}
        for src, tgt in pairs:
            self._scores[(src.lower(), tgt.lower())] = 1.0

    def __len__(self) -> int:
        return len(self._scores)

    def score(self, src: str, tgt: str) -> float:
        """The pair's score in [0, 1] (1 for a seed pair, the Dice coefficient for a learned one)."""
        return self._scores.get((src.lower(), tgt.lower()), 0.0)

    @classmethod
    def learn(cls, alignments: Iterable, seed_pairs: Iterable[tuple[str, str]] = ()) -> "Lexicon":
        """Learn from :class:`~aligner.words.link.WordAlignment` objects of confirmed beads.

        Only links of origin ``"match"`` count. A pair is kept if linked at least ``MIN_LINKS`` times with a Dice coefficient of at
        least ``MIN_DICE``; ``seed_pairs`` are added with score 1.
        """
        src_count: Counter = Counter()
        tgt_count: Counter = Counter()
        linked: Counter = Counter()
        for alignment in alignments:
            src = [t.text.lower() for t in alignment.src_tokens]
            tgt = [t.text.lower() for t in alignment.tgt_tokens]
            src_count.update(src)
            tgt_count.update(tgt)
            # Only matched pairs: an attached article or a grown span says nothing of a word's
            # translation ("the" would become a translation of every noun).
            linked.update({(src[link.src], tgt[link.tgt]) for link in alignment.links if link.origin == "match"})
        lexicon = cls(seed_pairs)
        for (s, t), c in linked.items():
            dice = 2 * c / (src_count[s] + tgt_count[t])
            if c >= MIN_LINKS and dice >= MIN_DICE:
                lexicon._scores.setdefault((s, t), dice)
        return lexicon
