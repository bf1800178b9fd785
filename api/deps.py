"""FastAPI dependencies, as ``Annotated`` aliases for route signatures.

``SessionDep``: a store session per request (closed afterwards; store writers commit
themselves). ``UserDep``: the reviewer's name from the ``X-User`` header (recorded in the
edit log). ``JobsDep``/``SettingsDep``/``EncoderDep``: objects made once by
:func:`api.main.create_app` and kept on ``app.state``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Callable

from fastapi import Depends, Header, HTTPException, Request
from sqlalchemy.orm import Session

from api.jobs import JobManager
from api.settings import Settings

_USER_RE = re.compile(r"^[\w .@'-]{1,100}$")


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.close()


def get_jobs(request: Request) -> JobManager:
    return request.app.state.jobs


def get_encoder_provider(request: Request) -> Callable[[str | None], object]:
    return request.app.state.encoder_provider


def get_user(x_user: Annotated[str | None, Header(description="reviewer name for the edit log")] = None) -> str:
    """The reviewer name (default ``"reviewer"``); 400 if it has odd characters."""
    if x_user is None or not x_user.strip():
        return "reviewer"
    name = x_user.strip()
    if not _USER_RE.match(name):
        raise HTTPException(400, "X-User header: use 1–100 letters, digits, spaces or . @ ' - _")
    return name


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
JobsDep = Annotated[JobManager, Depends(get_jobs)]
EncoderDep = Annotated[Callable[[str | None], object], Depends(get_encoder_provider)]
UserDep = Annotated[str, Depends(get_user)]
