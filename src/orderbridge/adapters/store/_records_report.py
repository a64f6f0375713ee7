"""The delivery report's per-order facts: kept when an order is saved, read by the report.

Whenever an order's state or history is written, ``keep_facts`` works out the order's facts
(``domain.delivery.order_facts`` over its state and whole history, in the same transaction) and
replaces its ``order_facts`` row. The report then reads one narrow row per order: numbers and
group names, no JSON state, no history and no dates (ADR 0043). The migration that adds the
table fills the rows of orders stored before, with this same code.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Connection, Engine, select, type_coerce

from orderbridge.domain.delivery import (
    STAGES,
    Dimension,
    HistoryPoint,
    OrderFigures,
    order_facts,
)

from ._records_export import STREAM_BATCH
from ._statements import chunked, replace_rows, table_of
from ._tables import OrderFactsRow, OrderStateRow, StatusHistoryRow

__all__ = ["delivery_figures", "fill_facts", "keep_facts", "refresh_facts"]

ORDER_FACTS = table_of(OrderFactsRow)
ORDER_STATE = table_of(OrderStateRow)
STATUS_HISTORY = table_of(StatusHistoryRow)
_KEYS = ("tenant", "po_number")
_LEAD_COLUMNS = tuple(f"{name}_days" for name, _start, _end in STAGES)


def _joined(names: Iterable[str]) -> str:
    """Group names one per line (a line break inside a name becomes a space)."""
    return "\n".join(name.replace("\n", " ") for name in names)


def _facts_row(
    tenant: str,
    po_number: str,
    first_seen_at: datetime,
    state: dict[str, Any],
    history: Sequence[HistoryPoint],
) -> dict[str, Any]:
    facts = order_facts(po_number, state, history)
    figures = facts.figures
    return {
        "tenant": tenant,
        "po_number": po_number,
        "first_seen_at": first_seen_at,
        "submitted": facts.submitted,
        "accepted": facts.accepted,
        "shipped": facts.shipped,
        "delivered": facts.delivered,
        "invoiced": facts.invoiced,
        "first_eta": facts.first_eta,
        "expected_delivery": facts.expected_delivery,
        **dict(zip(_LEAD_COLUMNS, figures.leads, strict=True)),
        "on_time_eta": figures.on_time_eta,
        "on_time_expected": figures.on_time_expected,
        "eta_slips": facts.eta_slips,
        "eta_slip_days": facts.eta_slip_days,
        "backorder_days": facts.backorder_days,
        "partial": facts.partial,
        "invoice_total": str(facts.invoice_total),
        "freight": str(facts.freight),
        **{str(d): _joined(names) for d, names in facts.groups.items()},
    }


def _histories(
    connection: Connection, tenant: str, po_numbers: list[str]
) -> dict[str, list[HistoryPoint]]:
    """The whole history of each of these orders, oldest first."""
    h = STATUS_HISTORY.c
    history: dict[str, list[HistoryPoint]] = {}
    points = connection.execute(
        select(h.po_number, h.at, h.to_status, h.key)
        .where(h.tenant == tenant, h.po_number.in_(po_numbers))
        .order_by(h.po_number, h.at, h.id)
    )
    for po_number, at, to_status, key in points:
        history.setdefault(po_number, []).append(HistoryPoint(at, to_status, key))
    return history


def keep_facts(connection: Connection, tenant: str, po_number: str, state: dict[str, Any]) -> None:
    """Work out one order's facts as its state and history are saved (same transaction)."""
    o = ORDER_STATE.c
    first_seen = connection.execute(
        select(o.first_seen_at).where(o.tenant == tenant, o.po_number == po_number)
    ).scalar_one()
    history = _histories(connection, tenant, [po_number]).get(po_number, [])
    replace_rows(
        connection, ORDER_FACTS, _KEYS, [_facts_row(tenant, po_number, first_seen, state, history)]
    )


def refresh_facts(connection: Connection, tenant: str, po_numbers: Iterable[str]) -> None:
    """Work out the facts of these stored orders again from their state and history."""
    o = ORDER_STATE.c
    for chunk in chunked(po_numbers):
        history = _histories(connection, tenant, chunk)
        states = connection.execute(
            select(o.po_number, o.first_seen_at, o.state).where(
                o.tenant == tenant, o.po_number.in_(chunk)
            )
        )
        rows = [
            _facts_row(tenant, po, seen, dict(state or {}), history.get(po, ()))
            for po, seen, state in states
        ]
        replace_rows(connection, ORDER_FACTS, _KEYS, rows)


def fill_facts(connection: Connection) -> None:
    """Work out the facts of every stored order (the migration that adds the table)."""
    tenants = connection.execute(select(ORDER_STATE.c.tenant).distinct()).scalars().all()
    for tenant in tenants:
        numbers = connection.execute(
            select(ORDER_STATE.c.po_number).where(ORDER_STATE.c.tenant == tenant)
        ).scalars()
        refresh_facts(connection, tenant, list(numbers))


def delivery_figures(
    engine: Engine,
    tenant: str,
    since: datetime | None,
    until: datetime | None,
    dimensions: Sequence[Dimension],
) -> Iterator[OrderFigures]:
    """The report's figures of every order first seen in the window, one row each."""
    f = ORDER_FACTS.c
    statement = select(
        *(f[name] for name in _LEAD_COLUMNS),
        f.on_time_eta,
        f.on_time_expected,
        f.eta_slips,
        f.eta_slip_days,
        f.backorder_days,
        f.partial,
        type_coerce(f.delivered.is_not(None), Boolean),
        f.invoice_total,
        f.freight,
        *(f[str(d)] for d in dimensions),
    ).where(f.tenant == tenant)
    if since is not None:
        statement = statement.where(f.first_seen_at >= since)
    if until is not None:
        statement = statement.where(f.first_seen_at < until)
    leads = len(_LEAD_COLUMNS)
    money = leads + 7
    with engine.connect() as connection:
        streaming = connection.execution_options(stream_results=True, yield_per=STREAM_BATCH)
        for row in streaming.execute(statement):
            groups = zip(dimensions, row[money + 2 :], strict=True)
            yield OrderFigures._make(
                (
                    tuple(row[:leads]),
                    *row[leads:money],
                    Decimal(row[money]),
                    Decimal(row[money + 1]),
                    {d: tuple(names.split("\n")) for d, names in groups},
                )
            )
