"""Exports of a stored alignment: its current state (review statuses, reviewers' crossing
links, settings) in any format of :data:`aligner.export.FORMATS`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import IO

from sqlalchemy.orm import Session

from aligner.export import FORMATS, export_options, render_export, write_export
from aligner.store import service

MEDIA_TYPES = {name: f.media_type for name, f in FORMATS.items()}
SUFFIXES = {name: f.suffix for name, f in FORMATS.items()}


def export_bytes(session: Session, alignment_id: int, fmt: str,
                 options: Mapping[str, object] | None = None) -> bytes:
    """The export of alignment ``alignment_id`` in ``fmt`` (with the format's ``options``,
    :func:`aligner.export.export_options`) as bytes. Raises NotFoundError, AlignerError
    (unknown format or option)."""
    export_options(fmt, options)  # a bad format or option fails before the alignment is loaded
    return render_export(fmt, *service.load_bitext(session, alignment_id), options)


def export_alignment(session: Session, alignment_id: int, fmt: str,
                     out: str | os.PathLike | IO[bytes] | IO[str],
                     options: Mapping[str, object] | None = None) -> None:
    """Write the export to a path or an open stream (text or binary); ``vecalign`` to a
    path adds the provenance sidecar file (:func:`aligner.export.write_export`)."""
    export_options(fmt, options)
    write_export(out, fmt, *service.load_bitext(session, alignment_id), options)
