"""The transaction every review edit runs in: claim the alignment, build the (old, new)
states, check that the beads it touches have not changed since the client's version,
apply, refresh the flags of the beads it made, log it for undo, commit.

**The contract of ``expected_version``** (every operation built on :func:`_edit` inherits
it; an operation only supplies ``build() -> (old, new)``):

* ``expected_version`` is the alignment version the client last read (any read answers
  it; so does every edit, and ``GET .../changes?since=N`` brings a client up to date).
* Claim: ``UPDATE alignment SET version = version + 1 WHERE id = :id AND version >=
  :expected`` is the transaction's first statement. Its row lock (PostgreSQL) or the
  write lock (SQLite, ``BEGIN IMMEDIATE``) serialises the edits of one alignment, so
  versions are handed out in commit order and the alignment version counts edits.
  NotFoundError for an unknown alignment; StaleVersionError if ``expected`` is newer than
  the alignment (a client of a store restored from a backup).
* Footprint: every bead of the edit's ``old`` state — the beads it reads and rewrites,
  and for an edit that moves a boundary (merge, move a sentence, join sentences) the
  beads on both sides of it. If a footprint bead has ``bead.version > expected`` (an
  edit the client has not seen wrote it), or a bead the client named is gone and an edit
  since ``expected`` touched it, the edit is refused (StaleVersionError naming those
  edits and who made them) and rolled back whole. Otherwise every bead of the ``new``
  state gets ``bead.version`` = the new alignment version.
* So two reviewers editing different beads both succeed whatever versions they send;
  two editing the same bead from the same version: one succeeds, the other gets the
  StaleVersionError (HTTP 409). Position shifts caused by others' edits elsewhere are
  not conflicts (beads are named by id).

On any error the transaction is rolled back and nothing changes.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, case, func, insert, select, update
from sqlalchemy.orm import Session

from aligner.store.db import write_transaction
from aligner.store.errors import InvariantError, NotFoundError, StaleVersionError
from aligner.store.models import AlignmentRow, BeadRow, Edit, EditBead, utcnow
from aligner.store.regions import apply_state, read_beads, read_links, run


class NoChange(InvariantError):
    """An edit that would change nothing (e.g. confirming a confirmed bead): refused, so
    that undo never meets an empty edit. ``bead_ids``: the beads it names (checked against
    the client's version first)."""

    def __init__(self, message: str, bead_ids: Sequence[int]) -> None:
        super().__init__(message)
        self.bead_ids = list(bead_ids)


@dataclass(frozen=True)
class EditResult:
    """What an edit did.

    ``version``: the alignment's new version (send it as ``expected_version`` next time,
    once the client has re-read what it shows); ``edit_id``: the edit-log entry;
    ``operation``: e.g. ``"merge"``; ``bead_ids``: beads created or changed by the edit,
    in position order (for the page to refresh/focus).
    """

    alignment_id: int
    version: int
    edit_id: int
    operation: str
    bead_ids: tuple[int, ...] = ()


CROSSING_FLAG = "crossing-link"


def _user(user: str) -> str:
    return (user or "").strip()[:100] or "anonymous"


def _ids(name: str = "ids"):
    return bindparam(name, expanding=True)


# Statements run by every edit, built once (see aligner.store.regions.run).
_AID = bindparam("aid")
_CLAIM = (update(AlignmentRow)
          .where(AlignmentRow.id == _AID, AlignmentRow.version >= bindparam("expected"))
          .values(version=AlignmentRow.version + 1, updated=bindparam("now"),
                  state=case((AlignmentRow.state == "aligned", "in-review"),
                             else_=AlignmentRow.state)))
_VERSION = select(AlignmentRow.version).where(AlignmentRow.id == _AID)
# Only this alignment's beads: versions are per alignment, and a bead of another one is not
# "changed" here but not found (a 404, not a 409 that no reload can clear).
_CHANGED = (select(BeadRow.id).where(BeadRow.alignment_id == _AID, BeadRow.id.in_(_ids()),
                                     BeadRow.version > bindparam("expected"))
            .order_by(BeadRow.id))
_TOUCH = update(BeadRow).where(BeadRow.id.in_(_ids())).values(version=bindparam("new_version"))
#: How many of the edits since a stale version a 409 names.
_STALE_NAMED = 50
_SINCE = (Edit.alignment_id == _AID, Edit.version_after > bindparam("expected"))
_EDITS_ON = (select(Edit.id, Edit.version_after, Edit.operation, Edit.user)
             .where(*_SINCE, Edit.id.in_(select(EditBead.edit_id)
                                         .where(EditBead.bead_id.in_(_ids()))))
             .order_by(Edit.version_after).limit(_STALE_NAMED + 1))
_COUNT_ON = (select(func.count()).select_from(Edit)
             .where(*_SINCE, Edit.id.in_(select(EditBead.edit_id).where(EditBead.bead_id.in_(_ids())))))
_DROP_REDO = (update(Edit).where(Edit.alignment_id == _AID, Edit.undo_state == "undone",
                                 Edit.user == bindparam("by_user"))
              .values(undo_state="dropped"))
_INSERT_EDIT = insert(Edit)
_INSERT_EDIT_BEADS = insert(EditBead)
_SET_UNDO_STATE = update(Edit).where(Edit.id == bindparam("edit_id"))  # SET undo_state
_SET_FLAGS = (update(BeadRow).where(BeadRow.id == bindparam("bead_id"))
              .values(flags=bindparam("flags")))


def _claim(session: Session, alignment_id: int, expected_version: int) -> int:
    """Bump the alignment version (first statement of the write transaction) unless
    ``expected_version`` is newer than it; return the new version. NotFoundError for an
    unknown alignment, StaleVersionError for a version from the future."""
    write_transaction(session)
    params = {"aid": alignment_id, "expected": expected_version, "now": utcnow()}
    claimed = run(session, _CLAIM, params).rowcount == 1
    version = run(session, _VERSION, params).scalar()
    if claimed:
        return version
    if version is None:
        raise NotFoundError(f"alignment {alignment_id} not found")
    raise _from_the_future(alignment_id, expected_version, version)


def _from_the_future(alignment_id: int, expected: int, current: int) -> StaleVersionError:
    return StaleVersionError(
        f"alignment {alignment_id} is at version {current}, older than the version {expected} "
        "you sent (was the store restored from a backup?); reload it", alignment_id=alignment_id,
        expected=expected, current=current)


def _check_footprint(session: Session, alignment_id: int, expected: int, current: int,
                     bead_ids: Iterable[int | None]) -> None:
    """StaleVersionError if a bead of ``bead_ids`` was written after version ``expected``."""
    ids = [b for b in dict.fromkeys(bead_ids) if b is not None]
    if not ids:
        return
    changed = run(session, _CHANGED, {"aid": alignment_id, "ids": ids, "expected": expected}).scalars().all()
    if changed:
        raise conflict(session, alignment_id, expected, current, changed)


def conflict(session: Session, alignment_id: int, expected: int, current: int,
             bead_ids: Sequence[int]) -> StaleVersionError:
    """The StaleVersionError for beads changed since ``expected``: names the edits since
    then that touched them, with their users (at most :data:`_STALE_NAMED`; the rest
    counted), in one line."""
    params = {"aid": alignment_id, "expected": expected, "ids": list(bead_ids)}
    rows = run(session, _EDITS_ON, params).all()
    changes = [f"{op} by {user}" for _id, _v, op, user in rows[:_STALE_NAMED]]
    shown = [f"{op} by {user} (v{v})" for _id, v, op, user in rows[:_STALE_NAMED]]
    total = len(rows) if len(rows) <= _STALE_NAMED else run(session, _COUNT_ON, params).scalar()
    if total > len(changes):
        changes.append(f"… {total - len(changes)} more")
    which = (f"bead {bead_ids[0]}" if len(bead_ids) == 1
             else "beads " + ", ".join(map(str, bead_ids[:10])) + (" …" if len(bead_ids) > 10 else ""))
    msg = f"{which} changed since version {expected} (the alignment is at version {current})"
    if shown:  # name the edits, but keep the message to one readable line
        msg += ": " + ", ".join(shown[:7] if total > 8 else shown)
        if total > 8:
            msg += f", … {total - 7} more"
    return StaleVersionError(msg, alignment_id=alignment_id, expected=expected, current=current,
                             changes=changes, bead_ids=tuple(bead_ids))


def require_version(session: Session, alignment_id: int, expected_version: int,
                    bead_ids: Sequence[int] = ()) -> None:
    """Raise NotFoundError for an unknown alignment, StaleVersionError if
    ``expected_version`` is newer than the alignment or one of ``bead_ids`` (beads the
    edit names) was written after it; ends the session's transaction.

    A plain read, without the write lock: a caller that serialises edits can turn a stale
    edit away before it queues for its lock. A conflict seen now is the right answer
    now; a pass is checked again, on the edit's whole footprint, inside the edit."""
    try:
        current = current_version(session, alignment_id)
        check_seen(session, alignment_id, expected_version, current, bead_ids)
    finally:
        session.rollback()


def current_version(session: Session, alignment_id: int) -> int:
    """The alignment's version now. Raises NotFoundError."""
    current = run(session, _VERSION, {"aid": alignment_id}).scalar()
    if current is None:
        raise NotFoundError(f"alignment {alignment_id} not found")
    return current


def check_seen(session: Session, alignment_id: int, expected_version: int, current: int,
               bead_ids: Sequence[int] = ()) -> None:
    """StaleVersionError if ``expected_version`` is newer than ``current`` or one of
    ``bead_ids`` was written after it (the client did not see the beads as they are)."""
    if expected_version > current:
        raise _from_the_future(alignment_id, expected_version, current)
    _check_footprint(session, alignment_id, expected_version, current, bead_ids)


def _gone(session: Session, alignment_id: int, expected: int, current: int,
          exc: NotFoundError) -> StaleVersionError | None:
    """A named bead that is gone because an edit since ``expected`` removed it: the
    conflict to report instead of "not found" (None if no such edit)."""
    if not exc.bead_ids:
        return None
    params = {"aid": alignment_id, "expected": expected, "ids": list(exc.bead_ids)}
    if not run(session, _EDITS_ON, params).first():
        return None
    return conflict(session, alignment_id, expected, current, list(exc.bead_ids))


def _touch(session: Session, version: int, state: dict) -> None:
    """Stamp the beads of an applied state with the edit's version."""
    ids = _bead_ids(state)
    if ids:
        run(session, _TOUCH, {"ids": ids, "new_version": version})


def _bead_ids(state: dict) -> list[int]:
    return [b["id"] for r in state["regions"] for b in r["beads"]]


def _log(session: Session, alignment_id: int, version: int, operation: str, before: dict,
         after: dict, user: str, *, target: int | None = None) -> int:
    if target is None:  # a new edit clears the redo stack
        run(session, _DROP_REDO, {"aid": alignment_id, "by_user": user})
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
    """Run one edit: claim the alignment, build (old, new) states, check the footprint
    (the module's contract), apply, stamp and refresh the new beads' flags (unless
    ``reflag`` is False: a status edit changes no bead's sentences), log, commit."""
    user = _user(user)
    try:
        version = _claim(session, alignment_id, expected_version)
        try:
            old, new = build()
        except NotFoundError as exc:
            raise _gone(session, alignment_id, expected_version, version - 1, exc) or exc
        except NoChange as exc:  # a stale client hears that it is stale, not "nothing to do"
            _check_footprint(session, alignment_id, expected_version, version - 1, exc.bead_ids)
            raise
        _check_footprint(session, alignment_id, expected_version, version - 1, _bead_ids(old))
        _stamp_reviewers(old, new, user)
        new = apply_state(session, alignment_id, old, new)
        _touch(session, version, new)
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
