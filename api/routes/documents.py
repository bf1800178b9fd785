"""Documents: upload (plain text or TEI, any archive encoding), list, read, raw context."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile, status
from fastapi.concurrency import run_in_threadpool

from aligner.pipeline import ReadOptions, read_document
from aligner.read import DEFAULT_MAX_BYTES
from aligner.store import service
from api.deps import SessionDep, SettingsDep, read_upload
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
    strip_markup: Annotated[bool, Form(description="drop inline tags such as <h1>, <b>")] = True,
):
    """Read, clean and segment the upload and store it. Re-uploading the same bytes in the
    same language returns the stored document (nothing is duplicated)."""
    limit = settings.max_upload_bytes
    name, data = await read_upload(file, limit, "upload.txt")
    # Segmentation is CPU work: keep it off the event loop.
    return await run_in_threadpool(_store_upload, session, project_id, data, name, lang, role,
                                   kind, title, note, presplit, encoding, strip_markup, limit)


def _store_upload(session, project_id, data, name, lang, role, kind, title, note, presplit,
                  encoding, strip_markup, limit) -> dict:
    service.get_project(session, project_id)  # 404 before the (slow) segmentation
    doc = read_document(data, lang, role=role, filename=name, kind=kind, title=title or None,
                        note=note or None,
                        options=ReadOptions(presplit=presplit, encoding=encoding or None,
                                            strip_markup=strip_markup,
                                            # what can be aligned in reasonable time
                                            max_bytes=min(limit, DEFAULT_MAX_BYTES)))
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
    return service.raw_text(session, document_id)


@router.get("/documents/{document_id}/sentences/{ord}/context", response_model=SentenceContextOut,
            summary="A sentence inside its raw page, with the span to highlight",
            responses={404: {"model": ErrorOut}})
def sentence_context(document_id: int, ord: int, session: SessionDep):
    """Only the sentence's page of the raw text is sent (a document may be megabytes)."""
    return service.sentence_context(session, document_id, ord)
