"""Search terms of an order, kept beside its state so the dashboard can find orders fast.

Every time an order is saved its terms are replaced: the PO number, TD SYNNEX order numbers,
tracking numbers, part numbers (manufacturer and TD SYNNEX SKU) and the expected delivery date
(``eta``, ISO text, for "late against ETA"). Terms are lower-case so a search ignores case, and
a search is a prefix match, which an ordinary index answers on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from ._statements import execute, insert_for, table_of
from ._tables import OrderLookupRow

__all__ = ["ETA", "SEARCHABLE_KINDS", "index_order", "lookup_rows", "order_terms"]

ORDER_LOOKUP = table_of(OrderLookupRow)

PO, ORDER, TRACKING, PART, ETA = "po", "order", "tracking", "part", "eta"
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
    eta = state.get("expected_delivery")
    if isinstance(eta, str) and eta:
        terms.add((ETA, eta[:10]))
    return terms


def lookup_rows(tenant: str, po_number: str, state: dict[str, Any]) -> list[dict[str, str]]:
    """Rows for ``order_lookup`` (also used by the migration that fills it for old orders)."""
    return [
        {"tenant": tenant, "po_number": po_number, "kind": kind, "term": term}
        for kind, term in sorted(order_terms(po_number, state))
    ]


def index_order(session: Session, tenant: str, po_number: str, state: dict[str, Any]) -> None:
    """Replace the order's search terms (inside the transaction that saves its state)."""
    execute(
        session,
        delete(ORDER_LOOKUP).where(
            ORDER_LOOKUP.c.tenant == tenant, ORDER_LOOKUP.c.po_number == po_number
        ),
    )
    rows = lookup_rows(tenant, po_number, state)
    if rows:
        session.connection().execute(insert_for(session, ORDER_LOOKUP), rows)
