"""A spent Autotask request budget ends a cycle early, cleanly, and the next one resumes.

``autotask.max_requests_per_hour`` is set small. The cycle that runs out stops with outcome
"budget exhausted", lists the orders it left unchecked in the activity log, and commits no
order's store state without that order's Autotask writes. The budget counts real time per
process, so "after the window frees" is a fresh graph, exactly what the next ``sync --once``
process gets; it must check the orders left unchecked first (the longest-unchecked order first).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import anyio

from _reliability_processes import complete_in_process
from _reliability_scenario import reliability_scenario
from orderbridge.adapters.store import RunRecord, SqlStore
from orderbridge.bootstrap import sync_services
from orderbridge.domain.history import OrderOutcome, RunOutcome, RunReport
from orderbridge.settings import Settings
from tests.integration.sync.simulated_upstreams import (
    SimulatedUpstreams,
    pinned_now,
    simulated_upstreams,
)

ORDERS = 24
BUDGET = 30  # Autotask requests per hour: about a third of what the first cycle needs
PO_NUMBER = re.compile(r"<PONumber>([^<]+)</PONumber>")


def budget_settings(upstreams: SimulatedUpstreams, database: Path) -> Settings:
    """One order at a time (so the check order is observable) under a small hourly budget."""
    values: dict[str, Any] = upstreams.settings_dict(database, max_requests_per_hour=BUDGET)
    values["sync"].update(concurrency=1, scope="all")
    return Settings.model_validate(values)


def one_cycle(settings: Settings) -> RunReport:
    """One cycle on a fresh graph (a fresh budget window, like a new process)."""

    async def run() -> RunReport:
        async with sync_services(settings) as services:
            report, _ = await services.sync.run_once()
        return report

    return anyio.run(run)


def checked_order(upstreams: SimulatedUpstreams) -> list[str]:
    """PO numbers in the order TD SYNNEX was asked about them."""
    return [
        match.group(1)
        for record in upstreams.tdsynnex.state.requests(endpoint="POStatus", limit=0)
        if (match := PO_NUMBER.search(record.body))
    ]


def stored_run_and_states(database: Path, numbers: list[str]) -> tuple[RunRecord, set[str]]:
    """The newest run's activity-log record and the PO numbers that have store state."""
    store = SqlStore.open(f"sqlite:///{database}")
    try:
        logged = store.run(store.runs(limit=1)[0].id)
        committed = set(store.load_states("default", numbers))
    finally:
        store.close()
    assert logged is not None
    return logged, committed


def assert_stopped_cleanly(
    first: RunReport, upstreams: SimulatedUpstreams, database: Path, expected: dict[str, Any]
) -> list[str]:
    """The cut-short cycle: outcome, activity log, no half-done commit; returns what it left."""
    assert first.outcome is RunOutcome.BUDGET_EXHAUSTED
    assert first.resume_at is not None
    assert first.resume_at > first.started_at
    left = sorted(o.po_number for o in first.orders if o.outcome is OrderOutcome.SKIPPED)
    assert 0 < len(left) < ORDERS
    assert first.error is not None
    assert f"{len(left)} orders were left unchecked" in first.error
    logged, committed = stored_run_and_states(database, list(expected))
    assert logged.outcome is RunOutcome.BUDGET_EXHAUSTED
    skipped = {o.po_number: o.error for o in logged.orders if o.outcome is OrderOutcome.SKIPPED}
    assert sorted(skipped) == left
    assert all("budget ran out" in (error or "") for error in skipped.values())
    assert not committed & set(left), "a skipped order has store state"
    fields = upstreams.snapshot()
    half_done = [po for po in committed if fields[po] != expected[po]]
    assert not half_done, f"store state committed before the Autotask write: {half_done}"
    return left


def test_a_spent_budget_stops_cleanly_and_the_next_cycle_resumes(tmp_path: Path) -> None:
    now, scenario = pinned_now(), reliability_scenario(ORDERS, seed=3, prefix="BUDGET")
    with simulated_upstreams(scenario, now=now) as upstreams:
        complete_in_process(upstreams, tmp_path / "reference.db")
        expected = upstreams.snapshot()

    database = tmp_path / "orderbridge.db"
    with simulated_upstreams(scenario, now=now) as upstreams:
        settings = budget_settings(upstreams, database)
        left = assert_stopped_cleanly(one_cycle(settings), upstreams, database, expected)
        upstreams.reset_counters()
        reports = [one_cycle(settings)]
        asked = checked_order(upstreams)
        assert asked, "the next cycle should check orders"
        assert asked[: len(left)] == left[: len(asked)], "the orders left unchecked go first"
        while reports[-1].outcome != "ok":
            assert len(reports) < 8, [r.outcome for r in reports]
            reports.append(one_cycle(settings))
        assert upstreams.snapshot() == expected
