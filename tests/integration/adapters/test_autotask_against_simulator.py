"""The Autotask adapter against the Autotask simulator, over a real loopback socket."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import anyio
import httpx2
import pytest

from orderbridge.adapters import RetryPolicy
from orderbridge.adapters.autotask import (
    AuthFailed,
    AutotaskClient,
    AutotaskCredentials,
    AutotaskPurchaseOrders,
    BadPayload,
    F,
    ThreadLimited,
    Unavailable,
)
from orderbridge.simulators._common import SimulatorServer
from orderbridge.simulators.autotask import AutotaskSimConfig, AutotaskSimulator
from orderbridge.simulators.scenario import (
    Scenario,
    ScenarioAutotask,
    ScenarioLine,
    ScenarioOrder,
)

pytestmark = pytest.mark.anyio

USER = "api-user@example.com"
SECRET = "simulator-secret"
CODE = "ORDERBRIDGESIMULATOR0000000"
FAST = RetryPolicy(attempts=5, initial_backoff_s=0.01, max_backoff_s=0.05, total_timeout_s=10.0)
STATUSES = ("Submitted", "Received Partial", "New", "Submitted", "Received Full")


@dataclass
class Served:
    """A running simulator and where to reach it."""

    sim: AutotaskSimulator
    url: str
    vendor_id: int
    po_ids: dict[str, int]

    @property
    def lookup(self) -> str:
        """The simulator's zoneInformation URL."""
        return f"{self.url}/atservicesrest/v1.0/zoneInformation"

    def counters(self) -> dict[str, Any]:
        """The simulator's request counters."""
        return dict(httpx2.get(f"{self.url}/_sim/counters").json())

    def reset_counters(self) -> None:
        """Zero the simulator's request counters."""
        httpx2.delete(f"{self.url}/_sim/counters").raise_for_status()

    def requests(self, endpoint: str) -> list[dict[str, Any]]:
        """The simulator's request log for one endpoint."""
        answer = httpx2.get(f"{self.url}/_sim/requests", params={"endpoint": endpoint})
        return list(answer.json()["requests"])


def _scenario(n: int) -> Scenario:
    orders = [
        ScenarioOrder(
            po_number=f"PO-{i:05d}",
            autotask=ScenarioAutotask(
                status=STATUSES[i % len(STATUSES)],
                vendor="Ingram Micro" if i % 11 == 0 else None,
                omit_po_number=i % 13 == 0,
            ),
            lines=[
                ScenarioLine(
                    sku=f"SKU{i % 30}{k}",
                    mfg_pn=f"MFR-{i % 30}-{k}",
                    description="Widget",
                    quantity=1 + k,
                    unit_price=Decimal("9.99"),
                )
                for k in range(2)
            ],
        )
        for i in range(1, n + 1)
    ]
    return Scenario(orders=orders)


def _serve(n: int, config: AutotaskSimConfig | None = None) -> Iterator[Served]:
    sim = AutotaskSimulator(config or AutotaskSimConfig())
    summary = sim.load_scenario(_scenario(n))
    assert summary.vendor_id is not None
    with SimulatorServer(sim.app) as server:
        yield Served(sim, server.url, summary.vendor_id, dict(summary.purchase_orders))


@pytest.fixture(scope="module")
def big() -> Iterator[Served]:
    """1,200 POs (shared read-only by the paging and batching tests)."""
    yield from _serve(1200)


@pytest.fixture
def small() -> Iterator[Served]:
    """A fresh simulator with 12 POs and tenant-specific status integers."""
    status = {
        "New": 40,
        "Submitted": 41,
        "Received Partial": 42,
        "Received Full": 43,
        "Canceled": 44,
    }
    yield from _serve(12, AutotaskSimConfig(status_values=status, processing_delay_s=0.02))


def _client(served: Served, **kwargs: Any) -> AutotaskClient:
    creds = AutotaskCredentials(
        username=kwargs.pop("username", USER),
        secret=kwargs.pop("secret", SECRET),
        integration_code=kwargs.pop("code", CODE),
    )
    kwargs.setdefault("retry", FAST)
    return AutotaskClient(credentials=creds, zone_lookup_url=served.lookup, **kwargs)


@pytest.fixture
async def client(small: Served) -> AsyncIterator[AutotaskClient]:
    """A client for the small simulator."""
    async with _client(small) as c:
        yield c


async def test_zone_discovery_points_at_the_simulator(
    small: Served, client: AutotaskClient
) -> None:
    base = await client.zone()
    assert base.lower() == f"{small.url}/atservicesrest/v1.0/".lower()
    po_id = small.po_ids["PO-00001"]
    assert (await client.get("PurchaseOrders", po_id) or {})["id"] == po_id


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"secret": "wrong-secret"}, "secret"),
        ({"username": "nobody@example.com"}, "username"),
        ({"code": "NOTTHECODE"}, "integration code"),
    ],
)
async def test_auth_failures_name_the_setting_to_check(
    small: Served, override: dict[str, str], complaint: str
) -> None:
    async with _client(small, **override) as client:
        with pytest.raises(AuthFailed) as err:
            await client.get("PurchaseOrders", 1)
    assert complaint in str(err.value).lower()
    assert "wrong-secret" not in str(err.value)


@pytest.mark.parametrize("paging", ["id", "next-url"])
async def test_paging_over_1200_pos(big: Served, paging: str) -> None:
    big.reset_counters()
    async with _client(big, paging=paging) as client:
        rows = await client.query_all("PurchaseOrders", [F("id").exist()], include_fields=["id"])
    assert [r["id"] for r in rows] == sorted(big.po_ids.values())
    assert big.counters()["requests"]["PurchaseOrders"] == {"POST": 3}


async def test_monitored_is_batched(big: Served) -> None:
    expected = sorted(
        po["id"]
        for po in big.sim.purchase_orders()
        if po["vendorID"] == big.vendor_id and po["status"] in (2, 3)
    )
    big.reset_counters()
    async with _client(big, paging="next-url") as client:
        gateway = AutotaskPurchaseOrders(client)
        pos = await gateway.monitored(vendor_ids=[big.vendor_id])
    assert [po.id for po in pos] == expected
    requests = big.counters()["requests"]
    pages = -(-len(expected) // 500)
    items = 2 * len(expected)
    item_pages = sum(
        -(-min(500, len(expected) - s) * 2 // 500) for s in range(0, len(expected), 500)
    )
    assert requests["PurchaseOrders"] == {"GET": 1, "POST": pages}  # metadata + PO pages
    assert requests["PurchaseOrderItems"] == {"POST": item_pages}
    assert requests["Products"] == {"POST": 1}
    assert sum(sum(by_method.values()) for by_method in requests.values()) < 20
    assert sum(len(po.items) for po in pos) == items
    first = pos[0]
    assert first.status in ("Submitted", "Received Partial")
    assert all(item.part_numbers for item in first.items)
    unnamed = [po for po in pos if po.id == big.po_ids.get("PO-00013")]
    assert not unnamed or unnamed[0].po_number == str(unnamed[0].id)


async def test_tenant_status_integers_come_from_the_picklist(
    small: Served, client: AutotaskClient
) -> None:
    gateway = AutotaskPurchaseOrders(client)
    assert await client.picklist("PurchaseOrders", "status") == {
        "New": 40,
        "Submitted": 41,
        "Received Partial": 42,
        "Received Full": 43,
        "Canceled": 44,
    }
    pos = await gateway.monitored(vendor_ids=[small.vendor_id], status_labels=["received partial"])
    assert pos
    assert {po.status for po in pos} == {"Received Partial"}
    assert await gateway.vendor_ids_by_name("SYNNEX") == [small.vendor_id]


async def test_updates_patch_only_the_changed_fields(small: Served, client: AutotaskClient) -> None:
    gateway = AutotaskPurchaseOrders(client)
    po_id = small.po_ids["PO-00001"]
    before = small.sim.purchase_order(po_id) or {}
    eta = datetime(2031, 5, 6, 7, 8, tzinfo=UTC)
    await gateway.update_purchase_order(po_id, {"general_memo": "[orderbridge] shipped"})
    po = await gateway.get(po_id)
    assert po is not None
    await gateway.update_item(po_id, po.items[0].id, {"estimated_arrival": eta, "memo": "1/1"})
    after = small.sim.purchase_order(po_id) or {}
    assert after["generalMemo"] == "[orderbridge] shipped"
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed <= {"generalMemo", "latestEstimatedArrivalDate", "lastModifiedDate"}
    patches = [r for r in small.requests("PurchaseOrders") if r["method"] == "PATCH"]
    assert [json.loads(r["body"]) for r in patches] == [
        {"id": po_id, "generalMemo": "[orderbridge] shipped"}
    ]
    reread = await gateway.get(po_id)
    assert reread is not None
    assert reread.items[0].estimated_arrival == eta
    assert reread.items[0].memo == "1/1"


async def test_injected_429s_are_retried(small: Served, client: AutotaskClient) -> None:
    httpx2.post(
        f"{small.url}/_sim/faults",
        json={"kind": "http_429", "endpoint": "PurchaseOrders", "count": 2},
    ).raise_for_status()
    rows = await client.query_all("PurchaseOrders", [F("vendorID").eq(small.vendor_id)])
    assert len(rows) == sum(
        1 for po in small.sim.purchase_orders() if po["vendorID"] == small.vendor_id
    )
    counters = small.counters()
    assert counters["faults"]["PurchaseOrders"] == {"http_429": 2}
    assert client.request_count["PurchaseOrders"] == 3


async def test_the_client_limiter_keeps_below_the_thread_limit(small: Served) -> None:
    ids = list(small.po_ids.values())

    async def burst(client: AutotaskClient) -> None:
        async with anyio.create_task_group() as tg:
            for po_id in ids:
                tg.start_soon(client.get, "PurchaseOrders", po_id)

    async with _client(small, retry=RetryPolicy.never()) as client:
        await burst(client)  # 3 per endpoint by default: never rejected
    async with _client(small, retry=RetryPolicy.never(), threads_per_endpoint=8) as client:
        with pytest.raises(ExceptionGroup) as caught:
            await burst(client)  # the simulator enforces the limit the client keeps to
    assert caught.group_contains(ThreadLimited, match="Itgenatr005")
    patient = RetryPolicy(
        attempts=20, initial_backoff_s=0.02, max_backoff_s=0.1, total_timeout_s=20
    )
    async with _client(small, threads_per_endpoint=8, retry=patient) as client:
        await burst(client)  # too eager, but retries with backoff get every answer
        assert client.request_count["PurchaseOrders"] > len(ids)


def _inject(served: Served, **rule: Any) -> None:
    httpx2.post(f"{served.url}/_sim/faults", json=rule).raise_for_status()


async def test_dropped_connections_and_timeouts_are_retried(small: Served) -> None:
    po_id = small.po_ids["PO-00002"]
    async with _client(small, timeout_s=0.5) as client:
        _inject(small, kind="drop", endpoint="PurchaseOrders", count=1)
        assert (await client.get("PurchaseOrders", po_id) or {})["id"] == po_id
        _inject(small, kind="timeout", endpoint="PurchaseOrders", count=1, timeout_s=2)
        assert (await client.get("PurchaseOrders", po_id) or {})["id"] == po_id
        assert client.request_count["PurchaseOrders"] == 4
    faults = small.counters()["faults"]["PurchaseOrders"]
    assert faults == {"drop": 1, "timeout": 1}


async def test_malformed_answers_are_bad_payload_and_creates_are_not_retried(
    small: Served, client: AutotaskClient
) -> None:
    _inject(small, kind="malformed", endpoint="PurchaseOrders", count=1)
    with pytest.raises(BadPayload):
        await client.get("PurchaseOrders", small.po_ids["PO-00002"])
    _inject(small, kind="http_503", endpoint="PurchaseOrders", count=1)
    with pytest.raises(Unavailable, match="temporarily unavailable"):
        await client.create("PurchaseOrders", {"vendorID": small.vendor_id, "status": 40})
    posts = [r for r in small.requests("PurchaseOrders") if r["method"] == "POST"]
    assert len(posts) == 1
