"""aligner.batch: finding pairs, manifests, resumable batch runs (through the engine the
CLI uses), import of unpaired documents, and alignment of two English renderings of one text."""

from __future__ import annotations

import textwrap

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from aligner.batch import (
    ManifestError, PairSpec, discover_pairs, find_pairs, format_summary, read_manifest,
)
from aligner.pipeline import ReadOptions, read_document, read_documents, store_documents
from api.cli import app
from aligner.store.concordance import search
from aligner.errors import InputError
from aligner.store.db import open_store
from aligner.store.models import DocumentRow
from aligner.store.service import get_or_create_project, import_document
from support.batch import counts, run_batch, write_pairs


# --- finding pairs ------------------------------------------------------------------------

def test_discover_pairs_recursively(tmp_path):
    names = write_pairs(tmp_path, 3, nested=True)
    (tmp_path / "work00" / "work00_uk.txt").write_text("Речення.", encoding="utf-8")
    (tmp_path / "lonely_ru.txt").write_text("Одно.", encoding="utf-8")
    pairs = discover_pairs(tmp_path)
    assert [p.name for p in pairs] == names
    assert all(p.source.name.endswith("_ru.txt") and p.translation.name.endswith("_en.txt")
               for p in pairs)
    reverse = discover_pairs(tmp_path, "en", "uk")
    assert [p.name for p in reverse] == ["work00"]
    with pytest.raises(InputError, match="no NAME_de.txt"):
        discover_pairs(tmp_path, "de", "en")
    # The files left out are reported, not dropped silently.
    from aligner.batch import unpaired_files

    assert unpaired_files(tmp_path) == [tmp_path / "lonely_ru.txt"]
    assert unpaired_files(tmp_path, "en", "uk") == sorted(
        tmp_path / n / f"{n}_en.txt" for n in names if n != "work00")


def test_csv_and_toml_manifests(tmp_path):
    write_pairs(tmp_path, 2)
    (tmp_path / "m.csv").write_text(
        "source,translation,src_lang,tgt_lang,kind,title\n"
        "work00_ru.txt,work00_en.txt,ru,en,reconstruction,Zero\n"
        "work01_en.txt,work01_ru.txt,en,ru,,\n", encoding="utf-8")
    specs = read_manifest(tmp_path / "m.csv")
    assert specs[0] == PairSpec("work00_ru", tmp_path / "work00_ru.txt", tmp_path / "work00_en.txt",
                                "ru", "en", "reconstruction", None, "Zero")
    assert (specs[1].src_lang, specs[1].tgt_lang, specs[1].kind) == ("en", "ru", None)
    (tmp_path / "m.toml").write_text(textwrap.dedent("""
        src_lang = "ru"
        [[pair]]
        source = "work00_ru.txt"
        translation = "work00_en.txt"
        tgt_lang = "en"
        kind = "archival"
        name = "zero"
    """), encoding="utf-8")
    (spec,) = find_pairs(tmp_path / "m.toml")
    assert (spec.name, spec.src_lang, spec.tgt_lang, spec.kind) == ("zero", "ru", "en", "archival")
    (tmp_path / "bad.csv").write_text("source,translation,kind\na,b,forgery\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="forgery"):
        read_manifest(tmp_path / "bad.csv")
    (tmp_path / "cols.csv").write_text("src,tgt\na,b\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="source,translation"):
        read_manifest(tmp_path / "cols.csv")


# --- running ------------------------------------------------------------------------------

def test_batch_aligns_reports_a_bad_file_and_skips_on_rerun(tmp_path, default_encoder):
    folder = tmp_path / "texts"
    names = write_pairs(folder, 3, nested=True, heading=True)
    (folder / "broken").mkdir()
    (folder / "broken" / "broken_ru.txt").write_bytes(b"\x00\x01\x02binary\x00" * 10)
    (folder / "broken" / "broken_en.txt").write_text("Fine text.", encoding="utf-8")
    db = tmp_path / "b.db"
    _, sessions = open_store(db)
    results = run_batch(discover_pairs(folder), sessions, default_encoder).results
    by_name = {r.name: r for r in results}
    assert by_name["broken"].status == "failed" and "binary" in by_name["broken"].error
    for name in names:
        r = by_name[name]
        assert r.status == "aligned", r.error
        assert r.src_sentences == r.tgt_sentences == 7  # title + 6, markup stripped
        assert r.beads == sum(r.beads_by_type.values()) > 0
        assert 0.0 <= r.mean_score <= 1.0
        assert 0.0 < r.seconds < 120
    assert counts(db) == {"documents": 6, "distinct_documents": 6, "alignments": 3, "distinct_pairs": 3, "tasks": 3}
    table = format_summary(results)
    assert "3 aligned, 1 failed" in table and "broken" in table
    again = run_batch(discover_pairs(folder), sessions, default_encoder).results
    assert {r.name: r.status for r in again} == {**{n: "skipped" for n in names},
                                                 "broken": "failed"}
    assert counts(db) == {"documents": 6, "distinct_documents": 6, "alignments": 3, "distinct_pairs": 3, "tasks": 3}
    # A skipped pair's row has no sentence counts (it was not read), not zeros.
    row = next(line for line in format_summary(again).splitlines() if line.startswith(names[0]))
    assert set(row.split()[1:-2]) == {"—"} and row.endswith("skipped")


def test_the_summary_labels_a_test_reconstruction(tmp_path, default_encoder):
    folder = tmp_path / "texts"
    write_pairs(folder, 2)
    (folder / "work00_ru.txt").rename(folder / "work00_ru.reconstructed.txt")  # not a pair any more
    (folder / "work00_en.txt").rename(folder / "work00_en.reconstructed.txt")
    (folder / "rec_ru.txt").write_bytes((folder / "work01_ru.txt").read_bytes())
    (folder / "rec_en.txt").write_bytes((folder / "work01_en.txt").read_bytes())
    _, sessions = open_store(tmp_path / "r.db")
    specs = discover_pairs(folder)
    specs = [PairSpec(s.name, s.source, s.translation, "ru", "en",
                      kind="reconstruction" if s.name == "rec" else None) for s in specs]
    table = format_summary(run_batch(specs, sessions, default_encoder).results)
    notes = [line for line in table.splitlines() if line.startswith("note:")]
    assert notes == ["note: rec_ru.txt is a TEST RECONSTRUCTION — not the archival text"]
    marked = [line.split()[0] for line in table.splitlines() if line.endswith("[TEST RECONSTRUCTION]")]
    assert marked == ["rec"]


def test_documents_imported_before_a_crash_are_reused(tmp_path, default_encoder):
    folder = tmp_path / "texts"
    write_pairs(folder, 2)
    db = tmp_path / "p.db"
    _, sessions = open_store(db)
    spec = discover_pairs(folder)[0]
    with sessions() as s:  # a run that died after storing the documents, before the alignment
        project = get_or_create_project(s, "default")
        options = ReadOptions(strip_markup=True)  # as the batch reads them
        import_document(s, project, read_document(spec.source, "ru", options=options), "source")
        import_document(s, project, read_document(spec.translation, "en", role="translation",
                                                  options=options), "translation")
    assert counts(db) == {"documents": 2, "distinct_documents": 2, "alignments": 0, "distinct_pairs": 0, "tasks": 0}
    results = run_batch(discover_pairs(folder), sessions, default_encoder).results
    assert [r.status for r in results] == ["aligned", "aligned"]
    assert counts(db) == {"documents": 4, "distinct_documents": 4, "alignments": 2, "distinct_pairs": 2, "tasks": 2}


# --- import and several renderings --------------------------------------------------------

def test_import_tei_makes_one_searchable_document_per_div(tmp_path, tei_path):
    db = tmp_path / "tei.db"
    _, sessions = open_store(db)
    docs = read_documents(tei_path, "en")
    imported = store_documents(sessions, docs, project="frus")
    ids = [doc.provenance.file.rpartition("#")[2] for doc in docs]
    assert ids[:3] == ["d464", "d465", "d466"] and "d471" in ids and len(ids) == len(set(ids))
    assert all(doc.provenance.kind == "archival" for doc in docs)
    again = store_documents(sessions, read_documents(tei_path, "en"), project="frus")
    assert again == imported  # de-duplicated by sha256
    with sessions() as s:
        hits = search(s, "height 588.3")
    assert len(hits) == 1 and hits[0].aligned == []
    assert "Grodekovo" in hits[0].text


def test_cli_import_and_batch(tmp_path, tei_path):
    runner = CliRunner()
    db = tmp_path / "cli.db"
    result = runner.invoke(app, ["import", str(tei_path), "--lang", "en", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert result.output.count("document ") == len(load_tei_ids(tei_path))
    result = runner.invoke(app, ["import", str(tmp_path / "nope.txt"), "--lang", "en",
                                 "--db", str(db)])
    assert result.exit_code == 2 and result.output.startswith("error:")
    result = runner.invoke(app, ["batch", str(tmp_path / "nothing"), "--db", str(db)])
    assert result.exit_code == 2 and "no such folder or manifest" in result.output


def test_the_same_batch_into_a_second_project_aligns_there_too(tmp_path, default_encoder):
    from aligner.store.db import open_store
    from aligner.store.service import list_projects

    folder, db = tmp_path / "texts", tmp_path / "two.db"
    write_pairs(folder, 1, sentences=4)
    said = {}
    for project in ("first", "second", "second"):  # the rerun into "second" finds it done there
        result = CliRunner().invoke(app, ["batch", str(folder), "--db", str(db), "--project", project, "--workers", "1"])
        assert result.exit_code == 0, result.output
        said.setdefault(project, []).append(result.output.strip().splitlines()[-1])
    assert said == {"first": ["1 pair(s) aligned and stored, 0 already done, 0 failed"],
                    "second": ["1 pair(s) aligned and stored, 0 already done, 0 failed",
                               "0 pair(s) aligned and stored, 1 already done, 0 failed"]}
    with open_store(db)[1]() as s:
        made = {p["name"]: p for p in list_projects(s)}
    assert made["first"]["alignments"] == made["second"]["alignments"] == 1, made


def load_tei_ids(path):
    from aligner.read import read_tei_documents

    return [d.id for d in read_tei_documents(path)]


def test_two_english_renderings_through_a_manifest(tmp_path, default_encoder, en_ocr_path, tei_path):
    """The seed exhibit (en) against FRUS d471 (en) — same align_documents, same store."""
    (tmp_path / "m.csv").write_text(
        "source,translation,src_lang,tgt_lang,kind,tgt_kind,name\n"
        f"{en_ocr_path},{tei_path}#d471,en,en,archival,archival,litvinov-frus\n"
        f"{en_ocr_path},{tei_path}#d999,en,en,archival,archival,no-such-div\n",
        encoding="utf-8")
    db = tmp_path / "two.db"
    _, sessions = open_store(db)
    results = run_batch(read_manifest(tmp_path / "m.csv"), sessions, default_encoder).results
    assert results[0].status == "aligned" and results[0].tgt_sentences > 10, results[0].error
    assert results[1].status == "failed" and "d999" in results[1].error
    with sessions() as s:
        langs = s.execute(select(DocumentRow.lang, DocumentRow.origin_file)
                          .order_by(DocumentRow.id)).all()
    assert [lang for lang, _ in langs] == ["en", "en"]
    assert langs[1][1].endswith("#d471")
    again = run_batch(read_manifest(tmp_path / "m.csv"), sessions, default_encoder).results
    assert again[0].status == "skipped"


def test_closing_warning_renderings_align_and_disagree_on_the_hill(en_ocr_path, tei_path):
    """Litvinov's warning about Hill 588: OCR exhibit vs the FRUS (Tass) rendering."""
    from aligner.align import align_documents
    from aligner.document import document_from_text, prepare_document
    from aligner.embed import get_encoder
    from aligner.fidelity import NUMBER_MISMATCH, alignment_flags

    exhibit = prepare_document(en_ocr_path, "en").clean_text
    frus = read_document(f"{tei_path}#d471", "en").clean_text
    start = exhibit.index("After this I made the following statement")
    end = exhibit.index("to target practice.") + len("to target practice.")
    a = document_from_text(exhibit[start:end], "en", filename="exhibit-warning")
    start = frus.index("Thereupon Comrade Litvinov")
    end = frus.index("dashes on the frontier.") + len("dashes on the frontier.")
    b = document_from_text(frus[start:end], "en", filename="frus-d471-warning")
    alignment = align_documents(a, b, get_encoder())
    hill = next(i for i, s in enumerate(a.sentences) if "Hill 588" in s.text)
    height = next(j for j, s in enumerate(b.sentences) if "height 588.3" in s.text)
    (bead_index,) = [k for k, bead in enumerate(alignment.beads) if hill in bead.src]
    assert height in alignment.beads[bead_index].tgt
    grenades = next(i for i, s in enumerate(a.sentences) if "hand-grenades" in s.text)
    bead = next(bd for bd in alignment.beads if grenades in bd.src)
    assert [b.sentences[j].text for j in bead.tgt][0].startswith("The Soviet reinforcements")
    flag = next(f for f in alignment_flags(a, b, alignment)[bead_index]
                if f.code == NUMBER_MISMATCH)
    assert flag.details == {"src_only": ["588", "22"], "tgt_only": ["588.3"]}
