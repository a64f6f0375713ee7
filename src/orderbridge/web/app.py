"""The dashboard's ASGI application: pages, JSON API, health and metrics.

    app = create_app(WebServices.build(settings, store))

Security headers on every answer: a Content-Security-Policy that allows only this site's own
scripts and styles (htmx is vendored under /static), no framing, no MIME sniffing.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import HTTPException as FastAPIHTTPException
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from orderbridge import __version__
from orderbridge.ports import StoreUnavailable

from . import _api, _login, _metrics, _pages, _settings, _sso
from ._auth import Forbidden, NeedsLogin
from ._render import render
from ._services import WebServices

__all__ = ["create_app"]

STATIC = Path(__file__).parent / "static"
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def create_app(services: WebServices) -> FastAPI:
    """The dashboard over ``services``."""
    app = FastAPI(
        title="orderbridge",
        version=__version__,
        description="Autotask purchase orders kept in step with TD SYNNEX: the JSON API.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # Swagger UI loads scripts from a CDN; the JSON document is enough
        redoc_url=None,
    )
    app.state.services = services
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    routers = (_login.router, _sso.router, _pages.router, _settings.router, _api.router)
    for router in (*routers, _metrics.router):
        app.include_router(router)
    _handlers(app)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        # Server time per answer, for browsers' network panels and bench/dashboard.py.
        elapsed_ms = (time.perf_counter() - started) * 1000
        response.headers["Server-Timing"] = f"app;dur={elapsed_ms:.1f}"
        for name, value in _SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(NeedsLogin)
    async def needs_login(request: Request, _: NeedsLogin) -> Response:
        if _wants_json(request) or request.method != "GET":
            return JSONResponse(
                {"detail": "sign in or send Authorization: Bearer TOKEN"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=403)
        principal = getattr(request.state, "principal", None)
        return render(request, "error.html", principal, 403, title="Not allowed", error=str(exc))

    @app.exception_handler(StoreUnavailable)
    async def store_error(request: Request, exc: StoreUnavailable) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": f"store error: {exc}"}, status_code=503)
        principal = getattr(request.state, "principal", None)
        return render(
            request, "error.html", principal, 503, title="Store unavailable", error=str(exc)
        )

    @app.exception_handler(FastAPIHTTPException)
    async def http_error(request: Request, exc: FastAPIHTTPException) -> Response:
        if _wants_json(request) or exc.status_code != 404:
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        principal = getattr(request.state, "principal", None)
        return render(
            request, "error.html", principal, 404, title="Not found", error="No such page."
        )
