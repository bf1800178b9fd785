"""Documents: upload (plain text or TEI, any archive encoding), list, read, raw context."""

from __future__ import annotations

import bisect
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, UploadFile, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import func, select

from aligner.document import document_from_bytes
from aligner.store import NotFoundError, service
from aligner.store.models import DocumentRow, SentenceRow
from aligner.types import Provenance
from api.deps import SessionDep, SettingsDep
from api.schemas import DocumentOut, ErrorOut, Kind, RawTextOut, Role, SentenceContextOut

router = APIRouter(tags=["documents"])

@router.post(
    "/projects/{project_id}/documents", response_model=DocumentOut,
    status_code=status.HTTP_201_CREATED, summary="Upload a document (text or TEI)",
    responses={400: {"model": ErrorOut}, 404: {"model": ErrorOut}, 413: {"model": ErrorOut}},
)
async def upload_document(
    project_id: int,
    session: SessionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="plain text (any encoding) or TEI XML")],
    lang: Annotated[str, Form(min_length=2, max_length=16, description="ISO 639 code, e.g. ru, en")],
    role: Annotated[Role, Form(description="source (original) or translation")],
    kind: Annotated[Kind | None, Form(description="provenance kind; default from the file name")] = None,
    title: Annotated[str | None, Form(max_length=500)] = None,
    note: Annotated[str, Form(max_length=2000, description="provenance note")] = "",
    presplit: Annotated[bool, Form(description="one sentence per line, as given")] = False,
    encoding: Annotated[str | None, Form(max_length=40, description="override detection")] = None,
):
    """Read, clean and segment the upload and store it. Re-uploading the same bytes in the
    same language returns the stored document (nothing is duplicated)."""
    limit = settings.max_upload_bytes
    data = await file.read(limit + 1)
    name = file.filename or "upload.txt"
    if len(data) > limit:
        raise HTTPException(413, f"{name}: file is larger than the upload limit of {limit:,} bytes "
                                 "(server setting ALIGNER_MAX_UPLOAD_BYTES)")
    # Segmentation is CPU work: keep it off the event loop.
    return await run_in_threadpool(_store_upload, session, project_id, data, name, lang, role,
                                   kind, title, note, presplit, encoding, limit)


def _store_upload(session, project_id, data, name, lang, role, kind, title, note, presplit,
                  encoding, limit) -> dict:
    service.get_project(session, project_id)  # 404 before the (slow) segmentation
    doc = document_from_bytes(data, name, lang, kind=kind, title=title or None,
                              presplit=presplit, encoding=encoding or None, max_bytes=limit)
    if note:
        doc.provenance = replace(doc.provenance, note=note)
    doc_id = service.import_document(session, project_id, doc, role)
    return service.get_document(session, doc_id)


@router.get("/projects/{project_id}/documents", response_model=list[DocumentOut],
            summary="List a project's documents", responses={404: {"model": ErrorOut}})
def list_documents(project_id: int, session: SessionDep):
    return service.list_documents(session, project_id)


@router.get("/documents/{document_id}", response_model=DocumentOut, summary="Read document metadata",
            responses={404: {"model": ErrorOut}})
def get_document(document_id: int, session: SessionDep):
    return service.get_document(session, document_id)


@router.get("/documents/{document_id}/raw", response_model=RawTextOut,
            summary="Read the raw text as received (e.g. the OCR), with page starts",
            responses={404: {"model": ErrorOut}})
def get_raw_text(document_id: int, session: SessionDep):
    row = session.get(DocumentRow, document_id)
    if row is None:
        raise NotFoundError(f"document {document_id} not found")
    meta = service.get_document(session, document_id)
    return {"id": row.id, "lang": row.lang, "provenance": meta["provenance"],
            "raw_text": row.raw_text, "page_starts": list(row.page_starts or [0])}


@router.get("/documents/{document_id}/sentences/{ord}/context", response_model=SentenceContextOut,
            summary="A sentence inside its raw page, with the span to highlight",
            responses={404: {"model": ErrorOut}})
def sentence_context(document_id: int, ord: int, session: SessionDep):
    """Only the sentence's page of the raw text is sent (a document may be megabytes)."""
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
        "kind": kind, "label": Provenance("", "", kind).label,
    }
