"""``orderbridge sync --once``: one cycle, with a progress bar and a summary.

A real (not dry) run goes through the guarded cycle (the runner lease first, like
``orderbridge run``), so it never syncs alongside a running daemon. It runs even when scheduled
syncing is turned off. A dry run writes nothing, not even a new store file: it prints one line
per changed field per PO (``--verbose``: the full planned values).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ._common import (
    EXIT_CONFIG,
    EXIT_ORDERS_FAILED,
    ConfigOption,
    console,
    errors,
    fail,
    plural,
    upstream_settings_or_exit,
    without_po,
)

if TYPE_CHECKING:
    from orderbridge.application.sync import OrderResult
    from orderbridge.bootstrap import SyncServices
    from orderbridge.domain.history import RunReport
    from orderbridge.settings import Settings


def sync(
    once: Annotated[bool, typer.Option("--once", help="Run one cycle and exit.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print each PO's planned changes; write nothing.")
    ] = False,
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="With --dry-run: the full planned values."),
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
    import anyio

    from orderbridge.application.lease import LeaseHeld
    from orderbridge.domain.history import RunOutcome
    from orderbridge.ports import StoreUnavailable

    from ._render import results_table, run_summary
    from ._service_down import down_services, explain_stop

    try:
        report, results = anyio.run(_run, settings, dry_run)
    except StoreUnavailable as exc:
        fail([f"store error: {exc}"])
    except LeaseHeld as exc:
        fail([str(exc)], EXIT_CONFIG)
    if dry_run:
        _print_plans(results, verbose=verbose)
    else:
        down = {id(r) for failed in down_services(results).values() for r in failed}
        table = results_table([r for r in results if id(r) not in down])
        if table.row_count:
            console.print(table)
        if down:
            console.print(
                f"{plural(len(down), 'order')} failed because a service could not be reached "
                "(below); orderbridge log shows the run and log --run N lists each order.",
                markup=False,
                highlight=False,
            )
    console.print(run_summary(report, dry_run=dry_run))
    for line in explain_stop(settings, report, results):
        errors.print(line, markup=False, highlight=False, soft_wrap=True)
    if report.outcome is RunOutcome.REFUSED:
        raise typer.Exit(EXIT_CONFIG)
    if report.failed or report.outcome in (RunOutcome.FAILED, RunOutcome.BUDGET_EXHAUSTED):
        raise typer.Exit(EXIT_ORDERS_FAILED)


def _print_plans(results: list[OrderResult], *, verbose: bool) -> None:
    from orderbridge.domain.history import OrderOutcome

    from ._dry_run import field_changes
    from ._render import plan_table, po_label

    for result in results:
        report = result.report
        name = po_label(report.po_number, report.po_id)
        if report.outcome in (OrderOutcome.FAILED, OrderOutcome.SKIPPED):
            error = without_po(report.po_number, report.error or "")
            text = f"{name}  {report.outcome.value}: {error}"
            console.print(text, markup=False, highlight=False)
            continue
        if result.plan is None or result.plan.is_empty:
            continue
        if verbose:
            console.print(plan_table(result))
            continue
        for line in field_changes(result):
            console.print(f"{name}  {line}", markup=False, highlight=False)
        for warning in report.warnings:
            console.print(f"{name}  warning: {warning}", markup=False, highlight=False)


async def _run(settings: Settings, dry_run: bool) -> tuple[RunReport, list[OrderResult]]:
    from orderbridge.bootstrap import dry_run_store, sync_services

    if not dry_run:
        async with sync_services(settings) as services:
            return await _cycle(services, dry_run=False)
    with dry_run_store(settings) as store:
        async with sync_services(settings, store=store) as services:
            return await _cycle(services, dry_run=True)


async def _cycle(services: SyncServices, *, dry_run: bool) -> tuple[RunReport, list[OrderResult]]:
    if not console.is_terminal:
        return await services.guarded.once(dry_run=dry_run)
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

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
