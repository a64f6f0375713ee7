"""Errors a user can act on: unreachable, missing, read-only, locked, never-migrated databases."""

from __future__ import annotations

import socket
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from orderbridge.adapters.store import DEFAULT_TENANT, SqlStore, StoreError

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_unreachable_postgres_names_the_url_without_its_password() -> None:
    url = f"postgresql+psycopg://orderbridge:s3cret-pw@127.0.0.1:{_closed_port()}/test"
    store = SqlStore(url)
    try:
        assert "s3cret-pw" not in repr(store)
        with pytest.raises(StoreError) as raised:
            store.migrate()
    finally:
        store.close()
    message = str(raised.value)
    assert "s3cret-pw" not in message
    assert "orderbridge:***@127.0.0.1" in message
    assert "cannot reach the database" in message
    assert "server is running" in message


def test_sqlite_in_a_missing_directory_says_so(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'ob.db'}")
    try:
        with pytest.raises(StoreError, match="directory exists and is writable"):
            store.migrate()
    finally:
        store.close()


def test_read_only_sqlite_refuses_writes_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "ob.db"
    with SqlStore.open(f"sqlite:///{path}") as writable:
        writable.set_setting(DEFAULT_TENANT, "frequency", "15m")
    with SqlStore(f"sqlite:///file:{path}?mode=ro&uri=true") as read_only:
        assert read_only.get_setting(DEFAULT_TENANT, "frequency") == "15m"
        with pytest.raises(StoreError, match="read-only"):
            read_only.set_setting(DEFAULT_TENANT, "frequency", "1h")


@pytest.mark.slow
def test_locked_sqlite_gives_up_after_the_busy_timeout(tmp_path: Path) -> None:
    path = tmp_path / "ob.db"
    with SqlStore.open(f"sqlite:///{path}") as store:
        holder = sqlite3.connect(path, isolation_level=None)
        try:
            holder.execute("BEGIN EXCLUSIVE")
            with pytest.raises(StoreError, match="locked by another process"):
                store.set_setting(DEFAULT_TENANT, "frequency", "1h")
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        store.set_setting(DEFAULT_TENANT, "frequency", "1h")
        assert store.get_setting(DEFAULT_TENANT, "frequency") == "1h"


def test_a_never_migrated_database_asks_for_the_upgrade(database_url: str) -> None:
    with SqlStore(database_url) as store:
        with pytest.raises(StoreError, match="applies the migrations"):
            store.load_states(DEFAULT_TENANT, ["PO-1"])
        with pytest.raises(StoreError, match="applies the migrations"):
            store.start_run(DEFAULT_TENANT, T0)


@pytest.mark.parametrize(
    "url", ["not a url", "mysql://root@127.0.0.1/orderbridge", "oracle://scott:tiger@db/x"]
)
def test_unsupported_or_invalid_urls_are_refused_up_front(url: str) -> None:
    with pytest.raises(StoreError) as raised:
        SqlStore(url)
    assert "tiger" not in str(raised.value)


def test_postgres_scheme_aliases_use_psycopg() -> None:
    with SqlStore("postgres://user:pw@127.0.0.1:5432/db") as store:
        assert store.engine.url.drivername == "postgresql+psycopg"
        assert store.url == "postgresql+psycopg://user:***@127.0.0.1:5432/db"
