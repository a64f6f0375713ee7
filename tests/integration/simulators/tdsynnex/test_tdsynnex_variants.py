"""Payload variants a real client must survive, chosen per order, and version-gated fields."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx2
import pytest

from orderbridge.simulators._common import SimulatorServer
from orderbridge.simulators.scenario import ScenarioError
from orderbridge.simulators.tdsynnex import TdSynnexSimConfig, TdSynnexSimulator
from tests.integration.simulators.tdsynnex.pinned_simulator import make_simulator
from tests.integration.simulators.tdsynnex.tdsynnex_wire import (
    DOCK,
    LAPTOP,
    invoices,
    items,
    order,
    post_xml,
    status_body,
    status_request,
    text,
)


def test_empty_elements_variant_sends_empty_tags(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-1", "accepted", variants=["empty_elements"]))
    raw = post_xml(client, "/SynnexXML/POStatus", status_request("PO-1")).text
    assert "<ShipFromWarehouse></ShipFromWarehouse>" in raw
    assert "<ETADate/>" in raw
    row = items(status_body(client, "PO-1"))[0]
    assert text(row, "ShipFromWarehouse") == ""
    assert text(row, "ShipDatetime") == ""


def test_without_variant_absent_values_are_left_out(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-2", "accepted"))
    raw = post_xml(client, "/SynnexXML/POStatus", status_request("PO-2")).text
    assert "ShipFromWarehouse" not in raw
    assert "ETADate" not in raw


def test_thousands_separators_in_money(sim: TdSynnexSimulator, client: httpx2.Client) -> None:
    sim.add_order(order("PO-3", "invoiced", variants=["thousands_separators"]))
    assert text(items(status_body(client, "PO-3"))[0], "UnitPrice") == "1,089.00"
    total = text(invoices(client, po="PO-3"), "Invoice/Summary/TotalInvoiceAmount") or ""
    assert re.fullmatch(r"\d{1,3}(,\d{3})+\.\d\d", total)


def test_misspelt_estimated_delivery_date(sim: TdSynnexSimulator, client: httpx2.Client) -> None:
    sim.add_order(order("PO-4", "shipped", variants=["misspelt_delivery_date"]))
    sim.add_order(order("PO-5", "shipped"))
    misspelt = items(status_body(client, "PO-4"))[0]
    assert misspelt.find("EstimateDeliveryDate") is not None
    assert misspelt.find("EstimatedDeliveryDate") is None
    normal = items(status_body(client, "PO-5"))[0]
    assert normal.find("EstimatedDeliveryDate") is not None
    assert normal.find("EstimateDeliveryDate") is None


def test_uppercase_codes_variant(sim: TdSynnexSimulator, client: httpx2.Client) -> None:
    sim.add_order(order("PO-6", "shipped", variants=["uppercase_codes"]))
    body = status_body(client, "PO-6")
    assert text(body, "Code") == "SHIPPED"
    assert {text(r, "Code") for r in items(body)} == {"SHIPPED"}


def test_uppercase_codes_config_applies_to_every_answer() -> None:
    sim = make_simulator(TdSynnexSimConfig(uppercase_codes=True))
    sim.add_order(order("PO-7", "accepted"))
    with SimulatorServer(sim.app) as running, httpx2.Client(base_url=running.url) as http:
        assert text(status_body(http, "PO-7"), "Code") == "ACCEPTED"
        assert text(status_body(http, "PO-UNKNOWN"), "Code") == "NOTFOUND"


def test_date_only_and_datetime_date_formats(sim: TdSynnexSimulator, client: httpx2.Client) -> None:
    sim.add_order(order("PO-8", "shipped", variants=["date_only"]))
    sim.add_order(order("PO-9", "backordered", variants=["datetime_dates"]))
    shipped = status_body(client, "PO-8")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", text(shipped, "PODatetime") or "")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", text(items(shipped)[0], "ShipDatetime") or "")
    backordered = items(status_body(client, "PO-9"))[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00", text(backordered, "ETADate") or "")


def test_not_found_spaced_spelling(sim: TdSynnexSimulator, client: httpx2.Client) -> None:
    sim.add_order(order("PO-10", "not_found", variants=["not_found_spaced"]))
    body = status_body(client, "PO-10")
    assert text(body, "Code") == "NOT FOUND"
    assert body.find("Items") is None


def test_cust_po_line_no_present_by_default_and_absent_by_variant(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-11", "accepted"))
    sim.add_order(order("PO-12", "accepted", variants=["no_cust_po_line_no"]))
    assert [text(r, "CustPOLineNo") for r in items(status_body(client, "PO-11"))] == ["1", "2"]
    assert all(r.find("CustPOLineNo") is None for r in items(status_body(client, "PO-12")))


def test_lines_out_of_order(sim: TdSynnexSimulator, client: httpx2.Client) -> None:
    sim.add_order(order("PO-13", "accepted", variants=["lines_out_of_order"]))
    assert [r.get("lineNumber") for r in items(status_body(client, "PO-13"))] == ["2", "1"]


def test_deleted_line_variant_removes_one_line_only(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-14", "deleted", variants=["deleted_line"]))
    body = status_body(client, "PO-14")
    assert text(body, "Code") == "accepted"
    assert [text(r, "Code") for r in items(body)] == ["accepted", "deleted"]


def test_hold_order_variant(sim: TdSynnexSimulator, client: httpx2.Client) -> None:
    sim.add_order(order("PO-15", "on_hold", variants=["hold_order"]))
    row = items(status_body(client, "PO-15"))[0]
    assert text(row, "ShipMethod") == "NL"
    assert text(row, "ShipMethodDescription") == "Hold Order"


def test_single_and_repeated_elements_follow_the_data(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-16", "shipped", lines=[DOCK], packages=1))
    sim.add_order(order("PO-17", "shipped", lines=[LAPTOP, DOCK], packages=3))
    one = status_body(client, "PO-16")
    assert len(items(one)) == 1
    assert len(one.findall("Items/Item/Packages/Package")) == 1
    many = status_body(client, "PO-17")
    assert len(items(many)) == 2
    assert len(items(many)[0].findall("Packages/Package")) == 3


def test_unknown_variant_is_refused(sim: TdSynnexSimulator) -> None:
    with pytest.raises(ScenarioError, match="no_such_variant"):
        sim.add_order(order("PO-18", "accepted", variants=["no_such_variant"]))


@pytest.fixture
def gated() -> Iterator[httpx2.Client]:
    config = TdSynnexSimConfig(max_field_version="2.6", honour_request_version=True)
    sim = make_simulator(config)
    sim.add_order(order("PO-20", "delivered"))
    with SimulatorServer(sim.app) as running, httpx2.Client(base_url=running.url) as http:
        yield http


def test_field_version_cap_drops_later_fields(gated: httpx2.Client) -> None:
    row = items(status_body(gated, "PO-20", version="3.0"))[0]
    assert row.find("EstimatedDeliveryDate") is not None
    assert row.find("Packages/Package/CarrierDeliveredDate") is not None
    assert row.find("CustPOLineNo") is None


def test_request_version_gates_fields_when_honoured(gated: httpx2.Client) -> None:
    row = items(status_body(gated, "PO-20", version="2.5"))[0]
    assert row.find("EstimatedDeliveryDate") is None
    assert row.find("Packages/Package/CarrierDeliveredDate") is None


def test_every_field_by_default_whatever_the_version(
    sim: TdSynnexSimulator, client: httpx2.Client
) -> None:
    sim.add_order(order("PO-21", "delivered"))
    row = items(status_body(client, "PO-21", version="2.2"))[0]
    assert row.find("EstimatedDeliveryDate") is not None
    assert row.find("CustPOLineNo") is not None
