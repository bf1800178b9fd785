"""The tasks of a batch: one per pair, idempotent.

A task names a pair (two files, a TEI div ``f.xml#id``, or a record ``volume.txt#102``
with its documents already read) and is keyed by :func:`task_key`: the sha256 of both
texts' content hashes and languages, the encoder (name and version) and the aligner
settings. The store keeps one ``batch_task`` row per key once its alignment is stored
(:func:`record_done`); before a task runs and again before its result is stored,
:func:`find_done` asks whether the key is done, by that row or, should a crash have come
between storing the alignment and its row, by an alignment of the same two documents with
the same encoder and settings. So a rerun, or a task run twice by a cluster that lost a
worker, never stores a pair twice, and a pair whose worker died is simply run again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields, replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from aligner.align import AlignConfig
from aligner.batch.discover import PairSpec
from aligner.pipeline import ReadOptions, read_document, split_fragment
from aligner.types import Document


@dataclass(frozen=True)
class PairTask(PairSpec):
    """One pair to align: a :class:`~aligner.batch.discover.PairSpec` (``source`` and
    ``translation``: a file, a TEI div ``f.xml#ID``; or, when ``src_doc``/``tgt_doc`` are
    given, records found by pairing, ``volume.txt#102``, only their references) and what the
    engine needs besides. ``partial``: align with ``AlignConfig(partial=True)`` (the target
    renders part of the source). ``pair_id``: the ``pairing_pair`` row this task aligns
    (pairing mode), linked to the alignment when it is stored. ``src_doc``/``tgt_doc``: the
    documents, read already (pairing mode); else the files are read by the worker.
    """

    partial: bool = False
    pair_id: int | None = None
    src_doc: Document | None = None
    tgt_doc: Document | None = None

    @classmethod
    def from_spec(cls, spec: PairSpec) -> "PairTask":
        """The task of a pair found by name or listed in a manifest."""
        return cls(**{f.name: getattr(spec, f.name) for f in fields(PairSpec)})

    def config(self, base: AlignConfig) -> AlignConfig:
        """The settings this task is aligned with: ``base``, partial if the task is."""
        return replace(base, partial=True) if self.partial and not base.partial else base


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file's bytes (a whole file's document has this content hash)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def task_hashes(task: PairTask) -> tuple[str, str] | None:
    """The content hashes of a task's two texts if known before reading them: documents
    already read, or two whole files; None for a TEI div (known once it is read).
    Raises OSError for a file that cannot be read."""
    if task.src_doc is not None and task.tgt_doc is not None:
        return task.src_doc.provenance.sha256, task.tgt_doc.provenance.sha256
    if split_fragment(task.source)[1] or split_fragment(task.translation)[1]:
        return None
    return file_sha256(task.source), file_sha256(task.translation)


def task_key(src_sha: str, src_lang: str, tgt_sha: str, tgt_lang: str, encoder: str,
             config: AlignConfig) -> str:
    """Hex sha256 naming a task: both texts' content hashes and languages, the encoder
    (``"name version"``) and every aligner setting (:meth:`AlignConfig.to_params`)."""
    blob = json.dumps([src_sha, src_lang, tgt_sha, tgt_lang, encoder, config.to_params()],
                      sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def read_task(task: PairTask, options: ReadOptions = ReadOptions()) -> tuple[Document, Document]:
    """The two documents of a task (read through :func:`aligner.pipeline.read_document`
    unless the task carries them). Raises InputError, OSError."""
    if task.src_doc is not None and task.tgt_doc is not None:
        return task.src_doc, task.tgt_doc
    src = read_document(task.source, task.src_lang, role="source", kind=task.kind,
                        title=task.title, options=options)
    tgt = read_document(task.translation, task.tgt_lang, role="translation", kind=task.tgt_kind,
                        title=task.title, options=options)
    return src, tgt


#: What a done task is looked up by: both texts' content hashes and languages, the settings.
Wanted = tuple[str, str, str, str, AlignConfig]


def find_done(session: Session, key: str, project_id: int, src_sha: str, src_lang: str,
              tgt_sha: str, tgt_lang: str, encoder: str, config: AlignConfig) -> int | None:
    """Id of the alignment that task ``key`` stored, or None (:func:`find_done_many` for
    one task)."""
    return find_done_many(session, project_id, encoder,
                          {key: (src_sha, src_lang, tgt_sha, tgt_lang, config)}).get(key)


def find_done_many(session: Session, project_id: int, encoder: str,
                   wanted: dict[str, Wanted]) -> dict[str, int]:
    """``{key: alignment id}`` of the tasks of ``wanted`` (``{key: (source sha256, source
    language, target sha256, target language, settings)}``) that are done: by their
    ``batch_task`` row (if its alignment is in project ``project_id``: the same texts
    batched into another project are aligned there too), else by an alignment in the project of documents with
    these content hashes and languages, made by ``encoder`` (``"name version"``) with the
    same settings (the oldest such). Reads in ``IN (...)`` lists
    (:func:`aligner.store.service.common.in_chunks`): a
    rerun of thousands of tasks makes a few queries, not one or two per task."""
    from aligner.store.models import AlignmentRow, DocumentRow
    from aligner.store.pairing_models import BatchTask
    from aligner.store.service.common import in_chunks

    done: dict[str, int] = {}
    for part in in_chunks(list(wanted)):  # a row of this project's (the key names no project)
        done.update(session.execute(
            select(BatchTask.key, BatchTask.alignment_id)
            .join(AlignmentRow, AlignmentRow.id == BatchTask.alignment_id)
            .join(DocumentRow, DocumentRow.id == AlignmentRow.src_document_id)
            .where(BatchTask.key.in_(part), DocumentRow.project_id == project_id)).all())
    rest = {key: w for key, w in wanted.items() if key not in done}
    if not rest:
        return done
    name, _, version = encoder.partition(" ")
    src, tgt = aliased(DocumentRow), aliased(DocumentRow)
    by_texts: dict[tuple[str, str, str, str], dict[int, dict]] = {}
    for part in in_chunks(list(rest.values())):
        rows = session.execute(
            select(AlignmentRow.id, AlignmentRow.params, src.sha256, src.lang, tgt.sha256, tgt.lang)
            .join(src, src.id == AlignmentRow.src_document_id)
            .join(tgt, tgt.id == AlignmentRow.tgt_document_id)
            .where(src.project_id == project_id, src.sha256.in_({w[0] for w in part}),
                   tgt.sha256.in_({w[2] for w in part}),
                   AlignmentRow.encoder_name == name, AlignmentRow.encoder_version == version))
        for alignment_id, params, *texts in rows:
            by_texts.setdefault(tuple(texts), {})[alignment_id] = params
    settings: dict[int, dict | None] = {}  # alignment id -> its settings, read once
    for key, (*texts, config) in rest.items():
        candidates = by_texts.get(tuple(texts), {})
        for alignment_id in sorted(candidates):
            if alignment_id not in settings:
                settings[alignment_id] = _settings(candidates[alignment_id])
            if settings[alignment_id] == config.to_params():
                done[key] = alignment_id
                break
    return done


def reconstruction_files(session: Session, alignment_ids) -> dict[int, list[str]]:
    """``{alignment id: its files that are test reconstructions}`` (source first; an
    alignment with none is left out), read in ``IN (...)`` lists: a rerun's report labels
    them as the first run's did."""
    from aligner.store.models import AlignmentRow, DocumentRow
    from aligner.store.service.common import in_chunks

    src, tgt = aliased(DocumentRow), aliased(DocumentRow)
    out: dict[int, list[str]] = {}
    for part in in_chunks(sorted(set(alignment_ids))):
        for alignment_id, *sides in session.execute(
                select(AlignmentRow.id, src.origin_file, src.kind, tgt.origin_file, tgt.kind)
                .join(src, src.id == AlignmentRow.src_document_id)
                .join(tgt, tgt.id == AlignmentRow.tgt_document_id)
                .where(AlignmentRow.id.in_(part))):
            files = [file for file, kind in (sides[:2], sides[2:]) if kind == "reconstruction"]
            if files:
                out[alignment_id] = files
    return out


def _settings(params: dict | None) -> dict | None:
    """A stored alignment's settings as :meth:`AlignConfig.to_params` gives them today, or
    None for settings of an older version (not any task's)."""
    try:
        return AlignConfig.from_params(params).to_params()
    except Exception:  # noqa: BLE001 - unreadable settings: not this task
        return None


def record_done(session: Session, key: str, name: str, alignment_id: int) -> None:
    """Write task ``key``'s row (one transaction; a row already there is kept: the task
    done in another project first, whose reruns here find this alignment by its texts)."""
    from aligner.store.pairing_models import BatchTask
    from aligner.store.service.common import _writing

    with _writing(session):
        if session.get(BatchTask, key) is None:
            session.add(BatchTask(key=key, name=name[:500], alignment_id=alignment_id))
