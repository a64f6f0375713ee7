"""Backup and restore of the whole store, safe while the daemon keeps writing.

Three file kinds, told apart by their first bytes:

- SQLite store: a SQLite database file made with SQLite's online backup API (a consistent copy
  of a live WAL database; writers are not blocked for long).
- PostgreSQL store with ``pg_dump`` on the PATH: a ``pg_dump --format=custom`` archive of
  orderbridge's schema (restored with ``pg_restore`` into the same schema name).
- PostgreSQL store without ``pg_dump``: a logical export, gzip'd JSON Lines (a header line, then
  one line per row, table by table in foreign-key order), read inside one REPEATABLE READ
  transaction so it is a consistent snapshot.

Restore reads any of them into an empty store (SQLite files and logical exports into either
backend) after checking the schema version, all in one transaction.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Connection, Date, Engine, Table, create_engine, delete, func, select, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from ._errors import StoreError
from ._tables import Base, UtcDateTime

__all__ = [
    "BackupInfo",
    "BackupKind",
    "backup_kind",
    "clear_rows",
    "logical_backup",
    "pg_dump_backup",
    "pg_restore_rows",
    "read_backup_info",
    "restore_rows",
    "sqlite_backup",
    "store_row_count",
]

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
GZIP_MAGIC = b"\x1f\x8b"
LOGICAL_FORMAT = "orderbridge-logical-backup"
BATCH = 500
# Tables whose rows make a store "not empty" (a fresh store has one tenant row and no others).
CONTENT_TABLES = ("order_state", "status_history", "sync_run", "audit_entry", "notification")

BackupKind = Literal["sqlite", "pg_dump", "logical"]


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """What a backup file is and which schema revision it holds."""

    kind: BackupKind
    schema: str


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)


def backup_kind(path: Path) -> BackupKind:
    """Which kind of backup ``path`` is, from its first bytes."""
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        raise StoreError(f"cannot read the backup {path}: {exc.strerror or exc}") from exc
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "pg_dump"
    if head.startswith(GZIP_MAGIC):
        return "logical"
    raise StoreError(f"{path} is not an orderbridge backup (not SQLite, pg_dump or logical)")


def _replace_atomically(partial: Path, target: Path) -> None:
    os.replace(partial, target)


def sqlite_backup(engine: Engine, target: Path) -> None:
    """Copy a live SQLite store with the online backup API."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        destination = sqlite3.connect(partial)
        try:
            # Pages in steps, so a live writer only waits for one step at a time.
            source.backup(destination, pages=1024)
            destination.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
        finally:
            destination.close()
    finally:
        raw.close()
    _replace_atomically(partial, target)


def pg_dump_backup(url: URL, schema: str, target: Path, pg_dump: str) -> None:
    """``pg_dump`` orderbridge's schema into a custom-format archive."""
    partial = target.with_name(target.name + ".partial")
    command = [
        pg_dump,
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        f"--schema={schema}",
        f"--file={partial}",
        f"--dbname={_libpq_url(url)}",
    ]
    env = {**os.environ, **({"PGPASSWORD": str(url.password)} if url.password else {})}
    # A list of arguments, no shell; the tool path comes from shutil.which.
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        message = done.stderr.strip().splitlines()
        reason = message[-1] if message else f"exit code {done.returncode}"
        if url.password:
            reason = reason.replace(str(url.password), "***")
        raise StoreError(f"pg_dump failed: {reason}")
    _replace_atomically(partial, target)


def _libpq_url(url: URL) -> str:
    """The URL as libpq reads it: no driver suffix, no password (that goes in PGPASSWORD)."""
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False)


def logical_backup(engine: Engine, schema: str, target: Path) -> None:
    """Every row of every orderbridge table as gzip'd JSON Lines, from one snapshot."""
    partial = target.with_name(target.name + ".partial")
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        with gzip.open(partial, "wt", encoding="utf-8") as out:
            header = {
                "format": LOGICAL_FORMAT,
                "version": 1,
                "schema": schema,
                "created_at": datetime.now(UTC).isoformat(),
                "tables": [t.name for t in _tables()],
            }
            out.write(json.dumps(header) + "\n")
            for table in _tables():
                result = connection.execution_options(stream_results=True, yield_per=BATCH).execute(
                    select(table)
                )
                for row in result.mappings():
                    line = {"t": table.name, "r": {k: _dump(v) for k, v in row.items()}}
                    out.write(json.dumps(line, ensure_ascii=False) + "\n")
    _replace_atomically(partial, target)


def _dump(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


def read_backup_info(path: Path, pg_restore: str | None = None) -> BackupInfo:
    """The kind and schema revision of a backup file (``StoreError`` if unreadable)."""
    kind = backup_kind(path)
    if kind == "logical":
        try:
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                header = json.loads(handle.readline())
        except (OSError, ValueError, EOFError) as exc:
            raise StoreError(f"{path} is a damaged logical backup: {exc}") from exc
        if not isinstance(header, dict) or header.get("format") != LOGICAL_FORMAT:
            raise StoreError(f"{path} is gzip but not an orderbridge logical backup")
        return BackupInfo(kind, str(header.get("schema")))
    if kind == "sqlite":
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
                row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.Error as exc:
            raise StoreError(f"{path} is not an orderbridge SQLite backup: {exc}") from exc
        if row is None:
            raise StoreError(f"{path} has no schema version: not an orderbridge backup")
        return BackupInfo(kind, str(row[0]))
    return BackupInfo(kind, _pg_dump_schema(path, pg_restore))


def _pg_dump_schema(path: Path, pg_restore: str | None) -> str:
    tool = pg_restore or shutil.which("pg_restore")
    if tool is None:
        raise StoreError("restoring a pg_dump backup needs pg_restore on the PATH")
    done = subprocess.run(  # noqa: S603 - a list of arguments, no shell
        [tool, "--data-only", "--table=alembic_version", "--file=-", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise StoreError(f"pg_restore cannot read {path}: {done.stderr.strip()[:200]}")
    lines = done.stdout.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and index + 1 < len(lines):
            return lines[index + 1].strip()
    raise StoreError(f"{path} has no schema version: not an orderbridge backup")


def store_row_count(connection: Connection) -> int:
    """How many rows the store holds in the tables a restore would overwrite."""
    tables = {t.name: t for t in _tables()}
    return sum(
        connection.scalar(select(func.count()).select_from(tables[name])) or 0
        for name in CONTENT_TABLES
    )


def restore_rows(connection: Connection, path: Path, kind: BackupKind) -> dict[str, int]:
    """Replace every row of the store with the backup's; return rows restored per table."""
    tables = _tables()
    clear_rows(connection)
    counts: dict[str, int] = {}
    by_name = {t.name: t for t in tables}
    for name, rows in _row_batches(path, kind):
        table = by_name.get(name)
        if table is None:
            raise StoreError(f"the backup holds a table this orderbridge does not know: {name}")
        connection.execute(table.insert(), [_load(table, row) for row in rows])
        counts[name] = counts.get(name, 0) + len(rows)
    if connection.dialect.name == "postgresql":
        _reset_sequences(connection, tables)
    return counts


def clear_rows(connection: Connection) -> None:
    """Delete every row of every orderbridge table (children first)."""
    for table in reversed(_tables()):
        connection.execute(delete(table))


def pg_restore_rows(connection: Connection, source: Path, tool: str) -> dict[str, int]:
    """Load a ``pg_dump`` archive's rows through our own transaction, table by table.

    ``pg_restore --file=-`` turns each table's data into COPY text, which goes straight into
    ``COPY ... FROM STDIN`` on this connection: foreign-key order, all or nothing.
    """
    clear_rows(connection)
    driver = connection.connection.driver_connection
    counts: dict[str, int] = {}
    for table in _tables():
        command = [tool, "--data-only", f"--table={table.name}", "--file=-", str(source)]
        # A list of arguments, no shell; the tool path comes from shutil.which.
        # stderr to a file: a chatty pg_restore must not block on a full pipe we do not read.
        with (
            tempfile.TemporaryFile("w+") as stderr,
            subprocess.Popen(  # noqa: S603
                command, stdout=subprocess.PIPE, stderr=stderr, text=True
            ) as process,
        ):
            assert process.stdout is not None
            assert driver is not None
            counts[table.name] = _copy_table(driver, table, process.stdout)
            process.wait()
            stderr.seek(0)
            reason = stderr.read().strip()[:200]
        if process.returncode != 0:
            raise StoreError(f"pg_restore cannot read {source}: {reason}")
    _reset_sequences(connection, _tables())
    return counts


def _copy_table(driver: Any, table: Table, lines: Any) -> int:
    rows = 0
    for line in lines:
        if not line.startswith("COPY "):
            continue
        columns = line[line.index("(") : line.index(")") + 1]
        with (
            driver.cursor() as cursor,
            cursor.copy(f'COPY "{table.name}" {columns} FROM STDIN') as copy,
        ):
            for data in lines:
                if data == "\\.\n":
                    break
                copy.write(data)
                rows += 1
    return rows


def _row_batches(path: Path, kind: BackupKind) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    if kind == "logical":
        yield from _logical_batches(path)
    elif kind == "sqlite":
        yield from _sqlite_batches(path)
    else:
        raise StoreError("a pg_dump backup is restored with pg_restore, not row by row")


def _logical_batches(path: Path) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        handle.readline()  # the header, checked before
        name, batch = "", list[dict[str, Any]]()
        for line in handle:
            record = json.loads(line)
            if record["t"] != name or len(batch) >= BATCH:
                if batch:
                    yield name, batch
                name, batch = record["t"], []
            batch.append(record["r"])
        if batch:
            yield name, batch


def _sqlite_batches(path: Path) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            for table in _tables():
                result = connection.execution_options(yield_per=BATCH).execute(select(table))
                for partition in result.mappings().partitions():
                    yield table.name, [dict(row) for row in partition]
    finally:
        engine.dispose()


def _load(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for column in table.columns:
        value = out.get(column.name)
        if isinstance(column.type, UtcDateTime) and value is not None:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else value
            out[column.name] = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        elif isinstance(column.type, Date) and isinstance(value, str):
            out[column.name] = date.fromisoformat(value)
    return out


def _reset_sequences(connection: Connection, tables: list[Table]) -> None:
    """Point each id sequence past the restored ids, so new rows do not collide."""
    for table in tables:
        if "id" not in table.columns or not table.columns["id"].autoincrement:
            continue
        if table.name in {"tenant"}:
            continue
        highest = connection.scalar(select(func.max(table.c.id))) or 0
        connection.execute(
            text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :next, false)"),
            {"t": table.name, "next": int(highest) + 1},
        )
