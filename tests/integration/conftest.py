"""Fixtures every integration folder shares: the simulator pair, a store path, a config, a runner.

A folder's own conftest overrides one where its tests need something else (the daemon's roomy
Autotask budget, the hostile tests' interceptors).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orderbridge.simulators.autotask.config import AutotaskSimConfig
from orderbridge.simulators.scenario import parse_scenario
from orderbridge.simulators.tdsynnex.config import TdSynnexSimConfig
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams, simulated_upstreams

DEMO = Path(__file__).parents[2] / "src/orderbridge/simulators/scenarios/demo.yaml"
BETA_AUTOTASK = AutotaskSimConfig(
    username="beta-api@example.com",
    secret="beta-autotask-secret-4711",
    integration_code="BETAINTEGRATIONCODE00000000",
)
BETA_TDSYNNEX = TdSynnexSimConfig(password="beta-tdsynnex-password-0815")


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio."""
    return "asyncio"


@pytest.fixture
def upstreams() -> Iterator[SimulatedUpstreams]:
    """Autotask and TD SYNNEX simulators with the demo scenario, on loopback ports."""
    with simulated_upstreams() as running:
        yield running


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """Where this test's SQLite store lives."""
    return tmp_path / "orderbridge.db"


@pytest.fixture
def config(upstreams: SimulatedUpstreams, database: Path, tmp_path: Path) -> Path:
    """A config file pointing at the simulators and the test's store."""
    return upstreams.write_config(tmp_path / "orderbridge.toml", database)


@pytest.fixture
def runner() -> CliRunner:
    """An in-process CLI runner with a wide, colourless console."""
    return CliRunner(env={"COLUMNS": "240", "NO_COLOR": "1", "TERM": "dumb"})


@pytest.fixture
def beta() -> Iterator[SimulatedUpstreams]:
    """A second simulator pair: the same PO numbers, other credentials, PO-10001 further on."""
    text = DEMO.read_text(encoding="utf-8").replace(
        "- po_number: PO-10001\n    state: accepted", "- po_number: PO-10001\n    state: on_hold"
    )
    scenario = parse_scenario(text, source="beta")
    with simulated_upstreams(
        scenario, autotask_config=BETA_AUTOTASK, tdsynnex_config=BETA_TDSYNNEX
    ) as running:
        yield running
