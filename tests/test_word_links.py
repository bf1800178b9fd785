"""Word links wired in: the ``words`` / ``evaluate-words`` commands, the per-bead cache in
the store, the ``/links`` API, and the concordance's renderings read off the links.

The Litvinov pair is aligned and stored through the pipeline with the default encoder;
its Russian side is a TEST RECONSTRUCTION, not the archival text.
"""

from __future__ import annotations

import warnings

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

warnings.filterwarnings("ignore", message=".*httpx.*")

from aligner.concordance import group_by_rendering  # noqa: E402
from aligner.embed import get_encoder  # noqa: E402
from aligner.pipeline import align_pair, read_document, store_pair  # noqa: E402
from aligner.store import review, service  # noqa: E402
from aligner.store.concordance import search  # noqa: E402
from aligner.store.db import open_store  # noqa: E402
from aligner.store.models import BeadWordLinks  # noqa: E402
from aligner.store.word_links import links_for_beads  # noqa: E402
from api.cli import app as cli  # noqa: E402
from api.main import create_app  # noqa: E402
from support.api_client import local_client  # noqa: E402
from api.settings import Settings  # noqa: E402
from support.store import populate  # noqa: E402

# ---------------------------------------------------------------- the commands


def test_words_command_writes_pharaoh_lines(tmp_path, default_encoder):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("He was born in 1742 .\tОн родился в 1742 году .\tgold\n"
                     "Shigemitsu said so .\tСигемицу так сказал .\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["words", str(pairs), "--src-lang", "en", "--tgt-lang", "ru"])
    assert result.exit_code == 0, result.output
    first, second = result.output.splitlines()
    assert {"4-3", "5-5"} <= set(first.split())        # 1742 ↔ 1742, "." ↔ "."
    assert {"0-0", "1-2", "3-3"} <= set(second.split())  # the name, "said", the full stop
    out = tmp_path / "out.txt"
    result = runner.invoke(cli, ["words", str(pairs), "--src-lang", "en", "--tgt-lang", "ru", "-o", str(out)])
    assert result.exit_code == 0 and out.read_text(encoding="utf-8").splitlines() == [first, second]


def test_evaluate_words_command_on_a_hand_made_gold(tmp_path):
    test, gold = tmp_path / "test.txt", tmp_path / "gold.txt"
    test.write_text("0-0 1-2 2-2\n", encoding="utf-8")
    gold.write_text("0-0 1-1 2?2\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["evaluate-words", str(test), str(gold)])
    assert result.exit_code == 0, result.output
    # |A| = 3, |S| = 2, |A∩S| = 1, |A∩P| = 2: P 2/3, R 1/2, AER 1 - 3/5 (Och & Ney 2003)
    assert result.output.startswith("P 0.667  R 0.500  F1 0.571  AER 0.400")


@pytest.mark.parametrize("args, message", [
    (["words", "{missing}", "--src-lang", "en", "--tgt-lang", "ru"], "no such file"),
    (["words", "{notab}", "--src-lang", "en", "--tgt-lang", "ru"], "expected source tokens, a tab"),
    (["evaluate-words", "{notab}", "{notab}"], "is not a link 'i-j'"),
    (["evaluate-words", "{one}", "{two}"], "1 sentence pairs and the gold 2"),
    (["evaluate-words", "{empty}", "{empty}"], "empty file"),  # not a perfect AER 0.000
    (["words", "{empty}", "--src-lang", "en", "--tgt-lang", "ru"], "empty file"),
])
def test_word_commands_refuse_bad_input_in_one_line(tmp_path, args, message):
    files = {"missing": tmp_path / "missing.tsv", "notab": tmp_path / "notab.tsv",
             "one": tmp_path / "one.txt", "two": tmp_path / "two.txt", "empty": tmp_path / "empty.txt"}
    files["empty"].write_text("\n", encoding="utf-8")
    files["notab"].write_text("no tab here\n", encoding="utf-8")
    files["one"].write_text("0-0\n", encoding="utf-8")
    files["two"].write_text("0-0\n1-1\n", encoding="utf-8")
    result = CliRunner().invoke(cli, [a.format(**files) for a in args])
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- the seed, stored


@pytest.fixture(scope="module")
def litvinov(tmp_path_factory, default_encoder, ru_path, en_ocr_path):
    """The Litvinov pair aligned and stored by the pipeline: ``(db path, sessions, aid)``."""
    db = tmp_path_factory.mktemp("word-links") / "seed.db"
    _, sessions = open_store(db)
    src, tgt = read_document(ru_path, "ru"), read_document(en_ocr_path, "en")
    stored = store_pair(sessions, src, tgt, align_pair(src, tgt, default_encoder), project="seed")
    return db, sessions, stored.alignment_id


@pytest.fixture(scope="module")
def api(litvinov, default_encoder):
    db, _, _ = litvinov
    app = create_app(Settings(db=db, auth="local"), encoder_provider=lambda name=None: default_encoder)
    with local_client(app) as client:
        yield client


def _beads_with(sessions, aid, words):
    with sessions() as session:
        beads = service.list_beads(session, aid, 0, 1000)["beads"]
    return [b for b in beads if any(words in s["text"] for s in b["src"])]


def _linked_runs(body, src_words, tgt_words):
    """``(sentence id, start)`` of each run of ``src_words`` whose k-th word is linked to
    the k-th word of a ``tgt_words`` run, from the API's JSON."""
    src, tgt = body["src"]["tokens"], body["tgt"]["tokens"]
    pairs = {(l["src"], l["tgt"]) for l in body["links"]}
    found = []
    for i in range(len(src) - len(src_words) + 1):
        if [t["text"] for t in src[i:i + len(src_words)]] != src_words:
            continue
        for j in range(len(tgt) - len(tgt_words) + 1):
            if [t["text"] for t in tgt[j:j + len(tgt_words)]] == tgt_words and all(
                    (i + k, j + k) in pairs for k in range(len(src_words))):
                sentence = body["src"]["sentences"][src[i]["sentence"]]
                found.append((sentence["id"], src[i]["start"]))
    return found


def test_the_seed_phrase_is_linked_in_both_beads_through_the_api(api, litvinov):
    _, sessions, aid = litvinov
    beads = _beads_with(sessions, aid, "в нашем понимании")
    assert len(beads) == 2
    for bead in beads:
        r = api.get(f"/api/alignments/{aid}/beads/{bead['id']}/links")
        assert r.status_code == 200, r.text
        body = r.json()
        runs = _linked_runs(body, ["в", "нашем", "понимании"], ["in", "our", "understanding"])
        assert runs, bead["src"][0]["text"][:60]
        # Offsets point into the sentence the token is in (the page renders them apart).
        for side in ("src", "tgt"):
            texts = [s["text"] for s in body[side]["sentences"]]
            assert all(texts[t["sentence"]][t["start"]:t["end"]] == t["text"] for t in body[side]["tokens"])
        assert {l["style"] for l in body["links"]} <= {"full", "partial"}
        assert all(0 <= l["confidence"] <= 1 for l in body["links"])
        assert api.get(f"/api/alignments/{aid}/beads/{bead['id']}/links").json()["cached"] is True
    assert api.get(f"/api/alignments/{aid}/beads/999999/links").status_code == 404
    assert api.get(f"/api/alignments/{aid + 1}/beads/{beads[0]['id']}/links").status_code == 404


def test_beads_linked_together_get_the_links_they_get_one_by_one(litvinov):
    """The batch path (one encoder pass for all beads) against bead by bead, each from an
    empty vector cache, over every stored Litvinov bead: the same links, to the rounding
    the store keeps (3 decimals of confidence)."""
    from aligner.embed import CachedEncoder
    from aligner.words.bead import link_bead, link_beads

    _, sessions, aid = litvinov
    with sessions() as session:
        stored = service.list_beads(session, aid, 0, 1000)["beads"]
    beads = [([s["text"] for s in b["src"]], [t["text"] for t in b["tgt"]], "ru", "en") for b in stored]
    base = get_encoder().inner
    alone = CachedEncoder(base)
    one_by_one = [link_bead(*b, encoder=alone) for b in beads]
    together = link_beads(beads, CachedEncoder(base))
    assert len(together) == len(beads) > 50
    assert sum(len(l.links) for l in together) > 1000
    assert [l.to_json() for l in together] == [l.to_json() for l in one_by_one]


def test_the_batch_endpoint_gives_the_seed_beads_as_one_by_one(api, litvinov):
    _, sessions, aid = litvinov
    ids = [b["id"] for b in _beads_with(sessions, aid, "в нашем понимании")]
    ids += [b["id"] for b in _beads_with(sessions, aid, "Сигемицу сказал")]
    r = api.get(f"/api/alignments/{aid}/links", params={"beads": ",".join(map(str, ids))})
    assert r.status_code == 200, r.text
    got = r.json()["beads"]
    assert [b["bead_id"] for b in got] == list(dict.fromkeys(ids)) and len(got) >= 2
    for body in got:
        single = api.get(f"/api/alignments/{aid}/beads/{body['bead_id']}/links").json()
        assert {**body, "cached": True} == {**single, "cached": True}
    assert _linked_runs(got[0], ["в", "нашем", "понимании"], ["in", "our", "understanding"])


def test_a_number_and_a_name_are_linked_exactly_in_the_stored_beads(api, litvinov):
    _, sessions, aid = litvinov
    (numbers,) = _beads_with(sessions, aid, "8 или 9")
    body = api.get(f"/api/alignments/{aid}/beads/{numbers['id']}/links").json()
    assert _linked_runs(body, ["8"], ["8th"]) and _linked_runs(body, ["9"], ["9th"])
    named = _beads_with(sessions, aid, "Сигемицу сказал")
    assert named
    body = api.get(f"/api/alignments/{aid}/beads/{named[0]['id']}/links").json()
    assert _linked_runs(body, ["Сигемицу", "сказал"], ["Shigemitsu", "said"])


def test_concordance_renderings_come_from_the_links(litvinov, default_encoder):
    _, sessions, _ = litvinov
    with sessions() as session:
        hits = search(session, "in our understanding", encoder=default_encoder)
    assert len(hits) == 2
    for hit in hits:
        (aligned,) = hit.aligned
        assert aligned.method == "links" and aligned.rendering == "в нашем понимании"
        assert aligned.spans and all(aligned.text[s:e] == "в нашем понимании" for s, e in aligned.spans)
    assert [(g.label, g.count) for g in group_by_rendering(hits)] == [("в нашем понимании", 2)]
    with sessions() as session:  # the links were cached by the search
        cached = session.scalars(select(BeadWordLinks.bead_id)).all()
    assert {a.bead_id for h in hits for a in h.aligned} <= set(cached)


def test_concordance_exports_carry_the_renderings(api, litvinov):
    import csv
    import io

    db, _, _ = litvinov
    got = api.get("/api/search/export", params={"q": "in our understanding", "format": "csv"})
    assert got.status_code == 200
    assert [r["rendering"] for r in csv.DictReader(io.StringIO(got.text))] == ["в нашем понимании"] * 2
    data = api.get("/api/search/export", params={"q": "in our understanding", "format": "json"}).json()
    assert [r["rendering"] for r in data["rows"]] == ["в нашем понимании"] * 2
    result = CliRunner().invoke(cli, ["search", "in our understanding", "--db", str(db), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert [r["rendering"] for r in csv.DictReader(io.StringIO(result.stdout))] == ["в нашем понимании"] * 2


def test_a_phrase_in_a_misaligned_bead_is_not_rendered_here(tmp_path, default_encoder):
    _, sessions = open_store(tmp_path / "misaligned.db")
    ru = ["Японские войска перешли границу у озера Хасан.", "Погода была ясной."]
    en = ["The weather was clear.", "Japanese troops crossed the border at Lake Khasan."]
    with sessions() as session:  # the beads pair each sentence with the wrong one
        populate(session, ru, en, [((0,), (0,)), ((1,), (1,))])
        hits = search(session, "японские войска", encoder=default_encoder)
        weather = search(session, "погода", encoder=default_encoder)
    (aligned,) = hits[0].aligned
    assert aligned.method == "links" and aligned.rendering is None and aligned.spans == []
    assert weather[0].aligned[0].rendering is None


# ---------------------------------------------------------------- the cache follows edits


def test_links_are_recomputed_after_a_split(tmp_path, default_encoder):
    _, sessions = open_store(tmp_path / "split.db")
    with sessions() as session:
        ids = populate(session)  # bead 2: «Потом он спросил о границе.» ↔ "Then he asked about" + "the frontier."
        aid = ids["alignment"]
        bead = service.list_beads(session, aid, 2, 1)["beads"][0]
    assert [s["text"] for s in bead["tgt"]] == ["Then he asked about", "the frontier."]

    def linked(found, ru, en):
        src, tgt = found.links.src, found.links.tgt
        return any(src[l.src].text == ru and tgt[l.tgt].text == en for l in found.links.links)

    with sessions() as session:
        before = links_for_beads(session, [bead["id"]], default_encoder)[bead["id"]]
    assert not before.cached and linked(before, "границе", "frontier")
    with sessions() as session:
        again = links_for_beads(session, [bead["id"]], default_encoder)[bead["id"]]
        key_before = session.get(BeadWordLinks, bead["id"]).key
    assert again.cached and linked(again, "границе", "frontier")

    with sessions() as session:
        version = service.get_alignment(session, aid)["version"]
        result = review.split_bead(session, aid, version, bead["id"], 1, 1, user="t")
    first, second = result.bead_ids
    assert first == bead["id"]  # the first part keeps the id: only its texts tell it changed
    with sessions() as session:
        after = links_for_beads(session, [first, second], default_encoder)
        key_after = session.get(BeadWordLinks, first).key
    assert not after[first].cached and key_after != key_before
    assert [t.text for t in after[first].links.tgt] == ["Then", "he", "asked", "about"]
    assert not linked(after[first], "границе", "frontier")
    assert after[second].links.links == [] and [t.text for t in after[second].links.tgt] == ["the", "frontier", "."]

    with sessions() as session:  # undo restores the bead's texts: a miss, linked anew
        review.undo(session, aid, version + 1, user="t")
        restored = links_for_beads(session, [first], default_encoder)[first]
    assert linked(restored, "границе", "frontier")
