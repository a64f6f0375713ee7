"""Fixtures: both simulators serving the demo scenario, and a sync graph built from settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

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
def anyio_backend() -> str:
    """Async tests run on asyncio."""
    return "asyncio"
