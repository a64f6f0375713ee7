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
    TENANT,
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
    from orderbridge.ports import StoredOrder
    from orderbridge.settings import Settings

EXIT_NOT_FOUND = 1


def status(
    po_number: Annotated[str, typer.Argument(help="The PO number sent to TD SYNNEX.")],
    config: ConfigOption = None,
) -> None:
    """Current state, shipments, invoices and history of one order."""
    settings = settings_or_exit(config)
    existing_store_or_exit(settings, config)
    with opened_store(settings) as store:
        stored = store.load_state(TENANT, po_number)
        history = store.history(TENANT, po_number)
        reports = store.order_reports(TENANT, po_number, limit=20)
        notified = store.order_notifications(TENANT, po_number)
        runs = store.runs(TENANT, limit=1, triggers=["scheduled"])
        last = (runs[0].started_at, runs[0].finished_at) if runs else (None, None)
        next_check = _next_check(settings, store.settings(TENANT), last, po_number)
        if stored is not None and settings.sync.adaptive:
            next_check = f"{_order_rule(settings, stored)}; {next_check}"
        where = str(store_file(settings) or store.url)
    if stored is None and not reports:
        console.print(
            f"No order {po_number!r} in the store at {where}: no sync has seen it "
            f"(orderbridge resync {po_number} checks it now).",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_NOT_FOUND)
    if stored is None:
        _print_never_synced(po_number, reports, next_check)
        return
    from ._render import order_panel

    latest = reports[0] if reports else None
    console.print(order_panel(po_number, stored, latest, next_check))
    from orderbridge.domain.lifecycle import OrderState

    from ._render import history_table, lines_table, shipments_table

    state = OrderState.from_json(stored.state)
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


def _order_rule(settings: Settings, stored: StoredOrder) -> str:
    """When this order's own schedule makes it due, and why ([sync] adaptive)."""
    from orderbridge.domain.check_schedule import next_check
    from orderbridge.domain.lifecycle import OrderState

    state = OrderState.from_json(stored.state)
    return next_check(state, stored.checked_at, policy=settings.sync.check_policy()).describe()


def _next_check(
    settings: Settings,
    stored_texts: dict[str, str],
    last_run: tuple[datetime | None, datetime | None],
    po_number: str,
) -> str:
    """When the schedule checks the order next, read without writing to the store."""
    from orderbridge.application.runtime import RUNTIME_KEYS, RuntimeValues
    from orderbridge.bootstrap import file_runtime_values, utc_now
    from orderbridge.domain.schedule import next_run

    from ._render import when

    file_values = file_runtime_values(settings)
    stored = {k: v for k, v in stored_texts.items() if k in RUNTIME_KEYS}
    try:
        values = RuntimeValues.from_texts(file_values.texts() | stored)
    except ValueError:
        values = file_values
    now_hint = f"orderbridge resync {po_number} checks it now"
    if not values.enabled:
        return f"not scheduled: scheduled sync is off (orderbridge enable); {now_hint}"
    schedule = values.frequency.describe()
    if last_run[0] is None:
        return f"at the first cycle of orderbridge run, then {schedule}; {now_hint}"
    now = utc_now()
    due = next_run(values.frequency, now=now, last_started=last_run[0], last_finished=last_run[1])
    at = "at the next cycle (due now)" if due <= now else when(due)
    return f"{at} ({schedule}) while orderbridge run runs; {now_hint}"


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
        runs = store.runs(TENANT, limit=limit) if run is None else []
        one = store.run(run) if run is not None else None
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
