"""``orderbridge resync PO_NUMBER``: check one order now and apply what changed.

It goes through the guarded cycle: with no other orderbridge running it takes the runner lease
and checks the order itself; while ``orderbridge run`` holds the lease it hands the order to
that daemon and prints the daemon's result; while a ``sync --once`` runs it refuses (exit 2).
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
    po_error,
    upstream_settings_or_exit,
)

if TYPE_CHECKING:
    from orderbridge.application.cycle import ResyncResult
    from orderbridge.application.sync import OrderResult
    from orderbridge.settings import Settings

__all__ = ["resync"]


async def _resync(settings: Settings, po_number: str, dry_run: bool) -> ResyncResult:
    from orderbridge.bootstrap import sync_services

    async with sync_services(settings) as services:
        return await services.guarded.resync(po_number, dry_run=dry_run)


def _not_monitored(settings: Settings, po_number: str) -> str:
    at = settings.autotask
    statuses = " or ".join(at.monitored_statuses)
    vendor = (
        f"vendor company {', '.join(str(i) for i in at.vendor_company_ids)}"
        if at.vendor_company_ids
        else f"a vendor whose name contains {at.vendor_name!r}"
    )
    return (
        f"PO {po_number} is not monitored: Autotask has no purchase order with that PO number "
        f"({at.po_number_field}) from {vendor} in status {statuses}"
    )


def resync(
    po_number: Annotated[str, typer.Argument(help="The PO number sent to TD SYNNEX.")],
    config: ConfigOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
    ] = False,
) -> None:
    """Check one order at TD SYNNEX now and bring its Autotask PO up to date."""
    settings = upstream_settings_or_exit(config)
    import anyio

    from orderbridge.application.lease import LeaseHeld
    from orderbridge.domain.history import RunOutcome
    from orderbridge.ports import StoreUnavailable

    try:
        result = anyio.run(_resync, settings, po_number, dry_run)
    except StoreUnavailable as exc:
        fail([f"store error: {exc}"])
    except LeaseHeld as exc:
        fail([f"{exc}; it takes no resync requests, so try again when it finishes"], EXIT_CONFIG)
    if result.outcome is RunOutcome.REFUSED:
        fail([f"The check stopped: {result.error}"], EXIT_CONFIG)
    if result.outcome in (RunOutcome.FAILED, RunOutcome.RUNNING):
        fail([f"The check stopped: {result.error}"], EXIT_ORDERS_FAILED)
    if result.order is None:
        fail([_not_monitored(settings, po_number)], EXIT_ORDERS_FAILED)
    _show(result.order, po_number, dry_run=dry_run, by_daemon=result.by_daemon)


def _show(order: OrderResult, po_number: str, *, dry_run: bool, by_daemon: bool) -> None:
    from rich.markup import escape

    from orderbridge.domain.history import OrderOutcome

    from ._render import plan_table

    outcome = order.report.outcome
    if outcome in (OrderOutcome.FAILED, OrderOutcome.SKIPPED):
        fail([po_error(po_number, order.report.error or outcome.value)], EXIT_ORDERS_FAILED)
    if by_daemon:
        errors.print("Checked by the running orderbridge.", highlight=False)
    status = escape(order.report.status or "unknown")
    for warning in order.report.warnings:
        errors.print(f"warning: {warning}", markup=False, highlight=False)
    if outcome is OrderOutcome.UNCHANGED:
        console.print(f"PO {escape(po_number)} ({status}): nothing changed.", highlight=False)
        return
    if order.plan is None:  # checked by the daemon: its activity-log line names the changes
        console.print(f"PO {escape(po_number)} ({status}) changed:", highlight=False)
        for change in order.report.changes:
            console.print(f"  {escape(change)}", highlight=False)
        return
    table = plan_table(order)
    verb = "would change (dry run, nothing written)" if dry_run else "changed"
    table.title = f"PO {po_number} ({order.report.status}): {verb}"
    console.print(table)
