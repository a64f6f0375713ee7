"""The Autotask client over a real loopback socket, against a small fake Autotask server.

The fake keeps Autotask's wire rules that the client must cope with: zone lookup without auth,
misleading auth status codes, ``{"errors": [...]}`` and ``{"Message": ...}`` bodies, POST-only
next pages, and a per-entity count of requests in flight.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import anyio
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from orderbridge.adapters import RetryPolicy
from orderbridge.adapters.autotask import (
    AuthFailed,
    AutotaskClient,
    AutotaskCredentials,
    BadPayload,
    F,
    PermissionDenied,
    RateLimited,
    ThreadLimited,
    Unavailable,
    ValidationFailed,
)
from orderbridge.simulators._common import SimulatorServer

pytestmark = pytest.mark.anyio

USER = "api@example.com"
SECRET = "very-secret-value-123"
CODE = "INTEGRATIONCODE000000000000"
FAST = RetryPolicy(attempts=4, initial_backoff_s=0.01, max_backoff_s=0.05, total_timeout_s=5.0)


def _errors(status: int, *messages: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"errors": list(messages)}, status_code=status, headers=headers)


def _leaf_ok(row: dict[str, Any], leaf: dict[str, Any]) -> bool:
    value: Any = row.get(leaf["field"])
    wanted: Any = leaf.get("value")
    checks: dict[str, Callable[[], bool]] = {
        "eq": lambda: value == wanted,
        "in": lambda: value in wanted,
        "gt": lambda: value is not None and value > wanted,
        "gte": lambda: value is not None and value >= wanted,
        "contains": lambda: isinstance(value, str) and wanted.lower() in value.lower(),
        "exist": lambda: value is not None,
    }
    return bool(checks[leaf["op"]]())


class FakeAutotask:
    """A fake Autotask zone: a few tables, entity metadata, scripted faults, request accounting."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[int, dict[str, Any]]] = {}
        self.fields: dict[str, list[dict[str, Any]]] = {}
        self.faults: dict[str, list[Response]] = {}
        self.zone_url = ""
        self.api_url = ""
        self.delay_s = 0.0
        self.patch_answer = "itemId"
        self.calls: Counter[tuple[str, str]] = Counter()
        self.bodies: list[tuple[str, str, Any]] = []
        self.in_flight: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self._cursors: dict[str, tuple[dict[str, Any], int]] = {}

    def fail_next(self, entity: str, *responses: Response) -> None:
        """Answer the next requests on ``entity`` with ``responses``, in order."""
        self.faults.setdefault(entity.lower(), []).extend(responses)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self._answer(request)
        await response(scope, receive, send)

    async def _answer(self, request: Request) -> Response:
        parts = [p for p in request.url.path.split("/") if p][2:]  # past atservicesrest/v1.0
        if parts and parts[0].lower() == "zoneinformation":
            self.calls[("zoneInformation", request.method)] += 1
            if request.query_params.get("user") != USER:
                return _errors(500, "Zone information could not be determined")
            return JSONResponse({"zoneName": "Fake", "url": self.zone_url, "ci": 1})
        entity = parts[0]
        self.calls[(entity, request.method)] += 1
        if request.headers.get("username") != USER:
            return _errors(500, "Zone information could not be determined")
        if request.headers.get("apiintegrationcode") != CODE:
            return _errors(500, "IntegrationCode is invalid.")
        if request.headers.get("secret") != SECRET:
            return Response(status_code=401)
        queued = self.faults.get(entity.lower())
        if queued:
            return queued.pop(0)
        raw = await request.body()
        body = json.loads(raw) if raw else None
        self.bodies.append((request.method, "/".join(parts), body))
        self.in_flight[entity] += 1
        self.peak[entity] = max(self.peak[entity], self.in_flight[entity])
        try:
            await anyio.sleep(self.delay_s)
            return self._route(request, entity, parts[1:], body)
        finally:
            self.in_flight[entity] -= 1

    def _route(self, request: Request, entity: str, rest: list[str], body: Any) -> Response:
        method, low = request.method, [p.lower() for p in rest]
        if entity == "ThresholdInformation":
            return JSONResponse(
                {
                    "externalRequestThreshold": 10000,
                    "requestThresholdTimeframe": 60,
                    "currentTimeframeRequestCount": 124,
                }
            )
        table = self.tables.get(entity, {})
        if low == ["entityinformation", "fields"]:
            return JSONResponse({"fields": self.fields.get(entity, [])})
        if low[:1] == ["query"] and method == "GET":
            return JSONResponse(
                {"Message": "The requested resource does not support http method 'GET'."}, 405
            )
        if low == ["query"]:
            return self._query(entity, table, body, 0)
        if low[:2] == ["query", "next"]:
            original, start = self._cursors[request.query_params["paging"]]
            if body != original:
                return _errors(500, "paging body differs from the original query")
            return self._query(entity, table, body, start)
        if low == ["query", "count"]:
            rows = [r for r in table.values() if all(_leaf_ok(r, f) for f in body["filter"])]
            return JSONResponse({"queryCount": len(rows)})
        if len(low) == 1 and low[0].isdigit() and method == "GET":
            return JSONResponse({"item": table.get(int(low[0]))})
        if method == "PATCH":
            return JSONResponse({"itemId": body["id"]}) if self.patch_answer else Response()
        if method == "POST" and not low:
            return JSONResponse({"itemId": 9001})
        return JSONResponse({"Message": "No HTTP resource was found"}, 404)

    def _query(self, entity: str, table: dict[int, Any], body: Any, start: int) -> Response:
        rows = sorted(
            (r for r in table.values() if all(_leaf_ok(r, f) for f in body["filter"])),
            key=lambda r: r["id"],
        )
        size = body.get("MaxRecords", 500)
        page = rows[start : start + size]
        next_url = None
        if start + size < len(rows):
            token = f"t{len(self._cursors)}"
            self._cursors[token] = (body, start + size)
            next_url = f"{self.api_url}{entity}/query/next?paging={token}"
        wanted = body.get("IncludeFields")
        items = [{k: v for k, v in r.items() if not wanted or k in wanted} for r in page]
        details = {"count": len(items), "requestCount": size, "nextPageUrl": next_url}
        return JSONResponse({"items": items, "pageDetails": details})


@pytest.fixture
def fake() -> Iterator[tuple[FakeAutotask, str]]:
    """The fake served on a loopback port; yields it with its lookup URL."""
    app = FakeAutotask()
    with SimulatorServer(app) as server:
        app.zone_url = (
            f"{server.url}//ATServicesRest/"  # the doubled slash Autotask sometimes sends
        )
        app.api_url = f"{server.url}/ATServicesRest/V1.0/"
        yield app, f"{server.url}/atservicesrest/v1.0/zoneInformation"


def _client(lookup: str, *, secret: str = SECRET, **kwargs: Any) -> AutotaskClient:
    creds = AutotaskCredentials(
        username=kwargs.pop("username", USER),
        secret=secret,
        integration_code=kwargs.pop("code", CODE),
    )
    kwargs.setdefault("retry", FAST)
    return AutotaskClient(credentials=creds, zone_lookup_url=lookup, **kwargs)


@pytest.fixture
async def client(fake: tuple[FakeAutotask, str]) -> AsyncIterator[AutotaskClient]:
    """A client that discovers the fake's zone."""
    async with _client(fake[1]) as c:
        yield c


def _seed_pos(app: FakeAutotask, n: int) -> None:
    app.tables["PurchaseOrders"] = {
        i: {"id": i, "status": 2 if i % 3 else 1, "vendorID": 7, "generalMemo": f"po {i}"}
        for i in range(1, n + 1)
    }


async def test_zone_is_discovered_once_normalised_and_cached(
    fake: tuple[FakeAutotask, str], client: AutotaskClient
) -> None:
    app, _ = fake
    base = await client.zone()
    assert base == app.api_url
    assert await client.zone() == base
    await client.get("PurchaseOrders", 1)
    assert app.calls[("zoneInformation", "GET")] == 1
    assert client.request_count == {"ZoneInformation": 1, "PurchaseOrders": 1}


async def test_explicit_base_url_skips_zone_discovery(fake: tuple[FakeAutotask, str]) -> None:
    app, lookup = fake
    async with _client(lookup, base_url=app.api_url.removesuffix("V1.0/")) as client:
        assert await client.zone() == app.api_url
        assert await client.get("PurchaseOrders", 5) is None
    assert app.calls[("zoneInformation", "GET")] == 0


async def test_unknown_user_is_auth_failed_naming_the_username(
    fake: tuple[FakeAutotask, str],
) -> None:
    async with _client(fake[1], username="nobody@example.com") as client:
        with pytest.raises(AuthFailed, match="Zone information could not be determined") as err:
            await client.zone()
    assert "username" in str(err.value)


async def test_bad_integration_code_is_auth_failed_naming_the_code(
    fake: tuple[FakeAutotask, str],
) -> None:
    async with _client(fake[1], code="WRONG") as client:
        with pytest.raises(AuthFailed, match="IntegrationCode is invalid") as err:
            await client.get("PurchaseOrders", 1)
    assert "integration code" in str(err.value)


async def test_wrong_secret_is_auth_failed_after_one_rediscovery_and_never_leaks(
    fake: tuple[FakeAutotask, str], caplog: pytest.LogCaptureFixture
) -> None:
    app, lookup = fake
    caplog.set_level(logging.DEBUG)
    async with _client(lookup, secret="wrong-" + SECRET) as client:
        with pytest.raises(AuthFailed, match="HTTP 401") as err:
            await client.get("PurchaseOrders", 1)
    assert app.calls[("zoneInformation", "GET")] == 2  # looked up again in case the zone moved
    assert app.calls[("PurchaseOrders", "GET")] == 1  # same zone: no pointless second try
    for text in (str(err.value), repr(err.value), caplog.text, repr(client)):
        assert SECRET not in text


async def test_401_after_a_zone_move_is_retried_on_the_new_zone(
    fake: tuple[FakeAutotask, str],
) -> None:
    app, lookup = fake
    app.tables["PurchaseOrders"] = {3: {"id": 3}}
    async with _client(lookup) as client:
        await client.zone()
        app.zone_url = app.api_url.replace("127.0.0.1", "localhost")  # the tenant moved
        app.fail_next("PurchaseOrders", Response(status_code=401))
        assert await client.get("PurchaseOrders", 3) == {"id": 3}
        assert "localhost" in await client.zone()


async def test_permission_500_is_permission_denied(
    fake: tuple[FakeAutotask, str], client: AutotaskClient
) -> None:
    text = "The logged in Resource does not have the adequate permissions to query this entity."
    fake[0].fail_next("PurchaseOrders", _errors(500, text))
    with pytest.raises(PermissionDenied, match="adequate permissions"):
        await client.get("PurchaseOrders", 1)


async def test_validation_500_keeps_server_text_and_create_is_never_retried(
    fake: tuple[FakeAutotask, str], client: AutotaskClient
) -> None:
    app, _ = fake
    app.fail_next("PurchaseOrders", _errors(500, "shipToName is required."))
    with pytest.raises(ValidationFailed, match="shipToName is required"):
        await client.create("PurchaseOrders", {"vendorID": 7})
    app.fail_next("PurchaseOrders", Response("<html>oops</html>", status_code=503))
    with pytest.raises(Unavailable):
        await client.create("PurchaseOrders", {"vendorID": 7})
    assert app.calls[("PurchaseOrders", "POST")] == 2
    assert await client.create("PurchaseOrders", {"vendorID": 7}) == 9001


async def test_reads_retry_on_429_and_5xx_then_succeed(
    fake: tuple[FakeAutotask, str], client: AutotaskClient
) -> None:
    app, _ = fake
    app.tables["PurchaseOrders"] = {4: {"id": 4}}
    app.fail_next(
        "PurchaseOrders",
        _errors(429, "Thread Threshold Exceeded (Itgenatr005)", headers={"Retry-After": "0"}),
        _errors(429, "API request threshold exceeded"),
        Response("<html>Service Unavailable</html>", status_code=503),
    )
    assert await client.get("PurchaseOrders", 4) == {"id": 4}
    assert client.request_count["PurchaseOrders"] == 4


async def test_retries_are_bounded_and_the_last_error_is_raised(
    fake: tuple[FakeAutotask, str], client: AutotaskClient
) -> None:
    app, _ = fake
    app.fail_next("PurchaseOrders", *[_errors(429, "Itgenatr005") for _ in range(6)])
    with pytest.raises(ThreadLimited, match="Itgenatr005") as err:
        await client.get("PurchaseOrders", 1)
    assert isinstance(err.value, RateLimited)
    assert client.request_count["PurchaseOrders"] == FAST.attempts


async def test_a_thread_limit_below_the_clients_is_named_once(
    fake: tuple[FakeAutotask, str], client: AutotaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    app, _ = fake
    app.tables["PurchaseOrders"] = {n: {"id": n} for n in (1, 2, 3)}
    said = (
        "Thread Threshold Exceeded — The Autotask API thread threshold of {} threads "
        "has been exceeded (Itgenatr005)"
    )
    app.fail_next("PurchaseOrders", _errors(429, said.format(3)))
    with caplog.at_level(logging.WARNING, logger="orderbridge.adapters.autotask"):
        assert await client.get("PurchaseOrders", 1) == {"id": 1}
        assert "threads_per_endpoint" not in caplog.text  # 3 is what the client sends
        app.fail_next("PurchaseOrders", *[_errors(429, said.format(2)) for _ in range(2)])
        assert await client.get("PurchaseOrders", 2) == {"id": 2}
        app.fail_next("PurchaseOrders", _errors(429, said.format(2)))
        assert await client.get("PurchaseOrders", 3) == {"id": 3}
    hints = [r.getMessage() for r in caplog.records if "threads_per_endpoint" in r.getMessage()]
    assert hints == [
        "Autotask says this integration may send 2 requests at once to an endpoint; "
        "orderbridge sends up to 3, so some are refused and retried: set "
        "autotask.threads_per_endpoint = 2"
    ]


async def test_patch_is_retried_with_the_same_body(
    fake: tuple[FakeAutotask, str], client: AutotaskClient
) -> None:
    app, _ = fake
    app.fail_next("PurchaseOrders", _errors(429, "Request threshold exceeded"))
    assert await client.patch("PurchaseOrders", {"id": 5, "generalMemo": "x"}) == 5
    assert app.bodies[-1] == ("PATCH", "PurchaseOrders", {"id": 5, "generalMemo": "x"})
    app.patch_answer = ""
    assert await client.patch_child("PurchaseOrders", 5, "Items", {"id": 8, "memo": "m"}) is None
    assert app.bodies[-1] == ("PATCH", "PurchaseOrders/5/Items", {"id": 8, "memo": "m"})
    assert client.request_count["PurchaseOrderItems"] == 1


async def test_html_page_with_200_is_bad_payload(
    fake: tuple[FakeAutotask, str], client: AutotaskClient
) -> None:
    fake[0].fail_next("PurchaseOrders", Response("<html>login</html>", status_code=200))
    with pytest.raises(BadPayload, match="not JSON"):
        await client.get("PurchaseOrders", 1)


async def test_unreachable_zone_is_unavailable_after_bounded_retries() -> None:
    with SimulatorServer(FakeAutotask()) as server:
        dead = f"{server.url}/atservicesrest/v1.0/zoneInformation"
    async with _client(dead) as client:
        with pytest.raises(Unavailable, match="could not be reached"):
            await client.zone()
        assert client.request_count["ZoneInformation"] == FAST.attempts


@pytest.mark.parametrize("paging", ["id", "next-url"])
async def test_query_pages_through_1200_rows_both_strategies(
    fake: tuple[FakeAutotask, str], paging: str
) -> None:
    app, lookup = fake
    _seed_pos(app, 1200)
    async with _client(lookup, paging=paging) as client:
        rows = await client.query_all("PurchaseOrders", [F("vendorID").eq(7)])
        assert [r["id"] for r in rows] == list(range(1, 1201))
        assert client.request_count["PurchaseOrders"] == 3
        assert await client.count("PurchaseOrders", [F("status").eq(1)]) == 400


async def test_concurrent_calls_never_exceed_three_per_endpoint(
    fake: tuple[FakeAutotask, str], client: AutotaskClient
) -> None:
    app, _ = fake
    app.delay_s = 0.05
    await client.zone()
    async with anyio.create_task_group() as tg:
        for i in range(10):
            tg.start_soon(client.get, "PurchaseOrders", i)
        for _ in range(3):
            tg.start_soon(client.threshold)
    assert app.peak["PurchaseOrders"] == 3
    assert app.peak["ThresholdInformation"] == 1


async def test_threshold_information(client: AutotaskClient) -> None:
    info = await client.threshold()
    assert (info.threshold, info.timeframe_minutes, info.current) == (10000, 60, 124)
    assert info.used_fraction == pytest.approx(0.0124)
