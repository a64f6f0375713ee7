"""Real ``orderbridge sync --once`` processes: start, kill -9, expire the dead one's lease, count.

A killed process cannot give its runner lease back; the next one would be refused until the
lease expires (``sync.lease_ttl_s``, at least 10 s). ``expire_lease`` ends it at once through the
store, which is what waiting out the lifetime would do, so twenty kills fit in a test.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import tomli_w

from _reliability_scenario import (
    duplicate_history,
    history_rows,
    reliability_scenario,
)
from orderbridge.adapters.store import SqlStore
from orderbridge.application.lease import lease_name
from orderbridge.bootstrap import sync_services
from orderbridge.settings import Settings
from orderbridge.simulators._common.faults import FaultRule
from orderbridge.simulators.harness import SimulatorPair, pinned_now, running_simulators

__all__ = [
    "SYNC",
    "CrashPass",
    "complete_in_process",
    "crash_config",
    "crash_pass",
    "expire_lease",
    "kill_after",
    "kill_repeatedly",
    "patch_counts",
    "process_settings",
    "slow_down",
    "start_sync",
]

SYNC = [sys.executable, "-c", "from orderbridge.cli import main; main()", "sync", "--once"]


def start_sync(config: Path, *, capture: bool = False) -> subprocess.Popen[bytes]:
    """``orderbridge sync --once --config config`` as a separate process."""
    sink = subprocess.PIPE if capture else subprocess.DEVNULL
    return subprocess.Popen([*SYNC, "--config", str(config)], stdout=sink, stderr=sink)


def kill_after(process: subprocess.Popen[bytes], delay_s: float) -> bool:
    """SIGKILL the process ``delay_s`` after it started; False if it had already finished."""
    time.sleep(delay_s)
    if process.poll() is not None:
        return False
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    return process.returncode == -signal.SIGKILL


def kill_repeatedly(
    config: Path, database: Path, *, kills: int, seed: int, longest_s: float = 3.0
) -> int:
    """Start and SIGKILL ``sync --once`` until ``kills`` kills landed; returns the runs that
    finished before their kill point (each restart resumes the same cycle)."""
    rng = random.Random(seed)
    landed, finished, started = 0, 0, time.monotonic()
    while landed < kills:
        assert time.monotonic() - started < 120, f"only {landed} kills in 120 s"
        if kill_after(start_sync(config), rng.uniform(0.2, longest_s)):
            landed += 1
        else:
            finished += 1
        expire_lease(database)
    return finished


def expire_lease(database: Path) -> bool:
    """End a dead holder's runner lease now; True if there was one."""
    store = SqlStore.open(f"sqlite:///{database}")
    try:
        leases = store
        name = lease_name("default")
        holder = leases.lease_holder(name)
        return holder is not None and leases.release_lease(name, holder[0])
    finally:
        store.close()


def process_settings(upstreams: SimulatorPair, database: Path) -> dict[str, Any]:
    """Settings for process runs: few concurrent checks, so a cycle has many kill points."""
    values = upstreams.settings_dict(database)
    values["sync"] = {"concurrency": 4, "scope": "all", "adaptive": False}
    values["retry"] = {"attempts": 3, "initial_backoff_s": 0.05, "max_backoff_s": 0.2}
    return values


def crash_config(upstreams: SimulatorPair, path: Path, database: Path) -> Path:
    """``process_settings`` as a TOML file for the CLI (mode 600: it holds secrets)."""
    path.write_text(tomli_w.dumps(process_settings(upstreams, database)), encoding="utf-8")
    path.chmod(0o600)
    return path


def slow_down(upstreams: SimulatorPair, *, status_ms: int, patch_ms: int) -> None:
    """Latency on every TD SYNNEX status call and Autotask write, so a cycle lasts seconds."""
    upstreams.autotask.state.faults.add(
        FaultRule.from_json(
            {
                "kind": "latency",
                "endpoint": "PurchaseOrder*",
                "method": "PATCH",
                "latency_ms": patch_ms,
            }
        )
    )
    upstreams.tdsynnex.state.faults.add(
        FaultRule.from_json({"kind": "latency", "endpoint": "POStatus", "latency_ms": status_ms})
    )


def complete_in_process(upstreams: SimulatorPair, database: Path) -> None:
    """One whole cycle in this process (the reference); every order must come through."""
    settings = Settings.model_validate(process_settings(upstreams, database))

    async def once() -> None:
        async with sync_services(settings) as services:
            report, _ = await services.sync.run_once()
        assert report.outcome == "ok", report.orders

    anyio.run(once)


def patch_counts(upstreams: SimulatorPair) -> Counter[tuple[str, int]]:
    """PATCH requests the Autotask simulator answered, per (endpoint, record id)."""
    counts: Counter[tuple[str, int]] = Counter()
    for record in upstreams.autotask.state.requests(limit=0):
        if record.method == "PATCH" and record.status == 200:
            counts[(record.endpoint, int(json.loads(record.body)["id"]))] += 1
    return counts


@dataclass
class CrashPass:
    """What a run of kills left behind, next to one uninterrupted run of the same scenario."""

    kills: int
    finished_early: int
    survivor_exit: int
    survivor_errors: str
    fields_equal: bool
    duplicates: int
    lost: int  # reference history rows missing after the kills
    added: int  # history rows the reference does not have
    seconds: float


def crash_pass(workdir: Path, *, orders: int, kills: int, seed: int) -> CrashPass:
    """A reference run, then ``kills`` SIGKILLed slow ``sync --once`` runs, then one to the end."""
    started = time.monotonic()
    now, scenario = pinned_now(), reliability_scenario(orders, seed=11, prefix="CRASH")
    with running_simulators(scenario, now=now) as upstreams:
        complete_in_process(upstreams, workdir / "reference.db")
        expected = upstreams.snapshot()
    expected_history = Counter(history_rows(workdir / "reference.db"))
    database = workdir / "killed.db"
    with running_simulators(scenario, now=now) as upstreams:
        config = crash_config(upstreams, workdir / "orderbridge.toml", database)
        slow_down(upstreams, status_ms=250, patch_ms=40)
        finished_early = kill_repeatedly(config, database, kills=kills, seed=seed)
        survivor = start_sync(config, capture=True)
        _, errors = survivor.communicate(timeout=60)
        fields = upstreams.snapshot()
    rows = history_rows(database)
    found = Counter(rows)
    return CrashPass(
        kills=kills,
        finished_early=finished_early,
        survivor_exit=survivor.returncode,
        survivor_errors=errors.decode(errors="replace"),
        fields_equal=fields == expected,
        duplicates=duplicate_history(rows),
        lost=sum((expected_history - found).values()),
        added=sum((found - expected_history).values()),
        seconds=time.monotonic() - started,
    )
