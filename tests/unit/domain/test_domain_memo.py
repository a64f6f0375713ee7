"""The managed memo block: splicing, trimming, formatting."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from orderbridge.domain.history import HistoryEntry, HistorySource
from orderbridge.domain.memo import (
    BLOCK_END,
    BLOCK_START,
    find_block,
    outside_text,
    render_line_lines,
    render_memo,
    render_order_lines,
    splice_block,
)
from orderbridge.domain.memo_block import MemoLine
from tests.unit.domain.domain_builders import derive, invoice, order, shipped_line

BLOCK = f"{BLOCK_START}\nStatus: Shipped\n{BLOCK_END}"


def entry(i: int, summary: str = "something happened") -> HistoryEntry:
    return HistoryEntry(
        po_number="PO-1001",
        at=datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=i),
        from_status=None,
        to_status="Shipped",
        source=HistorySource.TDSYNNEX,
        summary=f"{summary} #{i}",
        key=f"k{i}",
    )


def test_block_is_appended_after_a_blank_line() -> None:
    assert splice_block("", BLOCK) == BLOCK
    assert splice_block("Call Bob", BLOCK) == f"Call Bob\n\n{BLOCK}"
    assert splice_block("Call Bob\n", BLOCK) == f"Call Bob\n\n{BLOCK}"
    assert splice_block("Call Bob\n\n", BLOCK) == f"Call Bob\n\n{BLOCK}"


def test_existing_block_is_replaced_and_text_around_it_kept() -> None:
    memo = f"before\r\n{BLOCK_START}\r\nold stuff\r\n{BLOCK_END}\r\nafter  "
    new = splice_block(memo, BLOCK)
    assert new == f"before\r\n{BLOCK}\r\nafter  "
    assert outside_text(new) == outside_text(memo) == "before\r\n\r\nafter  "


def test_near_delimiters_are_user_text() -> None:
    near = f" {BLOCK_START}\n{BLOCK_START}x\n{BLOCK_END.lower()}\n"
    assert find_block(near) is None
    assert splice_block(near, BLOCK) == near + "\n" + BLOCK


def test_stray_start_line_before_the_block_is_kept() -> None:
    memo = f"{BLOCK_START}\nmy own notes\n\n{BLOCK}"
    new = splice_block(memo, f"{BLOCK_START}\nStatus: Delivered\n{BLOCK_END}")
    assert new.startswith(f"{BLOCK_START}\nmy own notes\n\n")
    assert new.endswith("Status: Delivered\n" + BLOCK_END)


def test_stray_end_line_before_the_block_is_kept() -> None:
    memo = f"{BLOCK_END}\nnotes\n\n{BLOCK}"
    assert splice_block(memo, BLOCK.replace("Shipped", "Closed")) == (
        f"{BLOCK_END}\nnotes\n\n{BLOCK.replace('Shipped', 'Closed')}"
    )


def test_order_block_shows_status_shipments_invoices_and_history() -> None:
    state = derive(order(shipped_line(delivered=date(2024, 5, 6))), (invoice(total="1234.5"),))
    memo, warning = render_memo("", render_order_lines(state, [entry(1), entry(2)], 10))
    assert warning is None
    assert memo.splitlines() == [
        BLOCK_START,
        "Status: Closed",
        "TD SYNNEX orders: 60045675",
        "Delivered: 2024-05-06",
        "Shipments:",
        "- FedEx Ground 508922220890, shipped 2024-05-02, delivered 2024-05-06",
        "  https://www.fedex.com/fedextrack/?trknbr=508922220890",
        "Invoices:",
        "- 90001, 2024-05-03, 1234.50",
        "Recent changes:",
        "- 2024-01-03 something happened #2",
        "- 2024-01-02 something happened #1",
        BLOCK_END,
    ]


def test_item_block_shows_quantities_tracking_and_serials() -> None:
    state = derive(order(shipped_line()))
    text = "\n".join(line.text for line in render_line_lines(state.lines[0]))
    assert "Quantity: 2 shipped of 2 ordered, 0 not yet shipped" in text
    assert "- FedEx Ground 508922220890, qty 2, shipped 2024-05-02" in text
    assert "  Serials: AK022023, AK022024" in text


def test_history_count_is_limited_newest_first() -> None:
    state = derive(order(shipped_line()))
    lines = render_order_lines(state, [entry(i) for i in range(20)], 3)
    history = [x.text for x in lines if x.group == "history"]
    assert history == [
        "- 2024-01-20 something happened #19",
        "- 2024-01-19 something happened #18",
        "- 2024-01-18 something happened #17",
    ]


def test_oldest_history_is_dropped_first_to_fit() -> None:
    state = derive(order(shipped_line()))
    lines = render_order_lines(state, [entry(i, "x" * 200) for i in range(30)], 30)
    memo, warning = render_memo("u" * 1500, lines)
    assert warning is None
    assert len(memo) <= 4000
    assert "#29" in memo
    assert "#0 " not in memo
    assert "#0\n" not in memo
    assert "508922220890" in memo  # shipments outlive history
    assert "left out to fit" in memo


def test_links_go_before_shipments() -> None:
    lines = [MemoLine("Status: Shipped"), MemoLine("Shipments:", heading_of="s")]
    lines += [MemoLine("- ship " + "a" * 50, 10, "s"), MemoLine("  https://" + "b" * 80, 40, "s")]
    memo, _ = render_memo("u" * 3728, lines)  # leaves 270 characters for the block
    assert "- ship" in memo
    assert "https://" not in memo


def test_user_text_is_never_cut_and_block_left_out_when_no_room() -> None:
    user = "n" * 3990
    old = f"{user}\n\n{BLOCK}"
    state = derive(order(shipped_line()))
    memo, warning = render_memo(old, render_order_lines(state, [], 10))
    assert memo == user + "\n\n"
    assert warning is not None
    assert "no room" in warning
    alone, warning = render_memo("z" * 5000, render_order_lines(state, [], 10))
    assert alone == "z" * 5000
    assert warning


def test_amounts_have_two_decimals_and_missing_values_are_named() -> None:
    state = derive(order(shipped_line()), (invoice("7", None, None), invoice("8", total="3")))
    memo, _ = render_memo("", render_order_lines(state, [], 0))
    assert "- 8, 2024-05-03, 3.00" in memo
    assert "- 7, unknown, n/a" in memo
    assert Decimal("3") == Decimal("3.00")
