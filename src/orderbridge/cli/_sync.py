"""``orderbridge sync --once``: one cycle, with a progress bar and a summary.

A real (not dry) run goes through the guarded cycle (the runner lease first, like
``orderbridge run``), so it never syncs alongside a running daemon. It runs even when scheduled
syncing is turned off.
"""

from __future__ import annotations

from typing import Annotated

import anyio
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from orderbridge.application.lease import LeaseHeld
from orderbridge.application.sync import OrderResult
from orderbridge.bootstrap import SyncServices, sync_services
from orderbridge.domain.history import RunOutcome, RunReport
from orderbridge.ports import StoreUnavailable
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
    except StoreUnavailable as exc:
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
    if report.outcome is RunOutcome.REFUSED:
        raise typer.Exit(EXIT_CONFIG)
    if report.failed or report.outcome in (RunOutcome.FAILED, RunOutcome.BUDGET_EXHAUSTED):
        raise typer.Exit(EXIT_ORDERS_FAILED)


async def _run(settings: Settings, dry_run: bool) -> tuple[RunReport, list[OrderResult]]:
    async with sync_services(settings) as services:
        return await _cycle(services, dry_run=dry_run)


async def _cycle(services: SyncServices, *, dry_run: bool) -> tuple[RunReport, list[OrderResult]]:
    if not console.is_terminal:
        return await services.guarded.once(dry_run=dry_run)
    with Progress(
        TextColumn("Checking TD SYNNEX orders"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("check", total=None)
        return await services.guarded.once(
            dry_run=dry_run,
            on_total=lambda n: progress.update(task, total=n),
            on_order=lambda _: progress.advance(task),
        )
