"""Property tests: Autotask JSON maps to a domain model or raises BadPayload, whatever it holds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderbridge.adapters.autotask import BadPayload
from orderbridge.adapters.autotask._mapping import (
    ITEM_FIELDS,
    PRODUCT_FIELDS,
    Row,
    item_from_json,
    parse_datetime,
    po_fields,
    product_part_numbers,
    purchase_order_from_json,
)
from orderbridge.adapters.autotask._paging import page_rows
from orderbridge.domain.models import PurchaseOrder, PurchaseOrderItem

PO_NUMBER_FIELDS = ("purchaseOrderNumber", "externalPONumber", "id")
FIELD_NAMES = sorted(
    {*po_fields("purchaseOrderNumber"), *ITEM_FIELDS, *PRODUCT_FIELDS, "ID", "Quantity", "x"}
)

TRICKY_TEXT = [
    "", " ", "0", "7", "-3", "--5", "+4", "five", "²", "٣", "1e3", "2.0", "0x10", "9" * 40,
    "2026-11-26T10:00:00", "2026-11-26T10:00:00.1234567Z", "2026-11-26", "9999-12-31",
    "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "not a date", "null",
]  # fmt: skip
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(TRICKY_TEXT),
    st.text(max_size=12),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)
records = st.dictionaries(
    st.sampled_from(FIELD_NAMES) | st.text(max_size=6), json_values, max_size=12
)
anything = st.one_of(records, json_values)

VALID_PO = {
    "id": 7, "status": 2, "vendorID": 1, "generalMemo": "", "externalPONumber": None,
    "shippingDate": None, "vendorInvoiceNumber": None, "additionalVendorInvoiceNumbers": None,
    "submitDateTime": "2026-11-26T10:00:00Z", "purchaseOrderNumber": "PO-1",
}  # fmt: skip
VALID_ITEM = {
    "id": 3, "orderID": 7, "quantity": 2, "productID": 5, "estimatedArrivalDate": None,
    "memo": None,
}  # fmt: skip
VALID_PRODUCT = {"id": 5, "manufacturerProductName": "A", "vendorProductNumber": "B", "sku": "C"}


def near(valid: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A good record with a few fields dropped, re-cased or given hostile values."""
    keys = sorted(valid)

    def build(drop: set[str], upper: set[str], hostile: dict[str, Any]) -> dict[str, Any]:
        record = {k: v for k, v in valid.items() if k not in drop}
        record.update(hostile)
        return {(k[0].upper() + k[1:] if k in upper else k): v for k, v in record.items()}

    return st.builds(
        build,
        st.sets(st.sampled_from(keys), max_size=2),
        st.sets(st.sampled_from(keys), max_size=3),
        st.dictionaries(
            st.sampled_from(keys), st.sampled_from(TRICKY_TEXT) | json_values, max_size=3
        ),
    )


quick = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _label(value: int) -> str:
    return {2: "Submitted", 3: "Received Partial"}.get(value, str(value))


@quick
@given(near(VALID_PO) | anything, st.sampled_from(PO_NUMBER_FIELDS))
def test_a_purchase_order_record_maps_or_raises_bad_payload(data: Any, field: str) -> None:
    try:
        po = purchase_order_from_json(
            Row(data, entity="PurchaseOrders"), status_label=_label, po_number_field=field
        )
    except BadPayload:
        return
    assert isinstance(po, PurchaseOrder)
    assert isinstance(po.id, int)
    assert po.po_number
    for moment in (po.shipping_date, po.submitted_at):
        assert moment is None or moment.utcoffset() is not None


@quick
@given(
    near(VALID_ITEM) | anything,
    st.dictionaries(st.integers(), st.frozensets(st.text(max_size=4)), max_size=3),
)
def test_an_item_record_maps_or_raises_bad_payload(data: Any, parts: dict[int, Any]) -> None:
    try:
        item = item_from_json(Row(data, entity="PurchaseOrderItems"), parts)
    except BadPayload:
        return
    assert isinstance(item, PurchaseOrderItem)
    assert isinstance(item.quantity, int)
    assert isinstance(item.memo, str)
    assert item.estimated_arrival is None or item.estimated_arrival.utcoffset() is not None


@quick
@given(near(VALID_PRODUCT) | anything)
def test_a_product_record_maps_or_raises_bad_payload(data: Any) -> None:
    try:
        product_id, numbers = product_part_numbers(Row(data, entity="Products"))
    except BadPayload:
        return
    assert isinstance(product_id, int)
    assert all(isinstance(n, str) and n == n.strip() and n for n in numbers)


@quick
@given(json_values)
def test_a_time_value_parses_or_raises_bad_payload(value: Any) -> None:
    try:
        parsed = parse_datetime(value, where="PurchaseOrders 1: field 'shippingDate'")
    except BadPayload:
        return
    assert parsed is None or (isinstance(parsed, datetime) and parsed.utcoffset() is not None)


@quick
@given(anything)
def test_a_query_answer_gives_rows_or_raises_bad_payload(payload: Any) -> None:
    try:
        rows, next_url = page_rows("PurchaseOrders", payload)
    except BadPayload:
        return
    assert all(isinstance(row, dict) for row in rows)
    assert next_url is None or isinstance(next_url, str)


@pytest.mark.parametrize("text", ["--5", "²", "-²"])
def test_text_that_only_looks_like_digits_is_bad_payload(text: str) -> None:
    row = Row({"id": 1, "orderID": 2, "quantity": text}, entity="PurchaseOrderItems")
    with pytest.raises(BadPayload):
        item_from_json(row, {})


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_time_outside_the_calendar_in_utc_is_bad_payload(text: str) -> None:
    with pytest.raises(BadPayload):
        parse_datetime(text, where="PurchaseOrders 1: field 'shippingDate'")
