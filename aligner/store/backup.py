"""``aligner db backup``: a consistent copy of a live store.

SQLite: the online backup API (``sqlite3.Connection.backup``, https://sqlite.org/backup.html)
copies the database in one read transaction while other connections go on reading and
writing (WAL mode: readers and writers do not block each other), so the copy is the store
as of one moment — never half of a transaction — and is checked with
``PRAGMA integrity_check``.
PostgreSQL: ``pg_dump`` is the tool (a consistent snapshot, whatever the server is doing):
``pg_dump --format=custom --file=aligner.dump "postgresql://USER@HOST/DB"``, restored with
``pg_restore --dbname=… aligner.dump``; :func:`backup` runs it when it is on PATH.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from aligner.store.errors import StoreError


def backup(db: str, output: str) -> str:
    """Copy the store ``db`` to ``output``; returns a one-line report. StoreError if the
    source is missing, ``output`` exists, or the copy fails its integrity check."""
    from aligner.store.cli_support import require_existing

    url = require_existing(db)
    out = Path(output).expanduser().resolve()
    if out.exists():
        raise StoreError(f"{out} exists already; give a new file name")
    if not out.parent.is_dir():
        raise StoreError(f"folder {out.parent} does not exist")
    if url.get_backend_name() == "postgresql":
        return _pg_dump(url, out)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        raise StoreError("db backup copies SQLite files and PostgreSQL databases (pg_dump)")
    src = sqlite3.connect(f"file:{url.database}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(out)
    try:
        # One step: a read transaction on the source, which in WAL mode never blocks its
        # writers, so the copy is exactly the database as of the step's start.
        src.backup(dst)
        ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
        pages = dst.execute("PRAGMA page_count").fetchone()[0]
    finally:
        dst.close()
        src.close()
    if ok != "ok":
        out.unlink(missing_ok=True)
        raise StoreError(f"the copy failed its integrity check: {ok}")
    return f"backed up {url.database} to {out} ({pages} pages, integrity ok)"


def _pg_dump(url, out: Path) -> str:
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    command = ["pg_dump", "--format=custom", f"--file={out}", libpq]
    if shutil.which("pg_dump") is None:
        raise StoreError("PostgreSQL stores are backed up with pg_dump, which is not on PATH: "
                         f"pg_dump --format=custom --file={out} '{url.set(drivername='postgresql').render_as_string()}'")
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise StoreError(f"pg_dump failed: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}")
    return f"dumped {url.render_as_string(hide_password=True)} to {out} with pg_dump (restore: pg_restore --dbname=URL {out})"
