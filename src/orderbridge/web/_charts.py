"""Server-rendered SVG charts (ADR 0030): geometry here, markup in ``templates/_charts.html``.

No chart library and no JavaScript: the overview's two charts are a few dozen rectangles each,
computed from the read models and escaped by the template like every other value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

__all__ = ["Bar", "Chart", "Segment", "runs_per_hour", "status_changes_per_day"]

WIDTH, HEIGHT, PAD = 560, 160, 24

# One colour per status; statuses outside the palette share the last colour.
PALETTE = {
    "Received": "#6c8ebf",
    "Processing": "#3b6fb6",
    "Submitted": "#9fb8d9",
    "New": "#c3d3ea",
    "On hold": "#d79b00",
    "Backordered": "#e6a23c",
    "Partially shipped": "#82b366",
    "Shipped": "#4d9a3c",
    "Delivered": "#2e6b22",
    "Invoiced": "#7a5ea8",
    "Closed": "#555555",
    "Cancelled": "#999999",
    "Rejected": "#b85450",
    "Not found": "#cc3333",
}
OTHER = "#bbbbbb"


@dataclass(frozen=True, slots=True)
class Segment:
    """One coloured part of a bar."""

    y: float
    height: float
    colour: str
    title: str


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar (a day or an hour) made of segments, with its axis label."""

    x: float
    width: float
    label: str
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class Chart:
    """A bar chart ready to draw, with its legend and the largest value."""

    title: str
    bars: tuple[Bar, ...]
    legend: tuple[tuple[str, str], ...]
    maximum: int
    width: int = WIDTH
    height: int = HEIGHT
    baseline: int = HEIGHT - PAD

    @property
    def empty(self) -> bool:
        """Whether there is nothing to draw."""
        return self.maximum == 0


def _stack(
    x: float, width: float, label: str, parts: Sequence[tuple[str, int, str]], scale: float
) -> Bar:
    y = float(HEIGHT - PAD)
    segments = []
    for name, count, colour in parts:
        if count <= 0:
            continue
        height = count * scale
        y -= height
        segments.append(Segment(round(y, 1), round(height, 1), colour, f"{label}: {count} {name}"))
    return Bar(round(x, 1), round(width, 1), label, tuple(segments))


def status_changes_per_day(
    rows: Sequence[tuple[str, str, int]], today: date, days: int = 14
) -> Chart:
    """Stacked bars: status changes recorded per day, coloured by the new status."""
    dates = [(today - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]
    per_day: dict[str, dict[str, int]] = {d: {} for d in dates}
    for day, status, count in rows:
        if day in per_day:
            per_day[day][status] = per_day[day].get(status, 0) + count
    maximum = max((sum(v.values()) for v in per_day.values()), default=0)
    scale = (HEIGHT - 2 * PAD) / maximum if maximum else 0.0
    slot = (WIDTH - 2 * PAD) / days
    seen = sorted(
        {s for v in per_day.values() for s in v},
        key=lambda s: list(PALETTE).index(s) if s in PALETTE else 99,
    )
    bars = tuple(
        _stack(
            PAD + i * slot + 2,
            slot - 4,
            day[5:],
            [(s, per_day[day].get(s, 0), PALETTE.get(s, OTHER)) for s in seen],
            scale,
        )
        for i, day in enumerate(dates)
    )
    legend = tuple((s, PALETTE.get(s, OTHER)) for s in seen)
    return Chart("Status changes per day (by new status)", bars, legend, maximum)


def runs_per_hour(rows: Sequence[tuple[datetime, int, int]]) -> Chart:
    """Bars: runs started per hour over the last day, the part with failures in red."""
    maximum = max((runs for _, runs, _ in rows), default=0)
    scale = (HEIGHT - 2 * PAD) / maximum if maximum else 0.0
    slot = (WIDTH - 2 * PAD) / max(len(rows), 1)
    bars = tuple(
        _stack(
            PAD + i * slot + 1,
            slot - 2,
            f"{hour:%H}:00",
            [("with failures", failed, "#cc3333"), ("clean", runs - failed, "#3b6fb6")],
            scale,
        )
        for i, (hour, runs, failed) in enumerate(rows)
    )
    legend = (("clean", "#3b6fb6"), ("with failures", "#cc3333"))
    return Chart("Runs per hour (UTC, last 24 hours)", bars, legend, maximum)
