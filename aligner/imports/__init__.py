"""Alignments made elsewhere, imported for review: TMX, InterText XML, Vecalign/Bertalign
``.align`` files with their two sentence files, LF Aligner / hunalign TSV (and our own
exports of those formats, which come back exactly: beads, statuses, reviewers, notes).

One registry (:data:`IMPORT_FORMATS`) serves the CLI (``aligner import``), the API
(``POST /api/projects/{id}/imports``) and the page's Import dialog. Reading
(:func:`read_import`) gives an :class:`Imported` (documents, beads, provenance); storing it
(:func:`store_import`) adds the fidelity flags (numbers, names, omissions, OCR suspects:
:func:`aligner.fidelity.flag_alignment`) and keeps where it came from
(``alignment.imported``: format, file, SHA-256, tool, and how — CLI, API or page).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from sqlalchemy.orm import Session, sessionmaker

from aligner.errors import InputError
from aligner.imports.common import Imported, MissingLanguageError
from aligner.read import size_error

Files = dict[str, tuple[str, bytes]]  # role ("alignment", "source", "target") → (name, bytes)
#: Largest file an import reads (bytes): nothing is segmented or encoded, so more than
#: :data:`aligner.read.DEFAULT_MAX_BYTES` (a TMX is several times its texts).
IMPORT_MAX_BYTES = 64 * 1024 * 1024


def _tmx(files: Files, src_lang, tgt_lang, cost) -> Imported:
    from aligner.imports.tmx import read_tmx

    return read_tmx(files["alignment"][1], files["alignment"][0], src_lang=src_lang, tgt_lang=tgt_lang)


def _intertext(files: Files, src_lang, tgt_lang, cost) -> Imported:
    from aligner.imports.intertext import read_intertext

    return read_intertext(files["alignment"], files.get("source"), files.get("target"),
                          src_lang=src_lang, tgt_lang=tgt_lang)


def _vecalign(files: Files, src_lang, tgt_lang, cost) -> Imported:
    from aligner.imports.tabular import read_vecalign

    return read_vecalign(files["alignment"], files["source"], files["target"], src_lang=src_lang,
                         tgt_lang=tgt_lang, cost=cost)


def _tsv(files: Files, src_lang, tgt_lang, cost) -> Imported:
    from aligner.imports.tabular import read_tsv

    return read_tsv(files["alignment"][1], files["alignment"][0], src_lang=src_lang, tgt_lang=tgt_lang)


@dataclass(frozen=True)
class ImportFormat:
    """An import format: ``name``, a ``label`` for the page, the files it takes besides
    the alignment file (``"source"``, ``"target"``: required, or optional for InterText
    when the alignment file is a zip holding them), whether the languages must be given
    (TSV: unless it is our export, whose header names them), and its reader."""

    name: str
    label: str
    files: tuple[str, ...]
    files_required: bool
    needs_langs: bool
    read: Callable[[Files, str | None, str | None, bool], Imported]


IMPORT_FORMATS: dict[str, ImportFormat] = {f.name: f for f in (
    ImportFormat("tmx", "TMX (translation memory, CAT tools)", (), False, False, _tmx),
    ImportFormat("intertext", "InterText XML (linkGrp + the two documents, or a zip of them)",
                 ("source", "target"), False, False, _intertext),
    ImportFormat("vecalign", "Vecalign/Bertalign .align + source and target sentence files",
                 ("source", "target"), True, True, _vecalign),
    ImportFormat("tsv", "LF Aligner / hunalign TSV (source<TAB>target)", (), False, True, _tsv),
)}


def guess_format(name: str, data: bytes) -> str:
    """The import format a file most likely is, from its name and first bytes (a
    byte-order mark is passed over). TSV is the last guess: a file whose first line
    starts with ``[`` is Vecalign only when that line is a bead line (``[0]:[0]:0.5``)
    and the file is not named ``.tsv`` (``[…] несколько часов…<TAB>…`` is a TSV row).
    Not for a binary file, an HTML page or XML of another kind: those are not an
    alignment, and "give the languages" would mislead. Raises InputError for them."""
    from aligner.sniff import head_of, looks_like_vecalign, markup_document, root_element

    head = head_of(data)
    suffix = PurePosixPath(name.lower()).suffix
    if data[:4] == b"PK\x03\x04" or b"<linkGrp" in head:
        return "intertext"
    refuse_binary(name, data)  # before the name: random bytes called .tmx are not TMX
    if suffix == ".tmx" or root_element(head) == "tmx":
        return "tmx"
    if suffix == ".align" or (suffix != ".tsv" and looks_like_vecalign(head)):
        return "vecalign"
    if head[:100].lower().startswith((b"<!doctype html", b"<html")):
        raise InputError(f"{name}: an HTML page, not an alignment (TMX, InterText XML or zip, .align, TSV)")
    if markup_document(head):
        raise InputError(f"{name}: XML that is neither TMX (<tmx>) nor InterText (<linkGrp>)")
    return "tsv"


def refuse_binary(name: str, data: bytes) -> None:
    """InputError if ``data`` is binary (NUL bytes in its first 4 KB; UTF-16 text, which
    has them too, starts with a byte-order mark) and not a zip (an InterText bundle)."""
    head = data[:4096]
    if data[:4] != b"PK\x03\x04" and b"\x00" in head and not head.lstrip().startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{name}: a binary file, not an alignment (TMX, InterText XML or zip, "
                         ".align, TSV)")


def read_import(fmt: str | None, files: Files, *, src_lang: str | None = None,
                tgt_lang: str | None = None, cost: bool = False,
                max_bytes: int = IMPORT_MAX_BYTES) -> Imported:
    """Read an alignment made elsewhere. ``fmt``: one of :data:`IMPORT_FORMATS` (None:
    :func:`guess_format`); ``files``: ``{"alignment": (name, bytes)}`` plus ``"source"``
    and ``"target"`` where the format takes them; ``cost``: Vecalign's third field is a
    cost. The provenance gets the alignment file's name and SHA-256. Raises InputError
    (unknown format, a file missing or too large, bad content) — one line each —, and
    :class:`MissingLanguageError` when a language is neither given nor in the file (each
    front end names its own field: :meth:`MissingLanguageError.asking`)."""
    if "alignment" not in files:
        raise InputError("give the alignment file")
    name, data = files["alignment"]
    if not fmt:
        fmt = guess_format(name, data)  # which refuses binary, HTML and other XML itself
    else:
        refuse_binary(name, data)
    spec = IMPORT_FORMATS.get(fmt)
    if spec is None:
        raise InputError(f"unknown import format {fmt!r}; use one of {', '.join(IMPORT_FORMATS)}")
    for role, (fname, fdata) in files.items():
        if len(fdata) > max_bytes:
            raise InputError(size_error(fname, len(fdata), max_bytes, hint=False))
        if not fdata.strip():
            raise InputError(f"{fname}: file is empty")
    unknown = set(files) - {"alignment", *spec.files}
    if unknown:
        raise InputError(f"{fmt} import takes no {sorted(unknown)[0]} file")
    if spec.files_required:
        missing = [r for r in spec.files if r not in files]
        if missing:
            raise InputError(f"{fmt} import needs the {missing[0]} sentence file too")
    imported = spec.read(files, src_lang, tgt_lang, cost)
    imported.provenance = {**imported.provenance, "format": fmt, "file": PurePosixPath(name).name,
                           "sha256": hashlib.sha256(data).hexdigest()}
    return imported


def store_import(sessions: sessionmaker[Session], imported: Imported, *, project: str,
                 via: str, user: str = "") -> int:
    """Store an imported alignment in project ``project`` (created if needed; documents
    de-duplicated as usual): fidelity flags computed on its beads (the file's own are
    replaced), review states and notes kept, provenance in ``alignment.imported`` with
    ``via`` ("cli", "api", "page") and the time. Returns the alignment id."""
    from aligner.fidelity import FLAG_CODES, flag_alignment
    from aligner.pipeline import store_pair
    from aligner.store.models import utcnow

    alignment = imported.alignment
    for b in alignment.beads:
        b.flags = [f for f in b.flags if f not in FLAG_CODES]
    flag_alignment(imported.src, imported.tgt, alignment)
    provenance = {**imported.provenance, "via": via, "user": user, "imported": utcnow().isoformat()}
    return store_pair(sessions, imported.src, imported.tgt, alignment, project=project,
                      imported=provenance).alignment_id


__all__ = ["IMPORT_FORMATS", "IMPORT_MAX_BYTES", "ImportFormat", "Imported", "MissingLanguageError",
           "guess_format", "read_import", "store_import"]
