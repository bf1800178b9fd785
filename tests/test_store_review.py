"""Each review operation on a small stored bitext: what it changes, what it refuses,
undo/redo, notes, history, and re-alignment of unconfirmed stretches."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from aligner.fidelity import FLAG_CODES
from aligner.pipeline import realign
from aligner.store import review, service
from aligner.store.db import open_store
from aligner.store.fidelity import fidelity_report
from aligner.store.errors import InvariantError, NotFoundError, StaleVersionError
from support.store import FakeEncoder, dump_state, populate
from aligner.store.models import BeadRow
from aligner.types import Crossing


@pytest.fixture()
def store(db_url):
    engine, factory = open_store(db_url)
    session = factory()
    ids = populate(session, crossings=[Crossing(src=(4,), tgt=(6,), score=0.7, reason="match")])
    yield session, ids["alignment"]
    session.close()
    engine.dispose()


def beads(session, aid):
    return service.list_beads(session, aid, 0, 1000)["beads"]


def shape(session, aid):
    """Bead layout as (source ords, target ords) per bead."""
    return [(tuple(s["ord"] for s in b["src"]), tuple(t["ord"] for t in b["tgt"]))
            for b in beads(session, aid)]


START = [((0,), (0,)), ((1,), (1,)), ((2,), (2, 3)), ((3,), (4,)), ((4,), ()), ((5,), (5,)),
         ((), (6,))]


def test_fixture_layout_and_invariant(store):
    s, aid = store
    assert shape(s, aid) == START
    review.check_invariant(s, aid)
    assert service.get_alignment(s, aid)["version"] == 1


def test_set_status_many_beads_one_edit(store):
    s, aid = store
    b = beads(s, aid)
    r = review.confirm(s, aid, 1, [b[0]["id"], b[3]["id"]], user="anna")
    assert (r.version, r.operation, r.bead_ids) == (2, "confirm", (b[0]["id"], b[3]["id"]))
    assert [x["status"] for x in beads(s, aid)] == ["confirmed", "unreviewed", "unreviewed",
                                                     "confirmed", "unreviewed", "unreviewed",
                                                     "unreviewed"]
    r = review.reject(s, aid, 2, b[0]["id"], user="anna")
    assert beads(s, aid)[0]["status"] == "rejected"
    review.unreview(s, aid, r.version, [b[0]["id"]], user="anna")
    assert beads(s, aid)[0]["status"] == "unreviewed"
    assert service.get_alignment(s, aid)["state"] == "in-review"
    with pytest.raises(InvariantError, match="unknown status"):
        review.set_status(s, aid, 4, [b[0]["id"]], "maybe", user="anna")


def test_merge_next_and_previous(store):
    s, aid = store
    b = beads(s, aid)
    r = review.merge(s, aid, 1, b[1]["id"], "next", user="anna")
    assert shape(s, aid)[1] == ((1, 2), (1, 2, 3))
    merged = beads(s, aid)[1]
    # merging does not confirm: the reviewer confirms the result (issue 14)
    assert (merged["id"], merged["origin"], merged["status"]) == (b[1]["id"], "manual", "unreviewed")
    assert r.bead_ids == (b[1]["id"],)
    review.merge(s, aid, r.version, b[4]["id"], "previous", user="anna")
    assert shape(s, aid)[2] == ((3, 4), (4,))
    assert len(beads(s, aid)) == 5
    review.check_invariant(s, aid)


def test_merge_without_neighbour_is_refused_and_changes_nothing(store):
    s, aid = store
    b = beads(s, aid)
    before = dump_state(s, aid)
    with pytest.raises(InvariantError, match="no previous bead"):
        review.merge(s, aid, 1, b[0]["id"], "previous", user="anna")
    with pytest.raises(InvariantError, match="no next bead"):
        review.merge(s, aid, 1, b[-1]["id"], "next", user="anna")
    with pytest.raises(InvariantError, match="direction"):
        review.merge(s, aid, 1, b[0]["id"], "sideways", user="anna")
    assert dump_state(s, aid) == before
    assert service.get_alignment(s, aid)["version"] == 1


def test_split_bead(store):
    s, aid = store
    b2 = beads(s, aid)[2]
    r = review.split_bead(s, aid, 1, b2["id"], 1, 1, user="ivan")
    assert shape(s, aid)[2:4] == [((2,), (2,)), ((), (3,))]
    assert r.bead_ids[0] == b2["id"] and len(r.bead_ids) == 2
    with pytest.raises(InvariantError, match="empty bead"):
        review.split_bead(s, aid, r.version, b2["id"], 0, 0, user="ivan")
    with pytest.raises(InvariantError, match="cannot split"):
        review.split_bead(s, aid, r.version, b2["id"], 2, 0, user="ivan")
    review.check_invariant(s, aid)


def test_move_sentence_across_boundary(store):
    s, aid = store
    b = beads(s, aid)
    # last target sentence of bead 2 ("the frontier.") to the next bead
    r = review.move_sentence(s, aid, 1, b[2]["id"], "tgt", "next", user="ivan")
    assert shape(s, aid)[2:4] == [((2,), (2,)), ((3,), (3, 4))]
    # first (only) source sentence of the 1-0 bead to the previous bead: bead 4 empties
    r = review.move_sentence(s, aid, r.version, b[4]["id"], "src", "previous", user="ivan")
    assert shape(s, aid)[3] == ((3, 4), (3, 4))
    assert b[4]["id"] not in [x["id"] for x in beads(s, aid)]
    with pytest.raises(InvariantError, match="no src sentence"):
        review.move_sentence(s, aid, r.version, b[6]["id"], "src", "previous", user="ivan")
    review.check_invariant(s, aid)


def test_detach_makes_null_beads(store):
    s, aid = store
    b2 = beads(s, aid)[2]
    r = review.detach(s, aid, 1, b2["id"], user="ivan")
    assert shape(s, aid)[2:5] == [((2,), ()), ((), (2,)), ((), (3,))]
    assert [x["type"] for x in beads(s, aid)[2:5]] == ["1-0", "0-1", "0-1"]
    with pytest.raises(InvariantError, match="already a 1-0"):
        review.detach(s, aid, r.version, b2["id"], user="ivan")


def test_link_and_unlink_crossing(store):
    s, aid = store
    c = service.list_crossings(s, aid)[0]
    r = review.link_crossing(s, aid, 1, c["id"], user="anna")
    flagged = [x["id"] for x in beads(s, aid) if "crossing-link" in x["flags"]]
    assert flagged == c["src_bead_ids"] + c["tgt_bead_ids"]
    assert service.list_crossings(s, aid)[0]["linked"] is True
    links = service.list_crossing_links(s, aid)
    assert [(l["src_sentence_ids"], l["tgt_sentence_ids"], l["user"]) for l in links] == \
        [([c["src"][0]["id"]], [c["tgt"][0]["id"]], "anna")]
    with pytest.raises(InvariantError, match="already linked"):
        review.link_crossing(s, aid, r.version, c["id"], user="anna")
    with pytest.raises(InvariantError, match="not tgt sentences"):
        review.link_crossing(s, aid, r.version, src_sentence_ids=[c["src"][0]["id"]],
                             tgt_sentence_ids=[c["src"][0]["id"]], user="anna")
    r = review.unlink_crossing(s, aid, r.version, links[0]["id"], user="anna")
    assert not any("crossing-link" in x["flags"] for x in beads(s, aid))
    assert service.list_crossing_links(s, aid) == []
    with pytest.raises(NotFoundError):
        review.unlink_crossing(s, aid, r.version, links[0]["id"], user="anna")


def test_split_sentence_keeps_links_and_offsets(store):
    s, aid = store
    first = beads(s, aid)[0]
    sid = first["src"][0]["id"]  # "Я сказал Сигемицу."
    r = review.split_sentence(s, aid, 1, sid, 8, user="ivan")
    b0 = beads(s, aid)[0]
    assert [x["text"] for x in b0["src"]] == ["Я сказал", "Сигемицу."]
    assert [x["ord"] for x in b0["src"]] == [0, 1]
    assert b0["id"] == first["id"] and b0["src"][0]["id"] == sid
    src_doc = service.load_document(s, service.get_alignment(s, aid)["src_document_id"])
    a, b = src_doc.sentences[:2]
    assert src_doc.clean_text[a.start:a.end] == "Я сказал"
    assert src_doc.clean_text[b.start:b.end] == "Сигемицу."
    assert [x.index for x in src_doc.sentences] == list(range(7))
    review.check_invariant(s, aid)
    with pytest.raises(InvariantError, match="both parts"):
        review.split_sentence(s, aid, r.version, sid, 0, user="ivan")
    # join back: one sentence again, text with a single space
    r = review.join_sentence(s, aid, r.version, sid, user="ivan")
    assert [x["text"] for x in beads(s, aid)[0]["src"]] == ["Я сказал Сигемицу."]
    review.check_invariant(s, aid)


def test_join_sentences_across_beads_removes_emptied_bead(store):
    s, aid = store
    b = beads(s, aid)
    # target sentences 5 and 6 are in beads 5 (1-1) and 6 (0-1): join moves 6 into bead 5
    t5 = b[5]["tgt"][0]["id"]
    review.join_sentence(s, aid, 1, t5, user="ivan")
    after = beads(s, aid)
    assert len(after) == 6
    assert after[5]["tgt"][0]["text"] == "We parted politely. End of record."
    with pytest.raises(InvariantError, match="last of its document"):
        review.join_sentence(s, aid, 2, t5, user="ivan")
    review.check_invariant(s, aid)


def test_resegmenting_a_shared_document_is_refused(store):
    s, aid = store
    info = service.get_alignment(s, aid)
    other = service.store_alignment(s, info["src_document_id"], info["tgt_document_id"],
                                    service.load_alignment(s, aid))
    sid = beads(s, aid)[0]["src"][0]["id"]
    with pytest.raises(InvariantError, match=f"also used by alignment\\(s\\) {other}"):
        review.split_sentence(s, aid, 1, sid, 4, user="ivan")


def test_undo_redo_and_new_edit_clears_redo(store):
    s, aid = store
    start = dump_state(s, aid)
    b = beads(s, aid)
    v = review.merge(s, aid, 1, b[0]["id"], user="a").version
    after_merge = dump_state(s, aid)
    v = review.detach(s, aid, v, b[2]["id"], user="a").version
    assert review.can_undo_redo(s, aid, "a") == {"undo": "detach", "redo": None}
    assert review.can_undo_redo(s, aid, "b") == {"undo": None, "redo": None}  # per reviewer
    with pytest.raises(InvariantError, match="nothing of yours to undo"):
        review.undo(s, aid, v, user="b")
    v = review.undo(s, aid, v, user="a").version
    assert dump_state(s, aid) == after_merge
    v = review.undo(s, aid, v, user="a").version
    assert dump_state(s, aid) == start
    assert review.can_undo_redo(s, aid, "a") == {"undo": None, "redo": "merge"}
    r = review.redo(s, aid, v, user="a")
    assert dump_state(s, aid) == after_merge and r.operation == "redo merge"
    v = review.confirm(s, aid, r.version, b[5]["id"], user="c").version  # not a's redo stack
    assert review.can_undo_redo(s, aid, "a")["redo"] == "detach"
    v = review.reject(s, aid, v, b[5]["id"], user="a").version  # a's new edit clears it
    assert review.can_undo_redo(s, aid, "a")["redo"] is None
    with pytest.raises(InvariantError, match="nothing of yours to redo"):
        review.redo(s, aid, v, user="a")


def test_undo_restores_split_sentence_ids(store):
    s, aid = store
    start = dump_state(s, aid)
    sid = beads(s, aid)[3]["tgt"][0]["id"]
    r = review.split_sentence(s, aid, 1, sid, 2, user="a")
    new_id = beads(s, aid)[3]["tgt"][1]["id"]
    v = review.undo(s, aid, r.version, user="a").version
    assert dump_state(s, aid) == start
    review.redo(s, aid, v, user="a")
    assert beads(s, aid)[3]["tgt"][1]["id"] == new_id


def test_stale_version_names_the_changes(store):
    s, aid = store
    b = beads(s, aid)
    v = review.merge(s, aid, 1, b[0]["id"], user="anna").version
    review.confirm(s, aid, v, b[3]["id"], user="ivan")
    before = dump_state(s, aid)
    with pytest.raises(StaleVersionError) as err:
        review.reject(s, aid, 1, b[3]["id"], user="olga")
    assert str(err.value) == (f"bead {b[3]['id']} changed since version 1 (the alignment is at "
                              "version 3): confirm by ivan (v3)")
    assert err.value.current_version == 3 and err.value.bead_ids == (b[3]["id"],)
    assert err.value.changes == ["confirm by ivan"]
    assert dump_state(s, aid) == before
    # a bead merged away since the client's version: a conflict naming the merge, not a 404
    with pytest.raises(StaleVersionError, match=r"merge by anna \(v2\)"):
        review.confirm(s, aid, 1, b[1]["id"], user="olga")
    with pytest.raises(NotFoundError, match=f"bead {b[1]['id']} not found"):
        review.confirm(s, aid, 3, b[1]["id"], user="olga")  # seen the merge: plain not found
    # from the future (a store restored from a backup)
    with pytest.raises(StaleVersionError, match="older than the version 9 you sent"):
        review.confirm(s, aid, 9, b[3]["id"], user="olga")


def test_stale_check_names_at_most_fifty_edits_and_counts_the_rest(store):
    s, aid = store
    b = beads(s, aid)
    v = 1
    for i in range(53):
        v = (review.confirm if i % 2 == 0 else review.unreview)(s, aid, v, b[1]["id"],
                                                                  user=f"u{i}").version
    review.require_version(s, aid, v, [b[1]["id"]])  # current: no error
    review.require_version(s, aid, 1, [b[2]["id"]])  # another bead: no error either
    for check in (lambda: review.require_version(s, aid, 1, [b[1]["id"]]),  # before the lock
                  lambda: review.reject(s, aid, 1, b[1]["id"], user="late")):  # in the edit
        with pytest.raises(StaleVersionError) as err:
            check()
        assert err.value.current_version == 54 and err.value.expected_version == 1
        changes = err.value.changes
        assert len(changes) == 51 and changes[0] == "confirm by u0" and changes[49] == "unreview by u49"
        assert changes[-1] == "… 3 more"
        assert str(err.value).endswith("confirm by u6 (v8), … 46 more")
    assert review.reject(s, aid, 1, b[2]["id"], user="late").version == 55
    with pytest.raises(NotFoundError, match="alignment 99 not found"):
        review.require_version(s, 99, 1)


def test_unknown_ids_give_not_found(store):
    s, aid = store
    with pytest.raises(NotFoundError, match="alignment 99 not found"):
        review.confirm(s, 99, 1, [1], user="a")
    with pytest.raises(NotFoundError, match="bead 999 not found"):
        review.confirm(s, aid, 1, [999], user="a")
    with pytest.raises(NotFoundError, match="sentence 999 not found"):
        review.split_sentence(s, aid, 1, 999, 3, user="a")
    with pytest.raises(NotFoundError, match="crossing 42"):
        review.link_crossing(s, aid, 1, 42, user="a")
    assert service.get_alignment(s, aid)["version"] == 1
    with pytest.raises(NotFoundError):
        service.list_beads(s, 99)


def test_notes_follow_merges_and_history(store):
    s, aid = store
    b = beads(s, aid)
    note = review.add_note(s, aid, None, b[1]["id"], "  check the date  ", user="anna")
    assert (note["text"], note["user"], note["bead_id"]) == ("check the date", "anna", b[1]["id"])
    assert service.get_alignment(s, aid)["version"] == 1  # notes do not bump the version
    with pytest.raises(InvariantError, match="needs some text"):
        review.add_note(s, aid, None, b[1]["id"], "   ", user="anna")
    with pytest.raises(StaleVersionError):
        review.add_note(s, aid, 5, b[1]["id"], "x", user="anna")
    v = review.merge(s, aid, 1, b[0]["id"], "next", user="anna").version  # b1 merged into b0
    assert [n["bead_id"] for n in review.list_notes(s, aid)] == [b[0]["id"]]
    review.undo(s, aid, v, user="anna")
    assert [n["bead_id"] for n in review.list_notes(s, aid)] == [b[1]["id"]]
    h = review.bead_history(s, aid, b[1]["id"])
    assert [e["operation"] for e in h["edits"]] == ["merge", "undo merge"]
    assert h["notes"][0]["text"] == "check the date"
    hist = review.history(s, aid)
    assert [e["operation"] for e in hist] == ["undo merge", "merge"]
    assert hist[1]["undone"] is True and hist[1]["version"] == 2


def test_realign_keeps_confirmed_anchors(store):
    s, aid = store
    b = beads(s, aid)
    v = review.confirm(s, aid, 1, [b[0]["id"], b[5]["id"]], user="anna").version
    v = review.merge(s, aid, v, b[1]["id"], "next", user="anna").version  # unreviewed: re-alignable
    r = realign(s, aid, v, encoder_provider=lambda _name: FakeEncoder(), user="bot")
    after = beads(s, aid)
    assert after[0]["id"] == b[0]["id"] and after[0]["status"] == "confirmed"
    anchor = next(x for x in after if x["id"] == b[5]["id"])
    assert anchor["status"] == "confirmed" and shape(s, aid)[after.index(anchor)] == ((5,), (5,))
    assert all(x["origin"] == "auto" and x["status"] == "unreviewed"
               for x in after if x["id"] in r.bead_ids and x["id"] not in (b[0]["id"], b[5]["id"]))
    review.check_invariant(s, aid)
    v = review.confirm(s, aid, r.version, [x["id"] for x in after], user="anna").version
    with pytest.raises(InvariantError, match="nothing to re-align"):
        realign(s, aid, v, encoder_provider=lambda _name: FakeEncoder(), user="bot")


def test_omission_and_addition_flags_follow_the_bead_shape(store):
    s, aid = store
    b = beads(s, aid)
    assert b[4]["type"] == "1-0"
    # Mark the 1-0 bead as an omission, as the fidelity checks do, then merge it away.
    s.execute(update(BeadRow).where(BeadRow.id == b[4]["id"])
              .values(flags=["omission", "number-mismatch"]))
    s.commit()
    r = review.merge(s, aid, 1, b[4]["id"], "previous", user="anna")
    merged = beads(s, aid)[3]
    assert merged["type"] == "2-1" and "omission" not in merged["flags"]
    # The merged bead's codes are re-checked: they are what the fidelity report says now.
    report = {e["bead_id"]: [f["code"] for f in e["flags"]] for e in fidelity_report(s, aid)}
    assert "number-mismatch" not in merged["flags"]
    assert [f for f in merged["flags"] if f in FLAG_CODES] == report.get(merged["id"], [])
    r = review.detach(s, aid, r.version, merged["id"], user="anna")
    parts = beads(s, aid)[3:6]
    assert [p["type"] for p in parts] == ["1-0", "1-0", "0-1"]
    assert [("omission" in p["flags"], "addition" in p["flags"]) for p in parts] == [
        (True, False), (True, False), (False, True)]
    review.check_invariant(s, aid)
