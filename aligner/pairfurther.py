"""Further renderings of a record already paired: scored with its first partner out.

A record may be rendered more than once: a full translation (a court exhibit) and a
telegram that quotes a few of its paragraphs. Both compete for the same source
sentences, and the link score of :mod:`aligner.pairscore` is a margin (Artetxe & Schwenk
2019, §3.1: a cosine minus the mean cosine of both sentences to their ``knn`` nearest
neighbours in the other language's collection). The full translation's sentences are the
quoted sentences' nearest neighbours, so they raise those sentences' kNN means and the
telegram's links fall under the margin: on the Litvinov record, with its English exhibit
among the targets, the FRUS telegram d471 keeps none of its three links (score 0.0095
against 0.9997 without the exhibit).

So once the first round of competitive linking (:func:`aligner.pairassign.first_round`)
has paired a source record, its other candidates are scored again with the kNN means of
the sentences the partner renders (its chain's source span) taken over the same sample of
target sentences less the partner's: there the links are those the candidate would have
were the partner's rendering not there to compete. Elsewhere in the record the partner's
sentences stay ordinary neighbours: leaving them out there too (the whole record) took
away most of a small collection's pool and made a same-topic decoy a further rendering of
an unrendered passage (tests/test_pairing.py, the made-up case: 0.0064 -> 0.57 on two
links). The shared facts keep their weights (their rarity counts every target record).
Only candidates of paired records are re-scored, save a target the first round pairs with
another record over the whole of it (no part of it is left to render this record:
:func:`aligner.pairassign.disjoint_in_target` would refuse it); only the round of further
renderings uses the new scores (:func:`aligner.pairassign.assign`), under its rules: the
threshold, at least two links, and as many as the shorter record's length asks.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Callable

import numpy as np

from aligner.pairassign import Candidate, first_round
from aligner.pairscore import Side, knn_means

if TYPE_CHECKING:
    from aligner.pairing import Entry, PairConfig

Scorer = Callable[[int, int, Side], Candidate]
"""``(source index, target index, source side) -> Candidate``: the pipeline's score."""


def rescore_further(scored: dict[tuple[int, int], Candidate], sources: list[Entry],
                    pool: tuple[np.ndarray, np.ndarray], config: PairConfig,
                    score: Scorer) -> dict[tuple[int, int], Candidate]:
    """``scored`` with the other candidates of every source record the first round pairs
    re-scored with that round's partner out of the kNN means of the part it renders (see
    the module doc), marked ``further``.

    ``pool``: the target sentence vectors ``(p, dim)`` float32 the kNN means were taken
    over and the index of each one's target record ``(p,)`` (as
    :func:`aligner.pairing.score_candidates` sampled them); ``score``: the pipeline's
    candidate score with a given source side. Sources need ``side`` (with ``knn``).
    Returns a new dict; ``scored`` is left as it is.
    """
    partner = dict(first_round(scored, config))
    taken = {t for s, t in partner.items() if _whole_target(scored[s, t])}
    vectors, owner = pool
    out = dict(scored)
    for s, t0 in partner.items():
        others = sorted(t for s2, t in scored if s2 == s and t != t0 and t not in taken)
        if not others:
            continue
        first, last = scored[s, t0].chain.source_span  # a first-round pair has links, so a span
        side = sources[s].side
        knn = side.knn.copy()
        knn[first:last + 1] = knn_means(side.vectors[first:last + 1], vectors[owner != t0], config.score.knn)
        side = replace(side, knn=knn)
        for t in others:
            out[s, t] = replace(score(s, t, side), further=True)
    return out


def _whole_target(candidate: Candidate) -> bool:
    """Whether the pair's chain covers its target from the first compared sentence to the last."""
    span = candidate.chain.target_span
    return span is not None and span[0] == 0 and span[1] == candidate.sizes[1] - 1
