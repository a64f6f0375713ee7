"""``record_order_reports``: many per-order activity-log lines in one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from sqlalchemy import event

from orderbridge.adapters.store import DEFAULT_TENANT, SqlStore, StoreError
from orderbridge.domain.history import OrderOutcome, OrderReport

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


@contextmanager
def counted_commits(store: SqlStore) -> Iterator[list[int]]:
    """Counts the transactions committed on the store's engine inside the block."""
    commits = [0]

    def on_commit(_connection: Any) -> None:
        commits[0] += 1

    event.listen(store.engine, "commit", on_commit)
    try:
        yield commits
    finally:
        event.remove(store.engine, "commit", on_commit)


def _reports(count: int) -> list[OrderReport]:
    return [
        OrderReport(
            f"PO-{n:04d}",
            OrderOutcome.UPDATED if n % 2 else OrderOutcome.UNCHANGED,
            po_id=n,
            status="Shipped",
            changes=("status",) if n % 2 else (),
            warnings=("late",) if n % 3 == 0 else (),
            error=None,
        )
        for n in range(count)
    ]


def test_a_batch_round_trips_in_order(store: SqlStore) -> None:
    run_id = store.start_run(DEFAULT_TENANT, T0)
    reports = _reports(250)
    store.record_order_reports(run_id, reports, T0 + timedelta(seconds=3))
    record = store.run(run_id)
    assert record is not None
    assert record.orders == reports


def test_a_batch_is_one_transaction(store: SqlStore) -> None:
    run_id = store.start_run(DEFAULT_TENANT, T0)
    with counted_commits(store) as batched:
        store.record_order_reports(run_id, _reports(40), T0)
    with counted_commits(store) as single:
        for report in _reports(3):
            store.record_order_report(run_id, report, T0)
    assert batched == [1]
    assert single == [3]  # the counter does see every transaction


def test_a_batch_is_all_or_nothing(store: SqlStore) -> None:
    run_id = store.start_run(DEFAULT_TENANT, T0)
    # A PO number of None breaks the NOT NULL rule only at the last row of the batch.
    broken = OrderReport(cast(str, None), OrderOutcome.FAILED)
    with pytest.raises(StoreError, match="recording 4 orders in run"):
        store.record_order_reports(run_id, [*_reports(3), broken], T0)
    record = store.run(run_id)
    assert record is not None
    assert record.orders == []


def test_a_later_report_in_or_after_a_batch_replaces_the_earlier_one(store: SqlStore) -> None:
    run_id = store.start_run(DEFAULT_TENANT, T0)
    first = OrderReport("PO-1", OrderOutcome.FAILED, error="TD SYNNEX 500")
    other = OrderReport("PO-2", OrderOutcome.UNCHANGED)
    retried = OrderReport("PO-1", OrderOutcome.UPDATED, status="Shipped", changes=("status",))
    store.record_order_reports(run_id, [first, other, retried], T0)
    record = store.run(run_id)
    assert record is not None
    assert record.orders == [retried, other]
    again = OrderReport("PO-2", OrderOutcome.UPDATED, status="Delivered")
    store.record_order_reports(run_id, [again], T0 + timedelta(seconds=1))
    record = store.run(run_id)
    assert record is not None
    assert record.orders == [retried, again]


def test_a_batch_for_an_unknown_run_is_refused(store: SqlStore) -> None:
    with pytest.raises(StoreError, match="run 999 is not in the log"):
        store.record_order_reports(999, _reports(2), T0)


def test_an_empty_batch_does_nothing(store: SqlStore) -> None:
    with counted_commits(store) as commits:
        store.record_order_reports(999, [], T0)
    assert commits == [0]


def test_a_batch_needs_an_aware_time(store: SqlStore) -> None:
    run_id = store.start_run(DEFAULT_TENANT, T0)
    with pytest.raises(ValueError, match="at must be a timezone-aware"):
        store.record_order_reports(run_id, _reports(1), datetime(2026, 3, 1, 8, 0))
