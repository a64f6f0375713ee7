"""Request handling: credentials, accounts, IP allow-list, bad and hostile XML, content types."""

from __future__ import annotations

import httpx2
import pytest

from orderbridge.simulators._common import SimulatorServer
from orderbridge.simulators.tdsynnex import TdSynnexAccount, TdSynnexSimConfig, TdSynnexSimulator
from tests.integration.simulators.tdsynnex.pinned_simulator import make_simulator
from tests.integration.simulators.tdsynnex.tdsynnex_wire import (
    CUSTOMER,
    PASSWORD,
    credential,
    order,
    parse,
    post_xml,
    status_body,
    status_request,
    text,
)

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<SynnexB2B><Credential><UserID>&lol2;</UserID><Password>x</Password></Credential></SynnexB2B>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<SynnexB2B><Credential><UserID>&xxe;</UserID><Password>x</Password></Credential></SynnexB2B>"""


def _error(response: httpx2.Response) -> tuple[str | None, str | None]:
    root = parse(response)
    return text(root, "errorMessage"), text(root, "errorDetail")


def test_bad_password_is_an_error_body_with_http_200(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-1", "shipped"))
    body = status_request("PO-1", password="wrong")
    message, detail = _error(post_xml(client, "/SynnexXML/POStatus", body))
    assert message == "Login Failed"
    assert detail


def test_bad_customer_number_is_an_error_body(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    body = status_request("PO-1", customer="999999")
    message, detail = _error(post_xml(client, "/SynnexXML/POStatus", body))
    assert message == "Invalid Customer Number"
    assert "999999" in (detail or "")


def test_extra_accounts_see_only_their_own_orders() -> None:
    other = TdSynnexAccount("ops@second.example", "second-secret", "777777")
    sim = make_simulator(TdSynnexSimConfig(extra_accounts=(other,)))
    sim.add_order(order("PO-2", "accepted"), customer_number="777777")
    with SimulatorServer(sim.app) as running, httpx2.Client(base_url=running.url) as http:
        mine = status_body(
            http, "PO-2", user=other.user_id, password=other.password, customer="777777"
        )
        assert text(mine, "Code") == "accepted"
        assert text(status_body(http, "PO-2"), "Code") == "notFound"


def test_ip_allow_list_refuses_other_clients() -> None:
    sim = make_simulator(TdSynnexSimConfig(allowed_ips=["203.0.113.7"]))
    with SimulatorServer(sim.app) as running, httpx2.Client(base_url=running.url) as http:
        message, _ = _error(post_xml(http, "/SynnexXML/POStatus", status_request("PO-1")))
    assert message == "IP Address Invalid"


def test_ip_allow_list_lets_listed_clients_in() -> None:
    sim = make_simulator(TdSynnexSimConfig(allowed_ips=["127.0.0.1"]))
    with SimulatorServer(sim.app) as running, httpx2.Client(base_url=running.url) as http:
        assert text(status_body(http, "PO-1"), "Code") == "notFound"


@pytest.mark.parametrize(
    "body",
    [
        b"<SynnexB2B><Credential><UserID>x</UserID>",
        b"not xml at all",
        b"",
        b"<Other/>",
        f"<SynnexB2B>{credential('api@reseller.example', PASSWORD)}</SynnexB2B>".encode(),
        (
            f"<SynnexB2B>{credential('api@reseller.example', PASSWORD)}<OrderStatusRequest>"
            f"<CustomerNumber>{CUSTOMER}</CustomerNumber></OrderStatusRequest></SynnexB2B>"
        ).encode(),
        b"<SynnexB2B><OrderStatusRequest><PONumber>PO-1</PONumber></OrderStatusRequest></SynnexB2B>",
    ],
    ids=["truncated", "text", "empty", "wrong-root", "no-request", "no-po", "no-credential"],
)
def test_malformed_or_incomplete_request_gets_incomplete_xml(
    client: httpx2.Client, body: bytes
) -> None:
    response = post_xml(client, "/SynnexXML/POStatus", body)
    message, detail = _error(response)
    assert message == "IncompleteXML01"
    assert detail
    assert "Traceback" not in response.text


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "xxe"])
def test_hostile_xml_is_refused_not_expanded(client: httpx2.Client, body: bytes) -> None:
    response = post_xml(client, "/SynnexXML/POStatus", body)
    message, detail = _error(response)
    assert message == "IncompleteXML01"
    assert "DOCTYPE" in (detail or "")
    assert "lollol" not in response.text
    assert "root:" not in response.text


@pytest.mark.parametrize("content_type", ["application/xml", "text/xml; charset=utf-8"])
def test_both_xml_content_types_are_accepted(
    sim: TdSynnexSimulator, client: httpx2.Client, content_type: str
) -> None:
    sim.add_order(order("PO-3", "accepted"))
    response = post_xml(client, "/SynnexXML/POStatus", status_request("PO-3"), content_type)
    assert text(parse(response), "OrderStatusResponse/Code") == "accepted"


def test_non_xml_content_type_is_refused(client: httpx2.Client) -> None:
    response = post_xml(client, "/SynnexXML/POStatus", status_request("PO-3"), "application/json")
    message, detail = _error(response)
    assert message == "IncompleteXML01"
    assert "Content-Type" in (detail or "")


def test_oversized_body_is_refused_by_the_front_end() -> None:
    sim = make_simulator(TdSynnexSimConfig(max_body_bytes=512))
    padded = status_request("PO-1").replace(b"<Credential>", b" " * 2000 + b"<Credential>")
    with SimulatorServer(sim.app) as running, httpx2.Client(base_url=running.url) as http:
        response = http.post(
            "/SynnexXML/POStatus", content=padded, headers={"Content-Type": "text/xml"}
        )
    assert response.status_code == 413
    assert "<html>" in response.text


def test_po_submission_is_authenticated_then_refused_as_not_simulated(
    client: httpx2.Client,
) -> None:
    body = (
        f"<SynnexB2B>{credential('api@reseller.example', PASSWORD)}<OrderRequest>"
        f"<CustomerNumber>{CUSTOMER}</CustomerNumber><PONumber>PO-9</PONumber>"
        "</OrderRequest></SynnexB2B>"
    ).encode()
    message, _ = _error(post_xml(client, "/SynnexXML/PO", body))
    assert message == "NotSimulated"
    bad = body.replace(PASSWORD.encode(), b"nope")
    assert _error(post_xml(client, "/SynnexXML/PO", bad))[0] == "Login Failed"


def test_user_id_is_matched_without_regard_to_case(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-4", "accepted"))
    assert text(status_body(client, "PO-4", user="API@Reseller.Example"), "Code") == "accepted"
