"""The order lifecycles ``freshness.py`` replays: who arrives when, and what happens to each.

Seeded and deterministic. Orders arrive over the first two thirds of the period; each walks a
TD SYNNEX path with realistic waits (hours to acceptance, about two days to ship an accepted
order, three weeks for a backorder, a few days in transit, invoices around delivery), a few are
rejected or deleted early. Every event is a change at TD SYNNEX at a set moment.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from orderbridge.simulators.scenario import ScenarioLine, ScenarioOrder, TdState

__all__ = ["KIND", "Event", "Lifecycle", "lifecycles"]

LINE = ScenarioLine(
    sku="3364043", mfg_pn="WVSF346", description="Dock", quantity=4, unit_price=Decimal("99")
)
# The kind of change each state move is, as the freshness table names it.
KIND = {
    TdState.PROCESSING: "accept",
    TdState.ON_HOLD: "hold",
    TdState.BACKORDERED: "backorder",
    TdState.PARTIALLY_SHIPPED: "partial shipment",
    TdState.SHIPPED: "shipment",
    TdState.DELIVERED: "delivery",
    TdState.INVOICED: "invoice",
    TdState.REJECTED: "rejection",
    TdState.DELETED: "deletion",
}
_H = timedelta(hours=1)
_D = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Event:
    """One change at TD SYNNEX: an order moves to ``state`` at ``at``."""

    at: datetime
    po_number: str
    state: TdState


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """One order: when it is submitted, its scenario order, and its changes."""

    arrives: datetime
    order: ScenarioOrder
    events: tuple[Event, ...]


def _u(rng: random.Random, low: timedelta, high: timedelta) -> timedelta:
    return low + (high - low) * rng.random()


def _normal(rng: random.Random, t: datetime) -> list[tuple[datetime, TdState]]:
    accept = t + _u(rng, 1 * _H, 12 * _H)
    ship = accept + _u(rng, 1 * _D, 3 * _D)  # TD SYNNEX estimates two days
    delivered = ship + _u(rng, 2 * _D, 5 * _D)
    return [
        (accept, TdState.PROCESSING),
        (ship, TdState.SHIPPED),
        (delivered, TdState.DELIVERED),
        (delivered + _u(rng, 2 * _H, 3 * _D), TdState.INVOICED),
    ]


def _held(rng: random.Random, t: datetime) -> list[tuple[datetime, TdState]]:
    hold = t + _u(rng, 1 * _H, 8 * _H)
    release = hold + _u(rng, 1 * _D, 4 * _D)
    return [(hold, TdState.ON_HOLD), *_normal(rng, release)]


def _backordered(rng: random.Random, t: datetime) -> list[tuple[datetime, TdState]]:
    backorder = t + _u(rng, 1 * _H, 12 * _H)
    estimated = backorder + 21 * _D  # the simulator's estimated ship date
    partial = estimated - _u(rng, 0 * _D, 1.5 * _D)
    full = estimated + _u(rng, 0 * _D, 3 * _D)
    invoiced = full + _u(rng, 1 * _H, 1 * _D)
    return [
        (backorder, TdState.BACKORDERED),
        (partial, TdState.PARTIALLY_SHIPPED),
        (full, TdState.SHIPPED),
        (invoiced, TdState.INVOICED),
        (full + _u(rng, 2 * _D, 5 * _D), TdState.DELIVERED),
    ]


_TAIL = [TdState.SHIPPED, TdState.DELIVERED, TdState.INVOICED]
_PATHS = {
    "normal": [TdState.ACCEPTED, TdState.PROCESSING, *_TAIL],
    "held": [TdState.ACCEPTED, TdState.ON_HOLD, TdState.PROCESSING, *_TAIL],
    "backordered": [
        TdState.ACCEPTED,
        TdState.BACKORDERED,
        TdState.PARTIALLY_SHIPPED,
        TdState.SHIPPED,
        TdState.INVOICED,
        TdState.DELIVERED,
    ],
    "rejected": [TdState.ACCEPTED, TdState.REJECTED],
    "deleted": [TdState.ACCEPTED, TdState.DELETED],
}


def lifecycles(count: int, start: datetime, days: int, *, seed: int = 16) -> list[Lifecycle]:
    """``count`` orders arriving over the first two thirds of ``days`` from ``start``."""
    rng = random.Random(seed)
    window = timedelta(days=days) * 2 / 3
    out: list[Lifecycle] = []
    for n in range(count):
        arrives = start + window * rng.random()
        roll = rng.random()
        kind = (
            "rejected"
            if roll < 0.03
            else "deleted"
            if roll < 0.06
            else "held"
            if roll < 0.11
            else "backordered"
            if roll < 0.26
            else "normal"
        )
        if kind == "rejected":
            steps = [(arrives + _u(rng, 0.5 * _H, 6 * _H), TdState.REJECTED)]
        elif kind == "deleted":
            steps = [(arrives + _u(rng, 2 * _H, 48 * _H), TdState.DELETED)]
        elif kind == "held":
            steps = _held(rng, arrives)
        elif kind == "backordered":
            steps = _backordered(rng, arrives)
        else:
            steps = _normal(rng, arrives)
        number = f"PO-{n + 1:06d}"
        order = ScenarioOrder(po_number=number, path=_PATHS[kind], lines=[LINE])
        events = tuple(Event(at, number, state) for at, state in steps)
        out.append(Lifecycle(arrives, order, events))
    return out
