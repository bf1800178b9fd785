"""HTTP API of the review workflow (issue 14): corrected text, OCR suggestions, bulk status,
overview and find, export formats and options, imports; bad input is a 4xx JSON line."""

from __future__ import annotations

import warnings

warnings.filterwarnings("ignore", message=".*httpx.*")

from aligner.export import FORMATS  # noqa: E402
from support.api_client import (  # noqa: E402, F401 - fixtures
    N, aid, app, assert_error, beads, client, edit_log, op, version,
)


def test_edit_text_and_bulk_status(client, app, aid):
    b = beads(client, aid)["beads"]
    sid = b[0]["tgt"][0]["id"]
    r = op(client, aid, "edit-text", version=1, sentence_id=sid, text="Sentence number one, border.")
    assert r.status_code == 200 and r.json()["operation"] == "edit-text"
    got = client.get(f"/api/alignments/{aid}/beads/{b[0]['id']}").json()["tgt"][0]
    assert (got["text"], got["original"]) == ("Sentence number one, border.", "Sentence number 1 about the border.")
    tgt_doc = client.get(f"/api/alignments/{aid}").json()["tgt_document_id"]
    ctx = client.get(f"/api/documents/{tgt_doc}/sentences/0/context").json()
    assert ctx["original"] == "Sentence number 1 about the border."
    assert_error(op(client, aid, "edit-text", version=2, sentence_id=sid, text="Sentence number one, border."),
                 409, "already reads so")
    assert_error(op(client, aid, "edit-text", version=2, sentence_id=999, text="x"), 404, "999")
    assert_error(op(client, aid, "edit-text", version=2, sentence_id=sid, text=""), 422, "text")
    scores = [x["score"] for x in beads(client, aid)["beads"]]
    r = op(client, aid, "bulk-status", version=2, min_score=0.8)
    assert r.status_code == 200, r.text
    assert [x["status"] for x in beads(client, aid)["beads"]] == [
        "confirmed" if s >= 0.8 else "unreviewed" for s in scores]
    assert_error(op(client, aid, "bulk-status", version=3), 422, "min_score")
    assert_error(op(client, aid, "bulk-status", version=3, min_score=0.99), 409, "no unreviewed bead")
    assert op(client, aid, "undo", version=3).json()["operation"] == "undo confirm-bulk"
    assert op(client, aid, "bulk-status", version=4, end=3).json()["bead_ids"] == [x["id"] for x in b[:3]]
    assert [o for _, o in edit_log(app, aid)] == ["edit-text", "confirm-bulk", "undo confirm-bulk",
                                                  "confirm-bulk"]


def test_apply_suggestion_refused_without_one(client, aid):
    bid = beads(client, aid)["beads"][0]["id"]
    assert_error(op(client, aid, "apply-suggestion", version=1, bead_id=bid, word="Sentense"), 409,
                 "no suggested reading")


def test_overview_and_find(client, aid):
    o = client.get(f"/api/alignments/{aid}/overview").json()
    assert o["total"] == N - 1 and len(o["scores"]) == len(o["marks"]) == len(o["status"]) == N - 1
    assert o["scores"][:3] == [95, 70, 30] and o["status"] == "u" * (N - 1)
    bits = o["bits"]
    assert o["marks"][1] & bits["non-1-1"] and o["marks"][2] & bits["low-confidence"]
    assert o["marks"][0] & bits["crossing"] and not o["marks"][3]
    f = client.get(f"/api/alignments/{aid}/find", params={"q": "NUMBER 1"}).json()
    assert f["positions"] == [0, 8, 9, 10] and f["total"] == 4  # 1, 10, 11, 12
    f = client.get(f"/api/alignments/{aid}/find", params={"q": "номер 3", "side": "src"}).json()
    assert f["positions"] == [1]
    assert_error(client.get(f"/api/alignments/{aid}/find", params={"q": "x", "side": "both"}), 422, "side")
    assert_error(client.get("/api/alignments/99/overview"), 404, "99")


def test_formats_export_options_and_errors(client, aid):
    listed = client.get("/api/formats").json()
    assert [f["name"] for f in listed] == list(FORMATS)
    assert {f["name"]: [o["name"] for o in f["options"]] for f in listed}["tmx"] == ["keep_nulls"]
    r = client.get(f"/api/alignments/{aid}/export", params={"format": "xliff"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-xliff+xml")
    assert 'filename="alignment-1-TEST-RECONSTRUCTION.xlf"' in r.headers["content-disposition"]
    r = client.get(f"/api/alignments/{aid}/export", params={"format": "intertext"})
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert_error(client.get(f"/api/alignments/{aid}/export", params={"format": "tmx", "colour": "1"}),
                 400, "no option 'colour'")
    assert_error(client.get(f"/api/alignments/{aid}/export", params={"format": "tmx", "keep_nulls": "2"}),
                 400, "not yes or no")


def test_import_upload(client, aid):
    tmx = client.get(f"/api/alignments/{aid}/export", params={"format": "tmx", "keep_nulls": "yes"}).content
    r = client.post("/api/projects/1/imports", files={"alignment": ("mem.tmx", tmx)})
    assert r.status_code == 201, r.text
    out = r.json()
    assert (out["beads"], out["imported"]["format"], out["imported"]["via"], out["imported"]["user"]) == (
        N - 1, "tmx", "api", "local")  # the signed-in account (local mode: "local")
    meta = client.get(f"/api/alignments/{out['alignment_id']}").json()
    assert meta["imported"]["file"] == "mem.tmx" and meta["version"] == 1
    assert op(client, out["alignment_id"], "confirm", version=1,
              bead_ids=[beads(client, out["alignment_id"])["beads"][0]["id"]]).status_code == 200
    formats = client.get("/api/import-formats").json()
    assert [f["name"] for f in formats] == ["tmx", "intertext", "vecalign", "tsv"]
    assert_error(client.post("/api/projects/9/imports", files={"alignment": ("m.tmx", tmx)}), 404, "project 9")
    assert_error(client.post("/api/projects/1/imports", files={"alignment": ("m.tsv", b"a\tb\n")}),
                 400, "source language", "form field src_lang")
    assert_error(client.post("/api/projects/1/imports", files={"alignment": ("m.tmx", b"<tmx/>")},
                             data={"format": "pdf"}), 400, "unknown import format")
    assert_error(client.post("/api/projects/1/imports", files={"alignment": ("big.tsv", b"x" * 50_001)},
                             data={"src_lang": "ru", "tgt_lang": "en"}), 413, "limit")


NO_SRCLANG = ("<tmx version='1.4'><header/><body><tu><tuv xml:lang='en'><seg>One.</seg></tuv>"
              "<tuv xml:lang='ru'><seg>Один.</seg></tuv></tu></body></tmx>").encode()


def test_import_errors_speak_the_callers_language(client, aid):
    """An empty file is "file is empty"; a language the file lacks is asked for by the
    page's field (page) or the form field (API), never by a command-line option."""
    r = client.post("/api/projects/1/imports", files={"alignment": ("empty.tmx", b"")}, data={"via": "page"})
    assert (r.status_code, r.json()["detail"]) == (400, "empty.tmx: file is empty")
    r = client.post("/api/projects/1/imports", files={"alignment": ("m.tmx", NO_SRCLANG)}, data={"via": "page"})
    assert (r.status_code, r.json()["detail"]) == (
        400, "the source language is not in the file: give it (in the Source language field, e.g. ru)")
    r = client.post("/api/projects/1/imports", files={"alignment": ("m.tmx", NO_SRCLANG)})
    assert (r.status_code, r.json()["detail"]) == (
        400, "the source language is not in the file: give it (as the form field src_lang, e.g. ru)")
    r = client.post("/api/projects/1/imports", files={"alignment": ("m.tmx", NO_SRCLANG)}, data={"src_lang": "en"})
    assert r.status_code == 201, r.text


def test_renderings_page_holding_a_sentence(client, aid):
    r = client.get("/api/documents/1/renderings", params={"ord": 7, "limit": 5}).json()
    assert (r["focus_row"], r["offset"]) == (6, 5)  # sentences 1 and 2 share a row (the 2-2 bead)
    assert [s["ord"] for s in r["rows"][r["focus_row"] - r["offset"]]["pivot"]] == [7]
    assert_error(client.get("/api/documents/1/renderings", params={"ord": 500}), 400, "no sentence 500")
