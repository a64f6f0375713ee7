"""DHL Shipment Tracking - Unified: ``GET /track/shipments?trackingNumber=``, key in a header.

No OAuth: the consumer key goes in ``DHL-API-Key``. Errors are RFC 7807 problem+json; an
unknown number is 404. ``statusCode`` is coarse (pre-transit, transit, delivered, failure,
unknown) and ``returnFlag`` marks a shipment going back to its sender. Timestamps may carry
nanoseconds. The starter allowance is 250 calls per day.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from orderbridge.adapters._retry import RequestStats
from orderbridge.domain.package_tracking import (
    PackageStatus,
    PackageTracking,
    TrackingProblem,
    TrackingReply,
)

from ._client import CarrierHttp
from ._errors import CarrierAuthFailed, CarrierBadPayload
from ._values import dig, dimensions_of, items, obj, parse_date, parse_time, text, weight_of

__all__ = ["DhlTracker", "dhl_status"]

DHL = "DHL"
_STATUS = {
    "pre-transit": PackageStatus.PENDING,
    "transit": PackageStatus.IN_TRANSIT,
    "delivered": PackageStatus.DELIVERED,
    "failure": PackageStatus.EXCEPTION,
}


def dhl_status(status: Mapping[str, Any], returning: bool) -> PackageStatus:
    """DHL's ``status`` object (``statusCode``, short ``status`` code) as the domain's status."""
    code = (text(status.get("statusCode")) or "").casefold()
    short = (text(status.get("status")) or "").upper()
    words = (text(status.get("description")) or "").casefold()
    if returning and code in ("delivered", "transit"):
        return PackageStatus.RETURNED
    if short in ("LA", "ZF"):
        return PackageStatus.READY_FOR_PICKUP
    if code == "transit" and (short == "PO" or "out for delivery" in words):
        return PackageStatus.OUT_FOR_DELIVERY
    return _STATUS.get(code, PackageStatus.UNKNOWN)


def _place(status: Mapping[str, Any]) -> str | None:
    address = obj(dig(status, "location", "address"))
    parts = [text(address.get(k)) for k in ("addressLocality", "postalCode", "countryCode")]
    return ", ".join(p for p in parts if p) or None


def _side(dims: Mapping[str, Any], side: str) -> tuple[Any, Any]:
    entry = obj(dims.get(side))
    return (entry.get("value"), entry.get("unitText")) if isinstance(entry, dict) else (None, None)


def parse_shipment(data: Mapping[str, Any], number: str, checked_at: datetime) -> PackageTracking:
    """One ``shipments[]`` entry."""
    current = obj(data.get("status"))
    details = obj(data.get("details"))
    status = dhl_status(current, bool(data.get("returnFlag")))
    delivered_at = signed_by = None
    if status is PackageStatus.DELIVERED:
        pod = obj(details.get("proofOfDelivery"))
        delivered_at = parse_time(pod.get("timestamp")) or parse_time(current.get("timestamp"))
        signed = obj(pod.get("signed"))
        signed_by = text(signed.get("name")) or " ".join(
            p for p in (text(signed.get("givenName")), text(signed.get("familyName"))) if p
        )
    dims = obj(details.get("dimensions"))
    length, unit = _side(dims, "length")
    width, _ = _side(dims, "width")
    height, _ = _side(dims, "height")
    weight = obj(details.get("weight"))
    description = text(current.get("description")) or text(current.get("status"))
    problem = None
    if status in (PackageStatus.EXCEPTION, PackageStatus.RETURNED):
        problem = description or str(status)
    return PackageTracking(
        carrier=DHL,
        tracking_number=number,
        status=status,
        checked_at=checked_at,
        description=description,
        raw_code=text(current.get("status")) or text(current.get("statusCode")),
        event_at=parse_time(current.get("timestamp")),
        delivered_at=delivered_at,
        signed_by=signed_by or None,
        location=_place(current),
        estimated_delivery=parse_date(data.get("estimatedTimeOfDelivery")),
        weight=weight_of(weight.get("value"), _unit(weight.get("unitText"))),
        dimensions=dimensions_of(length, width, height, _unit(unit)),
        problem=problem,
    )


def _unit(value: Any) -> str | None:
    name = (text(value) or "").casefold()
    return {"kg": "KG", "lb": "LB", "lbs": "LB", "cm": "CM", "in": "IN"}.get(name, text(value))


class DhlTracker:
    """DHL Unified tracking for one API key (one number per request)."""

    batch_size = 1

    def __init__(self, http: CarrierHttp, *, api_key: str, clock: Callable[[], datetime]) -> None:
        self._http = http
        self._api_key = api_key
        self._clock = clock

    def __repr__(self) -> str:
        return f"DhlTracker({self._http!r})"

    @property
    def carrier(self) -> str:
        """``DHL``."""
        return DHL

    @property
    def requests(self) -> int:
        """Requests sent so far."""
        return self._http.requests

    @property
    def stats(self) -> RequestStats:
        """Requests, retries and faults so far."""
        return self._http.stats

    def allowance(self) -> int:
        """Requests that may go out now."""
        return self._http.window.allowance()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def check_credentials(self) -> None:
        """DHL has no token: one lookup of a made-up number must answer 404, not 401."""
        await self._track_one("0000000000")

    async def track(self, tracking_numbers: Sequence[str]) -> Mapping[str, TrackingReply]:
        """One request per number."""
        return {n: await self._track_one(n) for n in tracking_numbers}

    async def _track_one(self, number: str) -> TrackingReply:
        response = await self._http.send(
            "GET",
            "/track/shipments",
            headers={"DHL-API-Key": self._api_key},
            params={"trackingNumber": number},
        )
        now = self._clock()
        if response.status_code in (401, 403):
            raise CarrierAuthFailed(
                DHL,
                f"the API key was refused (HTTP {response.status_code}); check carriers.dhl."
                "api_key and that the app has the Shipment Tracking - Unified API",
            )
        if response.status_code in (400, 404):
            return TrackingProblem(DHL, number, now, self._problem(response))
        if response.status_code != 200:
            raise CarrierBadPayload(DHL, f"unexpected HTTP {response.status_code}")
        shipments = items(self._http.json(response).get("shipments"))
        if not shipments:
            return TrackingProblem(DHL, number, now, "no shipment in the answer")
        return parse_shipment(shipments[0], number, now)

    def _problem(self, response: Any) -> str:
        try:
            data = self._http.json(response)
        except CarrierBadPayload:
            return f"HTTP {response.status_code}"
        parts = (text(data.get("title")), text(data.get("detail")))
        return self._http.redact(": ".join(p for p in parts if p)) or f"HTTP {response.status_code}"
