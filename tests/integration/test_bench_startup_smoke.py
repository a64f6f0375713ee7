"""Smoke test: ``bench/startup.py --quick`` measures every command and names the imports.

Timings are never asserted (they depend on the machine's load); what is asserted is that every
figure is printed as a number and the import table is filled.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "startup.py"
LABELS = (
    "bare interpreter (python -c pass)",
    "orderbridge --help",
    "orderbridge version",
    "configuration error (doctor, no config)",
    "orderbridge status (empty store)",
)


def test_quick_run_prints_every_figure() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for label in LABELS:
        line = next((row for row in done.stdout.splitlines() if row.startswith(label)), None)
        assert line is not None, done.stdout
        assert re.search(r"\d+\.\d{3} s\s+\d+\.\d{3} s\s+[+-]\d+\.\d{3} s", line), line
    assert "orderbridge.cli" in done.stdout  # the heaviest import of --help is named
