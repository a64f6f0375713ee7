"""A tenant that stores something other than what was sent never causes a rewrite loop.

The Autotask simulator's write quirks are switched on (all UNCONFIRMED for real tenants): a field
silently ignored, text stored with CRLF and trimmed lines, date-only values kept in the tenant's
own zone, and a memo cut to a length; TD SYNNEX's invoice host refuses this server's IP. Over
five cycles the end state is right, cycles 3-5 write nothing, and each field that does not stick
is named once in the activity log.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from orderbridge.adapters.store import SqlStore
from orderbridge.application.doctor import Outcome
from orderbridge.application.doctor._store import quirk_check
from orderbridge.bootstrap import sync_services
from orderbridge.domain.history import RunReport, RunTrigger
from orderbridge.simulators.autotask import AutotaskSimConfig
from orderbridge.simulators.autotask.quirks import WriteQuirks
from orderbridge.simulators.tdsynnex import TdSynnexSimConfig
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams, simulated_upstreams

pytestmark = pytest.mark.anyio

QUIRKS = WriteQuirks(
    ignored_fields=frozenset(
        {"PurchaseOrders.additionalVendorInvoiceNumbers", "PurchaseOrderItems.estimatedArrivalDate"}
    ),
    crlf_text=True,
    date_zone="America/New_York",
    text_limits={"PurchaseOrders.generalMemo": 700},
)


@contextmanager
def quirky_upstreams(*, refuse_invoices: bool) -> Iterator[SimulatedUpstreams]:
    """Both simulators: the Autotask tenant has every write quirk; the invoice host may refuse."""
    config = AutotaskSimConfig(hourly_threshold=1_000_000, write_quirks=QUIRKS)
    tdsynnex = TdSynnexSimConfig(invoice_allowed_ips=["203.0.113.7"] if refuse_invoices else None)
    with simulated_upstreams(autotask_config=config, tdsynnex_config=tdsynnex) as upstreams:
        upstreams.tdsynnex.advance("PO-10021")  # its retries only slow the test
        yield upstreams


@pytest.fixture(params=[True, False], ids=["invoices refused", "invoices read"])
def quirky(request: pytest.FixtureRequest) -> Iterator[SimulatedUpstreams]:
    """Every quirk, with and without the invoice host refusing this server."""
    with quirky_upstreams(refuse_invoices=request.param) as upstreams:
        yield upstreams


@pytest.fixture
def quirky_with_invoices() -> Iterator[SimulatedUpstreams]:
    """Every write quirk; invoices are read (so invoice numbers are written)."""
    with quirky_upstreams(refuse_invoices=False) as upstreams:
        yield upstreams


async def test_five_cycles_with_every_quirk_converge_and_stop_writing(
    quirky: SimulatedUpstreams, database: Path
) -> None:
    settings = quirky.settings(database)
    patches: list[int] = []
    reports: list[RunReport] = []
    async with sync_services(settings) as services:
        for _ in range(5):
            before = quirky.patches()
            report, _ = await services.sync.run_once()
            assert report.failed == 0
            reports.append(report)
            patches.append(quirky.patches() - before)
    assert patches[0] > 0
    assert patches[2:] == [0, 0, 0], patches
    invoices_refused = quirky.tdsynnex.config.invoice_allowed_ips is not None
    refusals = [any("refused the invoice query" in w for w in r.warnings) for r in reports]
    assert refusals == [invoices_refused] * 5
    with SqlStore(settings.store.url) as store:
        runs = store.runs("default", limit=10, triggers=[str(RunTrigger.SCHEDULED)])
        warnings = [w for run in runs for w in run.warnings]
        recorded = store.field_quirks("default")
        quirks = {q.field for q in recorded}
    doctor = quirk_check(recorded)  # the doctor names each field and the way out
    assert doctor.outcome is Outcome.WARN
    assert all(field in doctor.detail for field in quirks)
    assert "orderbridge resync" in (doctor.fix or "")
    expected = {"PurchaseOrderItem.estimated_arrival", "PurchaseOrder.general_memo"}
    if not invoices_refused:  # invoice numbers are only written when invoices are read
        expected.add("PurchaseOrder.additional_vendor_invoice_numbers")
    assert quirks == expected
    for field in quirks:
        assert sum(w.startswith(f"{field} does not stick") for w in warnings) == 1, warnings
    # Dates kept as New York days still read as the days meant; text with CRLF is not rewritten.
    shipped = quirky.po("PO-10011")
    assert shipped["shippingDate"] is not None
    assert "\r\n" in (shipped["generalMemo"] or "")


async def test_a_resync_writes_the_fields_again_and_the_next_cycle_rechecks(
    quirky_with_invoices: SimulatedUpstreams, database: Path
) -> None:
    quirky = quirky_with_invoices
    settings = quirky.settings(database)
    ignored = "PurchaseOrder.additional_vendor_invoice_numbers"
    async with sync_services(settings) as services:
        for _ in range(3):
            await services.sync.run_once()
        assert ignored in {q.field for q in services.store.field_quirks("default")}
        before = quirky.patches()
        await services.guarded.resync("PO-10015")  # invoiced: it has additional numbers
        assert quirky.patches() > before  # the resync wrote the fields again
        assert ignored not in {q.field for q in services.store.field_quirks("default")}
        report, _ = await services.sync.run_once()
        assert ignored in {q.field for q in services.store.field_quirks("default")}
    assert any(w.startswith(f"{ignored} does not stick") for w in report.warnings)
