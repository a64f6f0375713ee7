"""Dialect-aware statement building shared by the repository modules."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from functools import cache
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
    "execute_many",
    "insert_for",
    "replace_rows",
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


@cache
def _replacing_insert(dialect_name: str, table: Table, keys: tuple[str, ...]) -> Insert:
    """INSERT replacing the row with the same ``keys``; built once, so compiled once."""
    statement: Insert = (
        postgresql.insert(table) if dialect_name == "postgresql" else sqlite.insert(table)
    )
    replace = {c.name: statement.excluded[c.name] for c in table.c if c.name not in keys}
    return statement.on_conflict_do_update(index_elements=keys, set_=replace)


def replace_rows(
    connection: Connection,
    table: Table,
    keys: tuple[str, ...],
    rows: Sequence[Mapping[str, Any]],
) -> None:
    """Insert ``rows``, each replacing the row with the same ``keys`` (every other column)."""
    if rows:
        statement = _replacing_insert(connection.dialect.name, table, keys)
        connection.execute(statement, [dict(row) for row in rows])


def execute(session: Session, statement: Executable) -> CursorResult[Any]:
    """Run a Core statement on the session's connection and return its cursor result."""
    connection: Connection = session.connection()
    # Without this, drivers may report rowcount -1 for INSERT; callers count new rows.
    return connection.execute(statement, execution_options={"preserve_rowcount": True})


def execute_many(session: Session, statement: Executable, rows: Sequence[Mapping[str, Any]]) -> int:
    """Run a Core statement once per parameter set (executemany); returns the rows changed."""
    connection: Connection = session.connection()
    result = connection.execute(
        statement, [dict(row) for row in rows], execution_options={"preserve_rowcount": True}
    )
    return int(result.rowcount)


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
