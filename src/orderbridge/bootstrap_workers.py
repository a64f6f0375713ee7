"""The composition root of ``orderbridge worker`` and ``orderbridge scheduler``.

The worker runs Procrastinate jobs (``orderbridge.adapters.jobqueue``) whose handlers build a
tenant's sync graph on the worker's one store connection and hand it to
``orderbridge.application.batched``; the scheduler looks at every enabled tenant every
``[workers] scheduler_poll_s`` and queues a plan of each tenant whose cycle is due — due exactly
as ``orderbridge run`` decides it (frequency, on/off switch, the request budget's pace), and
never while the tenant's previous cycle still has batches to run.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

import anyio
import structlog

from orderbridge.adapters.jobqueue import JobQueue, WorkerOptions
from orderbridge.adapters.store import SqlStore
from orderbridge.application.batched import BatchedCycles
from orderbridge.bootstrap import (
    SyncServices,
    enabled_tenants,
    open_store,
    settings_for_tenant,
    sync_services,
    utc_now,
)
from orderbridge.settings import ConfigError, Settings

__all__ = ["WorkerRoot", "worker_root"]

_log = logging.getLogger(__name__)
_TENANT_SETTINGS_TTL_S = 60.0  # a tenant's changed settings reach running workers this soon


@dataclass
class _Graph:
    """A tenant's sync graph kept between jobs, with what closes it."""

    tenant: str
    settings: Settings
    services: SyncServices
    stack: AsyncExitStack


class _TenantGone(Exception):
    """The job's tenant is disabled or removed (said in the log)."""


class WorkerRoot:
    """The job queue, the store and the per-tenant graphs of one worker or scheduler process."""

    def __init__(
        self,
        settings: Settings,
        store: SqlStore,
        queue: JobQueue,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.settings = settings
        self.store = store
        self.queue = queue
        self._clock = clock
        self._tenant_settings: dict[str, tuple[float, Settings]] = {}
        # Idle graphs, least recently used first; a few per job this worker runs at once.
        self._idle: list[_Graph] = []
        self._keep = 2 * settings.workers.concurrency
        queue.handle(plan=self.plan, batch=self.run_batch)

    def tenant_settings(self, tenant: str) -> Settings:
        """The tenant's settings (read from the store at most once a minute per process)."""
        cached = self._tenant_settings.get(tenant)
        now = time.monotonic()
        if cached is not None and now - cached[0] < _TENANT_SETTINGS_TTL_S:
            return cached[1]
        found = settings_for_tenant(self.settings, tenant)
        self._tenant_settings[tenant] = (now, found)
        return found

    def _cycles_of(self, services: SyncServices) -> BatchedCycles:
        settings = services.settings
        notices = services.sync.notices
        return BatchedCycles(
            sync=services.sync,
            store=self.store,
            clock=self._clock,
            batch_size=settings.sync.batch_size,
            lease_ttl_s=max(settings.sync.lease_ttl_s, settings.workers.stalled_after_s),
            tenant=settings.tenant,
            after_batches=None if notices is None else notices.after_batches,
        )

    @asynccontextmanager
    async def _cycles(self, tenant: str) -> AsyncIterator[tuple[BatchedCycles, SyncServices]]:
        """The tenant's graph for one job; a tenant disabled or removed meanwhile is skipped.

        (Its pending batches stay recorded: enabled again, its next plan queues them.)
        Graphs are kept between jobs (the most recently used, two per job the worker runs at
        once), so a worker's consecutive jobs of one tenant reuse its HTTP connections and
        Autotask metadata while memory stays bounded however many tenants there are; each job
        has a graph to itself, so a run's request figures are its own. A graph whose tenant
        settings were read again, or whose job failed, is closed instead of kept.
        """
        try:
            settings = self.tenant_settings(tenant)
        except ConfigError as exc:
            _log.error("tenant %s is not served: %s", tenant, "; ".join(exc.problems))
            raise _TenantGone from exc
        graph = await self._take_graph(tenant, settings)
        with structlog.contextvars.bound_contextvars(tenant=tenant):
            try:
                yield self._cycles_of(graph.services), graph.services
            except BaseException:
                with anyio.CancelScope(shield=True):
                    await graph.stack.aclose()
                raise
        self._idle.append(graph)
        while len(self._idle) > self._keep:  # the least recently used go first
            await self._idle.pop(0).stack.aclose()

    async def _take_graph(self, tenant: str, settings: Settings) -> _Graph:
        """An idle graph of the tenant built from these settings, else a new one."""
        for index in range(len(self._idle) - 1, -1, -1):
            found = self._idle[index]
            if found.tenant != tenant:
                continue
            del self._idle[index]
            if found.settings is settings:
                return found
            await found.stack.aclose()  # built from settings read before: rebuild
        return await self._build_graph(tenant, settings)

    async def _build_graph(self, tenant: str, settings: Settings) -> _Graph:
        """A new sync graph of the tenant, with what closes it."""
        stack = AsyncExitStack()
        services = await stack.enter_async_context(
            sync_services(settings, store=self.store, clock=self._clock, log_context=False)
        )
        return _Graph(tenant, settings, services, stack)

    async def aclose(self) -> None:
        """Close the graphs kept between jobs."""
        graphs, self._idle = self._idle, []
        for graph in graphs:
            await graph.stack.aclose()

    async def plan(self, tenant: str) -> None:
        """The plan job: open the tenant's cycle and queue its batches."""
        with contextlib.suppress(_TenantGone):
            await self._plan(tenant)

    async def _plan(self, tenant: str) -> None:
        async with self._cycles(tenant) as (cycles, services):
            values = await services.runtime.current()
            if not values.enabled:
                _log.info("scheduled sync is off for tenant %s; not planning", tenant)
                return
            if await cycles.busy():  # the previous cycle is not over: requeue lost batches
                await self.queue.requeue_batches(tenant, await cycles.pending())
                return
            planned = await cycles.plan()
        if planned is not None and planned.batches:
            await self.queue.defer_batches(tenant, planned.run_id, planned.batches, planned.holder)

    async def run_batch(self, tenant: str, run_id: int, batch_no: int, holder: str) -> None:
        """The batch job: check one batch of the tenant's cycle."""
        with contextlib.suppress(_TenantGone):
            async with self._cycles(tenant) as (cycles, _):
                await cycles.run_batch(run_id, batch_no, holder)

    async def schedule_forever(self, stop: anyio.Event) -> None:
        """Queue each tenant's plan when its cycle is due, until ``stop``."""
        poll_s = self.settings.workers.scheduler_poll_s
        graphs: dict[str, _Graph] = {}
        try:
            while not stop.is_set():
                try:
                    await self.schedule_once(graphs)
                except Exception:  # a store outage: say so, try again next time
                    _log.exception("the scheduler could not look at the tenants")
                with anyio.move_on_after(poll_s):
                    await stop.wait()
        finally:
            with anyio.CancelScope(shield=True):
                for graph in graphs.values():
                    await graph.stack.aclose()

    async def schedule_once(self, graphs: dict[str, _Graph]) -> list[str]:
        """Queue a plan for every enabled tenant whose cycle is due; returns their names.

        ``graphs`` keeps each tenant's sync graph between looks; one built from tenant settings
        read before (``tenants add --replace`` changed them) is built again.
        """
        deferred: list[str] = []
        enabled = await anyio.to_thread.run_sync(lambda: enabled_tenants(self.settings))
        for gone in set(graphs) - set(enabled):  # disabled or removed meanwhile
            await graphs.pop(gone).stack.aclose()
        for tenant in enabled:
            graph = graphs.get(tenant)
            try:
                settings = self.tenant_settings(tenant)
                if graph is not None and graph.settings is not settings:
                    await graphs.pop(tenant).stack.aclose()
                    graph = None
                if graph is None:
                    graph = graphs[tenant] = await self._build_graph(tenant, settings)
            except ConfigError as exc:
                _log.error("tenant %s is skipped: %s", tenant, "; ".join(exc.problems))
                continue
            with structlog.contextvars.bound_contextvars(tenant=tenant):
                if await self._due(tenant, graph.services) and await self.queue.defer_plan(tenant):
                    deferred.append(tenant)
        return deferred

    async def _due(self, tenant: str, services: SyncServices) -> bool:
        values = await services.runtime.current()
        if not values.enabled:
            return False
        pending = await anyio.to_thread.run_sync(lambda: self.store.pending_run_batches(tenant))
        if pending:
            # A cycle is under way; its batches renew the lease while they run. A lapsed lease
            # with batches left means their jobs may be lost: a plan job looks (and requeues).
            return not await self._cycles_of(services).lease_live()
        due = await services.daemon(clock=self._clock).next_due(values)
        return due <= self._clock()

    async def recover_forever(self, stop: anyio.Event) -> None:
        """Queue again, every heartbeat, the jobs of workers that stopped answering."""
        workers = self.settings.workers
        while not stop.is_set():
            try:
                await self.queue.retry_stalled(workers.stalled_after_s)
            except Exception:
                _log.warning("could not look for jobs of stopped workers", exc_info=True)
            with anyio.move_on_after(workers.heartbeat_s):
                await stop.wait()

    def worker_options(self, concurrency: int | None) -> WorkerOptions:
        """How this process runs jobs (``--concurrency`` over ``[workers] concurrency``)."""
        w = self.settings.workers
        self._keep = 2 * (concurrency or w.concurrency)
        return WorkerOptions(
            concurrency=concurrency or w.concurrency,
            heartbeat_s=w.heartbeat_s,
            stalled_after_s=w.stalled_after_s,
            poll_s=min(5.0, w.scheduler_poll_s),
        )


@asynccontextmanager
async def worker_root(
    settings: Settings, *, clock: Callable[[], datetime] = utc_now
) -> AsyncIterator[WorkerRoot]:
    """Open the store and the job queue (applying its schema the first time)."""
    store = open_store(settings)
    try:
        async with JobQueue(settings.store.url) as queue:
            await queue.ensure_schema()
            root = WorkerRoot(settings, store, queue, clock=clock)
            try:
                yield root
            finally:
                with anyio.CancelScope(shield=True):
                    await root.aclose()
    finally:
        store.close()
