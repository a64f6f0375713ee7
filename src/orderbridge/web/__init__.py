"""The web dashboard and JSON API (FastAPI, Jinja2 templates, htmx; no build step).

``create_app(WebServices.build(settings, store))`` is the ASGI app; ``DashboardServer`` serves
it on a loopback port in a thread (tests, ``demo --serve``); ``serve_dashboard`` runs it inside
an existing event loop (``orderbridge run`` with ``[web] enabled = true``).
"""

from __future__ import annotations

from ._server import DashboardServer, serve_dashboard
from ._services import WebServices
from .app import create_app

__all__ = ["DashboardServer", "WebServices", "create_app", "serve_dashboard"]
