"""What the checks see: one bead's texts (:class:`BeadText`), and document-level facts
(:class:`FidelityContext`).

The context has two parts. One follows from the documents' texts alone (names seen
mid-sentence, OCR suspects, name variants) and is recomputed when a text changes. The other
is fitted once on the alignment's beads (the length model, the names the document pairs
consistently) and then *frozen*: stored with the alignment (:meth:`FidelityContext.frozen`),
so that a bead's flags depend on that bead alone. The review page's flag codes and the
fidelity report therefore agree after any edit (:mod:`aligner.store.fidelity`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from aligner.fidelity.length import LengthModel
from aligner.fidelity.names import _known_names
from aligner.fidelity.ocr import ocr_suspects
from aligner.fidelity.variants import NameGroup, document_name_variants


@dataclass(frozen=True)
class BeadText:
    """The sentences of one bead (either side may be empty: a 1-0 or 0-1 bead) and the
    two languages (ISO 639-1); ``src``/``tgt`` are the sides joined by spaces."""

    src_texts: tuple[str, ...]
    tgt_texts: tuple[str, ...]
    src_lang: str
    tgt_lang: str

    @property
    def src(self) -> str:
        return " ".join(self.src_texts).strip()

    @property
    def tgt(self) -> str:
        return " ".join(self.tgt_texts).strip()


@dataclass
class FidelityContext:
    """Document-level facts the bead checks use (all optional).

    From the texts: ``src_names``/``tgt_names`` are name keys seen mid-sentence in each
    document (they let a sentence-initial «Сигемицу» count as a name); ``src_ocr``/``tgt_ocr``
    the output of :func:`aligner.fidelity.ocr.ocr_suspects`; ``src_variants``/``tgt_variants``
    map each non-canonical spelling of a name to its :class:`NameGroup`.
    Frozen at alignment time: ``length`` (Gale & Church model fitted on the beads; None
    turns the length check off) and ``learned`` (name pairs the document renders
    consistently, :func:`aligner.fidelity.names.learned_pairs`).
    ``partial``: the alignment is of a partial rendering, whose 1-0/0-1 beads are not
    omissions or additions (:attr:`aligner.align.AlignConfig.partial`).
    """

    src_names: frozenset[str] = frozenset()
    tgt_names: frozenset[str] = frozenset()
    length: LengthModel | None = None
    src_ocr: dict[str, str] = field(default_factory=dict)
    tgt_ocr: dict[str, str] = field(default_factory=dict)
    src_variants: dict[str, NameGroup] = field(default_factory=dict)
    tgt_variants: dict[str, NameGroup] = field(default_factory=dict)
    learned: frozenset[tuple[str, str]] = frozenset()
    partial: bool = False

    def frozen(self) -> dict[str, Any]:
        """The part fitted on the beads, JSON-ready: what the store keeps with an alignment."""
        return {"length": None if self.length is None else [self.length.ratio, self.length.variance],
                "learned_names": sorted([a, b] for a, b in self.learned)}


def _variant_map(texts: Sequence[str], lang: str) -> dict[str, NameGroup]:
    return {v: group for group in document_name_variants(list(texts), lang)
            for v in group.variants}


def text_context(src_texts: Sequence[str], tgt_texts: Sequence[str], src_lang: str,
                 tgt_lang: str, *, frozen: dict[str, Any] | None = None,
                 partial: bool = False) -> FidelityContext:
    """The context from both documents' sentences, with the beads' part from ``frozen``
    (:meth:`FidelityContext.frozen`; None: no length check, no learned names). Costs about a
    second per 10,000 sentences (the OCR and name-variant scans)."""
    frozen = frozen or {}
    length = frozen.get("length")
    return FidelityContext(
        src_names=_known_names(src_texts), tgt_names=_known_names(tgt_texts),
        length=LengthModel(*length) if length else None,
        src_ocr=ocr_suspects(list(src_texts), src_lang), tgt_ocr=ocr_suspects(list(tgt_texts), tgt_lang),
        src_variants=_variant_map(src_texts, src_lang), tgt_variants=_variant_map(tgt_texts, tgt_lang),
        learned=frozenset((a, b) for a, b in frozen.get("learned_names", [])),
        partial=partial)
