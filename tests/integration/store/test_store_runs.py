"""The activity log: runs, per-order reports, interrupted runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from orderbridge.adapters.store import DEFAULT_TENANT, SqlStore, StoreError
from orderbridge.domain.history import OrderOutcome, OrderReport, RunOutcome, RunReport

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def test_a_run_round_trips_with_its_order_reports(store: SqlStore) -> None:
    run_id = store.start_run(DEFAULT_TENANT, T0)
    started = store.run(run_id)
    assert started is not None
    assert (started.outcome, started.finished_at, started.duration_s) == ("running", None, None)

    updated = OrderReport(
        "PO-1", OrderOutcome.UPDATED, po_id=7, status="Shipped", changes=("status", "memo")
    )
    failed = OrderReport("PO-2", OrderOutcome.FAILED, warnings=("slow",), error="TD SYNNEX 500")
    store.record_order_report(run_id, updated, T0 + timedelta(seconds=1))
    store.record_order_report(run_id, failed, T0 + timedelta(seconds=2))
    report = RunReport(
        started_at=T0,
        finished_at=T0 + timedelta(seconds=42.5),
        outcome=RunOutcome.PARTIAL,
        monitored=10,
        checked=9,
        updated=1,
        unchanged=7,
        failed=1,
        skipped=1,
        requests={"autotask": 12, "tdsynnex": 9},
        error="1 order failed",
    )
    store.finish_run(run_id, report)

    record = store.run(run_id)
    assert record is not None
    assert (record.id, record.tenant, record.outcome) == (run_id, DEFAULT_TENANT, "partial")
    assert (record.started_at, record.finished_at) == (T0, T0 + timedelta(seconds=42.5))
    assert record.duration_s == pytest.approx(42.5)
    counts = (record.monitored, record.checked, record.updated)
    assert (*counts, record.unchanged, record.failed, record.skipped) == (10, 9, 1, 7, 1, 1)
    assert record.requests == {"autotask": 12, "tdsynnex": 9}
    assert record.error == "1 order failed"
    assert record.orders == [updated, failed]


def test_a_later_report_for_the_same_order_replaces_the_first(store: SqlStore) -> None:
    run_id = store.start_run(DEFAULT_TENANT, T0)
    store.record_order_report(run_id, OrderReport("PO-1", OrderOutcome.FAILED, error="x"), T0)
    retried = OrderReport("PO-1", OrderOutcome.UPDATED, status="Shipped")
    store.record_order_report(run_id, retried, T0 + timedelta(seconds=5))
    record = store.run(run_id)
    assert record is not None
    assert record.orders == [retried]


def test_runs_lists_newest_first_per_tenant_without_orders(store: SqlStore) -> None:
    ids = [store.start_run(DEFAULT_TENANT, T0 + timedelta(minutes=i)) for i in range(3)]
    other = store.start_run("acme", T0 + timedelta(hours=1))
    store.record_order_report(ids[2], OrderReport("PO-1", OrderOutcome.UNCHANGED), T0)
    listed = store.runs(DEFAULT_TENANT, limit=2)
    assert [run.id for run in listed] == [ids[2], ids[1]]
    assert all(run.orders == [] for run in listed)
    assert [run.id for run in store.runs("acme")] == [other]
    assert store.run(999_999) is None


def test_unknown_run_ids_raise_store_error(store: SqlStore) -> None:
    with pytest.raises(StoreError, match="run 424242"):
        store.record_order_report(424242, OrderReport("PO-1", OrderOutcome.UPDATED), T0)
    with pytest.raises(StoreError, match="424242"):
        store.finish_run(424242, RunReport(started_at=T0, finished_at=T0))


def test_interrupted_runs_are_closed_once(store: SqlStore) -> None:
    crashed = store.start_run(DEFAULT_TENANT, T0)
    done = store.start_run(DEFAULT_TENANT, T0 + timedelta(minutes=1))
    store.finish_run(done, RunReport(started_at=T0, finished_at=T0, outcome=RunOutcome.OK))
    elsewhere = store.start_run("acme", T0)
    restart = T0 + timedelta(hours=1)

    assert store.mark_interrupted_runs(DEFAULT_TENANT, restart) == 1
    assert store.mark_interrupted_runs(DEFAULT_TENANT, restart) == 0
    record = store.run(crashed)
    assert record is not None
    assert (record.outcome, record.finished_at) == ("interrupted", restart)
    assert record.error is not None
    assert "stopped" in record.error
    finished = store.run(done)
    assert finished is not None
    assert finished.outcome == "ok"
    still_running = store.run(elsewhere)
    assert still_running is not None
    assert still_running.outcome == "running"


def test_interrupted_runs_can_spare_runs_started_recently(store: SqlStore) -> None:
    old = store.start_run(DEFAULT_TENANT, T0)
    fresh = store.start_run(DEFAULT_TENANT, T0 + timedelta(minutes=59))
    now = T0 + timedelta(hours=1)
    marked = store.mark_interrupted_runs(
        DEFAULT_TENANT, now, started_before=now - timedelta(minutes=30)
    )
    assert marked == 1
    outcomes = {run.id: run.outcome for run in store.runs(DEFAULT_TENANT)}
    assert outcomes == {old: "interrupted", fresh: "running"}
