"""The pipeline, written once: read a document, align a pair (with crossing candidates and
fidelity flags), store it, and re-align a stored alignment.

Every entry point calls these and nothing else: ``aligner align`` and ``aligner batch``
(CLI), the API's alignment jobs and re-align, and the first-start import of the bundled
corpus. The partial-rendering policy is decided once, by the settings
(:attr:`aligner.align.AlignConfig.partial`), and travels with the alignment.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from aligner.adapt import Adaptation
from aligner.align import AlignConfig, align_documents, align_texts
from aligner.document import default_kind, document_from_bytes, document_from_text, prepare_document
from aligner.errors import InputError
from aligner.fidelity import flag_alignment
from aligner.read import DEFAULT_MAX_BYTES, read_tei_documents, read_text
from aligner.types import PROVENANCE_KINDS, Alignment, Bead, Document

if TYPE_CHECKING:  # the store's types only: a CLI run that stores nothing skips SQLAlchemy (~0.2 s)
    from sqlalchemy.orm import Session, sessionmaker

ProgressFn = Callable[[str, int, int], None]
#: Provenance kind of a document whose kind is not given and whose name does not say
#: "reconstruct": the source is the original, the target a translation.
ROLE_KINDS = {"source": "archival", "translation": "translation"}


@dataclass(frozen=True)
class ReadOptions:
    """How a file is read: ``presplit`` (one sentence per line, as is), ``encoding``
    (None: detect), ``ocr`` (OCR clean-up: page furniture, broken lines), ``strip_markup``
    (drop inline tags such as ``<h1>``; the same default as the command line's
    ``--strip-markup/--keep-markup``), ``max_bytes`` (larger files are refused)."""

    presplit: bool = False
    encoding: str | None = None
    ocr: bool = True
    strip_markup: bool = True
    max_bytes: int = DEFAULT_MAX_BYTES


# --- read -------------------------------------------------------------------------------

def split_fragment(path: str | Path) -> tuple[Path, str | None]:
    """``"frus.xml#d471"`` → ``(Path("frus.xml"), "d471")``; a plain path → ``(path, None)``.

    A fragment names one ``<div type="document">`` (its ``xml:id``) of a TEI file."""
    text = str(path)
    if "#" in text:
        base, _, fragment = text.rpartition("#")
        if base and fragment and "/" not in fragment:
            return Path(base), fragment
    return Path(text), None


def _kind(kind: str | None, name: str, role: str) -> str:
    if kind is not None:
        if kind not in PROVENANCE_KINDS:
            raise InputError(f"unknown provenance kind {kind!r} "
                             f"(use one of {', '.join(PROVENANCE_KINDS)})")
        return kind
    guessed = default_kind(name)
    return guessed if guessed != "other" else ROLE_KINDS.get(role, "other")


def tei_documents(path: Path, lang: str, kind: str | None = None) -> list[Document]:
    """One document per ``<div type="document">`` of a TEI file (edited text: no OCR
    clean-up; one paragraph per line of the extract). Raises InputError."""
    docs = []
    for tei in read_tei_documents(path):
        text = "\n\n".join(line for line in tei.text.splitlines() if line.strip())
        docs.append(document_from_text(text, lang, filename=f"{path.name}#{tei.id}",
                                       kind=kind or "archival", ocr=False,
                                       title=f"{tei.id}: {tei.title}" if tei.title else tei.id))
    return docs


def read_document(source: str | Path | bytes, lang: str, *, role: str = "source",
                  filename: str | None = None, kind: str | None = None, title: str | None = None,
                  note: str | None = None, options: ReadOptions = ReadOptions()) -> Document:
    """Read, clean and segment one document: a file, one TEI div given as ``file.xml#ID``,
    or ``bytes`` (an upload, named by ``filename``).

    ``kind`` is the provenance kind (default: a reconstruction if the name says so, else
    the role's: archival for a source, translation for a translation — and a known test
    reconstruction is recognised by its content whatever the name). Raises InputError
    (unusable input), UnknownLanguageError.
    """
    if isinstance(source, bytes):
        name = filename or "upload.txt"
        doc = document_from_bytes(source, name, lang, presplit=options.presplit,
                                  encoding=options.encoding, kind=_kind(kind, name, role),
                                  ocr=options.ocr, title=title, strip_markup=options.strip_markup,
                                  max_bytes=options.max_bytes)
    else:
        base, fragment = split_fragment(source)
        if fragment is None:
            doc = prepare_document(base, lang, presplit=options.presplit, encoding=options.encoding,
                                   kind=_kind(kind, base.name, role), ocr=options.ocr, title=title,
                                   strip_markup=options.strip_markup, max_bytes=options.max_bytes)
        else:
            docs = {d.provenance.file.rpartition("#")[2]: d for d in tei_documents(base, lang, kind)}
            if fragment not in docs:
                raise InputError(f"{base.name}: no <div type=\"document\"> with xml:id "
                                 f"{fragment!r} (found: {', '.join(docs) or 'none'})")
            doc = docs[fragment]
            if title:
                doc.title = title
    if note:
        doc.provenance = replace(doc.provenance, note=note)
    return doc


def read_documents(path: str | Path, lang: str, *, role: str = "source", kind: str | None = None,
                   options: ReadOptions = ReadOptions()) -> list[Document]:
    """Every document of a file: one per ``<div type="document">`` of a TEI file, else the
    file as one document. Raises InputError."""
    path = Path(path)
    if read_text(path, max_bytes=options.max_bytes).is_tei:
        return tei_documents(path, lang, _kind(kind, path.name, role) if kind else None)
    return [read_document(path, lang, role=role, kind=kind, options=options)]


# --- align --------------------------------------------------------------------------------

def align_pair(src: Document, tgt: Document, encoder, config: AlignConfig | None = None, *,
               flags: bool = True, progress: ProgressFn | None = None,
               adaptation: Adaptation | None = None) -> Alignment:
    """Align a source and its translation: beads with confidences and review flags,
    crossing candidates (:func:`aligner.align.align_documents`), and, with ``flags``, the
    fidelity flags (:func:`aligner.fidelity.flag_alignment`), whose context goes with the
    alignment. ``encoder`` follows :class:`aligner.embed.Encoder`; ``adaptation``
    (:func:`aligner.adapt.fit_adaptation`, a project's confirmed beads) replaces the
    post-pass's default weights and is kept in the alignment's params. Raises ModelError."""
    config = config or AlignConfig()
    alignment = align_documents(src, tgt, encoder, config, progress, adaptation)
    if flags:
        if progress:
            progress("flags", 0, 1)
        flag_alignment(src, tgt, alignment, partial=config.partial)
    return alignment


# --- store --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Stored:
    """Ids of a stored pair."""

    project_id: int
    src_id: int
    tgt_id: int
    alignment_id: int


def store_documents(sessions: sessionmaker[Session], docs: list[Document], *, project: str,
                    role: str = "source") -> list[int]:
    """Store documents in project ``project`` (created if needed; de-duplicated by sha256
    and language); return their ids."""
    from aligner.store.service import get_or_create_project, import_document

    with sessions() as session:
        pid = get_or_create_project(session, project)
        return [import_document(session, pid, doc, role) for doc in docs]


def store_pair(sessions: sessionmaker[Session], src: Document, tgt: Document,
               alignment: Alignment, *, project: str, imported: dict | None = None) -> Stored:
    """Store both documents (de-duplicated) and the alignment; return the ids.
    ``imported``: the provenance of an alignment made by another tool
    (:func:`aligner.store.service.store_alignment`)."""
    from aligner.store.service import get_or_create_project, import_document, store_alignment

    with sessions() as session:
        pid = get_or_create_project(session, project)
        src_id = import_document(session, pid, src, "source")
        tgt_id = import_document(session, pid, tgt, "translation")
        return Stored(pid, src_id, tgt_id,
                      store_alignment(session, src_id, tgt_id, alignment, imported=imported))


def align_stored(sessions: sessionmaker[Session], src_id: int, tgt_id: int, encoder,
                 config: AlignConfig | None = None, *, progress: ProgressFn | None = None
                 ) -> tuple[int, Alignment]:
    """Align two stored documents (:func:`align_pair`, with their project's adaptation)
    and store the alignment; return ``(alignment id, alignment)``. Raises NotFoundError,
    ModelError."""
    from aligner.store.adaptation import project_adaptation
    from aligner.store.models import DocumentRow
    from aligner.store.service import load_document, store_alignment

    with sessions() as session:
        src, tgt = load_document(session, src_id), load_document(session, tgt_id)
        # the row is in the session already (load_document read it): no metadata query
        adaptation = project_adaptation(session, session.get(DocumentRow, src_id).project_id, encoder.name)
    alignment = align_pair(src, tgt, encoder, config, progress=progress, adaptation=adaptation)
    if progress:
        progress("store", 0, 1)
    with sessions() as session:
        return store_alignment(session, src_id, tgt_id, alignment), alignment


# --- re-align -----------------------------------------------------------------------------

def stored_adaptation(sessions: sessionmaker[Session], project: str,
                      encoder_name: str | None = None) -> Adaptation | None:
    """The adaptation of project ``project`` (by name) for an encoder
    (:func:`aligner.store.adaptation.project_adaptation`); None if there is no such project
    or nothing was fitted for it."""
    from aligner.store.adaptation import project_adaptation
    from aligner.store.service import find_project

    with sessions() as session:
        pid = find_project(session, project)
        return None if pid is None else project_adaptation(session, pid, encoder_name)


def alignment_adaptation(session: Session, meta: dict, encoder_name: str | None = None
                         ) -> Adaptation | None:
    """What a re-align of the alignment ``meta`` (:func:`aligner.store.service.get_alignment`)
    uses: its project's adaptation (for ``encoder_name``), else the one it was made with
    (``params["adaptation"]``), else None (the post-pass's default weights)."""
    from aligner.store.adaptation import project_adaptation

    found = project_adaptation(session, meta["project_id"], encoder_name)
    return found if found is not None else Adaptation.from_params(meta["params"])


def stored_config(session: Session, alignment_id: int) -> AlignConfig:
    """The settings an alignment was made with. Raises NotFoundError."""
    from aligner.store.service import get_alignment

    return AlignConfig.from_params(get_alignment(session, alignment_id)["params"])


def realign(session: Session, alignment_id: int, expected_version: int, *, user: str,
            encoder_provider: Callable[[str | None], object] | None = None,
            start: int | None = None, end: int | None = None):
    """Re-align the unconfirmed stretches of a stored alignment with its own settings
    (:func:`stored_config`) and encoder (``encoder_provider(name)`` loads it; default
    :func:`aligner.embed.get_encoder`); confirmed beads are anchors, and every bead made gets
    its flags (:func:`aligner.store.review.realign_unconfirmed`). The project's adaptation
    (``aligner adapt``; :func:`alignment_adaptation`) is used and recorded in the
    alignment's ``params["adaptation"]`` (an undo of the re-align restores the record before).

    When nothing is confirmed and the whole alignment is re-aligned, this is the same run
    as the first alignment (:func:`align_pair`): an unedited alignment comes back as it was.
    Returns the :class:`~aligner.store.review.EditResult`. Raises NotFoundError,
    StaleVersionError, InvariantError, ModelError."""
    from aligner.embed import get_encoder
    from aligner.store import review, service

    meta = service.get_alignment(session, alignment_id)
    config = AlignConfig.from_params(meta["params"])
    encoder = (encoder_provider or get_encoder)(meta["encoder"] or None)
    adaptation = alignment_adaptation(session, meta, getattr(encoder, "name", None))

    def align_runs(runs: list[tuple[list[int], list[int]]]) -> list[list[dict]]:
        src = service.load_document(session, meta["src_document_id"])
        tgt = service.load_document(session, meta["tgt_document_id"])
        src_ids = service.sentence_ids(session, meta["src_document_id"])
        tgt_ids = service.sentence_ids(session, meta["tgt_document_id"])
        if runs == [(src_ids, tgt_ids)]:  # everything: the first alignment's run
            beads = [Bead(tuple(src_ids[i] for i in b.src), tuple(tgt_ids[j] for j in b.tgt),
                          b.score, b.flags)
                     for b in align_pair(src, tgt, encoder, config, adaptation=adaptation).beads]
            return [_bead_dicts(beads)]
        texts = {sid: s.text for ids, doc in ((src_ids, src), (tgt_ids, tgt))
                 for sid, s in zip(ids, doc.sentences)}
        return [_bead_dicts(_align_stretch(run_src, run_tgt, texts, encoder, config, adaptation))
                for run_src, run_tgt in runs]

    records = ((meta["params"] or {}).get("adaptation"), adaptation.to_json() if adaptation else None)
    return review.realign_unconfirmed(session, alignment_id, expected_version, align_runs,
                                      start=start, end=end, user=user,
                                      adaptation=records if records[0] != records[1] else None)


def _bead_dicts(beads: list[Bead]) -> list[dict]:
    return [{"src": list(b.src), "tgt": list(b.tgt), "score": b.score, "flags": list(b.flags)}
            for b in beads]


def _align_stretch(run_src: list[int], run_tgt: list[int], texts: dict[int, str], encoder,
                   config: AlignConfig, adaptation: Adaptation | None = None) -> list[Bead]:
    """Beads (of sentence ids) of one unconfirmed stretch, aligned on its own; fidelity codes
    are added when the edit refreshes the new beads' flags."""
    if not run_src or not run_tgt:  # one side empty: nothing to align with
        null = config.partial
        return ([Bead((s,), (), 1.0, [] if null else ["omission"]) for s in run_src]
                + [Bead((), (t,), 1.0, [] if null else ["addition"]) for t in run_tgt])
    result = align_texts([texts[s] for s in run_src], [texts[t] for t in run_tgt], encoder, config,
                         adaptation=adaptation)
    return [Bead(tuple(run_src[k] for k in b.src), tuple(run_tgt[k] for k in b.tgt), b.score,
                 b.flags) for b in result.beads if b.src or b.tgt]
