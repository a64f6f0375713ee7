"""Paging strategies against an in-memory query endpoint that keeps Autotask's page rules."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any, TypedDict, Unpack

import pytest

from orderbridge.adapters.autotask import BadPayload, F, Filter
from orderbridge.adapters.autotask._paging import PagingMode, page_rows, pages

pytestmark = pytest.mark.anyio

NEXT = "https://zone.example/ATServicesRest/V1.0/PurchaseOrders/query/next?paging="


def _matches(row: dict[str, Any], leaf: dict[str, Any]) -> bool:
    value = row.get(leaf["field"])
    op = leaf["op"]
    if op == "gt":
        return bool(value > leaf["value"])
    if op == "eq":
        return bool(value == leaf["value"])
    if op == "exist":
        return value is not None
    raise AssertionError(f"unexpected op {op}")


class _QueryEndpoint:
    """Serves rows by id order; answers ``nextPageUrl`` tokens bound to the original body."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._cursors: dict[str, tuple[dict[str, Any], int]] = {}

    async def post(self, target: str, body: dict[str, Any]) -> Any:
        self.calls.append((target, copy.deepcopy(body)))
        start = 0
        if target.startswith(NEXT):
            original, start = self._cursors[target]
            assert body == original, "a next page must be POSTed with the identical body"
        matching = [r for r in self.rows if all(_matches(r, leaf) for leaf in body["filter"])]
        size = body["MaxRecords"]
        page = matching[start : start + size]
        next_url = None
        if start + size < len(matching):
            next_url = f"{NEXT}{len(self._cursors)}"
            self._cursors[next_url] = (copy.deepcopy(body), start + size)
        fields = body.get("IncludeFields")
        items = [{k: v for k, v in r.items() if not fields or k in fields} for r in page]
        return {"items": items, "pageDetails": {"count": len(items), "nextPageUrl": next_url}}


def _rows(n: int) -> list[dict[str, Any]]:
    return [{"id": i, "status": 1 + i % 2, "memo": f"m{i}"} for i in range(1, n + 1)]


class _PageOptions(TypedDict, total=False):
    include_fields: Sequence[str] | None
    max_records: int


async def _collect(
    mode: PagingMode,
    endpoint: _QueryEndpoint,
    filters: Sequence[Filter],
    **options: Unpack[_PageOptions],
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    async for page in pages(mode, endpoint.post, "PurchaseOrders", filters, **options):
        out.extend(page)
    return out


async def test_id_paging_walks_every_row_once_with_id_gt_cursor() -> None:
    endpoint = _QueryEndpoint(_rows(1201))
    rows = await _collect("id", endpoint, filters=[])
    assert [r["id"] for r in rows] == list(range(1, 1202))
    assert len(endpoint.calls) == 3
    first, second, third = (body for _, body in endpoint.calls)
    assert first["filter"] == [{"op": "exist", "field": "id"}]
    assert {"op": "gt", "field": "id", "value": 500} in second["filter"]
    assert {"op": "gt", "field": "id", "value": 1000} in third["filter"]
    assert all(target == "PurchaseOrders/query" for target, _ in endpoint.calls)


async def test_id_paging_keeps_user_filters_and_adds_id_to_include_fields() -> None:
    endpoint = _QueryEndpoint(_rows(1100))
    rows = await _collect(
        "id", endpoint, filters=[F("status").eq(2)], include_fields=["status"], max_records=200
    )
    assert [r["id"] for r in rows] == list(range(1, 1101, 2))
    assert all(set(r) == {"id", "status"} for r in rows)
    assert all(body["IncludeFields"] == ["id", "status"] for _, body in endpoint.calls)
    assert all(body["MaxRecords"] == 200 for _, body in endpoint.calls)


async def test_next_url_paging_reposts_the_identical_body() -> None:
    endpoint = _QueryEndpoint(_rows(1201))
    rows = await _collect("next-url", endpoint, filters=[F("status").eq(1)])
    assert [r["id"] for r in rows] == list(range(2, 1202, 2))
    targets = [target for target, _ in endpoint.calls]
    assert targets[0] == "PurchaseOrders/query"
    assert all(t.startswith(NEXT) for t in targets[1:])
    assert len(targets) == 2
    bodies = [body for _, body in endpoint.calls]
    assert all(body == bodies[0] for body in bodies)


async def test_id_paging_that_makes_no_progress_is_bad_payload() -> None:
    async def stuck(target: str, body: dict[str, Any]) -> Any:
        return {"items": [{"id": 1}] * 2}  # no pageDetails: only the rows can end the loop

    with pytest.raises(BadPayload, match="no progress"):
        async for _ in pages("id", stuck, "PurchaseOrders", [], max_records=2):
            pass


async def test_id_paging_stops_after_a_full_last_page_without_an_empty_query() -> None:
    calls: list[dict[str, Any]] = []

    async def exactly_two_pages(target: str, body: dict[str, Any]) -> Any:
        calls.append(body)
        first = len(calls) == 1
        ids = [1, 2] if first else [3, 4]
        next_url = NEXT + "more" if first else None
        rows = [{"id": i} for i in ids]
        return {"items": rows, "pageDetails": {"count": 2, "nextPageUrl": next_url}}

    seen = [
        r
        async for page in pages("id", exactly_two_pages, "PurchaseOrders", [], max_records=2)
        for r in page
    ]
    assert [r["id"] for r in seen] == [1, 2, 3, 4]
    assert len(calls) == 2


async def test_next_url_that_repeats_is_bad_payload() -> None:
    async def looping(target: str, body: dict[str, Any]) -> Any:
        return {"items": [{"id": 1}], "pageDetails": {"nextPageUrl": NEXT + "same"}}

    with pytest.raises(BadPayload, match="repeats"):
        async for _ in pages("next-url", looping, "PurchaseOrders", []):
            pass


@pytest.mark.parametrize(
    "payload",
    [[], {"items": None}, {"items": [1, 2]}, {"items": [], "pageDetails": {"nextPageUrl": 3}}],
)
def test_malformed_pages_are_bad_payload(payload: Any) -> None:
    with pytest.raises(BadPayload):
        page_rows("PurchaseOrders", payload)


def test_page_size_is_bounded_by_autotask_limits() -> None:
    async def never(target: str, body: dict[str, Any]) -> Any:
        raise AssertionError

    with pytest.raises(ValueError, match="between 1 and 500"):
        pages("id", never, "PurchaseOrders", [], max_records=501)
