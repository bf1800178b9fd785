"""aligner.concordance: phrase search over the store and the rendering of each hit.

The Russian side of the Litvinov pair is a TEST RECONSTRUCTION, not the archival text.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from aligner.align import align_documents
from api.cli import app
from aligner.concordance import EmptyPhraseError, group_by_rendering, normalise, normalise_rendering
from aligner.store.concordance import search
from aligner.document import document_from_text, prepare_document
from aligner.embed import get_encoder
from aligner.store.db import open_store
from aligner.store.service import get_or_create_project, import_document, store_alignment


@pytest.fixture(scope="module")
def encoder():
    return get_encoder()


@pytest.fixture(scope="module")
def store(tmp_path_factory, encoder, ru_path, en_ocr_path):
    """A store holding the Litvinov pair (ru reconstruction → en OCR exhibit), aligned."""
    db = tmp_path_factory.mktemp("concordance") / "store.db"
    _, sessions = open_store(db)
    ru = prepare_document(ru_path, "ru")
    en = prepare_document(en_ocr_path, "en")
    alignment = align_documents(ru, en, encoder)
    with sessions() as session:
        project = get_or_create_project(session, "litvinov")
        src = import_document(session, project, ru, "source")
        tgt = import_document(session, project, en, "translation")
        store_alignment(session, src, tgt, alignment)
    return db, sessions


def test_normalise_keeps_a_map_to_the_original():
    text = "В  нашем\tПОНИМАНИИ — «ёлка»"
    folded, index = normalise(text)
    assert folded == 'в нашем понимании - "елка"'
    assert len(index) == len(folded) + 1
    at = folded.find("понимании")
    assert text[index[at]:index[at + len("понимании") - 1] + 1] == "ПОНИМАНИИ"
    assert normalise_rendering("«В нашем понимании,»") == "в нашем понимании"
    assert normalise_rendering("носом", "ru") == normalise_rendering("Носа", "ru") == "нос"


def test_in_our_understanding_is_rendered_v_nashem_ponimanii(store, encoder):
    _, sessions = store
    with sessions() as session:
        hits = search(session, "in our understanding", encoder=encoder)
    assert len(hits) == 2
    assert {h.lang for h in hits} == {"en"}
    assert all(h.match.lower() == "in our understanding" for h in hits)
    assert any('the words "in our understanding"' in h.text for h in hits)
    for hit in hits:
        (aligned,) = hit.aligned
        assert aligned.lang == "ru"
        assert aligned.provenance_label.startswith("TEST RECONSTRUCTION")
        assert aligned.rendering == "в нашем понимании"
        assert aligned.key == "в наш понимание"  # lemmatised: case forms group together
        assert all(aligned.text[s:e] == "в нашем понимании" for s, e in aligned.spans)
    groups = group_by_rendering(hits)
    assert [(g.label, g.lang, g.count) for g in groups] == [("в нашем понимании", "ru", 2)]


def test_fuzzy_search_also_finds_the_phrase_that_lost_its_in(store, encoder):
    _, sessions = store
    with sessions() as session:
        exact = search(session, "in our understanding", encoder=encoder)
        fuzzy = search(session, "in our understanding", fuzzy=True, encoder=encoder)
    summary = next(h for h in fuzzy if "guarentee" in h.text)
    # "-- in our understanding of this territory, --" and "…the border, our understanding, and will"
    assert [summary.text[s:e] for s, e in summary.spans] == ["in our understanding",
                                                             "our understanding"]
    assert summary.score == 100.0
    assert len(next(h for h in exact if "guarentee" in h.text).spans) == 1


def test_fuzzy_search_tolerates_ocr_errors(store):
    _, sessions = store
    with sessions() as session:
        assert search(session, "Japanese troops on the spot") == []
        hits = search(session, "Japanese troops on the spot", fuzzy=True)
    assert len(hits) == 1
    assert hits[0].match == "Jaranese troops on the spot"
    assert 80 <= hits[0].score < 100


def test_reverse_direction_from_russian(store, encoder):
    _, sessions = store
    with sessions() as session:
        hits = search(session, "понимании", encoder=encoder)
        none_in_en = search(session, "понимании", lang="en")
    assert none_in_en == []
    assert len(hits) == 2 and {h.lang for h in hits} == {"ru"}
    assert all(h.provenance_label.startswith("TEST RECONSTRUCTION") for h in hits)
    # «в японском понимании» is a second occurrence in Shigemitsu's reply
    assert sorted(len(h.spans) for h in hits) == [2, 2]
    keys = {a.key for h in hits for a in h.aligned}
    assert keys == {"understanding"}


def test_different_renderings_are_grouped_apart(tmp_path, encoder):
    _, sessions = open_store(tmp_path / "renderings.db")
    pairs = [
        ("Граница проходит здесь в нашем понимании. Войска стоят.",
         "The border runs here in our understanding. The troops stand."),
        ("Мы не отступим в нашем понимании этого вопроса. Так было.",
         "We shall not retreat as we understand this question. So it was."),
    ]
    with sessions() as session:
        project = get_or_create_project(session, "renderings")
        for k, (ru_text, en_text) in enumerate(pairs):
            ru = document_from_text(ru_text, "ru", filename=f"ru{k}.txt")
            en = document_from_text(en_text, "en", filename=f"en{k}.txt")
            src = import_document(session, project, ru, "source")
            tgt = import_document(session, project, en, "translation")
            store_alignment(session, src, tgt, align_documents(ru, en, encoder))
        hits = search(session, "в нашем понимании", encoder=encoder)
    groups = group_by_rendering(hits)
    assert len(hits) == 2 and len(groups) == 2
    assert {g.key for g in groups} == {"in our understanding", "as we understand"}


def test_sentence_without_alignment_and_empty_phrase(tmp_path):
    _, sessions = open_store(tmp_path / "alone.db")
    with sessions() as session:
        project = get_or_create_project(session, "alone")
        import_document(session, project, document_from_text("Hill 588 was attacked.", "en"),
                        "source")
        hits = search(session, "hill 588")
        with pytest.raises(EmptyPhraseError):
            search(session, " -- ")
    assert len(hits) == 1 and hits[0].aligned == []
    assert [(g.key, g.count) for g in group_by_rendering(hits)] == [("", 1)]


def test_cli_search_text_and_json(store):
    db, _ = store
    runner = CliRunner()
    result = runner.invoke(app, ["search", "in our understanding", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "rendered «в нашем понимании» (ru): 2" in result.output
    assert "[[в нашем понимании]]" in result.output
    assert "TEST RECONSTRUCTION" in result.output
    result = runner.invoke(app, ["search", "понимании", "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["count"] == 2
    assert data["renderings"][0]["key"] == "understanding"
    assert data["hits"][0]["match"] == "понимании"
    bad = runner.invoke(app, ["search", "x", "--db", str(db), "--format", "xml"])
    assert bad.exit_code == 2 and "unknown --format" in bad.output


def test_a_misspelt_fuzzy_query_is_rendered_from_the_words_found(store, encoder):
    """"понемании" finds «понимании»; the rendering is marked from the text found, so the
    typo does not lose it."""
    _, sessions = store
    with sessions() as session:
        hits = search(session, "понемании", fuzzy=True, encoder=encoder)
    assert len(hits) == 2 and {h.match for h in hits} == {"понимании"}
    assert {a.key for h in hits for a in h.aligned} == {"understanding"}
