"""When the next sync cycle runs: the update frequency and the Autotask request budget.

Update frequency (one of):

- ``realtime`` — cycles run back to back, each starting at least ``min_gap_s`` seconds (default
  60) after the previous one finished.
- ``hourly`` — at the start of every hour (minute 0) in the configured time zone, like the cron
  expression ``0 * * * *``. Runs are tied to the clock rather than to the previous start, so a
  slow cycle or a late start never makes later runs drift. Use ``custom:1h`` for "60 minutes
  after the previous cycle started" instead.
- ``daily`` — once a day at ``daily_at`` (``HH:MM``, default 06:00) local time in ``timezone``
  (an IANA name such as ``Europe/London``; default UTC). On the day clocks go forward, a time
  that does not exist (02:30 in New York) runs at the first moment after it that does (03:00).
  On the day clocks go back, a time that happens twice runs once, at the first occurrence.
- ``custom:<interval>`` — every interval, counted from the start of the previous cycle:
  ``90s``, ``15m``, ``2h``, ``1d``, ``1h30m`` (units d, h, m, s; words such as ``15 minutes``
  work too). The shortest interval is 1 minute, the longest 366 days.
- ``custom:<cron>`` — a 5-field cron expression (minute hour day-of-month month day-of-week),
  e.g. ``*/15 8-18 * * 1-5``, read in ``timezone``. A time skipped when clocks go forward runs
  at the first moment after it. As in classic cron, when clocks go back a fixed-time entry (no
  ``*`` in the minute or hour field) runs once; entries with ``*`` in either run in both passes.

The ``custom:`` prefix is optional: ``15m`` and ``*/15 * * * *`` are accepted on their own.

Rules every frequency shares:

- With no earlier cycle on record, the first cycle runs at once for ``realtime``, ``hourly``
  and custom intervals; ``daily`` and cron schedules wait for their first scheduled time,
  because they name times you chose on purpose (for example, to keep to office hours).
- A run that is overdue (the daemon was stopped, or a cycle overran) is due now, and every
  missed run is folded into that one catch-up cycle: there is never a burst of cycles.
- Cycles are never closer together than the Autotask request budget allows (see
  ``budget_gap``): Autotask's hourly request limit is shared by every integration on the
  database, so orderbridge spaces its cycles out rather than exhaust it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from croniter import CroniterError, croniter

__all__ = ["MAX_INTERVAL", "MIN_INTERVAL", "Frequency", "FrequencyKind", "budget_gap", "next_run"]

MIN_INTERVAL = timedelta(minutes=1)
MAX_INTERVAL = timedelta(days=366)
_HOUR = timedelta(hours=1)

_UNITS: dict[str, tuple[str, int]] = {
    "d": ("day", 86_400),
    "h": ("hour", 3_600),
    "m": ("minute", 60),
    "s": ("second", 1),
}
_UNIT_WORDS = r"days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s"  # longest first
_INTERVAL_PART = re.compile(rf"(\d+)\s*({_UNIT_WORDS})\s*")
_INTERVAL_TEXT = re.compile(rf"(?:\d+\s*(?:{_UNIT_WORDS})\s*)+")
_WORDS_ONLY = re.compile(r"(day|hour|minute|second)")
_DAILY_AT = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_CRON_FIELD = re.compile(r"[0-9*/,?#LW-]+")
_KEYWORDS = {"realtime": "realtime", "real-time": "realtime", "real time": "realtime"} | {
    "hourly": "hourly",
    "daily": "daily",
}
_CRON_EXAMPLE = '"*/15 * * * *"'


class FrequencyKind(StrEnum):
    """How cycles are spaced: continuously, on the hour, daily, by interval or by cron."""

    REALTIME = "realtime"
    HOURLY = "hourly"
    DAILY = "daily"
    INTERVAL = "interval"
    CRON = "cron"


@dataclass(frozen=True, slots=True)
class Frequency:
    """A validated update frequency; build it with ``Frequency.parse``."""

    kind: FrequencyKind
    interval: timedelta | None = None
    cron: str | None = None
    daily_at: time = time(6, 0)
    timezone: str = "UTC"
    min_gap: timedelta = timedelta(seconds=60)

    def __post_init__(self) -> None:
        _zone(self.timezone)
        if self.min_gap <= timedelta(0):
            raise ValueError("the real-time gap between cycles must be more than 0 seconds")
        if self.daily_at.tzinfo is not None:
            raise ValueError("daily_at is a local wall-clock time; give the zone as timezone")
        if self.kind is FrequencyKind.INTERVAL:
            _check_interval(self.interval)
        if self.kind is FrequencyKind.CRON:
            _check_cron(self.cron)

    @classmethod
    def parse(
        cls,
        text: str,
        *,
        daily_at: str = "06:00",
        timezone: str = "UTC",
        min_gap_s: float = 60,
    ) -> Frequency:
        """Read a frequency from configuration text; raise ``ValueError`` saying what to fix."""
        at = _parse_daily_at(daily_at)
        try:
            gap = timedelta(seconds=min_gap_s)
        except (ValueError, OverflowError):
            raise ValueError(f"{min_gap_s!r} is not a gap in seconds, e.g. 60") from None
        stripped = " ".join(text.split())
        keyword = _KEYWORDS.get(stripped.lower())
        if keyword is not None:
            return cls(FrequencyKind(keyword), daily_at=at, timezone=timezone, min_gap=gap)
        body = stripped
        if body.lower().startswith("custom"):
            body = body[len("custom") :].lstrip(" :")
            if not body:
                raise ValueError(
                    "'custom' needs an interval or a cron expression, e.g. custom:15m or "
                    "custom:*/15 * * * *"
                )
        interval = _parse_interval(body)
        kind = FrequencyKind.INTERVAL if interval is not None else _cron_kind(text, body)
        cron = body if kind is FrequencyKind.CRON else None
        return cls(kind, interval, cron, daily_at=at, timezone=timezone, min_gap=gap)

    @property
    def zone(self) -> ZoneInfo:
        """The configured time zone."""
        return _zone(self.timezone)

    @property
    def text(self) -> str:
        """The canonical configuration text; ``Frequency.parse`` reads it back."""
        if self.kind is FrequencyKind.INTERVAL:
            assert self.interval is not None
            return f"custom:{_compact_interval(self.interval)}"
        if self.kind is FrequencyKind.CRON:
            return f"custom:{self.cron}"
        return self.kind.value

    def describe(self) -> str:
        """The schedule in words, e.g. "every 15 minutes" or "daily at 06:00 Europe/London"."""
        if self.kind is FrequencyKind.REALTIME:
            return f"continuously, at least {self.min_gap.total_seconds():g} s apart"
        if self.kind is FrequencyKind.HOURLY:
            return f"hourly, on the hour ({self.timezone})"
        if self.kind is FrequencyKind.DAILY:
            return f"daily at {self.daily_at:%H:%M} {self.timezone}"
        if self.kind is FrequencyKind.INTERVAL:
            assert self.interval is not None
            return f"every {_verbose_interval(self.interval)}"
        return f'on the cron schedule "{self.cron}" ({self.timezone})'


def next_run(
    frequency: Frequency,
    *,
    now: datetime,
    last_started: datetime | None = None,
    last_finished: datetime | None = None,
    min_gap_for_budget: timedelta | None = None,
) -> datetime:
    """When the next cycle should start (aware UTC): never before ``now``; ``now`` if overdue."""
    now = _utc(now, "now")
    started = None if last_started is None else _utc(last_started, "last_started")
    finished = None if last_finished is None else _utc(last_finished, "last_finished")
    due = _scheduled(frequency, now=now, started=started, finished=finished)
    if started is not None and min_gap_for_budget is not None:
        due = max(due, started + min_gap_for_budget)
    return max(due, now)


def budget_gap(requests_per_cycle: int, hourly_budget: int) -> timedelta:
    """The least spacing between cycle starts that keeps any rolling hour within the budget.

    With a gap ``g`` at most ``ceil(1 h / g)`` cycles start inside any 60-minute window, so the
    gap is one hour divided by the whole number of cycles the budget pays for. A cycle that
    alone needs more than the hourly budget gets a gap that keeps the average rate within it.
    """
    if hourly_budget <= 0:
        raise ValueError("the hourly request budget must be a positive number of requests")
    if requests_per_cycle < 0:
        raise ValueError("requests per cycle cannot be negative")
    if requests_per_cycle == 0:
        return timedelta(0)
    hour_us = 3_600_000_000
    cycles_paid_for = hourly_budget // requests_per_cycle
    if cycles_paid_for == 0:
        return timedelta(microseconds=-(-hour_us * requests_per_cycle // hourly_budget))
    return timedelta(microseconds=-(-hour_us // cycles_paid_for))


def _scheduled(
    frequency: Frequency, *, now: datetime, started: datetime | None, finished: datetime | None
) -> datetime:
    """The next slot from the schedule alone, possibly in the past (overdue)."""
    kind = frequency.kind
    if kind is FrequencyKind.REALTIME:
        anchor = finished or started
        return now if anchor is None else anchor + frequency.min_gap
    if started is None:
        just_before = now - timedelta(microseconds=1)  # a slot at exactly ``now`` is due now
        if kind is FrequencyKind.DAILY:
            return _next_daily(frequency.daily_at, frequency.zone, after=just_before)
        if kind is FrequencyKind.CRON:
            assert frequency.cron is not None
            return _next_cron(frequency.cron, frequency.zone, after=just_before)
        return now
    if kind is FrequencyKind.HOURLY:
        return _next_top_of_hour(frequency.zone, after=started)
    if kind is FrequencyKind.DAILY:
        return _next_daily(frequency.daily_at, frequency.zone, after=started)
    if kind is FrequencyKind.INTERVAL:
        assert frequency.interval is not None
        return started + frequency.interval
    assert frequency.cron is not None
    return _next_cron(frequency.cron, frequency.zone, after=started)


def _next_top_of_hour(zone: ZoneInfo, *, after: datetime) -> datetime:
    # Every zone in use today is offset from UTC by a multiple of 15 minutes, so a local
    # top of the hour is one of the next quarter hours in UTC, DST changes included.
    quarter = after.replace(minute=after.minute - after.minute % 15, second=0, microsecond=0)
    for step in range(1, 10):
        candidate = quarter + timedelta(minutes=15 * step)
        local = candidate.astimezone(zone)
        if local.minute == 0 and local.second == 0:
            return candidate
    return after + _HOUR


def _next_daily(at: time, zone: ZoneInfo, *, after: datetime) -> datetime:
    """The first run of a daily-at-``at`` schedule strictly after ``after``."""
    day = after.astimezone(zone).date() - timedelta(days=1)
    for offset in range(6):
        candidate = _daily_instant(datetime.combine(day + timedelta(days=offset), at), zone)
        if candidate is not None and candidate > after:
            return candidate
    raise AssertionError("a daily time occurs at least once in any six days")  # pragma: no cover


def _daily_instant(wall: datetime, zone: ZoneInfo) -> datetime | None:
    """When wall-clock ``wall`` happens (first occurrence; the gap's end if it is skipped).

    None when the whole local day is skipped (as Samoa skipped 30 December 2011).
    """
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first
    substitute = _gap_end(zone, wall.replace(tzinfo=zone, fold=1).astimezone(UTC), first)
    return substitute if substitute.astimezone(zone).date() == wall.date() else None


def _gap_end(zone: ZoneInfo, before: datetime, after: datetime) -> datetime:
    """The clock-change instant between ``before`` (old offset) and ``after`` (new offset)."""
    target = after.astimezone(zone).utcoffset()
    low, high = before, after
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == target:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def _next_cron(expression: str, zone: ZoneInfo, *, after: datetime) -> datetime:
    """The next cron match strictly after ``after``, read in ``zone``."""
    fixed_time = not any(field.startswith("*") for field in expression.split()[:2])
    schedule = croniter(expression, after.astimezone(zone))
    # A repeated hour can hide one match per minute of it (``0-10/5`` hides three).
    for _ in range(61):
        local = schedule.get_next(datetime).astimezone(UTC).astimezone(zone)
        if not (fixed_time and _is_second_pass(local)):
            return local.astimezone(UTC)
    raise AssertionError("a repeated hour hides at most 60 matches")  # pragma: no cover


def _is_second_pass(local: datetime) -> bool:
    """True for a wall-clock time the clocks show for the second time (after going back)."""
    return local.fold == 1 and local.replace(fold=0).utcoffset() != local.utcoffset()


def _utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (orderbridge works in UTC)")
    return value.astimezone(UTC)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        raise ValueError(
            f"{name!r} is not a time zone; use an IANA name such as UTC, Europe/London or "
            f"America/New_York"
        ) from None


def _parse_daily_at(text: str) -> time:
    match = _DAILY_AT.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a time of day; write it as HH:MM, e.g. 06:00 or 18:30")
    return time(int(match.group(1)), int(match.group(2)))


def _parse_interval(text: str) -> timedelta | None:
    """An interval such as ``1h30m`` or ``every 15 minutes``; None if the text is not one."""
    body = text.lower().removeprefix("every").strip()
    if _WORDS_ONLY.fullmatch(body):
        body = f"1 {body}"
    if not _INTERVAL_TEXT.fullmatch(body):
        return None
    seen: set[str] = set()
    total = 0
    for amount, unit_word in _INTERVAL_PART.findall(body):
        unit = unit_word[0]
        if unit in seen:
            raise ValueError(f"{text!r} names the unit {_UNITS[unit][0]!r} twice")
        seen.add(unit)
        total += int(amount) * _UNITS[unit][1]
    if total > MAX_INTERVAL.total_seconds():
        raise ValueError(f"{text!r} is longer than the longest interval, 366 days")
    return timedelta(seconds=total)


def _cron_kind(text: str, body: str) -> FrequencyKind:
    """CRON when ``body`` has the five cron fields; otherwise say what the text should be."""
    fields = body.split()
    if len(fields) == 5:
        return FrequencyKind.CRON
    if len(fields) in (6, 7) and all(_CRON_FIELD.fullmatch(f) for f in fields):
        raise ValueError(
            f"{text!r} has {len(fields)} fields; orderbridge takes 5-field cron expressions "
            f"(minute hour day-of-month month day-of-week, no seconds or years), "
            f"e.g. {_CRON_EXAMPLE}"
        )
    raise ValueError(
        f"{text!r} is not an interval like 15m, 2h or 1d, nor a cron expression like "
        f"{_CRON_EXAMPLE} (or one of realtime, hourly, daily)"
    )


def _check_interval(interval: timedelta | None) -> None:
    if interval is None:
        raise ValueError("an interval schedule needs an interval, e.g. 15m")
    if interval < MIN_INTERVAL:
        raise ValueError(
            f"the interval {_compact_interval(interval)} is too short: custom intervals are at "
            f"least 1 minute (use realtime for back-to-back cycles)"
        )
    if interval > MAX_INTERVAL:
        raise ValueError("custom intervals are at most 366 days")


def _check_cron(expression: str | None) -> None:
    if expression is None or len(expression.split()) != 5:
        raise ValueError(
            f"{expression!r} is not a 5-field cron expression "
            f"(minute hour day-of-month month day-of-week), e.g. {_CRON_EXAMPLE}"
        )
    if not croniter.is_valid(expression):
        raise ValueError(
            f"{expression!r} is not a valid cron expression; fields are minute (0-59), hour "
            f"(0-23), day of month (1-31), month (1-12), day of week (0-6, Sunday is 0)"
        )
    try:
        croniter(expression, datetime(2000, 1, 1, tzinfo=UTC)).get_next(datetime)
    except CroniterError:
        raise ValueError(f"the cron expression {expression!r} never matches a date") from None


def _split_interval(interval: timedelta) -> list[tuple[int, str]]:
    remaining = int(interval.total_seconds())
    parts: list[tuple[int, str]] = []
    for unit, (_, size) in _UNITS.items():
        amount, remaining = divmod(remaining, size)
        if amount:
            parts.append((amount, unit))
    return parts


def _compact_interval(interval: timedelta) -> str:
    return "".join(f"{amount}{unit}" for amount, unit in _split_interval(interval)) or "0s"


def _verbose_interval(interval: timedelta) -> str:
    parts = _split_interval(interval)
    if len(parts) == 1 and parts[0][0] == 1:
        return _UNITS[parts[0][1]][0]
    words = (f"{n} {_UNITS[u][0]}{'' if n == 1 else 's'}" for n, u in parts)
    return " ".join(words)
