"""What happened to each pair of a batch, and the summary table."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

from aligner.fidelity.flag import FLAG_CODES
from aligner.types import reconstruction_note


@dataclass
class PairResult:
    """What happened to one pair.

    ``status`` is ``"aligned"``, ``"skipped"`` (already in the store) or ``"failed"``
    (``error`` says why). Counts are filled for aligned pairs; ``seconds`` is wall time.
    ``beads_by_type`` counts bead types ("1-1", "2-1", …); ``flagged_beads`` counts beads
    with at least one fidelity flag and ``flags`` the flags by code.
    """

    name: str
    status: str
    error: str = ""
    alignment_id: int | None = None
    src_sentences: int = 0
    tgt_sentences: int = 0
    beads_by_type: dict[str, int] = field(default_factory=dict)
    mean_score: float | None = None
    flagged_beads: int = 0
    flags: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    #: Files of the pair that are test reconstructions (every output must say so).
    reconstructions: list[str] = field(default_factory=list)

    @property
    def beads(self) -> int:
        return sum(self.beads_by_type.values())


def summarise(result: PairResult, alignment, *docs) -> None:
    """Fill ``result``'s counts from an aligned pair (bead types, mean score, flags) and
    name those of its documents ``docs`` that are test reconstructions."""
    result.reconstructions = [d.provenance.file for d in docs if d.provenance.kind == "reconstruction"]
    result.beads_by_type = dict(sorted(Counter(b.type for b in alignment.beads).items()))
    scores = [b.score for b in alignment.beads]
    result.mean_score = round(statistics.fmean(scores), 4) if scores else None
    codes = [[f for f in b.flags if f in FLAG_CODES] for b in alignment.beads]
    result.flagged_beads = sum(1 for c in codes if c)
    result.flags = dict(Counter(f for c in codes for f in c).most_common())


def format_summary(results: list[PairResult]) -> str:
    """A plain-text table: one row per pair (sentences, beads by type, mean score, flagged
    beads, seconds, status) and a total row."""
    types = sorted({t for r in results for t in r.beads_by_type},
                   key=lambda t: (t != "1-1", t))
    width = max([len(r.name) for r in results] + [8])
    head = (f"{'pair':<{width}}  {'src':>6} {'tgt':>6} " + " ".join(f"{t:>5}" for t in types)
            + f" {'score':>6} {'flagged':>7} {'secs':>7}  status")
    lines = [head, "-" * len(head)]
    for r in results:
        score = f"{r.mean_score:.3f}" if r.mean_score is not None else "—"
        # A skipped or failed pair was not read or aligned here: no counts rather than zeros.
        done = r.status == "aligned"
        src_n, tgt_n, flagged = ((r.src_sentences, r.tgt_sentences, r.flagged_beads) if done
                                 else ("—", "—", "—"))
        row = (f"{r.name:<{width}}  {src_n:>6} {tgt_n:>6} "
               + " ".join(f"{r.beads_by_type.get(t, 0) if done else '—':>5}" for t in types)
               + f" {score:>6} {flagged:>7} {r.seconds:>7.1f}  {r.status}")
        if r.error:
            row += f": {r.error}"
        if r.reconstructions:  # the label goes with the row, not only in a note below
            row += "  [TEST RECONSTRUCTION]"
        lines.append(row)
    aligned = [r for r in results if r.status == "aligned"]
    beads = sum(r.beads for r in aligned)
    mean = (sum((r.mean_score or 0) * r.beads for r in aligned) / beads) if beads else None
    lines.append("-" * len(head))
    lines.append(
        f"{'total':<{width}}  {sum(r.src_sentences for r in aligned):>6} "
        f"{sum(r.tgt_sentences for r in aligned):>6} "
        + " ".join(f"{sum(r.beads_by_type.get(t, 0) for r in aligned):>5}" for t in types)
        + f" {(f'{mean:.3f}' if mean is not None else '—'):>6} "
        f"{sum(r.flagged_beads for r in aligned):>7} {sum(r.seconds for r in results):>7.1f}  "
        + ", ".join(f"{n} {status}" for status in ("aligned", "skipped", "failed")
                    if (n := sum(r.status == status for r in results))))
    flag_totals = Counter()
    for r in aligned:
        flag_totals.update(r.flags)
    if flag_totals:
        lines.append("flags: " + ", ".join(f"{c} {n}" for c, n in flag_totals.most_common()))
    for file in dict.fromkeys(f for r in results for f in r.reconstructions):  # stored before too
        lines.append(reconstruction_note(file))
    return "\n".join(lines)
