"""Background alignment jobs with progress, run in a small thread pool.

A job aligns two stored documents and stores the result through the pipeline
(:func:`aligner.pipeline.align_stored`), with the settings given for it. Jobs live in
memory (a restart forgets finished jobs; their alignments are in the database).
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Callable

from sqlalchemy.orm import Session, sessionmaker

from aligner.errors import AlignerError
from aligner.store import InvariantError, NotFoundError
from aligner.store import service

log = logging.getLogger("aligner.api.jobs")

#: Share of the progress bar given to each stage reported by align_documents; the
#: remainder (after the last stage) is storing. Encoding dominates the run time.
_STAGE_SPAN = {"load": (0.0, 0.05), "encode": (0.05, 0.65), "other": (0.65, 0.9),
               "flags": (0.9, 0.95), "store": (0.95, 1.0)}
#: Finished jobs kept in memory (oldest dropped first).
MAX_JOBS_KEPT = 200

EncoderProvider = Callable[[str | None], object]


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Job:
    """One alignment job; ``progress`` in [0, 1]."""

    id: str
    project_id: int
    src_document_id: int
    tgt_document_id: int
    encoder: str | None = None
    settings: dict = field(default_factory=dict)
    state: str = "queued"
    stage: str = "queued"
    progress: float = 0.0
    alignment_id: int | None = None
    error: str | None = None
    created: datetime = field(default_factory=_now)
    finished: datetime | None = None

    @property
    def partial(self) -> bool:
        return bool(self.settings.get("partial", False))

    def as_dict(self) -> dict:
        return {**asdict(self), "partial": self.partial}


class JobManager:
    """Runs alignment jobs in ``workers`` threads.

    ``session_factory`` makes store sessions; ``encoder_provider(name)`` returns an
    encoder (``None`` = the server default). Thread-safe.
    """

    def __init__(self, session_factory: sessionmaker[Session], encoder_provider: EncoderProvider,
                 workers: int = 1, config=None, default_encoder: str | None = None) -> None:
        self._sessions = session_factory
        self._encoder = encoder_provider
        self._config = config
        self._default_encoder = default_encoder
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="align-job")
        self._jobs: dict[str, Job] = {}
        self._work: dict[str, tuple] = {}  # job id -> what it computes (documents, encoder, settings)
        self._lock = threading.Lock()

    def submit(self, project_id: int, src_document_id: int, tgt_document_id: int,
               encoder: str | None = None, settings: dict | None = None) -> Job:
        """Check the request now (so a bad id is a 404 at once) and queue the job.
        ``settings`` are aligner settings (:data:`aligner.align.SETTINGS`) over the server's.
        A request for the same work (documents, canonical encoder, every setting as the job
        will use them) while such a job is queued or running returns that job.

        Raises NotFoundError (project/document), InvariantError (a document of another
        project, or the same document on both sides), SettingError (unknown setting or
        bad value)."""
        from dataclasses import replace

        from aligner.align import AlignConfig
        from aligner.embed import canonical_encoder
        from aligner.settings import validate

        settings = validate(AlignConfig, settings or {})
        with self._sessions() as session:
            service.get_project(session, project_id)
            for doc_id in (src_document_id, tgt_document_id):
                doc = service.get_document(session, doc_id)
                if doc["project_id"] != project_id:
                    raise InvariantError(
                        f"document {doc_id} belongs to project {doc['project_id']}, "
                        f"not to project {project_id}")
        if src_document_id == tgt_document_id:
            raise InvariantError("source and target must be two different documents")
        job = Job(id=uuid.uuid4().hex[:12], project_id=project_id,
                  src_document_id=src_document_id, tgt_document_id=tgt_document_id,
                  encoder=encoder, settings=settings)
        config = replace(self._config or AlignConfig(), **settings)
        key = (project_id, src_document_id, tgt_document_id,
               canonical_encoder(encoder or self._default_encoder),
               json.dumps(config.to_params(), sort_keys=True))
        with self._lock:
            # the same work asked for again while it is queued or running (a double click,
            # two reviewers confirming one pair, the default encoder by name): that job
            for other_id, other_key in self._work.items():
                if other_key == key and self._jobs[other_id].state in ("queued", "running"):
                    return self._jobs[other_id]
            self._jobs[job.id] = job
            self._work[job.id] = key
            self._forget_old()
        self._pool.submit(self._run, job, config)
        return job

    def get(self, job_id: str) -> Job:
        """The job with this id. Raises NotFoundError."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"job {job_id!r} not found (jobs are forgotten on restart)")
        return job

    def list(self) -> list[Job]:
        """All jobs kept, newest first."""
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: j.created, reverse=True)

    def wait(self, job_id: str, timeout: float = 60.0) -> Job:
        """Block until the job is done or failed (for scripts and tests)."""
        import time

        deadline = time.monotonic() + timeout
        job = self.get(job_id)
        while job.state in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.02)
        return job

    def shutdown(self) -> None:
        """Stop accepting jobs and wait for the running ones."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    # --- worker --------------------------------------------------------------------

    def _forget_old(self) -> None:
        done = [j for j in self._jobs.values() if j.state in ("done", "failed")]
        for j in sorted(done, key=lambda j: j.created)[: max(0, len(self._jobs) - MAX_JOBS_KEPT)]:
            del self._jobs[j.id]
            del self._work[j.id]

    def _set(self, job: Job, stage: str, fraction: float) -> None:
        lo, hi = _STAGE_SPAN.get(stage, _STAGE_SPAN["other"])
        job.stage = stage
        # Never move backwards: stages may report in any order.
        job.progress = max(job.progress, round(lo + (hi - lo) * min(max(fraction, 0.0), 1.0), 3))

    def _run(self, job: Job, config) -> None:
        from aligner.pipeline import align_stored

        job.state = "running"
        try:
            self._set(job, "load", 0.0)
            encoder = self._encoder(job.encoder)

            def progress(stage: str, done: int, total: int) -> None:
                self._set(job, stage, done / total if total else 1.0)

            job.alignment_id, _ = align_stored(self._sessions, job.src_document_id,
                                               job.tgt_document_id, encoder, config,
                                               progress=progress)
            job.progress, job.stage, job.state = 1.0, "done", "done"
        except AlignerError as exc:
            job.state, job.stage, job.error = "failed", "failed", str(exc)
        except Exception:  # noqa: BLE001 - a job must never die silently
            log.exception("alignment job %s failed", job.id)
            job.state, job.stage = "failed", "failed"
            job.error = "internal error while aligning (see the server log); nothing was stored"
        finally:
            job.finished = _now()
