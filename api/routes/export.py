"""Export downloads of an alignment (every format of :data:`aligner.export.FORMATS`)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response

from aligner.store import service
from aligner.store.export import MEDIA_TYPES, SUFFIXES, export_bytes
from api.deps import SessionDep
from aligner.export import FORMATS
from api.schemas import ErrorOut, ExportFormat, ExportFormatOut

router = APIRouter(tags=["export"])


@router.get("/formats", response_model=list[ExportFormatOut], summary="Export formats")
def export_formats():
    """Every export format with its options (the page's Export menu reads this list)."""
    return [{"name": f.name, "label": f.label, "suffix": f.suffix, "media_type": f.media_type,
             "options": [{"name": o.name, "help": o.help, "default": o.default} for o in f.options]}
            for f in FORMATS.values()]


@router.get("/alignments/{alignment_id}/export", summary="Download the alignment in a format",
            response_class=Response,
            responses={200: {"content": {m.split(";")[0]: {} for m in MEDIA_TYPES.values()},
                             "description": "the file, as an attachment"},
                       404: {"model": ErrorOut}})
def export_alignment(alignment_id: int, request: Request, session: SessionDep,
                     format: ExportFormat = "tmx"):
    """The current state of the alignment, with review statuses, reviewers, notes and
    corrected texts; a test reconstruction is labelled as such inside the file (and, for
    every format, in the file name and the ``X-Source-Provenance`` / ``X-Target-Provenance``
    headers). The format's options are further query parameters (``GET /api/formats``
    lists them), e.g. ``?format=tmx&keep_nulls=true``; an unknown one is a 400."""
    options = {k: v for k, v in request.query_params.items() if k != "format"}
    try:
        data = export_bytes(session, alignment_id, format, options)
    except ImportError as exc:  # an exporter module missing from this installation
        raise HTTPException(503, f"{format} export is not available in this installation "
                                 f"({exc.name})") from None
    meta = service.get_alignment(session, alignment_id)
    provenance = {side: meta[f"{side}_provenance"] for side in ("src", "tgt")}
    # Formats without room for provenance (vecalign) still carry it: in the file name and
    # in headers (HTTP headers are Latin-1, hence the ASCII rendering of the label).
    recon = any(p["kind"] == "reconstruction" for p in provenance.values())
    filename = f"alignment-{alignment_id}{'-TEST-RECONSTRUCTION' if recon else ''}{SUFFIXES[format]}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    for side, name in (("src", "X-Source-Provenance"), ("tgt", "X-Target-Provenance")):
        p = provenance[side]
        label = p["label"].replace("—", "-").encode("ascii", "replace").decode()
        file = p["file"].encode("ascii", "replace").decode()
        headers[name] = f"{file}; kind={p['kind']}; {label}; sha256={p['sha256']}"
    return Response(data, media_type=MEDIA_TYPES[format], headers=headers)
