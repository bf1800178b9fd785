"""Who is asking, and may they: the gate every HTTP request passes (an ASGI middleware).

Two modes (``Settings.auth``; ``aligner serve`` picks one, :func:`api.server.choose_auth`):

* ``accounts``: a request acts as the account of its page session (cookie
  ``aligner_session``, set by ``POST /api/auth/login``) or of its API token
  (``Authorization: Bearer …``). Without either, everything but the page itself
  (``/``, ``/static/…``: the sign-in form), ``GET /api/health`` and the login answers 401.
  A request that changes something (any method but GET/HEAD/OPTIONS) from a page session
  must carry the session's CSRF token in ``X-CSRF-Token`` (the synchroniser-token
  pattern, OWASP CSRF Prevention Cheat Sheet; the cookie is also ``SameSite=Strict``);
  a viewer's such request answers 403, and so does a DELETE by anyone but an admin.
* ``local``: no accounts; every request acts as the local admin. Only for a server bound
  to a loopback address: requests must name a loopback host (``Host`` — this defeats DNS
  rebinding), and a changing request from a page of another origin (its ``Origin``
  header) answers 403.

Sessions and tokens are looked up in the store (in a worker thread) and remembered for
:data:`CACHE_SECONDS`: removing an account or changing its password takes effect within
that time. Failed sign-ins are limited per address and account name
(:class:`LoginLimiter`, 429 with ``Retry-After``).
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from aligner.store.accounts.service import Principal, session_principal, token_principal

COOKIE = "aligner_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Seconds a looked-up session or token is trusted before it is looked up again.
CACHE_SECONDS = 5.0
def is_loopback(host: str) -> bool:
    """True if ``host`` names this machine only (127.0.0.0/8, ::1, localhost): where a
    server may run without accounts, and the only Host a local-mode server answers as."""
    import ipaddress

    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def is_public(method: str, path: str) -> bool:
    """Answered without signing in: the page (its sign-in form), health, the login."""
    return (path == "/" or path.startswith("/static/") or path == "/api/health"
            or (method == "POST" and path == "/api/auth/login"))


def host_name(host: str) -> str:
    """``"127.0.0.1:8000"`` → ``"127.0.0.1"``, ``"[::1]:80"`` → ``"::1"``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _deny(status: int, detail: str, code: str, **headers) -> JSONResponse:
    return JSONResponse({"detail": detail, "code": code}, status_code=status, headers=headers or None)


class AuthGate:
    """ASGI middleware: puts the request's :class:`Principal` (or None on a public path)
    at ``request.state.principal``, or answers 401/403 itself (see the module)."""

    def __init__(self, app: ASGIApp, *, mode: str, cache: "PrincipalCache",
                 local_user: str = "local") -> None:
        self.app = app
        self.mode = mode
        self.cache = cache
        self.local = Principal(local_user, "admin", "local")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers") or []}
        method, path = scope["method"], scope["path"]
        if self.mode == "local":
            denied, principal = self._local(method, headers), self.local
        else:
            principal = await self._principal(headers)
            denied = self._check(method, path, headers, principal)
        if denied is not None:
            await denied(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)

    def _local(self, method: str, headers: dict) -> JSONResponse | None:
        host = headers.get("host", "")
        if not is_loopback(host_name(host)):
            return _deny(403, f"this server runs without accounts and answers only as localhost or "
                              f"a loopback address (127.0.0.1, ::1), not {host_name(host) or 'an unnamed host'}", "host")
        origin = headers.get("origin")
        if method not in SAFE_METHODS and origin and urlsplit(origin).netloc.lower() != host.lower():
            return _deny(403, f"a page of {origin} may not change this store", "cross_site")
        return None

    def _check(self, method: str, path: str, headers: dict, who: Principal | None) -> JSONResponse | None:
        if who is None:
            if is_public(method, path):
                return None
            return _deny(401, "sign in first (the page's sign-in form, POST /api/auth/login, or an "
                              "API token: Authorization: Bearer …)", "unauthenticated",
                         **{"WWW-Authenticate": "Bearer"})
        if method in SAFE_METHODS or path == "/api/auth/login":
            return None
        if who.via == "session" and headers.get(CSRF_HEADER) != who.csrf:
            return _deny(403, "missing or wrong X-CSRF-Token header (reload the page)", "csrf")
        if path.startswith("/api/auth/"):  # sign out, own tokens: any role
            return None
        if not who.can_edit:
            return _deny(403, f"{who.username} is a viewer: may read, search and export, not change "
                              "anything", "forbidden")
        if method == "DELETE" and not who.is_admin:
            return _deny(403, f"only an admin may delete; {who.username} is a {who.role}", "forbidden")
        return None

    async def _principal(self, headers: dict) -> Principal | None:
        auth = headers.get("authorization", "")
        if auth[:7].lower() == "bearer ":
            key = ("token", auth[7:].strip())
        else:
            cookie = SimpleCookie()
            try:
                cookie.load(headers.get("cookie", ""))
            except Exception:  # noqa: BLE001 - a malformed cookie header is no session
                return None
            if COOKIE not in cookie:
                return None
            key = ("session", cookie[COOKIE].value)
        return await self.cache.get(*key) if key[1] else None


class PrincipalCache:
    """Sessions and API tokens looked up in the store (in a worker thread), remembered for
    :data:`CACHE_SECONDS` (at most 10 000)."""

    def __init__(self, session_factory) -> None:
        self.session_factory = session_factory
        self._cache: OrderedDict[tuple[str, str], tuple[float, Principal | None]] = OrderedDict()

    async def get(self, kind: str, secret: str) -> Principal | None:
        key, now = (kind, secret), time.monotonic()
        hit = self._cache.get(key)
        if hit is not None and now - hit[0] < CACHE_SECONDS:
            return hit[1]
        principal = await run_in_threadpool(self._lookup, kind, secret)
        self._cache[key] = (now, principal)
        self._cache.move_to_end(key)
        while len(self._cache) > 10_000:
            self._cache.popitem(last=False)
        return principal

    def _lookup(self, kind: str, secret: str) -> Principal | None:
        with self.session_factory() as session:
            return (token_principal if kind == "token" else session_principal)(session, secret)

    def forget(self, secret: str) -> None:
        """Drop a session or token from the cache (sign-out)."""
        for kind in ("session", "token"):
            self._cache.pop((kind, secret), None)


class LoginLimiter:
    """Failed sign-ins allowed per (address, account name) and per address in a sliding
    window; beyond that :meth:`retry_after` gives the seconds to wait (in-process: one
    server process)."""

    def __init__(self, per_name: int = 5, per_address: int = 30, window: float = 900.0) -> None:
        self.per_name, self.per_address, self.window = per_name, per_address, window
        self._fails: dict[tuple, deque] = {}

    def _recent(self, key: tuple, now: float) -> deque:
        q = self._fails.setdefault(key, deque())
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def retry_after(self, address: str, name: str) -> int:
        """Seconds until another try is allowed (0: allowed now)."""
        now = time.monotonic()
        waits = []
        for key, limit in (((address, name.casefold()), self.per_name), ((address,), self.per_address)):
            q = self._recent(key, now)
            if len(q) >= limit:
                waits.append(self.window - (now - q[-limit]))
        return int(max(waits)) + 1 if waits else 0

    def failed(self, address: str, name: str) -> None:
        now = time.monotonic()
        for key in ((address, name.casefold()), (address,)):
            self._recent(key, now).append(now)
        if len(self._fails) > 50_000:  # forget idle keys
            self._fails = {k: q for k, q in self._fails.items() if q and now - q[-1] < self.window}

    def succeeded(self, address: str, name: str) -> None:
        self._fails.pop((address, name.casefold()), None)
