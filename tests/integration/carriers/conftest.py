"""Carrier simulators on real loopback sockets, and clients pointed at them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
import pytest

from orderbridge.adapters.carriers import CarrierAccount, Tracker, build_tracker
from orderbridge.simulators._common import SimulatorServer
from orderbridge.simulators.carriers import CARRIERS, CarrierSimulator

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Running:
    """A carrier simulator on a real socket, its admin API and a clock shared with clients."""

    def __init__(self, sim: CarrierSimulator, server: SimulatorServer) -> None:
        self.sim = sim
        self.server = server
        self.url = server.url
        sim.state.clock.set(NOW)

    def now(self) -> datetime:
        return self.sim.state.clock.now()

    def advance(self, **delta: float) -> None:
        self.sim.state.clock.advance(timedelta(**delta))

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        response = httpx2.request(method, f"{self.url}/_sim/{path}", json=body, timeout=5)
        assert response.status_code < 300, response.text
        return response.json()

    def package(self, number: str, *events: tuple[str, float], **extra: Any) -> None:
        """Seed a package whose scans happen ``hours`` from now."""
        body = {
            "tracking_number": number,
            "shipped_at": (self.now() - timedelta(days=2)).isoformat(),
            "events": [
                {"status": status, "at": (self.now() + timedelta(hours=h)).isoformat()}
                for status, h in events
            ],
            **extra,
        }
        self.admin("POST", "packages", body)

    def tracker(self, clock: Callable[[], datetime] | None = None, **overrides: Any) -> Tracker:
        config = self.sim.config
        account = CarrierAccount(
            self.sim.carrier,
            client_id=config.client_id,
            client_secret=config.client_secret,
            api_key=config.api_key,
            base_url=self.url,
            max_wait_s=3.0,
        )
        for key, value in overrides.items():
            account = account.__class__(**{**_fields(account), key: value})
        return build_tracker(account, clock=clock or self.now)

    def counters(self) -> dict[str, Any]:
        data: dict[str, Any] = self.admin("GET", "counters")
        return data


def _fields(account: CarrierAccount) -> dict[str, Any]:
    return {k: getattr(account, k) for k in account.__dataclass_fields__}


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, Running]]:
    sims = {name: CarrierSimulator(name) for name in CARRIERS}
    started = {name: SimulatorServer(sim.app) for name, sim in sims.items()}
    for server in started.values():
        server.start()
    try:
        yield {name: Running(sims[name], started[name]) for name in CARRIERS}
    finally:
        for server in started.values():
            server.stop()


@pytest.fixture
def carriers(servers: dict[str, Running]) -> dict[str, Running]:
    for running in servers.values():
        running.sim.reset()
        running.sim.state.clock.set(NOW)
    return servers
