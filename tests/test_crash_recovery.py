"""Nothing lost when the server dies: 20 reviewers edit over HTTP, the server is killed with
SIGKILL in the middle, and the store (SQLite, PostgreSQL) holds every acknowledged edit,
none half-applied; a restarted server goes on. Also ``aligner db backup`` of a live store."""

from __future__ import annotations

import random
import signal
import threading
import time

import httpx
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from api.cli import app as cli
from aligner.store import review, service
from aligner.store.accounts.service import add_user, create_token
from aligner.store.db import make_engine, make_session_factory
from aligner.store.models import AlignmentRow, BeadRow, Edit
from support import live
from support.api import store_demo_alignment
from support.pg import free_port

REVIEWERS = 20


def _reviewer(base, aid, token, beads, stop, acks, errors):
    rng = random.Random(token)
    version = 1
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=10) as c:
        while not stop.is_set():
            bead = rng.choice(beads)
            op, body = rng.choice([("confirm", {"bead_ids": [bead]}), ("reject", {"bead_ids": [bead]}),
                                   ("unreview", {"bead_ids": [bead]}), ("undo", {})])
            try:
                r = c.post(f"/api/alignments/{aid}/{op}", json={"version": version, **body})
            except httpx.HTTPError:
                return  # the server is gone: an unanswered edit is not acknowledged
            if r.status_code == 200:
                acks.append((r.json(), token))
                version = r.json()["version"]
            elif r.status_code == 409 and r.json().get("current_version"):
                version = r.json()["current_version"]
            elif r.status_code >= 500:
                errors.append(r.text)


def test_sigkill_in_the_middle_of_edits_loses_nothing_acknowledged(db_url):
    engine = make_engine(db_url)
    sessions = make_session_factory(engine)
    aid = store_demo_alignment(sessions, 60)
    names = {}
    with sessions() as s:
        for k in range(REVIEWERS):
            add_user(s, f"r{k}", "long enough password", "reviewer")
            names[create_token(s, f"r{k}")] = f"r{k}"
        ids = [b["id"] for b in service.list_beads(s, aid, 0, 100)["beads"]]
    port = free_port()
    server = live.start(db_url, port)
    stop, acks, errors = threading.Event(), [], []
    tokens = list(names)
    threads = [threading.Thread(target=_reviewer, args=(
        f"http://127.0.0.1:{port}", aid, t, ids[3 * k:3 * k + 3] + ids[:2], stop, acks, errors))
        for k, t in enumerate(tokens)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(acks) < 150 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.send_signal(signal.SIGKILL)  # mid-flight: requests are being answered right now
    server.wait(timeout=30)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert len(acks) >= 150 and not errors
    with sessions() as s:
        log = {e.id: (e.version_after, e.operation, e.user)
               for e in s.scalars(select(Edit).where(Edit.alignment_id == aid))}
        version = s.scalar(select(AlignmentRow.version).where(AlignmentRow.id == aid))
        last_status = s.scalar(select(BeadRow.status).where(BeadRow.id == ids[-1]))
        for ack, token in acks:  # every acknowledged edit is there, as acknowledged
            assert log.get(ack["edit_id"]) == (ack["version"], ack["operation"], names[token])
        # none half-applied: each version bump has its one log entry, beads match the log
        assert sorted(v for v, _, _ in log.values()) == list(range(2, version + 1))
        assert s.scalar(select(func.max(BeadRow.version)).where(BeadRow.alignment_id == aid)) <= version
        review.check_invariant(s, aid)
    engine.dispose()
    server = live.start(db_url, port)  # and it starts again and takes edits
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}",
                          headers={"Authorization": f"Bearer {tokens[0]}"}) as c:
            op = "unreview" if last_status == "confirmed" else "confirm"  # a no-op edit is refused
            r = c.post(f"/api/alignments/{aid}/{op}", json={"version": version, "bead_ids": [ids[-1]]})
            assert r.status_code == 200 and r.json()["version"] == version + 1
    finally:
        server.kill()
        server.wait(timeout=30)


def test_backup_of_a_live_sqlite_store(tmp_path):
    db = tmp_path / "live.db"
    engine = make_engine(db)
    from aligner.store.db import upgrade_database

    upgrade_database(db)
    sessions = make_session_factory(engine)
    aid = store_demo_alignment(sessions, 40)
    with sessions() as s:
        ids = [b["id"] for b in service.list_beads(s, aid, 0, 100)["beads"]]
    stop = threading.Event()

    def edit():  # a writer going on during the backup
        with sessions() as s:
            v = 1
            while not stop.is_set():  # confirm every bead, then unreview them all, and again
                op = review.confirm if (v - 1) // len(ids) % 2 == 0 else review.unreview
                v = op(s, aid, v, ids[(v - 1) % len(ids)], user="w").version

    writer = threading.Thread(target=edit)
    writer.start()
    try:
        time.sleep(0.3)
        result = CliRunner().invoke(cli, ["db", "backup", str(tmp_path / "copy.db"), "--db", str(db)])
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert "integrity ok" in result.output
    copy = make_engine(tmp_path / "copy.db")
    with make_session_factory(copy)() as s:
        v = s.scalar(select(AlignmentRow.version).where(AlignmentRow.id == aid))
        assert v > 1 and sorted(e.version_after for e in s.scalars(select(Edit))) == list(range(2, v + 1))
        review.check_invariant(s, aid)
    copy.dispose()
    engine.dispose()
    again = CliRunner().invoke(cli, ["db", "backup", str(tmp_path / "copy.db"), "--db", str(db)])
    assert again.exit_code == 2 and "exists already" in again.output


@pytest.mark.parametrize("missing", ["nothing.db"])
def test_backup_of_a_missing_store_is_one_line(tmp_path, missing):
    r = CliRunner().invoke(cli, ["db", "backup", str(tmp_path / "c.db"), "--db", str(tmp_path / missing)])
    assert r.exit_code == 2 and "no such database" in r.output and "Traceback" not in r.output


def test_backup_of_a_postgresql_store_runs_pg_dump(tmp_path, pg_databases):
    import shutil

    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump (Debian postgresql-client) is not on PATH")
    url = pg_databases.create()
    try:
        engine = make_engine(url)
        store_demo_alignment(make_session_factory(engine), 10)
        engine.dispose()
        out = tmp_path / "aligner.dump"
        r = CliRunner().invoke(cli, ["db", "backup", str(out), "--db", url])
        assert r.exit_code == 0, r.output
        assert "pg_dump" in r.output and out.read_bytes()[:5] == b"PGDMP"  # custom-format archive
    finally:
        pg_databases.drop(url)
