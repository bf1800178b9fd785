"""Projects: a named group of documents and their alignments."""

from __future__ import annotations

from fastapi import APIRouter, status

from aligner.store import service
from api.deps import SessionDep
from api.schemas import ErrorOut, ProjectIn, ProjectOut

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
