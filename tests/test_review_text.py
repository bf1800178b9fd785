"""Review edits of issue 14 in the store: a sentence's corrected text and an applied OCR
reading (versioned, logged with the old text, undoable, flags recomputed, the raw text
untouched), bulk status, the bead's reviewer, merge without confirming, and refused no-ops."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from aligner.document import document_from_text
from aligner.fidelity import flag_alignment
from aligner.store import review, service
from aligner.store.db import open_store
from aligner.store.errors import InvariantError, NotFoundError
from aligner.store.models import DocumentRow, Edit, SentenceRow
from aligner.types import Alignment, Bead
from support.store import EN, populate


@pytest.fixture()
def store():
    engine, factory = open_store("sqlite://")
    session = factory()
    ids = populate(session)
    yield session, ids
    session.close()
    engine.dispose()


def beads(s, aid):
    return service.list_beads(s, aid, 0, 1000)["beads"]


def test_corrected_text_is_an_undoable_edit_that_keeps_the_original(store):
    s, ids = store
    aid = ids["alignment"]
    sent = beads(s, aid)[1]["tgt"][0]
    assert sent["text"] == EN[1]
    raw_before = s.scalar(select(DocumentRow.raw_text).where(DocumentRow.id == ids["tgt"]))
    revision = s.scalar(select(DocumentRow.revision).where(DocumentRow.id == ids["tgt"]))
    r = review.edit_sentence(s, aid, 1, sent["id"], "  He did not  answer\nat first.  ", user="anna")
    assert (r.version, r.operation) == (2, "edit-text")
    row = s.get(SentenceRow, sent["id"])
    s.refresh(row)
    assert (row.text, row.original_text) == ("He did not answer at first.", EN[1])
    # offsets stay: the raw view still shows the sentence at its place, the raw text as read
    sent_span = (row.raw_start, row.raw_end)
    assert s.scalar(select(DocumentRow.raw_text).where(DocumentRow.id == ids["tgt"])) == raw_before
    assert raw_before[sent_span[0]:sent_span[1]] == EN[1]
    ctx = service.sentence_context(s, ids["tgt"], 1)
    assert (ctx["text"], ctx["original"]) == ("He did not answer at first.", EN[1])
    assert ctx["page_text"][ctx["highlight_start"]:ctx["highlight_end"]] == EN[1]
    assert s.scalar(select(DocumentRow.revision).where(DocumentRow.id == ids["tgt"])) == revision + 1
    edit = s.scalars(select(Edit).where(Edit.alignment_id == aid)).one()
    assert edit.before["sentences"]["rows"][0]["text"] == EN[1]  # the history has the old text
    # a second correction keeps the first text as the original; going back clears it
    review.edit_sentence(s, aid, 2, sent["id"], "He did not reply at once.", user="anna")
    s.refresh(row)
    assert row.original_text == EN[1]
    review.edit_sentence(s, aid, 3, sent["id"], EN[1], user="anna")
    s.refresh(row)
    assert (row.text, row.original_text) == (EN[1], None)
    for v in (4, 5, 6):  # undo all three
        review.undo(s, aid, v, user="anna")
    s.refresh(row)
    assert (row.text, row.original_text) == (EN[1], None)
    review.redo(s, aid, 7, user="anna")
    s.refresh(row)
    assert (row.text, row.original_text) == ("He did not answer at first.", EN[1])
    review.check_invariant(s, aid)


def test_corrected_text_refusals(store):
    s, ids = store
    aid = ids["alignment"]
    sid = beads(s, aid)[0]["tgt"][0]["id"]
    with pytest.raises(InvariantError, match="needs some text"):
        review.edit_sentence(s, aid, 1, sid, "  \n ", user="anna")
    with pytest.raises(InvariantError, match="already reads so"):
        review.edit_sentence(s, aid, 1, sid, EN[0], user="anna")
    with pytest.raises(InvariantError, match="10,000 characters"):
        review.edit_sentence(s, aid, 1, sid, "x" * 10_001, user="anna")
    with pytest.raises(NotFoundError, match="sentence 999"):
        review.edit_sentence(s, aid, 1, 999, "x", user="anna")
    # a document aligned twice: correcting it here would change the other alignment too
    other = service.store_alignment(s, ids["src"], ids["tgt"], Alignment(
        beads=[Bead((i,), (i,), 0.5) for i in range(6)] + [Bead((), (6,), 0.5)]))
    with pytest.raises(InvariantError, match=rf"also used by alignment\(s\) {other}; correcting"):
        review.edit_sentence(s, aid, 1, sid, "I told him.", user="anna")
    assert service.get_alignment(s, aid)["version"] == 1


def test_correction_refreshes_the_flags_and_an_ocr_reading_applies(tmp_path):
    _, factory = open_store(tmp_path / "ocr.db")
    en = ["The Japanese ambassador came at two.", "Then the Japanese side replied.",
          "The Jaranese reply came late.", "We waited for the Japanese answer."]
    ru = ["Посол Японии пришёл в два часа.", "Японская сторона ответила.",
          "Японский ответ пришёл поздно.", "Мы ждали ответа японцев."]
    src = document_from_text("\n".join(ru), "ru", filename="r.txt", presplit=True, kind="archival")
    tgt = document_from_text("\n".join(en), "en", filename="e.txt", presplit=True, kind="translation")
    alignment = Alignment(beads=[Bead((i,), (i,), 0.9) for i in range(4)], encoder="x 1")
    flag_alignment(src, tgt, alignment)
    with factory() as s:
        pid = service.get_or_create_project(s, "p")
        aid = service.store_alignment(s, service.import_document(s, pid, src, "source"),
                                      service.import_document(s, pid, tgt, "translation"), alignment)
        bead = beads(s, aid)[2]
        assert bead["flags"] == ["ocr-suspect"]
        with pytest.raises(InvariantError, match="no suggested reading for 'Japanese'"):
            review.apply_suggestion(s, aid, 1, bead["id"], "Japanese", user="anna")
        r = review.apply_suggestion(s, aid, 1, bead["id"], "Jaranese", user="anna")
        assert r.operation == "apply-suggestion"
        after = beads(s, aid)[2]
        assert after["tgt"][0]["text"] == "The Japanese reply came late."
        assert after["flags"] == []  # recomputed with the corrected text
        review.undo(s, aid, 2, user="anna")
        assert beads(s, aid)[2]["flags"] == ["ocr-suspect"]
        # a manual correction that brings an error in is flagged too
        sid = beads(s, aid)[0]["tgt"][0]["id"]
        review.edit_sentence(s, aid, 3, sid, "The Japanece ambassador came at two.", user="anna")
        assert "ocr-suspect" in beads(s, aid)[0]["flags"]


def test_bulk_status_by_score_and_up_to_a_position(store):
    s, ids = store
    aid = ids["alignment"]
    b = beads(s, aid)
    v = review.reject(s, aid, 1, b[0]["id"], user="anna").version
    scores = [x["score"] for x in b]
    r = review.set_status_bulk(s, aid, v, "confirmed", min_score=0.9, user="bob")
    assert r.operation == "confirm-bulk"
    expected = ["rejected"] + ["confirmed" if sc >= 0.9 else "unreviewed" for sc in scores[1:]]
    assert [x["status"] for x in beads(s, aid)] == expected  # the rejected bead stays rejected
    assert {x["id"] for x in beads(s, aid) if x["status"] == "confirmed"} == set(r.bead_ids)
    review.undo(s, aid, r.version, user="bob")
    assert [x["status"] for x in beads(s, aid)] == ["rejected"] + ["unreviewed"] * 6
    r = review.set_status_bulk(s, aid, r.version + 1, end=4, user="bob")
    assert [x["status"] for x in beads(s, aid)] == ["rejected"] + ["confirmed"] * 3 + ["unreviewed"] * 3
    with pytest.raises(InvariantError, match="no unreviewed bead with score >= 0.99 and position < 4"):
        review.set_status_bulk(s, aid, r.version, min_score=0.99, end=4, user="bob")
    with pytest.raises(InvariantError, match="give min_score and/or end"):
        review.set_status_bulk(s, aid, r.version, user="bob")


def test_reviewer_merge_and_no_op_status(store):
    s, ids = store
    aid = ids["alignment"]
    b = beads(s, aid)
    v = review.confirm(s, aid, 1, b[0]["id"], user="anna").version
    v = review.split_bead(s, aid, v, b[2]["id"], 1, 1, user="bob").version
    loaded = service.load_alignment(s, aid).beads
    assert [x.reviewer for x in loaded[:4]] == ["anna", "", "bob", "bob"]
    with pytest.raises(InvariantError, match=f"bead {b[0]['id']} is already confirmed"):
        review.confirm(s, aid, v, b[0]["id"], user="anna")
    v = review.merge(s, aid, v, b[0]["id"], "next", user="carl").version
    merged = beads(s, aid)[0]
    assert (merged["status"], merged["origin"]) == ("unreviewed", "manual")
    assert service.load_alignment(s, aid).beads[0].reviewer == ""
    v = review.confirm(s, aid, v, merged["id"], user="carl").version  # a real change now
    assert service.load_alignment(s, aid).beads[0].reviewer == "carl"
    review.undo(s, aid, v, user="carl")
    assert service.load_alignment(s, aid).beads[0].reviewer == ""
