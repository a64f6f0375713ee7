"""Rows turned into what the store hands back (the plain values of ``orderbridge.ports``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar, cast

from orderbridge.domain.history import (
    HistoryEntry,
    HistorySource,
    OrderOutcome,
    OrderReport,
    RunOutcome,
    RunTrigger,
)
from orderbridge.domain.records import AuditEntry, AuditKind
from orderbridge.ports import ResyncRequest, RunRecord, StoredOrder

from ._tables import AuditEntryRow, OrderEventRow, OrderStateRow, StatusHistoryRow, SyncRunRow

__all__ = [
    "JsonObject",
    "ResyncRequest",
    "RunRecord",
    "StoredOrder",
    "audit_entry",
    "entry_from_row",
    "from_row",
    "order_from_row",
    "report_from_row",
    "requests_of",
    "run_from_row",
]

JsonObject = dict[str, Any]
T = TypeVar("T")


def from_row(make: Callable[..., T], row: object, **converted: Any) -> T:
    """A ``make`` dataclass from the row's columns of the same names, plus ``converted`` values.

    ``converted`` gives the fields whose stored form differs (enums, JSON, lists) or that the
    row does not hold.
    """
    names = [f.name for f in fields(cast(Any, make)) if f.init and f.name not in converted]
    return make(**{name: getattr(row, name) for name in names}, **converted)


def order_from_row(row: OrderStateRow) -> StoredOrder:
    """A ``StoredOrder`` from its row."""
    written = {str(k): str(v) for k, v in (row.written or {}).items()}
    return from_row(StoredOrder, row, state=dict(row.state), written=written)


def entry_from_row(row: StatusHistoryRow) -> HistoryEntry:
    """A domain ``HistoryEntry`` from its row."""
    return from_row(HistoryEntry, row, source=HistorySource(row.source))


def report_from_row(row: OrderEventRow) -> OrderReport:
    """A domain ``OrderReport`` from its row."""
    return from_row(
        OrderReport,
        row,
        outcome=OrderOutcome(row.outcome),
        changes=tuple(row.changes),
        warnings=tuple(row.warnings),
    )


def run_from_row(row: SyncRunRow, orders: list[OrderReport] | None = None) -> RunRecord:
    """A ``RunRecord`` from its row (and, optionally, its per-order reports)."""
    return from_row(
        RunRecord,
        row,
        outcome=RunOutcome(row.outcome),
        trigger=RunTrigger(row.trigger),
        requests=requests_of(row),
        orders=list(orders or []),
        warnings=[str(w) for w in (row.warnings or [])],
    )


def requests_of(row: SyncRunRow) -> dict[str, int]:
    """A run's request counts per service."""
    return {str(name): int(count) for name, count in (row.requests or {}).items()}


def audit_entry(row: AuditEntryRow) -> AuditEntry:
    """An audit trail row as the domain's entry."""
    return from_row(AuditEntry, row, kind=AuditKind(row.kind))
