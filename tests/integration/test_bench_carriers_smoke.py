"""Smoke test: ``bench/carriers.py --quick`` runs hourly cycles against the carrier simulators.

Timings are never asserted. What is asserted are the properties that do not depend on timing,
read from the ``RESULT {json}`` line: no package is asked about twice in one cycle, open
packages are asked about far less than once per cycle on average, and USPS and DHL stay
within their published limits.
"""

from __future__ import annotations

import pytest

from tests.integration.bench_runs import result_of, run_quick

pytestmark = pytest.mark.slow


def test_carriers_bench_quick_run() -> None:
    run = run_quick("carriers.py", timeout_s=120)
    result = result_of(run)
    assert result["orders"] == 300
    assert result["packages"] > 0
    assert result["max_asks_of_one_package_in_a_cycle"] == 1
    assert 0 < result["asks_per_open_package_per_cycle"] < 0.75
    assert result["usps_busiest_hour"] <= 60
    assert result["dhl_first_day"] <= 250
    assert result["FedEx_max"] <= 1 + result["packages"] // 30 + 1
    assert "Most asks of one package in one cycle" in run.stdout
