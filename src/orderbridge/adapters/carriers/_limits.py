"""A per-carrier request window: how many calls may go out now without passing its rate limits.

Carriers publish their limits per hour (USPS: 60) or per day (DHL: 250); sliding windows over
the calls this process sent keep orderbridge under every one of them, and a daily limit is also
paced hour by hour. A 429 closes the window
until the carrier's ``Retry-After`` has passed.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

__all__ = ["UNLIMITED", "RequestWindow"]

UNLIMITED = 1_000_000


class RequestWindow:
    """At most ``limit`` requests per ``period``, for every (limit, period) given."""

    def __init__(
        self, limits: Sequence[tuple[int, timedelta]], clock: Callable[[], datetime]
    ) -> None:
        # A daily budget is paced: at most twice its hourly share in any hour, so the first busy
        # cycle cannot spend the whole day's calls.
        paced = [
            (max(1, -(-2 * limit * 3600 // int(period.total_seconds()))), timedelta(hours=1))
            for limit, period in limits
            if period > timedelta(hours=1)
        ]
        self._limits = (*tuple(limits), *paced)
        self._longest = max((p for _, p in self._limits), default=timedelta(0))
        self._clock = clock
        self._sent: deque[datetime] = deque()
        self._closed_until: datetime | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RequestWindow({self._limits!r})"

    def allowance(self) -> int:
        """Requests that may go out now."""
        now = self._clock()
        with self._lock:
            if self._closed_until is not None and now < self._closed_until:
                return 0
            while self._sent and now - self._sent[0] >= self._longest:
                self._sent.popleft()
            left = UNLIMITED
            for limit, period in self._limits:
                used = sum(1 for at in self._sent if now - at < period)
                left = min(left, max(0, limit - used))
            return left

    def take(self) -> bool:
        """Count one request about to go out; False when a window is spent."""
        if self.allowance() <= 0:
            return False
        with self._lock:
            self._sent.append(self._clock())
        return True

    def close_for(self, seconds: float) -> None:
        """Send nothing for ``seconds`` (the carrier's Retry-After)."""
        with self._lock:
            self._closed_until = self._clock() + timedelta(seconds=max(0.0, seconds))
