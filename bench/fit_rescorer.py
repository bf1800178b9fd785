#!/usr/bin/env python3
"""Fit the post-pass's bead-score weights (aligner.align.rescore.FITTED) on the tuning
corpora, with the ablation of every evidence feature group; prints figures and the weights.

Usage (from the repository root, venv active; needs ../shared/eval-data):

    python bench/fit_rescorer.py --cache .cache/emb.sqlite          # fit, ablation, weights
    python bench/fit_rescorer.py --cache .cache/emb.sqlite --kinds all --changes

Method: every document of the tuning corpora (Text+Berg, MAC-Dev, NTREX ru-en perturbed at
0.05, 0.10, 0.20) is searched as ``align_texts`` does and the post-pass's candidates are
built around the search's path (:func:`aligner.align.fit.build_lattice`). Weights are then
moved by coordinate ascent (:func:`aligner.align.fit.ascend`, steps 0.1, 0.03, 0.01) from
the search's own score (``search`` = 1, the rest 0), keeping only the post-pass's changes
of the chosen kinds, to maximise ``min(gains) + 0.2 × mean(gains)`` over the corpora (gain:
F1 over the search alone; strict 1a F1, as each corpus is published): a weight must not
help one corpus at another's expense. Ablation: the similarity and shape features are
fitted first ("base"); each evidence group (numbers, names, quotes, junk) is then fitted
alone on top of base and kept if it raises the objective; the kept groups are fitted
jointly with base for the final weights. MAC-Test and the non-literary set are printed as
the check (never used to choose). One run: a few minutes with a warm ``--cache``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # a shared machine: one thread each

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from quality_data import load_corpus  # noqa: E402

from aligner.align import AlignConfig  # noqa: E402
from aligner.align.fit import Lattice, ascend, build_lattice, change_counts, decode  # noqa: E402
from aligner.align.postpass import KINDS  # noqa: E402
from aligner.align.rescore import FEATURES  # noqa: E402
from aligner.evaluate import evaluate_beads  # noqa: E402

TUNING = ("textberg", "mac-dev", "ntrex@0.05", "ntrex@0.10", "ntrex@0.20")
CHECK = ("mac-test", "nonlit")
BASE = ("neighbour", "cos", "knn", "length", "drop_src", "drop_tgt", "extra", "many_many", "bias",
        "null", "null_best", "pull_out", "push_in", "contrast")
GROUPS = {"numbers": ("num_both", "num_one"), "names": ("name_both", "name_one"),
          "quotes": ("quote",), "junk": ("junk_in", "junk_null")}
EXACT = {"mac-test", "nonlit"}  # published with metric 1b


def lattices(names: tuple[str, ...], encoder, config: AlignConfig) -> dict[str, list[Lattice]]:
    """Every document of the corpora ``names`` searched, with its candidates and gold."""
    out: dict[str, list[Lattice]] = {}
    wanted = {n.split("@")[0] for n in names}
    for corpus_name in sorted(wanted):
        for corpus in load_corpus(corpus_name, "default", 0):
            if corpus.name not in names:
                continue
            if corpus.skip:
                raise SystemExit(f"{corpus.name}: {corpus.skip}")
            t0 = time.perf_counter()
            out[corpus.name] = [lat for doc in corpus.docs
                                if (lat := build_lattice(doc.src, doc.tgt, doc.gold, encoder, config))]
            print(f"[{corpus.name}] {len(out[corpus.name])} docs, "
                  f"{sum(len(x.cands) for x in out[corpus.name])} candidates, "
                  f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return out


def f1(name: str, lats: list[Lattice], weights: np.ndarray | None, kinds: frozenset[str]) -> float:
    """The corpus's published F1 (strict 1a, or 1b exact) of the post-pass (None: the search)."""
    test = [[(tuple(range(c[0], c[1])), tuple(range(c[2], c[3]))) for c in lat.cands[lat.own].tolist()]
            if weights is None else decode(lat, weights, kinds) for lat in lats]
    report = evaluate_beads([lat.gold for lat in lats], test)
    return report.exact.f1 if name in EXACT else report.strict_lax.strict.f1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, default=None, help="SQLite embedding cache")
    ap.add_argument("--kinds", choices=("nulls", "all"), default="nulls",
                    help="post-pass changes kept while fitting (the postpass setting)")
    ap.add_argument("--changes", action="store_true",
                    help="also print what each kind of change does with the final weights")
    args = ap.parse_args()
    from aligner.embed import get_encoder

    encoder = get_encoder(None, cache_path=args.cache)
    config = AlignConfig().resolved()
    kinds = KINDS[args.kinds]
    tuning = lattices(TUNING, encoder, config)
    check = lattices(CHECK, encoder, config)
    base_f1 = {n: f1(n, lats, None, kinds) for n, lats in {**tuning, **check}.items()}

    def objective(weights: np.ndarray) -> float:
        gains = [f1(n, lats, weights, kinds) - base_f1[n] for n, lats in tuning.items()]
        return min(gains) + 0.2 * float(np.mean(gains))

    start = np.zeros(len(FEATURES))
    start[FEATURES.index("search")] = 1.0
    rows: list[tuple[str, np.ndarray, float]] = []
    t0 = time.perf_counter()
    base, value = ascend(objective, start, BASE)
    rows.append(("base (similarity, shape)", base, value))
    kept = []
    for group, names in GROUPS.items():
        weights, gain = ascend(objective, base, names)
        rows.append((f"base + {group}", weights, gain))
        if gain > value + 1e-9:
            kept.append(group)
    final, final_value = ascend(objective, base, BASE + tuple(f for g in kept for f in GROUPS[g]))
    rows.append((f"final (base + {', '.join(kept) or 'no evidence'})", final, final_value))
    print(f"fitted in {time.perf_counter() - t0:.0f} s; objective min(gain) + 0.2 mean(gain)")
    names = list(tuning) + list(check)
    print(f"{'variant':<34}{'objective':>10}" + "".join(f"{n:>12}" for n in names))
    print(f"{'search alone (postpass off)':<34}{'':>10}" + "".join(f"{base_f1[n]:>12.4f}" for n in names))
    for label, weights, value in rows:
        scores = [f1(n, lats, weights, kinds) for n, lats in {**tuning, **check}.items()]
        print(f"{label:<34}{value:>10.4f}" + "".join(f"{s:>12.4f}" for s in scores))
    print("(strict 1a F1; mac-test and nonlit 1b exact F1; mac-test and nonlit are the check)")
    print("FITTED = {" + ", ".join(f'"{n}": {w:.4g}' for n, w in zip(FEATURES, final) if w) + "}")
    if args.changes:
        print("\nchanges with the final weights, all kinds (changes, right beads gained, lost):")
        for name, lats in {**tuning, **check}.items():
            total: dict[str, list[int]] = {}
            for lat in lats:
                for kind, row in change_counts(lat, final, KINDS["all"]).items():
                    acc = total.setdefault(kind, [0, 0, 0])
                    for k in range(3):
                        acc[k] += row[k]
            print(f"  {name:<12}" + "  ".join(f"{k} {v[0]} (+{v[1]}/-{v[2]})" for k, v in sorted(total.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
