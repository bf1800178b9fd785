"""Helpers every store service shares: the writer's transaction, a row by id or
NotFoundError, ISO timestamps, ``IN (...)`` lists of bounded length."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy.orm import Session

from aligner.store.db import write_transaction
from aligner.store.errors import NotFoundError
from aligner.store.models import as_utc


@contextmanager
def _writing(session: Session) -> Iterator[None]:
    """A writer's transaction: BEGIN (IMMEDIATE on SQLite), commit, or roll back on error."""
    try:
        write_transaction(session)
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


def _get(session: Session, model, ident: int, what: str):
    row = session.get(model, ident)
    if row is None:
        raise NotFoundError(f"{what} {ident} not found")
    return row


def _iso(dt) -> str:
    return as_utc(dt).isoformat() if dt is not None else ""


#: Values per ``IN (...)`` list: two such lists in one statement stay under SQLite's old
#: 999-parameter limit, and a read of thousands of rows is still a few statements.
IN_CHUNK = 400


def in_chunks(values: Sequence, size: int = IN_CHUNK) -> Iterator[Sequence]:
    """``values`` in slices of at most ``size``, for ``column.in_(slice)`` queries."""
    for first in range(0, len(values), size):
        yield values[first:first + size]
