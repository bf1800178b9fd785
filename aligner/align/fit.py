"""Fitting the post-pass's bead score to known beads: the lattice of a text whose right
beads are known, decoding it with given weights, and coordinate ascent on a metric.

Used twice: ``bench/fit_rescorer.py`` fits :data:`aligner.align.rescore.FITTED` on the
tuning corpora, and :func:`aligner.adapt.fit_adaptation` re-fits a few weights on a
project's confirmed beads. The metric is whatever the caller measures on the decoded
beads (F1 of some kind), so the weights are fitted to what is scored, not to a surrogate:
the post-pass keeps only some kinds of change, which a likelihood would not see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from aligner.align.config import AlignConfig
from aligner.align.evidence import sentence_evidence
from aligner.align.postpass import aligned_stretches, best_path, candidates, change_kind
from aligner.align.rescore import FEATURES, bead_features, score_beads
from aligner.align.run import search_texts
from aligner.types import Bead

RawBead = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass
class Lattice:
    """One text, searched: the post-pass's candidates ``(k, 4)`` (i0, i1, j0, j1) and their
    features ``(k, len(FEATURES))``, the search's path (candidate indices), which candidates
    are right (``good``, ``(k,)`` bool), the sides' lengths and the right beads."""

    cands: np.ndarray
    feats: np.ndarray
    own: list[int]
    good: np.ndarray
    n: int
    m: int
    gold: list[RawBead]


def build_lattice(src: Sequence[str], tgt: Sequence[str], gold: Iterable[RawBead], encoder,
                  config: AlignConfig) -> Lattice | None:
    """Search ``src``/``tgt`` as :func:`aligner.align.align_texts` does and build the
    post-pass's candidates around the path (``config`` resolved). ``gold``: the right beads
    as id tuples (crossing or gapped beads are allowed: they are simply never candidates).
    None if a side is empty."""
    search, beads, _, _ = search_texts(src, tgt, encoder, config)
    if search is None:
        return None
    cands = candidates(beads, config.postpass_span, config.max_side, config.max_total,
                       config.postpass_sure)
    feats = bead_features(search.inp, cands[:, 0], cands[:, 1], cands[:, 2], cands[:, 3], config,
                          sentence_evidence(src), sentence_evidence(tgt))
    index = {tuple(c): k for k, c in enumerate(cands.tolist())}
    own, p, q = [], 0, 0
    for b in beads:
        own.append(index[(p, p + len(b.src), q, q + len(b.tgt))])
        p, q = p + len(b.src), q + len(b.tgt)
    gold = [(tuple(s), tuple(t)) for s, t in gold]
    right = set(gold)
    good = np.array([(tuple(range(c[0], c[1])), tuple(range(c[2], c[3]))) in right
                     for c in cands.tolist()], dtype=bool)
    return Lattice(cands, feats, own, good, len(src), len(tgt), gold)


def _bead(c: np.ndarray) -> Bead:
    return Bead(tuple(range(int(c[0]), int(c[1]))), tuple(range(int(c[2]), int(c[3]))))


def decode(lat: Lattice, weights: np.ndarray, kinds: frozenset[str]) -> list[RawBead]:
    """The post-pass's beads with ``weights``, keeping only changes of ``kinds`` (as
    :func:`aligner.align.postpass.postpass` does)."""
    path = best_path(lat.cands, score_beads(lat.feats, weights).astype(np.float64), lat.n, lat.m)
    old = [_bead(lat.cands[k]) for k in lat.own]
    new = [_bead(lat.cands[k]) for k in path]
    out: list[RawBead] = []
    for before, after in aligned_stretches(old, new):
        kind = change_kind(before, after)
        out += [(b.src, b.tgt) for b in (after if kind is not None and kind in kinds else before)]
    return out


def change_counts(lat: Lattice, weights: np.ndarray, kinds: frozenset[str]) -> dict[str, list[int]]:
    """Per kind of change the post-pass makes: [changes, right beads gained, right beads lost]."""
    path = best_path(lat.cands, score_beads(lat.feats, weights).astype(np.float64), lat.n, lat.m)
    right = set(lat.gold)
    out: dict[str, list[int]] = {}
    for before, after in aligned_stretches([_bead(lat.cands[k]) for k in lat.own],
                                           [_bead(lat.cands[k]) for k in path]):
        kind = change_kind(before, after)
        if kind is None or kind not in kinds:
            continue
        delta = (sum((b.src, b.tgt) in right for b in after)
                 - sum((b.src, b.tgt) in right for b in before))
        row = out.setdefault(kind, [0, 0, 0])
        row[0] += 1
        row[1 if delta > 0 else 2] += abs(delta)
    return out


def exact_f1(lats: Sequence[Lattice], weights: np.ndarray, kinds: frozenset[str]) -> float:
    """Exact-match F1 (aligner-eval's metric 1b) of the decoded beads against the right ones."""
    right = made = gold = 0
    for lat in lats:
        beads = decode(lat, weights, kinds)
        wanted = set(lat.gold)
        right += sum(b in wanted for b in beads)
        made, gold = made + len(beads), gold + len(lat.gold)
    return 2 * right / max(made + gold, 1)


def ascend(objective: Callable[[np.ndarray], float], start: np.ndarray, names: Sequence[str],
           steps: Sequence[float] = (0.1, 0.03, 0.01), rounds: int = 4) -> tuple[np.ndarray, float]:
    """Coordinate ascent: for each step size, up to ``rounds`` passes over the weights
    ``names``, each taking the first of +step / -step that raises ``objective``; a pass
    without a gain moves on to the next step size. Returns (weights, objective value)."""
    weights = np.asarray(start, dtype=np.float64).copy()
    best = objective(weights)
    for step in steps:
        for _ in range(rounds):
            improved = False
            for name in names:
                k = FEATURES.index(name)
                for sign in (1.0, -1.0):
                    trial = weights.copy()
                    trial[k] += sign * step
                    value = objective(trial)
                    if value > best + 1e-9:
                        weights, best, improved = trial, value, True
                        break
            if not improved:
                break
    return weights, best
