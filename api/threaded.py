"""The API served by uvicorn in a background thread, on a free port of 127.0.0.1: what the
browser tests and ``bench/links_batch.py`` talk HTTP to (``aligner serve`` runs uvicorn in
the foreground instead)."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThreadedServer:
    """``app`` served on ``url`` (``http://127.0.0.1:PORT/``) while the ``with`` block runs:
    entering starts uvicorn in a daemon thread and waits until it accepts connections
    (RuntimeError after ``start_timeout`` seconds); leaving stops it."""

    def __init__(self, app, start_timeout: float = 20.0) -> None:
        port = free_port()
        self.app = app
        self.url = f"http://127.0.0.1:{port}/"
        self.start_timeout = start_timeout
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                                    log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "ThreadedServer":
        self.thread.start()
        deadline = time.monotonic() + self.start_timeout
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the API server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
