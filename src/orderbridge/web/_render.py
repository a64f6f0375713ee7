"""Jinja2 with autoescape on for every template, and the small formatting filters pages use."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from ._auth import Principal

__all__ = ["render", "templates"]


def _when(value: datetime | date | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M} UTC"
    return value.isoformat()


def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f} s" if value < 120 else f"{value / 60:.1f} min"


def _query(current: dict[str, Any], **changes: Any) -> str:
    merged = {k: v for k, v in {**current, **changes}.items() if v not in (None, "", False)}
    return "?" + urlencode(merged)


_environment = jinja2.Environment(
    loader=jinja2.PackageLoader("orderbridge.web", "templates"),
    autoescape=True,  # every template, whatever its name: everything shown is escaped
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters["when"] = _when
_environment.filters["seconds"] = _seconds
_environment.globals["query"] = _query
templates = Jinja2Templates(env=_environment)


def render(
    request: Request,
    name: str,
    principal: Principal | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page, with the principal and its CSRF token available to the layout."""
    context.setdefault("message", None)
    context.setdefault("error", None)
    response: HTMLResponse = templates.TemplateResponse(
        request,
        name,
        {"principal": principal, "path": request.url.path, **context},
        status_code=status_code,
    )
    return response
