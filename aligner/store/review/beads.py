"""Edits of beads: review status (of given beads, or in bulk: every unreviewed bead at or
above a score, or up to a position), merge, split, move a sentence across a boundary, detach
into 1-0/0-1 beads."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Literal

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from aligner.store.errors import InvariantError
from aligner.store.models import STATUSES, BeadRow
from aligner.store.regions import bead_count, position_of, read_beads, run
from aligner.store.review.transaction import (
    EditResult,
    NoChange,
    _as_ids,
    _edit,
    _manual,
    _single_regions,
    _union,
)

Side = Literal["src", "tgt"]
Direction = Literal["previous", "next"]
Status = Literal["unreviewed", "confirmed", "rejected"]
_SIDES = ("src", "tgt")
_DIRECTIONS = ("previous", "next")


def set_status(session: Session, alignment_id: int, expected_version: int,
               bead_ids: Sequence[int] | int, status: Status, *, user: str) -> EditResult:
    """Set the review status of one or more beads (``"unreviewed"``, ``"confirmed"``,
    ``"rejected"``). One undoable edit however many beads."""
    _check_status(status)
    ids = _as_ids(bead_ids)

    def build():
        positions = [position_of(session, alignment_id, b) for b in ids]
        old, new = _single_regions(session, alignment_id, positions,
                                   lambda b: b.__setitem__("status", status))
        return _only_changed(old, new, f"bead {ids[0]} is already {status}" if len(ids) == 1
                             else f"the {len(ids)} beads given are already {status}")

    op = {"confirmed": "confirm", "rejected": "reject", "unreviewed": "unreview"}[status]
    return _edit(session, alignment_id, expected_version, user, op, build, reflag=False)


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise InvariantError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")


def _only_changed(old: dict, new: dict, nothing: str) -> tuple[dict, dict]:
    """The (old, new) regions whose bead changes; NoChange(``nothing``) if none does
    (a status edit that changes nothing would add an empty version to undo)."""
    pairs = [(o, n) for o, n in zip(old["regions"], new["regions"]) if o["beads"] != n["beads"]]
    if not pairs:
        raise NoChange(nothing, [b["id"] for r in old["regions"] for b in r["beads"]])
    return {"regions": [o for o, _ in pairs]}, {"regions": [n for _, n in pairs]}


_STATUS_SCAN = (select(BeadRow.position, BeadRow.score).where(
    BeadRow.alignment_id == bindparam("aid"), BeadRow.status == "unreviewed")
    .order_by(BeadRow.position))


def set_status_bulk(session: Session, alignment_id: int, expected_version: int,
                    status: Status = "confirmed", *, min_score: float | None = None,
                    end: int | None = None, user: str) -> EditResult:
    """Set the status of every *unreviewed* bead with a score of at least ``min_score``
    and/or at a position before ``end`` (0-based, exclusive: ``end = p + 1`` is "up to
    and including the bead at ``p``", InterText's confirm-above-the-cursor). One
    undoable edit; beads already reviewed keep their status. InvariantError if neither
    bound is given or no bead matches."""
    _check_status(status)
    if min_score is None and end is None:
        raise InvariantError("give min_score and/or end: which unreviewed beads to change")

    def build():
        hits = [p for p, score in run(session, _STATUS_SCAN, {"aid": alignment_id})
                if (min_score is None or score >= min_score) and (end is None or p < end)]
        if not hits:
            where = " and ".join(w for w in (
                f"score >= {min_score}" if min_score is not None else "",
                f"position < {end}" if end is not None else "") if w)
            raise InvariantError(f"no unreviewed bead with {where}")
        beads = read_beads(session, alignment_id, hits[0], hits[-1] + 1)
        old, new, run_start = [], [], None
        for k, p in enumerate(hits):  # one region per run of consecutive positions
            if run_start is None:
                run_start = p
            if k + 1 == len(hits) or hits[k + 1] != p + 1:
                part = beads[run_start - hits[0]:p + 1 - hits[0]]
                changed = copy.deepcopy(part)
                for b in changed:
                    b["status"] = status
                old.append({"start": run_start, "beads": part})
                new.append({"start": run_start, "beads": changed})
                run_start = None
        return {"regions": old}, {"regions": new}

    op = {"confirmed": "confirm", "rejected": "reject", "unreviewed": "unreview"}[status]
    return _edit(session, alignment_id, expected_version, user, f"{op}-bulk", build, reflag=False)


def confirm(session: Session, alignment_id: int, expected_version: int,
            bead_ids: Sequence[int] | int, *, user: str) -> EditResult:
    """Mark beads as confirmed (shortcut for :func:`set_status`)."""
    return set_status(session, alignment_id, expected_version, bead_ids, "confirmed", user=user)


def reject(session: Session, alignment_id: int, expected_version: int,
           bead_ids: Sequence[int] | int, *, user: str) -> EditResult:
    """Mark beads as rejected (wrong, to be fixed or re-aligned)."""
    return set_status(session, alignment_id, expected_version, bead_ids, "rejected", user=user)


def unreview(session: Session, alignment_id: int, expected_version: int,
             bead_ids: Sequence[int] | int, *, user: str) -> EditResult:
    """Mark beads as unreviewed again."""
    return set_status(session, alignment_id, expected_version, bead_ids, "unreviewed", user=user)


# --- structure -----------------------------------------------------------------------

def _neighbour(session: Session, alignment_id: int, bead_id: int, direction: str) -> tuple[int, int]:
    """(position of bead, position of its neighbour in ``direction``) or InvariantError."""
    if direction not in _DIRECTIONS:
        raise InvariantError(f"direction must be 'previous' or 'next', not {direction!r}")
    p = position_of(session, alignment_id, bead_id)
    q = p + 1 if direction == "next" else p - 1
    if q < 0 or q >= bead_count(session, alignment_id):
        raise InvariantError(f"bead {bead_id} has no {direction} bead")
    return p, q


def merge(session: Session, alignment_id: int, expected_version: int, bead_id: int,
          direction: Direction = "next", *, user: str) -> EditResult:
    """Merge a bead with the next (or previous) bead into one bead (keeps the earlier
    bead's id; notes move to it). The merged bead is ``manual`` and *unreviewed*: merging
    is often one step of several, and the reviewer confirms the result (``c``).
    InvariantError if there is no such neighbour."""

    def build():
        p, q = _neighbour(session, alignment_id, bead_id, direction)
        start = min(p, q)
        old = read_beads(session, alignment_id, start, start + 2)
        a, b = copy.deepcopy(old)
        merged = {"id": a["id"], "status": "unreviewed", "origin": "manual",
                  "score": min(a["score"], b["score"]), "flags": _union(a["flags"], b["flags"]),
                  "src": a["src"] + b["src"], "tgt": a["tgt"] + b["tgt"],
                  "notes": a["notes"] + b["notes"]}
        return {"regions": [{"start": start, "beads": old}]}, \
               {"regions": [{"start": start, "beads": [merged]}]}

    return _edit(session, alignment_id, expected_version, user, "merge", build)


def split_bead(session: Session, alignment_id: int, expected_version: int, bead_id: int,
               src_at: int, tgt_at: int, *, user: str) -> EditResult:
    """Split a bead in two: the first ``src_at`` source and first ``tgt_at`` target
    sentences form the first bead, the rest the second. Both parts must be non-empty
    (``0 <= src_at <= n_src``, ``0 <= tgt_at <= n_tgt``), else InvariantError."""

    def build():
        p = position_of(session, alignment_id, bead_id)
        old = read_beads(session, alignment_id, p, p + 1)
        b = old[0]
        if not (0 <= src_at <= len(b["src"]) and 0 <= tgt_at <= len(b["tgt"])):
            raise InvariantError(f"bead {bead_id} is {len(b['src'])}-{len(b['tgt'])}; cannot "
                                 f"split at source {src_at}, target {tgt_at}")
        first = _manual({**copy.deepcopy(b), "src": b["src"][:src_at], "tgt": b["tgt"][:tgt_at]})
        second = _manual({**copy.deepcopy(b), "id": None, "notes": [],
                          "src": b["src"][src_at:], "tgt": b["tgt"][tgt_at:]})
        if not (first["src"] or first["tgt"]) or not (second["src"] or second["tgt"]):
            raise InvariantError(f"splitting bead {bead_id} at source {src_at}, target "
                                 f"{tgt_at} would leave an empty bead")
        return {"regions": [{"start": p, "beads": old}]}, \
               {"regions": [{"start": p, "beads": [first, second]}]}

    return _edit(session, alignment_id, expected_version, user, "split", build)


def move_sentence(session: Session, alignment_id: int, expected_version: int, bead_id: int,
                  side: Side, direction: Direction, *, user: str) -> EditResult:
    """Move a sentence across a bead boundary: ``direction="previous"`` moves the first
    ``side`` sentence of the bead to the end of the previous bead, ``"next"`` moves the
    last one to the start of the next bead. A bead left empty is removed.
    InvariantError if the bead has no sentence on that side or no such neighbour."""
    if side not in _SIDES:
        raise InvariantError(f"side must be 'src' or 'tgt', not {side!r}")

    def build():
        p, q = _neighbour(session, alignment_id, bead_id, direction)
        start = min(p, q)
        old = read_beads(session, alignment_id, start, start + 2)
        beads = copy.deepcopy(old)
        this, other = (beads[1], beads[0]) if direction == "previous" else (beads[0], beads[1])
        if not this[side]:
            raise InvariantError(f"bead {bead_id} has no {side} sentence to move")
        if direction == "previous":
            other[side].append(this[side].pop(0))
        else:
            other[side].insert(0, this[side].pop())
        new = [_manual(b) for b in beads if b["src"] or b["tgt"]]
        for b in beads:
            if not (b["src"] or b["tgt"]):
                other["notes"] += b["notes"]
        return {"regions": [{"start": start, "beads": old}]}, \
               {"regions": [{"start": start, "beads": new}]}

    return _edit(session, alignment_id, expected_version, user, f"move-{side}-{direction}", build)


def detach(session: Session, alignment_id: int, expected_version: int, bead_id: int,
           *, user: str) -> EditResult:
    """Mark as 1-0/0-1: every sentence of the bead becomes its own null bead (source
    sentences first as 1-0, then target sentences as 0-1), status confirmed.
    InvariantError if the bead already holds a single sentence."""

    def build():
        p = position_of(session, alignment_id, bead_id)
        old = read_beads(session, alignment_id, p, p + 1)
        b = old[0]
        if len(b["src"]) + len(b["tgt"]) < 2:
            raise InvariantError(f"bead {bead_id} is already a {len(b['src'])}-{len(b['tgt'])} bead")
        parts = [([s], []) for s in b["src"]] + [([], [t]) for t in b["tgt"]]
        new = [_manual({"id": b["id"] if i == 0 else None, "status": "", "origin": "",
                        "score": 0.0, "flags": [], "src": s, "tgt": t,
                        "notes": b["notes"] if i == 0 else []})
               for i, (s, t) in enumerate(parts)]
        return {"regions": [{"start": p, "beads": old}]}, {"regions": [{"start": p, "beads": new}]}

    return _edit(session, alignment_id, expected_version, user, "detach", build)
