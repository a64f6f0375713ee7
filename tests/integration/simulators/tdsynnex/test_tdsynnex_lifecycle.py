"""Advancing orders through their lifecycle, the admin API, scenarios, reset and the demo."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import httpx2
import pytest

from orderbridge.simulators.scenario import (
    Scenario,
    TdState,
    builtin_scenario,
    scenario_to_json,
)
from orderbridge.simulators.tdsynnex import TdSynnexSimulator, Variant
from tests.integration.simulators.tdsynnex.pinned_simulator import PINNED_NOW
from tests.integration.simulators.tdsynnex.tdsynnex_wire import (
    invoices,
    items,
    order,
    po_status,
    status_body,
    text,
)


def test_advance_walks_the_whole_default_lifecycle(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-1", "accepted"))
    seen = [text(status_body(client, "PO-1"), "Code")]
    for expected in ("processing", "shipped", "delivered", "invoiced"):
        sim.state.clock.advance(timedelta(days=1))
        assert sim.advance("PO-1") is TdState(expected)
        seen.append(text(status_body(client, "PO-1"), "Code"))
    assert seen == ["accepted", "accepted", "shipped", "shipped", "invoiced"]
    body = status_body(client, "PO-1")
    assert body.find(".//Package/CarrierDeliveredDate") is not None
    assert sim.advance("PO-1") is TdState.INVOICED  # the last step stays put


def test_advance_stamps_dates_from_the_simulated_clock(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-2", "processing"))
    later = PINNED_NOW + timedelta(days=10, hours=3)
    sim.state.clock.set(later)
    sim.advance("PO-2")
    row = items(status_body(client, "PO-2"))[0]
    # Wall-clock time of the service's zone (US Pacific by default), without an offset.
    pacific = later.astimezone(ZoneInfo("America/Los_Angeles"))
    assert text(row, "ShipDatetime") == pacific.strftime("%Y-%m-%dT%H:%M:%S")


def test_invoiced_before_delivered_path(sim: TdSynnexSimulator, client: httpx2.Client) -> None:
    sim.add_order(order("PO-3", "shipped", path=["accepted", "shipped", "invoiced", "delivered"]))
    assert invoices(client, po="PO-3").find("ErrorCode") is not None
    assert sim.advance("PO-3") is TdState.INVOICED
    body = status_body(client, "PO-3")
    assert text(body, "Code") == "invoiced"
    assert body.find(".//CarrierDeliveredDate") is None
    assert invoices(client, po="PO-3").find("Invoice") is not None
    assert sim.advance("PO-3") is TdState.DELIVERED
    body = status_body(client, "PO-3")
    assert text(body, "Code") == "invoiced"
    assert body.find(".//CarrierDeliveredDate") is not None


def test_jump_replays_intermediate_facts(sim: TdSynnexSimulator, client: httpx2.Client) -> None:
    sim.add_order(order("PO-4", "backordered"))
    assert sim.advance("PO-4", to="invoiced") is TdState.INVOICED
    body = status_body(client, "PO-4")
    assert text(body, "Code") == "invoiced"
    assert all(text(r, "ShipQuantity") == text(r, "OrderQuantity") for r in items(body))
    with pytest.raises(ValueError, match="not ahead"):
        sim.advance("PO-4", to="accepted")


def test_server_error_is_transient(sim: TdSynnexSimulator, client: httpx2.Client) -> None:
    sim.add_order(order("PO-5", "server_error"))
    assert text(po_status(client, "PO-5"), "errorMessage") == "ServerError"
    assert sim.advance("PO-5") is TdState.ACCEPTED
    assert text(status_body(client, "PO-5"), "Code") == "accepted"


def test_advance_all_moves_every_order_that_can_move(sim: TdSynnexSimulator) -> None:
    sim.add_order(order("PO-6", "accepted"))
    sim.add_order(order("PO-7", "rejected"))
    sim.add_order(order("PO-8", "shipped"))
    assert sim.advance_all() == 2
    assert sim.order_state("PO-6") is TdState.PROCESSING
    assert sim.order_state("PO-7") is TdState.REJECTED
    assert sim.order_state("PO-8") is TdState.DELIVERED


def test_admin_orders_create_list_get_and_advance(client: httpx2.Client) -> None:
    new = order("PO-9", "accepted").model_dump(mode="json")
    created = client.post("/_sim/orders", json=new)
    assert created.status_code == 201
    assert created.json()["state"] == "accepted"
    assert client.post("/_sim/orders", json=new).status_code == 400
    assert [o["po_number"] for o in client.get("/_sim/orders").json()["orders"]] == ["PO-9"]
    one = client.get("/_sim/orders/PO-9").json()
    assert one["path"][0] == "accepted"
    assert len(one["order_numbers"]) == 1
    assert client.post("/_sim/orders/PO-9/advance").json()["state"] == "processing"
    jumped = client.post("/_sim/orders/PO-9/advance", json={"to": "delivered"})
    assert jumped.json() == {"po_number": "PO-9", "state": "delivered"}
    assert text(status_body(client, "PO-9"), "Code") == "shipped"
    assert client.post("/_sim/advance").json() == {"moved": 1}


def test_admin_errors_are_json(client: httpx2.Client) -> None:
    missing = client.get("/_sim/orders/PO-NOPE")
    assert missing.status_code == 404
    assert "PO-NOPE" in missing.json()["error"]
    assert client.post("/_sim/orders/PO-NOPE/advance").status_code == 404
    bad = client.post("/_sim/orders", json={"po_number": "X"})
    assert bad.status_code == 400
    assert "error" in bad.json()
    assert client.post("/_sim/scenario", content=b"orders: 12").status_code == 400
    assert client.post("/_sim/scenario?name=nope").status_code == 400
    client.post("/_sim/orders", json=order("PO-10", "accepted").model_dump(mode="json"))
    wrong = client.post("/_sim/orders/PO-10/advance", json={"to": "rejected"})
    assert wrong.status_code == 400


def test_scenario_loading_over_http_replaces_orders(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-OLD", "accepted"))
    scenario = Scenario(orders=[order("PO-11", "shipped"), order("PO-12", "deleted")])
    loaded = client.post("/_sim/scenario", content=scenario_to_json(scenario))
    assert loaded.status_code == 200
    assert loaded.json()["loaded"] == 2
    assert sim.orders.get("PO-OLD") is None
    assert text(status_body(client, "PO-11"), "Code") == "shipped"
    yaml_body = b"orders:\n  - po_number: PO-13\n    state: processing\n    lines:\n" + (
        b"      - {sku: A1, mfg_pn: M1, description: Cable, quantity: 2, unit_price: '3.50'}\n"
    )
    merged = client.post("/_sim/scenario?replace=false", content=yaml_body)
    assert merged.json()["orders"] == 3


def test_reset_restores_the_loaded_scenario_and_clears_observations(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.load_scenario(Scenario(orders=[order("PO-14", "accepted")]))
    sim.add_order(order("PO-15", "accepted"))
    sim.advance("PO-14", to="shipped")
    status_body(client, "PO-14")
    assert client.post("/_sim/reset").json() == {"reset": True}
    assert sim.order_state("PO-14") is TdState.ACCEPTED
    assert sim.orders.get("PO-15") is None
    assert client.get("/_sim/counters").json()["total"] == 0
    sim.advance("PO-14")
    sim.reset()
    assert sim.order_state("PO-14") is TdState.ACCEPTED


def test_demo_scenario_loads_and_covers_every_state(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    demo = builtin_scenario("demo")
    assert 20 <= len(demo.orders) <= 30
    assert {o.state for o in demo.orders} == set(TdState)
    loaded = client.post("/_sim/scenario?name=demo")
    assert loaded.json()["loaded"] == len(demo.orders)
    used = {v for o in demo.orders for v in o.variants}
    assert used == {v.value for v in Variant}
    assert sum(o.invoices > 1 for o in demo.orders) >= 2
    assert any(o.split_line for o in demo.orders)
    assert any(not o.autotask.create for o in demo.orders)
    assert any(o.autotask.omit_po_number for o in demo.orders)
    assert any(o.autotask.vendor == "Ingram Micro" for o in demo.orders)
    assert any(o.autotask.external_po_number for o in demo.orders)
    assert any(o.autotask.general_memo for o in demo.orders)
    for record in demo.orders:
        root = po_status(client, record.po_number)
        if record.state is TdState.SERVER_ERROR:
            assert text(root, "errorMessage") == "ServerError"
        else:
            assert text(root, "OrderStatusResponse/PONumber") == record.po_number
