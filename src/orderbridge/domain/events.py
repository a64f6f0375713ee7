"""Typed events a plan emits for notifiers.

Every event carries the ``key`` of the history entry it belongs to, so an event is sent at most
once per recorded change: a re-run that finds the entry already recorded emits nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from orderbridge.domain.lifecycle import OrderStatus

__all__ = [
    "BackorderAging",
    "Backordered",
    "CarrierException",
    "Delivered",
    "EtaSlipped",
    "Invoiced",
    "OrderEvent",
    "Problem",
    "Shipped",
    "StatusChanged",
    "Stuck",
    "WatchEvent",
]


@dataclass(frozen=True, slots=True)
class StatusChanged:
    """The order's headline status changed (``from_status`` is None on first sight)."""

    po_number: str
    key: str
    from_status: OrderStatus | None
    to_status: OrderStatus


@dataclass(frozen=True, slots=True)
class Shipped:
    """A new tracking number (or a shipment without one) appeared."""

    po_number: str
    key: str
    carrier: str | None
    tracking_number: str | None
    tracking_url: str | None
    ship_date: datetime | None


@dataclass(frozen=True, slots=True)
class Delivered:
    """Every open line of the order is delivered, as confirmed by the carrier."""

    po_number: str
    key: str
    delivered_on: date


@dataclass(frozen=True, slots=True)
class Invoiced:
    """TD SYNNEX issued a new invoice for the order."""

    po_number: str
    key: str
    invoice_number: str
    invoice_date: date | None
    total: Decimal | None


@dataclass(frozen=True, slots=True)
class Backordered:
    """A line waits for stock with a (new) ETA."""

    po_number: str
    key: str
    line_key: str
    part_number: str | None
    quantity: int
    eta: date


@dataclass(frozen=True, slots=True)
class Problem:
    """The order needs a person: on hold, rejected, cancelled or unknown to TD SYNNEX."""

    po_number: str
    key: str
    status: OrderStatus
    reason: str | None


@dataclass(frozen=True, slots=True)
class CarrierException:
    """A carrier reports trouble with a package: a delivery exception, or returned to sender."""

    po_number: str
    key: str
    carrier: str
    tracking_number: str
    problem: str
    at: datetime | None


@dataclass(frozen=True, slots=True)
class EtaSlipped:
    """A line's ETA or expected delivery moved later by more than the configured days."""

    po_number: str
    key: str
    line_key: str
    part_number: str | None
    previous: date
    current: date

    @property
    def days(self) -> int:
        """How many days later the line now arrives."""
        return (self.current - self.previous).days


@dataclass(frozen=True, slots=True)
class BackorderAging:
    """A line has waited for stock longer than the configured days."""

    po_number: str
    key: str
    line_key: str
    part_number: str | None
    since: date
    days: int


@dataclass(frozen=True, slots=True)
class Stuck:
    """An open order has shown no change at TD SYNNEX for longer than the configured days."""

    po_number: str
    key: str
    status: OrderStatus
    since: datetime
    days: int


OrderEvent = (
    StatusChanged | Shipped | Delivered | Invoiced | Backordered | Problem | CarrierException
)
WatchEvent = EtaSlipped | BackorderAging | Stuck
