"""The reliability scenario and what the store says about it: history rows and their duplicates.

The scenario is generated from a seed, so the fault-free and the faulty run (and every rerun of
the benchmark) load the same orders: a mix of TD SYNNEX states whose lifecycles still have steps
to walk, one to three lines each, some split over two warehouses, some with two cartons or two
invoices, plus a few purchase orders of another vendor that must stay untouched.
"""

from __future__ import annotations

import random
import sqlite3
from decimal import Decimal
from pathlib import Path

from orderbridge.simulators.scenario import (
    Scenario,
    ScenarioAutotask,
    ScenarioLine,
    ScenarioOrder,
    TdState,
)

__all__ = [
    "HistoryRow",
    "duplicate_history",
    "history_rows",
    "monitored_numbers",
    "reliability_scenario",
    "transitions",
]

HistoryRow = tuple[str, str, str | None, str]  # (po, key, from_status, to_status)

# Start states, weighted like an MSP's open orders; server_error is left out on purpose: it
# fails every check until TD SYNNEX moves it on, which is a different guarantee.
_STATE_WEIGHTS = {
    TdState.ACCEPTED: 20,
    TdState.PROCESSING: 20,
    TdState.ON_HOLD: 6,
    TdState.BACKORDERED: 10,
    TdState.PARTIALLY_SHIPPED: 12,
    TdState.SHIPPED: 16,
    TdState.DELIVERED: 6,
    TdState.INVOICED: 4,
    TdState.DELETED: 3,
    TdState.REJECTED: 1,
    TdState.NOT_FOUND: 2,
}
OTHER_VENDOR_POS = 3


def reliability_scenario(count: int, *, seed: int = 7, prefix: str = "REL") -> Scenario:
    """``count`` monitored order pairs in a seeded mix of states, plus a few other-vendor POs."""
    rng = random.Random(seed)
    states = list(_STATE_WEIGHTS)
    weights = list(_STATE_WEIGHTS.values())
    orders = []
    for index in range(count):
        lines = [_line(rng, index * 3 + n) for n in range(rng.choice((1, 1, 2, 2, 3)))]
        orders.append(
            ScenarioOrder(
                po_number=f"{prefix}-{index + 1:04d}",
                state=rng.choices(states, weights)[0],
                split_line=1 if len(lines) > 1 and rng.random() < 0.1 else None,
                packages=rng.choice((1, 1, 1, 2)),
                invoices=rng.choice((1, 1, 1, 2)),
                lines=lines,
            )
        )
    other = ScenarioAutotask(vendor="Ingram Micro")
    orders += [
        ScenarioOrder(po_number=f"OTHER-{n + 1:03d}", autotask=other, lines=[_line(rng, n)])
        for n in range(OTHER_VENDOR_POS)
    ]
    return Scenario(name=f"reliability-{count}", orders=orders)


def _line(rng: random.Random, position: int) -> ScenarioLine:
    product = rng.randrange(400)
    return ScenarioLine(
        sku=f"{8_000_000 + product}",
        mfg_pn=f"REL-PN-{product:04d}",
        description=f"Reliability product {product}",
        quantity=1 + position % 4,
        unit_price=Decimal(50 + product),
        serialized=product % 4 == 0,
    )


def monitored_numbers(scenario: Scenario) -> set[str]:
    """The PO numbers a sync monitors: TD SYNNEX's, present in Autotask."""
    return {
        o.po_number
        for o in scenario.orders
        if o.autotask.create and o.autotask.vendor is None and not o.autotask.omit_po_number
    }


def history_rows(database: Path) -> list[HistoryRow]:
    """Every status-history row of the store, as (po, key, from, to)."""
    with sqlite3.connect(database) as db:
        rows: list[HistoryRow] = db.execute(
            "SELECT po_number, key, from_status, to_status FROM status_history"
        ).fetchall()
    return rows


def duplicate_history(rows: list[HistoryRow]) -> int:
    """How many rows repeat a (po, key) pair another row already has."""
    keys = [(po, key) for po, key, *_ in rows]
    return len(keys) - len(set(keys))


def transitions(rows: list[HistoryRow]) -> set[tuple[str, str]]:
    """The (po, to_status) pairs the history records."""
    return {(po, to) for po, _key, _from, to in rows}
