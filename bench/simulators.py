"""Throughput and memory figures for the TD SYNNEX and Autotask simulators.

Run ``uv run python bench/simulators.py`` (``--quick`` for small sizes, ``--tracemalloc`` to add
tracemalloc figures). The script prints figures and never asserts timings. A server under load
runs in a child process, so the load generator in this process does not take its CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import re
import sys
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from _common import (
    child_process,
    peak_rss_kb,
    print_table,
    rss_now_kb,
    run_child,
    serve_until_closed,
)
from _load import Caller, Rate, asgi_rate, http_rate
from orderbridge.simulators._common import SimulatorServer
from orderbridge.simulators.autotask import AutotaskSimConfig, AutotaskSimulator
from orderbridge.simulators.autotask.rendering import record_json
from orderbridge.simulators.scenario import Scenario, ScenarioOrder, builtin_scenario
from orderbridge.simulators.tdsynnex import TdSynnexSimConfig, TdSynnexSimulator

TD_PATH = "/SynnexXML/POStatus"
AT_QUERY_PATH = "/ATServicesRest/V1.0/PurchaseOrders/query"
PAGE_SIZE = 500
PAGE_DETAILS = b',"pageDetails":'
LAST_ID = re.compile(rb'"id":(\d+)')
# Raised so that a run is never throttled by the hourly threshold; the thread limit stays at 3.
BENCH_HOURLY_THRESHOLD = 100_000_000
MEMORY_LABELS = {
    "tdsynnex": "TD SYNNEX memory, seeded orders",
    "autotask": "Autotask memory, seeded POs",
}


@dataclass(frozen=True)
class Service:
    """How one simulator's throughput is measured and reported."""

    kind: str
    title: str
    unit: str
    target: str
    noun: str


SERVICES = (
    Service("tdsynnex", "TD SYNNEX POStatus", "req/s", ">= 1,000 req/s", "orders"),
    Service("autotask", "Autotask 500-row query pages", "pages/s", ">= 500 pages/s", "POs"),
)


@dataclass(frozen=True)
class Sizes:
    """How much work each figure does: orders seeded and concurrency levels per simulator."""

    orders: dict[str, int]
    levels: dict[str, tuple[int, ...]]
    seconds: float
    memory_orders: int


FULL = Sizes(
    {"tdsynnex": 1_000, "autotask": 20_000},
    {"tdsynnex": (1, 4, 16, 64), "autotask": (1, 2, 3)},
    4.0,
    100_000,
)
QUICK = Sizes(
    {"tdsynnex": 200, "autotask": 2_000}, {"tdsynnex": (1, 8), "autotask": (1, 3)}, 0.5, 2_000
)


@dataclass(frozen=True)
class Figure:
    """One row of the printed table."""

    label: str
    value: str
    target: str
    detail: str


# --- seeding ---


def bench_scenario(count: int) -> Scenario:
    """``count`` orders cloned from the built-in demo (every state and payload variant)."""
    demo = builtin_scenario("demo")
    orders: list[ScenarioOrder] = []
    for index in range(count):
        template = demo.orders[index % len(demo.orders)]
        autotask = template.autotask.model_copy(
            update={"create": True, "purchase_order_number": None, "omit_po_number": False}
        )
        # A deep copy, so each order owns its lines like one parsed from a scenario file.
        orders.append(
            template.model_copy(
                update={"po_number": f"BENCH-{index + 1:06d}", "autotask": autotask}, deep=True
            )
        )
    return demo.model_copy(update={"name": f"bench-{count}", "orders": orders})


def build_simulator(kind: str, count: int) -> TdSynnexSimulator | AutotaskSimulator:
    """A simulator of ``kind`` seeded with ``count`` orders in a realistic mix of states."""
    sim: TdSynnexSimulator | AutotaskSimulator
    if kind == "tdsynnex":
        sim = TdSynnexSimulator(TdSynnexSimConfig())
    else:
        sim = AutotaskSimulator(AutotaskSimConfig(hourly_threshold=BENCH_HOURLY_THRESHOLD))
    sim.load_scenario(bench_scenario(count))
    return sim


# --- what one worker sends, and how it checks the answer ---


def status_bodies(count: int) -> list[bytes]:
    """One POStatus request per seeded order; neighbours hit orders in different states."""
    config = TdSynnexSimConfig()
    bodies = []
    for index in range(count):
        po_number = f"BENCH-{(index * 7919) % count + 1:06d}"
        bodies.append(
            '<?xml version="1.0" encoding="UTF-8"?><SynnexB2B version="2.7"><Credential>'
            f"<UserID>{config.user_id}</UserID><Password>{config.password}</Password>"
            f"</Credential><OrderStatusRequest><CustomerNumber>{config.customer_number}"
            f"</CustomerNumber><PONumber>{po_number}</PONumber></OrderStatusRequest></SynnexB2B>"
        )
    return [body.encode() for body in bodies]


class StatusRequests:
    """Cycles through POStatus requests for every seeded order, from its own offset."""

    path = TD_PATH

    def __init__(self, bodies: list[bytes], offset: int) -> None:
        self.headers = {"Content-Type": "application/xml"}
        self._bodies = bodies
        self._position = offset

    def body(self) -> bytes:
        """The next POStatus request."""
        self._position = (self._position + 1) % len(self._bodies)
        return self._bodies[self._position]

    def accept(self, status: int, content: bytes) -> bool:
        """An XML answer (business errors such as ServerError are answers too)."""
        return status == 200 and b"<SynnexB2B" in content


class PageWalker:
    """Walks every PO page by page with ``id gt lastId``, starting over at the end."""

    path = AT_QUERY_PATH

    def __init__(self) -> None:
        config = AutotaskSimConfig()
        self.headers = {
            "ApiIntegrationCode": config.integration_code,
            "UserName": config.username,
            "Secret": config.secret,
            "Content-Type": "application/json",
        }
        self._after_id = 0

    def body(self) -> bytes:
        """The query for the next page."""
        model = {
            "MaxRecords": PAGE_SIZE,
            "filter": [{"op": "gt", "field": "id", "value": self._after_id}],
        }
        return json.dumps(model).encode()

    def accept(self, status: int, content: bytes) -> bool:
        """A non-empty page; the next query starts after its last id, or over at the end.

        Only the page details and the last record's id are decoded. Decoding all 420 KB would
        cost the load generator more CPU than the server spends on the page, on shared cores.
        """
        details_at = content.rfind(PAGE_DETAILS)
        if status != 200 or not content.startswith(b'{"items":[{') or details_at < 0:
            return False
        details: dict[str, Any] = json.loads(content[details_at + len(PAGE_DETAILS) : -1])
        last_id = LAST_ID.match(content, content.rfind(b'"id":', 0, details_at))
        if last_id is None or details["count"] < 1:
            return False
        more = details["nextPageUrl"] is not None
        self._after_id = int(last_id.group(1)) if more else 0
        return True


def callers(kind: str, count: int, concurrency: int) -> list[Caller]:
    """One caller per concurrent worker."""
    if kind == "tdsynnex":
        bodies = status_bodies(count)
        return [
            StatusRequests(bodies, worker * count // concurrency) for worker in range(concurrency)
        ]
    return [PageWalker() for _ in range(concurrency)]


# --- child processes: a server under load, or a fresh process that seeds and reports memory ---


def run_child_server(kind: str, count: int) -> None:
    """Seed a simulator and serve it on a free port until stdin closes (prints its URL)."""
    sim = build_simulator(kind, count)
    with SimulatorServer(sim.app) as server:
        serve_until_closed(server.url)


def render_everything(sim: AutotaskSimulator) -> None:
    """Render every PO and item once, so the figure includes their cached JSON."""
    for path in ("PurchaseOrders", "PurchaseOrderItems"):
        spec = sim.db.catalog.by_path(path)
        assert spec is not None
        with sim.db.lock:
            for record in sim.db.table(path):
                record_json(spec, record)


def run_child_memory(kind: str, count: int, trace: bool) -> None:
    """Seed ``count`` orders in a fresh process and print its memory figures as JSON."""
    gc.collect()
    before = rss_now_kb()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    sim = build_simulator(kind, count)
    seconds = time.perf_counter() - started
    seeded = rss_now_kb()
    if isinstance(sim, AutotaskSimulator):
        render_everything(sim)
    gc.collect()
    traced = tracemalloc.get_traced_memory() if trace else None
    figures = {
        "seed_seconds": seconds,
        "rss_before_kb": before,
        "rss_seeded_kb": seeded,
        "rss_after_kb": rss_now_kb(),
        "rendered": isinstance(sim, AutotaskSimulator),
        "peak_rss_kb": peak_rss_kb(),
        "traced_kb": None if traced is None else traced[0] // 1024,
        "traced_peak_kb": None if traced is None else traced[1] // 1024,
    }
    print(json.dumps(figures), flush=True)
    del sim


# --- the figures ---


def rate_figure(label: str, rates: list[Rate], unit: str, target: str, note: str) -> Figure:
    """A table row: the best rate, with every concurrency level in the detail."""
    best = max(rates, key=lambda r: r.per_second)
    levels = ", ".join(f"c={r.concurrency}: {r.per_second:,.0f}" for r in rates)
    failed, total = sum(r.failed for r in rates), sum(r.done + r.failed for r in rates)
    detail = f"{levels}; failed {failed:,} of {total:,}; {note}"
    return Figure(label, f"{best.per_second:,.0f} {unit} (c={best.concurrency})", target, detail)


def throughput_figures(service: Service, sizes: Sizes) -> list[Figure]:
    """Over real loopback HTTP, and straight into the ASGI app for context."""
    kind, count = service.kind, sizes.orders[service.kind]
    note = f"{count:,} {service.noun}"
    with child_process(__file__, "--serve", kind, "--orders", str(count)) as url:
        rates = [
            asyncio.run(http_rate(url, callers(kind, count, c), sizes.seconds))
            for c in sizes.levels[kind]
        ]
    label = f"{service.title} over HTTP"
    figures = [rate_figure(label, rates, service.unit, service.target, note)]
    app = build_simulator(kind, count).app
    local = asyncio.run(asgi_rate(app, callers(kind, count, 1)[0], sizes.seconds))
    label = f"{service.title} in-process (ASGI)"
    figures.append(rate_figure(label, [local], service.unit, "(context)", note))
    return figures


def memory_figure(kind: str, count: int, trace: bool) -> Figure:
    """Peak RSS of a fresh process that seeds ``count`` orders into one simulator."""
    args = ["--memory", kind, "--orders", str(count), *(["--tracemalloc"] if trace else [])]
    data = json.loads(run_child(__file__, *args))
    parts = [f"{count:,} orders seeded in {data['seed_seconds']:.1f} s"]
    if data["rss_before_kb"] is not None and data["rss_seeded_kb"] is not None:
        mb = {key: data[key] / 1024 for key in ("rss_before_kb", "rss_seeded_kb", "rss_after_kb")}
        parts.append(
            f"RSS {mb['rss_before_kb']:,.0f} MB before seeding, {mb['rss_seeded_kb']:,.0f} MB after"
        )
        if data["rendered"]:
            parts.append(f"{mb['rss_after_kb']:,.0f} MB once every PO and item was rendered")
    if data["traced_kb"] is not None:
        kept, peak = data["traced_kb"] / 1024, data["traced_peak_kb"] / 1024
        parts.append(f"tracemalloc {kept:,.0f} MB kept, {peak:,.0f} MB at peak")
    value = f"{data['peak_rss_kb'] / 1024:,.0f} MB peak RSS"
    return Figure(MEMORY_LABELS[kind], value, "< 1 GB", "; ".join(parts))


def print_figures(figures: list[Figure], sizes: Sizes) -> None:
    """The figures as a plain-text table, each with its detail line."""
    print(f"Simulator benchmarks ({os.cpu_count()} CPUs, {sizes.seconds:g} s per level)")
    rows = [(f.label, f.value, f.target) for f in figures]
    print_table(("Figure", "Measured", "Target"), rows, [f.detail for f in figures])


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Command-line options (the hidden ones start the child processes)."""
    parser = argparse.ArgumentParser(description="Throughput and memory of the simulators.")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--tracemalloc", action="store_true", help="add tracemalloc figures")
    parser.add_argument("--serve", choices=("tdsynnex", "autotask"), help=argparse.SUPPRESS)
    parser.add_argument("--memory", choices=("tdsynnex", "autotask"), help=argparse.SUPPRESS)
    parser.add_argument("--orders", type=int, default=0, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run every benchmark and print the table."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.serve:
        run_child_server(args.serve, args.orders)
        return 0
    if args.memory:
        run_child_memory(args.memory, args.orders, args.tracemalloc)
        return 0
    sizes = QUICK if args.quick else FULL
    figures = [figure for service in SERVICES for figure in throughput_figures(service, sizes)]
    figures += [
        memory_figure(kind, sizes.memory_orders, args.tracemalloc) for kind in MEMORY_LABELS
    ]
    print_figures(figures, sizes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
