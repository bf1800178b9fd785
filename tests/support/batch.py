"""Helpers of the batch tests (tests/test_batch.py, tests/test_batch_engine.py,
tests/test_batch_tasks.py): input folders, store counts, the engine on a local pool, and a
count of the SQL statements a piece of code makes."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import event


@contextmanager
def statements(engine) -> Iterator[list[str]]:
    """The SQL statements ``engine`` sends while the block runs (an executemany counts
    once, as one round trip)."""
    sent: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)
