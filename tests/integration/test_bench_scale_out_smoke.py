"""Smoke test: ``bench/scale_out.py --quick`` runs tenants' cycles on real worker processes.

Timings are never asserted; they depend on the machine and on what else runs on it. What is
asserted holds on any machine, read from the ``RESULT {json}`` line the script prints last:
every tenant's steady-state run closes with every monitored order checked and nothing written,
the orders are counted right, no tenant's Autotask budget is used beyond its configured share
in any rolling hour, and every figure is there.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from sqlalchemy.engine import URL

from tests.integration.bench_runs import BENCH, result_of, run_quick
from tests.integration.store.conftest import postgres_server_url  # noqa: F401 - a fixture

SCRIPT = BENCH / "scale_out.py"
QUICK_TENANTS, QUICK_POS, QUICK_WORKERS = 3, 40, ("1", "2")
CYCLE_KEYS = (
    "wall_s",
    "cpu_ms_per_order",
    "peak_rss_mb",
    "pg_transactions_per_order",
    "pg_table_scans_per_order",
    "pg_rows_written_per_order",
    "pg_active_ms_per_order",
    "pg_connections_opened",
    "max_budget_share_used",
    "configured_budget_share",
    "orders_checked",
    "autotask_requests",
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture(scope="module")
def quick_run(postgres_server_url: URL) -> subprocess.CompletedProcess[str]:  # noqa: F811
    """One ``--quick`` run against the test server (skipped, or failed, when it is not there)."""
    server = postgres_server_url.render_as_string(hide_password=False)
    return run_quick(SCRIPT.name, "--postgres", server, timeout_s=600)


@pytest.fixture(scope="module")
def result(quick_run: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The quick run's ``RESULT`` line."""
    return result_of(quick_run)


def test_quick_run_exits_cleanly(quick_run: subprocess.CompletedProcess[str]) -> None:
    assert quick_run.returncode == 0, quick_run.stderr
    assert "Traceback" not in quick_run.stderr
    assert quick_run.stdout.rstrip().splitlines()[-1].startswith("RESULT {")


def test_the_size_and_every_figure_are_reported(result: dict[str, Any]) -> None:
    assert result["tenants"] == QUICK_TENANTS
    assert result["pos_per_tenant"] == QUICK_POS
    assert result["orders"] == QUICK_TENANTS * QUICK_POS
    assert tuple(result["workers"]) == QUICK_WORKERS
    for cycle in [result["cold"], *result["workers"].values()]:
        for key in CYCLE_KEYS:
            assert key in cycle, key
        assert cycle["wall_s"] > 0
        assert cycle["cpu_ms_per_order"] > 0
        assert cycle["peak_rss_mb"] > 0
        assert cycle["pg_transactions_per_order"] > 0
        assert cycle["worker_errors"] == 0
    for workers, cycle in result["workers"].items():
        assert cycle["workers"] == int(workers)
        assert len(cycle["cpu_s_per_worker"]) == int(workers)
        assert len(cycle["peak_rss_mb_per_worker"]) == int(workers)


def test_the_cold_cycle_checks_and_writes_every_order_of_every_tenant(
    result: dict[str, Any],
) -> None:
    cold = result["cold"]
    assert cold["runs_closed"] == QUICK_TENANTS
    assert cold["outcomes"] == {"ok": QUICK_TENANTS}
    assert sorted(run["tenant"] for run in cold["runs"]) == ["t001", "t002", "t003"]
    for run in cold["runs"]:
        assert run["monitored"] == QUICK_POS
        assert run["checked"] == run["monitored"]
        assert run["failed"] == 0
    assert cold["orders_checked"] == result["orders"]
    assert cold["updated"] == result["orders"]


def test_every_tenant_s_steady_run_checks_every_monitored_order_and_writes_nothing(
    result: dict[str, Any],
) -> None:
    monitored = {run["tenant"]: run["monitored"] for run in result["cold"]["runs"]}
    steady_monitored: set[int] = set()
    for cycle in result["workers"].values():
        assert cycle["runs_closed"] == QUICK_TENANTS
        assert cycle["outcomes"] == {"ok": QUICK_TENANTS}
        assert {run["tenant"] for run in cycle["runs"]} == set(monitored)
        for run in cycle["runs"]:
            assert run["checked"] == run["monitored"]
            # finished orders (delivered, cancelled, rejected) leave the default status scope
            assert 0 < run["monitored"] <= monitored[run["tenant"]]
            assert run["updated"] == 0
            assert run["failed"] == 0
            steady_monitored.add(run["monitored"])
        assert cycle["orders_checked"] == sum(run["checked"] for run in cycle["runs"])
        assert cycle["updated"] == 0
    assert len(steady_monitored) == 1  # the same scenario, the same orders, every tenant


def test_no_tenant_uses_more_than_its_share_of_its_autotask_budget(
    result: dict[str, Any],
) -> None:
    share = result["configured_budget_share"]
    assert share == 0.5
    assert result["budget_keys"] == QUICK_TENANTS  # every tenant its own Autotask database
    # requests in any rolling hour / the tenant's hourly threshold, against [sync] budget_share
    assert 0 < result["max_budget_share_used"] <= share
    for cycle in [result["cold"], *result["workers"].values()]:
        assert cycle["configured_budget_share"] == share
        assert 0 < cycle["max_budget_share_used"] <= result["max_budget_share_used"]
        assert cycle["autotask_requests"] > 0
        # workers share each endpoint's 3 request slots: no simulator ever refused a 4th
        assert cycle["autotask_refusals"] == 0
    # a steady cycle reads pages, it does not write: far fewer requests than the cold one
    for cycle in result["workers"].values():
        assert cycle["autotask_requests"] < result["cold"]["autotask_requests"]


def test_the_single_tenant_sqlite_figures_are_reported(result: dict[str, Any]) -> None:
    sqlite = result["sqlite_single_tenant"]
    assert sqlite["monitored"] == QUICK_POS
    assert sqlite["steady_outcome"] == "ok"
    assert sqlite["steady_cpu_ms_per_order"] > 0
    assert sqlite["steady_wall_s"] > 0


def test_help_lists_the_public_options() -> None:
    shown = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, timeout=60
    )
    assert shown.returncode == 0
    for option in ("--quick", "--tenants", "--pos", "--workers", "--postgres"):
        assert option in shown.stdout
    assert "--serve" not in shown.stdout  # the child role stays hidden
