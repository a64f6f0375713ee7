"""Picklist metadata: parsing, case-insensitive resolution, clear errors, one fetch per TTL."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from orderbridge.adapters.autotask import (
    BadPayload,
    ValidationFailed,
)
from orderbridge.adapters.autotask._errors import UnknownPicklistLabel
from orderbridge.adapters.autotask._picklists import PicklistCache

pytestmark = pytest.mark.anyio

FIELDS: dict[str, Any] = {
    "fields": [
        {
            "name": "Status",
            "dataType": "integer",
            "isPickList": True,
            "picklistValues": [
                {"value": "11", "label": "New", "isActive": True},
                {"value": "12", "label": "Submitted", "isActive": True},
                {"value": "13", "label": "Received  Partial", "isActive": True},
                {"value": "99", "label": "Submitted", "isActive": False},
            ],
        },
        {"name": "vendorID", "dataType": "integer", "isPickList": False, "picklistValues": None},
    ]
}


class _Fetcher:
    def __init__(self, payload: Any) -> None:
        self.payload = payload
        self.calls = 0

    async def __call__(self, entity: str) -> Any:
        self.calls += 1
        await anyio.sleep(0.01)
        return self.payload


async def test_labels_resolve_case_and_space_insensitively_preferring_active() -> None:
    cache = PicklistCache(_Fetcher(FIELDS))
    assert await cache.resolve("PurchaseOrders", "status", "submitted") == 12
    assert await cache.resolve("purchaseorders", "STATUS", "received partial") == 13
    assert await cache.values("PurchaseOrders", "status") == {
        "New": 11,
        "Submitted": 12,
        "Received  Partial": 13,
    }
    assert await cache.label_of("PurchaseOrders", "status", 13) == "Received  Partial"
    assert await cache.label_of("PurchaseOrders", "status", 5) is None


async def test_unknown_label_names_the_label_and_the_choices() -> None:
    cache = PicklistCache(_Fetcher(FIELDS))
    with pytest.raises(UnknownPicklistLabel) as caught:
        await cache.resolve("PurchaseOrders", "status", "Shipped")
    message = str(caught.value)
    assert "'Shipped'" in message
    assert "'New'" in message
    assert "'Submitted'" in message
    assert caught.value.choices == ("New", "Submitted", "Received  Partial")


async def test_unknown_field_names_the_known_fields() -> None:
    cache = PicklistCache(_Fetcher(FIELDS))
    with pytest.raises(ValidationFailed, match="vendorID"):
        await cache.resolve("PurchaseOrders", "colour", "red")


async def test_concurrent_cold_callers_share_one_fetch_until_the_ttl_expires() -> None:
    now = [0.0]
    fetcher = _Fetcher(FIELDS)
    cache = PicklistCache(fetcher, ttl_s=60.0, clock=lambda: now[0])
    async with anyio.create_task_group() as tg:
        for _ in range(5):
            tg.start_soon(cache.resolve, "PurchaseOrders", "status", "New")
    assert fetcher.calls == 1
    now[0] = 59.0
    await cache.resolve("PurchaseOrders", "status", "New")
    assert fetcher.calls == 1
    now[0] = 61.0
    await cache.resolve("PurchaseOrders", "status", "New")
    assert fetcher.calls == 2
    cache.invalidate("PurchaseOrders")
    await cache.resolve("PurchaseOrders", "status", "New")
    assert fetcher.calls == 3


@pytest.mark.parametrize(
    "payload",
    [
        {"nofields": []},
        {"fields": [{"dataType": "integer"}]},
        {"fields": [{"name": "status", "picklistValues": {"value": "1"}}]},
        {"fields": [{"name": "status", "picklistValues": [{"value": "1", "label": None}]}]},
    ],
)
async def test_malformed_metadata_is_bad_payload(payload: Any) -> None:
    cache = PicklistCache(_Fetcher(payload))
    with pytest.raises(BadPayload):
        await cache.fields("PurchaseOrders")
