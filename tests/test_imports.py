"""Alignments made elsewhere, imported for review (issue 14): our own exports come back
exactly (beads, statuses, reviewers, notes), files written by other tools are read as those
tools write them, and bad files are one-line errors."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from aligner.errors import InputError
from aligner.imports import guess_format, read_import, store_import
from aligner.store import review, service
from aligner.store.db import open_store
from api.cli import app as cli
from support.store import populate

FIXED = "He did not answer at first."


@pytest.fixture()
def stored(tmp_path):
    """A stored toy alignment under review: statuses, reviewers, notes, a corrected sentence,
    a split bead, 1-0 and 0-1 beads."""
    _, factory = open_store(tmp_path / "src.db")
    with factory() as s:
        aid = populate(s)["alignment"]
        b = service.list_beads(s, aid, 0, 100)["beads"]
        review.add_note(s, aid, None, b[0]["id"], "date: checked", user="anna")
        review.add_note(s, aid, None, b[2]["id"], "two lines | one sentence", user="bob")
        v = review.confirm(s, aid, 1, b[0]["id"], user="anna").version
        v = review.reject(s, aid, v, b[1]["id"], user="bob").version
        v = review.edit_sentence(s, aid, v, b[1]["tgt"][0]["id"], FIXED, user="bob").version
        review.split_bead(s, aid, v, b[2]["id"], 1, 1, user="anna")
    return factory, aid


def view(factory, aid):
    """What a round trip must keep: per bead its sentences' texts, status, reviewer, notes."""
    with factory() as s:
        src, tgt, al = service.load_bitext(s, aid)
    return [([src.sentences[i].text for i in b.src], [tgt.sentences[j].text for j in b.tgt],
             b.status, b.reviewer, [(n.text, n.user) for n in b.notes]) for b in al.beads]


@pytest.mark.parametrize("fmt, options", [("tmx", {"keep_nulls": True}), ("intertext", {}),
                                          ("tsv", {"notes": True, "hunalign_join": True})])
def test_export_then_import_gives_the_same_alignment(stored, tmp_path, fmt, options):
    factory, aid = stored
    from aligner.store.export import export_bytes

    with factory() as s:
        data = export_bytes(s, aid, fmt, options)
    imported = read_import(fmt, {"alignment": (f"a.{fmt}", data)}, src_lang="ru", tgt_lang="en")
    new = store_import(factory, imported, project="imported", via="cli", user="ivan")
    before, after = view(factory, aid), view(factory, new)
    assert after == before
    assert any(b[2] == "rejected" for b in after) and any(b[4] for b in after)
    assert FIXED in [t for b in after for t in b[1]]
    with factory() as s:
        meta = service.get_alignment(s, new)
    assert (meta["imported"]["format"], meta["imported"]["via"], meta["imported"]["user"]) == (fmt, "cli", "ivan")
    assert len(meta["imported"]["sha256"]) == 64 and meta["state"] == "aligned"


def test_cli_import_alignment_and_export_option(stored, tmp_path):
    factory, aid = stored
    db = tmp_path / "src.db"
    runner = CliRunner()
    out = tmp_path / "a.tmx"
    r = runner.invoke(cli, ["export", "--db", str(db), "--alignment", str(aid), "--format", "tmx",
                            "--option", "keep_nulls=yes", "-o", str(out)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["import-alignment", str(out), "--db", str(db), "--project", "cat"])
    assert r.exit_code == 0, r.output
    assert "as alignment 2: 6 ru / 7 en sentences, 8 beads (4 reviewed, 2 notes)" in r.output
    assert view(factory, 2) == view(factory, aid)
    r = runner.invoke(cli, ["import-alignment", str(out), "--db", str(db), "--format", "docx"])
    assert r.exit_code == 2 and r.output.strip() == (
        "error: unknown import format 'docx'; use one of tmx, intertext, vecalign, tsv")
    r = runner.invoke(cli, ["export", "--db", str(db), "--alignment", "1", "--option", "keep_nulls"])
    assert r.exit_code == 2 and "write NAME=VALUE" in r.output
    bare = tmp_path / "bare.tmx"  # no srclang: the command asks with its own option
    bare.write_bytes(b"<tmx version='1.4'><header/><body><tu><tuv xml:lang='en'><seg>One.</seg></tuv>"
                     b"<tuv xml:lang='ru'><seg>Two.</seg></tuv></tu></body></tmx>")
    r = runner.invoke(cli, ["import-alignment", str(bare), "--db", str(db)])
    assert r.exit_code == 2 and r.output.strip() == (
        "error: the source language is not in the file: give it (e.g. --src-lang ru)")


def test_foreign_tsv_lf_aligner_and_hunalign():
    lf = ("Первая фраза.\tFirst sentence.\tbook.txt\n"
          "Вторая. ~~~ Третья.\tSecond and third.\tbook.txt\n"
          "Пропуск.\t\tbook.txt\n").encode()
    got = read_import(None, {"alignment": ("lf.txt", lf)}, src_lang="ru", tgt_lang="en")
    al = got.alignment
    assert [(b.src, b.tgt, b.score, b.status) for b in al.beads] == [
        ((0,), (0,), 1.0, "unreviewed"), ((1, 2), (1,), 1.0, "unreviewed"), ((3,), (), 1.0, "unreviewed")]
    assert got.src.texts == ["Первая фраза.", "Вторая.", "Третья.", "Пропуск."]
    assert got.provenance["tool"] == "LF Aligner/hunalign" and got.provenance["format"] == "tsv"
    hun = "Один.\tOne.\t1.7\nДва.\tTwo.\t0.25\n".encode()
    scores = [b.score for b in read_import("tsv", {"alignment": ("h.txt", hun)}, src_lang="ru",
                                           tgt_lang="en").alignment.beads]
    assert scores == [1.0, 0.25]  # hunalign's quality clipped to [0, 1]


def test_vecalign_and_bertalign_files():
    src, tgt = "Один.\nДва.\nТри.\n".encode(), "One.\nTwo and three.\n".encode()
    vec = b"[0]:[0]:0.1\n[1, 2]:[1]:0.3\n"
    files = {"alignment": ("a.align", vec), "source": ("ru.txt", src), "target": ("en.txt", tgt)}
    assert guess_format("a.align", vec) == "vecalign"
    got = read_import(None, files, src_lang="ru", tgt_lang="en", cost=True)
    assert [(b.src, b.tgt, b.score) for b in got.alignment.beads] == [((0,), (0,), 0.9), ((1, 2), (1,), 0.7)]
    bert = read_import("vecalign", {**files, "alignment": ("b.align", b"[0]:[0]\n[1,2]:[1]\n")},
                       src_lang="ru", tgt_lang="en")
    assert [b.score for b in bert.alignment.beads] == [1.0, 1.0]
    with pytest.raises(InputError, match=r"^a\.align: the links do not cover the 3 source sentences"):
        read_import("vecalign", {**files, "alignment": ("a.align", b"[0]:[0]\n[1]:[1]\n")},
                    src_lang="ru", tgt_lang="en")
    with pytest.raises(InputError, match=r"source sentence 5 is past the end of ru\.txt \(3 lines"):
        read_import("vecalign", {**files, "alignment": ("a.align", b"[0]:[0]\n[1, 5]:[1]\n")},
                    src_lang="ru", tgt_lang="en")
    with pytest.raises(InputError, match="vecalign import needs the target sentence file too"):
        read_import("vecalign", {k: v for k, v in files.items() if k != "target"}, src_lang="ru", tgt_lang="en")


def test_foreign_intertext_and_cat_tool_tmx():
    cs = b"<doc lang='cs'><p id='1'><s id='s1.1'>Jedna.</s><s id='s1.2'>Dva.</s></p><p><s id='s2.1'>Tri.</s></p></doc>"
    en = b"<text><s id='1:1'>One.</s><s id='1:2'>Two. Three.</s></text>"
    grp = (b"<linkGrp toDoc='t.en.xml' fromDoc='t.cs.xml'>"
           b"<link type='1-1' xtargets='1:1;1:1' status='man'/>"
           b"<link type='1-2' xtargets='1:2;1:2 2:1' status='auto' mark='1'/></linkGrp>")
    got = read_import("intertext", {"alignment": ("t.cs.en.xml", grp), "source": ("t.cs.xml", cs),
                                    "target": ("t.en.xml", en)})
    assert (got.src.lang, got.tgt.lang) == ("cs", "en")  # root attribute, then the file name
    assert [(b.src, b.tgt, b.status, b.flags) for b in got.alignment.beads] == [
        ((0,), (0,), "confirmed", []), ((1, 2), (1,), "unreviewed", ["marked"])]
    assert [s.paragraph for s in got.src.sentences] == [0, 0, 1]
    bad = grp.replace(b"1:2;1:2 2:1", b"1:2;1:2 2:9")
    with pytest.raises(InputError, match=r"link 2 names '2:9', which is in neither"):
        read_import("intertext", {"alignment": ("t.xml", bad), "source": ("t.cs.xml", cs),
                                  "target": ("t.en.xml", en)})
    with pytest.raises(InputError, match="give the two documents too"):
        read_import("intertext", {"alignment": ("t.xml", grp)})
    from translate.storage import tmx

    memory = tmx.tmxfile(sourcelanguage="en-US", targetlanguage="ru-RU")
    for a, b in (("One.", "Один."), ("Two.", "Два.")):
        memory.addtranslation(a, "en-US", b, "ru-RU")
    got = read_import(None, {"alignment": ("cat.tmx", bytes(memory))})
    assert (got.src.lang, got.tgt.lang, got.src.texts, got.tgt.texts) == ("en", "ru", ["One.", "Two."], ["Один.", "Два."])
    assert [(b.score, b.status) for b in got.alignment.beads] == [(1.0, "unreviewed")] * 2


BOM = "\ufeff".encode()
PAGE = b"<!DOCTYPE html>\n<html>\n\t<p>a</p>\t<p>b</p>\n</html>\n"
XML = b"<?xml version='1.0'?>\n<doc>\n\t<p>a\tb</p>\n</doc>\n"


@pytest.mark.parametrize("fmt, files, message", [
    ("tmx", {"alignment": ("x.tmx", b"<html/>")}, r"^x\.tmx: not a TMX file \(no <tmx><body>\)$"),
    ("tmx", {"alignment": ("x.tmx", b"<tmx><body")}, r"^x\.tmx: not well-formed XML"),
    ("tsv", {"alignment": ("x.tsv", b"a\tb\n")}, r"^the source language is not in the file: give it \(e\.g\. ru\)$"),
    ("tsv", {"alignment": ("x.tsv", b"   \n")}, r"^x\.tsv: file is empty$"),
    ("intertext", {"alignment": ("x.zip", b"PK\x03\x04broken")}, r"^x\.zip: not a zip file$"),
    ("tmx", {"alignment": ("x.tmx", b"<tmx/>"), "source": ("s", b"x")}, r"^tmx import takes no source file$"),
    # guessed: what only fell through to TSV is named for what it is
    (None, {"alignment": ("x.bin", b"\x00\x01\x02binary")}, r"^x\.bin: a binary file, not an alignment"),
    (None, {"alignment": ("x.xml", b"<?xml version='1.0'?><html/>")}, r"^x\.xml: XML that is neither TMX"),
    (None, {"alignment": ("p.html", b"<!DOCTYPE html><html><p>x</p></html>")}, r"^p\.html: an HTML page, not an alignment"),
    # binary is binary whatever the name or the format given says
    (None, {"alignment": ("x.tmx", b"\x89PNG\r\n\x1a\n\x00\x00")}, r"^x\.tmx: a binary file, not an alignment"),
    ("tmx", {"alignment": ("x.bin", b"\x00\x01\x02binary")}, r"^x\.bin: a binary file, not an alignment"),
    # a linkGrp file that is not one is said so, not "fromDoc None"
    ("intertext", {"alignment": ("x.xml", b"<html><p>x</p></html>")}, r"^x\.xml: not an InterText alignment \(no <linkGrp>\)$"),
    # a byte-order mark is no content: still HTML / XML, not TSV (tabs and all)
    (None, {"alignment": ("bom.html", BOM + PAGE)}, r"^bom\.html: an HTML page, not an alignment"),
    (None, {"alignment": ("bom.xml", BOM + XML)}, r"^bom\.xml: XML that is neither TMX"),
    # a page or XML document is not TSV, whatever the format given
    ("tsv", {"alignment": ("page.html", PAGE)}, r"^page\.html: an HTML page, not TSV \(source<TAB>target lines\)$"),
    ("tsv", {"alignment": ("bom.tsv", BOM + PAGE)}, r"^bom\.tsv: an HTML page, not TSV"),
    ("tsv", {"alignment": ("x.tsv", XML)}, r"^x\.tsv: an XML document \(<doc>\), not TSV"),
])
def test_bad_files_are_one_line_errors(fmt, files, message):
    with pytest.raises(InputError, match=message) as exc:
        read_import(fmt, files)
    assert "\n" not in str(exc.value)


def test_swapped_languages_are_refused_as_for_a_file_read():
    ru = " ".join(["Советское правительство заявило протест японскому послу."] * 4)
    en = " ".join(["The Soviet government protested to the Japanese ambassador."] * 4)
    tsv = f"{en}\t{ru}\n".encode()
    with pytest.raises(InputError, match=r"declared 'ru', but only 0% of its letters are Cyrillic"):
        read_import("tsv", {"alignment": ("x.tsv", tsv)}, src_lang="ru", tgt_lang="en")
    got = read_import("tsv", {"alignment": ("x.tsv", tsv)}, src_lang="en", tgt_lang="ru")
    assert (got.src.lang, got.tgt.lang) == ("en", "ru")


def test_size_limit_is_stated_exactly():
    with pytest.raises(InputError) as exc:
        read_import("tsv", {"alignment": ("big.tsv", b"x" * 2_000_001)}, max_bytes=2_000_000)
    assert str(exc.value) == "big.tsv: file is too large (2,000,001 bytes > limit 2,000,000 bytes = 1.90735 MiB)"


def test_the_default_file_limit_refuses_at_once_with_the_limit_stated(tmp_path):
    from aligner.read import DEFAULT_MAX_BYTES, read_text

    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (DEFAULT_MAX_BYTES + 1))
    with pytest.raises(InputError) as exc:
        read_text(big)
    assert str(exc.value).startswith(
        f"big.txt: file is too large ({DEFAULT_MAX_BYTES + 1:,} bytes > limit {DEFAULT_MAX_BYTES:,} bytes = "
        f"{DEFAULT_MAX_BYTES / 1024 / 1024:g} MiB; ALIGNER_MAX_FILE_BYTES sets another")


def test_a_byte_order_mark_is_passed_over_when_guessing():
    from translate.storage import tmx

    memory = tmx.tmxfile(sourcelanguage="en", targetlanguage="ru")
    memory.addtranslation("One.", "en", "Один.", "ru")
    assert guess_format("bom.xml", BOM + bytes(memory)) == "tmx"
    got = read_import(None, {"alignment": ("bom.xml", BOM + bytes(memory))})
    assert (got.src.texts, got.tgt.texts) == (["One."], ["Один."])
    utf16 = bytes(memory).decode("utf-8").replace("UTF-8", "UTF-16").encode("utf-16")
    assert guess_format("memory.xml", utf16) == "tmx"
    assert guess_format("a.xml", BOM + b"<?xml version='1.0'?>\n<linkGrp toDoc='a' fromDoc='b'/>") == "intertext"


@pytest.mark.parametrize("name", ["lacuna.tsv", "lacuna.txt", "lacuna"])
def test_a_first_cell_in_brackets_is_tsv_unless_the_line_is_a_vecalign_bead(name):
    row = "[…] несколько часов тому назад.\tago.\nЯ сказал.\tI said.\n".encode()
    assert guess_format(name, row) == "tsv"
    got = read_import(None, {"alignment": (name, row)}, src_lang="ru", tgt_lang="en")
    assert got.src.texts == ["[…] несколько часов тому назад.", "Я сказал."]
    bead = b"[0]:[0]:0.5\n[1, 2]:[1]:0.25\n"
    assert guess_format(name, bead) == ("tsv" if name.endswith(".tsv") else "vecalign")
    assert guess_format(name, b"[0]:[0]\n") == ("tsv" if name.endswith(".tsv") else "vecalign")


def test_cli_import_of_a_page_or_an_alignment_is_one_line(stored, tmp_path):
    """`aligner import` stores a document: an HTML page is refused (as `aligner align`
    refuses it), an alignment is sent to `aligner import-alignment`; nothing is stored."""
    factory, aid = stored
    from aligner.store.export import export_bytes

    page = tmp_path / "page.html"
    page.write_bytes(b"<!DOCTYPE html><html><head><title>T</title></head><body><p>He left.</p></body></html>")
    files = {"page.html": page}
    with factory() as s:
        for fmt, name in (("tmx", "litv.tmx"), ("intertext", "litv.zip")):
            (tmp_path / name).write_bytes(export_bytes(s, aid, fmt, {}))
            files[name] = tmp_path / name
    runner = CliRunner()
    db = tmp_path / "new.db"
    expected = {
        "page.html": "error: page.html: an HTML page, not a text: save it as plain text (.txt) first",
        "litv.tmx": f"error: litv.tmx: a TMX alignment, not a document: use `aligner import-alignment {files['litv.tmx']}`",
        "litv.zip": f"error: litv.zip: an InterText alignment, not a document: use `aligner import-alignment {files['litv.zip']}`",
    }
    for name, path in files.items():
        for markup in ("--strip-markup", "--keep-markup"):
            r = runner.invoke(cli, ["import", str(path), "--lang", "en", "--db", str(db), markup])
            assert (r.exit_code, r.output.strip()) == (2, expected[name])
    assert not db.exists()
