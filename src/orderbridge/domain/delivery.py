"""Delivery performance: per-order facts from the kept state and history, and their aggregates.

Everything here is pure: ``order_facts`` reads one order's stored state and its history entries;
its ``figures`` are what the store keeps per order (ADR 0043) and
``delivery_totals.DeliveryReport`` adds up by a dimension. An order that touches several
groups (two parts, two carriers) counts in each.
docs/records.md says what every column means.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise
from typing import Any, NamedTuple

__all__ = [
    "NOT_ACCEPTED_STATUSES",
    "NOT_REPORTED",
    "STAGES",
    "Dimension",
    "HistoryPoint",
    "HistorySummary",
    "OrderFacts",
    "OrderFigures",
    "ReportFormat",
    "order_facts",
    "summarise",
]

NOT_REPORTED = "(not reported)"
# Lead-time stages, in order: (name, from fact, to fact).
STAGES = (
    ("submitted_to_accepted", "submitted", "accepted"),
    ("accepted_to_shipped", "accepted", "shipped"),
    ("shipped_to_delivered", "shipped", "delivered"),
    ("delivered_to_invoiced", "delivered", "invoiced"),
    ("submitted_to_delivered", "submitted", "delivered"),
)
_FACTS = ("submitted", "accepted", "shipped", "delivered", "invoiced")
_STAGE_INDEXES = tuple((_FACTS.index(a), _FACTS.index(b)) for _name, a, b in STAGES)
NOT_ACCEPTED_STATUSES = frozenset({"New", "Submitted", "Not found", "Rejected", "Cancelled"})


class Dimension(StrEnum):
    """What ``report delivery --by`` groups on."""

    MONTH = "month"
    MANUFACTURER = "manufacturer"
    PART = "part"
    WAREHOUSE = "warehouse"
    CARRIER = "carrier"
    CUSTOMER = "customer"


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    """The parts of a history entry the report needs."""

    at: datetime
    to_status: str
    key: str


class OrderFigures(NamedTuple):
    """What the report adds up for one order: its facts worked out once.

    The store keeps one of these per order (``order_facts`` table), so a report reads numbers
    and group names, never dates or the order's JSON. A named tuple: a report makes one per
    order, and a tuple is the cheapest value Python builds.
    """

    leads: tuple[float | None, ...]  # lead days of every stage in ``STAGES`` order
    on_time_eta: bool | None
    on_time_expected: bool | None
    eta_slips: int
    eta_slip_days: int
    backorder_days: int | None
    partial: bool
    delivered: bool
    invoice_total: Decimal
    freight: Decimal
    groups: Mapping[Dimension, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """One order's delivery facts (days are calendar days, UTC)."""

    po_number: str
    submitted: datetime
    accepted: datetime | None
    shipped: datetime | None
    delivered: datetime | None
    invoiced: datetime | None
    first_eta: date | None
    expected_delivery: date | None
    eta_slips: int
    eta_slip_days: int
    backorder_days: int | None
    partial: bool
    invoice_total: Decimal
    freight: Decimal
    groups: Mapping[Dimension, tuple[str, ...]]

    @property
    def leads(self) -> tuple[float | None, ...]:
        """Lead days of every stage in ``STAGES`` order."""
        moments = (self.submitted, self.accepted, self.shipped, self.delivered, self.invoiced)
        out: list[float | None] = []
        for start, end in _STAGE_INDEXES:
            a, b = moments[start], moments[end]
            out.append(
                None
                if a is None or b is None or b < a
                else round((b - a).total_seconds() / 86_400, 2)
            )
        return tuple(out)

    @property
    def figures(self) -> OrderFigures:
        """The numbers the report adds up for this order."""
        same = {name: getattr(self, name) for name in OrderFigures._fields if name != "delivered"}
        return OrderFigures(**same, delivered=self.delivered is not None)

    def lead_days(self, start: str, end: str) -> float | None:
        """Days from one fact to another, when both are known and in order."""
        leads = self.leads
        for index, (_name, a, b) in enumerate(STAGES):
            if (a, b) == (start, end):
                return leads[index]
        raise ValueError(f"no stage from {start!r} to {end!r}")

    @property
    def on_time_eta(self) -> bool | None:
        """Delivered by the first ETA TD SYNNEX gave (None: no ETA or not delivered)."""
        if self.delivered is None or self.first_eta is None:
            return None
        return self.delivered.date() <= self.first_eta

    @property
    def on_time_expected(self) -> bool | None:
        """Delivered by the expected delivery date (None: none known or not delivered)."""
        if self.delivered is None or self.expected_delivery is None:
            return None
        return self.delivered.date() <= self.expected_delivery


def _day(text: object) -> date | None:
    """A date from ISO text (a time after it is ignored); None when missing or unreadable."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _moment(text: object) -> datetime | None:
    """An aware moment from ISO text (UTC when it has no offset); None when unreadable."""
    if not isinstance(text, str) or not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _objects(values: object) -> list[Mapping[str, Any]]:
    """The JSON objects of a stored list; anything else is left out (the state is JSON)."""
    return [v for v in values if isinstance(v, dict)] if isinstance(values, list | tuple) else []


def _midnight(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time.min, tzinfo=UTC)


def _money(values: Iterable[object]) -> Decimal:
    total = Decimal(0)
    for value in values:
        if isinstance(value, str | int) and str(value).strip():
            try:
                total += Decimal(str(value))
            except ArithmeticError:
                continue
    return total


@dataclass(slots=True)
class HistorySummary:
    """What the report needs from one order's history (``summarise``)."""

    first_at: datetime | None = None
    accepted: datetime | None = None
    first_tracking: datetime | None = None
    first_backorder: datetime | None = None
    partial: bool = False
    etas: dict[str, list[date]] = field(default_factory=dict)

    def add_eta(self, key: str) -> None:
        """Record the ETA an ``<po>:eta:<line>:<date>`` history key gives (in time order)."""
        parts = key.rsplit(":", 3)
        try:
            self.etas.setdefault(parts[2], []).append(date.fromisoformat(parts[3]))
        except (ValueError, IndexError):
            return


def summarise(history: Sequence[HistoryPoint]) -> HistorySummary:
    """One pass: acceptance, first tracking, first backorder, partial shipment, ETAs per line."""
    walk = HistorySummary(first_at=history[0].at if history else None)
    for point in history:
        key, status = point.key, point.to_status
        if ":status:" in key:
            if walk.accepted is None and status not in NOT_ACCEPTED_STATUSES:
                walk.accepted = point.at
            if status == "Partially shipped":
                walk.partial = True
        elif ":tracking:" in key:
            if walk.first_tracking is None or point.at < walk.first_tracking:
                walk.first_tracking = point.at
        elif ":eta:" in key:
            walk.add_eta(key)
        else:
            continue
        if (":eta:" in key or status == "Backordered") and walk.first_backorder is None:
            walk.first_backorder = point.at
    return walk


def _etas(per_line: Mapping[str, list[date]]) -> tuple[date | None, int, int]:
    """First ETA (the latest line's first), slips and slip days, from ETAs per line."""
    firsts = [dates[0] for dates in per_line.values()]
    slips = sum(sum(1 for a, b in pairwise(d) if b > a) for d in per_line.values())
    days = sum(max((max(d) - d[0]).days, 0) for d in per_line.values())
    return (max(firsts) if firsts else None), slips, days


def _distinct(values: Iterable[object]) -> tuple[str, ...]:
    found = tuple(dict.fromkeys(str(v) for v in values if v))
    return found or (NOT_REPORTED,)


def _group_of(
    dimension: Dimension, state: Mapping[str, Any], submitted: datetime
) -> tuple[str, ...]:
    lines = _objects(state.get("lines"))
    if dimension is Dimension.MONTH:
        return (f"{submitted.year:04d}-{submitted.month:02d}",)
    if dimension is Dimension.MANUFACTURER:
        invoices = _objects(state.get("invoices"))
        return _distinct(name for i in invoices for name in i.get("manufacturers") or ())
    if dimension is Dimension.PART:
        return _distinct(line.get("mfg_part_number") or line.get("sku") for line in lines)
    if dimension is Dimension.CUSTOMER:
        (ship_to,) = _objects([state.get("ship_to")]) or [{}]
        return _distinct([ship_to.get("name")])
    field_name = "warehouse" if dimension is Dimension.WAREHOUSE else "carrier"
    return _distinct(s.get(field_name) for line in lines for s in _objects(line.get("shipments")))


def order_facts(
    po_number: str,
    state: Mapping[str, Any],
    history: Sequence[HistoryPoint],
    dimensions: Iterable[Dimension] = tuple(Dimension),
) -> OrderFacts:
    """One order's facts from its stored state (``OrderState.to_json``) and its history.

    ``history`` is the order's entries, oldest first. Only the ``dimensions`` asked for are
    worked out (the store keeps all six).
    """
    walk = summarise(history)
    first_seen = (
        _moment(state.get("first_seen")) or walk.first_at or datetime.min.replace(tzinfo=UTC)
    )
    submitted = min(first_seen, walk.first_at) if walk.first_at else first_seen
    shipped = _moment(state.get("shipped_at")) or walk.first_tracking
    delivered = _midnight(_day(state.get("delivered_on")))
    invoices = _objects(state.get("invoices"))
    invoice_days = [d for d in (_day(i.get("invoice_date")) for i in invoices) if d]
    invoiced = _midnight(min(invoice_days)) if invoice_days else _moment(state.get("invoiced_at"))
    first_eta, slips, slip_days = _etas(walk.etas)
    if first_eta is None:
        line_etas = [d for d in (_day(x.get("eta")) for x in _objects(state.get("lines"))) if d]
        first_eta = max(line_etas) if line_etas else None
    backorder_days = None
    end = shipped or delivered
    if walk.first_backorder is not None and end is not None:
        backorder_days = max((end - walk.first_backorder).days, 0)
    return OrderFacts(
        po_number=po_number,
        submitted=submitted,
        accepted=walk.accepted,
        shipped=shipped,
        delivered=delivered,
        invoiced=invoiced,
        first_eta=first_eta,
        expected_delivery=_day(
            state.get("first_expected_delivery") or state.get("expected_delivery")
        ),
        eta_slips=slips,
        eta_slip_days=slip_days,
        backorder_days=backorder_days,
        partial=walk.partial,
        invoice_total=_money(i.get("total") for i in invoices),
        freight=_money(i.get("freight") for i in invoices),
        groups={d: _group_of(d, state, submitted) for d in dimensions},
    )


class ReportFormat(StrEnum):
    """How the delivery report is written."""

    TEXT = "text"
    JSON = "json"
    CSV = "csv"
    HTML = "html"
