"""Schemas of projects, documents, alignments, beads, progress, crossings and jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from aligner.align import SETTINGS
from api.schemas.common import EncoderName, Id, QueueKind, Side, _In



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


class AdaptOut(BaseModel):
    """What ``POST /api/projects/{id}/adapt`` did (the line ``aligner adapt`` prints)."""

    stored: bool = Field(description="an adaptation was fitted and kept with the project")
    message: str = Field(description='e.g. "adapted on 240 confirmed beads in 3 stretches: …"')
    summary: str | None = Field(default=None, description='"adapted on 240 confirmed beads"')


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
    original: str | None = None


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
    params: dict[str, Any] = Field(default={}, description="the aligner settings it was made with")
    settings_changed: dict[str, Any] = Field(default={}, description="those that differ from the defaults")
    adaptation: str | None = Field(default=None, description=(
        "what its automatic beads were made with, if the project's confirmed beads were "
        "learnt from (`aligner adapt`), e.g. \"adapted on 240 confirmed beads\""))
    created: datetime | str | None = None
    updated: datetime | str | None = None
    state: str = ""
    version: int
    beads: int
    imported: dict[str, Any] | None = None


class SentenceOut(BaseModel):
    """``original``: the text as segmented, when a reviewer corrected ``text``."""

    id: Id
    ord: int
    text: str
    page: int | None = None
    original: str | None = None


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
    labels: dict[Side, str] = Field(default={}, description=(
        "each side's provenance label, e.g. \"TEST RECONSTRUCTION — not the archival text\""))
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


def _settings_model() -> type[BaseModel]:
    """A request model with one optional field per aligner setting (:data:`aligner.align.SETTINGS`):
    its type, range and help come from the registry, so OpenAPI documents every setting."""
    fields: dict[str, Any] = {}
    for s in SETTINGS:
        kind = s.kind | None  # None: the server's default
        extra = {"ge": s.minimum, "le": s.maximum} if s.kind in (int, float) else {}
        fields[s.name] = (kind, Field(default=None, description=f"{s.help} Default: {s.default}.",
                                      **{k: v for k, v in extra.items() if v is not None}))
    return create_model("AlignSettingsIn", __config__=ConfigDict(extra="forbid", strict=True), **fields)


AlignSettingsIn = _settings_model()


class AlignJobIn(_In):
    src_document_id: Id
    tgt_document_id: Id
    encoder: EncoderName = None
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
