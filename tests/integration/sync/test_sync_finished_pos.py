"""Items of a received or cancelled PO are never written (Autotask refuses them with a 500).

Against both simulators over loopback; the Autotask simulator enforces the rule as Autotask does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from orderbridge.bootstrap import sync_services
from orderbridge.domain.history import OrderOutcome, RunOutcome
from orderbridge.settings import Settings
from orderbridge.simulators._common.faults import FaultRule
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams

pytestmark = pytest.mark.anyio

SERVER_ERROR_PO = "PO-10021"
RECEIVED = "PO-10013"  # delivered at TD SYNNEX; received in full in Autotask


async def test_scope_all_plans_no_item_writes_on_finished_pos(
    upstreams: SimulatedUpstreams, database: Path
) -> None:
    upstreams.tdsynnex.advance(SERVER_ERROR_PO)
    upstreams.autotask.set_purchase_order_status(upstreams.po(RECEIVED)["id"], "Received Full")
    items_before = upstreams.items(RECEIVED)
    values = upstreams.settings_dict(database)
    values["sync"]["scope"] = "all"
    settings = Settings.model_validate(values)
    async with sync_services(settings) as services:
        for _ in range(2):
            report, results = await services.sync.run_once()
            assert report.outcome is RunOutcome.OK, report.error
            assert report.failed == 0
    received = next(r for r in results if r.report.po_number == RECEIVED)
    assert received.report.outcome is OrderOutcome.UNCHANGED
    assert upstreams.items(RECEIVED) == items_before  # no ETA or memo on a locked item
    assert "TD SYNNEX" in (upstreams.po(RECEIVED)["generalMemo"] or "")  # the PO itself is kept


class ReceivedMeanwhile:
    """The real gateway; right after the PO-level write, a person receives the PO in Autotask."""

    def __init__(self, gateway: Any, upstreams: SimulatedUpstreams, po_number: str) -> None:
        self._gateway = gateway
        self._upstreams = upstreams
        self._po_id = upstreams.po(po_number)["id"]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._gateway, name)

    async def update_purchase_order(self, po_id: int, changes: Mapping[str, Any]) -> None:
        await self._gateway.update_purchase_order(po_id, changes)
        if po_id == self._po_id:
            self._upstreams.autotask.set_purchase_order_status(po_id, "Received Full")


async def test_a_po_received_between_read_and_write_is_not_a_failure(
    upstreams: SimulatedUpstreams, database: Path
) -> None:
    upstreams.tdsynnex.advance(SERVER_ERROR_PO)
    async with sync_services(upstreams.settings(database)) as services:
        services.sync.purchase_orders = ReceivedMeanwhile(
            services.sync.purchase_orders, upstreams, "PO-10026"
        )
        report, results = await services.sync.run_once()
    assert report.failed == 0, [r.report.error for r in results if r.report.error]
    result = next(r for r in results if r.report.po_number == "PO-10026")
    assert result.report.outcome is OrderOutcome.UPDATED
    assert any("items are no longer written" in w for w in result.report.warnings)
    # The item write was tried once, refused with a 500 by the simulator, and not repeated.
    assert upstreams.autotask_requests("PurchaseOrderItems", "PATCH") >= 1


async def test_an_item_write_that_meets_no_decision_fails_the_order_without_a_reread(
    upstreams: SimulatedUpstreams, database: Path
) -> None:
    # Autotask answers every item write with a 503: nothing was refused, so the PO is not read
    # again to look for a status change (that read would only add load); the order fails and
    # its item is written by the next cycle.
    upstreams.tdsynnex.advance(SERVER_ERROR_PO)
    upstreams.autotask.state.faults.add(
        FaultRule.from_json(
            {"kind": "http_503", "endpoint": "PurchaseOrderItems", "method": "PATCH"}
        )
    )
    values = upstreams.settings_dict(database)
    values["retry"] = {"attempts": 2, "initial_backoff_s": 0.01, "max_backoff_s": 0.01}
    async with sync_services(Settings.model_validate(values)) as services:
        report, results = await services.sync.run_once()
        rereads = sum(
            1
            for r in upstreams.autotask.state.requests(limit=0)
            if r.method == "GET" and re.search(r"/PurchaseOrders/\d+$", r.path)
        )
        failed = [r.report for r in results if r.report.outcome is OrderOutcome.FAILED]
        assert failed, "every order with an item change should have failed"
        assert all("503" in (r.error or "") for r in failed), [r.error for r in failed]
        assert rereads == 0
        upstreams.autotask.state.faults.clear()
        report, _ = await services.sync.run_once()
    assert report.failed == 0
