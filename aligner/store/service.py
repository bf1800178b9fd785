"""Store-level services: projects, documents, alignments, loaders, bead listing, queue.

All functions take a SQLAlchemy :class:`~sqlalchemy.orm.Session` from
:func:`aligner.store.db.make_session_factory`. Writers commit on success and roll back
on error. Sentences and beads are addressed by their database ids; ``position`` is a
bead's 0-based place in the alignment, ``ord`` a sentence's 0-based place in its document.

Bead dicts (returned by :func:`list_beads`, :func:`get_bead`, :func:`next_bead`)::

    {"id": 17, "position": 4, "type": "2-1", "score": 0.83, "origin": "auto",
     "status": "unreviewed", "flags": ["low-confidence"], "notes": 0,
     "src": [{"id": 9, "ord": 4, "text": "...", "page": 2}, ...],
     "tgt": [{"id": 40, "ord": 4, "text": "...", "page": 1}]}
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from sqlalchemy import String, case, delete, func, insert, or_, select, type_coerce
from sqlalchemy.orm import Session, aliased

from aligner.store.db import write_transaction
from aligner.store.errors import InvariantError, NotFoundError
from aligner.store.models import (
    KINDS,
    ROLES,
    AlignmentRow,
    BeadRow,
    BeadSentence,
    CrossingLink,
    CrossingRow,
    DocumentRow,
    Note,
    Project,
    SentenceRow,
    as_utc,
    utcnow,
)
from aligner.types import Alignment, Bead, Crossing, Document, Provenance, Sentence

Role = Literal["source", "translation"]
QueueKind = Literal["unreviewed", "low-confidence", "non-1-1", "flagged", "crossing"]
QUEUE_KINDS: tuple[str, ...] = ("unreviewed", "low-confidence", "non-1-1", "flagged", "crossing")
#: Filters accepted by list_beads: the queue kinds plus the statuses.
BEAD_FILTERS: tuple[str, ...] = QUEUE_KINDS + ("confirmed", "rejected", "manual")
#: A bead scoring below this (or flagged "low-confidence") is low-confidence.
LOW_CONFIDENCE = 0.5


# --- helpers -------------------------------------------------------------------------

@contextmanager
def _writing(session: Session) -> Iterator[None]:
    """A writer's transaction: BEGIN (IMMEDIATE on SQLite), commit, or roll back on error."""
    try:
        write_transaction(session)
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


def _get(session: Session, model, ident: int, what: str):
    row = session.get(model, ident)
    if row is None:
        raise NotFoundError(f"{what} {ident} not found")
    return row


def _iso(dt) -> str:
    return as_utc(dt).isoformat() if dt is not None else ""


# --- projects ------------------------------------------------------------------------

def create_project(session: Session, name: str, description: str = "") -> int:
    """Create a project and return its id. Raises InvariantError if the name is taken
    or blank."""
    name = (name or "").strip()
    if not name:
        raise InvariantError("a project needs a name")
    with _writing(session):
        if session.scalar(select(Project.id).where(Project.name == name)) is not None:
            raise InvariantError(f"a project called {name!r} exists already")
        p = Project(name=name, description=description, created=utcnow())
        session.add(p)
        session.flush()
        pid = p.id
    return pid


def get_or_create_project(session: Session, name: str) -> int:
    """Return the id of the project called ``name``, creating it if needed."""
    pid = session.scalar(select(Project.id).where(Project.name == (name or "").strip()))
    if pid is not None:
        return pid
    try:
        return create_project(session, name)
    except InvariantError:  # created meanwhile by someone else
        pid = session.scalar(select(Project.id).where(Project.name == name.strip()))
        if pid is None:
            raise
        return pid


def _project_dict(session: Session, p: Project) -> dict:
    docs = session.scalar(select(func.count()).select_from(DocumentRow)
                          .where(DocumentRow.project_id == p.id))
    als = session.scalar(select(func.count()).select_from(AlignmentRow)
                         .join(DocumentRow, DocumentRow.id == AlignmentRow.src_document_id)
                         .where(DocumentRow.project_id == p.id))
    return {"id": p.id, "name": p.name, "description": p.description, "created": _iso(p.created),
            "documents": docs, "alignments": als}


def get_project(session: Session, project_id: int) -> dict:
    """``{"id", "name", "description", "created", "documents": n, "alignments": n}``.

    Raises NotFoundError."""
    return _project_dict(session, _get(session, Project, project_id, "project"))


def list_projects(session: Session) -> list[dict]:
    """All projects as :func:`get_project` dicts, by id."""
    return [_project_dict(session, p) for p in session.scalars(select(Project).order_by(Project.id))]


# --- documents -----------------------------------------------------------------------

def import_document(session: Session, project_id: int, doc: Document, role: Role) -> int:
    """Store a prepared document (text, offset map, pages, sentences); return its id.

    Deduplicated within a project by ``(doc.provenance.sha256, doc.lang)``: importing the
    same file again returns the existing id and writes nothing. ``role`` is ``"source"``
    or ``"translation"``. One transaction: an interrupted import leaves nothing behind.
    Raises NotFoundError (project), InvariantError (bad role/kind, sentences out of order).
    """
    if role not in ROLES:
        raise InvariantError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    prov = doc.provenance
    if prov.kind not in KINDS:
        raise InvariantError(f"provenance kind must be one of {', '.join(KINDS)}, not {prov.kind!r}")
    if [s.index for s in doc.sentences] != list(range(len(doc.sentences))):
        raise InvariantError("document sentences must be numbered 0..n-1 in order")
    with _writing(session):
        _get(session, Project, project_id, "project")
        existing = session.scalar(select(DocumentRow.id).where(
            DocumentRow.project_id == project_id, DocumentRow.sha256 == prov.sha256,
            DocumentRow.lang == doc.lang))
        if existing is not None:
            return existing
        row = DocumentRow(project_id=project_id, lang=doc.lang, title=doc.title or "", role=role,
                          origin_file=prov.file, sha256=prov.sha256, kind=prov.kind,
                          encoding=prov.encoding, notes=prov.note, raw_text=doc.raw_text,
                          clean_text=doc.clean_text, offsets=list(doc.offsets),
                          page_starts=list(doc.page_starts), created=utcnow())
        session.add(row)
        session.flush()
        doc_id = row.id
        if doc.sentences:
            session.execute(insert(SentenceRow), [
                {"document_id": doc_id, "ord": s.index, "text": s.text, "start_char": s.start,
                 "end_char": s.end, "raw_start": s.raw_start, "raw_end": s.raw_end,
                 "page": s.page, "paragraph": s.paragraph} for s in doc.sentences])
    return doc_id


def _provenance_dict(d: DocumentRow) -> dict:
    p = Provenance(file=d.origin_file, sha256=d.sha256, kind=d.kind, encoding=d.encoding,
                   note=d.notes)
    return {"file": p.file, "sha256": p.sha256, "kind": p.kind, "encoding": p.encoding,
            "note": p.note, "label": p.label}


def document_summary(d: DocumentRow) -> dict:
    """``{"id", "project_id", "lang", "title", "role", "provenance"}`` of a row: what needs
    none of the texts (those may be loaded deferred)."""
    return {"id": d.id, "project_id": d.project_id, "lang": d.lang, "title": d.title,
            "role": d.role, "provenance": _provenance_dict(d)}


def _document_dict(session: Session, d: DocumentRow) -> dict:
    n = session.scalar(select(func.count()).select_from(SentenceRow)
                       .where(SentenceRow.document_id == d.id))
    return {**document_summary(d), "sentences": n, "pages": len(d.page_starts or [0]),
            "created": _iso(d.created)}


def get_document(session: Session, document_id: int) -> dict:
    """Metadata without texts: ``{"id", "project_id", "lang", "title", "role",
    "provenance": {"file", "sha256", "kind", "encoding", "note", "label"},
    "sentences": n, "pages": n, "created"}``. Raises NotFoundError."""
    return _document_dict(session, _get(session, DocumentRow, document_id, "document"))


def list_documents(session: Session, project_id: int) -> list[dict]:
    """The project's documents as :func:`get_document` dicts. Raises NotFoundError."""
    _get(session, Project, project_id, "project")
    rows = session.scalars(select(DocumentRow).where(DocumentRow.project_id == project_id)
                           .order_by(DocumentRow.id))
    return [_document_dict(session, d) for d in rows]


def load_document(session: Session, document_id: int) -> Document:
    """Rebuild an :class:`aligner.types.Document` from rows.

    ``Sentence.index`` is the sentence's current ``ord`` (0-based, after any
    re-segmentation). Raises NotFoundError."""
    d = _get(session, DocumentRow, document_id, "document")
    rows = session.scalars(select(SentenceRow).where(SentenceRow.document_id == document_id)
                           .order_by(SentenceRow.ord)).all()
    sentences = [Sentence(index=r.ord, text=r.text, start=r.start_char, end=r.end_char,
                          raw_start=r.raw_start, raw_end=r.raw_end, page=r.page,
                          paragraph=r.paragraph) for r in rows]
    prov = Provenance(file=d.origin_file, sha256=d.sha256, kind=d.kind, encoding=d.encoding,
                      note=d.notes)
    return Document(lang=d.lang, raw_text=d.raw_text, clean_text=d.clean_text,
                    offsets=list(d.offsets), sentences=sentences, provenance=prov,
                    title=d.title, page_starts=list(d.page_starts or [0]))


# --- alignments ----------------------------------------------------------------------

def sentence_ids(session: Session, document_id: int) -> list[int]:
    """A document's sentence ids in order (``ord``)."""
    return list(session.scalars(select(SentenceRow.id).where(SentenceRow.document_id == document_id)
                                .order_by(SentenceRow.ord)))


def store_alignment(session: Session, src_doc_id: int, tgt_doc_id: int, alignment: Alignment,
                    *, encoder_version: str | None = None) -> int:
    """Store an alignment of two stored documents; return its id (version 1).

    ``alignment.beads`` use sentence indices of the documents as stored; the beads must
    cover every sentence of both documents exactly once, in order (else InvariantError).
    Crossing candidates are stored too. ``alignment.encoder`` is ``"<name> <version>"``
    (as :func:`aligner.align.align_texts` writes it); ``encoder_version`` overrides the
    version part. Raises NotFoundError.
    """
    with _writing(session):
        _get(session, DocumentRow, src_doc_id, "document")
        _get(session, DocumentRow, tgt_doc_id, "document")
        src_ids, tgt_ids = sentence_ids(session, src_doc_id), sentence_ids(session, tgt_doc_id)
        for side, ids, n in (("source", [i for b in alignment.beads for i in b.src], len(src_ids)),
                             ("target", [i for b in alignment.beads for i in b.tgt], len(tgt_ids))):
            if ids != list(range(n)):
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
                          created=utcnow(), updated=utcnow(), state="aligned", version=1)
        session.add(al)
        session.flush()
        aid = al.id
        bead_ids = []
        for pos, b in enumerate(alignment.beads):
            bead_ids.append(session.execute(insert(BeadRow).values(
                alignment_id=aid, position=pos, score=float(b.score), origin="auto",
                status="unreviewed", flags=list(b.flags))).inserted_primary_key[0])
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


def _alignment_dict(session: Session, a: AlignmentRow) -> dict:
    src = session.get(DocumentRow, a.src_document_id)
    tgt = session.get(DocumentRow, a.tgt_document_id)
    n = session.scalar(select(func.count()).select_from(BeadRow).where(BeadRow.alignment_id == a.id))
    return {"id": a.id, "project_id": src.project_id, "src_document_id": src.id,
            "tgt_document_id": tgt.id, "src_lang": src.lang, "tgt_lang": tgt.lang,
            "src_title": src.title, "tgt_title": tgt.title,
            "src_provenance": _provenance_dict(src), "tgt_provenance": _provenance_dict(tgt),
            "encoder": a.encoder_name, "encoder_version": a.encoder_version,
            "params": dict(a.params or {}), "created": _iso(a.created), "updated": _iso(a.updated),
            "state": a.state, "version": a.version, "beads": n}


def get_alignment(session: Session, alignment_id: int) -> dict:
    """``{"id", "project_id", "src_document_id", "tgt_document_id", "src_lang", "tgt_lang",
    "src_title", "tgt_title", "src_provenance", "tgt_provenance" (dicts as in get_document),
    "encoder", "encoder_version", "params", "created", "updated", "state", "version",
    "beads": n}``. Raises NotFoundError."""
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
    each bead's review state (``status``, ``origin``, ``id``), the reviewers' crossing links,
    the settings it was made with (``params``) and ``info`` (``alignment_id``, ``version``,
    ``state``, ``encoder_version``). Raises NotFoundError."""
    a = _get(session, AlignmentRow, alignment_id, "alignment")
    ords = dict(session.execute(select(SentenceRow.id, SentenceRow.ord).where(
        SentenceRow.document_id.in_([a.src_document_id, a.tgt_document_id]))).all())
    beads_rows = session.scalars(select(BeadRow).where(BeadRow.alignment_id == alignment_id)
                                 .order_by(BeadRow.position)).all()
    members = bead_sentence_ords(session, alignment_id)
    beads = [Bead(src=tuple(s), tgt=tuple(t), score=r.score, flags=list(r.flags or []),
                  status=r.status, origin=r.origin, id=r.id)
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
                           "encoder_version": a.encoder_version})


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


# --- reading beads for review --------------------------------------------------------

def _crossing_beads(session: Session, alignment_id: int, where: list) -> set[int]:
    """Ids of the beads (among those matching ``where``) holding a sentence of a crossing
    candidate."""
    crossing_sentences = set()
    for src, tgt in session.execute(select(CrossingRow.src_sentence_ids, CrossingRow.tgt_sentence_ids)
                                    .where(CrossingRow.alignment_id == alignment_id)):
        crossing_sentences.update(src + tgt)
    if not crossing_sentences:
        return set()
    return set(session.scalars(
        select(BeadSentence.bead_id).join(BeadRow, BeadRow.id == BeadSentence.bead_id)
        .where(*where, BeadSentence.sentence_id.in_(list(crossing_sentences)))))


def _summaries(session: Session, alignment_id: int, lo: int | None = None,
               hi: int | None = None, *, where: tuple = (), limit: int | None = None) -> list[dict]:
    """Light rows for beads (all, or positions ``[lo, hi)``, or those matching the extra
    SQL conditions ``where``; the first ``limit`` in position order): id, position,
    status, origin, score, flags, sentence counts per side, whether a crossing candidate
    touches it."""
    conds = [BeadRow.alignment_id == alignment_id, *where]
    if lo is not None:
        conds.append(BeadRow.position >= lo)
    if hi is not None:
        conds.append(BeadRow.position < hi)
    q = (select(BeadRow.id, BeadRow.position, BeadRow.status, BeadRow.origin, BeadRow.score,
                BeadRow.flags).where(*conds).order_by(BeadRow.position))
    rows = session.execute(q if limit is None else q.limit(limit)).all()
    if not rows:
        return []
    if limit is not None:  # the same rows, for the joins below
        conds.append(BeadRow.position <= rows[-1].position)
    counts: dict[int, list[int]] = {}
    for bid, side, n in session.execute(
            select(BeadSentence.bead_id, BeadSentence.side, func.count())
            .join(BeadRow, BeadRow.id == BeadSentence.bead_id).where(*conds)
            .group_by(BeadSentence.bead_id, BeadSentence.side)):
        counts.setdefault(bid, [0, 0])[0 if side == "src" else 1] = n
    in_crossing = _crossing_beads(session, alignment_id, conds)
    return [{"id": r.id, "position": r.position, "status": r.status, "origin": r.origin,
             "score": r.score, "flags": list(r.flags or []), "n": counts.get(r.id, [0, 0]),
             "crossing": r.id in in_crossing} for r in rows]


def _side_count(side: str):
    """Correlated subquery: the bead's number of ``side`` sentences."""
    bs = aliased(BeadSentence)  # not correlated with a bead_sentence of the outer query
    return (select(func.count()).select_from(bs).where(bs.bead_id == BeadRow.id, bs.side == side)
            .correlate(BeadRow).scalar_subquery())


def _narrowing(session: Session, alignment_id: int, kind: str) -> tuple:
    """SQL conditions selecting every bead that can match ``kind`` (and, for most kinds,
    only those): the reads of a queue or a filtered page then decode few rows.
    :func:`_matches` stays the definition; it re-checks each row (SQL ``LIKE`` on the
    stored JSON of the flags is only a superset: substring, and case-insensitive)."""
    flags = type_coerce(BeadRow.flags, String)  # the stored JSON text
    if kind == "unreviewed":
        return (BeadRow.status == "unreviewed",)
    if kind in ("confirmed", "rejected"):
        return (BeadRow.status == kind,)
    if kind == "manual":
        return (BeadRow.origin == "manual",)
    if kind == "low-confidence":
        return (BeadRow.status != "confirmed",
                or_(BeadRow.score < LOW_CONFIDENCE, flags.like("%low-confidence%")))
    if kind == "flagged":
        return (BeadRow.flags.is_not(None), flags.not_in(["[]", "null"]))
    if kind == "non-1-1":
        return (or_(_side_count("src") != 1, _side_count("tgt") != 1),)
    if kind == "crossing":
        ids = _crossing_beads(session, alignment_id, [BeadRow.alignment_id == alignment_id])
        return (or_(BeadRow.id.in_(sorted(ids)), flags.like("%crossing%")),)
    raise InvariantError(f"unknown filter {kind!r}; use one of {', '.join(BEAD_FILTERS)}")


def _matches(b: dict, kind: str) -> bool:
    flags = b["flags"]
    if kind == "unreviewed":
        return b["status"] == "unreviewed"
    if kind == "low-confidence":
        return b["status"] != "confirmed" and ("low-confidence" in flags or b["score"] < LOW_CONFIDENCE)
    if kind == "non-1-1":
        return b["n"] != [1, 1]
    if kind == "flagged":
        return bool(flags)
    if kind == "crossing":
        return b["crossing"] or any(f.startswith("crossing") for f in flags)
    if kind in ("confirmed", "rejected"):
        return b["status"] == kind
    if kind == "manual":
        return b["origin"] == "manual"
    raise InvariantError(f"unknown filter {kind!r}; use one of {', '.join(BEAD_FILTERS)}")


def _full(session: Session, alignment_id: int, summaries: list[dict]) -> list[dict]:
    """Bead dicts (module doc) for these summaries, with sentence texts."""
    ids = [b["id"] for b in summaries]
    if not ids:
        return []
    sent: dict[int, dict[str, list[dict]]] = {i: {"src": [], "tgt": []} for i in ids}
    for bid, side, sid, o, text, page in session.execute(
            select(BeadSentence.bead_id, BeadSentence.side, SentenceRow.id, SentenceRow.ord,
                   SentenceRow.text, SentenceRow.page)
            .join(SentenceRow, SentenceRow.id == BeadSentence.sentence_id)
            .where(BeadSentence.bead_id.in_(ids))
            .order_by(BeadSentence.bead_id, BeadSentence.side, BeadSentence.ord)):
        sent[bid][side].append({"id": sid, "ord": o, "text": text, "page": page})
    notes = dict(session.execute(select(Note.bead_id, func.count()).where(Note.bead_id.in_(ids))
                                 .group_by(Note.bead_id)).all())
    return [{"id": b["id"], "position": b["position"], "type": f"{b['n'][0]}-{b['n'][1]}",
             "score": b["score"], "origin": b["origin"], "status": b["status"],
             "flags": b["flags"], "notes": notes.get(b["id"], 0),
             "src": sent[b["id"]]["src"], "tgt": sent[b["id"]]["tgt"]} for b in summaries]


def get_bead(session: Session, alignment_id: int, bead_id: int) -> dict:
    """One bead dict (see module doc). Raises NotFoundError."""
    _get(session, AlignmentRow, alignment_id, "alignment")
    pos = session.scalar(select(BeadRow.position).where(BeadRow.id == bead_id,
                                                        BeadRow.alignment_id == alignment_id))
    match = [] if pos is None else _summaries(session, alignment_id, pos, pos + 1)
    if not match:
        raise NotFoundError(f"bead {bead_id} not found in alignment {alignment_id}")
    return _full(session, alignment_id, match)[0]


def list_beads(session: Session, alignment_id: int, offset: int = 0, limit: int = 50,
               filter: str | None = None) -> dict:
    """A page of beads in position order.

    Returns ``{"alignment_id", "version", "total" (beads matching the filter), "offset",
    "limit", "beads": [bead dict, ...]}``. ``filter`` is None or one of
    :data:`BEAD_FILTERS`. Raises NotFoundError, InvariantError (unknown filter,
    negative offset, limit outside 1..1000).
    """
    a = _get(session, AlignmentRow, alignment_id, "alignment")
    if offset < 0 or not 1 <= limit <= 1000:
        raise InvariantError("offset must be >= 0 and limit within 1..1000")
    if filter is not None and filter not in BEAD_FILTERS:
        raise InvariantError(f"unknown filter {filter!r}; use one of {', '.join(BEAD_FILTERS)}")
    if filter is None:  # page straight from the position index
        total = session.scalar(select(func.count()).select_from(BeadRow)
                               .where(BeadRow.alignment_id == alignment_id))
        page = _summaries(session, alignment_id, offset, offset + limit)
    else:
        rows = [b for b in _summaries(session, alignment_id,
                                      where=_narrowing(session, alignment_id, filter))
                if _matches(b, filter)]
        total, page = len(rows), rows[offset:offset + limit]
    return {"alignment_id": alignment_id, "version": a.version, "total": total,
            "offset": offset, "limit": limit, "beads": _full(session, alignment_id, page)}


def progress(session: Session, alignment_id: int) -> dict:
    """Review progress: ``{"version", "beads", "unreviewed", "confirmed", "rejected",
    "manual", "low_confidence", "flagged", "crossing", "crossing_links",
    "types": {"1-1": n, ...}, "reviewed_fraction": float in [0, 1]}`` (reviewed =
    confirmed or rejected). Raises NotFoundError.

    Counted in SQL, grouped by everything :func:`_matches` looks at (status, origin,
    score below :data:`LOW_CONFIDENCE` or not, flags, sentences per side, crossing):
    an alignment has few such groups, so the page's refresh after every edit reads a
    few dozen rows, not one per bead."""
    a = _get(session, AlignmentRow, alignment_id, "alignment")
    per_side = (select(BeadSentence.bead_id,
                       func.sum(case((BeadSentence.side == "src", 1), else_=0)).label("n_src"),
                       func.sum(case((BeadSentence.side == "tgt", 1), else_=0)).label("n_tgt"))
                .where(BeadSentence.alignment_id == alignment_id)
                .group_by(BeadSentence.bead_id).subquery())
    crossing = sorted(_crossing_beads(session, alignment_id, [BeadRow.alignment_id == alignment_id]))
    keys = (BeadRow.status, BeadRow.origin, BeadRow.score < LOW_CONFIDENCE, BeadRow.flags,
            func.coalesce(per_side.c.n_src, 0), func.coalesce(per_side.c.n_tgt, 0),
            BeadRow.id.in_(crossing))
    groups = session.execute(
        select(*keys, func.count()).outerjoin(per_side, per_side.c.bead_id == BeadRow.id)
        .where(BeadRow.alignment_id == alignment_id).group_by(*keys)).all()
    # One representative bead per group, as _matches sees beads.
    reps = [({"status": status, "origin": origin, "score": 0.0 if low else LOW_CONFIDENCE,
              "flags": list(flags or []), "n": [int(n_src), int(n_tgt)], "crossing": bool(cross)}, n)
            for status, origin, low, flags, n_src, n_tgt, cross, n in groups]
    total = sum(n for _, n in reps)
    types: dict[str, int] = {}
    for b, n in reps:
        t = f"{b['n'][0]}-{b['n'][1]}"
        types[t] = types.get(t, 0) + n
    count = lambda kind: sum(n for b, n in reps if _matches(b, kind))  # noqa: E731
    links = session.scalar(select(func.count()).select_from(CrossingLink)
                           .where(CrossingLink.alignment_id == alignment_id))
    reviewed = count("confirmed") + count("rejected")
    return {"version": a.version, "beads": total, "unreviewed": count("unreviewed"),
            "confirmed": count("confirmed"), "rejected": count("rejected"),
            "manual": count("manual"), "low_confidence": count("low-confidence"),
            "flagged": count("flagged"), "crossing": count("crossing"), "crossing_links": links,
            "types": dict(sorted(types.items())),
            "reviewed_fraction": reviewed / total if total else 1.0}


#: Beads read at a time while looking for the next bead of a queue.
_QUEUE_CHUNK = 64


def next_bead(session: Session, alignment_id: int, after_position: int, kind: QueueKind,
              *, wrap: bool = True) -> dict | None:
    """The first bead after ``after_position`` matching ``kind`` (review queue).

    Use ``after_position=-1`` to start from the beginning. With ``wrap`` the search
    continues from the start. Returns None when no bead matches. Raises NotFoundError,
    InvariantError (unknown kind).

    Reads only candidates (:func:`_narrowing`), a few at a time from the position index,
    and stops at the first that matches."""
    _get(session, AlignmentRow, alignment_id, "alignment")
    if kind not in QUEUE_KINDS:
        raise InvariantError(f"unknown queue {kind!r}; use one of {', '.join(QUEUE_KINDS)}")
    narrow = _narrowing(session, alignment_id, kind)

    def first(lo: int, hi: int | None) -> dict | None:
        while True:
            rows = _summaries(session, alignment_id, lo, hi, where=narrow, limit=_QUEUE_CHUNK)
            hit = next((b for b in rows if _matches(b, kind)), None)
            if hit is not None or len(rows) < _QUEUE_CHUNK:
                return hit
            lo = rows[-1]["position"] + 1

    hit = first(after_position + 1, None)
    if hit is None and wrap:
        hit = first(0, after_position + 1)
    return None if hit is None else _full(session, alignment_id, [hit])[0]


def sentences_by_id(session: Session, ids: list[int]) -> dict[int, dict]:
    """``{id: {"id", "ord", "text", "page"}}`` of the sentences with these ids."""
    if not ids:
        return {}
    return {r.id: {"id": r.id, "ord": r.ord, "text": r.text, "page": r.page}
            for r in session.scalars(select(SentenceRow).where(SentenceRow.id.in_(ids)))}


def list_crossings(session: Session, alignment_id: int) -> list[dict]:
    """Crossing candidates, best first: ``{"id", "src": [sentence dict], "tgt": [...],
    "score", "reason", "src_bead_ids", "tgt_bead_ids", "linked": bool}`` (sentence dict
    = ``{"id", "ord", "text", "page"}``). Raises NotFoundError."""
    _get(session, AlignmentRow, alignment_id, "alignment")
    rows = session.scalars(select(CrossingRow).where(CrossingRow.alignment_id == alignment_id)
                           .order_by(CrossingRow.score.desc(), CrossingRow.id)).all()
    ids = sorted({i for c in rows for i in c.src_sentence_ids + c.tgt_sentence_ids})
    sents = sentences_by_id(session, ids)
    bead_of = dict(session.execute(select(BeadSentence.sentence_id, BeadSentence.bead_id).where(
        BeadSentence.alignment_id == alignment_id, BeadSentence.sentence_id.in_(ids))).all()) if ids else {}
    linked = set(session.scalars(select(CrossingLink.crossing_id).where(
        CrossingLink.alignment_id == alignment_id, CrossingLink.crossing_id.is_not(None))))
    return [{"id": c.id, "src": [sents[i] for i in c.src_sentence_ids if i in sents],
             "tgt": [sents[j] for j in c.tgt_sentence_ids if j in sents], "score": c.score,
             "reason": c.reason,
             "src_bead_ids": sorted({bead_of[i] for i in c.src_sentence_ids if i in bead_of}),
             "tgt_bead_ids": sorted({bead_of[j] for j in c.tgt_sentence_ids if j in bead_of}),
             "linked": c.id in linked} for c in rows]


def list_crossing_links(session: Session, alignment_id: int) -> list[dict]:
    """Links made by reviewers: ``{"id", "crossing_id", "src_sentence_ids",
    "tgt_sentence_ids", "user", "created"}``, by id. Raises NotFoundError."""
    _get(session, AlignmentRow, alignment_id, "alignment")
    return [{"id": l.id, "crossing_id": l.crossing_id, "src_sentence_ids": list(l.src_sentence_ids),
             "tgt_sentence_ids": list(l.tgt_sentence_ids), "user": l.user, "created": _iso(l.created)}
            for l in session.scalars(select(CrossingLink).where(CrossingLink.alignment_id == alignment_id)
                                     .order_by(CrossingLink.id))]
