"""``aligner serve``: migrate the database, import the bundled corpus once, run uvicorn."""

from __future__ import annotations

import logging
import socket

from pydantic import ValidationError

from aligner.errors import AlignerError
from aligner.store.db import open_store
from api.settings import Settings
from api.auth import is_loopback


def load_settings(**overrides) -> Settings:
    """Settings from ``ALIGNER_*`` variables and ``overrides`` (None values ignored).

    Raises AlignerError with one line per bad setting."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: "
                             f"{str(e['msg']).removeprefix('Value error, ')}" for e in exc.errors())
        raise AlignerError(f"bad server setting: {problems}") from None


def prepare_database(settings: Settings, session_factory, *, import_corpus: bool = True,
                     echo=print) -> list[int]:
    """On an empty store (``session_factory``, opened and migrated by the caller) import and
    align the bundled corpus (unless ``import_corpus`` is False). Returns the new alignment
    ids."""
    from aligner.embed import get_encoder
    from api.bootstrap import bootstrap_if_empty

    if not import_corpus:
        return []
    return bootstrap_if_empty(session_factory, lambda: get_encoder(settings.encoder), echo=echo)


def choose_auth(host: str, wanted: str | None, accounts: int) -> str:
    """The server's mode (api.auth): ``wanted`` (``local``/``accounts``) or, by default,
    ``local`` on a loopback address while the store has no account, else ``accounts``.
    AlignerError (refuse to start) for local mode on another address, or accounts mode
    with no account to sign in with."""
    first_admin = "add the first admin with `aligner user add NAME --role admin --db …`"
    if wanted not in (None, "local", "accounts"):
        raise AlignerError(f"unknown --auth {wanted!r}; use local or accounts")
    loopback = is_loopback(host)
    if wanted == "local" and not loopback:
        raise AlignerError(f"--auth local serves everyone as admin, so only on 127.0.0.1; "
                           f"to listen on {host}, {first_admin}")
    mode = wanted or ("local" if loopback and accounts == 0 else "accounts")
    if mode == "accounts" and accounts == 0:
        raise AlignerError(f"listening on {host} needs accounts, and the store has none: "
                           f"{first_admin} (or listen on 127.0.0.1)" if not loopback else
                           f"--auth accounts, and the store has no account: {first_admin}")
    return mode


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
               encoder: str | None = None, align_config=None, auth: str | None = None,
               echo=print) -> None:
    """Prepare the database and serve the API and the review page until Ctrl+C.

    ``auth``: see :func:`choose_auth` (refuses to serve without accounts beyond loopback)."""
    import uvicorn

    from api.main import create_app

    if not 0 < port < 65536:
        raise AlignerError(f"port {port} is not within 1..65535")
    from aligner.store.accounts.service import count_users

    settings = load_settings(db=db, encoder=encoder)
    if settings.encoder:  # refuse at start, not with a 503 on every search and job
        from aligner.embed import check_encoder

        check_encoder(settings.encoder)
    _check_can_listen(host, port)
    store = open_store(settings.db)  # created or migrated here, once; the app keeps it
    try:
        with store[1]() as session:
            mode = choose_auth(host, auth, count_users(session))
    except AlignerError:
        store[0].dispose()
        raise
    import getpass

    try:
        local_user = getpass.getuser()[:100] or "local"
    except Exception:  # noqa: BLE001 - no login name (containers): a plain name
        local_user = "local"
    settings = settings.model_copy(update={"auth": mode, "local_user": local_user})
    made = prepare_database(settings, store[1], import_corpus=import_corpus, echo=echo)
    if made:
        echo(f"imported the bundled corpus: alignment(s) {', '.join(map(str, made))}")
    app = create_app(settings, align_config=align_config, store=store)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    echo(f"review page: http://{host}:{port}/   API docs: http://{host}:{port}/docs   "
         f"database: {_shown(settings.db)}")
    echo(f"sign-in: signed in as {local_user} (admin) without a password — local mode, this "
         "machine only" if mode == "local" else "sign-in: accounts (aligner user list)")
    try:
        uvicorn.run(app, host=host, port=port, log_level="info")
    except OSError as exc:  # e.g. port in use
        raise AlignerError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
