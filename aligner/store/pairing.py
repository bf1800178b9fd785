"""The record pairing in the store: save a run of :mod:`aligner.pairing` (records,
candidate pairs with scores and evidence, the pairs chosen), read it for the pairing
view, and apply a reviewer's decision (confirm, reassign, mark untranslated).

A pair's alignment is the one the batch linked to it, else the newest alignment of its
two records' documents (an alignment made after a decision, by an API job).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from aligner.store.errors import InvariantError, NotFoundError
from aligner.store.models import AlignmentRow, DocumentRow, utcnow
from aligner.store.pairing_models import PairingPair, PairingRecord, PairingRun
from aligner.store.service.common import _get, _iso, _writing, in_chunks
from aligner.types import kind_label

ACTIONS = ("confirm", "reassign", "untranslated")
CHOSEN = ("proposed", "confirmed")


def save_pairing(session: Session, project_id: int, *, src_lang: str, tgt_lang: str, encoder: str,
                 params: dict, settings: dict, sources: list[dict], targets: list[dict],
                 pairs: list[dict]) -> tuple[int, dict[tuple[int, int], int]]:
    """Store one pairing run (one transaction).

    ``sources``/``targets``: records as :meth:`aligner.pairing.Entry.describe` gives them,
    each with its stored ``document_id``; ``pairs``: ``{"s", "t"}`` (indexes into those
    lists), ``score``, ``partial``, ``evidence``, ``status`` (``"proposed"`` or
    ``"candidate"``). Returns the run id and ``{(s, t): pair id}``.
    """
    with _writing(session):
        run = PairingRun(project_id=project_id, src_lang=src_lang, tgt_lang=tgt_lang,
                         encoder=encoder, params=params, settings=settings)
        session.add(run)
        session.flush()
        rows = {}
        for side, records in (("src", sources), ("tgt", targets)):
            for k, r in enumerate(records):
                row = PairingRecord(run_id=run.id, side=side, ord=k, file=r["file"], ref=r["ref"],
                                    title=(r.get("title") or "")[:1000], date=r.get("date"),
                                    start_char=r.get("start") or 0, end_char=r.get("end") or 0,
                                    document_id=r.get("document_id"))
                session.add(row)
                rows[side, k] = row
        session.flush()
        made = {}
        for p in pairs:
            made[p["s"], p["t"]] = PairingPair(
                run_id=run.id, src_record_id=rows["src", p["s"]].id, tgt_record_id=rows["tgt", p["t"]].id,
                score=float(p["score"]), partial=bool(p["partial"]), evidence=p.get("evidence") or {},
                status=p["status"], user="machine")
        session.add_all(made.values())
        session.flush()  # once for all pairs, as for the records above
        return run.id, {st: row.id for st, row in made.items()}


def link_alignment(session: Session, pair_id: int, alignment_id: int) -> None:
    """Record that ``alignment_id`` aligns pair ``pair_id``. Raises NotFoundError."""
    with _writing(session):
        _get(session, PairingPair, pair_id, "pair").alignment_id = alignment_id


def link_alignments(session: Session, links: dict[int, int]) -> int:
    """:func:`link_alignment` for many pairs (``{pair id: alignment id}``): their links are
    read in ``IN (...)`` lists (:func:`~aligner.store.service.common.in_chunks`), and only those that change are written (one
    transaction, one executemany). Returns how many changed. Raises NotFoundError (nothing
    written) if a pair is not in the store."""
    ids, linked = sorted(links), {}
    for part in in_chunks(ids):
        linked.update(session.execute(select(PairingPair.id, PairingPair.alignment_id)
                                      .where(PairingPair.id.in_(part))).all())
    missing = [i for i in ids if i not in linked]
    if missing:
        raise NotFoundError(f"pair {missing[0]} not found")
    changed = [{"id": i, "alignment_id": links[i]} for i in ids if linked[i] != links[i]]
    if changed:
        with _writing(session):  # ends the read transaction first
            session.execute(update(PairingPair), changed)
    return len(changed)


def list_runs(session: Session, project_id: int | None = None) -> list[dict]:
    """Pairing runs, newest first: id, project, languages, encoder, created, counts of
    source/target records and of chosen pairs."""
    query = select(PairingRun).order_by(PairingRun.id.desc())
    if project_id is not None:
        query = query.where(PairingRun.project_id == project_id)
    out = []
    for run in session.scalars(query):
        sides = session.execute(select(PairingRecord.side).where(PairingRecord.run_id == run.id)).scalars().all()
        chosen = session.scalars(select(PairingPair.id).where(
            PairingPair.run_id == run.id, PairingPair.status.in_(CHOSEN))).all()
        out.append(_summary(run, sides, len(chosen)))
    return out


def _summary(run: PairingRun, sides: list[str], chosen: int) -> dict:
    """A run's line in :func:`list_runs`, from its records' sides and its chosen pairs."""
    return {"id": run.id, "project_id": run.project_id, "src_lang": run.src_lang,
            "tgt_lang": run.tgt_lang, "encoder": run.encoder, "created": _iso(run.created),
            "sources": sides.count("src"), "targets": sides.count("tgt"), "pairs": chosen}


def _record(row: PairingRecord, kinds: dict[int, str] | None = None) -> dict:
    """A record as the view gives it; ``label`` from its document's provenance kind
    (``kinds``: document id -> kind), so that a test reconstruction is named as one."""
    kind = (kinds or {}).get(row.document_id, "other")
    return {"id": row.id, "side": row.side, "ord": row.ord, "file": row.file, "ref": row.ref,
            "title": row.title, "date": row.date, "start": row.start_char, "end": row.end_char,
            "document_id": row.document_id, "decision": row.decision,
            "label": kind_label(kind)}


def _alignment_of(session: Session, pair: PairingPair, docs: dict[int, int | None],
                  newest: dict[tuple[int, int], int] | None = None) -> int | None:
    """The pair's alignment: the one linked to it, else the newest of its documents
    (``newest``: ``{(source document, target document): alignment}`` if looked up already)."""
    if pair.alignment_id is not None:
        return pair.alignment_id
    src, tgt = docs.get(pair.src_record_id), docs.get(pair.tgt_record_id)
    if src is None or tgt is None:
        return None
    if newest is not None:
        return newest.get((src, tgt))
    return session.scalar(select(AlignmentRow.id).where(
        AlignmentRow.src_document_id == src, AlignmentRow.tgt_document_id == tgt)
        .order_by(AlignmentRow.id.desc()).limit(1))


def _newest_alignments(session: Session, src_docs: set[int]) -> dict[tuple[int, int], int]:
    """``{(source document, target document): newest alignment id}`` for these sources
    (one query, in chunks: a run may hold thousands of records)."""
    out: dict[tuple[int, int], int] = {}
    for part in in_chunks(sorted(src_docs)):
        for aid, src, tgt in session.execute(
                select(AlignmentRow.id, AlignmentRow.src_document_id, AlignmentRow.tgt_document_id)
                .where(AlignmentRow.src_document_id.in_(part))
                .order_by(AlignmentRow.id)):
            out[src, tgt] = aid
    return out


def pairing_view(session: Session, run_id: int) -> dict[str, Any]:
    """A run for the pairing view: ``run`` (as :func:`list_runs`), ``sources`` (each
    record with its ``candidates``: chosen pairs first, then by score; each with the
    target record, ``score``, ``partial``, ``evidence``, ``status``, ``alignment_id``)
    and ``unpaired_targets`` (targets in no chosen pair). Raises NotFoundError."""
    run = _get(session, PairingRun, run_id, "pairing run")
    records = session.scalars(select(PairingRecord).where(PairingRecord.run_id == run_id)
                              .order_by(PairingRecord.side, PairingRecord.ord)).all()
    by_id = {r.id: r for r in records}
    docs = {r.id: r.document_id for r in records}
    stored = sorted({d for d in docs.values() if d is not None})
    kinds = {i: kind for part in in_chunks(stored) for i, kind in
             session.execute(select(DocumentRow.id, DocumentRow.kind).where(DocumentRow.id.in_(part)))}
    pairs = session.scalars(select(PairingPair).where(PairingPair.run_id == run_id)).all()
    newest = _newest_alignments(session, {r.document_id for r in records
                                          if r.side == "src" and r.document_id is not None})
    per_source: dict[int, list[dict]] = {}
    paired_targets = set()
    for p in pairs:
        if p.status in CHOSEN:
            paired_targets.add(p.tgt_record_id)
        per_source.setdefault(p.src_record_id, []).append({
            "id": p.id, "target": _record(by_id[p.tgt_record_id], kinds), "score": p.score,
            "partial": p.partial, "evidence": p.evidence, "status": p.status, "user": p.user,
            "alignment_id": _alignment_of(session, p, docs, newest), "updated": _iso(p.updated)})
    rank = {"confirmed": 0, "proposed": 1, "candidate": 2, "rejected": 3}
    sources = []
    for r in records:
        if r.side == "src":
            cands = sorted(per_source.get(r.id, []), key=lambda c: (rank[c["status"]], -c["score"]))
            sources.append({**_record(r, kinds), "candidates": cands})
    meta = _summary(run, [r.side for r in records], sum(p.status in CHOSEN for p in pairs))
    return {"run": {**meta, "settings": run.settings, "params": run.params}, "sources": sources,
            "unpaired_targets": [_record(r, kinds) for r in records
                                 if r.side == "tgt" and r.id not in paired_targets]}


def decide(session: Session, run_id: int, record_id: int, action: str, target_id: int | None = None,
           *, user: str = "reviewer", seen_confirmed: Collection[int] | None = None,
           seen_untranslated: bool | None = None) -> dict[str, Any]:
    """Apply a reviewer's decision on source record ``record_id`` of run ``run_id``.

    ``confirm`` (target ``target_id``): the pair is right; pairs confirmed before stay
    confirmed (a record may have several renderings). ``reassign``: the pair with
    ``target_id`` is right and the pairs chosen before for this record are rejected, the
    confirmed ones too (what the reviewer asked; the result names them).
    ``untranslated``: no target renders this record; its chosen pairs are rejected.
    A pair not scored before is made (score 0, empty evidence). ``seen_confirmed``: the
    target record ids the reviewer saw confirmed for this record; if given and they are
    not the ones the store has (another reviewer decided since), nothing is changed and
    StaleDecisionError says what changed, so no confirmed pair is rejected unseen.
    ``seen_untranslated``: likewise, whether the reviewer saw the record marked untranslated.

    Returns ``{"align", "rejected"}``: ``align`` is, when a pair was confirmed that has
    no alignment yet, what to align (``{"pair_id", "src_document_id", "tgt_document_id",
    "partial", "settings", "project_id"}``), else None; ``rejected`` lists the pairs this
    decision rejected, each ``{"pair_id", "target_id", "was"}`` (``"proposed"`` or
    ``"confirmed"``) and ``"by"`` (who had set that status), in pair id order.

    Raises NotFoundError (run, record, target), InvariantError (bad action, a target
    missing or of the wrong side or run, a record without a stored document),
    StaleDecisionError (``seen_confirmed`` is out of date).
    """
    if action not in ACTIONS:
        raise InvariantError(f"unknown action {action!r}; use one of {', '.join(ACTIONS)}")
    run = _get(session, PairingRun, run_id, "pairing run")
    settings, project_id = dict(run.settings or {}), run.project_id
    with _writing(session):
        src = _get(session, PairingRecord, record_id, "record")
        if src.run_id != run_id or src.side != "src":
            raise InvariantError(f"record {record_id} is not a source record of pairing run {run_id}")
        mine = session.scalars(select(PairingPair).where(PairingPair.src_record_id == record_id)).all()
        _check_seen(session, src, mine, seen_confirmed, seen_untranslated)
        now = utcnow()
        if action == "untranslated":
            rejected = _reject(mine, None, user, now)
            src.decision = "untranslated"
            return {"align": None, "rejected": rejected}
        if target_id is None:
            raise InvariantError(f"{action} needs a target record")
        tgt = _get(session, PairingRecord, target_id, "record")
        if tgt.run_id != run_id or tgt.side != "tgt":
            raise InvariantError(f"record {target_id} is not a target record of pairing run {run_id}")
        pair = next((p for p in mine if p.tgt_record_id == target_id), None)
        if pair is None:
            pair = PairingPair(run_id=run_id, src_record_id=record_id, tgt_record_id=target_id,
                               score=0.0, partial=False, evidence={}, status="candidate")
            session.add(pair)
        rejected = _reject(mine, pair, user, now) if action == "reassign" else []
        pair.status, pair.user, pair.updated = "confirmed", user, now
        src.decision = ""
        session.flush()
        if _alignment_of(session, pair, {src.id: src.document_id, tgt.id: tgt.document_id}) is not None:
            return {"align": None, "rejected": rejected}
        if src.document_id is None or tgt.document_id is None:
            raise InvariantError("the records' documents are no longer in the store; run the batch again")
        return {"align": {"pair_id": pair.id, "src_document_id": src.document_id,
                          "tgt_document_id": tgt.document_id, "partial": pair.partial,
                          "settings": {**settings, "partial": bool(pair.partial or settings.get("partial"))},
                          "project_id": project_id},
                "rejected": rejected}


class StaleDecisionError(InvariantError):
    """A decision made on a view of a record's confirmed pairs that another reviewer has
    changed since (:func:`decide`'s ``seen_confirmed``): reload and decide again."""


def _check_seen(session: Session, src: PairingRecord, pairs: list[PairingPair],
                seen_confirmed: Collection[int] | None, seen_untranslated: bool | None) -> None:
    """StaleDecisionError naming what changed if the record is not as the reviewer saw it."""
    changes = []
    if seen_untranslated is not None and seen_untranslated != (src.decision == "untranslated"):
        changes.append("no longer marked untranslated" if seen_untranslated else "marked untranslated")
    confirmed = {p.tgt_record_id for p in pairs if p.status == "confirmed"}
    seen = set(seen_confirmed) if seen_confirmed is not None else confirmed
    if confirmed != seen:
        by_target = {p.tgt_record_id: p for p in pairs}
        names = {i: ref or file for i, ref, file in session.execute(
            select(PairingRecord.id, PairingRecord.ref, PairingRecord.file)
            .where(PairingRecord.id.in_(confirmed ^ seen))).all()}

        def said(ids):
            return ", ".join(f"{names.get(i, i)}" + (f" ({by_target[i].status} by {by_target[i].user})"
                                                   if i in by_target and by_target[i].user else "")
                             for i in sorted(ids))
        if confirmed - seen:
            changes.append(f"confirmed since: {said(confirmed - seen)}")
        if seen - confirmed:
            changes.append(f"no longer confirmed: {said(seen - confirmed)}")
    if changes:
        raise StaleDecisionError(f"record {src.id} changed since you loaded the page "
                                 f"({'; '.join(changes)}): reload and decide again")


def _reject(pairs: list[PairingPair], keep: PairingPair | None, user: str, now) -> list[dict]:
    """Reject the chosen pairs among ``pairs`` except ``keep``; what each was, for the
    caller to say (a confirmed pair rejected is a reviewer's decision undone)."""
    out = []
    for p in sorted(pairs, key=lambda p: p.id or 0):
        if p is not keep and p.status in CHOSEN:
            out.append({"pair_id": p.id, "target_id": p.tgt_record_id, "was": p.status, "by": p.user})
            p.status, p.user, p.updated = "rejected", user, now
    return out


def find_run(session: Session, project_id: int, fingerprint: str) -> int | None:
    """The newest run of project ``project_id`` whose ``params["fingerprint"]`` is
    ``fingerprint`` (the same records, encoder and parameters), or None."""
    for run in session.scalars(select(PairingRun).where(PairingRun.project_id == project_id)
                               .order_by(PairingRun.id.desc())):
        if (run.params or {}).get("fingerprint") == fingerprint:
            return run.id
    return None


def chosen_pairs(session: Session, run_id: int) -> list[tuple[int, int, bool, int]]:
    """``(source ord, target ord, partial, pair id)`` of the run's proposed and confirmed pairs."""
    src, tgt = PairingRecord.__table__.alias("s"), PairingRecord.__table__.alias("t")
    rows = session.execute(
        select(src.c.ord, tgt.c.ord, PairingPair.partial, PairingPair.id)
        .join(src, src.c.id == PairingPair.src_record_id)
        .join(tgt, tgt.c.id == PairingPair.tgt_record_id)
        .where(PairingPair.run_id == run_id, PairingPair.status.in_(CHOSEN))
        .order_by(src.c.ord, tgt.c.ord)).all()
    return [(a, b, bool(p), i) for a, b, p, i in rows]


def leftovers(view: dict) -> dict:
    """``{"unpaired_source", "unpaired_target"}`` of a :func:`pairing_view`, shaped as
    :func:`aligner.pairing.pair_entries` gives them (each record's ``best`` candidate, by
    score, among the stored pairs of any status)."""
    best_of_target: dict[int, dict] = {}
    for s in view["sources"]:
        for c in s["candidates"]:
            held = best_of_target.get(c["target"]["id"])
            if held is None or c["score"] > held["score"]:
                best_of_target[c["target"]["id"]] = {"ref": s["ref"], "score": c["score"]}
    out = {"unpaired_source": [],
           "unpaired_target": [{**t, "best": best_of_target[t["id"]]} if t["id"] in best_of_target else t
                               for t in view["unpaired_targets"]]}
    for s in view["sources"]:
        cands = s["candidates"]
        if not any(c["status"] in CHOSEN for c in cands):
            best = max(cands, key=lambda c: c["score"], default=None)
            item = {k: v for k, v in s.items() if k != "candidates"}
            if best is not None:
                item["best"] = {"ref": best["target"]["ref"], "score": best["score"]}
            out["unpaired_source"].append(item)
    return out
