"""Carrier-tracking benchmark: carrier calls per hourly cycle for 10,000 open orders.

Run ``uv run python bench/carriers.py`` (10,000 open orders, 24 hourly cycles), ``--quick`` for a
small smoke run, or ``--orders N --cycles C``. The four carrier simulators serve on loopback
sockets; the real trackers and the real carrier round ask them, and each cycle's answers are
folded into the orders' states exactly as the sync loop does. The script prints figures beside
their targets and never asserts timings; its last line is ``RESULT {json}`` for tools.

The shipped mix (assumed, typical of an MSP's open purchase orders): 55% not shipped yet, 35%
in transit (shipped 0-4 days ago, 1-3 cartons), 10% already delivered according to TD SYNNEX.
Carriers: FedEx 50%, UPS 35%, USPS 10%, DHL 5% (TD SYNNEX's US ship methods are mostly FedEx).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio

from _common import print_table
from orderbridge.adapters.carriers import CarrierAccount, Tracker, build_tracker
from orderbridge.application.carrier_tracking import CarrierRound
from orderbridge.domain.carrier_facts import CarrierFacts, apply_carrier_facts
from orderbridge.domain.lifecycle import LineState, LineStatus, OrderState, Shipment
from orderbridge.domain.package_tracking import PackageStatus, TrackingReply
from orderbridge.simulators._common import SimulatorServer
from orderbridge.simulators.carriers import (
    CarrierSimulator,
    PackageRecord,
    ScanEvent,
    ScanStatus,
)

START = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)  # a Monday morning
CARRIER_MIX = (("FedEx", "fedex", 50), ("UPS", "ups", 35), ("USPS", "usps", 10), ("DHL", "dhl", 5))
TRANSIT_DAYS = {"fedex": 3, "ups": 3, "usps": 4, "dhl": 2}
LIMITS = {"usps": (60, "hour"), "dhl": (250, "day")}


def _number(carrier: str, i: int, n: int) -> str:
    if carrier == "ups":
        return f"1Z{i:08d}{n:08d}"
    if carrier == "fedex":
        return f"7{i:08d}{n:03d}"
    if carrier == "usps":
        return f"9400{i:010d}{n:08d}"
    return f"{i:08d}{n:02d}"


def _journey(carrier: str, number: str, shipped: datetime, rng: random.Random) -> PackageRecord:
    days = TRANSIT_DAYS[carrier] + rng.choice((-1, 0, 0, 1))
    arrive = shipped + timedelta(days=max(1, days))
    delivered_at = arrive.replace(hour=rng.randint(14, 21), minute=rng.randint(0, 59))
    events = [
        ScanEvent(ScanStatus.PICKED_UP, shipped + timedelta(hours=3)),
        ScanEvent(ScanStatus.IN_TRANSIT, shipped + timedelta(hours=12)),
        ScanEvent(ScanStatus.OUT_FOR_DELIVERY, delivered_at - timedelta(hours=6)),
    ]
    if rng.random() < 0.03:
        events.append(ScanEvent(ScanStatus.EXCEPTION, delivered_at - timedelta(hours=1)))
        delivered_at += timedelta(days=1)
    events.append(ScanEvent(ScanStatus.DELIVERED, delivered_at))
    return PackageRecord(
        carrier=carrier,
        tracking_number=number,
        shipped_at=shipped,
        events=tuple(events),
        eta=arrive.date(),
        signed_by="RECEIVING",
    )


def build_orders(
    count: int, seed: int, sims: dict[str, CarrierSimulator]
) -> tuple[list[OrderState], int]:
    """Open orders in the assumed mix; the carriers learn every shipped package's journey."""
    rng = random.Random(seed)
    weights = [w for _, _, w in CARRIER_MIX]
    orders: list[OrderState] = []
    packages = 0
    for i in range(count):
        roll = rng.random()
        name, key, _ = rng.choices(CARRIER_MIX, weights=weights)[0]
        shipments: list[Shipment] = []
        status = LineStatus.PROCESSING
        if roll >= 0.55:
            status = LineStatus.SHIPPED
            shipped = START - timedelta(hours=rng.uniform(0, 96))
            for n in range(rng.choice((1, 1, 1, 2, 3))):
                number = _number(key, i, n)
                delivered = shipped.date() + timedelta(days=2) if roll >= 0.90 else None
                shipments.append(
                    Shipment(
                        carrier=name,
                        tracking_number=number,
                        ship_date=shipped,
                        delivered_on=delivered,
                    )
                )
                sims[key].book.put(_journey(key, number, shipped, rng))
                packages += 1
        line = LineState(key="line:1", status=status, shipments=tuple(shipments))
        orders.append(OrderState(f"PO-{i:06d}", status, first_seen=START, lines=(line,)))
    return orders, packages


def _delivered(state: OrderState) -> OrderState:
    """What derive does with a carrier delivery: the shipment's delivered date is set."""
    lines = []
    for line in state.lines:
        shipments = tuple(
            replace(s, delivered_on=s.tracking.delivered_at.date())
            if s.tracking is not None
            and s.tracking.status is PackageStatus.DELIVERED
            and s.tracking.delivered_at is not None
            and s.delivered_on is None
            else s
            for s in line.shipments
        )
        lines.append(replace(line, shipments=shipments))
    return replace(state, lines=tuple(lines))


class CountingTracker:
    """A tracker that also counts every number it is asked about (the benchmark's eye)."""

    def __init__(self, inner: Tracker) -> None:
        self.inner = inner
        self.asked: Counter[str] = Counter()
        self.carrier = inner.carrier
        self.batch_size = inner.batch_size

    @property
    def requests(self) -> int:
        return self.inner.requests

    def allowance(self) -> int:
        return self.inner.allowance()

    async def track(self, tracking_numbers: Sequence[str]) -> Mapping[str, TrackingReply]:
        self.asked.update(tracking_numbers)
        return await self.inner.track(tracking_numbers)

    async def check_credentials(self) -> None:
        await self.inner.check_credentials()


class BenchClock:
    """The cycle clock, moved together with every simulator's clock."""

    def __init__(self, sims: dict[str, CarrierSimulator]) -> None:
        self.at = START
        self.sims = sims
        self.advance(timedelta(0))

    def __call__(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> None:
        self.at += delta
        for sim in self.sims.values():
            sim.state.clock.set(self.at)


@contextmanager
def running_carriers() -> Iterator[tuple[dict[str, CarrierSimulator], dict[str, str]]]:
    sims = {key: CarrierSimulator(key) for _, key, _ in CARRIER_MIX}
    with ExitStack() as stack:
        urls = {k: stack.enter_context(SimulatorServer(s.app)).url for k, s in sims.items()}
        yield sims, urls


def trackers_for(
    sims: dict[str, CarrierSimulator], urls: dict[str, str], clock: BenchClock
) -> list[CountingTracker]:
    found = []
    for key, sim in sims.items():
        account = CarrierAccount(
            key,
            client_id=sim.config.client_id,
            client_secret=sim.config.client_secret,
            api_key=sim.config.api_key,
            base_url=urls[key],
        )
        found.append(CountingTracker(build_tracker(account, clock=clock)))
    return found


async def run_cycles(
    orders: list[OrderState], cycles: int, clock: BenchClock, trackers: list[CountingTracker]
) -> dict[str, Any]:
    """``cycles`` hourly cycles; per-cycle request counts, asks per package, limits."""
    round_ = CarrierRound(trackers, clock=clock)
    per_cycle: list[dict[str, int]] = []
    asks_per_package: Counter[str] = Counter()
    max_asks_in_a_cycle = 0
    open_package_cycles = 0
    for _ in range(cycles):
        before = {t.carrier: t.requests for t in trackers}
        for tracker in trackers:
            tracker.asked.clear()
        open_now = sum(
            1 for o in orders for s in o.shipments if s.delivered_on is None and s.tracking_number
        )
        open_package_cycles += open_now
        replies, _ = await round_.ask(orders, force=False, skip=lambda _: False)
        for tracker in trackers:
            max_asks_in_a_cycle = max([max_asks_in_a_cycle, *tracker.asked.values()])
            asks_per_package.update(tracker.asked)
        facts = CarrierFacts(replies)
        orders[:] = [_delivered(apply_carrier_facts(o, o, facts)) for o in orders]
        per_cycle.append({t.carrier: t.requests - before[t.carrier] for t in trackers})
        clock.advance(timedelta(hours=1))
    return {
        "per_cycle": per_cycle,
        "asks": sum(asks_per_package.values()),
        "open_package_cycles": open_package_cycles,
        "max_asks_of_one_package_in_a_cycle": max_asks_in_a_cycle,
        "still_open": sum(
            1 for o in orders for s in o.shipments if s.delivered_on is None and s.tracking_number
        ),
    }


def report(
    orders: int, packages: int, cycles: int, measured: dict[str, Any], wall_s: float
) -> dict[str, Any]:
    per_cycle: list[dict[str, int]] = measured["per_cycle"]
    carriers = sorted({c for cycle in per_cycle for c in cycle})
    rows = []
    result: dict[str, Any] = {"orders": orders, "packages": packages, "cycles": cycles}
    for carrier in carriers:
        calls = [cycle.get(carrier, 0) for cycle in per_cycle]
        mean = sum(calls) / len(calls)
        # The first cycle meets every package for the first time; later ones are the steady state.
        later = calls[1:] or calls
        steady = sum(later) / len(later)
        rows.append(
            [
                f"{carrier} requests per cycle: first / steady mean / max",
                f"{calls[0]} / {steady:.1f} / {max(calls)}",
                "",
            ]
        )
        result[f"{carrier}_mean"] = round(mean, 2)
        result[f"{carrier}_steady_mean"] = round(steady, 2)
        result[f"{carrier}_max"] = max(calls)
        result[f"{carrier}_day"] = sum(calls[:24])
    usps_hour = result.get("USPS_max", 0)
    dhl_day = result.get("DHL_day", 0)
    asks_ratio = measured["asks"] / max(1, measured["open_package_cycles"])
    rows += [
        ["USPS requests in the busiest hour", str(usps_hour), "<= 60 (USPS default)"],
        ["DHL requests in the first day", str(dhl_day), "<= 250 (DHL starter)"],
        [
            "Most asks of one package in one cycle",
            str(measured["max_asks_of_one_package_in_a_cycle"]),
            "<= 1",
        ],
        ["Asks per open package per cycle (mean)", f"{asks_ratio:.3f}", "far below 1"],
        ["Packages still open at the end", str(measured["still_open"]), ""],
        ["Wall time", f"{wall_s:.1f} s", ""],
    ]
    print(f"{orders} open orders, {packages} shipped packages, {cycles} hourly cycles")
    print_table(["measure", "value", "target"], rows)
    result.update(
        usps_busiest_hour=usps_hour,
        dhl_first_day=dhl_day,
        max_asks_of_one_package_in_a_cycle=measured["max_asks_of_one_package_in_a_cycle"],
        asks_per_open_package_per_cycle=round(asks_ratio, 4),
        still_open=measured["still_open"],
        wall_s=round(wall_s, 2),
    )
    return result


async def bench(orders_n: int, cycles: int, seed: int) -> dict[str, Any]:
    with running_carriers() as (sims, urls):
        orders, packages = build_orders(orders_n, seed, sims)
        clock = BenchClock(sims)
        trackers = trackers_for(sims, urls, clock)
        started = time.perf_counter()
        try:
            measured = await run_cycles(orders, cycles, clock, trackers)
        finally:
            for tracker in trackers:
                await tracker.inner.aclose()
        return report(orders_n, packages, cycles, measured, time.perf_counter() - started)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--cycles", type=int, default=24)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--quick", action="store_true", help="300 orders, 6 cycles")
    args = parser.parse_args(argv)
    orders, cycles = (300, 6) if args.quick else (args.orders, args.cycles)
    result = anyio.run(bench, orders, cycles, args.seed)
    print("RESULT " + json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
