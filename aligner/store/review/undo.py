"""Undo and redo, per reviewer (exact restores of the logged states), and re-alignment of
the unconfirmed stretches between confirmed beads.

Each reviewer has an undo stack of their own edits and a redo stack of their own undone
ones (a reviewer's new edit clears only their redo stack). Undo/redo is refused with
StaleVersionError (HTTP 409) when another reviewer has since changed one of the beads
the edit touched — it would overwrite their work — naming that edit; and, like every
edit, when the beads changed after the client's ``expected_version``
(:mod:`aligner.store.review.transaction`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Literal

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from aligner.store.errors import InvariantError, StaleVersionError
from aligner.store.models import Edit, EditBead, SentenceRow
from aligner.store.regions import apply_state, bead_count, position_of, read_beads, run, verify_state
from aligner.store.review.transaction import (
    _INSERT_EDIT_BEADS,
    _SET_UNDO_STATE,
    EditResult,
    _bead_ids,
    _check_footprint,
    _claim,
    _edit,
    _log,
    _touch,
    _user,
)

_STATE = {"undo": "active", "redo": "undone"}
#: The edit undo / redo would revert / re-apply for a user: their newest active edit, or
#: the undone edit they undid last (the oldest undone: undos go back in time).
_NEXT_TO = {
    which: select(Edit.id).where(Edit.alignment_id == bindparam("aid"), Edit.undo_state == state,
                                 Edit.user == bindparam("user"))
    .order_by(Edit.id.desc() if which == "undo" else Edit.id).limit(1).scalar_subquery()
    for which, state in _STATE.items()}
_TOUCHED_BY_NEXT = {which: select(func.count()).select_from(EditBead).where(EditBead.edit_id == q)
                    for which, q in _NEXT_TO.items()}
_LAST_TOUCH = select(func.max(Edit.version_after)).where(Edit.target_edit_id == bindparam("edit_id"))
_LATER_BY_OTHERS = (
    select(Edit.version_after, Edit.operation, Edit.user, Edit.undo_state, Edit.target_edit_id)
    .where(Edit.alignment_id == bindparam("aid"), Edit.version_after > bindparam("since"),
           Edit.user != bindparam("user"),
           Edit.id.in_(select(EditBead.edit_id).where(EditBead.bead_id.in_(
               select(EditBead.bead_id).where(EditBead.edit_id == bindparam("edit_id"))))))
    .order_by(Edit.version_after))


def _refuse_over_others(session: Session, alignment_id: int, edit: Edit, user: str,
                        which: str, current: int) -> None:
    """StaleVersionError if a reviewer other than ``user`` changed one of ``edit``'s beads
    after ``user`` last applied (or undid) it. An edit of theirs that is itself undone does
    not count; nor does their undo/redo of an edit made after that point (its effect is
    that edit's)."""
    since = max(edit.version_after,
                run(session, _LAST_TOUCH, {"edit_id": edit.id}).scalar() or 0)
    rows = run(session, _LATER_BY_OTHERS, {"aid": alignment_id, "since": since, "user": user,
                                           "edit_id": edit.id}).all()
    targets = {t for *_, t in rows if t is not None}
    target_version = dict(session.execute(select(Edit.id, Edit.version_after)
                                          .where(Edit.id.in_(targets))).all()) if targets else {}
    blocking = [r for r in rows if r.undo_state == "active"
                or (r.undo_state is None and target_version.get(r.target_edit_id, 0) <= since)]
    if blocking:
        first = blocking[0]
        more = f" and {len(blocking) - 1} more" if len(blocking) > 1 else ""
        raise StaleVersionError(
            f"cannot {which} your {edit.operation} (version {edit.version_after}): its beads were "
            f"changed since by {first.user} ({first.operation}, version {first.version_after}){more}; "
            f"{which} would overwrite that", alignment_id=alignment_id, expected=since,
            current=current, changes=[f"{r.operation} by {r.user}" for r in blocking])


def _rebase(session: Session, alignment_id: int, src: dict, dst: dict) -> tuple[dict, dict]:
    """Copies of the logged states with each region moved to where its first bead is now,
    and the sentence run to where its first sentence is now: other reviewers' edits
    elsewhere shift positions and ords, not the beads and sentences themselves."""
    src, dst = copy.deepcopy(src), copy.deepcopy(dst)
    for rs, rd in zip(src["regions"], dst["regions"]):
        if rs["beads"]:
            rs["start"] = rd["start"] = position_of(session, alignment_id, rs["beads"][0]["id"])
    if src.get("sentences") and src["sentences"]["rows"]:
        first = src["sentences"]["rows"][0]["id"]
        now = session.scalar(select(SentenceRow.ord).where(SentenceRow.id == first))
        if now is not None:
            src["sentences"]["start_ord"] = dst["sentences"]["start_ord"] = now
    return src, dst


def _undo_redo(session: Session, alignment_id: int, expected_version: int, user: str,
               which: str) -> EditResult:
    user = _user(user)
    try:
        version = _claim(session, alignment_id, expected_version)
        edit = session.scalars(select(Edit).where(Edit.id == _NEXT_TO[which])
                               .params(aid=alignment_id, user=user)).first()
        if edit is None:
            raise InvariantError(f"nothing of yours to {which} in alignment {alignment_id}")
        src, dst = (edit.after, edit.before) if which == "undo" else (edit.before, edit.after)
        _check_footprint(session, alignment_id, expected_version, version - 1, _bead_ids(src))
        _refuse_over_others(session, alignment_id, edit, user, which, version - 1)
        src, dst = _rebase(session, alignment_id, src, dst)
        verify_state(session, alignment_id, src)
        dst = apply_state(session, alignment_id, src, dst)
        _touch(session, version, dst)
        run(session, _SET_UNDO_STATE,
            {"edit_id": edit.id, "undo_state": "undone" if which == "undo" else "active"})
        op = f"{which} {edit.operation}"
        edit_id = _log(session, alignment_id, version, op, {"regions": []}, {"regions": []}, user,
                       target=edit.id)
        touched = dict.fromkeys(_bead_ids(src) + _bead_ids(dst))
        if touched:
            run(session, _INSERT_EDIT_BEADS, [{"edit_id": edit_id, "bead_id": b} for b in touched])
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return EditResult(alignment_id, version, edit_id, op, tuple(_bead_ids(dst)))


def undo_redo_size(session: Session, alignment_id: int, which: Literal["undo", "redo"],
                   user: str = "") -> int:
    """How many beads ``user``'s next undo (or redo) would touch, from the edit log's bead
    index; 0 if there is nothing to undo (redo). One indexed count: a caller's estimate of
    the work before it runs the edit. Ends the session's transaction."""
    try:
        return run(session, _TOUCHED_BY_NEXT[which], {"aid": alignment_id,
                                                      "user": _user(user)}).scalar()
    finally:
        session.rollback()


def undo(session: Session, alignment_id: int, expected_version: int, *, user: str) -> EditResult:
    """Undo ``user``'s last not-undone edit of this alignment (restores beads, statuses,
    sentences, links exactly). InvariantError if they have nothing to undo;
    StaleVersionError if another reviewer changed its beads since."""
    return _undo_redo(session, alignment_id, expected_version, user, "undo")


def redo(session: Session, alignment_id: int, expected_version: int, *, user: str) -> EditResult:
    """Redo ``user``'s most recently undone edit. A new edit of theirs clears their redo
    stack. InvariantError if there is nothing to redo; StaleVersionError as for undo."""
    return _undo_redo(session, alignment_id, expected_version, user, "redo")


#: An unconfirmed stretch: its source and its target sentence ids, in order.
Run = tuple[list[int], list[int]]
#: Aligns stretches: for each, its new beads as ``{"src": ids, "tgt": ids, "score",
#: "flags"}``, covering the stretch's sentences in order.
AlignRuns = Callable[[list[Run]], list[list[dict]]]


def unconfirmed_runs(beads: list[dict]) -> list[tuple[int, int]]:
    """``[(first, stop)]`` index ranges of the maximal runs of beads not confirmed."""
    runs, i = [], 0
    while i < len(beads):
        if beads[i]["status"] == "confirmed":
            i += 1
            continue
        j = i
        while j < len(beads) and beads[j]["status"] != "confirmed":
            j += 1
        runs.append((i, j))
        i = j
    return runs


def realign_unconfirmed(session: Session, alignment_id: int, expected_version: int,
                        align_runs: AlignRuns, *, start: int | None = None,
                        end: int | None = None, user: str,
                        adaptation: tuple[dict | None, dict | None] | None = None) -> EditResult:
    """Re-align only the stretches between anchors (as InterText does).

    Anchors are confirmed beads (manual edits confirm their beads). Each maximal run of
    other beads within positions ``[start, end)`` (default: all) is replaced by what
    ``align_runs`` gives for its sentences (the pipeline's aligner, with the alignment's
    own settings: :func:`aligner.pipeline.realign`). A new bead with the same sentences as
    an old one keeps its id, status and notes; other new beads are ``auto``/``unreviewed``.
    Every new bead's flags are refreshed. One undoable edit. ``adaptation``: the
    alignment's ``params["adaptation"]`` record before and after, when the re-align changes
    what its beads are made with; the edit sets it, and its undo restores it.
    InvariantError if there is nothing to re-align or the new beads do not cover a run in
    order.
    """
    def build():
        n = bead_count(session, alignment_id)
        lo, hi = max(0, start or 0), min(n, n if end is None else end)
        beads = read_beads(session, alignment_id, lo, hi)
        runs = unconfirmed_runs(beads)
        if not runs:
            raise InvariantError(f"nothing to re-align in alignment {alignment_id}: "
                                 "every bead in range is confirmed")
        stretches = [([s for b in beads[i:j] for s in b["src"]],
                      [t for b in beads[i:j] for t in b["tgt"]]) for i, j in runs]
        aligned = align_runs(stretches)
        first, last = runs[0][0], runs[-1][1]
        new, cursor = [], first
        for (i, j), (src, tgt), made in zip(runs, stretches, aligned):
            new += copy.deepcopy(beads[cursor:i])
            new += _as_beads(beads[i:j], src, tgt, made)
            cursor = j
        before = {"regions": [{"start": lo + first, "beads": beads[first:last]}]}
        after = {"regions": [{"start": lo + first, "beads": new}]}
        if adaptation is not None:
            before["adaptation"], after["adaptation"] = adaptation
        return before, after

    return _edit(session, alignment_id, expected_version, user, "realign", build)


def _as_beads(old: list[dict], src: list[int], tgt: list[int], made: list[dict]) -> list[dict]:
    """Bead dicts for a run's new beads; one with an old bead's sentences is that bead."""
    if [s for b in made for s in b["src"]] != src or [t for b in made for t in b["tgt"]] != tgt:
        raise InvariantError("the aligner's beads do not cover the re-aligned stretch in order")
    same = {(tuple(b["src"]), tuple(b["tgt"])): b for b in old}
    out = []
    for b in made:
        kept = same.get((tuple(b["src"]), tuple(b["tgt"])))
        out.append({"id": kept["id"] if kept else None,
                    "status": kept["status"] if kept else "unreviewed",
                    "origin": kept["origin"] if kept else "auto",
                    "score": float(b["score"]), "flags": list(b["flags"]),
                    "src": list(b["src"]), "tgt": list(b["tgt"]),
                    "notes": kept["notes"] if kept else []})
    return out
