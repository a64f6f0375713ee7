"""Rich renderings of runs, orders and plans, shared by the commands and the demo."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from orderbridge.application.sync import OrderResult
from orderbridge.domain.history import HistoryEntry, OrderOutcome, OrderReport, RunReport
from orderbridge.domain.lifecycle import OrderState
from orderbridge.domain.memo import open_quantity_text
from orderbridge.domain.story import is_date_only, is_midnight, order_story

__all__ = [
    "history_table",
    "lines_table",
    "order_panel",
    "plan_table",
    "po_label",
    "results_table",
    "run_summary",
    "runs_table",
    "shipments_table",
]


def when(value: datetime | date | None) -> str:
    """A date or UTC time in one fixed, unambiguous format."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()


def po_label(po_number: str, po_id: int | None) -> str:
    """How to name a PO: its number, or "PO id 24" when it has none (or the number is the id)."""
    if (
        not po_number
        or po_number.startswith("(")
        or (po_id is not None and po_number == str(po_id))
    ):
        return f"PO id {po_id}" if po_id is not None else po_number or "PO without a number"
    return po_number


def counter_label(name: str) -> str:
    """``autotask`` reads "autotask requests"; ``autotask retries`` reads as it is."""
    return name if " " in name else f"{name} requests"


def run_summary(report: RunReport, *, dry_run: bool = False) -> Table:
    """The counts of one run as a two-column table."""
    title = "Dry run (nothing written)" if dry_run else f"Sync run: {report.outcome}"
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column("what", style="bold")
    table.add_column("count", justify="right")
    rows: list[tuple[str, str]] = [
        ("monitored", str(report.monitored)),
        ("checked", str(report.checked)),
        ("would update" if dry_run else "updated", str(report.updated)),
        ("unchanged", str(report.unchanged)),
        ("failed", str(report.failed)),
        ("skipped", str(report.skipped)),
    ]
    rows.extend((counter_label(name), str(n)) for name, n in sorted(report.requests.items()) if n)
    if report.duration_s is not None:
        rows.append(("duration", f"{report.duration_s:.1f} s"))
    for name, value in rows:
        table.add_row(name, value)
    return table


_STYLE = {
    OrderOutcome.UPDATED: "green",
    OrderOutcome.FAILED: "red",
    OrderOutcome.SKIPPED: "yellow",
    OrderOutcome.UNCHANGED: "dim",
}


def results_table(results: Sequence[OrderResult], *, changed_only: bool = True) -> Table:
    """One row per order: outcome, status and what changed or went wrong."""
    table = titled_table("Orders", _ORDER_COLUMNS)
    for result in results:
        report = result.report
        if changed_only and report.outcome is OrderOutcome.UNCHANGED:
            continue
        _add_order_row(table, report, "; ".join(_entry_summaries(result)))
    return table


def order_reports_table(reports: Sequence[OrderReport]) -> Table:
    """Every order of one recorded run: outcome, status and what changed or went wrong."""
    table = titled_table("Orders", _ORDER_COLUMNS)
    for report in sorted(reports, key=lambda r: r.po_number):
        _add_order_row(table, report, "")
    return table


_ORDER_COLUMNS = ("PO", "outcome", "status", "details")


def titled_table(title: str, columns: Iterable[str], *, fold: bool = True) -> Table:
    """A table with its title on the left; ``fold`` breaks long words instead of clipping them."""
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold" if fold else "ellipsis")
    return table


def _add_order_row(table: Table, report: OrderReport, summary: str) -> None:
    details = report.error or summary or ", ".join(report.changes)
    if report.warnings:
        details = f"{details}  [warning: {'; '.join(report.warnings)}]".strip()
    table.add_row(
        escape(po_label(report.po_number, report.po_id)),
        f"[{_STYLE[report.outcome]}]{report.outcome.value}[/]",
        report.status or "—",
        escape(details),
    )


def _entry_summaries(result: OrderResult) -> list[str]:
    return [entry.summary for entry in result.plan.history] if result.plan else []


def plan_table(result: OrderResult) -> Table:
    """The Autotask fields a dry run would write for one PO."""
    table = Table(title=f"PO {result.report.po_number}: planned changes", title_justify="left")
    table.add_column("field")
    table.add_column("new value", overflow="fold")
    plan = result.plan
    if plan is None:
        return table
    for name, value in sorted(plan.po_changes.items()):
        table.add_row(f"PO {name}", _show(value))
    for item_id, changes in sorted(plan.item_changes.items()):
        for name, value in sorted(changes.items()):
            table.add_row(f"item {item_id} {name}", _show(value))
    for entry in plan.history:
        table.add_row("history", entry.summary)
    return table


def _show(value: Any) -> str:
    if isinstance(value, datetime | date):
        return when(value)
    return "(empty)" if value in (None, "") else str(value)


def runs_table(runs: Iterable[Any]) -> Table:
    """The activity log: one row per run, newest first (``log --run N`` shows one in full)."""
    table = Table(
        title="Sync activity log (monitored / checked / updated / failed)", title_justify="left"
    )
    table.add_column("run", justify="right", no_wrap=True)
    table.add_column("started", no_wrap=True)
    table.add_column("outcome")
    table.add_column("orders", justify="right", no_wrap=True)
    table.add_column("took", justify="right", no_wrap=True)
    table.add_column("requests / error", overflow="fold", ratio=1)
    for run in runs:
        duration = "—" if run.duration_s is None else f"{run.duration_s:.1f} s"
        extra = run.error or ", ".join(
            f"{counter_label(k)} {v}" for k, v in sorted(run.requests.items()) if v
        )
        table.add_row(
            str(run.id),
            run.started_at.strftime("%m-%d %H:%M"),
            run.outcome,
            f"{run.monitored}/{run.checked}/{run.updated}/{run.failed}",
            duration,
            escape(extra),
        )
    return table


def lines_table(state: OrderState) -> Table:
    """Line-item progress of one order."""
    table = titled_table(
        "Lines", ("line", "part", "status", "ordered", "shipped", "not shipped", "ETA"), fold=False
    )
    for line in state.lines:
        table.add_row(
            line.line_number or line.key,
            line.mfg_part_number or line.sku or "—",
            str(line.status),
            str(line.quantity_ordered),
            str(line.quantity_shipped),
            open_quantity_text(line) if line.quantity_backordered else "0",
            when(line.delivered_on or line.estimated_delivery or line.eta),
        )
    return table


def shipments_table(state: OrderState) -> Table:
    """Every shipment of one order with its tracking link."""
    table = titled_table(
        "Shipments", ("carrier", "service", "tracking", "shipped", "delivered", "link")
    )
    for s in state.shipments:
        table.add_row(
            s.carrier or "—",
            s.service or "—",
            s.tracking_number or "—",
            _day_or_time(s.ship_date),
            when(s.delivered_on),
            s.tracking_url or "—",
        )
    return table


def history_table(entries: Sequence[HistoryEntry]) -> Table:
    """An order's history as one story, oldest first: each change once, its facts nested."""
    table = titled_table("History", ("when", "change", "source"))
    for step in order_story(entries):
        table.add_row(_entry_when(step.entry), _entry_text(step.entry), str(step.entry.source))
        for fact in step.details:
            table.add_row(_entry_when(fact), f"  └ {escape(fact.summary)}", str(fact.source))
    return table


def _day_or_time(moment: datetime | None) -> str:
    """A day when the time is 00:00 UTC (TD SYNNEX gave only a date), else the full time."""
    return moment.date().isoformat() if moment is not None and is_midnight(moment) else when(moment)


def _entry_when(entry: HistoryEntry) -> str:
    return entry.at.date().isoformat() if is_date_only(entry) else when(entry.at)


def _entry_text(entry: HistoryEntry) -> str:
    return escape(entry.summary.replace(" -> ", " → "))


def order_panel(
    po_number: str, stored: Any, latest: tuple[datetime, OrderReport] | None, next_check: str
) -> Panel:
    """The facts of one stored order, with the last check's warnings and when it is next checked."""
    state = OrderState.from_json(stored.state)
    facts = [
        f"[bold]{escape(str(state.status))}[/]  (PO id {stored.po_id}, last checked "
        f"{when(stored.checked_at)})",
        f"TD SYNNEX orders: {escape(', '.join(state.order_numbers)) or '—'}",
        f"Expected ship: {when(state.expected_ship_date)}   Expected delivery: "
        f"{when(state.expected_delivery)}   Delivered: {when(state.delivered_on)}",
    ]
    for invoice in state.invoices:
        total = "—" if invoice.total is None else f"{invoice.total:,.2f}"
        facts.append(f"Invoice {escape(invoice.number)} of {when(invoice.invoice_date)}: {total}")
    if getattr(stored, "archived", False):  # archived orders stay searchable
        facts.append(
            "Archived: finished and kept for the record (orderbridge unarchive brings it back)"
        )
    if state.reason:
        facts.append(f"Reason: {escape(state.reason)}")
    warnings = list(state.warnings)
    if latest is not None:
        at, report = latest
        warnings.extend(w for w in report.warnings if w not in warnings)
        if report.error:
            facts.append(f"[red]Last check failed[/] ({when(at)}): {escape(report.error)}")
    facts.extend(f"[yellow]warning:[/] {escape(w)}" for w in warnings)
    facts.append(f"Next check: {escape(next_check)}")
    return Panel("\n".join(facts), title=f"PO {escape(po_number)}", title_align="left")
