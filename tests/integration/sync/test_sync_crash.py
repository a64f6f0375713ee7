"""A sync process killed mid-run and started again ends where an uninterrupted run ends."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import anyio
import pytest

from orderbridge.bootstrap import sync_services
from orderbridge.simulators._common.faults import FaultRule
from tests.integration.sync.simulated_upstreams import (
    SimulatedUpstreams,
    pinned_now,
    simulated_upstreams,
)

SYNC = [sys.executable, "-c", "from orderbridge.cli import main; main()", "sync", "--once"]
History = set[tuple[str, str, str | None, str, str]]


def run_sync(config: Path) -> subprocess.Popen[bytes]:
    """``orderbridge sync --once`` as a separate process."""
    return subprocess.Popen(
        [*SYNC, "--config", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def slow_down(upstreams: SimulatedUpstreams) -> None:
    """Latency on every write and status call, so a cycle lasts a few seconds."""
    upstreams.autotask.state.faults.add(
        FaultRule.from_json(
            {"kind": "latency", "endpoint": "PurchaseOrder*", "method": "PATCH", "latency_ms": 80}
        )
    )
    upstreams.tdsynnex.state.faults.add(
        FaultRule.from_json({"kind": "latency", "endpoint": "POStatus", "latency_ms": 60})
    )


def history_rows(database: Path) -> list[tuple[str, str, str | None, str, str]]:
    """Every status-history row: (po, key, from, to, summary)."""
    with sqlite3.connect(database) as db:
        return db.execute(
            "SELECT po_number, key, from_status, to_status, summary FROM status_history"
        ).fetchall()


def reference_run(tmp_path: Path, now: datetime) -> tuple[dict[str, object], History]:
    """The final Autotask fields and history of one uninterrupted run on fresh simulators."""
    database = tmp_path / "reference.db"
    with simulated_upstreams(now=now) as upstreams:
        upstreams.tdsynnex.advance("PO-10021")  # its retries would only slow every run down
        complete_in_process(upstreams, database)
        return upstreams.snapshot(), set(history_rows(database))


def complete_in_process(upstreams: SimulatedUpstreams, database: Path) -> None:
    """One whole cycle in this process; every order must come through."""

    async def once() -> None:
        async with sync_services(upstreams.settings(database)) as services:
            report, _ = await services.sync.run_once()
        assert report.outcome == "ok", report.orders

    anyio.run(once)


@pytest.mark.slow
def test_killed_sync_converges_to_the_uninterrupted_result(tmp_path: Path) -> None:
    now = pinned_now()
    expected_fields, expected_history = reference_run(tmp_path, now)
    assert expected_history
    for patches_before_kill in (0, 15, 40):
        database = tmp_path / f"killed-after-{patches_before_kill}.db"
        with simulated_upstreams(now=now) as upstreams:
            upstreams.tdsynnex.advance("PO-10021")
            config = upstreams.write_config(tmp_path / "config.toml", database)
            slow_down(upstreams)
            process = run_sync(config)
            deadline = time.monotonic() + 60
            while upstreams.patches() < patches_before_kill and process.poll() is None:
                assert time.monotonic() < deadline, "the sync never reached the kill point"
                time.sleep(0.01)
            if patches_before_kill == 0:
                time.sleep(0.5)  # somewhere in start-up or the first reads
            assert process.poll() is None, "the sync finished before it could be killed"
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
            assert process.returncode == -signal.SIGKILL
            killed_at = upstreams.patches()
            upstreams.autotask.state.faults.clear()
            upstreams.tdsynnex.state.faults.clear()
            complete_in_process(upstreams, database)
            fields = upstreams.snapshot()
        rows = history_rows(database)
        keys = [(po, key) for po, key, *_ in rows]
        assert len(keys) == len(set(keys)), f"duplicate history after a kill at {killed_at}"
        assert set(rows) == expected_history, f"history differs after a kill at {killed_at}"
        assert fields == expected_fields, f"Autotask differs after a kill at {killed_at}"
