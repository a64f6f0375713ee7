"""Simulated packages: a timeline of carrier-neutral scan events, shown up to the sim clock.

Each package belongs to one carrier. Its events carry a time; the carrier's answer shows the
events whose time has come (newest first), so a test or the demo scripts a whole journey up
front (in transit, exception, delivered) and moves the clock through it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

__all__ = ["CARRIERS", "PackageBook", "PackageRecord", "ScanEvent", "ScanStatus"]

CARRIERS = ("ups", "fedex", "usps", "dhl")


class ScanStatus(StrEnum):
    """What a scan says, before a carrier renders it in its own codes."""

    LABEL_CREATED = "label_created"
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    RETURNED = "returned"
    READY_FOR_PICKUP = "ready_for_pickup"


@dataclass(frozen=True, slots=True)
class ScanEvent:
    """One scan: status, time (aware UTC), place and the carrier's words for it."""

    status: ScanStatus
    at: datetime
    city: str = "MEMPHIS"
    state: str = "TN"
    postal_code: str = ""
    description: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any], default_at: datetime) -> ScanEvent:
        """Read an admin-API event (``at`` ISO time, defaults to now)."""
        unknown = set(data) - {"status", "at", "city", "state", "postal_code", "description"}
        if unknown:
            raise ValueError(f"unknown event keys: {sorted(unknown)}")
        at = data.get("at")
        when = datetime.fromisoformat(str(at).replace("Z", "+00:00")) if at else default_at
        if when.tzinfo is None:
            raise ValueError("event 'at' needs a UTC offset")
        return cls(
            status=ScanStatus(str(data.get("status", "in_transit"))),
            at=when,
            city=str(data.get("city", "MEMPHIS")),
            state=str(data.get("state", "TN")),
            postal_code=str(data.get("postal_code", "")),
            description=data.get("description"),
        )


@dataclass(frozen=True, slots=True)
class PackageRecord:
    """One package as its carrier knows it."""

    carrier: str
    tracking_number: str
    shipped_at: datetime
    events: tuple[ScanEvent, ...] = ()
    eta: date | None = None
    weight: Decimal | None = None
    weight_unit: str = "LB"
    dimensions: tuple[Decimal, Decimal, Decimal] | None = None
    dimension_unit: str = "IN"
    signed_by: str | None = None
    left_at: str | None = "Front Door"
    duplicate: bool = False  # FedEx: an older shipment under the same number

    def visible(self, now: datetime) -> list[ScanEvent]:
        """Events that have happened by ``now``, newest first."""
        return sorted((e for e in self.events if e.at <= now), key=lambda e: e.at, reverse=True)

    def to_json(self, now: datetime) -> dict[str, Any]:
        """Admin-API view."""
        seen = self.visible(now)
        return {
            "carrier": self.carrier,
            "tracking_number": self.tracking_number,
            "shipped_at": self.shipped_at.isoformat(),
            "status": seen[0].status.value if seen else None,
            "events": [
                {"status": e.status.value, "at": e.at.isoformat(), "city": e.city} for e in seen
            ],
            "scheduled_events": len(self.events) - len(seen),
        }


@dataclass
class PackageBook:
    """Every package of every carrier, thread-safe (uvicorn serves from its own thread)."""

    _packages: dict[tuple[str, str], PackageRecord] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @staticmethod
    def _key(carrier: str, number: str) -> tuple[str, str]:
        return carrier.casefold(), "".join(number.split()).upper()

    def put(self, record: PackageRecord) -> PackageRecord:
        """Add or replace a package."""
        with self._lock:
            self._packages[self._key(record.carrier, record.tracking_number)] = record
        return record

    def get(self, carrier: str, number: str) -> PackageRecord | None:
        """A carrier's package by number (spaces and case ignored)."""
        with self._lock:
            return self._packages.get(self._key(carrier, number))

    def add_event(self, carrier: str, number: str, event: ScanEvent) -> PackageRecord:
        """Append a scan (``KeyError`` when the package is unknown)."""
        with self._lock:
            key = self._key(carrier, number)
            record = self._packages[key]
            updated = replace(record, events=(*record.events, event))
            self._packages[key] = updated
            return updated

    def all(self, carrier: str | None = None) -> list[PackageRecord]:
        """Every package (of one carrier)."""
        with self._lock:
            return [p for p in self._packages.values() if carrier is None or p.carrier == carrier]

    def clear(self) -> None:
        """Forget every package."""
        with self._lock:
            self._packages.clear()
