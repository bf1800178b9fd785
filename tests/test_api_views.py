"""Read-only API views: renderings side by side, phrase concordance, fidelity report."""

from __future__ import annotations

import warnings

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*")
from fastapi.testclient import TestClient  # noqa: E402

from aligner.store import service  # noqa: E402
from support.store import populate, toy_alignment, toy_document  # noqa: E402
from api.main import create_app  # noqa: E402
from api.settings import Settings  # noqa: E402
from support.api import DigitEncoder  # noqa: E402

RU = ["Японцы заняли высоту 588 у Гродеково.", "Это было 4 августа.",
      "В нашем понимании граница проходит по хребту.", "Мы требуем отвода войск."]
EN = ["The Japanese occupied Hill 558 near Grodekovo.", "This was on August 4.",
      "In our understanding the frontier runs along the ridge.", "We demand a withdrawal."]
EN2 = ["The Japanese seized height 588 near Grodekovo on August 4.",
       "According to our understanding the border follows the crest.",
       "We demand that the troops withdraw.", "End of telegram."]


@pytest.fixture()
def app(tmp_path):
    settings = Settings(db=tmp_path / "views.db", auth="local")
    return create_app(settings, encoder_provider=lambda name=None: DigitEncoder())


@pytest.fixture()
def client(app):
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture()
def ids(app, client):
    with app.state.session_factory() as s:
        ids = populate(s, RU, EN, [((i,), (i,)) for i in range(4)], project="khasan")
        ids["en2"] = service.import_document(s, ids["project"], toy_document(EN2, "en", title="FRUS"),
                                             "translation")
        ids["alignment2"] = service.store_alignment(
            s, ids["src"], ids["en2"], toy_alignment([((0, 1), (0,)), ((2,), (1,)), ((3,), (2,)),
                                                      ((), (3,))]))
    return ids


def test_renderings_three_columns(client, ids):
    listing = client.get("/api/renderings").json()
    assert listing[0]["document"]["id"] == ids["src"] and listing[0]["alignments"] == 2
    r = client.get(f"/api/documents/{ids['src']}/renderings")
    assert r.status_code == 200, r.text
    view = r.json()
    assert [c["document"]["title"] for c in view["columns"]] == ["toy en", "FRUS"]
    assert view["document"]["provenance"]["kind"] == "reconstruction"
    assert view["total"] == 3  # RU 0+1 | RU 2 | RU 3
    row = view["rows"][0]
    assert [p["text"] for p in row["pivot"]] == RU[:2]
    assert [s["text"] for s in row["cells"][0]["sentences"]] == EN[:2]
    assert [s["text"] for s in row["cells"][1]["sentences"]] == [EN2[0]]
    assert [s["text"] for s in view["rows"][2]["cells"][1]["sentences"]] == EN2[2:]
    one = client.get(f"/api/documents/{ids['src']}/renderings",
                     params={"alignment_id": ids["alignment"], "offset": 1, "limit": 1}).json()
    assert len(one["columns"]) == 1 and one["total"] == 4 and one["rows"][0]["index"] == 1


def test_renderings_bad_requests(client, ids):
    assert client.get("/api/documents/999/renderings").status_code == 404
    r = client.get(f"/api/documents/{ids['en2']}/renderings", params={"alignment_id": ids["alignment"]})
    assert r.status_code == 400 and "does not contain" in r.json()["detail"]
    assert client.get(f"/api/documents/{ids['src']}/renderings", params={"limit": 0}).status_code == 422
    assert client.get(f"/api/documents/{ids['src']}/renderings",
                      params={"alignment_id": "x"}).status_code == 422


def test_concordance_finds_the_phrase_and_its_renderings(client, ids):
    r = client.get("/api/search", params={"q": "в нашем понимании"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["count"] == 1
    hit = body["hits"][0]
    assert hit["match"] == "В нашем понимании" and hit["text"] == RU[2]
    assert sorted(a["text"] for a in hit["aligned"]) == sorted([EN[2], EN2[1]])
    fuzzy = client.get("/api/search", params={"q": "in our understandin", "fuzzy": True}).json()
    assert [h["text"] for h in fuzzy["hits"]] == [EN[2], EN2[1]]
    assert all(h["aligned"][0]["text"] == RU[2] for h in fuzzy["hits"])
    bad = client.get("/api/search", params={"q": "?!"})
    assert bad.status_code == 400 and "letters or digits" in bad.json()["detail"]
    assert client.get("/api/search").status_code == 422
    huge = client.get("/api/search", params={"q": "border", "offset": 2**63})  # past a 64-bit integer
    assert huge.status_code == 422 and "offset" in huge.json()["detail"]
    end = client.get("/api/search", params={"q": "border", "offset": 2**31 - 1}).json()
    assert end["hits"] == [] and end["count"] > 0


def test_fidelity_report_gives_evidence_and_follows_edits(client, ids):
    aid = ids["alignment"]
    report = client.get(f"/api/alignments/{aid}/fidelity").json()
    assert report["src_provenance"]["label"] == "TEST RECONSTRUCTION — not the archival text"
    first = report["beads"][0]
    assert first["position"] == 0
    numbers = [f for f in first["flags"] if f["code"] == "number-mismatch"]
    assert numbers and numbers[0]["details"] == {"src_only": ["588"], "tgt_only": ["558"]}
    bead_id = first["bead_id"]
    assert client.get(f"/api/alignments/{aid}/beads/{bead_id}/fidelity").json() == first["flags"]
    assert client.get(f"/api/alignments/{aid}/beads/999/fidelity").status_code == 404
    assert client.get("/api/alignments/999/fidelity").status_code == 404
    # The second rendering gets 588 right: its first bead has no number flag.
    report2 = client.get(f"/api/alignments/{ids['alignment2']}/fidelity").json()
    assert not any(f["code"] == "number-mismatch" for e in report2["beads"] if e["position"] == 0
                   for f in e["flags"])
    addition = [e for e in report2["beads"] if e["type"] == "0-1"]
    assert addition and addition[0]["flags"][0]["code"] == "addition"
    # Merging the 0-1 bead into the one before it: the addition flag goes with the version.
    v = client.get(f"/api/alignments/{ids['alignment2']}").json()["version"]
    r = client.post(f"/api/alignments/{ids['alignment2']}/merge",
                    json={"version": v, "bead_id": addition[0]["bead_id"], "direction": "previous"})
    assert r.status_code == 200, r.text
    after = client.get(f"/api/alignments/{ids['alignment2']}/fidelity").json()
    assert after["version"] == v + 1
    assert not any(f["code"] == "addition" for e in after["beads"] for f in e["flags"])
