"""Carrier clients on hostile or odd payloads: nothing crashes, errors are typed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest

from orderbridge.adapters.carriers import CarrierAccount, CarrierBadPayload, build_tracker
from orderbridge.domain.package_tracking import PackageStatus, PackageTracking, TrackingProblem

pytestmark = pytest.mark.anyio
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
TOKEN = {"access_token": "t", "expires_in": "3599", "issued_at": "0"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def transport(track: Any, status: int = 200) -> httpx2.MockTransport:
    def handler(request: httpx2.Request) -> httpx2.Response:
        if "token" in request.url.path:
            return httpx2.Response(200, json=TOKEN)
        body = track if isinstance(track, bytes) else json.dumps(track).encode()
        return httpx2.Response(status, content=body)

    return httpx2.MockTransport(handler)


def tracker(name: str, track: Any, status: int = 200) -> Any:
    account = CarrierAccount(name, client_id="id", client_secret="s3cret", api_key="k3y")
    return build_tracker(account, clock=lambda: NOW, transport=transport(track, status))


@pytest.mark.parametrize(
    "package",
    [
        {"weight": "heavy", "dimension": [1, 2], "activity": "x", "currentStatus": [1]},
        {"activity": [{"status": "D"}, 7, None], "deliveryDate": "today"},
        {"activity": [{"status": {"type": "D"}, "gmtDate": "2026-13-45", "gmtTime": "99:99:99"}]},
    ],
)
async def test_ups_odd_shapes_read_without_crashing(package: dict[str, Any]) -> None:
    ups = tracker("ups", {"trackResponse": {"shipment": [{"package": [package]}]}})
    try:
        reply = (await ups.track(["1Z999AA10123456784"]))["1Z999AA10123456784"]
    finally:
        await ups.aclose()
    assert isinstance(reply, PackageTracking)
    assert reply.delivered_at is None


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", json.dumps({"output": {"completeTrackResults": "x"}}).encode()],
)
async def test_fedex_unreadable_answers_are_bad_payloads(body: bytes) -> None:
    fedex = tracker("fedex", body)
    try:
        with pytest.raises(CarrierBadPayload) as caught:
            await fedex.track(["794612345678"])
    finally:
        await fedex.aclose()
    assert "s3cret" not in str(caught.value)


async def test_fedex_result_of_the_wrong_type_is_a_problem_for_that_number() -> None:
    body = {
        "output": {"completeTrackResults": ["junk", {"trackingNumber": "1", "trackResults": 5}]}
    }
    fedex = tracker("fedex", body)
    try:
        replies = await fedex.track(["1", "2"])
    finally:
        await fedex.aclose()
    assert all(isinstance(r, TrackingProblem) for r in replies.values())


async def test_dhl_nanosecond_timestamps_and_returns() -> None:
    shipment = {
        "id": "1234567890",
        "returnFlag": True,
        "status": {
            "statusCode": "delivered",
            "status": "ZU",
            "timestamp": "2026-12-01T15:27:20.331986369+01:00",
        },
    }
    dhl = tracker("dhl", {"shipments": [shipment]})
    try:
        reply = (await dhl.track(["1234567890"]))["1234567890"]
    finally:
        await dhl.aclose()
    assert isinstance(reply, PackageTracking)
    assert reply.status is PackageStatus.RETURNED
    assert reply.event_at is not None
    assert reply.event_at.microsecond == 331986
