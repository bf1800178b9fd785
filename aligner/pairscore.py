"""How much of one record a candidate document renders, from sentence embeddings in order.

Document alignment after Thompson & Koehn 2020 ("Exploiting Sentence Order in Document
Alignment", EMNLP, §3.2: candidates re-scored by aligning their sentences and counting the
text the alignment covers) and Buck & Koehn 2016 ("Findings of the WMT 2016 Bilingual
Document Alignment Shared Task", WMT: candidate generation, then a 1-1 choice). For one
source record and one target record:

1. **Link scores.** The cosine of two sentences minus the mean cosine of each to its
   ``knn`` nearest sentences in the other language's whole collection (margin, Artetxe &
   Schwenk 2019, "Margin-based parallel corpus mining with multilingual sentence
   embeddings", ACL, §3.1), minus ``link_margin``: a sentence on the record's topic that
   is close to many sentences gains nothing; a translation stands out from its
   neighbours. Only pairs above the margin can be links.
2. **Order.** The best strictly monotone chain of links (a local alignment in the manner
   of Smith & Waterman 1981: it may start and end anywhere, so a rendering of *part* of a
   record is found as well as a whole one). Each link counts its margin excess times its
   length in units of ``unit_chars`` characters (T&K 2020 weigh sentences by length);
   skipping a sentence costs ``skip``, and a link that continues the previous one on the
   diagonal earns ``diagonal``: a translation runs in order, matches on the same topic
   scatter.
3. **Coverage.** The share of each side's characters inside the chain (links, and the
   sentences between two links at most ``bridge`` sentences apart on both sides): about
   1 both ways for a whole translation; small on the source side for a telegram that
   quotes part of a record.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ScoreConfig:
    """Parameters of :func:`score_pair` (chosen on the bilinguator chunks of
    ``bench/pairing.py --fit`` and the FRUS/Litvinov case; see docs).

    Attributes:
        knn: neighbours averaged for the ratio margin (Artetxe & Schwenk 2019 use 4).
        link_margin: margin a link must exceed (cosine minus ``margin_weight`` times
            the mean of both sentences' kNN cosines).
        margin_weight: share of the kNN mean subtracted (1 = Artetxe & Schwenk's
            "distance" margin).
        unit_chars: characters of a link that count as one unit of chain score.
        max_unit_weight: cap, in units, of one sentence's weight (a long decoy sentence
            must not decide alone).
        skip: chain-score cost of each sentence skipped between two links.
        max_skip: most sentences a gap is charged for.
        diagonal: bonus of a link right after the previous one on both sides.
        open_cost: cost of starting a chain (the opening penalty of a local alignment):
            one link of middling similarity (a paraphrase on the same topic) is not
            evidence enough.
        probe_rows: pairs of more than ``probe_rows``² sentence pairs are first probed with
            that many sentences of each side (:func:`_probe`).
        bridge, bridge_share: most sentences between two links (on each side) that still
            count as covered: ``bridge``, or ``bridge_share`` of the record if more.
    """

    knn: int = 4
    link_margin: float = 0.08
    margin_weight: float = 1.0
    unit_chars: float = 80.0
    max_unit_weight: float = 2.0
    skip: float = 0.05
    max_skip: int = 4
    diagonal: float = 0.1
    open_cost: float = 0.1
    probe_rows: int = 256
    bridge: int = 3
    bridge_share: float = 0.05


@dataclass
class Side:
    """One record's sentences for scoring.

    ``vectors``: ``(n, dim)`` float32, L2-normalised; ``lengths``: ``(n,)`` characters;
    ``knn``: ``(n,)`` mean cosine to the ``knn`` nearest sentences of the other language's
    collection (None until :func:`knn_means` fills it).
    """

    vectors: np.ndarray
    lengths: np.ndarray
    knn: np.ndarray | None = None

    @property
    def chars(self) -> int:
        """Total characters of the record's sentences."""
        return int(self.lengths.sum())


@dataclass(frozen=True)
class PairScore:
    """Features of one (source record, target record) pair.

    ``chain``: chain score (units of ``unit_chars`` matched characters, after costs);
    ``links``: number of links in the chain; ``source_coverage``/``target_coverage``:
    share of each side's characters inside the chain, in [0, 1]; ``mean_cosine``: mean
    cosine of the chain's links; ``source_span``/``target_span``: first and last sentence
    index inside the chain (inclusive) or None; ``source_extent``/``target_extent``: share
    of each side's characters from the first to the last of those sentences (a free
    translation's chain is sparse, but extends over the whole of both).
    """

    chain: float
    links: int
    source_coverage: float
    target_coverage: float
    mean_cosine: float
    source_span: tuple[int, int] | None
    target_span: tuple[int, int] | None
    source_extent: float = 0.0
    target_extent: float = 0.0


def knn_means(queries: np.ndarray, pool: np.ndarray, k: int, *, chunk: int = 2048) -> np.ndarray:
    """Mean cosine of each query row to its ``k`` nearest rows of ``pool``.

    ``queries`` ``(n, dim)`` and ``pool`` ``(p, dim)`` float32, L2-normalised; returns
    ``(n,)`` float32. ``k`` is cut to ``p``; an empty pool gives ones (no normalisation).
    """
    n = queries.shape[0]
    if pool.shape[0] == 0 or n == 0:
        return np.ones(n, dtype=np.float32)
    k = min(k, pool.shape[0])
    out = np.empty(n, dtype=np.float32)
    for s in range(0, n, chunk):
        sims = queries[s:s + chunk] @ pool.T
        out[s:s + chunk] = np.partition(sims, -k, axis=1)[:, -k:].mean(axis=1)
    return out


def score_pair(source: Side, target: Side, config: ScoreConfig = ScoreConfig()) -> PairScore:
    """Score how much of ``source`` the ``target`` renders, in order (see module doc).

    Both sides need ``knn`` filled (:func:`knn_means`). The similarity matrix is made in
    chunks of rows and never held whole: memory is O(m) plus the chain's positive cells.
    Raises ValueError for an empty side or missing ``knn``.
    """
    n, m = len(source.lengths), len(target.lengths)
    if n == 0 or m == 0:
        raise ValueError("a record with no sentences cannot be scored")
    if source.knn is None or target.knn is None:
        raise ValueError("score_pair needs both sides' knn means (knn_means)")
    units_t = target.lengths / config.unit_chars
    caps = config.max_unit_weight

    def gains(first: int, last: int) -> np.ndarray:
        cos = source.vectors[first:last] @ target.vectors.T
        margin = cos - config.margin_weight * (source.knn[first:last, None] + target.knn[None, :]) / 2
        units = np.minimum(np.minimum.outer(source.lengths[first:last] / config.unit_chars, units_t), caps)
        gain = (margin - config.link_margin) * units
        gain[gain <= 0] = -np.inf  # only sentences that stand out are links; the rest are skipped
        return gain.astype(np.float32)

    if n * m > config.probe_rows ** 2 and not _probe(source, target, config):
        return PairScore(0.0, 0, 0.0, 0.0, 0.0, None, None)
    score, chain = _chain(gains, n, m, config.skip, config.diagonal, config.skip * config.max_skip,
                          config.open_cost)
    if not chain:
        return PairScore(0.0, 0, 0.0, 0.0, 0.0, None, None)
    rows = [i for i, _ in chain]
    cols = [j for _, j in chain]
    s_gap, t_gap = (max(config.bridge, int(config.bridge_share * k)) for k in (n, m))
    s_cov, s_span = _coverage(rows, cols, source.lengths, m, s_gap, t_gap)
    t_cov, t_span = _coverage(cols, rows, target.lengths, n, t_gap, s_gap)
    mean_cos = float(np.mean(np.sum(source.vectors[rows] * target.vectors[cols], axis=1)))
    return PairScore(float(score), len(chain), s_cov, t_cov, mean_cos, s_span, t_span,
                     _extent(source.lengths, s_span), _extent(target.lengths, t_span))


def _extent(lengths: np.ndarray, span: tuple[int, int]) -> float:
    total = float(lengths.sum())
    return float(lengths[span[0]:span[1] + 1].sum()) / total if total else 0.0


def _probe(source: Side, target: Side, config: ScoreConfig) -> bool:
    """Whether a large pair is worth the full matrix: ``probe_rows`` sentences spread over
    each side, against all of the other, hold at least two possible links on one side.
    Unrelated books have almost none; a rendering of even a short part of a long record
    has its own sentences all probed (or enough of them)."""
    for mine, other in ((source, target), (target, source)):
        rows = np.unique(np.linspace(0, len(mine.lengths) - 1, config.probe_rows).astype(int))
        cos = mine.vectors[rows] @ other.vectors.T
        margin = cos - config.margin_weight * (mine.knn[rows, None] + other.knn[None, :]) / 2
        if int((margin > config.link_margin).sum()) >= 2:
            return True
    return False


# --- chain ---------------------------------------------------------------------------------

_ROWS_PER_CHUNK = 256


def _chain(gains, n: int, m: int, skip: float, diagonal: float, max_gap_cost: float,
           open_cost: float) -> tuple[float, list[tuple[int, int]]]:
    """Best strictly monotone chain of cells through an ``(n, m)`` gain matrix given by
    ``gains(first_row, last_row)`` (rows ``first..last-1``; -inf where no link may be).

    A chain's score is the sum of its cells' gains, minus ``skip`` per row and column
    passed over between consecutive cells (at most ``max_gap_cost`` a gap: a free
    translation's chain goes on across a loosely rendered passage), plus ``diagonal`` for
    each step (i, j) -> (i+1, j+1), minus ``open_cost`` once. Local: it starts and ends
    anywhere; an empty chain scores 0. Row-by-row dynamic programming with running 2-D prefix maxima: O(n m) time;
    back pointers are kept for finite cells only.
    """
    cols = np.arange(m)
    prev_h = np.full(m, -np.inf, dtype=np.float32)   # H[i-1, :]
    prefix = np.full(m, -np.inf, dtype=np.float32)   # max over rows < i, cols <= j of H + skip*(i'+j')
    prefix_at = np.full(m, -1, dtype=np.int64)
    flat = np.full(m, -np.inf, dtype=np.float32)     # max over rows < i, cols <= j of H
    flat_at = np.full(m, -1, dtype=np.int64)
    back: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    top, top_at = 0.0, -1
    block = np.empty((0, m), dtype=np.float32)
    for i in range(n):
        if i % _ROWS_PER_CHUNK == 0:
            block = gains(i, min(n, i + _ROWS_PER_CHUNK))
        gain = block[i % _ROWS_PER_CHUNK]
        live = np.flatnonzero(np.isfinite(gain))
        if live.size == 0:  # no link in this row: nothing changes but the row above
            prev_h = np.full(m, -np.inf, dtype=np.float32)
            continue
        general = np.full(m, -np.inf, dtype=np.float32)
        general[1:] = prefix[:-1] - skip * (i + cols[1:] - 2)
        general_at = np.full(m, -1, dtype=np.int64)
        general_at[1:] = prefix_at[:-1]
        far = np.full(m, -np.inf, dtype=np.float32)
        far[1:] = flat[:-1] - max_gap_cost
        use_far = far > general
        general = np.where(use_far, far, general)
        general_at[1:] = np.where(use_far[1:], flat_at[:-1], general_at[1:])
        diag = np.full(m, -np.inf, dtype=np.float32)
        diag[1:] = prev_h[:-1] + diagonal
        use_diag = diag > general
        pred = np.where(use_diag, diag, general)
        pred_at = np.where(use_diag, (i - 1) * m + cols - 1, general_at)
        fresh = pred <= -open_cost
        h = gain + np.where(fresh, -open_cost, pred).astype(np.float32)
        back[i] = (live, np.where(fresh, -1, pred_at)[live])
        j = int(live[np.argmax(h[live])])
        if h[j] > top:
            top, top_at = float(h[j]), i * m + j
        # running 2-D prefix maximum of H + skip*(i+j), with where it is reached
        prefix, prefix_at = _running_max(h + skip * (i + cols), i * m, prefix, prefix_at)
        flat, flat_at = _running_max(h, i * m, flat, flat_at)
        prev_h = h
    chain: list[tuple[int, int]] = []
    at = top_at
    while at >= 0:
        i, j = divmod(at, m)
        chain.append((i, j))
        live, pointers = back[i]
        at = int(pointers[np.searchsorted(live, j)])
    return top, chain[::-1]


def _running_max(key: np.ndarray, offset: int, best: np.ndarray, best_at: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Fold row ``key`` into a column-wise running 2-D maximum ``best`` (``best[j]``: max
    over earlier rows and columns <= j) and where it is reached (flat index ``offset + j``)."""
    cols = np.arange(len(key))
    run = np.maximum.accumulate(key)
    run_at = np.maximum.accumulate(np.where(key >= run, cols, 0))
    better = run > best
    return np.where(better, run, best), np.where(better, offset + run_at, best_at)


def _coverage(mine: list[int], other: list[int], lengths: np.ndarray, other_n: int,
              bridge: int, other_bridge: int) -> tuple[float, tuple[int, int]]:
    """Share of ``lengths``' characters covered by a chain whose cells are at ``mine`` on
    this side and ``other`` on the other side (of ``other_n`` sentences), and the first
    and last covered index. A gap of at most ``bridge`` sentences here and
    ``other_bridge`` there is covered, between two links and before the first or after the
    last (a heading or a closing line that matches weakly)."""
    n = len(lengths)
    covered = np.zeros(n, dtype=bool)
    covered[mine] = True
    for a, b, oa, ob in zip(mine, mine[1:], other, other[1:]):
        if b - a - 1 <= bridge and ob - oa - 1 <= other_bridge:
            covered[a:b + 1] = True
    if mine[0] <= bridge and other[0] <= other_bridge:
        covered[:mine[0]] = True
    if n - 1 - mine[-1] <= bridge and other_n - 1 - other[-1] <= other_bridge:
        covered[mine[-1]:] = True
    total = lengths.sum()
    share = float(lengths[covered].sum() / total) if total else 0.0
    where = np.flatnonzero(covered)
    return share, (int(where[0]), int(where[-1]))
