"""The Autotask request budget against the Autotask simulator, over a real loopback socket."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import anyio
import httpx2
import pytest

from orderbridge.adapters import RetryPolicy
from orderbridge.adapters.autotask import (
    AutotaskBudget,
    AutotaskClient,
    AutotaskCredentials,
    BudgetExhausted,
    ThreadLimited,
)
from orderbridge.simulators._common import SimulatorServer
from orderbridge.simulators.autotask import AutotaskSimConfig, AutotaskSimulator
from orderbridge.simulators.scenario import Scenario, ScenarioLine, ScenarioOrder

pytestmark = pytest.mark.anyio

FAST = RetryPolicy(attempts=5, initial_backoff_s=0.01, max_backoff_s=0.05, total_timeout_s=10.0)
LINE = ScenarioLine(
    sku="SKU1", mfg_pn="MFR-1", description="Widget", quantity=1, unit_price=Decimal("9.99")
)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Served:
    """A running simulator with a dozen POs."""

    sim: AutotaskSimulator
    url: str
    po_ids: list[int]

    def admin(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call an admin route and return its JSON."""
        answer = httpx2.request(method, f"{self.url}/_sim/{path}", **kwargs)
        answer.raise_for_status()
        return answer.json()

    def set_usage(self, current: int, threshold: int = 100) -> None:
        """The database's hourly threshold and how much of it other integrations used."""
        self.admin("PUT", "threshold", json={"current": current, "threshold": threshold})

    def inject(self, **rule: Any) -> None:
        """Add a fault rule."""
        self.admin("POST", "faults", json=rule)

    def sent(self) -> int:
        """API requests the simulator received (zone lookups excluded)."""
        requests = self.admin("GET", "counters")["requests"]
        return sum(
            n
            for endpoint, by in requests.items()
            for n in by.values()
            if endpoint != "zoneInformation"
        )

    def statuses(self, endpoint: str) -> list[int]:
        """HTTP statuses the simulator answered on one endpoint."""
        log = self.admin("GET", "requests", params={"endpoint": endpoint, "limit": 0})
        return [r["status"] for r in log["requests"]]


def _serve(config: AutotaskSimConfig) -> Iterator[Served]:
    sim = AutotaskSimulator(config)
    orders = [ScenarioOrder(po_number=f"PO-{i:03d}", lines=[LINE]) for i in range(12)]
    summary = sim.load_scenario(Scenario(orders=orders))
    with SimulatorServer(sim.app) as server:
        yield Served(sim, server.url, list(dict(summary.purchase_orders).values()))


@pytest.fixture
def served() -> Iterator[Served]:
    """A fresh simulator whose requests hold their thread slot for a moment."""
    yield from _serve(AutotaskSimConfig(processing_delay_s=0.03))


def _client(served: Served, budget: AutotaskBudget | None, **kwargs: Any) -> AutotaskClient:
    config = served.sim.config
    creds = AutotaskCredentials(
        username=config.username, secret=config.secret, integration_code=config.integration_code
    )
    kwargs.setdefault("retry", FAST)
    return AutotaskClient(
        credentials=creds,
        zone_lookup_url=f"{served.url}/atservicesrest/v1.0/zoneInformation",
        budget=budget,
        **kwargs,
    )


async def _read_until_refused(client: AutotaskClient, po_id: int) -> tuple[int, BudgetExhausted]:
    for done in range(1000):
        try:
            await client.get("PurchaseOrders", po_id)
        except BudgetExhausted as exc:
            return done, exc
    raise AssertionError("the budget never ran out")


@pytest.mark.parametrize(("others", "allowance"), [(0, 50), (60, 25), (80, 12)])
async def test_the_client_stops_at_its_share_and_slows_down_when_the_database_is_busy(
    served: Served, others: int, allowance: int
) -> None:
    served.set_usage(current=others, threshold=100)
    budget = AutotaskBudget(share=0.5, max_wait_s=0.0)
    async with _client(served, budget) as client:
        reads, refused = await _read_until_refused(client, served.po_ids[0])
        assert served.sent() == allowance  # the threshold poll counts against the share
        assert reads == allowance - 1
        assert client.stats.requests == {
            "ZoneInformation": 1,
            "ThresholdInformation": 1,
            "PurchaseOrders": allowance - 1,
        }
        assert client.stats.budget_exhausted == 1
        with pytest.raises(BudgetExhausted):
            await client.get("PurchaseOrders", served.po_ids[1])
        assert served.sent() == allowance  # nothing more was sent
    now = datetime.now(UTC)
    assert refused.free_at is not None
    assert now + timedelta(minutes=59) < refused.free_at <= now + timedelta(minutes=60)
    assert served.admin("GET", "threshold")["current"] == others + allowance


async def test_a_locked_out_database_stops_the_cycle_without_hammering(served: Served) -> None:
    served.set_usage(current=100, threshold=100)
    budget = AutotaskBudget(max_wait_s=1.0, lockout_s=600)
    async with _client(served, budget) as client:
        with pytest.raises(BudgetExhausted) as caught:
            await client.get("PurchaseOrders", served.po_ids[0])
        polled = served.sent()
        assert polled == FAST.attempts  # the poll met the lock-out and gave up
        assert served.statuses("ThresholdInformation") == [429] * polled
        for po_id in served.po_ids:
            with pytest.raises(BudgetExhausted):
                await client.get("PurchaseOrders", po_id)
        assert served.sent() == polled  # the rest of the cycle sent nothing
        assert client.stats.faults == {"http_429": polled}
        assert client.stats.budget_exhausted == 1 + len(served.po_ids)
    assert caught.value.retry_after == pytest.approx(600, abs=5)


async def test_an_hourly_429_is_retried_through_the_budget_and_counted(served: Served) -> None:
    served.inject(kind="http_429", endpoint="PurchaseOrders", count=2)
    async with _client(served, AutotaskBudget()) as client:
        item = await client.get("PurchaseOrders", served.po_ids[3])
        stats = client.stats
    assert item is not None
    assert item["id"] == served.po_ids[3]
    assert served.admin("GET", "counters")["faults"]["PurchaseOrders"] == {"http_429": 2}
    assert stats.faults == {"http_429": 2}
    assert stats.retries == {"PurchaseOrders": 2}
    assert stats.retries_by_kind == {"http_429": 2}
    assert stats.budget_waits == 2  # each retry waited out the pause inside the budget


async def test_a_long_retry_after_locks_the_budget_until_then(served: Served) -> None:
    served.inject(kind="http_429", endpoint="PurchaseOrders", count=1, retry_after=120)
    async with _client(served, AutotaskBudget()) as client:
        with pytest.raises(BudgetExhausted) as caught:
            await client.get("PurchaseOrders", served.po_ids[0])
        sent = served.sent()
        with pytest.raises(BudgetExhausted):
            await client.get("Products", 1)
        assert served.sent() == sent
    assert caught.value.retry_after == pytest.approx(120, abs=2)


async def _burst(client: AutotaskClient, po_ids: list[int]) -> None:
    async with anyio.create_task_group() as tg:
        for po_id in po_ids * 2:
            tg.start_soon(client.get, "PurchaseOrders", po_id)


async def test_the_budget_thread_cap_keeps_below_the_thread_limit(served: Served) -> None:
    budget = AutotaskBudget(threads_per_endpoint=3)
    async with _client(served, budget, threads_per_endpoint=8, retry=RetryPolicy.never()) as c:
        await _burst(c, served.po_ids)  # the client would allow 8; the budget caps at 3
        assert c.stats.faults == {}
    assert set(served.statuses("PurchaseOrders")) == {200}


async def test_thread_limit_rejections_are_retried_transparently_and_counted(
    served: Served,
) -> None:
    eager = _client(served, AutotaskBudget(threads_per_endpoint=8), retry=RetryPolicy.never())
    async with eager:
        with pytest.raises(ExceptionGroup) as caught:
            await _burst(eager, served.po_ids)  # above the simulator's limit, without retries
    assert caught.value.subgroup(ThreadLimited) is not None
    served.admin("DELETE", "counters")
    patient = RetryPolicy(attempts=30, initial_backoff_s=0.01, max_backoff_s=0.05)
    async with _client(served, AutotaskBudget(threads_per_endpoint=8), retry=patient) as client:
        await _burst(client, served.po_ids)
        stats = client.stats
    rejected = served.statuses("PurchaseOrders").count(429)
    assert rejected > 0
    assert stats.faults == {"thread_limit": rejected}
    assert stats.retries_by_kind == {"thread_limit": rejected}
    assert stats.requests["PurchaseOrders"] == 2 * len(served.po_ids) + rejected


async def test_stats_match_the_simulators_fault_counters(served: Served) -> None:
    served.inject(kind="http_503", endpoint="PurchaseOrders", count=1)
    served.inject(kind="drop", endpoint="Products", count=1)
    served.inject(kind="timeout", endpoint="PurchaseOrderItems", count=1, timeout_s=2)
    async with _client(served, AutotaskBudget(), timeout_s=0.5) as client:
        await client.get("PurchaseOrders", served.po_ids[0])
        await client.get("Products", 1)
        await client.get("PurchaseOrderItems", 1)
        served.inject(kind="malformed", endpoint="PurchaseOrders", count=1)
        with pytest.raises(Exception, match="not JSON"):
            await client.get("PurchaseOrders", served.po_ids[0])
        stats = client.stats
    faults = served.admin("GET", "counters")["faults"]
    assert faults == {
        "PurchaseOrders": {"http_503": 1, "malformed": 1},
        "Products": {"drop": 1},
        "PurchaseOrderItems": {"timeout": 1},
    }
    assert stats.faults_by_endpoint == {
        "PurchaseOrders": {"http_5xx": 1, "bad_payload": 1},
        "Products": {"dropped": 1},
        "PurchaseOrderItems": {"timeout": 1},
    }
    assert stats.retries == {"PurchaseOrders": 1, "Products": 1, "PurchaseOrderItems": 1}
    requests = served.admin("GET", "counters")["requests"]
    for endpoint, sent in stats.requests.items():
        if endpoint != "ZoneInformation":
            assert sum(requests[endpoint].values()) == sent


@pytest.mark.parametrize("kind", ["http_503", "drop"])
async def test_a_create_is_never_sent_twice(served: Served, kind: str) -> None:
    served.inject(kind=kind, endpoint="PurchaseOrders", method="POST", count=1)
    async with _client(served, AutotaskBudget()) as client:
        with pytest.raises(Exception, match="PurchaseOrders"):
            await client.create("PurchaseOrders", {"vendorID": 1, "status": 1})
        assert client.stats.retries == {}
    assert served.admin("GET", "counters")["requests"]["PurchaseOrders"] == {"POST": 1}


async def test_the_threshold_is_polled_once_per_interval(served: Served) -> None:
    clock = [datetime.now(UTC)]
    budget = AutotaskBudget(threshold_poll_s=300, clock=lambda: clock[0])
    async with _client(served, budget) as client:
        for po_id in served.po_ids[:5]:
            await client.get("PurchaseOrders", po_id)
        assert client.request_count["ThresholdInformation"] == 1
        clock[0] += timedelta(seconds=301)
        await client.get("PurchaseOrders", served.po_ids[5])
        await client.get("PurchaseOrders", served.po_ids[6])
        assert client.request_count["ThresholdInformation"] == 2
        status = await budget.status(client.database)
    assert client.database.endswith(f"/ci={served.sim.config.ci}")
    assert status.used == 7 + 2
    assert status.total_usage is not None
