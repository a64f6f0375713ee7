"""Carrier packages from a scenario: the TD SYNNEX simulator's tracking numbers, with scans.

A scenario order with a ``carrier`` block gets, at the carrier its ship method names, one
package per tracking number the TD SYNNEX simulator reports once the order has shipped, each
with the block's scans placed ``hours`` after that package's TD SYNNEX ship time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from orderbridge.simulators.scenario import Scenario, ScenarioOrder, TdState
from orderbridge.simulators.tdsynnex.orders import OrderBook
from orderbridge.simulators.tdsynnex.shipments import build_status

from .packages import PackageRecord, ScanEvent, ScanStatus

__all__ = ["carrier_of_ship_method", "scenario_packages"]


def carrier_of_ship_method(code: str) -> str:
    """The carrier simulator a TD SYNNEX ship-method code goes to."""
    upper = code.upper()
    if upper.startswith("UP"):
        return "ups"
    if upper.startswith("F"):
        return "fedex"
    if upper.startswith("DH"):
        return "dhl"
    return "usps"


def _shipped(
    order: ScenarioOrder, customer_number: str, now: datetime
) -> list[tuple[str, str, datetime, Decimal]]:
    """(ship method, tracking number, ship time, weight) of every package once shipped.

    An order not yet shipped in the scenario is looked at as if it had just shipped.
    """
    path = order.lifecycle()
    view = order
    if TdState.SHIPPED in path and path.index(order.state) < path.index(TdState.SHIPPED):
        view = order.model_copy(update={"state": TdState.SHIPPED})
    record = OrderBook().add(view, customer_number, now)
    return [
        (row.ship_method, package.tracking, package.shipped_at, package.weight)
        for row in build_status(record).rows
        for package in row.packages
    ]


def scenario_packages(scenario: Scenario, carrier: str, now: datetime) -> list[PackageRecord]:
    """The packages ``carrier`` knows from this scenario."""
    packages: list[PackageRecord] = []
    for order in scenario.orders:
        plan = order.carrier
        if plan is None:
            continue
        for method, number, shipped_at, weight in _shipped(order, scenario.customer_number, now):
            if carrier_of_ship_method(method) != carrier:
                continue
            events = tuple(
                ScanEvent(
                    status=ScanStatus(e.status),
                    at=shipped_at + timedelta(hours=e.hours),
                    city=e.city,
                    state=e.state,
                    description=e.description,
                )
                for e in plan.events
            )
            eta = None if plan.eta_days is None else (shipped_at + timedelta(days=plan.eta_days))
            packages.append(
                PackageRecord(
                    carrier=carrier,
                    tracking_number=number,
                    shipped_at=shipped_at,
                    events=events,
                    eta=None if eta is None else eta.date(),
                    weight=weight,  # the carrier weighs what TD SYNNEX says it shipped
                    signed_by=plan.signed_by,
                    left_at=plan.left_at,
                )
            )
    return packages
