"""`aligner align` end to end (typer's CliRunner, in process, so the encoder loads once).

The Litvinov Russian side is a TEST RECONSTRUCTION (not the archival text); every output
must say so.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from api.cli import app
from aligner.evaluate import parse_beads

RU_LINES = [
    "Посол Японии Сигемицу посетил меня сегодня по поручению своего правительства.",
    "Он заявил, что Япония желает мирно урегулировать пограничный инцидент у озера Хасан.",
    "Я ответил, что советские войска не перейдут границу. Мы будем защищать свою территорию.",
    "Беседа продолжалась около двух часов и проходила в спокойном тоне.",
]
EN_LINES = [
    "The Japanese Ambassador Shigemitsu called on me today on behalf of his government.",
    "He stated that Japan wished to settle the frontier incident at Lake Khasan peacefully.",
    "I replied that the Soviet troops would not cross the frontier. We shall defend our territory.",
    "The conversation lasted about two hours and was conducted in a calm tone.",
]


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def invoke(runner, default_encoder):
    """Run ``aligner align ARGS``; the session encoder is already loaded (get_encoder caches it)."""

    def run(*args: str):
        return runner.invoke(app, ["align", *(str(a) for a in args)])

    return run


@pytest.fixture(scope="module")
def litvinov_args(ru_path, en_ocr_path):
    return [ru_path, en_ocr_path, "--src-lang", "ru", "--tgt-lang", "en"]


@pytest.fixture(scope="module")
def litvinov_json(invoke, litvinov_args):
    result = invoke(*litvinov_args, "--format", "json", "-q")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def small_pair(tmp_path):
    src, tgt = tmp_path / "ru.txt", tmp_path / "en.txt"
    src.write_text("\n".join(RU_LINES) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(EN_LINES) + "\n", encoding="utf-8")
    return src, tgt


def covers(beads: list[dict], n_src: int, n_tgt: int) -> bool:
    return ([i for b in beads for i in b["source"]] == list(range(n_src))
            and [j for b in beads for j in b["target"]] == list(range(n_tgt)))


def assert_user_error(result) -> str:
    """A clean failure: exit 2, one ``error: ...`` line on stderr, no traceback, no output."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit)  # not an escaped exception
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""
    return lines[0]


# --- the Litvinov pair -------------------------------------------------------------------------


def test_json_output(litvinov_json):
    data = litvinov_json
    assert data["source"]["kind"] == "reconstruction"
    assert data["source"]["label"].startswith("TEST RECONSTRUCTION")
    assert data["target"]["kind"] == "translation"
    n_src, n_tgt = data["source"]["sentences"], data["target"]["sentences"]
    assert n_src > 50 and n_tgt > 50
    assert covers(data["beads"], n_src, n_tgt)
    assert all(0.0 <= b["score"] <= 1.0 for b in data["beads"])
    assert data["encoder"].startswith("use-m3")
    texts = {b["target_text"] for b in data["beads"]}
    assert any("not fire toward Manchukuo." in t for t in texts)


def test_vecalign_to_file_with_sidecar(invoke, litvinov_args, litvinov_json, tmp_path):
    out = tmp_path / "litvinov.align"
    result = invoke(*litvinov_args, "--format", "vecalign", "-o", out, "-q")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # everything went to the file
    beads = parse_beads(out.read_text())
    assert beads == [(tuple(b["source"]), tuple(b["target"])) for b in litvinov_json["beads"]]
    meta = json.loads((tmp_path / "litvinov.align.provenance.json").read_text(encoding="utf-8"))
    assert meta["source"]["kind"] == "reconstruction"
    assert meta["source"]["sha256"] == litvinov_json["source"]["sha256"]


def test_vecalign_to_stdout(invoke, litvinov_args, litvinov_json):
    result = invoke(*litvinov_args, "--format", "vecalign", "-q")
    assert result.exit_code == 0, result.output
    assert parse_beads(result.stdout) == [(tuple(b["source"]), tuple(b["target"]))
                                          for b in litvinov_json["beads"]]


def test_db_stores_the_alignment(invoke, litvinov_args, tmp_path):
    db = tmp_path / "x.db"
    result = invoke(*litvinov_args, "--format", "json", "--db", db)
    assert result.exit_code == 0, result.output
    assert "stored as alignment" in result.stderr
    assert "TEST RECONSTRUCTION" in result.stderr  # the note about the Russian side
    assert "aligned " in result.stderr  # the summary line
    alignment_id = int(result.stderr.split("stored as alignment", 1)[1].split()[0])

    from aligner.store.db import open_store
    from aligner.store.service import load_alignment

    _, sessions = open_store(db)
    with sessions() as session:
        stored = load_alignment(session, alignment_id)
    printed = json.loads(result.stdout)["beads"]
    assert [(b.src, b.tgt) for b in stored.beads] == [
        (tuple(b["source"]), tuple(b["target"])) for b in printed]
    assert stored.encoder.startswith("use-m3")


def test_tsv_is_the_default_format(invoke, small_pair):
    src, tgt = small_pair
    result = invoke(src, tgt, "--src-lang", "ru", "--tgt-lang", "en", "-q")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("# source: ru.txt (ru) sha256=")
    assert hashlib.sha256(src.read_bytes()).hexdigest() in lines[0]


# --- presplit and encodings ----------------------------------------------------------------


def test_presplit_keeps_one_sentence_per_line(invoke, small_pair):
    src, tgt = small_pair
    args = [src, tgt, "--src-lang", "ru", "--tgt-lang", "en", "--format", "json", "-q"]
    split = json.loads(invoke(*args, "--presplit").stdout)
    assert split["source"]["sentences"] == len(RU_LINES)
    assert split["target"]["sentences"] == len(EN_LINES)
    assert [(b["source_text"], b["target_text"]) for b in split["beads"]] == list(zip(RU_LINES, EN_LINES))
    # Without --presplit the two-sentence third line is split by the segmenter.
    segmented = json.loads(invoke(*args).stdout)
    assert segmented["source"]["sentences"] == len(RU_LINES) + 1
    assert covers(segmented["beads"], len(RU_LINES) + 1, len(EN_LINES) + 1)


@pytest.mark.skipif(sys.platform != "linux", reason="file names are bytes on Linux only")
def test_a_cp1251_file_name_is_shown_and_stored_as_text(invoke, small_pair, tmp_path):
    """An archive unpacked with Windows names: Python sees undecodable bytes (surrogates)."""
    import os

    src, tgt = small_pair
    named = tmp_path / os.fsdecode("Запись беседы".encode("cp1251") + b"_ru.txt")
    named.write_bytes(src.read_bytes())
    db = tmp_path / "names.db"
    result = invoke(named, tgt, "--src-lang", "ru", "--tgt-lang", "en", "--format", "json", "--db", db)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["source"]["file"] == "Запись беседы_ru.txt"

    from aligner.store.db import open_store
    from aligner.store.service import list_documents

    _, sessions = open_store(db)
    with sessions() as session:
        files = {d["provenance"]["file"] for d in list_documents(session, 1)}
    assert "Запись беседы_ru.txt" in files


@pytest.mark.parametrize("encoding", ["cp1251", "utf-16"])
def test_legacy_encodings_give_the_same_sentences(invoke, small_pair, tmp_path, encoding):
    src, tgt = small_pair
    legacy = tmp_path / f"ru-{encoding}.txt"
    legacy.write_bytes(src.read_text(encoding="utf-8").encode(encoding))
    common = [tgt, "--src-lang", "ru", "--tgt-lang", "en", "--format", "json", "-q"]
    base = invoke(src, *common)
    other = invoke(legacy, *common)
    assert base.exit_code == 0 and other.exit_code == 0, other.output
    base_data, other_data = json.loads(base.stdout), json.loads(other.stdout)
    assert other_data["source"]["encoding"].replace("_", "-") == encoding
    assert other_data["source"]["sha256"] == hashlib.sha256(legacy.read_bytes()).hexdigest()

    def view(data):
        return [(b["source"], b["target"], b["source_text"], b["target_text"]) for b in data["beads"]]

    assert view(other_data) == view(base_data)
    assert any("Сигемицу" in b["source_text"] for b in other_data["beads"])


# --- bad input: one line, exit 2, no traceback ---------------------------------------------


@pytest.fixture
def bad_inputs(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.txt"
    blank.write_text("  \n\n \t\n")
    binary = tmp_path / "scan.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    nul = tmp_path / "nul.txt"
    nul.write_bytes(b"text\x00with\x00nul\x00bytes" * 10)
    return {"empty": empty, "blank": blank, "binary": binary, "nul": nul,
            "missing": tmp_path / "no-such-file.txt"}


@pytest.mark.parametrize("case, needle", [
    ("empty", "empty"), ("blank", "blank.txt"), ("binary", "scan.txt"), ("nul", "nul.txt"),
    ("missing", "no-such-file.txt"),
])
def test_bad_source_file(invoke, small_pair, bad_inputs, case, needle):
    _, tgt = small_pair
    line = assert_user_error(invoke(bad_inputs[case], tgt, "--src-lang", "ru", "--tgt-lang", "en"))
    assert needle in line


def test_bad_target_file(invoke, small_pair, bad_inputs):
    src, _ = small_pair
    line = assert_user_error(invoke(src, bad_inputs["binary"], "--src-lang", "ru", "--tgt-lang", "en"))
    assert "scan.txt" in line


@pytest.mark.parametrize("extra, needle", [
    (["--format", "xlsx"], "xlsx"),
    (["--src-lang", "xx"], "'xx'"),
    (["--tgt-lang", "klingon"], "klingon"),
    (["--src-kind", "forgery"], "forgery"),
])
def test_bad_options(invoke, small_pair, extra, needle):
    src, tgt = small_pair
    base = {"--src-lang": "ru", "--tgt-lang": "en"}
    for k in range(0, len(extra), 2):
        base[extra[k]] = extra[k + 1]
    args = [src, tgt] + [x for kv in base.items() for x in kv]
    line = assert_user_error(invoke(*args))
    assert needle in line


def test_bad_input_in_a_real_process(small_pair, bad_inputs):
    """The installed entry point, not just the in-process runner: no traceback either."""
    _, tgt = small_pair
    proc = subprocess.run(
        [sys.executable, "-m", "api.cli", "align", str(bad_inputs["nul"]), str(tgt),
         "--src-lang", "ru", "--tgt-lang", "en"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().startswith("error: ") and len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr


def test_swapped_files_are_refused_with_a_hint(invoke, ru_path, en_ocr_path):
    """The translation given as the Russian source: refused before anything is segmented."""
    result = invoke(en_ocr_path, ru_path, "--src-lang", "ru", "--tgt-lang", "en")
    assert_user_error(result)
    assert "en.ocr.txt: declared 'ru', but only 0% of its letters are Cyrillic" in result.stderr
    assert "swapped" in result.stderr
