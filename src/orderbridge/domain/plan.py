"""Plan/diff: the Autotask field values an ``OrderState`` calls for, minus what Autotask holds now.

Only fields that differ are planned: dates compare by UTC calendar date, and None and "" are the
same string. Applying a plan and planning again (with the plan's history recorded) gives an empty
plan; that is what makes a crashed run safe to repeat.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, tzinfo
from typing import TypedDict

from orderbridge.domain.changes import detect_changes
from orderbridge.domain.events import OrderEvent
from orderbridge.domain.history import HistoryEntry
from orderbridge.domain.lifecycle import LineState, OrderState
from orderbridge.domain.memo import MEMO_LIMIT, render_line_lines, render_memo, render_order_lines
from orderbridge.domain.models import PurchaseOrder
from orderbridge.domain.state_json import as_utc
from orderbridge.domain.writes import (
    NotSticking,
    WriteCheck,
    same_day,
    same_text,
)

__all__ = [
    "ItemChanges",
    "Plan",
    "PlanOptions",
    "PurchaseOrderChanges",
    "apply_plan",
    "items_writable",
    "plan_updates",
]

# Autotask's rule (reference §4): items of a Received Full or Canceled PO cannot be updated.
ITEM_WRITABLE_STATUSES = frozenset({"new", "submitted", "received partial"})
VENDOR_INVOICE_LIMIT = 50
ADDITIONAL_INVOICES_LIMIT = 8000


class PurchaseOrderChanges(TypedDict, total=False):
    """The PurchaseOrder fields orderbridge writes, by their domain names."""

    general_memo: str
    shipping_date: datetime
    vendor_invoice_number: str
    additional_vendor_invoice_numbers: str


class ItemChanges(TypedDict, total=False):
    """The PurchaseOrderItem fields orderbridge writes, by their domain names."""

    estimated_arrival: datetime
    memo: str


@dataclass(frozen=True, slots=True)
class PlanOptions:
    """Which Autotask fields orderbridge writes (the field mapping), and memo settings."""

    write_general_memo: bool = True
    write_shipping_date: bool = True
    write_invoice_numbers: bool = True
    write_additional_invoice_numbers: bool = True
    write_item_eta: bool = True
    write_item_memo: bool = True
    history_lines_in_memo: int = 10
    memo_limit: int = MEMO_LIMIT
    # Autotask accepts PurchaseOrderItems updates only while the PO has one of these statuses.
    item_writable_statuses: frozenset[str] = ITEM_WRITABLE_STATUSES
    # The calendar day of a TD SYNNEX moment (a ship time) is the day where TD SYNNEX ships:
    # 22:30 Pacific is that day, not the next one (``[tdsynnex] timezone``).
    distributor_zone: tzinfo = UTC
    # The zone the tenant keeps date-only values in: a day reading back as itself there counts.
    tenant_zone: tzinfo = UTC


@dataclass(slots=True)
class Plan:
    """What to write to one PO and its items, what to record, and what to tell people."""

    po_number: str
    po_changes: PurchaseOrderChanges = field(default_factory=lambda: PurchaseOrderChanges())
    item_changes: dict[int, ItemChanges] = field(default_factory=dict)
    history: list[HistoryEntry] = field(default_factory=list)
    events: list[OrderEvent] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # What this plan writes (field key -> digest), and fields found not to keep what was written.
    written: dict[str, str] = field(default_factory=dict)
    not_sticking: list[NotSticking] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to write, record or send."""
        return not (self.po_changes or self.item_changes or self.history or self.events)


def _noon(day: date) -> datetime:
    """A calendar day as 12:00 UTC: the same day in every zone from UTC-11 to UTC+11.

    A tenant that keeps date-only values in its own zone (UNCONFIRMED for Autotask) then stores
    the day that was meant, where midnight UTC would become the day before west of Greenwich.
    """
    return datetime.combine(day, time(12), tzinfo=UTC)


def _shipping_date(state: OrderState, zone: tzinfo) -> date | None:
    if state.expected_ship_date is not None:
        return state.expected_ship_date
    dates = [s.ship_date for s in state.shipments if s.ship_date is not None]
    return as_utc(max(dates)).astimezone(zone).date() if dates else None


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


def _po_write(check: WriteCheck, name: str, wanted: object, current: object) -> bool:
    return check.allow(f"PurchaseOrder.{name}", "the PO", f"po.{name}", wanted, current)


def _plan_po(
    po: PurchaseOrder,
    state: OrderState,
    history: Sequence[HistoryEntry],
    options: PlanOptions,
    plan: Plan,
    check: WriteCheck,
) -> None:
    changes = plan.po_changes
    if options.write_general_memo:
        lines = render_order_lines(
            state, history, options.history_lines_in_memo, options.distributor_zone
        )
        memo, warning = render_memo(po.general_memo, lines, options.memo_limit)
        if warning:
            plan.warnings.append(f"PO general memo: {warning}")
        if not same_text(po.general_memo, memo) and _po_write(
            check, "general_memo", memo, po.general_memo
        ):
            changes["general_memo"] = memo
    ship = _shipping_date(state, options.distributor_zone) if options.write_shipping_date else None
    if (
        ship is not None
        and not same_day(po.shipping_date, ship, options.tenant_zone)
        and _po_write(check, "shipping_date", _noon(ship), po.shipping_date)
    ):
        changes["shipping_date"] = _noon(ship)
    if not options.write_invoice_numbers:
        return
    first, additional = _invoice_numbers(state, plan)
    if first is None:
        return
    current = po.vendor_invoice_number
    if not same_text(current, first) and _po_write(check, "vendor_invoice_number", first, current):
        changes["vendor_invoice_number"] = first
    current = po.additional_vendor_invoice_numbers
    if (
        options.write_additional_invoice_numbers
        and not same_text(current, additional)
        and _po_write(check, "additional_vendor_invoice_numbers", additional or "", current)
    ):
        changes["additional_vendor_invoice_numbers"] = additional or ""


def _item_eta(line: LineState) -> date | None:
    return line.delivered_on or line.estimated_delivery or line.eta


def items_writable(po: PurchaseOrder, options: PlanOptions) -> bool:
    """Whether Autotask lets the PO's items be written in the PO's current status."""
    return " ".join(po.status.split()).lower() in options.item_writable_statuses


def _item_write(
    check: WriteCheck, item_id: int, name: str, wanted: object, current: object
) -> bool:
    field_name, record = f"PurchaseOrderItem.{name}", f"item {item_id}"
    return check.allow(field_name, record, f"item:{item_id}.{name}", wanted, current)


def _plan_items(
    po: PurchaseOrder, state: OrderState, options: PlanOptions, plan: Plan, check: WriteCheck
) -> None:
    if not items_writable(po, options):
        return
    items = {item.id: item for item in po.items}
    for line in state.lines:
        item = items.get(line.item_id) if line.item_id is not None else None
        if item is None:
            continue
        changes = ItemChanges()
        eta = _item_eta(line) if options.write_item_eta else None
        current_eta = item.estimated_arrival
        if (
            eta is not None
            and not same_day(current_eta, eta, options.tenant_zone)
            and _item_write(check, item.id, "estimated_arrival", _noon(eta), current_eta)
        ):
            changes["estimated_arrival"] = _noon(eta)
        if options.write_item_memo:
            lines = render_line_lines(line, options.distributor_zone)
            memo, warning = render_memo(item.memo, lines, options.memo_limit)
            if warning:
                plan.warnings.append(f"item {item.id} memo: {warning}")
            if not same_text(item.memo, memo) and _item_write(
                check, item.id, "memo", memo, item.memo
            ):
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
    written: Mapping[str, str] | None = None,
    stuck: frozenset[str] = frozenset(),
) -> Plan:
    """The writes, history entries and events that bring ``po`` in line with ``state``.

    ``written`` is what orderbridge wrote to this PO before (see ``WriteCheck``); ``stuck`` are
    the fields this tenant does not keep, which are not planned at all.
    """
    opts = options or PlanOptions()
    plan = Plan(po_number=state.po_number, warnings=list(state.warnings))
    check = WriteCheck(state.po_number, written or {}, stuck)
    recorded = {entry.key for entry in recent_history}
    for entry, events in detect_changes(state, previous, as_utc(now), opts.distributor_zone):
        if entry.key in recorded:
            continue
        recorded.add(entry.key)
        plan.history.append(entry)
        plan.events.extend(events)
    _plan_po(po, state, [*recent_history, *plan.history], opts, plan, check)
    _plan_items(po, state, opts, plan, check)
    plan.written, plan.not_sticking = check.new, check.not_sticking
    return plan


def apply_plan(po: PurchaseOrder, plan: Plan) -> PurchaseOrder:
    """The PO as it will read after the plan's writes (for dry runs and tests)."""
    items = tuple(replace(item, **plan.item_changes.get(item.id, {})) for item in po.items)
    return replace(po, **plan.po_changes, items=items)
