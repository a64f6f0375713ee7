"""plan_updates and apply_plan: field mapping, diffing, history and events."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from orderbridge.domain.events import (
    Backordered,
    Delivered,
    Invoiced,
    Problem,
    Shipped,
    StatusChanged,
)
from orderbridge.domain.lifecycle import OrderStatus
from orderbridge.domain.memo import BLOCK_START
from orderbridge.domain.models import DistributorCode
from orderbridge.domain.plan import Plan, PlanOptions, apply_plan, plan_updates
from tests.unit.domain.domain_builders import (
    NOW,
    derive,
    invoice,
    item,
    line,
    order,
    purchase_order,
    shipped_line,
)

FUTURE = NOW.date() + timedelta(days=10)


def noon(day: date) -> datetime:
    """How a calendar day is written to Autotask: 12:00 UTC (the same day in nearly every zone)."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def test_first_plan_writes_memo_shipping_date_and_item_fields() -> None:
    po = purchase_order(item(11, "WVSF346"), memo="Deliver to back door")
    state = derive(order(shipped_line()), items=po.items)
    plan = plan_updates(po, state, [], None, now=NOW)
    assert set(plan.po_changes) == {"general_memo", "shipping_date"}
    memo = plan.po_changes["general_memo"]
    assert isinstance(memo, str)
    assert memo.startswith("Deliver to back door\n\n" + BLOCK_START)
    assert plan.po_changes["shipping_date"] == noon(date(2024, 5, 2))
    assert set(plan.item_changes[11]) == {"memo"}  # no ETA known for a shipped line


def test_shipping_date_prefers_the_expected_ship_date() -> None:
    open_line = line("2", estimated_ship_date=FUTURE, mfg_part_number="B", sku=None)
    state = derive(order(shipped_line("1"), open_line))
    plan = plan_updates(purchase_order(), state, [], None, now=NOW)
    assert plan.po_changes["shipping_date"] == noon(FUTURE)


def test_dates_compare_by_calendar_day_and_text_none_equals_empty() -> None:
    state = derive(order(shipped_line()))
    po = purchase_order()
    first = apply_plan(po, plan_updates(po, state, [], None, now=NOW))
    same_day = replace(first, shipping_date=datetime(2024, 5, 2, 23, 0), vendor_invoice_number="")
    again = plan_updates(same_day, state, [], state, now=NOW)
    assert "shipping_date" not in again.po_changes
    assert "vendor_invoice_number" not in again.po_changes


def test_invoice_numbers_first_by_date_then_number_rest_comma_separated() -> None:
    invoices = (
        invoice("300", date(2024, 5, 4)),
        invoice("200", date(2024, 5, 3)),
        invoice("100", date(2024, 5, 4)),
        invoice("050", None),
    )
    state = derive(order(shipped_line()), invoices)
    plan = plan_updates(purchase_order(), state, [], None, now=NOW)
    assert plan.po_changes["vendor_invoice_number"] == "200"
    assert plan.po_changes["additional_vendor_invoice_numbers"] == "100, 300, 050"


def test_too_long_invoice_number_is_skipped_with_a_warning() -> None:
    state = derive(order(shipped_line()), (invoice("9" * 51, date(2024, 5, 1)), invoice("12")))
    plan = plan_updates(purchase_order(), state, [], None, now=NOW)
    assert plan.po_changes["vendor_invoice_number"] == "12"
    assert plan.po_changes["additional_vendor_invoice_numbers"] == "9" * 51


def test_item_eta_is_delivered_date_then_estimated_delivery_then_eta() -> None:
    po = purchase_order(item(1, "A"), item(2, "B"), item(3, "C"))
    lines = (
        shipped_line("1", mfg_part_number="A", delivered=date(2024, 5, 6)),
        line("2", mfg_part_number="B", estimated_delivery_date=date(2024, 5, 9), eta=FUTURE),
        line("3", mfg_part_number="C", eta=FUTURE),
    )
    state = derive(order(*lines), items=po.items)
    plan = plan_updates(po, state, [], None, now=NOW)
    etas = {i: c.get("estimated_arrival") for i, c in plan.item_changes.items()}
    assert etas == {
        1: noon(date(2024, 5, 6)),
        2: noon(date(2024, 5, 9)),
        3: noon(FUTURE),
    }


def test_options_switch_destinations_off() -> None:
    po = purchase_order(item(11, "WVSF346"))
    state = derive(
        order(line(eta=FUTURE, estimated_ship_date=FUTURE)), (invoice(),), items=po.items
    )
    off = PlanOptions(
        write_general_memo=False,
        write_shipping_date=False,
        write_invoice_numbers=False,
        write_item_eta=False,
        write_item_memo=False,
    )
    plan = plan_updates(po, state, [], None, now=NOW, options=off)
    assert plan.po_changes == {}
    assert plan.item_changes == {}
    assert plan.history  # recording and events do not depend on the field mapping
    assert not plan.is_empty


def test_history_and_events_for_new_facts() -> None:
    po = purchase_order(item(11, "WVSF346"))
    before = derive(order(line(eta=FUTURE)), items=po.items)
    after = derive(
        order(shipped_line(delivered=date(2024, 5, 6))),
        (invoice(),),
        items=po.items,
        previous=before,
    )
    plan = plan_updates(po, after, [], before, now=NOW)
    kinds = [type(e) for e in plan.events]
    assert kinds == [StatusChanged, Shipped, Delivered, Invoiced]
    assert [h.key for h in plan.history] == [
        "PO-1001:status:1:Backordered->Closed",
        "PO-1001:tracking:508922220890",
        "PO-1001:delivered:2024-05-06",
        "PO-1001:invoice:90001",
    ]
    assert plan.history[0].summary == "Backordered -> Closed"
    assert all(h.from_status == "Backordered" and h.to_status == "Closed" for h in plan.history)


def test_backorder_and_problem_events() -> None:
    first = derive(order(line(eta=FUTURE)))
    plan = plan_updates(purchase_order(), first, [], None, now=NOW)
    backorders = [e for e in plan.events if isinstance(e, Backordered)]
    assert [(b.quantity, b.eta, b.part_number) for b in backorders] == [(2, FUTURE, "WVSF346")]
    held = derive(order(line(ship_method="HS")), previous=first)
    plan = plan_updates(purchase_order(), held, [], first, now=NOW)
    assert [type(e) for e in plan.events] == [StatusChanged, Problem]
    assert plan.events[1] == Problem("PO-1001", plan.history[0].key, OrderStatus.ON_HOLD, None)


def test_history_keys_do_not_depend_on_the_clock() -> None:
    state = derive(order(shipped_line()), (invoice(),))
    one = plan_updates(purchase_order(), state, [], None, now=NOW)
    two = plan_updates(purchase_order(), state, [], None, now=NOW + timedelta(hours=5))
    assert [h.key for h in one.history] == [h.key for h in two.history]


def test_recorded_history_is_not_planned_again() -> None:
    po = purchase_order(item(11, "WVSF346"), memo="x")
    state = derive(order(shipped_line()), (invoice(),), items=po.items)
    plan = plan_updates(po, state, [], None, now=NOW)
    applied = apply_plan(po, plan)
    again = plan_updates(applied, state, plan.history, None, now=NOW + timedelta(days=1))
    assert again.is_empty, again


def test_apply_plan_sets_fields_and_rejects_unknown_ones() -> None:
    po = purchase_order(item(11))
    plan = Plan(
        "PO-1001", po_changes={"vendor_invoice_number": "1"}, item_changes={11: {"memo": "m"}}
    )
    applied = apply_plan(po, plan)
    assert applied.vendor_invoice_number == "1"
    assert applied.items[0].memo == "m"
    # The field names are typed (mypy refuses a wire name); at run time replace() refuses too.
    wire_name = {"vendorInvoiceNumber": "1"}
    with pytest.raises(TypeError, match="vendorInvoiceNumber"):
        apply_plan(po, Plan("PO-1001", po_changes=wire_name))  # type: ignore[arg-type]


def test_cancelled_order_plans_a_problem_and_keeps_user_fields() -> None:
    po = replace(purchase_order(), vendor_invoice_number="USER-1")
    state = derive(order(line(), code=DistributorCode.DELETED))
    plan = plan_updates(po, state, [], None, now=NOW)
    assert "vendor_invoice_number" not in plan.po_changes
    assert any(isinstance(e, Problem) for e in plan.events)
