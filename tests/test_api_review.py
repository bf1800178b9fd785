"""HTTP API over a real store (SQLite file, PostgreSQL database): every review operation, and
conflicts between edits."""

from __future__ import annotations

import threading
import warnings

import pytest
from sqlalchemy import func, select

warnings.filterwarnings("ignore", message=".*httpx.*")

from aligner.store.models import BeadRow  # noqa: E402
from support.api_client import (  # noqa: E402, F401 - fixtures
    N, aid, app, assert_error, beads, client, edit_log, local_client, op, shape, version,
)


# --- review operations ---------------------------------------------------------------

def test_a_number_given_as_true_or_a_string_is_a_422_and_changes_nothing(client, aid):
    b = beads(client, aid)["beads"]
    for body in ({"version": True, "bead_ids": [b[0]["id"]]}, {"version": "1", "bead_ids": [b[0]["id"]]}):
        assert_error(op(client, aid, "confirm", **body), 422, "version")
    assert_error(op(client, aid, "bulk-status", version=1, status="confirmed", end=True),
                 422, "end")
    assert_error(op(client, aid, "realign", version=1, start=False), 422, "start")
    r = client.post("/api/projects/1/alignments", json={"src_document_id": 1, "tgt_document_id": 2,
                                                        "settings": {"max_side": True}})
    assert_error(r, 422, "max_side")
    assert beads(client, aid)["version"] == 1 and all(x["status"] == "unreviewed" for x in beads(client, aid)["beads"])

def test_confirm_reject_unreview(client, app, aid):
    b = beads(client, aid)["beads"]
    r = op(client, aid, "confirm", version=1, bead_ids=[b[0]["id"], b[3]["id"]])
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["operation"]
    r = op(client, aid, "reject", version=2, bead_ids=[b[1]["id"]])
    assert r.json()["version"] == 3
    st = [x["status"] for x in beads(client, aid)["beads"][:4]]
    assert st == ["confirmed", "rejected", "unreviewed", "confirmed"]
    r = op(client, aid, "unreview", version=3, bead_ids=[b[0]["id"]])
    assert r.json()["version"] == 4 and beads(client, aid)["beads"][0]["status"] == "unreviewed"
    p = client.get(f"/api/alignments/{aid}/progress").json()
    assert (p["confirmed"], p["rejected"], p["version"]) == (1, 1, 4)
    assert [v for v, _ in edit_log(app, aid)] == [2, 3, 4]


def test_a_bead_of_another_alignment_is_not_found_not_stale(client, app, aid):
    from support.api_client import store_demo_alignment

    other = store_demo_alignment(app.state.session_factory, N, html_at=5)
    mine = beads(client, aid)["beads"][0]["id"]
    assert op(client, aid, "confirm", version=1, bead_ids=[mine]).status_code == 200  # now at v2
    for name in ("confirm", "reject", "unreview"):  # other is at v1: bead 'mine' is not in it
        assert_error(op(client, other, name, version=1, bead_ids=[mine]), 404, f"bead {mine}")


def test_merge_and_split(client, aid):
    b = beads(client, aid)["beads"]
    r = op(client, aid, "merge", version=1, bead_id=b[0]["id"], direction="next")
    assert r.status_code == 200, r.text
    assert r.json()["bead_ids"] == [b[0]["id"]]
    page = beads(client, aid)
    assert page["total"] == N - 2 and shape(page)[0] == ((0, 1, 2), (0, 1, 2))
    r = op(client, aid, "split", version=2, bead_id=b[0]["id"], src_at=1, tgt_at=1)
    assert r.status_code == 200, r.text
    assert shape(beads(client, aid))[:2] == [((0,), (0,)), ((1, 2), (1, 2))]
    r = op(client, aid, "merge", version=3, bead_id=b[3]["id"], direction="previous")
    assert r.json()["bead_ids"] == [b[2]["id"]]
    assert shape(beads(client, aid))[1:4] == [((1, 2), (1, 2)), ((3, 4), (3, 4)), ((5,), (5,))]
    # a 1-1 split becomes 1-0 + 0-1
    last = beads(client, aid)["beads"][-1]
    op(client, aid, "split", version=4, bead_id=last["id"], src_at=1, tgt_at=0)
    assert shape(beads(client, aid))[-2:] == [((N - 1,), ()), ((), (N - 1,))]


def test_move_sentence_and_detach(client, aid):
    b = beads(client, aid)["beads"]
    # bead 1 is 2-2: move its last source sentence to the next bead
    assert op(client, aid, "move", version=1, bead_id=b[1]["id"], side="src", direction="next").status_code == 200
    assert shape(beads(client, aid))[1:3] == [((1,), (1, 2)), ((2, 3), (3,))]
    assert op(client, aid, "move", version=2, bead_id=b[1]["id"], side="tgt", direction="previous").status_code == 200
    assert shape(beads(client, aid))[0:2] == [((0,), (0, 1)), ((1,), (2,))]
    r = op(client, aid, "detach", version=3, bead_id=b[0]["id"])
    assert r.status_code == 200
    page = beads(client, aid)
    assert shape(page)[:3] == [((0,), ()), ((), (0,)), ((), (1,))]
    assert {x["status"] for x in page["beads"][:3]} == {"confirmed"}
    assert {x["origin"] for x in page["beads"][:3]} == {"manual"}


def test_crossing_links(client, app, aid):
    cross = client.get(f"/api/alignments/{aid}/crossings").json()[0]
    r = op(client, aid, "crossing-links", version=1, crossing_id=cross["id"])
    assert r.status_code == 200, r.text
    links = client.get(f"/api/alignments/{aid}/crossing-links").json()
    assert len(links) == 1 and links[0]["crossing_id"] == cross["id"]
    assert client.get(f"/api/alignments/{aid}/crossings").json()[0]["linked"] is True
    page = beads(client, aid)
    assert "crossing-link" in page["beads"][0]["flags"] and "crossing-link" in page["beads"][2]["flags"]
    src9 = page["beads"][9]["src"][0]["id"]
    tgt4 = page["beads"][4]["tgt"][0]["id"]
    r = op(client, aid, "crossing-links", version=2, src_sentence_ids=[src9], tgt_sentence_ids=[tgt4])
    assert r.status_code == 200, r.text
    assert len(client.get(f"/api/alignments/{aid}/crossing-links").json()) == 2
    r = op(client, aid, "unlink-crossing", version=3, link_id=links[0]["id"])
    assert r.status_code == 200
    assert [lk["id"] for lk in client.get(f"/api/alignments/{aid}/crossing-links").json()] != [links[0]["id"]]
    assert_error(op(client, aid, "crossing-links", version=4, src_sentence_ids=[src9]), 422, "crossing_id")
    assert_error(op(client, aid, "crossing-links", version=4, crossing_id=999), 404, "999")


def test_resegment_split_and_join_sentence(client, aid):
    b = beads(client, aid)["beads"]
    sent = b[0]["tgt"][0]  # "Sentence number 1 about the border."
    cut = sent["text"].index(" about")
    r = op(client, aid, "split-sentence", version=1, sentence_id=sent["id"], offset=cut)
    assert r.status_code == 200, r.text
    page = beads(client, aid)
    texts = [t["text"] for t in page["beads"][0]["tgt"]]
    assert texts == ["Sentence number 1", "about the border."]
    assert page["beads"][1]["tgt"][0]["ord"] == 2  # later ords shifted
    r = op(client, aid, "join-sentence", version=2, sentence_id=sent["id"])
    assert r.status_code == 200, r.text
    page = beads(client, aid)
    assert [t["text"] for t in page["beads"][0]["tgt"]] == ["Sentence number 1 about the border."]
    assert_error(op(client, aid, "split-sentence", version=3, sentence_id=sent["id"], offset=0), 422, "offset")
    assert_error(op(client, aid, "split-sentence", version=3, sentence_id=sent["id"], offset=999), 409)
    assert_error(op(client, aid, "join-sentence", version=3, sentence_id=9999), 404, "9999")


def test_undo_redo(client, app, aid):
    before = shape(beads(client, aid))
    b = beads(client, aid)["beads"]
    op(client, aid, "merge", version=1, bead_id=b[0]["id"], direction="next")
    merged = shape(beads(client, aid))
    assert merged != before
    assert client.get(f"/api/alignments/{aid}/progress").json()["undo"] == "merge"
    r = op(client, aid, "undo", version=2)
    assert r.status_code == 200 and r.json()["version"] == 3
    assert shape(beads(client, aid)) == before
    assert [x["id"] for x in beads(client, aid)["beads"]] == [x["id"] for x in b]  # same ids back
    r = op(client, aid, "redo", version=3)
    assert r.status_code == 200 and shape(beads(client, aid)) == merged
    assert_error(op(client, aid, "redo", version=4), 409, "redo")
    op(client, aid, "undo", version=4)
    op(client, aid, "undo", version=5)
    assert_error(op(client, aid, "undo", version=5), 409, "undo")  # nothing left
    hist = client.get(f"/api/alignments/{aid}/history").json()
    assert [h["version"] for h in hist] == sorted([h["version"] for h in hist], reverse=True)


def test_realign_keeps_confirmed_beads(client, aid):
    b = beads(client, aid)["beads"]
    # mess up: merge beads 4..6 and reject the result (a manual bead that is not
    # rejected would be kept as an anchor), confirm bead 0
    op(client, aid, "merge", version=1, bead_id=b[4]["id"], direction="next")
    op(client, aid, "merge", version=2, bead_id=b[4]["id"], direction="next")
    op(client, aid, "reject", version=3, bead_ids=[b[4]["id"]])
    op(client, aid, "confirm", version=4, bead_ids=[b[0]["id"]])
    assert shape(beads(client, aid))[4] == ((5, 6, 7), (5, 6, 7))
    backwards = op(client, aid, "realign", version=5, start=6, end=2)
    assert backwards.status_code == 422 and "must be after start" in backwards.json()["detail"]
    r = op(client, aid, "realign", version=5)
    assert r.status_code == 200, r.text
    page = beads(client, aid)
    assert page["beads"][0]["id"] == b[0]["id"] and page["beads"][0]["status"] == "confirmed"
    # the DigitEncoder sees the numbers: the merged run is 1-1 again
    assert ((5,), (5,)) in shape(page) and ((7,), (7,)) in shape(page)


def test_notes_and_bead_history(client, aid):
    bid = beads(client, aid)["beads"][1]["id"]
    r = client.post(f"/api/alignments/{aid}/beads/{bid}/notes", json={"text": "check 2-2 <b>x</b>"})
    assert r.status_code == 201 and r.json()["user"] == "local"
    assert version(client, aid) == 1  # notes do not bump the version
    op(client, aid, "confirm", version=1, bead_ids=[bid])
    hist = client.get(f"/api/alignments/{aid}/beads/{bid}/history").json()
    assert [n["text"] for n in hist["notes"]] == ["check 2-2 <b>x</b>"]
    assert [e["operation"] for e in hist["edits"]] == ["confirm"]
    assert beads(client, aid)["beads"][1]["notes"] == 1
    assert [n["bead_id"] for n in client.get(f"/api/alignments/{aid}/notes").json()] == [bid]
    assert_error(client.post(f"/api/alignments/{aid}/beads/{bid}/notes", json={"text": "  "}), 422, "text")
    assert_error(client.post(f"/api/alignments/{aid}/beads/{bid}/notes", json={"text": "a\u0000b"}), 422, "NUL")
    assert_error(client.post(f"/api/alignments/{aid}/beads/999/notes", json={"text": "x"}), 404, "999")
    assert_error(client.post(f"/api/alignments/{aid}/beads/{bid}/notes", json={"text": "x", "version": 1}),
                 409, "version")
    # the log records the signed-in account (here the local admin), never a typed name
    r = client.post(f"/api/alignments/{aid}/reject", json={"version": 2, "bead_ids": [bid]},
                    headers={"X-User": "someone else"})
    assert r.status_code == 200
    assert client.get(f"/api/alignments/{aid}/history").json()[0]["user"] == "local"


# --- conflicts -----------------------------------------------------------------------

def test_two_clients_different_beads_both_succeed_same_bead_one_409(client, app, aid):
    b = beads(client, aid)["beads"]
    with local_client(app) as other:
        first = op(client, aid, "merge", version=1, bead_id=b[0]["id"], direction="next")
        second = op(other, aid, "confirm", version=1, bead_ids=[b[5]["id"]])
        third = op(other, aid, "reject", version=1, bead_ids=[b[1]["id"]])  # merged away
    assert first.status_code == 200 and second.status_code == 200
    assert second.json()["version"] == 3
    body = assert_error(third, 409, f"bead {b[1]['id']} changed since version 1", "merge by local (v2)")
    assert body["code"] == "stale_version" and body["current_version"] == 3
    assert body["expected_version"] == 1 and body["changes"] == ["merge by local"]
    assert body["bead_ids"] == [b[1]["id"]]
    assert edit_log(app, aid) == [(2, "merge"), (3, "confirm")]
    changes = client.get(f"/api/alignments/{aid}/changes", params={"since": 1}).json()
    assert changes["version"] == 3 and not changes["more"]
    assert [(e["version"], e["operation"], e["user"]) for e in changes["edits"]] == [
        (2, "merge", "local"), (3, "confirm", "local")]
    assert changes["edits"][1]["bead_ids"] == [b[5]["id"]]
    assert client.get(f"/api/alignments/{aid}/changes", params={"since": 3}).json()["edits"] == []
    # ``other`` has shut the app down and up again; the first client's loop goes on.
    assert op(client, aid, "confirm", version=2, bead_ids=[b[6]["id"]]).status_code == 200
    assert op(client, aid, "reject", version=3, bead_ids=[b[6]["id"]]).status_code == 409


def test_concurrent_edits_of_one_bead_exactly_one_wins_of_different_beads_all(app, aid):
    b = beads(local_client(app), aid)["beads"]
    for bead_of, expected in ((lambda i: 3, [200] + [409] * 5), (lambda i: 4 + i, [200] * 6)):
        results = []
        barrier = threading.Barrier(6)
        start = version(local_client(app), aid)

        def worker(i):
            with local_client(app) as c:
                barrier.wait()
                results.append(op(c, aid, "confirm", version=start,
                                  bead_ids=[b[bead_of(i)]["id"]]).status_code)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == expected
    with app.state.session_factory() as s:
        confirmed = s.scalar(select(func.count()).select_from(BeadRow).where(
            BeadRow.alignment_id == aid, BeadRow.status == "confirmed"))
    assert confirmed == 7 and edit_log(app, aid) == [(v, "confirm") for v in range(2, 9)]


@pytest.fixture()
def pool_calls(monkeypatch):
    """Names of the edits handed to the thread pool (the rest ran on the event loop)."""
    from api.routes import review as review_routes

    calls = []
    real = review_routes.run_in_threadpool

    async def spy(fn, state, edit, *args, **kwargs):
        calls.append(edit.__name__)
        return await real(fn, state, edit, *args, **kwargs)

    monkeypatch.setattr(review_routes, "run_in_threadpool", spy)
    return calls


def test_small_edits_run_on_the_loop_large_ones_in_a_thread(client, app, aid, pool_calls,
                                                             monkeypatch):
    from api.routes import review as review_routes

    if not app.state.sqlite:
        pytest.skip("the event-loop fast path is SQLite's (PostgreSQL edits run in the pool)")
    monkeypatch.setattr(review_routes, "INLINE_MAX_BEADS", 3)
    ids = [b["id"] for b in beads(client, aid)["beads"]]
    assert op(client, aid, "confirm", version=1, bead_ids=ids[:3]).status_code == 200
    assert op(client, aid, "merge", version=2, bead_id=ids[4], direction="next").status_code == 200
    assert op(client, aid, "undo", version=3).status_code == 200
    assert pool_calls == []
    assert op(client, aid, "reject", version=4, bead_ids=ids[:4]).status_code == 200
    assert op(client, aid, "undo", version=5).status_code == 200  # reverts 4 beads
    assert op(client, aid, "redo", version=6).status_code == 200
    assert pool_calls == ["reject", "undo", "redo"]
    assert [b["status"] for b in beads(client, aid)["beads"][:5]] == ["rejected"] * 4 + ["unreviewed"]
    assert edit_log(app, aid) == [(2, "confirm"), (3, "merge"), (4, "undo merge"),
                                  (5, "reject"), (6, "undo reject"), (7, "redo reject")]


def test_edit_goes_to_a_thread_while_another_connection_writes(client, app, aid, pool_calls):
    """The loop does not wait for SQLite's write lock: the edit is handed to a thread,
    which waits for it (busy timeout) and applies it once the other writer commits."""
    if not app.state.sqlite:
        pytest.skip("SQLite only: PostgreSQL has no database-wide write lock to wait for")
    bead = beads(client, aid)["beads"][3]["id"]
    other = app.state.engine.connect().execution_options(aligner_begin_immediate=True)
    other.begin()  # BEGIN IMMEDIATE: holds SQLite's write lock
    timer = threading.Timer(0.3, other.commit)
    timer.start()
    try:
        r = op(client, aid, "confirm", version=1, bead_ids=[bead])
    finally:
        timer.join()
        other.close()
    assert r.status_code == 200 and r.json()["version"] == 2
    assert pool_calls == ["confirm"]
    assert beads(client, aid)["beads"][3]["status"] == "confirmed"
    assert edit_log(app, aid) == [(2, "confirm")]
    assert op(client, aid, "reject", version=2, bead_ids=[bead]).status_code == 200
    assert pool_calls == ["confirm"]  # the lock is free again: on the loop
