"""An order's history as one story: each change once, first seen first, facts nested."""

from __future__ import annotations

from datetime import UTC, datetime

from orderbridge.domain.history import HistoryEntry, HistorySource
from orderbridge.domain.story import is_date_only, order_story

PO = "PO-1"


def _entry(
    kind: str, at: datetime, before: str | None, after: str, summary: str, tail: str = ""
) -> HistoryEntry:
    source = HistorySource.CARRIER if kind == "delivered" else HistorySource.TDSYNNEX
    key = f"{PO}:{kind}:{tail or summary}"
    return HistoryEntry(PO, at, before, after, source, summary, key)


FIRST_SEEN = _entry(
    "status", datetime(2026, 12, 1, 2, 26, tzinfo=UTC), None, "Shipped", "first seen as Shipped"
)
SHIPPED = _entry(
    "tracking",
    datetime(2026, 11, 30, tzinfo=UTC),
    None,
    "Shipped",
    "shipped 1Z (UPS Ground) on 2026-11-30",
)
DELIVERED_CHANGE = _entry(
    "status",
    datetime(2026, 12, 2, 9, 5, tzinfo=UTC),
    "Shipped",
    "Delivered",
    "Shipped -> Delivered",
)
DELIVERED = _entry(
    "delivered",
    datetime(2026, 12, 2, tzinfo=UTC),
    "Shipped",
    "Delivered",
    "delivered on 2026-12-02",
)


def test_first_seen_comes_first_with_the_facts_of_that_sync_nested() -> None:
    story = order_story([DELIVERED, SHIPPED, DELIVERED_CHANGE, FIRST_SEEN])
    assert [step.entry for step in story] == [FIRST_SEEN, DELIVERED_CHANGE]
    assert story[0].details == (SHIPPED,)  # shipped before first seen: told under it
    assert story[1].details == (DELIVERED,)  # a day stamped 00:00 UTC, under its change


def test_each_change_is_told_once() -> None:
    story = order_story([FIRST_SEEN, DELIVERED_CHANGE, DELIVERED_CHANGE, DELIVERED, DELIVERED])
    told = [step.entry for step in story] + [d for step in story for d in step.details]
    assert told.count(DELIVERED_CHANGE) == 1
    assert told.count(DELIVERED) == 1


def test_a_fact_without_a_status_change_is_its_own_step_in_time_order() -> None:
    later_tracking = _entry(
        "tracking",
        datetime(2026, 12, 3, 10, tzinfo=UTC),
        "Delivered",
        "Delivered",
        "shipped 1Z2 (UPS Ground) on 2026-12-03",
    )
    story = order_story([later_tracking, DELIVERED_CHANGE, FIRST_SEEN])
    assert [step.entry for step in story] == [FIRST_SEEN, DELIVERED_CHANGE, later_tracking]
    assert story[2].details == ()


def test_dates_without_a_time_are_recognised() -> None:
    assert is_date_only(DELIVERED)
    assert is_date_only(SHIPPED)
    assert not is_date_only(DELIVERED_CHANGE)  # a status change happened at a real moment
