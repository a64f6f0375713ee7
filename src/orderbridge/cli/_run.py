"""``orderbridge run``: the daemon, syncing on schedule until SIGTERM or Ctrl-C.

The first SIGTERM/SIGINT stops it gracefully: no new orders are started, orders being checked
finish their Autotask write and store commit, the run is recorded ``interrupted`` and the process
exits 0. A second signal stops it at once (exit code 128 + the signal number).
"""

from __future__ import annotations

import signal
from typing import TYPE_CHECKING

import typer

from ._common import EXIT_CONFIG, EXIT_ORDERS_FAILED, ConfigOption, errors, fail
from ._common import upstream_settings_or_exit as _settings

if TYPE_CHECKING:
    import anyio

    from orderbridge.application.daemon import Daemon
    from orderbridge.bootstrap import SyncServices
    from orderbridge.settings import Settings

_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def run(config: ConfigOption = None) -> None:
    """Keep syncing on the configured schedule until stopped (SIGTERM or Ctrl-C)."""
    settings = _settings(config, one_shot=False)
    import anyio

    from orderbridge.application.daemon import LeaseLost
    from orderbridge.application.lease import LeaseHeld
    from orderbridge.ports import StoreUnavailable

    forced: list[int] = []
    try:
        anyio.run(_serve, settings, forced)
    except LeaseHeld as exc:
        fail([str(exc)], EXIT_CONFIG)
    except LeaseLost as exc:
        fail([str(exc)], EXIT_ORDERS_FAILED)
    except StoreUnavailable as exc:
        fail([f"store error: {exc}"], EXIT_ORDERS_FAILED)
    if forced:
        raise typer.Exit(128 + forced[0])
    errors.print("orderbridge stopped.", highlight=False, soft_wrap=True)


async def _serve(settings: Settings, forced: list[int]) -> None:
    from orderbridge.application.taskgroups import single_error

    with single_error():
        await _serve_until_stopped(settings, forced)


async def _serve_until_stopped(settings: Settings, forced: list[int]) -> None:
    import anyio

    from orderbridge.bootstrap import sync_services

    stop = anyio.Event()
    async with sync_services(settings) as services, anyio.create_task_group() as group:
        group.start_soon(_watch_signals, stop, group.cancel_scope, forced)
        daemon = services.daemon()
        group.start_soon(_announce, daemon, services)
        if services.sync.notices is not None:  # continuous delivery of notifications
            every = services.settings.notifications.deliver_every_s
            group.start_soon(services.sync.notices.deliver_forever, stop, every)
        if settings.web.enabled:
            from ._serve import dashboard_task

            group.start_soon(dashboard_task, settings, services.store, stop)
        # the daily archive pass and scheduled backups, once the lease is held
        group.start_soon(services.housekeeping().run, stop, daemon.started)
        try:
            await daemon.run(stop)
        finally:
            group.cancel_scope.cancel()


async def _announce(daemon: Daemon, services: SyncServices) -> None:
    await daemon.started.wait()
    values = await services.runtime.current()
    errors.print(
        f"orderbridge is running: {values.frequency.describe()}; {values.scope.describe()}; "
        f"scheduled sync is {'on' if values.enabled else 'off'}. Stop with Ctrl-C or SIGTERM.",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )


async def _watch_signals(stop: anyio.Event, scope: anyio.CancelScope, forced: list[int]) -> None:
    import anyio

    with anyio.open_signal_receiver(*_SIGNALS) as signals:
        async for received in signals:
            if stop.is_set():
                forced.append(int(received))
                errors.print("Stopping at once.", highlight=False, soft_wrap=True)
                scope.cancel()
                return
            errors.print(
                "Stopping: letting orders being checked finish (signal again to stop at once).",
                highlight=False,
                soft_wrap=True,
            )
            stop.set()
