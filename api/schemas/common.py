"""Shared types of the API schemas: ids, literals, the request base, errors."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from aligner.export import FORMATS

#: The export formats of :data:`aligner.export.FORMATS`, for request validation and OpenAPI.
ExportFormat = Literal[tuple(FORMATS)]  # type: ignore[valid-type]


def _not_bool(value):
    # JSON true/false would otherwise be read as the ids 1 and 0 (pydantic's lax int)
    if isinstance(value, bool):
        raise ValueError("an id is a number, not true or false")
    return value


#: A row id. JSON true/false are refused (a 422), not read as 1 and 0.
Id = Annotated[int, BeforeValidator(_not_bool)]
#: Largest page offset a request may give: a 64-bit database integer overflows above it.
MAX_OFFSET = 2**31 - 1
Direction = Literal["next", "previous"]
Side = Literal["src", "tgt"]
QueueKind = Literal["unreviewed", "low-confidence", "non-1-1", "flagged", "crossing"]
BeadFilter = Literal["unreviewed", "low-confidence", "non-1-1", "flagged", "crossing",
                     "confirmed", "rejected", "manual"]
Role = Literal["source", "translation"]
Kind = Literal["archival", "reconstruction", "translation", "other"]


def _loadable(name: str | None) -> str | None:
    """An encoder a job may use (:func:`aligner.embed.check_encoder`): a name the server
    cannot load is a 422 now, not a failed job after the request was acted on."""
    from aligner.embed import check_encoder
    from aligner.errors import ModelError

    if not name:
        return None  # "" (or blanks, stripped): the server's, as when it is left out
    try:
        check_encoder(name)
    except ModelError as exc:
        raise ValueError(str(exc)) from None
    return name


#: An encoder named in a request (None: the server's).
EncoderName = Annotated[str | None, Field(max_length=300, description="encoder name; default: the server's"),
                        AfterValidator(_loadable)]


class _In(BaseModel):
    # strict: JSON true is not the number 1, nor "5" the number 5 (a client's bug, said as a 422)
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value):
        # PostgreSQL text cannot hold NUL: refuse it on every store alike, as a 422.
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("contains a NUL character (\\u0000)")
        return value


class ErrorOut(BaseModel):
    """Every 4xx/5xx body: ``detail`` is a sentence a person can act on."""

    detail: str
    code: str | None = None


class StaleOut(ErrorOut):
    """409 body of a stale edit: reload, then redo the edit against ``current_version``."""

    current_version: int
    expected_version: int
    changes: list[str] = []
    bead_ids: list[int] = []


class ExportOptionOut(BaseModel):
    name: str
    help: str
    default: bool


class ExportFormatOut(BaseModel):
    """One export format: ``name`` for ``?format=``, a ``label`` for menus, the file
    ``suffix`` and ``media_type``, and its yes/no ``options`` (``{"name", "help",
    "default"}``; query parameters of the export)."""

    name: str
    label: str
    suffix: str
    media_type: str
    options: list[ExportOptionOut] = []
