"""The simulated clock follows real time until pinned, then moves only when told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from orderbridge.simulators._common import SimClock


def test_unpinned_clock_follows_real_time() -> None:
    clock = SimClock()
    before = datetime.now(UTC)
    assert before <= clock.now() <= datetime.now(UTC)
    assert not clock.pinned


def test_pinned_clock_stays_and_advances_on_request() -> None:
    clock = SimClock()
    clock.set(datetime(2026, 3, 8, 1, 30))  # naive is read as UTC
    assert clock.now() == datetime(2026, 3, 8, 1, 30, tzinfo=UTC)
    clock.advance(timedelta(hours=2))
    assert clock.now() == datetime(2026, 3, 8, 3, 30, tzinfo=UTC)
    clock.release()
    assert not clock.pinned
