"""Streaming reads for exports: rows go out as they are read, never gathered in memory.

PostgreSQL reads through a server-side cursor (``stream_results``); SQLite's cursor is lazy by
nature. Either way the caller holds one read transaction (a consistent snapshot) for as long as it
iterates, and ``yield_per`` bounds how many rows are in memory at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, Engine, RowMapping, Select, Table, select

from orderbridge.domain.records import ExportKind

from ._statements import table_of
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
    export = _EXPORTS[kind]
    table = export.table
    statement = select(*export.columns).where(table.c.tenant == tenant)
    if since is not None:
        statement = statement.where(table.c[export.since] >= since)
    statement = statement.order_by(table.c[export.oldest_first], table.c.id)
    yield from (export.shape(row) for row in stream(engine, statement))


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


@dataclass(frozen=True, slots=True)
class _Export:
    """One export's query: its columns, the column ``--since`` applies to, and its order."""

    table: Table
    columns: tuple[ColumnElement[Any], ...]
    since: str
    oldest_first: str
    shape: Callable[[RowMapping], Row]


def _export(
    model: type[Any],
    names: str,
    *,
    since: str,
    oldest_first: str = "",
    id_as: str = "",
    shape: Callable[[RowMapping], Row] = dict,
) -> _Export:
    """An export of ``names`` (space-separated) and, first, the row's id named ``id_as``."""
    table = table_of(model)
    columns: list[ColumnElement[Any]] = [table.c.id.label(id_as)] if id_as else []
    columns.extend(table.c[name] for name in names.split())
    return _Export(table, tuple(columns), since, oldest_first or since, shape)


_EXPORTS: dict[ExportKind, _Export] = {
    ExportKind.ORDERS: _export(
        OrderStateRow,
        "po_number po_id status archived archived_at first_seen_at updated_at checked_at state",
        since="updated_at",
        oldest_first="first_seen_at",
        shape=_order,
    ),
    ExportKind.HISTORY: _export(
        StatusHistoryRow,
        "po_number at from_status to_status source summary recorded_at",
        since="at",
    ),
    ExportKind.RUNS: _export(
        SyncRunRow,
        "started_at finished_at outcome monitored checked updated unchanged failed skipped "
        "requests error",
        since="started_at",
        id_as="run_id",
        shape=_run,
    ),
    ExportKind.AUDIT: _export(
        AuditEntryRow,
        "at kind actor run_id po_number po_id item_id field before after stuck error",
        since="at",
        id_as="audit_id",
    ),
    ExportKind.NOTIFICATIONS: _export(
        NotificationRow,
        "created_at po_number kind channel recipients status event_key finished_at error",
        since="created_at",
        id_as="notification_id",
        shape=_notification,
    ),
}
