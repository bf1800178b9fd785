"""The batch engine: run a batch's tasks on an executor (a local process pool or a Dask
cluster), store each result once, show progress, stop cleanly on a signal.

* **One writer.** With a SQLite store, workers send their aligned pairs back and this
  process stores them (:func:`aligner.batch.worker.store_outcome`), one at a time; with a
  server database (PostgreSQL) that every worker reaches, workers store their own pairs.
* **Idempotent.** A task whose key (:func:`aligner.batch.tasks.task_key`) is done is
  skipped before it runs, and checked again before its result is stored; a local worker
  process that dies has its pool restarted and its unfinished tasks run again (at most
  :data:`TRIES` times each); Dask reschedules a lost worker's tasks itself.
* **Progress.** A bar on a terminal; otherwise one line per finished pair on ``stream``
  (so ``aligner batch DIR --db x.db > log 2>&1`` writes as pairs finish).
* **Signals.** SIGINT or SIGTERM stop the run: no new task starts, the pair being stored
  is stored, running tasks are abandoned (a rerun does them), and the report says so.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Callable, Iterable, TextIO

from aligner.align import AlignConfig
from aligner.batch.summary import PairResult
from aligner.batch.tasks import (PairTask, find_done_many, reconstruction_files, task_hashes,
                                 task_key)
from aligner.embed import encoder_label
from aligner.batch.worker import TaskOutcome, store_outcome
from aligner.pipeline import ReadOptions, split_fragment

TRIES = 2  # runs of a task whose worker process died
POLL_SECONDS = 0.2


@dataclass
class BatchReport:
    """What a run did: one result per task (in task order), the signal that stopped it
    (``"SIGTERM"``…, or None), how many tasks were abandoned or never started, the workers'
    peak memory (bytes, by process id), CPU and wall seconds spent in tasks (summed over
    workers), and wall seconds the writer spent storing."""

    results: list[PairResult] = field(default_factory=list)
    stopped_by: str | None = None
    abandoned: int = 0
    peak_rss: dict[int, int] = field(default_factory=dict)
    task_cpu: float = 0.0
    task_seconds: float = 0.0
    store_seconds: float = 0.0
    executor: str = ""

    def closing_line(self) -> str:
        """One line: counts of aligned/skipped/failed pairs, and why the run stopped."""
        count = {s: sum(r.status == s for r in self.results) for s in ("aligned", "skipped", "failed")}
        line = f"{count['aligned']} pair(s) aligned and stored, {count['skipped']} already done, {count['failed']} failed"
        if self.stopped_by:
            line = (f"stopped by {self.stopped_by}: {line}; {self.abandoned} not finished and not "
                    "stored (run the same command again to do them)")
        return line


class StopFlag:
    """Set by SIGINT/SIGTERM while :meth:`installed` (main thread only; elsewhere, e.g.
    in a server thread, signals are left alone)."""

    def __init__(self) -> None:
        self.signal: str | None = None

    def set(self, name: str = "stop") -> None:
        self.signal = self.signal or name

    def installed(self):
        flag = self

        class _Handlers:
            def __enter__(self_inner):
                self_inner.saved = {}
                if threading.current_thread() is threading.main_thread():
                    for sig in (signal.SIGINT, signal.SIGTERM):
                        self_inner.saved[sig] = signal.signal(
                            sig, lambda s, _f: flag.set(signal.Signals(s).name))
                return flag

            def __exit__(self_inner, *exc):
                for sig, old in self_inner.saved.items():
                    signal.signal(sig, old)

        return _Handlers()


def run_tasks(tasks: Iterable[PairTask], sessions, executor, encoder, *, project: str = "default",
              config: AlignConfig | None = None, with_flags: bool = True,
              options: ReadOptions = ReadOptions(), db_url: str | None = None,
              progress: str | None = "auto", stream: TextIO | None = None,
              stop: StopFlag | None = None,
              on_result: Callable[[PairResult], None] | None = None) -> BatchReport:
    """Run every task on ``executor`` (:mod:`aligner.batch.executors`) and store the pairs.

    ``sessions``: the store's sessionmaker (the writer's); ``encoder``: the encoder the
    workers load (its name and version key the tasks); ``db_url``: give a server
    database's URL to let workers store their own pairs. ``progress``: ``"bar"``,
    ``"lines"``, None, or ``"auto"`` (a bar if ``stream`` is a terminal, else lines);
    ``stream`` defaults to stderr. ``stop``: a :class:`StopFlag` (signals are caught while
    the run lasts; on one, running tasks are abandoned and the executor is closed, else
    the executor stays open for the caller). Returns a :class:`BatchReport`; never raises
    for a bad pair.
    """
    from aligner.store.adaptation import project_adaptation
    from aligner.store.service import get_or_create_project

    tasks, config, stream = list(tasks), config or AlignConfig(), stream or sys.stderr
    stop = stop or StopFlag()
    label = encoder_label(encoder)
    report = BatchReport(executor=executor.describe())
    with sessions() as session:
        project_id = get_or_create_project(session, project)
    results, todo = done_before(tasks, sessions, project_id, label, config)
    show = _Progress(progress, stream, len(tasks), len(results))
    for i in sorted(results):
        show.done(results[i])
    with sessions() as session:  # the project's adaptation (`aligner adapt`) goes to the workers
        adaptation = project_adaptation(session, project_id, encoder.name)
    settings = config.to_params() | ({"adaptation": adaptation.to_json()} if adaptation else {})
    kwargs = dict(settings=settings, encoder=encoder.name,
                  options=options, with_flags=with_flags, db=db_url, project=project)
    tries = {i: 0 for i in todo}
    # largest first (Graham 1969, LPT): a long book started last would leave the other
    # workers idle while it runs
    queue, running = sorted(todo, key=lambda i: -_size(tasks[i])), {}
    window = max(2, 2 * getattr(executor, "slots", 2))
    with stop.installed():
        try:
            while (queue or running) and not stop.signal:
                while queue and len(running) < window:
                    i = queue.pop(0)
                    tries[i] += 1
                    running[executor.submit(tasks[i], **kwargs)] = i
                finished = [f for f in running if f.done()]
                if not finished:
                    time.sleep(POLL_SECONDS)
                    continue
                for future in finished:
                    if stop.signal:
                        break
                    i = running.pop(future)
                    try:
                        outcome: TaskOutcome = future.result().load()
                    except BrokenProcessPool:
                        queue[:0] = _requeue(i, running, tries, executor, results, tasks)
                        break
                    except Exception as exc:  # noqa: BLE001 - e.g. Dask's KilledWorker
                        outcome = TaskOutcome(PairResult(tasks[i].name, "failed",
                                                         error=f"{type(exc).__name__}: {exc}"))
                    report.task_seconds += outcome.result.seconds
                    stored_at = time.perf_counter()
                    results[i] = _store(outcome, tasks[i], sessions, project, label, config)
                    report.store_seconds += time.perf_counter() - stored_at
                    report.peak_rss[outcome.pid] = max(report.peak_rss.get(outcome.pid, 0), outcome.peak_rss)
                    report.task_cpu += outcome.cpu
                    show.done(results[i])
                    if on_result:
                        on_result(results[i])
        finally:
            report.stopped_by = stop.signal
            report.abandoned = len(queue) + len(running)
            if stop.signal:  # otherwise the executor is the caller's, to reuse or close
                executor.close(abandon=True, pending=list(running))
            show.close()
    report.results = [results[i] for i in sorted(results)]
    return report


def done_before(tasks: list[PairTask], sessions, project_id: int, encoder: str,
                config: AlignConfig) -> tuple[dict[int, PairResult], list[int]]:
    """Which tasks a run need not start: ``({task index: result}, [indexes to run])``.

    A task whose key is done (:func:`aligner.batch.tasks.find_done_many`) is ``skipped``,
    with its alignment's test reconstructions named (as the first run named them) and, in
    pairing mode, its pair linked to that alignment; a task whose files cannot be read
    has ``failed``; a TEI div (hash known once read) is run, and checked before storing.
    ``encoder``: ``"name version"``. All tasks are looked up together, in a few
    ``IN (...)`` queries (a rerun of thousands of tasks used to make several per task)."""
    from aligner.store.pairing import link_alignments

    results: dict[int, PairResult] = {}
    keys: dict[int, str] = {}
    wanted = {}
    for i, task in enumerate(tasks):
        try:
            hashes = task_hashes(task)
        except OSError as exc:
            results[i] = PairResult(task.name, "failed", error=f"{exc.filename or task.name}: {exc.strerror or exc}")
            continue
        if hashes is not None:
            settings = task.config(config)
            keys[i] = task_key(hashes[0], task.src_lang, hashes[1], task.tgt_lang, encoder, settings)
            wanted[keys[i]] = (hashes[0], task.src_lang, hashes[1], task.tgt_lang, settings)
    with sessions() as session:
        done = find_done_many(session, project_id, encoder, wanted)
        labels = reconstruction_files(session, done.values())
        links = {tasks[i].pair_id: done[key] for i, key in keys.items()
                 if key in done and tasks[i].pair_id is not None}
        if links:
            link_alignments(session, links)
    for i, key in keys.items():
        if key in done:
            results[i] = PairResult(tasks[i].name, "skipped", alignment_id=done[key],
                                    reconstructions=labels.get(done[key], []))
    return results, [i for i in range(len(tasks)) if i not in results]


def _size(task: PairTask) -> int:
    """Characters (or bytes) of a task's two texts, to start the largest first; 0 if unknown."""
    if task.src_doc is not None and task.tgt_doc is not None:
        return len(task.src_doc.raw_text) + len(task.tgt_doc.raw_text)
    try:
        return sum(os.path.getsize(split_fragment(p)[0]) for p in (task.source, task.translation))
    except OSError:
        return 0


def _requeue(i: int, running: dict, tries: dict, executor, results: dict, tasks: list) -> list[int]:
    """A worker process died: restart the pool and give back every unfinished task that
    has tries left (the others fail)."""
    lost = [i] + list(running.values())
    running.clear()
    executor.restart()
    again = []
    for k in lost:
        if tries[k] < TRIES:
            again.append(k)
        else:
            results[k] = PairResult(tasks[k].name, "failed",
                                    error=f"its worker process died {tries[k]} times")
    return again


def _store(outcome: TaskOutcome, task: PairTask, sessions, project: str, label: str,
           config: AlignConfig) -> PairResult:
    """The writer's part: store a pair a worker sent back (unless its key is done)."""
    result = outcome.result
    if outcome.alignment is None or result.status != "aligned":
        return result
    try:
        result.status, result.alignment_id = store_outcome(
            sessions, project, task, outcome.key, outcome.src, outcome.tgt, outcome.alignment,
            label, task.config(config))
    except Exception as exc:  # noqa: BLE001 - one bad pair must not stop the batch
        result.status, result.error = "failed", f"storing: {type(exc).__name__}: {exc}"
    return result


class _Progress:
    """A tqdm bar (terminal) or one line per finished pair, flushed (a log)."""

    def __init__(self, mode: str | None, stream: TextIO, total: int, already: int):
        if mode == "auto":
            mode = "bar" if getattr(stream, "isatty", lambda: False)() else "lines"
        self.mode, self.stream, self.total, self.n = mode, stream, total, 0
        self.bar = None
        if mode == "bar":
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc="pairs", unit="pair", file=stream)

    def done(self, r: PairResult) -> None:
        self.n += 1
        if self.bar is not None:
            self.bar.set_postfix_str(r.name[:40], refresh=False)
            self.bar.update(1)
        elif self.mode == "lines":
            what = (f"{r.src_sentences} / {r.tgt_sentences} sentences, {r.beads} beads, "
                    f"alignment {r.alignment_id}" if r.status == "aligned" else
                    f"alignment {r.alignment_id}" if r.status == "skipped" else r.error)
            print(f"[{self.n}/{self.total}] {r.status} {r.name}: {what} ({r.seconds:.1f} s)",
                  file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
