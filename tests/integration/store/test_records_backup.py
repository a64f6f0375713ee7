"""Backup and restore: consistent copies of a live store, restored only where it is safe."""

from __future__ import annotations

import gzip
import shutil
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from orderbridge.adapters.store import (
    DEFAULT_TENANT,
    RecordsStore,
    RestoreRefused,
    SqlStore,
    StoreError,
)
from orderbridge.adapters.store._records_backup import logical_backup
from orderbridge.domain.lifecycle import OrderStatus
from orderbridge.domain.records import ExportKind

from .records_seed import T0, audit, run, save


def _snapshot(store: SqlStore) -> dict[str, list[dict[str, object]]]:
    records = RecordsStore(store)
    return {
        kind: list(records.export_rows(kind, DEFAULT_TENANT))
        for kind in (ExportKind.ORDERS, ExportKind.HISTORY, ExportKind.RUNS, ExportKind.AUDIT)
    }


def _fill(store: SqlStore, count: int = 20) -> None:
    for index in range(count):
        save(store, f"PO-{index:03d}", OrderStatus.SHIPPED, at=T0 + timedelta(minutes=index))
    run(store, T0)
    audit(RecordsStore(store), T0)


def _fresh_sqlite(tmp_path: Path, name: str) -> SqlStore:
    return SqlStore.open(f"sqlite:///{tmp_path / name}")


def test_sqlite_backup_while_a_writer_runs_restores_a_consistent_store(
    tmp_path: Path,
) -> None:
    with _fresh_sqlite(tmp_path, "live.db") as live:
        _fill(live)
        stop = threading.Event()

        def writer() -> None:
            index = 1000
            while not stop.is_set():
                save(live, f"PO-{index}", OrderStatus.PROCESSING, at=T0)
                index += 1

        thread = threading.Thread(target=writer)
        thread.start()
        try:
            kind = RecordsStore(live).backup(tmp_path / "live.backup")
        finally:
            stop.set()
            thread.join()
        assert kind == "sqlite"
        with _fresh_sqlite(tmp_path, "restored.db") as target:
            counts = RecordsStore(target).restore(tmp_path / "live.backup")
            restored = _snapshot(target)
        orders = {row["po_number"] for row in restored[ExportKind.ORDERS]}
        history = {row["po_number"] for row in restored[ExportKind.HISTORY]}
        # Consistent: every order in the copy has its history, and the first 20 are all there.
        assert orders == history
        assert {f"PO-{i:03d}" for i in range(20)} <= orders
        assert counts["order_state"] == len(orders)
        assert len(restored[ExportKind.AUDIT]) == 1


def test_backup_restores_across_backends_and_new_rows_get_fresh_ids(
    tmp_path: Path, database_url: str
) -> None:
    with _fresh_sqlite(tmp_path, "source.db") as source:
        _fill(source)
        RecordsStore(source).backup(tmp_path / "source.backup")
        expected = _snapshot(source)
    with SqlStore.open(database_url) as target:
        RecordsStore(target).restore(tmp_path / "source.backup")
        assert _snapshot(target) == expected
        new_run = run(target, T0 + timedelta(days=1))
        assert new_run > max(int(str(r["run_id"])) for r in expected[ExportKind.RUNS])


@pytest.mark.postgres
@pytest.mark.parametrize("use_pg_dump", [True, False])
def test_postgres_backup_round_trips(tmp_path: Path, postgres_url: str, use_pg_dump: bool) -> None:
    if use_pg_dump and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed here; the logical backup case covers PostgreSQL")
    with SqlStore.open(postgres_url) as live:
        _fill(live)
        kind = RecordsStore(live).backup(tmp_path / "pg.backup", use_pg_dump=use_pg_dump)
        expected = _snapshot(live)
        assert kind == ("pg_dump" if use_pg_dump else "logical")
        with pytest.raises(RestoreRefused, match="not empty"):
            RecordsStore(live).restore(tmp_path / "pg.backup")
        save(live, "PO-AFTER-BACKUP", OrderStatus.SHIPPED)
        RecordsStore(live).restore(tmp_path / "pg.backup", force=True)
        assert _snapshot(live) == expected
        assert live.load_state(DEFAULT_TENANT, "PO-AFTER-BACKUP") is None


def test_restore_refuses_a_non_empty_store_unless_forced(store: SqlStore, tmp_path: Path) -> None:
    with _fresh_sqlite(tmp_path, "source.db") as source:
        save(source, "PO-FROM-BACKUP", OrderStatus.CLOSED)
        RecordsStore(source).backup(tmp_path / "b.backup")
    save(store, "PO-LOCAL", OrderStatus.SHIPPED)
    records = RecordsStore(store)
    with pytest.raises(RestoreRefused, match="--force"):
        records.restore(tmp_path / "b.backup")
    assert store.load_state(DEFAULT_TENANT, "PO-LOCAL") is not None
    records.restore(tmp_path / "b.backup", force=True)
    assert store.load_state(DEFAULT_TENANT, "PO-LOCAL") is None
    assert store.load_state(DEFAULT_TENANT, "PO-FROM-BACKUP") is not None


def test_restore_checks_the_schema_version_and_the_file(store: SqlStore, tmp_path: Path) -> None:
    with _fresh_sqlite(tmp_path, "source.db") as source:
        RecordsStore(source).backup(tmp_path / "b.backup")
    with sqlite3.connect(tmp_path / "b.backup") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    records = RecordsStore(store)
    with pytest.raises(RestoreRefused, match="9999_future"):
        records.restore(tmp_path / "b.backup")
    (tmp_path / "notes.txt").write_text("not a backup", encoding="utf-8")
    with pytest.raises(StoreError, match="not an orderbridge backup"):
        records.restore(tmp_path / "notes.txt")


def test_restore_refuses_while_a_runner_holds_the_lease(store: SqlStore, tmp_path: Path) -> None:
    with _fresh_sqlite(tmp_path, "source.db") as source:
        RecordsStore(source).backup(tmp_path / "b.backup")
    assert store.acquire_lease("sync:default", "host:123", 60, datetime.now(UTC))
    with pytest.raises(RestoreRefused, match="stop it first"):
        RecordsStore(store).restore(tmp_path / "b.backup")


def test_backup_leaves_no_partial_file_behind(store: SqlStore, tmp_path: Path) -> None:
    _fill(store, 3)
    RecordsStore(store).backup(tmp_path / "b.backup", use_pg_dump=False)
    assert sorted(p.name for p in tmp_path.iterdir() if "b.backup" in p.name) == ["b.backup"]
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1


def test_damaged_or_unwritable_backups_fail_with_one_line_and_change_nothing(
    store: SqlStore, tmp_path: Path
) -> None:
    records = RecordsStore(store)
    with pytest.raises(StoreError, match="does not exist"):
        records.backup(tmp_path / "missing" / "b.backup")
    with _fresh_sqlite(tmp_path, "source.db") as source:
        _fill(source, 5)
        logical_backup(source.engine, source.schema_version(), tmp_path / "l.backup")
    whole = gzip.decompress((tmp_path / "l.backup").read_bytes()).decode()
    (tmp_path / "cut.backup").write_bytes(gzip.compress(whole[: len(whole) // 2].encode()))
    save(store, "PO-MINE", OrderStatus.SHIPPED)
    with pytest.raises(StoreError, match="damaged or incomplete"):
        records.restore(tmp_path / "cut.backup", force=True)
    assert store.load_state(DEFAULT_TENANT, "PO-MINE") is not None  # rolled back
