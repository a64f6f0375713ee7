"""Rows turned into what the store hands back (the plain values of ``orderbridge.ports``)."""

from __future__ import annotations

from typing import Any

from orderbridge.domain.history import (
    HistoryEntry,
    HistorySource,
    OrderOutcome,
    OrderReport,
    RunOutcome,
    RunTrigger,
)
from orderbridge.ports import ResyncRequest, RunRecord, StoredOrder

from ._tables import OrderEventRow, OrderStateRow, StatusHistoryRow, SyncRunRow

__all__ = [
    "JsonObject",
    "ResyncRequest",
    "RunRecord",
    "StoredOrder",
    "entry_from_row",
    "order_from_row",
    "report_from_row",
    "run_from_row",
]

JsonObject = dict[str, Any]


def order_from_row(row: OrderStateRow) -> StoredOrder:
    """A ``StoredOrder`` from its row."""
    return StoredOrder(
        tenant=row.tenant,
        po_number=row.po_number,
        po_id=row.po_id,
        status=row.status,
        state=dict(row.state),
        fingerprint=row.fingerprint,
        first_seen_at=row.first_seen_at,
        updated_at=row.updated_at,
        checked_at=row.checked_at,
        archived=row.archived,
        written={str(k): str(v) for k, v in (row.written or {}).items()},
    )


def entry_from_row(row: StatusHistoryRow) -> HistoryEntry:
    """A domain ``HistoryEntry`` from its row."""
    return HistoryEntry(
        po_number=row.po_number,
        at=row.at,
        from_status=row.from_status,
        to_status=row.to_status,
        source=HistorySource(row.source),
        summary=row.summary,
        key=row.key,
    )


def report_from_row(row: OrderEventRow) -> OrderReport:
    """A domain ``OrderReport`` from its row."""
    return OrderReport(
        po_number=row.po_number,
        outcome=OrderOutcome(row.outcome),
        po_id=row.po_id,
        status=row.status,
        changes=tuple(row.changes),
        warnings=tuple(row.warnings),
        error=row.error,
    )


def run_from_row(row: SyncRunRow, orders: list[OrderReport] | None = None) -> RunRecord:
    """A ``RunRecord`` from its row (and, optionally, its per-order reports)."""
    return RunRecord(
        id=row.id,
        tenant=row.tenant,
        started_at=row.started_at,
        finished_at=row.finished_at,
        outcome=RunOutcome(row.outcome),
        trigger=RunTrigger(row.trigger),
        monitored=row.monitored,
        checked=row.checked,
        updated=row.updated,
        unchanged=row.unchanged,
        failed=row.failed,
        skipped=row.skipped,
        requests={str(name): int(count) for name, count in row.requests.items()},
        error=row.error,
        orders=list(orders or []),
        warnings=[str(w) for w in (row.warnings or [])],
    )
