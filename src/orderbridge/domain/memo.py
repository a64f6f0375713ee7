"""Rendering the managed status block for a PO's general memo and for each item's memo.

Rendering is stable: the same state and history give the same text, and no "now" appears in it.
Dates are YYYY-MM-DD and amounts have two decimals. Lines carry a drop rank so that, when the
4,000-character limit bites, the oldest history lines go first, then tracking links, serial
lists, invoices and shipments (see ``memo_block.fit_block``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal

from orderbridge.domain.carrier_facts import carrier_details
from orderbridge.domain.history import HistoryEntry
from orderbridge.domain.lifecycle import LineState, LineStatus, OrderState, Shipment
from orderbridge.domain.memo_block import (
    BLOCK_END,
    BLOCK_START,
    MEMO_LIMIT,
    MemoLine,
    find_block,
    fit_block,
    outside_text,
    splice_block,
)
from orderbridge.domain.models import Address, Invoice

__all__ = [
    "BLOCK_END",
    "BLOCK_START",
    "MEMO_LIMIT",
    "find_block",
    "fmt_amount",
    "fmt_date",
    "history_order",
    "open_quantity_text",
    "outside_text",
    "render_line_lines",
    "render_memo",
    "render_order_lines",
    "splice_block",
]

_LINE_CAP = 300
_HISTORY, _LINK, _SERIALS, _INVOICE, _SHIPMENT = 50_000, 40_000, 30_000, 20_000, 10_000


def fmt_date(value: date | datetime | None, zone: tzinfo = UTC) -> str:
    """YYYY-MM-DD (a datetime is shown by its calendar date in ``zone``)."""
    if value is None:
        return "unknown"
    if isinstance(value, datetime):
        return value.astimezone(zone).date().isoformat()
    return value.isoformat()


def fmt_amount(value: Decimal | None) -> str:
    """An amount with two decimals."""
    return "n/a" if value is None else f"{value:.2f}"


def _printable(text: str) -> str:
    """Control and format characters (DEL, C1, zero-width ...) become spaces: never sent on."""
    if text.isprintable():
        return text
    return "".join(ch if unicodedata.category(ch) not in ("Cc", "Cf") else " " for ch in text)


def _cap(text: str, limit: int = _LINE_CAP) -> str:
    flat = " ".join(_printable(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3].rstrip() + "..."


def _capped_list(label: str, values: Sequence[str], limit: int = _LINE_CAP) -> str:
    values = [" ".join(_printable(value).split()) for value in values]
    full = label + ", ".join(values)
    if len(full) <= limit:
        return full
    shown: list[str] = []
    for i, value in enumerate(values):
        rest = len(values) - i - 1
        candidate = label + ", ".join([*shown, value]) + f" (+{rest} more)"
        if len(candidate) > limit:
            break
        shown.append(value)
    return _cap(label + ", ".join(shown) + f" (+{len(values) - len(shown)} more)", limit)


def _shipment_text(s: Shipment, *, with_quantity: bool, zone: tzinfo) -> str:
    method = " ".join(p for p in (s.carrier, s.service) if p) or "Carrier unknown"
    parts = [f"- {method} {s.tracking_number or '(no tracking number)'}"]
    if with_quantity and s.quantity is not None:
        parts.append(f"qty {s.quantity}")
    parts.append(f"shipped {fmt_date(s.ship_date, zone)}")
    if s.delivered_on is not None:
        parts.append(f"delivered {fmt_date(s.delivered_on)}")
    if s.refused_on is not None:
        parts.append(f"refused {fmt_date(s.refused_on)}")
    if s.tracking is not None:
        parts.extend(carrier_details(s.tracking))
    return _cap(", ".join(parts))


def _shipment_lines(
    shipments: Sequence[Shipment], *, with_quantity: bool, with_serials: bool, zone: tzinfo
) -> list[MemoLine]:
    if not shipments:
        return []
    lines = [MemoLine("Shipments:", heading_of="shipments")]
    for i, s in enumerate(shipments):
        text = _shipment_text(s, with_quantity=with_quantity, zone=zone)
        lines.append(MemoLine(text, _SHIPMENT + len(shipments) - i, "shipments"))
        if s.tracking_url:
            lines.append(MemoLine(f"  {s.tracking_url}", _LINK + i, "shipments"))
        if with_serials and s.serials:
            text = _capped_list("  Serials: ", list(s.serials))
            lines.append(MemoLine(text, _SERIALS + i, "shipments"))
    return lines


def _invoice_lines(invoices: Sequence[Invoice]) -> list[MemoLine]:
    if not invoices:
        return []
    lines = [MemoLine("Invoices:", heading_of="invoices")]
    for i, inv in enumerate(invoices):
        text = _cap(f"- {inv.number}, {fmt_date(inv.invoice_date)}, {fmt_amount(inv.total)}")
        lines.append(MemoLine(text, _INVOICE + len(invoices) - i, "invoices"))
    return lines


def _address_text(a: Address) -> str:
    city = " ".join(p for p in (a.city, a.state, a.postal_code) if p)
    return ", ".join(p for p in (a.name, a.line1, a.line2, city, a.country) if p)


def history_order(entries: Sequence[HistoryEntry]) -> list[HistoryEntry]:
    """History newest first, each key once (ties broken by key, so the order is stable)."""
    unique = {e.key: e for e in entries}
    return sorted(unique.values(), key=lambda e: (e.at, e.key), reverse=True)


def _history_lines(entries: Sequence[HistoryEntry], count: int, zone: tzinfo) -> list[MemoLine]:
    newest = history_order(entries)[: max(0, count)]
    if not newest:
        return []
    lines = [MemoLine("Recent changes:", heading_of="history")]
    for i, e in enumerate(newest):
        lines.append(
            MemoLine(_cap(f"- {fmt_date(e.at, zone)} {e.summary}"), _HISTORY + i, "history")
        )
    return lines


def render_order_lines(
    state: OrderState,
    history: Sequence[HistoryEntry],
    history_lines: int,
    zone: tzinfo = UTC,
) -> list[MemoLine]:
    """The lines of the PO's status block, before fitting (days of moments in ``zone``)."""
    lines = [MemoLine(f"Status: {state.status.value}")]
    if state.order_numbers:
        lines.append(MemoLine(_capped_list("TD SYNNEX orders: ", list(state.order_numbers))))
    if state.reason:
        lines.append(MemoLine(_cap(f"Reason: {state.reason}")))
    if state.expected_ship_date is not None:
        lines.append(MemoLine(f"Expected ship date: {fmt_date(state.expected_ship_date)}"))
    if state.expected_delivery is not None and state.delivered_on is None:
        lines.append(MemoLine(f"Expected delivery: {fmt_date(state.expected_delivery)}"))
    if state.delivered_on is not None:
        lines.append(MemoLine(f"Delivered: {fmt_date(state.delivered_on)}"))
    lines += _shipment_lines(state.shipments, with_quantity=False, with_serials=False, zone=zone)
    lines += _invoice_lines(state.invoices)
    if state.ship_to is not None and _address_text(state.ship_to):
        lines.append(MemoLine(_cap(f"Ship-to per invoice: {_address_text(state.ship_to)}")))
    return lines + _history_lines(history, history_lines, zone)


def open_quantity_text(line: LineState) -> str:
    """The quantity not yet shipped in words: "4 backordered" or "4 not yet shipped"."""
    # TD SYNNEX has no backorder quantity: the open quantity is only called a backorder when
    # the line is one (a future ETA), so an order still being picked does not read as one.
    open_word = "backordered" if line.status is LineStatus.BACKORDERED else "not yet shipped"
    return f"{line.quantity_backordered} {open_word}"


def render_line_lines(line: LineState, zone: tzinfo = UTC) -> list[MemoLine]:
    """The lines of one item's status block, before fitting (days of moments in ``zone``)."""
    lines = [MemoLine(f"Status: {line.status.value}")]
    if line.part_numbers:
        label = line.mfg_part_number or ""
        if line.sku:
            label = f"{label} (TD SYNNEX SKU {line.sku})".strip()
        lines.append(MemoLine(_cap(f"Part: {label}")))
    lines.append(
        MemoLine(
            f"Quantity: {line.quantity_shipped} shipped of {line.quantity_ordered} ordered, "
            f"{open_quantity_text(line)}"
        )
    )
    if line.delivered_on is not None:
        lines.append(MemoLine(f"Delivered: {fmt_date(line.delivered_on)}"))
    elif line.quantity_backordered and (line.eta or line.estimated_ship_date):
        if line.eta is not None:
            lines.append(MemoLine(f"ETA: {fmt_date(line.eta)}"))
        if line.estimated_ship_date is not None:
            lines.append(MemoLine(f"Expected ship date: {fmt_date(line.estimated_ship_date)}"))
    if line.estimated_delivery is not None and line.delivered_on is None:
        lines.append(MemoLine(f"Expected delivery: {fmt_date(line.estimated_delivery)}"))
    if line.order_numbers:
        lines.append(MemoLine(_capped_list("TD SYNNEX orders: ", list(line.order_numbers))))
    if line.reason:
        lines.append(MemoLine(_cap(f"Reason: {line.reason}")))
    return lines + _shipment_lines(line.shipments, with_quantity=True, with_serials=True, zone=zone)


def render_memo(
    memo: str, lines: Sequence[MemoLine], limit: int = MEMO_LIMIT
) -> tuple[str, str | None]:
    """(new memo, warning): the block fitted and spliced in; user text is never cut.

    When the people's text leaves no room for even a one-line block, the block is removed
    rather than left stale, and a warning says so.
    """
    block = fit_block(memo, lines, limit)
    if block is None:
        warning = (
            f"the memo's own text leaves no room within {limit:,} characters for the "
            "TD SYNNEX status block; the block was left out"
        )
        return splice_block(memo, None), warning
    return splice_block(memo, block), None
