"""The dynamic programme over bead shapes in a band, and its traceback (Vecalign,
Thompson & Koehn 2019, §3; Bertalign §3.3). :func:`_row_similarities` is the hot loop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from aligner.align.config import AlignConfig
from aligner.align.windows import _length_penalty

ProgressFn = Callable[[str, int, int], None]
NEG_INF = -1e30


@dataclass
class _Inputs:
    """Everything the DP needs, precomputed once per bitext."""

    X: np.ndarray  # (max_side+1, n+1, dim) source window vectors
    Y: np.ndarray  # (max_side+1, m+1, dim) target window vectors
    src_knn: np.ndarray  # (max_side+1, n+1) window means of knn similarity
    tgt_knn: np.ndarray  # (max_side+1, m+1)
    src_len: np.ndarray  # (max_side+1, n+1) window char lengths, ratio-corrected
    tgt_len: np.ndarray  # (max_side+1, m+1)
    length_power: float = 1.0  # exponent of the length penalty (see _length_power)


def _row_similarities(inp: _Inputs, p: int, q_lo: int, q_hi: int, n_b: int,
                      weight: float) -> np.ndarray:
    """Neighbour-margin similarities ``(n_b, q_hi - q_lo + 1, max_side)`` of every bead
    ending at (p, q): ``[b - 1, q - q_lo, a - 1]`` for a source side of ``a`` sentences and
    a target side of ``b``.

    Neighbour margin (Bertalign, Liu & Zhu 2023, §3.2): from the bead's cosine subtract
    ``0.5 * weight * (src_nb + tgt_nb)``, where ``tgt_nb`` is the mean cosine of the source
    side with the target sentences just before and after the target side (one of them at a
    text edge, 0 if neither) and ``src_nb`` the same the other way. All of a row's source
    vectors — ``X[a, p]`` (the bead), ``X[1, p - a]`` (the sentence before it), ``X[1, p + 1]``
    (the one after) — go through one matrix product with the target windows: this is the
    search's hot loop.
    """
    side, n, m = inp.X.shape[0] - 1, inp.X.shape[1] - 1, inp.Y.shape[1] - 1
    vectors = ([inp.X[a, p] for a in range(1, side + 1)]
               + [inp.X[1, max(p - a, 0)] for a in range(1, side + 1)]  # X[1, 0] is zero
               + [inp.X[1, min(p + 1, n)]])
    t_lo, t_hi = max(q_lo - n_b, 0), min(q_hi + 1, m)
    G = inp.Y[1 : n_b + 1, t_lo : t_hi + 1] @ np.stack(vectors, axis=1)  # (n_b, C, 2 side + 1)
    c0, width = q_lo - t_lo, q_hi - q_lo + 1
    bead = G[:, c0 : c0 + width, :side]
    if not weight:
        return bead
    has_l = (p - np.arange(1, side + 1) > 0).astype(np.float32)  # per a
    has_r = float(p < n)
    src_nb = ((G[:, c0 : c0 + width, side : 2 * side] * has_l
               + G[:, c0 : c0 + width, 2 * side :] * has_r) / np.maximum(has_l + has_r, 1.0))
    row = G[0, :, :side]  # each bead's source side against single target sentences
    qs = np.arange(q_lo, q_hi + 1)
    lpos = qs[None, :] - np.arange(1, n_b + 1)[:, None]  # Y[1, q - b]: the sentence before
    l_ok = lpos > 0
    l_sim = np.where(l_ok[..., None], row[np.maximum(lpos - t_lo, 0)], 0.0)
    r_ok = qs < m  # Y[1, q + 1]: the sentence after
    r_sim = np.where(r_ok[:, None], row[np.minimum(qs + 1 - t_lo, len(row) - 1)], 0.0)
    tgt_nb = (l_sim + r_sim) / np.maximum(l_ok.astype(np.float32) + r_ok, 1.0)[..., None]
    return bead - 0.5 * weight * (src_nb + tgt_nb)


def _bead_scores(inp: _Inputs, p: int, a: int, q_lo: int, q_hi: int, n_b: int, config: AlignConfig,
                 row_sims: np.ndarray | None = None) -> np.ndarray:
    """Scores ``(n_b, q_hi - q_lo + 1)`` of beads ending at (p, q) for q in q_lo..q_hi, with
    ``a`` source sentences and b = 1..n_b target sentences.

    Slices (views) rather than fancy indexing: this is the hot loop, and copying the
    target window vectors for every row would dominate the search time. With the
    neighbour margin on, the similarities come from :func:`_row_similarities` (``row_sims``
    if the caller computed it for the row already).
    """
    cols = slice(q_lo, q_hi + 1)
    if config.neighbour_margin:
        if row_sims is None:
            row_sims = _row_similarities(inp, p, q_lo, q_hi, n_b, config.neighbour_margin)
        sims = np.array(row_sims[:n_b, :, a - 1])
    else:
        sims = inp.Y[1 : n_b + 1, cols] @ inp.X[a, p]  # (n_b, W)
    if config.margin:
        sims -= 0.5 * config.margin_weight * (inp.src_knn[a, p] + inp.tgt_knn[1 : n_b + 1, cols])
    if config.length_penalty:
        sims *= _length_penalty(inp.src_len[a, p], inp.tgt_len[1 : n_b + 1, cols]) ** inp.length_power
    if config.min_bead_similarity is not None:  # per sentence, so joining is not cheaper
        sims -= config.min_bead_similarity * (a + np.arange(1, n_b + 1))[:, None] / 2
    return sims


def _dynamic_programme(
    inp: _Inputs, n: int, m: int, lo: np.ndarray, hi: np.ndarray, config: AlignConfig,
    progress: ProgressFn | None = None,
) -> list[tuple[int, int, float]]:
    """Best monotone path from (0, 0) to (n, m): ``(n_src, n_tgt, gap)`` per bead, first first.

    ``gap`` is how much better the chosen last bead into the bead's end cell is than the
    best other bead into that cell (the local decision margin; small = a close call).

    Row p of the table covers target positions lo[p]..hi[p]. Transitions with a source
    sentence (a >= 1) are vectorised over the row; the in-row 0-1 transition is a
    running maximum: D[q] = max_k (F[k] + skip * (q - k)) = skip*q + cummax(F - skip*k).
    """
    shapes = config.shapes()
    by_a: dict[int, list[int]] = {}
    for a, b in shapes:
        if a >= 1 and b >= 1:  # 1-0 is scored separately, with the skip penalty
            by_a.setdefault(a, []).append(b)
    rows: list[np.ndarray] = []
    backs: list[np.ndarray] = []
    seconds: list[np.ndarray] = []  # best score into each cell by any other last bead
    shape_index = {sh: k for k, sh in enumerate(shapes)}
    # Candidate scores of every incoming shape for one row: (shape, cell). Filling one
    # matrix and reducing once is cheaper than comparing shape by shape.
    shape_rows = [(a, b) for a, bs in by_a.items() for b in bs] + [(1, 0)]
    shape_ids = np.array([shapes.index(sh) for sh in shape_rows], dtype=np.int8)
    skip = config.skip
    report_every = max(1, n // 100)
    for p in range(n + 1):
        q_lo, q_hi = int(lo[p]), int(hi[p])
        width = q_hi - q_lo + 1
        cand = np.full((len(shape_rows), width), NEG_INF)
        row_sims = (_row_similarities(inp, p, q_lo, q_hi, max(len(bs) for bs in by_a.values()),
                                      config.neighbour_margin)
                    if config.neighbour_margin else None)
        k = 0
        for a, bs in by_a.items():
            if p - a < 0:
                k += len(bs)
                continue
            prev, prev_lo = rows[p - a], int(lo[p - a])
            scores = _bead_scores(inp, p, a, q_lo, q_hi, len(bs), config, row_sims)
            for row_k, b in enumerate(bs):
                # Cells q with q - b inside the previous row's band [prev_lo, prev_hi].
                first = max(q_lo, prev_lo + b, b)
                last = min(q_hi, prev_lo + len(prev) - 1 + b)
                if first <= last:
                    cand[k, first - q_lo : last - q_lo + 1] = (
                        prev[first - b - prev_lo : last - b - prev_lo + 1]
                        + scores[row_k, first - q_lo : last - q_lo + 1])
                k += 1
        if p >= 1:  # 1-0 bead, the last candidate row
            prev, prev_lo = rows[p - 1], int(lo[p - 1])
            first, last = max(q_lo, prev_lo), min(q_hi, prev_lo + len(prev) - 1)
            if first <= last:
                cand[k, first - q_lo : last - q_lo + 1] = prev[first - prev_lo : last - prev_lo + 1] + skip
        winner = np.argmax(cand, axis=0)
        cells = np.arange(width)
        best = cand[winner, cells]
        cand[winner, cells] = NEG_INF
        second = cand.max(axis=0)
        back = np.where(best > NEG_INF / 2, shape_ids[winner], -1).astype(np.int8)
        if p == 0 and q_lo == 0:
            best[0], back[0] = 0.0, -1
        # 0-1 beads inside the row.
        qs = np.arange(q_lo, q_hi + 1)
        offsets = skip * qs
        scanned = np.maximum.accumulate(best - offsets) + offsets
        from_left = scanned > best + 1e-9
        via_left = np.concatenate([[NEG_INF], scanned[:-1] + skip])  # the 0-1 alternative
        second = np.where(from_left, np.maximum(second, best), np.maximum(second, via_left))
        best = np.where(from_left, scanned, best)
        back[from_left] = shape_index[(0, 1)]
        rows.append(best)
        backs.append(back)
        seconds.append(second)
        if progress and p % report_every == 0:
            progress("align", p, n)
    # Traceback.
    path = []
    p, q = n, m
    while p > 0 or q > 0:
        k = int(backs[p][q - lo[p]])
        if k < 0:
            raise RuntimeError(f"alignment search found no path at ({p}, {q})")  # a bug, not input
        a, b = shapes[k]
        gap = float(rows[p][q - lo[p]] - seconds[p][q - lo[p]])
        path.append((a, b, min(gap, 1.0)))
        p, q = p - a, q - b
    return path[::-1]
