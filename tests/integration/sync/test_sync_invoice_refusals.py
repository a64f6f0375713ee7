"""Invoice lookups are optional: a refusing invoice service never stops the run.

The TD SYNNEX simulator's invoice host keeps its own IP allow-list (reference §3); both
simulators answer over loopback.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from orderbridge.bootstrap import sync_services
from orderbridge.domain.history import OrderOutcome, RunOutcome
from orderbridge.domain.lifecycle import INVOICES_NOT_READ
from orderbridge.settings import Settings
from orderbridge.simulators._common.faults import FaultRule
from orderbridge.simulators.tdsynnex import TdSynnexSimConfig
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams, simulated_upstreams

pytestmark = pytest.mark.anyio


@pytest.fixture
def refusing() -> Iterator[SimulatedUpstreams]:
    """The invoice host refuses this server's IP; the status host accepts it."""
    config = TdSynnexSimConfig(invoice_allowed_ips=["203.0.113.7"])
    with simulated_upstreams(tdsynnex_config=config) as upstreams:
        upstreams.tdsynnex.advance("PO-10021")  # its retries only slow the test
        yield upstreams


async def test_a_refused_invoice_query_is_one_run_warning_and_the_rest_is_synced(
    refusing: SimulatedUpstreams, database: Path
) -> None:
    async with sync_services(refusing.settings(database)) as services:
        report, results = await services.sync.run_once()
    assert report.outcome is RunOutcome.OK, report.error
    assert report.failed == 0
    [warning] = [w for w in report.warnings if "invoice query" in w]
    assert "[tdsynnex] invoices = false" in warning
    # Once refused, the run asks no more (only lookups already in flight were sent).
    assert refusing.tdsynnex_requests("InvoiceQuery") <= services.sync.concurrency
    invoiced = {r.report.po_number: r for r in results}["PO-10015"]
    assert invoiced.report.status in ("Invoiced", "Closed", "Shipped")
    assert any("invoices not read" in w for w in invoiced.report.warnings)
    assert "TD SYNNEX" in (refusing.po("PO-10015")["generalMemo"] or "")  # status written
    assert refusing.po("PO-10015")["vendorInvoiceNumber"] is None


async def test_invoice_lookups_can_be_switched_off(
    upstreams: SimulatedUpstreams, database: Path
) -> None:
    upstreams.tdsynnex.advance("PO-10021")
    values = upstreams.settings_dict(database)
    values["tdsynnex"]["invoices"] = False
    async with sync_services(Settings.model_validate(values)) as services:
        report, _ = await services.sync.run_once()
    assert report.failed == 0
    assert report.warnings == []
    assert upstreams.tdsynnex_requests("InvoiceQuery") == 0
    assert upstreams.po("PO-10015")["vendorInvoiceNumber"] is None


async def test_invoices_owed_by_a_refused_lookup_are_read_once_the_service_answers(
    refusing: SimulatedUpstreams, database: Path
) -> None:
    async with sync_services(refusing.settings(database)) as services:
        await services.sync.run_once()
        # The allow-list entry was added: the invoice host answers as the status host does.
        config = dataclasses.replace(refusing.tdsynnex.config, invoice_allowed_ips=None)
        refusing.tdsynnex.config = refusing.tdsynnex.service.config = config
        refusing.reset_counters()
        report, results = await services.sync.run_once()
    assert report.warnings == []
    invoiced = {r.report.po_number: r for r in results}["PO-10015"]
    assert not any("invoices not read" in w for w in invoiced.report.warnings)
    assert refusing.po("PO-10015")["vendorInvoiceNumber"]
    assert refusing.tdsynnex_requests("InvoiceQuery") >= 1


async def test_an_order_failed_after_its_invoice_lookup_keeps_the_invoice_warning(
    refusing: SimulatedUpstreams, database: Path
) -> None:
    # The invoice lookup gives up (a warning), then the PO's write meets a 503 after every
    # retry: the order fails with the 503 and its activity-log line still says the invoices
    # were not read, so neither gap is hidden behind the other.
    refusing.autotask.state.faults.add(
        FaultRule.from_json({"kind": "http_503", "endpoint": "PurchaseOrders", "method": "PATCH"})
    )
    values = refusing.settings_dict(database)
    values["retry"] = {"attempts": 2, "initial_backoff_s": 0.01, "max_backoff_s": 0.01}
    async with sync_services(Settings.model_validate(values)) as services:
        _, results = await services.sync.run_once()
    invoiced = {r.report.po_number: r.report for r in results}["PO-10015"]
    assert invoiced.outcome is OrderOutcome.FAILED
    assert "503" in (invoiced.error or ""), invoiced.error
    assert any(w.startswith(INVOICES_NOT_READ) for w in invoiced.warnings), invoiced.warnings
