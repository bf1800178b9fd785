"""The post-pass (aligner.align.postpass), its bead score (aligner.align.rescore) and the text
evidence (aligner.align.evidence), with the real encoder on hand-made beads."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aligner.align import AlignConfig
from aligner.align.evidence import evidence_features, sentence_evidence
from aligner.align.postpass import aligned_stretches, candidates, change_kind, postpass
from aligner.align.rescore import DEFAULT_WEIGHTS, FEATURES, FITTED, bead_features, score_beads
from aligner.align.run import search_texts
from aligner.types import Bead

SRC = ["The weather was cold that morning.", "The train left the station at noon.",
       "My sister bought a red umbrella.", "We walked along the river."]
TGT = ["В то утро было холодно.", "Поезд ушёл со станции в полдень.",
       "Моя сестра купила красный зонт.", "Мы гуляли вдоль реки."]


def _state(src, tgt, encoder, config):
    search, beads, _, _ = search_texts(src, tgt, encoder, config.resolved())
    return search, beads


def _pairs(beads):
    return [(b.src, b.tgt) for b in beads]


def test_an_over_merged_bead_is_split(default_encoder):
    """Two 1-1 pairs merged into a 2-2 bead: the post-pass ("all") takes them apart."""
    config = AlignConfig(postpass="all")
    search, found = _state(SRC, TGT, default_encoder, config)
    assert _pairs(found) == [((0,), (0,)), ((1,), (1,)), ((2,), (2,)), ((3,), (3,))]
    merged = [Bead((0,), (0,), 0.9), Bead((1, 2), (1, 2), 0.9), Bead((3,), (3,), 0.9)]
    result = postpass(search.inp, merged, SRC, TGT, config.resolved())
    assert _pairs(result.beads) == _pairs(found)
    assert result.changes == {"split": 1}
    # The default keeps only changes that make or remove a 1-0/0-1 bead.
    kept = postpass(search.inp, merged, SRC, TGT, AlignConfig().resolved())
    assert _pairs(kept.beads) == _pairs(merged) and kept.changes == {}


def test_an_unrelated_sentence_merged_into_a_bead_is_set_apart(default_encoder):
    """A 1-2 bead whose second target sentence renders nothing of the source: the default
    post-pass makes it a 1-1 and a 0-1 bead; the split bead's confidence is recomputed."""
    tgt = TGT[:2] + ["■ iv V V ."] + TGT[2:]
    search, _ = _state(SRC, tgt, default_encoder, AlignConfig())
    merged = [Bead((0,), (0,), 0.9), Bead((1,), (1, 2), 0.9), Bead((2,), (3,), 0.9), Bead((3,), (4,), 0.9)]
    result = postpass(search.inp, merged, SRC, tgt, AlignConfig().resolved())
    assert _pairs(result.beads) == [((0,), (0,)), ((1,), (1,)), ((), (2,)), ((2,), (3,)), ((3,), (4,))]
    assert result.changes == {"null": 1}
    assert result.beads[0] is merged[0]  # untouched beads are the search's own objects
    assert 0.0 < result.beads[1].score < 1.0 and result.beads[1].score != 0.9


def test_the_search_path_is_kept_with_the_search_weights_alone(default_encoder):
    """With only the search's own score, the lattice's best path is the search's path."""
    src, tgt = SRC + ["It rained in the evening."], TGT + ["Вечером пошёл дождь.", "Конец."]
    search, found = _state(src, tgt, default_encoder, AlignConfig())
    weights = np.zeros(len(FEATURES))
    weights[FEATURES.index("search")] = 1.0
    result = postpass(search.inp, found, src, tgt, AlignConfig(postpass="all").resolved(), weights)
    assert _pairs(result.beads) == _pairs(found) and result.changes == {}


def test_a_number_mismatch_lowers_the_bead_score(default_encoder):
    """The same bead with the same vectors, once with the numbers agreeing and once not."""
    src = ["The ship arrived on 12 May 1938 with 240 passengers."]
    agree = ["Судно прибыло 12 мая 1938 года с 240 пассажирами."]
    differ = ["Судно прибыло 12 мая 1938 года с 420 пассажирами."]
    search, _ = _state(src, agree, default_encoder, AlignConfig())
    one = np.array([0]), np.array([1]), np.array([0]), np.array([1])
    config = AlignConfig().resolved()
    f_agree = bead_features(search.inp, *one, config, sentence_evidence(src), sentence_evidence(agree))
    f_differ = bead_features(search.inp, *one, config, sentence_evidence(src), sentence_evidence(differ))
    col = {name: k for k, name in enumerate(FEATURES)}
    # {12, 1938, 240} on both sides; against {12, 1938, 420}: two shared, two on one side.
    assert f_agree[0, col["num_both"]] == pytest.approx(math.log1p(3))
    assert f_agree[0, col["num_one"]] == 0.0
    assert f_differ[0, col["num_both"]] == pytest.approx(math.log1p(2))
    assert f_differ[0, col["num_one"]] == pytest.approx(math.log1p(2))
    drop = score_beads(f_agree, DEFAULT_WEIGHTS)[0] - score_beads(f_differ, DEFAULT_WEIGHTS)[0]
    expected = (FITTED["num_both"] * (math.log1p(3) - math.log1p(2))
                - FITTED["num_one"] * math.log1p(2))
    assert drop == pytest.approx(expected, abs=1e-5) and drop > 0.1


def test_numbers_names_quotes_and_junk_evidence():
    src = sentence_evidence(["Вчера Сигемицу сказал, что высота 3 000 м.", "«Идите", "домой», — сказал он.",
                             "■ iv V V ."])
    tgt = sentence_evidence(["Yesterday Shigemitsu said the height was 3000 m.", '"Go home," he said.',
                             "— 12 —"])
    assert src.numbers[0] == {"3000"} and tgt.numbers[0] == {"3000"}
    assert src.quote_depth.tolist() == [0, 0, 1, 0, 0]
    assert tgt.quote_depth.tolist() == [0, 0, 0, 0]
    assert src.junk.tolist() == [False, False, False, True] and tgt.junk.tolist() == [False, False, True]
    ev = evidence_features(src, tgt, np.array([0, 1, 1, 3]), np.array([1, 2, 3, 4]),
                           np.array([0, 1, 1, 2]), np.array([1, 2, 2, 2]))
    # Bead 0: 3000 on both sides, the name on both sides (Сигемицу ~ Shigemitsu).
    assert ev[0, :4].tolist() == pytest.approx([math.log1p(1), 0.0, math.log1p(1), 0.0])
    # Bead 1 ends inside the Russian quotation but outside the English one; bead 2 does not.
    assert ev[1, 4] == 1.0 and ev[2, 4] == 0.0
    # Bead 3 is the junk line left alone (a 1-0 bead).
    assert ev[3, 6] == 1.0 and ev[3, 5] == 0.0


def test_candidates_cover_every_stretch_and_skip_sure_ones():
    beads = [Bead((0,), (0,), 0.99), Bead((1,), (1,), 0.99), Bead((2,), (2, 3), 0.8), Bead((3,), (4,), 0.99)]
    every = candidates(beads, 2, 6, 7)
    assert {tuple(c) for c in every.tolist()} >= {(0, 1, 0, 1), (1, 3, 1, 4), (2, 3, 2, 3), (2, 2, 2, 3)}
    sure = candidates(beads, 2, 6, 7, sure=0.9)
    kept = {tuple(c) for c in sure.tolist()}
    assert (0, 2, 0, 2) not in kept  # the first two beads are sure 1-1 beads
    assert (1, 3, 1, 4) in kept and (0, 1, 0, 1) in kept  # a stretch with the 1-2; own beads
    assert len(sure) < len(every)


def test_change_kinds_of_stretches():
    old = [Bead((0,), (0,)), Bead((1, 2), (1,)), Bead((3,), (2,))]
    new = [Bead((0,), (0,)), Bead((1,), (1,)), Bead((2,), ()), Bead((3,), (2,))]
    stretches = aligned_stretches(old, new)
    assert [change_kind(a, b) for a, b in stretches] == [None, "null", None]
    assert change_kind([Bead((0, 1), (0, 1))], [Bead((0,), (0,)), Bead((1,), (1,))]) == "split"
    assert change_kind([Bead((0,), (0, 1)), Bead((1,), (2,))], [Bead((0,), (0,)), Bead((1,), (1, 2))]) == "shift"
