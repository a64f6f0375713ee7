"""The daemon over a fake clock: cycles on schedule, on/off, live frequency changes, stopping."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import anyio
import pytest

from orderbridge.adapters.store import SqlStore
from orderbridge.application.runtime import RuntimeSettings
from orderbridge.domain.history import RunReport
from tests.integration.application.daemon_fakes import (
    FakeTime,
    RecordingCycle,
    build_daemon,
    file_values,
)
from tests.integration.application.sync_fakes import NOW

pytestmark = pytest.mark.anyio


def gaps(cycle: RecordingCycle) -> list[float]:
    """Seconds between consecutive cycle starts."""
    starts = cycle.started
    return [(b - a).total_seconds() for a, b in pairwise(starts)]


async def test_custom_interval_runs_cycles_a_minute_apart(store: SqlStore) -> None:
    time, stop = FakeTime(NOW), anyio.Event()
    cycle = RecordingCycle(store, time, stop, limit=4)
    runtime = RuntimeSettings(store, file_values("custom:1m"))
    with anyio.fail_after(5):
        await build_daemon(store, time, cycle, runtime).run(stop)
    assert cycle.started[0] == NOW  # no earlier run: the first cycle is due at once
    assert gaps(cycle) == [60.0, 60.0, 60.0]
    assert [run.outcome for run in store.runs("default")] == ["ok"] * 4
    assert store.get_setting("default", "frequency") == "custom:1m"  # seeded from the file


async def test_disabled_runs_nothing_and_enable_resumes(store: SqlStore) -> None:
    time, stop = FakeTime(NOW), anyio.Event()
    runtime = RuntimeSettings(store, file_values("custom:1m"))
    cycle = RecordingCycle(store, time, stop, limit=3)
    off_at = NOW + timedelta(seconds=30)
    on_at = NOW + timedelta(minutes=10)
    time.hooks = [
        (off_at, lambda: runtime.set_enabled(False)),
        (on_at, lambda: runtime.set_enabled(True)),
    ]
    with anyio.fail_after(5):
        await build_daemon(store, time, cycle, runtime).run(stop)
    first, second, third = cycle.started
    assert first == NOW
    assert second >= on_at  # nothing ran while the switch was off
    assert second - on_at <= timedelta(seconds=5)  # rechecked every ~5 s, then overdue: at once
    assert third - second == timedelta(minutes=1)
    assert max(time.sleeps) <= 5  # the daemon never sleeps past a settings check


async def test_frequency_change_applies_at_the_next_cycle(store: SqlStore) -> None:
    time, stop = FakeTime(NOW), anyio.Event()
    runtime = RuntimeSettings(store, file_values("custom:1h"))
    cycle = RecordingCycle(store, time, stop, limit=3)
    time.hooks = [(NOW + timedelta(minutes=5), lambda: runtime.set("frequency", "custom:2m"))]
    with anyio.fail_after(5):
        await build_daemon(store, time, cycle, runtime).run(stop)
    # At 5 minutes the new 2-minute interval is overdue, so the cycle runs at once, not in an
    # hour; from then on cycles are 2 minutes apart. No restart was needed.
    assert gaps(cycle) == [300.0, 120.0]


async def test_store_value_wins_over_the_file_after_seeding(store: SqlStore) -> None:
    RuntimeSettings(store, file_values("custom:1h")).set("frequency", "custom:3m")
    time, stop = FakeTime(NOW), anyio.Event()
    runtime = RuntimeSettings(store, file_values("custom:1h"))  # a restart with the same file
    cycle = RecordingCycle(store, time, stop, limit=2)
    with anyio.fail_after(5):
        await build_daemon(store, time, cycle, runtime).run(stop)
    assert gaps(cycle) == [180.0]


async def test_realtime_is_spaced_by_the_request_budget(store: SqlStore) -> None:
    time, stop = FakeTime(NOW), anyio.Event()
    runtime = RuntimeSettings(store, file_values("realtime", min_gap_s=10))
    # 600 requests a cycle against half of 12,000 an hour pays for 10 cycles: 6 minutes apart.
    cycle = RecordingCycle(store, time, stop, limit=3, autotask_requests=600)
    with anyio.fail_after(5):
        await build_daemon(store, time, cycle, runtime, threshold=lambda: 12_000).run(stop)
    assert gaps(cycle) == [360.0, 360.0]


async def test_cheap_realtime_cycles_keep_the_minimum_gap(store: SqlStore) -> None:
    time, stop = FakeTime(NOW), anyio.Event()
    runtime = RuntimeSettings(store, file_values("realtime", min_gap_s=10))
    cycle = RecordingCycle(store, time, stop, limit=3, autotask_requests=5)
    with anyio.fail_after(5):
        await build_daemon(store, time, cycle, runtime).run(stop)
    assert gaps(cycle) == [10.0, 10.0]


async def test_stop_while_waiting_returns_without_another_cycle(store: SqlStore) -> None:
    time, stop = FakeTime(NOW), anyio.Event()
    runtime = RuntimeSettings(store, file_values("daily"))
    cycle = RecordingCycle(store, time, stop, limit=99)
    time.hooks = [(NOW + timedelta(seconds=20), stop.set)]
    with anyio.fail_after(5):
        await build_daemon(store, time, cycle, runtime).run(stop)
    assert cycle.started == []  # daily waits for 06:00, and the stop came first
    assert store.runs("default") == []


async def test_a_failing_cycle_is_retried_after_a_pause(store: SqlStore) -> None:
    time, stop = FakeTime(NOW), anyio.Event()
    runtime = RuntimeSettings(store, file_values("custom:1m"))
    cycle = RecordingCycle(store, time, stop, limit=1)
    failures: list[object] = []

    async def flaky(halt: anyio.Event) -> RunReport:
        if not failures:
            failures.append(time.clock())
            raise RuntimeError("the database went away")
        return await cycle(halt)

    daemon = build_daemon(store, time, cycle, runtime)
    daemon._cycle = flaky
    with anyio.fail_after(5):
        await daemon.run(stop)
    assert failures == [NOW]
    assert cycle.started == [NOW + timedelta(seconds=30)]
