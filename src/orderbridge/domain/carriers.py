"""Carriers: TD SYNNEX ship-method codes, carrier detection from tracking numbers, tracking links.

TD SYNNEX names the carrier only through its ship-method code and description, so that is trusted
first; the tracking number's format is the fallback. Tracking links are per-carrier URL templates
with a ``{tracking_number}`` placeholder; the defaults are the carriers' public tracking pages and
every one can be overridden (or switched off with an empty string).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote

from orderbridge.domain.tracking_numbers import detect_carrier

__all__ = [
    "DEFAULT_TRACKING_TEMPLATES",
    "CarrierCatalog",
    "ShipMethod",
    "ShipMethodKind",
    "detect_carrier",
]

FEDEX = "FedEx"
UPS = "UPS"
USPS = "USPS"
DHL = "DHL"
PUROLATOR = "Purolator"
CANADA_POST = "Canada Post"
LOOMIS = "Loomis"


class ShipMethodKind(StrEnum):
    """How goods leave TD SYNNEX under a ship method."""

    PARCEL = "parcel"
    FREIGHT = "freight"
    PICKUP = "pickup"
    LOCAL = "local"
    ELECTRONIC = "electronic"
    HOLD = "hold"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class ShipMethod:
    """What a ship-method code means: carrier, service and kind."""

    code: str | None
    carrier: str | None
    service: str | None
    kind: ShipMethodKind


_P, _F = ShipMethodKind.PARCEL, ShipMethodKind.FREIGHT

# Codes from the TD SYNNEX reference (US and CA lists); the LTL list there is partial.
_METHODS: dict[str, tuple[str | None, str | None, ShipMethodKind]] = {
    "FG": (FEDEX, "Ground", _P),
    "F2": (FEDEX, "2Day", _P),
    "FO": (FEDEX, "Standard Overnight", _P),
    "FP": (FEDEX, "Priority Overnight", _P),
    "FX": (FEDEX, "Express Saver", _P),
    "FHD": (FEDEX, "Home Delivery", _P),
    "FS": (FEDEX, "Saturday Delivery", _P),
    "FDXH": (FEDEX, None, _P),
    "DH": (DHL, None, _P),
    "UPG": (UPS, "Standard", _P),
    "UPSS": (UPS, "Express Saver", _P),
    "UPX": (UPS, "Express Saver", _P),
    "PUG": (PUROLATOR, "Ground", _P),
    "PUX": (PUROLATOR, "Express", _P),
    "PUA": (PUROLATOR, "Air", _P),
    "LMG": (LOOMIS, "Ground", _P),
    "L18G": (LOOMIS, "Express 18:00 (ground)", _P),
    "L18A": (LOOMIS, "Express 18:00 (air)", _P),
    "FXLE": ("FedEx Freight", "LTL", _F),
    "ABFC": ("ABF Freight", "LTL", _F),
    "AAAC": ("AAA Cooper", "LTL", _F),
    "CPU": (None, "Customer pickup", ShipMethodKind.PICKUP),
    "WC": (None, "Will call (pickup)", ShipMethodKind.PICKUP),
    "FWC": (None, "Forwarded will call", ShipMethodKind.PICKUP),
    "DE": (None, "Local delivery", ShipMethodKind.LOCAL),
    "EDEL": (None, "Electronic delivery", ShipMethodKind.ELECTRONIC),
    "HS": (None, "Hold ship", ShipMethodKind.HOLD),
    "NL": (None, "Hold order", ShipMethodKind.HOLD),
}

# Carrier names as they appear in ship-method descriptions, most specific first.
_DESCRIPTION_CARRIERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bfed\s?ex\s+freight\b", re.I), "FedEx Freight"),
    (re.compile(r"\bfed\s?ex\b", re.I), FEDEX),
    (re.compile(r"\bups\b", re.I), UPS),
    (re.compile(r"\b(usps|postal service)\b", re.I), USPS),
    (re.compile(r"\bdhl\b", re.I), DHL),
    (re.compile(r"\bpurolator\b", re.I), PUROLATOR),
    (re.compile(r"\bcanada\s+post\b", re.I), CANADA_POST),
    (re.compile(r"\bloomis\b", re.I), LOOMIS),
)
_HOLD_WORDS = re.compile(r"\bhold\b", re.I)
_PICKUP_WORDS = re.compile(r"\b(pick\s?-?up|will\s?call)\b", re.I)

DEFAULT_TRACKING_TEMPLATES: Mapping[str, str] = {
    UPS: "https://www.ups.com/track?loc=en_US&tracknum={tracking_number}",
    FEDEX: "https://www.fedex.com/fedextrack/?trknbr={tracking_number}",
    USPS: "https://tools.usps.com/go/TrackConfirmAction?tLabels={tracking_number}",
    DHL: "https://www.dhl.com/us-en/home/tracking/tracking-parcel.html?submit=1&tracking-id={tracking_number}",
    PUROLATOR: "https://www.purolator.com/en/shipping/tracker?searchValue={tracking_number}",
    CANADA_POST: (
        "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor={tracking_number}"
    ),
}


def _norm(text: str | None) -> str:
    return "".join((text or "").split()).upper()


class CarrierCatalog:
    """Ship-method codes to carriers, and carriers to tracking links (templates overridable)."""

    def __init__(self, templates: Mapping[str, str] | None = None) -> None:
        merged = {k.casefold(): v for k, v in DEFAULT_TRACKING_TEMPLATES.items()}
        merged.update({k.casefold(): v for k, v in (templates or {}).items()})
        self._templates = merged

    def ship_method(self, code: str | None, description: str | None = None) -> ShipMethod:
        """What a ship-method code means; unknown codes are read from the description."""
        key = _norm(code)
        known = _METHODS.get(key)
        if known is None and key.startswith("CPC"):
            known = (CANADA_POST, None, ShipMethodKind.PARCEL)
        if known is not None:
            carrier, service, kind = known
            return ShipMethod(code=key, carrier=carrier, service=service, kind=kind)
        return self._from_description(key or None, (description or "").strip())

    def is_hold(self, code: str | None, description: str | None = None) -> bool:
        """True when the ship method puts the order on hold (HS, NL, or a 'hold' description)."""
        return self.ship_method(code, description).kind is ShipMethodKind.HOLD

    def carrier_for(
        self, code: str | None, description: str | None, tracking_number: str | None
    ) -> tuple[str | None, str | None]:
        """(carrier, service) for a shipment: ship method first, then the tracking number."""
        method = self.ship_method(code, description)
        if method.carrier is not None:
            return method.carrier, method.service
        if method.kind in (ShipMethodKind.PARCEL, ShipMethodKind.UNKNOWN, ShipMethodKind.FREIGHT):
            detected = detect_carrier(tracking_number)
            if detected is not None:
                return detected, method.service
        return None, method.service

    def tracking_url(self, carrier: str | None, tracking_number: str | None) -> str | None:
        """The public tracking page for a number, or None when the carrier has no template."""
        number = "".join((tracking_number or "").split())
        if not carrier or not number:
            return None
        template = self._templates.get(carrier.casefold())
        if not template or "{tracking_number}" not in template:
            return None
        return template.replace("{tracking_number}", quote(number, safe=""))

    def _from_description(self, code: str | None, description: str) -> ShipMethod:
        if not description:
            return ShipMethod(code=code, carrier=None, service=None, kind=ShipMethodKind.UNKNOWN)
        if _HOLD_WORDS.search(description):
            return ShipMethod(code, None, description, ShipMethodKind.HOLD)
        if _PICKUP_WORDS.search(description):
            return ShipMethod(code, None, description, ShipMethodKind.PICKUP)
        for pattern, carrier in _DESCRIPTION_CARRIERS:
            match = pattern.search(description)
            if match:
                rest = (description[: match.start()] + description[match.end() :]).strip(" -,")
                return ShipMethod(code, carrier, " ".join(rest.split()) or None, _P)
        return ShipMethod(code, None, description, ShipMethodKind.UNKNOWN)
