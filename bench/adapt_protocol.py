"""The 20 %-confirmed protocol of ``bench/quality.py --adapt`` (issue 16): how much learning
from a project's confirmed beads (aligner.adapt) adds on the rest of its documents.

For each document the gold beads of its first ``share`` (in gold order) count as confirmed;
the rest of the document (the sentences after the last confirmed one, on each side) is
aligned on its own twice, without and with the adaptation fitted on the confirmed beads of
every document of the same *project*, and only the rest is scored (gold beads that lie
wholly in it, re-indexed). A project is a book for MAC-Test (its 24 documents are four
chapters of six novels, ``meta_data.tsv``), a document for MAC-Dev (six novels), and the
whole corpus otherwise (Text+Berg: one yearbook; NTREX: one news set). Both runs align the
same rest the same way, so the difference is the adaptation's alone.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from aligner.evaluate import evaluate_beads


@dataclass
class ProtocolResult:
    """One corpus under the protocol: rest-only reports without and with adaptation."""

    corpus: str
    docs: int
    confirmed: int
    base: object = None
    adapted: object = None
    fits: list[tuple[str, int, float, str]] = field(default_factory=list)  # project, beads, s, summary
    timing: tuple[int, float] | None = None  # (beads, seconds) of a fit on 1,000 beads


def split_document(gold, share: float):
    """(confirmed beads, source cut, target cut, rest gold re-indexed) of one document."""
    gold = list(gold)
    k = math.ceil(share * len(gold))
    confirmed = gold[:k]
    cut_s = max((i for s, _ in confirmed for i in s), default=-1) + 1
    cut_t = max((j for _, t in confirmed for j in t), default=-1) + 1
    confirmed = [(s, t) for s, t in confirmed if all(i < cut_s for i in s) and all(j < cut_t for j in t)]
    rest = [(tuple(i - cut_s for i in s), tuple(j - cut_t for j in t)) for s, t in gold[k:]
            if all(i >= cut_s for i in s) and all(j >= cut_t for j in t)]
    return confirmed, cut_s, cut_t, rest


def project_of(corpus: str, doc_name: str, data: Path) -> str:
    """The project a document belongs to (module docstring)."""
    if corpus == "mac-test":
        meta = data / "mac-test" / "meta_data.tsv"
        if meta.is_file():
            rows = [line.split("\t") for line in meta.read_text(encoding="utf-8").splitlines()[1:]]
            books = {r[0]: r[3] for r in rows if len(r) > 3}
            return books.get(doc_name, doc_name)
    if corpus == "mac-dev":
        return doc_name
    return corpus


def run_protocol(corpus, encoder, config, share: float, data: Path) -> ProtocolResult:
    """The protocol on one loaded corpus (``bench/quality.py``'s Corpus)."""
    from aligner.adapt import fit_adaptation
    from aligner.align import align_texts
    from aligner.evaluate import beads_from_alignment

    parts = []
    stretches: dict[str, list] = defaultdict(list)
    for doc in corpus.docs:
        confirmed, cut_s, cut_t, rest = split_document(doc.gold, share)
        project = project_of(corpus.name, doc.name, data)
        stretches[project].append([([doc.src[i] for i in s], [doc.tgt[j] for j in t]) for s, t in confirmed])
        parts.append((doc, project, cut_s, cut_t, rest))
    result = ProtocolResult(corpus.name, len(corpus.docs), sum(len(s) for v in stretches.values() for s in v))
    adaptations = {}
    for project, runs in stretches.items():
        t0 = time.perf_counter()
        adaptations[project] = fit_adaptation(runs, encoder, config)
        summary = adaptations[project].summary if adaptations[project] else "not adapted (too few beads)"
        result.fits.append((project, sum(len(r) for r in runs), time.perf_counter() - t0, summary))
    golds, base, adapted = [], [], []
    for doc, project, cut_s, cut_t, rest in parts:
        src, tgt = doc.src[cut_s:], doc.tgt[cut_t:]
        golds.append(rest)
        base.append(beads_from_alignment(align_texts(src, tgt, encoder, config)))
        adapted.append(beads_from_alignment(align_texts(src, tgt, encoder, config,
                                                        adaptation=adaptations[project])))
    result.base = evaluate_beads(golds, base)
    result.adapted = evaluate_beads(golds, adapted)
    if result.confirmed and sum(len(d.gold) for d in corpus.docs) >= 1000:
        result.timing = time_fit(corpus, encoder, config)
    return result


def time_fit(corpus, encoder, config, beads: int = 1000) -> tuple[int, float]:
    """Seconds to fit an adaptation on the first ``beads`` gold beads of the corpus's
    documents (whole documents, in order; embeddings as cached by ``encoder``)."""
    from aligner.adapt import fit_adaptation

    stretches, count = [], 0
    for doc in corpus.docs:
        run = [([doc.src[i] for i in s], [doc.tgt[j] for j in t]) for s, t in doc.gold][: beads - count]
        stretches.append(run)
        count += len(run)
        if count >= beads:
            break
    t0 = time.perf_counter()
    fit_adaptation(stretches, encoder, config)
    return count, time.perf_counter() - t0


def format_protocol(results: list[ProtocolResult], share: float) -> str:
    """The protocol's table: rest-only strict 1a and exact 1b F1, without and with."""
    lines = [f"{share:.0%}-confirmed protocol: the rest of each document, without / with adaptation",
             f"{'corpus':<14}{'docs':>5}{'confirmed':>10}  {'1a strict F1':>22}  {'1b exact F1':>22}"]
    for r in results:
        a, b = r.base, r.adapted
        lines.append(
            f"{r.corpus:<14}{r.docs:>5}{r.confirmed:>10}  "
            f"{a.strict_lax.strict.f1:.3f} → {b.strict_lax.strict.f1:.3f} ({b.strict_lax.strict.f1 - a.strict_lax.strict.f1:+.3f})  "
            f"{a.exact.f1:.3f} → {b.exact.f1:.3f} ({b.exact.f1 - a.exact.f1:+.3f})")
        for project, beads, seconds, summary in r.fits:
            lines.append(f"    project {project[:40]:<40} {beads:>5} beads, fit {seconds:.1f} s: {summary}")
        if r.timing:
            lines.append(f"    fit on the first {r.timing[0]} gold beads of the corpus: {r.timing[1]:.1f} s "
                         "(embeddings cached as by this run)   [target < 5 s]")
    return "\n".join(lines) + "\n"
