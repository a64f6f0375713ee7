"""Smoke test: ``bench/reliability.py --quick`` runs both matrix passes and prints the figures.

What is asserted is what does not depend on the machine: the faulty pass converges to the
fault-free result, the history has no duplicate, and orderbridge's fault counts match what the
simulators injected.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from tests.integration.bench_runs import BENCH, result_of, run_quick

SCRIPT = BENCH / "reliability.py"
FIGURES = (
    "autotask: requests (fault-free / faulty)",
    "tdsynnex: faults injected",
    "autotask: faults counted by orderbridge",
    "tdsynnex: retries counted",
    "settling cycles (fault-free / faulty)",
    "final Autotask state equal",
    "duplicate history rows (fault-free / faulty)",
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def quick_run() -> subprocess.CompletedProcess[str]:
    """One ``--quick`` run of the script, shared by the tests below."""
    return run_quick(SCRIPT.name, timeout_s=300)


@pytest.fixture(scope="module")
def matrix(quick_run: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The matrix figures from the ``RESULT`` line."""
    result = result_of(quick_run)
    assert "crash" not in result  # --crash was not asked for
    return dict(result["matrix"])


@pytest.mark.parametrize("label", FIGURES)
def test_every_figure_is_printed(quick_run: subprocess.CompletedProcess[str], label: str) -> None:
    lines = [line for line in quick_run.stdout.splitlines() if line.startswith(label)]
    assert len(lines) == 1, quick_run.stdout
    assert any(ch.isalnum() for ch in lines[0].removeprefix(label))


def test_the_faulty_pass_converges_without_duplicates(matrix: dict[str, Any]) -> None:
    assert matrix["final_state_equal"] is True
    assert matrix["transitions_equal"] is True
    assert matrix["duplicate_history_rows"] == {"fault_free": 0, "faulty": 0}
    assert matrix["catch_up_runs"]["fault_free"] == [0, 0, 0]


def test_faults_were_injected_and_counted_one_for_one(matrix: dict[str, Any]) -> None:
    for service in ("autotask", "tdsynnex"):
        figures = matrix[service]
        assert sum(figures["injected"].values()) > 0, service
        assert figures["faults_match"] is True, figures
        assert figures["requests_counted"] == figures["requests"]["faulty"]
        assert figures["requests"]["faulty"] > figures["requests"]["fault_free"]


def test_help_lists_the_options() -> None:
    shown = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, timeout=60
    )
    assert shown.returncode == 0
    assert "--quick" in shown.stdout
    assert "--crash" in shown.stdout
