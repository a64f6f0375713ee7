"""Each carrier's tracking answer, rendered from a package's visible scans in its real shape.

The awkward parts are kept: UPS puts the 3-digit code in ``currentStatus.code`` and sends a
``deliveryInformation`` block before delivery, and "delivered to a UPS Access Point" is type
``D``; FedEx answers a number it does not know inside HTTP 200 with ``alerts`` as a string; USPS
gives local ``eventTimestamp`` values without an offset, booleans as strings and HTML in
``mailClass``; DHL timestamps carry nanoseconds.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from .packages import PackageRecord, ScanEvent, ScanStatus

__all__ = ["dhl_shipment", "fedex_result", "fedex_unknown", "ups_package", "usps_details"]

_LOCAL = timezone(timedelta(hours=-5))  # simulated destinations all keep US Central time

_UPS = {
    ScanStatus.LABEL_CREATED: (
        "M",
        "MP",
        "003",
        "Shipper created a label, UPS has not received the package yet.",
    ),
    ScanStatus.PICKED_UP: ("P", "PU", "038", "Pickup Scan"),
    ScanStatus.IN_TRANSIT: ("I", "DP", "005", "On the Way"),
    ScanStatus.OUT_FOR_DELIVERY: ("I", "OF", "072", "Loaded on Delivery Vehicle"),
    ScanStatus.DELIVERED: ("D", "FS", "011", "DELIVERED"),
    ScanStatus.EXCEPTION: ("X", "RS", "013", "Exception"),
    ScanStatus.RETURNED: ("I", "RT", "036", "Returned to Sender"),
    ScanStatus.READY_FOR_PICKUP: ("D", "ZP", "161", "Delivered to UPS Access Point"),
}
_FEDEX = {
    ScanStatus.LABEL_CREATED: ("OC", "IN", "Label created"),
    ScanStatus.PICKED_UP: ("PU", "PU", "Picked up"),
    ScanStatus.IN_TRANSIT: ("IT", "IT", "In transit"),
    ScanStatus.OUT_FOR_DELIVERY: ("OD", "OD", "On FedEx vehicle for delivery"),
    ScanStatus.DELIVERED: ("DL", "DL", "Delivered"),
    ScanStatus.EXCEPTION: ("DE", "DE", "Delivery exception"),
    ScanStatus.RETURNED: ("RS", "RS", "Returning package to shipper"),
    ScanStatus.READY_FOR_PICKUP: ("HL", "HL", "Ready for recipient pickup"),
}
_USPS = {
    ScanStatus.LABEL_CREATED: ("GX", "Pre-Shipment", "Shipping Label Created, USPS Awaiting Item"),
    ScanStatus.PICKED_UP: ("03", "Accepted", "USPS picked up item"),
    ScanStatus.IN_TRANSIT: ("TL", "In Transit", "In Transit to Next Facility"),
    ScanStatus.OUT_FOR_DELIVERY: ("OF", "Out for Delivery", "Out for Delivery"),
    ScanStatus.DELIVERED: ("01", "Delivered", "Delivered, Front Door/Porch"),
    ScanStatus.EXCEPTION: ("53", "Alert", "Delivery Attempted - No Access to Delivery Location"),
    ScanStatus.RETURNED: ("09", "Return to Sender", "Return to Sender"),
    ScanStatus.READY_FOR_PICKUP: ("07", "Available for Pickup", "Available for Pickup"),
}
_DHL = {
    ScanStatus.LABEL_CREATED: ("pre-transit", "VA", "Shipment information received"),
    ScanStatus.PICKED_UP: ("transit", "AA", "Shipment picked up"),
    ScanStatus.IN_TRANSIT: ("transit", "AE", "Processed at DHL facility"),
    ScanStatus.OUT_FOR_DELIVERY: ("transit", "PO", "Shipment is out for delivery"),
    ScanStatus.DELIVERED: ("delivered", "ZU", "Delivered"),
    ScanStatus.EXCEPTION: ("failure", "ZN", "Delivery attempt failed"),
    ScanStatus.RETURNED: ("transit", "RT", "Shipment is being returned to the sender"),
    ScanStatus.READY_FOR_PICKUP: ("transit", "LA", "Ready for pickup at service point"),
}


def _local(at: datetime) -> datetime:
    return at.astimezone(_LOCAL)


def ups_package(p: PackageRecord, seen: list[ScanEvent]) -> dict[str, Any]:
    """``trackResponse.shipment[0].package[0]``."""
    activity = []
    for e in seen:
        kind, code, number, words = _UPS[e.status]
        local = _local(e.at)
        activity.append(
            {
                "location": {
                    "address": {
                        "city": e.city,
                        "stateProvince": e.state,
                        "postalCode": e.postal_code,
                        "countryCode": "US",
                        "country": "US",
                    },
                    "slic": "7249",
                },
                "status": {
                    "type": kind,
                    "description": e.description or words,
                    "code": code,
                    "statusCode": number,
                },
                "date": local.strftime("%Y%m%d"),
                "time": local.strftime("%H%M%S"),
                "gmtDate": e.at.strftime("%Y%m%d"),
                "gmtTime": e.at.strftime("%H:%M:%S"),
                "gmtOffset": "-05:00",
            }
        )
    package: dict[str, Any] = {
        "trackingNumber": p.tracking_number,
        "packageCount": 1,
        "activity": activity,
        "service": {"code": "003", "levelCode": "003", "description": "UPS Ground"},
    }
    if seen:
        kind, _, number, words = _UPS[seen[0].status]
        # Real answers carry the 3-digit code in currentStatus.code (the spec shows "SR").
        package["currentStatus"] = {"description": seen[0].description or words, "code": number}
    newest = seen[0].status if seen else None
    if newest is ScanStatus.DELIVERED:
        local = _local(seen[0].at)
        package["deliveryDate"] = [{"type": "DEL", "date": local.strftime("%Y%m%d")}]
        package["deliveryTime"] = {"type": "DEL", "endTime": local.strftime("%H%M%S")}
        package["deliveryInformation"] = {
            "receivedBy": p.signed_by or "",
            "location": p.left_at or "",
            "deliveryPhoto": {"photoCaptureInd": "N"},
        }
    else:
        if p.eta is not None:
            package["deliveryDate"] = [{"type": "SDD", "date": p.eta.strftime("%Y%m%d")}]
        if newest is ScanStatus.OUT_FOR_DELIVERY:
            # Sent ahead of delivery: a client must not read a delivery from its presence.
            package["deliveryInformation"] = {
                "receivedBy": "",
                "location": "",
                "deliveryPhoto": {"photoCaptureInd": "N"},
            }
    if p.weight is not None:
        unit = "LBS" if p.weight_unit.upper().startswith("LB") else "KGS"
        package["weight"] = {"unitOfMeasurement": unit, "weight": f"{p.weight:.2f}"}
    if p.dimensions is not None:
        length, width, height = p.dimensions
        package["dimension"] = {
            "unitOfDimension": p.dimension_unit,
            "length": f"{length}",
            "width": f"{width}",
            "height": f"{height}",
        }
    return package


def _fedex_place(e: ScanEvent) -> dict[str, Any]:
    return {
        "city": e.city,
        "stateOrProvinceCode": e.state,
        "postalCode": e.postal_code,
        "countryCode": "US",
        "residential": False,
    }


def fedex_result(p: PackageRecord, seen: list[ScanEvent], *, older: bool = False) -> dict[str, Any]:
    """One ``trackResults[]`` entry (``older``: the recycled number's previous shipment)."""
    shift = timedelta(days=400) if older else timedelta(0)
    info = {
        "trackingNumber": p.tracking_number,
        "carrierCode": "FDXG",
        "trackingNumberUniqueId": f"{2458 if older else 2459}~{p.tracking_number}~FDEG",
    }
    result: dict[str, Any] = {"trackingNumberInfo": info}
    events = [
        {
            "date": _local(e.at - shift).isoformat(),
            "eventType": _FEDEX[e.status][0],
            "eventDescription": e.description or _FEDEX[e.status][2],
            "derivedStatusCode": _FEDEX[e.status][1],
            "scanLocation": _fedex_place(e),
        }
        for e in seen
    ]
    result["scanEvents"] = events
    dates = [{"type": "SHIP", "dateTime": _local(p.shipped_at - shift).isoformat()}]
    if seen:
        newest = seen[0]
        code, derived, words = _FEDEX[newest.status]
        latest: dict[str, Any] = {
            "code": code,
            "derivedCode": derived,
            "statusByLocale": words,
            "description": newest.description or words,
            "scanLocation": _fedex_place(newest),
        }
        if newest.status is ScanStatus.EXCEPTION:
            latest["ancillaryDetails"] = [
                {"reason": "08", "reasonDescription": newest.description or "Incorrect address"}
            ]
        result["latestStatusDetail"] = latest
        if newest.status is ScanStatus.DELIVERED:
            dates.append(
                {"type": "ACTUAL_DELIVERY", "dateTime": _local(newest.at - shift).isoformat()}
            )
            result["deliveryDetails"] = {
                "receivedByName": p.signed_by or "",
                "signedByName": p.signed_by or "",
                "locationDescription": p.left_at or "",
                "actualDeliveryAddress": _fedex_place(newest),
                "deliveryAttempts": "0",
            }
    if p.eta is not None and not (seen and seen[0].status is ScanStatus.DELIVERED):
        dates.append(
            {"type": "ESTIMATED_DELIVERY", "dateTime": f"{p.eta.isoformat()}T20:00:00-05:00"}
        )
    result["dateAndTimes"] = dates
    if p.weight is not None:
        wd: dict[str, Any] = {
            "weight": [{"unit": p.weight_unit[:2].upper(), "value": f"{p.weight}"}]
        }
        if p.dimensions is not None:
            length, width, height = p.dimensions
            wd["dimensions"] = [
                {
                    "length": int(length),
                    "width": int(width),
                    "height": int(height),
                    "units": p.dimension_unit,
                }
            ]
        result["packageDetails"] = {"count": "1", "sequenceNumber": "1", "weightAndDimensions": wd}
    return result


def fedex_unknown(number: str) -> dict[str, Any]:
    """The per-number error FedEx puts inside a 200 for a number it does not know."""
    return {
        "trackingNumberInfo": {
            "trackingNumber": number,
            "trackingNumberUniqueId": "",
            "carrierCode": "",
        },
        "error": {
            "code": "TRACKING.TRACKINGNUMBER.NOTFOUND",
            "message": (
                "Tracking number cannot be found. Please correct the tracking number and try again."
            ),
        },
    }


def usps_details(p: PackageRecord, seen: list[ScanEvent]) -> dict[str, Any]:
    """A ``TrackingDetails`` object (``expand=DETAIL``)."""
    events = []
    for e in seen:
        code, _, words = _USPS[e.status]
        delivered = e.status is ScanStatus.DELIVERED
        events.append(
            {
                "eventType": e.description or words,
                "eventTimestamp": _local(e.at).replace(tzinfo=None).isoformat(),
                "GMTTimestamp": e.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "GMTOffset": "-05:00",
                "eventCountry": None,
                "eventCity": e.city,
                "eventState": e.state,
                "eventZIP": e.postal_code,
                "firm": None,
                "name": p.signed_by if delivered else None,
                "authorizedAgent": "false",
                "eventCode": code,
            }
        )
    newest = seen[0] if seen else None
    category = _USPS[newest.status][1] if newest else "Pre-Shipment"
    words = (newest.description or _USPS[newest.status][2]) if newest else "Label created"
    details: dict[str, Any] = {
        "trackingNumber": p.tracking_number,
        "status": words,
        "statusCategory": category,
        "statusSummary": f"Your item's status: {words}.",
        "mailClass": "USPS Ground Advantage<SUP>&#153;</SUP>",
        "mailType": "DOMESTIC_MAIL",
        "proofOfDeliveryEnabled": "true",
        "onTime": "true",
        "destinationCity": newest.city if newest else None,
        "destinationState": newest.state if newest else None,
        "trackingEvents": events,
    }
    if p.eta is not None and category != "Delivered":
        details["expectedDeliveryTimeStamp"] = f"{p.eta.isoformat()}T21:00:00Z"
    return details


def _dhl_status(e: ScanEvent) -> dict[str, Any]:
    code, short, words = _DHL[e.status]
    # DHL sends nanoseconds and a local offset; a plain strptime breaks on them.
    stamp = _local(e.at).strftime("%Y-%m-%dT%H:%M:%S.331986369%z")
    stamp = f"{stamp[:-2]}:{stamp[-2:]}"
    return {
        "timestamp": stamp,
        "location": {
            "address": {"countryCode": "US", "postalCode": e.postal_code, "addressLocality": e.city}
        },
        "statusCode": code,
        "status": short,
        "description": e.description or words,
    }


def dhl_shipment(p: PackageRecord, seen: list[ScanEvent]) -> dict[str, Any]:
    """One ``shipments[]`` entry of DHL Shipment Tracking - Unified."""
    details: dict[str, Any] = {"totalNumberOfPieces": 1, "pieceIds": [f"JD0{p.tracking_number}"]}
    if p.weight is not None:
        details["weight"] = {"value": float(p.weight), "unitText": p.weight_unit.lower()[:2]}
    if p.dimensions is not None:
        unit = p.dimension_unit.lower()
        details["dimensions"] = {
            side: {"value": float(v), "unitText": unit}
            for side, v in zip(("length", "width", "height"), p.dimensions, strict=True)
        }
    shipment: dict[str, Any] = {
        "id": p.tracking_number,
        "service": "express",
        "events": [_dhl_status(e) for e in seen],
        "details": details,
    }
    if seen:
        shipment["status"] = _dhl_status(seen[0])
        if seen[0].status is ScanStatus.DELIVERED:
            details["proofOfDelivery"] = {
                "timestamp": shipment["status"]["timestamp"],
                "signed": {"name": p.signed_by} if p.signed_by else {},
            }
    if any(e.status is ScanStatus.RETURNED for e in seen):
        shipment["returnFlag"] = True
    if p.eta is not None:
        shipment["estimatedTimeOfDelivery"] = f"{p.eta.isoformat()}T18:00:00+00:00"
    return shipment
