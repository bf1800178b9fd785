"""Alignments: start one (background job), read it, its beads in pages, progress, queue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from aligner.store import review, service
from api.deps import JobsDep, SessionDep, SettingsDep, UserDep
from api.schemas import (
    MAX_OFFSET,
    AlignJobIn,
    AlignmentOut,
    BeadFilter,
    BeadHistoryOut,
    BeadOut,
    BeadPageOut,
    CrossingLinkOut,
    CrossingOut,
    EditLogOut,
    ErrorOut,
    JobOut,
    NextOut,
    ProgressOut,
    QueueKind,
)

router = APIRouter(tags=["alignments"])
NOT_FOUND = {404: {"model": ErrorOut}}


@router.post("/projects/{project_id}/alignments", response_model=JobOut,
             status_code=status.HTTP_202_ACCEPTED,
             summary="Align two documents of the project (background job)",
             responses={**NOT_FOUND, 409: {"model": ErrorOut}})
def start_alignment(project_id: int, body: AlignJobIn, jobs: JobsDep):
    """Returns the job at once; poll ``GET /api/jobs/{id}`` for progress and the
    ``alignment_id``."""
    job = jobs.submit(project_id, body.src_document_id, body.tgt_document_id, body.encoder,
                      body.chosen_settings())
    return job.as_dict()


@router.get("/jobs", response_model=list[JobOut], tags=["jobs"], summary="List alignment jobs")
def list_jobs(jobs: JobsDep):
    return [j.as_dict() for j in jobs.list()]


@router.get("/jobs/{job_id}", response_model=JobOut, tags=["jobs"],
            summary="Progress of an alignment job", responses=NOT_FOUND)
def get_job(job_id: str, jobs: JobsDep):
    return jobs.get(job_id).as_dict()


@router.get("/alignments", response_model=list[AlignmentOut], summary="List alignments")
def list_alignments(session: SessionDep, project_id: int | None = None):
    return service.list_alignments(session, project_id)


@router.get("/alignments/{alignment_id}", response_model=AlignmentOut,
            summary="Read an alignment (with its current version)", responses=NOT_FOUND)
def get_alignment(alignment_id: int, session: SessionDep):
    return service.get_alignment(session, alignment_id)


@router.get("/alignments/{alignment_id}/beads", response_model=BeadPageOut,
            summary="Read beads in pages (position order)", responses=NOT_FOUND)
def list_beads(
    alignment_id: int,
    session: SessionDep,
    settings: SettingsDep,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="first position (0-based)")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="beads per page")] = 50,
    filter: Annotated[BeadFilter | None, Query(description="only beads of this kind")] = None,
):
    return service.list_beads(session, alignment_id, offset, min(limit, settings.page_limit_max),
                              filter)


@router.get("/alignments/{alignment_id}/beads/{bead_id}", response_model=BeadOut,
            summary="Read one bead", responses=NOT_FOUND)
def get_bead(alignment_id: int, bead_id: int, session: SessionDep):
    return service.get_bead(session, alignment_id, bead_id)


@router.get("/alignments/{alignment_id}/progress", response_model=ProgressOut,
            summary="Review progress and what your undo/redo would do", responses=NOT_FOUND)
def get_progress(alignment_id: int, session: SessionDep, user: UserDep):
    out = dict(service.progress(session, alignment_id))
    out.update(review.can_undo_redo(session, alignment_id, user))
    return out


@router.get("/alignments/{alignment_id}/next", response_model=NextOut,
            summary="Review queue: the next bead of a kind", responses=NOT_FOUND)
def next_bead(
    alignment_id: int,
    session: SessionDep,
    kind: QueueKind = "unreviewed",
    after: Annotated[int, Query(ge=-1, description="position to search after; -1 = from the start")] = -1,
    wrap: bool = True,
):
    return {"kind": kind, "bead": service.next_bead(session, alignment_id, after, kind, wrap=wrap)}


@router.get("/alignments/{alignment_id}/crossings", response_model=list[CrossingOut],
            summary="Crossing-link candidates", responses=NOT_FOUND)
def list_crossings(alignment_id: int, session: SessionDep):
    return service.list_crossings(session, alignment_id)


@router.get("/alignments/{alignment_id}/crossing-links", response_model=list[CrossingLinkOut],
            summary="Crossing links made by reviewers", responses=NOT_FOUND)
def list_crossing_links(alignment_id: int, session: SessionDep):
    return service.list_crossing_links(session, alignment_id)


@router.get("/alignments/{alignment_id}/history", response_model=list[EditLogOut],
            summary="Edit log, newest first", responses=NOT_FOUND)
def get_history(alignment_id: int, session: SessionDep,
                limit: Annotated[int, Query(ge=1, le=1000)] = 50):
    return review.history(session, alignment_id, limit)


@router.get("/alignments/{alignment_id}/beads/{bead_id}/history", response_model=BeadHistoryOut,
            summary="History and notes of one bead (also for beads merged away)",
            responses=NOT_FOUND)
def get_bead_history(alignment_id: int, bead_id: int, session: SessionDep):
    return review.bead_history(session, alignment_id, bead_id)
