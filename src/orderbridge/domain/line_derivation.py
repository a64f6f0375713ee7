"""Per-line derivation: TD SYNNEX items (split parts of one PO line added up) to ``LineState``.

A PO line may come back as several items with the same ``lineNumber`` (one per sales order or
warehouse). Their quantities add up; ``deleted`` and ``rejected`` parts do not count as open.
"Future ETA" means an ETA date strictly after the UTC calendar date of the observation: an ETA of
today or earlier is overdue, not a backorder.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from orderbridge.domain.carriers import CarrierCatalog
from orderbridge.domain.lifecycle import LineState, LineStatus, Shipment
from orderbridge.domain.models import DistributorCode, DistributorLine
from orderbridge.domain.state_json import as_utc

__all__ = ["LineContext", "as_position", "derive_line", "group_lines", "tracking_key"]

_GONE = (DistributorCode.DELETED, DistributorCode.REJECTED)
_SHIPPED_CODES = (DistributorCode.SHIPPED, DistributorCode.INVOICED)
FULLY_SHIPPED = (LineStatus.SHIPPED, LineStatus.INVOICED, LineStatus.DELIVERED, LineStatus.CLOSED)
DELIVERED = (LineStatus.DELIVERED, LineStatus.CLOSED)


@dataclass(frozen=True, slots=True)
class LineContext:
    """What every line's derivation needs besides its own parts."""

    carriers: CarrierCatalog
    today: date
    order_cancelled: bool
    order_invoiced: bool
    delivered_by_tracking: Mapping[str, date]
    # Ship dates remembered per tracking number: a later answer with an unreadable or
    # placeholder date must not erase a date already known.
    shipped_by_tracking: Mapping[str, datetime] = field(default_factory=dict)


def tracking_key(number: str | None) -> str:
    """A tracking number compared without spaces or case."""
    return "".join((number or "").split()).upper()


def _group_key(line: DistributorLine, index: int) -> str:
    for prefix, value in (
        ("line", line.line_number),
        ("custline", line.cust_po_line),
        ("part", line.mfg_part_number),
        ("sku", line.sku),
    ):
        cleaned = " ".join((value or "").split())
        if cleaned:
            return f"{prefix}:{cleaned}"
    return f"row:{index + 1}"


def _part_order(line: DistributorLine) -> tuple[str, str, str, int, int]:
    return (
        line.order_number or "",
        line.warehouse or "",
        line.code.value,
        line.quantity_ordered,
        line.quantity_shipped,
    )


def group_lines(lines: Sequence[DistributorLine]) -> list[tuple[str, list[DistributorLine]]]:
    """Exact duplicates dropped, split parts grouped per PO line, in line-number order."""
    groups: dict[str, list[DistributorLine]] = {}
    for index, line in enumerate(dict.fromkeys(lines)):
        groups.setdefault(_group_key(line, index), []).append(line)
    ordered = sorted(groups.items(), key=lambda kv: _line_sort(kv[0]))
    return [(key, sorted(parts, key=_part_order)) for key, parts in ordered]


def _line_sort(key: str) -> tuple[int, int, str]:
    prefix, _, rest = key.partition(":")
    number = as_position(rest) if prefix == "line" else None
    if number is not None:
        return (0, number, key)
    return (1, 0, key)


def _shipped_quantity(part: DistributorLine) -> int:
    shipped = max(0, part.quantity_shipped)
    if shipped == 0 and part.code in _SHIPPED_CODES:
        # TD SYNNEX says shipped but gives no quantity: take the whole part as shipped.
        return max(0, part.quantity_ordered)
    return shipped


def _shipments(part: DistributorLine, ctx: LineContext, shipped: int) -> list[Shipment]:
    ship_date = as_utc(part.ship_date) if part.ship_date is not None else None
    packages = part.packages
    if not packages:
        if shipped <= 0:
            return []
        carrier, service = ctx.carriers.carrier_for(
            part.ship_method, part.ship_method_description, None
        )
        return [
            Shipment(
                carrier=carrier,
                service=service,
                ship_date=ship_date,
                quantity=shipped,
                order_number=part.order_number,
                warehouse=part.warehouse,
            )
        ]
    result = []
    for package in packages:
        number = " ".join((package.tracking_number or "").split()) or None
        carrier, service = ctx.carriers.carrier_for(
            part.ship_method, part.ship_method_description, number
        )
        quantity = package.quantity
        if quantity is None and len(packages) == 1:
            quantity = shipped
        key = tracking_key(number)
        delivered = package.delivered_on or ctx.delivered_by_tracking.get(key)
        shipped_on = ship_date or (ctx.shipped_by_tracking.get(key) if number else None)
        result.append(
            Shipment(
                carrier=carrier,
                service=service,
                tracking_number=number,
                tracking_url=ctx.carriers.tracking_url(carrier, number),
                ship_date=shipped_on,
                weight=package.weight,
                serials=tuple(package.serials),
                quantity=quantity,
                order_number=part.order_number,
                warehouse=part.warehouse,
                delivered_on=delivered,
                refused_on=package.refused_on,
            )
        )
    return result


def _latest(values: Sequence[date | None]) -> date | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _unshipped_status(open_parts: Sequence[DistributorLine], ctx: LineContext) -> LineStatus:
    if any(ctx.carriers.is_hold(p.ship_method, p.ship_method_description) for p in open_parts):
        return LineStatus.ON_HOLD
    if any(p.eta is not None and p.eta > ctx.today for p in open_parts):
        return LineStatus.BACKORDERED
    if any((p.warehouse or "").strip() or p.estimated_ship_date for p in open_parts):
        return LineStatus.PROCESSING
    return LineStatus.RECEIVED


def _status(
    active: Sequence[DistributorLine],
    ordered: int,
    shipped: int,
    shipments: Sequence[Shipment],
    ctx: LineContext,
) -> LineStatus:
    fully = (ordered > 0 and shipped >= ordered) or (
        ordered == 0 and all(p.code in _SHIPPED_CODES for p in active)
    )
    if not fully:
        if shipped > 0:
            return LineStatus.PARTIALLY_SHIPPED
        return _unshipped_status(active, ctx)
    delivered = bool(shipments) and all(s.delivered_on is not None for s in shipments)
    invoiced = ctx.order_invoiced or all(p.code is DistributorCode.INVOICED for p in active)
    if delivered:
        return LineStatus.CLOSED if invoiced else LineStatus.DELIVERED
    return LineStatus.INVOICED if invoiced else LineStatus.SHIPPED


def derive_line(key: str, parts: Sequence[DistributorLine], ctx: LineContext) -> LineState:
    """One ``LineState`` from the parts of one PO line."""
    first = parts[0]
    active = [] if ctx.order_cancelled else [p for p in parts if p.code not in _GONE]
    base = LineState(
        key=key,
        status=LineStatus.CANCELLED,
        position=as_position(first.line_number),
        line_number=first.line_number,
        cust_po_line=next((p.cust_po_line for p in parts if p.cust_po_line), None),
        mfg_part_number=next((p.mfg_part_number for p in parts if p.mfg_part_number), None),
        sku=next((p.sku for p in parts if p.sku), None),
        description=next((p.description for p in parts if p.description), None),
        order_numbers=tuple(sorted({p.order_number for p in parts if p.order_number})),
        reason=next((p.reason for p in parts if p.reason), None),
    )
    if not active:
        rejected = all(p.code is DistributorCode.REJECTED for p in parts)
        total = sum(max(0, p.quantity_ordered) for p in parts)
        status = LineStatus.REJECTED if rejected and not ctx.order_cancelled else base.status
        return replace(base, status=status, quantity_ordered=total)
    shipped_by_part = [_shipped_quantity(p) for p in active]
    ordered = sum(max(0, p.quantity_ordered) for p in active)
    shipped = sum(shipped_by_part)
    shipments = [
        s for p, q in zip(active, shipped_by_part, strict=True) for s in _shipments(p, ctx, q)
    ]
    open_parts = [p for p, q in zip(active, shipped_by_part, strict=True) if q < p.quantity_ordered]
    status = _status(active, ordered, shipped, shipments, ctx)
    delivered_on = _latest([s.delivered_on for s in shipments]) if status in DELIVERED else None
    return replace(
        base,
        status=status,
        quantity_ordered=ordered,
        quantity_shipped=shipped,
        quantity_backordered=max(0, ordered - shipped),
        eta=_latest([p.eta for p in open_parts]),
        estimated_ship_date=_latest([p.estimated_ship_date for p in open_parts]),
        estimated_delivery=_latest([p.estimated_delivery_date for p in active]),
        shipments=tuple(shipments),
        delivered_on=delivered_on,
    )


def as_position(text: str | None) -> int | None:
    """A line number as a whole number (ASCII digits only, sensibly sized), else None."""
    cleaned = (text or "").strip()
    if cleaned.isascii() and cleaned.isdigit() and len(cleaned) < 10:
        return int(cleaned)
    return None
