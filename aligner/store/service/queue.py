"""Reading beads for review: pages of beads (filtered), one bead, the review queue
(next bead of a kind), progress counts, crossing candidates and links.

Bead dicts (returned by :func:`list_beads`, :func:`get_bead`, :func:`next_bead`)::

    {"id": 17, "position": 4, "type": "2-1", "score": 0.83, "origin": "auto",
     "status": "unreviewed", "flags": ["low-confidence"], "notes": 0,
     "src": [{"id": 9, "ord": 4, "text": "...", "page": 2}, ...],  # + "original" if corrected
     "tgt": [{"id": 40, "ord": 4, "text": "...", "page": 1}]}
"""

from __future__ import annotations

import json
from typing import Literal

from sqlalchemy import String, case, cast, func, or_, select
from sqlalchemy.orm import Session, aliased

from aligner.store.errors import InvariantError, NotFoundError
from aligner.store.models import (
    AlignmentRow,
    BeadRow,
    BeadSentence,
    CrossingLink,
    CrossingRow,
    DocumentRow,
    Note,
    SentenceRow,
)
from aligner.store.service.common import _get, _iso
from aligner.types import kind_label

QueueKind = Literal["unreviewed", "low-confidence", "non-1-1", "flagged", "crossing"]
QUEUE_KINDS: tuple[str, ...] = ("unreviewed", "low-confidence", "non-1-1", "flagged", "crossing")
#: Filters accepted by list_beads: the queue kinds plus the statuses.
BEAD_FILTERS: tuple[str, ...] = QUEUE_KINDS + ("confirmed", "rejected", "manual")
#: A bead scoring below this (or flagged "low-confidence") is low-confidence.
LOW_CONFIDENCE = 0.5


def _crossing_beads(session: Session, alignment_id: int, where: list) -> set[int]:
    """Ids of the beads (among those matching ``where``) holding a sentence of a crossing
    candidate."""
    crossing_sentences = set()
    for src, tgt in session.execute(select(CrossingRow.src_sentence_ids, CrossingRow.tgt_sentence_ids)
                                    .where(CrossingRow.alignment_id == alignment_id)):
        crossing_sentences.update(src + tgt)
    if not crossing_sentences:
        return set()
    return set(session.scalars(
        select(BeadSentence.bead_id).join(BeadRow, BeadRow.id == BeadSentence.bead_id)
        .where(*where, BeadSentence.sentence_id.in_(list(crossing_sentences)))))


def _summaries(session: Session, alignment_id: int, lo: int | None = None,
               hi: int | None = None, *, where: tuple = (), limit: int | None = None) -> list[dict]:
    """Light rows for beads (all, or positions ``[lo, hi)``, or those matching the extra
    SQL conditions ``where``; the first ``limit`` in position order): id, position,
    status, origin, score, flags, sentence counts per side, whether a crossing candidate
    touches it."""
    conds = [BeadRow.alignment_id == alignment_id, *where]
    if lo is not None:
        conds.append(BeadRow.position >= lo)
    if hi is not None:
        conds.append(BeadRow.position < hi)
    q = (select(BeadRow.id, BeadRow.position, BeadRow.status, BeadRow.origin, BeadRow.score,
                BeadRow.flags).where(*conds).order_by(BeadRow.position))
    rows = session.execute(q if limit is None else q.limit(limit)).all()
    if not rows:
        return []
    if limit is not None:  # the same rows, for the joins below
        conds.append(BeadRow.position <= rows[-1].position)
    counts: dict[int, list[int]] = {}
    for bid, side, n in session.execute(
            select(BeadSentence.bead_id, BeadSentence.side, func.count())
            .join(BeadRow, BeadRow.id == BeadSentence.bead_id).where(*conds)
            .group_by(BeadSentence.bead_id, BeadSentence.side)):
        counts.setdefault(bid, [0, 0])[0 if side == "src" else 1] = n
    in_crossing = _crossing_beads(session, alignment_id, conds)
    return [{"id": r.id, "position": r.position, "status": r.status, "origin": r.origin,
             "score": r.score, "flags": list(r.flags or []), "n": counts.get(r.id, [0, 0]),
             "crossing": r.id in in_crossing} for r in rows]


def _side_count(side: str):
    """Correlated subquery: the bead's number of ``side`` sentences."""
    bs = aliased(BeadSentence)  # not correlated with a bead_sentence of the outer query
    return (select(func.count()).select_from(bs).where(bs.bead_id == BeadRow.id, bs.side == side)
            .correlate(BeadRow).scalar_subquery())


def _narrowing(session: Session, alignment_id: int, kind: str) -> tuple:
    """SQL conditions selecting every bead that can match ``kind`` (and, for most kinds,
    only those): the reads of a queue or a filtered page then decode few rows.
    :func:`_matches` stays the definition; it re-checks each row (SQL ``LIKE`` on the
    stored JSON of the flags is only a superset: substring, and case-insensitive)."""
    flags = cast(BeadRow.flags, String)  # the stored JSON text (a real CAST: PostgreSQL has no LIKE on json)
    if kind == "unreviewed":
        return (BeadRow.status == "unreviewed",)
    if kind in ("confirmed", "rejected"):
        return (BeadRow.status == kind,)
    if kind == "manual":
        return (BeadRow.origin == "manual",)
    if kind == "low-confidence":
        return (BeadRow.status != "confirmed",
                or_(BeadRow.score < LOW_CONFIDENCE, flags.like("%low-confidence%")))
    if kind == "flagged":
        return (BeadRow.flags.is_not(None), flags.not_in(["[]", "null"]))
    if kind == "non-1-1":
        return (or_(_side_count("src") != 1, _side_count("tgt") != 1),)
    if kind == "crossing":
        ids = _crossing_beads(session, alignment_id, [BeadRow.alignment_id == alignment_id])
        return (or_(BeadRow.id.in_(sorted(ids)), flags.like("%crossing%")),)
    raise InvariantError(f"unknown filter {kind!r}; use one of {', '.join(BEAD_FILTERS)}")


def _matches(b: dict, kind: str) -> bool:
    flags = b["flags"]
    if kind == "unreviewed":
        return b["status"] == "unreviewed"
    if kind == "low-confidence":
        return b["status"] != "confirmed" and ("low-confidence" in flags or b["score"] < LOW_CONFIDENCE)
    if kind == "non-1-1":
        return b["n"] != [1, 1]
    if kind == "flagged":
        return bool(flags)
    if kind == "crossing":
        return b["crossing"] or any(f.startswith("crossing") for f in flags)
    if kind in ("confirmed", "rejected"):
        return b["status"] == kind
    if kind == "manual":
        return b["origin"] == "manual"
    raise InvariantError(f"unknown filter {kind!r}; use one of {', '.join(BEAD_FILTERS)}")


def _full(session: Session, alignment_id: int, summaries: list[dict]) -> list[dict]:
    """Bead dicts (module doc) for these summaries, with sentence texts."""
    ids = [b["id"] for b in summaries]
    if not ids:
        return []
    sent: dict[int, dict[str, list[dict]]] = {i: {"src": [], "tgt": []} for i in ids}
    for bid, side, sid, o, text, page, original in session.execute(
            select(BeadSentence.bead_id, BeadSentence.side, SentenceRow.id, SentenceRow.ord,
                   SentenceRow.text, SentenceRow.page, SentenceRow.original_text)
            .join(SentenceRow, SentenceRow.id == BeadSentence.sentence_id)
            .where(BeadSentence.bead_id.in_(ids))
            .order_by(BeadSentence.bead_id, BeadSentence.side, BeadSentence.ord)):
        sent[bid][side].append({"id": sid, "ord": o, "text": text, "page": page,
                                **({"original": original} if original is not None else {})})
    notes = dict(session.execute(select(Note.bead_id, func.count()).where(Note.bead_id.in_(ids))
                                 .group_by(Note.bead_id)).all())
    return [{"id": b["id"], "position": b["position"], "type": f"{b['n'][0]}-{b['n'][1]}",
             "score": b["score"], "origin": b["origin"], "status": b["status"],
             "flags": b["flags"], "notes": notes.get(b["id"], 0),
             "src": sent[b["id"]]["src"], "tgt": sent[b["id"]]["tgt"]} for b in summaries]


def get_bead(session: Session, alignment_id: int, bead_id: int) -> dict:
    """One bead dict (see module doc). Raises NotFoundError."""
    _get(session, AlignmentRow, alignment_id, "alignment")
    pos = session.scalar(select(BeadRow.position).where(BeadRow.id == bead_id,
                                                        BeadRow.alignment_id == alignment_id))
    match = [] if pos is None else _summaries(session, alignment_id, pos, pos + 1)
    if not match:
        raise NotFoundError(f"bead {bead_id} not found in alignment {alignment_id}")
    return _full(session, alignment_id, match)[0]


def list_beads(session: Session, alignment_id: int, offset: int = 0, limit: int = 50,
               filter: str | None = None) -> dict:
    """A page of beads in position order.

    Returns ``{"alignment_id", "version", "total" (beads matching the filter), "offset",
    "limit", "labels": {"src", "tgt"} (the documents' provenance labels: a page of beads
    read alone still says which side is a test reconstruction), "beads": [bead dict, ...]}``. ``filter`` is None or one of
    :data:`BEAD_FILTERS`. Raises NotFoundError, InvariantError (unknown filter,
    negative offset, limit outside 1..1000).
    """
    a = _get(session, AlignmentRow, alignment_id, "alignment")
    if offset < 0 or not 1 <= limit <= 1000:
        raise InvariantError("offset must be >= 0 and limit within 1..1000")
    if filter is not None and filter not in BEAD_FILTERS:
        raise InvariantError(f"unknown filter {filter!r}; use one of {', '.join(BEAD_FILTERS)}")
    if filter is None:  # page straight from the position index
        total = session.scalar(select(func.count()).select_from(BeadRow)
                               .where(BeadRow.alignment_id == alignment_id))
        page = _summaries(session, alignment_id, offset, offset + limit)
    else:
        rows = [b for b in _summaries(session, alignment_id,
                                      where=_narrowing(session, alignment_id, filter))
                if _matches(b, filter)]
        total, page = len(rows), rows[offset:offset + limit]
    kinds = dict(session.execute(select(DocumentRow.id, DocumentRow.kind).where(
        DocumentRow.id.in_((a.src_document_id, a.tgt_document_id)))).all())
    labels = {side: kind_label(kinds[doc_id])
              for side, doc_id in (("src", a.src_document_id), ("tgt", a.tgt_document_id))}
    return {"alignment_id": alignment_id, "version": a.version, "total": total,
            "offset": offset, "limit": limit, "labels": labels,
            "beads": _full(session, alignment_id, page)}


def progress(session: Session, alignment_id: int) -> dict:
    """Review progress: ``{"version", "beads", "unreviewed", "confirmed", "rejected",
    "manual", "low_confidence", "flagged", "crossing", "crossing_links",
    "types": {"1-1": n, ...}, "reviewed_fraction": float in [0, 1]}`` (reviewed =
    confirmed or rejected). Raises NotFoundError.

    Counted in SQL, grouped by everything :func:`_matches` looks at (status, origin,
    score below :data:`LOW_CONFIDENCE` or not, flags, sentences per side, crossing):
    an alignment has few such groups, so the page's refresh after every edit reads a
    few dozen rows, not one per bead."""
    a = _get(session, AlignmentRow, alignment_id, "alignment")
    per_side = (select(BeadSentence.bead_id,
                       func.sum(case((BeadSentence.side == "src", 1), else_=0)).label("n_src"),
                       func.sum(case((BeadSentence.side == "tgt", 1), else_=0)).label("n_tgt"))
                .where(BeadSentence.alignment_id == alignment_id)
                .group_by(BeadSentence.bead_id).subquery())
    crossing = sorted(_crossing_beads(session, alignment_id, [BeadRow.alignment_id == alignment_id]))
    # Flags grouped as their stored JSON text (PostgreSQL cannot compare json values).
    keys = (BeadRow.status, BeadRow.origin, BeadRow.score < LOW_CONFIDENCE, cast(BeadRow.flags, String),
            func.coalesce(per_side.c.n_src, 0), func.coalesce(per_side.c.n_tgt, 0),
            BeadRow.id.in_(crossing))
    groups = session.execute(
        select(*keys, func.count()).outerjoin(per_side, per_side.c.bead_id == BeadRow.id)
        .where(BeadRow.alignment_id == alignment_id).group_by(*keys)).all()
    # One representative bead per group, as _matches sees beads.
    reps = [({"status": status, "origin": origin, "score": 0.0 if low else LOW_CONFIDENCE,
              "flags": list(json.loads(flags) or []) if flags else [], "n": [int(n_src), int(n_tgt)], "crossing": bool(cross)}, n)
            for status, origin, low, flags, n_src, n_tgt, cross, n in groups]
    total = sum(n for _, n in reps)
    types: dict[str, int] = {}
    for b, n in reps:
        t = f"{b['n'][0]}-{b['n'][1]}"
        types[t] = types.get(t, 0) + n
    count = lambda kind: sum(n for b, n in reps if _matches(b, kind))  # noqa: E731
    links = session.scalar(select(func.count()).select_from(CrossingLink)
                           .where(CrossingLink.alignment_id == alignment_id))
    reviewed = count("confirmed") + count("rejected")
    return {"version": a.version, "beads": total, "unreviewed": count("unreviewed"),
            "confirmed": count("confirmed"), "rejected": count("rejected"),
            "manual": count("manual"), "low_confidence": count("low-confidence"),
            "flagged": count("flagged"), "crossing": count("crossing"), "crossing_links": links,
            "types": dict(sorted(types.items())),
            "reviewed_fraction": reviewed / total if total else 1.0}


#: Beads read at a time while looking for the next bead of a queue.
_QUEUE_CHUNK = 64


def next_bead(session: Session, alignment_id: int, after_position: int, kind: QueueKind,
              *, wrap: bool = True) -> dict | None:
    """The first bead after ``after_position`` matching ``kind`` (review queue).

    Use ``after_position=-1`` to start from the beginning. With ``wrap`` the search
    continues from the start. Returns None when no bead matches. Raises NotFoundError,
    InvariantError (unknown kind).

    Reads only candidates (:func:`_narrowing`), a few at a time from the position index,
    and stops at the first that matches."""
    _get(session, AlignmentRow, alignment_id, "alignment")
    if kind not in QUEUE_KINDS:
        raise InvariantError(f"unknown queue {kind!r}; use one of {', '.join(QUEUE_KINDS)}")
    narrow = _narrowing(session, alignment_id, kind)

    def first(lo: int, hi: int | None) -> dict | None:
        while True:
            rows = _summaries(session, alignment_id, lo, hi, where=narrow, limit=_QUEUE_CHUNK)
            hit = next((b for b in rows if _matches(b, kind)), None)
            if hit is not None or len(rows) < _QUEUE_CHUNK:
                return hit
            lo = rows[-1]["position"] + 1

    hit = first(after_position + 1, None)
    if hit is None and wrap:
        hit = first(0, after_position + 1)
    return None if hit is None else _full(session, alignment_id, [hit])[0]


def sentences_by_id(session: Session, ids: list[int]) -> dict[int, dict]:
    """``{id: {"id", "ord", "text", "page"}}`` of the sentences with these ids."""
    if not ids:
        return {}
    return {r.id: {"id": r.id, "ord": r.ord, "text": r.text, "page": r.page}
            for r in session.scalars(select(SentenceRow).where(SentenceRow.id.in_(ids)))}


def list_crossings(session: Session, alignment_id: int) -> list[dict]:
    """Crossing candidates, best first: ``{"id", "src": [sentence dict], "tgt": [...],
    "score", "reason", "src_bead_ids", "tgt_bead_ids", "linked": bool}`` (sentence dict
    = ``{"id", "ord", "text", "page"}``). Raises NotFoundError."""
    _get(session, AlignmentRow, alignment_id, "alignment")
    rows = session.scalars(select(CrossingRow).where(CrossingRow.alignment_id == alignment_id)
                           .order_by(CrossingRow.score.desc(), CrossingRow.id)).all()
    ids = sorted({i for c in rows for i in c.src_sentence_ids + c.tgt_sentence_ids})
    sents = sentences_by_id(session, ids)
    bead_of = dict(session.execute(select(BeadSentence.sentence_id, BeadSentence.bead_id).where(
        BeadSentence.alignment_id == alignment_id, BeadSentence.sentence_id.in_(ids))).all()) if ids else {}
    linked = set(session.scalars(select(CrossingLink.crossing_id).where(
        CrossingLink.alignment_id == alignment_id, CrossingLink.crossing_id.is_not(None))))
    return [{"id": c.id, "src": [sents[i] for i in c.src_sentence_ids if i in sents],
             "tgt": [sents[j] for j in c.tgt_sentence_ids if j in sents], "score": c.score,
             "reason": c.reason,
             "src_bead_ids": sorted({bead_of[i] for i in c.src_sentence_ids if i in bead_of}),
             "tgt_bead_ids": sorted({bead_of[j] for j in c.tgt_sentence_ids if j in bead_of}),
             "linked": c.id in linked} for c in rows]


def list_crossing_links(session: Session, alignment_id: int) -> list[dict]:
    """Links made by reviewers: ``{"id", "crossing_id", "src_sentence_ids",
    "tgt_sentence_ids", "user", "created"}``, by id. Raises NotFoundError."""
    _get(session, AlignmentRow, alignment_id, "alignment")
    return [{"id": l.id, "crossing_id": l.crossing_id, "src_sentence_ids": list(l.src_sentence_ids),
             "tgt_sentence_ids": list(l.tgt_sentence_ids), "user": l.user, "created": _iso(l.created)}
            for l in session.scalars(select(CrossingLink).where(CrossingLink.alignment_id == alignment_id)
                                     .order_by(CrossingLink.id))]
