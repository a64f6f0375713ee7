"""``orderbridge sync --once``: one cycle, with a progress bar and a summary.

A real (not dry) run takes the runner lease first, like ``orderbridge run``, so it never syncs
alongside a running daemon. It runs even when scheduled syncing is turned off.
"""

from __future__ import annotations

from typing import Annotated

import anyio
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from orderbridge.adapters.store import DEFAULT_TENANT, StoreError
from orderbridge.application.lease import LeaseHeld
from orderbridge.application.sync import BUDGET_EXHAUSTED, OrderResult
from orderbridge.bootstrap import SyncServices, runner_lease, sync_services, utc_now
from orderbridge.domain.history import RunReport
from orderbridge.settings import Settings

from ._common import (
    EXIT_CONFIG,
    EXIT_ORDERS_FAILED,
    ConfigOption,
    console,
    errors,
    fail,
    upstream_settings_or_exit,
)
from ._render import plan_table, results_table, run_summary


def sync(
    once: Annotated[bool, typer.Option("--once", help="Run one cycle and exit.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print each PO's planned changes; write nothing.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Check every monitored TD SYNNEX order and bring its Autotask PO up to date.

    An explicit one-off sync runs even when scheduled syncing is turned off (orderbridge
    disable); it is refused while another orderbridge is syncing the same store.
    """
    if not once:
        fail(["orderbridge sync runs one cycle: add --once (orderbridge run keeps syncing)"])
    settings = upstream_settings_or_exit(config)
    try:
        report, results = anyio.run(_run, settings, dry_run)
    except StoreError as exc:
        fail([f"store error: {exc}"])
    except LeaseHeld as exc:
        fail([str(exc)], EXIT_CONFIG)
    if dry_run:
        for result in results:
            if result.plan is not None and not result.plan.is_empty:
                console.print(plan_table(result))
    console.print(results_table(results))
    console.print(run_summary(report, dry_run=dry_run))
    if report.error:
        errors.print(f"[red]The run stopped:[/] {report.error}", highlight=False)
    if report.outcome == "refused":
        raise typer.Exit(EXIT_CONFIG)
    if report.failed or report.outcome in ("failed", BUDGET_EXHAUSTED):
        raise typer.Exit(EXIT_ORDERS_FAILED)


async def _run(settings: Settings, dry_run: bool) -> tuple[RunReport, list[OrderResult]]:
    async with sync_services(settings) as services:
        if dry_run:
            return await _cycle(services, dry_run=True)
        async with runner_lease(settings, services.store).held() as lease:
            now = utc_now()
            await anyio.to_thread.run_sync(
                lambda: services.store.mark_interrupted_runs(DEFAULT_TENANT, now)
            )
            return await _cycle(services, dry_run=False, stop=lease.lost)


async def _cycle(
    services: SyncServices, *, dry_run: bool, stop: anyio.Event | None = None
) -> tuple[RunReport, list[OrderResult]]:
    if not console.is_terminal:
        return await services.sync.run_once(dry_run=dry_run, stop=stop)
    with Progress(
        TextColumn("Checking TD SYNNEX orders"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("check", total=None)
        return await services.sync.run_once(
            dry_run=dry_run,
            stop=stop,
            on_total=lambda n: progress.update(task, total=n),
            on_order=lambda _: progress.advance(task),
        )
