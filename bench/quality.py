#!/usr/bin/env python3
"""Alignment quality of OUR aligner on every gold set we have, next to the published aligners.

Usage (from the repository root, venv active):

    python bench/quality.py                       # all corpora, default encoder
    python bench/quality.py --corpus textberg --corpus mac-dev --by-type
    python bench/quality.py --baseline length     # length-only Gale-Church stand-in
    python bench/quality.py --json quality.json --save out/   # keep figures and .align files
    python bench/quality.py --adapt 0.2 --by-type --cache emb.sqlite  # + the confirmed-beads protocol

Corpora (data in ../shared/eval-data, see its README.md; a corpus whose files are absent is
skipped with the reason):

* ``textberg``  Text+Berg de→fr test, 7 docs (Sennrich & Volk 2010) — published metric 1a;
* ``mac-test``  MAC-Test zh→en, 24 docs (aligner-eval, DSH 2022) — published metric 1b;
* ``mac-dev``   MAC-Dev zh→en, 6 docs (Bertalign README 2021) — published metric 1a;
* ``nonlit``    aligner-eval non-literary aca en→zh, pol zh→en, mag en→zh, pooled — metric 1b;
* ``ntrex``     NTREX-128 ru→en news, 123 docs, made m:n by aligner.perturb at rates
                0, 0.05, 0.10, 0.20 (no published numbers);
* ``bilinguator`` ru→en literary works with paragraph-level gold (no published numbers):
                share of predicted sentence beads inside one gold paragraph pair, and
                paragraph-level scores of the projected alignment. ``--works N`` limits it.

Metric 1a = Vecalign/Bertalign strict & lax P/R/F1, 1b = aligner-eval exact match
(aligner/evaluate.py). Every score is micro-averaged over the documents of a corpus.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from aligner.errors import AlignerError, InputError  # noqa: E402
from aligner.evaluate import (  # noqa: E402
    EvaluationReport,
    RawBead,
    evaluate_beads,
    format_beads,
    read_beads,
)

EVAL = ROOT.parent / "shared" / "eval-data"
NTREX_RATES = (0.0, 0.05, 0.10, 0.20)
CORPUS_NAMES = ("textberg", "mac-test", "mac-dev", "nonlit", "ntrex", "bilinguator")
ADAPT_CORPORA = ("textberg", "mac-test", "mac-dev", "nonlit", "ntrex@0.10")  # --adapt runs these

# Published scores from ../shared/eval-data/README.md §2: (P, R, F1) per metric column.
# "strict"/"lax" are metric 1a, "exact" is metric 1b.
PUBLISHED: dict[str, dict[str, dict[str, tuple[float, float, float]]]] = {
    "textberg": {  # README §2.4: Vecalign README (LASER); Bertalign README HEAD (LaBSE)
        "Vecalign (LASER)": {"strict": (.899, .904, .902), "lax": (.985, .987, .986)},
        "Vecalign (LaBSE, Bertalign 2021)": {"strict": (.869, .857, .863), "lax": (.993, .984, .988)},
        "Bertalign (LaBSE)": {"strict": (.932, .941, .936), "lax": (.987, .991, .989)},
    },
    "mac-test": {  # README §2.1: aligner-eval README, metric 1b
        "Gale-Church": {"exact": (.442, .470, .455)},
        "Hunalign": {"exact": (.566, .656, .607)},
        "Bleualign": {"exact": (.711, .644, .676)},
        "Vecalign (LaBSE)": {"exact": (.860, .886, .873)},
        "Bertalign (LaBSE)": {"exact": (.906, .912, .909)},
    },
    "mac-dev": {  # README §2.3: Bertalign README 2021, metric 1a
        "Gale-Church": {"strict": (.472, .497, .485), "lax": (.727, .746, .737)},
        "Hunalign": {"strict": (.573, .653, .610), "lax": (.811, .897, .852)},
        "Bleualign": {"strict": (.676, .609, .641), "lax": (.929, .823, .873)},
        "Vecalign (LaBSE)": {"strict": (.848, .878, .863), "lax": (.995, .999, .997)},
        "Bertalign (LaBSE)": {"strict": (.909, .914, .911), "lax": (.996, 1.0, .998)},
    },
    "nonlit": {  # README §2.5: aligner-eval README, metric 1b, pooled over aca/pol/mag
        "Gale-Church": {"exact": (.852, .852, .852)},
        "Hunalign": {"exact": (.884, .917, .900)},
        "Bleualign": {"exact": (.923, .900, .911)},
        "Vecalign (LaBSE)": {"exact": (.979, .980, .979)},
        "Bertalign (LaBSE)": {"exact": (.987, .987, .987)},
    },
}


# --- corpora --------------------------------------------------------------------------------


@dataclass
class Doc:
    """One bitext with gold: ``src``/``tgt`` sentences, ``gold`` beads over their 0-based ids."""

    name: str
    src: list[str]
    tgt: list[str]
    gold: list[RawBead]


@dataclass
class Corpus:
    """A named set of documents, or the reason it cannot be run."""

    name: str
    docs: list[Doc] = field(default_factory=list)
    skip: str = ""
    note: str = ""


def _lines(path: Path) -> list[str]:
    if not path.is_file():
        raise InputError(f"{path}: missing")
    return path.read_text(encoding="utf-8").splitlines()


def _checked(doc: Doc) -> Doc:
    """Refuse gold that points past the end of a sentence file (a wrong file pairing)."""
    top_s = max((i for s, _ in doc.gold for i in s), default=-1)
    top_t = max((j for _, t in doc.gold for j in t), default=-1)
    if top_s >= len(doc.src) or top_t >= len(doc.tgt):
        raise InputError(f"{doc.name}: gold refers to sentence ids beyond the text files")
    return doc


def _folder_corpus(name: str, src_dir: Path, tgt_dir: Path, gold_dir: Path, prefix: str = "") -> list[Doc]:
    docs = []
    for gold in sorted(p for p in gold_dir.iterdir() if p.is_file()):
        key = gold.name.removesuffix(".align")
        docs.append(_checked(Doc(prefix + key, _lines(src_dir / key), _lines(tgt_dir / key), read_beads(gold))))
    if not docs:
        raise InputError(f"{gold_dir}: no gold files")
    return docs


def load_corpus(name: str, works: str, seed: int) -> list[Corpus]:
    """Load corpus ``name``; returns one Corpus per reported row (ntrex gives one per rate)."""
    try:
        if name == "textberg":
            base = EVAL / "text+berg" / "bertalign-text+berg"
            return [Corpus(name, _folder_corpus(name, base / "de", base / "fr", base / "gold"), note="de→fr")]
        if name in ("mac-test", "mac-dev"):
            base = EVAL / name
            s, t = ("src", "tgt") if name == "mac-test" else ("zh", "en")
            return [Corpus(name, _folder_corpus(name, base / s, base / t, base / "gold"), note="zh→en")]
        if name == "nonlit":
            docs = []
            for sub in ("aca", "pol", "mag"):
                base = EVAL / "aligner-eval-nonliterary" / sub
                docs += _folder_corpus(name, base / "src", base / "tgt", base / "gold", prefix=f"{sub}/")
            return [Corpus(name, docs, note="aca en→zh, pol zh→en, mag en→zh")]
        if name == "ntrex":
            from aligner.perturb import perturb_bitext, read_ntrex_documents

            originals = read_ntrex_documents(EVAL / "ntrex128", src_lang="rus")
            out = []
            for rate in NTREX_RATES:
                docs = []
                for k, d in enumerate(originals):
                    p = perturb_bitext(d.src, d.tgt, rate=rate, seed=seed * 1000 + k)
                    docs.append(Doc(f"{k:03d}-{d.doc_id}", p.src, p.tgt, p.gold))
                out.append(Corpus(f"ntrex@{rate:.2f}", docs, note="ru→en, perturbed"))
            return out
        if name == "bilinguator":
            return [load_bilinguator(works)]
    except OSError as exc:
        return [Corpus(name, skip=f"data absent: {exc.filename or exc}")]
    except AlignerError as exc:
        return [Corpus(name, skip=f"data unusable: {exc}")]
    raise SystemExit(f"unknown corpus {name!r}; choose from {', '.join(CORPUS_NAMES)}")


# --- bilinguator: paragraph-level gold ------------------------------------------------------


@dataclass
class ParagraphDoc(Doc):
    """A work: sentences with the gold paragraph (line number) each belongs to."""

    src_para: list[int] = field(default_factory=list)
    tgt_para: list[int] = field(default_factory=list)
    para_gold: list[RawBead] = field(default_factory=list)


def _clean_unit(line: str) -> str:
    import re

    line = line.replace("<delimiter>", "\n")
    return re.sub(r"</?(?:h1|b|i)>", "", line)


# Default bilinguator selection: the Russian-original prose (our direction, ru→en) and three
# English-original stories; about 10 % of the collection, so the whole bench stays short.
DEFAULT_WORKS = ("nos", "khameleon", "aptekarsha", "smert_ivana_ilyicha", "malchik_u_khrista_na_yolke",
                 "the_canterville_ghost", "the_happy_prince", "the_gift_of_the_magi")


def load_bilinguator(works: str) -> Corpus:
    """Segment each paragraph of the selected ru/en works with ``aligner.segment.split_sentences``.

    ``works`` is ``"default"`` (:data:`DEFAULT_WORKS`), ``"all"`` (39 works) or an integer N
    (the first N works in alphabetical order).
    """
    try:
        from aligner.segment import split_sentences
    except ImportError as exc:
        return Corpus("bilinguator", skip=f"aligner.segment.split_sentences not available ({exc})")
    folder = EVAL / "bilinguator-ru-en" / "texts"
    if not folder.is_dir():
        return Corpus("bilinguator", skip=f"{folder} absent")
    names = sorted(p.name for p in folder.iterdir() if (p / f"{p.name}_ru.txt").is_file()
                   and (p / f"{p.name}_en.txt").is_file())
    if works == "default":
        names = [n for n in names if n in DEFAULT_WORKS]
    elif works != "all":
        if not works.isdigit():
            raise SystemExit(f"--works must be 'default', 'all' or a number, not {works!r}")
        names = names[: int(works)]
    docs: list[Doc] = []
    for name in names:
        ru = _lines(folder / name / f"{name}_ru.txt")
        en = _lines(folder / name / f"{name}_en.txt")
        if len(ru) != len(en):
            raise InputError(f"{name}: ru and en have different line counts ({len(ru)}, {len(en)})")
        doc = ParagraphDoc(name, [], [], [])
        for i, (r, e) in enumerate(zip(ru, en)):
            rs = [_text(s) for s in split_sentences(_clean_unit(r), "ru")]
            es = [_text(s) for s in split_sentences(_clean_unit(e), "en")]
            rs, es = [s for s in rs if s.strip()], [s for s in es if s.strip()]
            doc.src += rs
            doc.tgt += es
            doc.src_para += [i] * len(rs)
            doc.tgt_para += [i] * len(es)
            if rs or es:
                doc.para_gold.append(((i,) if rs else (), (i,) if es else ()))
        docs.append(doc)
    return Corpus("bilinguator", docs, note=f"ru→en, {len(docs)} works, paragraph gold")


def _text(sentence) -> str:
    return sentence if isinstance(sentence, str) else sentence.text


def paragraph_beads(beads: Sequence[RawBead], src_para: list[int], tgt_para: list[int]) -> list[RawBead]:
    """Project sentence beads to paragraph beads: paragraphs linked by any sentence bead join
    one bead (connected components); paragraphs with no link become null beads."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for s, t in beads:
        nodes = [("s", src_para[i]) for i in s] + [("t", tgt_para[j]) for j in t]
        for node in nodes:
            find(node)
        if s and t:
            for node in nodes[1:]:
                parent[find(node)] = find(nodes[0])
    groups: dict[tuple[str, int], tuple[set[int], set[int]]] = {}
    for node in list(parent):
        ss, tt = groups.setdefault(find(node), (set(), set()))
        (ss if node[0] == "s" else tt).add(node[1])
    return sorted(((tuple(sorted(s)), tuple(sorted(t))) for s, t in groups.values()),
                  key=lambda b: (b[0] or b[1])[0])


def inside_share(beads: Sequence[RawBead], src_para: list[int], tgt_para: list[int]) -> tuple[int, int]:
    """(beads inside one gold paragraph pair, linked beads): a linked sentence bead is inside
    when all its sentences, both sides, come from the same aligned paragraph."""
    inside = total = 0
    for s, t in beads:
        if s and t:
            total += 1
            inside += len({src_para[i] for i in s} | {tgt_para[j] for j in t}) == 1
    return inside, total


# --- aligners -------------------------------------------------------------------------------


AlignFn = Callable[[list[str], list[str]], list[RawBead]]


def our_aligner(
    encoder_name: str | None, overrides: Sequence[str] = (), cache: Path | None = None
) -> tuple[AlignFn, str]:
    """The project aligner (aligner.align.align_texts) with the chosen encoder.

    ``overrides`` are ``KEY=VALUE`` strings that replace :class:`AlignConfig` defaults
    (values parsed as Python literals, e.g. ``skip=-0.2``, ``margin=False``). ``cache`` is an
    optional SQLite embedding cache (reruns then skip encoding; leave it out for timings).
    """
    import ast
    import dataclasses

    from aligner.align import AlignConfig, align_texts
    from aligner.embed import get_encoder
    from aligner.evaluate import beads_from_alignment

    fields = {f.name for f in dataclasses.fields(AlignConfig)}
    changes = {}
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep or key not in fields:
            raise InputError(f"--set {item!r}: expected KEY=VALUE with KEY one of {', '.join(sorted(fields))}")
        try:
            changes[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            raise InputError(f"--set {item!r}: {value!r} is not a Python literal") from None
    config = dataclasses.replace(AlignConfig(), **changes)
    encoder = get_encoder(encoder_name, cache_path=cache)

    def run(src: list[str], tgt: list[str]) -> list[RawBead]:
        return beads_from_alignment(align_texts(src, tgt, encoder, config))

    run.params = dataclasses.asdict(config)  # type: ignore[attr-defined]  (recorded in --json)
    run.encoder, run.config = encoder, config  # type: ignore[attr-defined]  (the --adapt protocol)
    label = f"ours ({encoder.name})" + "".join(f" {k}={v}" for k, v in changes.items())
    return run, label


# Gale & Church (1993, Computational Linguistics 19(1)) bead priors and length variance.
_GC_PRIORS = {(1, 1): 0.89, (1, 0): 0.0099 / 2, (0, 1): 0.0099 / 2, (2, 1): 0.089 / 2,
              (1, 2): 0.089 / 2, (2, 2): 0.011}
_GC_S2 = 6.8


def gale_church(src: list[str], tgt: list[str]) -> list[RawBead]:
    """Length-only sentence alignment (Gale & Church 1993), the sanity baseline.

    Character lengths; source lengths are first scaled by the document's total length ratio
    (Gale & Church assume c = 1, which is wrong for zh→en). Cost of a bead = -log prior
    - log P(|delta|) with delta = (l_t - l_s) / sqrt(s2 * (l_s + l_t) / 2). Documents over
    200k cells use a diagonal band of ±max(40, 10 %) sentences. Returns monotone beads.
    """
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        return [((i,), ()) for i in range(n)] + [((), (j,)) for j in range(m)]
    ls = [len(s) for s in src]
    lt = [len(t) for t in tgt]
    c = max(sum(lt), 1) / max(sum(ls), 1)
    ls = [x * c for x in ls]
    band = None if n * m <= 200_000 else max(40, int(0.1 * max(n, m)))
    log_prior = {k: -math.log(v) for k, v in _GC_PRIORS.items()}

    def cost(a: int, b: int, i: int, j: int) -> float:
        l1 = sum(ls[i - a : i])
        l2 = sum(lt[j - b : j])
        mean = (l1 + l2) / 2 if a and b else max(l1, l2)
        delta = (l2 - l1) / math.sqrt(_GC_S2 * max(mean, 1.0))
        p = max(math.erfc(abs(delta) / math.sqrt(2)), 1e-300)
        return log_prior[(a, b)] - math.log(p)

    inf = float("inf")
    D: dict[tuple[int, int], float] = {(0, 0): 0.0}
    back: dict[tuple[int, int], tuple[int, int]] = {}
    for i in range(n + 1):
        centre = i * m / n
        lo, hi = (0, m) if band is None else (max(0, int(centre) - band), min(m, int(centre) + band))
        if i == n:
            hi = m
        for j in range(lo, hi + 1):
            if i == j == 0:
                continue
            best, arg = inf, None
            for a, b in _GC_PRIORS:
                pi, pj = i - a, j - b
                if pi < 0 or pj < 0:
                    continue
                prev = D.get((pi, pj))
                if prev is None:
                    continue
                v = prev + cost(a, b, i, j)
                if v < best:
                    best, arg = v, (a, b)
            if arg is not None:
                D[(i, j)] = best
                back[(i, j)] = arg
    beads: list[RawBead] = []
    i, j = n, m
    while i or j:
        a, b = back[(i, j)]
        beads.append((tuple(range(i - a, i)), tuple(range(j - b, j))))
        i, j = i - a, j - b
    return beads[::-1]


# --- running and printing -------------------------------------------------------------------


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


def run_corpus(corpus: Corpus, align: AlignFn, save: Path | None) -> Result:
    t0, c0 = time.perf_counter(), time.process_time()
    gold_docs, test_docs, names = [], [], []
    inside = [0, 0]
    for doc in corpus.docs:
        beads = align(doc.src, doc.tgt)
        if save is not None:
            out = save / corpus.name / f"{doc.name.replace('/', '_')}.align"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(format_beads(beads), encoding="utf-8")
        if isinstance(doc, ParagraphDoc):
            a, b = inside_share(beads, doc.src_para, doc.tgt_para)
            inside[0] += a
            inside[1] += b
            gold_docs.append(doc.para_gold)
            test_docs.append(paragraph_beads(beads, doc.src_para, doc.tgt_para))
        else:
            gold_docs.append(doc.gold)
            test_docs.append(beads)
        names.append(doc.name)
    report = evaluate_beads(gold_docs, test_docs, names)
    return Result(
        corpus.name, corpus.note, len(corpus.docs), sum(len(d.src) + len(d.tgt) for d in corpus.docs),
        time.perf_counter() - t0, time.process_time() - c0, report,
        tuple(inside) if any(isinstance(d, ParagraphDoc) for d in corpus.docs) else None,
    )


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


def main(argv: list[str] | None = None) -> int:
    global EVAL
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", action="append", choices=CORPUS_NAMES,
                    help="corpus to run (repeatable; default: all)")
    ap.add_argument("--encoder", default=None, help="encoder name for aligner.embed.get_encoder")
    ap.add_argument("--baseline", choices=("length",), default=None,
                    help="run the length-only Gale-Church baseline instead of our aligner")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override an AlignConfig field for our aligner (repeatable), e.g. skip=-0.2")
    ap.add_argument("--cache", type=Path, default=None,
                    help="SQLite embedding cache for reruns (wall times then exclude encoding)")
    ap.add_argument("--works", default="default",
                    help="bilinguator works: 'default' (8 works), 'all' (39) or N (first N by name)")
    ap.add_argument("--seed", type=int, default=0, help="NTREX perturbation seed")
    ap.add_argument("--data", type=Path, default=EVAL, help=f"eval-data folder (default {EVAL})")
    ap.add_argument("--json", type=Path, default=None, help="write all figures to this JSON file")
    ap.add_argument("--save", type=Path, default=None, help="write predicted .align files under DIR/<corpus>/")
    ap.add_argument("--by-type", action="store_true", help="also print the per-bead-type breakdown")
    ap.add_argument("--adapt", type=float, default=None, metavar="SHARE",
                    help="also run the confirmed-beads protocol (bench/adapt_protocol.py): the first "
                         "SHARE (e.g. 0.2) of each document's gold beads confirmed, the rest scored")
    args = ap.parse_args(argv)

    EVAL = args.data
    t_start, c_start = time.perf_counter(), time.process_time()
    if args.baseline == "length":
        align, system = gale_church, "length baseline (Gale-Church)"
    else:
        try:
            align, system = our_aligner(args.encoder, args.set, args.cache)
        except ImportError as exc:
            print(f"error: our aligner is not importable ({exc}); try --baseline length", file=sys.stderr)
            return 2
        except AlignerError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    results: list[Result] = []
    protocol = []
    for name in args.corpus or CORPUS_NAMES:
        for corpus in load_corpus(name, args.works, args.seed):
            if args.adapt and not corpus.skip and corpus.name in ADAPT_CORPORA \
                    and getattr(align, "encoder", None) is not None:
                from adapt_protocol import run_protocol

                protocol.append(run_protocol(corpus, align.encoder, align.config, args.adapt, EVAL))
            if corpus.skip:
                results.append(Result(corpus.name, corpus.note, 0, 0, 0.0, skip=corpus.skip))
                print(f"[{corpus.name}] skipped: {corpus.skip}", file=sys.stderr)
                continue
            try:
                res = run_corpus(corpus, align, args.save)
            except AlignerError as exc:  # e.g. an unreadable --cache file
                print(f"error: {exc}", file=sys.stderr)
                return 2
            results.append(res)
            print(f"[{corpus.name}] {res.docs} docs, {res.sentences} sentences, {res.seconds:.1f} s "
                  f"wall, {res.cpu_seconds:.1f} s CPU", file=sys.stderr)
    total, cpu = time.perf_counter() - t_start, time.process_time() - c_start
    print(format_table(results, system), end="")
    if args.by_type:
        print()
        print(format_by_type(results), end="")
    if protocol:
        from adapt_protocol import format_protocol

        print()
        print(format_protocol(protocol, args.adapt), end="")
    sys.stdout.flush()
    print(f"\ntotal wall time {total:.1f} s, CPU time {cpu:.1f} s, on {os.cpu_count()} CPUs ({system})")
    if args.json:
        figures = to_json(results, system, total, cpu, getattr(align, "params", None))
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
