"""The work behind ``aligner export`` (kept here so cli.py stays thin)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from aligner.store.db import current_revision, head_revision, make_engine, make_session_factory, to_url
from aligner.store.errors import StoreError
from aligner.store.export import export_alignment, export_bytes


def require_existing(db: str):
    """The URL of ``db``; StoreError if it names a SQLite file that does not exist or is
    empty (SQLite would take either for a new database: a typo must not make one)."""
    url = to_url(db)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(url.database)
        if not path.is_file() or path.stat().st_size == 0:
            raise StoreError(f"{url.database}: no such database, the file does not exist or is "
                             "empty (make one with `aligner align --db`, `aligner batch` or "
                             "`aligner serve`)")
    return url


def open_existing(db: str):
    """A session factory for an existing, up-to-date database (StoreError otherwise;
    never creates a file as a side effect of a typo)."""
    url = require_existing(db)
    rev, head = current_revision(url), head_revision()
    if rev != head:
        raise StoreError(f"database {db} is at schema revision {rev or 'none'}, not {head}; "
                         "run `aligner db upgrade --db ...` first")
    engine = make_engine(url)
    return engine, make_session_factory(engine)


def run_export(db: str, alignment_id: int, fmt: str, output: str | None,
               echo: Callable[..., None], options: dict | None = None) -> None:
    """Write the export (with the format's ``options``) to ``output`` or stdout (``None``
    or ``"-"``)."""
    from aligner.export import export_options

    export_options(fmt, options)  # a bad format or option fails before the store is opened
    engine, factory = open_existing(db)
    try:
        with factory() as session:
            if output is None or output == "-":
                sys.stdout.buffer.write(export_bytes(session, alignment_id, fmt, options))
                sys.stdout.buffer.flush()
                return
            export_alignment(session, alignment_id, fmt, output, options)
    finally:
        engine.dispose()
    echo(f"wrote {output} ({fmt}, alignment {alignment_id})", err=True)
