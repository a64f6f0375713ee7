"""Injected faults look like the load balancer in front of TD SYNNEX; counters per endpoint."""

from __future__ import annotations

from xml.etree.ElementTree import ParseError

import httpx2
import pytest
from defusedxml.ElementTree import fromstring

from orderbridge.simulators._common import SimulatorServer
from orderbridge.simulators.tdsynnex import TdSynnexSimulator
from tests.integration.simulators.tdsynnex.tdsynnex_wire import (
    invoice_request,
    order,
    status_request,
)

XML = {"Content-Type": "application/xml"}


def _status(client: httpx2.Client, po: str = "PO-1") -> httpx2.Response:
    return client.post("/SynnexXML/POStatus", content=status_request(po), headers=XML)


def _fault(client: httpx2.Client, **rule: object) -> None:
    assert client.post("/_sim/faults", json=rule).status_code in (200, 201)


def test_http_503_is_an_html_page_with_retry_after(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-1", "accepted"))
    _fault(client, kind="http_503", endpoint="POStatus", retry_after=7, count=1)
    invoice = client.post("/webservice/invoice/query", content=invoice_request(po="PO-1"))
    assert invoice.status_code == 200
    failed = _status(client)
    assert failed.status_code == 503
    assert failed.headers["retry-after"] == "7"
    assert failed.headers["content-type"].startswith("text/html")
    assert "503 Service Temporarily Unavailable" in failed.text
    assert _status(client).status_code == 200


@pytest.mark.parametrize(("kind", "status"), [("http_429", 429), ("http_500", 500)])
def test_other_http_faults_are_html_pages(client: httpx2.Client, kind: str, status: int) -> None:
    _fault(client, kind=kind, endpoint="POStatus", count=1)
    response = _status(client)
    assert response.status_code == status
    assert f"<h1>{status} " in response.text
    assert "retry-after" not in response.headers


def test_malformed_fault_sends_broken_xml_with_200(client: httpx2.Client) -> None:
    _fault(client, kind="malformed", endpoint="POStatus", count=1)
    response = _status(client)
    assert response.status_code == 200
    assert response.content.startswith(b"<?xml")
    with pytest.raises(ParseError):
        fromstring(response.content)


def test_drop_fault_breaks_the_connection(client: httpx2.Client) -> None:
    _fault(client, kind="drop", endpoint="POStatus", count=1)
    with pytest.raises(httpx2.TransportError):
        _status(client)
    assert _status(client).status_code == 200


def test_timeout_fault_outlasts_a_short_client_timeout(server: SimulatorServer) -> None:
    with httpx2.Client(base_url=server.url, timeout=0.3) as client:
        _fault(client, kind="timeout", endpoint="POStatus", timeout_s=1.0, count=1)
        with pytest.raises(httpx2.TimeoutException):
            _status(client)


def test_probability_faults_repeat_with_the_same_seed(client: httpx2.Client) -> None:
    def run() -> list[int]:
        client.delete("/_sim/faults")
        _fault(client, seed=1234)
        _fault(client, kind="http_500", endpoint="POStatus", probability=0.5)
        return [_status(client).status_code for _ in range(24)]

    first, second = run(), run()
    assert first == second
    assert 0 < first.count(500) < 24


def test_count_limited_fault_fires_exactly_that_often(client: httpx2.Client) -> None:
    _fault(client, kind="http_500", endpoint="POStatus", count=2)
    codes = [_status(client).status_code for _ in range(4)]
    assert codes == [500, 500, 200, 200]
    assert client.get("/_sim/faults").json()["faults"] == []


def test_counters_per_endpoint_and_method(client: httpx2.Client) -> None:
    _fault(client, kind="http_503", endpoint="InvoiceQuery", count=1)
    for _ in range(3):
        _status(client)
    for _ in range(2):
        client.post("/webservice/invoice/query", content=invoice_request(po="PO-1"), headers=XML)
    client.post("/SynnexXML/PO", content=b"<SynnexB2B/>", headers=XML)
    client.get("/SynnexXML/POStatus")
    counters = client.get("/_sim/counters").json()
    assert counters["requests"]["POStatus"] == {"GET": 1, "POST": 3}
    assert counters["requests"]["InvoiceQuery"] == {"POST": 2}
    assert counters["requests"]["PO"] == {"POST": 1}
    assert counters["faults"] == {"InvoiceQuery": {"http_503": 1}}
    logged = client.get("/_sim/requests", params={"endpoint": "POStatus"}).json()["requests"]
    assert len(logged) == 4
    assert "<PONumber>PO-1</PONumber>" in logged[0]["body"]
    assert logged[-1]["method"] == "GET"
