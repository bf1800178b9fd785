"""The transaction every review edit runs in: claim the version, build the (old, new)
states, apply them, refresh the flags of the beads it made, log it for undo, commit.

The version check is ``UPDATE alignment SET version = version + 1 WHERE id = :id AND
version = :expected`` inside the edit's own transaction, so of two concurrent edits of the
same version exactly one wins. On any error the transaction is rolled back and nothing
changes.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, case, func, insert, select, true, update
from sqlalchemy.orm import Session

from aligner.store.db import write_transaction
from aligner.store.errors import InvariantError, NotFoundError, StaleVersionError
from aligner.store.models import AlignmentRow, BeadRow, Edit, EditBead, utcnow
from aligner.store.regions import apply_state, read_beads, read_links, run


@dataclass(frozen=True)
class EditResult:
    """What an edit did.

    ``version``: the alignment's new version (send it as ``expected_version`` next time);
    ``edit_id``: the edit-log entry; ``operation``: e.g. ``"merge"``; ``bead_ids``: beads
    created or changed by the edit, in position order (for the page to refresh/focus).
    """

    alignment_id: int
    version: int
    edit_id: int
    operation: str
    bead_ids: tuple[int, ...] = ()


CROSSING_FLAG = "crossing-link"


def _user(user: str) -> str:
    return (user or "").strip()[:100] or "anonymous"


def _describe(edit: Edit) -> str:
    return f"{edit.operation} by {edit.user}"


# Statements run by every edit, built once (see aligner.store.regions.run).
_AID = bindparam("aid")
_CLAIM = (update(AlignmentRow)
          .where(AlignmentRow.id == _AID, AlignmentRow.version == bindparam("expected"))
          .values(version=AlignmentRow.version + 1, updated=bindparam("now"),
                  state=case((AlignmentRow.state == "aligned", "in-review"),
                             else_=AlignmentRow.state)))
_SINCE = (Edit.alignment_id == _AID, Edit.version_after > bindparam("expected"))
#: How many of the edits since a stale version a 409 names.
_STALE_NAMED = 50
_EDITS_SINCE = (select(Edit.version_after, Edit.operation, Edit.user).where(*_SINCE)
                .order_by(Edit.version_after).limit(_STALE_NAMED + 1).subquery())
#: The version and the first edits made since ``expected``, in one statement: no row for
#: an unknown alignment, one row without an edit when ``expected`` is current.
_VERSION_AND_SINCE = (select(AlignmentRow.version, _EDITS_SINCE.c.operation, _EDITS_SINCE.c.user)
                      .outerjoin(_EDITS_SINCE, true()).where(AlignmentRow.id == _AID)
                      .order_by(_EDITS_SINCE.c.version_after))
_COUNT_SINCE = select(func.count()).select_from(Edit).where(*_SINCE)
_DROP_REDO = (update(Edit).where(Edit.alignment_id == _AID, Edit.undo_state == "undone")
              .values(undo_state="dropped"))
_INSERT_EDIT = insert(Edit)
_INSERT_EDIT_BEADS = insert(EditBead)
_SET_UNDO_STATE = update(Edit).where(Edit.id == bindparam("edit_id"))  # SET undo_state
_SET_FLAGS = (update(BeadRow).where(BeadRow.id == bindparam("bead_id"))
              .values(flags=bindparam("flags")))


def _claim(session: Session, alignment_id: int, expected_version: int) -> int:
    """Bump the version iff it is ``expected_version`` (first statement of the write
    transaction); return the new version, else raise NotFoundError / StaleVersionError."""
    write_transaction(session)
    res = run(session, _CLAIM, {"aid": alignment_id, "expected": expected_version, "now": utcnow()})
    if res.rowcount == 1:
        return expected_version + 1
    raise _stale(session, alignment_id, expected_version) or StaleVersionError(
        f"alignment {alignment_id} changed while the edit was made", alignment_id=alignment_id,
        expected=expected_version, current=expected_version, changes=[])


def require_version(session: Session, alignment_id: int, expected_version: int) -> None:
    """Raise StaleVersionError (NotFoundError for an unknown alignment) unless the
    alignment is at ``expected_version`` now; ends the session's transaction.

    A plain read, without the write lock: a caller that serialises edits can turn a stale
    edit away before it queues for its lock (under contention most edits are stale). A
    mismatch seen now is the right answer now; a match is checked again by the edit's own
    version UPDATE, which stays the guarantee. One statement either way."""
    try:
        error = _stale(session, alignment_id, expected_version)
    finally:
        session.rollback()
    if error is not None:
        raise error


def _stale(session: Session, alignment_id: int, expected: int) -> Exception | None:
    """NotFoundError / StaleVersionError naming the edits since ``expected``, or None
    if the alignment is at ``expected``."""
    since = {"aid": alignment_id, "expected": expected}
    rows = run(session, _VERSION_AND_SINCE, since).all()
    if not rows:
        return NotFoundError(f"alignment {alignment_id} not found")
    current = rows[0][0]
    if current == expected:
        return None
    # Only the operation and the user of the first few edits: the stale path runs under
    # the write lock, and edits' before/after states can be large. Counted only when
    # there are more than are named.
    named = [(op, user) for _v, op, user in rows if op is not None]
    changes = [f"{op} by {user}" for op, user in named[:_STALE_NAMED]]
    total = len(named) if len(named) <= _STALE_NAMED else run(session, _COUNT_SINCE, since).scalar()
    if total > len(changes):
        changes.append(f"… {total - len(changes)} more")
    msg = f"alignment {alignment_id} is at version {current}, you edited version {expected}"
    if changes:  # name the edits, but keep the message to one readable line
        shown = changes if len(changes) <= 8 else changes[:7] + [f"… {total - 7} more"]
        msg += "; since then: " + ", ".join(shown)
    return StaleVersionError(msg, alignment_id=alignment_id, expected=expected, current=current,
                             changes=changes)


def _bead_ids(state: dict) -> list[int]:
    return [b["id"] for r in state["regions"] for b in r["beads"]]


def _log(session: Session, alignment_id: int, version: int, operation: str, before: dict,
         after: dict, user: str, *, target: int | None = None) -> int:
    if target is None:  # a new edit clears the redo stack
        run(session, _DROP_REDO, {"aid": alignment_id})
    edit_id = run(session, _INSERT_EDIT, dict(
        alignment_id=alignment_id, version_after=version, operation=operation, before=before,
        after=after, user=user, created=utcnow(),
        undo_state=None if target is not None else "active",
        target_edit_id=target)).inserted_primary_key[0]
    touched = dict.fromkeys(_bead_ids(before) + _bead_ids(after))
    if touched:
        run(session, _INSERT_EDIT_BEADS, [{"edit_id": edit_id, "bead_id": b} for b in touched])
    return edit_id


def _edit(session: Session, alignment_id: int, expected_version: int, user: str,
          operation: str, build: Callable[[], tuple[dict, dict]], *,
          reflag: bool = True) -> EditResult:
    """Run one edit: claim the version, build (old, new) states, apply, refresh the new
    beads' flags (unless ``reflag`` is False: a status edit changes no bead's sentences),
    log, commit."""
    user = _user(user)
    try:
        version = _claim(session, alignment_id, expected_version)
        old, new = build()
        _stamp_reviewers(old, new, user)
        new = apply_state(session, alignment_id, old, new)
        if reflag:
            _refresh_flags(session, alignment_id, new)
        edit_id = _log(session, alignment_id, version, operation, old, new, user)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return EditResult(alignment_id, version, edit_id, operation, tuple(_bead_ids(new)))


def _stamp_reviewers(old: dict, new: dict, user: str) -> None:
    """Set each new bead's ``reviewer``: None while unreviewed; ``user`` for a bead this
    edit decided (a new bead, a changed status, changed sentences); else the one it had."""
    before = {b["id"]: b for r in old["regions"] for b in r["beads"]}
    for b in (b for r in new["regions"] for b in r["beads"]):
        prev = before.get(b["id"])
        if b["status"] == "unreviewed":
            b["reviewer"] = None
        elif prev is None or prev["status"] != b["status"] \
                or (prev["src"], prev["tgt"]) != (b["src"], b["tgt"]):
            b["reviewer"] = user
        else:
            b["reviewer"] = prev.get("reviewer")


def _as_ids(bead_ids: Sequence[int] | int) -> list[int]:
    ids = [bead_ids] if isinstance(bead_ids, int) else list(dict.fromkeys(bead_ids))
    if not ids:
        raise InvariantError("no beads given")
    return ids


def _linked_sentences(session: Session, alignment_id: int, links: list[dict] | None = None) -> set[int]:
    links = read_links(session, alignment_id) if links is None else links
    return {sid for l in links for sid in l["src"] + l["tgt"]}


def _refresh_flags(session: Session, alignment_id: int, state: dict) -> None:
    """Flags of the beads an edit made (``state`` as applied, with real ids): the
    crossing-link flag exactly on beads holding a linked sentence, the fidelity codes as
    :func:`aligner.store.fidelity.refresh_codes` computes them now (so a merge does not carry
    a neighbour's "omission" into a 1-1 bead). Written where they changed; ``state`` is
    updated, so the edit log records them."""
    from aligner.store.fidelity import refresh_codes

    beads = [b for r in state["regions"] for b in r["beads"]]
    before = {b["id"]: list(b["flags"]) for b in beads}
    linked = _linked_sentences(session, alignment_id)
    for b in beads:
        flags = [f for f in b["flags"] if f != CROSSING_FLAG]
        if any(s in linked for s in b["src"] + b["tgt"]):
            flags.append(CROSSING_FLAG)
        b["flags"] = flags
    refresh_codes(session, alignment_id, beads)
    changed = [{"bead_id": b["id"], "flags": b["flags"]} for b in beads
               if b["flags"] != before[b["id"]]]
    if changed:
        run(session, _SET_FLAGS, changed)


def _manual(bead: dict) -> dict:
    bead["origin"], bead["status"] = "manual", "confirmed"
    return bead


def _union(*lists: list) -> list:
    return list(dict.fromkeys(x for l in lists for x in l))


def _single_regions(session: Session, alignment_id: int, positions: list[int],
                    change: Callable[[dict], None]) -> tuple[dict, dict]:
    """(old, new) states of single-bead regions at ``positions`` with ``change`` applied."""
    old_regions, new_regions = [], []
    for p in sorted(set(positions)):
        beads = read_beads(session, alignment_id, p, p + 1)
        nb = copy.deepcopy(beads)
        change(nb[0])
        old_regions.append({"start": p, "beads": beads})
        new_regions.append({"start": p, "beads": nb})
    return {"regions": old_regions}, {"regions": new_regions}
