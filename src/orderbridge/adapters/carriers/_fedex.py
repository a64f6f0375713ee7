"""FedEx Track API: ``POST /track/v1/trackingnumbers`` with up to 30 numbers per request.

Errors for one number come back inside an HTTP 200 (``trackResults[0].error``, for instance
``TRACKING.TRACKINGNUMBER.NOTFOUND``) while ``output.alerts`` may be a string. One number may
return several results (FedEx recycles numbers): the one with the newest scan wins. The delivery
time is the ``ACTUAL_DELIVERY`` entry of ``dateAndTimes``; the ETA is ``ESTIMATED_DELIVERY`` or
the estimated window, not the promised transit window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
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
    parse_time,
    place,
    problem_of,
    text,
    weight_of,
)

__all__ = ["FEDEX_BATCH", "FedExTracker", "fedex_status"]

FEDEX = "FedEx"
FEDEX_BATCH = 30
_STATUS = {
    "DL": PackageStatus.DELIVERED,
    "OD": PackageStatus.OUT_FOR_DELIVERY,
    "ED": PackageStatus.OUT_FOR_DELIVERY,
    "AD": PackageStatus.OUT_FOR_DELIVERY,
    "HL": PackageStatus.READY_FOR_PICKUP,
    "HP": PackageStatus.READY_FOR_PICKUP,
    "DE": PackageStatus.EXCEPTION,
    "SE": PackageStatus.EXCEPTION,
    "CD": PackageStatus.EXCEPTION,
    "HA": PackageStatus.EXCEPTION,
    "CA": PackageStatus.EXCEPTION,
    "RS": PackageStatus.RETURNED,
    "RT": PackageStatus.RETURNED,
    "OC": PackageStatus.PENDING,
    "OX": PackageStatus.PENDING,
}


def fedex_status(code: str | None) -> PackageStatus:
    """A FedEx status code (``latestStatusDetail.code``) as the domain's status."""
    if not code:
        return PackageStatus.UNKNOWN
    return _STATUS.get(code.upper(), PackageStatus.IN_TRANSIT)


def _when(result: Mapping[str, Any], kind: str) -> datetime | None:
    for entry in items(result.get("dateAndTimes")):
        if text(entry.get("type")) == kind:
            return parse_time(entry.get("dateTime"))
    return None


def _place(address: Any) -> str | None:
    return place(address, "city", "stateOrProvinceCode", "countryCode")


def _newest_scan(result: Mapping[str, Any]) -> datetime:
    scans = [parse_time(s.get("date")) for s in items(result.get("scanEvents"))]
    present = [s for s in scans if s is not None]
    return max(present) if present else datetime.min.replace(tzinfo=UTC)


def parse_result(result: Mapping[str, Any], number: str, checked_at: datetime) -> TrackingReply:
    """One ``trackResults[]`` entry (which may be a per-number error)."""
    error = result.get("error")
    if isinstance(error, dict) and (error.get("code") or error.get("message")):
        return TrackingProblem(
            FEDEX, number, checked_at, f"{text(error.get('code'))}: {text(error.get('message'))}"
        )
    latest = obj(result.get("latestStatusDetail"))
    code = text(latest.get("code")) or text(latest.get("derivedCode"))
    status = fedex_status(code)
    details = obj(result.get("deliveryDetails"))
    delivered_at = _when(result, "ACTUAL_DELIVERY") if status is PackageStatus.DELIVERED else None
    signed_by = location = None
    if status is PackageStatus.DELIVERED:
        signed_by = text(details.get("signedByName")) or text(details.get("receivedByName"))
        location = joined(
            text(details.get("locationDescription")),
            _place(details.get("actualDeliveryAddress")),
        )
    else:
        location = _place(latest.get("scanLocation"))
    eta_time = _when(result, "ESTIMATED_DELIVERY")
    window = obj(dig(result, "estimatedDeliveryTimeWindow", "window"))
    eta = eta_time.date() if eta_time else parse_date(window.get("ends") or window.get("begins"))
    wd = obj(dig(result, "packageDetails", "weightAndDimensions"))
    weight = (items(wd.get("weight")) or [{}])[0]
    dims = (items(wd.get("dimensions")) or [{}])[0]
    description = text(latest.get("description")) or text(latest.get("statusByLocale"))
    reasons = [text(r.get("reasonDescription")) for r in items(latest.get("ancillaryDetails"))]
    scans = items(result.get("scanEvents"))
    return PackageTracking(
        carrier=FEDEX,
        tracking_number=number,
        status=status,
        checked_at=checked_at,
        description=description,
        raw_code=code,
        event_at=parse_time(scans[0].get("date")) if scans else None,
        delivered_at=delivered_at,
        signed_by=signed_by,
        location=location,
        estimated_delivery=eta,
        weight=weight_of(weight.get("value"), weight.get("unit")),
        dimensions=dimensions_of(
            dims.get("length"), dims.get("width"), dims.get("height"), dims.get("units")
        ),
        problem=problem_of(status, description, *reasons),
    )


class FedExTracker(OAuthTracker):
    """FedEx tracking for one Track API project (up to 30 numbers per request)."""

    carrier_name = FEDEX
    batch_size = FEDEX_BATCH

    async def track(self, tracking_numbers: Sequence[str]) -> Mapping[str, TrackingReply]:
        """Batches of at most 30 numbers."""
        replies: dict[str, TrackingReply] = {}
        numbers = list(dict.fromkeys(tracking_numbers))
        for start in range(0, len(numbers), FEDEX_BATCH):
            replies.update(await self._track_batch(numbers[start : start + FEDEX_BATCH]))
        return replies

    async def _track_batch(self, numbers: Sequence[str]) -> dict[str, TrackingReply]:
        body = {
            "includeDetailedScans": True,
            "trackingInfo": [{"trackingNumberInfo": {"trackingNumber": n}} for n in numbers],
        }
        response = await self.authorized("POST", "/track/v1/trackingnumbers", json_body=body)
        data = self._answer(response)
        now = self._clock()
        complete = dig(data, "output", "completeTrackResults")
        if not isinstance(complete, list):
            raise CarrierBadPayload(FEDEX, "the answer has no output.completeTrackResults")
        by_number = {text(c.get("trackingNumber")): c for c in items(complete)}
        replies: dict[str, TrackingReply] = {}
        for number in numbers:
            results = items(obj(by_number.get(number)).get("trackResults"))
            if not results:
                replies[number] = TrackingProblem(FEDEX, number, now, "no result for this number")
                continue
            replies[number] = parse_result(max(results, key=_newest_scan), number, now)
        return replies

    def _error_of(self, data: dict[str, Any]) -> str | None:
        return code_messages(data.get("errors"))
