"""The shared budget store when the store does not answer: this process counts on its own."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import pytest

from orderbridge.adapters.autotask import AutotaskBudget, SharedBudgetStore
from orderbridge.adapters.autotask._budget import ThresholdReading
from orderbridge.ports import ThresholdInfo

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DB = "webservices5.autotask.net/ci=100001"


class FlakyTable:
    """A store table that can be switched off; counts like the real one while on."""

    def __init__(self) -> None:
        self.down = False
        self.sent: list[datetime] = []
        self.locked: datetime | None = None
        self.text: str | None = None
        self.held: dict[int, str] = {}

    def _check(self) -> None:
        if self.down:
            raise RuntimeError("could not connect to server: Connection refused")

    def _take(self, now: datetime, window: timedelta, allowance: int) -> datetime | None:
        self._check()
        self.sent = [t for t in self.sent if t > now - window]
        if len(self.sent) < allowance:
            self.sent.append(now)
            return None
        return self.sent[len(self.sent) - allowance] + window

    def budget_used(self, database: str, now: datetime, window: timedelta) -> int:
        self._check()
        return len([t for t in self.sent if t > now - window])

    def budget_lock_out(self, database: str, until: datetime) -> None:
        self._check()
        self.locked = max(until, self.locked or until)

    def budget_locked_until(self, database: str) -> datetime | None:
        self._check()
        return self.locked

    def budget_save_reading(self, database: str, text: str) -> None:
        self._check()
        self.text = text

    def budget_reading(self, database: str) -> str | None:
        self._check()
        return self.text

    def budget_take_and_claim(
        self,
        database: str,
        endpoint: str,
        take: tuple[datetime, timedelta, int],
        claim: tuple[int, str, timedelta],
    ) -> tuple[datetime | None, int | None]:
        # through the class, so that a counting table sees one call
        free_at = FlakyTable._take(self, *take)
        if free_at is not None:
            return free_at, None
        slots, holder, ttl = claim
        return None, FlakyTable.budget_claim_thread(
            self, database, endpoint, slots, holder, T0, ttl
        )

    def budget_look(self, database: str) -> tuple[datetime | None, str | None]:
        self._check()
        return self.locked, self.text

    def budget_claim_thread(
        self,
        database: str,
        endpoint: str,
        slots: int,
        holder: str,
        now: datetime,
        ttl: timedelta,
    ) -> int | None:
        self._check()
        free = [n for n in range(slots) if n not in self.held]
        if not free:
            return None
        self.held[free[0]] = holder
        return free[0]

    def budget_free_thread(self, database: str, endpoint: str, slot: int, holder: str) -> None:
        self._check()
        if self.held.get(slot) == holder:
            del self.held[slot]


def test_a_store_that_stops_answering_is_said_once_and_this_process_counts_alone(
    caplog: pytest.LogCaptureFixture,
) -> None:
    table = FlakyTable()
    shared = SharedBudgetStore(table)

    async def take() -> datetime | None:
        free_at, slot = await shared.take_and_claim(
            DB, "purchaseorders", now=T0, window=HOUR, allowance=2, slots=10
        )
        if slot is not None:
            await shared.free_thread(DB, "purchaseorders", slot)
        return free_at

    async def scenario() -> list[datetime | None]:
        answers = [await take()]
        table.down = True
        for _ in range(3):  # memory knows nothing of the shared count: two more, then full
            answers.append(await take())
        table.down = False
        answers.append(await take())
        return answers

    with caplog.at_level(logging.INFO, logger="orderbridge.adapters.autotask._budget_shared"):
        answers = anyio.run(scenario)
    assert answers == [None, None, None, T0 + HOUR, None]
    assert len(table.sent) == 2
    unavailable = [r for r in caplog.records if "unavailable" in r.getMessage()]
    assert len(unavailable) == 1
    assert any("answers again" in r.getMessage() for r in caplog.records)


def test_lock_outs_hold_in_memory_even_while_the_store_is_down() -> None:
    table = FlakyTable()
    shared = SharedBudgetStore(table)

    async def scenario() -> datetime | None:
        table.down = True
        await shared.lock_out(DB, T0 + HOUR)
        return await shared.locked_until(DB)

    assert anyio.run(scenario) == T0 + HOUR


def test_readings_round_trip_and_an_unreadable_one_counts_as_none() -> None:
    table = FlakyTable()
    shared = SharedBudgetStore(table)
    reading = ThresholdReading(ThresholdInfo(10_000, 60, 1_234), T0, T0 + timedelta(seconds=5))
    anyio.run(shared.save_reading, DB, reading)
    assert anyio.run(shared.reading, DB) == reading
    table.text = "{not json"
    assert anyio.run(shared.reading, DB) is None


def test_request_slots_are_shared_and_a_silent_store_leaves_this_process_its_own_cap() -> None:
    table = FlakyTable()
    shared = SharedBudgetStore(table)

    async def scenario() -> list[int | None]:
        got = [await shared.claim_thread(DB, "purchaseorders", slots=2, now=T0) for _ in range(3)]
        await shared.free_thread(DB, "purchaseorders", 0)
        got.append(await shared.claim_thread(DB, "purchaseorders", slots=2, now=T0))
        table.down = True
        got.append(await shared.claim_thread(DB, "purchaseorders", slots=2, now=T0))
        await shared.free_thread(DB, "purchaseorders", -1)  # nothing to give back
        return got

    assert anyio.run(scenario) == [0, 1, None, 0, -1]
    assert set(table.held) == {0, 1}


def test_a_look_reads_the_lock_out_and_the_reading_together_or_this_process_s_own() -> None:
    table = FlakyTable()
    shared = SharedBudgetStore(table)
    reading = ThresholdReading(ThresholdInfo(10_000, 60, 42), T0, T0)

    async def scenario() -> tuple[Any, Any, Any]:
        await shared.save_reading(DB, reading)
        table.locked = T0 + HOUR  # another process's lock-out
        both = await shared.look(DB)
        await shared.lock_out(DB, T0 + 2 * HOUR)  # this process's later one wins
        later = await shared.look(DB)
        table.down = True
        alone = await shared.look(DB)
        return both, later, alone

    both, later, alone = anyio.run(scenario)
    assert (both.locked_until, both.reading) == (T0 + HOUR, reading)
    assert later.locked_until == T0 + 2 * HOUR
    assert (alone.locked_until, alone.reading) == (T0 + 2 * HOUR, reading)  # kept in memory too


class CountingTable(FlakyTable):
    """A store table that records which of its methods a request calls."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def __getattribute__(self, name: str) -> Any:
        if name.startswith("budget_"):
            object.__getattribute__(self, "calls").append(name.removeprefix("budget_"))
        return object.__getattribute__(self, name)


def test_a_request_costs_the_shared_store_one_read_and_two_writes() -> None:
    table = CountingTable()
    budget = AutotaskBudget(
        max_requests_per_hour=10,
        threshold_poll_s=None,
        max_wait_s=0,
        store=SharedBudgetStore(table),
        clock=lambda: T0,
    )

    async def one_request() -> None:
        await budget.release(await budget.acquire("PurchaseOrders", database=DB))

    anyio.run(one_request)
    assert table.calls == ["look", "take_and_claim", "free_thread"]
    assert table.held == {}
    assert len(table.sent) == 1


def test_a_request_that_finds_every_slot_taken_claims_one_once_freed() -> None:
    table = FlakyTable()
    table.held = {0: "another process", 1: "another process", 2: "another process"}
    clock_now = [T0]

    async def free_soon(seconds: float) -> None:
        clock_now[0] += timedelta(seconds=seconds)
        table.held.pop(2, None)  # the other process's request ends

    budget = AutotaskBudget(
        max_requests_per_hour=10,
        threshold_poll_s=None,
        max_wait_s=0,
        store=SharedBudgetStore(table),
        clock=lambda: clock_now[0],
        sleep=free_soon,
    )

    async def one_request() -> int | None:
        ticket = await budget.acquire("PurchaseOrders", database=DB)
        slot = ticket.slot
        await budget.release(ticket)
        return slot

    assert anyio.run(one_request) == 2
    assert len(table.sent) == 1  # counted once, however long the slot took
    assert 2 not in table.held
