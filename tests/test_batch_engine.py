"""The batch engine (aligner.batch.engine, .executors, .worker, .tasks): idempotent tasks,
a log line per finished pair, a clean stop on SIGTERM, a run killed mid-way resumed with
nothing lost or duplicated, and the same beads from a real Dask LocalCluster as from the
local process pool. Real processes, the real default encoder (use-m3)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from aligner.align import AlignConfig
from aligner.batch import discover_pairs
from aligner.batch.engine import run_tasks
from aligner.batch.executors import LocalExecutor, make_executor
from aligner.batch.tasks import PairTask, task_key
from aligner.errors import AlignerError
from aligner.store.db import open_store
from aligner.store.models import AlignmentRow, BeadRow, BeadSentence, DocumentRow, SentenceRow
from support.batch import counts, run_batch, write_pairs

ROOT = Path(__file__).resolve().parents[1]


def bead_texts(db: Path) -> dict[str, list[tuple[tuple[str, ...], tuple[str, ...], float]]]:
    """Source file name → its alignment's beads as (source texts, target texts, score)."""
    _, sessions = open_store(db)
    out = {}
    with sessions() as s:
        for al in s.scalars(select(AlignmentRow)):
            name = s.get(DocumentRow, al.src_document_id).origin_file
            beads = []
            for bead in s.scalars(select(BeadRow).where(BeadRow.alignment_id == al.id).order_by(BeadRow.position)):
                sides = {"src": [], "tgt": []}
                for bs, text in s.execute(select(BeadSentence, SentenceRow.text)
                                          .join(SentenceRow, SentenceRow.id == BeadSentence.sentence_id)
                                          .where(BeadSentence.bead_id == bead.id).order_by(BeadSentence.ord)):
                    sides[bs.side].append(text)
                beads.append((tuple(sides["src"]), tuple(sides["tgt"]), round(bead.score, 3)))
            out[Path(name).name] = beads
    return out


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "api.cli", *args]


def wait_for(path: Path, pattern: str, child: subprocess.Popen, timeout: float = 240) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        if re.search(pattern, text, re.M):
            return text
        if child.poll() is not None:
            break
        time.sleep(0.1)
    raise AssertionError(f"no {pattern!r} in the log:\n{path.read_text() if path.exists() else ''}")


def test_task_key_names_texts_encoder_and_settings():
    base = task_key("a", "ru", "b", "en", "use-m3 1", AlignConfig())
    assert base == task_key("a", "ru", "b", "en", "use-m3 1", AlignConfig())
    changed = [task_key("a2", "ru", "b", "en", "use-m3 1", AlignConfig()),
               task_key("a", "ru", "b", "de", "use-m3 1", AlignConfig()),
               task_key("a", "ru", "b", "en", "use-m3 2", AlignConfig()),
               task_key("a", "ru", "b", "en", "use-m3 1", AlignConfig(max_side=3)),
               PairTask("x", "s", "t", "ru", "en", partial=True).config(AlignConfig()).to_params() and
               task_key("a", "ru", "b", "en", "use-m3 1",
                        PairTask("x", "s", "t", "ru", "en", partial=True).config(AlignConfig()))]
    assert len(set(changed) | {base}) == 6


def test_log_lines_as_pairs_finish_and_a_clean_stop_on_sigterm(tmp_path):
    names = write_pairs(tmp_path / "texts", 6, 400)
    db, log = tmp_path / "x.db", tmp_path / "log"
    with log.open("w") as out:  # `aligner batch DIR --db x.db > log 2>&1`
        child = subprocess.Popen(cli("batch", str(tmp_path / "texts"), "--db", str(db), "--workers", "1"),
                                 stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        try:
            wait_for(log, r"^\[1/6\] aligned work\d\d", child)
            child.send_signal(signal.SIGTERM)
            assert child.wait(timeout=60) == 128 + signal.SIGTERM
        finally:
            if child.poll() is None:
                child.kill()
    text = log.read_text(encoding="utf-8")
    done = re.findall(r"^\[\d+/6\] aligned (work\d\d)", text, re.M)  # any order: largest first
    assert 1 <= len(done) < len(names)
    stopped = re.search(r"^stopped by SIGTERM: (\d+) pair\(s\) aligned and stored, 0 already done, "
                        r"0 failed; (\d+) not finished", text, re.M)
    assert stopped, text
    assert int(stopped.group(1)) == len(done) and int(stopped.group(2)) == len(names) - len(done)
    assert counts(db)["alignments"] == len(done)  # the summary says what is in the store
    rerun = subprocess.run(cli("batch", str(tmp_path / "texts"), "--db", str(db), "--workers", "2"),
                           capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert len(re.findall(r"^\[\d+/6\] skipped", rerun.stderr, re.M)) == len(done)
    assert counts(db) == {"documents": 12, "distinct_documents": 12, "alignments": 6, "distinct_pairs": 6,
                          "tasks": 6}


def test_a_run_killed_mid_way_resumes_with_nothing_lost_or_duplicated(tmp_path):
    names = write_pairs(tmp_path / "texts", 5, 400)
    db, log = tmp_path / "k.db", tmp_path / "log"
    open_store(db)
    with log.open("w") as out:
        child = subprocess.Popen(cli("batch", str(tmp_path / "texts"), "--db", str(db), "--workers", "2"),
                                 stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
        try:
            wait_for(log, r"^\[1/5\] aligned", child)
        finally:  # the writer and its workers die at once, wherever they are
            os.killpg(child.pid, signal.SIGKILL)
            child.wait(timeout=30)
    stored = counts(db)
    assert 1 <= stored["alignments"] < len(names)
    assert stored["alignments"] == stored["distinct_pairs"] and stored["tasks"] <= stored["alignments"]
    _, sessions = open_store(db)
    tasks = [PairTask.from_spec(s) for s in discover_pairs(tmp_path / "texts")]
    from aligner.embed import get_encoder

    report = run_batch(tasks, sessions, get_encoder(), workers=2)
    statuses = [r.status for r in report.results]
    assert statuses.count("skipped") == stored["alignments"]
    assert statuses.count("aligned") == len(names) - stored["alignments"]
    assert counts(db) == {"documents": 10, "distinct_documents": 10, "alignments": 5, "distinct_pairs": 5,
                          "tasks": 5}
    again = run_batch(tasks, sessions, get_encoder())
    assert [r.status for r in again.results] == ["skipped"] * len(names)
    assert counts(db)["alignments"] == 5


def test_dask_local_cluster_stores_the_same_beads_as_the_local_executor(tmp_path, default_encoder):
    distributed = pytest.importorskip("distributed", reason="the [dask] extra is not installed")
    write_pairs(tmp_path / "texts", 4, 40)
    tasks = [PairTask.from_spec(s) for s in discover_pairs(tmp_path / "texts")]
    local_db, dask_db = tmp_path / "local.db", tmp_path / "dask.db"
    local = run_batch(tasks, open_store(local_db)[1], default_encoder, workers=2)
    assert [r.status for r in local.results] == ["aligned"] * 4
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        executor = make_executor("dask", client=client)
        assert executor.slots == 2 and "2 worker(s)" in executor.describe()
        report = run_tasks(tasks, open_store(dask_db)[1], executor, default_encoder, progress=None)
        pids = set(client.run(os.getpid).values())
    assert [r.status for r in report.results] == ["aligned"] * 4
    assert set(report.peak_rss) <= pids and len(report.peak_rss) >= 1  # ran in the workers
    assert all(rss > 50e6 for rss in report.peak_rss.values())  # each loaded the encoder
    local_beads, dask_beads = bead_texts(local_db), bead_texts(dask_db)
    assert sorted(local_beads) == [f"work{k:02d}_ru.txt" for k in range(4)]
    assert dask_beads == local_beads
    assert all(len(beads) >= 40 for beads in local_beads.values())


def test_executor_errors_are_one_line():
    with pytest.raises(AlignerError, match="unknown --executor 'spark'"):
        make_executor("spark")
    with pytest.raises(AlignerError, match="needs --scheduler"):
        make_executor("dask")
    with pytest.raises(AlignerError, match="--workers must be at least 1"):
        make_executor("local", workers=0)


def test_a_worker_process_that_dies_is_replaced_and_its_pairs_run_again(tmp_path, default_encoder):
    names = write_pairs(tmp_path / "texts", 4, 400)
    db = tmp_path / "w.db"
    _, sessions = open_store(db)
    tasks = [PairTask.from_spec(s) for s in discover_pairs(tmp_path / "texts")]
    killed = []

    def kill_one_worker(result):  # after the first pair is stored, a worker is killed mid-pair
        if not killed:
            pid = next(iter(executor._pool._processes))
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    with LocalExecutor(2, None) as executor:
        first = set(executor._pool._processes)
        report = run_tasks(tasks, sessions, executor, default_encoder, progress=None,
                           on_result=kill_one_worker)
        assert killed and killed[0] in first and killed[0] not in executor._pool._processes
    assert [r.status for r in report.results] == ["aligned"] * len(names)
    assert counts(db) == {"documents": 8, "distinct_documents": 8, "alignments": 4, "distinct_pairs": 4,
                          "tasks": 4}


def test_cli_batch_on_a_dask_scheduler_and_workers_started_as_the_readme_says(tmp_path):
    pytest.importorskip("distributed", reason="the [dask] extra is not installed")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    dask = [sys.executable, "-m", "dask"]
    scheduler = subprocess.Popen(dask + ["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    workers = subprocess.Popen(dask + ["worker", address, "--nworkers", "2", "--nthreads", "1", "--no-dashboard"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                               cwd=ROOT)
    try:
        write_pairs(tmp_path / "texts", 3, 30)
        db = tmp_path / "d.db"
        deadline = time.monotonic() + 60
        while True:  # until both workers have joined
            from distributed import Client

            with Client(address, timeout=20) as client:
                if len(client.scheduler_info(n_workers=-1)["workers"]) == 2:
                    break
            assert time.monotonic() < deadline, "the Dask workers did not join"
            time.sleep(0.5)
        run = subprocess.run(cli("batch", str(tmp_path / "texts"), "--db", str(db), "--executor", "dask",
                                 "--scheduler", address), capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert run.returncode == 0, run.stderr
        assert "dask: 2 worker(s) at " + address in run.stderr and "[1] thread(s) each" in run.stderr
        assert len(re.findall(r"^\[\d/3\] aligned work0\d", run.stderr, re.M)) == 3
        assert "3 pair(s) aligned and stored, 0 already done, 0 failed" in run.stdout
        assert counts(db) == {"documents": 6, "distinct_documents": 6, "alignments": 3, "distinct_pairs": 3,
                              "tasks": 3}
    finally:
        for proc in (workers, scheduler):
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
