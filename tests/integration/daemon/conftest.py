"""Fixtures: both simulators with a roomy Autotask budget, and a real-time config for them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from orderbridge.simulators.autotask import AutotaskSimConfig
from tests.integration.daemon.daemon_config import write_config
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams, simulated_upstreams


@pytest.fixture
def upstreams() -> Iterator[SimulatedUpstreams]:
    """The demo scenario; a high hourly threshold keeps real-time cycles close together."""
    with simulated_upstreams(autotask_config=AutotaskSimConfig(hourly_threshold=5_000_000)) as up:
        up.tdsynnex.advance("PO-10021")  # its temporary errors would only slow every cycle
        yield up


@pytest.fixture
def config(upstreams: SimulatedUpstreams, database: Path, tmp_path: Path) -> Path:
    """Real-time cycles at least 0.5 s apart, over the simulators."""
    return write_config(
        upstreams, tmp_path / "orderbridge.toml", database, frequency="realtime", min_gap_s=0.5
    )
