"""Stopping a cycle part way, and the status scope deciding which orders a cycle checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import anyio
import pytest

from orderbridge.adapters.store import SqlStore
from orderbridge.application.scope import ScopeResolver
from orderbridge.application.sync import NotChecked, SyncService
from orderbridge.domain.history import OrderOutcome
from orderbridge.domain.models import DistributorOrder
from orderbridge.domain.scope import StatusScope
from tests.integration.application.sync_fakes import (
    NOW,
    VENDOR,
    FakePurchaseOrders,
    ScriptedDistributor,
    accepted,
    shipped,
)
from tests.integration.application.sync_fakes import purchase_order as po

pytestmark = pytest.mark.anyio


@dataclass
class GatedDistributor(ScriptedDistributor):
    """Holds the first status call until ``release`` is set."""

    entered: anyio.Event = field(default_factory=anyio.Event)
    release: anyio.Event = field(default_factory=anyio.Event)

    async def get_order_status(self, po_number: str) -> DistributorOrder:
        """The scripted answer, after the gate opens."""
        if not self.entered.is_set():
            self.entered.set()
            await self.release.wait()
        return await super().get_order_status(po_number)


@dataclass
class Vendors:
    """Every name is our vendor."""

    async def vendor_ids_by_name(self, name: str) -> list[int]:
        """The one vendor."""
        return [VENDOR]


def service_for(
    store: SqlStore,
    autotask: FakePurchaseOrders,
    tdsynnex: ScriptedDistributor,
    scope: str = "active",
    concurrency: int = 8,
) -> SyncService:
    """A sync service whose status scope is ``scope``."""

    async def status_scope() -> StatusScope:
        return StatusScope.parse(scope)

    resolver = ScopeResolver(Vendors(), ["Submitted"], status_scope=status_scope, clock=lambda: NOW)
    return SyncService(
        purchase_orders=autotask,
        distributor=tdsynnex,
        store=store,
        scope=resolver,
        excludes=resolver.excludes,
        clock=lambda: NOW,
        concurrency=concurrency,
    )


async def test_stop_lets_the_order_in_flight_finish_and_skips_the_rest(store: SqlStore) -> None:
    autotask, tdsynnex = FakePurchaseOrders(), GatedDistributor()
    for n in (1, 2, 3):
        autotask.add(po(n, f"PO-{n}"))
        tdsynnex.orders[f"PO-{n}"] = shipped(f"PO-{n}")
    service = service_for(store, autotask, tdsynnex, concurrency=1)
    stop = anyio.Event()
    async with anyio.create_task_group() as group:

        async def stop_mid_cycle() -> None:
            await tdsynnex.entered.wait()
            stop.set()
            tdsynnex.release.set()

        group.start_soon(stop_mid_cycle)
        with anyio.fail_after(5):
            report, results = await service.run_once(stop=stop)
    outcomes = {r.report.po_number: r.report for r in results}
    (done,) = [n for n, r in outcomes.items() if r.outcome is OrderOutcome.UPDATED]
    skipped = {n for n, r in outcomes.items() if r.error == NotChecked.STOPPED}
    assert skipped == {"PO-1", "PO-2", "PO-3"} - {done}
    assert (report.outcome, report.updated, report.skipped) == ("interrupted", 1, 2)
    assert store.load_state("default", done) is not None  # written and committed
    for number in skipped:
        assert store.load_state("default", number) is None
        assert autotask.orders[int(number[-1])].general_memo == ""  # untouched
    assert tdsynnex.status_calls == [done]
    (run,) = store.runs("default")
    assert run.outcome == "interrupted"
    logged = store.run(run.id)
    assert logged is not None
    assert {o.po_number for o in logged.orders if o.error == NotChecked.STOPPED} == skipped


async def test_a_stop_after_the_last_order_leaves_the_run_complete(store: SqlStore) -> None:
    autotask, tdsynnex = FakePurchaseOrders(), ScriptedDistributor()
    autotask.add(po(1, "PO-1"))
    stop = anyio.Event()
    report, _ = await service_for(store, autotask, tdsynnex).run_once(
        stop=stop, on_order=lambda _: stop.set()
    )
    assert report.outcome == "ok"


async def finish(store: SqlStore, number: str, status: str) -> None:
    """Record ``number`` as last seen in ``status``."""
    known = store.load_state("default", number)
    assert known is not None
    state = dict(known.state) | {"status": status}
    store.save_order(
        "default",
        number,
        po_id=known.po_id,
        status=status,
        state=state,
        fingerprint=known.fingerprint + "-finished",
        history=[],
        checked_at=datetime.now(UTC),
    )


async def test_active_scope_checks_finished_orders_no_more(store: SqlStore) -> None:
    autotask, tdsynnex = FakePurchaseOrders(), ScriptedDistributor()
    for n, answer in ((1, shipped("PO-1")), (2, accepted("PO-2")), (3, accepted("PO-3"))):
        autotask.add(po(n, f"PO-{n}"))
        tdsynnex.orders[f"PO-{n}"] = answer
    await service_for(store, autotask, tdsynnex).run_once()
    await finish(store, "PO-1", "Closed")
    await finish(store, "PO-3", "Cancelled")
    tdsynnex.status_calls.clear()
    active, _ = await service_for(store, autotask, tdsynnex, "active").run_once()
    assert tdsynnex.status_calls == ["PO-2"]
    assert (active.monitored, [o.po_number for o in active.orders]) == (1, ["PO-2"])
    tdsynnex.status_calls.clear()
    everything, _ = await service_for(store, autotask, tdsynnex, "all").run_once()
    assert sorted(tdsynnex.status_calls) == ["PO-1", "PO-2", "PO-3"]
    assert everything.monitored == 3
    tdsynnex.status_calls.clear()
    named, _ = await service_for(store, autotask, tdsynnex, "active").run_once(only={"PO-1"})
    assert tdsynnex.status_calls == ["PO-1"]  # an order asked for by name is checked anyway
    assert named.monitored == 1


async def test_scope_shapes_the_autotask_query() -> None:
    async def recent() -> StatusScope:
        return StatusScope.parse("recent:30")

    async def active() -> StatusScope:
        return StatusScope.parse("active")

    labels = ["Submitted", "Received Partial"]
    wide = await ScopeResolver(Vendors(), labels, status_scope=recent, clock=lambda: NOW)()
    assert wide.status_labels == ("Submitted", "Received Partial", "Received Full", "Canceled")
    assert wide.submitted_since == datetime(2026, 4, 4, 12, 0, tzinfo=UTC)
    narrow = await ScopeResolver(Vendors(), labels, status_scope=active, clock=lambda: NOW)()
    assert (narrow.status_labels, narrow.submitted_since) == (tuple(labels), None)
