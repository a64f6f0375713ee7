"""Smoke test: ``bench/sync_cycle.py --quick`` runs a cold and a steady cycle end to end.

Timings are never asserted; they depend on the machine. What is asserted are the request-count
properties that do not depend on timing, read from the ``RESULT {json}`` line the script prints
last: a steady-state cycle sends no PATCH, exactly one POStatus call per PO it checks and at most
ceil(N/500) + ceil(M/500) + 3 Autotask requests.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from typing import Any

import pytest

from tests.integration.bench_runs import BENCH, result_of, run_quick

SCRIPT = BENCH / "sync_cycle.py"

LABELS = (
    "Wall time",
    "CPU time, sync process",
    "Autotask PO query pages",
    "Autotask item query pages",
    "Autotask product pages",
    "Autotask PATCHes",
    "Autotask other requests",
    "Autotask requests, total",
    "TD SYNNEX POStatus calls",
    "TD SYNNEX invoice calls",
    "Peak RSS, sync process",
    "Orders checked / updated / failed",
    "Naive Autotask requests per cycle",
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def quick_run() -> subprocess.CompletedProcess[str]:
    """One ``--quick`` run of the script, shared by the tests below."""
    return run_quick(SCRIPT.name, timeout_s=600)


@pytest.fixture(scope="module")
def result(quick_run: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The one size of the quick run, from its ``RESULT`` line."""
    lines = [line for line in quick_run.stdout.splitlines() if line.startswith("RESULT ")]
    assert len(lines) == 1, quick_run.stdout
    sizes: list[dict[str, Any]] = result_of(quick_run)["sizes"]
    assert len(sizes) == 1
    return sizes[0]


def test_quick_run_exits_cleanly(quick_run: subprocess.CompletedProcess[str]) -> None:
    assert quick_run.returncode == 0, quick_run.stderr
    assert "Traceback" not in quick_run.stderr
    assert quick_run.stdout.rstrip().splitlines()[-1].startswith("RESULT {")


@pytest.mark.parametrize("label", LABELS)
def test_every_figure_is_printed_with_both_cycles(
    quick_run: subprocess.CompletedProcess[str], label: str
) -> None:
    # a row is the label, then the cold and the steady figure, each holding a digit
    pattern = rf"^{re.escape(label)}\s{{2,}}\S*\d.*?\s{{2,}}\S*\d"
    assert re.search(pattern, quick_run.stdout, flags=re.MULTILINE), quick_run.stdout


def test_the_output_states_the_benchmark_threshold_and_the_naive_model(
    quick_run: subprocess.CompletedProcess[str],
) -> None:
    assert "hourly threshold raised to 1,000,000" in quick_run.stdout
    assert "Naive model:" in quick_run.stdout


def test_every_monitored_po_is_checked_and_the_other_vendor_is_not(
    result: dict[str, Any],
) -> None:
    n = result["monitored"]
    assert n > 0
    cold, steady = result["cold"], result["steady"]
    for cycle in (cold, steady):
        assert cycle["outcome"] == "ok"
        assert cycle["failed"] == 0
    assert cold["checked"] == n
    # The default status scope leaves finished orders (delivered, cancelled, rejected after the
    # cold cycle) out of later cycles, so the steady cycle checks the open ones only.
    assert 0 < steady["checked"] <= n


def test_each_checked_po_gets_exactly_one_postatus_and_steady_state_no_invoice_query(
    result: dict[str, Any],
) -> None:
    assert result["cold"]["postatus"] == result["monitored"]
    assert result["steady"]["postatus"] == result["steady"]["checked"]
    assert result["steady"]["invoices"] == 0
    assert result["targets"]["one_postatus_per_checked_po"] is True


def test_steady_state_autotask_requests_stay_within_the_bound(result: dict[str, Any]) -> None:
    n, m = result["monitored"], result["items"]
    bound = math.ceil(n / 500) + math.ceil(m / 500) + 3
    assert result["steady_bound"] == bound
    steady = result["steady"]
    assert steady["autotask_total"] <= bound
    assert steady["po_pages"] >= 1
    assert steady["item_pages"] >= 1
    assert steady["product_pages"] == 0


def test_the_naive_model_costs_more_than_a_steady_cycle(result: dict[str, Any]) -> None:
    n, m = result["monitored"], result["items"]
    naive = result["naive"]
    assert naive["total"] == naive["reads"] + naive["writes"]
    assert naive["writes"] == n + m
    assert naive["total"] > 100 * result["steady"]["autotask_total"]


def test_help_lists_the_public_options() -> None:
    shown = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, timeout=60
    )
    assert shown.returncode == 0
    assert "--quick" in shown.stdout
    assert "--sizes" in shown.stdout
    assert "--serve" not in shown.stdout  # the child role stays hidden
    assert "--keep-nagle" not in shown.stdout


def test_peak_rss_is_measured(result: dict[str, Any]) -> None:
    assert result["cold"]["peak_rss_mb"] > 0
    assert result["steady"]["peak_rss_mb"] >= result["cold"]["peak_rss_mb"]
