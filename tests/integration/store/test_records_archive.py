"""Archive and clean-up: finished orders leave the active list, logs expire, audit stays."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import anyio
import pytest
from typer.testing import CliRunner

from orderbridge.adapters.store import DEFAULT_TENANT, RecordsStore, SqlStore
from orderbridge.application.delivery_report import build_delivery_report
from orderbridge.application.records import (
    BackupSchedule,
    Housekeeping,
    archive_now,
    take_scheduled_backup,
)
from orderbridge.cli import app
from orderbridge.domain.delivery import Dimension
from orderbridge.domain.lifecycle import OrderStatus
from orderbridge.domain.records import ExportKind, RetentionPolicy

from .records_seed import T0, audit, run, save

NOW = T0 + timedelta(days=400)


def _seed(store: SqlStore) -> None:
    old = T0
    save(store, "PO-CLOSED-OLD", OrderStatus.CLOSED, at=old)
    save(store, "PO-CXL-OLD", OrderStatus.CANCELLED, at=old)
    save(store, "PO-NF-OLD", OrderStatus.NOT_FOUND, at=old)
    save(store, "PO-OPEN-OLD", OrderStatus.BACKORDERED, at=old)
    save(store, "PO-CLOSED-NEW", OrderStatus.CLOSED, at=NOW - timedelta(days=10))
    run(store, T0, "PO-CLOSED-OLD")
    run(store, NOW - timedelta(days=1), "PO-CLOSED-NEW")
    audit(RecordsStore(store), T0)


def _active(store: SqlStore) -> set[str]:
    return {o.po_number for o in store.orders(DEFAULT_TENANT, limit=100)}


def test_dry_run_says_what_moves_and_changes_nothing(store: SqlStore) -> None:
    _seed(store)
    outcome = archive_now(RecordsStore(store), RetentionPolicy(), NOW, dry_run=True)
    assert outcome.archived == ("PO-CLOSED-OLD", "PO-CXL-OLD", "PO-NF-OLD")
    assert (outcome.runs_removed, outcome.audit_removed) == (1, 0)
    assert len(_active(store)) == 5
    assert len(store.runs(DEFAULT_TENANT)) == 2


def test_archive_moves_finished_orders_and_expires_runs_but_keeps_audit(store: SqlStore) -> None:
    _seed(store)
    records = RecordsStore(store)
    outcome = archive_now(records, RetentionPolicy(), NOW)
    assert outcome.archived == ("PO-CLOSED-OLD", "PO-CXL-OLD", "PO-NF-OLD")
    assert _active(store) == {"PO-OPEN-OLD", "PO-CLOSED-NEW"}
    assert [r.started_at for r in store.runs(DEFAULT_TENANT)] == [NOW - timedelta(days=1)]
    assert len(list(records.export_rows(ExportKind.AUDIT, DEFAULT_TENANT))) == 1
    # Archived orders stay searchable: status, exports and their history.
    archived = store.load_state(DEFAULT_TENANT, "PO-CLOSED-OLD")
    assert archived is not None
    assert archived.archived
    exported = {
        r["po_number"]: r["archived"]
        for r in records.export_rows(ExportKind.ORDERS, DEFAULT_TENANT)
    }
    assert exported["PO-CLOSED-OLD"] is True
    assert store.history(DEFAULT_TENANT, "PO-CLOSED-OLD")
    assert build_delivery_report(records, Dimension.MONTH).total().orders == 5  # and reports
    assert archive_now(records, RetentionPolicy(), NOW).archived == ()


def test_audit_days_removes_only_older_audit_entries(store: SqlStore) -> None:
    _seed(store)
    records = RecordsStore(store)
    audit(records, NOW - timedelta(days=5))
    outcome = archive_now(records, RetentionPolicy(audit_days=30), NOW)
    assert outcome.audit_removed == 1
    remaining = list(records.export_rows(ExportKind.AUDIT, DEFAULT_TENANT))
    assert [r["at"] for r in remaining] == [NOW - timedelta(days=5)]


def test_unarchive_brings_an_order_back_with_a_history_line(store: SqlStore) -> None:
    _seed(store)
    records = RecordsStore(store)
    archive_now(records, RetentionPolicy(), NOW)
    back = records.unarchive(DEFAULT_TENANT, ["PO-CXL-OLD", "PO-OPEN-OLD", "PO-NONE"], "why", NOW)
    assert back == ["PO-CXL-OLD"]
    assert "PO-CXL-OLD" in _active(store)
    last = store.history(DEFAULT_TENANT, "PO-CXL-OLD")[-1]
    assert (last.summary, str(last.source), last.at) == ("Un-archived: why", "orderbridge", NOW)
    assert records.unarchive(DEFAULT_TENANT, ["PO-CXL-OLD"], "again", NOW) == []


def test_scheduled_backups_rotate_and_respect_the_interval(store: SqlStore, tmp_path: Path) -> None:
    save(store, "PO-1", OrderStatus.SHIPPED)
    records = RecordsStore(store)
    schedule = BackupSchedule(directory=tmp_path / "backups", keep=2, interval=timedelta(hours=6))
    taken = [
        take_scheduled_backup(records, schedule, NOW + timedelta(hours=hours))
        for hours in (0, 1, 6, 12, 18)
    ]
    assert [t is not None for t in taken] == [True, False, True, True, True]
    names = sorted(p.name for p in schedule.directory.iterdir())
    assert names == ["orderbridge-20270405T200000Z.backup", "orderbridge-20270406T020000Z.backup"]
    (schedule.directory / "notes.txt").write_text("mine", encoding="utf-8")
    take_scheduled_backup(records, schedule, NOW + timedelta(days=2))
    assert (schedule.directory / "notes.txt").exists()


def test_housekeeping_archives_and_backs_up_once_the_daemon_holds_the_lease(
    store: SqlStore, tmp_path: Path
) -> None:
    _seed(store)
    chores = Housekeeping(
        RecordsStore(store),
        policy=RetentionPolicy(),
        backups=BackupSchedule(directory=tmp_path / "b"),
        clock=lambda: NOW,
        poll_s=0.01,
    )
    chores_done: anyio.Event

    async def main() -> None:
        nonlocal chores_done
        chores_done = anyio.Event()
        tick = chores.tick

        async def tick_then_signal() -> None:
            await tick()
            chores_done.set()

        chores.tick = tick_then_signal  # type: ignore[method-assign]
        stop, started = anyio.Event(), anyio.Event()
        async with anyio.create_task_group() as group:
            group.start_soon(chores.run, stop, started)
            await anyio.sleep(0.05)
            assert not (tmp_path / "b").exists()  # nothing before the lease is held
            started.set()
            with anyio.fail_after(10):
                await chores_done.wait()
            stop.set()

    anyio.run(main)
    assert _active(store) == {"PO-OPEN-OLD", "PO-CLOSED-NEW"}
    assert len(list((tmp_path / "b").iterdir())) == 1


@pytest.fixture
def config(tmp_path: Path, database_url: str) -> Path:
    path = tmp_path / "orderbridge.toml"
    path.write_text(f'[store]\nurl = "{database_url}"\n', encoding="utf-8")
    return path


def test_cli_archive_and_unarchive(store: SqlStore, config: Path) -> None:
    save(store, "PO-OLD", OrderStatus.CLOSED, at=T0)
    runner = CliRunner()
    dry = runner.invoke(app, ["archive", "--dry-run", "-c", str(config)])
    assert dry.exit_code == 0, dry.output
    assert "Would archive 1 orders" in dry.output
    assert "PO-OLD" in dry.output
    assert _active(store) == {"PO-OLD"}
    done = runner.invoke(app, ["archive", "-c", str(config)])
    assert "Archived 1 orders" in done.output
    assert _active(store) == set()
    shown = runner.invoke(app, ["status", "PO-OLD", "-c", str(config)])
    assert shown.exit_code == 0, shown.output
    assert "Archived" in shown.output  # still searchable
    back = runner.invoke(app, ["unarchive", "PO-OLD", "-c", str(config)])
    assert back.exit_code == 0, back.output
    assert _active(store) == {"PO-OLD"}
    assert "brought back by hand" in store.history(DEFAULT_TENANT, "PO-OLD")[-1].summary
    missing = runner.invoke(app, ["unarchive", "PO-NOPE", "-c", str(config)])
    assert missing.exit_code == 1
    assert "no archived order" in missing.output
