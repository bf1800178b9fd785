"""The whole alignment at a glance, and search inside it: what the page's overview strip
and its ``/`` search read.

:func:`overview` gives every bead in a few compact arrays (a 5,000-bead book is ~60 kB of
JSON): the score as a percentage, the status as one letter, and a bit mask of what makes a
bead worth a look. :func:`find_in_alignment` gives the positions of the beads whose text
holds a phrase (case- and accent-insensitive), for jumping from hit to hit.
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aligner.store.errors import InvariantError, NotFoundError
from aligner.store.models import AlignmentRow, BeadRow, BeadSentence, Note, SentenceRow
from aligner.store.service.queue import LOW_CONFIDENCE, _crossing_beads

#: Bits of :func:`overview`'s ``marks``.
FLAGGED, LOW, CROSSING, NON_1_1, NOTED, MANUAL = 1, 2, 4, 8, 16, 32
MARK_BITS = {"flagged": FLAGGED, "low-confidence": LOW, "crossing": CROSSING,
             "non-1-1": NON_1_1, "notes": NOTED, "manual": MANUAL}
STATUS_LETTER = {"unreviewed": "u", "confirmed": "c", "rejected": "r"}
#: Most positions :func:`find_in_alignment` returns.
MAX_HITS = 10_000


def _alignment(session: Session, alignment_id: int) -> AlignmentRow:
    row = session.get(AlignmentRow, alignment_id)
    if row is None:
        raise NotFoundError(f"alignment {alignment_id} not found")
    return row


def overview(session: Session, alignment_id: int) -> dict:
    """Every bead, in position order, as ``{"alignment_id", "version", "total",
    "scores": [0..100 per bead], "status": "uucr…" (u/c/r per bead), "marks": [bit mask per
    bead], "bits": {name: bit}}``. A bead is low-confidence as in the review queue (not
    confirmed, and score below :data:`~aligner.store.service.LOW_CONFIDENCE` or flagged so);
    "flagged" means any flag but low-confidence. Five queries whatever the size.
    Raises NotFoundError."""
    a = _alignment(session, alignment_id)
    rows = session.execute(select(BeadRow.id, BeadRow.score, BeadRow.status, BeadRow.flags,
                                  BeadRow.origin).where(BeadRow.alignment_id == alignment_id)
                           .order_by(BeadRow.position)).all()
    sides: dict[int, list[int]] = {}
    for bid, side, n in session.execute(
            select(BeadSentence.bead_id, BeadSentence.side, func.count())
            .where(BeadSentence.alignment_id == alignment_id)
            .group_by(BeadSentence.bead_id, BeadSentence.side)):
        sides.setdefault(bid, [0, 0])[0 if side == "src" else 1] = n
    crossing = _crossing_beads(session, alignment_id, [BeadRow.alignment_id == alignment_id])
    noted = set(session.scalars(select(Note.bead_id).where(Note.alignment_id == alignment_id,
                                                           Note.bead_id.is_not(None))))
    marks = []
    for bid, score, status, flags, origin in rows:
        flags = list(flags or [])
        m = 0
        if any(f != "low-confidence" for f in flags):
            m |= FLAGGED
        if status != "confirmed" and (score < LOW_CONFIDENCE or "low-confidence" in flags):
            m |= LOW
        if bid in crossing or any(f.startswith("crossing") for f in flags):
            m |= CROSSING
        if sides.get(bid, [0, 0]) != [1, 1]:
            m |= NON_1_1
        if bid in noted:
            m |= NOTED
        if origin == "manual":
            m |= MANUAL
        marks.append(m)
    return {"alignment_id": alignment_id, "version": a.version, "total": len(rows),
            "scores": [max(0, min(100, round(r.score * 100))) for r in rows],
            "status": "".join(STATUS_LETTER.get(r.status, "u") for r in rows),
            "marks": marks, "bits": dict(MARK_BITS)}


def _fold(text: str) -> str:
    """Case- and accent-insensitive form (ё matches е, é matches e)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def find_in_alignment(session: Session, alignment_id: int, phrase: str,
                      side: str | None = None) -> dict:
    """Positions of the beads whose source or target text (or only ``side``'s: "src",
    "tgt") holds ``phrase``, case- and accent-insensitive, in order: ``{"alignment_id",
    "version", "q", "positions": [...], "total", "truncated"}`` (at most
    :data:`MAX_HITS` positions). Raises NotFoundError, InvariantError (blank phrase,
    unknown side)."""
    needle = _fold(" ".join((phrase or "").split()))
    if not needle:
        raise InvariantError("give some text to find")
    if side not in (None, "src", "tgt"):
        raise InvariantError(f"side must be src or tgt, not {side!r}")
    a = _alignment(session, alignment_id)
    q = (select(BeadRow.position, SentenceRow.text)
         .join(BeadSentence, BeadSentence.bead_id == BeadRow.id)
         .join(SentenceRow, SentenceRow.id == BeadSentence.sentence_id)
         .where(BeadRow.alignment_id == alignment_id))
    if side:
        q = q.where(BeadSentence.side == side)
    hits = sorted({pos for pos, text in session.execute(q) if needle in _fold(" ".join(text.split()))})
    return {"alignment_id": alignment_id, "version": a.version, "q": phrase,
            "positions": hits[:MAX_HITS], "total": len(hits), "truncated": len(hits) > MAX_HITS}
