"""Reading TD SYNNEX field text into Python values, with the adapter's tolerance rules.

Decisions (each tested):

- Empty or missing elements read as None.
- Money may carry thousands separators and a currency sign (``"$1,234.56"``); NaN and infinity
  are refused. Unreadable optional amounts read as None and are logged, so one odd field does
  not block an order's sync.
- Quantities drive the lifecycle, so they are strict: a negative, fractional, non-numeric or
  absurdly large quantity raises ``BadPayload`` naming the field.
- Dates come as ``YYYY-MM-DD``, ``YYYY-MM-DDTHH:MM:SS`` (optionally with fraction or offset) or
  ``MM/DD/YYYY``. A date field given a datetime keeps its calendar date as written.
- Times without an offset are read in ``source_tz`` and converted to UTC. TD SYNNEX does not
  document its zone (probably US Pacific); the default is UTC, and the client takes
  ``source_tz`` as a parameter.
- Dates before 1980 or after 2199 (``9999-12-31``, ``0001-01-01`` placeholders) and unreadable
  dates (``TBD``) read as None and are logged: distributor systems use them for "no date".
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal, InvalidOperation

from ._errors import BadPayload

__all__ = ["read_date", "read_datetime", "read_money", "read_quantity", "split_tracking"]

_log = logging.getLogger("orderbridge.adapters.tdsynnex")

MAX_QUANTITY = 10_000_000
_FIRST_YEAR = 1980
_LAST_YEAR = 2199
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_MONEY_NOISE = re.compile(r"[,\s$€£]|USD|CAD", re.I)
_TRACKING_SPLIT = re.compile(r"[,;\s]+")


def read_quantity(text: str | None, *, field: str, po_number: str | None) -> int | None:
    """A whole, non-negative number of units; None when empty."""
    if text is None:
        return None
    cleaned = text.replace(",", "").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise BadPayload(f"{field} is not a number ({text[:40]!r})", po_number=po_number) from None
    if not value.is_finite() or value != value.to_integral_value():
        raise BadPayload(f"{field} is not a whole number ({text[:40]!r})", po_number=po_number)
    if value < 0:
        raise BadPayload(f"{field} is negative ({text[:40]})", po_number=po_number)
    if value > MAX_QUANTITY:
        raise BadPayload(f"{field} is implausibly large ({text[:40]})", po_number=po_number)
    return int(value)


def read_money(text: str | None, *, field: str, po_number: str | None) -> Decimal | None:
    """An amount of money; separators and currency signs are dropped. None when unreadable."""
    if text is None:
        return None
    cleaned = _MONEY_NOISE.sub("", text)
    if cleaned.startswith("(") and cleaned.endswith(")"):
        cleaned = "-" + cleaned[1:-1]  # accounting notation for a negative amount
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or abs(value) >= Decimal(10) ** 12:
        _log.warning("ignoring unreadable amount in %s for PO %s: %r", field, po_number, text[:40])
        return None
    return value


def read_date(text: str | None, *, field: str, po_number: str | None) -> date | None:
    """A calendar date as written (time and offset ignored); None when empty or a placeholder."""
    parsed = _parse_moment(text, field=field, po_number=po_number)
    if parsed is None:
        return None
    return parsed.date() if isinstance(parsed, datetime) else parsed


def read_datetime(
    text: str | None, *, field: str, po_number: str | None, source_tz: tzinfo = UTC
) -> datetime | None:
    """A timezone-aware UTC datetime; naive values are read in ``source_tz``."""
    parsed = _parse_moment(text, field=field, po_number=po_number)
    if parsed is None:
        return None
    if not isinstance(parsed, datetime):
        parsed = datetime.combine(parsed, time())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=source_tz)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        _log.warning("ignoring out-of-range time in %s for PO %s: %r", field, po_number, text)
        return None


def split_tracking(values: list[str]) -> tuple[str, ...]:
    """Tracking numbers from repeated and/or comma-separated texts, de-duplicated in order."""
    seen: dict[str, None] = {}
    for value in values:
        for part in _TRACKING_SPLIT.split(value):
            if part:
                seen.setdefault(part, None)
    return tuple(seen)


def _parse_moment(text: str | None, *, field: str, po_number: str | None) -> date | datetime | None:
    if text is None:
        return None
    value = _parse_formats(text.strip())
    if value is None:
        _log.warning("ignoring unreadable date in %s for PO %s: %r", field, po_number, text[:40])
        return None
    if not _FIRST_YEAR <= value.year <= _LAST_YEAR:
        _log.info("reading placeholder date in %s for PO %s as no date: %s", field, po_number, text)
        return None
    return value


def _parse_formats(text: str) -> date | datetime | None:
    if text.startswith(("0000-00-00", "00/00/0000")):
        return None
    match = _US_DATE.match(text)
    try:
        if match:
            month, day, year, hour, minute, second = match.groups()
            if hour is None:
                return date(int(year), int(month), int(day))
            return datetime(
                int(year), int(month), int(day), int(hour), int(minute), int(second or 0)
            )
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        return None
