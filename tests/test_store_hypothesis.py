"""Property tests: random review-operation sequences keep the alignment invariant, a
refused operation changes nothing, and undoing everything restores the start exactly
(redoing everything then restores the end)."""

from __future__ import annotations

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from aligner.pipeline import realign
from aligner.store import review, service
from aligner.store.db import open_store
from aligner.store.errors import InvariantError, NotFoundError
from support.store import FakeEncoder, dump_state, populate

OPS = ["confirm", "reject", "unreview", "merge", "split", "move", "detach", "split_sentence",
       "join_sentence", "link", "unlink", "undo", "redo", "realign"]


def _sentences(session, aid):
    info = service.get_alignment(session, aid)
    src = service.load_document(session, info["src_document_id"])
    tgt = service.load_document(session, info["tgt_document_id"])
    return src, tgt


def _do(session, aid, version, op, data):
    """Perform one randomly parameterised operation; return its EditResult."""
    beads = service.list_beads(session, aid, 0, 1000)["beads"]
    pick = lambda: data.draw(st.sampled_from(beads))  # noqa: E731
    if op in ("confirm", "reject", "unreview"):
        chosen = data.draw(st.lists(st.sampled_from([b["id"] for b in beads]), min_size=1, max_size=3))
        return getattr(review, op)(session, aid, version, chosen, user="h")
    if op == "merge":
        return review.merge(session, aid, version, pick()["id"],
                            data.draw(st.sampled_from(["next", "previous"])), user="h")
    if op == "split":
        b = pick()
        return review.split_bead(session, aid, version, b["id"],
                                 data.draw(st.integers(0, len(b["src"]))),
                                 data.draw(st.integers(0, len(b["tgt"]))), user="h")
    if op == "move":
        return review.move_sentence(session, aid, version, pick()["id"],
                                    data.draw(st.sampled_from(["src", "tgt"])),
                                    data.draw(st.sampled_from(["next", "previous"])), user="h")
    if op == "detach":
        return review.detach(session, aid, version, pick()["id"], user="h")
    sents = [s for b in beads for s in b["src"] + b["tgt"]]
    if op == "split_sentence":
        s = data.draw(st.sampled_from(sents))
        return review.split_sentence(session, aid, version, s["id"],
                                     data.draw(st.integers(0, len(s["text"]))), user="h")
    if op == "join_sentence":
        return review.join_sentence(session, aid, version, data.draw(st.sampled_from(sents))["id"],
                                    user="h")
    if op == "link":
        src = [s["id"] for b in beads for s in b["src"]]
        tgt = [s["id"] for b in beads for s in b["tgt"]]
        return review.link_crossing(session, aid, version,
                                    src_sentence_ids=[data.draw(st.sampled_from(src))],
                                    tgt_sentence_ids=[data.draw(st.sampled_from(tgt))], user="h")
    if op == "unlink":
        links = service.list_crossing_links(session, aid)
        link_id = data.draw(st.sampled_from([l["id"] for l in links])) if links else 10**6
        return review.unlink_crossing(session, aid, version, link_id, user="h")
    if op == "realign":
        return realign(session, aid, version, encoder_provider=lambda _name: FakeEncoder(),
                       user="h")
    return getattr(review, op)(session, aid, version, user="h")


def _dropped(session, aid) -> int:
    """Edits undone and then cleared from the redo stack by a newer edit."""
    return sum(1 for e in review.history(session, aid, 1000) if e["undone"]
               and not e["operation"].startswith(("undo", "redo")))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), ops=st.lists(st.sampled_from(OPS), min_size=1, max_size=12))
def test_random_edits_keep_invariant_and_undo_restores_start(data, ops):
    engine, factory = open_store("sqlite://")
    try:
        session = factory()
        aid = populate(session)["alignment"]
        start = dump_state(session, aid)
        version, applied, before = 1, 0, start
        for op in ops:
            try:
                version = _do(session, aid, version, op, data).version
                applied += op not in ("undo", "redo")
                event(f"{op} applied")
            except (InvariantError, NotFoundError):
                event(f"{op} refused")
                # a refused edit changes nothing, not even the version
                assert dump_state(session, aid) == before
                assert service.get_alignment(session, aid)["version"] == version
            review.check_invariant(session, aid)
            before = dump_state(session, aid)
        while review.can_undo_redo(session, aid)["redo"]:  # re-apply what was undone
            version = review.redo(session, aid, version, user="h").version
            review.check_invariant(session, aid)
        end, undone, dropped = dump_state(session, aid), 0, _dropped(session, aid)
        while review.can_undo_redo(session, aid)["undo"]:
            version = review.undo(session, aid, version, user="h").version
            review.check_invariant(session, aid)
            undone += 1
        assert dump_state(session, aid) == start
        assert undone == applied - dropped
        while review.can_undo_redo(session, aid)["redo"]:
            version = review.redo(session, aid, version, user="h").version
        assert dump_state(session, aid) == end
        session.close()
    finally:
        engine.dispose()
