"""Contract: django-autotask's REST client, unchanged, against the Autotask simulator.

``.ci/run`` installs it (pinned in ``tests/contract/python/requirements.txt``) into its own virtual
environment, ``.contract-venvs/django-autotask``, so Django never becomes an orderbridge
dependency; ``ORDERBRIDGE_DJANGO_AUTOTASK_PYTHON`` may name another interpreter that has it. The
driver runs zone lookup, picklists, filtered queries paged by GET and by re-POST, count, get by
id, PATCH of a PO and of an item through its parent, an error shape and the threshold.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from orderbridge.simulators._common import SimulatorServer
from orderbridge.simulators.autotask import AutotaskSimulator
from tests.contract.contract_support import (
    CONTRACT_DIR,
    REPO_ROOT,
    autotask_simulator,
    unavailable,
)

DRIVER = CONTRACT_DIR / "python" / "django_autotask_driver.py"
DEFAULT_PYTHON = REPO_ROOT / ".contract-venvs" / "django-autotask" / "bin" / "python"
PAGE_SIZE = 4
API = "/ATServicesRest/V1.0"


def _interpreter() -> str:
    python = Path(os.environ.get("ORDERBRIDGE_DJANGO_AUTOTASK_PYTHON") or DEFAULT_PYTHON)
    how = (
        "create it as .ci/run does: uv venv .contract-venvs/django-autotask && uv pip install "
        "--python .contract-venvs/django-autotask/bin/python "
        "-r tests/contract/python/requirements.txt"
    )
    if not python.is_file():
        unavailable(f"no virtual environment with django-autotask at {python}; {how}")
    probe = subprocess.run(
        [str(python), "-c", "import djautotask.api"], capture_output=True, timeout=60, check=False
    )
    if probe.returncode != 0:
        unavailable(f"{python} cannot import djautotask.api; {how}")
    return str(python)


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[AutotaskSimulator, SimulatorServer]]:
    with autotask_simulator() as pair:
        yield pair


@pytest.fixture(scope="module")
def report(served: tuple[AutotaskSimulator, SimulatorServer]) -> dict[str, Any]:
    python = _interpreter()
    sim, server = served
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AT_SERVER_URL": f"{server.url}/ATServicesRest/",
        "AT_USER": sim.config.username,
        "AT_SECRET": sim.config.secret,
        "AT_INTEGRATION_CODE": sim.config.integration_code,
        "AT_PAGE_SIZE": str(PAGE_SIZE),
    }
    done = subprocess.run(
        [python, str(DRIVER)], env=env, capture_output=True, text=True, timeout=120, check=False
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


def test_zone_lookup_and_picklists(
    report: dict[str, Any], served: tuple[AutotaskSimulator, SimulatorServer]
) -> None:
    sim, server = served
    assert report["zoneUrl"] == f"{server.url}/ATServicesRest/"
    assert report["companyTypes"]["Vendor"] == sim.config.company_types["Vendor"]
    assert report["poStatuses"]["Received Partial"] == sim.config.status_values["Received Partial"]
    assert report["udfs"] == {"fields": []}


def test_paging_by_get_and_by_repost_agree_with_the_simulator(
    report: dict[str, Any], api: httpx2.Client
) -> None:
    statuses = report["poStatuses"]
    body = {
        "filter": [
            {"op": "eq", "field": "vendorID", "value": report["vendorId"]},
            {
                "op": "in",
                "field": "status",
                "value": [statuses["Submitted"], statuses["Received Partial"]],
            },
        ],
        "MaxRecords": 500,
    }
    expected = sorted(
        po["id"] for po in api.post("/PurchaseOrders/query", json=body).json()["items"]
    )

    assert len(expected) > 2 * PAGE_SIZE
    assert report["count"] == len(expected)
    for way in ("byGet", "byRepost"):
        assert sorted(report[way]["ids"]) == expected, way
        assert report[way]["pages"] >= 3, way


def test_get_by_id_and_unknown_id(report: dict[str, Any]) -> None:
    assert report["getPo"]["id"] == report["byGet"]["ids"][0]
    assert report["getUnknown"]["type"] == "AutotaskRecordNotFoundError"


def test_patches_land_in_the_simulator(report: dict[str, Any], api: httpx2.Client) -> None:
    po_id = report["byGet"]["ids"][0]
    assert report["patchedPo"] == {"itemId": po_id}
    assert report["patchedItem"] == {"itemId": report["itemId"]}

    po = api.get(f"/PurchaseOrders/{po_id}").json()["item"]
    item = api.get(f"/PurchaseOrderItems/{report['itemId']}").json()["item"]

    assert po["generalMemo"] == "contract: django-autotask"
    assert po["shippingDate"].startswith("2026-12-02T00:00:00")
    assert item["orderID"] == po_id
    assert item["memo"] == "contract: item via parent"
    assert item["estimatedArrivalDate"].startswith("2026-12-12T00:00:00")


def test_a_validation_error_is_the_clients_server_error(report: dict[str, Any]) -> None:
    assert report["labelAsStatus"]["type"] == "AutotaskAPIServerError"
    assert "Conversion failed" in report["labelAsStatus"]["message"]


def test_threshold_information(report: dict[str, Any]) -> None:
    assert report["threshold"]["externalRequestThreshold"] == 10_000
    assert report["threshold"]["currentTimeframeRequestCount"] > 10
