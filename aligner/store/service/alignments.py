"""Alignments: store one, describe it, load it back as :class:`aligner.types.Alignment`
(with review state), delete it."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from aligner.store.errors import InvariantError
from aligner.store.models import (
    AlignmentRow,
    BeadRow,
    BeadSentence,
    CrossingLink,
    CrossingRow,
    DocumentRow,
    Note,
    Project,
    SentenceRow,
    utcnow,
)
from aligner.store.service.common import _get, _iso, _writing
from aligner.store.service.documents import _provenance_dict, load_document, sentence_ids
from aligner.types import Alignment, Bead, BeadNote, Crossing, Document, cover_gap


def store_alignment(session: Session, src_doc_id: int, tgt_doc_id: int, alignment: Alignment,
                    *, encoder_version: str | None = None, imported: dict | None = None) -> int:
    """Store an alignment of two stored documents; return its id (version 1).

    ``alignment.beads`` use sentence indices of the documents as stored; the beads must
    cover every sentence of both documents exactly once, in order (else InvariantError).
    Crossing candidates are stored too. ``alignment.encoder`` is ``"<name> <version>"``
    (as :func:`aligner.align.align_texts` writes it); ``encoder_version`` overrides the
    version part. ``imported`` marks an alignment made by another tool (its provenance,
    :mod:`aligner.imports`): then each bead's ``status``, ``origin``, ``reviewer`` and
    ``notes`` are stored as given (else beads start ``auto``/``unreviewed``). Raises
    NotFoundError.
    """
    with _writing(session):
        _get(session, DocumentRow, src_doc_id, "document")
        _get(session, DocumentRow, tgt_doc_id, "document")
        src_ids, tgt_ids = sentence_ids(session, src_doc_id), sentence_ids(session, tgt_doc_id)
        gap = cover_gap(alignment.beads, len(src_ids), len(tgt_ids))
        if gap is not None:
            side, ids, n = gap
            hint = (f" (the stored {side} document has {n} sentences: it was read before with "
                    "other options, e.g. --strip-markup or --presplit, which segment it "
                    "otherwise)" if ids and max(ids) + 1 != n else "")
            raise InvariantError(f"the beads do not cover the {n} {side} sentences exactly "
                                 f"once in order{hint}")
        if any(not b.src and not b.tgt for b in alignment.beads):
            raise InvariantError("the alignment has an empty bead")
        name, _, version = (alignment.encoder or "").partition(" ")
        params = dict(alignment.params or {})
        al = AlignmentRow(src_document_id=src_doc_id, tgt_document_id=tgt_doc_id,
                          encoder_name=name, params=params, fidelity=alignment.fidelity or None,
                          encoder_version=encoder_version if encoder_version is not None
                          else (version or str(params.get("encoder_version", ""))),
                          created=utcnow(), updated=utcnow(), state="aligned", version=1,
                          imported=imported)
        session.add(al)
        session.flush()
        aid = al.id
        bead_ids = []
        for pos, b in enumerate(alignment.beads):
            review = ({"origin": b.origin, "status": b.status, "reviewer": b.reviewer or None}
                      if imported is not None else {"origin": "auto", "status": "unreviewed"})
            bead_ids.append(session.execute(insert(BeadRow).values(
                alignment_id=aid, position=pos, score=float(b.score), flags=list(b.flags),
                **review)).inserted_primary_key[0])
        notes = [{"alignment_id": aid, "bead_id": bid, "text": n.text, "user": n.user or "import",
                  "created": _when(n.created)}
                 for bid, b in zip(bead_ids, alignment.beads) for n in b.notes] \
            if imported is not None else []
        if notes:
            session.execute(insert(Note), notes)
        members = [{"bead_id": bid, "alignment_id": aid, "sentence_id": ids[i], "side": side,
                    "ord": k}
                   for bid, b in zip(bead_ids, alignment.beads)
                   for side, idx, ids in (("src", b.src, src_ids), ("tgt", b.tgt, tgt_ids))
                   for k, i in enumerate(idx)]
        if members:
            session.execute(insert(BeadSentence), members)
        crossings = [{"alignment_id": aid, "src_sentence_ids": [src_ids[i] for i in c.src],
                      "tgt_sentence_ids": [tgt_ids[j] for j in c.tgt], "score": float(c.score),
                      "reason": c.reason} for c in alignment.crossings
                     if all(0 <= i < len(src_ids) for i in c.src)
                     and all(0 <= j < len(tgt_ids) for j in c.tgt)]
        if len(crossings) != len(alignment.crossings):
            raise InvariantError("a crossing candidate names a sentence outside the documents")
        if crossings:
            session.execute(insert(CrossingRow), crossings)
    return aid


def _when(iso: str):
    """A note's creation time from ISO 8601 text; now if missing or unreadable."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(iso) if iso else utcnow()
    except ValueError:
        return utcnow()


def _alignment_dict(session: Session, a: AlignmentRow) -> dict:
    src = session.get(DocumentRow, a.src_document_id)
    tgt = session.get(DocumentRow, a.tgt_document_id)
    n = session.scalar(select(func.count()).select_from(BeadRow).where(BeadRow.alignment_id == a.id))
    return {"id": a.id, "project_id": src.project_id, "src_document_id": src.id,
            "tgt_document_id": tgt.id, "src_lang": src.lang, "tgt_lang": tgt.lang,
            "src_title": src.title, "tgt_title": tgt.title,
            "src_provenance": _provenance_dict(src), "tgt_provenance": _provenance_dict(tgt),
            "encoder": a.encoder_name, "encoder_version": a.encoder_version,
            "params": dict(a.params or {}), "settings_changed": _changed_settings(a.params),
            "adaptation": _adaptation_summary(a.params),
            "created": _iso(a.created), "updated": _iso(a.updated),
            "state": a.state, "version": a.version, "beads": n, "imported": a.imported}


def _changed_settings(params: dict | None) -> dict:
    """The alignment's settings that differ from the defaults (what the page shows)."""
    from aligner.align.config import AlignConfig
    from aligner.settings import SettingError, changed

    try:
        return changed(AlignConfig.from_params(params))
    except SettingError:  # settings of an older or other tool's alignment: shown as stored
        return {}


def _adaptation_summary(params: dict | None) -> str | None:
    """``"adapted on 240 confirmed beads"`` if the alignment was made with an adaptation
    (``params["adaptation"]``, :mod:`aligner.adapt`), else None."""
    from aligner.adapt import Adaptation

    adaptation = Adaptation.from_params(params)
    return adaptation.summary if adaptation else None


def get_alignment(session: Session, alignment_id: int) -> dict:
    """``{"id", "project_id", "src_document_id", "tgt_document_id", "src_lang", "tgt_lang",
    "src_title", "tgt_title", "src_provenance", "tgt_provenance" (dicts as in get_document),
    "encoder", "encoder_version", "params" (the settings it was made with),
    "settings_changed" (those that differ from the defaults), "adaptation" (its summary,
    "adapted on N confirmed beads", or None), "created", "updated", "state", "version",
    "beads": n, "imported": provenance dict of an imported alignment or None}``. Raises
    NotFoundError."""
    return _alignment_dict(session, _get(session, AlignmentRow, alignment_id, "alignment"))


def list_alignments(session: Session, project_id: int | None = None) -> list[dict]:
    """Alignments (all, or of one project) as :func:`get_alignment` dicts, by id.
    NotFoundError for an unknown project."""
    q = select(AlignmentRow).order_by(AlignmentRow.id)
    if project_id is not None:
        _get(session, Project, project_id, "project")
        q = q.join(DocumentRow, DocumentRow.id == AlignmentRow.src_document_id).where(
            DocumentRow.project_id == project_id)
    return [_alignment_dict(session, a) for a in session.scalars(q)]


def bead_sentence_ords(session: Session, alignment_id: int) -> list[tuple[list[int], list[int]]]:
    """Each bead's source and target sentence ``ord``s, beads in position order."""
    members: dict[int, tuple[list[int], list[int]]] = {
        bid: ([], []) for bid in session.scalars(select(BeadRow.id).where(
            BeadRow.alignment_id == alignment_id).order_by(BeadRow.position))}
    for bid, side, o in session.execute(
            select(BeadSentence.bead_id, BeadSentence.side, SentenceRow.ord)
            .join(SentenceRow, SentenceRow.id == BeadSentence.sentence_id)
            .where(BeadSentence.alignment_id == alignment_id)
            .order_by(BeadSentence.bead_id, BeadSentence.side, BeadSentence.ord)):
        members[bid][0 if side == "src" else 1].append(o)
    return list(members.values())


def load_alignment(session: Session, alignment_id: int) -> Alignment:
    """Rebuild an :class:`aligner.types.Alignment` (sentence ids → indices = ``ord``), with
    each bead's review state (``status``, ``origin``, ``id``, ``reviewer``, ``notes``), the
    reviewers' crossing links,
    the settings it was made with (``params``) and ``info`` (``alignment_id``, ``version``,
    ``state``, ``encoder_version``). Raises NotFoundError."""
    a = _get(session, AlignmentRow, alignment_id, "alignment")
    ords = dict(session.execute(select(SentenceRow.id, SentenceRow.ord).where(
        SentenceRow.document_id.in_([a.src_document_id, a.tgt_document_id]))).all())
    beads_rows = session.scalars(select(BeadRow).where(BeadRow.alignment_id == alignment_id)
                                 .order_by(BeadRow.position)).all()
    members = bead_sentence_ords(session, alignment_id)
    notes: dict[int, list[BeadNote]] = {}
    for n in session.scalars(select(Note).where(Note.alignment_id == alignment_id,
                                                Note.bead_id.is_not(None)).order_by(Note.id)):
        notes.setdefault(n.bead_id, []).append(BeadNote(n.text, n.user, _iso(n.created)))
    beads = [Bead(src=tuple(s), tgt=tuple(t), score=r.score, flags=list(r.flags or []),
                  status=r.status, origin=r.origin, id=r.id, reviewer=r.reviewer or "",
                  notes=notes.get(r.id, []))
             for r, (s, t) in zip(beads_rows, members)]
    crossings = [Crossing(src=tuple(ords[i] for i in c.src_sentence_ids if i in ords),
                          tgt=tuple(ords[j] for j in c.tgt_sentence_ids if j in ords),
                          score=c.score, reason=c.reason)
                 for c in session.scalars(select(CrossingRow).where(
                     CrossingRow.alignment_id == alignment_id).order_by(CrossingRow.id))]
    links = [Crossing(src=tuple(ords[i] for i in l.src_sentence_ids if i in ords),
                      tgt=tuple(ords[j] for j in l.tgt_sentence_ids if j in ords), score=1.0,
                      reason=f"linked by {l.user}")
             for l in session.scalars(select(CrossingLink).where(
                 CrossingLink.alignment_id == alignment_id).order_by(CrossingLink.id))]
    encoder = f"{a.encoder_name} {a.encoder_version}".strip()
    return Alignment(beads=beads, crossings=crossings, encoder=encoder, params=dict(a.params or {}),
                     fidelity=dict(a.fidelity or {}), links=links,
                     info={"alignment_id": a.id, "version": a.version, "state": a.state,
                           "encoder_version": a.encoder_version,
                           **({"imported": a.imported} if a.imported else {})})


def load_bitext(session: Session, alignment_id: int) -> tuple[Document, Document, Alignment]:
    """``(source document, target document, alignment)`` rebuilt from rows, ready for
    :func:`aligner.export.write_export`. Raises NotFoundError."""
    a = _get(session, AlignmentRow, alignment_id, "alignment")
    return (load_document(session, a.src_document_id), load_document(session, a.tgt_document_id),
            load_alignment(session, alignment_id))


def delete_alignment(session: Session, alignment_id: int) -> None:
    """Delete an alignment with its beads, crossings, edit log and notes. NotFoundError."""
    with _writing(session):
        _get(session, AlignmentRow, alignment_id, "alignment")
        session.execute(delete(AlignmentRow).where(AlignmentRow.id == alignment_id))
