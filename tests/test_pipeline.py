"""One pipeline behind every entry point: the Litvinov pair (Russian TEST RECONSTRUCTION ↔
English OCR exhibit) aligned through the CLI, ``aligner batch``, an API job and the first-start
import gives identical beads, scores, flags and crossing candidates; re-aligning keeps what was
there and uses the alignment's own settings."""

from __future__ import annotations

import shutil
import time
import warnings

import pytest
from typer.testing import CliRunner

from aligner.pipeline import realign
from aligner.store import review, service
from aligner.store.db import open_store
from aligner.store.fidelity import fidelity_report
from api.bootstrap import bootstrap_if_empty
from api.cli import app as cli
from conftest import CORPORA

warnings.filterwarnings("ignore", message=".*httpx.*")
from fastapi.testclient import TestClient  # noqa: E402

from api.main import create_app  # noqa: E402
from api.settings import Settings  # noqa: E402

pytestmark = pytest.mark.slow
LITVINOV = CORPORA / "litvinov-1938-08-07"


def snapshot(sessions, alignment_id: int) -> dict:
    """What must not depend on the entry point: beads (ords, score, flags), crossings,
    settings, and the flag counts the page's queue and the report show."""
    with sessions() as s:
        a = service.load_alignment(s, alignment_id)
        return {"beads": [(b.src, b.tgt, b.score, tuple(b.flags)) for b in a.beads],
                "crossings": sorted((c.src, c.tgt, c.score, c.reason) for c in a.crossings),
                "settings": a.params,
                "flagged": service.progress(s, alignment_id)["flagged"],
                "report": [(e["position"], [f["code"] for f in e["flags"]])
                           for e in fidelity_report(s, alignment_id)]}


def only_alignment(sessions) -> int:
    with sessions() as s:
        (a,) = service.list_alignments(s)
        return a["id"]


@pytest.fixture(scope="module")
def via_cli(tmp_path_factory, default_encoder):
    db = tmp_path_factory.mktemp("cli") / "cli.db"
    r = CliRunner().invoke(cli, ["align", str(LITVINOV / "ru.reconstructed.txt"),
                                 str(LITVINOV / "en.ocr.txt"), "--src-lang", "ru", "--tgt-lang",
                                 "en", "--db", str(db), "-q", "-o", str(db.with_suffix(".tsv"))])
    assert r.exit_code == 0, r.output
    sessions = open_store(db)[1]
    return sessions, only_alignment(sessions)


def test_batch_gives_the_cli_alignment(tmp_path, via_cli):
    folder = tmp_path / "records"
    folder.mkdir()
    shutil.copy(LITVINOV / "ru.reconstructed.txt", folder / "litvinov_ru.txt")
    shutil.copy(LITVINOV / "en.ocr.txt", folder / "litvinov_en.txt")
    db = tmp_path / "batch.db"
    r = CliRunner().invoke(cli, ["batch", str(folder), "--db", str(db), "-q"])
    assert r.exit_code == 0, r.output
    sessions = open_store(db)[1]
    assert snapshot(sessions, only_alignment(sessions)) == snapshot(*via_cli)


def test_an_api_job_gives_the_cli_alignment(tmp_path, via_cli):
    app = create_app(Settings(db=str(tmp_path / "api.db"), auth="local"))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        pid = client.post("/api/projects", json={"name": "litvinov"}).json()["id"]
        ids = []
        for name, lang, role in (("ru.reconstructed.txt", "ru", "source"),
                                 ("en.ocr.txt", "en", "translation")):
            r = client.post(f"/api/projects/{pid}/documents",
                            files={"file": (name, (LITVINOV / name).read_bytes())},
                            data={"lang": lang, "role": role})
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
        job = client.post(f"/api/projects/{pid}/alignments",
                          json={"src_document_id": ids[0], "tgt_document_id": ids[1]}).json()
        deadline = time.monotonic() + 120
        while job["state"] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.05)
            job = client.get(f"/api/jobs/{job['id']}").json()
        assert job["state"] == "done", job
    assert snapshot(app.state.session_factory, job["alignment_id"]) == snapshot(*via_cli)


def test_the_first_start_import_gives_the_cli_alignment(tmp_path, via_cli, default_encoder):
    corpora = tmp_path / "corpora"
    shutil.copytree(LITVINOV, corpora / LITVINOV.name)
    sessions = open_store(tmp_path / "first.db")[1]
    (aid,) = bootstrap_if_empty(sessions, lambda: default_encoder, corpora, echo=lambda _: None)
    assert snapshot(sessions, aid) == snapshot(*via_cli)


def test_realigning_an_unedited_alignment_changes_nothing(tmp_path, default_encoder):
    db = tmp_path / "r.db"
    r = CliRunner().invoke(cli, ["align", str(LITVINOV / "ru.reconstructed.txt"),
                                 str(LITVINOV / "en.ocr.txt"), "--src-lang", "ru", "--tgt-lang",
                                 "en", "--db", str(db), "-q", "-o", str(tmp_path / "r.tsv")])
    assert r.exit_code == 0, r.output
    sessions = open_store(db)[1]
    aid = only_alignment(sessions)
    before = snapshot(sessions, aid)
    assert before["flagged"] >= 20  # the OCR, name and number badges are there
    with sessions() as s:
        realign(s, aid, 1, user="anna")
    after = snapshot(sessions, aid)
    assert after == before


def test_realigning_after_edits_keeps_the_alignments_settings(tmp_path, default_encoder):
    db = tmp_path / "s.db"
    args = [str(LITVINOV / "ru.reconstructed.txt"), str(LITVINOV / "en.ocr.txt"), "--src-lang",
            "ru", "--tgt-lang", "en", "-q", "--format", "vecalign"]
    default = CliRunner().invoke(cli, ["align", *args])
    assert any(line.startswith("[") and line.split("]")[0].count(",") >= 2
               for line in default.stdout.splitlines())  # a 3-1 bead with max_side 6
    r = CliRunner().invoke(cli, ["align", *args, "--db", str(db), "--set", "max_side=2",
                                 "-o", str(tmp_path / "s.txt")])
    assert r.exit_code == 0, r.output
    sessions = open_store(db)[1]
    aid = only_alignment(sessions)
    with sessions() as s:
        beads = service.list_beads(s, aid, 0, 1000)["beads"]
        v = review.confirm(s, aid, 1, [b["id"] for b in beads[40:45]], user="anna").version
        v = review.merge(s, aid, v, beads[10]["id"], user="anna").version  # left unreviewed
        realign(s, aid, v, user="anna")
        info = service.get_alignment(s, aid)
        after = service.list_beads(s, aid, 0, 1000)["beads"]
    assert info["params"]["max_side"] == 2 and info["params"]["partial"] is False
    assert max(max(len(b["src"]), len(b["tgt"])) for b in after) <= 2
    assert [b["id"] for b in after if b["status"] == "confirmed"] == [b["id"] for b in beads[40:45]]
