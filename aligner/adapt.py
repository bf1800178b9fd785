"""Learning from confirmed beads: a project's reviewers confirm beads, and the post-pass's
bead score is re-fitted on them for the rest of that document and the project's others.

Every bead a reviewer confirms is in-domain training data: a translator who renders one
source sentence as three English ones does so throughout the book. A learned re-scorer
fitted on text of the same kind is what CroCoAlign (Molfese et al., EACL 2024) adds on top
of embedding similarity; here the re-scorer is the post-pass's linear bead score
(:mod:`aligner.align.rescore`), and fitting it is a pure function of the confirmed beads'
texts (and the encoder):

    stretches = [[(["Src 1."], ["Tgt 1.", "Tgt 2."]), (["Src 2."], ["Tgt 3."])], ...]
    adaptation = fit_adaptation(stretches, encoder)        # None below MIN_BEADS beads
    alignment = align_texts(src, tgt, encoder, config, adaptation=adaptation)
    stored = adaptation.to_json()                          # kept with the alignment's params

A *stretch* is a run of consecutive confirmed beads of one document pair, each bead the
texts of its source and target sentences in order. Each stretch is aligned from scratch
(the search and the candidates of the post-pass, as for any text); the weights of
:data:`ADAPTED` are then moved by coordinate ascent, from the defaults, to maximise the
exact-match F1 of the post-pass's beads against the confirmed ones. The fit is checked
by two-fold cross-validation over the stretches: unless the weights fitted on one half
also do better on the other, the defaults are kept (a project whose confirmed beads do
not say anything consistent is not changed by noise). A confirmed bead is never changed:
re-alignment keeps confirmed beads as anchors and aligns only the stretches between them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from aligner.align.config import AlignConfig
from aligner.align.fit import Lattice, ascend, build_lattice, exact_f1
from aligner.align.postpass import KINDS
from aligner.align.rescore import DEFAULT_WEIGHTS, FEATURES
from aligner.errors import InputError

#: Fewer confirmed beads than this and nothing is fitted (:func:`fit_adaptation` gives None).
MIN_BEADS = 30
#: The weights a project may move: its translator's habits in bead shapes (how often a
#: sentence is split, merged, left out) and how far its bead similarities run.
ADAPTED = ("bias", "null", "extra", "many_many", "null_best", "length")
STEPS = (0.1, 0.03)  # coordinate-ascent step sizes, in the search's score units
ROUNDS = 3
METHOD = "rescore-v1"  # names the fitted model: a store keying adaptations should use it

ConfirmedBead = tuple[Sequence[str], Sequence[str]]


@dataclass
class Adaptation:
    """Re-scorer weights fitted on a project's confirmed beads.

    ``weights`` ``(len(FEATURES),)`` float64; ``kinds`` the post-pass changes kept (None:
    the config's); ``beads`` and ``stretches`` what it was fitted on; ``gain`` the
    cross-validated exact-match F1 gain on the confirmed beads (0 when the defaults were
    kept); ``changed`` the weights that differ from the defaults.
    """

    weights: np.ndarray
    beads: int
    stretches: int
    gain: float = 0.0
    kinds: frozenset[str] | None = None
    changed: dict[str, float] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        """One line for the page, e.g. ``"adapted on 240 confirmed beads"``."""
        kept = "" if self.changed else " (defaults kept)"
        return f"adapted on {self.beads} confirmed beads{kept}"

    def to_json(self) -> dict:
        """A JSON-ready dict (weights by feature name, so a later feature set can read it)."""
        return {"method": METHOD, "beads": self.beads, "stretches": self.stretches,
                "gain": round(self.gain, 4),
                "kinds": sorted(self.kinds) if self.kinds is not None else None,
                "weights": {name: round(float(w), 6) for name, w in zip(FEATURES, self.weights)}}

    @classmethod
    def from_json(cls, data: dict) -> "Adaptation":
        """The adaptation :meth:`to_json` wrote. Features it does not name keep their
        default weight; names it has that are unknown are ignored. Raises InputError for
        anything else than such a dict (a hand-edited or foreign value)."""
        try:
            if data.get("method") != METHOD:
                raise InputError(f"adaptation method {data.get('method')!r} is not {METHOD!r}")
            weights = DEFAULT_WEIGHTS.astype(np.float64).copy()
            for name, value in dict(data["weights"]).items():
                if name in FEATURES:
                    weights[FEATURES.index(name)] = float(value)
            kinds = data.get("kinds")
            adaptation = cls(weights, int(data["beads"]), int(data.get("stretches", 1)),
                             float(data.get("gain", 0.0)),
                             frozenset(kinds) if kinds is not None else None)
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise InputError(f"not a stored adaptation: {exc}") from None
        adaptation.changed = _changed(weights)
        return adaptation

    @classmethod
    def from_params(cls, params: dict | None) -> "Adaptation | None":
        """The adaptation an alignment was made with (its ``params["adaptation"]``), or None
        if it has none or an unreadable one (a hand-edited or another tool's record)."""
        stored = (params or {}).get("adaptation")
        if not isinstance(stored, dict):
            return None
        try:
            return cls.from_json(stored)
        except InputError:
            return None


def _changed(weights: np.ndarray) -> dict[str, float]:
    return {name: round(float(w), 6) for name, w, d in zip(FEATURES, weights, DEFAULT_WEIGHTS)
            if abs(w - d) > 1e-9}


def _lattice(stretch: Sequence[ConfirmedBead], encoder, config: AlignConfig) -> Lattice | None:
    src = [s for bead in stretch for s in bead[0]]
    tgt = [t for bead in stretch for t in bead[1]]
    gold, p, q = [], 0, 0
    for s_texts, t_texts in stretch:
        gold.append((tuple(range(p, p + len(s_texts))), tuple(range(q, q + len(t_texts)))))
        p, q = p + len(s_texts), q + len(t_texts)
    return build_lattice(src, tgt, gold, encoder, config)


def _ascend(lats: Sequence[Lattice], start: np.ndarray, kinds: frozenset[str]) -> np.ndarray:
    """Coordinate ascent of the :data:`ADAPTED` weights on the exact-match F1 of ``lats``."""
    return ascend(lambda w: exact_f1(lats, w, kinds), start, ADAPTED, STEPS, ROUNDS)[0]


def _folds(lats: list[Lattice]) -> tuple[list[Lattice], list[Lattice]]:
    """Two halves with about as many confirmed beads each (stretches alternate by size)."""
    ordered = sorted(lats, key=lambda lat: -len(lat.gold))
    one, two, count = [], [], [0, 0]
    for lat in ordered:
        side = 0 if count[0] <= count[1] else 1
        (one if side == 0 else two).append(lat)
        count[side] += len(lat.gold)
    return one, two


def _split_long(stretch: Sequence[ConfirmedBead], size: int) -> list[Sequence[ConfirmedBead]]:
    return [stretch[k : k + size] for k in range(0, len(stretch), size)]


def fit_adaptation(stretches: Sequence[Sequence[ConfirmedBead]], encoder,
                   config: AlignConfig | None = None, *, min_beads: int = MIN_BEADS,
                   piece: int = 150) -> Adaptation | None:
    """Fit the post-pass's weights on confirmed beads (module docstring).

    Args:
        stretches: runs of consecutive confirmed beads; each bead ``(source sentence texts,
            target sentence texts)``, both in document order. 1-0/0-1 beads have one side empty.
        encoder: as for :func:`aligner.align.align_texts` (the one the project aligns with).
        config: the project's settings (default :class:`AlignConfig`).
        min_beads: fewer confirmed beads than this and nothing is fitted.
        piece: stretches are cut into pieces of at most this many beads (the units of the
            cross-validation; a search over a short piece is also cheap).

    Returns:
        An :class:`Adaptation`, or None if there are fewer than ``min_beads`` beads or the
        post-pass is off. Its weights are the defaults when the cross-validation did not
        show a gain. Raises InputError if a bead has no sentence on either side.
    """
    config = (config or AlignConfig()).resolved()
    kinds = KINDS.get(config.postpass, frozenset())
    total = sum(len(s) for s in stretches)
    if total < min_beads or not kinds:
        return None
    if any(not bead[0] and not bead[1] for s in stretches for bead in s):
        raise InputError("a confirmed bead has no sentence on either side")
    pieces = [p for s in stretches for p in _split_long(list(s), piece) if p]
    lats = [lat for p in pieces if (lat := _lattice(p, encoder, config)) is not None]
    start = DEFAULT_WEIGHTS.astype(np.float64)
    adaptation = Adaptation(start.copy(), total, len(stretches))
    if len(lats) < 2:
        return adaptation
    one, two = _folds(lats)
    gain = 0.0
    for train, held in ((one, two), (two, one)):
        fitted = _ascend(train, start, kinds)
        gain += exact_f1(held, fitted, kinds) - exact_f1(held, start, kinds)
    if gain <= 0:
        return adaptation
    weights = _ascend(lats, start, kinds)
    adaptation.weights, adaptation.gain, adaptation.changed = weights, gain / 2, _changed(weights)
    return adaptation
