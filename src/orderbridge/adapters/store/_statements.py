"""Dialect-aware statement building shared by the repository modules."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, Executable, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

__all__ = [
    "IN_CHUNK",
    "ROWS_CHUNK",
    "Insert",
    "chunked",
    "execute",
    "insert_for",
    "require_aware",
    "table_of",
]

# SQLite's older builds allow 999 bound variables per statement; stay under it everywhere.
IN_CHUNK = 900
# Multi-row inserts bind roughly ten values per row.
ROWS_CHUNK = 80

Insert = sqlite.Insert | postgresql.Insert


def insert_for(session: Session, table: Table) -> Insert:
    """An INSERT that knows ``ON CONFLICT`` for the session's backend."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def execute(session: Session, statement: Executable) -> CursorResult[Any]:
    """Run a Core statement on the session's connection and return its cursor result."""
    connection: Connection = session.connection()
    # Without this, drivers may report rowcount -1 for INSERT; callers count new rows.
    return connection.execute(statement, execution_options={"preserve_rowcount": True})


def table_of(model: type[Any]) -> Table:
    """The Core table behind a mapped class."""
    return cast(Table, model.__table__)


def chunked(values: Iterable[str], size: int = IN_CHUNK) -> Iterator[list[str]]:
    """Distinct values in order, in lists of at most ``size``."""
    chunk: list[str] = []
    for value in dict.fromkeys(values):
        chunk.append(value)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def require_aware(value: datetime, name: str) -> datetime:
    """Reject naive datetimes at the boundary, with the parameter's name in the message."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")
    return value
