"""The simulated clock: real UTC time, optionally pinned or shifted through the admin API."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

__all__ = ["SimClock"]


class SimClock:
    """A settable clock. Unset, it follows real time; set, it stays where it was put."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pinned: datetime | None = None

    def now(self) -> datetime:
        """Current simulated time, timezone-aware UTC."""
        with self._lock:
            return self._pinned if self._pinned is not None else datetime.now(UTC)

    def set(self, when: datetime) -> None:
        """Pin the clock at ``when`` (naive values are read as UTC)."""
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        with self._lock:
            self._pinned = when.astimezone(UTC)

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward (pinning it at the current time first if needed)."""
        with self._lock:
            base = self._pinned if self._pinned is not None else datetime.now(UTC)
            self._pinned = base + delta
            return self._pinned

    def release(self) -> None:
        """Follow real time again."""
        with self._lock:
            self._pinned = None

    @property
    def pinned(self) -> bool:
        """Whether the clock is pinned rather than following real time."""
        with self._lock:
            return self._pinned is not None
