"""Schemas of review edits (each carries the alignment version it was made against), notes and the edit log."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, model_validator

from api.schemas.common import Direction, Id, Side, _In



class VersionIn(_In):
    version: int = Field(ge=1, description="the alignment version this edit was made against")


class BeadIdsIn(VersionIn):
    bead_ids: list[Id] = Field(min_length=1, max_length=1000)


class MergeIn(VersionIn):
    bead_id: Id
    direction: Direction = "next"


class SplitIn(VersionIn):
    bead_id: Id
    src_at: int = Field(ge=0, description="source sentences kept in the first part")
    tgt_at: int = Field(ge=0, description="target sentences kept in the first part")


class MoveIn(VersionIn):
    bead_id: Id
    side: Side
    direction: Direction


class DetachIn(VersionIn):
    bead_id: Id


class CrossingLinkIn(VersionIn):
    """Either a stored candidate (``crossing_id``) or explicit sentence ids on both sides."""

    crossing_id: Id | None = None
    src_sentence_ids: list[Id] = Field(default=[], max_length=100)
    tgt_sentence_ids: list[Id] = Field(default=[], max_length=100)

    @model_validator(mode="after")
    def _one_way(self) -> "CrossingLinkIn":
        explicit = bool(self.src_sentence_ids or self.tgt_sentence_ids)
        if self.crossing_id is None and not (self.src_sentence_ids and self.tgt_sentence_ids):
            raise ValueError("give crossing_id, or both src_sentence_ids and tgt_sentence_ids")
        if self.crossing_id is not None and explicit:
            raise ValueError("give crossing_id or sentence ids, not both")
        return self


class UnlinkIn(VersionIn):
    link_id: Id


class SplitSentenceIn(VersionIn):
    sentence_id: Id
    offset: int = Field(ge=1, description="character offset in the sentence text")


class JoinSentenceIn(VersionIn):
    sentence_id: Id


class RealignIn(VersionIn):
    start: int | None = Field(default=None, ge=0, description="first bead position (inclusive)")
    end: int | None = Field(default=None, ge=0, description="last bead position (exclusive)")

    @model_validator(mode="after")
    def _ordered(self):
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        return self


class EditOut(BaseModel):
    """Result of an edit: send ``version`` with the next edit."""

    alignment_id: Id
    version: int
    edit_id: Id
    operation: str
    bead_ids: list[Id]


class NoteIn(_In):
    text: str = Field(min_length=1, max_length=5000)
    version: int | None = Field(default=None, ge=1,
                                description="if given, the note is refused when stale")


class NoteOut(BaseModel):
    """``bead_id`` is null for a note whose bead was later removed."""

    id: Id
    bead_id: Id | None
    text: str
    user: str
    created: datetime | str | None = None


class EditLogOut(BaseModel):
    id: Id
    version: int
    operation: str
    user: str
    created: datetime | str | None = None
    bead_ids: list[Id] = []
    undone: bool = False
    summary: str = ""


class BeadHistoryOut(BaseModel):
    bead_id: Id
    edits: list[EditLogOut]
    notes: list[NoteOut]
