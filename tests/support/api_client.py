"""Fixtures and helpers of the HTTP API tests: an app over a real store (SQLite file and
PostgreSQL database, :func:`conftest.db_url`) with the demo
alignment (tiny deterministic DigitEncoder, no real model), and small request helpers.
Test modules import the fixtures (``from support.api_client import app, client, aid``)."""

from __future__ import annotations

import warnings

import pytest
from sqlalchemy import select

warnings.filterwarnings("ignore", message=".*httpx.*")
from fastapi.testclient import TestClient  # noqa: E402

from aligner.store.models import Edit  # noqa: E402
from api.main import create_app  # noqa: E402
from api.settings import Settings  # noqa: E402
from support.api import DigitEncoder, store_demo_alignment  # noqa: E402

N = 12  # demo bitext size: beads 0:1-1, 1:2-2, 2:1-1 (low conf.), 3..10: 1-1 → 11 beads


#: Where a test client sends its requests: a loopback name, as a local-mode server requires.
LOCAL = "http://127.0.0.1"


def local_client(app, **kwargs) -> TestClient:
    """A TestClient of a local-mode app (no accounts: every request is the local admin)."""
    return TestClient(app, base_url=LOCAL, **kwargs)


@pytest.fixture()
def app(db_url):
    """The API in local mode over a fresh store: a SQLite file, then a PostgreSQL database."""
    settings = Settings(db=db_url, max_upload_bytes=50_000, auth="local")
    application = create_app(settings, encoder_provider=lambda name=None: DigitEncoder())
    yield application


@pytest.fixture()
def client(app):
    with local_client(app) as c:
        yield c


@pytest.fixture()
def aid(app):
    return store_demo_alignment(app.state.session_factory, N, html_at=5)


def beads(client, aid, offset=0, limit=100):
    r = client.get(f"/api/alignments/{aid}/beads", params={"offset": offset, "limit": limit})
    assert r.status_code == 200, r.text
    return r.json()


def shape(page):
    """Bead shapes as (source ords, target ords) tuples."""
    return [(tuple(s["ord"] for s in b["src"]), tuple(t["ord"] for t in b["tgt"])) for b in page["beads"]]


def version(client, aid):
    return client.get(f"/api/alignments/{aid}").json()["version"]


def op(client, aid, name, **body):
    return client.post(f"/api/alignments/{aid}/{name}", json=body)


def assert_error(r, status, *words):
    """A 4xx JSON {"detail": str} that mentions every word (case-insensitive)."""
    assert r.status_code == status, r.text
    body = r.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert "Traceback" not in body["detail"]
    for w in words:
        assert w.lower() in body["detail"].lower(), (w, body["detail"])
    return body


def edit_log(app, aid):
    with app.state.session_factory() as s:
        return [(e.version_after, e.operation) for e in
                s.scalars(select(Edit).where(Edit.alignment_id == aid).order_by(Edit.id))]
