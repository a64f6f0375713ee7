"""The Autotask PSA REST simulator: one object holding the database, limits and ASGI app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from orderbridge.simulators._common import SimState, SimulatorServer, common_admin_routes
from orderbridge.simulators.scenario import Scenario, ScenarioOrder, builtin_scenario, load_scenario

from .admin import autotask_admin_routes
from .api import AutotaskApi, unexpected_error
from .config import AutotaskSimConfig
from .database import AutotaskDatabase
from .gateway import AutotaskFaultResponder, AutotaskGateway, endpoint_resolver
from .limits import HourlyCounter, ThreadGate
from .paging import CursorRegistry
from .rendering import render_record
from .seeding import ScenarioLoader, SeedSummary

__all__ = ["AutotaskSimulator", "build_server", "serve"]

_ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


class AutotaskSimulator:
    """A simulated Autotask database served as an ASGI app (``sim.app``).

    Example::

        sim = AutotaskSimulator()
        sim.load_scenario(builtin_scenario("demo"))
        with SimulatorServer(sim.app) as server:
            ...  # point a client at f"{server.url}/ATServicesRest/V1.0/"
    """

    def __init__(
        self, config: AutotaskSimConfig | None = None, *, state: SimState | None = None
    ) -> None:
        self.config = config if config is not None else AutotaskSimConfig()
        self.state = state if state is not None else SimState()
        self.db = AutotaskDatabase(self.config, self.state.clock)
        self.counter = HourlyCounter(
            self.state.clock, self.config.hourly_threshold, self.config.threshold_timeframe_minutes
        )
        self.threads = ThreadGate(self.config.thread_limit)
        self.cursors = CursorRegistry(self.config.paging_cursors_kept)
        self.api = AutotaskApi(self.db, self.config, self.counter, self.cursors)
        self.app = AutotaskGateway(
            self._starlette(),
            state=self.state,
            endpoint_of=endpoint_resolver(self.db.catalog),
            responder=AutotaskFaultResponder(self.config),
            config=self.config,
            counter=self.counter,
            threads=self.threads,
        )

    def _starlette(self) -> Starlette:
        async def on_error(request: Request, exc: Exception) -> Response:
            return unexpected_error()

        routes = [
            *common_admin_routes(self.state, on_reset=self.reset),
            *autotask_admin_routes(self),
            Route("/{path:path}", self.api.handle, methods=_ALL_METHODS),
        ]
        return Starlette(routes=routes, exception_handlers={Exception: on_error})

    def load_scenario(self, scenario: Scenario) -> SeedSummary:
        """Create the vendor companies, products, POs and items a scenario describes."""
        return ScenarioLoader(self.db).load(scenario)

    def create_purchase_order(self, order: ScenarioOrder, *, vendor: str | None = None) -> int:
        """Create one PO (and its vendor, products, items) from a scenario order; returns its id."""
        default_vendor = vendor or Scenario().vendor_name
        return ScenarioLoader(self.db).order(order, default_vendor)

    def reset(self) -> None:
        """Drop every record, paging token and counted request (back to the seed data)."""
        self.db.seed()
        self.cursors.clear()
        self.counter.set_current(0)

    def purchase_order(self, po_id: int) -> dict[str, Any] | None:
        """One PO as the API would return it, or None."""
        spec = self.db.catalog.by_path("PurchaseOrders")
        assert spec is not None
        with self.db.lock:
            record = self.db.table(spec.path).get(po_id)
            return None if record is None else render_record(spec, record)

    def purchase_orders(self) -> list[dict[str, Any]]:
        """Every PO as the API would return it, in id order."""
        spec = self.db.catalog.by_path("PurchaseOrders")
        assert spec is not None
        with self.db.lock:
            return [render_record(spec, r) for r in self.db.table(spec.path)]

    def items_of(self, po_id: int) -> list[dict[str, Any]]:
        """The items of one PO as the API would return them, in id order."""
        spec = self.db.catalog.by_path("PurchaseOrderItems")
        assert spec is not None
        with self.db.lock:
            return [render_record(spec, r) for r in self.db.table(spec.path).children_of(po_id)]

    def set_purchase_order_status(self, po_id: int, label: str) -> None:
        """Change a PO's status as a person in Autotask would (e.g. receive it in full)."""
        spec = self.db.catalog.by_path("PurchaseOrders")
        assert spec is not None
        with self.db.lock:
            record = self.db.table(spec.path).get(po_id)
            if record is None:
                raise KeyError(f"no purchase order {po_id}")
            record["status"] = self.db.config.status(label)

    def threshold_json(self) -> dict[str, int]:
        """Hourly threshold and current count (admin API)."""
        return {"threshold": self.counter.threshold, "current": self.counter.current()}


def _resolve_scenario(scenario: Scenario | str | Path | None) -> Scenario | None:
    if scenario is None or isinstance(scenario, Scenario):
        return scenario
    path = Path(scenario)
    if path.suffix in (".yaml", ".yml", ".json") or path.exists():
        return load_scenario(path)
    return builtin_scenario(str(scenario))


def build_server(
    port: int = 0,
    host: str = "127.0.0.1",
    scenario: Scenario | str | Path | None = None,
    config: AutotaskSimConfig | None = None,
) -> tuple[AutotaskSimulator, SimulatorServer]:
    """A simulator (with ``scenario`` loaded: a Scenario, a built-in name or a file path) and
    an unstarted server for it."""
    sim = AutotaskSimulator(config)
    resolved = _resolve_scenario(scenario)
    if resolved is not None:
        sim.load_scenario(resolved)
    return sim, SimulatorServer(sim.app, host=host, port=port)


def serve(
    port: int,
    host: str = "127.0.0.1",
    scenario: Scenario | str | Path | None = None,
    config: AutotaskSimConfig | None = None,
) -> None:
    """Run the simulator on ``host:port`` until interrupted (``orderbridge simulate autotask``)."""
    _, server = build_server(port, host, scenario, config)
    server.serve_forever()
