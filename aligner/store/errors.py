"""Errors raised by the store and the review operations (all are AlignerError).

The API maps them to HTTP: NotFoundError → 404, StaleVersionError → 409,
InvariantError → 422. Each leaves the database unchanged.
"""

from __future__ import annotations

from aligner.errors import AlignerError


class StoreError(AlignerError):
    """Base class of store errors."""


class NotFoundError(StoreError):
    """An id (project, document, alignment, bead, sentence, edit, crossing) does not exist."""


class StaleVersionError(StoreError):
    """The alignment changed since the client read it (optimistic locking).

    The message names what changed, e.g. ``"alignment 3 is at version 7, you edited
    version 5; since then: merge by anna, confirm by ivan"``. ``current_version`` lets a
    client reload and retry.
    """

    def __init__(self, message: str, *, alignment_id: int, expected: int, current: int,
                 changes: list[str] | None = None) -> None:
        super().__init__(message)
        self.alignment_id = alignment_id
        self.expected_version = expected
        self.current_version = current
        self.changes = list(changes or [])


class InvariantError(StoreError):
    """The operation would break the alignment invariant or is not applicable here.

    Invariant: every sentence of both documents is in exactly one bead, no bead is empty,
    and beads are in document order on both sides.
    """
