"""A reviewer's pairing decisions over HTTP, on SQLite and PostgreSQL: ``confirm`` adds a
rendering (a record keeps every target confirmed before), ``reassign`` and
``untranslated`` reject the record's chosen pairs and the response names each one it
rejected, with what it was (a confirmed pair rejected is a reviewer's decision undone)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from aligner.batch.auto import pair_and_store
from aligner.store.accounts.service import add_user, create_token
from test_pairing import write_made_up

warnings.filterwarnings("ignore", message=".*httpx.*")
from fastapi.testclient import TestClient  # noqa: E402

from api.main import create_app  # noqa: E402
from api.settings import Settings  # noqa: E402


@pytest.fixture()
def paired_app(tmp_path, db_url, default_encoder):
    ru, en = write_made_up(tmp_path)
    application = create_app(Settings(db=db_url), encoder_provider=lambda name=None: default_encoder)
    sessions = application.state.session_factory
    stored = pair_and_store([ru], [en], "ru", "en", default_encoder, sessions)
    with sessions() as s:
        add_user(s, "ana", "long enough password", "reviewer")
        add_user(s, "bob", "long enough password", "reviewer")
        tokens = {name: create_token(s, name) for name in ("ana", "bob")}
    with TestClient(application) as client:
        yield application, client, stored.run_id, {n: {"Authorization": f"Bearer {t}"} for n, t in tokens.items()}


def _statuses(client, run_id, record_id, headers):
    view = client.get(f"/api/pairings/{run_id}", headers=headers).json()
    source = next(s for s in view["sources"] if s["id"] == record_id)
    return {Path(c["target"]["file"]).name: c["status"] for c in source["candidates"]}


def _record_101(client, run_id, headers):
    """Record 101 as the view gives it, its candidates' target ids by file name, and the
    URL of decisions on it."""
    view = client.get(f"/api/pairings/{run_id}", headers=headers).json()
    r101 = next(s for s in view["sources"] if s["ref"].endswith("#101"))
    target = {Path(c["target"]["file"]).name: c["target"]["id"] for c in r101["candidates"]}
    return r101, target, f"/api/pairings/{run_id}/sources/{r101['id']}"


def test_confirm_adds_a_rendering_and_reassign_names_the_confirmed_pairs_it_rejects(paired_app):
    application, client, run_id, who = paired_app
    view = client.get(f"/api/pairings/{run_id}", headers=who["ana"]).json()
    sources = {s["ref"].rsplit("#", 1)[1]: s for s in view["sources"]}
    r101, r102 = sources["101"], sources["102"]
    target = {Path(c["target"]["file"]).name: c["target"]["id"] for c in r101["candidates"]}
    assert set(target) == {"schulenburg.txt", "telegram_112.txt", "davies.txt"}

    def decide(record, action, name=None, user="ana"):
        body = {"action": action} | ({"target_id": target[name]} if name else {})
        r = client.post(f"/api/pairings/{run_id}/sources/{record['id']}", json=body, headers=who[user])
        assert r.status_code == 200, r.text
        out = r.json()
        if out["job"]:
            job = application.state.jobs.wait(out["job"]["id"], timeout=120)
            assert job.state == "done", job.error
        return out

    # two renderings of record 101: the exhibit (ana), then the telegram quoting it (bob)
    assert decide(r101, "confirm", "schulenburg.txt")["rejected"] == []
    out = decide(r101, "confirm", "telegram_112.txt", user="bob")
    assert out["rejected"] == [] and out["job"] is not None
    assert _statuses(client, run_id, r101["id"], who["ana"]) == {
        "schulenburg.txt": "confirmed", "telegram_112.txt": "confirmed", "davies.txt": "candidate"}
    again = decide(r101, "confirm", "schulenburg.txt")  # confirmed already: nothing to do
    assert again["rejected"] == [] and again["job"] is None

    # reassign over them: allowed (the reviewer asked for it), and both are named as undone
    out = decide(r101, "reassign", "davies.txt")
    named = [(Path(r["target"]["file"]).name, r["was"], r["by"]) for r in out["rejected"]]
    assert sorted(named) == [("schulenburg.txt", "confirmed", "ana"), ("telegram_112.txt", "confirmed", "bob")]
    assert {r["target"]["id"] for r in out["rejected"]} == {target["schulenburg.txt"], target["telegram_112.txt"]}
    assert _statuses(client, run_id, r101["id"], who["ana"]) == {
        "schulenburg.txt": "rejected", "telegram_112.txt": "rejected", "davies.txt": "confirmed"}

    # untranslated names what it rejects too: a confirmed pair, and (record 102) a machine's proposal
    out = decide(r101, "untranslated")
    assert [(Path(r["target"]["file"]).name, r["was"], r["by"]) for r in out["rejected"]] == \
        [("davies.txt", "confirmed", "ana")]
    assert out["source"]["decision"] == "untranslated"
    out = decide(r102, "untranslated")
    assert [(Path(r["target"]["file"]).name, r["was"], r["by"]) for r in out["rejected"]] == \
        [("telegram_112.txt", "proposed", "machine")]
    assert set(_statuses(client, run_id, r101["id"], who["ana"]).values()) == {"rejected"}


def test_a_decision_on_an_out_of_date_view_is_refused_and_changes_nothing(paired_app):
    application, client, run_id, who = paired_app
    r101, target, url = _record_101(client, run_id, who["ana"])
    assert client.post(url, json={"action": "confirm", "target_id": target["schulenburg.txt"]},
                       headers=who["ana"]).status_code == 200
    seen = [target["schulenburg.txt"]]  # what ana's page shows confirmed
    # bob adds the telegram as another rendering while ana's page is open
    assert client.post(url, json={"action": "confirm", "target_id": target["telegram_112.txt"]},
                       headers=who["bob"]).status_code == 200
    for body in ({"action": "reassign", "target_id": target["davies.txt"]}, {"action": "untranslated"}):
        r = client.post(url, json={**body, "seen_confirmed": seen}, headers=who["ana"])
        assert r.status_code == 409, r.text
        assert "confirmed since: " in r.json()["detail"] and "telegram_112.txt" in r.json()["detail"]
        assert "(confirmed by bob)" in r.json()["detail"] and "reload" in r.json()["detail"]
    assert _statuses(client, run_id, r101["id"], who["ana"]) == {
        "schulenburg.txt": "confirmed", "telegram_112.txt": "confirmed", "davies.txt": "candidate"}
    # on the view as it is now, the same reassign goes through
    now = [target["schulenburg.txt"], target["telegram_112.txt"]]
    r = client.post(url, json={"action": "reassign", "target_id": target["davies.txt"], "seen_confirmed": now},
                    headers=who["ana"])
    assert r.status_code == 200 and len(r.json()["rejected"]) == 2
    assert client.post(url, json={"action": "untranslated", "seen_confirmed": [True]},
                       headers=who["ana"]).status_code == 422  # ids are numbers
    r = client.post(url, json={"action": "confirm"}, headers=who["ana"])
    assert r.status_code == 422 and "confirm needs a target_id" in r.json()["detail"]


def test_an_untranslated_mark_or_a_confirm_made_unseen_is_not_overwritten(paired_app):
    application, client, run_id, who = paired_app
    r101, target, url = _record_101(client, run_id, who["ana"])
    bob_saw = {"seen_confirmed": [], "seen_untranslated": False}  # bob's page, loaded now
    assert client.post(url, json={"action": "untranslated", "seen_confirmed": [], "seen_untranslated": False},
                       headers=who["ana"]).status_code == 200
    # bob, on his old view, adds a rendering or assigns one: refused, ana's mark stays
    for body in ({"action": "confirm", "target_id": target["davies.txt"]},
                 {"action": "reassign", "target_id": target["davies.txt"]}):
        r = client.post(url, json={**body, **bob_saw}, headers=who["bob"])
        assert r.status_code == 409 and "changed since you loaded the page (marked untranslated)" in r.json()["detail"]
    source = next(s for s in client.get(f"/api/pairings/{run_id}", headers=who["ana"]).json()["sources"]
                  if s["id"] == r101["id"])
    assert source["decision"] == "untranslated" and "confirmed" not in {c["status"] for c in source["candidates"]}
    # a confirm on a view where another rendering was confirmed since is refused too
    assert client.post(url, json={"action": "confirm", "target_id": target["schulenburg.txt"],
                                  "seen_confirmed": [], "seen_untranslated": True}, headers=who["ana"]).status_code == 200
    r = client.post(url, json={"action": "confirm", "target_id": target["davies.txt"],
                               "seen_confirmed": [], "seen_untranslated": True}, headers=who["bob"])
    assert r.status_code == 409 and "(no longer marked untranslated; confirmed since: " in r.json()["detail"]
    assert "schulenburg.txt (confirmed by ana)" in r.json()["detail"]
