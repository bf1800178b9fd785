"""Every export carries the review (issue 14): statuses, reviewers, notes and corrected texts,
each format re-read by its own library — translate-toolkit for TMX and XLIFF 1.2 / 2.0, lxml
for TEI and InterText, json and csv for JSON and TSV."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from lxml import etree

from aligner.export import FORMATS, export_options, render_export
from aligner.errors import AlignerError
from aligner.store import review, service
from aligner.store.db import open_store
from support.store import EN, RU, populate

NOTE = "date <checked> in the archive"
FIXED = "He did not answer at first."
TEI = {"tei": "http://www.tei-c.org/ns/1.0", "xml": "http://www.w3.org/XML/1998/namespace"}
XML_ID = f"{{{TEI['xml']}}}id"


@pytest.fixture(scope="module")
def bitext():
    """The toy bitext with: bead 0 confirmed by anna with a note, bead 1 rejected by bob
    with a corrected target sentence and two notes, the rest unreviewed (a 1-0 and a 0-1)."""
    engine, factory = open_store("sqlite://")
    with factory() as s:
        aid = populate(s)["alignment"]
        b = service.list_beads(s, aid, 0, 100)["beads"]
        review.add_note(s, aid, None, b[0]["id"], NOTE, user="anna")
        review.add_note(s, aid, None, b[1]["id"], "first", user="bob")
        review.add_note(s, aid, None, b[1]["id"], "second", user="anna")
        v = review.confirm(s, aid, 1, b[0]["id"], user="anna").version
        v = review.edit_sentence(s, aid, v, b[1]["tgt"][0]["id"], FIXED, user="bob").version
        review.reject(s, aid, v, b[1]["id"], user="bob")
        yield service.load_bitext(s, aid)
    engine.dispose()


def test_the_loaded_alignment_has_the_review(bitext):
    src, tgt, al = bitext
    assert [(b.status, b.reviewer) for b in al.beads[:3]] == [
        ("confirmed", "anna"), ("rejected", "bob"), ("unreviewed", "")]
    assert [(n.user, n.text) for n in al.beads[1].notes] == [("bob", "first"), ("anna", "second")]
    assert tgt.sentences[1].text == FIXED and tgt.sentences[1].original == EN[1]
    assert [b.type for b in al.beads][-3:] == ["1-0", "1-1", "0-1"]


def test_tmx_reread_by_translate_toolkit(bitext):
    from translate.storage import tmx

    src, tgt, al = bitext
    units = tmx.tmxfile.parsestring(render_export("tmx", src, tgt, al)).units
    assert len(units) == 5  # 1-0 and 0-1 left out by default
    assert units[0].getnotes() == NOTE and units[1].getnotes() == "first\nsecond"
    assert units[1].target == FIXED
    props = [{p.get("type"): p.text or "" for p in u.xmlelement.iter("prop")} for u in units]
    assert [(p["x-status"], p["x-reviewer"]) for p in props[:2]] == [("confirmed", "anna"), ("rejected", "bob")]
    assert props[1]["x-note-users"] == "bob,anna"
    kept = tmx.tmxfile.parsestring(render_export("tmx", src, tgt, al, {"keep_nulls": True})).units
    assert len(kept) == 7 and kept[4].target == "" and kept[6].source == ""


@pytest.mark.parametrize("fmt", ["xliff", "xliff2"])
def test_xliff_reread_by_translate_toolkit(bitext, fmt):
    from translate.storage import xliff, xliff2

    src, tgt, al = bitext
    data = render_export(fmt, src, tgt, al)
    store = (xliff.xlifffile if fmt == "xliff" else xliff2.Xliff2File).parsestring(data)
    assert [u.source for u in store.units] == [RU[0], RU[1], RU[2], RU[3], RU[5]]
    assert store.units[1].target == FIXED and store.units[0].target == EN[0]
    root = etree.fromstring(data)
    if fmt == "xliff":
        assert root.get("version") == "1.2"
        assert store.units[0].isapproved() and not store.units[1].isapproved()
        assert store.units[0].getnotes() == NOTE
        assert [t.get("state") for t in root.iter("{*}target")][:3] == [
            "signed-off", "needs-translation", "needs-review-translation"]
        assert [n.get("from") for n in store.units[1].xmlelement.iter("{*}note")] == ["bob", "anna"]
    else:
        assert root.get("version") == "2.0" and root.get("trgLang") == "en"
        assert [s.get("state") for s in root.iter("{*}segment")][:3] == ["final", "initial", "translated"]
        unit = store.units[1].getunitelement()  # notes belong to the unit (XLIFF 2.0 §4.2.2.2)
        assert [(n.get("{urn:x-aligner:review}by"), n.text) for n in unit.iter("{*}note")] == [
            ("bob", "first"), ("anna", "second")]
    assert store.units[1].xmlelement.getparent() is not None
    statuses = [u.get("{urn:x-aligner:review}status") for u in root.iter("{*}trans-unit", "{*}unit")]
    assert statuses[:3] == ["confirmed", "rejected", "unreviewed"]
    kept = (xliff.xlifffile if fmt == "xliff" else xliff2.Xliff2File).parsestring(
        render_export(fmt, src, tgt, al, {"keep_nulls": "yes"}))
    assert len(kept.units) == 7


def test_tei_reread_by_lxml(bitext):
    src, tgt, al = bitext
    root = etree.fromstring(render_export("tei", src, tgt, al))
    corrected = root.findall(".//tei:s[@type='corrected']", TEI)
    assert len(corrected) == 1 and corrected[0].get(XML_ID) == "tgt.s2"
    assert corrected[0].findtext("tei:choice/tei:sic", namespaces=TEI) == EN[1]
    assert corrected[0].findtext("tei:choice/tei:corr", namespaces=TEI) == FIXED
    names = {rs.get(XML_ID): rs.findtext("tei:name", namespaces=TEI)
             for rs in root.iterfind(".//tei:titleStmt/tei:respStmt", TEI)}
    links = root.findall(".//tei:linkGrp[@type='alignment']/*", TEI)
    assert [(l.get("subtype"), names.get((l.get("resp") or "#")[1:])) for l in links[:3]] == [
        ("confirmed", "anna"), ("rejected", "bob"), ("unreviewed", None)]
    notes = root.findall(".//tei:standOff/tei:noteGrp[@type='review']/tei:note", TEI)
    ids = [f"#{l.get(XML_ID)}" for l in links]
    assert [(n.get("target"), names[n.get("resp")[1:]], n.text) for n in notes] == [
        (ids[0], "anna", NOTE), (ids[1], "bob", "first"), (ids[1], "anna", "second")]
    assert all(n.get("when") for n in notes)


def test_json_and_tsv_reread(bitext):
    src, tgt, al = bitext
    data = json.loads(render_export("json", src, tgt, al))
    assert data["corrections"] == [{"side": "target", "sentence": 1, "original": EN[1], "text": FIXED}]
    assert [(b["status"], b["reviewer"]) for b in data["beads"][:2]] == [("confirmed", "anna"), ("rejected", "bob")]
    assert [(n["user"], n["text"]) for n in data["beads"][1]["notes"]] == [("bob", "first"), ("anna", "second")]
    plain = render_export("tsv", src, tgt, al).decode()
    rows = list(csv.DictReader(io.StringIO("".join(l + "\n" for l in plain.splitlines() if not l.startswith("#"))),
                               delimiter="\t"))
    assert "notes" not in rows[0] and (rows[1]["status"], rows[1]["reviewer"], rows[1]["target"]) == (
        "rejected", "bob", FIXED)
    noted = render_export("tsv", src, tgt, al, {"notes": True}).decode()
    rows = list(csv.DictReader(io.StringIO("".join(l + "\n" for l in noted.splitlines() if not l.startswith("#"))),
                               delimiter="\t"))
    assert rows[0]["notes"] == f"anna: {NOTE}" and rows[1]["notes"] == "bob: first | anna: second"


def test_intertext_zip_reread_by_lxml(bitext):
    src, tgt, al = bitext
    with zipfile.ZipFile(io.BytesIO(render_export("intertext", src, tgt, al))) as z:
        files = {n: etree.fromstring(z.read(n)) for n in z.namelist()}
    grp = next(x for x in files.values() if x.tag == "linkGrp")
    to_doc = files[grp.get("toDoc")]
    assert [s.text for s in to_doc.iter("s")][1] == FIXED
    links = grp.findall("link")
    # InterText: xtargets = "toDoc ids;fromDoc ids", type counts toDoc first
    assert [(l.get("type"), l.get("xtargets"), l.get("status")) for l in links[:3]] == [
        ("1-1", "1:1;1:1", "man"), ("1-1", "1:2;1:2", "auto"), ("2-1", "2:1 2:2;2:1", "auto")]
    assert links[1].get("mark") == "1"
    ns = "{urn:x-aligner:review}"
    assert [(n.get("by"), n.text) for n in links[1].iter(f"{ns}note")] == [("bob", "first"), ("anna", "second")]


def test_options_are_checked_against_the_registry():
    assert export_options("tmx", None) == {"keep_nulls": False}
    assert export_options("tsv", {"notes": "yes"}) == {"notes": True, "hunalign_join": False}
    with pytest.raises(AlignerError, match="tei export has no option 'keep_nulls'; it has no options"):
        export_options("tei", {"keep_nulls": "1"})
    with pytest.raises(AlignerError, match="option keep_nulls: 'sometimes' is not yes or no"):
        export_options("xliff", {"keep_nulls": "sometimes"})
    assert all(o.name.isidentifier() for f in FORMATS.values() for o in f.options)


def test_vecalign_sidecar_carries_the_review(bitext, tmp_path):
    from aligner.export import write_export

    src, tgt, al = bitext
    write_export(tmp_path / "a.txt", "vecalign", src, tgt, al)
    side = json.loads((tmp_path / "a.txt.provenance.json").read_text(encoding="utf-8"))
    assert [(r["status"], r["reviewer"]) for r in side["review"][:2]] == [("confirmed", "anna"), ("rejected", "bob")]
    assert side["review"][0]["notes"][0]["text"] == NOTE
    assert side["corrections"][0]["text"] == FIXED
