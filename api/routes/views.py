"""Read-only views across alignments: several renderings side by side, the phrase
concordance, and the fidelity flags of an alignment with their evidence."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from aligner.concordance import as_json
from aligner.store.concordance import PAGE, search_page
from aligner.store import service
from aligner.store.fidelity import bead_fidelity, fidelity_report
from aligner.store.renderings import MAX_ROWS_PER_PAGE, list_pivots, parallel_view
from api.deps import EncoderDep, SessionDep
from api.schemas import MAX_OFFSET, ConcordanceOut, ErrorOut, FidelityOut, FlagOut, PivotOut, RenderingsOut

router = APIRouter(tags=["views"])
NOT_FOUND = {404: {"model": ErrorOut}}


@router.get("/renderings", response_model=list[PivotOut],
            summary="Documents and how many renderings (alignments) each has")
def pivots(session: SessionDep, project_id: int | None = None):
    return list_pivots(session, project_id)


@router.get("/documents/{document_id}/renderings", response_model=RenderingsOut,
            summary="A document with every rendering of it, one column per alignment",
            responses=NOT_FOUND)
def renderings(
    document_id: int,
    session: SessionDep,
    alignment_id: Annotated[list[int] | None, Query(
        description="columns to show, in order (default: every alignment with the document)")] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="first row (0-based)")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_ROWS_PER_PAGE, description="rows per page")] = 100,
    ord: Annotated[int | None, Query(ge=0, description=(
        "give the page holding this sentence's row (0-based ord), named focus_row"))] = None,
):
    """Rows follow the coarsest grouping of the document's sentences on which all the
    alignments agree; a document with no alignment is shown alone (one column)."""
    return parallel_view(session, document_id, alignment_id, offset, limit, ord)


@router.get("/alignments/{alignment_id}/fidelity", response_model=FidelityOut,
            summary="Fidelity report: flagged beads with evidence and suggestions",
            responses=NOT_FOUND)
def fidelity(alignment_id: int, session: SessionDep):
    """Numbers/dates that differ, names on one side only or spelled two ways, omissions
    and additions, odd length ratios, OCR-suspect words with a suggested reading (never
    applied). Computed from the beads as they are now."""
    meta = service.get_alignment(session, alignment_id)
    return {"alignment_id": alignment_id, "version": meta["version"],
            "src_provenance": meta["src_provenance"], "tgt_provenance": meta["tgt_provenance"],
            "beads": fidelity_report(session, alignment_id)}


@router.get("/alignments/{alignment_id}/beads/{bead_id}/fidelity", response_model=list[FlagOut],
            summary="Fidelity flags of one bead, with evidence", responses=NOT_FOUND)
def fidelity_of_bead(alignment_id: int, bead_id: int, session: SessionDep):
    return bead_fidelity(session, alignment_id, bead_id)


@router.get("/search", response_model=ConcordanceOut, tags=["views"],
            summary="Phrase concordance across all documents, grouped by rendering",
            responses={400: {"model": ErrorOut}})
def concordance(
    session: SessionDep,
    encoders: EncoderDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description="phrase, any language")],
    fuzzy: Annotated[bool, Query(description="OCR-tolerant, case- and punctuation-insensitive")] = False,
    lang: Annotated[str | None, Query(max_length=16, description="only documents in this language")] = None,
    project_id: int | None = None,
    renderings: Annotated[bool, Query(description="mark the span rendering the phrase (uses the encoder)")] = True,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="first hit of the page (0-based)")] = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="hits per page")] = PAGE,
):
    """Each hit gives its sentence, the aligned sentence(s) of every alignment holding it,
    and the sub-span most likely rendering the phrase; ``renderings`` groups the page's
    hits. ``count`` is the number of hits in all (pages through with ``offset``); the
    whole result as CSV or JSON: ``/api/search/export``."""
    page = search_page(session, q, fuzzy=fuzzy, lang=lang, project_id=project_id, offset=offset,
                       limit=limit, encoder=encoders(None) if renderings else None)
    return as_json(q, page.hits, fuzzy=fuzzy, total=page.total, offset=offset, limit=limit,
                   complete=page.complete)
