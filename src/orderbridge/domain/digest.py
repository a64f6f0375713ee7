"""When a notification goes out (at once, hourly or daily digest, quiet hours), and digests.

Times are timezone-aware UTC in and out; the rule's time zone decides what "hourly", "daily at
08:00" and "quiet 20:00-07:00" mean on the wall clock, DST changes included. ``compose`` turns
the notices due together on one channel into messages: one per notice when sent at once, one per
digest otherwise, and in both cases errors with the same cause become one collapsed section.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from orderbridge.domain.notices import EventKind, Notice
from orderbridge.domain.schedule import Frequency, next_run

__all__ = [
    "DIGEST_PART_LIMIT",
    "DigestMode",
    "Message",
    "QuietHours",
    "compose",
    "due_at",
    "retry_at",
]

_TICK = timedelta(microseconds=1)
_HHMM = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)\s*$")
COLLAPSED_PO_LIMIT = 20  # PO numbers listed in a collapsed error section before "and N more"
# Updates per digest message: chat services cap a message's size (Teams near 28 KB), so a big
# digest goes out in parts.
DIGEST_PART_LIMIT = 200


class DigestMode(StrEnum):
    """How a rule batches its notifications."""

    IMMEDIATE = "immediate"
    HOURLY = "hourly"
    DAILY = "daily"


def _parse_hhmm(text: str) -> time:
    match = _HHMM.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a time of day (HH:MM, 24-hour)")
    return time(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily window (local time) in which nothing is sent; it may cross midnight."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """Read ``"20:00-07:00"``; start and end must differ."""
        start, sep, end = text.partition("-")
        form = "write quiet hours as HH:MM-HH:MM, e.g. 20:00-07:00"
        if not sep:
            raise ValueError(f"{text!r}: {form}")
        try:
            window = cls(_parse_hhmm(start), _parse_hhmm(end))
        except ValueError as exc:
            raise ValueError(f"{text!r}: {form} ({exc})") from None
        if window.start == window.end:
            raise ValueError(f"{text!r}: quiet hours must start and end at different times")
        return window

    @property
    def text(self) -> str:
        """The canonical ``HH:MM-HH:MM`` form."""
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def covers(self, wall: time) -> bool:
        """True when the local time ``wall`` falls inside the window (end excluded)."""
        if self.start < self.end:
            return self.start <= wall < self.end
        return wall >= self.start or wall < self.end


def _next_daily_at(at: time, zone: str, moment: datetime) -> datetime:
    """The first instant at or after ``moment`` whose local time is ``at`` (DST-safe)."""
    daily = Frequency.parse("daily", daily_at=f"{at:%H:%M}", timezone=zone)
    return next_run(daily, now=moment, last_started=moment - _TICK)


def _next_hour(zone: str, moment: datetime) -> datetime:
    """The first local top of the hour at or after ``moment``."""
    hourly = Frequency.parse("hourly", timezone=zone)
    return next_run(hourly, now=moment, last_started=moment - _TICK)


def _after_quiet(quiet: QuietHours, zone: str, moment: datetime) -> datetime:
    """``moment``, or the end of the quiet window it falls in."""
    wall = moment.astimezone(Frequency.parse("hourly", timezone=zone).zone).time()
    if not quiet.covers(wall.replace(tzinfo=None)):
        return moment
    return _next_daily_at(quiet.end, zone, moment)


def due_at(
    created: datetime,
    mode: DigestMode,
    *,
    zone: str = "UTC",
    quiet: QuietHours | None = None,
    daily_at: time = time(8, 0),
) -> datetime:
    """When a notification created at ``created`` should be sent (never before ``created``)."""
    if created.tzinfo is None:
        raise ValueError("created must be timezone-aware")
    if mode is DigestMode.HOURLY:
        due = _next_hour(zone, created)
    elif mode is DigestMode.DAILY:
        due = _next_daily_at(daily_at, zone, created)
    else:
        due = created
    return due if quiet is None else _after_quiet(quiet, zone, due)


def retry_at(
    now: datetime,
    attempts: int,
    *,
    max_attempts: int,
    initial_s: float,
    max_s: float,
) -> datetime | None:
    """When to try again after the ``attempts``-th failed try, or None to give up.

    The wait doubles from ``initial_s`` up to ``max_s``; after ``max_attempts`` tries the
    notification is given up.
    """
    if attempts >= max_attempts:
        return None
    wait = min(max_s, initial_s * 2 ** max(attempts - 1, 0))
    return now + timedelta(seconds=wait)


@dataclass(frozen=True, slots=True)
class Message:
    """One message to send: a title, a plain-text body, and the notices it carries."""

    title: str
    body: str
    keys: tuple[str, ...]


def _collapsed(cause: str, notices: Sequence[Notice]) -> list[str]:
    numbers = sorted({n.po_number for n in notices})
    shown = ", ".join(numbers[:COLLAPSED_PO_LIMIT])
    more = len(numbers) - COLLAPSED_PO_LIMIT
    tail = f" and {more} more" if more > 0 else ""
    return [f"{len(numbers)} orders: {cause}", f"  {shown}{tail}"]


def _error_groups(notices: Sequence[Notice]) -> dict[str, list[Notice]]:
    groups: dict[str, list[Notice]] = {}
    for notice in notices:
        if notice.kind is EventKind.ERROR:
            groups.setdefault(notice.cause or notice.title, []).append(notice)
    return groups


def _single(notice: Notice) -> Message:
    return Message(notice.title, "\n".join(notice.lines) or notice.title, (notice.key,))


def _error_message(cause: str, notices: Sequence[Notice]) -> Message:
    if len(notices) == 1:
        return _single(notices[0])
    title = f"{len({n.po_number for n in notices})} orders need attention: {cause}"
    return Message(title, "\n".join(_collapsed(cause, notices)), tuple(n.key for n in notices))


def _digest(notices: Sequence[Notice], label: str) -> Message:
    errors = _error_groups(notices)
    others = [n for n in notices if n.kind is not EventKind.ERROR]
    body: list[str] = []
    for cause, group in sorted(errors.items()):
        body.extend(_collapsed(cause, group) if len(group) > 1 else [group[0].title])
    if errors and others:
        body.append("")
    for notice in sorted(others, key=lambda n: (n.po_number, n.kind.value, n.key)):
        body.append(notice.title)
        body.extend(f"  {line}" for line in notice.lines)
    attention = sum(len({n.po_number for n in g}) for g in errors.values())
    parts = [f"{len(others)} updates"] if others else []
    if attention:
        parts.append(f"{attention} orders need attention")
    title = f"orderbridge {label}: {', '.join(parts)}"
    return Message(title, "\n".join(body), tuple(n.key for n in notices))


def compose(notices: Sequence[Notice], mode: DigestMode) -> list[Message]:
    """The messages that carry ``notices`` (all due now on one channel, for one audience).

    Sent at once, each notice is its own message except errors, which are collapsed into one
    message per cause. As a digest, everything is one message with errors collapsed by cause
    (in parts of ``DIGEST_PART_LIMIT`` updates when there are more; errors go in the first).
    Every notice's key is in exactly one message.
    """
    if not notices:
        return []
    if mode is not DigestMode.IMMEDIATE:
        errors = [n for n in notices if n.kind is EventKind.ERROR]
        others = [n for n in notices if n.kind is not EventKind.ERROR]
        step = DIGEST_PART_LIMIT
        parts = [others[i : i + step] for i in range(0, len(others), step)] or [[]]
        label = f"{mode.value} digest"
        return [
            _digest(
                [*part, *(errors if index == 0 else [])],
                label if len(parts) == 1 else f"{label} (part {index + 1} of {len(parts)})",
            )
            for index, part in enumerate(parts)
        ]
    messages = [_single(n) for n in notices if n.kind is not EventKind.ERROR]
    for cause, group in sorted(_error_groups(notices).items()):
        messages.append(_error_message(cause, group))
    return messages
