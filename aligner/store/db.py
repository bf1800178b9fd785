"""Engine, sessions and schema migrations.

``make_engine`` turns a path or SQLAlchemy URL into an engine; for SQLite it switches on
WAL journaling, foreign keys and a busy timeout on every connection, and makes the
driver open real transactions (``BEGIN``; ``BEGIN IMMEDIATE`` for edits, see
:func:`write_transaction`) — the recipe from the SQLAlchemy SQLite dialect docs
("Serializable isolation / Savepoints / Transactional DDL"). Queries elsewhere use only
portable SQL.

Alembic is configured here without an ``alembic.ini``; the scripts live in the
top-level ``migrations/`` directory next to the ``aligner`` package (found relative to
this file, so a ``pip install -e .`` checkout works; set ``ALIGNER_MIGRATIONS`` to
point elsewhere).
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from aligner.store.errors import StoreError

#: Milliseconds a writer waits for another writer's lock before giving up.
BUSY_TIMEOUT_MS = 10_000
#: Execution option asking the SQLite "begin" hook for BEGIN IMMEDIATE (take the write
#: lock up front, so a read-then-write edit cannot fail half-way with SQLITE_BUSY).
IMMEDIATE = "aligner_begin_immediate"


def to_url(path_or_url: str | os.PathLike | URL) -> URL:
    """A SQLAlchemy URL from a URL string (``"postgresql://..."``, ``"sqlite://"``) or a
    plain file path (→ ``sqlite:///<absolute path>``). Raises StoreError if unusable."""
    if isinstance(path_or_url, URL):
        return path_or_url
    s = os.fspath(path_or_url)
    if not s.strip():
        raise StoreError("database: empty path or URL")
    if "://" in s:
        try:
            return make_url(s)
        except ArgumentError as exc:
            raise StoreError(f"database URL {s!r} is not valid: {exc}") from None
    return URL.create("sqlite", database=str(Path(s).expanduser().resolve()))


def _is_memory(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def make_engine(path_or_url: str | os.PathLike | URL, *, foreign_keys: bool = True,
                echo: bool = False) -> Engine:
    """Create an engine. SQLite: WAL, ``foreign_keys`` (ON unless migrating), busy
    timeout :data:`BUSY_TIMEOUT_MS`, one shared connection for ``:memory:``.

    The parent directory of a SQLite file must exist (StoreError otherwise)."""
    url = to_url(path_or_url)
    kwargs: dict = {"echo": echo}
    if url.get_backend_name() == "sqlite":
        if _is_memory(url):
            kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
        else:
            parent = Path(url.database).parent
            if not parent.is_dir():
                raise StoreError(f"database directory {parent} does not exist")
            kwargs.update(connect_args={"check_same_thread": False})
    if url.get_backend_name() == "postgresql":
        # A server's thread pool (40 threads) and its jobs share the engine: room for a
        # team's concurrent edits without queueing for a connection.
        kwargs.update(pool_size=10, max_overflow=30, pool_pre_ping=True)
    engine = create_engine(url, **kwargs)
    if url.get_backend_name() == "sqlite":
        _install_sqlite_hooks(engine, foreign_keys=foreign_keys, memory=_is_memory(url))
    return engine


def _install_sqlite_hooks(engine: Engine, *, foreign_keys: bool, memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001 - DBAPI objects
        # Let SQLAlchemy, not pysqlite, decide where transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if not memory:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: no corruption
        cur.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        immediate = conn.get_execution_options().get(IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A ``sessionmaker`` (``expire_on_commit=False`` so returned objects stay readable).
    Every session commit also indexes the sentences it queued for search
    (:func:`aligner.store.search_index.install`)."""
    from aligner.store.search_index import install

    install()
    return sessionmaker(bind=engine, expire_on_commit=False)


def write_transaction(session: Session) -> None:
    """Start the session's transaction as a writer (SQLite: ``BEGIN IMMEDIATE``).

    Ends a read-only transaction the session may hold (so the write lock is taken before
    anything is read); raises StoreError if the session has unflushed/uncommitted changes
    of its own, which would otherwise be committed by accident."""
    if session.new or session.dirty or session.deleted:
        raise StoreError("session has pending changes; commit or roll back first")
    if session.in_transaction():
        session.rollback()
    session.connection(execution_options={IMMEDIATE: True})


def migrations_dir() -> Path:
    """The Alembic script directory: ``$ALIGNER_MIGRATIONS``, else the checkout's top-level
    ``migrations/``, else the copy an installed wheel carries (``aligner/_migrations``)."""
    env = os.environ.get("ALIGNER_MIGRATIONS")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[2] / "migrations")  # a checkout
    candidates.append(Path(__file__).resolve().parents[1] / "_migrations")  # a wheel
    for c in candidates:
        if (c / "env.py").is_file():
            return c
    raise StoreError(
        "cannot find the migrations directory (looked in "
        + ", ".join(str(c) for c in candidates) + "); set ALIGNER_MIGRATIONS")


def alembic_config(path_or_url: str | os.PathLike | URL):
    """An Alembic ``Config`` built in code (no alembic.ini) for this database."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    url = to_url(path_or_url)
    # ConfigParser interpolation: escape '%' in passwords.
    cfg.set_main_option("sqlalchemy.url",
                        url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def upgrade_database(path_or_url: str | os.PathLike | URL, revision: str = "head") -> str | None:
    """Create or upgrade the schema to ``revision``; return the revision now current.

    Runs with SQLite foreign keys OFF (batch migrations copy tables) and checks
    ``PRAGMA foreign_key_check`` before committing. Safe to call on every start."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    url = to_url(path_or_url)
    engine = make_engine(url, foreign_keys=False)
    cfg = alembic_config(url)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            if url.get_backend_name() == "sqlite":
                bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if bad:
                    raise StoreError(f"migration left broken foreign keys: {bad[:5]}")
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def current_revision(path_or_url: str | os.PathLike | URL) -> str | None:
    """The database's Alembic revision (None for an empty/unmanaged database)."""
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(path_or_url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def head_revision() -> str | None:
    """The newest revision in the migrations directory."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(migrations_dir())).get_current_head()


def open_store(path_or_url: str | os.PathLike | URL, *, upgrade: bool = True
               ) -> tuple[Engine, sessionmaker[Session]]:
    """Upgrade the schema (unless ``upgrade=False``) and return ``(engine, sessionmaker)``.

    For ``sqlite://`` in memory, the schema is created directly on the shared connection
    (a migration run would use a separate in-memory database)."""
    url = to_url(path_or_url)
    engine = make_engine(url)
    if _is_memory(url):
        from aligner.store import search_schema
        from aligner.store.models import Base

        Base.metadata.create_all(engine)
        with engine.begin() as conn:
            search_schema.create(conn)
    elif upgrade:
        upgrade_database(url)
    return engine, make_session_factory(engine)


def describe_database_error(exc: BaseException) -> str | None:
    """A one-line, actionable message for a database or driver error; None if ``exc`` is not one.

    Used by the CLI so that ``--db`` pointing at a non-database file, a folder, an unknown
    URL scheme or a server whose driver is not installed gives ``error: ...``, not a traceback.
    """
    from sqlalchemy import exc as sa_exc

    if isinstance(exc, sa_exc.NoSuchModuleError):
        return f"unknown database URL scheme ({exc}); use a file path or sqlite:///FILE"
    if isinstance(exc, sa_exc.ArgumentError):
        return f"cannot use that database URL: {exc}"
    if isinstance(exc, sa_exc.DBAPIError):
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        return f"database: {detail} (is --db a database file or URL you can write to?)"
    if isinstance(exc, sa_exc.SQLAlchemyError):
        return f"database: {str(exc).splitlines()[0]}"
    if isinstance(exc, ModuleNotFoundError) and exc.name in {
        "psycopg", "psycopg2", "pymysql", "MySQLdb", "asyncpg", "oracledb", "pyodbc",
    }:
        return f"the database driver {exc.name!r} is not installed (pip install {exc.name})"
    return None
