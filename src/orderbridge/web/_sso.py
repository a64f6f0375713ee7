"""``GET /login/oidc`` and its callback: single sign-on through OpenID Connect (``[web.oidc]``).

Between the redirect and the callback, the state, nonce and PKCE verifier wait in a short-lived
HttpOnly cookie scoped to ``/login/oidc``; the callback must bring back the same state.
"""

from __future__ import annotations

import hmac
import json

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from orderbridge.application.accounts import AccountError
from orderbridge.application.sso import identity_from_claims
from orderbridge.ports import OidcLogin, SingleSignOnError

from ._auth import SESSION_COOKIE, cookie_secure, services_of
from ._login import safe_next
from ._render import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
FLOW_COOKIE = "ob_oidc"
FLOW_SECONDS = 600


def _refused(request: Request, text: str, status_code: int = 403) -> HTMLResponse:
    return render(request, "error.html", None, status_code, title="Sign-in refused", error=text)


@router.get("/login/oidc")
async def start(request: Request, next: str = "/") -> Response:
    """Send the browser to the identity provider."""
    sso = services_of(request).sso
    if sso is None:
        return _refused(request, "Single sign-on is not configured.", 404)
    redirect_uri = str(request.url_for("oidc_callback"))
    try:
        url, login = await sso.authorization_url(redirect_uri)
    except SingleSignOnError as exc:
        return _refused(request, f"Single sign-on is unavailable: {exc}.", 502)
    response = RedirectResponse(url, status_code=303)
    flow = {"state": login.state, "nonce": login.nonce, "verifier": login.verifier}
    flow["next"] = safe_next(next)
    response.set_cookie(
        FLOW_COOKIE,
        json.dumps(flow),
        max_age=FLOW_SECONDS,
        httponly=True,
        samesite="lax",  # the provider sends the browser back with a top-level GET
        secure=cookie_secure(request),
        path="/login/oidc",
    )
    return response


@router.get("/login/oidc/callback", name="oidc_callback")
async def callback(request: Request, code: str = "", state: str = "", error: str = "") -> Response:
    """Verify the provider's answer, map the person to a role and open a session."""
    services = services_of(request)
    if services.sso is None:
        return _refused(request, "Single sign-on is not configured.", 404)
    try:
        flow = json.loads(request.cookies.get(FLOW_COOKIE, "{}"))
    except ValueError:
        flow = {}
    if error:
        return _refused(request, f"The identity provider refused the sign-in ({error}).")
    expected = str(flow.get("state", ""))
    if not code or not expected or not hmac.compare_digest(expected, state):
        return _refused(request, "The sign-in expired or did not start here; please try again.")
    login = OidcLogin(expected, str(flow.get("nonce", "")), str(flow.get("verifier", "")))
    try:
        claims = await services.sso.claims(code, login, str(request.url_for("oidc_callback")))
    except SingleSignOnError as exc:
        return _refused(request, f"Single sign-on failed: {exc}.", 502)
    person = identity_from_claims(claims, services.sso_rules)
    if person.role is None:
        return _refused(
            request,
            f"{person.username} signed in, but no group or e-mail domain of theirs is given a "
            "role in orderbridge ([web.oidc] admin_groups, viewer_groups, admin_domains, "
            "viewer_domains).",
        )
    try:
        signed = await anyio.to_thread.run_sync(
            services.accounts.sign_in_sso, person.username, person.role
        )
    except AccountError as exc:
        return _refused(request, str(exc))
    response = RedirectResponse(safe_next(str(flow.get("next", "/"))), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        signed.session_secret,
        max_age=int(services.settings.web.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request),
        path="/",
    )
    response.delete_cookie(FLOW_COOKIE, path="/login/oidc")
    return response
