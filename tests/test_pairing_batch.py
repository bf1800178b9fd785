"""Pairing on the command line and in the store: `aligner pair` (its JSON), `aligner segment
--records`, `aligner batch --pair auto` (FRUS telegrams vs the Litvinov record: d471 aligned
as a partial rendering, the others reported unpaired; a rerun pairs nothing again), and the
pairing view's API (confirm / reassign / mark untranslated → aligned by a job). The real
default encoder throughout."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from aligner.batch.auto import leftover_lines, pair_and_store
from aligner.store.accounts.service import add_user, create_token
from aligner.store.db import open_store
from aligner.store.models import AlignmentRow, BeadRow
from aligner.store.pairing_models import PairingPair, PairingRun
from api.cli import app as cli_app
from test_pairing import RU_VOLUME, write_made_up

warnings.filterwarnings("ignore", message=".*httpx.*")
from fastapi.testclient import TestClient  # noqa: E402

from api.main import create_app  # noqa: E402
from api.settings import Settings  # noqa: E402

FRUS_UNPAIRED = ["d464", "d465", "d466", "d468", "d469", "d470", "d472", "d474", "d475", "d476", "d478"]


def test_pair_command_json(ru_path, tei_path):
    result = CliRunner().invoke(cli_app, ["pair", str(ru_path), "--with", str(tei_path), "--src-lang", "ru",
                                          "--tgt-lang", "en", "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) == {"pairs", "unpaired_source", "unpaired_target", "params", "skipped"}
    assert out["skipped"] == []
    (pair,) = out["pairs"]
    assert set(pair) == {"source", "target", "score", "partial", "evidence"}
    for side in ("source", "target"):
        assert {"file", "title", "start", "end", "ref"} <= set(pair[side])
    assert pair["source"]["file"] == str(ru_path) and pair["source"]["ref"] == str(ru_path)
    assert pair["target"]["ref"] == f"{tei_path}#d471" and pair["target"]["title"].startswith("The Chargé")
    assert 0.5 <= pair["score"] <= 1 and pair["partial"] is True
    assert pair["target"]["start"] < pair["target"]["end"] and pair["source"]["start"] == 0
    assert {"source_coverage", "chain", "shared", "source_span"} <= set(pair["evidence"])
    assert out["unpaired_source"] == []
    assert sorted(u["id"] for u in out["unpaired_target"]) == FRUS_UNPAIRED
    assert pair["source"]["label"] == "TEST RECONSTRUCTION — not the archival text"
    assert pair["target"]["label"] == "archival text"
    assert "is a TEST RECONSTRUCTION" in result.stderr
    assert pair["evidence"]["tentative"] is False
    text = CliRunner().invoke(cli_app, ["pair", str(ru_path), "--with", str(tei_path), "--src-lang", "ru",
                                        "--tgt-lang", "en"])
    assert f"{ru_path} [TEST RECONSTRUCTION — not the archival text]" in text.stdout  # the label on stdout too
    low = CliRunner().invoke(cli_app, ["pair", str(ru_path), "--with", str(tei_path), "--src-lang", "ru",
                                       "--tgt-lang", "en", "--threshold", "0.005", "--format", "json"])
    assert low.exit_code == 0, low.output  # a low --threshold alone lowers the leftover round's too
    assert json.loads(low.stdout)["params"]["leftover_threshold"] == 0.005


def test_a_telegram_quoting_a_record_is_a_further_rendering_next_to_its_full_translation(
        tmp_path, ru_path, en_ocr_path, tei_path, default_encoder):
    """The README's case with the English exhibit among the targets: it renders the whole
    record, and the FRUS telegram d471 still renders part of it. Scored against the exhibit's
    sentences, d471 lost every link (0.0095, under the decoy d465); as a further rendering it
    is scored with the exhibit out of the comparison, as when the exhibit is not given."""
    def pair(*targets):
        result = CliRunner().invoke(cli_app, ["pair", str(ru_path), "--with", *map(str, targets),
                                              "--src-lang", "ru", "--tgt-lang", "en", "--format", "json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    out, alone = pair(en_ocr_path, tei_path), pair(tei_path)
    assert [(p["target"]["ref"], p["partial"], p["evidence"]["further"]) for p in out["pairs"]] == \
        [(str(en_ocr_path), False, False), (f"{tei_path}#d471", True, True)]
    assert {p["source"]["ref"] for p in out["pairs"]} == {str(ru_path)}
    whole, d471 = out["pairs"]
    assert whole["score"] >= 0.99 and whole["evidence"]["source_coverage"] >= 0.9
    (d471_alone,) = alone["pairs"]
    assert d471["score"] >= 0.5 and d471["evidence"]["links"] == d471_alone["evidence"]["links"] >= 2
    assert d471["evidence"]["chain"] == d471_alone["evidence"]["chain"]
    assert d471["evidence"]["source_span"] == d471_alone["evidence"]["source_span"]  # the closing warning
    # no decoy telegram is proposed, and none scores near the threshold
    assert sorted(u["id"] for u in out["unpaired_target"]) == FRUS_UNPAIRED
    assert max(u["best"]["score"] for u in out["unpaired_target"]) < 0.2
    # the pairing view proposes both, with d471's links (it showed "0 sentences linked")
    _, sessions = open_store(tmp_path / "further.db")
    stored = pair_and_store([ru_path], [en_ocr_path, tei_path], "ru", "en", default_encoder, sessions)
    assert sorted(t.name for t in stored.tasks) == ["ru.reconstructed.txt ↔ en.ocr.txt",
                                                    "ru.reconstructed.txt ↔ frus1938v03_d464-d478.tei.xml#d471"]
    from aligner.store.pairing import pairing_view

    with sessions() as s:
        (source,) = pairing_view(s, stored.run_id)["sources"]
    proposed = [(c["target"]["ref"], c["evidence"]["links"]) for c in source["candidates"] if c["status"] == "proposed"]
    assert sorted(proposed) == sorted([(str(en_ocr_path), whole["evidence"]["links"]),
                                       (f"{tei_path}#d471", d471["evidence"]["links"])])
    assert all(c["score"] < 0.2 for c in source["candidates"] if c["status"] == "candidate")


def test_pair_command_errors_are_one_line(ru_path, tmp_path):
    runner = CliRunner()
    for args, words in ((["pair", str(ru_path), "--src-lang", "ru", "--tgt-lang", "en"], "--with"),
                        (["pair", str(ru_path), "--with", str(tmp_path / "none"), "--src-lang", "ru",
                          "--tgt-lang", "en"], "no such file or folder"),
                        (["pair", str(ru_path), "--with", str(ru_path), "--src-lang", "ru", "--tgt-lang", "en",
                          "--fromat", "json"], "no such option: --fromat"),
                        (["pair", str(ru_path), "--with", str(ru_path), "--src-lang", "ru", "--tgt-lang", "en",
                          "--threshold", "0.2", "--leftover-threshold", "0.3"], "would pair nothing"),
                        (["batch", str(tmp_path), "--db", str(tmp_path / "x.db"), "--threshold", "0.3"],
                         "pairing of --pair auto")):
        result = runner.invoke(cli_app, args)
        assert result.exit_code == 2 and result.output.startswith("error:") and words in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1


def test_a_bad_file_in_a_folder_is_skipped_and_named_not_fatal(tmp_path, ru_path, tei_path):
    folder = tmp_path / "telegrams"
    folder.mkdir()
    (folder / "scan.txt").write_bytes(b"\x00\x01binary\x00" * 20)
    (folder / tei_path.name).write_bytes(tei_path.read_bytes())
    result = CliRunner().invoke(cli_app, ["pair", str(ru_path), "--with", str(folder), "--src-lang", "ru",
                                          "--tgt-lang", "en", "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [s["file"] for s in out["skipped"]] == [str(folder / "scan.txt")]
    assert "binary" in out["skipped"][0]["reason"]
    assert [p["target"]["id"] for p in out["pairs"]] == ["d471"]
    named = CliRunner().invoke(cli_app, ["pair", str(ru_path), "--with", str(folder / "scan.txt"),
                                         "--src-lang", "ru", "--tgt-lang", "en"])
    assert named.exit_code == 2 and "binary" in named.output  # a file named on its own is refused
    # the same folder on both sides would pair every file with itself: refused, for both commands
    for command in (["pair"], ["batch", "--pair", "auto", "--db", str(tmp_path / "b.db")]):
        same = CliRunner().invoke(cli_app, [*command, str(folder), "--with", str(folder / tei_path.name),
                                            "--src-lang", "en", "--tgt-lang", "en"])
        assert same.exit_code == 2, same.output
        assert f"{folder / tei_path.name} is both a source and a target (1 such file)" in same.output


def test_segment_records(tmp_path):
    volume = tmp_path / "volume.txt"
    volume.write_text(RU_VOLUME, encoding="utf-8")
    result = CliRunner().invoke(cli_app, ["segment", str(volume), "--lang", "ru", "--records", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["ref"] for r in rows] == ["101", "102", "103"]
    assert [r["date"] for r in rows] == ["1939-03-03", "1939-03-12", "1939-03-20"]
    assert rows[1]["title"].startswith("Запись беседы с послом Японии Того")
    assert RU_VOLUME[rows[2]["start"]:rows[2]["end"]].startswith("№ 103")
    text = CliRunner().invoke(cli_app, ["segment", str(volume), "--lang", "ru", "--records"]).stdout
    assert text.splitlines()[0].startswith(f"{volume}#101\t") and len(text.splitlines()) == 3
    assert "TEST RECONSTRUCTION" not in result.stderr
    rec = tmp_path / "volume.reconstructed.txt"
    rec.write_text(RU_VOLUME, encoding="utf-8")
    labelled = CliRunner().invoke(cli_app, ["segment", str(rec), "--lang", "ru", "--records"])
    assert f"note: {rec} is a TEST RECONSTRUCTION" in labelled.stderr
    # the label goes with the references on stdout too, not only on stderr
    assert all(line.startswith(f"{rec}#10") and "[TEST RECONSTRUCTION — not the archival text]\t" in line
               for line in labelled.stdout.splitlines()) and len(labelled.stdout.splitlines()) == 3
    assert {r["label"] for r in rows} == {"other"}


def test_batch_pair_auto_frus_vs_litvinov(tmp_path, ru_path, tei_path):
    db = tmp_path / "frus.db"
    args = ["batch", str(ru_path), "--with", str(tei_path), "--pair", "auto", "--db", str(db), "--workers", "1"]
    result = CliRunner().invoke(cli_app, args)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "1 pair(s) aligned and stored, 0 already done, 0 failed" in out
    assert "0 source record(s) not paired" in out and "11 target document(s) not paired:" in out
    leftover = out.split("11 target document(s) not paired:")[1]
    assert all(f"#{d}" in leftover for d in FRUS_UNPAIRED) and "#d471" not in leftover
    assert "ru.reconstructed.txt ↔ frus1938v03_d464-d478.tei.xml#d471" in out
    _, sessions = open_store(db)
    with sessions() as s:
        (al,) = s.scalars(select(AlignmentRow)).all()
        assert al.params["partial"] is True  # aligned as a partial rendering
        beads = s.scalars(select(BeadRow).where(BeadRow.alignment_id == al.id)).all()
        assert sum(1 for b in beads if "omission" in b.flags) == 0  # 1-0 beads are not omissions
        pair = s.scalars(select(PairingPair).where(PairingPair.status == "proposed")).one()
        assert pair.alignment_id == al.id and pair.partial
        from aligner.store.pairing import pairing_view

        (source,) = pairing_view(s, pair.run_id)["sources"]
        assert source["label"] == "TEST RECONSTRUCTION — not the archival text"  # on the page too
    again = CliRunner().invoke(cli_app, args)
    assert again.exit_code == 0, again.output
    assert "not paired again" in again.output and "0 pair(s) aligned and stored, 1 already done" in again.stdout
    assert "is a TEST RECONSTRUCTION" in again.stdout  # a rerun labels it as the first run did
    assert "1 pair(s), 1 partial, 0 tentative" in again.stdout  # the report says what to check
    report = out[out.index("pairing run"):]  # and the leftovers, with their best candidates' scores
    assert report.count("(best candidate 0.") == len(FRUS_UNPAIRED)
    assert again.stdout[again.stdout.index("pairing run"):] == report
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(AlignmentRow)) == 1
        assert s.scalar(select(func.count()).select_from(PairingRun)) == 1


def test_a_rerun_reports_the_leftovers_of_the_first_run(tmp_path, ru_path, tei_path, default_encoder):
    """A rerun reuses the stored run: its leftovers, each with its best candidate's score,
    are the first run's (only the source record's 5 best candidates were kept before, so
    most unpaired telegrams had no candidate stored to show)."""
    _, sessions = open_store(tmp_path / "left.db")
    first = pair_and_store([ru_path], [tei_path], "ru", "en", default_encoder, sessions)
    again = pair_and_store([ru_path], [tei_path], "ru", "en", default_encoder, sessions)
    assert again.reused and again.run_id == first.run_id
    unpaired = [(u["ref"], u.get("best")) for u in first.result["unpaired_target"]]
    assert sorted(ref.rpartition("#")[2] for ref, _ in unpaired) == FRUS_UNPAIRED
    assert all(best is not None and best["ref"] == str(ru_path) for _, best in unpaired)
    assert [(u["ref"], u.get("best")) for u in again.result["unpaired_target"]] == unpaired
    lines = leftover_lines(first.result)
    assert sum("(best candidate 0." in line for line in lines) == len(FRUS_UNPAIRED)
    assert leftover_lines(again.result) == lines


@pytest.fixture()
def pairing_app(tmp_path, default_encoder):
    ru, en = write_made_up(tmp_path)
    settings = Settings(db=tmp_path / "api.db")  # accounts: decisions are the signed-in reviewer's
    application = create_app(settings, encoder_provider=lambda name=None: default_encoder)
    sessions = application.state.session_factory
    stored = pair_and_store([ru], [en], "ru", "en", default_encoder, sessions)
    with sessions() as s:
        add_user(s, "ana", "long enough password", "reviewer")
        add_user(s, "vic", "long enough password", "viewer")
        tokens = {name: create_token(s, name) for name in ("ana", "vic")}
    with TestClient(application, headers={"Authorization": f"Bearer {tokens['ana']}"}) as client:
        client.viewer_headers = {"Authorization": f"Bearer {tokens['vic']}"}
        yield application, client, stored


def _source(view, ref_end):
    return next(s for s in view["sources"] if s["ref"].endswith(ref_end))


def _target_id(view, name):
    records = [c["target"] for s in view["sources"] for c in s["candidates"]] + view["unpaired_targets"]
    return next(r["id"] for r in records if Path(r["file"]).name == name)


def test_pairing_view_confirm_reassign_untranslated(pairing_app):
    application, client, stored = pairing_app
    runs = client.get("/api/pairings").json()
    assert [(r["id"], r["sources"], r["targets"], r["pairs"]) for r in runs] == [(stored.run_id, 3, 3, 2)]
    view = client.get(f"/api/pairings/{stored.run_id}").json()
    r101, r102, r103 = (_source(view, f"#{n}") for n in ("101", "102", "103"))
    assert (r101["candidates"][0]["status"], Path(r101["candidates"][0]["target"]["file"]).name) == \
        ("proposed", "schulenburg.txt")
    top = r102["candidates"][0]
    assert (top["status"], top["partial"], Path(top["target"]["file"]).name) == ("proposed", True, "telegram_112.txt")
    assert top["score"] >= 0.5 and top["evidence"]["source_span"] and top["alignment_id"] is None
    assert all(c["status"] == "candidate" for c in r103["candidates"])
    assert [Path(t["file"]).name for t in view["unpaired_targets"]] == ["davies.txt"]
    assert (r101["label"], top["target"]["label"]) == ("archival text", "translation")  # by role

    # confirm: the pair had no alignment, so a job aligns it
    r = client.post(f"/api/pairings/{stored.run_id}/sources/{r101['id']}",
                    json={"action": "confirm", "target_id": r101["candidates"][0]["target"]["id"]})
    assert r.status_code == 200, r.text
    job = application.state.jobs.wait(r.json()["job"]["id"], timeout=120)
    assert job.state == "done", job.error
    src = client.get(f"/api/pairings/{stored.run_id}").json()
    first = _source(src, "#101")["candidates"][0]
    assert (first["status"], first["user"], first["alignment_id"]) == ("confirmed", "ana", job.alignment_id)
    beads = client.get(f"/api/alignments/{job.alignment_id}/beads").json()
    assert beads["total"] >= 3 and any(b["src"] and b["tgt"] for b in beads["beads"])

    # reassign record 102 to the decoy: the telegram's pair is rejected, the decoy's aligned (partial run settings kept)
    davies = _target_id(view, "davies.txt")
    r = client.post(f"/api/pairings/{stored.run_id}/sources/{r102['id']}",
                    json={"action": "reassign", "target_id": davies})
    assert r.status_code == 200, r.text
    assert application.state.jobs.wait(r.json()["job"]["id"], timeout=120).state == "done"
    cands = {Path(c["target"]["file"]).name: c for c in
             _source(client.get(f"/api/pairings/{stored.run_id}").json(), "#102")["candidates"]}
    assert cands["davies.txt"]["status"] == "confirmed" and cands["davies.txt"]["alignment_id"] is not None
    assert cands["telegram_112.txt"]["status"] == "rejected"

    # untranslated: nothing to align
    r = client.post(f"/api/pairings/{stored.run_id}/sources/{r103['id']}", json={"action": "untranslated"})
    assert r.status_code == 200 and r.json()["job"] is None
    assert r.json()["source"]["decision"] == "untranslated"
    after = client.get(f"/api/pairings/{stored.run_id}").json()
    assert [Path(t["file"]).name for t in after["unpaired_targets"]] == ["telegram_112.txt"]


def test_pairing_view_errors(pairing_app):
    _, client, stored = pairing_app
    view = client.get(f"/api/pairings/{stored.run_id}").json()
    source = view["sources"][0]
    assert client.get("/api/pairings/999").status_code == 404
    r = client.post(f"/api/pairings/{stored.run_id}/sources/{source['id']}",
                    json={"action": "confirm", "target_id": source["id"]})  # a source, not a target
    assert r.status_code == 409 and "not a target record" in r.json()["detail"]
    r = client.post(f"/api/pairings/{stored.run_id}/sources/{source['id']}", json={"action": "confirm"})
    assert r.status_code == 422 and "confirm needs a target_id" in r.json()["detail"]  # a malformed request
    r = client.post(f"/api/pairings/{stored.run_id}/sources/{source['id']}", json={"action": "merge"})
    assert r.status_code == 422
    r = client.post(f"/api/pairings/{stored.run_id}/sources/{source['id']}",
                    json={"action": "untranslated", "target_id": source["id"]})
    assert r.status_code == 422 and "takes no target_id" in r.json()["detail"]
    target = view["unpaired_targets"][0] if view["unpaired_targets"] else source["candidates"][-1]["target"]
    r = client.post(f"/api/pairings/{stored.run_id}/sources/{source['id']}",
                    json={"action": "reassign", "target_id": target["id"], "encoder": "/no/such/model"})
    assert r.status_code == 422 and "model '/no/such/model'" in r.json()["detail"]
    assert client.get(f"/api/pairings/{stored.run_id}").json() == view  # nothing was decided
    r = client.post(f"/api/pairings/{stored.run_id}/sources/{source['id']}", json={"action": "untranslated"},
                    headers=client.viewer_headers)  # a viewer reads the pairing, does not decide it
    assert r.status_code == 403 and "viewer" in r.json()["detail"]
    assert client.get(f"/api/pairings/{stored.run_id}", headers=client.viewer_headers).status_code == 200
    assert TestClient(client.app).get(f"/api/pairings/{stored.run_id}").status_code == 401
