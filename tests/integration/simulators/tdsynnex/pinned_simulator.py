"""A TD SYNNEX simulator with its clock pinned, shared by the fixtures and the tests."""

from __future__ import annotations

from datetime import UTC, datetime

from orderbridge.simulators.tdsynnex import TdSynnexSimConfig, TdSynnexSimulator

PINNED_NOW = datetime(2026, 5, 4, 12, 0, 0, tzinfo=UTC)


def make_simulator(config: TdSynnexSimConfig | None = None) -> TdSynnexSimulator:
    """A simulator whose clock is pinned, so replayed dates are deterministic."""
    sim = TdSynnexSimulator(config)
    sim.state.clock.set(PINNED_NOW)
    return sim
