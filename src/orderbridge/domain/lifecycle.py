"""The canonical lifecycle: order and line status, and the state value objects the store keeps.

``OrderState`` is what orderbridge believes about one PO after a sync: the headline status, the
facts behind it (shipped, delivered, invoiced, each with the first time it was seen) and one
``LineState`` per PO line. It serialises to plain JSON (``to_json``/``from_json`` round-trip
exactly) and has a stable ``fingerprint`` so the store can tell when anything changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from orderbridge.domain import state_json as sj
from orderbridge.domain.models import Address, Invoice
from orderbridge.domain.package_tracking import PackageTracking

__all__ = [
    "INVOICES_NOT_READ",
    "LineState",
    "LineStatus",
    "OrderState",
    "OrderStatus",
    "Shipment",
]

# The warning a state carries when its invoice lookup failed: the next check asks again.
INVOICES_NOT_READ = "invoices not read this time: "


class OrderStatus(StrEnum):
    """The headline status of a purchase order, in words a person reads."""

    NEW = "New"
    SUBMITTED = "Submitted"
    RECEIVED = "Received"
    PROCESSING = "Processing"
    SHIPPED = "Shipped"
    DELIVERED = "Delivered"
    INVOICED = "Invoiced"
    CLOSED = "Closed"
    ON_HOLD = "On hold"
    BACKORDERED = "Backordered"
    PARTIALLY_SHIPPED = "Partially shipped"
    CANCELLED = "Cancelled"
    REJECTED = "Rejected"
    NOT_FOUND = "Not found"


# A PO line moves through the same vocabulary as the whole order.
LineStatus = OrderStatus


@dataclass(frozen=True, slots=True)
class Shipment:
    """One carton (or one shipped sales-order part without cartons) on its way to the customer."""

    carrier: str | None = None
    service: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    ship_date: datetime | None = None
    weight: Decimal | None = None
    serials: tuple[str, ...] = ()
    quantity: int | None = None
    order_number: str | None = None
    warehouse: str | None = None
    delivered_on: date | None = None
    refused_on: date | None = None
    # The carrier's latest word on this package (None until tracked with the carrier).
    tracking: PackageTracking | None = None

    def to_json(self) -> dict[str, Any]:
        """This shipment as JSON-able values (``tracking`` only once tracked)."""
        out: dict[str, Any] = {
            "carrier": self.carrier,
            "service": self.service,
            "tracking_number": self.tracking_number,
            "tracking_url": self.tracking_url,
            "ship_date": sj.dump_datetime(self.ship_date),
            "weight": sj.dump_decimal(self.weight),
            "serials": list(self.serials),
            "quantity": self.quantity,
            "order_number": self.order_number,
            "warehouse": self.warehouse,
            "delivered_on": sj.dump_date(self.delivered_on),
            "refused_on": sj.dump_date(self.refused_on),
        }
        if self.tracking is not None:
            out["tracking"] = self.tracking.to_json()
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Shipment:
        """Read a shipment written by ``to_json``."""
        return cls(
            carrier=data.get("carrier"),
            service=data.get("service"),
            tracking_number=data.get("tracking_number"),
            tracking_url=data.get("tracking_url"),
            ship_date=sj.load_datetime(data.get("ship_date")),
            weight=sj.load_decimal(data.get("weight")),
            serials=tuple(data.get("serials") or ()),
            quantity=data.get("quantity"),
            order_number=data.get("order_number"),
            warehouse=data.get("warehouse"),
            delivered_on=sj.load_date(data.get("delivered_on")),
            refused_on=sj.load_date(data.get("refused_on")),
            tracking=PackageTracking.from_json(data["tracking"]) if data.get("tracking") else None,
        )


@dataclass(frozen=True, slots=True)
class LineState:
    """One PO line as TD SYNNEX reports it, with split parts added up."""

    key: str
    status: LineStatus
    position: int | None = None
    line_number: str | None = None
    cust_po_line: str | None = None
    mfg_part_number: str | None = None
    sku: str | None = None
    description: str | None = None
    quantity_ordered: int = 0
    quantity_shipped: int = 0
    quantity_backordered: int = 0
    eta: date | None = None
    estimated_ship_date: date | None = None
    estimated_delivery: date | None = None
    shipments: tuple[Shipment, ...] = ()
    delivered_on: date | None = None
    order_numbers: tuple[str, ...] = ()
    item_id: int | None = None
    reason: str | None = None

    @property
    def part_numbers(self) -> tuple[str, ...]:
        """The manufacturer part number and the TD SYNNEX SKU, where known."""
        return tuple(p for p in (self.mfg_part_number, self.sku) if p)

    def to_json(self) -> dict[str, Any]:
        """This line as JSON-able values."""
        return {
            "key": self.key,
            "status": self.status.value,
            "position": self.position,
            "line_number": self.line_number,
            "cust_po_line": self.cust_po_line,
            "mfg_part_number": self.mfg_part_number,
            "sku": self.sku,
            "description": self.description,
            "quantity_ordered": self.quantity_ordered,
            "quantity_shipped": self.quantity_shipped,
            "quantity_backordered": self.quantity_backordered,
            "eta": sj.dump_date(self.eta),
            "estimated_ship_date": sj.dump_date(self.estimated_ship_date),
            "estimated_delivery": sj.dump_date(self.estimated_delivery),
            "shipments": [s.to_json() for s in self.shipments],
            "delivered_on": sj.dump_date(self.delivered_on),
            "order_numbers": list(self.order_numbers),
            "item_id": self.item_id,
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LineState:
        """Read a line written by ``to_json``."""
        return cls(
            key=data["key"],
            status=LineStatus(data["status"]),
            position=data.get("position"),
            line_number=data.get("line_number"),
            cust_po_line=data.get("cust_po_line"),
            mfg_part_number=data.get("mfg_part_number"),
            sku=data.get("sku"),
            description=data.get("description"),
            quantity_ordered=data.get("quantity_ordered", 0),
            quantity_shipped=data.get("quantity_shipped", 0),
            quantity_backordered=data.get("quantity_backordered", 0),
            eta=sj.load_date(data.get("eta")),
            estimated_ship_date=sj.load_date(data.get("estimated_ship_date")),
            estimated_delivery=sj.load_date(data.get("estimated_delivery")),
            shipments=tuple(Shipment.from_json(s) for s in data.get("shipments") or ()),
            delivered_on=sj.load_date(data.get("delivered_on")),
            order_numbers=tuple(data.get("order_numbers") or ()),
            item_id=data.get("item_id"),
            reason=data.get("reason"),
        )


@dataclass(frozen=True, slots=True)
class OrderState:
    """What orderbridge knows about one PO: headline status, dated facts, lines and invoices.

    ``status_sequence`` counts the headline-status changes seen so far; it makes history keys
    unique when an order passes through the same change twice (On hold -> Processing, again).
    """

    po_number: str
    status: OrderStatus
    first_seen: datetime
    shipped_at: datetime | None = None
    delivered_on: date | None = None
    invoiced_at: datetime | None = None
    order_numbers: tuple[str, ...] = ()
    lines: tuple[LineState, ...] = ()
    invoices: tuple[Invoice, ...] = ()
    expected_ship_date: date | None = None
    expected_delivery: date | None = None
    ship_to: Address | None = None
    reason: str | None = None
    warnings: tuple[str, ...] = ()
    status_sequence: int = 0
    # The first expected delivery date ever reported, kept for the delivery report's on-time
    # rate (``expected_delivery`` follows TD SYNNEX and is empty once delivered).
    first_expected_delivery: date | None = None

    @property
    def invoices_owed(self) -> bool:
        """Whether the last check could not read the order's invoices (it asks again)."""
        return any(w.startswith(INVOICES_NOT_READ) for w in self.warnings)

    def owing_invoices(self, why: str) -> OrderState:
        """This state, with the warning that its invoice lookup failed for ``why``."""
        return replace(self, warnings=(*self.warnings, f"{INVOICES_NOT_READ}{why}"))

    @property
    def shipments(self) -> tuple[Shipment, ...]:
        """Every shipment of every line, each carton once, oldest first."""
        seen: dict[tuple[object, ...], Shipment] = {}
        for line in self.lines:
            for s in line.shipments:
                key: tuple[object, ...] = (s.tracking_number, s.order_number)
                if not s.tracking_number:
                    key = (None, s.order_number, s.warehouse, s.ship_date, line.key)
                seen.setdefault(key, s)
        return tuple(sorted(seen.values(), key=_shipment_order))

    def to_json(self) -> dict[str, Any]:
        """This state as JSON-able values (the form the store keeps)."""
        return {
            "po_number": self.po_number,
            "status": self.status.value,
            "first_seen": sj.dump_datetime(self.first_seen),
            "shipped_at": sj.dump_datetime(self.shipped_at),
            "delivered_on": sj.dump_date(self.delivered_on),
            "invoiced_at": sj.dump_datetime(self.invoiced_at),
            "order_numbers": list(self.order_numbers),
            "lines": [line.to_json() for line in self.lines],
            "invoices": [sj.dump_invoice(i) for i in self.invoices],
            "expected_ship_date": sj.dump_date(self.expected_ship_date),
            "expected_delivery": sj.dump_date(self.expected_delivery),
            "ship_to": sj.dump_address(self.ship_to),
            "reason": self.reason,
            "warnings": list(self.warnings),
            "status_sequence": self.status_sequence,
            # Only when known, so states written before it keep their JSON and fingerprint.
            **(
                {"first_expected_delivery": sj.dump_date(self.first_expected_delivery)}
                if self.first_expected_delivery is not None
                else {}
            ),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OrderState:
        """Read a state written by ``to_json``."""
        first_seen = sj.load_datetime(data["first_seen"])
        assert first_seen is not None
        return cls(
            po_number=data["po_number"],
            status=OrderStatus(data["status"]),
            first_seen=first_seen,
            shipped_at=sj.load_datetime(data.get("shipped_at")),
            delivered_on=sj.load_date(data.get("delivered_on")),
            invoiced_at=sj.load_datetime(data.get("invoiced_at")),
            order_numbers=tuple(data.get("order_numbers") or ()),
            lines=tuple(LineState.from_json(x) for x in data.get("lines") or ()),
            invoices=tuple(sj.load_invoice(x) for x in data.get("invoices") or ()),
            expected_ship_date=sj.load_date(data.get("expected_ship_date")),
            expected_delivery=sj.load_date(data.get("expected_delivery")),
            ship_to=sj.load_address(data.get("ship_to")),
            reason=data.get("reason"),
            warnings=tuple(data.get("warnings") or ()),
            status_sequence=data.get("status_sequence", 0),
            first_expected_delivery=sj.load_date(data.get("first_expected_delivery")),
        )

    def fingerprint(self) -> str:
        """sha256 of the canonical JSON: equal states give equal fingerprints."""
        text = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _shipment_order(s: Shipment) -> tuple[str, str, str]:
    return (sj.dump_datetime(s.ship_date) or "~", s.tracking_number or "", s.order_number or "")
