"""``orderbridge report delivery``: build the report from the store, render text, JSON or CSV.

The HTML rendering (self-contained, with SVG charts) is in ``delivery_html``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import TextIO

from orderbridge.domain.delivery import STAGES, Dimension, ReportFormat
from orderbridge.domain.delivery_totals import DeliveryReport, GroupSummary
from orderbridge.domain.records import cell_text
from orderbridge.ports import DeliveryInputs

__all__ = [
    "REPORT_COLUMNS",
    "ReportFormat",
    "build_delivery_report",
    "render_csv",
    "render_json",
    "render_text",
    "summary_row",
]


def build_delivery_report(
    source: DeliveryInputs,
    by: Dimension,
    *,
    tenant: str = "default",
    since: datetime | None = None,
    until: datetime | None = None,
) -> DeliveryReport:
    """Read every order first seen in the window once and add it up by ``by``."""
    report = DeliveryReport(by)
    for figures in source.delivery_figures(tenant, since, until, report.dimensions):
        report.add(figures)
    return report


REPORT_COLUMNS = (
    "group",
    "orders",
    "delivered",
    *(f"median_{name}_days" for name, _a, _b in STAGES),
    *(f"p90_{name}_days" for name, _a, _b in STAGES),
    "on_time_vs_first_eta",
    "on_time_vs_expected_delivery",
    "orders_with_eta_slips",
    "eta_slips",
    "eta_slip_days",
    "mean_backorder_days",
    "partial_shipment_rate",
    "invoice_total",
    "freight",
)


def summary_row(s: GroupSummary) -> dict[str, object]:
    """One summary as a flat row keyed by ``REPORT_COLUMNS``."""
    row: dict[str, object] = {"group": s.group, "orders": s.orders, "delivered": s.delivered}
    for name, _a, _b in STAGES:
        row[f"median_{name}_days"] = s.median_days[name]
        row[f"p90_{name}_days"] = s.p90_days[name]
    row.update(
        {
            "on_time_vs_first_eta": s.on_time_eta_rate,
            "on_time_vs_expected_delivery": s.on_time_expected_rate,
            "orders_with_eta_slips": s.orders_with_slips,
            "eta_slips": s.eta_slips,
            "eta_slip_days": s.eta_slip_days,
            "mean_backorder_days": s.mean_backorder_days,
            "partial_shipment_rate": s.partial_rate,
            "invoice_total": s.invoice_total,
            "freight": s.freight,
        }
    )
    return row


def render_csv(report: DeliveryReport, out: TextIO) -> None:
    """One header row, one row per group, then the total (Excel-safe cells)."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(REPORT_COLUMNS)
    for summary in [*report.rows(), report.total()]:
        row = summary_row(summary)
        writer.writerow([cell_text(row[name]) for name in REPORT_COLUMNS])


def render_json(report: DeliveryReport, out: TextIO, window: dict[str, str | None]) -> None:
    """The groups, the total and the monthly trend as one JSON document."""

    def plain(row: dict[str, object]) -> dict[str, object]:
        return {k: str(v) if isinstance(v, Decimal) else v for k, v in row.items()}

    document = {
        "report": "delivery",
        "by": str(report.by),
        "window": window,
        "groups": [plain(summary_row(s)) for s in report.rows()],
        "total": plain(summary_row(report.total())),
        "monthly": [plain(summary_row(s)) for s in report.monthly()],
    }
    json.dump(document, out, indent=2)
    out.write("\n")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def render_text(report: DeliveryReport, out: TextIO, title: str) -> None:
    """A plain-text table for a terminal: the headline columns per group."""
    columns: list[tuple[str, Callable[[GroupSummary], str]]] = [
        (str(report.by), lambda s: s.group),
        ("orders", lambda s: str(s.orders)),
        ("delivered", lambda s: str(s.delivered)),
        ("lead d (med)", lambda s: _days(s.median_days["submitted_to_delivered"])),
        ("ship d (med)", lambda s: _days(s.median_days["accepted_to_shipped"])),
        ("on time/ETA", lambda s: _pct(s.on_time_eta_rate)),
        ("on time/exp", lambda s: _pct(s.on_time_expected_rate)),
        ("slips", lambda s: str(s.eta_slips)),
        ("slip d", lambda s: str(s.eta_slip_days)),
        ("b/o d (avg)", lambda s: _days(s.mean_backorder_days)),
        ("partial", lambda s: _pct(s.partial_rate)),
        ("invoiced", lambda s: f"{s.invoice_total:,.2f}"),
        ("freight", lambda s: f"{s.freight:,.2f}"),
    ]
    rows = [[render(s) for _n, render in columns] for s in [*report.rows(), report.total()]]
    widths = [max(len(name), *(len(r[i]) for r in rows)) for i, (name, _r) in enumerate(columns)]
    out.write(title + "\n\n")
    out.write("  ".join(n.ljust(w) for (n, _r), w in zip(columns, widths, strict=True)) + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for index, row in enumerate(rows):
        if index == len(rows) - 1:
            out.write("  ".join("-" * w for w in widths) + "\n")
        out.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + "\n")
