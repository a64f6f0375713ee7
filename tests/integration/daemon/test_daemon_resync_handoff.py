"""``resync`` never writes beside another runner: it hands the order to the daemon, or refuses.

Two object graphs share one SQLite file, as ``orderbridge run`` and ``orderbridge resync`` do
from two processes; both simulators answer over loopback.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import anyio
import pytest

from orderbridge.adapters.store import SqlStore
from orderbridge.application.cycle import GuardedSync
from orderbridge.application.lease import LeaseHeld
from orderbridge.bootstrap import sync_services, utc_now
from orderbridge.domain.history import OrderOutcome, RunOutcome, RunTrigger
from orderbridge.settings import load_settings
from tests.integration.application.daemon_fakes import FakeTime
from tests.integration.daemon.test_daemon_cycles import change, eventually, running_daemon, runs
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams

pytestmark = pytest.mark.anyio


async def test_resync_while_the_daemon_runs_is_checked_by_the_daemon(
    upstreams: SimulatedUpstreams, config: Path, database: Path
) -> None:
    settings = load_settings(config)
    async with running_daemon(settings, FakeTime(datetime.now(UTC))):
        await eventually(lambda: len(runs(database)) >= 1)
        change(settings, "enabled", "false")  # no scheduled cycle may check it first
        await eventually(lambda: all(r.outcome is not RunOutcome.RUNNING for r in runs(database)))
        upstreams.tdsynnex.advance("PO-10001")
        async with sync_services(settings) as other:
            with anyio.fail_after(30):
                result = await other.guarded.resync("PO-10001")
    assert result.by_daemon
    assert result.order is not None
    assert result.order.report.outcome is OrderOutcome.UPDATED
    resyncs = [r for r in runs(database) if r.trigger is RunTrigger.RESYNC]
    assert len(resyncs) == 1
    assert resyncs[0].checked == 1


async def test_resync_beside_a_one_off_sync_is_refused_and_writes_nothing(
    upstreams: SimulatedUpstreams, config: Path, database: Path
) -> None:
    settings = load_settings(config)
    # Another process (a `sync --once`: it serves no resync requests) holds the runner lease.
    with SqlStore.open(settings.store.url) as store:
        assert store.acquire_lease("sync:default", "otherhost:99:abcd", 120, datetime.now(UTC))
    patches = upstreams.patches()
    async with sync_services(settings) as services:
        guarded = GuardedSync(
            sync=services.sync,
            guard=services.guarded.guard,
            store=services.store,
            clock=utc_now,
            claim_wait_s=0.5,
        )
        with pytest.raises(LeaseHeld, match="otherhost"):
            await guarded.resync("PO-10001")
        assert services.store.claim_resync_requests("default", utc_now()) == []
    assert upstreams.patches() == patches
    assert runs(database) == []
