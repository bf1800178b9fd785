"""The aligner's stages in order: encode, search, crossings, review flags."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from aligner.align.config import AlignConfig
from aligner.align.crossings import detect_crossings
from aligner.align.dp import ProgressFn
from aligner.align.postpass import postpass
from aligner.align.search import _all_null, _prepare, _refine, _score_nulls, _search, _Search
from aligner.embed import encoder_label
from aligner.types import Alignment, Bead, Crossing, Document

if TYPE_CHECKING:
    from aligner.adapt import Adaptation


def align_texts(
    src: Sequence[str],
    tgt: Sequence[str],
    encoder,
    config: AlignConfig | None = None,
    progress: ProgressFn | None = None,
    adaptation: Adaptation | None = None,
) -> Alignment:
    """Align source sentences ``src`` to target sentences ``tgt``.

    ``encoder`` follows :class:`aligner.embed.Encoder`. Each sentence is encoded once. If
    the encoder offers pooled windows (``encoder.pooling``, the default use-m3 does), every
    joined window's embedding is built from that pass and its seams
    (:mod:`aligner.pooling`); otherwise joined texts are encoded only around uncertain
    beads (the refine pass, bounded by ``config.refine_budget``).
    ``progress(stage, done, total)`` is called as work advances. After the search, the
    post-pass (:mod:`aligner.align.postpass`, ``config.postpass``) re-checks the beads with
    the bead re-scorer; an ``adaptation`` fitted on a project's confirmed beads
    (:func:`aligner.adapt.fit_adaptation`) replaces the re-scorer's default weights.

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
    settings = config or AlignConfig()
    config = settings.resolved()
    search, beads, src_emb, tgt_emb = search_texts(src, tgt, encoder, config, progress)
    stats = None
    if search is not None:
        if config.postpass != "off":
            if progress:
                progress("postpass", 0, 1)
            beads = postpass(search.inp, beads, src, tgt, config,
                             adaptation.weights if adaptation else None,
                             adaptation.kinds if adaptation else None).beads
            if progress:
                progress("flags", 0, 1)
        stats = search.stats
        _score_nulls(beads, src_emb, tgt_emb, stats, config)
    crossings = (detect_crossings(beads, src_emb, tgt_emb, stats, config, src, tgt, encoder)
                 if stats else [])
    _flag(beads, crossings, config)
    return Alignment(
        beads=beads,
        crossings=crossings,
        encoder=encoder_label(encoder),
        # An adaptation goes with the settings, so the store keeps it and a re-align reuses it.
        params=settings.to_params() | ({"adaptation": adaptation.to_json()} if adaptation else {}),
    )


def search_texts(src: Sequence[str], tgt: Sequence[str], encoder, config: AlignConfig,
                 progress: ProgressFn | None = None
                 ) -> tuple[_Search | None, list[Bead], np.ndarray, np.ndarray]:
    """Encode and search (anchors, DP, refine pass): ``(search state, beads, src_emb,
    tgt_emb)``, the state None when a side is empty. ``config`` must be resolved
    (:meth:`AlignConfig.resolved`). The embeddings are ``(n, dim)`` and ``(m, dim)`` float32."""
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
        return None, _all_null(len(src), len(tgt)), src_emb, tgt_emb
    search = _prepare(src_emb, tgt_emb, [len(x) for x in src], [len(t) for t in tgt], config, windows)
    beads = _search(search, config, progress)
    if config.refine_budget > 0 and windows is None:
        beads = _refine(search, beads, src, tgt, encoder, config, progress)
    return search, beads, src_emb, tgt_emb


def align_documents(src_doc: Document, tgt_doc: Document, encoder, config: AlignConfig | None = None,
                    progress: ProgressFn | None = None, adaptation: Adaptation | None = None) -> Alignment:
    """Align two segmented :class:`~aligner.types.Document` objects (source, translation).

    As :func:`align_texts`, plus crossing candidates for OCR lines that read better
    elsewhere (:func:`aligner.lineorder.line_crossings`; needs the documents' line breaks)."""
    from aligner.lineorder import line_crossings

    config = config or AlignConfig()
    alignment = align_texts(src_doc.texts, tgt_doc.texts, encoder, config, progress, adaptation)
    config = config.resolved()
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
    partial = config.partial  # 1-0/0-1 beads are what a partial rendering is made of
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
