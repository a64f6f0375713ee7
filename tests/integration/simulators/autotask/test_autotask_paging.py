"""Paging: nextPageUrl re-POSTed with the identical body, 405 on GET, GET paging, id loops."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from orderbridge.simulators.autotask import AutotaskSimulator
from orderbridge.simulators.scenario import Scenario
from tests.integration.simulators.autotask.autotask_requests import line

ALL = {"filter": [{"op": "exist", "field": "id"}]}


@pytest.fixture
def many_pos(sim: AutotaskSimulator) -> list[int]:
    """1,200 Submitted POs, seeded in-process (the queries below go over HTTP)."""
    orders: list[dict[str, Any]] = [
        {"po_number": f"PO-{n:05d}", "lines": [line(n % 7)]} for n in range(1200)
    ]
    summary = sim.load_scenario(Scenario.model_validate({"orders": orders}))
    return sorted(summary.purchase_orders.values())


def next_url(page: dict[str, Any]) -> str | None:
    url: str | None = page["pageDetails"]["nextPageUrl"]
    return url


def expected_next_url(page: dict[str, Any]) -> str:
    """The page's nextPageUrl, for a page that must have one."""
    url = next_url(page)
    assert url is not None, page["pageDetails"]
    return url


def test_walk_1200_records_by_reposting_next_page_url(
    api: httpx2.Client, many_pos: list[int]
) -> None:
    seen: list[int] = []
    page = api.post("/PurchaseOrders/query", json=ALL).json()
    pages = 1
    while True:
        seen.extend(item["id"] for item in page["items"])
        url = next_url(page)
        if url is None:
            break
        assert "/PurchaseOrders/query/next?paging=" in url
        assert url.startswith("http://127.0.0.1:")
        page = api.post(url, json=ALL).json()
        pages += 1
    assert pages == 3
    assert seen == many_pos
    assert page["pageDetails"]["count"] == 200


def test_page_details_shape(api: httpx2.Client, many_pos: list[int]) -> None:
    first = api.post("/PurchaseOrders/query", json=ALL).json()
    assert first["pageDetails"]["count"] == 500
    assert first["pageDetails"]["requestCount"] == 500
    assert first["pageDetails"]["prevPageUrl"] is None
    second = api.post(expected_next_url(first), json=ALL).json()
    prev = second["pageDetails"]["prevPageUrl"]
    assert prev is not None
    again = api.post(prev, json=ALL).json()
    assert [i["id"] for i in again["items"]] == [i["id"] for i in first["items"]]


def test_get_on_a_post_originated_next_page_is_405(api: httpx2.Client, many_pos: list[int]) -> None:
    first = api.post("/PurchaseOrders/query", json=ALL).json()
    response = api.get(expected_next_url(first))
    assert response.status_code == 405
    assert response.json() == {
        "Message": "The requested resource does not support http method 'GET'."
    }


def test_changed_body_on_next_page_is_rejected(api: httpx2.Client, many_pos: list[int]) -> None:
    first = api.post("/PurchaseOrders/query", json=ALL).json()
    changed = {"filter": [{"op": "gt", "field": "id", "value": 0}]}
    response = api.post(expected_next_url(first), json=changed)
    assert response.status_code == 500
    assert "does not match" in response.json()["errors"][0]


def test_identical_body_with_other_whitespace_is_accepted(
    api: httpx2.Client, many_pos: list[int]
) -> None:
    first = api.post("/PurchaseOrders/query", json=ALL).json()
    spaced = json.dumps(ALL, indent=4).encode()
    response = api.post(
        expected_next_url(first), content=spaced, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200
    assert response.json()["items"][0]["id"] == many_pos[500]


def test_get_paging_works_for_get_originated_queries(
    api: httpx2.Client, many_pos: list[int]
) -> None:
    search = json.dumps({"filter": [{"op": "exist", "field": "id"}], "MaxRecords": 400})
    page = api.get("/PurchaseOrders/query", params={"search": search}).json()
    seen = [item["id"] for item in page["items"]]
    while url := next_url(page):
        response = api.get(url)
        assert response.status_code == 200
        page = response.json()
        seen.extend(item["id"] for item in page["items"])
    assert seen == many_pos


def test_unknown_paging_token_is_an_error(api: httpx2.Client) -> None:
    response = api.post("/PurchaseOrders/query/next", params={"paging": "nope"}, json=ALL)
    assert response.status_code == 500
    assert "errors" in response.json()


def test_id_greater_than_loop(api: httpx2.Client, many_pos: list[int]) -> None:
    last = 0
    seen: list[int] = []
    while True:
        body = {"MaxRecords": 500, "filter": [{"op": "gt", "field": "id", "value": last}]}
        items = api.post("/PurchaseOrders/query", json=body).json()["items"]
        if not items:
            break
        ids = [item["id"] for item in items]
        assert ids == sorted(ids)
        seen.extend(ids)
        last = ids[-1]
    assert seen == many_pos


def test_results_are_ordered_by_id_with_small_pages(
    api: httpx2.Client, many_pos: list[int]
) -> None:
    body = {"MaxRecords": 7, "filter": [{"op": "in", "field": "id", "value": many_pos[20:3:-1]}]}
    page = api.post("/PurchaseOrders/query", json=body).json()
    assert [item["id"] for item in page["items"]] == many_pos[4:11]
    rest = api.post(expected_next_url(page), json=body).json()
    assert [item["id"] for item in rest["items"]] == many_pos[11:18]
