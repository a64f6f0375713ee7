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
import resource
import socket
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx2

from orderbridge.simulators._common import SimulatorServer
from orderbridge.simulators.autotask import AutotaskSimConfig, AutotaskSimulator
from orderbridge.simulators.scenario import Scenario, ScenarioOrder, builtin_scenario
from orderbridge.simulators.tdsynnex import TdSynnexSimConfig, TdSynnexSimulator

TD_PATH = "/SynnexXML/POStatus"
AT_QUERY_PATH = "/ATServicesRest/V1.0/PurchaseOrders/query"
PAGE_SIZE = 500
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
        """A non-empty page; the next query starts after its last id, or over at the end."""
        if status != 200:
            return False
        page: dict[str, Any] = json.loads(content)
        items: list[dict[str, Any]] = page["items"]
        more = bool(items) and page["pageDetails"]["nextPageUrl"] is not None
        self._after_id = int(items[-1]["id"]) if more else 0
        return bool(items)


Caller = StatusRequests | PageWalker


def callers(kind: str, count: int, concurrency: int) -> list[Caller]:
    """One caller per concurrent worker."""
    if kind == "tdsynnex":
        bodies = status_bodies(count)
        return [
            StatusRequests(bodies, worker * count // concurrency) for worker in range(concurrency)
        ]
    return [PageWalker() for _ in range(concurrency)]


# --- child processes: a server under load, or a fresh process that seeds and reports memory ---


def disable_nagle(server: SimulatorServer) -> bool:
    """Set TCP_NODELAY on the listening socket; Linux passes it on to accepted connections.

    SimulatorServer leaves Nagle's algorithm on, so a keep-alive response written in two parts
    (headers, then body) waits for the client's delayed ACK, about 40 ms. This shows what the
    server does once that is fixed; it reaches into a private attribute, so it is tolerant.
    """
    listening = getattr(server, "_socket", None)
    if not isinstance(listening, socket.socket):
        return False
    listening.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return True


def run_child_server(kind: str, count: int, nodelay: bool) -> None:
    """Seed a simulator, serve it on a free port, print the port, serve until stdin closes."""
    sim = build_simulator(kind, count)
    with SimulatorServer(sim.app) as server:
        if nodelay and not disable_nagle(server):
            print("TCP_NODELAY could not be set; measuring the server as it is", file=sys.stderr)
        print(server.port, flush=True)
        sys.stdin.read()


def rss_now_kb() -> int | None:
    """Current resident set size, where /proc tells it (Linux)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except OSError:
        return None


def run_child_memory(kind: str, count: int, trace: bool) -> None:
    """Seed ``count`` orders in a fresh process and print its memory figures as JSON."""
    gc.collect()
    before = rss_now_kb()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    sim = build_simulator(kind, count)
    seconds = time.perf_counter() - started
    gc.collect()
    traced = tracemalloc.get_traced_memory() if trace else None
    figures = {
        "seed_seconds": seconds,
        "rss_before_kb": before,
        "rss_after_kb": rss_now_kb(),
        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "traced_kb": None if traced is None else traced[0] // 1024,
        "traced_peak_kb": None if traced is None else traced[1] // 1024,
    }
    print(json.dumps(figures), flush=True)
    del sim


def child_command(*args: str) -> list[str]:
    """The command line that reruns this script in a child role."""
    return [sys.executable, os.path.abspath(__file__), *args]


@contextmanager
def child_server(kind: str, count: int, *, nodelay: bool) -> Iterator[str]:
    """Run a seeded simulator in a child process; yields its base URL."""
    args = ["--serve", kind, "--orders", str(count), *(["--nodelay"] if nodelay else [])]
    proc = subprocess.Popen(
        child_command(*args), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        port = proc.stdout.readline().strip()
        if not port.isdigit():
            raise RuntimeError(f"the {kind} simulator process did not start (exit {proc.poll()})")
        yield f"http://127.0.0.1:{port}"
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- load generation ---


@dataclass(frozen=True)
class Rate:
    """Requests completed in a timed run."""

    concurrency: int
    done: int
    failed: int
    seconds: float

    @property
    def per_second(self) -> float:
        """Successful requests per second."""
        return self.done / self.seconds if self.seconds > 0 else 0.0


Step = Callable[[], Awaitable[bool]]


async def timed(steps: Sequence[Step], seconds: float) -> tuple[int, int, float]:
    """Run each step in a loop on its own task for ``seconds``; returns done, failed, elapsed."""
    done = failed = 0
    deadline = time.perf_counter() + seconds

    async def loop(step: Step) -> None:
        nonlocal done, failed
        while time.perf_counter() < deadline:
            if await step():
                done += 1
            else:
                failed += 1

    started = time.perf_counter()
    await asyncio.gather(*(loop(step) for step in steps))
    return done, failed, time.perf_counter() - started


async def http_rate(url: str, workers: list[Caller], seconds: float) -> Rate:
    """Successful requests per second with one keep-alive connection per worker."""
    concurrency = len(workers)
    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx2.AsyncClient(base_url=url, limits=limits, timeout=30.0) as client:

        def step_for(caller: Caller) -> Step:
            async def step() -> bool:
                answer = await client.post(
                    caller.path, content=caller.body(), headers=caller.headers
                )
                return caller.accept(answer.status_code, answer.content)

            return step

        steps = [step_for(caller) for caller in workers]
        await timed(steps, min(seconds, 0.3))  # warm-up: connections open, caches filled
        done, failed, elapsed = await timed(steps, seconds)
    return Rate(concurrency, done, failed, elapsed)


async def asgi_call(app: Any, caller: Caller) -> tuple[int, bytes]:
    """One request straight into an ASGI app, without a socket; returns status and body."""
    body = caller.body()
    headers = [(k.lower().encode(), v.encode()) for k, v in caller.headers.items()]
    headers += [(b"host", b"127.0.0.1"), (b"content-length", str(len(body)).encode())]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": caller.path,
        "raw_path": caller.path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    pending = [{"type": "http.request", "body": body, "more_body": False}]
    status = [0]
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        return pending.pop() if pending else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status[0] = int(message["status"])
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status[0], b"".join(chunks)


async def asgi_rate(app: Any, caller: Caller, seconds: float) -> Rate:
    """Requests per second of time spent inside the app, one at a time, no network."""
    busy = 0.0

    async def step() -> bool:
        nonlocal busy
        started = time.perf_counter()
        status, content = await asgi_call(app, caller)
        busy += time.perf_counter() - started  # the caller's own parsing is left out
        return caller.accept(status, content)

    done, failed, _ = await timed([step], seconds)
    return Rate(1, done, failed, busy)


# --- the figures ---


def rate_figure(label: str, rates: list[Rate], unit: str, target: str, note: str) -> Figure:
    """A table row: the best rate, with every concurrency level in the detail."""
    best = max(rates, key=lambda r: r.per_second)
    levels = ", ".join(f"c={r.concurrency}: {r.per_second:,.0f}" for r in rates)
    failed, total = sum(r.failed for r in rates), sum(r.done + r.failed for r in rates)
    detail = f"{levels}; failed {failed:,} of {total:,}; {note}"
    return Figure(label, f"{best.per_second:,.0f} {unit} (c={best.concurrency})", target, detail)


def throughput_figures(service: Service, sizes: Sizes) -> list[Figure]:
    """Over HTTP as served today, over HTTP with TCP_NODELAY, and in-process."""
    kind, count = service.kind, sizes.orders[service.kind]
    note = f"{count:,} {service.noun}"
    figures = []
    for suffix, nodelay in (("", False), (", TCP_NODELAY", True)):
        with child_server(kind, count, nodelay=nodelay) as url:
            rates = [
                asyncio.run(http_rate(url, callers(kind, count, c), sizes.seconds))
                for c in sizes.levels[kind]
            ]
        label = f"{service.title} over HTTP{suffix}"
        figures.append(rate_figure(label, rates, service.unit, service.target, note))
    app = build_simulator(kind, count).app
    local = asyncio.run(asgi_rate(app, callers(kind, count, 1)[0], sizes.seconds))
    label = f"{service.title} in-process (ASGI)"
    figures.append(rate_figure(label, [local], service.unit, "(context)", note))
    return figures


def memory_figure(kind: str, count: int, trace: bool) -> Figure:
    """Peak RSS of a fresh process that seeds ``count`` orders into one simulator."""
    args = ["--memory", kind, "--orders", str(count), *(["--tracemalloc"] if trace else [])]
    done = subprocess.run(child_command(*args), capture_output=True, text=True, check=True)
    data = json.loads(done.stdout.strip().splitlines()[-1])
    parts = [f"{count:,} orders seeded in {data['seed_seconds']:.1f} s"]
    if data["rss_before_kb"] is not None and data["rss_after_kb"] is not None:
        before, after = data["rss_before_kb"] / 1024, data["rss_after_kb"] / 1024
        parts.append(f"RSS {before:,.0f} MB before seeding, {after:,.0f} MB after")
    if data["traced_kb"] is not None:
        kept, peak = data["traced_kb"] / 1024, data["traced_peak_kb"] / 1024
        parts.append(f"tracemalloc {kept:,.0f} MB kept, {peak:,.0f} MB at peak")
    value = f"{data['peak_rss_kb'] / 1024:,.0f} MB peak RSS"
    return Figure(MEMORY_LABELS[kind], value, "< 1 GB", "; ".join(parts))


def print_table(figures: list[Figure], sizes: Sizes) -> None:
    """The figures as a plain-text table."""
    print(f"Simulator benchmarks ({os.cpu_count()} CPUs, {sizes.seconds:g} s per level)")
    header = ("Figure", "Measured", "Target")
    rows = [(f.label, f.value, f.target) for f in figures]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
    print("  ".join("-" * w for w in widths))
    for row, figure in zip(rows, figures, strict=True):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        print(f"    {figure.detail}")


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Command-line options (the hidden ones start the child processes)."""
    parser = argparse.ArgumentParser(description="Throughput and memory of the simulators.")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--tracemalloc", action="store_true", help="add tracemalloc figures")
    parser.add_argument("--serve", choices=("tdsynnex", "autotask"), help=argparse.SUPPRESS)
    parser.add_argument("--memory", choices=("tdsynnex", "autotask"), help=argparse.SUPPRESS)
    parser.add_argument("--orders", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--nodelay", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run every benchmark and print the table."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.serve:
        run_child_server(args.serve, args.orders, args.nodelay)
        return 0
    if args.memory:
        run_child_memory(args.memory, args.orders, args.tracemalloc)
        return 0
    sizes = QUICK if args.quick else FULL
    figures = [figure for service in SERVICES for figure in throughput_figures(service, sizes)]
    figures += [
        memory_figure(kind, sizes.memory_orders, args.tracemalloc) for kind in MEMORY_LABELS
    ]
    print_table(figures, sizes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
