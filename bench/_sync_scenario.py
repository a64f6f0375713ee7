"""The sync-cycle benchmark's scenario: N monitored POs in a realistic mix of TD SYNNEX states.

Each monitored PO has ``ITEMS_PER_PO`` lines drawn from a catalogue of ``PRODUCT_CATALOG``
products (every fifth one serialized); ``OTHER_VENDOR_POS`` POs of another vendor must be left
alone by the sync.
"""

from __future__ import annotations

from decimal import Decimal

from orderbridge.simulators.scenario import (
    Scenario,
    ScenarioAutotask,
    ScenarioLine,
    ScenarioOrder,
    TdState,
)

__all__ = ["ITEMS_PER_PO", "OTHER_VENDOR_POS", "STATE_MIX", "bench_scenario"]

ITEMS_PER_PO = 2
OTHER_VENDOR_POS = 5
PRODUCT_CATALOG = 300  # distinct products the POs draw their lines from
# A snapshot of open TD SYNNEX orders, per 100: most are in flight, a few are odd.
STATE_MIX = {
    TdState.ACCEPTED: 15,
    TdState.PROCESSING: 20,
    TdState.ON_HOLD: 3,
    TdState.BACKORDERED: 8,
    TdState.PARTIALLY_SHIPPED: 10,
    TdState.SHIPPED: 20,
    TdState.DELIVERED: 12,
    TdState.INVOICED: 8,
    TdState.DELETED: 2,
    TdState.REJECTED: 1,
    TdState.NOT_FOUND: 1,
}


def state_sequence() -> list[TdState]:
    """One hundred states in the ``STATE_MIX`` proportions."""
    return [state for state, share in STATE_MIX.items() for _ in range(share)]


def bench_scenario(monitored: int) -> Scenario:
    """``monitored`` TD SYNNEX POs of ``ITEMS_PER_PO`` lines each, and a few of another vendor."""
    states = state_sequence()
    other = ScenarioAutotask(vendor="Ingram Micro")
    orders = [
        ScenarioOrder(
            po_number=f"BENCH-{index + 1:06d}",
            # a prime stride spreads the states instead of running them in blocks
            state=states[(index * 37) % len(states)],
            lines=[catalog_line(index * ITEMS_PER_PO + n) for n in range(ITEMS_PER_PO)],
        )
        for index in range(monitored)
    ]
    orders += [
        ScenarioOrder(po_number=f"OTHER-{n + 1:04d}", autotask=other, lines=[catalog_line(n)])
        for n in range(OTHER_VENDOR_POS)
    ]
    return Scenario(name=f"sync-bench-{monitored}", orders=orders)


def catalog_line(position: int) -> ScenarioLine:
    """A PO line drawn from the product catalogue; every fifth product is serialized."""
    product = (position * 7) % PRODUCT_CATALOG
    return ScenarioLine(
        sku=f"{7_000_000 + product}",
        mfg_pn=f"BENCH-PN-{product:04d}",
        description=f"Benchmark product {product}",
        quantity=1 + position % 4,
        unit_price=Decimal(100 + product),
        serialized=product % 5 == 0,
    )
