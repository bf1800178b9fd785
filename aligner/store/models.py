"""Tables of the store (SQLAlchemy 2 declarative, typed ``Mapped[...]``).

project ─< document ─< sentence
project ─< alignment (source document, target document) ─< bead ─< bead_sentence >─ sentence
alignment ─< crossing (candidates) · crossing_link (made by reviewers) · edit (log) · note

``bead_sentence`` has ``UNIQUE(alignment_id, sentence_id)``: a sentence cannot be in two
beads of one alignment at the database level; its ``(bead_id, alignment_id)`` foreign key
makes the row's alignment that of its bead. Positions/ords are 0-based and unique per
parent. Constraint names follow :data:`NAMING_CONVENTION` so Alembic batch migrations on
SQLite can find them.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("source", "translation")
KINDS = ("archival", "reconstruction", "translation", "other")
ALIGNMENT_STATES = ("aligned", "in-review", "done")
ORIGINS = ("auto", "manual")
STATUSES = ("unreviewed", "confirmed", "rejected")
SIDES = ("src", "tgt")


def utcnow() -> datetime:
    """Timezone-aware now (UTC)."""
    return datetime.now(timezone.utc)


def as_utc(dt: datetime | None) -> datetime | None:
    """``dt`` with UTC attached if the database returned it naive (SQLite does)."""
    return dt.replace(tzinfo=timezone.utc) if dt is not None and dt.tzinfo is None else dt


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Project(Base):
    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: Re-scorer weights fitted on the project's confirmed beads (``aligner adapt``,
    #: :mod:`aligner.store.adaptation`); NULL while nothing was fitted.
    adaptation: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class DocumentRow(Base):
    """A document: provenance, raw and cleaned text, cleaned→raw offset map, pages."""

    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("project_id", "sha256", "lang"),
        CheckConstraint(_in("role", ROLES), name="role"),
        CheckConstraint(_in("kind", KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"),
                                            index=True)
    lang: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(500), default="")
    role: Mapped[str] = mapped_column(String(16))
    origin_file: Mapped[str] = mapped_column(String(1000))
    sha256: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="other")
    encoding: Mapped[str] = mapped_column(String(40), default="utf-8")
    notes: Mapped[str] = mapped_column(Text, default="")
    raw_text: Mapped[str] = mapped_column(Text)
    clean_text: Mapped[str] = mapped_column(Text)
    offsets: Mapped[list[Any]] = mapped_column(JSON)
    page_starts: Mapped[list[Any]] = mapped_column(JSON)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: Bumped whenever the document's sentences change (re-segmentation, corrected text).
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class SentenceRow(Base):
    """A sentence; ``ord`` is its 0-based place in the document (changes on re-segmenting)."""

    __tablename__ = "sentence"
    __table_args__ = (
        UniqueConstraint("document_id", "ord"),
        CheckConstraint("start_char <= end_char", name="span"),
        # Never reuse a deleted id: undo re-inserts rows with their old ids.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    ord: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    start_char: Mapped[int] = mapped_column(Integer)
    end_char: Mapped[int] = mapped_column(Integer)
    raw_start: Mapped[int] = mapped_column(Integer)
    raw_end: Mapped[int] = mapped_column(Integer)
    page: Mapped[int | None] = mapped_column(Integer)
    paragraph: Mapped[int] = mapped_column(Integer, default=0)
    #: The text as segmented, kept when a reviewer corrects ``text`` (OCR errors, typos);
    #: NULL while the sentence is uncorrected. The raw text is never changed.
    original_text: Mapped[str | None] = mapped_column(Text)


class AlignmentRow(Base):
    """An alignment of a source and a target document; ``version`` for optimistic locking."""

    __tablename__ = "alignment"
    __table_args__ = (
        CheckConstraint(_in("state", ALIGNMENT_STATES), name="state"),
        CheckConstraint("version >= 1", name="version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    src_document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True)
    tgt_document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True)
    encoder_name: Mapped[str] = mapped_column(String(200), default="")
    encoder_version: Mapped[str] = mapped_column(String(100), default="")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: The fidelity context fitted on the beads (aligner.fidelity.FidelityContext.frozen).
    fidelity: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default="aligned")
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: For an alignment imported from a file made elsewhere (:mod:`aligner.imports`):
    #: ``{"format", "file", "sha256", "tool", "via", "imported"}``; NULL for our own.
    imported: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class BeadRow(Base):
    """A bead (link) at ``position`` in its alignment; ``version`` as in :class:`AlignmentRow`."""

    __tablename__ = "bead"
    __table_args__ = (
        UniqueConstraint("alignment_id", "position"),
        # Target of bead_sentence's composite foreign key.
        UniqueConstraint("id", "alignment_id"),
        CheckConstraint(_in("origin", ORIGINS), name="origin"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alignment_id: Mapped[int] = mapped_column(ForeignKey("alignment.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    origin: Mapped[str] = mapped_column(String(8), default="auto")
    status: Mapped[str] = mapped_column(String(12), default="unreviewed")
    flags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: Who set the current status (confirmed/rejected) or made the bead; NULL if unreviewed.
    reviewer: Mapped[str | None] = mapped_column(String(100))
    #: The alignment version of the last edit that wrote this bead (1: as aligned): the
    #: per-bead optimistic check (aligner.store.review.transaction) compares it.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class BeadSentence(Base):
    """Membership of a sentence in a bead: ``side`` src/tgt, ``ord`` order in the bead."""

    __tablename__ = "bead_sentence"
    __table_args__ = (
        UniqueConstraint("alignment_id", "sentence_id"),
        UniqueConstraint("bead_id", "side", "ord"),
        ForeignKeyConstraint(["bead_id", "alignment_id"], ["bead.id", "bead.alignment_id"],
                             ondelete="CASCADE"),
        CheckConstraint(_in("side", SIDES), name="side"),
        Index("ix_bead_sentence_sentence_id", "sentence_id"),
    )

    bead_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sentence_id: Mapped[int] = mapped_column(
        ForeignKey("sentence.id", ondelete="CASCADE"), primary_key=True)
    alignment_id: Mapped[int] = mapped_column(Integer)
    side: Mapped[str] = mapped_column(String(3))
    ord: Mapped[int] = mapped_column(Integer)


class CrossingRow(Base):
    """A crossing-link candidate found by the aligner (sentence ids as JSON lists)."""

    __tablename__ = "crossing"

    id: Mapped[int] = mapped_column(primary_key=True)
    alignment_id: Mapped[int] = mapped_column(ForeignKey("alignment.id", ondelete="CASCADE"),
                                              index=True)
    src_sentence_ids: Mapped[list[Any]] = mapped_column(JSON)
    tgt_sentence_ids: Mapped[list[Any]] = mapped_column(JSON)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    reason: Mapped[str] = mapped_column(Text, default="")


class CrossingLink(Base):
    """An out-of-order link recorded by a reviewer (outside the monotone beads)."""

    __tablename__ = "crossing_link"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    alignment_id: Mapped[int] = mapped_column(ForeignKey("alignment.id", ondelete="CASCADE"),
                                              index=True)
    crossing_id: Mapped[int | None] = mapped_column(
        ForeignKey("crossing.id", ondelete="SET NULL"))
    src_sentence_ids: Mapped[list[Any]] = mapped_column(JSON)
    tgt_sentence_ids: Mapped[list[Any]] = mapped_column(JSON)
    user: Mapped[str] = mapped_column(String(100), default="")
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Edit(Base):
    """One entry of an alignment's edit log.

    ``before``/``after`` hold the changed region (see :mod:`aligner.store.review`) so an
    edit can be undone and redone. ``undo_state``: ``"active"`` (applied), ``"undone"``
    (on the redo stack), ``"dropped"`` (undone, then a new edit cleared the redo stack);
    NULL for the log rows of undo/redo themselves, which name their ``target_edit_id``.
    """

    __tablename__ = "edit"
    __table_args__ = (
        Index("ix_edit_alignment_id_version_after", "alignment_id", "version_after"),
        # Undo/redo find the newest active / oldest undone edit, and every new edit drops
        # the redo stack: without this each of those scanned the whole log (whose rows
        # carry the large before/after states).
        Index("ix_edit_alignment_id_undo_state", "alignment_id", "undo_state"),
        CheckConstraint("undo_state IS NULL OR " + _in("undo_state", ("active", "undone", "dropped")),
                        name="undo_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alignment_id: Mapped[int] = mapped_column(ForeignKey("alignment.id", ondelete="CASCADE"))
    version_after: Mapped[int] = mapped_column(Integer)
    operation: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any]] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)
    user: Mapped[str] = mapped_column(String(100), default="")
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    undo_state: Mapped[str | None] = mapped_column(String(8))
    target_edit_id: Mapped[int | None] = mapped_column(ForeignKey("edit.id", ondelete="SET NULL"))


class EditBead(Base):
    """Index of which beads an edit touched (for bead history; beads may since be gone)."""

    __tablename__ = "edit_bead"

    edit_id: Mapped[int] = mapped_column(ForeignKey("edit.id", ondelete="CASCADE"),
                                         primary_key=True)
    bead_id: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)


class Note(Base):
    """A reviewer's note on a bead (kept, with ``bead_id`` NULL, if the bead is deleted)."""

    __tablename__ = "note"

    id: Mapped[int] = mapped_column(primary_key=True)
    alignment_id: Mapped[int] = mapped_column(ForeignKey("alignment.id", ondelete="CASCADE"),
                                              index=True)
    bead_id: Mapped[int | None] = mapped_column(ForeignKey("bead.id", ondelete="SET NULL"),
                                                index=True)
    text: Mapped[str] = mapped_column(Text)
    user: Mapped[str] = mapped_column(String(100), default="")
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BeadWordLinks(Base):
    """Cached word links of a bead (:mod:`aligner.store.word_links`): ``key`` names what
    they were computed from (the bead's sentence texts, languages, encoder, method
    version); a bead whose texts changed no longer matches its row and is linked again."""

    __tablename__ = "bead_word_links"

    bead_id: Mapped[int] = mapped_column(ForeignKey("bead.id", ondelete="CASCADE"),
                                         primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    links: Mapped[dict[str, Any]] = mapped_column(JSON)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# Tables of other areas, registered on the same metadata (Alembic, create_all).
from aligner.store.accounts import models as _account_models  # noqa: E402,F401
# The tables of record pairing and batch tasks (issue 13) live in their own module.
from aligner.store import pairing_models as _pairing_models  # noqa: E402,F401
