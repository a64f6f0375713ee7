"""Digest timing, quiet hours and collapsing: property-tested over zones and instants."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderbridge.domain.digest import (
    COLLAPSED_PO_LIMIT,
    DIGEST_PART_LIMIT,
    DigestMode,
    QuietHours,
    compose,
    due_at,
    retry_at,
)
from orderbridge.domain.notices import EventKind, Notice

ZONES = ["UTC", "Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]
instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)
wall_times = st.times().map(lambda t: t.replace(second=0, microsecond=0))
quiet_windows = st.tuples(wall_times, wall_times).filter(lambda w: w[0] != w[1])


@given(created=instants, zone=st.sampled_from(ZONES), mode=st.sampled_from(list(DigestMode)))
def test_never_due_before_it_was_created(created: datetime, zone: str, mode: DigestMode) -> None:
    due = due_at(created, mode, zone=zone)
    assert due >= created
    assert due.tzinfo is not None


@given(created=instants, zone=st.sampled_from(ZONES))
def test_hourly_digest_goes_out_on_the_next_local_hour(created: datetime, zone: str) -> None:
    due = due_at(created, DigestMode.HOURLY, zone=zone)
    local = due.astimezone(ZoneInfo(zone))
    assert (local.minute, local.second, local.microsecond) == (0, 0, 0)
    assert due - created <= timedelta(hours=1)


@given(created=instants, zone=st.sampled_from(ZONES), at=wall_times)
def test_daily_digest_goes_out_within_a_day(created: datetime, zone: str, at: time) -> None:
    due = due_at(created, DigestMode.DAILY, zone=zone, daily_at=at)
    assert timedelta(0) <= due - created <= timedelta(hours=26)


@given(
    created=instants,
    zone=st.sampled_from(ZONES),
    window=quiet_windows,
    mode=st.sampled_from(list(DigestMode)),
)
def test_nothing_is_due_inside_quiet_hours(
    created: datetime, zone: str, window: tuple[time, time], mode: DigestMode
) -> None:
    quiet = QuietHours(*window)
    due = due_at(created, mode, zone=zone, quiet=quiet)
    wall = due.astimezone(ZoneInfo(zone)).time()
    assert not quiet.covers(wall)


@given(created=instants, window=quiet_windows, mode=st.sampled_from(list(DigestMode)))
def test_quiet_hours_in_utc_are_exact(
    created: datetime, window: tuple[time, time], mode: DigestMode
) -> None:
    quiet = QuietHours(*window)
    due = due_at(created, mode, quiet=quiet)
    assert not quiet.covers(due.time())
    assert due >= created


@given(created=instants, zone=st.sampled_from(ZONES), mode=st.sampled_from(list(DigestMode)))
def test_a_due_time_is_stable(created: datetime, zone: str, mode: DigestMode) -> None:
    quiet = QuietHours.parse("20:00-07:00")
    due = due_at(created, mode, zone=zone, quiet=quiet)
    assert due_at(due, mode, zone=zone, quiet=quiet) == due


def test_quiet_hours_across_midnight_hold_until_the_morning() -> None:
    quiet = QuietHours.parse("20:00-07:00")
    evening = datetime(2026, 3, 2, 21, 30, tzinfo=UTC)
    assert due_at(evening, DigestMode.IMMEDIATE, quiet=quiet) == datetime(
        2026, 3, 3, 7, 0, tzinfo=UTC
    )
    morning = datetime(2026, 3, 3, 6, 59, tzinfo=UTC)
    assert due_at(morning, DigestMode.IMMEDIATE, quiet=quiet) == datetime(
        2026, 3, 3, 7, 0, tzinfo=UTC
    )
    noon = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
    assert due_at(noon, DigestMode.IMMEDIATE, quiet=quiet) == noon


def test_quiet_hours_follow_the_rules_time_zone() -> None:
    quiet = QuietHours.parse("20:00-07:00")
    # 20:30 UTC in July is 21:30 in London: quiet until 07:00 London = 06:00 UTC.
    created = datetime(2026, 7, 1, 20, 30, tzinfo=UTC)
    due = due_at(created, DigestMode.IMMEDIATE, zone="Europe/London", quiet=quiet)
    assert due == datetime(2026, 7, 2, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["", "20:00", "25:00-07:00", "08:00-08:00", "8-9"])
def test_bad_quiet_hours_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"quiet hours|time of day"):
        QuietHours.parse(text)


def error(po: str, cause: str) -> Notice:
    return Notice(EventKind.ERROR, f"{po}:status:1", po, f"PO {po}: {cause}", (), cause)


def update(po: str) -> Notice:
    return Notice(EventKind.SHIPPED, f"{po}:tracking:1Z", po, f"PO {po} shipped", ("UPS",))


def test_forty_orders_refused_for_one_cause_are_one_message() -> None:
    notices = [error(f"PO-{i:03}", "Rejected: credit hold") for i in range(40)]
    notices.append(error("PO-999", "Not found: no reason given"))
    messages = compose(notices, DigestMode.IMMEDIATE)
    assert len(messages) == 2
    collapsed = next(m for m in messages if "40 orders" in m.title)
    assert "credit hold" in collapsed.title
    assert f"and {40 - COLLAPSED_PO_LIMIT} more" in collapsed.body
    assert len(collapsed.keys) == 40


def test_a_big_digest_goes_out_in_parts_with_errors_first() -> None:
    notices = [update(f"PO-{i}") for i in range(DIGEST_PART_LIMIT * 2 + 1)]
    notices.append(error("PO-X", "c"))
    messages = compose(notices, DigestMode.HOURLY)
    assert [m.title.split(": ")[0] for m in messages] == [
        f"orderbridge hourly digest (part {i} of 3)" for i in (1, 2, 3)
    ]
    assert "PO PO-X: c" in messages[0].body
    assert all("PO-X" not in m.body for m in messages[1:])


def test_digest_is_one_message_with_errors_collapsed() -> None:
    notices = [update("PO-1"), update("PO-2"), error("PO-3", "c"), error("PO-4", "c")]
    (message,) = compose(notices, DigestMode.DAILY)
    assert message.title == "orderbridge daily digest: 2 updates, 2 orders need attention"
    assert "2 orders: c" in message.body
    assert message.body.count("shipped") == 2


@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.sampled_from(["a", "b", "c"]), st.booleans()),
        max_size=60,
    ),
    st.sampled_from(list(DigestMode)),
)
def test_every_notice_is_in_exactly_one_message(
    spec: list[tuple[int, str, bool]], mode: DigestMode
) -> None:
    notices = []
    for index, (po, cause, is_error) in enumerate(spec):
        base = error(f"PO-{po}", cause) if is_error else update(f"PO-{po}")
        notices.append(Notice(base.kind, f"{base.key}:{index}", *_rest(base)))
    messages = compose(notices, mode)
    keys = [key for m in messages for key in m.keys]
    assert sorted(keys) == sorted(n.key for n in notices)
    causes = {n.cause for n in notices if n.kind is EventKind.ERROR}
    singles = [n for n in notices if n.kind is not EventKind.ERROR]
    if mode is DigestMode.IMMEDIATE:
        assert len(messages) == len(singles) + len(causes)
    else:
        parts = max(1, -(-len(singles) // DIGEST_PART_LIMIT))
        assert len(messages) == (parts if notices else 0)


def _rest(n: Notice) -> tuple[str, str, tuple[str, ...], str | None]:
    return (n.po_number, n.title, n.lines, n.cause)


@given(
    attempts=st.integers(1, 20),
    max_attempts=st.integers(1, 12),
    initial=st.floats(1, 600),
    cap=st.floats(600, 7200),
)
def test_retries_back_off_and_end(
    attempts: int, max_attempts: int, initial: float, cap: float
) -> None:
    now = datetime(2026, 12, 2, tzinfo=UTC)
    when = retry_at(now, attempts, max_attempts=max_attempts, initial_s=initial, max_s=cap)
    if attempts >= max_attempts:
        assert when is None
        return
    assert when is not None
    assert now + timedelta(seconds=initial) <= when + timedelta(microseconds=1)
    assert when <= now + timedelta(seconds=cap)
    later = retry_at(now, attempts + 1, max_attempts=max_attempts + 1, initial_s=initial, max_s=cap)
    assert later is not None
    assert later >= when
