"""Pydantic request/response schemas of the HTTP API (kept apart from the SQLAlchemy tables).

Request bodies forbid unknown fields, so a misspelt field is a 422 naming it rather than
an edit silently made with a default. Every review request carries ``version``: the
alignment version the client saw (optimistic locking, see :mod:`aligner.store.review`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from aligner.align import SETTINGS
from aligner.export import FORMATS

#: The export formats of :data:`aligner.export.FORMATS`, for request validation and OpenAPI.
ExportFormat = Literal[tuple(FORMATS)]  # type: ignore[valid-type]

Id = int
Direction = Literal["next", "previous"]
Side = Literal["src", "tgt"]
QueueKind = Literal["unreviewed", "low-confidence", "non-1-1", "flagged", "crossing"]
BeadFilter = Literal["unreviewed", "low-confidence", "non-1-1", "flagged", "crossing",
                     "confirmed", "rejected", "manual"]
Role = Literal["source", "translation"]
Kind = Literal["archival", "reconstruction", "translation", "other"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ErrorOut(BaseModel):
    """Every 4xx/5xx body: ``detail`` is a sentence a person can act on."""

    detail: str
    code: str | None = None


class StaleOut(ErrorOut):
    """409 body of a stale edit: reload, then redo the edit against ``current_version``."""

    current_version: int
    expected_version: int
    changes: list[str] = []


# --- projects and documents ----------------------------------------------------------

class ProjectIn(_In):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)


class ProjectOut(BaseModel):
    id: Id
    name: str
    description: str = ""
    created: datetime | str | None = None
    documents: int = 0
    alignments: int = 0


class ProvenanceOut(BaseModel):
    file: str
    sha256: str
    kind: str
    encoding: str = "utf-8"
    note: str = ""
    label: str = ""


class DocumentBriefOut(BaseModel):
    id: Id
    project_id: Id
    lang: str
    title: str = ""
    role: str
    provenance: ProvenanceOut


class DocumentOut(DocumentBriefOut):
    sentences: int
    pages: int
    created: datetime | str | None = None


class RawTextOut(BaseModel):
    """The document's text exactly as read (e.g. the OCR), with its page starts."""

    id: Id
    lang: str
    provenance: ProvenanceOut
    raw_text: str
    page_starts: list[int]


class SentenceContextOut(BaseModel):
    """A sentence inside its raw page: ``page_text[highlight_start:highlight_end]`` is
    the sentence's span (raw offsets ``raw_start``..``raw_end`` clipped to the page)."""

    document_id: Id
    sentence_id: Id
    ord: int
    text: str
    raw_start: int
    raw_end: int
    page: int | None
    page_count: int
    page_start: int
    page_end: int
    page_text: str
    highlight_start: int
    highlight_end: int
    kind: str
    label: str


# --- alignments and beads ------------------------------------------------------------

class AlignmentOut(BaseModel):
    id: Id
    project_id: Id
    src_document_id: Id
    tgt_document_id: Id
    src_lang: str
    tgt_lang: str
    src_title: str = ""
    tgt_title: str = ""
    src_provenance: ProvenanceOut
    tgt_provenance: ProvenanceOut
    encoder: str = ""
    encoder_version: str = ""
    params: dict[str, Any] = {}
    created: datetime | str | None = None
    updated: datetime | str | None = None
    state: str = ""
    version: int
    beads: int


class SentenceOut(BaseModel):
    id: Id
    ord: int
    text: str
    page: int | None = None


class BeadOut(BaseModel):
    id: Id
    position: int
    type: str
    score: float
    origin: str
    status: str
    flags: list[str]
    notes: int = 0
    src: list[SentenceOut]
    tgt: list[SentenceOut]


class BeadPageOut(BaseModel):
    alignment_id: Id
    version: int
    total: int
    offset: int
    limit: int
    beads: list[BeadOut]


class NextOut(BaseModel):
    """The next bead of a review queue, or ``bead: null`` when the queue is empty."""

    kind: QueueKind
    bead: BeadOut | None


class ProgressOut(BaseModel):
    version: int
    beads: int
    unreviewed: int
    confirmed: int
    rejected: int
    manual: int
    low_confidence: int
    flagged: int
    crossing: int
    crossing_links: int
    types: dict[str, int]
    reviewed_fraction: float
    undo: str | None = None
    redo: str | None = None


class CrossingOut(BaseModel):
    id: Id
    src: list[SentenceOut]
    tgt: list[SentenceOut]
    score: float
    reason: str = ""
    src_bead_ids: list[Id] = []
    tgt_bead_ids: list[Id] = []
    linked: bool = False


class CrossingLinkOut(BaseModel):
    id: Id
    crossing_id: Id | None = None
    src_sentence_ids: list[Id]
    tgt_sentence_ids: list[Id]
    user: str = ""
    created: datetime | str | None = None


# --- jobs ----------------------------------------------------------------------------

def _settings_model() -> type[BaseModel]:
    """A request model with one optional field per aligner setting (:data:`aligner.align.SETTINGS`):
    its type, range and help come from the registry, so OpenAPI documents every setting."""
    fields: dict[str, Any] = {}
    for s in SETTINGS:
        kind = s.kind | None  # None: the server's default
        extra = {"ge": s.minimum, "le": s.maximum} if s.kind in (int, float) else {}
        fields[s.name] = (kind, Field(default=None, description=f"{s.help} Default: {s.default}.",
                                      **{k: v for k, v in extra.items() if v is not None}))
    return create_model("AlignSettingsIn", __config__=ConfigDict(extra="forbid"), **fields)


AlignSettingsIn = _settings_model()


class AlignJobIn(_In):
    src_document_id: Id
    tgt_document_id: Id
    encoder: str | None = Field(default=None, max_length=300,
                                description="encoder name; default: the server's")
    settings: AlignSettingsIn | None = Field(default=None, description=(
        "aligner settings for this alignment (omitted ones: the server's defaults); they are "
        "stored with the alignment and used again when it is re-aligned"))
    partial: bool = Field(default=False, description=(
        "shorthand for settings.partial: the target renders only part of the source (an "
        "excerpt, a telegram quoting a record): weak beads are left as 1-0/0-1 instead of "
        "being forced (local alignment)"))

    def chosen_settings(self) -> dict[str, Any]:
        """The settings given (None values left out), ``partial`` folded in."""
        chosen = {k: v for k, v in (self.settings.model_dump() if self.settings else {}).items()
                  if v is not None}
        if self.partial:
            chosen["partial"] = True
        return chosen


class JobOut(BaseModel):
    """A background alignment. ``state``: queued → running → done | failed;
    ``progress`` in [0, 1]; ``alignment_id`` once done; ``error`` if failed."""

    id: str
    project_id: Id
    src_document_id: Id
    tgt_document_id: Id
    partial: bool = False
    settings: dict[str, Any] = {}
    state: Literal["queued", "running", "done", "failed"]
    stage: str
    progress: float
    alignment_id: Id | None = None
    error: str | None = None
    created: datetime
    finished: datetime | None = None


# --- review operations ---------------------------------------------------------------

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


class EditOut(BaseModel):
    """Result of an edit: send ``version`` with the next edit."""

    alignment_id: Id
    version: int
    edit_id: Id
    operation: str
    bead_ids: list[Id]


# --- notes and history ---------------------------------------------------------------

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


# --- several renderings, concordance, fidelity (read-only views) ------------------------

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
    """Hits of a phrase and how each was rendered; ``renderings`` index into ``hits``."""

    phrase: str
    fuzzy: bool
    count: int
    hits: list[HitOut]
    renderings: list[RenderingGroupOut]


class ExportFormatOut(BaseModel):
    """One export format: ``name`` for ``?format=``, a ``label`` for menus, the file
    ``suffix`` and ``media_type``."""

    name: str
    label: str
    suffix: str
    media_type: str
