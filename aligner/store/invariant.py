"""The store's invariant and the checks edits rely on: every sentence of both documents in
exactly one bead of the alignment, no empty bead, beads in document order on both sides; and a
document re-segmented only when no other alignment uses it."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aligner.store.errors import InvariantError, NotFoundError
from aligner.store.models import AlignmentRow, BeadRow, BeadSentence, SentenceRow
from aligner.store.regions import _EDGE, _ORDS, _SENTENCE_COUNT, read_beads, run

B, BS, S = BeadRow, BeadSentence, SentenceRow


def require_sole_user(session: Session, alignment_id: int, document_id: int,
                      what: str = "re-segmenting") -> None:
    """InvariantError if another alignment uses the document (re-segmenting it here
    would silently change that alignment too); ``what`` names the edit in the message."""
    others = session.scalars(select(AlignmentRow.id).where(
        AlignmentRow.id != alignment_id,
        (AlignmentRow.src_document_id == document_id)
        | (AlignmentRow.tgt_document_id == document_id)).order_by(AlignmentRow.id)).all()
    if others:
        raise InvariantError(
            f"document {document_id} is also used by alignment(s) "
            f"{', '.join(map(str, others))}; {what} it would change them too")


# --- invariant -----------------------------------------------------------------------

def _docs(session: Session, alignment_id: int) -> dict[str, int]:
    al = session.get(AlignmentRow, alignment_id)
    if al is None:
        raise NotFoundError(f"alignment {alignment_id} not found")
    return {"src": al.src_document_id, "tgt": al.tgt_document_id}


def check_region(session: Session, alignment_id: int, start: int, length: int) -> None:
    """Check the invariant for beads ``[start, start+length)`` given that the rest of the
    alignment was valid: no empty bead, and on each side the region's sentences are
    exactly the ones between the previous beads' last and the next beads' first."""
    docs = _docs(session, alignment_id)
    beads = read_beads(session, alignment_id, start, start + length)
    if len(beads) != length:
        raise InvariantError(f"alignment {alignment_id}: expected {length} beads at {start}")
    for b in beads:
        if not b["src"] and not b["tgt"]:
            raise InvariantError(f"bead {b['id']} would be empty")
    for side, doc in docs.items():
        ids = [sid for b in beads for sid in b[side]]
        rows = run(session, _ORDS, {"ids": ids}).all() if ids else []
        ords = {r.id: r.ord for r in rows}
        if {r.document_id for r in rows} - {doc}:
            raise InvariantError(f"a {side} sentence of the edit is not in document {doc}")
        # The rest is in document order, so the last sentence before the region is that
        # of the nearest earlier bead holding one (and likewise after): _EDGE walks the
        # position index outwards and stops at the first hit, instead of a MAX/MIN over
        # the whole head or tail of the alignment.
        where = {"aid": alignment_id, "side": side, "start": start, "stop": start + length}
        prev = run(session, _EDGE["prev"], where).scalar()
        nxt = run(session, _EDGE["next"], where).scalar()
        if nxt is None:
            nxt = run(session, _SENTENCE_COUNT, {"doc": doc}).scalar()
        want = list(range(0 if prev is None else prev + 1, nxt))
        got = [ords[i] for i in ids]
        if got != want:
            raise InvariantError(
                f"alignment {alignment_id}: {side} sentences {got[:6]} in beads "
                f"{start}..{start + length - 1} should be {want[:6]} (order/coverage)")


def check_invariant(session: Session, alignment_id: int) -> None:
    """Full check: positions 0..n-1; no empty bead; on each side the sentences, read in
    bead order, are exactly the document's sentences in order, each once, from the right
    document; in-bead ``ord`` is 0..k-1. Raises InvariantError (or NotFoundError)."""
    docs = _docs(session, alignment_id)
    positions = session.scalars(select(B.position).where(B.alignment_id == alignment_id)
                                .order_by(B.position)).all()
    if list(positions) != list(range(len(positions))):
        raise InvariantError(f"alignment {alignment_id}: bead positions are not 0..{len(positions) - 1}")
    rows = session.execute(
        select(B.position, BS.side, BS.ord, S.ord.label("sord"), S.document_id)
        .select_from(BS).join(B, B.id == BS.bead_id).join(S, S.id == BS.sentence_id)
        .where(B.alignment_id == alignment_id)
        .order_by(B.position, BS.side, BS.ord)).all()
    seen_pos = set()
    seq: dict[str, list[int]] = {"src": [], "tgt": []}
    last_key, k = None, 0
    for r in rows:
        seen_pos.add(r.position)
        key = (r.position, r.side)
        k = k + 1 if key == last_key else 0
        last_key = key
        if r.ord != k:
            raise InvariantError(f"bead at position {r.position}: {r.side} order is not 0..n-1")
        if r.document_id != docs[r.side]:
            raise InvariantError(f"bead at position {r.position} holds a {r.side} sentence "
                                 f"of document {r.document_id}, not {docs[r.side]}")
        seq[r.side].append(r.sord)
    if len(seen_pos) != len(positions):
        empty = sorted(set(positions) - seen_pos)[:5]
        raise InvariantError(f"alignment {alignment_id}: empty bead(s) at position(s) {empty}")
    for side, doc in docs.items():
        n = session.scalar(select(func.count()).select_from(S).where(S.document_id == doc))
        if seq[side] != list(range(n)):
            raise InvariantError(
                f"alignment {alignment_id}: {side} sentences are not each in exactly one bead "
                f"in document order ({len(seq[side])} placed of {n})")
