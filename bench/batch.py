"""Archive-scale batch benchmark (issue 13), in one run: record pairing precision/recall
and time, and the 39-work batch's wall and CPU time on each executor. Prints figures.

Usage:
    python bench/batch.py                    # pairing sets, then the batch (about 20 min)
    python bench/batch.py --sets batch --rounds 3 --configs local1,local2,dask2
    python bench/batch.py --sets pairing     # as bench/pairing.py (its sets: NTREX, volumes, bilinguator, dropped, FRUS)
    python bench/batch.py --sets rerun --rerun-tasks 2000   # a rerun's look-ups (bench/batch_rerun.py)

Pairing (``bench/pairing.py``'s sets, with its embedding cache .cache/bench-pairing.sqlite
unless ``--cache ''``): P/R/F1 and time on NTREX (two folders; two volumes split into
records) and on the 39 bilinguator works under shuffled names, and FRUS vs Litvinov.

Batch: the 39 bilinguator ru/en works (``../shared/eval-data/bilinguator-ru-en``) aligned
and stored by ``aligner.batch.engine.run_tasks``, each configuration into its own SQLite
store, all cold (workers keep no embedding cache, so every configuration encodes every
sentence: the same cache state for all). Configurations: ``local1`` one process with its
share of the cores (2 threads here), ``local1x1`` one process, one thread (the per-core
baseline), ``local2`` two processes × 1 thread, ``dask2`` a Dask ``LocalCluster`` of two
worker processes × 1 thread. The machine is shared and noisy, so the works are cut into
``--rounds`` rounds of like size and every round runs each configuration in turn, the
order reversed from round to round (ABCD, DCBA: load that comes and goes falls on all
alike; two rounds keep the largest work under a third of its round, so two workers can
share a round evenly); the
1-minute load average is sampled every 5 s. CPU time is the workers' CPU in tasks plus the
writer's. Peak memory: each worker process's peak resident set (ru_maxrss).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import pairing as pairing_bench  # noqa: E402  (bench/pairing.py)

from aligner.batch import discover_pairs  # noqa: E402
from aligner.batch.engine import run_tasks  # noqa: E402
from aligner.batch.executors import make_executor  # noqa: E402
from aligner.batch.tasks import PairTask  # noqa: E402
from aligner.embed import get_encoder  # noqa: E402
from aligner.store.db import open_store  # noqa: E402

BILINGUATOR = pairing_bench.BILINGUATOR
CONFIGS = {"local1": "local, 1 process × its share (all cores)", "local1x1": "local, 1 process × 1 thread",
           "local2": "local, 2 processes × 1 thread", "dask2": "Dask LocalCluster, 2 workers × 1 thread"}


class LoadSampler(threading.Thread):
    """1-minute load average every ``every`` seconds while running."""

    def __init__(self, every: float = 5.0):
        super().__init__(daemon=True)
        self.every, self.samples, self._stop = every, [os.getloadavg()[0]], threading.Event()

    def run(self) -> None:
        while not self._stop.wait(self.every):
            self.samples.append(os.getloadavg()[0])

    def stop(self) -> list[float]:
        self._stop.set()
        self.samples.append(os.getloadavg()[0])
        return self.samples


def run_pairing(cache: str, seed: int) -> None:
    encoder = get_encoder(cache_path=cache or None)
    print(f"== pairing (embedding cache: {cache or 'none'}; warm cache: wall/CPU exclude most encoding)")
    pairing_bench.run_sets(pairing_bench.SETS, encoder, seed)


def rounds_of(tasks: list[PairTask], n: int) -> list[list[PairTask]]:
    """``n`` rounds of like total size (largest first, each to the lightest round)."""
    size = {t.name: sum(os.path.getsize(p) for p in (t.source, t.translation)) for t in tasks}
    out: list[list[PairTask]] = [[] for _ in range(n)]
    for t in sorted(tasks, key=lambda t: -size[t.name]):
        min(out, key=lambda r: sum(size[x.name] for x in r)).append(t)
    return out


def make(config: str, clusters: list):
    if config == "local1":
        return make_executor("local", workers=1)
    if config == "local1x1":
        return make_executor("local", workers=1, threads=1)
    if config == "local2":
        return make_executor("local", workers=2)
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    clusters.append((client, cluster))
    return make_executor("dask", client=client)


def run_batch_bench(configs: list[str], n_rounds: int, works: int = 0) -> None:
    import logging

    logging.getLogger("distributed").setLevel(logging.WARNING)
    tasks = [PairTask.from_spec(s) for s in discover_pairs(BILINGUATOR)]
    if works:  # a smoke run: the smallest works
        tasks = sorted(tasks, key=lambda t: os.path.getsize(t.source))[:works]
    rounds = rounds_of(tasks, n_rounds)
    encoder = get_encoder()  # the writer's: names the encoder in task keys; it encodes nothing
    print(f"\n== batch: {len(tasks)} bilinguator works, {n_rounds} rounds, cold (no embedding cache); "
          "each configuration's executor is started afresh for each round (start-up not timed) "
          "and closed after it, so no idle pool waits beside the one measured")
    wall = {c: 0.0 for c in configs}
    cpu = {c: 0.0 for c in configs}
    rss: dict[str, dict[int, int]] = {c: {} for c in configs}
    loads: dict[str, list[float]] = {c: [] for c in configs}
    statuses: dict[str, list[str]] = {c: [] for c in configs}
    beads: dict[str, dict[str, int]] = {c: {} for c in configs}
    busy: dict[str, list[float]] = {c: [0.0, 0.0] for c in configs}  # task wall s, writer's storing s
    with tempfile.TemporaryDirectory() as tmp:
        stores = {c: open_store(Path(tmp) / f"{c}.db")[1] for c in configs}
        for r, part in enumerate(rounds):
            order = configs if r % 2 == 0 else configs[::-1]  # ABCD, DCBA, ABCD…
            for c in order:
                clusters: list = []
                executor = make(c, clusters)
                if r == 0:
                    print(f"  {c:9s} {executor.describe()}")
                sampler = LoadSampler()
                sampler.start()
                start, writer_cpu = time.perf_counter(), time.process_time()
                report = run_tasks(part, stores[c], executor, encoder, progress=None)
                seconds = time.perf_counter() - start
                executor.close()
                for client, cluster in clusters:
                    client.close()
                    cluster.close()
                loads[c] += sampler.stop()
                wall[c] += seconds
                cpu[c] += report.task_cpu + time.process_time() - writer_cpu
                for pid, peak in report.peak_rss.items():
                    rss[c][pid] = max(rss[c].get(pid, 0), peak)
                statuses[c] += [x.status for x in report.results]
                busy[c][0] += report.task_seconds
                busy[c][1] += report.store_seconds
                beads[c].update({x.name: x.beads for x in report.results})
                print(f"  round {r + 1}/{n_rounds} {c:9s} {len(part):2d} works  {seconds:7.1f} s wall  "
                      f"load {statistics.fmean(sampler.samples):.1f}", flush=True)
    print(f"\n{'config':9s} {'wall s':>8s} {'CPU s':>8s} {'CPU/wall':>8s} {'load':>5s}  peak RSS per worker (MB)  pairs")
    for c in configs:
        peaks = ", ".join(f"{v / 1e6:.0f}" for v in sorted(rss[c].values()))
        ok = statuses[c].count("aligned")
        print(f"{c:9s} {wall[c]:8.1f} {cpu[c]:8.1f} {cpu[c] / wall[c]:8.2f} {statistics.fmean(loads[c]):5.1f}  "
              f"{peaks:24s}  {ok}/{len(tasks)} aligned   ({CONFIGS[c]})")
    for c in configs:
        print(f"{c:9s} tasks' wall seconds summed over workers {busy[c][0]:7.1f} "
              f"(parallelism {busy[c][0] / wall[c]:.2f}); the writer stored for {busy[c][1]:6.1f} s")
    for fast in ("local2", "dask2"):
        for slow in ("local1", "local1x1"):
            if fast in wall and slow in wall:
                print(f"speed-up {fast} over {slow}: {wall[slow] / wall[fast]:.2f}× wall "
                      f"(CPU {cpu[fast] / cpu[slow]:.2f}× of it)")
    same = [c for c in configs if beads[c] == beads[configs[0]]]
    print(f"beads per pair identical across configurations: {'yes' if len(same) == len(configs) else 'NO ' + str(same)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", default="pairing,batch")
    ap.add_argument("--configs", default="local1,local1x1,local2,dask2")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--works", type=int, default=0, help="only the N smallest works (a smoke run)")
    ap.add_argument("--cache", default=str(ROOT / ".cache" / "bench-pairing.sqlite"),
                    help="SQLite embedding cache of the pairing sets ('' for none)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--rerun-tasks", type=int, default=2000, help="done tasks of the rerun set")
    ap.add_argument("--rerun-db", choices=("sqlite", "postgresql"), default="sqlite")
    args = ap.parse_args()
    sets = args.sets.split(",")
    if sets == ["rerun"]:  # needs no shared data
        import batch_rerun

        batch_rerun.run_rerun_bench(args.rerun_tasks, db=args.rerun_db)
        return
    if not BILINGUATOR.is_dir():
        sys.exit(f"skipped: {BILINGUATOR} not found (../shared is not in a user's clone)")
    sampler = LoadSampler()
    sampler.start()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    if "pairing" in sets:
        start, cpu = time.perf_counter(), time.process_time()
        run_pairing(args.cache, args.seed)
        print(f"pairing sets: {time.perf_counter() - start:.1f} s wall, {time.process_time() - cpu:.1f} s CPU")
    if "batch" in sets:
        run_batch_bench([c for c in args.configs.split(",") if c], args.rounds, args.works)
    if "rerun" in sets:
        import batch_rerun

        batch_rerun.run_rerun_bench(args.rerun_tasks, db=args.rerun_db)
    samples = sampler.stop()
    print(f"load average over the run: mean {statistics.fmean(samples):.1f}, "
          f"min {min(samples):.1f}, max {max(samples):.1f} ({len(samples)} samples)")


if __name__ == "__main__":
    main()
