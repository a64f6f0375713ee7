"""Tolerant readers for carrier JSON: nested lookups, ISO times with nanoseconds, numbers."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from orderbridge.domain.package_tracking import Dimensions, PackageStatus, Weight

__all__ = [
    "code_messages",
    "dig",
    "dimensions_of",
    "items",
    "joined",
    "obj",
    "parse_date",
    "parse_decimal",
    "parse_time",
    "place",
    "problem_of",
    "text",
    "weight_of",
]

_FRACTION = re.compile(r"(\.\d{6})\d+")


def dig(data: Any, *path: str | int) -> Any:
    """``data[a][b]...`` or None when any step is missing or of the wrong type."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(data, list) or not -len(data) <= step < len(data):
                return None
            data = data[step]
        else:
            if not isinstance(data, dict):
                return None
            data = data.get(step)
    return data


def obj(value: Any) -> dict[str, Any]:
    """The value when it is a JSON object, else an empty one (hostile or missing shapes)."""
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[dict[str, Any]]:
    """A list of objects from a value that may be a list, one object, or missing."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []


def code_messages(value: Any) -> str:
    """``code message`` of each object in a list of errors or warnings, joined by ``; ``."""
    return "; ".join(f"{text(e.get('code'))} {text(e.get('message'))}" for e in items(value))


def joined(*parts: str | None, sep: str = ", ") -> str | None:
    """The parts that are present, joined; None when none is."""
    return sep.join(p for p in parts if p) or None


def problem_of(status: PackageStatus, *reasons: str | None) -> str | None:
    """What went wrong with an exception or a return: the reasons given, else the status."""
    if status not in (PackageStatus.EXCEPTION, PackageStatus.RETURNED):
        return None
    return joined(*reasons, sep="; ") or str(status)


def place(address: Any, *keys: str) -> str | None:
    """An address object's named parts (city, region, country...), joined; None when empty."""
    return joined(*(text(obj(address).get(k)) for k in keys))


def text(value: Any) -> str | None:
    """A stripped string, or None for anything empty or not a string/number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | str):
        cleaned = " ".join(str(value).split())
        return cleaned or None
    return None


def parse_time(value: Any) -> datetime | None:
    """An aware datetime from ISO text (nanoseconds and ``Z`` accepted); naive is read as UTC."""
    raw = text(value)
    if raw is None:
        return None
    raw = _FRACTION.sub(r"\1", raw.replace("Z", "+00:00").replace("z", "+00:00"))
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def parse_date(value: Any) -> date | None:
    """A date from ``YYYY-MM-DD``, ``YYYYMMDD`` or the date part of an ISO time."""
    raw = text(value)
    if raw is None:
        return None
    if len(raw) == 8 and raw.isdigit():
        raw = f"{raw[:4]}-{raw[4:6]}-{raw[6:]}"
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        return None


def parse_decimal(value: Any) -> Decimal | None:
    """A finite, non-negative decimal, or None."""
    raw = text(value)
    if raw is None:
        return None
    try:
        number = Decimal(raw)
    except InvalidOperation:
        return None
    return number if number.is_finite() and number >= 0 else None


def weight_of(value: Any, unit: Any) -> Weight | None:
    """A weight with a unit, when both read."""
    amount, name = parse_decimal(value), text(unit)
    if amount is None or not amount:
        return None
    return Weight(amount, (name or "LB").upper().rstrip("S") or "LB")


def dimensions_of(length: Any, width: Any, height: Any, unit: Any) -> Dimensions | None:
    """Three sides with a unit, when all three read."""
    sides = [parse_decimal(v) for v in (length, width, height)]
    if any(s is None or not s for s in sides):
        return None
    a, b, c = (s for s in sides if s is not None)
    return Dimensions(a, b, c, (text(unit) or "IN").upper())
