"""Exports from the store: TEI stand-off (statuses per link), the file formats of
aligner.export via rows → types, and the `aligner export` command."""

from __future__ import annotations

import json

import pytest
from lxml import etree
from typer.testing import CliRunner

from api.cli import app
from aligner.store import review, service
from aligner.store.db import make_engine, make_session_factory, upgrade_database
from aligner.errors import AlignerError
from aligner.store.errors import NotFoundError
from aligner.store.export import export_bytes
from support.store import EN, RU, populate
from aligner.types import Crossing

NS = {"tei": "http://www.tei-c.org/ns/1.0"}
XML = "http://www.w3.org/XML/1998/namespace"
XML_ID = f"{{{XML}}}id"


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "exp.db"
    upgrade_database(path)
    engine = make_engine(path)
    session = make_session_factory(engine)()
    aid = populate(session, crossings=[Crossing(src=(4,), tgt=(6,), score=0.7)])["alignment"]
    beads = service.list_beads(session, aid)["beads"]
    v = review.confirm(session, aid, 1, beads[0]["id"], user="anna").version
    v = review.reject(session, aid, v, beads[1]["id"], user="anna").version
    v = review.split_bead(session, aid, v, beads[2]["id"], 1, 1, user="anna").version
    review.link_crossing(session, aid, v, service.list_crossings(session, aid)[0]["id"], user="anna")
    yield path, session, aid
    session.close()
    engine.dispose()


def test_tei_standoff_links_with_status(db):
    _, session, aid = db
    root = etree.fromstring(export_bytes(session, aid, "tei"))
    src_s = root.findall(".//tei:text[@xml:lang='ru']//tei:s", NS | {"xml": XML})
    assert [s.text for s in src_s] == RU
    assert [s.get(XML_ID) for s in src_s][:2] == ["src.s1", "src.s2"]
    tgt_s = root.findall(".//tei:text[@xml:lang='en']//tei:s", NS | {"xml": XML})
    assert [s.text for s in tgt_s] == EN
    grp = root.find(".//tei:standOff/tei:linkGrp[@type='alignment']", NS)
    items = [(e.tag.split("}")[1], e.get("type"), e.get("subtype"), e.get("target")) for e in grp]
    assert items[:5] == [
        ("link", "1-1", "confirmed", "#src.s1 #tgt.s1"),
        ("link", "1-1", "rejected", "#src.s2 #tgt.s2"),
        ("link", "1-1", "confirmed", "#src.s3 #tgt.s3"),
        ("ptr", "0-1", "confirmed", "#tgt.s4"),
        ("link", "1-1", "unreviewed", "#src.s4 #tgt.s5"),
    ]
    assert items[5] == ("ptr", "1-0", "unreviewed", "#src.s5")
    # @resp: the reviewer who decided the bead (its <respStmt> names her); none if nobody did
    assert grp[2].get("resp") == grp[0].get("resp") == "#reviewer.1" and grp[4].get("resp") is None
    assert root.find(".//tei:respStmt[@xml:id='reviewer.1']/tei:name", NS | {"xml": XML}).text == "anna"
    assert float(grp[4].get("cert")) == pytest.approx(0.9)
    cross = root.find(".//tei:standOff/tei:linkGrp[@type='crossing']", NS)
    assert [l.get("target") for l in cross] == ["#src.s5 #tgt.s7"]
    notes = [n.text for n in root.iterfind(".//tei:sourceDesc//tei:note", NS)]
    assert "TEST RECONSTRUCTION — not the archival text" in notes[0]
    # every pointer resolves to a sentence
    ids = {e.get(XML_ID) for e in root.iter() if e.get(XML_ID)}
    for e in grp:
        assert all(t[1:] in ids for t in e.get("target").split())


def test_unknown_format_and_alignment(db):
    _, session, aid = db
    with pytest.raises(AlignerError, match="unknown export format 'docx'"):
        export_bytes(session, aid, "docx")
    with pytest.raises(NotFoundError, match="alignment 42"):
        export_bytes(session, 42, "tei")


def test_file_formats_from_store_carry_review_status(db):
    pytest.importorskip("aligner.export", reason="aligner/export.py (file exports) not present yet")
    _, session, aid = db
    data = json.loads(export_bytes(session, aid, "json"))
    assert [b["source_text"] for b in data["beads"][:2]] == RU[:2]
    assert data["source"]["label"] == "TEST RECONSTRUCTION — not the archival text"
    tsv = export_bytes(session, aid, "tsv").decode()
    assert "confirmed" in tsv and "rejected" in tsv and RU[0] in tsv
    tmx = etree.fromstring(export_bytes(session, aid, "tmx", {"keep_nulls": True}))
    statuses = [p.text for p in tmx.iter("prop") if p.get("type") == "x-status"]
    assert statuses[:4] == ["confirmed", "rejected", "confirmed", "confirmed"]
    tmx = etree.fromstring(export_bytes(session, aid, "tmx"))  # 1-0 / 0-1 left out by default
    assert len(tmx.findall(".//tu")) == 5
    vec = export_bytes(session, aid, "vecalign").decode().splitlines()
    assert vec[:4] == ["[0]:[0]:0.9000", "[1]:[1]:0.9000", "[2]:[2]:0.3000", "[]:[3]:0.3000"]
    assert len(vec) == 8


def test_cli_export_vecalign_writes_provenance_sidecar(db, tmp_path):
    pytest.importorskip("aligner.export", reason="aligner/export.py (file exports) not present yet")
    path, _, aid = db
    out = tmp_path / "a.vec"
    r = CliRunner().invoke(app, ["export", "--db", str(path), "--alignment", str(aid),
                                 "--format", "vecalign", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_text().splitlines()[0] == "[0]:[0]:0.9000"
    side = json.loads((tmp_path / "a.vec.provenance.json").read_text())
    assert side["source"]["kind"] == "reconstruction"


def test_cli_export_tei_to_file_and_stdout(db, tmp_path):
    path, _, aid = db
    out = tmp_path / "a.tei.xml"
    r = CliRunner().invoke(app, ["export", "--db", str(path), "--alignment", str(aid),
                                 "--format", "tei", "-o", str(out)])
    assert r.exit_code == 0, r.output
    root = etree.parse(str(out)).getroot()
    assert len(root.find(".//tei:linkGrp", NS)) == 8
    r = CliRunner().invoke(app, ["export", "--db", str(path), "--alignment", str(aid),
                                 "--format", "tei"])
    assert r.exit_code == 0 and "<linkGrp" in r.stdout


def test_cli_export_errors_are_one_line(db, tmp_path):
    path, _, aid = db
    runner = CliRunner()
    r = runner.invoke(app, ["export", "--db", str(path), "--alignment", "99", "--format", "tei"])
    assert r.exit_code == 2 and "error: alignment 99 not found" in r.output
    r = runner.invoke(app, ["export", "--db", str(tmp_path / "none.db"), "--alignment", "1"])
    assert r.exit_code == 2 and "does not exist" in r.output
    assert not (tmp_path / "none.db").exists()
    r = runner.invoke(app, ["export", "--db", str(path), "--alignment", str(aid), "--format", "pdf"])
    assert r.exit_code == 2 and "unknown export format" in r.output
