"""Word links inside a bead: which source words render which target words (issue 15)."""

from __future__ import annotations

from fastapi import APIRouter

from aligner.store.word_links import as_dict, bead_links
from api.deps import EncoderDep, SessionDep
from api.schemas import ErrorOut
from api.schemas.words import BeadLinksOut

router = APIRouter(tags=["views"])


@router.get("/alignments/{alignment_id}/beads/{bead_id}/links", response_model=BeadLinksOut,
            summary="Word links of a bead: tokens per sentence and the links between them",
            responses={404: {"model": ErrorOut}})
def word_links(alignment_id: int, bead_id: int, session: SessionDep, encoders: EncoderDep):
    """Computed with the server's default encoder on the first request for the bead as it
    is now, then cached (a bead whose sentences change is linked again). ``style``
    "partial" marks links inside an m-n group (drawn dashed on the page)."""
    encoder = encoders(None)
    return as_dict(bead_links(session, alignment_id, bead_id, encoder), encoder)
