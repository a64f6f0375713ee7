"""Sync-cycle benchmark: one cold and one steady-state cycle against both simulators.

Run ``uv run python bench/sync_cycle.py`` (sizes 1,000 and 10,000 monitored POs), ``--quick``
for a small smoke run, or ``--sizes 1000,10000``. The script prints figures beside their targets
and never asserts timings; its last line is ``RESULT {json}`` for tools. Both simulators run in a
child process, so their CPU and memory are not charged to the sync being measured.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx2

from _common import child_process, peak_rss_kb, print_table, serve_until_closed
from _sync_scenario import OTHER_VENDOR_POS, bench_scenario
from orderbridge.bootstrap import SyncServices, sync_services, utc_now
from orderbridge.domain.history import RunOutcome, RunReport
from orderbridge.settings import Settings, SyncSettings
from orderbridge.simulators.autotask import AutotaskSimConfig
from orderbridge.simulators.harness import running_simulators

# --- what is simulated ------------------------------------------------------------------------

TD_LATENCY_MS = 20
TD_LATENCY_ENDPOINTS = ("POStatus", "InvoiceQuery")
# Raised so the cold cycle's writes are measured rather than refused; the real budget is 10,000.
AUTOTASK_HOURLY_THRESHOLD = 1_000_000
AUTOTASK_REAL_THRESHOLD = 10_000
PAGE = 500  # Autotask rows per query page, and values per ``in`` list
TARGET_WALL_S = 60.0  # the targets
TARGET_WALL_N = 10_000
TARGET_RSS_MB = 300.0
DEFAULT_SIZES = (1_000, 10_000)
QUICK_SIZES = (200,)

# --- child process: both simulators, seeded with the scenario ----------------------------------


def serve_simulators(monitored: int) -> None:
    """Child role: seed both simulators, slow TD SYNNEX down, print where they listen, wait."""
    scenario = bench_scenario(monitored)
    config = AutotaskSimConfig(hourly_threshold=AUTOTASK_HOURLY_THRESHOLD)
    with running_simulators(scenario, autotask_config=config) as sims:
        for endpoint in TD_LATENCY_ENDPOINTS:
            rule = {"kind": "latency", "latency_ms": TD_LATENCY_MS, "endpoint": endpoint}
            httpx2.post(f"{sims.tdsynnex_url}/_sim/faults", json=rule).raise_for_status()
        items = sum(len(o.lines) for o in scenario.orders if o.autotask.vendor is None)
        ready = {
            "autotask": sims.autotask_url,
            "tdsynnex": sims.tdsynnex_url,
            "monitored": monitored,
            "items": items,
            # The parent names its own store; the child only knows where the simulators are.
            "settings": sims.settings_dict(Path("unused.db")),
        }
        serve_until_closed(json.dumps(ready))


@dataclass(frozen=True)
class Simulators:
    """Where the child's simulators listen, what they hold, and the settings that reach them."""

    autotask: str
    tdsynnex: str
    monitored: int
    items: int
    settings: dict[str, Any]


@contextmanager
def simulator_process(monitored: int) -> Iterator[Simulators]:
    """Run both seeded simulators in a child process for as long as the context lasts."""
    with child_process(__file__, "--serve", str(monitored)) as ready:
        yield Simulators(**json.loads(ready))


# --- the benchmark process ---------------------------------------------------------------------


def settings_for(sims: Simulators, database: Path) -> Settings:
    """Settings pointing orderbridge at the simulators, with their documented credentials."""
    # Every order every cycle: the figures are a whole cycle's cost (freshness.py measures the
    # per-order schedules).
    return Settings.model_validate(
        {
            **sims.settings,
            "store": {"url": f"sqlite:///{database}"},
            "sync": {"adaptive": False},
        }
    )


@dataclass(frozen=True)
class CycleFigures:
    """What one sync cycle cost."""

    name: str
    wall_s: float
    cpu_s: float
    po_pages: int
    item_pages: int
    product_pages: int
    patches: int
    autotask_other: int
    autotask_total: int
    postatus: int
    invoices: int
    peak_rss_mb: float
    checked: int
    updated: int
    failed: int
    outcome: str


def counted(counters: dict[str, Any], endpoint: str, method: str) -> int:
    """Requests a simulator counted for one endpoint and method."""
    return int(counters.get("requests", {}).get(endpoint, {}).get(method, 0))


async def zero_counters(client: httpx2.AsyncClient, sims: Simulators) -> None:
    """Start both simulators' counters from zero (admin calls are never counted)."""
    for url in (sims.autotask, sims.tdsynnex):
        (await client.delete(f"{url}/_sim/counters")).raise_for_status()


async def read_counters(client: httpx2.AsyncClient, url: str) -> dict[str, Any]:
    """One simulator's request counters."""
    answer = await client.get(f"{url}/_sim/counters")
    answer.raise_for_status()
    counters: dict[str, Any] = answer.json()
    return counters


def first_error(exc: BaseException) -> str:
    """The first leaf of an exception (group), as ``Type: message``."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return f"{type(exc).__name__}: {exc}"


async def one_cycle(
    name: str, services: SyncServices, admin: httpx2.AsyncClient, sims: Simulators
) -> CycleFigures:
    """Run one sync cycle and read what it cost from the simulators' counters."""
    await zero_counters(admin, sims)
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        report, _ = await services.sync.run_once()
    except Exception as exc:  # a crashed cycle is a figure too: report it, keep the counters
        report = RunReport(
            started_at=utc_now(), outcome=RunOutcome.FAILED, error=f"crashed: {first_error(exc)}"
        )
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    at = await read_counters(admin, sims.autotask)
    td = await read_counters(admin, sims.tdsynnex)
    pages = {
        "po_pages": counted(at, "PurchaseOrders", "POST"),
        "item_pages": counted(at, "PurchaseOrderItems", "POST"),
        "product_pages": counted(at, "Products", "POST"),
        "patches": counted(at, "PurchaseOrders", "PATCH")
        + counted(at, "PurchaseOrderItems", "PATCH"),
    }
    total = int(at.get("total", 0))
    return CycleFigures(
        name,
        wall,
        cpu,
        **pages,
        autotask_other=total - sum(pages.values()),
        autotask_total=total,
        postatus=counted(td, "POStatus", "POST"),
        invoices=counted(td, "InvoiceQuery", "POST"),
        peak_rss_mb=peak_rss_kb() / 1024,
        checked=report.checked,
        updated=report.updated,
        failed=report.failed,
        outcome=str(report.outcome)
        if report.error is None
        else f"{report.outcome}: {report.error}",
    )


async def run_cycles(sims: Simulators, database: Path) -> list[CycleFigures]:
    """A cold cycle on an empty store, then a steady-state cycle with nothing changed."""
    async with (
        httpx2.AsyncClient(timeout=60.0) as admin,
        sync_services(settings_for(sims, database)) as services,
    ):
        cold = await one_cycle("cold", services, admin, sims)
        steady = await one_cycle("steady", services, admin, sims)
    return [cold, steady]


# --- targets, the naive model, printing ---------------------------------------------------------


def steady_bound(monitored: int, items: int) -> int:
    """The issue's ceiling on steady-state Autotask requests: pages, plus three."""
    return math.ceil(monitored / PAGE) + math.ceil(items / PAGE) + 3


def naive_requests(monitored: int, items: int) -> dict[str, int]:
    """Autotask requests per cycle of a client that neither batches nor diffs.

    It lists the POs (one page per 500), then for each PO GETs the PO, queries its items and
    GETs each item's product, and PATCHes the PO and each of its items whether or not anything
    changed.
    """
    reads = math.ceil(monitored / PAGE) + 2 * monitored + items
    writes = monitored + items
    return {"reads": reads, "writes": writes, "total": reads + writes}


def figure_rows(cold: CycleFigures, steady: CycleFigures, n: int, m: int) -> list[tuple[str, ...]]:
    """Table rows: label, cold, steady, target."""
    bound = steady_bound(n, m)
    naive = naive_requests(n, m)

    def both(field: str, fmt: str = "{:,}") -> tuple[str, str]:
        return fmt.format(getattr(cold, field)), fmt.format(getattr(steady, field))

    return [
        ("Wall time", *both("wall_s", "{:,.1f} s"), "<= 60 s at N = 10,000 (concurrency 8)"),
        ("CPU time, sync process", *both("cpu_s", "{:,.1f} s"), "(context)"),
        ("Autotask PO query pages", *both("po_pages"), f"ceil(N/500) = {math.ceil(n / PAGE)}"),
        ("Autotask item query pages", *both("item_pages"), f"ceil(M/500) = {math.ceil(m / PAGE)}"),
        ("Autotask product pages", *both("product_pages"), "0 in steady state (cached)"),
        ("Autotask PATCHes", *both("patches"), "0 in steady state"),
        ("Autotask other requests", *both("autotask_other"), "metadata, vendor lookup, zone"),
        ("Autotask requests, total", *both("autotask_total"), f"steady <= {bound:,}"),
        ("TD SYNNEX POStatus calls", *both("postatus"), "exactly one per PO checked"),
        ("TD SYNNEX invoice calls", *both("invoices"), "only for newly invoiced orders"),
        ("Peak RSS, sync process", *both("peak_rss_mb", "{:,.0f} MB"), "<= 300 MB"),
        (
            "Orders checked / updated / failed",
            f"{cold.checked:,} / {cold.updated:,} / {cold.failed:,}",
            f"{steady.checked:,} / {steady.updated:,} / {steady.failed:,}",
            "steady: 0 updated",
        ),
        (
            "Naive Autotask requests per cycle",
            f"{naive['total']:,}",
            f"{naive['total']:,}",
            f"{naive['reads']:,} reads + {naive['writes']:,} PATCHes",
        ),
    ]


def print_size(sims: Simulators, cold: CycleFigures, steady: CycleFigures) -> None:
    """The figures of one size as a plain-text table."""
    n, m = sims.monitored, sims.items
    print()
    print(
        f"N = {n:,} monitored POs, M = {m:,} items, {OTHER_VENDOR_POS} POs of another vendor; "
        f"TD SYNNEX latency {TD_LATENCY_MS} ms on {' and '.join(TD_LATENCY_ENDPOINTS)}"
    )
    print_table(("Figure", "Cold cycle", "Steady state", "Target"), figure_rows(cold, steady, n, m))
    budget = 100 * steady.autotask_total / AUTOTASK_REAL_THRESHOLD
    naive_share = 100 * naive_requests(n, m)["total"] / AUTOTASK_REAL_THRESHOLD
    print(
        f"Autotask hourly budget ({AUTOTASK_REAL_THRESHOLD:,}) used per steady cycle: "
        f"{budget:,.1f} %; naive: {naive_share:,.0f} %; cold cycle: "
        f"{100 * cold.autotask_total / AUTOTASK_REAL_THRESHOLD:,.0f} %"
    )


def verdicts(n: int, m: int, cold: CycleFigures, steady: CycleFigures) -> dict[str, bool | None]:
    """Each target: met, missed, or ``None`` where it does not apply to this size."""
    at_scale = n >= TARGET_WALL_N
    return {
        "steady_autotask_within_bound": steady.autotask_total <= steady_bound(n, m),
        "steady_zero_patches": steady.patches == 0,
        "one_postatus_per_checked_po": cold.postatus == cold.checked
        and steady.postatus == steady.checked,
        "steady_wall_within_60s": steady.wall_s <= TARGET_WALL_S if at_scale else None,
        "cold_wall_within_60s": cold.wall_s <= TARGET_WALL_S if at_scale else None,
        "peak_rss_within_300mb": max(cold.peak_rss_mb, steady.peak_rss_mb) <= TARGET_RSS_MB,
    }


def print_verdicts(results: dict[str, bool | None]) -> None:
    """One line per target."""
    words = {True: "met", False: "MISSED", None: f"n/a below N = {TARGET_WALL_N:,}"}
    print("Targets: " + "; ".join(f"{name} {words[ok]}" for name, ok in results.items()))


def size_result(sims: Simulators, cold: CycleFigures, steady: CycleFigures) -> dict[str, Any]:
    """One size's figures for the machine-readable RESULT line."""
    n, m = sims.monitored, sims.items
    return {
        "monitored": n,
        "items": m,
        "steady_bound": steady_bound(n, m),
        "naive": naive_requests(n, m),
        "targets": verdicts(n, m, cold, steady),
        "cold": asdict(cold),
        "steady": asdict(steady),
    }


def benchmark(sizes: Sequence[int]) -> list[dict[str, Any]]:
    """Every size, smallest first (peak RSS only grows, so each figure is that size's peak)."""
    results = []
    for monitored in sorted(sizes):
        with (
            simulator_process(monitored) as sims,
            tempfile.TemporaryDirectory() as scratch,
        ):
            cold, steady = anyio.run(run_cycles, sims, Path(scratch) / "bench.db")
        print_size(sims, cold, steady)
        for cycle in (cold, steady):
            if cycle.outcome not in ("ok", "partial"):
                print(f"The {cycle.name} cycle did not finish: {cycle.outcome}")
        result = size_result(sims, cold, steady)
        print_verdicts(result["targets"])
        results.append(result)
    return results


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Command-line options (``--serve`` starts the simulator child process)."""
    parser = argparse.ArgumentParser(description="Sync-cycle benchmark against the simulators.")
    parser.add_argument("--quick", action="store_true", help="one small size, for a smoke test")
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(part) for part in text.split(",") if part.strip()],
        help="comma-separated numbers of monitored POs (default 1000,10000)",
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.serve is not None:
        serve_simulators(args.serve)
        return 0
    sizes = args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    print(
        f"Sync-cycle benchmark ({os.cpu_count()} CPUs): both simulators in a child process; "
        f"Autotask hourly threshold raised to {AUTOTASK_HOURLY_THRESHOLD:,} for the benchmark "
        f"(the real one is {AUTOTASK_REAL_THRESHOLD:,}); sync concurrency "
        f"{SyncSettings().concurrency} (the default)."
    )
    print(
        "Naive model: list the POs, then per PO GET the PO, query its items, GET each item's "
        "product, and PATCH the PO and every item, every cycle."
    )
    results = benchmark(sizes)
    print("RESULT " + json.dumps({"sizes": results}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
