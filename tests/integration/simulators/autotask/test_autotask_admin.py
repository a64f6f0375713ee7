"""Scenario loading, the admin API of the Autotask simulator, reset, and seeding at scale."""

from __future__ import annotations

import time
import tracemalloc
from typing import Any

import httpx2
import pytest
import yaml

from orderbridge.simulators.autotask import AutotaskSimConfig, AutotaskSimulator, build_server
from orderbridge.simulators.scenario import Scenario, builtin_scenario, scenario_to_json
from tests.integration.simulators.autotask.autotask_requests import line

SCENARIO: dict[str, Any] = {
    "name": "two orders",
    "vendor_name": "TD SYNNEX Corporation",
    "other_vendors": ["Ingram Micro"],
    "orders": [
        {
            "po_number": "PO-100",
            "autotask": {
                "status": "Submitted",
                "external_po_number": "TDS-9",
                "general_memo": "Please deliver to the back door.",
                "submitted_days_ago": 2,
            },
            "lines": [line(1, 2, "10.50"), line(2, 5, "1.00"), line(1, 1, "10.50")],
        },
        {"po_number": "PO-101", "autotask": {"omit_po_number": True}, "lines": [line(3)]},
        {"po_number": "PO-102", "autotask": {"create": False}, "lines": [line(4)]},
    ],
}


def test_load_scenario_creates_vendor_products_pos_and_items(
    sim: AutotaskSimulator, api: httpx2.Client
) -> None:
    sim.state.clock.set(sim.state.clock.now().replace(year=2026, month=11, day=26, hour=10))
    summary = sim.load_scenario(Scenario.model_validate(SCENARIO))
    assert set(summary.purchase_orders) == {"PO-100", "PO-101"}
    vendors = api.post(
        "/Companies/query",
        json={"filter": [{"op": "eq", "field": "companyType", "value": 7}]},
    ).json()["items"]
    assert [v["companyName"] for v in vendors] == ["TD SYNNEX Corporation", "Ingram Micro"]
    po_id = summary.purchase_orders["PO-100"]
    po = sim.purchase_order(po_id)
    assert po is not None
    assert po["vendorID"] == vendors[0]["id"] == summary.vendor_id
    assert po["status"] == sim.config.status("Submitted")
    assert po["purchaseOrderNumber"] == "PO-100"
    assert po["externalPONumber"] == "TDS-9"
    assert po["generalMemo"] == "Please deliver to the back door."
    assert po["submitDateTime"].startswith("2026-11-24T10:")
    assert po["shipToName"]
    assert po["shipToAddress1"]
    items = sim.items_of(po_id)
    assert [i["quantity"] for i in items] == [2, 5, 1]
    assert [i["unitCost"] for i in items] == [10.5, 1.0, 10.5]
    assert items[0]["productID"] == items[2]["productID"] != items[1]["productID"]
    assert all(i["inventoryLocationID"] == 1 for i in items)
    assert [i["id"] for i in items] == sorted(i["id"] for i in items)
    product = api.get(f"/Products/{items[0]['productID']}").json()["item"]
    assert product["manufacturerProductName"] == "MFG-1"
    assert product["vendorProductNumber"] == product["sku"] == "SKU1"
    assert product["name"] == "Product 1"
    assert product["defaultVendorID"] == summary.vendor_id
    other = sim.purchase_order(summary.purchase_orders["PO-101"])
    assert other is not None
    assert other["purchaseOrderNumber"] is None


def test_scenario_statuses_follow_configured_integers() -> None:
    values = {
        "New": 11,
        "Submitted": 12,
        "Received Partial": 13,
        "Received Full": 14,
        "Canceled": 15,
    }
    sim = AutotaskSimulator(AutotaskSimConfig(status_values=values))
    summary = sim.load_scenario(Scenario.model_validate(SCENARIO))
    po = sim.purchase_order(summary.purchase_orders["PO-100"])
    assert po is not None
    assert po["status"] == 12


def test_post_scenario_as_json_and_yaml(admin: httpx2.Client, sim: AutotaskSimulator) -> None:
    response = admin.post(
        "/_sim/scenario", content=scenario_to_json(Scenario.model_validate(SCENARIO))
    )
    assert response.status_code == 201
    assert set(response.json()["purchase_orders"]) == {"PO-100", "PO-101"}
    again = {**SCENARIO, "orders": [{**SCENARIO["orders"][0], "po_number": "PO-200"}]}
    response = admin.post("/_sim/scenario", content=yaml.safe_dump(again))
    assert response.status_code == 201
    assert len(sim.purchase_orders()) == 3
    # the vendor company is reused, not created twice
    assert response.json()["companies"] == 0


def test_post_builtin_scenario(admin: httpx2.Client, sim: AutotaskSimulator) -> None:
    expected = [o.po_number for o in builtin_scenario("demo").orders if o.autotask.create]
    response = admin.post("/_sim/scenario", params={"name": "demo"})
    assert response.status_code == 201
    assert sorted(response.json()["purchase_orders"]) == sorted(expected)


def test_scenario_errors_are_admin_errors(admin: httpx2.Client) -> None:
    response = admin.post("/_sim/scenario", params={"name": "no-such-scenario"})
    assert response.status_code == 400
    assert "no built-in scenario" in response.json()["error"]
    bad = admin.post("/_sim/scenario", content=b"orders: [{po_number: X}]")
    assert bad.status_code == 400
    assert "error" in bad.json()
    bad_status = {
        "orders": [{"po_number": "X", "autotask": {"status": "Shipped"}, "lines": [line()]}]
    }
    response = admin.post("/_sim/scenario", json=bad_status)
    assert response.status_code == 400


def test_admin_purchase_orders_dump_and_create(admin: httpx2.Client) -> None:
    body = {"po_number": "PO-Q", "autotask": {"status": "New"}, "lines": [line(1), line(2)]}
    created = admin.post("/_sim/purchase-orders", json=body)
    assert created.status_code == 201
    po_id = created.json()["id"]
    dump = admin.get("/_sim/purchase-orders").json()["purchase_orders"]
    assert [p["id"] for p in dump] == [po_id]
    assert len(dump[0]["items"]) == 2
    bad = admin.post("/_sim/purchase-orders", json={"po_number": "PO-X"})
    assert bad.status_code == 400
    assert "error" in bad.json()


def test_admin_threshold_and_config(admin: httpx2.Client) -> None:
    assert admin.put("/_sim/threshold", json={"current": -1}).status_code == 400
    assert admin.put("/_sim/threshold", json={"threshold": 0}).status_code == 400
    admin.put("/_sim/threshold", json={"threshold": 500, "current": 12})
    config = admin.get("/_sim/config").json()
    assert config["threshold"] == {"threshold": 500, "current": 12}
    assert config["status_values"]["Submitted"] == 2
    assert config["thread_limit"] == 3
    assert config["username"] == "api-user@example.com"


def test_reset_drops_records_and_keeps_seed_data(
    admin: httpx2.Client, api: httpx2.Client, sim: AutotaskSimulator
) -> None:
    sim.load_scenario(Scenario.model_validate(SCENARIO))
    api.get("/Companies/1")
    admin.post("/_sim/faults", json={"kind": "http_500", "endpoint": "Tickets"})
    assert admin.post("/_sim/reset").json() == {"reset": True}
    assert sim.purchase_orders() == []
    assert api.get("/Companies/1").json() == {"item": None}
    assert api.get("/InventoryLocations/1").json()["item"]["id"] == 1
    assert admin.get("/_sim/faults").json() == {"faults": []}
    # the two calls above and this one: the count from before the reset is gone
    assert api.get("/ThresholdInformation").json()["currentTimeframeRequestCount"] == 3


@pytest.mark.slow
def test_100k_purchase_orders_seed_compactly_and_page_fast(
    api: httpx2.Client, sim: AutotaskSimulator
) -> None:
    orders = [
        {"po_number": f"PO-{n:06d}", "lines": [line(n % 50, 1 + n % 3)] * (1 + n % 2)}
        for n in range(100_000)
    ]
    scenario = Scenario.model_validate({"orders": orders})
    tracemalloc.start()
    started = time.monotonic()
    sim.load_scenario(scenario)
    load_seconds = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert load_seconds < 30
    assert peak < 1_000_000_000
    body = {
        "MaxRecords": 500,
        "filter": [
            {"op": "gt", "field": "id", "value": 50_000},
            {"op": "in", "field": "status", "value": [2, 3]},
        ],
    }
    api.post("/PurchaseOrders/query", json=body)  # warm the connection
    started = time.monotonic()
    page = api.post("/PurchaseOrders/query", json=body).json()
    elapsed = time.monotonic() - started
    assert page["pageDetails"]["count"] == 500
    assert page["items"][0]["id"] == 50_001
    assert elapsed < 0.25  # HTTP round trip included; the query itself is well under 50 ms


def test_build_server_loads_a_builtin_scenario_by_name() -> None:
    sim, server = build_server(port=0, scenario="demo")
    expected = sum(1 for o in builtin_scenario("demo").orders if o.autotask.create)
    with server, httpx2.Client(base_url=server.url) as client:
        zone = client.get(
            "/ATServicesRest/V1.0/zoneInformation", params={"user": sim.config.username}
        ).json()
        assert zone["url"] == f"{server.url}/ATServicesRest/"
        dump = client.get("/_sim/purchase-orders").json()["purchase_orders"]
    assert len(dump) == expected
