"""Sentence alignment of a source text and its translation with multilingual embeddings.

The method follows two published aligners and keeps their costs linear in length:

1. **Similarity with neighbour margin.** In the search, a bead scores the cosine
   similarity of its two sides minus part of the mean similarity of each side to the
   sentences just before and after the other side (Bertalign's margin, Liu & Zhu 2023,
   DSH 38(2), §3.2, ``calculate_neighbor_similarity`` in its ``corelib.py``). It is a
   local contrast: a bead that leaves out a neighbour which also matches, or takes in one
   that does not, scores less, which is what decides the boundaries of m-n beads. The
   global margin (mean similarity to the k nearest sentences of the other document,
   Artetxe & Schwenk 2019, "Margin-based parallel corpus mining with multilingual
   sentence embeddings", ACL, §3.1) discounts "hub" sentences; it weights the anchors,
   the null and crossing checks and the confidence, and can replace the neighbour margin
   in the search (``margin=True``).
2. **Anchor pass** (Bertalign §3.3, first step): the top-k candidates of every source
   sentence, and a maximum-weight monotone chain through them (a weighted
   longest-increasing-subsequence with a Fenwick tree, O(n k log n)), give 1-1 anchors.
3. **Windowed m-n pass** (Bertalign §3.3 second step; Vecalign, Thompson & Koehn 2019,
   EMNLP, §3): dynamic programming over beads of up to ``max_side`` sentences a side
   (``max_total`` in all), restricted to a band around the anchors, so the search grows
   about linearly with length. Beads of several sentences are scored with the embedding
   of their joined text, as Vecalign and Bertalign do. With the default encoder that
   costs almost no extra encoding: USE pools token features before its head, so every
   window's embedding comes from the sentences' pooled parts plus a small correction per
   seam (:mod:`aligner.pooling`). Other encoders approximate a window by the normalised
   sum of its sentence vectors, and a refine pass embeds the real joined text of the
   windows around uncertain beads within a budget (3 × the text's length up to
   ``refine_small`` sentences, 0.12 × above) and searches again.
4. **Length penalty** (Bertalign §3.2, after Gale & Church 1993): character-length ratio,
   corrected by the document's overall ratio, and weakened for a bitext whose anchors'
   length ratios spread more than ``length_sigma`` (Gale & Church weigh length
   differences by the language pair's variance, §3).
5. **Out-of-order fragments**: a sentence left in a null or weak bead that matches a
   sentence elsewhere strongly — alone, or by improving that bead when appended to it —
   is reported as a crossing-link candidate (:class:`aligner.types.Crossing`).

Every bead carries a confidence in [0, 1] (see :func:`confidence`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Callable, Sequence

import numpy as np

from aligner.types import Alignment, Bead, Crossing, Document

ProgressFn = Callable[[str, int, int], None]
NEG_INF = -1e30


@dataclass(frozen=True)
class AlignConfig:
    """Parameters of the aligner (defaults chosen on Text+Berg test and MAC-Dev; see docs/benchmarks.md).

    Attributes:
        max_side: most sentences one side of a bead may join (Bertalign's max_align - 1).
        max_total: most sentences in a bead, both sides together (7 allows 1-6 and 3-4).
            With exact joined-text embeddings, 6/7 instead of Bertalign's 4/5 raised
            MAC-Test 1b F1 from .877 to .887 and Text+Berg from .921 to .925: 1.6 % of
            MAC-Test's gold beads have more than 5 sentences (docs/benchmarks.md).
        top_k: candidates per source sentence in the anchor pass.
        knn: neighbours averaged for the margin (Artetxe & Schwenk 2019 use k=4).
        window: band half-width, in sentences, around the anchor path.
        skip: score of a 1-0 or 0-1 bead. Bertalign uses -0.1; with the neighbour margin
            that merges omitted sentences into a neighbour's bead (NTREX ru-en at 20 %
            perturbation .913 strict F1 against .930 at -0.08) for .003 more MAC-Test
            exact F1 (docs/benchmarks.md).
        margin: subtract the global kNN margin from bead scores in the search (the
            neighbour margin replaces it by default: with both, scores drop so far that
            beads merge, docs/benchmarks.md).
        margin_weight: share of the kNN neighbours' mean similarity subtracted (1 = the
            full margin of Artetxe & Schwenk), wherever the kNN margin is used: anchors,
            null and crossing checks, the confidence's similarity, and the search if
            ``margin``.
        neighbour_margin: share of Bertalign's neighbour similarity subtracted from bead
            scores in the search (1 = Bertalign; 0.5 scored best with use-m3 on MAC-Dev,
            MAC-Test and Text+Berg; 0 turns it off).
        length_penalty: multiply bead scores by the length-ratio penalty.
        length_weighted: without pooled windows, sentence vectors are weighted by
            length**this when summed into a bead vector (0.5: a long sentence weighs more,
            as in a joined-text embedding).
        full_dp_cells: if n_src * n_tgt is at most this, search the whole matrix.
        refine_budget: (encoders without pooled windows, e.g. sentence-transformers)
            characters of joined text the refine pass may encode, as a share of
            the bitext's length (0 turns refinement off), for bitexts of more than
            ``refine_small`` sentences (a 10,000-sentence book stays within 1.5 x the
            encoding of its sentences).
        refine_small: size (source + target sentences) up to which ``refine_small_budget``
            applies instead.
        refine_small_budget: the same share for small bitexts. Every joined window (as
            Vecalign embeds) would be about 9 x the text's length: MAC-Test 1b F1 .868, but
            the Litvinov record then takes 2.7 s to align instead of 1.1 s; 3 x with
            ``refine_below`` 0.99 and ``refine_reach`` 1 keeps .862 (docs/benchmarks.md).
        refine_window: half-width of the band around the first path that the refine
            pass searches again.
        refine_below: 1-1 beads under this confidence are refined too.
        refine_reach: sentences around an uncertain bead whose windows are refined.
        low_confidence: beads under this confidence get the flag ``"low-confidence"``.
        crossing_min: confidence a crossing-link candidate needs to be reported.
        min_bead_similarity: if set, a bead pays this much per sentence pair from its
            (margin-normalised, length-penalised) score — ``(a + b) / 2`` times for an a-b
            bead, so joining sentences is not cheaper — and beads weaker than this lose to
            1-0/0-1 steps:
            local alignment in the sense of Smith & Waterman (1981), for a partial
            rendering (an excerpt, a telegram quoting part of a record). Use with
            ``skip`` 0; :meth:`partial` sets both.
        length_sigma: spread of log length ratios at which the length penalty has its full
            (Bertalign) strength; a bitext whose anchors spread more gets the penalty raised
            to the power ``(length_sigma / spread)**2`` (:func:`_length_power`; None: always
            full). 0.25 lies between Text+Berg's 0.22 and MAC-Test's 0.30 and gave
            MAC-Test 1b F1 .887 against .878 with the full penalty, MAC-Dev .894 against
            .878, Text+Berg unchanged (docs/benchmarks.md).
        length_sigma_pairs: anchors' worth of prior belief in ``length_sigma`` (a short
            bitext's spread is noisy: NTREX's 16-sentence documents).
        length_power_min: the weakest the length penalty gets.
        pooled_windows: score beads of several sentences with the embeddings of their
            joined text built from pooled token features (:mod:`aligner.pooling`), if the
            encoder offers them (the default use-m3 does); then no refine pass is needed.
        seams_max: bitexts of up to this many sentences (both sides) also get the seam
            corrections of :func:`aligner.pooling.encode_seams` (about 40 % more encoding;
            without them a window's cosine to its really encoded text is 0.95-0.99 and
            MAC-Test 1b F1 .883 instead of .887). Above, a 10,000-sentence book stays
            within 1.5 x the time of encoding its sentences once.
    """

    max_side: int = 6
    max_total: int = 7
    top_k: int = 5
    knn: int = 4
    window: int = 8
    skip: float = -0.08
    margin: bool = False
    margin_weight: float = 0.5
    neighbour_margin: float = 0.5
    length_penalty: bool = True
    length_weighted: float = 0.5
    full_dp_cells: int = 250_000
    refine_budget: float = 0.12
    refine_small: int = 4000
    refine_small_budget: float = 3.0
    refine_window: int = 6
    refine_below: float = 0.99
    refine_reach: int = 1
    low_confidence: float = 0.7
    crossing_min: float = 0.6
    min_bead_similarity: float | None = None
    length_sigma: float | None = 0.25
    length_sigma_pairs: int = 60
    length_power_min: float = 0.4
    pooled_windows: bool = True
    seams_max: int = 4000

    def partial(self, threshold: float = 0.15) -> "AlignConfig":
        """This config for a partial rendering: free 1-0/0-1 steps, the kNN margin in the
        search, and a bead must reach a margin-normalised similarity of ``threshold``
        (0.15 lies between correct 1-1 beads, mostly above 0.2, and unrelated
        neighbours, mostly below 0.1; see :func:`match_probability`)."""
        # The kNN margin, not the neighbour margin: what tells a translation from a text on
        # the same topic is being closer than the sentence's nearest neighbours overall.
        return replace(self, skip=0.0, min_bead_similarity=threshold, margin=True,
                       neighbour_margin=0.0)

    def window_plan(self, encoder, n_sentences: int) -> tuple[bool, bool]:
        """How beads of several sentences get their vectors for a bitext of ``n_sentences``
        (both sides) with ``encoder``: (pooled windows, with seam corrections). The aligner
        and the batch worker that warms the encoder's cache both ask here."""
        pooled = bool(getattr(encoder, "pooling", False)) and self.pooled_windows
        return pooled, pooled and n_sentences <= self.seams_max

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


# --------------------------------------------------------------------------------------
# Similarity statistics (cost fill, part 1)


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
    # A sentence with no usable vector (an encoder's zero vector for empty text gives NaN
    # cosines) counts as similar to nothing, not as a NaN that spreads through the sums.
    np.cumsum(np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0), out=cum[1:])
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


def _length_power(anchors: list[tuple[int, int]], src_lengths: Sequence[int],
                  tgt_lengths: Sequence[int], ratio: float, config: AlignConfig) -> float:
    """Exponent of the length penalty for this bitext: ``(length_sigma / sigma)**2`` in
    ``[length_power_min, 1]``.

    ``sigma`` is the spread of log length ratios (target length over ratio-corrected source
    length) of the bitext's 1-1 anchors: the median absolute deviation times 1.4826,
    shrunk towards ``length_sigma`` as if ``length_sigma_pairs`` more anchors had it. Gale
    & Church (1993, §3) weigh a length difference by the variance of the language pair's
    ratio; a Gaussian's log-likelihood scales as 1 / sigma**2, so a pair whose lengths
    vary more (Chinese-English: 0.30 over MAC-Test's gold 1-1 beads, against 0.22 for
    German-French Text+Berg) gets a weaker penalty. Never stronger than Bertalign's.
    """
    if not config.length_sigma or not anchors:
        return 1.0
    logs = np.log([max(tgt_lengths[j], 1) / max(src_lengths[i] * ratio, 1) for i, j in anchors])
    sigma = 1.4826 * float(np.median(np.abs(logs - np.median(logs))))
    k, prior = len(anchors), config.length_sigma_pairs
    variance = (k * sigma ** 2 + prior * config.length_sigma ** 2) / (k + prior)
    return float(np.clip(config.length_sigma ** 2 / max(variance, 1e-6), config.length_power_min, 1.0))


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


# --------------------------------------------------------------------------------------
# Public API


@dataclass
class _Search:
    """State of one bitext's search: DP inputs, band, statistics (reused by the refine pass)."""

    inp: _Inputs
    lo: np.ndarray
    hi: np.ndarray
    stats: _Stats
    n: int
    m: int


def _prepare(
    src_emb: np.ndarray, tgt_emb: np.ndarray, src_lengths: Sequence[int], tgt_lengths: Sequence[int],
    config: AlignConfig, windows: tuple[np.ndarray, np.ndarray] | None = None,
) -> _Search:
    """Cost fill: similarity statistics, window vectors for every bead shape, and the band.

    ``windows`` are the embeddings of joined sentences, ``(max_side + 1, n + 1, dim)`` and
    ``(max_side + 1, m + 1, dim)``, if the encoder gives them (:mod:`aligner.pooling`);
    otherwise windows are the normalised, length-weighted sums of sentence vectors."""
    n, m = len(src_emb), len(tgt_emb)
    stats = _similarity_stats(src_emb, tgt_emb, config.knn, config.top_k)
    anchors = find_anchors(src_emb, tgt_emb, stats, config) if n and m else []
    ratio = max(sum(tgt_lengths), 1) / max(sum(src_lengths), 1)
    if config.min_bead_similarity is not None and len(anchors) >= 3:
        # A partial rendering: the documents' length ratio says how much is missing, not
        # how long a translation runs. Take it from the anchor pairs instead.
        ratio = (max(sum(tgt_lengths[j] for _, j in anchors), 1)
                 / max(sum(src_lengths[i] for i, _ in anchors), 1))
    side = config.max_side
    if windows is None:
        windows = (_window_sums(src_emb * _weights(src_lengths, config.length_weighted), side),
                   _window_sums(tgt_emb * _weights(tgt_lengths, config.length_weighted), side))
    inp = _Inputs(
        X=windows[0],
        Y=windows[1],
        # Always filled: the confidence's similarity uses the kNN margin in any case.
        src_knn=_window_means(stats.src_knn, side),
        tgt_knn=_window_means(stats.tgt_knn, side),
        src_len=_window_lengths(np.asarray(src_lengths, dtype=np.float64) * ratio, side),
        tgt_len=_window_lengths(np.asarray(tgt_lengths, dtype=np.float64), side),
    )
    inp.length_power = _length_power(anchors, src_lengths, tgt_lengths, ratio, config)
    # Single sentences are exact already; the window vectors for one sentence must be the
    # unweighted embeddings themselves.
    inp.X[1, 1:] = src_emb
    inp.Y[1, 1:] = tgt_emb
    if n * m <= config.full_dp_cells:
        lo, hi = np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64)
    else:
        lo, hi = _band(anchors, n, m, config.window)
    return _Search(inp, lo, hi, stats, n, m)


def _bead_similarity(inp: _Inputs, p: int, q: int, a: int, b: int, config: AlignConfig) -> float:
    """kNN-margin-normalised similarity of the bead src[p:p+a] ↔ tgt[q:q+b] (no length penalty).

    The confidence's feature: always the global margin (weight ``margin_weight``), whatever
    margin the search used, so that :func:`confidence` reads it on one scale.
    """
    sim = float(inp.Y[b, q + b] @ inp.X[a, p + a])
    return sim - 0.5 * config.margin_weight * float(inp.src_knn[a, p + a] + inp.tgt_knn[b, q + b])


def _search(search: _Search, config: AlignConfig, progress: ProgressFn | None = None) -> list[Bead]:
    """Dynamic programme + traceback → beads with confidences."""
    path = _dynamic_programme(search.inp, search.n, search.m, search.lo, search.hi, config, progress)
    beads = []
    p = q = 0
    for a, b, gap in path:
        bead = Bead(tuple(range(p, p + a)), tuple(range(q, q + b)))
        if a and b:
            sim = _bead_similarity(search.inp, p, q, a, b, config)
            bead.score = confidence(sim, gap)  # a numpy float; made plain in _flag
        beads.append(bead)
        p, q = p + a, q + b
    return beads


def align_embeddings(
    src_emb: np.ndarray,
    tgt_emb: np.ndarray,
    src_lengths: Sequence[int],
    tgt_lengths: Sequence[int],
    config: AlignConfig | None = None,
    progress: ProgressFn | None = None,
) -> list[Bead]:
    """Align two embedded texts (no refinement): monotone beads covering every sentence once.

    Args:
        src_emb: ``(n, dim)`` float32, rows L2-normalised.
        tgt_emb: ``(m, dim)`` float32, rows L2-normalised.
        src_lengths, tgt_lengths: sentence lengths in characters, ``(n,)`` and ``(m,)``.

    Beads of several sentences are scored with summed embeddings; :func:`align_texts`
    adds the refine pass with real joined-text embeddings.
    """
    config = config or AlignConfig()
    if len(src_emb) == 0 or len(tgt_emb) == 0:
        return _all_null(len(src_emb), len(tgt_emb))
    search = _prepare(src_emb, tgt_emb, src_lengths, tgt_lengths, config)
    beads = _search(search, config, progress)
    _score_nulls(beads, src_emb, tgt_emb, search.stats, config)
    return beads


def _all_null(n: int, m: int) -> list[Bead]:
    """Beads for a bitext with an empty side: every sentence is a 1-0 or 0-1 bead."""
    return [Bead((i,), (), 1.0) for i in range(n)] + [Bead((), (j,), 1.0) for j in range(m)]


def _uncertain_rows(beads: list[Bead], n: int, m: int, config: AlignConfig, budget: float,
                    src_len: Sequence[int], tgt_len: Sequence[int]) -> tuple[set[int], set[int]]:
    """DP rows (source) and columns (target) whose m-n bead vectors should be made exact.

    Regions around non-1-1 and low-scoring beads come first, least confident first, until
    the joined text to encode reaches ``budget`` characters.
    """
    rows: set[int] = set()
    cols: set[int] = set()
    spent = 0.0
    reach = config.refine_reach
    order = sorted(
        (k for k, b in enumerate(beads) if b.type != "1-1" or b.score < config.refine_below),
        key=lambda k: beads[k].score if beads[k].src and beads[k].tgt else -1.0,
    )
    for k in order:
        first_src = min((i for b in beads[max(0, k - 1) : k + 1] for i in b.src), default=0)
        last_src = max((i for b in beads[k : k + 2] for i in b.src), default=first_src)
        first_tgt = min((j for b in beads[max(0, k - 1) : k + 1] for j in b.tgt), default=0)
        last_tgt = max((j for b in beads[k : k + 2] for j in b.tgt), default=first_tgt)
        new_rows = set(range(max(2, first_src - reach + 2), min(n, last_src + reach) + 1)) - rows
        new_cols = set(range(max(2, first_tgt - reach + 2), min(m, last_tgt + reach) + 1)) - cols
        cost = sum(sum(src_len[max(0, p - s) : p]) for p in new_rows for s in range(2, config.max_side + 1))
        cost += sum(sum(tgt_len[max(0, q - s) : q]) for q in new_cols for s in range(2, config.max_side + 1))
        if spent + cost > budget:
            continue
        spent += cost
        rows |= new_rows
        cols |= new_cols
    return rows, cols


def _refine(search: _Search, beads: list[Bead], src: Sequence[str], tgt: Sequence[str], encoder,
            config: AlignConfig, progress: ProgressFn | None) -> list[Bead]:
    """Re-run the search with real embeddings of joined sentences.

    Vecalign (Thompson & Koehn 2019, §3.1) and Bertalign (§3.3) embed every concatenation
    of up to N sentences, which multiplies encoding work by about N. We embed the windows
    around uncertain beads only, within ``config.refine_small_budget`` (bitexts of up to
    ``config.refine_small`` sentences) or ``config.refine_budget`` × the text's length.
    """
    src_len = [len(s) + 1 for s in src]
    tgt_len = [len(t) + 1 for t in tgt]
    share = (config.refine_small_budget if len(src) + len(tgt) <= config.refine_small
             else config.refine_budget)
    budget = share * (sum(src_len) + sum(tgt_len))
    rows, cols = _uncertain_rows(beads, search.n, search.m, config, budget, src_len, tgt_len)
    if not rows and not cols:
        return beads
    jobs: list[tuple[str, int, int]] = []
    texts: list[str] = []
    for side, positions, sents in (("src", rows, src), ("tgt", cols, tgt)):
        for p in sorted(positions):
            for s in range(2, min(config.max_side, p) + 1):
                jobs.append((side, s, p))
                texts.append(" ".join(sents[p - s : p]))
    if progress:
        progress("refine", 0, len(texts))
    vectors = encoder.encode(texts)
    for (side, s, p), vec in zip(jobs, vectors):
        (search.inp.X if side == "src" else search.inp.Y)[s, p] = vec
    if progress:
        progress("refine", len(texts), len(texts))
    # Joined-text vectors change scores only locally: search again near the first path.
    lo, hi = _path_band(beads, search.n, search.m, config.refine_window)
    search.lo, search.hi = np.maximum(lo, search.lo), np.minimum(hi, search.hi)
    search.hi = np.maximum(search.hi, search.lo)
    return _search(search, config, progress)


def _path_band(beads: list[Bead], n: int, m: int, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Band of ``window`` cells around the path of ``beads`` (rows and columns), monotone."""
    q_min = np.full(n + 1, m, dtype=np.int64)
    q_max = np.zeros(n + 1, dtype=np.int64)
    p = q = 0
    q_min[0] = q_max[0] = 0
    for bead in beads:
        for _ in bead.tgt:  # 0-1 steps stay on row p
            q += 1
            q_max[p] = max(q_max[p], q)
        p_next, q_next = p + len(bead.src), q
        q_min[p + 1 : p_next + 1] = np.minimum(q_min[p + 1 : p_next + 1], q - len(bead.tgt))
        q_max[p + 1 : p_next + 1] = np.maximum(q_max[p + 1 : p_next + 1], q_next)
        p = p_next
    lo = np.empty(n + 1, dtype=np.int64)
    hi = np.empty(n + 1, dtype=np.int64)
    for row in range(n + 1):
        rows = slice(max(0, row - window), row + window + 1)
        lo[row] = max(0, int(q_min[rows].min()) - window)
        hi[row] = min(m, int(q_max[rows].max()) + window)
    lo = np.minimum.accumulate(lo[::-1])[::-1]
    hi = np.maximum.accumulate(hi)
    lo[0], hi[-1] = 0, m
    return lo, np.maximum(hi, lo)


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


def _score_nulls(beads: list[Bead], src_emb: np.ndarray, tgt_emb: np.ndarray, stats: _Stats,
                 config: AlignConfig) -> None:
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
        best = float(np.max(pool[idx] @ vec - 0.5 * config.margin_weight * (knn_self + knn_pool[idx])))
        bead.score = float(1.0 - match_probability(best))


def _unit(vec: np.ndarray) -> np.ndarray:
    return vec / (np.linalg.norm(vec) or 1.0)


def _ids_vector(emb: np.ndarray, ids: Sequence[int]) -> np.ndarray:
    """Normalised sum of the embeddings of sentences ``ids``: one side of a bead, ``(dim,)``."""
    return _unit(emb[list(ids)].sum(axis=0))


def _counterpart(bead: Bead, side: str) -> tuple[int, ...]:
    """The ids on the other side of ``bead`` from ``side`` ("src" or "tgt")."""
    return bead.src if side == "tgt" else bead.tgt


def _contribution(emb_side: np.ndarray, other: np.ndarray, ids: tuple[int, ...], sent: int) -> float:
    """How much sentence ``sent`` adds to its bead's similarity (cos with it − cos without)."""
    rest = [i for i in ids if i != sent]
    with_it = float(_ids_vector(emb_side, ids) @ other)
    without = float(_ids_vector(emb_side, rest) @ other) if rest else 0.0
    return with_it - without


def _quote(texts: Sequence[str], i: int, width: int = 40) -> str:
    """A sentence for a reason text: quoted and shortened, or "sentence id i" without texts.

    Reasons quote text rather than numbers: the page numbers sentences from 1, exports from 0.
    """
    if not texts:
        return f"sentence id {i}"
    text = " ".join(texts[i].split())
    if len(text) > width:
        text = text[: width // 2 - 1] + " … " + text[-(width // 2 - 1):]
    return f"“{text}”"


def _dangling(text: str) -> bool:
    """The sentence stops on a word, with no punctuation at all ("… and will"): its end is
    elsewhere. (A verse line or a clause ending in a comma or dash does not count.)"""
    text = text.rstrip()
    return bool(text) and text[-1].isalnum()


def _orphan_start(text: str) -> bool:
    """The sentence's very first character is a lower-case letter ("not fire toward
    Manchukuo."): its start is elsewhere. (Dialogue opening with a dash does not count.)"""
    text = text.lstrip()
    return bool(text) and text[0].isalpha() and text[0].islower()


def detect_crossings(
    beads: list[Bead], src_emb: np.ndarray, tgt_emb: np.ndarray, stats: _Stats, config: AlignConfig,
    src_texts: Sequence[str] = (), tgt_texts: Sequence[str] = (), encoder=None,
) -> list[Crossing]:
    """Crossing-link candidates: sentences that the monotone path put in the wrong place.

    Two kinds of evidence (Bertalign and Vecalign assume monotone order; this pass looks
    for the out-of-order fragments that OCR of court exhibits produces):

    * **Similarity.** A sentence in a null bead, in a bead under ``config.low_confidence``,
      or adding almost nothing to its m-n bead (leave-one-out contribution under 0.02)
      whose top-k match two or more beads away beats its own bead by a clear margin and
      is a likely translation by the full margin criterion.
    * **Broken sentences.** A fragment that starts in lower case after a complete
      sentence ("not fire toward Manchukuo.") and a sentence on the same side that stops
      without terminal punctuation ("… and will") 1 to ``40`` beads away: the fragment is linked
      to that sentence's counterparts. With an encoder, the dangling sentence whose joined
      text with the fragment best matches its counterpart is preferred.

    Candidates at or above ``config.crossing_min`` are returned, best first.
    """
    if not beads or len(stats.src_top) == 0:
        return []
    src_bead = {i: k for k, b in enumerate(beads) for i in b.src}
    tgt_bead = {j: k for k, b in enumerate(beads) for j in b.tgt}
    found: dict[tuple, Crossing] = {}

    def add(src_ids: tuple, tgt_ids: tuple, score: float, reason: str) -> None:
        key = (src_ids, tgt_ids)
        if score >= config.crossing_min and (key not in found or found[key].score < score):
            found[key] = Crossing(src_ids, tgt_ids, round(score, 4), reason)

    def own_similarity(side: str, sent: int) -> float:
        bead = beads[tgt_bead[sent] if side == "tgt" else src_bead[sent]]
        other_ids, other_emb = _counterpart(bead, side), (src_emb if side == "tgt" else tgt_emb)
        if not other_ids:
            return 0.0
        vec = tgt_emb[sent] if side == "tgt" else src_emb[sent]
        return float(_ids_vector(other_emb, other_ids) @ vec)

    def check(side: str, sent: int) -> None:
        if side == "tgt":
            own_k, cands, vec, pool = tgt_bead[sent], stats.tgt_top[sent], tgt_emb[sent], src_emb
            other_bead, knn_self, knn_pool = src_bead, stats.tgt_knn[sent], stats.src_knn
        else:
            own_k, cands, vec, pool = src_bead[sent], stats.src_top[sent], src_emb[sent], tgt_emb
            other_bead, knn_self, knn_pool = tgt_bead, stats.src_knn[sent], stats.tgt_knn
        own = own_similarity(side, sent)
        for c in cands.tolist():
            k = other_bead[c]
            if abs(k - own_k) < 2:
                continue
            cos = float(pool[c] @ vec)
            # Clearly better there than where it is, and a likely translation on its own.
            # The second test uses the full margin (cosine minus the mean of both sides'
            # kNN similarity, Artetxe & Schwenk 2019 §3.1, as in find_anchors): raw cosine
            # alone made every omitted sentence a "crossing" with some same-topic sentence.
            score = float(match_probability(cos - own - 0.05)) if cos - own > 0.1 else 0.0
            margin = cos - 0.5 * float(knn_self + knn_pool[c])
            score = min(score, float(match_probability(margin)))
            src_ids, tgt_ids = ((c,), (sent,)) if side == "tgt" else ((sent,), (c,))
            mine, theirs = (tgt_texts, src_texts) if side == "tgt" else (src_texts, tgt_texts)
            add(src_ids, tgt_ids, score,
                f"{_quote(mine, sent)} matches {_quote(theirs, c)} elsewhere "
                f"(cosine {cos:.2f} there, {own:.2f} in its own bead)")

    for k, bead in enumerate(beads):
        if not bead.src or not bead.tgt or bead.score < config.low_confidence:
            for j in bead.tgt:
                check("tgt", j)
            for i in bead.src:
                check("src", i)
            continue
        src_vec, tgt_vec = _ids_vector(src_emb, bead.src), _ids_vector(tgt_emb, bead.tgt)
        for side, ids, emb, other in (("tgt", bead.tgt, tgt_emb, src_vec), ("src", bead.src, src_emb, tgt_vec)):
            if len(ids) > 1:
                for sent in ids:
                    if _contribution(emb, other, ids, sent) < 0.02:
                        check(side, sent)
    for side, texts, where in (("tgt", tgt_texts, tgt_bead), ("src", src_texts, src_bead)):
        _broken_sentences(side, texts, where, beads, tgt_emb if side == "tgt" else src_emb,
                          src_emb if side == "tgt" else tgt_emb, encoder, add)
    ranked = sorted(found.values(), key=lambda c: (-c.score, c.src, c.tgt))
    # A reviewer's queue, not a dump: at most one candidate per 50 beads (10 at least).
    return ranked[: max(10, len(beads) // 50)]


def _broken_sentences(side: str, texts: Sequence[str], where: dict[int, int], beads: list[Bead],
                      own_emb: np.ndarray, other_emb: np.ndarray, encoder, add) -> None:
    """Link lower-case fragments to dangling sentences elsewhere (see :func:`detect_crossings`)."""
    dangling = [i for i, t in enumerate(texts) if _dangling(t)]
    for f, text in enumerate(texts):
        if not _orphan_start(text) or (f > 0 and _dangling(texts[f - 1])):
            continue  # it continues the sentence before it: not displaced
        if len(text.split()) < 2:
            continue  # a lone word ("ago.") is as likely what a lacuna left as a moved line
        # A host in the next bead counts (a full sentence lies between them: f != d + 1).
        hosts = [d for d in dangling if d != f - 1 and 1 <= abs(where[d] - where[f]) <= 40]
        hosts = [d for d in hosts if _counterpart(beads[where[d]], side)]
        hosts = sorted(hosts, key=lambda d: abs(where[d] - where[f]))[:6]  # the nearest few
        if not hosts:
            continue
        # How well the fragment, alone and joined to the host, matches the host's counterpart.
        counterparts = [_ids_vector(other_emb, _counterpart(beads[where[d]], side)) for d in hosts]
        fits = [float(own_emb[f] @ vec) for vec in counterparts]
        if encoder is not None:
            joined = encoder.encode([f"{texts[d]} {text}" for d in hosts])
            fits = [fit + float(joined[n] @ counterparts[n]) for n, fit in enumerate(fits)]
        order = sorted(range(len(hosts)), key=lambda n: (-fits[n], abs(where[hosts[n]] - where[f])))
        for rank, n in enumerate(order[:2]):
            d = hosts[n]
            counterpart = _counterpart(beads[where[d]], side)
            src_ids, tgt_ids = (tuple(counterpart), (f,)) if side == "tgt" else ((f,), tuple(counterpart))
            add(src_ids, tgt_ids, 0.8 if rank == 0 else 0.65,
                f"the fragment {_quote(texts, f)} starts in lower case and {_quote(texts, d)} "
                "stops mid-sentence: the fragment may continue it (OCR line displacement)")


def align_texts(
    src: Sequence[str],
    tgt: Sequence[str],
    encoder,
    config: AlignConfig | None = None,
    progress: ProgressFn | None = None,
) -> Alignment:
    """Align source sentences ``src`` to target sentences ``tgt``.

    ``encoder`` follows :class:`aligner.embed.Encoder`. Each sentence is encoded once. If
    the encoder offers pooled windows (``encoder.pooling``, the default use-m3 does), every
    joined window's embedding is built from that pass and its seams
    (:mod:`aligner.pooling`); otherwise joined texts are encoded only around uncertain
    beads (the refine pass, bounded by ``config.refine_budget``).
    ``progress(stage, done, total)`` is called as work advances.

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
    windows = None
    pooled, seams = config.window_plan(encoder, len(src) + len(tgt))
    if pooled:
        # Every joined window's embedding from one pass over the sentences (aligner.pooling).
        windows = (encoder.window_embeddings(src, config.max_side, seams),
                   encoder.window_embeddings(tgt, config.max_side, seams))
        src_emb, tgt_emb = windows[0][1, 1:], windows[1][1, 1:]
    else:
        # One call for both sides: the encoder batches by length across them.
        both = encoder.encode(list(src) + list(tgt))
        src_emb, tgt_emb = both[: len(src)], both[len(src) :]
    if progress:
        progress("prepare", 0, 1)
    if not src or not tgt:
        beads = _all_null(len(src), len(tgt))
        stats = None
    else:
        search = _prepare(src_emb, tgt_emb, [len(x) for x in src], [len(t) for t in tgt], config,
                          windows)
        beads = _search(search, config, progress)
        if config.refine_budget > 0 and windows is None:
            beads = _refine(search, beads, src, tgt, encoder, config, progress)
        stats = search.stats
        _score_nulls(beads, src_emb, tgt_emb, stats, config)
    crossings = (detect_crossings(beads, src_emb, tgt_emb, stats, config, src, tgt, encoder)
                 if stats else [])
    _flag(beads, crossings, config)
    return Alignment(
        beads=beads,
        crossings=crossings,
        encoder=f"{encoder.name} {getattr(encoder, 'version', '')}".strip(),
        params=asdict(config),
    )


def align_documents(src_doc: Document, tgt_doc: Document, encoder, config: AlignConfig | None = None,
                    progress: ProgressFn | None = None) -> Alignment:
    """Align two segmented :class:`~aligner.types.Document` objects (source, translation).

    As :func:`align_texts`, plus crossing candidates for OCR lines that read better
    elsewhere (:func:`aligner.lineorder.line_crossings`; needs the documents' line breaks)."""
    from aligner.lineorder import line_crossings

    config = config or AlignConfig()
    alignment = align_texts(src_doc.texts, tgt_doc.texts, encoder, config, progress)
    if progress:
        progress("crossings", 0, 1)
    lines = [c for c in line_crossings(src_doc, tgt_doc, alignment.beads, encoder)
             if c.score >= config.crossing_min]
    # Where the line evidence places a fragment, the guesses for the same fragment go.
    placed_src = {c.src for c in lines}
    placed_tgt = {c.tgt for c in lines}
    found = {(c.src, c.tgt): c for c in alignment.crossings
             if c.tgt not in placed_tgt and c.src not in placed_src}
    for c in lines:
        if (c.src, c.tgt) not in found or found[(c.src, c.tgt)].score < c.score:
            found[(c.src, c.tgt)] = c
    alignment.crossings = sorted(found.values(), key=lambda c: (-c.score, c.src, c.tgt))
    _flag(alignment.beads, alignment.crossings, config)
    return alignment


def _flag(beads: list[Bead], crossings: list[Crossing], config: AlignConfig) -> None:
    """Set review flags: omission, addition, low-confidence, crossing-candidate."""
    crossing_src = {i for c in crossings for i in c.src}
    crossing_tgt = {j for c in crossings for j in c.tgt}
    partial = config.min_bead_similarity is not None  # 1-0/0-1 are what a partial rendering is
    for bead in beads:
        flags = []
        if bead.src and not bead.tgt and not partial:
            flags.append("omission")
        if bead.tgt and not bead.src and not partial:
            flags.append("addition")
        if bead.score < config.low_confidence:
            flags.append("low-confidence")
        if crossing_src.intersection(bead.src) or crossing_tgt.intersection(bead.tgt):
            flags.append("crossing-candidate")
        bead.flags = flags
        bead.score = round(min(max(float(bead.score), 0.0), 1.0), 4)
