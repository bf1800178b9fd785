"""Tables of the record pairing and of batch tasks (issue 13); registered on
:data:`aligner.store.models.Base` by the import at the end of that module.

pairing_run ─< pairing_record (a source or target record, its stored document)
pairing_run ─< pairing_pair (source record, target record: score, evidence, status, alignment)
batch_task: one row per finished batch task, keyed by (content hashes, encoder, settings)

A pair's ``status``: ``candidate`` (scored, not chosen), ``proposed`` (chosen by the
machine), ``confirmed`` or ``rejected`` (by a reviewer). A source record's ``decision`` is
``""`` or ``"untranslated"`` (a reviewer said no target renders it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from aligner.store.models import Base, _in, utcnow

PAIR_STATUSES = ("candidate", "proposed", "confirmed", "rejected")
RECORD_SIDES = ("src", "tgt")
DECISIONS = ("", "untranslated")


class PairingRun(Base):
    """One run of :func:`aligner.pairing.pair_entries` over two sets of files: its
    languages, encoder, pairing parameters and the aligner settings its pairs get."""

    __tablename__ = "pairing_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"),
                                            index=True)
    src_lang: Mapped[str] = mapped_column(String(16))
    tgt_lang: Mapped[str] = mapped_column(String(16))
    encoder: Mapped[str] = mapped_column(String(200), default="")
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PairingRecord(Base):
    """A record of a pairing run: ``side`` src/tgt, ``ord`` its place on that side,
    where it is (``file``, ``ref`` as :func:`aligner.records.load_record` takes it,
    character offsets), its heading ``title`` and ``date``, the stored document."""

    __tablename__ = "pairing_record"
    __table_args__ = (
        UniqueConstraint("run_id", "side", "ord"),
        CheckConstraint(_in("side", RECORD_SIDES), name="side"),
        CheckConstraint(_in("decision", DECISIONS), name="decision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("pairing_run.id", ondelete="CASCADE"))
    side: Mapped[str] = mapped_column(String(3))
    ord: Mapped[int] = mapped_column(Integer)
    file: Mapped[str] = mapped_column(String(1000))
    ref: Mapped[str] = mapped_column(String(1100))
    title: Mapped[str] = mapped_column(String(1000), default="")
    date: Mapped[str | None] = mapped_column(String(10))
    start_char: Mapped[int] = mapped_column(Integer, default=0)
    end_char: Mapped[int] = mapped_column(Integer, default=0)
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="SET NULL"), index=True)
    decision: Mapped[str] = mapped_column(String(16), default="")


class PairingPair(Base):
    """A (source record, target record) of a run: the machine's ``score`` in [0, 1],
    ``partial``, ``evidence`` (as :func:`aligner.pairing.pair_json` gives it), the
    ``status`` (see the module doc), who set it, and the alignment made of it."""

    __tablename__ = "pairing_pair"
    __table_args__ = (
        UniqueConstraint("src_record_id", "tgt_record_id"),
        CheckConstraint(_in("status", PAIR_STATUSES), name="status"),
        Index("ix_pairing_pair_run_id_status", "run_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("pairing_run.id", ondelete="CASCADE"))
    src_record_id: Mapped[int] = mapped_column(
        ForeignKey("pairing_record.id", ondelete="CASCADE"))
    tgt_record_id: Mapped[int] = mapped_column(
        ForeignKey("pairing_record.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    partial: Mapped[bool] = mapped_column(Boolean, default=False)
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(12), default="candidate")
    user: Mapped[str] = mapped_column(String(100), default="")
    alignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("alignment.id", ondelete="SET NULL"))
    updated: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BatchTask(Base):
    """A finished batch task: ``key`` (:func:`aligner.batch.tasks.task_key`: sha256 of
    both texts' hashes and languages, the encoder and the settings) → the alignment it
    stored. A deleted alignment takes its row with it, so a rerun makes it again."""

    __tablename__ = "batch_task"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(500), default="")
    alignment_id: Mapped[int] = mapped_column(ForeignKey("alignment.id", ondelete="CASCADE"),
                                              index=True)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
