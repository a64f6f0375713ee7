"""Carrier tracking inside real sync cycles, every upstream a simulator on a real socket."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from orderbridge.bootstrap import SyncServices, sync_services
from orderbridge.domain.events import CarrierException
from orderbridge.domain.history import HistorySource, RunReport
from orderbridge.domain.package_tracking import PackageStatus
from orderbridge.simulators._common import FaultKind, FaultRule
from tests.integration.carriers.world import World, running_world

pytestmark = pytest.mark.anyio


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with running_world(tmp_path / "orderbridge.db") as started:
        yield started


async def cycle(services: SyncServices, **kwargs: Any) -> RunReport:
    report, _ = await services.sync.run_once(**kwargs)
    assert report.outcome in ("ok", "partial"), report.error
    return report


async def test_a_carrier_confirmed_delivery_lands_in_autotask(world: World) -> None:
    async with sync_services(world.settings(), clock=world.clock) as services:
        await cycle(services)  # TD SYNNEX: shipped; packages are tracked from the next cycle
        assert world.track_calls("fedex") == 0
        world.clock.advance(31)
        _, results = await services.sync.run_once()
        assert world.track_calls("fedex") == 1  # three cartons, one batched request
        world.clock.advance(1)
        await cycle(services)  # delivered is final: nobody asks again
        assert world.track_calls("fedex") == 1
        history = services.store.history("default", "PO-FDX")
    fdx = next(r for r in results if r.report.po_number == "PO-FDX")
    assert fdx.state is not None
    assert fdx.state.status == "Delivered"
    tracking = fdx.state.shipments[0].tracking
    assert tracking is not None
    assert tracking.delivered_at is not None
    delivered_day = tracking.delivered_at.date().isoformat()
    po = world.upstreams.po("PO-FDX")
    assert "Status: Delivered" in po["generalMemo"]
    assert f"Delivered: {delivered_day}" in po["generalMemo"]
    assert f"FedEx confirmed delivery {tracking.delivered_at:%Y-%m-%d %H:%M}" in po["generalMemo"]
    assert "signed by J SMITH" in po["generalMemo"]
    assert "Front Door" in po["generalMemo"]
    assert tracking.weight is not None
    assert str(tracking.weight) in po["generalMemo"]  # the carrier's weight, e.g. "12.3 LB"
    items = world.upstreams.items("PO-FDX")
    assert {i["estimatedArrivalDate"][:10] for i in items} == {delivered_day}
    carrier_lines = [h for h in history if h.source is HistorySource.CARRIER]
    assert any("confirmed delivery" in h.summary for h in carrier_lines)
    assert any(h.to_status == "Delivered" for h in carrier_lines)


async def test_exception_then_delivered(world: World) -> None:
    async with sync_services(world.settings(), clock=world.clock) as services:
        await cycle(services)
        world.clock.advance(29)
        _, results = await services.sync.run_once()
        ups = next(r for r in results if r.report.po_number == "PO-UPS")
        assert ups.plan is not None
        assert ups.state is not None
        trouble = [e for e in ups.plan.events if isinstance(e, CarrierException)]
        assert [e.problem for e in trouble] == ["delivery exception: ADDRESS INCOMPLETE"]
        assert ups.state.status == "Shipped"
        assert "exception" in world.upstreams.po("PO-UPS")["generalMemo"]
        world.clock.advance(1)  # inside the exception interval: not asked again yet
        calls = world.track_calls("ups")
        await cycle(services)
        assert world.track_calls("ups") == calls
        world.clock.advance(5)
        _, results = await services.sync.run_once()
    ups = next(r for r in results if r.report.po_number == "PO-UPS")
    assert ups.state is not None
    assert ups.state.status == "Delivered"
    tracking = ups.state.shipments[0].tracking
    assert tracking is not None
    assert tracking.status is PackageStatus.DELIVERED
    assert tracking.signed_by == "RECEPTION"


async def test_resync_tracks_the_orders_packages_at_once(world: World) -> None:
    world.clock.advance(31)
    async with sync_services(world.settings(), clock=world.clock) as services:
        report = await cycle(services, only={"PO-FDX"})
    assert world.track_calls("fedex") == 1
    assert report.orders[0].status == "Delivered"


async def test_a_carrier_that_is_down_leaves_td_synnex_tracking_going(world: World) -> None:
    world.sims["fedex"].state.faults.add(FaultRule(kind=FaultKind.HTTP_503))
    async with sync_services(world.settings(), clock=world.clock) as services:
        await cycle(services)
        world.clock.advance(31)
        report = await cycle(services)
        assert report.outcome == "ok"
        assert {o.po_number: o.status for o in report.orders}["PO-FDX"] == "Shipped"
        assert report.requests.get("FedEx", 0) >= 1
        world.sims["fedex"].state.faults.clear()
        world.clock.advance(1)  # never answered, so asked again at once
        report = await cycle(services)
    assert {o.po_number: o.status for o in report.orders}["PO-FDX"] == "Delivered"
