"""Projects: a named group of documents and their alignments."""

from __future__ import annotations

from fastapi import APIRouter, status

from aligner.store import service
from api.deps import EncoderDep, SessionDep
from api.schemas import AdaptOut, ErrorOut, ProjectIn, ProjectOut

router = APIRouter(prefix="/projects", tags=["projects"])


@router.get("", response_model=list[ProjectOut], summary="List projects")
def list_projects(session: SessionDep):
    return service.list_projects(session)


@router.post("", response_model=ProjectOut, status_code=status.HTTP_201_CREATED,
             summary="Create a project", responses={409: {"model": ErrorOut}})
def create_project(body: ProjectIn, session: SessionDep):
    project_id = service.create_project(session, body.name, body.description)
    return service.get_project(session, project_id)


@router.get("/{project_id}", response_model=ProjectOut, summary="Read a project",
            responses={404: {"model": ErrorOut}})
def get_project(project_id: int, session: SessionDep):
    return service.get_project(session, project_id)


@router.post("/{project_id}/adapt", response_model=AdaptOut,
             summary="Learn from the project's confirmed beads (as `aligner adapt`)",
             responses={404: {"model": ErrorOut}})
def adapt_project(project_id: int, session: SessionDep, encoder: EncoderDep):
    """Fit the post-pass's weights on the project's confirmed beads and keep them with the
    project; its re-alignments and new alignments then use them. Nothing is stored below
    30 confirmed beads (``stored`` false, ``message`` says why)."""
    from aligner.store.adaptation import adapt_and_describe

    service.get_project(session, project_id)  # 404 before the encoder is loaded
    # a plain def: FastAPI runs it in a thread, so loading the encoder and fitting never block the loop
    adaptation, line = adapt_and_describe(session, project_id, encoder(None))
    return {"stored": adaptation is not None, "message": line,
            "summary": adaptation.summary if adaptation else None}
