#!/usr/bin/env python3
"""Write the small gold bitext that tests/test_quality_guard.py aligns (tests/data/quality-guard).

The first 24 NTREX-128 ru-en documents (Federmann et al. 2022, CC BY-SA 4.0; eval-data README
§3.2), made m:n by :func:`aligner.perturb.perturb_bitext` at rate 0.2 with seed = document
index, as ``bench/quality.py`` does for its ``ntrex@0.20`` row. One-off: the files are
committed; run it again only to rebuild them (needs ../shared/eval-data).

    python bench/make_guard_gold.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aligner.evaluate import format_beads  # noqa: E402
from aligner.perturb import perturb_bitext, read_ntrex_documents  # noqa: E402

DOCUMENTS, RATE = 24, 0.2
OUT = ROOT / "tests" / "data" / "quality-guard"


def main() -> int:
    source = ROOT.parent / "shared" / "eval-data" / "ntrex128"
    if not source.is_dir():
        print(f"skipped: {source} is absent", file=sys.stderr)
        return 0
    beads = 0
    for k, doc in enumerate(read_ntrex_documents(source, src_lang="rus")[:DOCUMENTS]):
        p = perturb_bitext(doc.src, doc.tgt, rate=RATE, seed=k)
        name = f"{k:03d}-{doc.doc_id}"
        (OUT / f"{name}.ru").write_text("\n".join(p.src) + "\n", encoding="utf-8")
        (OUT / f"{name}.en").write_text("\n".join(p.tgt) + "\n", encoding="utf-8")
        (OUT / f"{name}.align").write_text(format_beads(p.gold), encoding="utf-8")
        beads += len(p.gold)
    print(f"wrote {DOCUMENTS} documents, {beads} gold beads to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
