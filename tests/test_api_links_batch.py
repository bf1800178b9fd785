"""The batch form of the word links API, ``GET /api/alignments/{id}/links?beads=...``, on
SQLite and PostgreSQL (the demo alignment, DigitEncoder: sentence ``i`` of each side
carries the number ``i + 1``, so the numbers are what links)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from aligner.store.models import BeadWordLinks
from api.routes.words import MAX_BATCH_BEADS
from support.api import store_demo_alignment
from support.api_client import aid, app, assert_error, beads, client  # noqa: F401 - fixtures


def _batch(client, aid, ids):
    return client.get(f"/api/alignments/{aid}/links", params={"beads": ",".join(map(str, ids))})


def _cached_rows(app) -> int:
    with app.state.session_factory() as s:
        return s.scalar(select(func.count()).select_from(BeadWordLinks))


def _numbers_linked(body) -> set[str]:
    """The tokens linked to the same token text on the other side (here: the numbers)."""
    src, tgt = body["src"]["tokens"], body["tgt"]["tokens"]
    return {src[l["src"]]["text"] for l in body["links"] if src[l["src"]]["text"] == tgt[l["tgt"]]["text"]}


def test_a_batch_gives_each_bead_as_the_single_bead_endpoint_does(client, aid, app):
    ids = [b["id"] for b in beads(client, aid)["beads"]]
    assert len(ids) == 11
    asked = ids[::-1] + [ids[0]]  # any order, a repeat given once
    r = _batch(client, aid, asked)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["alignment_id"] == aid
    assert [b["bead_id"] for b in body["beads"]] == ids[::-1]
    assert all(b["cached"] is False for b in body["beads"])  # all computed by this request
    assert _cached_rows(app) == 11
    for got in body["beads"]:
        single = client.get(f"/api/alignments/{aid}/beads/{got['bead_id']}/links").json()
        assert single["cached"] is True
        assert {**got, "cached": True} == single
        numbers = {t["text"] for t in got["src"]["tokens"] if t["text"].isdigit()}
        assert numbers and _numbers_linked(got) >= numbers
    again = _batch(client, aid, ids).json()["beads"]
    assert all(b["cached"] is True for b in again)


def test_cached_and_new_beads_mix_in_one_batch(client, aid, app):
    ids = [b["id"] for b in beads(client, aid)["beads"]]
    assert client.get(f"/api/alignments/{aid}/beads/{ids[3]}/links").status_code == 200
    got = _batch(client, aid, ids[2:6]).json()["beads"]
    assert [(b["bead_id"], b["cached"]) for b in got] == [(ids[2], False), (ids[3], True),
                                                          (ids[4], False), (ids[5], False)]
    assert _cached_rows(app) == 4


def test_beads_of_another_alignment_are_not_found_and_nothing_is_computed(client, aid, app):
    other = store_demo_alignment(app.state.session_factory, 4, project="other")
    mine = [b["id"] for b in beads(client, aid)["beads"]]
    theirs = [b["id"] for b in beads(client, other)["beads"]]
    body = assert_error(_batch(client, aid, mine[:3] + theirs[:2]), 404, "not found", str(aid))
    assert f"{theirs[0]}, {theirs[1]}" in body["detail"] and body["bead_ids"] == theirs[:2]
    assert assert_error(_batch(client, aid, [mine[0], 987654321]), 404, "987654321")["bead_ids"] == [987654321]
    assert _cached_rows(app) == 0  # refused before any bead was linked
    assert "bead_ids" not in assert_error(_batch(client, 987654, mine[:2]), 404, "alignment 987654 not found")
    assert _batch(client, other, theirs).status_code == 200


@pytest.mark.parametrize("beads_param, words", [
    ("", ["bead ids"]),
    ("1,,2", ["bead ids"]),
    ("1,x", ["'x'", "not a bead id"]),
    ("-3", ["'-3'"]),
    ("0", ["'0'"]),
    ("true", ["'true'"]),
    ("1.5", ["'1.5'"]),
    ("99999999999999999999", ["not a bead id"]),
    ("9" * 5000, ["not a bead id"]),
    (",".join(map(str, range(1, MAX_BATCH_BEADS + 2))), [f"at most {MAX_BATCH_BEADS}"]),
])
def test_a_malformed_bead_list_is_a_422(client, aid, beads_param, words):
    r = client.get(f"/api/alignments/{aid}/links", params={"beads": beads_param})
    assert_error(r, 422, "beads", *words)


def test_the_bead_list_is_required_and_the_maximum_is_accepted(client, aid):
    assert_error(client.get(f"/api/alignments/{aid}/links"), 422, "beads", "required")
    ids = [b["id"] for b in beads(client, aid)["beads"]]
    at_most = (ids * MAX_BATCH_BEADS)[:MAX_BATCH_BEADS]  # the maximum, repeats included
    r = _batch(client, aid, at_most)
    assert r.status_code == 200, r.text
    assert len(r.json()["beads"]) == len(ids)


def test_the_parameter_may_be_repeated(client, aid):
    ids = [b["id"] for b in beads(client, aid)["beads"]]
    r = client.get(f"/api/alignments/{aid}/links?beads={ids[0]},{ids[1]}&beads={ids[2]}")
    assert r.status_code == 200, r.text
    assert [b["bead_id"] for b in r.json()["beads"]] == ids[:3]
