"""aligner.document: the whole ingest on the real seed files, plus the CLI `segment`."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from aligner.clean import clean_text
from api.cli import app
from aligner.document import (
    document_from_bytes,
    document_from_text,
    prepare_document,
    raw_line_numbers,
)
from aligner.errors import InputError, UnknownLanguageError


@pytest.fixture(scope="module")
def en_doc(en_ocr_path):
    return prepare_document(en_ocr_path, "en")


@pytest.fixture(scope="module")
def ru_doc(ru_path):
    return prepare_document(ru_path, "ru")


def test_no_page_furniture_in_any_sentence(en_doc):
    for s in en_doc.sentences:
        assert "Def. Doc" not in s.text
        assert "28" not in s.text.split()
        assert s.text != "Copy" and not s.text.endswith(" Copy")
    assert en_doc.texts[-1] == "Litvinov."


def test_page_break_mid_sentence_is_joined(en_doc):
    joined = [s for s in en_doc.sentences if "settle the incident" in s.text]
    assert len(joined) == 1
    s = joined[0]
    assert s.text == (
        "The Soviet side protested its desire to settle the incident in a peaceful way, "
        "but what had been said by me bore little relation to these desires."
    )
    assert "Def. Doc. # 1504" in en_doc.raw_text[s.raw_start : s.raw_end]
    assert s.page == 2  # starts on page 2, ends on page 3


def test_page_break_at_sentence_end(en_doc):
    i = next(i for i, t in enumerate(en_doc.texts) if t.startswith("Shigemitsu stated that since"))
    assert en_doc.texts[i - 1].endswith("between Manchukuo and the U.S.S.R.")
    assert en_doc.texts[i].startswith(
        "Shigemitsu stated that since the position of the Japanese Government on the question"
    )
    assert en_doc.sentences[i - 1].page == 1 and en_doc.sentences[i].page == 2


def _furniture_free(raw: str) -> str:
    """The same clean-up applied to a raw span, paragraph breaks read as spaces."""
    return " ".join(clean_text(raw).text.split())


@pytest.mark.parametrize("which", ["en_doc", "ru_doc"])
def test_raw_offsets_round_trip(request, which):
    doc = request.getfixturevalue(which)
    for s in doc.sentences:
        assert doc.clean_text[s.start : s.end] == s.text
        assert doc.offsets[s.start] == s.raw_start
        assert _furniture_free(doc.raw_text[s.raw_start : s.raw_end]) == s.text, s.index
        # and, independently: white-space-normalised raw minus the header is the text
        raw = re.sub(r"Def\. Doc\. # ?1504 ", "", doc.raw_text[s.raw_start : s.raw_end])
        assert " ".join(raw.split()) == s.text, s.index


def test_sentence_fields(en_doc, ru_doc):
    assert [s.index for s in en_doc.sentences] == list(range(len(en_doc.sentences)))
    assert en_doc.sentences[0].text == "From M. M. Litvinov's Diary"
    assert en_doc.sentences[1].paragraph == 1
    assert [s.page for s in en_doc.sentences] == sorted(s.page for s in en_doc.sentences)
    assert {s.page for s in en_doc.sentences} == {1, 2, 3}
    # one paragraph per line in the reconstruction: paragraph == line number
    lines = ru_doc.raw_text.split("\n")
    for s in ru_doc.sentences:
        assert s.text in lines[s.paragraph]


def test_sentence_counts_are_comparable(en_doc, ru_doc):
    # both are ~100 sentences; the reconstruction follows the English boundaries mostly
    assert 90 <= len(en_doc.sentences) <= 110
    assert 90 <= len(ru_doc.sentences) <= 110
    assert ru_doc.texts[2] == "7 августа 1938 г."
    assert ru_doc.texts[-1] == "Литвинов"


def test_provenance(en_doc, ru_doc):
    assert ru_doc.provenance.kind == "reconstruction"
    assert ru_doc.provenance.label.startswith("TEST RECONSTRUCTION")
    assert en_doc.provenance.kind == "other"
    assert en_doc.provenance.file == "en.ocr.txt"
    assert en_doc.provenance.sha256.startswith("19b7d498")
    assert en_doc.lang == "en" and ru_doc.lang == "ru"
    assert prepare_document(en_doc_path_of(en_doc), "en", kind="archival").provenance.kind == "archival"


def en_doc_path_of(doc):
    from pathlib import Path

    return Path(__file__).resolve().parents[1] / "corpora" / "litvinov-1938-08-07" / doc.provenance.file


def test_presplit_keeps_lines_unchanged():
    data = "  First line. Two sentences here.\n\nSecond line\r\n<b>Third</b> line.\n".encode("cp1251")
    doc = document_from_bytes(data, "pre.txt", "en", presplit=True)
    assert doc.texts == ["First line. Two sentences here.", "Second line", "<b>Third</b> line."]
    assert [s.paragraph for s in doc.sentences] == [0, 2, 3]  # raw line numbers
    for s in doc.sentences:
        assert doc.raw_text[s.raw_start : s.raw_end] == s.text
    doc = document_from_bytes(data, "pre.txt", "en", presplit=True, strip_markup=True)
    assert doc.texts[2] == "Third line."
    assert doc.raw_text[doc.sentences[2].raw_start : doc.sentences[2].raw_end] == "Third</b> line."


def test_document_from_text_and_errors():
    doc = document_from_text("One. Two.", "en", title="t")
    assert doc.texts == ["One.", "Two."] and doc.title == "t"
    with pytest.raises(InputError):
        document_from_text(" \n ", "en")
    with pytest.raises(UnknownLanguageError):
        document_from_text("One.", "klingon")


def test_tei_document(tei_path):
    doc = prepare_document(tei_path, "en")
    assert doc.texts[0] == "The Chargé in the Soviet Union (Kirk) to the Secretary of State"
    assert doc.texts[1] == "228."  # the telegram number, as pysbd splits it
    assert any("Grodekovo" in t for t in doc.texts)
    for s in doc.sentences:
        assert doc.raw_text[s.raw_start : s.raw_end] == s.text


def test_bilinguator_markup_is_stripped(shared_dir):
    path = shared_dir / "eval-data/bilinguator-ru-en/texts/alice_in_wonderland/alice_in_wonderland_en.txt"
    doc = prepare_document(path, "en", ocr=False, strip_markup=True)
    assert doc.texts[:3] == [
        "Lewis Carroll",
        "Alice’s adventures in Wonderland",
        "Illustrations by John Tenniel.",
    ]
    for s in doc.sentences:
        assert "<" not in s.text and ">" not in s.text
        raw = re.sub(r"<delimiter>", " ", doc.raw_text[s.raw_start : s.raw_end])
        assert " ".join(re.sub(r"</?\w+>", "", raw).split()) == s.text
    # bare "<img1>" lines clean to nothing, so unit ids come from raw_line_numbers
    lines = doc.raw_text.split("\n")
    line_ids = raw_line_numbers(doc)
    assert line_ids == sorted(line_ids) and line_ids[:3] == [0, 1, 1]
    for s, line_id in zip(doc.sentences, line_ids):
        assert s.text.split()[0] in re.sub(r"<[^>]+>", " ", lines[line_id])


def test_cli_segment_text_and_json(en_ocr_path, ru_path):
    runner = CliRunner()
    result = runner.invoke(app, ["segment", str(en_ocr_path), "--lang", "en"])
    assert result.exit_code == 0
    out = result.stdout.splitlines()
    assert out[0] == "From M. M. Litvinov's Diary" and out[-1] == "Litvinov."
    result = runner.invoke(app, ["segment", str(ru_path), "--lang", "ru", "--format", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert rows[2] == {"index": 2, "text": "7 августа 1938 г.", "raw_start": 53, "raw_end": 70,
                       "page": 1, "paragraph": 2}  # fmt: skip
    assert "TEST RECONSTRUCTION" in result.stderr
    result = runner.invoke(app, ["segment", str(ru_path), "--lang", "xx"])
    assert result.exit_code == 2 and result.stderr.startswith("error: unsupported language 'xx'")


@pytest.mark.parametrize("encoding", ["cp1251", "utf-16", "utf-8-sig"])
def test_reencoded_copy_of_the_reconstruction_is_still_labelled(tmp_path, ru_path, encoding):
    """Another encoding and CRLF line ends change every byte, not the text: still a
    TEST RECONSTRUCTION, whatever the file is called."""
    from aligner.document import prepare_document

    copy = tmp_path / "archive_scan.txt"
    copy.write_bytes(ru_path.read_text(encoding="utf-8").replace("\n", "\r\n").encode(encoding))
    doc = prepare_document(copy, "ru", kind="archival")
    assert doc.provenance.kind == "reconstruction"
    assert doc.provenance.label == "TEST RECONSTRUCTION — not the archival text"



def test_an_edited_copy_or_an_excerpt_of_the_reconstruction_is_labelled_too(tmp_path, ru_path):
    """Not the exact text any more, still not an archival text (aligner.reconstructions)."""
    from aligner.document import prepare_document
    from aligner.reconstructions import recognise_reconstruction

    def derived_reconstruction(text):
        return recognise_reconstruction([text], None)

    text = ru_path.read_text(encoding="utf-8")
    edited = tmp_path / "edited.txt"
    edited.write_text(text.replace("Сигемицу", "Шигемицу", 3) + "\nЕщё одна строка, добавленная редактором.\n",
                      encoding="utf-8")
    doc = prepare_document(edited, "ru", kind="archival")
    assert doc.provenance.label == "TEST RECONSTRUCTION — not the archival text"
    lines = [line for line in text.splitlines() if len(line) > 80]
    excerpt = tmp_path / "quoted.txt"  # six paragraphs quoted in a note of one's own
    excerpt.write_text("Примечание архивиста к выписке.\n" + "\n".join(lines[3:9]), encoding="utf-8")
    assert prepare_document(excerpt, "ru", kind="archival").provenance.kind == "reconstruction"
    assert derived_reconstruction("\n".join(lines[3:9])).startswith("Litvinov–Shigemitsu record")
    # a text quoting one short sentence of it among its own is not; three running sentences are
    own = [f"Это предложение номер {k} из совсем другого документа о переговорах." for k in range(20)]
    quoted = [p for p in re.split(r"(?<=[.!?])\s+", text) if len(p) > 40][5:8]
    assert len(quoted) == 3 and derived_reconstruction(" ".join(own + quoted)) is not None
    assert derived_reconstruction(" ".join(own + ["Я был разочарован столь непримиримым заявлением."])) is None
    assert derived_reconstruction("\n".join(own)) is None
    # one paragraph pasted into a long text of its own makes it a test text too
    long_own = "\n".join(f"Абзац {k}: " + " ".join(f"слово{k}_{j}" for j in range(60)) for k in range(200))
    pasted = tmp_path / "notes_with_a_paragraph.txt"
    pasted.write_text(long_own + "\n" + lines[3] + "\n" + long_own, encoding="utf-8")
    assert prepare_document(pasted, "ru").provenance.kind == "reconstruction"
    # a wrong Cyrillic language code does not hide it
    assert prepare_document(edited, "uk").provenance.kind == "reconstruction"
    assert recognise_reconstruction([long_own], "ru") is None


def test_script_check_thresholds():
    from aligner.document import check_script

    latin = "The ambassador replied that the troops would stay. " * 5
    cyrillic = "Посол ответил, что войска останутся на месте. " * 5
    check_script(cyrillic, "ru", "a.txt")
    check_script(latin, "en", "b.txt")
    with pytest.raises(InputError, match=r"b.txt: declared 'ru', but only 0% of its letters are Cyrillic"):
        check_script(latin, "ru", "b.txt")
    with pytest.raises(InputError, match=r"a.txt: declared 'en', but 100% of its letters are Cyrillic"):
        check_script(cyrillic, "en", "a.txt")
    # Mixed texts pass: an English text quoting Russian, a Russian one quoting English.
    check_script(latin * 3 + cyrillic, "en", "c.txt")
    check_script(latin * 15 + cyrillic, "ru", "d.txt")  # 6 % of its letters Cyrillic
    # Too few letters to judge, other scripts, and Serbian (two scripts) are not checked.
    check_script("OK. Да.", "en", "e.txt")
    check_script(latin, "zh", "f.txt")
    check_script(latin, "sr", "g.txt")
