"""``POST /api/imports`` (the page's Import… dialog) names its project in the form and
creates it only with the imported alignment: a file that fails to import (empty, an HTML
page, a language missing) leaves no empty project behind."""

from __future__ import annotations

import warnings

warnings.filterwarnings("ignore", message=".*httpx.*")

from support.api_client import aid, app, assert_error, client  # noqa: E402, F401 - fixtures

NO_SRCLANG = ("<tmx version='1.4'><header/><body><tu><tuv xml:lang='en'><seg>One.</seg></tuv>"
              "<tuv xml:lang='ru'><seg>Один.</seg></tuv></tu></body></tmx>").encode()


def project_names(client) -> list[str]:
    return sorted(p["name"] for p in client.get("/api/projects").json())


def test_a_failed_import_creates_no_project(client, aid):
    before = project_names(client)
    for name, data, fields, words in [
        ("empty.tmx", b"", {}, ["empty.tmx: file is empty"]),
        ("page.html", b"<!DOCTYPE html><html><p>x</p></html>", {}, ["an HTML page"]),
        ("m.tmx", NO_SRCLANG, {}, ["Source language field"]),
        ("m.tsv", b"a\tb\n", {}, ["language"]),
    ]:
        r = client.post("/api/imports", files={"alignment": (name, data)},
                        data={"project": f"pg-{name}", "via": "page", **fields})
        assert_error(r, 400, *words)
    assert_error(client.post("/api/imports", files={"alignment": ("m.tmx", NO_SRCLANG)},
                             data={"project": "  ", "src_lang": "en"}), 422, "project")
    assert project_names(client) == before


def test_an_import_creates_its_project_or_joins_one(client, aid):
    r = client.post("/api/imports", files={"alignment": ("m.tmx", NO_SRCLANG)},
                    data={"project": "pg-new", "src_lang": "en", "via": "page"})
    assert r.status_code == 201, r.text
    projects = {p["name"]: p["id"] for p in client.get("/api/projects").json()}
    assert r.json()["project_id"] == projects["pg-new"]
    assert r.json()["imported"]["via"] == "page" and r.json()["beads"] == 1
    again = client.post("/api/imports", files={"alignment": ("m.tmx", NO_SRCLANG)},
                        data={"project": "pg-new", "src_lang": "en"})
    assert again.status_code == 201 and again.json()["project_id"] == projects["pg-new"]
