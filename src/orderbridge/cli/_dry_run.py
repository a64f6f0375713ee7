"""What ``sync --once --dry-run`` prints: one line per changed Autotask field per PO.

A memo is a block of many lines and tracking links are long, so a changed memo is summarised by
what changed in it ("Status: Processing → Shipped; + Tracking: 1Z…") rather than printed whole;
``--verbose`` prints the full planned values instead.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orderbridge.application.sync import OrderResult

__all__ = ["field_changes", "text_change"]

_PO_FIELDS = {
    "general_memo": "memo",
    "shipping_date": "ship date",
    "vendor_invoice_number": "invoice number",
    "additional_vendor_invoice_numbers": "more invoice numbers",
}
_ITEM_FIELDS = {"estimated_arrival": "ETA", "memo": "memo"}
PIECE_WIDTH = 48
MOST_PIECES = 3


def field_changes(result: OrderResult) -> Iterator[str]:
    """``field: old → new`` for every field the plan changes (old values from the PO as read)."""
    plan, po = result.plan, result.purchase_order
    if plan is None:
        return
    for name, new in sorted(plan.po_changes.items()):
        old = getattr(po, name, None) if po is not None else None
        yield f"{_PO_FIELDS.get(name, name)}: {_change(old, new)}"
    items = {item.id: item for item in po.items} if po is not None else {}
    for item_id, changes in sorted(plan.item_changes.items()):
        item = items.get(item_id)
        label = f"item {item_id}"
        if item is not None and item.part_numbers:
            label += f" ({sorted(item.part_numbers)[0]})"
        for name, new in sorted(changes.items()):
            old = getattr(item, name, None) if item is not None else None
            yield f"{label} {_ITEM_FIELDS.get(name, name)}: {_change(old, new)}"


def _change(old: Any, new: Any) -> str:
    if isinstance(old, str | None) and isinstance(new, str) and _is_long(old or "", new):
        return text_change(old or "", new)
    return f"{_short(old)} → {_short(new)}"


def _is_long(old: str, new: str) -> bool:
    return any("\n" in t or len(t) > PIECE_WIDTH for t in (old, new))


def _short(value: Any) -> str:
    if value in (None, ""):
        return "(empty)"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return _clip(str(value))


def _clip(text: str, width: int = PIECE_WIDTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else f"{text[: width - 1]}…"


def _block_lines(text: str) -> list[str]:
    """The meaningful lines of a memo: stripped, without blanks and the block's marker lines."""
    return [line.strip() for line in text.splitlines() if line.strip() and not _is_marker(line)]


def _is_marker(line: str) -> bool:
    return line.strip().startswith("===")


def text_change(old: str, new: str) -> str:
    """A long text's change in one line: the lines that changed, paired by their label."""
    before, after = _block_lines(old), _block_lines(new)
    if not before:
        first = f": {_clip(after[0])}" if after else ""
        return f"new, {len(after)} lines{first}"
    if not after:
        return f"{len(before)} lines → (empty)"
    pieces: list[str] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            pieces.extend(_paired(before[i1:i2], after[j1:j2]))
    pieces = [p for p in pieces if not p.endswith(":")]  # a bare heading ("+ Shipments:")
    if not pieces:
        return "whitespace only"
    shown = "; ".join(pieces[:MOST_PIECES])
    more = len(pieces) - MOST_PIECES
    return f"{shown}; (+{more} more)" if more > 0 else shown


def _label(line: str) -> str:
    label, colon, value = line.partition(":")
    return label if colon and value.strip() else line


def _paired(removed: list[str], added: list[str]) -> list[str]:
    """``Label: old → new`` for a label on both sides, else ``- line`` and ``+ line``."""
    old_by_label = {_label(line): line for line in removed}
    pieces = []
    for line in added:
        label = _label(line)
        gone = old_by_label.pop(label, None)
        if gone is None or label == line:
            pieces.append(f"+ {_clip(line)}")
        else:
            old_value, new_value = gone.partition(":")[2].strip(), line.partition(":")[2].strip()
            pieces.append(f"{label}: {_clip(old_value, 24)} → {_clip(new_value, 32)}")
    pieces.extend(f"- {_clip(line)}" for line in old_by_label.values())
    return pieces
