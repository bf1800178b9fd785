"""A throw-away PostgreSQL cluster for tests and benches: ``initdb`` + ``pg_ctl`` in a temp
folder, on a free 127.0.0.1 port, stopped (and deleted) at the end.

As root (CI runs as root), PostgreSQL refuses to run, so the binaries run as the
unprivileged ``postgres`` user (Debian's package creates it) through ``runuser``. The
binaries are looked up on PATH, then in ``/usr/lib/postgresql/*/bin`` (Debian keeps them
there). :func:`find_binaries` says why they cannot be used (None if they can): callers skip
with that reason.

Each test gets its own database, copied from a template that already holds the migrated
schema (``CREATE DATABASE ... TEMPLATE``, ~0.1 s instead of running the migrations again).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

#: What every cluster is started with: small, fast, no fsync (a test cluster is thrown away).
_SERVER_OPTIONS = ("-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   "-c max_connections=200 -c shared_buffers=64MB")


def _bin_dir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        real = Path(found).resolve().parent
        if (real / "initdb").exists():
            return real
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(d, "pg_ctl").exists() and Path(d, "initdb").exists():
            return Path(d)
    return None


def find_binaries() -> tuple[Path | None, str | None]:
    """``(bin dir, None)`` if a cluster can be started here, else ``(None, reason)``."""
    bindir = _bin_dir()
    if bindir is None:
        return None, ("PostgreSQL server binaries (initdb, pg_ctl) not found; install Debian's "
                      "`postgresql` (scripts/test does so when run as root)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return None, "running as root, and there is no unprivileged `postgres` user to run the server"
        if shutil.which("runuser") is None:
            return None, "running as root without `runuser` to start the server as `postgres`"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return None, "the psycopg driver is not installed (pip install '.[postgres]')"
    return bindir, None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A running cluster: ``url(dbname)`` gives a SQLAlchemy URL; :meth:`stop` ends it."""

    def __init__(self, bindir: Path, root: Path | None = None) -> None:
        self.bindir = bindir
        self.root = Path(root or tempfile.mkdtemp(prefix="aligner-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.user = "aligner"
        self._as_root = os.geteuid() == 0
        if self._as_root:  # the folder must belong to the user the server runs as
            pw = pwd.getpwnam("postgres")
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", self.user, "--auth=trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w",
                  "-t", "60", "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                  + _SERVER_OPTIONS, "start")

    def _run(self, tool: str, *args: str) -> None:
        cmd = [str(self.bindir / tool), *args]
        if self._as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=self.root)
        if out.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{tool} failed ({out.returncode}): {out.stderr.strip()[-2000:]} {tail}")

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def execute(self, sql: str, dbname: str = "postgres") -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE)."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=self.user, dbname=dbname,
                             autocommit=True) as conn:
            conn.execute(sql)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


class Databases:
    """Fresh databases of one cluster, each a copy of a migrated template."""

    TEMPLATE = "aligner_template"

    def __init__(self, cluster: Cluster) -> None:
        from aligner.store.db import upgrade_database

        self.cluster = cluster
        self._n = 0
        cluster.execute(f"CREATE DATABASE {self.TEMPLATE}")
        upgrade_database(cluster.url(self.TEMPLATE))

    def create(self, prefix: str = "t") -> str:
        """A new migrated database; returns its URL."""
        self._n += 1
        name = f"{prefix}_{os.getpid()}_{self._n}_{int(time.monotonic() * 1000) % 100000}"
        self.cluster.execute(f"CREATE DATABASE {name} TEMPLATE {self.TEMPLATE}")
        return self.cluster.url(name)

    def create_empty(self, prefix: str = "e") -> str:
        """A new database with no schema (for migration tests)."""
        self._n += 1
        name = f"{prefix}_{os.getpid()}_{self._n}"
        self.cluster.execute(f"CREATE DATABASE {name}")
        return self.cluster.url(name)

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self.cluster.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
