"""orderbridge's share of an Autotask database's request budget, and the per-endpoint thread cap.

Why: Autotask allows (by default) 10,000 requests per rolling 60 minutes per *database*, shared
with every other integration the MSP runs, and refuses everybody once the total passes it. It
also refuses more than 3 concurrent requests per entity endpoint. ``AutotaskBudget`` keeps
orderbridge well inside both, and stops a sync cycle cleanly instead of hammering a locked API.

Rules (every number is a constructor argument):

- **Allowance.** orderbridge sends at most ``share`` (default 0.5) of the threshold that
  ``ThresholdInformation`` reports, or ``max_requests_per_hour`` when that is set, counted over
  its own requests in the rolling timeframe Autotask reports (60 minutes). Until a threshold is
  known, ``assumed_threshold`` (10,000) stands in.
- **Slow-down.** When the database's *total* usage (all integrations, as the last poll reported
  it) is at or above 50 %, the allowance is halved; at or above 75 %, quartered (``slowdown``).
  orderbridge's own requests count toward that total, so in an otherwise quiet database its
  sustained use settles between a quarter and a half of the threshold.
- **Polling.** ``ThresholdInformation`` is read at most every ``threshold_poll_s`` (5 minutes),
  just before a request when a reading is due; the poll is itself a counted request and runs on
  its own single thread. ``threshold_poll_s=None`` never polls.
- **Threads.** At most ``threads_per_endpoint`` (3) requests per entity endpoint are in flight
  (1 for ``ThresholdInformation``): in this process, and, with a shared store, between every
  process that uses it (each request claims one of the endpoint's slots in the store).
- **Lock-out.** A poll showing the threshold reached, or an hourly-threshold 429 that cannot be
  waited out, blocks every request to the database for ``lockout_s`` (or the server's
  ``Retry-After``); the next request after that polls again first.
- **Waiting vs failing.** When a request would exceed the budget and room frees up within
  ``max_wait_s`` (2 s), ``acquire`` waits; otherwise it raises ``BudgetExhausted`` with
  ``free_at``, and nothing is sent.

The key: requests are counted per Autotask database. The client names it ``<zone host>/ci=<ci>``
from ``zoneInformation`` (``ci`` is the database id). With an explicit ``base_url`` no zone
answer is read, so the key falls back to ``<host>/user=<API username>``; two API users of one
database are then budgeted separately, so leave ``base_url`` unset when they should share.

Storage: counts, lock-outs and threshold readings live in a ``BudgetStore``. The default,
``MemoryBudgetStore``, serves one process; ``SharedBudgetStore`` (``_budget_shared``) keeps them in
the orderbridge store, so several processes share one budget (ADR 44). Counting a request is
atomic per database. With the shared store the thread cap is shared too: a slot is claimed in
the store for the request's duration (at most ``slot_ttl``, after which a dead holder's slot is
free again).
A request costs a shared store one read (``look``: lock-out and threshold reading) and two
writes (``take_and_claim``, then freeing the slot).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol
from urllib.parse import urlsplit

import anyio

from ._errors import BudgetExhausted
from ._service_info import ThresholdInfo

__all__ = [
    "DEFAULT_SLOWDOWN",
    "AutotaskBudget",
    "BudgetLook",
    "BudgetStatus",
    "BudgetStore",
    "BudgetTicket",
    "MemoryBudgetStore",
    "ThresholdPoll",
    "ThresholdReading",
    "database_key",
    "zone_ci",
]

log = logging.getLogger(__name__)

DEFAULT_SLOWDOWN: tuple[tuple[float, float], ...] = ((0.5, 0.5), (0.75, 0.25))
THRESHOLD_ENDPOINT = "ThresholdInformation"
ThresholdPoll = Callable[[], Awaitable[ThresholdInfo | None]]


def zone_ci(payload: object) -> int | None:
    """The database id (``ci``) from a ``zoneInformation`` answer, when it carries one."""
    if not isinstance(payload, Mapping):
        return None
    value = next((v for k, v in payload.items() if str(k).lower() == "ci"), None)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def database_key(base_url: str, *, ci: int | None, username: str) -> str:
    """The budget key of one Autotask database: zone host plus ``ci``, else plus the username."""
    host = urlsplit(base_url).netloc.lower() or base_url.lower()
    return f"{host}/ci={ci}" if ci is not None else f"{host}/user={username.strip().lower()}"


@dataclass(frozen=True, slots=True)
class ThresholdReading:
    """The last known ``ThresholdInformation`` of a database and when it was (last) polled."""

    info: ThresholdInfo | None
    read_at: datetime | None
    polled_at: datetime | None


@dataclass(frozen=True, slots=True)
class BudgetStatus:
    """Where a database's budget stands (for the activity log and the dashboard)."""

    database: str
    allowance: int
    used: int
    timeframe_minutes: int
    total_usage: float | None
    locked_until: datetime | None


@dataclass(frozen=True, slots=True)
class BudgetLook:
    """A database's lock-out and threshold reading, read together before a request."""

    locked_until: datetime | None
    reading: ThresholdReading | None


class BudgetStore(Protocol):
    """Where request counts, lock-outs and threshold readings are kept, per database key."""

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
        """Count one request at ``now`` if fewer than ``allowance`` fall in the window ending
        now, and then claim one of the endpoint's ``slots`` (``claim_thread``), in one write of
        a shared store. ``(free_at, None)``: nothing was counted, ``free_at`` is when one
        request ages out of the window. ``(None, slot)``: counted, with the slot's number, or
        None while every slot is taken (then claim with ``claim_thread``)."""
        ...

    async def used(self, database: str, *, now: datetime, window: timedelta) -> int:
        """Requests counted in the window ending ``now``."""
        ...

    async def lock_out(self, database: str, until: datetime) -> None:
        """Refuse requests until ``until`` (a later lock-out already in place wins)."""
        ...

    async def locked_until(self, database: str) -> datetime | None:
        """The end of the current lock-out, if any was set."""
        ...

    async def save_reading(self, database: str, reading: ThresholdReading) -> None:
        """Keep the latest threshold reading."""
        ...

    async def reading(self, database: str) -> ThresholdReading | None:
        """The latest threshold reading, if any."""
        ...

    async def look(self, database: str) -> BudgetLook:
        """The lock-out and the threshold reading together (one read of a shared store)."""
        ...

    async def claim_thread(
        self, database: str, endpoint: str, *, slots: int, now: datetime
    ) -> int | None:
        """Claim one of the endpoint's ``slots`` concurrent-request slots shared with other
        processes: its number, or None while every one is taken (a store that shares nothing
        answers at once; the budget's per-process limiter already caps this process)."""
        ...

    async def free_thread(self, database: str, endpoint: str, slot: int) -> None:
        """Give a slot from ``claim_thread`` back."""
        ...


class MemoryBudgetStore:
    """A ``BudgetStore`` for one process (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sent: dict[str, deque[datetime]] = {}
        self._locked: dict[str, datetime] = {}
        self._readings: dict[str, ThresholdReading] = {}

    def _window(self, database: str, now: datetime, window: timedelta) -> deque[datetime]:
        sent = self._sent.setdefault(database, deque())
        horizon = now - window
        while sent and sent[0] <= horizon:
            sent.popleft()
        return sent

    async def take(
        self, database: str, *, now: datetime, window: timedelta, allowance: int
    ) -> datetime | None:
        """Count one request unless the window is full; else when a slot frees up."""
        with self._lock:
            sent = self._window(database, now, window)
            if len(sent) < allowance:
                sent.append(now)
                return None
            # the window must shed its oldest len - allowance + 1 requests
            return sent[len(sent) - max(allowance, 1)] + window

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
        """Count one request (see ``take``); the slot is always free (see ``claim_thread``)."""
        free_at = await self.take(database, now=now, window=window, allowance=allowance)
        return (free_at, None) if free_at is not None else (None, 0)

    async def used(self, database: str, *, now: datetime, window: timedelta) -> int:
        """Requests counted in the window ending ``now``."""
        with self._lock:
            return len(self._window(database, now, window))

    async def lock_out(self, database: str, until: datetime) -> None:
        """Refuse requests until ``until`` (the later lock-out wins)."""
        with self._lock:
            current = self._locked.get(database)
            if current is None or until > current:
                self._locked[database] = until

    async def locked_until(self, database: str) -> datetime | None:
        """The end of the current lock-out, if any was set."""
        with self._lock:
            return self._locked.get(database)

    async def save_reading(self, database: str, reading: ThresholdReading) -> None:
        """Keep the latest threshold reading."""
        with self._lock:
            self._readings[database] = reading

    async def reading(self, database: str) -> ThresholdReading | None:
        """The latest threshold reading, if any."""
        with self._lock:
            return self._readings.get(database)

    async def look(self, database: str) -> BudgetLook:
        """The lock-out and the threshold reading together."""
        with self._lock:
            return BudgetLook(self._locked.get(database), self._readings.get(database))

    async def claim_thread(
        self, database: str, endpoint: str, *, slots: int, now: datetime
    ) -> int | None:
        """One process only: the budget's own limiter is the cap."""
        return 0

    async def free_thread(self, database: str, endpoint: str, slot: int) -> None:
        """Nothing to give back."""


class BudgetTicket:
    """Permission for one request; give it back with ``AutotaskBudget.release``."""

    __slots__ = ("database", "endpoint", "limiter", "released", "slot", "waited_s")

    def __init__(self, database: str, endpoint: str, limiter: anyio.CapacityLimiter) -> None:
        self.database = database
        self.endpoint = endpoint
        self.limiter = limiter
        self.waited_s = 0.0
        self.released = False
        self.slot: int | None = None  # the store's concurrent-request slot, while held


def _utc_now() -> datetime:
    return datetime.now(UTC)


class AutotaskBudget:
    """Request budget and thread cap per Autotask database (see the module docstring)."""

    def __init__(
        self,
        *,
        share: float = 0.5,
        max_requests_per_hour: int | None = None,
        threads_per_endpoint: int = 3,
        threshold_poll_s: float | None = 300.0,
        max_wait_s: float = 2.0,
        lockout_s: float = 300.0,
        assumed_threshold: int = 10_000,
        slowdown: tuple[tuple[float, float], ...] = DEFAULT_SLOWDOWN,
        store: BudgetStore | None = None,
        clock: Callable[[], datetime] = _utc_now,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        if not 0.0 < share <= 1.0:
            raise ValueError("share must be more than 0 and at most 1")
        if max_requests_per_hour is not None and max_requests_per_hour < 1:
            raise ValueError("max_requests_per_hour must be at least 1")
        if threads_per_endpoint < 1:
            raise ValueError("threads_per_endpoint must be at least 1")
        if threshold_poll_s is not None and threshold_poll_s <= 0:
            raise ValueError("threshold_poll_s must be positive (or None: never poll)")
        if max_wait_s < 0 or lockout_s <= 0 or assumed_threshold < 1:
            raise ValueError("max_wait_s, lockout_s and assumed_threshold must be positive")
        if any(not (0 < at <= 1 and 0 < factor <= 1) for at, factor in slowdown):
            raise ValueError("slowdown bands are (usage 0-1, factor 0-1) pairs")
        self.share = share
        self.max_requests_per_hour = max_requests_per_hour
        self.threads_per_endpoint = threads_per_endpoint
        self.threshold_poll_s = threshold_poll_s
        self.max_wait_s = max_wait_s
        self.lockout_s = lockout_s
        self.assumed_threshold = assumed_threshold
        self.slowdown = tuple(sorted(slowdown))
        self.store: BudgetStore = store if store is not None else MemoryBudgetStore()
        self._clock = clock
        self._sleep = sleep
        self._limiters: dict[tuple[str, str], anyio.CapacityLimiter] = {}
        self._poll_locks: dict[str, anyio.Lock] = {}

    def __repr__(self) -> str:
        limit = self.max_requests_per_hour or f"{self.share:.0%} of the threshold"
        return f"AutotaskBudget(limit={limit}, threads_per_endpoint={self.threads_per_endpoint})"

    def now(self) -> datetime:
        """The budget's clock (timezone-aware UTC)."""
        return self._clock()

    # -- arithmetic -----------------------------------------------------------------------

    def slowdown_factor(self, total_usage: float | None) -> float:
        """The allowance multiplier for the database's total usage (0.0-1.0+)."""
        factor = 1.0
        for at, band in self.slowdown:
            if total_usage is not None and total_usage >= at:
                factor = min(factor, band)
        return factor

    def allowance(self, info: ThresholdInfo | None) -> tuple[int, timedelta]:
        """Requests orderbridge may send per timeframe, and that timeframe."""
        minutes = info.timeframe_minutes if info and info.timeframe_minutes > 0 else 60
        if self.max_requests_per_hour is not None:
            base = self.max_requests_per_hour * minutes / 60
        else:
            base = self.share * (info.threshold if info else self.assumed_threshold)
        factor = self.slowdown_factor(info.used_fraction if info else None)
        return max(1, int(base * factor)), timedelta(minutes=minutes)

    # -- acquire / release ----------------------------------------------------------------

    def _threads(self, endpoint: str) -> int:
        return 1 if endpoint.lower() == THRESHOLD_ENDPOINT.lower() else self.threads_per_endpoint

    def _limiter(self, database: str, endpoint: str) -> anyio.CapacityLimiter:
        key = (database, endpoint.lower())
        limiter = self._limiters.get(key)
        if limiter is None:
            limiter = self._limiters[key] = anyio.CapacityLimiter(self._threads(endpoint))
        return limiter

    async def _claim_thread(self, ticket: BudgetTicket) -> None:
        """Wait for one of the endpoint's slots shared with other processes."""
        endpoint, pause = ticket.endpoint.lower(), 0.01
        slots = self._threads(endpoint)
        while True:
            slot = await self.store.claim_thread(
                ticket.database, endpoint, slots=slots, now=self.now()
            )
            if slot is not None:
                ticket.slot = slot
                return
            await self._sleep(pause)  # held by another process for one request, briefly
            pause = min(pause * 2, 0.2)

    async def acquire(
        self, endpoint: str, *, database: str = "default", poll: ThresholdPoll | None = None
    ) -> BudgetTicket:
        """A thread slot and one request from the budget; waits briefly or raises
        ``BudgetExhausted``. ``poll`` reads ``ThresholdInformation`` when a reading is due."""
        ticket = BudgetTicket(database, endpoint, self._limiter(database, endpoint))
        await ticket.limiter.acquire_on_behalf_of(ticket)
        try:
            # what the poll decision read also decides the count (one read of the store)
            seen = None
            if poll is not None and self.threshold_poll_s is not None:
                seen = await self._poll_if_due(database, poll)
            ticket.waited_s = await self._take(ticket, seen)
            if ticket.slot is None:  # every slot was taken when the request was counted
                await self._claim_thread(ticket)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await self.release(ticket)  # its slot too, if one was claimed
            raise
        return ticket

    async def release(self, ticket: BudgetTicket) -> None:
        """Give the ticket's thread slots back, the shared one (if any) and this process's
        (the request stays counted)."""
        if ticket.released:
            return
        ticket.released = True
        slot, ticket.slot = ticket.slot, None
        try:
            if slot is not None:
                with anyio.CancelScope(shield=True):
                    await self.store.free_thread(ticket.database, ticket.endpoint.lower(), slot)
        finally:
            ticket.limiter.release_on_behalf_of(ticket)

    async def _take(self, ticket: BudgetTicket, seen: BudgetLook | None = None) -> float:
        """Count the ticket's request, waiting briefly for the budget; claims a slot if free."""
        database, endpoint = ticket.database, ticket.endpoint
        deadline = self.now() + timedelta(seconds=self.max_wait_s)
        waited = 0.0
        while True:
            now = self.now()
            free_at = await self._blocked_until(ticket, now, seen)
            seen = None  # after a wait, look at the store afresh
            if free_at is None:
                return waited
            if free_at > deadline:
                raise await self._exhausted(database, endpoint, free_at, now)
            pause = max((free_at - now).total_seconds(), 0.001)
            await self._sleep(pause)
            waited += pause

    async def _blocked_until(
        self, ticket: BudgetTicket, now: datetime, seen: BudgetLook | None = None
    ) -> datetime | None:
        database = ticket.database
        look = seen if seen is not None else await self.store.look(database)
        locked, reading = look.locked_until, look.reading
        if locked is not None and locked > now:
            return locked
        allowance, window = self.allowance(reading.info if reading else None)
        endpoint = ticket.endpoint.lower()
        free_at, ticket.slot = await self.store.take_and_claim(
            database,
            endpoint,
            now=now,
            window=window,
            allowance=allowance,
            slots=self._threads(endpoint),
        )
        return free_at

    async def _exhausted(
        self, database: str, endpoint: str, free_at: datetime, now: datetime
    ) -> BudgetExhausted:
        status = await self.status(database)
        usage = "" if status.total_usage is None else f", database at {status.total_usage:.0%}"
        locked = status.locked_until is not None and status.locked_until > now
        why = (
            "Autotask reported its hourly threshold reached"
            if locked
            else f"{status.used} of {status.allowance} requests used in the last "
            f"{status.timeframe_minutes} minutes{usage}"
        )
        return BudgetExhausted(
            f"the Autotask request budget for {database} is spent ({why}); nothing was sent "
            f"to {endpoint}; requests can resume at {free_at:%Y-%m-%d %H:%M:%S} UTC",
            free_at=free_at,
            now=now,
            endpoint=endpoint,
            database=database,
        )

    # -- threshold ------------------------------------------------------------------------

    async def _poll_if_due(self, database: str, poll: ThresholdPoll) -> BudgetLook | None:
        """Poll the threshold when a reading is due; else what was read to decide (None after
        a poll, or another request's, when the store must be read again)."""
        look = await self.store.look(database)
        if look.locked_until is not None and look.locked_until > self.now():
            return look  # the request is refused anyway; polling would only add to the count
        if not self._is_poll_due(look.reading):
            return look
        lock = self._poll_locks.setdefault(database, anyio.Lock())
        async with lock:
            previous = await self.store.reading(database)
            if not self._is_poll_due(previous):
                return None  # another request polled while this one waited
            await self.store.save_reading(  # a failed poll is not repeated at once either
                database,
                ThresholdReading(
                    previous.info if previous else None,
                    previous.read_at if previous else None,
                    self.now(),
                ),
            )
            info = await poll()
            if info is not None:
                await self.observe(database, info)
        return None

    def _is_poll_due(self, reading: ThresholdReading | None) -> bool:
        if self.threshold_poll_s is None:
            return False
        if reading is None or reading.polled_at is None:
            return True
        return self.now() - reading.polled_at >= timedelta(seconds=self.threshold_poll_s)

    async def observe(self, database: str, info: ThresholdInfo) -> None:
        """Record a ``ThresholdInformation`` answer; lock out when it shows the threshold hit."""
        now = self.now()
        await self.store.save_reading(database, ThresholdReading(info, now, now))
        if info.threshold > 0 and info.current >= info.threshold:
            await self.lock_out(database, now + timedelta(seconds=self.lockout_s), repoll=True)
        log.info(
            "autotask threshold read",
            extra={"database": database, "current": info.current, "threshold": info.threshold},
        )

    async def lock_out(self, database: str, until: datetime, *, repoll: bool) -> None:
        """Refuse every request to ``database`` until ``until``; ``repoll`` forces a fresh
        threshold reading before the first request after it."""
        await self.store.lock_out(database, until)
        if repoll:
            reading = await self.store.reading(database)
            if reading is not None:
                await self.store.save_reading(database, replace(reading, polled_at=None))

    async def rate_limited(
        self,
        database: str,
        endpoint: str,
        *,
        retry_in_s: float | None,
        retry_after_s: float | None,
    ) -> None:
        """Autotask answered an hourly-threshold 429. When the request is to be retried
        (``retry_in_s``) and the pause (``Retry-After``, else ``retry_in_s``) is within
        ``max_wait_s``, pause everyone that long; otherwise lock the database out and raise
        ``BudgetExhausted``."""
        now = self.now()
        pause_s = retry_after_s if retry_after_s is not None else retry_in_s
        if retry_in_s is not None and pause_s is not None and pause_s <= self.max_wait_s:
            await self.lock_out(database, now + timedelta(seconds=pause_s), repoll=False)
            return
        pause = retry_after_s if retry_after_s is not None else self.lockout_s
        until = now + timedelta(seconds=pause)
        await self.lock_out(database, until, repoll=True)
        raise await self._exhausted(database, endpoint, until, now)

    async def status(self, database: str) -> BudgetStatus:
        """Allowance, own usage, the database's total usage and any lock-out, as of now."""
        now = self.now()
        reading = await self.store.reading(database)
        info = reading.info if reading else None
        allowance, window = self.allowance(info)
        return BudgetStatus(
            database=database,
            allowance=allowance,
            used=await self.store.used(database, now=now, window=window),
            timeframe_minutes=int(window.total_seconds() // 60),
            total_usage=info.used_fraction if info else None,
            locked_until=await self.store.locked_until(database),
        )
