"""From a TD SYNNEX snapshot (plus invoices and the last known state) to the ``OrderState``.

Total and deterministic: any ``DistributorOrder`` gives a state, the same inputs give the same
state, and nothing here raises. Shipped, delivered and invoiced are facts that may arrive in any
order and from different sources, so they are remembered: invoices seen before stay known, and a
carrier-confirmed delivery date stays attached to its tracking number. The headline status is then
derived from the facts, never from the order in which they came.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime

from orderbridge.domain.carriers import CarrierCatalog
from orderbridge.domain.lifecycle import LineState, LineStatus, OrderState, OrderStatus
from orderbridge.domain.line_derivation import (
    DELIVERED,
    FULLY_SHIPPED,
    LineContext,
    derive_line,
    group_lines,
    tracking_key,
)
from orderbridge.domain.matching import LineIdentity, match_lines
from orderbridge.domain.models import (
    Address,
    DistributorCode,
    DistributorOrder,
    Invoice,
    PurchaseOrderItem,
)
from orderbridge.domain.state_json import as_utc

__all__ = ["derive_order_state", "invoice_order"]

_HEADER_STATUS = {
    DistributorCode.NOT_FOUND: OrderStatus.NOT_FOUND,
    DistributorCode.REJECTED: OrderStatus.REJECTED,
    DistributorCode.DELETED: OrderStatus.CANCELLED,
}
_GONE = (LineStatus.CANCELLED, LineStatus.REJECTED)
_STARTED = (*FULLY_SHIPPED, LineStatus.PARTIALLY_SHIPPED)
_UNSHIPPED_PRECEDENCE = (
    (LineStatus.ON_HOLD, OrderStatus.ON_HOLD),
    (LineStatus.BACKORDERED, OrderStatus.BACKORDERED),
    (LineStatus.PROCESSING, OrderStatus.PROCESSING),
)


def invoice_order(invoice: Invoice) -> tuple[date, str]:
    """Sort key for invoices: by date (undated last), then by number."""
    return (invoice.invoice_date or date.max, invoice.number)


def _merge_invoices(
    previous: OrderState | None, invoices: Sequence[Invoice]
) -> tuple[Invoice, ...]:
    merged = {i.number: i for i in previous.invoices} if previous is not None else {}
    merged.update({i.number: i for i in invoices if i.number.strip()})
    return tuple(sorted(merged.values(), key=invoice_order))


def _known_deliveries(
    previous: OrderState | None, deliveries: Mapping[str, date] | None
) -> dict[str, date]:
    known: dict[str, date] = {}
    if previous is not None:
        for line in previous.lines:
            for s in line.shipments:
                if s.tracking_number and s.delivered_on is not None:
                    known.setdefault(tracking_key(s.tracking_number), s.delivered_on)
    # A fresh carrier confirmation wins over what was remembered.
    for number, day in (deliveries or {}).items():
        known[tracking_key(number)] = day
    return known


def _known_ship_dates(previous: OrderState | None) -> dict[str, datetime]:
    known: dict[str, datetime] = {}
    if previous is not None:
        for line in previous.lines:
            for s in line.shipments:
                if s.tracking_number and s.ship_date is not None:
                    known.setdefault(tracking_key(s.tracking_number), s.ship_date)
    return known


def _headline(code: DistributorCode, lines: Sequence[LineState], invoiced: bool) -> OrderStatus:
    if code in _HEADER_STATUS:
        return _HEADER_STATUS[code]
    if not lines:
        if code in (DistributorCode.SHIPPED, DistributorCode.INVOICED):
            return OrderStatus.INVOICED if invoiced else OrderStatus.SHIPPED
        if code in (DistributorCode.ACCEPTED, DistributorCode.PARTIAL):
            return OrderStatus.RECEIVED
        return OrderStatus.INVOICED if invoiced else OrderStatus.SUBMITTED
    active = [line for line in lines if line.status not in _GONE]
    if not active:
        if all(line.status is LineStatus.REJECTED for line in lines):
            return OrderStatus.REJECTED
        return OrderStatus.CANCELLED
    if all(line.status in DELIVERED for line in active):
        return OrderStatus.CLOSED if invoiced else OrderStatus.DELIVERED
    if all(line.status in FULLY_SHIPPED for line in active):
        return OrderStatus.INVOICED if invoiced else OrderStatus.SHIPPED
    if any(line.status in _STARTED for line in active):
        return OrderStatus.PARTIALLY_SHIPPED
    for line_status, order_status in _UNSHIPPED_PRECEDENCE:
        if any(line.status is line_status for line in active):
            return order_status
    return OrderStatus.RECEIVED


def _latest(values: Sequence[date | None]) -> date | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _ship_to(invoices: Sequence[Invoice]) -> Address | None:
    with_address = [i for i in invoices if i.ship_to is not None]
    return with_address[-1].ship_to if with_address else None


def _warnings(lines: Sequence[LineState], match_warnings: Sequence[str]) -> tuple[str, ...]:
    found = list(match_warnings)
    for line in lines:
        if line.quantity_shipped > line.quantity_ordered > 0:
            found.append(
                f"TD SYNNEX line {line.line_number or '?'} reports {line.quantity_shipped} "
                f"shipped of {line.quantity_ordered} ordered"
            )
        for s in line.shipments:
            if s.refused_on is not None:
                found.append(
                    f"Delivery of {s.tracking_number or 'a shipment'} was refused on "
                    f"{s.refused_on.isoformat()}"
                )
    return tuple(dict.fromkeys(found))


def _match(
    lines: Sequence[LineState], items: Sequence[PurchaseOrderItem]
) -> tuple[list[LineState], tuple[str, ...]]:
    identities = [
        LineIdentity(line.key, line.line_number, line.cust_po_line, line.part_numbers)
        for line in lines
    ]
    outcome = match_lines(identities, items)
    matched = [replace(line, item_id=outcome.item_ids.get(line.key)) for line in lines]
    return matched, outcome.warnings


def derive_order_state(
    order: DistributorOrder,
    invoices: Sequence[Invoice],
    *,
    items: Sequence[PurchaseOrderItem],
    carriers: CarrierCatalog,
    previous: OrderState | None,
    observed_at: datetime,
    deliveries: Mapping[str, date] | None = None,
) -> OrderState:
    """The canonical state of one order (``deliveries``: carrier-confirmed dates by tracking)."""
    now = as_utc(observed_at)
    merged_invoices = _merge_invoices(previous, invoices)
    invoiced = (
        bool(merged_invoices)
        or order.code is DistributorCode.INVOICED
        or any(line.code is DistributorCode.INVOICED for line in order.lines)
    )
    ctx = LineContext(
        carriers=carriers,
        today=now.date(),
        order_cancelled=order.code is DistributorCode.DELETED,
        order_invoiced=invoiced,
        delivered_by_tracking=_known_deliveries(previous, deliveries),
        shipped_by_tracking=_known_ship_dates(previous),
    )
    derived = [derive_line(key, parts, ctx) for key, parts in group_lines(order.lines)]
    lines, match_warnings = _match(derived, items)
    status = _headline(order.code, lines, invoiced)
    shipped_now = order.code in (DistributorCode.SHIPPED, DistributorCode.INVOICED) or any(
        line.quantity_shipped > 0 for line in lines
    )
    sequence = 0
    if previous is not None:
        sequence = previous.status_sequence + (1 if previous.status != status else 0)
    state = OrderState(
        po_number=order.po_number,
        status=status,
        first_seen=previous.first_seen if previous is not None else now,
        shipped_at=_fact_time(previous.shipped_at if previous else None, shipped_now, now),
        invoiced_at=_fact_time(previous.invoiced_at if previous else None, invoiced, now),
        order_numbers=tuple(sorted({n for line in lines for n in line.order_numbers})),
        lines=tuple(lines),
        invoices=merged_invoices,
        ship_to=_ship_to(merged_invoices),
        reason=(order.reason or "").strip() or next((x.reason for x in lines if x.reason), None),
        warnings=_warnings(lines, match_warnings),
        status_sequence=sequence,
    )
    dated = _with_dates(state)
    first = previous.first_expected_delivery if previous is not None else None
    return replace(dated, first_expected_delivery=first or dated.expected_delivery)


def _with_dates(state: OrderState) -> OrderState:
    """Order-level dates from the open lines: delivery once all delivered, else expectations."""
    active = [line for line in state.lines if line.status not in _GONE]
    all_delivered = bool(active) and all(line.status in DELIVERED for line in active)
    return replace(
        state,
        delivered_on=_latest([line.delivered_on for line in active]) if all_delivered else None,
        expected_ship_date=_latest(
            [line.estimated_ship_date for line in active if line.status not in FULLY_SHIPPED]
        ),
        expected_delivery=_latest(
            [line.estimated_delivery or line.eta for line in active if line.status not in DELIVERED]
        ),
    )


def _fact_time(before: datetime | None, now_true: bool, now: datetime) -> datetime | None:
    """The first time a fact was seen: remembered once seen, even if a later snapshot omits it."""
    if before is not None:
        return before
    return now if now_true else None
