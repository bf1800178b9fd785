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
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from aligner.errors import AlignerError, InputError  # noqa: E402
from aligner.evaluate import RawBead, evaluate_beads, format_beads  # noqa: E402
import quality_data  # noqa: E402
from quality_data import (  # noqa: E402
    CORPUS_NAMES,
    Corpus,
    ParagraphDoc,
    inside_share,
    load_corpus,
    paragraph_beads,
)
from quality_report import Result, format_by_type, format_table, to_json  # noqa: E402

ADAPT_CORPORA = ("textberg", "mac-test", "mac-dev", "nonlit", "ntrex@0.10")  # --adapt runs these

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


def main(argv: list[str] | None = None) -> int:
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
    ap.add_argument("--data", type=Path, default=quality_data.EVAL,
                    help=f"eval-data folder (default {quality_data.EVAL})")
    ap.add_argument("--json", type=Path, default=None, help="write all figures to this JSON file")
    ap.add_argument("--save", type=Path, default=None, help="write predicted .align files under DIR/<corpus>/")
    ap.add_argument("--by-type", action="store_true", help="also print the per-bead-type breakdown")
    ap.add_argument("--adapt", type=float, default=None, metavar="SHARE",
                    help="also run the confirmed-beads protocol (bench/adapt_protocol.py): the first "
                         "SHARE (e.g. 0.2) of each document's gold beads confirmed, the rest scored")
    args = ap.parse_args(argv)

    quality_data.EVAL = args.data  # the loaders read it
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

                protocol.append(run_protocol(corpus, align.encoder, align.config, args.adapt,
                                             quality_data.EVAL))
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
