"""Export cells: Excel-safe text, ISO dates in UTC, exact numbers; audit values as text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from orderbridge.domain.records import (
    FORMULA_TRIGGERS,
    audit_text,
    cell_text,
    json_value,
    neutralise_formula,
)

BERLIN_SUMMER = timezone(timedelta(hours=2))


def test_cells_have_iso_utc_times_plain_numbers_and_booleans() -> None:
    assert cell_text(datetime(2026, 7, 1, 1, 30, 5, 999, tzinfo=BERLIN_SUMMER)) == (
        "2026-06-30 23:30:05"
    )
    assert cell_text(datetime(2026, 7, 1, 1, 30, tzinfo=UTC)) == "2026-07-01 01:30:00"
    assert cell_text(date(2026, 7, 1)) == "2026-07-01"
    assert cell_text(Decimal("-12.50")) == "-12.50"  # a number, not text: never quoted
    assert cell_text(-3) == "-3"
    assert (cell_text(True), cell_text(None)) == ("true", "")
    assert cell_text("-12.50") == "'-12.50"  # text that a sheet would evaluate


def test_json_values_keep_offsets_and_exact_amounts() -> None:
    assert json_value(datetime(2026, 7, 1, 1, 30, tzinfo=BERLIN_SUMMER)) == (
        "2026-06-30T23:30:00+00:00"
    )
    assert json_value(Decimal("0.10")) == "0.10"
    assert json_value("=x") == "=x"  # JSON is not a spreadsheet


def test_audit_text_is_iso_for_dates_and_as_is_for_text() -> None:
    assert audit_text(datetime(2026, 3, 3, tzinfo=UTC)) == "2026-03-03T00:00:00+00:00"
    assert audit_text(Decimal("12.25")) == "12.25"
    assert audit_text(None) is None
    assert audit_text("Call Dana first.") == "Call Dana first."


@given(st.text())
def test_no_neutralised_text_starts_with_a_formula_trigger(text: str) -> None:
    safe = neutralise_formula(text)
    assert not safe.startswith(FORMULA_TRIGGERS)
    assert safe.removeprefix("'") == text or safe == text
