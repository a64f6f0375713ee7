"""How much of Autotask's hourly request budget orderbridge may use, for spacing its cycles.

Autotask's hourly threshold is shared by every integration on the database, so orderbridge uses
only a share of it (``sync.budget_share``, default half). The threshold is read from the tenant
(``ThresholdInformation``, itself one request) at most once an hour; when it cannot be read,
Autotask's documented default of 10,000 requests an hour is assumed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from orderbridge.domain.schedule import budget_gap

__all__ = ["DEFAULT_HOURLY_THRESHOLD", "RequestBudget"]

_log = logging.getLogger(__name__)

DEFAULT_HOURLY_THRESHOLD = 10_000
_REFRESH = timedelta(hours=1)


class RequestBudget:
    """orderbridge's share of the tenant's hourly Autotask budget, read at most once an hour."""

    def __init__(
        self,
        threshold: Callable[[], Awaitable[int]],
        *,
        share: float,
        clock: Callable[[], datetime],
        fallback: int = DEFAULT_HOURLY_THRESHOLD,
    ) -> None:
        if not 0 < share <= 1:
            raise ValueError("the budget share is more than 0 and at most 1")
        self._threshold = threshold
        self._share = share
        self._clock = clock
        self._fallback = fallback
        self._cached: tuple[datetime, int] | None = None

    async def hourly_budget(self) -> int:
        """Requests per hour orderbridge may spend (share × the tenant's hourly threshold)."""
        now = self._clock()
        if self._cached is not None and now - self._cached[0] < _REFRESH:
            return self._cached[1]
        try:
            threshold = await self._threshold()
            if threshold <= 0:
                raise ValueError(f"Autotask reported a threshold of {threshold}")
        except Exception as exc:  # any failure: pace by the documented default instead
            _log.warning(
                "could not read the Autotask request threshold (%s); assuming %d an hour",
                exc,
                self._fallback,
            )
            threshold = self._fallback
        budget = max(1, int(threshold * self._share))
        self._cached = (now, budget)
        return budget

    async def gap(self, autotask_requests_per_cycle: int) -> timedelta | None:
        """The least spacing between cycle starts for cycles of this many requests."""
        if autotask_requests_per_cycle <= 0:
            return None
        return budget_gap(autotask_requests_per_cycle, await self.hourly_budget())
