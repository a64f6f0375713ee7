"""Alerts that no TD SYNNEX status carries: a slipping ETA, an ageing backorder, a stuck order.

These are found by comparing dates, not by a change of status, so they have no history entry of
their own. Their keys are built from the facts that started the condition (the old and new ETA,
the day the backorder began, the day of the last change), so a condition that lasts for weeks
is announced once, and a new slip or a new quiet spell is a new key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from orderbridge.domain.events import BackorderAging, EtaSlipped, Stuck, WatchEvent
from orderbridge.domain.history import HistoryEntry
from orderbridge.domain.lifecycle import LineState, OrderState, OrderStatus

__all__ = ["OPEN_STATUSES", "WatchThresholds", "detect_watch_events"]

OPEN_STATUSES = frozenset(
    {
        OrderStatus.SUBMITTED,
        OrderStatus.RECEIVED,
        OrderStatus.PROCESSING,
        OrderStatus.ON_HOLD,
        OrderStatus.BACKORDERED,
        OrderStatus.PARTIALLY_SHIPPED,
    }
)
_FINISHED_LINES = frozenset(
    {OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.CLOSED, OrderStatus.REJECTED}
)


@dataclass(frozen=True, slots=True)
class WatchThresholds:
    """Days after which each alert fires; None switches that alert off."""

    eta_slip_days: int | None = 3
    backorder_days: int | None = 14
    stuck_days: int | None = 7

    def __post_init__(self) -> None:
        for name in ("eta_slip_days", "backorder_days", "stuck_days"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} cannot be negative")


def _arrival(line: LineState) -> date | None:
    return line.estimated_delivery or line.eta


def _part(line: LineState) -> str | None:
    return line.mfg_part_number or line.sku


def _eta_slips(state: OrderState, previous: OrderState | None, days: int) -> list[WatchEvent]:
    if previous is None:
        return []
    before = {line.key: line for line in previous.lines}
    events: list[WatchEvent] = []
    for line in state.lines:
        old_line = before.get(line.key)
        if old_line is None or line.status in _FINISHED_LINES:
            continue
        old, new = _arrival(old_line), _arrival(line)
        if old is None or new is None or (new - old).days <= days:
            continue
        key = f"{state.po_number}:eta_slipped:{line.key}:{old.isoformat()}->{new.isoformat()}"
        events.append(EtaSlipped(state.po_number, key, line.key, _part(line), old, new))
    return events


def _backorder_start(state: OrderState, line: LineState, history: Sequence[HistoryEntry]) -> date:
    """The day the line's backorder was first recorded (the order's first sight if earlier)."""
    prefix = f"{state.po_number}:eta:{line.key}:"
    recorded = [entry.at for entry in history if entry.key.startswith(prefix)]
    return min(recorded).date() if recorded else state.first_seen.date()


def _ageing_backorders(
    state: OrderState, history: Sequence[HistoryEntry], today: date, days: int
) -> list[WatchEvent]:
    events: list[WatchEvent] = []
    for line in state.lines:
        if not line.quantity_backordered or line.status in _FINISHED_LINES:
            continue
        since = _backorder_start(state, line, history)
        age = (today - since).days
        if age < days:
            continue
        key = f"{state.po_number}:backorder_aging:{line.key}:{since.isoformat()}"
        events.append(BackorderAging(state.po_number, key, line.key, _part(line), since, age))
    return events


def _last_change(state: OrderState, history: Sequence[HistoryEntry]) -> datetime:
    """When TD SYNNEX last told us something new about the order (first sight if never)."""
    times = [entry.at for entry in history if entry.po_number == state.po_number]
    return max([state.first_seen, *times])


def _stuck(
    state: OrderState, history: Sequence[HistoryEntry], now: datetime, days: int
) -> list[WatchEvent]:
    if state.status not in OPEN_STATUSES:
        return []
    since = _last_change(state, history)
    quiet_days = (now - since).days
    if quiet_days < days:
        return []
    key = f"{state.po_number}:stuck:{since.isoformat()}"
    return [Stuck(state.po_number, key, state.status, since, quiet_days)]


def detect_watch_events(
    state: OrderState,
    previous: OrderState | None,
    history: Sequence[HistoryEntry],
    *,
    now: datetime,
    thresholds: WatchThresholds,
) -> list[WatchEvent]:
    """The slipped ETAs, ageing backorders and stuck-order alerts ``state`` calls for now.

    ``history`` is the order's recorded history including what this cycle records; ``now`` is
    timezone-aware.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    events: list[WatchEvent] = []
    if thresholds.eta_slip_days is not None:
        events.extend(_eta_slips(state, previous, thresholds.eta_slip_days))
    if thresholds.backorder_days is not None:
        events.extend(_ageing_backorders(state, history, now.date(), thresholds.backorder_days))
    if thresholds.stuck_days is not None:
        events.extend(_stuck(state, history, now, thresholds.stuck_days))
    return events
