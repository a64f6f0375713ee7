"""When an order is next checked and why: the order's rule, then the cycle that checks it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from orderbridge.application.next_checks import NextChecks
from orderbridge.application.runtime import RuntimeSettings, RuntimeValues
from orderbridge.domain.check_schedule import CheckPolicy, CheckReason
from orderbridge.domain.history import RunOutcome, RunTrigger
from orderbridge.domain.lifecycle import OrderState, OrderStatus
from orderbridge.ports import RunRecord

NOW = datetime(2026, 12, 2, 12, 20, tzinfo=UTC)
HOURLY = RuntimeValues.from_texts(
    {
        "enabled": "true",
        "frequency": "hourly",
        "daily_at": "06:00",
        "timezone": "UTC",
        "min_gap_s": "60",
        "scope": "active",
    }
)


@dataclass
class StoredSettings:
    """The runtime settings table in memory."""

    values: dict[str, str] = field(default_factory=dict)

    def settings(self, tenant: str) -> dict[str, str]:
        return dict(self.values)

    def set_setting(self, tenant: str, key: str, value: str) -> None:
        self.values[key] = value


@dataclass
class Runs:
    """An activity log in memory, newest first."""

    records: list[RunRecord] = field(default_factory=list)

    def runs(
        self, tenant: str, limit: int, *, triggers: Sequence[str] | None = None
    ) -> list[RunRecord]:
        wanted = [r for r in self.records if triggers is None or str(r.trigger) in triggers]
        return wanted[:limit]


def _run(started: datetime, trigger: RunTrigger) -> RunRecord:
    return RunRecord(
        id=1,
        tenant="default",
        started_at=started,
        finished_at=started + timedelta(seconds=30),
        outcome=RunOutcome.OK,
        trigger=trigger,
        monitored=1,
        checked=1,
        updated=0,
        unchanged=1,
        failed=0,
        skipped=0,
        requests={},
        error=None,
    )


def _checks(
    runs: Runs, stored: StoredSettings | None = None, policy: CheckPolicy | None = None
) -> NextChecks:
    runtime = RuntimeSettings(stored or StoredSettings(), HOURLY)
    return NextChecks(runs=runs, runtime=runtime, policy=policy, clock=lambda: NOW)


def test_before_any_cycle_the_first_cycle_of_run_checks_it() -> None:
    outlook = _checks(Runs()).of(None, None)
    assert outlook.rule is None
    assert (
        outlook.describe()
        == "at the first cycle of orderbridge run, then hourly, on the hour (UTC)"
    )


def test_a_resync_is_not_a_cycle_but_sync_once_is() -> None:
    resynced = Runs([_run(NOW - timedelta(minutes=5), RunTrigger.RESYNC)])
    assert _checks(resynced).of(None, None).cycle_at is None
    once = Runs([_run(NOW - timedelta(minutes=5), RunTrigger.ONCE)])
    outlook = _checks(once).of(None, None)
    assert outlook.cycle_at == datetime(2026, 12, 2, 13, 0, tzinfo=UTC)
    assert outlook.describe().startswith("2026-12-02 13:00 UTC (hourly")


def test_an_overdue_cycle_is_due_now() -> None:
    late = Runs([_run(NOW - timedelta(hours=3), RunTrigger.SCHEDULED)])
    assert _checks(late).of(None, None).describe().startswith("at the next cycle (due now)")


def test_switched_off_in_the_store_without_writing_to_it() -> None:
    stored = StoredSettings({"enabled": "false"})
    outlook = _checks(Runs(), stored).of(None, None)
    assert not outlook.enabled
    assert outlook.describe() == "not scheduled: scheduled sync is off"
    assert stored.values == {"enabled": "false"}  # read, never seeded from the file


def test_adaptive_shows_the_orders_own_rule_first() -> None:
    state = OrderState(
        po_number="PO-1", status=OrderStatus.ON_HOLD, first_seen=NOW - timedelta(days=3)
    )
    checked = NOW - timedelta(hours=1)
    policy = CheckPolicy()
    outlook = _checks(Runs(), policy=policy).of(state, checked)
    assert outlook.rule is not None
    assert outlook.rule.reason is CheckReason.HELD
    assert outlook.rule.at == checked + policy.held
    assert outlook.describe().startswith("2026-12-02 17:20 UTC (on hold or backordered); at the")


def test_not_adaptive_every_cycle_checks_it() -> None:
    state = OrderState(po_number="PO-1", status=OrderStatus.ON_HOLD, first_seen=NOW)
    assert _checks(Runs()).of(state, NOW).rule is None


def _held(checked: datetime) -> OrderState:
    return OrderState(
        po_number="PO-1", status=OrderStatus.ON_HOLD, first_seen=checked - timedelta(days=3)
    )


def test_an_order_due_later_names_the_cycle_that_checks_it_not_the_next_one() -> None:
    ran = Runs([_run(NOW - timedelta(minutes=5), RunTrigger.SCHEDULED)])
    checked = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)  # held: due at 15:30
    outlook = _checks(ran, policy=CheckPolicy()).of(_held(checked), checked)
    assert outlook.cycle_at == datetime(2026, 12, 2, 13, 0, tzinfo=UTC)
    assert outlook.checked_by == datetime(2026, 12, 2, 16, 0, tzinfo=UTC)  # 15:00 is too early
    assert outlook.describe() == (
        "2026-12-02 15:30 UTC (on hold or backordered); checked by the cycle at "
        "2026-12-02 16:00 UTC (hourly, on the hour (UTC)) while orderbridge run runs"
    )


def test_a_cycle_a_little_early_checks_the_order() -> None:
    ran = Runs([_run(NOW - timedelta(minutes=5), RunTrigger.SCHEDULED)])
    checked = datetime(2026, 12, 2, 9, 5, tzinfo=UTC)  # due at 15:05; 15:00 is within 10 min
    outlook = _checks(ran, policy=CheckPolicy()).of(_held(checked), checked)
    assert outlook.checked_by == datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
    late = NOW - timedelta(hours=7)  # due an hour ago
    overdue = _checks(ran, policy=CheckPolicy()).of(_held(late), late)
    assert overdue.checked_by == overdue.cycle_at


def test_an_interval_schedule_steps_by_its_interval() -> None:
    stored = StoredSettings({"frequency": "custom:45m"})
    ran = Runs([_run(NOW - timedelta(minutes=5), RunTrigger.SCHEDULED)])
    checked = datetime(2026, 12, 2, 9, 20, tzinfo=UTC)  # due 15:20; cycles 13:00 + k x 45 min
    outlook = _checks(ran, stored, CheckPolicy()).of(_held(checked), checked)
    assert outlook.cycle_at == datetime(2026, 12, 2, 13, 0, tzinfo=UTC)
    assert outlook.checked_by == datetime(2026, 12, 2, 15, 15, tzinfo=UTC)


def test_a_finished_order_names_no_cycle() -> None:
    ran = Runs([_run(NOW - timedelta(minutes=5), RunTrigger.SCHEDULED)])
    done = OrderState(po_number="PO-1", status=OrderStatus.CANCELLED, first_seen=NOW)
    outlook = _checks(ran, policy=CheckPolicy()).of(done, NOW)
    assert outlook.checked_by is None
    assert outlook.describe().startswith("never (")
    assert "cycle" not in outlook.describe()
