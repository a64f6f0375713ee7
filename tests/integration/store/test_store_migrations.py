"""Migrations: apply on an empty database, idempotent on restart, identical to the model."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

import orderbridge
from orderbridge.adapters.store import DEFAULT_TENANT, SqlStore
from orderbridge.adapters.store._tables import Base

EXPECTED_TABLES = {
    "alembic_version",
    "autotask_budget",
    "autotask_budget_request",
    "autotask_thread_slot",
    "field_quirk",
    "api_token",
    "audit_entry",
    "lease",
    "login_failure",
    "notification",
    "order_event",
    "order_facts",
    "order_lookup",
    "order_state",
    "resync_request",
    "run_batch",
    "setting",
    "status_history",
    "sync_run",
    "tenant",
    "tenant_config",
    "upstream_cache",
    "web_session",
    "web_user",
}

# The newest migration file in the package (``NNNN_title.py``), which the head must be.
NEWEST = max(
    path.name.split("_", 1)[0]
    for path in (Path(orderbridge.__file__).parent / "adapters/store/migrations/versions").glob(
        "[0-9]*_*.py"
    )
)


def test_empty_database_reports_base_then_head(database_url: str) -> None:
    store = SqlStore(database_url)
    try:
        assert store.schema_version() == "base"
        store.migrate()
        assert store.schema_version() == SqlStore.head_version() == NEWEST
        names = set(inspect(store.engine).get_table_names())
        assert names >= EXPECTED_TABLES
    finally:
        store.close()


def test_migrate_is_idempotent_across_restarts(database_url: str) -> None:
    with SqlStore.open(database_url) as first:
        first.set_setting(DEFAULT_TENANT, "frequency", "15m")
        first.migrate()
    with SqlStore.open(database_url) as second:
        second.migrate()
        assert second.schema_version() == NEWEST
        assert second.get_setting(DEFAULT_TENANT, "frequency") == "15m"
        with second.engine.connect() as connection:
            tenants = connection.execute(text("SELECT id FROM tenant")).scalars().all()
        assert tenants == [DEFAULT_TENANT]


def test_migrations_create_exactly_the_model(store: SqlStore) -> None:
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_concurrent_starters_both_end_at_head(database_url: str) -> None:
    stores = [SqlStore(database_url), SqlStore(database_url)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(stores))

    def start(store: SqlStore) -> None:
        barrier.wait()
        try:
            store.migrate()
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=start, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert errors == []
        assert [store.schema_version() for store in stores] == [NEWEST, NEWEST]
    finally:
        for store in stores:
            store.close()


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    with SqlStore.open(f"sqlite:///{tmp_path / 'ob.db'}") as store:
        with store.engine.connect() as connection:
            journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
            busy = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
            foreign_keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
        assert (journal, busy, foreign_keys) == ("wal", 5000, 1)
    assert (tmp_path / "ob.db").is_file()


@pytest.mark.postgres
def test_postgres_tables_live_in_the_configured_schema(postgres_url: str) -> None:
    with SqlStore.open(postgres_url) as store, store.engine.connect() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar()
        tables = set(inspect(connection).get_table_names(schema=schema))
    assert str(schema).startswith("ob_test_")
    assert tables == EXPECTED_TABLES


def test_a_starter_outwaits_a_write_lock_longer_than_the_busy_timeout(tmp_path: Path) -> None:
    # Two processes starting on one new SQLite file under load: the second must wait for the
    # first's upgrade even when it holds the lock past SQLite's 5 s busy timeout.
    path = tmp_path / "busy.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(6.5, lambda: holder.execute("COMMIT"))
    release.start()
    started = time.monotonic()
    try:
        with SqlStore(f"sqlite:///{path}") as store:
            store.migrate()
            assert store.schema_version() == SqlStore.head_version()
    finally:
        release.join()
        holder.close()
    assert time.monotonic() - started >= 6.0
