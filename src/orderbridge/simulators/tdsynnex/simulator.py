"""The TD SYNNEX SynnexXML simulator: service routes, admin API and lifecycle control."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from starlette.applications import Starlette

from orderbridge.simulators._common import (
    LifecycleTicker,
    SimState,
    SimulatorMiddleware,
    SimulatorServer,
    common_admin_routes,
)
from orderbridge.simulators.scenario import Scenario, ScenarioOrder, TdErrorStyle, TdState

from .admin import admin_routes
from .app import SynnexXmlService, endpoint_of
from .config import TdSynnexSimConfig
from .gateway import GatewayResponder
from .orders import OrderBook, OrderRecord
from .seeding import check_variants, install, resolve_scenario

__all__ = ["TdSynnexSimulator", "serve"]


class TdSynnexSimulator:
    """A local SynnexXML service (POStatus, invoice query) with ``/_sim/`` admin routes.

    Example::

        sim = TdSynnexSimulator()
        sim.load_scenario(builtin_scenario("demo"))
        with SimulatorServer(sim.app) as server:
            ...  # POST XML to f"{server.url}/SynnexXML/POStatus"
    """

    def __init__(self, config: TdSynnexSimConfig | None = None) -> None:
        self.config = config or TdSynnexSimConfig()
        self.state = SimState()
        self.orders = OrderBook()
        self._scenario: Scenario | None = None
        self.service = SynnexXmlService(self.config, self.orders, self.state.clock)
        routes = [
            *self.service.routes(),
            *common_admin_routes(self.state, on_reset=self._restore),
            *admin_routes(self),
        ]
        self.app = SimulatorMiddleware(
            Starlette(routes=routes),
            state=self.state,
            endpoint_of=endpoint_of,
            responder=GatewayResponder(),
        )

    def load_scenario(self, scenario: Scenario | str | Path, *, replace: bool = True) -> int:
        """Load a scenario's orders (replacing the current ones unless ``replace=False``)."""
        resolved = resolve_scenario(scenario)
        count = install(self.orders, resolved, self.state.clock.now(), replace=replace)
        self._scenario = resolved if replace or self._scenario is None else self._scenario
        if resolved.error_style is not None:
            self.service.error_style = resolved.error_style
        return count

    @property
    def error_style(self) -> TdErrorStyle:
        """The error-element form refused requests are answered with."""
        return self.service.error_style

    @error_style.setter
    def error_style(self, style: TdErrorStyle | str) -> None:
        self.service.error_style = TdErrorStyle(style)

    def add_order(self, order: ScenarioOrder, customer_number: str | None = None) -> TdState:
        """Create (or replace) one order in its scenario state; returns that state."""
        check_variants(order)
        account = customer_number or self.config.customer_number
        return self.orders.add(order, account, self.state.clock.now()).state

    def record(self, po_number: str) -> OrderRecord:
        """The record of one order (``KeyError`` when unknown)."""
        return self.orders.require(po_number)

    def advance(self, po_number: str, to: TdState | str | None = None) -> TdState:
        """Move an order one lifecycle step, or jump forward to ``to``; returns the new state."""
        target = None if to is None else TdState(to)
        return self.orders.advance(po_number, target, self.state.clock.now())

    def advance_all(self) -> int:
        """Move every order one step; returns how many moved."""
        return self.orders.advance_all(self.state.clock.now())

    def order_state(self, po_number: str) -> TdState:
        """The state an order is in now."""
        return self.orders.require(po_number).state

    def reset(self) -> None:
        """Counters, faults and clock back to start; orders back to the loaded scenario."""
        self.state.reset()
        self._restore()

    def _restore(self) -> None:
        self.orders.clear()
        self.service.error_style = self.config.error_style
        if self._scenario is not None:
            install(self.orders, self._scenario, self.state.clock.now())
            if self._scenario.error_style is not None:
                self.service.error_style = self._scenario.error_style


def serve(
    port: int,
    host: str = "127.0.0.1",
    scenario: Scenario | str | Path | None = None,
    config: TdSynnexSimConfig | None = None,
    *,
    advance_every_s: float | None = None,
    announce: Callable[[str], None] | None = None,
) -> None:
    """Run the simulator on ``host:port`` until interrupted; ``announce`` gets its base URL once
    it listens (the real port, also for port 0), and with ``advance_every_s`` every order moves
    one lifecycle step that often."""
    sim = TdSynnexSimulator(config)
    if scenario is not None:
        sim.load_scenario(scenario)
    with SimulatorServer(sim.app, host=host, port=port) as server:
        if announce is not None:
            announce(server.url)
        if advance_every_s is None:
            server.wait()
            return
        with LifecycleTicker(server.url, advance_every_s):
            server.wait()
