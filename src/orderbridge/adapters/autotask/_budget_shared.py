"""A ``BudgetStore`` kept in a shared database, so several processes spend one budget.

``AutotaskBudget`` counts requests in a ``BudgetStore``. The in-memory one serves one process;
this one keeps the count, lock-outs and threshold readings in the orderbridge store (any object
with the ``budget_*`` methods below; the store adapter's ``SqlStore`` is one), so a daemon, a
``sync --once`` from cron and a second worker on one Autotask database never spend more than its
share between them, and a restarted process knows what the last hour already spent.

A store that cannot be read or written must not stop the sync, nor let it spend without
limit: the failure is logged once and this process goes on counting in memory (its own
requests only) until the store answers again.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol, TypeVar

import anyio

from orderbridge.ports import ThresholdInfo

from ._budget import BudgetLook, MemoryBudgetStore, ThresholdReading

__all__ = ["BudgetTable", "SharedBudgetStore"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class _Unavailable:
    """The store did not answer."""


UNAVAILABLE = _Unavailable()
_NOT_SHARED = -1  # a slot taken while the store did not answer


class BudgetTable(Protocol):
    """The store's side (synchronous; run in a worker thread)."""

    def budget_take_and_claim(
        self,
        database: str,
        endpoint: str,
        take: tuple[datetime, timedelta, int],
        claim: tuple[int, str, timedelta],
    ) -> tuple[datetime | None, int | None]:
        """Count one request (now, window, allowance) unless the window is full, then, once
        counted, ``budget_claim_thread`` (slots, holder, ttl), in one transaction."""
        ...

    def budget_used(self, database: str, now: datetime, window: timedelta) -> int:
        """Requests counted in the window ending ``now``."""
        ...

    def budget_lock_out(self, database: str, until: datetime) -> None:
        """Refuse requests until ``until`` (a later lock-out wins)."""
        ...

    def budget_locked_until(self, database: str) -> datetime | None:
        """The end of the lock-out, if one was set."""
        ...

    def budget_save_reading(self, database: str, text: str) -> None:
        """Keep the latest threshold reading (JSON text)."""
        ...

    def budget_reading(self, database: str) -> str | None:
        """The latest threshold reading (JSON text), if any."""
        ...

    def budget_look(self, database: str) -> tuple[datetime | None, str | None]:
        """The lock-out's end and the latest threshold reading (JSON text), in one read."""
        ...

    def budget_claim_thread(
        self,
        database: str,
        endpoint: str,
        slots: int,
        holder: str,
        now: datetime,
        ttl: timedelta,
    ) -> int | None:
        """Claim a free concurrent-request slot for ``ttl`` (None: every one is taken)."""
        ...

    def budget_free_thread(self, database: str, endpoint: str, slot: int, holder: str) -> None:
        """Give a concurrent-request slot back."""
        ...


def _dump(reading: ThresholdReading) -> str:
    info = reading.info
    return json.dumps(
        {
            "info": None
            if info is None
            else [info.threshold, info.timeframe_minutes, info.current],
            "read_at": None if reading.read_at is None else reading.read_at.isoformat(),
            "polled_at": None if reading.polled_at is None else reading.polled_at.isoformat(),
        }
    )


def _load(text: str) -> ThresholdReading | None:
    try:
        data = json.loads(text)
        info = data["info"]
        return ThresholdReading(
            None if info is None else ThresholdInfo(int(info[0]), int(info[1]), int(info[2])),
            None if data["read_at"] is None else datetime.fromisoformat(data["read_at"]),
            None if data["polled_at"] is None else datetime.fromisoformat(data["polled_at"]),
        )
    except (ValueError, TypeError, KeyError, IndexError):
        return None  # unreadable: as if never read (the next request polls afresh)


class SharedBudgetStore:
    """Counts, lock-outs and readings in a shared store; in memory while it does not answer."""

    def __init__(self, table: BudgetTable, *, slot_ttl: timedelta = timedelta(seconds=90)) -> None:
        self._table = table
        self._memory = MemoryBudgetStore()
        self._failing = False
        # How long a claimed concurrent-request slot stays claimed at most: longer than any one
        # request may take (the client's timeout), so only a dead process's slot expires.
        self._slot_ttl = slot_ttl
        self._holder = f"{socket.gethostname()[:120]}/{os.getpid()}/{uuid.uuid4().hex[:12]}"

    async def _shared(self, what: str, call: Callable[[], T]) -> T | _Unavailable:
        try:
            result = await anyio.to_thread.run_sync(call)
        except Exception as exc:  # the store's own error types are not this adapter's to know
            if not self._failing:
                log.warning(
                    "autotask budget store unavailable; counting this process's requests only",
                    extra={"action": what, "error": str(exc)},
                )
            self._failing = True
            return UNAVAILABLE
        if self._failing:
            log.info("autotask budget store answers again", extra={"action": what})
        self._failing = False
        return result

    async def take_and_claim(
        self,
        database: str,
        endpoint: str,
        *,
        now: datetime,
        window: timedelta,
        allowance: int,
        slots: int,
    ) -> tuple[datetime | None, int | None]:
        """Count one request and claim a shared slot in one write (see ``BudgetStore``)."""
        both = partial(
            self._table.budget_take_and_claim,
            database,
            endpoint,
            (now, window, allowance),
            (slots, self._holder, self._slot_ttl),
        )
        found = await self._shared("count", both)
        if isinstance(found, _Unavailable):
            free_at = await self._memory.take(database, now=now, window=window, allowance=allowance)
            return (free_at, None) if free_at is not None else (None, _NOT_SHARED)
        return found

    async def used(self, database: str, *, now: datetime, window: timedelta) -> int:
        """Requests counted in the window ending ``now``."""
        found = await self._shared("used", partial(self._table.budget_used, database, now, window))
        if isinstance(found, _Unavailable):
            return await self._memory.used(database, now=now, window=window)
        return found

    async def lock_out(self, database: str, until: datetime) -> None:
        """Refuse requests until ``until`` (the later lock-out wins); in memory too."""
        await self._memory.lock_out(database, until)
        await self._shared("lock out", partial(self._table.budget_lock_out, database, until))

    async def locked_until(self, database: str) -> datetime | None:
        """The end of the current lock-out, if any was set."""
        found = await self._shared("lock-out", partial(self._table.budget_locked_until, database))
        mine = await self._memory.locked_until(database)
        shared = None if isinstance(found, _Unavailable) else found
        return max((t for t in (shared, mine) if t is not None), default=None)

    async def save_reading(self, database: str, reading: ThresholdReading) -> None:
        """Keep the latest threshold reading; in memory too."""
        await self._memory.save_reading(database, reading)
        text = _dump(reading)
        await self._shared("reading", partial(self._table.budget_save_reading, database, text))

    async def reading(self, database: str) -> ThresholdReading | None:
        """The latest threshold reading, if any."""
        found = await self._shared("reading", partial(self._table.budget_reading, database))
        if isinstance(found, _Unavailable):
            return await self._memory.reading(database)
        return None if found is None else _load(found)

    async def look(self, database: str) -> BudgetLook:
        """The lock-out (the later of the shared one and this process's) and the reading."""
        found = await self._shared("lock-out", partial(self._table.budget_look, database))
        mine = await self._memory.look(database)
        if isinstance(found, _Unavailable):
            return mine
        shared_lock, text = found
        locks = (t for t in (shared_lock, mine.locked_until) if t is not None)
        return BudgetLook(max(locks, default=None), None if text is None else _load(text))

    async def claim_thread(
        self, database: str, endpoint: str, *, slots: int, now: datetime
    ) -> int | None:
        """Claim one of the endpoint's slots shared by every process using the store.

        While the store does not answer, this process goes on alone (its own limiter caps it)
        and gets the slot number -1, which ``free_thread`` does not give back.
        """
        claim = partial(
            self._table.budget_claim_thread,
            database,
            endpoint,
            slots,
            self._holder,
            now,
            self._slot_ttl,
        )
        found = await self._shared("request slot", claim)
        return _NOT_SHARED if isinstance(found, _Unavailable) else found

    async def free_thread(self, database: str, endpoint: str, slot: int) -> None:
        """Give a shared slot back (an unanswered free lets the slot expire)."""
        if slot != _NOT_SHARED:
            free = partial(self._table.budget_free_thread, database, endpoint, slot, self._holder)
            await self._shared("request slot", free)
