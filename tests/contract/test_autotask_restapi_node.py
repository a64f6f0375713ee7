"""Contract: the npm package @apigrate/autotask-restapi, unchanged, against the Autotask simulator.

``.ci/run`` installs it with ``npm ci`` in ``tests/contract/node``. The JavaScript driver runs the
operations orderbridge relies on (zone lookup, picklists, filtered queries paged three ways, get
by id, PATCH of a PO and of an item through its parent, error shapes, threshold) and prints what
the client saw; this test checks that against the simulator's own answers.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from orderbridge.simulators._common import SimulatorServer
from orderbridge.simulators.autotask import AutotaskSimulator
from tests.contract.contract_support import CONTRACT_DIR, autotask_simulator, unavailable

NODE_DIR = CONTRACT_DIR / "node"
PACKAGE = NODE_DIR / "node_modules" / "@apigrate" / "autotask-restapi" / "package.json"
PAGE_SIZE = 4
API = "/ATServicesRest/V1.0"


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        unavailable("node is not installed; install Node.js 20 to run this contract test")
    if not PACKAGE.is_file():
        unavailable(f"@apigrate/autotask-restapi is not installed; run `npm ci` in {NODE_DIR}")
    return node


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[AutotaskSimulator, SimulatorServer]]:
    with autotask_simulator() as pair:
        yield pair


@pytest.fixture(scope="module")
def report(served: tuple[AutotaskSimulator, SimulatorServer]) -> dict[str, Any]:
    node = _node()
    sim, server = served
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AT_BASE_URL": f"{server.url}/ATServicesRest/",
        "AT_USER": sim.config.username,
        "AT_SECRET": sim.config.secret,
        "AT_INTEGRATION_CODE": sim.config.integration_code,
        "AT_PAGE_SIZE": str(PAGE_SIZE),
    }
    done = subprocess.run(
        [node, str(NODE_DIR / "autotask_contract.js")],
        cwd=NODE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"the client failed:\n{done.stderr}"
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.fixture(scope="module")
def api(served: tuple[AutotaskSimulator, SimulatorServer]) -> Iterator[httpx2.Client]:
    sim, server = served
    headers = {
        "ApiIntegrationCode": sim.config.integration_code,
        "UserName": sim.config.username,
        "Secret": sim.config.secret,
    }
    with httpx2.Client(base_url=server.url + API, headers=headers, timeout=10) as client:
        yield client


def _monitored_ids(api: httpx2.Client, report: dict[str, Any]) -> list[int]:
    statuses = report["poStatuses"]
    body = {
        "filter": [
            {"op": "eq", "field": "vendorID", "value": report["vendorIds"][0]},
            {
                "op": "in",
                "field": "status",
                "value": [statuses["Submitted"], statuses["Received Partial"]],
            },
        ],
        "MaxRecords": 500,
    }
    return sorted(po["id"] for po in api.post("/PurchaseOrders/query", json=body).json()["items"])


def test_zone_lookup_and_picklists_resolve_by_label(
    report: dict[str, Any], served: tuple[AutotaskSimulator, SimulatorServer]
) -> None:
    sim, server = served
    assert report["zoneUrl"] == f"{server.url}/ATServicesRest/"
    assert report["companyTypes"]["Vendor"] == sim.config.company_types["Vendor"]
    assert report["companyTypeDataType"] == "short"
    assert report["poStatuses"]["Submitted"] == sim.config.status_values["Submitted"]
    assert len(report["vendorIds"]) == 1
    assert {"estimatedArrivalDate", "memo", "orderID"} <= set(report["itemFieldNames"])


def test_query_pages_agree_whichever_way_they_are_followed(
    report: dict[str, Any], api: httpx2.Client
) -> None:
    expected = _monitored_ids(api, report)
    assert len(expected) > 2 * PAGE_SIZE, "the demo scenario must need several pages"
    assert report["count"] == len(expected)
    for way in ("byId", "byRepost", "byGet"):
        assert sorted(report[way]["ids"]) == expected, way
        assert report[way]["pages"] >= 3, way
    assert report["byId"]["ids"] == sorted(report["byId"]["ids"])


def test_get_by_id_and_unknown_id(report: dict[str, Any]) -> None:
    assert report["getPo"]["id"] == report["byId"]["ids"][0]
    assert report["getPo"]["vendorID"] == report["vendorIds"][0]
    assert report["getUnknown"] == {"item": None}


def test_items_of_the_monitored_pos_come_back(report: dict[str, Any], api: httpx2.Client) -> None:
    orders = set(report["byId"]["ids"])
    assert {item["orderID"] for item in report["items"]} == orders


def test_patches_land_in_the_simulator(report: dict[str, Any], api: httpx2.Client) -> None:
    po_id = report["byId"]["ids"][0]
    assert report["patchedPo"] == {"itemId": po_id}
    assert report["patchedItem"] == {"itemId": report["patchedItemId"]}

    po = api.get(f"/PurchaseOrders/{po_id}").json()["item"]
    item = api.get(f"/PurchaseOrderItems/{report['patchedItemId']}").json()["item"]

    assert po["generalMemo"] == "contract: status block"
    assert po["shippingDate"].startswith("2026-12-01T00:00:00")
    assert item["memo"] == "contract: 1 of 2 shipped"
    assert item["estimatedArrivalDate"].startswith("2026-12-10T00:00:00")
    assert report["itemAfter"]["memo"] == item["memo"]


def test_refusals_reach_the_client_as_autotask_shapes(report: dict[str, Any]) -> None:
    label = report["labelAsStatus"]
    assert label["status"] == 500
    assert "Conversion failed" in label["details"]["errors"][0]
    assert report["patchOnRecordPath"]["status"] == 405


def test_threshold_information(report: dict[str, Any]) -> None:
    threshold = report["threshold"]
    assert threshold["externalRequestThreshold"] == 10_000
    assert threshold["requestThresholdTimeframe"] == 60
    assert threshold["currentTimeframeRequestCount"] > 10
