"""The post-pass's bead score: a logistic model of P(bead is exactly right) over features of
the bead (similarities, margins, length, how much each edge sentence adds, shape) and the
text evidence of :mod:`aligner.align.evidence`.

A learned re-scorer over bead features is what CroCoAlign (Molfese et al., EACL 2024) adds
on top of embedding similarity; the "does each sentence of a merged bead add to it" checks
follow SentAlign (Steingrímsson et al. 2023, §3.3), which re-examines every merge after
the search. :data:`DEFAULT_WEIGHTS` were fitted by ``bench/fit_rescorer.py`` on the tuning
sets (Text+Berg, MAC-Dev, NTREX ru-en perturbed); :func:`fit_weights` re-fits them on a
project's confirmed beads (:mod:`aligner.adapt`).
"""

from __future__ import annotations

import numpy as np

from aligner.align.config import AlignConfig
from aligner.align.dp import _Inputs
from aligner.align.evidence import SentenceEvidence, evidence_features
from aligner.align.windows import _length_penalty

#: Feature names, in column order of :func:`bead_features`.
FEATURES: tuple[str, ...] = (
    "search", "bias", "null", "cos", "neighbour", "knn", "length", "drop_src", "drop_tgt", "extra",
    "many_many", "null_best", "pull_out", "push_in", "contrast", "num_both", "num_one", "name_both", "name_one", "quote",
    "junk_in", "junk_null",
)
EVIDENCE = ("num_both", "num_one", "name_both", "name_one", "quote", "junk_in", "junk_null")

#: The default weights (0 for any feature not named), fitted by ``bench/fit_rescorer.py``
#: (module docstring); ``search`` stays 1, so the score is in the search's units.
FITTED: dict[str, float] = {
    "search": 1.0, "neighbour": 0.13, "length": 0.01, "drop_src": 0.07, "many_many": -0.02,
    "null_best": 0.1, "pull_out": -0.1, "push_in": -0.1, "contrast": 0.2, "num_both": 0.1,
    "num_one": -0.1, "name_both": 0.04, "name_one": -0.01, "quote": -0.1, "junk_in": -0.13,
}
DEFAULT_WEIGHTS = np.array([FITTED.get(name, 0.0) for name in FEATURES])

_CHUNK = 16384  # candidates per block: bounds the gathered (block, dim) window vectors


def _dot(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", A, B)


def bead_features(inp: _Inputs, i0: np.ndarray, i1: np.ndarray, j0: np.ndarray, j1: np.ndarray,
                  config: AlignConfig, src_ev: SentenceEvidence | None = None,
                  tgt_ev: SentenceEvidence | None = None,
                  evidence: tuple[str, ...] = EVIDENCE) -> np.ndarray:
    """Features ``(k, len(FEATURES))`` float32 of the beads src[i0:i1] ↔ tgt[j0:j1].

    ``inp`` holds the search's window vectors and statistics (:class:`~aligner.align.dp._Inputs`);
    ``i0..j1`` are ``(k,)`` int arrays, a bead of ``a = i1 - i0`` source and ``b = j1 - j0``
    target sentences (a 1-0 or 0-1 bead has one side empty). ``evidence`` names the evidence
    features to fill (the others stay 0: an ablation, or a feature that did not earn its
    place). Columns: search (the bead's score in the search, :func:`aligner.align.dp._bead_scores`
    with ``config``; ``config.skip`` for a 1-0/0-1 bead), bias, null, cos (bead cosine), neighbour (cos minus the mean cosine of each side
    with the other side's adjacent sentences, Bertalign §3.2), knn (mean kNN similarity of
    the two sides, Artetxe & Schwenk 2019), length (log of the length penalty with the
    bitext's exponent), drop_src/drop_tgt (the cosine lost by dropping the weaker edge
    sentence of a side of 2+ sentences; below 0 when the bead is better without it), extra
    (sentences beyond 2), many_many (both sides 2+), null_best (a 1-0/0-1 sentence's best
    margin similarity to the other side within 2 sentences: high means it has a partner).
    """
    n, m = inp.X.shape[1] - 1, inp.Y.shape[1] - 1
    a, b = i1 - i0, j1 - j0
    k = len(i0)
    out = np.zeros((k, len(FEATURES)), dtype=np.float32)
    col = {name: c for c, name in enumerate(FEATURES)}
    out[:, col["bias"]] = 1.0
    linked = np.nonzero((a > 0) & (b > 0))[0]
    for start in range(0, len(linked), _CHUNK):
        r = linked[start : start + _CHUNK]
        ar, br, p, q = a[r], b[r], i1[r], j1[r]
        xs, ys = inp.X[ar, p], inp.Y[br, q]
        cos = _dot(xs, ys)
        # Neighbour similarities: each side against the other side's adjacent sentences.
        before_s, after_s = (i0[r] >= 1).astype(np.float32), (p < n).astype(np.float32)
        before_t, after_t = (j0[r] >= 1).astype(np.float32), (q < m).astype(np.float32)
        s_nb = (_dot(ys, inp.X[1, np.maximum(i0[r], 0)]) * before_s
                + _dot(ys, inp.X[1, np.minimum(p + 1, n)]) * after_s) / np.maximum(before_s + after_s, 1)
        t_nb = (_dot(xs, inp.Y[1, np.maximum(j0[r], 0)]) * before_t
                + _dot(xs, inp.Y[1, np.minimum(q + 1, m)]) * after_t) / np.maximum(before_t + after_t, 1)
        out[r, col["cos"]] = cos
        out[r, col["neighbour"]] = cos - 0.5 * (s_nb + t_nb)
        out[r, col["knn"]] = 0.5 * (inp.src_knn[ar, p] + inp.tgt_knn[br, q])
        penalty = _length_penalty(inp.src_len[ar, p], inp.tgt_len[br, q])
        out[r, col["length"]] = inp.length_power * np.log(np.maximum(penalty, 1e-3))
        multi = ar >= 2
        if multi.any():
            rr, xs_m = np.nonzero(multi)[0], ys[multi]
            first = _dot(inp.X[ar[rr] - 1, p[rr]], xs_m)  # without the first source sentence
            last = _dot(inp.X[ar[rr] - 1, p[rr] - 1], xs_m)  # without the last
            out[r[rr], col["drop_src"]] = cos[rr] - np.maximum(first, last)
        multi = br >= 2
        if multi.any():
            rr, xs_m = np.nonzero(multi)[0], xs[multi]
            first = _dot(inp.Y[br[rr] - 1, q[rr]], xs_m)
            last = _dot(inp.Y[br[rr] - 1, q[rr] - 1], xs_m)
            out[r[rr], col["drop_tgt"]] = cos[rr] - np.maximum(first, last)
        out[r, col["pull_out"]], out[r, col["push_in"]] = _boundary(inp, i0[r], p, j0[r], q, xs, ys)
        out[r, col["contrast"]] = _contrast(inp, i0[r], p, j0[r], q)
        out[r, col["extra"]] = np.maximum(ar + br - 2, 0)
        out[r, col["search"]] = _search_score(cos, s_nb, t_nb, out[r, col["knn"]], penalty, ar, br,
                                              inp.length_power, config)
        out[r, col["many_many"]] = (ar >= 2) & (br >= 2)
    nulls = np.nonzero((a == 0) | (b == 0))[0]
    if len(nulls):
        out[nulls, col["null"]] = 1.0
        out[nulls, col["search"]] = config.skip
        out[nulls, col["null_best"]] = _null_best(inp, i0[nulls], i1[nulls], j0[nulls], j1[nulls])
    if src_ev is not None and tgt_ev is not None and evidence:
        ev = evidence_features(src_ev, tgt_ev, i0, i1, j0, j1)
        for c, name in enumerate(EVIDENCE):
            if name in evidence:
                out[:, col[name]] = ev[:, c]
    return out


_CLIP = 0.3  # preferences beyond this say nothing more


def _boundary(inp: _Inputs, i0, i1, j0, j1, xs, ys) -> tuple[np.ndarray, np.ndarray]:
    """Whether the bead's boundaries sit right, against the sentences next to them.

    ``pull_out``: the most any sentence just outside the bead prefers the bead's other side
    to its own rival (the other side's sentence on the same side of the bead); above 0, the
    boundary should probably move outward. ``push_in``: the most any edge sentence of a side
    of 2+ sentences prefers the other side's sentence just outside to the bead; above 0, it
    should probably leave. Both are cosine differences clipped to ±0.3; 0 where no sentence
    is there to compare."""
    n, m = inp.X.shape[1] - 1, inp.Y.shape[1] - 1
    X1, Y1 = inp.X[1], inp.Y[1]
    a, b = i1 - i0, j1 - j0
    has_ps, has_ns = i0 >= 1, i1 < n
    has_pt, has_nt = j0 >= 1, j1 < m
    prev_s, next_s = X1[np.maximum(i0, 0)], X1[np.minimum(i1 + 1, n)]
    prev_t, next_t = Y1[np.maximum(j0, 0)], Y1[np.minimum(j1 + 1, m)]
    low = np.full(len(i0), -_CLIP, dtype=np.float32)
    pull = low.copy()
    for ok, pref in (
        (has_nt & has_ns, _dot(xs, next_t) - _dot(next_s, next_t)),
        (has_pt & has_ps, _dot(xs, prev_t) - _dot(prev_s, prev_t)),
        (has_ns & has_nt, _dot(ys, next_s) - _dot(next_t, next_s)),
        (has_ps & has_pt, _dot(ys, prev_s) - _dot(prev_t, prev_s)),
    ):
        pull = np.where(ok, np.maximum(pull, pref), pull)
    push = low.copy()
    first_t, last_t = Y1[np.minimum(j0 + 1, m)], Y1[j1]
    first_s, last_s = X1[np.minimum(i0 + 1, n)], X1[i1]
    for ok, pref in (
        ((b >= 2) & has_ps, _dot(prev_s, first_t) - _dot(xs, first_t)),
        ((b >= 2) & has_ns, _dot(next_s, last_t) - _dot(xs, last_t)),
        ((a >= 2) & has_pt, _dot(prev_t, first_s) - _dot(ys, first_s)),
        ((a >= 2) & has_nt, _dot(next_t, last_s) - _dot(ys, last_s)),
    ):
        push = np.where(ok, np.maximum(push, pref), push)
    pull = np.where(pull == -_CLIP, 0.0, pull)
    push = np.where(push == -_CLIP, 0.0, push)
    return np.clip(pull, -_CLIP, _CLIP), np.clip(push, -_CLIP, _CLIP)


def _contrast(inp: _Inputs, i0, i1, j0, j1) -> np.ndarray:
    """For a bead with 2+ sentences a side: how much better its best split into two beads
    pairs the parts along the diagonal than across, ``max_(k,l) [cos(A1,B1) + cos(A2,B2) -
    cos(A1,B2) - cos(A2,B1)] / 2``; high means two beads side by side, low means one
    rendering whose parts cross (0 for other beads). SentAlign's "split when the parts
    score as well apart" test (§3.3), made symmetric."""
    a, b = i1 - i0, j1 - j0
    out = np.zeros(len(i0), dtype=np.float32)
    best = np.full(len(i0), -np.inf, dtype=np.float32)
    for k in range(1, max(int(a.max(initial=0)), 1)):
        for l in range(1, max(int(b.max(initial=0)), 1)):
            ok = (a > k) & (b > l)
            if not ok.any():
                continue
            r = np.nonzero(ok)[0]
            A1, A2 = inp.X[k, i0[r] + k], inp.X[a[r] - k, i1[r]]
            B1, B2 = inp.Y[l, j0[r] + l], inp.Y[b[r] - l, j1[r]]
            val = (_dot(A1, B1) + _dot(A2, B2) - _dot(A1, B2) - _dot(A2, B1)) / 2
            best[r] = np.maximum(best[r], val)
    return np.where(np.isfinite(best), best, out)


def _search_score(cos, s_nb, t_nb, knn, penalty, a, b, power, config: AlignConfig) -> np.ndarray:
    """The search's score of linked beads, as :func:`aligner.align.dp._bead_scores` computes it."""
    score = cos - 0.5 * config.neighbour_margin * (s_nb + t_nb)
    if config.margin:
        score = score - config.margin_weight * knn
    if config.length_penalty:
        score = score * penalty ** power
    if config.min_bead_similarity is not None:
        score = score - config.min_bead_similarity * (a + b) / 2
    return score


def _null_best(inp: _Inputs, i0: np.ndarray, i1: np.ndarray, j0: np.ndarray, j1: np.ndarray) -> np.ndarray:
    """Best kNN-margin similarity of each 1-0/0-1 bead's sentence to the other side's
    sentences within 2 positions of where it sits (``(k,)``; -1 if there are none)."""
    n, m = inp.X.shape[1] - 1, inp.Y.shape[1] - 1
    src_side = i1 > i0
    best = np.full(len(i0), -1.0, dtype=np.float32)
    for d in (-2, -1, 0, 1):
        # The sentence's vector and knn; the partner's position on the other side.
        own = np.where(src_side, i1, j1)
        other = np.where(src_side, j0 + d, i0 + d) + 1  # window end of one sentence
        limit = np.where(src_side, m, n)
        ok = (other >= 1) & (other <= limit)
        if not ok.any():
            continue
        own_c, other_c = np.clip(own, 0, None), np.clip(other, 1, np.maximum(limit, 1))
        vec = np.where(src_side[:, None], inp.X[1, np.minimum(own_c, n)], inp.Y[1, np.minimum(own_c, m)])
        par = np.where(src_side[:, None], inp.Y[1, np.minimum(other_c, m)], inp.X[1, np.minimum(other_c, n)])
        knn = np.where(src_side, inp.src_knn[1, np.minimum(own_c, n)] + inp.tgt_knn[1, np.minimum(other_c, m)],
                       inp.tgt_knn[1, np.minimum(own_c, m)] + inp.src_knn[1, np.minimum(other_c, n)])
        sim = _dot(vec, par) - 0.25 * knn
        best = np.where(ok, np.maximum(best, sim), best)
    return best


def logits(features: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``(k,)`` log-odds that each bead is right: ``features @ weights``."""
    return features @ np.asarray(weights, dtype=np.float32)


def fit_weights(features: np.ndarray, labels: np.ndarray, prior: np.ndarray | None = None,
                strength: float = 1.0, sample_weight: np.ndarray | None = None,
                iterations: int = 25) -> np.ndarray:
    """Logistic regression by Newton's method (IRLS), with a Gaussian prior on the weights.

    Minimises ``-Σ w_i log-likelihood_i + strength/2 · |weights - prior|²`` (the bias too),
    i.e. MAP estimation centred on ``prior`` (default 0): with few examples the result stays
    near the prior — the default weights, when a project's confirmed beads re-fit them.
    ``features`` ``(k, F)``, ``labels`` ``(k,)`` in {0, 1}. Returns ``(F,)`` float64.
    """
    X = np.asarray(features, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    sw = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    w0 = np.zeros(X.shape[1]) if prior is None else np.asarray(prior, dtype=np.float64)
    w = w0.copy()
    for _ in range(iterations):
        z = np.clip(X @ w, -30, 30)
        p = 1.0 / (1.0 + np.exp(-z))
        grad = X.T @ (sw * (p - y)) + strength * (w - w0)
        hess = (X * (sw * p * (1 - p))[:, None]).T @ X + strength * np.eye(X.shape[1])
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-6:
            break
    return w
