"""What the contract tests share: a simulator to point third-party clients at, and skip-or-fail.

A contract test runs a client someone else published, installed from its registry by ``.ci/run``.
Locally the client may be missing: the test then skips and says how to install it. In CI (``CI``
set) a missing client is a failure, so a broken install can never pass as a skipped test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import pytest

from orderbridge.simulators._common import SimulatorServer
from orderbridge.simulators.autotask import AutotaskSimConfig, AutotaskSimulator
from orderbridge.simulators.scenario import builtin_scenario

CONTRACT_DIR = Path(__file__).resolve().parent
REPO_ROOT = CONTRACT_DIR.parents[1]


def unavailable(reason: str) -> NoReturn:
    """Skip with ``reason`` locally; fail with it in CI, where every client must be installed."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this contract test must run)")
    pytest.skip(reason)


@contextmanager
def autotask_simulator() -> Iterator[tuple[AutotaskSimulator, SimulatorServer]]:
    """The Autotask simulator with the demo scenario, on an ephemeral loopback port."""
    sim = AutotaskSimulator(AutotaskSimConfig())
    sim.load_scenario(builtin_scenario("demo"))
    with SimulatorServer(sim.app) as server:
        yield sim, server
