"""Search terms of an order, kept beside its state so the dashboard can find orders fast.

Every time an order is saved its terms are replaced: the PO number, TD SYNNEX order numbers,
tracking numbers and part numbers (manufacturer and TD SYNNEX SKU). Terms are lower-case so a
search ignores case, and a search is a prefix match, which an ordinary index answers on SQLite
and PostgreSQL alike. The expected delivery date is copied to ``order_state.expected_delivery``
at the same time, for the "late against ETA" filter.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from ._statements import execute, insert_for, table_of
from ._tables import OrderLookupRow, OrderStateRow

__all__ = ["SEARCHABLE_KINDS", "expected_delivery", "index_order", "lookup_rows", "order_terms"]

ORDER_LOOKUP = table_of(OrderLookupRow)
ORDER_STATE = table_of(OrderStateRow)

PO, ORDER, TRACKING, PART = "po", "order", "tracking", "part"
SEARCHABLE_KINDS = (PO, ORDER, TRACKING, PART)
MAX_TERM = 255


def _texts(values: Iterable[Any]) -> Iterator[str]:
    for value in values:
        if isinstance(value, str):
            text = " ".join(value.split()).lower()
            if text:
                yield text[:MAX_TERM]


def order_terms(po_number: str, state: dict[str, Any]) -> set[tuple[str, str]]:
    """The (kind, term) pairs an order is found by, from the domain's state JSON."""
    terms = {(PO, t) for t in _texts([po_number])}
    lines = [line for line in state.get("lines") or () if isinstance(line, dict)]
    orders: list[Any] = list(state.get("order_numbers") or ())
    tracking: list[Any] = []
    parts: list[Any] = []
    for line in lines:
        orders.extend(line.get("order_numbers") or ())
        parts.extend((line.get("mfg_part_number"), line.get("sku")))
        for shipment in line.get("shipments") or ():
            if isinstance(shipment, dict):
                tracking.append(shipment.get("tracking_number"))
                orders.append(shipment.get("order_number"))
    for invoice in state.get("invoices") or ():
        if isinstance(invoice, dict):
            tracking.extend(invoice.get("tracking_numbers") or ())
    terms.update((ORDER, t) for t in _texts(orders))
    terms.update((TRACKING, t) for t in _texts(tracking))
    terms.update((PART, t) for t in _texts(parts))
    return terms


def expected_delivery(state: dict[str, Any]) -> date | None:
    """The order's expected delivery date from its state JSON, if it has a valid one."""
    text = state.get("expected_delivery")
    try:
        return date.fromisoformat(text[:10]) if isinstance(text, str) else None
    except ValueError:
        return None


def lookup_rows(tenant: str, po_number: str, state: dict[str, Any]) -> list[dict[str, str]]:
    """Rows for ``order_lookup`` (also used by the migration that fills it for old orders)."""
    return [
        {"tenant": tenant, "po_number": po_number, "kind": kind, "term": term}
        for kind, term in sorted(order_terms(po_number, state))
    ]


def index_order(session: Session, tenant: str, po_number: str, state: dict[str, Any]) -> None:
    """Replace the order's search terms and ETA (inside the transaction that saves its state)."""
    execute(
        session,
        update(ORDER_STATE)
        .where(ORDER_STATE.c.tenant == tenant, ORDER_STATE.c.po_number == po_number)
        .values(expected_delivery=expected_delivery(state)),
    )
    execute(
        session,
        delete(ORDER_LOOKUP).where(
            ORDER_LOOKUP.c.tenant == tenant, ORDER_LOOKUP.c.po_number == po_number
        ),
    )
    rows = lookup_rows(tenant, po_number, state)
    if rows:
        session.connection().execute(insert_for(session, ORDER_LOOKUP), rows)
