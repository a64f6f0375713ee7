"""Smoke test: ``bench/freshness.py --quick`` at a tiny size replays fixed and adaptive cycles.

Timings are never asserted. What is asserted is the shape of the ``RESULT {json}`` line (the
contract tools read) and what holds at any size: the same lifecycles were replayed twice, every
change reached Autotask in both, and per-order schedules never cost more calls than checking
every order every hour.
"""

from __future__ import annotations

import pytest

from tests.integration.bench_runs import result_of, run_quick

pytestmark = pytest.mark.slow

TINY = ("--orders", "8", "--days", "3", "--large-orders", "10", "--large-days", "2")


def test_freshness_bench_quick_run() -> None:
    run = run_quick("freshness.py", *TINY, timeout_s=120)
    result = result_of(run)
    for figures in (result, result["large"]):
        assert isinstance(figures["calls_fixed"], int)
        assert isinstance(figures["calls_adaptive"], int)
        assert 0 < figures["calls_adaptive"] <= figures["calls_fixed"]
        assert figures["unseen_fixed"] == 0  # hourly checks see every change by the end
        fixed, adaptive = figures["p95_fixed_s"], figures["p95_adaptive_s"]
        assert set(fixed) == set(adaptive)
        assert "accept" in fixed
        assert all(0 <= seconds <= 3600 for seconds in fixed.values())
    assert isinstance(result["parallel"], bool)
    assert result["orders"] == 8
    assert result["large"]["orders"] == 10
    assert "adaptive / fixed" in run.stdout
