"""One writer at a time per SQLite database inside this process; PostgreSQL writers run freely.

SQLite lets one transaction write at a time. Writers that open at once queue inside SQLite and
give up with ``database is locked`` after the busy timeout, which a busy machine running eight
concurrent per-order writers did reach. Queueing them on a lock in this process instead means
they never wait inside SQLite on each other; the busy timeout is left for other processes.
PostgreSQL locks rows, not the database, so its writers are not serialised.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import URL

from ._errors import StoreError, shown_url

__all__ = ["WRITER_WAIT_S", "WriterQueue"]

# Far above any single write transaction; reaching it means a writer is stuck, not just slow.
WRITER_WAIT_S = 120.0

# Every store in this process that opens the same SQLite file shares that file's lock.
_FILE_LOCKS: dict[str, threading.RLock] = {}
_FILE_LOCKS_GUARD = threading.Lock()


def _file_lock(path: str) -> threading.RLock:
    key = os.path.normcase(os.path.realpath(path))
    with _FILE_LOCKS_GUARD:
        lock = _FILE_LOCKS.get(key)
        if lock is None:
            lock = _FILE_LOCKS[key] = threading.RLock()
        return lock


def _is_in_memory(url: URL) -> bool:
    database = url.database or ""
    return database in {"", ":memory:"} or "mode=memory" in str(url.query.get("mode", ""))


class WriterQueue:
    """Lets write transactions on one database through one at a time (SQLite only)."""

    def __init__(self, url: URL, wait_s: float = WRITER_WAIT_S) -> None:
        self._url = url
        self._wait_s = wait_s
        self._lock: threading.RLock | None = None
        if url.get_backend_name() == "sqlite":
            # An in-memory database belongs to one store (one shared connection), so its own lock.
            in_memory = _is_in_memory(url)
            self._lock = threading.RLock() if in_memory else _file_lock(url.database or "")

    @property
    def serialised(self) -> bool:
        """Whether writers queue here (SQLite) or run concurrently (PostgreSQL)."""
        return self._lock is not None

    @contextmanager
    def turn(self, action: str) -> Iterator[None]:
        """Hold the database's writer turn for the block (re-entrant within one thread)."""
        lock = self._lock
        if lock is None:
            yield
            return
        if not lock.acquire(timeout=self._wait_s):
            raise StoreError(
                f"{action} failed: another write to {shown_url(self._url)} in this process "
                f"did not finish within {self._wait_s:.0f} s"
            )
        try:
            yield
        finally:
            lock.release()
