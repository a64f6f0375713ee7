"""The runner lease: a live holder refuses a second runner; a dead one's lease is taken over."""

from __future__ import annotations

from datetime import timedelta

import anyio
import anyio.lowlevel
import pytest

from orderbridge.adapters.store import SqlStore
from orderbridge.application.daemon import LeaseLost
from orderbridge.application.lease import LeaseHeld, RunnerLease
from orderbridge.application.runtime import RuntimeSettings
from tests.integration.application.daemon_fakes import (
    FakeTime,
    RecordingCycle,
    build_daemon,
    file_values,
)
from tests.integration.application.sync_fakes import NOW

pytestmark = pytest.mark.anyio

OTHER = "build-07.example:4242:c0ffee00"


async def test_a_live_holder_refuses_the_daemon_naming_host_pid_and_expiry(
    store: SqlStore,
) -> None:
    assert store.acquire_lease("sync:default", OTHER, 120, NOW)
    time, stop = FakeTime(NOW + timedelta(seconds=30)), anyio.Event()
    cycle = RecordingCycle(store, time, stop, limit=1)
    daemon = build_daemon(store, time, cycle, RuntimeSettings(store, file_values()))
    with pytest.raises(LeaseHeld) as refused:
        await daemon.run(stop)
    assert str(refused.value) == (
        "another orderbridge (host build-07.example, pid 4242) is syncing this store; "
        f"it holds the lease until {(NOW + timedelta(seconds=120)):%Y-%m-%d %H:%M:%S} UTC"
    )
    assert cycle.started == []


async def test_an_expired_lease_is_taken_over_and_its_runs_marked_interrupted(
    store: SqlStore,
) -> None:
    assert store.acquire_lease("sync:default", OTHER, 120, NOW - timedelta(minutes=10))
    store.start_run("default", NOW - timedelta(minutes=9))  # the dead holder's unfinished run
    time, stop = FakeTime(NOW), anyio.Event()
    cycle = RecordingCycle(store, time, stop, limit=1)
    daemon = build_daemon(store, time, cycle, RuntimeSettings(store, file_values()))
    with anyio.fail_after(5):
        await daemon.run(stop)
    newest, dead = store.runs("default")
    assert (newest.outcome, dead.outcome) == ("ok", "interrupted")
    assert dead.error
    # The lease was given up on exit: anyone may take it now.
    assert store.acquire_lease("sync:default", "next:1:x", 120, NOW + timedelta(seconds=1))


async def test_the_lease_is_released_on_exit_and_renewed_while_held(store: SqlStore) -> None:
    time = FakeTime(NOW)
    renewed_four_times = anyio.Event()
    renewals: list[None] = []

    async def quick_sleep(seconds: float) -> None:
        if len(renewals) == 4:
            renewed_four_times.set()
        renewals.append(None)
        time.now += timedelta(seconds=seconds)
        await anyio.lowlevel.checkpoint()

    lease = RunnerLease(store, ttl_s=30, clock=time.clock, holder="me:1:a", sleep=quick_sleep)
    with anyio.fail_after(5):
        async with lease.held():
            await renewed_four_times.wait()  # renewals every 10 s: now well past a 30 s lease
            assert not lease.lost.is_set()
            assert not store.acquire_lease("sync:default", "other:2:b", 30, time.now)
    assert store.acquire_lease("sync:default", "other:2:b", 30, time.now)


async def test_a_lost_lease_is_reported(store: SqlStore) -> None:
    time = FakeTime(NOW)

    async def jump(seconds: float) -> None:
        time.now += timedelta(seconds=seconds * 10)  # stalled far past the lease
        store.acquire_lease("sync:default", OTHER, 120, time.now)
        await anyio.lowlevel.checkpoint()

    lease = RunnerLease(store, ttl_s=30, clock=time.clock, holder="me:1:a", sleep=jump)
    with anyio.fail_after(5):
        async with lease.held():
            await lease.lost.wait()
    # The new holder keeps its lease: leaving the block gives up only what is ours.
    assert not store.acquire_lease("sync:default", "third:3:c", 120, time.now)


async def test_the_daemon_stops_when_its_lease_is_taken(store: SqlStore) -> None:
    time, stop = FakeTime(NOW), anyio.Event()

    async def stall(seconds: float) -> None:
        await anyio.sleep(0.05)
        time.now += timedelta(minutes=10)  # stalled past the lease; another runner took it
        store.acquire_lease("sync:default", OTHER, 120, time.now)

    cycle = RecordingCycle(store, time, stop, limit=99)
    lease = RunnerLease(store, ttl_s=120, clock=time.clock, holder="me:1:a", sleep=stall)
    runtime = RuntimeSettings(store, file_values("daily"))
    daemon = build_daemon(store, time, cycle, runtime, lease=lease)
    with anyio.fail_after(5), pytest.raises(LeaseLost, match="took over the runner lease"):
        await daemon.run(stop)
    assert not store.acquire_lease("sync:default", "third:3:c", 120, time.now)
