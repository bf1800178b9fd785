"""No lost updates: two engines (as two processes would) editing one SQLite file."""

from __future__ import annotations

import threading

import pytest

from aligner.store import review, service
from aligner.store.db import make_engine, make_session_factory, upgrade_database
from aligner.store.errors import StaleVersionError
from support.store import dump_state, populate


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "shared.db"
    upgrade_database(path)
    engine = make_engine(path)
    with make_session_factory(engine)() as s:
        aid = populate(s)["alignment"]
    engine.dispose()
    return path, aid


def _session(path):
    engine = make_engine(path)
    return engine, make_session_factory(engine)()


def test_second_editor_of_the_same_version_loses_cleanly(db):
    path, aid = db
    (ea, a), (eb, b) = _session(path), _session(path)
    beads_a = service.list_beads(a, aid)["beads"]
    beads_b = service.list_beads(b, aid)["beads"]  # B read version 1 too, still in a read txn
    assert beads_a == beads_b
    review.merge(a, aid, 1, beads_a[0]["id"], user="anna")
    with pytest.raises(StaleVersionError, match="you edited version 1; since then: merge by anna"):
        review.confirm(b, aid, 1, beads_b[3]["id"], user="ivan")
    assert dump_state(a, aid) == dump_state(b, aid)
    assert service.list_beads(b, aid)["beads"][3]["status"] == "unreviewed"
    # B reloads and retries with the current version: now it wins
    assert review.confirm(b, aid, 2, beads_b[3]["id"], user="ivan").version == 3
    for e, s in ((ea, a), (eb, b)):
        s.close()
        e.dispose()


def test_racing_editors_exactly_one_wins(db):
    path, aid = db
    n = 4
    barrier = threading.Barrier(n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def editor(k: int) -> None:
        engine, s = _session(path)
        try:
            bead = service.list_beads(s, aid)["beads"][k]["id"]
            barrier.wait()
            try:
                review.reject(s, aid, 1, bead, user=f"u{k}")
                result = f"won:{k}"
            except StaleVersionError:
                result = "stale"
            with lock:
                outcomes.append(result)
        finally:
            s.close()
            engine.dispose()

    threads = [threading.Thread(target=editor, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(outcomes) == n
    winners = [o for o in outcomes if o.startswith("won")]
    assert len(winners) == 1 and outcomes.count("stale") == n - 1
    engine, s = _session(path)
    assert service.get_alignment(s, aid)["version"] == 2
    statuses = [b["status"] for b in service.list_beads(s, aid)["beads"]]
    assert statuses.count("rejected") == 1
    assert statuses.index("rejected") == int(winners[0].split(":")[1])
    assert [e["operation"] for e in review.history(s, aid)] == ["reject"]
    s.close()
    engine.dispose()
