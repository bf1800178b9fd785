"""aligner.read: encodings, TEI XML, and every kind of bad input (also through the CLI)."""

from __future__ import annotations

import hashlib
import os

import pytest
from typer.testing import CliRunner

from api.cli import app
from aligner.errors import InputError
from aligner.read import raw_text_from_bytes, read_tei_documents, read_text

# KOI8-R has no « » — … : those are replaced before encoding the reconstruction in it.
_KOI8_SAFE = str.maketrans({"«": '"', "»": '"', "—": "-", "…": "..."})


@pytest.fixture(scope="module")
def ru_text(ru_path) -> str:
    return ru_path.read_text(encoding="utf-8")


@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig", "utf-16", "cp1251", "koi8-r"])
def test_encodings_round_trip_on_russian_text(tmp_path, ru_text, codec):
    text = ru_text.translate(_KOI8_SAFE) if codec == "koi8-r" else ru_text
    data = text.encode(codec)
    path = tmp_path / f"ru.{codec}.txt"
    path.write_bytes(data)
    raw = read_text(path)
    assert raw.text == text
    assert raw.sha256 == hashlib.sha256(data).hexdigest()
    assert not raw.is_tei


@pytest.mark.parametrize("codec", ["cp1251", "koi8-r"])
def test_every_line_of_the_reconstruction_is_told_apart(ru_text, codec):
    # short inputs (a heading, "7 августа 1938 г.") are where detectors go wrong
    for line in ru_text.splitlines():
        text = line.translate(_KOI8_SAFE)
        raw = raw_text_from_bytes(text.encode(codec), "line.txt")
        assert (raw.text, raw.encoding) == (text, codec), line[:40]


def test_explicit_encoding_override(tmp_path, ru_text):
    path = tmp_path / "ru.txt"
    path.write_bytes(ru_text.translate(_KOI8_SAFE).encode("koi8-r"))
    assert read_text(path, encoding="koi8-r").encoding == "koi8-r"
    # the wrong single-byte codec decodes, but into different text
    assert read_text(path, encoding="cp1251").text != ru_text.translate(_KOI8_SAFE)
    with pytest.raises(InputError, match="ru.txt: unknown encoding 'nope'"):
        read_text(path, encoding="nope")
    with pytest.raises(InputError, match="ru.txt: cannot be decoded as utf-8"):
        read_text(path, encoding="utf-8")


def test_crlf_is_kept_in_raw_text(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"One.\r\nTwo.\r\n")
    assert read_text(path).text == "One.\r\nTwo.\r\n"


def test_seed_file_checksum_matches_readme(en_ocr_path):
    raw = read_text(en_ocr_path)
    assert raw.sha256 == "19b7d4983218505c69c83d5b45a6f4bc9f38f8b752d2b85ae30926d9ad83e24c"
    assert raw.encoding == "utf-8"
    assert raw.text.startswith("28\n\nDef. Doc. #1504")


def test_tei_documents(tei_path):
    docs = read_tei_documents(tei_path)
    assert [d.id for d in docs] == [
        "d464", "d465", "d466", "d468", "d469", "d470",
        "d471", "d472", "d474", "d475", "d476", "d478",
    ]  # fmt: skip
    d464 = docs[0]
    assert d464.title == "The Chargé in the Soviet Union (Kirk) to the Secretary of State"
    lines = d464.text.split("\n")
    assert lines[0] == d464.title
    # <pb/> inside a paragraph does not break it; the source <note> is left out
    assert lines[1].startswith("228. Reference my telegram 223, August 3, midnight.")
    assert "called on Litvinov this afternoon" in lines[1]
    assert "761.93 Manchuria" not in d464.text
    assert "Grodekovo" in docs[6].text  # d471, TASS communiqué of 8 August


def test_tei_read_text_joins_documents_with_blank_lines(tei_path):
    raw = read_text(tei_path)
    assert raw.is_tei
    docs = read_tei_documents(tei_path)
    assert raw.text.split("\n\n") == [d.text for d in docs]


def test_tei_detected_by_content(tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text(
        '<?xml version="1.0"?><TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body>'
        "<head>Title</head><p>First   para.</p><p>Second <note>fn</note>para.</p>"
        "</body></text></TEI>",
        encoding="utf-8",
    )
    raw = read_text(path)
    assert raw.is_tei
    assert raw.text == "Title\nFirst para.\nSecond para."


BAD_INPUTS = {
    "empty.txt": (b"", "file is empty"),
    "blank.txt": (b"  \n\t\n  \r\n", "only white space"),
    "image.txt": (b"\x89PNG\r\n\x1a\n" + os.urandom(512), "binary file"),
    "nul.txt": (b"some text\x00\x01\x02 more" * 20, "binary file"),
    "broken.xml": (b"<TEI><text><p>unclosed</text></TEI>", "malformed XML"),
    # not a text: a page (--strip-markup drops inline tags, not a page's head and scripts),
    # an alignment file (a TMX, an InterText linkGrp)
    "page.txt": (b"<!DOCTYPE html>\n<html><head><script>var x;</script></head><p>Text.</p></html>",
                 "an HTML page, not a text: save it as plain text (.txt) first"),
    "bom.html": ("\ufeff<html lang='en'><body><p>Text.</p></body></html>".encode(), "an HTML page"),
    "memory.tmx": (b"<?xml version='1.0'?>\n<tmx version='1.4'><header/><body/></tmx>",
                   "a TMX alignment, not a text"),
    "links.xml": (b"<linkGrp toDoc='a.en.xml' fromDoc='a.ru.xml'><link xtargets='1;1'/></linkGrp>",
                  "an InterText alignment, not a text"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_inputs_raise_input_error_naming_the_file(tmp_path, name):
    data, reason = BAD_INPUTS[name]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as err:
        read_text(path)
    msg = str(err.value)
    assert msg.startswith(f"{name}: ") and reason in msg and "\n" not in msg


def test_missing_file_directory_and_oversize(tmp_path):
    with pytest.raises(InputError, match=r"^missing\.txt: no such file"):
        read_text(tmp_path / "missing.txt")
    (tmp_path / "folder").mkdir()
    with pytest.raises(InputError, match=r"^folder: is a directory"):
        read_text(tmp_path / "folder")
    big = tmp_path / "big.txt"
    big.write_text("word " * 100, encoding="utf-8")
    with pytest.raises(InputError, match=r"^big\.txt: file is too large \(500 bytes > limit 100 bytes; "):
        read_text(big, max_bytes=100)
    assert read_text(big, max_bytes=500).text == "word " * 100


def test_bytes_entry_point_checks_the_same(tmp_path):
    with pytest.raises(InputError, match="upload.txt: file is empty"):
        raw_text_from_bytes(b"", "upload.txt")
    raw = raw_text_from_bytes("Привет, мир.".encode("cp1251"), "upload.txt")
    assert raw.text == "Привет, мир."


def _bad_paths(tmp_path):
    paths = []
    for name, (data, _) in BAD_INPUTS.items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    (tmp_path / "dir").mkdir()
    return [*paths, tmp_path / "dir", tmp_path / "missing.txt"]


def test_cli_segment_bad_inputs_exit_nonzero_with_one_line(tmp_path):
    runner = CliRunner()
    for path in _bad_paths(tmp_path):
        result = runner.invoke(app, ["segment", str(path), "--lang", "en"])
        assert result.exit_code == 2, path
        err = result.stderr if hasattr(result, "stderr") else result.output
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith(f"error: {path.name}: "), err
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_utf8_cut_inside_its_last_character_is_still_read(tmp_path):
    """`head -c 3000` can split the last Cyrillic letter: the file is UTF-8 all the same."""
    from aligner.read import read_text

    data = "Сигемицу сказал, что он удивлён.".encode("utf-8")
    cut = tmp_path / "cut.txt"
    cut.write_bytes(data[:-2])  # the final "." and half of "н"
    raw = read_text(cut)
    assert raw.encoding == "utf-8" and raw.text == "Сигемицу сказал, что он удивлё"
    broken = tmp_path / "broken.txt"
    broken.write_bytes(data[:5] + b"\xff\xfe\xfd" + data[5:])  # damage inside: not this case
    with pytest.raises(InputError, match="undecodable"):
        read_text(broken)
