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

Export (``--export``, on by default; ``--export-only`` skips the query timings): the
whole concordance of a phrase with many hits as CSV, written the way ``GET
/api/search/export`` writes it — 1,000 hits at a time, no rendering marks — two ways in
the same run: *paged* (``search_page(offset=k·1000, limit=1000)`` per chunk: the matching
query runs again for every chunk, how the export worked before) and *once*
(``find_matches`` then ``hit_chunks``: the matching query once, each chunk read by its
ids). Prints the best of ``--repeat`` runs in seconds (the two ways alternate), SQL
statements (``BEGIN`` included: with a single chunk "once" runs one more, as the id query
and the chunk are transactions of their own), statements on the sentence index, the
largest chunk held, the ratio paged/once, and whether the two files are byte-identical.

    python bench/search.py --db sqlite
    python bench/search.py --db postgresql
    python bench/search.py --db sqlite --copies 10 --export-only    # "of the": 21,910 hits
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


#: Export phrases: (phrase, fuzzy); hits per copy of the texts: "of the" 2,191, "said teh" 896.
EXPORT = [("of the", False), ("said teh", True)]
#: Hits per chunk, as api.routes.search_export.CHUNK.
EXPORT_CHUNK = 1000


def _paged_export(session, phrase: str, fuzzy: bool):
    """The export before the matching query ran once: one ``search_page`` per chunk."""
    from aligner.store.concordance import search_page

    first = search_page(session, phrase, fuzzy=fuzzy, limit=EXPORT_CHUNK)
    yield first.hits
    for offset in range(EXPORT_CHUNK, first.total, EXPORT_CHUNK):
        yield search_page(session, phrase, fuzzy=fuzzy, offset=offset, limit=EXPORT_CHUNK).hits


def _once_export(session, phrase: str, fuzzy: bool):
    """The export now: every hit's id once, then each chunk by its ids."""
    from aligner.store.concordance import find_matches, hit_chunks

    yield from hit_chunks(session, find_matches(session, phrase, fuzzy=fuzzy), size=EXPORT_CHUNK)


def _timed_export(session, export, phrase: str, fuzzy: bool, counts: dict) -> tuple:
    """(seconds, statements, index statements, hits, largest chunk, sha1 of the CSV)."""
    import hashlib

    from aligner.concordance.export import csv_lines

    counts.update(all=0, index=0)
    digest, hits, largest, header = hashlib.sha1(), 0, 0, True
    t0 = time.perf_counter()
    for chunk in export(session, phrase, fuzzy):
        hits, largest = hits + len(chunk), max(largest, len(chunk))
        for line in csv_lines(chunk, header=header):
            digest.update(line.encode())
        header = False
    return (time.perf_counter() - t0, counts["all"], counts["index"], hits, largest,
            digest.hexdigest())


def run_export(url: str, phrases, repeat: int) -> list[tuple]:
    """(phrase, way, best seconds of ``repeat`` runs, statements, index statements, hits,
    largest chunk, sha1 of the CSV) for each phrase, paged then once (the two ways
    alternate, so both see the same machine load); prints a line each."""
    from sqlalchemy import event

    from aligner.store.db import open_store

    engine, sessions = open_store(url, upgrade=False)
    counts = {"all": 0, "index": 0}

    def count(_conn, _cursor, statement, *_args):
        counts["all"] += 1
        counts["index"] += "sentence_fts MATCH" in statement or "tsv @@" in statement

    event.listen(engine, "before_cursor_execute", count)
    out = []
    with sessions() as s:
        for phrase, fuzzy in phrases:
            runs: dict[str, list[tuple]] = {"paged": [], "once": []}
            for _ in range(repeat):
                for way, export in (("paged", _paged_export), ("once", _once_export)):
                    runs[way].append(_timed_export(s, export, phrase, fuzzy, counts))
            for way, results in runs.items():
                assert len({r[5] for r in results}) == 1, "an export changed between runs"
                seconds, n, on_index, hits, largest, digest = min(results)
                row = (phrase + (" (fuzzy)" if fuzzy else ""), way, seconds, n, on_index, hits,
                       largest, digest)
                out.append(row)
                print(f"  export {row[0]!r:24s} {way:5s} {seconds:7.2f} s  {n:5d} statements "
                      f"({on_index:3d} on the index)  {hits:6d} hits, largest chunk {largest}",
                      flush=True)
    engine.dispose()
    return out


def _print_export(db: str, rows: list[tuple], repeat: int) -> None:
    print(f"\n{db}: concordance export as CSV ({EXPORT_CHUNK} hits a chunk, no renderings; best "
          f"of {repeat} runs), paged (matching query per chunk) vs once (ids once, chunks by id)")
    for paged, once in zip(rows[::2], rows[1::2]):
        same = "byte-identical" if paged[7] == once[7] else "DIFFERENT OUTPUT"
        print(f"  {paged[0]!r:24s} {paged[5]:6d} hits  {paged[2]:7.2f} s → {once[2]:6.2f} s "
              f"(×{paged[2] / max(once[2], 1e-9):.1f} faster)  statements {paged[3]} → {once[3]}, "
              f"on the index {paged[4]} → {once[4]}  {same}")


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--copies", type=int, default=16)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", metavar="PATH", help="SQLite: build (or reuse) the store here")
    ap.add_argument("--export", action=argparse.BooleanOptionalAction, default=True,
                    help="also time the concordance export (paged vs once)")
    ap.add_argument("--export-only", action="store_true", help="time the export only")
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
        times = {} if args.export_only else run(url, queries(texts), args.repeat)
        exported = run_export(url, EXPORT, args.repeat) if args.export or args.export_only else []
    finally:
        cleanup()
    if exported:
        _print_export(args.db, exported, args.repeat)
    if args.export_only:
        return 0
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
