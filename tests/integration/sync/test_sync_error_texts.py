"""TD SYNNEX error wording is configuration: a changed text is learnt, an unknown one fails closed.

Over real sockets against the TD SYNNEX simulator, whose error texts are configurable
(``TdSynnexSimConfig``): a wording that ``[tdsynnex]`` lists is recognised for what it means; a
wording nobody configured fails only the order it came with, once, with the text quoted and the
settings named, and never stops or storms the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from orderbridge.adapters.tdsynnex import UnrecognisedError
from orderbridge.bootstrap import _tdsynnex_client, sync_services
from orderbridge.domain.history import OrderOutcome, RunOutcome
from orderbridge.settings import Settings
from orderbridge.simulators.tdsynnex import TdSynnexSimConfig
from tests.integration.sync.simulated_upstreams import SimulatedUpstreams, simulated_upstreams

pytestmark = pytest.mark.anyio

MAINTENANCE = "Wartung läuft"
SERVER_ERROR_PO = "PO-10021"  # the demo's order in the server_error state


def settings_with(upstreams: SimulatedUpstreams, database: Path, **tdsynnex: Any) -> Settings:
    """Settings for the simulators with some ``[tdsynnex]`` keys set."""
    values = upstreams.settings_dict(database)
    values["tdsynnex"] |= tdsynnex
    values["retry"] = {"attempts": 3, "initial_backoff_s": 0.01, "max_backoff_s": 0.02}
    return Settings.model_validate(values)


def status_requests_for(upstreams: SimulatedUpstreams, po_number: str) -> int:
    """POStatus requests the TD SYNNEX simulator received for one PO."""
    records = upstreams.tdsynnex.state.requests(endpoint="POStatus", limit=0)
    return sum(f"<PONumber>{po_number}</PONumber>" in r.body for r in records)


@pytest.fixture
def reworded() -> Iterator[SimulatedUpstreams]:
    """The simulator pair whose TD SYNNEX says something new for its server-error order."""
    config = TdSynnexSimConfig(server_error_message=MAINTENANCE)
    with simulated_upstreams(tdsynnex_config=config) as running:
        yield running


async def test_an_unknown_error_text_fails_only_its_order_once(
    reworded: SimulatedUpstreams, database: Path
) -> None:
    async with sync_services(settings_with(reworded, database)) as services:
        report, _ = await services.sync.run_once()
    assert report.outcome is RunOutcome.PARTIAL
    failed = {o.po_number: o for o in report.orders if o.outcome is OrderOutcome.FAILED}
    assert set(failed) == {SERVER_ERROR_PO}
    error = failed[SERVER_ERROR_PO].error or ""
    assert "TD SYNNEX answered an error orderbridge does not know" in error
    assert f"'{MAINTENANCE} - " in error
    assert "[tdsynnex] transient_error_texts" in error
    assert report.updated > 20  # every other order went ahead
    assert status_requests_for(reworded, SERVER_ERROR_PO) == 1  # not retried


async def test_a_reworded_transient_error_listed_in_settings_is_retried(
    reworded: SimulatedUpstreams, database: Path
) -> None:
    words = [*Settings().tdsynnex.transient_error_texts, "Wartung"]
    settings = settings_with(reworded, database, transient_error_texts=words)
    async with sync_services(settings) as services:
        report, _ = await services.sync.run_once()
    (failed,) = [o for o in report.orders if o.outcome is OrderOutcome.FAILED]
    assert failed.po_number == SERVER_ERROR_PO
    assert "temporary problem" in (failed.error or "")
    assert status_requests_for(reworded, SERVER_ERROR_PO) == 3  # retried as configured


@pytest.fixture
def refusing() -> Iterator[SimulatedUpstreams]:
    """The simulator pair whose TD SYNNEX words a refused login and a refused IP its own way."""
    config = TdSynnexSimConfig(
        auth_error_message="Anmeldung abgelehnt",
        auth_error_detail="Bitte erneut versuchen",
        ip_error_message="Adresse gesperrt",
        server_error_message="ServerError",
    )
    with simulated_upstreams(tdsynnex_config=config) as running:
        running.tdsynnex.advance(SERVER_ERROR_PO)
        yield running


async def test_a_reworded_login_failure_listed_in_settings_refuses_the_run_once(
    refusing: SimulatedUpstreams, database: Path
) -> None:
    settings = settings_with(
        refusing, database, password="not-the-password", auth_error_texts=["anmeldung"]
    )
    async with sync_services(settings) as services:
        report, _ = await services.sync.run_once()
    assert report.outcome is RunOutcome.REFUSED
    assert "TD SYNNEX rejected the credentials" in (report.error or "")
    assert "Anmeldung abgelehnt" in (report.error or "")
    assert "not-the-password" not in (report.error or "")


async def test_an_unknown_login_failure_fails_each_order_without_retrying(
    refusing: SimulatedUpstreams, database: Path
) -> None:
    settings = settings_with(
        refusing, database, password="not-the-password", auth_error_texts=["login failed"]
    )
    async with sync_services(settings) as services:
        report, _ = await services.sync.run_once()
    assert report.outcome is RunOutcome.PARTIAL  # checked to the end, never a stop
    assert report.failed == report.checked > 0
    assert all(
        "does not know: 'Anmeldung abgelehnt - Bitte erneut versuchen'" in (o.error or "")
        and "[tdsynnex] auth_error_texts" in (o.error or "")
        for o in report.orders
        if o.outcome is OrderOutcome.FAILED
    )
    posted = refusing.tdsynnex.state.requests(endpoint="POStatus", limit=0)
    assert len(posted) == report.checked  # one request per order: no retry storm


async def test_a_reworded_ip_refusal_listed_in_settings_is_an_ip_refusal(
    database: Path,
) -> None:
    config = TdSynnexSimConfig(ip_error_message="Adresse gesperrt", allowed_ips=["192.0.2.1"])
    with simulated_upstreams(tdsynnex_config=config) as upstreams:
        settings = settings_with(upstreams, database, ip_refusal_texts=["adresse gesperrt"])
        async with sync_services(settings) as services:
            report, _ = await services.sync.run_once()
    assert report.outcome is RunOutcome.REFUSED
    assert "allow-list" in (report.error or "")
    assert "Adresse gesperrt" in (report.error or "")


async def test_invoice_not_found_wording_comes_from_settings(database: Path) -> None:
    config = TdSynnexSimConfig(invoice_not_found_reason="Kein Beleg zu {what}.")
    with simulated_upstreams(tdsynnex_config=config) as upstreams:
        learnt = settings_with(upstreams, database, not_found_texts=["kein beleg"])
        async with _tdsynnex_client(learnt) as client:
            assert await client.get_invoices(po_number="PO-NOBODY-KNOWS") == []
        async with _tdsynnex_client(settings_with(upstreams, database)) as client:
            with pytest.raises(UnrecognisedError) as info:
                await client.get_invoices(po_number="PO-NOBODY-KNOWS")
    said = str(info.value)
    assert "PO PO-NOBODY-KNOWS" in said
    assert "Kein Beleg zu PO# PO-NOBODY-KNOWS." in said
    assert "[tdsynnex] not_found_texts" in said


@pytest.mark.parametrize(
    ("status", "invoice", "expected"),
    [("3.0", "2.9", ('version="3.0"', 'version="2.9"')), ("", "", ("<SynnexB2B>",) * 2)],
)
async def test_request_versions_come_from_settings(
    upstreams: SimulatedUpstreams,
    database: Path,
    status: str,
    invoice: str,
    expected: tuple[str, str],
) -> None:
    settings = settings_with(
        upstreams, database, status_request_version=status, invoice_request_version=invoice
    )
    async with _tdsynnex_client(settings) as client:
        await client.get_order_status("PO-10001")
        await client.get_invoices(po_number="PO-10001")
    (sent_status,) = upstreams.tdsynnex.state.requests(endpoint="POStatus", limit=0)
    (sent_invoice,) = upstreams.tdsynnex.state.requests(endpoint="InvoiceQuery", limit=0)
    assert expected[0] in sent_status.body
    assert expected[1] in sent_invoice.body
