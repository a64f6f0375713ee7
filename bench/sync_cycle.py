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
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import httpx2
from pydantic import AnyHttpUrl, SecretStr

from orderbridge.bootstrap import SyncServices, sync_services, utc_now
from orderbridge.domain.history import RunReport
from orderbridge.settings import (
    AutotaskSettings,
    Settings,
    StoreSettings,
    SyncSettings,
    TdSynnexSettings,
)
from orderbridge.simulators._common import SimulatorServer
from orderbridge.simulators.autotask import AutotaskSimConfig, AutotaskSimulator
from orderbridge.simulators.scenario import (
    Scenario,
    ScenarioAutotask,
    ScenarioLine,
    ScenarioOrder,
    TdState,
)
from orderbridge.simulators.tdsynnex import TdSynnexSimConfig, TdSynnexSimulator

# --- what is simulated ------------------------------------------------------------------------

ITEMS_PER_PO = 2
OTHER_VENDOR_POS = 5
PRODUCT_CATALOG = 300  # distinct products the POs draw their lines from
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
# A snapshot of open TD SYNNEX orders, per 100: most are in flight, a few are odd.
STATE_MIX = {
    TdState.ACCEPTED: 15,
    TdState.PROCESSING: 20,
    TdState.ON_HOLD: 3,
    TdState.BACKORDERED: 8,
    TdState.PARTIALLY_SHIPPED: 10,
    TdState.SHIPPED: 20,
    TdState.DELIVERED: 12,
    TdState.INVOICED: 8,
    TdState.DELETED: 2,
    TdState.REJECTED: 1,
    TdState.NOT_FOUND: 1,
}

# --- child process: the scenario and both simulators ------------------------------------------


def state_sequence() -> list[TdState]:
    """One hundred states in the ``STATE_MIX`` proportions."""
    return [state for state, share in STATE_MIX.items() for _ in range(share)]


def bench_scenario(monitored: int) -> Scenario:
    """``monitored`` TD SYNNEX POs of ``ITEMS_PER_PO`` lines each, and a few of another vendor."""
    states = state_sequence()
    other = ScenarioAutotask(vendor="Ingram Micro")
    orders = [
        ScenarioOrder(
            po_number=f"BENCH-{index + 1:06d}",
            # a prime stride spreads the states instead of running them in blocks
            state=states[(index * 37) % len(states)],
            lines=[catalog_line(index * ITEMS_PER_PO + n) for n in range(ITEMS_PER_PO)],
        )
        for index in range(monitored)
    ]
    orders += [
        ScenarioOrder(po_number=f"OTHER-{n + 1:04d}", autotask=other, lines=[catalog_line(n)])
        for n in range(OTHER_VENDOR_POS)
    ]
    return Scenario(name=f"sync-bench-{monitored}", orders=orders)


def catalog_line(position: int) -> ScenarioLine:
    """A PO line drawn from the product catalogue; every fifth product is serialized."""
    product = (position * 7) % PRODUCT_CATALOG
    return ScenarioLine(
        sku=f"{7_000_000 + product}",
        mfg_pn=f"BENCH-PN-{product:04d}",
        description=f"Benchmark product {product}",
        quantity=1 + position % 4,
        unit_price=Decimal(100 + product),
        serialized=product % 5 == 0,
    )


def disable_nagle(server: SimulatorServer) -> bool:
    """Set TCP_NODELAY on a server's listening socket; Linux passes it on to accepted ones.

    SimulatorServer leaves Nagle's algorithm on, so an answer written in two parts (headers,
    then body) waits for the client's delayed ACK: about 40 ms per request that no real service
    would add. The socket is a private attribute, so this is tolerant and reports success.
    """
    listening = getattr(server, "_socket", None)
    if not isinstance(listening, socket.socket):
        return False
    listening.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return True


def serve_simulators(monitored: int, *, keep_nagle: bool) -> None:
    """Child role: seed both simulators, slow TD SYNNEX down, print where they listen, wait."""
    scenario = bench_scenario(monitored)
    autotask = AutotaskSimulator(AutotaskSimConfig(hourly_threshold=AUTOTASK_HOURLY_THRESHOLD))
    tdsynnex = TdSynnexSimulator(TdSynnexSimConfig())
    autotask.load_scenario(scenario)
    tdsynnex.load_scenario(scenario)
    with SimulatorServer(autotask.app) as at, SimulatorServer(tdsynnex.app) as td:
        nodelay = not keep_nagle and all(disable_nagle(server) for server in (at, td))
        for endpoint in TD_LATENCY_ENDPOINTS:
            rule = {"kind": "latency", "latency_ms": TD_LATENCY_MS, "endpoint": endpoint}
            httpx2.post(f"{td.url}/_sim/faults", json=rule).raise_for_status()
        items = sum(len(o.lines) for o in scenario.orders if o.autotask.vendor is None)
        ready = {
            "autotask": at.url,
            "tdsynnex": td.url,
            "monitored": monitored,
            "items": items,
            "nodelay": nodelay,
        }
        print(json.dumps(ready), flush=True)
        sys.stdin.read()  # serve until the benchmark closes our stdin


@dataclass(frozen=True)
class Simulators:
    """Where the child's simulators listen, and what they hold."""

    autotask: str
    tdsynnex: str
    monitored: int
    items: int
    nodelay: bool


@contextmanager
def simulator_process(monitored: int, *, keep_nagle: bool) -> Iterator[Simulators]:
    """Run both seeded simulators in a child process for as long as the context lasts."""
    command = [sys.executable, os.path.abspath(__file__), "--serve", str(monitored)]
    command += ["--keep-nagle"] if keep_nagle else []
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        if not line.strip():
            raise RuntimeError(f"the simulator process did not start (exit {child.poll()})")
        yield Simulators(**json.loads(line))
    finally:
        if child.stdin is not None:
            child.stdin.close()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


# --- the benchmark process ---------------------------------------------------------------------


def settings_for(sims: Simulators, database: Path) -> Settings:
    """Settings pointing orderbridge at the simulators, with their documented credentials."""
    return Settings(
        autotask=AutotaskSettings(
            zone_lookup_url=AnyHttpUrl(f"{sims.autotask}/ATServicesRest/V1.0/zoneInformation"),
            username="api-user@example.com",
            secret=SecretStr("simulator-secret"),
            integration_code=SecretStr("ORDERBRIDGESIMULATOR0000000"),
        ),
        tdsynnex=TdSynnexSettings(
            status_url=AnyHttpUrl(f"{sims.tdsynnex}/SynnexXML/POStatus"),
            invoice_url=AnyHttpUrl(f"{sims.tdsynnex}/webservice/invoice/query"),
            customer_number="123456",
            user_id="api@reseller.example",
            password=SecretStr("simulator-password"),
        ),
        store=StoreSettings(url=f"sqlite:///{database}"),
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


def peak_rss_mb() -> float:
    """This process's peak resident set size so far (ru_maxrss is in KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


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
        report = RunReport(started_at=utc_now(), outcome=f"crashed: {first_error(exc)}")
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
        peak_rss_mb=peak_rss_mb(),
        checked=report.checked,
        updated=report.updated,
        failed=report.failed,
        outcome=report.outcome,
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
        ("TD SYNNEX POStatus calls", *both("postatus"), f"exactly N = {n:,}"),
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
    header = ("Figure", "Cold cycle", "Steady state", "Target")
    rows = [header, *figure_rows(cold, steady, n, m)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            print("  ".join("-" * w for w in widths))
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
        "steady_postatus_equals_n": steady.postatus == n,
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
        "nodelay": sims.nodelay,
        "steady_bound": steady_bound(n, m),
        "naive": naive_requests(n, m),
        "targets": verdicts(n, m, cold, steady),
        "cold": asdict(cold),
        "steady": asdict(steady),
    }


def benchmark(sizes: Sequence[int], *, keep_nagle: bool) -> list[dict[str, Any]]:
    """Every size, smallest first (peak RSS only grows, so each figure is that size's peak)."""
    results = []
    for monitored in sorted(sizes):
        with (
            simulator_process(monitored, keep_nagle=keep_nagle) as sims,
            tempfile.TemporaryDirectory() as scratch,
        ):
            cold, steady = anyio.run(run_cycles, sims, Path(scratch) / "bench.db")
        print_size(sims, cold, steady)
        for cycle in (cold, steady):
            if cycle.outcome not in ("ok", "partial"):
                print(f"The {cycle.name} cycle did not finish: {cycle.outcome}")
        if not sims.nodelay:
            print("Nagle's algorithm left on in the simulators: ~40 ms extra per request")
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
    parser.add_argument(
        "--keep-nagle",
        action="store_true",
        help="leave Nagle's algorithm on in the simulators (adds ~40 ms per request)",
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.serve is not None:
        serve_simulators(args.serve, keep_nagle=args.keep_nagle)
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
    results = benchmark(sizes, keep_nagle=args.keep_nagle)
    print("RESULT " + json.dumps({"sizes": results}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
