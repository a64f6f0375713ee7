"""Autotask JSON ↔ domain models. The only module that knows Autotask's field names for POs.

Reading is lenient where Autotask is inconsistent and strict where the domain needs a fact:
keys match case-insensitively (older tenants answer in PascalCase), times without a zone are
UTC, ``null`` text is empty text; a missing or mistyped id, vendor, status or quantity raises
``BadPayload`` naming the record and the field. Times are written as ``YYYY-MM-DDTHH:MM:SSZ``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from orderbridge.domain.models import PurchaseOrder, PurchaseOrderItem

from ._errors import BadPayload

__all__ = [
    "ITEM_FIELDS",
    "ITEM_WRITE_FIELDS",
    "PO_WRITE_FIELDS",
    "PRODUCT_FIELDS",
    "Row",
    "format_datetime",
    "item_from_json",
    "parse_datetime",
    "patch_body",
    "po_fields",
    "product_part_numbers",
    "purchase_order_from_json",
]

PO_WRITE_FIELDS: Mapping[str, str] = {
    "general_memo": "generalMemo",
    "shipping_date": "shippingDate",
    "vendor_invoice_number": "vendorInvoiceNumber",
    "additional_vendor_invoice_numbers": "additionalVendorInvoiceNumbers",
    "external_po_number": "externalPONumber",
    "status": "status",
}
ITEM_WRITE_FIELDS: Mapping[str, str] = {
    "estimated_arrival": "estimatedArrivalDate",
    "memo": "memo",
}
ITEM_FIELDS = (
    "id",
    "orderID",
    "quantity",
    "productID",
    "estimatedArrivalDate",
    "memo",
    # notifications (issue 11): the ticket or project the item was bought for
    "ticketID",
    "projectID",
)
PRODUCT_FIELDS = ("id", "manufacturerProductName", "vendorProductNumber", "sku")
_PO_FIELDS = (
    "id",
    "status",
    "vendorID",
    "generalMemo",
    "externalPONumber",
    "shippingDate",
    "vendorInvoiceNumber",
    "additionalVendorInvoiceNumbers",
    "submitDateTime",
    # notifications (issue 11): routing by customer, the PO creator as a recipient
    "purchaseForCompanyID",
    "creatorResourceID",
)
# .NET may send 7 fractional digits; Python accepts at most 6
_FRACTION = re.compile(r"(\.\d{6})\d+")
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")  # ASCII digits only: int() takes more


def po_fields(po_number_field: str) -> list[str]:
    """The PurchaseOrders fields the adapter reads, with the configured PO-number field.

    Each field is named once: ``po_number_field = "id"`` (or another field already read) must
    not send a name twice in ``IncludeFields``.
    """
    known = {name.lower() for name in _PO_FIELDS}
    return [*_PO_FIELDS] if po_number_field.lower() in known else [*_PO_FIELDS, po_number_field]


def parse_datetime(value: object, *, where: str = "value") -> datetime | None:
    """An Autotask time as aware UTC; naive text is UTC, ``null``/empty is ``None``."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadPayload(f"{where}: expected an ISO date-time string, got {value!r}")
    text = _FRACTION.sub(r"\1", value.strip())
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise BadPayload(f"{where}: {value!r} is not an ISO date-time") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise BadPayload(f"{where}: {value!r} is outside the calendar in UTC") from None


def format_datetime(value: datetime) -> str:
    """An aware time as Autotask input: UTC with a ``Z`` (naive times are a bug, not UTC)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"refusing to send a naive datetime {value!r}; use an aware UTC time")
    utc = value.astimezone(UTC)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond // 1000:03d}"
    return text + "Z"


class Row:
    """One Autotask record with case-insensitive, typed field access."""

    __slots__ = ("_data", "where")

    def __init__(self, data: object, *, entity: str) -> None:
        if not isinstance(data, Mapping):
            raise BadPayload(f"{entity}: expected a JSON object, got {type(data).__name__}")
        self._data = {str(k).lower(): v for k, v in data.items()}
        ident = self._data.get("id")
        self.where = f"{entity} {ident}" if ident is not None else entity

    def raw(self, name: str) -> Any:
        """The value of ``name`` (``None`` when absent)."""
        return self._data.get(name.lower())

    def has(self, name: str) -> bool:
        """Whether the record carries ``name`` at all."""
        return name.lower() in self._data

    def required_int(self, name: str) -> int:
        """A whole number that must be present."""
        if not self.has(name):
            raise BadPayload(f"{self.where}: field {name!r} is missing")
        value = self.optional_int(name)
        if value is None:
            raise BadPayload(f"{self.where}: field {name!r} is null")
        return value

    def optional_int(self, name: str) -> int | None:
        """A whole number or ``None``; integral floats and digit strings are accepted."""
        value = self.raw(name)
        if value is None:
            return None
        if isinstance(value, bool):
            raise BadPayload(f"{self.where}: field {name!r} should be a number, got {value!r}")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
            return int(value)
        raise BadPayload(f"{self.where}: field {name!r} should be a whole number, got {value!r}")

    def optional_str(self, name: str) -> str | None:
        """Text or ``None``; numbers are read as their text."""
        value = self.raw(name)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise BadPayload(f"{self.where}: field {name!r} should be text, got {value!r}")

    def optional_datetime(self, name: str) -> datetime | None:
        """A time as aware UTC or ``None``."""
        return parse_datetime(self.raw(name), where=f"{self.where}: field {name!r}")


def product_part_numbers(row: Row) -> tuple[int, frozenset[str]]:
    """A product's id and the part numbers a distributor line may carry for it."""
    numbers = (row.optional_str(name) for name in PRODUCT_FIELDS[1:])
    return row.required_int("id"), frozenset(n.strip() for n in numbers if n and n.strip())


def item_from_json(row: Row, part_numbers: Mapping[int, frozenset[str]]) -> PurchaseOrderItem:
    """A PurchaseOrderItems record as a domain item."""
    product_id = row.optional_int("productID")
    return PurchaseOrderItem(
        id=row.required_int("id"),
        order_id=row.required_int("orderID"),
        quantity=row.required_int("quantity"),
        product_id=product_id,
        part_numbers=part_numbers.get(product_id, frozenset()) if product_id else frozenset(),
        estimated_arrival=row.optional_datetime("estimatedArrivalDate"),
        memo=row.optional_str("memo") or "",
        ticket_id=row.optional_int("ticketID"),
        project_id=row.optional_int("projectID"),
    )


def purchase_order_from_json(
    row: Row,
    *,
    status_label: Callable[[int], str],
    po_number_field: str,
    items: Sequence[PurchaseOrderItem] = (),
) -> PurchaseOrder:
    """A PurchaseOrders record as a domain PO; the PO number falls back to the id as text."""
    po_id = row.required_int("id")
    number = (row.optional_str(po_number_field) or "").strip()
    return PurchaseOrder(
        id=po_id,
        po_number=number or str(po_id),
        status=status_label(row.required_int("status")),
        vendor_id=row.required_int("vendorID"),
        general_memo=row.optional_str("generalMemo") or "",
        external_po_number=row.optional_str("externalPONumber"),
        shipping_date=row.optional_datetime("shippingDate"),
        vendor_invoice_number=row.optional_str("vendorInvoiceNumber"),
        additional_vendor_invoice_numbers=row.optional_str("additionalVendorInvoiceNumbers"),
        submitted_at=row.optional_datetime("submitDateTime"),
        items=tuple(sorted(items, key=lambda item: item.id)),
        customer_id=row.optional_int("purchaseForCompanyID"),
        creator_resource_id=row.optional_int("creatorResourceID"),
    )


def patch_body(
    record_id: int, changes: Mapping[str, object], fields: Mapping[str, str]
) -> dict[str, Any]:
    """A PATCH body: ``id`` plus only the given fields, renamed; ``None`` is an explicit null."""
    unknown = sorted(set(changes) - set(fields))
    if unknown:
        allowed = ", ".join(sorted(fields))
        raise ValueError(f"cannot write {', '.join(unknown)}; writable fields are: {allowed}")
    body: dict[str, Any] = {"id": record_id}
    for name, value in changes.items():
        body[fields[name]] = format_datetime(value) if isinstance(value, datetime) else value
    return body
