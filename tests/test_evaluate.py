"""Tests for aligner.evaluate: bead parsing, metric 1a (strict/lax), metric 1b, per-type scores.

Expected values on the small made-up documents are computed by hand in the comments; the
stored Bertalign outputs must reproduce the scores quoted in /work/shared/eval-data/README.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer.main
from click.testing import CliRunner

from api.cli import app
from aligner.errors import InputError
from aligner.evaluate import (
    evaluate_beads,
    evaluate_paths,
    format_beads,
    format_report,
    parse_beads,
    read_document_set,
    score_by_type,
    score_exact_match,
    score_strict_lax,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
EVAL = SHARED / "eval-data"
needs_eval_data = pytest.mark.skipif(
    not EVAL.is_dir(), reason=f"gold sets not available ({EVAL} absent; CI has ../shared)"
)

# One document exercising a strict hit, lax-only hits, null beads on both sides and a duplicate.
GOLD = "[0]:[0]\n[1]:[1, 2]\n[2]:[]\n[]:[3]\n[3, 4]:[4]\n"
TEST = "[0]:[0]\n[0]:[0]\n[1]:[1]\n[]:[2]\n[2]:[]\n[3]:[3]\n[4]:[4]\n"


# --- parsing ------------------------------------------------------------------------------


def test_parse_both_spacings_null_beads_score_field_and_blank_lines():
    text = "[0]:[0, 1]\n\n[8,9]:[]\n[]:[2]:0.156\n   \n[10, 11]:[3,4] \n"
    assert parse_beads(text) == [((0,), (0, 1)), ((8, 9), ()), ((), (2,)), ((10, 11), (3, 4))]


def test_parse_keeps_order_and_duplicates():
    assert parse_beads("[1]:[1]\n[0]:[0]\n[1]:[1]\n") == [((1,), (1,)), ((0,), (0,)), ((1,), (1,))]


@pytest.mark.parametrize(
    "bad, lineno",
    [
        ("[0]:[0]\n\n[1]:[x]\n", 3),  # blank line still counts for the line number
        ("[0] [0]\n", 1),  # no colon
        ("[0]:[0]\n[1]:\n", 2),  # missing target list
        ("[0]:[0]:0.1 extra\n", 1),  # junk after the score
        ("[-1]:[0]\n", 1),  # negative id
        ("[,]:[0]\n", 1),
    ],
)
def test_malformed_line_names_file_and_line(bad, lineno):
    with pytest.raises(InputError, match=rf"^doc\.align:{lineno}: malformed bead line"):
        parse_beads(bad, name="doc.align")


def test_format_round_trips():
    beads = parse_beads(TEST)
    assert parse_beads(format_beads(beads)) == beads
    assert format_beads([((8, 9), ()), ((), (2,))]) == "[8, 9]:[]\n[]:[2]\n"


def test_non_utf8_file_is_input_error(tmp_path):
    p = tmp_path / "bad.align"
    p.write_bytes(b"[0]:[0]\n\xff\xfe\n")
    with pytest.raises(InputError, match="not UTF-8"):
        read_document_set(p, p)


# --- metric 1a ----------------------------------------------------------------------------


def test_strict_lax_hand_computed():
    # Precision: test set (duplicate gone) = {0:0, 1:1, []:2, 2:[], 3:3, 4:4} -> 6 beads.
    #   gold links 0->{0}, 1->{1,2}, 3->{4}, 4->{4}
    #   0:0 exact (strict+lax); 1:1 lax (1-1 link in gold); []:2 not in gold -> lax FP;
    #   2:[] exact (null bead in gold); 3:3 no link -> lax FP; 4:4 lax (4-4 link in gold).
    #   strict P = 2/6, lax P = 4/6.
    # Recall: non-null gold {0:0, 1:1,2, 3,4:4} vs non-null test {0:0, 1:1, 3:3, 4:4}:
    #   0:0 exact; 1:1,2 lax via 1-1; 3,4:4 lax via 4-4.  strict R = 1/3, lax R = 3/3.
    # F1 strict = 2(1/3)(1/3)/(2/3) = 1/3; lax = 2(2/3)(1)/(5/3) = 0.8.
    r = score_strict_lax([parse_beads(GOLD)], [parse_beads(TEST)])
    assert (r.strict.tp_p, r.strict.test_total, r.lax.tp_p) == (2, 6, 4)
    assert (r.strict.tp_r, r.strict.gold_total, r.lax.tp_r) == (1, 3, 3)
    assert r.strict.precision == pytest.approx(2 / 6)
    assert r.lax.precision == pytest.approx(4 / 6)
    assert r.strict.recall == pytest.approx(1 / 3)
    assert r.lax.recall == pytest.approx(1.0)
    assert r.strict.f1 == pytest.approx(1 / 3)
    assert r.lax.f1 == pytest.approx(0.8)


def test_test_null_bead_not_in_gold_is_lax_fp_and_ignored_in_recall():
    # gold 0:0, 1:1; test 0:0, [1]:[] , []:[1].
    # P: 0:0 strict; [1]:[] and []:[1] absent from gold, no links -> lax FP. P = 1/3 strict & lax.
    # R: nulls dropped from test, so gold 1:1 has no partner -> R = 1/2 strict & lax.
    r = score_strict_lax([[((0,), (0,)), ((1,), (1,))]], [[((0,), (0,)), ((1,), ()), ((), (1,))]])
    assert (r.strict.precision, r.lax.precision) == pytest.approx((1 / 3, 1 / 3))
    assert (r.strict.recall, r.lax.recall) == pytest.approx((0.5, 0.5))


def test_empty_both_sides_bead_is_dropped():
    # []:[] counts for nothing under 1a: P = 1/1, R = 1/1.
    r = score_strict_lax([[((0,), (0,))]], [[((0,), (0,)), ((), ())]])
    assert (r.strict.test_total, r.strict.precision, r.strict.recall) == (1, 1.0, 1.0)


def test_micro_average_and_empty_test_document():
    # doc A: test == gold (2 beads); doc B: gold 1 bead, test empty.
    # Micro: P = 2/2 = 1, R = 2/3, F1 = 2*1*(2/3)/(5/3) = 0.8.  (A macro average would give R 0.5.)
    gold = [[((0,), (0,)), ((1,), (1,))], [((0,), (0,))]]
    test = [[((0,), (0,)), ((1,), (1,))], []]
    r = score_strict_lax(gold, test)
    assert (r.strict.precision, r.strict.recall, r.strict.f1) == pytest.approx((1.0, 2 / 3, 0.8))


def test_all_empty_gives_zero_not_error():
    r = score_strict_lax([[]], [[]])
    assert (r.strict.precision, r.strict.recall, r.strict.f1, r.lax.f1) == (0.0, 0.0, 0.0, 0.0)
    assert score_exact_match([[]], [[]]).f1 == 0.0


def test_document_count_mismatch_is_value_error():
    with pytest.raises(ValueError):
        score_strict_lax([[]], [[], []])


# --- metric 1b and per-type ---------------------------------------------------------------


def test_exact_match_counts_list_and_nulls():
    # test list (7 beads) found in gold: 0:0 twice (a list, so both count) and 2:[] -> 3.
    # P = 3/7, R = 3/5 (5 gold beads, nulls included), F1 = 2(9/35)/(36/35) = 0.5.
    r = score_exact_match([parse_beads(GOLD)], [parse_beads(TEST)])
    assert (r.tp_p, r.test_total, r.gold_total) == (3, 7, 5)
    assert (r.precision, r.recall, r.f1) == pytest.approx((3 / 7, 3 / 5, 0.5))


def test_by_type_hand_computed():
    # gold: 1-1 0:0 (found), 1-2 1:1,2 (missed), 1-0 2:[] (found), 0-1 []:3 (missed),
    #       2-1 3,4:4 (missed).
    # test: 1-1 x5 (0:0 twice correct, 1:1, 3:3, 4:4 wrong) -> precision 2/5; 0-1 []:2 wrong;
    #       1-0 2:[] correct.
    by = {t.type: t for t in score_by_type([parse_beads(GOLD)], [parse_beads(TEST)])}
    assert [k for k in by] == ["1-1", "1-2", "2-1", "1-0", "0-1", "other"]
    assert (by["1-1"].gold_count, by["1-1"].gold_found, by["1-1"].recall) == (1, 1, 1.0)
    assert (by["1-1"].test_count, by["1-1"].test_correct, by["1-1"].precision) == (5, 2, 0.4)
    assert (by["1-2"].gold_count, by["1-2"].recall, by["1-2"].test_count) == (1, 0.0, 0)
    assert (by["2-1"].gold_count, by["2-1"].gold_found) == (1, 0)
    assert (by["1-0"].recall, by["1-0"].precision) == (1.0, 1.0)
    assert (by["0-1"].gold_count, by["0-1"].recall, by["0-1"].test_count, by["0-1"].precision) == (
        1, 0.0, 1, 0.0
    )
    assert (by["other"].gold_count, by["other"].test_count) == (0, 0)


def test_other_type_collects_larger_beads():
    by = {t.type: t for t in score_by_type([[((0, 1), (0, 1)), ((2,), (2, 3, 4))]],
                                           [[((0, 1), (0, 1))]])}
    assert (by["other"].gold_count, by["other"].gold_found, by["other"].precision) == (2, 1, 1.0)


def test_gold_against_itself_is_perfect():
    gold = [parse_beads(GOLD)]
    rep = evaluate_beads(gold, gold)
    assert rep.strict_lax.strict.f1 == rep.strict_lax.lax.f1 == rep.exact.f1 == 1.0
    assert all(t.recall == 1.0 for t in rep.by_type if t.gold_count)


# --- reading folders and the CLI ----------------------------------------------------------


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_folders_pair_by_name_and_report_missing(tmp_path):
    gold = _write(tmp_path / "gold", {"001": "[0]:[0]\n[1]:[1]\n", "002.align": "[0]:[0]\n"})
    test = _write(tmp_path / "test", {"001.align": "[0]:[0]\n[1]:[1]\n", "009.align": "[0]:[0]\n"})
    rep = evaluate_paths(test, gold)
    assert rep.documents == ["001", "002"]
    assert rep.missing_in_test == ["002"] and rep.extra_in_test == ["009"]
    # 002 scored as an empty test document: P 2/2, R 2/3 (as in the micro-average test).
    assert (rep.strict_lax.strict.precision, rep.strict_lax.strict.recall) == pytest.approx((1, 2 / 3))
    text = format_report(rep)
    assert "missing in test (scored as empty): 002" in text and "009" in text


def test_file_against_folder_is_input_error(tmp_path):
    gold = _write(tmp_path / "gold", {"001": "[0]:[0]\n"})
    with pytest.raises(InputError, match="both be files or both be folders"):
        read_document_set(gold / "001", gold)
    with pytest.raises(InputError, match="not found"):
        read_document_set(tmp_path / "nope", gold)


def test_cli_text_json_and_clean_error(tmp_path):
    gold = tmp_path / "gold.align"
    test = tmp_path / "test.align"
    gold.write_text(GOLD, encoding="utf-8")
    test.write_text(TEST, encoding="utf-8")
    cli = typer.main.get_group(app)
    runner = CliRunner()
    res = runner.invoke(cli, ["evaluate", str(test), str(gold)])
    assert res.exit_code == 0, res.output
    assert "F1            0.333  0.800" in res.output  # strict/lax F1 from the hand computation
    res = runner.invoke(cli, ["evaluate", str(test), str(gold), "--format", "json"])
    data = json.loads(res.output)
    assert data["exact"]["f1"] == pytest.approx(0.5)
    assert data["strict_lax"]["lax"]["recall"] == pytest.approx(1.0)
    assert data["by_type"][0]["type"] == "1-1" and data["by_type"][0]["precision"] == 0.4
    test.write_text("[0]:[0]\nnot a bead\n", encoding="utf-8")
    res = runner.invoke(cli, ["evaluate", str(test), str(gold)])
    assert res.exit_code == 2
    assert f"{test}:2: malformed bead line" in res.output
    assert "Traceback" not in res.output
    gold.write_text("", encoding="utf-8")  # an empty gold would score a meaningless 0
    res = runner.invoke(cli, ["evaluate", str(gold), str(gold)])
    assert res.exit_code == 2 and "no beads in the gold" in res.output


# --- reproduction of the published / README scores ----------------------------------------


@needs_eval_data
def test_reproduces_bertalign_2021_on_text_berg():
    rep = evaluate_paths(EVAL / "text+berg/bertalign-2021-auto", EVAL / "text+berg/bertalign-text+berg/gold")
    s, lx = rep.strict_lax.strict, rep.strict_lax.lax
    assert rep.missing_in_test == [] and len(rep.documents) == 7
    assert (s.precision, s.recall, s.f1) == pytest.approx((0.938, 0.941, 0.939), abs=0.001)
    assert (lx.precision, lx.recall, lx.f1) == pytest.approx((0.993, 0.991, 0.992), abs=0.001)
    # Metric 1b counts the 58 gold null beads in recall: README quotes .902.
    assert rep.exact.recall == pytest.approx(0.902, abs=0.001)
    assert sum(t.gold_count for t in rep.by_type) == 916  # README §2.4: 916 gold beads


@needs_eval_data
def test_reproduces_bertalign_readme_on_mac_dev():
    rep = evaluate_paths(EVAL / "mac-dev/auto", EVAL / "mac-dev/gold")
    s, lx = rep.strict_lax.strict, rep.strict_lax.lax
    assert (s.precision, s.recall, s.f1) == pytest.approx((0.909, 0.914, 0.911), abs=0.001)
    assert (lx.precision, lx.recall, lx.f1) == pytest.approx((0.996, 1.000, 0.998), abs=0.001)
    by = {t.type: t for t in rep.by_type}
    assert (by["1-1"].gold_count, sum(t.gold_count for t in rep.by_type)) == (832, 1343)
