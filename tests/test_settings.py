"""One settings registry: declared once on AlignConfig, read by the CLI (--set), the API (job
settings and OpenAPI), the store (kept with each alignment) and every export."""

from __future__ import annotations

import json
import warnings

import pytest
from typer.testing import CliRunner

from aligner.align import SETTINGS, AlignConfig
from aligner.settings import SettingError, parse_assignments, validate
from api.cli import app as cli
from conftest import CORPORA

warnings.filterwarnings("ignore", message=".*httpx.*")

from api.main import create_app  # noqa: E402
from api.settings import Settings  # noqa: E402
from support.api import DigitEncoder, demo_documents  # noqa: E402
from support.api_client import local_client  # noqa: E402


def test_every_alignconfig_field_is_a_registered_setting():
    import dataclasses

    assert [s.name for s in SETTINGS] == [f.name for f in dataclasses.fields(AlignConfig)]
    assert all(len(s.help) > 20 and s.help.rstrip().endswith((".", ")")) for s in SETTINGS)
    by = {s.name: s for s in SETTINGS}
    assert (by["max_side"].kind, by["max_side"].default, by["max_side"].range_text) == (int, 6, "1 … 8")
    assert by["min_bead_similarity"].optional and by["partial"].kind is bool


@pytest.mark.parametrize("item, message", [
    ("max_side=9", "setting max_side: 9 is outside 1 … 8"),
    ("max_side=two", "setting max_side: 'two' is not an int (1 … 8)"),
    ("partial=maybe", "setting partial: 'maybe' is not a bool"),
    ("skip", "write NAME=VALUE"),
    ("maxside=3", "unknown setting 'maxside' (did you mean max_side?)"),
    ("length_sigma=nan", "is not a finite number"),
])
def test_bad_assignments_are_one_readable_line(item, message):
    with pytest.raises(SettingError) as err:
        parse_assignments(AlignConfig, [item])
    assert message in str(err.value) and "\n" not in str(err.value)


def test_values_are_converted_and_stored_settings_come_back():
    values = parse_assignments(AlignConfig, ["max_side=4", "partial=yes", "length_sigma=none",
                                             "skip=-0.05"])
    assert values == {"max_side": 4, "partial": True, "length_sigma": None, "skip": -0.05}
    config = AlignConfig(**values)
    assert AlignConfig.from_params({**config.to_params(), "alignment_id": 7}) == config
    # Stored before `partial` was a setting: only its effect, min_bead_similarity, was kept.
    assert AlignConfig.from_params({"min_bead_similarity": 0.15, "skip": 0.0}).partial
    assert AlignConfig(partial=True).resolved().skip == 0.0
    assert AlignConfig(partial=True).resolved().min_bead_similarity == 0.15
    with pytest.raises(SettingError, match="outside"):
        AlignConfig(max_side=0)
    assert validate(AlignConfig, {"max-side": "3"}) == {"max_side": 3}


def test_the_cli_refuses_a_bad_setting_before_reading_anything(tmp_path):
    r = CliRunner().invoke(cli, ["align", str(tmp_path / "missing.txt"), str(tmp_path / "x.txt"),
                                 "--src-lang", "ru", "--tgt-lang", "en", "--set", "max_side=0"])
    assert r.exit_code == 2 and r.stderr.strip() == "error: setting max_side: 0 is outside 1 … 8"
    r = CliRunner().invoke(cli, ["batch", str(tmp_path), "--set", "nope=1"])
    assert r.exit_code == 2 and "unknown setting 'nope'" in r.stderr


def test_settings_reach_the_store_and_every_export(tmp_path, default_encoder):
    db = tmp_path / "s.db"
    litvinov = CORPORA / "litvinov-1938-08-07"
    r = CliRunner().invoke(cli, ["align", str(litvinov / "ru.reconstructed.txt"),
                                 str(litvinov / "en.ocr.txt"), "--src-lang", "ru", "--tgt-lang",
                                 "en", "--db", str(db), "--set", "max_side=3", "--max-side", "5",
                                 "-q", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["settings"]["max_side"] == 3  # --set wins over --max-side
    assert json.loads(r.stdout)["settings"]["max_total"] == 6
    for fmt, needle in (("tsv", '# settings: {"partial":false,"max_side":3'),
                        ("tmx", 'type="x-settings">{"partial":false,"max_side":3'),
                        ("tei", 'Aligner settings: {"partial":false,"max_side":3'),
                        ("json", '"max_side": 3')):
        out = CliRunner().invoke(cli, ["export", "--db", str(db), "--alignment", "1",
                                       "--format", fmt])
        assert out.exit_code == 0 and needle in out.stdout, (fmt, out.stdout[:400])


def test_api_jobs_take_settings_documented_in_openapi(tmp_path):
    app = create_app(Settings(db=str(tmp_path / "a.db"), auth="local"),
                     encoder_provider=lambda name=None: DigitEncoder())
    src, tgt = demo_documents(6)
    from aligner.store import service

    with app.state.session_factory() as s:
        pid = service.get_or_create_project(s, "p")
        ids = [service.import_document(s, pid, src, "source"),
               service.import_document(s, pid, tgt, "translation")]
    with local_client(app) as client:
        spec = client.get("/openapi.json").json()["components"]["schemas"]["AlignSettingsIn"]
        assert spec["properties"]["max_side"]["anyOf"][0]["maximum"] == 8
        assert "Bertalign" in spec["properties"]["max_side"]["description"]
        url = f"/api/projects/{pid}/alignments"
        base = {"src_document_id": ids[0], "tgt_document_id": ids[1]}
        bad = client.post(url, json={**base, "settings": {"max_side": 11}})
        assert bad.status_code == 422 and "max_side" in bad.json()["detail"]
        unknown = client.post(url, json={**base, "settings": {"maxside": 3}})
        assert unknown.status_code == 422 and "maxside" in unknown.json()["detail"]
        job = client.post(url, json={**base, "settings": {"max_side": 2}, "partial": True}).json()
        assert job["settings"] == {"max_side": 2, "partial": True} and job["partial"] is True
        job = app.state.jobs.wait(job["id"])
        assert job.state == "done", job.error
        meta = client.get(f"/api/alignments/{job.alignment_id}").json()
        assert meta["params"]["max_side"] == 2 and meta["params"]["partial"] is True
        assert meta["settings_changed"] == {"partial": True, "max_side": 2}  # what the page shows
