"""Load test of the review API: N concurrent clients editing one alignment over loopback.

Starts ``uvicorn`` with :func:`api.main.create_app` in a child process on 127.0.0.1 (free
port) over a temp SQLite file holding a pre-built demo alignment (no model needed), then
runs ``--clients`` threads for ``--seconds``. Each client keeps the version of its last
answer and sends a random edit (confirm / reject / unreview / merge+split / undo / redo);
a 409 stale answer gives it the current version for its next edit, as the page does.
With ``--think-ms 0`` (default) clients send back to back (closed loop), so by Little's
law mean latency ≈ clients / throughput: it measures the server's edit throughput more
than the latency a reviewer sees; ``--think-ms`` adds reading pauses.

Prints requests/s, acknowledged edits/s, p50/p95/p99 latency, the CPU time used by the
server and by this load generator (both share the machine's cores: a generator that
needs most of a core leaves the server less), the load average, and checks that no edit
was lost: every acknowledged edit is in the edit log with the version it was given,
the acknowledged versions are exactly 2..final version (each version bump reached exactly
one client), and stale edits got 409 and changed nothing. Target: p95 < 50 ms.

    python bench/api_load.py --seconds 60 --clients 20 --beads 2000
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # the project, and its test fixtures (tests/support)

import httpx  # noqa: E402


def _serve(db: str, port: int, ready) -> None:  # child process
    import logging

    import uvicorn

    from api.main import create_app
    from api.settings import Settings
    from support.api import DigitEncoder

    logging.getLogger("uvicorn.access").disabled = True
    app = create_app(Settings(db=Path(db)), encoder_provider=lambda name=None: DigitEncoder())
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    threading.Thread(target=lambda: (time.sleep(0.1), ready.set()), daemon=True).start()
    server.run()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client(threading.Thread):
    """One reviewer editing in a loop; records (latency, status, op, ack) per request."""

    def __init__(self, i: int, base: str, aid: int, bead_ids: list[int], stop: float, seed: int,
                 think: float = 0.0):
        super().__init__(daemon=True)
        self.think = think
        self.name = f"client{i}"
        self.base, self.aid, self.ids, self.stop = base, aid, list(bead_ids), stop
        self.rng = random.Random(seed)
        self.version = 1
        self.records: list[tuple[float, int, str]] = []
        self.acks: list[dict] = []
        self.errors: list[str] = []

    def _post(self, http: httpx.Client, op: str, body: dict) -> httpx.Response:
        t0 = time.perf_counter()
        r = http.post(f"{self.base}/api/alignments/{self.aid}/{op}", json={"version": self.version, **body},
                      headers={"X-User": self.name})
        self.records.append((time.perf_counter() - t0, r.status_code, op))
        if r.status_code == 200:
            ack = r.json()
            self.acks.append({**ack, "user": self.name})
            self.version = ack["version"]
        elif r.status_code == 409 and r.json().get("code") == "stale_version":
            self.version = r.json()["current_version"]
        elif r.status_code >= 500:
            self.errors.append(f"{op}: {r.status_code} {r.text[:200]}")
        return r

    def run(self) -> None:
        with httpx.Client(timeout=30) as http:
            while time.monotonic() < self.stop:
                if self.think:  # a reviewer reads before the next edit (exponential pause)
                    time.sleep(self.rng.expovariate(1.0 / self.think))
                roll = self.rng.random()
                bead = self.rng.choice(self.ids)
                if roll < 0.35:
                    self._post(http, "confirm", {"bead_ids": [bead]})
                elif roll < 0.5:
                    self._post(http, "reject", {"bead_ids": [bead]})
                elif roll < 0.65:
                    self._post(http, "unreview", {"bead_ids": [bead]})
                elif roll < 0.85:
                    r = self._post(http, "merge", {"bead_id": bead, "direction": "next"})
                    if r.status_code == 200:  # and split it back, as a reviewer trying things
                        self._post(http, "split", {"bead_id": bead, "src_at": 1, "tgt_at": 1})
                    elif r.status_code == 404:  # merged away by someone: re-read the ids
                        page = http.get(f"{self.base}/api/alignments/{self.aid}/beads",
                                        params={"limit": len(self.ids)}).json()
                        self.ids = [b["id"] for b in page["beads"]]
                elif roll < 0.95:
                    self._post(http, "undo", {})
                else:
                    self._post(http, "redo", {})


def _cpu_seconds(pid: int) -> float | None:
    """User+system CPU seconds used so far by process ``pid`` (Linux /proc; None elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--beads", type=int, default=2000, help="sentence pairs of the demo alignment")
    ap.add_argument("--window", type=int, default=200,
                    help="clients edit the first WINDOW beads (more contention when small)")
    ap.add_argument("--think-ms", type=float, default=0.0,
                    help="mean pause between a client's edits (0 = closed loop, back to back)")
    args = ap.parse_args(argv)

    from aligner.store import service
    from aligner.store.db import open_store
    from aligner.store.models import Edit
    from support.api import store_demo_alignment
    from sqlalchemy import select

    tmp = Path(tempfile.mkdtemp(prefix="aligner-load-"))
    db = tmp / "load.db"
    engine, sessions = open_store(db)
    aid = store_demo_alignment(sessions, args.beads)
    with sessions() as s:
        ids = [b["id"] for b in service.list_beads(s, aid, 0, min(args.window, 1000))["beads"]]
    engine.dispose()

    port = _free_port()
    ctx = mp.get_context("spawn")
    ready = ctx.Event()
    server = ctx.Process(target=_serve, args=(str(db), port, ready), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{base}/api/health", timeout=1).raise_for_status()
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or not server.is_alive():
                print("server did not start", file=sys.stderr)
                return 1
            time.sleep(0.2)

    try:
        stop = time.monotonic() + args.seconds
        clients = [Client(i, base, aid, ids, stop, seed=i, think=args.think_ms / 1000)
                   for i in range(args.clients)]
        load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
        server_cpu0, client_cpu0 = _cpu_seconds(server.pid), time.process_time()
        t0 = time.monotonic()
        for c in clients:
            c.start()
        for c in clients:
            c.join()
        elapsed = time.monotonic() - t0
        server_cpu = _cpu_seconds(server.pid)
        client_cpu = time.process_time() - client_cpu0
        load_after = os.getloadavg() if hasattr(os, "getloadavg") else None
    finally:
        server.terminate()
        server.join(timeout=10)

    records = [r for c in clients for r in c.records]
    acks = [a for c in clients for a in c.acks]
    errors = [e for c in clients for e in c.errors]
    lat = [r[0] * 1000 for r in records]
    by_status = Counter(r[1] for r in records)
    stale = sum(1 for c in clients for r in c.records if r[1] == 409)

    engine, sessions = open_store(db, upgrade=False)
    with sessions() as s:
        log = {e.id: (e.version_after, e.operation, e.user)
               for e in s.scalars(select(Edit).where(Edit.alignment_id == aid))}
        final = service.get_alignment(s, aid)["version"]
        from aligner.store.review import check_invariant

        check_invariant(s, aid)
    engine.dispose()

    lost = [a for a in acks if log.get(a["edit_id"]) != (a["version"], a["operation"], a["user"])]
    versions = sorted(a["version"] for a in acks)
    exact = versions == list(range(2, final + 1))
    print(f"clients {args.clients} (think {args.think_ms:g} ms), {elapsed:.1f} s, alignment of {args.beads} pairs "
          f"(edits on the first {len(ids)} beads), SQLite WAL, loopback")
    print(f"requests {len(records)} ({len(records) / elapsed:.1f}/s); acknowledged edits {len(acks)} "
          f"({len(acks) / elapsed:.1f}/s); statuses {dict(sorted(by_status.items()))}")
    print(f"latency ms: p50 {statistics.median(lat):.1f}  p95 {_pct(lat, 0.95):.1f}  "
          f"p99 {_pct(lat, 0.99):.1f}  max {max(lat):.1f}")
    for op in sorted({r[2] for r in records}):
        ol = [r[0] * 1000 for r in records if r[2] == op]
        print(f"  {op:9s} n={len(ol):6d}  p50 {statistics.median(ol):6.1f}  p95 {_pct(ol, 0.95):6.1f}")
    n = max(1, len(records))
    cpu = [f"load generator {client_cpu:.1f} s ({100 * client_cpu / elapsed:.0f}% of a core, "
           f"{1000 * client_cpu / n:.2f} ms/request)"]
    if server_cpu is not None and server_cpu0 is not None:
        used = server_cpu - server_cpu0
        cpu.insert(0, f"server {used:.1f} s ({100 * used / elapsed:.0f}% of a core, "
                      f"{1000 * used / n:.2f} ms/request)")
    print(f"CPU: {'; '.join(cpu)}; {os.cpu_count()} cores")
    if load_before and load_after:
        print(f"load average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f} "
              "(includes this run; other work on the machine inflates the latencies)")
    print(f"edit log: {len(log)} entries, final version {final}; acknowledged edits missing from "
          f"the log: {len(lost)}; acknowledged versions == 2..{final}: {exact}; 409s {stale}; "
          f"5xx {len(errors)}")
    ok = not lost and exact and len(log) == len(acks) and not errors
    print("no edit lost: " + ("PASS" if ok else "FAIL"))
    if errors:
        print("\n".join(errors[:5]))
    p95 = _pct(lat, 0.95)
    print(f"p95 target < 50 ms: {'met' if p95 < 50 else 'NOT met'} ({p95:.1f} ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
