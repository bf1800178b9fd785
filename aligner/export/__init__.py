"""Exports of an alignment, one registry of formats (:data:`FORMATS`) used by the CLI
(``aligner align --format``, ``aligner export``), the API (``/api/alignments/{id}/export``,
``/api/formats``) and the page's Export menu.

Every export carries each document's provenance (file, sha256, kind), so a test
reconstruction is never mistaken for an archival original, the aligner settings the
alignment was made with, and the review: each bead's status and reviewer, the reviewers'
notes, and the corrected sentence texts (JSON and TEI also say which sentences were
corrected). A format is a function ``(source, target, alignment, **options) -> bytes`` of
in-memory types; its options (:class:`ExportOption`, e.g. TMX's ``keep_nulls``) are part of
the registry, so the CLI (``--option NAME=VALUE``), the API (query parameters) and the page
offer the same ones. A stored alignment is exported by loading it
(:func:`aligner.store.service.load_bitext`), review states included.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from aligner.errors import AlignerError
from aligner.settings import parse_bool
from aligner.export.common import provenance_dict, settings_dict
from aligner.types import Alignment, Document

Render = Callable[..., bytes]


def _tsv(src, tgt, alignment, notes=False, hunalign_join=False) -> bytes:
    from aligner.export.tabular import to_tsv

    return to_tsv(src, tgt, alignment, notes=notes, hunalign_join=hunalign_join).encode()


def _json(src, tgt, alignment) -> bytes:
    from aligner.export.tabular import to_json

    return to_json(src, tgt, alignment).encode()


def _vecalign(src, tgt, alignment) -> bytes:
    from aligner.export.tabular import to_vecalign

    return to_vecalign(alignment).encode()


def _tmx(src, tgt, alignment, keep_nulls=False) -> bytes:
    from aligner.export.tmx import to_tmx

    return to_tmx(src, tgt, alignment, keep_nulls=keep_nulls)


def _tei(src, tgt, alignment) -> bytes:
    from aligner.export.tei import to_tei

    return to_tei(src, tgt, alignment)


def _xliff(src, tgt, alignment, keep_nulls=False) -> bytes:
    from aligner.export.xliff import to_xliff12

    return to_xliff12(src, tgt, alignment, keep_nulls=keep_nulls)


def _xliff2(src, tgt, alignment, keep_nulls=False) -> bytes:
    from aligner.export.xliff import to_xliff2

    return to_xliff2(src, tgt, alignment, keep_nulls=keep_nulls)


def _intertext(src, tgt, alignment) -> bytes:
    from aligner.export.intertext import to_intertext_zip

    return to_intertext_zip(src, tgt, alignment)


@dataclass(frozen=True)
class ExportOption:
    """A yes/no option of a format: its ``name`` (``--option NAME=yes``, ``?NAME=true``),
    what it does, and its default."""

    name: str
    help: str
    default: bool = False


KEEP_NULLS = ExportOption(
    "keep_nulls", "keep 1-0 / 0-1 beads as units with an empty segment (left out by default: "
    "an empty segment is junk in a translation memory)")


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its name (``--format``), a label for the page, the file name
    suffix, the media type, the function that writes it, and its options."""

    name: str
    label: str
    suffix: str
    media_type: str
    render: Render
    options: tuple[ExportOption, ...] = ()


#: Every export format, by name, in the order menus show them.
FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("tsv", "TSV (one bead a row)", ".tsv", "text/tab-separated-values; charset=utf-8", _tsv,
                 (ExportOption("notes", "add a column with the reviewers' notes"),
                  ExportOption("hunalign_join", "join a bead's sentences with hunalign's ' ~~~ ' "
                               "(for LF Aligner / hunalign; our import splits either)"))),
    ExportFormat("json", "JSON (beads, flags, notes, corrections, provenance)", ".json",
                 "application/json", _json),
    ExportFormat("tmx", "TMX 1.4b (translation memory)", ".tmx", "application/x-tmx+xml", _tmx,
                 (KEEP_NULLS,)),
    ExportFormat("xliff", "XLIFF 1.2 (CAT tools)", ".xlf", "application/x-xliff+xml", _xliff,
                 (KEEP_NULLS,)),
    ExportFormat("xliff2", "XLIFF 2.0 (CAT tools)", ".xliff2.xlf", "application/xliff+xml", _xliff2,
                 (KEEP_NULLS,)),
    ExportFormat("vecalign", "Vecalign/Bertalign beads", ".txt", "text/plain; charset=utf-8", _vecalign),
    ExportFormat("tei", "TEI P5 stand-off alignment", ".tei.xml", "application/tei+xml", _tei),
    ExportFormat("intertext", "InterText XML (two documents and the linkGrp, zipped)",
                 ".intertext.zip", "application/zip", _intertext),
)}
EXPORT_FORMATS: tuple[str, ...] = tuple(FORMATS)

__all__ = ["EXPORT_FORMATS", "FORMATS", "ExportFormat", "ExportOption", "export_options",
           "provenance_dict", "render_export", "settings_dict", "write_export"]


def export_format(name: str) -> ExportFormat:
    """The format called ``name``. Raises AlignerError naming the formats."""
    fmt = FORMATS.get((name or "").lower())
    if fmt is None:
        raise AlignerError(f"unknown export format {name!r}; use one of {', '.join(FORMATS)}")
    return fmt


def export_options(fmt: str, given: Mapping[str, object] | None) -> dict[str, bool]:
    """Every option of ``fmt`` with its value: the default, or the one ``given`` (a bool,
    or text: yes/no, true/false, 1/0, on/off). Raises AlignerError (unknown format, an
    option the format does not have, a value that is not yes or no)."""
    spec = export_format(fmt)
    known = {o.name: o for o in spec.options}
    out = {o.name: o.default for o in spec.options}
    for name, value in (given or {}).items():
        if name not in known:
            has = f"its options: {', '.join(known)}" if known else "it has no options"
            raise AlignerError(f"{spec.name} export has no option {name!r}; {has}")
        try:
            out[name] = parse_bool(value)
        except ValueError:
            raise AlignerError(f"option {name}: {value!r} is not yes or no") from None
    return out


def render_export(fmt: str, src: Document, tgt: Document, alignment: Alignment,
                  options: Mapping[str, object] | None = None) -> bytes:
    """The export in ``fmt`` as bytes (UTF-8 text, or a zip). Raises AlignerError (unknown
    format or option)."""
    return export_format(fmt).render(src, tgt, alignment, **export_options(fmt, options))


def write_export(out: str | os.PathLike | IO, fmt: str, src: Document, tgt: Document,
                 alignment: Alignment, options: Mapping[str, object] | None = None) -> None:
    """Write the export to a path or an open stream (text or binary).

    For ``vecalign`` written to a path, the provenance and settings go to
    ``PATH.provenance.json`` (the bead format has no room for comments)."""
    data = render_export(fmt, src, tgt, alignment, options)
    if isinstance(out, (str, os.PathLike)):
        path = Path(out)
        path.write_bytes(data)
        if fmt == "vecalign":
            from aligner.export.tabular import vecalign_sidecar

            path.with_name(path.name + ".provenance.json").write_text(
                vecalign_sidecar(src, tgt, alignment), encoding="utf-8")
    elif isinstance(out, io.TextIOBase) or "b" not in getattr(out, "mode", "b"):
        if export_format(fmt).media_type == "application/zip":
            raise AlignerError(f"{fmt} export is a zip file: give an output file (-o)")
        out.write(data.decode("utf-8"))
    else:
        out.write(data)
