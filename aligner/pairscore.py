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

import math
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
    chunks of rows and never held whole: memory is O(m) plus the possible links.
    Raises ValueError for an empty side or missing ``knn``.
    """
    n, m = len(source.lengths), len(target.lengths)
    if n == 0 or m == 0:
        raise ValueError("a record with no sentences cannot be scored")
    if source.knn is None or target.knn is None:
        raise ValueError("score_pair needs both sides' knn means (knn_means)")
    if n * m > config.probe_rows ** 2 and not _probe(source, target, config):
        return PairScore(0.0, 0, 0.0, 0.0, 0.0, None, None)
    score, chain = _chain(_links(source, target, config), config.skip, config.diagonal,
                          config.skip * config.max_skip, config.open_cost)
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


def _links(source: Side, target: Side, config: ScoreConfig, chunk: int = 512) -> list[tuple[int, int, float]]:
    """The possible links ``(i, j, gain)`` in row-major order: cells whose margin exceeds
    ``link_margin``, gaining the excess times their length in units (capped)."""
    half = config.margin_weight / 2
    t_need = (half * target.knn).astype(np.float32)
    t_units = np.minimum(target.lengths / config.unit_chars, config.max_unit_weight)
    out: list[tuple[int, int, float]] = []
    for first in range(0, len(source.lengths), chunk):
        excess = source.vectors[first:first + chunk] @ target.vectors.T
        excess -= t_need[None, :]
        excess -= (config.link_margin + half * source.knn[first:first + chunk])[:, None].astype(np.float32)
        rows, cols = np.nonzero(excess > 0)
        if rows.size:
            s_units = np.minimum(source.lengths[first + rows] / config.unit_chars, config.max_unit_weight)
            gain = excess[rows, cols] * np.minimum(s_units, t_units[cols])
            out += zip((rows + first).tolist(), cols.tolist(), gain.tolist())
    return out


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


def _chain(cells: list[tuple[int, int, float]], skip: float, diagonal: float, max_gap_cost: float,
           open_cost: float) -> tuple[float, list[tuple[int, int]]]:
    """Best strictly monotone chain through the cells ``(i, j, gain)`` (row-major order).

    A chain's score is the sum of its cells' gains, minus ``skip`` per row and column
    passed over between consecutive cells (at most ``max_gap_cost`` a gap: a free
    translation's chain goes on across a loosely rendered passage), plus ``diagonal`` for
    each step (i, j) -> (i+1, j+1), minus ``open_cost`` once. Local: it starts and ends
    anywhere; an empty chain scores 0. Dynamic programming over the cells only, row by
    row, with two prefix-maximum Fenwick trees over the columns (of H + skip*(i+j), for
    gaps charged by length, and of H, for capped gaps): O(K log m) for K cells.
    """
    if not cells:
        return 0.0, []
    width = max(j for _, j, _ in cells) + 1
    charged, capped = _PrefixMax(width), _PrefixMax(width)
    h: list[float] = []
    back: list[int] = []
    top, top_at = 0.0, -1
    above: dict[int, int] = {}  # column -> cell, of the row just above
    row_start = 0
    for k, (i, j, gain) in enumerate(cells):
        if k and i != cells[k - 1][0]:
            above = _close_row(cells, h, row_start, k, skip, charged, capped, i)
            row_start = k
        best, at = -open_cost, -1
        value, where = charged.query(j - 1)
        if value - skip * (i + j - 2) > best:
            best, at = value - skip * (i + j - 2), where
        value, where = capped.query(j - 1)
        if value - max_gap_cost > best:
            best, at = value - max_gap_cost, where
        diag = above.get(j - 1)
        if diag is not None and h[diag] + diagonal > best:
            best, at = h[diag] + diagonal, diag
        h.append(gain + best)
        back.append(at)
        if h[-1] > top:
            top, top_at = h[-1], k
    chain: list[tuple[int, int]] = []
    while top_at >= 0:
        chain.append(cells[top_at][:2])
        top_at = back[top_at]
    return top, chain[::-1]


def _close_row(cells, h: list[float], first: int, last: int, skip: float, charged: "_PrefixMax",
               capped: "_PrefixMax", next_row: int) -> dict[int, int]:
    """Enter the finished row's cells ``first..last-1`` into the trees; return them by
    column if that row is the one just above ``next_row`` (for diagonal steps), else {}."""
    for k in range(first, last):
        i, j, _ = cells[k]
        charged.update(j, h[k] + skip * (i + j), k)
        capped.update(j, h[k], k)
    if cells[first][0] == next_row - 1:
        return {cells[k][1]: k for k in range(first, last)}
    return {}


class _PrefixMax:
    """Fenwick tree of (value, cell) giving the maximum over columns 0..j; values only grow."""

    def __init__(self, size: int) -> None:
        self.value = [-math.inf] * (size + 1)
        self.cell = [-1] * (size + 1)

    def update(self, j: int, value: float, cell: int) -> None:
        j += 1
        while j < len(self.value):
            if value > self.value[j]:
                self.value[j], self.cell[j] = value, cell
            j += j & -j

    def query(self, j: int) -> tuple[float, int]:
        """Max over columns 0..j (``-inf`` when j < 0)."""
        best, at = -math.inf, -1
        j += 1
        while j > 0:
            if self.value[j] > best:
                best, at = self.value[j], self.cell[j]
            j -= j & -j
        return best, at


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
