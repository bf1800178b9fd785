"""``aligner serve``: migrate the database, import the bundled corpus once, run uvicorn."""

from __future__ import annotations

import logging
import socket

from pydantic import ValidationError

from aligner.errors import AlignerError
from aligner.store.db import open_store
from api.settings import Settings


def load_settings(**overrides) -> Settings:
    """Settings from ``ALIGNER_*`` variables and ``overrides`` (None values ignored).

    Raises AlignerError with one line per bad setting."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: "
                             f"{str(e['msg']).removeprefix('Value error, ')}" for e in exc.errors())
        raise AlignerError(f"bad server setting: {problems}") from None


def prepare_database(settings: Settings, *, import_corpus: bool = True, echo=print) -> list[int]:
    """Create/migrate the database; on an empty one import and align the bundled corpus
    (unless ``import_corpus`` is False). Returns the new alignment ids."""
    from aligner.embed import get_encoder
    from api.bootstrap import bootstrap_if_empty

    engine, session_factory = open_store(settings.db)
    try:
        if not import_corpus:
            return []
        return bootstrap_if_empty(session_factory, lambda: get_encoder(settings.encoder), echo=echo)
    finally:
        engine.dispose()


def _check_can_listen(host: str, port: int) -> None:
    """Fail early with a one-line error if ``host:port`` is taken or not ours to bind."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise AlignerError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    family, kind, proto, _name, addr = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(addr)
        except OSError as exc:
            raise AlignerError(f"cannot listen on {host}:{port}: {exc.strerror or exc} "
                               "(another server running? try --port)") from None


def _shown(db: str) -> str:
    """The store's location for a log line: a file's full path, a URL without its password."""
    from aligner.store.db import to_url

    url = to_url(db)
    return url.database if url.get_backend_name() == "sqlite" else url.render_as_string(hide_password=True)


def run_server(db: str, host: str = "127.0.0.1", port: int = 8000, *, import_corpus: bool = True,
               encoder: str | None = None, align_config=None, echo=print) -> None:
    """Prepare the database and serve the API and the review page until Ctrl+C."""
    import uvicorn

    from api.main import create_app

    if not 0 < port < 65536:
        raise AlignerError(f"port {port} is not within 1..65535")
    settings = load_settings(db=db, encoder=encoder)
    _check_can_listen(host, port)
    made = prepare_database(settings, import_corpus=import_corpus, echo=echo)
    if made:
        echo(f"imported the bundled corpus: alignment(s) {', '.join(map(str, made))}")
    app = create_app(settings, align_config=align_config)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    echo(f"review page: http://{host}:{port}/   API docs: http://{host}:{port}/docs   "
         f"database: {_shown(settings.db)}")
    try:
        uvicorn.run(app, host=host, port=port, log_level="info")
    except OSError as exc:  # e.g. port in use
        raise AlignerError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
