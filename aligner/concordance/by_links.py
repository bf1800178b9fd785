"""Marking a rendering by word links: the rendering of a searched phrase is the span its
words link to (:mod:`aligner.words`), read off the bead's links instead of guessed from
sentence embeddings of word windows (:mod:`aligner.concordance.renderings`).

The words of the phrase are the tokens of the hit sentence inside the match; the tokens of
the other side linked to them, in reading order, form *runs*: a run goes on across at most
:data:`MAX_GAP` tokens linked to nothing (a comma, an article the link step left alone) and
ends at a sentence boundary or a token linked to a word outside the phrase. Runs are trimmed
of punctuation and of function words only attached to the phrase (an English article the
link step gave to the noun) at their ends. The rendering is the runs' text (joined by " … " when the
translation splits the phrase); a phrase none of whose words is linked is *not rendered
here* (``rendering`` None, ``method`` "links").

Word links always find *some* counterpart for a content word, even in a misaligned bead; so
a rendering must also stand out (:func:`stands_out`): the mean of the phrase's link
confidence and the cosine between the phrase's and the rendering's embeddings must reach
:data:`RENDERED_MIN`, else the phrase is not rendered here either (the role the window
method's margin test played).

Measured against the window method on XL-WA en-ru dev phrase queries and on the seed:
``python bench/concordance_links.py`` (figures in docs/words.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from aligner.words.bead import BeadLinks
from aligner.words.tokens import is_punct

MAX_GAP = 2  # unlinked tokens a rendering may run across («в, нашем понимании», "the")
# Chosen on the first 45 XL-WA en-ru dev pairs (rendered phrases against the same phrases
# searched in the next pair's sentence): at 0.5, 95% of renderings kept and 89% of
# misaligned ones refused; the window method's margin test kept 93% and refused 84%.
RENDERED_MIN = 0.5


@dataclass(frozen=True)
class LinkedRendering:
    """The other side's runs rendering a phrase: ``spans`` as (sentence, start, end) per run,
    ``tokens`` the token indices covered, ``text`` the runs joined by " … ", ``confidence``
    the mean confidence of the phrase's links."""

    spans: list[tuple[int, int, int]]
    tokens: list[int]
    text: str
    confidence: float


def phrase_tokens(links: BeadLinks, side: str, sentence: int, spans: Sequence[tuple[int, int]]) -> list[int]:
    """Indices of ``side``'s tokens in sentence ``sentence`` (index in the bead side)
    overlapping any of the character ``spans`` of that sentence."""
    tokens = links.src if side == "src" else links.tgt
    return [k for k, t in enumerate(tokens) if t.sentence == sentence
            and any(t.start < e and s < t.end for s, e in spans)]


def runs(links: BeadLinks, side: str, phrase: Sequence[int], max_gap: int = MAX_GAP) -> list[list[int]]:
    """The other side's tokens linked to ``phrase`` (indices of ``side``) as runs of token
    indices (module docstring): gaps of up to ``max_gap`` unlinked tokens are filled,
    punctuation and attached function words are trimmed from both ends of a run."""
    other = links.tgt if side == "src" else links.src
    linked = links.linked(side, phrase)
    if not linked:
        return []
    anywhere = {l.tgt if side == "src" else l.src for l in links.links}  # linked to some word
    out, current = [], [linked[0]]
    for k in linked[1:]:
        gap = range(current[-1] + 1, k)
        if (len(gap) <= max_gap and other[k].sentence == other[current[-1]].sentence
                and not any(g in anywhere for g in gap)):
            current.extend([*gap, k])
        else:
            out.append(current)
            current = [k]
    out.append(current)
    # Only attached to the phrase: an English article or "of" the link step gave to the
    # noun («японские войска» → "the Japanese troops"); at a run's end it would split one
    # rendering into two groups ("the Japanese troops" / "Japanese troops").
    wanted = set(phrase)
    attached = {k for k in linked if all(
        l.origin == "function-word" for l in links.links
        if (l.tgt if side == "src" else l.src) == k and (l.src if side == "src" else l.tgt) in wanted)}
    trimmed = []
    for run in out:
        while run and (is_punct(other[run[0]].text) or run[0] in attached):
            run = run[1:]
        while run and (is_punct(other[run[-1]].text) or run[-1] in attached):
            run = run[:-1]
        if run:
            trimmed.append(run)
    return trimmed


def linked_rendering(links: BeadLinks, side: str, sentence: int, spans: Sequence[tuple[int, int]],
                     other_texts: Sequence[str]) -> LinkedRendering | None:
    """How the phrase at character ``spans`` of sentence ``sentence`` of ``side`` is
    rendered on the bead's other side (whose sentence texts are ``other_texts``), or None
    if none of its words is linked (not rendered here)."""
    phrase = phrase_tokens(links, side, sentence, spans)
    found = runs(links, side, phrase)
    if not found:
        return None
    other = links.tgt if side == "src" else links.src
    placed = [(other[r[0]].sentence, other[r[0]].start, other[r[-1]].end) for r in found]
    text = " … ".join(other_texts[s][a:b] for s, a, b in placed)
    return LinkedRendering(placed, [k for r in found for k in r], text, links.confidence(side, phrase))


def stands_out(phrase: str, rendering: LinkedRendering, encoder) -> tuple[bool, float]:
    """``(rendered, score)``: ``score`` the mean of the rendering's link confidence and the
    cosine of ``encoder``'s embeddings of ``phrase`` and ``rendering.text`` (rows are
    L2-normalised, :class:`aligner.embed.Encoder`); rendered if ``score >= RENDERED_MIN``."""
    vectors = encoder.encode([phrase, rendering.text])
    score = (float(vectors[0] @ vectors[1]) + rendering.confidence) / 2
    return score >= RENDERED_MIN, score
