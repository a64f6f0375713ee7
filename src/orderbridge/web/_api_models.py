"""The JSON API's answers: the shapes the OpenAPI document describes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

__all__ = [
    "CheckOut",
    "FieldQuirkOut",
    "HistoryOut",
    "NotificationOut",
    "OrderDetailOut",
    "OrderListOut",
    "OrderOut",
    "OverviewOut",
    "ResyncOut",
    "RunDetailOut",
    "RunOut",
    "TouchOut",
    "WriteOut",
]


class OrderOut(BaseModel):
    """One order in a listing."""

    po_number: str
    status: str
    customer: str | None
    order_numbers: list[str]
    eta: date | None
    updated_at: datetime
    checked_at: datetime
    attention: list[str]


class OrderListOut(BaseModel):
    """A page of orders."""

    total: int
    page: int
    per_page: int
    pages: int
    orders: list[OrderOut]


class HistoryOut(BaseModel):
    """One status change."""

    at: datetime
    from_status: str | None
    to_status: str
    source: str
    summary: str


class TouchOut(BaseModel):
    """What one run did with the order."""

    run_id: int
    at: datetime
    outcome: str
    changes: list[str]
    warnings: list[str]
    error: str | None


class WriteOut(BaseModel):
    """One field orderbridge wrote to the PO or one of its items (from the audit trail)."""

    at: datetime
    field: str
    before: str | None
    after: str | None
    item_id: int | None
    run_id: int | None
    accepted: bool | None
    error: str | None


class NotificationOut(BaseModel):
    """One notification about the order: where it went, to whom, or why not."""

    created_at: datetime
    finished_at: datetime | None
    event: str
    title: str
    channel: str
    status: str
    attempts: int
    recipients: list[str]
    error: str | None


class NextCheckOut(BaseModel):
    """When the order is next checked, and why (as ``orderbridge status PO`` says it)."""

    summary: str
    at: datetime | None  # the order's own next check ([sync] adaptive); None: never or every cycle
    reason: str | None  # why the order's rule gives that time
    cycle_at: datetime | None  # the next cycle; None before the first one or when syncing is off
    sync_enabled: bool
    checked_by_cycle_at: datetime | None = None  # the cycle that checks it (its rule may skip some)


class OrderDetailOut(BaseModel):
    """One order with its state, timeline, writes, notifications and the runs that touched it."""

    po_number: str
    po_id: int | None
    status: str
    attention: list[str]
    state: dict[str, Any]
    history: list[HistoryOut]
    runs: list[TouchOut]
    writes: list[WriteOut]
    writes_total: int
    writes_page: int
    writes_pages: int
    notifications: list[NotificationOut]
    next_check: NextCheckOut | None


class FieldQuirkOut(BaseModel):
    """A field this tenant does not keep as written; orderbridge stopped writing it."""

    field: str
    record: str
    wanted: str
    found: str
    detected_at: datetime


class OverviewOut(BaseModel):
    """The overview page's figures."""

    settings: dict[str, str]
    last_run: RunOut | None
    next_run: datetime | None
    by_status: dict[str, int]
    attention: int
    attention_orders: list[OrderOut]
    field_quirks: list[FieldQuirkOut]
    field_quirk_fix: str | None
    autotask_requests_this_hour: int
    notifications: dict[str, int]


class RunOut(BaseModel):
    """One run from the activity log."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    duration_s: float | None
    monitored: int
    checked: int
    updated: int
    unchanged: int
    failed: int
    skipped: int
    requests: dict[str, int]
    error: str | None


class RunDetailOut(RunOut):
    """One run with every order it reported on."""

    orders: list[dict[str, Any]]


class CheckOut(BaseModel):
    """One doctor finding."""

    name: str
    outcome: str
    detail: str
    fix: str


class ResyncOut(BaseModel):
    """What a resync did."""

    ok: bool
    message: str
