"""The four carrier clients against the carrier simulators over real sockets."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from orderbridge.adapters.carriers import (
    CarrierAuthFailed,
    CarrierRateLimited,
    CarrierUnavailable,
)
from orderbridge.domain.package_tracking import PackageStatus, PackageTracking, TrackingProblem

from .conftest import NOW, Running

pytestmark = pytest.mark.anyio

NUMBERS = {
    "ups": "1Z999AA10123456784",
    "fedex": "794612345678",
    "usps": "9400111899223100012345",
    "dhl": "1234567890",
}


def _delivered(running: Running, number: str) -> None:
    running.package(
        number,
        ("picked_up", -40),
        ("in_transit", -20),
        ("out_for_delivery", -4),
        ("delivered", -1),
        signed_by="J SMITH",
        left_at="Front Door",
        weight="12.5",
        dimensions=[16, 12, 8],
    )


@pytest.mark.parametrize("name", ["ups", "fedex", "usps", "dhl"])
async def test_a_delivered_package_has_its_time_signer_and_place(
    carriers: dict[str, Running], name: str
) -> None:
    running = carriers[name]
    number = NUMBERS[name]
    _delivered(running, number)
    tracker = running.tracker()
    try:
        reply = (await tracker.track([number]))[number]
    finally:
        await tracker.aclose()
    assert isinstance(reply, PackageTracking)
    assert reply.status is PackageStatus.DELIVERED
    assert reply.delivered_at is not None
    assert abs(reply.delivered_at - (NOW - timedelta(hours=1))) < timedelta(seconds=1)
    assert reply.delivered_at.utcoffset() == timedelta(hours=-5)  # the local time of the scan
    assert reply.signed_by == "J SMITH"
    assert reply.location is not None
    assert "MEMPHIS" in reply.location
    if name != "usps":  # USPS sends no weight or dimensions
        assert reply.weight is not None
        assert reply.weight.value == Decimal("12.5")
        assert reply.dimensions is not None
        assert reply.dimensions.length == 16


@pytest.mark.parametrize("name", ["ups", "fedex", "usps", "dhl"])
async def test_an_unknown_number_is_a_problem_not_an_error(
    carriers: dict[str, Running], name: str
) -> None:
    tracker = carriers[name].tracker()
    try:
        reply = (await tracker.track(["5555555555555"]))["5555555555555"]
    finally:
        await tracker.aclose()
    assert isinstance(reply, TrackingProblem)
    assert reply.carrier == tracker.carrier


async def test_another_carriers_number_is_unknown_to_this_one(
    carriers: dict[str, Running],
) -> None:
    _delivered(carriers["ups"], NUMBERS["ups"])
    fedex, ups = carriers["fedex"].tracker(), carriers["ups"].tracker()
    try:
        at_fedex = (await fedex.track([NUMBERS["ups"]]))[NUMBERS["ups"]]
        at_ups = (await ups.track([NUMBERS["ups"]]))[NUMBERS["ups"]]
    finally:
        await fedex.aclose()
        await ups.aclose()
    assert isinstance(at_fedex, TrackingProblem)
    assert "NOTFOUND" in at_fedex.message
    assert isinstance(at_ups, PackageTracking)


async def test_fedex_batches_thirty_and_reports_per_number_errors_inside_a_200(
    carriers: dict[str, Running],
) -> None:
    running = carriers["fedex"]
    known = [f"7946000000{i:02d}" for i in range(40)]
    for number in known:
        running.package(
            number, ("in_transit", -3), eta=(NOW + timedelta(days=2)).date().isoformat()
        )
    tracker = running.tracker()
    try:
        replies = await tracker.track([*known, "000000000000"])
    finally:
        await tracker.aclose()
    assert len(replies) == 41
    assert isinstance(replies["000000000000"], TrackingProblem)
    assert all(isinstance(replies[n], PackageTracking) for n in known)
    first = replies[known[0]]
    assert isinstance(first, PackageTracking)
    assert first.status is PackageStatus.IN_TRANSIT
    assert first.estimated_delivery == (NOW + timedelta(days=2)).date()
    assert running.counters()["requests"]["track"]["POST"] == 2  # 30 + 11


async def test_fedex_recycled_number_keeps_the_newest_shipment(
    carriers: dict[str, Running],
) -> None:
    running = carriers["fedex"]
    running.package("713062653486", ("delivered", -1), duplicate=True, signed_by="A LEE")
    tracker = running.tracker()
    try:
        reply = (await tracker.track(["713062653486"]))["713062653486"]
    finally:
        await tracker.aclose()
    assert isinstance(reply, PackageTracking)
    assert reply.delivered_at is not None
    assert reply.delivered_at > NOW - timedelta(days=1)


@pytest.mark.parametrize("name", ["ups", "fedex", "usps"])
async def test_a_token_that_expires_mid_cycle_is_renewed(
    carriers: dict[str, Running], name: str
) -> None:
    running = carriers[name]
    number = NUMBERS[name]
    running.package(number, ("in_transit", -2))
    running.admin("PUT", "config", {"token_lifetime_s": 900})
    # The client's clock lags the carrier's: the carrier sees the token expire first.
    client_now = running.now()
    tracker = running.tracker(clock=lambda: client_now)
    try:
        first = (await tracker.track([number]))[number]
        running.advance(seconds=901)
        second = (await tracker.track([number]))[number]
    finally:
        await tracker.aclose()
    assert isinstance(first, PackageTracking)
    assert isinstance(second, PackageTracking)
    assert running.admin("GET", "tokens")["issued"] == 2
    assert running.counters()["requests"]["track"]["GET" if name != "fedex" else "POST"] == 3


async def test_a_token_near_expiry_is_renewed_before_use(carriers: dict[str, Running]) -> None:
    running = carriers["ups"]
    running.package(NUMBERS["ups"], ("in_transit", -2))
    tracker = running.tracker()
    try:
        await tracker.track([NUMBERS["ups"]])
        running.advance(seconds=14_399 - 60)  # inside the refresh margin
        await tracker.track([NUMBERS["ups"]])
    finally:
        await tracker.aclose()
    assert running.admin("GET", "tokens")["issued"] == 2
    assert running.counters()["requests"]["track"]["GET"] == 2  # no 401 on the way


async def test_a_short_retry_after_is_waited_out(carriers: dict[str, Running]) -> None:
    running = carriers["dhl"]
    running.package(NUMBERS["dhl"], ("in_transit", -2))
    running.admin(
        "POST", "faults", {"kind": "http_429", "endpoint": "track", "count": 1, "retry_after": 1}
    )
    tracker = running.tracker()
    try:
        reply = (await tracker.track([NUMBERS["dhl"]]))[NUMBERS["dhl"]]
    finally:
        await tracker.aclose()
    assert isinstance(reply, PackageTracking)
    assert running.counters()["requests"]["track"]["GET"] == 2


async def test_a_long_retry_after_stops_the_carrier_until_then(
    carriers: dict[str, Running],
) -> None:
    running = carriers["usps"]
    running.package(NUMBERS["usps"], ("in_transit", -2))
    running.admin("PUT", "config", {"hourly_limit": 2})
    tracker = running.tracker()
    try:
        await tracker.track([NUMBERS["usps"]])
        await tracker.track([NUMBERS["usps"]])
        with pytest.raises(CarrierRateLimited) as caught:
            await tracker.track([NUMBERS["usps"]])
        assert tracker.allowance() == 0  # nothing more goes out before Retry-After
        with pytest.raises(CarrierRateLimited):
            await tracker.track([NUMBERS["usps"]])
    finally:
        await tracker.aclose()
    assert caught.value.retry_after == pytest.approx(3600, abs=1)  # the next clock hour
    assert running.counters()["requests"]["track"]["GET"] == 3


async def test_exception_then_delivered(carriers: dict[str, Running]) -> None:
    running = carriers["ups"]
    running.package(
        NUMBERS["ups"],
        ("in_transit", -20),
        ("exception", -1),
        ("delivered", 3),
        signed_by="FRONT DESK",
    )
    running.admin(
        "POST",
        f"packages/{NUMBERS['ups']}/events",
        {
            "status": "exception",
            "at": (NOW - timedelta(minutes=30)).isoformat(),
            "description": "ADDRESS INCOMPLETE",
        },
    )
    tracker = running.tracker()
    try:
        before = (await tracker.track([NUMBERS["ups"]]))[NUMBERS["ups"]]
        running.advance(hours=4)
        after = (await tracker.track([NUMBERS["ups"]]))[NUMBERS["ups"]]
    finally:
        await tracker.aclose()
    assert isinstance(before, PackageTracking)
    assert isinstance(after, PackageTracking)
    assert before.status is PackageStatus.EXCEPTION
    assert before.problem == "ADDRESS INCOMPLETE"
    assert before.delivered_at is None
    assert after.status is PackageStatus.DELIVERED
    assert after.signed_by == "FRONT DESK"


async def test_ups_out_for_delivery_with_a_delivery_block_is_not_delivered(
    carriers: dict[str, Running],
) -> None:
    running = carriers["ups"]
    running.package(NUMBERS["ups"], ("out_for_delivery", -1))
    tracker = running.tracker()
    try:
        reply = (await tracker.track([NUMBERS["ups"]]))[NUMBERS["ups"]]
    finally:
        await tracker.aclose()
    assert isinstance(reply, PackageTracking)
    assert reply.status is PackageStatus.OUT_FOR_DELIVERY
    assert reply.delivered_at is None


async def test_ups_access_point_is_ready_for_pickup_not_delivered(
    carriers: dict[str, Running],
) -> None:
    running = carriers["ups"]
    running.package(NUMBERS["ups"], ("ready_for_pickup", -1))
    tracker = running.tracker()
    try:
        reply = (await tracker.track([NUMBERS["ups"]]))[NUMBERS["ups"]]
    finally:
        await tracker.aclose()
    assert isinstance(reply, PackageTracking)
    assert reply.status is PackageStatus.READY_FOR_PICKUP


@pytest.mark.parametrize("name", ["ups", "fedex", "usps", "dhl"])
async def test_refused_credentials_are_auth_errors_without_the_secret(
    carriers: dict[str, Running], name: str
) -> None:
    tracker = carriers[name].tracker(client_secret="wrong-secret-xyz", api_key="wrong-key-xyz")
    try:
        with pytest.raises(CarrierAuthFailed) as caught:
            await tracker.check_credentials()
    finally:
        await tracker.aclose()
    assert "wrong-secret-xyz" not in str(caught.value)
    assert "wrong-key-xyz" not in str(caught.value)


async def test_usps_without_the_tracking_product_is_refused(carriers: dict[str, Running]) -> None:
    running = carriers["usps"]
    running.admin("PUT", "config", {"tracking_scope": False})
    tracker = running.tracker()
    try:
        with pytest.raises(CarrierAuthFailed, match="tracking"):
            await tracker.track([NUMBERS["usps"]])
    finally:
        await tracker.aclose()


@pytest.mark.parametrize("kind", ["http_503", "drop"])
async def test_a_carrier_that_is_down_is_unavailable(
    carriers: dict[str, Running], kind: str
) -> None:
    running = carriers["fedex"]
    running.admin("POST", "faults", {"kind": kind, "endpoint": "*"})
    tracker = running.tracker()
    try:
        with pytest.raises(CarrierUnavailable):
            await tracker.track([NUMBERS["fedex"]])
    finally:
        await tracker.aclose()
