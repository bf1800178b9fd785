"""A language missing from a TSV or Vecalign import is asked for as TMX's is: by the
front end's own field — the CLI's ``--src-lang``/``--tgt-lang``, the API's form field,
the page's field — one line, never "give the source and target language" everywhere."""

from __future__ import annotations

import warnings

import pytest
from typer.testing import CliRunner

warnings.filterwarnings("ignore", message=".*httpx.*")

from api.cli import app as cli  # noqa: E402
from support.api_client import aid, app, client  # noqa: E402, F401 - fixtures

TSV = {"alignment": ("m.tsv", b"One.\tOdin.\n")}
VECALIGN = {"alignment": ("m.align", b"[0]:[0]:0.9\n"), "source": ("s.txt", b"One.\n"),
            "target": ("t.txt", b"Odin.\n")}
ASK = "the {role} language is not in the file: give it ({how})"


@pytest.mark.parametrize("files", [TSV, VECALIGN], ids=["tsv", "vecalign"])
@pytest.mark.parametrize("given, role, flag", [({}, "source", "src"),
                                               ({"src": "ru"}, "target", "tgt")])
def test_the_api_and_the_page_name_their_own_field(client, aid, files, given, role, flag):
    data = {f"{k}_lang": v for k, v in given.items()}
    r = client.post("/api/projects/1/imports", files=files, data=data)
    example = "ru" if role == "source" else "en"
    assert (r.status_code, r.json()["detail"]) == (
        400, ASK.format(role=role, how=f"as the form field {flag}_lang, e.g. {example}"))
    r = client.post("/api/projects/1/imports", files=files, data={**data, "via": "page"})
    assert (r.status_code, r.json()["detail"]) == (
        400, ASK.format(role=role, how=f"in the {role.capitalize()} language field, e.g. {example}"))


@pytest.mark.parametrize("files", [TSV, VECALIGN], ids=["tsv", "vecalign"])
def test_the_cli_names_its_option(tmp_path, files):
    paths = {}
    for role, (name, data) in files.items():
        paths[role] = tmp_path / name
        paths[role].write_bytes(data)
    args = [str(paths["alignment"]), "--db", str(tmp_path / "a.db")]
    for role in ("source", "target"):
        if role in paths:
            args += [f"--{role}", str(paths[role])]
    runner = CliRunner()
    r = runner.invoke(cli, ["import-alignment", *args])
    assert r.exit_code == 2 and r.output.strip() == "error: " + ASK.format(role="source", how="e.g. --src-lang ru")
    r = runner.invoke(cli, ["import-alignment", *args, "--src-lang", "ru"])
    assert r.exit_code == 2 and r.output.strip() == "error: " + ASK.format(role="target", how="e.g. --tgt-lang en")
    r = runner.invoke(cli, ["import-alignment", *args, "--src-lang", "ru", "--tgt-lang", "en"])
    assert r.exit_code == 0 and "1 ru / 1 en sentences, 1 beads" in r.output, r.output
