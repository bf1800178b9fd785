"""Fidelity flags: things a reviewer should look at in an aligned bead.

Pure functions over sentence texts (no I/O, no database). Each check is advisory: it flags
and, for OCR-suspect words, *suggests* a reading — nothing is ever changed in the text.

One module per check, run in the order of :data:`CHECKS` (a new check is one module with a
``check(bead, context) -> list[Flag]`` function, added there):

- ``omission`` / ``addition`` (:mod:`~aligner.fidelity.nulls`) — 1-0 and 0-1 beads;
- ``number-mismatch``, ``date-mismatch`` (:mod:`~aligner.fidelity.numbers`);
- ``name-one-side`` (:mod:`~aligner.fidelity.names`);
- ``length-ratio`` (:mod:`~aligner.fidelity.length`, Gale & Church 1993);
- ``ocr-suspect`` (:mod:`~aligner.fidelity.ocr`), with a suggested reading;
- ``name-variant`` (:mod:`~aligner.fidelity.variants`).

Document-level facts the checks need are in a :class:`FidelityContext`
(:mod:`~aligner.fidelity.context`): :func:`fit_context` makes one for a new alignment.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from aligner.fidelity import length, names, nulls, numbers, ocr, variants
from aligner.fidelity.context import BeadText, FidelityContext, text_context
from aligner.fidelity.flag import (
    ADDITION,
    DATE_MISMATCH,
    FLAG_CODES,
    LENGTH_RATIO,
    NAME_ONE_SIDE,
    NAME_VARIANT,
    NUMBER_MISMATCH,
    OCR_SUSPECT,
    OMISSION,
    Flag,
)
from aligner.fidelity.length import LengthModel
from aligner.fidelity.names import learned_pairs
from aligner.fidelity.ocr import ocr_suspects
from aligner.fidelity.variants import NameGroup, document_name_variants

Check = Callable[[BeadText, FidelityContext], list[Flag]]

#: Every check, in the order their flags are listed.
CHECKS: tuple[Check, ...] = (nulls.check, numbers.check, names.check, length.check, ocr.check,
                             variants.check)

__all__ = [
    "ADDITION", "CHECKS", "DATE_MISMATCH", "FLAG_CODES", "LENGTH_RATIO", "NAME_ONE_SIDE",
    "NAME_VARIANT", "NUMBER_MISMATCH", "OCR_SUSPECT", "OMISSION", "BeadText", "Flag",
    "FidelityContext", "LengthModel", "NameGroup", "alignment_flags", "bead_flags",
    "build_context", "document_name_variants", "fit_context", "flag_alignment",
    "ocr_suspects", "text_context",
]

BeadTexts = tuple[Sequence[str], Sequence[str]]


def bead_flags(src_texts: Sequence[str], tgt_texts: Sequence[str], src_lang: str, tgt_lang: str,
               *, context: FidelityContext | None = None) -> list[Flag]:
    """Fidelity flags of one bead, every check of :data:`CHECKS` in order.

    ``src_texts``/``tgt_texts`` are the bead's sentences (either may be empty: a 1-0 or 0-1
    bead); languages are ISO 639-1 codes. Without ``context`` the length, OCR and
    name-variant checks find nothing (they need the whole document). Never raises on odd text.
    """
    bead = BeadText(tuple(src_texts), tuple(tgt_texts), src_lang, tgt_lang)
    if not (bead.src or bead.tgt):
        return []
    ctx = context or FidelityContext()
    return [flag for check in CHECKS for flag in check(bead, ctx)]


def build_context(src_texts: Sequence[str], tgt_texts: Sequence[str], src_lang: str, tgt_lang: str,
                  bead_lengths: list[tuple[int, int]] | None = None) -> FidelityContext:
    """Context from both documents' sentences; ``bead_lengths`` — (source chars, target
    chars) per non-empty bead — fits the length model (without it the length check is off)."""
    ctx = text_context(src_texts, tgt_texts, src_lang, tgt_lang)
    ctx.length = LengthModel.fit(bead_lengths) if bead_lengths else None
    return ctx


def fit_context(src_texts: Sequence[str], tgt_texts: Sequence[str], src_lang: str, tgt_lang: str,
                beads: Sequence[BeadTexts], *, partial: bool = False) -> FidelityContext:
    """The context of a new alignment: from the documents' sentences, plus the length model
    and the learned name pairs fitted on ``beads`` (each ``(source sentences, target
    sentences)``). ``partial``: see :attr:`FidelityContext.partial`."""
    lengths = [(len(" ".join(s)), len(" ".join(t))) for s, t in beads if s and t]
    ctx = build_context(src_texts, tgt_texts, src_lang, tgt_lang, lengths)
    ctx.partial = partial
    unlearned = [names.check(BeadText(tuple(s), tuple(t), src_lang, tgt_lang), ctx)
                 for s, t in beads]
    ctx.learned = learned_pairs(unlearned)
    return ctx


def _bead_texts(src_doc, tgt_doc, alignment) -> list[BeadTexts]:
    src_by_id = {s.index: s.text for s in src_doc.sentences}
    tgt_by_id = {s.index: s.text for s in tgt_doc.sentences}
    return [([src_by_id[i] for i in b.src], [tgt_by_id[j] for j in b.tgt]) for b in alignment.beads]


def alignment_flags(src_doc, tgt_doc, alignment, *, context: FidelityContext | None = None,
                    partial: bool = False) -> dict[int, list[Flag]]:
    """Run every check over a whole alignment.

    ``src_doc``/``tgt_doc`` are :class:`aligner.types.Document`; ``alignment`` an
    :class:`aligner.types.Alignment` whose bead ids index the documents' sentences.
    ``context`` defaults to :func:`fit_context` on this alignment (with ``partial``).
    Returns ``{bead index: flags}`` for beads with at least one flag. Raises ``KeyError`` if
    a bead refers to a sentence the document lacks.
    """
    beads = _bead_texts(src_doc, tgt_doc, alignment)
    ctx = context or fit_context(src_doc.texts, tgt_doc.texts, src_doc.lang, tgt_doc.lang, beads,
                                 partial=partial)
    result = {}
    for index, (s, t) in enumerate(beads):
        flags = bead_flags(s, t, src_doc.lang, tgt_doc.lang, context=ctx)
        if flags:
            result[index] = flags
    return result


def flag_alignment(src_doc, tgt_doc, alignment, *, partial: bool = False) -> FidelityContext:
    """Fit the context on ``alignment`` (:func:`fit_context`), run every check, and add each
    flag's code (once) to its bead's ``flags``; the frozen part of the context goes to
    ``alignment.fidelity`` for the store. Returns the context.

    The codes make flagged beads reachable from the review queue; the details (evidence,
    suggestions) are recomputed on demand with the same context (:mod:`aligner.store.fidelity`).
    Edits ``alignment`` in place."""
    ctx = fit_context(src_doc.texts, tgt_doc.texts, src_doc.lang, tgt_doc.lang,
                      _bead_texts(src_doc, tgt_doc, alignment), partial=partial)
    for index, flags in alignment_flags(src_doc, tgt_doc, alignment, context=ctx).items():
        bead = alignment.beads[index]
        for code in dict.fromkeys(f.code for f in flags):
            if code not in bead.flags:
                bead.flags.append(code)
    alignment.fidelity = ctx.frozen()
    return ctx
