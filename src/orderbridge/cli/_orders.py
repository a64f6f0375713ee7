"""``orderbridge status`` and ``orderbridge log``: read the store, never the upstreams.

Both are read-only: they never create a store (a missing SQLite file is an error that says where
they looked), and an order that was monitored but never checked successfully is shown as such,
with its last error and when it is next checked.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from ._common import (
    ConfigOption,
    console,
    existing_store_or_exit,
    fail,
    opened_store,
    plural,
    settings_or_exit,
    store_file,
    without_po,
)

if TYPE_CHECKING:
    from orderbridge.domain.history import OrderReport

EXIT_NOT_FOUND = 1


def status(
    po_number: Annotated[str, typer.Argument(help="The PO number sent to TD SYNNEX.")],
    config: ConfigOption = None,
) -> None:
    """Current state, shipments, invoices and history of one order."""
    settings = settings_or_exit(config)
    existing_store_or_exit(settings, config)
    from orderbridge.bootstrap import next_checks
    from orderbridge.domain.lifecycle import OrderState

    with opened_store(settings) as store:
        stored = store.load_state(settings.tenant, po_number)
        history = store.history(settings.tenant, po_number)
        reports = store.order_reports(settings.tenant, po_number, limit=20)
        notified = store.order_notifications(settings.tenant, po_number)
        state = None if stored is None else OrderState.from_json(stored.state)
        checks = next_checks(settings, store)
        outlook = checks.of(state, None if stored is None else stored.checked_at)
        where = str(store_file(settings) or store.url)
    next_check = outlook.describe() + ("" if outlook.enabled else " (orderbridge enable)")
    next_check += f"; orderbridge resync {po_number} checks it now"
    if stored is None and not reports:
        console.print(
            f"No order {po_number!r} in the store at {where}: no sync has seen it "
            f"(orderbridge resync {po_number} checks it now).",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_NOT_FOUND)
    if stored is None or state is None:
        _print_never_synced(po_number, reports, next_check)
        return
    from ._render import order_panel

    latest = reports[0] if reports else None
    console.print(order_panel(po_number, stored, latest, next_check))
    from ._render import history_table, lines_table, shipments_table

    console.print(lines_table(state))
    if state.shipments:
        console.print(shipments_table(state))
    console.print(history_table(history))
    if notified:  # who was notified, and what failed
        from ._notify import notifications_table

        console.print(notifications_table(notified))


def _print_never_synced(
    po_number: str, reports: list[tuple[datetime, OrderReport]], next_check: str
) -> None:
    from rich.markup import escape
    from rich.panel import Panel

    from ._render import when

    at, last = reports[0]
    failed = [r for _, r in reports if r.error]
    first_at = reports[-1][0]
    facts = [
        f"[bold]Monitored, not yet synced[/]: {plural(len(reports), 'check')} since "
        f"{when(first_at)}, none succeeded{' (of the last 20)' if len(reports) == 20 else ''}",
        f"Last check: {when(at)}, {last.outcome.value}"
        + (f" (PO id {last.po_id})" if last.po_id is not None else ""),
    ]
    if failed:
        facts.append(f"Last error: {escape(without_po(po_number, failed[0].error or ''))}")
    facts.extend(f"[yellow]warning:[/] {escape(w)}" for w in last.warnings)
    facts.append(f"Next check: {escape(next_check)}")
    console.print(Panel("\n".join(facts), title=f"PO {escape(po_number)}", title_align="left"))


def log(
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many runs.", min=1)] = 20,
    run: Annotated[
        int | None, typer.Option("--run", help="Show one run with every order's outcome.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Recent runs of the sync activity log with their counts (or one run in detail)."""
    settings = settings_or_exit(config)
    existing_store_or_exit(settings, config)
    from ._render import order_reports_table, runs_table

    with opened_store(settings) as store:
        runs = store.runs(settings.tenant, limit=limit) if run is None else []
        one = store.run(run, settings.tenant) if run is not None else None
        where = str(store_file(settings) or store.url)
    if run is not None:
        if one is None:
            fail([f"no run {run} in the activity log at {where}"], EXIT_NOT_FOUND)
        console.print(runs_table([one]))
        console.print(order_reports_table(one.orders))
        return
    if not runs:
        console.print(f"No sync runs recorded yet in {where}.", highlight=False, markup=False)
        return
    console.print(runs_table(runs))
