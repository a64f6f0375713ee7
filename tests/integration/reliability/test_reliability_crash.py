"""Crash safety: ``sync --once`` killed with SIGKILL at 20 seeded random points, then finished.

The cycle is slowed with latency on TD SYNNEX status calls and Autotask writes, so it lasts a
few seconds. Each kill lands somewhere between process start and the end of the cycle (start-up,
the Autotask query, checks, writes, store commits); the next process resumes, and after the 20th
kill one runs to the end. The result must equal one uninterrupted run's: every Autotask field,
and the history with nothing recorded twice and nothing lost.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from _reliability_processes import crash_pass

pytestmark = pytest.mark.slow

KILLS = 20


def test_twenty_kills_converge_to_the_uninterrupted_result(tmp_path: Path) -> None:
    result = crash_pass(tmp_path, orders=30, kills=KILLS, seed=4242)
    assert result.survivor_exit == 0, result.survivor_errors
    assert result.finished_early <= KILLS // 2, "most kill points should fall inside the cycle"
    assert result.duplicates == 0
    assert result.lost == 0, "history lost to the kills"
    assert result.added == 0, "history the uninterrupted run does not have"
    assert result.fields_equal, "Autotask differs from the uninterrupted run"
