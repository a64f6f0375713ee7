"""Plan/diff: the Autotask field values an ``OrderState`` calls for, minus what Autotask holds now.

Only fields that differ are planned: dates compare by UTC calendar date, and None and "" are the
same string. Applying a plan and planning again (with the plan's history recorded) gives an empty
plan; that is what makes a crashed run safe to repeat.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time
from decimal import Decimal

from orderbridge.domain.changes import detect_changes
from orderbridge.domain.events import OrderEvent
from orderbridge.domain.history import HistoryEntry
from orderbridge.domain.lifecycle import LineState, OrderState
from orderbridge.domain.memo import MEMO_LIMIT, render_line_lines, render_memo, render_order_lines
from orderbridge.domain.models import PurchaseOrder, PurchaseOrderItem
from orderbridge.domain.state_json import as_utc

__all__ = ["Plan", "PlanOptions", "apply_plan", "plan_updates"]

VENDOR_INVOICE_LIMIT = 50
ADDITIONAL_INVOICES_LIMIT = 8000
_PO_FIELDS = frozenset(f.name for f in fields(PurchaseOrder))
_ITEM_FIELDS = frozenset(f.name for f in fields(PurchaseOrderItem))


@dataclass(frozen=True, slots=True)
class PlanOptions:
    """Which Autotask fields orderbridge writes (the field mapping), and memo settings."""

    write_general_memo: bool = True
    write_shipping_date: bool = True
    write_invoice_numbers: bool = True
    write_additional_invoice_numbers: bool = True
    write_item_eta: bool = True
    write_item_memo: bool = True
    write_freight: bool = False  # records (issue 13): invoice freight into the PO's freight
    history_lines_in_memo: int = 10
    memo_limit: int = MEMO_LIMIT


@dataclass(slots=True)
class Plan:
    """What to write to one PO and its items, what to record, and what to tell people."""

    po_number: str
    po_changes: dict[str, object] = field(default_factory=dict)
    item_changes: dict[int, dict[str, object]] = field(default_factory=dict)
    history: list[HistoryEntry] = field(default_factory=list)
    events: list[OrderEvent] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to write, record or send."""
        return not (self.po_changes or self.item_changes or self.history or self.events)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _same_day(current: datetime | None, wanted: date) -> bool:
    return current is not None and as_utc(current).date() == wanted


def _same_text(current: str | None, wanted: str | None) -> bool:
    return (current or "") == (wanted or "")


def _shipping_date(state: OrderState) -> date | None:
    if state.expected_ship_date is not None:
        return state.expected_ship_date
    dates = [s.ship_date for s in state.shipments if s.ship_date is not None]
    return as_utc(max(dates)).date() if dates else None


def _invoice_numbers(state: OrderState, plan: Plan) -> tuple[str | None, str | None]:
    numbers = [i.number.strip() for i in state.invoices if i.number.strip()]
    fitting = [n for n in numbers if len(n) <= VENDOR_INVOICE_LIMIT]
    if not fitting:
        if numbers:
            plan.warnings.append("no TD SYNNEX invoice number fits vendorInvoiceNumber (50 chars)")
        return None, None
    first, rest = fitting[0], [n for n in numbers if n != fitting[0]]
    kept: list[str] = []
    for number in rest:
        if len(", ".join([*kept, number])) > ADDITIONAL_INVOICES_LIMIT:
            plan.warnings.append(
                f"{len(rest) - len(kept)} invoice numbers do not fit "
                "additionalVendorInvoiceNumbers (8,000 chars)"
            )
            break
        kept.append(number)
    return first, ", ".join(kept)


def _plan_po(
    po: PurchaseOrder,
    state: OrderState,
    history: Sequence[HistoryEntry],
    options: PlanOptions,
    plan: Plan,
) -> None:
    if options.write_general_memo:
        lines = render_order_lines(state, history, options.history_lines_in_memo)
        memo, warning = render_memo(po.general_memo, lines, options.memo_limit)
        if warning:
            plan.warnings.append(f"PO general memo: {warning}")
        if memo != po.general_memo:
            plan.po_changes["general_memo"] = memo
    ship = _shipping_date(state) if options.write_shipping_date else None
    if ship is not None and not _same_day(po.shipping_date, ship):
        plan.po_changes["shipping_date"] = _midnight(ship)
    if options.write_freight:
        _plan_freight(po, state, plan)
    if not options.write_invoice_numbers:
        return
    first, additional = _invoice_numbers(state, plan)
    if first is None:
        return
    if not _same_text(po.vendor_invoice_number, first):
        plan.po_changes["vendor_invoice_number"] = first
    wanted_additional = additional or None
    if options.write_additional_invoice_numbers and not _same_text(
        po.additional_vendor_invoice_numbers, wanted_additional
    ):
        plan.po_changes["additional_vendor_invoice_numbers"] = additional or ""


def _plan_freight(po: PurchaseOrder, state: OrderState, plan: Plan) -> None:
    """The PO's freight cost: the freight of every TD SYNNEX invoice, once any reports it."""
    amounts = [i.freight for i in state.invoices if i.freight is not None]
    if not amounts:
        return
    total = sum(amounts, Decimal(0))
    if po.freight is None or po.freight != total:
        plan.po_changes["freight"] = total


def _item_eta(line: LineState) -> date | None:
    return line.delivered_on or line.estimated_delivery or line.eta


def _plan_items(po: PurchaseOrder, state: OrderState, options: PlanOptions, plan: Plan) -> None:
    items = {item.id: item for item in po.items}
    for line in state.lines:
        item = items.get(line.item_id) if line.item_id is not None else None
        if item is None:
            continue
        changes: dict[str, object] = {}
        eta = _item_eta(line) if options.write_item_eta else None
        if eta is not None and not _same_day(item.estimated_arrival, eta):
            changes["estimated_arrival"] = _midnight(eta)
        if options.write_item_memo:
            memo, warning = render_memo(item.memo, render_line_lines(line), options.memo_limit)
            if warning:
                plan.warnings.append(f"item {item.id} memo: {warning}")
            if memo != item.memo:
                changes["memo"] = memo
        if changes:
            plan.item_changes[item.id] = changes


def plan_updates(
    po: PurchaseOrder,
    state: OrderState,
    recent_history: Sequence[HistoryEntry],
    previous: OrderState | None,
    *,
    now: datetime,
    options: PlanOptions | None = None,
) -> Plan:
    """The writes, history entries and events that bring ``po`` in line with ``state``."""
    opts = options or PlanOptions()
    plan = Plan(po_number=state.po_number, warnings=list(state.warnings))
    recorded = {entry.key for entry in recent_history}
    for entry, events in detect_changes(state, previous, as_utc(now)):
        if entry.key in recorded:
            continue
        recorded.add(entry.key)
        plan.history.append(entry)
        plan.events.extend(events)
    _plan_po(po, state, [*recent_history, *plan.history], opts, plan)
    _plan_items(po, state, opts, plan)
    return plan


def apply_plan(po: PurchaseOrder, plan: Plan) -> PurchaseOrder:
    """The PO as it will read after the plan's writes (for dry runs and tests)."""
    unknown = set(plan.po_changes) - _PO_FIELDS
    if unknown:
        raise ValueError(f"not PurchaseOrder fields: {sorted(unknown)}")
    items = []
    for item in po.items:
        changes = plan.item_changes.get(item.id, {})
        bad = set(changes) - _ITEM_FIELDS
        if bad:
            raise ValueError(f"not PurchaseOrderItem fields: {sorted(bad)}")
        items.append(replace(item, **changes))  # type: ignore[arg-type]
    return replace(po, **plan.po_changes, items=tuple(items))  # type: ignore[arg-type]
