"""Shared simulator machinery over a real socket: server, counters, log, faults, clock, reset."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from orderbridge.simulators._common import (
    SimState,
    SimulatorMiddleware,
    SimulatorServer,
    common_admin_routes,
)


class _Responder:
    def error_response(self, status: int, retry_after: int | None) -> Response:
        headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
        return PlainTextResponse(f"fault {status}", status_code=status, headers=headers)

    def malformed_response(self) -> Response:
        return PlainTextResponse('{"broken": ', status_code=200)


@pytest.fixture
def served() -> Iterator[tuple[str, SimState]]:
    state = SimState()

    async def echo(request: Request) -> Response:
        return JSONResponse({"echo": (await request.body()).decode()})

    resets: list[bool] = []
    app = Starlette(
        routes=[
            Route("/things/{name}", echo, methods=["GET", "POST"]),
            *common_admin_routes(state, on_reset=lambda: resets.append(True)),
        ]
    )
    wrapped = SimulatorMiddleware(
        app,
        state=state,
        endpoint_of=lambda method, path: path.split("/")[2] if path.count("/") > 1 else path,
        responder=_Responder(),
    )
    with SimulatorServer(wrapped) as server:
        yield server.url, state


def test_counts_requests_per_endpoint_and_method_but_not_admin_calls(
    served: tuple[str, SimState],
) -> None:
    url, _ = served
    with httpx2.Client(base_url=url) as client:
        client.get("/things/a")
        client.post("/things/a", content=b"x")
        client.post("/things/b", content=b"y")
        counters = client.get("/_sim/counters").json()
    assert counters["total"] == 3
    assert counters["requests"] == {"a": {"GET": 1, "POST": 1}, "b": {"POST": 1}}


def test_request_log_keeps_bodies_and_filters_by_endpoint(served: tuple[str, SimState]) -> None:
    url, _ = served
    with httpx2.Client(base_url=url) as client:
        client.post("/things/a", content=b"first")
        client.post("/things/b", content=b"second")
        log = client.get("/_sim/requests", params={"endpoint": "b"}).json()["requests"]
    assert [entry["body"] for entry in log] == ["second"]
    assert log[0]["status"] == 200


def test_injected_http_fault_with_retry_after_then_normal_again(
    served: tuple[str, SimState],
) -> None:
    url, _ = served
    with httpx2.Client(base_url=url) as client:
        added = client.post(
            "/_sim/faults", json={"kind": "http_503", "endpoint": "a", "count": 1, "retry_after": 7}
        )
        assert added.status_code == 201
        faulted = client.get("/things/a")
        assert faulted.status_code == 503
        assert faulted.headers["retry-after"] == "7"
        assert client.get("/things/a").status_code == 200
        counters = client.get("/_sim/counters").json()
    assert counters["faults"] == {"a": {"http_503": 1}}


def test_dropped_connection_is_seen_by_the_client(served: tuple[str, SimState]) -> None:
    url, _ = served
    with httpx2.Client(base_url=url) as client:
        client.post("/_sim/faults", json={"kind": "drop", "count": 1})
        with pytest.raises(httpx2.TransportError):
            client.get("/things/a")
        assert client.get("/things/a").status_code == 200


def test_timeout_fault_outlasts_a_short_client_timeout(served: tuple[str, SimState]) -> None:
    url, _ = served
    with httpx2.Client(base_url=url, timeout=0.3) as client:
        client.post("/_sim/faults", json={"kind": "timeout", "timeout_s": 2, "count": 1})
        with pytest.raises(httpx2.TimeoutException):
            client.get("/things/a")


def test_malformed_body_and_latency(served: tuple[str, SimState]) -> None:
    url, _ = served
    with httpx2.Client(base_url=url) as client:
        client.post("/_sim/faults", json=[{"kind": "latency", "latency_ms": 150, "count": 1}])
        slow = client.get("/things/a")
        assert slow.elapsed.total_seconds() >= 0.15
        client.post("/_sim/faults", json={"kind": "malformed", "count": 1})
        assert client.get("/things/a").text == '{"broken": '


def test_admin_errors_are_readable_json(served: tuple[str, SimState]) -> None:
    url, _ = served
    with httpx2.Client(base_url=url) as client:
        bad = client.post("/_sim/faults", content=b"{nope")
        assert bad.status_code == 400
        assert "not valid JSON" in bad.json()["error"]
        assert client.delete("/_sim/faults/99").status_code == 404


def test_clock_and_reset(served: tuple[str, SimState]) -> None:
    url, state = served
    with httpx2.Client(base_url=url) as client:
        pinned = client.put("/_sim/clock", json={"now": "2026-01-02T03:04:05Z"}).json()
        assert pinned == {"now": "2026-01-02T03:04:05+00:00", "pinned": True}
        moved = client.put("/_sim/clock", json={"advance_seconds": 60}).json()
        assert moved["now"] == "2026-01-02T03:05:05+00:00"
        client.get("/things/a")
        client.post("/_sim/faults", json={"kind": "http_500"})
        assert client.post("/_sim/reset").json() == {"reset": True}
        assert client.get("/_sim/faults").json() == {"faults": []}
        assert client.get("/_sim/counters").json()["total"] == 0
    assert not state.clock.pinned
