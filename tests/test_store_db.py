"""Engine settings, Alembic migrations, and crash safety of the SQLite store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, func
from typer.testing import CliRunner

from api.cli import app
from aligner.store import review, service
from aligner.store.db import (
    alembic_config,
    current_revision,
    head_revision,
    make_engine,
    make_session_factory,
    to_url,
    upgrade_database,
)
from aligner.store.errors import StoreError
from aligner.store.search_schema import SEARCH_TABLES
from support.store import populate
from aligner.store.models import Base, BeadRow, DocumentRow, SentenceRow

ROOT = Path(__file__).resolve().parents[1]


def test_to_url():
    assert to_url("sqlite://").render_as_string() == "sqlite://"
    assert to_url("/tmp/x/a.db").database == "/tmp/x/a.db"
    assert to_url("rel.db").database == str(Path("rel.db").resolve())
    assert to_url("postgresql://u@h/db").get_backend_name() == "postgresql"
    with pytest.raises(StoreError, match="empty"):
        to_url(" ")


def test_engine_pragmas(tmp_path):
    engine = make_engine(tmp_path / "a.db")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
    engine.dispose()
    with pytest.raises(StoreError, match="does not exist"):
        make_engine(tmp_path / "missing" / "a.db")


def _schema_url(request, tmp_path, name: str) -> str:
    if request.param == "sqlite":
        return str(tmp_path / name)
    dbs = request.getfixturevalue("pg_databases")
    url = dbs.create_empty()
    request.addfinalizer(lambda: dbs.drop(url))
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path):
    """A database with no schema yet: a new SQLite file, then an empty PostgreSQL database."""
    return _schema_url(request, tmp_path, "m.db")


def include_name(name, type_, _parents) -> bool:  # as migrations/env.py: skip the search index
    return not (type_ == "table" and name in SEARCH_TABLES)


def test_migration_yields_exactly_the_models_schema(empty_url):
    db = empty_url
    assert upgrade_database(db) == head_revision()
    assert upgrade_database(db) == head_revision()  # idempotent
    engine = make_engine(db)
    with engine.connect() as conn:
        mc = MigrationContext.configure(conn, opts={"compare_type": True,
                                                    "include_name": include_name})
        assert compare_metadata(mc, Base.metadata) == []
        tables = set(inspect(conn).get_table_names())
    engine.dispose()
    search = {"search_queue", "search_vocab"} | (
        {"sentence_search"} if engine.dialect.name == "postgresql" else
        {f"{t}{x}" for t in ("sentence_fts", "search_vocab_trgm")
         for x in ("", "_data", "_idx", "_content", "_docsize", "_config")})
    assert tables == set(Base.metadata.tables) | {"alembic_version"} | search


def test_upgrade_an_older_database(empty_url):
    db = empty_url
    upgrade_database(db)
    engine = make_engine(db)
    with make_session_factory(engine)() as s:  # data survives down- and upgrades
        aid = populate(s)["alignment"]
        bead = service.list_beads(s, aid)["beads"][2]["id"]
        review.confirm(s, aid, 1, bead, user="anna")
    engine.dispose()
    command.downgrade(alembic_config(db), "0003")
    assert current_revision(db) == "0003"
    assert upgrade_database(db) == head_revision()
    engine = make_engine(db)
    with make_session_factory(engine)() as s:
        from aligner.store.concordance import search

        beads = service.list_beads(s, aid)["beads"]
        assert beads[2]["status"] == "confirmed"
        assert s.scalar(select(BeadRow.version).where(BeadRow.id == bead)) == 2  # from the edit log
        assert [h.text for h in search(s, "repeated our position")] == ["I repeated our position."]
    engine.dispose()
    command.downgrade(alembic_config(db), "base")
    assert current_revision(db) is None
    engine = make_engine(db)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    assert upgrade_database(db) == head_revision()
    assert current_revision(db) == head_revision()


def test_cli_db_upgrade_and_migrations_found_from_another_directory(tmp_path):
    db = tmp_path / "cli.db"
    result = CliRunner().invoke(app, ["db", "upgrade", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert f"revision {head_revision()}" in result.output
    # the package finds migrations/ without a config file or a particular cwd
    code = ("from aligner.store.db import upgrade_database; import sys; "
            "print(upgrade_database(sys.argv[1]))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "sub.db")], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == head_revision()


def test_cli_db_upgrade_bad_path_is_one_line_error(tmp_path):
    result = CliRunner().invoke(app, ["db", "upgrade", "--db", str(tmp_path / "no" / "x.db")])
    assert result.exit_code == 2
    assert "does not exist" in result.output and "Traceback" not in result.output


IMPORTER = textwrap.dedent("""
    import sys
    from aligner.store.db import make_engine, make_session_factory
    from aligner.store import service
    from support.store import toy_document
    engine = make_engine(sys.argv[1])
    session = make_session_factory(engine)()
    pid = service.get_or_create_project(session, "big")
    doc = toy_document([f"Sentence number {i} of a long report." for i in range(150000)], "en")
    print("importing", flush=True)
    service.import_document(session, pid, doc, "translation")
    print("done", flush=True)
""")


def test_killed_import_leaves_database_consistent(tmp_path):
    db = tmp_path / "crash.db"
    upgrade_database(db)
    engine = make_engine(db)
    session = make_session_factory(engine)()
    aid = populate(session)["alignment"]
    review.confirm(session, aid, 1, service.list_beads(session, aid)["beads"][0]["id"], user="a")
    proc = subprocess.Popen([sys.executable, "-c", IMPORTER, str(db)], stdout=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}"})
    assert proc.stdout.readline().strip() == "importing"
    wal = Path(str(db) + "-wal")
    deadline = time.time() + 60
    while time.time() < deadline and (not wal.exists() or wal.stat().st_size < 2_000_000):
        time.sleep(0.01)  # kill once the transaction has written a good part of its rows
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL  # killed, not finished
    assert wal.stat().st_size >= 2_000_000  # ... while writing
    session.close()
    engine.dispose()

    engine = make_engine(db)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    session = make_session_factory(engine)()
    big = session.scalars(select(DocumentRow.id).where(DocumentRow.lang == "en",
                                                       DocumentRow.title == "toy en")).all()
    counts = [session.scalar(select(func.count()).select_from(SentenceRow)
                             .where(SentenceRow.document_id == d)) for d in big]
    # all or nothing: the big import is either absent or complete
    assert counts in ([7], [7, 150000])
    review.check_invariant(session, aid)
    assert service.get_alignment(session, aid)["version"] == 2
    session.close()
    engine.dispose()


def test_database_itself_refuses_a_sentence_in_two_beads(tmp_path):
    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError

    from aligner.store.models import BeadRow, BeadSentence

    db = tmp_path / "c.db"
    upgrade_database(db)
    engine = make_engine(db)
    session = make_session_factory(engine)()
    aid = populate(session)["alignment"]
    beads = service.list_beads(session, aid)["beads"]
    sid = beads[0]["src"][0]["id"]
    with pytest.raises(IntegrityError):  # UNIQUE(alignment_id, sentence_id)
        session.execute(insert(BeadSentence).values(bead_id=beads[1]["id"], alignment_id=aid,
                                                    sentence_id=sid, side="src", ord=1))
    session.rollback()
    other = populate(session, project="other")["alignment"]
    with pytest.raises(IntegrityError):  # the row's alignment must be its bead's alignment
        session.execute(insert(BeadSentence).values(bead_id=beads[1]["id"], alignment_id=other,
                                                    sentence_id=sid, side="src", ord=1))
    session.rollback()
    with pytest.raises(IntegrityError):  # CHECK status
        session.execute(insert(BeadRow).values(alignment_id=aid, position=99, status="maybe"))
    session.rollback()
    review.check_invariant(session, aid)
    session.close()
    engine.dispose()
