"""The purchase-order gateway over a real socket: batching, picklists, partial PATCH."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from orderbridge.adapters.autotask import (
    AutotaskClient,
    AutotaskCredentials,
    AutotaskPurchaseOrders,
    F,
)
from orderbridge.adapters.autotask._errors import UnknownPicklistLabel
from orderbridge.ports import MonitoredScope
from orderbridge.simulators._common import SimulatorServer
from tests.integration.adapters.test_autotask_client_over_http import (
    CODE,
    FAST,
    SECRET,
    USER,
    FakeAutotask,
)

pytestmark = pytest.mark.anyio

# deliberately not 1..5: labels must be resolved through the tenant's picklist
STATUS = {"New": 21, "Submitted": 22, "Received Partial": 23, "Received Full": 24, "Canceled": 25}


def _picklist(name: str, values: dict[str, int]) -> dict[str, Any]:
    return {
        "name": name,
        "dataType": "integer",
        "isPickList": True,
        "picklistValues": [
            {"value": str(v), "label": label, "isActive": True} for label, v in values.items()
        ],
    }


def _seed(app: FakeAutotask, n_pos: int) -> None:
    app.fields["PurchaseOrders"] = [_picklist("status", STATUS)]
    app.fields["Companies"] = [_picklist("companyType", {"Customer": 1, "Vendor": 7})]
    app.tables["Companies"] = {
        10: {"id": 10, "companyName": "TD SYNNEX Canada", "companyType": 7},
        11: {"id": 11, "companyName": "TD SYNNEX Corp", "companyType": 7},
        12: {"id": 12, "companyName": "TD SYNNEX Customer", "companyType": 1},
        13: {"id": 13, "companyName": "Ingram", "companyType": 7},
    }
    labels = ["Submitted", "Received Partial", "New", "Received Full"]
    app.tables["PurchaseOrders"] = {
        i: {
            "id": i,
            "purchaseOrderNumber": f"PO-{i}" if i % 5 else "",
            "status": STATUS[labels[i % 4]],
            "vendorID": 10 if i % 7 else 13,
            "generalMemo": None,
            "submitDateTime": f"2025-01-{1 + i % 28:02d}T10:00:00",
        }
        for i in range(1, n_pos + 1)
    }
    app.tables["PurchaseOrderItems"] = {
        1000 + k: {
            "id": 1000 + k,
            "orderID": k // 2 + 1,
            "quantity": 2,
            "productID": 500 + k % 40,
            "estimatedArrivalDate": None,
            "memo": None,
        }
        for k in range(2 * n_pos)
    }
    app.tables["Products"] = {
        500 + p: {"id": 500 + p, "manufacturerProductName": f"MFR-{p}", "sku": f"SKU-{p}"}
        for p in range(40)
    }


def _id_pages(rows: int) -> int:
    """Requests the id-paging loop needs for ``rows`` matching rows.

    A page shorter than 500 ends the loop, and so does a full page whose pageDetails name no
    next page, so no empty query is ever needed.
    """
    return max(1, -(-rows // 500))


@pytest.fixture
def served() -> Iterator[FakeAutotask]:
    """The fake with a seeded tenant."""
    app = FakeAutotask()
    with SimulatorServer(app) as server:
        app.zone_url = f"{server.url}/ATServicesRest/"
        app.api_url = f"{server.url}/ATServicesRest/V1.0/"
        yield app


@pytest.fixture
async def client(served: FakeAutotask) -> AsyncIterator[AutotaskClient]:
    """A client with an explicit base URL."""
    creds = AutotaskCredentials(username=USER, secret=SECRET, integration_code=CODE)
    async with AutotaskClient(credentials=creds, base_url=served.api_url, retry=FAST) as c:
        yield c


async def test_vendor_ids_resolve_the_vendor_company_type(
    served: FakeAutotask, client: AutotaskClient
) -> None:
    _seed(served, 1)
    gateway = AutotaskPurchaseOrders(client)
    assert await gateway.vendor_ids_by_name("synnex") == [10, 11]
    query = next(b for m, p, b in served.bodies if p == "Companies/query")
    assert {"op": "eq", "field": "companyType", "value": 7} in query["filter"]


async def test_monitored_is_batched_and_maps_to_domain(
    served: FakeAutotask, client: AutotaskClient
) -> None:
    _seed(served, 1200)
    gateway = AutotaskPurchaseOrders(client)
    pos = await gateway.monitored(vendor_ids=[10], status_labels=["Submitted", "Received Partial"])
    expected = [
        i
        for i in range(1, 1201)
        if i % 7 and served.tables["PurchaseOrders"][i]["status"] in (22, 23)
    ]
    assert [po.id for po in pos] == expected
    # POs: one metadata call plus ceil(N/500) pages; items: orderID in chunks of 500, each
    # chunk paged by id (a full last page costs one more, empty, request); products: one page
    chunks = [expected[i : i + 500] for i in range(0, len(expected), 500)]
    item_rows = [2 * len(chunk) for chunk in chunks]
    assert client.request_count["PurchaseOrders"] == 1 + _id_pages(len(expected))
    assert client.request_count["PurchaseOrderItems"] == sum(_id_pages(n) for n in item_rows)
    assert len(chunks) == 2
    assert client.request_count["Products"] == 1
    first = pos[0]
    assert first.status == "Received Partial"
    assert first.po_number == "PO-1"
    assert first.submitted_at == datetime(2025, 1, 2, 10, tzinfo=UTC)
    assert [item.id for item in first.items] == [1000, 1001]
    assert first.items[0].part_numbers == frozenset({"MFR-0", "SKU-0"})
    assert next(po for po in pos if po.id == 5).po_number == "5"
    po_query = next(b for m, p, b in served.bodies if p == "PurchaseOrders/query")
    assert {"op": "in", "field": "status", "value": [22, 23]} in po_query["filter"]
    assert {"op": "in", "field": "vendorID", "value": [10]} in po_query["filter"]


async def test_products_are_cached_across_calls(
    served: FakeAutotask, client: AutotaskClient
) -> None:
    _seed(served, 20)
    gateway = AutotaskPurchaseOrders(client)
    await gateway.monitored(vendor_ids=[10])
    await gateway.monitored(vendor_ids=[10])
    assert client.request_count["Products"] == 1
    assert client.request_count["PurchaseOrderItems"] == 2


async def test_submitted_since_and_extra_filters_narrow_the_query(
    served: FakeAutotask, client: AutotaskClient
) -> None:
    _seed(served, 60)
    gateway = AutotaskPurchaseOrders(client)
    since = datetime(2025, 1, 20, tzinfo=UTC)
    pos = await gateway.monitored(
        vendor_ids=[10], submitted_since=since, extra_filters=[F("id").gt(30)]
    )
    assert pos
    assert all(po.id > 30 and po.submitted_at and po.submitted_at >= since for po in pos)
    po_query = next(b for m, p, b in served.bodies if p == "PurchaseOrders/query")
    assert {"op": "gte", "field": "submitDateTime", "value": "2025-01-20T00:00:00Z"} in po_query[
        "filter"
    ]


async def test_unknown_status_label_names_label_and_choices(
    served: FakeAutotask, client: AutotaskClient
) -> None:
    _seed(served, 1)
    gateway = AutotaskPurchaseOrders(client)
    with pytest.raises(UnknownPicklistLabel, match=r"'Shipped'.*'Received Partial'"):
        await gateway.monitored(vendor_ids=[10], status_labels=["Shipped"])
    assert client.request_count.get("PurchaseOrders") == 1  # only the metadata


async def test_get_returns_po_with_items_or_none(
    served: FakeAutotask, client: AutotaskClient
) -> None:
    _seed(served, 3)
    gateway = AutotaskPurchaseOrders(client)
    po = await gateway.get(2)
    assert po is not None
    assert po.status == "New"
    assert [i.id for i in po.items] == [1002, 1003]
    assert await gateway.get(99) is None


async def test_updates_patch_only_the_given_fields(
    served: FakeAutotask, client: AutotaskClient
) -> None:
    _seed(served, 3)
    gateway = AutotaskPurchaseOrders(client)
    eta = datetime(2025, 3, 1, 15, 30, tzinfo=UTC)
    await gateway.update_purchase_order(
        1, {"general_memo": "status: shipped", "vendor_invoice_number": None, "status": "Canceled"}
    )
    await gateway.update_item(1, 1000, {"estimated_arrival": eta, "memo": "1 of 2 shipped"})
    await gateway.update_purchase_order(1, {})
    patches = [(p, b) for m, p, b in served.bodies if m == "PATCH"]
    assert patches == [
        (
            "PurchaseOrders",
            {"id": 1, "generalMemo": "status: shipped", "vendorInvoiceNumber": None, "status": 25},
        ),
        (
            "PurchaseOrders/1/Items",
            {"id": 1000, "estimatedArrivalDate": "2025-03-01T15:30:00Z", "memo": "1 of 2 shipped"},
        ),
    ]


async def test_monitored_accepts_the_application_scope(
    served: FakeAutotask, client: AutotaskClient
) -> None:
    _seed(served, 30)
    gateway = AutotaskPurchaseOrders(client)
    scope = MonitoredScope(vendor_ids=(10,), status_labels=("New",))
    by_scope = await gateway.monitored(scope)
    by_keywords = await gateway.monitored(vendor_ids=[10], status_labels=["New"])
    assert by_scope == by_keywords
    assert {po.status for po in by_scope} == {"New"}
    assert await gateway.monitored(vendor_ids=[]) == []
    with pytest.raises(ValueError, match="not both"):
        await gateway.monitored(scope, vendor_ids=[10])
