"""Every TD SYNNEX error-element form the simulator can answer, and orderbridge reading each.

Clients disagree on the casing: top-level ``errorMessage``/``errorDetail``, PascalCase
``ErrorMessage``/``ErrorDetail`` (top level or inside the response element) and
``BizError``/``bizError`` with ``detail``. orderbridge must read every form, and a refused login on
the invoice query must never read as "no invoices".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element

import httpx2
import pytest
from defusedxml.ElementTree import fromstring
from typer.testing import CliRunner

from orderbridge.adapters import RetryPolicy
from orderbridge.adapters.tdsynnex import (
    AuthFailed,
    TdSynnexClient,
    TdSynnexEndpoints,
    TdSynnexError,
    TransientError,
)
from orderbridge.adapters.tdsynnex._invoices import parse_invoices
from orderbridge.ports import UpstreamAuthError
from orderbridge.simulators._common import SimulatorServer
from orderbridge.simulators.scenario import Scenario, TdErrorStyle, TdState
from orderbridge.simulators.tdsynnex import TdSynnexSimConfig, TdSynnexSimulator
from tests.integration.simulators.tdsynnex.tdsynnex_wire import (
    CUSTOMER,
    PASSWORD,
    USER,
    credential,
    order,
    status_request,
)

pytestmark = pytest.mark.anyio

FAST = RetryPolicy(attempts=2, initial_backoff_s=0.01, max_backoff_s=0.02, total_timeout_s=5.0)
STYLES = list(TdErrorStyle)

# Where each form puts the message and the detail, as paths below SynnexB2B ("{R}" is the
# response element of the request that was refused).
WHERE: dict[TdErrorStyle, tuple[str, str]] = {
    TdErrorStyle.LOWER: ("errorMessage", "errorDetail"),
    TdErrorStyle.PASCAL: ("ErrorMessage", "ErrorDetail"),
    TdErrorStyle.NESTED: ("{R}/ErrorMessage", "{R}/ErrorDetail"),
    TdErrorStyle.BIZ_ERROR: ("BizError/code", "BizError/detail"),
    TdErrorStyle.BIZ_ERROR_LOWER: ("bizError/code", "bizError/detail"),
}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sim() -> TdSynnexSimulator:
    simulator = TdSynnexSimulator(TdSynnexSimConfig())
    simulator.add_order(order("PO-SHIPPED", TdState.INVOICED))
    simulator.add_order(order("PO-FLAKY", TdState.SERVER_ERROR))
    return simulator


@pytest.fixture
def server(sim: TdSynnexSimulator) -> Iterator[SimulatorServer]:
    with SimulatorServer(sim.app) as running:
        yield running


def client_for(url: str, password: str = PASSWORD) -> TdSynnexClient:
    return TdSynnexClient(
        endpoints=TdSynnexEndpoints.at(url),
        customer_number=CUSTOMER,
        user_id=USER,
        password=password,
        retry=FAST,
        timeout_s=5.0,
    )


def invoice_request(po: str, password: str) -> bytes:
    return (
        f'<SynnexB2B version="2.2">{credential(USER, password)}<InvoiceRequest>'
        f"<CustomerNumber>{CUSTOMER}</CustomerNumber><PONumber>{po}</PONumber>"
        "</InvoiceRequest></SynnexB2B>"
    ).encode()


def post(url: str, path: str, body: bytes) -> Element:
    response = httpx2.post(
        url + path, content=body, headers={"Content-Type": "application/xml"}, timeout=5
    )
    assert response.status_code == 200
    root: Element = fromstring(response.content)
    return root


def texts(root: Element, style: TdErrorStyle, response_element: str) -> tuple[str, str]:
    found = []
    for path in WHERE[style]:
        node = root.find(path.replace("{R}", response_element))
        assert node is not None, f"{path} missing in the {style.value} form"
        found.append(node.text or "")
    return found[0], found[1]


@pytest.mark.parametrize("style", STYLES)
def test_the_simulator_answers_in_the_chosen_form(
    sim: TdSynnexSimulator, server: SimulatorServer, style: TdErrorStyle
) -> None:
    sim.error_style = style

    status = post(server.url, "/SynnexXML/POStatus", status_request("PO-1", password="wrong"))
    invoice = post(server.url, "/webservice/invoice/query", invoice_request("PO-1", "wrong"))
    flaky = post(server.url, "/SynnexXML/POStatus", status_request("PO-FLAKY"))

    assert texts(status, style, "OrderStatusResponse")[0] == "Login Failed"
    assert texts(invoice, style, "InvoiceResponse")[0] == "Login Failed"
    assert texts(flaky, style, "OrderStatusResponse")[0] == "ServerError"
    other_forms = {s for s in STYLES if WHERE[s][0] != WHERE[style][0]}
    for other in other_forms:
        first = WHERE[other][0].replace("{R}", "OrderStatusResponse")
        assert status.find(first) is None, f"{style.value} also sent {first}"


@pytest.mark.parametrize("style", STYLES)
async def test_a_refused_login_on_po_status_is_auth_failed(
    sim: TdSynnexSimulator, server: SimulatorServer, style: TdErrorStyle
) -> None:
    sim.error_style = style
    async with client_for(server.url, password="wrong") as client:
        with pytest.raises(AuthFailed, match="Login Failed"):
            await client.get_order_status("PO-SHIPPED")
    assert client.request_count["order_status"] == 1


@pytest.mark.parametrize("style", STYLES)
async def test_a_refused_login_on_the_invoice_query_is_never_no_invoices(
    sim: TdSynnexSimulator, server: SimulatorServer, style: TdErrorStyle
) -> None:
    sim.error_style = style
    async with client_for(server.url, password="wrong") as client:
        with pytest.raises(AuthFailed, match="Login Failed"):
            await client.get_invoices(po_number="PO-SHIPPED")
        with pytest.raises(AuthFailed):
            await client.get_invoices(order_number="60000001")
    async with client_for(server.url) as client:
        assert await client.get_invoices(po_number="PO-SHIPPED")


@pytest.mark.parametrize("style", STYLES)
async def test_a_server_error_is_transient_in_every_form(
    sim: TdSynnexSimulator, server: SimulatorServer, style: TdErrorStyle
) -> None:
    sim.error_style = style
    async with client_for(server.url) as client:
        with pytest.raises(TransientError, match="ServerError"):
            await client.get_order_status("PO-FLAKY")
    assert client.request_count["order_status"] == FAST.attempts


@pytest.mark.parametrize("style", STYLES)
async def test_an_unknown_customer_number_is_refused_in_every_form(
    server: SimulatorServer, sim: TdSynnexSimulator, style: TdErrorStyle
) -> None:
    sim.error_style = style
    client = TdSynnexClient(
        endpoints=TdSynnexEndpoints.at(server.url),
        customer_number="999999",
        user_id=USER,
        password=PASSWORD,
        retry=FAST,
    )
    async with client:
        with pytest.raises(TdSynnexError, match="Invalid Customer Number"):
            await client.get_order_status("PO-SHIPPED")
        with pytest.raises(TdSynnexError, match="Invalid Customer Number"):
            await client.get_invoices(po_number="PO-SHIPPED")


def test_a_scenario_picks_the_form_and_reset_keeps_it() -> None:
    sim = TdSynnexSimulator(TdSynnexSimConfig())
    sim.load_scenario(Scenario(error_style=TdErrorStyle.BIZ_ERROR))
    assert sim.error_style is TdErrorStyle.BIZ_ERROR

    sim.error_style = TdErrorStyle.PASCAL
    sim.reset()

    assert sim.error_style is TdErrorStyle.BIZ_ERROR


def test_the_config_sets_the_default_form() -> None:
    sim = TdSynnexSimulator(TdSynnexSimConfig(error_style=TdErrorStyle.NESTED))
    assert sim.error_style is TdErrorStyle.NESTED
    sim.load_scenario(Scenario())
    assert sim.error_style is TdErrorStyle.NESTED


def test_the_admin_api_switches_the_form(server: SimulatorServer) -> None:
    with httpx2.Client(base_url=server.url, timeout=5) as admin:
        assert admin.get("/_sim/error-style").json() == {"style": "errorMessage"}
        switched = admin.put("/_sim/error-style", json={"style": "bizError"})
        refused = admin.put("/_sim/error-style", json={"style": "Shouting"})

    assert switched.json() == {"style": "bizError"}
    assert refused.status_code == 400
    assert "BizError" in refused.json()["error"]
    root = post(server.url, "/SynnexXML/POStatus", status_request("PO-1", password="wrong"))
    assert root.find("bizError/detail") is not None


@pytest.mark.parametrize(
    "reason",
    ["User not found. Login Failed.", "UserID not found", "IP Address Invalid: not found"],
)
def test_an_invoice_error_code_that_refuses_the_login_is_never_no_invoices(reason: str) -> None:
    body = (
        "<SynnexB2B><InvoiceResponse><ErrorCode>1001</ErrorCode>"
        f"<ErrorReason>{reason}</ErrorReason></InvoiceResponse></SynnexB2B>"
    )
    with pytest.raises(UpstreamAuthError):
        parse_invoices(body, po_number="PO-1")


def test_an_invoice_error_code_for_an_unknown_po_is_still_no_invoices() -> None:
    body = (
        "<SynnexB2B><InvoiceResponse><ErrorCode>1001</ErrorCode>"
        "<ErrorReason>PO# PO-1 not found.</ErrorReason></InvoiceResponse></SynnexB2B>"
    )
    assert parse_invoices(body, po_number="PO-1") == []


def test_the_simulate_command_passes_the_error_style_on(monkeypatch: pytest.MonkeyPatch) -> None:
    import orderbridge.simulators.tdsynnex as tdsynnex_package
    from orderbridge.cli._simulate import app

    served: list[TdSynnexSimConfig] = []

    def serve(**kwargs: Any) -> None:
        served.append(kwargs["config"])

    monkeypatch.setattr(tdsynnex_package, "serve", serve)
    runner = CliRunner(env={"COLUMNS": "240", "NO_COLOR": "1", "TERM": "dumb"})

    chosen = runner.invoke(app, ["tdsynnex", "--port", "0", "--error-style", "BizError"])
    default = runner.invoke(app, ["tdsynnex", "--port", "0"])
    refused = runner.invoke(app, ["tdsynnex", "--port", "0", "--error-style", "Shout"])

    assert chosen.exit_code == 0, chosen.output
    assert default.exit_code == 0, default.output
    assert [c.error_style for c in served] == [TdErrorStyle.BIZ_ERROR, TdErrorStyle.LOWER]
    assert refused.exit_code != 0
    assert "bizError" in refused.output
