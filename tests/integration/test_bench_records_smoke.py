"""Smoke test: ``bench/records.py --quick`` seeds a store and measures export, report, archive.

Timings are never asserted; they depend on the machine. What is asserted is that every task ran
over every row it should have and reported a time and a peak RSS.
"""

from __future__ import annotations

import pytest

from tests.integration.bench_runs import result_of, run_quick

pytestmark = pytest.mark.slow


def test_quick_run_measures_every_task_over_every_row() -> None:
    result = result_of(run_quick("records.py", timeout_s=300))
    assert result["history_rows"] == 10 * result["orders"]
    assert result["export"]["rows"] == result["history_rows"]
    assert result["report"]["rows"] == result["orders"]
    assert result["archive"]["rows"] == result["orders"]
    for task in ("export", "report", "archive"):
        assert result[task]["seconds"] > 0
        assert result[task]["peak_rss_kb"] > 0
