"""Plain data types shared by every pipeline stage (no I/O, no web, no database).

A *bitext* is a source document and its translation. An alignment is a list of
*beads* (links): each bead pairs 0..n consecutive source sentences with 0..m
consecutive target sentences ("1-1", "1-2", "2-1", "1-0" omission, "0-1" addition).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ProvenanceKind = Literal["archival", "reconstruction", "translation", "other"]
PROVENANCE_KINDS: tuple[str, ...] = ("archival", "reconstruction", "translation", "other")


#: The label of a test reconstruction, which every output that shows its text must carry.
RECONSTRUCTION_LABEL = "TEST RECONSTRUCTION — not the archival text"


def reconstruction_note(file: str) -> str:
    """The one-line note a command prints for a file that is a test reconstruction."""
    return f"note: {file} is a {RECONSTRUCTION_LABEL}"


def kind_label(kind: str) -> str:
    """The human label of a provenance kind (:attr:`Provenance.label`), e.g. for
    "reconstruction" :data:`RECONSTRUCTION_LABEL`; "other" for a kind not known."""
    if kind == "reconstruction":
        return RECONSTRUCTION_LABEL
    return {"archival": "archival text", "translation": "translation"}.get(kind, "other")


@dataclass(frozen=True)
class Provenance:
    """Where a document came from.

    ``kind`` is ``"reconstruction"`` for a text made for testing that stands in for an
    archival original (e.g. the Russian Litvinov record): every output must label it so.
    """

    file: str
    sha256: str
    kind: ProvenanceKind = "other"
    encoding: str = "utf-8"
    note: str = ""

    @property
    def label(self) -> str:
        """Human label, e.g. ``"TEST RECONSTRUCTION — not the archival text"``."""
        return kind_label(self.kind)


@dataclass(frozen=True)
class Sentence:
    """One segmented sentence.

    ``start``/``end`` are character offsets into the cleaned text (end exclusive);
    ``raw_start``/``raw_end`` the matching offsets into the raw text as read;
    ``page`` is the 1-based page of the raw text it starts on (None if unknown);
    ``original`` the text as segmented when a reviewer has corrected ``text`` (else None).
    """

    index: int
    text: str
    start: int
    end: int
    raw_start: int
    raw_end: int
    page: int | None = None
    paragraph: int = 0
    original: str | None = None

    @property
    def corrected(self) -> bool:
        """Whether a reviewer corrected the text (OCR error, typo)."""
        return self.original is not None and self.original != self.text


@dataclass
class Document:
    """A read, cleaned and segmented document.

    ``offsets`` maps cleaned character i to raw character ``offsets[i]``
    (length ``len(clean_text) + 1``; the last entry is the raw end).
    ``page_starts`` holds the raw offset where each page begins (page 1 at index 0).
    """

    lang: str
    raw_text: str
    clean_text: str
    offsets: list[int]
    sentences: list[Sentence]
    provenance: Provenance
    title: str = ""
    page_starts: list[int] = field(default_factory=lambda: [0])

    @property
    def texts(self) -> list[str]:
        """The sentence texts in order."""
        return [s.text for s in self.sentences]


@dataclass(frozen=True)
class BeadNote:
    """A reviewer's note on a bead: its text, who wrote it, when (ISO 8601, "" if unknown)."""

    text: str
    user: str = ""
    created: str = ""


@dataclass
class Bead:
    """One link of an alignment: consecutive source ids ↔ consecutive target ids.

    ``score`` is a confidence in [0, 1] (1 = certain). ``flags`` are short strings such
    as ``"low-confidence"``, ``"crossing-candidate"``, ``"omission"``.
    """

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float = 0.0
    flags: list[str] = field(default_factory=list)
    #: Review state, for a stored alignment (exports write it): ``status`` unreviewed |
    #: confirmed | rejected, ``origin`` auto | manual, ``id`` the bead's id in the store.
    status: str = "unreviewed"
    origin: str = "auto"
    id: int | None = None
    #: Who set the status or made the bead ("" if nobody yet), and the reviewers' notes.
    reviewer: str = ""
    notes: list[BeadNote] = field(default_factory=list)

    @property
    def type(self) -> str:
        """Bead type as ``"<n src>-<n tgt>"``, e.g. ``"1-1"``, ``"2-1"``, ``"0-1"``."""
        return f"{len(self.src)}-{len(self.tgt)}"


def cover_gap(beads: "list[Bead]", n_src: int, n_tgt: int) -> tuple[str, list[int], int] | None:
    """``(side, ids, n)`` of the first side ("source", "target") whose sentence ids in
    ``beads`` are not ``0..n-1`` once each, in order; None if both sides are covered so.
    A valid alignment also has no empty bead (checked apart)."""
    for side, ids, n in (("source", [i for b in beads for i in b.src], n_src),
                         ("target", [j for b in beads for j in b.tgt], n_tgt)):
        if ids != list(range(n)):
            return side, ids, n
    return None


@dataclass(frozen=True)
class Crossing:
    """A crossing-link candidate: sentences that match strongly outside the monotone path.

    ``src``/``tgt`` are sentence ids; ``score`` in [0, 1]; ``reason`` is a short explanation.
    A reviewer's crossing link (:attr:`Alignment.links`) has score 1.
    """

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float
    reason: str = ""


@dataclass
class Alignment:
    """The result of aligning a source document to a target document.

    ``params`` are the aligner's settings it was made with
    (:meth:`aligner.align.AlignConfig.to_params`); ``fidelity`` the part of the fidelity
    context fitted on its beads (:meth:`aligner.fidelity.FidelityContext.frozen`), kept with
    it so that later flags of a bead depend on that bead alone.
    """

    beads: list[Bead]
    crossings: list[Crossing] = field(default_factory=list)
    encoder: str = ""
    params: dict = field(default_factory=dict)
    fidelity: dict = field(default_factory=dict)
    #: For a stored alignment: crossing links made by reviewers, and facts about the
    #: alignment in the store (id, version, state) that exports name.
    links: list[Crossing] = field(default_factory=list)
    info: dict = field(default_factory=dict)
