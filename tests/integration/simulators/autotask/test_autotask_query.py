"""The query grammar: operators, groups, case rules, projections, counts and query errors."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from orderbridge.simulators.autotask import AutotaskSimulator
from tests.integration.simulators.autotask.autotask_requests import SeedPurchaseOrder, po_body


@pytest.fixture
def five_pos(api: httpx2.Client, vendor_id: int, sim: AutotaskSimulator) -> list[int]:
    """Five POs: externalPONumber EXT-0..EXT-4 (EXT-2 has none), freight 0..40."""
    ids = []
    for n in range(5):
        extra: dict[str, Any] = {"freight": n * 10, "purchaseOrderNumber": f"PO-{n:03d}-X"}
        if n != 2:
            extra["externalPONumber"] = f"EXT-{n}"
        body = po_body(vendor_id, sim.config.status("New" if n % 2 else "Submitted"), **extra)
        response = api.post("/PurchaseOrders", json=body)
        assert response.status_code == 200, response.text
        ids.append(response.json()["itemId"])
    return ids


def query(api: httpx2.Client, *filters: Any, **extra: Any) -> httpx2.Response:
    return api.post("/PurchaseOrders/query", json={"filter": list(filters), **extra})


def ids_of(response: httpx2.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    ("leaf", "expected"),
    [
        ({"op": "eq", "field": "freight", "value": 20}, [2]),
        ({"op": "noteq", "field": "freight", "value": 20}, [0, 1, 3, 4]),
        ({"op": "gt", "field": "freight", "value": 20}, [3, 4]),
        ({"op": "gte", "field": "freight", "value": 20}, [2, 3, 4]),
        ({"op": "lt", "field": "freight", "value": 20}, [0, 1]),
        ({"op": "lte", "field": "freight", "value": 20}, [0, 1, 2]),
        ({"op": "beginsWith", "field": "purchaseOrderNumber", "value": "po-00"}, [0, 1, 2, 3, 4]),
        ({"op": "endsWith", "field": "externalPONumber", "value": "-3"}, [3]),
        ({"op": "contains", "field": "purchaseOrderNumber", "value": "004"}, [4]),
        ({"op": "exist", "field": "externalPONumber"}, [0, 1, 3, 4]),
        ({"op": "notExist", "field": "externalPONumber"}, [2]),
        ({"op": "in", "field": "externalPONumber", "value": ["EXT-1", "ext-4"]}, [1, 4]),
        ({"op": "notIn", "field": "freight", "value": [0, 40]}, [1, 2, 3]),
    ],
)
def test_each_operator(
    api: httpx2.Client, five_pos: list[int], leaf: dict[str, Any], expected: list[int]
) -> None:
    assert ids_of(query(api, leaf)) == [five_pos[i] for i in expected]


def test_nested_and_or_groups(
    api: httpx2.Client, five_pos: list[int], sim: AutotaskSimulator
) -> None:
    filters = {
        "op": "or",
        "items": [
            {"op": "eq", "field": "freight", "value": 0},
            {
                "op": "and",
                "items": [
                    {"op": "eq", "field": "status", "value": sim.config.status("New")},
                    {"op": "gt", "field": "freight", "value": 10},
                ],
            },
        ],
    }
    assert ids_of(query(api, filters)) == [five_pos[0], five_pos[3]]


def test_top_level_filters_are_anded(api: httpx2.Client, five_pos: list[int]) -> None:
    response = query(
        api,
        {"op": "gte", "field": "freight", "value": 10},
        {"op": "exist", "field": "externalPONumber"},
    )
    assert ids_of(response) == [five_pos[1], five_pos[3], five_pos[4]]


def test_field_and_operator_names_are_case_insensitive(
    api: httpx2.Client, five_pos: list[int]
) -> None:
    response = api.post(
        "/PurchaseOrders/query",
        json={"Filter": [{"Op": "EQ", "Field": "FREIGHT", "Value": 30}], "maxrecords": 10},
    )
    assert ids_of(response) == [five_pos[3]]


def test_include_fields_projects_the_items(api: httpx2.Client, five_pos: list[int]) -> None:
    response = query(
        api, {"op": "eq", "field": "id", "value": five_pos[0]}, IncludeFields=["ID", "freight"]
    )
    assert response.json()["items"] == [{"id": five_pos[0], "freight": 0.0}]


def test_unknown_include_field_is_an_error(api: httpx2.Client, five_pos: list[int]) -> None:
    response = query(api, {"op": "exist", "field": "id"}, IncludeFields=["trackingNumber"])
    assert response.status_code == 500
    assert response.json() == {
        "errors": ["Unable to find trackingNumber in the PurchaseOrder Entity."]
    }


@pytest.mark.parametrize("max_records", [0, 501, -1, "ten"])
def test_max_records_out_of_range_is_rejected(
    api: httpx2.Client, five_pos: list[int], max_records: Any
) -> None:
    response = query(api, {"op": "exist", "field": "id"}, MaxRecords=max_records)
    assert response.status_code == 500
    assert "MaxRecords" in response.json()["errors"][0]


def test_max_records_bounds_are_inclusive(api: httpx2.Client, five_pos: list[int]) -> None:
    assert len(ids_of(query(api, {"op": "exist", "field": "id"}, MaxRecords=1))) == 1
    page = query(api, {"op": "exist", "field": "id"}, MaxRecords=500).json()
    assert page["pageDetails"]["requestCount"] == 500
    assert page["pageDetails"]["count"] == 5


def test_query_by_get_search(api: httpx2.Client, five_pos: list[int]) -> None:
    search = json.dumps({"filter": [{"op": "lt", "field": "freight", "value": 20}]})
    response = api.get("/PurchaseOrders/query", params={"search": search})
    assert ids_of(response) == five_pos[:2]


def test_count_by_post_and_get(api: httpx2.Client, five_pos: list[int]) -> None:
    body = {"filter": [{"op": "exist", "field": "externalPONumber"}]}
    assert api.post("/PurchaseOrders/query/count", json=body).json() == {"queryCount": 4}
    response = api.get("/PurchaseOrders/query/count", params={"search": json.dumps(body)})
    assert response.json() == {"queryCount": 4}


def test_get_by_id_and_missing_item(api: httpx2.Client, five_pos: list[int]) -> None:
    item = api.get(f"/PurchaseOrders/{five_pos[1]}").json()["item"]
    assert item["externalPONumber"] == "EXT-1"
    missing = api.get("/PurchaseOrders/999999")
    assert missing.status_code == 200
    assert missing.json() == {"item": None}


def test_more_than_500_or_conditions_is_rejected(api: httpx2.Client, five_pos: list[int]) -> None:
    leaves = [{"op": "eq", "field": "id", "value": n} for n in range(501)]
    response = query(api, {"op": "or", "items": leaves})
    assert response.status_code == 500
    assert response.json()["errors"] == [
        "Invalid query syntax. Queries are limited to 500 or fewer 'OR' conditions."
    ]
    allowed = query(api, {"op": "or", "items": leaves[:500]})
    assert allowed.status_code == 200


def test_label_where_an_integer_belongs(api: httpx2.Client, five_pos: list[int]) -> None:
    response = query(api, {"op": "eq", "field": "status", "value": "Submitted"})
    assert response.status_code == 500
    assert response.json()["errors"] == [
        "Conversion failed when converting varchar 'Submitted' to data type int."
    ]


def test_numeric_strings_convert_like_sql_does(api: httpx2.Client, five_pos: list[int]) -> None:
    assert ids_of(query(api, {"op": "eq", "field": "id", "value": str(five_pos[0])})) == [
        five_pos[0]
    ]


def test_unknown_filter_field(api: httpx2.Client, five_pos: list[int]) -> None:
    response = query(api, {"op": "eq", "field": "trackingNumber", "value": "1Z"})
    assert response.status_code == 500
    assert (
        "Unable to find trackingNumber in the PurchaseOrder Entity" in response.json()["errors"][0]
    )


def test_udf_filters_are_refused_on_purchase_orders(
    api: httpx2.Client, five_pos: list[int]
) -> None:
    response = query(api, {"op": "eq", "field": "Tracking", "udf": True, "value": "x"})
    assert response.status_code == 500
    assert "not supported for the PurchaseOrder Entity" in response.json()["errors"][0]


def test_only_one_udf_per_query(api: httpx2.Client) -> None:
    udf = {"op": "eq", "field": "Ranking", "udf": True, "value": "x"}
    response = api.post("/Companies/query", json={"filter": [udf, udf]})
    assert response.status_code == 500


@pytest.mark.parametrize("value", ["true", 1, None])
def test_booleans_must_be_real_booleans(
    api: httpx2.Client, five_pos: list[int], value: Any
) -> None:
    response = query(api, {"op": "eq", "field": "showTaxCategory", "value": value})
    assert response.status_code == 500
    assert "errors" in response.json()


def test_real_boolean_filters_work(
    api: httpx2.Client, vendor_id: int, sim: AutotaskSimulator
) -> None:
    body = po_body(vendor_id, sim.config.status("New"), showTaxCategory=True)
    po_id = api.post("/PurchaseOrders", json=body).json()["itemId"]
    assert ids_of(query(api, {"op": "eq", "field": "showTaxCategory", "value": True})) == [po_id]


def test_malformed_json_body(api: httpx2.Client) -> None:
    response = api.post(
        "/PurchaseOrders/query",
        content=b'{"filter": [',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 500
    assert response.json()["errors"][0].startswith("Unexpected character")


def test_empty_filter_is_rejected(api: httpx2.Client) -> None:
    response = api.post("/PurchaseOrders/query", json={"filter": []})
    assert response.status_code == 500


def test_date_filters_accept_values_with_and_without_zone(
    api: httpx2.Client, vendor_id: int, sim: AutotaskSimulator
) -> None:
    body = po_body(vendor_id, sim.config.status("New"), shippingDate="2026-11-26T10:00:00")
    po_id = api.post("/PurchaseOrders", json=body).json()["itemId"]
    assert api.get(f"/PurchaseOrders/{po_id}").json()["item"]["shippingDate"] == (
        "2026-11-26T10:00:00.000Z"
    )
    for value in ("2026-11-26T09:59:59Z", "2026-11-26T09:59:59", "2026-11-26T11:59:59+02:00"):
        leaf = {"op": "gt", "field": "shippingDate", "value": value}
        assert ids_of(query(api, leaf)) == [po_id], value
    bad = query(api, {"op": "gt", "field": "shippingDate", "value": "next tuesday"})
    assert bad.status_code == 500


def test_child_collection_get(api: httpx2.Client, seed_po: SeedPurchaseOrder) -> None:
    created = seed_po("PO-CHILD", lines=3)
    items = api.get(f"/PurchaseOrders/{created['id']}/Items").json()["items"]
    assert [item["productID"] for item in items] == sorted(item["productID"] for item in items)
    assert [item["id"] for item in items] == [item["id"] for item in created["items"]]
    assert all(item["orderID"] == created["id"] for item in items)
    one = api.get(f"/PurchaseOrders/{created['id']}/Items/{items[0]['id']}").json()
    assert one["item"]["id"] == items[0]["id"]
    assert api.get(f"/PurchaseOrders/{created['id'] + 1}/Items/{items[0]['id']}").json() == {
        "item": None
    }


def test_items_query_by_order_id(api: httpx2.Client, seed_po: SeedPurchaseOrder) -> None:
    first = seed_po("PO-A", lines=2)
    seed_po("PO-B", lines=1)
    response = api.post(
        "/PurchaseOrderItems/query",
        json={"filter": [{"op": "eq", "field": "orderID", "value": first["id"]}]},
    )
    assert ids_of(response) == [item["id"] for item in first["items"]]
