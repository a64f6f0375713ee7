"""The delivery report as one self-contained HTML file with server-rendered SVG charts.

No script, no external file, no web font: it opens from an e-mail attachment. Every text that
came from TD SYNNEX, Autotask or the store is escaped. The dashboard can embed ``charts_svg``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from html import escape

from orderbridge.domain.delivery import Dimension
from orderbridge.domain.delivery_totals import DeliveryReport, GroupSummary

from .delivery_report import REPORT_COLUMNS, summary_row

__all__ = ["charts_svg", "render_html"]

WIDTH, HEIGHT, PAD = 640, 220, 36
MAX_BINS = 30

_CSS = """
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1d2733}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccd3dc;padding:3px 6px}
th{background:#eef2f6;text-align:left}td.n{text-align:right}
svg{background:#fbfcfd;border:1px solid #dde3ea;margin:.5rem 0}
.muted{color:#5b6b7c}
"""


def _bar_chart(title: str, labels: Sequence[str], values: Sequence[float], unit: str) -> str:
    """Vertical bars with a label under each and the value on top."""
    top = max(values, default=0) or 1
    slot = (WIDTH - 2 * PAD) / max(len(values), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = (HEIGHT - 2 * PAD) * value / top
        x = PAD + index * slot
        y = HEIGHT - PAD - height
        parts.append(
            f'<rect x="{x + slot * 0.1:.1f}" y="{y:.1f}" width="{slot * 0.8:.1f}" '
            f'height="{height:.1f}" fill="#3b7dd8"><title>{escape(label)}: '
            f"{value:g}{unit}</title></rect>"
        )
        if len(values) <= 16 or index % max(len(values) // 12, 1) == 0:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{HEIGHT - PAD + 14}" font-size="10" '
                f'text-anchor="middle">{escape(label[:14])}</text>'
            )
    parts.append(
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'stroke="#8795a4"/>'
        f'<text x="{PAD}" y="{PAD - 10}" font-size="11" fill="#5b6b7c">max {top:g}{unit}</text>'
        "</svg>"
    )
    return "".join(parts)


def _line_chart(title: str, labels: Sequence[str], series: dict[str, list[float | None]]) -> str:
    """Rates (0..1) per month as lines, one per series."""
    colours = ("#3b7dd8", "#d8793b")
    step = (WIDTH - 2 * PAD) / max(len(labels) - 1, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for level in (0.0, 0.5, 1.0):
        y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * level
        parts.append(
            f'<line x1="{PAD}" y1="{y:.1f}" x2="{WIDTH - PAD}" y2="{y:.1f}" stroke="#e3e8ee"/>'
            f'<text x="4" y="{y + 4:.1f}" font-size="10">{level:.0%}</text>'
        )
    for (name, values), colour in zip(series.items(), colours, strict=False):
        points = [
            f"{PAD + i * step:.1f},{HEIGHT - PAD - (HEIGHT - 2 * PAD) * v:.1f}"
            for i, v in enumerate(values)
            if v is not None
        ]
        if points:
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                f'points="{" ".join(points)}"><title>{escape(name)}</title></polyline>'
            )
    for i, label in enumerate(labels):
        if len(labels) <= 12 or i % max(len(labels) // 12, 1) == 0:
            parts.append(
                f'<text x="{PAD + i * step:.1f}" y="{HEIGHT - PAD + 14}" font-size="10" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    legend = " ".join(
        f'<tspan fill="{c}">■ {escape(n)}</tspan>' for n, c in zip(series, colours, strict=False)
    )
    parts.append(f'<text x="{PAD}" y="{PAD - 10}" font-size="11">{legend}</text></svg>')
    return "".join(parts)


def charts_svg(report: DeliveryReport) -> dict[str, str]:
    """The three charts as SVG: lead-time distribution, on-time trend, slips by warehouse."""
    lead = [round(days) for days in report.lead_times()]
    bins = Counter(min(days, MAX_BINS) for days in lead)
    labels = [f"{d}{'+' if d == MAX_BINS else ''}" for d in range(0, MAX_BINS + 1)]
    counts = [float(bins.get(d, 0)) for d in range(0, MAX_BINS + 1)]
    months = report.monthly()
    warehouses = report.rows(Dimension.WAREHOUSE)
    return {
        "lead_time_distribution": _bar_chart(
            "Orders by days from submitted to delivered", labels, counts, " orders"
        ),
        "on_time_trend": _line_chart(
            "On-time rate by month",
            [m.group for m in months],
            {
                "vs first ETA": [m.on_time_eta_rate for m in months],
                "vs expected delivery": [m.on_time_expected_rate for m in months],
            },
        ),
        "slips_by_warehouse": _bar_chart(
            "ETA slips by TD SYNNEX warehouse",
            [w.group for w in warehouses],
            [float(w.eta_slips) for w in warehouses],
            " slips",
        ),
    }


def _table(rows: Sequence[GroupSummary]) -> str:
    head = "".join(f"<th>{escape(c.replace('_', ' '))}</th>" for c in REPORT_COLUMNS)
    body = []
    for summary in rows:
        row = summary_row(summary)
        cells = []
        for name in REPORT_COLUMNS:
            value = row[name]
            text = "" if value is None else str(value)
            kind = ' class="n"' if name != "group" else ""
            cells.append(f"<td{kind}>{escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def render_html(report: DeliveryReport, title: str, window: str) -> str:
    """The whole report page (UTF-8 text)."""
    charts = charts_svg(report)
    total = report.total()
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1><p class=muted>{escape(window)} · {total.orders} orders, "
        f"{total.delivered} delivered · grouped by {escape(str(report.by))}</p>"
        f"<h2>Lead time: submitted to delivered (days)</h2>{charts['lead_time_distribution']}"
        f"<h2>On-time trend</h2>{charts['on_time_trend']}"
        f"<h2>ETA slips by warehouse</h2>{charts['slips_by_warehouse']}"
        f"<h2>By {escape(str(report.by))}</h2>{_table([*report.rows(), total])}"
        "<p class=muted>Rates are shares of the orders where the comparison is possible; "
        "lead times are calendar days. Made by orderbridge.</p></body></html>\n"
    )
