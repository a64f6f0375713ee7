"""Fixtures: the simulator pair, a CLI app with the doctor, init and resync commands, a runner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from orderbridge.cli._doctor import doctor
from orderbridge.cli._init import init
from orderbridge.cli._resync import resync
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams, simulated_upstreams


@pytest.fixture
def cli() -> typer.Typer:
    """A Typer app with just the commands under test (registration is the main app's job)."""
    app = typer.Typer(add_completion=False, pretty_exceptions_show_locals=False)
    app.command("doctor")(doctor)
    app.command("init")(init)
    app.command("resync")(resync)
    return app


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
def runner() -> CliRunner:
    """An in-process CLI runner with a wide, colourless console."""
    return CliRunner(env={"COLUMNS": "240", "NO_COLOR": "1", "TERM": "dumb"})
