"""The whole concordance of a phrase as a file: CSV or JSON, one row per hit and aligned
text, with document, sentence, alignment and bead ids and the provenance label of both
documents (columns: aligner.concordance.export)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse

from aligner.concordance.export import csv_lines, json_text
from aligner.store.concordance import find_matches, hit_chunks, hits_of
from api.deps import EncoderDep, SessionDep
from api.schemas import ErrorOut

router = APIRouter(tags=["views"])
#: Hits read from the store at a time while writing an export.
CHUNK = 1000


@router.get("/search/export", summary="Every hit of a phrase as CSV or JSON (with ids)",
            responses={200: {"content": {"text/csv": {}, "application/json": {}}},
                       400: {"model": ErrorOut}})
def export_concordance(
    request: Request,
    session: SessionDep,
    encoders: EncoderDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description="phrase, any language")],
    format: Annotated[Literal["csv", "json"], Query(description="csv or json")] = "csv",
    fuzzy: bool = False,
    lang: Annotated[str | None, Query(max_length=16)] = None,
    project_id: int | None = None,
    renderings: Annotated[bool, Query(description="fill the rendering column from the beads' word links (uses the encoder)")] = True,
):
    """One row per hit and aligned text (columns: :data:`aligner.concordance.export.COLUMNS`;
    ``provenance`` / ``aligned_provenance`` label the hit's and the aligned document, a
    test reconstruction as such). CSV streams; JSON is ``{"phrase", "fuzzy", "count",
    "rows"}``. 400 for a phrase without letters or digits."""
    encoder = encoders(None) if renderings else None
    # The matching query runs once (every hit's id, in order); the details are read a
    # chunk of ids at a time, so memory holds one chunk of hits while CSV streams.
    found = find_matches(session, q, fuzzy=fuzzy, lang=lang, project_id=project_id)
    first = hits_of(session, found, found.ids[:CHUNK], encoder=encoder)
    name = "concordance." + format

    def pages():  # a session of its own: the request's may be closed while this streams
        yield first
        with request.app.state.session_factory() as own:
            yield from hit_chunks(own, found, size=CHUNK, start=CHUNK, encoder=encoder)

    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format == "json":
        hits = [h for page in pages() for h in page]
        return Response(json_text(q, fuzzy, found.total, hits), media_type="application/json",
                        headers=disposition)

    def lines():
        header = True
        for page in pages():
            yield from csv_lines(page, header=header)
            header = False

    return StreamingResponse(lines(), media_type="text/csv; charset=utf-8", headers=disposition)
