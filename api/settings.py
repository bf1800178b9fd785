"""Server settings, read from arguments or ``ALIGNER_*`` environment variables.

Validated once at start-up (pydantic-settings): a bad value stops the server with a
readable message instead of failing on the first request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_CHECKOUT_FRONTEND = Path(__file__).resolve().parents[1] / "frontend"
#: The page: the checkout's frontend/, or the copy an installed wheel carries.
FRONTEND_DIR = (_CHECKOUT_FRONTEND if (_CHECKOUT_FRONTEND / "index.html").is_file()
                else Path(__file__).resolve().parents[1] / "aligner" / "_frontend")


class Settings(BaseSettings):
    """Settings of one API instance.

    ``db``: the store, a SQLite file or a SQLAlchemy URL (created and migrated if missing);
    environment ``ALIGNER_DB``, the same name as the command line's ``--db``.
    ``max_upload_bytes``: largest accepted document upload, in bytes (413 beyond).
    ``encoder``: encoder name handed to :func:`aligner.embed.get_encoder` (None = default).
    ``frontend_dir``: folder with index.html/app.js/app.css served at ``/``.
    ``page_limit_max``: largest ``limit`` accepted when reading beads in pages.
    ``auth``: ``accounts`` (sign in; roles) or ``local`` (no accounts: every request is
    ``local_user``, an admin — only for a server bound to a loopback address; see
    :mod:`api.auth`). ``session_hours``: how long a page session lasts.
    ``cookie_secure``: the session cookie's Secure flag — ``auto`` (when the request came
    over HTTPS, e.g. through a proxy with uvicorn's proxy headers), ``always``, ``never``.
    """

    model_config = SettingsConfigDict(env_prefix="ALIGNER_", extra="ignore")

    db: str = Field(default="aligner.db", min_length=1)
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    encoder: str | None = None
    frontend_dir: Path = FRONTEND_DIR
    page_limit_max: int = Field(default=1000, gt=0, le=100_000)
    job_workers: int = Field(default=1, ge=1, le=8)
    auth: Literal["accounts", "local"] = "accounts"
    local_user: str = Field(default="local", min_length=1, max_length=100)
    session_hours: float = Field(default=12.0, gt=0, le=24 * 31)
    cookie_secure: Literal["auto", "always", "never"] = "auto"

    @field_validator("db", mode="before")
    @classmethod
    def _db_parent_exists(cls, value) -> str:
        value = str(value)
        if "://" in value:  # a URL: the server is checked when the store opens
            return value
        path = Path(value).expanduser()
        if not path.resolve().parent.is_dir():
            raise ValueError(f"folder {path.resolve().parent} for the database does not exist")
        return str(path)

    @field_validator("frontend_dir")
    @classmethod
    def _frontend_has_index(cls, value: Path) -> Path:
        if not (value / "index.html").is_file():
            raise ValueError(f"{value} has no index.html (frontend folder missing?)")
        return value
