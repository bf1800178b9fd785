"""Fit the bead-confidence logistic of aligner.align.confidence against gold beads.

Usage: python bench/calibrate.py   (needs ../shared/eval-data; prints the weights)

Features per non-null predicted bead: margin-normalised similarity and the search's local
decision gap; label: the bead is in the gold exactly (strict). Prints the fitted weights
and how well the fitted confidence separates right from wrong beads.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import numpy as np

import aligner.align.search as A  # the search module, whose confidence() is captured
from aligner.align import AlignConfig
from aligner.embed import get_encoder

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval-data"


def read_gold(path: Path) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    beads = []
    for line in path.read_text().splitlines():
        if line.strip():
            a, b = line.split(":")[:2]
            beads.append((tuple(ast.literal_eval(a)), tuple(ast.literal_eval(b))))
    return beads


def bitexts():
    tb = EVAL / "text+berg" / "bertalign-text+berg"
    for f in sorted((tb / "de").iterdir())[:4]:
        yield f.read_text().splitlines(), (tb / "fr" / f.name).read_text().splitlines(), read_gold(tb / "gold" / f.name)
    mac = EVAL / "mac-dev"
    for g in sorted((mac / "gold").iterdir())[:2]:
        name = g.name.split(".")[0]
        yield (mac / "zh" / name).read_text().splitlines(), (mac / "en" / name).read_text().splitlines(), read_gold(g)


def main() -> None:
    if not EVAL.is_dir():
        sys.exit(f"skipped: {EVAL} not found (the gold sets live in ../shared/eval-data)")
    features: list[tuple[float, float]] = []
    labels: list[bool] = []
    real_confidence = A.confidence
    enc = get_encoder()
    config = AlignConfig()
    for src, tgt, gold in bitexts():
        lengths = [len(s) for s in src], [len(t) for t in tgt]
        pooled, seams = config.window_plan(enc, len(src) + len(tgt))  # as align_texts does
        if pooled:
            windows = (enc.window_embeddings(src, config.max_side, seams),
                       enc.window_embeddings(tgt, config.max_side, seams))
            search = A._prepare(windows[0][1, 1:], windows[1][1, 1:], *lengths, config, windows)
            A.confidence = lambda sim, gap=1.0: (float(sim), float(gap))  # capture features
            beads = A._search(search, config)
        else:
            search = A._prepare(enc.encode(src), enc.encode(tgt), *lengths, config)
            beads = A._search(search, config)
            A.confidence = lambda sim, gap=1.0: (float(sim), float(gap))  # capture features
            beads = A._refine(search, beads, src, tgt, enc, config, None)
        A.confidence = real_confidence
        gold_set = set(gold)
        for b in beads:
            if b.src and b.tgt:
                features.append(b.score)
                labels.append((b.src, b.tgt) in gold_set)
    x = np.array(features)
    x[:, 1] = np.minimum(x[:, 1], 0.5)
    y = np.array(labels, dtype=float)
    w = np.zeros(3)
    design = np.column_stack([np.ones(len(x)), x])
    for _ in range(50):  # Newton's method (IRLS) on the log-loss
        p = 1 / (1 + np.exp(-design @ w))
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + 1e-6 * np.eye(3)
        w -= np.linalg.solve(hessian, design.T @ (p - y))
    p = 1 / (1 + np.exp(-design @ w))
    print(f"beads: {len(y)}, correct: {y.mean():.3f}")
    print(f"CONFIDENCE_BIAS, CONFIDENCE_SIM, CONFIDENCE_GAP = {w[0]:.2f}, {w[1]:.2f}, {w[2]:.2f}")
    for t in (0.3, 0.5, 0.7, 0.9):
        low = p < t
        print(f"confidence < {t}: {low.sum()} beads, {y[low].mean() if low.any() else 0:.2f} correct; "
              f">= {t}: {(~low).sum()} beads, {y[~low].mean():.3f} correct")


if __name__ == "__main__":
    main()
