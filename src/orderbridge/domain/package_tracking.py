"""What a carrier says about one package, in the domain's words.

Carriers each have their own status codes; the adapters normalise them to ``PackageStatus``.
Delivered and returned are final for a package: once seen, the package is not asked about again.
"Delivered to an access point or post office for pickup" is ``READY_FOR_PICKUP``, not delivered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from orderbridge.domain import state_json as sj

__all__ = [
    "FINAL_STATUSES",
    "Dimensions",
    "PackageStatus",
    "PackageTracking",
    "TrackingProblem",
    "TrackingReply",
    "Weight",
]


class PackageStatus(StrEnum):
    """A package's status as the carrier reports it, normalised."""

    PENDING = "label created"
    IN_TRANSIT = "in transit"
    OUT_FOR_DELIVERY = "out for delivery"
    READY_FOR_PICKUP = "ready for pickup"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    RETURNED = "returned to sender"
    UNKNOWN = "unknown"


FINAL_STATUSES = (PackageStatus.DELIVERED, PackageStatus.RETURNED)


@dataclass(frozen=True, slots=True)
class Weight:
    """A package weight with its unit as the carrier gave it (``LB`` or ``KG``)."""

    value: Decimal
    unit: str

    def __str__(self) -> str:
        return f"{self.value.normalize():f} {self.unit}"


@dataclass(frozen=True, slots=True)
class Dimensions:
    """Length x width x height with their unit (``IN`` or ``CM``)."""

    length: Decimal
    width: Decimal
    height: Decimal
    unit: str

    def __str__(self) -> str:
        sides = "x".join(f"{v.normalize():f}" for v in (self.length, self.width, self.height))
        return f"{sides} {self.unit}"


@dataclass(frozen=True, slots=True)
class PackageTracking:
    """One carrier answer for one tracking number.

    ``delivered_at`` is set only for a real delivery scan (never inferred from a delivery block
    that a carrier may send ahead of time). ``location`` is where the package is or was left
    ("Front Door", "AUSTIN, TX"); ``problem`` says what went wrong for ``EXCEPTION``/``RETURNED``.
    """

    carrier: str
    tracking_number: str
    status: PackageStatus
    checked_at: datetime
    description: str | None = None
    raw_code: str | None = None
    event_at: datetime | None = None
    delivered_at: datetime | None = None
    signed_by: str | None = None
    location: str | None = None
    estimated_delivery: date | None = None
    weight: Weight | None = None
    dimensions: Dimensions | None = None
    problem: str | None = None

    @property
    def final(self) -> bool:
        """Whether the carrier will not change its mind (delivered, returned)."""
        return self.status in FINAL_STATUSES

    def to_json(self) -> dict[str, Any]:
        """JSON-able values (kept in the order's state)."""
        return {
            "carrier": self.carrier,
            "tracking_number": self.tracking_number,
            "status": self.status.value,
            "checked_at": sj.dump_datetime(self.checked_at),
            "description": self.description,
            "raw_code": self.raw_code,
            "event_at": sj.dump_datetime(self.event_at),
            "delivered_at": sj.dump_datetime(self.delivered_at),
            "signed_by": self.signed_by,
            "location": self.location,
            "estimated_delivery": sj.dump_date(self.estimated_delivery),
            "weight": None if self.weight is None else [str(self.weight.value), self.weight.unit],
            "dimensions": None
            if self.dimensions is None
            else [
                str(self.dimensions.length),
                str(self.dimensions.width),
                str(self.dimensions.height),
                self.dimensions.unit,
            ],
            "problem": self.problem,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PackageTracking:
        """Read what ``to_json`` wrote."""
        checked = sj.load_datetime(data.get("checked_at"))
        assert checked is not None
        weight = data.get("weight")
        dims = data.get("dimensions")
        return cls(
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
            status=PackageStatus(data["status"]),
            checked_at=checked,
            description=data.get("description"),
            raw_code=data.get("raw_code"),
            event_at=sj.load_datetime(data.get("event_at")),
            delivered_at=sj.load_datetime(data.get("delivered_at")),
            signed_by=data.get("signed_by"),
            location=data.get("location"),
            estimated_delivery=sj.load_date(data.get("estimated_delivery")),
            weight=None if not weight else Weight(Decimal(weight[0]), weight[1]),
            dimensions=None
            if not dims
            else Dimensions(Decimal(dims[0]), Decimal(dims[1]), Decimal(dims[2]), dims[3]),
            problem=data.get("problem"),
        )


@dataclass(frozen=True, slots=True)
class TrackingProblem:
    """The carrier answered, but not with this package: unknown number, or not its number."""

    carrier: str
    tracking_number: str
    checked_at: datetime
    message: str


TrackingReply = PackageTracking | TrackingProblem
