"""What a notification says: one ``Notice`` per event, in words a purchasing desk reads.

A notice keeps the key of the event it announces, so the outbox can refuse a second copy for
the same channel, and a ``cause`` for errors, so forty orders refused for the same reason are
told in one message. Notices serialise to plain JSON for the outbox row.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from orderbridge.domain.events import (
    BackorderAging,
    Backordered,
    CarrierException,
    Delivered,
    EtaSlipped,
    Invoiced,
    OrderEvent,
    Problem,
    Shipped,
    StatusChanged,
    WatchEvent,
)
from orderbridge.domain.memo import fmt_amount, fmt_date
from orderbridge.domain.models import PurchaseOrder
from orderbridge.domain.plan import Plan
from orderbridge.domain.writes import value_digest

__all__ = [
    "HISTORY_KINDS",
    "EventKind",
    "Notice",
    "OrderFacts",
    "facts_of",
    "not_kept",
    "notice_for",
]


class EventKind(StrEnum):
    """The events a rule can switch on (plus the two orderbridge sends on its own)."""

    STATUS_CHANGED = "status_changed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    INVOICED = "invoiced"
    BACKORDERED = "backordered"
    ERROR = "error"
    ETA_SLIPPED = "eta_slipped"
    BACKORDER_AGING = "backorder_aging"
    STUCK = "stuck"
    # Not selectable in rules: the first cycle's one summary per channel, and `notify test`.
    SUMMARY = "summary"
    TEST = "test"

    @classmethod
    def routable(cls) -> frozenset[EventKind]:
        """The kinds a rule may name in ``events``."""
        return frozenset(cls) - {cls.SUMMARY, cls.TEST}


# Kinds that tell what happened before orderbridge watched: held back on the first cycle.
HISTORY_KINDS = frozenset(
    {EventKind.STATUS_CHANGED, EventKind.SHIPPED, EventKind.DELIVERED, EventKind.INVOICED}
)


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """What routing and recipient lookup need to know about the PO an event belongs to."""

    po_number: str
    po_id: int | None = None
    customer_id: int | None = None
    vendor_id: int | None = None
    status: str | None = None
    creator_resource_id: int | None = None
    ticket_ids: tuple[int, ...] = ()
    project_ids: tuple[int, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """These facts as JSON-able values."""
        return {
            "po_number": self.po_number,
            "po_id": self.po_id,
            "customer_id": self.customer_id,
            "vendor_id": self.vendor_id,
            "status": self.status,
            "creator_resource_id": self.creator_resource_id,
            "ticket_ids": list(self.ticket_ids),
            "project_ids": list(self.project_ids),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OrderFacts:
        """Read facts written by ``to_json``."""
        return cls(
            po_number=str(data.get("po_number") or ""),
            po_id=data.get("po_id"),
            customer_id=data.get("customer_id"),
            vendor_id=data.get("vendor_id"),
            status=data.get("status"),
            creator_resource_id=data.get("creator_resource_id"),
            ticket_ids=tuple(int(x) for x in data.get("ticket_ids") or ()),
            project_ids=tuple(int(x) for x in data.get("project_ids") or ()),
        )


def facts_of(po: PurchaseOrder, status: str | None) -> OrderFacts:
    """The routing facts of an Autotask PO (tickets and projects from its items)."""
    return OrderFacts(
        po_number=po.po_number or str(po.id),
        po_id=po.id,
        customer_id=po.customer_id,
        vendor_id=po.vendor_id,
        status=status,
        creator_resource_id=po.creator_resource_id,
        ticket_ids=tuple(sorted({i.ticket_id for i in po.items if i.ticket_id is not None})),
        project_ids=tuple(sorted({i.project_id for i in po.items if i.project_id is not None})),
    )


@dataclass(frozen=True, slots=True)
class Notice:
    """One event told in words: a title, body lines, and the cause errors are grouped by."""

    kind: EventKind
    key: str
    po_number: str
    title: str
    lines: tuple[str, ...] = ()
    cause: str | None = None

    def to_json(self) -> dict[str, Any]:
        """This notice as JSON-able values."""
        return {
            "kind": self.kind.value,
            "key": self.key,
            "po_number": self.po_number,
            "title": self.title,
            "lines": list(self.lines),
            "cause": self.cause,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Notice:
        """Read a notice written by ``to_json``."""
        return cls(
            kind=EventKind(data["kind"]),
            key=str(data["key"]),
            po_number=str(data.get("po_number") or ""),
            title=str(data.get("title") or ""),
            lines=tuple(str(x) for x in data.get("lines") or ()),
            cause=data.get("cause"),
        )


def _shipped(e: Shipped) -> Notice:
    carrier = e.carrier or "carrier unknown"
    lines = [f"Carrier: {carrier}", f"Tracking number: {e.tracking_number or 'none given'}"]
    if e.tracking_url:
        lines.append(f"Track it: {e.tracking_url}")
    lines.append(f"Shipped on: {fmt_date(e.ship_date)}")
    title = f"PO {e.po_number} shipped ({carrier} {e.tracking_number or ''})".replace(" )", ")")
    return Notice(EventKind.SHIPPED, e.key, e.po_number, title, tuple(lines))


def _problem(e: Problem) -> Notice:
    reason = e.reason or "no reason given"
    cause = f"{e.status.value}: {reason}"
    return Notice(
        EventKind.ERROR,
        e.key,
        e.po_number,
        f"PO {e.po_number} needs attention: {cause}",
        (f"TD SYNNEX reports the order {e.status.value.lower()} ({reason}).",),
        cause,
    )


def _carrier_trouble(e: CarrierException) -> Notice:
    """A delivery exception or a return: an error, grouped by what the carrier said."""
    cause = f"{e.carrier}: {e.problem}"
    when = f" on {fmt_date(e.at)}" if e.at is not None else ""
    return Notice(
        EventKind.ERROR,
        e.key,
        e.po_number,
        f"PO {e.po_number} needs attention: {cause}",
        (f"{e.carrier} reports {e.problem} for package {e.tracking_number}{when}.",),
        cause,
    )


def _status(e: StatusChanged) -> Notice:
    was = e.from_status.value if e.from_status is not None else "Submitted"
    return Notice(
        EventKind.STATUS_CHANGED,
        e.key,
        e.po_number,
        f"PO {e.po_number}: {was} -> {e.to_status.value}",
        (f"The order is now {e.to_status.value} (was {was}).",),
    )


def _watch(e: WatchEvent) -> Notice:
    part = getattr(e, "part_number", None) or getattr(e, "line_key", "")
    if isinstance(e, EtaSlipped):
        return Notice(
            EventKind.ETA_SLIPPED,
            e.key,
            e.po_number,
            f"PO {e.po_number}: {part} now arrives {e.days} days later",
            (f"Expected {fmt_date(e.previous)}, now {fmt_date(e.current)}.",),
        )
    if isinstance(e, BackorderAging):
        return Notice(
            EventKind.BACKORDER_AGING,
            e.key,
            e.po_number,
            f"PO {e.po_number}: {part} backordered for {e.days} days",
            (f"Waiting for stock since {fmt_date(e.since)}.",),
        )
    return Notice(
        EventKind.STUCK,
        e.key,
        e.po_number,
        f"PO {e.po_number}: no change for {e.days} days",
        (f"Still {e.status.value} at TD SYNNEX; last change on {fmt_date(e.since)}.",),
    )


def notice_for(event: OrderEvent | WatchEvent) -> Notice:
    """The notice that announces ``event``."""
    if isinstance(event, StatusChanged):
        return _status(event)
    if isinstance(event, Shipped):
        return _shipped(event)
    if isinstance(event, Delivered):
        return Notice(
            EventKind.DELIVERED,
            event.key,
            event.po_number,
            f"PO {event.po_number} delivered on {fmt_date(event.delivered_on)}",
            ("The carrier confirmed delivery of every open line.",),
        )
    if isinstance(event, Invoiced):
        return Notice(
            EventKind.INVOICED,
            event.key,
            event.po_number,
            f"PO {event.po_number} invoiced: {event.invoice_number}",
            (
                f"Invoice {event.invoice_number} dated {fmt_date(event.invoice_date)}, "
                f"{fmt_amount(event.total)}.",
            ),
        )
    if isinstance(event, Backordered):
        part = event.part_number or f"line {event.line_key}"
        return Notice(
            EventKind.BACKORDERED,
            event.key,
            event.po_number,
            f"PO {event.po_number}: {event.quantity} x {part} backordered",
            (f"Expected from TD SYNNEX on {fmt_date(event.eta)}.",),
        )
    if isinstance(event, Problem):
        return _problem(event)
    if isinstance(event, CarrierException):
        return _carrier_trouble(event)
    return _watch(event)


def not_kept(plan: Plan) -> list[Notice]:
    """An error for each field Autotask did not keep as orderbridge wrote it (see
    ``orderbridge.domain.writes``): orderbridge stops writing it, so a person must look.
    Keyed by the PO, the field and the value, so it is said once."""
    notices = []
    for found in plan.not_sticking:
        cause = f"Autotask did not keep {found.field}"
        key = f"{found.po_number}:not_kept:{found.field}:{value_digest(found.wanted)}"
        notices.append(
            Notice(
                EventKind.ERROR,
                key,
                found.po_number,
                f"PO {found.po_number} needs attention: {cause}",
                (
                    f"orderbridge wrote {found.wanted!r} ({found.record}) and Autotask reads back "
                    f"{found.found!r}. orderbridge stops writing this field for the tenant until "
                    "the configuration changes or `orderbridge resync` is run; see "
                    "`orderbridge doctor` for the likely causes.",
                ),
                cause,
            )
        )
    return notices
