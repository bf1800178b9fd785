"""The review workflow (issue 14): correct a sentence's text, apply an OCR suggestion,
confirm in bulk (each an undoable edit against the alignment version), the overview of a
whole alignment, and search inside it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from aligner.store import review
from aligner.store.overview import find_in_alignment, overview
from api.deps import SessionDep, UserDep
from api.routes.review import EDIT_ERRORS, INLINE_MAX_BEADS, _apply
from api.schemas import ErrorOut
from api.schemas.workflow import ApplySuggestionIn, BulkStatusIn, EditTextIn, FindOut, OverviewOut

router = APIRouter(prefix="/alignments/{alignment_id}", tags=["review"])
NOT_FOUND = {404: {"model": ErrorOut}}


def _post(path: str, summary: str):
    return router.post(path, response_model=None, summary=summary, responses=EDIT_ERRORS)


@_post("/edit-text", "Correct a sentence's text (OCR error, typo); the raw text stays as read")
async def edit_text(alignment_id: int, body: EditTextIn, request: Request, user: UserDep):
    return await _apply(request, review.edit_sentence, alignment_id, body.version,
                        body.sentence_id, body.text, user=user, inline=False)


@_post("/apply-suggestion", "Apply the suggested reading of an OCR-suspect word of a bead")
async def apply_suggestion(alignment_id: int, body: ApplySuggestionIn, request: Request,
                           user: UserDep):
    return await _apply(request, review.apply_suggestion, alignment_id, body.version,
                        body.bead_id, body.word, user=user, inline=False)


@_post("/bulk-status", "Confirm (or reject) every unreviewed bead above a score or up to a "
                       "position, as one undoable edit")
async def bulk_status(alignment_id: int, body: BulkStatusIn, request: Request, user: UserDep):
    return await _apply(request, review.set_status_bulk, alignment_id, body.version, body.status,
                        min_score=body.min_score, end=body.end, user=user,
                        inline=body.end is not None and body.end <= INLINE_MAX_BEADS
                        and body.min_score is None)


@router.get("/overview", response_model=OverviewOut, responses=NOT_FOUND,
            summary="Every bead at a glance: score, status and marks, in compact arrays")
def get_overview(alignment_id: int, session: SessionDep):
    return overview(session, alignment_id)


@router.get("/find", response_model=FindOut, responses={**NOT_FOUND, 409: {"model": ErrorOut}},
            summary="Positions of the beads whose text holds a phrase (case-insensitive)")
def find(alignment_id: int, session: SessionDep,
         q: Annotated[str, Query(min_length=1, max_length=500)],
         side: Annotated[str | None, Query(pattern="^(src|tgt)$")] = None):
    return find_in_alignment(session, alignment_id, q, side)
