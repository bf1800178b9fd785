"""Search on the index, on SQLite and PostgreSQL: word forms, fuzzy ⊇ exact, paging with a
true total, the index kept current by every kind of write, export with ids."""

from __future__ import annotations

import csv
import io
import json
import warnings

import pytest
from sqlalchemy import text, update
from typer.testing import CliRunner

warnings.filterwarnings("ignore", message=".*httpx.*")
from fastapi.testclient import TestClient  # noqa: E402

from api.cli import app as cli  # noqa: E402
from aligner.store import review, service  # noqa: E402
from aligner.store.concordance import search, search_page  # noqa: E402
from aligner.store.db import make_engine, open_store  # noqa: E402
from aligner.store.models import SentenceRow  # noqa: E402
from api.main import create_app  # noqa: E402
from api.settings import Settings  # noqa: E402
from support.api import DigitEncoder  # noqa: E402
from support.store import populate, toy_document  # noqa: E402

RU = ["Мы говорим о понимании границы.", "Это понимание верно.", "Он понимает нас.",
      "В нашем понимании в этом нет сомнений."]
EN = ["Japan's troops stood at the hill.", "The Japanese envoy spoke.",
      "Jaran sent a note to Japan.", "A border runs in our understanding here.",
      "Our understanding differs.", "In our understanding, the line is clear."]


@pytest.fixture()
def store(db_url):
    engine, sessions = open_store(db_url)
    with sessions() as s:
        pid = service.get_or_create_project(s, "search")
        ids = {"ru": service.import_document(s, pid, toy_document(RU, "ru"), "source"),
               "en": service.import_document(s, pid, toy_document(EN, "en"), "translation")}
    yield db_url, sessions, ids
    engine.dispose()


def texts(hits):
    return [h.text for h in hits]


def test_word_forms_match_and_spans_mark_them(store):
    _, sessions, _ = store
    with sessions() as s:
        hits = search(s, "понимание")
        assert texts(hits) == [RU[0], RU[1], RU[3]]  # не «понимает»: another stem
        assert [h.match for h in hits] == ["понимании", "понимание", "понимании"]
        assert texts(search(s, "in our understandings")) == [EN[3], EN[5]]
        assert [h.match for h in search(s, "В")] == ["В"]  # a word, not a letter inside words
        assert len(search(s, "в")[0].spans) == 2
        assert texts(search(s, "a")) == [EN[2], EN[3]]
        assert search(s, "понимании", lang="en") == []


def test_fuzzy_finds_every_exact_hit_and_ocr_variants(store):
    _, sessions, _ = store
    with sessions() as s:
        for q in ("Japan", "japan's", "our understanding", "понимании", "в нашем", "the hill", "a"):
            exact = {h.sentence_id for h in search(s, q)}
            fuzzy = {h.sentence_id for h in search(s, q, fuzzy=True)}
            assert exact <= fuzzy, q
        assert texts(search(s, "Japan")) == [EN[0], EN[2]]
        assert texts(search(s, "Japan", fuzzy=True)) == [EN[0], EN[2]]  # "Jaran" in EN[2] too
        jaran = search(s, "Jaran", fuzzy=True)
        assert texts(jaran) == [EN[0], EN[2]]
        lost = search(s, "in our understanding", fuzzy=True)  # "[In] our understanding"
        assert texts(lost) == [EN[3], EN[4], EN[5]]
        assert lost[1].match == "Our understanding" and 80 <= lost[1].score < 100


def test_results_page_through_with_the_true_total(db_url):
    engine, sessions = open_store(db_url)
    n = 620
    with sessions() as s:
        pid = service.get_or_create_project(s, "many")
        service.import_document(s, pid, toy_document([f"Border post {i} was moved." for i in range(n)],
                                                     "en"), "source")
        first = search_page(s, "border post", limit=50)
        assert first.total == n and len(first.hits) == 50 and first.complete
        last = search_page(s, "border post", offset=600, limit=50)
        assert [h.text for h in last.hits] == [f"Border post {i} was moved." for i in range(600, n)]
        fuzzy = search_page(s, "border pots", fuzzy=True, offset=10, limit=5)
        assert fuzzy.total == n and [h.sentence_ord for h in fuzzy.hits] == list(range(10, 15))
        assert len(search(s, "moved")) == n  # no silent cap
    engine.dispose()


def test_the_index_follows_every_write(store):
    url, sessions, ids = store
    with sessions() as s:
        aid = populate(s)["alignment"]  # more documents: searchable once committed
        assert texts(search(s, "repeated our position")) == ["I repeated our position."]
        b = service.list_beads(s, aid)["beads"]
        sid = b[3]["tgt"][0]["id"]  # "I repeated our position."
        r = review.split_sentence(s, aid, 1, sid, 10, user="anna")  # "I repeated" | "our position."
        assert search(s, "repeated our position") == []
        assert texts(search(s, "our position")) == ["our position."]
        v = review.join_sentence(s, aid, r.version, sid, user="anna").version
        assert texts(search(s, "repeated our position")) == ["I repeated our position."]
        v = review.undo(s, aid, v, user="anna").version  # undo the join: split again
        assert texts(search(s, "our position")) == ["our position."]
        # a text edit through the ORM / Core, as an editing operation would make it
        s.execute(update(SentenceRow).where(SentenceRow.id == sid).values(text="I restated our stance."))
        s.commit()
        assert texts(search(s, "restate")) == ["I restated our stance."]
    # a write outside any session (a hand-run statement): indexed before the next search
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE sentence SET text = 'Peace was agreed at Khasan.' WHERE id = :i"),
                     {"i": sid})
    engine.dispose()
    with sessions() as s:
        assert texts(search(s, "khasan")) == ["Peace was agreed at Khasan."]
        service.delete_alignment(s, aid)
        assert texts(search(s, "japan")) == [EN[0], EN[2]]
        s.execute(text("DELETE FROM document WHERE id = :d"), {"d": ids["en"]})
        s.commit()
        assert search(s, "japan") == [] and search(s, "japan", fuzzy=True) == []


def test_api_pages_and_exports_with_ids(store):
    url, sessions, ids = store
    with sessions() as s:
        aid = populate(s)["alignment"]
    app = create_app(Settings(db=url, auth="local"), encoder_provider=lambda n=None: DigitEncoder())
    with TestClient(app, base_url="http://127.0.0.1") as c:
        r = c.get("/api/search", params={"q": "our", "limit": 2, "renderings": False}).json()
        assert r["count"] == 4 and len(r["hits"]) == 2 and r["offset"] == 0 and r["complete"]
        r2 = c.get("/api/search", params={"q": "our", "limit": 2, "offset": 2, "renderings": False}).json()
        assert [h["sentence_id"] for h in r["hits"] + r2["hits"]] == sorted(
            h["sentence_id"] for h in r["hits"] + r2["hits"])
        got = c.get("/api/search/export", params={"q": "repeated", "format": "csv"})
        assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(got.text)))
        assert len(rows) == 1 and rows[0]["match"] == "repeated" and rows[0]["sentence_no"] == "5"
        with sessions() as s:
            bead = next(b for b in service.list_beads(s, aid)["beads"]
                        if any(t["text"] == "I repeated our position." for t in b["tgt"]))
        assert (rows[0]["alignment_id"], rows[0]["bead_id"]) == (str(aid), str(bead["id"]))
        assert rows[0]["aligned_sentence_ids"] == " ".join(str(x["id"]) for x in bead["src"])
        data = c.get("/api/search/export", params={"q": "japan", "format": "json"}).json()
        assert data["count"] == 2 and {r["document_id"] for r in data["rows"]} == {ids["en"]}
        assert all(r["alignment_id"] is None for r in data["rows"])
    result = CliRunner().invoke(cli, ["search", "japan", "--db", url, "--lang", "xx"])
    assert result.exit_code == 2 and "unsupported language 'xx'" in result.output  # not "0 hits"
    result = CliRunner().invoke(cli, ["search", "japan", "--db", url, "--lang", "en-US", "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.output)["count"] == 2
    result = CliRunner().invoke(cli, ["search", "japan", "--db", url, "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert [r["sentence_no"] for r in csv.DictReader(io.StringIO(result.output))] == ["1", "3"]
    result = CliRunner().invoke(cli, ["search", "our", "--db", url, "--limit", "1", "--offset", "1",
                                      "--no-renderings"])
    assert "“our”: 4 sentence(s), showing 2–2" in result.output
    out = CliRunner().invoke(cli, ["search", "our", "--db", url, "--format", "json", "--limit", "3",
                                   "--no-renderings"])
    assert json.loads(out.output)["count"] == 4 and len(json.loads(out.output)["hits"]) == 3
