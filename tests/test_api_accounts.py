"""Accounts and roles over HTTP, on SQLite and PostgreSQL: signing in (cookie + CSRF), API
tokens, what a viewer may not do, who the edit log names, failed sign-ins limited, local
mode's guards, and `aligner user …` / `aligner serve`'s refusal to serve without accounts."""

from __future__ import annotations

import warnings

import pytest
from typer.testing import CliRunner

warnings.filterwarnings("ignore", message=".*httpx.*")
from fastapi.testclient import TestClient  # noqa: E402

from aligner.errors import AlignerError  # noqa: E402
from aligner.store.accounts.service import add_user, create_token  # noqa: E402
from api.cli import app as cli  # noqa: E402
from api.main import create_app  # noqa: E402
from api.server import choose_auth  # noqa: E402
from api.settings import Settings  # noqa: E402
from support.api import DigitEncoder, store_demo_alignment  # noqa: E402
from support.api_client import assert_error, local_client  # noqa: E402

PASSWORD = "correct horse battery"


@pytest.fixture()
def team(db_url):
    """An accounts-mode app with anna (reviewer), ivan (reviewer), vera (viewer), root (admin)
    and the demo alignment; yields (app, alignment id, API tokens by name)."""
    app = create_app(Settings(db=db_url, auth="accounts"),
                     encoder_provider=lambda name=None: DigitEncoder())
    tokens = {}
    with app.state.session_factory() as s:
        for name, role in (("anna", "reviewer"), ("ivan", "reviewer"), ("vera", "viewer"),
                           ("root", "admin")):
            add_user(s, name, PASSWORD, role)
            tokens[name] = create_token(s, name, "tests")
    aid = store_demo_alignment(app.state.session_factory, 12)
    yield app, aid, tokens


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_unauthenticated_requests_get_401_except_the_page_and_health(team):
    app, aid, _ = team
    with TestClient(app) as c:
        for path in ("/api/alignments", f"/api/alignments/{aid}/beads", "/api/auth/me", "/docs",
                     "/openapi.json", "/api/search?q=border", f"/api/alignments/{aid}/export?format=tsv"):
            r = c.get(path)
            assert r.status_code == 401, path
            assert r.json()["code"] == "unauthenticated" and "sign in" in r.json()["detail"]
        assert c.post(f"/api/alignments/{aid}/confirm", json={"version": 1, "bead_ids": [1]}).status_code == 401
        assert c.get("/api/health").status_code == 200
        assert c.get("/").status_code == 200 and "<html" in c.get("/").text
        assert c.get("/static/app.js").status_code == 200
        assert c.get("/api/alignments", headers=bearer("alg_not-a-token")).status_code == 401


def test_sign_in_cookie_csrf_and_the_log_names_the_account(team):
    app, aid, _ = team
    with TestClient(app, base_url="https://aligner.example") as c:
        assert_error(c.post("/api/auth/login", json={"username": "anna", "password": "wrong!!!"}),
                     401, "wrong account name or password")
        r = c.post("/api/auth/login", json={"username": "anna", "password": PASSWORD})
        assert r.status_code == 200, r.text
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie
        csrf = r.json()["csrf_token"]
        me = c.get("/api/auth/me").json()
        assert (me["username"], me["role"], me["can_edit"], me["csrf_token"]) == ("anna", "reviewer", True, csrf)
        bead = c.get(f"/api/alignments/{aid}/beads").json()["beads"][3]["id"]
        body = {"version": 1, "bead_ids": [bead]}
        assert_error(c.post(f"/api/alignments/{aid}/confirm", json=body), 403, "X-CSRF-Token")
        assert_error(c.post(f"/api/alignments/{aid}/confirm", json=body, headers={"X-CSRF-Token": "x"}),
                     403, "CSRF")
        r = c.post(f"/api/alignments/{aid}/confirm", json=body,
                   headers={"X-CSRF-Token": csrf, "X-User": "somebody else"})
        assert r.status_code == 200
        note = c.post(f"/api/alignments/{aid}/beads/{bead}/notes", json={"text": "checked"},
                      headers={"X-CSRF-Token": csrf}).json()
        assert note["user"] == "anna"
        assert c.get(f"/api/alignments/{aid}/history").json()[0]["user"] == "anna"
        assert c.post("/api/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
        assert c.get("/api/alignments").status_code == 401
    with TestClient(app) as plain:  # over plain HTTP the cookie cannot be Secure
        r = plain.post("/api/auth/login", json={"username": "anna", "password": PASSWORD})
        assert "secure" not in r.headers["set-cookie"].lower()


def test_a_viewer_reads_searches_and_exports_but_every_write_is_403(team):
    app, aid, tokens = team
    with TestClient(app, headers=bearer(tokens["vera"])) as c:
        assert c.get(f"/api/alignments/{aid}").status_code == 200
        assert c.get("/api/search", params={"q": "border"}).status_code == 200
        assert c.get(f"/api/alignments/{aid}/export", params={"format": "tsv"}).status_code == 200
        bead = c.get(f"/api/alignments/{aid}/beads").json()["beads"][0]["id"]
        for path, body in ((f"/api/alignments/{aid}/confirm", {"version": 1, "bead_ids": [bead]}),
                           (f"/api/alignments/{aid}/merge", {"version": 1, "bead_id": bead}),
                           (f"/api/alignments/{aid}/undo", {"version": 1}),
                           (f"/api/alignments/{aid}/beads/{bead}/notes", {"text": "x"}),
                           ("/api/projects", {"name": "mine"})):
            assert_error(c.post(path, json=body), 403, "vera is a viewer")
        assert c.get(f"/api/alignments/{aid}").json()["version"] == 1
        assert c.get("/api/auth/me").json()["can_edit"] is False


def test_tokens_per_reviewer_undo_and_conflicts_name_the_account(team):
    app, aid, tokens = team
    with TestClient(app, headers=bearer(tokens["anna"])) as anna, \
            TestClient(app, headers=bearer(tokens["ivan"])) as ivan:
        b = anna.get(f"/api/alignments/{aid}/beads").json()["beads"]
        ok = anna.post(f"/api/alignments/{aid}/confirm", json={"version": 1, "bead_ids": [b[2]["id"]]})
        other = ivan.post(f"/api/alignments/{aid}/reject", json={"version": 1, "bead_ids": [b[7]["id"]]})
        assert ok.status_code == 200 and other.status_code == 200  # different beads, same version
        late = ivan.post(f"/api/alignments/{aid}/reject", json={"version": 1, "bead_ids": [b[2]["id"]]})
        body = assert_error(late, 409, f"bead {b[2]['id']}", "confirm by anna")
        assert body["bead_ids"] == [b[2]["id"]]
        r = anna.post(f"/api/alignments/{aid}/undo", json={"version": 3})  # anna's confirm, not ivan's
        assert r.status_code == 200 and r.json()["operation"] == "undo confirm"
        beads = anna.get(f"/api/alignments/{aid}/beads").json()["beads"]
        assert beads[2]["status"] == "unreviewed" and beads[7]["status"] == "rejected"
        assert ivan.get(f"/api/alignments/{aid}/progress").json()["undo"] == "reject"
        assert anna.get(f"/api/alignments/{aid}/progress").json()["redo"] == "confirm"
        made = anna.post("/api/auth/tokens", json={"label": "script"}).json()
        assert made["username"] == "anna" and made["token"].startswith("alg_")
        with TestClient(app, headers=bearer(made["token"])) as script:
            assert script.get("/api/auth/me").json()["username"] == "anna"


def test_failed_sign_ins_are_limited(team):
    app, _, _ = team
    with TestClient(app) as c:
        for _ in range(5):
            assert c.post("/api/auth/login", json={"username": "ivan", "password": "nope-nope"}).status_code == 401
        r = c.post("/api/auth/login", json={"username": "ivan", "password": PASSWORD})
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
        assert "too many failed sign-ins" in r.json()["detail"]
        # another account from the same address is not locked out by ivan's
        assert c.post("/api/auth/login", json={"username": "anna", "password": PASSWORD}).status_code == 200


def test_local_mode_answers_only_loopback_names_and_same_origin_writes(tmp_path):
    app = create_app(Settings(db=tmp_path / "l.db", auth="local"),
                     encoder_provider=lambda name=None: DigitEncoder())
    aid = store_demo_alignment(app.state.session_factory, 6)
    with local_client(app) as c:
        assert c.get("/api/auth/me").json() == {"username": "local", "role": "admin", "mode": "local",
                                                 "can_edit": True, "csrf_token": None}
        assert_error(c.get("/api/alignments", headers={"Host": "evil.example:8000"}), 403, "127.0.0.1")
        # every loopback address the server may listen on (choose_auth allows 127.0.0.0/8)
        assert c.get("/api/alignments", headers={"Host": "127.0.0.2:8000"}).status_code == 200
        body = {"version": 1, "bead_ids": [1]}
        assert_error(c.post(f"/api/alignments/{aid}/confirm", json=body,
                            headers={"Origin": "http://evil.example"}), 403, "evil.example")
        assert c.post(f"/api/alignments/{aid}/confirm", json=body,
                      headers={"Origin": "http://127.0.0.1"}).status_code == 200
        assert_error(c.post("/api/auth/login", json={"username": "a", "password": "b"}), 400,
                     "without accounts")


def test_choose_auth_refuses_to_serve_everyone_as_admin():
    assert choose_auth("127.0.0.1", None, 0) == "local"
    assert choose_auth("localhost", None, 2) == "accounts"
    assert choose_auth("0.0.0.0", None, 1) == "accounts"
    with pytest.raises(AlignerError, match="listening on 0.0.0.0 needs accounts"):
        choose_auth("0.0.0.0", None, 0)
    with pytest.raises(AlignerError, match="only on 127.0.0.1"):
        choose_auth("192.168.1.5", "local", 3)
    with pytest.raises(AlignerError, match="no account"):
        choose_auth("127.0.0.1", "accounts", 0)


def test_cli_user_add_list_passwd_role_token_remove(db_url):
    runner = CliRunner()

    def run(*args, stdin=None):
        return runner.invoke(cli, ["user", *args, "--db", db_url], input=stdin)

    r = run("add", "olga", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    assert r.exit_code == 0 and "added admin olga" in r.output
    r = run("add", "olga", "--password-stdin", stdin=PASSWORD + "\n")
    assert r.exit_code == 2 and "exists already" in r.output
    r = run("add", "pavel", "--password-stdin", stdin="short\n")
    assert r.exit_code == 2 and "8 to 1024 characters" in r.output and "Traceback" not in r.output
    r = run("add", "bad name!", "--password-stdin", stdin=PASSWORD + "\n")
    assert r.exit_code == 2 and "account name" in r.output
    r = run("add", "pavel", "--role", "boss", "--password-stdin", stdin=PASSWORD + "\n")
    assert r.exit_code == 2 and "unknown role 'boss'" in r.output
    assert run("add", "pavel", "--role", "viewer", "--password-stdin", stdin=PASSWORD + "\n").exit_code == 0
    token = run("token", "pavel", "--label", "ci").output.strip()
    assert token.startswith("alg_")
    listing = run("list").output
    assert "olga\tadmin\t0 token(s)" in listing and "pavel\tviewer\t1 token(s)" in listing
    assert run("role", "pavel", "reviewer").exit_code == 0
    assert run("passwd", "pavel", "--password-stdin", stdin="another long one\n").exit_code == 0
    app = create_app(Settings(db=db_url, auth="accounts"), encoder_provider=lambda n=None: DigitEncoder())
    with TestClient(app) as c:
        assert c.post("/api/auth/login", json={"username": "pavel", "password": PASSWORD}).status_code == 401
        me = c.post("/api/auth/login", json={"username": "pavel", "password": "another long one"}).json()
        assert me["role"] == "reviewer"
        assert c.get("/api/auth/me", headers=bearer(token)).json()["username"] == "pavel"
    assert run("remove", "pavel").exit_code == 0
    r = run("remove", "pavel")
    assert r.exit_code == 2 and "no account named 'pavel'" in r.output
    app = create_app(Settings(db=db_url, auth="accounts"), encoder_provider=lambda n=None: DigitEncoder())
    with TestClient(app) as c:  # a fresh server: the removed account's token is gone
        assert c.get("/api/auth/me", headers=bearer(token)).status_code == 401


def test_serve_refuses_to_listen_beyond_loopback_without_accounts(tmp_path):
    from support.pg import free_port

    db = str(tmp_path / "open.db")
    r = CliRunner().invoke(cli, ["serve", "--db", db, "--host", "0.0.0.0", "--port", str(free_port()),
                                 "--no-import"])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert "listening on 0.0.0.0 needs accounts" in r.output and "aligner user add" in r.output
    r = CliRunner().invoke(cli, ["serve", "--db", db, "--host", "0.0.0.0", "--port", str(free_port()),
                                 "--auth", "local", "--no-import"])
    assert r.exit_code == 2 and "only on 127.0.0.1" in r.output
