"""The carrier round: each carrier's due packages, cut to its allowance, batched, isolated."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

import pytest

from orderbridge.application.carrier_tracking import CarrierRound
from orderbridge.domain.lifecycle import LineState, LineStatus, OrderState, Shipment
from orderbridge.domain.package_tracking import PackageStatus, PackageTracking, TrackingReply
from orderbridge.ports import UpstreamRateLimited, UpstreamUnavailable

pytestmark = pytest.mark.anyio
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class FakeTracker:
    """A stateful stand-in for one carrier: counts requests, can fail, has an allowance."""

    def __init__(self, carrier: str, batch_size: int = 1, allowance: int = 1000) -> None:
        self.carrier = carrier
        self.batch_size = batch_size
        self.left = allowance
        self.requests: list[list[str]] = []
        self.failure: Exception | None = None

    def allowance(self) -> int:
        return self.left

    async def track(self, tracking_numbers: Sequence[str]) -> Mapping[str, TrackingReply]:
        assert len(tracking_numbers) <= self.batch_size
        self.requests.append(list(tracking_numbers))
        self.left -= 1
        if self.failure is not None:
            raise self.failure
        return {
            n: PackageTracking(self.carrier, n, PackageStatus.IN_TRANSIT, NOW)
            for n in tracking_numbers
        }

    async def check_credentials(self) -> None:
        return None


def states(carrier: str, count: int, prefix: str) -> list[OrderState]:
    shipped = NOW - timedelta(days=1)
    found = []
    for i in range(count):
        s = Shipment(carrier=carrier, tracking_number=f"{prefix}{i:04d}", ship_date=shipped)
        line = LineState(key="line:1", status=LineStatus.SHIPPED, shipments=(s,))
        found.append(
            OrderState(f"PO-{prefix}{i}", LineStatus.SHIPPED, first_seen=NOW, lines=(line,))
        )
    return found


async def test_fedex_numbers_go_thirty_to_a_request() -> None:
    fedex = FakeTracker("FedEx", batch_size=30)
    round_ = CarrierRound([fedex], clock=lambda: NOW)
    replies, tallies = await round_.ask(states("FedEx", 65, "F"), force=False, skip=lambda _: False)
    assert len(replies) == 65
    assert [len(r) for r in fedex.requests] == [30, 30, 5]
    assert tallies["FedEx"].answered == 65


async def test_a_carrier_is_cut_to_its_allowance_most_urgent_first() -> None:
    usps = FakeTracker("USPS", allowance=10)
    round_ = CarrierRound([usps], clock=lambda: NOW)
    replies, tallies = await round_.ask(states("USPS", 25, "9"), force=False, skip=lambda _: False)
    assert len(replies) == 10
    assert len(usps.requests) == 10
    assert tallies["USPS"].due == 25
    assert tallies["USPS"].stopped is not None


@pytest.mark.parametrize(
    "failure", [UpstreamUnavailable("UPS: down"), UpstreamRateLimited("UPS: slow down")]
)
async def test_a_failing_carrier_stops_alone(failure: Exception) -> None:
    ups, dhl = FakeTracker("UPS"), FakeTracker("DHL")
    ups.failure = failure
    round_ = CarrierRound([ups, dhl], clock=lambda: NOW)
    everything = states("UPS", 5, "1Z") + states("DHL", 5, "D")
    replies, tallies = await round_.ask(everything, force=False, skip=lambda _: False)
    assert len(ups.requests) == 1  # stopped at the first failure
    assert sorted(replies) == [f"D{i:04d}" for i in range(5)]
    assert tallies["UPS"].stopped is not None
    assert tallies["DHL"].stopped is None


async def test_a_carrier_without_a_tracker_is_never_asked() -> None:
    ups = FakeTracker("UPS")
    round_ = CarrierRound([ups], clock=lambda: NOW)
    replies, _ = await round_.ask(states("USPS", 3, "9"), force=True, skip=lambda _: False)
    assert replies == {}
    assert ups.requests == []
