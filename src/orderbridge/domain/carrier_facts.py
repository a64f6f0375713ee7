"""Carrier answers folded into an order's state: delivered date, signer, location, weight.

A package is tracked far less often than its order is checked, so the carrier's last word is
kept on the shipment (``Shipment.tracking``) and carried over from the previous state until a
fresh answer replaces it. A delivered or returned package keeps its final answer for good.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from orderbridge.domain.lifecycle import LineState, LineStatus, OrderState, Shipment
from orderbridge.domain.line_derivation import tracking_key
from orderbridge.domain.package_tracking import (
    PackageStatus,
    PackageTracking,
    TrackingReply,
)

_GONE = (LineStatus.CANCELLED, LineStatus.REJECTED)
_DELIVERED = (LineStatus.DELIVERED, LineStatus.CLOSED)

__all__ = [
    "NO_FACTS",
    "CarrierFacts",
    "CarrierNews",
    "apply_carrier_facts",
    "as_tracking",
    "carrier_details",
    "carrier_news",
]


def as_tracking(reply: TrackingReply) -> PackageTracking:
    """A carrier reply as the tracking kept on a shipment (a problem is status unknown)."""
    if isinstance(reply, PackageTracking):
        return reply
    return PackageTracking(
        carrier=reply.carrier,
        tracking_number=reply.tracking_number,
        status=PackageStatus.UNKNOWN,
        checked_at=reply.checked_at,
        problem=reply.message,
    )


class CarrierFacts:
    """The carrier answers one run gathered, by tracking number (compared without spaces/case)."""

    def __init__(self, replies: Mapping[str, TrackingReply] | None = None) -> None:
        self._replies = {tracking_key(k): as_tracking(v) for k, v in (replies or {}).items()}

    def __len__(self) -> int:
        return len(self._replies)

    def get(self, tracking_number: str | None) -> PackageTracking | None:
        """The fresh answer for a number, if this run asked about it."""
        return self._replies.get(tracking_key(tracking_number)) if tracking_number else None

    def deliveries(self) -> dict[str, date]:
        """Carrier-confirmed delivery dates (the carrier's local date) by tracking number."""
        return {
            number: t.delivered_at.date()
            for number, t in self._replies.items()
            if t.status is PackageStatus.DELIVERED and t.delivered_at is not None
        }

    def merged(self, other: CarrierFacts) -> CarrierFacts:
        """These answers with ``other``'s added (``other`` wins on the same number)."""
        merged = CarrierFacts()
        merged._replies = {**self._replies, **other._replies}
        return merged


NO_FACTS = CarrierFacts()


def _remembered(previous: OrderState | None) -> dict[str, PackageTracking]:
    known: dict[str, PackageTracking] = {}
    if previous is not None:
        for s in previous.shipments:
            if s.tracking_number and s.tracking is not None:
                known[tracking_key(s.tracking_number)] = s.tracking
    return known


def _newer(old: PackageTracking | None, new: PackageTracking | None) -> PackageTracking | None:
    if new is None:
        return old
    if old is not None and old.final and not new.final:
        return old  # delivered is final for a package: a later odd answer does not undo it
    if old is not None and new.status is PackageStatus.UNKNOWN and old.status is not new.status:
        # A "not found" after real scans (purged history, carrier hiccup) keeps the scans.
        return replace(old, checked_at=new.checked_at)
    return new


def _shipment(s: Shipment, known: Mapping[str, PackageTracking], facts: CarrierFacts) -> Shipment:
    if not s.tracking_number:
        return s
    tracking = _newer(known.get(tracking_key(s.tracking_number)), facts.get(s.tracking_number))
    if tracking is None or tracking == s.tracking:
        return s
    return replace(s, tracking=tracking)


def _carrier_eta(line: LineState) -> date | None:
    """The latest carrier ETA of a fully shipped, undelivered line whose every package has one."""
    if line.status not in (LineStatus.SHIPPED, LineStatus.INVOICED) or not line.shipments:
        return None
    etas = [s.tracking.estimated_delivery if s.tracking else None for s in line.shipments]
    open_etas = [eta for s, eta in zip(line.shipments, etas, strict=True) if s.delivered_on is None]
    if not open_etas or any(eta is None for eta in open_etas):
        return None
    return max(eta for eta in open_etas if eta is not None)


def _line(line: LineState, known: Mapping[str, PackageTracking], facts: CarrierFacts) -> LineState:
    shipments = tuple(_shipment(s, known, facts) for s in line.shipments)
    updated = line if shipments == line.shipments else replace(line, shipments=shipments)
    # Once shipped, the carrier's live estimate beats TD SYNNEX's estimated delivery date.
    eta = _carrier_eta(updated)
    if eta is not None and eta != updated.estimated_delivery:
        updated = replace(updated, estimated_delivery=eta)
    return updated


def _expected_delivery(lines: tuple[LineState, ...]) -> date | None:
    """The order's expected delivery, worked out as derive does, over the updated lines."""
    waiting = [
        line.estimated_delivery or line.eta
        for line in lines
        if line.status not in _GONE and line.status not in _DELIVERED
    ]
    present = [d for d in waiting if d is not None]
    return max(present) if present else None


def apply_carrier_facts(
    state: OrderState, previous: OrderState | None, facts: CarrierFacts
) -> OrderState:
    """``state`` with each package's latest carrier answer (fresh, else remembered).

    A fully shipped line whose open packages all have a carrier ETA takes the latest of them as
    its estimated delivery (the item ETA in Autotask), and the order's expected delivery follows.
    """
    known = _remembered(previous)
    if not known and not len(facts):
        return state
    lines = tuple(_line(line, known, facts) for line in state.lines)
    if lines == state.lines:
        return state
    return replace(state, lines=lines, expected_delivery=_expected_delivery(lines))


def _clock(at: datetime) -> str:
    offset = at.strftime("%z")
    return f"{at:%Y-%m-%d %H:%M} UTC{offset[:3]}:{offset[3:]}" if offset else f"{at:%Y-%m-%d %H:%M}"


def carrier_details(t: PackageTracking) -> list[str]:
    """Memo phrases for a package's carrier answer: delivery time, signer, place, size, trouble."""
    parts: list[str] = []
    if t.status is PackageStatus.DELIVERED:
        if t.delivered_at is not None:
            parts.append(f"{t.carrier} confirmed delivery {_clock(t.delivered_at)}")
        if t.signed_by:
            parts.append(f"signed by {t.signed_by}")
        if t.location:
            parts.append(t.location)
    elif t.status is PackageStatus.UNKNOWN:
        parts.append(f"{t.carrier}: no tracking data yet")
    else:
        parts.append(f"{t.carrier}: {t.status.value}")
        if t.problem and t.status in (PackageStatus.EXCEPTION, PackageStatus.RETURNED):
            parts.append(t.problem)
        if t.estimated_delivery is not None:
            parts.append(f"ETA {t.estimated_delivery.isoformat()}")
    if t.weight is not None:
        parts.append(str(t.weight))
    if t.dimensions is not None:
        parts.append(str(t.dimensions))
    return parts


@dataclass(frozen=True, slots=True)
class CarrierNews:
    """One package change worth a history line (and, for trouble, an error event)."""

    key: str
    carrier: str
    tracking_number: str
    summary: str
    at: datetime | None
    problem: str | None = None


def _news(po_number: str, number: str, t: PackageTracking) -> CarrierNews | None:
    base = f"{po_number}:carrier:{tracking_key(number)}"
    when = t.delivered_at or t.event_at
    stamp = when.astimezone(UTC).strftime("%Y%m%dT%H%M") if when else "undated"
    if t.status is PackageStatus.DELIVERED:
        details = ", ".join(carrier_details(t)[:3])
        return CarrierNews(f"{base}:delivered", t.carrier, number, f"{number}: {details}", when)
    if t.status in (PackageStatus.EXCEPTION, PackageStatus.RETURNED):
        words = "returned to sender" if t.status is PackageStatus.RETURNED else "delivery exception"
        problem = f"{words}: {t.problem}" if t.problem and t.problem != words else words
        summary = f"{t.carrier} {number}: {problem}"
        key = f"{base}:{t.status.name.lower()}:{stamp}"
        return CarrierNews(key, t.carrier, number, summary, when, problem=problem)
    return None


def carrier_news(state: OrderState, previous: OrderState | None) -> list[CarrierNews]:
    """Deliveries, exceptions and returns the carrier reported since ``previous``."""
    before = _remembered(previous)
    found: dict[str, CarrierNews] = {}
    for s in state.shipments:
        if not s.tracking_number or s.tracking is None:
            continue
        old = before.get(tracking_key(s.tracking_number))
        news = _news(state.po_number, s.tracking_number, s.tracking)
        if news is None or news.key in found:
            continue
        if old is not None:
            was = _news(state.po_number, s.tracking_number, old)
            if was is not None and was.key == news.key:
                continue
        found[news.key] = news
    return list(found.values())
