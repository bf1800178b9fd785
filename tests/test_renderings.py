"""Several renderings of one document side by side (aligner.store.renderings)."""

from __future__ import annotations

import pytest

from aligner.store import service
from aligner.store.db import open_store
from aligner.store.errors import NotFoundError, StoreError
from support.store import EN, RU, populate, toy_alignment, toy_document
from aligner.store.renderings import list_pivots, parallel_view

# A second English rendering of RU: sentences 0 and 1 joined, 4 kept, an added line at the end.
EN2 = ["I told Shigemitsu, who did not answer at once.", "Then he asked about the frontier.",
       "I repeated our position.", "The talk lasted an hour.", "We parted politely.",
       "(Translator's note.)"]
LAYOUT2 = [((0, 1), (0,)), ((2,), (1,)), ((3,), (2,)), ((4,), (3,)), ((5,), (4,)), ((), (5,))]


@pytest.fixture()
def sessions(tmp_path):
    return open_store(tmp_path / "r.db")[1]


@pytest.fixture()
def three(sessions):
    """RU aligned to EN (fixture layout) and to EN2: three columns over RU."""
    with sessions() as s:
        ids = populate(s)
        en2 = service.import_document(s, ids["project"], toy_document(EN2, "en", title="second"),
                                      "translation")
        ids["en2"] = en2
        ids["alignment2"] = service.store_alignment(s, ids["src"], en2, toy_alignment(LAYOUT2))
    return ids


def _texts(sentences):
    return [x["text"] for x in sentences]


def test_rows_follow_the_coarsest_common_grouping(sessions, three):
    with sessions() as s:
        view = parallel_view(s, three["src"])
    assert [c["alignment_id"] for c in view["columns"]] == [three["alignment"], three["alignment2"]]
    assert [c["pivot_side"] for c in view["columns"]] == ["src", "src"]
    # EN2 joins RU 0+1, so those form one row; the rest are one RU sentence per row.
    assert view["total"] == 5
    assert [[p["ord"] for p in r["pivot"]] for r in view["rows"]] == [[0, 1], [2], [3], [4], [5]]
    first = view["rows"][0]["cells"]
    assert _texts(first[0]["sentences"]) == EN[0:2]
    assert [b["type"] for b in first[0]["beads"]] == ["1-1", "1-1"]
    assert _texts(first[1]["sentences"]) == [EN2[0]]
    assert [b["type"] for b in first[1]["beads"]] == ["2-1"]
    # RU 4 is omitted in EN (1-0) but rendered in EN2.
    omitted = view["rows"][3]["cells"]
    assert omitted[0]["sentences"] == [] and [b["type"] for b in omitted[0]["beads"]] == ["1-0"]
    assert _texts(omitted[1]["sentences"]) == ["The talk lasted an hour."]
    # Additions (0-1) join the row of the pivot sentence before them.
    last = view["rows"][4]["cells"]
    assert _texts(last[0]["sentences"]) == [EN[5], EN[6]]
    assert _texts(last[1]["sentences"]) == [EN2[4], EN2[5]]
    # Every target sentence of each alignment appears exactly once.
    for c, doc in ((0, EN), (1, EN2)):
        assert sorted(_texts(x for r in view["rows"] for x in r["cells"][c]["sentences"])) == sorted(doc)


def test_paging_and_column_choice(sessions, three):
    with sessions() as s:
        page = parallel_view(s, three["src"], [three["alignment2"]], offset=3, limit=2)
        assert [c["alignment_id"] for c in page["columns"]] == [three["alignment2"]]
        # With EN2 alone, RU 0+1 is still one row, so six RU sentences give five rows.
        assert page["total"] == 5 and [r["index"] for r in page["rows"]] == [3, 4]
        assert _texts(page["rows"][1]["cells"][0]["sentences"]) == EN2[4:]
        with pytest.raises(StoreError):
            parallel_view(s, three["src"], limit=0)
        with pytest.raises(NotFoundError):
            parallel_view(s, 999)
        with pytest.raises(NotFoundError):
            parallel_view(s, three["src"], [999])
        with pytest.raises(StoreError, match="does not contain"):
            parallel_view(s, three["en2"], [three["alignment"]])


def test_pivot_on_the_target_side_and_alone(sessions, three):
    with sessions() as s:
        view = parallel_view(s, three["tgt"])  # EN as pivot: its one alignment, RU opposite
        assert view["columns"][0]["pivot_side"] == "tgt"
        assert view["total"] == 6  # EN 2+3 are one bead (1-2)
        assert _texts(view["rows"][2]["pivot"]) == EN[2:4]
        assert _texts(view["rows"][2]["cells"][0]["sentences"]) == [RU[2]]
        assert view["rows"][2]["cells"][0]["beads"][0]["type"] == "1-2"
        pid = three["project"]
        alone = service.import_document(s, pid, toy_document(["Only one line here."], "en"),
                                        "translation")
        solo = parallel_view(s, alone)
        assert solo["columns"] == [] and solo["total"] == 1
        assert _texts(solo["rows"][0]["pivot"]) == ["Only one line here."]
        pivots = {p["document"]["id"]: p["alignments"] for p in list_pivots(s)}
        assert pivots == {three["src"]: 2, three["tgt"]: 1, three["en2"]: 1, alone: 0}
        assert list_pivots(s)[0]["document"]["id"] == three["src"]
