"""Zone discovery, authentication, version/threshold information and metadata, over HTTP."""

from __future__ import annotations

import httpx2
import pytest

from orderbridge.simulators._common import SimulatorServer
from orderbridge.simulators.autotask import AutotaskSimConfig, AutotaskSimulator
from tests.integration.simulators.autotask.autotask_requests import API, auth_headers


def test_zone_lookup_points_back_at_the_simulator(
    admin: httpx2.Client, server: SimulatorServer
) -> None:
    response = admin.get(f"{API}/zoneInformation", params={"user": "api-user@example.com"})
    assert response.status_code == 200
    body = response.json()
    assert body["url"] == f"{server.url}/ATServicesRest/"
    assert body["zoneName"] == "Simulator"
    assert {"webUrl", "ci"} <= set(body)


def test_zone_lookup_works_with_lowercase_path(admin: httpx2.Client) -> None:
    response = admin.get(
        "/atservicesrest/v1.0/zoneinformation", params={"user": "api-user@example.com"}
    )
    assert response.status_code == 200


def test_zone_lookup_for_an_unknown_user_is_a_500(admin: httpx2.Client) -> None:
    response = admin.get(f"{API}/zoneInformation", params={"user": "nobody@example.com"})
    assert response.status_code == 500
    assert response.json() == {"errors": ["Zone information could not be determined"]}


def test_version_information(admin: httpx2.Client) -> None:
    response = admin.get("/ATServicesRest/VersionInformation")
    assert response.status_code == 200
    assert response.json() == {"apiVersions": ["1.0"]}


@pytest.mark.parametrize(
    ("header", "value", "status"),
    [
        ("Secret", "wrong", 401),
        ("UserName", "nobody@example.com", 500),
        ("ApiIntegrationCode", "NOTTHECODE", 500),
    ],
)
def test_auth_failures_use_autotasks_codes(
    admin: httpx2.Client, sim: AutotaskSimulator, header: str, value: str, status: int
) -> None:
    headers = {**auth_headers(sim.config), header: value}
    response = admin.get(f"{API}/Companies/1", headers=headers)
    assert response.status_code == status
    errors = response.json()["errors"]
    assert isinstance(errors, list)
    assert errors


def test_missing_headers_are_rejected(admin: httpx2.Client) -> None:
    response = admin.get(f"{API}/Companies/1")
    assert response.status_code == 500
    assert "errors" in response.json()


def test_header_names_are_case_insensitive(admin: httpx2.Client, sim: AutotaskSimulator) -> None:
    headers = {
        "APIIntegrationcode": sim.config.integration_code,
        "username": sim.config.username,
        "SECRET": sim.config.secret,
    }
    response = admin.get(f"{API}/Companies/1", headers=headers)
    assert response.status_code == 200
    assert response.json() == {"item": None}


def test_threshold_information_counts_the_call_itself(api: httpx2.Client) -> None:
    first = api.get("/ThresholdInformation").json()
    assert first["externalRequestThreshold"] == 10_000
    assert first["requestThresholdTimeframe"] == 60
    assert first["currentTimeframeRequestCount"] == 1
    api.get("/Companies/1")
    api.post("/Companies/query", json={"filter": [{"op": "exist", "field": "id"}]})
    assert api.get("/ThresholdInformation").json()["currentTimeframeRequestCount"] == 4


def test_zone_lookup_does_not_count(admin: httpx2.Client, api: httpx2.Client) -> None:
    admin.get(f"{API}/zoneInformation", params={"user": "api-user@example.com"})
    assert api.get("/ThresholdInformation").json()["currentTimeframeRequestCount"] == 1


def test_unknown_route_is_an_aspnet_404(api: httpx2.Client) -> None:
    response = api.get("/NoSuchEntities/1")
    assert response.status_code == 404
    assert "No HTTP resource was found" in response.json()["Message"]


def test_entity_information(api: httpx2.Client) -> None:
    info = api.get("/PurchaseOrders/entityInformation").json()["info"]
    assert info["name"] == "PurchaseOrder"
    assert info["canCreate"]
    assert info["canUpdate"]
    assert info["canQuery"]
    assert info["canDelete"] is False
    assert info["hasUserDefinedFields"] is False


def test_global_entity_information_lists_the_entities(api: httpx2.Client) -> None:
    body = api.get("/EntityInformation").json()
    names = {entry["info"]["name"] for entry in body["entityDescriptions"]}
    assert {"PurchaseOrder", "PurchaseOrderItem", "Company", "Product", "Ticket"} <= names


def test_status_picklist_values_are_strings_with_labels(api: httpx2.Client) -> None:
    fields = api.get("/PurchaseOrders/entityInformation/fields").json()["fields"]
    status = next(f for f in fields if f["name"] == "status")
    assert status["isPickList"] is True
    labels = {v["label"]: v["value"] for v in status["picklistValues"]}
    assert labels == {
        "New": "1",
        "Submitted": "2",
        "Received Partial": "3",
        "Received Full": "4",
        "Canceled": "5",
    }
    assert all(v["isActive"] is True and "isSystem" in v for v in status["picklistValues"])
    vendor = next(f for f in fields if f["name"] == "vendorID")
    assert vendor["picklistValues"] is None
    assert vendor["isReference"] is True
    assert vendor["referenceEntityType"] == "Company"
    memo = next(f for f in fields if f["name"] == "generalMemo")
    assert memo["dataType"] == "string"
    assert memo["length"] == 4000


def test_company_type_picklist_includes_vendor(api: httpx2.Client) -> None:
    fields = api.get("/Companies/entityInformation/fields").json()["fields"]
    company_type = next(f for f in fields if f["name"] == "companyType")
    labels = {v["label"]: v["value"] for v in company_type["picklistValues"]}
    assert labels["Vendor"] == "7"
    assert labels["Customer"] == "1"
    assert labels["Prospect"] == "3"


def test_purchase_orders_have_no_user_defined_fields(api: httpx2.Client) -> None:
    for entity in ("PurchaseOrders", "PurchaseOrderItems", "PurchaseOrderItemReceiving"):
        body = api.get(f"/{entity}/entityInformation/userDefinedFields").json()
        assert body == {"fields": []}


def test_non_default_status_integers_are_honoured() -> None:
    config = AutotaskSimConfig(
        status_values={
            "New": 11,
            "Submitted": 12,
            "Received Partial": 13,
            "Received Full": 14,
            "Canceled": 15,
        }
    )
    sim = AutotaskSimulator(config)
    with (
        SimulatorServer(sim.app) as server,
        httpx2.Client(base_url=f"{server.url}{API}", headers=auth_headers(config)) as api,
    ):
        fields = api.get("/PurchaseOrders/entityInformation/fields").json()["fields"]
        status = next(f for f in fields if f["name"] == "status")
        assert [v["value"] for v in status["picklistValues"]] == ["11", "12", "13", "14", "15"]
        vendor = api.post(
            "/Companies",
            json={"companyName": "V", "companyType": 7, "phone": "1", "ownerResourceID": 1},
        ).json()["itemId"]
        base = {"vendorID": vendor, "shipToName": "Dock", "shipToAddress1": "1 Main St"}
        rejected = api.post("/PurchaseOrders", json={**base, "status": 2})
        assert rejected.status_code == 500
        assert "not a valid picklist value" in rejected.json()["errors"][0]
        created = api.post("/PurchaseOrders", json={**base, "status": 12})
        assert created.status_code == 200
        po = api.get(f"/PurchaseOrders/{created.json()['itemId']}").json()["item"]
        assert po["status"] == 12
        assert po["submitDateTime"] is not None
