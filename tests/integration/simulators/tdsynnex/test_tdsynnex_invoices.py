"""The invoice query: by PO or order number, one or several invoices, and its errors."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import httpx2

from orderbridge.simulators.tdsynnex import TdSynnexSimulator
from tests.integration.simulators.tdsynnex.tdsynnex_wire import (
    LAPTOP,
    invoices,
    items,
    order,
    status_body,
    text,
)


def _money(value: str | None) -> Decimal:
    return Decimal((value or "0").replace(",", ""))


def test_single_invoice_by_po_has_the_full_field_set(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-1", "invoiced", packages=2))
    response = invoices(client, po="PO-1")
    assert text(response, "CustomerPONumber") == "PO-1"
    (invoice,) = response.findall("Invoice")
    assert (text(invoice, "InvoiceNumber") or "").isdigit()
    assert text(invoice, "InvoiceDate")
    assert text(invoice, "ShipTo/City")
    assert text(invoice, "ShipTo/ZipCode")
    assert text(invoice, "ShipMethodCode") == "FG"
    tracks = invoice.findall("Tracking/TrackNumber")
    assert len(tracks) == 1
    numbers = (tracks[0].text or "").split(",")
    shipped = status_body(client, "PO-1").findall(".//Package/TrackingNumber")
    assert all(t.text for t in shipped)
    assert sorted(numbers) == sorted(t.text or "" for t in shipped)
    lines = invoice.findall("Items/Item")
    assert [text(line, "ManuafacturerPartNumber") for line in lines] == ["LAT5440-I5", "WD22TB4"]
    laptop = lines[0]
    assert len(laptop.findall("SerialNo")) == int(text(laptop, "ShipQuantity") or 0)
    subtotal = sum(
        _money(text(line, "UnitPrice")) * int(text(line, "ShipQuantity") or 0) for line in lines
    )
    summary = invoice.find("Summary")
    assert summary is not None
    for name in ("SalesTax", "Freight", "MinOrderFee", "ProcessingFee", "BoxCharge"):
        assert text(summary, name) is not None, name
    expected = subtotal + _money(text(summary, "SalesTax")) + _money(text(summary, "Freight"))
    assert _money(text(summary, "TotalInvoiceAmount")) == expected


def test_several_invoices_split_the_shipment(sim: TdSynnexSimulator, client: httpx2.Client) -> None:
    sim.add_order(order("PO-2", "invoiced", packages=2, invoices=2))
    found = invoices(client, po="PO-2").findall("Invoice")
    assert len(found) == 2
    assert len({text(i, "InvoiceNumber") for i in found}) == 2
    billed: Counter[str] = Counter()
    for invoice in found:
        for line in invoice.findall("Items/Item"):
            billed[text(line, "SKU") or ""] += int(text(line, "ShipQuantity") or 0)
    assert billed == Counter({LAPTOP.sku: 4, "6803149": 2})


def test_query_by_order_number_returns_that_orders_invoices(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-3", "invoiced", split_line=1, invoices=3))
    numbers = [text(r, "OrderNumber") or "" for r in items(status_body(client, "PO-3"))]
    assert len(set(numbers)) == 2
    by_po = invoices(client, po="PO-3").findall("Invoice")
    for number in set(numbers):
        by_order = invoices(client, order_number=number).findall("Invoice")
        assert by_order
        assert len(by_order) <= len(by_po)
        assert text(invoices(client, order_number=number), "CustomerPONumber") == "PO-3"


def test_repeated_track_numbers_and_sn_prefixed_serials(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    variants = ["repeated_track_numbers", "sn_prefixed_serials"]
    sim.add_order(order("PO-4", "invoiced", packages=2, variants=variants))
    invoice = invoices(client, po="PO-4").findall("Invoice")[0]
    tracks = [t.text or "" for t in invoice.findall("Tracking/TrackNumber")]
    assert len(tracks) > 1
    assert not any("," in t for t in tracks)
    serials = [s.text or "" for s in invoice.findall("Items/Item/SerialNo")]
    assert serials
    assert all(s.startswith("SN:") for s in serials)


def test_not_invoiced_order_answers_error_code(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-5", "shipped"))
    response = invoices(client, po="PO-5")
    assert response.find("Invoice") is None
    assert text(response, "ErrorCode")
    assert "PO-5" in (text(response, "ErrorReason") or "")


def test_unknown_po_and_order_number_answer_error_code(client: httpx2.Client) -> None:
    for response in (invoices(client, po="PO-NOPE"), invoices(client, order_number="99999999")):
        assert response.find("Invoice") is None
        assert text(response, "ErrorCode")
        assert "not found" in (text(response, "ErrorReason") or "")


def test_invoiced_then_delivered_order_keeps_both_facts(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    path = ["accepted", "shipped", "invoiced", "delivered"]
    sim.add_order(order("PO-6", "delivered", path=path))
    body = status_body(client, "PO-6")
    assert text(body, "Code") == "invoiced"
    assert body.find(".//Package/CarrierDeliveredDate") is not None
    assert invoices(client, po="PO-6").find("Invoice") is not None
