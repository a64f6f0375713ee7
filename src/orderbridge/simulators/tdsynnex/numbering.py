"""Deterministic identifiers derived from the PO number, so reloading gives the same data."""

from __future__ import annotations

import hashlib
from decimal import Decimal

__all__ = [
    "digest",
    "invoice_number",
    "rejected_order_number",
    "sales_order_number",
    "serial_number",
    "tracking_number",
    "weight",
]


def digest(*parts: object) -> int:
    """A stable 64-bit number from ``parts`` (unlike ``hash``, it is the same in every process)."""
    text = "\x1f".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def sales_order_number(po_number: str, index: int = 0) -> str:
    """The TD SYNNEX sales-order number of the PO's ``index``-th sales order (8 digits)."""
    return str(60_000_000 + digest("so", po_number) % 9_000_000 + index)


def rejected_order_number(po_number: str) -> str:
    """The order number a rejected PO carries (the real sample has 19236858)."""
    return str(19_000_000 + digest("rej", po_number) % 900_000)


def tracking_number(po_number: str, row: int, package: int, ship_method: str) -> str:
    """A carrier-shaped tracking number: 1Z... for UPS, 12 digits for FedEx, 10 for others."""
    n = digest("trk", po_number, row, package)
    if ship_method.startswith("UP"):
        return f"1Z{n % 10**6:06d}{n // 10**6 % 10**10:010d}"
    if ship_method.startswith("F"):
        return f"{n % 10**12:012d}"
    return f"{n % 10**10:010d}"


def serial_number(po_number: str, line: int, unit: int) -> str:
    """The serial number of one unit of a serialized line."""
    n = digest("sn", po_number, line, unit)
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    return f"{letters[n % 23]}{letters[n // 23 % 23]}{n // 529 % 10**8:08d}"


def invoice_number(po_number: str, index: int) -> str:
    """The number of the PO's ``index``-th invoice (9 digits)."""
    return str(100_000_000 + digest("inv", po_number) % 800_000_000 + index)


def weight(po_number: str, row: int, package: int, units: int) -> Decimal:
    """A plausible carton weight in pounds for ``units`` units."""
    per_unit = Decimal(150 + digest("wt", po_number, row, package) % 1200) / 100
    return (per_unit * units).quantize(Decimal("0.01"))
