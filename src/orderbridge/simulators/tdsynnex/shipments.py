"""What an order looks like at TD SYNNEX right now: item rows, packages, dates, codes.

The view is derived from the facts the order has accumulated on its path, so an order that
was invoiced and then delivered shows both. Rendering to XML happens elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from orderbridge.simulators.scenario import ScenarioLine, TdState

from .codes import HOLD_METHODS, Variant, second_warehouse, ship_method
from .numbering import (
    rejected_order_number,
    sales_order_number,
    serial_number,
    tracking_number,
    weight,
)
from .orders import OrderRecord

__all__ = ["ItemRow", "PackageView", "StatusView", "build_status"]

REJECT_REASON = "DUPPLICATED INSERT.. "  # sic, as TD SYNNEX sends it
REJECT_LINE_REASON = "This PO# already exists in our system. Please send a new PO#."
REJECT_REFERENCE = "DUPREJECT,R-PODUPE---DUPPOKILL,R-PODUPE"
_ESTIMATED_SHIP_DAYS = 2
_BACKORDER_SHIP_DAYS = 21
_BACKORDER_ETA_DAYS = 24


@dataclass(frozen=True, slots=True)
class PackageView:
    """One carton of one item row."""

    tracking: str
    weight: Decimal
    quantity: int
    serials: tuple[str, ...]
    shipped_at: datetime
    delivered: date | None


@dataclass(frozen=True, slots=True)
class ItemRow:
    """One ``Item``: a PO line at one sales order / warehouse."""

    line_number: int
    line: ScenarioLine
    order_number: str
    order_type: str
    quantity: int
    shipped: int
    code: str
    warehouse: str | None
    ship_method: str
    ship_datetime: datetime | None = None
    eta: date | None = None
    est_ship: date | None = None
    est_delivery: date | None = None
    packages: tuple[PackageView, ...] = ()
    reason: str | None = None
    internal_reference: str | None = None


@dataclass(frozen=True, slots=True)
class StatusView:
    """The header code and item rows of an order (rows in line order)."""

    code: str
    reason: str | None
    po_datetime: datetime | None
    rows: tuple[ItemRow, ...]


@dataclass(frozen=True, slots=True)
class _Facts:
    processing: datetime | None
    backordered: datetime | None
    partial: datetime | None
    shipped: datetime | None
    delivered: datetime | None
    invoiced: datetime | None
    deleted: datetime | None
    on_hold: bool


@dataclass(frozen=True, slots=True)
class _Slot:
    line_number: int
    line: ScenarioLine
    so_index: int
    quantity: int
    warehouse: str


def _facts(record: OrderRecord) -> _Facts:
    shipped_like = [
        t
        for t in (
            record.reached(TdState.SHIPPED),
            record.reached(TdState.DELIVERED),
            record.reached(TdState.INVOICED),
        )
        if t is not None
    ]
    return _Facts(
        processing=record.reached(TdState.PROCESSING),
        backordered=record.reached(TdState.BACKORDERED),
        partial=record.reached(TdState.PARTIALLY_SHIPPED),
        shipped=min(shipped_like) if shipped_like else None,
        delivered=record.reached(TdState.DELIVERED),
        invoiced=record.reached(TdState.INVOICED),
        deleted=record.reached(TdState.DELETED),
        on_hold=record.state is TdState.ON_HOLD,
    )


def _slots(record: OrderRecord) -> list[_Slot]:
    order = record.order
    slots: list[_Slot] = []
    for number, line in enumerate(order.lines, start=1):
        if order.split_line == number and line.quantity >= 2:
            first = (line.quantity + 1) // 2
            slots.append(_Slot(number, line, 0, first, order.warehouse))
            second = second_warehouse(order.warehouse)
            slots.append(_Slot(number, line, 1, line.quantity - first, second))
        else:
            slots.append(_Slot(number, line, 0, line.quantity, order.warehouse))
    return slots


def _shipments(index: int, count: int, quantity: int, facts: _Facts) -> list[tuple[int, datetime]]:
    """(units, when) shipped so far for slot ``index`` of ``count``."""
    out: list[tuple[int, datetime]] = []
    done = 0
    if facts.partial is not None:
        # Several rows: the first half ship; one row: half its units ship.
        if count > 1 and index < max(1, count // 2):
            done = quantity
        elif count == 1:
            done = quantity // 2
        if done:
            out.append((done, facts.partial))
    if facts.shipped is not None and done < quantity:
        out.append((quantity - done, facts.shipped))
    return out


def _packages(
    record: OrderRecord, row: int, slot: _Slot, shipments: list[tuple[int, datetime]], method: str
) -> tuple[PackageView, ...]:
    po = record.po_number
    delivered = record.reached(TdState.DELIVERED)
    packages: list[PackageView] = []
    # Serials continue across the two sales orders of a split line.
    unit = 0 if slot.so_index == 0 else (slot.line.quantity + 1) // 2
    for units, at in shipments:
        cartons = min(record.order.packages, units)
        for carton in range(cartons):
            qty = units // cartons + (1 if carton < units % cartons else 0)
            serials = (
                tuple(serial_number(po, slot.line_number, u) for u in range(unit, unit + qty))
                if slot.line.serialized
                else ()
            )
            n = len(packages)
            packages.append(
                PackageView(
                    tracking=tracking_number(po, row, n, method),
                    weight=weight(po, row, n, qty),
                    quantity=qty,
                    serials=serials,
                    shipped_at=at,
                    delivered=delivered.date() if delivered is not None else None,
                )
            )
            unit += qty
    return tuple(packages)


@dataclass(frozen=True, slots=True)
class _OpenDates:
    eta: date | None = None
    est_ship: date | None = None


def _open_dates(facts: _Facts) -> _OpenDates:
    """ETA and estimated ship date of units not shipped yet."""
    if facts.on_hold:
        return _OpenDates()
    if facts.backordered is not None:
        return _OpenDates(
            eta=(facts.backordered + timedelta(days=_BACKORDER_ETA_DAYS)).date(),
            est_ship=(facts.backordered + timedelta(days=_BACKORDER_SHIP_DAYS)).date(),
        )
    since = facts.processing or facts.partial
    if since is not None:
        return _OpenDates(est_ship=(since + timedelta(days=_ESTIMATED_SHIP_DAYS)).date())
    return _OpenDates()


def _deleted(record: OrderRecord, facts: _Facts, slot: _Slot) -> bool:
    if facts.deleted is None:
        return False
    return not record.has(Variant.DELETED_LINE) or slot.line_number == len(record.order.lines)


def _row(record: OrderRecord, facts: _Facts, slots: list[_Slot], index: int) -> ItemRow:
    slot = slots[index]
    number = sales_order_number(record.po_number, slot.so_index)
    requested = record.order.ship_method.upper()
    method = "FG" if requested in HOLD_METHODS else requested
    if _deleted(record, facts, slot):
        return ItemRow(
            slot.line_number, slot.line, number, "SO", slot.quantity, 0, "deleted", None, method
        )
    shipments = _shipments(index, len(slots), slot.quantity, facts)
    shipped = sum(units for units, _ in shipments)
    transit = timedelta(days=ship_method(method).transit_days)
    dates = _OpenDates() if shipped == slot.quantity else _open_dates(facts)
    est_delivery = dates.est_ship + transit if dates.est_ship and not shipped else None
    carrier = method
    if shipped < slot.quantity and facts.on_hold:
        method = "NL" if record.has(Variant.HOLD_ORDER) or requested == "NL" else "HS"
    last = shipments[-1][1] if shipments else None
    if last is not None:
        est_delivery = (last + transit).date()
    if shipped == slot.quantity and facts.invoiced is not None:
        code = "invoiced"
    else:
        code = "shipped" if shipped else "accepted"
    allocated = any(
        t is not None for t in (facts.processing, facts.backordered, facts.partial, facts.shipped)
    )
    return ItemRow(
        line_number=slot.line_number,
        line=slot.line,
        order_number=number,
        order_type="SO",
        quantity=slot.quantity,
        shipped=shipped,
        code=code,
        warehouse=slot.warehouse if allocated else None,
        ship_method=method,
        ship_datetime=last,
        eta=dates.eta,
        est_ship=dates.est_ship,
        est_delivery=est_delivery,
        packages=_packages(record, index, slot, shipments, carrier) if shipments else (),
    )


def _rejected(record: OrderRecord) -> StatusView:
    number = rejected_order_number(record.po_number)
    rows = tuple(
        ItemRow(
            line_number=i,
            line=line,
            order_number=number,
            order_type="99",
            quantity=line.quantity,
            shipped=0,
            code="rejected",
            warehouse="",
            ship_method=record.order.ship_method.upper(),
            reason=REJECT_LINE_REASON,
            internal_reference=REJECT_REFERENCE,
        )
        for i, line in enumerate(record.order.lines, start=1)
    )
    return StatusView("rejected", REJECT_REASON, record.received, rows)


def build_status(record: OrderRecord) -> StatusView:
    """The order's header code and rows as TD SYNNEX would report them now."""
    if record.state is TdState.REJECTED:
        return _rejected(record)
    facts = _facts(record)
    slots = _slots(record)
    rows = tuple(_row(record, facts, slots, i) for i in range(len(slots)))
    live = [r for r in rows if r.code != "deleted"]
    if not live:
        code = "deleted"
    elif facts.invoiced is not None:
        code = "invoiced"
    elif all(r.shipped == r.quantity for r in live):
        code = "shipped"
    else:
        code = "accepted"
    return StatusView(code, None, record.received, rows)
