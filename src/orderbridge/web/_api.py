"""The JSON API under ``/api/v1/``: the pages' twins, one query and two renderings.

Authenticate with ``Authorization: Bearer TOKEN`` (``orderbridge tokens create``) or a session
cookie plus the ``X-CSRF-Token`` header. Reads need any role; changes need ``admin``.
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Body, Depends, HTTPException, Request

from orderbridge.application.doctor import Check
from orderbridge.application.next_checks import OrderNextCheck
from orderbridge.application.queries import OrderListItem
from orderbridge.domain.notify_rules import QueuedNotification
from orderbridge.domain.records import AuditEntry
from orderbridge.ports import RunRow

from ._api_models import (
    CheckOut,
    FieldQuirkOut,
    HistoryOut,
    NextCheckOut,
    NotificationOut,
    OrderDetailOut,
    OrderListOut,
    OrderOut,
    OverviewOut,
    ResyncOut,
    RunDetailOut,
    RunOut,
    TouchOut,
    WriteOut,
)
from ._auth import Principal, admin_change, any_change, services_of, signed_in
from ._settings import apply_settings

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["orderbridge"])
Reader = Annotated[Principal, Depends(signed_in)]


def _order(item: OrderListItem) -> OrderOut:
    return OrderOut(
        po_number=item.po_number,
        status=item.status,
        customer=item.customer,
        order_numbers=list(item.order_numbers),
        eta=item.eta,
        updated_at=item.updated_at,
        checked_at=item.checked_at,
        attention=list(item.attention),
    )


def _write(entry: AuditEntry) -> WriteOut:
    return WriteOut(
        at=entry.at,
        field=entry.field,
        before=entry.before,
        after=entry.after,
        item_id=entry.item_id,
        run_id=entry.run_id,
        accepted=entry.stuck,
        error=entry.error,
    )


def _notification(entry: QueuedNotification) -> NotificationOut:
    return NotificationOut(
        created_at=entry.created_at,
        finished_at=entry.finished_at,
        event=entry.notice.kind.value,
        title=entry.notice.title,
        channel=entry.channel,
        status=entry.status.value,
        attempts=entry.attempts,
        recipients=list(entry.recipients),
        error=entry.error,
    )


def _run(run: RunRow) -> dict[str, Any]:
    return {
        "id": run.id,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "outcome": run.outcome,
        "duration_s": run.duration_s,
        "monitored": run.monitored,
        "checked": run.checked,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "failed": run.failed,
        "skipped": run.skipped,
        "requests": dict(run.requests),
        "error": run.error,
    }


@router.get("/orders")
async def list_orders(
    request: Request,
    _: Reader,
    q: str = "",
    status: str = "",
    attention: bool = False,
    sort: str = "updated",
    dir: str = "desc",
    page: int = 1,
    per_page: int = 50,
) -> OrderListOut:
    """Orders: search (PO, TD SYNNEX order, tracking or part number), filter, sort, page."""
    queries = services_of(request).queries
    try:
        listing = await anyio.to_thread.run_sync(
            lambda: queries.orders(
                search=q,
                status=status or None,
                attention=attention,
                sort=sort,
                descending=dir != "asc",
                page=page,
                per_page=per_page,
            )
        )
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    return OrderListOut(
        total=listing.total,
        page=listing.page,
        per_page=listing.per_page,
        pages=listing.pages,
        orders=[_order(i) for i in listing.items],
    )


@router.get("/overview")
async def overview(request: Request, _: Reader) -> OverviewOut:
    """Switch and schedule, counts, orders needing attention, fields that do not stick."""
    services = services_of(request)
    values = await anyio.to_thread.run_sync(services.runtime.load)
    view = await anyio.to_thread.run_sync(services.queries.overview, values)
    return OverviewOut(
        settings=values.texts(),
        last_run=None if view.last_run is None else RunOut(**_run(view.last_run)),
        next_run=view.next_run,
        by_status=dict(view.by_status),
        attention=view.attention,
        attention_orders=[_order(i) for i in view.attention_orders],
        field_quirks=[
            FieldQuirkOut(
                field=q.field,
                record=q.record,
                wanted=q.wanted,
                found=q.found,
                detected_at=q.detected_at,
            )
            for q in view.field_quirks
        ],
        field_quirk_fix=view.field_quirk_fix if view.field_quirks else None,
        autotask_requests_this_hour=view.autotask_requests_this_hour,
        notifications=dict(view.notifications),
    )


@router.get("/orders/{po_number}")
async def get_order(
    request: Request, po_number: str, _: Reader, writes_page: int = 1
) -> OrderDetailOut:
    """One order: state, full history, Autotask writes (50 a page), notifications, runs."""
    detail = await anyio.to_thread.run_sync(
        services_of(request).queries.order, po_number, writes_page
    )
    if detail is None:
        raise HTTPException(404, f"orderbridge has not seen PO {po_number}")
    return OrderDetailOut(
        po_number=detail.row.po_number,
        po_id=detail.row.po_id,
        status=detail.row.status,
        attention=list(detail.attention),
        state=dict(detail.row.state),
        history=[
            HistoryOut(
                at=e.at,
                from_status=e.from_status,
                to_status=e.to_status,
                source=str(e.source),
                summary=e.summary,
            )
            for e in detail.history
        ],
        runs=[
            TouchOut(
                run_id=t.run_id,
                at=t.at,
                outcome=str(t.report.outcome),
                changes=list(t.report.changes),
                warnings=list(t.report.warnings),
                error=t.report.error,
            )
            for t in detail.touches
        ],
        writes=[_write(w) for w in detail.writes],
        writes_total=detail.writes_total,
        writes_page=detail.writes_page,
        writes_pages=detail.writes_pages,
        notifications=[_notification(n) for n in detail.notifications],
        next_check=None if detail.next_check is None else _next_check(detail.next_check),
    )


def _next_check(outlook: OrderNextCheck) -> NextCheckOut:
    rule = outlook.rule
    return NextCheckOut(
        summary=outlook.describe(),
        at=None if rule is None else rule.at,
        reason=None if rule is None else str(rule.reason),
        cycle_at=outlook.cycle_at,
        sync_enabled=outlook.enabled,
        checked_by_cycle_at=outlook.checked_by,
    )


@router.post("/orders/{po_number}/resync")
async def resync_order(
    request: Request, po_number: str, _: Annotated[Principal, Depends(admin_change)]
) -> ResyncOut:
    """Check one order at TD SYNNEX now (admin)."""
    outcome = await services_of(request).resync(po_number)
    return ResyncOut(ok=outcome.ok, message=outcome.message)


@router.get("/runs")
async def list_runs(request: Request, _: Reader, page: int = 1) -> list[RunOut]:
    """The activity log, newest first, 50 runs a page."""
    runs = await anyio.to_thread.run_sync(services_of(request).queries.runs, page)
    return [RunOut(**_run(r)) for r in runs.runs]


@router.get("/runs/{run_id}")
async def get_run(request: Request, run_id: int, _: Reader) -> RunDetailOut:
    """One run with every order it reported on."""
    found = await anyio.to_thread.run_sync(services_of(request).queries.run, run_id)
    if found is None:
        raise HTTPException(404, f"no run {run_id}")
    run, reports = found
    orders = [
        {
            "po_number": r.po_number,
            "outcome": str(r.outcome),
            "status": r.status,
            "changes": list(r.changes),
            "warnings": list(r.warnings),
            "error": r.error,
        }
        for r in reports
    ]
    return RunDetailOut(**_run(run), orders=orders)


@router.get("/settings")
async def get_settings(request: Request, _: Reader) -> dict[str, str]:
    """The effective runtime settings (as ``orderbridge settings`` shows them)."""
    values = await anyio.to_thread.run_sync(services_of(request).runtime.load)
    return values.texts()


@router.patch("/settings")
async def change_settings(
    request: Request,
    _: Annotated[Principal, Depends(admin_change)],
    changes: Annotated[dict[str, str | bool | int | float], Body(examples=[{"enabled": False}])],
) -> dict[str, str]:
    """Change runtime settings (admin); 422 with the problem per key when any is invalid."""
    runtime = services_of(request).runtime
    texts = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in changes.items()}
    problems = await anyio.to_thread.run_sync(apply_settings, runtime, texts)
    if problems:
        raise HTTPException(422, problems)
    values = await anyio.to_thread.run_sync(runtime.load)
    return values.texts()


@router.post("/doctor")
async def doctor(request: Request, _: Annotated[Principal, Depends(any_change)]) -> list[CheckOut]:
    """Run every doctor check now."""
    checks: list[Check] = await services_of(request).doctor()
    return [
        CheckOut(name=c.name, outcome=str(c.outcome), detail=c.detail, fix=c.fix) for c in checks
    ]
