"""Drives django-autotask's REST client (``djautotask.api``), unchanged, against an Autotask API.

Runs in its own virtual environment (see requirements.txt), never in orderbridge's. The client
reads Django settings, so a minimal settings module is configured in code: no project, no
database, a local-memory cache for the zone URL. django-autotask has no purchase-order clients;
they are declared here exactly the way the library declares its own (an ``API`` name, a parent
and child path, a picklist entity). Prints one JSON report of what the client saw.

Environment: AT_SERVER_URL (".../ATServicesRest/", where the zone lookup starts), AT_USER,
AT_SECRET, AT_INTEGRATION_CODE, AT_PAGE_SIZE.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
from types import SimpleNamespace
from typing import Any

import django
from django.conf import settings

settings.configure(
    AUTOTASK_SERVER_URL=os.environ["AT_SERVER_URL"],
    AUTOTASK_CREDENTIALS={
        "username": os.environ["AT_USER"],
        "password": os.environ["AT_SECRET"],
        "integration_code": os.environ["AT_INTEGRATION_CODE"],
        "rest_api_version": "1.0",
    },
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    INSTALLED_APPS=[],
    USE_TZ=True,
)
django.setup()

from djautotask import api  # noqa: E402 - needs the settings above

PAGE_SIZE = int(os.environ["AT_PAGE_SIZE"])


class PurchaseOrdersAPIClient(api.AutotaskAPIClient):
    API = "PurchaseOrders"


class PurchaseOrdersPostAPIClient(api.AutotaskAPIClient):
    """Queries by POST and re-POSTs the body to each next page, as the library's
    ``TimeEntriesAPIClient`` does."""

    API = "PurchaseOrders"

    def get(self, next_url: str | None, *args: Any, **kwargs: Any) -> Any:
        return self.fetch_resource(next_url, method="post", *args, **kwargs)  # noqa: B026


class PurchaseOrderItemsAPIClient(api.ChildAPIMixin, api.AutotaskAPIClient):
    API = "PurchaseOrderItems"
    PARENT_API = "PurchaseOrders"
    CHILD_API = "Items"


class PurchaseOrderStatusPicklistAPIClient(api.AutotaskPicklistAPIClient):
    API_ENTITY = "PurchaseOrders"


class PurchaseOrdersUDFAPIClient(api.UDFAPIClient):
    API = "PurchaseOrders"


def picklist(fields: list[dict[str, Any]], name: str) -> dict[str, int]:
    field = next(f for f in fields if f["name"] == name)
    return {v["label"]: int(v["value"]) for v in field["picklistValues"] or []}


def monitored(client: Any, vendor: int, statuses: list[int]) -> None:
    client.clear_conditions()
    client.add_condition(api.ApiCondition(op="eq", field="vendorID", value=vendor))
    client.add_condition(api.ApiCondition(op="in", field="status", value=statuses))


def every_page(client: Any) -> dict[str, Any]:
    ids: list[int] = []
    pages = 0
    next_url = None
    while True:
        answer = client.get(next_url, page_size=PAGE_SIZE)
        pages += 1
        ids.extend(po["id"] for po in answer["items"])
        next_url = answer["pageDetails"]["nextPageUrl"]
        if not next_url:
            return {"ids": ids, "pages": pages}


def failure(call: Any) -> dict[str, str] | None:
    try:
        call()
    except api.AutotaskAPIError as error:
        return {"type": type(error).__name__, "message": str(error)}
    return None


def main() -> dict[str, Any]:
    report: dict[str, Any] = {}
    zone_url = api.get_api_connection_url(settings.AUTOTASK_CREDENTIALS["username"])
    report["zoneUrl"] = zone_url
    report["companyTypes"] = picklist(
        api.AccountTypesAPIClient().get(None)["fields"], "companyType"
    )
    statuses = picklist(PurchaseOrderStatusPicklistAPIClient().get(None)["fields"], "status")
    report["poStatuses"] = statuses
    report["udfs"] = PurchaseOrdersUDFAPIClient().fetch_resource(
        PurchaseOrdersUDFAPIClient().get_api_url()
    )
    companies = api.AccountsAPIClient()
    companies.add_condition(
        api.ApiCondition(op="eq", field="companyType", value=report["companyTypes"]["Vendor"])
    )
    companies.add_condition(api.ApiCondition(op="contains", field="companyName", value="SYNNEX"))
    vendor = companies.get(None)["items"][0]["id"]
    report["vendorId"] = vendor
    wanted = [statuses["Submitted"], statuses["Received Partial"]]

    by_get = PurchaseOrdersAPIClient()
    monitored(by_get, vendor, wanted)
    report["count"] = by_get.fetch_resource(None, record_count=True)["queryCount"]
    report["byGet"] = every_page(by_get)
    by_post = PurchaseOrdersPostAPIClient()
    monitored(by_post, vendor, wanted)
    report["byRepost"] = every_page(by_post)

    po_id = report["byGet"]["ids"][0]
    report["getPo"] = by_get.get_single(po_id)["item"]
    report["getUnknown"] = failure(lambda: by_get.get_single(987654321))

    items = PurchaseOrderItemsAPIClient()
    items.add_condition(api.ApiCondition(op="eq", field="orderID", value=po_id))
    item_id = items.get(None)["items"][0]["id"]
    report["itemId"] = item_id
    po = SimpleNamespace(id=po_id)
    report["patchedPo"] = by_get.update(
        po,
        {
            "generalMemo": "contract: django-autotask",
            "shippingDate": datetime.datetime(2026, 12, 2, tzinfo=datetime.UTC),
        },
    )
    report["patchedItem"] = items.update(
        SimpleNamespace(id=item_id),
        po,
        {
            "memo": "contract: item via parent",
            "estimatedArrivalDate": datetime.datetime(2026, 12, 12, tzinfo=datetime.UTC),
        },
    )
    report["labelAsStatus"] = failure(lambda: by_get.update(po, {"status": "Submitted"}))
    report["threshold"] = by_get.request("get", f"{by_get.api_base_url}ThresholdInformation")
    return report


if __name__ == "__main__":
    json.dump(main(), sys.stdout)
