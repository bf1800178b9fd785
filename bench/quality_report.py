"""The tables and JSON that ``bench/quality.py`` prints: our figures next to the published ones."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass

from aligner.evaluate import EvaluationReport
from quality_data import PUBLISHED


@dataclass
class Result:
    corpus: str
    note: str
    docs: int
    sentences: int
    seconds: float
    cpu_seconds: float = 0.0
    report: EvaluationReport | None = None
    inside: tuple[int, int] | None = None
    skip: str = ""


def _fmt(t: tuple[float, float, float] | None) -> str:
    return "   —     —     —  " if t is None else " ".join(f"{x:.3f}" for x in t) + " "


def format_table(results: list[Result], system: str) -> str:
    head = (f"{'corpus':<20}{'system':<40}{'1a strict P/R/F1':<19}{'1a lax P/R/F1':<19}"
            f"{'1b exact P/R/F1':<19}")
    lines = [head, "-" * len(head)]
    for res in results:
        if res.skip:
            lines.append(f"{res.corpus:<20}skipped: {res.skip}")
            continue
        r = res.report
        sl, ex = r.strict_lax, r.exact
        label = res.corpus + (" (para)" if res.inside is not None else "")
        lines.append(
            f"{label:<20}{system:<40}{_fmt((sl.strict.precision, sl.strict.recall, sl.strict.f1))} "
            f"{_fmt((sl.lax.precision, sl.lax.recall, sl.lax.f1))} {_fmt((ex.precision, ex.recall, ex.f1))}"
        )
        for name, scores in PUBLISHED.get(res.corpus, {}).items():
            lines.append(
                f"{'':<20}{name + ' [pub]':<40}{_fmt(scores.get('strict'))} {_fmt(scores.get('lax'))} "
                f"{_fmt(scores.get('exact'))}"
            )
    notes = [
        f"{res.corpus}: {res.inside[0]}/{res.inside[1]} linked sentence beads "
        f"({res.inside[0] / max(res.inside[1], 1):.1%}) stay inside one gold paragraph pair"
        for res in results if res.inside is not None and not res.skip
    ]
    return "\n".join(lines + ([""] + notes if notes else [])) + "\n"


def format_by_type(results: list[Result]) -> str:
    out = []
    for res in results:
        if res.skip:
            continue
        cells = "  ".join(
            f"{t.type} {t.gold_count}:R{t.recall:.2f}/P{t.precision:.2f}"
            for t in res.report.by_type if t.gold_count or t.test_count
        )
        out.append(f"{res.corpus:<20}{cells}")
    return "by gold bead type (count: exact recall / precision)\n" + "\n".join(out) + "\n"


def to_json(results: list[Result], system: str, total: float, cpu: float, params: dict | None) -> dict:
    return {
        "system": system,
        "align_config": params,
        "total_cpu_seconds": round(cpu, 2),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version()},
        "total_seconds": round(total, 2),
        "corpora": [
            {
                "corpus": r.corpus, "note": r.note, "skipped": r.skip or None, "documents": r.docs,
                "sentences": r.sentences, "seconds": round(r.seconds, 2),
                "cpu_seconds": round(r.cpu_seconds, 2),
                "scores": r.report.to_dict() | {"documents": len(r.report.documents)} if r.report else None,
                "inside_paragraph": list(r.inside) if r.inside else None,
                "published": {k: v for k, v in PUBLISHED.get(r.corpus, {}).items()},
            }
            for r in results
        ],
    }
