"""The delivery report's input: each order's state with its history, streamed in PO order.

Two cursors, both ordered by PO number (byte order on both backends), merged as they are read:
memory holds one order's history at a time, however many rows the store has.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy import Engine, or_, select

from orderbridge.domain.delivery import HistoryPoint

from ._records_export import STREAM_BATCH
from ._tables import OrderStateRow, StatusHistoryRow

__all__ = ["delivery_inputs"]

REPORT_KEYS = (":status:", ":eta:", ":tracking:")

OrderInput = tuple[str, dict[str, Any], list[HistoryPoint]]


def delivery_inputs(
    engine: Engine, tenant: str, since: datetime | None, until: datetime | None
) -> Iterator[OrderInput]:
    """(PO number, stored state, history oldest first) for orders first seen in the window."""
    o, h = OrderStateRow, StatusHistoryRow
    with engine.connect() as connection:
        byte_order = "C" if connection.dialect.name == "postgresql" else "BINARY"
        orders = select(o.po_number, o.state).where(o.tenant == tenant)
        if since is not None:
            orders = orders.where(o.first_seen_at >= since)
        if until is not None:
            orders = orders.where(o.first_seen_at < until)
        orders = orders.order_by(o.po_number.collate(byte_order))
        history = (
            select(h.po_number, h.at, h.to_status, h.key)
            .where(h.tenant == tenant)
            # Only the entries the report reads: status changes, ETAs and tracking numbers.
            .where(or_(*(h.key.contains(kind, autoescape=True) for kind in REPORT_KEYS)))
            .order_by(h.po_number.collate(byte_order), h.at, h.id)
        )
        streaming = connection.execution_options(stream_results=True, yield_per=STREAM_BATCH)
        # Plain tuples from whole fetched batches: the cheapest way through a million rows.
        points = chain.from_iterable(streaming.execute(history).partitions())
        pending = next(points, None)
        for po_number, state in streaming.execute(orders):
            entries: list[HistoryPoint] = []
            while pending is not None and pending[0] < po_number:
                pending = next(points, None)
            while pending is not None and pending[0] == po_number:
                entries.append(HistoryPoint(pending[1], pending[2], pending[3]))
                pending = next(points, None)
            yield po_number, dict(state or {}), entries
