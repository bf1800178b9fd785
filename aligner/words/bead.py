"""Word links of a whole bead, with every token placed in its sentence.

A bead has 0..n sentences a side; the page shows them one by one, so a token is given as
``(sentence, start, end)``: the index of its sentence within the bead side (0-based, in
bead order) and character offsets into that sentence's text. The words of a side are
linked together, as one text (the sentences joined by a space: no token crosses a space,
so a token never spans two sentences).

:class:`BeadLinks` is what the store caches (:meth:`BeadLinks.to_json`) and what the page and
the concordance read: tokens per side, links with their confidence and origin, and which
links are *partial* (inside an m-n group larger than 1-1, :meth:`WordAlignment.partial`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

from aligner.words.lexicon import Lexicon
from aligner.words.link import Link, align_many
from aligner.words.tokens import Token, tokenize


@dataclass(frozen=True)
class BeadToken:
    """A token of a bead side: ``texts[sentence][start:end] == text`` (characters)."""

    sentence: int
    start: int
    end: int
    text: str


@dataclass
class BeadLinks:
    """The word links of one bead: ``src``/``tgt`` tokens in reading order, ``links``
    between their indices, ``partial`` the ``(src, tgt)`` pairs of links inside an m-n
    group larger than 1-1 (the page draws those differently)."""

    src: list[BeadToken]
    tgt: list[BeadToken]
    links: list[Link] = field(default_factory=list)
    partial: set[tuple[int, int]] = field(default_factory=set)

    def linked(self, side: str, indices: Iterable[int]) -> list[int]:
        """Sorted indices of the other side's tokens linked to ``indices`` of ``side``
        (``"src"`` or ``"tgt"``)."""
        wanted = set(indices)
        if side == "src":
            return sorted({l.tgt for l in self.links if l.src in wanted})
        return sorted({l.src for l in self.links if l.tgt in wanted})

    def confidence(self, side: str, indices: Iterable[int]) -> float:
        """Mean confidence of the links leaving ``indices`` of ``side`` (0.0 if none)."""
        wanted = set(indices)
        own = [l.confidence for l in self.links if (l.src if side == "src" else l.tgt) in wanted]
        return sum(own) / len(own) if own else 0.0

    def to_json(self) -> dict:
        """Compact JSON form: tokens as ``[sentence, start, end]`` (their text is in the
        sentences), links as ``[src, tgt, confidence (3 decimals), origin, partial 0/1]``."""
        return {"src": [[t.sentence, t.start, t.end] for t in self.src],
                "tgt": [[t.sentence, t.start, t.end] for t in self.tgt],
                "links": [[l.src, l.tgt, round(l.confidence, 3), l.origin,
                           int((l.src, l.tgt) in self.partial)] for l in self.links]}

    @classmethod
    def from_json(cls, data: dict, src_texts: Sequence[str], tgt_texts: Sequence[str]) -> "BeadLinks":
        """Inverse of :meth:`to_json`, given the bead's sentence texts.

        Raises:
            ValueError: the data does not fit the texts (a token outside its sentence).
        """
        def tokens(rows, texts):
            out = []
            for s, a, b in rows:
                if not (0 <= s < len(texts) and 0 <= a < b <= len(texts[s])):
                    raise ValueError("cached word links do not fit the bead's sentences")
                out.append(BeadToken(s, a, b, texts[s][a:b]))
            return out

        links = [Link(i, j, float(c), o) for i, j, c, o, _ in data["links"]]
        partial = {(i, j) for i, j, _, _, p in data["links"] if p}
        return cls(tokens(data["src"], src_texts), tokens(data["tgt"], tgt_texts), links, partial)


def joined_offsets(texts: Sequence[str]) -> list[int]:
    """Start of each sentence in ``" ".join(texts)`` (a bead side's text; the concordance's
    aligned text)."""
    starts, at = [], 0
    for text in texts:
        starts.append(at)
        at += len(text) + 1
    return starts


def _side_tokens(texts: Sequence[str]) -> tuple[list[Token], list[BeadToken]]:
    """Tokens of the side's sentences joined by a space (offsets in the joined text) and
    the same tokens placed in their sentences."""
    joined_tokens = tokenize(" ".join(texts))
    starts = joined_offsets(texts)
    placed, k = [], 0
    for token in joined_tokens:
        while k + 1 < len(starts) and token.start >= starts[k + 1]:
            k += 1
        placed.append(BeadToken(k, token.start - starts[k], token.end - starts[k], token.text))
    return joined_tokens, placed


def link_bead(src_texts: Sequence[str], tgt_texts: Sequence[str], src_lang: str, tgt_lang: str,
              encoder=None, lexicon: Lexicon | None = None) -> BeadLinks:
    """Link the words of a bead given its sentence texts per side (either may be empty:
    no links). ``encoder``: default ``get_encoder()``; ``lexicon``: an optional corpus
    dictionary (:class:`Lexicon`). Costs, with the default encoder, about 8 ms for a
    20 x 20-word bead whose words were seen before, 16 ms for a new one (bench/words.py).
    """
    return link_beads([(src_texts, tgt_texts, src_lang, tgt_lang)], encoder, lexicon)[0]


def link_beads(beads: Sequence[tuple[Sequence[str], Sequence[str], str, str]], encoder=None,
               lexicon: Lexicon | None = None) -> list[BeadLinks]:
    """:func:`link_bead` of each ``(src_texts, tgt_texts, src_lang, tgt_lang)``, with the
    encoder called for all the beads together (:func:`aligner.words.link.align_many`):
    cheaper than bead by bead (``python bench/links_batch.py``)."""
    sides = [(_side_tokens(src), _side_tokens(tgt)) for src, tgt, _, _ in beads]
    alignments = align_many([(s[0], t[0], src_lang, tgt_lang)
                             for (s, t), (_, _, src_lang, tgt_lang) in zip(sides, beads)], encoder, lexicon)
    return [BeadLinks(s[1], t[1], a.links, a.partial())
            for (s, t), a in zip(sides, alignments)]
