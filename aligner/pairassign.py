"""Choosing pairs from scored candidates (step 3 of :mod:`aligner.pairing`): competitive
linking with a null option (Melamed 2000; Buck & Koehn 2016's 1-1 choice), further
renderings (scored again with the first round's partner out: :mod:`aligner.pairfurther`),
and the leftover round of tentative pairs; a pair needs links in proportion to the shorter
record's length (:func:`links_needed`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aligner.pairscore import PairScore

if TYPE_CHECKING:
    from aligner.pairing import PairConfig

# Least links a sentence of the shorter record (see links_needed). 0.01, 0.02, 0.03 and 0.05
# gave pairing F1 .956/.953/.954/.934 on bench/pairing.py --fit's collections, and 7/6/3/2
# wrong pairs (93 right each, of 95) on bilinguator with ten partners dropped a side (5 seeds),
# with the leftover round; chosen there.
LINK_DENSITY = 0.03


@dataclass(frozen=True)
class Candidate:
    """A scored (source, target) pair: its ``chain`` features, the IDF weight of the facts
    both share (``evidence``, nats), those facts for a reader (``shared``), the
    ``probability`` that the target renders (part of) the source, and the number of
    compared sentences of each (``sizes``). ``further``: scored as a further rendering of a
    source record the first round pairs, with that record's partner out of the comparison
    (:func:`aligner.pairfurther.rescore_further`); such a candidate takes part in the round
    of further renderings only."""

    chain: PairScore
    evidence: float
    shared: dict
    probability: float
    sizes: tuple[int, int] = (0, 0)
    further: bool = False


def assign(scored: dict[tuple[int, int], Candidate], config: PairConfig
           ) -> tuple[list[tuple[int, int]], set[tuple[int, int]]]:
    """Choose pairs from ``scored`` (``{(source index, target index): Candidate}``):
    competitive linking at ``config.threshold``; then further renderings (``config.many``);
    then the leftover round at ``config.leftover_threshold`` among records unpaired on both
    sides. Returns the chosen pairs and those of them that are tentative (leftover round)."""
    order = _best_first(scored)
    used_s: set[int] = set()
    used_t: set[int] = set()
    chosen = _link(order, scored, config.threshold, used_s, used_t)
    if config.many:
        for s, t in order:
            if scored[s, t].probability < config.threshold:
                break
            if (s, t) in chosen or (s not in used_s and t not in used_t):
                continue  # not a further rendering: the first round turned it down
            if scored[s, t].chain.links < max(2, links_needed(scored[s, t])):
                continue  # it shows at least two sentences in order, and enough for its length
            if t not in used_t or disjoint_in_target(t, s, chosen, scored):
                chosen.append((s, t))
                used_s.add(s)
                used_t.add(t)
    tentative = _link(order, scored, config.leftover_threshold, used_s, used_t)
    return chosen + sorted(tentative), set(tentative)


def first_round(scored: dict[tuple[int, int], Candidate], config: PairConfig) -> list[tuple[int, int]]:
    """The pairs the first round of :func:`assign` chooses (competitive linking at
    ``config.threshold``)."""
    return _link(_best_first(scored), scored, config.threshold, set(), set())


def _best_first(scored: dict) -> list[tuple[int, int]]:
    return sorted(scored, key=lambda st: -scored[st].probability)


def _link(order: list[tuple[int, int]], scored: dict, threshold: float, used_s: set[int],
          used_t: set[int]) -> list[tuple[int, int]]:
    """One round of competitive linking over ``order`` (best first) among records not in
    ``used_s``/``used_t`` (which it extends), down to ``threshold``. A ``further`` candidate
    is left out: the first round, on the first scores, paired its source with another
    target and turned it down, so skipping it keeps that choice while it carries its
    re-score (which may be higher) to the round of further renderings."""
    out = []
    for s, t in order:
        if scored[s, t].probability < threshold:
            break
        if scored[s, t].further:
            continue
        if s not in used_s and t not in used_t and scored[s, t].chain.links >= links_needed(scored[s, t]):
            out.append((s, t))
            used_s.add(s)
            used_t.add(t)
    return out


def links_needed(candidate: Candidate) -> int:
    """Linked sentences a pair needs, in every round: ``LINK_DENSITY`` of the shorter
    record's compared sentences, at least one. A link or two between long records is what
    chance gives, and the score, fitted on record-sized chunks, trusts it too much: among
    the bilinguator works' candidate pairs the 17 wrong ones scoring over 0.3 (up to 0.93)
    all have one link; the right ones have at least 0.12 links a sentence of the shorter
    work (the *Tao Te Ching* aside: one link in 417 sentences). A telegram that renders a
    few sentences of a long record is the shorter side, so one or two links still do."""
    return max(1, math.ceil(LINK_DENSITY * min(candidate.sizes)))


def disjoint_in_target(t: int, s: int, chosen: list[tuple[int, int]], scored: dict) -> bool:
    """Whether the part of target ``t`` that renders ``s`` overlaps no part already paired."""
    span = scored[s, t].chain.target_span
    for s2, t2 in chosen:
        if t2 == t:
            other = scored[s2, t2].chain.target_span
            if span is None or other is None or not (span[1] < other[0] or other[1] < span[0]):
                return False
    return True
