"""Autotask's two limits: the hourly request threshold per database and the thread limit.

The hourly counter is a rolling window on the simulated clock, kept as per-second buckets so
10,000 requests cost a few kilobytes. The thread limit counts in-flight requests per
(integration code, entity endpoint).
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from datetime import datetime, timedelta

from orderbridge.simulators._common import SimClock

__all__ = ["HourlyCounter", "ThreadGate"]


class HourlyCounter:
    """Requests received in the last ``timeframe`` of simulated time."""

    def __init__(self, clock: SimClock, threshold: int, timeframe_minutes: int = 60) -> None:
        self._clock = clock
        self.threshold = threshold
        self.timeframe = timedelta(minutes=timeframe_minutes)
        self._lock = threading.Lock()
        self._buckets: deque[tuple[datetime, int]] = deque()
        self._total = 0

    def _expire(self, now: datetime) -> None:
        horizon = now - self.timeframe
        while self._buckets and self._buckets[0][0] <= horizon:
            self._total -= self._buckets.popleft()[1]

    def record(self) -> int:
        """Count one request now; returns the count including it."""
        now = self._clock.now().replace(microsecond=0)
        with self._lock:
            self._expire(now)
            if self._buckets and self._buckets[-1][0] == now:
                self._buckets[-1] = (now, self._buckets[-1][1] + 1)
            else:
                self._buckets.append((now, 1))
            self._total += 1
            return self._total

    def current(self) -> int:
        """Requests in the current window."""
        with self._lock:
            self._expire(self._clock.now())
            return self._total

    def set_current(self, count: int) -> None:
        """Pretend ``count`` requests arrived just now (admin API)."""
        now = self._clock.now().replace(microsecond=0)
        with self._lock:
            self._buckets.clear()
            self._total = max(0, count)
            if self._total:
                self._buckets.append((now, self._total))

    def usage(self) -> float:
        """Current usage as a fraction of the threshold."""
        return self.current() / self.threshold


class ThreadGate:
    """Admit at most ``limit`` concurrent requests per key."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._in_flight: Counter[tuple[str, str]] = Counter()

    def try_enter(self, key: tuple[str, str]) -> bool:
        """Take a slot for ``key``; False when all are taken."""
        with self._lock:
            if self._in_flight[key] >= self.limit:
                return False
            self._in_flight[key] += 1
            return True

    def leave(self, key: tuple[str, str]) -> None:
        """Give a slot back."""
        with self._lock:
            self._in_flight[key] -= 1
            if self._in_flight[key] <= 0:
                del self._in_flight[key]

    def in_flight(self) -> dict[str, int]:
        """Current in-flight counts, keyed ``code/endpoint`` (admin API)."""
        with self._lock:
            return {f"{code}/{endpoint}": n for (code, endpoint), n in self._in_flight.items()}
