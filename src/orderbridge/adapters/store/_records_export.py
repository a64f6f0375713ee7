"""Streaming reads for exports: rows go out as they are read, never gathered in memory.

PostgreSQL reads through a server-side cursor (``stream_results``); SQLite's cursor is lazy by
nature. Either way the caller holds one read transaction (a consistent snapshot) for as long as it
iterates, and ``yield_per`` bounds how many rows are in memory at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Engine, RowMapping, Select, select

from orderbridge.domain.records import ExportKind

from ._tables import (
    AuditEntryRow,
    NotificationRow,
    OrderStateRow,
    StatusHistoryRow,
    SyncRunRow,
)

__all__ = ["STREAM_BATCH", "export_rows", "stream"]

STREAM_BATCH = 2000

Row = dict[str, object]


def stream(engine: Engine, statement: Select[*tuple[Any, ...]]) -> Iterator[RowMapping]:
    """Rows of ``statement``, fetched ``STREAM_BATCH`` at a time inside one read transaction."""
    with engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=STREAM_BATCH).execute(
            statement
        )
        for partition in result.mappings().partitions():
            yield from partition


def export_rows(
    engine: Engine, kind: ExportKind, tenant: str, since: datetime | None
) -> Iterator[Row]:
    """Every row of one export, oldest first, keyed by ``EXPORT_COLUMNS[kind]``."""
    if kind is ExportKind.ORDERS:
        yield from (_order(row) for row in stream(engine, _orders(tenant, since)))
    elif kind is ExportKind.HISTORY:
        yield from (dict(row) for row in stream(engine, _history(tenant, since)))
    elif kind is ExportKind.RUNS:
        yield from (_run(row) for row in stream(engine, _runs(tenant, since)))
    elif kind is ExportKind.AUDIT:
        yield from (dict(row) for row in stream(engine, _audit(tenant, since)))
    else:
        yield from (_notification(row) for row in stream(engine, _notifications(tenant, since)))


def _orders(tenant: str, since: datetime | None) -> Select[*tuple[Any, ...]]:
    t = OrderStateRow
    statement = select(
        t.po_number,
        t.po_id,
        t.status,
        t.archived,
        t.archived_at,
        t.first_seen_at,
        t.updated_at,
        t.checked_at,
        t.state,
    ).where(t.tenant == tenant)
    if since is not None:
        statement = statement.where(t.updated_at >= since)
    return statement.order_by(t.first_seen_at, t.id)


def _history(tenant: str, since: datetime | None) -> Select[*tuple[Any, ...]]:
    t = StatusHistoryRow
    statement = select(
        t.po_number, t.at, t.from_status, t.to_status, t.source, t.summary, t.recorded_at
    ).where(t.tenant == tenant)
    if since is not None:
        statement = statement.where(t.at >= since)
    return statement.order_by(t.at, t.id)


def _runs(tenant: str, since: datetime | None) -> Select[*tuple[Any, ...]]:
    t = SyncRunRow
    statement = select(
        t.id.label("run_id"),
        t.started_at,
        t.finished_at,
        t.outcome,
        t.monitored,
        t.checked,
        t.updated,
        t.unchanged,
        t.failed,
        t.skipped,
        t.requests,
        t.error,
    ).where(t.tenant == tenant)
    if since is not None:
        statement = statement.where(t.started_at >= since)
    return statement.order_by(t.started_at, t.id)


def _audit(tenant: str, since: datetime | None) -> Select[*tuple[Any, ...]]:
    t = AuditEntryRow
    statement = select(
        t.id.label("audit_id"),
        t.at,
        t.kind,
        t.actor,
        t.run_id,
        t.po_number,
        t.po_id,
        t.item_id,
        t.field,
        t.before,
        t.after,
        t.stuck,
        t.error,
    ).where(t.tenant == tenant)
    if since is not None:
        statement = statement.where(t.at >= since)
    return statement.order_by(t.at, t.id)


def _notifications(tenant: str, since: datetime | None) -> Select[*tuple[Any, ...]]:
    t = NotificationRow
    statement = select(
        t.id.label("notification_id"),
        t.created_at,
        t.po_number,
        t.kind,
        t.channel,
        t.recipients,
        t.status,
        t.event_key,
        t.finished_at,
        t.error,
    ).where(t.tenant == tenant)
    if since is not None:
        statement = statement.where(t.created_at >= since)
    return statement.order_by(t.created_at, t.id)


def _notification(row: RowMapping) -> Row:
    out = dict(row)
    out["recipients"] = "; ".join(str(r) for r in row["recipients"] or ())
    return out


def _run(row: RowMapping) -> Row:
    out = dict(row)
    requests = row["requests"] or {}
    out["requests"] = "; ".join(f"{name}={count}" for name, count in sorted(requests.items()))
    return out


def _order(row: RowMapping) -> Row:
    """An order row with the facts its stored state holds, flattened to one line."""
    state: Mapping[str, Any] = row["state"] or {}
    out: Row = {k: row[k] for k in row if k != "state"}
    out["shipped_at"] = _datetime(state.get("shipped_at"))
    out["delivered_on"] = _date(state.get("delivered_on"))
    out["invoiced_at"] = _datetime(state.get("invoiced_at"))
    out["expected_ship_date"] = _date(state.get("expected_ship_date"))
    out["expected_delivery"] = _date(state.get("expected_delivery"))
    out["td_synnex_orders"] = " ".join(str(n) for n in state.get("order_numbers") or ())
    shipments = [s for line in state.get("lines") or () for s in line.get("shipments") or ()]
    out["tracking_numbers"] = " ".join(
        dict.fromkeys(str(s["tracking_number"]) for s in shipments if s.get("tracking_number"))
    )
    out["carriers"] = " ".join(
        dict.fromkeys(str(s["carrier"]) for s in shipments if s.get("carrier"))
    )
    invoices = list(state.get("invoices") or ())
    out["invoice_numbers"] = " ".join(str(i.get("number") or "") for i in invoices).strip()
    out["invoice_total"] = _sum(i.get("total") for i in invoices)
    out["freight"] = _sum(i.get("freight") for i in invoices)
    return out


def _datetime(text: object) -> datetime | None:
    return datetime.fromisoformat(text) if isinstance(text, str) and text else None


def _date(text: object) -> date | None:
    return date.fromisoformat(text) if isinstance(text, str) and text else None


def _sum(values: Any) -> Decimal | None:
    total: Decimal | None = None
    for value in values:
        if value in (None, ""):
            continue
        try:
            total = (total or Decimal(0)) + Decimal(str(value))
        except InvalidOperation:
            continue
    return total
