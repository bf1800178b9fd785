"""Learning from confirmed beads, wired in: the store collects a project's confirmed beads,
``aligner adapt`` fits and keeps the weights with the project, and re-alignment and new
alignments in the project use them (the synthetic project of tests/test_adapt.py: a
translator who adds a bracketed literal gloss after every second sentence)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from aligner.align import align_texts
from aligner.export import render_export
from aligner.pipeline import realign
from aligner.store import review, service
from aligner.store.adaptation import confirmed_stretches, project_adaptation
from aligner.store.db import open_store
from aligner.store.models import Project
from aligner.types import Alignment
from api.cli import app as cli
from tests.support.bitext import PAIRS
from support.api_client import app, aid, beads, client, op  # noqa: F401 - fixtures
from tests.support.store import populate, toy_document
from tests.test_adapt import _chapter


def _store_chapter(session, project: str, chapter, beads=None, name: str = "") -> int:
    """Store a chapter's two documents and an alignment (``beads``: (src, tgt) index
    tuples; default the chapter's gold beads); return the alignment id."""
    from aligner.types import Bead

    src, tgt, gold = chapter
    pid = service.get_or_create_project(session, project)
    src_id = service.import_document(session, pid, toy_document(src, "ru", title=name), "source")
    tgt_id = service.import_document(session, pid, toy_document(tgt, "en", title=name), "translation")
    layout = [Bead(tuple(s), tuple(t), 0.9, []) for s, t in (beads or gold)]
    return service.store_alignment(session, src_id, tgt_id,
                                   Alignment(beads=layout, crossings=[], encoder="use-m3 1", params={}))


def _ords(bead: dict) -> tuple[tuple[int, ...], tuple[int, ...]]:
    return tuple(x["ord"] for x in bead["src"]), tuple(x["ord"] for x in bead["tgt"])


def _confirm_all(session, aid: int) -> None:
    ids = [b["id"] for b in service.list_beads(session, aid, 0, 1000)["beads"]]
    review.confirm(session, aid, 1, ids, user="anna")


@pytest.fixture(scope="module")
def adapted_store(tmp_path_factory, default_encoder):
    """A store whose project "book" has two fully confirmed chapters (48 beads) and a third
    aligned with the default weights and left unreviewed; ``aligner adapt`` has run."""
    db = tmp_path_factory.mktemp("adapt") / "book.db"
    sessions = open_store(db)[1]
    chapters = [_chapter(PAIRS[k : k + 16]) for k in (0, 16, 32)]
    with sessions() as s:
        for k in (1, 2):
            _confirm_all(s, _store_chapter(s, "book", chapters[k], name=f"chapter {k}"))
        src, tgt, _ = chapters[0]
        made = [(b.src, b.tgt) for b in align_texts(src, tgt, default_encoder).beads]
        open_aid = _store_chapter(s, "book", chapters[0], beads=made, name="chapter 0")
    result = CliRunner().invoke(cli, ["adapt", "--db", str(db), "--project", "book"])
    return db, sessions, chapters[0], open_aid, result


def test_adapt_command_fits_stores_and_prints_one_line(adapted_store):
    _, sessions, _, _, result = adapted_store
    assert result.exit_code == 0, result.output
    line = result.stdout.strip()
    assert "\n" not in line
    assert line.startswith("adapted on 48 confirmed beads in 2 stretches: weights changed ")
    assert "(cross-validated gain +" in line
    with sessions() as s:
        stored = s.query(Project).filter_by(name="book").one().adaptation
        adaptation = project_adaptation(s, s.query(Project).filter_by(name="book").one().id, "use-m3")
    assert stored["encoder"] == "use-m3" and stored["beads"] == 48 and stored["fitted"]
    assert adaptation is not None and adaptation.changed and adaptation.gain > 0


def test_realign_uses_the_project_adaptation_and_keeps_confirmed_beads(adapted_store, default_encoder):
    _, sessions, (src, tgt, gold), aid, _ = adapted_store
    with sessions() as s:
        before = service.list_beads(s, aid, 0, 1000)["beads"]
        assert service.get_alignment(s, aid)["adaptation"] is None
        wrong_before = [b for b in before if _ords(b) not in gold]
        kept = [b["id"] for b in before[:3]]
        v = review.confirm(s, aid, 1, kept, user="anna").version
        realign(s, aid, v, user="anna", encoder_provider=lambda _name: default_encoder)
        meta = service.get_alignment(s, aid)
        after = service.list_beads(s, aid, 0, 1000)["beads"]
        stored = s.query(Project).filter_by(name="book").one().adaptation
    assert meta["params"]["adaptation"] == {k: v for k, v in stored.items()
                                           if k not in ("encoder", "fitted")}
    assert meta["adaptation"] == "adapted on 48 confirmed beads"
    assert meta["settings_changed"] == {}  # the adaptation is not a setting
    assert [(b["id"], b["src"], b["tgt"], b["status"]) for b in after[:3]] == \
        [(b["id"], b["src"], b["tgt"], "confirmed") for b in before[:3]]
    wrong_after = [b for b in after if _ords(b) not in gold]
    assert len(wrong_before) >= 2 and wrong_after == []  # the glosses are 0-1 beads now
    with sessions() as s:  # the exports' provenance names the adaptation with the settings
        meta = service.get_alignment(s, aid)
        docs = [service.load_document(s, meta[f"{side}_document_id"]) for side in ("src", "tgt")]
        exported = json.loads(render_export("json", *docs, service.load_alignment(s, aid)))
    assert exported["settings"]["adaptation"]["beads"] == 48
    with sessions() as s:  # undo gives back the beads and the record they were made with
        version = service.get_alignment(s, aid)["version"]
        version = review.undo(s, aid, version, user="anna").version
        assert service.get_alignment(s, aid)["adaptation"] is None
        assert [_ords(b) for b in service.list_beads(s, aid, 0, 1000)["beads"]] == [_ords(b) for b in before]
        review.redo(s, aid, version, user="anna")
        assert service.get_alignment(s, aid)["adaptation"] == "adapted on 48 confirmed beads"
        assert [_ords(b) for b in service.list_beads(s, aid, 0, 1000)["beads"]] == [_ords(b) for b in after]


def test_align_into_the_project_uses_its_adaptation(adapted_store, tmp_path):
    db, sessions, (src, tgt, gold), _, _ = adapted_store
    (tmp_path / "ru.txt").write_text("\n".join(src[:6]) + "\n", encoding="utf-8")
    (tmp_path / "en.txt").write_text("\n".join(tgt[:8]) + "\n", encoding="utf-8")
    args = ["align", str(tmp_path / "ru.txt"), str(tmp_path / "en.txt"), "--src-lang", "ru",
            "--tgt-lang", "en", "--presplit", "--db", str(db), "-q", "-o", str(tmp_path / "o.tsv")]
    for project, adapted in (("book", "adapted on 48 confirmed beads"), ("other", None)):
        assert CliRunner().invoke(cli, [*args, "--project", project]).exit_code == 0
        with sessions() as s:
            meta = service.get_alignment(s, max(a["id"] for a in service.list_alignments(s)))
        assert meta["adaptation"] == adapted
        assert ("adaptation" in meta["params"]) == (adapted is not None)


def test_too_few_confirmed_beads_store_nothing(tmp_path):
    db = tmp_path / "toy.db"
    sessions = open_store(db)[1]
    with sessions() as s:
        ids = populate(s)
        beads = service.list_beads(s, ids["alignment"], 0, 100)["beads"]
        review.confirm(s, ids["alignment"], 1, [beads[k]["id"] for k in (0, 1, 3)], user="anna")
    result = CliRunner().invoke(cli, ["adapt", "--db", str(db), "--project", "toy"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "only 3 confirmed beads in project toy; at least 30 needed (nothing stored)\n"
    with sessions() as s:
        assert s.get(Project, ids["project"]).adaptation is None
    missing = CliRunner().invoke(cli, ["adapt", "--db", str(db), "--project", "nope"])
    assert missing.exit_code == 2
    assert missing.stderr == "error: project 'nope' not found (projects: toy)\n"


def test_confirmed_stretches_are_runs_with_current_text(tmp_path):
    sessions = open_store(tmp_path / "s.db")[1]
    with sessions() as s:
        ids = populate(s)
        aid = ids["alignment"]
        beads = service.list_beads(s, aid, 0, 100)["beads"]
        v = review.confirm(s, aid, 1, [beads[k]["id"] for k in (0, 1, 2, 4)], user="anna").version
        review.edit_sentence(s, aid, v, beads[1]["tgt"][0]["id"], "He did not answer at once!", user="anna")
        stretches = confirmed_stretches(s, ids["project"])
    assert stretches == [
        [(["Я сказал Сигемицу."], ["I told Shigemitsu."]),
         (["Он ответил не сразу."], ["He did not answer at once!"]),
         (["Потом он спросил о границе."], ["Then he asked about", "the frontier."])],
        [(["Разговор длился час."], [])],
    ]


def test_api_adapt_says_why_nothing_was_stored(client, aid):
    meta = client.get(f"/api/alignments/{aid}").json()
    assert meta["adaptation"] is None
    ids = [b["id"] for b in beads(client, aid)["beads"][:3]]
    assert op(client, aid, "confirm", version=1, bead_ids=ids).status_code == 200
    r = client.post(f"/api/projects/{meta['project_id']}/adapt")
    assert r.status_code == 200, r.text
    assert r.json()["stored"] is False and r.json()["summary"] is None
    assert r.json()["message"].startswith("only 3 confirmed beads in project ")
    assert client.post("/api/projects/9999/adapt").status_code == 404


def test_batch_into_the_project_uses_its_adaptation(adapted_store, tmp_path):
    db, sessions, (src, tgt, _), _, _ = adapted_store
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "ch_ru.txt").write_text(" ".join(src[6:12]) + "\n", encoding="utf-8")
    (tmp_path / "in" / "ch_en.txt").write_text(" ".join(tgt[9:17]) + "\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["batch", str(tmp_path / "in"), "--db", str(db), "--project", "book",
                                 "--workers", "1", "-q"])
    assert r.exit_code == 0, r.output
    with sessions() as s:
        meta = service.get_alignment(s, max(a["id"] for a in service.list_alignments(s)))
    assert meta["src_title"] != "chapter 0" and meta["adaptation"] == "adapted on 48 confirmed beads"


def test_api_jobs_path_align_stored_uses_the_project_adaptation(adapted_store, default_encoder):
    from aligner.pipeline import align_stored

    _, sessions, _, aid, _ = adapted_store
    with sessions() as s:
        meta = service.get_alignment(s, aid)
    new_id, alignment = align_stored(sessions, meta["src_document_id"], meta["tgt_document_id"],
                                     default_encoder)
    assert alignment.params["adaptation"]["beads"] == 48
    with sessions() as s:
        assert service.get_alignment(s, new_id)["adaptation"] == "adapted on 48 confirmed beads"
