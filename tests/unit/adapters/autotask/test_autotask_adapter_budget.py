"""The Autotask request budget's arithmetic, on an injected clock (no real waiting)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TypedDict, Unpack

import anyio
import pytest

from orderbridge.adapters.autotask import (
    AutotaskBudget,
    BudgetExhausted,
    RateLimited,
)
from orderbridge.adapters.autotask._budget import (
    BudgetLook,
    BudgetStore,
    MemoryBudgetStore,
    ThresholdReading,
    database_key,
    zone_ci,
)
from orderbridge.adapters.autotask._errors import fault_kind
from orderbridge.adapters.autotask._service_info import ThresholdInfo
from orderbridge.ports import BudgetExhausted as PortBudgetExhausted
from orderbridge.ports import UpstreamRateLimited

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DB = "webservices5.autotask.net/ci=100001"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class FakeClock:
    """A clock that only moves when told to, or when the budget sleeps."""

    def __init__(self) -> None:
        self.now = T0
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)


class BudgetOptions(TypedDict, total=False):
    """``AutotaskBudget`` settings a test may give (the clock and sleep come from ``FakeClock``)."""

    share: float
    max_requests_per_hour: int | None
    threads_per_endpoint: int
    threshold_poll_s: float | None
    max_wait_s: float
    lockout_s: float
    assumed_threshold: int
    slowdown: tuple[tuple[float, float], ...]
    store: BudgetStore | None


def budget(clock: FakeClock, **options: Unpack[BudgetOptions]) -> AutotaskBudget:
    options.setdefault("max_wait_s", 0.0)
    return AutotaskBudget(clock=clock, sleep=clock.sleep, **options)


async def spend(b: AutotaskBudget, endpoint: str = "PurchaseOrders") -> int:
    """Acquire and release until the budget refuses; how many were granted."""
    granted = 0
    while True:
        try:
            ticket = await b.acquire(endpoint, database=DB)
        except BudgetExhausted:
            return granted
        await b.release(ticket)
        granted += 1
        assert granted < 100_000


def info(current: int, threshold: int = 100) -> ThresholdInfo:
    return ThresholdInfo(threshold=threshold, timeframe_minutes=60, current=current)


async def test_half_of_the_reported_threshold_is_the_default_allowance() -> None:
    clock = FakeClock()
    b = budget(clock)
    await b.observe(DB, info(current=0, threshold=100))
    assert await spend(b) == 50
    status = await b.status(DB)
    assert (status.allowance, status.used, status.timeframe_minutes) == (50, 50, 60)


async def test_share_and_absolute_limit_are_configurable() -> None:
    clock = FakeClock()
    b = budget(clock, share=0.2)
    await b.observe(DB, info(current=0, threshold=1000))
    assert await spend(b) == 200
    absolute = budget(FakeClock(), max_requests_per_hour=7)
    await absolute.observe(DB, info(current=0, threshold=1000))
    assert await spend(absolute) == 7


async def test_without_a_reading_the_assumed_threshold_stands_in() -> None:
    b = budget(FakeClock(), assumed_threshold=40)
    assert await spend(b) == 20
    assert b.allowance(None) == (20, timedelta(minutes=60))


async def test_the_window_rolls_and_free_at_is_when_the_oldest_request_ages_out() -> None:
    clock = FakeClock()
    b = budget(clock, max_requests_per_hour=3)
    for _ in range(3):
        await b.release(await b.acquire("PurchaseOrders", database=DB))
        clock.advance(600)  # one request every ten minutes
    with pytest.raises(BudgetExhausted) as caught:
        await b.acquire("PurchaseOrders", database=DB)
    assert caught.value.free_at == T0 + timedelta(minutes=60)
    assert caught.value.retry_after == pytest.approx(30 * 60)
    clock.now = T0 + timedelta(minutes=60)
    await b.release(await b.acquire("PurchaseOrders", database=DB))  # the first one aged out
    with pytest.raises(BudgetExhausted) as again:
        await b.acquire("PurchaseOrders", database=DB)
    assert again.value.free_at == T0 + timedelta(minutes=70)


@pytest.mark.parametrize(
    ("current", "expected"), [(0, 50), (49, 50), (50, 25), (74, 25), (75, 12), (80, 12)]
)
async def test_total_database_usage_slows_orderbridge_down(current: int, expected: int) -> None:
    b = budget(FakeClock())
    await b.observe(DB, info(current=current, threshold=100))
    assert b.allowance(info(current))[0] == expected
    assert await spend(b) == expected


async def test_slowdown_bands_are_configurable() -> None:
    b = budget(FakeClock(), slowdown=((0.3, 0.1),))
    assert b.slowdown_factor(0.29) == 1.0
    assert b.slowdown_factor(0.3) == 0.1
    assert b.slowdown_factor(0.9) == 0.1


async def test_exhaustion_is_a_typed_port_error_that_is_never_retried() -> None:
    clock = FakeClock()
    b = budget(clock, max_requests_per_hour=1)
    await b.release(await b.acquire("PurchaseOrders", database=DB))
    with pytest.raises(BudgetExhausted, match="1 of 1 requests") as caught:
        await b.acquire("PurchaseOrderItems", database=DB)
    err = caught.value
    assert isinstance(err, PortBudgetExhausted)
    assert isinstance(err, UpstreamRateLimited)
    assert not isinstance(err, RateLimited)
    assert fault_kind(err) is None  # not a failed request: the retry loop raises it at once
    assert err.endpoint == "PurchaseOrderItems"
    assert err.database == DB
    assert err.free_at == T0 + timedelta(hours=1)
    assert (await b.status(DB)).used == 1  # the refused request was not counted


async def test_a_short_wait_waits_and_a_long_one_raises() -> None:
    clock = FakeClock()
    b = budget(clock, max_requests_per_hour=2, max_wait_s=2.0)
    await b.release(await b.acquire("PurchaseOrders", database=DB))
    clock.advance(3600 - 1.5)
    await b.release(await b.acquire("PurchaseOrders", database=DB))
    ticket = await b.acquire("PurchaseOrders", database=DB)  # the first frees in 1.5 s
    await b.release(ticket)
    assert clock.slept == [pytest.approx(1.5)]
    assert ticket.waited_s == pytest.approx(1.5)
    with pytest.raises(BudgetExhausted):
        await b.acquire("PurchaseOrders", database=DB)  # next frees in ~3598 s
    assert len(clock.slept) == 1


async def test_at_most_n_requests_per_endpoint_are_in_flight() -> None:
    b = budget(FakeClock(), threads_per_endpoint=3)
    in_flight: dict[str, int] = {}
    peak: dict[str, int] = {}
    gate = anyio.Event()

    async def request(endpoint: str) -> None:
        ticket = await b.acquire(endpoint, database=DB)
        in_flight[endpoint] = in_flight.get(endpoint, 0) + 1
        peak[endpoint] = max(peak.get(endpoint, 0), in_flight[endpoint])
        await gate.wait()
        await anyio.sleep(0.001)
        in_flight[endpoint] -= 1
        await b.release(ticket)

    async with anyio.create_task_group() as tg:
        for endpoint in ["PurchaseOrders"] * 8 + ["Products"] * 5 + ["ThresholdInformation"] * 3:
            tg.start_soon(request, endpoint)
        await anyio.wait_all_tasks_blocked()  # every request holds a thread or waits for one
        gate.set()
    assert peak == {"PurchaseOrders": 3, "Products": 3, "ThresholdInformation": 1}


async def test_release_is_idempotent_and_a_refusal_frees_the_thread() -> None:
    b = budget(FakeClock(), threads_per_endpoint=1, max_requests_per_hour=1)
    ticket = await b.acquire("PurchaseOrders", database=DB)
    await b.release(ticket)
    await b.release(ticket)
    for _ in range(3):
        with pytest.raises(BudgetExhausted):
            await b.acquire("PurchaseOrders", database=DB)
    with anyio.fail_after(1):  # a refused acquire must not keep the only thread slot
        with pytest.raises(BudgetExhausted):
            await b.acquire("PurchaseOrders", database=DB)


class Poller:
    """A ThresholdInformation poll that goes through the budget like the client's does."""

    def __init__(self, b: AutotaskBudget, current: int = 10, fail: bool = False) -> None:
        self.budget = b
        self.current = current
        self.fail = fail
        self.calls = 0

    async def __call__(self) -> ThresholdInfo | None:
        self.calls += 1
        ticket = await self.budget.acquire("ThresholdInformation", database=DB)
        await self.budget.release(ticket)
        return None if self.fail else info(self.current, threshold=1000)


async def test_threshold_is_polled_at_most_every_interval_and_the_poll_counts() -> None:
    clock = FakeClock()
    b = budget(clock, threshold_poll_s=300)
    poll = Poller(b)
    for _ in range(11):  # one request a minute for ten minutes
        await b.release(await b.acquire("PurchaseOrders", database=DB, poll=poll))
        clock.advance(60)
    assert poll.calls == 3  # at 0, 5 and 10 minutes
    assert (await b.status(DB)).used == 11 + 3


async def test_a_failed_poll_is_not_repeated_before_the_interval() -> None:
    clock = FakeClock()
    b = budget(clock, threshold_poll_s=300)
    poll = Poller(b, fail=True)
    for _ in range(4):
        await b.release(await b.acquire("PurchaseOrders", database=DB, poll=poll))
        clock.advance(60)
    assert poll.calls == 1
    assert (await b.status(DB)).allowance == 5000  # still the assumed 10,000


async def test_polling_can_be_switched_off() -> None:
    b = budget(FakeClock(), threshold_poll_s=None)
    poll = Poller(b)
    await b.release(await b.acquire("PurchaseOrders", database=DB, poll=poll))
    assert poll.calls == 0


async def test_a_reading_at_the_threshold_locks_out_then_repolls() -> None:
    clock = FakeClock()
    b = budget(clock, lockout_s=600, threshold_poll_s=300)
    poll = Poller(b, current=1000)
    with pytest.raises(BudgetExhausted, match="hourly threshold reached") as caught:
        await b.acquire("PurchaseOrders", database=DB, poll=poll)
    assert caught.value.free_at == T0 + timedelta(seconds=600)
    clock.advance(400)
    with pytest.raises(BudgetExhausted):
        await b.acquire("PurchaseOrders", database=DB, poll=poll)
    assert poll.calls == 1  # no polling while locked out
    clock.advance(201)
    poll.current = 100
    await b.release(await b.acquire("PurchaseOrders", database=DB, poll=poll))
    assert poll.calls == 2  # the first request after the lock-out reads the threshold again


async def test_hourly_429_pauses_briefly_or_locks_out() -> None:
    clock = FakeClock()
    b = budget(clock, max_wait_s=2.0, lockout_s=900)
    await b.rate_limited(DB, "PurchaseOrders", retry_in_s=1.0, retry_after_s=None)
    ticket = await b.acquire("Products", database=DB)  # everyone waits out the pause
    await b.release(ticket)
    assert ticket.waited_s == pytest.approx(1.0)
    with pytest.raises(BudgetExhausted) as hinted:
        await b.rate_limited(DB, "PurchaseOrders", retry_in_s=None, retry_after_s=120.0)
    assert hinted.value.free_at == clock.now + timedelta(seconds=120)
    with pytest.raises(BudgetExhausted) as unhinted:
        await b.rate_limited(DB, "PurchaseOrders", retry_in_s=30.0, retry_after_s=None)
    assert unhinted.value.free_at == clock.now + timedelta(seconds=900)
    with pytest.raises(BudgetExhausted):
        await b.acquire("Products", database=DB)


async def test_databases_are_budgeted_apart() -> None:
    b = budget(FakeClock(), max_requests_per_hour=2)
    other = "webservices2.autotask.net/ci=7"
    for database in (DB, other):
        for _ in range(2):
            await b.release(await b.acquire("PurchaseOrders", database=database))
    assert (await b.status(DB)).used == (await b.status(other)).used == 2


async def test_a_shared_store_shares_one_budget_between_budget_objects() -> None:
    store: BudgetStore = MemoryBudgetStore()
    clock = FakeClock()
    first = budget(clock, max_requests_per_hour=4, store=store)
    second = budget(clock, max_requests_per_hour=4, store=store)
    assert await spend(first) == 4
    assert await spend(second) == 0


def test_database_key_prefers_the_zone_ci_and_falls_back_to_the_user() -> None:
    base = "https://webservices5.autotask.net/ATServicesRest/V1.0/"
    assert database_key(base, ci=100001, username="api@x.com") == DB
    assert database_key(base, ci=None, username="API@x.com") == (
        "webservices5.autotask.net/user=api@x.com"
    )
    assert zone_ci({"zoneName": "x", "url": base, "CI": 42}) == 42
    assert zone_ci({"ci": "17"}) == 17
    assert zone_ci({"ci": True}) is None
    assert zone_ci(["ci"]) is None


@pytest.mark.parametrize(
    "bad",
    [
        {"share": 0},
        {"share": 1.5},
        {"max_requests_per_hour": 0},
        {"threads_per_endpoint": 0},
        {"threshold_poll_s": 0},
        {"lockout_s": 0},
        {"slowdown": ((1.5, 0.5),)},
    ],
)
def test_nonsense_settings_are_refused(bad: BudgetOptions) -> None:
    with pytest.raises(ValueError, match=r"must|are"):
        AutotaskBudget(**bad)


class CountingStore(MemoryBudgetStore):
    """A store that counts the reads a request costs (each is a transaction when shared)."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: list[str] = []

    async def locked_until(self, database: str) -> datetime | None:
        self.reads.append("locked_until")
        return await super().locked_until(database)

    async def reading(self, database: str) -> ThresholdReading | None:
        self.reads.append("reading")
        return await super().reading(database)

    async def look(self, database: str) -> BudgetLook:
        self.reads.append("look")
        return await super().look(database)


async def test_a_request_reads_the_budget_once_when_no_poll_is_due() -> None:
    clock = FakeClock()
    store = CountingStore()
    b = budget(clock, threshold_poll_s=300, store=store)
    poll = Poller(b)
    await b.release(await b.acquire("PurchaseOrders", database=DB, poll=poll))  # polls
    store.reads.clear()
    clock.advance(60)
    await b.release(await b.acquire("PurchaseOrders", database=DB, poll=poll))
    assert poll.calls == 1
    assert store.reads == ["look"]  # the lock-out and the reading, together
    # what was read still decides: a lock-out set meanwhile by another process is seen
    await store.lock_out(DB, clock.now + timedelta(minutes=10))
    with pytest.raises(BudgetExhausted, match="threshold reached"):
        await b.acquire("PurchaseOrders", database=DB, poll=poll)
    assert poll.calls == 1  # no poll while locked out
