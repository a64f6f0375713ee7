"""What a dry run prints per field: ``field: old → new``, long text summarised by its changes."""

from __future__ import annotations

from datetime import UTC, datetime

from orderbridge.application.sync import OrderResult
from orderbridge.cli._dry_run import field_changes, text_change
from orderbridge.domain.history import OrderOutcome, OrderReport
from orderbridge.domain.models import PurchaseOrder, PurchaseOrderItem
from orderbridge.domain.plan import Plan

OLD_MEMO = """Please deliver to the back door.
=== TD SYNNEX status (managed by orderbridge, edits inside are replaced) ===
Status: Processing
TD SYNNEX orders: 61775560
Expected ship date: 2026-12-04
=== end of TD SYNNEX status ==="""

NEW_MEMO = """Please deliver to the back door.
=== TD SYNNEX status (managed by orderbridge, edits inside are replaced) ===
Status: Shipped
TD SYNNEX orders: 61775560
Shipments:
- UPS Ground 1Z999AA10123456784, shipped 2026-12-03, https://www.ups.com/track?tracknum=1Z999AA10123456784&loc=en_US&requester=ST/trackdetails
=== end of TD SYNNEX status ==="""


def test_a_memo_change_is_summarised_by_what_changed() -> None:
    line = text_change(OLD_MEMO, NEW_MEMO)
    assert line.startswith("Status: Processing → Shipped")
    assert "+ - UPS Ground 1Z999AA10123456784" in line
    assert "Shipments:;" not in line  # a bare heading says nothing on its own
    assert "- Expected ship date: 2026-12-04" in line or "(+" in line
    assert "back door" not in line  # unchanged lines are not repeated
    assert "===" not in line  # nor the block's marker lines
    assert len(line) < 200  # a tracking link no longer wraps line after line
    assert "\n" not in line


def test_a_new_block_says_how_long_it_is_and_how_it_starts() -> None:
    line = text_change("", NEW_MEMO)
    assert line.startswith("new, 5 lines: Please deliver")


def test_one_line_per_changed_field_with_old_and_new_values() -> None:
    po = PurchaseOrder(
        id=7,
        po_number="PO-7",
        status="Submitted",
        vendor_id=1,
        general_memo=OLD_MEMO,
        vendor_invoice_number=None,
        items=(
            PurchaseOrderItem(
                id=70,
                order_id=7,
                quantity=2,
                part_numbers=frozenset({"FG-60F"}),
                estimated_arrival=datetime(2026, 12, 4, tzinfo=UTC),
            ),
        ),
    )
    plan = Plan(
        "PO-7",
        po_changes={"general_memo": NEW_MEMO, "vendor_invoice_number": "300206688"},
        item_changes={70: {"estimated_arrival": datetime(2026, 12, 6, tzinfo=UTC)}},
    )
    result = OrderResult(
        OrderReport("PO-7", OrderOutcome.UPDATED, po_id=7), plan=plan, purchase_order=po
    )
    lines = list(field_changes(result))
    assert lines[0].startswith("memo: Status: Processing → Shipped")
    assert lines[1] == "invoice number: (empty) → 300206688"
    assert lines[2] == "item 70 (FG-60F) ETA: 2026-12-04 → 2026-12-06"
    assert len(lines) == 3
