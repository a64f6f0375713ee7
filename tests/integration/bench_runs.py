"""Running a benchmark script's quick mode from a smoke test, and reading its RESULT line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parents[2] / "bench"


def run_quick(script: str, *args: str, timeout_s: float) -> subprocess.CompletedProcess[str]:
    """``python bench/<script> --quick [args]``, output captured, never raising on failure."""
    return subprocess.run(
        [sys.executable, str(BENCH / script), "--quick", *args],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


def result_of(run: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The JSON of the ``RESULT`` line a benchmark prints last (asserting it ran cleanly)."""
    assert run.returncode == 0, run.stderr
    last = run.stdout.rstrip().splitlines()[-1]
    assert last.startswith("RESULT {"), run.stdout
    result: dict[str, Any] = json.loads(last.removeprefix("RESULT "))
    return result
