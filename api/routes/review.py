"""Review operations. Each takes the alignment ``version`` it was made against and returns
the new version; a stale version is a 409 naming the edits made since."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, status

from aligner.store import review
from api.deps import EncoderDep, SessionDep, UserDep, WriteLockDep
from api.schemas import (
    BeadIdsIn,
    CrossingLinkIn,
    DetachIn,
    EditOut,
    ErrorOut,
    JoinSentenceIn,
    MergeIn,
    MoveIn,
    NoteIn,
    NoteOut,
    RealignIn,
    SplitIn,
    SplitSentenceIn,
    StaleOut,
    UnlinkIn,
    VersionIn,
)

router = APIRouter(prefix="/alignments/{alignment_id}", tags=["review"])
EDIT_ERRORS = {404: {"model": ErrorOut, "description": "unknown alignment, bead or sentence"},
               409: {"model": StaleOut,
                     "description": "stale version (code stale_version: reload and redo) or "
                                    "the edit does not apply here (code invariant)"}}


def _out(result: review.EditResult) -> dict:
    out = asdict(result)
    out["bead_ids"] = list(result.bead_ids)
    return out


def _edit(path: str, summary: str):
    return router.post(path, response_model=EditOut, summary=summary, responses=EDIT_ERRORS)


def _apply(lock, edit, session, alignment_id: int, version: int, *args, **kwargs) -> dict:
    """``edit(session, alignment_id, version, ...)`` under the write lock. A stale
    ``version`` is refused (409) before queueing for the lock: with many reviewers most
    edits are stale, and they need not wait behind the ones being written."""
    review.require_version(session, alignment_id, version)
    with lock:
        return _out(edit(session, alignment_id, version, *args, **kwargs))


@_edit("/confirm", "Confirm beads")
def confirm(alignment_id: int, body: BeadIdsIn,
            session: SessionDep, user: UserDep, lock: WriteLockDep):
    return _apply(lock, review.confirm, session, alignment_id, body.version, body.bead_ids, user=user)


@_edit("/reject", "Reject beads (mark as wrong)")
def reject(alignment_id: int, body: BeadIdsIn,
           session: SessionDep, user: UserDep, lock: WriteLockDep):
    return _apply(lock, review.reject, session, alignment_id, body.version, body.bead_ids, user=user)


@_edit("/unreview", "Mark beads as unreviewed again")
def unreview(alignment_id: int, body: BeadIdsIn,
             session: SessionDep, user: UserDep, lock: WriteLockDep):
    return _apply(lock, review.unreview, session, alignment_id, body.version, body.bead_ids,
                  user=user)


@_edit("/merge", "Merge a bead with its next or previous bead")
def merge(alignment_id: int, body: MergeIn, session: SessionDep, user: UserDep, lock: WriteLockDep):
    return _apply(lock, review.merge, session, alignment_id, body.version, body.bead_id,
                  body.direction, user=user)


@_edit("/split", "Split a bead in two")
def split(alignment_id: int, body: SplitIn, session: SessionDep, user: UserDep, lock: WriteLockDep):
    return _apply(lock, review.split_bead, session, alignment_id, body.version, body.bead_id,
                  body.src_at, body.tgt_at, user=user)


@_edit("/move", "Move a sentence to the neighbouring bead")
def move(alignment_id: int, body: MoveIn, session: SessionDep, user: UserDep, lock: WriteLockDep):
    return _apply(lock, review.move_sentence, session, alignment_id, body.version, body.bead_id,
                  body.side, body.direction, user=user)


@_edit("/detach", "Make every sentence of a bead its own 1-0 / 0-1 bead")
def detach(alignment_id: int, body: DetachIn,
           session: SessionDep, user: UserDep, lock: WriteLockDep):
    return _apply(lock, review.detach, session, alignment_id, body.version, body.bead_id, user=user)


@_edit("/crossing-links", "Record a crossing (out-of-order) link")
def link_crossing(alignment_id: int, body: CrossingLinkIn,
                  session: SessionDep, user: UserDep, lock: WriteLockDep):
    return _apply(lock, review.link_crossing, session, alignment_id, body.version, body.crossing_id,
                  src_sentence_ids=body.src_sentence_ids, tgt_sentence_ids=body.tgt_sentence_ids,
                  user=user)


@_edit("/unlink-crossing", "Remove a crossing link")
def unlink_crossing(alignment_id: int, body: UnlinkIn,
                    session: SessionDep, user: UserDep, lock: WriteLockDep):
    return _apply(lock, review.unlink_crossing, session, alignment_id, body.version, body.link_id,
                  user=user)


@_edit("/split-sentence", "Re-segment: split a sentence at a character offset")
def split_sentence(alignment_id: int, body: SplitSentenceIn,
                   session: SessionDep, user: UserDep, lock: WriteLockDep):
    return _apply(lock, review.split_sentence, session, alignment_id, body.version,
                  body.sentence_id, body.offset, user=user)


@_edit("/join-sentence", "Re-segment: join a sentence with the next one")
def join_sentence(alignment_id: int, body: JoinSentenceIn,
                  session: SessionDep, user: UserDep, lock: WriteLockDep):
    return _apply(lock, review.join_sentence, session, alignment_id, body.version,
                  body.sentence_id, user=user)


@_edit("/undo", "Undo the last edit")
def undo(alignment_id: int, body: VersionIn,
         session: SessionDep, user: UserDep, lock: WriteLockDep):
    return _apply(lock, review.undo, session, alignment_id, body.version, user=user)


@_edit("/redo", "Redo the last undone edit")
def redo(alignment_id: int, body: VersionIn,
         session: SessionDep, user: UserDep, lock: WriteLockDep):
    return _apply(lock, review.redo, session, alignment_id, body.version, user=user)


@_edit("/realign", "Re-align the unconfirmed part (confirmed and manual beads stay)")
def realign(alignment_id: int, body: RealignIn, session: SessionDep, user: UserDep,
            encoder: EncoderDep, lock: WriteLockDep):
    def realign_with_encoder(session, alignment_id, version, **kwargs):  # loaded under the lock
        return review.realign_unconfirmed(session, alignment_id, version, encoder(None), **kwargs)

    return _apply(lock, realign_with_encoder, session, alignment_id, body.version,
                  start=body.start, end=body.end, user=user)


@router.post("/beads/{bead_id}/notes", response_model=NoteOut, status_code=status.HTTP_201_CREATED,
             summary="Add a note to a bead (does not change the version)",
             responses=EDIT_ERRORS)
def add_note(alignment_id: int, bead_id: int, body: NoteIn, session: SessionDep, user: UserDep):
    return review.add_note(session, alignment_id, body.version, bead_id, body.text, user=user)


@router.get("/notes", response_model=list[NoteOut], summary="Notes of the alignment or of one bead",
            responses={404: {"model": ErrorOut}})
def list_notes(alignment_id: int, session: SessionDep, bead_id: int | None = None):
    return review.list_notes(session, alignment_id, bead_id)
