"""Review operations on a stored alignment: each is one transaction with a version check.

Every editing function takes ``(session, alignment_id, expected_version, ..., user=...)``,
checks the version with ``UPDATE alignment SET version = version + 1 WHERE id = :id AND
version = :expected`` inside the same transaction (so of two concurrent edits of the
same version exactly one wins), applies the change, writes an undoable entry to the edit
log, commits, and returns an :class:`EditResult`. On any error the transaction is
rolled back and nothing changes.

Errors: NotFoundError (unknown alignment/bead/sentence/crossing id), StaleVersionError
(``expected_version`` is not the current one; the message lists the edits since),
InvariantError (the edit would break the invariant, or does not apply here).

Invariant (:func:`check_invariant`): every sentence of both documents is in exactly one
bead of the alignment; no bead is empty; beads are in document order on both sides.

Beads produced by a structural manual edit (merge, split, move, detach) get
``origin="manual"`` and ``status="confirmed"``: the reviewer has just decided them, and
:func:`realign_unconfirmed` keeps confirmed beads as fixed anchors. How edits are
stored and undone: :mod:`aligner.store.regions`.
"""

from __future__ import annotations

import bisect
import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import bindparam, case, func, insert, select, true, update
from sqlalchemy.orm import Session

from aligner.store.db import write_transaction
from aligner.store.errors import InvariantError, NotFoundError, StaleVersionError
from aligner.store.models import (
    STATUSES,
    AlignmentRow,
    BeadRow,
    BeadSentence,
    CrossingRow,
    DocumentRow,
    Edit,
    EditBead,
    Note,
    SentenceRow,
    as_utc,
    utcnow,
)
from aligner.store.regions import (
    apply_state,
    bead_count,
    check_invariant,
    position_of,
    read_beads,
    read_links,
    require_sole_user,
    run,
    sentence_dict,
    verify_state,
)

Side = Literal["src", "tgt"]
Direction = Literal["previous", "next"]
Status = Literal["unreviewed", "confirmed", "rejected"]


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



__all__ = [
    "EditResult", "set_status", "confirm", "reject", "unreview", "merge", "split_bead",
    "move_sentence", "detach", "link_crossing", "unlink_crossing", "split_sentence",
    "join_sentence", "undo", "redo", "realign_unconfirmed", "add_note", "list_notes",
    "history", "bead_history", "can_undo_redo", "check_invariant", "require_version",
    "undo_redo_size",
]

CROSSING_FLAG = "crossing-link"
_SIDES = ("src", "tgt")
_DIRECTIONS = ("previous", "next")


# --- transaction scaffolding ---------------------------------------------------------

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
          operation: str, build: Callable[[], tuple[dict, dict]]) -> EditResult:
    """Run one edit: claim the version, build (old, new) states, apply, log, commit."""
    user = _user(user)
    try:
        version = _claim(session, alignment_id, expected_version)
        old, new = build()
        new = apply_state(session, alignment_id, old, new)
        edit_id = _log(session, alignment_id, version, operation, old, new, user)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return EditResult(alignment_id, version, edit_id, operation, tuple(_bead_ids(new)))


def _as_ids(bead_ids: Sequence[int] | int) -> list[int]:
    ids = [bead_ids] if isinstance(bead_ids, int) else list(dict.fromkeys(bead_ids))
    if not ids:
        raise InvariantError("no beads given")
    return ids


def _linked_sentences(session: Session, alignment_id: int, links: list[dict] | None = None) -> set[int]:
    links = read_links(session, alignment_id) if links is None else links
    return {sid for l in links for sid in l["src"] + l["tgt"]}


def _reflag(beads: list[dict], linked: set[int]) -> None:
    """Keep the crossing-link flag exactly on beads holding a linked sentence, and the
    omission / addition flags exactly on 1-0 / 0-1 beads (a merge must not carry a
    neighbour's "omission" into a 1-1 bead)."""
    shape_flags = {CROSSING_FLAG, "omission", "addition"}
    for b in beads:
        flags = [f for f in b["flags"] if f not in shape_flags]
        if b["src"] and not b["tgt"]:
            flags.append("omission")
        if b["tgt"] and not b["src"]:
            flags.append("addition")
        if any(s in linked for s in b["src"] + b["tgt"]):
            flags.append(CROSSING_FLAG)
        b["flags"] = flags


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


# --- status --------------------------------------------------------------------------

def set_status(session: Session, alignment_id: int, expected_version: int,
               bead_ids: Sequence[int] | int, status: Status, *, user: str) -> EditResult:
    """Set the review status of one or more beads (``"unreviewed"``, ``"confirmed"``,
    ``"rejected"``). One undoable edit however many beads."""
    if status not in STATUSES:
        raise InvariantError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
    ids = _as_ids(bead_ids)

    def build():
        positions = [position_of(session, alignment_id, b) for b in ids]
        return _single_regions(session, alignment_id, positions,
                               lambda b: b.__setitem__("status", status))

    op = {"confirmed": "confirm", "rejected": "reject", "unreviewed": "unreview"}[status]
    return _edit(session, alignment_id, expected_version, user, op, build)


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
    bead's id; notes move to it). InvariantError if there is no such neighbour."""

    def build():
        p, q = _neighbour(session, alignment_id, bead_id, direction)
        start = min(p, q)
        old = read_beads(session, alignment_id, start, start + 2)
        a, b = copy.deepcopy(old)
        merged = _manual({"id": a["id"], "status": "", "origin": "", "score": min(a["score"], b["score"]),
                          "flags": _union(a["flags"], b["flags"]), "src": a["src"] + b["src"],
                          "tgt": a["tgt"] + b["tgt"], "notes": a["notes"] + b["notes"]})
        _reflag([merged], _linked_sentences(session, alignment_id))
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
        _reflag([first, second], _linked_sentences(session, alignment_id))
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
        _reflag(new, _linked_sentences(session, alignment_id))
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
        _reflag(new, _linked_sentences(session, alignment_id))
        return {"regions": [{"start": p, "beads": old}]}, {"regions": [{"start": p, "beads": new}]}

    return _edit(session, alignment_id, expected_version, user, "detach", build)


def _membership(session: Session, alignment_id: int, sentence_ids: Sequence[int], side: str) -> list[int]:
    """Positions of the beads holding these ``side`` sentences (InvariantError if one is
    not a ``side`` sentence of this alignment)."""
    rows = session.execute(
        select(BeadSentence.sentence_id, BeadRow.position).join(BeadRow, BeadRow.id == BeadSentence.bead_id)
        .where(BeadSentence.alignment_id == alignment_id, BeadSentence.side == side,
               BeadSentence.sentence_id.in_(list(sentence_ids)))).all()
    found = {r.sentence_id for r in rows}
    missing = [s for s in sentence_ids if s not in found]
    if missing:
        raise InvariantError(f"sentence(s) {missing} are not {side} sentences of alignment {alignment_id}")
    return [r.position for r in rows]


def link_crossing(session: Session, alignment_id: int, expected_version: int,
                  crossing_id: int | None = None, *, src_sentence_ids: Sequence[int] = (),
                  tgt_sentence_ids: Sequence[int] = (), user: str) -> EditResult:
    """Record a crossing (out-of-order) link between source and target sentences,
    either a stored crossing candidate (``crossing_id``) or explicit sentence ids, and
    flag the beads holding them with ``"crossing-link"``. The monotone beads are not
    changed. InvariantError if a side is empty, a sentence is not in this alignment, or
    the same link exists already."""
    who = _user(user)

    def build():
        src, tgt = list(dict.fromkeys(src_sentence_ids)), list(dict.fromkeys(tgt_sentence_ids))
        if crossing_id is not None:
            c = session.get(CrossingRow, crossing_id)
            if c is None or c.alignment_id != alignment_id:
                raise NotFoundError(f"crossing {crossing_id} not found in alignment {alignment_id}")
            src, tgt = list(c.src_sentence_ids), list(c.tgt_sentence_ids)
        if not src or not tgt:
            raise InvariantError("a crossing link needs source and target sentences")
        links = read_links(session, alignment_id)
        if any(sorted(l["src"]) == sorted(src) and sorted(l["tgt"]) == sorted(tgt) for l in links):
            raise InvariantError(f"sentences {src} ↔ {tgt} are already linked")
        positions = _membership(session, alignment_id, src, "src") + \
            _membership(session, alignment_id, tgt, "tgt")
        link = {"id": None, "crossing_id": crossing_id, "src": src, "tgt": tgt, "user": who,
                "created": utcnow().isoformat()}
        old, new = _single_regions(session, alignment_id, positions,
                                   lambda b: _reflag([b], set(src + tgt) | _linked_sentences(
                                       session, alignment_id, links)))
        old["links"], new["links"] = [], [link]
        return old, new

    return _edit(session, alignment_id, expected_version, user, "link-crossing", build)


def unlink_crossing(session: Session, alignment_id: int, expected_version: int, link_id: int,
                    *, user: str) -> EditResult:
    """Remove a crossing link (and the ``"crossing-link"`` flag from beads no longer
    holding a linked sentence). NotFoundError for an unknown link."""

    def build():
        links = read_links(session, alignment_id)
        link = next((l for l in links if l["id"] == link_id), None)
        if link is None:
            raise NotFoundError(f"crossing link {link_id} not found in alignment {alignment_id}")
        rest = _linked_sentences(session, alignment_id, [l for l in links if l["id"] != link_id])
        positions = _membership(session, alignment_id, link["src"], "src") + \
            _membership(session, alignment_id, link["tgt"], "tgt")
        old, new = _single_regions(session, alignment_id, positions, lambda b: _reflag([b], rest))
        old["links"], new["links"] = [link], []
        return old, new

    return _edit(session, alignment_id, expected_version, user, "unlink-crossing", build)


# --- re-segmentation -----------------------------------------------------------------

def _sentence_in(session: Session, alignment_id: int, sentence_id: int) -> tuple[SentenceRow, str]:
    """The sentence row and its side in this alignment (NotFoundError otherwise)."""
    al = session.get(AlignmentRow, alignment_id)
    s = session.get(SentenceRow, sentence_id)
    if al is None:
        raise NotFoundError(f"alignment {alignment_id} not found")
    if s is None or s.document_id not in (al.src_document_id, al.tgt_document_id):
        raise NotFoundError(f"sentence {sentence_id} not found in alignment {alignment_id}")
    return s, "src" if s.document_id == al.src_document_id else "tgt"


def _bead_of(session: Session, alignment_id: int, sentence_id: int) -> int:
    pos = session.scalar(select(BeadRow.position).join(BeadSentence, BeadSentence.bead_id == BeadRow.id)
                         .where(BeadSentence.alignment_id == alignment_id,
                                BeadSentence.sentence_id == sentence_id))
    if pos is None:
        raise InvariantError(f"sentence {sentence_id} is in no bead of alignment {alignment_id}")
    return pos


def _raw(doc: DocumentRow, pos: int) -> int:
    offs = doc.offsets
    return offs[min(max(pos, 0), len(offs) - 1)] if offs else pos


def _page(doc: DocumentRow, raw: int) -> int | None:
    starts = doc.page_starts or [0]
    return bisect.bisect_right(starts, raw) or 1


def split_sentence(session: Session, alignment_id: int, expected_version: int,
                   sentence_id: int, offset: int, *, user: str) -> EditResult:
    """Split a sentence at character ``offset`` of its text (0 < offset < len(text),
    both parts non-blank after stripping). Both parts stay in the sentence's bead; the
    later sentences' ``ord`` shift by one; crossing links holding it get both parts.
    InvariantError if the document is also used by another alignment (re-segmenting
    would change that alignment too)."""

    def build():
        s, side = _sentence_in(session, alignment_id, sentence_id)
        require_sole_user(session, alignment_id, s.document_id)
        text = s.text
        if not 0 < offset < len(text) or not text[:offset].strip() or not text[offset:].strip():
            raise InvariantError(f"cannot split sentence {sentence_id} ({len(text)} characters) "
                                 f"at {offset}: both parts must hold text")
        doc = session.get(DocumentRow, s.document_id)
        left, right = text[:offset].rstrip(), text[offset:].lstrip()
        if doc.clean_text[s.start_char:s.end_char] == text:
            left_end = s.start_char + len(left)
            right_start = s.start_char + offset + (len(text) - offset - len(right))
        else:  # text was normalised after segmenting: place the cut proportionally
            cut = s.start_char + round(offset * (s.end_char - s.start_char) / len(text))
            left_end = right_start = cut
        old_rows = [sentence_dict(s)]
        r_raw = _raw(doc, right_start)
        new_rows = [{**old_rows[0], "text": left, "end": left_end, "raw_end": _raw(doc, left_end)},
                    {**old_rows[0], "id": -1, "text": right, "start": right_start,
                     "raw_start": r_raw, "page": _page(doc, r_raw) if s.page is not None else None}]
        p = _bead_of(session, alignment_id, sentence_id)
        old = read_beads(session, alignment_id, p, p + 1)
        nb = copy.deepcopy(old)
        lst = nb[0][side]
        lst.insert(lst.index(sentence_id) + 1, -1)
        links = [l for l in read_links(session, alignment_id) if sentence_id in l["src"] + l["tgt"]]
        new_links = copy.deepcopy(links)
        for l in new_links:
            ids = l[side]
            ids.insert(ids.index(sentence_id) + 1, -1)
        sp = {"document_id": s.document_id, "start_ord": s.ord}
        return ({"regions": [{"start": p, "beads": old}], "sentences": {**sp, "rows": old_rows},
                 "links": links},
                {"regions": [{"start": p, "beads": nb}], "sentences": {**sp, "rows": new_rows},
                 "links": new_links})

    return _edit(session, alignment_id, expected_version, user, "split-sentence", build)


def join_sentence(session: Session, alignment_id: int, expected_version: int,
                  sentence_id: int, *, user: str) -> EditResult:
    """Join a sentence with the next sentence of its document. The joined sentence keeps
    the first one's id and bead; if the next sentence was in another bead it leaves that
    bead (a bead left empty is removed). Crossing links follow. InvariantError if there
    is no next sentence or the document is used by another alignment."""

    def build():
        s, side = _sentence_in(session, alignment_id, sentence_id)
        require_sole_user(session, alignment_id, s.document_id)
        t = session.scalar(select(SentenceRow).where(SentenceRow.document_id == s.document_id,
                                                     SentenceRow.ord == s.ord + 1))
        if t is None:
            raise InvariantError(f"sentence {sentence_id} is the last of its document; "
                                 "nothing to join it with")
        p, q = _bead_of(session, alignment_id, s.id), _bead_of(session, alignment_id, t.id)
        old = read_beads(session, alignment_id, p, q + 1)
        beads = copy.deepcopy(old)
        beads[-1][side].remove(t.id)
        if not (beads[-1]["src"] or beads[-1]["tgt"]):
            beads[0]["notes"] += beads[-1]["notes"]
            beads.pop()
        old_rows = [sentence_dict(s), sentence_dict(t)]
        joined = {**old_rows[0], "text": f"{s.text} {t.text}", "end": t.end_char,
                  "raw_end": t.raw_end}
        links = [l for l in read_links(session, alignment_id) if t.id in l["src"] + l["tgt"]]
        new_links = copy.deepcopy(links)
        for l in new_links:
            l[side] = list(dict.fromkeys(s.id if x == t.id else x for x in l[side]))
        sp = {"document_id": s.document_id, "start_ord": s.ord}
        return ({"regions": [{"start": p, "beads": old}], "sentences": {**sp, "rows": old_rows},
                 "links": links},
                {"regions": [{"start": p, "beads": beads}], "sentences": {**sp, "rows": [joined]},
                 "links": new_links})

    return _edit(session, alignment_id, expected_version, user, "join-sentence", build)


# --- undo / redo / re-align ----------------------------------------------------------

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


def realign_unconfirmed(session: Session, alignment_id: int, expected_version: int, encoder,
                        config=None, *, start: int | None = None, end: int | None = None,
                        user: str) -> EditResult:
    """Re-align only the stretches between anchors (as InterText does).

    Anchors are confirmed beads (manual edits confirm their beads). Each maximal run of
    other beads within positions ``[start, end)`` (default: all) is replaced by the
    result of :func:`aligner.align.align_texts` on its source and target sentences with
    ``encoder``/``config``; a run with one side empty becomes 1-0/0-1 beads. New beads
    are ``auto``/``unreviewed``. One undoable edit. InvariantError if there is nothing
    to re-align or the aligner's beads do not cover the run.
    """
    from aligner.align import align_texts  # the aligner is heavy; only this op needs it

    def build():
        n = bead_count(session, alignment_id)
        lo, hi = max(0, start or 0), min(n, n if end is None else end)
        beads = read_beads(session, alignment_id, lo, hi)
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
        if not runs:
            raise InvariantError(f"nothing to re-align in alignment {alignment_id}: "
                                 "every bead in range is confirmed")
        first, last = runs[0][0], runs[-1][1]
        old = beads[first:last]
        ids = [s for b in old for s in b["src"] + b["tgt"]]
        texts = dict(session.execute(select(SentenceRow.id, SentenceRow.text)
                                     .where(SentenceRow.id.in_(ids))).all())
        new, cursor = [], first
        for i, j in runs:
            new += copy.deepcopy(beads[cursor:i])
            src = [s for b in beads[i:j] for s in b["src"]]
            tgt = [t for b in beads[i:j] for t in b["tgt"]]
            new += _align_run(align_texts, encoder, config, src, tgt, texts)
            cursor = j
        _reflag(new, _linked_sentences(session, alignment_id))
        return {"regions": [{"start": lo + first, "beads": old}]}, \
               {"regions": [{"start": lo + first, "beads": new}]}

    return _edit(session, alignment_id, expected_version, user, "realign", build)


def _align_run(align_texts, encoder, config, src: list[int], tgt: list[int],
               texts: dict[int, str]) -> list[dict]:
    def bead(s, t, score=0.0, flags=()):
        return {"id": None, "status": "unreviewed", "origin": "auto", "score": float(score),
                "flags": list(flags), "src": s, "tgt": t, "notes": []}

    if not src or not tgt:
        return [bead([s], []) for s in src] + [bead([], [t]) for t in tgt]
    result = align_texts([texts[s] for s in src], [texts[t] for t in tgt], encoder, config)
    out = [bead([src[k] for k in b.src], [tgt[k] for k in b.tgt], b.score, b.flags)
           for b in result.beads if b.src or b.tgt]
    if [s for b in out for s in b["src"]] != src or [t for b in out for t in b["tgt"]] != tgt:
        raise InvariantError("the aligner's beads do not cover the re-aligned stretch in order")
    return out


# --- notes, history, invariant -------------------------------------------------------

def _note_dict(n: Note) -> dict:
    return {"id": n.id, "bead_id": n.bead_id, "text": n.text, "user": n.user,
            "created": as_utc(n.created).isoformat()}


def add_note(session: Session, alignment_id: int, expected_version: int | None, bead_id: int,
             text: str, *, user: str) -> dict:
    """Attach a note to a bead; returns ``{"id", "bead_id", "text", "user", "created"}``.
    Notes do not change the alignment version (``expected_version`` may be None; if given
    it is checked). InvariantError if ``text`` is blank or over 10 000 characters."""
    text = (text or "").strip()
    if not text:
        raise InvariantError("a note needs some text")
    if len(text) > 10_000:
        raise InvariantError("a note is limited to 10 000 characters")
    try:
        write_transaction(session)
        current = session.scalar(select(AlignmentRow.version).where(AlignmentRow.id == alignment_id))
        if current is None:
            raise NotFoundError(f"alignment {alignment_id} not found")
        if expected_version is not None and expected_version != current:
            raise _stale(session, alignment_id, expected_version)
        position_of(session, alignment_id, bead_id)
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


def can_undo_redo(session: Session, alignment_id: int) -> dict:
    """``{"undo": str | None, "redo": str | None}``: the operation names that undo/redo
    would revert/re-apply, None if nothing. NotFoundError."""
    _require_alignment(session, alignment_id)
    q = select(Edit.operation).where(Edit.alignment_id == alignment_id)
    u = session.scalars(q.where(Edit.undo_state == "active").order_by(Edit.id.desc()).limit(1)).first()
    r = session.scalars(q.where(Edit.undo_state == "undone").order_by(Edit.id).limit(1)).first()
    return {"undo": u, "redo": r}
