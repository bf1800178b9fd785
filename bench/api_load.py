"""Load test of the review API: N concurrent reviewers editing one alignment over loopback,
on SQLite or PostgreSQL, in two patterns.

Starts the API (accounts mode, one account and API token per reviewer) in a child process
on 127.0.0.1 over a fresh store holding a pre-built demo alignment (no model needed): a
temp SQLite file, or a database on a throw-away PostgreSQL cluster started for the run
(``--db postgresql``; tests/support/pg.py, needs Debian's postgresql). Then runs
``--clients`` reviewer threads for ``--seconds``:

* ``--pattern own``: each reviewer on beads of their own (a contiguous range): confirm /
  reject / unreview, undo and redo of those, merge with the next bead and split it back.
  Goal: 0 conflicts (409), 0 lost edits.
* ``--pattern same``: every reviewer on the same 10 beads (the same mix). As the page
  does, a reviewer re-reads those beads (and the version) after each answer, and sends
  edits against what it read. Goal: every edit applied (200) or refused (409), 0 lost, 0 5xx.

Prints requests/s, acknowledged edits/s, p50/p95/p99 latency (all requests and per
operation; the re-reads are not counted as edits), status counts, the CPU used by the
server process, and checks that nothing was lost: every acknowledged edit is in the edit
log with the version, operation and account it was acknowledged with, the acknowledged
versions are exactly 2..final (each version reached one reviewer), the store's invariant
holds. With ``--think-ms 0`` (default) reviewers send back to back (closed loop).

    python bench/api_load.py --db sqlite --pattern own --seconds 60 --clients 20
    python bench/api_load.py --db postgresql --pattern same --seconds 60 --clients 20
"""

from __future__ import annotations

import argparse
import os
import random
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

STATUS_OPS = ("confirm", "reject", "unreview")


class Reviewer(threading.Thread):
    """One reviewer editing in a loop; records (latency, status, op) per edit request."""

    def __init__(self, name: str, token: str, base: str, aid: int, beads: list[int], stop: float,
                 seed: int, pattern: str, think: float = 0.0):
        super().__init__(daemon=True, name=name)
        self.user, self.base, self.aid, self.stop, self.pattern = name, base, aid, stop, pattern
        self.headers = {"Authorization": f"Bearer {token}"}
        self.ids = list(beads)
        self.rng = random.Random(seed)
        self.think = think
        self.version = 1
        self.records: list[tuple[float, int, str]] = []
        self.noops = 0  # 409 "bead is already confirmed": a no-op edit, refused (not a collision)
        self.acks: list[dict] = []
        self.errors: list[str] = []
        self.last_status_edit = False

    def _post(self, http: httpx.Client, op: str, body: dict) -> httpx.Response:
        t0 = time.perf_counter()
        r = http.post(f"/api/alignments/{self.aid}/{op}", json={"version": self.version, **body})
        self.records.append((time.perf_counter() - t0, r.status_code, op))
        if r.status_code == 200:
            self.acks.append({**r.json(), "user": self.user})
            self.version = r.json()["version"]
        elif r.status_code == 409 and r.json().get("code") == "stale_version":
            self.version = max(self.version, r.json()["current_version"])
        elif r.status_code == 409 and r.json().get("code") == "invariant":
            self.noops += 1
        elif r.status_code >= 500 or r.status_code in (401, 403, 422):
            self.errors.append(f"{op}: {r.status_code} {r.text[:200]}")
        if self.pattern == "same":  # as the page: re-read what one edits, after every answer
            self.reread(http)
        return r

    def reread(self, http: httpx.Client) -> None:
        page = http.get(f"/api/alignments/{self.aid}/beads", params={"offset": 0, "limit": 10}).json()
        self.ids = [b["id"] for b in page["beads"]]
        self.version = page["version"]

    def run(self) -> None:
        with httpx.Client(base_url=self.base, headers=self.headers, timeout=60) as http:
            if self.pattern == "same":
                self.reread(http)
            while time.monotonic() < self.stop:
                if self.think:  # a reviewer reads before the next edit (exponential pause)
                    time.sleep(self.rng.expovariate(1.0 / self.think))
                self.step(http)

    def step(self, http: httpx.Client) -> None:
        roll = self.rng.random()
        if roll < 0.15 and (self.last_status_edit or self.pattern == "same"):
            r = self._post(http, "undo", {})  # own: undoes the status edit just made
            if r.status_code == 200 and self.rng.random() < 0.5:
                self._post(http, "redo", {})
            self.last_status_edit = False
        elif roll < 0.35:
            # merge with the next bead and split it back (own: the next bead is one's own too)
            k = self.rng.randrange(len(self.ids) - 1)
            bead, nxt = self.ids[k], self.ids[k + 1]
            r = self._post(http, "merge", {"bead_id": bead, "direction": "next"})
            if r.status_code == 200:
                s = self._post(http, "split", {"bead_id": bead, "src_at": 1, "tgt_at": 1})
                if self.pattern == "own" and s.status_code == 200:
                    self.ids[k + 1] = s.json()["bead_ids"][1]
                elif self.pattern == "own":
                    self.ids.remove(nxt)
            self.last_status_edit = False
        else:
            op = self.rng.choice(STATUS_OPS)
            r = self._post(http, op, {"bead_ids": [self.rng.choice(self.ids)]})
            self.last_status_edit = r.status_code == 200


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


def _store(kind: str):
    """(database URL, cleanup) for a fresh migrated store of ``kind``."""
    if kind == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="aligner-load-")) / "load.db"
        return str(path), lambda: None
    from support.pg import Cluster, Databases, find_binaries

    bindir, why = find_binaries()
    if bindir is None:
        raise SystemExit(f"cannot start PostgreSQL: {why}")
    cluster = Cluster(bindir)
    return Databases(cluster).create("load"), cluster.stop


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--pattern", choices=("own", "same"), default="own")
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--beads", type=int, default=2000, help="sentence pairs of the demo alignment")
    ap.add_argument("--own", type=int, default=20, help="beads of each reviewer (pattern own)")
    ap.add_argument("--think-ms", type=float, default=0.0,
                    help="mean pause between a reviewer's edits (0 = closed loop, back to back)")
    args = ap.parse_args(argv)

    from sqlalchemy import select

    from aligner.store import service
    from aligner.store.accounts.service import add_user, create_token
    from aligner.store.db import open_store
    from aligner.store.models import Edit
    from aligner.store.review import check_invariant
    from support import live
    from support.api import store_demo_alignment
    from support.pg import free_port

    db, cleanup = _store(args.db)
    try:
        engine, sessions = open_store(db)
        aid = store_demo_alignment(sessions, args.beads)
        with sessions() as s:
            ids = [b["id"] for b in service.list_beads(s, aid, 0, min(args.beads, 1000))["beads"]]
            tokens = []
            for i in range(args.clients):
                add_user(s, f"reviewer{i}", "load test password", "reviewer")
                tokens.append(create_token(s, f"reviewer{i}", "load"))
        engine.dispose()
        port = free_port()
        server = live.start(db, port, "accounts")
        base = f"http://127.0.0.1:{port}"
        try:
            stop = time.monotonic() + args.seconds
            reviewers = [Reviewer(f"reviewer{i}", tokens[i], base, aid,
                                  ids[i * args.own:(i + 1) * args.own] if args.pattern == "own" else ids[:10],
                                  stop, seed=i, pattern=args.pattern, think=args.think_ms / 1000)
                         for i in range(args.clients)]
            load0 = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
            cpu0 = _cpu_seconds(server.pid)
            t0 = time.monotonic()
            for r in reviewers:
                r.start()
            for r in reviewers:
                r.join()
            elapsed = time.monotonic() - t0
            cpu1 = _cpu_seconds(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
        records = [x for r in reviewers for x in r.records]
        acks = [a for r in reviewers for a in r.acks]
        errors = [e for r in reviewers for e in r.errors]
        engine, sessions = open_store(db, upgrade=False)
        with sessions() as s:
            log = {e.id: (e.version_after, e.operation, e.user)
                   for e in s.scalars(select(Edit).where(Edit.alignment_id == aid))}
            final = service.get_alignment(s, aid)["version"]
            check_invariant(s, aid)
        engine.dispose()
    finally:
        cleanup()

    lat = [x[0] * 1000 for x in records]
    by_status = Counter(x[1] for x in records)
    lost = [a for a in acks if log.get(a["edit_id"]) != (a["version"], a["operation"], a["user"])]
    exact = sorted(a["version"] for a in acks) == list(range(2, final + 1))
    fivexx = sum(n for st, n in by_status.items() if st >= 500)
    noops = sum(r.noops for r in reviewers)
    conflicts = by_status.get(409, 0) - noops  # stale versions: two reviewers collided
    print(f"{args.db}, pattern {args.pattern}: {args.clients} reviewers (think {args.think_ms:g} ms), "
          f"{elapsed:.1f} s, alignment of {args.beads} pairs, loopback, API tokens")
    print(f"edit requests {len(records)} ({len(records) / elapsed:.1f}/s); acknowledged edits "
          f"{len(acks)} ({len(acks) / elapsed:.1f}/s); statuses {dict(sorted(by_status.items()))}")
    print(f"latency ms: p50 {statistics.median(lat):.1f}  p95 {_pct(lat, 0.95):.1f}  "
          f"p99 {_pct(lat, 0.99):.1f}  max {max(lat):.1f}")
    for op in sorted({x[2] for x in records}):
        ol = [x[0] * 1000 for x in records if x[2] == op]
        oc = Counter(x[1] for x in records if x[2] == op)
        print(f"  {op:9s} n={len(ol):6d}  p50 {statistics.median(ol):6.1f}  p95 {_pct(ol, 0.95):6.1f}  "
              f"{dict(sorted(oc.items()))}")
    if cpu0 is not None and cpu1 is not None:
        print(f"server CPU {cpu1 - cpu0:.1f} s ({100 * (cpu1 - cpu0) / elapsed:.0f}% of a core); "
              f"{os.cpu_count()} cores; load average before {load0:.2f}")
    print(f"edit log: {len(log)} entries, final version {final}; acknowledged edits missing from the "
          f"log: {len(lost)}; acknowledged versions == 2..{final}: {exact}; conflicts (409 stale) {conflicts}; "
          f"no-op edits refused (409, e.g. confirm a confirmed bead) {noops}; "
          f"other 4xx {sum(n for st, n in by_status.items() if 400 <= st < 500 and st != 409)}; 5xx {fivexx}")
    ok = not lost and exact and len(log) == len(acks) and not errors and not fivexx
    if args.pattern == "own":
        ok = ok and conflicts == 0
    else:
        ok = ok and set(by_status) <= {200, 409}
    print(f"goal ({'0 conflicts, 0 lost' if args.pattern == 'own' else 'every edit 200 or 409, 0 lost, 0 5xx'}): "
          + ("PASS" if ok else "FAIL"))
    if errors:
        print("\n".join(errors[:5]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
