"""Concurrency: parallel savers never duplicate history; exactly one contender wins a lease."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest

from orderbridge.adapters.store import DEFAULT_TENANT, SqlStore
from orderbridge.domain.history import HistoryEntry, HistorySource

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
SAVES = 15
Result = TypeVar("Result")


def _cumulative_history(upto: int) -> list[HistoryEntry]:
    """What a run would replay: every change seen so far, each with its stable key."""
    return [
        HistoryEntry(
            po_number="PO-RACE",
            at=T0 + timedelta(minutes=i),
            from_status=f"S{i - 1}" if i else None,
            to_status=f"S{i}",
            source=HistorySource.TDSYNNEX,
            summary=f"step {i}",
            key=f"step-{i}",
        )
        for i in range(upto + 1)
    ]


def save_race(url: str, worker: int, barrier: threading.Barrier | None = None) -> int:
    """One 'process' saving the same order SAVES times; returns the history rows it added."""
    store = SqlStore(url)
    try:
        if barrier is not None:
            barrier.wait(timeout=30)
        added = 0
        for step in range(SAVES):
            added += store.save_order(
                DEFAULT_TENANT,
                "PO-RACE",
                po_id=1,
                status=f"S{step}",
                state={"step": step, "worker": worker},
                fingerprint=f"{worker}-{step}",
                history=_cumulative_history(step),
                checked_at=T0 + timedelta(minutes=step),
            )
        return added
    finally:
        store.close()


def _in_threads(count: int, work: Callable[[int, threading.Barrier], Result]) -> list[Result]:
    barrier = threading.Barrier(count)
    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(work, index, barrier) for index in range(count)]
        return [future.result(timeout=120) for future in futures]


def test_threads_saving_one_order_never_duplicate_history(
    store: SqlStore, database_url: str
) -> None:
    added = _in_threads(4, lambda worker, barrier: save_race(database_url, worker, barrier))
    history = store.history(DEFAULT_TENANT, "PO-RACE")
    assert [entry.key for entry in history] == [f"step-{i}" for i in range(SAVES)]
    # Every key was new for exactly one saver.
    assert sum(added) == SAVES
    assert store.load_state(DEFAULT_TENANT, "PO-RACE") is not None


@pytest.mark.slow
def test_processes_saving_one_order_never_duplicate_history(
    store: SqlStore, database_url: str
) -> None:
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes=2) as pool:
        added = pool.starmap(save_race, [(database_url, 0), (database_url, 1)])
    history = store.history(DEFAULT_TENANT, "PO-RACE")
    assert len(history) == len({entry.key for entry in history}) == SAVES
    assert sum(added) == SAVES


def test_exactly_one_contender_wins_the_lease(store: SqlStore, database_url: str) -> None:
    contenders = [SqlStore(database_url) for _ in range(4)]
    try:
        for round_number in range(5):
            now = T0 + timedelta(minutes=round_number)

            def contend(index: int, barrier: threading.Barrier, at: datetime = now) -> bool:
                barrier.wait(timeout=30)
                return contenders[index].acquire_lease("runner", f"host-{index}", 30, at)

            won = _in_threads(len(contenders), contend)
            assert won.count(True) == 1, won
            store.release_lease("runner", f"host-{won.index(True)}")
    finally:
        for contender in contenders:
            contender.close()


def test_expired_lease_is_taken_over_by_exactly_one(store: SqlStore, database_url: str) -> None:
    assert store.acquire_lease("runner", "crashed-host", 10, T0)
    contenders = [SqlStore(database_url) for _ in range(3)]
    after_expiry = T0 + timedelta(seconds=11)
    try:
        won = _in_threads(
            len(contenders),
            lambda index, barrier: (
                barrier.wait(timeout=30),
                contenders[index].acquire_lease("runner", f"host-{index}", 10, after_expiry),
            )[1],
        )
    finally:
        for contender in contenders:
            contender.close()
    assert won.count(True) == 1
    assert store.renew_lease("runner", "crashed-host", 10, after_expiry) is False
