"""What counts as written: lenient comparison and fields that do not stick."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from orderbridge.domain.writes import (
    WriteCheck,
    normalised_text,
    same_day,
    same_text,
    value_digest,
)

DAY = date(2026, 12, 1)
NOON = datetime(2026, 12, 1, 12, tzinfo=UTC)


def test_line_ends_and_trailing_spaces_do_not_make_text_different() -> None:
    assert same_text("a\nb", "a \r\nb  \r\n")
    assert same_text(None, "")
    assert not same_text("a\nb", "a\nc")
    assert not same_text("  a", "a")  # leading spaces are text


@given(st.text(max_size=200))
def test_crlf_and_trimming_a_text_keeps_it_the_same(text: str) -> None:
    stored = "\r\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n"))
    assert same_text(stored, text) == (normalised_text(stored) == normalised_text(text))
    assert value_digest(stored) == value_digest(normalised_text(text))


def test_a_day_kept_in_the_tenant_zone_reads_as_that_day() -> None:
    new_york = ZoneInfo("America/New_York")
    local_midnight = datetime(2026, 12, 1, tzinfo=new_york).astimezone(UTC)  # 05:00 UTC
    assert same_day(local_midnight, DAY)
    sydney_midnight = datetime(2026, 12, 1, tzinfo=ZoneInfo("Australia/Sydney")).astimezone(UTC)
    assert not same_day(sydney_midnight, DAY)  # 13:00 UTC on the 30th...
    assert same_day(sydney_midnight, DAY, ZoneInfo("Australia/Sydney"))  # ...unless configured
    assert not same_day(None, DAY)


@given(st.sampled_from(["Pacific/Pago_Pago", "America/Los_Angeles", "Europe/London", "Asia/Tokyo"]))
def test_noon_utc_is_the_same_calendar_day_from_utc_minus_11_to_plus_11(zone: str) -> None:
    assert NOON.astimezone(ZoneInfo(zone)).date() == DAY


def test_a_value_written_before_that_reads_back_different_does_not_stick() -> None:
    first = WriteCheck("PO-1")
    assert first.allow("PurchaseOrder.memo", "the PO", "po.memo", "wanted", "old")
    again = WriteCheck("PO-1", written=first.new)
    assert not again.allow("PurchaseOrder.memo", "the PO", "po.memo", "wanted", "")
    [found] = again.not_sticking
    assert (found.field, found.wanted, found.found) == ("PurchaseOrder.memo", "wanted", "")
    assert "does not stick" in found.describe()
    # A different value is a new write, not a quirk.
    assert again.allow("PurchaseOrder.memo", "the PO", "po.memo", "changed", "")


def test_a_field_the_tenant_does_not_keep_is_not_written_at_all() -> None:
    check = WriteCheck("PO-1", stuck=frozenset({"PurchaseOrder.memo"}))
    assert not check.allow("PurchaseOrder.memo", "the PO", "po.memo", "x", "")
    assert check.new == {}
    assert check.not_sticking == []
