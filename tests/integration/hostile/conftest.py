"""Fixtures: both simulators behind interceptors, so one order's traffic can turn hostile."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.integration.hostile.hostile_upstreams import HostileUpstreams, hostile_upstreams


@pytest.fixture
def upstreams() -> Iterator[HostileUpstreams]:
    """Autotask and TD SYNNEX simulators, each behind an interceptor, on loopback ports."""
    with hostile_upstreams() as running:
        yield running


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """Where this test's SQLite store lives."""
    return tmp_path / "orderbridge.db"


@pytest.fixture
def runner() -> CliRunner:
    """An in-process CLI runner with a wide, colourless console."""
    return CliRunner(env={"COLUMNS": "240", "NO_COLOR": "1", "TERM": "dumb"})


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio."""
    return "asyncio"
