"""What is new since the last known state: history entries and the events that go with them.

Keys are built only from the order's facts (never from the clock), so a run repeated after a
crash produces the same keys and the store de-duplicates them. ``status_sequence`` makes a second
pass through the same status change (On hold -> Processing twice) a new key.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo

from orderbridge.domain.events import (
    Backordered,
    Delivered,
    Invoiced,
    OrderEvent,
    Problem,
    Shipped,
    StatusChanged,
)
from orderbridge.domain.history import HistoryEntry, HistorySource
from orderbridge.domain.lifecycle import OrderState, OrderStatus
from orderbridge.domain.memo import fmt_amount, fmt_date

__all__ = ["Change", "detect_changes"]

Change = tuple[HistoryEntry, list[OrderEvent]]

_PROBLEMS = (
    OrderStatus.ON_HOLD,
    OrderStatus.REJECTED,
    OrderStatus.CANCELLED,
    OrderStatus.NOT_FOUND,
)
_CARRIER_STATUSES = (OrderStatus.DELIVERED, OrderStatus.CLOSED)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


class _Recorder:
    """Collects the changes of one comparison."""

    def __init__(
        self, state: OrderState, previous: OrderState | None, now: datetime, zone: tzinfo
    ) -> None:
        self.state = state
        self.previous = previous
        self.now = now
        self.zone = zone
        self.changes: list[Change] = []

    def add(
        self,
        key: str,
        summary: str,
        events: list[OrderEvent],
        *,
        at: datetime | None = None,
        source: HistorySource = HistorySource.TDSYNNEX,
    ) -> None:
        """Record one change; ``at`` defaults to the time of the comparison."""
        entry = HistoryEntry(
            po_number=self.state.po_number,
            at=at or self.now,
            from_status=self.previous.status.value if self.previous else None,
            to_status=self.state.status.value,
            source=source,
            summary=summary,
            key=key,
        )
        self.changes.append((entry, events))


def _status_change(rec: _Recorder) -> None:
    state, previous = rec.state, rec.previous
    if previous is not None and previous.status == state.status:
        return
    before = previous.status if previous else None
    key = f"{state.po_number}:status:{state.status_sequence}:{before}->{state.status.value}"
    summary = (
        f"{before.value} -> {state.status.value}"
        if before
        else f"first seen as {state.status.value}"
    )
    if state.status in _PROBLEMS and state.reason:
        summary += f" ({state.reason})"
    events: list[OrderEvent] = [StatusChanged(state.po_number, key, before, state.status)]
    if state.status in _PROBLEMS:
        events.append(Problem(state.po_number, key, state.status, state.reason))
    source = HistorySource.CARRIER if state.status in _CARRIER_STATUSES else HistorySource.TDSYNNEX
    rec.add(key, summary, events, source=source)


def _new_tracking(rec: _Recorder) -> None:
    known = {s.tracking_number for s in rec.previous.shipments} if rec.previous else set()
    for s in rec.state.shipments:
        if not s.tracking_number or s.tracking_number in known:
            continue
        key = f"{rec.state.po_number}:tracking:{s.tracking_number}"
        method = " ".join(p for p in (s.carrier, s.service) if p) or "carrier unknown"
        summary = f"shipped {s.tracking_number} ({method}) on {fmt_date(s.ship_date, rec.zone)}"
        event = Shipped(
            rec.state.po_number, key, s.carrier, s.tracking_number, s.tracking_url, s.ship_date
        )
        rec.add(key, summary, [event], at=s.ship_date)


def _new_invoices(rec: _Recorder) -> None:
    known = {i.number for i in rec.previous.invoices} if rec.previous else set()
    for inv in rec.state.invoices:
        if inv.number in known:
            continue
        key = f"{rec.state.po_number}:invoice:{inv.number}"
        summary = (
            f"invoice {inv.number} dated {fmt_date(inv.invoice_date)}, {fmt_amount(inv.total)}"
        )
        event = Invoiced(rec.state.po_number, key, inv.number, inv.invoice_date, inv.total)
        at = _midnight(inv.invoice_date) if inv.invoice_date else None
        rec.add(key, summary, [event], at=at)


def _delivery(rec: _Recorder) -> None:
    day = rec.state.delivered_on
    if day is None or (rec.previous is not None and rec.previous.delivered_on == day):
        return
    key = f"{rec.state.po_number}:delivered:{day.isoformat()}"
    event = Delivered(rec.state.po_number, key, day)
    rec.add(
        key,
        f"delivered on {fmt_date(day)}",
        [event],
        at=_midnight(day),
        source=HistorySource.CARRIER,
    )


def _backorders(rec: _Recorder) -> None:
    before = {line.key: line for line in rec.previous.lines} if rec.previous else {}
    for line in rec.state.lines:
        if not line.quantity_backordered or line.eta is None or line.eta <= rec.now.date():
            continue
        old = before.get(line.key)
        if old is not None and old.eta == line.eta and old.quantity_backordered:
            continue
        key = f"{rec.state.po_number}:eta:{line.key}:{line.eta.isoformat()}"
        part = line.mfg_part_number or line.sku
        summary = (
            f"backordered {line.quantity_backordered} x {part or 'line ' + line.key}, "
            f"ETA {fmt_date(line.eta)}"
        )
        event = Backordered(
            rec.state.po_number, key, line.key, part, line.quantity_backordered, line.eta
        )
        rec.add(key, summary, [event])


def detect_changes(
    state: OrderState, previous: OrderState | None, now: datetime, zone: tzinfo = UTC
) -> list[Change]:
    """Every change worth recording from ``previous`` to ``state``, with its events.

    Moments (a ship time) are described by their calendar day in ``zone``.
    """
    rec = _Recorder(state, previous, now, zone)
    _status_change(rec)
    _new_tracking(rec)
    _delivery(rec)
    _new_invoices(rec)
    _backorders(rec)
    return rec.changes
