"""Matching TD SYNNEX lines to Autotask purchase-order items.

Three passes, each item claimed at most once, lines taken in order:

1. ``CustPOLineNo``: TD SYNNEX echoes the reseller's PO line number. It is read as a position in
   the PO (items ordered by id are positions 1..n) and, when it is no valid position, as an item id.
2. ``lineNumber`` as a position in the PO.
3. Part number: the line's MfgPN or SKU against the item's ``part_numbers``, ignoring case and
   spaces; among several candidates the lowest item id wins.

A candidate from pass 1 or 2 is only trusted when the part numbers do not contradict it: when both
the line and the item carry part numbers and none of them is shared, the candidate is refused (and
a warning says so) and the line falls through to matching by part number. If either side has no
part numbers there is nothing to contradict, and the position stands. Unmatched lines become
warnings, never failures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from orderbridge.domain.models import PurchaseOrderItem

__all__ = ["LineIdentity", "LineMatch", "MatchMethod", "match_lines", "normalise_part_number"]


class MatchMethod(StrEnum):
    """How a line was tied to an item."""

    CUST_PO_LINE = "cust_po_line"
    POSITION = "position"
    PART_NUMBER = "part_number"


@dataclass(frozen=True, slots=True)
class LineIdentity:
    """What identifies one (split-merged) TD SYNNEX line for matching."""

    key: str
    line_number: str | None = None
    cust_po_line: str | None = None
    part_numbers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LineMatch:
    """The outcome of matching: item id and method per line key, plus warnings."""

    item_ids: dict[str, int] = field(default_factory=dict)
    methods: dict[str, MatchMethod] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def normalise_part_number(text: str) -> str:
    """A part number compared without regard to case or spaces."""
    return "".join(text.split()).casefold()


def _as_int(text: str | None) -> int | None:
    cleaned = (text or "").strip()
    if cleaned.isascii() and cleaned.isdigit() and len(cleaned) < 19:
        return int(cleaned)
    return None


def _contradicts(line: LineIdentity, item: PurchaseOrderItem) -> bool:
    ours = {normalise_part_number(p) for p in line.part_numbers if p.strip()}
    theirs = {normalise_part_number(p) for p in item.part_numbers if p.strip()}
    return bool(ours) and bool(theirs) and ours.isdisjoint(theirs)


def _label(line: LineIdentity) -> str:
    parts = ", ".join(line.part_numbers) or "no part number"
    return f"TD SYNNEX line {line.line_number or '?'} ({parts})"


class _Matcher:
    """One matching run; holds the claimed items while the passes run."""

    def __init__(self, items: Sequence[PurchaseOrderItem]) -> None:
        self.by_position = sorted(items, key=lambda i: i.id)
        self.by_id = {i.id: i for i in self.by_position}
        self.claimed: set[int] = set()
        self.item_ids: dict[str, int] = {}
        self.methods: dict[str, MatchMethod] = {}
        self.warnings: list[str] = []

    def at_position(self, number: int | None) -> PurchaseOrderItem | None:
        """The item at a 1-based position in the PO, if there is one."""
        if number is None or not 1 <= number <= len(self.by_position):
            return None
        return self.by_position[number - 1]

    def claim(self, line: LineIdentity, item: PurchaseOrderItem | None, how: MatchMethod) -> None:
        """Tie the line to the item unless either is taken or the part numbers disagree."""
        if item is None or item.id in self.claimed or line.key in self.item_ids:
            return
        if _contradicts(line, item):
            self.warnings.append(
                f"{_label(line)}: {how.value} points at Autotask item {item.id}, "
                "but the part numbers differ; matching by part number instead"
            )
            return
        self.claimed.add(item.id)
        self.item_ids[line.key] = item.id
        self.methods[line.key] = how

    def by_part_number(self, line: LineIdentity) -> PurchaseOrderItem | None:
        """The unclaimed item with the lowest id sharing a part number with the line."""
        wanted = {normalise_part_number(p) for p in line.part_numbers if p.strip()}
        for item in self.by_position:
            if item.id in self.claimed:
                continue
            if wanted & {normalise_part_number(p) for p in item.part_numbers}:
                return item
        return None


def match_lines(lines: Sequence[LineIdentity], items: Sequence[PurchaseOrderItem]) -> LineMatch:
    """Tie each TD SYNNEX line to at most one Autotask item, deterministically."""
    m = _Matcher(items)
    for line in lines:
        if line.cust_po_line is None:
            continue
        number = _as_int(line.cust_po_line)
        item = m.at_position(number)
        if item is None and number is not None:
            item = m.by_id.get(number)
        m.claim(line, item, MatchMethod.CUST_PO_LINE)
    for line in lines:
        if line.key not in m.item_ids:
            m.claim(line, m.at_position(_as_int(line.line_number)), MatchMethod.POSITION)
    for line in lines:
        if line.key not in m.item_ids:
            m.claim(line, m.by_part_number(line), MatchMethod.PART_NUMBER)
    for line in lines:
        if line.key not in m.item_ids:
            m.warnings.append(f"{_label(line)} matches no Autotask item")
    return LineMatch(item_ids=m.item_ids, methods=m.methods, warnings=tuple(m.warnings))
