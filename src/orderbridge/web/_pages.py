"""The dashboard's pages: overview, orders, one order, activity log and one run.

Every page reads through ``DashboardQueries`` in a worker thread (the store is synchronous).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from orderbridge.application.queries import SORTS
from orderbridge.domain.lifecycle import OrderStatus

from . import _charts
from ._auth import Principal, admin_change, services_of, signed_in
from ._render import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
SignedIn = Annotated[Principal, Depends(signed_in)]


@router.get("/")
async def overview(request: Request, principal: SignedIn) -> HTMLResponse:
    """Switch, schedule, counts, attention, budget, notifications and the two charts."""
    services = services_of(request)
    values = await anyio.to_thread.run_sync(services.runtime.load)
    view = await anyio.to_thread.run_sync(services.queries.overview, values)
    return render(
        request,
        "overview.html",
        principal,
        view=view,
        changes_chart=_charts.status_changes_per_day(view.changes_by_day, view.generated_at.date()),
        runs_chart=_charts.runs_per_hour(view.runs_by_hour),
        budget_share=services.settings.sync.budget_share,
    )


@router.get("/orders")
async def orders(
    request: Request,
    principal: SignedIn,
    q: str = "",
    status: str = "",
    attention: bool = False,
    sort: str = "updated",
    dir: str = "desc",
    page: int = 1,
) -> HTMLResponse:
    """Every tracked order: search, filter by status or attention, sort, page."""
    queries = services_of(request).queries
    error = None
    try:
        listing = await anyio.to_thread.run_sync(
            lambda: queries.orders(
                search=q,
                status=status or None,
                attention=attention,
                sort=sort,
                descending=dir != "asc",
                page=page,
            )
        )
    except ValueError as exc:
        error = str(exc)
        listing = await anyio.to_thread.run_sync(lambda: queries.orders(search=q))
    params = {"q": q, "status": status, "attention": "1" if attention else "", "sort": sort}
    template = "_orders_table.html" if request.headers.get("hx-request") else "orders.html"
    return render(
        request,
        template,
        principal,
        status_code=400 if error else 200,
        listing=listing,
        params={**params, "dir": dir},
        sorts=SORTS,
        statuses=[s.value for s in OrderStatus],
        error=error,
    )


@router.get("/orders/{po_number}")
async def order(
    request: Request, po_number: str, principal: SignedIn, writes_page: int = 1
) -> HTMLResponse:
    """One order's whole story (``writes_page`` pages the Autotask writes, 50 a page)."""
    services = services_of(request)
    detail = await anyio.to_thread.run_sync(services.queries.order, po_number, writes_page)
    if detail is None:
        return render(
            request,
            "error.html",
            principal,
            404,
            title="Order not found",
            error=f"orderbridge has not seen PO {po_number}.",
        )
    template = services.settings.web.autotask_po_url
    po_id = detail.row.po_id
    return render(
        request,
        "order.html",
        principal,
        detail=detail,
        autotask_link=template.replace("{po_id}", str(po_id)) if template and po_id else None,
        message=request.query_params.get("message"),
    )


@router.post("/orders/{po_number}/resync", response_model=None)
async def resync(
    request: Request, po_number: str, principal: Annotated[Principal, Depends(admin_change)]
) -> HTMLResponse | RedirectResponse:
    """Check the order at TD SYNNEX now (admin only)."""
    outcome = await services_of(request).resync(po_number)
    if request.headers.get("hx-request"):
        return render(request, "_flash.html", principal, ok=outcome.ok, text=outcome.message)
    return RedirectResponse(
        f"/orders/{quote(po_number, safe='')}?message={quote(outcome.message)}", status_code=303
    )


@router.get("/activity")
async def activity(request: Request, principal: SignedIn, page: int = 1) -> HTMLResponse:
    """The activity log: runs with counts, duration, requests and errors."""
    runs = await anyio.to_thread.run_sync(services_of(request).queries.runs, page)
    return render(request, "activity.html", principal, runs=runs)


@router.get("/activity/{run_id}")
async def run(request: Request, run_id: int, principal: SignedIn) -> HTMLResponse:
    """One run: every order it touched and why each failed."""
    found = await anyio.to_thread.run_sync(services_of(request).queries.run, run_id)
    if found is None:
        return render(
            request, "error.html", principal, 404, title="Run not found", error=f"No run {run_id}."
        )
    record, reports = found
    return render(request, "run.html", principal, run=record, reports=reports)
