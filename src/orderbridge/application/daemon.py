"""The daemon: runs sync cycles on the configured schedule until it is told to stop.

Before every cycle it reads the runtime settings (on/off, frequency, scope) from the store, so
changes made while it runs apply at the next cycle. When sync is turned off it checks again
every few seconds. Otherwise it works out when the next cycle is due from the previous run in the
activity log (``next_run``), never sooner than the Autotask request budget allows, and sleeps
until then. Every wait ends early when ``stop`` is set.

Only one runner syncs a store at a time: the daemon holds the runner lease for as long as it
runs (see ``orderbridge.application.lease``) and marks runs a dead holder left ``running`` as
``interrupted`` when it starts. On ``stop`` during a cycle, orders being checked finish their
write and commit, the rest are skipped, and the run is recorded ``interrupted``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import datetime
from typing import Any

import anyio

from orderbridge.application.cycle import CYCLE_TRIGGERS, RunLog, RunnerGuard
from orderbridge.application.runtime import RuntimeValues
from orderbridge.application.taskgroups import single_error
from orderbridge.domain.history import RunReport
from orderbridge.domain.schedule import budget_gap, next_run

__all__ = ["Daemon", "LeaseLost"]

_log = logging.getLogger(__name__)

Cycle = Callable[[anyio.Event], Awaitable[RunReport]]


class LeaseLost(Exception):
    """Another runner took the lease while this one was running (it stalled past the lease)."""


class Daemon:
    """Schedules sync cycles for one tenant; ``run`` returns once ``stop`` is set."""

    def __init__(
        self,
        *,
        cycle: Cycle,
        runtime: Callable[[], Awaitable[RuntimeValues]],
        runs: RunLog,
        guard: RunnerGuard,
        allowance: Callable[[], Awaitable[int]],
        clock: Callable[[], datetime],
        serve_requests: Callable[[anyio.Event], Coroutine[Any, Any, None]] | None = None,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        tenant: str = "default",
        poll_s: float = 5.0,
        error_backoff_s: float = 30.0,
    ) -> None:
        self._cycle = cycle
        self._runtime = runtime
        self._runs = runs
        self._guard = guard
        self._allowance = allowance
        self._serve_requests = serve_requests
        self._clock = clock
        self._sleep = sleep
        self._tenant = tenant
        self._poll_s = poll_s
        self._error_backoff_s = error_backoff_s
        self._was_enabled: bool | None = None
        self.cycles = 0
        self.started = anyio.Event()  # set once the lease is held and scheduling begins

    async def run(self, stop: anyio.Event) -> None:
        """Hold the lease and run cycles until ``stop``; ``LeaseHeld`` if another runner is on."""
        async with self._guard.held() as lost:
            self.started.set()
            halt = anyio.Event()
            with single_error():
                async with anyio.create_task_group() as group:
                    group.start_soon(_set_when_any, (stop, lost), halt)
                    if self._serve_requests is not None:
                        group.start_soon(self._serve_requests, halt)
                    try:
                        await self._loop(halt)
                    finally:
                        group.cancel_scope.cancel()
        if lost.is_set() and not stop.is_set():
            raise LeaseLost(
                "another orderbridge took over the runner lease (this one stalled past "
                "sync.lease_ttl_s); stopped so that two runners never sync at once"
            )

    async def _loop(self, halt: anyio.Event) -> None:
        while not halt.is_set():
            values = await self._runtime()
            self._note_switch(values.enabled)
            if not values.enabled:
                await self._pause(self._poll_s, halt)
                continue
            due = await self.next_due(values)
            wait_s = (due - self._clock()).total_seconds()
            if wait_s > 0:
                await self._pause(min(wait_s, self._poll_s), halt)
                continue
            await self._run_cycle(halt)

    async def next_due(self, values: RuntimeValues) -> datetime:
        """When the next cycle is due, from the latest run and the request budget."""
        latest = await anyio.to_thread.run_sync(
            lambda: self._runs.runs(self._tenant, 1, triggers=CYCLE_TRIGGERS)
        )
        if not latest:
            return next_run(values.frequency, now=self._clock())
        last = latest[0]
        # The next cycle is expected to cost what the last one read: its writes are governed by
        # the request budget as they happen, and an unchanged tenant writes nothing.
        reads = int(last.requests.get("autotask", 0)) - int(last.requests.get("autotask writes", 0))
        gap = budget_gap(reads, await self._allowance()) if reads > 0 else None
        return next_run(
            values.frequency,
            now=self._clock(),
            last_started=last.started_at,
            last_finished=last.finished_at,
            min_gap_for_budget=gap,
        )

    async def _run_cycle(self, halt: anyio.Event) -> None:
        try:
            report = await self._cycle(halt)
        except Exception:  # a store outage or a bug: log it, wait, and carry on unattended
            _log.exception("the sync cycle failed; trying again in %gs", self._error_backoff_s)
            await self._pause(self._error_backoff_s, halt)
            return
        self.cycles += 1
        if report.resume_at is not None:
            # The request budget is spent: a cycle before it frees would send nothing useful.
            wait_s = (report.resume_at - self._clock()).total_seconds()
            _log.warning("Autotask request budget spent; next cycle in %.0f s", max(wait_s, 0))
            await self._pause(max(wait_s, 0.0), halt)
        _log.info(
            "sync cycle %s: %d monitored, %d updated, %d unchanged, %d failed, %d skipped",
            report.outcome,
            report.monitored,
            report.updated,
            report.unchanged,
            report.failed,
            report.skipped,
        )

    def _note_switch(self, enabled: bool) -> None:
        if enabled != self._was_enabled:
            if enabled:
                _log.info("scheduled sync is on")
            else:
                _log.info("scheduled sync is off; checking again every %gs", self._poll_s)
        self._was_enabled = enabled

    async def _pause(self, seconds: float, halt: anyio.Event) -> None:
        """Sleep ``seconds`` with the injected sleep, waking early when ``halt`` is set."""
        if halt.is_set():
            return
        async with anyio.create_task_group() as group:

            async def sleeper() -> None:
                await self._sleep(seconds)
                group.cancel_scope.cancel()

            async def waker() -> None:
                await halt.wait()
                group.cancel_scope.cancel()

            group.start_soon(sleeper)
            group.start_soon(waker)


async def _set_when_any(events: Sequence[anyio.Event], target: anyio.Event) -> None:
    """Set ``target`` as soon as any of ``events`` is set."""
    async with anyio.create_task_group() as group:

        async def relay(event: anyio.Event) -> None:
            await event.wait()
            target.set()
            group.cancel_scope.cancel()

        for event in events:
            group.start_soon(relay, event)
