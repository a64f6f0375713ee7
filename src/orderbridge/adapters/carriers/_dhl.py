"""DHL Shipment Tracking - Unified: ``GET /track/shipments?trackingNumber=``, key in a header.

No OAuth: the consumer key goes in ``DHL-API-Key``. Errors are RFC 7807 problem+json; an
unknown number is 404. ``statusCode`` is coarse (pre-transit, transit, delivered, failure,
unknown) and ``returnFlag`` marks a shipment going back to its sender. Timestamps may carry
nanoseconds. The starter allowance is 250 calls per day.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from orderbridge.domain.package_tracking import (
    PackageStatus,
    PackageTracking,
    TrackingProblem,
    TrackingReply,
)

from ._client import CarrierHttp, TrackerBase
from ._values import (
    dig,
    dimensions_of,
    items,
    joined,
    obj,
    parse_date,
    parse_time,
    place,
    problem_of,
    text,
    weight_of,
)

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
    address = dig(status, "location", "address")
    return place(address, "addressLocality", "postalCode", "countryCode")


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
        signed_by = text(signed.get("name")) or joined(
            text(signed.get("givenName")), text(signed.get("familyName")), sep=" "
        )
    dims = obj(details.get("dimensions"))
    length, unit = _side(dims, "length")
    width, _ = _side(dims, "width")
    height, _ = _side(dims, "height")
    weight = obj(details.get("weight"))
    description = text(current.get("description")) or text(current.get("status"))
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
        problem=problem_of(status, description),
    )


def _unit(value: Any) -> str | None:
    name = (text(value) or "").casefold()
    return {"kg": "KG", "lb": "LB", "lbs": "LB", "cm": "CM", "in": "IN"}.get(name, text(value))


class DhlTracker(TrackerBase):
    """DHL Unified tracking for one API key (one number per request)."""

    carrier_name = DHL
    credentials_hint = (
        "check carriers.dhl.api_key and that the app has the Shipment Tracking - Unified API"
    )

    def __init__(self, http: CarrierHttp, *, api_key: str, clock: Callable[[], datetime]) -> None:
        super().__init__(http, clock)
        self._api_key = api_key

    async def check_credentials(self) -> None:
        """DHL has no token: one lookup of a made-up number must answer 404, not 401."""
        await self._track_one("0000000000")

    async def _track_one(self, number: str) -> TrackingReply:
        response = await self._http.send(
            "GET",
            "/track/shipments",
            headers={"DHL-API-Key": self._api_key},
            params={"trackingNumber": number},
        )
        now = self._clock()
        data = self._number_answer(response, number, now)
        if isinstance(data, TrackingProblem):
            return data
        shipments = items(data.get("shipments"))
        if not shipments:
            return TrackingProblem(DHL, number, now, "no shipment in the answer")
        return parse_shipment(shipments[0], number, now)

    def _error_of(self, data: dict[str, Any]) -> str | None:
        return joined(text(data.get("title")), text(data.get("detail")), sep=": ")
