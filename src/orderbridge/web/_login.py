"""``GET/POST /login`` (fields ``username``, ``password``, ``csrf_token``) and ``POST /logout``."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from orderbridge.application.accounts import LoginRefused, LoginThrottled

from ._auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    Principal,
    any_change,
    cookie_secure,
    services_of,
)
from ._render import render

__all__ = ["router", "safe_next"]

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect a user off to another host after sign-in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _login_page(
    request: Request, next_path: str, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = render(
        request,
        "login.html",
        None,
        status_code,
        login_csrf=token,
        next_path=safe_next(next_path),
        error=error,
        sso_label=(
            services_of(request).settings.web.oidc.button_label
            if services_of(request).sso is not None
            else None
        ),
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=cookie_secure(request),
        path="/login",
    )
    return response


@router.get("/login")
async def login_form(request: Request, next: str = "/") -> HTMLResponse:
    """The sign-in form."""
    return _login_page(request, next)


@router.post("/login", response_model=None)
async def login(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the password; on success set the session cookie and go where the user was going."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf_token):
        return _login_page(request, next, "The form expired; please sign in again.", 403)
    accounts = services_of(request).accounts
    remote = request.client.host if request.client else "unknown"
    try:
        signed = await anyio.to_thread.run_sync(
            accounts.sign_in, username.strip(), password, remote
        )
    except LoginThrottled as exc:
        return _login_page(request, next, f"Sign-in refused: {exc}.", 429)
    except LoginRefused:
        return _login_page(request, next, "Wrong user name or password.", 401)
    response = RedirectResponse(safe_next(next), status_code=303)
    hours = services_of(request).settings.web.session_hours
    response.set_cookie(
        SESSION_COOKIE,
        signed.session_secret,
        max_age=int(hours * 3600),
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request),
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(
    request: Request, principal: Annotated[Principal, Depends(any_change)]
) -> RedirectResponse:
    """End the session and go back to the sign-in form."""
    if principal.session_secret:
        await anyio.to_thread.run_sync(
            services_of(request).accounts.sign_out, principal.session_secret
        )
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
