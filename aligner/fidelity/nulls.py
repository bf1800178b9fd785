"""``omission`` / ``addition``: 1-0 and 0-1 beads (not flagged in a partial rendering,
which is made of them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aligner.fidelity.flag import ADDITION, OMISSION, Flag

if TYPE_CHECKING:
    from aligner.fidelity.context import BeadText, FidelityContext


def check(bead: BeadText, ctx: FidelityContext) -> list[Flag]:
    """An omission flag for a bead with source sentences only, an addition flag for one
    with target sentences only."""
    if ctx.partial or (bead.src and bead.tgt) or not (bead.src or bead.tgt):
        return []
    if bead.src:
        return [Flag(OMISSION, "source sentence(s) with no translation (1-0 bead)", side="src",
                     details={"sentences": len(bead.src_texts)})]
    return [Flag(ADDITION, "translation with no source sentence (0-1 bead)", side="tgt",
                 details={"sentences": len(bead.tgt_texts)})]
