"""Notes on beads, the edit log (history of an alignment and of one bead), and what
undo/redo would do."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aligner.store.db import write_transaction
from aligner.store.errors import InvariantError, NotFoundError
from aligner.store.models import AlignmentRow, BeadRow, Edit, EditBead, Note, as_utc, utcnow
from aligner.store.regions import position_of
from aligner.store.review.transaction import _user, check_seen, current_version


def _note_dict(n: Note) -> dict:
    return {"id": n.id, "bead_id": n.bead_id, "text": n.text, "user": n.user,
            "created": as_utc(n.created).isoformat()}


def add_note(session: Session, alignment_id: int, expected_version: int | None, bead_id: int,
             text: str, *, user: str) -> dict:
    """Attach a note to a bead; returns ``{"id", "bead_id", "text", "user", "created"}``.
    Notes do not change the alignment version (``expected_version`` may be None; if given,
    StaleVersionError if the bead changed after it). InvariantError if ``text`` is blank or over 10 000 characters."""
    text = (text or "").strip()
    if not text:
        raise InvariantError("a note needs some text")
    if len(text) > 10_000:
        raise InvariantError("a note is limited to 10 000 characters")
    try:
        write_transaction(session)
        current = current_version(session, alignment_id)
        position_of(session, alignment_id, bead_id)
        if expected_version is not None:  # the bead the note is about must be as the client saw it
            check_seen(session, alignment_id, expected_version, current, [bead_id])
        note = Note(alignment_id=alignment_id, bead_id=bead_id, text=text, user=_user(user),
                    created=utcnow())
        session.add(note)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return _note_dict(note)


def list_notes(session: Session, alignment_id: int, bead_id: int | None = None) -> list[dict]:
    """Notes of one bead, or of the whole alignment, oldest first."""
    q = select(Note).where(Note.alignment_id == alignment_id)
    if bead_id is not None:
        q = q.where(Note.bead_id == bead_id)
    return [_note_dict(n) for n in session.scalars(q.order_by(Note.id))]


def _edit_dicts(session: Session, edits: Sequence[Edit]) -> list[dict]:
    ids = [e.id for e in edits]
    beads: dict[int, list[int]] = {}
    if ids:
        for eid, bid in session.execute(select(EditBead.edit_id, EditBead.bead_id)
                                        .where(EditBead.edit_id.in_(ids))):
            beads.setdefault(eid, []).append(bid)
    return [{"id": e.id, "version": e.version_after, "operation": e.operation, "user": e.user,
             "created": as_utc(e.created).isoformat(), "bead_ids": sorted(beads.get(e.id, [])),
             "undone": e.undo_state in ("undone", "dropped"),
             "summary": f"{e.operation} ({len(beads.get(e.id, []))} bead(s)) by {e.user}"}
            for e in edits]


def _require_alignment(session: Session, alignment_id: int) -> None:
    if session.get(AlignmentRow, alignment_id) is None:
        raise NotFoundError(f"alignment {alignment_id} not found")


def history(session: Session, alignment_id: int, limit: int = 50) -> list[dict]:
    """Latest edit-log entries, newest first: ``{"id", "version", "operation", "user",
    "created", "bead_ids", "undone": bool, "summary": str}``. NotFoundError."""
    _require_alignment(session, alignment_id)
    edits = session.scalars(select(Edit).where(Edit.alignment_id == alignment_id)
                            .order_by(Edit.id.desc()).limit(max(1, limit))).all()
    return _edit_dicts(session, edits)


def bead_history(session: Session, alignment_id: int, bead_id: int) -> dict:
    """Edit-log entries (as in :func:`history`, oldest first) that touched the bead,
    plus its notes: ``{"bead_id", "edits": [...], "notes": [...]}``. Works for beads
    that no longer exist (merged away); NotFoundError if it never was in the alignment."""
    _require_alignment(session, alignment_id)
    edits = session.scalars(select(Edit).join(EditBead, EditBead.edit_id == Edit.id)
                            .where(Edit.alignment_id == alignment_id, EditBead.bead_id == bead_id)
                            .order_by(Edit.id)).all()
    exists = session.scalar(select(func.count()).select_from(BeadRow).where(
        BeadRow.id == bead_id, BeadRow.alignment_id == alignment_id))
    if not edits and not exists:
        raise NotFoundError(f"bead {bead_id} not found in alignment {alignment_id}")
    return {"bead_id": bead_id, "edits": _edit_dicts(session, edits),
            "notes": list_notes(session, alignment_id, bead_id)}


def can_undo_redo(session: Session, alignment_id: int, user: str | None = None) -> dict:
    """``{"undo": str | None, "redo": str | None}``: the operation names that ``user``'s
    undo/redo would revert/re-apply (anyone's when ``user`` is None), None if nothing.
    NotFoundError."""
    _require_alignment(session, alignment_id)
    q = select(Edit.operation).where(Edit.alignment_id == alignment_id)
    if user is not None:
        q = q.where(Edit.user == _user(user))
    u = session.scalars(q.where(Edit.undo_state == "active").order_by(Edit.id.desc()).limit(1)).first()
    r = session.scalars(q.where(Edit.undo_state == "undone").order_by(Edit.id).limit(1)).first()
    return {"undo": u, "redo": r}


def changes_since(session: Session, alignment_id: int, since: int, limit: int = 200) -> dict:
    """What other clients changed after version ``since`` (for a page that polls):
    ``{"version": current, "since": since, "edits": [{"version", "operation", "user",
    "bead_ids"}], "more": bool}``, oldest first, at most ``limit`` edits (``more`` says
    there were others: reload everything). NotFoundError for an unknown alignment."""
    current = current_version(session, alignment_id)
    edits = session.scalars(select(Edit).where(Edit.alignment_id == alignment_id,
                                               Edit.version_after > since)
                            .order_by(Edit.version_after).limit(limit + 1)).all()
    rows = [{k: e[k] for k in ("version", "operation", "user", "bead_ids")}
            for e in _edit_dicts(session, edits[:limit])]
    return {"version": current, "since": since, "edits": rows, "more": len(edits) > limit}
