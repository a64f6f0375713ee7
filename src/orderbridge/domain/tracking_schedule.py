"""Which packages to ask their carrier about now, and in which order.

A package is tracked only once it has shipped (never before its ship date), only until the
carrier says delivered or returned, and no more often than its next expected change warrants:
twice a day while its expected delivery is days away, every few hours as it nears, every two
hours on the expected day and hourly once out for delivery, a little more often when overdue
or in exception, rarely while the carrier does not know the number yet. A resync asks about
an order's open packages at once, whatever the schedule says.
The most urgent come first, so a carrier's rate limit cuts the least useful calls.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from orderbridge.domain.lifecycle import OrderState, Shipment
from orderbridge.domain.line_derivation import tracking_key
from orderbridge.domain.package_tracking import PackageStatus
from orderbridge.domain.state_json import as_utc

__all__ = ["DuePackage", "TrackingPolicy", "due_packages"]


@dataclass(frozen=True, slots=True)
class TrackingPolicy:
    """How long to wait between two questions about one package, by what we know of it."""

    out_for_delivery: timedelta = timedelta(hours=1)
    due_today: timedelta = timedelta(hours=2)
    due_tomorrow: timedelta = timedelta(hours=6)
    in_transit: timedelta = timedelta(hours=8)
    far_off: timedelta = timedelta(hours=12)
    overdue: timedelta = timedelta(hours=4)
    exception: timedelta = timedelta(hours=3)
    unknown: timedelta = timedelta(hours=12)
    give_up_after: timedelta = timedelta(days=60)

    def interval(self, shipment: Shipment, now: datetime) -> timedelta:
        """The wait after the last answer for this package."""
        t = shipment.tracking
        if t is None:
            return timedelta(0)
        if t.status is PackageStatus.OUT_FOR_DELIVERY:
            return self.out_for_delivery
        if t.status is PackageStatus.EXCEPTION:
            return self.exception
        if t.status is PackageStatus.UNKNOWN:
            return self.unknown
        if t.estimated_delivery is None:
            return self.in_transit
        days = (t.estimated_delivery - now.date()).days
        if days < 0:
            return self.overdue
        return {0: self.due_today, 1: self.due_tomorrow}.get(days, self.far_off)


@dataclass(frozen=True, slots=True)
class DuePackage:
    """One package to track now; ``urgency`` sorts the most useful question first."""

    carrier: str
    tracking_number: str
    po_number: str
    urgency: tuple[int, datetime]


def _urgency(shipment: Shipment, policy: TrackingPolicy, now: datetime) -> tuple[int, datetime]:
    t = shipment.tracking
    if t is None:
        return (1, shipment.ship_date or now)
    urgent = {policy.out_for_delivery: 0, policy.due_today: 0, policy.overdue: 1}
    rank = urgent.get(policy.interval(shipment, now), 2)
    return (rank, t.checked_at)


def _trackable(shipment: Shipment, carriers: Collection[str], now: datetime, force: bool) -> bool:
    if not shipment.tracking_number or (shipment.carrier or "").casefold() not in carriers:
        return False
    if shipment.delivered_on is not None:
        return False
    if shipment.tracking is not None and shipment.tracking.final:
        return False
    if shipment.ship_date is None:
        return force
    return as_utc(shipment.ship_date) <= now


def due_packages(
    states: Iterable[OrderState],
    *,
    now: datetime,
    carriers: Collection[str],
    policy: TrackingPolicy | None = None,
    force: bool = False,
) -> list[DuePackage]:
    """The packages of these orders to track now, most urgent first, each number once.

    ``carriers`` are the (case-folded) carrier names that have a tracker; ``force`` (a resync)
    ignores the intervals but never the ship date or a final answer.
    """
    policy = policy or TrackingPolicy()
    now = as_utc(now)
    wanted = {c.casefold() for c in carriers}
    due: dict[str, DuePackage] = {}
    for state in states:
        for s in state.shipments:
            if not _trackable(s, wanted, now, force) or s.tracking_number is None:
                continue
            if s.ship_date is not None and now - as_utc(s.ship_date) > policy.give_up_after:
                continue
            last = s.tracking.checked_at if s.tracking is not None else None
            if not force and last is not None and now - as_utc(last) < policy.interval(s, now):
                continue
            key = tracking_key(s.tracking_number)
            due.setdefault(
                key,
                DuePackage(
                    carrier=s.carrier or "",
                    tracking_number=s.tracking_number,
                    po_number=state.po_number,
                    urgency=_urgency(s, policy, now),
                ),
            )
    return sorted(due.values(), key=lambda d: (d.urgency, d.po_number, d.tracking_number))
