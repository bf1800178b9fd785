"""Schemas of the review workflow (issue 14): corrected sentence text, applied OCR
suggestions, bulk status, the alignment overview and search inside it, imports."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from api.schemas.common import Id
from api.schemas.review import VersionIn


class EditTextIn(VersionIn):
    sentence_id: Id
    text: str = Field(min_length=1, max_length=10_000,
                      description="the corrected text (white space runs become single spaces)")


class ApplySuggestionIn(VersionIn):
    bead_id: Id
    word: str = Field(min_length=1, max_length=200,
                      description="the OCR-suspect word (the flag's details.word)")


class BulkStatusIn(VersionIn):
    """Which *unreviewed* beads to change: those scoring at least ``min_score`` and/or
    those before position ``end`` (``end = p + 1``: up to and including the bead at p)."""

    status: Literal["confirmed", "rejected"] = "confirmed"
    min_score: float | None = Field(default=None, ge=0, le=1)
    end: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _bounded(self) -> "BulkStatusIn":
        if self.min_score is None and self.end is None:
            raise ValueError("give min_score and/or end (which unreviewed beads to change)")
        return self


class OverviewOut(BaseModel):
    """Every bead in position order: ``scores`` (0–100), ``status`` (one letter a bead:
    u, c, r), ``marks`` (bit masks; ``bits`` names the bits)."""

    alignment_id: Id
    version: int
    total: int
    scores: list[int]
    status: str
    marks: list[int]
    bits: dict[str, int]


class FindOut(BaseModel):
    alignment_id: Id
    version: int
    q: str
    positions: list[int]
    total: int
    truncated: bool


class ImportFormatOut(BaseModel):
    """An import format: the ``files`` it takes besides the alignment file, whether they
    are required, and whether the languages must be given."""

    name: str
    label: str
    files: list[str]
    files_required: bool
    needs_langs: bool


class ImportedOut(BaseModel):
    alignment_id: Id
    project_id: Id
    beads: int
    imported: dict[str, Any]
