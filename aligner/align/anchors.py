"""Anchor pass (Bertalign §3.3, first step): 1-1 anchors from each source sentence's top-k
targets, chained by a maximum-weight monotone chain, and the search band around them."""

from __future__ import annotations

import numpy as np

from aligner.align.config import AlignConfig
from aligner.align.scores import _Stats


def _anchor_chain(pairs: np.ndarray, weights: np.ndarray, n_tgt: int) -> list[tuple[int, int]]:
    """Maximum-weight chain of (i, j) pairs with i and j both strictly increasing.

    ``pairs`` is ``(k, 2)`` int sorted by i; weights ``(k,)`` positive. A Fenwick tree over j
    holds the best chain ending below each j; pairs of one row are inserted after the row
    is scored so that a chain never takes two pairs from the same i. O(k log n_tgt).
    """
    size = n_tgt + 1
    tree_val = [0.0] * (size + 1)
    tree_arg = [-1] * (size + 1)
    best = [0.0] * len(pairs)
    back = [-1] * len(pairs)

    def query(j: int) -> tuple[float, int]:  # best chain over tgt positions < j
        val, arg = 0.0, -1
        while j > 0:
            if tree_val[j] > val:
                val, arg = tree_val[j], tree_arg[j]
            j -= j & -j
        return val, arg

    def update(j: int, val: float, arg: int) -> None:  # position j (0-based) → index j + 1
        j += 1
        while j <= size:
            if val > tree_val[j]:
                tree_val[j], tree_arg[j] = val, arg
            j += j & -j

    k = 0
    pending: list[int] = []
    current_row = None
    pair_list = pairs.tolist()
    weight_list = weights.tolist()
    while k < len(pair_list):
        i, j = pair_list[k]
        if i != current_row:
            for p in pending:
                update(pair_list[p][1], best[p], p)
            pending = []
            current_row = i
        val, arg = query(j)
        best[k] = val + weight_list[k]
        back[k] = arg
        pending.append(k)
        k += 1
    if not pair_list:
        return []
    end = int(np.argmax(best))
    chain = []
    while end != -1:
        chain.append(tuple(pair_list[end]))
        end = back[end]
    return chain[::-1]


def _band(anchors: list[tuple[int, int]], n: int, m: int, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Allowed target positions [lo[p], hi[p]] for each DP row p in 0..n (inclusive bounds).

    Between two consecutive anchor points the whole rectangle is allowed, widened by
    ``window`` (Bertalign's second-pass search path, §3.3).
    """
    points = [(0, 0)]
    for i, j in anchors:
        points += [(i, j), (i + 1, j + 1)]
    points.append((n, m))
    lo = np.full(n + 1, m, dtype=np.int64)
    hi = np.zeros(n + 1, dtype=np.int64)
    for (p1, q1), (p2, q2) in zip(points, points[1:]):
        if p2 < p1 or q2 < q1:
            continue
        rows = slice(max(p1 - window, 0), min(p2 + window, n) + 1)
        lo[rows] = np.minimum(lo[rows], max(q1 - window, 0))
        hi[rows] = np.maximum(hi[rows], min(q2 + window, m))
    # Monotone bounds, and never an empty row.
    lo = np.minimum.accumulate(lo[::-1])[::-1]
    hi = np.maximum.accumulate(hi)
    lo[0], hi[-1] = 0, m
    hi = np.maximum(hi, lo)
    return lo, hi


def find_anchors(src_emb: np.ndarray, tgt_emb: np.ndarray, stats: _Stats, config: AlignConfig) -> list[tuple[int, int]]:
    """1-1 anchors: the best monotone chain through each source sentence's top-k targets.

    Candidates are weighted by their margin; only candidates with a positive margin
    (more similar than the average of their neighbours) enter the chain.
    """
    n = len(src_emb)
    rows = np.repeat(np.arange(n), stats.src_top.shape[1])
    cols = stats.src_top.reshape(-1)
    sims = (stats.src_top_sim.reshape(-1) if stats.src_top_sim is not None
            else np.einsum("ij,ij->i", src_emb[rows], tgt_emb[cols]))
    weights = sims - 0.5 * (stats.src_knn[rows] + stats.tgt_knn[cols])
    keep = weights > 0
    pairs = np.stack([rows[keep], cols[keep]], axis=1)
    return _anchor_chain(pairs, weights[keep], len(tgt_emb))
