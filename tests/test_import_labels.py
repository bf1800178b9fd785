"""Imported alignments keep the test-reconstruction label: our TSV and InterText exports
give each document's provenance kind back, and every importer recognises the known
reconstruction (the Russian Litvinov record) by its sentences, whatever file carries them.
The project's rule: every output labels it "TEST RECONSTRUCTION — not the archival text"."""

from __future__ import annotations

import csv
import io

import pytest
from typer.testing import CliRunner

from aligner.export import render_export
from aligner.imports import read_import
from aligner.pipeline import read_document, store_pair
from aligner.reconstructions import LITVINOV_RU, recognise_reconstruction, shingle_sample
from aligner.store import service
from aligner.store.db import open_store
from aligner.types import RECONSTRUCTION_LABEL, Alignment, Bead
from api.cli import app as cli
from conftest import CORPORA


@pytest.fixture(scope="module")
def litvinov(ru_path, en_ocr_path):
    """The bundled pair as the pipeline reads it, with a diagonal alignment (each source
    sentence to the target sentence of the same place; what is left over, 1-0 / 0-1)."""
    src = read_document(ru_path, "ru")
    tgt = read_document(en_ocr_path, "en", role="translation")
    n = min(len(src.sentences), len(tgt.sentences))
    beads = [Bead((i,), (i,), 0.9) for i in range(n)]
    beads += [Bead((i,), (), 0.5) for i in range(n, len(src.sentences))]
    beads += [Bead((), (j,), 0.5) for j in range(n, len(tgt.sentences))]
    assert src.provenance.kind == "reconstruction" and tgt.provenance.kind == "translation"
    return src, tgt, Alignment(beads=beads)


def _kinds(db) -> list[tuple[str, str, str]]:
    _, sessions = open_store(db)
    with sessions() as s:
        return [(d["lang"], d["provenance"]["kind"], d["provenance"]["label"])
                for d in service.list_documents(s, 1)]


@pytest.mark.parametrize("fmt", ["tsv", "intertext", "tmx"])
def test_an_exported_alignment_imported_back_is_still_labelled(litvinov, tmp_path, fmt):
    """`aligner export` of the bundled alignment, `aligner import-alignment` into a new store."""
    src, tgt, alignment = litvinov
    _, sessions = open_store(tmp_path / "a.db")
    store_pair(sessions, src, tgt, alignment, project="default")
    runner = CliRunner()
    out = tmp_path / f"x.{fmt}"
    r = runner.invoke(cli, ["export", "--db", str(tmp_path / "a.db"), "--alignment", "1",
                            "--format", fmt, "-o", str(out)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["import-alignment", str(out), "--src-lang", "ru", "--tgt-lang", "en",
                            "--db", str(tmp_path / "b.db")])
    assert r.exit_code == 0, r.output
    assert _kinds(tmp_path / "b.db") == [("ru", "reconstruction", RECONSTRUCTION_LABEL),
                                         ("en", "translation", "translation")]
    assert f"note: ru.reconstructed.txt is a {RECONSTRUCTION_LABEL}" in r.output


def test_the_intertext_export_labels_each_document(litvinov):
    import zipfile

    with zipfile.ZipFile(io.BytesIO(render_export("intertext", *litvinov))) as z:
        ru = z.read("ru_reconstructed.ru.xml").decode()
        en = z.read("ru_reconstructed.en.xml").decode()
    assert f'al:kind="reconstruction" al:label="{RECONSTRUCTION_LABEL}" al:file="ru.reconstructed.txt"' in ru
    assert 'al:kind="translation" al:label="translation" al:file="en.ocr.txt"' in en


def _pairs(litvinov, drop_every: int = 0):
    """(source text, target text) of each 1-1 bead, every ``drop_every``-th left out (as a
    translation memory leaves pairs out)."""
    src, tgt, alignment = litvinov
    return [(src.sentences[b.src[0]].text, tgt.sentences[b.tgt[0]].text)
            for k, b in enumerate(alignment.beads)
            if b.src and b.tgt and not (drop_every and k % drop_every == 0)]


def _plain_tsv(pairs) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\n").writerows(pairs)
    return out.getvalue().encode()


def _cat_tool_tmx(pairs) -> bytes:
    from translate.storage import tmx

    memory = tmx.tmxfile(sourcelanguage="ru", targetlanguage="en")
    for ru, en in pairs:
        memory.addtranslation(ru, "ru", en, "en")
    return bytes(memory)


def _foreign_intertext(pairs) -> dict:
    from lxml import etree

    files = {}
    for role, lang, k in (("source", "ru", 0), ("target", "en", 1)):
        root = etree.Element("text")
        for i, pair in enumerate(pairs, start=1):
            etree.SubElement(root, "s", id=f"1:{i}").text = pair[k]
        files[role] = (f"t.{lang}.xml", etree.tostring(root, encoding="utf-8"))
    links = "".join(f"<link type='1-1' xtargets='1:{i};1:{i}'/>" for i in range(1, len(pairs) + 1))
    files["alignment"] = ("t.ru.en.xml", f"<linkGrp fromDoc='t.ru.xml' toDoc='t.en.xml'>{links}</linkGrp>".encode())
    return files


def _vecalign(pairs) -> dict:
    return {"alignment": ("a.align", "".join(f"[{i}]:[{i}]:0.1\n" for i in range(len(pairs))).encode()),
            "source": ("ru.txt", "".join(p[0] + "\n" for p in pairs).encode()),
            "target": ("en.txt", "".join(p[1] + "\n" for p in pairs).encode())}


@pytest.mark.parametrize("fmt, files", [
    ("tsv", lambda p: {"alignment": ("plain.tsv", _plain_tsv(p))}),
    ("tmx", lambda p: {"alignment": ("memory.tmx", _cat_tool_tmx(p))}),
    ("intertext", _foreign_intertext),
    ("vecalign", _vecalign),
])
def test_every_importer_recognises_the_reconstruction_by_its_sentences(litvinov, fmt, files):
    """Files that say nothing of provenance: two columns, a CAT tool's memory with every
    fifth pair left out, InterText's own documents, Vecalign's sentence files."""
    got = read_import(fmt, files(_pairs(litvinov, drop_every=5 if fmt == "tmx" else 0)),
                      src_lang="ru", tgt_lang="en")
    assert (got.src.provenance.kind, got.src.provenance.label) == ("reconstruction", RECONSTRUCTION_LABEL)
    assert got.tgt.provenance.kind == "other"  # the English exhibit is no reconstruction


def test_the_content_check_is_the_reconstructions_and_only_its(ru_path):
    text = ru_path.read_text(encoding="utf-8")
    assert shingle_sample([text]) == LITVINOV_RU.sample  # the stored sample is the file's
    lines = [line for line in text.splitlines() if line.strip()]
    # A third of it, with a sentence corrected by a reviewer, is still it.
    part = lines[3:12]
    part[2] = part[2].replace("Сигемицу", "Сигэмицу")
    assert recognise_reconstruction(part, "ru") == LITVINOV_RU.description
    # The whole of it inside a longer Russian text too (a volume holding the record).
    story = (CORPORA / "bilinguator-ru-en" / "khameleon" / "khameleon_ru.txt").read_text(encoding="utf-8")
    assert recognise_reconstruction(story.splitlines() + lines, "ru") == LITVINOV_RU.description
    # Not another Russian text, nor its words said to be another language.
    assert recognise_reconstruction(story.splitlines(), "ru") is None
    assert recognise_reconstruction(lines, "en") is None
