"""Fixtures: a TD SYNNEX simulator on a real loopback port, with its clock pinned."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from orderbridge.simulators._common import SimulatorServer
from orderbridge.simulators.tdsynnex import TdSynnexSimulator
from tests.integration.simulators.tdsynnex.pinned_simulator import make_simulator


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
