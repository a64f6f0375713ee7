"""The guarded cycle: the one way any command syncs (``run``, ``sync --once`` and ``resync``).

A cycle that writes holds the tenant's runner lease, so two processes never write one order:
it takes the lease, closes the runs a dead holder left ``running``, and runs. ``run`` holds the
lease for its whole life (``held``); ``sync --once`` and ``resync`` hold it for one cycle
(``once``, ``resync``). A dry run writes nothing and needs no lease.

While a daemon holds the lease, ``resync`` hands the order to it: the request goes into the
store, the daemon claims it within seconds (it looks every few seconds, also during a cycle),
checks the order, and answers with the run that did. A lease holder that takes no requests (a
``sync --once``) leaves the request unclaimed; it is withdrawn and the resync is refused with
``LeaseHeld``, never run beside it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Protocol, TypeVar

import anyio

from orderbridge.application.lease import LeaseHeld, RunnerLease
from orderbridge.application.sync import OrderResult, ProgressHook, SyncService
from orderbridge.domain.history import OrderReport, RunOutcome, RunReport, RunTrigger
from orderbridge.ports import ResyncHandoffs, ResyncRequest

__all__ = ["CYCLE_TRIGGERS", "GuardedSync", "PastRun", "ResyncResult", "RunLog", "RunnerGuard"]

_log = logging.getLogger(__name__)
T = TypeVar("T")
# Runs whose spacing the schedule keeps (a resync of one order is not a cycle).
CYCLE_TRIGGERS = (str(RunTrigger.SCHEDULED), str(RunTrigger.ONCE))


class PastRun(Protocol):
    """A run as the activity log keeps it."""

    @property
    def started_at(self) -> datetime:
        """When it started."""
        ...

    @property
    def finished_at(self) -> datetime | None:
        """When it finished, if it did."""
        ...

    @property
    def outcome(self) -> RunOutcome:
        """How it ended."""
        ...

    @property
    def error(self) -> str | None:
        """Why it stopped, when it did."""
        ...

    @property
    def requests(self) -> Mapping[str, int]:
        """Requests it sent, per upstream."""
        ...

    @property
    def orders(self) -> Sequence[OrderReport]:
        """What it did with each order (only when read one run at a time)."""
        ...


class RunLog(Protocol):
    """The activity log, as scheduling and hand-overs read it (synchronous; run in a thread)."""

    def runs(
        self, tenant: str, limit: int, *, triggers: Sequence[str] | None = None
    ) -> Sequence[PastRun]:
        """The newest runs (started by these triggers), newest first."""
        ...

    def run(self, run_id: int) -> PastRun | None:
        """One run with its per-order reports."""
        ...

    def mark_interrupted_runs(self, tenant: str, at: datetime) -> int:
        """Close runs a dead process left ``running``; return how many."""
        ...


class HandoffLog(RunLog, ResyncHandoffs, Protocol):
    """The store as the guarded cycle uses it."""


@dataclass(frozen=True, slots=True)
class ResyncResult:
    """What a resync did: run here, or by the running daemon (``by_daemon``)."""

    outcome: RunOutcome
    error: str | None
    order: OrderResult | None
    by_daemon: bool = False


async def _in_thread(func: Callable[[], T]) -> T:
    return await anyio.to_thread.run_sync(func)


class RunnerGuard:
    """The runner lease plus the clean-up every new holder owes: closing a dead holder's runs."""

    def __init__(
        self, *, lease: RunnerLease, runs: RunLog, clock: Callable[[], datetime], tenant: str
    ) -> None:
        self.lease = lease
        self._runs = runs
        self._clock = clock
        self._tenant = tenant

    @asynccontextmanager
    async def held(self) -> AsyncIterator[anyio.Event]:
        """Hold the runner lease (``LeaseHeld`` if another runner has it); yields ``lost``."""
        async with self.lease.held() as lease:
            now = self._clock()
            closed = await _in_thread(lambda: self._runs.mark_interrupted_runs(self._tenant, now))
            if closed:
                _log.warning("marked %d run(s) a stopped process left running interrupted", closed)
            yield lease.lost


class GuardedSync:
    """Runs sync cycles under the runner lease; hands resyncs to a running daemon."""

    def __init__(
        self,
        *,
        sync: SyncService,
        guard: RunnerGuard,
        store: HandoffLog,
        clock: Callable[[], datetime],
        tenant: str = "default",
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        claim_wait_s: float = 15.0,
        answer_wait_s: float = 600.0,
        poll_s: float = 0.5,
    ) -> None:
        self.sync = sync
        self.guard = guard
        self.held = guard.held
        self._store = store
        self._clock = clock
        self._tenant = tenant
        self._sleep = sleep
        self._claim_wait_s = claim_wait_s
        self._answer_wait_s = answer_wait_s
        self._poll_s = poll_s

    async def once(
        self,
        *,
        dry_run: bool = False,
        on_total: Callable[[int], None] | None = None,
        on_order: ProgressHook | None = None,
    ) -> tuple[RunReport, list[OrderResult]]:
        """One cycle over every monitored order (``sync --once``)."""
        if dry_run:
            return await self.sync.run_once(dry_run=True, on_total=on_total, on_order=on_order)
        async with self.held() as lost:
            return await self.sync.run_once(
                stop=lost, trigger=RunTrigger.ONCE, on_total=on_total, on_order=on_order
            )

    async def resync(self, po_number: str, *, dry_run: bool = False) -> ResyncResult:
        """Check one order now: here under the lease, or by the daemon that holds it."""
        if dry_run:
            report, results = await self.sync.run_once(dry_run=True, only={po_number})
            return _result(report, results)
        try:
            async with self.held() as lost:
                report, results = await self.sync.run_once(
                    only={po_number}, stop=lost, trigger=RunTrigger.RESYNC
                )
        except LeaseHeld as held:
            return await self._hand_over(po_number, held)
        return _result(report, results)

    async def serve_resync_requests(self, halt: anyio.Event, *, poll_s: float = 2.0) -> None:
        """Run the resyncs other commands hand over, until ``halt`` (the daemon's side)."""
        while not halt.is_set():
            claim = partial(self._store.claim_resync_requests, self._tenant, self._clock())
            claimed = await _in_thread(claim)
            for request in claimed:
                await self._serve(request, halt)
            if not claimed:
                with anyio.move_on_after(poll_s):
                    await halt.wait()

    async def _serve(self, request: ResyncRequest, halt: anyio.Event) -> None:
        run_id: int | None = None
        try:
            report, _ = await self.sync.run_once(
                only={request.po_number}, stop=halt, trigger=RunTrigger.RESYNC
            )
            run_id = report.run_id
        except Exception:  # a store outage or a bug: answer the request, keep the daemon up
            _log.exception("the resync of %s failed", request.po_number)
        done = self._clock()
        await _in_thread(lambda: self._store.finish_resync_request(request.id, run_id, done))

    async def _hand_over(self, po_number: str, held: LeaseHeld) -> ResyncResult:
        store = self._store
        now = self._clock()
        request_id = await _in_thread(lambda: store.request_resync(self._tenant, po_number, now))
        claimed = await self._wait_for(
            lambda r: r.claimed_at is not None, request_id, self._claim_wait_s
        )
        if not claimed and await _in_thread(lambda: store.withdraw_resync_request(request_id)):
            raise held  # the lease holder takes no requests (a sync --once): never run beside it
        if not await self._wait_for(
            lambda r: r.finished_at is not None, request_id, self._answer_wait_s
        ):
            return ResyncResult(
                RunOutcome.RUNNING,
                f"the running orderbridge took the resync of {po_number} but has not answered "
                f"within {self._answer_wait_s:.0f} s; see `orderbridge status {po_number}`",
                None,
                by_daemon=True,
            )
        request = await _in_thread(lambda: store.resync_request(request_id))
        run_id = None if request is None else request.run_id
        run = None if run_id is None else await _in_thread(lambda: store.run(run_id))
        if run is None:
            return ResyncResult(RunOutcome.FAILED, "the daemon's run was not recorded", None, True)
        orders = [OrderResult(report) for report in run.orders]
        return ResyncResult(run.outcome, run.error, orders[0] if orders else None, by_daemon=True)

    async def _wait_for(
        self, done: Callable[[ResyncRequest], bool], request_id: int, within_s: float
    ) -> bool:
        waited = 0.0
        while True:
            request = await _in_thread(lambda: self._store.resync_request(request_id))
            if request is not None and done(request):
                return True
            if waited >= within_s:
                return False
            await self._sleep(self._poll_s)
            waited += self._poll_s


def _result(report: RunReport, results: list[OrderResult]) -> ResyncResult:
    return ResyncResult(report.outcome, report.error, results[0] if results else None)
