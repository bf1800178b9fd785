"""The pairing view: which record translates which (stored by ``aligner batch --pair
auto``), and a reviewer's decisions — confirm, reassign, mark untranslated — after which a
confirmed pair without an alignment is aligned by a background job."""

from __future__ import annotations

from fastapi import APIRouter

from aligner.store import pairing
from api.deps import JobsDep, SessionDep, UserDep
from api.schemas import ErrorOut
from api.schemas.pairing import PairDecisionIn, PairDecisionOut, PairingRunOut, PairingViewOut

router = APIRouter(tags=["pairing"])
NOT_FOUND = {404: {"model": ErrorOut}}


@router.get("/pairings", response_model=list[PairingRunOut], summary="List pairing runs, newest first")
def list_pairings(session: SessionDep, project_id: int | None = None):
    return pairing.list_runs(session, project_id)


@router.get("/pairings/{run_id}", response_model=PairingViewOut, responses=NOT_FOUND,
            summary="A pairing run: source records, their candidate translations, unpaired targets")
def get_pairing(run_id: int, session: SessionDep):
    return pairing.pairing_view(session, run_id)


@router.post("/pairings/{run_id}/sources/{record_id}", response_model=PairDecisionOut,
             responses={**NOT_FOUND, 409: {"model": ErrorOut}},
             summary="Confirm, reassign or mark untranslated a source record's pairing")
def decide(run_id: int, record_id: int, body: PairDecisionIn, session: SessionDep, jobs: JobsDep,
           user: UserDep):
    """A pair confirmed (or reassigned to) that has no alignment yet is aligned by a
    background job with the run's settings (partial if the pair is): poll
    ``GET /api/jobs/{id}``; the view shows its ``alignment_id`` once it is done.
    ``confirm`` adds a rendering (pairs confirmed before stay); ``reassign`` and
    ``untranslated`` reject the record's chosen pairs, confirmed ones included, and
    ``rejected`` names each (``was``: proposed or confirmed) so a client can say so.
    With ``seen_confirmed`` a decision made on an out-of-date view is a 409 that says
    what another reviewer changed, and nothing is changed."""
    done = pairing.decide(session, run_id, record_id, body.action, body.target_id, user=user,
                          seen_confirmed=body.seen_confirmed, seen_untranslated=body.seen_untranslated)
    job, todo = None, done["align"]
    if todo is not None:
        job = jobs.submit(todo["project_id"], todo["src_document_id"], todo["tgt_document_id"],
                          body.encoder, todo["settings"]).as_dict()
    view = pairing.pairing_view(session, run_id)
    source = next(s for s in view["sources"] if s["id"] == record_id)
    targets = {c["id"]: c["target"] for c in source["candidates"]}
    rejected = [{"pair_id": r["pair_id"], "target": targets[r["pair_id"]], "was": r["was"], "by": r["by"]}
                for r in done["rejected"]]
    return {"source": source, "job": job, "rejected": rejected}
