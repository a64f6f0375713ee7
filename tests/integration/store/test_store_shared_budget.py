"""The Autotask request budget in the store: several processes spend one count (ADR 44).

Each test runs on a real SQLite file and on the real PostgreSQL server. "Processes" are separate
``SqlStore`` objects (each with its own engine and connection pool) on one database, used from
several threads at once, and ``AutotaskBudget`` objects on top of them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import anyio
import pytest
from sqlalchemy import text

from orderbridge.adapters import RetryPolicy
from orderbridge.adapters.autotask import (
    AutotaskBudget,
    BudgetExhausted,
    SharedBudgetStore,
    ThreadLimited,
)
from orderbridge.adapters.autotask._budget import MemoryBudgetStore, ThresholdReading
from orderbridge.adapters.store import SqlStore
from orderbridge.ports import ThresholdInfo
from orderbridge.simulators.autotask import AutotaskSimConfig
from tests.integration.adapters.test_autotask_budget import Served, _client, _serve

AT = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DB = "webservices2.autotask.net/ci=42"


@pytest.fixture
def second_store(database_url: str, store: SqlStore) -> Iterator[SqlStore]:
    """Another process's store on the same database (``store`` migrated it first)."""
    other = SqlStore.open(database_url)
    try:
        yield other
    finally:
        other.close()


def _take(store: SqlStore, now: datetime, allowance: int) -> datetime | None:
    """Count one request (its slot is claimed for the length of the test, or none is free)."""
    claim = (3, "a test", HOUR)
    return store.budget_take_and_claim(DB, "purchaseorders", (now, HOUR, allowance), claim)[0]


def test_concurrent_takers_in_two_processes_never_pass_the_allowance(
    store: SqlStore, second_store: SqlStore
) -> None:
    allowance, attempts = 40, 120

    def take(i: int) -> bool:
        chosen = store if i % 2 else second_store
        return _take(chosen, AT + timedelta(milliseconds=i), allowance) is None

    with ThreadPoolExecutor(max_workers=6) as pool:
        granted = sum(pool.map(take, range(attempts)))
    assert granted == allowance
    later = AT + timedelta(seconds=1)
    assert store.budget_used(DB, later, HOUR) == allowance
    assert second_store.budget_used("another.example/ci=7", later, HOUR) == 0


def test_a_full_window_says_when_a_slot_frees_up_as_the_memory_store_does(
    store: SqlStore,
) -> None:
    memory = MemoryBudgetStore()
    moments = [AT + timedelta(minutes=m) for m in (0, 5, 10, 15, 20)]
    for allowance in (3, 2):
        for now in moments:
            shared = _take(store, now, allowance)
            alone = anyio.run(_memory_take, memory, now, allowance)
            assert shared == alone, (allowance, now)
    # requests older than the window stop counting
    assert store.budget_used(DB, AT + timedelta(minutes=61), HOUR) == 2


def test_lock_outs_keep_the_later_end_and_readings_round_trip(
    store: SqlStore, second_store: SqlStore
) -> None:
    assert store.budget_locked_until(DB) is None
    store.budget_lock_out(DB, AT + timedelta(minutes=5))
    second_store.budget_lock_out(DB, AT + timedelta(minutes=2))  # earlier: the later one stands
    assert second_store.budget_locked_until(DB) == AT + timedelta(minutes=5)
    assert store.budget_reading(DB) is None
    assert store.budget_look("another database") == (None, None)
    store.budget_save_reading(DB, '{"x": 1}')
    assert second_store.budget_reading(DB) == '{"x": 1}'
    assert second_store.budget_look(DB) == (AT + timedelta(minutes=5), '{"x": 1}')


async def _memory_take(memory: MemoryBudgetStore, now: datetime, allowance: int) -> datetime | None:
    return await memory.take(DB, now=now, window=HOUR, allowance=allowance)


def _budget(store: SqlStore, clock: list[datetime]) -> AutotaskBudget:
    return AutotaskBudget(
        max_requests_per_hour=10,
        threshold_poll_s=None,
        max_wait_s=0,
        store=SharedBudgetStore(store),
        clock=lambda: clock[0],
    )


async def _spend(budget: AutotaskBudget, n: int) -> int:
    sent = 0
    for _ in range(n):
        try:
            ticket = await budget.acquire("PurchaseOrders", database=DB)
        except BudgetExhausted:
            continue
        await budget.release(ticket)
        sent += 1
    return sent


def test_two_workers_share_one_budget_and_a_restart_remembers_it(
    store: SqlStore, second_store: SqlStore
) -> None:
    clock = [AT]
    first, second = _budget(store, clock), _budget(second_store, clock)

    async def both() -> tuple[int, int]:
        return await _spend(first, 7), await _spend(second, 7)

    assert anyio.run(both) == (7, 3)  # ten an hour between them, not ten each
    restarted = _budget(store, clock)  # a new process: nothing of the hour in its memory
    assert anyio.run(_spend, restarted, 1) == 0
    status = anyio.run(restarted.status, DB)
    assert (status.used, status.allowance) == (10, 10)
    clock[0] = AT + HOUR + timedelta(seconds=1)
    assert anyio.run(_spend, restarted, 3) == 3


def test_a_threshold_reading_and_a_lock_out_reach_the_other_worker(
    store: SqlStore, second_store: SqlStore
) -> None:
    clock = [AT]
    first, second = _budget(store, clock), _budget(second_store, clock)
    full = ThresholdInfo(threshold=10_000, timeframe_minutes=60, current=10_000)
    anyio.run(first.observe, DB, full)
    with pytest.raises(BudgetExhausted, match="threshold reached"):
        anyio.run(lambda: second.acquire("PurchaseOrders", database=DB))
    shared = anyio.run(lambda: SharedBudgetStore(second_store).reading(DB))
    assert isinstance(shared, ThresholdReading)
    assert shared.info == full


# -- concurrent-request slots shared by every process ---------------------------------------


def test_a_slot_is_claimed_once_freed_by_its_holder_and_expires(
    store: SqlStore, second_store: SqlStore
) -> None:
    ttl = timedelta(seconds=60)
    claim = store.budget_claim_thread
    assert [claim(DB, "purchaseorders", 3, "a", AT, ttl) for _ in range(3)] == [0, 1, 2]
    assert second_store.budget_claim_thread(DB, "purchaseorders", 3, "b", AT, ttl) is None
    assert second_store.budget_claim_thread(DB, "products", 3, "b", AT, ttl) == 0  # per endpoint
    second_store.budget_free_thread(DB, "purchaseorders", 1, "b")  # not b's: nothing freed
    assert second_store.budget_claim_thread(DB, "purchaseorders", 3, "b", AT, ttl) is None
    store.budget_free_thread(DB, "purchaseorders", 1, "a")
    assert second_store.budget_claim_thread(DB, "purchaseorders", 3, "b", AT, ttl) == 1
    # a holder that died: its slots free themselves when their time runs out
    later = AT + ttl
    assert second_store.budget_claim_thread(DB, "purchaseorders", 3, "b", later, ttl) == 0
    # fewer slots configured than rows kept: only the first ones count
    assert store.budget_claim_thread(DB, "purchaseorders", 1, "a", later, ttl) is None


def test_a_request_is_counted_and_given_a_slot_in_one_write(
    store: SqlStore, second_store: SqlStore
) -> None:
    ttl = timedelta(seconds=60)

    def take(who: SqlStore, holder: str) -> tuple[datetime | None, int | None]:
        return who.budget_take_and_claim(DB, "purchaseorders", (AT, HOUR, 3), (2, holder, ttl))

    assert take(store, "a") == (None, 0)
    assert take(second_store, "b") == (None, 1)
    assert take(store, "a") == (None, None)  # counted; both slots held: claim one later
    assert store.budget_used(DB, AT, HOUR) == 3
    assert take(second_store, "b") == (AT + HOUR, None)  # the window is full: nothing counted
    assert store.budget_used(DB, AT, HOUR) == 3
    store.budget_free_thread(DB, "purchaseorders", 0, "a")
    assert second_store.budget_claim_thread(DB, "purchaseorders", 2, "b", AT, ttl) == 0


def test_racing_processes_never_hold_more_slots_than_the_limit(
    store: SqlStore, second_store: SqlStore
) -> None:
    ttl = timedelta(seconds=60)

    def claim(i: int) -> int | None:
        chosen = store if i % 2 else second_store
        return chosen.budget_claim_thread(DB, "purchaseorders", 3, f"p{i}", AT, ttl)

    with ThreadPoolExecutor(max_workers=6) as pool:
        slots = [s for s in pool.map(claim, range(24)) if s is not None]
    assert sorted(slots) == [0, 1, 2]


async def _two_processes_burst(served: Served, stores: Sequence[SharedBudgetStore | None]) -> None:
    async def burst(budget: AutotaskBudget) -> None:
        client = _client(served, budget, threads_per_endpoint=3, retry=RetryPolicy.never())
        async with client, anyio.create_task_group() as tg:
            for po_id in served.po_ids * 2:
                tg.start_soon(client.get, "PurchaseOrders", po_id)

    async with anyio.create_task_group() as tg:
        for shared in stores:
            tg.start_soon(burst, AutotaskBudget(threads_per_endpoint=3, store=shared))


def test_two_processes_stay_within_autotasks_thread_limit_between_them(
    store: SqlStore, second_store: SqlStore
) -> None:
    slow = AutotaskSimConfig(processing_delay_s=0.05)
    for served in _serve(slow):
        # each process alone keeps to 3; together, counting only in memory, they reach 6
        with pytest.raises(ExceptionGroup) as caught:
            anyio.run(_two_processes_burst, served, [None, None])
        assert caught.value.subgroup(ThreadLimited) is not None
    for served in _serve(slow):
        shared = [SharedBudgetStore(store), SharedBudgetStore(second_store)]
        anyio.run(_two_processes_burst, served, shared)
        assert set(served.statuses("PurchaseOrders")) == {200}
        assert len(served.statuses("PurchaseOrders")) == 2 * 2 * len(served.po_ids)
        with store.engine.connect() as connection:  # every slot was given back
            holders = connection.execute(text("SELECT holder FROM autotask_thread_slot"))
            assert {h for (h,) in holders} == {None}
