"""Each lifecycle state of a simulated order, and what it looks like in POStatus XML."""

from __future__ import annotations

import re
from datetime import date

import httpx2

from orderbridge.simulators._common import SimulatorServer
from orderbridge.simulators.tdsynnex import TdSynnexSimulator
from tests.integration.simulators.tdsynnex.pinned_simulator import PINNED_NOW, make_simulator
from tests.integration.simulators.tdsynnex.tdsynnex_wire import (
    DOCK,
    LAPTOP,
    items,
    order,
    po_status,
    status_body,
    text,
)

TODAY = PINNED_NOW.date()


def test_accepted_order_has_lines_but_no_ship_data(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-1", "accepted"))
    body = status_body(client, "PO-1")
    assert text(body, "CustomerNumber") == "123456"
    assert text(body, "PONumber") == "PO-1"
    assert text(body, "Code") == "accepted"
    assert text(body, "PODatetime") is not None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", text(body, "ResponseDateTime") or "")
    rows = items(body)
    assert [row.get("lineNumber") for row in rows] == ["1", "2"]
    for row in rows:
        assert text(row, "Code") == "accepted"
        assert text(row, "ShipQuantity") == "0"
        assert row.find("ShipFromWarehouse") is None
        assert row.find("EstimatedShipDate") is None
        assert row.find("Packages") is None
    assert text(rows[0], "OrderQuantity") == str(LAPTOP.quantity)
    assert text(rows[0], "SKU") == LAPTOP.sku
    assert text(rows[0], "MfgPN") == LAPTOP.mfg_pn
    assert text(rows[0], "UnitPrice") == "1089.00"


def test_processing_order_has_a_warehouse_and_estimated_ship_date(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-2", "processing", warehouse="4", ship_method="F2"))
    row = items(status_body(client, "PO-2"))[0]
    assert text(row, "ShipFromWarehouse") == "4"
    assert text(row, "ShipFromCity") == "NORCROSS"
    assert text(row, "ShipMethod") == "F2"
    assert text(row, "ShipMethodDescription") == "FedEx 2Day"
    assert date.fromisoformat(text(row, "EstimatedShipDate") or "") >= TODAY
    assert row.find("Packages") is None


def test_on_hold_order_shows_hold_ship_method(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-3", "on_hold"))
    body = status_body(client, "PO-3")
    assert text(body, "Code") == "accepted"
    for row in items(body):
        assert text(row, "ShipMethod") == "HS"
        assert text(row, "ShipMethodDescription") == "Hold Ship"


def test_backordered_order_has_future_eta_and_nothing_shipped(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-4", "backordered"))
    for row in items(status_body(client, "PO-4")):
        assert text(row, "Code") == "accepted"
        assert text(row, "ShipQuantity") == "0"
        assert date.fromisoformat(text(row, "ETADate") or "") > TODAY
        assert date.fromisoformat(text(row, "EstimatedShipDate") or "") > TODAY


def test_split_line_repeats_line_number_with_two_orders_and_warehouses(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-5", "processing", split_line=1))
    rows = [r for r in items(status_body(client, "PO-5")) if r.get("lineNumber") == "1"]
    assert len(rows) == 2
    assert len({text(r, "OrderNumber") for r in rows}) == 2
    assert len({text(r, "ShipFromWarehouse") for r in rows}) == 2
    assert sum(int(text(r, "OrderQuantity") or 0) for r in rows) == LAPTOP.quantity


def test_partially_shipped_order_mixes_shipped_and_open_lines(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-6", "partially_shipped"))
    body = status_body(client, "PO-6")
    assert text(body, "Code") == "accepted"
    codes = [text(r, "Code") for r in items(body)]
    assert codes == ["shipped", "accepted"]
    shipped, open_row = items(body)
    assert shipped.find("Packages/Package/TrackingNumber") is not None
    assert open_row.find("Packages") is None


def test_partially_shipped_single_line_ships_some_units(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-7", "partially_shipped", lines=[LAPTOP]))
    (row,) = items(status_body(client, "PO-7"))
    assert 0 < int(text(row, "ShipQuantity") or 0) < int(text(row, "OrderQuantity") or 0)


def test_shipped_order_has_packages_weights_and_one_serial_per_unit(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-8", "shipped", packages=2))
    body = status_body(client, "PO-8")
    assert text(body, "Code") == "shipped"
    laptop, dock = items(body)
    for row in (laptop, dock):
        assert text(row, "Code") == "shipped"
        assert text(row, "ShipQuantity") == text(row, "OrderQuantity")
        assert text(row, "ShipDatetime") is not None
    packages = laptop.findall("Packages/Package")
    assert len(packages) == 2
    serials = [s.text for p in packages for s in p.findall("SerialNo")]
    assert len(serials) == LAPTOP.quantity == len(set(serials))
    for package in packages:
        assert len(package.findall("SerialNo")) == int(text(package, "ShipItemQuantity") or 0)
        assert re.fullmatch(r"\d{12}", text(package, "TrackingNumber") or "")
        assert float(text(package, "Weight") or 0) > 0
        assert package.find("CarrierDeliveredDate") is None
    assert dock.find("Packages/Package/SerialNo") is None


def test_delivered_order_has_carrier_delivered_dates(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-9", "delivered"))
    packages = status_body(client, "PO-9").findall("Items/Item/Packages/Package")
    assert packages
    for package in packages:
        assert date.fromisoformat(text(package, "CarrierDeliveredDate") or "") <= TODAY


def test_invoiced_order_has_invoiced_codes(sim: TdSynnexSimulator, client: httpx2.Client) -> None:
    sim.add_order(order("PO-10", "invoiced"))
    body = status_body(client, "PO-10")
    assert text(body, "Code") == "invoiced"
    assert {text(r, "Code") for r in items(body)} == {"invoiced"}


def test_deleted_order_deletes_every_line(sim: TdSynnexSimulator, client: httpx2.Client) -> None:
    sim.add_order(order("PO-11", "deleted"))
    body = status_body(client, "PO-11")
    assert text(body, "Code") == "deleted"
    assert {text(r, "Code") for r in items(body)} == {"deleted"}
    assert body.find("Items/Item/Packages") is None


def test_rejected_order_looks_like_the_duplicate_po_sample(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-12", "rejected", lines=[DOCK]))
    body = status_body(client, "PO-12")
    assert text(body, "Code") == "rejected"
    assert text(body, "Reason") == "DUPPLICATED INSERT.. "
    (row,) = items(body)
    assert text(row, "Code") == "rejected"
    assert text(row, "OrderType") == "99"
    assert text(row, "ShipFromWarehouse") == ""
    assert text(row, "SynnexInternalReference") == "DUPREJECT,R-PODUPE---DUPPOKILL,R-PODUPE"
    assert "already exists" in (text(row, "Reason") or "")


def test_server_error_state_answers_top_level_error(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-13", "server_error"))
    root = po_status(client, "PO-13")
    assert text(root, "errorMessage") == "ServerError"
    assert text(root, "errorDetail")
    assert root.find("OrderStatusResponse") is None


def test_not_found_order_and_unknown_po_have_no_items(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-14", "not_found"))
    for po in ("PO-14", "PO-NOPE"):
        body = status_body(client, po)
        assert text(body, "Code") == "notFound"
        assert text(body, "PONumber") == po
        assert body.find("Items") is None


def test_identifiers_are_the_same_after_reloading() -> None:
    def identifiers() -> list[str | None]:
        sim = make_simulator()
        sim.add_order(order("PO-15", "shipped", split_line=1, packages=2))
        with SimulatorServer(sim.app) as running, httpx2.Client(base_url=running.url) as http:
            body = status_body(http, "PO-15")
        found = body.findall(".//OrderNumber") + body.findall(".//TrackingNumber")
        return [
            e.text for e in found + body.findall(".//SerialNo") + body.findall(".//ShipDatetime")
        ]

    first = identifiers()
    assert len(first) > 6
    assert first == identifiers()
