"""Freshness after a cold start: how soon a change at TD SYNNEX reaches Autotask, per frequency.

Run ``uv run python bench/realtime_freshness.py`` (1,000 POs) or ``--quick`` (200). A cold cycle
and a steady cycle run for real against both simulators (TD SYNNEX with 20 ms latency); the
daemon's own schedule (``next_run`` with the request budget's minimum gap, for a tenant whose
hourly threshold is Autotask's documented 10,000 and orderbridge's share half of it) then says
when the next cycle starts after the cold one. A change made at a random moment before that
start is written when the next cycle reaches its order, so its delay is the wait for the cycle
plus the time into the cycle: median ``gap / 2 + cycle / 2``, worst ``gap + cycle``.

The figures compare pacing by the cold cycle's total requests (writes included, as before) with
pacing by its reads (writes are paced by the request budget as they happen). Its last line is
``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio

from _common import print_table
from orderbridge.domain.schedule import Frequency, budget_gap, next_run
from sync_cycle import CycleFigures, run_cycles, simulator_process

HOURLY_SHARE = 5_000  # half of Autotask's documented 10,000 requests an hour
FREQUENCIES = ("realtime", "custom:15m", "hourly")
DEFAULT_SIZE = 1_000
QUICK_SIZE = 200


def gap_after(frequency: Frequency, cold: CycleFigures, requests: int) -> float:
    """Seconds from the cold cycle's end to the next cycle's start, paced by ``requests``."""
    started = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    finished = started + timedelta(seconds=cold.wall_s)
    min_gap = budget_gap(requests, HOURLY_SHARE) if requests > 0 else None
    due = next_run(
        frequency,
        now=finished,
        last_started=started,
        last_finished=finished,
        min_gap_for_budget=min_gap,
    )
    return (due - finished).total_seconds()


def freshness(
    cold: CycleFigures, steady: CycleFigures, frequency_text: str
) -> dict[str, float | str]:
    """Median and worst delay after the cold start, paced both ways."""
    frequency = Frequency.parse(frequency_text, min_gap_s=60)
    reads = cold.autotask_total - cold.patches
    row: dict[str, float | str] = {"frequency": frequency_text}
    for name, requests in (("by_total", cold.autotask_total), ("by_reads", reads)):
        gap = gap_after(frequency, cold, requests)
        row[f"{name}_gap_s"] = round(gap, 1)
        row[f"{name}_median_s"] = round(gap / 2 + steady.wall_s / 2, 1)
        row[f"{name}_worst_s"] = round(gap + steady.wall_s, 1)
    return row


def benchmark(size: int) -> dict[str, Any]:
    """Run the two cycles and work out the freshness for each frequency."""
    with simulator_process(size) as sims, tempfile.TemporaryDirectory() as scratch:
        cold, steady = anyio.run(run_cycles, sims, Path(scratch) / "bench.db")
    rows = [freshness(cold, steady, f) for f in FREQUENCIES]
    print(
        f"{size} POs: cold cycle {cold.wall_s:.1f} s with {cold.autotask_total} Autotask "
        f"requests ({cold.patches} writes); steady cycle {steady.wall_s:.1f} s"
    )
    print_table(
        ("frequency", "paced by", "next cycle in", "median delay", "worst delay"),
        [
            (
                str(r["frequency"]),
                label,
                f"{r[f'{key}_gap_s']} s",
                f"{r[f'{key}_median_s']} s",
                f"{r[f'{key}_worst_s']} s",
            )
            for r in rows
            for key, label in (("by_total", "all requests (before)"), ("by_reads", "reads (now)"))
        ],
    )
    return {
        "size": size,
        "cold_wall_s": round(cold.wall_s, 2),
        "cold_autotask_requests": cold.autotask_total,
        "cold_writes": cold.patches,
        "steady_wall_s": round(steady.wall_s, 2),
        "frequencies": rows,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description="Freshness after a cold start, per frequency.")
    parser.add_argument("--quick", action="store_true", help="200 POs, for a smoke test")
    parser.add_argument("--size", type=int, default=None, help="monitored POs (default 1000)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    size = args.size or (QUICK_SIZE if args.quick else DEFAULT_SIZE)
    result = benchmark(size)
    print("RESULT " + json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
