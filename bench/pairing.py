"""Pairing benchmark: which record translates which (document alignment). Prints figures.

Usage:
    python bench/pairing.py                 # the four sets below
    python bench/pairing.py --sets ntrex,frus --cache ''   # no embedding cache (cold timings)
    python bench/pairing.py --fit           # refit the score's logistic (aligner/pairing.py)

Sets (a-c need ../shared/eval-data and are skipped with a reason without it):
  (a) ntrex-folders: the 123 NTREX-128 news documents, Russian (rus_Cyrl) and English
      (the English original), written one file per document into two folders under
      shuffled names;
  (b) ntrex-volumes: the same as two "volumes", one Russian and one English file, the
      documents in different orders, each opened by a generated heading block (numbers,
      titles, date lines, places in several styles; independent dates on the two sides,
      so dates are no clue); records are recovered by aligner.records.split_records and
      paired back (splitting P/R is printed too);
  (c) bilinguator: the 39 ru/en works under shuffled names, one file per work;
  (c') bilinguator-dropped (set "dropped"): the same without the Russian of ten works and
      the English of ten others, so 19 gold pairs and 20 records with no partner;
  (d) frus: the twelve FRUS 1938 telegrams (TEI divs) against the Litvinov record (a
      Russian TEST RECONSTRUCTION): d471 must come out paired and partial, the others
      unpaired.

Pairing P/R/F1: a predicted pair is right when its source and target are a gold pair;
recall over gold pairs. Times are wall seconds of what aligner.pairing.pair_paths does
(reading and segmenting, which the later alignment needs anyway, shown apart; encoding;
scoring), and the process's CPU seconds; with the default embedding cache
(.cache/bench-pairing.sqlite) a second run does not encode, and the cache misses are
printed. Threads are pinned to 2 (OMP/OpenBLAS).

--fit (three rounds of chunks, seeds SEED..SEED+2) builds labelled pairs from the bilinguator works cut into chunks of 8-30 aligned
lines (Russian chunk k <-> English chunk k): for a third of the chunks the English is
dropped (an untranslated record), for a quarter it is a 30-60 % excerpt wrapped in lines
of another work (a partial rendering), some English chunks come without their Russian, and
the English of the lines right after each chunk is added (a decoy on the same scene; the
chunks are every other one, so decoys never overlap a chunk); every candidate pair the pipeline scores is an example,
labelled 1 if its target renders (part of) its source. It prints the logistic weights
(IRLS) to copy into aligner/pairing.py. NTREX and FRUS are not used for fitting.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import argparse  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aligner.document import document_from_text  # noqa: E402
from aligner.embed import get_encoder  # noqa: E402
from aligner.pairing import (CHAIN_FLOOR, EVIDENCE_CAP, Entry, PairConfig, load_entries, pair_entries,
                             score_candidates)  # noqa: E402
from aligner.records import Record, split_records  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval-data"
NTREX = EVAL / "ntrex128"
BILINGUATOR = EVAL / "bilinguator-ru-en" / "texts"
FRUS = ROOT / "corpora" / "frus-1938-khasan" / "frus1938v03_d464-d478.tei.xml"
LITVINOV = ROOT / "corpora" / "litvinov-1938-08-07" / "ru.reconstructed.txt"


def ntrex_documents() -> dict[str, tuple[list[str], list[str]]]:
    """NTREX doc id -> (Russian lines, English lines), in file order."""
    ids = [line.split("\t")[0].strip() for line in (NTREX / "DOCUMENT_IDS.tsv").read_text().splitlines()]
    ru = (NTREX / "NTREX-128" / "newstest2019-ref.rus.txt").read_text(encoding="utf-8").splitlines()
    en = (NTREX / "NTREX-128" / "newstest2019-src.eng.txt").read_text(encoding="utf-8").splitlines()
    docs: dict[str, tuple[list[str], list[str]]] = {}
    for doc_id, r, e in zip(ids, ru, en):
        docs.setdefault(doc_id, ([], []))
        docs[doc_id][0].append(r)
        docs[doc_id][1].append(e)
    return docs


def prf(predicted: set, gold: set) -> tuple[float, float, float]:
    right = len(predicted & gold)
    p = right / len(predicted) if predicted else 0.0
    r = right / len(gold) if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def timed_pairing(src, tgt, encoder, src_lang="ru", tgt_lang="en") -> tuple[dict, str, int]:
    """pair_paths, step by step: (result, "T s (read+segment R s, CPU C s)", sentences encoded)."""
    misses = getattr(encoder, "misses", 0)
    start, cpu = time.perf_counter(), time.process_time()
    sources = load_entries(src, src_lang)
    targets = load_entries(tgt, tgt_lang)
    read = time.perf_counter() - start
    result = pair_entries(sources, targets, encoder)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return result, f"{wall:.1f} s (read+segment {read:.1f} s; CPU {cpu:.1f} s)", getattr(encoder, "misses", 0) - misses


def report(name: str, result: dict, predicted: set, gold: set, seconds: str, encoded: int, extra: str = "") -> None:
    p, r, f = prf(predicted, gold)
    partial = sum(pair["partial"] for pair in result["pairs"])
    print(f"{name:15s} P {p:.3f}  R {r:.3f}  F1 {f:.3f}   pairs {len(predicted)}/{len(gold)} gold, "
          f"{partial} partial, unpaired {len(result['unpaired_source'])} src / "
          f"{len(result['unpaired_target'])} tgt   {seconds}, {encoded} sentences encoded{extra}")


# --- (a) and (c): files under shuffled names ---------------------------------------------------


def write_shuffled(folder: Path, works: dict[str, tuple[str, str]], rng: random.Random) -> dict[str, str]:
    """Write each work's Russian and English text under random names; ru name -> en name."""
    (folder / "ru").mkdir()
    (folder / "en").mkdir()
    names = [f"{rng.getrandbits(40):010x}" for _ in range(2 * len(works))]
    gold = {}
    for k, (ru, en) in enumerate(works.values()):
        a, b = names[2 * k], names[2 * k + 1]
        (folder / "ru" / f"{a}.txt").write_text(ru, encoding="utf-8")
        (folder / "en" / f"{b}.txt").write_text(en, encoding="utf-8")
        gold[f"{a}.txt"] = f"{b}.txt"
    return gold


def run_folders(name: str, works: dict[str, tuple[str, str]], encoder, seed: int, drop: int = 0) -> None:
    """Pair the works written under shuffled names; with ``drop``, the Russian of ``drop``
    works and the English of ``drop`` others are left out (records without a partner on
    both sides)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rng = random.Random(seed)
        gold = write_shuffled(folder, works, rng)
        if drop:
            names = sorted(gold)
            gone = rng.sample(names, 2 * drop)
            for ru_name in gone[:drop]:
                (folder / "ru" / ru_name).unlink()
                del gold[ru_name]
            for ru_name in gone[drop:]:
                (folder / "en" / gold.pop(ru_name)).unlink()
        result, seconds, encoded = timed_pairing([folder / "ru"], [folder / "en"], encoder)
        predicted = {(Path(p["source"]["file"]).name, Path(p["target"]["file"]).name) for p in result["pairs"]}
        tentative = sum(p["evidence"]["tentative"] for p in result["pairs"])
        report(name, result, predicted, set(gold.items()), seconds, encoded, f", {tentative} tentative")
        wrong = [p for p in result["pairs"]
                 if gold.get(Path(p["source"]["file"]).name) != Path(p["target"]["file"]).name]
        missed = set(gold) - {s for s, _ in predicted}
        for p in wrong:
            ev = p["evidence"]
            print(f"    wrong pair: {p['source']['title'][:30]!r} -> {p['target']['title'][:30]!r} score {p['score']}, "
                  f"chain {ev['chain']}, {ev['links']} links, shared {ev['shared_weight']} nats {ev['shared']}"[:400])
        for m in sorted(missed):
            item = next(u for u in result["unpaired_source"] if Path(u["file"]).name == m)
            print(f"    missed: {item['title'][:50]!r} best {item.get('best')}")


# --- (b): volumes ----------------------------------------------------------------------------------

RU_MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
             "октября", "ноября", "декабря")
EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")
PLACES = (("Москва", "Moscow"), ("Лондон", "London"), ("Вашингтон", "Washington"), ("Берлин", "Berlin"),
          ("Париж", "Paris"), ("Токио", "Tokyo"))


def ru_heading(n: int, rng: random.Random) -> str:
    day, month = rng.randint(1, 28), rng.randrange(12)
    date = f"{day} {RU_MONTHS[month]} 2019 г."
    place = rng.choice(PLACES)[0]
    return rng.choice([
        f"№ {n}\n{date}",
        f"{n}. Сообщение агентства из {place}\n{place}, {date}",
        f"Телеграмма № {n}\n\n{date}",
        f"Документ № {n}\nСекретно\n{place}, {date}",
        f"{n}. Запись беседы с корреспондентом\n{day}.{month + 1:02d}.2019",
    ])


def en_heading(n: int, rng: random.Random) -> str:
    day, month = rng.randint(1, 28), rng.randrange(12)
    place = rng.choice(PLACES)[1]
    return rng.choice([
        f"No. {n}\n{EN_MONTHS[month]} {day}, 2019",
        f"Telegram No. {n}\n{place}, {EN_MONTHS[month]} {day}, 2019—{rng.randint(1, 11)} p.m.\n[Received {EN_MONTHS[month]} {day}]",
        f"{n}.\n\nDespatch from {place}\n\n{day} {EN_MONTHS[month]} 2019",
        f"Document {n}\nStrictly confidential\n{EN_MONTHS[month]} {day}, 2019",
        f"Memorandum of Conversation\n{place}, {EN_MONTHS[month]} {day}, 2019",
    ])


def build_volume(docs: list[tuple[str, list[str]]], heading, rng: random.Random) -> tuple[str, list[tuple[str, int, int]]]:
    """A volume text and each document's (id, start, end) in it."""
    parts: list[str] = [rng.choice(["Сборник документов. Том 1\n\n", "Documents. Volume 1\n\n"])]
    spans = []
    pos = len(parts[0])
    for n, (doc_id, lines) in enumerate(docs, 1):
        chunk = heading(n + 100, rng) + "\n\n" + "\n".join(lines) + "\n\n\n"
        spans.append((doc_id, pos, pos + len(chunk)))
        parts.append(chunk)
        pos += len(chunk)
    return "".join(parts), spans


def owner(spans: list[tuple[str, int, int]], start: int, end: int) -> str:
    return max(spans, key=lambda s: min(end, s[2]) - max(start, s[1]))[0]


def run_volumes(docs: dict[str, tuple[list[str], list[str]]], encoder, seed: int) -> None:
    rng = random.Random(seed)
    ids = list(docs)
    ru_order, en_order = ids[:], ids[:]
    rng.shuffle(ru_order)
    rng.shuffle(en_order)
    ru_text, ru_spans = build_volume([(d, docs[d][0]) for d in ru_order], ru_heading, rng)
    en_text, en_spans = build_volume([(d, docs[d][1]) for d in en_order], en_heading, rng)
    for lang, text, spans in (("ru", ru_text, ru_spans), ("en", en_text, en_spans)):
        records = split_records(text, lang)
        found = {(r.start, owner(spans, r.start, r.end)) for r in records}
        right = sum(1 for r in records if any(abs(r.start - s) < 200 and r.start >= s for _, s, _ in spans))
        print(f"{'':15s} split {lang}: {len(records)} records for {len(spans)} documents, "
              f"{right} start within their document's heading block ({len(found)} distinct)")
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "volume_ru.txt").write_text(ru_text, encoding="utf-8")
        (Path(tmp) / "volume_en.txt").write_text(en_text, encoding="utf-8")
        result, seconds, encoded = timed_pairing([Path(tmp) / "volume_ru.txt"], [Path(tmp) / "volume_en.txt"], encoder)
    predicted = {(owner(ru_spans, p["source"]["start"], p["source"]["end"]),
                  owner(en_spans, p["target"]["start"], p["target"]["end"])) for p in result["pairs"]}
    report("ntrex-volumes", result, predicted, {(d, d) for d in ids}, seconds, encoded)
    for p in result["pairs"]:
        a, b = (owner(ru_spans, p["source"]["start"], p["source"]["end"]),
                owner(en_spans, p["target"]["start"], p["target"]["end"]))
        if a != b:
            ev = p["evidence"]
            print(f"    wrong pair: {a} -> {b}, score {p['score']}, chain {ev['chain']}, {ev['links']} links, "
                  f"coverage {ev['source_coverage']}/{ev['target_coverage']}, shared {ev['shared']}"[:300])


# --- (d): FRUS --------------------------------------------------------------------------------------


def run_frus(encoder) -> None:
    result, seconds, encoded = timed_pairing([LITVINOV], [FRUS], encoder)
    pairs = [(p["target"]["id"], p["partial"], p["score"]) for p in result["pairs"]]
    ok = pairs and len(pairs) == 1 and pairs[0][0] == "d471" and pairs[0][1]
    gold = {("litvinov", "d471")}
    predicted = {("litvinov", p["target"]["id"]) for p in result["pairs"]}
    report("frus-litvinov", result, predicted, gold, seconds, encoded,
           f"   d471 partial and 11 unpaired: {'yes' if ok else 'NO'} {pairs}")
    best_decoy = max((u["best"]["score"] for u in result["unpaired_target"] if "best" in u), default=0)
    print(f"{'':15s} highest decoy score {best_decoy:.3f} (threshold {PairConfig().threshold})")


# --- --fit -------------------------------------------------------------------------------------------


def entry(text: str, lang: str, name: str) -> Entry:
    doc = document_from_text(text, lang, filename=name, strip_markup=True)
    return Entry(name, Record(0, name, None, 0, len(text), text), doc, 0)


def fit_examples(encoder, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = random.Random(seed)
    features, labels = [], []
    works = sorted(p.name for p in BILINGUATOR.iterdir())
    rng.shuffle(works)
    groups = [works[i::4] for i in range(4)]  # four collections of ~10 works each
    for group in groups:
        sources, targets, gold = [], [], set()
        for work in group:
            ru = (BILINGUATOR / work / f"{work}_ru.txt").read_text(encoding="utf-8").splitlines()[2:]
            en = (BILINGUATOR / work / f"{work}_en.txt").read_text(encoding="utf-8").splitlines()[2:]
            cuts = [0]
            while cuts[-1] < len(ru):
                cuts.append(cuts[-1] + rng.randint(8, 30))
            chunks = [(a, min(b, len(ru))) for a, b in zip(cuts, cuts[1:])]
            chunks = [c for c in chunks if c[1] - c[0] >= 4]
            evens = range(0, len(chunks) - 1, 2)
            for k in sorted(rng.sample(evens, min(len(evens), 12))):
                (a, b), (c, d) = chunks[k], chunks[k + 1]
                ru_text, en_lines = "\n".join(ru[a:b]), en[a:b]
                # the English of the next chunk (never a picked one): a decoy on the same scene
                following = "\n".join(en[c:d])
                if following.strip():
                    targets.append(entry(following, "en", f"{work}-{k}-next-en"))
                roll = rng.random()
                if roll < 0.15:  # English only
                    targets.append(entry("\n".join(en_lines), "en", f"{work}-{k}-en"))
                    continue
                sources.append(entry(ru_text, "ru", f"{work}-{k}-ru"))
                if roll < 0.4:
                    continue  # untranslated record
                if roll < 0.65:  # a partial rendering inside other text
                    size = max(2, int(len(en_lines) * rng.uniform(0.3, 0.6)))
                    first = rng.randrange(0, len(en_lines) - size + 1)
                    other = rng.choice([w for w in works if w not in group])
                    filler = (BILINGUATOR / other / f"{other}_en.txt").read_text(encoding="utf-8").splitlines()[2:]
                    at = rng.randrange(0, max(1, len(filler) - 6))
                    en_lines = filler[at:at + 3] + en_lines[first:first + size] + filler[at + 3:at + 6]
                targets.append(entry("\n".join(en_lines), "en", f"{work}-{k}-en"))
                gold.add((len(sources) - 1, len(targets) - 1))
        # first-pass scores only: the logistic is fitted on them (a further rendering's
        # re-score, with its record's partner out of the kNN pool, reuses it)
        scored = score_candidates(sources, targets, encoder, config=PairConfig(many=False))
        for (s, t), cand in scored.items():
            features.append([np.log(cand.chain.chain + CHAIN_FLOOR), min(cand.evidence, EVIDENCE_CAP)])
            labels.append(1.0 if (s, t) in gold else 0.0)
        print(f"  collection: {len(sources)} sources, {len(targets)} targets, {len(gold)} gold pairs, "
              f"{len(scored)} candidate pairs scored")
    return np.array(features), np.array(labels)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0) -> np.ndarray:
    """Weights (bias first) of a logistic regression by IRLS (Newton's method), with an L2
    penalty ``l2`` on the weights (the data are almost separable: without it the chain's
    weight runs off)."""
    X = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(X.shape[1])
    penalty = l2 * np.diag([0.0] + [1.0] * x.shape[1])  # the bias is not penalised
    for _ in range(100):
        p = 1 / (1 + np.exp(-X @ w))
        grad = X.T @ (p - y) + penalty @ w
        hess = (X * (p * (1 - p))[:, None]).T @ X + penalty
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def run_fit(encoder, seed: int, l2: float, rounds: int = 3) -> None:
    parts = [fit_examples(encoder, seed + k) for k in range(rounds)]
    x = np.concatenate([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    w = fit_logistic(x, y, l2=l2)
    p = 1 / (1 + np.exp(-(w[0] + x @ w[1:])))
    loss = -np.mean(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))
    print(f"examples {len(y)} ({int(y.sum())} positive); weights: bias {w[0]:.2f}, log chain {w[1]:.2f}, "
          f"evidence {w[2]:.3f}; log-loss {loss:.4f}")
    for lo, hi in ((0, .1), (.1, .5), (.5, .9), (.9, 1.01)):
        sel = (p >= lo) & (p < hi)
        if sel.any():
            print(f"  predicted {lo:.1f}-{min(hi, 1):.1f}: {sel.sum():5d} pairs, {y[sel].mean():.3f} positive")
    pred = p >= 0.5
    tp = (pred & (y == 1)).sum()
    print(f"  at 0.5: P {tp / max(1, pred.sum()):.3f} R {tp / max(1, y.sum()):.3f}")


SETS = ("ntrex", "volumes", "bilinguator", "dropped", "frus")


def bilinguator_works() -> dict[str, tuple[str, str]]:
    """Work name -> (Russian text, English text) of the 39 bilinguator works."""
    return {w.name: ((w / f"{w.name}_ru.txt").read_text(encoding="utf-8"),
                     (w / f"{w.name}_en.txt").read_text(encoding="utf-8"))
            for w in sorted(BILINGUATOR.iterdir())}


def run_sets(sets, encoder, seed: int) -> None:
    """Run the named sets of :data:`SETS` (those needing ../shared are skipped with a
    reason without it); bench/batch.py runs them too."""
    shared = EVAL.is_dir()
    if not shared and set(sets) - {"frus"}:
        print(f"skipped ntrex/volumes/bilinguator: {EVAL} not found (../shared is not in a user's clone)")
    if shared and "ntrex" in sets:
        docs = ntrex_documents()
        run_folders("ntrex-folders", {d: ("\n".join(r), "\n".join(e)) for d, (r, e) in docs.items()},
                    encoder, seed)
    if shared and "volumes" in sets:
        run_volumes(ntrex_documents(), encoder, seed)
    works = bilinguator_works() if shared and {"bilinguator", "dropped"} & set(sets) else {}
    if shared and "bilinguator" in sets:
        run_folders("bilinguator", works, encoder, seed)
    if shared and "dropped" in sets:
        run_folders("bilinguator-dropped", works, encoder, seed, drop=10)
    if "frus" in sets:
        run_frus(encoder)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--cache", default=str(ROOT / ".cache" / "bench-pairing.sqlite"),
                    help="SQLite embedding cache ('' for none)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--fit", action="store_true", help="refit the score's logistic and exit")
    ap.add_argument("--l2", type=float, default=0.1, help="L2 penalty of the fit")
    args = ap.parse_args()
    encoder = get_encoder(cache_path=args.cache or None)
    if args.fit:
        if not BILINGUATOR.is_dir():
            sys.exit(f"skipped: {BILINGUATOR} not found (the fit uses ../shared/eval-data)")
        run_fit(encoder, args.seed, args.l2)
        return
    sets = args.sets.split(",")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start "
          f"(wall times stretch with it; CPU seconds less); cache {args.cache or 'none'}")
    run_sets(sets, encoder, args.seed)

if __name__ == "__main__":
    main()
