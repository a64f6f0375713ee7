"""USPS Tracking API v3: ``GET /tracking/v3/tracking/{number}?expand=DETAIL``, one per request.

The tracking product is not in USPS's default API product: a token without the ``tracking``
scope gets 401 on every call, which is ``CarrierAuthFailed`` (apply for access). The default
allowance is 60 calls per hour. Event times: ``eventTimestamp`` is local without an offset, so
``GMTTimestamp`` and ``GMTOffset`` are used. USPS sends no weight or dimensions; the signer is
the delivery event's ``name`` (and ``firm``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from orderbridge.domain.package_tracking import (
    PackageStatus,
    PackageTracking,
    TrackingProblem,
    TrackingReply,
)

from ._client import CarrierHttp
from ._errors import CarrierBadPayload
from ._oauth import OAuthTracker, token_from_reply
from ._token import AccessToken
from ._values import dig, items, parse_date, parse_time, text

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
    where_parts = [text(newest.get(k)) for k in ("eventCity", "eventState", "eventZIP")]
    location = ", ".join(p for p in where_parts if p) or None
    if status is PackageStatus.DELIVERED:
        scan = next((e for e in events if text(e.get("eventCode")) == "01"), newest)
        delivered_at = _event_time(scan)
        signed_by = ", ".join(p for p in (text(scan.get("name")), text(scan.get("firm"))) if p)
        signed_by = signed_by or None
        event_type = text(scan.get("eventType")) or ""
        left_at = event_type.partition(",")[2].strip() or None
        location = ", ".join(p for p in (left_at, location) if p) or None
    eta = parse_date(data.get("expectedDeliveryTimeStamp")) or parse_date(
        data.get("predictedDeliveryDate")
    )
    description = text(data.get("status")) or text(newest.get("eventType"))
    problem = description if status in (PackageStatus.EXCEPTION, PackageStatus.RETURNED) else None
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
        problem=problem,
    )


class UspsTracker(OAuthTracker):
    """USPS tracking for one consumer key/secret (one number per request)."""

    carrier_name = USPS
    batch_size = 1

    def __init__(
        self,
        http: CarrierHttp,
        *,
        client_id: str,
        client_secret: str,
        clock: Callable[[], datetime],
    ) -> None:
        super().__init__(http, clock)
        self._client_id = client_id
        self._client_secret = client_secret

    def __repr__(self) -> str:
        return f"UspsTracker({self._http!r})"

    @property
    def carrier(self) -> str:
        """``USPS``."""
        return USPS

    async def _fetch_token(self) -> AccessToken:
        response = await self._http.send(
            "POST",
            "/oauth2/v3/token",
            form={
                "grant_type": "client_credentials",
                "client_id": self._client_id,
                "client_secret": self._client_secret,
                "scope": "tracking",
            },
        )
        if response.status_code != 200:
            raise self._refused(response, "the token request")
        return token_from_reply(USPS, self._http.json(response), self._clock(), issued_ms=True)

    async def track(self, tracking_numbers: Sequence[str]) -> Mapping[str, TrackingReply]:
        """One request per number."""
        return {n: await self._track_one(n) for n in tracking_numbers}

    async def _track_one(self, number: str) -> TrackingReply:
        response = await self.authorized(
            "GET", f"/tracking/v3/tracking/{number}", params={"expand": "DETAIL"}
        )
        now = self._clock()
        if response.status_code in (400, 404):
            return TrackingProblem(USPS, number, now, self._error_text(response))
        if response.status_code == 403:
            raise self._refused(response, "the tracking call")
        if response.status_code != 200:
            raise CarrierBadPayload(USPS, f"unexpected HTTP {response.status_code}")
        return parse_details(self._http.json(response), number, now)

    def _error_text(self, response: Any) -> str:
        try:
            data = self._http.json(response)
        except CarrierBadPayload:
            return f"HTTP {response.status_code}"
        message = text(dig(data, "error", "message")) or f"HTTP {response.status_code}"
        return self._http.redact(message)
