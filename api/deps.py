"""FastAPI dependencies, as ``Annotated`` aliases for route signatures.

``SessionDep``: a store session per request (closed afterwards; store writers commit
themselves). ``UserDep``: the reviewer's name from the ``X-User`` header (recorded in the
edit log). ``WriteLockDep``: one lock serialising edits within this process.
``JobsDep``/``SettingsDep``/``EncoderDep``: objects made once by
:func:`api.main.create_app` and kept on ``app.state``.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import unquote
from collections.abc import AsyncIterator
from typing import Annotated, Callable

from fastapi import Depends, Header, HTTPException, Request
from sqlalchemy.orm import Session

from api.jobs import JobManager
from api.settings import Settings

_USER_RE = re.compile(r"^[\w .@'-]{1,100}$")


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


async def get_write_lock(request: Request) -> threading.Lock:
    return request.app.state.write_lock


async def get_user(x_user: Annotated[str | None, Header(
        description="reviewer name for the edit log (percent-encoded UTF-8 allowed)")] = None) -> str:
    """The reviewer name (default ``"reviewer"``); 400 if it has odd characters.

    HTTP headers carry Latin-1 only, so the page sends the name percent-encoded."""
    if x_user is None or not x_user.strip():
        return "reviewer"
    name = unquote(x_user).strip()
    if not _USER_RE.match(name):
        raise HTTPException(400, "X-User header: use 1–100 letters, digits, spaces or . @ ' - _")
    return name


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
JobsDep = Annotated[JobManager, Depends(get_jobs)]
EncoderDep = Annotated[Callable[[str | None], object], Depends(get_encoder_provider)]
UserDep = Annotated[str, Depends(get_user)]
#: Held around each edit: SQLite has one writer at a time anyway, and waiting on this
#: lock wakes at once, where SQLite's busy handler sleeps in steps of up to 100 ms.
WriteLockDep = Annotated[threading.Lock, Depends(get_write_lock)]
