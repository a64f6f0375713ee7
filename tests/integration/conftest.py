"""Fixtures every integration folder shares: the simulator pair, a store path, a config, a runner.

A folder's own conftest overrides one where its tests need something else (the daemon's roomy
Autotask budget, the hostile tests' interceptors).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.integration.sync.simulated_upstreams import SimulatedUpstreams, simulated_upstreams


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
