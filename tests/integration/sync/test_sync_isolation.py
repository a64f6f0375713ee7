"""One order's failure stays on that order; its state is not committed, and the next cycle heals."""

from __future__ import annotations

from pathlib import Path

import pytest

from orderbridge.adapters.store import SqlStore
from orderbridge.bootstrap import sync_services
from orderbridge.domain.history import OrderOutcome, OrderReport
from orderbridge.simulators._common.faults import FaultRule
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams

pytestmark = pytest.mark.anyio


def logged_orders(store: SqlStore) -> list[OrderReport]:
    """The per-order activity log of the latest run."""
    latest = store.runs("default", limit=1)[0]
    run = store.run(latest.id)
    assert run is not None
    return run.orders


async def test_tdsynnex_error_on_one_po_is_recorded_and_retried(
    upstreams: SimulatedUpstreams, database: Path
) -> None:
    async with sync_services(upstreams.settings(database)) as services:
        report, _ = await services.sync.run_once()
        assert report.outcome == "partial"
        assert report.failed == 1
        assert report.updated == report.monitored - 1
        (failed,) = [o for o in logged_orders(services.store) if o.outcome is OrderOutcome.FAILED]
        assert failed.po_number == "PO-10021"
        assert failed.error is not None
        assert "TD SYNNEX" in failed.error
        assert "temporary problem" in failed.error
        assert services.store.load_state("default", "PO-10021") is None
        assert services.store.history("default", "PO-10021") == []
        upstreams.tdsynnex.advance("PO-10021")
        again, _ = await services.sync.run_once()
    assert again.outcome == "ok"
    assert [o.po_number for o in again.orders if o.outcome is OrderOutcome.UPDATED] == ["PO-10021"]
    assert "Status: Received" in upstreams.po("PO-10021")["generalMemo"]


@pytest.mark.parametrize("endpoint", ["PurchaseOrders", "PurchaseOrderItems"])
async def test_autotask_patch_failure_on_one_po_is_isolated_and_converges(
    upstreams: SimulatedUpstreams, database: Path, endpoint: str
) -> None:
    upstreams.tdsynnex.advance("PO-10021")
    upstreams.autotask.state.faults.add(
        FaultRule.from_json(
            {"kind": "http_500", "endpoint": endpoint, "method": "PATCH", "count": 1}
        )
    )
    async with sync_services(upstreams.settings(database)) as services:
        report, _ = await services.sync.run_once()
        (failed,) = [o for o in logged_orders(services.store) if o.outcome is OrderOutcome.FAILED]
        assert report.failed == 1
        assert report.updated == report.monitored - 1
        assert failed.error is not None
        assert "Autotask" in failed.error
        assert services.store.load_state("default", failed.po_number) is None
        assert services.store.history("default", failed.po_number) == []
        retry, _ = await services.sync.run_once()
        healed = {o.po_number: o.outcome for o in retry.orders}
        history = services.store.history("default", failed.po_number)
        upstreams.reset_counters()
        steady, _ = await services.sync.run_once()
    assert retry.outcome == "ok"
    assert healed[failed.po_number] is OrderOutcome.UPDATED
    assert {o for p, o in healed.items() if p != failed.po_number} == {OrderOutcome.UNCHANGED}
    assert history, "the retried order's history was recorded once it was written"
    assert len({e.key for e in history}) == len(history)
    assert steady.updated == 0
    assert upstreams.patches() == 0
