"""Sync cycles over the demo scenario against both simulators, over real loopback sockets."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from orderbridge.bootstrap import SyncServices, sync_services
from orderbridge.domain.history import OrderOutcome, RunReport
from orderbridge.domain.memo import BLOCK_END, BLOCK_START
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams, texts

pytestmark = pytest.mark.anyio

SERVER_ERROR_PO = "PO-10021"
OTHER_VENDOR_PO = "PO-10023"
USER_MEMO = (
    "Deliver to the Springfield office, ask for Dana at reception. Rack install booked for Friday."
)


def block_of(memo: str | None) -> str:
    """The managed block of a memo (fails the test when there is none)."""
    assert memo is not None
    start, end = memo.find(BLOCK_START), memo.find(BLOCK_END)
    assert 0 <= start < end, f"no managed block in {memo!r}"
    return memo[start : end + len(BLOCK_END)]


async def cycle(services: SyncServices) -> RunReport:
    """One cycle; the run must not stop as a whole."""
    report, _ = await services.sync.run_once()
    assert report.outcome in ("ok", "partial"), report.error
    return report


async def test_first_cycle_updates_every_monitored_po(
    upstreams: SimulatedUpstreams, database: Path
) -> None:
    async with sync_services(upstreams.settings(database)) as services:
        report = await cycle(services)
    monitored = {o.po_number for o in report.orders}
    assert report.monitored == len(monitored) == 24
    assert OTHER_VENDOR_PO not in monitored
    failed = {o.po_number for o in report.orders if o.outcome is OrderOutcome.FAILED}
    assert failed == {SERVER_ERROR_PO}
    for po in upstreams.autotask.purchase_orders():
        number = po["purchaseOrderNumber"] or str(po["id"])
        if number in monitored - failed:
            assert BLOCK_START in po["generalMemo"], number
            if "Status: Not found" in po["generalMemo"]:
                continue  # TD SYNNEX reports no lines, so no item has anything to show
            for item in upstreams.autotask.items_of(po["id"]):
                assert BLOCK_START in (item["memo"] or ""), (number, item)
        else:
            assert BLOCK_START not in (po["generalMemo"] or ""), number


async def test_invoiced_po_carries_what_tdsynnex_serves(
    upstreams: SimulatedUpstreams, database: Path
) -> None:
    upstreams.tdsynnex.advance(SERVER_ERROR_PO)  # its retries only slow this test
    async with sync_services(upstreams.settings(database)) as services:
        await cycle(services)
    served = upstreams.served_status("PO-10015")
    invoices = texts(upstreams.served_invoices("PO-10015"), "InvoiceNumber")
    po = upstreams.po("PO-10015")
    block = block_of(po["generalMemo"])
    assert "Status: Invoiced" in block
    for order_number in set(texts(served, "OrderNumber")):
        assert order_number in block
    tracking = set(texts(served, "TrackingNumber"))
    assert len(tracking) == 4
    for number in tracking:
        assert f"https://www.fedex.com/fedextrack/?trknbr={number}" in block
    assert len(invoices) == 2
    for number in invoices:
        assert f"- {number}, " in block
    assert po["vendorInvoiceNumber"] == invoices[0]
    assert po["additionalVendorInvoiceNumbers"] == invoices[1]
    ship_days = {d[:10] for d in texts(served, "ShipDatetime")}
    assert po["shippingDate"][:10] in ship_days
    for item in upstreams.items("PO-10015"):
        assert item["estimatedArrivalDate"] is not None
        assert "Status: Invoiced" in item["memo"]
        assert f"{item['quantity']} shipped of {item['quantity']} ordered" in item["memo"]


async def test_backordered_item_gets_the_served_eta(
    upstreams: SimulatedUpstreams, database: Path
) -> None:
    upstreams.tdsynnex.advance(SERVER_ERROR_PO)  # its retries only slow this test
    async with sync_services(upstreams.settings(database)) as services:
        await cycle(services)
    served = upstreams.served_status("PO-10007")
    (eta,) = {d[:10] for d in texts(served, "ETADate")}
    (delivery,) = {d[:10] for d in texts(served, "EstimatedDeliveryDate")}
    (item,) = upstreams.items("PO-10007")
    # the arrival date is the expected delivery when TD SYNNEX gives one, else the ETA
    assert item["estimatedArrivalDate"][:10] == delivery
    assert f"ETA: {eta}" in item["memo"]
    assert "Status: Backordered" in block_of(upstreams.po("PO-10007")["generalMemo"])
    assert "Quantity: 0 shipped of 5 ordered, 5 backordered" in item["memo"]


async def test_shipped_po_lists_every_served_tracking_number(
    upstreams: SimulatedUpstreams, database: Path
) -> None:
    upstreams.tdsynnex.advance(SERVER_ERROR_PO)  # its retries only slow this test
    async with sync_services(upstreams.settings(database)) as services:
        await cycle(services)
    tracking = set(texts(upstreams.served_status("PO-10011"), "TrackingNumber"))
    block = block_of(upstreams.po("PO-10011")["generalMemo"])
    assert len(tracking) == 3
    for number in tracking:
        assert number in block
    assert "FedEx Express Saver" in block
    assert upstreams.po("PO-10011")["vendorInvoiceNumber"] is None


async def test_steady_state_cycle_writes_nothing_and_stays_cheap(
    upstreams: SimulatedUpstreams, database: Path
) -> None:
    upstreams.tdsynnex.advance(SERVER_ERROR_PO)
    async with sync_services(upstreams.settings(database)) as services:
        first = await cycle(services)
        assert first.failed == 0
        upstreams.reset_counters()
        second = await cycle(services)
    finished = {"Closed", "Cancelled", "Rejected"}  # delivered-not-invoiced stays checked
    done = sum(o.status in finished for o in first.orders)
    assert done > 0
    assert second.updated == 0
    # The default active scope checks finished orders no more: they cost no TD SYNNEX call.
    assert second.unchanged == second.monitored == 24 - done
    assert upstreams.patches() == 0
    items = sum(
        len(upstreams.autotask.items_of(po["id"])) for po in upstreams.autotask.purchase_orders()
    )
    budget = math.ceil(24 / 500) + math.ceil(items / 500) + 3
    assert upstreams.autotask.state.counters()["total"] <= budget
    assert upstreams.tdsynnex_requests("POStatus") == second.monitored
    assert upstreams.tdsynnex_requests("InvoiceQuery") == 0


async def test_advanced_orders_are_updated_alone_with_history(
    upstreams: SimulatedUpstreams, database: Path
) -> None:
    upstreams.tdsynnex.advance(SERVER_ERROR_PO)
    async with sync_services(upstreams.settings(database)) as services:
        await cycle(services)
        moved = {"PO-10001": "Received", "PO-10010": "Partially shipped", "PO-10012": "Shipped"}
        upstreams.tdsynnex.advance("PO-10001")
        upstreams.tdsynnex.advance("PO-10010")
        upstreams.tdsynnex.advance("PO-10012", to="invoiced")
        upstreams.reset_counters()
        report = await cycle(services)
        history = {po: services.store.history("default", po) for po in moved}
    updated = {o.po_number for o in report.orders if o.outcome is OrderOutcome.UPDATED}
    assert updated == set(moved)
    patched_ids = {_patched_po_id(r) for r in upstreams.autotask.state.requests(limit=0)}
    patched_ids.discard(None)
    assert patched_ids == {upstreams.po(po)["id"] for po in moved}
    assert upstreams.tdsynnex_requests("InvoiceQuery") == 1
    assert (
        upstreams.po("PO-10012")["vendorInvoiceNumber"]
        == (texts(upstreams.served_invoices("PO-10012"), "InvoiceNumber")[0])
    )
    for po, before in moved.items():
        latest = history[po][-1]
        changes = [e for e in history[po] if e.from_status == before]
        assert changes, f"{po}: no history row from {before}: {history[po]}"
        change = changes[-1]
        assert change.to_status != before
        assert change.summary
        assert change.source
        assert change.at >= history[po][0].at
        assert latest.to_status in block_of(upstreams.po(po)["generalMemo"])


def _patched_po_id(record: object) -> int | None:
    method, path, body = (getattr(record, k) for k in ("method", "path", "body"))
    if method != "PATCH":
        return None
    parts = path.strip("/").split("/")
    if parts[-1].lower() == "items":
        return int(parts[-2])
    return int(json.loads(body)["id"])


async def test_user_text_outside_the_block_survives_byte_for_byte(
    upstreams: SimulatedUpstreams, database: Path
) -> None:
    upstreams.tdsynnex.advance(SERVER_ERROR_PO)  # its retries only slow this test
    async with sync_services(upstreams.settings(database)) as services:
        await cycle(services)
        memo = upstreams.po("PO-10026")["generalMemo"]
        assert memo.startswith(USER_MEMO + "\n\n" + BLOCK_START)
        above, below = "Top line by a person\r\n" + memo[: len(USER_MEMO)], "\n  trailing note  "
        edited = above + memo[len(USER_MEMO) :] + below
        await services.purchase_orders.update_purchase_order(
            upstreams.po("PO-10026")["id"], {"general_memo": edited}
        )
        upstreams.tdsynnex.advance("PO-10026")
        await cycle(services)
    after = upstreams.po("PO-10026")["generalMemo"]
    block = block_of(after)
    assert "Status: Processing" in block
    assert after == above + "\n\n" + block + below


async def test_a_delivered_order_is_still_checked_and_its_later_invoice_lands(
    upstreams: SimulatedUpstreams, database: Path
) -> None:
    upstreams.tdsynnex.advance(SERVER_ERROR_PO)
    async with sync_services(upstreams.settings(database)) as services:
        first = await cycle(services)
        assert {o.po_number: o.status for o in first.orders}["PO-10013"] == "Delivered"
        assert upstreams.po("PO-10013")["vendorInvoiceNumber"] is None
        upstreams.tdsynnex.advance("PO-10013")  # TD SYNNEX invoices after delivery
        second = await cycle(services)
    assert {o.po_number: o.status for o in second.orders}["PO-10013"] == "Closed"
    assert upstreams.po("PO-10013")["vendorInvoiceNumber"]
