"""A batch rerun's look-ups (``bench/batch.py --sets rerun``): how long a rerun of N
already-done tasks takes to find them done, and how many SQL statements it sends, with the
look-ups ``run_tasks`` made per task before (``per_task``: the task's key, its alignment's
reconstruction labels, its pairing link, each in its own session) and with
:func:`aligner.batch.engine.done_before` (``in_lists``: all tasks at once, ``IN (...)``
lists), in one run on one store.

The store holds N pairs of toy documents (tests/support/store.py) aligned, each with its
``batch_task`` row and its pairing pair linked to it, as after a first ``--pair auto`` run:
the tasks carry their documents and pair ids as that mode's do (no files to hash, so only
the look-ups are timed). The two ways alternate (ABBA…), each run ``--repeats`` times; the
figures are medians. Both must give the same results (checked). Counted: every statement
the engine sends (``before_cursor_execute``; an executemany counts once). No encoder loads.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # the project, and its toy documents (tests/support)

from aligner.align import AlignConfig  # noqa: E402
from aligner.batch.engine import done_before  # noqa: E402
from aligner.batch.summary import PairResult  # noqa: E402
from aligner.batch.tasks import PairTask, find_done, record_done, task_hashes, task_key  # noqa: E402

ENCODER = "toy 1"


def per_task(tasks: list[PairTask], sessions, project_id: int, encoder: str,
             config: AlignConfig) -> tuple[dict[int, PairResult], list[int]]:
    """The look-ups of ``run_tasks`` before ``done_before`` (its code at commit 341e377,
    from the same calls): one ``find_done`` (one query when the task's row is there), one
    ``get_alignment`` and one ``link_alignment`` per task, each in a session of its own."""
    from aligner.store.pairing import link_alignment
    from aligner.store.service import get_alignment

    results, todo = {}, []
    for i, task in enumerate(tasks):
        hashes = task_hashes(task)
        settings = task.config(config)
        key = task_key(hashes[0], task.src_lang, hashes[1], task.tgt_lang, encoder, settings)
        with sessions() as session:
            done = find_done(session, key, project_id, hashes[0], task.src_lang, hashes[1],
                             task.tgt_lang, encoder, settings)
        if done is None:
            todo.append(i)
            continue
        with sessions() as session:
            meta = get_alignment(session, done)
        labels = [p["file"] for p in (meta["src_provenance"], meta["tgt_provenance"])
                  if (p or {}).get("kind") == "reconstruction"]
        results[i] = PairResult(task.name, "skipped", alignment_id=done, reconstructions=labels)
        if task.pair_id is not None:
            with sessions() as session:
                link_alignment(session, task.pair_id, done)
    return results, todo


def in_lists(tasks, sessions, project_id, encoder, config):
    return done_before(tasks, sessions, project_id, encoder, config)


@contextmanager
def counted(engine):
    sent = [0]

    def note(*_args):
        sent[0] += 1

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


def prepare(url: str, n: int):
    """A store of ``n`` done pairs (rows and links as a first run leaves them); returns
    ``(engine, sessions, project id, tasks)``."""
    from support.store import toy_alignment, toy_document

    from aligner.pipeline import store_pair
    from aligner.store.db import open_store
    from aligner.store.pairing import link_alignments, save_pairing
    from aligner.store.service import get_or_create_project

    engine, sessions = open_store(url)
    config, docs, stored = AlignConfig(), [], []
    for k in range(n):
        src = toy_document([f"Запись {k}, предложение {i}." for i in range(3)], "ru",
                           kind="reconstruction" if k % 5 == 0 else "archival")
        tgt = toy_document([f"Record {k}, sentence {i}." for i in range(3)], "en", kind="archival")
        alignment = toy_alignment([((i,), (i,)) for i in range(3)])
        alignment.encoder, alignment.params = ENCODER, config.to_params()
        docs.append((src, tgt))
        stored.append(store_pair(sessions, src, tgt, alignment, project="default").alignment_id)
    with sessions() as session:
        project_id = get_or_create_project(session, "default")
        for (src, tgt), aid in zip(docs, stored):
            record_done(session, task_key(src.provenance.sha256, "ru", tgt.provenance.sha256, "en",
                                          ENCODER, config), "t", aid)
        _, ids = save_pairing(session, project_id, src_lang="ru", tgt_lang="en", encoder=ENCODER,
                              params={}, settings=config.to_params(),
                              sources=[{"file": f"s{k}", "ref": f"s{k}"} for k in range(n)],
                              targets=[{"file": f"t{k}", "ref": f"t{k}"} for k in range(n)],
                              pairs=[{"s": k, "t": k, "score": 0.9, "partial": False,
                                      "status": "proposed"} for k in range(n)])
        link_alignments(session, {ids[k, k]: stored[k] for k in range(n)})
    tasks = [PairTask(f"pair{k}", f"s{k}", f"t{k}", "ru", "en", pair_id=ids[k, k], src_doc=src,
                      tgt_doc=tgt) for k, (src, tgt) in enumerate(docs)]
    return engine, sessions, project_id, tasks


def run_rerun_bench(n: int, repeats: int = 3, db: str = "sqlite") -> None:
    cleanup = lambda: None  # noqa: E731
    with tempfile.TemporaryDirectory() as tmp:
        if db == "sqlite":
            url = str(Path(tmp) / "rerun.db")
        else:
            from support.pg import Cluster, Databases, find_binaries

            bindir, why = find_binaries()
            if bindir is None:
                raise SystemExit(f"cannot start PostgreSQL: {why}")
            cluster = Cluster(bindir)
            url, cleanup = Databases(cluster).create("rerun"), cluster.stop
        try:
            start = time.perf_counter()
            engine, sessions, project_id, tasks = prepare(url, n)
            print(f"\n== rerun look-ups: {n} done tasks (--pair auto rerun), {db}; store made in "
                  f"{time.perf_counter() - start:.1f} s; {repeats} runs of each, alternating")
            ways = {"per_task": per_task, "in_lists": in_lists}
            seconds: dict[str, list[float]] = {w: [] for w in ways}
            sent: dict[str, list[int]] = {w: [] for w in ways}
            answers = {}
            for r in range(repeats):
                for name in (list(ways) if r % 2 == 0 else list(ways)[::-1]):
                    with counted(engine) as count:
                        start = time.perf_counter()
                        results, todo = ways[name](tasks, sessions, project_id, ENCODER, AlignConfig())
                        seconds[name].append(time.perf_counter() - start)
                    sent[name].append(count[0])
                    answers[name] = ({i: (x.status, x.alignment_id, x.reconstructions)
                                      for i, x in results.items()}, todo)
            same = answers["per_task"] == answers["in_lists"] and len(answers["in_lists"][0]) == n
            for name in ways:
                s, q = statistics.median(seconds[name]), statistics.median(sent[name])
                print(f"  {name:9s} {s:8.3f} s  {q:7.0f} SQL statements  "
                      f"({s / n * 1e3:.2f} ms, {q / n:.3g} statements per task)")
            print(f"  in_lists is {statistics.median(seconds['per_task']) / statistics.median(seconds['in_lists']):.0f}× "
                  f"faster with {statistics.median(sent['per_task']) / statistics.median(sent['in_lists']):.0f}× "
                  f"fewer statements; same results (all {n} skipped, same alignments and labels): "
                  f"{'yes' if same else 'NO'}")
            engine.dispose()
        finally:
            cleanup()
