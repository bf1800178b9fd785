"""Projects and documents: create, import (de-duplicated), describe, load back as
:class:`aligner.types.Document`, and read a sentence in its raw page."""

from __future__ import annotations

import bisect
from typing import Literal

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from aligner.store.errors import InvariantError, NotFoundError
from aligner.store.models import KINDS, ROLES, AlignmentRow, DocumentRow, Project, SentenceRow, utcnow
from aligner.store.service.common import _get, _iso, _writing
from aligner.types import Document, Provenance, Sentence, kind_label

Role = Literal["source", "translation"]


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


def find_project(session: Session, name: str) -> int | None:
    """The id of the project called ``name`` (outer white space ignored), or None."""
    return session.scalar(select(Project.id).where(Project.name == (name or "").strip()))


def project_id_by_name(session: Session, name: str) -> int:
    """The id of the project called ``name``. Raises NotFoundError (naming the projects)."""
    pid = find_project(session, name)
    if pid is None:
        known = ", ".join(session.scalars(select(Project.name).order_by(Project.id))) or "none"
        raise NotFoundError(f"project {name!r} not found (projects: {known})")
    return pid


def get_or_create_project(session: Session, name: str) -> int:
    """Return the id of the project called ``name``, creating it if needed."""
    pid = find_project(session, name)
    if pid is not None:
        return pid
    try:
        return create_project(session, name)
    except InvariantError:  # created meanwhile by someone else
        pid = find_project(session, name)
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
                 "page": s.page, "paragraph": s.paragraph, "original_text": s.original}
                for s in doc.sentences])
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
                          paragraph=r.paragraph, original=r.original_text) for r in rows]
    prov = Provenance(file=d.origin_file, sha256=d.sha256, kind=d.kind, encoding=d.encoding,
                      note=d.notes)
    return Document(lang=d.lang, raw_text=d.raw_text, clean_text=d.clean_text,
                    offsets=list(d.offsets), sentences=sentences, provenance=prov,
                    title=d.title, page_starts=list(d.page_starts or [0]))


def sentence_ids(session: Session, document_id: int) -> list[int]:
    """A document's sentence ids in order (``ord``)."""
    return list(session.scalars(select(SentenceRow.id).where(SentenceRow.document_id == document_id)
                                .order_by(SentenceRow.ord)))


def raw_text(session: Session, document_id: int) -> dict:
    """The raw text as received (e.g. the OCR) with its page starts: ``{"id", "lang",
    "provenance", "raw_text", "page_starts"}``. Raises NotFoundError."""
    row = _get(session, DocumentRow, document_id, "document")
    return {"id": row.id, "lang": row.lang, "provenance": _provenance_dict(row),
            "raw_text": row.raw_text, "page_starts": list(row.page_starts or [0])}


def sentence_context(session: Session, document_id: int, ord: int) -> dict:
    """A sentence inside its raw page, with the span to highlight: ``{"document_id",
    "sentence_id", "ord", "text", "raw_start", "raw_end", "page", "page_count",
    "page_start", "page_end", "page_text", "highlight_start", "highlight_end", "kind",
    "label", "original"}`` (offsets into the raw text; ``highlight_*`` into ``page_text``;
    ``original``: the text as segmented if a reviewer corrected ``text``, else None). Only that
    page of the raw text is read (a document may be megabytes). Raises NotFoundError."""
    doc = session.execute(
        select(DocumentRow.page_starts, DocumentRow.kind, func.length(DocumentRow.raw_text))
        .where(DocumentRow.id == document_id)).first()
    if doc is None:
        raise NotFoundError(f"document {document_id} not found")
    page_starts, kind, raw_len = list(doc[0] or [0]), doc[1], int(doc[2] or 0)
    sent = session.execute(select(SentenceRow).where(
        SentenceRow.document_id == document_id, SentenceRow.ord == ord)).scalar_one_or_none()
    if sent is None:
        raise NotFoundError(f"document {document_id} has no sentence {ord} (0-based)")
    page = sent.page or bisect.bisect_right(page_starts, sent.raw_start) or 1
    page = min(max(page, 1), len(page_starts))
    start = page_starts[page - 1]
    end = page_starts[page] if page < len(page_starts) else raw_len
    page_text = session.execute(
        select(func.substr(DocumentRow.raw_text, start + 1, end - start))
        .where(DocumentRow.id == document_id)).scalar_one() or ""
    return {
        "document_id": document_id, "sentence_id": sent.id, "ord": sent.ord, "text": sent.text,
        "raw_start": sent.raw_start, "raw_end": sent.raw_end, "page": page,
        "page_count": len(page_starts), "page_start": start, "page_end": end,
        "page_text": page_text,
        "highlight_start": min(max(sent.raw_start - start, 0), len(page_text)),
        "highlight_end": min(max(sent.raw_end - start, 0), len(page_text)),
        "kind": kind, "label": kind_label(kind), "original": sent.original_text,
    }
