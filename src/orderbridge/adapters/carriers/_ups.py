"""UPS Tracking API: ``GET /api/track/v1/details/{number}``, one number per request.

An unknown number comes back as HTTP 200 with warning ``TW0001`` and no package; a number UPS
cannot read (another carrier's) as 400 ``TV1002``. Status comes from ``currentStatus`` (or the
newest activity): type ``D`` is delivered, except deliveries to an access point or post office
for pickup; ``X`` is an exception. The delivery time is the delivery scan's GMT date and time,
shown in its local offset. The ETA is the scheduled (SDD) or rescheduled (RDD) date, never the
``DEL`` entry, which is the delivered date.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from orderbridge.domain.package_tracking import (
    PackageStatus,
    PackageTracking,
    TrackingProblem,
    TrackingReply,
)

from ._errors import CarrierBadPayload
from ._oauth import OAuthTracker
from ._values import (
    code_messages,
    dig,
    dimensions_of,
    items,
    joined,
    obj,
    parse_date,
    place,
    problem_of,
    text,
    weight_of,
)

__all__ = ["UpsTracker", "ups_status"]

UPS = "UPS"
_OUT_FOR_DELIVERY = {6, 21, 37, 72, 89, 146, 162}
_READY_FOR_PICKUP = {17, 40, 144, 161}
_RETURNED = {34, 35, 36}


def _as_int(code: Any) -> int | None:
    raw = text(code)
    return int(raw) if raw is not None and raw.isdigit() else None


def ups_status(status: Mapping[str, Any]) -> PackageStatus:
    """A UPS ``status`` object (type, code, statusCode) as the domain's status."""
    kind = (text(status.get("type")) or "").upper()
    code = (text(status.get("code")) or "").upper()
    number = _as_int(status.get("statusCode")) or _as_int(status.get("code"))
    if code == "ZP" or number in _READY_FOR_PICKUP:
        return PackageStatus.READY_FOR_PICKUP
    if number in _RETURNED:
        return PackageStatus.RETURNED
    if kind == "D":
        return PackageStatus.DELIVERED
    if kind in ("X", "MV"):
        return PackageStatus.EXCEPTION
    if number in _OUT_FOR_DELIVERY:
        return PackageStatus.OUT_FOR_DELIVERY
    if kind in ("I", "P", "DO", "DD", "W"):
        return PackageStatus.IN_TRANSIT
    if kind == "M" or number == 3:
        return PackageStatus.PENDING
    return {11: PackageStatus.DELIVERED, 13: PackageStatus.EXCEPTION}.get(
        number or 0, PackageStatus.IN_TRANSIT if number else PackageStatus.UNKNOWN
    )


def _offset(value: Any) -> timezone | None:
    raw = text(value)
    if raw is None or len(raw) != 6 or raw[0] not in "+-" or raw[3] != ":":
        return None
    try:
        minutes = int(raw[1:3]) * 60 + int(raw[4:6])
    except ValueError:
        return None
    return timezone(timedelta(minutes=-minutes if raw[0] == "-" else minutes))


def _clock_time(value: Any) -> tuple[int, int, int] | None:
    digits = "".join(ch for ch in (text(value) or "") if ch.isdigit())
    if len(digits) != 6:
        return None
    return int(digits[:2]), int(digits[2:4]), int(digits[4:])


def activity_time(activity: Mapping[str, Any]) -> datetime | None:
    """When an activity happened: GMT date/time in the local offset, else the local time."""
    tz = _offset(activity.get("gmtOffset"))
    for day_key, time_key, zone in (("gmtDate", "gmtTime", UTC), ("date", "time", tz)):
        day, hms = parse_date(activity.get(day_key)), _clock_time(activity.get(time_key))
        if day is None or hms is None or zone is None:
            continue
        try:
            moment = datetime(day.year, day.month, day.day, *hms, tzinfo=zone)
        except ValueError:
            continue
        return moment.astimezone(tz) if tz is not None else moment
    return None


def _place(activity: Mapping[str, Any] | None) -> str | None:
    address = dig(activity, "location", "address")
    return place(address, "city", "stateProvince", "countryCode")


def parse_package(package: Mapping[str, Any], number: str, checked_at: datetime) -> PackageTracking:
    """One ``trackResponse.shipment[].package[]`` entry."""
    activities = items(package.get("activity"))
    newest = activities[0] if activities else None
    # Real answers put only a description and the 3-digit code in currentStatus; the newest
    # activity carries the type, so it decides when present.
    current = obj(obj(newest).get("status")) or obj(package.get("currentStatus"))
    status = ups_status(current)
    delivered_at = signed_by = location = None
    if status is PackageStatus.DELIVERED:
        scan = next((a for a in activities if ups_status(obj(a.get("status"))) is status), None)
        delivered_at = activity_time(scan) if scan else None
        info = obj(package.get("deliveryInformation"))
        signed_by = text(info.get("receivedBy"))
        location = joined(text(info.get("location")), _place(scan))
    elif newest is not None:
        location = _place(newest)
    eta = None
    for entry in items(package.get("deliveryDate")):
        if text(entry.get("type")) in ("RDD", "SDD") and (eta is None or entry["type"] == "RDD"):
            eta = parse_date(entry.get("date"))
    weight = obj(package.get("weight"))
    dims = obj(package.get("dimension"))
    description = text(current.get("description"))
    return PackageTracking(
        carrier=UPS,
        tracking_number=number,
        status=status,
        checked_at=checked_at,
        description=description,
        raw_code=text(current.get("statusCode") or current.get("code")),
        event_at=activity_time(newest) if newest else None,
        delivered_at=delivered_at,
        signed_by=signed_by,
        location=location,
        estimated_delivery=eta,
        weight=weight_of(weight.get("weight"), weight.get("unitOfMeasurement")),
        dimensions=dimensions_of(
            dims.get("length"), dims.get("width"), dims.get("height"), dims.get("unitOfDimension")
        ),
        problem=problem_of(status, description),
    )


class UpsTracker(OAuthTracker):
    """UPS tracking for one client id/secret pair (one number per request)."""

    carrier_name = UPS
    grant_path = "/security/v1/oauth/token"

    def _token_request(self) -> dict[str, Any]:
        pair = base64.b64encode(f"{self._client_id}:{self._client_secret}".encode()).decode()
        return {
            "headers": {"Authorization": f"Basic {pair}"},
            "form": {"grant_type": "client_credentials"},
        }

    async def _track_one(self, number: str) -> TrackingReply:
        response = await self.authorized(
            "GET",
            f"/api/track/v1/details/{number}",
            headers={"transId": uuid.uuid4().hex, "transactionSrc": "orderbridge"},
            params={"locale": "en_US", "returnSignature": "false"},
        )
        now = self._clock()
        data = self._number_answer(response, number, now)
        if isinstance(data, TrackingProblem):
            return data
        shipment = dig(data, "trackResponse", "shipment", 0)
        if not isinstance(shipment, dict):
            raise CarrierBadPayload(UPS, "the answer has no trackResponse.shipment")
        packages = items(shipment.get("package"))
        if not packages:
            message = code_messages(shipment.get("warnings")) or "no package in the answer"
            return TrackingProblem(UPS, number, now, message)
        return parse_package(packages[0], number, now)

    def _error_of(self, data: dict[str, Any]) -> str | None:
        return code_messages(dig(data, "response", "errors"))
