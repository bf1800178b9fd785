"""One bitext's search: cost fill, dynamic programme, beads with confidences, the refine
pass (encoders without pooled windows) and the confidence of null beads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from aligner.align.anchors import _band, find_anchors
from aligner.align.config import AlignConfig
from aligner.align.dp import ProgressFn, _dynamic_programme, _Inputs
from aligner.align.scores import _similarity_stats, _Stats, confidence, match_probability
from aligner.align.windows import (
    _length_power,
    _weights,
    _window_lengths,
    _window_means,
    _window_sums,
)
from aligner.types import Bead


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
