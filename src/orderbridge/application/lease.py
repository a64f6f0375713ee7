"""The runner lease: one process at a time syncs a tenant's store.

Both ``orderbridge run`` and ``orderbridge sync --once`` take the lease ``sync:<tenant>`` before
they write anything, renew it while they work (every third of its lifetime) and give it up when
they stop. A holder that dies stops renewing; once its lease expires the next runner takes over,
and runs the dead holder left ``running`` are marked ``interrupted``.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, TypeVar

import anyio

from orderbridge.application.taskgroups import single_error

__all__ = ["LeaseHeld", "LeaseHolder", "LeaseStore", "RunnerLease", "lease_name", "new_holder_id"]

_log = logging.getLogger(__name__)
T = TypeVar("T")


class LeaseStore(Protocol):
    """The store's lease operations (synchronous, so called in a worker thread)."""

    def acquire_lease(self, name: str, holder: str, ttl_s: float, now: datetime) -> bool:
        """Take the lease if it is free, expired or already ours."""
        ...

    def renew_lease(self, name: str, holder: str, ttl_s: float, now: datetime) -> bool:
        """Extend our unexpired lease; False once it was lost."""
        ...

    def release_lease(self, name: str, holder: str) -> bool:
        """Give the lease up if we hold it."""
        ...

    def lease_holder(self, name: str) -> tuple[str, datetime] | None:
        """Who holds the lease and until when, or None."""
        ...


@dataclass(frozen=True, slots=True)
class LeaseHolder:
    """Who holds a lease, as far as its holder id tells."""

    host: str
    pid: str
    until: datetime

    @classmethod
    def parse(cls, holder: str, until: datetime) -> LeaseHolder:
        """Read ``host:pid:token`` (what ``new_holder_id`` writes)."""
        parts = holder.rsplit(":", 2)
        if len(parts) == 3:
            return cls(parts[0], parts[1], until)
        return cls(holder, "?", until)


class LeaseHeld(Exception):
    """Another live runner holds the lease; the message says who and until when."""

    def __init__(self, holder: LeaseHolder | None) -> None:
        self.holder = holder
        if holder is None:
            message = "another orderbridge is syncing this store; try again in a minute"
        elif holder.host == "workers":  # a worker-run cycle (see orderbridge.application.batched)
            until = holder.until.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            message = (
                "orderbridge workers are syncing this tenant (a cycle is in progress); "
                f"it holds the lease until {until} and renews it while batches run"
            )
        else:
            until = holder.until.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            message = (
                f"another orderbridge (host {holder.host}, pid {holder.pid}) is syncing this "
                f"store; it holds the lease until {until}"
            )
        super().__init__(message)


def new_holder_id() -> str:
    """``hostname:pid:random`` — unique per process start, readable in the refusal message."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def lease_name(tenant: str) -> str:
    """The lease a tenant's runners compete for."""
    return f"sync:{tenant}"


async def _in_thread(func: Callable[[], T]) -> T:
    return await anyio.to_thread.run_sync(func)


class RunnerLease:
    """Takes, renews and releases the tenant's runner lease."""

    def __init__(
        self,
        store: LeaseStore,
        *,
        tenant: str = "default",
        ttl_s: float = 120.0,
        clock: Callable[[], datetime],
        holder: str | None = None,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        if ttl_s <= 0:
            raise ValueError("the lease lifetime must be positive")
        self._store = store
        self.name = lease_name(tenant)
        self.holder = holder or new_holder_id()
        self.ttl_s = ttl_s
        self._clock = clock
        self._sleep = sleep
        self.lost = anyio.Event()

    async def acquire(self) -> None:
        """Take the lease, or raise ``LeaseHeld`` saying who has it."""
        now = self._clock()
        taken = await _in_thread(
            lambda: self._store.acquire_lease(self.name, self.holder, self.ttl_s, now)
        )
        if not taken:
            found = await _in_thread(lambda: self._store.lease_holder(self.name))
            raise LeaseHeld(None if found is None else LeaseHolder.parse(*found))

    async def renew(self) -> bool:
        """Extend the lease (or take it back if it lapsed unclaimed); False when it is lost."""
        now = self._clock()
        store = self._store

        def renew_or_retake() -> bool:
            return store.renew_lease(self.name, self.holder, self.ttl_s, now) or (
                store.acquire_lease(self.name, self.holder, self.ttl_s, now)
            )

        return await _in_thread(renew_or_retake)

    async def release(self) -> None:
        """Give the lease up (shielded: it runs even while the caller is being cancelled)."""
        with anyio.CancelScope(shield=True):
            await _in_thread(lambda: self._store.release_lease(self.name, self.holder))

    @asynccontextmanager
    async def held(self, *, release: bool = True) -> AsyncIterator[RunnerLease]:
        """Acquire, keep renewing in the background, release on exit; ``lost`` is set if lost.

        ``release=False`` keeps the lease on exit (until it expires or its holder releases it):
        one batch of a worker-run cycle, whose other batches hold it under the same holder id.
        """
        await self.acquire()
        try:
            with single_error():
                async with anyio.create_task_group() as group:
                    group.start_soon(self._keep_renewing)
                    try:
                        yield self
                    finally:
                        group.cancel_scope.cancel()
        finally:
            if release:
                await self.release()

    async def _keep_renewing(self) -> None:
        while True:
            await self._sleep(self.ttl_s / 3)
            try:
                renewed = await self.renew()
            except Exception:  # a store hiccup: the next attempt may work before the lease lapses
                _log.warning("could not renew the runner lease", exc_info=True)
                continue
            if not renewed:
                _log.error("lost the runner lease %s: another orderbridge took it", self.name)
                self.lost.set()
                return
