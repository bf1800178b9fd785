"""Where batch tasks run: a process pool on this machine, or a Dask distributed cluster.

Both run :func:`aligner.batch.worker.run_task` and hand back futures; the engine
(:mod:`aligner.batch.engine`) polls them, so a signal is seen within a fraction of a
second. Each worker process loads the encoder once and limits its threads to its share
of its host's cores: ``cores // (worker processes × threads each)`` on that host, at least 1.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from functools import partial

from aligner.batch.worker import (init_local_worker, run_task, run_task_spooled, thread_environment,
                                  worker_encoder)
from aligner.errors import AlignerError

EXECUTORS = ("local", "dask")


class LocalExecutor:
    """``workers`` processes on this machine (spawned, not forked: a fork would copy
    the parent's BLAS threads and database connections), each with
    ``cpu_count // workers`` threads unless ``threads`` is given."""

    name = "local"

    def __init__(self, workers: int, encoder: str | None, threads: int | None = None):
        if workers < 1:
            raise AlignerError(f"--workers must be at least 1, not {workers}")
        self.workers = self.slots = workers
        self.encoder = encoder
        self.threads = threads or max(1, (os.cpu_count() or 1) // workers)
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        self._spool = tempfile.mkdtemp(prefix="aligner-batch-")  # results, one file each
        # Spawned children read the thread variables as numpy loads: set them for the start.
        saved = {k: os.environ.get(k) for k in thread_environment(1)}
        os.environ.update(thread_environment(self.threads))
        try:
            pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=init_local_worker, initargs=(self.encoder, self.threads))
            # start every process now, with that environment (the pool starts them lazily)
            for f in [pool.submit(os.getpid) for _ in range(self.workers)]:
                f.result()
            return pool
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    def restart(self) -> None:
        """A new pool after a worker process died (the old one is broken)."""
        self.close(abandon=True)
        self._pool = self._start()

    def __enter__(self) -> "LocalExecutor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def describe(self) -> str:
        return f"local: {self.workers} process(es) × {self.threads} thread(s)"

    def submit(self, task, **kwargs):
        return self._pool.submit(run_task_spooled, self._spool, task, threads=self.threads, **kwargs)

    def close(self, abandon: bool = False, pending=()) -> None:
        """Shut down; with ``abandon``, cancel what is queued and end running workers."""
        if self._pool is None:
            return
        if abandon:
            # the processes, taken before shutdown() forgets them (Python < 3.14 has no
            # public terminate_workers)
            processes = list((getattr(self._pool, "_processes", None) or {}).values())
            self._pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
            for process in processes:
                process.join(timeout=10)
        else:
            self._pool.shutdown(wait=True)
        self._pool = None
        shutil.rmtree(self._spool, ignore_errors=True)


class DaskExecutor:
    """Tasks on a Dask distributed cluster (``scheduler``: ``tcp://HOST:8786``, or a
    ``distributed.Client``/``LocalCluster`` given as ``client``). Needs the ``[dask]``
    extra. The input files must be reachable at the same paths on every worker (a shared
    file system), and so must a server database that workers write to.

    Raises AlignerError: dask is not installed, or the scheduler cannot be reached."""

    name = "dask"

    def __init__(self, scheduler: str | None, encoder: str | None, threads: int | None = None,
                 client=None, timeout: float = 30.0):
        try:
            from distributed import Client
        except ImportError:
            raise AlignerError("--executor dask needs the dask extra: pip install 'aligner[dask]'") from None
        if client is None:
            if not scheduler:
                raise AlignerError("--executor dask needs --scheduler tcp://HOST:8786")
            try:
                client = Client(scheduler, timeout=timeout)
            except (OSError, TimeoutError) as exc:
                raise AlignerError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
            self._own = True
        else:
            self._own = False
        self.client = client
        self.encoder = encoder
        self.threads = threads
        self._shares = self._thread_shares()
        # load the encoder on every worker now (once per process), each with its share
        client.run(_load_on_worker, encoder, self._shares, threads)

    def __enter__(self) -> "DaskExecutor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _thread_shares(self) -> dict[str, int]:
        """Worker address → BLAS threads per task: its host's cores over the task slots
        (worker threads) all workers on that host offer."""
        info = self.client.scheduler_info(n_workers=-1)["workers"] if _takes_n_workers(self.client) \
            else self.client.scheduler_info()["workers"]
        cores = self.client.run(os.cpu_count)
        slots: dict[str, int] = {}
        for address, w in info.items():
            slots[w["host"]] = slots.get(w["host"], 0) + int(w.get("nthreads", 1) or 1)
        self.slots = max(1, sum(slots.values()))  # tasks the cluster runs at once
        return {address: max(1, (cores.get(address) or 1) // slots[w["host"]])
                for address, w in info.items()}

    def describe(self) -> str:
        n = len(self._shares)
        shares = sorted(set(self._shares.values()))
        return f"dask: {n} worker(s) at {self.client.scheduler.address}, {shares} thread(s) each"

    def submit(self, task, **kwargs):
        # pure=False: a task resubmitted after a failure runs again (its key guards the store)
        return self.client.submit(partial(_run_on_worker, self.threads), task, pure=False, **kwargs)

    def close(self, abandon: bool = False, pending=()) -> None:
        """Disconnect; with ``abandon``, cancel ``pending`` futures first (a task already
        running on a worker runs to its end there; its result is dropped)."""
        if abandon and pending:
            try:
                self.client.cancel(list(pending), force=True)
            except Exception:  # noqa: BLE001 - the cluster may be going away already
                pass
        if self._own and self.client is not None:
            self.client.close()
            self.client = None


def _takes_n_workers(client) -> bool:
    import inspect

    return "n_workers" in inspect.signature(client.scheduler_info).parameters


def _worker_share(threads: int | None) -> int:
    """This Dask worker's thread share (explicit ``threads``, else the share found when the
    encoder was loaded here, :func:`_load_on_worker`, else 1)."""
    if threads:
        return threads
    from aligner.batch import worker as state

    return (state._WORKER.get("key") or (None, 1))[1]


def _load_on_worker(encoder: str | None, shares: dict[str, int], threads: int | None,
                    dask_worker=None) -> int:
    share = threads or (shares.get(dask_worker.address, 1) if dask_worker is not None else 1)
    worker_encoder(encoder, share)
    return share


def _run_on_worker(threads: int | None, task, **kwargs):
    return run_task(task, threads=_worker_share(threads), **kwargs)


def make_executor(kind: str, *, workers: int = 2, encoder: str | None = None,
                  scheduler: str | None = None, threads: int | None = None, client=None):
    """A :class:`LocalExecutor` or :class:`DaskExecutor`. Raises AlignerError."""
    if kind == "local":
        return LocalExecutor(workers, encoder, threads)
    if kind == "dask":
        return DaskExecutor(scheduler, encoder, threads, client=client)
    raise AlignerError(f"unknown --executor {kind!r}; use one of {', '.join(EXECUTORS)}")
