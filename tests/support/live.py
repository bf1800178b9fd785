"""Run the API in a child process (uvicorn on 127.0.0.1) over a store, with the fake
encoder: ``python -m support.live DB_URL PORT [local|accounts]`` (tests/ on the path).
Used by the crash test (SIGKILL in the middle of edits) and bench/api_load.py."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

TESTS = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> None:
    import logging

    import uvicorn

    from api.main import create_app
    from api.settings import Settings
    from support.api import DigitEncoder

    db, port, auth = argv[0], int(argv[1]), (argv[2] if len(argv) > 2 else "accounts")
    logging.getLogger("uvicorn.access").disabled = True
    app = create_app(Settings(db=db, auth=auth), encoder_provider=lambda name=None: DigitEncoder())
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def start(db: str, port: int, auth: str = "accounts", timeout: float = 60) -> subprocess.Popen:
    """Start the server process and wait until it answers ``/api/health``."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS.parent), str(TESTS)])}
    proc = subprocess.Popen([sys.executable, "-m", "support.live", db, str(port), auth], env=env,
                            cwd=TESTS, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).raise_for_status()
            return proc
        except httpx.HTTPError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"server did not start: {proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.2)


if __name__ == "__main__":
    main(sys.argv[1:])
