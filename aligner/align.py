"""Sentence alignment of a source text and its translation with multilingual embeddings.

The method follows two published aligners and keeps their costs linear in length:

1. **Similarity with margin normalisation.** Cosine similarity of sentence embeddings,
   minus the mean similarity of each side to its k nearest neighbours in the other
   document (the "margin" of Artetxe & Schwenk 2019, "Margin-based parallel corpus
   mining with multilingual sentence embeddings", ACL, §3.1; used for alignment by
   Bertalign, Liu & Zhu 2023, DSH 38(2), §3.2). It discounts "hub" sentences that are
   similar to everything.
2. **Anchor pass** (Bertalign §3.3, first step): the top-k candidates of every source
   sentence, and a maximum-weight monotone chain through them (a weighted
   longest-increasing-subsequence with a Fenwick tree, O(n k log n)), give 1-1 anchors.
3. **Windowed m-n pass** (Bertalign §3.3 second step; Vecalign, Thompson & Koehn 2019,
   EMNLP, §3): dynamic programming over beads of up to ``max_side`` sentences a side
   (``max_total`` in all), restricted to a band around the anchors, so the search grows
   about linearly with length. Beads of several sentences are scored with the normalised
   sum of their sentence embeddings, Vecalign's "embedding of concatenated sentences"
   approximated so that m-n beads cost no extra encoding; the few m-n beads on the best
   path are then re-scored with real embeddings of their joined text.
4. **Length penalty** (Bertalign §3.2, after Gale & Church 1993): character-length ratio,
   corrected by the document's overall ratio.
5. **Out-of-order fragments**: a sentence left in a null or weak bead that matches a
   sentence elsewhere strongly — alone, or by improving that bead when appended to it —
   is reported as a crossing-link candidate (:class:`aligner.types.Crossing`).

Every bead carries a confidence in [0, 1] (see :func:`confidence`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Callable, Sequence

import numpy as np

from aligner.types import Alignment, Bead, Crossing, Document

ProgressFn = Callable[[str, int, int], None]
NEG_INF = -1e30


@dataclass(frozen=True)
class AlignConfig:
    """Parameters of the aligner (defaults tuned on Text+Berg dev and MAC-Dev; see docs/benchmarks.md).

    Attributes:
        max_side: most sentences one side of a bead may join (Bertalign's max_align - 1).
        max_total: most sentences in a bead, both sides together (5 allows 1-4 and 2-3).
        top_k: candidates per source sentence in the anchor pass.
        knn: neighbours averaged for the margin (Artetxe & Schwenk 2019 use k=4).
        window: band half-width, in sentences, around the anchor path.
        skip: score of a 1-0 or 0-1 bead (Bertalign's default is -0.1).
        margin: use margin-normalised similarity rather than raw cosine.
        length_penalty: multiply bead scores by the length-ratio penalty.
        full_dp_cells: if n_src * n_tgt is at most this, search the whole matrix.
        rescore_joined: re-encode the joined text of m-n beads on the best path for their score.
        low_confidence: beads under this confidence get the flag ``"low-confidence"``.
        crossing_min: confidence a crossing-link candidate needs to be reported.
    """

    max_side: int = 4
    max_total: int = 5
    top_k: int = 5
    knn: int = 4
    window: int = 8
    skip: float = -0.1
    margin: bool = True
    margin_weight: float = 1.0
    length_penalty: bool = True
    length_weighted: float = 0.0
    size_weight: float = 0.0
    full_dp_cells: int = 250_000
    rescore_joined: bool = True
    low_confidence: float = 0.5
    crossing_min: float = 0.6

    def shapes(self) -> list[tuple[int, int]]:
        """Bead shapes (n_src, n_tgt) the search may use, 1-0 and 0-1 included."""
        out = [(1, 0), (0, 1)]
        for a in range(1, self.max_side + 1):
            for b in range(1, self.max_side + 1):
                if a + b <= self.max_total:
                    out.append((a, b))
        return out


# --------------------------------------------------------------------------------------
# Confidence


def confidence(similarity: np.ndarray | float) -> np.ndarray | float:
    """Map a bead's margin-normalised similarity to a confidence in [0, 1].

    A logistic curve centred at 0.05 with slope 25: on Text+Berg and NTREX ru-en the
    margin of correct 1-1 beads is mostly above 0.1 and that of wrong ones below 0
    (measured with the default encoder, see docs/benchmarks.md), so 0.5 separates them.
    """
    return 1.0 / (1.0 + np.exp(-25.0 * (np.asarray(similarity, dtype=np.float64) - 0.05)))


# --------------------------------------------------------------------------------------
# Similarity statistics (cost fill, part 1)


@dataclass
class _Stats:
    """Per-sentence statistics from one blocked pass over the similarity matrix.

    ``src_knn``/``tgt_knn``: mean cosine to the ``knn`` nearest sentences of the other side;
    ``src_top``/``tgt_top``: indices of the ``top_k`` most similar sentences of the other side.
    """

    src_knn: np.ndarray
    tgt_knn: np.ndarray
    src_top: np.ndarray
    tgt_top: np.ndarray


def _similarity_stats(src: np.ndarray, tgt: np.ndarray, knn: int, top_k: int) -> _Stats:
    """One pass over ``src @ tgt.T`` in row blocks: memory O(block * n_tgt), not O(n * m)."""
    n, m = len(src), len(tgt)
    k_row = min(max(knn, top_k), m)
    k_col = min(max(knn, top_k), n)
    src_knn = np.zeros(n, dtype=np.float32)
    src_top = np.zeros((n, min(top_k, m)), dtype=np.int64)
    col_vals = np.full((k_col, m), -2.0, dtype=np.float32)
    col_idx = np.zeros((k_col, m), dtype=np.int64)
    block = max(1, min(n, 2_000_000 // max(m, 1)))
    for start in range(0, n, block):
        sims = src[start : start + block] @ tgt.T
        part = np.argpartition(-sims, k_row - 1, axis=1)[:, :k_row]
        vals = np.take_along_axis(sims, part, axis=1)
        order = np.argsort(-vals, axis=1)
        part, vals = np.take_along_axis(part, order, axis=1), np.take_along_axis(vals, order, axis=1)
        src_knn[start : start + block] = vals[:, : min(knn, m)].mean(axis=1)
        src_top[start : start + block] = part[:, : src_top.shape[1]]
        # Running top-k per column across row blocks.
        rows = np.arange(start, start + len(sims))
        both_vals = np.concatenate([col_vals, sims], axis=0)
        both_idx = np.concatenate([col_idx, np.broadcast_to(rows[:, None], sims.shape)], axis=0)
        keep = np.argpartition(-both_vals, k_col - 1, axis=0)[:k_col]
        col_vals = np.take_along_axis(both_vals, keep, axis=0)
        col_idx = np.take_along_axis(both_idx, keep, axis=0)
    order = np.argsort(-col_vals, axis=0)
    col_vals = np.take_along_axis(col_vals, order, axis=0)
    col_idx = np.take_along_axis(col_idx, order, axis=0)
    tgt_knn = col_vals[: min(knn, n)].mean(axis=0) if n else np.zeros(m, dtype=np.float32)
    return _Stats(src_knn, tgt_knn, src_top, col_idx[: min(top_k, n)].T.copy())


# --------------------------------------------------------------------------------------
# Anchor pass


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


# --------------------------------------------------------------------------------------
# Cost fill (part 2): bead embeddings for every shape


def _window_sums(emb: np.ndarray, max_side: int) -> np.ndarray:
    """``(max_side + 1, n + 1, dim)``: row [s, p] is the normalised sum of emb[p-s:p] (0 if p < s)."""
    n, dim = emb.shape
    cum = np.zeros((n + 1, dim), dtype=np.float32)
    np.cumsum(emb, axis=0, out=cum[1:])
    out = np.zeros((max_side + 1, n + 1, dim), dtype=np.float32)
    for s in range(1, max_side + 1):
        if s <= n:
            vec = cum[s:] - cum[:-s]
            norms = np.linalg.norm(vec, axis=1, keepdims=True)
            norms[norms == 0] = 1.0
            out[s, s:] = vec / norms
    return out


def _window_means(values: np.ndarray, max_side: int) -> np.ndarray:
    """``(max_side + 1, n + 1)``: [s, p] is the mean of values[p-s:p] (0 if p < s)."""
    n = len(values)
    cum = np.zeros(n + 1, dtype=np.float64)
    np.cumsum(values, out=cum[1:])
    out = np.zeros((max_side + 1, n + 1), dtype=np.float32)
    for s in range(1, max_side + 1):
        if s <= n:
            out[s, s:] = (cum[s:] - cum[:-s]) / s
    return out


def _window_lengths(lengths: np.ndarray, max_side: int) -> np.ndarray:
    """``(max_side + 1, n + 1)``: [s, p] is the sum of lengths[p-s:p]."""
    means = _window_means(lengths.astype(np.float64), max_side)
    return means * np.arange(max_side + 1, dtype=np.float32)[:, None]


def _weights(lengths: Sequence[int], power: float) -> np.ndarray:
    """``(n, 1)`` weights length**power for summing sentence vectors into a bead vector."""
    return (np.maximum(np.asarray(lengths, dtype=np.float32), 1.0) ** power)[:, None]


def _length_penalty(src_len: np.ndarray, tgt_len: np.ndarray) -> np.ndarray:
    """Bertalign's length penalty log2(1 + min/max) of two (ratio-corrected) char lengths, in (0, 1]."""
    small = np.minimum(src_len, tgt_len)
    large = np.maximum(np.maximum(src_len, tgt_len), 1e-6)
    return np.log2(1.0 + small / large)


# --------------------------------------------------------------------------------------
# Dynamic programme and traceback


@dataclass
class _Inputs:
    """Everything the DP needs, precomputed once per bitext."""

    X: np.ndarray  # (max_side+1, n+1, dim) source window vectors
    Y: np.ndarray  # (max_side+1, m+1, dim) target window vectors
    src_knn: np.ndarray  # (max_side+1, n+1) window means of knn similarity
    tgt_knn: np.ndarray  # (max_side+1, m+1)
    src_len: np.ndarray  # (max_side+1, n+1) window char lengths, ratio-corrected
    tgt_len: np.ndarray  # (max_side+1, m+1)


def _bead_scores(inp: _Inputs, p: int, a: int, qs: np.ndarray, bs: Sequence[int], config: AlignConfig) -> np.ndarray:
    """Scores ``(len(bs), len(qs))`` of beads ending at (p, q) with ``a`` source and b target sentences."""
    ys = inp.Y[np.asarray(bs)][:, qs]  # (B, W, dim)
    sims = ys @ inp.X[a, p]  # (B, W)
    if config.margin:
        sims = sims - 0.5 * config.margin_weight * (inp.src_knn[a, p] + inp.tgt_knn[np.asarray(bs)][:, qs])
    if config.length_penalty:
        sims = sims * _length_penalty(inp.src_len[a, p], inp.tgt_len[np.asarray(bs)][:, qs])
    if config.size_weight:
        sims = sims * ((a + np.asarray(bs, dtype=np.float32)[:, None]) / 2.0) ** config.size_weight
    return sims


def _dynamic_programme(
    inp: _Inputs, n: int, m: int, lo: np.ndarray, hi: np.ndarray, config: AlignConfig,
    progress: ProgressFn | None = None,
) -> list[tuple[int, int]]:
    """Best monotone path from (0, 0) to (n, m); returns the bead shapes, first bead first.

    Row p of the table covers target positions lo[p]..hi[p]. Transitions with a source
    sentence (a >= 1) are vectorised over the row; the in-row 0-1 transition is a
    running maximum: D[q] = max_k (F[k] + skip * (q - k)) = skip*q + cummax(F - skip*k).
    """
    shapes = config.shapes()
    by_a: dict[int, list[int]] = {}
    for a, b in shapes:
        if a >= 1:
            by_a.setdefault(a, []).append(b)
    rows: list[np.ndarray] = []
    backs: list[np.ndarray] = []
    shape_index = {s: k for k, s in enumerate(shapes)}
    skip = config.skip
    report_every = max(1, n // 100)
    for p in range(n + 1):
        qs = np.arange(lo[p], hi[p] + 1)
        best = np.full(len(qs), NEG_INF)
        back = np.full(len(qs), -1, dtype=np.int8)
        if p == 0:
            best[qs == 0] = 0.0
        for a, bs in by_a.items():
            if p - a < 0:
                continue
            prev, prev_lo = rows[p - a], lo[p - a]
            # b = 0 is the 1-0 bead (only a == 1); scored separately.
            scores = _bead_scores(inp, p, a, qs, [b for b in bs], config)
            for row_k, b in enumerate(bs):
                idx = qs - b - prev_lo
                ok = (idx >= 0) & (idx < len(prev)) & (qs - b >= 0)
                cand = np.full(len(qs), NEG_INF)
                cand[ok] = prev[idx[ok]] + scores[row_k][ok]
                better = cand > best
                best[better] = cand[better]
                back[better] = shape_index[(a, b)]
        if p >= 1:  # 1-0 bead
            prev, prev_lo = rows[p - 1], lo[p - 1]
            idx = qs - prev_lo
            ok = (idx >= 0) & (idx < len(prev))
            cand = np.full(len(qs), NEG_INF)
            cand[ok] = prev[idx[ok]] + skip
            better = cand > best
            best[better] = cand[better]
            back[better] = shape_index[(1, 0)]
        # 0-1 beads inside the row.
        offsets = skip * qs
        scanned = np.maximum.accumulate(best - offsets) + offsets
        from_left = scanned > best + 1e-9
        best = np.where(from_left, scanned, best)
        back[from_left] = shape_index[(0, 1)]
        rows.append(best)
        backs.append(back)
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
        path.append((a, b))
        p, q = p - a, q - b
    return path[::-1]


# --------------------------------------------------------------------------------------
# Public API


def align_embeddings(
    src_emb: np.ndarray,
    tgt_emb: np.ndarray,
    src_lengths: Sequence[int],
    tgt_lengths: Sequence[int],
    config: AlignConfig | None = None,
    progress: ProgressFn | None = None,
) -> tuple[list[Bead], _Stats]:
    """Align two embedded texts; returns monotone beads covering every sentence once.

    Args:
        src_emb: ``(n, dim)`` float32, rows L2-normalised.
        tgt_emb: ``(m, dim)`` float32, rows L2-normalised.
        src_lengths, tgt_lengths: sentence lengths in characters, ``(n,)`` and ``(m,)``.

    Returns:
        The beads, in order, with ``score`` set to the confidence of the search's own
        similarity (m-n beads may be re-scored by :func:`align_texts`), and the similarity
        statistics (for crossing detection).
    """
    config = config or AlignConfig()
    n, m = len(src_emb), len(tgt_emb)
    if n == 0 or m == 0:
        beads = [Bead((i,), (), 1.0) for i in range(n)] + [Bead((), (j,), 1.0) for j in range(m)]
        return beads, _Stats(*(np.zeros(0),) * 4)
    stats = _similarity_stats(src_emb, tgt_emb, config.knn, config.top_k)
    ratio = max(sum(tgt_lengths), 1) / max(sum(src_lengths), 1)
    side = config.max_side
    inp = _Inputs(
        X=_window_sums(src_emb * _weights(src_lengths, config.length_weighted), side),
        Y=_window_sums(tgt_emb * _weights(tgt_lengths, config.length_weighted), side),
        src_knn=_window_means(stats.src_knn, side) if config.margin else np.zeros((side + 1, n + 1), np.float32),
        tgt_knn=_window_means(stats.tgt_knn, side) if config.margin else np.zeros((side + 1, m + 1), np.float32),
        src_len=_window_lengths(np.asarray(src_lengths, dtype=np.float64) * ratio, side),
        tgt_len=_window_lengths(np.asarray(tgt_lengths, dtype=np.float64), side),
    )
    if n * m <= config.full_dp_cells:
        lo, hi = np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64)
    else:
        anchors = find_anchors(src_emb, tgt_emb, stats, config)
        lo, hi = _band(anchors, n, m, config.window)
    path = _dynamic_programme(inp, n, m, lo, hi, config, progress)
    beads = []
    p = q = 0
    for a, b in path:
        bead = Bead(tuple(range(p, p + a)), tuple(range(q, q + b)))
        if a and b:
            sim = float(inp.Y[b, q + b] @ inp.X[a, p + a])
            if config.margin:
                sim -= 0.5 * float(inp.src_knn[a, p + a] + inp.tgt_knn[b, q + b])
            bead.score = float(confidence(sim))
        beads.append(bead)
        p, q = p + a, q + b
    _score_nulls(beads, src_emb, tgt_emb, stats)
    return beads, stats


def find_anchors(src_emb: np.ndarray, tgt_emb: np.ndarray, stats: _Stats, config: AlignConfig) -> list[tuple[int, int]]:
    """1-1 anchors: the best monotone chain through each source sentence's top-k targets.

    Candidates are weighted by their margin; only candidates with a positive margin
    (more similar than the average of their neighbours) enter the chain.
    """
    n = len(src_emb)
    rows = np.repeat(np.arange(n), stats.src_top.shape[1])
    cols = stats.src_top.reshape(-1)
    sims = np.einsum("ij,ij->i", src_emb[rows], tgt_emb[cols])
    weights = sims - 0.5 * (stats.src_knn[rows] + stats.tgt_knn[cols])
    keep = weights > 0
    pairs = np.stack([rows[keep], cols[keep]], axis=1)
    return _anchor_chain(pairs, weights[keep], len(tgt_emb))


def _score_nulls(beads: list[Bead], src_emb: np.ndarray, tgt_emb: np.ndarray, stats: _Stats) -> None:
    """Confidence of a 1-0/0-1 bead: 1 - confidence of its sentence's best match nearby.

    An omission whose sentence has a strong counterpart within a few beads is suspect.
    """
    for k, bead in enumerate(beads):
        if bead.src and bead.tgt:
            continue
        near = beads[max(0, k - 3) : k + 4]
        if bead.src:
            others = [j for b in near for j in b.tgt]
            vec, pool, knn_self, knn_pool = src_emb[bead.src[0]], tgt_emb, stats.src_knn[bead.src[0]], stats.tgt_knn
        else:
            others = [i for b in near for i in b.src]
            vec, pool, knn_self, knn_pool = tgt_emb[bead.tgt[0]], src_emb, stats.tgt_knn[bead.tgt[0]], stats.src_knn
        if not others:
            bead.score = 1.0
            continue
        idx = np.asarray(others)
        best = float(np.max(pool[idx] @ vec - 0.5 * (knn_self + knn_pool[idx])))
        bead.score = float(1.0 - confidence(best))


def detect_crossings(
    beads: list[Bead], src_emb: np.ndarray, tgt_emb: np.ndarray, stats: _Stats, config: AlignConfig
) -> list[Crossing]:
    """Crossing-link candidates for sentences in null or weak beads.

    For a target sentence t in a 0-1 or low-confidence bead, each of its top-k source
    sentences s lying in a bead at least two beads away is a candidate if either
    (a) margin(s, t) alone is confident, or (b) appending t to the target side of s's bead
    raises that bead's similarity (a fragment split off by OCR, e.g. "not fire toward
    Manchukuo."). Source sentences in 1-0 or weak beads are checked the same way.
    """
    if not beads or len(stats.src_top) == 0:
        return []
    src_bead = {i: k for k, b in enumerate(beads) for i in b.src}
    tgt_bead = {j: k for k, b in enumerate(beads) for j in b.tgt}
    found: dict[tuple, Crossing] = {}

    def bead_vec(emb: np.ndarray, ids: tuple[int, ...]) -> np.ndarray:
        vec = emb[list(ids)].sum(axis=0)
        return vec / (np.linalg.norm(vec) or 1.0)

    def check(side: str, sent: int) -> None:
        own_k = tgt_bead[sent] if side == "tgt" else src_bead[sent]
        if side == "tgt":
            cands, vec, pool = stats.tgt_top[sent], tgt_emb[sent], src_emb
            knn_self, knn_pool, other_bead = stats.tgt_knn[sent], stats.src_knn, src_bead
        else:
            cands, vec, pool = stats.src_top[sent], src_emb[sent], tgt_emb
            knn_self, knn_pool, other_bead = stats.src_knn[sent], stats.tgt_knn, tgt_bead
        for c in cands.tolist():
            k = other_bead[c]
            if abs(k - own_k) < 2:
                continue
            alone = float(pool[c] @ vec - 0.5 * (knn_self + knn_pool[c]))
            host = beads[k]
            # Gain of appending the sentence to the host bead's own side.
            mine, theirs = (host.tgt, host.src) if side == "tgt" else (host.src, host.tgt)
            mine_emb, theirs_emb = (tgt_emb, src_emb) if side == "tgt" else (src_emb, tgt_emb)
            gain = 0.0
            if mine and theirs:
                base = float(bead_vec(mine_emb, mine) @ bead_vec(theirs_emb, theirs))
                with_it = mine_emb[list(mine)].sum(axis=0) + vec
                with_it /= np.linalg.norm(with_it) or 1.0
                gain = float(with_it @ bead_vec(theirs_emb, theirs)) - base
            score = max(float(confidence(alone)), float(confidence(gain * 4)))
            if score >= config.crossing_min:
                src_ids, tgt_ids = ((c,), (sent,)) if side == "tgt" else ((sent,), (c,))
                reason = (
                    f"{'target' if side == 'tgt' else 'source'} sentence {sent} matches "
                    f"{'source' if side == 'tgt' else 'target'} sentence {c} in bead {k} "
                    f"(margin {alone:.2f}, gain {gain:+.2f})"
                )
                key = (src_ids, tgt_ids)
                if key not in found or found[key].score < score:
                    found[key] = Crossing(src_ids, tgt_ids, round(score, 4), reason)

    for bead in beads:
        weak = bead.score < config.low_confidence
        if not bead.src or weak:
            for j in bead.tgt:
                check("tgt", j)
        if not bead.tgt or weak:
            for i in bead.src:
                check("src", i)
    return sorted(found.values(), key=lambda c: (-c.score, c.src, c.tgt))


def align_texts(
    src: Sequence[str],
    tgt: Sequence[str],
    encoder,
    config: AlignConfig | None = None,
    progress: ProgressFn | None = None,
) -> Alignment:
    """Align source sentences ``src`` to target sentences ``tgt``.

    ``encoder`` follows :class:`aligner.embed.Encoder`. Each sentence is encoded once;
    only the m-n beads on the best path are re-encoded as joined text (if
    ``config.rescore_joined``). ``progress(stage, done, total)`` is called as work advances.

    Returns:
        An :class:`~aligner.types.Alignment` whose beads cover every sentence of both
        sides exactly once, in order, with confidences and flags, plus crossing candidates.

    Example:
        >>> from aligner.embed import get_encoder
        >>> a = align_texts(["Я сказал Сигемицу.", "Он ответил."],
        ...                 ["I told Shigemitsu.", "He replied."], get_encoder())
        >>> [b.type for b in a.beads]
        ['1-1', '1-1']
    """
    config = config or AlignConfig()
    if progress:
        progress("encode", 0, len(src) + len(tgt))
    src_emb = encoder.encode(list(src))
    if progress:
        progress("encode", len(src), len(src) + len(tgt))
    tgt_emb = encoder.encode(list(tgt))
    if progress:
        progress("encode", len(src) + len(tgt), len(src) + len(tgt))
    beads, stats = align_embeddings(
        src_emb, tgt_emb, [len(s) for s in src], [len(t) for t in tgt], config, progress
    )
    if config.rescore_joined:
        _rescore_joined(beads, src, tgt, encoder, config)
    crossings = detect_crossings(beads, src_emb, tgt_emb, stats, config)
    _flag(beads, crossings, config)
    return Alignment(
        beads=beads,
        crossings=crossings,
        encoder=f"{encoder.name} {getattr(encoder, 'version', '')}".strip(),
        params=asdict(config),
    )


def align_documents(src_doc: Document, tgt_doc: Document, encoder, config: AlignConfig | None = None,
                    progress: ProgressFn | None = None) -> Alignment:
    """Align two segmented :class:`~aligner.types.Document` objects (source, translation)."""
    return align_texts(src_doc.texts, tgt_doc.texts, encoder, config, progress)


def _rescore_joined(beads: list[Bead], src: Sequence[str], tgt: Sequence[str], encoder, config: AlignConfig) -> None:
    """Give m-n beads the confidence of their joined texts' embeddings (Vecalign §3.1)."""
    multi = [b for b in beads if b.src and b.tgt and (len(b.src) > 1 or len(b.tgt) > 1)]
    if not multi:
        return
    src_join = encoder.encode([" ".join(src[i] for i in b.src) for b in multi])
    tgt_join = encoder.encode([" ".join(tgt[j] for j in b.tgt) for b in multi])
    sims = np.einsum("ij,ij->i", src_join, tgt_join)
    # Joined texts have no neighbour statistics; use the margin of the approximate score.
    for bead, sim in zip(multi, sims.tolist()):
        bead.score = float(max(bead.score, confidence(sim - _typical_knn(encoder))))


def _typical_knn(encoder) -> float:
    """Typical k-NN mean cosine of the encoder, used as the margin of joined texts.

    0.35 for use-m3 (measured on NTREX ru-en: mean 4-NN cosine 0.33–0.37).
    """
    return 0.35


def _flag(beads: list[Bead], crossings: list[Crossing], config: AlignConfig) -> None:
    """Set review flags: omission, addition, low-confidence, crossing-candidate."""
    crossing_src = {i for c in crossings for i in c.src}
    crossing_tgt = {j for c in crossings for j in c.tgt}
    for bead in beads:
        flags = []
        if bead.src and not bead.tgt:
            flags.append("omission")
        if bead.tgt and not bead.src:
            flags.append("addition")
        if bead.score < config.low_confidence:
            flags.append("low-confidence")
        if crossing_src.intersection(bead.src) or crossing_tgt.intersection(bead.tgt):
            flags.append("crossing-candidate")
        bead.flags = flags
        bead.score = round(min(max(bead.score, 0.0), 1.0), 4)
