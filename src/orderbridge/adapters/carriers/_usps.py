"""USPS Tracking API v3: ``GET /tracking/v3/tracking/{number}?expand=DETAIL``, one per request.

The tracking product is not in USPS's default API product: a token without the ``tracking``
scope gets 401 on every call, which is ``CarrierAuthFailed`` (apply for access). The default
allowance is 60 calls per hour. Event times: ``eventTimestamp`` is local without an offset, so
``GMTTimestamp`` and ``GMTOffset`` are used. USPS sends no weight or dimensions; the signer is
the delivery event's ``name`` (and ``firm``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from orderbridge.domain.package_tracking import (
    PackageStatus,
    PackageTracking,
    TrackingProblem,
    TrackingReply,
)

from ._oauth import OAuthTracker
from ._values import dig, items, joined, parse_date, parse_time, place, problem_of, text

__all__ = ["UspsTracker", "usps_status"]

USPS = "USPS"
_CATEGORIES = {
    "delivered": PackageStatus.DELIVERED,
    "out for delivery": PackageStatus.OUT_FOR_DELIVERY,
    "available for pickup": PackageStatus.READY_FOR_PICKUP,
    "alert": PackageStatus.EXCEPTION,
    "delivery attempt": PackageStatus.EXCEPTION,
    "return to sender": PackageStatus.RETURNED,
    "pre-shipment": PackageStatus.PENDING,
    "accepted": PackageStatus.IN_TRANSIT,
    "in transit": PackageStatus.IN_TRANSIT,
}
_CODES = {"01": PackageStatus.DELIVERED, "OF": PackageStatus.OUT_FOR_DELIVERY}


def usps_status(
    category: str | None, event_code: str | None, event_type: str | None
) -> PackageStatus:
    """USPS ``statusCategory`` (else the newest ``eventCode``/``eventType``) as the domain's."""
    found = _CATEGORIES.get((category or "").strip().casefold())
    if found is not None:
        return found
    by_code = _CODES.get((event_code or "").strip().upper())
    if by_code is not None:
        return by_code
    words = (event_type or "").casefold()
    if "return" in words and "sender" in words:
        return PackageStatus.RETURNED
    if words.startswith("delivered"):
        return PackageStatus.DELIVERED
    return PackageStatus.IN_TRANSIT if words else PackageStatus.UNKNOWN


def _event_time(event: Mapping[str, Any]) -> datetime | None:
    moment = parse_time(event.get("GMTTimestamp"))
    offset = text(event.get("GMTOffset"))
    if moment is None or offset is None or len(offset) != 6 or offset[0] not in "+-":
        return moment
    try:
        minutes = int(offset[1:3]) * 60 + int(offset[4:6])
    except ValueError:
        return moment
    return moment.astimezone(timezone(timedelta(minutes=-minutes if offset[0] == "-" else minutes)))


def parse_details(data: Mapping[str, Any], number: str, checked_at: datetime) -> PackageTracking:
    """A ``TrackingDetails`` object."""
    events = items(data.get("trackingEvents"))
    newest = events[0] if events else {}
    status = usps_status(
        text(data.get("statusCategory")),
        text(newest.get("eventCode")),
        text(newest.get("eventType")),
    )
    delivered_at = signed_by = None
    location = place(newest, "eventCity", "eventState", "eventZIP")
    if status is PackageStatus.DELIVERED:
        scan = next((e for e in events if text(e.get("eventCode")) == "01"), newest)
        delivered_at = _event_time(scan)
        signed_by = joined(text(scan.get("name")), text(scan.get("firm")))
        event_type = text(scan.get("eventType")) or ""
        left_at = event_type.partition(",")[2].strip() or None
        location = joined(left_at, location)
    eta = parse_date(data.get("expectedDeliveryTimeStamp")) or parse_date(
        data.get("predictedDeliveryDate")
    )
    description = text(data.get("status")) or text(newest.get("eventType"))
    return PackageTracking(
        carrier=USPS,
        tracking_number=number,
        status=status,
        checked_at=checked_at,
        description=description,
        raw_code=text(newest.get("eventCode")),
        event_at=_event_time(newest) if newest else None,
        delivered_at=delivered_at,
        signed_by=signed_by,
        location=location,
        estimated_delivery=eta,
        problem=problem_of(status, description),
    )


class UspsTracker(OAuthTracker):
    """USPS tracking for one consumer key/secret (one number per request)."""

    carrier_name = USPS
    grant_path = "/oauth2/v3/token"

    def _token_request(self) -> dict[str, Any]:
        request = super()._token_request()
        request["form"]["scope"] = "tracking"
        return request

    async def _track_one(self, number: str) -> TrackingReply:
        response = await self.authorized(
            "GET", f"/tracking/v3/tracking/{number}", params={"expand": "DETAIL"}
        )
        now = self._clock()
        data = self._number_answer(response, number, now)
        if isinstance(data, TrackingProblem):
            return data
        return parse_details(data, number, now)

    def _error_of(self, data: dict[str, Any]) -> str | None:
        return text(dig(data, "error", "message"))
