"""HTTP API over a real SQLite file: projects, documents, jobs, reading, bad requests, the
page and exports (review edits and conflicts: test_api_review.py)."""

from __future__ import annotations

import warnings

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*")

from aligner.errors import ModelError  # noqa: E402
from aligner.store import service  # noqa: E402
from api.main import create_app  # noqa: E402
from api.settings import Settings  # noqa: E402
from support.api import SCRIPT_TEXT, DigitEncoder, synthetic_bitext  # noqa: E402
from support.api_client import (  # noqa: E402, F401 - fixtures
    N, aid, app, assert_error, beads, client, edit_log, local_client, op, shape, version,
)


# --- projects and documents ----------------------------------------------------------

def test_projects_create_list_read_and_errors(client):
    r = client.post("/api/projects", json={"name": "Khasan 1938", "description": "talks"})
    assert r.status_code == 201
    p = r.json()
    assert (p["name"], p["documents"], p["alignments"]) == ("Khasan 1938", 0, 0)
    assert [x["id"] for x in client.get("/api/projects").json()] == [p["id"]]
    assert client.get(f"/api/projects/{p['id']}").json()["description"] == "talks"
    assert_error(client.post("/api/projects", json={"name": "Khasan 1938"}), 409, "exists")
    assert_error(client.get("/api/projects/999"), 404, "project 999")
    assert_error(client.post("/api/projects", json={"name": ""}), 422, "name")
    assert_error(client.post("/api/projects", json={"nme": "x"}), 422, "nme", "unknown field")


def upload(client, pid, data, name, lang, role, **form):
    return client.post(f"/api/projects/{pid}/documents", files={"file": (name, data)},
                       data={"lang": lang, "role": role, **form})


def test_document_upload_list_read_raw(client, tei_path):
    pid = client.post("/api/projects", json={"name": "p"}).json()["id"]
    src, _ = synthetic_bitext(5)
    r = upload(client, pid, src.encode("cp1251"), "ru.reconstructed.txt", "ru", "source",
               presplit="true", note="made for tests")
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["sentences"] == 5 and doc["role"] == "source"
    assert doc["provenance"]["kind"] == "reconstruction"  # from the file name
    assert doc["provenance"]["label"] == "TEST RECONSTRUCTION — not the archival text"
    assert doc["provenance"]["note"] == "made for tests"
    assert doc["provenance"]["encoding"].lower().replace("-", "") in ("cp1251", "windows1251")
    raw = client.get(f"/api/documents/{doc['id']}/raw").json()
    assert raw["raw_text"] == src and raw["page_starts"] == [0]
    # same bytes again → same document, nothing duplicated
    again = upload(client, pid, src.encode("cp1251"), "ru.reconstructed.txt", "ru", "source",
                   presplit="true")
    assert again.json()["id"] == doc["id"]
    tei = upload(client, pid, tei_path.read_bytes(), tei_path.name, "en", "translation",
                 kind="archival")
    # the TEI file is 60 kB > this app's 50 kB limit: refused before reading it
    assert_error(tei, 413, "limit")
    listed = client.get(f"/api/projects/{pid}/documents").json()
    assert [d["id"] for d in listed] == [doc["id"]]
    assert client.get(f"/api/documents/{doc['id']}").json()["lang"] == "ru"


def test_tei_upload(tmp_path, tei_path):
    settings = Settings(db=tmp_path / "tei.db", auth="local")
    with local_client(create_app(settings, encoder_provider=lambda n=None: DigitEncoder())) as c:
        pid = c.post("/api/projects", json={"name": "frus"}).json()["id"]
        r = upload(c, pid, tei_path.read_bytes(), tei_path.name, "en", "translation", kind="archival")
        assert r.status_code == 201, r.text
        doc = r.json()
        assert doc["sentences"] > 50 and doc["provenance"]["kind"] == "archival"
        raw = c.get(f"/api/documents/{doc['id']}/raw").json()["raw_text"]
        assert "<div" not in raw and "Litvinov" in raw  # text extracted from the TEI


def test_bad_uploads_are_4xx(client):
    pid = client.post("/api/projects", json={"name": "p"}).json()["id"]
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    assert_error(upload(client, pid, png, "scan.png", "en", "source"), 400, "binary")
    assert_error(upload(client, pid, b"abc\x00def" * 10, "x.txt", "en", "source"), 400, "binary")
    assert_error(upload(client, pid, b"", "empty.txt", "en", "source"), 400, "empty")
    assert_error(upload(client, pid, b"x" * 50_001, "big.txt", "en", "source"), 413, "limit")
    assert_error(upload(client, pid, b"Hello there.", "a.txt", "en", "author"), 422, "role")
    assert_error(upload(client, pid, b"Hello there.", "a.txt", "en", "source", kind="forged"), 422, "kind")
    assert_error(upload(client, pid, b"Hello there.", "a.txt", "qq", "source"), 400, "qq")
    russian = "Посол заявил решительный протест против нарушения границы. ".encode() * 4
    assert_error(upload(client, pid, russian, "ru.txt", "en", "source"), 400, "declared 'en'", "cyrillic")
    assert_error(upload(client, 999, b"Hello there.", "a.txt", "en", "source"), 404, "project 999")
    r = client.post(f"/api/projects/{pid}/documents", files={"file": ("a.txt", b"Hi.")}, data={"role": "source"})
    assert_error(r, 422, "lang")
    assert_error(upload(client, pid, b"<TEI><text><body><p>x", "broken.xml", "en", "source"), 400)
    page = b"<!DOCTYPE html><html><head><script>var x;</script></head><body><p>Hello.</p></body></html>"
    assert_error(upload(client, pid, page, "page.html", "en", "source"), 400, "page.html: an HTML page, not a text")
    tmx = b"<tmx version='1.4'><header srclang='ru'/><body/></tmx>"
    assert_error(upload(client, pid, tmx, "m.tmx", "en", "source"), 400, "m.tmx: a TMX alignment, not a text")
    with service_session(client) as s:
        assert service.list_documents(s, pid) == []  # nothing half-stored


def service_session(client):
    return client.app.state.session_factory()


def test_sentence_context_highlights_the_raw_span(client, aid):
    a = client.get(f"/api/alignments/{aid}").json()
    for doc_id in (a["src_document_id"], a["tgt_document_id"]):
        ctx = client.get(f"/api/documents/{doc_id}/sentences/5/context").json()
        span = ctx["page_text"][ctx["highlight_start"]:ctx["highlight_end"]]
        assert span == ctx["text"] and SCRIPT_TEXT in span  # presplit: raw == text
        assert ctx["page"] == 1 and ctx["page_count"] == 1
    assert ctx["label"] == "translation"
    src_ctx = client.get(f"/api/documents/{a['src_document_id']}/sentences/0/context").json()
    assert src_ctx["label"] == "TEST RECONSTRUCTION — not the archival text"
    assert_error(client.get(f"/api/documents/{a['src_document_id']}/sentences/99/context"), 404, "99")
    assert_error(client.get("/api/documents/999/sentences/0/context"), 404, "document 999")


def test_sentence_context_on_a_paged_ocr_text(client, en_ocr_path):
    pid = client.post("/api/projects", json={"name": "ocr"}).json()["id"]
    client.app.state.settings.max_upload_bytes = 10**6
    doc = upload(client, pid, en_ocr_path.read_bytes(), "en.ocr.txt", "en", "translation").json()
    raw = client.get(f"/api/documents/{doc['id']}/raw").json()
    assert raw["raw_text"] == en_ocr_path.read_bytes().decode("ascii")
    for o in range(doc["sentences"]):
        ctx = client.get(f"/api/documents/{doc['id']}/sentences/{o}/context").json()
        start = raw["page_starts"][ctx["page"] - 1]
        assert ctx["page_start"] == start
        assert ctx["page_text"] == raw["raw_text"][start:ctx["page_end"]]
        assert ctx["page_text"][ctx["highlight_start"]:ctx["highlight_end"]] == \
            raw["raw_text"][max(ctx["raw_start"], start):min(ctx["raw_end"], ctx["page_end"])]


# --- alignment jobs ------------------------------------------------------------------

def _two_docs(client, n=8, project="job"):
    pid = client.post("/api/projects", json={"name": project}).json()["id"]
    src, tgt = synthetic_bitext(n)
    s = upload(client, pid, src.encode(), "s.ru.txt", "ru", "source", presplit="true").json()
    t = upload(client, pid, tgt.encode(), "t.en.txt", "en", "translation", presplit="true").json()
    return pid, s["id"], t["id"]


def test_alignment_job_runs_with_progress(client, app):
    pid, s, t = _two_docs(client)
    r = client.post(f"/api/projects/{pid}/alignments", json={"src_document_id": s, "tgt_document_id": t})
    assert r.status_code == 202
    job = app.state.jobs.wait(r.json()["id"], timeout=30)
    out = client.get(f"/api/jobs/{job.id}").json()
    assert out["state"] == "done" and out["progress"] == 1.0 and out["alignment_id"]
    page = beads(client, out["alignment_id"])
    assert page["total"] == 8 and shape(page) == [((i,), (i,)) for i in range(8)]
    assert out["id"] in [j["id"] for j in client.get("/api/jobs").json()]


def test_alignment_job_bad_requests(client, app):
    pid, s, t = _two_docs(client)
    other = client.post("/api/projects", json={"name": "other"}).json()["id"]
    post = lambda p, body: client.post(f"/api/projects/{p}/alignments", json=body)  # noqa: E731
    assert_error(post(pid, {"src_document_id": s, "tgt_document_id": 999}), 404, "document 999")
    assert_error(post(999, {"src_document_id": s, "tgt_document_id": t}), 404, "project 999")
    assert_error(post(other, {"src_document_id": s, "tgt_document_id": t}), 409, "belongs to project")
    assert_error(post(pid, {"src_document_id": s, "tgt_document_id": s}), 409, "different")
    assert_error(post(pid, {"src_document_id": "one", "tgt_document_id": t}), 422, "src_document_id")
    # an encoder the server cannot load is refused at once, not by a job that fails later
    assert_error(post(pid, {"src_document_id": s, "tgt_document_id": t, "encoder": "/no/such/model"}),
                 422, "model '/no/such/model'")
    r = post(pid, {"src_document_id": s, "tgt_document_id": t, "encoder": "/no/such/model"})
    assert "the built-in encoder is 'use-m3'" in r.json()["detail"]
    # JSON true is not the id 1
    assert_error(post(pid, {"src_document_id": True, "tgt_document_id": t}), 422, "not true or false")
    assert client.get("/api/jobs").json() == []
    assert_error(client.get("/api/jobs/nope"), 404, "job")


def test_failed_job_reports_a_message(tmp_path):
    def no_model(name=None):
        raise ModelError("model 'x' is not in the local cache")

    app = create_app(Settings(db=tmp_path / "j.db", auth="local"), encoder_provider=no_model)
    with local_client(app) as c:
        pid, s, t = _two_docs(c)
        job = c.post(f"/api/projects/{pid}/alignments", json={"src_document_id": s, "tgt_document_id": t}).json()
        app.state.jobs.wait(job["id"])
        out = c.get(f"/api/jobs/{job['id']}").json()
        assert out["state"] == "failed" and "local cache" in out["error"] and out["alignment_id"] is None
        assert c.get("/api/alignments").json() == []


def test_the_same_job_asked_twice_while_running_is_one_job(tmp_path):
    import threading

    release = threading.Event()

    def slow_model(name=None):  # holds the first job "running" until released
        release.wait(30)
        raise ModelError("model 'x' is not in the local cache")

    app = create_app(Settings(db=tmp_path / "j.db", auth="local"), encoder_provider=slow_model)
    with local_client(app) as c:
        pid, s, t = _two_docs(c)
        post = lambda body: c.post(f"/api/projects/{pid}/alignments",  # noqa: E731
                                   json={"src_document_id": s, "tgt_document_id": t, **body}).json()
        first, again, other = post({}), post({}), post({"settings": {"max_side": 3}})
        assert again["id"] == first["id"] and other["id"] != first["id"]
        # the same work asked for in other words: the default encoder by name, or blank;
        # a default setting spelt out
        for body in ({"encoder": "use-m3"}, {"encoder": "  "}, {"settings": {"max_side": 6}}):
            assert post(body)["id"] == first["id"], body
        release.set()
        app.state.jobs.wait(first["id"])
        app.state.jobs.wait(other["id"])
        assert post({})["id"] not in (first["id"], other["id"])  # a finished job is not reused


# --- reading -------------------------------------------------------------------------

def test_read_beads_in_pages_progress_and_queue(client, aid):
    first, second = beads(client, aid, 0, 4), beads(client, aid, 4, 4)
    assert first["total"] == second["total"] == N - 1
    assert [b["position"] for b in first["beads"] + second["beads"]] == list(range(8))
    assert shape(first)[:3] == [((0,), (0,)), ((1, 2), (1, 2)), ((3,), (3,))]
    assert first["beads"][1]["type"] == "2-2" and first["beads"][0]["score"] == 0.95
    assert first["beads"][1]["src"][0]["text"] == "Предложение номер 2 о границе."
    # a page of beads read alone still says which side is a test reconstruction
    assert first["labels"] == {"src": "TEST RECONSTRUCTION — not the archival text", "tgt": "translation"}
    assert beads(client, aid, 10, 50)["beads"][0]["position"] == 10
    assert beads(client, aid, 50, 50)["beads"] == []
    low = client.get(f"/api/alignments/{aid}/beads", params={"filter": "low-confidence"}).json()
    assert [b["position"] for b in low["beads"]] == [2]
    p = client.get(f"/api/alignments/{aid}/progress").json()
    assert (p["beads"], p["unreviewed"], p["reviewed_fraction"], p["undo"]) == (N - 1, N - 1, 0.0, None)
    nxt = client.get(f"/api/alignments/{aid}/next", params={"kind": "low-confidence", "after": 2}).json()
    assert nxt["bead"]["position"] == 2  # wraps around to the only one
    nxt = client.get(f"/api/alignments/{aid}/next", params={"kind": "non-1-1", "after": -1}).json()
    assert nxt["bead"]["type"] == "2-2"
    nxt = client.get(f"/api/alignments/{aid}/next", params={"kind": "crossing", "after": 0}).json()
    assert nxt["bead"]["position"] == 2
    cr = client.get(f"/api/alignments/{aid}/crossings").json()
    assert len(cr) == 1 and cr[0]["src"][0]["ord"] == 0 and cr[0]["tgt"][0]["ord"] == 3
    one = client.get(f"/api/alignments/{aid}/beads/{first['beads'][1]['id']}").json()
    assert one == first["beads"][1]


def test_read_errors(client, aid):
    assert_error(client.get("/api/alignments/999"), 404, "alignment 999")
    assert_error(client.get("/api/alignments/999/beads"), 404, "alignment 999")
    assert_error(client.get(f"/api/alignments/{aid}/beads/999"), 404, "bead 999")
    assert_error(client.get(f"/api/alignments/{aid}/beads", params={"limit": 0}), 422, "limit")
    assert_error(client.get(f"/api/alignments/{aid}/beads", params={"limit": 5000}), 422, "limit")
    assert_error(client.get(f"/api/alignments/{aid}/beads", params={"offset": -1}), 422, "offset")
    assert_error(client.get(f"/api/alignments/{aid}/beads", params={"filter": "odd"}), 422, "filter")
    assert_error(client.get(f"/api/alignments/{aid}/next", params={"kind": "any"}), 422, "kind")
    assert_error(client.get("/api/alignments/abc"), 422, "alignment_id")
    assert_error(client.get("/nowhere"), 404, "/api")


# --- bad requests: never a 500 -------------------------------------------------------

def test_invariant_violations_are_409(client, aid):
    page = beads(client, aid)
    last, first, two = page["beads"][-1], page["beads"][0], page["beads"][1]
    body = assert_error(op(client, aid, "merge", version=1, bead_id=last["id"], direction="next"), 409)
    assert body["code"] == "invariant"
    assert_error(op(client, aid, "merge", version=1, bead_id=first["id"], direction="previous"), 409)
    assert_error(op(client, aid, "split", version=1, bead_id=two["id"], src_at=0, tgt_at=0), 409)
    assert_error(op(client, aid, "split", version=1, bead_id=two["id"], src_at=5, tgt_at=1), 409)
    assert_error(op(client, aid, "move", version=1, bead_id=first["id"], side="src", direction="previous"), 409)
    assert version(client, aid) == 1  # nothing changed


def test_malformed_requests_are_422_with_readable_detail(client, aid):
    url = f"/api/alignments/{aid}/confirm"
    assert_error(client.post(url, json={"bead_ids": [1]}), 422, "version", "required")
    assert_error(client.post(url, json={"version": 1, "bead_ids": []}), 422, "bead_ids")
    assert_error(client.post(url, json={"version": "new", "bead_ids": [1]}), 422, "version")
    assert_error(client.post(url, json={"version": 1, "bead_ids": [1], "force": True}), 422, "force")
    assert_error(client.post(url, content=b"{version: 1", headers={"Content-Type": "application/json"}),
                 422, "JSON")
    assert_error(client.post(url, json=[1, 2]), 422, "object")
    assert_error(op(client, aid, "move", version=1, bead_id=1, side="left", direction="next"), 422, "side")
    assert_error(op(client, aid, "merge", version=0, bead_id=1), 422, "version")


def test_unknown_ids_in_ops_are_404(client, aid):
    assert_error(op(client, 999, "undo", version=1), 404, "alignment 999")
    assert_error(op(client, aid, "confirm", version=1, bead_ids=[999]), 404, "999")
    assert_error(op(client, aid, "merge", version=1, bead_id=999), 404, "999")
    assert_error(op(client, aid, "split", version=1, bead_id=999, src_at=1, tgt_at=0), 404, "999")
    assert_error(op(client, aid, "detach", version=1, bead_id=999), 404, "999")
    assert_error(op(client, aid, "unlink-crossing", version=1, link_id=999), 404, "999")


def test_unexpected_error_is_a_plain_500(app, caplog):
    def boom():
        raise RuntimeError("secret internals")

    app.add_api_route("/api/boom", boom)
    with local_client(app) as c:  # raise_server_exceptions: would raise if anything escaped
        r = c.get("/api/boom")
    assert r.status_code == 500
    assert "internal error" in r.json()["detail"] and "secret" not in r.text and "Traceback" not in r.text
    assert "secret internals" in caplog.text  # logged for the operator


def test_oversize_declared_body_is_413(client, aid):
    r = client.post(f"/api/alignments/{aid}/confirm", content=b"x" * 1_200_000,
                    headers={"Content-Type": "application/json"})
    assert_error(r, 413, "limit")


# --- page and docs -------------------------------------------------------------------

def test_page_and_docs_served_offline(client):
    page = client.get("/")
    assert page.status_code == 200 and "/static/app.js" in page.text
    for asset in ("/static/app.js", "/static/app.css"):
        r = client.get(asset)
        assert r.status_code == 200 and "http://" not in r.text and "https://" not in r.text
    assert "https://" not in page.text
    docs = client.get("/docs")
    assert docs.status_code == 200 and "cdn." not in docs.text
    assert "/api/alignments/{alignment_id}/merge" in client.get("/openapi.json").json()["paths"]


# --- export --------------------------------------------------------------------------

def test_export_tei_download(client, aid):
    from lxml import etree

    b = beads(client, aid)["beads"]
    op(client, aid, "confirm", version=1, bead_ids=[b[0]["id"]])
    r = client.get(f"/api/alignments/{aid}/export", params={"format": "tei"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/tei+xml")
    assert f'alignment-{aid}-TEST-RECONSTRUCTION.tei.xml' in r.headers["content-disposition"]
    root = etree.fromstring(r.content)
    links = root.findall(".//{http://www.tei-c.org/ns/1.0}link")
    assert len(links) == N - 1 and links[0].get("subtype") == "confirmed"
    assert b"TEST RECONSTRUCTION" in r.content
    assert_error(client.get(f"/api/alignments/{aid}/export", params={"format": "docx"}), 422, "format")
    assert_error(client.get("/api/alignments/999/export", params={"format": "tei"}), 404, "999")


@pytest.mark.parametrize("fmt", ["tmx", "tsv", "json", "vecalign"])
def test_export_file_formats(client, aid, fmt):
    pytest.importorskip("aligner.export", reason="aligner/export.py (file exporters) not present yet")
    r = client.get(f"/api/alignments/{aid}/export", params={"format": fmt})
    assert r.status_code == 200, r.text
    text = r.content.decode("utf-8")
    assert "Sentence number 12 about the border." in text or fmt == "vecalign"
    # Every format, vecalign included, says the source is a test reconstruction.
    assert "TEST-RECONSTRUCTION" in r.headers["content-disposition"]
    assert "kind=reconstruction; TEST RECONSTRUCTION - not the archival text" in r.headers["x-source-provenance"]
    assert r.headers["x-target-provenance"].startswith("demo.en.txt; kind=translation")
    if fmt == "tmx":
        assert text.count("<tu") + text.count("<tu>") >= N - 1
