"""Per-order check schedules over a simulated week, hourly cycles, on the simulators' clock.

Both simulators' clocks and the sync's clock move together an hour per cycle; orders move along
their TD SYNNEX lifecycles at set hours. The week must cost far fewer TD SYNNEX checks than
checking every order every hour, and every change must still reach Autotask within its rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import tomli_w
from typer.testing import CliRunner

from orderbridge.bootstrap import SyncServices, sync_services
from orderbridge.cli import app
from orderbridge.domain.check_schedule import CheckPolicy
from orderbridge.domain.history import OrderOutcome, RunOutcome
from orderbridge.settings import Settings
from orderbridge.simulators.scenario import Scenario, ScenarioLine, ScenarioOrder, TdState
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams, simulated_upstreams

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
HOURS = 7 * 24
POLICY = CheckPolicy()
LINE = ScenarioLine(
    sku="3364043", mfg_pn="WVSF346", description="Dock", quantity=2, unit_price=Decimal("99")
)
NORMAL = [f"PO-A{i}" for i in range(1, 5)]
# hour -> (PO number, the state TD SYNNEX moves it to)
MOVES: dict[int, list[tuple[str, TdState]]] = {
    3: [("PO-R1", TdState.REJECTED)],
    5: [*((po, TdState.PROCESSING) for po in NORMAL), ("PO-B1", TdState.BACKORDERED)],
    30: [("PO-D1", TdState.DELETED)],
    40: [(po, TdState.SHIPPED) for po in NORMAL],
    80: [(po, TdState.DELIVERED) for po in NORMAL],
    120: [(po, TdState.INVOICED) for po in NORMAL],
}
# The status each move shows in Autotask, and the longest wait its rule allows.
SHOWN = {
    TdState.REJECTED: ("Rejected", POLICY.submitted),
    TdState.PROCESSING: ("Processing", POLICY.submitted),
    TdState.BACKORDERED: ("Backordered", POLICY.submitted),
    TdState.DELETED: ("Cancelled", POLICY.submitted),
    TdState.SHIPPED: ("Shipped", POLICY.near),
    TdState.DELIVERED: ("Delivered", POLICY.shipped),
    TdState.INVOICED: ("Closed", POLICY.settling),
}
AUTOTASK_EDIT_HOUR = 100


def scenario() -> Scenario:
    backordered = [TdState.ACCEPTED, TdState.BACKORDERED, TdState.PARTIALLY_SHIPPED]
    orders = [ScenarioOrder(po_number=po, lines=[LINE]) for po in NORMAL]
    orders += [
        ScenarioOrder(po_number="PO-B1", path=backordered, lines=[LINE]),
        ScenarioOrder(po_number="PO-R1", path=[TdState.ACCEPTED, TdState.REJECTED], lines=[LINE]),
        ScenarioOrder(po_number="PO-D1", path=[TdState.ACCEPTED, TdState.DELETED], lines=[LINE]),
    ]
    return Scenario(name="adaptive-week", orders=orders)


@pytest.fixture
def week() -> Iterator[SimulatedUpstreams]:
    with simulated_upstreams(scenario(), now=T0) as running:
        yield running


def set_clocks(upstreams: SimulatedUpstreams, when: datetime) -> None:
    upstreams.tdsynnex.state.clock.set(when)
    upstreams.autotask.state.clock.set(when)


async def replay(upstreams: SimulatedUpstreams, services: SyncServices) -> dict[int, set[str]]:
    """Hourly cycles over the week; the PO numbers each cycle checked, by hour."""
    checked: dict[int, set[str]] = {}
    seen: dict[str, list[tuple[int, str]]] = {}
    for hour in range(HOURS):
        set_clocks(upstreams, T0 + timedelta(hours=hour))
        for po, state in MOVES.get(hour, []):
            upstreams.tdsynnex.advance(po, state)
        if hour == AUTOTASK_EDIT_HOUR:  # someone receives part of the PO in Autotask
            upstreams.autotask.set_purchase_order_status(
                upstreams.po("PO-B1")["id"], "Received Partial"
            )
        report, results = await services.sync.run_once()
        assert report.outcome is RunOutcome.OK, report.error
        checked[hour] = {r.report.po_number for r in results}
        for r in results:
            if r.report.outcome is OrderOutcome.UPDATED and r.report.status:
                seen.setdefault(r.report.po_number, []).append((hour, r.report.status))
    assert_fresh(seen)
    return checked


def assert_fresh(seen: dict[str, list[tuple[int, str]]]) -> None:
    """Each move reached Autotask no later than its rule's wait (plus the cycle it fell in)."""
    for hour, moves in MOVES.items():
        for po, state in moves:
            status, wait = SHOWN[state]
            written = [h for h, s in seen.get(po, []) if s == status and h >= hour]
            assert written, f"{po} never showed {status}"
            lag = timedelta(hours=written[0] - hour)
            assert lag <= wait, f"{po} showed {status} {lag} after the change (rule: {wait})"


async def test_a_week_of_hourly_cycles_checks_a_fraction_and_stays_fresh(
    week: SimulatedUpstreams, database: Path
) -> None:
    values = week.settings_dict(database)
    values["sync"] = {"adaptive": True}
    async with sync_services(
        Settings.model_validate(values), clock=week.tdsynnex.state.clock.now
    ) as services:
        checked = await replay(week, services)
        # A resync checks an order the schedule would not (PO-B1 waits a day: backordered).
        assert "PO-B1" not in checked[HOURS - 1]
        _, results = await services.sync.run_once(only={"PO-B1"})
        assert [r.report.po_number for r in results] == ["PO-B1"]

    orders = len(scenario().orders)
    total = sum(len(c) for c in checked.values())
    assert total <= 0.3 * orders * HOURS, f"{total} checks in the week"
    # Finished orders are never checked after the cycle that saw them finish.
    for po, finished_at in (("PO-R1", 3), ("PO-D1", 30)):
        assert all(po not in checked[h] for h in range(finished_at + 1, HOURS)), po
    # Closed (delivered and invoiced) orders too.
    closed_by = 120 + int(POLICY.settling.total_seconds() // 3600)
    assert all(not checked[h] & set(NORMAL) for h in range(closed_by + 1, HOURS))
    # Backordered, its ETA weeks away: hourly while young, then at the held pace — and at once
    # after an Autotask edit (the pace goes on from that check).
    b1 = [h for h in range(HOURS) if "PO-B1" in checked[h]]
    young = int(POLICY.young_for.total_seconds() // 3600)
    held = int(POLICY.held.total_seconds() // 3600)
    assert b1[: young + 1] == list(range(young + 1))
    assert AUTOTASK_EDIT_HOUR in b1
    later = [h for h in b1 if h > young and h != AUTOTASK_EDIT_HOUR]
    gaps = {b - a for a, b in zip([young, *later], later, strict=False) if b <= AUTOTASK_EDIT_HOUR}
    assert gaps == {held}, str(b1)
    assert AUTOTASK_EDIT_HOUR + held in b1
    assert AUTOTASK_EDIT_HOUR + 1 not in b1


async def test_adaptive_false_checks_every_order_every_cycle(
    week: SimulatedUpstreams, database: Path
) -> None:
    async with sync_services(
        week.settings(database), clock=week.tdsynnex.state.clock.now
    ) as services:
        for hour in range(3):
            set_clocks(week, T0 + timedelta(hours=hour))
            _, results = await services.sync.run_once()
            assert len(results) == len(scenario().orders)


async def test_status_shows_when_the_order_is_next_checked_and_why(
    week: SimulatedUpstreams, database: Path, tmp_path: Path, runner: CliRunner
) -> None:
    values = week.settings_dict(database)
    values["sync"] = {"adaptive": True}
    config = tmp_path / "orderbridge.toml"
    config.write_text(tomli_w.dumps(values), encoding="utf-8")
    config.chmod(0o600)
    async with sync_services(
        Settings.model_validate(values), clock=week.tdsynnex.state.clock.now
    ) as services:
        await services.sync.run_once()
    shown = runner.invoke(app, ["status", "PO-A1", "-c", str(config)])
    assert shown.exit_code == 0, shown.output
    assert f"Next check: {T0 + POLICY.submitted:%Y-%m-%d %H:%M} UTC" in shown.output
    assert "not yet accepted by TD SYNNEX" in shown.output
