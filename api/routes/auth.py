"""Signing in and out, the signed-in account, API tokens (the gate itself: api.auth)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool

from aligner.store.accounts.service import authenticate, create_token, end_session, start_session
from api.auth import COOKIE
from api.deps import PrincipalDep, SettingsDep
from api.schemas import ErrorOut
from api.schemas.auth import LoginIn, MeOut, TokenIn, TokenOut

router = APIRouter(prefix="/auth", tags=["accounts"])


def _me(principal, mode: str, csrf: str | None = None) -> dict:
    return {"username": principal.username, "role": principal.role, "mode": mode,
            "can_edit": principal.can_edit, "csrf_token": csrf if csrf is not None else principal.csrf}


@router.post("/login", response_model=MeOut, summary="Sign in (sets the session cookie)",
             responses={401: {"model": ErrorOut}, 429: {"model": ErrorOut}})
async def login(body: LoginIn, request: Request, response: Response, settings: SettingsDep):
    """Checks the password (Argon2id), starts a page session: an HttpOnly, SameSite=Strict
    cookie (Secure over HTTPS) and the CSRF token to send with every change. Failed
    attempts are limited per address and name (429 with Retry-After)."""
    if settings.auth == "local":
        raise HTTPException(400, "this server runs without accounts: you are signed in as "
                                 f"{settings.local_user} already")
    limiter = request.app.state.login_limiter
    address = request.client.host if request.client else "?"
    wait = limiter.retry_after(address, body.username)
    if wait:
        raise HTTPException(429, f"too many failed sign-ins; try again in {wait} s",
                            headers={"Retry-After": str(wait)})

    def check():
        with request.app.state.session_factory() as session:
            account = authenticate(session, body.username, body.password)
            if account is None:
                return None
            return account, start_session(session, account, settings.session_hours)

    found = await run_in_threadpool(check)
    if found is None:
        limiter.failed(address, body.username)
        raise HTTPException(401, "wrong account name or password")
    limiter.succeeded(address, body.username)
    account, (token, csrf) = found
    secure = settings.cookie_secure == "always" or (
        settings.cookie_secure == "auto" and request.url.scheme == "https")
    response.set_cookie(COOKIE, token, max_age=int(settings.session_hours * 3600), httponly=True,
                        samesite="strict", secure=secure, path="/")
    return {"username": account.username, "role": account.role, "mode": "accounts",
            "can_edit": account.role in ("reviewer", "admin"), "csrf_token": csrf}


@router.post("/logout", status_code=204, summary="Sign out (ends the page session)")
async def logout(request: Request, response: Response, principal: PrincipalDep):
    token = request.cookies.get(COOKIE)
    if principal.via == "session" and token:
        def end():
            with request.app.state.session_factory() as session:
                end_session(session, token)

        await run_in_threadpool(end)
        request.app.state.principals.forget(token)
    response.delete_cookie(COOKIE, path="/")
    response.status_code = 204
    return response


@router.get("/me", response_model=MeOut, summary="The signed-in account and its role")
def me(principal: PrincipalDep, settings: SettingsDep):
    return _me(principal, settings.auth)


@router.post("/tokens", response_model=TokenOut, status_code=201,
             summary="Make an API token for scripts, acting as the signed-in account")
def make_token(body: TokenIn, request: Request, principal: PrincipalDep, settings: SettingsDep):
    if settings.auth == "local":
        raise HTTPException(400, "this server runs without accounts; API tokens need one "
                                 "(aligner user add …)")
    with request.app.state.session_factory() as session:
        return {"token": create_token(session, principal.username, body.label),
                "username": principal.username}
