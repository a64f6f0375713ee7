"""Property tests: the parsers return a value or raise BadPayload, whatever they are given."""

from __future__ import annotations

import contextlib
from xml.etree.ElementTree import Element, SubElement, tostring

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderbridge.adapters.tdsynnex import (
    BadPayload,
    TdSynnexError,
)
from orderbridge.adapters.tdsynnex._invoices import parse_invoices
from orderbridge.adapters.tdsynnex._parse import parse_order_status
from orderbridge.adapters.tdsynnex._xml import ChildTexts, child_text
from orderbridge.domain.models import DistributorOrder, Invoice

ORDER_NAMES = [
    "OrderStatusResponse", "CustomerNumber", "PONumber", "Code", "Reason", "PODatetime",
    "ResponseDateTime", "Items", "Item", "OrderNumber", "OrderType", "OrderQuantity",
    "ShipQuantity", "UnitPrice", "SKU", "MfgPN", "ProductName", "ShipDatetime",
    "ShipFromWarehouse", "ShipMethod", "ShipMethodDescription", "ETADate", "EstimatedShipDate",
    "EstimatedDeliveryDate", "EstimateDeliveryDate", "CustPOLineNo", "Packages", "Package",
    "TrackingNumber", "Weight", "ShipItemQuantity", "SerialNo", "CarrierDeliveredDate",
    "RefusedDeliveryDate",
]  # fmt: skip
INVOICE_NAMES = [
    "InvoiceResponse", "CustomerPONumber", "Invoice", "InvoiceNumber", "InvoiceDate",
    "ShipTo", "AddressName1", "AddressLine1", "City", "ZipCode", "Tracking", "TrackNumber",
    "Items", "Item", "ShipQuantity", "ManuafacturerPartNumber", "SerialNo", "Summary",
    "TotalInvoiceAmount", "SalesTax", "Freight", "OrderNumber",
]  # fmt: skip
ERROR_NAMES = ["errorMessage", "ErrorDetail", "BizError", "detail", "ErrorCode", "ErrorReason"]

values = st.one_of(
    st.sampled_from(
        [
            "", "0", "1", "-1", "2.5", "1,234.56", "$12", "NaN", "Infinity", "1e400", "9" * 30,
            "2024-05-01", "2024-05-01T10:02:11", "9999-12-31", "0001-01-01T00:00:00", "13/45/2024",
            "2024-02-30", "SN:ABC", "accepted", "NOT FOUND", "notFound", "SHIPPED", "ServerError",
            "IP Address Invalid", "not found", "a,b,,c",
        ]
    ),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20),
)  # fmt: skip


def trees(names: list[str]) -> st.SearchStrategy[Element]:
    """Random element trees built from the wire vocabulary, with random texts and attributes."""

    def leaf(name: str, text: str, line: str | None) -> Element:
        element = Element(name, {"lineNumber": line} if line is not None else {})
        element.text = text
        return element

    base = st.builds(leaf, st.sampled_from(names), values, st.none() | values)

    def extend(inner: st.SearchStrategy[Element]) -> st.SearchStrategy[Element]:
        def node(name: str, kids: list[Element]) -> Element:
            element = Element(name)
            element.extend(kids)
            return element

        return st.builds(node, st.sampled_from(names), st.lists(inner, max_size=5))

    return st.recursive(base, extend, max_leaves=30)


def document(tree: Element) -> bytes:
    root = Element("SynnexB2B")
    root.append(tree)
    return bytes(tostring(root, encoding="utf-8", xml_declaration=True))


quick = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@quick
@given(st.binary(max_size=2_000))
def test_arbitrary_bytes_give_an_order_or_bad_payload(body: bytes) -> None:
    with contextlib.suppress(BadPayload):
        assert isinstance(parse_order_status(body, po_number="PO-1"), DistributorOrder)


@quick
@given(st.binary(max_size=2_000))
def test_arbitrary_bytes_give_invoices_or_bad_payload(body: bytes) -> None:
    with contextlib.suppress(BadPayload):
        assert all(isinstance(i, Invoice) for i in parse_invoices(body, po_number="PO-1"))


@quick
@given(trees(ORDER_NAMES), st.none() | st.just("PO-1"))
def test_order_trees_give_an_order_or_bad_payload(tree: Element, po: str | None) -> None:
    try:
        order = parse_order_status(document(tree), po_number=po)
    except BadPayload:
        return
    assert isinstance(order, DistributorOrder)
    assert all(line.quantity_ordered >= 0 and line.quantity_shipped >= 0 for line in order.lines)
    for moment in (order.received_at, order.responded_at):
        assert moment is None or moment.utcoffset() is not None


@quick
@given(trees(INVOICE_NAMES))
def test_invoice_trees_give_invoices_or_bad_payload(tree: Element) -> None:
    try:
        invoices = parse_invoices(document(tree), po_number="PO-1")
    except BadPayload:
        return
    assert all(isinstance(i, Invoice) and i.number for i in invoices)


@quick
@given(trees(ORDER_NAMES + INVOICE_NAMES + ERROR_NAMES))
def test_trees_with_error_elements_give_only_adapter_errors(tree: Element) -> None:
    body = document(tree)
    subjects: list[str | None] = []
    for parse in (parse_order_status, parse_invoices):
        try:
            parse(body, po_number="PO-1")
        except TdSynnexError as exc:
            subjects.append(exc.po_number)
    assert all(subject == "PO-1" for subject in subjects)


def test_tree_strategy_builds_nested_documents() -> None:
    root = Element("OrderStatusResponse")
    SubElement(root, "PONumber").text = "PO-1"
    SubElement(root, "Code").text = "accepted"
    assert parse_order_status(document(root), po_number="PO-1").po_number == "PO-1"


child_names = st.sampled_from(["SKU", "sku", "SynnexSKU", "{urn:x}SKU", "MfgPN", "Code"])


@given(st.lists(st.tuples(child_names, st.sampled_from(["", "  ", "A", " b ", "C"])), max_size=8))
def test_child_texts_answers_as_child_text_does(kids: list[tuple[str, str]]) -> None:
    item = Element("Item")
    for name, text in kids:
        SubElement(item, name).text = text
    texts = ChildTexts(item)
    for names in (("SKU",), ("SKU", "SynnexSKU"), ("SynnexSKU", "sku"), ("MfgPN", "Code"), ("X",)):
        assert texts.get(*names) == child_text(item, *names), names
