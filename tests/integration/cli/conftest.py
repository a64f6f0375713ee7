"""Fixtures: both simulators serving the demo scenario, a config file for them, a CLI runner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.integration.sync.simulated_upstreams import SimulatedUpstreams, simulated_upstreams


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
