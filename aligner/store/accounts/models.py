"""Tables of accounts (issue 12): who may sign in to the review server, with which role.

account ─< api_token (for scripts) · web_session (signed in on the page)

Only hashes are stored: the password's Argon2id hash (argon2-cffi), and SHA-256 of the
random tokens (a 256-bit random token needs no slow hash: it cannot be guessed).
Edits, notes and history keep the account's ``username`` (unique, never reused while the
account exists), so they stay readable after an account is removed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from aligner.store.models import Base, utcnow

#: Roles, weakest first: a viewer reads, searches and exports; a reviewer also edits,
#: notes, uploads and aligns; an admin also deletes and manages accounts.
ROLES = ("viewer", "reviewer", "admin")


class Account(Base):
    """A person (or a script's identity) who signs in."""

    __tablename__ = "account"
    __table_args__ = (CheckConstraint("role IN ('viewer', 'reviewer', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    password_changed: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiToken(Base):
    """A bearer token for scripts (``Authorization: Bearer <token>``); acts as its account."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WebSession(Base):
    """A signed-in page: the session cookie's hash, its CSRF token, when it expires."""

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires: Mapped[datetime] = mapped_column(DateTime(timezone=True))
