"""Delivery performance totals: order facts added up by a dimension, with medians and rates.

The chosen dimension is kept, and always months (the on-time trend) and warehouses (the slips
chart), so one pass over the orders feeds every rendering.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from orderbridge.domain.delivery import STAGES, Dimension, OrderFacts, OrderFigures

__all__ = ["DeliveryReport", "GroupSummary"]


@dataclass(slots=True)
class _Group:
    orders: int = 0
    lead: dict[str, list[float]] = field(default_factory=lambda: {s[0]: [] for s in STAGES})
    on_time_eta: list[bool] = field(default_factory=list)
    on_time_expected: list[bool] = field(default_factory=list)
    slipped_orders: int = 0
    eta_slips: int = 0
    eta_slip_days: int = 0
    backorder_days: list[int] = field(default_factory=list)
    partial: int = 0
    delivered: int = 0
    invoice_total: Decimal = Decimal(0)
    freight: Decimal = Decimal(0)

    def add(self, facts: OrderFigures) -> None:
        self.orders += 1
        for values, days in zip(self.lead.values(), facts.leads, strict=True):
            if days is not None:
                values.append(days)
        if facts.on_time_eta is not None:
            self.on_time_eta.append(facts.on_time_eta)
        if facts.on_time_expected is not None:
            self.on_time_expected.append(facts.on_time_expected)
        self.slipped_orders += facts.eta_slips > 0
        self.eta_slips += facts.eta_slips
        self.eta_slip_days += facts.eta_slip_days
        if facts.backorder_days is not None:
            self.backorder_days.append(facts.backorder_days)
        self.partial += facts.partial
        self.delivered += facts.delivered
        self.invoice_total += facts.invoice_total
        self.freight += facts.freight


@dataclass(frozen=True, slots=True)
class GroupSummary:
    """One row of the report: a group's counts, rates and lead times."""

    group: str
    orders: int
    delivered: int
    median_days: Mapping[str, float | None]
    p90_days: Mapping[str, float | None]
    on_time_eta_rate: float | None
    on_time_expected_rate: float | None
    orders_with_slips: int
    eta_slips: int
    eta_slip_days: int
    mean_backorder_days: float | None
    partial_rate: float | None
    invoice_total: Decimal
    freight: Decimal


def _rate(values: Sequence[bool]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def _p90(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))], 2)


class DeliveryReport:
    """Adds order facts up by one dimension; keeps lead times for the distribution chart."""

    def __init__(self, by: Dimension) -> None:
        self.by = by
        self._total = _Group()
        # The chosen grouping, plus months (on-time trend) and warehouses (slips chart).
        self._by: dict[Dimension, dict[str, _Group]] = {
            d: {} for d in {by, Dimension.MONTH, Dimension.WAREHOUSE}
        }

    @property
    def dimensions(self) -> tuple[Dimension, ...]:
        """The dimensions this report groups on (the groups each order must carry)."""
        return tuple(self._by)

    def add(self, facts: OrderFacts | OrderFigures) -> None:
        """Count one order in its groups of each kept dimension, and in the total."""
        figures = facts.figures if isinstance(facts, OrderFacts) else facts
        for dimension, groups in self._by.items():
            for name in figures.groups[dimension]:
                group = groups.get(name)
                if group is None:
                    group = groups[name] = _Group()
                group.add(figures)
        self._total.add(figures)

    def rows(self, by: Dimension | None = None) -> list[GroupSummary]:
        """One summary per group (of ``by``, default the report's), sorted by group name."""
        groups = self._by[by or self.by]
        return [_summary(name, g) for name, g in sorted(groups.items())]

    def total(self) -> GroupSummary:
        """The summary over every order."""
        return _summary("all orders", self._total)

    def monthly(self) -> list[GroupSummary]:
        """Per-month summaries (the on-time trend), whatever the grouping."""
        return self.rows(Dimension.MONTH)

    def lead_times(self, stage: str = "submitted_to_delivered") -> list[float]:
        """Every order's lead time for one stage (the distribution chart)."""
        return list(self._total.lead[stage])


def _summary(name: str, g: _Group) -> GroupSummary:
    return GroupSummary(
        group=name,
        orders=g.orders,
        delivered=g.delivered,
        median_days={s: _median(v) for s, v in g.lead.items()},
        p90_days={s: _p90(v) for s, v in g.lead.items()},
        on_time_eta_rate=_rate(g.on_time_eta),
        on_time_expected_rate=_rate(g.on_time_expected),
        orders_with_slips=g.slipped_orders,
        eta_slips=g.eta_slips,
        eta_slip_days=g.eta_slip_days,
        mean_backorder_days=(
            round(statistics.fmean(g.backorder_days), 2) if g.backorder_days else None
        ),
        partial_rate=round(g.partial / g.orders, 4) if g.orders else None,
        invoice_total=g.invoice_total,
        freight=g.freight,
    )
