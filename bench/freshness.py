"""Freshness benchmark: fixed hourly checks of every order against per-order check schedules.

Replays the same seeded lifecycle of orders (see ``_freshness_replay``: acceptance, holds,
backorders, partial and full shipments, deliveries, invoices, a few rejections and deletions)
twice on the simulators' settable clocks, an hourly cycle per simulated hour: once with
``[sync] adaptive = false`` (every order, every cycle) and once adaptive. It prints TD SYNNEX
calls in total and per day, and the freshness of each kind of change — the time from the change
at TD SYNNEX to the cycle that wrote it to Autotask — as median and 95th percentile.

``uv run python bench/freshness.py`` replays 1,000 orders over 30 days and 10,000 orders over
7 days (long: hours); ``--quick`` a smaller replay in under two minutes. The fixed and adaptive
replays of a size run at once in two processes (``--serial``: one after the other). One size
alone: ``--orders 10000 --days 7 --large-orders 0``. Figures are printed, never asserted; the
last line is ``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import anyio

from _common import print_table
from _freshness_replay import KIND, Lifecycle, lifecycles
from orderbridge.bootstrap import sync_services
from orderbridge.domain.history import OrderOutcome
from orderbridge.settings import Settings
from orderbridge.simulators.autotask import AutotaskSimConfig
from orderbridge.simulators.harness import SimulatorPair, running_simulators
from orderbridge.simulators.scenario import Scenario

START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
CYCLE = timedelta(hours=1)
TARGET_RATIO = 0.3
MUST_NOT_LAG = ("rejection", "shipment", "deletion")  # adaptive p95 <= fixed hourly p95


@dataclass
class Replay:
    """What one replay cost and how fresh it kept Autotask."""

    mode: str
    orders: int
    days: int
    calls: int = 0
    calls_per_day: list[int] = field(default_factory=list)
    lags: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    unseen: int = 0
    wall_s: float = 0.0

    def median_s(self) -> dict[str, float]:
        """Median freshness by kind of change, in seconds."""
        return {k: round(statistics.median(v), 1) for k, v in sorted(self.lags.items())}

    def p95_s(self) -> dict[str, float]:
        """95th-percentile freshness by kind of change, in seconds."""
        return {k: round(_p95(v), 1) for k, v in sorted(self.lags.items())}


def _p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def _set_clocks(sims: SimulatorPair, when: datetime) -> None:
    sims.tdsynnex.state.clock.set(when)
    sims.autotask.state.clock.set(when)


def _settings(sims: SimulatorPair, database: Path, *, adaptive: bool) -> Settings:
    values = sims.settings_dict(database)
    values["sync"] = {"adaptive": adaptive, "concurrency": 16}
    return Settings.model_validate(values)


def _happenings(lives: Sequence[Lifecycle]) -> list[tuple[datetime, int, Any]]:
    """Arrivals and changes in time order (an arrival before the changes of its order)."""
    out: list[tuple[datetime, int, Any]] = [(life.arrives, 0, life) for life in lives]
    out += [(e.at, 1, e) for life in lives for e in life.events]
    return sorted(out, key=lambda h: (h[0], h[1]))


async def replay(lives: Sequence[Lifecycle], days: int, *, adaptive: bool) -> Replay:
    """Run the lifecycles on the simulators' clocks with hourly cycles; measure calls and lags."""
    result = Replay("adaptive" if adaptive else "fixed hourly", len(lives), days)
    happenings = _happenings(lives)
    written: dict[str, list[datetime]] = defaultdict(list)
    config = AutotaskSimConfig(hourly_threshold=10_000_000)
    began = time.perf_counter()
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_simulators(Scenario(name="freshness"), autotask_config=config, now=START) as sims,
    ):
        settings = _settings(sims, Path(tmp) / "orderbridge.db", adaptive=adaptive)
        async with sync_services(settings, clock=sims.tdsynnex.state.clock.now) as services:
            index = 0
            for hour in range(days * 24):
                now = START + hour * CYCLE
                while index < len(happenings) and happenings[index][0] <= now:
                    at, _, what = happenings[index]
                    _set_clocks(sims, at)
                    if isinstance(what, Lifecycle):
                        sims.tdsynnex.add_order(what.order)
                        sims.autotask.create_purchase_order(what.order)
                    else:
                        sims.tdsynnex.advance(what.po_number, what.state)
                    index += 1
                _set_clocks(sims, now)
                report, results = await services.sync.run_once()
                calls = report.requests.get("tdsynnex", 0)
                result.calls += calls
                if hour % 24 == 0:
                    result.calls_per_day.append(0)
                result.calls_per_day[-1] += calls
                for r in results:
                    if r.report.outcome is OrderOutcome.UPDATED:
                        written[r.report.po_number].append(now)
    result.wall_s = time.perf_counter() - began
    _measure_lags(result, lives, written, START + (days * 24 - 1) * CYCLE)
    return result


def _measure_lags(
    result: Replay, lives: Sequence[Lifecycle], written: dict[str, list[datetime]], end: datetime
) -> None:
    """Each change's lag: the first write of its order at or after the change.

    Changes after the last cycle (``end``) are not counted; a change no write followed by the
    end is counted ``unseen`` (adaptive: its order's next check lay past the end).
    """
    for life in lives:
        times = written.get(life.order.po_number, [])
        for event in life.events:
            if event.at > end:
                continue
            at = bisect.bisect_left(times, event.at)
            if at == len(times):
                result.unseen += 1
                continue
            result.lags[KIND[event.state]].append((times[at] - event.at).total_seconds())


def _report(fixed: Replay, adaptive: Replay) -> dict[str, Any]:
    """Print the pair's tables; return the figures for the RESULT line."""
    ratio = adaptive.calls / fixed.calls if fixed.calls else 0.0
    print(f"\n{fixed.orders:,} orders over {fixed.days} simulated days, hourly cycles")
    print_table(
        ["mode", "TD SYNNEX calls", "per day (mean)", "per order per day", "unseen", "wall s"],
        [
            [
                r.mode,
                f"{r.calls:,}",
                f"{statistics.mean(r.calls_per_day):,.0f}",
                f"{r.calls / r.orders / r.days:.2f}",
                str(r.unseen),
                f"{r.wall_s:.1f}",
            ]
            for r in (fixed, adaptive)
        ],
    )
    print(f"adaptive / fixed = {ratio:.3f} (target <= {TARGET_RATIO})")
    rows = []
    fm, fp, am, ap = fixed.median_s(), fixed.p95_s(), adaptive.median_s(), adaptive.p95_s()
    for kind in sorted(set(fp) | set(ap)):
        mark = ""
        if kind in MUST_NOT_LAG and kind in fp and kind in ap:
            mark = "ok" if ap[kind] <= fp[kind] else "WORSE"
        cells = [fm.get(kind), fp.get(kind), am.get(kind), ap.get(kind)]
        rows.append([kind, *(_minutes(c) for c in cells), str(len(adaptive.lags[kind])), mark])
    print_table(
        ["change", "fixed median", "fixed p95", "adaptive median", "adaptive p95", "n", "p95 gate"],
        rows,
    )
    return {
        "orders": fixed.orders,
        "days": fixed.days,
        "calls_fixed": fixed.calls,
        "calls_adaptive": adaptive.calls,
        "ratio": round(ratio, 4),
        "calls_per_day_fixed": fixed.calls_per_day,
        "calls_per_day_adaptive": adaptive.calls_per_day,
        "calls_per_order_day_fixed": round(fixed.calls / fixed.orders / fixed.days, 3),
        "calls_per_order_day_adaptive": round(adaptive.calls / adaptive.orders / adaptive.days, 3),
        "median_fixed_s": fm,
        "median_adaptive_s": am,
        "p95_fixed_s": fp,
        "p95_adaptive_s": ap,
        "unseen_fixed": fixed.unseen,
        "unseen_adaptive": adaptive.unseen,
    }


def _minutes(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / 60:.0f} min"


def _replay_process(orders: int, days: int, adaptive: bool) -> Replay:
    """One replay in a process of its own (the lifecycles are seeded: both see the same)."""
    return anyio.run(partial(replay, lifecycles(orders, START, days), days, adaptive=adaptive))


def pair(orders: int, days: int, *, parallel: bool) -> dict[str, Any]:
    """The same lifecycles replayed fixed hourly and adaptive: at once in two processes when
    ``parallel`` (each replay is one process's work: the simulators run in its threads)."""
    if not parallel:
        fixed = _replay_process(orders, days, False)
        adaptive = _replay_process(orders, days, True)
        return _report(fixed, adaptive)
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        fixed_job = pool.submit(_replay_process, orders, days, False)
        adaptive_job = pool.submit(_replay_process, orders, days, True)
        return _report(fixed_job.result(), adaptive_job.result())


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller replay (< 2 minutes)")
    parser.add_argument("--orders", type=int, help="orders of the main replay (1000)")
    parser.add_argument("--days", type=int, help="simulated days of the main replay (30)")
    parser.add_argument(
        "--large-orders", type=int, help="orders of the second replay (10000; 0: none)"
    )
    parser.add_argument("--large-days", type=int, help="days of the second replay (7)")
    parser.add_argument(
        "--serial",
        action="store_true",
        help="replay fixed and adaptive one after the other (default: at once, in two "
        "processes, when the machine has two cores or more)",
    )
    args = parser.parse_args(argv)
    orders = args.orders or (30 if args.quick else 1_000)
    days = args.days or (14 if args.quick else 30)
    large_orders = args.large_orders
    if large_orders is None:
        large_orders = 80 if args.quick else 10_000
    large_days = args.large_days or (3 if args.quick else 7)
    parallel = not args.serial and (os.cpu_count() or 1) >= 2
    main_figures = pair(orders, days, parallel=parallel)
    large = pair(large_orders, large_days, parallel=parallel) if large_orders > 0 else None
    if large is not None:
        per_order = (
            main_figures["calls_per_order_day_adaptive"],
            large["calls_per_order_day_adaptive"],
        )
        print(
            f"\nadaptive calls per order per day: {per_order[0]} ({orders:,} orders), "
            f"{per_order[1]} ({large_orders:,} orders)"
        )
    result = {**main_figures, "large": large, "quick": bool(args.quick), "parallel": parallel}
    print(f"RESULT {json.dumps(result, sort_keys=True)}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
