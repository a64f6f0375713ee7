"""Invoice-query fixtures read into domain Invoice values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from orderbridge.adapters.tdsynnex import (
    BadPayload,
    TransientError,
)
from orderbridge.adapters.tdsynnex._invoices import parse_invoices
from orderbridge.domain.models import Address

FIXTURES = Path(__file__).parents[3] / "fixtures" / "tdsynnex"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_single_invoice_with_summary_address_and_comma_tracking() -> None:
    (invoice,) = parse_invoices(fixture("invoice_single.xml"), po_number="PO-1001")

    assert invoice.number == "INV-8812001"
    assert invoice.invoice_date == date(2024, 5, 4)
    assert invoice.total == Decimal("1234.56")
    assert invoice.tax == Decimal("65.21")
    assert invoice.freight == Decimal("12.50")
    assert invoice.tracking_numbers == ("508922220890", "508922220891")
    assert invoice.ship_to == Address(
        name="Contoso Dental, Attn: Front Desk",
        line1="100 Main St",
        line2="Suite 5",
        city="Springfield",
        state="IL",
        postal_code="62701",
        country="US",
    )


def test_several_invoices_repeated_tracking_and_credit() -> None:
    first, second = parse_invoices(fixture("invoice_multiple.xml"), po_number="PO-3001")

    assert first.number == "INV-9000001"
    assert first.tracking_numbers == ("111122223333", "111122224444")
    assert first.tax == Decimal("0")
    assert first.ship_to is None
    assert second.invoice_date == date(2024, 7, 2)
    assert second.tracking_numbers == ()
    assert second.total == Decimal("-25.00")
    assert second.freight is None


def test_not_found_error_code_is_an_empty_list() -> None:
    assert parse_invoices(fixture("invoice_not_found.xml"), po_number="PO-404") == []


def test_other_error_code_raises_typed_error() -> None:
    with pytest.raises(TransientError) as info:
        parse_invoices(fixture("invoice_error_server.xml"), po_number="PO-1001")

    assert info.value.po_number == "PO-1001"


def test_error_keeps_the_order_number_when_asked_by_order() -> None:
    with pytest.raises(TransientError) as info:
        parse_invoices(fixture("invoice_error_server.xml"), order_number="60045675")

    assert info.value.order_number == "60045675"
    assert "60045675" in str(info.value)


def test_invoice_without_number_is_bad_payload() -> None:
    with pytest.raises(BadPayload, match="no InvoiceNumber"):
        parse_invoices(fixture("invoice_missing_number.xml"), po_number="PO-1")


def test_top_level_error_shape_applies_to_invoices_too() -> None:
    with pytest.raises(TransientError):
        parse_invoices(fixture("error_top_level_server_error.xml"), po_number="PO-1")


def test_status_answer_is_not_an_invoice_answer() -> None:
    with pytest.raises(BadPayload, match="no InvoiceResponse"):
        parse_invoices(fixture("status_sample.xml"), po_number="PO-1001")
