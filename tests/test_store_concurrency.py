"""No lost updates: two engines (as two processes would) editing one store, on SQLite and on
PostgreSQL. Edits of different beads never collide; of the same bead from the same
version exactly one wins; per-reviewer undo does not revert over another's later edit."""

from __future__ import annotations

import threading

import pytest

from aligner.store import review, service
from aligner.store.db import make_engine, make_session_factory
from aligner.store.errors import StaleVersionError
from support.store import dump_state, populate


@pytest.fixture()
def db(db_url):
    engine = make_engine(db_url)
    with make_session_factory(engine)() as s:
        aid = populate(s)["alignment"]
    engine.dispose()
    return db_url, aid


def _session(url):
    engine = make_engine(url)
    return engine, make_session_factory(engine)()


def test_edits_of_different_beads_both_succeed_same_bead_one_wins(db):
    url, aid = db
    (ea, a), (eb, b) = _session(url), _session(url)
    beads_a = service.list_beads(a, aid)["beads"]
    beads_b = service.list_beads(b, aid)["beads"]  # B read version 1 too, still in a read txn
    assert beads_a == beads_b
    review.merge(a, aid, 1, beads_a[0]["id"], user="anna")  # beads 0 and 1
    # B confirms bead 3 from version 1: untouched by the merge, so it succeeds
    assert review.confirm(b, aid, 1, beads_b[3]["id"], user="ivan").version == 3
    # B rejects bead 1 from version 1: merged away by anna since → 409 naming the merge
    with pytest.raises(StaleVersionError, match=r"changed since version 1 .*merge by anna \(v2\)"):
        review.reject(b, aid, 1, beads_b[1]["id"], user="ivan")
    # ... and bead 0, which the merge rewrote
    with pytest.raises(StaleVersionError, match="merge by anna"):
        review.reject(b, aid, 1, beads_b[0]["id"], user="ivan")
    assert dump_state(a, aid) == dump_state(b, aid)
    statuses = [x["status"] for x in service.list_beads(b, aid)["beads"]]
    assert statuses[0] == "unreviewed" and statuses[2] == "confirmed"  # merged bead 0 (a merge does not confirm), bead 3
    # B reloads (version 3) and retries: now it wins
    assert review.reject(b, aid, 3, beads_b[0]["id"], user="ivan").version == 4
    for e, s in ((ea, a), (eb, b)):
        s.close()
        e.dispose()


def _race(url, aid, n, bead_of, op=review.reject):
    """``n`` threads, each with its own engine, edit ``bead_of(k)`` from version 1 at once."""
    barrier = threading.Barrier(n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def editor(k: int) -> None:
        engine, s = _session(url)
        try:
            bead = service.list_beads(s, aid)["beads"][bead_of(k)]["id"]
            s.rollback()
            barrier.wait()
            try:
                op(s, aid, 1, bead, user=f"u{k}")
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
    return outcomes


def test_racing_editors_of_one_bead_exactly_one_wins(db):
    url, aid = db
    outcomes = _race(url, aid, 4, bead_of=lambda k: 2)
    winners = [o for o in outcomes if o.startswith("won")]
    assert len(winners) == 1 and outcomes.count("stale") == 3
    engine, s = _session(url)
    assert service.get_alignment(s, aid)["version"] == 2
    assert [b["status"] for b in service.list_beads(s, aid)["beads"]].count("rejected") == 1
    assert [e["operation"] for e in review.history(s, aid)] == ["reject"]
    s.close()
    engine.dispose()


def test_racing_editors_of_different_beads_all_win(db):
    url, aid = db
    outcomes = _race(url, aid, 4, bead_of=lambda k: k)
    assert sorted(outcomes) == [f"won:{k}" for k in range(4)]
    engine, s = _session(url)
    assert service.get_alignment(s, aid)["version"] == 5
    assert [b["status"] for b in service.list_beads(s, aid)["beads"]][:5] == ["rejected"] * 4 + ["unreviewed"]
    history = review.history(s, aid)
    assert sorted(e["version"] for e in history) == [2, 3, 4, 5]  # one version per edit
    review.check_invariant(s, aid)
    s.close()
    engine.dispose()


def test_undo_is_per_reviewer_and_refuses_over_another_reviewers_edit(db):
    url, aid = db
    engine, s = _session(url)
    b = service.list_beads(s, aid)["beads"]
    v = review.merge(s, aid, 1, b[0]["id"], user="anna").version       # anna: beads 0+1
    v = review.confirm(s, aid, v, b[4]["id"], user="ivan").version      # ivan: bead 4
    # anna's undo reverts her merge, not ivan's later confirm of another bead
    r = review.undo(s, aid, v, user="anna")
    assert r.operation == "undo merge"
    beads_now = service.list_beads(s, aid)["beads"]
    assert beads_now[4]["status"] == "confirmed" and len(beads_now) == len(b)
    v = review.redo(s, aid, r.version, user="anna").version              # merge again
    v = review.reject(s, aid, v, b[0]["id"], user="ivan").version        # ivan edits anna's bead
    before = dump_state(s, aid)
    with pytest.raises(StaleVersionError, match=r"cannot undo your merge .*changed since by ivan "
                                                 r"\(reject, version 6\)"):
        review.undo(s, aid, v, user="anna")
    assert dump_state(s, aid) == before
    # ivan undoes his reject; then anna may undo her merge again
    v = review.undo(s, aid, v, user="ivan").version
    assert review.undo(s, aid, v, user="anna").operation == "undo merge"
    s.close()
    engine.dispose()


def test_undo_after_others_shifted_the_positions(db):
    url, aid = db
    engine, s = _session(url)
    b = service.list_beads(s, aid)["beads"]
    v = review.confirm(s, aid, 1, b[5]["id"], user="anna").version        # anna: bead at 5
    v = review.merge(s, aid, v, b[0]["id"], user="ivan").version            # ivan: 0+1, shifts 5 → 4
    v = review.split_sentence(s, aid, v, b[4]["src"][0]["id"], 3, user="ivan").version  # ords shift
    r = review.undo(s, aid, v, user="anna")                                  # found by id, not place
    assert r.operation == "undo confirm"
    assert next(x for x in service.list_beads(s, aid)["beads"] if x["id"] == b[5]["id"])["status"] == "unreviewed"
    v = review.redo(s, aid, r.version, user="anna").version
    v = review.undo(s, aid, v, user="ivan").version                          # ivan's split, after anna's
    assert review.undo(s, aid, v, user="ivan").operation == "undo merge"
    review.check_invariant(s, aid)
    s.close()
    engine.dispose()
