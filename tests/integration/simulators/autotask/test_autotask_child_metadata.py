"""Child-path metadata routes from the swagger, and the ``short`` type of Companies.companyType."""

from __future__ import annotations

import httpx2
import pytest

CHILD_PATHS = [
    ("PurchaseOrders/{parent}/Items", "PurchaseOrderItems"),
    ("PurchaseOrderItems/{parent}/Receiving", "PurchaseOrderItemReceiving"),
]


@pytest.mark.parametrize(("child_path", "root"), CHILD_PATHS)
@pytest.mark.parametrize("suffix", ["", "/fields", "/userDefinedFields"])
def test_child_path_metadata_matches_the_root_route(
    api: httpx2.Client, child_path: str, root: str, suffix: str
) -> None:
    under_parent = api.get(f"/{child_path.format(parent=41)}/entityInformation{suffix}")
    at_root = api.get(f"/{root}/entityInformation{suffix}")

    assert under_parent.status_code == 200, under_parent.text
    assert under_parent.json() == at_root.json()


def test_child_path_metadata_is_case_insensitive_and_get_only(api: httpx2.Client) -> None:
    lower = api.get("/purchaseorders/7/items/entityinformation/FIELDS")
    posted = api.post("/PurchaseOrders/7/Items/entityInformation", json={})

    assert lower.status_code == 200
    assert any(f["name"] == "estimatedArrivalDate" for f in lower.json()["fields"])
    assert posted.status_code == 405


@pytest.mark.parametrize(
    "path",
    [
        "/PurchaseOrders/7/Items/entityInformation/picklists",
        "/PurchaseOrders/7/Items/entityInformation/fields/extra",
        "/PurchaseOrders/x/Items/entityInformation",
        "/PurchaseOrders/7/Nope/entityInformation",
    ],
)
def test_other_child_metadata_paths_are_404(api: httpx2.Client, path: str) -> None:
    assert api.get(path).status_code == 404


def test_company_type_is_a_short(api: httpx2.Client) -> None:
    fields = api.get("/Companies/entityInformation/fields").json()["fields"]
    company_type = next(f for f in fields if f["name"] == "companyType")
    assert company_type["dataType"] == "short"
    assert company_type["isPickList"] is True


def test_a_company_type_label_is_refused_as_a_smallint(api: httpx2.Client) -> None:
    response = api.post(
        "/Companies",
        json={"companyName": "V", "companyType": "Vendor", "phone": "1", "ownerResourceID": 1},
    )
    assert response.status_code == 500
    assert response.json()["errors"] == [
        "Conversion failed when converting varchar 'Vendor' to data type smallint."
    ]
