"""`aligner report`: the fidelity report of a stored alignment, text and JSON."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from api.cli import app
from aligner.store.db import open_store
from support.store import populate

RU = ["Японцы заняли высоту 588.", "Мы требуем отвода войск.", "Это всё."]
EN = ["The Japanese occupied Hill 558.", "We demand a withdrawal."]


def test_report_lists_flagged_beads_with_evidence(tmp_path):
    db = tmp_path / "r.db"
    _, sessions = open_store(db)
    with sessions() as s:
        aid = populate(s, RU, EN, [((0,), (0,)), ((1,), (1,)), ((2,), ())])["alignment"]
    runner = CliRunner()
    text = runner.invoke(app, ["report", "--alignment", str(aid), "--db", str(db)])
    assert text.exit_code == 0, text.output
    assert "TEST RECONSTRUCTION" in text.output and "2 flagged beads" in text.output
    assert "#1 (1-1) ru 1 ↔ en 1" in text.output
    assert "numbers differ: source 588; target 558" in text.output
    assert "#3 (1-0) ru 3 ↔ en –" in text.output and "! omission" in text.output
    data = json.loads(runner.invoke(app, ["report", "--alignment", str(aid), "--db", str(db),
                                          "--format", "json"]).output)
    assert [b["position"] for b in data["beads"]] == [0, 2]
    assert data["source"]["label"] == "TEST RECONSTRUCTION — not the archival text"
    assert data["beads"][0]["flags"][0]["details"] == {"src_only": ["588"], "tgt_only": ["558"]}
    missing = runner.invoke(app, ["report", "--alignment", "99", "--db", str(db)])
    assert missing.exit_code == 2 and "alignment 99 not found" in missing.output


def test_read_commands_refuse_a_missing_database(tmp_path):
    runner = CliRunner()
    for args in (["report", "--alignment", "1"], ["search", "понимании"]):
        missing = tmp_path / "typo.db"
        result = runner.invoke(app, args + ["--db", str(missing)])
        assert result.exit_code == 2 and "no such database" in result.output
        assert not missing.exists()  # no empty database left behind
        missing.touch()  # an empty file is no database either (SQLite would fill it)
        result = runner.invoke(app, args + ["--db", str(missing)])
        assert result.exit_code == 2 and missing.stat().st_size == 0
        missing.unlink()
