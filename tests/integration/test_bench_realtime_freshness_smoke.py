"""Smoke test: ``bench/realtime_freshness.py --quick`` runs end to end and says what it measured.

No timing is asserted. What is asserted holds whatever the machine: after a write-heavy cold
start, pacing by the cycle's reads starts the next real-time cycle no later than pacing by all
its requests did, and at the minimum gap when the reads fit the budget.
"""

from __future__ import annotations

import pytest

from tests.integration.bench_runs import result_of, run_quick

pytestmark = pytest.mark.slow


def test_realtime_freshness_quick_run() -> None:
    output = run_quick("realtime_freshness.py", timeout_s=300)
    result = result_of(output)
    assert result["cold_writes"] > 0
    rows = {row["frequency"]: row for row in result["frequencies"]}
    realtime = rows["realtime"]
    assert realtime["by_reads_gap_s"] <= realtime["by_total_gap_s"]
    assert realtime["by_reads_gap_s"] == 60.0  # the default minimum gap
    for row in rows.values():
        assert row["by_reads_median_s"] <= row["by_reads_worst_s"]
