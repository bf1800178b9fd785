"""Accounts, passwords, page sessions and API tokens.

Passwords are hashed with Argon2id (argon2-cffi's ``PasswordHasher`` defaults: RFC 9106's
second recommended option — t=3, m=64 MiB, p=4), re-hashed on sign-in when those
parameters change. A sign-in with an unknown name still runs one verification, so the
answer takes as long as for a wrong password. Tokens (page sessions, API tokens) are 256
random bits (``secrets.token_urlsafe(32)``); only their SHA-256 is stored.

Errors: :class:`AccountError` (bad name, password or role; one line), NotFoundError
(unknown account). Every writer commits; every function leaves no transaction open.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from aligner.errors import AlignerError
from aligner.store.accounts.models import ROLES, Account, ApiToken, WebSession
from aligner.store.errors import NotFoundError
from aligner.store.models import as_utc, utcnow

_USERNAME = re.compile(r"^[\w.@-]{1,100}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


class AccountError(AlignerError):
    """A bad account name, password or role (the message says which and why)."""


@dataclass(frozen=True)
class Principal:
    """Who a request acts as: ``username``, ``role`` (viewer/reviewer/admin), ``via``
    ("session", "token" or "local") and, for a page session, its CSRF token."""

    username: str
    role: str
    via: str
    csrf: str | None = None

    @property
    def can_edit(self) -> bool:
        return self.role in ("reviewer", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_username(username: str) -> str:
    """The name, stripped; AccountError unless 1–100 letters, digits or ``. @ - _``."""
    name = (username or "").strip()
    if not _USERNAME.match(name):
        raise AccountError(f"account name {username!r}: use 1–100 letters, digits or . @ - _")
    return name


def check_password(password: str) -> str:
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(f"a password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    return password


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    return role


def _account(session: Session, username: str) -> Account:
    acc = session.scalar(select(Account).where(Account.username == (username or "").strip()))
    if acc is None:
        raise NotFoundError(f"no account named {username!r}")
    return acc


def _commit(session: Session) -> None:
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise


def add_user(session: Session, username: str, password: str, role: str = "reviewer") -> dict:
    """Create an account; returns :func:`list_users`' dict of it. AccountError for a bad
    name/password/role or a name that is taken."""
    name, role = check_username(username), check_role(role)
    check_password(password)
    if session.scalar(select(Account.id).where(Account.username == name)) is not None:
        session.rollback()
        raise AccountError(f"an account named {name!r} exists already")
    acc = Account(username=name, role=role, password_hash=_HASHER.hash(password),
                  created=utcnow(), password_changed=utcnow())
    session.add(acc)
    _commit(session)
    return _as_dict(acc, 0)


def _as_dict(acc: Account, tokens: int) -> dict:
    return {"username": acc.username, "role": acc.role, "created": as_utc(acc.created).isoformat(),
            "tokens": tokens}


def list_users(session: Session) -> list[dict]:
    """``[{"username", "role", "created", "tokens"}]`` by name."""
    counts = dict(session.execute(select(ApiToken.account_id, func.count())
                                  .group_by(ApiToken.account_id)).all())
    out = [_as_dict(a, counts.get(a.id, 0))
           for a in session.scalars(select(Account).order_by(Account.username))]
    session.rollback()
    return out


def count_users(session: Session) -> int:
    n = session.scalar(select(func.count()).select_from(Account))
    session.rollback()
    return n


def set_password(session: Session, username: str, password: str) -> None:
    """Change a password; signs the account out everywhere (its page sessions end; API
    tokens stay). NotFoundError, AccountError."""
    check_password(password)
    acc = _account(session, username)
    acc.password_hash, acc.password_changed = _HASHER.hash(password), utcnow()
    session.execute(delete(WebSession).where(WebSession.account_id == acc.id))
    _commit(session)


def set_role(session: Session, username: str, role: str) -> None:
    acc = _account(session, username)
    acc.role = check_role(role)
    _commit(session)


def remove_user(session: Session, username: str) -> None:
    """Delete an account with its sessions and tokens (its edits keep its name)."""
    acc = _account(session, username)
    session.delete(acc)
    session.flush()
    session.execute(delete(WebSession).where(WebSession.account_id == acc.id))
    session.execute(delete(ApiToken).where(ApiToken.account_id == acc.id))
    _commit(session)


def authenticate(session: Session, username: str, password: str) -> Account | None:
    """The account if ``password`` is its password, else None (same work either way)."""
    acc = session.scalar(select(Account).where(Account.username == (username or "").strip()))
    try:
        _HASHER.verify(acc.password_hash if acc else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        session.rollback()
        return None
    if acc is None:
        return None
    if _HASHER.check_needs_rehash(acc.password_hash):
        acc.password_hash = _HASHER.hash(password)
        _commit(session)
    else:
        session.rollback()
    return acc


def start_session(session: Session, account: Account, hours: float) -> tuple[str, str]:
    """A new page session for ``account``, valid ``hours``: ``(cookie token, csrf token)``.
    Expired sessions are cleared on the way."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = utcnow()
    session.execute(delete(WebSession).where(WebSession.expires < now))
    session.add(WebSession(account_id=account.id, token_hash=_digest(token), csrf=csrf,
                           created=now, expires=now + timedelta(hours=hours)))
    _commit(session)
    return token, csrf


def end_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == _digest(token)))
    _commit(session)


def session_principal(session: Session, token: str) -> Principal | None:
    """Who holds this session cookie (None if unknown or expired)."""
    row = session.execute(
        select(Account.username, Account.role, WebSession.csrf, WebSession.expires)
        .join(WebSession, WebSession.account_id == Account.id)
        .where(WebSession.token_hash == _digest(token))).first()
    session.rollback()
    if row is None or as_utc(row.expires) <= utcnow():
        return None
    return Principal(row.username, row.role, "session", row.csrf)


def create_token(session: Session, username: str, label: str = "") -> str:
    """A new API token for the account (shown once; only its hash is kept)."""
    acc = _account(session, username)
    token = "alg_" + secrets.token_urlsafe(32)
    session.add(ApiToken(account_id=acc.id, label=(label or "").strip()[:100],
                         token_hash=_digest(token), created=utcnow()))
    _commit(session)
    return token


def token_principal(session: Session, token: str) -> Principal | None:
    """Who an API token acts as (None if unknown)."""
    row = session.execute(select(Account.username, Account.role)
                          .join(ApiToken, ApiToken.account_id == Account.id)
                          .where(ApiToken.token_hash == _digest(token))).first()
    session.rollback()
    return Principal(row.username, row.role, "token") if row else None
