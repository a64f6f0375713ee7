"""Putting scenario orders into an order book: resolving scenario sources, checking variants."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from orderbridge.simulators.scenario import (
    Scenario,
    ScenarioError,
    ScenarioOrder,
    builtin_scenario,
    load_scenario,
)

from .codes import Variant
from .orders import OrderBook

__all__ = ["check_variants", "install", "resolve_scenario"]

_KNOWN = frozenset(v.value for v in Variant)


def resolve_scenario(source: Scenario | str | Path) -> Scenario:
    """A scenario from an object, a built-in name (``demo``) or a YAML/JSON file path."""
    if isinstance(source, Scenario):
        return source
    text = str(source)
    if isinstance(source, str) and "/" not in text and "\\" not in text and "." not in text:
        return builtin_scenario(text)
    return load_scenario(Path(text))


def check_variants(order: ScenarioOrder) -> None:
    """Raise ``ScenarioError`` naming any variant this simulator does not know."""
    unknown = set(order.variants) - _KNOWN
    if unknown:
        raise ScenarioError(
            f"order {order.po_number}: unknown variants {sorted(unknown)}; known: {sorted(_KNOWN)}"
        )


def install(book: OrderBook, scenario: Scenario, now: datetime, *, replace: bool = True) -> int:
    """Load every order of ``scenario`` (after checking all of them); returns how many."""
    for order in scenario.orders:
        check_variants(order)
    if replace:
        book.clear()
    for order in scenario.orders:
        book.add(order, scenario.customer_number, now)
    return len(scenario.orders)
