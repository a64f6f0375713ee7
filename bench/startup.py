"""How long orderbridge takes to start: wall time of commands against the bare interpreter.

Run: ``uv run python bench/startup.py`` (``--runs N`` for more samples, ``--quick`` for one).

It times, in fresh processes, the bare interpreter (``python -c pass``), ``orderbridge --help``,
``orderbridge version``, a configuration error (``orderbridge doctor`` with no configuration)
and ``orderbridge status`` against an empty store, and prints the median and best wall time of
each and how far it is above the bare interpreter (the target for ``--help`` and ``version``:
under 0.3 s above it). Then ``python -X importtime`` names the imports ``--help`` pays for most.
The machine's load moves every figure; compare figures from one run, not across runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import print_table

TARGET_ABOVE_BARE_S = 0.3
CLI = [sys.executable, "-c", "from orderbridge.cli import main; main()"]


def _commands(workdir: Path) -> dict[str, list[str]]:
    config = workdir / "bench.toml"
    return {
        "bare interpreter (python -c pass)": [sys.executable, "-c", "pass"],
        "orderbridge --help": [*CLI, "--help"],
        "orderbridge version": [*CLI, "version"],
        "configuration error (doctor, no config)": [*CLI, "doctor"],
        "orderbridge status (empty store)": [*CLI, "status", "PO-1", "--config", str(config)],
    }


def _prepare(workdir: Path) -> None:
    """A configuration with an empty, migrated store for ``status`` to read."""
    database = workdir / "bench.db"
    (workdir / "bench.toml").write_text(f'[store]\nurl = "sqlite:///{database}"\n')
    from orderbridge.adapters.store import SqlStore

    SqlStore.open(f"sqlite:///{database}").close()


def _wall_times(command: list[str], runs: int, cwd: Path) -> list[float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERBRIDGE_")}
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return times


def _heaviest_imports(count: int) -> list[tuple[str, float]]:
    """The top-level imports ``--help`` spends most on (cumulative, from -X importtime)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *CLI[1:], "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    found: list[tuple[str, float]] = []
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if not line.startswith("import time:") or len(parts) != 3:
            continue
        cumulative, name = parts[1].strip(), parts[2]
        if cumulative.isdigit() and not name[1:].startswith(" "):  # top level: one space
            found.append((name.strip(), int(cumulative) / 1e6))
    return sorted(found, key=lambda item: item[1], reverse=True)[:count]


def main() -> None:
    """Measure and print every figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="samples per command")
    parser.add_argument("--quick", action="store_true", help="one sample per command")
    args = parser.parse_args()
    runs = 1 if args.quick else max(1, args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        _prepare(workdir)
        figures = {
            label: _wall_times(command, runs, workdir)
            for label, command in _commands(workdir).items()
        }
    bare = statistics.median(next(iter(figures.values())))
    rows = []
    for label, times in figures.items():
        median = statistics.median(times)
        above = median - bare
        target = ""
        if label in ("orderbridge --help", "orderbridge version"):
            target = "within" if above < TARGET_ABOVE_BARE_S else "OVER"
        rows.append([label, f"{median:.3f} s", f"{min(times):.3f} s", f"{above:+.3f} s", target])
    print(
        f"Start-up wall time, {runs} run(s) each (target: --help and version < "
        f"{TARGET_ABOVE_BARE_S} s above the bare interpreter)"
    )
    print_table(["command", "median", "best", "above bare", "target"], rows)
    print()
    print("Heaviest top-level imports of orderbridge --help (cumulative, python -X importtime)")
    print_table(
        ["module", "import time"],
        [[name, f"{seconds:.3f} s"] for name, seconds in _heaviest_imports(8)],
    )


if __name__ == "__main__":
    main()
