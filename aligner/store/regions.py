"""The edit engine: snapshot a region of an alignment, replace it, check the invariant.

Every review operation is expressed as *replace state A by state B*, where a state is::

    {"regions": [{"start": 4, "beads": [bead, ...]}, ...],   # beads at positions 4, 5, ...
     "sentences": {"document_id": 2, "start_ord": 17, "rows": [sentence, ...]},  # optional
     "links": [link, ...],                                    # crossing links touched
     "adaptation": {...} or None}  # optional: the alignment's params["adaptation"] (re-align)

    bead     = {"id", "status", "score", "origin", "flags", "reviewer", "src": [sentence id],
                "tgt": [sentence id], "notes": [note id]}
    sentence = {"id", "text", "start", "end", "raw_start", "raw_end", "page", "paragraph",
                "original"}
    link     = {"id", "crossing_id", "src": [sentence id], "tgt": [...], "user", "created"}

The edit log stores A as ``before`` and B as ``after``; undo applies after→before and
redo before→after, so both restore rows exactly (same ids). New rows carry ``id: None``
(beads, links) or a negative placeholder (sentences, so beads can refer to them); ids are
allocated on first application and written back into B. Several regions are allowed only
when none changes size (status and flag edits); positions and ords are shifted with a
two-phase update so the UNIQUE(position) / UNIQUE(ord) constraints hold at every row.
Notes are not part of the compared state (adding a note does not bump the version): they
follow their bead, and a note on a bead that disappears moves to the bead that now holds
that bead's first sentence. States logged before a key existed ("reviewer", "original")
read it as None.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from aligner.store.errors import InvariantError, NotFoundError
from aligner.store.models import (
    AlignmentRow,
    BeadRow,
    BeadSentence,
    CrossingLink,
    DocumentRow,
    Note,
    SentenceRow,
    as_utc,
)

B, BS, S = BeadRow, BeadSentence, SentenceRow


# --- prebuilt statements -------------------------------------------------------------
# The statements run on every edit are built once, with bind parameters, and executed on
# the session's connection (same transaction): building a SQLAlchemy statement and its
# cache key costs several times more than SQLite takes to run it (~150 vs ~20 µs).

def run(session: Session, statement, params=None) -> CursorResult:
    """Execute a prebuilt Core/ORM-column statement in the session's transaction."""
    return session.connection().execute(statement, params if params is not None else {})


def _ids(name: str = "ids"):
    return bindparam(name, expanding=True)


_AID, _START, _STOP = bindparam("aid"), bindparam("start"), bindparam("stop")
_IN_RANGE = (B.alignment_id == _AID, B.position >= _START, B.position < _STOP)
_BEAD_COUNT = select(func.count()).select_from(B).where(B.alignment_id == _AID)
_POSITION_OF = select(B.position).where(B.id == bindparam("bead"), B.alignment_id == _AID)
_READ_BEADS = (select(B.id, B.position, B.status, B.score, B.origin, B.flags, B.reviewer)
               .where(*_IN_RANGE).order_by(B.position))
_READ_MEMBERS = (select(BS.bead_id, BS.side, BS.sentence_id).join(B, B.id == BS.bead_id)
                 .where(*_IN_RANGE).order_by(BS.bead_id, BS.side, BS.ord))
_READ_NOTES = (select(Note.id, Note.bead_id).join(B, B.id == Note.bead_id)
               .where(*_IN_RANGE).order_by(Note.id))
_NOTES_OF = select(Note.id, Note.bead_id).where(Note.bead_id.in_(_ids())).order_by(Note.id)
_DELETE_MEMBERS = delete(BS).where(BS.bead_id.in_(_ids()))
_INSERT_MEMBERS = insert(BS)
_DELETE_BEADS = delete(B).where(B.id.in_(_ids()))
_INSERT_BEAD = insert(B)
_UPDATE_BEAD = update(B).where(B.id == bindparam("bead_id"))  # SET from the parameters
_EDGE = {  # ord of the last sentence before / first after a region, on one side
    order: select(S.ord).select_from(B).join(BS, B.id == BS.bead_id).join(S, S.id == BS.sentence_id)
    .where(B.alignment_id == _AID, BS.side == bindparam("side"), cond)
    .order_by(*by).limit(1)
    for order, cond, by in (
        ("prev", B.position < _START, (B.position.desc(), BS.ord.desc())),
        ("next", B.position >= _STOP, (B.position, BS.ord)))}
_ORDS = select(S.id, S.ord, S.document_id).where(S.id.in_(_ids()))
_SENTENCE_COUNT = select(func.count()).select_from(S).where(S.document_id == bindparam("doc"))


def _shift_statements(col, parent_col) -> tuple:
    """(negate rows by id, move the tail out to negative, move it back shifted by delta)."""
    table = col.class_
    return (update(table).where(table.id.in_(_ids())).values({col.key: -col - 1}),
            update(table).where(parent_col == bindparam("parent"), col >= bindparam("end"))
            .values({col.key: -col - 1}),
            update(table).where(parent_col == bindparam("parent"), col <= bindparam("neg_end"))
            .values({col.key: -col - 1 + bindparam("delta")}))


_SHIFT = {"bead": _shift_statements(B.position, B.alignment_id),
          "sentence": _shift_statements(S.ord, S.document_id)}


# --- reading -------------------------------------------------------------------------

def bead_count(session: Session, alignment_id: int) -> int:
    """Number of beads of the alignment."""
    return run(session, _BEAD_COUNT, {"aid": alignment_id}).scalar()


def position_of(session: Session, alignment_id: int, bead_id: int) -> int:
    """Position of a bead of this alignment; NotFoundError if it is not one."""
    pos = run(session, _POSITION_OF, {"bead": bead_id, "aid": alignment_id}).scalar()
    if pos is None:
        raise NotFoundError(f"bead {bead_id} not found in alignment {alignment_id}",
                            bead_ids=(bead_id,))
    return pos


def read_beads(session: Session, alignment_id: int, start: int, stop: int) -> list[dict]:
    """Bead dicts for positions ``[start, stop)`` in order."""
    where = {"aid": alignment_id, "start": start, "stop": stop}
    rows = run(session, _READ_BEADS, where).all()
    beads = {r.id: {"id": r.id, "status": r.status, "score": r.score, "origin": r.origin,
                    "flags": list(r.flags or []), "reviewer": r.reviewer, "src": [], "tgt": [],
                    "notes": []}
             for r in rows}
    if [r.position for r in rows] != list(range(start, start + len(rows))):
        raise InvariantError(f"alignment {alignment_id}: bead positions are not contiguous")
    for m in run(session, _READ_MEMBERS, where):
        beads[m.bead_id][m.side].append(m.sentence_id)
    notes = run(session, _READ_NOTES, where).all()
    for n in notes:
        beads[n.bead_id]["notes"].append(n.id)
    return [beads[r.id] for r in rows]


def read_sentences(session: Session, document_id: int, start_ord: int, stop_ord: int) -> list[dict]:
    """Sentence dicts for ords ``[start_ord, stop_ord)`` of a document, in order."""
    rows = session.scalars(select(S).where(S.document_id == document_id, S.ord >= start_ord,
                                           S.ord < stop_ord).order_by(S.ord)).all()
    return [sentence_dict(r) for r in rows]


def sentence_dict(r: SentenceRow) -> dict:
    return {"id": r.id, "text": r.text, "start": r.start_char, "end": r.end_char,
            "raw_start": r.raw_start, "raw_end": r.raw_end, "page": r.page,
            "paragraph": r.paragraph, "original": r.original_text}


def read_links(session: Session, alignment_id: int, link_ids=None) -> list[dict]:
    """Crossing-link dicts (all of the alignment, or those with ``link_ids``), by id."""
    q = select(CrossingLink).where(CrossingLink.alignment_id == alignment_id)
    if link_ids is not None:
        q = q.where(CrossingLink.id.in_(list(link_ids)))
    return [link_dict(r) for r in session.scalars(q.order_by(CrossingLink.id))]


def link_dict(r: CrossingLink) -> dict:
    return {"id": r.id, "crossing_id": r.crossing_id, "src": list(r.src_sentence_ids),
            "tgt": list(r.tgt_sentence_ids), "user": r.user, "created": as_utc(r.created).isoformat()}


def _comparable(state: dict) -> dict:
    regions = [{"start": r["start"],
                "beads": [{"reviewer": None, **{k: v for k, v in b.items() if k != "notes"}}
                          for b in r["beads"]]}
               for r in state["regions"]]
    sentences = state.get("sentences")
    if sentences:
        sentences = {**sentences, "rows": [{"original": None, **r} for r in sentences["rows"]]}
    return {"regions": regions, "sentences": sentences,
            "links": sorted(state.get("links", []), key=lambda l: l["id"])}


def read_state_like(session: Session, alignment_id: int, like: dict) -> dict:
    """The current state of the same regions / sentences / links as ``like``."""
    regions = [{"start": r["start"],
                "beads": read_beads(session, alignment_id, r["start"], r["start"] + len(r["beads"]))}
               for r in like["regions"]]
    out: dict = {"regions": regions}
    if like.get("sentences"):
        sp = like["sentences"]
        out["sentences"] = {"document_id": sp["document_id"], "start_ord": sp["start_ord"],
                            "rows": read_sentences(session, sp["document_id"], sp["start_ord"],
                                                   sp["start_ord"] + len(sp["rows"]))}
    ids = [l["id"] for l in like.get("links", [])]
    out["links"] = read_links(session, alignment_id, ids) if ids else []
    return out


def verify_state(session: Session, alignment_id: int, expected: dict) -> None:
    """InvariantError unless the alignment currently holds ``expected`` (notes aside)."""
    if _comparable(read_state_like(session, alignment_id, expected)) != _comparable(expected):
        raise InvariantError(f"alignment {alignment_id} no longer matches the logged edit; "
                             "it cannot be undone/redone safely")


# --- writing -------------------------------------------------------------------------

def _moving(old_ids: list, new_ids: list) -> list[int]:
    """Ids kept from ``old_ids`` whose index in ``new_ids`` differs (they change place)."""
    where = {i: k for k, i in enumerate(new_ids) if i is not None}
    return [i for k, i in enumerate(old_ids) if i in where and where[i] != k]


def _shift(session: Session, kind: str, parent_id: int, region_start: int,
           old_len: int, delta: int, moving_ids: list[int]) -> None:
    """Free positions for a region replacement: kept region rows that change place go
    negative, the tail moves by ``delta`` (two phases, so no row ever collides with
    another). ``kind``: ``"bead"`` (positions) or ``"sentence"`` (ords).

    Kept rows staying at their place need no move: no other row is given their place."""
    negate, tail_out, tail_in = _SHIFT[kind]
    end = region_start + old_len
    if moving_ids:
        run(session, negate, {"ids": moving_ids})
    if delta:
        run(session, tail_out, {"parent": parent_id, "end": end})
        run(session, tail_in, {"parent": parent_id, "neg_end": -end - 1, "delta": delta})


def _apply_sentences(session: Session, old: dict, new: dict) -> dict[int, int]:
    """Replace a run of sentences; return placeholder→real id for new rows."""
    doc, start = new["document_id"], new["start_ord"]
    # Caches of what follows from the texts (fidelity context) key on the revision.
    session.execute(update(DocumentRow).where(DocumentRow.id == doc)
                    .values(revision=DocumentRow.revision + 1))
    new_ids = {r["id"] for r in new["rows"] if r["id"] > 0}
    removed = [r["id"] for r in old["rows"] if r["id"] not in new_ids]
    kept = [r["id"] for r in old["rows"] if r["id"] in new_ids]
    if removed:
        session.execute(delete(S).where(S.id.in_(removed)))
    _shift(session, "sentence", doc, start, len(old["rows"]), len(new["rows"]) - len(old["rows"]),
           _moving([r["id"] for r in old["rows"]], [r["id"] for r in new["rows"]]))
    mapping: dict[int, int] = {}
    existing = set(kept)
    for i, r in enumerate(new["rows"]):
        values = {"document_id": doc, "ord": start + i, "text": r["text"], "start_char": r["start"],
                  "end_char": r["end"], "raw_start": r["raw_start"], "raw_end": r["raw_end"],
                  "page": r["page"], "paragraph": r["paragraph"],
                  "original_text": r.get("original")}
        if r["id"] in existing:
            session.execute(update(S).where(S.id == r["id"]).values(values))
        elif r["id"] > 0:  # redo: re-create with its old id
            session.execute(insert(S).values(id=r["id"], **values))
        else:
            mapping[r["id"]] = session.execute(insert(S).values(values)).inserted_primary_key[0]
    return mapping


def _apply_region(session: Session, alignment_id: int, old: dict, new: dict) -> None:
    start = new["start"]
    new_ids = {b["id"] for b in new["beads"] if b["id"] is not None}
    removed = [b["id"] for b in old["beads"] if b["id"] not in new_ids]
    kept = [b["id"] for b in old["beads"] if b["id"] in new_ids]
    if removed:
        run(session, _DELETE_BEADS, {"ids": removed})
    old_ids, new_ids_in_order = [b["id"] for b in old["beads"]], [b["id"] for b in new["beads"]]
    _shift(session, "bead", alignment_id, start, len(old["beads"]),
           len(new["beads"]) - len(old["beads"]), _moving(old_ids, new_ids_in_order))
    before = {b["id"]: (start + k, b["status"], b["score"], b["origin"], list(b["flags"]),
                        b.get("reviewer")) for k, b in enumerate(old["beads"])}
    existing = set(kept)
    for i, b in enumerate(new["beads"]):
        values = {"alignment_id": alignment_id, "position": start + i, "status": b["status"],
                  "score": b["score"], "origin": b["origin"], "flags": list(b["flags"]),
                  "reviewer": b.get("reviewer")}
        if b["id"] in existing:
            if before[b["id"]] != (start + i, b["status"], b["score"], b["origin"], values["flags"],
                                   values["reviewer"]):
                run(session, _UPDATE_BEAD, {"bead_id": b["id"], **values})
        elif b["id"] is not None:
            run(session, _INSERT_BEAD, {"id": b["id"], **values})
        else:
            b["id"] = run(session, _INSERT_BEAD, values).inserted_primary_key[0]


def apply_state(session: Session, alignment_id: int, old: dict, new: dict) -> dict:
    """Replace ``old`` (the current state of those regions) by ``new``.

    Returns ``new`` with allocated ids filled in (it is modified in place). Checks the
    invariant around every region that changed membership (InvariantError)."""
    from aligner.store.invariant import check_region, require_sole_user

    olds, news = old["regions"], new["regions"]
    if [r["start"] for r in olds] != [r["start"] for r in news]:
        raise ValueError("old and new regions must start at the same positions")
    resized = any(len(o["beads"]) != len(n["beads"]) for o, n in zip(olds, news))
    if resized and len(news) > 1:
        raise ValueError("only a single region may change its number of beads")
    old_bead_ids = [b["id"] for r in olds for b in r["beads"]]
    # Where each old bead's notes go if the bead disappears: its first sentence's bead.
    first_sentence = {b["id"]: (b["src"] + b["tgt"])[0] for r in olds for b in r["beads"]
                      if b["src"] or b["tgt"]}
    moving_notes = {n.id: n.bead_id for n in run(session, _NOTES_OF, {"ids": old_bead_ids})}
    # Regions whose beads keep their ids and sentences (status and flag edits) keep their
    # bead_sentence rows; the others' are deleted and written anew. Re-segmenting changes
    # sentence ids, so then every region is rewritten.
    def members(beads):
        return [(b["id"], b["src"], b["tgt"]) for b in beads]

    rewritten = [bool(new.get("sentences")) or members(o["beads"]) != members(n["beads"])
                 for o, n in zip(olds, news)]

    # 1. memberships and crossing links out
    # By bead id alone (the old beads are this alignment's): with an alignment_id term
    # too, SQLite may pick the (alignment_id, sentence_id) index and scan the alignment.
    out = [b["id"] for o, w in zip(olds, rewritten) if w for b in o["beads"]]
    if out:
        run(session, _DELETE_MEMBERS, {"ids": out})
    new_link_ids = {l["id"] for l in new.get("links", []) if l["id"] is not None}
    gone_links = [l["id"] for l in old.get("links", []) if l["id"] not in new_link_ids]
    if gone_links:
        session.execute(delete(CrossingLink).where(CrossingLink.id.in_(gone_links)))
    # 2. sentences
    mapping: dict[int, int] = {}
    if new.get("sentences"):
        require_sole_user(session, alignment_id, new["sentences"]["document_id"])
        mapping = _apply_sentences(session, old["sentences"], new["sentences"])
        for r in new["sentences"]["rows"]:
            r["id"] = mapping.get(r["id"], r["id"])
    remap = lambda ids: [mapping.get(i, i) for i in ids]  # noqa: E731
    # 3. beads, memberships back in
    for o, n in zip(olds, news):
        for b in n["beads"]:
            b["src"], b["tgt"] = remap(b["src"]), remap(b["tgt"])
        _apply_region(session, alignment_id, o, n)
    rows = [{"bead_id": b["id"], "alignment_id": alignment_id, "sentence_id": sid,
             "side": side, "ord": k}
            for n, w in zip(news, rewritten) if w for b in n["beads"] for side in ("src", "tgt")
            for k, sid in enumerate(b[side])]
    if rows:
        run(session, _INSERT_MEMBERS, rows)
    # 4. notes: listed in the new state → that bead; else stay if the bead survives;
    #    else → the bead now holding the vanished bead's first sentence.
    new_bead_ids = [b["id"] for n in news for b in n["beads"]]
    holder = {sid: b["id"] for n in news for b in n["beads"] for sid in b["src"] + b["tgt"]}
    listed = {nid: b["id"] for n in news for b in n["beads"] for nid in b.get("notes", [])}
    for nid, bead_id in moving_notes.items():
        if nid in listed:
            target = listed[nid]
        elif bead_id in set(new_bead_ids):
            target = bead_id
        else:
            fs = first_sentence.get(bead_id)
            target = holder.get(mapping.get(fs, fs), new_bead_ids[0] if new_bead_ids else None)
        if target != bead_id:
            session.execute(update(Note).where(Note.id == nid).values(bead_id=target))
    for nid, bead_id in listed.items():
        if nid not in moving_notes:
            session.execute(update(Note).where(Note.id == nid, Note.alignment_id == alignment_id)
                            .values(bead_id=bead_id))
    notes_now: dict[int, list[int]] = {}
    for nid, bead_id in run(session, _NOTES_OF, {"ids": new_bead_ids}):
        notes_now.setdefault(bead_id, []).append(nid)
    for n in news:
        for b in n["beads"]:
            b["notes"] = notes_now.get(b["id"], [])
    # 5. crossing links in
    for l in new.get("links", []):
        l["src"], l["tgt"] = remap(l["src"]), remap(l["tgt"])
        values = {"alignment_id": alignment_id, "crossing_id": l["crossing_id"],
                  "src_sentence_ids": l["src"], "tgt_sentence_ids": l["tgt"], "user": l["user"],
                  "created": datetime.fromisoformat(l["created"])}
        if l["id"] in {x["id"] for x in old.get("links", [])}:
            session.execute(update(CrossingLink).where(CrossingLink.id == l["id"]).values(values))
        elif l["id"] is not None:
            session.execute(insert(CrossingLink).values(id=l["id"], **values))
        else:
            l["id"] = session.execute(insert(CrossingLink).values(values)).inserted_primary_key[0]
    # 6. what the beads were made with: a re-align records the project's adaptation
    # (aligner.adapt), and its undo restores the record the beads before it were made with
    if "adaptation" in new:
        row = session.get(AlignmentRow, alignment_id)
        params = {k: v for k, v in (row.params or {}).items() if k != "adaptation"}
        row.params = params | ({"adaptation": new["adaptation"]} if new["adaptation"] else {})
    # 7. invariant around each region whose membership changed
    for o, n in zip(olds, news):
        if [(b["src"], b["tgt"]) for b in o["beads"]] != [(b["src"], b["tgt"]) for b in n["beads"]] \
                or new.get("sentences"):
            check_region(session, alignment_id, n["start"], len(n["beads"]))
    return new
