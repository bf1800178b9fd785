"""Displaced OCR lines in the seed exhibit (aligner.lineorder), with the real encoder."""

from __future__ import annotations

import pytest

from aligner.align import align_documents
from aligner.document import document_from_text, prepare_document
from aligner.lineorder import displaced_lines


@pytest.fixture(scope="module")
def seed(ru_path, en_ocr_path, default_encoder):
    ru = prepare_document(ru_path, "ru")
    en = prepare_document(en_ocr_path, "en")
    return ru, en, align_documents(ru, en, default_encoder)


def test_both_displacements_of_the_exhibit_are_found(seed):
    ru, en, alignment = seed
    lines = [c for c in alignment.crossings if c.reason.startswith("OCR line")]
    assert len(lines) == 2
    interleaved, fragment = lines
    # README: the block's logical line order is 1, 3, 4, 2 — line 24 belongs after line 28.
    assert "line 24 “we will attack them in spite of any agreements. If the”" in interleaved.reason
    assert "after line 28" in interleaved.reason
    assert "в течение этого времени" in ru.texts[interleaved.src[0]]
    assert "we will attack them" in " ".join(en.texts[j] for j in interleaved.tgt)
    # "not fire toward Manchukuo." belongs after "… our understanding, and will".
    assert "line 46 “not fire toward Manchukuo.”" in fragment.reason
    assert "and will”" in fragment.reason
    assert en.texts[fragment.tgt[0]] == "not fire toward Manchukuo."
    assert "Маньчжоу-Го" in ru.texts[fragment.src[0]]
    # The lacuna's lone surviving word is not taken for a displaced fragment.
    assert not any(en.texts[j] == "ago." for c in alignment.crossings for j in c.tgt)


def test_lines_in_their_logical_order_give_no_candidate(seed, en_ocr_path, default_encoder):
    ru, _, _ = seed
    raw = en_ocr_path.read_text(encoding="ascii")
    moved = "we will attack them in spite of any agreements. If the\n\n"
    assert moved in raw
    raw = raw.replace(moved, "").replace(
        "appear again on Soviet territory within this time,\n\n",
        "appear again on Soviet territory within this time,\n\n" + moved)
    assert "\nnot fire toward Manchukuo.\n" in raw and raw.count("our understanding, and will") == 1
    raw = raw.replace("\nnot fire toward Manchukuo.\n", "\n").replace(
        "our understanding, and will", "our understanding, and will not fire toward Manchukuo.")
    en = document_from_text(raw, "en", filename="en.repaired.txt")
    alignment = align_documents(ru, en, default_encoder)
    assert displaced_lines(ru.texts, en, alignment.beads, default_encoder) == []
    assert not [c for c in alignment.crossings if c.reason.startswith("OCR line")]


def test_text_without_line_breaks_gives_nothing(default_encoder):
    doc = document_from_text("One sentence here. Another one there.", "en", filename="x.txt")
    assert displaced_lines(["Одно.", "Другое."], doc, [], default_encoder) == []


def test_one_sentence_per_line_is_not_searched():
    """Presplit text has no line break inside a sentence: nothing is encoded at all."""
    from aligner.types import Bead

    class Counting:
        calls = 0

        def encode(self, texts):
            Counting.calls += 1
            raise AssertionError("should not encode")

    doc = document_from_text("First line.\nSecond line here.\nThird.\nFourth one.\n", "en",
                             filename="x.txt", presplit=True)
    beads = [Bead((i,), (i,), 0.3) for i in range(4)]
    assert displaced_lines(["А.", "Б.", "В.", "Г."], doc, beads, Counting()) == []
    assert Counting.calls == 0
