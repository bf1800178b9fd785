"""Search bench: query time of the phrase concordance on a store of ≥ 1,000,000 sentences,
on SQLite and on PostgreSQL (a throw-away cluster started for the run).

The store: the Russian and English texts of the bilinguator works
(``../shared/eval-data/bilinguator-ru-en/texts/*/*_{ru,en}.txt``, markup stripped,
paragraphs split at sentence ends by a plain regex — the segmenter's quality does not
matter here), imported ``--copies`` times (16 → 1,053,952 sentences), each copy a document
of its own with a distinct marker word in every sentence ("qcopyk"), through the normal
import path (``service.import_document``: sentences, then the search index built from the
queue on commit). Build time is printed.

Queries (``aligner.store.concordance.search_page``, first page of 50 with the total count,
no rendering marks), each timed ``--repeat`` times:

* common words: the, of, and, и, в, не, что — hundreds of thousands of hits;
* rare words: 20 words found in 1–4 sentences of the texts (12–48 in the store);
* phrases: "at the same time", "в то же время", "said the king", "he did not", ...;
* fuzzy: 10 words of 7+ letters with one letter changed (OCR misreadings), and
  "Alise in wonderlend".

Prints p50/p95 per kind and database. Goal: p95 < 200 ms on SQLite.

    python bench/search.py --db sqlite
    python bench/search.py --db postgresql
"""

from __future__ import annotations

import argparse
import glob
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
TEXTS = ROOT.parent / "shared" / "eval-data" / "bilinguator-ru-en" / "texts"
_TAG = re.compile(r"<[^>]+>")
_SENT = re.compile(r"(?<=[.!?…])\s+")

COMMON = ["the", "of", "and", "и", "в", "не", "что"]
PHRASES = ["at the same time", "в то же время", "said the king", "he did not", "one of the",
           "я не знаю", "in the morning", "что же это"]


def works() -> list[tuple[str, str, list[str]]]:
    """(work, lang, sentences) of every text."""
    out = []
    for path in sorted(glob.glob(str(TEXTS / "*" / "*_*.txt"))):
        lang = path.rsplit("_", 1)[1].removesuffix(".txt")
        if lang not in ("ru", "en"):
            continue
        sents = []
        for line in Path(path).read_text(encoding="utf-8").splitlines()[2:]:
            line = " ".join(_TAG.sub(" ", line).split())
            sents += [s for s in _SENT.split(line) if s.strip()]
        out.append((Path(path).parent.name, lang, sents))
    return out


def marker(k: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return "qcopy" + letters[k // 26 % 26] + letters[k % 26]


def build(url: str, texts, copies: int) -> int:
    from aligner.store import service
    from aligner.store.db import open_store
    from support.store import toy_document

    engine, sessions = open_store(url)
    n = 0
    with sessions() as s:
        pid = service.get_or_create_project(s, "bench")
        for k in range(copies):
            for work, lang, sents in texts:
                doc = toy_document([f"{t} {marker(k)}" for t in sents], lang,
                                   title=f"{work} ({lang}, copy {k + 1})", sentences_per_page=40)
                service.import_document(s, pid, doc, "source" if lang == "ru" else "translation")
                n += len(sents)
    engine.dispose()
    return n


def queries(texts, seed: int = 7) -> dict[str, list[tuple[str, bool]]]:
    from aligner.concordance.tokens import tokens

    rng = random.Random(seed)
    df = Counter()
    for _, _, sents in texts:
        for s in sents:
            df.update({w for w, _, _ in tokens(s)})
    rare = sorted(w for w, c in df.items() if 1 <= c <= 4 and len(w) >= 5 and w.isalpha())
    long_mid = sorted(w for w, c in df.items() if 20 <= c <= 400 and len(w) >= 7 and w.isalpha())
    fuzzy = []
    for w in rng.sample(long_mid, 10):
        i = rng.randrange(1, len(w) - 1)
        fuzzy.append(w[:i] + ("o" if w[i] != "o" else "e") + w[i + 1:])
    return {"common word": [(w, False) for w in COMMON],
            "rare word": [(w, False) for w in rng.sample(rare, 20)],
            "phrase": [(p, False) for p in PHRASES],
            "fuzzy": [(w, True) for w in fuzzy] + [("Alise in wonderlend", True)]}


def run(url: str, plan, repeat: int) -> dict[str, list[float]]:
    from aligner.store.concordance import search_page
    from aligner.store.db import open_store

    engine, sessions = open_store(url, upgrade=False)
    times: dict[str, list[float]] = {}
    with sessions() as s:
        for kind, qs in plan.items():
            for q, fuzzy in qs:
                for r in range(repeat):
                    t0 = time.perf_counter()
                    page = search_page(s, q, fuzzy=fuzzy, limit=50)
                    times.setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
                if r == repeat - 1:
                    print(f"  {kind:11s} {q!r:28s} {page.total:8d} hits{'' if page.complete else '+'}  "
                          f"last {times[kind][-1]:7.1f} ms", flush=True)
    engine.dispose()
    return times


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--copies", type=int, default=16)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", metavar="PATH", help="SQLite: build (or reuse) the store here")
    args = ap.parse_args(argv)
    if not TEXTS.is_dir():
        print(f"the bilinguator texts are not at {TEXTS} (../shared, CI only)")
        return 2
    texts = works()
    cleanup = lambda: None  # noqa: E731
    if args.db == "sqlite":
        if args.keep:
            url = args.keep
        else:
            import shutil

            folder = Path(tempfile.mkdtemp(prefix="aligner-search-"))
            url = str(folder / "search.db")
            cleanup = lambda: shutil.rmtree(folder, ignore_errors=True)  # noqa: E731
    else:
        from support.pg import Cluster, Databases, find_binaries

        bindir, why = find_binaries()
        if bindir is None:
            print(f"cannot start PostgreSQL: {why}")
            return 2
        cluster = Cluster(bindir)
        url, cleanup = Databases(cluster).create("search"), cluster.stop
    try:
        fresh = not (args.keep and Path(args.keep).exists())
        t0 = time.perf_counter()
        n = build(url, texts, args.copies) if fresh else None
        if n is not None:
            print(f"{args.db}: built {n:,} sentences ({len(texts)} texts × {args.copies} copies) in "
                  f"{time.perf_counter() - t0:.0f} s (import + index)", flush=True)
        times = run(url, queries(texts), args.repeat)
    finally:
        cleanup()
    print(f"\n{args.db}: query time, ms (first page of 50 + total count; {args.repeat} runs each)")
    worst = 0.0
    for kind, ts in times.items():
        worst = max(worst, _pct(ts, 0.95))
        print(f"  {kind:12s} n={len(ts):3d}  p50 {statistics.median(ts):7.1f}  p95 {_pct(ts, 0.95):7.1f}"
              f"  max {max(ts):7.1f}")
    if args.db == "sqlite":
        print(f"goal p95 < 200 ms on SQLite: {'met' if worst < 200 else 'NOT met'} (worst p95 {worst:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
