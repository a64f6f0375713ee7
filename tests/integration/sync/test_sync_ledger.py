"""The run ledger on a real SQLite file: what a run reads first and records as it goes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import pytest

from orderbridge.adapters.store import SqlStore
from orderbridge.application.ledger import REPORT_BATCH, RunLedger
from orderbridge.domain.check_schedule import AUTOTASK_SEEN, autotask_digest
from orderbridge.domain.history import (
    OrderOutcome,
    OrderReport,
    RunOutcome,
    RunReport,
    RunTrigger,
)
from orderbridge.domain.lifecycle import OrderState, OrderStatus
from orderbridge.domain.models import PurchaseOrder

pytestmark = pytest.mark.anyio
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio."""
    return "asyncio"


@pytest.fixture
def store(tmp_path: Path) -> SqlStore:
    """A migrated store in a fresh file."""
    return SqlStore.open(f"sqlite:///{tmp_path / 'ledger.db'}")


def po(number: str, po_id: int) -> PurchaseOrder:
    """A PO with nothing but its number."""
    return PurchaseOrder(id=po_id, po_number=number, status="Submitted", vendor_id=1)


def unchanged(number: str) -> OrderReport:
    """An activity-log line for an order found unchanged."""
    return OrderReport(number, OrderOutcome.UNCHANGED, status="Processing")


async def test_a_dry_run_writes_nothing(store: SqlStore) -> None:
    ledger = RunLedger(store, tenant="default", clock=lambda: T0, dry_run=True)
    report = RunReport(started_at=T0)
    await ledger.open(report)
    await ledger.record(unchanged("PO-1"))
    await ledger.close(report)
    assert report.run_id is None
    assert store.runs("default") == []
    assert store.load_states("default", ["PO-1"]) == {}


async def test_lines_are_written_in_batches_and_the_run_closed_with_its_trigger(
    store: SqlStore,
) -> None:
    ledger = RunLedger(store, tenant="default", clock=lambda: T0, dry_run=False)
    report = RunReport(started_at=T0, trigger=RunTrigger.ONCE)
    await ledger.open(report)
    assert report.run_id is not None
    for n in range(REPORT_BATCH):
        await ledger.record(unchanged(f"PO-{n}"))
    # A full batch is in the activity log before the run ends.
    run = store.run(report.run_id)
    assert run is not None
    assert len(run.orders) == REPORT_BATCH
    await ledger.record(unchanged("PO-last"))
    report.outcome = RunOutcome.OK
    await ledger.close(report)
    run = store.run(report.run_id)
    assert run is not None
    assert len(run.orders) == REPORT_BATCH + 1
    assert (run.outcome, run.trigger) == (RunOutcome.OK, RunTrigger.ONCE)


async def test_never_checked_orders_come_first_then_the_longest_unchecked(
    store: SqlStore,
) -> None:
    for number, hours_ago in (("PO-A", 1), ("PO-B", 5)):
        store.save_order(
            "default",
            number,
            po_id=1,
            status="Processing",
            state={"status": "Processing"},
            fingerprint="x",
            history=[],
            checked_at=T0 - timedelta(hours=hours_ago),
        )
    ledger = RunLedger(store, tenant="default", clock=lambda: T0, dry_run=False)
    pos = [po("PO-A", 1), po("PO-B", 2), po("PO-NEW", 3)]
    await ledger.load([p.po_number or "" for p in pos])
    order = [p.po_number for p in ledger.longest_unchecked_first(pos)]
    assert order == ["PO-NEW", "PO-B", "PO-A"]
    assert ledger.known_status("PO-A") == "Processing"
    assert ledger.known_status("PO-NEW") is None


async def test_closing_marks_unchanged_orders_checked(store: SqlStore) -> None:
    store.save_order(
        "default",
        "PO-1",
        po_id=1,
        status="Processing",
        state={"status": "Processing"},
        fingerprint="x",
        history=[],
        checked_at=T0 - timedelta(days=1),
    )
    ledger = RunLedger(store, tenant="default", clock=lambda: T0, dry_run=False)
    report = RunReport(started_at=T0)
    await ledger.open(report)
    await ledger.record(unchanged("PO-1"))
    with anyio.fail_after(5):
        await ledger.close(report)
    stored = store.load_state("default", "PO-1")
    assert stored is not None
    assert stored.checked_at == T0


async def test_forgotten_writes_of_an_unchanged_order_are_batched_not_saved(
    store: SqlStore,
) -> None:
    state = OrderState(po_number="PO-1", status=OrderStatus.PROCESSING, first_seen=T0)
    purchase_order = po("PO-1", 1)
    earlier = T0 - timedelta(hours=1)
    store.save_order(
        "default",
        "PO-1",
        po_id=1,
        status=str(state.status),
        state=state.to_json(),
        fingerprint=state.fingerprint(),
        history=[],
        checked_at=earlier,
        written={AUTOTASK_SEEN: autotask_digest(purchase_order), "po.memo": "digest"},
    )
    saves: list[str] = []
    real_save = store.save_order

    def counted_save(*args: Any, **kwargs: Any) -> int:
        saves.append(args[1])
        return real_save(*args, **kwargs)

    store.save_order = counted_save  # type: ignore[method-assign]
    ledger = RunLedger(store, tenant="default", clock=lambda: T0, dry_run=False)
    report = RunReport(started_at=T0)
    await ledger.open(report)
    await ledger.load(["PO-1"])
    # The memo write read back as written: it is forgotten, and nothing else changed.
    assert await ledger.commit_order(purchase_order, state, [], {}, kept={"po.memo"})
    assert store.load_state("default", "PO-1").written == {  # type: ignore[union-attr]
        AUTOTASK_SEEN: autotask_digest(purchase_order),
        "po.memo": "digest",
    }
    await ledger.record(unchanged("PO-1"))
    await ledger.close(report)
    stored = store.load_state("default", "PO-1")
    assert stored is not None
    assert saves == []
    assert stored.written == {AUTOTASK_SEEN: autotask_digest(purchase_order)}
    assert (stored.updated_at, stored.checked_at, stored.state) == (T0, T0, state.to_json())
