"""A carrier scenario on Autotask, TD SYNNEX and the four carrier simulators, on sockets.

The scenario ships one order by FedEx (three cartons) and one by UPS; the carrier simulators
load the same scenario and script each package's scans after its TD SYNNEX ship time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from orderbridge.settings import Settings
from orderbridge.simulators._common import SimulatorServer
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


@contextmanager
def running_world(database: Path) -> Iterator[World]:
    sims = {name: CarrierSimulator(name) for name in ("ups", "fedex", "usps", "dhl")}
    for sim in sims.values():
        sim.state.clock.set(NOW)
        sim.load_scenario(SCENARIO)
    with simulated_upstreams(SCENARIO, now=NOW) as upstreams, ExitStack() as stack:
        urls = {n: stack.enter_context(SimulatorServer(s.app)).url for n, s in sims.items()}
        yield World(upstreams, sims, urls, database)
