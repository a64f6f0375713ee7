"""The sync loop's records hooks: every Autotask write audited, archived POs brought back."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from orderbridge.adapters.store import DEFAULT_TENANT, RecordsStore, SqlStore
from orderbridge.application.records import archive_now
from orderbridge.application.sync import SyncService
from orderbridge.domain.records import AuditKind, RetentionPolicy
from tests.integration.application.sync_fakes import (
    NOW,
    FakePurchaseOrders,
    FakeUpstreamError,
    ScriptedDistributor,
    purchase_order,
    shipped,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
def audited(service: SyncService, store: SqlStore) -> SyncService:
    """The sync loop with the store's records attached, as bootstrap wires it."""
    return replace(service, records=RecordsStore(store))


async def test_every_field_written_is_audited_with_before_after_and_run(
    audited: SyncService,
    autotask: FakePurchaseOrders,
    tdsynnex: ScriptedDistributor,
    store: SqlStore,
) -> None:
    autotask.add(purchase_order(1, "PO-1", memo="Call Dana first."))
    tdsynnex.orders["PO-1"] = shipped("PO-1")
    report, _ = await audited.run_once()
    assert report.updated == 1
    entries = RecordsStore(store).audit(DEFAULT_TENANT, "PO-1")
    run_id = store.runs(DEFAULT_TENANT)[0].id
    by_field = {(e.item_id, e.field): e for e in entries}
    memo = by_field[(None, "general_memo")]
    assert memo.before == "Call Dana first."
    assert memo.after == autotask.orders[1].general_memo
    assert (memo.kind, memo.run_id, memo.po_id, memo.stuck) == (
        AuditKind.AUTOTASK_WRITE,
        run_id,
        1,
        True,
    )
    ship = by_field[(None, "shipping_date")]
    assert ship.before is None
    assert ship.after is not None
    assert ship.after.startswith(str(autotask.orders[1].shipping_date)[:10])
    assert (10, "memo") in by_field  # the item's line memo
    assert all(e.stuck for e in entries)
    await audited.run_once()
    assert len(RecordsStore(store).audit(DEFAULT_TENANT)) == len(entries)  # nothing new written


async def test_a_refused_write_is_audited_as_not_taken(
    audited: SyncService,
    autotask: FakePurchaseOrders,
    tdsynnex: ScriptedDistributor,
    store: SqlStore,
) -> None:
    autotask.add(purchase_order(1, "PO-1"))
    tdsynnex.orders["PO-1"] = shipped("PO-1")
    autotask.fail_writes[1] = FakeUpstreamError("Autotask said 500", "autotask")
    report, _ = await audited.run_once()
    assert report.failed == 1
    entries = RecordsStore(store).audit(DEFAULT_TENANT, "PO-1")
    assert entries
    assert {(e.stuck, e.error) for e in entries} == {(False, "Autotask said 500")}


async def test_an_archived_order_back_in_scope_is_unarchived_with_a_history_line(
    audited: SyncService,
    autotask: FakePurchaseOrders,
    tdsynnex: ScriptedDistributor,
    store: SqlStore,
) -> None:
    autotask.add(purchase_order(1, "PO-1"))
    tdsynnex.orders["PO-1"] = shipped("PO-1")
    await audited.run_once()
    stored = store.load_state(DEFAULT_TENANT, "PO-1")
    assert stored is not None
    store.save_order(
        DEFAULT_TENANT,
        "PO-1",
        po_id=1,
        status="Closed",
        state=stored.state,
        fingerprint="closed",
        history=[],
        checked_at=NOW - timedelta(days=400),
    )
    with store.engine.begin() as connection:  # age the row past archive_after_days
        connection.exec_driver_sql(
            "UPDATE order_state SET updated_at = '2020-01-01 00:00:00', "
            "checked_at = '2020-01-01 00:00:00'"
        )
    outcome = archive_now(RecordsStore(store), RetentionPolicy(), NOW)
    assert outcome.archived == ("PO-1",)
    await audited.run_once(dry_run=True)
    assert store.orders(DEFAULT_TENANT) == []  # a dry run changes nothing
    await audited.run_once()
    assert [o.po_number for o in store.orders(DEFAULT_TENANT)] == ["PO-1"]
    reasons = [e.summary for e in store.history(DEFAULT_TENANT, "PO-1")]
    assert "Un-archived: the PO is back in scope in Autotask (status Submitted)" in reasons
