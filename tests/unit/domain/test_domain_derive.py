"""Example tests for each lifecycle rule of derive_order_state."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from orderbridge.domain.lifecycle import LineStatus, OrderState, OrderStatus
from orderbridge.domain.models import DistributorCode, Package
from tests.unit.domain.domain_builders import NOW, derive, invoice, item, line, order, shipped_line

TODAY = NOW.date()
FUTURE = TODAY + timedelta(days=10)


def test_accepted_without_allocation_is_received() -> None:
    state = derive(order(line()))
    assert state.status is OrderStatus.RECEIVED
    assert state.lines[0].quantity_backordered == 2


def test_accepted_with_warehouse_or_estimated_ship_date_is_processing() -> None:
    assert derive(order(line(warehouse="3"))).status is OrderStatus.PROCESSING
    assert derive(order(line(estimated_ship_date=FUTURE))).status is OrderStatus.PROCESSING


def test_hold_ship_methods_are_on_hold() -> None:
    assert derive(order(line(ship_method="HS", warehouse="3"))).status is OrderStatus.ON_HOLD
    assert derive(order(line(ship_method="NL", eta=FUTURE))).status is OrderStatus.ON_HOLD


def test_future_eta_is_backordered_but_todays_eta_is_not() -> None:
    assert derive(order(line(eta=FUTURE, warehouse="7"))).status is OrderStatus.BACKORDERED
    assert derive(order(line(eta=TODAY, warehouse="7"))).status is OrderStatus.PROCESSING
    assert derive(order(line(eta=TODAY - timedelta(days=1)))).status is OrderStatus.RECEIVED


def test_future_is_judged_by_the_utc_date_of_the_observation() -> None:
    late_evening = datetime(2024, 5, 3, 23, 59, tzinfo=UTC)
    tomorrow = date(2024, 5, 4)
    assert derive(order(line(eta=tomorrow)), at=late_evening).status is OrderStatus.BACKORDERED
    next_day = datetime(2024, 5, 4, 0, 1, tzinfo=UTC)
    assert derive(order(line(eta=tomorrow)), at=next_day).status is OrderStatus.RECEIVED


def test_mix_of_shipped_and_open_lines_is_partially_shipped() -> None:
    state = derive(order(shipped_line("1"), line("2", warehouse="3")))
    assert state.status is OrderStatus.PARTIALLY_SHIPPED
    assert [x.status for x in state.lines] == [LineStatus.SHIPPED, LineStatus.PROCESSING]


def test_one_line_partly_shipped_is_partially_shipped() -> None:
    state = derive(order(line(ordered=5, shipped=2, eta=FUTURE)))
    assert state.status is OrderStatus.PARTIALLY_SHIPPED
    assert state.lines[0].quantity_backordered == 3


def test_all_shipped_is_shipped_with_carrier_and_link() -> None:
    state = derive(order(shipped_line("1"), shipped_line("2", tracking="1Z999AA10123456784")))
    assert state.status is OrderStatus.SHIPPED
    assert state.shipped_at == NOW
    first = state.lines[0].shipments[0]
    assert (first.carrier, first.service) == ("FedEx", "Ground")
    assert first.tracking_url == "https://www.fedex.com/fedextrack/?trknbr=508922220890"
    assert first.ship_date == datetime(2024, 5, 2, 17, 35, 6, tzinfo=UTC)
    assert first.serials == ("AK022023", "AK022024")


def test_shipped_code_without_quantity_counts_as_fully_shipped() -> None:
    state = derive(order(line(code=DistributorCode.SHIPPED, ordered=3, shipped=0)))
    assert state.status is OrderStatus.SHIPPED
    assert state.lines[0].quantity_shipped == 3


def test_carrier_confirmed_delivery_is_delivered() -> None:
    state = derive(order(shipped_line(delivered=date(2024, 5, 6))))
    assert state.status is OrderStatus.DELIVERED
    assert state.delivered_on == date(2024, 5, 6)
    via_carrier = derive(order(shipped_line()), deliveries={"5089 2222 0890": date(2024, 5, 7)})
    assert via_carrier.status is OrderStatus.DELIVERED
    assert via_carrier.delivered_on == date(2024, 5, 7)


def test_shipped_without_tracking_cannot_be_confirmed_delivered() -> None:
    state = derive(order(line(code=DistributorCode.SHIPPED, ordered=1, shipped=1)))
    assert state.status is OrderStatus.SHIPPED
    assert state.lines[0].shipments[0].tracking_number is None


def test_invoiced_code_or_invoice_found_adds_invoiced() -> None:
    by_code = derive(order(shipped_line(code=DistributorCode.INVOICED)))
    assert by_code.status is OrderStatus.INVOICED
    by_invoice = derive(order(shipped_line()), (invoice(),))
    assert by_invoice.status is OrderStatus.INVOICED
    assert by_invoice.invoiced_at == NOW
    partial = derive(order(shipped_line("1"), line("2")), (invoice(),))
    assert partial.status is OrderStatus.PARTIALLY_SHIPPED
    assert partial.invoiced_at == NOW


def test_delivered_and_invoiced_is_closed_even_with_a_cancelled_line() -> None:
    delivered = shipped_line("1", delivered=date(2024, 5, 6))
    cancelled = line("2", code=DistributorCode.DELETED)
    state = derive(order(delivered, cancelled), (invoice(),))
    assert state.status is OrderStatus.CLOSED
    assert [x.status for x in state.lines] == [LineStatus.CLOSED, LineStatus.CANCELLED]
    assert state.lines[1].quantity_backordered == 0


def test_deleted_is_cancelled_and_not_found_is_not_cancelled() -> None:
    assert derive(order(line(), code=DistributorCode.DELETED)).status is OrderStatus.CANCELLED
    only_deleted = order(line(code=DistributorCode.DELETED))
    assert derive(only_deleted).status is OrderStatus.CANCELLED
    assert derive(order(code=DistributorCode.NOT_FOUND)).status is OrderStatus.NOT_FOUND


def test_rejected_keeps_the_reason() -> None:
    rejected = line(code=DistributorCode.REJECTED, reason="This PO# already exists")
    state = derive(order(rejected, code=DistributorCode.REJECTED, reason="DUPPLICATED INSERT.. "))
    assert state.status is OrderStatus.REJECTED
    assert state.reason == "DUPPLICATED INSERT.."
    assert state.lines[0].status is LineStatus.REJECTED
    assert derive(order(rejected)).status is OrderStatus.REJECTED


def test_no_lines_follow_the_header_code() -> None:
    assert derive(order(code=DistributorCode.ACCEPTED)).status is OrderStatus.RECEIVED
    assert derive(order(code=DistributorCode.SHIPPED)).status is OrderStatus.SHIPPED
    assert derive(order(code=DistributorCode.UNKNOWN)).status is OrderStatus.SUBMITTED


def test_split_lines_add_up() -> None:
    first = shipped_line("1", qty=2)
    second = line("1", ordered=3, order_number="60045676", warehouse="7", eta=FUTURE)
    state = derive(order(second, first))
    assert len(state.lines) == 1
    merged = state.lines[0]
    assert (merged.quantity_ordered, merged.quantity_shipped, merged.quantity_backordered) == (
        5,
        2,
        3,
    )
    assert merged.order_numbers == ("60045675", "60045676")
    assert merged.eta == FUTURE
    assert merged.status is LineStatus.PARTIALLY_SHIPPED
    assert state.order_numbers == ("60045675", "60045676")


def test_split_part_that_is_deleted_does_not_count_as_backordered() -> None:
    state = derive(order(shipped_line("1", qty=2), line("1", DistributorCode.DELETED, ordered=3)))
    assert state.lines[0].quantity_ordered == 2
    assert state.lines[0].quantity_backordered == 0
    assert state.status is OrderStatus.SHIPPED


def test_exact_duplicate_items_are_counted_once() -> None:
    state = derive(order(shipped_line("1"), shipped_line("1")))
    assert state.lines[0].quantity_ordered == 2


def test_lines_are_matched_to_items() -> None:
    state = derive(
        order(line("1"), line("2", mfg_part_number="ZZ", sku=None)),
        items=(item(11, "WVSF346"), item(12, "OTHER")),
    )
    assert [x.item_id for x in state.lines] == [11, None]
    assert any("matches no Autotask item" in w for w in state.warnings)


def test_facts_are_remembered_from_the_previous_state() -> None:
    earlier = NOW - timedelta(days=2)
    first = derive(order(shipped_line(delivered=date(2024, 5, 6))), (invoice(),), at=earlier)
    later = derive(order(shipped_line()), (), previous=first)
    assert later.status is OrderStatus.CLOSED
    assert later.invoices == first.invoices
    assert later.lines[0].shipments[0].delivered_on == date(2024, 5, 6)
    assert (later.first_seen, later.shipped_at, later.invoiced_at) == (earlier, earlier, earlier)


def test_status_sequence_counts_changes() -> None:
    one = derive(order(line(ship_method="HS")))
    two = derive(order(line(warehouse="3")), previous=one)
    three = derive(order(line(warehouse="3")), previous=two)
    four = derive(order(line(ship_method="HS")), previous=three)
    assert [s.status_sequence for s in (one, two, three, four)] == [0, 1, 1, 2]


def test_refused_delivery_is_a_warning() -> None:
    refused = Package("508922220890", quantity=2, refused_on=date(2024, 5, 6))
    state = derive(order(shipped_line(packages=(refused,))))
    assert "Delivery of 508922220890 was refused on 2024-05-06" in state.warnings


def test_ship_to_confirmation_comes_from_the_latest_invoice() -> None:
    from orderbridge.domain.models import Address, Invoice

    older = Invoice("1", date(2024, 5, 1), ship_to=Address(name="Old"))
    newer = Invoice("2", date(2024, 5, 2), ship_to=Address(name="New"))
    state = derive(order(shipped_line()), (newer, older))
    assert state.ship_to == Address(name="New")
    assert [i.number for i in state.invoices] == ["1", "2"]


def test_odd_line_numbers_are_not_positions() -> None:
    odd = ("²", "9" * 5000, "-1", " 2 ")
    state = derive(order(*(line(n, cust_po_line=n) for n in odd)), items=(item(1), item(2)))
    assert [x.position for x in state.lines] == [2, None, None, None]
    assert [x.item_id for x in state.lines] == [2, None, None, None]


def test_the_first_expected_delivery_is_kept_through_slips_and_delivery() -> None:
    first_date, slipped = date(2024, 5, 10), date(2024, 5, 14)
    one = derive(order(line(warehouse="3", estimated_delivery_date=first_date)))
    assert (one.expected_delivery, one.first_expected_delivery) == (first_date, first_date)
    two = derive(order(line(warehouse="3", estimated_delivery_date=slipped)), previous=one)
    assert (two.expected_delivery, two.first_expected_delivery) == (slipped, first_date)
    done = derive(order(shipped_line(delivered=date(2024, 5, 15))), previous=two)
    assert (done.expected_delivery, done.first_expected_delivery) == (None, first_date)
    assert OrderState.from_json(done.to_json()) == done
    never = derive(order(line()))
    assert "first_expected_delivery" not in never.to_json()  # older states keep their JSON
