"""Helpers every store service shares: the writer's transaction, a row by id or
NotFoundError, ISO timestamps."""

from __future__ import annotations

from collections.abc import Iterator
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
