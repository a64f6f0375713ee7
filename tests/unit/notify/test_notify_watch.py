"""Slipped ETAs, ageing backorders and stuck orders."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from orderbridge.domain.events import BackorderAging, EtaSlipped, Stuck
from orderbridge.domain.history import HistoryEntry, HistorySource
from orderbridge.domain.lifecycle import LineState, OrderState, OrderStatus
from orderbridge.domain.watch import WatchThresholds, detect_watch_events

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
OFF = WatchThresholds(eta_slip_days=None, backorder_days=None, stuck_days=None)


def state(
    status: OrderStatus = OrderStatus.PROCESSING,
    eta: date | None = None,
    backordered: int = 0,
    first_seen: datetime = NOW - timedelta(days=1),
) -> OrderState:
    line = LineState(
        key="1",
        status=status,
        mfg_part_number="ABC-1",
        quantity_ordered=5,
        quantity_backordered=backordered,
        eta=eta,
    )
    return OrderState("PO-1", status, first_seen, lines=(line,))


def entry(at: datetime, key: str) -> HistoryEntry:
    return HistoryEntry("PO-1", at, None, "Processing", HistorySource.TDSYNNEX, "x", key)


@given(slip=st.integers(-30, 30), threshold=st.integers(0, 10))
def test_eta_slip_fires_only_beyond_the_threshold(slip: int, threshold: int) -> None:
    before = state(eta=date(2026, 12, 10))
    after = state(eta=date(2026, 12, 10) + timedelta(days=slip))
    found = detect_watch_events(
        after, before, [], now=NOW, thresholds=replace(OFF, eta_slip_days=threshold)
    )
    assert bool(found) == (slip > threshold)
    for event in found:
        assert isinstance(event, EtaSlipped)
        assert event.days == slip
        assert event.key == "PO-1:eta_slipped:1:2026-12-10->" + event.current.isoformat()


def test_no_slip_without_an_earlier_state_or_on_a_delivered_line() -> None:
    thresholds = replace(OFF, eta_slip_days=1)
    assert not detect_watch_events(
        state(eta=date(2027, 1, 1)), None, [], now=NOW, thresholds=thresholds
    )
    done = state(status=OrderStatus.DELIVERED, eta=date(2027, 1, 1))
    assert not detect_watch_events(
        done, state(eta=date(2026, 12, 3)), [], now=NOW, thresholds=thresholds
    )


def test_backorder_ages_from_its_first_recorded_eta() -> None:
    thresholds = replace(OFF, backorder_days=14)
    current = state(
        status=OrderStatus.BACKORDERED,
        eta=date(2027, 1, 5),
        backordered=2,
        first_seen=NOW - timedelta(days=40),
    )
    young = [entry(NOW - timedelta(days=13), "PO-1:eta:1:2027-01-05")]
    assert not detect_watch_events(current, current, young, now=NOW, thresholds=thresholds)
    old = [
        entry(NOW - timedelta(days=20), "PO-1:eta:1:2026-12-20"),
        entry(NOW - timedelta(days=3), "PO-1:eta:1:2027-01-05"),
    ]
    (event,) = detect_watch_events(current, current, old, now=NOW, thresholds=thresholds)
    assert isinstance(event, BackorderAging)
    assert event.days == 20
    # The key names the day the backorder began: the next cycle finds the same key.
    again = detect_watch_events(
        current, current, old, now=NOW + timedelta(days=1), thresholds=thresholds
    )
    assert [e.key for e in again] == [event.key]


def test_stuck_counts_from_the_last_change_and_ignores_finished_orders() -> None:
    thresholds = replace(OFF, stuck_days=7)
    quiet = state(first_seen=NOW - timedelta(days=30))
    history = [entry(NOW - timedelta(days=8), "PO-1:status:1:None->Processing")]
    (event,) = detect_watch_events(quiet, quiet, history, now=NOW, thresholds=thresholds)
    assert isinstance(event, Stuck)
    assert event.days == 8
    recent = [entry(NOW - timedelta(days=2), "PO-1:tracking:1Z")]
    assert not detect_watch_events(quiet, quiet, recent, now=NOW, thresholds=thresholds)
    closed = state(status=OrderStatus.CLOSED, first_seen=NOW - timedelta(days=30))
    assert not detect_watch_events(closed, closed, [], now=NOW, thresholds=thresholds)
