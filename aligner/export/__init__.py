"""Exports of an alignment, one registry of formats (:data:`FORMATS`) used by the CLI
(``aligner align --format``, ``aligner export``), the API (``/api/alignments/{id}/export``,
``/api/formats``) and the page.

Every export carries each document's provenance (file, sha256, kind), so a test
reconstruction is never mistaken for an archival original, and the aligner settings the
alignment was made with. A format is a function ``(source, target, alignment) -> bytes`` of
in-memory types; a stored alignment is exported by loading it
(:func:`aligner.store.service.load_bitext`), review states included.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from aligner.errors import AlignerError
from aligner.export.common import provenance_dict, settings_dict
from aligner.types import Alignment, Document

Render = Callable[[Document, Document, Alignment], bytes]


def _tsv(src, tgt, alignment) -> bytes:
    from aligner.export.tabular import to_tsv

    return to_tsv(src, tgt, alignment).encode()


def _json(src, tgt, alignment) -> bytes:
    from aligner.export.tabular import to_json

    return to_json(src, tgt, alignment).encode()


def _vecalign(src, tgt, alignment) -> bytes:
    from aligner.export.tabular import to_vecalign

    return to_vecalign(alignment).encode()


def _tmx(src, tgt, alignment) -> bytes:
    from aligner.export.tmx import to_tmx

    return to_tmx(src, tgt, alignment)


def _tei(src, tgt, alignment) -> bytes:
    from aligner.export.tei import to_tei

    return to_tei(src, tgt, alignment)


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its name (``--format``), a label for the page, the file name
    suffix, the media type, and the function that writes it."""

    name: str
    label: str
    suffix: str
    media_type: str
    render: Render


#: Every export format, by name, in the order menus show them.
FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("tsv", "TSV (one bead a row)", ".tsv", "text/tab-separated-values; charset=utf-8", _tsv),
    ExportFormat("json", "JSON (beads, flags, provenance)", ".json", "application/json", _json),
    ExportFormat("tmx", "TMX 1.4b (translation memory)", ".tmx", "application/x-tmx+xml", _tmx),
    ExportFormat("vecalign", "Vecalign/Bertalign beads", ".txt", "text/plain; charset=utf-8", _vecalign),
    ExportFormat("tei", "TEI P5 stand-off alignment", ".tei.xml", "application/tei+xml", _tei),
)}
EXPORT_FORMATS: tuple[str, ...] = tuple(FORMATS)

__all__ = ["EXPORT_FORMATS", "FORMATS", "ExportFormat", "provenance_dict", "render_export",
           "settings_dict", "write_export"]


def export_format(name: str) -> ExportFormat:
    """The format called ``name``. Raises AlignerError naming the formats."""
    fmt = FORMATS.get((name or "").lower())
    if fmt is None:
        raise AlignerError(f"unknown export format {name!r}; use one of {', '.join(FORMATS)}")
    return fmt


def render_export(fmt: str, src: Document, tgt: Document, alignment: Alignment) -> bytes:
    """The export in ``fmt`` as bytes (UTF-8). Raises AlignerError (unknown format)."""
    return export_format(fmt).render(src, tgt, alignment)


def write_export(out: str | os.PathLike | IO, fmt: str, src: Document, tgt: Document,
                 alignment: Alignment) -> None:
    """Write the export to a path or an open stream (text or binary).

    For ``vecalign`` written to a path, the provenance and settings go to
    ``PATH.provenance.json`` (the bead format has no room for comments)."""
    data = render_export(fmt, src, tgt, alignment)
    if isinstance(out, (str, os.PathLike)):
        path = Path(out)
        path.write_bytes(data)
        if fmt == "vecalign":
            from aligner.export.tabular import vecalign_sidecar

            path.with_name(path.name + ".provenance.json").write_text(
                vecalign_sidecar(src, tgt, alignment), encoding="utf-8")
    elif isinstance(out, io.TextIOBase) or "b" not in getattr(out, "mode", "b"):
        out.write(data.decode("utf-8"))
    else:
        out.write(data)
