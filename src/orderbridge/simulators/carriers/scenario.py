"""Carrier packages from a scenario: the TD SYNNEX simulator's tracking numbers, with scans.

A scenario order with a ``carrier`` block gets, at every carrier its ship method names, one
package per tracking number the TD SYNNEX simulator reports once the order has shipped, each
with the block's scans placed relative to the moment the scenario is loaded.
"""

from __future__ import annotations

from datetime import datetime, timedelta

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


def _numbers(order: ScenarioOrder, customer_number: str, now: datetime) -> list[tuple[str, str]]:
    """(ship method, tracking number) of every package once the order has shipped."""
    path = order.lifecycle()
    shipped = TdState.SHIPPED if TdState.SHIPPED in path else order.state
    record = OrderBook().add(order.model_copy(update={"state": shipped}), customer_number, now)
    found = []
    for row in build_status(record).rows:
        for package in row.packages:
            found.append((row.ship_method, package.tracking))
    return found


def scenario_packages(scenario: Scenario, carrier: str, now: datetime) -> list[PackageRecord]:
    """The packages ``carrier`` knows from this scenario."""
    packages: list[PackageRecord] = []
    for order in scenario.orders:
        plan = order.carrier
        if plan is None:
            continue
        events = tuple(
            ScanEvent(
                status=ScanStatus(e.status),
                at=now + timedelta(hours=e.hours),
                city=e.city,
                state=e.state,
                description=e.description,
            )
            for e in plan.events
        )
        first = min(e.at for e in events)
        eta = None if plan.eta_days is None else (now + timedelta(days=plan.eta_days)).date()
        for method, number in _numbers(order, scenario.customer_number, now):
            if carrier_of_ship_method(method) != carrier:
                continue
            packages.append(
                PackageRecord(
                    carrier=carrier,
                    tracking_number=number,
                    shipped_at=first,
                    events=events,
                    eta=eta,
                    signed_by=plan.signed_by,
                    left_at=plan.left_at,
                )
            )
    return packages
