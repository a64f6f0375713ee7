"""Create, PATCH and PUT semantics, validation errors, references and read-only fields."""

from __future__ import annotations

import httpx2
import pytest

from orderbridge.simulators.autotask import AutotaskSimulator
from tests.integration.simulators.autotask.autotask_requests import SeedPurchaseOrder, po_body


@pytest.fixture
def new_po(api: httpx2.Client, vendor_id: int, sim: AutotaskSimulator) -> int:
    response = api.post("/PurchaseOrders", json=po_body(vendor_id, sim.config.status("New")))
    assert response.status_code == 200, response.text
    return int(response.json()["itemId"])


def errors(response: httpx2.Response) -> list[str]:
    assert response.status_code == 500, response.text
    found: list[str] = response.json()["errors"]
    return found


def test_create_returns_item_id_and_stamps_read_only_fields(
    api: httpx2.Client, new_po: int
) -> None:
    item = api.get(f"/PurchaseOrders/{new_po}").json()["item"]
    assert item["id"] == new_po
    assert item["createDateTime"].endswith("Z")
    assert item["submitDateTime"] is None
    assert item["shipToName"] == "Dock"


def test_missing_required_fields(api: httpx2.Client) -> None:
    messages = errors(api.post("/PurchaseOrders", json={"generalMemo": "x"}))
    assert "Value does not exist for the required field vendorID." in messages
    assert "Value does not exist for the required field shipToAddress1." in messages
    assert len(messages) == 4


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("generalMemo", 4000),
        ("externalPONumber", 50),
        ("vendorInvoiceNumber", 50),
        ("additionalVendorInvoiceNumbers", 8000),
        ("shipToName", 100),
    ],
)
def test_string_lengths(api: httpx2.Client, new_po: int, field: str, limit: int) -> None:
    ok = api.patch("/PurchaseOrders", json={"id": new_po, field: "x" * limit})
    assert ok.status_code == 200
    too_long = api.patch("/PurchaseOrders", json={"id": new_po, field: "x" * (limit + 1)})
    assert errors(too_long) == [f"String value exceeds maximum length (field:{field})."]


def test_item_memo_length(api: httpx2.Client, seed_po: SeedPurchaseOrder) -> None:
    created = seed_po("PO-MEMO", status="Submitted")
    item_id = created["items"][0]["id"]
    path = f"/PurchaseOrders/{created['id']}/Items"
    assert api.patch(path, json={"id": item_id, "memo": "m" * 4000}).status_code == 200
    assert errors(api.patch(path, json={"id": item_id, "memo": "m" * 4001}))


def test_unknown_body_field(api: httpx2.Client, new_po: int) -> None:
    response = api.patch("/PurchaseOrders", json={"id": new_po, "trackingNumber": "1Z"})
    assert errors(response) == ["Unable to find trackingNumber in the PurchaseOrder Entity."]


def test_label_where_an_integer_belongs_in_a_body(api: httpx2.Client, new_po: int) -> None:
    response = api.patch("/PurchaseOrders", json={"id": new_po, "status": "Submitted"})
    assert errors(response) == [
        "Conversion failed when converting varchar 'Submitted' to data type int."
    ]


def test_boolean_fields_need_real_booleans(api: httpx2.Client, new_po: int) -> None:
    assert errors(api.patch("/PurchaseOrders", json={"id": new_po, "showTaxCategory": "yes"}))
    good = api.patch("/PurchaseOrders", json={"id": new_po, "showTaxCategory": False})
    assert good.status_code == 200


def test_invalid_references(
    api: httpx2.Client, sim: AutotaskSimulator, seed_po: SeedPurchaseOrder
) -> None:
    body = po_body(424242, sim.config.status("New"))
    assert errors(api.post("/PurchaseOrders", json=body)) == [
        "Value does not reference an existing entity for vendorID."
    ]
    created = seed_po("PO-REF", status="New")
    path = f"/PurchaseOrders/{created['id']}/Items"
    item = {"productID": 999999, "inventoryLocationID": 1, "quantity": 1, "unitCost": 1}
    assert errors(api.post(path, json=item)) == [
        "Value does not reference an existing entity for productID."
    ]


def test_patch_changes_only_supplied_fields(api: httpx2.Client, new_po: int) -> None:
    api.patch("/PurchaseOrders", json={"id": new_po, "generalMemo": "memo", "phone": "555"})
    response = api.patch("/PurchaseOrders", json={"id": new_po, "generalMemo": "changed"})
    assert response.json() == {"itemId": new_po}
    item = api.get(f"/PurchaseOrders/{new_po}").json()["item"]
    assert item["generalMemo"] == "changed"
    assert item["phone"] == "555"


def test_patch_with_explicit_null_clears_a_field(api: httpx2.Client, new_po: int) -> None:
    api.patch("/PurchaseOrders", json={"id": new_po, "generalMemo": "memo"})
    api.patch("/PurchaseOrders", json={"id": new_po, "generalMemo": None})
    assert api.get(f"/PurchaseOrders/{new_po}").json()["item"]["generalMemo"] is None


@pytest.mark.parametrize("method", ["PATCH", "PUT", "POST"])
def test_writes_to_entity_id_path_are_405(api: httpx2.Client, new_po: int, method: str) -> None:
    response = api.request(method, f"/PurchaseOrders/{new_po}", json={"generalMemo": "x"})
    assert response.status_code == 405
    assert response.json() == {
        "Message": f"The requested resource does not support http method '{method}'."
    }


def test_purchase_orders_cannot_be_deleted(
    api: httpx2.Client, new_po: int, seed_po: SeedPurchaseOrder
) -> None:
    assert api.delete(f"/PurchaseOrders/{new_po}").status_code == 405
    created = seed_po("PO-DEL")
    item_path = f"/PurchaseOrders/{created['id']}/Items/{created['items'][0]['id']}"
    assert api.delete(item_path).status_code == 405
    assert api.get(f"/PurchaseOrders/{new_po}").json()["item"] is not None


def test_put_nulls_omitted_writable_fields(
    api: httpx2.Client, new_po: int, vendor_id: int, sim: AutotaskSimulator
) -> None:
    api.patch("/PurchaseOrders", json={"id": new_po, "generalMemo": "memo", "phone": "555"})
    body = {"id": new_po, **po_body(vendor_id, sim.config.status("New")), "phone": "777"}
    assert api.put("/PurchaseOrders", json=body).json() == {"itemId": new_po}
    item = api.get(f"/PurchaseOrders/{new_po}").json()["item"]
    assert item["phone"] == "777"
    assert item["generalMemo"] is None
    assert item["createDateTime"] is not None


def test_put_without_required_fields_fails(api: httpx2.Client, new_po: int) -> None:
    response = api.put("/PurchaseOrders", json={"id": new_po, "generalMemo": "x"})
    assert "Value does not exist for the required field shipToName." in errors(response)


def test_update_of_unknown_id(api: httpx2.Client) -> None:
    assert errors(api.patch("/PurchaseOrders", json={"id": 987654, "phone": "1"}))
    assert errors(api.patch("/PurchaseOrders", json={"phone": "1"}))


def test_vendor_is_create_only(api: httpx2.Client, new_po: int, sim: AutotaskSimulator) -> None:
    other = api.post(
        "/Companies",
        json={"companyName": "Other", "companyType": 7, "phone": "1", "ownerResourceID": 1},
    ).json()["itemId"]
    assert errors(api.patch("/PurchaseOrders", json={"id": new_po, "vendorID": other}))


def test_submit_stamps_submit_date_time(
    api: httpx2.Client, new_po: int, sim: AutotaskSimulator
) -> None:
    sim.state.clock.set(sim.state.clock.now().replace(year=2026, month=11, day=26, hour=10))
    api.patch("/PurchaseOrders", json={"id": new_po, "status": sim.config.status("Submitted")})
    item = api.get(f"/PurchaseOrders/{new_po}").json()["item"]
    assert item["submitDateTime"].startswith("2026-11-26T10:")
    api.patch("/PurchaseOrders", json={"id": new_po, "status": sim.config.status("Canceled")})
    assert api.get(f"/PurchaseOrders/{new_po}").json()["item"]["cancelDateTime"] is not None


def test_read_only_fields_in_bodies_are_ignored(api: httpx2.Client, new_po: int) -> None:
    response = api.patch(
        "/PurchaseOrders", json={"id": new_po, "submitDateTime": "2020-01-01T00:00:00Z"}
    )
    assert response.status_code == 200
    assert api.get(f"/PurchaseOrders/{new_po}").json()["item"]["submitDateTime"] is None


def test_malformed_json_in_a_write(api: httpx2.Client) -> None:
    response = api.post(
        "/PurchaseOrders", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert errors(response)[0].startswith("Unexpected character")


def test_non_object_body(api: httpx2.Client) -> None:
    assert errors(api.post("/PurchaseOrders", json=[1, 2]))


def test_products_and_companies_round_trip(api: httpx2.Client, vendor_id: int) -> None:
    product = {
        "name": "Laptop",
        "manufacturerProductName": "LT-100",
        "vendorProductNumber": "123456",
        "sku": "123456",
        "defaultVendorID": vendor_id,
        "isActive": True,
    }
    product_id = api.post("/Products", json=product).json()["itemId"]
    stored = api.get(f"/Products/{product_id}").json()["item"]
    assert stored["manufacturerProductName"] == "LT-100"
    assert stored["defaultVendorID"] == vendor_id
    query = {"filter": [{"op": "eq", "field": "companyType", "value": 7}]}
    found = api.post("/Companies/query", json=query).json()["items"]
    assert [c["id"] for c in found] == [vendor_id]


def test_inventory_location_1_exists(api: httpx2.Client) -> None:
    location = api.get("/InventoryLocations/1").json()["item"]
    assert location["isDefault"] is True
