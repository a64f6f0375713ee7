"""``orderbridge status`` and ``orderbridge log``: read the store, never the upstreams."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.panel import Panel

from orderbridge.bootstrap import open_store
from orderbridge.domain.check_schedule import next_check
from orderbridge.domain.lifecycle import OrderState
from orderbridge.ports import StoreUnavailable
from orderbridge.settings import Settings

from ._common import ConfigOption, console, fail, settings_or_exit
from ._notify import notifications_table
from ._render import (
    history_table,
    lines_table,
    order_reports_table,
    runs_table,
    shipments_table,
    when,
)

EXIT_NOT_FOUND = 1


def status(
    po_number: Annotated[str, typer.Argument(help="The PO number sent to TD SYNNEX.")],
    config: ConfigOption = None,
) -> None:
    """Current state, shipments, invoices and history of one order."""
    settings = settings_or_exit(config)
    try:
        with open_store(settings) as store:
            stored = store.load_state("default", po_number)
            history = store.history("default", po_number)
            notified = store.order_notifications("default", po_number)
    except StoreUnavailable as exc:
        fail([f"store error: {exc}"])
    if stored is None:
        console.print(f"No order {po_number!r} has been synced yet.", highlight=False)
        raise typer.Exit(EXIT_NOT_FOUND)
    state = OrderState.from_json(stored.state)
    facts = [
        f"[bold]{state.status}[/]  (PO id {stored.po_id}, last checked {when(stored.checked_at)})",
        f"Next check: {next_check_text(settings, state, stored.checked_at)}",
        f"TD SYNNEX orders: {', '.join(state.order_numbers) or '—'}",
        f"Expected ship: {when(state.expected_ship_date)}   Expected delivery: "
        f"{when(state.expected_delivery)}   Delivered: {when(state.delivered_on)}",
    ]
    for invoice in state.invoices:
        total = "—" if invoice.total is None else f"{invoice.total:,.2f}"
        facts.append(f"Invoice {invoice.number} of {when(invoice.invoice_date)}: {total}")
    if stored.archived:  # records (issue 13): archived orders stay searchable
        facts.append(
            "Archived: finished and kept for the record (orderbridge unarchive brings it back)"
        )
    if state.reason:
        facts.append(f"Reason: {state.reason}")
    facts.extend(f"[yellow]warning:[/] {w}" for w in state.warnings)
    console.print(Panel("\n".join(facts), title=f"PO {po_number}", title_align="left"))
    console.print(lines_table(state))
    if state.shipments:
        console.print(shipments_table(state))
    console.print(history_table(history))
    if notified:  # notifications (issue 11): who was notified
        console.print(notifications_table(notified))


def log(
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many runs.", min=1)] = 20,
    run: Annotated[
        int | None, typer.Option("--run", help="Show one run with every order's outcome.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Recent runs of the sync activity log with their counts (or one run in detail)."""
    settings = settings_or_exit(config)
    try:
        with open_store(settings) as store:
            runs = store.runs("default", limit=limit) if run is None else []
            one = store.run(run) if run is not None else None
    except StoreUnavailable as exc:
        fail([f"store error: {exc}"])
    if run is not None:
        if one is None:
            fail([f"no run {run} in the activity log"], EXIT_NOT_FOUND)
        console.print(runs_table([one]))
        console.print(order_reports_table(one.orders))
        return
    if not runs:
        console.print("No sync runs recorded yet.")
        return
    console.print(runs_table(runs))


def next_check_text(settings: Settings, state: OrderState, checked_at: datetime) -> str:
    """When a scheduled cycle next asks TD SYNNEX about the order, and why (issue 16)."""
    if not settings.sync.adaptive:
        return "every cycle ([sync] adaptive = false)"
    return next_check(state, checked_at, policy=settings.sync.check_policy()).describe()
