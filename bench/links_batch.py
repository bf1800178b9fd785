"""Word links of many beads: one request per bead against one batch request (prints figures).

The page asks for the word links of a screenful at once (the review list, the renderings
view, a concordance page): ``GET /api/alignments/{id}/links?beads=...`` instead of one
``GET /api/alignments/{id}/beads/{bead}/links`` per bead. This bench stores the Litvinov pair
(aligned by the pipeline with the default encoder; its Russian side is a TEST
RECONSTRUCTION) in a temp SQLite store, serves the API with uvicorn on 127.0.0.1 in this
process, and fetches the links of the first ``--beads`` beads (default 50) over loopback:

* **per bead, one by one**: ``--beads`` requests in a row;
* **per bead, 6 at a time**: the same requests from 6 threads (a browser's connection limit
  per host over HTTP/1.1; what the page did with ``Promise.all``);
* **batch**: one request naming all the beads.

Each in three cache states: **cold** (nothing cached: a fresh vector cache, the store's link
cache empty), **vocabulary warm** (the words' vectors cached, the link cache empty: beads
after an edit) and **warm** (the links cached in the store). Every figure is the median of
``--repeats`` runs, the modes interleaved, wall-clock seconds and CPU seconds of the process
(server and client: CPU is less noisy on a shared machine), and the ratio to the batch in
the same run. Then the linking alone, without HTTP or the store: ``link_bead`` bead by bead
against ``link_beads`` (one encoder pass for all), cold (a fresh vector cache) and with the
words' vectors cached. Threads pinned to 1 (a shared machine).

    python bench/links_batch.py               # 50 beads, 3 repeats
    python bench/links_batch.py --beads 100 --repeats 5
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SEED = ROOT / "corpora" / "litvinov-1938-08-07"
BROWSER_CONNECTIONS = 6  # Chromium's and Firefox's limit per host over HTTP/1.1


def api_server(db: Path, encoder):
    """The API over ``db`` on a free loopback port, uvicorn in a thread
    (:class:`api.threaded.ThreadedServer`); the encoder it links with is
    ``server.encoder`` (swapped between runs for a cold vector cache)."""
    from api.main import create_app
    from api.settings import Settings
    from api.threaded import ThreadedServer

    served = ThreadedServer(create_app(Settings(db=db, auth="local"),
                                       encoder_provider=lambda name=None: served.encoder),
                            start_timeout=30)
    served.encoder = encoder
    return served


def _store_seed(db: Path, encoder) -> tuple[int, list[int]]:
    """Align and store the Litvinov pair; ``(alignment id, ids of beads with both sides)``."""
    from aligner.pipeline import align_pair, read_document, store_pair
    from aligner.store import service
    from aligner.store.db import open_store

    src, tgt = read_document(SEED / "ru.reconstructed.txt", "ru"), read_document(SEED / "en.ocr.txt", "en")
    _, sessions = open_store(db)
    aid = store_pair(sessions, src, tgt, align_pair(src, tgt, encoder), project="seed").alignment_id
    with sessions() as session:
        beads = service.list_beads(session, aid, 0, 1000)["beads"]
    return aid, [b["id"] for b in beads if b["src"] and b["tgt"]]


def _median_times(run, prepare, repeats: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``run()`` over ``repeats`` runs, ``prepare()`` before each."""
    walls, cpus = [], []
    for _ in range(repeats):
        prepare()
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def linking_only(db: Path, ids: list[int], base, repeats: int) -> None:
    """``link_bead`` per bead against ``link_beads`` on the same beads' texts, no HTTP."""
    from aligner.embed import CachedEncoder
    from aligner.store.db import open_store
    from aligner.store.word_links import _read_beads, _texts
    from aligner.words.bead import link_bead, link_beads

    _, sessions = open_store(db)
    with sessions() as session:
        stored = _read_beads(session, ids)
    beads = [(*_texts(stored[b]), stored[b].src_lang, stored[b].tgt_lang) for b in ids]
    encoder = {"now": CachedEncoder(base)}

    def fresh() -> None:
        encoder["now"] = CachedEncoder(base)

    link_beads(beads, encoder["now"])  # the vectors of these words, for the warm runs
    warm = encoder["now"]
    rows = {
        "cold": (_median_times(lambda: [link_bead(*b, encoder=encoder["now"]) for b in beads], fresh, repeats),
                 _median_times(lambda: link_beads(beads, encoder["now"]), fresh, repeats)),
        "vocabulary warm": (_median_times(lambda: [link_bead(*b, encoder=warm) for b in beads], lambda: None, repeats),
                            _median_times(lambda: link_beads(beads, warm), lambda: None, repeats)),
    }
    print(f"Linking alone (no HTTP, no store), {len(ids)} beads: wall s (CPU s)")
    for state, ((ow, oc), (bw, bc)) in rows.items():
        print(f"  {state:16s} link_beads {bw:.3f} ({bc:.3f}) | link_bead one by one {ow:.3f} ({oc:.3f}) "
              f"x{ow / bw:.1f} (CPU x{oc / bc:.1f})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beads", type=int, default=50, help="beads whose links are fetched (max 100)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each mode and cache state (median)")
    args = parser.parse_args(argv)
    if not 1 <= args.beads <= 100 or args.repeats < 1:
        parser.error("--beads must be 1..100 (one batch request) and --repeats at least 1")

    import httpx
    from sqlalchemy import delete

    from aligner.embed import CachedEncoder, UseEncoder
    from aligner.store.models import BeadWordLinks

    base = UseEncoder(threads=1)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "seed.db"
        aid, bead_ids = _store_seed(db, CachedEncoder(base))
        ids = bead_ids[: args.beads]
        if len(ids) < args.beads:
            parser.error(f"the seed has {len(ids)} beads with both sides")
        with api_server(db, CachedEncoder(base)) as server, httpx.Client(base_url=server.url, timeout=120) as http:

            def one(bead: int) -> dict:
                r = http.get(f"/api/alignments/{aid}/beads/{bead}/links")
                r.raise_for_status()
                return r.json()

            def per_bead_in_a_row() -> list[dict]:
                return [one(b) for b in ids]

            def per_bead_parallel() -> list[dict]:
                with ThreadPoolExecutor(BROWSER_CONNECTIONS) as pool:
                    return list(pool.map(one, ids))

            def batch() -> list[dict]:
                r = http.get(f"/api/alignments/{aid}/links", params={"beads": ",".join(map(str, ids))})
                r.raise_for_status()
                return r.json()["beads"]

            def clear_links() -> None:
                with server.app.state.session_factory() as session:
                    session.execute(delete(BeadWordLinks))
                    session.commit()

            def prepare(state: str) -> None:
                if state != "warm":
                    clear_links()
                if state == "cold":
                    server.encoder = CachedEncoder(base)  # no word vector cached yet

            modes = {"per bead, one by one": per_bead_in_a_row,
                     f"per bead, {BROWSER_CONNECTIONS} at a time": per_bead_parallel, "batch": batch}
            expected = {b["bead_id"]: b["links"] for b in batch()}  # also warms the server up
            times = {(state, mode): [] for state in ("cold", "vocabulary warm", "warm") for mode in modes}
            for _ in range(args.repeats):
                for state in ("cold", "vocabulary warm", "warm"):
                    for mode, run in modes.items():
                        prepare(state)
                        wall, cpu = time.perf_counter(), time.process_time()
                        got = run()
                        times[(state, mode)].append((time.perf_counter() - wall, time.process_time() - cpu))
                        wrong = [b["bead_id"] for b in got if b["links"] != expected[b["bead_id"]]]
                        if len(got) != len(ids) or wrong:
                            print(f"FAIL: {mode} ({state}) gave other links for beads {wrong[:5]}")
                            return 1
        print(f"Word links of {len(ids)} Litvinov beads over loopback (SQLite, 1 thread), median of "
              f"{args.repeats}: wall s (CPU s), x = time / batch time (wall; CPU)")
        for state in ("cold", "vocabulary warm", "warm"):
            med = {mode: tuple(statistics.median(t[k] for t in times[(state, mode)]) for k in (0, 1))
                   for mode in modes}
            bw, bc = med["batch"]
            cells = [f"{mode} {w:.3f} ({c:.3f}) x{w / bw:.1f}; x{c / bc:.1f}"
                     for mode, (w, c) in med.items() if mode != "batch"]
            print(f"  {state:16s} batch {bw:.3f} ({bc:.3f}) | " + " | ".join(cells))
        linking_only(db, ids, base, args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
