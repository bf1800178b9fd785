"""FastAPI dependencies, as ``Annotated`` aliases for route signatures.

``SessionDep``: a store session per request (closed afterwards; store writers commit
themselves). ``PrincipalDep``: the signed-in account (:mod:`api.auth`); ``UserDep``: its
name, which the edit log, notes and history record. ``JobsDep``/``SettingsDep``/``EncoderDep``: objects made once by
:func:`api.main.create_app` and kept on ``app.state``. :class:`LoopSessions`: sessions
for the short store calls ``async`` routes make on the event loop itself.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from typing import Annotated, Callable

from fastapi import Depends, HTTPException, Request
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from aligner.store.accounts.service import Principal
from aligner.store.db import IMMEDIATE
from api.jobs import JobManager
from api.settings import Settings


# The dependencies are ``async def`` although they do not await: FastAPI runs a plain
# ``def`` dependency in the thread pool, one thread hand-off each (two for a generator),
# which cost more than the work. None of them blocks: making a Session opens no
# connection, and closing it only returns the connection to the pool (its reset is a
# no-op ROLLBACK after the commit or rollback every store function ends with).

async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.close()


async def get_jobs(request: Request) -> JobManager:
    return request.app.state.jobs


async def get_encoder_provider(request: Request) -> Callable[[str | None], object]:
    return request.app.state.encoder_provider


async def get_principal(request: Request) -> Principal:
    """The signed-in account of the request (api.auth.AuthGate put it there); 401 on a
    public path that needs one."""
    principal = getattr(request.state, "principal", None)
    if principal is None:
        raise HTTPException(401, "sign in first")
    return principal


async def get_user(principal: Annotated[Principal, Depends(get_principal)]) -> str:
    """The signed-in account's name: what the edit log, notes and history record."""
    return principal.username


class LoopSessions:
    """Sessions for the short store calls ``async`` routes make on the event loop itself,
    where a thread hand-off (and the GIL passing between the loop and a worker) costs
    more than the call: turning a stale edit away (one indexed read) and small edits.

    Per event-loop thread (tests may drive the app from several), two connections of
    its own, outside the pool (a loop waiting for a pooled connection would stall every
    request): a reader, whose session callers end with ``rollback()``, and a writer that
    starts with ``BEGIN IMMEDIATE`` and does not wait for another writer (SQLite busy
    timeout 0: it fails at once with "database is locked", and the caller goes to the
    thread pool, where waiting is harmless). SQLite in WAL mode: readers never wait.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._local = threading.local()  # .reader: Session, .writer: Connection

    def _connect(self) -> Connection:
        conn = self._engine.connect()
        conn.detach()  # never handed back to the pool (the writer's busy timeout is 0)
        return conn

    def reader(self) -> Session:
        """This thread's read session (end each use with ``rollback()``)."""
        session = getattr(self._local, "reader", None)
        if session is None:
            session = self._local.reader = Session(bind=self._connect())
        return session

    def writer(self) -> Session:
        """A new session on this thread's writer connection (close it after the edit)."""
        conn = getattr(self._local, "writer", None)
        if conn is None:
            conn = self._connect()
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA busy_timeout = 0")
                conn.rollback()
            conn.execution_options(**{IMMEDIATE: True})
            self._local.writer = conn
        return Session(bind=conn)

    def close(self) -> None:
        """Close the calling thread's connections. The app's shutdown runs on its event
        loop's thread, while another loop thread (a second test client) may still be
        using its own; a later call of :meth:`reader`/:meth:`writer` opens new ones."""
        session = self._local.__dict__.pop("reader", None)
        conn = self._local.__dict__.pop("writer", None)
        if session is not None:
            bind = session.bind
            session.close()
            bind.close()
        if conn is not None:
            conn.close()


def is_busy(exc: BaseException) -> bool:
    """True for SQLite's "database is locked" (another connection holds the write lock)."""
    orig = getattr(exc, "orig", None)
    return isinstance(exc, OperationalError) and (
        getattr(orig, "sqlite_errorcode", None) == 5  # SQLITE_BUSY
        or "database is locked" in str(orig or exc))


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
JobsDep = Annotated[JobManager, Depends(get_jobs)]
EncoderDep = Annotated[Callable[[str | None], object], Depends(get_encoder_provider)]
UserDep = Annotated[str, Depends(get_user)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def read_upload(upload, limit: int, default_name: str = "upload") -> tuple[str, bytes]:
    """``(file name, bytes)`` of an uploaded file (FastAPI ``UploadFile``), read up to
    ``limit`` bytes; HTTP 413 naming the file if it is larger."""
    data = await upload.read(limit + 1)
    name = upload.filename or default_name
    if len(data) > limit:
        raise HTTPException(413, f"{name}: file is larger than the upload limit of {limit:,} bytes "
                                 "(server setting ALIGNER_MAX_UPLOAD_BYTES)")
    return name, data
