"""Carrier tracking inside real sync cycles: Autotask, TD SYNNEX and carrier simulators on sockets.

The scenario ships one order by FedEx (three cartons) and one by UPS; the carrier simulators
load the same scenario and script each package's scans relative to the load time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from orderbridge.bootstrap import SyncServices, sync_services
from orderbridge.domain.events import CarrierException
from orderbridge.domain.history import HistorySource, RunReport
from orderbridge.domain.package_tracking import PackageStatus
from orderbridge.settings import Settings
from orderbridge.simulators._common import FaultKind, FaultRule, SimulatorServer
from orderbridge.simulators.carriers import CarrierSimulator
from orderbridge.simulators.scenario import (
    Scenario,
    ScenarioCarrier,
    ScenarioCarrierEvent,
    ScenarioLine,
    ScenarioOrder,
    TdState,
)
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams, simulated_upstreams

pytestmark = pytest.mark.anyio

NOW = datetime.now(UTC).replace(microsecond=0)
LINE = ScenarioLine(
    sku="7215633",
    mfg_pn="LAT5440",
    description="Dell Latitude 5440",
    quantity=3,
    unit_price=Decimal("1089.00"),
)


def _order(
    po: str, method: str, events: list[tuple[str, float, str | None]], **carrier: Any
) -> ScenarioOrder:
    return ScenarioOrder(
        po_number=po,
        state=TdState.SHIPPED,
        ship_method=method,
        packages=3 if method == "FG" else 1,
        lines=[LINE],
        carrier=ScenarioCarrier(
            events=[ScenarioCarrierEvent(status=s, hours=h, description=d) for s, h, d in events],
            **carrier,
        ),
    )


# Scan times are hours after TD SYNNEX shipped the order (at about NOW in this scenario).
SCENARIO = Scenario(
    name="carriers",
    orders=[
        _order(
            "PO-FDX",
            "FG",
            [("picked_up", 1, None), ("in_transit", 10, None), ("delivered", 30, None)],
            signed_by="J SMITH",
            left_at="Front Door",
        ),
        _order(
            "PO-UPS",
            "UPG",
            [
                ("in_transit", 5, None),
                ("exception", 28, "ADDRESS INCOMPLETE"),
                ("delivered", 34, None),
            ],
            signed_by="RECEPTION",
        ),
    ],
)


class Clock:
    """The sync's clock, moved together with the carrier simulators' clocks."""

    def __init__(self, sims: list[CarrierSimulator]) -> None:
        self.at = NOW
        self.sims = sims

    def __call__(self) -> datetime:
        return self.at

    def advance(self, hours: float) -> None:
        self.at += timedelta(hours=hours)
        for sim in self.sims:
            sim.state.clock.set(self.at)


class World:
    def __init__(
        self,
        upstreams: SimulatedUpstreams,
        sims: dict[str, CarrierSimulator],
        urls: dict[str, str],
        database: Path,
    ) -> None:
        self.upstreams = upstreams
        self.sims = sims
        self.urls = urls
        self.database = database
        self.clock = Clock(list(sims.values()))

    def settings(self) -> Settings:
        values = self.upstreams.settings_dict(self.database)
        carriers: dict[str, Any] = {}
        for name, sim in self.sims.items():
            section: dict[str, Any] = {"base_url": self.urls[name]}
            if name == "dhl":
                section["api_key"] = sim.config.api_key
            else:
                section["client_id"] = sim.config.client_id
                section["client_secret"] = sim.config.client_secret
            carriers[name] = section
        values["carriers"] = carriers
        return Settings.model_validate(values)

    def track_calls(self, name: str) -> int:
        counts: dict[str, dict[str, int]] = self.sims[name].state.counters()["requests"]
        return sum(counts.get("track", {}).values())


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    sims = {name: CarrierSimulator(name) for name in ("ups", "fedex", "usps", "dhl")}
    for sim in sims.values():
        sim.state.clock.set(NOW)
        sim.load_scenario(SCENARIO)
    with simulated_upstreams(SCENARIO, now=NOW) as upstreams, ExitStack() as stack:
        urls = {n: stack.enter_context(SimulatorServer(s.app)).url for n, s in sims.items()}
        yield World(upstreams, sims, urls, tmp_path / "orderbridge.db")


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
