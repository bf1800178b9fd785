"""Concordance renderings: word links against the window method (prints figures).

Usage:
    python bench/concordance_links.py            # ../shared/eval-data/xl-wa-ru/dev.tsv
    python bench/concordance_links.py --limit 30 # the first 30 pairs only

**Phrase queries from XL-WA en-ru dev** (professional word alignments): every source
n-gram (n = 1..4, no punctuation, at least one content word) that forms a *consistent
phrase pair* with the gold links (Koehn, Och & Marcu 2003: no gold link leaves the pair),
its gold rendering being the target tokens from the first to the last one linked to it.
Each method marks a rendering in the target sentence; scored per query: exact span,
token precision/recall/F1 (micro), and how often it marks nothing. Two controls where the
right answer is "not rendered here": content words the annotators left unlinked, and every
phrase searched against the *next* pair's target sentence (a misaligned bead).

**The seed** (the Litvinov pair, aligned and stored by the pipeline): a few phrases
searched in the store, the rendering each method marks printed side by side (the Russian
side is a TEST RECONSTRUCTION, not the archival text).

Methods: **links** (:func:`aligner.concordance.by_links.linked_rendering` on the word links
of :mod:`aligner.words`) and **window** (:func:`aligner.concordance.mark_renderings`: the
word window whose sentence embedding is closest to the phrase's). Threads pinned to 1.
Skips with a reason if the data is absent.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEV = ROOT.parent / "shared" / "eval-data" / "xl-wa-ru" / "dev.tsv"


def phrase_queries(src, gold, max_n=4):
    """``[(i, j, gold target token set)]`` consistent phrase pairs of ``src[i:j]`` and
    ``[(i, i + 1, set())]`` content words the gold leaves unlinked."""
    from aligner.concordance.renderings import _FUNCTION_WORDS
    from aligner.words.tokens import is_punct

    image = defaultdict(set)
    back = defaultdict(set)
    for i, j in gold:
        image[i].add(j)
        back[j].add(i)
    rendered, unlinked = [], []
    for i in range(len(src)):
        for j in range(i + 1, min(len(src), i + max_n) + 1):
            words = src[i:j]
            if any(is_punct(w) for w in words) or all(w.lower() in _FUNCTION_WORDS for w in words):
                continue
            targets = set().union(*(image[k] for k in range(i, j)))
            if not targets:
                if j == i + 1:
                    unlinked.append((i, j, set()))
                continue
            span = set(range(min(targets), max(targets) + 1))
            if all(back[t] <= set(range(i, j)) for t in span):  # consistent: nothing leaves
                rendered.append((i, j, span))
    return rendered, unlinked


def by_links(alignment, i, j, encoder, gate=True):
    """Target tokens marked by the links method for source tokens ``i..j-1`` (``gate``:
    refused unless the rendering stands out, :func:`aligner.concordance.by_links.stands_out`)."""
    from aligner.concordance.by_links import linked_rendering, stands_out

    tokens = alignment.src
    found = linked_rendering(alignment, "src", 0, [(tokens[i].start, tokens[j - 1].end)],
                             [" ".join(t.text for t in alignment.tgt)])
    if found is None or (gate and not stands_out(" ".join(t.text for t in tokens[i:j]), found, encoder)[0]):
        return set()
    return set(found.tokens)


def by_window(phrase, tgt_words, encoder):
    """Target tokens marked by the window method."""
    from aligner.concordance import AlignedText, mark_renderings

    text = " ".join(tgt_words)
    starts, at = [], 0
    for w in tgt_words:
        starts.append(at)
        at += len(w) + 1
    aligned = AlignedText(0, 0, 0, "", "ru", "", [], [], text)
    mark_renderings(phrase, [aligned], encoder)
    if not aligned.spans:
        return set()
    s, e = aligned.spans[0]
    return {k for k, a in enumerate(starts) if s <= a < e}


class Score:
    def __init__(self):
        self.n = self.exact = self.none = self.tp = self.fp = self.fn = 0

    def add(self, predicted, gold):
        self.n += 1
        self.exact += predicted == gold
        self.none += not predicted
        self.tp += len(predicted & gold)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    def line(self):
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return (f"exact {self.exact / self.n:.3f}  P {p:.3f}  R {r:.3f}  F1 {f:.3f}  "
                f"marks nothing {self.none / self.n:.3f}  ({self.n} queries)")


SEED_PHRASES = ["in our understanding", "Japanese troops", "military action", "the Japanese Government",
                "diplomatic negotiations", "August 4th", "air-force", "the boundary", "Shigemitsu",
                "понимании", "японские войска", "военные действия", "авиацию", "4 августа"]


def seed_comparison(encoder) -> None:
    """Store the Litvinov pair (pipeline) and print both methods' renderings of SEED_PHRASES."""
    import copy
    import tempfile

    from aligner.concordance import mark_hit_renderings
    from aligner.pipeline import align_pair, read_document, store_pair
    from aligner.store.concordance import search
    from aligner.store.concordance_links import mark_hit_renderings_by_links
    from aligner.store.db import open_store

    folder = ROOT / "corpora" / "litvinov-1938-08-07"
    src, tgt = read_document(folder / "ru.reconstructed.txt", "ru"), read_document(folder / "en.ocr.txt", "en")
    with tempfile.TemporaryDirectory() as tmp:
        _, sessions = open_store(Path(tmp) / "seed.db")
        store_pair(sessions, src, tgt, align_pair(src, tgt, encoder), project="seed")
        print("\n=== the seed (Litvinov pair; Russian: TEST RECONSTRUCTION): rendering per hit, links | window")
        for phrase in SEED_PHRASES:
            with sessions() as session:
                hits = search(session, phrase)
                window = copy.deepcopy(hits)
                mark_hit_renderings_by_links(session, phrase, hits, encoder)
            mark_hit_renderings(phrase, window, encoder)
            for h, w in zip(hits, window):
                for a, b in zip(h.aligned, w.aligned):
                    print(f"  {phrase!r:28s} → {a.rendering or '(not rendered here)'!s:40.40s} | "
                          f"{b.rendering or '(none)'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", nargs="?", default=str(DEV))
    parser.add_argument("--limit", type=int, default=0, help="only the first N pairs")
    parser.add_argument("--seed-only", action="store_true", help="only the seed comparison")
    args = parser.parse_args()
    from aligner.embed import CachedEncoder, UseEncoder

    if args.seed_only:
        seed_comparison(CachedEncoder(UseEncoder(threads=1)))
        return 0
    if not Path(args.pairs).is_file():
        print(f"SKIP: {args.pairs} not found (the XL-WA dev part lives in ../shared/eval-data)")
        seed_comparison(CachedEncoder(UseEncoder(threads=1)))
        return 0
    from aligner.evaluate_words import parse_pharaoh_line, read_pairs
    from aligner.words import align_pretokenised
    from aligner.words.bead import BeadLinks, BeadToken

    def link_bead(src, tgt):  # pre-tokenised: token k is word k
        a = align_pretokenised(src, tgt, "en", "ru", encoder)
        place = lambda tokens: [BeadToken(0, t.start, t.end, t.text) for t in tokens]  # noqa: E731
        return BeadLinks(place(a.src_tokens), place(a.tgt_tokens), a.links, a.partial())

    pairs = read_pairs(args.pairs)
    if args.limit:
        pairs = pairs[: args.limit]
    encoder = CachedEncoder(UseEncoder(threads=1))
    links = [link_bead(p.src, p.tgt) for p in pairs]
    shifted = [link_bead(p.src, q.tgt) for p, q in zip(pairs, pairs[1:] + pairs[:1])]
    methods = {"links": lambda a, i, j, tgt: by_links(a, i, j, encoder),
               "links, no gate": lambda a, i, j, tgt: by_links(a, i, j, encoder, gate=False),
               "window": lambda a, i, j, tgt: by_window(" ".join(a.src[k].text for k in range(i, j)), tgt, encoder)}
    halves = {"tuning (pairs 1-45)": range(0, min(45, len(pairs))), "held out (pairs 46-90)": range(45, len(pairs))}
    seconds = defaultdict(float)
    print(f"XL-WA en-ru ({Path(args.pairs).name}, {len(pairs)} pairs): phrase queries, gold = consistent phrase pairs")
    for half, indices in halves.items():
        if not indices:
            continue
        scores = defaultdict(Score)
        for k in indices:
            p, q = pairs[k], pairs[(k + 1) % len(pairs)]
            gold = parse_pharaoh_line(p.extra[0] if p.extra else "").sure
            rendered, unlinked = phrase_queries(p.src, gold)
            for name, method in methods.items():
                t0 = time.perf_counter()
                for kind, queries in (("rendered", rendered), ("unlinked", unlinked)):
                    for i, j, span in queries:
                        found = method(links[k], i, j, p.tgt)
                        scores[(name, kind)].add(found, span)
                        if kind == "rendered":
                            scores[(name, j - i)].add(found, span)
                            scores[(name, "misaligned")].add(method(shifted[k], i, j, q.tgt), set())
                seconds[name] += time.perf_counter() - t0
        print(f"\n=== {half}")
        for kind, what in (("rendered", "rendered phrases"), ("unlinked", "unlinked content words (right: nothing)"),
                           ("misaligned", "phrase vs the next pair's sentence (right: nothing)"),
                           *((n, f"rendered phrases of {n} word(s)") for n in range(1, 5))):
            print(f"{what}:")
            for name in methods:
                print(f"  {name:15s} {scores[(name, kind)].line()}")
    print("\nmarking time, all queries (window: encoding its windows; links: the bead's links "
          "given, plus one encoding of phrase and rendering): "
          + ", ".join(f"{name} {sec:.1f} s" for name, sec in seconds.items()))
    seed_comparison(encoder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
