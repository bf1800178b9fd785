"""The concordance export (GET /api/search/export), on SQLite and PostgreSQL: the matching
query runs once however many chunks the hits are read in, and the file is what the
concordance itself finds, chunk boundaries or not."""

from __future__ import annotations

import csv
import io
import json
import warnings

import pytest
from sqlalchemy import event
from typer.testing import CliRunner

warnings.filterwarnings("ignore", message=".*httpx.*")
from fastapi.testclient import TestClient  # noqa: E402

from aligner.concordance.export import csv_lines, rows  # noqa: E402
from aligner.store import service  # noqa: E402
from aligner.store.concordance import search  # noqa: E402
from aligner.store.db import open_store  # noqa: E402
from aligner.types import RECONSTRUCTION_LABEL  # noqa: E402
from api.cli import app as cli  # noqa: E402
from api.main import create_app  # noqa: E402
from api.routes import search_export  # noqa: E402
from api.settings import Settings  # noqa: E402
from support.api import DigitEncoder  # noqa: E402
from support.store import populate, toy_document  # noqa: E402

POSTS = [f"Border post {i} was moved." for i in range(7)] + ["A bordr pots stood there."]


@pytest.fixture()
def export_app(db_url):
    engine, sessions = open_store(db_url)
    with sessions() as s:
        populate(s)  # an aligned pair: RU reconstruction ↔ EN archival
        populate(s, [f"Пограничный пост {i} перенесён." for i in range(5)],
                 [f"Border post {i} was moved back." for i in range(5)],
                 [((i,), (i,)) for i in range(5)], project="posts")
        pid = service.get_or_create_project(s, "loose")
        service.import_document(s, pid, toy_document(POSTS, "en"), "source")
    engine.dispose()
    app = create_app(Settings(db=db_url, auth="local"), encoder_provider=lambda n=None: DigitEncoder())
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client, sessions, db_url


def _index_queries(app, run) -> tuple[object, int]:
    """``run()``'s result and how many statements it ran on the sentence index."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if "sentence_fts MATCH" in statement or "tsv @@" in statement:
            seen.append(statement)

    engine = app.state.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        return run(), len(seen)
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.mark.parametrize("phrase, fuzzy, searches", [
    ("border post", False, 1),   # one phrase query
    ("border pots", True, 2),    # the exact hits + the variant candidates, verified once
    ("bordr", True, 1),          # one word: a sentence with a variant is a hit
])
def test_the_export_matches_once_and_equals_the_concordance(export_app, monkeypatch, phrase,
                                                            fuzzy, searches):
    client, sessions, _ = export_app
    monkeypatch.setattr(search_export, "CHUNK", 3)  # 13 hits: five chunks
    params = {"q": phrase, "fuzzy": fuzzy}
    got, n = _index_queries(client.app, lambda: client.get("/api/search/export",
                                                           params={**params, "format": "csv"}))
    assert got.status_code == 200 and n == searches
    data, n = _index_queries(client.app, lambda: client.get(
        "/api/search/export", params={**params, "format": "json"}).json())
    assert n == searches
    with sessions() as s:  # every hit on one page: the concordance's own answer
        hits = search(s, phrase, fuzzy=fuzzy, encoder=DigitEncoder())
    assert len(hits) >= 12 and len({h.document_id for h in hits}) == 2
    assert got.content == "".join(csv_lines(hits)).encode()
    assert data["count"] == len(hits) and data["rows"] == json.loads(json.dumps(list(rows(hits))))
    assert data["rows"][-1]["text"] == POSTS[-1 if fuzzy else -2]


def test_the_cli_csv_reads_chunks_and_writes_what_the_concordance_has(export_app, monkeypatch):
    from api.cli import store as cli_store

    _, sessions, url = export_app
    monkeypatch.setattr(cli_store, "CSV_CHUNK", 3)  # 13 hits: five chunks, one header
    result = CliRunner().invoke(cli, ["search", "border post", "--db", url, "--format", "csv",
                                      "--no-renderings"])
    assert result.exit_code == 0, result.output
    with sessions() as s:
        hits = search(s, "border post")
    assert len(hits) >= 12 and result.stdout_bytes.decode() == "".join(csv_lines(hits))
    none = CliRunner().invoke(cli, ["search", "zebra", "--db", url, "--format", "csv"])
    assert none.exit_code == 0 and none.stdout_bytes.decode() == "".join(csv_lines([]))  # the header alone
    assert none.stdout.startswith("document_id,")


def test_a_bad_phrase_is_refused_before_anything_streams(export_app):
    client, _, _ = export_app
    got = client.get("/api/search/export", params={"q": "…!", "format": "csv"})
    assert got.status_code == 400 and "no letters or digits" in got.json()["detail"]


@pytest.mark.parametrize("phrase, own, aligned", [
    ("повторил", RECONSTRUCTION_LABEL, "archival text"),  # a hit in the reconstruction
    ("repeated", "archival text", RECONSTRUCTION_LABEL),  # aligned to the reconstruction
])
def test_both_documents_provenance_labels_are_in_every_row(export_app, phrase, own, aligned):
    client, _, url = export_app
    got = client.get("/api/search/export", params={"q": phrase, "format": "csv"})
    (row,) = csv.DictReader(io.StringIO(got.text))
    assert (row["provenance"], row["aligned_provenance"]) == (own, aligned)
    assert "I repeated our position." in (row["text"], row["aligned_text"])
    (record,) = client.get("/api/search/export", params={"q": phrase, "format": "json"}).json()["rows"]
    assert (record["provenance"], record["aligned_provenance"]) == (own, aligned)
    assert record["aligned_lang"] == ("en" if own == RECONSTRUCTION_LABEL else "ru")
    result = CliRunner().invoke(cli, ["search", phrase, "--db", url, "--format", "csv",
                                      "--no-renderings"])  # the CLI writes the same rows
    assert result.exit_code == 0, result.output
    (row,) = csv.DictReader(io.StringIO(result.stdout))
    assert (row["provenance"], row["aligned_provenance"]) == (own, aligned)


def test_a_hit_with_no_alignment_has_an_empty_aligned_provenance(export_app):
    client, _, _ = export_app
    got = client.get("/api/search/export", params={"q": "bordr", "format": "csv"})
    (row,) = csv.DictReader(io.StringIO(got.text))
    assert (row["provenance"], row["aligned_provenance"], row["alignment_id"]) == ("other", "", "")
    (record,) = client.get("/api/search/export", params={"q": "bordr", "format": "json"}).json()["rows"]
    assert record["aligned_provenance"] is None and record["text"] == POSTS[-1]
