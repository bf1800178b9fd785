"""Our own exports come back exactly under their default options: a TSV export (its
sentences joined by spaces) gives each bead's sentences back one by one from its
``source_lengths``/``target_lengths`` columns, and its languages from its ``#`` lines
without being asked; TSV and InterText keep the encoder that aligned it."""

from __future__ import annotations

import csv
import io

import pytest

from aligner.imports import read_import, store_import
from aligner.store import review, service
from aligner.store.export import export_bytes
from test_imports import stored, view  # noqa: F401 - fixture


@pytest.mark.parametrize("fmt, options", [("tsv", {}), ("tsv", {"notes": True}), ("intertext", {})])
def test_a_default_export_comes_back_exactly(stored, fmt, options):  # noqa: F811
    factory, aid = stored
    with factory() as s:  # beads of several sentences, which a space-joined cell runs together
        b = service.list_beads(s, aid, 0, 100)["beads"]
        v = service.get_alignment(s, aid)["version"]
        review.merge(s, aid, v, b[-2]["id"], "next", user="anna")
        data = export_bytes(s, aid, fmt, options)
        meta = service.get_alignment(s, aid)
    before = view(factory, aid)
    assert any(len(b[0]) > 1 or len(b[1]) > 1 for b in before)  # a 2-1 or 1-2 bead to keep apart
    imported = read_import(fmt, {"alignment": (f"a.{fmt}", data)})  # no languages given
    assert (imported.src.lang, imported.tgt.lang) == ("ru", "en")
    new = store_import(factory, imported, project="back", via="cli")
    after = view(factory, new)
    assert [(b[0], b[1]) for b in after] == [(b[0], b[1]) for b in before]
    assert [b[2:4] for b in after] == [b[2:4] for b in before]
    with factory() as s:
        back = service.get_alignment(s, new)
    assert meta["encoder"] and back["encoder"] == meta["encoder"]


def test_the_tsv_lengths_columns_come_last_and_fit_the_cells(stored):  # noqa: F811
    factory, aid = stored
    with factory() as s:
        text = export_bytes(s, aid, "tsv", {"notes": True}).decode()
    rows = list(csv.reader(io.StringIO("\n".join(x for x in text.splitlines() if not x.startswith("#"))),
                           delimiter="\t"))
    assert rows[0][:9] == ["source", "target", "score", "type", "flags", "status", "source_ids",
                           "target_ids", "reviewer"]
    assert rows[0][9:] == ["notes", "source_lengths", "target_lengths"]
    for row in rows[1:]:
        for cell, lengths in ((row[0], row[10]), (row[1], row[11])):
            sizes = [int(x) for x in lengths.split(",") if x]
            assert sum(sizes) + max(len(sizes) - 1, 0) == len(cell)


def test_a_language_given_overrides_the_tsv_header(stored):  # noqa: F811
    factory, aid = stored
    with factory() as s:
        data = export_bytes(s, aid, "tsv", {})
    imported = read_import("tsv", {"alignment": ("a.tsv", data)}, src_lang="uk")
    assert (imported.src.lang, imported.tgt.lang) == ("uk", "en")
