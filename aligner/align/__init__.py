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

6. **Post-pass** (:mod:`~aligner.align.postpass`, after SentAlign, Steingrímsson et al. 2023,
   §3.3): stretches of neighbouring beads are re-segmented with a bead score that adds
   boundary, split and text evidence (numbers, quotation, OCR debris) to the search's
   score; by default only changes that make or remove a 1-0/0-1 bead are kept. A
   project's confirmed beads can re-fit that score (:mod:`aligner.adapt`).

Every bead carries a confidence in [0, 1] (see :func:`confidence`).

Modules, one stage each: :mod:`~aligner.align.config` (settings), :mod:`~aligner.align.scores`
(similarity statistics, confidence), :mod:`~aligner.align.anchors` (anchor pass, band),
:mod:`~aligner.align.windows` (bead vectors, length penalty), :mod:`~aligner.align.dp`
(dynamic programme and traceback), :mod:`~aligner.align.search` (one bitext's search,
refine pass), :mod:`~aligner.align.postpass` (post-pass), :mod:`~aligner.align.rescore` and
:mod:`~aligner.align.evidence` (its bead score), :mod:`~aligner.align.fit` (fitting that
score), :mod:`~aligner.align.crossings` (crossing candidates), :mod:`~aligner.align.run`
(the stages in order).
"""

from aligner.align.anchors import find_anchors
from aligner.align.config import SETTINGS, AlignConfig
from aligner.align.crossings import detect_crossings
from aligner.align.run import align_documents, align_texts
from aligner.align.scores import confidence, match_probability
from aligner.align.search import align_embeddings

__all__ = ["SETTINGS", "AlignConfig", "align_documents", "align_embeddings", "align_texts",
           "confidence", "detect_crossings", "find_anchors", "match_probability"]
