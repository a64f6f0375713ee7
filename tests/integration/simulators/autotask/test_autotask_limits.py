"""Thread limit, hourly threshold, usage latency, fault injection and request counters."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx2
import pytest

from orderbridge.simulators._common import SimulatorServer
from orderbridge.simulators.autotask import AutotaskSimConfig, AutotaskSimulator
from tests.integration.simulators.autotask.autotask_requests import API, auth_headers

THREAD_TEXT = (
    "Thread Threshold Exceeded — The Autotask API thread threshold of 3 threads has been "
    "exceeded (Itgenatr005)"
)


def concurrent_gets(base: str, config: AutotaskSimConfig, paths: list[str]) -> list[Any]:
    """GET every path at the same time, each on its own connection."""

    def one(path: str) -> httpx2.Response:
        with httpx2.Client(headers=auth_headers(config), timeout=10) as client:
            return client.get(f"{base}{path}")

    with ThreadPoolExecutor(max_workers=len(paths)) as pool:
        return list(pool.map(one, paths))


def test_fourth_concurrent_request_hits_the_thread_limit() -> None:
    config = AutotaskSimConfig(processing_delay_s=0.8)
    sim = AutotaskSimulator(config)
    with SimulatorServer(sim.app) as server:
        responses = concurrent_gets(f"{server.url}{API}", config, ["/PurchaseOrders/1"] * 4)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 200, 200, 429]
    rejected = next(r for r in responses if r.status_code == 429)
    assert rejected.json() == {"errors": [THREAD_TEXT]}
    assert sim.state.counters()["requests"]["PurchaseOrders"]["GET"] == 4


def test_thread_limit_is_per_endpoint() -> None:
    config = AutotaskSimConfig(processing_delay_s=0.6)
    sim = AutotaskSimulator(config)
    paths = ["/PurchaseOrders/1"] * 3 + ["/PurchaseOrders/1/Items"]
    with SimulatorServer(sim.app) as server:
        responses = concurrent_gets(f"{server.url}{API}", config, paths)
    assert [r.status_code for r in responses] == [200, 200, 200, 200]


def test_injected_latency_holds_a_thread_slot(
    admin: httpx2.Client, server: SimulatorServer, sim: AutotaskSimulator
) -> None:
    rule = {"kind": "latency", "endpoint": "Companies", "latency_ms": 800, "count": 3}
    assert admin.post("/_sim/faults", json=rule).status_code == 201
    base = f"{server.url}{API}"
    with ThreadPoolExecutor(max_workers=4) as pool:
        slow = [pool.submit(concurrent_gets, base, sim.config, ["/Companies/1"]) for _ in range(3)]
        time.sleep(0.3)
        fourth = concurrent_gets(base, sim.config, ["/Companies/1"])[0]
        results = [f.result()[0] for f in slow]
    assert [r.status_code for r in results] == [200, 200, 200]
    assert fourth.status_code == 429
    assert fourth.json()["errors"] == [THREAD_TEXT]


def test_hourly_threshold(admin: httpx2.Client, api: httpx2.Client) -> None:
    response = admin.put("/_sim/threshold", json={"current": 9_998})
    assert response.json() == {"threshold": 10_000, "current": 9_998}
    ok = api.get("/ThresholdInformation")
    assert ok.status_code == 200
    assert ok.json()["currentTimeframeRequestCount"] == 9_999
    assert api.get("/PurchaseOrders/1").status_code == 200
    over = api.get("/PurchaseOrders/1")
    assert over.status_code == 429
    assert "threshold" in over.json()["errors"][0]
    zone = admin.get(f"{API}/zoneInformation", params={"user": "api-user@example.com"})
    assert zone.status_code == 200


def test_hourly_window_rolls_on_the_simulated_clock(
    admin: httpx2.Client, api: httpx2.Client
) -> None:
    admin.put("/_sim/clock", json={"now": "2026-11-26T10:00:00Z"})
    admin.put("/_sim/threshold", json={"current": 10_000, "threshold": 10_000})
    assert api.get("/PurchaseOrders/1").status_code == 429
    admin.put("/_sim/clock", json={"advance_seconds": 3_601})
    assert api.get("/PurchaseOrders/1").status_code == 200
    assert api.get("/ThresholdInformation").json()["currentTimeframeRequestCount"] == 2


def test_threshold_is_configurable_through_admin(admin: httpx2.Client, api: httpx2.Client) -> None:
    admin.put("/_sim/threshold", json={"threshold": 2})
    assert api.get("/ThresholdInformation").json()["externalRequestThreshold"] == 2
    assert api.get("/Companies/1").status_code == 200
    assert api.get("/Companies/1").status_code == 429


def test_usage_latency_above_half_the_threshold() -> None:
    config = AutotaskSimConfig(latency_at_50_percent_s=0.3, latency_at_75_percent_s=0.6)
    sim = AutotaskSimulator(config)
    with (
        SimulatorServer(sim.app) as server,
        httpx2.Client(base_url=f"{server.url}{API}", headers=auth_headers(config)) as api,
    ):
        timings = []
        for current in (0, 5_500, 8_000):
            sim.counter.set_current(current)
            started = time.monotonic()
            api.get("/Companies/1")
            timings.append(time.monotonic() - started)
    assert timings[0] < 0.25
    assert 0.3 <= timings[1] < 0.55
    assert timings[2] >= 0.6


@pytest.mark.parametrize(
    ("kind", "status"), [("http_429", 429), ("http_500", 500), ("http_503", 503)]
)
def test_injected_error_faults(
    admin: httpx2.Client, api: httpx2.Client, kind: str, status: int
) -> None:
    rule = {"kind": kind, "endpoint": "PurchaseOrders", "retry_after": 7, "count": 1}
    admin.post("/_sim/faults", json=rule)
    faulted = api.get("/PurchaseOrders/1")
    assert faulted.status_code == status
    assert faulted.headers["Retry-After"] == "7"
    assert isinstance(faulted.json()["errors"], list)
    assert api.get("/PurchaseOrders/1").status_code == 200
    assert api.get("/Companies/1").status_code == 200


def test_faults_match_only_their_endpoint(admin: httpx2.Client, api: httpx2.Client) -> None:
    admin.post("/_sim/faults", json={"kind": "http_500", "endpoint": "PurchaseOrderItems"})
    assert api.get("/PurchaseOrders/1").status_code == 200
    assert api.get("/PurchaseOrders/1/Items").status_code == 500
    assert api.get("/PurchaseOrderItems/1").status_code == 500


def test_count_limited_fault(admin: httpx2.Client, api: httpx2.Client) -> None:
    admin.post("/_sim/faults", json={"kind": "http_500", "endpoint": "Companies", "count": 2})
    statuses = [api.get("/Companies/1").status_code for _ in range(3)]
    assert statuses == [500, 500, 200]
    assert admin.get("/_sim/faults").json() == {"faults": []}


def test_malformed_fault(admin: httpx2.Client, api: httpx2.Client) -> None:
    admin.post("/_sim/faults", json={"kind": "malformed", "endpoint": "PurchaseOrders"})
    response = api.post("/PurchaseOrders/query", json={"filter": [{"op": "exist", "field": "id"}]})
    assert response.status_code == 200
    with pytest.raises(ValueError, match=r"."):
        response.json()


def test_drop_fault(admin: httpx2.Client, api: httpx2.Client) -> None:
    admin.post("/_sim/faults", json={"kind": "drop", "endpoint": "PurchaseOrders", "count": 1})
    with pytest.raises(httpx2.TransportError):
        api.get("/PurchaseOrders/1")
    assert api.get("/PurchaseOrders/1").status_code == 200


def test_timeout_fault(admin: httpx2.Client, api: httpx2.Client) -> None:
    rule = {"kind": "timeout", "endpoint": "PurchaseOrders", "timeout_s": 1.5, "count": 1}
    admin.post("/_sim/faults", json=rule)
    with pytest.raises(httpx2.TimeoutException):
        api.get("/PurchaseOrders/1", timeout=0.3)


def test_latency_fault(admin: httpx2.Client, api: httpx2.Client) -> None:
    admin.post("/_sim/faults", json={"kind": "latency", "endpoint": "Companies", "latency_ms": 300})
    started = time.monotonic()
    assert api.get("/Companies/1").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_injected_faults_count_against_the_hourly_threshold(
    admin: httpx2.Client, api: httpx2.Client
) -> None:
    admin.post("/_sim/faults", json={"kind": "http_500", "endpoint": "Companies", "count": 1})
    assert api.get("/Companies/1").status_code == 500
    assert api.get("/ThresholdInformation").json()["currentTimeframeRequestCount"] == 2


def test_counters_per_endpoint_and_method(admin: httpx2.Client, api: httpx2.Client) -> None:
    api.get("/PurchaseOrders/1")
    api.post("/PurchaseOrders/query", json={"filter": [{"op": "exist", "field": "id"}]})
    api.get("/PurchaseOrders/1/Items")
    api.get("/ThresholdInformation")
    admin.post("/_sim/faults", json={"kind": "http_503", "endpoint": "Companies", "count": 1})
    api.get("/Companies/1")
    counters = admin.get("/_sim/counters").json()
    assert counters["requests"]["PurchaseOrders"] == {"GET": 1, "POST": 1}
    assert counters["requests"]["PurchaseOrderItems"] == {"GET": 1}
    assert counters["requests"]["ThresholdInformation"] == {"GET": 1}
    assert counters["faults"]["Companies"] == {"http_503": 1}
    logged = admin.get("/_sim/requests", params={"endpoint": "Companies"}).json()["requests"]
    assert [r["status"] for r in logged] == [503]
