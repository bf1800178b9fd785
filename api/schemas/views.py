"""Schemas of the read-only views: renderings side by side, the fidelity report, the concordance."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from api.schemas.common import Id, Side
from api.schemas.store import DocumentBriefOut, ProvenanceOut, SentenceOut



class PivotOut(BaseModel):
    """A document and how many alignments (renderings) it takes part in."""

    document: DocumentBriefOut
    alignments: int
    sentences: int


class RenderingColumnOut(BaseModel):
    alignment_id: Id
    version: int
    pivot_side: Side
    document: DocumentBriefOut


class CellBeadOut(BaseModel):
    id: Id
    position: int
    type: str
    score: float
    status: str
    flags: list[str]


class CellOut(BaseModel):
    sentences: list[SentenceOut]
    beads: list[CellBeadOut]


class RenderingRowOut(BaseModel):
    index: int
    pivot: list[SentenceOut]
    cells: list[CellOut]


class RenderingsOut(BaseModel):
    """Rows over the pivot document's sentences, one cell per rendering (column)."""

    document: DocumentBriefOut
    columns: list[RenderingColumnOut]
    total: int
    offset: int
    limit: int
    rows: list[RenderingRowOut]
    focus_row: int | None = None


class FlagOut(BaseModel):
    code: str
    message: str
    side: str
    details: dict[str, Any] = {}
    suggestion: str | None = None


class FlagSentenceOut(BaseModel):
    ord: int
    text: str


class FlaggedBeadOut(BaseModel):
    bead_id: Id
    position: int
    type: str
    src: list[FlagSentenceOut]
    tgt: list[FlagSentenceOut]
    flags: list[FlagOut]


class FidelityOut(BaseModel):
    alignment_id: Id
    version: int
    src_provenance: ProvenanceOut
    tgt_provenance: ProvenanceOut
    beads: list[FlaggedBeadOut]


class AlignedTextOut(BaseModel):
    alignment_id: Id
    bead_id: Id
    document_id: Id
    document_title: str
    lang: str
    provenance_label: str
    sentence_ids: list[Id]
    sentence_ords: list[int]
    text: str
    spans: list[tuple[int, int]]
    rendering: str | None = None
    similarity: float | None = None
    method: str | None = None
    key: str = ""


class HitOut(BaseModel):
    document_id: Id
    document_title: str
    lang: str
    provenance_label: str
    sentence_id: Id
    sentence_ord: int
    text: str
    spans: list[tuple[int, int]]
    score: float
    match: str
    aligned: list[AlignedTextOut]


class RenderingGroupOut(BaseModel):
    key: str
    label: str
    lang: str
    count: int
    hits: list[int]


class ConcordanceOut(BaseModel):
    """Hits of a phrase and how each was rendered; ``renderings`` index into ``hits``.
    ``count``: hits in all (at least, when ``complete`` is False); ``hits``: the page at
    ``offset`` of at most ``limit``."""

    phrase: str
    fuzzy: bool
    count: int
    offset: int = 0
    limit: int | None = None
    complete: bool = True
    hits: list[HitOut]
    renderings: list[RenderingGroupOut]
