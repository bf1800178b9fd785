"""Fidelity flags of a stored alignment as it is *now*, with their evidence.

Beads store only flag codes (for the review queue). The details — which numbers differ,
which name is on one side only, the suggested reading of an OCR-suspect word — are
recomputed here by :func:`aligner.fidelity.alignment_flags` from the current beads, so a
merge, split or re-segmentation never leaves stale evidence behind. Results are cached per
database, alignment and version: every edit bumps the version, so the cache cannot go stale.

Pure reading: nothing in the store is changed; suggestions are never applied.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from aligner.fidelity import alignment_flags
from aligner.store.errors import NotFoundError
from aligner.store.models import AlignmentRow, BeadRow
from aligner.store.service import load_bitext

_CACHE_SIZE = 8  # alignments whose flags are kept (one review page uses one)
_cache: OrderedDict[tuple, list[dict]] = OrderedDict()
_lock = threading.Lock()


def _compute(session: Session, alignment_id: int) -> list[dict]:
    src, tgt, alignment = load_bitext(session, alignment_id)
    ids = list(session.scalars(select(BeadRow.id).where(BeadRow.alignment_id == alignment_id)
                               .order_by(BeadRow.position)))
    src_text = {s.index: s.text for s in src.sentences}
    tgt_text = {s.index: s.text for s in tgt.sentences}
    report = []
    for index, flags in sorted(alignment_flags(src, tgt, alignment).items()):
        bead = alignment.beads[index]
        report.append({"bead_id": ids[index], "position": index,
                       "type": f"{len(bead.src)}-{len(bead.tgt)}",
                       "src": [{"ord": i, "text": src_text[i]} for i in bead.src],
                       "tgt": [{"ord": j, "text": tgt_text[j]} for j in bead.tgt],
                       "flags": [f.to_dict() for f in flags]})
    return report


def fidelity_report(session: Session, alignment_id: int) -> list[dict]:
    """Every bead with at least one fidelity flag, in position order.

    Returns ``[{"bead_id", "position" (0-based), "type" ("2-1"), "src"/"tgt": [{"ord",
    "text"}], "flags": [{"code", "message", "side", "details", "suggestion"}]}]``.
    Costs one pass of the checks over both documents (about a second per 10,000
    sentences) the first time per alignment version. Raises NotFoundError."""
    row = session.execute(select(AlignmentRow.version, AlignmentRow.created)
                          .where(AlignmentRow.id == alignment_id)).first()
    if row is None:
        raise NotFoundError(f"alignment {alignment_id} not found")
    # The database URL and creation time keep two stores (or a re-created file) apart.
    key = (str(session.get_bind().url), alignment_id, row.created, row.version)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    report = _compute(session, alignment_id)
    with _lock:
        _cache[key] = report
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return report


def bead_fidelity(session: Session, alignment_id: int, bead_id: int) -> list[dict]:
    """The flags of one bead now (``[]`` if it has none), as in :func:`fidelity_report`.
    Raises NotFoundError (unknown alignment, or a bead not in it)."""
    report = fidelity_report(session, alignment_id)
    for entry in report:
        if entry["bead_id"] == bead_id:
            return entry["flags"]
    if session.scalar(select(BeadRow.id).where(BeadRow.id == bead_id,
                                               BeadRow.alignment_id == alignment_id)) is None:
        raise NotFoundError(f"bead {bead_id} not found in alignment {alignment_id}")
    return []


def format_report(report: list[dict], *, src_label: str = "source",
                  tgt_label: str = "target") -> str:
    """Plain-text fidelity report: one block per flagged bead, positions and sentence
    numbers 1-based as on the review page."""
    if not report:
        return "no fidelity flags\n"
    lines = [f"{len(report)} flagged beads"]
    for e in report:
        src_nums = ",".join(str(s["ord"] + 1) for s in e["src"]) or "–"
        tgt_nums = ",".join(str(s["ord"] + 1) for s in e["tgt"]) or "–"
        lines.append(f"\n#{e['position'] + 1} ({e['type']}) {src_label} {src_nums} ↔ "
                     f"{tgt_label} {tgt_nums}")
        for side, label in (("src", src_label), ("tgt", tgt_label)):
            text = " ".join(s["text"] for s in e[side])
            if text:
                lines.append(f"  {label}: {text}")
        for f in e["flags"]:
            hint = f" (suggested: {f['suggestion']})" if f.get("suggestion") else ""
            lines.append(f"  ! {f['code']}: {f['message']}{hint}")
    return "\n".join(lines) + "\n"
