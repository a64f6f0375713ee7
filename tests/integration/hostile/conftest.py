"""Fixtures: both simulators behind interceptors, so one order's traffic can turn hostile."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.hostile.hostile_upstreams import HostileUpstreams, hostile_upstreams


@pytest.fixture
def upstreams() -> Iterator[HostileUpstreams]:
    """Autotask and TD SYNNEX simulators, each behind an interceptor, on loopback ports."""
    with hostile_upstreams() as running:
        yield running
