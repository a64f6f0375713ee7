"""JSON ↔ domain: UTC times, nulls, case-insensitive keys, missing fields, PATCH bodies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from orderbridge.adapters.autotask import BadPayload
from orderbridge.adapters.autotask._mapping import (
    ITEM_WRITE_FIELDS,
    PO_WRITE_FIELDS,
    Row,
    format_datetime,
    item_from_json,
    parse_datetime,
    patch_body,
    po_fields,
    product_part_numbers,
    purchase_order_from_json,
)
from orderbridge.domain.models import PurchaseOrderItem

LABELS = {1: "New", 2: "Submitted", 3: "Received Partial"}


def _po(row: dict[str, Any], items: tuple[PurchaseOrderItem, ...] = ()) -> Any:
    return purchase_order_from_json(
        Row(row, entity="PurchaseOrders"),
        status_label=lambda v: LABELS.get(v, str(v)),
        po_number_field="purchaseOrderNumber",
        items=items,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2016-03-30T13:10:35.563", datetime(2016, 3, 30, 13, 10, 35, 563000, tzinfo=UTC)),
        ("2018-11-13T17:32:34", datetime(2018, 11, 13, 17, 32, 34, tzinfo=UTC)),
        ("2012-10-24T05:00:00.000Z", datetime(2012, 10, 24, 5, 0, tzinfo=UTC)),
        ("2012-10-24T05:00:00+02:00", datetime(2012, 10, 24, 3, 0, tzinfo=UTC)),
        ("2016-03-30T13:10:35.5630000", datetime(2016, 3, 30, 13, 10, 35, 563000, tzinfo=UTC)),
    ],
)
def test_times_are_read_as_aware_utc(text: str, expected: datetime) -> None:
    parsed = parse_datetime(text)
    assert parsed == expected
    assert parsed is not None
    assert parsed.utcoffset() == timedelta(0)


def test_empty_and_null_times_are_none_and_garbage_is_bad_payload() -> None:
    assert parse_datetime(None) is None
    assert parse_datetime("") is None
    with pytest.raises(BadPayload, match="not an ISO"):
        parse_datetime("next tuesday")
    with pytest.raises(BadPayload, match="ISO date-time string"):
        parse_datetime(20250101)


def test_times_are_written_in_utc_with_z() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert format_datetime(datetime(2025, 3, 1, 12, 0, tzinfo=plus_two)) == "2025-03-01T10:00:00Z"
    assert format_datetime(datetime(2025, 3, 1, 0, 0, 0, 250000, tzinfo=UTC)) == (
        "2025-03-01T00:00:00.250Z"
    )
    with pytest.raises(ValueError, match="naive"):
        format_datetime(datetime(2025, 3, 1))


def test_purchase_order_maps_every_field() -> None:
    po = _po(
        {
            "id": 42,
            "purchaseOrderNumber": "PO-0042",
            "status": 2,
            "vendorID": 900,
            "generalMemo": "call first",
            "externalPONumber": "EXT-1",
            "shippingDate": "2025-02-01T00:00:00",
            "vendorInvoiceNumber": "INV1",
            "additionalVendorInvoiceNumbers": "INV2, INV3",
            "submitDateTime": "2025-01-15T08:30:00Z",
        }
    )
    assert po.id == 42
    assert po.po_number == "PO-0042"
    assert po.status == "Submitted"
    assert po.vendor_id == 900
    assert po.general_memo == "call first"
    assert po.external_po_number == "EXT-1"
    assert po.shipping_date == datetime(2025, 2, 1, tzinfo=UTC)
    assert po.vendor_invoice_number == "INV1"
    assert po.additional_vendor_invoice_numbers == "INV2, INV3"
    assert po.submitted_at == datetime(2025, 1, 15, 8, 30, tzinfo=UTC)


def test_nulls_become_empty_text_or_none_and_po_number_falls_back_to_id() -> None:
    po = _po(
        {
            "id": 7,
            "purchaseOrderNumber": None,
            "status": 9,
            "vendorID": 1,
            "generalMemo": None,
            "shippingDate": None,
        }
    )
    assert po.po_number == "7"
    assert po.general_memo == ""
    assert po.shipping_date is None
    assert po.status == "9"  # a value the tenant's picklist lacks is kept, not invented
    assert _po({"id": 8, "purchaseOrderNumber": "  ", "status": 1, "vendorID": 1}).po_number == "8"


def test_keys_match_case_insensitively() -> None:
    po = _po({"Id": 5, "PurchaseOrderNumber": "X", "Status": 1, "VendorID": 3})
    assert (po.id, po.po_number, po.status, po.vendor_id) == (5, "X", "New", 3)


@pytest.mark.parametrize(
    ("row", "complaint"),
    [
        ({"status": 1, "vendorID": 1}, "'id' is missing"),
        ({"id": 1, "vendorID": 1}, "'status' is missing"),
        ({"id": 1, "status": 1}, "'vendorID' is missing"),
        ({"id": 1, "status": None, "vendorID": 1}, "'status' is null"),
        ({"id": "one", "status": 1, "vendorID": 1}, "whole number"),
        ({"id": 1, "status": True, "vendorID": 1}, "should be a number"),
        ({"id": 1, "status": 1, "vendorID": 1, "generalMemo": ["x"]}, "should be text"),
    ],
)
def test_missing_or_mistyped_fields_are_bad_payload(row: dict[str, Any], complaint: str) -> None:
    with pytest.raises(BadPayload, match=complaint):
        _po(row)


def test_a_row_that_is_not_an_object_is_bad_payload() -> None:
    with pytest.raises(BadPayload, match="JSON object"):
        Row(["id", 1], entity="PurchaseOrders")


def test_items_are_ordered_by_id_and_carry_product_part_numbers() -> None:
    parts = {77: frozenset({"MFR-1", "SKU-1"})}
    raw = [
        {"id": 12, "orderID": 42, "quantity": 1, "productID": None, "memo": None},
        {
            "id": 10,
            "orderID": 42,
            "quantity": 3,
            "productID": 77,
            "estimatedArrivalDate": "2025-02-10T00:00:00",
            "memo": "line",
        },
    ]
    items = tuple(item_from_json(Row(r, entity="PurchaseOrderItems"), parts) for r in raw)
    po = _po({"id": 42, "status": 1, "vendorID": 1}, items)
    assert [i.id for i in po.items] == [10, 12]
    first, second = po.items
    assert first.part_numbers == frozenset({"MFR-1", "SKU-1"})
    assert first.estimated_arrival == datetime(2025, 2, 10, tzinfo=UTC)
    assert first.memo == "line"
    assert second.part_numbers == frozenset()
    assert second.memo == ""
    with pytest.raises(BadPayload, match="'quantity' is missing"):
        item_from_json(Row({"id": 1, "orderID": 2}, entity="PurchaseOrderItems"), parts)


def test_product_part_numbers_skip_blanks() -> None:
    row = Row(
        {"id": 5, "manufacturerProductName": "MFR-9", "vendorProductNumber": " ", "sku": "S9"},
        entity="Products",
    )
    assert product_part_numbers(row) == (5, frozenset({"MFR-9", "S9"}))


def test_patch_body_renames_fields_and_sends_explicit_null() -> None:
    when = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)
    body = patch_body(
        42,
        {
            "general_memo": "memo",
            "shipping_date": when,
            "vendor_invoice_number": None,
            "additional_vendor_invoice_numbers": "A, B",
        },
        PO_WRITE_FIELDS,
    )
    assert body == {
        "id": 42,
        "generalMemo": "memo",
        "shippingDate": "2025-04-01T09:00:00Z",
        "vendorInvoiceNumber": None,
        "additionalVendorInvoiceNumbers": "A, B",
    }
    item = patch_body(3, {"estimated_arrival": when, "memo": "m"}, ITEM_WRITE_FIELDS)
    assert item == {"id": 3, "estimatedArrivalDate": "2025-04-01T09:00:00Z", "memo": "m"}


def test_patch_body_refuses_unknown_domain_fields() -> None:
    with pytest.raises(ValueError, match="cannot write tracking"):
        patch_body(1, {"tracking": "1Z"}, PO_WRITE_FIELDS)


@pytest.mark.parametrize("field", ["id", "ID", "externalPONumber", "purchaseOrderNumber"])
def test_po_fields_name_every_field_once(field: str) -> None:
    fields = [f.lower() for f in po_fields(field)]
    assert len(fields) == len(set(fields))
    assert field.lower() in fields
