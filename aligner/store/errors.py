"""Errors raised by the store and the review operations (all are AlignerError).

The API maps them to HTTP: NotFoundError → 404, StaleVersionError → 409,
InvariantError → 422. Each leaves the database unchanged.
"""

from __future__ import annotations

from aligner.errors import AlignerError


class StoreError(AlignerError):
    """Base class of store errors."""


class NotFoundError(StoreError):
    """An id (project, document, alignment, bead, sentence, edit, crossing) does not exist.

    ``bead_ids``: the bead ids that were not found (empty for other kinds of id), so an
    edit can tell "merged away by someone since the version you saw" (a 409) from a
    bead that never was (404)."""

    def __init__(self, message: str, *, bead_ids: tuple[int, ...] = ()) -> None:
        super().__init__(message)
        self.bead_ids = tuple(bead_ids)


class StaleVersionError(StoreError):
    """Beads an edit touches changed since the version the client read (optimistic
    locking per bead, :mod:`aligner.store.review.transaction`), or undo/redo would
    revert over another reviewer's later edit.

    The message names what changed and by whom, e.g. ``"bead 151 changed since version 5
    (now 7): confirm by anna (v6)"``. ``current_version`` lets a client reload and retry;
    ``changes`` lists the edits (``"confirm by anna"``); ``bead_ids`` the beads in conflict.
    """

    def __init__(self, message: str, *, alignment_id: int, expected: int, current: int,
                 changes: list[str] | None = None, bead_ids: tuple[int, ...] = ()) -> None:
        super().__init__(message)
        self.bead_ids = tuple(bead_ids)
        self.alignment_id = alignment_id
        self.expected_version = expected
        self.current_version = current
        self.changes = list(changes or [])


class InvariantError(StoreError):
    """The operation would break the alignment invariant or is not applicable here.

    Invariant: every sentence of both documents is in exactly one bead, no bead is empty,
    and beads are in document order on both sides.
    """
