"""SyncService.run_once over in-memory gateways and a real store: state, not call lists."""

from __future__ import annotations

import pytest

from orderbridge.adapters.store import SqlStore
from orderbridge.application.scope import SyncSetupError
from orderbridge.application.sync import SyncService
from orderbridge.domain.history import OrderOutcome
from orderbridge.domain.memo import BLOCK_START
from orderbridge.ports import MonitoredScope, UpstreamAuthError
from tests.integration.application.sync_fakes import (
    FakePurchaseOrders,
    FakeUpstreamError,
    ScriptedDistributor,
    accepted,
    invoice,
    purchase_order,
    shipped,
)

pytestmark = pytest.mark.anyio


def seed(autotask: FakePurchaseOrders, tdsynnex: ScriptedDistributor) -> None:
    """Three POs: shipped, accepted, and one of another vendor."""
    autotask.add(purchase_order(1, "PO-1"))
    autotask.add(purchase_order(2, "PO-2", memo="Call Dana first."))
    autotask.add(purchase_order(3, "PO-3", vendor_id=99))
    tdsynnex.orders.update({"PO-1": shipped("PO-1"), "PO-2": accepted("PO-2")})


async def test_first_cycle_writes_and_records_then_nothing_more(
    service: SyncService,
    autotask: FakePurchaseOrders,
    tdsynnex: ScriptedDistributor,
    store: SqlStore,
) -> None:
    seed(autotask, tdsynnex)
    report, _ = await service.run_once()
    assert (report.outcome, report.monitored, report.updated) == ("ok", 2, 2)
    po1 = autotask.orders[1]
    assert BLOCK_START in po1.general_memo
    assert "508922220890" in po1.general_memo
    assert po1.shipping_date is not None
    assert "2 shipped of 2 ordered" in po1.items[0].memo
    assert autotask.orders[2].general_memo.startswith("Call Dana first.\n\n" + BLOCK_START)
    assert autotask.orders[3].general_memo == ""
    assert next(e.to_status for e in store.history("default", "PO-1")) == "Shipped"
    writes = autotask.writes
    again, _ = await service.run_once()
    assert (again.updated, again.unchanged) == (0, 2)
    assert autotask.writes == writes
    assert len(store.runs("default")) == 2


async def test_moved_order_appends_history_from_the_previous_status(
    service: SyncService,
    autotask: FakePurchaseOrders,
    tdsynnex: ScriptedDistributor,
    store: SqlStore,
) -> None:
    seed(autotask, tdsynnex)
    await service.run_once()
    tdsynnex.orders["PO-2"] = shipped("PO-2")
    report, _ = await service.run_once()
    assert [o.po_number for o in report.orders if o.outcome is OrderOutcome.UPDATED] == ["PO-2"]
    history = store.history("default", "PO-2")
    assert any(e.from_status is None and e.to_status == "Received" for e in history)
    assert any(e.from_status == "Received" and e.to_status == "Shipped" for e in history)
    assert "Status: Shipped" in autotask.orders[2].general_memo


async def test_invoices_are_asked_for_once_and_written(
    service: SyncService, autotask: FakePurchaseOrders, tdsynnex: ScriptedDistributor
) -> None:
    autotask.add(purchase_order(1, "PO-1"))
    tdsynnex.orders["PO-1"] = shipped("PO-1", invoiced=True)
    tdsynnex.invoices["PO-1"] = [invoice("41234567"), invoice("41234568")]
    await service.run_once()
    await service.run_once()
    assert tdsynnex.invoice_calls == ["PO-1"]
    po = autotask.orders[1]
    assert (po.vendor_invoice_number, po.additional_vendor_invoice_numbers) == (
        "41234567",
        "41234568",
    )


async def test_distributor_failure_stays_on_its_order_and_is_retried(
    service: SyncService,
    autotask: FakePurchaseOrders,
    tdsynnex: ScriptedDistributor,
    store: SqlStore,
) -> None:
    seed(autotask, tdsynnex)
    tdsynnex.orders["PO-1"] = FakeUpstreamError("TD SYNNEX is down for PO-1", "tdsynnex")
    report, _ = await service.run_once()
    assert report.outcome == "partial"
    failed = {o.po_number: o.error for o in report.orders if o.outcome is OrderOutcome.FAILED}
    assert failed == {"PO-1": "TD SYNNEX is down for PO-1"}
    assert autotask.orders[2].general_memo != "Call Dana first."
    assert store.load_state("default", "PO-1") is None
    tdsynnex.orders["PO-1"] = shipped("PO-1")
    healed, _ = await service.run_once()
    assert healed.outcome == "ok"
    assert store.load_state("default", "PO-1") is not None


async def test_write_failure_is_not_committed_and_converges(
    service: SyncService,
    autotask: FakePurchaseOrders,
    tdsynnex: ScriptedDistributor,
    store: SqlStore,
) -> None:
    seed(autotask, tdsynnex)
    autotask.fail_writes[1] = FakeUpstreamError("Autotask refused the PATCH", "autotask")
    report, _ = await service.run_once()
    assert [o.po_number for o in report.orders if o.outcome is OrderOutcome.FAILED] == ["PO-1"]
    assert store.load_state("default", "PO-1") is None
    assert store.history("default", "PO-1") == []
    await service.run_once()
    history = store.history("default", "PO-1")
    assert len(history) == len({e.key for e in history}) > 0
    third, _ = await service.run_once()
    assert third.updated == 0


async def test_distributor_auth_failure_skips_the_orders_after_it(
    service: SyncService, autotask: FakePurchaseOrders, tdsynnex: ScriptedDistributor
) -> None:
    service.concurrency = 1
    for n in range(1, 5):
        autotask.add(purchase_order(n, f"PO-{n}"))
    error = type("TdAuth", (UpstreamAuthError,), {"service": "tdsynnex"})("Login Failed")
    tdsynnex.orders["PO-1"] = error
    report, _ = await service.run_once()
    outcomes = {o.po_number: o.outcome for o in report.orders}
    assert outcomes["PO-1"] is OrderOutcome.FAILED
    skipped = [p for p, o in outcomes.items() if o is OrderOutcome.SKIPPED]
    assert skipped
    # Said once, on the run and the order that met it; the others only point at the run.
    assert report.outcome == "refused"
    assert "Login Failed" in (report.error or "")
    assert [o.po_number for o in report.orders if "Login Failed" in (o.error or "")] == ["PO-1"]
    assert all(
        "see the run's error" in (o.error or "") for o in report.orders if o.po_number in skipped
    )
    assert tdsynnex.status_calls == ["PO-1"]


async def test_listing_failures_refuse_or_fail_the_run(
    service: SyncService, autotask: FakePurchaseOrders, store: SqlStore
) -> None:
    autotask.fail_listing = type("AtAuth", (UpstreamAuthError,), {"service": "autotask"})("401")
    refused, _ = await service.run_once()
    autotask.fail_listing = FakeUpstreamError("Autotask answered 503", "autotask")
    failed, _ = await service.run_once()
    assert (refused.outcome, refused.error) == ("refused", "401")
    assert (failed.outcome, failed.error) == ("failed", "Autotask answered 503")
    assert [r.outcome for r in store.runs("default")] == ["failed", "refused"]


async def test_scope_setup_error_refuses_the_run(service: SyncService) -> None:
    async def no_vendor() -> MonitoredScope:
        raise SyncSetupError("no Autotask vendor company's name contains 'X'")

    service.scope = no_vendor
    report, _ = await service.run_once()
    assert report.outcome == "refused"
    assert "'X'" in (report.error or "")


async def test_po_without_number_is_skipped_with_a_reason(
    service: SyncService, autotask: FakePurchaseOrders, tdsynnex: ScriptedDistributor
) -> None:
    autotask.add(purchase_order(5, None))
    report, _ = await service.run_once()
    (only,) = report.orders
    assert (only.outcome, only.po_number) == (OrderOutcome.SKIPPED, "(PO id 5)")
    assert "no PO number" in (only.error or "")
    assert tdsynnex.status_calls == []


async def test_dry_run_plans_but_writes_and_records_nothing(
    service: SyncService,
    autotask: FakePurchaseOrders,
    tdsynnex: ScriptedDistributor,
    store: SqlStore,
) -> None:
    seed(autotask, tdsynnex)
    report, results = await service.run_once(dry_run=True)
    assert report.updated == 2
    assert all(r.plan is not None and r.plan.po_changes for r in results)
    assert autotask.writes == 0
    assert store.runs("default") == []
    assert store.load_state("default", "PO-1") is None


async def test_only_limits_the_cycle_to_those_po_numbers(
    service: SyncService, autotask: FakePurchaseOrders, tdsynnex: ScriptedDistributor
) -> None:
    seed(autotask, tdsynnex)
    report, _ = await service.run_once(only={"PO-2"})
    assert [o.po_number for o in report.orders] == ["PO-2"]
    assert tdsynnex.status_calls == ["PO-2"]


async def test_warnings_for_unmatched_lines_and_a_foreign_order_number(
    service: SyncService, autotask: FakePurchaseOrders, tdsynnex: ScriptedDistributor
) -> None:
    autotask.add(purchase_order(1, "PO-1", external_po_number="69999999"))
    tdsynnex.orders["PO-1"] = shipped("PO-1", extra_line=True)
    report, _ = await service.run_once()
    (only,) = report.orders
    assert only.outcome is OrderOutcome.UPDATED
    assert any("NOT-ORDERED" in w for w in only.warnings), only.warnings
    assert any("69999999" in w and "60045675" in w for w in only.warnings)


async def test_a_later_invoice_is_fetched_when_the_order_changes_again(
    service: SyncService, autotask: FakePurchaseOrders, tdsynnex: ScriptedDistributor
) -> None:
    autotask.add(purchase_order(1, "PO-1"))
    tdsynnex.orders["PO-1"] = shipped("PO-1", invoiced=True)
    tdsynnex.invoices["PO-1"] = [invoice("41234567")]
    await service.run_once()
    await service.run_once()  # nothing new: no second invoice query
    assert tdsynnex.invoice_calls == ["PO-1"]
    # A second shipment is invoiced later: TD SYNNEX reports a new line, so ask again.
    tdsynnex.orders["PO-1"] = shipped("PO-1", invoiced=True, extra_line=True)
    tdsynnex.invoices["PO-1"] = [invoice("41234567"), invoice("41234599")]
    await service.run_once()
    assert tdsynnex.invoice_calls == ["PO-1", "PO-1"]
    po = autotask.orders[1]
    assert (po.vendor_invoice_number, po.additional_vendor_invoice_numbers) == (
        "41234567",
        "41234599",
    )
