"""POStatus fixtures, one per payload variant, read into DistributorOrder."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from orderbridge.adapters.tdsynnex import (
    AuthFailed,
    BadPayload,
    IpNotAllowed,
    RequestRejected,
    TransientError,
)
from orderbridge.adapters.tdsynnex._parse import parse_order_status
from orderbridge.domain.models import DistributorCode
from orderbridge.ports import UpstreamAuthError

FIXTURES = Path(__file__).parents[3] / "fixtures" / "tdsynnex"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_sample_reads_header_and_split_line() -> None:
    order = parse_order_status(fixture("status_sample.xml"), po_number="PO-1001")

    assert order.po_number == "PO-1001"
    assert order.code is DistributorCode.ACCEPTED
    assert order.received_at == datetime(2024, 5, 1, 10, 2, 11, tzinfo=UTC)
    assert order.responded_at == datetime(2024, 5, 3, 8, 15, 40, tzinfo=UTC)
    assert [line.line_number for line in order.lines] == ["1", "1"]
    shipped, open_line = order.lines
    assert shipped.code is DistributorCode.SHIPPED
    assert (shipped.quantity_ordered, shipped.quantity_shipped) == (2, 2)
    assert shipped.order_number == "60045675"
    assert shipped.unit_price == Decimal("395.00")
    assert shipped.ship_date == datetime(2024, 5, 2, 17, 35, 6, tzinfo=UTC)
    assert shipped.warehouse == "3"
    assert shipped.ship_method == "FG"
    assert shipped.ship_method_description == "FedEx Ground"
    assert shipped.estimated_delivery_date == date(2024, 5, 6)
    (package,) = shipped.packages
    assert package.tracking_number == "508922220890"
    assert package.weight == Decimal("13.85")
    assert package.quantity == 2
    assert package.serials == ("AK022023", "AK022024")
    assert open_line.code is DistributorCode.ACCEPTED
    assert open_line.order_number == "60045676"
    assert open_line.warehouse == "7"
    assert open_line.eta == date(2024, 5, 20)
    assert open_line.estimated_ship_date == date(2024, 5, 18)
    assert open_line.packages == ()
    assert open_line.ship_date is None


def test_single_item_single_package_and_sn_prefix() -> None:
    order = parse_order_status(
        fixture("status_single_item_single_package.xml"), po_number="PO-2001"
    )

    (line,) = order.lines
    assert line.line_number == "3"
    assert line.cust_po_line == "30"
    (package,) = line.packages
    assert package.serials == ("F4E2C6A1B2C3",)
    assert package.tracking_number == "773344556677"


def test_upper_case_codes_several_packages_and_delivery_dates() -> None:
    order = parse_order_status(fixture("status_multiple_packages_uppercase.xml"))

    assert order.po_number == "PO-3001"
    assert order.code is DistributorCode.INVOICED
    invoiced, deleted = order.lines
    assert invoiced.unit_price == Decimal("1249.00")
    assert [p.tracking_number for p in invoiced.packages] == ["111122223333", "111122224444"]
    assert invoiced.packages[0].delivered_on == date(2024, 7, 1)
    assert invoiced.packages[1].refused_on == date(2024, 7, 1)
    assert invoiced.packages[1].serials == ("CN0A3", "CN0A4")
    assert deleted.code is DistributorCode.DELETED
    assert deleted.unit_price is None


def test_empty_elements_read_as_none() -> None:
    order = parse_order_status(fixture("status_empty_elements.xml"), po_number="PO-4001")

    assert order.reason is None
    assert order.received_at is None
    (line,) = order.lines
    assert line.order_type is None
    assert line.quantity_shipped == 0
    assert line.unit_price is None
    assert line.mfg_part_number is None
    assert line.ship_date is None
    assert line.warehouse is None
    assert line.ship_method is None
    assert line.eta is None
    assert line.packages == ()


def test_thousands_separators_in_money_and_quantities() -> None:
    order = parse_order_status(fixture("status_thousands_separators.xml"))

    (line,) = order.lines
    assert line.quantity_ordered == 1500
    assert line.unit_price == Decimal("12345.67")


def test_misspelt_estimate_delivery_date_is_read() -> None:
    order = parse_order_status(fixture("status_misspelt_delivery_date.xml"))

    assert order.lines[0].estimated_delivery_date == date(2024, 9, 6)


@pytest.mark.parametrize("name", ["status_not_found.xml", "status_not_found_spaced.xml"])
def test_not_found_is_a_normal_answer(name: str) -> None:
    order = parse_order_status(fixture(name), po_number="PO-404")

    assert order.code is DistributorCode.NOT_FOUND
    assert order.lines == ()


def test_date_formats_placeholders_and_offsets() -> None:
    order = parse_order_status(fixture("status_date_formats.xml"))

    assert order.received_at == datetime(2024, 11, 3, tzinfo=UTC)
    assert order.responded_at == datetime(2024, 11, 5, 7, 30, tzinfo=UTC)
    first, second = order.lines
    assert first.ship_date == datetime(2024, 11, 4, tzinfo=UTC)
    assert first.eta == date(2024, 11, 8)
    assert first.estimated_ship_date == date(2024, 11, 5)
    assert first.estimated_delivery_date is None  # 9999-12-31 is a "no date" placeholder
    assert second.ship_date == datetime(2024, 11, 4, 10, 15, 30, 250000, tzinfo=UTC)
    assert second.eta is None  # "TBD"
    assert second.estimated_ship_date is None  # 0000-00-00


def test_source_time_zone_converts_naive_times_to_utc() -> None:
    pacific = ZoneInfo("America/Los_Angeles")
    order = parse_order_status(fixture("status_sample.xml"), source_tz=pacific)

    assert order.received_at == datetime(2024, 5, 1, 17, 2, 11, tzinfo=UTC)
    assert order.received_at is not None
    assert order.received_at.tzinfo is UTC
    # An explicit offset wins over source_tz; calendar dates are not shifted.
    dated = parse_order_status(fixture("status_date_formats.xml"), source_tz=pacific)
    assert dated.responded_at == datetime(2024, 11, 5, 7, 30, tzinfo=UTC)
    assert dated.lines[0].eta == date(2024, 11, 8)


def test_rejected_sample_keeps_reasons() -> None:
    order = parse_order_status(fixture("status_rejected.xml"), po_number="PO-DUP-9")

    assert order.code is DistributorCode.REJECTED
    assert order.reason == "DUPPLICATED INSERT.."
    (line,) = order.lines
    assert line.code is DistributorCode.REJECTED
    assert line.reason is not None
    assert line.reason.startswith("This PO# already exists")
    assert line.order_type == "99"
    assert line.warehouse is None


def test_lower_case_names_namespace_and_duplicate_items() -> None:
    order = parse_order_status(fixture("status_lowercase_namespaced.xml"), po_number="po-8001")

    assert order.po_number == "po-8001"
    assert order.code is DistributorCode.SHIPPED
    (line,) = order.lines  # the exact duplicate item is kept once
    assert line.line_number == "5"
    assert line.packages[0].tracking_number == "1Z999AA10123456784"


def test_negative_quantity_is_bad_payload() -> None:
    with pytest.raises(BadPayload, match="OrderQuantity of item \\(line 2\\) is negative") as info:
        parse_order_status(fixture("status_negative_quantity.xml"), po_number="PO-9001")
    assert info.value.po_number == "PO-9001"


def test_answer_about_another_po_is_bad_payload() -> None:
    with pytest.raises(BadPayload, match="instead of the PO asked about"):
        parse_order_status(fixture("status_sample.xml"), po_number="PO-2002")


def test_wrong_response_kind_is_bad_payload() -> None:
    with pytest.raises(BadPayload, match="no OrderStatusResponse"):
        parse_order_status(fixture("hostile_wrong_root.xml"), po_number="PO-1")


@pytest.mark.parametrize(
    ("name", "kind", "words"),
    [
        ("error_top_level_server_error.xml", TransientError, "ServerError"),
        ("error_top_level_po_timeout.xml", TransientError, "PO_TIMEOUT"),
        ("error_pascal_database_issue.xml", TransientError, "DatabaseIssue"),
        ("error_lowercase_bizerror_internal_fault.xml", TransientError, "Internal API Fault"),
        ("error_incomplete_xml.xml", TransientError, "IncompleteXML01"),
        ("error_top_level_bad_credentials.xml", AuthFailed, "Invalid UserID or Password"),
        ("error_pascal_ip_invalid.xml", IpNotAllowed, "allow-list"),
        ("error_bizerror_detail.xml", RequestRejected, "not enabled for XML order status"),
    ],
)
def test_error_shapes_raise_typed_errors(name: str, kind: type[Exception], words: str) -> None:
    with pytest.raises(kind) as info:
        parse_order_status(fixture(name), po_number="PO-1001")

    assert type(info.value) is kind
    assert words in str(info.value)
    assert "PO-1001" in str(info.value)
    assert getattr(info.value, "po_number", None) == "PO-1001"


def test_ip_error_tells_the_user_what_to_do() -> None:
    with pytest.raises(AuthFailed) as info:
        parse_order_status(fixture("error_pascal_ip_invalid.xml"), po_number="PO-1")

    assert isinstance(info.value, IpNotAllowed)
    assert isinstance(info.value, UpstreamAuthError)  # the port's error, whatever the cause
    assert "IP address" in str(info.value)
    assert "allow-list" in str(info.value)
