"""Purchase-order item and receiving rules, status roll-up, derived dates, tickets and notes."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from orderbridge.simulators.autotask import AutotaskSimulator
from tests.integration.simulators.autotask.autotask_requests import SeedPurchaseOrder


def errors(response: httpx2.Response) -> list[str]:
    assert response.status_code == 500, response.text
    found: list[str] = response.json()["errors"]
    return found


def new_item(product_id: int, quantity: int = 3) -> dict[str, Any]:
    return {"productID": product_id, "inventoryLocationID": 1, "quantity": quantity, "unitCost": 5}


def set_status(api: httpx2.Client, sim: AutotaskSimulator, po_id: int, label: str) -> None:
    response = api.patch("/PurchaseOrders", json={"id": po_id, "status": sim.config.status(label)})
    assert response.status_code == 200, response.text


def receive(api: httpx2.Client, item_id: int, quantity: int) -> httpx2.Response:
    return api.post(
        f"/PurchaseOrderItems/{item_id}/Receiving",
        json={"purchaseOrderItemID": item_id, "quantityNowReceiving": quantity},
    )


def status_label(api: httpx2.Client, sim: AutotaskSimulator, po_id: int) -> str:
    value = api.get(f"/PurchaseOrders/{po_id}").json()["item"]["status"]
    return next(label for label, v in sim.config.status_values.items() if v == value)


def test_items_are_created_only_while_new(
    api: httpx2.Client, sim: AutotaskSimulator, seed_po: SeedPurchaseOrder
) -> None:
    created = seed_po("PO-NEW", status="New")
    product = created["items"][0]["productID"]
    path = f"/PurchaseOrders/{created['id']}/Items"
    response = api.post(path, json=new_item(product))
    assert response.status_code == 200
    item = api.get(f"/PurchaseOrderItems/{response.json()['itemId']}").json()["item"]
    assert item["orderID"] == created["id"]
    set_status(api, sim, created["id"], "Submitted")
    assert "status is New" in errors(api.post(path, json=new_item(product)))[0]


def test_items_cannot_be_created_at_the_root_path(
    api: httpx2.Client, seed_po: SeedPurchaseOrder
) -> None:
    created = seed_po("PO-ROOT", status="New")
    body = {**new_item(created["items"][0]["productID"]), "orderID": created["id"]}
    assert api.post("/PurchaseOrderItems", json=body).status_code == 405


def test_item_parent_mismatch_is_rejected(api: httpx2.Client, seed_po: SeedPurchaseOrder) -> None:
    first = seed_po("PO-1", status="New")
    second = seed_po("PO-2", status="New")
    body = {**new_item(first["items"][0]["productID"]), "orderID": second["id"]}
    assert errors(api.post(f"/PurchaseOrders/{first['id']}/Items", json=body))


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        ("New", True),
        ("Submitted", True),
        ("Received Partial", True),
        ("Received Full", False),
        ("Canceled", False),
    ],
)
def test_item_update_rules(
    api: httpx2.Client,
    sim: AutotaskSimulator,
    seed_po: SeedPurchaseOrder,
    status: str,
    allowed: bool,
) -> None:
    created = seed_po(f"PO-{status}", status=status, lines=2, qty=4)
    item_id = created["items"][1]["id"]
    response = api.patch(
        f"/PurchaseOrders/{created['id']}/Items",
        json={"id": item_id, "estimatedArrivalDate": "2026-12-01T00:00:00Z"},
    )
    if allowed:
        assert response.status_code == 200, response.text
    else:
        assert "New, Submitted or Received Partial" in errors(response)[0]


def test_latest_estimated_arrival_is_derived_from_items(
    api: httpx2.Client, seed_po: SeedPurchaseOrder
) -> None:
    created = seed_po("PO-ETA", lines=2)
    path = f"/PurchaseOrders/{created['id']}/Items"
    first, second = (item["id"] for item in created["items"])
    api.patch(path, json={"id": first, "estimatedArrivalDate": "2026-12-03T00:00:00Z"})
    api.patch(path, json={"id": second, "estimatedArrivalDate": "2026-12-09T12:00:00"})
    po = api.get(f"/PurchaseOrders/{created['id']}").json()["item"]
    assert po["latestEstimatedArrivalDate"] == "2026-12-09T12:00:00.000Z"
    api.patch(path, json={"id": second, "estimatedArrivalDate": None})
    po = api.get(f"/PurchaseOrders/{created['id']}").json()["item"]
    assert po["latestEstimatedArrivalDate"] == "2026-12-03T00:00:00.000Z"


def test_receiving_rolls_status_up(
    api: httpx2.Client, sim: AutotaskSimulator, seed_po: SeedPurchaseOrder
) -> None:
    created = seed_po("PO-RECV", lines=2, qty=3)
    first, second = (item["id"] for item in created["items"])
    response = receive(api, first, 2)
    assert response.status_code == 200, response.text
    receipt = api.get(f"/PurchaseOrderItemReceiving/{response.json()['itemId']}").json()["item"]
    assert receipt["quantityPreviouslyReceived"] == 0
    assert receipt["quantityBackOrdered"] == 1
    assert status_label(api, sim, created["id"]) == "Received Partial"
    assert receive(api, first, 1).status_code == 200
    assert status_label(api, sim, created["id"]) == "Received Partial"
    assert receive(api, second, 3).status_code == 200
    assert status_label(api, sim, created["id"]) == "Received Full"


def test_receiving_may_not_exceed_what_remains(
    api: httpx2.Client, seed_po: SeedPurchaseOrder
) -> None:
    created = seed_po("PO-OVER", qty=3)
    item_id = created["items"][0]["id"]
    assert receive(api, item_id, 2).status_code == 200
    assert "remaining to be received (1)" in errors(receive(api, item_id, 2))[0]


def test_receiving_quantity_must_be_positive(
    api: httpx2.Client, seed_po: SeedPurchaseOrder
) -> None:
    created = seed_po("PO-ZERO")
    assert errors(receive(api, created["items"][0]["id"], 0))


@pytest.mark.parametrize("status", ["New", "Received Full", "Canceled"])
def test_receiving_needs_submitted_or_partial(
    api: httpx2.Client, seed_po: SeedPurchaseOrder, status: str
) -> None:
    created = seed_po(f"PO-R-{status}", status=status, qty=4)
    assert "Submitted or Received Partial" in errors(receive(api, created["items"][0]["id"], 1))[0]


def test_receiving_is_create_only_via_the_child_path(
    api: httpx2.Client, seed_po: SeedPurchaseOrder
) -> None:
    created = seed_po("PO-CHILDONLY")
    item_id = created["items"][0]["id"]
    body = {"purchaseOrderItemID": item_id, "quantityNowReceiving": 1}
    assert api.post("/PurchaseOrderItemReceiving", json=body).status_code == 405
    receipt_id = receive(api, item_id, 1).json()["itemId"]
    update = api.patch(f"/PurchaseOrderItems/{item_id}/Receiving", json={"id": receipt_id})
    assert update.status_code == 405
    query = {"filter": [{"op": "eq", "field": "purchaseOrderItemID", "value": item_id}]}
    found = api.post("/PurchaseOrderItemReceiving/query", json=query).json()["items"]
    assert [r["id"] for r in found] == [receipt_id]


def test_tickets_and_notes(api: httpx2.Client, vendor_id: int) -> None:
    ticket = {"title": "Order 4711", "companyID": vendor_id, "status": 1, "priority": 2}
    ticket_id = api.post("/Tickets", json=ticket).json()["itemId"]
    stored = api.get(f"/Tickets/{ticket_id}").json()["item"]
    assert stored["ticketNumber"].startswith("T")
    note = {"title": "Shipped", "description": "Tracking 1Z999", "noteType": 1, "publish": 1}
    response = api.post(f"/Tickets/{ticket_id}/Notes", json=note)
    assert response.status_code == 200, response.text
    notes = api.get(f"/Tickets/{ticket_id}/Notes").json()["items"]
    assert [n["description"] for n in notes] == ["Tracking 1Z999"]
    assert notes[0]["ticketID"] == ticket_id
    assert errors(api.post(f"/Tickets/{ticket_id}/Notes", json={"title": "x"}))
    assert errors(api.post("/Tickets/999999/Notes", json=note))
