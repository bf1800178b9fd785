"""The post-pass's bead score: a linear score over features of a bead (its score in the
search, similarities and margins, length, how much each edge sentence adds, how well its
boundaries sit against the sentences around, shape) and the text evidence of
:mod:`aligner.align.evidence`, in the search's own units (``search`` has weight 1).

A learned re-scorer over bead features is what CroCoAlign (Molfese et al., EACL 2024) adds
on top of embedding similarity; the "does each sentence of a merged bead add to it" checks
(``drop_src``/``drop_tgt``, ``contrast``) follow SentAlign (Steingrímsson et al. 2023,
§3.3), which re-examines every merge after the search. :data:`FITTED` was fitted by
``bench/fit_rescorer.py`` on the tuning sets (Text+Berg, MAC-Dev, NTREX ru-en perturbed;
MAC-Test and the non-literary set only checked), directly on F1 by coordinate ascent;
:mod:`aligner.adapt` re-fits some weights on a project's confirmed beads. The weights of
``bias``, ``null``, ``length``, ``drop_tgt``, ``extra``, ``many_many``, ``name_both``,
``name_one`` and ``junk_null`` came out 0: they are kept as features for the adaptation.
"""

from __future__ import annotations

import numpy as np

from aligner.align.config import AlignConfig
from aligner.align.dp import _Inputs
from aligner.align.evidence import SentenceEvidence, evidence_features
from aligner.align.windows import _length_penalty

#: Feature names, in column order of :func:`bead_features`.
FEATURES: tuple[str, ...] = (
    "search", "bias", "null", "cos", "neighbour", "knn", "length", "drop_src", "drop_tgt",
    "extra", "many_many", "null_best", "pull_out", "push_in", "contrast", "num_both", "num_one",
    "name_both", "name_one", "quote", "junk_in", "junk_null",
)
EVIDENCE = ("num_both", "num_one", "name_both", "name_one", "quote", "junk_in", "junk_null")

#: The default weights (0 for any feature not named), fitted by ``bench/fit_rescorer.py``
#: (module docstring); ``search`` stays 1, so the score is in the search's units.
FITTED: dict[str, float] = {
    "search": 1.0, "cos": 0.2, "neighbour": 0.07, "knn": -0.1, "drop_src": 0.2, "null_best": 0.1,
    "pull_out": -0.1, "push_in": -0.13, "contrast": 0.1, "num_both": -0.03, "num_one": -0.17,
    "quote": -0.1, "junk_in": -0.1,
}
DEFAULT_WEIGHTS = np.array([FITTED.get(name, 0.0) for name in FEATURES])

_CHUNK = 8192  # window pairs per block: bounds the gathered (block, dim) vectors
_CLIP = 0.3  # boundary preferences beyond this say nothing more


class _Sims:
    """Cosines of source windows ``X[a, p]`` with target windows ``Y[b, q]``, computed once
    per distinct pair: the candidates of neighbouring stretches ask for the same pairs
    (the same sentence next to many candidate beads) again and again."""

    def __init__(self, inp: _Inputs):
        self.X = inp.X.reshape(-1, inp.X.shape[-1])
        self.Y = inp.Y.reshape(-1, inp.Y.shape[-1])
        self.x_len, self.y_len = inp.X.shape[1], inp.Y.shape[1]

    def __call__(self, a: np.ndarray, p: np.ndarray, b: np.ndarray, q: np.ndarray) -> np.ndarray:
        """``(k,)`` float32 cosines of X[a, p] and Y[b, q] (int arrays of one length)."""
        return self.many([(a, p, b, q)])[0]

    def many(self, requests: list[tuple]) -> list[np.ndarray]:
        """Several requests ``(a, p, b, q)`` at once (one pass over their distinct pairs)."""
        keys = [(np.asarray(a, dtype=np.int64) * self.x_len + p) * len(self.Y)
                + np.asarray(b, dtype=np.int64) * self.y_len + q for a, p, b, q in requests]
        sizes = np.cumsum([len(k) for k in keys])[:-1]
        return np.split(self._lookup(np.concatenate(keys)), sizes)

    def _lookup(self, wanted: np.ndarray) -> np.ndarray:
        keys, inverse = np.unique(wanted, return_inverse=True)
        ux, uy = keys // len(self.Y), keys % len(self.Y)
        values = np.empty(len(keys), dtype=np.float32)
        for start in range(0, len(keys), _CHUNK):
            block = slice(start, start + _CHUNK)
            values[block] = np.einsum("ij,ij->i", self.X[ux[block]], self.Y[uy[block]])
        return values[inverse.reshape(-1)]


def bead_features(inp: _Inputs, i0: np.ndarray, i1: np.ndarray, j0: np.ndarray, j1: np.ndarray,
                  config: AlignConfig, src_ev: SentenceEvidence | None = None,
                  tgt_ev: SentenceEvidence | None = None,
                  evidence: tuple[str, ...] = EVIDENCE) -> np.ndarray:
    """Features ``(k, len(FEATURES))`` float32 of the beads src[i0:i1] ↔ tgt[j0:j1].

    ``inp`` holds the search's window vectors and statistics (:class:`~aligner.align.dp._Inputs`);
    ``i0..j1`` are ``(k,)`` int arrays, a bead of ``a = i1 - i0`` source and ``b = j1 - j0``
    target sentences (a 1-0 or 0-1 bead has one side empty). ``evidence`` names the evidence
    features to fill (the others stay 0, as in an ablation). Columns: search (the bead's
    score in the search, as :func:`aligner.align.dp._bead_scores` computes it with
    ``config``; ``config.skip`` for a 1-0/0-1 bead), bias (1), null (1 for a 1-0/0-1 bead),
    cos (bead cosine), neighbour (cos minus the mean cosine of each side with the other
    side's adjacent sentences, Bertalign §3.2), knn (mean kNN similarity of the two sides,
    Artetxe & Schwenk 2019), length (log of the length penalty with the bitext's exponent),
    drop_src/drop_tgt (the cosine lost by dropping the weaker edge sentence of a side of 2+
    sentences; below 0 when the bead is better without it), extra (sentences beyond 2),
    many_many (both sides 2+), null_best (a 1-0/0-1 sentence's best kNN-margin similarity
    to the other side within 2 sentences of where it sits), pull_out/push_in
    (:func:`_boundary`), contrast (:func:`_contrast`), then the evidence columns
    (:func:`aligner.align.evidence.evidence_features`).
    """
    n, m = inp.X.shape[1] - 1, inp.Y.shape[1] - 1
    sims = _Sims(inp)
    a, b = i1 - i0, j1 - j0
    out = np.zeros((len(i0), len(FEATURES)), dtype=np.float32)
    col = {name: c for c, name in enumerate(FEATURES)}
    out[:, col["bias"]] = 1.0
    r = np.nonzero((a > 0) & (b > 0))[0]
    ar, br, p, q, p0, q0 = a[r], b[r], i1[r], j1[r], i0[r], j0[r]
    one = np.ones_like(p)
    # Neighbour similarities: each side against the other side's adjacent sentences.
    before_s, after_s = (p0 >= 1).astype(np.float32), (p < n).astype(np.float32)
    before_t, after_t = (q0 >= 1).astype(np.float32), (q < m).astype(np.float32)
    cos, s_before, s_after, t_before, t_after = sims.many([
        (ar, p, br, q), (one, np.maximum(p0, 0), br, q), (one, np.minimum(p + 1, n), br, q),
        (ar, p, one, np.maximum(q0, 0)), (ar, p, one, np.minimum(q + 1, m))])
    s_nb = (s_before * before_s + s_after * after_s) / np.maximum(before_s + after_s, 1)
    t_nb = (t_before * before_t + t_after * after_t) / np.maximum(before_t + after_t, 1)
    out[r, col["cos"]] = cos
    out[r, col["neighbour"]] = cos - 0.5 * (s_nb + t_nb)
    out[r, col["knn"]] = 0.5 * (inp.src_knn[ar, p] + inp.tgt_knn[br, q])
    penalty = _length_penalty(inp.src_len[ar, p], inp.tgt_len[br, q])
    out[r, col["length"]] = inp.length_power * np.log(np.maximum(penalty, 1e-3))
    rs, rt = np.nonzero(ar >= 2)[0], np.nonzero(br >= 2)[0]
    # Each side without its first sentence, and without its last.
    first_s, last_s, first_t, last_t = sims.many([
        (ar[rs] - 1, p[rs], br[rs], q[rs]), (ar[rs] - 1, p[rs] - 1, br[rs], q[rs]),
        (ar[rt], p[rt], br[rt] - 1, q[rt]), (ar[rt], p[rt], br[rt] - 1, q[rt] - 1)])
    out[r[rs], col["drop_src"]] = cos[rs] - np.maximum(first_s, last_s)
    out[r[rt], col["drop_tgt"]] = cos[rt] - np.maximum(first_t, last_t)
    out[r, col["pull_out"]], out[r, col["push_in"]] = _boundary(sims, n, m, p0, p, q0, q)
    out[r, col["contrast"]] = _contrast(sims, p0, p, q0, q)
    out[r, col["extra"]] = np.maximum(ar + br - 2, 0)
    out[r, col["many_many"]] = (ar >= 2) & (br >= 2)
    out[r, col["search"]] = _search_score(cos, s_nb, t_nb, out[r, col["knn"]], penalty, ar, br,
                                          inp.length_power, config)
    nulls = np.nonzero((a == 0) | (b == 0))[0]
    if len(nulls):
        out[nulls, col["null"]] = 1.0
        out[nulls, col["search"]] = config.skip
        out[nulls, col["null_best"]] = _null_best(inp, sims, i0[nulls], i1[nulls], j0[nulls], j1[nulls])
    if src_ev is not None and tgt_ev is not None and evidence:
        ev = evidence_features(src_ev, tgt_ev, i0, i1, j0, j1)
        for c, name in enumerate(EVIDENCE):
            if name in evidence:
                out[:, col[name]] = ev[:, c]
    return out


def _boundary(sims: _Sims, n: int, m: int, i0, i1, j0, j1) -> tuple[np.ndarray, np.ndarray]:
    """Whether a linked bead's boundaries sit right, against the sentences next to them.

    ``pull_out``: the most any sentence just outside the bead prefers the bead's other side
    to its rival (the other side's sentence on the same side of the bead); above 0, the
    boundary should probably move outward. ``push_in``: the most any edge sentence of a side
    of 2+ sentences prefers the other side's sentence just outside to the bead; above 0, it
    should probably leave. Cosine differences up to 0.3; 0 where there is nothing to compare
    (a text's edge) and where the preference is below -0.3 (the sentences around clearly
    belong where they are: the feature speaks only near a close call). ``(k,)`` float32 each."""
    a, b = i1 - i0, j1 - j0
    one = np.ones_like(i0)
    ps, ns = np.maximum(i0, 0), np.minimum(i1 + 1, n)  # window ends of the sentences around
    pt, nt = np.maximum(j0, 0), np.minimum(j1 + 1, m)
    has_p, has_n = (i0 >= 1) & (j0 >= 1), (i1 < n) & (j1 < m)
    first_t, first_s = np.minimum(j0 + 1, m), np.minimum(i0 + 1, n)
    (rival_n, rival_p, next_t, prev_t, next_s, prev_s, s_first_t, x_first_t, s_last_t, x_last_t,
     t_first_s, y_first_s, t_last_s, y_last_s) = sims.many([
        (one, ns, one, nt), (one, ps, one, pt),
        (a, i1, one, nt), (a, i1, one, pt), (one, ns, b, j1), (one, ps, b, j1),
        (one, ps, one, first_t), (a, i1, one, first_t), (one, ns, one, j1), (a, i1, one, j1),
        (one, first_s, one, pt), (one, first_s, b, j1), (one, i1, one, nt), (one, i1, b, j1)])
    pull = np.full(len(i0), -np.inf, dtype=np.float32)
    for ok, pref in ((has_n, next_t - rival_n), (has_p, prev_t - rival_p),
                     (has_n, next_s - rival_n), (has_p, prev_s - rival_p)):
        pull = np.where(ok, np.maximum(pull, pref), pull)
    push = np.full(len(i0), -np.inf, dtype=np.float32)
    for ok, pref in (((b >= 2) & (i0 >= 1), s_first_t - x_first_t),
                     ((b >= 2) & (i1 < n), s_last_t - x_last_t),
                     ((a >= 2) & (j0 >= 1), t_first_s - y_first_s),
                     ((a >= 2) & (j1 < m), t_last_s - y_last_s)):
        push = np.where(ok, np.maximum(push, pref), push)
    pull = np.where(pull > -_CLIP, np.minimum(pull, _CLIP), 0.0)
    push = np.where(push > -_CLIP, np.minimum(push, _CLIP), 0.0)
    return pull.astype(np.float32), push.astype(np.float32)


def _contrast(sims: _Sims, i0, i1, j0, j1) -> np.ndarray:
    """For a bead with 2+ sentences a side: how much better its best split into two beads
    pairs the parts along the diagonal than across, ``max_(k,l) [cos(A1,B1) + cos(A2,B2) -
    cos(A1,B2) - cos(A2,B1)] / 2``; high means two beads side by side, low means one
    rendering whose parts cross (0 for other beads). SentAlign's "split when the parts
    score as well apart" test (§3.3), made symmetric."""
    a, b = i1 - i0, j1 - j0
    best = np.full(len(i0), -np.inf, dtype=np.float32)
    rows, requests = [], []
    for k in range(1, max(int(a.max(initial=0)), 1)):
        for l in range(1, max(int(b.max(initial=0)), 1)):
            r = np.nonzero((a > k) & (b > l))[0]
            if not len(r):
                continue
            a1, a2, b1, b2 = np.full(len(r), k), a[r] - k, np.full(len(r), l), b[r] - l  # part sizes
            e1, e2, f1, f2 = i0[r] + k, i1[r], j0[r] + l, j1[r]  # part window ends
            rows.append(r)
            requests += [(a1, e1, b1, f1), (a2, e2, b2, f2), (a1, e1, b2, f2), (a2, e2, b1, f1)]
    values = sims.many(requests) if requests else []
    for n_split, r in enumerate(rows):
        d1, d2, x1, x2 = values[4 * n_split : 4 * n_split + 4]
        best[r] = np.maximum(best[r], (d1 + d2 - x1 - x2) / 2)
    return np.where(np.isfinite(best), best, 0.0)


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


def _null_best(inp: _Inputs, sims: _Sims, i0: np.ndarray, i1: np.ndarray, j0: np.ndarray,
               j1: np.ndarray) -> np.ndarray:
    """Best kNN-margin similarity of each 1-0/0-1 bead's sentence to the other side's
    sentences within 2 positions of where it sits (``(k,)``; -1 if there are none)."""
    n, m = inp.X.shape[1] - 1, inp.Y.shape[1] - 1
    src_side = i1 > i0
    one = np.ones_like(i0)
    best = np.full(len(i0), -1.0, dtype=np.float32)
    for d in (-2, -1, 0, 1):
        # Window ends (one sentence) of the source and the target sentence compared.
        p = np.where(src_side, i1, i0 + d + 1)
        q = np.where(src_side, j0 + d + 1, j1)
        ok = (p >= 1) & (p <= n) & (q >= 1) & (q <= m)
        if not ok.any():
            continue
        p, q = np.clip(p, 1, max(n, 1)), np.clip(q, 1, max(m, 1))
        value = sims(one, p, one, q) - 0.25 * (inp.src_knn[1, p] + inp.tgt_knn[1, q])
        best = np.where(ok, np.maximum(best, value), best)
    return best


def score_beads(features: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``(k,)`` bead scores ``features @ weights`` (in the search's units when ``search`` is 1)."""
    return features @ np.asarray(weights, dtype=np.float32)
