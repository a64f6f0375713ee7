"""One carrier's tracking API as a local server: UPS, FedEx, USPS or DHL."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response

from orderbridge.simulators._common import (
    SimState,
    SimulatorMiddleware,
    SimulatorServer,
    common_admin_routes,
)
from orderbridge.simulators.scenario import Scenario, builtin_scenario, load_scenario

from .access import CarrierAccess
from .admin import admin_routes
from .config import CarrierSimConfig, default_config
from .packages import CARRIERS, PackageBook
from .scenario import scenario_packages
from .service import PROBLEM, CarrierService, error_body

__all__ = ["CarrierSimulator", "serve"]


class _Responder:
    """Injected faults in the carrier's own error shape."""

    def __init__(self, carrier: str) -> None:
        self._carrier = carrier

    def error_response(self, status: int, retry_after: int | None) -> Response:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        words = {429: "Too Many Requests", 500: "Internal Server Error"}.get(
            status, "Service Unavailable"
        )
        media = PROBLEM if self._carrier == "dhl" else "application/json"
        body = error_body(self._carrier, status, str(status), words)
        return JSONResponse(body, status_code=status, headers=headers, media_type=media)

    def malformed_response(self) -> Response:
        return Response(b'{"trackResponse": {"shipment": [{"pack', media_type="application/json")


def _endpoint_of(method: str, path: str) -> str:
    return "token" if "oauth" in path else "track"


class CarrierSimulator:
    """A local tracking API for one carrier with ``/_sim/`` admin routes.

    Example::

        sim = CarrierSimulator("fedex")
        with SimulatorServer(sim.app) as server:
            ...  # POST f"{server.url}/oauth/token", then /track/v1/trackingnumbers
    """

    def __init__(self, carrier: str, config: CarrierSimConfig | None = None) -> None:
        name = carrier.casefold()
        if name not in CARRIERS:
            raise ValueError(f"no carrier simulator for {carrier!r}; use one of {CARRIERS}")
        self.carrier = name
        self.config = config or default_config(name)
        self.state = SimState()
        self.book = PackageBook()
        self.access = CarrierAccess()
        self._scenario: Scenario | None = None
        self.service = CarrierService(lambda: self.config, self.book, self.state.clock, self.access)
        routes = [
            *self.service.routes(),
            *common_admin_routes(self.state, on_reset=self._restore),
            *admin_routes(self),
        ]
        self.app = SimulatorMiddleware(
            Starlette(routes=routes),
            state=self.state,
            endpoint_of=_endpoint_of,
            responder=_Responder(name),
        )

    def load_scenario(self, scenario: Scenario | str | Path) -> int:
        """Replace the packages with a scenario's (``demo`` for the built-in one)."""
        if isinstance(scenario, Scenario):
            resolved = scenario
        elif str(scenario) == "demo" and not Path(str(scenario)).exists():
            resolved = builtin_scenario("demo")
        else:
            resolved = load_scenario(scenario)
        self._scenario = resolved
        self.book.clear()
        return self._install()

    def _install(self) -> int:
        if self._scenario is None:
            return 0
        packages = scenario_packages(self._scenario, self.carrier, self.state.clock.now())
        for package in packages:
            self.book.put(package)
        return len(packages)

    def reset(self) -> None:
        """Counters, faults, clock, tokens and config back to start; packages to the scenario."""
        self.state.reset()
        self._restore()

    def _restore(self) -> None:
        self.book.clear()
        self.access.reset()
        self.config = default_config(self.carrier)
        self._install()


def serve(
    carrier: str,
    port: int,
    host: str = "127.0.0.1",
    scenario: Scenario | str | Path | None = None,
) -> None:
    """Run one carrier's simulator until interrupted (``orderbridge simulate ups``)."""
    sim = CarrierSimulator(carrier)
    if scenario is not None:
        sim.load_scenario(scenario)
    SimulatorServer(sim.app, host=host, port=port, log_level="info").serve_forever()
