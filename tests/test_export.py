"""Exports of an in-memory alignment (aligner.export), each re-read with its own library."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest

import aligner
from aligner.document import document_from_text
from aligner.errors import AlignerError
from aligner.evaluate import parse_beads
from aligner.export import EXPORT_FORMATS, FORMATS, render_export, write_export
from aligner.types import Alignment, Bead, Crossing

RU_TEXT = (
    "Я сказал Сигемицу, что мы не перейдем границу. Он ответил: «Это нас устроит». "
    "Затем посол заговорил о рыбаках.\n\n"
    "Беседа длилась два часа. Литвинов"
)
EN_TEXT = (
    'I told Shigemitsu that we would not cross the frontier. He replied: "That suits us." '
    "He added that Tokyo wanted calm.\n\n"
    "The conversation lasted two hours."
)
RECONSTRUCTION_LABEL = "TEST RECONSTRUCTION — not the archival text"


@pytest.fixture(scope="module")
def bitext():
    src = document_from_text(RU_TEXT, "ru", filename="ru.reconstructed.txt")
    tgt = document_from_text(EN_TEXT, "en", filename="en.ocr.txt", kind="translation")
    assert len(src.sentences) == 5 and len(tgt.sentences) == 4, (src.texts, tgt.texts)
    alignment = Alignment(
        beads=[
            Bead((0,), (0,), 0.97),
            Bead((1,), (1, 2), 0.55, ["low-confidence"]),  # 1-2
            Bead((2,), (), 0.8, ["omission"]),  # 1-0
            Bead((3, 4), (3,), 0.91),  # 2-1
        ],
        crossings=[Crossing((2,), (2,), 0.65, "test crossing")],
        encoder="use-m3 usem3-test",
        params={"max_side": 4},
    )
    return src, tgt, alignment


def joined(doc, ids):
    return " ".join(doc.texts[i] for i in ids)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_bitext_provenance(bitext):
    src, tgt, _ = bitext
    assert src.provenance.kind == "reconstruction" and src.provenance.label == RECONSTRUCTION_LABEL
    assert src.provenance.sha256 == sha(RU_TEXT) and tgt.provenance.sha256 == sha(EN_TEXT)


def test_tmx_reread_with_translate_toolkit(bitext):
    from translate.storage.tmx import tmxfile

    src, tgt, alignment = bitext
    default = tmxfile.parsestring(render_export("tmx", src, tgt, alignment)).units
    assert [u.target for u in default] == [joined(tgt, b.tgt) for b in alignment.beads if b.tgt]
    store = tmxfile.parsestring(render_export("tmx", src, tgt, alignment, {"keep_nulls": True}))
    units = store.units
    assert len(units) == len(alignment.beads)
    for unit, bead in zip(units, alignment.beads):
        assert unit.source == joined(src, bead.src)
        assert unit.target == joined(tgt, bead.tgt)
        props = {p.get("type"): (p.text or "") for p in unit.xmlelement.iter("prop")}
        assert props["x-bead-type"] == bead.type
        assert float(props["x-score"]) == pytest.approx(bead.score, abs=1e-4)
        assert props["x-flags"] == ",".join(bead.flags)
        assert props["x-source-ids"] == ",".join(map(str, bead.src))
        assert props["x-target-ids"] == ",".join(map(str, bead.tgt))
    assert units[2].target == ""  # kept, the omission shows as an empty target segment

    header = store.document.getroot().find("header")
    assert header.get("srclang") == "ru"
    assert header.get("creationtool") == "aligner"
    assert header.get("creationtoolversion") == aligner.__version__
    props = {p.get("type"): (p.text or "") for p in header.iter("prop")}
    assert props["x-source-kind"] == "reconstruction"
    assert props["x-source-label"] == RECONSTRUCTION_LABEL
    assert props["x-source-sha256"] == sha(RU_TEXT)
    assert props["x-source-file"] == "ru.reconstructed.txt"
    assert props["x-target-kind"] == "translation"
    assert props["x-target-sha256"] == sha(EN_TEXT)
    assert props["x-encoder"] == "use-m3 usem3-test"
    langs = [tuv.get("{http://www.w3.org/XML/1998/namespace}lang")
             for tuv in units[0].xmlelement.iter("tuv")]
    assert langs == ["ru", "en"]


def test_tsv_reread_with_csv(bitext):
    src, tgt, alignment = bitext
    text = render_export("tsv", src, tgt, alignment).decode("utf-8")
    lines = text.splitlines()
    comments = [ln for ln in lines if ln.startswith("#")]
    assert lines[: len(comments)] == comments  # comments come first
    assert any(f"sha256={sha(RU_TEXT)}" in c and "kind=reconstruction" in c
               and RECONSTRUCTION_LABEL in c for c in comments)
    assert any(f"sha256={sha(EN_TEXT)}" in c and "kind=translation" in c for c in comments)
    rows = list(csv.reader(io.StringIO("\n".join(lines[len(comments):]) + "\n"), delimiter="\t"))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["source", "target", "score", "type"]
    assert len(body) == len(alignment.beads)
    col = {name: k for k, name in enumerate(header)}
    for row, bead in zip(body, alignment.beads):
        assert len(row) == len(header)
        assert row[col["source"]] == joined(src, bead.src)
        assert row[col["target"]] == joined(tgt, bead.tgt)  # quotes survive the round trip
        assert float(row[col["score"]]) == pytest.approx(bead.score, abs=1e-4)
        assert row[col["type"]] == bead.type
        assert row[col["flags"]] == ",".join(bead.flags)
        assert row[col["source_ids"]] == ",".join(map(str, bead.src))
        assert row[col["target_ids"]] == ",".join(map(str, bead.tgt))
    assert '"' in body[1][col["target"]]


def test_json_reread(bitext):
    src, tgt, alignment = bitext
    data = json.loads(render_export("json", src, tgt, alignment))
    assert data["source"]["kind"] == "reconstruction"
    assert data["source"]["label"] == RECONSTRUCTION_LABEL
    assert data["source"]["sha256"] == sha(RU_TEXT) and data["target"]["sha256"] == sha(EN_TEXT)
    assert data["source"]["language"] == "ru" and data["source"]["sentences"] == 5
    assert data["target"]["kind"] == "translation"
    assert data["encoder"] == alignment.encoder
    assert data["settings"]["max_side"] == 4 and data["settings"]["max_total"] == 7
    assert len(data["beads"]) == len(alignment.beads)
    for row, bead in zip(data["beads"], alignment.beads):
        assert (tuple(row["source"]), tuple(row["target"])) == (bead.src, bead.tgt)
        assert row["source_text"] == joined(src, bead.src)
        assert row["target_text"] == joined(tgt, bead.tgt)
        assert row["score"] == pytest.approx(bead.score) and row["type"] == bead.type
        assert row["flags"] == bead.flags and row["status"] == "unreviewed"
    assert data["crossings"] == [{"source": [2], "target": [2], "score": 0.65, "reason": "test crossing"}]


def test_vecalign_reread_with_evaluate_parser(bitext):
    src, tgt, alignment = bitext
    text = render_export("vecalign", src, tgt, alignment).decode("ascii")
    assert parse_beads(text) == [(b.src, b.tgt) for b in alignment.beads]
    scores = [float(line.rsplit(":", 1)[1]) for line in text.splitlines()]
    assert scores == pytest.approx([b.score for b in alignment.beads], abs=1e-4)


def test_vecalign_file_gets_provenance_sidecar(bitext, tmp_path):
    src, tgt, alignment = bitext
    out = tmp_path / "litvinov.align"
    write_export(str(out), "vecalign", src, tgt, alignment)
    assert parse_beads(out.read_text()) == [(b.src, b.tgt) for b in alignment.beads]
    sidecar = tmp_path / "litvinov.align.provenance.json"
    meta = json.loads(sidecar.read_text(encoding="utf-8"))
    assert meta["source"]["kind"] == "reconstruction"
    assert meta["source"]["label"] == RECONSTRUCTION_LABEL
    assert meta["source"]["sha256"] == sha(RU_TEXT)
    assert meta["target"]["sha256"] == sha(EN_TEXT)
    assert meta["encoder"] == alignment.encoder
    # Other formats carry provenance inside: no sidecar.
    write_export(tmp_path / "x.json", "json", src, tgt, alignment)
    assert not (tmp_path / "x.json.provenance.json").exists()


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_write_export_to_path_and_streams_agree(bitext, tmp_path, fmt):
    src, tgt, alignment = bitext
    expected = render_export(fmt, src, tgt, alignment)
    path = tmp_path / f"out.{fmt}"
    write_export(path, fmt, src, tgt, alignment)
    assert path.read_bytes() == expected
    text_stream, byte_stream = io.StringIO(), io.BytesIO()
    write_export(byte_stream, fmt, src, tgt, alignment)
    assert byte_stream.getvalue() == expected
    if FORMATS[fmt].media_type == "application/zip":  # a zip is no text
        with pytest.raises(AlignerError, match="zip"):
            write_export(text_stream, fmt, src, tgt, alignment)
        return
    write_export(text_stream, fmt, src, tgt, alignment)
    assert text_stream.getvalue() == expected.decode("utf-8")


def test_unknown_format_is_a_user_error(bitext):
    src, tgt, alignment = bitext
    with pytest.raises(AlignerError, match="xlsx"):
        render_export("xlsx", src, tgt, alignment)


def test_tsv_row_starting_with_hash_is_not_a_comment():
    src = document_from_text("#1504 Запись беседы.\nВторая строка.", "ru", filename="ru.txt", presplit=True)
    tgt = document_from_text("Record of a conversation.\nSecond line.", "en", filename="en.txt", presplit=True)
    alignment = Alignment(beads=[Bead((0,), (0,), 0.9), Bead((1,), (1,), 0.9)], encoder="toy 1")
    lines = render_export("tsv", src, tgt, alignment).decode("utf-8").splitlines()
    body = [ln for ln in lines if not ln.startswith("#")]
    assert len(body) == 3 and body[1].startswith('"#1504')
    rows = list(csv.reader(io.StringIO("\n".join(body) + "\n"), delimiter="\t"))
    assert rows[1][:2] == ["#1504 Запись беседы.", "Record of a conversation."]
    assert rows[2][0] == "Вторая строка."  # other rows stay unquoted
    assert not body[2].startswith('"')
