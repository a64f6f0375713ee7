"""Real ``orderbridge worker`` processes on the PostgreSQL store, against the simulators.

- two workers sync a tenant's cycle in batches, recorded as one run; a single-process sync
  afterwards finds nothing left to write;
- a worker killed with ``kill -9`` in the middle of a batch: another worker runs the batch again
  after the dead one misses its heartbeats; no order is written, recorded or audited twice, and
  none is lost;
- SIGTERM lets a worker finish the batch it is checking, then it exits 0;
- the scheduler plans every tenant, keeps their orders apart, and closes the sync graph of a
  tenant disabled meanwhile.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
import tomli_w
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner

from orderbridge.bootstrap_workers import worker_root
from orderbridge.cli import app
from orderbridge.settings import load_settings
from orderbridge.simulators._common.faults import FaultRule
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

CLI = [sys.executable, "-c", "from orderbridge.cli import main; main()"]
BATCH = 4  # orders per batch job in the kill and SIGTERM tests, checked one at a time
WORKERS = {"heartbeat_s": 1, "stalled_after_s": 3, "scheduler_poll_s": 0.5}


def _config(
    path: Path, upstreams: SimulatedUpstreams, store_url: str, batch_size: int, concurrency: int = 8
) -> Path:
    values: dict[str, Any] = upstreams.settings_dict(path.with_suffix(".db"))
    values["store"] = {"url": store_url}
    # one cycle in the test: the next would come a minute later
    values["sync"] = {
        "adaptive": False,
        "frequency": "realtime",
        "min_gap_s": 600,
        "batch_size": batch_size,
        "concurrency": concurrency,
    }
    values["workers"] = WORKERS
    path.write_text(tomli_w.dumps(values), encoding="utf-8")
    path.chmod(0o600)
    return path


@contextmanager
def _workers(config: Path, logs: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start ``orderbridge worker`` processes; every one left running is killed at the end."""
    started: list[subprocess.Popen[bytes]] = []

    def start(*args: str, command: str = "worker") -> subprocess.Popen[bytes]:
        log = logs / f"{command}-{len(started)}.log"
        with log.open("wb") as stderr:
            process = subprocess.Popen(
                [*CLI, command, "--config", str(config), *args],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


def _wait(check: Callable[[], bool], what: str, timeout_s: float = 90.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _scalar(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as connection:
        try:
            return connection.execute(text(sql), params).scalar()
        except Exception:  # the schema is still being created by the first worker
            return None


def _rows(engine: Engine, sql: str, **params: Any) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(text(sql), params))


def _finished_run(engine: Engine) -> dict[str, Any] | None:
    try:
        found = _rows(
            engine,
            "SELECT id, outcome, monitored, checked, updated, failed, skipped FROM sync_run "
            "WHERE outcome <> 'running' ORDER BY id",
        )
    except ProgrammingError:  # the first worker is still creating the store's tables
        return None
    return None if not found else dict(found[0]._mapping)


def _nothing_left_to_write(runner: CliRunner, config: Path, engine: Engine) -> None:
    """A single-process cycle after the workers' finds nothing to write: they wrote it all."""
    result = runner.invoke(app, ["sync", "--once", "--config", str(config)])
    assert result.exit_code in (0, 1), result.output  # 1: an order the demo fails on purpose
    assert _rows(engine, "SELECT updated FROM sync_run ORDER BY id DESC LIMIT 1")[0][0] == 0


@pytest.fixture
def engine(postgres_url: str) -> Iterator[Engine]:
    made = create_engine(postgres_url, poolclass=NullPool)
    yield made
    made.dispose()


def _mid_batch(engine: Engine) -> bool:
    """A batch job is running and has committed some of its orders, not all.

    (Orders are committed one by one; the run's activity-log lines at the end of the batch.)
    """
    saved = _scalar(engine, "SELECT count(*) FROM order_state") or 0
    finished = _scalar(
        engine, "SELECT count(*) FROM run_batch WHERE batch_no > 0 AND state = 'done'"
    )
    doing = _scalar(
        engine,
        "SELECT count(*) FROM procrastinate_jobs "
        "WHERE task_name = 'orderbridge.sync_batch' AND status = 'doing'",
    )
    return bool(doing) and saved > BATCH * (finished or 0)


def _no_double_writes(engine: Engine, run_id: int) -> None:
    """Every order has one line in the run, and no field of any PO or item was written twice."""
    lines = _rows(
        engine,
        "SELECT po_number, count(*) FROM order_event WHERE run_id = :run GROUP BY po_number "
        "HAVING count(*) > 1",
        run=run_id,
    )
    assert lines == []
    twice = _rows(
        engine,
        "SELECT po_number, item_id, field, count(*) FROM audit_entry WHERE kind = 'write' "
        "GROUP BY po_number, item_id, field HAVING count(*) > 1",
    )
    assert twice == []


def test_two_workers_run_a_cycle_in_batches_as_one_run(
    upstreams: SimulatedUpstreams,
    postgres_url: str,
    engine: Engine,
    tmp_path: Path,
    runner: CliRunner,
) -> None:
    config = _config(tmp_path / "orderbridge.toml", upstreams, postgres_url, batch_size=2)
    values = tomllib.loads(config.read_text(encoding="utf-8"))
    values["notifications"] = {  # a webhook that is not there: notices stay queued
        "channels": [{"name": "hook", "url": "json://127.0.0.1:9/orderbridge"}],
        "rules": [{"events": ["status_changed"], "channels": ["hook"]}],
    }
    config.write_text(tomli_w.dumps(values), encoding="utf-8")
    with _workers(config, tmp_path) as start:
        processes = [
            start(command="scheduler"),
            start("--concurrency", "2"),
            start("--concurrency", "2"),
        ]
        _wait(lambda: _finished_run(engine) is not None, "the first cycle")
        run = _finished_run(engine)
        assert run is not None
        for process in processes:
            process.send_signal(signal.SIGTERM)
        assert [process.wait(timeout=30) for process in processes] == [0, 0, 0]
    assert run["outcome"] in ("ok", "partial"), run
    assert run["monitored"] >= 10
    assert run["checked"] == run["monitored"]
    assert run["updated"] > 0
    # one run for the cycle, its orders in ceil(n / 2) batch jobs (+ the planner's share)
    assert _scalar(engine, "SELECT count(*) FROM sync_run") == 1
    batches = _scalar(engine, "SELECT count(*) FROM run_batch WHERE run_id = :r", r=run["id"])
    assert batches == -(-run["monitored"] // 2) + 1
    lines = _scalar(engine, "SELECT count(*) FROM order_event WHERE run_id = :r", r=run["id"])
    assert lines == run["monitored"]
    _no_double_writes(engine, run["id"])
    # the first whole cycle is quiet but for one summary, queued once the last batch is done
    summaries = _rows(engine, "SELECT event_key FROM notification WHERE kind = 'summary'")
    assert [row[0] for row in summaries] == ["summary:first-cycle:default"]
    assert _scalar(
        engine, "SELECT count(*) FROM setting WHERE key = 'notifications.watching_since'"
    )
    _nothing_left_to_write(runner, config, engine)


@pytest.fixture
def slow_config(upstreams: SimulatedUpstreams, postgres_url: str, tmp_path: Path) -> Path:
    """TD SYNNEX answers in 300 ms and a batch's orders are checked one at a time."""
    upstreams.tdsynnex.state.faults.add(
        FaultRule.from_json({"kind": "latency", "endpoint": "POStatus", "latency_ms": 300})
    )
    return _config(tmp_path / "orderbridge.toml", upstreams, postgres_url, BATCH, concurrency=1)


def _worker_mid_batch(
    start: Callable[..., subprocess.Popen[bytes]], engine: Engine
) -> subprocess.Popen[bytes]:
    worker = start("--schedule", "--concurrency", "1")
    _wait(lambda: _mid_batch(engine), "a worker in the middle of a batch")
    return worker


def test_a_killed_worker_s_batch_is_run_again_by_another_worker(
    slow_config: Path, engine: Engine, tmp_path: Path, runner: CliRunner
) -> None:
    config = slow_config
    with _workers(config, tmp_path) as start:
        doomed = _worker_mid_batch(start, engine)
        doomed.kill()  # SIGKILL: no clean-up at all
        doomed.wait(timeout=10)
        interrupted = _scalar(engine, "SELECT count(*) FROM order_state")
        start("--schedule", "--concurrency", "2")
        _wait(lambda: _finished_run(engine) is not None, "the cycle to finish on the other worker")
        run = _finished_run(engine)
        assert run is not None
    assert run["outcome"] in ("ok", "partial"), run
    assert run["checked"] == run["monitored"]
    assert 0 < interrupted < run["monitored"]
    retried = _scalar(engine, "SELECT max(attempts) FROM run_batch WHERE run_id = :r", r=run["id"])
    assert retried >= 2
    lines = _scalar(engine, "SELECT count(*) FROM order_event WHERE run_id = :r", r=run["id"])
    assert lines == run["monitored"]
    _no_double_writes(engine, run["id"])
    _nothing_left_to_write(runner, config, engine)


def test_sigterm_finishes_the_batch_being_checked(
    slow_config: Path, engine: Engine, tmp_path: Path, runner: CliRunner
) -> None:
    config = slow_config
    with _workers(config, tmp_path) as start:
        worker = _worker_mid_batch(start, engine)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0
    states = _rows(engine, "SELECT batch_no, state, attempts FROM run_batch ORDER BY batch_no")
    done = [b for b, state, _ in states if b > 0 and state == "done"]
    pending = [b for b, state, _ in states if state == "pending"]
    assert done, states  # the batch being checked was finished ...
    assert pending, states  # ... and the worker took no new one
    assert all(attempts == 1 for b, _, attempts in states if b in done)
    lines = _scalar(engine, "SELECT count(*) FROM order_event")
    assert lines == BATCH * len(done)
    # the cycle is not over (its batches wait for a worker): no other runner syncs the tenant
    refused = runner.invoke(app, ["sync", "--once", "--config", str(config)])
    assert refused.exit_code == 2, refused.output
    assert "orderbridge workers are syncing this tenant" in refused.output
    # and doctor says the cycle's batches wait for a worker that is not there
    doctor = runner.invoke(app, ["doctor", "--config", str(config)])
    assert "no worker is running" in doctor.output, doctor.output
    assert doctor.exit_code == 1


def _two_tenants(
    runner: CliRunner,
    tmp_path: Path,
    postgres_url: str,
    tenants: tuple[tuple[str, SimulatedUpstreams], ...],
) -> Path:
    """An installation's configuration whose store serves these tenants (added with the CLI)."""
    installation = tmp_path / "orderbridge.toml"
    installation.write_text(
        tomli_w.dumps(
            {
                "store": {"url": postgres_url, "secret_key_file": str(tmp_path / "key")},
                "workers": WORKERS,
            }
        ),
        encoding="utf-8",
    )
    installation.chmod(0o600)
    assert runner.invoke(app, ["keys", "create", "--config", str(installation)]).exit_code == 0
    for name, pair in tenants:
        tenant_file = _config(tmp_path / f"{name}.toml", pair, postgres_url, 5)
        values = tomllib.loads(tenant_file.read_text(encoding="utf-8"))
        del values["store"], values["workers"]
        tenant_file.write_text(tomli_w.dumps(values), encoding="utf-8")
        added = runner.invoke(
            app,
            [
                *("tenants", "add", name, "--config", str(tenant_file)),
                *("--installation-config", str(installation)),
            ],
        )
        assert added.exit_code == 0, added.output
    return installation


def test_the_scheduler_plans_every_tenant_and_workers_keep_them_apart(
    upstreams: SimulatedUpstreams,
    beta: SimulatedUpstreams,
    postgres_url: str,
    engine: Engine,
    tmp_path: Path,
    runner: CliRunner,
) -> None:
    tenants = (("acme", upstreams), ("beta", beta))
    installation = _two_tenants(runner, tmp_path, postgres_url, tenants)

    def finished() -> list[Any]:
        try:
            return _rows(engine, "SELECT tenant, id FROM sync_run WHERE outcome <> 'running'")
        except ProgrammingError:
            return []

    with _workers(installation, tmp_path) as start:
        processes = [start(command="scheduler"), start("--concurrency", "3")]
        _wait(lambda: len(finished()) >= 2, "a cycle of each tenant")
        for process in processes:
            process.send_signal(signal.SIGTERM)
        assert [process.wait(timeout=30) for process in processes] == [0, 0]
    runs = dict(finished())
    assert sorted(runs) == ["acme", "beta"]  # one run per tenant's cycle
    for tenant, run_id in runs.items():
        events = _rows(
            engine, "SELECT DISTINCT tenant FROM order_event WHERE run_id = :r", r=run_id
        )
        assert [e[0] for e in events] == [tenant]
        batches = _rows(engine, "SELECT DISTINCT tenant FROM run_batch WHERE run_id = :r", r=run_id)
        assert [b[0] for b in batches] == [tenant]
    assert upstreams.patches() > 0  # each tenant wrote to its own Autotask
    assert beta.patches() > 0
    states = dict(
        _rows(
            engine,
            "SELECT tenant, status FROM order_state WHERE po_number = 'PO-10001' ORDER BY tenant",
        )
    )
    assert states["beta"] != states["acme"], states  # each tenant's own PO-10001


def test_the_scheduler_closes_the_graph_of_a_tenant_disabled_meanwhile(
    upstreams: SimulatedUpstreams,
    beta: SimulatedUpstreams,
    postgres_url: str,
    tmp_path: Path,
    runner: CliRunner,
) -> None:
    """A disabled tenant is no longer planned, and its sync graph (HTTP clients) is closed."""
    tenants = (("acme", upstreams), ("beta", beta))
    installation = _two_tenants(runner, tmp_path, postgres_url, tenants)

    def cli(*args: str) -> None:
        result = runner.invoke(app, [*args, "--config", str(installation)])
        assert result.exit_code == 0, result.output

    async def look_twice() -> tuple[list[str], list[str], list[str], list[str]]:
        closed: list[str] = []
        async with worker_root(load_settings(installation)) as root:
            build = root._build_graph

            async def tracked(tenant: str, settings: Any) -> Any:
                graph = await build(tenant, settings)
                graph.stack.callback(closed.append, tenant)
                return graph

            root._build_graph = tracked  # type: ignore[method-assign]
            graphs: dict[str, Any] = {}
            planned = await root.schedule_once(graphs)
            kept = sorted(graphs)
            await anyio.to_thread.run_sync(lambda: cli("tenants", "disable", "beta"))
            await root.schedule_once(graphs)
            closed_at_second_look = list(closed)
            left = sorted(graphs)
            for graph in graphs.values():
                await graph.stack.aclose()
        return sorted(planned), kept, closed_at_second_look, left

    planned, kept, closed, left = anyio.run(look_twice)
    assert planned == ["acme", "beta"]
    assert kept == ["acme", "beta"]
    assert closed == ["beta"]  # closed when it was disabled, not at the end
    assert left == ["acme"]


def test_batches_whose_jobs_were_lost_are_queued_again(
    upstreams: SimulatedUpstreams,
    postgres_url: str,
    engine: Engine,
    tmp_path: Path,
) -> None:
    """A plan that died after recording its batches but before queueing them loses nothing."""
    config = _config(tmp_path / "orderbridge.toml", upstreams, postgres_url, 6)
    values = tomllib.loads(config.read_text(encoding="utf-8"))
    values["sync"]["lease_ttl_s"] = 10  # the dead plan's lease lapses soon
    config.write_text(tomli_w.dumps(values), encoding="utf-8")

    async def plan_and_die() -> None:
        async with worker_root(load_settings(config)) as root:

            async def lost(*args: object) -> None:
                return None  # the process "died" before the jobs were queued

            root.queue.defer_batches = lost  # type: ignore[method-assign,assignment]
            await root.plan("default")

    anyio.run(plan_and_die)
    pending = _scalar(engine, "SELECT count(*) FROM run_batch WHERE state = 'pending'")
    assert pending >= 2
    assert _scalar(engine, "SELECT count(*) FROM procrastinate_jobs") == 0
    with _workers(config, tmp_path) as start:
        worker = start("--schedule")
        _wait(lambda: _finished_run(engine) is not None, "the lost batches to run")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
    run = _finished_run(engine)
    assert run is not None
    assert run["outcome"] in ("ok", "partial"), run
    assert run["checked"] == run["monitored"]
    assert _scalar(engine, "SELECT count(*) FROM sync_run") == 1
