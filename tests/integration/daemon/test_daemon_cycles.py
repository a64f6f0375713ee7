"""The daemon in-process against both simulators over loopback: schedule, switch, scope, frequency.

Settings are changed through a second store connection, the way ``orderbridge settings`` or the
dashboard change them from another process while the daemon runs.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest

from orderbridge.adapters.store import RunRecord, SqlStore
from orderbridge.bootstrap import SyncServices, runtime_settings, sync_services
from orderbridge.settings import Settings, load_settings
from tests.integration.application.daemon_fakes import FakeTime
from tests.integration.daemon.daemon_config import write_config
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams

pytestmark = pytest.mark.anyio


async def eventually(check: Callable[[], bool], within_s: float = 20.0) -> None:
    """Wait until ``check()`` holds, failing after ``within_s`` seconds.

    The conditions live in other processes' views (the store, the simulators), so there is no
    event to wait on: poll.
    """
    with anyio.fail_after(within_s):
        while not await anyio.to_thread.run_sync(check):  # noqa: ASYNC110
            await anyio.sleep(0.05)


def runs(database: Path) -> list[RunRecord]:
    """Every run in the activity log, newest first (read through a fresh connection)."""
    with SqlStore(f"sqlite:///{database}") as store:
        return store.runs("default", limit=1000)


def change(settings: Settings, key: str, value: str) -> None:
    """Change a runtime setting from outside the daemon."""
    with SqlStore(settings.store.url) as store:
        runtime_settings(settings, store).set(key, value)


@asynccontextmanager
async def running_daemon(settings: Settings, time: FakeTime) -> AsyncIterator[SyncServices]:
    """The daemon on ``time``, polling its settings every 0.1 s of it, until the block ends.

    Its sleeps move ``time`` on at once, so "nothing ran for three gaps" is read off its clock
    instead of waited out.
    """
    stop = anyio.Event()
    async with (
        sync_services(settings, clock=time.clock) as services,
        anyio.create_task_group() as group,
    ):
        daemon = services.daemon(clock=time.clock, sleep=time.sleep, poll_s=0.1)
        group.start_soon(daemon.run, stop)
        try:
            yield services
        finally:
            stop.set()


async def lived_through(time: FakeTime, seconds: float) -> None:
    """Wait until the daemon has slept ``seconds`` of its clock from now."""
    until = time.now + timedelta(seconds=seconds)
    await eventually(lambda: time.now >= until)


def settled(database: Path) -> bool:
    """No run is in progress."""
    return all(run.outcome != "running" for run in runs(database))


async def test_realtime_cycles_stop_when_disabled_and_resume_when_enabled(
    upstreams: SimulatedUpstreams, config: Path, database: Path
) -> None:
    settings, time = load_settings(config), FakeTime(datetime.now(UTC))
    async with running_daemon(settings, time):
        await eventually(lambda: len(runs(database)) >= 3)
        change(settings, "enabled", "false")
        naps = len(time.sleeps)  # a second nap after the change follows a read of the switch
        await eventually(lambda: len(time.sleeps) >= naps + 2 and settled(database))
        off_runs, off_patches = len(runs(database)), upstreams.patches()
        memo = upstreams.po("PO-10001")["generalMemo"]
        upstreams.tdsynnex.advance("PO-10001")
        await lived_through(time, 1.5)  # three real-time gaps: nothing may run
        assert (len(runs(database)), upstreams.patches()) == (off_runs, off_patches)
        assert upstreams.po("PO-10001")["generalMemo"] == memo
        change(settings, "enabled", "true")
        await eventually(lambda: upstreams.po("PO-10001")["generalMemo"] != memo)
    assert upstreams.patches() > off_patches
    outcomes = [run.outcome for run in runs(database)]
    assert len(outcomes) > off_runs
    assert set(outcomes) <= {"ok", "interrupted"}
    assert outcomes[-1] == "ok"  # the oldest run, the first full cycle


async def test_frequency_change_takes_effect_without_a_restart(
    upstreams: SimulatedUpstreams, database: Path, tmp_path: Path
) -> None:
    config = write_config(
        upstreams, tmp_path / "hourly.toml", database, frequency="custom:1h", min_gap_s=0.5
    )
    settings, time = load_settings(config), FakeTime(datetime.now(UTC))
    async with running_daemon(settings, time):
        await eventually(lambda: len(runs(database)) == 1 and settled(database))
        await lived_through(time, 1.0)
        assert len(runs(database)) == 1  # the next one is an hour away
        change(settings, "frequency", "realtime")
        await eventually(lambda: len(runs(database)) >= 3, within_s=15)
    first, second = sorted(runs(database), key=lambda r: r.started_at)[:2]
    assert first.finished_at is not None
    assert second.started_at - first.finished_at < timedelta(minutes=1)


def queried_filters(upstreams: SimulatedUpstreams) -> list[list[dict[str, Any]]]:
    """The filters of every PurchaseOrders query, read from the simulator's request log."""
    answer = httpx2.get(
        f"{upstreams.autotask_url}/_sim/requests",
        params={"endpoint": "PurchaseOrders", "limit": "0"},
        timeout=10,
    )
    assert answer.status_code == 200
    return [
        json.loads(record["body"])["filter"]
        for record in answer.json()["requests"]
        if record["method"] == "POST" and record["path"].endswith("/PurchaseOrders/query")
    ]


def condition(filters: list[dict[str, Any]], field: str) -> dict[str, Any] | None:
    """The condition on ``field``, if any."""
    return next((f for f in filters if f.get("field") == field), None)


async def test_the_status_scope_changes_which_pos_are_queried(
    upstreams: SimulatedUpstreams, config: Path
) -> None:
    settings = load_settings(config)
    status = upstreams.autotask.config.status
    monitored = sorted([status("Submitted"), status("Received Partial")])
    every = sorted([*monitored, status("Received Full"), status("Canceled")])
    seen: dict[str, tuple[list[int], dict[str, Any] | None, int]] = {}
    async with sync_services(settings) as services:
        for scope in ("all", "active", "recent:30"):
            change(settings, "scope", scope)
            upstreams.reset_counters()
            report, _ = await services.sync.run_once()
            assert report.outcome == "ok", report.error
            (filters,) = queried_filters(upstreams)
            statuses = condition(filters, "status")
            assert statuses is not None
            assert statuses["op"] == "in"
            since = condition(filters, "submitDateTime")
            seen[scope] = (sorted(statuses["value"]), since, report.monitored)
    assert seen["all"][:2] == (every, None)
    assert seen["active"][:2] == (monitored, None)
    recent_statuses, since, _ = seen["recent:30"]
    assert recent_statuses == every
    assert since is not None
    assert since["op"] == "gte"
    floor = datetime.fromisoformat(since["value"].replace("Z", "+00:00"))
    assert abs(floor - (datetime.now(UTC) - timedelta(days=30))) < timedelta(minutes=5)
    # Active skips the orders the first cycle found finished: fewer TD SYNNEX checks.
    assert seen["active"][2] < seen["all"][2]
