"""Update frequency: parsing, descriptions, next-run rules, DST handling and the request budget."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import TypedDict
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from orderbridge.domain.schedule import Frequency, FrequencyKind, budget_gap, next_run


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """An aware UTC instant."""
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def at(
    zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """A local wall-clock time in ``zone`` (first occurrence), as aware UTC."""
    return datetime(year, month, day, hour, minute, second, tzinfo=ZoneInfo(zone)).astimezone(UTC)


class ParseOptions(TypedDict, total=False):
    """The keyword options of ``Frequency.parse``."""

    daily_at: str
    timezone: str
    min_gap_s: float


class RunHistory(TypedDict):
    """The last run and the budget gap, as ``next_run`` takes them."""

    last_started: datetime | None
    last_finished: datetime | None
    min_gap_for_budget: timedelta | None


# --- parsing and describing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "describe"),
    [
        ("realtime", FrequencyKind.REALTIME, "continuously, at least 60 s apart"),
        ("Real-time", FrequencyKind.REALTIME, "continuously, at least 60 s apart"),
        ("hourly", FrequencyKind.HOURLY, "hourly, on the hour (UTC)"),
        ("DAILY", FrequencyKind.DAILY, "daily at 06:00 UTC"),
        ("custom:15m", FrequencyKind.INTERVAL, "every 15 minutes"),
        ("15m", FrequencyKind.INTERVAL, "every 15 minutes"),
        ("custom: 2h", FrequencyKind.INTERVAL, "every 2 hours"),
        ("90s", FrequencyKind.INTERVAL, "every 1 minute 30 seconds"),
        ("1d", FrequencyKind.INTERVAL, "every day"),
        ("1h30m", FrequencyKind.INTERVAL, "every 1 hour 30 minutes"),
        ("every 45 minutes", FrequencyKind.INTERVAL, "every 45 minutes"),
        ("custom:*/15 * * * *", FrequencyKind.CRON, 'on the cron schedule "*/15 * * * *" (UTC)'),
        (
            "*/15  8-18 * * 1-5",
            FrequencyKind.CRON,
            'on the cron schedule "*/15 8-18 * * 1-5" (UTC)',
        ),
    ],
)
def test_parse_accepts_each_form_and_describes_it(
    text: str, kind: FrequencyKind, describe: str
) -> None:
    frequency = Frequency.parse(text)
    assert frequency.kind is kind
    assert frequency.describe().endswith(describe)
    assert Frequency.parse(frequency.text) == frequency


def test_parse_keeps_daily_time_zone_and_gap() -> None:
    daily = Frequency.parse("daily", daily_at="07:45", timezone="Europe/London")
    assert daily.daily_at == time(7, 45)
    assert daily.describe() == "daily at 07:45 Europe/London"
    realtime = Frequency.parse("realtime", min_gap_s=300)
    assert realtime.min_gap == timedelta(minutes=5)
    assert realtime.describe() == "continuously, at least 300 s apart"


@pytest.mark.parametrize(
    ("text", "kwargs", "message"),
    [
        ("15x", {}, "'15x' is not an interval like 15m, 2h or 1d, nor a cron expression like"),
        ("weekly", {}, "not an interval like 15m"),
        ("15", {}, "not an interval like 15m"),
        ("30s", {}, "at least 1 minute"),
        ("0m", {}, "at least 1 minute"),
        ("400d", {}, "366 days"),
        ("1m1m", {}, "twice"),
        ("custom", {}, "needs an interval or a cron expression"),
        ("custom:", {}, "needs an interval or a cron expression"),
        ("0 */5 * * * *", {}, "5-field cron"),
        ("61 * * * *", {}, "not a valid cron expression"),
        ("0 0 30 2 *", {}, "never matches"),
        ("daily", {"daily_at": "25:00"}, "HH:MM"),
        ("daily", {"daily_at": "6am"}, "HH:MM"),
        ("daily", {"timezone": "Mars/Olympus"}, "IANA name"),
        ("daily", {"timezone": "America"}, "IANA name"),
        ("realtime", {"min_gap_s": 0}, "more than 0 seconds"),
    ],
)
def test_parse_rejects_bad_text_with_an_actionable_message(
    text: str, kwargs: ParseOptions, message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Frequency.parse(text, **kwargs)


def test_constructor_enforces_the_same_rules_as_parse() -> None:
    with pytest.raises(ValueError, match="at least 1 minute"):
        Frequency(FrequencyKind.INTERVAL, interval=timedelta(seconds=59))
    with pytest.raises(ValueError, match="needs an interval"):
        Frequency(FrequencyKind.INTERVAL)
    with pytest.raises(ValueError, match="5-field cron"):
        Frequency(FrequencyKind.CRON)


# --- next_run: one example per rule -----------------------------------------------------------

NOW = utc(2024, 5, 15, 10, 7)
LONDON, NEW_YORK = "Europe/London", "America/New_York"
MIN = timedelta(minutes=1)


def case(
    name: str, text: str, now: datetime, expected: datetime, *history: object, **kw: str
) -> object:
    """One row: frequency text (+ daily_at/timezone), now, expected, then started/finished/gap."""
    started, finished, gap = (*history, None, None, None)[:3]
    return pytest.param(text, kw, now, started, finished, gap, expected, id=name)


# A row: name, frequency text, now, expected, then last_started, last_finished, budget gap.
# fmt: off
RULES = [
    case("realtime first cycle starts at once", "realtime", NOW, NOW),
    case("realtime waits the gap after the finish", "realtime", NOW, NOW + 40 * MIN / 60,
         NOW - MIN, NOW - MIN / 3),
    case("realtime long idle is due now", "realtime", NOW, NOW, NOW - 180 * MIN, NOW - 180 * MIN),
    case("realtime keeps the budget gap from the start", "realtime", NOW, NOW + 13 * MIN,
         NOW - 2 * MIN, NOW - MIN, budget_gap(2_500, 10_000)),
    case("hourly first cycle starts at once", "hourly", NOW, NOW),
    case("hourly runs on the hour", "hourly", NOW, utc(2024, 5, 15, 11),
         utc(2024, 5, 15, 10, 0, 20)),
    case("hourly on the local hour in Kolkata", "hourly", NOW, utc(2024, 5, 15, 10, 30), NOW,
         timezone="Asia/Kolkata"),
    case("hourly overrun is due now, no drift", "hourly", utc(2024, 5, 15, 10, 20),
         utc(2024, 5, 15, 10, 20), utc(2024, 5, 15, 9, 0, 30), utc(2024, 5, 15, 10, 20)),
    case("daily first run waits for the time", "daily", NOW, at(LONDON, 2024, 5, 16, 6),
         timezone=LONDON),
    case("daily first run later today", "daily", utc(2024, 5, 15, 4), at(LONDON, 2024, 5, 15, 6),
         timezone=LONDON),
    case("daily next local day", "daily", NOW, at(LONDON, 2024, 5, 16, 6),
         at(LONDON, 2024, 5, 15, 6, 0, 40), timezone=LONDON),
    case("daily skipped time runs at the first valid instant", "daily",
         at(NEW_YORK, 2024, 3, 9, 2, 30), at(NEW_YORK, 2024, 3, 10, 3, 0),
         at(NEW_YORK, 2024, 3, 9, 2, 30), daily_at="02:30", timezone=NEW_YORK),
    case("daily back to the wall time after spring forward", "daily",
         at(NEW_YORK, 2024, 3, 10, 3), at(NEW_YORK, 2024, 3, 11, 2, 30),
         at(NEW_YORK, 2024, 3, 10, 3), daily_at="02:30", timezone=NEW_YORK),
    case("daily repeated time runs at the first occurrence", "daily", utc(2024, 10, 26, 0, 30),
         utc(2024, 10, 27, 0, 30), utc(2024, 10, 26, 0, 30), daily_at="01:30", timezone=LONDON),
    case("daily repeated time never runs twice", "daily", utc(2024, 10, 27, 0, 30),
         utc(2024, 10, 28, 1, 30), utc(2024, 10, 27, 0, 30), daily_at="01:30", timezone=LONDON),
    case("interval first cycle starts at once", "15m", NOW, NOW),
    case("interval counts from the last start", "15m", NOW, NOW + 11 * MIN, NOW - 4 * MIN),
    case("interval missed runs coalesce into one", "15m", NOW, NOW, NOW - 2 * 24 * 60 * MIN),
    case("interval catch-up is followed by the normal gap", "15m", NOW, NOW + 15 * MIN, NOW),
    case("interval waits for the budget gap", "1m", NOW, NOW + 6 * MIN, NOW, None,
         budget_gap(1_000, 10_000)),
    case("cron next match in the zone", "*/15 8-18 * * 1-5", at(LONDON, 2024, 5, 17, 18, 45),
         at(LONDON, 2024, 5, 20, 8), at(LONDON, 2024, 5, 17, 18, 45), timezone=LONDON),
    case("cron first run on a match is due now", "*/15 8-18 * * 1-5",
         at(LONDON, 2024, 5, 17, 18, 45), at(LONDON, 2024, 5, 17, 18, 45), timezone=LONDON),
    case("cron first run waits for a match", "*/15 8-18 * * 1-5",
         at(LONDON, 2024, 5, 17, 18, 50), at(LONDON, 2024, 5, 20, 8), timezone=LONDON),
    case("cron skipped time runs at the first valid instant", "30 2 * * *", utc(2024, 3, 9, 12),
         at(NEW_YORK, 2024, 3, 10, 3), utc(2024, 3, 9, 12), timezone=NEW_YORK),
    case("cron fixed time runs once when clocks go back", "30 1 * * *", utc(2024, 10, 27, 0, 30),
         utc(2024, 10, 28, 1, 30), utc(2024, 10, 27, 0, 30), timezone=LONDON),
    case("cron wildcard hour runs in both passes", "30 * * * *", utc(2024, 10, 27, 0, 30),
         utc(2024, 10, 27, 1, 30), utc(2024, 10, 27, 0, 30), timezone=LONDON),
]
# fmt: on


@pytest.mark.parametrize(("text", "kwargs", "now", "started", "finished", "gap", "expected"), RULES)
def test_next_run_rules(
    text: str,
    kwargs: ParseOptions,
    now: datetime,
    started: datetime | None,
    finished: datetime | None,
    gap: timedelta | None,
    expected: datetime,
) -> None:
    frequency = Frequency.parse(text, **kwargs)
    due = next_run(
        frequency, now=now, last_started=started, last_finished=finished, min_gap_for_budget=gap
    )
    assert due == expected
    assert due.tzinfo is UTC


def test_budget_gap_examples() -> None:
    assert budget_gap(2_500, 10_000) == timedelta(minutes=15)
    assert budget_gap(3_000, 10_000) == timedelta(minutes=20)  # 3 cycles, not 3.33


def test_budget_gap_for_a_cycle_bigger_than_the_budget_keeps_the_average_rate() -> None:
    assert budget_gap(25_000, 10_000) == timedelta(hours=2, minutes=30)
    assert budget_gap(0, 10_000) == timedelta(0)
    with pytest.raises(ValueError, match="positive"):
        budget_gap(10, 0)
    with pytest.raises(ValueError, match="negative"):
        budget_gap(-1, 10_000)


def test_next_run_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_run(Frequency.parse("hourly"), now=datetime(2024, 5, 15, 10))
    with pytest.raises(ValueError, match="last_started"):
        next_run(Frequency.parse("hourly"), now=NOW, last_started=datetime(2024, 5, 15))


# --- properties -------------------------------------------------------------------------------

ZONES = ("America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata", "UTC")
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
zones = st.sampled_from(ZONES)
# Times of day near the clock changes (01:00-03:59 local) are drawn far more often than chance.
wall_times = st.one_of(
    st.builds(time, st.integers(0, 3), st.sampled_from([0, 1, 15, 29, 30, 45, 59])),
    st.builds(time, st.integers(0, 23), st.integers(0, 59)),
)
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@functools.cache
def clock_changes(zone: str, year: int) -> tuple[datetime, ...]:
    """Every instant in ``year`` at which the zone's UTC offset changes (to the hour)."""
    tz, found = ZoneInfo(zone), []
    moment = utc(year, 1, 1)
    offset = moment.astimezone(tz).utcoffset()
    while moment.year == year:
        moment += HOUR
        if moment.astimezone(tz).utcoffset() != offset:
            found.append(moment)
            offset = moment.astimezone(tz).utcoffset()
    return tuple(found)


@st.composite
def zone_and_instant(draw: st.DrawFn) -> tuple[str, datetime]:
    """A zone and an instant, often within two days before one of its clock changes."""
    zone = draw(zones)
    changes = clock_changes(zone, draw(st.integers(2000, 2036)))
    if len(changes) > 0 and draw(st.booleans()):
        before = timedelta(seconds=draw(st.integers(0, 48 * 3600)))
        return zone, draw(st.sampled_from(changes)) - before
    return zone, draw(
        st.datetimes(datetime(2000, 1, 1), datetime(2036, 12, 1), timezones=st.just(UTC))
    )


MINUTE_FIELDS = ("*", "*/15", "0", "30", "5,35", "0-10/5", "45")
HOUR_FIELDS = ("*", "*/3", "1", "2", "8-18", "0,12", "3")
DAY_FIELDS = (("*", "*"), ("*", "1-5"), ("*", "0"), ("15", "*"), ("1,15", "*"))


def cron_values(field: str, low: int, high: int) -> frozenset[int]:
    """The numbers a simple cron field (lists, ranges, steps) stands for: the test's oracle."""
    values: set[int] = set()
    for part in field.split(","):
        span, _, step = part.partition("/")
        first, last = (low, high) if span == "*" else map(int, (span.split("-") * 2)[:2])
        values.update(range(first, last + 1, int(step or 1)))
    return frozenset(values)


def cron_matcher(expression: str) -> Callable[[datetime], bool]:
    """Whether a local time matches ``expression`` (day-of-month or weekday is ``*``)."""
    minute, hour, dom, _, dow = expression.split()
    minutes, hours = cron_values(minute, 0, 59), cron_values(hour, 0, 23)
    days, weekdays = cron_values(dom, 1, 31), cron_values(dow, 0, 6)
    return lambda t: (
        t.minute in minutes and t.hour in hours and t.day in days and t.isoweekday() % 7 in weekdays
    )


def is_clock_change(instant: datetime, tz: ZoneInfo) -> bool:
    before = (instant - timedelta(seconds=1)).astimezone(tz)
    return before.utcoffset() != instant.astimezone(tz).utcoffset()


def wall_exists(wall: datetime, tz: ZoneInfo) -> bool:
    return wall.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall


@st.composite
def frequencies(draw: st.DrawFn) -> Frequency:
    """Any valid frequency."""
    zone = draw(zones)
    kind = draw(st.sampled_from(FrequencyKind))
    if kind is FrequencyKind.INTERVAL:
        return Frequency(kind, interval=timedelta(seconds=draw(st.integers(60, 2 * 86_400))))
    if kind is FrequencyKind.CRON:
        dom, dow = draw(st.sampled_from(DAY_FIELDS))
        minute, hour = draw(st.sampled_from(MINUTE_FIELDS)), draw(st.sampled_from(HOUR_FIELDS))
        return Frequency(kind, cron=f"{minute} {hour} {dom} * {dow}", timezone=zone)
    gap = timedelta(seconds=draw(st.integers(1, 3600)))
    return Frequency(kind, daily_at=draw(wall_times), timezone=zone, min_gap=gap)


@PROPERTY
@given(
    frequency=frequencies(),
    now=st.datetimes(datetime(2000, 1, 1), datetime(2036, 1, 1), timezones=st.just(UTC)),
    ago=st.none() | st.timedeltas(timedelta(0), timedelta(days=3)),
    took=st.timedeltas(timedelta(0), timedelta(hours=2)),
    budget=st.none() | st.timedeltas(timedelta(0), timedelta(hours=2)),
    late=st.timedeltas(timedelta(0), timedelta(days=5)),
)
def test_next_run_is_never_past_is_utc_is_stable_and_coalesces_missed_runs(
    frequency: Frequency,
    now: datetime,
    ago: timedelta | None,
    took: timedelta,
    budget: timedelta | None,
    late: timedelta,
) -> None:
    started = None if ago is None else now - ago
    finished = None if started is None else min(started + took, now)
    history: RunHistory = {
        "last_started": started,
        "last_finished": finished,
        "min_gap_for_budget": budget,
    }
    due = next_run(frequency, now=now, **history)
    assert due >= now
    assert due.tzinfo is UTC
    waiting = now + (due - now) // 2
    if waiting < due:
        assert next_run(frequency, now=waiting, **history) == due
    if started is not None:
        overdue = due + late
        assert next_run(frequency, now=overdue, **history) == overdue
        caught_up = next_run(frequency, now=overdue, last_started=overdue, last_finished=overdue)
        assert caught_up > overdue  # one catch-up run, never a burst


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(zone=zones, daily_at=wall_times, year=st.integers(2000, 2036), delay=st.integers(0, 1800))
def test_daily_runs_once_every_local_day_of_a_year_at_the_wall_time(
    zone: str, daily_at: time, year: int, delay: int
) -> None:
    tz = ZoneInfo(zone)
    frequency = Frequency(FrequencyKind.DAILY, daily_at=daily_at, timezone=zone)
    due = next_run(frequency, now=datetime(year, 1, 1, tzinfo=tz).astimezone(UTC))
    days = []
    for _ in range(366):
        local = due.astimezone(tz)
        wall = datetime.combine(local.date(), daily_at)
        if wall_exists(wall, tz):
            assert local.replace(tzinfo=None) == wall
            assert local.fold == 0  # the first occurrence when the clocks go back
        else:  # skipped by the clocks going forward: the first valid instant after it
            assert is_clock_change(due, tz)
            assert local.time() > daily_at
        days.append(local.date())
        started = due + timedelta(seconds=delay)
        due = next_run(frequency, now=started, last_started=started)
    assert days[0] == date(year, 1, 1)
    assert all(later - earlier == timedelta(days=1) for earlier, later in pairwise(days))


@PROPERTY
@given(
    seconds=st.integers(60, 3 * 86_400),
    start=st.datetimes(datetime(2000, 1, 1), datetime(2036, 1, 1), timezones=st.just(UTC)),
    runs=st.integers(2, 30),
)
def test_interval_schedules_are_periodic(seconds: int, start: datetime, runs: int) -> None:
    frequency = Frequency(FrequencyKind.INTERVAL, interval=timedelta(seconds=seconds))
    starts = [start]
    for _ in range(runs):
        starts.append(next_run(frequency, now=starts[-1], last_started=starts[-1]))
    assert {b - a for a, b in pairwise(starts)} == {timedelta(seconds=seconds)}


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    where=zone_and_instant(),
    minute=st.sampled_from(MINUTE_FIELDS),
    hour=st.sampled_from(HOUR_FIELDS),
    days=st.sampled_from(DAY_FIELDS),
    runs=st.integers(1, 3),
)
def test_cron_runs_match_the_expression_and_skip_no_match(
    where: tuple[str, datetime], minute: str, hour: str, days: tuple[str, str], runs: int
) -> None:
    zone, previous = where
    tz, expression = ZoneInfo(zone), f"{minute} {hour} {days[0]} * {days[1]}"
    matches, fixed_time = cron_matcher(expression), "*" not in minute[:1] + hour[:1]
    frequency = Frequency(FrequencyKind.CRON, cron=expression, timezone=zone)
    for _ in range(runs):
        due = next_run(frequency, now=previous, last_started=previous)
        local = due.astimezone(tz)
        assert matches(local) or is_clock_change(due, tz), local
        minute_mark = previous.replace(second=0, microsecond=0) + MINUTE
        while minute_mark < due:
            passed = minute_mark.astimezone(tz)
            repeated = passed.fold == 1 and passed.replace(fold=0).utcoffset() != passed.utcoffset()
            assert not matches(passed) or (fixed_time and repeated), passed
            minute_mark += MINUTE
        previous = due


@PROPERTY
@given(seconds=st.integers(60, 366 * 86_400))
def test_interval_text_and_description_round_trip(seconds: int) -> None:
    frequency = Frequency(FrequencyKind.INTERVAL, interval=timedelta(seconds=seconds))
    assert Frequency.parse(frequency.text) == frequency
    assert Frequency.parse(frequency.describe()) == frequency


@PROPERTY
@given(
    parts=st.lists(
        st.tuples(st.integers(0, 99), st.sampled_from("dhms")),
        min_size=1,
        max_size=4,
        unique_by=lambda p: p[1],
    )
)
def test_interval_text_adds_up_its_parts(parts: list[tuple[int, str]]) -> None:
    size = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}
    total = sum(amount * size[unit] for amount, unit in parts)
    assume(total >= 60)
    text = "".join(f"{amount}{unit}" for amount, unit in parts)
    assert Frequency.parse(text).interval == timedelta(seconds=total)


@PROPERTY
@given(requests=st.integers(1, 30_000), budget=st.integers(1, 50_000))
def test_budget_gap_is_the_least_spacing_within_the_hourly_budget(
    requests: int, budget: int
) -> None:
    gap = budget_gap(requests, budget)
    if requests > budget:
        assert gap * budget >= HOUR * requests
        return
    most_cycles_in_an_hour = -(-HOUR // gap)
    assert most_cycles_in_an_hour * requests <= budget
    tighter = gap - timedelta(microseconds=1)
    assert -(-HOUR // tighter) * requests > budget


@PROPERTY
@given(
    requests=st.integers(1, 5_000),
    budget=st.integers(1_000, 20_000),
    durations=st.lists(st.integers(0, 900), min_size=5, max_size=60),
    start=st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1), timezones=st.just(UTC)),
)
def test_realtime_cycles_keep_every_rolling_hour_within_the_budget(
    requests: int, budget: int, durations: list[int], start: datetime
) -> None:
    assume(requests <= budget)
    gap, realtime = budget_gap(requests, budget), Frequency.parse("realtime", min_gap_s=1)
    starts: list[datetime] = []
    now, started, finished = start, None, None
    for seconds in durations:
        started = next_run(
            realtime, now=now, last_started=started, last_finished=finished, min_gap_for_budget=gap
        )
        starts.append(started)
        finished = now = started + timedelta(seconds=seconds)
    for window_start in starts:
        in_window = sum(1 for s in starts if window_start <= s < window_start + HOUR)
        assert in_window * requests <= budget
