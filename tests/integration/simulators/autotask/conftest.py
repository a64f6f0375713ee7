"""Fixtures: a fresh Autotask simulator per test, served on a loopback port, and clients."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from orderbridge.simulators._common import SimulatorServer
from orderbridge.simulators.autotask import AutotaskSimConfig, AutotaskSimulator
from tests.integration.simulators.autotask.autotask_requests import (
    API,
    SeedPurchaseOrder,
    auth_headers,
    line,
)


@pytest.fixture
def sim_config() -> AutotaskSimConfig:
    """The configuration the ``sim`` fixture uses; override in a test module to change it."""
    return AutotaskSimConfig()


@pytest.fixture
def sim(sim_config: AutotaskSimConfig) -> AutotaskSimulator:
    """A fresh simulator."""
    return AutotaskSimulator(sim_config)


@pytest.fixture
def server(sim: AutotaskSimulator) -> Iterator[SimulatorServer]:
    """The simulator served on a free loopback port."""
    with SimulatorServer(sim.app) as running:
        yield running


@pytest.fixture
def api(server: SimulatorServer, sim: AutotaskSimulator) -> Iterator[httpx2.Client]:
    """An authenticated client whose base URL is ``.../ATServicesRest/V1.0``."""
    with httpx2.Client(
        base_url=f"{server.url}{API}", headers=auth_headers(sim.config), timeout=10
    ) as client:
        yield client


@pytest.fixture
def admin(server: SimulatorServer) -> Iterator[httpx2.Client]:
    """A client for the server root (admin API and unversioned routes)."""
    with httpx2.Client(base_url=server.url, timeout=10) as client:
        yield client


@pytest.fixture
def seed_po(admin: httpx2.Client) -> SeedPurchaseOrder:
    """Create a PO through the admin API: ``seed_po("PO-1", status="New", lines=2)``."""

    def create(
        po_number: str, *, status: str = "Submitted", lines: int = 1, qty: int = 2
    ) -> dict[str, Any]:
        body = {
            "po_number": po_number,
            "autotask": {"status": status},
            "lines": [line(n, qty) for n in range(1, lines + 1)],
        }
        response = admin.post("/_sim/purchase-orders", json=body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    return create


@pytest.fixture
def vendor_id(api: httpx2.Client, sim: AutotaskSimulator) -> int:
    """A vendor company created through the API."""
    response = api.post(
        "/Companies",
        json={
            "companyName": "TD SYNNEX Corporation",
            "companyType": sim.config.company_types["Vendor"],
            "phone": "555-0100",
            "ownerResourceID": 1,
        },
    )
    assert response.status_code == 200, response.text
    return int(response.json()["itemId"])
