"""Service layer: projects, document import (dedupe), alignment storage, loaders that
rebuild aligner.types objects, paged bead listing, progress and the review queue."""

from __future__ import annotations

import pytest

from aligner.store import review, service
from aligner.store.db import open_store
from aligner.store.errors import InvariantError, NotFoundError
from support.store import EN, LAYOUT, RU, populate, toy_alignment, toy_document
from aligner.types import Bead, Crossing


@pytest.fixture()
def session(db_url):
    engine, factory = open_store(db_url)
    s = factory()
    yield s
    s.close()
    engine.dispose()


def test_projects(session):
    pid = service.create_project(session, "Litvinov", "1941 record")
    assert service.get_or_create_project(session, "Litvinov") == pid
    with pytest.raises(InvariantError, match="exists already"):
        service.create_project(session, "Litvinov")
    with pytest.raises(InvariantError, match="needs a name"):
        service.create_project(session, "  ")
    info = service.get_project(session, pid)
    assert (info["name"], info["description"], info["documents"], info["alignments"]) == \
        ("Litvinov", "1941 record", 0, 0)
    assert [p["id"] for p in service.list_projects(session)] == [pid]
    with pytest.raises(NotFoundError, match="project 77 not found"):
        service.get_project(session, 77)


def test_import_document_round_trip_and_dedupe(session):
    pid = service.create_project(session, "p")
    doc = toy_document(RU, "ru", kind="reconstruction", title="Запись беседы")
    doc_id = service.import_document(session, pid, doc, "source")
    assert service.load_document(session, doc_id) == doc
    assert service.import_document(session, pid, doc, "source") == doc_id  # same sha + lang
    other = service.import_document(session, pid, toy_document(RU, "uk"), "source")
    assert other != doc_id
    meta = service.get_document(session, doc_id)
    assert meta["provenance"]["label"] == "TEST RECONSTRUCTION — not the archival text"
    assert (meta["sentences"], meta["pages"], meta["role"]) == (6, 2, "source")
    assert [d["id"] for d in service.list_documents(session, pid)] == [doc_id, other]
    with pytest.raises(InvariantError, match="role must be"):
        service.import_document(session, pid, toy_document(EN, "en"), "original")
    with pytest.raises(NotFoundError):
        service.import_document(session, 999, toy_document(EN, "en"), "translation")
    assert len(service.list_documents(session, pid)) == 2


def test_store_and_load_alignment_round_trip(session):
    ids = populate(session, crossings=[Crossing(src=(4,), tgt=(6,), score=0.7, reason="r")])
    loaded = service.load_alignment(session, ids["alignment"])
    original = toy_alignment()
    assert [(b.src, b.tgt, b.score, b.flags) for b in loaded.beads] == \
        [(b.src, b.tgt, b.score, b.flags) for b in original.beads]
    assert [(c.src, c.tgt, c.score, c.reason) for c in loaded.crossings] == [((4,), (6,), 0.7, "r")]
    assert loaded.encoder == "toy 1" and loaded.params["note"] == "fixture"
    info = service.get_alignment(session, ids["alignment"])
    assert (info["encoder"], info["encoder_version"], info["version"], info["beads"]) == \
        ("toy", "1", 1, len(LAYOUT))
    src, tgt, al = service.load_bitext(session, ids["alignment"])
    assert src.texts == RU and tgt.texts == EN
    assert (al.beads[0].status, al.beads[0].origin, al.beads[0].flags) == ("unreviewed", "auto", [])


def test_store_alignment_rejects_bad_coverage_and_writes_nothing(session):
    ids = populate(session)
    bad = toy_alignment()
    bad.beads = bad.beads[:-1]  # target sentence 6 missing
    with pytest.raises(InvariantError, match="target sentences"):
        service.store_alignment(session, ids["src"], ids["tgt"], bad)
    bad = toy_alignment()
    bad.beads.append(Bead(src=(), tgt=()))
    with pytest.raises(InvariantError, match="empty bead"):
        service.store_alignment(session, ids["src"], ids["tgt"], bad)
    with pytest.raises(NotFoundError, match="document 99"):
        service.store_alignment(session, 99, ids["tgt"], toy_alignment())
    assert [a["id"] for a in service.list_alignments(session)] == [ids["alignment"]]


def test_list_beads_pages_and_filters(session):
    aid = populate(session)["alignment"]
    page = service.list_beads(session, aid, offset=2, limit=2)
    assert (page["total"], page["version"], [b["position"] for b in page["beads"]]) == (7, 1, [2, 3])
    b = page["beads"][0]
    assert b["type"] == "1-2" and [t["text"] for t in b["tgt"]] == ["Then he asked about", "the frontier."]
    assert [x["type"] for x in service.list_beads(session, aid, filter="non-1-1")["beads"]] == \
        ["1-2", "1-0", "0-1"]
    assert service.list_beads(session, aid, filter="low-confidence")["total"] == 3
    with pytest.raises(InvariantError, match="unknown filter"):
        service.list_beads(session, aid, filter="odd")
    with pytest.raises(InvariantError, match="limit"):
        service.list_beads(session, aid, limit=0)


def test_progress_and_review_queue(session):
    aid = populate(session)["alignment"]
    all_beads = service.list_beads(session, aid)["beads"]
    review.confirm(session, aid, 1, [all_beads[0]["id"], all_beads[2]["id"]], user="a")
    p = service.progress(session, aid)
    assert (p["beads"], p["confirmed"], p["unreviewed"], p["low_confidence"]) == (7, 2, 5, 2)
    assert p["types"] == {"0-1": 1, "1-0": 1, "1-1": 4, "1-2": 1}
    assert p["reviewed_fraction"] == pytest.approx(2 / 7)
    assert service.next_bead(session, aid, -1, "unreviewed")["position"] == 1
    assert service.next_bead(session, aid, 1, "non-1-1")["position"] == 2
    assert service.next_bead(session, aid, 2, "low-confidence")["position"] == 4
    assert service.next_bead(session, aid, 6, "low-confidence")["position"] == 4  # wraps
    assert service.next_bead(session, aid, 6, "low-confidence", wrap=False) is None
    assert service.next_bead(session, aid, -1, "crossing") is None
    with pytest.raises(InvariantError, match="unknown queue"):
        service.next_bead(session, aid, -1, "everything")


def test_delete_alignment(session):
    ids = populate(session)
    service.delete_alignment(session, ids["alignment"])
    assert service.list_alignments(session, ids["project"]) == []
    with pytest.raises(NotFoundError):
        service.delete_alignment(session, ids["alignment"])
    assert service.get_document(session, ids["src"])["sentences"] == len(RU)
