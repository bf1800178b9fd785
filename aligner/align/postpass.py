"""Post-pass against over-merging and over-splitting (after SentAlign, Steingrímsson et al.
2023, §3.3, which re-checks every merge, insertion and deletion after its search).

The search's margin score is additive over beads and blind to whether every sentence of
an m-n bead belongs to it. After the search, every stretch of ``postpass_span``
consecutive beads is re-segmented: the candidates are all beads inside the stretch (its
m-n beads split, neighbours merged, a boundary sentence moved to the other bead, a 1-0/0-1
sentence joined to a neighbour or an edge sentence set apart), each scored by the bead
score of :mod:`aligner.align.rescore` (the search's score plus similarity, boundary and
text-evidence features). The best path through the lattice of all candidates (the
search's own path among them) is taken, and then, stretch by stretch where it differs
from the search's path, kept only if its kind of change is enabled (``config.postpass``):
by default only changes that make or remove a 1-0/0-1 bead, the only kind that helped on
every tuning set (docs/benchmarks.md, issue 16). Stretches of sure 1-1 beads
(``postpass_sure``) are not re-checked. Cost: about 1 s on a 10,000-sentence book.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from aligner.align.config import AlignConfig
from aligner.align.dp import _Inputs
from aligner.align.evidence import sentence_evidence
from aligner.align.rescore import DEFAULT_WEIGHTS, bead_features, score_beads
from aligner.align.scores import confidence
from aligner.align.search import _bead_similarity
from aligner.types import Bead


@lru_cache(maxsize=4096)
def _template(S: int, T: int, max_side: int, max_total: int) -> np.ndarray:
    """``(k, 4)`` int: every bead (i0, i1, j0, j1) inside an S × T stretch (offsets from its
    corner), shapes 1-0, 0-1 and a-b with a, b <= max_side, a + b <= max_total."""
    rows = []
    for i0 in range(S + 1):
        for j0 in range(T + 1):
            if i0 < S:
                rows.append((i0, i0 + 1, j0, j0))
            if j0 < T:
                rows.append((i0, i0, j0, j0 + 1))
            for a in range(1, min(max_side, S - i0) + 1):
                for b in range(1, min(max_side, T - j0, max_total - a) + 1):
                    rows.append((i0, i0 + a, j0, j0 + b))
    return np.array(rows, dtype=np.int64).reshape(-1, 4)


def candidates(beads: Sequence[Bead], span: int, max_side: int, max_total: int,
               sure: float | None = None) -> np.ndarray:
    """``(k, 4)`` int (i0, i1, j0, j1), unique: every bead inside a stretch of ``span``
    consecutive beads of ``beads`` (a monotone path covering both sides), and the beads
    of ``beads`` themselves. With ``sure``, stretches made only of 1-1 beads whose score
    is at least ``sure`` are left out (their alternatives are not worth scoring)."""
    starts_s, starts_t = [0], [0]
    for bead in beads:
        starts_s.append(starts_s[-1] + len(bead.src))
        starts_t.append(starts_t[-1] + len(bead.tgt))
    own = np.array([[starts_s[k], starts_s[k + 1], starts_t[k], starts_t[k + 1]]
                    for k in range(len(beads))], dtype=np.int64).reshape(-1, 4)
    settled = np.array([sure is not None and len(b.src) == 1 and len(b.tgt) == 1 and b.score >= sure
                        for b in beads] + [True] * span)
    blocks = [own]
    for k in range(max(1, len(beads) - span + 1)):
        if settled[k : k + span].all():
            continue
        s0, t0 = starts_s[k], starts_t[k]
        end = min(k + span, len(beads))
        S, T = starts_s[end] - s0, starts_t[end] - t0
        blocks.append(_template(S, T, max_side, max_total) + np.array([s0, s0, t0, t0]))
    return np.unique(np.concatenate(blocks), axis=0)


def best_path(cands: np.ndarray, scores: np.ndarray, n: int, m: int) -> list[int]:
    """Indices of the candidates on the best-scoring monotone path from (0, 0) to (n, m).

    A longest path in a DAG: edges (i0, j0) → (i1, j1), relaxed in order of i1 + j1, so
    every edge into a node is relaxed before any edge out of it. Raises RuntimeError if the
    candidates do not connect the corners (a bug: the search's path is among them)."""
    order = np.argsort(cands[:, 1] + cands[:, 3], kind="stable")
    best: dict[tuple[int, int], float] = {(0, 0): 0.0}
    back: dict[tuple[int, int], int] = {}
    rows = cands[order].tolist()
    vals = scores[order].tolist()
    for e, (i0, i1, j0, j1), s in zip(order.tolist(), rows, vals):
        start = best.get((i0, j0))
        if start is None:
            continue
        v = start + s
        if v > best.get((i1, j1), -np.inf):
            best[(i1, j1)] = v
            back[(i1, j1)] = e
    if (n, m) not in back and (n, m) != (0, 0):
        raise RuntimeError("post-pass lattice does not reach the end")  # a bug, not input
    path, node = [], (n, m)
    while node != (0, 0):
        e = back[node]
        path.append(e)
        node = (int(cands[e, 0]), int(cands[e, 2]))
    return path[::-1]


@dataclass
class PostpassResult:
    """The post-pass's beads and what it changed: ``changes`` maps a kind (null, split,
    merge, shift; :func:`change_kind`) to the number of stretches changed that way."""

    beads: list[Bead]
    changes: dict[str, int] = field(default_factory=dict)


def postpass(inp: _Inputs, beads: list[Bead], src: Sequence[str], tgt: Sequence[str],
             config: AlignConfig, weights: np.ndarray | None = None,
             kinds: frozenset[str] | None = None) -> PostpassResult:
    """Re-segment every stretch of ``config.postpass_span`` beads with the re-scorer.

    Args:
        inp: the search's inputs (window vectors ``(max_side + 1, n + 1, dim)``, statistics).
        beads: the search's path (monotone, covering every sentence once).
        src, tgt: the sentences (for the text evidence of :mod:`aligner.align.evidence`).
        weights: ``(len(FEATURES),)`` re-scorer weights (default
            :data:`~aligner.align.rescore.DEFAULT_WEIGHTS`, or an adaptation's).
        kinds: the kinds of change to keep (default: from ``config.postpass``; "nulls" keeps
            the changes that make or remove a 1-0/0-1 bead, kind "null").

    Returns the new path (same coverage). A changed bead that links both sides gets the
    confidence of its similarity alone (:func:`~aligner.align.scores.confidence` with no
    decision margin: the search decided otherwise, so a reviewer should look sooner);
    beads the post-pass keeps are the search's objects, unchanged.
    """
    n, m = inp.X.shape[1] - 1, inp.Y.shape[1] - 1
    if kinds is None:
        kinds = KINDS.get(config.postpass, frozenset())
    if not kinds or not beads or n == 0 or m == 0:
        return PostpassResult(beads)
    weights = DEFAULT_WEIGHTS if weights is None else np.asarray(weights, dtype=np.float64)
    cands = candidates(beads, config.postpass_span, config.max_side, config.max_total,
                       config.postpass_sure)
    feats = bead_features(inp, cands[:, 0], cands[:, 1], cands[:, 2], cands[:, 3], config,
                          sentence_evidence(src), sentence_evidence(tgt))
    scores = score_beads(feats, weights).astype(np.float64)
    path = best_path(cands, scores, n, m)
    new = [Bead(tuple(range(int(c[0]), int(c[1]))), tuple(range(int(c[2]), int(c[3]))))
           for c in cands[path]]
    out: list[Bead] = []
    changes: dict[str, int] = {}
    for before, after in aligned_stretches(beads, new):
        kind = change_kind(before, after)
        if kind is not None and kind in kinds:
            for b in after:
                if b.src and b.tgt:
                    b.score = float(confidence(_bead_similarity(
                        inp, b.src[0], b.tgt[0], len(b.src), len(b.tgt), config), 0.0))
            out += after
            changes[kind] = changes.get(kind, 0) + 1
        else:
            out += before
    return PostpassResult(out, changes)


#: The kinds of change each ``postpass`` setting keeps.
KINDS: dict[str, frozenset[str]] = {
    "off": frozenset(), "nulls": frozenset({"null"}),
    "all": frozenset({"null", "split", "merge", "shift"}),
}


def change_kind(before: Sequence[Bead], after: Sequence[Bead]) -> str | None:
    """The kind of change from beads ``before`` to ``after`` over the same sentences: None
    (the same beads), ``null`` (a 1-0/0-1 bead made or removed), ``split`` (more beads
    after), ``merge`` (fewer), ``shift`` (as many, other boundaries)."""
    if [(b.src, b.tgt) for b in before] == [(b.src, b.tgt) for b in after]:
        return None
    if any(not b.src or not b.tgt for b in (*before, *after)):
        return "null"
    if len(before) < len(after):
        return "split"
    return "merge" if len(before) > len(after) else "shift"


def change_kinds(old: Sequence[Bead], new: Sequence[Bead]) -> dict[str, int]:
    """How many stretches differ between two paths, by :func:`change_kind`."""
    out: dict[str, int] = {}
    for before, after in aligned_stretches(old, new):
        kind = change_kind(before, after)
        if kind is not None:
            out[kind] = out.get(kind, 0) + 1
    return out


def aligned_stretches(old: Sequence[Bead], new: Sequence[Bead]) -> list[tuple[list[Bead], list[Bead]]]:
    """Two monotone paths over the same sentences cut at every boundary they share: pairs
    (beads of ``old``, beads of ``new``) in order, equal where the paths agree."""
    def ends(beads: Sequence[Bead]) -> list[tuple[int, int]]:
        out, p, q = [], 0, 0
        for b in beads:
            p, q = p + len(b.src), q + len(b.tgt)
            out.append((p, q))
        return out

    eo, en = ends(old), ends(new)
    shared = set(eo) & set(en)
    out: list[tuple[list[Bead], list[Bead]]] = []
    a = b = 0
    while a < len(old):
        before, after = [old[a]], []
        while eo[a] not in shared:
            a += 1
            before.append(old[a])
        while True:
            after.append(new[b])
            if en[b] == eo[a]:
                break
            b += 1
        out.append((before, after))
        a, b = a + 1, b + 1
    return out
