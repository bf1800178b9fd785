"""Word links inside a bead (aligner.words) and their evaluation (aligner.evaluate_words)."""

from __future__ import annotations

import numpy as np
import pytest

from aligner.errors import InputError
from aligner.evaluate_words import (
    parse_pharaoh_line,
    read_pairs,
    run_evaluate_words,
    run_words,
    score_links,
)
from aligner.words import Lexicon, Link, WordAlignment, align_pretokenised, link_words, tokenize
from aligner.words.link import attach_function_words, mutual_argmax, second_round
from aligner.words.similarity import spelling_similarity
from aligner.words.tokens import from_words

# ---------------------------------------------------------------- metric and formats


def test_metric_on_a_hand_made_gold_with_sure_and_possible_links():
    # Gold: sure 0-0, 1-1; possible 2?2. Test: 0-0 (sure), 1-2 (wrong), 2-2 (possible).
    # |A| = 3, |S| = 2, |A∩S| = 1, |A∩P| = 2 → P = 2/3, R = 1/2,
    # AER = 1 - (1 + 2) / (3 + 2) = 0.4 (Och & Ney 2003).
    gold = [parse_pharaoh_line("0-0 1-1 2?2")]
    score = score_links([{(0, 0), (1, 2), (2, 2)}], gold)
    assert score.precision == pytest.approx(2 / 3)
    assert score.recall == pytest.approx(1 / 2)
    assert score.aer == pytest.approx(0.4)
    assert score.f1 == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))


def test_with_sure_links_only_aer_is_one_minus_f1():
    gold = [parse_pharaoh_line("0-0 1-1 2-3"), parse_pharaoh_line("")]
    score = score_links([{(0, 0), (2, 2)}, {(0, 0)}], gold)
    # A = 3, S = 3, A∩S = 1: P = R = F1 = 1/3.
    assert score.f1 == pytest.approx(1 / 3)
    assert score.aer == pytest.approx(1 - score.f1)


def test_evaluate_words_reads_pharaoh_or_an_xlwa_gold_column(tmp_path):
    test = tmp_path / "test.txt"
    test.write_text("0-0 1-1\n0-1\n", encoding="utf-8")
    pharaoh_gold = tmp_path / "gold.txt"
    pharaoh_gold.write_text("0-0 1-1\n0-0\n", encoding="utf-8")
    tsv_gold = tmp_path / "gold.tsv"
    tsv_gold.write_text("a b\tа б\t0-0 1-1\nc\tв г\t0-0\n", encoding="utf-8")
    for gold in (pharaoh_gold, tsv_gold):
        report = run_evaluate_words(test, gold)
        assert (report.precision, report.recall) == pytest.approx((2 / 3, 2 / 3))
        assert report.pairs == 2


@pytest.mark.parametrize("line", ["0-0 1_1", "0-0 a-1", "0--1", "-1-0"])
def test_malformed_pharaoh_links_are_refused_with_the_line(tmp_path, line):
    path = tmp_path / "bad.txt"
    path.write_text(f"0-0\n{line}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.txt:2"):
        run_evaluate_words(path, path)


def test_pairs_tsv_errors_and_mismatched_counts(tmp_path):
    bad = tmp_path / "pairs.tsv"
    bad.write_text("one two\tодин два\nno tab here\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"pairs.tsv:2: expected source tokens, a tab"):
        read_pairs(bad)
    with pytest.raises(InputError, match="no such file"):
        run_words(tmp_path / "missing.tsv", "en", "ru")
    test, gold = tmp_path / "t.txt", tmp_path / "g.txt"
    test.write_text("0-0\n", encoding="utf-8")
    gold.write_text("0-0\n1-1\n", encoding="utf-8")
    with pytest.raises(InputError, match="1 sentence pairs and the gold 2"):
        run_evaluate_words(test, gold)


# ---------------------------------------------------------------- tokens and structures


def test_tokens_keep_their_character_offsets():
    text = "Сигемицу сказал, что слова «в нашем понимании» -- к 8 или 9 августа; Маньчжоу-Го 1,000."
    tokens = tokenize(text)
    assert all(text[t.start : t.end] == t.text for t in tokens)
    assert [t.text for t in tokens][4:9] == ["слова", "«", "в", "нашем", "понимании"]
    assert {"--", "Маньчжоу-Го", "1,000", "8"} <= {t.text for t in tokens}


def test_pretokenised_input_round_trips(default_encoder, tmp_path):
    src, tgt = "He was born in 1742 .".split(), "Он родился в 1742 году .".split()
    alignment = align_pretokenised(src, tgt, "en", "ru", default_encoder)
    assert [t.text for t in alignment.src_tokens] == src
    joined = " ".join(tgt)
    assert [joined[t.start : t.end] for t in alignment.tgt_tokens] == tgt
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(f"{' '.join(src)}\t{joined}\textra column\n\n", encoding="utf-8")
    out = tmp_path / "out.txt"
    lines = run_words(pairs, "en", "ru", out, default_encoder)
    assert out.read_text(encoding="utf-8").splitlines() == lines
    assert lines[0] == alignment.pharaoh() and lines[1] == ""
    assert {(4, 3), (5, 5)} <= parse_pharaoh_line(lines[0]).sure  # 1742 and the full stop
    with pytest.raises(InputError, match="whitespace"):
        from_words(["a b"])


def test_groups_and_partial_links():
    alignment = WordAlignment(from_words("the effective end".split()), from_words(["конец", "фактический"]),
                              [Link(0, 0, 0.9, "function-word"), Link(2, 0, 0.9), Link(1, 1, 0.8)])
    assert alignment.groups() == [([0, 2], [0]), ([1], [1])]
    assert alignment.partial() == {(0, 0), (2, 0)}
    assert alignment.pharaoh() == "0-0 1-1 2-0"


def test_mutual_argmax_and_the_second_round():
    sim = np.array([[0.9, 0.1, 0.1],
                    [0.1, 0.6, 0.5],
                    [0.1, 0.7, 0.8]])
    # Word 1's best match (column 1) prefers word 2, which is linked to column 2.
    assert mutual_argmax(sim) == [(0, 0), (2, 2)]
    # Left free, 1 and 1 are each other's best among the free words, column 1 was word 1's
    # first choice, and a diagonal neighbour is linked: the second round links them...
    assert second_round(sim, {(0, 0), (2, 2)}) == [(1, 1)]
    # ...but not without a linked diagonal neighbour.
    assert second_round(sim, {(0, 2), (2, 0)}) == []


def test_function_words_attach_to_the_word_of_their_category():
    words = "the effective end of the Bulgarian Empire".split()
    other = ["конец", "Болгарского", "царства", "фактический"]
    links = {1: [3], 2: [0], 5: [1], 6: [2]}
    found = set(attach_function_words(words, "en", links, other, "ru"))
    # "the effective end" → «конец» (a noun; «фактический» is an adjective);
    # "of the Bulgarian Empire" and its "the" → «царства», not «Болгарского».
    assert found == {(0, 0), (3, 2), (4, 2)}
    verbs = "Russia was represented by teams".split()
    assert attach_function_words(verbs, "en", {0: [0], 2: [1], 4: [2]},
                                 ["Россию", "представляли", "командами"], "ru") == [(1, 1)]


def test_spelling_similarity_of_numbers_names_and_punctuation():
    assert spelling_similarity("8th", "8", "en", "ru") == 1.0
    assert spelling_similarity("nine", "девяти", "en", "ru") == 1.0
    assert spelling_similarity("8th", "9", "en", "ru") == 0.0
    assert spelling_similarity("Shigemitsu", "Сигемицу", "en", "ru") > 0.85
    assert spelling_similarity("Ivo", "Иво", "en", "ru") == 0.0  # a key of 3 letters matches by chance
    assert spelling_similarity("Moscow", "Москва", "en", "ru") == 0.0  # 3 edits in 6: unlike
    assert spelling_similarity("window", "виндоу", "en", "ru") == 0.0  # not a name: no capital
    assert spelling_similarity("«", "«", "ru", "ru") == 1.0
    assert spelling_similarity(",", ".", "en", "ru") == 0.0


# ---------------------------------------------------------------- the seed corpus


def _litvinov_pairs(ru_path, en_ocr_path):
    """The two (Russian, English) paragraphs of the seed where «в нашем понимании» occurs."""
    ru = [line for line in ru_path.read_text(encoding="utf-8").splitlines() if "в нашем понимании" in line]
    en = [line for line in en_ocr_path.read_text(encoding="utf-8").splitlines() if "our understanding" in line]
    assert len(ru) == len(en) == 2
    return list(zip(ru, en))


def _linked(alignment, src_words, tgt_words):
    """Start indices of a run of ``src_words`` each linked to the matching ``tgt_words`` run."""
    src = [t.text for t in alignment.src_tokens]
    tgt = [t.text for t in alignment.tgt_tokens]
    pairs = alignment.pairs()
    hits = []
    for i in range(len(src) - len(src_words) + 1):
        if src[i : i + len(src_words)] != src_words:
            continue
        for j in range(len(tgt) - len(tgt_words) + 1):
            if tgt[j : j + len(tgt_words)] == tgt_words and all(
                    (i + k, j + k) in pairs for k in range(len(src_words))):
                hits.append((i, j))
    return hits


def test_litvinov_phrase_is_linked_in_both_sentences(ru_path, en_ocr_path, default_encoder):
    for ru, en in _litvinov_pairs(ru_path, en_ocr_path):
        alignment = link_words(ru, en, "ru", "en", default_encoder)
        assert _linked(alignment, ["в", "нашем", "понимании"], ["in", "our", "understanding"]), en[:60]


def test_litvinov_number_and_name_are_linked_exactly(ru_path, en_ocr_path, default_encoder):
    (ru1, en1), (ru2, en2) = _litvinov_pairs(ru_path, en_ocr_path)
    first = link_words(ru1, en1, "ru", "en", default_encoder)
    for ru_word, en_word in (("8", "8th"), ("9", "9th"), ("августа", "August")):
        assert _linked(first, [ru_word], [en_word]), ru_word
    second = link_words(ru2, en2, "ru", "en", default_encoder)
    assert _linked(second, ["Сигемицу", "сказал"], ["Shigemitsu", "said"])
    # Offsets point into the given text, so the page can highlight the linked words.
    name = next(t for t in second.src_tokens if t.text == "Сигемицу")
    assert ru2[name.start : name.end] == "Сигемицу"
    assert all(0.0 <= link.confidence <= 1.0 for link in first.links + second.links)


def test_seed_pairs_and_a_learned_lexicon_link_unknown_words(default_encoder):
    src, tgt = "Blorp met the Zindar envoy", "Посол Кваллы встретил Блорпа"
    plain = link_words(src, tgt, "en", "ru", default_encoder)
    seeded = link_words(src, tgt, "en", "ru", default_encoder, seed_pairs=[("Zindar", "Кваллы")])
    assert (3, 1) not in plain.pairs() and (3, 1) in seeded.pairs()
    lexicon = Lexicon.learn([seeded, seeded])
    assert lexicon.score("zindar", "кваллы") == 1.0  # a seed given back as two confirmed beads
    assert lexicon.score("zindar", "посол") == 0.0
    assert (3, 1) in link_words(src, tgt, "en", "ru", default_encoder, lexicon=lexicon).pairs()


def test_an_empty_side_has_no_links(default_encoder):
    alignment = link_words("", "Только одна сторона.", "en", "ru", default_encoder)
    assert alignment.links == [] and len(alignment.tgt_tokens) == 4
