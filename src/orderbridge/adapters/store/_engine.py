"""Engine creation: SQLite with WAL and a busy timeout, PostgreSQL (psycopg 3) with a pool."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import StaticPool

from ._errors import StoreError

__all__ = ["WRITE", "create_store_engine", "parse_url"]

# Execution option that asks SQLite for BEGIN IMMEDIATE: a write transaction takes the
# write lock up front, so it waits (busy_timeout) instead of failing on a lock upgrade.
WRITE = {"orderbridge_write": True}

SQLITE_BUSY_TIMEOUT_MS = 5000
POSTGRES_CONNECT_TIMEOUT_S = 10


def parse_url(url: str | URL) -> URL:
    """Parse a database URL, accepting ``postgres://`` and defaulting PostgreSQL to psycopg 3."""
    try:
        parsed = make_url(url)
    except exc.ArgumentError as error:
        raise StoreError(
            "the database URL is not valid: expected e.g. sqlite:///orderbridge.db "
            "or postgresql+psycopg://user@host/dbname"
        ) from error
    if parsed.drivername in {"postgres", "postgresql"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise StoreError(
            f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql"
        )
    return parsed


def create_store_engine(url: URL) -> Engine:
    """An engine configured for the store's backend (no connection is made yet)."""
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    try:
        return create_engine(
            url,
            pool_pre_ping=True,
            # A worker runs several jobs of many orders each, and every order and Autotask
            # request touches the store from a thread: keep most of the connections a busy
            # process needs open, so they are not opened and closed all the time (15 at most).
            pool_size=10,
            max_overflow=5,
            pool_recycle=1800,
            connect_args={"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S},
        )
    except (ImportError, exc.NoSuchModuleError) as error:
        raise StoreError(
            f"the database driver for {url.drivername} is not installed: "
            "install psycopg 3 (pip install 'psycopg[binary]') to use PostgreSQL"
        ) from error


def _sqlite_engine(url: URL) -> Engine:
    """A SQLite engine; the driver's own transaction handling is switched off for ours."""
    in_memory = url.database in {None, "", ":memory:"}
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if in_memory:
        # One shared connection, or every checkout would see a different empty database.
        kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Apply the pragmas every SQLite connection needs."""
    # Autocommit at the driver level; _on_sqlite_begin emits BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
    finally:
        cursor.close()


def _on_sqlite_begin(connection: Any) -> None:
    """Start a transaction: IMMEDIATE for writes, DEFERRED for reads (WAL readers never block)."""
    immediate = connection.get_execution_options().get("orderbridge_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
