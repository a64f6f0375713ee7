"""The fault matrix: the same scenario through the same lifecycle steps, with and without faults.

One *cycle* here is one TD SYNNEX lifecycle step: the simulator moves every order on, then
orderbridge syncs. A faulty sync run can leave an order failed (a malformed body is never
retried; a transient fault can outlast the retries), and a poller cannot record a state it never
saw, so before TD SYNNEX moves on again the failed orders are synced again (``only=`` those
orders, faults still on) — what the next scheduled run does when it comes before the
distributor's next change. After the last cycle the faults are cleared and fault-free *settling*
cycles run until one finds nothing to write.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
import httpx2

from _reliability_scenario import (
    HistoryRow,
    duplicate_history,
    history_rows,
    monitored_numbers,
    transitions,
)
from orderbridge.adapters.store import RunRecord, SqlStore
from orderbridge.application.sync import SyncService
from orderbridge.bootstrap import sync_services
from orderbridge.domain.history import OrderOutcome
from orderbridge.domain.lifecycle import INVOICES_NOT_READ
from orderbridge.settings import Settings
from orderbridge.simulators.autotask import AutotaskSimConfig
from orderbridge.simulators.harness import SimulatorPair, running_simulators
from orderbridge.simulators.scenario import Scenario

__all__ = [
    "CLIENT_TIMEOUT_S",
    "FAULT_SEED",
    "FaultPlan",
    "MatrixRun",
    "fault_kind_of",
    "matrix_settings",
    "run_matrix",
]

FAULT_SEED = 20_260_301
# Outlasts every normal loopback answer, even on a loaded 2-core machine (at 1 s, a slow answer
# was once counted as a timeout the simulators never injected), but not an injected timeout.
CLIENT_TIMEOUT_S = 2.5
FAULT_TIMEOUT_S = 2.7
SIM_THREAD_LIMIT = 3  # Autotask's documented limit per entity endpoint
CLIENT_THREADS = 4  # above it on purpose: the surplus meets real Itgenatr005 answers
# Autotask's own time per request while it holds a thread slot: requests overlap, as they do
# against the real service, so the client's surplus threads meet the limit now and then.
AUTOTASK_PROCESSING_S = 0.005
CATCH_UP_LIMIT = 10
SETTLE_LIMIT = 5
# What each injected kind looks like in orderbridge's accounting.
_CLIENT_KIND = {
    "http_500": "http_5xx",
    "http_503": "http_5xx",
    "timeout": "timeout",
    "malformed": "bad_payload",
}


def fault_kind_of(injected: str) -> str:
    """The fault kind orderbridge counts for a fault kind the simulators inject."""
    return _CLIENT_KIND[injected]


@dataclass(frozen=True)
class FaultPlan:
    """Probability-based fault rules for both simulators, with the seed that makes them repeat."""

    seed: int = FAULT_SEED
    autotask_5xx: float = 0.10
    tdsynnex_5xx: float = 0.10
    timeouts: float = 0.02
    malformed: float = 0.01

    def rules(self, service: str) -> list[dict[str, Any]]:
        """The rules posted to ``service``'s ``/_sim/faults``."""
        # Autotask's injected 500 carries an "Error ID" text the client reads as a business
        # rule (not retried), so its 5xx is a 503; TD SYNNEX's client retries any 5xx.
        server_error = "http_503" if service == "autotask" else "http_500"
        share = self.autotask_5xx if service == "autotask" else self.tdsynnex_5xx
        return [
            {"kind": server_error, "probability": share},
            {"kind": "timeout", "probability": self.timeouts, "timeout_s": FAULT_TIMEOUT_S},
            {"kind": "malformed", "probability": self.malformed},
        ]

    def install(self, upstreams: SimulatorPair) -> None:
        """Seed and add the rules through each simulator's admin API."""
        for service, url in (
            ("autotask", upstreams.autotask_url),
            ("tdsynnex", upstreams.tdsynnex_url),
        ):
            seeded = httpx2.post(f"{url}/_sim/faults", json={"seed": self.seed}, timeout=10)
            added = httpx2.post(f"{url}/_sim/faults", json=self.rules(service), timeout=10)
            assert seeded.status_code == 200, seeded.text
            assert added.status_code == 201, added.text


def matrix_settings(upstreams: SimulatorPair, database: Path) -> Settings:
    """Settings for the matrix: short client timeouts, quick bounded retries, every order."""
    values = upstreams.settings_dict(
        database,
        timeout_s=CLIENT_TIMEOUT_S,
        threads_per_endpoint=CLIENT_THREADS,
        max_requests_per_hour=1_000_000,
    )
    values["tdsynnex"]["timeout_s"] = CLIENT_TIMEOUT_S
    values["retry"] = {
        "attempts": 6,
        "initial_backoff_s": 0.02,
        "max_backoff_s": 0.25,
        "total_timeout_s": 30,
    }
    values["sync"] = {"concurrency": 8, "scope": "all", "adaptive": False}
    return Settings.model_validate(values)


@dataclass
class MatrixRun:
    """What one pass of the matrix left behind, and what it counted on the way."""

    snapshot: dict[str, Any]
    history: list[HistoryRow]
    runs: list[RunRecord]
    catch_up_runs: list[int]  # per cycle, extra runs before every order was seen
    settle_cycles: int  # fault-free cycles until one wrote nothing (that one included)
    sim_requests: dict[str, int]  # per service, every request the simulator received
    sim_faults: dict[str, Counter[str]]  # per service, injected faults by kind
    thread_limit_rejections: int  # Autotask's real Itgenatr005 answers
    seconds: float = 0.0

    @property
    def duplicates(self) -> int:
        """History rows repeating a (po, key) pair."""
        return duplicate_history(self.history)

    @property
    def transitions(self) -> set[tuple[str, str]]:
        """The (po, to_status) pairs recorded."""
        return transitions(self.history)

    def logged(self, key: str) -> int:
        """The activity log's count ``key`` summed over every run."""
        return sum(run.requests.get(key, 0) for run in self.runs)

    def logged_faults(self, service: str) -> Counter[str]:
        """Faults by kind the activity log recorded for ``service``."""
        prefix = f"{service} faults: "
        found: Counter[str] = Counter()
        for run in self.runs:
            for key, n in run.requests.items():
                if key.startswith(prefix) and n:
                    found[key.removeprefix(prefix)] += n
        return found

    def failed_orders(self) -> int:
        """Order checks that failed, over every run."""
        return sum(run.failed for run in self.runs)

    def invoice_give_ups(self) -> int:
        """Order checks whose invoice lookup gave up: a warning on the order, not a failure
        (invoice lookups are optional), so its last fault was neither retried nor failed it."""
        return sum(
            1
            for run in self.runs
            for order in run.orders
            if any(w.startswith(INVOICES_NOT_READ) for w in order.warnings)
        )

    def failed_runs(self) -> int:
        """Runs that ended before checking orders (a failed query, a refused setup)."""
        return sum(run.outcome in ("failed", "refused") for run in self.runs)


def run_matrix(
    scenario: Scenario,
    database: Path,
    *,
    cycles: int,
    now: datetime,
    faults: FaultPlan | None,
) -> MatrixRun:
    """One pass on fresh simulators pinned to ``now``: ``cycles`` lifecycle steps, then settling."""
    started = time.monotonic()
    with matrix_upstreams(scenario, now) as upstreams:
        if faults is not None:
            faults.install(upstreams)
        settings = matrix_settings(upstreams, database)
        catch_ups, settle = anyio.run(
            _sync_cycles, upstreams, settings, monitored_numbers(scenario), cycles, now
        )
        return _collect(upstreams, database, catch_ups, settle, time.monotonic() - started)


@contextmanager
def matrix_upstreams(scenario: Scenario, now: datetime) -> Iterator[SimulatorPair]:
    """Both simulators with the scenario; Autotask's limits as documented, its log unbounded."""
    config = AutotaskSimConfig(
        hourly_threshold=1_000_000,
        thread_limit=SIM_THREAD_LIMIT,
        processing_delay_s=AUTOTASK_PROCESSING_S,
    )
    with running_simulators(scenario, autotask_config=config, now=now) as upstreams:
        upstreams.autotask.state.log_size = 10_000_000  # every 429 must stay countable
        yield upstreams


async def _sync_cycles(
    upstreams: SimulatorPair,
    settings: Settings,
    universe: set[str],
    cycles: int,
    now: datetime,
) -> tuple[list[int], int]:
    catch_ups: list[int] = []
    async with sync_services(settings, clock=lambda: now) as services:
        for cycle in range(cycles):
            if cycle:
                upstreams.tdsynnex.advance_all()
            catch_ups.append(await see_every_order(services.sync, universe))
        upstreams.autotask.state.faults.clear()
        upstreams.tdsynnex.state.faults.clear()
        settle = await settle_cycles(services.sync)
    return catch_ups, settle


async def see_every_order(sync: SyncService, universe: set[str]) -> int:
    """Sync until every order in ``universe`` was read in full once; returns the extra runs.

    An order whose invoice lookup failed was checked (invoices are optional) but not read in
    full: it stays pending, as the next check asks for its invoices again.
    """
    pending = set(universe)
    for extra in range(CATCH_UP_LIMIT + 1):
        _, results = await sync.run_once(only=None if extra == 0 else pending)
        pending -= {
            r.report.po_number
            for r in results
            if r.report.outcome in (OrderOutcome.UPDATED, OrderOutcome.UNCHANGED)
            and not any(w.startswith(INVOICES_NOT_READ) for w in r.report.warnings)
        }
        if not pending:
            return extra
    raise AssertionError(f"orders never checked after {CATCH_UP_LIMIT} extra runs: {pending}")


async def settle_cycles(sync: SyncService) -> int:
    """Fault-free cycles until one writes nothing and fails nothing; how many ran."""
    for count in range(1, SETTLE_LIMIT + 1):
        report, _ = await sync.run_once()
        if report.outcome == "ok" and report.updated == 0 and report.failed == 0:
            return count
    raise AssertionError(f"no quiet cycle after {SETTLE_LIMIT} fault-free cycles")


def _collect(
    upstreams: SimulatorPair,
    database: Path,
    catch_ups: list[int],
    settle: int,
    seconds: float,
) -> MatrixRun:
    counters = {
        name: httpx2.get(f"{url}/_sim/counters", timeout=10).json()
        for name, url in (
            ("autotask", upstreams.autotask_url),
            ("tdsynnex", upstreams.tdsynnex_url),
        )
    }
    sim_faults: dict[str, Counter[str]] = {}
    for name, body in counters.items():
        kinds: Counter[str] = Counter()
        for per_kind in body["faults"].values():
            kinds.update(per_kind)
        sim_faults[name] = kinds
    rejections = sum(
        1
        for record in upstreams.autotask.state.requests(limit=0)
        if record.status == 429 and record.fault is None
    )
    store = SqlStore.open(f"sqlite:///{database}")
    try:
        runs = [r for r in (store.run(s.id) for s in store.runs(limit=100_000)) if r is not None]
    finally:
        store.close()
    return MatrixRun(
        snapshot=upstreams.snapshot(),
        history=history_rows(database),
        runs=runs,
        catch_up_runs=catch_ups,
        settle_cycles=settle,
        sim_requests={name: int(body["total"]) for name, body in counters.items()},
        sim_faults=sim_faults,
        thread_limit_rejections=rejections,
        seconds=seconds,
    )
