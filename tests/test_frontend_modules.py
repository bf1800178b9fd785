"""The review page's ES modules: the import graph is whole and they are served as modules.

A module script that imports a name its target does not export, or is served with a
non-JavaScript type, stops the whole page with nothing but a console error; these checks
say which file and name (the browser tests only see a page that never gets ready).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*")
from fastapi.testclient import TestClient  # noqa: E402

from api.main import create_app  # noqa: E402
from api.settings import Settings  # noqa: E402

FRONT = Path(__file__).resolve().parents[1] / "frontend"
MODULES = sorted(p.name for p in FRONT.glob("*.js"))
IMPORT = re.compile(r'^import\s*\{([^}]*)\}\s*from\s*"\./([\w-]+\.js)";\s*$', re.M)
EXPORT = re.compile(r"^export\s+(?:async\s+)?(?:function\*?|const|let|class)\s+([\w$]+)", re.M)


def _graph() -> dict[str, tuple[dict[str, set[str]], set[str]]]:
    """module → ({imported module: names}, exported names)."""
    graph = {}
    for name in MODULES:
        text = (FRONT / name).read_text(encoding="utf-8")
        stray = [line for line in text.splitlines()
                 if re.match(r"\s*(import|export)\b", line) and not IMPORT.match(line)
                 and not EXPORT.match(line)]
        assert not stray, f"{name}: import/export form this test does not read: {stray}"
        imports: dict[str, set[str]] = {}
        for names, target in IMPORT.findall(text):
            imports.setdefault(target, set()).update(n.strip() for n in names.split(",") if n.strip())
        graph[name] = (imports, set(EXPORT.findall(text)))
    return graph


def test_every_import_names_an_export_and_every_module_is_used():
    graph = _graph()
    for name, (imports, _) in graph.items():
        for target, names in imports.items():
            assert target in graph, f"{name} imports missing module {target}"
            missing = names - graph[target][1]
            assert not missing, f"{name} imports {sorted(missing)} that {target} does not export"
    reached, todo = set(), ["app.js"]
    while todo:
        mod = todo.pop()
        if mod not in reached:
            reached.add(mod)
            todo.extend(graph[mod][0])
    assert reached == set(MODULES), f"not reached from app.js: {sorted(set(MODULES) - reached)}"


def test_page_loads_one_entry_module_and_modules_leak_no_globals():
    html = (FRONT / "index.html").read_text(encoding="utf-8")
    assert re.findall(r"<script[^>]*>", html) == ['<script type="module" src="/static/app.js">']
    for name in MODULES:
        text = (FRONT / name).read_text(encoding="utf-8")
        assert not re.search(r"\b(window|globalThis|self)\.[\w$]+\s*=(?!=)", text), f"{name} sets a global"


@pytest.fixture()
def client(tmp_path):
    with TestClient(create_app(Settings(db_path=tmp_path / "page.db", auth="local")),
                    base_url="http://127.0.0.1") as c:
        yield c


def test_modules_are_served_as_javascript_and_revalidated(client, monkeypatch):
    # as on a Windows machine whose registry maps .js to text/plain
    monkeypatch.setattr("starlette.responses.guess_type", lambda path: ("text/plain", None))
    assert len(MODULES) > 2
    for name in MODULES:
        r = client.get(f"/static/{name}")
        assert r.status_code == 200, name
        assert r.headers["content-type"] == "text/javascript; charset=utf-8", name
        assert r.headers["cache-control"] == "no-cache", name
        again = client.get(f"/static/{name}", headers={"If-None-Match": r.headers["etag"]})
        assert again.status_code == 304 and again.headers["cache-control"] == "no-cache"
    assert client.get("/static/app.css").headers["content-type"].startswith("text/plain")  # untouched
