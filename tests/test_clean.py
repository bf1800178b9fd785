"""aligner.clean: page furniture, joins across page breaks, hyphenation, paragraphs, map."""

from __future__ import annotations

import pytest

from aligner.clean import clean_text


@pytest.fixture(scope="module")
def en_raw(en_ocr_path) -> str:
    return en_ocr_path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def en_clean(en_raw):
    return clean_text(en_raw)


def test_furniture_is_removed(en_clean):
    text = en_clean.text
    assert "Def. Doc" not in text
    assert "28" not in text.split()
    assert not text.rstrip().endswith("Copy")
    assert text.rstrip().endswith("would follow. Litvinov.")
    assert text.startswith("From M. M. Litvinov's Diary\n\nRECORD OF A CONVERSATION")


def test_page_breaks_and_pages(en_raw, en_clean):
    starts = en_clean.page_starts
    assert len(starts) == 3 and starts[0] == 0
    assert en_raw[starts[1] :].startswith("Def. Doc. # 1504 Shigemitsu stated that since")
    assert en_raw[starts[2] :].startswith("Def. Doc. # 1504 in a peaceful way")
    assert en_clean.page_at(0) == 1
    assert en_clean.page_at(en_raw.index("Hunch'un Agreement has been")) == 2
    assert en_clean.page_at(en_raw.index("fraion!")) == 3


def test_mid_sentence_page_break_is_joined(en_clean):
    assert "to settle the incident in a peaceful way, but what had been said" in en_clean.text


def test_page_break_at_sentence_end_stays_a_paragraph_break(en_clean):
    assert "between Manchukuo and the U.S.S.R.\n\nShigemitsu stated that since" in en_clean.text


def test_wrapped_heading_lines_join_but_blank_lines_separate(en_clean):
    paras = en_clean.text.split("\n\n")
    assert paras[0] == "From M. M. Litvinov's Diary"
    assert paras[1] == "RECORD OF A CONVERSATION WITH SHIGHMITSU OF AUGUST 7, 1938."
    assert paras[4] == "To Shigemitsu's statement I replied as follows:"
    assert len(paras) == 17


def test_double_spaced_ocr_lines_join_only_before_lower_case(en_clean):
    text = en_clean.text
    assert "in the Far East, we will attack them in spite of any agreements. If the several" in text
    assert "within this time,\n\nJapanese Government indeed" in text
    assert "never cross the border and will never fire across the border. Then there" in text
    # the displaced fragment is not glued to the next speaker's paragraph
    assert "and will\n\nShigemitsu said that if" in text


def test_one_paragraph_per_line_file_keeps_its_lines(ru_path):
    raw = ru_path.read_text(encoding="utf-8")
    cleaned = clean_text(raw)
    lines = [line for line in raw.split("\n") if line.strip()]
    assert cleaned.text.split("\n\n") == lines
    assert cleaned.page_starts == [0]


def test_offsets_map_every_char_back(en_raw, en_clean):
    text, offs = en_clean.text, en_clean.offsets
    assert len(offs) == len(text) + 1 and offs[-1] == len(en_raw)
    assert offs == sorted(offs)
    for i, c in enumerate(text):
        if not c.isspace():
            assert en_raw[offs[i]] == c, i


def test_hyphenation_undone_unless_the_hyphenated_word_is_in_the_text():
    raw = "the defen-\nce line, to-\nday and to-day.\n\nNext para-\n\n12\n\ngraph here."
    cleaned = clean_text(raw)
    assert cleaned.text == "the defence line, to-day and to-day.\n\nNext paragraph here."
    start = cleaned.text.index("defence")
    assert cleaned.raw_span(start, start + 7) == (4, 13)
    assert raw[4:13] == "defen-\nce"
    assert cleaned.page_starts == [0, raw.index("12")]


def test_dashes_at_line_end_are_not_hyphenation():
    assert clean_text("said Shigemitsu --\nyou demanded").text == "said Shigemitsu -- you demanded"


def test_form_feed_is_a_page_break():
    cleaned = clean_text("Page one ends here.\fPage two starts.")
    assert cleaned.text == "Page one ends here.\n\nPage two starts."
    assert cleaned.page_starts == [0, 20]
    assert cleaned.page_at(25) == 2


def test_hard_wrapped_text_without_blank_lines():
    raw = (
        "It was a dark and stormy night; the rain fell in torrents, except at\n"
        "occasional intervals, when it was checked by a violent gust of wind which\n"
        "swept up the streets.\n"
        "Meanwhile the lamps struggled against the darkness, and the wind howled\n"
        "along the housetops with fury.\n"
    )
    paras = clean_text(raw).text.split("\n\n")
    assert len(paras) == 2
    assert paras[0].endswith("which swept up the streets.")


def test_whitespace_and_nfc_with_honest_offsets():
    raw = "Cafe\u0301  here.\tTab\u00a0here."
    cleaned = clean_text(raw)
    assert cleaned.text == "Caf\u00e9 here. Tab here."
    assert cleaned.raw_span(0, 4) == (0, 5)  # é comes from "e" + combining acute


def test_no_ocr_keeps_furniture_but_normalises_space():
    raw = "28\n\nDef. Doc. #1504\n\nText   here,\n\nand more. Copy"
    cleaned = clean_text(raw, ocr=False)
    assert cleaned.text == "28\n\nDef. Doc. #1504\n\nText here,\n\nand more. Copy"
    assert cleaned.page_starts == [0]


def test_strip_markup_keeps_offsets_honest():
    raw = "<h1>Title</h1><delimiter>Illustrations by <b>John</b> Tenniel.\n<i>Verse one<delimiter>verse two</i>"
    cleaned = clean_text(raw, ocr=False, strip_markup=True)
    assert cleaned.text == "Title\nIllustrations by John Tenniel.\n\nVerse one verse two"
    i = cleaned.text.index("John")
    rs, re_ = cleaned.raw_span(i, i + len("John Tenniel."))
    assert raw[rs:re_] == "John</b> Tenniel."
