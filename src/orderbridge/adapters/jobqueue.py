"""The job queue of ``orderbridge worker``: Procrastinate on the PostgreSQL store.

Two tasks, both on the queue ``orderbridge``:

- ``orderbridge.plan_cycle(tenant)`` — plan a tenant's cycle; deferred by the scheduler with the
  queueing lock ``plan:<tenant>``, so a tenant has at most one plan waiting however often the
  scheduler looks;
- ``orderbridge.sync_batch(tenant, run_id, batch_no, holder)`` — check one batch of orders of
  that cycle; retried with backoff when it raises (a store or network outage).

Procrastinate's tables live beside orderbridge's in the store's database (and schema, when the
store URL sets ``search_path``). ``ensure_schema`` applies Procrastinate's schema the first
time, under a PostgreSQL advisory lock so workers starting together apply it once (ADR 0050).

A worker that dies (``kill -9``, a lost machine) stops sending heartbeats; every worker looks
for jobs left ``doing`` by workers silent for ``[workers] stalled_after_s`` and puts them back
in the queue (``retry_stalled``), so another worker runs them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import psycopg
from procrastinate import App, PsycopgConnector, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued, ConnectorException
from procrastinate.jobs import Status
from procrastinate.types import JSONDict
from sqlalchemy.engine import make_url

__all__ = [
    "BATCH_TASK",
    "PLAN_TASK",
    "QUEUE",
    "BatchHandler",
    "JobQueue",
    "PlanHandler",
    "WorkerOptions",
    "conninfo_of",
    "queue_health",
]

_log = logging.getLogger(__name__)

QUEUE = "orderbridge"
PLAN_TASK = "orderbridge.plan_cycle"
BATCH_TASK = "orderbridge.sync_batch"
# pg_advisory_lock key for applying Procrastinate's schema ("orderbri" as a 64-bit integer).
_SCHEMA_LOCK = 0x6F72646572627269
_POOL_MAX = 6

PlanHandler = Callable[[str], Awaitable[None]]
BatchHandler = Callable[[str, int, int, str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    """How a worker process runs jobs (``[workers]`` and ``--concurrency``)."""

    concurrency: int = 4
    heartbeat_s: float = 10.0
    stalled_after_s: float = 60.0
    poll_s: float = 5.0
    name: str = "orderbridge-worker"


def conninfo_of(store_url: str) -> str:
    """The libpq URL of a ``postgresql+psycopg://`` store URL (options such as search_path kept)."""
    url = make_url(store_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError(
            "workers need the PostgreSQL store: set [store] url = "
            '"postgresql+psycopg://user@host/db" (see docs/scale-out.md)'
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class JobQueue:
    """Procrastinate, set up with orderbridge's two tasks; open with ``async with``."""

    def __init__(self, store_url: str) -> None:
        self._conninfo = conninfo_of(store_url)
        # The queue's own pool: fetching, heartbeats, LISTEN and finishing jobs (the store's
        # engine serves the jobs themselves).
        connector = PsycopgConnector(conninfo=self._conninfo, min_size=1, max_size=_POOL_MAX)
        self.app = App(connector=connector)
        self._plan: PlanHandler | None = None
        self._batch: BatchHandler | None = None
        self._register()

    def handle(self, *, plan: PlanHandler, batch: BatchHandler) -> None:
        """What the tasks do (the worker's composition root gives them)."""
        self._plan, self._batch = plan, batch

    def _register(self) -> None:
        @self.app.task(
            name=PLAN_TASK,
            queue=QUEUE,
            retry=RetryStrategy(max_attempts=5, exponential_wait=5),
        )
        async def plan_cycle(tenant: str) -> None:
            if self._plan is None:
                raise RuntimeError("this process does not run orderbridge jobs")
            await self._plan(tenant)

        @self.app.task(
            name=BATCH_TASK,
            queue=QUEUE,
            retry=RetryStrategy(max_attempts=5, exponential_wait=5),
        )
        async def sync_batch(tenant: str, run_id: int, batch_no: int, holder: str) -> None:
            if self._batch is None:
                raise RuntimeError("this process does not run orderbridge jobs")
            await self._batch(tenant, run_id, batch_no, holder)

    async def __aenter__(self) -> JobQueue:
        await self.app.open_async()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.app.close_async()

    async def ensure_schema(self) -> bool:
        """Apply Procrastinate's schema unless it is there; True when it was applied now."""
        async with await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True) as lock:
            await lock.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK,))
            try:
                found = await (
                    await lock.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")
                ).fetchone()
                if found is not None and found[0]:
                    return False
                await self.app.schema_manager.apply_schema_async()
                _log.info("applied the job queue's schema to the store")
                return True
            finally:
                await lock.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK,))

    async def defer_plan(self, tenant: str) -> bool:
        """Queue a plan of the tenant's cycle; False when one is already waiting."""
        task = self.app.tasks[PLAN_TASK]
        try:
            await task.configure(queueing_lock=f"plan:{tenant}").defer_async(tenant=tenant)
        except AlreadyEnqueued:
            return False
        return True

    async def defer_batches(self, tenant: str, run_id: int, batches: int, holder: str) -> None:
        """Queue a job for each batch ``1..batches`` of the run."""
        task = self.app.tasks[BATCH_TASK]
        jobs: list[JSONDict] = [
            {"tenant": tenant, "run_id": run_id, "batch_no": number, "holder": holder}
            for number in range(1, batches + 1)
        ]
        await task.batch_defer_async(*jobs)

    async def requeue_batches(self, tenant: str, pending: Sequence[tuple[int, int, str]]) -> int:
        """Queue the pending batches that have no job waiting or running (lost by a crash).

        A plan that died between recording its batches and queueing them leaves batches no
        worker would ever run; this finds them by their job arguments. Returns how many.
        """
        if not pending:
            return 0
        runs = sorted({run_id for run_id, _, _ in pending})
        async with await psycopg.AsyncConnection.connect(self._conninfo) as connection:
            cursor = await connection.execute(
                "SELECT (args->>'run_id')::bigint, (args->>'batch_no')::int "
                "FROM procrastinate_jobs WHERE task_name = %s AND status IN ('todo', 'doing') "
                "AND (args->>'run_id')::bigint = ANY(%s)",
                (BATCH_TASK, runs),
            )
            live = {(int(r), int(b)) for r, b in await cursor.fetchall()}
        lost: list[JSONDict] = [
            {"tenant": tenant, "run_id": run_id, "batch_no": number, "holder": holder}
            for run_id, number, holder in pending
            if (run_id, number) not in live
        ]
        if lost:
            await self.app.tasks[BATCH_TASK].batch_defer_async(*lost)
            _log.warning(
                "queued %d batch(es) of tenant %s again: their jobs were lost", len(lost), tenant
            )
        return len(lost)

    async def retry_stalled(self, stalled_after_s: float) -> int:
        """Queue again the jobs of workers silent for ``stalled_after_s``; return how many."""
        manager = self.app.job_manager
        stalled = list(
            await manager.get_stalled_jobs(queue=QUEUE, seconds_since_heartbeat=stalled_after_s)
        )
        for job in stalled:
            try:
                await manager.retry_job(job)
            except ConnectorException:  # another job of the same kind waits already
                await manager.finish_job(job, status=Status.FAILED, delete_job=False)
                _log.warning(
                    "job %s of a stopped worker was dropped: another waits", job.call_string
                )
                continue
            _log.warning("job %s of a stopped worker is queued again", job.call_string)
        return len(stalled)

    async def run_worker(self, options: WorkerOptions) -> None:
        """Run jobs until SIGTERM/SIGINT; running batches finish before the worker stops."""
        await self.app.run_worker_async(
            queues=[QUEUE],
            concurrency=options.concurrency,
            name=options.name,
            fetch_job_polling_interval=options.poll_s,
            update_heartbeat_interval=options.heartbeat_s,
            stalled_worker_timeout=options.stalled_after_s,
            delete_jobs="successful",
            install_signal_handlers=True,
        )

    async def queued(self) -> dict[str, int]:
        """Jobs by status (for ``worker --status`` and the benchmarks)."""
        counts: dict[str, int] = {}
        for job in await self.app.job_manager.list_jobs_async(queue=QUEUE):
            status = str(job.status)
            counts[status] = counts.get(status, 0) + 1
        return counts


def queue_health(
    store_url: str, tenant: str, stalled_after_s: float
) -> tuple[int, int, int, int, int] | None:
    """(live workers, silent workers, waiting, running, failed jobs of ``tenant``), or None
    when the store has no job queue (workers never ran on it)."""
    with psycopg.connect(conninfo_of(store_url), connect_timeout=5) as connection:
        found = connection.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
        if found is None or found[0] is None:
            return None
        live, silent = connection.execute(
            "SELECT count(*) FILTER (WHERE last_heartbeat >= now() - make_interval(secs => %s)),"
            " count(*) FILTER (WHERE last_heartbeat < now() - make_interval(secs => %s))"
            " FROM procrastinate_workers",
            (stalled_after_s, stalled_after_s),
        ).fetchone() or (0, 0)
        counts: dict[str, int] = dict(
            connection.execute(
                "SELECT status::text, count(*) FROM procrastinate_jobs"
                " WHERE queue_name = %s AND args->>'tenant' = %s GROUP BY status",
                (QUEUE, tenant),
            ).fetchall()
        )
    return (
        int(live),
        int(silent),
        int(counts.get("todo", 0)),
        int(counts.get("doing", 0)),
        int(counts.get("failed", 0)),
    )
