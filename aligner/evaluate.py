"""Score a sentence alignment against a gold alignment (quality measurement).

Two published metrics are implemented, both over *beads* written one per line as
``[src ids]:[tgt ids]`` (0-based sentence ids; the Vecalign/Bertalign format):

* **1a, strict/lax P/R/F1** — Sennrich & Volk (2010, 2011; https://aclanthology.org/W11-4624/)
  as implemented in Vecalign ``score.py`` (Thompson & Koehn 2019) and Bertalign
  ``bertalign/eval.py``. Precision is over the *set* of test beads and includes null beads;
  recall drops every bead that is empty on either side. A bead that misses exactly is still a
  *lax* hit if it shares at least one (source, target) link with the other side.
* **1b, exact match P/R/F1** — aligner-eval ``utils/eval.py`` (Liu & Zhu, DSH 2022): test
  beads, taken as a *list*, found exactly in the gold list; null beads count on both sides.

Counts are summed over all documents before ratios are taken (micro-average), as both tools do.
A per-bead-type breakdown (gold type 1-1, 1-2, 2-1, 1-0, 0-1, other) tells where errors are.
See /work/shared/eval-data/README.md §0–§1 for the format and metric details.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from aligner.errors import InputError

#: One bead as plain tuples: (source ids, target ids), both 0-based and ascending.
RawBead = tuple[tuple[int, ...], tuple[int, ...]]

#: Bead types reported separately in the breakdown; everything else is "other".
BEAD_TYPES: tuple[str, ...] = ("1-1", "1-2", "2-1", "1-0", "0-1", "other")

_ID_LIST = r"\[\s*((?:\d+\s*(?:,\s*\d+\s*)*)?)\]"
# ``[0, 1]:[2]`` with an optional third ``:cost`` field (Vecalign prints one; it is ignored).
_BEAD_LINE = re.compile(rf"^\s*{_ID_LIST}\s*:\s*{_ID_LIST}\s*(?::\s*\S*\s*)?$")
_ALIGN_SUFFIX = ".align"


# --- reading ------------------------------------------------------------------------------


def _ids(group: str) -> tuple[int, ...]:
    return tuple(int(x) for x in group.split(",") if x.strip())


def parse_beads(text: str, name: str = "<string>") -> list[RawBead]:
    """Parse alignment text in the Vecalign/Bertalign bead format.

    Each non-blank line is ``[s, ...]:[t, ...]`` (``[8,9]`` and ``[8, 9]`` both accepted),
    optionally followed by ``:score`` which is ignored. Blank lines are skipped. Order and
    duplicates are kept (metric 1b needs the list).

    Returns a list of ``(src_ids, tgt_ids)`` tuples.
    Raises :class:`InputError` naming ``name`` and the 1-based line number of a malformed line.
    """
    beads: list[RawBead] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        m = _BEAD_LINE.match(line)
        if m is None:
            shown = line.strip()
            if len(shown) > 60:
                shown = shown[:57] + "..."
            raise InputError(
                f"{name}:{lineno}: malformed bead line {shown!r} "
                "(expected '[src ids]:[tgt ids]', e.g. '[0]:[0, 1]')"
            )
        beads.append((_ids(m.group(1)), _ids(m.group(2))))
    return beads


def read_beads(path: str | Path) -> list[RawBead]:
    """Read one alignment file (see :func:`parse_beads`).

    Raises :class:`InputError` if the file is missing, not UTF-8, or has a malformed line.
    An empty file is a valid empty alignment.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such alignment file")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{p}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return parse_beads(text, name=str(p))


def format_beads(beads: Iterable[RawBead]) -> str:
    """Write beads in the Vecalign format, one ``[0, 1]:[2]`` line each (newline-terminated)."""
    lines = [f"[{', '.join(map(str, s))}]:[{', '.join(map(str, t))}]" for s, t in beads]
    return "".join(line + "\n" for line in lines)


def beads_from_alignment(alignment) -> list[RawBead]:
    """Turn an :class:`aligner.types.Alignment` (or any list of objects with ``.src``/``.tgt``)
    into plain :data:`RawBead` tuples."""
    beads = getattr(alignment, "beads", alignment)
    return [(tuple(b.src), tuple(b.tgt)) for b in beads]


def _doc_key(path: Path) -> str:
    name = path.name
    return name[: -len(_ALIGN_SUFFIX)] if name.endswith(_ALIGN_SUFFIX) else name


def _alignment_files(folder: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for p in sorted(folder.iterdir()):
        if p.is_file() and not p.name.startswith("."):
            key = _doc_key(p)
            if key in files:
                raise InputError(f"{folder}: both {files[key].name} and {p.name} name document {key!r}")
            files[key] = p
    return files


@dataclass
class DocumentSet:
    """Test and gold alignments paired by document.

    ``names[i]`` is the document key (file name without ``.align``); ``test[i]``/``gold[i]``
    its beads. ``missing_in_test`` lists gold documents with no test file (scored as empty
    test documents); ``extra_in_test`` lists test files with no gold (ignored).
    """

    names: list[str]
    test: list[list[RawBead]]
    gold: list[list[RawBead]]
    missing_in_test: list[str] = field(default_factory=list)
    extra_in_test: list[str] = field(default_factory=list)


def read_document_set(test: str | Path, gold: str | Path) -> DocumentSet:
    """Read TEST and GOLD, each either one alignment file or a folder of per-document files.

    Folders are paired by file name with any ``.align`` suffix removed (``001.align`` ↔
    ``001``). A gold document without a test file counts as an empty test document.
    Raises :class:`InputError` if a path is missing, if one is a file and the other a folder,
    or if the gold folder holds no files.
    """
    tp, gp = Path(test), Path(gold)
    for p, role in ((tp, "test"), (gp, "gold")):
        if not p.exists():
            raise InputError(f"{p}: {role} alignment not found")
    if tp.is_file() and gp.is_file():
        return DocumentSet([_doc_key(gp)], [read_beads(tp)], [read_beads(gp)])
    if tp.is_dir() != gp.is_dir():
        raise InputError(
            f"test {tp} and gold {gp} must both be files or both be folders of per-document files"
        )
    gold_files = _alignment_files(gp)
    if not gold_files:
        raise InputError(f"{gp}: gold folder has no alignment files")
    test_files = _alignment_files(tp)
    names = sorted(gold_files)
    missing = [n for n in names if n not in test_files]
    extra = sorted(n for n in test_files if n not in gold_files)
    return DocumentSet(
        names=names,
        test=[read_beads(test_files[n]) if n in test_files else [] for n in names],
        gold=[read_beads(gold_files[n]) for n in names],
        missing_in_test=missing,
        extra_in_test=extra,
    )


# --- metrics ------------------------------------------------------------------------------


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1 in [0, 1] with the counts they come from.

    ``precision = tp_p / test_total``, ``recall = tp_r / gold_total``. The two true-positive
    counts differ under metric 1a because precision and recall are run on different bead sets.
    """

    precision: float
    recall: float
    f1: float
    tp_p: int
    test_total: int
    tp_r: int
    gold_total: int

    @classmethod
    def from_counts(cls, tp_p: int, test_total: int, tp_r: int, gold_total: int) -> PRF:
        p, r = _ratio(tp_p, test_total), _ratio(tp_r, gold_total)
        return cls(p, r, _f1(p, r), tp_p, test_total, tp_r, gold_total)


@dataclass(frozen=True)
class StrictLax:
    """Metric 1a result: strict and lax P/R/F1 (Vecalign ``score.py``)."""

    strict: PRF
    lax: PRF


def _as_set(beads: Iterable[RawBead]) -> set[RawBead]:
    return {(tuple(s), tuple(t)) for s, t in beads if s or t}


def _precision_counts(gold: Iterable[RawBead], test: Iterable[RawBead]) -> tuple[int, int, int]:
    """(strict TP, lax TP, number of test beads) of a test set judged against a gold set.

    Port of ``_precision`` in Vecalign ``score.py``: both sides become sets without ``[]:[]``;
    a test bead not found exactly is a lax hit if one of its target ids is linked in gold to
    one of its source ids.
    """
    gold_set, test_set = _as_set(gold), _as_set(test)
    links: dict[int, set[int]] = defaultdict(set)
    for gs, gt in gold_set:
        for s in gs:
            links[s].update(gt)
    tp_strict = tp_lax = 0
    for ts, tt in test_set:
        if (ts, tt) in gold_set:
            tp_strict += 1
            tp_lax += 1
        elif any(t in links[s] for s in ts for t in tt):
            tp_lax += 1
    return tp_strict, tp_lax, len(test_set)


def _non_null(beads: Iterable[RawBead]) -> list[RawBead]:
    return [(s, t) for s, t in beads if s and t]


def score_strict_lax(
    gold_docs: Sequence[Sequence[RawBead]], test_docs: Sequence[Sequence[RawBead]]
) -> StrictLax:
    """Metric 1a: strict and lax P/R/F1 (Sennrich & Volk 2011; Vecalign ``score.py``).

    ``gold_docs[i]`` and ``test_docs[i]`` are the beads of document i. Precision: the set of
    test beads (nulls included) against the set of gold beads (nulls included). Recall: the
    same procedure with roles swapped after dropping every bead empty on either side. Counts
    are summed over documents, then P = TP/|test|, R = TP/|gold|, F1 = 2PR/(P+R); a zero
    denominator gives 0.
    Raises ``ValueError`` if the two lists have different lengths.
    """
    if len(gold_docs) != len(test_docs):
        raise ValueError(f"{len(gold_docs)} gold documents but {len(test_docs)} test documents")
    ps = pl = pn = rs = rl = rn = 0
    for gold, test in zip(gold_docs, test_docs):
        s, lx, n = _precision_counts(gold, test)
        ps, pl, pn = ps + s, pl + lx, pn + n
        s, lx, n = _precision_counts(_non_null(test), _non_null(gold))
        rs, rl, rn = rs + s, rl + lx, rn + n
    return StrictLax(
        strict=PRF.from_counts(ps, pn, rs, rn),
        lax=PRF.from_counts(pl, pn, rl, rn),
    )


def score_exact_match(
    gold_docs: Sequence[Sequence[RawBead]], test_docs: Sequence[Sequence[RawBead]]
) -> PRF:
    """Metric 1b: exact-match P/R/F1 of aligner-eval ``utils/eval.py`` (DSH 2022).

    match = number of test beads (a list: duplicates count) found exactly in the gold beads of
    the same document; P = Σmatch/Σ|test|, R = Σmatch/Σ|gold|. Null beads count on both sides.
    Raises ``ValueError`` if the two lists have different lengths.
    """
    if len(gold_docs) != len(test_docs):
        raise ValueError(f"{len(gold_docs)} gold documents but {len(test_docs)} test documents")
    match = n_test = n_gold = 0
    for gold, test in zip(gold_docs, test_docs):
        gold_set = {(tuple(s), tuple(t)) for s, t in gold}
        match += sum((tuple(s), tuple(t)) in gold_set for s, t in test)
        n_test += len(test)
        n_gold += len(gold)
    return PRF.from_counts(match, n_test, match, n_gold)


def bead_type(bead: RawBead) -> str:
    """The breakdown type of a bead: one of :data:`BEAD_TYPES` (``"2-2"`` → ``"other"``)."""
    t = f"{len(bead[0])}-{len(bead[1])}"
    return t if t in BEAD_TYPES else "other"


@dataclass(frozen=True)
class TypeScore:
    """Exact-match scores for one bead type.

    ``gold_count`` gold beads of this type, ``gold_found`` of them present exactly in the test
    beads (recall = found/count); ``test_count`` test beads of this type, ``test_correct`` of
    them present exactly in gold (precision = correct/count). Lists, nulls included (as 1b).
    """

    type: str
    gold_count: int
    gold_found: int
    test_count: int
    test_correct: int

    @property
    def recall(self) -> float:
        return _ratio(self.gold_found, self.gold_count)

    @property
    def precision(self) -> float:
        return _ratio(self.test_correct, self.test_count)


def score_by_type(
    gold_docs: Sequence[Sequence[RawBead]], test_docs: Sequence[Sequence[RawBead]]
) -> list[TypeScore]:
    """Per-bead-type strict recall and precision, one :class:`TypeScore` per :data:`BEAD_TYPES`.

    Recall of type T: gold beads of type T found exactly among the test beads of the same
    document. Precision of type T: test beads of type T found exactly in gold.
    """
    gc, gf, tc, tk = Counter(), Counter(), Counter(), Counter()
    for gold, test in zip(gold_docs, test_docs, strict=True):
        gold_set = {(tuple(s), tuple(t)) for s, t in gold}
        test_set = {(tuple(s), tuple(t)) for s, t in test}
        for b in gold:
            k = bead_type(b)
            gc[k] += 1
            gf[k] += (tuple(b[0]), tuple(b[1])) in test_set
        for b in test:
            k = bead_type(b)
            tc[k] += 1
            tk[k] += (tuple(b[0]), tuple(b[1])) in gold_set
    return [TypeScore(k, gc[k], gf[k], tc[k], tk[k]) for k in BEAD_TYPES]


@dataclass
class EvaluationReport:
    """Everything ``aligner evaluate`` reports for one test/gold pair of alignments."""

    documents: list[str]
    strict_lax: StrictLax
    exact: PRF
    by_type: list[TypeScore]
    missing_in_test: list[str] = field(default_factory=list)
    extra_in_test: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """A JSON-ready dict (per-type precision/recall included)."""
        d = asdict(self)
        d["by_type"] = [
            {**asdict(t), "precision": t.precision, "recall": t.recall} for t in self.by_type
        ]
        return d


def evaluate_beads(
    gold_docs: Sequence[Sequence[RawBead]],
    test_docs: Sequence[Sequence[RawBead]],
    names: Sequence[str] | None = None,
) -> EvaluationReport:
    """Compute metric 1a, metric 1b and the per-type breakdown for paired documents."""
    return EvaluationReport(
        documents=list(names) if names is not None else [str(i) for i in range(len(gold_docs))],
        strict_lax=score_strict_lax(gold_docs, test_docs),
        exact=score_exact_match(gold_docs, test_docs),
        by_type=score_by_type(gold_docs, test_docs),
    )


def evaluate_paths(test: str | Path, gold: str | Path) -> EvaluationReport:
    """Read TEST and GOLD (files or folders, see :func:`read_document_set`) and score them.
    Raises InputError as :func:`read_document_set`, and for a gold without any bead."""
    docs = read_document_set(test, gold)
    if not any(docs.gold):
        raise InputError(f"{gold}: no beads in the gold (an empty file?)")
    report = evaluate_beads(docs.gold, docs.test, docs.names)
    report.missing_in_test = docs.missing_in_test
    report.extra_in_test = docs.extra_in_test
    return report


def format_report(report: EvaluationReport) -> str:
    """A readable plain-text table of a report (3 decimals, as the published tools print)."""
    sl, ex = report.strict_lax, report.exact
    out = [
        f"documents: {len(report.documents)}",
        "",
        "Metric 1a (Vecalign/Bertalign; recall ignores null beads)",
        "             Strict    Lax",
        f"Precision     {sl.strict.precision:.3f}  {sl.lax.precision:.3f}",
        f"Recall        {sl.strict.recall:.3f}  {sl.lax.recall:.3f}",
        f"F1            {sl.strict.f1:.3f}  {sl.lax.f1:.3f}",
        "",
        "Metric 1b (aligner-eval exact match; null beads counted)",
        f"Precision     {ex.precision:.3f}   ({ex.tp_p}/{ex.test_total} test beads)",
        f"Recall        {ex.recall:.3f}   ({ex.tp_r}/{ex.gold_total} gold beads)",
        f"F1            {ex.f1:.3f}",
        "",
        "By bead type (exact match)",
        "type    gold  found  recall   test  correct  precision",
    ]
    for t in report.by_type:
        out.append(
            f"{t.type:<6} {t.gold_count:>5}  {t.gold_found:>5}  {t.recall:>6.3f}"
            f"  {t.test_count:>5}  {t.test_correct:>7}  {t.precision:>9.3f}"
        )
    if report.missing_in_test:
        out += ["", "missing in test (scored as empty): " + ", ".join(report.missing_in_test)]
    if report.extra_in_test:
        out += ["", "test files without gold (ignored): " + ", ".join(report.extra_in_test)]
    return "\n".join(out) + "\n"
