"""``/settings`` (the runtime settings of ``orderbridge settings``) and ``/doctor``.

The form sends every key at once; each is checked on its own (so every mistake is reported in
words beside its field) and then together, and nothing is stored unless all of them hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from orderbridge.application.doctor import Outcome
from orderbridge.application.runtime import (
    RUNTIME_KEYS,
    RuntimeSettings,
    RuntimeValues,
    canonical_value,
)

from ._auth import Principal, admin_change, any_change, services_of, signed_in
from ._render import render

__all__ = ["apply_settings", "router"]

router = APIRouter(include_in_schema=False)
EDITABLE = ("frequency", "daily_at", "timezone", "min_gap_s", "scope")


def apply_settings(runtime: RuntimeSettings, wanted: Mapping[str, str]) -> dict[str, str]:
    """Store the given runtime settings if all are valid; else the problem per key, in words."""
    problems: dict[str, str] = {}
    canonical: dict[str, str] = {}
    for key, text in wanted.items():
        if key not in RUNTIME_KEYS:
            problems[key] = f"not a runtime setting; use one of {', '.join(RUNTIME_KEYS)}"
            continue
        try:
            canonical[key] = canonical_value(key, text)
        except ValueError as exc:
            problems[key] = str(exc)
    if problems:
        return problems
    current = runtime.load().texts()
    try:
        RuntimeValues.from_texts(current | canonical)
    except ValueError as exc:
        return {"frequency": str(exc)}
    for key, value in canonical.items():
        if current.get(key) != value:
            runtime.set(key, value)
    return {}


def _page(
    request: Request,
    principal: Principal,
    *,
    entered: Mapping[str, str] | None = None,
    problems: Mapping[str, str] | None = None,
    message: str | None = None,
) -> HTMLResponse:
    runtime = services_of(request).runtime
    values = runtime.load()
    texts = values.texts() | dict(entered or {})
    return render(
        request,
        "settings.html",
        principal,
        400 if problems else 200,
        values=values,
        texts=texts,
        entries=runtime.entries(),
        problems=dict(problems or {}),
        message=message,
        editable=EDITABLE,
    )


@router.get("/settings")
async def settings_page(
    request: Request, principal: Annotated[Principal, Depends(signed_in)]
) -> HTMLResponse:
    """The runtime settings with where each comes from."""
    return await anyio.to_thread.run_sync(lambda: _page(request, principal))


@router.post("/settings")
async def save_settings(
    request: Request, principal: Annotated[Principal, Depends(admin_change)]
) -> HTMLResponse:
    """Change frequency, time of day, zone, gap and scope (admin only)."""
    form = await request.form()
    wanted = {k: str(form[k]) for k in EDITABLE if isinstance(form.get(k), str)}
    runtime = services_of(request).runtime

    def save() -> HTMLResponse:
        problems = apply_settings(runtime, wanted)
        if problems:
            return _page(request, principal, entered=wanted, problems=problems)
        return _page(request, principal, message="Saved; the daemon applies it at its next cycle.")

    return await anyio.to_thread.run_sync(save)


@router.post("/settings/enabled")
async def toggle(
    request: Request, principal: Annotated[Principal, Depends(admin_change)]
) -> HTMLResponse:
    """Turn scheduled syncing on or off (the template tile's toggle)."""
    form = await request.form()
    enabled = str(form.get("enabled", "")).lower() in {"on", "true", "1"}
    runtime = services_of(request).runtime
    values = await anyio.to_thread.run_sync(runtime.set_enabled, enabled)
    if request.headers.get("hx-request"):
        return render(request, "_toggle.html", principal, values=values)
    word = "on" if values.enabled else "off"
    return await anyio.to_thread.run_sync(
        lambda: _page(request, principal, message=f"Scheduled sync is {word}.")
    )


@router.get("/doctor")
async def doctor_page(
    request: Request, principal: Annotated[Principal, Depends(signed_in)]
) -> HTMLResponse:
    """The doctor, ready to run."""
    return render(request, "doctor.html", principal, checks=None, outcome=Outcome)


@router.post("/doctor")
async def run_doctor(
    request: Request, principal: Annotated[Principal, Depends(any_change)]
) -> HTMLResponse:
    """Run every doctor check now and show the fixes."""
    checks = await services_of(request).doctor()
    template = "_checks.html" if request.headers.get("hx-request") else "doctor.html"
    return render(request, template, principal, checks=checks, outcome=Outcome)
