"""``aligner serve``: first-start import of the bundled corpus, and the command itself."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import json

from aligner.store import service
from aligner.store.db import open_store
from api.bootstrap import bootstrap_if_empty, bundled_specs
from api.server import load_settings
from support.api import DigitEncoder

ROOT = Path(__file__).resolve().parents[1]


def test_bootstrap_imports_litvinov_once(tmp_path):
    engine, sessions = open_store(tmp_path / "boot.db")
    try:
        made = bootstrap_if_empty(sessions, DigitEncoder, echo=lambda _m: None)
        # The bitexts, then FRUS d471 as a second (partial) rendering of the Russian record.
        assert len(made) == len(bundled_specs()) + 1 >= 2
        with sessions() as s:
            a = service.get_alignment(s, made[0])
            assert a["src_provenance"]["file"] == "ru.reconstructed.txt"
            assert a["src_provenance"]["label"] == "TEST RECONSTRUCTION — not the archival text"
            assert "NOT the archival" in a["src_provenance"]["note"]
            assert (a["tgt_provenance"]["file"], a["tgt_provenance"]["kind"]) == ("en.ocr.txt", "translation")
            assert a["src_lang"] == "ru" and a["tgt_lang"] == "en" and a["beads"] > 50
            # The FRUS telegrams come in alone: English, archival, not aligned, viewable.
            from aligner.store.renderings import list_pivots, parallel_view

            alone = [p for p in list_pivots(s) if p["document"]["provenance"]["file"].startswith("frus")]
            assert len(alone) == 12
            assert [p["alignments"] for p in alone].count(0) == 11  # all but d471
            d471 = next(p["document"] for p in alone if "d471" in p["document"]["title"])
            assert d471["lang"] == "en" and d471["provenance"]["kind"] == "archival"
            d465 = next(p["document"] for p in alone if "d465" in p["document"]["title"])
            view = parallel_view(s, d465["id"], limit=1000)
            assert view["columns"] == [] and view["total"] > 5  # viewable alone
            # The Russian record has two renderings: the exhibit and FRUS d471.
            record = parallel_view(s, a["src_document_id"], limit=1000)
            assert [c["document"]["provenance"]["file"] for c in record["columns"]] == [
                "en.ocr.txt", "frus1938v03_d464-d478.tei.xml#d471"]
            assert sum(len(r["cells"][1]["sentences"]) for r in record["rows"]) == 22
        # a second start finds data and does nothing
        assert bootstrap_if_empty(sessions, DigitEncoder, echo=lambda _m: None) == []
    finally:
        engine.dispose()


def test_bundled_manifest_is_read(tmp_path):
    work = tmp_path / "corpora" / "w1"
    work.mkdir(parents=True)
    (work / "ru.txt").write_text("Первое предложение 1.\nВторое предложение 2.\n", encoding="utf-8")
    (work / "en.txt").write_text("First sentence 1.\nSecond sentence 2.\n", encoding="utf-8")
    (work / "bitext.json").write_text(json.dumps({
        "title": "Work one", "source": {"file": "ru.txt", "lang": "ru", "kind": "archival"},
        "target": {"file": "en.txt", "lang": "en", "kind": "translation"}}), encoding="utf-8")
    specs = bundled_specs(tmp_path / "corpora")
    assert [(s.project, s.source.kind, s.target.file) for s in specs] == [("w1", "archival", "en.txt")]
    engine, sessions = open_store(tmp_path / "m.db")
    try:
        [aid] = bootstrap_if_empty(sessions, DigitEncoder, tmp_path / "corpora", echo=lambda _m: None)
        with sessions() as s:
            assert service.list_beads(s, aid)["total"] == 2
    finally:
        engine.dispose()


def test_bad_settings_are_one_line_errors(tmp_path):
    import pytest

    from aligner.errors import AlignerError

    with pytest.raises(AlignerError, match="db: folder .* does not exist"):
        load_settings(db=tmp_path / "missing" / "x.db")
    with pytest.raises(AlignerError, match="max_upload_bytes"):
        load_settings(db=tmp_path / "x.db", max_upload_bytes=0)


def test_serve_refuses_an_encoder_it_cannot_load_before_it_starts(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from api.cli import app as cli

    db = tmp_path / "x.db"
    result = CliRunner().invoke(cli, ["serve", "--db", str(db), "--encoder", "nonsense", "--port", str(_free_port())])
    assert result.exit_code == 2 and "model 'nonsense' is not a local folder" in result.output
    assert "the built-in encoder is 'use-m3'" in result.output and not db.exists()  # nothing made
    monkeypatch.setenv("ALIGNER_ENCODER", "nonsense")  # the same from the environment
    result = CliRunner().invoke(cli, ["serve", "--db", str(db), "--port", str(_free_port())])
    assert result.exit_code == 2 and "model 'nonsense'" in result.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_command_creates_db_and_serves(tmp_path):
    port = _free_port()
    db = tmp_path / "serve.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--db", str(db), "--port",
                             str(port), "--no-import"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1) as r:
                    assert json.load(r) == {"status": "ok"}
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline, "server did not start in 30 s"
                time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/projects", timeout=5) as r:
            assert json.load(r) == []  # --no-import: nothing imported
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
            assert b"app.js" in r.read()
        assert db.is_file()
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_serve_command_reports_a_taken_port(tmp_path):
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        out = subprocess.run([sys.executable, "-m", "api.cli", "serve", "--db", str(tmp_path / "p.db"),
                              "--port", str(port), "--no-import"], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "address already in use" in out.stderr.lower() and "Traceback" not in out.stderr
