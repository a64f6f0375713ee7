"""Fixtures: a TD SYNNEX simulator on a real loopback port, with its clock pinned."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx2
import pytest

from orderbridge.simulators._common import SimulatorServer
from orderbridge.simulators.tdsynnex import TdSynnexSimConfig, TdSynnexSimulator

PINNED_NOW = datetime(2026, 5, 4, 12, 0, 0, tzinfo=UTC)


def make_simulator(config: TdSynnexSimConfig | None = None) -> TdSynnexSimulator:
    """A simulator whose clock is pinned, so replayed dates are deterministic."""
    sim = TdSynnexSimulator(config)
    sim.state.clock.set(PINNED_NOW)
    return sim


@pytest.fixture
def sim() -> TdSynnexSimulator:
    """A fresh simulator with default config and no orders."""
    return make_simulator()


@pytest.fixture
def server(sim: TdSynnexSimulator) -> Iterator[SimulatorServer]:
    """The simulator served on an ephemeral loopback port."""
    with SimulatorServer(sim.app) as running:
        yield running


@pytest.fixture
def client(server: SimulatorServer) -> Iterator[httpx2.Client]:
    """An HTTP client for the served simulator."""
    with httpx2.Client(base_url=server.url, timeout=5.0) as http:
        yield http
