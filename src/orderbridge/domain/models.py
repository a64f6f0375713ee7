"""The domain's inputs: what TD SYNNEX says about an order, and what Autotask holds for the PO.

These are plain frozen dataclasses in the domain's own words. The TD SYNNEX adapter builds
``DistributorOrder`` and ``Invoice`` from XML; the Autotask adapter builds ``PurchaseOrder`` and
``PurchaseOrderItem`` from JSON. No wire-format name appears here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "Address",
    "DistributorCode",
    "DistributorLine",
    "DistributorOrder",
    "Invoice",
    "Package",
    "PurchaseOrder",
    "PurchaseOrderItem",
]


class DistributorCode(StrEnum):
    """TD SYNNEX's own status codes (header and line level), normalised."""

    ACCEPTED = "accepted"
    SHIPPED = "shipped"
    INVOICED = "invoiced"
    REJECTED = "rejected"
    DELETED = "deleted"
    NOT_FOUND = "notfound"
    PARTIAL = "partial"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, text: str | None) -> DistributorCode:
        """Read a code regardless of case, spaces and underscores (``NOT FOUND`` is notfound)."""
        if not text:
            return cls.UNKNOWN
        key = "".join(ch for ch in text.lower() if ch.isalpha())
        try:
            return cls(key)
        except ValueError:
            return cls.UNKNOWN


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address as a distributor reports it (ship-to confirmation)."""

    name: str | None = None
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class Package:
    """One carton of a shipped line."""

    tracking_number: str | None
    weight: Decimal | None = None
    quantity: int | None = None
    serials: tuple[str, ...] = ()
    delivered_on: date | None = None
    refused_on: date | None = None


@dataclass(frozen=True, slots=True)
class DistributorLine:
    """One item of a TD SYNNEX order: a PO line on one sales order (lines may be split)."""

    line_number: str | None
    code: DistributorCode
    quantity_ordered: int
    quantity_shipped: int
    sku: str | None = None
    mfg_part_number: str | None = None
    description: str | None = None
    cust_po_line: str | None = None
    order_number: str | None = None
    order_type: str | None = None
    unit_price: Decimal | None = None
    ship_date: datetime | None = None
    warehouse: str | None = None
    ship_method: str | None = None
    ship_method_description: str | None = None
    eta: date | None = None
    estimated_ship_date: date | None = None
    estimated_delivery_date: date | None = None
    reason: str | None = None
    packages: tuple[Package, ...] = ()


@dataclass(frozen=True, slots=True)
class DistributorOrder:
    """TD SYNNEX's answer for one PO number: header status and its items."""

    po_number: str
    code: DistributorCode
    reason: str | None = None
    received_at: datetime | None = None
    responded_at: datetime | None = None
    lines: tuple[DistributorLine, ...] = ()


@dataclass(frozen=True, slots=True)
class Invoice:
    """One TD SYNNEX invoice for a PO (a PO may have several)."""

    number: str
    invoice_date: date | None = None
    total: Decimal | None = None
    freight: Decimal | None = None
    tax: Decimal | None = None
    order_number: str | None = None
    tracking_numbers: tuple[str, ...] = ()
    ship_to: Address | None = None


@dataclass(frozen=True, slots=True)
class PurchaseOrderItem:
    """An Autotask purchase-order line as it stands now."""

    id: int
    order_id: int
    quantity: int
    product_id: int | None = None
    part_numbers: frozenset[str] = field(default_factory=frozenset)
    estimated_arrival: datetime | None = None
    memo: str = ""
    # The ticket or project the item was bought for (notifications: notes, technician).
    ticket_id: int | None = None
    project_id: int | None = None


@dataclass(frozen=True, slots=True)
class PurchaseOrder:
    """An Autotask purchase order as it stands now, with its items ordered by position."""

    id: int
    po_number: str | None
    status: str
    vendor_id: int
    general_memo: str = ""
    external_po_number: str | None = None
    shipping_date: datetime | None = None
    vendor_invoice_number: str | None = None
    additional_vendor_invoice_numbers: str | None = None
    submitted_at: datetime | None = None
    items: tuple[PurchaseOrderItem, ...] = ()
    # Why Autotask's record of this PO (or one of its items) could not be read. Such a PO is
    # reported on its own and never checked or written; the other POs sync as usual.
    unreadable: str | None = None
    # Who the order is for (purchaseForCompanyID) and who created it: notification routing.
    customer_id: int | None = None
    creator_resource_id: int | None = None
