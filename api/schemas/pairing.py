"""Schemas of the pairing view (``/api/pairings``): which record translates which, as
``aligner batch --pair auto`` stored it, and a reviewer's decisions on it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from api.schemas.common import EncoderName, Id, _In
from api.schemas.store import JobOut


class PairingRecordOut(BaseModel):
    """A record: ``side`` src/tgt, ``ord`` its place on that side, where it is (``file``,
    ``ref`` = ``FILE#REF`` or ``FILE``, ``start``/``end`` character offsets into the file),
    its heading ``title`` and ``date`` (ISO or null), its stored ``document_id``, its
    provenance ``label`` (e.g. "TEST RECONSTRUCTION — not the archival text"), and for a
    source the reviewer's ``decision`` ("" or "untranslated")."""

    id: Id
    side: Literal["src", "tgt"]
    ord: int
    file: str
    ref: str
    title: str
    date: str | None = None
    start: int
    end: int
    document_id: Id | None = None
    label: str = "other"
    decision: Literal["", "untranslated"] = ""


class PairCandidateOut(BaseModel):
    """A target scored for a source record: ``score`` in [0, 1] (probability that it
    renders all or part of the record), ``partial``, ``evidence`` (coverage, chain,
    shared dates/numbers/names, spans, ``tentative``: chosen in the leftover round, under
    the threshold; docs/pairing.md), ``status`` (candidate: scored;
    proposed: chosen by the machine; confirmed/rejected: by a reviewer), who set it, and
    the alignment made of the pair (null until it is aligned)."""

    id: Id
    target: PairingRecordOut
    score: float = Field(ge=0, le=1)
    partial: bool
    evidence: dict[str, Any]
    status: Literal["candidate", "proposed", "confirmed", "rejected"]
    user: str
    alignment_id: Id | None = None
    updated: str


class PairingSourceOut(PairingRecordOut):
    """A source record with its candidates: chosen pairs first, then by score."""

    candidates: list[PairCandidateOut]


class PairingRunOut(BaseModel):
    """A pairing run: languages, encoder, when, how many source/target records and pairs."""

    id: Id
    project_id: Id
    src_lang: str
    tgt_lang: str
    encoder: str
    created: str
    sources: int
    targets: int
    pairs: int


class PairingRunDetailOut(PairingRunOut):
    """A run with the aligner ``settings`` its pairs are aligned with and the pairing ``params``."""

    settings: dict[str, Any]
    params: dict[str, Any]


class PairingViewOut(BaseModel):
    """The pairing view: the run, every source record with its candidates, and the
    target documents paired with no record."""

    run: PairingRunDetailOut
    sources: list[PairingSourceOut]
    unpaired_targets: list[PairingRecordOut]


class PairDecisionIn(_In):
    """A reviewer's decision on one source record: ``confirm`` (``target_id`` renders it),
    ``reassign`` (``target_id`` renders it, not the target chosen before), or
    ``untranslated`` (no target renders it). A pair confirmed without an alignment is
    aligned by a background job (``encoder``: default the server's)."""

    action: Literal["confirm", "reassign", "untranslated"]
    target_id: Id | None = None
    encoder: EncoderName = None
    seen_confirmed: list[Id] | None = Field(default=None, max_length=1000, description=(
        "the target record ids the reviewer saw confirmed for this record: if another "
        "reviewer has changed them since, the decision is refused (409) and changes nothing"))
    seen_untranslated: bool | None = Field(default=None, description=(
        "whether the reviewer saw the record marked untranslated: refused (409) if that changed"))

    @model_validator(mode="after")
    def _target_fits_the_action(self):
        if self.action == "untranslated" and self.target_id is not None:
            raise ValueError("untranslated takes no target_id (no target renders the record)")
        if self.action != "untranslated" and self.target_id is None:
            raise ValueError(f"{self.action} needs a target_id (the target record that renders it)")
        return self


class RejectedPairOut(BaseModel):
    """A pair a decision rejected: its ``target``, what it ``was`` before (``confirmed``:
    a reviewer's decision undone, e.g. by a reassign) and who had set that (``by``)."""

    pair_id: Id
    target: PairingRecordOut
    was: Literal["proposed", "confirmed"]
    by: str


class PairDecisionOut(BaseModel):
    """The source record after the decision, the alignment job started (or null), and
    the pairs the decision ``rejected`` (reassign, untranslated; empty for confirm)."""

    source: PairingSourceOut
    job: JobOut | None = None
    rejected: list[RejectedPairOut] = []
