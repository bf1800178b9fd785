"""Learning from confirmed beads (aligner.adapt) on a small synthetic project, real encoder."""

from __future__ import annotations

import json

import pytest

from aligner.adapt import MIN_BEADS, Adaptation, fit_adaptation
from aligner.align import AlignConfig, align_texts
from aligner.align.rescore import DEFAULT_WEIGHTS
from aligner.errors import InputError
from tests.support.bitext import PAIRS


def _chapter(pairs):
    """A chapter whose translator adds a bracketed literal gloss after every second
    sentence, which the project's reviewers confirm as an addition (a 0-1 bead)."""
    src, tgt, gold = [], [], []
    for k, (s, t) in enumerate(pairs):
        src.append(s)
        tgt.append(t)
        gold.append(((len(src) - 1,), (len(tgt) - 1,)))
        if k % 2 == 1:
            tgt.append(f"[Literally: {' '.join(t.rstrip('.').split()[-4:])}.]")
            gold.append(((), (len(tgt) - 1,)))
    return src, tgt, gold


def _stretch(chapter):
    src, tgt, gold = chapter
    return [([src[i] for i in s], [tgt[j] for j in t]) for s, t in gold]


@pytest.fixture(scope="module")
def project(default_encoder):
    chapters = [_chapter(PAIRS[k : k + 16]) for k in (0, 16, 32)]
    adaptation = fit_adaptation([_stretch(c) for c in chapters[1:]], default_encoder)
    return chapters[0], adaptation


def test_adaptation_fixes_a_consistent_error(project, default_encoder):
    (src, tgt, gold), adaptation = project
    right = set(gold)
    default = align_texts(src, tgt, default_encoder).beads
    adapted = align_texts(src, tgt, default_encoder, adaptation=adaptation).beads
    wrong_default = [(b.src, b.tgt) for b in default if (b.src, b.tgt) not in right]
    wrong_adapted = [(b.src, b.tgt) for b in adapted if (b.src, b.tgt) not in right]
    # The defaults merge some glosses into the bead before them; adapted, none.
    assert len(wrong_default) >= 2
    assert all(len(s) == 1 and len(t) == 2 and "[Literally" in tgt[t[1]] for s, t in wrong_default)
    assert wrong_adapted == []
    assert adaptation.beads == 2 * 24 and adaptation.stretches == 2 and adaptation.gain > 0
    assert adaptation.changed and adaptation.summary == "adapted on 48 confirmed beads"


def test_adaptation_round_trips_through_json_and_goes_with_the_alignment(project, default_encoder):
    (src, tgt, _), adaptation = project
    stored = json.loads(json.dumps(adaptation.to_json()))
    again = Adaptation.from_json(stored)
    assert again.weights.tolist() == pytest.approx(adaptation.weights.tolist(), abs=1e-6)
    assert (again.beads, again.changed) == (adaptation.beads, adaptation.changed)
    alignment = align_texts(src[:4], tgt[:5], default_encoder, adaptation=again)
    assert alignment.params["adaptation"] == adaptation.to_json()
    assert AlignConfig.from_params(alignment.params) == AlignConfig()  # not a setting


def test_too_few_confirmed_beads_fit_nothing(default_encoder):
    few = _stretch(_chapter(PAIRS[:16]))[: MIN_BEADS - 1]
    assert fit_adaptation([few], default_encoder) is None
    assert fit_adaptation([few * 2], default_encoder, AlignConfig(postpass="off")) is None


def test_bad_input_is_refused(default_encoder):
    with pytest.raises(InputError, match="no sentence on either side"):
        fit_adaptation([[([], [])] * MIN_BEADS], default_encoder)
    with pytest.raises(InputError, match="not a stored adaptation"):
        Adaptation.from_json({"method": "rescore-v1", "beads": "many"})
    with pytest.raises(InputError, match="is not"):
        Adaptation.from_json({"method": "other", "weights": {}, "beads": 1})
    defaults = Adaptation.from_json({"method": "rescore-v1", "weights": {"unknown": 3.0}, "beads": 40})
    assert defaults.weights.tolist() == DEFAULT_WEIGHTS.tolist() and defaults.changed == {}
