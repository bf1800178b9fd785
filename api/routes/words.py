"""Word links inside a bead: which source words render which target words (issue 15)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import AfterValidator

from aligner.store.word_links import BeadsNotFound, alignment_bead_links, as_dict, bead_links
from api.deps import EncoderDep, SessionDep
from api.schemas import ErrorOut
from api.schemas.words import BatchLinksOut, BeadLinksOut

router = APIRouter(tags=["views"])

#: Beads one batch request may name: a screenful of the list, renderings or concordance
#: is a few dozen; linking 100 new paragraph beads costs about a second (bench/links_batch.py).
MAX_BATCH_BEADS = 100
_DB_INT_MAX = 2**63 - 1


def _bead_ids(values: list[str]) -> list[int]:
    """``["1,2", "3"]`` (``beads=1,2&beads=3``) → ``[1, 2, 3]``; ValueError (a 422) for
    anything else."""
    parts = [p.strip() for p in ",".join(values).split(",")]
    if any(not p for p in parts):
        raise ValueError("give bead ids separated by commas, e.g. beads=12,13,14")
    bad = [p for p in parts if not (p.isascii() and p.isdigit() and len(p) <= 19) or not 0 < int(p) <= _DB_INT_MAX]
    if bad:
        shown = bad[0] if len(bad[0]) <= 24 else bad[0][:20] + "…"
        raise ValueError(f"{shown!r} is not a bead id (a positive integer)")
    if len(parts) > MAX_BATCH_BEADS:
        raise ValueError(f"at most {MAX_BATCH_BEADS} beads per request ({len(parts)} given)")
    return [int(p) for p in parts]


BeadIds = Annotated[list[str], Query(description=(
    f"bead ids of this alignment, comma-separated (at most {MAX_BATCH_BEADS}); "
    "the parameter may also be repeated")), AfterValidator(_bead_ids)]


@router.get("/alignments/{alignment_id}/beads/{bead_id}/links", response_model=BeadLinksOut,
            summary="Word links of a bead: tokens per sentence and the links between them",
            responses={404: {"model": ErrorOut}})
def word_links(alignment_id: int, bead_id: int, session: SessionDep, encoders: EncoderDep):
    """Computed with the server's default encoder on the first request for the bead as it
    is now, then cached (a bead whose sentences change is linked again). ``style``
    "partial" marks links inside an m-n group (drawn dashed on the page)."""
    encoder = encoders(None)
    return as_dict(bead_links(session, alignment_id, bead_id, encoder), encoder)


@router.get("/alignments/{alignment_id}/links", response_model=BatchLinksOut,
            summary="Word links of several beads at once (what the page asks for a screenful)",
            responses={404: {"model": ErrorOut, "description": "no such alignment, or beads not in it "
                                                                "(their ids in `bead_ids`)"}})
def word_links_of_beads(alignment_id: int, beads: BeadIds, session: SessionDep, encoders: EncoderDep):
    """Each bead as ``GET .../beads/{bead_id}/links`` gives it, in the order asked for (a
    repeated id once). The beads not cached yet are linked together, with one pass of the
    encoder for them all. 404 naming the ids if a bead is not in this alignment (nothing
    is computed then; ``bead_ids`` lists them, so a client can ask again for the others);
    422 for a malformed list or more than the maximum."""
    encoder = encoders(None)
    try:
        found = alignment_bead_links(session, alignment_id, beads, encoder)
    except BeadsNotFound as exc:
        return JSONResponse({"detail": str(exc), "code": "not_found", "bead_ids": exc.bead_ids}, status_code=404)
    return {"alignment_id": alignment_id, "beads": [as_dict(b, encoder) for b in found]}
