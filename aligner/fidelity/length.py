"""``length-ratio``: a character-length ratio far from the document's own, judged with the
length model of Gale & Church (1993), "A program for aligning sentences in bilingual corpora",
*Computational Linguistics* 19(1): δ = (l₂ − c·l₁) / √(l₁·s²)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import math
import statistics
from dataclasses import dataclass

from aligner.fidelity.flag import LENGTH_RATIO, Flag

if TYPE_CHECKING:
    from aligner.fidelity.context import BeadText, FidelityContext


LENGTH_DELTA_MAX = 3.0     # |δ| beyond this is suspicious (two-sided p ≈ 0.003 under N(0, 1))
LENGTH_FACTOR_MIN = 1.5    # …and the ratio must also be off by at least this factor
GC_VARIANCE = 6.8          # Gale & Church (1993) s², used when a document is too short to fit

@dataclass(frozen=True)
class LengthModel:
    """Gale & Church (1993) length model fitted on one document pair.

    ``ratio`` (c) is the median target/source character ratio; ``variance`` (s²) the
    variance of l₂ − c·l₁ per source character, estimated robustly from the median of
    (l₂ − c·l₁)²/l₁ (median of χ²₁ = 0.4549), or G&C's 6.8 for fewer than 5 beads.
    """

    ratio: float = 1.0
    variance: float = GC_VARIANCE

    @classmethod
    def fit(cls, pairs: list[tuple[int, int]]) -> LengthModel:
        """Fit on (source chars, target chars) of non-empty beads."""
        usable = [(a, b) for a, b in pairs if a >= 10 and b >= 10]
        if not usable:
            return cls()
        ratio = statistics.median(b / a for a, b in usable)
        if len(usable) < 5:
            return cls(ratio, GC_VARIANCE)
        variance = statistics.median((b - ratio * a) ** 2 / a for a, b in usable) / 0.4549
        return cls(ratio, max(variance, 1.0))

    def delta(self, src_chars: int, tgt_chars: int) -> float:
        """δ = (l₂ − c·l₁) / √(l₁·s²); roughly N(0, 1) for a true bead."""
        return (tgt_chars - self.ratio * src_chars) / math.sqrt(max(src_chars, 1) * self.variance)


def _length_flag(src_chars: int, tgt_chars: int, model: LengthModel) -> Flag | None:
    if src_chars == 0 or tgt_chars == 0:
        return None
    delta = model.delta(src_chars, tgt_chars)
    factor = (tgt_chars / src_chars) / model.ratio
    if abs(delta) <= LENGTH_DELTA_MAX or max(factor, 1 / factor) < LENGTH_FACTOR_MIN:
        return None
    longer = "target" if factor > 1 else "source"
    shown = factor if factor > 1 else 1 / factor
    return Flag(
        LENGTH_RATIO,
        f"{longer} is {shown:.1f}× longer than this document's usual ratio "
        f"(δ = {delta:+.1f}, Gale & Church 1993)",
        side="tgt" if factor > 1 else "src",
        details={"src_chars": src_chars, "tgt_chars": tgt_chars,
                 "ratio": round(tgt_chars / src_chars, 3),
                 "document_ratio": round(model.ratio, 3), "delta": round(delta, 2)},
    )




def check(bead: BeadText, ctx: FidelityContext) -> list[Flag]:
    """An odd length ratio, if the context has a length model."""
    if ctx.length is None:
        return []
    flag = _length_flag(len(bead.src), len(bead.tgt), ctx.length)
    return [flag] if flag else []
