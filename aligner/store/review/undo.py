"""Undo and redo (exact restores of the logged states), and re-alignment of the
unconfirmed stretches between confirmed beads."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Literal

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from aligner.store.errors import InvariantError
from aligner.store.models import Edit, EditBead
from aligner.store.regions import apply_state, bead_count, read_beads, run, verify_state
from aligner.store.review.transaction import (
    _INSERT_EDIT_BEADS,
    _SET_UNDO_STATE,
    EditResult,
    _bead_ids,
    _claim,
    _edit,
    _log,
    _user,
)


def _undo_redo(session: Session, alignment_id: int, expected_version: int, user: str,
               which: str) -> EditResult:
    user = _user(user)
    try:
        version = _claim(session, alignment_id, expected_version)
        q = select(Edit).where(Edit.alignment_id == alignment_id)
        # LIMIT 1: an ORM ``.first()`` alone would load (and JSON-decode) every matching
        # edit; ix_edit_alignment_id_undo_state finds the one wanted without a scan.
        if which == "undo":
            q = q.where(Edit.undo_state == "active").order_by(Edit.id.desc())
        else:
            q = q.where(Edit.undo_state == "undone").order_by(Edit.id)
        edit = session.scalars(q.limit(1)).first()
        if edit is None:
            raise InvariantError(f"nothing to {which} in alignment {alignment_id}")
        src, dst = (edit.after, edit.before) if which == "undo" else (edit.before, edit.after)
        verify_state(session, alignment_id, src)
        apply_state(session, alignment_id, copy.deepcopy(src), copy.deepcopy(dst))
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


_NEXT_TO = {  # the edit undo / redo would revert / re-apply (see _undo_redo)
    "undo": select(Edit.id).where(Edit.alignment_id == bindparam("aid"), Edit.undo_state == "active")
    .order_by(Edit.id.desc()).limit(1).scalar_subquery(),
    "redo": select(Edit.id).where(Edit.alignment_id == bindparam("aid"), Edit.undo_state == "undone")
    .order_by(Edit.id).limit(1).scalar_subquery()}
_TOUCHED_BY_NEXT = {which: select(func.count()).select_from(EditBead).where(EditBead.edit_id == q)
                    for which, q in _NEXT_TO.items()}


def undo_redo_size(session: Session, alignment_id: int, which: Literal["undo", "redo"]) -> int:
    """How many beads the next undo (or redo) would touch, from the edit log's bead index;
    0 if there is nothing to undo (redo). One indexed count: a caller's estimate of the
    work before it runs the edit. Ends the session's transaction."""
    try:
        return run(session, _TOUCHED_BY_NEXT[which], {"aid": alignment_id}).scalar()
    finally:
        session.rollback()


def undo(session: Session, alignment_id: int, expected_version: int, *, user: str) -> EditResult:
    """Undo the last not-undone edit of this alignment (restores beads, statuses,
    sentences, links exactly). InvariantError if there is nothing to undo."""
    return _undo_redo(session, alignment_id, expected_version, user, "undo")


def redo(session: Session, alignment_id: int, expected_version: int, *, user: str) -> EditResult:
    """Redo the most recently undone edit. A new edit clears the redo stack.
    InvariantError if there is nothing to redo."""
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
                        end: int | None = None, user: str) -> EditResult:
    """Re-align only the stretches between anchors (as InterText does).

    Anchors are confirmed beads (manual edits confirm their beads). Each maximal run of
    other beads within positions ``[start, end)`` (default: all) is replaced by what
    ``align_runs`` gives for its sentences (the pipeline's aligner, with the alignment's
    own settings: :func:`aligner.pipeline.realign`). A new bead with the same sentences as
    an old one keeps its id, status and notes; other new beads are ``auto``/``unreviewed``.
    Every new bead's flags are refreshed. One undoable edit. InvariantError if there is
    nothing to re-align or the new beads do not cover a run in order.
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
        return {"regions": [{"start": lo + first, "beads": beads[first:last]}]}, \
               {"regions": [{"start": lo + first, "beads": new}]}

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
