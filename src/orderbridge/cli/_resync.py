"""``orderbridge resync PO_NUMBER``: check one order now and apply what changed."""

from __future__ import annotations

from typing import Annotated

import anyio
import typer
from rich.markup import escape

from orderbridge.adapters.store import StoreError
from orderbridge.application.sync import OrderResult
from orderbridge.bootstrap import sync_services
from orderbridge.domain.history import OrderOutcome, RunReport
from orderbridge.settings import Settings

from ._common import (
    EXIT_CONFIG,
    EXIT_ORDERS_FAILED,
    ConfigOption,
    console,
    errors,
    fail,
    settings_or_exit,
)
from ._render import plan_table

__all__ = ["resync"]


async def _resync(
    settings: Settings, po_number: str, dry_run: bool
) -> tuple[RunReport, list[OrderResult]]:
    async with sync_services(settings) as services:
        return await services.sync.run_once(dry_run=dry_run, only={po_number})


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
    settings = settings_or_exit(config)
    problems = settings.credential_problems()
    if problems:
        fail([f"configuration error: {line}" for line in problems])
    try:
        report, results = anyio.run(_resync, settings, po_number, dry_run)
    except StoreError as exc:
        fail([f"store error: {exc}"])
    if report.outcome == "refused":
        fail([f"The check stopped: {report.error}"], EXIT_CONFIG)
    if report.outcome == "failed":
        fail([f"The check stopped: {report.error}"], EXIT_ORDERS_FAILED)
    if not results:
        fail([_not_monitored(settings, po_number)], EXIT_ORDERS_FAILED)
    result = results[0]
    outcome = result.report.outcome
    if outcome in (OrderOutcome.FAILED, OrderOutcome.SKIPPED):
        fail([f"PO {po_number}: {result.report.error or outcome.value}"], EXIT_ORDERS_FAILED)
    status = escape(result.report.status or "unknown")
    for warning in result.report.warnings:
        errors.print(f"warning: {warning}", markup=False, highlight=False)
    if result.plan is None or result.plan.is_empty:
        console.print(f"PO {escape(po_number)} ({status}): nothing changed.", highlight=False)
        return
    table = plan_table(result)
    verb = "would change (dry run, nothing written)" if dry_run else "changed"
    table.title = f"PO {po_number} ({result.report.status}): {verb}"
    console.print(table)
