"""``orderbridge worker`` and ``orderbridge scheduler``: many tenants, many processes.

Both need the PostgreSQL store (``[store] url = "postgresql+psycopg://..."``). Workers run the
jobs; the scheduler queues each tenant's cycle when it is due. ``worker --schedule`` runs the
scheduler inside a worker, for a one-machine installation. Start as many workers as the
machines have cores to spare; they share the tenants' Autotask budgets and request slots
through the store. SIGTERM (or Ctrl-C) stops a worker gracefully: it takes no new job and
finishes the batches it is checking; a worker killed outright has its jobs run again by
another worker once it misses its heartbeats for ``[workers] stalled_after_s``.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from ._common import (
    EXIT_CONFIG,
    EXIT_ORDERS_FAILED,
    ConfigOption,
    errors,
    fail,
    settings_or_exit,
    start_logging,
    store_file,
    store_origin,
)

if TYPE_CHECKING:
    import anyio

    from orderbridge.settings import Settings

ConcurrencyOption = Annotated[
    int | None,
    typer.Option(
        "--concurrency",
        min=1,
        max=64,
        help="Jobs (order batches) this worker runs at once [default: [workers] concurrency].",
    ),
]


def _postgres_settings(config: ConfigOption) -> Settings:
    settings = settings_or_exit(config, tenant=False)
    if not settings.store.url.startswith("postgresql"):
        path = store_file(settings)
        origin, _ = store_origin(settings, config)
        if path is None:
            found = f"the store is {settings.store.url} (from {origin})"
        elif path.is_file():
            found = f"this store is the SQLite file {path} (from {origin})"
        else:
            found = f"and there is no store at {path} (from {origin})"
        fail(
            [
                f"workers need the PostgreSQL store, {found}; set [store] url = "
                '"postgresql+psycopg://user@host/db" (or ORDERBRIDGE_STORE__URL) and move a '
                "SQLite store there with `orderbridge migrate-store` (see docs/scale-out.md)"
            ],
            EXIT_CONFIG,
        )
    start_logging(settings, one_shot=False)
    return settings


def worker(
    config: ConfigOption = None,
    concurrency: ConcurrencyOption = None,
    schedule: Annotated[
        bool,
        typer.Option("--schedule", help="Also queue the tenants' cycles (run the scheduler)."),
    ] = False,
) -> None:
    """Run sync jobs from the queue on the PostgreSQL store until SIGTERM or Ctrl-C."""
    settings = _postgres_settings(config)
    import anyio

    errors.print(
        f"orderbridge worker: {concurrency or settings.workers.concurrency} job(s) at a time"
        + (", scheduling cycles" if schedule else "")
        + ". Stop with Ctrl-C or SIGTERM.",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    _run_or_fail(lambda: anyio.run(_work, settings, concurrency, schedule))
    errors.print("orderbridge worker stopped.", highlight=False, soft_wrap=True)


def scheduler(config: ConfigOption = None) -> None:
    """Queue each tenant's sync cycles on its own frequency until SIGTERM or Ctrl-C."""
    settings = _postgres_settings(config)
    import anyio

    errors.print(
        "orderbridge scheduler: looking at every enabled tenant every "
        f"{settings.workers.scheduler_poll_s:g} s. Stop with Ctrl-C or SIGTERM.",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    _run_or_fail(lambda: anyio.run(_schedule, settings))
    errors.print("orderbridge scheduler stopped.", highlight=False, soft_wrap=True)


def _run_or_fail(body: Callable[[], None]) -> None:
    from orderbridge.ports import StoreUnavailable

    try:
        body()
    except StoreUnavailable as exc:
        fail([f"store error: {exc}"], EXIT_ORDERS_FAILED)
    except OSError as exc:  # the job queue's connection to PostgreSQL
        fail([f"cannot reach the PostgreSQL store: {exc}"], EXIT_ORDERS_FAILED)


async def _work(settings: Settings, concurrency: int | None, schedule: bool) -> None:
    import anyio

    from orderbridge.bootstrap_workers import worker_root

    stop = anyio.Event()
    async with worker_root(settings) as root, anyio.create_task_group() as group:
        group.start_soon(root.recover_forever, stop)
        if schedule:
            group.start_soon(root.schedule_forever, stop)
        try:
            # Procrastinate handles SIGTERM/SIGINT itself: no new job, running batches finish.
            await root.queue.run_worker(root.worker_options(concurrency))
        finally:
            stop.set()


async def _schedule(settings: Settings) -> None:
    import anyio

    from orderbridge.bootstrap_workers import worker_root

    stop = anyio.Event()
    async with worker_root(settings) as root, anyio.create_task_group() as group:
        group.start_soon(_stop_on_signal, stop, group.cancel_scope)
        await root.schedule_forever(stop)
        group.cancel_scope.cancel()


async def _stop_on_signal(stop: anyio.Event, scope: anyio.CancelScope) -> None:
    import anyio

    with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
        async for _ in signals:
            stop.set()
            return
