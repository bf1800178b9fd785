"""Fidelity flags of a stored alignment as it is *now*, with their evidence, and the flag
codes of beads an edit makes.

Beads store only flag codes (for the review queue); the details — which numbers differ,
which name is on one side only, the suggested reading of an OCR-suspect word — are
recomputed here. Both come from one function, :func:`aligner.fidelity.bead_flags`, with one
context per alignment (:func:`context_for`): what follows from the documents' texts, plus
the part fitted on the beads when the alignment was made (stored with it). A bead's flags
therefore depend on that bead alone, and the page's badges and the report agree after any
merge, split or re-alignment.

Pure reading, apart from :func:`refresh_codes` which edits bead dicts in memory for the
review operations; suggestions are never applied.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from aligner.fidelity import FLAG_CODES, FidelityContext, bead_flags, fit_context, text_context
from aligner.store.errors import NotFoundError
from aligner.store.models import AlignmentRow, BeadRow, DocumentRow, SentenceRow

_CACHE_SIZE = 8  # alignments whose context is kept (one review page uses one)
_contexts: OrderedDict[tuple, FidelityContext] = OrderedDict()
_reports: OrderedDict[tuple, list[dict]] = OrderedDict()
_lock = threading.Lock()


def _db(session: Session) -> str:
    """The database's URL (a session may be bound to an engine or to one connection)."""
    bind = session.get_bind()
    return str(getattr(bind, "engine", bind).url)


def alignment_is_partial(params: dict | None) -> bool:
    """Whether an alignment's stored settings make it a partial rendering: the one place
    the store decides it (:meth:`aligner.align.AlignConfig.from_params`)."""
    from aligner.align.config import AlignConfig

    return AlignConfig.from_params(params).partial


def _langs(session: Session, row: AlignmentRow) -> tuple[str, str]:
    langs = dict(session.execute(select(DocumentRow.id, DocumentRow.lang).where(
        DocumentRow.id.in_([row.src_document_id, row.tgt_document_id]))).all())
    return langs[row.src_document_id], langs[row.tgt_document_id]


def _texts(session: Session, document_id: int) -> list[str]:
    return list(session.scalars(select(SentenceRow.text).where(SentenceRow.document_id == document_id)
                                .order_by(SentenceRow.ord)))


def _fit_on_current_beads(session: Session, alignment_id: int, src: list[str], tgt: list[str],
                          langs: tuple[str, str], partial: bool) -> FidelityContext:
    """For an alignment stored before contexts were kept: fit on its beads as they are."""
    from aligner.store.service import bead_sentence_ords

    beads = [([src[i] for i in s], [tgt[j] for j in t])
             for s, t in bead_sentence_ords(session, alignment_id)]
    return fit_context(src, tgt, *langs, beads, partial=partial)


def context_for(session: Session, alignment_id: int) -> FidelityContext:
    """The alignment's fidelity context, cached per database, alignment and revision of
    both documents' texts (about a second per 10,000 sentences to build). NotFoundError."""
    # The key's columns only: the row's params and frozen context (JSON) load on a miss.
    row = session.execute(select(AlignmentRow.id, AlignmentRow.created, AlignmentRow.src_document_id,
                                 AlignmentRow.tgt_document_id)
                          .where(AlignmentRow.id == alignment_id)).first()
    if row is None:
        raise NotFoundError(f"alignment {alignment_id} not found")
    docs = {d.id: d for d in session.execute(
        select(DocumentRow.id, DocumentRow.lang, DocumentRow.revision)
        .where(DocumentRow.id.in_([row.src_document_id, row.tgt_document_id])))}
    src_doc, tgt_doc = docs[row.src_document_id], docs[row.tgt_document_id]
    # The database URL and creation time keep two stores (or a re-created file) apart.
    key = (_db(session), alignment_id, row.created, src_doc.revision,
           tgt_doc.revision)
    with _lock:
        if key in _contexts:
            _contexts.move_to_end(key)
            return _contexts[key]
    src, tgt = _texts(session, src_doc.id), _texts(session, tgt_doc.id)
    row = session.get(AlignmentRow, alignment_id)
    partial = alignment_is_partial(row.params)
    if row.fidelity is None:
        ctx = _fit_on_current_beads(session, alignment_id, src, tgt, (src_doc.lang, tgt_doc.lang),
                                    partial)
    else:
        ctx = text_context(src, tgt, src_doc.lang, tgt_doc.lang, frozen=row.fidelity, partial=partial)
    with _lock:
        _contexts[key] = ctx
        while len(_contexts) > _CACHE_SIZE:
            _contexts.popitem(last=False)
    return ctx


def context_cached(session: Session, alignment_id: int) -> bool:
    """Whether :func:`context_for` would answer from its cache (no text scan)."""
    with _lock:
        return any(k[0] == _db(session) and k[1] == alignment_id for k in _contexts)


def refresh_codes(session: Session, alignment_id: int, beads: Iterable[dict]) -> None:
    """Recompute the fidelity codes of bead dicts (as :mod:`aligner.store.regions` reads
    them: ``src``/``tgt`` sentence ids, ``flags``) in place: the aligner's own flags stay,
    the fidelity codes become those of :func:`aligner.fidelity.bead_flags` now."""
    beads = list(beads)
    if not beads:
        return
    ctx = context_for(session, alignment_id)
    src_lang, tgt_lang = _langs(session, session.get(AlignmentRow, alignment_id))
    ids = [i for b in beads for i in b["src"] + b["tgt"] if i > 0]
    texts = dict(session.execute(select(SentenceRow.id, SentenceRow.text)
                                 .where(SentenceRow.id.in_(ids))).all()) if ids else {}
    for b in beads:
        src = [texts[i] for i in b["src"] if i in texts]
        tgt = [texts[j] for j in b["tgt"] if j in texts]
        codes = dict.fromkeys(f.code for f in bead_flags(src, tgt, src_lang, tgt_lang, context=ctx))
        # Codes still true keep their place; the aligner's own flags stay.
        flags = [f for f in b["flags"] if f not in FLAG_CODES or f in codes]
        b["flags"] = flags + [c for c in codes if c not in flags]


def _bead_rows(session: Session, alignment_id: int) -> list[tuple[int, list[int], list[int]]]:
    from aligner.store.service import bead_sentence_ords

    ids = list(session.scalars(select(BeadRow.id).where(BeadRow.alignment_id == alignment_id)
                               .order_by(BeadRow.position)))
    return [(bid, s, t) for bid, (s, t) in zip(ids, bead_sentence_ords(session, alignment_id))]


def fidelity_report(session: Session, alignment_id: int) -> list[dict]:
    """Every bead with at least one fidelity flag, in position order.

    Returns ``[{"bead_id", "position" (0-based), "type" ("2-1"), "src"/"tgt": [{"ord",
    "text"}], "flags": [{"code", "message", "side", "details", "suggestion"}]}]``.
    The report is cached per alignment version (every edit bumps it). Raises NotFoundError."""
    ctx = context_for(session, alignment_id)
    row = session.get(AlignmentRow, alignment_id)
    key = (_db(session), alignment_id, row.created, row.version)
    with _lock:
        if key in _reports:
            _reports.move_to_end(key)
            return _reports[key]
    src_lang, tgt_lang = _langs(session, row)
    src, tgt = _texts(session, row.src_document_id), _texts(session, row.tgt_document_id)
    report = []
    for position, (bead_id, s, t) in enumerate(_bead_rows(session, alignment_id)):
        flags = bead_flags([src[i] for i in s], [tgt[j] for j in t], src_lang, tgt_lang,
                           context=ctx)
        if flags:
            report.append({"bead_id": bead_id, "position": position, "type": f"{len(s)}-{len(t)}",
                           "src": [{"ord": i, "text": src[i]} for i in s],
                           "tgt": [{"ord": j, "text": tgt[j]} for j in t],
                           "flags": [f.to_dict() for f in flags]})
    with _lock:
        _reports[key] = report
        while len(_reports) > _CACHE_SIZE:
            _reports.popitem(last=False)
    return report


def bead_fidelity(session: Session, alignment_id: int, bead_id: int) -> list[dict]:
    """The flags of one bead now (``[]`` if it has none), as in :func:`fidelity_report`.
    Raises NotFoundError (unknown alignment, or a bead not in it)."""
    ctx = context_for(session, alignment_id)
    if session.scalar(select(BeadRow.id).where(BeadRow.id == bead_id,
                                               BeadRow.alignment_id == alignment_id)) is None:
        raise NotFoundError(f"bead {bead_id} not found in alignment {alignment_id}")
    from aligner.store.service import get_bead

    bead = get_bead(session, alignment_id, bead_id)
    src_lang, tgt_lang = _langs(session, session.get(AlignmentRow, alignment_id))
    flags = bead_flags([s["text"] for s in bead["src"]], [t["text"] for t in bead["tgt"]],
                       src_lang, tgt_lang, context=ctx)
    return [f.to_dict() for f in flags]


def format_report(report: list[dict], *, src_label: str = "source",
                  tgt_label: str = "target") -> str:
    """Plain-text fidelity report: one block per flagged bead, positions and sentence
    numbers 1-based as on the review page."""
    if not report:
        return "no fidelity flags\n"
    lines = [f"{len(report)} flagged beads"]
    for e in report:
        src_nums = ",".join(str(s["ord"] + 1) for s in e["src"]) or "–"
        tgt_nums = ",".join(str(s["ord"] + 1) for s in e["tgt"]) or "–"
        lines.append(f"\n#{e['position'] + 1} ({e['type']}) {src_label} {src_nums} ↔ "
                     f"{tgt_label} {tgt_nums}")
        for side, label in (("src", src_label), ("tgt", tgt_label)):
            text = " ".join(s["text"] for s in e[side])
            if text:
                lines.append(f"  {label}: {text}")
        for f in e["flags"]:
            hint = f" (suggested: {f['suggestion']})" if f.get("suggestion") else ""
            lines.append(f"  ! {f['code']}: {f['message']}{hint}")
    return "\n".join(lines) + "\n"
