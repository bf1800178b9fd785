"""Word links: quality on the XL-WA en-ru dev gold and time per sentence pair (prints figures).

Usage:
    python bench/words.py            # ../shared/eval-data/xl-wa-ru/dev.tsv
    python bench/words.py --errors 5 # also show the first 5 pairs' missed and wrong links

Prints P/R/F1/AER (Och & Ney 2003; XL-WA has sure links only, so AER = 1 - F1) and the
time per pair in one run: **cold** (a fresh encoder cache: every word form, lemma and span
encoded once), **warm words** (word vectors cached, span embeddings not: a bead never seen,
made of known words) and **warm** (all cached: a bead aligned again). Targets (issue 15):
AER <= 0.15; warm words < 20 ms per pair. Threads are pinned to 1 (a shared machine).

Then the **stored** Litvinov beads (the pair aligned and stored by the pipeline), linked
one bead at a time through the store (:func:`aligner.store.word_links.links_for_beads`):
cold (nothing cached), vocabulary warm (the words' vectors cached, the store's link cache
empty: a bead after an edit), and cached (the links read from the store). Goal: vocabulary
warm < 20 ms per bead. This part runs without the XL-WA data too.
Skips with a reason if the data is absent (a user's clone has no ../shared).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEV = ROOT.parent / "shared" / "eval-data" / "xl-wa-ru" / "dev.tsv"


def litvinov_bead_time(encoder) -> None:
    """Time of the seed's two long paragraph beads (about 55 x 65 words), cold and warm."""
    from aligner.words import link_words

    folder = ROOT / "corpora" / "litvinov-1938-08-07"
    ru = [t for t in (folder / "ru.reconstructed.txt").read_text(encoding="utf-8").splitlines() if "в нашем понимании" in t]
    en = [t for t in (folder / "en.ocr.txt").read_text(encoding="utf-8").splitlines() if "our understanding" in t]
    times = []
    for _ in range(2):
        start = time.perf_counter()
        for r, e in zip(ru, en):
            link_words(r, e, "ru", "en", encoder)
        times.append((time.perf_counter() - start) * 1000 / len(ru))
    print(f"Litvinov paragraph beads (ru-en, ~55 x 65 words): cold {times[0]:.1f} ms, warm {times[1]:.1f} ms per bead")


def stored_bead_time(base) -> None:
    """Per-bead time of the stored Litvinov beads through the store's link cache."""
    import tempfile

    from sqlalchemy import delete

    from aligner.embed import CachedEncoder
    from aligner.pipeline import align_pair, read_document, store_pair
    from aligner.store import service
    from aligner.store.db import open_store
    from aligner.store.models import BeadWordLinks
    from aligner.store.word_links import links_for_beads

    folder = ROOT / "corpora" / "litvinov-1938-08-07"
    src, tgt = read_document(folder / "ru.reconstructed.txt", "ru"), read_document(folder / "en.ocr.txt", "en")
    with tempfile.TemporaryDirectory() as tmp:
        _, sessions = open_store(Path(tmp) / "seed.db")
        aid = store_pair(sessions, src, tgt, align_pair(src, tgt, CachedEncoder(base)), project="seed").alignment_id
        with sessions() as session:
            beads = [b for b in service.list_beads(session, aid, 0, 1000)["beads"] if b["src"] and b["tgt"]]
        words = sum(len(s["text"].split()) for b in beads for s in b["src"] + b["tgt"]) / len(beads)
        encoder = CachedEncoder(base)  # a fresh vector cache: nothing encoded yet

        def per_bead() -> str:  # wall-clock and CPU time (CPU: less noisy on a shared machine)
            start, cpu = time.perf_counter(), time.process_time()
            for b in beads:
                with sessions() as session:
                    links_for_beads(session, [b["id"]], encoder)
            return (f"{(time.perf_counter() - start) * 1000 / len(beads):.1f} ms "
                    f"(CPU {(time.process_time() - cpu) * 1000 / len(beads):.1f})")

        cold = per_bead()
        cached = per_bead()
        with sessions() as session:
            session.execute(delete(BeadWordLinks))
            session.commit()
        vocabulary = per_bead()
    print(f"stored Litvinov beads ({len(beads)} with both sides, {words:.0f} words a bead on average), per bead: "
          f"cold {cold}, vocabulary warm {vocabulary}, cached {cached}   [target vocabulary warm < 20 ms]")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", nargs="?", default=str(DEV), help="pairs TSV with gold links in column 3")
    parser.add_argument("--src-lang", default="en")
    parser.add_argument("--tgt-lang", default="ru")
    parser.add_argument("--errors", type=int, default=0, help="show missed/wrong links of the first N pairs")
    args = parser.parse_args()
    from aligner.embed import CachedEncoder, UseEncoder

    if not Path(args.pairs).is_file():
        print(f"SKIP: {args.pairs} not found (the XL-WA dev part lives in ../shared/eval-data)")
        stored_bead_time(UseEncoder(threads=1))
        return 0
    from aligner.evaluate_words import parse_pharaoh_line, read_pairs, score_links
    from aligner.words import align_pretokenised

    pairs = read_pairs(args.pairs)
    gold = [parse_pharaoh_line(p.extra[0] if p.extra else "") for p in pairs]
    base = UseEncoder(threads=1)
    base.encode(["warm-up"])  # load the weights outside the timings

    def run(encoder):
        start = time.perf_counter()
        out = [align_pretokenised(p.src, p.tgt, args.src_lang, args.tgt_lang, encoder) for p in pairs]
        return out, (time.perf_counter() - start) * 1000 / len(pairs)

    encoder = CachedEncoder(base)
    alignments, cold = run(encoder)
    _, warm = run(encoder)
    words_only = CachedEncoder(base)  # the word forms and lemmas again, no spans
    words_only._memory.update({k: v for k, v in encoder._memory.items()})
    span_keys = {words_only._key(" ".join(p.src[i:i + 2])) for p in pairs for i in range(len(p.src) - 1)}
    span_keys |= {words_only._key(" ".join(p.tgt[i:i + 2])) for p in pairs for i in range(len(p.tgt) - 1)}
    for key in span_keys:
        words_only._memory.pop(key, None)
    _, warm_words = run(words_only)

    score = score_links([a.pairs() for a in alignments], gold)
    print(f"XL-WA {args.src_lang}-{args.tgt_lang} ({Path(args.pairs).name}): {score.format()}   [target AER <= 0.15]")
    print(f"time per pair: cold {cold:.1f} ms, warm words {warm_words:.1f} ms, warm {warm:.1f} ms   "
          f"[target warm words < 20 ms]")
    litvinov_bead_time(encoder)
    stored_bead_time(base)
    for n, (p, a, g) in enumerate(zip(pairs[: args.errors], alignments, gold)):
        found = a.pairs()
        print(f"\n{n}: {' '.join(p.src)}\n   {' '.join(p.tgt)}")
        print("   missed:", [(p.src[i], p.tgt[j]) for i, j in sorted(g.sure - found)])
        print("   wrong: ", [(p.src[i], p.tgt[j]) for i, j in sorted(found - g.possible)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
