"""Schemas of signing in and out, the signed-in account, API tokens and the
"changes since version N" poll."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.schemas.common import _In


class LoginIn(_In):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1024)


class MeOut(BaseModel):
    """The signed-in account. ``mode``: ``local`` (no accounts: everyone on this machine
    is the local admin) or ``accounts``; ``csrf_token``: send it as ``X-CSRF-Token`` with
    every changing request of a page session (None for API tokens and local mode)."""

    username: str
    role: Literal["viewer", "reviewer", "admin"]
    mode: Literal["local", "accounts"]
    can_edit: bool
    csrf_token: str | None = None


class TokenIn(_In):
    label: str = Field(default="", max_length=100)


class TokenOut(BaseModel):
    """A new API token: shown once, send it as ``Authorization: Bearer <token>``."""

    token: str
    username: str


class ChangeOut(BaseModel):
    version: int
    operation: str
    user: str
    bead_ids: list[int]


class ChangesOut(BaseModel):
    """Edits after version ``since``, oldest first; ``more``: there were more than listed
    (reload everything). ``version``: the alignment's version now."""

    version: int
    since: int
    edits: list[ChangeOut]
    more: bool
