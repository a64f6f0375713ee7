"""When each order is next worth asking TD SYNNEX about: per-order check schedules.

TD SYNNEX answers one PO per call, so checking every order every cycle costs a call per order
whether or not anything could have moved. The rules here give each order its next check from
what can happen next, judged from its last known state and the time it was last checked:

- never checked, or young (first seen less than ``young_for`` ago), or submitted and not yet
  accepted: soon (``submitted``) — rejections, deletions and acceptances come early;
- accepted with an expected ship date, ETA or delivery date: rarely (``far``) until ``lead``
  before the earliest of them, then often (``near``), and often while it is overdue;
  accepted with no date at all: ``accepted``;
- on hold or backordered: a steady, slower pace (``held``), sooner when a date nears;
- shipped (partly or fully) or invoiced before delivery: ``shipped`` — TD SYNNEX rarely changes
  then (invoices, remaining lines; open lines still follow their dates), and the carrier, when
  tracked, watches the delivery on its own schedule;
- delivered and waiting for its invoice: ``settling``;
- finished (Closed, Cancelled, Rejected): never again;
- whatever the status, an order whose invoices could not be read at its last check: soon
  (``submitted``), to ask again.

Every interval lies between the policy's shortest and longest, so no order is ever checked less
often than its rule says; a cycle checks every order whose next check has come (up to ``early``
before it, so a check is not pushed a whole cycle later by a few seconds of drift).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from orderbridge.domain.lifecycle import OrderState, OrderStatus
from orderbridge.domain.models import PurchaseOrder
from orderbridge.domain.state_json import as_utc

__all__ = [
    "AUTOTASK_SEEN",
    "FINISHED",
    "CheckPolicy",
    "CheckReason",
    "NextCheck",
    "autotask_digest",
    "next_check",
]

# Kept with what orderbridge wrote to the PO (no column of its own): a digest of the PO's
# Autotask status and items as last checked, so a PO changed in Autotask is checked at once.
AUTOTASK_SEEN = "autotask:seen"
# Nothing more can happen at TD SYNNEX (the statuses the ``active`` scope leaves out).
FINISHED = frozenset({OrderStatus.CLOSED, OrderStatus.CANCELLED, OrderStatus.REJECTED})
_UNACCEPTED = frozenset(
    {OrderStatus.NEW, OrderStatus.SUBMITTED, OrderStatus.RECEIVED, OrderStatus.NOT_FOUND}
)
_HELD = frozenset({OrderStatus.ON_HOLD, OrderStatus.BACKORDERED})
_SHIPPED = frozenset({OrderStatus.SHIPPED, OrderStatus.PARTIALLY_SHIPPED, OrderStatus.INVOICED})
_OPEN_LINE = frozenset({OrderStatus.PROCESSING, *_HELD, *_UNACCEPTED})


class CheckReason(StrEnum):
    """Why an order is checked when it is (``orderbridge status PO`` says so)."""

    NEVER_CHECKED = "never checked yet"
    YOUNG = "recently submitted: rejections and acceptances come early"
    UNACCEPTED = "not yet accepted by TD SYNNEX"
    FAR_DATE = "accepted; the expected date is far off"
    NEAR_DATE = "accepted; the expected date is near or past"
    NO_DATE = "accepted; no expected date yet"
    HELD = "on hold or backordered"
    SHIPPED = "shipped; waiting for invoices and the remaining lines"
    SETTLING = "delivered; waiting for the invoice"
    FINISHED = "finished: never checked again (resync still checks it)"
    AUTOTASK_CHANGED = "changed in Autotask since the last check"
    CARRIER_NEWS = "the carrier has news of one of its packages"
    INVOICES_OWED = "its invoices could not be read at the last check"
    NOT_ADAPTIVE = "[sync] adaptive = false: checked every cycle"


@dataclass(frozen=True, slots=True)
class CheckPolicy:
    """The wait after a check, by what the order can do next (``[sync] adaptive_*``)."""

    submitted: timedelta = timedelta(hours=1)
    young_for: timedelta = timedelta(hours=6)
    near: timedelta = timedelta(hours=1)
    lead: timedelta = timedelta(days=1)
    far: timedelta = timedelta(hours=24)
    accepted: timedelta = timedelta(hours=4)
    held: timedelta = timedelta(hours=6)
    shipped: timedelta = timedelta(hours=12)
    settling: timedelta = timedelta(hours=24)
    early: timedelta = timedelta(minutes=10)

    def __post_init__(self) -> None:
        for name in ("submitted", "near", "far", "accepted", "held", "shipped", "settling"):
            if getattr(self, name) <= timedelta(0):
                raise ValueError(f"adaptive interval {name} must be more than zero")
        if self.near > self.far:
            raise ValueError("the near-date interval cannot be longer than the far-date one")

    @property
    def shortest(self) -> timedelta:
        """The shortest wait any rule gives."""
        return min(self._intervals())

    @property
    def longest(self) -> timedelta:
        """The longest wait any rule gives: no unfinished order waits longer."""
        return max(self._intervals())

    def _intervals(self) -> tuple[timedelta, ...]:
        return (
            self.submitted,
            self.near,
            self.far,
            self.accepted,
            self.held,
            self.shipped,
            self.settling,
        )


@dataclass(frozen=True, slots=True)
class NextCheck:
    """When an order is next checked (None: never) and why."""

    at: datetime | None
    reason: CheckReason

    def due(self, now: datetime, policy: CheckPolicy) -> bool:
        """Whether a cycle at ``now`` checks the order (a little early rather than a cycle late)."""
        return self.at is not None and as_utc(now) + policy.early >= self.at

    def describe(self) -> str:
        """``2026-12-02 14:00 UTC (why)`` or ``never (why)``."""
        when = "never" if self.at is None else f"{self.at:%Y-%m-%d %H:%M} UTC"
        return f"{when} ({self.reason})"


def next_check(
    state: OrderState | None,
    checked_at: datetime | None,
    *,
    policy: CheckPolicy | None = None,
) -> NextCheck:
    """The order's next check, from its last known state and the time it was last checked."""
    policy = policy or CheckPolicy()
    if state is None or checked_at is None:
        return NextCheck(datetime.min.replace(tzinfo=UTC), CheckReason.NEVER_CHECKED)
    last = as_utc(checked_at)
    if state.invoices_owed:  # even a finished order: its invoice numbers are still to come
        return NextCheck(last + policy.submitted, CheckReason.INVOICES_OWED)
    if state.status in FINISHED:
        return NextCheck(None, CheckReason.FINISHED)
    wait, reason = _rule(state, last, policy)
    if last - as_utc(state.first_seen) < policy.young_for and policy.submitted < wait:
        wait, reason = policy.submitted, CheckReason.YOUNG
    return NextCheck(last + wait, reason)


def _rule(state: OrderState, last: datetime, policy: CheckPolicy) -> tuple[timedelta, CheckReason]:
    status = state.status
    if status in _UNACCEPTED:
        return policy.submitted, CheckReason.UNACCEPTED
    if status is OrderStatus.DELIVERED:
        return policy.settling, CheckReason.SETTLING
    dated = _dated(state, last, policy)
    if status in _HELD:
        held = (policy.held, CheckReason.HELD)
        return held if dated is None or dated[0] >= policy.held else dated
    if status in _SHIPPED:
        shipped = (policy.shipped, CheckReason.SHIPPED)
        return shipped if dated is None or dated[0] >= policy.shipped else dated
    return dated or (policy.accepted, CheckReason.NO_DATE)


def _dated(
    state: OrderState, last: datetime, policy: CheckPolicy
) -> tuple[timedelta, CheckReason] | None:
    """Rarely until ``lead`` before the earliest expected date of an open line, then often."""
    first = _earliest_date(state)
    if first is None:
        return None
    watch_from = datetime.combine(first, time(0), tzinfo=UTC) - policy.lead
    if watch_from <= last + policy.near:
        return policy.near, CheckReason.NEAR_DATE
    return min(watch_from - last, policy.far), CheckReason.FAR_DATE


def _earliest_date(state: OrderState) -> date | None:
    """The earliest date something is expected of the lines still to ship."""
    dates: list[date | None] = []
    if state.status not in _SHIPPED:
        dates += [state.expected_ship_date, state.expected_delivery]
    for line in state.lines:
        if line.status in _OPEN_LINE or line.status is OrderStatus.PARTIALLY_SHIPPED:
            dates += [line.eta, line.estimated_ship_date]
    known = [d for d in dates if d is not None]
    return min(known) if known else None


def autotask_digest(po: PurchaseOrder) -> str:
    """A digest of what someone may change in Autotask that matters here: status and items."""
    items = sorted((i.id, i.quantity, i.product_id or 0, sorted(i.part_numbers)) for i in po.items)
    return hashlib.sha256(repr((po.status, items)).encode()).hexdigest()[:16]
