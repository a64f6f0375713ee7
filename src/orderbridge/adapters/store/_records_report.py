"""The delivery report's input: each order's state with a summary of its history.

The database does the heavy part: one GROUP BY over the history gives, per order, its first
entry, acceptance, first tracking number, first backorder and whether it was ever partially
shipped, joined to the order's state. Only the ETA entries (a small share of the history) come
back row by row, merged in PO-number order (byte order on both backends). Memory holds one
order at a time, however many rows the store has.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy import Engine, Subquery, and_, case, func, or_, select

from orderbridge.domain.delivery import NOT_ACCEPTED_STATUSES, HistorySummary

from ._records_export import STREAM_BATCH
from ._tables import OrderStateRow, StatusHistoryRow

__all__ = ["delivery_inputs"]

OrderInput = tuple[str, dict[str, Any], HistorySummary]


def _history_summary(tenant: str) -> Subquery:
    """Per PO: first entry, acceptance, first tracking, first backorder, ever partially shipped."""
    h = StatusHistoryRow
    is_status = h.key.contains(":status:", autoescape=True)
    is_eta = h.key.contains(":eta:", autoescape=True)
    accepted = and_(is_status, h.to_status.not_in(NOT_ACCEPTED_STATUSES))
    partial = and_(is_status, h.to_status == "Partially shipped")
    return (
        select(
            h.po_number.label("po_number"),
            func.min(h.at).label("first_at"),
            func.min(case((accepted, h.at))).label("accepted"),
            func.min(case((h.key.contains(":tracking:", autoescape=True), h.at))).label(
                "first_tracking"
            ),
            func.min(case((or_(is_eta, h.to_status == "Backordered"), h.at))).label(
                "first_backorder"
            ),
            func.max(case((partial, 1), else_=0)).label("partial"),
        )
        .where(h.tenant == tenant)
        .group_by(h.po_number)
        .subquery()
    )


def delivery_inputs(
    engine: Engine, tenant: str, since: datetime | None, until: datetime | None
) -> Iterator[OrderInput]:
    """(PO number, stored state, history summary) for orders first seen in the window."""
    o, h = OrderStateRow, StatusHistoryRow
    is_eta = h.key.contains(":eta:", autoescape=True)
    summary = _history_summary(tenant)
    with engine.connect() as connection:
        byte_order = "C" if connection.dialect.name == "postgresql" else "BINARY"
        orders = (
            select(
                o.po_number,
                o.state,
                summary.c.first_at,
                summary.c.accepted,
                summary.c.first_tracking,
                summary.c.first_backorder,
                summary.c.partial,
            )
            .outerjoin(summary, summary.c.po_number == o.po_number)
            .where(o.tenant == tenant)
        )
        if since is not None:
            orders = orders.where(o.first_seen_at >= since)
        if until is not None:
            orders = orders.where(o.first_seen_at < until)
        orders = orders.order_by(o.po_number.collate(byte_order))
        etas = (
            select(h.po_number, h.key)
            .where(h.tenant == tenant, is_eta)
            .order_by(h.po_number.collate(byte_order), h.at, h.id)
        )
        streaming = connection.execution_options(stream_results=True, yield_per=STREAM_BATCH)
        eta_rows = chain.from_iterable(streaming.execute(etas).partitions())
        pending = next(eta_rows, None)
        for row in streaming.execute(orders):
            po_number = row[0]
            found = HistorySummary(
                first_at=row[2],
                accepted=row[3],
                first_tracking=row[4],
                first_backorder=row[5],
                partial=bool(row[6]),
            )
            while pending is not None and pending[0] < po_number:
                pending = next(eta_rows, None)
            while pending is not None and pending[0] == po_number:
                found.add_eta(pending[1])
                pending = next(eta_rows, None)
            yield po_number, dict(row[1] or {}), found
