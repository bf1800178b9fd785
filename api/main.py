"""The FastAPI app factory: routes under ``/api``, the review page at ``/``, docs at ``/docs``.

Error contract: every error is a JSON ``{"detail": "..."}`` a person can act on.
not signed in → 401, not allowed (role, CSRF) → 403 (:mod:`api.auth`);
NotFoundError → 404; StaleVersionError → 409 (``code: stale_version``, with the current
version, the edits since and the beads in conflict); InvariantError → 409 (``code: invariant``); other user
errors (bad file, unknown language) → 400; a body that does not validate → 422 naming the
field; an upload over the limit → 413; ModelError → 503. Anything unexpected is logged
with its traceback and answered with a plain 500 message (never a traceback).
"""

from __future__ import annotations

import logging
import threading
import uuid
from contextlib import asynccontextmanager
from typing import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from aligner.errors import AlignerError, InputError, ModelError, UnknownLanguageError
from aligner.store import InvariantError, NotFoundError, StaleVersionError
from aligner.store.db import open_store
from api.auth import AuthGate, LoginLimiter, PrincipalCache
from api.deps import LoopSessions
from api.jobs import JobManager
from api.routes import include_routes
from api.settings import Settings
from api.static_files import PageFiles

log = logging.getLogger("aligner.api")

#: Room for multipart framing and form fields on top of the file-size limit.
_MULTIPART_OVERHEAD = 1024 * 1024


def default_encoder_provider(default_name: str | None) -> Callable[[str | None], object]:
    """``provider(name)`` → :func:`aligner.embed.get_encoder` (loaded once, offline)."""

    def provider(name: str | None = None):
        from aligner.embed import get_encoder

        return get_encoder(name or default_name)

    return provider


def create_app(settings: Settings, *, encoder_provider: Callable[[str | None], object] | None = None,
               align_config=None, store=None) -> FastAPI:
    """Build the app over the store ``settings.db``, created or migrated here, or over
    ``store``: the ``(engine, session_factory)`` of :func:`aligner.store.db.open_store`
    that the caller opened already (the app disposes of the engine when it stops).

    ``encoder_provider(name)`` returns the encoder for alignment jobs and re-alignment
    (default: :func:`aligner.embed.get_encoder`; tests pass a small fake). Raises
    StoreError if the database cannot be opened or migrated.
    """
    engine, session_factory = store or open_store(settings.db)
    provider = encoder_provider or default_encoder_provider(settings.encoder)
    jobs = JobManager(session_factory, provider, workers=settings.job_workers, config=align_config,
                      default_encoder=settings.encoder)
    loop_sessions = LoopSessions(engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        jobs.shutdown()
        loop_sessions.close()
        engine.dispose()

    app = _make_fastapi(lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory
    app.state.jobs = jobs
    app.state.encoder_provider = provider
    # Held around each edit (api.routes.review): SQLite has one writer at a time anyway,
    # and waiting on this lock wakes at once, where SQLite's busy handler sleeps in steps
    # of up to 100 ms.
    app.state.write_lock = threading.Lock()
    app.state.loop_sessions = loop_sessions
    # SQLite: edits are serialised in-process and small ones run on the event loop
    # (api.routes.review); PostgreSQL: row locks serialise the edits of one alignment.
    app.state.sqlite = engine.dialect.name == "sqlite"
    app.state.alignment_lock = _KeyedLocks()
    app.state.login_limiter = LoginLimiter()
    app.state.principals = PrincipalCache(session_factory)

    _install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_upload_bytes + _MULTIPART_OVERHEAD)
    app.add_middleware(AuthGate, mode=settings.auth, cache=app.state.principals,
                       local_user=settings.local_user)
    app.add_middleware(CatchAll)
    include_routes(app)
    _mount_frontend(app, settings)
    return app


def _make_fastapi(lifespan) -> FastAPI:
    kwargs = dict(
        title="Aligner",
        summary="Review sentence alignments of a source text and its translation.",
        version="0.1.0",
        lifespan=lifespan,
        responses={422: {"description": "the request body or a parameter is malformed"}},
    )
    try:  # Swagger UI served from the package, not a CDN: /docs works offline.
        from fastapi_offline import FastAPIOffline

        return FastAPIOffline(**kwargs)
    except ImportError:  # pragma: no cover - optional nicety
        return FastAPI(**kwargs)


def _mount_frontend(app: FastAPI, settings: Settings) -> None:
    front = settings.frontend_dir
    # no-cache: the browser revalidates, so a new page is picked up after an upgrade
    # (PageFiles does the same for the modules under /static).
    headers = {"Cache-Control": "no-cache"}

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(front / "index.html", headers=headers)

    app.mount("/static", PageFiles(directory=front), name="static")


# --- errors ----------------------------------------------------------------------------

def _error(status: int, detail: str, **extra) -> JSONResponse:
    return JSONResponse({"detail": detail, **extra}, status_code=status)


def _field_name(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or "body"


def validation_message(exc: RequestValidationError) -> str:
    """One readable line per problem, e.g. ``"version: Field required"``."""
    msgs = []
    for err in exc.errors():
        kind = err.get("type", "")
        if kind == "json_invalid":
            msgs.append(f"the request body is not valid JSON ({err.get('ctx', {}).get('error', 'parse error')})")
            continue
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if kind == "extra_forbidden":
            msg = "unknown field (check the spelling)"
        if kind in ("model_attributes_type", "dict_type") and err.get("loc") == ("body",):
            msgs.append("the request body must be a JSON object")
            continue
        msgs.append(f"{_field_name(tuple(err.get('loc', ())))}: {msg}")
    return "; ".join(msgs) or "the request is malformed"


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotFoundError)
    async def not_found(_req: Request, exc: NotFoundError):
        return _error(404, str(exc), code="not_found")

    @app.exception_handler(StaleVersionError)
    async def stale(_req: Request, exc: StaleVersionError):
        return _error(409, str(exc), code="stale_version", current_version=exc.current_version,
                      expected_version=exc.expected_version, changes=exc.changes,
                      bead_ids=list(exc.bead_ids))

    @app.exception_handler(InvariantError)
    async def invariant(_req: Request, exc: InvariantError):
        return _error(409, str(exc), code="invariant")

    @app.exception_handler(ModelError)
    async def model_error(_req: Request, exc: ModelError):
        return _error(503, f"the encoder is not available: {exc}", code="model")

    @app.exception_handler(AlignerError)
    async def aligner_error(_req: Request, exc: AlignerError):
        code = ("input" if isinstance(exc, InputError)
                else "language" if isinstance(exc, UnknownLanguageError) else "bad_request")
        return _error(400, str(exc), code=code)

    @app.exception_handler(OverflowError)
    async def overflow(_req: Request, exc: OverflowError):
        # An id or number beyond the database's 64-bit integers can name nothing stored.
        return _error(422, "a number in the request is out of range (ids and versions are "
                           "at most 9223372036854775807)", code="validation")

    @app.exception_handler(RequestValidationError)
    async def invalid(_req: Request, exc: RequestValidationError):
        return _error(422, validation_message(exc), code="validation")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_req: Request, exc: StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = "no such URL (the API is under /api, its documentation at /docs)"
        return JSONResponse({"detail": detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))


class _KeyedLocks:
    """``locks(key)``: one ``threading.Lock`` per key (here: per alignment id), made on
    first use."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict = {}

    def __call__(self, key) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())


class CatchAll:
    """ASGI middleware: an unexpected exception becomes a logged, plain JSON 500.

    (Starlette's own handler for ``Exception`` re-raises after answering, which test
    clients and servers then print as a traceback; this one ends the request there.)
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:  # noqa: BLE001 - the whole point
            ref = uuid.uuid4().hex[:8]
            log.exception("unhandled error %s on %s %s", ref, scope.get("method"), scope.get("path"))
            if started:
                return  # too late for a response; the log has it
            response = _error(500, f"internal error (reference {ref}); the request was not "
                                   "applied — try again, and report it if it persists",
                              code="internal")
            await response(scope, receive, send)


class BodySizeLimit:
    """ASGI middleware: refuse a request whose declared body is larger than ``max_bytes``
    with 413 before reading it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = dict(scope.get("headers") or []).get(b"content-length")
            if length is not None:
                try:
                    too_big = int(length) > self.max_bytes
                except ValueError:
                    response = _error(400, "Content-Length header is not a number")
                    await response(scope, receive, send)
                    return
                if too_big:
                    response = _error(413, f"request body of {int(length):,} bytes is over the "
                                           f"limit of {self.max_bytes:,} bytes", code="too_large")
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)
