"""SQLite writers in one process take turns instead of failing with ``database is locked``."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from orderbridge.adapters.store import DEFAULT_TENANT, SqlStore, StoreError
from orderbridge.adapters.store import _engine as store_engine
from orderbridge.adapters.store._writers import WriterQueue
from orderbridge.domain.history import OrderOutcome, OrderReport

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
WRITERS = 12
WRITES_EACH = 40


@pytest.fixture
def sqlite_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated SQLite file whose connections do not wait at all on SQLite's write lock.

    With a zero busy timeout, two writers meeting inside SQLite fail at once, so any write
    that does not take its turn in this process shows up as ``database is locked``.
    """
    monkeypatch.setattr(store_engine, "SQLITE_BUSY_TIMEOUT_MS", 0)
    url = f"sqlite:///{tmp_path / 'writers.db'}"
    SqlStore.open(url).close()
    return url


def _write_many(store: SqlStore, run_id: int, worker: int, barrier: threading.Barrier) -> None:
    barrier.wait(timeout=30)
    for step in range(WRITES_EACH):
        po_number = f"PO-{worker:02d}-{step:03d}"
        at = T0 + timedelta(seconds=step)
        store.record_order_report(run_id, OrderReport(po_number, OrderOutcome.UNCHANGED), at)
        if step % 4 == 0:
            store.save_order(
                DEFAULT_TENANT,
                po_number,
                po_id=step,
                status="Submitted",
                state={"worker": worker},
                fingerprint=f"{worker}-{step}",
                history=[],
                checked_at=at,
            )


def test_many_threads_writing_to_one_sqlite_store_never_raise(sqlite_url: str) -> None:
    with SqlStore(sqlite_url) as store:
        run_id = store.start_run(DEFAULT_TENANT, T0)
        barrier = threading.Barrier(WRITERS)
        with ThreadPoolExecutor(max_workers=WRITERS) as pool:
            futures = [
                pool.submit(_write_many, store, run_id, worker, barrier)
                for worker in range(WRITERS)
            ]
            for future in futures:
                future.result(timeout=120)  # re-raises a StoreError from any writer
        record = store.run(run_id)
        assert record is not None
        assert len(record.orders) == WRITERS * WRITES_EACH
        saved = store.orders(DEFAULT_TENANT, limit=10_000)
        assert len(saved) == WRITERS * len(range(0, WRITES_EACH, 4))


def test_separate_stores_on_one_sqlite_file_share_the_turn(sqlite_url: str) -> None:
    stores = [SqlStore(sqlite_url) for _ in range(WRITERS)]
    try:
        run_id = stores[0].start_run(DEFAULT_TENANT, T0)
        barrier = threading.Barrier(WRITERS)
        with ThreadPoolExecutor(max_workers=WRITERS) as pool:
            futures = [
                pool.submit(_write_many, stores[worker], run_id, worker, barrier)
                for worker in range(WRITERS)
            ]
            for future in futures:
                future.result(timeout=120)
        record = stores[0].run(run_id)
        assert record is not None
        assert len(record.orders) == WRITERS * WRITES_EACH
    finally:
        for store in stores:
            store.close()


def test_a_writer_that_keeps_its_turn_too_long_gives_a_clear_error(tmp_path: Path) -> None:
    url = make_url(f"sqlite:///{tmp_path / 'held.db'}")
    holder, waiter = WriterQueue(url), WriterQueue(url, wait_s=0.2)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with holder.turn("holding"):
            held.set()
            release.wait(timeout=30)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert held.wait(timeout=30)
        with (
            pytest.raises(StoreError, match="saving order PO-1 failed: another write"),
            waiter.turn("saving order PO-1"),
        ):
            pass
    finally:
        release.set()
        thread.join(timeout=30)
    with waiter.turn("saving order PO-1"):  # free again once the holder is done
        pass


def test_only_sqlite_writers_are_serialised(tmp_path: Path) -> None:
    assert WriterQueue(make_url(f"sqlite:///{tmp_path / 'a.db'}")).serialised
    assert WriterQueue(make_url("sqlite://")).serialised
    postgres = WriterQueue(make_url("postgresql+psycopg://user@127.0.0.1/db"), wait_s=0.1)
    assert not postgres.serialised
    # PostgreSQL writers overlap: a second thread gets through while the first is inside.
    inside, done = threading.Event(), threading.Event()

    def second() -> None:
        with postgres.turn("second"):
            done.set()

    with postgres.turn("first"):
        inside.set()
        thread = threading.Thread(target=second)
        thread.start()
        assert done.wait(timeout=10)
    thread.join(timeout=10)
    assert inside.is_set()


def test_in_memory_databases_do_not_share_a_turn() -> None:
    first, second = WriterQueue(make_url("sqlite://")), WriterQueue(make_url("sqlite://"), 0.1)
    with first.turn("first"):
        finished = threading.Event()

        def other() -> None:
            with second.turn("second"):
                finished.set()

        thread = threading.Thread(target=other)
        thread.start()
        assert finished.wait(timeout=10)
        thread.join(timeout=10)
