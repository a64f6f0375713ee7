"""Cycles that workers run: a tenant's cycle planned once, checked as order batches anywhere.

``orderbridge worker`` runs jobs from a queue on the PostgreSQL store (see ADR 0051). A
tenant's cycle is one *plan* job and one job per *batch* of orders:

- the plan takes the tenant's runner lease under a holder id of its own for the whole cycle
  (so a ``run`` daemon or ``sync --once`` on the same tenant is refused while workers sync it,
  and the other way round), opens the cycle's run, finds the orders due exactly as a
  single-process cycle does, and records the batches;
- each batch job, on whichever worker takes it, renews that lease while it works, reads its
  orders again from Autotask (one batched query), checks them into the same run, and records
  its tally; the job that finishes the last batch closes the run with the sum and gives the
  lease up. The activity log shows one run per cycle.

A batch run again after its worker died (``attempts`` > 1) skips the orders the run already
has a line for and reads the others afresh, so what was written before the crash is found
written and is not written twice; what was not is checked now. Nothing is lost: a job whose
worker died is retried by another worker (see ``orderbridge.adapters.jobqueue``).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

import anyio

from orderbridge.application.cycle import RunLog
from orderbridge.application.lease import LeaseHeld, LeaseStore, RunnerLease, lease_name
from orderbridge.application.sync import RunPart, SyncService
from orderbridge.domain.batches import combine_tallies, tally_of
from orderbridge.domain.history import OrderOutcome, RunOutcome, RunReport, RunTrigger

__all__ = ["BatchStore", "BatchedCycles", "PlannedCycle", "cycle_holder"]

_log = logging.getLogger(__name__)
T = TypeVar("T")


class StartedBatch(Protocol):
    """One batch as the job that runs it reads it."""

    @property
    def po_ids(self) -> tuple[int, ...]:
        """The Autotask ids of its POs."""
        ...

    @property
    def attempts(self) -> int:
        """Attempts so far, this one included."""
        ...

    @property
    def done(self) -> bool:
        """Finished already (an earlier attempt died after finishing)."""
        ...

    @property
    def run_open(self) -> bool:
        """The run is still ``running``."""
        ...


class BatchStore(LeaseStore, RunLog, Protocol):
    """The store as worker-run cycles use it (synchronous; run in a thread)."""

    def add_run_batches(
        self,
        tenant: str,
        run_id: int,
        batches: Sequence[Sequence[int]],
        plan_tally: Mapping[str, Any],
        at: datetime,
    ) -> None:
        """Record the run's batches and the planner's share."""
        ...

    def start_run_batch(self, run_id: int, batch_no: int) -> StartedBatch | None:
        """Count an attempt at the batch and return it."""
        ...

    def reported_orders(self, run_id: int) -> set[str]:
        """PO numbers the run has an activity-log line for."""
        ...

    def finish_run_batch(
        self, run_id: int, batch_no: int, tally: Mapping[str, Any], at: datetime
    ) -> list[dict[str, Any]] | None:
        """Mark the batch done; every part's tally when it was the last, else None."""
        ...

    def pending_run_batches(self, tenant: str) -> int:
        """Batches of the tenant's open runs not finished yet."""
        ...

    def pending_batches(self, tenant: str) -> list[tuple[int, int, str]]:
        """(run, batch, lease holder) of each batch of the tenant's open runs not finished."""
        ...

    def finish_run(self, run_id: int, report: RunReport) -> None:
        """Close the run's record."""
        ...


@dataclass(frozen=True, slots=True)
class PlannedCycle:
    """A cycle the planner opened: its run, how many batch jobs to defer, and the lease holder."""

    run_id: int
    batches: int
    holder: str
    outcome: RunOutcome


def cycle_holder() -> str:
    """The runner-lease holder id of one worker-run cycle (``LeaseHeld`` shows it readably)."""
    return f"workers:cycle:{secrets.token_hex(4)}"


async def _in_thread(func: Callable[[], T]) -> T:
    return await anyio.to_thread.run_sync(func)


class BatchedCycles:
    """Plans a tenant's cycles and runs their batches (the worker's side of a tenant)."""

    def __init__(
        self,
        *,
        sync: SyncService,
        store: BatchStore,
        clock: Callable[[], datetime],
        batch_size: int,
        lease_ttl_s: float,
        tenant: str,
        after_batches: Callable[[RunReport, Sequence[Any]], Awaitable[None]] | None = None,
    ) -> None:
        self._sync = sync
        self._store = store
        self._clock = clock
        self._batch_size = batch_size
        self._ttl_s = lease_ttl_s
        self._tenant = tenant
        self._after_batches = after_batches

    def _lease(self, holder: str) -> RunnerLease:
        return RunnerLease(
            self._store, tenant=self._tenant, ttl_s=self._ttl_s, clock=self._clock, holder=holder
        )

    async def busy(self) -> bool:
        """Whether a cycle of the tenant still has batches to run."""
        tenant = self._tenant
        return await _in_thread(lambda: self._store.pending_run_batches(tenant)) > 0

    async def pending(self) -> list[tuple[int, int, str]]:
        """(run, batch, lease holder) of the batches the tenant's open cycle still has to run."""
        tenant = self._tenant
        return await _in_thread(lambda: self._store.pending_batches(tenant))

    async def lease_live(self) -> bool:
        """Whether some runner holds the tenant's lease now (a cycle's batches renew it)."""
        name, now = lease_name(self._tenant), self._clock()
        found = await _in_thread(lambda: self._store.lease_holder(name))
        return found is not None and found[1] > now

    async def plan(self) -> PlannedCycle | None:
        """Open a cycle and record its batches; None when another runner syncs the tenant."""
        if await self.busy():
            return None
        holder = cycle_holder()
        lease = self._lease(holder)
        try:
            await lease.acquire()
        except LeaseHeld as held:
            _log.warning("not planning a cycle: %s", held)
            return None
        now = self._clock()
        tenant = self._tenant
        closed = await _in_thread(lambda: self._store.mark_interrupted_runs(tenant, now))
        if closed:
            _log.warning("marked %d run(s) a stopped process left running interrupted", closed)
        try:
            report, batches = await self._sync.plan_batches(self._batch_size)
            run_id = report.run_id
            assert run_id is not None  # a planned cycle is never a dry run
            if report.outcome is RunOutcome.RUNNING and not batches:
                report.outcome, report.finished_at = RunOutcome.OK, self._clock()
                await _in_thread(lambda: self._store.finish_run(run_id, report))
            if report.outcome is not RunOutcome.RUNNING:
                await lease.release()
                return PlannedCycle(run_id, 0, holder, report.outcome)
            tally, at = {**tally_of(report), "holder": holder}, self._clock()
            await _in_thread(
                lambda: self._store.add_run_batches(tenant, run_id, batches, tally, at)
            )
        except BaseException:
            await lease.release()
            raise
        _log.info(
            "planned run %d: %d order(s) in %d batch(es)",
            run_id,
            sum(map(len, batches)),
            len(batches),
        )
        return PlannedCycle(run_id, len(batches), holder, RunOutcome.RUNNING)

    async def run_batch(self, run_id: int, batch_no: int, holder: str) -> RunReport | None:
        """Check one batch of the run; the run's record when this batch was the last one."""
        batch = await _in_thread(lambda: self._store.start_run_batch(run_id, batch_no))
        if batch is None or batch.done:
            return None
        if not batch.run_open:
            return await self._give_up(run_id, batch_no, batch, "the cycle's run was closed")
        lease = self._lease(holder)
        try:
            async with lease.held(release=False):
                reported: frozenset[str] = frozenset()
                if batch.attempts > 1:  # a worker died in this batch: never check twice
                    reported = frozenset(
                        await _in_thread(lambda: self._store.reported_orders(run_id))
                    )
                part = RunPart(run_id, batch.po_ids, reported)
                report, _ = await self._sync.run_once(
                    part=part, stop=lease.lost, trigger=RunTrigger.SCHEDULED
                )
        except LeaseHeld as held:
            return await self._give_up(run_id, batch_no, batch, str(held))
        return await self._finish(run_id, batch_no, tally_of(report), lease)

    async def _give_up(
        self, run_id: int, batch_no: int, batch: StartedBatch, why: str
    ) -> RunReport | None:
        """Finish a batch that cannot run: its orders are left for the next cycle."""
        report = RunReport(started_at=self._clock(), outcome=RunOutcome.INTERRUPTED)
        report.skipped = len(batch.po_ids)
        report.error = f"{len(batch.po_ids)} order(s) were not checked: {why}"
        _log.warning("batch %d of run %d not run: %s", batch_no, run_id, why)
        return await self._finish(run_id, batch_no, tally_of(report), None)

    async def _finish(
        self, run_id: int, batch_no: int, tally: dict[str, Any], lease: RunnerLease | None
    ) -> RunReport | None:
        at = self._clock()
        tallies = await _in_thread(
            lambda: self._store.finish_run_batch(run_id, batch_no, tally, at)
        )
        if tallies is None:
            return None
        run = await _in_thread(lambda: self._store.run(run_id))
        started = run.started_at if run is not None else at
        report = combine_tallies(RunReport(started_at=started, run_id=run_id), tallies)
        report.finished_at = self._clock()
        await _in_thread(lambda: self._store.finish_run(run_id, report))
        if lease is not None:
            await lease.release()
        if self._after_batches is not None and run is not None:
            orders = [o for o in run.orders if o.outcome is not OrderOutcome.SKIPPED]
            await self._after_batches(report, orders)
        _log.info(
            "sync cycle %s (run %d, %d batch(es)): %d monitored, %d updated, %d unchanged, "
            "%d failed, %d skipped",
            report.outcome,
            run_id,
            len(tallies) - 1,
            report.monitored,
            report.updated,
            report.unchanged,
            report.failed,
            report.skipped,
        )
        return report
