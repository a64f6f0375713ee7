"""Which purchase orders a cycle monitors, and under which PO number it asks TD SYNNEX."""

from __future__ import annotations

from pathlib import Path

import pytest

from orderbridge.bootstrap import sync_services
from orderbridge.domain.history import OrderOutcome
from orderbridge.simulators.scenario import ScenarioOrder
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def no_server_error(upstreams: SimulatedUpstreams) -> None:
    """Move the demo's ServerError order on: its retries only slow these tests down."""
    upstreams.tdsynnex.advance("PO-10021")


def order(po_number: str, *, lines: int = 1, **autotask: object) -> ScenarioOrder:
    """A scenario order with ``lines`` lines, shipped at TD SYNNEX."""
    return ScenarioOrder.model_validate(
        {
            "po_number": po_number,
            "state": "shipped",
            "autotask": autotask,
            "lines": [
                {
                    "sku": f"70000{n}",
                    "mfg_pn": f"PART-{n}",
                    "description": f"Part number {n}",
                    "quantity": 2,
                    "unit_price": "10.00",
                }
                for n in range(1, lines + 1)
            ],
        }
    )


async def test_only_td_synnex_pos_in_monitored_statuses_are_checked(
    upstreams: SimulatedUpstreams, database: Path
) -> None:
    for status in ("New", "Received Partial", "Received Full"):
        number = f"PO-STATUS-{status.replace(' ', '-')}"
        upstreams.autotask.create_purchase_order(order(number, status=status))
        upstreams.tdsynnex.add_order(order(number))
    async with sync_services(upstreams.settings(database)) as services:
        report, _ = await services.sync.run_once(only=None)
    checked = {o.po_number for o in report.orders}
    assert "PO-STATUS-Received-Partial" in checked
    assert "PO-STATUS-New" not in checked
    assert "PO-STATUS-Received-Full" not in checked
    assert "PO-10023" not in checked  # another vendor's PO
    assert not upstreams.po("PO-10023")["generalMemo"]
    assert not upstreams.po("PO-STATUS-New")["generalMemo"]


async def test_vendor_ids_configured_skip_the_name_lookup(
    upstreams: SimulatedUpstreams, database: Path
) -> None:
    vendor_id = upstreams.po("PO-10001")["vendorID"]
    settings = upstreams.settings(database, vendor_company_ids=[vendor_id], vendor_name="nobody")
    async with sync_services(settings) as services:
        report, _ = await services.sync.run_once()
    assert report.monitored == 24
    assert upstreams.autotask_requests("Companies", "POST") == 0


async def test_unknown_vendor_name_refuses_the_run_with_a_clear_error(
    upstreams: SimulatedUpstreams, database: Path
) -> None:
    settings = upstreams.settings(database, vendor_name="Acme Distribution")
    async with sync_services(settings) as services:
        report, _ = await services.sync.run_once()
    assert report.outcome == "refused"
    assert report.error is not None
    assert "'Acme Distribution'" in report.error
    assert "autotask.vendor_name" in report.error
    assert upstreams.patches() == 0


async def test_empty_po_number_falls_back_to_the_po_id(
    upstreams: SimulatedUpstreams, database: Path
) -> None:
    (blank,) = [p for p in upstreams.autotask.purchase_orders() if not p["purchaseOrderNumber"]]
    async with sync_services(upstreams.settings(database)) as services:
        report, _ = await services.sync.run_once()
    (reported,) = [o for o in report.orders if o.po_id == blank["id"]]
    assert reported.po_number == str(blank["id"])
    assert reported.status == "Not found"
    posted = [r.body for r in upstreams.tdsynnex.state.requests(endpoint="POStatus", limit=0)]
    assert any(f"<PONumber>{blank['id']}</PONumber>" in body for body in posted)


async def test_po_number_field_picks_the_number_sent_to_td_synnex(
    upstreams: SimulatedUpstreams, database: Path
) -> None:
    upstreams.autotask.create_purchase_order(
        order("PO-90001", purchase_order_number="INTERNAL-7", external_po_number="PO-90001")
    )
    upstreams.tdsynnex.add_order(order("PO-90001"))
    settings = upstreams.settings(database, po_number_field="externalPONumber")
    async with sync_services(settings) as services:
        report, _ = await services.sync.run_once(only={"PO-90001"})
    (reported,) = report.orders
    assert reported.outcome is OrderOutcome.UPDATED
    assert reported.status == "Shipped"
    assert "Status: Shipped" in upstreams.po("INTERNAL-7")["generalMemo"]


async def test_external_po_number_mismatch_is_a_warning_on_that_order(
    upstreams: SimulatedUpstreams, database: Path
) -> None:
    async with sync_services(upstreams.settings(database)) as services:
        await services.sync.run_once()
        latest = services.store.runs("default", limit=1)[0]
        run = services.store.run(latest.id)
    assert run is not None
    (mismatch,) = [o for o in run.orders if o.po_number == "PO-10017"]
    assert mismatch.outcome is OrderOutcome.UPDATED
    assert any("69999999" in w and "externalPONumber" in w for w in mismatch.warnings)
    others = [o for o in run.orders if o.po_number != "PO-10017"]
    assert not any("externalPONumber" in w for o in others for w in o.warnings)


async def test_unmatched_td_synnex_line_is_a_warning_not_a_failure(
    upstreams: SimulatedUpstreams, database: Path
) -> None:
    upstreams.autotask.create_purchase_order(order("PO-90002", lines=1))
    upstreams.tdsynnex.add_order(order("PO-90002", lines=2))
    async with sync_services(upstreams.settings(database)) as services:
        report, _ = await services.sync.run_once(only={"PO-90002"})
    (reported,) = report.orders
    assert reported.outcome is OrderOutcome.UPDATED
    assert reported.error is None
    assert any("PART-2" in w or "line 2" in w for w in reported.warnings), reported.warnings
    (item,) = upstreams.items("PO-90002")
    assert "PART-1" in item["memo"]
