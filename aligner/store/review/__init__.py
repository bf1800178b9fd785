"""Review operations on a stored alignment: each is one transaction with a version check.

Every editing function takes ``(session, alignment_id, expected_version, ..., user=...)``,
and runs in one transaction that bumps the alignment version, checks that none of the
beads it touches was written after ``expected_version`` (the per-bead contract of
:mod:`~aligner.store.review.transaction`: edits of different beads never collide; of the
same bead from the same version exactly one wins), applies the change, writes an
undoable entry to the edit log, commits, and returns an :class:`EditResult`. On any error
the transaction is rolled back and nothing changes. Undo/redo is per reviewer.

Errors: NotFoundError (unknown alignment/bead/sentence/crossing id), StaleVersionError
(a bead the edit touches changed after ``expected_version``; the message names those
edits and their users),
InvariantError (the edit would break the invariant, or does not apply here).

Invariant (:func:`check_invariant`): every sentence of both documents is in exactly one
bead of the alignment; no bead is empty; beads are in document order on both sides.

Beads produced by a structural manual edit get ``origin="manual"``; split, move and detach
also confirm them (the reviewer has just decided them, and :func:`realign_unconfirmed` keeps
confirmed beads as fixed anchors), while a merge leaves the merged bead *unreviewed*: merging
is often one step of several, and the reviewer confirms the result. A status edit that
changes nothing is refused (it would add an empty version to undo). ``bead.reviewer`` names
who set a bead's status or made it (None while unreviewed). How edits are
stored and undone: :mod:`aligner.store.regions`. Every edit that changes a bead's sentences
recomputes that bead's flags (:func:`aligner.store.fidelity.refresh_codes`).

Modules: :mod:`~aligner.store.review.transaction` (the version check, apply, log, commit),
:mod:`~aligner.store.review.beads` (status, bulk status, merge, split, move, detach),
:mod:`~aligner.store.review.links` (crossing links), :mod:`~aligner.store.review.sentences`
(re-segmentation), :mod:`~aligner.store.review.text` (corrected sentence text, applied
OCR suggestions), :mod:`~aligner.store.review.undo` (undo, redo, re-align),
:mod:`~aligner.store.review.log` (notes, history).
"""

from aligner.store.invariant import check_invariant
from aligner.store.review.beads import (
    Direction,
    Side,
    Status,
    confirm,
    detach,
    merge,
    move_sentence,
    reject,
    set_status,
    set_status_bulk,
    split_bead,
    unreview,
)
from aligner.store.review.links import link_crossing, unlink_crossing
from aligner.store.review.log import (
    add_note,
    bead_history,
    can_undo_redo,
    changes_since,
    history,
    list_notes,
)
from aligner.store.review.sentences import join_sentence, split_sentence
from aligner.store.review.text import apply_suggestion, edit_sentence
from aligner.store.review.transaction import EditResult, require_version
from aligner.store.review.undo import realign_unconfirmed, redo, undo, undo_redo_size

__all__ = [
    "Direction", "EditResult", "Side", "Status", "add_note", "apply_suggestion",
    "bead_history", "can_undo_redo", "changes_since", "check_invariant", "confirm", "detach",
    "edit_sentence", "history", "join_sentence", "link_crossing", "list_notes", "merge",
    "move_sentence", "realign_unconfirmed", "redo", "reject", "require_version", "set_status",
    "set_status_bulk", "split_bead", "split_sentence", "undo",
    "undo_redo_size", "unlink_crossing", "unreview",
]
