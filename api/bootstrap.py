"""First start of ``aligner serve``: fill an empty database with the bundled corpus.

No web code here (only aligner calls), so it can move into ``aligner/`` as is.

Bundled documents without a partner (``corpora/*/*.tei.xml`` with no ``bitext.json``
beside them, e.g. the FRUS 1938 telegrams) are imported alone — searchable and viewable,
ready to be aligned when a source or another rendering arrives.

Further renderings of a stored document (``corpora/*/renderings.json``: source and target
given as ``folder/file`` or ``folder/file.tei.xml#divid``, ``"partial": true`` for an
excerpt) are aligned last, so the page can show several renderings side by side.

Bundled bitexts: the Litvinov–Shigemitsu record (``corpora/litvinov-1938-08-07``: the
Russian TEST RECONSTRUCTION as source, the English OCR exhibit as target), plus any
folder ``corpora/<name>/`` with a ``bitext.json`` manifest::

    {"title": "...", "project": "<name>",
     "source": {"file": "ru.txt", "lang": "ru", "kind": "archival", "note": "..."},
     "target": {"file": "en.txt", "lang": "en", "kind": "translation"}}
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sqlalchemy.orm import Session, sessionmaker

from aligner.align import AlignConfig
from aligner.errors import InputError
from aligner.pipeline import (
    ReadOptions,
    align_stored,
    read_document,
    read_documents,
    store_documents,
)
from aligner.store import service
from aligner.types import RECONSTRUCTION_LABEL

CORPORA_DIR = Path(__file__).resolve().parents[1] / "corpora"


@dataclass(frozen=True)
class SideSpec:
    file: str
    lang: str
    kind: str
    note: str = ""
    title: str | None = None
    strip_markup: bool = False


@dataclass(frozen=True)
class BitextSpec:
    """One bundled bitext: a folder, a project name, the source and target files."""

    folder: Path
    project: str
    title: str
    source: SideSpec
    target: SideSpec


def litvinov_spec(corpora: Path = CORPORA_DIR) -> BitextSpec:
    """The Litvinov record: source = Russian TEST RECONSTRUCTION (not the archival
    text), target = the English OCR exhibit (IMTFE Def. Doc. 1504)."""
    return BitextSpec(
        folder=corpora / "litvinov-1938-08-07",
        project="litvinov-1938-08-07",
        title="Litvinov–Shigemitsu conversation, 7 August 1938",
        source=SideSpec("ru.reconstructed.txt", "ru", "reconstruction",
                        "Russian rendering made for testing from the English exhibit; "
                        "NOT the archival DVP text",
                        "Litvinov record (Russian TEST RECONSTRUCTION)"),
        target=SideSpec("en.ocr.txt", "en", "translation",
                        "IMTFE Defense Document No. 1504, English OCR as received",
                        "Litvinov record (English OCR exhibit)"),
    )


def bundled_specs(corpora: Path = CORPORA_DIR) -> list[BitextSpec]:
    """The Litvinov spec (if its folder exists) and every ``bitext.json`` manifest.

    Raises InputError for a manifest that is not valid JSON or lacks a field."""
    specs = []
    if (corpora / "litvinov-1938-08-07" / "en.ocr.txt").is_file():
        specs.append(litvinov_spec(corpora))
    for manifest in sorted(corpora.glob("**/bitext.json")):
        try:
            m = json.loads(manifest.read_text(encoding="utf-8"))
            sides = [SideSpec(m[s]["file"], m[s]["lang"], m[s].get("kind", "other"),
                              m[s].get("note", ""), m[s].get("title"),
                              bool(m.get("strip_markup", False))) for s in ("source", "target")]
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{manifest}: not a usable bitext manifest ({exc})") from None
        specs.append(BitextSpec(manifest.parent, m.get("project", manifest.parent.name),
                                m.get("title", manifest.parent.name), *sides))
    return specs


def standalone_files(corpora: Path = CORPORA_DIR) -> list[tuple[Path, str]]:
    """TEI files in corpus folders that hold no bitext manifest: ``[(path, "en")]``
    (the bundled ones are English; their README says so)."""
    return [(p, "en") for p in sorted(corpora.glob("*/*.tei.xml"))
            if not (p.parent / "bitext.json").exists()]


def import_bitext(session_factory: sessionmaker[Session], spec: BitextSpec) -> tuple[int, int]:
    """Import both documents of ``spec`` (deduplicated); return ``(src_id, tgt_id)``."""
    ids = []
    for side, role in ((spec.source, "source"), (spec.target, "translation")):
        doc = read_document(spec.folder / side.file, side.lang, role=role, kind=side.kind,
                            title=side.title, note=side.note or None,
                            options=ReadOptions(strip_markup=side.strip_markup))
        ids += store_documents(session_factory, [doc], project=spec.project, role=role)
    return ids[0], ids[1]


def bootstrap_if_empty(session_factory: sessionmaker[Session], encoder_provider: Callable[[], object],
                       corpora: Path = CORPORA_DIR, echo: Callable[[str], None] = print) -> list[int]:
    """If the database has no project, import and align every bundled bitext.

    ``encoder_provider()`` is called only if there is something to align. Returns the
    new alignment ids (empty if the database already had data). Raises AlignerError
    (bad corpus file, encoder not available offline)."""
    with session_factory() as session:
        if service.list_projects(session):
            return []
    made = []
    for spec in bundled_specs(corpora):
        labels = [f"{side.lang}: {RECONSTRUCTION_LABEL}"
                  for side in (spec.source, spec.target) if side.kind == "reconstruction"]
        echo(f"importing {spec.title} ({spec.folder.name}{''.join('; ' + x for x in labels)})")
        src_id, tgt_id = import_bitext(session_factory, spec)
        t0 = time.perf_counter()
        aid, alignment = align_stored(session_factory, src_id, tgt_id, encoder_provider())
        n_src = sum(len(b.src) for b in alignment.beads)
        n_tgt = sum(len(b.tgt) for b in alignment.beads)
        echo(f"aligned {n_src} source / {n_tgt} target sentences into "
             f"{len(alignment.beads)} beads in {time.perf_counter() - t0:.1f} s (alignment {aid})")
        made.append(aid)
    for path, lang in standalone_files(corpora):
        docs = store_documents(session_factory, read_documents(path, lang),
                               project=path.parent.name)
        echo(f"imported {len(docs)} document(s) without a partner from {path.name} "
             f"(project {path.parent.name})")
    for spec in rendering_specs(corpora):
        aid = align_rendering(session_factory, encoder_provider, spec)
        if aid is not None:
            echo(f"aligned {spec['target']} to {spec['source']}"
                 f"{' (partial rendering)' if spec.get('partial') else ''} (alignment {aid})")
            made.append(aid)
    return made


def rendering_specs(corpora: Path = CORPORA_DIR) -> list[dict]:
    """The entries of every ``corpora/*/renderings.json``. Raises InputError for a
    manifest that is not valid JSON or lacks a field."""
    specs = []
    for manifest in sorted(corpora.glob("*/renderings.json")):
        try:
            entries = json.loads(manifest.read_text(encoding="utf-8"))["renderings"]
            for e in entries:
                _ = (e["source"], e["source_lang"], e["target"], e["target_lang"])
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{manifest}: not a usable renderings manifest ({exc})") from None
        specs += entries
    return specs


def _stored_document(session: Session, ref: str, lang: str) -> int | None:
    """The id of the stored document ``folder/file`` or ``folder/file#div`` in ``lang``."""
    from sqlalchemy import select

    from aligner.store.models import DocumentRow

    name = ref.split("/", 1)[-1]
    return session.scalars(select(DocumentRow.id).where(DocumentRow.origin_file == name,
                                                        DocumentRow.lang == lang)).first()


def align_rendering(session_factory: sessionmaker[Session], encoder_provider: Callable[[], object],
                    spec: dict) -> int | None:
    """Align a further rendering between two stored documents (None if either is absent)."""
    with session_factory() as session:
        src_id = _stored_document(session, spec["source"], spec["source_lang"])
        tgt_id = _stored_document(session, spec["target"], spec["target_lang"])
    if src_id is None or tgt_id is None:
        return None
    config = AlignConfig(partial=bool(spec.get("partial")))
    return align_stored(session_factory, src_id, tgt_id, encoder_provider(), config)[0]
