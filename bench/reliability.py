"""Reliability figures: the fault matrix (and, with ``--crash``, the kill -9 test), measured.

Run ``uv run python bench/reliability.py`` (200 orders, 5 lifecycle cycles, both passes),
``--quick`` for a small smoke run, ``--crash`` to add 20 SIGKILLs of a real ``sync --once``.
The experiment itself lives beside this script (``_reliability_*.py``), where the reliability
tests run it too at a small size. The script prints a table of figures and, last,
``RESULT {json}`` for tools. It asserts nothing; the tests do.
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _common import print_table
from _reliability_matrix import (
    FaultPlan,
    MatrixRun,
    fault_kind_of,
    run_matrix,
)
from _reliability_processes import CrashPass, crash_pass
from _reliability_scenario import reliability_scenario

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
SERVICES = ("autotask", "tdsynnex")


def counted_faults(run: MatrixRun, service: str) -> Counter[str]:
    """Faults orderbridge should have counted for what the simulators injected."""
    expected: Counter[str] = Counter()
    for kind, n in run.sim_faults[service].items():
        expected[fault_kind_of(kind)] += n
    if service == "autotask" and run.thread_limit_rejections:
        expected["thread_limit"] = run.thread_limit_rejections
    return expected


def matrix_figures(clean: MatrixRun, faulty: MatrixRun) -> dict[str, Any]:
    """The figures of both passes as plain JSON."""
    figures: dict[str, Any] = {
        "final_state_equal": faulty.snapshot == clean.snapshot,
        "transitions_equal": faulty.transitions == clean.transitions,
        "history_rows_equal": Counter(faulty.history) == Counter(clean.history),
        "duplicate_history_rows": {"fault_free": clean.duplicates, "faulty": faulty.duplicates},
        "history_rows": len(faulty.history),
        "catch_up_runs": {"fault_free": clean.catch_up_runs, "faulty": faulty.catch_up_runs},
        "settle_cycles": {"fault_free": clean.settle_cycles, "faulty": faulty.settle_cycles},
        "failed_order_checks": faulty.failed_orders(),
        "failed_runs": faulty.failed_runs(),
        "seconds": {"fault_free": round(clean.seconds, 1), "faulty": round(faulty.seconds, 1)},
    }
    for service in SERVICES:
        figures[service] = {
            "requests": {
                "fault_free": clean.sim_requests[service],
                "faulty": faulty.sim_requests[service],
            },
            "requests_counted": faulty.logged(service),
            "injected": dict(faulty.sim_faults[service]),
            "thread_limit_429": faulty.thread_limit_rejections if service == "autotask" else 0,
            "faults_counted": dict(faulty.logged_faults(service)),
            "retries_counted": faulty.logged(f"{service} retries"),
            "faults_match": faulty.logged_faults(service) == counted_faults(faulty, service),
        }
    return figures


def print_matrix(orders: int, cycles: int, f: dict[str, Any]) -> None:
    """The matrix figures as a table."""
    print(f"\nFault matrix: {orders} orders, {cycles} lifecycle cycles, seed {FaultPlan().seed}")
    print("Faults: 10% 5xx, 2% timeouts, 1% malformed bodies on both services; Autotask client")
    print("runs 4 threads per endpoint against Autotask's limit of 3 (real Itgenatr005 429s).\n")
    rows = []
    for service in SERVICES:
        s = f[service]
        injected = ", ".join(f"{k} {n}" for k, n in sorted(s["injected"].items()))
        if s["thread_limit_429"]:
            injected += f", thread-limit 429 {s['thread_limit_429']}"
        counted = ", ".join(f"{k} {n}" for k, n in sorted(s["faults_counted"].items()))
        rows += [
            (
                f"{service}: requests (fault-free / faulty)",
                f"{s['requests']['fault_free']} / {s['requests']['faulty']}",
            ),
            (f"{service}: requests counted by orderbridge", str(s["requests_counted"])),
            (f"{service}: faults injected", injected or "none"),
            (f"{service}: faults counted by orderbridge", counted or "none"),
            (f"{service}: faults match 1:1", _yes(s["faults_match"])),
            (f"{service}: retries counted", str(s["retries_counted"])),
        ]
    rows += [
        ("failed order checks / failed runs", f"{f['failed_order_checks']} / {f['failed_runs']}"),
        ("extra runs per cycle (faulty)", " ".join(str(n) for n in f["catch_up_runs"]["faulty"])),
        (
            "settling cycles (fault-free / faulty)",
            "{fault_free} / {faulty}".format(**f["settle_cycles"]),
        ),
        ("final Autotask state equal", _yes(f["final_state_equal"])),
        ("same (po, status) transitions", _yes(f["transitions_equal"])),
        ("same history rows", _yes(f["history_rows_equal"])),
        (
            "duplicate history rows (fault-free / faulty)",
            "{fault_free} / {faulty}".format(**f["duplicate_history_rows"]),
        ),
        ("wall time, s (fault-free / faulty)", "{fault_free} / {faulty}".format(**f["seconds"])),
    ]
    print_table(("Figure", "Value"), rows)


def print_crash(result: CrashPass) -> None:
    """The crash figures as a table."""
    print(f"\nCrash safety: {result.kills} SIGKILLs of sync --once, then one run to the end\n")
    print_table(
        ("Figure", "Value"),
        [
            ("runs that finished before their kill point", str(result.finished_early)),
            ("final run exit code", str(result.survivor_exit)),
            ("final Autotask state equal", _yes(result.fields_equal)),
            (
                "duplicate / lost / extra history rows",
                f"{result.duplicates} / {result.lost} / {result.added}",
            ),
            ("wall time, s", f"{result.seconds:.1f}"),
        ],
    )


def _yes(value: bool) -> str:
    return "yes" if value else "NO"


def main(argv: list[str] | None = None) -> None:
    """Parse the options, run the passes, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="40 orders, 3 cycles (a smoke run)")
    parser.add_argument("--crash", action="store_true", help="also run the 20-kill crash test")
    args = parser.parse_args(argv)
    # retry warnings, and the simulators noting the connections a kill cut, would drown the figures
    logging.disable(logging.ERROR)
    orders, cycles = (40, 3) if args.quick else (200, 5)
    result: dict[str, Any] = {"orders": orders, "cycles": cycles}
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        scenario = reliability_scenario(orders)
        clean = run_matrix(scenario, work / "clean.db", cycles=cycles, now=NOW, faults=None)
        faulty = run_matrix(
            scenario, work / "faulty.db", cycles=cycles, now=NOW, faults=FaultPlan()
        )
        result["matrix"] = matrix_figures(clean, faulty)
        print_matrix(orders, cycles, result["matrix"])
        if args.crash:
            crash_dir = work / "crash"
            crash_dir.mkdir()
            crashed = crash_pass(crash_dir, orders=30, kills=20, seed=4242)
            result["crash"] = {k: v for k, v in vars(crashed).items() if k != "survivor_errors"}
            print_crash(crashed)
    print("RESULT " + json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
