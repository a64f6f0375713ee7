"""A real ``orderbridge run`` process: graceful SIGTERM mid-cycle, and the single-runner lease."""

from __future__ import annotations

import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orderbridge.adapters.store import SqlStore
from orderbridge.cli import app
from orderbridge.domain.memo import BLOCK_START
from orderbridge.simulators._common.faults import FaultRule
from tests.integration.daemon.daemon_config import write_config
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams

CLI = [sys.executable, "-c", "from orderbridge.cli import main; main()"]
REFUSAL = "is syncing this store; it holds the lease until"


def wait_for(check: Callable[[], bool], process: subprocess.Popen[bytes], what: str) -> None:
    """Poll ``check`` until it holds; fail if the process exits first or 60 s pass."""
    deadline = time.monotonic() + 60
    while not check():
        assert process.poll() is None, f"orderbridge run exited early while waiting for {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


@contextmanager
def orderbridge_run(config: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``orderbridge run`` as a separate process (killed if the test leaves it running)."""
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [*CLI, "run", "--config", str(config)], stdout=subprocess.DEVNULL, stderr=stderr
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def run_rows(database: Path) -> list[tuple[str, int]]:
    """(outcome, skipped) of every run, oldest first; empty before the store exists."""
    if not database.exists():
        return []
    with sqlite3.connect(database) as db:
        try:
            return db.execute("SELECT outcome, skipped FROM sync_run ORDER BY id").fetchall()
        except sqlite3.OperationalError:  # the schema is still being created
            return []


def history_keys(database: Path) -> list[tuple[str, str]]:
    """(po, key) of every status-history row."""
    with sqlite3.connect(database) as db:
        return db.execute("SELECT po_number, key FROM status_history").fetchall()


def slow_down(upstreams: SimulatedUpstreams) -> None:
    """Latency on status calls and writes, so one cycle lasts several seconds."""
    upstreams.autotask.state.faults.add(
        FaultRule.from_json(
            {"kind": "latency", "endpoint": "PurchaseOrder*", "method": "PATCH", "latency_ms": 60}
        )
    )
    upstreams.tdsynnex.state.faults.add(
        FaultRule.from_json({"kind": "latency", "endpoint": "POStatus", "latency_ms": 250})
    )


@pytest.mark.slow
def test_sigterm_mid_cycle_exits_0_records_interrupted_and_converges(
    upstreams: SimulatedUpstreams, database: Path, tmp_path: Path, runner: CliRunner
) -> None:
    config = write_config(
        upstreams, tmp_path / "slow.toml", database, frequency="realtime", concurrency=2
    )
    slow_down(upstreams)
    with orderbridge_run(config, tmp_path / "run.log") as process:
        wait_for(lambda: upstreams.patches() >= 8, process, "the first writes")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, (tmp_path / "run.log").read_text()
    assert "Stopping" in (tmp_path / "run.log").read_text()
    ((outcome, skipped),) = run_rows(database)
    assert outcome == "interrupted"
    assert skipped > 0
    with SqlStore.open(f"sqlite:///{database}") as store:
        committed = {order.po_number for order in store.orders("default", limit=1000)}
        (run,) = store.runs("default")
        logged = store.run(run.id)
    assert logged is not None
    assert committed
    pos = {po["id"]: po for po in upstreams.autotask.purchase_orders()}
    for report in logged.orders:  # each order fully written and committed, or untouched
        assert report.po_id is not None
        written = BLOCK_START in (pos[report.po_id]["generalMemo"] or "")
        items = [
            BLOCK_START in (i["memo"] or "") for i in upstreams.autotask.items_of(report.po_id)
        ]
        if report.po_number in committed:
            assert written, report
        else:
            assert not written, report
            assert not any(items), report
    upstreams.autotask.state.faults.clear()
    upstreams.tdsynnex.state.faults.clear()
    again = runner.invoke(app, ["sync", "--once", "--config", str(config)])
    assert again.exit_code == 0, again.output
    keys = history_keys(database)
    assert len(keys) == len(set(keys)), "a resumed sync duplicated history"
    upstreams.reset_counters()
    steady = runner.invoke(app, ["sync", "--once", "--config", str(config)])
    assert steady.exit_code == 0, steady.output
    assert upstreams.patches() == 0
    assert history_keys(database) == keys


def test_a_second_runner_is_refused_while_run_is_active(
    upstreams: SimulatedUpstreams, config: Path, database: Path, tmp_path: Path, runner: CliRunner
) -> None:
    expected = f"another orderbridge (host {socket.gethostname()}, pid "
    with orderbridge_run(config, tmp_path / "first.log") as first:
        wait_for(lambda: len(run_rows(database)) >= 1, first, "the first cycle")
        second = subprocess.run(
            [*CLI, "run", "--config", str(config)], capture_output=True, timeout=60, check=False
        )
        assert second.returncode == 2, second.stderr.decode()
        message = second.stderr.decode()
        assert f"{expected}{first.pid}) {REFUSAL}" in message
        once = runner.invoke(app, ["sync", "--once", "--config", str(config)])
        assert once.exit_code == 2, once.output
        assert f"{expected}{first.pid}) {REFUSAL}" in once.stderr
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=30) == 0, (tmp_path / "first.log").read_text()
    after = runner.invoke(app, ["sync", "--once", "--config", str(config)])
    assert after.exit_code == 0, after.output  # the lease was released on the way out


def test_an_expired_lease_is_taken_over_and_its_run_marked_interrupted(
    upstreams: SimulatedUpstreams, config: Path, database: Path, runner: CliRunner
) -> None:
    past = datetime.now(UTC) - timedelta(minutes=30)
    with SqlStore.open(f"sqlite:///{database}") as store:
        assert store.acquire_lease("sync:default", "gone.example:999:dead", 120, past)
        store.start_run("default", past)
    result = runner.invoke(app, ["sync", "--once", "--config", str(config)])
    assert result.exit_code == 0, result.output
    with SqlStore.open(f"sqlite:///{database}") as store:
        newest, dead = store.runs("default")
    assert (newest.outcome, dead.outcome) == ("ok", "interrupted")


@pytest.mark.slow
def test_a_second_signal_stops_at_once_and_still_records_the_run(
    upstreams: SimulatedUpstreams, database: Path, tmp_path: Path
) -> None:
    config = write_config(
        upstreams, tmp_path / "slow.toml", database, frequency="realtime", concurrency=1
    )
    slow_down(upstreams)
    upstreams.tdsynnex.state.faults.add(
        FaultRule.from_json({"kind": "latency", "endpoint": "POStatus", "latency_ms": 3000})
    )
    with orderbridge_run(config, tmp_path / "run.log") as process:
        wait_for(lambda: upstreams.patches() >= 1, process, "the first write")
        time.sleep(0.5)  # the next order's 3 s status call is now under way
        process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 128 + signal.SIGTERM
        assert time.monotonic() - started < 2.5  # did not wait out the 3 s status call
    assert "Stopping at once" in (tmp_path / "run.log").read_text()
    ((outcome, _),) = run_rows(database)
    assert outcome == "interrupted"
