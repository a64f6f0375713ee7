"""Who is asking: a signed-in session (cookie + CSRF token) or an API token (``Bearer``).

Every state-changing request needs either a session whose CSRF token comes with the request (a
form field or the ``X-CSRF-Token`` header) or an API token; changes that touch settings or
upstreams also need the ``admin`` role. A viewer gets 403. Pages without a login redirect to
``/login``; the JSON API answers 401.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

import anyio
from fastapi import Request

from orderbridge.application.accounts import ADMIN

from ._services import WebServices

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "LOGIN_CSRF_COOKIE",
    "SESSION_COOKIE",
    "Forbidden",
    "NeedsLogin",
    "Principal",
    "admin_change",
    "any_change",
    "cookie_secure",
    "services_of",
    "signed_in",
]

SESSION_COOKIE = "ob_session"
LOGIN_CSRF_COOKIE = "ob_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class NeedsLogin(Exception):
    """No valid session or token: pages redirect to /login, the API answers 401."""


class Forbidden(Exception):
    """Signed in, but not allowed (wrong role, or a missing or wrong CSRF token)."""


@dataclass(frozen=True, slots=True)
class Principal:
    """A signed-in user or an API token."""

    name: str
    role: str
    csrf_token: str | None  # None for API tokens, which are not sent by browsers on their own
    session_secret: str | None

    @property
    def is_admin(self) -> bool:
        """Whether this principal may change settings and start resyncs."""
        return self.role == ADMIN


def services_of(request: Request) -> WebServices:
    """The app's services."""
    services: WebServices = request.app.state.services
    return services


def cookie_secure(request: Request) -> bool:
    """Whether cookies get the Secure flag (``[web] secure_cookies``; auto = over HTTPS)."""
    mode = services_of(request).settings.web.secure_cookies
    if mode == "auto":
        return request.url.scheme == "https"
    return mode == "always"


async def _principal(request: Request) -> Principal | None:
    accounts = services_of(request).accounts
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    if scheme.lower() == "bearer":
        token = await anyio.to_thread.run_sync(accounts.token, credential.strip())
        return None if token is None else Principal(token.name, token.role, None, None)
    secret = request.cookies.get(SESSION_COOKIE, "")
    if not secret:
        return None
    found = await anyio.to_thread.run_sync(accounts.session, secret)
    if found is None:
        return None
    user, csrf = found
    return Principal(user.username, user.role, csrf, secret)


async def signed_in(request: Request) -> Principal:
    """Dependency: any valid session or token."""
    principal = getattr(request.state, "principal", None)
    if isinstance(principal, Principal):
        return principal
    found = await _principal(request)
    if found is None:
        raise NeedsLogin
    request.state.principal = found
    return found


async def _check_csrf(request: Request, principal: Principal) -> None:
    if principal.csrf_token is None:
        return  # API token: no ambient browser credential to forge
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        field = (await request.form()).get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    if not sent or not hmac.compare_digest(sent, principal.csrf_token):
        raise Forbidden("the form's security token is missing or out of date; reload the page")


async def any_change(request: Request) -> Principal:
    """Dependency: a signed-in principal whose request carries the CSRF token."""
    principal = await signed_in(request)
    await _check_csrf(request, principal)
    return principal


async def admin_change(request: Request) -> Principal:
    """Dependency: an admin whose request carries the CSRF token (or an admin API token)."""
    principal = await any_change(request)
    if not principal.is_admin:
        raise Forbidden(f"{principal.name} is a viewer; only an admin may do this")
    return principal
