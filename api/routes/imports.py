"""Alignments made elsewhere, uploaded for review (TMX, InterText XML, Vecalign/Bertalign
``.align`` with its sentence files, LF Aligner / hunalign TSV)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile, status
from fastapi.concurrency import run_in_threadpool

from aligner.errors import InputError
from aligner.imports import IMPORT_FORMATS, MissingLanguageError, read_import, store_import
from aligner.store import service
from api.deps import SessionDep, SettingsDep, UserDep, read_upload
from api.schemas import ErrorOut
from api.schemas.workflow import ImportedOut, ImportFormatOut

router = APIRouter(tags=["imports"])


@router.get("/import-formats", response_model=list[ImportFormatOut],
            summary="Formats an alignment made elsewhere can be imported from")
def import_formats():
    return [{"name": f.name, "label": f.label, "files": list(f.files),
             "files_required": f.files_required, "needs_langs": f.needs_langs}
            for f in IMPORT_FORMATS.values()]


async def _read(upload: UploadFile | None, limit: int) -> tuple[str, bytes] | None:
    return None if upload is None else await read_upload(upload, limit)


_RESPONSES = {400: {"model": ErrorOut}, 404: {"model": ErrorOut}, 413: {"model": ErrorOut}}


@dataclass
class ImportForm:
    """The form both import routes take: the files and how to read them."""

    alignment: UploadFile
    source: UploadFile | None
    target: UploadFile | None
    format: str | None
    src_lang: str | None
    tgt_lang: str | None
    cost: bool
    via: str


def _import_form(
    alignment: Annotated[UploadFile, File(description="the alignment file (TMX, InterText linkGrp or zip, "
                                                      ".align, TSV)")],
    source: Annotated[UploadFile | None, File(description="source document / sentence file")] = None,
    target: Annotated[UploadFile | None, File(description="target document / sentence file")] = None,
    format: Annotated[str | None, Form(description="tmx | intertext | vecalign | tsv (default: from the file)")] = None,
    src_lang: Annotated[str | None, Form(max_length=16)] = None,
    tgt_lang: Annotated[str | None, Form(max_length=16)] = None,
    cost: Annotated[bool, Form(description="Vecalign's third field is a cost (score = 1 − cost)")] = False,
    via: Annotated[str, Form(pattern="^(api|page)$", description="api, or page for the review page")] = "api",
) -> ImportForm:
    return ImportForm(alignment, source, target, format, src_lang, tgt_lang, cost, via)


ImportFormDep = Annotated[ImportForm, Depends(_import_form)]


@router.post("/projects/{project_id}/imports", response_model=ImportedOut,
             status_code=status.HTTP_201_CREATED,
             summary="Import an alignment made by another tool, for review", responses=_RESPONSES)
async def import_alignment(project_id: int, request: Request, session: SessionDep,
                           settings: SettingsDep, user: UserDep, form: ImportFormDep):
    """Read the files, compute the fidelity flags, store both documents and the alignment
    with its provenance; the review states and notes the file carries are kept."""
    project = service.get_project(session, project_id)  # 404 before reading anything
    session.rollback()  # end the read: the import commits in sessions of its own
    return await _import(request, settings, user, project["name"], form)


@router.post("/imports", response_model=ImportedOut, status_code=status.HTTP_201_CREATED,
             summary="Import an alignment into a project named in the form (created with it)",
             responses=_RESPONSES)
async def import_alignment_into(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: UserDep,
    form: ImportFormDep,
    project: Annotated[str, Form(min_length=1, max_length=200, pattern=r"\S",
                                 description="project name; created only if the import succeeds")],
):
    """As ``POST /projects/{id}/imports``, into the project called ``project``: a new name
    is created with the stored alignment, so a file that fails to import leaves no empty
    project behind (the page's Import… dialog)."""
    session.rollback()
    return await _import(request, settings, user, project.strip(), form)


async def _import(request: Request, settings, user: str, project: str, form: ImportForm) -> dict:
    limit = settings.max_upload_bytes
    uploads = (form.alignment, form.source, form.target)
    files = {role: f for role, upload in zip(("alignment", "source", "target"), uploads)
             if (f := await _read(upload, limit)) is not None}

    def run() -> dict:
        try:
            imported = read_import(form.format or None, files, src_lang=form.src_lang or None,
                                   tgt_lang=form.tgt_lang or None, cost=form.cost, max_bytes=limit)
        except MissingLanguageError as exc:  # named as the page's field, or the form field
            raise InputError(exc.asking(
                f"in the {exc.role.capitalize()} language field, e.g. {exc.example}" if form.via == "page"
                else f"as the form field {exc.flag}_lang, e.g. {exc.example}")) from None
        aid = store_import(request.app.state.session_factory, imported,
                           project=project, via=form.via, user=user)
        with request.app.state.session_factory() as fresh:
            meta = service.get_alignment(fresh, aid)
            project_id = service.find_project(fresh, project)
        return {"alignment_id": aid, "project_id": project_id, "beads": meta["beads"],
                "imported": meta["imported"]}

    return await run_in_threadpool(run)
