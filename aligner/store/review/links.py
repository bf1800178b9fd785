"""Crossing (out-of-order) links recorded by reviewers, outside the monotone beads."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from aligner.store.errors import InvariantError, NotFoundError
from aligner.store.models import BeadRow, BeadSentence, CrossingRow, utcnow
from aligner.store.regions import read_links
from aligner.store.review.transaction import (
    EditResult,
    _edit,
    _single_regions,
    _user,
)


def _membership(session: Session, alignment_id: int, sentence_ids: Sequence[int], side: str) -> list[int]:
    """Positions of the beads holding these ``side`` sentences (InvariantError if one is
    not a ``side`` sentence of this alignment)."""
    rows = session.execute(
        select(BeadSentence.sentence_id, BeadRow.position).join(BeadRow, BeadRow.id == BeadSentence.bead_id)
        .where(BeadSentence.alignment_id == alignment_id, BeadSentence.side == side,
               BeadSentence.sentence_id.in_(list(sentence_ids)))).all()
    found = {r.sentence_id for r in rows}
    missing = [s for s in sentence_ids if s not in found]
    if missing:
        raise InvariantError(f"sentence(s) {missing} are not {side} sentences of alignment {alignment_id}")
    return [r.position for r in rows]


def link_crossing(session: Session, alignment_id: int, expected_version: int,
                  crossing_id: int | None = None, *, src_sentence_ids: Sequence[int] = (),
                  tgt_sentence_ids: Sequence[int] = (), user: str) -> EditResult:
    """Record a crossing (out-of-order) link between source and target sentences,
    either a stored crossing candidate (``crossing_id``) or explicit sentence ids, and
    flag the beads holding them with ``"crossing-link"``. The monotone beads are not
    changed. InvariantError if a side is empty, a sentence is not in this alignment, or
    the same link exists already."""
    who = _user(user)

    def build():
        src, tgt = list(dict.fromkeys(src_sentence_ids)), list(dict.fromkeys(tgt_sentence_ids))
        if crossing_id is not None:
            c = session.get(CrossingRow, crossing_id)
            if c is None or c.alignment_id != alignment_id:
                raise NotFoundError(f"crossing {crossing_id} not found in alignment {alignment_id}")
            src, tgt = list(c.src_sentence_ids), list(c.tgt_sentence_ids)
        if not src or not tgt:
            raise InvariantError("a crossing link needs source and target sentences")
        links = read_links(session, alignment_id)
        if any(sorted(l["src"]) == sorted(src) and sorted(l["tgt"]) == sorted(tgt) for l in links):
            raise InvariantError(f"sentences {src} ↔ {tgt} are already linked")
        positions = _membership(session, alignment_id, src, "src") + \
            _membership(session, alignment_id, tgt, "tgt")
        link = {"id": None, "crossing_id": crossing_id, "src": src, "tgt": tgt, "user": who,
                "created": utcnow().isoformat()}
        # The beads stay as they are; the edit's flag refresh adds "crossing-link".
        old, new = _single_regions(session, alignment_id, positions, lambda b: None)
        old["links"], new["links"] = [], [link]
        return old, new

    return _edit(session, alignment_id, expected_version, user, "link-crossing", build)


def unlink_crossing(session: Session, alignment_id: int, expected_version: int, link_id: int,
                    *, user: str) -> EditResult:
    """Remove a crossing link (and the ``"crossing-link"`` flag from beads no longer
    holding a linked sentence). NotFoundError for an unknown link."""

    def build():
        links = read_links(session, alignment_id)
        link = next((l for l in links if l["id"] == link_id), None)
        if link is None:
            raise NotFoundError(f"crossing link {link_id} not found in alignment {alignment_id}")
        positions = _membership(session, alignment_id, link["src"], "src") + \
            _membership(session, alignment_id, link["tgt"], "tgt")
        old, new = _single_regions(session, alignment_id, positions, lambda b: None)
        old["links"], new["links"] = [link], []
        return old, new

    return _edit(session, alignment_id, expected_version, user, "unlink-crossing", build)
