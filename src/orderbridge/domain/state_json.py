"""JSON forms of the domain's value types, shared by ``OrderState.to_json``/``from_json``.

Dates and datetimes are ISO 8601 strings, money is a decimal string (exact round-trip), and
``None`` stays ``None``, so ``load_x(dump_x(v)) == v`` for every value.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from orderbridge.domain.models import Address, Invoice

__all__ = [
    "as_utc",
    "dump_address",
    "dump_date",
    "dump_datetime",
    "dump_decimal",
    "dump_invoice",
    "load_address",
    "load_date",
    "load_datetime",
    "load_decimal",
    "load_invoice",
]

_ADDRESS_FIELDS = ("name", "line1", "line2", "city", "state", "postal_code", "country")


def as_utc(value: datetime) -> datetime:
    """The same instant as an aware UTC datetime; a naive value is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def dump_datetime(value: datetime | None) -> str | None:
    """ISO text of an aware datetime, or None."""
    return None if value is None else value.isoformat()


def load_datetime(text: str | None) -> datetime | None:
    """Read ``dump_datetime`` output."""
    return None if text is None else datetime.fromisoformat(text)


def dump_date(value: date | None) -> str | None:
    """YYYY-MM-DD, or None."""
    return None if value is None else value.isoformat()


def load_date(text: str | None) -> date | None:
    """Read ``dump_date`` output."""
    return None if text is None else date.fromisoformat(text)


def dump_decimal(value: Decimal | None) -> str | None:
    """The exact decimal text, or None."""
    return None if value is None else str(value)


def load_decimal(text: str | None) -> Decimal | None:
    """Read ``dump_decimal`` output."""
    return None if text is None else Decimal(text)


def dump_address(value: Address | None) -> dict[str, Any] | None:
    """An address as a dict of its fields, or None."""
    if value is None:
        return None
    return {name: getattr(value, name) for name in _ADDRESS_FIELDS}


def load_address(data: dict[str, Any] | None) -> Address | None:
    """Read ``dump_address`` output."""
    if data is None:
        return None
    return Address(**{name: data.get(name) for name in _ADDRESS_FIELDS})


def dump_invoice(value: Invoice) -> dict[str, Any]:
    """An invoice as JSON-able values (``manufacturers`` only when known, so older states keep
    their fingerprints)."""
    data = {
        "number": value.number,
        "invoice_date": dump_date(value.invoice_date),
        "total": dump_decimal(value.total),
        "freight": dump_decimal(value.freight),
        "tax": dump_decimal(value.tax),
        "order_number": value.order_number,
        "tracking_numbers": list(value.tracking_numbers),
        "ship_to": dump_address(value.ship_to),
    }
    if value.manufacturers:
        data["manufacturers"] = list(value.manufacturers)
    return data


def load_invoice(data: dict[str, Any]) -> Invoice:
    """Read ``dump_invoice`` output."""
    return Invoice(
        number=data["number"],
        invoice_date=load_date(data.get("invoice_date")),
        total=load_decimal(data.get("total")),
        freight=load_decimal(data.get("freight")),
        tax=load_decimal(data.get("tax")),
        order_number=data.get("order_number"),
        tracking_numbers=tuple(data.get("tracking_numbers") or ()),
        ship_to=load_address(data.get("ship_to")),
        manufacturers=tuple(data.get("manufacturers") or ()),
    )
