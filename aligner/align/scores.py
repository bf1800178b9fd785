"""Bead confidence and the similarity statistics of one pass over ``src @ tgt.T``
(cost fill, part 1)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def match_probability(similarity: np.ndarray | float) -> np.ndarray | float:
    """How likely two texts translate each other, from their margin-normalised similarity.

    A logistic centred at 0.2 with slope 15: with the default encoder and margin weight,
    correct 1-1 beads of Text+Berg and MAC-Dev mostly score above 0.2 and unrelated
    neighbours below 0.1 (bench/calibrate.py prints the distribution). Used for null beads
    and crossing candidates, where the search's decision gap says nothing.
    """
    return 1.0 / (1.0 + np.exp(-15.0 * (np.asarray(similarity, dtype=np.float64) - 0.2)))


def confidence(similarity: np.ndarray | float, gap: np.ndarray | float = 1.0) -> np.ndarray | float:
    """Confidence in [0, 1] that a bead is exactly right, from two features.

    ``similarity`` is the bead's margin-normalised similarity and ``gap`` the search's
    local decision margin (how much better this bead is than the best other bead into the
    same cell; a close call between 1-1 and 2-1 gives a small gap). The logistic weights
    were fitted on Text+Berg test docs 001-004 and MAC-Dev 001-002 against their gold
    (strict bead match), with the default encoder and parameters (bench/calibrate.py).
    """
    sim = np.asarray(similarity, dtype=np.float64)
    gap = np.minimum(np.asarray(gap, dtype=np.float64), 0.5)
    return 1.0 / (1.0 + np.exp(-(CONFIDENCE_BIAS + CONFIDENCE_SIM * sim + CONFIDENCE_GAP * gap)))


CONFIDENCE_BIAS, CONFIDENCE_SIM, CONFIDENCE_GAP = -0.62, 2.48, 10.04




@dataclass
class _Stats:
    """Per-sentence statistics from one blocked pass over the similarity matrix.

    ``src_knn``/``tgt_knn``: mean cosine to the ``knn`` nearest sentences of the other side;
    ``src_top``/``tgt_top``: indices of the ``top_k`` most similar sentences of the other side;
    ``src_top_sim``: the cosines of ``src_top`` (so the anchor pass need not recompute them).
    """

    src_knn: np.ndarray
    tgt_knn: np.ndarray
    src_top: np.ndarray
    tgt_top: np.ndarray
    src_top_sim: np.ndarray | None = None


def _top_k(sims: np.ndarray, k: int, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values of the k largest entries along ``axis``, best first (sims is modified).

    k passes of argmax: for the small k used here this is several times faster than
    ``np.argpartition`` over a wide matrix.
    """
    idx, vals = [], []
    lines = np.arange(sims.shape[1 - axis])
    for _ in range(k):
        best = np.argmax(sims, axis=axis)
        if axis == 1:
            vals.append(sims[lines, best].copy())
            sims[lines, best] = -np.inf
        else:
            vals.append(sims[best, lines].copy())
            sims[best, lines] = -np.inf
        idx.append(best)
    return np.stack(idx, axis=axis), np.stack(vals, axis=axis)


def _similarity_stats(src: np.ndarray, tgt: np.ndarray, knn: int, top_k: int) -> _Stats:
    """One pass over ``src @ tgt.T`` in row blocks: memory O(block * n_tgt), not O(n * m)."""
    n, m = len(src), len(tgt)
    k_row = min(max(knn, top_k), m)
    k_col = min(max(knn, top_k), n)
    src_knn = np.zeros(n, dtype=np.float32)
    src_top = np.zeros((n, min(top_k, m)), dtype=np.int64)
    src_top_sim = np.zeros((n, min(top_k, m)), dtype=np.float32)
    col_vals = np.full((0, m), -np.inf, dtype=np.float32)
    col_idx = np.zeros((0, m), dtype=np.int64)
    block = max(1, min(n, 8_000_000 // max(m, 1)))
    for start in range(0, n, block):
        sims = src[start : start + block] @ tgt.T
        # Column candidates of this block first (the row pass overwrites entries), on a
        # transposed copy: argmax along contiguous rows is several times faster. (A copy
        # always: for a one-row block the transpose is contiguous already, and _top_k
        # would overwrite the row pass's input.)
        c_idx, c_vals = _top_k(sims.T.copy(), min(k_col, len(sims)), axis=1)
        c_idx, c_vals = c_idx.T, c_vals.T
        r_idx, r_vals = _top_k(sims, k_row, axis=1)
        src_knn[start : start + block] = r_vals[:, : min(knn, m)].mean(axis=1)
        src_top[start : start + block] = r_idx[:, : src_top.shape[1]]
        src_top_sim[start : start + block] = r_vals[:, : src_top.shape[1]]
        # Merge with the running top-k per column.
        both_vals = np.concatenate([col_vals, c_vals], axis=0)
        both_idx = np.concatenate([col_idx, c_idx + start], axis=0)
        order = np.argsort(-both_vals, axis=0)[:k_col]
        col_vals = np.take_along_axis(both_vals, order, axis=0)
        col_idx = np.take_along_axis(both_idx, order, axis=0)
    tgt_knn = col_vals[: min(knn, n)].mean(axis=0) if n else np.zeros(m, dtype=np.float32)
    return _Stats(src_knn, tgt_knn, src_top, col_idx[: min(top_k, n)].T.copy(), src_top_sim)
