"""Review operations. Each takes the alignment ``version`` the client last read and returns
the new version; an edit whose beads changed after that version is a 409 naming the edits
and who made them (:mod:`aligner.store.review.transaction`). ``GET .../changes?since=N``
lists what changed after N (the page polls it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from aligner.pipeline import realign as realign_stored
from aligner.store import review
from api.deps import EncoderDep, SessionDep, UserDep, is_busy
from api.schemas.auth import ChangesOut
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
    # The routes answer with a JSONResponse of EditOut's fields: declared here for the
    # OpenAPI schema, not run through response validation (a second pass over a result
    # the store already typed).
    return router.post(path, response_model=None, summary=summary,
                       responses={200: {"model": EditOut, "description": "Successful Response"},
                                  **EDIT_ERRORS})


#: Edits touching at most this many beads run on the event loop (a few ms at most; the
#: renumbering after a structural edit is ~4 ms for 2000 beads), larger ones in a thread.
INLINE_MAX_BEADS = 20


async def _apply(request: Request, edit, alignment_id: int, version: int, *args,
                 inline: bool | Callable[[Session, int], bool] = True, names: Sequence[int] = (),
                 **kwargs) -> JSONResponse:
    """``edit(session, alignment_id, version, ...)``; the result as JSON (EditOut).

    SQLite (one writer at a time): an edit naming beads changed since ``version``
    (``names``) is refused (409) first, on the event loop — one indexed read, and under
    contention most refused edits are. A small edit (``inline`` true, or
    ``inline(session, alignment_id)`` true) then runs on the loop too, if the write lock
    and SQLite's write lock are free at once: a thread hand-off, and the GIL passing back
    and forth between the loop and a worker, cost more than such an edit. Else, or if
    SQLite is busy (that attempt was rolled back whole), it runs in the thread pool.
    PostgreSQL: in the thread pool, on a pooled connection, one edit of an alignment at a
    time per process (the alignment's row lock serialises them anyway; waiting on a
    Python lock wakes one waiter, where 20 transactions queued on one row wake all at
    each commit). Either way the edit's own footprint check is the guarantee."""
    state = request.app.state
    if not state.sqlite:
        return JSONResponse(await run_in_threadpool(_write, state, edit, alignment_id, version,
                                                    *args, lock=state.alignment_lock(alignment_id),
                                                    **kwargs))
    reader = state.loop_sessions.reader()
    review.require_version(reader, alignment_id, version, names)
    if (inline if isinstance(inline, bool) else inline(reader, alignment_id)) \
            and state.write_lock.acquire(blocking=False):
        try:
            with state.loop_sessions.writer() as session:
                return JSONResponse(_out(edit(session, alignment_id, version, *args, **kwargs)))
        except OperationalError as exc:
            if not is_busy(exc):
                raise
        finally:
            state.write_lock.release()
    out = await run_in_threadpool(_write, state, edit, alignment_id, version, *args, **kwargs)
    return JSONResponse(out)


def _write(state, edit, alignment_id: int, version: int, *args, lock=None, **kwargs) -> dict:
    with state.session_factory() as session, (lock or state.write_lock):
        return _out(edit(session, alignment_id, version, *args, **kwargs))


def _small(which: str, user: str) -> Callable[[Session, int], bool]:
    """``inline`` test for undo / redo: is the edit it would revert / re-apply small?"""
    def small(session: Session, alignment_id: int) -> bool:
        return review.undo_redo_size(session, alignment_id, which, user) <= INLINE_MAX_BEADS

    return small


@router.get("/changes", response_model=ChangesOut, summary="What changed after version N "
            "(for a page that polls: other reviewers' edits)", responses={404: {"model": ErrorOut}})
def changes(alignment_id: int, since: int, session: SessionDep):
    return review.changes_since(session, alignment_id, since)


def _status_route(path: str, summary: str, edit):
    """A route setting the status of the beads given (one undoable edit)."""
    async def route(alignment_id: int, body: BeadIdsIn, request: Request, user: UserDep):
        return await _apply(request, edit, alignment_id, body.version, body.bead_ids, user=user,
                            inline=len(body.bead_ids) <= INLINE_MAX_BEADS, names=body.bead_ids)

    route.__name__ = path.strip("/")  # the OpenAPI operation id, as for the other routes
    return _edit(path, summary)(route)


confirm = _status_route("/confirm", "Confirm beads", review.confirm)
reject = _status_route("/reject", "Reject beads (mark as wrong)", review.reject)
unreview = _status_route("/unreview", "Mark beads as unreviewed again", review.unreview)


@_edit("/merge", "Merge a bead with its next or previous bead")
async def merge(alignment_id: int, body: MergeIn, request: Request, user: UserDep):
    return await _apply(request, review.merge, alignment_id, body.version, body.bead_id,
                        body.direction, user=user, names=[body.bead_id])


@_edit("/split", "Split a bead in two")
async def split(alignment_id: int, body: SplitIn, request: Request, user: UserDep):
    return await _apply(request, review.split_bead, alignment_id, body.version, body.bead_id,
                        body.src_at, body.tgt_at, user=user, names=[body.bead_id])


@_edit("/move", "Move a sentence to the neighbouring bead")
async def move(alignment_id: int, body: MoveIn, request: Request, user: UserDep):
    return await _apply(request, review.move_sentence, alignment_id, body.version, body.bead_id,
                        body.side, body.direction, user=user, names=[body.bead_id])


@_edit("/detach", "Make every sentence of a bead its own 1-0 / 0-1 bead")
async def detach(alignment_id: int, body: DetachIn, request: Request, user: UserDep):
    return await _apply(request, review.detach, alignment_id, body.version, body.bead_id,
                        user=user, names=[body.bead_id])


@_edit("/crossing-links", "Record a crossing (out-of-order) link")
async def link_crossing(alignment_id: int, body: CrossingLinkIn, request: Request, user: UserDep):
    return await _apply(request, review.link_crossing, alignment_id, body.version,
                        body.crossing_id, src_sentence_ids=body.src_sentence_ids,
                        tgt_sentence_ids=body.tgt_sentence_ids, user=user)


@_edit("/unlink-crossing", "Remove a crossing link")
async def unlink_crossing(alignment_id: int, body: UnlinkIn, request: Request, user: UserDep):
    return await _apply(request, review.unlink_crossing, alignment_id, body.version,
                        body.link_id, user=user)


@_edit("/split-sentence", "Re-segment: split a sentence at a character offset")
async def split_sentence(alignment_id: int, body: SplitSentenceIn, request: Request,
                         user: UserDep):
    return await _apply(request, review.split_sentence, alignment_id, body.version,
                        body.sentence_id, body.offset, user=user, inline=False)


@_edit("/join-sentence", "Re-segment: join a sentence with the next one")
async def join_sentence(alignment_id: int, body: JoinSentenceIn, request: Request,
                        user: UserDep):
    return await _apply(request, review.join_sentence, alignment_id, body.version,
                        body.sentence_id, user=user, inline=False)


@_edit("/undo", "Undo the last edit")
async def undo(alignment_id: int, body: VersionIn, request: Request, user: UserDep):
    return await _apply(request, review.undo, alignment_id, body.version, user=user,
                        inline=_small("undo", user))


@_edit("/redo", "Redo the last undone edit")
async def redo(alignment_id: int, body: VersionIn, request: Request, user: UserDep):
    return await _apply(request, review.redo, alignment_id, body.version, user=user,
                        inline=_small("redo", user))


@_edit("/realign", "Re-align the unconfirmed part with the alignment's own settings "
                   "(confirmed and manual beads stay; flags are recomputed)")
async def realign(alignment_id: int, body: RealignIn, request: Request, user: UserDep,
                  encoder: EncoderDep):
    def realign_with_encoder(session, alignment_id, version, **kwargs):  # loaded under the lock
        return realign_stored(session, alignment_id, version, encoder_provider=encoder, **kwargs)

    return await _apply(request, realign_with_encoder, alignment_id, body.version,
                        start=body.start, end=body.end, user=user, inline=False)


@router.post("/beads/{bead_id}/notes", response_model=NoteOut, status_code=status.HTTP_201_CREATED,
             summary="Add a note to a bead (does not change the version)",
             responses=EDIT_ERRORS)
def add_note(alignment_id: int, bead_id: int, body: NoteIn, session: SessionDep, user: UserDep):
    return review.add_note(session, alignment_id, body.version, bead_id, body.text, user=user)


@router.get("/notes", response_model=list[NoteOut], summary="Notes of the alignment or of one bead",
            responses={404: {"model": ErrorOut}})
def list_notes(alignment_id: int, session: SessionDep, bead_id: int | None = None):
    return review.list_notes(session, alignment_id, bead_id)
