"""Export downloads of an alignment (TMX, TSV, JSON, Vecalign, TEI stand-off)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response

from aligner.store.export import MEDIA_TYPES, SUFFIXES, export_bytes
from api.deps import SessionDep
from api.schemas import ErrorOut, ExportFormat

router = APIRouter(tags=["export"])


@router.get("/alignments/{alignment_id}/export", summary="Download the alignment in a format",
            response_class=Response,
            responses={200: {"content": {m.split(";")[0]: {} for m in MEDIA_TYPES.values()},
                             "description": "the file, as an attachment"},
                       404: {"model": ErrorOut}})
def export_alignment(alignment_id: int, session: SessionDep, format: ExportFormat = "tmx"):
    """The current state of the alignment, with review statuses; a test reconstruction is
    labelled as such inside the file."""
    try:
        data = export_bytes(session, alignment_id, format)
    except ImportError as exc:  # an exporter module missing from this installation
        raise HTTPException(503, f"{format} export is not available in this installation ({exc.name})")
    filename = f"alignment-{alignment_id}{SUFFIXES[format]}"
    return Response(data, media_type=MEDIA_TYPES[format],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
