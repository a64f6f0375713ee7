"""Request builders and response readers the TD SYNNEX simulator tests share."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from xml.etree.ElementTree import Element

import httpx2
from defusedxml.ElementTree import fromstring

from orderbridge.simulators.scenario import ScenarioLine, ScenarioOrder, TdState

USER = "api@reseller.example"
PASSWORD = "simulator-password"
CUSTOMER = "123456"

LAPTOP = ScenarioLine(
    sku="7215633",
    mfg_pn="LAT5440-I5",
    description="Dell Latitude 5440",
    quantity=4,
    unit_price=Decimal("1089.00"),
    serialized=True,
)
DOCK = ScenarioLine(
    sku="6803149",
    mfg_pn="WD22TB4",
    description="Dell WD22TB4 Dock",
    quantity=2,
    unit_price=Decimal("289.00"),
)


def order(po: str, state: TdState | str, **fields: Any) -> ScenarioOrder:
    """A two-line scenario order (serialized laptops, docks) unless ``lines`` is given."""
    fields.setdefault("lines", [LAPTOP, DOCK])
    return ScenarioOrder(po_number=po, state=TdState(state), **fields)


def credential(user: str, password: str) -> str:
    """The ``Credential`` block."""
    return f"<Credential><UserID>{user}</UserID><Password>{password}</Password></Credential>"


def status_request(
    po: str,
    *,
    user: str = USER,
    password: str = PASSWORD,
    customer: str = CUSTOMER,
    version: str | None = "2.7",
) -> bytes:
    """An ``OrderStatusRequest`` document."""
    attr = f' version="{version}"' if version else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><SynnexB2B{attr}>{credential(user, password)}'
        f"<OrderStatusRequest><CustomerNumber>{customer}</CustomerNumber>"
        f"<PONumber>{po}</PONumber></OrderStatusRequest></SynnexB2B>"
    ).encode()


def invoice_request(
    *, po: str | None = None, order_number: str | None = None, customer: str = CUSTOMER
) -> bytes:
    """An ``InvoiceRequest`` document by PO number or TD SYNNEX order number."""
    key = f"<PONumber>{po}</PONumber>" if po else f"<OrderNumber>{order_number}</OrderNumber>"
    return (
        f'<SynnexB2B version="2.2">{credential(USER, PASSWORD)}<InvoiceRequest>'
        f"<CustomerNumber>{customer}</CustomerNumber>{key}</InvoiceRequest></SynnexB2B>"
    ).encode()


def post_xml(
    client: httpx2.Client, path: str, body: bytes, content_type: str = "application/xml"
) -> httpx2.Response:
    """POST an XML body and insist on the 200 XML answer SynnexXML always gives."""
    response = client.post(path, content=body, headers={"Content-Type": content_type})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return response


def parse(response: httpx2.Response) -> Element:
    """The response document's root element."""
    root: Element = fromstring(response.content)
    assert root.tag == "SynnexB2B"
    return root


def po_status(client: httpx2.Client, po: str, **kwargs: Any) -> Element:
    """POST a POStatus request; the ``SynnexB2B`` root of the answer."""
    return parse(post_xml(client, "/SynnexXML/POStatus", status_request(po, **kwargs)))


def status_body(client: httpx2.Client, po: str, **kwargs: Any) -> Element:
    """The ``OrderStatusResponse`` element of a POStatus answer."""
    found = po_status(client, po, **kwargs).find("OrderStatusResponse")
    assert found is not None, "no OrderStatusResponse"
    return found


def invoices(client: httpx2.Client, **kwargs: Any) -> Element:
    """The ``InvoiceResponse`` element of an invoice query."""
    root = parse(post_xml(client, "/webservice/invoice/query", invoice_request(**kwargs)))
    found = root.find("InvoiceResponse")
    assert found is not None, "no InvoiceResponse"
    return found


def text(element: Element, path: str) -> str | None:
    """Text of a sub-element, or None when it is missing."""
    node = element.find(path)
    return None if node is None else (node.text or "")


def items(response: Element) -> list[Element]:
    """Every ``Items/Item``."""
    return response.findall("Items/Item")
