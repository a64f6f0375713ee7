"""Turning JSON input into stored values per field type, and stored values back into JSON.

Times are stored as timezone-aware UTC datetimes and emitted as ``2026-11-26T10:00:00.000Z``;
input is accepted with or without a zone (naive means UTC). Decimals are stored as floats.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from .errors import ApiError
from .schema import DataType, FieldSpec

__all__ = ["coerce", "format_time", "parse_time", "to_json_value"]


# Seeded records share a handful of timestamp objects, so the same few values are formatted
# over and over; equal instants always format alike, whatever their zone.
@lru_cache(maxsize=4096)
def format_time(when: datetime) -> str:
    """A UTC time in the simulator's output format, with milliseconds and ``Z``."""
    when = when.astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def parse_time(text: str) -> datetime:
    """Parse an ISO 8601 time; a value without a zone is UTC. Raises ``ValueError``."""
    text = text.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def to_json_value(value: Any) -> Any:
    """A stored value as JSON."""
    if isinstance(value, datetime):
        return format_time(value)
    return value


def _sql_literal(value: Any) -> str:
    return str(value).replace("'", "''")


def _integral(spec: FieldSpec, value: Any) -> int:
    if isinstance(value, bool):
        raise ApiError(f"Unable to convert a boolean value to an integer for field {spec.name}.")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    # SQL Server's own words: what clients really see when they send a picklist label.
    kinds = {DataType.LONG: "bigint", DataType.SHORT: "smallint"}
    kind = kinds.get(spec.data_type, "int")
    raise ApiError(
        f"Conversion failed when converting varchar '{_sql_literal(value)}' to data type {kind}."
    )


def _decimal(spec: FieldSpec, value: Any) -> float:
    if not isinstance(value, bool) and isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise ApiError("Error converting data type varchar to numeric.") from None
    else:
        raise ApiError("Error converting data type varchar to numeric.")
    if not math.isfinite(number):
        raise ApiError("Error converting data type varchar to numeric.")
    return number


def _boolean(spec: FieldSpec, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ApiError(f"Invalid value for boolean field {spec.name}: '{value}'. Use true or false.")


def _time(spec: FieldSpec, value: Any) -> datetime:
    if isinstance(value, str):
        try:
            return parse_time(value)
        except ValueError:
            pass
    raise ApiError("Conversion failed when converting date and/or time from character string.")


def _string(spec: FieldSpec, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise ApiError(f"Unable to convert the value of field {spec.name} to a string.")


def coerce(spec: FieldSpec, value: Any) -> Any:
    """Convert one non-null JSON value to the field's stored type, or raise ``ApiError``."""
    if spec.data_type.is_integral:
        return _integral(spec, value)
    if spec.data_type is DataType.DECIMAL:
        return _decimal(spec, value)
    if spec.data_type is DataType.BOOLEAN:
        return _boolean(spec, value)
    if spec.data_type is DataType.DATETIME:
        return _time(spec, value)
    return _string(spec, value)
