"""Scale-out benchmark: many tenants synced by ``orderbridge worker`` processes on PostgreSQL.

Run ``uv run python bench/scale_out.py`` (20 tenants x 500 POs, 1, 2 and 4 workers),
``--tenants 100 --pos 1000`` for the issue's full size, or ``--quick`` (3 tenants x 40 POs,
1 and 2 workers) for a smoke run. Every tenant has its own simulator pair (its own Autotask
database, so its own request budget), served by up to four child processes, so the simulators'
CPU and memory are never charged to the workers. TD SYNNEX answers POStatus and invoice queries
after 20 ms.

The store is a fresh PostgreSQL database (``CREATE DATABASE``, dropped afterwards; a fresh schema
when the role may not create databases), so its server-side counters count the benchmark alone.
Tenants are added with ``orderbridge tenants add``. Then one cold cycle (everything is written),
one cycle after it (which still rewrites every order's stored facts and lookup rows once), and
for each worker count one steady-state cycle: W ``orderbridge worker`` processes are started, a
plan job is queued for every tenant at once (what the scheduler does when all are due), and
the cycle ends when every tenant's run is closed. Measured per worker count: wall time from the
plans being queued to the last run closed, CPU time and peak RSS of each worker process (from
/proc), PostgreSQL transactions, table scans, rows written, connections opened and time spent
executing statements (server-side statistics of the benchmark's database), and the largest
share of any tenant's Autotask threshold used in any rolling hour. Then the single-tenant
SQLite figures of ``bench/sync_cycle.py`` at the same size, for comparison. The script never
asserts timings; each cycle's figures are printed as it ends (``CYCLE {json}``) and its last
line is ``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx2
import psycopg
import tomli_w
from sqlalchemy.engine import URL, make_url
from typer.testing import CliRunner

from _common import child_process, print_table, run_child, serve_until_closed, vm_hwm_kb
from _sync_scenario import bench_scenario
from orderbridge.adapters.jobqueue import JobQueue, conninfo_of
from orderbridge.cli import app
from orderbridge.simulators.autotask import AutotaskSimConfig
from orderbridge.simulators.harness import running_simulators

# --- what is simulated ------------------------------------------------------------------------

TD_LATENCY_MS = 20
TD_LATENCY_ENDPOINTS = ("POStatus", "InvoiceQuery")
# Each tenant's Autotask database keeps Autotask's default threshold: the budget is real here.
AUTOTASK_HOURLY_THRESHOLD = 10_000
BUDGET_SHARE = 0.5  # [sync] budget_share, the default
WORKER_CONCURRENCY = 4  # jobs per worker process ([workers] concurrency, the default)
MAX_SIMULATOR_CHILDREN = 4
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_SIZE = (20, 500, (1, 2, 4))  # tenants, POs per tenant, worker counts
QUICK_SIZE = (3, 40, (1, 2))
CYCLE_TIMEOUT_S = 3 * 3600.0
POLL_S = 0.5
CLI = [sys.executable, "-c", "from orderbridge.cli import main; main()"]
BENCH = Path(__file__).resolve().parent

# --- child process: several tenants' simulator pairs -------------------------------------------


def serve_simulators(first: int, count: int, pos: int) -> None:
    """Child role: one seeded simulator pair per tenant ``first .. first+count-1``; wait."""
    scenario = bench_scenario(pos)
    with ExitStack() as stack:
        tenants = []
        for index in range(first, first + count):
            config = AutotaskSimConfig(
                ci=100_001 + index, hourly_threshold=AUTOTASK_HOURLY_THRESHOLD
            )
            sims = stack.enter_context(running_simulators(scenario, autotask_config=config))
            for endpoint in TD_LATENCY_ENDPOINTS:
                rule = {"kind": "latency", "latency_ms": TD_LATENCY_MS, "endpoint": endpoint}
                httpx2.post(f"{sims.tdsynnex_url}/_sim/faults", json=rule).raise_for_status()
            tenants.append(
                {"name": tenant_name(index), "settings": sims.settings_dict(Path("unused.db"))}
            )
        serve_until_closed(json.dumps(tenants))


def tenant_name(index: int) -> str:
    """The name of the tenant with this index."""
    return f"t{index + 1:03d}"


@contextmanager
def simulator_processes(tenants: int, pos: int) -> Iterator[list[dict[str, Any]]]:
    """Every tenant's simulator pair, spread over up to four child processes."""
    children = min(tenants, MAX_SIMULATOR_CHILDREN)
    share, extra = divmod(tenants, children)
    found: list[dict[str, Any]] = []
    with ExitStack() as stack:
        first = 0
        for child in range(children):
            count = share + (1 if child < extra else 0)
            ready = stack.enter_context(
                child_process(__file__, "--serve", str(first), str(count), str(pos))
            )
            found += json.loads(ready)
            first += count
        yield found


# --- the PostgreSQL store ----------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where the benchmark's store lives, and how its statistics are scoped."""

    store_url: str
    conninfo: str
    schema: str | None  # None: a database of its own (every counter is the benchmark's)


def _admin(server: URL) -> psycopg.Connection[Any]:
    return psycopg.connect(
        conninfo_of(server.render_as_string(hide_password=False)), autocommit=True
    )


@contextmanager
def postgres_target(server_url: str) -> Iterator[Target]:
    """A fresh database for the run (a fresh schema if the role may not create one); dropped."""
    server = make_url(server_url)
    name = f"ob_bench_{uuid.uuid4().hex[:12]}"
    with _admin(server) as admin:
        try:
            admin.execute(f'CREATE DATABASE "{name}"')
            schema = None
        except psycopg.errors.InsufficientPrivilege:
            admin.execute(f'CREATE SCHEMA "{name}"')
            schema = name
    if schema is None:
        url = server.set(database=name)
    else:
        url = server.update_query_dict({"options": f"-csearch_path={schema}"})
    store_url = url.render_as_string(hide_password=False)
    try:
        yield Target(store_url, conninfo_of(store_url), schema)
    finally:
        with _admin(server) as admin:
            if schema is None:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            else:
                admin.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@dataclass(frozen=True)
class PgCounters:
    """Server-side statistics of the benchmark's database (or schema) at one moment."""

    transactions: int
    sessions: int  # connections opened
    active_ms: float  # time backends spent executing statements
    scans: dict[str, int]  # index and sequential scans, by table
    written: dict[str, int]  # rows inserted, updated and deleted, by table

    @property
    def table_scans(self) -> int:
        """Scans of every table."""
        return sum(self.scans.values())

    @property
    def rows_written(self) -> int:
        """Rows written to every table."""
        return sum(self.written.values())

    def minus(self, earlier: PgCounters) -> PgCounters:
        """What happened since ``earlier``."""

        def delta(now: dict[str, int], then: dict[str, int]) -> dict[str, int]:
            changed = {table: n - then.get(table, 0) for table, n in now.items()}
            return {table: n for table, n in changed.items() if n}

        return PgCounters(
            self.transactions - earlier.transactions,
            self.sessions - earlier.sessions,
            self.active_ms - earlier.active_ms,
            delta(self.scans, earlier.scans),
            delta(self.written, earlier.written),
        )


def pg_counters(db: psycopg.Connection[Any], target: Target) -> PgCounters:
    """Transactions of the database; index and sequential scans and rows written of its tables.

    With a schema in a shared database the transactions are the whole database's (other
    clients included); the table figures are the schema's alone.
    """
    db.execute("SELECT pg_stat_clear_snapshot()")
    row = db.execute(
        "SELECT xact_commit + xact_rollback, sessions, active_time FROM pg_stat_database "
        "WHERE datname = current_database()"
    ).fetchone()
    tables = db.execute(
        "SELECT relname, coalesce(seq_scan, 0) + coalesce(idx_scan, 0), "
        "n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables "
        "WHERE schemaname = coalesce(%s, 'public')",
        (target.schema,),
    ).fetchall()
    assert row is not None
    return PgCounters(
        int(row[0]),
        int(row[1]),
        float(row[2]),
        {str(name): int(scans) for name, scans, _ in tables},
        {str(name): int(written) for name, _, written in tables},
    )


# --- processes ---------------------------------------------------------------------------------


def process_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of a process (Linux /proc), None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float | None:
    """A process's peak resident set size (VmHWM), None once it is gone."""
    found = vm_hwm_kb(pid)
    return None if found is None else found / 1024


def child_env() -> dict[str, str]:
    """This environment without ORDERBRIDGE_* (the config file decides everything)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ORDERBRIDGE_")}


def cli(*args: str) -> str:
    """Run an orderbridge command in this process; its output (raising when it fails)."""
    unset: dict[str, str | None] = {k: None for k in os.environ if k.startswith("ORDERBRIDGE_")}
    result = CliRunner().invoke(app, list(args), env=unset)
    if result.exit_code != 0:
        raise RuntimeError(f"orderbridge {' '.join(args)} failed: {result.output}")
    return result.output


def write_toml(path: Path, values: dict[str, Any]) -> Path:
    """A configuration file, readable by its owner only."""
    path.write_text(tomli_w.dumps(values), encoding="utf-8")
    path.chmod(0o600)
    return path


def add_tenants(tenants: list[dict[str, Any]], scratch: Path, installation: Path) -> None:
    """``keys create``, then ``tenants add`` for every tenant (every order checked each cycle)."""
    cli("keys", "create", "--config", str(installation))
    for tenant in tenants:
        values = dict(tenant["settings"])
        del values["store"]
        values["sync"] = {"adaptive": False, "budget_share": BUDGET_SHARE}
        path = write_toml(scratch / f"{tenant['name']}.toml", values)
        cli(
            *("tenants", "add", tenant["name"], "--config", str(path)),
            *("--installation-config", str(installation)),
        )


# --- one cycle of every tenant -----------------------------------------------------------------


@dataclass
class Cycle:
    """What one cycle of every tenant cost with ``workers`` worker processes."""

    name: str
    workers: int
    worker_concurrency: int
    wall_s: float = 0.0
    runs_closed: int = 0
    monitored: int = 0
    orders_checked: int = 0
    updated: int = 0
    failed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    cpu_s_workers: float = 0.0
    cpu_s_per_worker: list[float] = field(default_factory=list)
    cpu_ms_per_order: float = 0.0
    peak_rss_mb: float = 0.0
    peak_rss_mb_per_worker: list[float] = field(default_factory=list)
    pg_active_ms_per_order: float = 0.0
    pg_transactions_per_order: float = 0.0
    pg_table_scans_per_order: float = 0.0
    pg_connections_opened: int = 0
    pg_rows_written_per_order: float = 0.0
    pg_scans_by_table: dict[str, int] = field(default_factory=dict)
    pg_rows_written_by_table: dict[str, int] = field(default_factory=dict)
    autotask_requests: int = 0
    autotask_refusals: int = 0
    max_budget_share_used: float = 0.0
    configured_budget_share: float = BUDGET_SHARE
    worker_errors: int = 0
    runs: list[dict[str, Any]] = field(default_factory=list)


def start_workers(
    count: int, installation: Path, logs: Path, tag: str
) -> list[subprocess.Popen[bytes]]:
    """``orderbridge worker`` processes, their stderr in log files."""
    started = []
    for number in range(count):
        with (logs / f"{tag}-worker-{number}.log").open("wb") as stderr:
            started.append(
                subprocess.Popen(
                    [*CLI, "worker", "--config", str(installation)],
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                    env=child_env(),
                )
            )
    return started


def stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM every worker, and kill the ones that do not stop within a minute."""
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def scalar(db: psycopg.Connection[Any], sql: str, *params: Any) -> Any:
    """The first column of the first row, None when the table is not there yet."""
    try:
        row = db.execute(sql, params).fetchone()
    except psycopg.errors.UndefinedTable:
        return None
    return None if row is None else row[0]


def wait_until(
    check: Any, what: str, timeout_s: float, workers: list[subprocess.Popen[bytes]]
) -> int:
    """Poll ``check()`` until it is true; returns how many polls it took."""
    deadline, polls = time.monotonic() + timeout_s, 0
    while True:
        polls += 1
        if check():
            return polls
        dead = [w.args for w in workers if w.poll() is not None]
        if dead:
            raise RuntimeError(f"a worker exited while waiting for {what}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(POLL_S)


async def defer_plans(store_url: str, tenants: Sequence[str]) -> None:
    """Queue a plan job of every tenant, as the scheduler does when all are due."""
    async with JobQueue(store_url) as queue:
        for tenant in tenants:
            await queue.defer_plan(tenant)


def run_cycle(
    name: str,
    workers: int,
    target: Target,
    tenants: Sequence[str],
    installation: Path,
    logs: Path,
    budget_rows: dict[int, tuple[str, datetime]],
) -> Cycle:
    """Start ``workers`` workers, queue every tenant's plan, wait for every run to close."""
    cycle = Cycle(name, workers, WORKER_CONCURRENCY)
    with psycopg.connect(target.conninfo, autocommit=True) as db:
        before_workers = scalar(db, "SELECT count(*) FROM procrastinate_workers") or 0
        processes = start_workers(workers, installation, logs, name)
        try:
            wait_until(
                lambda: (
                    (scalar(db, "SELECT count(*) FROM procrastinate_workers") or 0)
                    >= before_workers + workers
                ),
                "the workers to start",
                120,
                processes,
            )
            time.sleep(1.5)  # let the workers' start-up statistics reach the server
            last_run = scalar(db, "SELECT coalesce(max(id), 0) FROM sync_run") or 0
            pg_before = pg_counters(db, target)
            cpu_before = [process_cpu_s(p.pid) or 0.0 for p in processes]
            queued_at = datetime.now(UTC)
            anyio.run(defer_plans, target.store_url, tenants)
            polls = wait_until(
                lambda: (
                    scalar(
                        db,
                        "SELECT count(*) FROM sync_run WHERE id > %s AND outcome <> 'running'",
                        last_run,
                    )
                    >= len(tenants)
                ),
                f"the {name} cycle of every tenant",
                CYCLE_TIMEOUT_S,
                processes,
            )
            cpu_after = [process_cpu_s(p.pid) or 0.0 for p in processes]
            rss = [peak_rss_mb(p.pid) or 0.0 for p in processes]
        finally:
            stop_workers(processes)
        time.sleep(1.5)  # the stopped workers' backends flush their statistics as they exit
        pg_delta = pg_counters(db, target).minus(pg_before)
        rows = db.execute(
            "SELECT tenant, outcome, monitored, checked, updated, failed, started_at, "
            "finished_at, requests FROM sync_run WHERE id > %s ORDER BY tenant",
            (last_run,),
        ).fetchall()
        for row_id, database, sent_at in db.execute(
            "SELECT id, database, sent_at FROM autotask_budget_request"
        ).fetchall():
            budget_rows[int(row_id)] = (str(database), sent_at)
    finished = max(row[7] for row in rows)
    cycle.wall_s = (finished - queued_at).total_seconds()
    cycle.runs_closed = len(rows)
    cycle.runs = [
        {
            "tenant": r[0],
            "outcome": r[1],
            "monitored": r[2],
            "checked": r[3],
            "updated": r[4],
            "failed": r[5],
            "wall_s": round((r[7] - r[6]).total_seconds(), 3),
        }
        for r in rows
    ]
    for run in cycle.runs:
        cycle.outcomes[run["outcome"]] = cycle.outcomes.get(run["outcome"], 0) + 1
    cycle.monitored = sum(r["monitored"] for r in cycle.runs)
    cycle.orders_checked = sum(r["checked"] for r in cycle.runs)
    cycle.updated = sum(r["updated"] for r in cycle.runs)
    cycle.failed = sum(r["failed"] for r in cycle.runs)
    cycle.cpu_s_per_worker = [round(a - b, 3) for a, b in zip(cpu_after, cpu_before, strict=True)]
    cycle.cpu_s_workers = round(sum(cycle.cpu_s_per_worker), 3)
    cycle.peak_rss_mb_per_worker = [round(mb, 1) for mb in rss]
    cycle.peak_rss_mb = max(cycle.peak_rss_mb_per_worker)
    orders = max(cycle.orders_checked, 1)
    cycle.cpu_ms_per_order = round(1000 * cycle.cpu_s_workers / orders, 3)
    cycle.pg_active_ms_per_order = round(pg_delta.active_ms / orders, 3)
    # the benchmark's own polls are transactions too: they are not the workers'
    transactions = pg_delta.transactions - polls
    cycle.pg_transactions_per_order = round(transactions / orders, 2)
    cycle.pg_table_scans_per_order = round(pg_delta.table_scans / orders, 2)
    cycle.pg_connections_opened = pg_delta.sessions
    cycle.pg_rows_written_per_order = round(pg_delta.rows_written / orders, 2)
    cycle.pg_scans_by_table = dict(sorted(pg_delta.scans.items(), key=lambda kv: -kv[1]))
    cycle.pg_rows_written_by_table = dict(sorted(pg_delta.written.items(), key=lambda kv: -kv[1]))
    in_cycle = [at for _, at in budget_rows.values() if at >= queued_at]
    cycle.autotask_requests = len(in_cycle)
    # Refusals the Autotask simulators answered (a 4th concurrent request to an endpoint, or the
    # hourly threshold), as the runs counted them: workers sharing slots should cause none.
    cycle.autotask_refusals = sum(
        int(count)
        for r in rows
        for kind, count in dict(r[8] or {}).items()
        if kind in ("autotask faults: thread_limit", "autotask faults: http_429")
    )
    cycle.max_budget_share_used = round(max_share(budget_rows, since=queued_at, until=finished), 4)
    cycle.worker_errors = sum(
        (logs / f"{name}-worker-{n}.log").read_text(errors="replace").count("Traceback")
        for n in range(workers)
    )
    return cycle


# --- the budget ---------------------------------------------------------------------------------


def max_share(
    rows: dict[int, tuple[str, datetime]],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> float:
    """The largest share of any database's budget used in any rolling hour.

    Every window considered ends at a request sent in ``[since, until]`` (all of them when
    unset) and holds the hour before it, so requests before ``since`` count where they fall in
    that hour. The share is of the database's hourly threshold, as ``[sync] budget_share`` is.
    """
    by_key: dict[str, list[datetime]] = {}
    for key, at in rows.values():
        by_key.setdefault(key, []).append(at)
    hour = timedelta(hours=1)
    best = 0
    for times in by_key.values():
        times.sort()
        for end in times:
            if (since is not None and end < since) or (until is not None and end > until):
                continue
            # requests in (end - 1 h, end]
            first = bisect_right(times, end - hour)
            best = max(best, bisect_right(times, end) - first)
    return best / AUTOTASK_HOURLY_THRESHOLD


# --- the single-tenant SQLite figures ------------------------------------------------------------


def sqlite_figures(pos: int) -> dict[str, Any]:
    """``bench/sync_cycle.py`` at ``pos`` POs: one process, SQLite, a cold and a steady cycle."""
    line = run_child(str(BENCH / "sync_cycle.py"), "--sizes", str(pos))
    size: dict[str, Any] = json.loads(line.removeprefix("RESULT "))["sizes"][0]
    steady = size["steady"]
    return {
        "monitored": size["monitored"],
        "steady_wall_s": round(steady["wall_s"], 3),
        "steady_cpu_s": round(steady["cpu_s"], 3),
        "steady_checked": steady["checked"],
        "steady_cpu_ms_per_order": round(1000 * steady["cpu_s"] / max(steady["checked"], 1), 3),
        "steady_autotask_requests": steady["autotask_total"],
        "peak_rss_mb": round(steady["peak_rss_mb"], 1),
        "cold_wall_s": round(size["cold"]["wall_s"], 3),
        "steady_outcome": steady["outcome"],
    }


# --- the benchmark ------------------------------------------------------------------------------


def benchmark(args: argparse.Namespace) -> dict[str, Any]:
    """Every cycle, then the SQLite comparison; the RESULT's content."""
    tenants, pos, counts = args.tenants, args.pos, args.workers
    budget_rows: dict[int, tuple[str, datetime]] = {}
    started = time.monotonic()
    with (
        simulator_processes(tenants, pos) as sims,
        postgres_target(args.postgres) as target,
        tempfile.TemporaryDirectory() as scratch_dir,
    ):
        scratch = Path(scratch_dir)
        installation = write_toml(
            scratch / "orderbridge.toml",
            {
                "store": {
                    "url": target.store_url,
                    "secret_key_file": str(scratch / "orderbridge.key"),
                },
                "workers": {"concurrency": WORKER_CONCURRENCY},
            },
        )
        add_tenants(sims, scratch, installation)
        print(f"{tenants} tenants added ({time.monotonic() - started:,.0f} s so far)", flush=True)
        names = [tenant["name"] for tenant in sims]
        logs = Path(args.logs) if args.logs else scratch
        logs.mkdir(parents=True, exist_ok=True)
        cold = run_cycle("cold", max(counts), target, names, installation, logs, budget_rows)
        print(f"cold cycle: {cold.wall_s:,.1f} s", flush=True)
        print_cycle(cold)
        # The cycle after the cold one still rewrites every order's stored facts and lookup
        # rows once; the steady state is the cycle after that.
        warmup = run_cycle("warmup", max(counts), target, names, installation, logs, budget_rows)
        print(f"first cycle after the cold one: {warmup.wall_s:,.1f} s", flush=True)
        print_cycle(warmup)
        steady = []
        for workers in counts:
            cycle = run_cycle(
                f"steady-{workers}", workers, target, names, installation, logs, budget_rows
            )
            print(f"steady cycle, {workers} worker(s): {cycle.wall_s:,.1f} s", flush=True)
            print_cycle(cycle)
            steady.append(cycle)
        budget_keys = len({key for key, _ in budget_rows.values()})
    sqlite = sqlite_figures(pos)
    return {
        "tenants": tenants,
        "pos_per_tenant": pos,
        "orders": tenants * pos,
        "cpus": os.cpu_count(),
        "td_latency_ms": TD_LATENCY_MS,
        "autotask_hourly_threshold": AUTOTASK_HOURLY_THRESHOLD,
        "configured_budget_share": BUDGET_SHARE,
        "max_budget_share_used": round(max_share(budget_rows), 5),
        "budget_keys": budget_keys,
        "pg_counters": "own database" if target.schema is None else "shared database, own schema",
        "cold": asdict(cold),
        "warmup": asdict(warmup),
        "workers": {str(c.workers): asdict(c) for c in steady},
        "sqlite_single_tenant": sqlite,
        "commit": commit(),
        "elapsed_s": round(time.monotonic() - started, 1),
    }


def print_cycle(cycle: Cycle) -> None:
    """One cycle's figures as they come (``CYCLE {json}``), so a long run stopped early keeps
    what it measured."""
    print("CYCLE " + json.dumps(asdict(cycle), default=str), flush=True)


def print_figures(result: dict[str, Any]) -> None:
    """The steady cycles side by side, then the cold cycle and the SQLite comparison."""
    cycles = list(result["workers"].values())
    header = ("Figure", *(f"{c['workers']} worker(s)" for c in cycles))

    def row(label: str, key: str, fmt: str) -> tuple[str, ...]:
        return (label, *(fmt.format(c[key]) for c in cycles))

    print()
    print(
        f"{result['tenants']} tenants x {result['pos_per_tenant']:,} POs = {result['orders']:,} "
        f"orders; TD SYNNEX latency {TD_LATENCY_MS} ms; {WORKER_CONCURRENCY} jobs per worker; "
        f"{result['cpus']} CPUs shared with PostgreSQL and the simulators"
    )
    print_table(
        header,
        [
            row("Steady cycle, wall", "wall_s", "{:,.1f} s"),
            row("Orders checked", "orders_checked", "{:,}"),
            row("Runs closed", "runs_closed", "{:,}"),
            row("CPU, all workers", "cpu_s_workers", "{:,.1f} s"),
            row("CPU per order, workers", "cpu_ms_per_order", "{:,.2f} ms"),
            row("PostgreSQL busy time / order", "pg_active_ms_per_order", "{:,.2f} ms"),
            row("Peak RSS, largest worker", "peak_rss_mb", "{:,.0f} MB"),
            row("PostgreSQL transactions / order", "pg_transactions_per_order", "{:,.2f}"),
            row("PostgreSQL table scans / order", "pg_table_scans_per_order", "{:,.2f}"),
            row("PostgreSQL rows written / order", "pg_rows_written_per_order", "{:,.2f}"),
            row("PostgreSQL connections opened", "pg_connections_opened", "{:,}"),
            row("Autotask requests, all tenants", "autotask_requests", "{:,}"),
            row("Autotask refusals (429s)", "autotask_refusals", "{:,}"),
            row("Largest budget share used", "max_budget_share_used", "{:.2%}"),
        ],
    )
    cold, sqlite = result["cold"], result["sqlite_single_tenant"]
    print(
        f"Cold cycle ({cold['workers']} workers): {cold['wall_s']:,.1f} s, "
        f"{cold['orders_checked']:,} orders, {cold['updated']:,} updated, "
        f"{cold['autotask_requests']:,} Autotask requests, "
        f"{cold['cpu_ms_per_order']:,.2f} ms CPU per order"
    )
    print(
        f"Autotask budget: largest share of a tenant's hourly threshold "
        f"({AUTOTASK_HOURLY_THRESHOLD:,}) used in any rolling hour "
        f"{result['max_budget_share_used']:.2%} (configured share {BUDGET_SHARE:.0%}); "
        f"{result['budget_keys']} budget key(s)"
    )
    print(
        f"SQLite, one tenant, one process, {sqlite['monitored']:,} POs: steady cycle "
        f"{sqlite['steady_wall_s']:,.2f} s, {sqlite['steady_cpu_ms_per_order']:,.2f} ms CPU per "
        f"order, {sqlite['steady_autotask_requests']} Autotask requests"
    )


def commit() -> str:
    """The checked-out commit, ``+dirty`` when the working tree has changes."""
    git = shutil.which("git")
    if git is None:
        return "unknown"
    try:
        head = subprocess.run(
            [git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=BENCH
        ).stdout.strip()
        dirty = subprocess.run(
            [git, "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            cwd=BENCH,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{head}+dirty" if dirty else head or "unknown"


def worker_counts(text: str) -> list[int]:
    """``1,2,4`` as numbers."""
    return [int(part) for part in text.split(",") if part.strip()]


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Command-line options (``--serve`` starts a simulator child process)."""
    parser = argparse.ArgumentParser(description="Scale-out benchmark: tenants x workers.")
    parser.add_argument("--quick", action="store_true", help="3 tenants x 40 POs, 1 and 2 workers")
    parser.add_argument("--tenants", type=int, help="tenants (default 20)")
    parser.add_argument("--pos", type=int, help="monitored POs per tenant (default 500)")
    parser.add_argument("--workers", type=worker_counts, help="worker counts (default 1,2,4)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("ORDERBRIDGE_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help="PostgreSQL server URL; a database is created there for the run and dropped",
    )
    parser.add_argument("--logs", help="keep the workers' logs in this directory")
    parser.add_argument("--serve", nargs=3, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    tenants, pos, workers = QUICK_SIZE if args.quick else DEFAULT_SIZE
    args.tenants = args.tenants or tenants
    args.pos = args.pos or pos
    args.workers = args.workers or list(workers)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.serve is not None:
        serve_simulators(*args.serve)
        return 0
    print(
        f"Scale-out benchmark ({os.cpu_count()} CPUs): {args.tenants} tenants x {args.pos} POs, "
        f"workers {','.join(map(str, args.workers))}; one simulator pair per tenant in "
        f"{min(args.tenants, MAX_SIMULATOR_CHILDREN)} child process(es); Autotask threshold "
        f"{AUTOTASK_HOURLY_THRESHOLD:,} per tenant database, budget share {BUDGET_SHARE}.",
        flush=True,
    )
    result = benchmark(args)
    print_figures(result)
    print("RESULT " + json.dumps(result, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
